package tcpstream

import (
	"encoding/binary"
	"net/netip"
	"slices"
	"time"

	"github.com/medina-net/medina/tcp"
)

// Defaults of Config's zero fields.
const (
	// DefaultMaxBufferedPerStream bounds one connection's out-of-order
	// data: 4 MiB is a little over the largest receive window Linux
	// grows to by default (tcp_rmem's 6 MiB, of which a quarter is
	// overhead), so a real connection that loses one segment keeps
	// reordering within the bound.
	DefaultMaxBufferedPerStream = 4 << 20
	// DefaultMaxBufferedTotal bounds the out-of-order data of all
	// connections: 16 connections at the per-stream bound.
	DefaultMaxBufferedTotal = 64 << 20
	// DefaultMaxStreams bounds the connections tracked at once, ended
	// ones still remembered included.
	DefaultMaxStreams = 1 << 16
	// DefaultIdleTimeout is Zeek's tcp_inactivity_timeout.
	DefaultIdleTimeout = 5 * time.Minute
	// DefaultResetLinger is how long a connection stays open after an
	// RST for what the other end had sent before the RST reached it:
	// that arrives within a round trip of the RST where the capture is
	// taken, and a second is a long round trip.
	DefaultResetLinger = time.Second
)

// maxWindow is the largest window RFC 7323 allows (2^30 bytes): data
// further ahead of the stream than this is out of window, and no segment is
// longer.
const maxWindow = 1 << 30

// Config bounds an Assembler. A zero field takes its default.
type Config struct {
	// MaxBufferedPerStream bounds the memory one connection holds, both
	// directions together: its out-of-order bytes as memory is charged,
	// and what its Handler holds for it (Stream.Charge); see the package
	// documentation. It is at most MaxBufferedTotal.
	MaxBufferedPerStream int
	// MaxBufferedTotal bounds the same memory for all connections.
	MaxBufferedTotal int
	// MaxStreams bounds the connections tracked at once.
	MaxStreams int
	// IdleTimeout is the capture time after which a connection without a
	// segment ends (CloseIdle), an ended connection is forgotten, and
	// data waiting for a hole gives it up. Negative: never (Flush and
	// Close still apply).
	IdleTimeout time.Duration
	// ResetLinger is the capture time a connection stays open after an
	// RST, for the data the other end sent before the RST reached it
	// (see the package documentation). Negative: none, the connection
	// ends at the RST.
	ResetLinger time.Duration
}

func (cfg *Config) fill() {
	if cfg.MaxBufferedTotal <= 0 {
		cfg.MaxBufferedTotal = DefaultMaxBufferedTotal
	}
	if cfg.MaxBufferedPerStream <= 0 {
		cfg.MaxBufferedPerStream = DefaultMaxBufferedPerStream
	}
	cfg.MaxBufferedPerStream = min(cfg.MaxBufferedPerStream, cfg.MaxBufferedTotal)
	if cfg.MaxStreams <= 0 {
		cfg.MaxStreams = DefaultMaxStreams
	}
	if cfg.IdleTimeout == 0 {
		cfg.IdleTimeout = DefaultIdleTimeout
	}
	if cfg.ResetLinger == 0 {
		cfg.ResetLinger = DefaultResetLinger
	}
}

// Stats are an Assembler's counters and gauges.
type Stats struct {
	// Segments is the number of segments given to Add and AddTruncated.
	Segments int64
	// Malformed is the number of those shorter than a TCP header.
	Malformed int64
	// NoStream is the number of segments that belonged to no connection
	// and could not start one: pure ACKs, and FINs and RSTs without data.
	NoStream int64
	// Late is the number of segments of a connection that had ended with
	// FIN or RST (final ACKs, retransmissions, data after an RST's
	// linger), dropped.
	Late int64
	// Streams is the number of Streams begun.
	Streams int64
	// Idle, Evicted and Reused count Streams closed for those reasons
	// (the Handler is told CloseRST of one that was lingering after an
	// RST).
	Idle, Evicted, Reused int64
	// Forced is the number of times a connection gave up its held data
	// for the memory bounds.
	Forced int64
	// Shed is the number of Streams ended for the memory bounds
	// (CloseMemory).
	Shed int64
	// Active is the number of connections open now; Remembered the
	// number of ended ones still remembered.
	Active, Remembered int
	// Buffered is the memory charged now against MaxBufferedTotal:
	// out-of-order data and what Handlers hold (Stream.Charge);
	// PeakBuffered its highest value, which may pass the bound by what
	// one segment made a Handler hold, since the bounds apply once the
	// segment is through. Charged is the Handlers' part of Buffered.
	Buffered, PeakBuffered, Charged int
	// FreeBuffered is the memory kept in free buffers for reuse.
	FreeBuffered int
}

// key identifies a connection: its two ends, the lower first. It is plain
// memory (IPv4 addresses in their IPv4-mapped form), which the map hashes
// in one go; netip.AddrPort's zone pointer would make it hash field by
// field, which costs a quarter of an in-order segment.
type key struct {
	loAddr, hiAddr [16]byte
	loPort, hiPort uint16
}

