package stack

import (
	"net/netip"
	"time"

	"github.com/medina-net/medina/ethernet"
	"github.com/medina-net/medina/icmpv6"
	"github.com/medina-net/medina/ipv4"
	"github.com/medina-net/medina/ipv6"
	"github.com/medina-net/medina/neigh"
)

// Neighbor Discovery (RFC 4861): the stack resolves its neighbours'
// addresses itself, with Neighbor Solicitations and Advertisements run
// by a neigh.Table (the state machine ARP's cache runs too), answers
// solicitations for its addresses, and checks every message as sections
// 6.1 and 7.1 say (hop limit 255, code 0, lengths, options, and what each
// type requires of its addresses). Redirects are counted and otherwise
// ignored (RFC 4861 8.3 is a SHOULD; a host that ignores them only
// keeps sending through its router). What it leaves to package ndp goes
// to Config.NDPHandler: router discovery, Duplicate Address Detection and
// MLD.

// NDPHandler is the part of Neighbor Discovery the stack leaves to
// another package: address autoconfiguration and router discovery.
type NDPHandler interface {
	// HandleNDP is called, on the stack's receive goroutine, with each
	// valid Router Solicitation, Router Advertisement and Redirect, each
	// MLD message, and each Neighbor Solicitation or Advertisement whose
	// target is a tentative address of the stack's or that claims one of
	// its addresses (a duplicate). src, dst and hopLimit are the IPv6
	// header's; msg is the ICMPv6 message, valid only during the call. It
	// acts through the stack's methods: AddAddress, RemoveAddress,
	// SetAddressTentative, SetRouter6, SendICMPv6.
	HandleNDP(src, dst netip.Addr, hopLimit uint8, msg []byte)
}

// ndpHopLimit is the hop limit every Neighbor Discovery message is sent
// with, and must arrive with: a router on the way would have lowered it
// (RFC 4861 3.1).
const ndpHopLimit = 255

// ndpInput handles a Neighbor Discovery or MLD message for us whose
// checksum, code and options Check has verified.
func (s *Stack) ndpInput(h ipv6.Header, m icmpv6.Message, now time.Time) {
	c := &s.ctr.icmp6
	t := m.Type()
	if t.IsMLD() {
		c.inMLD.Add(1)
		s.toNDPHandler(h, m)
		return
	}
	if !s.ndpValid(h, m) {
		c.inNDPInvalid.Add(1)
		return
	}
	switch t {
	case icmpv6.TypeNeighborSolicit:
		c.inNeighborSolicits.Add(1)
		s.nsInput(h, m, now)
	case icmpv6.TypeNeighborAdvert:
		c.inNeighborAdverts.Add(1)
		s.naInput(h, m, now)
	case icmpv6.TypeRouterSolicit:
		c.inRouterSolicits.Add(1)
		s.toNDPHandler(h, m)
	case icmpv6.TypeRouterAdvert:
		c.inRouterAdverts.Add(1)
		s.learnFromRouter(h, m, now)
		s.toNDPHandler(h, m)
	case icmpv6.TypeRedirect:
		c.inRedirects.Add(1)
		s.toNDPHandler(h, m)
	}
}

// toNDPHandler passes a message to Config.NDPHandler, if there is one.
func (s *Stack) toNDPHandler(h ipv6.Header, m icmpv6.Message) {
	if s.cfg.NDPHandler != nil {
		s.cfg.NDPHandler.HandleNDP(h.Src().Netip(), h.Dst().Netip(), h.HopLimit(), m)
	}
}

// linkAddrOption returns the Ethernet address of the first link-layer
// address option of type t, and whether there is one; ok is false, with
// valid true, when there is none, and valid is false for one that is not
// 6 bytes (an Ethernet link's must be).
func linkAddrOption(m icmpv6.Message, t icmpv6.OptionType) (mac ethernet.Addr, ok, valid bool) {
	o, found := m.Options().Find(t)
	if !found {
		return mac, false, true
	}
	a, ok := o.EthernetAddr()
	return ethernet.Addr(a), ok, ok
}

