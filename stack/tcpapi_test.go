package stack

import (
	"bytes"
	"context"
	"crypto/sha256"
	"errors"
	"io"
	"math/rand/v2"
	"net"
	"net/netip"
	"os"
	"sync/atomic"
	"syscall"
	"testing"
	"testing/synctest"
	"time"

	"github.com/medina-net/medina/ethernet"
	"github.com/medina-net/medina/ipv4"
	"github.com/medina-net/medina/link"
	"github.com/medina-net/medina/tcp"
)

// The behaviour of the TCP API (tcp.Conn and tcp.Listener through the
// stack) against package net's: listener semantics, errors, Close and
// CloseWrite, the options. The tests run in synctest bubbles, so that
// timeouts of minutes take no time.

// dialAccept dials ln, on p.a, from p.b and returns both ends.
func dialAccept(t *testing.T, p *pair, ln *tcp.Listener) (client, server *tcp.Conn) {
	t.Helper()
	return dialAcceptFrom(t, p.b, ln, addrA)
}

// dialAcceptFrom dials ln, on the stack with address to, from dialer.
func dialAcceptFrom(t *testing.T, dialer *Stack, ln *tcp.Listener, to netip.Addr) (client, server *tcp.Conn) {
	t.Helper()
	accepted := make(chan *tcp.Conn, 1)
	go func() {
		c, err := ln.AcceptTCP()
		if err != nil {
			t.Error(err)
		}
		accepted <- c
	}()
	port := uint16(ln.Addr().(*net.TCPAddr).Port)
	c, err := dialer.DialTCP(context.Background(), netip.AddrPort{}, netip.AddrPortFrom(to, port))
	if err != nil {
		t.Fatal(err)
	}
	s := <-accepted
	if s == nil {
		t.FailNow()
	}
	return c, s
}

func listenTCP(t *testing.T, s *Stack, address string) *tcp.Listener {
	t.Helper()
	ln, err := s.Listen("tcp", address)
	if err != nil {
		t.Fatal(err)
	}
	return ln.(*tcp.Listener)
}

// wantErr checks that err is a *net.OpError for op that matches target.
func wantErr(t *testing.T, what string, err error, op string, target error) {
	t.Helper()
	var oe *net.OpError
	if !errors.As(err, &oe) || oe.Op != op || !errors.Is(err, target) {
		t.Errorf("%s: %v (%T), want a *net.OpError %q matching %v", what, err, err, op, target)
	}
}

// wantTimeout checks that err is a timeout as package net reports it.
func wantTimeout(t *testing.T, what string, err error) {
	t.Helper()
	var ne net.Error
	if !errors.As(err, &ne) || !ne.Timeout() || !errors.Is(err, os.ErrDeadlineExceeded) {
		t.Errorf("%s: %v, want a net.Error with Timeout() wrapping os.ErrDeadlineExceeded", what, err)
	}
}

// drained waits long enough for every connection to finish closing, then
// checks that both engines are empty.
func drained(t *testing.T, p *pair) {
	t.Helper()
	time.Sleep(3 * tcp.DefaultTimeWait)
	synctest.Wait()
	for _, s := range []*Stack{p.a, p.b} {
		if n, est := s.tcp.NumConns(), s.TCPStats().CurrEstab; n != 0 || est != 0 {
			t.Errorf("stack %v: %d connections left, %d established", s.Addr(), n, est)
		}
	}
}

func TestTCPListenerAcceptAfterClose(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		p := newPair(t, 20, nil)
		ln := listenTCP(t, p.a, ":80")
		blocked := make(chan error)
		go func() {
			_, err := ln.Accept()
			blocked <- err
		}()
		synctest.Wait()
		if err := ln.Close(); err != nil {
			t.Fatal(err)
		}
		wantErr(t, "blocked Accept", <-blocked, "accept", net.ErrClosed)
		_, err := ln.Accept()
		wantErr(t, "Accept after Close", err, "accept", net.ErrClosed)
		wantErr(t, "second Close", ln.Close(), "close", net.ErrClosed)
		// The port is free again, and nobody listens on it.
		_, err = p.b.DialContext(context.Background(), "tcp", "10.0.0.1:80")
		wantErr(t, "dial to the closed listener", err, "dial", syscall.ECONNREFUSED)
		ln2 := listenTCP(t, p.a, ":80")
		ln2.Close()
	})
}

