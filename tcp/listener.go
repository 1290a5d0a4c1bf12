package tcp

import (
	"errors"
	"net"
	"net/netip"
	"sync"
	"syscall"
	"time"

	"github.com/medina-net/medina/internal/deadline"
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
	dl       *deadline.Deadline // Accept's
}

// Listen opens a listener on local; its address may be unspecified
// (0.0.0.0) to accept connections to any local address. Port 0 picks an
// ephemeral port that no listener or connection uses, as package net
// does for ":0"; Addr reports it. A port another listener has fails with
// EADDRINUSE; one that only connections use (an outgoing connection, one
// in TIME-WAIT) can be listened on, as with the SO_REUSEADDR package net
// sets on its listeners.
func (e *Engine) Listen(local netip.AddrPort) (*Listener, error) {
	opErr := func(err error) error {
		return &net.OpError{Op: "listen", Net: "tcp", Addr: net.TCPAddrFromAddrPort(local), Err: err}
	}
	if !local.Addr().Is4() {
		return nil, opErr(errors.New("not an IPv4 address"))
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.closed {
		return nil, opErr(errEngineClosed)
	}
	if local.Port() == 0 {
		p, ok := e.listenPort()
		if !ok {
			return nil, opErr(syscall.EADDRINUSE)
		}
		local = netip.AddrPortFrom(local.Addr(), p)
	} else if _, used := e.listeners[local.Port()]; used {
		return nil, opErr(syscall.EADDRINUSE)
	}
	l := &Listener{
		e:     e,
		addr:  local,
		queue: make(chan *Conn, e.cfg.AcceptBacklog),
		done:  make(chan struct{}),
		dl:    deadline.New(e.clock),
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
	if la := l.addr.Addr(); !la.IsUnspecified() && la.As4() != id.localAddr {
		e.noConnection(id, h)
		return
	}
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
	s := segment{h: h, seq: Seq(h.Seq()), flags: flags, wnd: int(h.Window()), opt: parseOptions(h)}
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
