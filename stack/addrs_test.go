package stack

import (
	"context"
	"errors"
	"math/rand/v2"
	"net/netip"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/medina-net/medina/ethernet"
	"github.com/medina-net/medina/icmpv6"
	"github.com/medina-net/medina/ipv4"
	"github.com/medina-net/medina/ipv6"
	"github.com/medina-net/medina/link/pipe"
)

func TestConfigAddrs(t *testing.T) {
	p := func(s string) netip.Prefix { return netip.MustParsePrefix(s) }
	a := func(s string) netip.Addr { return netip.MustParseAddr(s) }
	for _, c := range []struct {
		name string
		cfg  Config
		ok   bool
	}{
		{"IPv4 only", Config{Addr: p("10.0.0.1/24")}, true},
		{"IPv6 only", Config{Addrs: []netip.Prefix{p("2001:db8::1/64")}}, true},
		{"both, gateways", Config{Addr: p("10.0.0.1/24"), Addrs: []netip.Prefix{p("10.0.1.1/24"), p("2001:db8::1/64")},
			Gateway: a("10.0.1.254"), Gateway6: a("fe80::1")}, true},
		{"no address", Config{}, false},
		{"IPv6 in Addr", Config{Addr: p("2001:db8::1/64")}, false},
		{"twice", Config{Addr: p("10.0.0.1/24"), Addrs: []netip.Prefix{p("10.0.0.1/16")}}, false},
		{"multicast", Config{Addrs: []netip.Prefix{p("ff02::1/64")}}, false},
		{"mapped", Config{Addrs: []netip.Prefix{p("::ffff:10.0.0.1/120")}}, false},
		{"gateway off link", Config{Addrs: []netip.Prefix{p("2001:db8::1/64")}, Gateway6: a("2001:db9::1")}, false},
		{"IPv4 gateway6", Config{Addr: p("10.0.0.1/24"), Gateway6: a("10.0.0.254")}, false},
		{"IPv6 gateway", Config{Addr: p("10.0.0.1/24"), Gateway: a("fe80::1")}, false},
	} {
		ea, _ := pipe.New(pipe.Config{})
		s, err := New(ea, c.cfg)
		if (err == nil) != c.ok {
			t.Errorf("%s: %v", c.name, err)
		}
		if err != nil && !errors.Is(err, ErrConfig) {
			t.Errorf("%s: %v does not wrap ErrConfig", c.name, err)
		}
		if s != nil {
			s.Close()
		} else {
			ea.Close()
		}
	}
	// A link too small for IPv6.
	ea, _ := pipe.New(pipe.Config{MTU: 1000})
	if _, err := New(ea, Config{Addrs: []netip.Prefix{p("2001:db8::1/64")}}); !errors.Is(err, ErrConfig) {
		t.Errorf("IPv6 on a 1000-byte link: %v", err)
	}
	ea.Close()
}

// TestSecondIPv4Address: a stack with two IPv4 addresses on two links
// answers ARP and echo requests for both, from the address asked, and a
// socket bound to the second sends from it.
func TestSecondIPv4Address(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		ca := Config{Addr: netip.MustParsePrefix("10.0.0.1/24"), Addrs: []netip.Prefix{netip.MustParsePrefix("10.0.1.1/24")}, Rand: SeededRand(1)}
		cb := Config{Addr: netip.MustParsePrefix("10.0.1.2/24"), Rand: SeededRand(2)}
		p := newDualPairWith(t, ca, cb, nil)
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		if _, err := p.b.Ping(ctx, netip.MustParseAddr("10.0.1.1"), 56); err != nil {
			t.Fatal(err)
		}
		srv, err := p.a.ListenPacket("udp4", "10.0.1.1:7")
		if err != nil {
			t.Fatal(err)
		}
		go echo(srv)
		c, err := p.b.Dial("udp", "10.0.1.1:7")
		if err != nil {
			t.Fatal(err)
		}
		c.Write([]byte("second"))
		c.SetReadDeadline(time.Now().Add(time.Second))
		buf := make([]byte, 10)
		if n, err := c.Read(buf); err != nil || string(buf[:n]) != "second" {
			t.Fatalf("%q %v", buf[:n], err)
		}
		if got := p.a.Addrs(); len(got) != 2 || got[1] != netip.MustParsePrefix("10.0.1.1/24") {
			t.Errorf("Addrs %v", got)
		}
	})
}