// makeKey returns the key of the connection between src and dst, and
// whether src is its lower end. IPv6 zones are not part of it.
func makeKey(src, dst netip.AddrPort) (key, bool) {
	sa, da := src.Addr().As16(), dst.Addr().As16()
	sp, dp := src.Port(), dst.Port()
	if sa != da && lessAddr(&sa, &da) || sa == da && sp <= dp {
		return key{sa, da, sp, dp}, true
	}
	return key{da, sa, dp, sp}, false
}

func lessAddr(a, b *[16]byte) bool {
	ah, bh := binary.BigEndian.Uint64(a[:8]), binary.BigEndian.Uint64(b[:8])
	if ah != bh {
		return ah < bh
	}
	return binary.BigEndian.Uint64(a[8:]) < binary.BigEndian.Uint64(b[8:])
}

// chunk is out-of-order data held: bytes [seq, seq+len(data)) of a
// direction, in a pooled buffer.
type chunk struct {
	seq  tcp.Seq
	data []byte
	at   time.Time // the Assembler's time when it arrived
}

// chunkCost is what a held chunk is charged beside its buffer: its record
// (56 bytes) in a slice that may be twice as large as it needs.
const chunkCost = 128

// half is the reassembly state of one direction.
type half struct {
	started   bool    // next is known
	done      bool    // everything up to the FIN delivered or given up
	finSeen   bool    // fin is known
	ackValid  bool    // acked is known and after next
	hintValid bool    // hint is known
	isn       tcp.Seq // initial sequence number, when the SYN was seen
	next      tcp.Seq // the first byte not yet delivered or given up
	fin       tcp.Seq // the sequence number of the FIN
	acked     tcp.Seq // the peer's highest acknowledgment, from segments before the current one
	hint      tcp.Seq // the sequence number of a pure ACK before the direction started

	chunks []chunk // held data, sorted, never overlapping, all after next; live from head
	head   int
}

func (h *half) held() []chunk { return h.chunks[h.head:] }

// lingering is what a connection keeps of the RST it lingers after (the
// first one): its sender, its sequence number and the Assembler's time
// then. It is made at the RST, so that the connections never reset (a
// flood of half-open ones) do not pay for it.
type lingering struct {
	dir        Direction
	seq        tcp.Seq
	at         time.Time
	prev, next *conn // in the Assembler's lingerList
}

// conn is a connection: its Stream and the state of both directions.
type conn struct {
	s          Stream
	k          key
	loIsClient bool
	closed     bool // ended; if by FIN or RST, still remembered
	told       bool // the Handler has had Data or Gap
	holding    bool // in the holding list
	charging   bool // in the charging list
	half       [2]half
	buffered   int       // out-of-order memory held, both directions
	last       time.Time // the Assembler's time at the latest segment
	links      [3]links  // lruLinks: live or closed list; holdLinks: holding list; chargeLinks: charging list
	// rst is set while the connection lingers after an RST.
	rst *lingering
}

func (c *conn) dir(srcLo bool) Direction {
	if srcLo == c.loIsClient {
		return ClientToServer
	}
	return ServerToClient
}

// hasData reports whether direction d has delivered, given up or held
// anything.
func (c *conn) hasData(d Direction) bool {
	st := &c.s.stats[d]
	return st.Delivered > 0 || st.GapBytes > 0 || len(c.half[d].held()) > 0
}

// Assembler reassembles the TCP connections of a capture. Create one with
// NewAssembler.
type Assembler struct {
	cfg     Config
	h       Handler
	conns   map[key]*conn
	live    list // open connections, most recently active first
	ended   list // connections ended by FIN or RST, remembered
	holders list // connections holding data, the latest to begin holding first
	// charging lists the connections whose Handler holds memory, most
	// recently active first.
	charging list
	// resets lists the connections lingering after an RST, the latest
	// RST first.
	resets  lingerList
	now     time.Time
	cutoff  time.Time // now less IdleTimeout, when IdleTimeout > 0
	lastK   key       // the key of the latest lookup, and its result
	lastC   *conn     // (bulk transfers look the same connection up again and again)
	total   int       // out-of-order memory and Handlers' charges
	charges int       // Handlers' charges
	id      uint64
	stats   Stats
	pool    pool
}

// NewAssembler returns an Assembler that reports to h.
func NewAssembler(cfg Config, h Handler) *Assembler {
	cfg.fill()
	return &Assembler{
		cfg:      cfg,
		h:        h,
		conns:    make(map[key]*conn),
		live:     list{which: lruLinks},
		ended:    list{which: lruLinks},
		holders:  list{which: holdLinks},
		charging: list{which: chargeLinks},
		pool:     pool{limit: cfg.MaxBufferedTotal / 4},
	}
}

// Stats returns the Assembler's counters.
func (a *Assembler) Stats() Stats {
	s := a.stats
	s.Active = a.live.n
	s.Remembered = a.ended.n
	s.Buffered = a.total
	s.Charged = a.charges
	s.FreeBuffered = a.pool.bytes
	return s
}

