package stack

import (
	"context"
	"errors"
	"net"
	"net/netip"
	"sync/atomic"
	"syscall"
	"testing"
	"testing/synctest"
	"time"

	"github.com/medina-net/medina/arp"
	"github.com/medina-net/medina/link"
)

// Dial errors as package net gives them: no route at once (ENETUNREACH),
// a neighbour that never answers ARP or Neighbor Discovery after the
// resolution's retries (EHOSTUNREACH), the context's end at any point.
// The tests run in synctest bubbles, where time.Since measures the
// stack's virtual clock exactly.

// dialFails dials address on s and checks that the dial fails with a
// *net.OpError "dial" matching want, after exactly after.
func dialFails(t *testing.T, s *Stack, ctx context.Context, network, address string, want error, after time.Duration) {
	t.Helper()
	start := time.Now()
	c, err := s.DialContext(ctx, network, address)
	took := time.Since(start)
	if err == nil {
		c.Close()
		t.Errorf("dial %s %s: connected, want %v", network, address, want)
		return
	}
	var oe *net.OpError
	if !errors.As(err, &oe) || oe.Op != "dial" || !errors.Is(err, want) {
		t.Errorf("dial %s %s: %v (%T), want a *net.OpError \"dial\" matching %v", network, address, err, err, want)
	}
	if took != after {
		t.Errorf("dial %s %s failed after %v, want %v", network, address, took, after)
	}
}

// TestDialNoRoute: a destination off every link with no gateway, or of a
// family the stack has no address of, fails at once with ENETUNREACH
// (ErrNoRoute), TCP and UDP alike, and sends nothing.
func TestDialNoRoute(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		// a has IPv4 and IPv6 addresses but no gateway of either
		// family; b has IPv4 only.
		p := newDualPairWith(t, dualCfgA(40), Config{Addr: netip.PrefixFrom(addrB, 24), Rand: SeededRand(41)}, nil)
		synctest.Wait()
		before := p.a.Stats()
		beforeTCP := p.a.TCPStats()
		for _, tc := range []struct {
			s                *Stack
			network, address string
		}{
			{p.a, "tcp", "192.0.2.1:80"},
			{p.a, "tcp4", "192.0.2.1:80"},
			{p.a, "tcp", "[2001:db8:1::1]:80"},
			{p.a, "udp", "192.0.2.1:53"},
			{p.a, "udp6", "[2001:db8:1::1]:53"},
			{p.b, "tcp", "[2001:db8::1]:80"}, // no IPv6 address at all
			{p.b, "udp", "[2001:db8::1]:53"},
		} {
			dialFails(t, tc.s, context.Background(), tc.network, tc.address, syscall.ENETUNREACH, 0)
			_, err := tc.s.DialContext(context.Background(), tc.network, tc.address)
			if !errors.Is(err, ErrNoRoute) {
				t.Errorf("dial %s %s: %v, want ErrNoRoute", tc.network, tc.address, err)
			}
		}
		// A context already done wins, as in package net.
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		dialFails(t, p.a, ctx, "tcp", "192.0.2.1:80", context.Canceled, 0)
		ctx, cancel = context.WithDeadline(context.Background(), time.Now())
		dialFails(t, p.a, ctx, "tcp", "192.0.2.1:80", context.DeadlineExceeded, 0)
		cancel()
		// DialTCP and DialUDP say the same.
		_, err := p.a.DialTCP(context.Background(), netip.AddrPort{}, netip.MustParseAddrPort("198.51.100.7:443"))
		wantErr(t, "DialTCP with no route", err, "dial", syscall.ENETUNREACH)
		_, err = p.a.DialUDP(netip.AddrPort{}, netip.MustParseAddrPort("198.51.100.7:443"))
		wantErr(t, "DialUDP with no route", err, "dial", syscall.ENETUNREACH)
		if got := err.Error(); got != "dial udp4 198.51.100.7:443: network is unreachable: no route to the destination" {
			t.Errorf("error text %q", got)
		}

		synctest.Wait()
		after := p.a.Stats()
		if after.Link.OutFrames != before.Link.OutFrames || p.a.TCPStats().ActiveOpens != beforeTCP.ActiveOpens {
			t.Errorf("dials with no route sent %d frames, opened %d connections",
				after.Link.OutFrames-before.Link.OutFrames, p.a.TCPStats().ActiveOpens-beforeTCP.ActiveOpens)
		}
		if n := p.a.tcp.NumConns(); n != 0 {
			t.Errorf("%d connections left", n)
		}
	})
}

