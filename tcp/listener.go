package tcp

import (
	"errors"
	"net"
	"net/netip"
	"slices"
	"sync"
	"syscall"
	"time"

	"github.com/medina-net/medina/internal/deadline"
)

// Listener accepts TCP connections on a local port. It is a net.Listener.
type Listener struct {
	e      *Engine
	addr   netip.AddrPort // its address may be unspecified
	v6Only bool           // on ::, IPv6 connections only
	any    *anyState      // the any-address listener's (anyaddr.go), or nil

	mu       sync.Mutex
	halfOpen int // connections in SYN-RECEIVED
	closed   bool
	queue    chan *Conn // established connections waiting for Accept
	done     chan struct{}
	dl       *deadline.Deadline // Accept's
}

// Listen opens a listener on local, with the default ListenOptions. Its
// address may be unspecified to accept connections to any local address:
// 0.0.0.0 takes those over IPv4, :: those of both families, as a Linux
// socket on :: without IPV6_V6ONLY does (the IPv4 connections' addresses
// are IPv4's, not IPv4-mapped ones). A specific address, which must be
// the network's, takes the connections to it alone. Port 0 picks an ephemeral port that
// no listener or connection uses, as package net does for ":0"; Addr
// reports it.
//
// Listeners on one port coexist when no connection could be for two of
// them: on two specific addresses, on 0.0.0.0 and :: with V6Only, or on
// a specific address of the family an unspecified one does not take.
// Otherwise the later fails with EADDRINUSE, as Linux's bind does with
// SO_REUSEADDR; a port that only connections use (an outgoing
// connection, one in TIME-WAIT) can be listened on, as with the
// SO_REUSEADDR package net sets on its listeners. A local address not the
// network's fails with EADDRNOTAVAIL.
func (e *Engine) Listen(local netip.AddrPort) (*Listener, error) {
	return e.ListenWith(local, ListenOptions{})
}

// ListenOptions are a listener's socket options.
type ListenOptions struct {
	// V6Only keeps a listener on :: to IPv6 connections, as
	// IPV6_V6ONLY does (package net sets it for "tcp6"); it means
	// nothing on another address.
	V6Only bool
}

// ListenWith is Listen with options. An IPv4-mapped address is taken as
// the IPv4 address it maps, and a zone is ignored.
func (e *Engine) ListenWith(local netip.AddrPort, opt ListenOptions) (*Listener, error) {
	opErr := func(err error) error {
		return &net.OpError{Op: "listen", Net: "tcp", Addr: net.TCPAddrFromAddrPort(local), Err: err}
	}
	a := local.Addr().Unmap().WithZone("")
	if !a.IsValid() {
		return nil, opErr(errors.New("missing address"))
	}
	if !a.IsUnspecified() && !e.net.IsLocal(a) {
		return nil, opErr(syscall.EADDRNOTAVAIL)
	}
	l := &Listener{e: e, v6Only: opt.V6Only && a == netip.IPv6Unspecified()}
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.closed {
		return nil, opErr(errEngineClosed)
	}
	port := local.Port()
	if port == 0 {
		p, ok := e.listenPort()
		if !ok {
			return nil, opErr(syscall.EADDRINUSE)
		}
		port = p
	}
	l.addr = netip.AddrPortFrom(a, port)
	for _, o := range e.listeners[port] {
		if l.overlaps(o) {
			return nil, opErr(syscall.EADDRINUSE)
		}
	}
	l.queue = make(chan *Conn, e.cfg.AcceptBacklog)
	l.done = make(chan struct{})
	l.dl = deadline.New(e.clock)
	e.listeners[port] = append(e.listeners[port], l)
	return l, nil
}

// takes reports whether the listener takes connections to the local
// address a.
func (l *Listener) takes(a netip.Addr) bool {
	la := l.addr.Addr()
	switch {
	case la == a:
		return true
	case !la.IsUnspecified():
		return false
	}
	return la.Is4() == a.Is4() || (a.Is4() && !l.v6Only)
}

// overlaps reports whether a connection could be for both l and o, two
// listeners on one port.
func (l *Listener) overlaps(o *Listener) bool {
	la, oa := l.addr.Addr(), o.addr.Addr()
	switch {
	case !la.IsUnspecified():
		return o.takes(la)
	case !oa.IsUnspecified():
		return l.takes(oa)
	}
	// Both unspecified: they share a family, or one is :: taking IPv4.
	return la == oa || (la.Is6() && !l.v6Only) || (oa.Is6() && !o.v6Only)
}

// listenerFor returns the listener that takes connections to local:port,
// or nil: there is at most one, since listeners that overlap cannot
// share a port. The caller holds e.mu.
func (e *Engine) listenerFor(local netip.Addr, port uint16) *Listener {
	for _, l := range e.listeners[port] {
		if l.takes(local) {
			return l
		}
	}
	return nil
}