// Add hands the Assembler one TCP segment sent from src to dst and
// captured at ts. seg must end where the segment does (the IP datagram's
// length, without link-layer padding); Add reads it only during the call.
// Addresses are compared as given, except that IPv4-mapped IPv6 addresses
// are taken as IPv4.
func (a *Assembler) Add(src, dst netip.AddrPort, seg tcp.Header, ts time.Time) {
	a.add(src, dst, seg, -1, ts)
}

// AddTruncated is Add for a segment that may have been cut short by the
// capture: segLen is its length on the wire (the IP datagram's length less
// its header), and the bytes of payload between the end of seg and segLen
// are reported as a gap in their place (unless they arrive in another copy
// of the segment first). A segLen shorter than seg cuts seg to it, which
// drops link-layer padding.
func (a *Assembler) AddTruncated(src, dst netip.AddrPort, seg tcp.Header, segLen int, ts time.Time) {
	a.add(src, dst, seg, max(segLen, 0), ts)
}

func (a *Assembler) add(src, dst netip.AddrPort, seg tcp.Header, segLen int, ts time.Time) {
	a.stats.Segments++
	if len(seg) < tcp.HeaderLen {
		a.stats.Malformed++
		return
	}
	if ts.After(a.now) {
		a.now = ts
		if a.cfg.IdleTimeout > 0 {
			a.cutoff = ts.Add(-a.cfg.IdleTimeout)
		}
	}
	if a.cfg.IdleTimeout > 0 {
		a.expire(a.cutoff)
	}
	a.endResets(a.now.Add(-a.cfg.ResetLinger))

	payload := seg.Payload()
	wire := len(payload)
	if segLen >= 0 {
		wire = max(segLen-(len(seg)-len(payload)), 0)
		if wire < len(payload) {
			payload = payload[:wire]
		}
	}
	if wire >= maxWindow {
		wire = maxWindow - 1 // nothing sends this; keep the arithmetic sane
	}
	flags := seg.Flags()
	syn := flags.Has(tcp.FlagSYN)
	ack := flags.Has(tcp.FlagACK)
	rst := flags.Has(tcp.FlagRST)
	seq := tcp.Seq(seg.Seq())

	src = netip.AddrPortFrom(src.Addr().Unmap(), src.Port())
	dst = netip.AddrPortFrom(dst.Addr().Unmap(), dst.Port())
	k, srcLo := makeKey(src, dst)
	c := a.lastC
	if c == nil || a.lastK != k {
		c = a.conns[k]
		a.lastK, a.lastC = k, c
	}

	if c != nil && c.closed {
		cl := &c.half[ClientToServer]
		if syn && !ack && !rst && !(c.s.syn[ClientToServer] && c.dir(srcLo) == ClientToServer && cl.isn == seq) {
			a.forget(c) // a new connection on the same ends
			c = nil
		} else {
			a.stats.Late++
			c.last = a.now
			a.ended.moveToFront(c)
			return
		}
	}
	if c != nil && syn && !rst {
		d := c.dir(srcLo)
		switch {
		case c.s.syn[d] && c.half[d].isn == seq:
			// A retransmitted SYN (or SYN-ACK).
		case !ack && (c.s.syn[d] || c.hasData(d)):
			// A new initial sequence number where data has flowed: a new
			// connection whose predecessor's end was not captured.
			a.closeConn(c, CloseReused)
			c = nil
		case !c.told && c.s.Rule == RuleSYNACK && !ack && d == ClientToServer:
			// The SYN, captured after its SYN-ACK, confirms the roles.
			c.s.Rule = RuleSYN
		}
	}
	if c == nil {
		if rst || (!syn && wire == 0) {
			a.stats.NoStream++
			return
		}
		c = a.newConn(k, src, dst, srcLo, syn, ack, ts)
	}

	c.last = a.now
	if ts.After(c.s.Last) {
		c.s.Last = ts
	}
	a.live.moveToFront(c)
	if c.charging {
		a.charging.moveToFront(c)
	}
	d := c.dir(srcLo)
	a.segment(c, d, seq, flags, payload, wire, ts)
	if !c.closed {
		a.settle(c, ts)
	}
	// The Handler may hold more now: apply the bounds.
	a.enforce(c)
	if c.closed {
		return // an RST, the FINs or the bounds ended it
	}
	// Record the acknowledgment only now, so that the next segment can
	// still fill a hole it covers before the hole is given up.
	if ack && !rst {
		p := &c.half[d.Reverse()]
		ackn := tcp.Seq(seg.Ack())
		if p.started && !p.done && ackn.GreaterThan(p.next) && int(ackn.Offset(p.next)) <= maxWindow &&
			(!p.ackValid || ackn.GreaterThan(p.acked)) {
			p.acked = ackn
			p.ackValid = true
		}
	}
}

