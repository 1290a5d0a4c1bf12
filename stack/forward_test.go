package stack

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/netip"
	"strings"
	"sync"
	"syscall"
	"testing"
	"testing/synctest"
	"time"

	"github.com/medina-net/medina/ethernet"
	"github.com/medina-net/medina/ipv4"
	"github.com/medina-net/medina/link/pipe"
	"github.com/medina-net/medina/tcp"
)

// newForwardPair builds two stacks over a pipe: a, which will run
// any-address mode, and b, a client whose gateways are a's addresses,
// so that whatever b sends off its link goes to a.
func newForwardPair(t *testing.T) *pair {
	t.Helper()
	return newDualPairWith(t,
		Config{Addr: netip.PrefixFrom(addrA, 24), Addrs: []netip.Prefix{netip.PrefixFrom(addrA6, 64)}, Rand: SeededRand(1)},
		Config{Addr: netip.PrefixFrom(addrB, 24), Addrs: []netip.Prefix{netip.PrefixFrom(addrB6, 64)}, Rand: SeededRand(2),
			Gateway: addrA, Gateway6: addrA6},
		nil)
}

// sayWhere answers every connection with the address it was reached at,
// then closes it.
func sayWhere(c *tcp.Conn, dst netip.AddrPort) {
	defer c.Close()
	fmt.Fprintf(c, "reached at %v from %v\n", dst, c.RemoteAddrPort())
}

// hostPort is a as an AddrPort shows it, up to the port's colon.
func hostPort(a netip.Addr) string {
	if a.Is6() {
		return "[" + a.String() + "]:"
	}
	return a.String() + ":"
}

// echoFlow sends every datagram of a flow back until it closes.
func echoFlow(f *UDPFlow) {
	buf := make([]byte, 65536)
	for {
		n, err := f.Read(buf)
		if err != nil {
			return
		}
		f.Write(buf[:n])
	}
}

// askWhere connects from s to dst and returns the first line it reads,
// waiting no longer than ctx allows.
func askWhere(ctx context.Context, s *Stack, dst netip.AddrPort) (string, error) {
	c, err := s.DialTCP(ctx, netip.AddrPort{}, dst)
	if err != nil {
		return "", err
	}
	defer c.Close()
	if d, ok := ctx.Deadline(); ok {
		c.SetDeadline(d)
	}
	line, err := bufio.NewReader(c).ReadString('\n')
	if err != nil {
		return "", err
	}
	return fmt.Sprintf("%s (local %v)", line[:len(line)-1], c.LocalAddrPort()), nil
}

// TestForwardTCP: in any-address mode, connections to addresses and
// ports the stack does not have reach the handler with their original
// destination, and their answers come from it (the client's connection
// to that destination is established and reads the answer); the stack's
// own address keeps its own rules.
func TestForwardTCP(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		p := newForwardPair(t)
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		// Before the mode is on, nothing to a foreign address is taken.
		short, cancelShort := context.WithTimeout(ctx, 3*time.Second)
		_, err := askWhere(short, p.b, netip.MustParseAddrPort("192.0.2.9:80"))
		cancelShort()
		if err == nil || p.a.Stats().IP.InAddrErrors == 0 {
			t.Fatalf("before ListenAnyTCP: %v, %d address errors; want no answer and the SYN counted", err, p.a.Stats().IP.InAddrErrors)
		}
		l, err := p.a.ForwardTCP(tcp.AnyOptions{}, sayWhere)
		if err != nil {
			t.Fatal(err)
		}
		for _, d := range []string{"192.0.2.9:80", "198.51.100.200:443", "203.0.113.1:8080", "198.19.255.254:1", "[2001:db8:99::7]:80", "[2001:db8:ffff::1]:65535"} {
			dst := netip.MustParseAddrPort(d)
			got, err := askWhere(ctx, p.b, dst)
			if err != nil {
				t.Fatalf("%v: %v", dst, err)
			}
			src := addrB
			if dst.Addr().Is6() {
				src = addrB6
			}
			// The client's connection is to dst, so the SYN-ACK came
			// from dst; the handler saw dst and the client's address.
			prefix := fmt.Sprintf("reached at %v from %v", dst, hostPort(src))
			if !strings.HasPrefix(got, prefix) {
				t.Errorf("%v: got %q, want it to start %q", dst, got, prefix)
			}
		}
		// The stack's own address: a port nothing listens on is refused.
		if _, err := askWhere(ctx, p.b, netip.AddrPortFrom(addrA, 80)); !errors.Is(err, syscall.ECONNREFUSED) {
			t.Errorf("a closed port of the stack's own address: %v, want ECONNREFUSED", err)
		}
		// A ping to a foreign address goes unanswered: only TCP and UDP
		// are taken.
		pctx, pcancel := context.WithTimeout(ctx, 2*time.Second)
		_, err = p.b.Ping(pctx, netip.MustParseAddr("198.51.100.200"), 56)
		pcancel()
		if err == nil {
			t.Error("a ping to a foreign address was answered")
		}
		l.Close()
		short, cancelShort = context.WithTimeout(ctx, 3*time.Second)
		_, err = askWhere(short, p.b, netip.MustParseAddrPort("192.0.2.9:80"))
		cancelShort()
		if err == nil {
			t.Error("after Close: a foreign address still answers")
		}
	})
}

