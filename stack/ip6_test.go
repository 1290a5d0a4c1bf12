package stack

import (
	"context"
	"errors"
	"net"
	"net/netip"
	"syscall"
	"testing"
	"testing/synctest"
	"time"

	"github.com/medina-net/medina/link"
	"github.com/medina-net/medina/neigh"
)

// The dual-stack pair: a is 10.0.0.1, 2001:db8::1 and fe80::1; b is
// 10.0.0.2, 2001:db8::2 and fe80::2.
var (
	addrA6   = netip.MustParseAddr("2001:db8::1")
	addrB6   = netip.MustParseAddr("2001:db8::2")
	llA6     = netip.MustParseAddr("fe80::1")
	llB6     = netip.MustParseAddr("fe80::2")
	prefix6  = 64
	dualCfgA = func(seed uint64) Config {
		return Config{Addr: netip.PrefixFrom(addrA, 24), Rand: SeededRand(seed),
			Addrs: []netip.Prefix{netip.PrefixFrom(addrA6, prefix6), netip.PrefixFrom(llA6, 64)}}
	}
	dualCfgB = func(seed uint64) Config {
		return Config{Addr: netip.PrefixFrom(addrB, 24), Rand: SeededRand(seed),
			Addrs: []netip.Prefix{netip.PrefixFrom(addrB6, prefix6), netip.PrefixFrom(llB6, 64)}}
	}
)

// newDualPair builds two dual-stack stacks over a pipe, closed when the
// test ends.
func newDualPair(t *testing.T, seed uint64, wrap func(a, b link.Device) (link.Device, link.Device)) *pair {
	t.Helper()
	return newDualPairWith(t, dualCfgA(seed), dualCfgB(seed+1), wrap)
}

// newDualPairWith builds two stacks configured ca and cb over a pipe,
// wrapping each end with wrap when it is not nil, closed when the test
// ends.
func newDualPairWith(t *testing.T, ca, cb Config, wrap func(a, b link.Device) (link.Device, link.Device)) *pair {
	t.Helper()
	p := &pair{}
	ea, eb := pipeEnds()
	p.da, p.db = ea, eb
	if wrap != nil {
		p.da, p.db = wrap(ea, eb)
	}
	var err error
	if p.a, err = New(p.da, ca); err != nil {
		t.Fatal(err)
	}
	if p.b, err = New(p.db, cb); err != nil {
		p.a.Close()
		t.Fatal(err)
	}
	t.Cleanup(func() {
		p.a.Close()
		p.b.Close()
	})
	return p
}

func TestPing6(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		p := newDualPair(t, 11, nil)
		for _, dst := range []netip.Addr{addrA6, llA6.WithZone("1"), addrA6} {
			for _, size := range []int{0, 56, 1452, 3000} {
				ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
				rtt, err := p.b.Ping(ctx, dst, size)
				cancel()
				if err != nil {
					t.Fatalf("ping %v with %d bytes: %v", dst, size, err)
				}
				if rtt < 0 || rtt > time.Second {
					t.Errorf("ping %v: rtt %v", dst, rtt)
				}
			}
		}
		sa, sb := p.a.Stats(), p.b.Stats()
		if sa.ICMPv6.InEchos != 12 || sa.ICMPv6.OutEchoReplies != 12 || sb.ICMPv6.InEchoReplies != 12 {
			t.Errorf("ICMPv6: a %+v\nb %+v", sa.ICMPv6, sb.ICMPv6)
		}
		// Address resolution: b asked for a's global and link-local
		// addresses, once each, by multicast; a answered.
		if sb.ICMPv6.OutNeighborSolicits != 2 || sa.ICMPv6.OutNeighborAdverts != 2 || sb.NDP.Replies != 2 {
			t.Errorf("NDP: a %+v %+v\nb %+v %+v", sa.ICMPv6, sa.NDP, sb.ICMPv6, sb.NDP)
		}
		// 3000 bytes went in fragments both ways.
		if sa.IPv6.ReasmOKs != 3 || sb.IPv6.ReasmOKs != 3 || sa.IPv6.FragOKs != 3 || sb.IPv6.FragCreates != 9 {
			t.Errorf("fragmentation: a %+v\nb %+v", sa.IPv6, sb.IPv6)
		}
		for _, e := range p.b.Neighbors6() {
			if e.LinkAddr != p.a.HardwareAddr() || e.State != neigh.StateReachable {
				t.Errorf("b's neighbour %v", e)
			}
		}
		// A zone that names no link of the stack's.
		if _, err := p.b.Ping(context.Background(), llA6.WithZone("2"), 0); err == nil {
			t.Error("ping with zone 2 succeeded")
		}
	})
}

