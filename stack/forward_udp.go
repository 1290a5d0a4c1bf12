package stack

import (
	"net"
	"net/netip"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/medina-net/medina/internal/deadline"
	"github.com/medina-net/medina/ipv4"
	"github.com/medina-net/medina/ipv6"
	"github.com/medina-net/medina/link"
)

// AnyUDPOptions configure the any-address UDP listener (ListenAnyUDP).
type AnyUDPOptions struct {
	// MaxFlows bounds the flows open at once, accepted or waiting for
	// Accept; a datagram that would open one more is dropped and counted
	// (AnyUDPStats.Overflows). Zero means DefaultMaxUDPFlows.
	MaxFlows int
	// Allow, when not nil, decides whether a datagram from remote to
	// local may open a flow; a refused one is dropped silently (no ICMP
	// error, which would tell a scanner what is refused) and counted. It
	// is called once per flow, from the goroutine that reads the link,
	// with no lock held, and must be quick.
	Allow func(local, remote netip.AddrPort) bool
	// IdleTimeout closes a flow that has neither received a datagram
	// nor sent one with Write for that long, as a NAT forgets a UDP
	// mapping, so that flows nobody closes do not hold MaxFlows' places
	// for ever; a read waiting on it then fails with net.ErrClosed, and
	// the peer's next datagram opens a new flow. Zero means
	// DefaultUDPFlowIdle; a negative value, never.
	IdleTimeout time.Duration
}

// Defaults of AnyUDPOptions' zero fields. DefaultUDPFlowIdle is Linux's
// conntrack timeout for a UDP flow that has seen traffic both ways
// (nf_conntrack_udp_timeout_stream).
const (
	DefaultMaxUDPFlows = 4096
	DefaultUDPFlowIdle = 120 * time.Second
)

// AnyUDPStats count what an any-address UDP listener did.
type AnyUDPStats struct {
	// Flows counts the flows opened, Refused the datagrams Allow refused,
	// Overflows those dropped because MaxFlows flows were open, Expired
	// the flows closed by IdleTimeout.
	Flows, Refused, Overflows, Expired uint64
}

// flowKey names a UDP flow: the destination its peer chose, and the peer.
type flowKey struct{ local, remote netip.AddrPort }

// AnyUDPListener is the any-address UDP listener: it takes the datagrams
// to every address and port that is not the stack's own, and sorts them
// into flows, one per destination and peer, which Accept hands out.
type AnyUDPListener struct {
	s   *Stack
	opt AnyUDPOptions

	mu     sync.Mutex
	flows  map[flowKey]*UDPFlow
	closed bool
	queue  chan *UDPFlow // flows waiting for Accept
	done   chan struct{}
	dl     *deadline.Deadline

	nflows, refused, overflows, expired atomic.Uint64
}

// UDPFlow is one flow of the any-address UDP listener: the datagrams
// between one peer and one destination it chose. It is a connected
// *UDPConn whose local address is that destination, so that Write sends
// from it: the peer's replies come from the address it wrote to. Close
// it when the flow is over; its datagrams meanwhile queue as a socket's
// do (Config.UDPReceiveBuffer), the surplus dropped and counted.
type UDPFlow struct {
	*UDPConn
	l    *AnyUDPListener
	key  flowKey
	last atomic.Int64 // the clock's time of the latest datagram, in and out, in ns
	idle link.Timer   // with an IdleTimeout
}

// ListenAnyUDP turns any-address mode on for UDP and returns its
// listener: the first datagram from a peer to an address and port not
// the stack's opens a flow, which Accept returns with that datagram
// queued; later ones of the flow go to it. Closing the listener turns
// the mode off and closes every flow. There is one at a time: a second
// fails with EADDRINUSE.
func (s *Stack) ListenAnyUDP(opt AnyUDPOptions) (*AnyUDPListener, error) {
	if opt.MaxFlows <= 0 {
		opt.MaxFlows = DefaultMaxUDPFlows
	}
	if opt.IdleTimeout == 0 {
		opt.IdleTimeout = DefaultUDPFlowIdle
	}
	l := &AnyUDPListener{
		s:     s,
		opt:   opt,
		flows: make(map[flowKey]*UDPFlow),
		queue: make(chan *UDPFlow, opt.MaxFlows),
		done:  make(chan struct{}),
		dl:    deadline.New(s.clock),
	}
	if !s.anyUDP.CompareAndSwap(nil, l) {
		return nil, &net.OpError{Op: "listen", Net: "udp", Addr: l.Addr(), Err: syscall.EADDRINUSE}
	}
	return l, nil
}

// closeAnyUDP closes the any-address UDP listener, if one is open, and
// its flows, when the stack closes: no datagram will come to them.
func (s *Stack) closeAnyUDP() {
	if l := s.anyUDP.Load(); l != nil {
		l.Close()
	}
}

// Accept waits for the next new flow and returns it. After Close it
// fails with an error that wraps net.ErrClosed, and past the deadline
// SetDeadline set with a timeout.
func (l *AnyUDPListener) Accept() (*UDPFlow, error) {
	for {
		expired := l.dl.Wait()
		select {
		case <-l.done:
			return nil, l.opError(net.ErrClosed)
		case <-expired:
			return nil, l.opError(errTimeout)
		default:
		}
		select {
		case f := <-l.queue:
			return f, nil
		case <-l.done:
			return nil, l.opError(net.ErrClosed)
		case <-expired:
			// Passed or moved: look again.
		}
	}
}

// SetDeadline sets the deadline of Accept calls, waiting ones included.
func (l *AnyUDPListener) SetDeadline(t time.Time) error {
	l.dl.Set(t)
	return nil
}

