package tcp

import (
	"context"
	"errors"
	"fmt"
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
	// errEngineClosed ends the connections and listeners of a stack that
	// closes; it matches net.ErrClosed, as a socket's error does when its
	// file descriptor is closed under it.
	errEngineClosed = fmt.Errorf("tcp: stack closed: %w", net.ErrClosed)
	errAddrInUse    = syscall.EADDRINUSE
	// errTimeout is what Read and Write fail with past their deadline, as
	// in package net: its Timeout() is true.
	errTimeout = os.ErrDeadlineExceeded
)

// dialTimeoutError and dialCanceledError are what Dial fails with when its
// context ends, the way package net's dialer maps context errors: "i/o
// timeout" with Timeout() true that matches context.DeadlineExceeded, and
// "operation was canceled" that matches context.Canceled.
type (
	dialTimeoutError  struct{}
	dialCanceledError struct{}
)

func (dialTimeoutError) Error() string      { return "i/o timeout" }
func (dialTimeoutError) Timeout() bool      { return true }
func (dialTimeoutError) Temporary() bool    { return true }
func (dialTimeoutError) Is(err error) bool  { return err == context.DeadlineExceeded }
func (dialCanceledError) Error() string     { return "operation was canceled" }
func (dialCanceledError) Is(err error) bool { return err == context.Canceled }

// mapContextErr maps a context's error as package net does.
func mapContextErr(err error) error {
	switch err {
	case context.Canceled:
		return dialCanceledError{}
	case context.DeadlineExceeded:
		return dialTimeoutError{}
	}
	return err
}

// Limits of the retransmission machinery.
const (
	maxSYNRetries  = 6  // like Linux's tcp_syn_retries: about two minutes
	maxDataRetries = 15 // like Linux's tcp_retries2
	// maxSACKBlocks is the most SACK blocks a segment carries next to
	// timestamps (RFC 2018: 3 fit in the 40 bytes of options).
	maxSACKBlocks = 3
)

