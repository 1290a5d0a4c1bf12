package tcp

import (
	"fmt"
	"math"
	"net/netip"
	"slices"
	"sync"
	"time"
)

// State is a connection's state (RFC 9293 3.3.2), as Info reports it.
// LISTEN belongs to listeners and is not one of them.
type State uint8

// The states of a connection, in RFC 9293's order.
const (
	StateClosed State = iota
	StateSynSent
	StateSynReceived
	StateEstablished
	StateFinWait1
	StateFinWait2
	StateCloseWait
	StateClosing
	StateLastAck
	StateTimeWait
)

// The exported states are the engine's own, in the same order.
var _ = [1]int{}[StateTimeWait-State(stateTimeWait)]

// NumStates is the number of States, for tables indexed by state.
const NumStates = int(StateTimeWait) + 1

// String returns the RFC's name of the state: "ESTABLISHED", "TIME-WAIT".
func (s State) String() string {
	if int(s) >= len(stateNames) {
		return "UNKNOWN"
	}
	return stateNames[s]
}

// MarshalText returns the state's name, so that JSON and other text
// encodings show "ESTABLISHED" rather than a number.
func (s State) MarshalText() ([]byte, error) { return []byte(s.String()), nil }

// UnmarshalText reads a state's name, as MarshalText writes it.
func (s *State) UnmarshalText(b []byte) error {
	for i, n := range stateNames {
		if string(b) == n {
			*s = State(i)
			return nil
		}
	}
	return fmt.Errorf("tcp: unknown state %q", b)
}

// Info is what a connection tells about itself, for monitoring: the
// fields of Linux's struct tcp_info (TCP_INFO, what ss -ti shows) that
// apply to this engine, under names that say what they hold. Sizes are
// in bytes, where Linux counts some in segments; times are durations.
// The counters count from the connection's start; Info is a snapshot
// taken under the connection's lock, so its fields agree with one
// another.
type Info struct {
	Local, Remote netip.AddrPort
	State         State
	// CongestionControl is the algorithm's name: "cubic" or "newreno".
	CongestionControl string

	// Options the handshake settled on (tcpi_options): timestamps (RFC
	// 7323), SACK (RFC 2018), window scaling with the peer's shift
	// (SendScale, applied to the windows it sends) and ours.
	Timestamps, SACK, WindowScale bool
	SendScale, ReceiveScale       uint8

	// The round trip (RFC 6298): smoothed RTT, its variation, the
	// smallest sample seen, the retransmission timeout, and how many
	// timeouts in a row the oldest unacknowledged data has had (Linux's
	// tcpi_backoff; the connection gives up past 15). RTT and RTTVar
	// are zero until the first sample.
	RTT, RTTVar, MinRTT, RTO time.Duration
	Backoff                  int

	// MSS is the payload of a full segment we send (tcpi_snd_mss: the
	// peer's MSS option clamped to the path MTU, less the options every
	// segment carries), AdvertisedMSS the one we offered (tcpi_advmss)
	// and PathMTU the path MTU segments are sized for (tcpi_pmtu).
	MSS, AdvertisedMSS, PathMTU int

	// Congestion control: the window and the slow start threshold, in
	// bytes (Linux's are in segments: divide by MSS). SlowStartThreshold
	// is math.MaxInt32 until the first congestion event, as Linux's
	// TCP_INFINITE_SSTHRESH. InRecovery says fast recovery or the loss
	// state after a timeout is on.
	CongestionWindow, SlowStartThreshold int
	InRecovery                           bool

	// Windows: the peer's receive window as last advertised (tcpi_snd_wnd),
	// and the one we advertised, from RCV.NXT (tcpi_rcv_wnd); the largest
	// the peer ever offered; and the receive buffer the window is drawn
	// from (tcpi_rcv_space), which auto-tuning grows.
	SendWindow, ReceiveWindow, MaxSendWindow, ReceiveBuffer int

	// Queues: Unacked is the data in flight, sent and not acknowledged
	// (SND.MAX - SND.UNA, tcpi_unacked in bytes), NotSent what is
	// buffered and not yet sent (tcpi_notsent_bytes), SACKed the bytes
	// the peer holds above a hole (tcpi_sacked in bytes), and
	// ReceiveQueue what waits for the application to read (ss's Recv-Q).
	Unacked, NotSent, SACKed, ReceiveQueue int

	// Bytes: sent, retransmissions included (tcpi_bytes_sent), of which
	// retransmitted (tcpi_bytes_retrans); acknowledged by the peer
	// (tcpi_bytes_acked); received in order (tcpi_bytes_received).
	BytesSent, BytesRetrans, BytesAcked, BytesReceived uint64
	// Segments sent and received (tcpi_segs_out, tcpi_segs_in), those
	// with data (tcpi_data_segs_out, tcpi_data_segs_in), and segments
	// retransmitted (tcpi_total_retrans). A super-segment counts as the
	// segments it stands for.
	SegsOut, SegsIn, DataSegsOut, DataSegsIn, TotalRetrans uint64
	// Loss recovery and reordering: fast recoveries entered and
	// retransmission timeouts; SACK blocks received from the peer (the
	// holes and reordering it reports); and segments that arrived out of
	// order here, above a hole (reordering or loss on the way in).
	Recoveries, Timeouts, SACKBlocksIn, OutOfOrderIn uint64

	// DeliveryRate is the rate at which the peer acknowledged data over
	// the last round trip that kept data in flight, in bytes a second
	// (tcpi_delivery_rate): 0 before a round trip's worth of data was
	// acknowledged.
	DeliveryRate uint64

	// How long ago data was last sent and received, and an
	// acknowledgement received (tcpi_last_data_sent, tcpi_last_data_recv,
	// tcpi_last_ack_recv); -1 for never.
	LastDataSent, LastDataRecv, LastAckRecv time.Duration
}