// TestForwardTCPPolicy: a destination the policy refuses is refused at
// once, with a reset from it; the others are served.
func TestForwardTCPPolicy(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		p := newForwardPair(t)
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		l, err := p.a.ListenAnyTCP(tcp.AnyOptions{Allow: func(local, remote netip.AddrPort) bool {
			return local.Port() != 25
		}})
		if err != nil {
			t.Fatal(err)
		}
		go func() {
			for {
				c, err := l.AcceptTCP()
				if err != nil {
					return
				}
				go sayWhere(c, c.LocalAddrPort())
			}
		}()
		start := time.Now()
		if _, err := askWhere(ctx, p.b, netip.MustParseAddrPort("198.51.100.3:25")); !errors.Is(err, syscall.ECONNREFUSED) {
			t.Errorf("refused destination: %v, want ECONNREFUSED", err)
		}
		if d := time.Since(start); d > time.Second {
			t.Errorf("the refusal took %v", d)
		}
		if _, err := askWhere(ctx, p.b, netip.MustParseAddrPort("198.51.100.3:587")); err != nil {
			t.Errorf("allowed destination: %v", err)
		}
		if n := l.AnyStats().Refused; n != 1 {
			t.Errorf("Refused %d, want 1", n)
		}
		l.Close()
	})
}

// TestForwardTCPConcurrent: 1000 connections at once, each to an address
// of its own in 198.18.0.0/15, each answered with its own destination.
func TestForwardTCPConcurrent(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		p := newForwardPair(t)
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
		defer cancel()
		var held sync.WaitGroup
		held.Add(1000)
		release := make(chan struct{})
		l, err := p.a.ForwardTCP(tcp.AnyOptions{}, func(c *tcp.Conn, dst netip.AddrPort) {
			// Every handler waits until all 1000 are open, so that they
			// are open at once.
			held.Done()
			<-release
			sayWhere(c, dst)
		})
		if err != nil {
			t.Fatal(err)
		}
		defer l.Close()
		var wg sync.WaitGroup
		errs := make(chan error, 1000)
		for i := range 1000 {
			dst := netip.AddrPortFrom(netip.AddrFrom4([4]byte{198, 18 + byte(i>>8&1), byte(i), byte(1 + i%250)}), uint16(1000+i))
			wg.Go(func() {
				got, err := askWhere(ctx, p.b, dst)
				if err != nil {
					errs <- fmt.Errorf("%v: %w", dst, err)
					return
				}
				if want := fmt.Sprintf("reached at %v from %v", dst, hostPort(addrB)); !strings.HasPrefix(got, want) {
					errs <- fmt.Errorf("%v: got %q", dst, got)
				}
			})
		}
		held.Wait()
		if n := p.a.tcp.NumConns(); n < 1000 {
			t.Errorf("%d connections open at once, want 1000", n)
		}
		close(release)
		wg.Wait()
		close(errs)
		for err := range errs {
			t.Error(err)
		}
	})
}

