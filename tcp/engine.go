package tcp

import (
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"math/rand/v2"
	"net/netip"
	"sync"
	"sync/atomic"
	"time"

	"github.com/medina-net/medina/checksum"
	"github.com/medina-net/medina/link"
)

// Network is the IP layer beneath the TCP engine, implemented by the
// stack. The engine builds segments in buffers the network hands out, with
// room in front for the network's own headers, so that data is copied once
// on its way from the send buffer to the wire. The network hands the
// engine the ICMP errors about its segments (Engine.InputError).
//
// Addresses are IPv4 or IPv6, as netip.Addr holds them: an IPv4 address
// in its 4-byte form (never IPv4-mapped), an IPv6 one without a zone.
// Every address the engine passes is of one of these forms, and it
// expects them of the network.
type Network interface {
	// SourceAddr returns the local address a connection to dst goes
	// from when Dial names none (the network's source address
	// selection: RFC 6724 for IPv6), of dst's family; false when the
	// network has no address to reach dst from.
	SourceAddr(dst netip.Addr) (netip.Addr, bool)
	// IsLocal reports whether a is one of the network's own addresses,
	// which Listen and Dial may bind to.
	IsLocal(a netip.Addr) bool
	// MTU is the MTU of the route to dst: the largest datagram that goes
	// out without fragmenting. The MSS option we send offers it, less
	// the headers: it is what we can receive.
	MTU(dst netip.Addr) int
	// PathMTU is the path MTU to dst as the network knows it (RFC 1191,
	// RFC 8201): MTU(dst), or less where an ICMP error the engine took
	// showed a smaller link on the way, until that ages out. Segments
	// are sized for it, and sent with DF set (IPv6 never fragments on
	// the way). The engine asks when a connection starts, and again now
	// and then while the answer is below MTU(dst).
	PathMTU(dst netip.Addr) int
	// Segment returns a buffer for an outgoing segment of up to size bytes
	// (TCP header and payload).
	Segment(size int) *SegmentBuffer
	// Send sends the first n bytes of seg.B as a TCP segment from src to
	// dst, two addresses of one family, and takes seg back. The checksum
	// is already filled in, over the pseudo-header of that family.
	Send(seg *SegmentBuffer, n int, src, dst netip.Addr) error
}

// SegmentBuffer is a buffer for one outgoing segment.
type SegmentBuffer struct {
	// B is the room for the TCP header and payload.
	B []byte
	// Owner is the network's own handle on the buffer.
	Owner any
	// Time is when the engine built the segment, or zero. The network
	// may use it instead of reading its clock again (the neighbour cache
	// wants the time of every datagram it resolves).
	Time time.Time
	// GSOSize, when not zero, makes the segment a super-segment (see
	// GSONetwork): its payload stands for segments of GSOSize bytes
	// each, the last maybe shorter, and its checksum field holds only
	// the pseudo-header's sum over its whole length, folded and not
	// complemented, for the network (or its device) to finish per
	// segment. The network sets it back to zero with the rest.
	GSOSize int
}

// GSONetwork is implemented by a Network that can send TCP super-
// segments, cut into MSS-sized segments further down (by a device's TCP
// segmentation offload, or the kernel behind a TAP): one segment through
// the stack, one system call, for up to 64 KiB of data. The engine sends
// a super-segment only of new data, full MSS-sized segments but for the
// last of what is buffered, and only within both windows, so that what
// arrives at the peer is what it would have been segment by segment.
type GSONetwork interface {
	// GSOMax returns the most payload a super-segment to dst may carry,
	// or 0 when the network sends none to dst.
	GSOMax(dst netip.Addr) int
}

