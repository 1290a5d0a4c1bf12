package tcp

import (
	"context"
	"errors"
	"io"
	"net"
	"net/netip"
	"os"
	"sync"
	"syscall"
	"time"

	"github.com/medina-net/medina/internal/deadline"
	"github.com/medina-net/medina/link"
)

// state is a connection state of RFC 9293 section 3.3.2. LISTEN belongs to
// Listener.
type state uint8

const (
	stateClosed state = iota
	stateSynSent
	stateSynRcvd
	stateEstablished
	stateFinWait1
	stateFinWait2
	stateCloseWait
	stateClosing
	stateLastAck
	stateTimeWait
)

var stateNames = [...]string{"CLOSED", "SYN-SENT", "SYN-RECEIVED", "ESTABLISHED", "FIN-WAIT-1",
	"FIN-WAIT-2", "CLOSE-WAIT", "CLOSING", "LAST-ACK", "TIME-WAIT"}

func (s state) String() string { return stateNames[s] }

// counted reports whether RFC 4022's tcpCurrEstab counts the state.
func (s state) counted() bool { return s == stateEstablished || s == stateCloseWait }

// synchronized reports whether the state is past the handshake.
func (s state) synchronized() bool { return s >= stateEstablished }

// Errors a connection fails with, inside a *net.OpError, as in package net.
var (
	errEngineClosed = errors.New("tcp: stack closed")
	errAddrInUse    = syscall.EADDRINUSE
	errTimeout      = os.ErrDeadlineExceeded
)

// Limits of the retransmission machinery.
const (
	maxSYNRetries  = 6  // like Linux's tcp_syn_retries: about two minutes
	maxDataRetries = 15 // like Linux's tcp_retries2
	// maxSACKBlocks is the most SACK blocks a segment carries next to
	// timestamps (RFC 2018: 3 fit in the 40 bytes of options).
	maxSACKBlocks = 3
)

// Conn is a TCP connection: a net.Conn with TCP's extras (CloseWrite,
// SetNoDelay, SetKeepAlive, buffer sizes). Its methods may be called from
// several goroutines at once.
type Conn struct {
	e  *Engine
	id fourTuple
	l  *Listener // the listener a passive connection is accepted through

	mu    sync.Mutex
	state state
	err   error // why the connection ended, reported by Read and Write

	// Send sequence space (RFC 9293 3.3.1).
	iss       seq
	sndUna    seq // oldest unacknowledged
	sndNxt    seq // next to send
	sndMax    seq // highest sent, sndNxt before a retransmission rewound it
	sndWnd    int // the peer's window, scaled
	maxSndWnd int
	sndWl1    seq
	sndWl2    seq
	sndShift  uint8 // the peer's window scale
	mss       int   // payload bytes of a full segment, options aside
	peerMSS   int
	finSeq    seq  // sequence number of our FIN once queued
	finQueued bool // Close or CloseWrite: a FIN follows the data

	// Receive sequence space.
	irs      seq
	rcvNxt   seq
	rcvShift uint8 // our window scale
	rcvAdv   seq   // right edge of the window last advertised
	finRcvd  bool  // the peer's FIN has been received in order

	// Options in use (negotiated in the handshake).
	tsOK, sackOK, wsOK bool
	tsRecent           uint32
	tsRecentAt         time.Time
	tsOffset           uint32

	// Buffers: snd holds the data from sndUna on; rcv holds the data
	// readable in order, then out-of-order data at its offset.
	snd        ring
	sndBufMax  int
	rcv        ring
	rcvBufSize int
	ooo        oooQueue

	// Retransmission and congestion.
	srtt, rttvar, rto time.Duration
	rttMeasured       bool
	rtTiming          bool // a segment is being timed (no timestamps)
	rtSeq             seq
	rtTime            time.Time
	retries           int // consecutive retransmission timeouts
	dupAcks           int
	inRecovery        bool
	recoverSeq        seq
	cc                congestionControl
	sb                scoreboard

	// Acknowledgements owed to the peer.
	ackNow     bool // send an ACK at the next output
	ackPending int  // in-order data segments not yet acknowledged

	// Receive buffer auto-tuning: bytes the application read during the
	// current measurement round trip.
	tuneCopied int
	tuneStart  time.Time

	// Timers: one clock timer, armed at the earliest of these deadlines.
	timer      link.Timer
	timerAt    time.Time
	rtoAt      time.Time // retransmission or persist timeout
	persist    bool      // rtoAt is the zero-window persist timer
	delackAt   time.Time
	keepAt     time.Time
	timeWaitAt time.Time
	kaProbes   int

	// Options the application sets.
	nodelay         bool
	keepAlive       bool
	kaIdle, kaIntvl time.Duration
	kaCount         int

	// Waking the application.
	readable chan struct{} // data, EOF or an error to read
	writable chan struct{} // room in the send buffer, or an error
	ready    chan struct{} // closed when the handshake ends, one way or the other
	rd, wd   *deadline.Deadline
	closed   bool // Close was called
}

