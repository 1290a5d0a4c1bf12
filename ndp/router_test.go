package ndp

import (
	"fmt"
	"net/netip"
	"testing"
	"time"

	"github.com/medina-net/medina/icmpv6"
)

// RFC 4861 6.3.7: up to three solicitations, the first within a second
// of start, 4 s apart; from :: without a link-layer address until the
// link-local address is ours, from it with one after.
func TestRouterSolicitation(t *testing.T) {
	h := newHost(t, Config{}, 11)
	h.start()
	h.advance(time.Minute)
	rs := h.kinds(MsgRouterSolicit)
	if len(rs) != MaxRtrSolicitations {
		t.Fatalf("%d solicitations", len(rs))
	}
	if d := rs[0].at.Sub(t0); d < 0 || d > MaxRtrSolicitationDelay {
		t.Errorf("first solicitation %v after start", d)
	}
	ll, _ := h.n.LinkLocal()
	llAt := h.events(EventAddrPreferred)[0].at
	for i, p := range rs {
		if i > 0 && p.at.Sub(rs[i-1].at) != RtrSolicitationInterval {
			t.Errorf("solicitation %d %v after the previous", i, p.at.Sub(rs[i-1].at))
		}
		_, hasLL := icmpv6.Message(p.Msg).Options().Find(icmpv6.OptSourceLinkAddr)
		wantSrc := netip.IPv6Unspecified()
		if !p.at.Before(llAt) {
			wantSrc = ll
		}
		if p.Src != wantSrc || hasLL == wantSrc.IsUnspecified() || p.Dst != allRouters || p.HopLimit != 255 {
			t.Errorf("solicitation %d at %v: %v -> %v, option %v (link-local since %v)", i, p.at.Sub(t0), p.Src, p.Dst, hasLL, llAt.Sub(t0))
		}
	}
	if !h.n.Deadline().IsZero() {
		t.Errorf("deadline %v with nothing to do", h.n.Deadline())
	}
}

// A router's advertisement stops the solicitations.
func TestRouterSolicitationStops(t *testing.T) {
	h := newHost(t, Config{}, 11)
	h.start()
	h.advance(2 * time.Second)
	h.input(routerLL, allNodes, ra{lifetime: 1800}.build(routerLL))
	h.advance(time.Minute)
	if n := len(h.kinds(MsgRouterSolicit)); n != 1 {
		t.Errorf("%d solicitations", n)
	}
}

// RFC 4861 6.3.4 and RFC 4862 5.5.3: an advertisement with a prefix gives
// a router, an on-link prefix and an address formed with the prefix's
// stable identifier, which goes through DAD and ages with the prefix's
// lifetimes.
func TestSLAAC(t *testing.T) {
	h := newHost(t, Config{}, 13)
	h.start()
	h.advance(3 * time.Second)
	h.input(routerLL, allNodes, ra{hopLimit: 64, lifetime: 1800, prefixes: []icmpv6.PrefixInfo{pio(prefix1, 600, 300)}}.build(routerLL))
	raAt := h.clk.Now()
	a := h.addr(OriginSLAAC)
	want, _ := StableIID(prefix1, testMAC[:], nil, 0, h.n.secret)
	if a.Prefix != netip.PrefixFrom(withIID(prefix1, want), 64) || a.State != StateTentative {
		t.Fatalf("SLAAC address %+v, want %v", a, withIID(prefix1, want))
	}
	if ll, _ := h.n.LinkLocal(); ll.As16()[8] == a.Prefix.Addr().As16()[8] && ll.As16()[15] == a.Prefix.Addr().As16()[15] {
		t.Errorf("link-local %v and SLAAC %v share the identifier", ll, a.Prefix)
	}
	if r := h.n.Routers(); len(r) != 1 || r[0].Addr != routerLL || r[0].LinkAddr != routerMAC || r[0].Expires != raAt.Add(1800*time.Second) {
		t.Errorf("routers %+v", r)
	}
	if p := h.n.Prefixes(); len(p) != 1 || p[0].Prefix != prefix1 || p[0].Expires != raAt.Add(600*time.Second) {
		t.Errorf("prefixes %+v", p)
	}
	if h.n.HopLimit() != 64 {
		t.Errorf("hop limit %d", h.n.HopLimit())
	}
	h.advance(3 * time.Second)
	a = h.addr(OriginSLAAC)
	if a.State != StatePreferred || a.PreferredUntil != raAt.Add(300*time.Second) || a.ValidUntil != raAt.Add(600*time.Second) {
		t.Fatalf("after DAD: %+v", a)
	}
	h.advance(raAt.Add(300 * time.Second).Sub(h.clk.Now()))
	if e := h.events(EventAddrDeprecated); len(e) != 1 || e[0].at != raAt.Add(300*time.Second) || h.addr(OriginSLAAC).State != StateDeprecated {
		t.Errorf("deprecated events %v", e)
	}
	h.advance(300 * time.Second)
	if e := h.events(EventAddrRemoved); len(e) != 1 || e[0].at != raAt.Add(600*time.Second) {
		t.Errorf("removed events %v", e)
	}
	if e := h.events(EventPrefixRemoved); len(e) != 1 || e[0].at != raAt.Add(600*time.Second) {
		t.Errorf("prefix removed events %v", e)
	}
	if len(h.n.Addresses()) != 1 || len(h.n.Prefixes()) != 0 {
		t.Errorf("addresses %v, prefixes %v", h.n.Addresses(), h.n.Prefixes())
	}
	// The SLAAC address's group was left: only the link-local's stays.
	if g := h.n.Groups(); len(g) != 1 {
		t.Errorf("groups %v", g)
	}
}