// Connections that completed their handshake but were never accepted are
// reset when the listener closes, as Linux does, so their peers learn.
func TestTCPListenerCloseResetsQueued(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		p := newPair(t, 21, nil)
		ln := listenTCP(t, p.a, ":80")
		var clients []net.Conn
		for range 3 {
			c, err := p.b.DialContext(context.Background(), "tcp", "10.0.0.1:80")
			if err != nil {
				t.Fatal(err)
			}
			clients = append(clients, c)
		}
		synctest.Wait()
		if n := p.a.tcp.NumConns(); n != 3 {
			t.Fatalf("%d connections queued, want 3", n)
		}
		ln.Close()
		for i, c := range clients {
			_, err := c.Read(make([]byte, 1))
			wantErr(t, "read of a client whose connection was queued", err, "read", syscall.ECONNRESET)
			if i == 0 {
				_, err = c.Write([]byte("x"))
				wantErr(t, "write after the reset", err, "write", syscall.ECONNRESET)
			}
			if err := c.Close(); err != nil {
				t.Errorf("Close after a reset: %v", err)
			}
		}
		drained(t, p)
	})
}

// gate is a device whose outgoing frames a test can drop.
type gate struct {
	link.Device
	drop atomic.Pointer[func(frame []byte) bool]
}

func (g *gate) WriteFrame(f []byte) error {
	if d := g.drop.Load(); d != nil && (*d)(f) {
		return nil
	}
	return g.Device.WriteFrame(f)
}

// tcpFlags returns the flags of a frame carrying a TCP segment, and
// whether it does.
func tcpFlags(f []byte) (tcp.Flags, int, bool) {
	if len(f) < ethernet.HeaderLen+ipv4.MinHeaderLen+tcp.HeaderLen || f[12] != 0x08 || f[13] != 0x00 || f[ethernet.HeaderLen+9] != 6 {
		return 0, 0, false
	}
	h := tcp.Header(f[ethernet.HeaderLen+ipv4.MinHeaderLen:])
	totalLen := int(f[ethernet.HeaderLen+2])<<8 | int(f[ethernet.HeaderLen+3])
	return h.Flags(), totalLen - ipv4.MinHeaderLen - h.DataOffset(), true
}

// A connection still in SYN-RECEIVED when its listener closes is reset
// when the peer's ACK comes, as the listener is gone; it must neither
// linger nor be established with nobody to accept it.
func TestTCPListenerCloseHalfOpen(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		var gb *gate
		p := newPair(t, 22, func(a, b link.Device) (link.Device, link.Device) {
			gb = &gate{Device: b}
			return a, gb
		})
		ln := listenTCP(t, p.a, ":80")
		// The client's ACK that completes the handshake is lost.
		dropACK := func(f []byte) bool {
			flags, n, ok := tcpFlags(f)
			return ok && flags == tcp.FlagACK && n == 0
		}
		gb.drop.Store(&dropACK)
		c, err := p.b.DialContext(context.Background(), "tcp", "10.0.0.1:80")
		if err != nil {
			t.Fatal(err)
		}
		synctest.Wait()
		gb.drop.Store(nil)
		ln.Close()
		if _, err := c.Write([]byte("hello")); err != nil {
			t.Fatal(err)
		}
		c.SetReadDeadline(time.Now().Add(5 * time.Second))
		_, err = c.Read(make([]byte, 10))
		wantErr(t, "read on a connection whose listener closed mid-handshake", err, "read", syscall.ECONNRESET)
		c.Close()
		synctest.Wait()
		if n := p.a.tcp.NumConns(); n != 0 {
			t.Errorf("%d connections left on the listener's side", n)
		}
	})
}