// Conn is a TCP connection: a net.Conn with the extras of package net's
// *net.TCPConn (CloseRead, CloseWrite, SetLinger, SetNoDelay, keep-alive,
// buffer sizes), which behave as they do there: deadlines, errors
// (*net.OpError wrapping net.ErrClosed, os.ErrDeadlineExceeded, ECONNRESET,
// EPIPE), io.EOF after the peer's FIN, Close unblocking every call. It
// passes golang.org/x/net/nettest's TestConn. Its methods may be called
// from several goroutines at once.
type Conn struct {
	e      *Engine
	id     fourTuple
	pseudo uint32    // the sum of the pseudo-header of the segments we send, less their length
	l      *Listener // the listener a passive connection is accepted through

	mu    sync.Mutex
	state state
	err   error // why the connection ended, reported by Read and Write
	// softErr is the latest soft error an ICMP message reported (RFC
	// 1122 4.2.3.9), which err takes instead of ETIMEDOUT if the
	// connection times out; an acceptable ACK clears it.
	softErr error

	// Send sequence space (RFC 9293 3.3.1).
	iss       Seq
	sndUna    Seq // oldest unacknowledged
	sndNxt    Seq // next to send
	sndMax    Seq // highest sent, sndNxt before a retransmission rewound it
	sndWnd    int // the peer's window, scaled
	maxSndWnd int
	sndWl1    Seq
	sndWl2    Seq
	sndShift  uint8 // the peer's window scale
	mss       int   // payload bytes of a full segment, options aside
	peerMSS   int
	// pmtu is the path MTU segments are sized for (RFC 1191): the
	// network's when the connection starts, lowered by Packet Too Big
	// errors; 0 until the connection learns it. While it is below the
	// route's MTU, pmtuCheckAt is when to ask the network again.
	pmtu        int
	pmtuCheckAt time.Time
	finSeq      Seq  // sequence number of our FIN once queued
	finQueued   bool // Close or CloseWrite: a FIN follows the data

	// Receive sequence space.
	irs        Seq
	rcvNxt     Seq
	rcvShift   uint8 // our window scale
	rcvAdv     Seq   // right edge of the window last advertised
	finRcvd    bool  // the peer's FIN has been received in order
	finPending bool  // a FIN arrived beyond a hole, at finAt
	finAt      Seq
	// lastAckSent is RFC 7323's Last.ACK.sent, the ACK field of the
	// last segment sent: RCV.NXT but while an ACK is delayed.
	lastAckSent Seq

	// Options in use (negotiated in the handshake).
	tsOK, sackOK, wsOK bool
	tsRecent           uint32
	tsRecentAt         time.Time
	tsOffset           uint32
	lastTSval          uint32 // the latest timestamp sent: they never go back
	tsSent             bool   // lastTSval is set

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
	rtTiming          bool // a segment is being timed
	handshakeRetx     bool // the SYN or SYN-ACK was sent more than once
	rtSeq             Seq
	rtTime            time.Time
	retries           int // consecutive retransmission timeouts
	dupAcks           int
	inRecovery        bool
	recoverSeq        Seq
	cc                congestionControl
	sb                scoreboard

	// info counts what Info reports (info.go).
	info connCounters

	// Acknowledgements owed to the peer.
	ackNow     bool // send an ACK at the next output
	ackPending int  // in-order data segments not yet acknowledged
	// ackDeferred: an ACK is owed for data taken during a receive batch
	// (Engine.BeginBatch) and goes out when the batch ends; inBatch: the
	// connection is on the engine's list of those.
	ackDeferred, inBatch bool
	lastChallenge        time.Time // when the last challenge ACK went (RFC 5961)

	// Receive buffer auto-tuning: bytes the application read during the
	// current measurement round trip.
	tuneCopied int
	tuneStart  time.Time

	// Timers: one clock timer, armed at the earliest of these deadlines.
	timer       link.Timer
	timerAt     time.Time
	rtoAt       time.Time // retransmission or persist timeout
	persist     bool      // rtoAt is the zero-window persist timer, or the override of silly window avoidance
	swsOverride bool      // the next segment may be short: the override timeout passed
	delackAt    time.Time
	keepAt      time.Time
	timeWaitAt  time.Time
	kaProbes    int

	// Options the application sets.
	nodelay         bool
	keepAlive       bool
	kaIdle, kaIntvl time.Duration
	kaCount         int

	// Waking the application.
	readable chan struct{}      // data, EOF or an error to read
	writable chan struct{}      // room in the send buffer, or an error
	ready    chan struct{}      // closed when the handshake ends, one way or the other
	rd, wd   *deadline.Deadline // made when first set or waited on
	closed   bool               // Close was called

	readShut     bool // CloseRead was called
	rcvBufLocked bool // SetReadBuffer fixed the receive buffer: no auto-tuning
	lingerAbort  bool // SetLinger(0): Close resets instead of closing gracefully
}

// newConn returns a connection in the CLOSED state.
func (e *Engine) newConn(id fourTuple) *Conn {
	c := &Conn{
		e:          e,
		id:         id,
		pseudo:     pseudoSum(id.localAddr, id.remoteAddr),
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
		// The timestamp clock's offset is a keyed hash of the four-tuple
		// (RFC 7323 5.4), not a fresh random number: successive
		// connections on one four-tuple then send increasing timestamps,
		// and a peer holding the last one in TIME-WAIT accepts the new
		// SYN instead of dropping it by PAWS (Linux answers it with an
		// ACK, and the SYN waits for its retransmission). Connections a
		// SYN cookie completes use the same offset.
		tsOffset: e.cookieTSOffset(id),
	}
	c.ooo.recent = -1
	c.rcv.pools, c.snd.pools = &e.bufs, &e.bufs
	c.rcv.growPinned = true
	acct := e.mem.newAccount(c)
	c.rcv.acct, c.snd.acct = acct, acct
	if e.mem.atLimit() {
		// A buffer gets no more than memMinBuffer now: offer no window
		// that storage could not hold. Auto-tuning grows it when the
		// budget allows again.
		c.rcvBufSize = min(c.rcvBufSize, memMinBuffer)
	}
	// Our window scale covers the largest receive buffer auto-tuning may
	// reach (RFC 7323 2.3).
	for c.rcvShift < 14 && e.cfg.MaxReceiveBuffer>>c.rcvShift > 0xffff {
		c.rcvShift++
	}
	return c
}