// Config configures a TCP engine. Zero fields take the defaults named
// Default*.
type Config struct {
	// Clock is the engine's time source (link.SystemClock by default).
	Clock link.Clock
	// Rand is the source of initial sequence numbers, ephemeral ports and
	// the secrets behind them; seed it for reproducible runs.
	Rand rand.Source
	// CongestionControl names the algorithm of new connections: "cubic"
	// (RFC 9438, the default) or "newreno" (RFC 5681 and 6582).
	CongestionControl string
	// DisableSACK turns selective acknowledgements (RFC 2018) off: the
	// engine neither offers nor accepts them, so loss recovery is
	// NewReno's (RFC 6582). It is there to compare the two, and for
	// peers that mishandle SACK.
	DisableSACK bool
	// SendBuffer is the most a connection's send buffer holds, in bytes.
	SendBuffer int
	// ReceiveBuffer is the initial receive buffer, and MaxReceiveBuffer the
	// most receive auto-tuning grows it to.
	ReceiveBuffer, MaxReceiveBuffer int
	// TimeWait is how long a connection stays in TIME-WAIT (2 MSL), and
	// MaxTimeWait the most connections that may be there at once: past
	// it a connection that would enter TIME-WAIT closes at once, as
	// Linux's do past tcp_max_tw_buckets (TimeWaitOverflows counts them).
	TimeWait    time.Duration
	MaxTimeWait int
	// SYNBacklog bounds the half-open connections of a listener; past it,
	// the listener answers with SYN cookies (RFC 4987).
	SYNBacklog int
	// AcceptBacklog bounds the established connections waiting for Accept.
	AcceptBacklog int
	// DelayedACK is the longest an acknowledgement waits for a second
	// segment to ride with (RFC 9293 3.8.6.3 says at most 0.5 s).
	DelayedACK time.Duration
	// MinRTO and MaxRTO bound the retransmission timeout; InitialRTO is
	// its value before any round trip is measured (RFC 6298: 1 s).
	MinRTO, MaxRTO, InitialRTO time.Duration
	// KeepAliveIdle, KeepAliveInterval and KeepAliveCount are the defaults
	// of connections with keep-alive turned on.
	KeepAliveIdle, KeepAliveInterval time.Duration
	KeepAliveCount                   int
	// ChallengeACKLimit is the most RFC 5961 challenge ACKs the engine
	// sends a second, over all connections, and ChallengeACKInterval the
	// least time between two on one connection (RFC 5961 10): a peer
	// flooding one connection with segments that call for them cannot
	// use up the engine's allowance and silence them for the others.
	ChallengeACKLimit    int
	ChallengeACKInterval time.Duration
	// MemoryLimit bounds the memory the buffers of all connections hold
	// together, in bytes: send buffers, and receive buffers with the
	// out-of-order data in them, as Linux's tcp_mem does. Past two
	// thirds of it the engine is under pressure: buffers grow no further
	// than the size they start with (64 KiB to send, ReceiveBuffer to
	// receive), receive auto-tuning stops, and buffers that empty are
	// handed back. At the limit a buffer gets at most 4 KiB, so that
	// every connection still makes progress: writers wait for their
	// peers' acknowledgements instead of growing their buffers, and data
	// a receive buffer has no room for is dropped for the peer to send
	// again. Buffer memory is then bounded by the limit plus 4 KiB per
	// direction of each connection holding data. Zero means
	// DefaultMemoryLimit(); a negative value, no limit. Stats reports
	// what is held (MemoryBytes) and how often the budget bit.
	MemoryLimit int64
}

// Defaults of Config's zero fields.
const (
	DefaultSendBuffer        = 4 << 20
	DefaultReceiveBuffer     = 128 << 10
	DefaultMaxReceiveBuffer  = 6 << 20
	DefaultTimeWait          = 60 * time.Second
	DefaultMaxTimeWait       = 65536
	DefaultSYNBacklog        = 256
	DefaultAcceptBacklog     = 4096 // Linux's somaxconn since 5.4
	DefaultDelayedACK        = 40 * time.Millisecond
	DefaultMinRTO            = 200 * time.Millisecond
	DefaultMaxRTO            = 120 * time.Second
	DefaultInitialRTO        = time.Second
	DefaultKeepAliveIdle     = 2 * time.Hour
	DefaultKeepAliveInterval = 75 * time.Second
	DefaultKeepAliveCount    = 9
	DefaultChallengeACKLimit = 1000
	// DefaultChallengeACKInterval is Linux's tcp_invalid_ratelimit.
	DefaultChallengeACKInterval = 500 * time.Millisecond
)