func TestTCPListenAddrInUse(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		p := newPair(t, 23, nil)
		ln := listenTCP(t, p.a, ":80")
		_, err := p.a.Listen("tcp", ":80")
		wantErr(t, "second Listen on :80", err, "listen", syscall.EADDRINUSE)
		_, err = p.a.Listen("tcp4", "10.0.0.1:80")
		wantErr(t, "Listen on 10.0.0.1:80 beside :80", err, "listen", syscall.EADDRINUSE)
		_, err = p.a.Listen("tcp", "10.0.0.7:81")
		wantErr(t, "Listen on an address not ours", err, "listen", syscall.EADDRNOTAVAIL)
		_, err = p.a.Listen("udp", ":81")
		var unknown net.UnknownNetworkError
		if !errors.As(err, &unknown) {
			t.Errorf("Listen on udp: %v, want UnknownNetworkError", err)
		}
		ln.Close()
		ln = listenTCP(t, p.a, "10.0.0.1:80")
		if got := ln.Addr().String(); got != "10.0.0.1:80" {
			t.Errorf("Addr() = %s", got)
		}
		// A port an outgoing connection uses can be listened on, as with
		// the SO_REUSEADDR package net sets.
		lb := listenTCP(t, p.b, ":90")
		c, _ := dialAcceptFrom(t, p.a, lb, addrB)
		port := c.LocalAddr().(*net.TCPAddr).Port
		ln2, err := p.a.ListenTCP(netip.AddrPortFrom(netip.IPv4Unspecified(), uint16(port)))
		if err != nil {
			t.Errorf("Listen on the port of an outgoing connection: %v", err)
		} else {
			ln2.Close()
		}
	})
}

func TestTCPListenPortZero(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		p := newPair(t, 24, nil)
		ports := map[int]bool{}
		for range 10 {
			ln := listenTCP(t, p.a, ":0")
			a := ln.Addr().(*net.TCPAddr)
			if a.Port == 0 || ports[a.Port] || !a.IP.Equal(net.IPv4zero) {
				t.Fatalf("Listen on :0 gave %v", a)
			}
			ports[a.Port] = true
			defer ln.Close()
		}
		ln := listenTCP(t, p.a, "10.0.0.1:0")
		if a := ln.Addr().(*net.TCPAddr); a.Port == 0 || ports[a.Port] || !a.IP.Equal(net.IPv4(10, 0, 0, 1)) {
			t.Fatalf("Listen on 10.0.0.1:0 gave %v", a)
		}
		c, s := dialAccept(t, p, ln)
		if got, want := c.RemoteAddr().String(), ln.Addr().String(); got != want {
			t.Errorf("dialled %s, want %s", got, want)
		}
		c.Close()
		s.Close()
	})
}

func TestTCPAddrs(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		p := newPair(t, 25, nil)
		ln := listenTCP(t, p.a, ":80")
		if got := ln.Addr().String(); got != "0.0.0.0:80" {
			t.Errorf("listener Addr() = %s", got)
		}
		c, s := dialAccept(t, p, ln)
		cl, cr := c.LocalAddr().(*net.TCPAddr), c.RemoteAddr().(*net.TCPAddr)
		sl, sr := s.LocalAddr().(*net.TCPAddr), s.RemoteAddr().(*net.TCPAddr)
		if cl.String() != sr.String() || cr.String() != sl.String() {
			t.Errorf("client %v -> %v, server %v -> %v", cl, cr, sl, sr)
		}
		if cr.String() != "10.0.0.1:80" || !cl.IP.Equal(net.IPv4(10, 0, 0, 2)) || cl.Port < 49152 {
			t.Errorf("client %v -> %v, want 10.0.0.2:<ephemeral> -> 10.0.0.1:80", cl, cr)
		}
		// The addresses are the caller's to change.
		cl.IP[0] = 99
		if c.LocalAddr().String() == cl.String() {
			t.Error("LocalAddr returns shared memory")
		}
		// They stay after Close, as package net's do.
		c.Close()
		if c.RemoteAddr().String() != "10.0.0.1:80" {
			t.Errorf("RemoteAddr after Close: %v", c.RemoteAddr())
		}
		s.Close()
	})
}

