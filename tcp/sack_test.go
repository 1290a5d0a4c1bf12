package tcp

import (
	"fmt"
	"math/rand/v2"
	"net/netip"
	"slices"
	"sync"
	"testing"
	"testing/synctest"
	"time"
)

// ranges returns the scoreboard's SACKed ranges, for comparisons.
func (sb *scoreboard) ranges() []seqRange {
	if sb.n == 0 {
		return nil
	}
	return slices.Clone(sb.st.blocks[:sb.n])
}

// checkInvariants fails the test if the ranges are not sorted, disjoint
// and apart, all above una, or if sacked is not their sum.
func (sb *scoreboard) checkInvariants(t *testing.T, una Seq) {
	t.Helper()
	sum := 0
	for i := 0; i < sb.n; i++ {
		r := sb.st.blocks[i]
		if !r.start.LessThan(r.end) || !r.start.GreaterThan(una) {
			t.Fatalf("range %d [%d,%d) empty or not above una %d: %v", i, r.start, r.end, una, sb.ranges())
		}
		if i > 0 && !sb.st.blocks[i-1].end.LessThan(r.start) {
			t.Fatalf("ranges %d and %d touch or overlap: %v", i-1, i, sb.ranges())
		}
		sum += r.end.Diff(r.start)
	}
	if sum != sb.sacked {
		t.Fatalf("sacked = %d, the ranges hold %d", sb.sacked, sum)
	}
}

func blk(l, r uint32) SACKBlock { return SACKBlock{Left: l, Right: r} }

func TestScoreboardUpdate(t *testing.T) {
	const una, max, mss = 1000, 20000, 100
	for _, tc := range []struct {
		name   string
		acks   [][]SACKBlock
		want   []seqRange
		newly  []int // bytes newly SACKed by each ACK
		dsacks int
	}{
		{
			name:  "in order",
			acks:  [][]SACKBlock{{blk(1100, 1200)}, {blk(1100, 1300)}, {blk(1100, 1400)}},
			want:  []seqRange{{1100, 1400}},
			newly: []int{100, 100, 100},
		},
		{
			name:  "any order, merged when they meet",
			acks:  [][]SACKBlock{{blk(1500, 1600)}, {blk(1100, 1200)}, {blk(1300, 1400)}, {blk(1200, 1300)}},
			want:  []seqRange{{1100, 1400}, {1500, 1600}},
			newly: []int{100, 100, 100, 100},
		},
		{
			name:  "several blocks in one ACK, most recent first",
			acks:  [][]SACKBlock{{blk(1700, 1800), blk(1100, 1200), blk(1400, 1500)}},
			want:  []seqRange{{1100, 1200}, {1400, 1500}, {1700, 1800}},
			newly: []int{300},
		},
		{
			name:  "a block spanning several",
			acks:  [][]SACKBlock{{blk(1100, 1200), blk(1300, 1400), blk(1500, 1600)}, {blk(1150, 1550)}},
			want:  []seqRange{{1100, 1600}},
			newly: []int{300, 200},
		},
		{
			name:  "repeated blocks SACK nothing new",
			acks:  [][]SACKBlock{{blk(1100, 1300)}, {blk(1100, 1300)}, {blk(1150, 1250)}},
			want:  []seqRange{{1100, 1300}},
			newly: []int{200, 0, 0},
		},
		{
			name:   "D-SACK below the cumulative ACK is ignored",
			acks:   [][]SACKBlock{{blk(900, 1000), blk(1100, 1200)}, {blk(500, 600)}},
			want:   []seqRange{{1100, 1200}},
			newly:  []int{100, 0},
			dsacks: 2,
		},
		{
			name:  "D-SACK inside a SACKed range changes nothing",
			acks:  [][]SACKBlock{{blk(1100, 1400)}, {blk(1200, 1300), blk(1100, 1400)}},
			want:  []seqRange{{1100, 1400}},
			newly: []int{300, 0},
		},
		{
			name:  "a block straddling the cumulative ACK contradicts it",
			acks:  [][]SACKBlock{{blk(900, 1100)}, {blk(1000, 1100)}, {blk(1200, 1300)}},
			want:  []seqRange{{1200, 1300}},
			newly: []int{0, 0, 100},
		},
		{
			name:  "blocks beyond what was sent, or backwards, are ignored",
			acks:  [][]SACKBlock{{blk(19900, 20100)}, {blk(1300, 1200)}, {blk(1200, 1200)}},
			want:  nil,
			newly: []int{0, 0, 0},
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var sb scoreboard
			for i, a := range tc.acks {
				sb.ackedTo(una, mss)
				if got := sb.update(una, max, a, mss); got != tc.newly[i] {
					t.Errorf("ACK %d SACKed %d new bytes, want %d", i, got, tc.newly[i])
				}
				sb.checkInvariants(t, una-1)
			}
			if got := sb.ranges(); !slices.Equal(got, tc.want) {
				t.Errorf("ranges %v, want %v", got, tc.want)
			}
			if sb.dsacks != tc.dsacks {
				t.Errorf("%d D-SACKs counted, want %d", sb.dsacks, tc.dsacks)
			}
		})
	}
}

