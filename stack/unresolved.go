package stack

import (
	"net/netip"

	"github.com/medina-net/medina/icmp"
	"github.com/medina-net/medina/icmpv6"
	"github.com/medina-net/medina/ipv4"
	"github.com/medina-net/medina/ipv6"
	"github.com/medina-net/medina/tcp"
)

// Datagrams whose neighbour never resolved.
//
// A datagram for a neighbour whose link-layer address is not known waits
// in the neighbour table while ARP or Neighbor Discovery asks for it:
// MaxMulticastSolicit requests RetransTime apart, 3 s by default as on
// Linux (arp.CacheConfig.MaxRetries and RetransTime for IPv4,
// Config.NDP's MaxMulticastSolicit and RetransTime for IPv6). When the
// last request goes unanswered the table hands the datagrams back, and
// they are dropped (counted in IP.OutDiscards, and by the table in
// ARP.Unresolved or NDP.Unresolved). Their sender is the stack itself,
// so there is nobody to send an ICMP error to; Linux tells the sender
// instead, with an ICMP host (address, for IPv6) unreachable it sends
// itself, and so does the stack, without the message: a TCP connection
// in its handshake ends with EHOSTUNREACH (the engine takes the error as
// hard, tcp.ICMPError.Local), so that a Dial to a host that is not there
// fails in 3 s, not after two minutes of SYN retries; an established one
// keeps it as its soft error; a connected UDP socket gets EHOSTUNREACH on
// its next call, as after an ICMP error.

// unresolved4 tells the sender of an IPv4 datagram that waited for a
// neighbour that never answered ARP.
func (s *Stack) unresolved4(dg []byte) {
	s.ctr.ip.outDiscards.Add(1)
	h, err := ipv4.NewHeader(dg)
	if err != nil || h.FragOffsetUnits() != 0 || h.HeaderLen() > len(dg) {
		// Only the first fragment names the flow.
		return
	}
	transport := dg[h.HeaderLen():]
	switch h.Protocol() {
	case ipv4.ProtoTCP:
		s.tcp.InputError(h.Src().Netip(), h.Dst().Netip(), transport,
			tcp.ICMPError{Kind: tcp.ICMPHostUnreachable, Local: true})
	case ipv4.ProtoUDP:
		s.udpError(h, transport, icmp.TypeDestUnreachable, icmp.UnreachHost)
	}
}

// unresolved6 is unresolved4 for an IPv6 packet whose neighbour never
// answered Neighbor Discovery: RFC 4861 7.2.2 has the host send ICMPv6
// address unreachable, here to itself.
func (s *Stack) unresolved6(pkt []byte) {
	s.ctr.ip6.outDiscards.Add(1)
	h, err := ipv6.NewHeader(pkt)
	if err != nil {
		return
	}
	proto, off, how := h.UpperLayer()
	if how != ipv6.ChainUpper || off > len(pkt) {
		return // a fragment other than the first
	}
	transport := pkt[off:]
	switch proto {
	case ipv4.ProtoTCP:
		s.tcp.InputError(h.Src().Netip(), h.Dst().Netip(), transport,
			tcp.ICMPError{Kind: tcp.ICMPAddrUnreachable, Local: true})
	case ipv4.ProtoUDP:
		s.udp6Error(h, transport, icmpv6.TypeDestUnreachable, icmpv6.UnreachAddress)
	}
}

// routeTo reports ErrNoRoute when the stack has no next hop for dst (an
// address of neither family, or the stack has none of dst's family): a
// dial fails at once, as Linux's connect(2) does with ENETUNREACH, rather
// than send into nothing.
func (s *Stack) routeTo(dst netip.Addr) error {
	dst = dst.Unmap().WithZone("")
	if dst.Is4() {
		if !s.addrs().has4() {
			return ErrNoRoute
		}
		_, err := s.nextHop(ipv4.Addr(dst.As4()))
		return err
	}
	if _, ok := s.addrs().source6(ipv6.Addr(dst.As16())); !ok {
		return ErrNoRoute
	}
	_, err := s.addrs().nextHop6(ipv6.Addr(dst.As16()))
	return err
}