// newConn returns a connection in the CLOSED state.
func (e *Engine) newConn(id fourTuple) *Conn {
	c := &Conn{
		e:          e,
		id:         id,
		sndBufMax:  e.cfg.SendBuffer,
		rcvBufSize: e.cfg.ReceiveBuffer,
		cc:         e.newCC(),
		nodelay:    true, // like package net's TCP connections
		kaIdle:     e.cfg.KeepAliveIdle,
		kaIntvl:    e.cfg.KeepAliveInterval,
		kaCount:    e.cfg.KeepAliveCount,
		readable:   make(chan struct{}, 1),
		writable:   make(chan struct{}, 1),
		ready:      make(chan struct{}),
		rto:        e.cfg.InitialRTO,
		tsOffset:   e.random(),
	}
	c.ooo.recent = -1
	// Our window scale covers the largest receive buffer auto-tuning may
	// reach (RFC 7323 2.3).
	for c.rcvShift < 14 && e.cfg.MaxReceiveBuffer>>c.rcvShift > 0xffff {
		c.rcvShift++
	}
	return c
}

// Dial opens a connection from local (its port 0 for an ephemeral one) to
// remote, and waits for the handshake to finish or fail, or for ctx.
func (e *Engine) Dial(ctx context.Context, local, remote netip.AddrPort) (*Conn, error) {
	opErr := func(err error) error {
		return &net.OpError{Op: "dial", Net: "tcp", Source: net.TCPAddrFromAddrPort(local), Addr: net.TCPAddrFromAddrPort(remote), Err: err}
	}
	if !remote.Addr().Is4() || remote.Port() == 0 {
		return nil, opErr(errors.New("missing or invalid remote address"))
	}
	e.mu.Lock()
	port := local.Port()
	if port == 0 {
		p, ok := e.ephemeralPort(local, remote)
		if !ok {
			e.mu.Unlock()
			return nil, opErr(syscall.EADDRNOTAVAIL)
		}
		port = p
	}
	e.mu.Unlock()
	id := fourTuple{localAddr: local.Addr().As4(), remoteAddr: remote.Addr().As4(), localPort: port, remotePort: remote.Port()}
	c := e.newConn(id)
	c.mu.Lock()
	if err := e.register(c); err != nil {
		c.mu.Unlock()
		return nil, opErr(err)
	}
	now := e.clock.Now()
	c.iss = e.isn(id, now)
	c.sndUna, c.sndNxt, c.sndMax = c.iss, c.iss, c.iss
	c.setMSS(536)
	c.state = stateSynSent
	e.stats.activeOpens.Add(1)
	c.output(now)
	c.mu.Unlock()

	select {
	case <-c.ready:
	case <-ctx.Done():
		c.abort(ctx.Err())
		<-c.ready
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.state != stateEstablished && c.state != stateCloseWait {
		err := c.err
		if err == nil {
			err = syscall.ECONNREFUSED
		}
		if errors.Is(err, context.DeadlineExceeded) {
			err = errTimeout
		}
		return nil, opErr(err)
	}
	return c, nil
}

// setMSS sets the sending segment size from the peer's MSS option (or RFC
// 9293's default of 536), clamped to what our route carries, less the
// options every segment carries.
func (c *Conn) setMSS(peer int) {
	c.peerMSS = peer
	mss := min(peer, c.e.net.MTU(c.id.remoteAddr)-40)
	if c.tsOK {
		mss -= 12 // timestamps, padded
	}
	c.mss = max(mss, 64)
}

// advertisedMSS is the MSS option we send: our route's MTU less the IPv4
// and TCP headers (RFC 9293 3.7.1).
func (c *Conn) advertisedMSS() int { return c.e.net.MTU(c.id.remoteAddr) - 40 }

// Read reads data into b. It returns io.EOF after the peer's FIN, and
// waits for data until the read deadline, Close, or the connection's end.
func (c *Conn) Read(b []byte) (int, error) {
	for {
		c.mu.Lock()
		if c.closed {
			c.mu.Unlock()
			return 0, c.opError("read", net.ErrClosed)
		}
		if n := c.rcv.len(); n > 0 && len(b) > 0 {
			n = c.rcv.copyOut(b, 0, min(n, len(b)))
			c.rcv.discard(n)
			c.consumed(n)
			c.mu.Unlock()
			return n, nil
		}
		if len(b) == 0 && c.state.synchronized() {
			c.mu.Unlock()
			return 0, nil
		}
		if c.finRcvd {
			c.mu.Unlock()
			return 0, io.EOF
		}
		if c.err != nil {
			err := c.err
			c.mu.Unlock()
			return 0, c.opError("read", err)
		}
		rd := c.readDeadline()
		c.mu.Unlock()
		if err := c.wait(c.readable, rd); err != nil {
			return 0, c.opError("read", err)
		}
	}
}

// consumed updates the window after the application read n bytes: it
// announces a window that opened enough to be worth a segment (RFC 9293
// 3.8.6.2.2's receiver side of silly window avoidance), and feeds receive
// buffer auto-tuning. The caller holds c.mu.
func (c *Conn) consumed(n int) {
	now := c.e.clock.Now()
	c.autotune(n, now)
	if c.rcv.len() == 0 && len(c.ooo.ranges) == 0 && c.state.synchronized() && c.rcvBufSize <= c.e.cfg.ReceiveBuffer {
		c.rcv.release()
	}
	if !c.state.synchronized() || c.finRcvd {
		return
	}
	// The window we could advertise now, against what the peer knows.
	edge := c.rcvNxt.add(c.rcvWindow())
	if grown := edge.diff(c.rcvAdv); grown >= min(c.rcvBufSize/2, 2*c.mss) {
		c.ackNow = true
		c.output(now)
	}
}

// autotune grows the receive buffer when the application reads, in one
// round trip, more than half of it: the window, not the application, is
// what limits the connection then (dynamic right-sizing, as Linux does).
func (c *Conn) autotune(n int, now time.Time) {
	c.tuneCopied += n
	rtt := max(c.srtt, time.Millisecond)
	if c.tuneStart.IsZero() {
		c.tuneStart = now
		return
	}
	if now.Sub(c.tuneStart) < rtt {
		return
	}
	if 2*c.tuneCopied > c.rcvBufSize && c.rcvBufSize < c.e.cfg.MaxReceiveBuffer {
		c.rcvBufSize = min(2*c.rcvBufSize, c.e.cfg.MaxReceiveBuffer)
	}
	c.tuneCopied, c.tuneStart = 0, now
}

// Write writes b to the connection, waiting for room in the send buffer
// until the write deadline, Close, or the connection's end.
func (c *Conn) Write(b []byte) (int, error) {
	written := 0
	for {
		c.mu.Lock()
		switch {
		case c.closed:
			c.mu.Unlock()
			return written, c.opError("write", net.ErrClosed)
		case c.err != nil:
			err := c.err
			c.mu.Unlock()
			return written, c.opError("write", err)
		case c.finQueued:
			c.mu.Unlock()
			return written, c.opError("write", syscall.EPIPE)
		}
		if written == len(b) {
			c.mu.Unlock()
			return written, nil
		}
		// Grow the buffer towards its limit as data comes.
		if free := c.snd.cap() - c.snd.len(); free < len(b)-written && c.snd.cap() < c.sndBufMax {
			c.snd.reserve(min(c.sndBufMax, max(2*c.snd.cap(), c.snd.len()+len(b)-written, 64<<10)))
		}
		n := c.snd.write(b[written:])
		written += n
		if n > 0 {
			c.output(c.e.clock.Now())
		}
		if written == len(b) {
			c.mu.Unlock()
			return written, nil
		}
		wd := c.writeDeadline()
		c.mu.Unlock()
		if err := c.wait(c.writable, wd); err != nil {
			return written, c.opError("write", err)
		}
	}
}

// wait blocks until ch is signalled, the deadline passes, or the
// connection is closed by the application.
func (c *Conn) wait(ch chan struct{}, dl <-chan struct{}) error {
	select {
	case <-dl:
		return errTimeout
	default:
	}
	select {
	case <-ch:
		return nil
	case <-dl:
		return errTimeout
	}
}

// signal wakes a goroutine waiting on ch.
func signal(ch chan struct{}) {
	select {
	case ch <- struct{}{}:
	default:
	}
}

// wakeAll wakes readers and writers, after a change they must look at.
func (c *Conn) wakeAll() {
	signal(c.readable)
	signal(c.writable)
}

// Close closes the connection: like close(2) without linger, it returns at
// once and the connection sends what is buffered and then its FIN in the
// background. If data the application never read is left in the receive
// buffer, it resets the connection instead (RFC 9293 3.10.4's ABORT, as
// Linux does), so the peer learns that it was lost.
func (c *Conn) Close() error {
	c.mu.Lock()
	if c.closed {
		c.mu.Unlock()
		return c.opError("close", net.ErrClosed)
	}
	c.closed = true
	unread := c.rcv.len() > 0
	if c.rd != nil {
		c.rd.Stop()
	}
	if c.wd != nil {
		c.wd.Stop()
	}
	now := c.e.clock.Now()
	switch {
	case c.state == stateClosed || c.state == stateTimeWait:
	case c.state == stateSynSent:
		c.terminate(net.ErrClosed)
	case unread:
		c.sendRST(now)
		c.terminate(net.ErrClosed)
	default:
		c.shutdownWrite(now)
	}
	c.wakeAll()
	c.mu.Unlock()
	return nil
}

// CloseWrite sends a FIN after the buffered data: the peer reads EOF,
// while this side can still read.
func (c *Conn) CloseWrite() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.closed {
		return c.opError("close", net.ErrClosed)
	}
	if c.err != nil {
		return c.opError("close", c.err)
	}
	c.shutdownWrite(c.e.clock.Now())
	signal(c.writable)
	return nil
}