// connCounters are a connection's counters for Info, kept under its
// lock on the paths that send and receive segments.
type connCounters struct {
	bytesSent, bytesRetrans, bytesAcked, bytesReceived     uint64
	segsOut, segsIn, dataSegsOut, dataSegsIn, totalRetrans uint64
	recoveries, timeouts, sackBlocksIn, outOfOrderIn       uint64
	minRTT                                                 time.Duration
	rttSeen                                                bool // minRTT holds a sample
	lastDataSent, lastDataRecv, lastAckRecv                time.Time
	// The delivery rate: the last sample, and the bytes acknowledged
	// and time spent with data in flight since it, counted from rateFrom.
	deliveryRate uint64
	rateBytes    uint64
	rateBusy     time.Duration
	rateFrom     time.Time
}

// sent counts a segment of segs segments carrying n bytes of payload.
func (k *connCounters) sent(segs, n int, retx bool, now time.Time) {
	k.segsOut += uint64(segs)
	if n == 0 {
		return
	}
	k.dataSegsOut += uint64(segs)
	k.bytesSent += uint64(n)
	k.lastDataSent = now
	if retx {
		k.bytesRetrans += uint64(n)
		k.totalRetrans += uint64(segs)
	}
}

// received counts a segment that came in for the connection, acceptable
// or not (as Linux's tcpi_segs_in counts them).
func (k *connCounters) received(s *segment, now time.Time) {
	k.segsIn += uint64(s.segs)
	if len(s.payload) > 0 {
		k.dataSegsIn += uint64(s.segs)
		k.lastDataRecv = now
	}
	if s.flags&FlagACK != 0 {
		k.lastAckRecv = now
	}
}

// minRateInterval is the least time a delivery rate sample spans: a
// round trip on any real path is longer, and over memory, where round
// trips take a microsecond, the clock's resolution would make shorter
// samples noise.
const minRateInterval = 10 * time.Microsecond

// acked counts n bytes newly acknowledged, and the delivery rate: the
// bytes acknowledged over the time data was in flight, once that adds up
// to a round trip (rtt, at least minRateInterval).
func (k *connCounters) acked(n int, rtt time.Duration, now time.Time) {
	n = max(n, 0)
	k.bytesAcked += uint64(n)
	if k.rateFrom.IsZero() {
		return
	}
	k.rateBusy += now.Sub(k.rateFrom)
	k.rateFrom = now
	k.rateBytes += uint64(n)
	if k.rateBusy >= max(rtt, minRateInterval) {
		k.deliveryRate = uint64(float64(k.rateBytes) / k.rateBusy.Seconds())
		k.rateBusy, k.rateBytes = 0, 0
	}
}

// flightStarts tells the delivery rate that data leaves with nothing in
// flight: the time the sender spent idle before is no time the path
// took to deliver.
func (k *connCounters) flightStarts(now time.Time) { k.rateFrom = now }

// rtt records a round trip sample.
func (k *connCounters) rtt(rtt time.Duration) {
	if !k.rttSeen || rtt < k.minRTT {
		k.minRTT, k.rttSeen = rtt, true
	}
}

// Info returns what the connection tells about itself now (see Info).
func (c *Conn) Info() Info {
	var i Info
	c.fillInfo(&i, c.e.clock.Now())
	return i
}