// TestIPv6OnlyStack: a stack without IPv4 pings and exchanges datagrams
// over IPv6, drops IPv4 and answers no ARP.
func TestIPv6OnlyStack(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		ca := Config{Addrs: []netip.Prefix{netip.PrefixFrom(addrA6, 64)}, Rand: SeededRand(1)}
		p := newDualPairWith(t, ca, dualCfgB(2), nil)
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		if _, err := p.b.Ping(ctx, addrA6, 56); err != nil {
			t.Fatal(err)
		}
		if _, err := p.a.Ping(ctx, addrB6, 56); err != nil {
			t.Fatal(err)
		}
		ctx2, cancel2 := context.WithTimeout(context.Background(), time.Second)
		defer cancel2()
		if _, err := p.a.Ping(ctx2, addrB, 0); err == nil {
			t.Error("an IPv6-only stack pinged an IPv4 address")
		}
		if got := p.a.Addr(); got != netip.PrefixFrom(addrA6, 64) {
			t.Errorf("Addr %v", got)
		}
		if st := p.a.Stats(); st.ARP.OutRequests != 0 || st.ARP.OutReplies != 0 {
			t.Errorf("ARP from an IPv6-only stack: %+v", st.ARP)
		}
	})
}

// ndpRecorder is an NDPHandler that keeps what it hears.
type ndpRecorder struct {
	mu   sync.Mutex
	msgs []icmpv6.Type
	srcs []netip.Addr
}

func (r *ndpRecorder) HandleNDP(src, dst netip.Addr, hopLimit uint8, msg []byte) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.msgs = append(r.msgs, icmpv6.Type(msg[0]))
	r.srcs = append(r.srcs, src)
}

func (r *ndpRecorder) got() []icmpv6.Type {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]icmpv6.Type(nil), r.msgs...)
}

