package dump

import "github.com/medina-net/medina/ethernet"

// etherTypeNames is tcpdump's ethertype_values: the names printed after
// "ethertype" with -e, and for frames this package cannot decode further.
var etherTypeNames = []tok{
	{0x0800, "IPv4"}, {0x8847, "MPLS unicast"}, {0x8848, "MPLS multicast"},
	{0x86dd, "IPv6"}, {0x8100, "802.1Q"}, {0x9100, "802.1Q-9100"},
	{0x88a8, "802.1Q-QinQ"}, {0x9200, "802.1Q-9200"}, {0x88e5, "802.1AE MACsec"},
	{0x0200, "PUP"}, {0x0806, "ARP"}, {0x8035, "Reverse ARP"},
	{0x0600, "NS"}, {0x0500, "Sprite"}, {0x1000, "Trail"}, {0x6001, "MOP DL"},
	{0x6002, "MOP RC"}, {0x6003, "DN"}, {0x6004, "LAT"}, {0x6007, "SCA"},
	{0x6558, "TEB"}, {0x8038, "Lanbridge"}, {0x803c, "DEC DNS"},
	{0x803e, "DEC DTS"}, {0x805b, "VEXP"}, {0x805c, "VPROD"},
	{0x809b, "Appletalk"}, {0x80f3, "Appletalk ARP"}, {0x8137, "IPX"},
	{0x880b, "PPP"}, {0x8808, "MPCP"}, {0x8809, "Slow Protocols"},
	{0x8863, "PPPoE D"}, {0x8864, "PPPoE S"}, {0x888e, "EAPOL"},
	{0x8899, "Realtek protocols"}, {0x886f, "MS NLB heartbeat"},
	{0x8870, "Jumbo"}, {0x894f, "NSH"}, {0x9000, "Loopback"}, {0xfefe, "OSI"},
	{0x00fe, "GRE-OSI"}, {0xabcd, "CFM (old)"}, {0x8902, "CFM"},
	{0x893a, "IEEE1905.1"}, {0x88cc, "LLDP"}, {0x88ca, "TIPC"},
	{0x0707, "GeoNet (old)"}, {0x8947, "GeoNet"}, {0x1111, "CALM FAST"},
	{0x88a2, "AoE"}, {0x88f7, "PTP"}, {0xd28b, "Arista Vendor Specific Protocol"},
}

// etherAddrs prints "SRC > DST, ".
func (p *Printer) etherAddrs(f ethernet.Frame) {
	p.out = f.Src().AppendTo(p.out)
	p.s(" > ")
	p.out = f.Dst().AppendTo(p.out)
	p.s(", ")
}

// etherTypeLabel prints "ethertype NAME (0xXXXX)", or with -q just the name.
func (p *Printer) etherTypeLabel(t uint16) {
	if !p.opt.Quiet {
		p.s("ethertype ")
		p.tok2str(etherTypeNames, "Unknown", uint32(t))
		p.s(" (0x")
		p.xw(uint64(t), 4)
		p.c(')')
		return
	}
	p.tok2str(etherTypeNames, "Unknown Ethertype (0x%04x)", uint32(t))
}

// ether prints an Ethernet frame of the given on-wire length and returns
// the length of its link-layer headers (tcpdump's ether_common_print).
func (p *Printer) ether(b []byte, length int) int {
	p.proto = "ether"
	caplen := len(b)
	if length < caplen {
		p.f("[length %d < caplen %d]", length, caplen)
		p.s(" (invalid)")
		return length
	}
	f, err := ethernet.NewFrame(b)
	if err != nil {
		p.s(" [|ether]")
		return caplen
	}
	origLength := length
	if p.opt.LinkHeader {
		p.etherAddrs(f)
	}
	typ := f.TypeOrLen()
	hdrlen, off := ethernet.HeaderLen, ethernet.HeaderLen
	length -= ethernet.HeaderLen

	printedLength := false
	if typ == etherTypeMACsec {
		if p.opt.LinkHeader {
			p.etherTypeLabel(typ)
			p.s(", length ")
			p.u(uint64(origLength))
			p.s(": ")
			printedLength = true
		}
		rest, restLen, tagLen, res := p.macsec(b[off:], length, f)
		switch res {
		case macsecStop:
			return hdrlen + len(b) - off
		case macsecEncrypted:
			p.unknownPayload(rest)
			return hdrlen + tagLen
		}
		// The frame goes on after the SecTAG with another EtherType.
		b, off, length, hdrlen = rest, 0, restLen, hdrlen+tagLen
		typ = p.get16(b, off)
		off += 2
		length -= 2
		hdrlen += 2
	}
	for ethernet.Type(typ).IsTag() {
		if len(b)-off < ethernet.TagLen {
			p.proto = "vlan"
			p.s(" [|vlan]")
			return hdrlen + len(b) - off
		}
		if length < ethernet.TagLen {
			p.proto = "vlan"
			p.s(" [|vlan]")
			return hdrlen + length
		}
		tag, _ := ethernet.NewTag(b[off:])
		if p.opt.LinkHeader {
			p.etherTypeLabel(typ)
			if !printedLength {
				p.s(", length ")
				p.u(uint64(origLength))
				p.s(": ")
				printedLength = true
			} else {
				p.s(", ")
			}
			p.s("vlan ")
			p.u(uint64(tag.VID()))
			p.s(", p ")
			p.u(uint64(tag.Priority()))
			if tag.DEI() {
				p.s(", DEI")
			}
			p.s(", ")
		}
		typ = uint16(tag.Type())
		off += ethernet.TagLen
		length -= ethernet.TagLen
		hdrlen += ethernet.TagLen
	}

	payload := b[off:]
	switch {
	case typ <= ethernet.MaxLengthField:
		// An 802.3 frame: the field is the length of the LLC data, which
		// may be shorter than the frame because of padding.
		if int(typ) < length {
			length = int(typ)
			payload = clip(payload, length)
		}
		if p.opt.LinkHeader {
			p.s("802.3")
			if !printedLength {
				p.s(", length ")
				p.u(uint64(length))
				p.s(": ")
			}
		}
		n := p.llc(payload, length, f)
		if n < 0 {
			p.unknownPayload(payload)
			n = -n
		}
		hdrlen += n
	default:
		if p.opt.LinkHeader {
			p.etherTypeLabel(typ)
			if !printedLength {
				p.s(", length ")
				p.u(uint64(origLength))
				p.s(": ")
			} else {
				p.s(", ")
			}
		}
		if !p.etherType(typ, payload, length) {
			if !p.opt.LinkHeader {
				p.etherAddrs(f)
				p.etherTypeLabel(typ)
				p.s(", length ")
				p.u(uint64(origLength))
				p.s(": ")
			}
			p.unknownPayload(payload)
		}
	}
	return hdrlen
}