// fillInfo fills i from the connection, as of now.
func (c *Conn) fillInfo(i *Info, now time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	k := &c.info
	ago := func(t time.Time) time.Duration {
		if t.IsZero() {
			return -1
		}
		return max(now.Sub(t), 0)
	}
	unacked := max(c.sndMax.Diff(c.sndUna), 0)
	*i = Info{
		Local:             netip.AddrPortFrom(c.id.localAddr, c.id.localPort),
		Remote:            netip.AddrPortFrom(c.id.remoteAddr, c.id.remotePort),
		State:             State(c.state),
		CongestionControl: c.e.cfg.CongestionControl,
		Timestamps:        c.tsOK,
		SACK:              c.sackOK,
		WindowScale:       c.wsOK,
		RTT:               c.srtt,
		RTTVar:            c.rttvar,
		MinRTT:            k.minRTT,
		RTO:               c.rto,
		Backoff:           c.retries,
		MSS:               c.mss,
		PathMTU:           c.pmtu,
		InRecovery:        c.inRecovery || c.sb.loss,
		SendWindow:        c.sndWnd,
		MaxSendWindow:     c.maxSndWnd,
		ReceiveBuffer:     c.rcvBufSize,
		Unacked:           unacked,
		NotSent:           max(c.snd.len()-unacked, 0),
		SACKed:            c.sb.sacked,
		ReceiveQueue:      c.rcv.len(),
		BytesSent:         k.bytesSent,
		BytesRetrans:      k.bytesRetrans,
		BytesAcked:        k.bytesAcked,
		BytesReceived:     k.bytesReceived,
		SegsOut:           k.segsOut,
		SegsIn:            k.segsIn,
		DataSegsOut:       k.dataSegsOut,
		DataSegsIn:        k.dataSegsIn,
		TotalRetrans:      k.totalRetrans,
		Recoveries:        k.recoveries,
		Timeouts:          k.timeouts,
		SACKBlocksIn:      k.sackBlocksIn,
		OutOfOrderIn:      k.outOfOrderIn,
		DeliveryRate:      k.deliveryRate,
		LastDataSent:      ago(k.lastDataSent),
		LastDataRecv:      ago(k.lastDataRecv),
		LastAckRecv:       ago(k.lastAckRecv),
	}
	if c.wsOK {
		i.SendScale, i.ReceiveScale = c.sndShift, c.rcvShift
	}
	if c.state.synchronized() {
		i.AdvertisedMSS = c.advertisedMSS()
		i.ReceiveWindow = max(c.rcvAdv.Diff(c.rcvNxt), 0)
		i.CongestionWindow, i.SlowStartThreshold = c.cc.cwnd(), min(c.cc.ssthresh(), math.MaxInt32)
	}
}

// connScratch holds the connection lists AppendInfo takes from the
// table, so that a snapshot allocates nothing once warm.
var connScratch = sync.Pool{New: func() any { return new([]*Conn) }}

// AppendInfo appends the Info of the engine's connections to dst and
// returns it: every connection in its table (NumConns), in every state
// from SYN-SENT to TIME-WAIT, or at most limit of them when limit > 0,
// which then are the ones a walk of the table meets first (in no
// particular order). The cost is a walk of the table under a read lock
// that segments wait for only if they open or close a connection, then
// each connection's lock for as long as it takes to copy its fields; it
// allocates nothing but dst's growth.
func (e *Engine) AppendInfo(dst []Info, limit int) []Info {
	p := connScratch.Get().(*[]*Conn)
	conns := e.appendConns((*p)[:0], limit)
	now := e.clock.Now()
	for _, c := range conns {
		dst = append(dst, Info{})
		c.fillInfo(&dst[len(dst)-1], now)
	}
	clear(conns) // the pool must not keep connections alive
	*p = conns[:0]
	connScratch.Put(p)
	return dst
}

// appendConns appends the connections of the table to dst, at most
// limit of them when limit > 0. The connections' locks are taken after
// the table's is released: a connection holds its own while it leaves
// the table.
func (e *Engine) appendConns(dst []*Conn, limit int) []*Conn {
	e.mu.RLock()
	defer e.mu.RUnlock()
	n := len(e.conns)
	if limit > 0 {
		n = min(n, limit)
	}
	dst = slices.Grow(dst, n)
	for _, c := range e.conns {
		if n == 0 {
			break
		}
		dst = append(dst, c)
		n--
	}
	return dst
}

// ListenerInfo is what a listener tells about itself: what ss -lt shows
// of a listening socket.
type ListenerInfo struct {
	Local netip.AddrPort
	// V6Only says a listener on :: takes IPv6 connections only.
	V6Only bool
	// AcceptQueue is the connections established and waiting for Accept
	// (ss's Recv-Q of a listener), of at most AcceptBacklog (its
	// Send-Q); HalfOpen the connections in SYN-RECEIVED, past
	// SYNBacklog of which the listener answers with SYN cookies.
	AcceptQueue, AcceptBacklog int
	HalfOpen, SYNBacklog       int
}

// AppendListenerInfo appends the state of the engine's listeners to dst
// and returns it, in no particular order.
func (e *Engine) AppendListenerInfo(dst []ListenerInfo) []ListenerInfo {
	var ls []*Listener
	e.mu.RLock()
	for _, pl := range e.listeners {
		ls = append(ls, pl...)
	}
	e.mu.RUnlock()
	// A listener's lock is taken after the table's is released, as
	// Close takes them.
	for _, l := range ls {
		l.mu.Lock()
		dst = append(dst, ListenerInfo{Local: l.addr, V6Only: l.v6Only, AcceptQueue: len(l.queue),
			AcceptBacklog: cap(l.queue), HalfOpen: l.halfOpen, SYNBacklog: e.cfg.SYNBacklog})
		l.mu.Unlock()
	}
	return dst
}