// ndpValid checks what RFC 4861 6.1 and 7.1 ask of a message beyond
// what icmpv6's Check verified (checksum, code 0, length, options of
// nonzero length): the hop limit of 255, and per type the rules on its
// addresses.
func (s *Stack) ndpValid(h ipv6.Header, m icmpv6.Message) bool {
	if h.HopLimit() != ndpHopLimit {
		return false
	}
	src, dst := h.Src(), h.Dst()
	_, hasSLL, sllOK := linkAddrOption(m, icmpv6.OptSourceLinkAddr)
	if !sllOK {
		return false
	}
	switch m.Type() {
	case icmpv6.TypeNeighborSolicit:
		target, _ := m.Target()
		if target.IsMulticast() {
			return false
		}
		// Duplicate Address Detection: from the unspecified address, to
		// the target's solicited-node group, without a source link-layer
		// address (7.1.1).
		return !src.IsUnspecified() || dst == target.SolicitedNode() && !hasSLL
	case icmpv6.TypeNeighborAdvert:
		target, _ := m.Target()
		_, _, tllOK := linkAddrOption(m, icmpv6.OptTargetLinkAddr)
		solicited := m.NAFlags()&icmpv6.NASolicited != 0
		return !target.IsMulticast() && tllOK && !(dst.IsMulticast() && solicited)
	case icmpv6.TypeRouterSolicit:
		return !src.IsUnspecified() || !hasSLL
	case icmpv6.TypeRouterAdvert, icmpv6.TypeRedirect:
		// 6.1.2, 8.1: from a router's link-local address.
		return src.IsLinkLocalUnicast()
	}
	return false
}

// nsInput answers a Neighbor Solicitation (RFC 4861 7.2.3, 7.2.4) for one
// of our addresses, learning the sender's link-layer address from it.
func (s *Stack) nsInput(h ipv6.Header, m icmpv6.Message, now time.Time) {
	a := s.addrs()
	target, _ := m.Target()
	x, ok := a.find6(target)
	nt := s.nd6()
	if !ok {
		s.ctr.icmp6.inNDPOther.Add(1)
		return
	}
	src := h.Src()
	if x.tentative {
		// Duplicate Address Detection's business (RFC 4862 5.4.3): a
		// solicitation from :: means another host wants the address.
		s.toNDPHandler(h, m)
		return
	}
	if src.IsUnspecified() {
		// Another host checks for duplicates of an address we use:
		// tell everyone it is ours (7.2.4).
		s.sendNA(ipv6.AllNodes, target, icmpv6.NAOverride)
		return
	}
	if mac, has, _ := linkAddrOption(m, icmpv6.OptSourceLinkAddr); has {
		nt.Input(src.Netip(), neigh.Message{Kind: neigh.Solicitation, LinkAddr: mac}, now, func(pkt []byte) {
			s.sendPacket6To(mac, pkt)
		})
		s.neigh6Timer.arm(nt.Deadline())
	}
	s.sendNA(src, target, icmpv6.NASolicited|icmpv6.NAOverride)
}

// naInput takes a Neighbor Advertisement (RFC 4861 7.2.5) to the
// neighbour table; one for an address of ours is Duplicate Address
// Detection's business.
func (s *Stack) naInput(h ipv6.Header, m icmpv6.Message, now time.Time) {
	a := s.addrs()
	target, _ := m.Target()
	if _, ours := a.find6(target); ours {
		s.ctr.icmp6.inNDPDuplicates.Add(1)
		s.toNDPHandler(h, m)
		return
	}
	mac, _, _ := linkAddrOption(m, icmpv6.OptTargetLinkAddr)
	f := m.NAFlags()
	msg := neigh.Message{
		Kind:      neigh.Advertisement,
		LinkAddr:  mac,
		Solicited: f&icmpv6.NASolicited != 0,
		Override:  f&icmpv6.NAOverride != 0,
		Router:    neigh.RouterNo,
	}
	if f&icmpv6.NARouter != 0 {
		msg.Router = neigh.RouterYes
	}
	tn := target.Netip()
	r := s.nd6().Input(tn, msg, now, func(pkt []byte) {
		to := mac
		if to == (ethernet.Addr{}) {
			e, _ := s.nd6().Lookup(tn)
			to = e.LinkAddr
		}
		s.sendPacket6To(to, pkt)
	})
	if r.Probe {
		s.sendNS(target, r.ProbeTo, ipv6.Addr{})
	}
	s.neigh6Timer.arm(s.nd6().Deadline())
	if r.RouterLost {
		// The default router says it is a host now (7.2.5): the NDP
		// handler, which keeps the router list, hears of it through
		// the advertisement.
		s.toNDPHandler(h, m)
	}
}

// learnFromRouter lets the neighbour table learn a router's link-layer
// address from its advertisement (RFC 4861 6.3.4), which a host needs
// before it can send through it.
func (s *Stack) learnFromRouter(h ipv6.Header, m icmpv6.Message, now time.Time) {
	mac, has, _ := linkAddrOption(m, icmpv6.OptSourceLinkAddr)
	if !has {
		return
	}
	s.nd6().Input(h.Src().Netip(), neigh.Message{Kind: neigh.Solicitation, LinkAddr: mac, Router: neigh.RouterYes}, now, func(pkt []byte) {
		s.sendPacket6To(mac, pkt)
	})
	s.neigh6Timer.arm(s.nd6().Deadline())
}