// TestDialUnresolvedNeighbor: a dial to an address on the link that no
// host has fails with EHOSTUNREACH once ARP's three requests, a second
// apart, go unanswered: after 3 s, not after two minutes of SYN retries.
// So does a dial through a gateway that is not there. The datagrams that
// waited are dropped and counted.
func TestDialUnresolvedNeighbor(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		cfg := Config{Addr: netip.PrefixFrom(addrB, 24), Rand: SeededRand(43), Gateway: netip.MustParseAddr("10.0.0.254")}
		p := newDualPairWith(t, Config{Addr: netip.PrefixFrom(addrA, 24), Rand: SeededRand(42)}, cfg, nil)
		synctest.Wait()
		before := p.b.Stats()

		dialFails(t, p.b, context.Background(), "tcp", "10.0.0.9:80", syscall.EHOSTUNREACH, 3*time.Second)
		dialFails(t, p.b, context.Background(), "tcp", "192.0.2.1:80", syscall.EHOSTUNREACH, 3*time.Second)

		// A SYN retransmitted at the instant resolution fails (the
		// initial RTO's second retry is at 3 s too, as on Linux) may
		// start a resolution of its own, which fails in turn, to
		// nobody: let any such end, then check that every resolution
		// sent its three requests and failed.
		time.Sleep(10 * time.Second)
		after := p.b.Stats()
		failures := after.ARP.Failures - before.ARP.Failures
		if d := after.ARP.OutRequests - before.ARP.OutRequests; failures < 2 || d != 3*failures {
			t.Errorf("%d ARP requests, %d resolutions failed: want 3 requests for each, at least 2", d, failures)
		}
		// Each dial's SYN waited, and its retransmission a second
		// later (the initial RTO) with it: all were dropped and told.
		if d := after.ARP.Unresolved - before.ARP.Unresolved; d < 2 || d != after.IP.OutDiscards-before.IP.OutDiscards {
			t.Errorf("%d datagrams unresolved, %d discarded: want the same, at least one a dial",
				d, after.IP.OutDiscards-before.IP.OutDiscards)
		}
		if n := p.b.tcp.NumConns(); n != 0 {
			t.Errorf("%d connections left after failed dials", n)
		}
		// The neighbour that answers is unaffected.
		ln := listenTCP(t, p.a, ":80")
		defer ln.Close()
		go serveTCPEcho(ln)
		c, err := p.b.DialContext(context.Background(), "tcp", "10.0.0.1:80")
		if err != nil {
			t.Fatalf("dial to a live neighbour: %v", err)
		}
		c.Close()
	})
}

// TestDialUnresolvedConfigurable: the time a dial waits for a dead
// neighbour is ARP's RetransTime × MaxRetries (Config.ARP), and over IPv6
// Neighbor Discovery's RetransTime × MaxMulticastSolicit (Config.NDP).
func TestDialUnresolvedConfigurable(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		cb := dualCfgB(45)
		cb.ARP = arp.CacheConfig{RetransTime: 200 * time.Millisecond, MaxRetries: 2}
		cb.NDP.RetransTime = 250 * time.Millisecond
		cb.NDP.MaxMulticastSolicit = 4
		p := newDualPairWith(t, dualCfgA(44), cb, nil)
		synctest.Wait()
		dialFails(t, p.b, context.Background(), "tcp", "10.0.0.9:80", syscall.EHOSTUNREACH, 400*time.Millisecond)
		dialFails(t, p.b, context.Background(), "tcp", "[2001:db8::9]:80", syscall.EHOSTUNREACH, time.Second)
	})
}

// TestDialUnresolvedNeighbor6: over IPv6 with the defaults, Neighbor
// Discovery's three solicitations a second apart (RFC 4861's
// MAX_MULTICAST_SOLICIT and RETRANS_TIMER), on the link and through a
// default router that is not there.
func TestDialUnresolvedNeighbor6(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		cb := dualCfgB(47)
		cb.Gateway6 = netip.MustParseAddr("fe80::99")
		p := newDualPairWith(t, dualCfgA(46), cb, nil)
		synctest.Wait()
		before := p.b.Stats()
		dialFails(t, p.b, context.Background(), "tcp", "[2001:db8::9]:80", syscall.EHOSTUNREACH, 3*time.Second)
		dialFails(t, p.b, context.Background(), "tcp6", "[2001:db8:1::1]:80", syscall.EHOSTUNREACH, 3*time.Second)
		time.Sleep(10 * time.Second) // as over IPv4
		after := p.b.Stats()
		failures := after.NDP.Failures - before.NDP.Failures
		if d := after.NDP.Requests - before.NDP.Requests; failures < 2 || d != 3*failures {
			t.Errorf("%d solicitations, %d resolutions failed: want 3 solicitations for each, at least 2", d, failures)
		}
		if d := after.NDP.Unresolved - before.NDP.Unresolved; d < 2 || d != after.IPv6.OutDiscards-before.IPv6.OutDiscards {
			t.Errorf("%d packets unresolved, %d discarded", d, after.IPv6.OutDiscards-before.IPv6.OutDiscards)
		}
		if n := p.b.tcp.NumConns(); n != 0 {
			t.Errorf("%d connections left after failed dials", n)
		}
	})
}