func TestScoreboardAckedTo(t *testing.T) {
	var sb scoreboard
	sb.update(1000, 9000, []SACKBlock{blk(2000, 3000), blk(4000, 5000), blk(6000, 7000)}, 100)
	sb.ackedTo(3500, 100)
	if got, want := sb.ranges(), []seqRange{{4000, 5000}, {6000, 7000}}; !slices.Equal(got, want) {
		t.Fatalf("after ACK 3500: %v, want %v", got, want)
	}
	sb.checkInvariants(t, 3500)
	if sb.reneges != 0 {
		t.Fatalf("reneging detected")
	}
	// A cumulative ACK that stops at the start of a SACKed range means
	// the peer dropped it: the scoreboard forgets everything.
	sb.ackedTo(4000, 100)
	if sb.n != 0 || sb.sacked != 0 || sb.reneges != 1 {
		t.Fatalf("after reneging: %v, sacked %d, reneges %d", sb.ranges(), sb.sacked, sb.reneges)
	}
	// So does one that stops inside it.
	sb.update(4000, 9000, []SACKBlock{blk(5000, 6000)}, 100)
	sb.ackedTo(5500, 100)
	if sb.n != 0 || sb.reneges != 2 {
		t.Fatalf("after reneging inside a range: %v, reneges %d", sb.ranges(), sb.reneges)
	}
	// Across the wrap of the sequence space.
	sb.update(0xffffff00, 0x1000, []SACKBlock{blk(0xffffff80, 0x80), blk(0x100, 0x200)}, 100)
	sb.checkInvariants(t, 0xffffff00)
	sb.ackedTo(0x90, 100)
	if got, want := sb.ranges(), []seqRange{{0x100, 0x200}}; !slices.Equal(got, want) {
		t.Fatalf("across the wrap: %v, want %v", got, want)
	}
}

// TestScoreboardBounded fills the scoreboard with more ranges than it
// holds: it keeps the lowest, forgets the highest to make room for a
// lower one, never merges what was not SACKed, and allocates nothing per
// ACK.
func TestScoreboardBounded(t *testing.T) {
	var sb scoreboard
	const una = 1000
	// Ranges [1000+200i+100, 1000+200i+200) for i = 0 .. 2*max, highest
	// first (the worst order).
	for i := 2 * maxScoreboard; i >= 0; i-- {
		s := uint32(una + 200*i + 100)
		sb.update(una, 1<<20, []SACKBlock{blk(s, s+100)}, 100)
		sb.checkInvariants(t, una)
	}
	if sb.n != maxScoreboard {
		t.Fatalf("%d ranges kept, want %d", sb.n, maxScoreboard)
	}
	for i := 0; i < sb.n; i++ {
		if want := (seqRange{Seq(una + 200*i + 100), Seq(una + 200*i + 200)}); sb.st.blocks[i] != want {
			t.Fatalf("range %d is %v, want %v (the lowest ones)", i, sb.st.blocks[i], want)
		}
	}
	if sb.forgotten == 0 {
		t.Fatal("nothing counted as forgotten")
	}
	// A new highest range is not recorded when full.
	top := sb.st.blocks[sb.n-1]
	if got := sb.update(una, 1<<20, []SACKBlock{blk(900000, 900100)}, 100); got != 0 || sb.st.blocks[sb.n-1] != top {
		t.Fatalf("a new highest range was recorded in a full scoreboard (%d bytes)", got)
	}
	// Merging still works when full.
	if got := sb.update(una, 1<<20, []SACKBlock{blk(una+100, una+500)}, 100); got != 200 {
		t.Fatalf("merge SACKed %d bytes, want 200", got)
	}
	sb.checkInvariants(t, una)
	blocks := []SACKBlock{blk(una+700, una+800), blk(una+1100, una+1300)}
	if allocs := testing.AllocsPerRun(100, func() {
		sb.ackedTo(una, 100)
		sb.update(una, 1<<20, blocks, 100)
		sb.pipe(una, 1<<20)
		sb.isLost(una)
	}); allocs != 0 {
		t.Fatalf("%v allocations per ACK", allocs)
	}
}

