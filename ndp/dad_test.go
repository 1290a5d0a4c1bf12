package ndp

import (
	"bytes"
	"net/netip"
	"testing"
	"time"

	"github.com/medina-net/medina/icmpv6"
)

// RFC 4862 5.4.2: after a random delay of up to a second, the
// solicited-node group is joined (the report leaves first, from ::), then
// DupAddrDetectTransmits solicitations from :: to that group,
// RetransTimer apart; RetransTimer after the last, the address is
// preferred.
func TestDADSuccess(t *testing.T) {
	for _, transmits := range []int{1, 2, 3} {
		h := newHost(t, Config{DADTransmits: transmits, NoRouterDiscovery: true}, 3)
		h.start()
		ll := h.addr(OriginLinkLocal)
		if ll.State != StateTentative {
			t.Fatalf("state %v at start", ll.State)
		}
		if e := h.events(EventAddrTentative); len(e) != 1 || e[0].Prefix != ll.Prefix {
			t.Errorf("tentative events %v", e)
		}
		h.advance(10 * time.Second)
		ns := h.kinds(MsgDADSolicit)
		if len(ns) != transmits {
			t.Fatalf("%d transmits: %d solicitations", transmits, len(ns))
		}
		first := ns[0].at
		if d := first.Sub(t0); d < 0 || d > MaxRtrSolicitationDelay {
			t.Errorf("first solicitation %v after start", d)
		}
		for i, p := range ns {
			if p.at != first.Add(time.Duration(i)*time.Second) {
				t.Errorf("solicitation %d at %v, want %v", i, p.at.Sub(t0), first.Add(time.Duration(i)*time.Second).Sub(t0))
			}
			if !p.Src.IsUnspecified() || p.Dst != solicitedNode(ll.Prefix.Addr()) || p.Target != ll.Prefix.Addr() || p.HopLimit != 255 {
				t.Errorf("solicitation %v -> %v for %v, hop limit %d", p.Src, p.Dst, p.Target, p.HopLimit)
			}
			m := icmpv6.Message(p.Msg)
			if tg, _ := m.Target(); tg.Netip() != ll.Prefix.Addr() || m.Type() != icmpv6.TypeNeighborSolicit {
				t.Errorf("message %v for %v", m.Type(), tg)
			}
			if _, ok := m.Options().Find(icmpv6.OptSourceLinkAddr); ok {
				t.Error("source link-layer address option from ::")
			}
			if n := nonceOf(t, p.Msg); len(n) != 6 {
				t.Errorf("nonce %x", n)
			}
		}
		rep := h.kinds(MsgMLDv2Report)
		if len(rep) == 0 || rep[0].at != first || !rep[0].Src.IsUnspecified() || rep[0].Dst != allMLDv2Routers || !rep[0].RouterAlert || rep[0].HopLimit != 1 {
			t.Fatalf("join report %+v", rep)
		}
		if r := records(t, rep[0].Msg); len(r) != 1 || r[0] != "to_ex "+solicitedNode(ll.Prefix.Addr()).String() {
			t.Errorf("join records %v", r)
		}
		// The report precedes the first solicitation.
		if h.pkts[0].Kind != MsgMLDv2Report {
			t.Errorf("first message %v", h.pkts[0].Kind)
		}
		pref := h.events(EventAddrPreferred)
		if len(pref) != 1 || pref[0].at != ns[len(ns)-1].at.Add(time.Second) {
			t.Errorf("preferred events %v, last solicitation at %v", pref, ns[len(ns)-1].at)
		}
		if s := h.addr(OriginLinkLocal).State; s != StatePreferred {
			t.Errorf("state %v after DAD", s)
		}
		if st := h.n.Stats(); st.DADStarted != 1 || st.DADSucceeded != 1 || st.OutDADSolicits != uint64(transmits) {
			t.Errorf("stats %+v", st)
		}
	}
}

// DADTransmits < 0: no solicitation, the address is preferred at once
// (its group is still joined).
func TestDADDisabled(t *testing.T) {
	h := newHost(t, Config{DADTransmits: -1, NoRouterDiscovery: true}, 3)
	h.start()
	h.advance(2 * time.Second)
	if len(h.kinds(MsgDADSolicit)) != 0 {
		t.Error("solicitation sent with DAD disabled")
	}
	if s := h.addr(OriginLinkLocal).State; s != StatePreferred {
		t.Errorf("state %v", s)
	}
}

