package tcpstream

import (
	"encoding/binary"
	"net/netip"
	"testing"
	"time"

	"github.com/medina-net/medina/tcp"
)

// FuzzAssembler decodes its input into a capture (segments of a few
// connections, in any order, with any flags, some cut short, some carrying
// bytes that disagree with other copies, and calls to Flush), feeds it to an
// Assembler with small bounds, and checks what a user of the Handler would
// notice:
//
//   - no panic;
//   - Close exactly once per Stream, and no call after it; no Data or Gap
//     after Ignore;
//   - each direction's Data and Gaps are contiguous: a call begins where the
//     previous one ended;
//   - every byte delivered is the byte its sender put at that sequence
//     number. Payloads are a function of the connection, direction and
//     sequence number, XORed with a per-segment version mask, so a byte
//     tells which copy it came from: it must come from the first copy the
//     Assembler saw (first-wins) when no segment lies outside the tracked
//     sequence range, and from some copy in any case;
//   - a direction begins where one of its segments began, at its SYN when
//     StartSeen says so, and a CloseFIN ends it where a FIN said;
//   - the Stream's counters agree with the calls, the memory stays within
//     the bounds, and after Close nothing is active or held.
func FuzzAssembler(f *testing.F) {
	for _, seed := range fzSeeds() {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, in []byte) {
		fzRun(t, in)
	})
}

// The encoding of a fuzz input: a header, then operations.
//
// Header (fzHdrLen bytes):
//
//	0      bits 0-1: IdleTimeout (never, 50ms, 1s, default);
//	       bit 2: MaxBufferedTotal 6 KiB instead of 16 KiB;
//	       bit 3: MaxStreams 2 instead of 4;
//	       bit 4: MaxBufferedPerStream 1 KiB instead of 4 KiB, less than
//	       a large segment takes; bit 5: the Handler charges what it is
//	       given (Stream.Charge) and takes half of its charge back at
//	       each Gap
//	1      the Handler ignores stream ID%8 after its first Data when bit
//	       ID%8 is set
//	2-5    seed of the initial sequence numbers (little endian)
//
// Operation (fzOpLen bytes, plus 4 with the raw bit):
//
//	0      bits 0-2: connection (mod fzSlots); bit 3: sent by its second
//	       end; bits 4-7: SYN, FIN, RST, ACK
//	1      bits 0-2: version (0 is the true bytes; ignored with raw);
//	       bit 3: AddTruncated; bit 4: raw offset follows; bit 5: send
//	       IPv4 addresses in their IPv4-mapped IPv6 form; bit 6: Flush
//	       instead of a segment, olderThan byte 2 * 10ms before now
//	2-3    offset of the first data byte from the sender's base (& 0x1fff)
//	4-5    bits 0-10: payload length; bits 11-15: AddTruncated's length
//	       on the wire, (v-8)*128 bytes more than the payload
//	6      acknowledgment: the peer's base - 1 + 41*v
//	7      capture time step, int8 * 10ms (captures go back in time too)
//	[8-11] with the raw bit: the offset, any 32-bit value
const (
	fzHdrLen   = 8
	fzOpLen    = 8
	fzMaxOps   = 256
	fzSlots    = 6
	fzOffMask  = 0x1fff
	fzLenMask  = 0x7ff
	fzTrackLen = fzOffMask + 1 + fzLenMask + 1 // offsets a non-raw segment can reach
)

// fzEnds are the two ends of each connection the input can name. They
// cover the ways roles are decided: the client on a high port (slots 0, 1
// and 5, which share an end), the server named first (2), equal ports (3)
// and IPv6 (4).
var fzEnds = [fzSlots][2]netip.AddrPort{
	{netip.MustParseAddrPort("10.0.0.1:40000"), netip.MustParseAddrPort("10.0.0.2:443")},
	{netip.MustParseAddrPort("10.0.0.1:40001"), netip.MustParseAddrPort("10.0.0.2:443")},
	{netip.MustParseAddrPort("10.0.0.3:443"), netip.MustParseAddrPort("10.0.0.1:50000")},
	{netip.MustParseAddrPort("10.0.0.4:5000"), netip.MustParseAddrPort("10.0.0.5:5000")},
	{netip.MustParseAddrPort("[2001:db8::1]:40000"), netip.MustParseAddrPort("[2001:db8::2]:80")},
	{netip.MustParseAddrPort("10.0.0.1:40000"), netip.MustParseAddrPort("10.0.0.6:443")},
}

