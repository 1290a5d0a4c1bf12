package dump

import (
	"github.com/medina-net/medina/checksum"
	"github.com/medina-net/medina/ipv4"
)

// ip prints an IPv4 datagram whose on-wire length is length (tcpdump's
// ip_print): with -v the header fields, options and a bad checksum on a
// line of their own, then "SRC > DST: " and the transport printer.
func (p *Printer) ip(b []byte, length int) {
	p.proto = "ip"
	version := p.get8(b, 0) >> 4
	if version != 4 {
		if version == 6 {
			p.s("IP6, wrong link-layer encapsulation")
		} else {
			p.s("IP")
			p.u(uint64(version))
		}
		p.s(" (invalid)")
		return
	}
	if !p.opt.LinkHeader {
		p.s("IP ")
	}
	if len(b) < ipv4.MinHeaderLen {
		p.s(" [|ip]")
		return
	}
	if length < ipv4.MinHeaderLen {
		p.s("truncated-ip ")
		p.u(uint64(length))
		return
	}
	h := ipv4.Header(b)
	hlen := h.HeaderLen()
	if hlen < ipv4.MinHeaderLen {
		p.s("bad-hlen ")
		p.u(uint64(hlen))
		return
	}
	totalLen := int(h.TotalLen())
	if length < totalLen {
		p.s("truncated-ip - ")
		p.u(uint64(totalLen - length))
		p.s(" bytes missing! ")
	}
	if totalLen < hlen {
		p.s("bad-len ")
		p.u(uint64(totalLen))
		return
	}
	// The datagram ends where its total length says, even if more was
	// captured (Ethernet padding).
	b = clip(b, totalLen)
	h = ipv4.Header(b)
	payloadLen := totalLen - hlen
	proto := h.Protocol()

	if p.opt.Verbose > 0 {
		tos := h.TOS()
		p.s("(tos 0x")
		p.x(uint64(tos))
		switch tos & 3 {
		case 1:
			p.s(",ECT(1)")
		case 2:
			p.s(",ECT(0)")
		case 3:
			p.s(",CE")
		}
		if ttl := h.TTL(); ttl >= 1 {
			p.s(", ttl ")
			p.u(uint64(ttl))
		}
		p.s(", id ")
		p.u(uint64(h.ID()))
		p.s(", offset ")
		p.u(uint64(h.FragOffset()))
		p.s(", flags [")
		p.ipFlags(h.Flags())
		p.s("], proto ")
		if proto.Known() {
			p.s(proto.String())
		} else {
			p.s("unknown")
		}
		p.s(" (")
		p.u(uint64(proto))
		p.s("), length ")
		p.u(uint64(totalLen))

		optTruncated := false
		if hlen > ipv4.MinHeaderLen {
			p.s(", options (")
			optTruncated = !p.ipOptions(b[ipv4.MinHeaderLen:], hlen-ipv4.MinHeaderLen)
			if optTruncated {
				p.s(" [truncated-option]")
			}
			p.c(')')
		}
		if !p.opt.NoChecksum && hlen <= len(b) {
			if sum := ^checksum.Fold(checksum.Add(0, b[:hlen])); sum != 0 {
				field := h.Checksum()
				p.s(", bad cksum ")
				p.x(uint64(field))
				p.s(" (->")
				p.x(uint64(cksumShouldBe(field, sum)))
				p.s(")!")
			}
		}
		p.s(")\n    ")
		if optTruncated {
			p.ipAddrs(h)
			p.s(": ")
			p.s(" [|ip]")
			return
		}
	}

	if h.FragOffsetUnits() != 0 {
		// A later fragment: its transport header is in the first one.
		p.ipAddrs(h)
		p.s(": ip-proto-")
		p.u(uint64(proto))
		return
	}
	// The TCP and UDP printers put the addresses beside the ports; for
	// everything else they come here. (tcpdump's SCTP and DCCP printers do
	// the same as TCP's, but this package has none, so their datagrams print
	// like any protocol it does not decode.)
	if proto != ipv4.ProtoTCP && proto != ipv4.ProtoUDP {
		p.ipAddrs(h)
		p.s(": ")
	}
	if hlen > len(b) {
		p.s(" [remaining caplen(")
		p.u(uint64(len(b)))
		p.s(") < header length(")
		p.u(uint64(hlen))
		p.s(")]")
		p.trunc()
	}
	p.ipDemux(b[hlen:], payloadLen, h, proto)
}