func TestTCPDialContext(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		p := newPair(t, 26, nil)
		ln := listenTCP(t, p.a, ":80")
		defer ln.Close()
		before := p.b.TCPStats()

		// A context already done: fail at once, send nothing.
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		_, err := p.b.DialContext(ctx, "tcp", "10.0.0.1:80")
		wantErr(t, "dial with a cancelled context", err, "dial", context.Canceled)
		ctx, cancel = context.WithDeadline(context.Background(), time.Now().Add(-time.Second))
		_, err = p.b.DialContext(ctx, "tcp", "10.0.0.1:80")
		cancel()
		wantErr(t, "dial with an expired context", err, "dial", context.DeadlineExceeded)
		if after := p.b.TCPStats(); after.ActiveOpens != before.ActiveOpens || after.OutSegs != before.OutSegs {
			t.Errorf("a dial with a done context sent something: %+v", after)
		}

		// A timeout while the handshake goes on: a net.Error with
		// Timeout(), matching context.DeadlineExceeded as net's does.
		// (Before ARP gives up on the address, at 3 s.)
		ctx, cancel = context.WithTimeout(context.Background(), 2*time.Second)
		start := time.Now()
		_, err = p.b.DialContext(ctx, "tcp", "10.0.0.9:80")
		cancel()
		var ne net.Error
		if !errors.As(err, &ne) || !ne.Timeout() || !errors.Is(err, context.DeadlineExceeded) {
			t.Errorf("dial timeout: %v, want a net.Error with Timeout() matching context.DeadlineExceeded", err)
		}
		if d := time.Since(start); d != 2*time.Second {
			t.Errorf("dial timed out after %v, want 2s", d)
		}
		// Cancelled while waiting.
		ctx, cancel = context.WithCancel(context.Background())
		time.AfterFunc(500*time.Millisecond, cancel)
		_, err = p.b.DialContext(ctx, "tcp", "10.0.0.9:80")
		wantErr(t, "dial cancelled while waiting", err, "dial", context.Canceled)
		synctest.Wait()
		if n := p.b.tcp.NumConns(); n != 0 {
			t.Errorf("%d connections left after failed dials", n)
		}
		// The peer's reset.
		_, err = p.b.DialContext(context.Background(), "tcp", "10.0.0.1:81")
		wantErr(t, "dial to a closed port", err, "dial", syscall.ECONNREFUSED)
		// Nothing answers at all: the SYN retries run out.
		start = time.Now()
		_, err = p.b.DialContext(context.Background(), "tcp", "10.0.0.9:80")
		if !errors.Is(err, syscall.ETIMEDOUT) && !errors.Is(err, syscall.EHOSTUNREACH) {
			t.Errorf("dial to nobody: %v after %v, want ETIMEDOUT or EHOSTUNREACH", err, time.Since(start))
		}
		// The stack has no loopback: fail at once.
		for _, addr := range []string{"0.0.0.0:80", "10.0.0.2:80"} {
			start = time.Now()
			if _, err = p.b.DialContext(context.Background(), "tcp", addr); err == nil || time.Since(start) != 0 {
				t.Errorf("dial to %s: %v after %v, want an error at once", addr, err, time.Since(start))
			}
		}
	})
}