// fzByte is the true byte at seq of one end of a connection: a hash, so
// that a byte delivered in the wrong place, direction or connection shows.
func fzByte(slot, side int, seq uint32) byte {
	x := seq*0x9e3779b1 ^ uint32(slot*2+side+1)*0x85ebca77
	x ^= x >> 15
	x *= 0x2c1b3c6d
	x ^= x >> 12
	return byte(x >> 24)
}

// fzMask is what version v XORs into the true bytes: 0 for version 0, and
// distinct and non-zero for 1-7, so that a byte names its version.
func fzMask(v int) byte { return byte(v * 0x25) }

// fzVersion returns the version of b as the byte at seq, or -1 when it is
// no version's.
func fzVersion(b byte, slot, side int, seq uint32) int {
	x := b ^ fzByte(slot, side, seq)
	for v := range 8 {
		if fzMask(v) == x {
			return v
		}
	}
	return -1
}

// fzSide is what one end of a connection sent since its current Stream
// began (the Assembler forgets the rest).
type fzSide struct {
	base  uint32
	first []uint8 // by offset from base: 1 + the version of the first copy; 0: none
	mask  []uint8 // by offset from base: the versions of all copies
	// starts are where the segments' data began (after a SYN), where a
	// direction may begin; synStarts those of SYNs; finEnds where FINs
	// said the direction ended.
	starts, synStarts, finEnds map[uint32]bool
	// fins are the FINs, in order, with where the direction had reached
	// when each arrived, when the checker knew.
	fins []fzFin
}

// fzFin is a FIN sent: it ends the direction at end, and the first one at
// or after where the direction had reached (pos) is the one that counts.
type fzFin struct {
	end, pos uint32
	known    bool
}

func (m *fzSide) reset() {
	clear(m.first)
	clear(m.mask)
	clear(m.starts)
	clear(m.synStarts)
	clear(m.finEnds)
	m.fins = m.fins[:0]
}

// record notes a segment whose data begins at seq, of which data was
// captured, wire bytes long on the wire, in version v. st is the Stream
// the checker has seen on the connection, if any, with the direction the
// segment is in.
func (m *fzSide) record(seq uint32, data []byte, wire int, v int, syn, fin bool, st *fzStream, d Direction) {
	if m.first == nil {
		m.first = make([]uint8, fzTrackLen)
		m.mask = make([]uint8, fzTrackLen)
	}
	m.starts[seq] = true
	if syn {
		m.synStarts[seq] = true
	}
	if fin {
		m.finEnds[seq+uint32(wire)] = true
		f := fzFin{end: seq + uint32(wire)}
		if st != nil && st.started[d] {
			// The Assembler's next is where the checker's count is, since
			// this segment's calls are not counted yet.
			f.pos, f.known = st.pos[d], true
		}
		m.fins = append(m.fins, f)
	}
	for i := range data {
		off := seq + uint32(i) - m.base
		if off >= fzTrackLen {
			continue
		}
		if m.first[off] == 0 {
			m.first[off] = uint8(v + 1)
		}
		m.mask[off] |= 1 << v
	}
}

// fzCall is one call to the Handler, noted as it is made and checked once
// the operation that made it is over and the model knows what was sent.
type fzCall struct {
	s         *Stream
	kind      byte // 'd'ata, 'g'ap, 'c'lose
	dir       Direction
	seq       uint32 // where the bytes begin, by the Assembler's account
	data      []byte // a copy
	n         int
	ts        time.Time
	reason    CloseReason
	startSeen bool
	stats     [2]DirStats // at Close
	ignored   bool        // the Handler ignored the stream in this call
}

// fzStream is what the checker knows of a Stream.
type fzStream struct {
	slot    int
	started [2]bool
	pos     [2]uint32 // where the next call of each direction must begin
	data    [2]int64
	gapN    [2]int64
	gaps    [2]int64
	closes  int
	ignored bool
}

// finLimit returns where the FIN of the direction sent by m puts its end,
// when it is known. Data at or after it is dropped. A FIN that arrived
// before the checker knew where the direction was leaves it unknown,
// since the first FIN counts.
func (m *fzSide) finLimit() (uint32, bool) {
	for _, f := range m.fins {
		if !f.known {
			return 0, false
		}
		if tcp.Seq(f.end).GreaterEqual(tcp.Seq(f.pos)) && int(f.end-f.pos) < maxWindow {
			return f.end, true
		}
	}
	return 0, false
}