func (cfg *Config) fill() {
	if cfg.Clock == nil {
		cfg.Clock = link.SystemClock
	}
	if cfg.Rand == nil {
		cfg.Rand = rand.NewPCG(rand.Uint64(), rand.Uint64())
	}
	if cfg.CongestionControl == "" {
		cfg.CongestionControl = "cubic"
	}
	def := func(v *int, d int) {
		if *v <= 0 {
			*v = d
		}
	}
	defd := func(v *time.Duration, d time.Duration) {
		if *v <= 0 {
			*v = d
		}
	}
	def(&cfg.SendBuffer, DefaultSendBuffer)
	def(&cfg.ReceiveBuffer, DefaultReceiveBuffer)
	def(&cfg.MaxReceiveBuffer, DefaultMaxReceiveBuffer)
	cfg.MaxReceiveBuffer = max(cfg.MaxReceiveBuffer, cfg.ReceiveBuffer)
	defd(&cfg.TimeWait, DefaultTimeWait)
	def(&cfg.MaxTimeWait, DefaultMaxTimeWait)
	def(&cfg.SYNBacklog, DefaultSYNBacklog)
	def(&cfg.AcceptBacklog, DefaultAcceptBacklog)
	defd(&cfg.DelayedACK, DefaultDelayedACK)
	defd(&cfg.MinRTO, DefaultMinRTO)
	defd(&cfg.MaxRTO, DefaultMaxRTO)
	defd(&cfg.InitialRTO, DefaultInitialRTO)
	defd(&cfg.KeepAliveIdle, DefaultKeepAliveIdle)
	defd(&cfg.KeepAliveInterval, DefaultKeepAliveInterval)
	def(&cfg.KeepAliveCount, DefaultKeepAliveCount)
	def(&cfg.ChallengeACKLimit, DefaultChallengeACKLimit)
	defd(&cfg.ChallengeACKInterval, DefaultChallengeACKInterval)
	if cfg.MemoryLimit == 0 {
		cfg.MemoryLimit = DefaultMemoryLimit()
	}
}

// initialSendBuffer is the most a send buffer grows to while the memory
// budget is under pressure: the size Linux's tcp_wmem gives a socket to
// start with.
const initialSendBuffer = 64 << 10

// ErrCongestionControl is returned for an unknown algorithm name.
var ErrCongestionControl = errors.New("tcp: unknown congestion control")

// fourTuple identifies a connection. Its addresses are of one family, in
// the forms Network describes (IPv4 unmapped, IPv6 without a zone), so
// that one connection has one key whatever API named it.
//
// They are netip.Addr values rather than 16-byte arrays with IPv4 mapped:
// the table's lookups are then as fast for IPv4 as with the 4-byte keys
// of old (within 3 ns a lookup, measured on a table of 1000), and faster
// than with 16-byte arrays, which cost a conversion of both addresses of
// every segment on its way in and out (5 ns more a lookup).
type fourTuple struct {
	localAddr, remoteAddr netip.Addr
	localPort, remotePort uint16
}

// is6 reports whether the connection is over IPv6.
func (id *fourTuple) is6() bool { return id.remoteAddr.Is6() }

// headersLen is the length of the IP and TCP headers (without options)
// in front of a segment's data: 40 bytes over IPv4, 60 over IPv6.
func (id *fourTuple) headersLen() int {
	if id.is6() {
		return 40 + HeaderLen
	}
	return 20 + HeaderLen
}

// appendHashInput appends the four-tuple as the keyed hashes of ISNs,
// SYN cookies and timestamp offsets take it: for IPv4 the addresses in
// their 4 bytes, as before IPv6 came, so that a seeded engine picks the
// same numbers over IPv4 as it did; for IPv6 in their 16.
func (id *fourTuple) appendHashInput(b []byte) []byte {
	if id.is6() {
		l, r := id.localAddr.As16(), id.remoteAddr.As16()
		b = append(append(b, l[:]...), r[:]...)
	} else {
		l, r := id.localAddr.As4(), id.remoteAddr.As4()
		b = append(append(b, l[:]...), r[:]...)
	}
	return binary.BigEndian.AppendUint16(binary.BigEndian.AppendUint16(b, id.localPort), id.remotePort)
}