// refBoard is RFC 6675's scoreboard taken literally, one byte at a time:
// the reference the scoreboard is checked against.
type refBoard struct {
	una, max Seq
	sacked   map[Seq]bool
}

func (r *refBoard) isSACKed(s Seq) bool { return r.sacked[s] }

// isLost is RFC 6675 section 4's IsLost: DupThresh discontiguous SACKed
// sequences above s, or more than (DupThresh-1)*SMSS bytes SACKed above.
func (r *refBoard) isLost(s Seq, mss int) bool {
	runs, bytes, in := 0, 0, false
	for x := s.Add(1); x.LessThan(r.max); x = x.Add(1) {
		if r.sacked[x] {
			bytes++
			if !in {
				runs++
			}
			in = true
		} else {
			in = false
		}
	}
	return runs >= dupThresh || bytes > (dupThresh-1)*mss
}

// pipe is RFC 6675's SetPipe.
func (r *refBoard) pipe(highRxt Seq, mss int) int {
	p := 0
	for s := r.una; s.LessThan(r.max); s = s.Add(1) {
		if r.sacked[s] {
			continue
		}
		if !r.isLost(s, mss) {
			p++
		}
		if s.LessThan(highRxt) {
			p++
		}
	}
	return p
}

// TestScoreboardAgainstRFC feeds random SACK blocks, cumulative ACKs and
// retransmissions to the scoreboard and to the byte-by-byte reading of
// RFC 6675, and requires IsLost, the pipe and the SACKed bytes to agree
// at every step.
func TestScoreboardAgainstRFC(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 8))
	for trial := range 300 {
		mss := 1 + r.IntN(20)
		base := Seq(r.Uint32())
		size := 50 + r.IntN(250)
		ref := &refBoard{una: base, max: base.Add(size), sacked: map[Seq]bool{}}
		var sb scoreboard
		highRxt := base
		for step := range 12 {
			switch r.IntN(4) {
			case 0: // a cumulative ACK, not into SACKed bytes (which would be reneging)
				if d := ref.max.Diff(ref.una); d > 0 {
					ref.una = ref.una.Add(r.IntN(d/2 + 1))
					for ref.sacked[ref.una] {
						ref.una = ref.una.Add(1)
					}
					for s := range ref.sacked {
						if s.LessThan(ref.una) {
							delete(ref.sacked, s)
						}
					}
				}
			case 1: // retransmissions
				highRxt = ref.una.Add(r.IntN(ref.max.Diff(ref.una) + 1))
			default: // SACK blocks, some of them D-SACKs
				var blocks []SACKBlock
				for range 1 + r.IntN(4) {
					s := ref.una.Add(r.IntN(ref.max.Diff(ref.una)+10) - 10)
					e := s.Add(1 + r.IntN(30))
					if e.GreaterThan(ref.max) {
						e = ref.max
					}
					if !s.LessThan(e) {
						continue
					}
					blocks = append(blocks, blk(uint32(s), uint32(e)))
					if !s.GreaterThan(ref.una) {
						continue // a D-SACK, or contradicting the ACK
					}
					for x := s; x.LessThan(e); x = x.Add(1) {
						ref.sacked[x] = true
					}
				}
				sb.ackedTo(ref.una, mss)
				sb.update(ref.una, ref.max, blocks, mss)
			}
			sb.ackedTo(ref.una, mss)
			if sb.reneges > 0 {
				t.Fatalf("trial %d step %d: reneging detected", trial, step)
			}
			sb.checkInvariants(t, ref.una-1)
			hr := SeqMax(highRxt, ref.una)
			sb.highRxt = hr
			where := fmt.Sprintf("trial %d step %d (una %d, max %d, mss %d, ranges %v)", trial, step, ref.una, ref.max, mss, sb.ranges())
			if got, want := sb.pipe(ref.una, ref.max), ref.pipe(hr, mss); got != want {
				t.Fatalf("%s: pipe %d, RFC says %d", where, got, want)
			}
			if got, want := sb.sacked, len(ref.sacked); got != want {
				t.Fatalf("%s: %d bytes SACKed, RFC says %d", where, got, want)
			}
			for s := ref.una; s.LessThan(ref.max); s = s.Add(1) {
				if got, want := sb.isLost(s), !ref.isSACKed(s) && ref.isLost(s, mss); got != want {
					t.Fatalf("%s: IsLost(%d) = %v, RFC says %v", where, s, got, want)
				}
			}
		}
	}
}