// TestNDPSeam: the interface package ndp plugs into. A tentative address
// takes no packets and is no source, but the solicitations and
// advertisements about it reach the handler, as do router
// advertisements and redirects; SendICMPv6 sends Duplicate Address
// Detection's solicitation from ::; once the address is no longer
// tentative, it is used; removed, it is gone.
func TestNDPSeam(t *testing.T) {
	rec := &ndpRecorder{}
	tent := netip.MustParseAddr("2001:db8::77")
	h := newHarness6(t, func(c *Config) { c.NDPHandler = rec })
	h.learnPeer()
	if err := h.s.AddAddress(netip.PrefixFrom(tent, 64), AddrTentative); err != nil {
		t.Fatal(err)
	}
	tent6 := ipv6.Addr(tent.As16())
	// DAD's solicitation, sent by the handler through the stack.
	ns := make([]byte, 24)
	msg, _ := icmpv6.EncodeNeighborSolicit(ns, tent6, nil, nil, ipv6.Unspecified, tent6.SolicitedNode())
	if err := h.s.SendICMPv6(netip.IPv6Unspecified(), tent6.SolicitedNode().Netip(), 255, false, msg); err != nil {
		t.Fatal(err)
	}
	out := h.out()
	if len(out) != 1 || out[0].Src() != ipv6.Unspecified || out[0].HopLimit() != 255 || out[0].Dst() != tent6.SolicitedNode() {
		t.Fatalf("DAD solicitation: %v", out)
	}
	if m := icmpOf(out)[0]; !m.ChecksumValid(out[0].Src(), out[0].Dst()) {
		t.Error("bad checksum")
	}
	// MLD report with a router alert, hop limit 1.
	report := make([]byte, 8)
	report[0] = byte(icmpv6.TypeMLDReport)
	if err := h.s.SendICMPv6(llA6, netip.MustParseAddr("ff02::16"), 1, true, report); err != nil {
		t.Fatal(err)
	}
	if out := h.out(); len(out) != 1 || out[0].NextHeader() != ipv4.ProtoHopOpts || out[0].HopLimit() != 1 {
		t.Fatalf("MLD report: %v", out)
	}
	// Another host's DAD for the same address, and its advertisement.
	h.send(pkt6(ipv6.Unspecified, tent6.SolicitedNode(), 255, ipv4.ProtoICMPv6, msg))
	na := make([]byte, 32)
	nam, _ := icmpv6.EncodeNeighborAdvert(na, icmpv6.NAOverride, tent6, peerMAC[:], tent6, ipv6.AllNodes)
	h.send(pkt6(peer6, ipv6.AllNodes, 255, ipv4.ProtoICMPv6, nam))
	// Packets to the tentative address are dropped.
	h.send(pkt6(peer6, tent6, 64, ipv4.ProtoICMPv6, echo6("early")))
	if len(seen(icmpOf(h.out()))) != 0 {
		t.Error("answered a packet to a tentative address")
	}
	// A router advertisement and a redirect.
	ra := icmpv6.AppendLinkAddr(make([]byte, icmpv6.RouterAdvertLen), icmpv6.OptSourceLinkAddr, peerMAC[:])
	ra[0] = byte(icmpv6.TypeRouterAdvert)
	h.send(pkt6(peerLL6, ipv6.AllNodes, 255, ipv4.ProtoICMPv6, ra))
	rd := make([]byte, icmpv6.RedirectLen)
	rd[0] = byte(icmpv6.TypeRedirect)
	h.send(pkt6(peerLL6, us6, 255, ipv4.ProtoICMPv6, rd))
	want := []icmpv6.Type{icmpv6.TypeNeighborSolicit, icmpv6.TypeNeighborAdvert, icmpv6.TypeRouterAdvert, icmpv6.TypeRedirect}
	if got := rec.got(); len(got) != len(want) || got[0] != want[0] || got[1] != want[1] || got[2] != want[2] || got[3] != want[3] {
		t.Errorf("handler heard %v, want %v", got, want)
	}
	// The router advertisement taught the table the router's address.
	if e, ok := h.s.nd6().Lookup(llB6); !ok || e.LinkAddr != peerMAC || !e.IsRouter {
		t.Errorf("router entry %+v %v", e, ok)
	}

	// DAD passed: the address is in use.
	if !h.s.SetAddressTentative(tent, false) {
		t.Fatal("SetAddressTentative: no such address")
	}
	h.send(pkt6(peer6, tent6, 64, ipv4.ProtoICMPv6, echo6("now")))
	if got := seen(icmpOf(h.out())); len(got) != 1 || got[0].t != icmpv6.TypeEchoReply {
		t.Errorf("after DAD: %v", got)
	}
	if !h.s.RemoveAddress(tent) || h.s.RemoveAddress(tent) {
		t.Error("RemoveAddress")
	}
	h.send(pkt6(peer6, tent6, 64, ipv4.ProtoICMPv6, echo6("gone")))
	if got := seen(icmpOf(h.out())); len(got) != 0 {
		t.Errorf("after removal: %v", got)
	}
	// A default router, set at run time: off-link destinations go to it.
	if err := h.s.SetRouter6(llB6); err != nil {
		t.Fatal(err)
	}
	c, err := h.s.Dial("udp6", "[2001:db9::5]:53")
	if err != nil {
		t.Fatal(err)
	}
	c.Write([]byte("via the router"))
	frames := h.dev.written()
	if len(frames) != 1 || ethernet.Frame(frames[0]).Dst() != peerMAC {
		t.Errorf("off-link datagram: %d frames", len(frames))
	}
	h.s.SetRouter6(netip.Addr{})
	if _, err := c.Write([]byte("no route")); !errors.Is(err, ErrNoRoute) {
		t.Errorf("without a router: %v", err)
	}
}

// TestRouterAdvertisedSettings: what package ndp applies from a Router
// Advertisement: the link MTU (datagrams fragmented for it), the hop
// limit, the neighbour timers.
func TestRouterAdvertisedSettings(t *testing.T) {
	h := newHarness6(t, nil)
	h.learnPeer()
	if err := h.s.SetLinkMTU6(1000); err == nil {
		t.Error("an IPv6 link MTU below 1280")
	}
	if err := h.s.SetLinkMTU6(1400); err != nil {
		t.Fatal(err)
	}
	h.s.SetHopLimit6(7)
	h.s.SetNDPTimers(10*time.Second, 2*time.Second)
	c, err := h.s.Dial("udp6", "[2001:db8::2]:9")
	if err != nil {
		t.Fatal(err)
	}
	c.Write(make([]byte, 1400))
	out := h.out()
	if len(out) != 2 || len(out[0]) > 1400 || out[0].HopLimit() != 7 {
		t.Fatalf("%d packets, the first of %d bytes, hop limit %d", len(out), len(out[0]), out[0].HopLimit())
	}
	if got := h.s.nd6().Config(); got.BaseReachableTime != 10*time.Second || got.RetransTime != 2*time.Second {
		t.Errorf("neighbour timers %v, %v", got.BaseReachableTime, got.RetransTime)
	}
	h.s.SetLinkMTU6(0)
	h.s.SetHopLimit6(0)
	c.Write(make([]byte, 1400))
	if out := h.out(); len(out) != 1 || out[0].HopLimit() != DefaultHopLimit {
		t.Errorf("back to the defaults: %d packets", len(out))
	}
}