// duplicateBy returns a message that makes a tentative target a
// duplicate, or not.
type dadCase struct {
	name string
	msg  func(h *host, target netip.Addr) (src, dst netip.Addr, msg []byte)
	dup  bool
}

var dadCases = []dadCase{
	{"NS from :: with another nonce", func(h *host, a netip.Addr) (netip.Addr, netip.Addr, []byte) {
		return netip.IPv6Unspecified(), solicitedNode(a), buildNS(a, netip.IPv6Unspecified(), []byte{1, 2, 3, 4, 5, 6})
	}, true},
	{"NS from :: without nonce", func(h *host, a netip.Addr) (netip.Addr, netip.Addr, []byte) {
		return netip.IPv6Unspecified(), solicitedNode(a), buildNS(a, netip.IPv6Unspecified(), nil)
	}, true},
	{"NA", func(h *host, a netip.Addr) (netip.Addr, netip.Addr, []byte) {
		return routerLL, allNodes, buildNA(a, routerLL)
	}, true},
	{"our own NS looped back", func(h *host, a netip.Addr) (netip.Addr, netip.Addr, []byte) {
		ns := h.kinds(MsgDADSolicit)
		return netip.IPv6Unspecified(), solicitedNode(a), ns[len(ns)-1].Msg
	}, false},
	{"NS from a unicast address (address resolution)", func(h *host, a netip.Addr) (netip.Addr, netip.Addr, []byte) {
		return routerLL, solicitedNode(a), buildNS(a, routerLL, nil)
	}, false},
	{"NS for another address", func(h *host, a netip.Addr) (netip.Addr, netip.Addr, []byte) {
		other := netip.MustParseAddr("fe80::99")
		return netip.IPv6Unspecified(), solicitedNode(other), buildNS(other, netip.IPv6Unspecified(), nil)
	}, false},
}

// RFC 4862 5.4.3 and 5.4.4, RFC 7527: what makes a tentative address a
// duplicate; RFC 7217: a duplicate stable address is formed again with
// the next DAD counter, IDGEN_DELAY later.
func TestDADDuplicate(t *testing.T) {
	for _, tt := range dadCases {
		t.Run(tt.name, func(t *testing.T) {
			h := newHost(t, Config{NoRouterDiscovery: true}, 5)
			h.start()
			h.advance(MaxRtrSolicitationDelay) // first solicitation sent
			ll := h.addr(OriginLinkLocal).Prefix.Addr()
			src, dst, msg := tt.msg(h, ll)
			h.input(src, dst, msg)
			dupAt := h.clk.Now()
			h.advance(5 * time.Second)
			dups := h.events(EventAddrDuplicate)
			if !tt.dup {
				if len(dups) != 0 || h.addr(OriginLinkLocal).State != StatePreferred || h.addr(OriginLinkLocal).Prefix.Addr() != ll {
					t.Fatalf("not a duplicate, yet %v, %v", dups, h.n.Addresses())
				}
				return
			}
			if len(dups) != 1 || dups[0].Prefix.Addr() != ll {
				t.Fatalf("duplicate events %v", dups)
			}
			now := h.addr(OriginLinkLocal)
			if now.Prefix.Addr() == ll || now.DADCounter != 1 || now.State != StatePreferred {
				t.Fatalf("after the duplicate: %+v", now)
			}
			want, _ := StableIID(linkLocalPrefix, testMAC[:], nil, 1, h.n.secret)
			if now.Prefix.Addr() != withIID(linkLocalPrefix, want) {
				t.Errorf("retry formed %v, want DAD counter 1's %v", now.Prefix.Addr(), withIID(linkLocalPrefix, want))
			}
			ns := h.kinds(MsgDADSolicit)
			if last := ns[len(ns)-1]; last.Target != now.Prefix.Addr() || last.at != dupAt.Add(IDGenDelay) {
				t.Errorf("retry solicitation for %v at %v, want at %v", last.Target, last.at.Sub(t0), dupAt.Add(IDGenDelay).Sub(t0))
			}
			// The old group was left, the new one joined.
			if g := h.n.Groups(); len(g) != 1 || g[0] != solicitedNode(now.Prefix.Addr()) {
				t.Errorf("groups %v", g)
			}
		})
	}
}