func TestScoreboardIsLost(t *testing.T) {
	const una, mss = 1000, 100
	for _, tc := range []struct {
		name   string
		blocks []SACKBlock
		lost   bool
	}{
		{"nothing SACKed", nil, false},
		{"two segments above", []SACKBlock{blk(1100, 1300)}, false},
		{"three segments above", []SACKBlock{blk(1100, 1400)}, true},
		{"just over two segments", []SACKBlock{blk(1100, 1301)}, true},
		{"two small runs", []SACKBlock{blk(1100, 1110), blk(1200, 1210)}, false},
		{"three small runs (DupThresh discontiguous)", []SACKBlock{blk(1100, 1110), blk(1200, 1210), blk(1300, 1310)}, true},
	} {
		var sb scoreboard
		sb.update(una, 10000, tc.blocks, mss)
		if got := sb.isLost(una); got != tc.lost {
			t.Errorf("%s: IsLost(SND.UNA) = %v, want %v", tc.name, got, tc.lost)
		}
	}
}

// The connection-level tests below drive one established connection with
// crafted ACKs, and look at the segments it sends.

// recNet records the segments an engine sends.
type recNet struct {
	mu   sync.Mutex
	segs []recSeg
	buf  []byte
}

// recSeg is a segment sent: its sequence number, payload length and
// flags.
type recSeg struct {
	seq   Seq
	n     int
	flags Flags
}

func (s recSeg) String() string {
	fin := ""
	if s.flags&FlagFIN != 0 {
		fin = "+FIN"
	}
	return fmt.Sprintf("%d:%d%s", s.seq, s.seq.Add(s.n), fin)
}

var (
	recLocal  = netip.AddrFrom4([4]byte{10, 0, 0, 1})
	recRemote = netip.AddrFrom4([4]byte{10, 0, 0, 2})
)

func (n *recNet) SourceAddr(dst netip.Addr) (netip.Addr, bool) { return recLocal, dst.Is4() }
func (n *recNet) IsLocal(a netip.Addr) bool                    { return a == recLocal }
func (n *recNet) MTU(dst netip.Addr) int                       { return 1500 }
func (n *recNet) PathMTU(dst netip.Addr) int                   { return 1500 }
func (n *recNet) Segment(size int) *SegmentBuffer {
	if cap(n.buf) < size {
		n.buf = make([]byte, size)
	}
	return &SegmentBuffer{B: n.buf[:size]}
}

func (n *recNet) Send(sb *SegmentBuffer, size int, src, dst netip.Addr) error {
	if size == 0 {
		return nil
	}
	h, err := NewHeader(sb.B[:size])
	if err != nil {
		return err
	}
	n.mu.Lock()
	n.segs = append(n.segs, recSeg{Seq(h.Seq()), len(h.Payload()), h.Flags()})
	n.mu.Unlock()
	return nil
}

// take returns the data segments sent since the last call (pure ACKs
// left out).
func (n *recNet) take() []recSeg {
	n.mu.Lock()
	defer n.mu.Unlock()
	var out []recSeg
	for _, s := range n.segs {
		if s.n > 0 || s.flags&(FlagFIN|FlagSYN) != 0 {
			out = append(out, s)
		}
	}
	n.segs = n.segs[:0]
	return out
}

// recoveryConn is an established connection with mss-byte segments from
// sequence number 1001, its peer's window wide open, and data bytes to
// send; fin queues a FIN after them.
type recoveryConn struct {
	t   *testing.T
	c   *Conn
	net *recNet
}

const (
	testMSS = 1000
	testISS = 1000
	testIRS = 5000
)

func newRecoveryConn(t *testing.T, cc string, sack bool, data int, fin bool) *recoveryConn {
	t.Helper()
	n := &recNet{}
	e, err := NewEngine(n, Config{CongestionControl: cc, Rand: rand.NewPCG(1, 2)})
	if err != nil {
		t.Fatal(err)
	}
	c := e.newConn(fourTuple{localAddr: recLocal, remoteAddr: recRemote, localPort: 80, remotePort: 40000})
	c.mu.Lock()
	defer c.mu.Unlock()
	c.iss = testISS
	c.sndUna, c.sndNxt, c.sndMax = testISS+1, testISS+1, testISS+1
	c.irs, c.rcvNxt = testIRS, testIRS+1
	c.rcvAdv = c.rcvNxt.Add(c.rcvBufSize)
	c.sackOK, c.wsOK, c.sndShift = sack, true, 6
	c.sndWnd, c.maxSndWnd = 0xffff<<6, 0xffff<<6
	c.sndWl1, c.sndWl2 = c.irs, c.sndUna
	c.mss, c.peerMSS = testMSS, testMSS
	c.setState(stateEstablished)
	c.cc.init(c.mss)
	c.snd.reserve(data)
	payload := make([]byte, data)
	c.snd.write(payload)
	if fin {
		c.setState(stateFinWait1)
		c.finQueued = true
		c.finSeq = c.sndUna.Add(data)
	}
	c.output(e.clock.Now())
	return &recoveryConn{t: t, c: c, net: n}
}