// fzHandler notes the calls.
type fzHandler struct {
	t          *testing.T
	a          *Assembler
	ignoreMask uint8
	charge     bool
	calls      []fzCall
}

// next returns the Assembler's next sequence number of dir of s. The
// Handler has no other way to learn where a direction begins, and from the
// first call on the checker keeps its own count, which must agree.
func (h *fzHandler) next(s *Stream, dir Direction) uint32 {
	for _, c := range h.a.conns {
		if &c.s == s {
			return uint32(c.half[dir].next)
		}
	}
	h.t.Fatalf("stream %d: call for a stream the Assembler does not have", s.ID)
	return 0
}

func (h *fzHandler) Data(s *Stream, dir Direction, data []byte, ts time.Time) {
	c := fzCall{s: s, kind: 'd', dir: dir, data: append([]byte(nil), data...), ts: ts, startSeen: s.StartSeen(dir)}
	c.seq = h.next(s, dir) - uint32(len(data))
	if h.ignoreMask&(1<<(s.ID%8)) != 0 {
		s.Ignore()
		c.ignored = true
	}
	if h.charge {
		s.Charge(len(data))
	}
	h.calls = append(h.calls, c)
}

func (h *fzHandler) Gap(s *Stream, dir Direction, n int) {
	c := fzCall{s: s, kind: 'g', dir: dir, n: n, startSeen: s.StartSeen(dir)}
	c.seq = h.next(s, dir) - uint32(n)
	if h.charge {
		s.Charge(-s.Charged() / 2)
	}
	h.calls = append(h.calls, c)
}

func (h *fzHandler) Close(s *Stream, reason CloseReason) {
	h.calls = append(h.calls, fzCall{s: s, kind: 'c', reason: reason, stats: [2]DirStats{s.Stats(0), s.Stats(1)}})
}

// fzChecker holds the model of a run.
type fzChecker struct {
	t       *testing.T
	cfg     Config
	sides   [fzSlots][2]fzSide
	streams map[*Stream]*fzStream
	live    [fzSlots]*Stream // the open Stream of each connection the Handler has heard of
	closed  int
	exact   bool           // no raw segment: first-wins is checked exactly
	charge  bool           // the Handler charges memory
	times   map[int64]bool // capture times given to Add
}

// slotOf returns the connection and the end that sends dir of s.
func (k *fzChecker) slotOf(s *Stream, dir Direction) (int, int) {
	src, dst := s.Src(dir), s.Dst(dir)
	for i, e := range fzEnds {
		switch {
		case src == e[0] && dst == e[1]:
			return i, 0
		case src == e[1] && dst == e[0]:
			return i, 1
		}
	}
	k.t.Fatalf("stream %d: unknown ends %v", s.ID, s)
	return 0, 0
}