// etherType prints the payload of the given EtherType and reports whether
// this package knows the protocol (tcpdump's ethertype_print); when it does not,
// the caller prints the frame's header and a hex dump.
func (p *Printer) etherType(t uint16, b []byte, length int) bool {
	switch ethernet.Type(t) {
	case ethernet.TypeIPv4:
		p.ip(b, length)
	case ethernet.TypeIPv6:
		p.ip6(b, length)
	case ethernet.TypeARP, ethernet.TypeRARP:
		p.arp(b, length)
	case ethernet.TypeLoopback:
		p.loopback(b, length)
	case etherTypeIPX:
		p.s("(NOV-ETHII) ")
		p.ipx(b, length)
	case etherTypeLLDP:
		p.lldp(b, length)
	case etherTypePPPoED, etherTypePPPoES, etherTypePPPoED2, etherTypePPPoES2:
		p.pppoe(b, length)
	default:
		return false
	}
	return true
}

// defaultPrint is tcpdump's ND_DEFAULTPRINT: the bytes in hex and ASCII on
// indented lines.
func (p *Printer) defaultPrint(b []byte) {
	p.hexASCIIDump("\n\t", b)
}

// loopbackFunctions names the Ethernet configuration testing protocol's
// function codes.
var loopbackFunctions = []tok{{1, "Reply"}, {2, "Forward Data"}}

// loopback prints the Ethernet configuration testing protocol (EtherType
// 0x9000), whose fields are little-endian.
func (p *Printer) loopback(b []byte, length int) {
	p.proto = "loopback"
	p.s("Loopback")
	if length < 2 {
		p.s(" (invalid)")
		p.need(b, length)
		return
	}
	skip := int(le16(p, b, 0))
	b, length = b[min(2, len(b)):], length-2
	p.s(", skipCount ")
	p.u(uint64(skip))
	if skip%8 != 0 {
		p.s(" (bogus)")
	}
	if skip > length {
		p.s(" (invalid)")
		p.need(b, length)
		return
	}
	p.need(b, skip)
	b, length = b[skip:], length-skip

	if length < 2 {
		p.s(" (invalid)")
		p.need(b, length)
		return
	}
	fn := le16(p, b, 0)
	b, length = b[2:], length-2
	p.s(", ")
	p.tok2str(loopbackFunctions, " invalid (%d)", uint32(fn))
	switch fn {
	case 1:
		if length < 2 {
			p.s(" (invalid)")
			p.need(b, length)
			return
		}
		p.s(", receipt number ")
		p.u(uint64(le16(p, b, 0)))
		b, length = b[2:], length-2
		p.s(", data (")
		p.u(uint64(length))
		p.s(" octets)")
		p.need(b, length)
	case 2:
		if length < 6 {
			p.s(" (invalid)")
			p.need(b, length)
			return
		}
		p.need(b, 6)
		p.s(", forwarding address ")
		p.out = ethernet.Addr(b[:6]).AppendTo(p.out)
		b, length = b[6:], length-6
		p.s(", data (")
		p.u(uint64(length))
		p.s(" octets)")
		p.need(b, length)
	default:
		p.need(b, length)
	}
}

// le16 reads a little-endian 16-bit value, stopping the packet if it was
// not captured.
func le16(p *Printer, b []byte, off int) uint16 {
	v := p.get16(b, off)
	return v>>8 | v<<8
}