// seg returns the sequence number of the start of segment i.
func seg(i int) uint32 { return uint32(testISS + 1 + i*testMSS) }

// ack sends the connection an ACK of ack with SACK blocks of whole
// segments: each pair is [first, last] segment numbers.
func (r *recoveryConn) ack(ack uint32, segs ...[2]int) {
	r.t.Helper()
	var blocks []SACKBlock
	for _, s := range segs {
		blocks = append(blocks, blk(seg(s[0]), seg(s[1]+1)))
	}
	r.ackBlocks(ack, blocks...)
}

func (r *recoveryConn) ackBlocks(ack uint32, blocks ...SACKBlock) {
	r.t.Helper()
	var opts []byte
	if len(blocks) > 0 {
		opts = AppendNOP(opts)
		opts = AppendNOP(opts)
		opts = AppendSACK(opts, blocks...)
	}
	f := Fields{SrcPort: 40000, DstPort: 80, Seq: testIRS + 1, Ack: ack, Flags: FlagACK, Window: 0xffff, Options: opts}
	b := make([]byte, f.HeaderLen())
	h, err := f.Encode(b)
	if err != nil {
		r.t.Fatal(err)
	}
	r.c.input(h, 1, r.c.e.clock.Now())
}

// expect checks the data segments sent since the last check.
func (r *recoveryConn) expect(what string, want ...string) {
	r.t.Helper()
	got := r.net.take()
	var gs []string
	for _, s := range got {
		gs = append(gs, s.String())
	}
	if !slices.Equal(gs, want) {
		r.t.Fatalf("%s: sent %v, want %v", what, gs, want)
	}
}

// segs names data segments i to j as expect prints them.
func segs(i, j int) []string {
	var out []string
	for k := i; k <= j; k++ {
		out = append(out, fmt.Sprintf("%d:%d", seg(k), seg(k+1)))
	}
	return out
}

func (r *recoveryConn) stats() Stats { return r.c.e.Stats() }

// connSnap is the state of the connection the tests look at, read under
// its lock (its timer runs in another goroutine).
type connSnap struct {
	inRecovery, loss bool
	recoverSeq       Seq
	sndUna, sndMax   Seq
	state            state
	rto              time.Duration
	cwnd, dupAcks    int
	reneges, nranges int
	ranges           []seqRange
}

func (r *recoveryConn) snap() connSnap {
	c := r.c
	c.mu.Lock()
	defer c.mu.Unlock()
	return connSnap{
		inRecovery: c.inRecovery, loss: c.sb.loss, recoverSeq: c.recoverSeq,
		sndUna: c.sndUna, sndMax: c.sndMax, state: c.state, rto: c.rto,
		cwnd: c.cc.cwnd(), dupAcks: c.dupAcks,
		reneges: c.sb.reneges, nranges: c.sb.n, ranges: c.sb.ranges(),
	}
}

// TestSACKRecoveryEntry: three duplicate ACKs whose SACK blocks make the
// first segment lost start recovery: the segment goes again at once, and
// nothing else is sent again.
func TestSACKRecoveryEntry(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		r := newRecoveryConn(t, "newreno", true, 20*testMSS, false)
		r.expect("initial window", segs(0, 9)...)
		r.ack(seg(1)) // segment 0 arrives; 1 is lost
		r.expect("slow start", segs(10, 11)...)
		r.ack(seg(1), [2]int{2, 2})
		r.expect("first SACK: limited transmit", segs(12, 12)...)
		r.ack(seg(1), [2]int{2, 3})
		r.expect("second SACK: limited transmit", segs(13, 13)...)
		if r.snap().inRecovery {
			t.Fatal("in recovery after two segments SACKed")
		}
		r.ack(seg(1), [2]int{2, 4})
		if !r.snap().inRecovery || r.snap().recoverSeq != Seq(seg(14)) {
			t.Fatalf("in recovery %v, recovery point %d; want true, %d", r.snap().inRecovery, r.snap().recoverSeq, seg(14))
		}
		// cwnd = ssthresh = FlightSize/2 = 5500 (13 segments outstanding,
		// but no more than the window of 11 counted): the pipe is 10
		// segments (12 outstanding from 2 on, less 3 SACKed, plus the
		// retransmission), so nothing new goes.
		r.expect("third SACK: fast retransmit", segs(1, 1)...)
		if got := r.snap().cwnd; got != 5500 {
			t.Errorf("cwnd %d in recovery, want 5500", got)
		}
		st := r.stats()
		if st.FastRetrans != 1 || st.RetransSegs != 1 {
			t.Errorf("%d fast retransmits, %d segments retransmitted; want 1, 1", st.FastRetrans, st.RetransSegs)
		}
		// Every further SACK takes a segment out of the pipe; new data
		// goes once the pipe is a segment below cwnd.
		for i := 5; i <= 9; i++ {
			r.ack(seg(1), [2]int{2, i})
		}
		r.expect("SACKs while the pipe drains to cwnd")
		for i := 10; i <= 13; i++ {
			r.ack(seg(1), [2]int{2, i})
		}
		r.expect("SACKs once it has", segs(14, 17)...)
		// The retransmission arrives: everything up to 13 is
		// acknowledged, which is short of the recovery point (14) but
		// segments 10 to 13 are in.
		r.ack(seg(14))
		if r.snap().inRecovery {
			t.Fatal("still in recovery after the recovery point was acknowledged")
		}
	})
}