func TestUDP6Echo(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		p := newDualPair(t, 12, nil)
		srv, err := p.a.ListenPacket("udp6", ":7")
		if err != nil {
			t.Fatal(err)
		}
		if got := srv.LocalAddr().String(); got != "[::]:7" {
			t.Errorf("LocalAddr %s", got)
		}
		go echo(srv)
		c, err := p.b.Dial("udp6", "[2001:db8::1]:7")
		if err != nil {
			t.Fatal(err)
		}
		if got := c.LocalAddr().(*net.UDPAddr).AddrPort().Addr(); got != addrB6 {
			t.Errorf("connected socket's address %v, want %v", got, addrB6)
		}
		// As over IPv4, with IPv6's 40-byte header and its largest UDP.
		expectEchoes(t, c, 0, 1, 100, 1452, 1453, 4000, 65527)
		st := p.a.Stats()
		if st.IPv6.ReasmOKs != 3 || st.IPv6.FragOKs != 3 || st.UDP6.InDatagrams != 7 || st.UDP6.OutDatagrams != 7 {
			t.Errorf("a: %+v\n%+v", st.IPv6, st.UDP6)
		}
		if st.UDP.InDatagrams != 0 {
			t.Errorf("IPv4 UDP counted IPv6's datagrams: %+v", st.UDP)
		}
		// Too big for IPv6: 65535 bytes of payload at most.
		if _, err := c.Write(make([]byte, 65528)); !errors.Is(err, ErrMessageTooLong) {
			t.Errorf("65528 bytes: %v", err)
		}
	})
}