// What SLAAC refuses (RFC 4862 5.5.3 (a) to (d)).
func TestSLAACIgnored(t *testing.T) {
	for name, p := range map[string]icmpv6.PrefixInfo{
		"preferred > valid": pio(prefix1, 100, 200),
		"/48":               pio(netip.MustParsePrefix("2001:db8::/48"), 600, 300),
		"/96":               pio(netip.MustParsePrefix("2001:db8::/96"), 600, 300),
		"link-local":        pio(netip.MustParsePrefix("fe80::/64"), 600, 300),
		"no A flag":         {PrefixLen: 64, Flags: icmpv6.PrefixOnLink, ValidLifetime: 600, PreferredLifetime: 300, Prefix: a16(prefix1.Addr())},
		"valid 0":           pio(prefix1, 0, 0),
	} {
		h := newHost(t, Config{}, 13)
		h.start()
		h.input(routerLL, allNodes, ra{lifetime: 1800, prefixes: []icmpv6.PrefixInfo{p}}.build(routerLL))
		for _, a := range h.n.Addresses() {
			if a.Origin == OriginSLAAC {
				t.Errorf("%s: formed %v", name, a.Prefix)
			}
		}
	}
	h := newHost(t, Config{NoSLAAC: true}, 13)
	h.start()
	h.input(routerLL, allNodes, ra{lifetime: 1800, prefixes: []icmpv6.PrefixInfo{pio(prefix1, 600, 300)}}.build(routerLL))
	if len(h.n.Addresses()) != 1 || len(h.n.Prefixes()) != 1 {
		t.Errorf("NoSLAAC: addresses %v, prefixes %v", h.n.Addresses(), h.n.Prefixes())
	}
}