// newConn begins a connection with the segment from src to dst.
func (a *Assembler) newConn(k key, src, dst netip.AddrPort, srcLo, syn, ack bool, ts time.Time) *conn {
	if a.live.n+a.ended.n >= a.cfg.MaxStreams {
		if a.ended.tail != nil {
			a.forget(a.ended.tail)
		} else {
			a.closeConn(a.live.tail, CloseEvicted)
		}
	}
	c := &conn{k: k}
	srcClient := true
	switch {
	case syn && !ack:
		c.s.Rule = RuleSYN
	case syn:
		c.s.Rule = RuleSYNACK
		srcClient = false
	case src.Port() != dst.Port():
		c.s.Rule = RulePort
		srcClient = src.Port() > dst.Port()
	default:
		c.s.Rule = RuleFirstSender
	}
	c.loIsClient = srcClient == srcLo
	if srcClient {
		c.s.Client, c.s.Server = src, dst
	} else {
		c.s.Client, c.s.Server = dst, src
	}
	c.s.ID = a.id
	c.s.asm, c.s.conn = a, c
	a.id++
	c.s.First, c.s.Last = ts, ts
	a.conns[k] = c
	a.lastC = nil
	a.live.pushFront(c)
	a.stats.Streams++
	return c
}

// segment processes the flags and data of a segment of direction d.
func (a *Assembler) segment(c *conn, d Direction, seq tcp.Seq, flags tcp.Flags, payload []byte, wire int, ts time.Time) {
	st := &c.s.stats[d]
	st.Packets++
	st.Bytes += int64(wire)
	if flags.Has(tcp.FlagRST) {
		// RFC 9293 lets an RST carry diagnostic text, which is not stream
		// data.
		a.reset(c, d, seq)
		return
	}
	h := &c.half[d]
	if flags.Has(tcp.FlagSYN) {
		if !c.s.syn[d] && (!h.started || !c.hasData(d)) {
			*h = half{chunks: h.chunks[:0], started: true}
			h.isn = seq
			h.next = seq.Add(1)
			c.s.syn[d] = true
		}
		// A SYN after data already flowed is late: its sequence number is
		// noted nowhere, and its data, if any, is old or held as usual.
		seq = seq.Add(1)
	}
	fin := flags.Has(tcp.FlagFIN)
	if fin {
		st.FIN = true
	}
	if c.s.ignore {
		if fin {
			h.finSeen = true
		}
		return
	}
	if !h.started {
		if wire == 0 && !fin {
			if flags.Has(tcp.FlagACK) {
				h.hint = seq
				h.hintValid = true
			}
			return
		}
		h.started = true
		h.next = seq
		if h.hintValid && wire <= 1 && seq == h.hint.Add(-1) {
			// A keep-alive probe (RFC 9293 section 3.8.4): one byte
			// before what the sender's pure ACK said it had sent, and
			// garbage, not data.
			h.next = h.hint
		}
	}
	if fin && !h.finSeen {
		// A FIN before what was delivered, or out of window, is bogus.
		end := seq.Add(wire)
		if end.GreaterEqual(h.next) && int(end.Offset(h.next)) < maxWindow && !h.done {
			h.finSeen = true
			h.fin = end
			a.dropAfterFIN(c, d)
		}
	}
	if wire > 0 {
		a.data(c, d, seq, payload, wire, ts)
	}
	a.checkDone(c, d)
}

// dropAfterFIN drops the data d holds at or after its FIN, which has just
// arrived: it is past the end of the stream, as data arriving after the FIN
// is (and is counted the same way, a held chunk for a segment). Kept, it
// would stand after the FIN, where the hole before it would end when given
// up: a gap past the FIN, and next beyond it, so that d could never be done.
func (a *Assembler) dropAfterFIN(c *conn, d Direction) {
	h := &c.half[d]
	held := h.held()
	i := len(held)
	for i > 0 && held[i-1].seq.GreaterEqual(h.fin) {
		i--
	}
	st := &c.s.stats[d]
	if i > 0 {
		// The last chunk left may run past the FIN: cut it. Its buffer
		// stays as it is charged.
		p := &held[i-1]
		if p.seq.Add(len(p.data)).GreaterThan(h.fin) {
			p.data = p.data[:h.fin.Offset(p.seq)]
			st.Dropped++
		}
	}
	if i == len(held) {
		return
	}
	st.Dropped += int64(len(held) - i)
	for _, ch := range held[i:] {
		a.release(c, ch.data)
	}
	clear(held[i:])
	h.chunks = h.chunks[:h.head+i]
	if i == 0 {
		h.chunks = h.chunks[:0]
		h.head = 0
	}
	if c.buffered == 0 && c.holding {
		c.holding = false
		a.holders.remove(c)
	}
}

// data takes bytes [seq, seq+wire) of direction d, of which payload is what
// was captured.
func (a *Assembler) data(c *conn, d Direction, seq tcp.Seq, payload []byte, wire int, ts time.Time) {
	h := &c.half[d]
	st := &c.s.stats[d]
	if h.finSeen {
		if seq.GreaterEqual(h.fin) {
			st.Dropped++
			return
		}
		if end := seq.Add(wire); end.GreaterThan(h.fin) {
			st.Dropped++
			wire = int(h.fin.Offset(seq))
			payload = payload[:min(len(payload), wire)]
		}
	}
	if diff := h.next.Diff(seq); diff > 0 {
		if diff >= wire {
			st.Duplicate += int64(wire)
			return
		}
		st.Duplicate += int64(diff)
		seq = h.next
		wire -= diff
		payload = payload[min(diff, len(payload)):]
	}
	if int(seq.Offset(h.next)) >= maxWindow {
		st.Dropped++
		return
	}
	if seq == h.next {
		a.deliver(c, d, seq, payload, wire, ts)
		return
	}
	st.OutOfOrder++
	a.hold(c, d, seq, payload, wire, ts)
}