// Accept waits for the next connection and returns it (a *Conn).
func (l *Listener) Accept() (net.Conn, error) {
	c, err := l.AcceptTCP()
	if err != nil {
		return nil, err
	}
	return c, nil
}

// AcceptTCP is Accept returning the *Conn. After Close it fails with an
// error that wraps net.ErrClosed, and past the deadline SetDeadline set
// with a timeout, as package net's does.
func (l *Listener) AcceptTCP() (*Conn, error) {
	opErr := func(err error) error {
		return &net.OpError{Op: "accept", Net: "tcp", Addr: l.Addr(), Err: err}
	}
	for {
		expired := l.dl.Wait()
		select {
		case <-l.done:
			return nil, opErr(net.ErrClosed)
		case <-expired:
			return nil, opErr(errTimeout)
		default:
		}
		select {
		case c := <-l.queue:
			return c, nil
		case <-l.done:
			return nil, opErr(net.ErrClosed)
		case <-expired:
			// The deadline passed, or moved (its channel is replaced
			// then): look again.
		}
	}
}

// SetDeadline sets the deadline for Accept calls, waiting ones included,
// as net.TCPListener's does: past it they fail with a timeout (a net.Error
// whose Timeout() is true); the zero time means none.
func (l *Listener) SetDeadline(t time.Time) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.closed {
		return &net.OpError{Op: "set", Net: "tcp", Addr: l.Addr(), Err: net.ErrClosed}
	}
	l.dl.Set(t)
	return nil
}

// Close stops listening, and frees the port: connections waiting for
// Accept are reset, as are those still in their handshake when it
// completes, and blocked Accept calls return an error that wraps
// net.ErrClosed, as later ones do. Connections already accepted carry on.
func (l *Listener) Close() error {
	l.mu.Lock()
	if l.closed {
		l.mu.Unlock()
		return &net.OpError{Op: "close", Net: "tcp", Addr: l.Addr(), Err: net.ErrClosed}
	}
	l.closed = true
	close(l.done)
	l.dl.Stop()
	l.mu.Unlock()
	l.e.closeAny(l)
	l.e.mu.Lock()
	p := l.addr.Port()
	if ls := slices.DeleteFunc(l.e.listeners[p], func(o *Listener) bool { return o == l }); len(ls) == 0 {
		delete(l.e.listeners, p)
	} else {
		l.e.listeners[p] = ls
	}
	l.e.mu.Unlock()
	for {
		select {
		case c := <-l.queue:
			c.abort(net.ErrClosed)
		default:
			return nil
		}
	}
}

// listenPort picks an ephemeral port for a listener on port 0: one that
// no listener and no connection uses. The caller holds e.mu.
func (e *Engine) listenPort() (uint16, bool) {
	n := ephemeralLast - ephemeralFirst + 1
	start := int(e.random() % uint32(n))
	for i := 0; i < n; i++ {
		p := uint16(ephemeralFirst + (start+i)%n)
		_, l := e.listeners[p]
		if !l && e.ports[p] == 0 {
			return p, true
		}
	}
	return 0, false
}

// Addr returns the listening address, a *net.TCPAddr.
func (l *Listener) Addr() net.Addr { return net.TCPAddrFromAddrPort(l.addr) }

// input handles a segment for the listening port that belongs to no
// connection (RFC 9293 3.10.7.2): a SYN starts a passive open, an ACK may
// complete one through a SYN cookie. isn is the initial sequence number
// of a connection that a SYN reopens from TIME-WAIT, or 0 for one of
// RFC 6528's.
func (l *Listener) input(id fourTuple, h Header, isn Seq, now time.Time) {
	e := l.e
	flags := h.Flags()
	switch {
	case flags&FlagRST != 0:
		return
	case flags&FlagACK != 0 && flags&FlagSYN == 0:
		if !l.cookieACK(id, h, now) {
			e.noConnection(id, h)
		}
		return
	case flags&FlagACK != 0:
		e.noConnection(id, h) // a SYN-ACK: RFC 9293 3.10.7.2's second check
		return
	case flags&FlagSYN == 0 || flags&FlagFIN != 0:
		// Neither SYN, ACK nor RST (a NULL or FIN scan) is dropped
		// (RFC 9293 3.10.7.2, fourth check: "drop the segment and
		// return"); so is a SYN with FIN, which no stack sends, as
		// Linux drops it: an answer would tell a scanner what listens.
		e.stats.listenIgnored.Add(1)
		return
	}
	l.mu.Lock()
	if l.closed {
		l.mu.Unlock()
		e.noConnection(id, h)
		return
	}
	if len(l.queue) >= cap(l.queue) {
		// Nowhere to put the connection when it completes.
		l.mu.Unlock()
		e.stats.listenOverflows.Add(1)
		e.stats.listenDrops.Add(1)
		return
	}
	if l.halfOpen >= l.synBacklog() {
		l.mu.Unlock()
		l.sendCookie(id, h, now)
		return
	}
	l.halfOpen++
	l.mu.Unlock()

	c := e.newConn(id)
	c.l = l
	c.mu.Lock()
	defer c.mu.Unlock()
	s := segment{h: h, seq: Seq(h.Seq()), flags: flags, wnd: int(h.Window()), opt: parseOptions(h)}
	c.info.segsIn = 1 // the SYN
	c.irs = s.seq
	c.rcvNxt = s.seq.Add(1)
	c.rcvAdv = c.rcvNxt
	c.negotiate(&s)
	c.sndWnd = s.wnd
	c.maxSndWnd = c.sndWnd
	if c.iss = isn; isn == 0 {
		c.iss = e.isn(id, now)
	}
	c.sndUna, c.sndNxt, c.sndMax = c.iss, c.iss, c.iss
	c.sndWl1 = s.seq
	c.state = stateSynRcvd
	if err := e.register(c); err != nil {
		l.halfOpenDone()
		c.state = stateClosed
		return
	}
	e.stats.passiveOpens.Add(1)
	c.output(now)
}