// sendNS sends a Neighbor Solicitation for target: to its solicited-node
// group when to is zero (resolution), else to target itself at to (a
// probe of neighbour unreachability detection). Its source is pktSrc, the
// source of the packet that prompted it, when that is ours (7.2.2), else
// the address the stack would send to target from.
func (s *Stack) sendNS(target ipv6.Addr, to ethernet.Addr, pktSrc ipv6.Addr) {
	c := &s.ctr.icmp6
	a := s.addrs()
	src := pktSrc
	if !a.ours6(src) {
		var ok bool
		if src, ok = a.source6(target); !ok {
			c.outErrors.Add(1)
			return
		}
	}
	dst, mac := target, to
	if to == (ethernet.Addr{}) {
		dst = target.SolicitedNode()
		mac = dst.EthernetMulticast()
	}
	n := ipv6.HeaderLen + icmpv6.NeighborSolicitLen + 8
	bp := s.bufs.get(ethernet.HeaderLen + n)
	defer s.bufs.put(bp)
	frame := (*bp)[:ethernet.HeaderLen+n]
	pkt := frame[ethernet.HeaderLen:]
	m, err := icmpv6.EncodeNeighborSolicit(pkt[ipv6.HeaderLen:], target, s.mac[:], nil, src, dst)
	if err != nil || s.encodeIPv6(pkt, ipv4.ProtoICMPv6, src, dst, len(m), ndpHopLimit) != nil {
		c.outErrors.Add(1)
		return
	}
	s.ctr.ip6.outRequests.Add(1)
	if dst.IsMulticast() {
		s.ctr.ip6.outMcastPkts.Add(1)
	}
	s.writeEthernetType(mac, ethernet.TypeIPv6, frame[:ethernet.HeaderLen+ipv6.HeaderLen+len(m)], bp)
	c.outMsgs.Add(1)
	c.outNeighborSolicits.Add(1)
}

// sendNA sends a Neighbor Advertisement for our address target to dst,
// with our link-layer address and the given flags.
func (s *Stack) sendNA(dst, target ipv6.Addr, flags icmpv6.NAFlags) {
	c := &s.ctr.icmp6
	n := ipv6.HeaderLen + icmpv6.NeighborAdvertLen + 8
	bp := s.bufs.get(ethernet.HeaderLen + n)
	defer s.bufs.put(bp)
	pkt := (*bp)[ethernet.HeaderLen : ethernet.HeaderLen+n]
	m, err := icmpv6.EncodeNeighborAdvert(pkt[ipv6.HeaderLen:], flags, target, s.mac[:], target, dst)
	if err != nil || s.encodeIPv6(pkt, ipv4.ProtoICMPv6, target, dst, len(m), ndpHopLimit) != nil ||
		s.output6(bp, ipv6.HeaderLen+len(m), time.Time{}) != nil {
		c.outErrors.Add(1)
		return
	}
	c.outMsgs.Add(1)
	c.outNeighborAdverts.Add(1)
}

// neigh6Tick runs the IPv6 neighbour table's timers: retransmitted
// solicitations, probes, failures. Packets whose next hop did not
// resolve are dropped and counted, and their senders told (unresolved6).
func (s *Stack) neigh6Tick() {
	nt := s.nd6()
	if nt == nil {
		return
	}
	now := s.clock.Now()
	next := nt.Tick(now, func(ip netip.Addr, to ethernet.Addr) {
		s.sendNS(ipv6.Addr(ip.As16()), to, ipv6.Addr{})
	}, s.unresolved6)
	s.neigh6Timer.arm(next)
}

// confirmReachable6 is confirmReachable for IPv6: proof from an upper
// layer that the path to dst works confirms the neighbour it goes
// through (RFC 4861 7.3.1).
func (s *Stack) confirmReachable6(dst ipv6.Addr, now time.Time) {
	hop, err := s.addrs().nextHop6(dst)
	nt := s.nd6()
	if err != nil || hop.IsMulticast() || nt == nil || s.layer3 {
		return
	}
	nt.Confirm(hop.Netip(), now)
}

// Neighbors6 returns the IPv6 neighbour table's entries.
func (s *Stack) Neighbors6() []neigh.Entry {
	if nt := s.nd6(); nt != nil {
		return nt.Entries()
	}
	return nil
}