// Close with data still buffered: Close returns at once, and the data,
// then the FIN, still go; the peer reads all of it, then EOF. Both
// connections then leave their engines (TIME-WAIT on the side that closed
// first, LAST-ACK on the other).
func TestTCPCloseFlushes(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		p := newPair(t, 27, nil)
		ln := listenTCP(t, p.a, ":80")
		c, s := dialAccept(t, p, ln)
		ln.Close()
		data := make([]byte, 3<<20) // fits the 4 MiB send buffer: Write returns at once
		r := rand.New(rand.NewPCG(3, 4))
		for i := range data {
			data[i] = byte(r.Uint32())
		}
		start := time.Now()
		if n, err := c.Write(data); n != len(data) || err != nil {
			t.Fatalf("Write: %d, %v", n, err)
		}
		if err := c.Close(); err != nil {
			t.Fatal(err)
		}
		if d := time.Since(start); d != 0 {
			t.Errorf("Write and Close took %v, want no time", d)
		}
		got, err := io.ReadAll(s)
		if err != nil {
			t.Fatalf("server read %d bytes, then %v", len(got), err)
		}
		if sha256.Sum256(got) != sha256.Sum256(data) {
			t.Fatalf("server read %d bytes, not what was written", len(got))
		}
		if n, err := s.Read(make([]byte, 1)); n != 0 || err != io.EOF {
			t.Errorf("read again after EOF: %d, %v", n, err)
		}
		if _, err := c.Read(make([]byte, 1)); !errors.Is(err, net.ErrClosed) {
			t.Errorf("read after Close: %v, want net.ErrClosed", err)
		}
		s.Close()
		drained(t, p)
	})
}

// Close with received data never read resets the connection (RFC 1122
// 4.2.2.13, as Linux does): the peer's next read fails with ECONNRESET.
func TestTCPCloseUnreadResets(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		p := newPair(t, 28, nil)
		ln := listenTCP(t, p.a, ":80")
		c, s := dialAccept(t, p, ln)
		if _, err := s.Write([]byte("a reply nobody reads")); err != nil {
			t.Fatal(err)
		}
		synctest.Wait()
		rsts := p.b.TCPStats().OutRsts
		c.Close()
		synctest.Wait()
		if got := p.b.TCPStats().OutRsts; got != rsts+1 {
			t.Errorf("%d resets sent at Close, want 1", got-rsts)
		}
		_, err := s.Read(make([]byte, 10))
		wantErr(t, "peer's read", err, "read", syscall.ECONNRESET)
		_, err = s.Write([]byte("x"))
		wantErr(t, "peer's write", err, "write", syscall.ECONNRESET)
		s.Close()
		drained(t, p)
	})
}

// Data that comes after Close is answered with a reset (RFC 1122
// 4.2.2.13; Linux counts it as TCPAbortOnData): nobody will read it.
func TestTCPDataAfterCloseResets(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		p := newPair(t, 29, nil)
		ln := listenTCP(t, p.a, ":80")
		c, s := dialAccept(t, p, ln)
		c.Close()
		if n, err := s.Read(make([]byte, 1)); n != 0 || err != io.EOF {
			t.Fatalf("read after the peer's Close: %d, %v; want EOF", n, err)
		}
		if _, err := s.Write([]byte("too late")); err != nil {
			t.Fatalf("first write after the peer closed: %v", err)
		}
		synctest.Wait()
		_, err := s.Write([]byte("x"))
		wantErr(t, "write after the reset", err, "write", syscall.ECONNRESET)
		s.Close()
		drained(t, p)
	})
}

// SetLinger(0) makes Close drop the unsent data and reset.
func TestTCPLingerZero(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		p := newPair(t, 30, nil)
		ln := listenTCP(t, p.a, ":80")
		c, s := dialAccept(t, p, ln)
		// Write returns as soon as the data is buffered; most of it is
		// still waiting for the congestion window when Close drops it.
		if _, err := c.Write(make([]byte, 1<<20)); err != nil {
			t.Fatal(err)
		}
		c.SetLinger(0)
		c.Close()
		synctest.Wait()
		n, err := io.Copy(io.Discard, s)
		wantErr(t, "peer's read", err, "read", syscall.ECONNRESET)
		if n >= 1<<20 {
			t.Errorf("the peer read all %d bytes", n)
		}
		s.Close()
		drained(t, p)
	})
}

