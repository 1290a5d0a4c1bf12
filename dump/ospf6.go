package dump

// OSPF for IPv6, version 3 (RFC 5340), with its link-local signalling
// (RFC 5613) and authentication trailer (RFC 7166), as tcpdump's
// print-ospf6.c prints it. The grace and traffic-engineering LSAs are
// printed as OSPFv2's are (ospf.go).
//
// tcpdump walks OSPFv3 against two ends: the end of the data as the OSPF
// header's length gives it (dataend, here end), past which it stops
// quietly or with " [|ospf3]", and the end of the capture, where its
// GET_ macros abandon the packet. Offsets here are from the start of
// the OSPF header; end may lie beyond len(b).

const (
	ospf6HdrLen    = 16
	ospf6LSAHdrLen = 20
	ospf6PrefixHdr = 4  // length, options, metric
	ospf6RLALinkSz = 16 // a router LSA's link
	ospf6LSReqLen  = 12
	ospf6ATHdrLen  = 16
	ospfLLSHdrLen  = 4

	// Packet types, shared with OSPFv2.
	ospfHello    = 1
	ospfDD       = 2
	ospfLSReq    = 3
	ospfLSUpdate = 4
	ospfLSAck    = 5

	ospf6OptL  = 0x0200 // link-local signalling follows
	ospf6FwdA  = 0x02000000
	ospf6RTag  = 0x01000000
	ospf6Scope = 0x6000
	ospf6Type  = 0x1fff

	// LSA types with their flooding scope, as the switch takes them.
	ospf6LSARouter    = 0x2001
	ospf6LSANetwork   = 0x2002
	ospf6LSAInterAP   = 0x2003
	ospf6LSAExternal  = 0x4005
	ospf6LSALink      = 0x0008
	ospf6LSAIntraAP   = 0x2009
	ospf6LSAGrace     = 0x000b
	ospf6LSAIntraATE  = 0x000a
	ospf6RLARouter    = 1
	ospf6RLATransit   = 2
	ospf6RLAVirtual   = 4
	ospf6AuthHMAC     = 1
	ospf6MaxPrefixLen = 16
)

var ospf6Options = []tok{
	{0x01, "V6"}, {0x02, "External"}, {0x04, "Deprecated"}, {0x08, "NSSA"}, {0x10, "Router"},
	{0x20, "Demand Circuit"}, {0x0100, "AFs Support"}, {ospf6OptL, "LLS"},
	{0x0400, "Authentication Trailer"},
}

var ospf6RLAFlags = []tok{
	{0x01, "ABR"}, {0x02, "External"}, {0x04, "Virtual-Link Endpoint"}, {0x08, "Deprecated"},
	{0x10, "NSSA Translator"},
}

var ospf6ASLAFlags = []tok{{0x80000000, "External Type 2"}, {ospf6FwdA, "Forwarding"}, {ospf6RTag, "Tag"}}

var ospfTypes = []tok{
	{ospfHello, "Hello"}, {ospfDD, "Database Description"}, {ospfLSReq, "LS-Request"},
	{ospfLSUpdate, "LS-Update"}, {ospfLSAck, "LS-Ack"},
}

var ospf6LSATypes = []tok{
	{1, "Router"}, {2, "Network"}, {3, "Inter-Area Prefix"}, {4, "Inter-Area Router"},
	{5, "External"}, {6, "Deprecated"}, {7, "NSSA"}, {8, "Link"}, {9, "Intra-Area Prefix"},
	{10, "Intra-Area TE"}, {11, "Grace"}, {12, "Router Information"}, {13, "Inter-AS-TE"},
	{14, "Layer 1 VPN"},
}

var ospf6Scopes = []tok{{0x0000, "Link Local"}, {0x2000, "Area Local"}, {0x4000, "Domain Wide"}}

var ospf6DDFlags = []tok{{0x04, "Init"}, {0x02, "More"}, {0x01, "Master"}, {0x10, "IPv6 MTU"}}

var ospf6PrefixOptions = []tok{
	{0x01, "No Unicast"}, {0x02, "Local address"}, {0x04, "Deprecated"}, {0x08, "Propagate"},
	{0x10, "Down"}, {0x20, "N-bit"},
}