// TestForwardUDP: datagrams to foreign addresses open one flow per
// destination and peer, and the replies come from the destination (the
// client's connected socket takes nothing from another address);
// refused and overflowing flows are dropped and counted.
func TestForwardUDP(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		p := newForwardPair(t)
		l, err := p.a.ListenAnyUDP(AnyUDPOptions{MaxFlows: 5, Allow: func(local, remote netip.AddrPort) bool {
			return local.Addr() != netip.MustParseAddr("203.0.113.66")
		}})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := p.a.ListenAnyUDP(AnyUDPOptions{}); !errors.Is(err, syscall.EADDRINUSE) {
			t.Errorf("second ListenAnyUDP: %v, want EADDRINUSE", err)
		}
		dsts := make(chan netip.AddrPort, 10)
		go func() {
			for {
				f, err := l.Accept()
				if err != nil {
					return
				}
				dsts <- f.Destination()
				go echoFlow(f)
			}
		}()
		for _, d := range []string{"203.0.113.5:53", "198.51.100.7:123", "[2001:db8:99::53]:53", "198.18.0.1:9"} {
			dst := netip.MustParseAddrPort(d)
			c, err := p.b.DialUDP(netip.AddrPort{}, dst)
			if err != nil {
				t.Fatal(err)
			}
			msg := []byte("to " + d)
			for range 3 {
				if _, err := c.Write(msg); err != nil {
					t.Fatal(err)
				}
				c.SetReadDeadline(time.Now().Add(5 * time.Second))
				buf := make([]byte, 100)
				n, from, err := c.ReadFromUDPAddrPort(buf)
				if err != nil || from != dst || string(buf[:n]) != string(msg) {
					t.Fatalf("%v: read %q from %v, %v; want the echo from %v", dst, buf[:n], from, err, dst)
				}
			}
			c.Close()
			if got := <-dsts; got != dst {
				t.Errorf("the flow's destination is %v, want %v", got, dst)
			}
		}
		// Refused: no flow, no answer.
		c, _ := p.b.DialUDP(netip.AddrPort{}, netip.MustParseAddrPort("203.0.113.66:53"))
		c.Write([]byte("refused"))
		c.Close()
		// One more flow fits (5), the next overflows.
		for _, d := range []string{"203.0.113.7:1", "203.0.113.8:1"} {
			c, _ := p.b.DialUDP(netip.AddrPort{}, netip.MustParseAddrPort(d))
			c.Write([]byte("x"))
			c.Close()
		}
		synctest.Wait()
		if st := l.Stats(); st.Flows != 5 || st.Refused != 1 || st.Overflows != 1 {
			t.Errorf("stats %+v, want 5 flows, 1 refused, 1 overflow", st)
		}
		l.Close()
		if _, err := l.Accept(); !errors.Is(err, net.ErrClosed) {
			t.Errorf("Accept after Close: %v, want net.ErrClosed", err)
		}
	})
}

// TestForwardUDPStackClose: closing the stack closes the any-address
// listener and its flows, so that nothing waits on them for ever.
func TestForwardUDPStackClose(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		p := newForwardPair(t)
		l, err := p.a.ListenAnyUDP(AnyUDPOptions{})
		if err != nil {
			t.Fatal(err)
		}
		c, err := p.b.DialUDP(netip.AddrPort{}, netip.MustParseAddrPort("198.51.100.9:7"))
		if err != nil {
			t.Fatal(err)
		}
		c.Write([]byte("x"))
		f, err := l.Accept()
		if err != nil {
			t.Fatal(err)
		}
		buf := make([]byte, 10)
		if n, err := f.Read(buf); n != 1 || err != nil {
			t.Fatalf("the flow's first datagram: %d bytes, %v", n, err)
		}
		read := make(chan error)
		go func() {
			_, err := f.Read(buf)
			read <- err
		}()
		p.a.Close()
		if err := <-read; !errors.Is(err, net.ErrClosed) {
			t.Errorf("a flow's read when the stack closed: %v, want net.ErrClosed", err)
		}
		if _, err := l.Accept(); !errors.Is(err, net.ErrClosed) {
			t.Errorf("Accept after the stack closed: %v, want net.ErrClosed", err)
		}
	})
}

// TestForwardPathMTU: a forwarded connection's segments go from its
// foreign address, so the Fragmentation Needed a narrower link answers
// them with comes to that address; the stack takes it as it takes one
// to its own, and the transfer shrinks its segments and completes
// without a retransmission timeout instead of retrying full-sized
// segments into a black hole.
func TestForwardPathMTU(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		const narrow = 1280
		ea, ra := pipe.New(pipe.Config{Queue: 4096, AddrB: ethernet.Addr{2, 0, 0, 0, 0, 0xfc}})
		rb, eb := pipe.New(pipe.Config{Queue: 4096, AddrA: ethernet.Addr{2, 0, 0, 0, 0, 0xfd}, AddrB: pipe.DefaultAddrB})
		r := &narrowRouter{mtu: narrow, addr: ipv4.Addr{10, 0, 0, 254}, mac: ethernet.Addr{2, 0, 0, 0, 0, 0xfe}}
		go r.run(ra, rb)
		go r.run(rb, ra)
		a, err := New(ea, Config{Addr: netip.PrefixFrom(addrA, 24), Rand: SeededRand(1)})
		if err != nil {
			t.Fatal(err)
		}
		b, err := New(eb, Config{Addr: netip.PrefixFrom(addrB, 24), Rand: SeededRand(2), Gateway: addrA})
		if err != nil {
			t.Fatal(err)
		}
		defer func() {
			a.Close()
			b.Close()
			ra.Close()
			rb.Close()
		}()
		const size = 256 << 10
		body := pattern(size, 3)
		l, err := a.ForwardTCP(tcp.AnyOptions{}, func(c *tcp.Conn, _ netip.AddrPort) {
			defer c.Close()
			c.Write(body)
		})
		if err != nil {
			t.Fatal(err)
		}
		defer l.Close()
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		c, err := b.DialTCP(ctx, netip.AddrPort{}, netip.MustParseAddrPort("203.0.113.80:80"))
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		c.SetDeadline(time.Now().Add(time.Minute))
		got, err := io.ReadAll(c)
		if err != nil || !bytes.Equal(got, body) {
			t.Fatalf("read %d bytes, %v; want the %d sent", len(got), err, size)
		}
		if r.tooBig.Load() == 0 {
			t.Fatal("the router sent no Fragmentation Needed: nothing was tested")
		}
		if st := a.TCPStats(); st.Timeouts != 0 {
			t.Errorf("%d retransmission timeouts: the errors to the foreign address were not taken", st.Timeouts)
		}
	})
}