// A connection the application closed, whose peer never closes its side,
// leaves the engine a TimeWait after our FIN was acknowledged (Linux's
// tcp_fin_timeout for orphaned FIN-WAIT-2 sockets).
func TestTCPOrphanFinWait2(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		p := newPair(t, 31, nil)
		ln := listenTCP(t, p.a, ":80")
		c, s := dialAccept(t, p, ln)
		c.Close()
		synctest.Wait()
		if st := c.State(); st != "FIN-WAIT-2" {
			t.Fatalf("state after Close: %s", st)
		}
		time.Sleep(tcp.DefaultTimeWait + time.Second)
		if n := p.b.tcp.NumConns(); n != 0 {
			t.Errorf("%d connections left in FIN-WAIT-2 after %v", n, tcp.DefaultTimeWait)
		}
		if st := s.State(); st != "CLOSE-WAIT" {
			t.Errorf("peer's state: %s", st)
		}
		s.Close()
		drained(t, p)
	})
}

// CloseWrite: the peer reads EOF and can still write; this side can
// still read, and its writes fail with EPIPE.
func TestTCPCloseWrite(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		p := newPair(t, 32, nil)
		ln := listenTCP(t, p.a, ":80")
		c, s := dialAccept(t, p, ln)
		if _, err := c.Write([]byte("request")); err != nil {
			t.Fatal(err)
		}
		if err := c.CloseWrite(); err != nil {
			t.Fatal(err)
		}
		if err := c.CloseWrite(); err != nil {
			t.Errorf("second CloseWrite: %v", err)
		}
		_, err := c.Write([]byte("more"))
		wantErr(t, "write after CloseWrite", err, "write", syscall.EPIPE)
		got, err := io.ReadAll(s)
		if err != nil || string(got) != "request" {
			t.Fatalf("server read %q, %v", got, err)
		}
		reply := bytes.Repeat([]byte("reply "), 100000)
		go func() {
			if _, err := s.Write(reply); err != nil {
				t.Error(err)
			}
			s.Close()
		}()
		got, err = io.ReadAll(c)
		if err != nil || !bytes.Equal(got, reply) {
			t.Fatalf("client read %d bytes, %v", len(got), err)
		}
		c.Close()
		drained(t, p)
	})
}

// Close wakes every blocked Read and Write with net.ErrClosed, and later
// calls fail the same way.
func TestTCPCloseUnblocks(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		p := newPair(t, 33, nil)
		ln := listenTCP(t, p.a, ":80")
		c, s := dialAccept(t, p, ln)
		c.SetWriteBuffer(64 << 10)
		errs := make(chan error, 6)
		for range 3 {
			go func() {
				_, err := c.Read(make([]byte, 10))
				errs <- err
			}()
			go func() {
				_, err := c.Write(make([]byte, 1<<20)) // the peer does not read
				errs <- err
			}()
		}
		synctest.Wait()
		if len(errs) != 0 {
			t.Fatalf("a call returned early: %v", <-errs)
		}
		c.Close()
		for range 6 {
			if err := <-errs; !errors.Is(err, net.ErrClosed) {
				t.Errorf("blocked call after Close: %v, want net.ErrClosed", err)
			}
		}
		_, err := c.Write(nil)
		wantErr(t, "Write after Close", err, "write", net.ErrClosed)
		wantErr(t, "SetDeadline after Close", c.SetDeadline(time.Now()), "set", net.ErrClosed)
		wantErr(t, "Close after Close", c.Close(), "close", net.ErrClosed)
		s.Close()
	})
}