var ospf6AuthTypes = []tok{{ospf6AuthHMAC, "HMAC"}}

// ospf6 prints an OSPFv3 packet of the given length (tcpdump's
// ospf6_print).
func (p *Printer) ospf6(b []byte, length int) {
	p.proto = "ospf3"
	typ := uint32(p.get8(b, 1))
	name, known := lookup(ospfTypes, typ)
	p.s("OSPFv")
	p.u(uint64(p.get8(b, 0)))
	p.s(", ")
	if known {
		p.s(name)
	} else {
		p.s("unknown packet type (")
		p.u(uint64(typ))
		p.c(')')
	}
	p.s(", length ")
	p.u(uint64(length))
	if !known || p.opt.Verbose == 0 {
		return
	}
	datalen := int(p.get16(b, 2))
	if datalen > length {
		p.s(" [len ")
		p.u(uint64(datalen))
		p.c(']')
		return
	}
	p.v4At("\n\tRouter-ID ", b, 4)
	if p.get32(b, 8) != 0 {
		p.v4At(", Area ", b, 8)
	} else {
		p.s(", Backbone Area")
	}
	if inst := p.get8(b, 14); inst != 0 {
		p.s(", Instance ")
		p.u(uint64(inst))
	}
	if p.get8(b, 0) == 3 {
		if !p.ospf6V3(b, datalen) || !p.ospf6Trailer(b, datalen, length-datalen) {
			p.s(" [|ospf3]")
		}
	}
}

// ospf6V3 prints the body of an OSPFv3 packet that ends at end; it
// reports false where tcpdump prints " [|ospf3]" (ospf6_decode_v3).
func (p *Printer) ospf6V3(b []byte, end int) bool {
	vv := p.opt.Verbose > 1
	const body = ospf6HdrLen
	switch p.get8(b, 1) {
	case ospfHello:
		opts := p.get32(b, body+4)
		p.s("\n\tOptions [")
		p.bittok2str(ospf6Options, "none", opts, ", ")
		p.c(']')
		p.need(b, body+12)
		p.s("\n\t  Hello Timer ")
		p.u(uint64(p.get16(b, body+8)))
		p.s("s, Dead Timer ")
		p.u(uint64(p.get16(b, body+10)))
		p.v4At("s, Interface-ID ", b, body)
		p.s(", Priority ")
		p.u(uint64(p.get8(b, body+4)))
		if p.get32(b, body+12) != 0 {
			p.v4At("\n\t  Designated Router ", b, body+12)
		}
		if p.get32(b, body+16) != 0 {
			p.v4At(", Backup Designated Router ", b, body+16)
		}
		if vv {
			p.s("\n\t  Neighbor List:")
			for off := body + 20; off < end; off += 4 {
				p.v4At("\n\t    ", b, off)
			}
		}
	case ospfDD:
		opts := p.get32(b, body)
		p.s("\n\tOptions [")
		p.bittok2str(ospf6Options, "none", opts, ", ")
		p.c(']')
		flags := p.get8(b, body+7)
		p.s(", DD Flags [")
		p.bittok2str(ospf6DDFlags, "none", uint32(flags), ", ")
		p.c(']')
		p.need(b, body+12)
		p.s(", MTU ")
		p.u(uint64(p.get16(b, body+4)))
		p.s(", DD-Sequence 0x")
		p.xw(uint64(p.get32(b, body+8)), 8)
		if vv {
			for off := body + 12; off < end; off += ospf6LSAHdrLen {
				if !p.ospf6LSAHdr(b, off, end) {
					return false
				}
			}
		}
	case ospfLSReq:
		if vv {
			for off := body; off < end; off += ospf6LSReqLen {
				if off+ospf6LSReqLen > len(b) {
					return false
				}
				p.v4At("\n\t  Advertising Router ", b, off+8)
				p.ospf6LSType(b, uint32(be16(b[off+2:])), off+4)
			}
		}
	case ospfLSUpdate:
		if vv {
			n := int32(p.get32(b, body))
			for off := body + 4; off < end && n != 0; n-- {
				if !p.ospf6LSA(b, off, end) {
					return false
				}
				off += int(p.get16(b, off+18))
			}
		}
	case ospfLSAck:
		if vv {
			for off := body; off < end; off += ospf6LSAHdrLen {
				if !p.ospf6LSAHdr(b, off, end) {
					return false
				}
			}
		}
	}
	return true
}