// Dial opens a connection from local (its port 0 for an ephemeral one) to
// remote, and waits for the handshake to finish or fail, or for ctx. An
// error is a *net.OpError as package net's: ECONNREFUSED for a reset,
// ETIMEDOUT when the SYN retries run out, and for the end of ctx an error
// that matches context.Canceled, or context.DeadlineExceeded with
// Timeout() true. A context already done sends nothing.
func (e *Engine) Dial(ctx context.Context, local, remote netip.AddrPort) (*Conn, error) {
	opErr := func(err error) error {
		var src net.Addr
		if local.Addr().IsValid() {
			src = net.TCPAddrFromAddrPort(local)
		}
		return &net.OpError{Op: "dial", Net: "tcp", Source: src, Addr: net.TCPAddrFromAddrPort(remote), Err: err}
	}
	ra, la := remote.Addr().Unmap().WithZone(""), local.Addr().Unmap().WithZone("")
	if !ra.IsValid() || remote.Port() == 0 || ra.IsUnspecified() {
		return nil, opErr(errors.New("missing or invalid remote address"))
	}
	switch {
	case !la.IsValid() || la.IsUnspecified():
		// The network picks the source address, of the remote's
		// family, as a socket bound to 0.0.0.0 or :: has it picked.
		var ok bool
		if la, ok = e.net.SourceAddr(ra); !ok {
			return nil, opErr(syscall.ENETUNREACH)
		}
	case la.Is4() != ra.Is4():
		return nil, opErr(errors.New("local and remote addresses of different families"))
	case !e.net.IsLocal(la):
		return nil, opErr(syscall.EADDRNOTAVAIL)
	}
	local, remote = netip.AddrPortFrom(la, local.Port()), netip.AddrPortFrom(ra, remote.Port())
	if err := ctx.Err(); err != nil {
		return nil, opErr(mapContextErr(err))
	}
	// The port is found free and taken under one hold of e.mu: a dial
	// running at once must not find it free too.
	e.mu.Lock()
	if local.Port() == 0 && !e.closed {
		p, ok := e.ephemeralPort(local, remote)
		if !ok {
			e.mu.Unlock()
			return nil, opErr(syscall.EADDRNOTAVAIL)
		}
		local = netip.AddrPortFrom(local.Addr(), p)
	}
	id := fourTuple{localAddr: la, remoteAddr: ra, localPort: local.Port(), remotePort: remote.Port()}
	c := e.newConn(id)
	c.mu.Lock() // c is nobody else's yet: no lock order to keep
	err := e.registerLocked(c)
	e.mu.Unlock()
	if err != nil {
		c.mu.Unlock()
		return nil, opErr(err)
	}
	now := e.clock.Now()
	c.iss = e.isn(id, now)
	c.sndUna, c.sndNxt, c.sndMax = c.iss, c.iss, c.iss
	c.setMSS(c.defaultMSS())
	c.state = stateSynSent
	e.stats.activeOpens.Add(1)
	c.output(now)
	c.mu.Unlock()

	select {
	case <-c.ready:
	case <-ctx.Done():
		c.abort(mapContextErr(ctx.Err()))
		<-c.ready
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.state != stateEstablished && c.state != stateCloseWait {
		err := c.err
		if err == nil {
			err = syscall.ECONNREFUSED
		}
		return nil, opErr(err)
	}
	return c, nil
}

// setMSS sets the sending segment size from the peer's MSS option (or
// the family's default, defaultMSS), clamped to what the path carries,
// less the options every segment carries.
func (c *Conn) setMSS(peer int) {
	c.peerMSS = peer
	if c.pmtu == 0 {
		c.initPathMTU(c.e.clock.Now())
	}
	c.updateMSS()
}

// defaultMSS is the MSS a peer that sends no MSS option is taken to
// offer (RFC 9293 3.7.1): 536 over IPv4, and over IPv6 1220, what the
// least MTU of IPv6 (RFC 8200 5) carries.
func (c *Conn) defaultMSS() int {
	if c.id.is6() {
		return 1280 - 60
	}
	return 536
}

// updateMSS sets the sending segment size from the peer's MSS and the
// path MTU, less the IP and TCP headers and the options every segment
// carries. It is never below 64 bytes, whatever the peer says (Linux's
// floor is 48): a peer cannot make us cut the stream into tiny segments.
func (c *Conn) updateMSS() {
	mss := min(c.peerMSS, c.pmtu-c.id.headersLen())
	if c.tsOK {
		mss -= 12 // timestamps, padded
	}
	c.mss = max(mss, 64)
}

// advertisedMSS is the MSS option we send: our route's MTU less the IP
// and TCP headers (RFC 9293 3.7.1): MTU - 40 over IPv4, MTU - 60 over
// IPv6.
func (c *Conn) advertisedMSS() int { return c.e.net.MTU(c.id.remoteAddr) - c.id.headersLen() }

// Read reads data into b, as a net.Conn: it waits until data is there,
// and returns io.EOF after the peer's FIN once the data before it is
// read. A Read past the read deadline fails with a timeout (a net.Error
// whose Timeout() is true, wrapping os.ErrDeadlineExceeded) even when data
// is waiting, as in package net; a Read after Close fails with an error
// that wraps net.ErrClosed, and one after a reset with ECONNRESET. A Read
// of an empty b returns 0, nil at once.
func (c *Conn) Read(b []byte) (int, error) {
	c.mu.Lock()
	for {
		if c.closed {
			signal(c.readable) // for the next reader
			c.mu.Unlock()
			return 0, c.opError("read", net.ErrClosed)
		}
		if len(b) == 0 {
			c.mu.Unlock()
			return 0, nil
		}
		if c.rd != nil && c.rd.Expired() {
			c.mu.Unlock()
			return 0, c.opError("read", errTimeout)
		}
		if n := c.rcv.len(); n > 0 && !c.readShut && !c.rcv.pinned {
			n = min(n, len(b))
			// Copy without the lock, so that the goroutine bringing
			// segments in does not wait for it: these n bytes are the
			// reader's alone (input only writes past the in-order data),
			// and the storage stays put while pinned.
			first, second := c.rcv.span(0, n)
			c.rcv.pin()
			c.mu.Unlock()
			copy(b[copy(b, first):], second)
			c.mu.Lock()
			if !c.rcv.unpin() {
				continue // the connection ended meanwhile
			}
			c.rcv.discard(n)
			c.consumed(n)
			if c.rcv.len() > 0 {
				// readable holds one wake-up: pass it on to another
				// reader, since there is more.
				signal(c.readable)
			}
			c.mu.Unlock()
			return n, nil
		}
		if c.finRcvd || c.readShut {
			signal(c.readable) // for the next reader: EOF stays
			c.mu.Unlock()
			return 0, io.EOF
		}
		if c.err != nil {
			err := c.err
			signal(c.readable)
			c.mu.Unlock()
			return 0, c.opError("read", err)
		}
		if c.rd == nil {
			c.rd = deadline.New(c.e.clock)
		}
		c.wait(c.readable, c.rd)
	}
}

// consumed updates the window after the application read n bytes: it
// announces a window that opened enough to be worth a segment (RFC 9293
// 3.8.6.2.2's receiver side of silly window avoidance), and feeds receive
// buffer auto-tuning. The caller holds c.mu.
func (c *Conn) consumed(n int) {
	now := c.e.clock.Now()
	c.autotune(n, now)
	if c.rcv.len() == 0 && len(c.ooo.ranges) == 0 && c.state.synchronized() {
		c.rcv.releaseIdle(c.e.mem.pressure())
	}
	if !c.state.synchronized() || c.finRcvd {
		return
	}
	// The window we could advertise now, against what the peer knows.
	edge := c.rcvNxt.Add(c.rcvWindow())
	if grown := edge.Diff(c.rcvAdv); grown >= min(c.rcvBufSize/2, 2*c.mss) {
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
	// The buffer's storage grows as data comes, as far as the memory
	// budget allows; under pressure the window stops growing too (Linux
	// stops auto-tuning then).
	if 2*c.tuneCopied > c.rcvBufSize && c.rcvBufSize < c.e.cfg.MaxReceiveBuffer && !c.rcvBufLocked && !c.e.mem.pressure() {
		c.rcvBufSize = min(2*c.rcvBufSize, c.e.cfg.MaxReceiveBuffer)
	}
	c.tuneCopied, c.tuneStart = 0, now
}

// Write writes b to the connection, as a net.Conn: it copies b into the
// send buffer, waiting for room until the write deadline, Close, or the
// connection's end, and returns when all of b is buffered (the engine
// sends it from there). On an error it returns how much it buffered. A
// Write past the write deadline fails with a timeout before buffering
// anything, as in package net; after Close the error wraps net.ErrClosed,
// after CloseWrite it is EPIPE, and after a reset ECONNRESET. A Write of
// an empty b returns 0, nil when a Write could go ahead.
func (c *Conn) Write(b []byte) (int, error) {
	written := 0
	c.mu.Lock()
	for {
		var err error
		switch {
		case c.closed:
			err = net.ErrClosed
		case c.wd != nil && c.wd.Expired():
			err = errTimeout
		case c.err != nil:
			err = c.err
		case c.finQueued:
			err = syscall.EPIPE
		}
		if err != nil {
			signal(c.writable) // for the next writer: the error stays
			c.mu.Unlock()
			return written, c.opError("write", err)
		}
		if written == len(b) {
			c.mu.Unlock()
			return written, nil
		}
		// Grow the buffer towards its limit as data comes, as far as
		// the memory budget allows: past it, the writer waits for the
		// peer to acknowledge what the buffer holds.
		if free := c.snd.cap() - c.snd.len(); free < len(b)-written && c.snd.cap() < c.sndBufMax {
			want := c.snd.growTarget(c.snd.len()+len(b)-written, c.sndBufMax)
			c.snd.reserve(c.e.mem.grant(c.snd.cap(), want, initialSendBuffer))
		}
		n := 0
		if room := min(c.sndBufMax, c.snd.cap()) - c.snd.len(); room > 0 && !c.snd.pinned {
			n = min(room, len(b)-written)
			// Copy without the lock, so that the goroutine taking ACKs
			// and sending does not wait for it: the space past the
			// buffered data is the writer's alone, and the storage stays
			// put while pinned.
			first, second := c.snd.span(c.snd.len(), n)
			c.snd.pin()
			c.mu.Unlock()
			src := b[written : written+n]
			copy(second, src[copy(first, src):])
			c.mu.Lock()
			if !c.snd.unpin() {
				continue // the connection ended meanwhile
			}
			c.snd.n += n
		}
		written += n
		if n > 0 {
			c.output(c.e.clock.Now())
		}
		if written == len(b) {
			if c.snd.len() < min(c.sndBufMax, c.snd.cap()) {
				// writable holds one wake-up: pass it on to another
				// writer, since there is room.
				signal(c.writable)
			}
			c.mu.Unlock()
			return written, nil
		}
		if c.wd == nil {
			c.wd = deadline.New(c.e.clock)
		}
		c.wait(c.writable, c.wd)
	}
}

// wait releases c.mu and sleeps until ch is signalled or the deadline d's
// channel closes, then takes c.mu again. The caller then looks at the
// connection afresh: a closed deadline channel may only mean that the
// deadline moved (deadline.Deadline closes the channel it replaces, so
// that no waiter sleeps on a stale one), and Expired says whether it has
// really passed.
func (c *Conn) wait(ch chan struct{}, d *deadline.Deadline) {
	dl := d.Wait()
	c.mu.Unlock()
	select {
	case <-ch:
	case <-dl:
	}
	c.mu.Lock()
}

// signal wakes a goroutine waiting on ch. The channel holds one wake-up;
// a goroutine that wakes and finds a condition that lasts (an error, EOF,
// room or data it left) passes it on, so that every waiter wakes in turn.
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

// Close closes the connection, like close(2) on a socket: blocked Read
// and Write calls return an error that wraps net.ErrClosed, as do all
// later calls. Close returns at once; what is buffered is still sent, then
// our FIN, in the background (a graceful close), and the connection
// leaves the engine when the close completes: after TIME-WAIT, at the
// peer's last ACK, or a TimeWait after our FIN was acknowledged if the
// peer never closes its side (Linux's tcp_fin_timeout). If data the
// application never read is left in the receive buffer, or SetLinger(0)
// was called, it resets the connection instead (RFC 9293 3.10.4's ABORT,
// as Linux does), and the unsent data is dropped. Closing twice fails
// with net.ErrClosed.
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
	case unread || c.lingerAbort:
		c.sendRST(now)
		c.terminate(net.ErrClosed)
	default:
		c.shutdownWrite(now)
		c.orphaned(now)
	}
	// Nobody reads after Close: what the buffer holds (data that came
	// after a reset, say) goes, with its storage.
	c.rcv.drop()
	c.wakeAll()
	c.mu.Unlock()
	return nil
}