// deliver hands over bytes [seq, seq+wire) of d, where seq is next,
// merged with the data held: held bytes arrived first and win.
func (a *Assembler) deliver(c *conn, d Direction, seq tcp.Seq, payload []byte, wire int, ts time.Time) {
	h := &c.half[d]
	st := &c.s.stats[d]
	end := seq.Add(wire)
	for h.next.LessThan(end) && !c.s.ignore {
		if held := h.held(); len(held) > 0 && held[0].seq.LessEqual(h.next) {
			ch := &held[0]
			stop := ch.seq.Add(len(ch.data))
			if stop.GreaterThan(end) {
				stop = end
			}
			if n := int(stop.Offset(h.next)); n > 0 {
				st.Duplicate += int64(n)
				from := int(h.next.Offset(seq))
				if from < len(payload) {
					p := payload[from:min(from+n, len(payload))]
					st.Conflicting += int64(differ(p, ch.data[h.next.Offset(ch.seq):]))
				}
			}
			a.pop(c, d, ts)
			continue
		}
		stop := end
		if held := h.held(); len(held) > 0 && held[0].seq.LessThan(stop) {
			stop = held[0].seq
		}
		n := int(stop.Offset(h.next))
		if from := int(h.next.Offset(seq)); from < len(payload) {
			m := min(n, len(payload)-from)
			a.emit(c, d, payload[from:from+m], ts)
			n -= m
		}
		if n > 0 && !c.s.ignore {
			a.gap(c, d, n)
		}
	}
	a.drain(c, d, ts)
}

// hold keeps out-of-order bytes [seq, seq+wire) of d, of which payload
// was captured, within the memory bounds.
func (a *Assembler) hold(c *conn, d Direction, seq tcp.Seq, payload []byte, wire int, ts time.Time) {
	h := &c.half[d]
	for {
		need := a.insert(c, d, seq, payload, false)
		if need == 0 || (c.buffered+c.s.charged+need <= a.cfg.MaxBufferedPerStream && a.total+need <= a.cfg.MaxBufferedTotal) {
			a.insert(c, d, seq, payload, true)
			return
		}
		// Make room: the connection holding data longest gives up its
		// holes, if the total bound is the problem, or else the least
		// recently active connection whose Handler holds memory ends;
		// then this direction's oldest hole, then the other's; with
		// nothing held, skip to the segment.
		if a.total+need > a.cfg.MaxBufferedTotal && (a.relieve(c) || a.shed(c)) {
			continue
		}
		a.stats.Forced++
		if !a.skipHole(c, d, ts, false) && !a.skipHole(c, d.Reverse(), ts, false) {
			a.gap(c, d, int(seq.Offset(h.next)))
		}
		if c.s.ignore || h.done {
			return
		}
		if diff := h.next.Diff(seq); diff > 0 {
			if diff >= wire {
				c.s.stats[d].Duplicate += int64(wire)
				return
			}
			c.s.stats[d].Duplicate += int64(diff)
			seq = h.next
			wire -= diff
			payload = payload[min(diff, len(payload)):]
		}
		if seq == h.next {
			a.deliver(c, d, seq, payload, wire, ts)
			return
		}
	}
}

// insert walks bytes [seq, seq+len(data)) of d against the data held.
// With apply false it returns the memory that holding the bytes not held
// yet would take (0 when all are held, or fit in spare room). With apply true it holds
// them, and counts duplicate and conflicting bytes.
func (a *Assembler) insert(c *conn, d Direction, seq tcp.Seq, data []byte, apply bool) int {
	h := &c.half[d]
	st := &c.s.stats[d]
	if apply && h.head > 0 {
		n := copy(h.chunks, h.chunks[h.head:])
		clear(h.chunks[n:])
		h.chunks = h.chunks[:n]
		h.head = 0
	}
	held := h.held()
	base := h.next
	off := func(x tcp.Seq) uint32 { return x.Offset(base) }
	pos, end := seq, seq.Add(len(data))
	// The first chunk that ends after seq.
	lo, hi := 0, len(held)
	for lo < hi {
		m := int(uint(lo+hi) >> 1)
		if off(held[m].seq.Add(len(held[m].data))) > off(seq) {
			hi = m
		} else {
			lo = m + 1
		}
	}
	i, need := lo, 0
	for off(pos) < off(end) {
		if i < len(held) && off(held[i].seq) <= off(pos) {
			ch := held[i]
			stop := ch.seq.Add(len(ch.data))
			if off(stop) > off(end) {
				stop = end
			}
			if apply {
				n := int(stop.Offset(pos))
				st.Duplicate += int64(n)
				st.Conflicting += int64(differ(data[pos.Offset(seq):][:n], ch.data[pos.Offset(ch.seq):]))
			}
			pos = stop
			i++
			continue
		}
		stop := end
		if i < len(held) && off(held[i].seq) < off(stop) {
			stop = held[i].seq
		}
		part := data[pos.Offset(seq):stop.Offset(seq)]
		if i > 0 {
			// Fill the spare room of the chunk just before, when
			// adjacent: contiguous small segments share a buffer.
			p := &held[i-1]
			if p.seq.Add(len(p.data)) == pos && cap(p.data) > len(p.data) {
				m := min(len(part), cap(p.data)-len(p.data))
				if apply {
					p.data = append(p.data, part[:m]...)
				}
				part = part[m:]
				pos = pos.Add(m)
			}
		}
		if !apply {
			for len(part) > 0 {
				m := min(len(part), maxBufSize)
				need += classSize(m) + chunkCost
				part = part[m:]
			}
			pos = stop
			continue
		}
		for len(part) > 0 {
			m := min(len(part), maxBufSize)
			b := append(a.pool.get(m), part[:m]...)
			h.chunks = slices.Insert(h.chunks, i, chunk{seq: pos, data: b, at: a.now})
			held = h.chunks
			cost := cap(b) + chunkCost
			c.buffered += cost
			a.total += cost
			i++
			pos = pos.Add(m)
			part = part[m:]
		}
	}
	if apply {
		if a.total > a.stats.PeakBuffered {
			a.stats.PeakBuffered = a.total
		}
		if c.buffered > 0 && !c.holding {
			c.holding = true
			a.holders.pushFront(c)
		}
	}
	return need
}

