package stack

import (
	"net/netip"

	"github.com/medina-net/medina/icmpv6"
	"github.com/medina-net/medina/ndp"
)

// IPv6 address autoconfiguration: with Config.Autoconf, the stack runs
// package ndp on its link. ndp forms the link-local address and the
// SLAAC ones, runs Duplicate Address Detection, router discovery and
// MLD; this file binds it to the stack through the NDPHandler seam: the
// messages ndp sends go out through SendICMPv6, and its events add,
// confirm and remove the stack's addresses (AddAddress with
// AddrTentative, SetAddressTentative, RemoveAddress), set the default
// router (SetRouter6, the best of ndp's Default Router List), the link
// MTU, the hop limit and the neighbour table's timers (ndpseam.go). What
// the stack does not use itself (DNS servers, search domains, on-link
// prefixes without an address, routes of Route Information options) the
// embedder reads from Stack.Autoconf.

// autoconf binds an ndp.NDP to the stack.
type autoconf struct {
	s     *Stack
	n     *ndp.NDP
	timer timerSlot
	user  func(ndp.Event) // the embedder's Config.Autoconf.Event
}

// startAutoconf makes and starts the NDP of Config.Autoconf.
func (s *Stack) startAutoconf() {
	a := &autoconf{s: s, user: s.cfg.Autoconf.Event}
	cfg := *s.cfg.Autoconf
	cfg.MAC = s.mac
	if cfg.Rand == nil {
		cfg.Rand = lockedSource{s}
	}
	if s.layer3 {
		// No Duplicate Address Detection on a layer-3 link, as Linux
		// runs none on an IFF_NOARP interface: there is no link-layer
		// address to tell a duplicate by, and on a point-to-point link
		// no other host.
		cfg.DADTransmits = -1
	}
	if cfg.LinkMTU <= 0 || cfg.LinkMTU > s.mtu {
		cfg.LinkMTU = s.mtu
	}
	cfg.Send, cfg.Event = a.send, a.event
	a.n = ndp.New(cfg)
	a.timer.init(s.clock, a.tick)
	s.autoconf = a
	s.cfg.NDPHandler = a
	s.ensureNeigh6()
	a.timer.arm(a.n.Start(s.clock.Now()))
}

// AutoconfState is what the stack's IPv6 autoconfiguration has learned:
// the reading methods of *ndp.NDP. Those that drive it (Start, Tick,
// Input, AddAddress, RemoveAddress, RemoveRouter, JoinGroup, LeaveGroup)
// are left out: they are the stack's to call, and one called from
// outside would change ndp's state without the stack arming its timer.
type AutoconfState interface {
	Addresses() []ndp.Address
	Lookup(ip netip.Addr) (ndp.Address, bool)
	LinkLocal() (netip.Addr, bool)
	Routers() []ndp.Router
	DefaultRouter() (ndp.Router, bool)
	Prefixes() []ndp.Prefix
	Routes() []ndp.Route
	DNSServers() []ndp.DNSServer
	SearchList() []ndp.SearchDomain
	MTU() int
	HopLimit() uint8
	DHCPv6() (managed, other bool)
	Groups() []netip.Addr
	Stats() ndp.Stats
}

// Autoconf returns what the stack's autoconfiguration has learned (its
// addresses with their states and lifetimes, routers, prefixes, DNS
// servers and search list), or nil without Config.Autoconf.
func (s *Stack) Autoconf() AutoconfState {
	if s.autoconf == nil {
		return nil
	}
	return s.autoconf.n
}

// HandleNDP hands ndp the messages the stack passes on: Router
// Advertisements, MLD, and Neighbor Solicitations and Advertisements
// about tentative addresses.
func (a *autoconf) HandleNDP(src, dst netip.Addr, hopLimit uint8, msg []byte) {
	if t, _, ok := icmpv6.TypeCode(msg); ok && t.IsMLD() && hopLimit != 1 {
		// RFC 3810 5: MLD messages are link-local, sent with a hop
		// limit of 1; the stack checked Neighbor Discovery's 255.
		return
	}
	next, _ := a.n.Input(a.s.clock.Now(), src, dst, msg)
	a.timer.arm(next)
}

func (a *autoconf) tick() { a.timer.arm(a.n.Tick(a.s.clock.Now())) }

func (a *autoconf) send(p ndp.Packet) {
	if a.s.isClosed() {
		return
	}
	// A message that cannot go (the source address just removed, the
	// device closing) is one ndp repeats or does without: DAD and
	// router discovery are made to survive losses.
	_ = a.s.SendICMPv6(p.Src, p.Dst, p.HopLimit, p.RouterAlert, p.Msg)
}

func (a *autoconf) event(e ndp.Event) {
	s := a.s
	switch e.Kind {
	case ndp.EventAddrTentative:
		s.AddAddress(e.Prefix, AddrTentative)
	case ndp.EventAddrPreferred:
		s.SetAddressTentative(e.Prefix.Addr(), false)
		s.SetAddressDeprecated(e.Prefix.Addr(), false)
	case ndp.EventAddrDeprecated:
		s.SetAddressDeprecated(e.Prefix.Addr(), true)
	case ndp.EventAddrRemoved, ndp.EventAddrDuplicate:
		s.RemoveAddress(e.Prefix.Addr())
	case ndp.EventRouterAdded, ndp.EventRouterRemoved:
		r, _ := a.n.DefaultRouter()
		s.SetRouter6(r.Addr)
	case ndp.EventNeighTimers:
		s.SetNDPTimers(e.BaseReachableTime, e.RetransTimer)
	case ndp.EventMTU:
		s.SetLinkMTU6(e.MTU)
	case ndp.EventHopLimit:
		s.SetHopLimit6(e.HopLimit)
	}
	if a.user != nil {
		a.user(e)
	}
}