// orphaned bounds the life of a connection the application closed that
// waits in FIN-WAIT-2 for a FIN that may never come: it ends a TimeWait
// later, like Linux's orphaned FIN-WAIT-2 sockets (tcp_fin_timeout). The
// caller holds c.mu; the state machine calls it when an ACK takes a
// closed connection to FIN-WAIT-2.
func (c *Conn) orphaned(now time.Time) {
	if c.closed && c.state == stateFinWait2 && c.timeWaitAt.IsZero() {
		c.timeWaitAt = now.Add(c.e.cfg.TimeWait)
		c.armTimer(now)
	}
}

// CloseWrite shuts down the sending side, like shutdown(SHUT_WR): a FIN
// follows the buffered data, the peer reads EOF after it, and this side
// can still read. Later Writes fail with EPIPE; a second CloseWrite does
// nothing.
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

// CloseRead shuts down the reading side, like shutdown(SHUT_RD): Read
// returns io.EOF from then on. Nothing is sent; data that still comes is
// acknowledged and kept until the receive buffer fills, and a Close with
// any of it there resets the connection, as Linux does.
func (c *Conn) CloseRead() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.closed {
		return c.opError("close", net.ErrClosed)
	}
	c.readShut = true
	signal(c.readable)
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
	c.finSeq = c.sndUna.Add(c.snd.len())
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
	c.snd.drop()
	c.ooo = oooQueue{recent: -1}
	if c.closed {
		c.rcv.drop()
	}
	c.e.unregister(c)
	c.handshakeDone()
	c.wakeAll()
}