// RFC 4862 5.5.3 (e): the valid lifetime of an address already formed,
// after a second RA 10 s after the first.
func TestTwoHourRule(t *testing.T) {
	const inf = 0xffffffff
	h2 := uint32(TwoHours / time.Second)
	for _, tt := range []struct {
		first, second uint32 // the RAs' valid lifetimes
		// want is the valid lifetime after the second RA, from it; -1
		// for infinite, 0 when the second is ignored (the first's end
		// stays).
		want    time.Duration
		counted bool
	}{
		{first: 3600, second: 7200 + 1, want: 7201 * time.Second}, // (1) more than 2 hours
		{first: 3600, second: 5000, want: 5000 * time.Second},     // (1) more than remaining
		{first: 3600, second: 60, counted: true},                  // (2) remaining ≤ 2 h: ignored
		{first: h2 + 10, second: 60, counted: true},               // (2), remaining exactly 2 h
		{first: 86400, second: 60, want: TwoHours, counted: true}, // (3) cut to 2 hours only
		{first: 86400, second: 0, want: TwoHours, counted: true},  // (3) even for 0
		{first: 86400, second: 3 * 3600, want: 3 * time.Hour},     // (1)
		{first: inf, second: 60, want: TwoHours, counted: true},   // (3) from infinity
		{first: 3600, second: inf, want: -1},                      // (1) to infinity
	} {
		t.Run(fmt.Sprint(tt.first, "→", tt.second), func(t *testing.T) {
			h := newHost(t, Config{}, 17)
			h.start()
			h.input(routerLL, allNodes, ra{lifetime: 1800, prefixes: []icmpv6.PrefixInfo{pio(prefix1, tt.first, 0)}}.build(routerLL))
			firstEnd := h.addr(OriginSLAAC).ValidUntil
			h.advance(10 * time.Second)
			h.input(routerLL, allNodes, ra{lifetime: 1800, prefixes: []icmpv6.PrefixInfo{pio(prefix1, tt.second, 0)}}.build(routerLL))
			got := h.addr(OriginSLAAC).ValidUntil
			var want time.Time
			switch {
			case tt.want > 0:
				want = h.clk.Now().Add(tt.want)
			case tt.want == 0:
				want = firstEnd
			}
			if !got.Equal(want) {
				t.Errorf("valid until %v, want %v", got, want)
			}
			if c := h.n.Stats().TwoHourRule == 1; c != tt.counted {
				t.Errorf("counted %v", c)
			}
		})
	}
}

// Router lifetime 0 removes the router at once; the router's lifetime
// runs out by itself otherwise.
func TestRouterLifetime(t *testing.T) {
	h := newHost(t, Config{}, 19)
	h.start()
	r2 := netip.MustParseAddr("fe80::2")
	h.input(routerLL, allNodes, ra{lifetime: 1800}.build(routerLL))
	h.input(r2, allNodes, ra{lifetime: 30, prf: 1}.build(r2))
	if r := h.n.Routers(); len(r) != 2 || r[1].Preference != PrefHigh {
		t.Fatalf("routers %+v", r)
	}
	if r, _ := h.n.DefaultRouter(); r.Addr != r2 {
		t.Errorf("default router %v, want the high-preference %v", r.Addr, r2)
	}
	h.input(routerLL, allNodes, ra{lifetime: 0}.build(routerLL))
	if r := h.n.Routers(); len(r) != 1 || r[0].Addr != r2 {
		t.Fatalf("after lifetime 0: %+v", r)
	}
	start := h.clk.Now()
	h.advance(time.Minute)
	if next, ok := h.n.RemoveRouter(h.clk.Now(), r2); ok {
		h.arm(next)
		t.Error("removed a router already gone")
	}
	rem := h.events(EventRouterRemoved)
	if len(rem) != 2 || rem[0].Router != routerLL || rem[0].at != start || rem[1].Router != r2 || rem[1].at != start.Add(30*time.Second) {
		t.Errorf("removals %v", rem)
	}
	if add := h.events(EventRouterAdded); len(add) != 2 {
		t.Errorf("additions %v", add)
	}
}

// The MTU option is taken between 1280 and the link MTU (RFC 4861 6.3.4).
func TestRAMTU(t *testing.T) {
	for _, tt := range []struct {
		mtu  uint32
		want int
	}{
		{1279, 1500}, {1280, 1280}, {1400, 1400}, {1500, 1500}, {1501, 1500}, {9000, 1500}, {0xffffffff, 1500},
	} {
		h := newHost(t, Config{LinkMTU: 1500}, 23)
		h.start()
		h.input(routerLL, allNodes, ra{lifetime: 1800, mtu: tt.mtu}.build(routerLL))
		if got := h.n.MTU(); got != tt.want {
			t.Errorf("MTU option %d: MTU %d, want %d", tt.mtu, got, tt.want)
		}
		ev := h.events(EventMTU)
		if changed := tt.want != 1500; changed != (len(ev) == 1) || changed && ev[0].MTU != tt.want {
			t.Errorf("MTU option %d: events %v", tt.mtu, ev)
		}
	}
}