// differ counts the bytes that differ between a and the start of b.
func differ(a, b []byte) int {
	n := 0
	for i, x := range a {
		if i >= len(b) {
			break
		}
		if x != b[i] {
			n++
		}
	}
	return n
}

// pop delivers what the first held chunk of d has after next, and frees
// it.
func (a *Assembler) pop(c *conn, d Direction, ts time.Time) {
	h := &c.half[d]
	ch := h.chunks[h.head]
	h.chunks[h.head] = chunk{}
	h.head++
	if h.head == len(h.chunks) {
		h.chunks = h.chunks[:0]
		h.head = 0
	}
	end := ch.seq.Add(len(ch.data))
	if h.finSeen && end.GreaterThan(h.fin) {
		end = h.fin
	}
	if end.GreaterThan(h.next) {
		a.emit(c, d, ch.data[h.next.Offset(ch.seq):end.Offset(ch.seq)], ts)
	}
	a.release(c, ch.data)
}

// drain delivers the held data of d that has become contiguous.
func (a *Assembler) drain(c *conn, d Direction, ts time.Time) {
	h := &c.half[d]
	for !c.s.ignore {
		held := h.held()
		if len(held) == 0 || held[0].seq.GreaterThan(h.next) {
			break
		}
		a.pop(c, d, ts)
	}
	if !c.s.ignore && len(h.held()) == 0 && c.buffered == 0 && c.holding {
		c.holding = false
		a.holders.remove(c)
	}
}

// emit hands b, the bytes at next, to the Handler.
func (a *Assembler) emit(c *conn, d Direction, b []byte, ts time.Time) {
	h := &c.half[d]
	h.next = h.next.Add(len(b))
	if h.ackValid && h.next.GreaterEqual(h.acked) {
		h.ackValid = false
	}
	c.s.stats[d].Delivered += int64(len(b))
	c.told = true
	a.h.Data(&c.s, d, b, ts)
}

// gap reports the n bytes at next as never to come.
func (a *Assembler) gap(c *conn, d Direction, n int) {
	if n <= 0 {
		return
	}
	h := &c.half[d]
	h.next = h.next.Add(n)
	if h.ackValid && h.next.GreaterEqual(h.acked) {
		h.ackValid = false
	}
	st := &c.s.stats[d]
	st.Gaps++
	st.GapBytes += int64(n)
	c.told = true
	a.h.Gap(&c.s, d, n)
}

// skipHole gives up the first hole of d: it reports the bytes before the
// first held chunk as a gap and delivers what follows. With toFIN, a hole
// before the FIN with nothing held after it is given up too. It reports
// whether there was a hole.
func (a *Assembler) skipHole(c *conn, d Direction, ts time.Time, toFIN bool) bool {
	h := &c.half[d]
	if c.s.ignore || h.done {
		return false
	}
	var target tcp.Seq
	if held := h.held(); len(held) > 0 {
		target = held[0].seq
	} else if toFIN && h.finSeen && h.next != h.fin {
		target = h.fin
	} else {
		return false
	}
	a.gap(c, d, int(target.Offset(h.next)))
	a.drain(c, d, ts)
	a.checkDone(c, d)
	return true
}

// checkDone marks d done when everything up to its FIN is through, and
// frees what it held.
func (a *Assembler) checkDone(c *conn, d Direction) {
	h := &c.half[d]
	if h.done || !h.finSeen || h.next != h.fin || c.s.ignore {
		return
	}
	h.done = true
	h.ackValid = false
	for _, ch := range h.held() {
		a.release(c, ch.data)
	}
	clear(h.chunks)
	h.chunks = h.chunks[:0]
	h.head = 0
	if c.buffered == 0 && c.holding {
		c.holding = false
		a.holders.remove(c)
	}
}

// release frees a held buffer of c.
func (a *Assembler) release(c *conn, b []byte) {
	cost := cap(b) + chunkCost
	c.buffered -= cost
	a.total -= cost
	a.pool.put(b)
}