// pseudoSum is the partial sum of the pseudo-header of segments between
// src and dst, less the length (RFC 9293 3.1, RFC 8200 8.1): a
// connection keeps its own and adds each segment's length, which is
// below 65536 in both families.
func pseudoSum(src, dst netip.Addr) uint32 {
	if src.Is4() {
		return checksum.Pseudo(src.As4(), dst.As4(), ProtocolNumber, 0)
	}
	return checksum.Pseudo6(src.As16(), dst.As16(), ProtocolNumber, 0)
}

// Confirmer is implemented by a Network that runs neighbour
// unreachability detection (RFC 4861 7.3.1, and ARP's cache as Linux
// does it): for every acknowledgment of new data, the engine tells it
// that the path to remote works, which keeps the neighbour the path goes
// through reachable without the probes a silent entry costs. It is
// called with the connection's lock held, must not call the engine, and
// should allocate nothing.
type Confirmer interface {
	ConfirmReachable(remote netip.Addr, now time.Time)
}

// SegmenterFor is implemented by a Network that lays a segment's buffer
// out by the family of its destination: SegmentFor is Segment for a
// segment to dst, leaving room in front for dst's IP header (40 bytes
// for IPv6, 20 for IPv4), so that Send need not move it. The engine calls
// it instead of Segment when the network has it.
type SegmenterFor interface {
	SegmentFor(dst netip.Addr, size int) *SegmentBuffer
}

// Engine is the TCP of one stack: its connections, listeners and counters.
type Engine struct {
	net     Network
	confirm Confirmer    // net, when it is one
	segFor  SegmenterFor // net, when it is one
	gso     GSONetwork   // net, when it is one
	cfg     Config
	clock   link.Clock
	newCC   func() congestionControl

	rngMu sync.Mutex
	rng   *rand.Rand

	isnKey    [32]byte // RFC 6528's secret key
	cookieKey [32]byte // SYN cookies' secret
	epoch     time.Time

	mu        sync.RWMutex
	conns     map[fourTuple]*Conn
	listeners map[uint16][]*Listener   // by port: on distinct addresses, or families
	anyL      atomic.Pointer[Listener] // the any-address listener (anyaddr.go), or nil
	ports     map[uint16]int           // local ports in use, by how many connections and listeners
	closed    bool

	challenge rateLimit // RFC 5961 challenge ACKs, engine-wide
	stats     counters
	mem       memory       // the budget of connection buffers
	timeWaits atomic.Int64 // connections in TIME-WAIT

	// Receive batches (BeginBatch, EndBatch): while batching, the ACKs
	// owed for in-order data wait for the batch's end, on deferred.
	batching   atomic.Bool
	deferredMu sync.Mutex
	deferred   []*Conn

	// The storage of connection buffers, shared by the connections.
	bufs bufPools
}

// NewEngine returns a TCP engine sending through net.
func NewEngine(net Network, cfg Config) (*Engine, error) {
	cfg.fill()
	newCC, ok := congestionControls[cfg.CongestionControl]
	if !ok {
		return nil, ErrCongestionControl
	}
	e := &Engine{
		net:       net,
		cfg:       cfg,
		clock:     cfg.Clock,
		newCC:     newCC,
		rng:       rand.New(cfg.Rand),
		conns:     make(map[fourTuple]*Conn),
		listeners: make(map[uint16][]*Listener),
		ports:     make(map[uint16]int),
	}
	e.confirm, _ = net.(Confirmer)
	e.segFor, _ = net.(SegmenterFor)
	e.gso, _ = net.(GSONetwork)
	for i := range e.isnKey {
		e.isnKey[i] = byte(e.rng.Uint32())
		e.cookieKey[i] = byte(e.rng.Uint32())
	}
	e.epoch = e.clock.Now()
	e.challenge.init(cfg.ChallengeACKLimit)
	e.mem.init(cfg.MemoryLimit)
	return e, nil
}

// segment returns a buffer for a segment of up to size bytes to dst.
func (e *Engine) segment(dst netip.Addr, size int) *SegmentBuffer {
	if e.segFor != nil {
		return e.segFor.SegmentFor(dst, size)
	}
	return e.net.Segment(size)
}

