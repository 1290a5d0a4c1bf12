package dump

import "github.com/medina-net/medina/ipv4"

// IPv6 as tcpdump's print-ip6.c prints it: the fixed header, the
// extension headers (hop-by-hop and destination options, routing,
// fragment) and the transport protocols this package decodes. ICMPv6 and the
// mobility header are not decoded; they print like a protocol tcpdump does
// not know.

const (
	ip6HdrLen  = 40
	ip6FragLen = 8

	// Offsets in the fixed header.
	ip6Flow = 0
	ip6PLen = 4
	ip6Next = 6
	ip6HLim = 7
	ip6Src  = 8
	ip6Dst  = 24

	// Options of the hop-by-hop and destination options headers.
	ip6OptPad1       = 0x00
	ip6OptPadN       = 0x01
	ip6OptRouterAlrt = 0x05
	ip6OptJumbo      = 0xc2
	ip6OptHomeAddr   = 0xc9
	ip6OptMinLen     = 2
	ip6OptRtAlertLen = 4
	ip6OptJumboLen   = 6
	ip6OptHomeMinLen = 18

	// Routing header types.
	ip6RtType0 = 0 // deprecated source routing
	ip6RtType2 = 2 // Mobile IPv6
	ip6RtType4 = 4 // segment routing
)

// ip6 prints an IPv6 datagram whose on-wire length is length (tcpdump's
// ip6_print).
func (p *Printer) ip6(b []byte, length int) {
	p.proto = "ip6"
	// tcpdump checks the header's length itself here (ND_TCHECK), so the
	// packet is not abandoned: the -x dump still skips the link layer.
	if len(b) < ip6HdrLen {
		p.s(" [|ip6]")
		return
	}
	if length < ip6HdrLen {
		p.s("truncated-ip6 ")
		p.u(uint64(length))
		return
	}
	if !p.opt.LinkHeader {
		p.s("IP6 ")
	}
	if v := b[0] >> 4; v != 6 {
		p.s("version error: ")
		p.u(uint64(v))
		p.s(" != 6")
		return
	}
	payloadLen := uint32(be16(b[ip6PLen:]))
	// total is what the datagram covers by its header; with a payload
	// length of 0 (a jumbogram, perhaps) tcpdump takes what the layer
	// below says, plus the header once more.
	var total uint32
	if payloadLen != 0 {
		total = payloadLen + ip6HdrLen
		if uint32(length) < total {
			p.s("truncated-ip6 - ")
			p.u(uint64(total - uint32(length)))
			p.s(" bytes missing!")
		}
	} else {
		total = uint32(length) + ip6HdrLen
	}
	nh := b[ip6Next]
	if p.opt.Verbose > 0 {
		flow := be32(b[ip6Flow:])
		p.c('(')
		if flow&0x0ff00000 != 0 {
			p.s("class 0x")
			p.xw(uint64(flow&0x0ff00000>>20), 2)
			p.s(", ")
		}
		if flow&0x000fffff != 0 {
			p.s("flowlabel 0x")
			p.xw(uint64(flow&0x000fffff), 5)
			p.s(", ")
		}
		p.s("hlim ")
		p.u(uint64(b[ip6HLim]))
		p.s(", next-header ")
		p.ipProtoName(nh)
		p.s(" (")
		p.u(uint64(nh))
		p.s(") payload length: ")
		p.u(uint64(payloadLen))
		p.s(") ")
	}
	// The datagram ends where its payload length says.
	b = clip(b, int(total))
	hdr := b

	var (
		cp, advance  = 0, ip6HdrLen
		remaining    = total
		totalAdvance = 0
		prev         = -1 // the previous header's type; -1 for none
		foundExt     bool
		foundJumbo   bool
		foundHBH     bool
		fragmented   bool
	)
	for cp < len(b) && advance > 0 {
		if remaining < uint32(advance) {
			p.s(" [|ip6]")
			return
		}
		cp += advance
		remaining -= uint32(advance)
		totalAdvance += advance

		if cp == ip6HdrLen && !ipNoAddrs(nh) {
			p.ip6Addrs(hdr)
			p.s(": ")
		}
		ext := b[cp:]
		switch ipv4.Protocol(nh) {
		case ipv4.ProtoHopOpts:
			if foundHBH {
				p.s("[The Hop-by-Hop Options header was already found] (invalid)")
				return
			}
			if prev != -1 {
				p.s("[The Hop-by-Hop Options header don't follow the IPv6 header] (invalid)")
				return
			}
			advance = p.ip6HopByHop(ext, &foundJumbo, &payloadLen)
			if payloadLen == 0 && !foundJumbo {
				p.s("[No valid Jumbo Payload Hop-by-Hop option found] (invalid)")
				return
			}
			if advance < 0 {
				return
			}
			foundExt, foundHBH = true, true
			nh = ext[0]
		case ipv4.ProtoDstOpts:
			advance = p.ip6DstOpts(ext)
			if advance < 0 {
				return
			}
			foundExt = true
			nh = ext[0]
		case ipv4.ProtoFragment:
			advance = p.ip6Frag(ext, hdr, cp)
			if advance < 0 || len(b) <= cp+advance {
				return
			}
			foundExt, fragmented = true, true
			nh = ext[0]
		case ipv4.ProtoRouting:
			if len(ext) < 1 {
				p.s(" [|ip6]")
				return
			}
			advance = p.ip6Routing(ext)
			if advance < 0 {
				return
			}
			foundExt = true
			nh = ext[0]
		default:
			// Not an extension header: the payload.
			var plen uint32
			switch {
			case foundJumbo:
				plen = payloadLen + ip6HdrLen
				if plen < uint32(totalAdvance) {
					p.s(" [|ip6]")
					return
				}
				if uint32(length) < plen {
					p.s("truncated-ip6 - ")
					p.u(uint64(plen - uint32(length)))
					p.s(" bytes missing!")
				}
				b = clip(b, int(plen))
				plen -= uint32(totalAdvance)
			case payloadLen == 0:
				// No payload, so no room for an extension header.
				if foundExt {
					p.s(" [|ip6]")
					return
				}
				b = clip(b, ip6HdrLen)
				plen = ip6HdrLen - uint32(totalAdvance)
			default:
				plen = remaining
			}
			p.ip6Demux(b[min(cp, len(b)):], int(plen), nh, hdr, fragmented)
			return
		}
		prev = int(nh)
		p.proto = "ip6"
	}
}