// Close turns any-address mode off for UDP and closes every flow.
func (l *AnyUDPListener) Close() error {
	l.mu.Lock()
	if l.closed {
		l.mu.Unlock()
		return l.opError(net.ErrClosed)
	}
	l.closed = true
	flows := make([]*UDPFlow, 0, len(l.flows))
	for _, f := range l.flows {
		flows = append(flows, f)
	}
	l.mu.Unlock()
	l.s.anyUDP.CompareAndSwap(l, nil)
	close(l.done)
	l.dl.Stop()
	for _, f := range flows {
		f.Close()
	}
	return nil
}

// Addr is [::]:0: the listener has every address and port.
func (l *AnyUDPListener) Addr() net.Addr { return &net.UDPAddr{IP: net.IPv6unspecified} }

// Stats returns the listener's counters.
func (l *AnyUDPListener) Stats() AnyUDPStats {
	return AnyUDPStats{Flows: l.nflows.Load(), Refused: l.refused.Load(), Overflows: l.overflows.Load(), Expired: l.expired.Load()}
}

func (l *AnyUDPListener) opError(err error) error {
	return &net.OpError{Op: "accept", Net: "udp", Addr: l.Addr(), Err: err}
}

// Close closes the flow: later datagrams of it open a new one.
func (f *UDPFlow) Close() error {
	f.l.mu.Lock()
	if f.l.flows[f.key] == f {
		delete(f.l.flows, f.key)
	}
	f.l.mu.Unlock()
	if f.idle != nil {
		f.idle.Stop()
	}
	return f.UDPConn.Close()
}

// Write sends b to the peer from the flow's destination, and keeps the
// flow from going idle.
func (f *UDPFlow) Write(b []byte) (int, error) {
	f.touch()
	return f.UDPConn.Write(b)
}

// touch notes traffic on the flow, for its idle timeout. The timer is
// not moved for every datagram: when it fires early, it looks at the
// time of the last one and waits again.
func (f *UDPFlow) touch() { f.last.Store(f.l.s.clock.Now().UnixNano()) }

// expire closes the flow if it has been idle for the listener's
// IdleTimeout, and otherwise waits for the rest of it.
func (f *UDPFlow) expire() {
	idle := time.Duration(f.l.s.clock.Now().UnixNano() - f.last.Load())
	if left := f.l.opt.IdleTimeout - idle; left > 0 {
		// f.idle was set under the lock, maybe after the timer started.
		f.l.mu.Lock()
		t := f.idle
		f.l.mu.Unlock()
		t.Reset(left)
		return
	}
	f.l.expired.Add(1)
	f.Close()
}

// Destination is the address and port the peer sent the flow's
// datagrams to, and the one the flow's replies go from.
func (f *UDPFlow) Destination() netip.AddrPort { return f.key.local }

// Peer is the flow's peer.
func (f *UDPFlow) Peer() netip.AddrPort { return f.key.remote }

// flow returns the flow of key, opening it when the listener may; nil
// when the datagram is to be dropped (counted here).
func (l *AnyUDPListener) flow(key flowKey) *UDPFlow {
	l.mu.Lock()
	f := l.flows[key]
	l.mu.Unlock()
	if f != nil {
		return f
	}
	if l.opt.Allow != nil && !l.opt.Allow(key.local, key.remote) {
		l.refused.Add(1)
		return nil
	}
	fam := famV6
	if key.local.Addr().Is4() {
		fam = famV4
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	if f = l.flows[key]; f != nil || l.closed {
		return f
	}
	if len(l.flows) >= l.opt.MaxFlows {
		l.overflows.Add(1)
		return nil
	}
	f = &UDPFlow{UDPConn: l.s.newUDPConn(key.local, key.remote, fam), l: l, key: key}
	f.touch()
	if l.opt.IdleTimeout > 0 {
		f.idle = l.s.clock.AfterFunc(l.opt.IdleTimeout, f.expire)
	}
	l.flows[key] = f
	// The queue has room for MaxFlows flows, and there are fewer open.
	l.queue <- f
	l.nflows.Add(1)
	return f
}

// anyUDPInput4 hands a UDP datagram to an address not the stack's to
// its flow, checked as udpInput checks one for a socket.
func (s *Stack) anyUDPInput4(h ipv4.Header) {
	l := s.anyUDP.Load()
	u, ok := s.checkUDP4(h, h.Payload())
	if !ok {
		return
	}
	key := flowKey{netip.AddrPortFrom(h.Dst().Netip(), u.DstPort()), netip.AddrPortFrom(h.Src().Netip(), u.SrcPort())}
	s.anyUDPDeliver(l, key, u.Payload(), &s.ctr.udp)
}

// anyUDPInput6 is anyUDPInput4 over IPv6, checked as udp6Input checks a
// datagram (a zero checksum is refused there).
func (s *Stack) anyUDPInput6(h ipv6.Header, b []byte) {
	l := s.anyUDP.Load()
	c := &s.ctr.udp6
	u, ok := s.checkUDP6(h, b)
	if !ok {
		return
	}
	key := flowKey{netip.AddrPortFrom(h.Dst().Netip(), u.DstPort()), netip.AddrPortFrom(h.Src().Netip(), u.SrcPort())}
	s.anyUDPDeliver(l, key, u.Payload(), c)
}

// anyUDPDeliver queues a datagram on its flow, counting it in c.
func (s *Stack) anyUDPDeliver(l *AnyUDPListener, key flowKey, payload []byte, c *udpCounters) {
	var f *UDPFlow
	if l != nil && key.local.Port() != 0 {
		f = l.flow(key)
	}
	if f == nil {
		c.noPorts.Add(1)
		return
	}
	f.touch()
	if !f.enqueue(key.remote, payload) {
		c.inErrors.Add(1)
		c.rcvbufErrors.Add(1)
		return
	}
	c.inDatagrams.Add(1)
}