// RFC 8106: servers and domains with their lifetimes; 0 removes.
func TestRDNSS(t *testing.T) {
	h := newHost(t, Config{}, 29)
	h.start()
	s1, s2 := netip.MustParseAddr("2001:db8::53"), netip.MustParseAddr("2001:db8::54")
	h.input(routerLL, allNodes, ra{lifetime: 1800,
		rdnss: &rdnssOpt{lifetime: 10, addrs: []netip.Addr{s1, s2}},
		dnssl: &dnsslOpt{lifetime: 20, names: []string{"example.com", "corp.example"}},
	}.build(routerLL))
	start := h.clk.Now()
	if s := h.n.DNSServers(); len(s) != 2 || s[0].Addr != s1 || s[1].Addr != s2 || s[0].Expires != start.Add(10*time.Second) {
		t.Errorf("servers %+v", s)
	}
	if d := h.n.SearchList(); len(d) != 2 || d[0].Name != "example.com" || d[1].Name != "corp.example" {
		t.Errorf("search list %+v", d)
	}
	h.input(routerLL, allNodes, ra{lifetime: 1800, rdnss: &rdnssOpt{lifetime: 0, addrs: []netip.Addr{s2}}}.build(routerLL))
	if s := h.n.DNSServers(); len(s) != 1 || s[0].Addr != s1 {
		t.Errorf("after lifetime 0: %+v", s)
	}
	h.advance(10 * time.Second)
	if s := h.n.DNSServers(); len(s) != 0 {
		t.Errorf("after 10 s: %+v", s)
	}
	h.advance(10 * time.Second)
	if d := h.n.SearchList(); len(d) != 0 {
		t.Errorf("after 20 s: %+v", d)
	}
	ev := h.events(EventDNSChanged)
	if len(ev) != 4 || ev[0].at != start || ev[2].at != start.Add(10*time.Second) || ev[3].at != start.Add(20*time.Second) {
		t.Errorf("DNS events %v", ev)
	}
}

// A domain with bytes that have no place in a resolver's search list is
// dropped.
func TestDNSSLBadName(t *testing.T) {
	for _, name := range []string{"bad name.com", "evil\n.com", "x.y;rm"} {
		h := newHost(t, Config{}, 29)
		h.start()
		h.input(routerLL, allNodes, ra{lifetime: 1800, dnssl: &dnsslOpt{lifetime: 20, names: []string{name}}}.build(routerLL))
		if d := h.n.SearchList(); len(d) != 0 {
			t.Errorf("%q: %+v", name, d)
		}
	}
}

// RFC 4191: routes of Route Information options, by router.
func TestRouteInfo(t *testing.T) {
	h := newHost(t, Config{}, 31)
	h.start()
	p48 := netip.MustParsePrefix("2001:db8:100::/48")
	h.input(routerLL, allNodes, ra{lifetime: 1800, routes: []routeOpt{{p48, 1, 100}, {netip.MustParsePrefix("2001:db8:200::/48"), 2, 100}}}.build(routerLL))
	if r := h.n.Routes(); len(r) != 1 || r[0].Prefix != p48 || r[0].Router != routerLL || r[0].Preference != PrefHigh {
		t.Errorf("routes %+v (the reserved preference is ignored)", r)
	}
	h.advance(100 * time.Second)
	if r := h.n.Routes(); len(r) != 0 {
		t.Errorf("after 100 s: %+v", r)
	}
	if n := len(h.events(EventRoutesChanged)); n != 2 {
		t.Errorf("%d route events", n)
	}
}