// ipNoAddrs reports whether the transport printer of a protocol prints
// the addresses itself, with its ports.
func ipNoAddrs(nh uint8) bool {
	switch ipv4.Protocol(nh) {
	case ipv4.ProtoTCP, ipv4.ProtoUDP, ipv4.ProtoDCCP, ipv4.ProtoSCTP:
		return true
	}
	return false
}

// ipProtoName prints a protocol's name as tcpdump's ipproto_values has
// it, or "unknown".
func (p *Printer) ipProtoName(nh uint8) {
	if proto := ipv4.Protocol(nh); proto.Known() {
		p.s(proto.String())
	} else {
		p.s("unknown")
	}
}

// ip6Addrs prints "SRC > DST" of an IPv6 header.
func (p *Printer) ip6Addrs(hdr []byte) {
	p.out = appendIPv6(p.out, hdr[ip6Src:ip6Src+16])
	p.s(" > ")
	p.out = appendIPv6(p.out, hdr[ip6Dst:ip6Dst+16])
}

// ip6Demux prints the payload of an IPv6 datagram, of the given protocol
// (tcpdump's ip_demux_print for IPv6). hdr is the datagram from its fixed
// header on, extension headers included, which the transport printers get
// as their netHeader: a checksum's pseudo-header takes its destination
// from a routing header (ip6FinalDst).
func (p *Printer) ip6Demux(b []byte, length int, nh uint8, hdr []byte, fragmented bool) {
	switch proto := ipv4.Protocol(nh); proto {
	case ipv4.ProtoTCP:
		p.tcp(b, length, netHeader{v6: hdr}, fragmented)
	case ipv4.ProtoUDP:
		p.udp(b, length, netHeader{v6: hdr}, fragmented)
	case ipv4.ProtoVRRP:
		p.vrrp(b, length, netHeader{v6: hdr}, hdr[ip6HLim])
	case ipv4.ProtoICMPv6:
		p.icmp6(b, length, hdr, fragmented)
	case ipv4.ProtoPIM, ipv4.ProtoEIGRP, ipv4.ProtoOSPF:
		p.routingProto(b, length, netHeader{v6: hdr}, proto)
	case ipv4.ProtoICMP, ipv4.ProtoIGMP:
		p.s("[")
		p.s(proto.String())
		p.s(" requires IPv4] (invalid)")
	case ipv4.ProtoIPIP:
		p.ip(b, length)
	case ipv4.ProtoIPv6:
		p.ip6(b, length)
	case ipv4.ProtoNoNext:
		p.s("no next header")
	case 77: // Sun's network disk protocol
		p.s(" nd ")
		p.u(uint64(length))
	default:
		p.s(" ip-proto-")
		p.u(uint64(nh))
		p.c(' ')
		p.u(uint64(length))
	}
}