// ospf6LSType prints an LSA's type and the LSA ID at b[idOff:]
// (tcpdump's ospf6_print_ls_type).
func (p *Printer) ospf6LSType(b []byte, typ uint32, idOff int) {
	p.need(b, idOff+4)
	p.s("\n\t    ")
	p.tok2str(ospf6LSATypes, "Unknown", typ&ospf6Type)
	p.s(" LSA (")
	p.u(uint64(typ & ospf6Type))
	p.s("), ")
	p.tok2str(ospf6Scopes, "Unknown", typ&ospf6Scope)
	p.s(" Scope")
	if typ&0x8000 != 0 {
		p.s(", transitive")
	}
	p.v4At(", LSA-ID ", b, idOff)
}

// ospf6LSAHdr prints the LSA header at off; it reports false when the
// header runs past end (tcpdump's ospf6_print_lshdr).
func (p *Printer) ospf6LSAHdr(b []byte, off, end int) bool {
	if off+ospf6LSAHdrLen > end {
		return false
	}
	p.need(b, off+ospf6LSAHdrLen)
	p.v4At("\n\t  Advertising Router ", b, off+8)
	p.s(", seq 0x")
	p.xw(uint64(p.get32(b, off+12)), 8)
	p.s(", age ")
	p.u(uint64(p.get16(b, off)))
	p.s("s, length ")
	// tcpdump subtracts the header's size as a size_t: a length field
	// under 20 wraps.
	p.u(uint64(p.get16(b, off+18)) - ospf6LSAHdrLen)
	p.ospf6LSType(b, uint32(p.get16(b, off+2)), off+4)
	return true
}

// ospf6Prefix prints the prefix at off, of an LSA with length bytes left,
// and returns its size, or -1 when it is malformed or runs past the LSA
// (tcpdump's ospf6_print_lsaprefix).
func (p *Printer) ospf6Prefix(b []byte, off int, length uint32) int {
	if length < ospf6PrefixHdr {
		return -1
	}
	length -= ospf6PrefixHdr
	if off+ospf6PrefixHdr > len(b) {
		return -1
	}
	plen := b[off]
	words := (int(plen) + 31) / 32
	if words*4 > ospf6MaxPrefixLen {
		p.s(" bogus prefixlen /")
		p.u(uint64(plen))
		return -1
	}
	if length < uint32(words*4) {
		return -1
	}
	var prefix [16]byte
	copy(prefix[:], p.bytes(b, off+ospf6PrefixHdr, words*4))
	p.s("\n\t\t")
	p.out = appendIPv6(p.out, prefix[:])
	p.c('/')
	p.u(uint64(plen))
	if opt := b[off+1]; opt != 0 {
		p.s(", Options [")
		p.bittok2str(ospf6PrefixOptions, "none", uint32(opt), ", ")
		p.c(']')
	}
	p.s(", metric ")
	p.u(uint64(be16(b[off+2:])))
	return ospf6PrefixHdr + words*4
}

// ospf6Prefixes prints n prefixes from off (n < 0: until length runs
// out); it reports false for a bad one.
func (p *Printer) ospf6Prefixes(b []byte, off int, length uint32, n int) bool {
	for (n < 0 && length != 0) || n > 0 {
		size := p.ospf6Prefix(b, off, length)
		if size < 0 {
			return false
		}
		length -= uint32(size)
		off += size
		n--
	}
	return true
}

// ospf6LSAOptions starts the line of the options of a router or network
// LSA, the word at b[t:].
func (p *Printer) ospf6LSAOptions(b []byte, t int) {
	opts := p.get32(b, t)
	p.s("\n\t      Options [")
	p.bittok2str(ospf6Options, "none", opts, ", ")
}