// TestSACKNextSegRules walks NextSeg's rules (RFC 6675 section 4).
func TestSACKNextSegRules(t *testing.T) {
	t.Run("rule 1: lost holes before new data", func(t *testing.T) {
		synctest.Test(t, func(t *testing.T) {
			r := newRecoveryConn(t, "newreno", true, 40*testMSS, false)
			r.expect("initial window", segs(0, 9)...)
			// 1 and 4 are lost; 2, 3 and 5 to 9 arrive.
			r.ack(seg(1))
			r.expect("slow start", segs(10, 11)...)
			r.ack(seg(1), [2]int{2, 3})
			r.expect("limited transmit", segs(12, 13)...)
			r.ack(seg(1), [2]int{5, 9}, [2]int{2, 3})
			// Both holes are lost (5 segments SACKed above them). cwnd =
			// 5500 (FlightSize 11 segments, halved); the pipe is 10 to
			// 13, and the retransmission of 1: 5000, which leaves no
			// room for hole 4 yet.
			r.expect("entry", segs(1, 1)...)
			for i := 10; i <= 12; i++ {
				r.ack(seg(1), [2]int{5, i}, [2]int{2, 3})
			}
			r.expect("as the pipe drains: hole 4, then new data", append(segs(4, 4), segs(14, 15)...)...)
			if st := r.stats(); st.RetransSegs != 2 {
				t.Errorf("%d segments retransmitted, want 2", st.RetransSegs)
			}
		})
	})
	t.Run("rule 3: a hole not yet lost when there is no new data", func(t *testing.T) {
		synctest.Test(t, func(t *testing.T) {
			r := newRecoveryConn(t, "newreno", true, 10*testMSS, false)
			r.expect("initial window", segs(0, 9)...)
			// 1 and 7 are lost; 0, 2-6, 8-9 arrive. Hole 7 has only two
			// segments above it: not lost by IsLost.
			r.ack(seg(1))
			r.ack(seg(1), [2]int{2, 6})
			r.ack(seg(1), [2]int{8, 9}, [2]int{2, 6})
			r.expect("entry, then rule 3", append(segs(1, 1), segs(7, 7)...)...)
			if st := r.stats(); st.RetransSegs != 2 {
				t.Errorf("%d segments retransmitted, want 2 (no rescue of a hole rule 3 sent)", st.RetransSegs)
			}
		})
	})
	t.Run("rule 4: rescue retransmission of the tail", func(t *testing.T) {
		synctest.Test(t, func(t *testing.T) {
			r := newRecoveryConn(t, "newreno", true, 10*testMSS, false)
			r.expect("initial window", segs(0, 9)...)
			// 1 and 9, the last, are lost.
			r.ack(seg(1))
			r.ack(seg(1), [2]int{2, 8})
			r.expect("entry, then rescue", append(segs(1, 1), segs(9, 9)...)...)
			// The retransmission of 1 arrives: a partial ACK, and no
			// second rescue.
			r.ack(seg(9))
			r.expect("partial ACK")
			r.ack(seg(10))
			if r.snap().inRecovery || r.snap().sndUna != r.snap().sndMax {
				t.Fatalf("recovery not over: una %d max %d", r.snap().sndUna, r.snap().sndMax)
			}
		})
	})
	t.Run("rule 4 with the FIN", func(t *testing.T) {
		synctest.Test(t, func(t *testing.T) {
			r := newRecoveryConn(t, "newreno", true, 8*testMSS, true)
			r.expect("initial window", append(segs(0, 6), fmt.Sprintf("%d:%d+FIN", seg(7), seg(8)))...)
			// 1 and the last segment, with the FIN, are lost.
			r.ack(seg(1))
			r.ack(seg(1), [2]int{2, 6})
			r.expect("entry, then rescue of the FIN", segs(1, 1)[0], fmt.Sprintf("%d:%d+FIN", seg(7), seg(8)))
			r.ack(seg(8) + 1)
			if r.snap().state != stateFinWait2 {
				t.Fatalf("state %v after the FIN was acknowledged, want FIN-WAIT-2", r.snap().state)
			}
		})
	})
}