// ip6HopByHop prints a hop-by-hop options header and returns its length,
// or -1 when it is malformed or cut short (tcpdump's hbhopt_process). A
// valid Jumbo Payload option sets *jumbo and *payloadLen.
func (p *Printer) ip6HopByHop(b []byte, jumbo *bool, payloadLen *uint32) int {
	p.proto = "hbhopt"
	n := (int(p.get8(b, 1)) + 1) << 3
	if len(b) < n {
		p.s(" [|hbhopt]")
		return -1
	}
	p.s("HBH ")
	if !p.ip6Options(b[2:n], jumbo, payloadLen) {
		p.s(" [|hbhopt]")
		return -1
	}
	return n
}

// ip6DstOpts prints a destination options header and returns its length,
// or -1 (tcpdump's dstopt_process). Its options are printed with -v only.
func (p *Printer) ip6DstOpts(b []byte) int {
	p.proto = "dstopt"
	n := (int(p.get8(b, 1)) + 1) << 3
	if len(b) < n {
		p.s(" [|dstopt]")
		return -1
	}
	p.s("DSTOPT ")
	if p.opt.Verbose > 0 && !p.ip6Options(b[2:n], nil, nil) {
		p.s(" [|dstopt]")
		return -1
	}
	return n
}

// ip6Options prints the options of a hop-by-hop or destination options
// header (b, wholly captured) and reports false for a malformed one
// (tcpdump's ip6_opt_process). payloadLen is nil for destination options,
// where a Jumbo Payload option is not valid.
func (p *Printer) ip6Options(b []byte, jumbo *bool, payloadLen *uint32) bool {
	v := p.opt.Verbose > 0
	if len(b) == 0 {
		return true
	}
	seenJumbo := false
	for i, optLen := 0, 0; i < len(b); i += optLen {
		typ := b[i]
		if typ == ip6OptPad1 {
			optLen = 1
		} else {
			if i+1 >= len(b) {
				return false
			}
			optLen = int(b[i+1]) + 2
		}
		if i+optLen > len(b) {
			return false
		}
		rest := len(b) - i
		switch typ {
		case ip6OptPad1:
			if v {
				p.s("(pad1)")
			}
		case ip6OptPadN:
			if rest < ip6OptMinLen {
				p.s("(padn: trunc)")
				return false
			}
			if v {
				p.s("(padn)")
			}
		case ip6OptRouterAlrt:
			if rest < ip6OptRtAlertLen {
				p.s("(rtalert: trunc)")
				return false
			}
			if b[i+1] != ip6OptRtAlertLen-2 {
				p.s("(rtalert: invalid len ")
				p.u(uint64(b[i+1]))
				p.c(')')
				return false
			}
			if v {
				p.s("(rtalert: 0x")
				p.xw(uint64(be16(b[i+2:])), 4)
				p.s(") ")
			}
		case ip6OptJumbo:
			if rest < ip6OptJumboLen {
				p.s("(jumbo: trunc)")
				return false
			}
			if b[i+1] != ip6OptJumboLen-2 {
				p.s("(jumbo: invalid len ")
				p.u(uint64(b[i+1]))
				p.c(')')
				return false
			}
			jlen := be32(b[i+2:])
			var why string
			switch {
			case seenJumbo:
				why = " - already seen"
			case payloadLen == nil:
				seenJumbo = true
				why = " - not a hop-by-hop option"
			case *payloadLen != 0:
				seenJumbo = true
				why = " - payload len != 0"
			case jlen < 65536:
				seenJumbo = true
				why = " - < 65536"
			default:
				seenJumbo = true
				*jumbo = true
				*payloadLen = jlen
			}
			if v {
				p.s("(jumbo: ")
				p.u(uint64(jlen))
				p.s(why)
				p.s(") ")
			}
		case ip6OptHomeAddr:
			if rest < ip6OptHomeMinLen {
				p.s("(homeaddr: trunc)")
				return false
			}
			if b[i+1] < ip6OptHomeMinLen-2 {
				p.s("(homeaddr: invalid len ")
				p.u(uint64(b[i+1]))
				p.c(')')
				return false
			}
			if v {
				p.s("(homeaddr: ")
				p.out = appendIPv6(p.out, b[i+2:i+18])
				if b[i+1] > ip6OptHomeMinLen-2 &&
					!p.ip6SubOptions(b[i+ip6OptHomeMinLen:i+optLen]) {
					return false
				}
				p.c(')')
			}
		default:
			if rest < ip6OptMinLen {
				p.s("(type ")
				p.u(uint64(typ))
				p.s(": trunc)")
				return false
			}
			if v {
				p.s("(opt_type 0x")
				p.xw(uint64(typ), 2)
				p.s(": len=")
				p.u(uint64(b[i+1]))
				p.c(')')
			}
		}
	}
	if v {
		p.c(' ')
	}
	return true
}