// check checks one call against the model.
func (k *fzChecker) check(c *fzCall) {
	t := k.t
	s := c.s
	st := k.streams[s]
	if st == nil {
		slot, _ := k.slotOf(s, ClientToServer)
		st = &fzStream{slot: slot}
		k.streams[s] = st
	}
	if st.closes > 0 {
		t.Fatalf("stream %d: call %c after Close", s.ID, c.kind)
	}
	if c.kind == 'c' {
		k.checkClose(st, c)
		if k.live[st.slot] == s {
			k.live[st.slot] = nil
		}
		return
	}
	k.live[st.slot] = s
	if st.ignored {
		t.Fatalf("stream %d: call %c after Ignore", s.ID, c.kind)
	}
	d := c.dir
	slot, side := k.slotOf(s, d)
	m := &k.sides[slot][side]
	if !st.started[d] {
		if !m.starts[c.seq] {
			t.Fatalf("stream %d %v: begins at %d (base+%d), where no segment began", s.ID, d, c.seq, c.seq-m.base)
		}
		if c.startSeen && !m.synStarts[c.seq] {
			t.Fatalf("stream %d %v: StartSeen, but begins at %d, after no SYN", s.ID, d, c.seq)
		}
		st.started[d] = true
		st.pos[d] = c.seq
	}
	if c.seq != st.pos[d] {
		t.Fatalf("stream %d %v: call %c begins at %d, the previous ended at %d", s.ID, d, c.kind, c.seq, st.pos[d])
	}
	n := c.n
	if c.kind == 'd' {
		n = len(c.data)
	}
	if fin, ok := m.finLimit(); ok && tcp.Seq(c.seq).Add(n).GreaterThan(tcp.Seq(fin)) {
		t.Fatalf("stream %d %v: call %c of %d at %d goes past the FIN at %d", s.ID, d, c.kind, n, c.seq, fin)
	}
	if c.kind == 'g' {
		// No hole is wider than the window: a larger gap is sequence
		// arithmetic gone wrong.
		if c.n <= 0 || c.n > maxWindow {
			t.Fatalf("stream %d %v: Gap(%d)", s.ID, d, c.n)
		}
		st.pos[d] += uint32(c.n)
		st.gapN[d] += int64(c.n)
		st.gaps[d]++
		return
	}
	if len(c.data) == 0 {
		t.Fatalf("stream %d %v: empty Data", s.ID, d)
	}
	if !k.times[c.ts.UnixNano()] {
		t.Fatalf("stream %d %v: Data at %v, a time no segment had", s.ID, d, c.ts)
	}
	for i, b := range c.data {
		seq := c.seq + uint32(i)
		v := fzVersion(b, slot, side, seq)
		if v < 0 {
			t.Fatalf("stream %d %v: byte %#02x at %d (base+%d) is not what any copy carried", s.ID, d, b, seq, seq-m.base)
		}
		off := seq - m.base
		if off >= fzTrackLen {
			if v != 0 {
				t.Fatalf("stream %d %v: untracked byte at %d has version %d", s.ID, d, seq, v)
			}
			continue
		}
		switch {
		case m.first[off] == 0:
			t.Fatalf("stream %d %v: byte at base+%d delivered, but this Stream saw no segment carry it", s.ID, d, off)
		case k.exact && int(m.first[off])-1 != v:
			t.Fatalf("stream %d %v: byte at base+%d is version %d, the first copy was version %d (first-wins)", s.ID, d, off, v, m.first[off]-1)
		case m.mask[off]&(1<<v) == 0:
			t.Fatalf("stream %d %v: byte at base+%d is version %d, which no copy had (versions %#b)", s.ID, d, off, v, m.mask[off])
		}
	}
	st.pos[d] += uint32(len(c.data))
	st.data[d] += int64(len(c.data))
	if c.ignored {
		st.ignored = true
	}
}

func (k *fzChecker) checkClose(st *fzStream, c *fzCall) {
	t := k.t
	s := c.s
	st.closes++
	k.closed++
	if c.reason < CloseFIN || c.reason > CloseMemory {
		t.Fatalf("stream %d: Close(%v)", s.ID, c.reason)
	}
	for d := range Direction(2) {
		ds := c.stats[d]
		if ds.Delivered != st.data[d] || ds.GapBytes != st.gapN[d] || ds.Gaps != st.gaps[d] {
			t.Fatalf("stream %d %v: stats say %d delivered, %d gaps of %d bytes; the Handler had %d, %d of %d",
				s.ID, d, ds.Delivered, ds.Gaps, ds.GapBytes, st.data[d], st.gaps[d], st.gapN[d])
		}
		if c.reason != CloseFIN {
			continue
		}
		if !ds.FIN {
			t.Fatalf("stream %d: CloseFIN without a FIN %v", s.ID, d)
		}
		slot, side := k.slotOf(s, d)
		if st.started[d] && !st.ignored && !k.sides[slot][side].finEnds[st.pos[d]] {
			t.Fatalf("stream %d %v: CloseFIN at %d, where no FIN was", s.ID, d, st.pos[d])
		}
	}
	if s.Last.Before(s.First) {
		t.Fatalf("stream %d: Last %v before First %v", s.ID, s.Last, s.First)
	}
}

// checkCalls checks the calls of streams begun before the operation, then
// (once the model has been told of the new stream) those of a stream it
// began.
func (k *fzChecker) checkCalls(calls []fzCall, oldStreams int64, newStream func()) {
	for i := range calls {
		if int64(calls[i].s.ID) < oldStreams {
			k.check(&calls[i])
		}
	}
	if newStream == nil {
		return
	}
	newStream()
	for i := range calls {
		if int64(calls[i].s.ID) >= oldStreams {
			k.check(&calls[i])
		}
	}
}