// RFC 7217: after IDGEN_RETRIES duplicates the address is given up.
func TestDADGiveUp(t *testing.T) {
	h := newHost(t, Config{NoRouterDiscovery: true}, 5)
	h.start()
	seen := map[netip.Addr]bool{}
	for i := 0; i <= IDGenRetries; i++ {
		if i == 0 {
			h.advance(MaxRtrSolicitationDelay)
		} else {
			h.advance(IDGenDelay)
		}
		a := h.addr(OriginLinkLocal)
		if a.State != StateTentative || a.DADCounter != i || seen[a.Prefix.Addr()] || len(h.kinds(MsgDADSolicit)) != i+1 {
			t.Fatalf("try %d: %+v", i, a)
		}
		seen[a.Prefix.Addr()] = true
		h.input(routerLL, allNodes, buildNA(a.Prefix.Addr(), routerLL))
	}
	h.advance(time.Minute)
	if a := h.addr(OriginLinkLocal); a.State != StateDuplicate {
		t.Errorf("after %d duplicates: %+v", IDGenRetries+1, a)
	}
	if n := len(h.events(EventAddrDuplicate)); n != IDGenRetries+1 {
		t.Errorf("%d duplicate events", n)
	}
	if len(h.n.Groups()) != 0 {
		t.Errorf("groups %v", h.n.Groups())
	}
	if _, ok := h.n.LinkLocal(); ok {
		t.Error("a link-local address usable")
	}
}

// An EUI-64 or manual address that is a duplicate is not retried.
func TestDADDuplicateNoRetry(t *testing.T) {
	h := newHost(t, Config{EUI64: true, NoRouterDiscovery: true}, 5)
	h.start()
	h.advance(MaxRtrSolicitationDelay)
	ll := h.addr(OriginLinkLocal).Prefix.Addr()
	h.input(routerLL, allNodes, buildNA(ll, routerLL))
	man := netip.MustParsePrefix("2001:db8::5/64")
	next, err := h.n.AddAddress(h.clk.Now(), man)
	if err != nil {
		t.Fatal(err)
	}
	h.arm(next)
	h.advance(MaxRtrSolicitationDelay)
	h.input(netip.IPv6Unspecified(), solicitedNode(man.Addr()), buildNS(man.Addr(), netip.IPv6Unspecified(), nil))
	h.advance(time.Minute)
	for _, a := range h.n.Addresses() {
		if a.State != StateDuplicate {
			t.Errorf("%+v", a)
		}
	}
	if st := h.n.Stats(); st.DADDuplicates != 2 || st.IIDRetries != 0 {
		t.Errorf("stats %+v", st)
	}
}

// After DAD, an advertisement for our address is a conflict, counted,
// and a solicitation for it is the stack's to answer: neither removes
// it.
func TestAfterDAD(t *testing.T) {
	h := newHost(t, Config{NoRouterDiscovery: true}, 5)
	h.start()
	h.advance(3 * time.Second)
	ll := h.addr(OriginLinkLocal).Prefix.Addr()
	h.input(routerLL, allNodes, buildNA(ll, routerLL))
	h.input(netip.IPv6Unspecified(), solicitedNode(ll), buildNS(ll, netip.IPv6Unspecified(), nil))
	if a := h.addr(OriginLinkLocal); a.State != StatePreferred {
		t.Errorf("%+v", a)
	}
	if st := h.n.Stats(); st.Conflicts != 1 || st.DADDuplicates != 0 {
		t.Errorf("stats %+v", st)
	}
}