// TestUDPUnresolvedNeighbor: a connected UDP socket whose peer never
// answers ARP (or NDP) gets EHOSTUNREACH on its next call after the
// resolution fails, once, as a Linux socket gets the error its stack
// reports to itself; the datagrams are dropped and counted.
func TestUDPUnresolvedNeighbor(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		p := newDualPair(t, 48, nil)
		synctest.Wait()
		for _, addr := range []string{"10.0.0.9:53", "[2001:db8::9]:53"} {
			before := p.b.Stats()
			c, err := p.b.Dial("udp", addr)
			if err != nil {
				t.Fatal(err)
			}
			for range 2 {
				if _, err := c.Write([]byte("anyone?")); err != nil {
					t.Fatalf("%s: write while resolving: %v", addr, err)
				}
			}
			start := time.Now()
			c.SetReadDeadline(start.Add(10 * time.Second))
			_, err = c.Read(make([]byte, 16))
			wantErr(t, "read after the neighbour failed", err, "read", syscall.EHOSTUNREACH)
			if d := time.Since(start); d != 3*time.Second {
				t.Errorf("%s: read failed after %v, want 3s", addr, d)
			}
			// Reported once: the socket works again (the next write
			// starts a new resolution).
			if _, err := c.Write([]byte("again")); err != nil {
				t.Errorf("%s: write after the error was reported: %v", addr, err)
			}
			c.Close()
			synctest.Wait()
			after := p.b.Stats()
			unresolved := after.ARP.Unresolved - before.ARP.Unresolved + after.NDP.Unresolved - before.NDP.Unresolved
			if unresolved != 2 {
				t.Errorf("%s: %d datagrams dropped unresolved, want 2", addr, unresolved)
			}
			time.Sleep(5 * time.Second) // the second resolution fails, to nobody
		}
	})
}

// TestDialContextDuringResolution: a dial's context is honoured while the
// neighbour is resolved, as in the handshake: its deadline (a timeout
// error matching context.DeadlineExceeded) and its cancellation, at the
// moment they come, with nothing left behind.
func TestDialContextDuringResolution(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		p := newDualPair(t, 50, nil)
		synctest.Wait()
		for _, addr := range []string{"10.0.0.9:80", "[2001:db8::9]:80"} {
			ctx, cancel := context.WithTimeout(context.Background(), 1500*time.Millisecond)
			dialFails(t, p.b, ctx, "tcp", addr, context.DeadlineExceeded, 1500*time.Millisecond)
			cancel()
			_, err := p.b.DialContext(ctx, "tcp", addr)
			var ne net.Error
			if !errors.As(err, &ne) || !ne.Timeout() {
				t.Errorf("%s: an expired context: %v, want a timeout", addr, err)
			}
			time.Sleep(5 * time.Second) // the resolution ends, to nobody

			ctx, cancel = context.WithCancel(context.Background())
			time.AfterFunc(2*time.Second, cancel)
			dialFails(t, p.b, ctx, "tcp", addr, context.Canceled, 2*time.Second)
			time.Sleep(5 * time.Second)

			// A deadline later than the resolution's end: the
			// resolution's error, when it comes.
			ctx, cancel = context.WithTimeout(context.Background(), time.Minute)
			dialFails(t, p.b, ctx, "tcp", addr, syscall.EHOSTUNREACH, 3*time.Second)
			cancel()
			synctest.Wait()
			if n := p.b.tcp.NumConns(); n != 0 {
				t.Errorf("%s: %d connections left", addr, n)
			}
		}
	})
}

// mutedDevice drops every frame written while muted: a host that has
// gone silent.
type mutedDevice struct {
	link.Device
	muted atomic.Bool
}

func (d *mutedDevice) WriteFrame(f []byte) error {
	if d.muted.Load() {
		return nil
	}
	return d.Device.WriteFrame(f)
}

// TestEstablishedNeighborGone: a peer that goes silent in the middle of
// a connection stops answering ARP too; the retransmissions then wait
// for a neighbour that never resolves, and the connection, when its
// retries run out, fails with EHOSTUNREACH, as on Linux, rather than
// ETIMEDOUT: the error says why.
func TestEstablishedNeighborGone(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		var server *mutedDevice
		p := newPair(t, 52, func(a, b link.Device) (link.Device, link.Device) {
			server = &mutedDevice{Device: a}
			return server, b
		})
		ln := listenTCP(t, p.a, ":80")
		defer ln.Close()
		go serveTCPEcho(ln)
		c, err := p.b.DialContext(context.Background(), "tcp", "10.0.0.1:80")
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		expectEchoes(t, c, 100)
		c.SetReadDeadline(time.Time{})
		server.muted.Store(true)
		before := p.b.Stats()
		if _, err := c.Write([]byte("anyone there?")); err != nil {
			t.Fatal(err)
		}
		start := time.Now()
		_, err = c.Read(make([]byte, 100))
		wantErr(t, "read from a peer that went silent", err, "read", syscall.EHOSTUNREACH)
		t.Logf("the connection failed %v after the peer went silent", time.Since(start))
		if d := p.b.Stats().ARP.Unresolved - before.ARP.Unresolved; d == 0 {
			t.Error("no retransmission waited for the silent neighbour")
		}
	})
}