// ospf6Take takes n bytes off rest, what is left of an LSA, and reports
// false when fewer are left.
func ospf6Take(rest *uint32, n uint32) bool {
	if *rest < n {
		return false
	}
	*rest -= n
	return true
}

// ospf6LSA prints the LSA at off; it reports false where tcpdump's
// ospf6_print_lsa returns 1, on which the packet's printing stops with
// " [|ospf3]".
func (p *Printer) ospf6LSA(b []byte, off, end int) bool {
	if !p.ospf6LSAHdr(b, off, end) {
		return false
	}
	length := int(p.get16(b, off+18))
	if length < ospf6LSAHdrLen || off+length > end {
		return false
	}
	rest := uint32(length - ospf6LSAHdrLen)
	t := off + ospf6LSAHdrLen
	switch p.get16(b, off+2) {
	case ospf6LSARouter:
		if !ospf6Take(&rest, 4) {
			return false
		}
		p.ospf6LSAOptions(b, t)
		p.s("], RLA-Flags [")
		p.bittok2str(ospf6RLAFlags, "none", uint32(p.get8(b, t)), ", ")
		p.c(']')
		for l := t + 4; rest != 0; l += ospf6RLALinkSz {
			if !ospf6Take(&rest, ospf6RLALinkSz) {
				return false
			}
			if l+ospf6RLALinkSz > len(b) {
				return false
			}
			switch lt := b[l]; lt {
			case ospf6RLAVirtual:
				p.s("\n\t      Virtual Link: Neighbor Router-ID ")
			case ospf6RLARouter:
				p.s("\n\t      Neighbor Router-ID ")
			case ospf6RLATransit:
				p.s("\n\t      Neighbor Network-ID ")
			default:
				p.s("\n\t      Unknown Router Links Type 0x")
				p.xw(uint64(lt), 2)
				return true
			}
			p.v4At("", b, l+12)
			p.v4At("\n\t      Neighbor Interface-ID ", b, l+8)
			p.v4At(", Interface ", b, l+4)
			p.s(", metric ")
			p.u(uint64(be16(b[l+2:])))
		}
	case ospf6LSANetwork:
		if !ospf6Take(&rest, 4) {
			return false
		}
		p.ospf6LSAOptions(b, t)
		p.s("]\n\t      Connected Routers:")
		for a := t + 4; rest != 0; a += 4 {
			if !ospf6Take(&rest, 4) {
				return false
			}
			p.v4At("\n\t\t", b, a)
		}
	case ospf6LSAInterAP:
		if !ospf6Take(&rest, 4) {
			return false
		}
		metric := p.get32(b, t) & 0x00ffffff
		p.s(", metric ")
		p.u(uint64(metric))
		if !p.ospf6Prefixes(b, t+4, rest, -1) {
			return false
		}
	case ospf6LSAExternal:
		if !ospf6Take(&rest, 4) {
			return false
		}
		flags := p.get32(b, t)
		p.s("\n\t     Flags [")
		p.bittok2str(ospf6ASLAFlags, "none", flags, ", ")
		p.s("] metric ")
		p.u(uint64(flags & 0x00ffffff))
		pfx := t + 4
		n := p.ospf6Prefix(b, pfx, rest)
		if n < 0 {
			return false
		}
		rest -= uint32(n)
		a := pfx + n
		if flags&ospf6FwdA != 0 {
			if !ospf6Take(&rest, 16) {
				return false
			}
			fwd := p.bytes(b, a, 16)
			p.s(" forward ")
			p.out = appendIPv6(p.out, fwd)
			a += 16
		}
		if flags&ospf6RTag != 0 {
			if !ospf6Take(&rest, 4) {
				return false
			}
			p.v4At(" tag ", b, a)
			a += 4
		}
		// tcpdump tests the first byte of the prefix's metric field, where
		// RFC 5340 has the referenced LS type.
		if p.get8(b, pfx+2) != 0 {
			if rest < 4 {
				return false
			}
			p.v4At(" RefLSID: ", b, a)
		}
	case ospf6LSALink:
		if !ospf6Take(&rest, 4) {
			return false
		}
		if t+4 > len(b) {
			return false
		}
		p.s("\n\t      Options [")
		p.bittok2str(ospf6Options, "none", be32(b[t:]), ", ")
		p.c(']')
		if rest < 16+4 {
			return false
		}
		rest -= 16 + 4
		n := p.get32(b, t+20)
		p.s("\n\t      Priority ")
		p.u(uint64(b[t]))
		p.s(", Link-local address ")
		p.out = appendIPv6(p.out, p.bytes(b, t+4, 16))
		p.s(", Prefixes ")
		p.u(uint64(n))
		p.c(':')
		if !p.ospf6Prefixes(b, t+24, rest, int(n)) {
			return false
		}
	case ospf6LSAIntraAP:
		// tcpdump accounts for only 6 of the 12 bytes before the
		// prefixes; the prefixes may thus be read past the LSA's end.
		if !ospf6Take(&rest, 4) {
			return false
		}
		if t+12 > len(b) {
			return false
		}
		p.ospf6LSType(b, uint32(be16(b[t+2:])), t+4)
		if !ospf6Take(&rest, 2) {
			return false
		}
		n := be16(b[t:])
		p.s("\n\t      Prefixes ")
		p.u(uint64(n))
		p.c(':')
		if !p.ospf6Prefixes(b, t+12, rest, int(n)) {
			return false
		}
	case ospf6LSAGrace:
		if !p.ospfGraceLSA(b, t, rest) {
			return false
		}
	case ospf6LSAIntraATE:
		if !p.ospfTELSA(b, t, rest) {
			return false
		}
	default:
		if t > len(b) {
			p.s("\n\t      Dissector error: print_unknown_data called with pointer past end of packet")
			return false
		}
		p.unknownData(b, t, "\n\t      ", int(rest))
	}
	return true
}