// checkAssembler checks the bounds and the gauges.
func (k *fzChecker) checkAssembler(a *Assembler) {
	t := k.t
	st := a.Stats()
	// A Handler's charge counts at once, and the bounds apply when the
	// segment is through: the peak may pass the bound by what one
	// segment made the Handler hold.
	slack := 0
	if k.charge {
		slack = fzLenMask + 1
	}
	if st.Buffered > k.cfg.MaxBufferedTotal || st.PeakBuffered > k.cfg.MaxBufferedTotal+slack {
		t.Fatalf("buffered %d (peak %d) > %d", st.Buffered, st.PeakBuffered, k.cfg.MaxBufferedTotal)
	}
	if !k.charge && st.Charged != 0 {
		t.Fatalf("charged %d, nothing charges", st.Charged)
	}
	if st.FreeBuffered > k.cfg.MaxBufferedTotal/4 {
		t.Fatalf("free %d > %d", st.FreeBuffered, k.cfg.MaxBufferedTotal/4)
	}
	if st.Active+st.Remembered > k.cfg.MaxStreams {
		t.Fatalf("%d active + %d remembered > %d", st.Active, st.Remembered, k.cfg.MaxStreams)
	}
	if int64(st.Active) != st.Streams-int64(k.closed) {
		t.Fatalf("%d active, but %d begun and %d closed", st.Active, st.Streams, k.closed)
	}
	checkInvariants(t, a)
}