// ip6SubOptions prints the sub-options of a home address option and
// reports false for a malformed one (tcpdump's ip6_sopt_print).
func (p *Printer) ip6SubOptions(b []byte) bool {
	for i, optLen := 0, 0; i < len(b); i += optLen {
		typ := b[i]
		if typ == ip6OptPad1 {
			optLen = 1
		} else {
			if i+1 >= len(b) {
				return false
			}
			optLen = int(b[i+1]) + 2
		}
		if i+optLen > len(b) {
			return false
		}
		switch typ {
		case ip6OptPad1:
			p.s(", pad1")
		case ip6OptPadN:
			if len(b)-i < ip6OptMinLen {
				p.s(", padn: trunc")
				return false
			}
			p.s(", padn")
		default:
			if len(b)-i < ip6OptMinLen {
				p.s(", sopt_type ")
				p.u(uint64(typ))
				p.s(": trunc)")
				return false
			}
			p.s(", sopt_type 0x")
			p.xw(uint64(typ), 2)
			p.s(": len=")
			p.u(uint64(b[i+1]))
		}
	}
	return true
}

// ip6Frag prints a fragment header at offset off of the datagram whose
// fixed header is hdr, and returns its length, or -1 for a fragment other
// than the first, whose payload cannot be decoded (tcpdump's frag6_print).
func (p *Printer) ip6Frag(b, hdr []byte, off int) int {
	p.proto = "frag6"
	// The identification is read (and needed) only with -v.
	var ident uint32
	if p.opt.Verbose > 0 {
		ident = p.get32(b, 4)
	}
	offset := p.get16(b, 2) &^ 7
	// The fragment's length by the payload length, as tcpdump computes
	// it in a size_t: it wraps when the payload length is too small.
	fragLen := uint64(ip6HdrLen) + uint64(be16(hdr[ip6PLen:])) - uint64(off) - ip6FragLen
	p.s("frag (")
	if p.opt.Verbose > 0 {
		p.s("0x")
		p.xw(uint64(ident), 8)
		p.c(':')
	}
	p.u(uint64(offset))
	p.c('|')
	p.u(fragLen)
	p.c(')')
	if offset != 0 {
		return -1
	}
	p.c(' ')
	return ip6FragLen
}