// Deadlines in a bubble: exact times, extension while blocked, errors.
func TestTCPDeadlines(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		p := newPair(t, 34, nil)
		ln := listenTCP(t, p.a, ":80")
		c, s := dialAccept(t, p, ln)
		start := time.Now()
		c.SetReadDeadline(start.Add(time.Second))
		done := make(chan error)
		go func() {
			_, err := c.Read(make([]byte, 1))
			done <- err
		}()
		time.Sleep(500 * time.Millisecond)
		c.SetReadDeadline(start.Add(3 * time.Second)) // extended while blocked
		err := <-done
		wantTimeout(t, "read", err)
		if d := time.Since(start); d != 3*time.Second {
			t.Errorf("read timed out after %v, want 3s", d)
		}
		// Data waiting does not beat a deadline that passed.
		s.Write([]byte("x"))
		synctest.Wait()
		n, err := c.Read(make([]byte, 1))
		if n != 0 {
			t.Errorf("read %d bytes past the deadline", n)
		}
		wantTimeout(t, "read with data waiting", err)
		c.SetReadDeadline(time.Time{})
		if n, err := c.Read(make([]byte, 1)); n != 1 || err != nil {
			t.Errorf("read after clearing the deadline: %d, %v", n, err)
		}
		// A zero-length read and write return at once.
		if n, err := c.Read(nil); n != 0 || err != nil {
			t.Errorf("Read(nil): %d, %v", n, err)
		}
		if n, err := c.Write(nil); n != 0 || err != nil {
			t.Errorf("Write(nil): %d, %v", n, err)
		}
		// A write that times out reports what it buffered.
		c.SetWriteBuffer(64 << 10)
		c.SetWriteDeadline(time.Now().Add(time.Second))
		n, err = c.Write(make([]byte, 4<<20))
		wantTimeout(t, "write", err)
		if n == 0 || n >= 4<<20 {
			t.Errorf("a write that timed out buffered %d bytes", n)
		}
		c.SetWriteDeadline(time.Now().Add(-time.Second))
		if n, err := c.Write(nil); n != 0 {
			t.Errorf("Write(nil) past the deadline: %d, %v", n, err)
		} else {
			wantTimeout(t, "Write(nil) past the deadline", err)
		}
		c.Close()
		s.Close()
	})
}

// Keep-alive: a peer that vanishes is found out after Idle + Count *
// Interval, and the connection fails with ETIMEDOUT.
func TestTCPKeepAlive(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		var gb *gate
		p := newPair(t, 35, func(a, b link.Device) (link.Device, link.Device) {
			gb = &gate{Device: b}
			return a, gb
		})
		ln := listenTCP(t, p.a, ":80")
		c, s := dialAccept(t, p, ln)
		if err := s.SetKeepAliveConfig(net.KeepAliveConfig{Enable: true, Idle: 10 * time.Second, Interval: 5 * time.Second, Count: 3}); err != nil {
			t.Fatal(err)
		}
		// While the peer answers, probes keep the connection up.
		time.Sleep(time.Minute)
		if st := s.State(); st != "ESTABLISHED" {
			t.Fatalf("state with the peer answering probes: %s", st)
		}
		probes := p.a.TCPStats().KeepAlives
		if probes == 0 {
			t.Error("no keep-alive probe sent in a minute")
		}
		// The peer vanishes.
		all := func([]byte) bool { return true }
		gb.drop.Store(&all)
		start := time.Now()
		_, err := s.Read(make([]byte, 1))
		wantErr(t, "read on a connection whose peer vanished", err, "read", syscall.ETIMEDOUT)
		if d := time.Since(start); d > 10*time.Second+3*5*time.Second+time.Second {
			t.Errorf("found out after %v", d)
		}
		s.Close()
		c.Close()
	})
}