// setState changes the state, keeping tcpCurrEstab and the count of
// connections in TIME-WAIT. The caller holds c.mu.
func (c *Conn) setState(to state) {
	switch {
	case c.state.counted() && !to.counted():
		c.e.stats.currEstab.Add(-1)
	case !c.state.counted() && to.counted():
		c.e.stats.currEstab.Add(1)
	}
	switch {
	case c.state == stateTimeWait && to != stateTimeWait:
		c.e.timeWaits.Add(-1)
	case c.state != stateTimeWait && to == stateTimeWait:
		c.e.timeWaits.Add(1)
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

// LocalAddr returns the local address, a *net.TCPAddr of its own that
// the caller may change. It stays valid after Close.
func (c *Conn) LocalAddr() net.Addr { return tcpAddr(c.id.localAddr, c.id.localPort) }

// RemoteAddr returns the peer's address, as LocalAddr does the local one.
func (c *Conn) RemoteAddr() net.Addr { return tcpAddr(c.id.remoteAddr, c.id.remotePort) }

// tcpAddr returns a *net.TCPAddr with an IP of its own: 4 bytes for
// IPv4, as package net's IPv4 sockets report, 16 for IPv6.
func tcpAddr(ip netip.Addr, port uint16) *net.TCPAddr {
	return &net.TCPAddr{IP: ip.AsSlice(), Port: int(port)}
}

// SetDeadline sets the read and write deadlines, as SetReadDeadline and
// SetWriteDeadline do.
func (c *Conn) SetDeadline(t time.Time) error {
	if err := c.SetReadDeadline(t); err != nil {
		return err
	}
	return c.SetWriteDeadline(t)
}

// SetReadDeadline sets the deadline for Read calls, those waiting now
// included, as net.Conn's does: past it they fail with a timeout; a time
// in the past makes them fail at once, a later one extends waiting calls,
// and the zero time means none. After Close it fails with net.ErrClosed.
func (c *Conn) SetReadDeadline(t time.Time) error {
	return c.setDeadline(&c.rd, t)
}

// SetWriteDeadline sets the deadline for Write calls, those waiting now
// included, as SetReadDeadline does for reads. A Write that times out may
// have buffered part of its data, and reports how much.
func (c *Conn) SetWriteDeadline(t time.Time) error {
	return c.setDeadline(&c.wd, t)
}

func (c *Conn) setDeadline(d **deadline.Deadline, t time.Time) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.closed {
		return c.opError("set", net.ErrClosed)
	}
	if *d == nil {
		if t.IsZero() {
			return nil
		}
		*d = deadline.New(c.e.clock)
	}
	(*d).Set(t)
	return nil
}

// SetNoDelay turns Nagle's algorithm (RFC 896) off (true, the default, as
// in package net, where Go sets TCP_NODELAY on every connection) or on.
func (c *Conn) SetNoDelay(noDelay bool) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.closed {
		return c.opError("set", net.ErrClosed)
	}
	c.nodelay = noDelay
	if noDelay && c.state.synchronized() {
		c.output(c.e.clock.Now())
	}
	return nil
}