// shutdownWrite queues our FIN. The caller holds c.mu.
func (c *Conn) shutdownWrite(now time.Time) {
	if c.finQueued {
		return
	}
	switch c.state {
	case stateSynRcvd, stateEstablished:
		c.setState(stateFinWait1)
	case stateCloseWait:
		c.setState(stateLastAck)
	default:
		return
	}
	c.finQueued = true
	c.finSeq = c.sndUna.add(c.snd.len())
	c.output(now)
}

// abort resets the connection from the application's side (a cancelled
// dial, the stack closing).
func (c *Conn) abort(err error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.state == stateClosed {
		return
	}
	if c.state != stateSynSent && c.state != stateTimeWait {
		c.sendRST(c.e.clock.Now())
	}
	c.terminate(err)
}

// terminate moves the connection to CLOSED, recording err for the
// application, and removes it from the engine. The caller holds c.mu.
func (c *Conn) terminate(err error) {
	if c.state == stateClosed {
		return
	}
	switch c.state {
	case stateSynSent, stateSynRcvd:
		c.e.stats.attemptFails.Add(1)
	case stateEstablished, stateCloseWait:
		if errors.Is(err, syscall.ECONNRESET) {
			c.e.stats.estabResets.Add(1)
		}
	}
	if c.l != nil && c.state == stateSynRcvd {
		c.l.halfOpenDone()
	}
	c.setState(stateClosed)
	if c.err == nil && err != nil {
		c.err = err
	}
	if c.timer != nil {
		c.timer.Stop()
	}
	c.timerAt = time.Time{}
	c.snd = ring{}
	c.ooo = oooQueue{recent: -1}
	if c.closed {
		c.rcv = ring{}
	}
	c.e.unregister(c)
	c.handshakeDone()
	c.wakeAll()
}

