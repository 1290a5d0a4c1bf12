package ndp

import (
	"net/netip"
	"slices"
	"testing"
	"time"

	"github.com/medina-net/medina/icmpv6"
)

var group1 = netip.MustParseAddr("ff05::1:3")

// mldHost is a host whose link-local address is ours, its join reported,
// and everything sent so far forgotten.
func mldHost(t *testing.T, cfg Config, seed uint64) *host {
	cfg.NoRouterDiscovery = true
	h := newHost(t, cfg, seed)
	h.start()
	h.advance(10 * time.Second)
	h.pkts = nil
	return h
}

// RFC 3810 6.1: a join is reported at once and once more (robustness 2)
// within the Unsolicited Report Interval; a leave likewise. All-nodes
// and interface-local groups are never reported.
func TestMLDUnsolicited(t *testing.T) {
	h := mldHost(t, Config{}, 43)
	ll, _ := h.n.LinkLocal()
	joined := h.clk.Now()
	h.arm(h.n.JoinGroup(joined, group1))
	h.arm(h.n.JoinGroup(joined, allNodes))
	h.arm(h.n.JoinGroup(joined, netip.MustParseAddr("ff01::1:2")))
	h.advance(5 * time.Second)
	rep := h.kinds(MsgMLDv2Report)
	if len(rep) != 2 || rep[0].at != joined || rep[1].at.Sub(joined) <= 0 || rep[1].at.Sub(joined) > DefaultUnsolicitedReportInterval {
		t.Fatalf("join reports %v", rep)
	}
	for _, p := range rep {
		if p.Src != ll || p.Dst != allMLDv2Routers || p.HopLimit != 1 || !p.RouterAlert {
			t.Errorf("report %v -> %v, hop limit %d", p.Src, p.Dst, p.HopLimit)
		}
		if r := records(t, p.Msg); !slices.Equal(r, []string{"to_ex ff05::1:3"}) {
			t.Errorf("records %v", r)
		}
	}
	h.pkts = nil
	left := h.clk.Now()
	h.arm(h.n.LeaveGroup(left, group1))
	h.advance(5 * time.Second)
	rep = h.kinds(MsgMLDv2Report)
	if len(rep) != 2 || rep[0].at != left {
		t.Fatalf("leave reports %v", rep)
	}
	if r := records(t, rep[1].Msg); !slices.Equal(r, []string{"to_in ff05::1:3"}) {
		t.Errorf("records %v", r)
	}
	if slices.Contains(h.n.Groups(), group1) {
		t.Errorf("groups %v", h.n.Groups())
	}
}

// RFC 3810 6.2: a general query is answered once, with every group,
// within its Maximum Response Delay; a group-specific query with that
// group; a pending general answer sooner makes a later query's answer
// needless.
func TestMLDv2Query(t *testing.T) {
	for seed := uint64(0); seed < 20; seed++ {
		h := mldHost(t, Config{}, seed)
		h.arm(h.n.JoinGroup(h.clk.Now(), group1))
		h.advance(5 * time.Second)
		h.pkts = nil
		q := h.clk.Now()
		h.input(routerLL, allNodes, buildQuery(routerLL, netip.IPv6Unspecified(), 2000, false))
		h.advance(3 * time.Second)
		rep := h.kinds(MsgMLDv2Report)
		if len(rep) != 1 || rep[0].at.Sub(q) > 2*time.Second {
			t.Fatalf("seed %d: answers %v", seed, rep)
		}
		ll, _ := h.n.LinkLocal()
		want := []string{"is_ex " + solicitedNode(ll).String(), "is_ex ff05::1:3"}
		if r := records(t, rep[0].Msg); !slices.Equal(r, want) {
			t.Errorf("records %v, want %v", r, want)
		}

		h.pkts = nil
		q = h.clk.Now()
		h.input(routerLL, group1, buildQuery(routerLL, group1, 1000, false))
		h.advance(3 * time.Second)
		rep = h.kinds(MsgMLDv2Report)
		if len(rep) != 1 || rep[0].at.Sub(q) > time.Second {
			t.Fatalf("seed %d: group answers %v", seed, rep)
		}
		if r := records(t, rep[0].Msg); !slices.Equal(r, []string{"is_ex ff05::1:3"}) {
			t.Errorf("records %v", r)
		}

		// A query for a group we are not in: no answer.
		h.pkts = nil
		h.input(routerLL, netip.MustParseAddr("ff05::9"), buildQuery(routerLL, netip.MustParseAddr("ff05::9"), 1000, false))
		h.advance(3 * time.Second)
		if len(h.pkts) != 0 {
			t.Errorf("answered a query for another group: %v", h.pkts)
		}

		// A general query answered within a millisecond, then a group
		// one within a minute: the general answer, due first, covers
		// both.
		h.pkts = nil
		h.input(routerLL, allNodes, buildQuery(routerLL, netip.IPv6Unspecified(), 1, false))
		h.input(routerLL, group1, buildQuery(routerLL, group1, 60000, false))
		h.advance(time.Minute)
		if rep := h.kinds(MsgMLDv2Report); len(rep) != 1 || len(records(t, rep[0].Msg)) != 2 {
			t.Errorf("seed %d: %v", seed, rep)
		}
	}
}