// TestSACKTimeout: when a retransmission is lost too, the timeout sends
// again only what the peer did not SACK, starting with the first hole, in
// slow start from one segment, and no fast retransmit follows for the same
// data.
func TestSACKTimeout(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		r := newRecoveryConn(t, "newreno", true, 10*testMSS, false)
		r.expect("initial window", segs(0, 9)...)
		// 1 and 5 are lost, and so will be the retransmission of 1.
		r.ack(seg(1))
		r.ack(seg(1), [2]int{2, 4})
		r.expect("entry", segs(1, 1)...)
		r.ack(seg(1), [2]int{6, 9}, [2]int{2, 4})
		r.expect("hole 5", segs(5, 5)...)
		rto := r.snap().rto
		time.Sleep(rto + time.Millisecond)
		synctest.Wait()
		r.expect("timeout: the first hole", segs(1, 1)...)
		if st := r.stats(); st.Timeouts != 1 {
			t.Fatalf("%d timeouts, want 1", st.Timeouts)
		}
		if got := r.snap().cwnd; got != testMSS {
			t.Fatalf("cwnd %d after the timeout, want one segment", got)
		}
		// The retransmission arrives: the ACK covers 1 to 4, and 5 is
		// lost (not SACKed) and goes next; 6 to 9 are not sent again.
		r.ack(seg(5), [2]int{6, 9})
		r.expect("after the timeout", segs(5, 5)...)
		r.ack(seg(10))
		if r.snap().loss || r.snap().sndUna != r.snap().sndMax {
			t.Fatalf("loss state %v, una %d, max %d", r.snap().loss, r.snap().sndUna, r.snap().sndMax)
		}
		if st := r.stats(); st.RetransSegs != 4 || st.FastRetrans != 1 {
			t.Errorf("%d retransmissions, %d fast retransmits; want 4, 1", st.RetransSegs, st.FastRetrans)
		}
	})
}

// TestSACKRenegingTimeout: a peer that drops what it SACKed gets it again
// after the timeout.
func TestSACKRenegingTimeout(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		r := newRecoveryConn(t, "newreno", true, 6*testMSS, false)
		r.expect("initial window", segs(0, 5)...)
		r.ack(seg(1), [2]int{2, 5})
		r.expect("entry", segs(1, 1)...)
		// The retransmission arrives but the peer threw 2 to 5 away.
		r.ack(seg(2))
		if r.snap().reneges != 1 || r.snap().nranges != 0 {
			t.Fatalf("reneging not detected: %d, %v", r.snap().reneges, r.snap().ranges)
		}
		time.Sleep(r.snap().rto + time.Millisecond)
		synctest.Wait()
		r.expect("timeout", segs(2, 2)...)
		r.ack(seg(3))
		r.expect("slow start after the timeout", segs(3, 4)...)
	})
}

// TestNewRenoRecovery: without SACK, RFC 6582: fast retransmit at the
// third duplicate ACK, the window inflated by the duplicates, a partial
// ACK retransmits the next hole, a full one ends recovery.
func TestNewRenoRecovery(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		r := newRecoveryConn(t, "newreno", false, 40*testMSS, false)
		r.expect("initial window", segs(0, 9)...)
		// 1 and 4 are lost.
		r.ack(seg(1))
		r.expect("slow start", segs(10, 11)...)
		r.ack(seg(1))
		r.ack(seg(1))
		r.expect("limited transmit", segs(12, 13)...)
		r.ack(seg(1))
		r.expect("fast retransmit", segs(1, 1)...)
		// ssthresh = 5500 (FlightSize 11 segments, the window), cwnd
		// inflated to 8500 with 13 outstanding: the duplicates for 5 to
		// 13 inflate it to 17500, room for 4 new segments.
		for range 9 {
			r.ack(seg(1))
		}
		r.expect("inflated window", segs(14, 17)...)
		// The retransmission of 1 arrives: a partial ACK up to the hole
		// at 4, which goes at once; the window deflates by the 3
		// segments acknowledged and gains one, room for one more.
		r.ack(seg(4))
		r.expect("partial ACK", append(segs(4, 4), segs(18, 18)...)...)
		r.ack(seg(16))
		if r.snap().inRecovery {
			t.Fatal("still in recovery after a full acknowledgement")
		}
		if st := r.stats(); st.FastRetrans != 1 || st.RetransSegs != 2 {
			t.Errorf("%d fast retransmits, %d retransmissions; want 1, 2", st.FastRetrans, st.RetransSegs)
		}
	})
}