// SetKeepAlive turns keep-alive probes on or off (RFC 9293 3.8.4). They
// are off until turned on (package net's Dialer and ListenConfig turn them
// on by default; the stack's Dial and Listen do not, as a socket does
// not): once on, after an idle time without a segment from the peer the
// connection probes at an interval, and fails with ETIMEDOUT, resetting
// itself, when a number of probes go unanswered; the engine's
// Config.KeepAliveIdle, KeepAliveInterval and KeepAliveCount unless
// SetKeepAlivePeriod or SetKeepAliveConfig set others.
func (c *Conn) SetKeepAlive(keepAlive bool) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.closed {
		return c.opError("set", net.ErrClosed)
	}
	c.keepAlive = keepAlive
	c.kaProbes = 0
	c.armKeepAlive(c.e.clock.Now())
	return nil
}

// Keep-alive defaults of package net, for the zero fields of a
// net.KeepAliveConfig and SetKeepAlivePeriod(0).
const (
	netKeepAliveIdle     = 15 * time.Second
	netKeepAliveInterval = 15 * time.Second
	netKeepAliveCount    = 9
)

// SetKeepAlivePeriod sets the idle time before the first keep-alive
// probe, as package net's does: 0 means 15 s, a negative d leaves it. It
// does not turn keep-alive on.
func (c *Conn) SetKeepAlivePeriod(d time.Duration) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.closed {
		return c.opError("set", net.ErrClosed)
	}
	switch {
	case d == 0:
		c.kaIdle = netKeepAliveIdle
	case d > 0:
		c.kaIdle = d
	}
	c.armKeepAlive(c.e.clock.Now())
	return nil
}