// ip6Routing prints a routing header and returns its length, or -1 for a
// malformed one (tcpdump's rt6_print).
func (p *Printer) ip6Routing(b []byte) int {
	p.proto = "rt6"
	p.s("RT6")
	n := int(p.get8(b, 1))
	p.s(" (len=")
	p.u(uint64(n))
	typ := p.get8(b, 2)
	p.s(", type=")
	p.u(uint64(typ))
	if typ == ip6RtType0 {
		p.s(" [Deprecated]")
	}
	segLeft := p.get8(b, 3)
	p.s(", segleft=")
	p.u(uint64(segLeft))
	switch typ {
	case ip6RtType0, ip6RtType2:
		if rsv := p.get32(b, 4); rsv != 0 || p.opt.Verbose > 0 {
			p.s(", rsv=0x")
			p.x(uint64(rsv))
		}
	case ip6RtType4:
		lastEntry := p.get8(b, 4)
		p.s(", last-entry=")
		p.u(uint64(lastEntry))
		if flags := p.get8(b, 5); flags != 0 || p.opt.Verbose > 0 {
			p.s(", flags=0x")
			p.x(uint64(flags))
		}
		tag := p.get16(b, 6)
		p.s(", tag=")
		p.x(uint64(tag))
	default:
		p.s(" (unknown type) (invalid)")
		return -1
	}
	if n%2 == 1 {
		p.s(" (invalid length ")
		p.u(uint64(n))
		p.s(") (invalid)")
		return -1
	}
	for i := 0; i < n/2; i++ {
		off := 8 + 16*i
		p.need(b, off+16)
		p.s(", [")
		p.u(uint64(i))
		p.c(']')
		p.out = appendIPv6(p.out, b[off:off+16])
	}
	p.s(") ")
	return (n + 1) << 3
}

// ip6FinalDst returns the destination a transport checksum's pseudo-header
// covers, for the datagram d (from its fixed header on): the last address
// of a type 0 or 2 routing header, the first segment of a segment routing
// header, or the header's destination (tcpdump's ip6_finddst). It stops at
// the end of what was captured, as tcpdump does, keeping the last address
// it could read.
func ip6FinalDst(d []byte) []byte {
	dst := d[ip6Dst : ip6Dst+16]
	nh := d[ip6Next]
	for off, advance := 0, ip6HdrLen; off < len(d); {
		off += advance
		if off+2 > len(d) {
			return dst
		}
		switch ipv4.Protocol(nh) {
		case ipv4.ProtoHopOpts, ipv4.ProtoDstOpts, ipv4.ProtoMobilityOld, ipv4.ProtoMobility:
			advance = (int(d[off+1]) + 1) << 3
			nh = d[off]
		case ipv4.ProtoFragment:
			advance = ip6FragLen
			nh = d[off]
		case ipv4.ProtoRouting:
			if off+4 > len(d) {
				return dst
			}
			n := int(d[off+1])
			switch d[off+2] {
			case ip6RtType0, ip6RtType2:
				if n%2 == 1 {
					return dst
				}
				for i, a := 0, off+8; i < n/2; i, a = i+1, a+16 {
					if a+16 > len(d) {
						return dst
					}
					dst = d[a : a+16]
				}
			case ip6RtType4:
				if n%2 == 1 || off+24 > len(d) {
					return dst
				}
				dst = d[off+8 : off+24]
			}
			return dst
		default:
			return dst
		}
	}
	return dst
}