// setState changes the state, keeping tcpCurrEstab. The caller holds c.mu.
func (c *Conn) setState(to state) {
	switch {
	case c.state.counted() && !to.counted():
		c.e.stats.currEstab.Add(-1)
	case !c.state.counted() && to.counted():
		c.e.stats.currEstab.Add(1)
	}
	c.state = to
}

// handshakeDone releases a Dial waiting for the handshake.
func (c *Conn) handshakeDone() {
	select {
	case <-c.ready:
	default:
		close(c.ready)
	}
}

// LocalAddr returns the local address, a *net.TCPAddr.
func (c *Conn) LocalAddr() net.Addr {
	return &net.TCPAddr{IP: net.IP(c.id.localAddr[:]), Port: int(c.id.localPort)}
}

// RemoteAddr returns the peer's address, a *net.TCPAddr.
func (c *Conn) RemoteAddr() net.Addr {
	return &net.TCPAddr{IP: net.IP(c.id.remoteAddr[:]), Port: int(c.id.remotePort)}
}

// SetDeadline sets the read and write deadlines.
func (c *Conn) SetDeadline(t time.Time) error {
	c.SetReadDeadline(t)
	return c.SetWriteDeadline(t)
}

// SetReadDeadline sets the deadline for reads, waiting ones included.
func (c *Conn) SetReadDeadline(t time.Time) error {
	c.mu.Lock()
	if c.rd == nil {
		c.rd = deadline.New(c.e.clock)
	}
	d := c.rd
	c.mu.Unlock()
	d.Set(t)
	return nil
}