// SetKeepAliveConfig configures keep-alive probes as package net's
// TCPConn.SetKeepAliveConfig does: Enable turns them on or off; Idle,
// Interval and Count are set when positive, take package net's defaults
// (15 s, 15 s, 9) when zero, and are left as they are when negative.
func (c *Conn) SetKeepAliveConfig(config net.KeepAliveConfig) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.closed {
		return c.opError("set", net.ErrClosed)
	}
	switch {
	case config.Idle > 0:
		c.kaIdle = config.Idle
	case config.Idle == 0:
		c.kaIdle = netKeepAliveIdle
	}
	switch {
	case config.Interval > 0:
		c.kaIntvl = config.Interval
	case config.Interval == 0:
		c.kaIntvl = netKeepAliveInterval
	}
	switch {
	case config.Count > 0:
		c.kaCount = config.Count
	case config.Count == 0:
		c.kaCount = netKeepAliveCount
	}
	c.keepAlive = config.Enable
	c.kaProbes = 0
	c.armKeepAlive(c.e.clock.Now())
	return nil
}

// SetLinger sets what Close does with data not yet sent, as package net's
// does: with sec < 0 (the default) or sec > 0 Close returns at once and
// the data and the FIN go in the background; with sec == 0 Close drops
// the data and resets the connection.
func (c *Conn) SetLinger(sec int) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.closed {
		return c.opError("set", net.ErrClosed)
	}
	c.lingerAbort = sec == 0
	return nil
}

// SetReadBuffer sets the receive buffer, the most data the connection
// holds for the application and so the window it offers, to bytes (at
// least one segment). Like SO_RCVBUF on Linux it fixes the size: the
// receive buffer no longer grows by auto-tuning (it starts at
// Config.ReceiveBuffer and grows up to Config.MaxReceiveBuffer
// otherwise). A larger buffer is announced at once, up to what the window
// scale fixed in the handshake can express. A smaller one shrinks the
// window as data is read, since an offered window is never withdrawn
// (RFC 9293 3.8.6.2.2); until then data beyond the new size is dropped,
// and the peer sends it again.
func (c *Conn) SetReadBuffer(bytes int) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.closed {
		return c.opError("set", net.ErrClosed)
	}
	c.rcvBufSize = max(bytes, c.mss)
	c.rcvBufLocked = true
	if c.state.synchronized() {
		c.consumed(0) // announce a window that grew
	}
	return nil
}

// SetWriteBuffer sets the most the send buffer holds (Config.SendBuffer
// by default), at least one segment: a Write waits while it is full. It
// holds the data not yet acknowledged as well as the data not yet sent,
// so it also bounds the data in flight.
func (c *Conn) SetWriteBuffer(bytes int) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.closed {
		return c.opError("set", net.ErrClosed)
	}
	c.sndBufMax = max(bytes, c.mss)
	signal(c.writable) // a larger buffer may have room now
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