// dropHeld frees everything c holds, without telling the Handler (for an
// ignored stream).
func (a *Assembler) dropHeld(c *conn) {
	for d := range c.half {
		h := &c.half[d]
		for _, ch := range h.held() {
			a.release(c, ch.data)
		}
		clear(h.chunks)
		h.chunks = h.chunks[:0]
		h.head = 0
	}
	if c.holding {
		c.holding = false
		a.holders.remove(c)
	}
}

// settle applies, after a segment of c, what may give up its holes (an
// acknowledgment beyond them, a timeout), and ends c when both directions
// are done.
func (a *Assembler) settle(c *conn, ts time.Time) {
	if c.s.ignore {
		a.dropHeld(c)
		for d := range c.half {
			if h := &c.half[d]; h.finSeen || c.s.stats[d].FIN {
				h.done = true
			}
		}
	} else {
		for d := range Direction(2) {
			h := &c.half[d]
			for h.ackValid && !h.done && !c.s.ignore {
				var target tcp.Seq
				if held := h.held(); len(held) > 0 {
					target = held[0].seq
				} else if h.finSeen {
					target = h.fin
				} else {
					break
				}
				if h.acked.LessThan(target) || !a.skipHole(c, d, ts, true) {
					break
				}
			}
			for a.cfg.IdleTimeout > 0 && !c.s.ignore {
				held := h.held()
				if len(held) == 0 || !held[0].at.Before(a.cutoff) || !a.skipHole(c, d, ts, false) {
					break
				}
			}
		}
		if c.s.ignore {
			a.settle(c, ts)
			return
		}
	}
	switch {
	case c.half[0].done && c.half[1].done:
		a.closeConn(c, CloseFIN)
	case c.rst != nil && a.settled(c, c.rst.dir, c.rst.seq):
		a.closeConn(c, CloseRST)
	}
}

// reset handles an RST that d sent at seq. The connection ends at once
// when nothing more can come (see settled), or when Config.ResetLinger is
// negative; otherwise it lingers, taking data as before, for what the
// other end sent before the RST reached it: a capture taken near the end
// that reset shows those segments after the RST. It ends when that end's
// data is through up to its FIN, or the linger is over (endResets, at a
// later segment of any connection or a Flush), or at Close, as ended by
// the RST (CloseRST) whatever ends it but the memory bounds. Later RSTs
// change nothing.
func (a *Assembler) reset(c *conn, d Direction, seq tcp.Seq) {
	if c.rst != nil {
		return
	}
	if a.cfg.ResetLinger < 0 || a.settled(c, d, seq) {
		a.closeConn(c, CloseRST)
		return
	}
	c.rst = &lingering{dir: d, seq: seq, at: a.now}
	a.resets.pushFront(c)
}

// settled reports whether nothing more can come on a connection that d
// reset at seq: the connection never opened (d answered a SYN with the
// RST, and neither end sent data), or each direction is through, the
// other's up to its FIN and d's up to its FIN or to the RST (whose
// sequence number is where d's data stopped).
func (a *Assembler) settled(c *conn, d Direction, seq tcp.Seq) bool {
	if !c.s.syn[d] && !c.hasData(d) && !c.hasData(d.Reverse()) {
		return true
	}
	if !c.half[d.Reverse()].done {
		return false
	}
	h := &c.half[d]
	return h.done || !h.started && !c.hasData(d) || h.started && h.next == seq && len(h.held()) == 0
}

// endResets ends the connections reset before cutoff.
func (a *Assembler) endResets(cutoff time.Time) {
	for c := a.resets.tail; c != nil && c.rst.at.Before(cutoff); c = a.resets.tail {
		a.closeConn(c, CloseRST)
	}
}

// relieve makes the connection other than c that has held data the longest
// give up its holes. It reports whether there was one.
func (a *Assembler) relieve(c *conn) bool {
	v := a.holders.tail
	if v == c {
		v = v.links[holdLinks].prev
	}
	if v == nil {
		return false
	}
	a.stats.Forced++
	a.giveUp(v, v.s.Last, false)
	if v.buffered > 0 {
		a.dropHeld(v) // ignored meanwhile
	}
	if v.half[0].done && v.half[1].done {
		a.closeConn(v, CloseFIN)
	}
	return true
}

// shed ends, for the memory bounds, the least recently active connection
// other than c whose Handler holds memory. It reports whether there was
// one.
func (a *Assembler) shed(c *conn) bool {
	v := a.charging.tail
	if v == c {
		v = v.links[chargeLinks].prev
	}
	if v == nil {
		return false
	}
	a.stats.Shed++
	a.closeConn(v, CloseMemory)
	return true
}

