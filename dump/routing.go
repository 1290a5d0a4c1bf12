package dump

import "github.com/medina-net/medina/ipv4"

// routingProto prints the IP protocols of multicast and interior routing
// (IGMP, PIM, EIGRP, OSPF), which run over IPv4 and, but for IGMP, IPv6
// (OSPF as its version 3): ip and ip6 hand them here, with the datagram's
// header, in one case of their switches.
func (p *Printer) routingProto(b []byte, length int, ip netHeader, proto ipv4.Protocol) {
	switch proto {
	case ipv4.ProtoIGMP:
		p.igmp(b, length)
	case ipv4.ProtoPIM:
		p.pim(b, length, ip)
	case ipv4.ProtoEIGRP:
		p.eigrp(b, length)
	case ipv4.ProtoOSPF:
		if ip.isV6() {
			p.ospf6(b, length)
		} else {
			p.ospf(b, length)
		}
	}
}

// v4At prints pfx and then the IPv4 address (or OSPF router, area or LSA
// ID) at b[off:]. If the address was not captured it stops the packet
// before printing pfx: tcpdump's GET_ macros read a line's fields before
// it prints any of the line.
func (p *Printer) v4At(pfx string, b []byte, off int) {
	a := ipv4.Addr(p.bytes(b, off, 4))
	p.s(pfx)
	p.out = a.AppendTo(p.out)
}

// su prints pfx and then v in decimal; callers read v, with the get
// helpers, in the call's arguments, so before pfx is printed.
func (p *Printer) su(pfx string, v uint64) {
	p.s(pfx)
	p.u(v)
}