// SetReadBuffer fixes the receive window; SetWriteBuffer bounds the data
// a connection buffers, so a Write to a peer that does not read waits.
func TestTCPBufferSizes(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		p := newPair(t, 36, nil)
		ln := listenTCP(t, p.a, ":80")
		c, s := dialAccept(t, p, ln)
		if err := s.SetReadBuffer(16 << 10); err != nil {
			t.Fatal(err)
		}
		if err := c.SetWriteBuffer(32 << 10); err != nil {
			t.Fatal(err)
		}
		c.SetWriteDeadline(time.Now().Add(time.Second))
		n, err := c.Write(make([]byte, 1<<20))
		wantTimeout(t, "write to a peer that does not read", err)
		// What the peer took (its 128 KiB window of the handshake, or
		// less) and the 32 KiB of the send buffer.
		if n < 32<<10 || n > 32<<10+tcp.DefaultReceiveBuffer {
			t.Errorf("buffered %d bytes", n)
		}
		c.SetWriteDeadline(time.Time{})
		go func() {
			c.Write(make([]byte, 4<<20))
			c.Close()
		}()
		got, err := io.Copy(io.Discard, s)
		if err != nil || got != int64(n)+4<<20 {
			t.Errorf("read %d bytes, %v", got, err)
		}
		s.Close()
		drained(t, p)
	})
}

// tcp.Conn has the methods of *net.TCPConn that mean something without a
// file descriptor, and tcp.Listener those of *net.TCPListener.
var (
	_ interface {
		net.Conn
		CloseRead() error
		CloseWrite() error
		SetKeepAlive(bool) error
		SetKeepAlivePeriod(time.Duration) error
		SetKeepAliveConfig(net.KeepAliveConfig) error
		SetLinger(int) error
		SetNoDelay(bool) error
		SetReadBuffer(int) error
		SetWriteBuffer(int) error
	} = (*tcp.Conn)(nil)
	_ interface {
		net.Listener
		SetDeadline(time.Time) error
	} = (*tcp.Listener)(nil)
)

func TestTCPListenerDeadline(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		p := newPair(t, 37, nil)
		ln := listenTCP(t, p.a, ":80")
		start := time.Now()
		ln.SetDeadline(start.Add(time.Second))
		done := make(chan error)
		go func() {
			_, err := ln.Accept()
			done <- err
		}()
		time.Sleep(500 * time.Millisecond)
		ln.SetDeadline(start.Add(2 * time.Second)) // extended while blocked
		wantTimeout(t, "Accept", <-done)
		if d := time.Since(start); d != 2*time.Second {
			t.Errorf("Accept timed out after %v, want 2s", d)
		}
		_, err := ln.Accept()
		wantTimeout(t, "Accept past the deadline", err)
		ln.SetDeadline(time.Time{})
		c, s := dialAccept(t, p, ln)
		c.Close()
		s.Close()
		ln.Close()
		wantErr(t, "SetDeadline after Close", ln.SetDeadline(time.Now()), "set", net.ErrClosed)
	})
}

// CloseRead: reads return EOF at once; writing goes on both ways.
func TestTCPCloseRead(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		p := newPair(t, 38, nil)
		ln := listenTCP(t, p.a, ":80")
		c, s := dialAccept(t, p, ln)
		blocked := make(chan error)
		go func() {
			_, err := s.Read(make([]byte, 1))
			blocked <- err
		}()
		synctest.Wait()
		if err := s.CloseRead(); err != nil {
			t.Fatal(err)
		}
		if err := <-blocked; err != io.EOF {
			t.Errorf("blocked Read after CloseRead: %v, want EOF", err)
		}
		if _, err := c.Write([]byte("ignored")); err != nil {
			t.Error(err)
		}
		if _, err := s.Write([]byte("reply")); err != nil {
			t.Error(err)
		}
		buf := make([]byte, 5)
		if _, err := io.ReadFull(c, buf); err != nil || string(buf) != "reply" {
			t.Errorf("client read %q, %v", buf, err)
		}
		c.Close()
		s.Close()
	})
}