// hasRoom reports whether the accept queue can take one more connection.
func (l *Listener) hasRoom() bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	return !l.closed && len(l.queue) < cap(l.queue)
}

// isClosed reports whether Close was called.
func (l *Listener) isClosed() bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.closed
}

// halfOpenDone counts a connection leaving SYN-RECEIVED.
func (l *Listener) halfOpenDone() {
	l.mu.Lock()
	l.halfOpen--
	l.mu.Unlock()
}

// established queues a connection that completed its handshake, for
// Accept. The connection's lock is held. A connection the queue cannot
// take (the listener closed, or a cookie connection took the last place
// since hasRoom was checked) is reset: nobody would ever accept it.
func (l *Listener) established(c *Conn) {
	if c.state == stateEstablished || c.state == stateCloseWait {
		l.halfOpenDone()
	}
	l.mu.Lock()
	queued := false
	if !l.closed {
		select {
		case l.queue <- c:
			queued = true
		default:
			l.e.stats.listenOverflows.Add(1)
		}
	}
	l.mu.Unlock()
	if !queued {
		c.sendRST(c.e.clock.Now())
		c.terminate(syscall.ECONNRESET)
	}
}

// cookieEstablished creates the connection a valid SYN cookie vouches
// for, straight into ESTABLISHED.
func (l *Listener) cookieEstablished(id fourTuple, h Header, iss Seq, mss int, ws int, sackOK bool, tsOK bool, now time.Time) {
	e := l.e
	c := e.newConn(id)
	c.l = l
	c.mu.Lock()
	defer c.mu.Unlock()
	s := segment{h: h, seq: Seq(h.Seq()), ack: Seq(h.Ack()), flags: h.Flags(), wnd: int(h.Window()), payload: h.Payload(), opt: parseOptions(h)}
	c.info.segsIn = 1 // the ACK with the cookie
	c.irs = s.seq.Add(-1)
	c.rcvNxt = s.seq
	c.lastAckSent = c.rcvNxt // what the cookie's SYN-ACK acknowledged
	c.rcvAdv = c.rcvNxt.Add(c.rcvWindow())
	c.iss = iss
	c.sndUna, c.sndNxt, c.sndMax = s.ack, s.ack, s.ack
	c.wsOK = ws >= 0
	if c.wsOK {
		c.sndShift = uint8(ws)
	} else {
		c.rcvShift = 0
	}
	c.sackOK = sackOK
	c.tsOK = tsOK && s.opt.ts
	if c.tsOK {
		c.tsRecent, c.tsRecentAt = s.opt.tsVal, now
		c.tsOffset = e.cookieTSOffset(id) // the clock the SYN-ACK's TS val came from
	}
	c.setMSS(mss)
	c.sndWnd = s.wnd << c.sndShift
	c.maxSndWnd = c.sndWnd
	c.sndWl1, c.sndWl2 = s.seq, s.ack
	c.state = stateSynRcvd
	if err := e.register(c); err != nil {
		c.state = stateClosed
		return
	}
	l.mu.Lock()
	l.halfOpen++ // established() counts it out again
	l.mu.Unlock()
	e.stats.passiveOpens.Add(1)
	e.stats.synCookiesOK.Add(1)
	c.establish(now)
	if c.state == stateClosed {
		return // the listener closed, or its queue filled, meanwhile
	}
	if len(s.payload) > 0 || s.flags&FlagFIN != 0 {
		c.inputSynchronizedData(&s, now)
	}
	c.output(now)
	c.armTimer(now)
}

// inputSynchronizedData takes the data and FIN of the segment that
// completed a cookie handshake.
func (c *Conn) inputSynchronizedData(s *segment, now time.Time) {
	if len(s.payload) > 0 {
		c.inputData(s, now)
	}
	if s.flags&FlagFIN != 0 {
		c.inputFIN(s, now)
	}
}