func fzRun(t *testing.T, in []byte) {
	if len(in) < fzHdrLen {
		return
	}
	hdr, in := in[:fzHdrLen], in[fzHdrLen:]
	cfg := Config{MaxBufferedPerStream: 4 << 10, MaxBufferedTotal: 16 << 10, MaxStreams: 4}
	cfg.IdleTimeout = [4]time.Duration{-1, 50 * time.Millisecond, time.Second, 0}[hdr[0]&3]
	if hdr[0]&4 != 0 {
		cfg.MaxBufferedTotal = 6 << 10
	}
	if hdr[0]&8 != 0 {
		cfg.MaxStreams = 2
	}
	if hdr[0]&16 != 0 {
		cfg.MaxBufferedPerStream = 1 << 10
	}
	seed := binary.LittleEndian.Uint32(hdr[2:])

	h := &fzHandler{t: t, ignoreMask: hdr[1], charge: hdr[0]&32 != 0}
	a := NewAssembler(cfg, h)
	h.a = a
	k := &fzChecker{t: t, cfg: cfg, streams: make(map[*Stream]*fzStream), exact: true, times: make(map[int64]bool), charge: h.charge}
	k.cfg.fill()
	for i := range k.sides {
		for j := range k.sides[i] {
			// Bases spread over the sequence space from the seed, so that a
			// seed near 2^32 makes the first connection wrap around.
			k.sides[i][j] = fzSide{
				base:      seed + uint32(i*2+j)*0x9e3779b9,
				starts:    make(map[uint32]bool),
				synStarts: make(map[uint32]bool),
				finEnds:   make(map[uint32]bool),
			}
		}
	}

	now := t0
	for ops := 0; ops < fzMaxOps && len(in) >= fzOpLen; ops++ {
		op := in[:fzOpLen]
		in = in[fzOpLen:]
		slot, side := int(op[0]&7)%fzSlots, int(op[0]>>3&1)
		fl := tcp.Flags(0)
		for i, f := range []tcp.Flags{fS, fF, fR, fA} {
			if op[0]&(0x10<<i) != 0 {
				fl |= f
			}
		}
		version := int(op[1] & 7)
		truncated := op[1]&8 != 0
		mapped := op[1]&0x20 != 0
		off := uint32(binary.LittleEndian.Uint16(op[2:]) & fzOffMask)
		lv := binary.LittleEndian.Uint16(op[4:])
		n := int(lv & fzLenMask)
		wire := max(n+(int(lv>>11)-8)*128, 0)
		now = now.Add(time.Duration(int8(op[7])) * 10 * time.Millisecond)
		if op[1]&0x10 != 0 {
			if len(in) < 4 {
				break
			}
			off = binary.LittleEndian.Uint32(in)
			in = in[4:]
			version = 0 // only tracked bytes may disagree
			k.exact = false
		}

		oldStreams := a.Stats().Streams
		h.calls = h.calls[:0]
		if op[1]&0x40 != 0 {
			a.Flush(now.Add(-time.Duration(op[2]) * 10 * time.Millisecond))
			k.checkCalls(h.calls, oldStreams, nil)
			if a.Stats().Streams != oldStreams {
				t.Fatalf("Flush began a stream")
			}
			k.checkAssembler(a)
			continue
		}

		m := &k.sides[slot][side]
		peer := &k.sides[slot][1-side]
		dataSeq := m.base + off
		seq := dataSeq
		if fl&fS != 0 {
			seq-- // the SYN takes the sequence number before the data
		}
		var ack uint32
		if fl&fA != 0 {
			ack = peer.base - 1 + 41*uint32(op[6])
		}
		payload := make([]byte, n)
		for i := range payload {
			payload[i] = fzByte(slot, side, dataSeq+uint32(i)) ^ fzMask(version)
		}
		src, dst := fzEnds[slot][side], fzEnds[slot][1-side]
		if mapped {
			src = netip.AddrPortFrom(netip.AddrFrom16(src.Addr().As16()), src.Port())
			dst = netip.AddrPortFrom(netip.AddrFrom16(dst.Addr().As16()), dst.Port())
		}
		seg := mkseg(src.Port(), dst.Port(), seq, ack, fl, payload)
		k.times[now.UnixNano()] = true
		captured := payload
		if truncated {
			a.AddTruncated(src, dst, seg, tcp.HeaderLen+wire, now)
			captured = payload[:min(n, wire)]
		} else {
			a.Add(src, dst, seg, now)
			wire = n
		}

		// An RST's payload is not stream data, and the RST ends the
		// Stream, so it is no copy of anything.
		record := func() {
			if fl&fR != 0 {
				return
			}
			var st *fzStream
			var d Direction
			if s := k.live[slot]; s != nil {
				st = k.streams[s]
				if s.Src(ClientToServer) != fzEnds[slot][side] {
					d = ServerToClient
				}
			}
			m.record(dataSeq, captured, wire, version, fl&fS != 0, fl&fF != 0, st, d)
		}
		var begun func()
		if st := a.Stats().Streams; st == oldStreams {
			// A Stream that had been idle too long ended before the
			// segment was looked at, and the segment, starting nothing,
			// is no Stream's.
			expired := false
			for _, c := range h.calls {
				expired = expired || c.kind == 'c' && c.reason == CloseIdle && c.s == k.live[slot]
			}
			if !expired {
				record()
			}
		} else {
			if st != oldStreams+1 {
				t.Fatalf("one segment began %d streams", st-oldStreams)
			}
			// The segment began a Stream on its connection, after the
			// Stream before it (if any) ended: the segment is none of the
			// old Stream's, and what was sent before is none of the new
			// one's.
			begun = func() {
				m.reset()
				peer.reset()
				record()
			}
		}
		k.checkCalls(h.calls, oldStreams, begun)
		k.checkAssembler(a)
	}

	streams := a.Stats().Streams
	h.calls = h.calls[:0]
	a.Close()
	k.checkCalls(h.calls, streams, nil)
	st := a.Stats()
	if st.Active != 0 || st.Buffered != 0 || st.Charged != 0 || st.Remembered != 0 || len(a.conns) != 0 {
		t.Fatalf("after Close: %d active, %d remembered, %d buffered, %d in the table", st.Active, st.Remembered, st.Buffered, len(a.conns))
	}
	checkInvariants(t, a)
	if int64(len(k.streams)) != st.Streams || int64(k.closed) != st.Streams {
		t.Fatalf("%d streams begun, %d seen by the Handler, %d closed", st.Streams, len(k.streams), k.closed)
	}
}

// fzOp is an operation of a hand-made seed, encoded by fzEncode.
type fzOp struct {
	slot, side int
	fl         tcp.Flags
	version    int
	off        uint16
	n          int
	wire       int // AddTruncated with this wire length, rounded to 128 from n; 0: Add
	raw        bool
	rawOff     uint32
	mapped     bool
	ack        uint8
	step       int8
	flush      bool
	flushAge   uint8
}

