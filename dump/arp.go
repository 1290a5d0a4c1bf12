package dump

import (
	"github.com/medina-net/medina/arp"
	"github.com/medina-net/medina/ethernet"
	"github.com/medina-net/medina/ipv4"
)

// The protocol types whose addresses tcpdump prints as IPv4 addresses:
// IPv4 and the old trailer encapsulation.
const etherTypeTrail = 0x1000

// arp prints an ARP, RARP or Inverse ARP packet of any hardware type, or
// an ATM ARP packet, whose length by the layer below is length (tcpdump's
// arp_print). The addresses are printed only for IPv4 over a hardware type
// whose addresses have a length; otherwise, and always with -v, the types
// and lengths come first.
func (p *Printer) arp(b []byte, length int) {
	p.proto = "arp"
	pkt, err := arp.NewPacket(b)
	if err != nil {
		p.trunc()
	}
	hrd := pkt.HardwareType()
	if hrd == arp.HardwareATM {
		p.atmARP(b, length)
		return
	}
	// tcpdump checks that the whole packet was captured before printing
	// anything of it.
	if !pkt.HasAddrs() {
		p.trunc()
	}
	pro := uint16(pkt.Protocol())
	hln, pln := pkt.HardwareLen(), pkt.ProtocolLen()
	if !p.opt.LinkHeader {
		p.s("ARP, ")
	}
	if !isIPv4Proto(pro) || pln != 4 || hln == 0 || p.opt.Verbose > 0 {
		p.s(hrd.String())
		p.s(" (len ")
		p.u(uint64(hln))
		p.s("), ")
		p.arpProtoName(pro)
		p.s(" (len ")
		p.u(uint64(pln))
		p.c(')')
		if p.opt.Verbose == 0 {
			p.arpLength(length)
			return
		}
		p.s(", ")
	}
	op := pkt.Op()
	p.s(op.String())
	p.c(' ')

	sha, spa := pkt.SenderHardware(), pkt.SenderProtocol()
	tha, tpa := pkt.TargetHardware(), pkt.TargetProtocol()
	switch op {
	case arp.OpRequest:
		p.s("who-has ")
		p.arpIPv4(pro, tpa)
		if !allZero(tha) {
			p.s(" (")
			p.linkAddr(tha, hrd)
			p.c(')')
		}
		p.s(" tell ")
		p.arpIPv4(pro, spa)
	case arp.OpReply:
		p.arpIPv4(pro, spa)
		p.s(" is-at ")
		p.linkAddr(sha, hrd)
	case arp.OpRARPRequest, arp.OpInARPRequest:
		p.s("who-is ")
		p.linkAddr(tha, hrd)
		p.s(" tell ")
		p.linkAddr(sha, hrd)
	case arp.OpRARPReply:
		p.linkAddr(tha, hrd)
		p.s(" at ")
		p.arpIPv4(pro, tpa)
	case arp.OpInARPReply:
		p.linkAddr(sha, hrd)
		p.s(" at ")
		p.arpIPv4(pro, spa)
	default:
		p.defaultPrint(b)
		return
	}
	p.arpLength(length)
}

// isIPv4Proto reports whether an ARP protocol type has IPv4 addresses.
func isIPv4Proto(pro uint16) bool {
	return pro == uint16(ethernet.TypeIPv4) || pro == etherTypeTrail
}

// arpProtoName prints the protocol type's name, or "Unknown Protocol
// (0xXXXX)".
func (p *Printer) arpProtoName(pro uint16) {
	p.tok2str(etherTypeNames, "Unknown Protocol (0x%04x)", uint32(pro))
}

// arpLength prints the ", length N" that ends an ARP line.
func (p *Printer) arpLength(length int) {
	p.s(", length ")
	p.u(uint64(length))
}

// arpIPv4 prints a protocol address as an IPv4 address, or why it cannot
// be one (tcpdump's spaddr_print_ip and tpaddr_print_ip).
func (p *Printer) arpIPv4(pro uint16, a []byte) {
	switch {
	case !isIPv4Proto(pro):
		p.s("<wrong proto type>")
	case len(a) != 4:
		p.s("<wrong len>")
	default:
		p.out = ipv4.Addr(a).AppendTo(p.out)
	}
}

// allZero reports whether every byte of b is zero.
func allZero(b []byte) bool {
	for _, c := range b {
		if c != 0 {
			return false
		}
	}
	return true
}

// linkAddr prints a hardware address of an ARP packet (tcpdump's
// linkaddr_string): "<empty>" when it has no length, a Q.922 DLCI for Frame
// Relay, and otherwise its bytes in hex separated by colons, which is how
// an Ethernet address prints too.
func (p *Printer) linkAddr(a []byte, hrd arp.HardwareType) {
	switch {
	case len(a) == 0:
		p.s("<empty>")
	case hrd == arp.HardwareFrameRelay:
		p.q922(a)
	default:
		p.hexColons(a)
	}
}

// hexColons prints bytes as two hex digits each, separated by colons.
func (p *Printer) hexColons(a []byte) {
	for i, c := range a {
		if i > 0 {
			p.c(':')
		}
		p.out = append(p.out, hexDigits[c>>4], hexDigits[c&0xf])
	}
}