// random returns a value from the engine's source.
func (e *Engine) random() uint32 {
	e.rngMu.Lock()
	defer e.rngMu.Unlock()
	return e.rng.Uint32()
}

// isn returns an initial sequence number for a connection (RFC 6528): a
// keyed hash of the four-tuple plus a clock ticking every 4 µs, so that
// sequence numbers of successive incarnations of a connection advance and
// are hard for an off-path attacker to guess.
func (e *Engine) isn(id fourTuple, now time.Time) Seq {
	var buf [32 + 36]byte
	b := id.appendHashInput(append(buf[:0], e.isnKey[:]...))
	h := sha256.Sum256(b)
	ticks := uint32(now.Sub(e.epoch) / (4 * time.Microsecond))
	return Seq(binary.BigEndian.Uint32(h[:]) + ticks)
}

// tsNow returns the timestamp clock (RFC 7323): milliseconds since the
// engine started.
func (e *Engine) tsNow(now time.Time) uint32 {
	return uint32(now.Sub(e.epoch) / time.Millisecond)
}

// Input handles a TCP segment received from src for dst, two addresses
// of one family in the forms Network describes (a zone is ignored). seg
// is valid only during the call.
func (e *Engine) Input(src, dst netip.Addr, seg []byte) {
	e.InputAt(src, dst, seg, e.clock.Now())
}

// InputAt is Input for a caller that read the clock already: the stack
// reads it once for each batch of frames it takes from the device, since
// on some machines reading the clock costs as much as the rest of a
// segment's processing.
func (e *Engine) InputAt(src, dst netip.Addr, seg []byte, now time.Time) {
	e.input(src, dst, seg, now, Offload{})
}

// Offload is what a device's receive offload vouches for about a segment
// handed to InputOffloadAt.
type Offload struct {
	// ChecksumValid says the checksum need not be verified: the device
	// verified it (virtio-net's DATA_VALID), or the segment never
	// crossed a wire and its checksum field was left partial, for a NIC
	// to complete (NEEDS_CSUM: a local kernel's, or another stack's in
	// memory).
	ChecksumValid bool
	// SegmentSize is not 0 for a coalesced segment (receive offload,
	// GRO): its payload stands for segments of SegmentSize bytes, the
	// last maybe shorter, which the peer sent one by one and the device
	// joined. The engine treats it as those segments: they count in
	// Stats.InSegs and towards the ACK owed (at least one for every
	// second full-sized segment); the sequence, acknowledgment,
	// window and options are the same in all of them, which is what
	// lets a device join them.
	SegmentSize int
}

// InputOffloadAt is InputAt for a segment from a device with receive
// offload, with what the device vouches for: a checksum known good, or
// a segment that stands for several (Offload). A network calls it only
// for a segment the device itself marked so; anything else goes to
// InputAt.
func (e *Engine) InputOffloadAt(src, dst netip.Addr, seg []byte, now time.Time, off Offload) {
	e.input(src, dst, seg, now, off)
}