// An RA sets the neighbour timers, for the caller's neighbour table, and
// RetransTimer spaces DAD's solicitations.
func TestNeighTimers(t *testing.T) {
	h := newHost(t, Config{DADTransmits: 2, NoLinkLocal: true}, 37)
	h.start()
	h.input(routerLL, allNodes, ra{lifetime: 1800, reachable: 20000, retrans: 3000}.build(routerLL))
	if e := h.events(EventNeighTimers); len(e) != 1 || e[0].BaseReachableTime != 20*time.Second || e[0].RetransTimer != 3*time.Second {
		t.Errorf("events %v", e)
	}
	h.input(routerLL, allNodes, ra{lifetime: 1800, reachable: 20000, retrans: 3000}.build(routerLL))
	if n := len(h.events(EventNeighTimers)); n != 1 {
		t.Errorf("the same timers reported again: %d events", n)
	}
	next, _ := h.n.AddAddress(h.clk.Now(), netip.MustParsePrefix("2001:db8::7/64"))
	h.arm(next)
	h.advance(10 * time.Second)
	ns := h.kinds(MsgDADSolicit)
	if len(ns) != 2 || ns[1].at.Sub(ns[0].at) != 3*time.Second {
		t.Errorf("solicitations %v", ns)
	}
}

// RFC 4861 6.1.2: what makes an advertisement invalid.
func TestRAValidation(t *testing.T) {
	good := ra{lifetime: 1800, prefixes: []icmpv6.PrefixInfo{pio(prefix1, 600, 300)}}.build(routerLL)
	h := newHost(t, Config{}, 41)
	h.start()
	global := netip.MustParseAddr("2001:db8::1")
	if err := h.inputErr(global, allNodes, ra{lifetime: 1800}.build(global)); err == nil {
		t.Error("RA from a global address accepted")
	}
	code := append([]byte(nil), good...)
	code[1] = 1
	icmpv6.Message(code).FillChecksum(a16(routerLL), a16(allNodes))
	if err := h.inputErr(routerLL, allNodes, code); err == nil {
		t.Error("RA with code 1 accepted")
	}
	short := append([]byte(nil), good[:12]...)
	icmpv6.Message(short).FillChecksum(a16(routerLL), a16(allNodes))
	if err := h.inputErr(routerLL, allNodes, short); err == nil {
		t.Error("RA of 12 bytes accepted")
	}
	zeroOpt := append(append([]byte(nil), good[:16]...), 3, 0, 0, 0, 0, 0, 0, 0)
	icmpv6.Message(zeroOpt).FillChecksum(a16(routerLL), a16(allNodes))
	if err := h.inputErr(routerLL, allNodes, zeroOpt); err == nil {
		t.Error("RA with a zero-length option accepted")
	}
	if len(h.n.Routers()) != 0 || h.n.Stats().InInvalid != 4 {
		t.Errorf("routers %v, stats %+v", h.n.Routers(), h.n.Stats())
	}
}

// The M and O flags are kept for the embedder's DHCPv6.
func TestDHCPv6Flags(t *testing.T) {
	h := newHost(t, Config{}, 83)
	h.start()
	if m, o := h.n.DHCPv6(); m || o {
		t.Errorf("before any RA: %v %v", m, o)
	}
	h.input(routerLL, allNodes, ra{lifetime: 1800, flags: 0x40}.build(routerLL))
	if m, o := h.n.DHCPv6(); m || !o {
		t.Errorf("O: %v %v", m, o)
	}
	h.input(routerLL, allNodes, ra{lifetime: 1800, flags: 0x80}.build(routerLL))
	if m, o := h.n.DHCPv6(); !m || o {
		t.Errorf("M: %v %v", m, o)
	}
}

// A router that the neighbour table finds is a host now leaves the list
// at once (RFC 4861 7.2.5).
func TestRemoveRouter(t *testing.T) {
	h := newHost(t, Config{}, 97)
	h.start()
	h.input(routerLL, allNodes, ra{lifetime: 1800}.build(routerLL))
	next, ok := h.n.RemoveRouter(h.clk.Now(), routerLL.WithZone("eth0"))
	h.arm(next)
	if !ok || len(h.n.Routers()) != 0 || len(h.events(EventRouterRemoved)) != 1 {
		t.Errorf("%v, routers %v, events %v", ok, h.n.Routers(), h.evs)
	}
}