// RFC 3810 8.2: an MLDv1 query switches the host to MLDv1 messages until
// the Older Version Querier Present Timeout; another node's report
// suppresses ours (RFC 2710 4).
func TestMLDv1Compat(t *testing.T) {
	h := mldHost(t, Config{}, 47)
	h.arm(h.n.JoinGroup(h.clk.Now(), group1))
	h.advance(5 * time.Second)
	h.pkts = nil
	q := h.clk.Now()
	h.input(routerLL, allNodes, buildQuery(routerLL, netip.IPv6Unspecified(), 10000, true))
	h.advance(10 * time.Second)
	v1 := h.kinds(MsgMLDv1Report)
	if len(v1) != 2 || len(h.kinds(MsgMLDv2Report)) != 0 {
		t.Fatalf("answers %v", h.pkts)
	}
	for _, p := range v1 {
		if p.Dst != p.Target || p.at.Sub(q) > 10*time.Second || !p.RouterAlert || p.HopLimit != 1 {
			t.Errorf("v1 report %+v", p)
		}
		m := icmpv6.Message(p.Msg)
		if g, _ := m.MulticastAddr(); m.Type() != icmpv6.TypeMLDReport || g.Netip() != p.Target || len(m) != icmpv6.MLDLen {
			t.Errorf("message %v for %v", m.Type(), g)
		}
	}

	// Suppression: another node reports group1 first.
	h.pkts = nil
	q = h.clk.Now()
	h.input(routerLL, group1, buildQuery(routerLL, group1, 10000, true))
	other := netip.MustParseAddr("fe80::77")
	rep, _ := icmpv6.EncodeMLDv1(make([]byte, 24), icmpv6.TypeMLDReport, a16(group1), a16(other), a16(group1))
	h.input(other, group1, rep)
	h.advance(11 * time.Second)
	if len(h.pkts) != 0 {
		t.Errorf("suppressed report sent: %v", h.pkts)
	}

	// A leave in v1 mode is a Done to all-routers, sent once.
	h.arm(h.n.LeaveGroup(h.clk.Now(), group1))
	h.advance(5 * time.Second)
	if d := h.kinds(MsgMLDv1Done); len(d) != 1 || d[0].Dst != allRouters || d[0].Target != group1 {
		t.Errorf("dones %v", h.pkts)
	}

	// After the timeout (2 × 125 s + 10 s) from the last v1 query, MLDv2
	// again.
	h.advance(q.Add(260 * time.Second).Sub(h.clk.Now()))
	h.pkts = nil
	h.arm(h.n.JoinGroup(h.clk.Now(), group1))
	h.advance(5 * time.Second)
	if len(h.kinds(MsgMLDv2Report)) != 2 || len(h.kinds(MsgMLDv1Report)) != 0 {
		t.Errorf("after the timeout: %v", h.pkts)
	}
}