// RFC 4861 7.1.1: a solicitation from :: must go to the target's
// solicited-node group and carry no source link-layer address.
func TestNSValidation(t *testing.T) {
	h := newHost(t, Config{NoRouterDiscovery: true}, 5)
	h.start()
	h.advance(MaxRtrSolicitationDelay)
	ll := h.addr(OriginLinkLocal).Prefix.Addr()
	unspec := netip.IPv6Unspecified()
	bad := map[string]struct {
		src, dst netip.Addr
		msg      []byte
	}{
		"to all-nodes":     {unspec, allNodes, mustNS(ll, nil, unspec, allNodes)},
		"with SLLA":        {unspec, solicitedNode(ll), mustNS(ll, routerMAC[:], unspec, solicitedNode(ll))},
		"multicast target": {unspec, solicitedNode(allNodes), mustNS(allNodes, nil, unspec, solicitedNode(allNodes))},
	}
	for name, m := range bad {
		if err := h.inputErr(m.src, m.dst, m.msg); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
	corrupt := bytes.Clone(buildNS(ll, unspec, nil))
	corrupt[len(corrupt)-1] ^= 1
	if err := h.inputErr(unspec, solicitedNode(ll), corrupt); err == nil {
		t.Error("bad checksum accepted")
	}
	if a := h.addr(OriginLinkLocal); a.State != StateTentative && a.State != StatePreferred || a.Prefix.Addr() != ll {
		t.Errorf("%+v", a)
	}
	if st := h.n.Stats(); st.InInvalid != uint64(len(bad)+1) {
		t.Errorf("InInvalid %d", st.InInvalid)
	}
}

func mustNS(target netip.Addr, ll []byte, src, dst netip.Addr) []byte {
	m, err := icmpv6.EncodeNeighborSolicit(make([]byte, 64), a16(target), ll, nil, a16(src), a16(dst))
	if err != nil {
		panic(err)
	}
	return m
}

// An address added before Start waits for it; Start twice starts once.
func TestAddBeforeStart(t *testing.T) {
	h := newHost(t, Config{NoRouterDiscovery: true, NoLinkLocal: true}, 79)
	p := netip.MustParsePrefix("2001:db8::5/64")
	if _, err := h.n.AddAddress(h.clk.Now(), p); err != nil {
		t.Fatal(err)
	}
	if _, err := h.n.AddAddress(h.clk.Now(), netip.MustParsePrefix("10.0.0.1/8")); err == nil {
		t.Error("IPv4 address accepted")
	}
	h.advance(10 * time.Second)
	if len(h.pkts) != 0 || h.addr(OriginManual).State != StateTentative {
		t.Fatalf("before Start: %v, %+v", h.pkts, h.n.Addresses())
	}
	h.start()
	h.start()
	h.advance(10 * time.Second)
	if len(h.kinds(MsgDADSolicit)) != 1 || h.addr(OriginManual).State != StatePreferred {
		t.Errorf("after Start: %v, %+v", h.pkts, h.n.Addresses())
	}
	if st := h.n.Stats(); st.DADStarted != 1 {
		t.Errorf("DADStarted %d", st.DADStarted)
	}
	next, ok := h.n.RemoveAddress(h.clk.Now(), p.Addr())
	h.arm(next)
	if !ok || len(h.n.Addresses()) != 0 || len(h.events(EventAddrRemoved)) != 1 {
		t.Errorf("RemoveAddress: %v, %v", ok, h.n.Addresses())
	}
}

// A stack that loops its multicast back calls Input from Send: no
// deadlock, and our own solicitation is recognised by its nonce (RFC
// 7527).
func TestLoopbackFromSend(t *testing.T) {
	now := t0
	var n *NDP
	var kinds []MsgKind
	n = New(Config{MAC: testMAC, NoRouterDiscovery: true, Send: func(p Packet) {
		kinds = append(kinds, p.Kind)
		if _, err := n.Input(now, p.Src, p.Dst, p.Msg); err != nil {
			t.Errorf("looped back %v: %v", p.Kind, err)
		}
	}, Event: func(Event) { n.Addresses() }})
	next := n.Start(now)
	for i := 0; i < 10 && !next.IsZero(); i++ {
		now = next
		next = n.Tick(now)
	}
	if a := n.Addresses(); len(a) != 1 || a[0].State != StatePreferred {
		t.Errorf("addresses %+v", a)
	}
	if st := n.Stats(); st.DADLoopedBack != 1 || st.DADDuplicates != 0 {
		t.Errorf("stats %+v", st)
	}
	if len(kinds) == 0 {
		t.Error("nothing sent")
	}
}