// TestSourceAvoidsDeprecated: of two global addresses, a deprecated one
// (its preferred lifetime over, RFC 4862 5.5.4) is not chosen as a
// source while another of the right scope is there (RFC 6724 rule 3),
// even when it shares a longer prefix with the destination; it still
// receives, and is chosen again once preferred.
func TestSourceAvoidsDeprecated(t *testing.T) {
	p := netip.MustParsePrefix
	ea, _ := pipe.New(pipe.Config{})
	s, err := New(ea, Config{Addrs: []netip.Prefix{p("2001:db8:1::1/64"), p("2001:db8:2::1/64")}})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	dst, _ := ipv6.AddrFromNetip(netip.MustParseAddr("2001:db8:1::99"))
	near, _ := ipv6.AddrFromNetip(netip.MustParseAddr("2001:db8:1::1"))
	far, _ := ipv6.AddrFromNetip(netip.MustParseAddr("2001:db8:2::1"))
	if src, _ := s.addrs().source6(dst); src != near {
		t.Fatalf("source for %v = %v, want %v (longest prefix)", dst, src, near)
	}
	if !s.SetAddressDeprecated(near.Netip(), true) {
		t.Fatal("SetAddressDeprecated: no such address")
	}
	if src, _ := s.addrs().source6(dst); src != far {
		t.Errorf("source with %v deprecated = %v, want %v", near, src, far)
	}
	if !s.addrs().ours6(near) {
		t.Errorf("deprecated %v no longer receives", near)
	}
	// Deprecated and alone, it is still used rather than nothing.
	s.RemoveAddress(far.Netip())
	if src, ok := s.addrs().source6(dst); !ok || src != near {
		t.Errorf("source with only deprecated %v = %v, %v", near, src, ok)
	}
	s.SetAddressDeprecated(near.Netip(), false)
	s.AddAddress(p("2001:db8:2::1/64"), 0)
	if src, _ := s.addrs().source6(dst); src != near {
		t.Errorf("source once %v is preferred again = %v", near, src)
	}
	if s.SetAddressDeprecated(netip.MustParseAddr("2001:db8:3::1"), true) {
		t.Error("SetAddressDeprecated of an address the stack lacks reported true")
	}
}

// TestCommonPrefixLen compares the word-at-a-time count with one bit at
// a time, on addresses that differ at every bit position and at random.
func TestCommonPrefixLen(t *testing.T) {
	naive := func(a, b ipv6.Addr) int {
		for i := range 128 {
			if (a[i/8]>>(7-i%8))&1 != (b[i/8]>>(7-i%8))&1 {
				return i
			}
		}
		return 128
	}
	base, _ := ipv6.AddrFromNetip(netip.MustParseAddr("2001:db8:1:2:3:4:5:6"))
	check := func(a, b ipv6.Addr) {
		if got, want := commonPrefixLen(a, b), naive(a, b); got != want {
			t.Fatalf("commonPrefixLen(%v, %v) = %d, want %d", a.Netip(), b.Netip(), got, want)
		}
	}
	check(base, base)
	for i := range 128 {
		b := base
		b[i/8] ^= 0x80 >> (i % 8)
		check(base, b)
	}
	rng := rand.New(rand.NewPCG(1, 2))
	for range 1000 {
		var a, b ipv6.Addr
		for i := range a {
			a[i] = byte(rng.Uint32())
		}
		b = a
		for i := rng.IntN(16); i < 16; i++ {
			b[i] = byte(rng.Uint32())
		}
		check(a, b)
	}
}