// RFC 3810 5.1.14: a query from other than a link-local address is
// dropped; so is one of 25 to 27 bytes.
func TestMLDQueryValidation(t *testing.T) {
	h := mldHost(t, Config{}, 53)
	global := netip.MustParseAddr("2001:db8::1")
	if err := h.inputErr(global, allNodes, buildQuery(global, netip.IPv6Unspecified(), 1000, false)); err == nil {
		t.Error("query from a global address accepted")
	}
	odd, _ := icmpv6.Encode(make([]byte, 26), icmpv6.TypeMLDQuery, 0, 0, make([]byte, 18), a16(routerLL), a16(allNodes))
	if err := h.inputErr(routerLL, allNodes, odd); err == nil {
		t.Error("query of 26 bytes accepted")
	}
	h.advance(20 * time.Second)
	if len(h.pkts) != 0 {
		t.Errorf("answered: %v", h.pkts)
	}
}

// NoMLD: nothing sent, DAD still runs.
func TestNoMLD(t *testing.T) {
	h := newHost(t, Config{NoMLD: true, NoRouterDiscovery: true}, 59)
	h.start()
	h.advance(10 * time.Second)
	for _, p := range h.pkts {
		if p.Kind != MsgDADSolicit {
			t.Errorf("sent %v", p.Kind)
		}
	}
	if _, ok := h.n.LinkLocal(); !ok {
		t.Error("no link-local address")
	}
}

// With EUI-64 identifiers the link-local and SLAAC addresses share a
// solicited-node group: it is reported once, and stays while either
// address does.
func TestSharedSolicitedNode(t *testing.T) {
	h := newHost(t, Config{EUI64: true}, 73)
	h.start()
	h.advance(3 * time.Second)
	h.input(routerLL, allNodes, ra{lifetime: 1800, prefixes: []icmpv6.PrefixInfo{pio(prefix1, 100, 50)}}.build(routerLL))
	h.advance(5 * time.Second)
	ll, _ := h.n.LinkLocal()
	g := solicitedNode(ll)
	if gs := h.n.Groups(); !slices.Equal(gs, []netip.Addr{g}) {
		t.Fatalf("groups %v", gs)
	}
	if h.addr(OriginSLAAC).State != StatePreferred || solicitedNode(h.addr(OriginSLAAC).Prefix.Addr()) != g {
		t.Fatalf("SLAAC %+v", h.addr(OriginSLAAC))
	}
	joins := 0
	for _, p := range h.kinds(MsgMLDv2Report) {
		joins += len(records(t, p.Msg))
	}
	if joins != DefaultMLDRobustness {
		t.Errorf("%d join records, want %d", joins, DefaultMLDRobustness)
	}
	h.pkts = nil
	h.advance(100 * time.Second) // the SLAAC address expires
	if len(h.kinds(MsgMLDv2Report)) != 0 || !slices.Equal(h.n.Groups(), []netip.Addr{g}) {
		t.Errorf("after the SLAAC address went: %v, groups %v", h.pkts, h.n.Groups())
	}
}

// A group joined before Start is reported from Start on, not before.
func TestJoinBeforeStart(t *testing.T) {
	h := newHost(t, Config{NoRouterDiscovery: true, NoLinkLocal: true}, 89)
	h.arm(h.n.JoinGroup(h.clk.Now(), group1))
	h.advance(10 * time.Second)
	if len(h.pkts) != 0 {
		t.Fatalf("sent before Start: %v", h.pkts)
	}
	started := h.clk.Now()
	h.start()
	h.advance(10 * time.Second)
	if rep := h.kinds(MsgMLDv2Report); len(rep) != 2 || rep[0].at != started {
		t.Errorf("reports %v", rep)
	}
}