func fzEncode(hdr [fzHdrLen]byte, ops ...fzOp) []byte {
	b := hdr[:]
	for _, o := range ops {
		var e [fzOpLen]byte
		e[0] = byte(o.slot) | byte(o.side)<<3
		for i, f := range []tcp.Flags{fS, fF, fR, fA} {
			if o.fl&f != 0 {
				e[0] |= 0x10 << i
			}
		}
		e[1] = byte(o.version)
		lv := uint16(o.n) | 8<<11
		if o.wire > 0 {
			e[1] |= 8
			lv = uint16(o.n) | uint16(8+(o.wire-o.n)/128)<<11
		}
		if o.raw {
			e[1] |= 0x10
		}
		if o.mapped {
			e[1] |= 0x20
		}
		binary.LittleEndian.PutUint16(e[2:], o.off)
		if o.flush {
			e[1] |= 0x40
			e[2] = o.flushAge
		}
		binary.LittleEndian.PutUint16(e[4:], lv)
		e[6] = o.ack
		e[7] = byte(o.step)
		b = append(b, e[:]...)
		if o.raw {
			b = binary.LittleEndian.AppendUint32(b, o.rawOff)
		}
	}
	return b
}

// fzSeeds are hand-made inputs that reach the main paths at once.
func fzSeeds() [][]byte {
	plain := [fzHdrLen]byte{0, 0, 0x10, 0x20, 0x30, 0x40}
	wrap := [fzHdrLen]byte{2, 0, 0xf0, 0xff, 0xff, 0xff} // base 2^32-16, idle 1s
	tight := [fzHdrLen]byte{1 | 4 | 8 | 16, 0}           // idle 50ms, 1 KiB, 6 KiB, 2 streams
	ignore := [fzHdrLen]byte{0, 0x01}                    // stream 0 ignored after its first Data
	// ack acknowledges up to 41*v-1 bytes of data.
	ackTo := func(n int) uint8 { return uint8((n + 1 + 40) / 41) }
	return [][]byte{
		// A handshake, data both ways in order, FINs, the last ACK.
		fzEncode(plain,
			fzOp{fl: fS},
			fzOp{side: 1, fl: fS | fA, ack: ackTo(0)},
			fzOp{fl: fA, n: 100, ack: ackTo(0), step: 1},
			fzOp{side: 1, fl: fA, n: 300, ack: ackTo(100), step: 1},
			fzOp{fl: fA | fF, off: 100, ack: ackTo(300), step: 1},
			fzOp{side: 1, fl: fA | fF, off: 300, ack: ackTo(101), step: 1},
			fzOp{fl: fA, off: 101, ack: ackTo(301), step: 1},
		),
		// Out of order, a retransmission, an overlap, and a conflicting
		// copy of held data (first-wins), then a hole acknowledged over.
		fzEncode(wrap,
			fzOp{fl: fS},
			fzOp{side: 1, fl: fS | fA},
			fzOp{fl: fA, off: 200, n: 100, step: 1},
			fzOp{fl: fA, off: 250, n: 100, version: 3, step: 1},
			fzOp{fl: fA, off: 0, n: 220, step: -1},
			fzOp{fl: fA, off: 0, n: 220, step: 1},
			fzOp{fl: fA, off: 500, n: 50, step: 1},
			fzOp{side: 1, fl: fA, ack: ackTo(600), step: 1},
			fzOp{side: 1, fl: fA, ack: ackTo(600), step: 1},
			fzOp{fl: fA | fF, off: 550, step: 1},
		),
		// Mid-stream starts on every connection, more than MaxStreams,
		// with data held past the memory bounds, a truncated segment, a
		// mapped address, an RST and a Flush.
		fzEncode(tight,
			fzOp{slot: 0, fl: fA, off: 10, n: 1000},
			fzOp{slot: 0, fl: fA, off: 2000, n: 1500},
			fzOp{slot: 1, side: 1, fl: fA, off: 0, n: 10, mapped: true},
			fzOp{slot: 1, side: 1, fl: fA, off: 3000, n: 2000},
			fzOp{slot: 1, side: 1, fl: fA, off: 20, n: 100, wire: 600},
			fzOp{slot: 2, fl: fA, off: 0, n: 1},
			fzOp{slot: 2, fl: fA, off: 900, n: 2000, step: 3},
			fzOp{slot: 3, fl: fA, off: 5, n: 5},
			fzOp{slot: 3, side: 1, fl: fA, off: 7, n: 5},
			fzOp{slot: 4, fl: fS, step: 2},
			fzOp{slot: 4, fl: fA, off: 1, n: 2047, step: 2},
			fzOp{flush: true, flushAge: 1},
			fzOp{slot: 5, fl: fA, off: 50, n: 200, step: 10},
			fzOp{slot: 5, side: 1, fl: fR | fA},
		),
		// A connection reused with a new SYN, keep-alives, data far out of
		// window, and an ignored stream.
		fzEncode(ignore,
			fzOp{fl: fS},
			fzOp{fl: fA, off: 1, n: 20},
			fzOp{fl: fA, off: 40, n: 20},
			fzOp{fl: fS, off: 4000},
			fzOp{fl: fA, off: 4000, n: 10},
			fzOp{side: 1, fl: fA, off: 100},
			fzOp{side: 1, fl: fA, off: 99, n: 1},
			fzOp{side: 1, fl: fA, off: 100, n: 5},
			fzOp{side: 1, fl: fA, raw: true, rawOff: 1 << 31, n: 10},
			fzOp{side: 1, fl: fA, raw: true, rawOff: 1<<30 + 50, n: 10, wire: 10 + 128},
		),
		// One connection past MaxBufferedPerStream: large segments, then
		// one-byte ones that each cost a buffer, in both directions.
		fzEncode(plain, append([]fzOp{
			{fl: fS},
			{side: 1, fl: fS | fA, ack: ackTo(0)},
			{fl: fA, n: 10, ack: ackTo(0)},
			{fl: fA, off: 100, n: 2000, version: 1},
			{fl: fA, off: 3000, n: 2000},
			{fl: fA, off: 6000, n: 2000, version: 2},
			{side: 1, fl: fA, off: 50, n: 1000},
		}, func() []fzOp {
			var ops []fzOp
			for i := range 12 {
				ops = append(ops, fzOp{side: i % 2, fl: fA, off: uint16(7000 + 2*i), n: 1, step: 1})
			}
			return append(ops, fzOp{fl: fA, off: 10, n: 2047}, fzOp{side: 1, fl: fA, off: 0, n: 60})
		}()...)...),
		// A Handler that holds what it is given, on six connections
		// within a 6 KiB MaxBufferedTotal and a 1 KiB
		// MaxBufferedPerStream: the least recently active ones end, and
		// one that holds more than its share ends too, held data given
		// up first.
		fzEncode([fzHdrLen]byte{4 | 16 | 32, 0, 9, 9, 9, 9},
			fzOp{slot: 0, fl: fA, n: 900},
			fzOp{slot: 1, fl: fA, n: 900, step: 1},
			fzOp{slot: 2, side: 1, fl: fA, n: 900, step: 1},
			fzOp{slot: 3, fl: fA, n: 900, step: 1},
			fzOp{slot: 4, fl: fA, n: 900, step: 1},
			fzOp{slot: 0, fl: fA, off: 900, n: 10, step: 1},
			fzOp{slot: 5, fl: fA, n: 10, step: 1},
			fzOp{slot: 5, fl: fA, off: 500, n: 300, step: 1},
			fzOp{slot: 5, fl: fA, off: 10, n: 900, step: 1},
			fzOp{slot: 1, fl: fA, off: 900, n: 10, step: 1},
			fzOp{slot: 2, side: 1, fl: fA, n: 100, wire: 1000, step: 1},
			fzOp{slot: 4, fl: fA, off: 2000, n: 500, step: 1},
			fzOp{slot: 4, fl: fA, off: 3000, n: 500, step: 1},
		),
		// Three connections holding data past a 6 KiB MaxBufferedTotal:
		// the one holding longest gives up its holes.
		fzEncode([fzHdrLen]byte{4, 0, 1, 2, 3, 4},
			fzOp{slot: 0, fl: fA, n: 10},
			fzOp{slot: 0, fl: fA, off: 3000, n: 2000},
			fzOp{slot: 1, fl: fA, n: 10, step: 1},
			fzOp{slot: 1, fl: fA, off: 3000, n: 2000, version: 4},
			fzOp{slot: 2, side: 1, fl: fA, n: 10, step: 1},
			fzOp{slot: 2, side: 1, fl: fA, off: 3000, n: 2000},
			fzOp{slot: 0, fl: fA, off: 2900, n: 200, version: 5},
			fzOp{slot: 1, fl: fA, off: 10, n: 2047, step: 1},
			fzOp{slot: 3, fl: fA, off: 20, n: 100, step: 1},
			fzOp{slot: 3, fl: fA, off: 200, n: 1500, step: 1},
			fzOp{slot: 2, side: 1, fl: fA | fF, off: 5000, step: 1},
			fzOp{slot: 2, side: 0, fl: fA | fF, ack: ackTo(5001), step: 1},
		),
	}
}