// q922 prints a Frame Relay address, a Q.922 address field of 2 to 4
// bytes, as "DLCI N" (tcpdump's q922_string), or "<Invalid DLCI>" or
// "<Truncated>".
func (p *Printer) q922(a []byte) {
	dlci, ok, complete := q922DLCI(a)
	switch {
	case !complete:
		p.s("<Truncated>")
	case !ok:
		p.s("<Invalid DLCI>")
	default:
		p.s("DLCI ")
		p.u(uint64(dlci))
	}
}

// q922DLCI decodes the DLCI of a Q.922 address field. The low bit of each
// byte (EA) is set on the last one. ok is false for a field whose first
// byte claims to be the last or that is longer than 4 bytes; complete is
// false when a is too short for the field.
func q922DLCI(a []byte) (dlci uint32, ok, complete bool) {
	const ea = 0x01
	if len(a) < 1 {
		return 0, false, false
	}
	if a[0]&ea != 0 {
		return 0, false, true
	}
	if len(a) < 2 {
		return 0, false, false
	}
	dlci = uint32(a[0]&0xfc)<<2 | uint32(a[1]&0xf0)>>4
	if a[1]&ea != 0 {
		return dlci, true, true
	}
	a = a[2:]
	if len(a) < 1 {
		return 0, false, false
	}
	if a[0]&ea == 0 {
		// A 4-byte field: 7 more bits of DLCI here.
		dlci = dlci<<7 | uint32(a[0]>>1)
		a = a[1:]
	}
	if len(a) < 1 {
		return 0, false, false
	}
	if a[0]&ea == 0 {
		return 0, false, true
	}
	return dlci<<6 | uint32(a[0]>>2), true, true
}

// atmARP prints an ATM ARP packet (RFC 2225), whose addresses are each an
// ATM number and subaddress (tcpdump's atmarp_print).
func (p *Printer) atmARP(b []byte, length int) {
	pkt, err := arp.NewATMPacket(b)
	if err != nil {
		p.trunc()
	}
	if !pkt.HasAddrs() {
		p.trunc()
	}
	hrd, op := pkt.HardwareType(), pkt.Op()
	pro := uint16(pkt.Protocol())
	spln, tpln := pkt.SenderProtocolLen(), pkt.TargetProtocolLen()
	if !p.opt.LinkHeader {
		p.s("ARP, ")
	}
	if !isIPv4Proto(pro) || spln != 4 || tpln != 4 || p.opt.Verbose > 0 {
		p.s(hrd.String())
		p.s(", ")
		p.arpProtoName(pro)
		p.s(" (len ")
		p.u(uint64(spln))
		p.c('/')
		p.u(uint64(tpln))
		p.c(')')
		if p.opt.Verbose == 0 {
			p.arpLength(length)
			return
		}
		p.s(", ")
	}
	p.s(op.String())
	p.c(' ')

	switch op {
	case arp.OpRequest:
		p.s("who-has ")
		p.atmARPIPv4(pro, pkt.TargetProtocol(), "<wrong tplen>")
		if pkt.TargetNumberTL().Len() != 0 {
			p.s(" (")
			p.atmARPAddr(pkt.TargetNumber(), pkt.TargetSubaddr())
			p.c(')')
		}
		p.s(" tell ")
		p.atmARPIPv4(pro, pkt.SenderProtocol(), "<wrong splen>")
	case arp.OpReply:
		p.atmARPIPv4(pro, pkt.SenderProtocol(), "<wrong splen>")
		p.s(" is-at ")
		p.atmARPAddr(pkt.SenderNumber(), pkt.SenderSubaddr())
	case arp.OpInARPRequest:
		p.s("who-is ")
		p.atmARPAddr(pkt.TargetNumber(), pkt.TargetSubaddr())
		p.s(" tell ")
		p.atmARPAddr(pkt.SenderNumber(), pkt.SenderSubaddr())
	case arp.OpInARPReply:
		// tcpdump prints no space before "at" here.
		p.atmARPAddr(pkt.SenderNumber(), pkt.SenderSubaddr())
		p.s("at ")
		p.atmARPIPv4(pro, pkt.SenderProtocol(), "<wrong splen>")
	case arp.OpNAK:
		p.s("for ")
		p.atmARPIPv4(pro, pkt.SenderProtocol(), "<wrong splen>")
	default:
		p.defaultPrint(b)
		return
	}
	p.arpLength(length)
}

// atmARPIPv4 prints an ATM ARP protocol address as an IPv4 address, or
// why it cannot be one.
func (p *Printer) atmARPIPv4(pro uint16, a []byte, wrongLen string) {
	switch {
	case !isIPv4Proto(pro):
		p.s("<wrong proto type>")
	case len(a) != 4:
		p.s(wrongLen)
	default:
		p.out = ipv4.Addr(a).AppendTo(p.out)
	}
}

// atmARPAddr prints an ATM number and, when there is one, its subaddress
// after a comma (tcpdump's atmarp_addr_print).
func (p *Printer) atmARPAddr(number, subaddr []byte) {
	if len(number) == 0 {
		p.s("<No address>")
		return
	}
	p.hexColons(number)
	if len(subaddr) != 0 {
		p.c(',')
		p.hexColons(subaddr)
	}
}