// ipDemux prints the transport layer of an IPv4 datagram (tcpdump's
// ip_demux_print for IPv4). Protocols this package does not decode print their
// number and length, as tcpdump does for protocols it does not know.
func (p *Printer) ipDemux(b []byte, length int, h ipv4.Header, proto ipv4.Protocol) {
	fragmented := h.MF()
	switch proto {
	case ipv4.ProtoTCP:
		p.tcp(b, length, v4Header(h), fragmented)
	case ipv4.ProtoUDP:
		p.udp(b, length, v4Header(h), fragmented)
	case ipv4.ProtoICMP:
		p.icmp(b, length, v4Header(h), fragmented)
	case ipv4.ProtoIPIP:
		p.ip(b, length)
	case ipv4.ProtoIPv6:
		p.ip6(b, length)
	case ipv4.ProtoICMPv6:
		p.s("[ICMPv6 requires IPv6] (invalid)")
	case ipv4.ProtoNoNext:
		p.s("no next header")
	case ipv4.ProtoGRE:
		p.gre(b, length)
	case ipv4.ProtoVRRP:
		p.vrrp(b, length, v4Header(h), h.TTL())
	case protoSunND:
		p.s(" nd ")
		p.u(uint64(length))
	default:
		p.s(" ip-proto-")
		p.u(uint64(proto))
		p.c(' ')
		p.u(uint64(length))
	}
}

// protoSunND is Sun's old network disk protocol, which tcpdump names by its
// length alone.
const protoSunND ipv4.Protocol = 77

// ipAddrs prints "SRC > DST".
func (p *Printer) ipAddrs(h ipv4.Header) {
	p.out = h.Src().AppendTo(p.out)
	p.s(" > ")
	p.out = h.Dst().AppendTo(p.out)
}

// ipFlags prints the fragment flags as tcpdump's bittok2str does: "+",
// "DF", "rsvd" separated by ", ", or "none".
func (p *Printer) ipFlags(f ipv4.Flags) {
	n := 0
	for _, x := range [...]struct {
		f ipv4.Flags
		s string
	}{{ipv4.FlagMF, "+"}, {ipv4.FlagDF, "DF"}, {ipv4.FlagReserved, "rsvd"}} {
		if f&x.f != 0 {
			if n > 0 {
				p.s(", ")
			}
			p.s(x.s)
			n++
		}
	}
	if n == 0 {
		p.s("none")
	}
}

// cksumShouldBe returns the checksum field value that would have made a
// header verify, given the field as received and the checksum computed over
// the header with it (tcpdump's in_cksum_shouldbe, after RFC 1624).
func cksumShouldBe(field, computed uint16) uint16 {
	s := uint32(field) + uint32(computed)
	s = s&0xffff + s>>16
	s = s&0xffff + s>>16
	return uint16(s)
}

// ipOptionNames is tcpdump's ip_option_values.
var ipOptionNames = []tok{
	{0, "EOL"}, {1, "NOP"}, {68, "timestamp"}, {130, "security"}, {7, "RR"},
	{137, "SSRR"}, {131, "LSRR"}, {148, "RA"}, {82, "traceroute"},
}