// enforce applies the memory bounds after a segment of c (nil: after a
// Flush), once the Handler has charged what it holds now. A connection
// over MaxBufferedPerStream gives up its holes, and ends if its Handler
// alone still holds more than the bound. While the total is over
// MaxBufferedTotal, the connection holding out-of-order data longest
// gives it up, and then the least recently active connection whose
// Handler holds memory ends: a flood of connections that each hold a
// little loses its oldest, and the connections in use go on.
func (a *Assembler) enforce(c *conn) {
	if c != nil && !c.closed && c.buffered+c.s.charged > a.cfg.MaxBufferedPerStream {
		if c.buffered > 0 {
			a.stats.Forced++
			a.giveUp(c, c.s.Last, false)
			if c.buffered > 0 {
				a.dropHeld(c) // ignored meanwhile
			}
			if c.half[0].done && c.half[1].done {
				a.closeConn(c, CloseFIN)
			}
		}
		if !c.closed && c.buffered+c.s.charged > a.cfg.MaxBufferedPerStream {
			a.stats.Shed++
			a.closeConn(c, CloseMemory)
		}
	}
	for a.total > a.cfg.MaxBufferedTotal {
		if a.relieve(c) || a.shed(c) {
			continue
		}
		// c is the only connection holding anything, and that is
		// within the bound per connection, which is within the total:
		// this cannot happen, but a loop that may not end must not
		// rely on it.
		if c == nil || c.closed {
			break
		}
		a.stats.Shed++
		a.closeConn(c, CloseMemory)
	}
}

// giveUp gives up every hole of c, reporting gaps, and with toFIN the
// bytes missing before a FIN.
func (a *Assembler) giveUp(c *conn, ts time.Time, toFIN bool) {
	for d := range Direction(2) {
		for a.skipHole(c, d, ts, toFIN) {
		}
	}
}

// closeConn ends c for reason: what it holds is given up, the Handler is
// told, and c is remembered (ended by FIN, RST or the memory bounds) or
// forgotten. A connection lingering after an RST is remembered or
// forgotten, and counted, as reason says, but the Handler is told it
// ended by the RST (unless the memory bounds ended it).
func (a *Assembler) closeConn(c *conn, reason CloseReason) {
	told := reason
	if c.rst != nil {
		a.resets.remove(c)
		c.rst = nil
		if reason != CloseMemory {
			told = CloseRST
		}
	}
	a.giveUp(c, c.s.Last, true)
	a.dropHeld(c)
	a.live.remove(c)
	switch reason {
	case CloseIdle:
		a.stats.Idle++
	case CloseReused:
		a.stats.Reused++
	case CloseEvicted:
		a.stats.Evicted++
	}
	c.closed = true
	// The Handler lets go of what it holds for the stream in Close.
	c.s.Charge(-c.s.charged)
	c.s.asm, c.s.conn = nil, nil
	if reason == CloseFIN || reason == CloseRST || reason == CloseMemory {
		for d := range c.half {
			c.half[d].chunks = nil
		}
		a.ended.pushFront(c)
	} else {
		delete(a.conns, c.k)
		a.lastC = nil
	}
	a.h.Close(&c.s, told)
}

// forget drops a remembered connection.
func (a *Assembler) forget(c *conn) {
	a.ended.remove(c)
	delete(a.conns, c.k)
	a.lastC = nil
}

// expire ends the connections idle since before cutoff, and forgets the
// ended ones.
func (a *Assembler) expire(cutoff time.Time) {
	for c := a.live.tail; c != nil && c.last.Before(cutoff); c = a.live.tail {
		a.closeConn(c, CloseIdle)
	}
	for c := a.ended.tail; c != nil && c.last.Before(cutoff); c = a.ended.tail {
		a.forget(c)
	}
}

// Flush gives up the holes whose held data arrived before olderThan (in the
// Assembler's time, the latest capture time given to Add), ends the
// connections with no segment since before olderThan (CloseIdle), and
// forgets the ended ones. A live capture calls it when traffic stops, with
// its clock's time less a timeout.
func (a *Assembler) Flush(olderThan time.Time) {
	for c := a.holders.tail; c != nil; {
		prev := c.links[holdLinks].prev
		for d := range Direction(2) {
			for !c.s.ignore {
				held := c.half[d].held()
				if len(held) == 0 || !held[0].at.Before(olderThan) || !a.skipHole(c, d, c.s.Last, false) {
					break
				}
			}
		}
		if c.s.ignore {
			a.dropHeld(c)
		}
		if c.half[0].done && c.half[1].done {
			a.closeConn(c, CloseFIN)
		}
		c = prev
	}
	a.enforce(nil)
	a.endResets(olderThan)
	a.expire(olderThan)
}

// Close ends every connection, in the order they began (CloseEnd), after
// giving up what each holds: the end of the capture. The Assembler is then
// empty and may be used for another capture.
func (a *Assembler) Close() {
	cs := make([]*conn, 0, a.live.n)
	for c := a.live.head; c != nil; c = c.links[lruLinks].next {
		cs = append(cs, c)
	}
	slices.SortFunc(cs, func(x, y *conn) int {
		switch {
		case x.s.ID < y.s.ID:
			return -1
		case x.s.ID > y.s.ID:
			return 1
		}
		return 0
	})
	for _, c := range cs {
		a.closeConn(c, CloseEnd)
	}
	for c := a.ended.tail; c != nil; c = a.ended.tail {
		a.forget(c)
	}
	a.pool = pool{limit: a.pool.limit}
	a.now, a.cutoff = time.Time{}, time.Time{}
	a.id = 0
}