// ospf6Trailer prints what follows the OSPF data, n bytes from end: the
// link-local signalling block of a hello or database description that
// announces one, then an authentication trailer; it reports false where
// tcpdump prints " [|ospf3]" (ospf6_decode_v3_trailer).
func (p *Printer) ospf6Trailer(b []byte, end, n int) bool {
	lls := false
	switch p.get8(b, 1) {
	case ospfHello:
		lls = p.get32(b, ospf6HdrLen+4)&ospf6OptL != 0
	case ospfDD:
		lls = p.get32(b, ospf6HdrLen)&ospf6OptL != 0
	}
	llsLen := 0
	if lls && n != 0 {
		if n < ospfLLSHdrLen {
			return false
		}
		sum := p.get16(b, end)
		p.s("\n\tLLS Checksum 0x")
		p.xw(uint64(sum), 4)
		llsLen = int(p.get16(b, end+2))
		p.s(", Data Length ")
		p.u(uint64(llsLen))
		if llsLen < ospfLLSHdrLen || llsLen > n || end+llsLen > len(b) {
			return false
		}
	}
	return p.ospf6Auth(b, end+llsLen, n-llsLen)
}

// ospf6Auth prints an authentication trailer of n bytes at off (tcpdump's
// ospf6_decode_at).
func (p *Printer) ospf6Auth(b []byte, off, n int) bool {
	if n == 0 {
		return true
	}
	if n < ospf6ATHdrLen {
		return false
	}
	typ := p.get16(b, off)
	p.s("\n\tAuthentication Type ")
	p.tok2str(ospf6AuthTypes, "unknown (0x%04x)", uint32(typ))
	alen := int(p.get16(b, off+2))
	p.s(", Length ")
	p.u(uint64(alen))
	if alen < ospf6ATHdrLen || alen > n {
		return false
	}
	said := p.get16(b, off+6)
	p.s(", SAID ")
	p.u(uint64(said))
	csn := p.get32(b, off+8)
	p.s(", CSN 0x")
	p.xw(uint64(csn), 8)
	csn = p.get32(b, off+12)
	p.c(':')
	p.xw(uint64(csn), 8)
	data := off + ospf6ATHdrLen
	if data+alen-ospf6ATHdrLen > len(b) {
		return false
	}
	if p.opt.Verbose > 1 {
		p.unknownData(b, data, "\n\tAuthentication Data ", alen-ospf6ATHdrLen)
	}
	return true
}
