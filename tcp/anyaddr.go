package tcp

import (
	"net"
	"net/netip"
	"sync/atomic"
	"syscall"

	"github.com/medina-net/medina/internal/deadline"
)

// Any-address mode: one listener takes the connections to every address
// and port that reaches the engine and that nothing else takes, as a
// transparent proxy (tun2socks, a VPN's userspace end) needs. A
// connection it accepts keeps the destination its peer chose as its
// local address: LocalAddr says where the peer meant to go, and the
// engine answers from that address, whatever the network's own are.

// AnyOptions configure the any-address listener (Engine.ListenAny).
type AnyOptions struct {
	// MaxHalfOpen bounds the connections in SYN-RECEIVED, over all
	// destinations together; past it the listener answers with SYN
	// cookies (RFC 4987), as a listener past Config.SYNBacklog does.
	// Zero means Config.SYNBacklog.
	MaxHalfOpen int
	// Allow, when not nil, decides whether a connection from remote to
	// local may be opened; a SYN it refuses is answered with a reset, as
	// for a closed port, so that the peer's connect fails at once
	// instead of after its retries. It is called for every segment that
	// belongs to no connection (a SYN, or the ACK that returns a SYN
	// cookie), from the goroutine that feeds the engine, with no lock
	// held; it must be quick, and should give one answer for one
	// destination.
	Allow func(local, remote netip.AddrPort) bool
}

// anyState is what an any-address listener has beyond a listener's.
type anyState struct {
	opt     AnyOptions
	refused atomic.Uint64
}

// AnyStats counts what an any-address listener did.
type AnyStats struct {
	// Refused counts the segments Allow refused (answered with a reset).
	Refused uint64
}

// ListenAny opens the engine's any-address listener: it takes each
// connection, of either family, to any address and port that is not the
// network's own and that the network hands the engine a segment for.
// Connections to the network's own addresses go to the listeners on
// them as before (a port nothing listens on there is refused), and a
// wildcard listener (0.0.0.0, ::) takes only those, not every address.
// Connections it accepts have the original destination as LocalAddr,
// and every segment of theirs goes from that address. There is one at a
// time: a second fails with EADDRINUSE until the first is closed. Its
// Addr is [::]:0.
func (e *Engine) ListenAny(opt AnyOptions) (*Listener, error) {
	opErr := func(err error) error {
		return &net.OpError{Op: "listen", Net: "tcp", Addr: &net.TCPAddr{IP: net.IPv6unspecified}, Err: err}
	}
	l := &Listener{e: e, addr: netip.AddrPortFrom(netip.IPv6Unspecified(), 0), any: &anyState{opt: opt}}
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.closed {
		return nil, opErr(errEngineClosed)
	}
	if e.anyL.Load() != nil {
		return nil, opErr(syscall.EADDRINUSE)
	}
	l.queue = make(chan *Conn, e.cfg.AcceptBacklog)
	l.done = make(chan struct{})
	l.dl = deadline.New(e.clock)
	e.anyL.Store(l)
	return l, nil
}

// HasAny reports whether the engine has an any-address listener: the
// network then hands it segments to addresses not its own.
func (e *Engine) HasAny() bool { return e.anyL.Load() != nil }

// AnyStats returns the counters of an any-address listener; the zero
// AnyStats for another.
func (l *Listener) AnyStats() AnyStats {
	if l.any == nil {
		return AnyStats{}
	}
	return AnyStats{Refused: l.any.refused.Load()}
}

// listenerOrAny returns the listener for a segment of id that belongs to
// no connection: for a local address not the network's, the
// any-address listener when there is one and its policy allows; for one
// of the network's, the listener on that address and port (a wildcard
// listener takes the network's addresses, not every address), or nil.
func (e *Engine) listenerOrAny(id *fourTuple) *Listener {
	if a := e.anyL.Load(); a != nil && !e.net.IsLocal(id.localAddr) {
		if allow := a.any.opt.Allow; allow != nil &&
			!allow(netip.AddrPortFrom(id.localAddr, id.localPort), netip.AddrPortFrom(id.remoteAddr, id.remotePort)) {
			a.any.refused.Add(1)
			return nil
		}
		return a
	}
	e.mu.RLock()
	l := e.listenerFor(id.localAddr, id.localPort)
	e.mu.RUnlock()
	return l
}

// synBacklog is the most half-open connections the listener keeps
// before it answers with SYN cookies.
func (l *Listener) synBacklog() int {
	if l.any != nil && l.any.opt.MaxHalfOpen > 0 {
		return l.any.opt.MaxHalfOpen
	}
	return l.e.cfg.SYNBacklog
}

// closeAny forgets the any-address listener l when it closes.
func (e *Engine) closeAny(l *Listener) {
	if l.any != nil {
		e.anyL.CompareAndSwap(l, nil)
	}
}

// LocalAddrPort returns the connection's local address and port: for a
// connection the any-address listener accepted, the destination its
// peer chose.
func (c *Conn) LocalAddrPort() netip.AddrPort {
	return netip.AddrPortFrom(c.id.localAddr, c.id.localPort)
}

// RemoteAddrPort returns the peer's address and port.
func (c *Conn) RemoteAddrPort() netip.AddrPort {
	return netip.AddrPortFrom(c.id.remoteAddr, c.id.remotePort)
}