// ipOptions prints the options of an IPv4 header, whose length by the
// header length field is length; b holds what was captured from the first
// option on. It reports false when the options were cut short by the end of
// the capture (tcpdump's ip_optprint returning -1).
func (p *Printer) ipOptions(b []byte, length int) bool {
	sep := ""
	for length > 0 {
		p.s(sep)
		sep = ","
		if len(b) < 1 {
			return false
		}
		code := b[0]
		p.tok2str(ipOptionNames, "unknown %d", uint32(code))
		optLen := 1
		if code != 0 && code != 1 {
			if len(b) < 2 {
				return false
			}
			optLen = int(b[1])
			if optLen < 2 {
				p.s(" [bad length ")
				p.u(uint64(optLen))
				p.c(']')
				return true
			}
		}
		if optLen > length {
			p.s(" [bad length ")
			p.u(uint64(optLen))
			p.c(']')
			return true
		}
		if len(b) < optLen {
			return false
		}
		switch code {
		case 0: // EOL
			return true
		case 68: // timestamp
			if !p.ipTimestamp(b, optLen) {
				return false
			}
		case 7, 131, 137: // RR, LSRR, SSRR
			if !p.ipRoute(b, optLen) {
				return false
			}
		case 148: // router alert
			opt := b[:optLen]
			if optLen < 4 {
				p.s(" [bad length ")
				p.u(uint64(optLen))
				p.c(']')
				break
			}
			if v := uint16(opt[2])<<8 | uint16(opt[3]); v != 0 {
				p.s(" value ")
				p.u(uint64(v))
			}
		}
		b, length = b[optLen:], length-optLen
	}
	return true
}

// ipRoute prints a record-route or source-route option of the given
// length: the addresses, with a comma after those the pointer has passed.
// Like tcpdump, it reads whole addresses even where the option's length
// ends inside one, as far as the capture goes (b holds the captured bytes
// from the option on); it reports false when it runs off the capture.
func (p *Printer) ipRoute(b []byte, length int) bool {
	opt := b
	if length < 3 {
		p.s(" [bad length ")
		p.u(uint64(length))
		p.c(']')
		return true
	}
	if (length+1)&3 != 0 {
		p.s(" [bad length ")
		p.u(uint64(length))
		p.c(']')
	}
	ptr := int(opt[2]) - 1
	if ptr < 3 || (ptr+1)&3 != 0 || ptr > length+1 {
		p.s(" [bad ptr ")
		p.u(uint64(opt[2]))
		p.c(']')
	}
	for off := 3; off < length; off += 4 {
		if off+4 > len(opt) {
			return false
		}
		p.c(' ')
		p.out = ipv4.Addr(opt[off : off+4]).AppendTo(p.out)
		if ptr > off {
			p.c(',')
		}
	}
	return true
}

// ipTimestamp prints a timestamp option of the given length, reading the
// captured bytes in b as ipRoute does; it reports false when it runs off the
// capture.
func (p *Printer) ipTimestamp(b []byte, length int) bool {
	opt := b
	if length < 4 {
		p.s("[bad length ")
		p.u(uint64(length))
		p.c(']')
		return true
	}
	p.s(" TS{")
	flag := opt[3] & 0xf
	hoplen := 8
	if flag == 0 {
		hoplen = 4
	}
	if (length-4)&(hoplen-1) != 0 {
		p.s("[bad length ")
		p.u(uint64(length))
		p.c(']')
	}
	ptr := int(opt[2]) - 1
	if ptr < 4 || (ptr-4)&(hoplen-1) != 0 || ptr > length+1 {
		p.s("[bad ptr ")
		p.u(uint64(opt[2]))
		p.c(']')
	}
	off := 0
	switch flag {
	case 0:
		p.s("TSONLY")
	case 1:
		p.s("TS+ADDR")
	case 3:
		p.s("PRESPEC")
	default:
		p.s("[bad ts type ")
		p.u(uint64(flag))
		p.c(']')
	}
	if flag == 0 || flag == 1 || flag == 3 {
		sep := " "
		for off = 4; off < length; off += hoplen {
			if ptr == off {
				sep = " ^ "
			}
			if off+hoplen > len(opt) {
				return false
			}
			p.s(sep)
			p.u(uint64(uint32(opt[off+hoplen-4])<<24 | uint32(opt[off+hoplen-3])<<16 | uint32(opt[off+hoplen-2])<<8 | uint32(opt[off+hoplen-1])))
			p.c('@')
			if hoplen == 8 {
				p.out = ipv4.Addr(opt[off : off+4]).AppendTo(p.out)
			}
			sep = " "
		}
	}
	if ptr == off {
		p.s(" ^ ")
	}
	if over := opt[3] >> 4; over != 0 {
		p.s(" [")
		p.u(uint64(over))
		p.s(" hops not recorded]} ")
	} else {
		p.c('}')
	}
	return true
}