// input is InputAt and InputOffloadAt.
func (e *Engine) input(src, dst netip.Addr, seg []byte, now time.Time, off Offload) {
	if src.Is6() {
		// Connections are keyed without zones (the engine serves one
		// network); a network that gives them should find its own.
		src, dst = src.WithZone(""), dst.WithZone("")
	}
	h, err := NewHeader(seg)
	if err != nil || h.Check() != nil {
		e.stats.inSegs.Add(1)
		e.stats.inErrs.Add(1)
		return
	}
	segs := 1
	if off.SegmentSize > 0 {
		segs = max(1, (len(h.Payload())+off.SegmentSize-1)/off.SegmentSize)
	}
	e.stats.inSegs.Add(uint64(segs))
	// The connection is looked up before the checksum is verified: its
	// pseudo-header sum is then at hand, and a segment of an
	// established connection costs no more over IPv6 than over IPv4.
	// A segment that fails the checksum changes nothing either way.
	id := fourTuple{localAddr: dst, remoteAddr: src, localPort: h.DstPort(), remotePort: h.SrcPort()}
	e.mu.RLock()
	c := e.conns[id]
	e.mu.RUnlock()
	var sum uint32
	if c != nil {
		// The key holds addresses of one family, neither IPv4-mapped:
		// src and dst are as good as the connection's.
		sum = c.pseudo
	} else {
		if src.Is4() != dst.Is4() || src.Is4In6() || dst.Is4In6() || !src.IsValid() {
			// A segment's addresses are of one family, and an
			// IPv4-mapped address has no business in an IPv6 header
			// (RFC 4291 2.5.5.2 keeps it for the API; Linux drops such
			// segments).
			e.stats.inErrs.Add(1)
			return
		}
		sum = pseudoSum(src, dst)
	}
	if !off.ChecksumValid && checksum.Fold(checksum.Add(sum+uint32(len(seg)), seg)) != 0xffff {
		e.stats.inErrs.Add(1)
		e.stats.inCsumErrors.Add(1)
		return
	}
	var l *Listener
	if c == nil {
		l = e.listenerOrAny(&id)
	}
	var isn Seq
	if c != nil {
		var reopen bool
		if isn, reopen = c.input(h, segs, now); !reopen {
			return
		}
		// The SYN ended TIME-WAIT: it opens a connection, if something
		// listens.
		l = e.listenerOrAny(&id)
	}
	if l != nil {
		l.input(id, h, isn, now)
		return
	}
	e.noConnection(id, h)
}

// BeginBatch starts a receive batch: until EndBatch, the ACKs that
// in-order data would call for at once (one for every second full-sized
// segment) wait, and EndBatch sends one per connection for all of it.
// A network whose device hands over the kernel's receive-offload
// super-packets cut into frames calls it around each read, so that a
// super-packet's data is acknowledged once, as Linux acknowledges a GRO
// packet once; a network whose frames come one by one from a wire does
// not, and every second segment is acknowledged as RFC 5681 4.2 asks.
// ACKs that matter to the peer's loss recovery (duplicates, a hole
// filled, a FIN) never wait. BeginBatch and EndBatch are called by the
// goroutine that calls Input.
func (e *Engine) BeginBatch() { e.batching.Store(true) }

// EndBatch ends a receive batch, sending the ACKs it held (see
// BeginBatch); now is the batch's time.
func (e *Engine) EndBatch(now time.Time) {
	e.batching.Store(false)
	e.deferredMu.Lock()
	conns := e.deferred
	e.deferred = nil // taken: an append meanwhile must not write into conns
	e.deferredMu.Unlock()
	for i, c := range conns {
		conns[i] = nil
		c.mu.Lock()
		c.inBatch = false
		if c.ackDeferred {
			c.ackDeferred = false
			c.ackNow = true
			c.output(now)
			c.armTimer(now)
		}
		c.mu.Unlock()
	}
	e.deferredMu.Lock()
	if e.deferred == nil {
		// Keep the list's storage for the next batch.
		e.deferred = conns[:0]
	}
	e.deferredMu.Unlock()
}

// deferAck puts off the ACK c owes until the receive batch ends. c.mu is
// held.
func (e *Engine) deferAck(c *Conn) {
	c.ackDeferred = true
	if c.inBatch {
		return
	}
	c.inBatch = true
	e.deferredMu.Lock()
	e.deferred = append(e.deferred, c)
	e.deferredMu.Unlock()
}

// noConnection answers a segment for no connection with a reset (RFC
// 9293 3.10.7.1), unless it is a reset itself.
func (e *Engine) noConnection(id fourTuple, h Header) {
	e.stats.noConns.Add(1)
	flags := h.Flags()
	if flags&FlagRST != 0 {
		return
	}
	if flags&FlagACK != 0 {
		e.sendReset(id, Seq(h.Ack()), 0, false)
		return
	}
	segLen := len(h.Payload())
	if flags&FlagSYN != 0 {
		segLen++
	}
	if flags&FlagFIN != 0 {
		segLen++
	}
	e.sendReset(id, 0, Seq(h.Seq()).Add(segLen), true)
}