// SetWriteDeadline sets the deadline for writes, waiting ones included.
func (c *Conn) SetWriteDeadline(t time.Time) error {
	c.mu.Lock()
	if c.wd == nil {
		c.wd = deadline.New(c.e.clock)
	}
	d := c.wd
	c.mu.Unlock()
	d.Set(t)
	return nil
}

// readDeadline returns the read deadline's channel (nil, which never
// fires, when none was ever set). The caller holds c.mu.
func (c *Conn) readDeadline() <-chan struct{} {
	if c.rd == nil {
		return nil
	}
	return c.rd.Wait()
}

func (c *Conn) writeDeadline() <-chan struct{} {
	if c.wd == nil {
		return nil
	}
	return c.wd.Wait()
}

// SetNoDelay turns Nagle's algorithm (RFC 896) off (true, the default, as
// in package net) or on.
func (c *Conn) SetNoDelay(noDelay bool) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.nodelay = noDelay
	if noDelay {
		c.output(c.e.clock.Now())
	}
	return nil
}

// SetKeepAlive turns keep-alive probes on or off (RFC 9293 3.8.4).
func (c *Conn) SetKeepAlive(keepAlive bool) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.keepAlive = keepAlive
	c.kaProbes = 0
	c.armKeepAlive(c.e.clock.Now())
	return nil
}

// SetKeepAlivePeriod sets the idle time before the first probe and the
// interval between probes.
func (c *Conn) SetKeepAlivePeriod(d time.Duration) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if d > 0 {
		c.kaIdle, c.kaIntvl = d, d
	}
	c.armKeepAlive(c.e.clock.Now())
	return nil
}

// SetReadBuffer sets the receive buffer size, the window the connection
// offers; auto-tuning may grow it further.
func (c *Conn) SetReadBuffer(bytes int) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.rcvBufSize = max(bytes, c.mss)
	return nil
}

// SetWriteBuffer sets the most the send buffer holds.
func (c *Conn) SetWriteBuffer(bytes int) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.sndBufMax = max(bytes, c.mss)
	return nil
}

// State returns the connection's RFC 9293 state name, for diagnostics.
func (c *Conn) State() string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.state.String()
}

func (c *Conn) opError(op string, err error) error {
	return &net.OpError{Op: op, Net: "tcp", Source: c.LocalAddr(), Addr: c.RemoteAddr(), Err: err}
}