// TestForwardUDPIdle: a flow with traffic stays open; one idle for
// IdleTimeout is closed (a waiting read fails with net.ErrClosed) and
// counted, and the peer's next datagram opens a new flow.
func TestForwardUDPIdle(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		p := newForwardPair(t)
		l, err := p.a.ListenAnyUDP(AnyUDPOptions{IdleTimeout: 30 * time.Second})
		if err != nil {
			t.Fatal(err)
		}
		defer l.Close()
		c, err := p.b.DialUDP(netip.AddrPort{}, netip.MustParseAddrPort("198.51.100.9:7"))
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		c.Write([]byte("1"))
		f, err := l.Accept()
		if err != nil {
			t.Fatal(err)
		}
		buf := make([]byte, 10)
		// 100 s of a datagram every 20 s: never idle for 30.
		for range 5 {
			if _, err := f.Read(buf); err != nil {
				t.Fatalf("an active flow: %v", err)
			}
			time.Sleep(20 * time.Second)
			c.Write([]byte("2"))
		}
		if _, err := f.Read(buf); err != nil {
			t.Fatalf("an active flow: %v", err)
		}
		start := time.Now()
		if _, err := f.Read(buf); !errors.Is(err, net.ErrClosed) {
			t.Fatalf("a read on an idle flow: %v, want net.ErrClosed", err)
		}
		if d := time.Since(start); d != 30*time.Second {
			t.Errorf("the idle flow closed after %v, want 30s", d)
		}
		if st := l.Stats(); st.Expired != 1 || st.Flows != 1 {
			t.Errorf("stats %+v, want 1 flow, 1 expired", st)
		}
		c.Write([]byte("3"))
		l.SetDeadline(time.Now().Add(time.Second))
		g, err := l.Accept()
		if err != nil || g == f {
			t.Fatalf("after expiry, a datagram opens %v, %v; want a new flow", g, err)
		}
		g.Close()
	})
}

// TestForwardNoForeignBind: with any-address mode on, sockets and
// listeners still bind only to the stack's own addresses: only the
// mode's connections and flows send from a foreign one.
func TestForwardNoForeignBind(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		p := newForwardPair(t)
		tl, err := p.a.ListenAnyTCP(tcp.AnyOptions{})
		if err != nil {
			t.Fatal(err)
		}
		defer tl.Close()
		ul, err := p.a.ListenAnyUDP(AnyUDPOptions{})
		if err != nil {
			t.Fatal(err)
		}
		defer ul.Close()
		foreign := netip.MustParseAddr("198.51.100.7")
		peer := netip.AddrPortFrom(addrB, 9)
		if _, err := p.a.ListenTCP(netip.AddrPortFrom(foreign, 80)); !errors.Is(err, syscall.EADDRNOTAVAIL) {
			t.Errorf("ListenTCP on a foreign address: %v, want EADDRNOTAVAIL", err)
		}
		if _, err := p.a.ListenUDP(netip.AddrPortFrom(foreign, 53)); !errors.Is(err, syscall.EADDRNOTAVAIL) {
			t.Errorf("ListenUDP on a foreign address: %v, want EADDRNOTAVAIL", err)
		}
		if _, err := p.a.DialUDP(netip.AddrPortFrom(foreign, 53), peer); !errors.Is(err, syscall.EADDRNOTAVAIL) {
			t.Errorf("DialUDP from a foreign address: %v, want EADDRNOTAVAIL", err)
		}
		ctx, cancel := context.WithTimeout(context.Background(), time.Second)
		defer cancel()
		if _, err := p.a.DialTCP(ctx, netip.AddrPortFrom(foreign, 0), peer); !errors.Is(err, syscall.EADDRNOTAVAIL) {
			t.Errorf("DialTCP from a foreign address: %v, want EADDRNOTAVAIL", err)
		}
	})
}