// sendReset sends a bare RST (with ACK when withAck) on id.
func (e *Engine) sendReset(id fourTuple, sq, ack Seq, withAck bool) {
	f := Fields{SrcPort: id.localPort, DstPort: id.remotePort, Seq: uint32(sq), Flags: FlagRST}
	if withAck {
		f.Ack, f.Flags = uint32(ack), FlagRST|FlagACK
	}
	sb := e.segment(id.remoteAddr, HeaderLen)
	// sb.B may be longer than asked for (the stack's is the rest of a
	// frame buffer, holding an earlier frame's bytes): the reset is the
	// header alone.
	h, err := f.Encode(sb.B[:HeaderLen])
	if err != nil {
		return
	}
	h.SetChecksum(checksum.Checksum(h, pseudoSum(id.localAddr, id.remoteAddr)+uint32(len(h))))
	if e.net.Send(sb, len(h), id.localAddr, id.remoteAddr) == nil {
		e.stats.outSegs.Add(1)
		e.stats.outRsts.Add(1)
	}
}

// register adds a connection to the demultiplexing table.
func (e *Engine) register(c *Conn) error {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.registerLocked(c)
}

// registerLocked is register with e.mu held.
func (e *Engine) registerLocked(c *Conn) error {
	if e.closed {
		return errEngineClosed
	}
	if _, dup := e.conns[c.id]; dup {
		return errAddrInUse
	}
	e.conns[c.id] = c
	e.ports[c.id.localPort]++
	return nil
}

// NumConns returns the number of connections in the engine's table, in
// every state from SYN-SENT to TIME-WAIT: those the application holds,
// those waiting for Accept, and those still closing after the application
// let them go.
func (e *Engine) NumConns() int {
	e.mu.RLock()
	defer e.mu.RUnlock()
	return len(e.conns)
}

// unregister removes a connection.
func (e *Engine) unregister(c *Conn) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.conns[c.id] == c {
		delete(e.conns, c.id)
		if e.ports[c.id.localPort]--; e.ports[c.id.localPort] <= 0 {
			delete(e.ports, c.id.localPort)
		}
	}
}

// Ephemeral ports are drawn from IANA's dynamic range (RFC 6335) at a
// random place (RFC 6056's algorithm 1).
const (
	ephemeralFirst = 49152
	ephemeralLast  = 65535
)

// ephemeralPort picks a local port for a connection to remote that no
// connection to the same remote, and no listener, uses. The caller holds
// e.mu.
func (e *Engine) ephemeralPort(local, remote netip.AddrPort) (uint16, bool) {
	n := ephemeralLast - ephemeralFirst + 1
	start := int(e.random() % uint32(n))
	for i := 0; i < n; i++ {
		p := uint16(ephemeralFirst + (start+i)%n)
		if _, l := e.listeners[p]; l {
			continue
		}
		id := fourTuple{localAddr: local.Addr(), remoteAddr: remote.Addr(), localPort: p, remotePort: remote.Port()}
		if _, used := e.conns[id]; !used {
			return p, true
		}
	}
	return 0, false
}

// Close resets every connection and closes every listener.
func (e *Engine) Close() {
	e.mu.Lock()
	e.closed = true
	conns := make([]*Conn, 0, len(e.conns))
	for _, c := range e.conns {
		conns = append(conns, c)
	}
	var ls []*Listener
	for _, pl := range e.listeners {
		ls = append(ls, pl...)
	}
	if a := e.anyL.Load(); a != nil {
		ls = append(ls, a)
	}
	e.mu.Unlock()
	for _, l := range ls {
		l.Close()
	}
	for _, c := range conns {
		c.abort(errEngineClosed)
	}
}

// rateLimit is a token bucket refilled every second.
type rateLimit struct {
	mu     sync.Mutex
	limit  int
	tokens int
	last   time.Time
}

func (r *rateLimit) init(limit int) { r.limit, r.tokens = limit, limit }

// allow takes a token if there is one.
func (r *rateLimit) allow(now time.Time) bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	if now.Sub(r.last) >= time.Second {
		r.tokens, r.last = r.limit, now
	}
	if r.tokens == 0 {
		return false
	}
	r.tokens--
	return true
}