// TestDualStackSockets: a wildcard "udp" socket hears both families and
// answers each in its own; "udp4" and "udp6" sockets keep to theirs; a
// zone must name the stack's link.
func TestDualStackSockets(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		p := newDualPair(t, 13, nil)
		srv, err := p.a.ListenPacket("udp", ":7")
		if err != nil {
			t.Fatal(err)
		}
		if got := srv.LocalAddr().String(); got != "[::]:7" {
			t.Errorf("dual-stack LocalAddr %s", got)
		}
		go echo(srv)
		for _, c := range []struct{ network, addr string }{
			{"udp", "10.0.0.1:7"},
			{"udp4", "10.0.0.1:7"},
			{"udp", "[2001:db8::1]:7"},
			{"udp6", "[fe80::1%1]:7"},
			{"udp6", "[::ffff:10.0.0.1]:7"}, // mapped: IPv4 whatever the name says, as in package net
		} {
			conn, err := p.b.Dial(c.network, c.addr)
			if c.network == "udp6" && c.addr == "[::ffff:10.0.0.1]:7" {
				if err == nil {
					t.Errorf("udp6 dial to an IPv4-mapped address succeeded")
					conn.Close()
				}
				continue
			}
			if err != nil {
				t.Fatalf("%s %s: %v", c.network, c.addr, err)
			}
			conn.SetDeadline(time.Now().Add(time.Second))
			conn.Write([]byte(c.addr))
			buf := make([]byte, 100)
			n, err := conn.Read(buf)
			if err != nil || string(buf[:n]) != c.addr {
				t.Errorf("%s %s: %q %v", c.network, c.addr, buf[:n], err)
			}
			conn.Close()
		}

		v4, err := p.a.ListenPacket("udp4", ":8")
		if err != nil {
			t.Fatal(err)
		}
		if got := v4.LocalAddr().String(); got != "0.0.0.0:8" {
			t.Errorf("udp4 LocalAddr %s", got)
		}
		if _, err := v4.WriteTo([]byte("x"), &net.UDPAddr{IP: net.ParseIP("2001:db8::2"), Port: 9}); err == nil {
			t.Error("udp4 socket wrote to an IPv6 address")
		}
		for _, bad := range []struct{ network, addr string }{
			{"udp4", "[2001:db8::1]:7"},
			{"udp6", "10.0.0.1:7"},
			{"udp6", "[fe80::1%2]:7"},
			{"udp7", "10.0.0.1:7"},
		} {
			if c, err := p.b.Dial(bad.network, bad.addr); err == nil {
				t.Errorf("Dial(%s, %s) succeeded", bad.network, bad.addr)
				c.Close()
			}
		}
		if _, err := p.a.ListenPacket("udp6", "[2001:db8::99]:7"); !errors.Is(err, syscall.EADDRNOTAVAIL) {
			t.Errorf("listen on an address not ours: %v", err)
		}
		// An IPv6 datagram to a port nobody has: port unreachable, which
		// a connected socket hears as ECONNREFUSED.
		c, err := p.b.Dial("udp6", "[2001:db8::1]:9")
		if err != nil {
			t.Fatal(err)
		}
		c.Write([]byte("anyone?"))
		c.SetReadDeadline(time.Now().Add(time.Second))
		if _, err := c.Read(make([]byte, 10)); !errors.Is(err, syscall.ECONNREFUSED) {
			t.Errorf("read after port unreachable: %v", err)
		}
		if st := p.a.Stats(); st.UDP6.NoPorts != 1 || st.ICMPv6.OutDestUnreachs != 1 {
			t.Errorf("a: %+v %+v", st.UDP6, st.ICMPv6)
		}
	})
}

// TestNUD6: neighbour unreachability detection over IPv6 (RFC 4861 7.3):
// an entry goes STALE after ReachableTime; its next use starts DELAY,
// then PROBE with unicast solicitations, which the neighbour answers,
// and the entry is REACHABLE again. A neighbour that stops answering is
// removed after MAX_UNICAST_SOLICIT probes.
func TestNUD6(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		p := newDualPair(t, 14, nil)
		state := func() neigh.State {
			for _, e := range p.b.Neighbors6() {
				if e.Addr == addrA6 {
					return e.State
				}
			}
			return 0
		}
		ping := func() error {
			ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
			defer cancel()
			_, err := p.b.Ping(ctx, addrA6, 8)
			return err
		}
		if err := ping(); err != nil {
			t.Fatal(err)
		}
		if s := state(); s != neigh.StateReachable {
			t.Fatalf("after a ping: %v", s)
		}
		time.Sleep(50 * time.Second) // beyond the largest ReachableTime, 45 s
		if s := state(); s != neigh.StateStale {
			t.Fatalf("after 50 s: %v", s)
		}
		before := p.b.Stats().ICMPv6.OutNeighborSolicits
		if err := ping(); err != nil {
			t.Fatal(err)
		}
		if s := state(); s != neigh.StateDelay {
			t.Fatalf("used while STALE: %v", s)
		}
		time.Sleep(6 * time.Second)
		if s := state(); s != neigh.StateReachable {
			t.Fatalf("after the probe: %v", s)
		}
		if n := p.b.Stats().ICMPv6.OutNeighborSolicits - before; n != 1 {
			t.Errorf("%d solicitations to probe", n)
		}

		// a goes away: its entry is probed and removed.
		p.a.Close()
		time.Sleep(50 * time.Second)
		ping()
		time.Sleep(10 * time.Second)
		if s := state(); s != 0 {
			t.Errorf("a silent neighbour is still %v", s)
		}
		if st := p.b.Stats().NDP; st.Failures != 1 {
			t.Errorf("%+v", st)
		}
	})
}