// TestWindowUpdateNotDupAck: ACKs that only open the window are not
// duplicate ACKs (RFC 5681 2), however many come.
func TestWindowUpdateNotDupAck(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		r := newRecoveryConn(t, "newreno", false, 20*testMSS, false)
		r.expect("initial window", segs(0, 9)...)
		r.c.mu.Lock()
		r.c.sndWnd = 10 * testMSS
		r.c.mu.Unlock()
		for i := range 5 {
			f := Fields{SrcPort: 40000, DstPort: 80, Seq: testIRS + 1, Ack: seg(0), Flags: FlagACK, Window: uint16(1000 + i)}
			b := make([]byte, f.HeaderLen())
			h, _ := f.Encode(b)
			r.c.input(h, 1, r.c.e.clock.Now())
		}
		if r.snap().dupAcks != 0 || r.snap().inRecovery {
			t.Fatalf("window updates counted as %d duplicate ACKs", r.snap().dupAcks)
		}
	})
}

// TestSACKRecoveryAllocs: SACK ACKs during recovery allocate nothing.
func TestSACKRecoveryAllocs(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		r := newRecoveryConn(t, "cubic", true, 200*testMSS, false)
		r.ack(seg(1), [2]int{2, 6})
		if !r.snap().inRecovery {
			t.Fatal("not in recovery")
		}
		opts := AppendSACK(AppendNOP(AppendNOP(nil)), blk(seg(2), seg(7)))
		f := Fields{SrcPort: 40000, DstPort: 80, Seq: testIRS + 1, Ack: seg(1), Flags: FlagACK, Window: 0xffff, Options: opts}
		b := make([]byte, f.HeaderLen())
		h, _ := f.Encode(b)
		r.c.input(h, 1, r.c.e.clock.Now())
		r.net.take()
		allocs := testing.AllocsPerRun(50, func() {
			r.c.input(h, 1, r.c.e.clock.Now())
			r.net.mu.Lock()
			r.net.segs = r.net.segs[:0]
			r.net.mu.Unlock()
		})
		if allocs > 1 { // the test network's SegmentBuffer
			t.Fatalf("%v allocations per SACK ACK", allocs)
		}
	})
}

// TestSACKLostRetransmission: a retransmission that is lost is found lost
// once three segments sent after it are SACKed, and goes again without
// waiting for the timeout; the window is reduced again, since it was sent
// after the first reduction (RFC 8985 3.4).
func TestSACKLostRetransmission(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		r := newRecoveryConn(t, "newreno", true, 30*testMSS, false)
		r.expect("initial window", segs(0, 9)...)
		r.ack(seg(1))
		r.expect("slow start", segs(10, 11)...)
		// 1 is lost; its retransmission goes when SND.MAX is 12, and is
		// lost too.
		r.ack(seg(1), [2]int{2, 4})
		r.expect("entry", segs(1, 1)...)
		if got := r.snap().cwnd; got != 5500 {
			t.Fatalf("cwnd %d in recovery, want 5500", got)
		}
		for i := 5; i <= 11; i++ {
			r.ack(seg(1), [2]int{2, i})
		}
		r.expect("new data as the pipe drains", segs(12, 15)...)
		// Segments 12 and 13, sent after the retransmission, arrive: not
		// yet enough to call it lost.
		r.ack(seg(1), [2]int{2, 12})
		r.ack(seg(1), [2]int{2, 13})
		r.expect("new data", segs(16, 17)...)
		// 14 too: the retransmission is lost. The window halves again,
		// to 2750, below the pipe of 3000 (15 to 17, and nothing for the
		// lost retransmission).
		r.ack(seg(1), [2]int{2, 14})
		r.expect("lost retransmission found, window reduced")
		if got := r.snap().cwnd; got != 2750 {
			t.Fatalf("cwnd %d after the lost retransmission, want 2750", got)
		}
		r.ack(seg(1), [2]int{2, 15})
		r.expect("pipe 2000")
		r.ack(seg(1), [2]int{2, 16})
		r.expect("pipe 1000: segment 1 a third time", segs(1, 1)...)
		r.ack(seg(18))
		if s := r.snap(); s.inRecovery || s.sndUna != Seq(seg(18)) {
			t.Fatalf("recovery not over: %+v", s)
		}
		if st := r.stats(); st.RetransSegs != 2 || st.Timeouts != 0 || st.FastRetrans != 1 {
			t.Errorf("%d retransmissions, %d timeouts, %d fast retransmits; want 2, 0, 1", st.RetransSegs, st.Timeouts, st.FastRetrans)
		}
	})
}
