package tcp

import (
	"errors"
	"net"
	"net/netip"
	"sync"
	"syscall"
	"time"
)

// Listener accepts TCP connections on a local port. It is a net.Listener.
type Listener struct {
	e    *Engine
	addr netip.AddrPort // its address may be unspecified

	mu       sync.Mutex
	halfOpen int // connections in SYN-RECEIVED
	closed   bool
	queue    chan *Conn // established connections waiting for Accept
	done     chan struct{}
}

// Listen opens a listener on local; its address may be unspecified
// (0.0.0.0) to accept connections to any local address.
func (e *Engine) Listen(local netip.AddrPort) (*Listener, error) {
	opErr := func(err error) error {
		return &net.OpError{Op: "listen", Net: "tcp", Addr: net.TCPAddrFromAddrPort(local), Err: err}
	}
	if local.Port() == 0 {
		return nil, opErr(errors.New("listening on port 0 is not supported; choose a port"))
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.closed {
		return nil, opErr(errEngineClosed)
	}
	if _, used := e.listeners[local.Port()]; used {
		return nil, opErr(syscall.EADDRINUSE)
	}
	l := &Listener{
		e:     e,
		addr:  local,
		queue: make(chan *Conn, e.cfg.AcceptBacklog),
		done:  make(chan struct{}),
	}
	e.listeners[local.Port()] = l
	return l, nil
}

// Accept waits for the next connection and returns it (a *Conn).
func (l *Listener) Accept() (net.Conn, error) {
	c, err := l.AcceptTCP()
	if err != nil {
		return nil, err
	}
	return c, nil
}

// AcceptTCP is Accept returning the *Conn.
func (l *Listener) AcceptTCP() (*Conn, error) {
	select {
	case c := <-l.queue:
		return c, nil
	case <-l.done:
		return nil, &net.OpError{Op: "accept", Net: "tcp", Addr: l.Addr(), Err: net.ErrClosed}
	}
}

// Close stops listening; connections waiting for Accept are reset, and
// blocked Accept calls return net.ErrClosed. Connections already accepted
// carry on.
func (l *Listener) Close() error {
	l.mu.Lock()
	if l.closed {
		l.mu.Unlock()
		return &net.OpError{Op: "close", Net: "tcp", Addr: l.Addr(), Err: net.ErrClosed}
	}
	l.closed = true
	close(l.done)
	l.mu.Unlock()
	l.e.mu.Lock()
	if l.e.listeners[l.addr.Port()] == l {
		delete(l.e.listeners, l.addr.Port())
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

// Addr returns the listening address, a *net.TCPAddr.
func (l *Listener) Addr() net.Addr { return net.TCPAddrFromAddrPort(l.addr) }

// input handles a segment for the listening port that belongs to no
// connection (RFC 9293 3.10.7.2): a SYN starts a passive open, an ACK may
// complete one through a SYN cookie.
func (l *Listener) input(id fourTuple, h Header) {
	e := l.e
	flags := h.Flags()
	if la := l.addr.Addr(); !la.IsUnspecified() && la.As4() != id.localAddr {
		e.noConnection(id, h)
		return
	}
	switch {
	case flags&FlagRST != 0:
		return
	case flags&FlagACK != 0 && flags&FlagSYN == 0:
		if !l.cookieACK(id, h) {
			e.noConnection(id, h)
		}
		return
	case flags&FlagSYN == 0 || flags&FlagACK != 0:
		e.noConnection(id, h)
		return
	}
	now := e.clock.Now()
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
	if l.halfOpen >= e.cfg.SYNBacklog {
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
	s := segment{h: h, seq: seq(h.Seq()), flags: flags, wnd: int(h.Window()), opt: parseOptions(h)}
	c.irs = s.seq
	c.rcvNxt = s.seq.add(1)
	c.rcvAdv = c.rcvNxt
	c.negotiate(&s)
	c.sndWnd = s.wnd
	c.maxSndWnd = c.sndWnd
	c.iss = e.isn(id, now)
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

// halfOpenDone counts a connection leaving SYN-RECEIVED.
func (l *Listener) halfOpenDone() {
	l.mu.Lock()
	l.halfOpen--
	l.mu.Unlock()
}

// established queues a connection that completed its handshake, for
// Accept. The connection's lock is held.
func (l *Listener) established(c *Conn) {
	if c.state == stateEstablished || c.state == stateCloseWait {
		l.halfOpenDone()
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.closed {
		return
	}
	select {
	case l.queue <- c:
	default:
		// hasRoom was checked before the handshake completed, but a
		// cookie connection may have taken the place meanwhile.
		l.e.stats.listenOverflows.Add(1)
	}
}

// cookieEstablished creates the connection a valid SYN cookie vouches
// for, straight into ESTABLISHED.
func (l *Listener) cookieEstablished(id fourTuple, h Header, iss seq, mss int, ws int, sackOK bool, tsOK bool, now time.Time) {
	e := l.e
	c := e.newConn(id)
	c.l = l
	c.mu.Lock()
	defer c.mu.Unlock()
	s := segment{h: h, seq: seq(h.Seq()), ack: seq(h.Ack()), flags: h.Flags(), wnd: int(h.Window()), payload: h.Payload(), opt: parseOptions(h)}
	c.irs = s.seq.add(-1)
	c.rcvNxt = s.seq
	c.rcvAdv = c.rcvNxt.add(c.rcvWindow())
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
