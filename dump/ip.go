package dump

import "github.com/medina-net/medina/ipv4"

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
	h, err := ipv4.NewHeader(b)
	if err != nil {
		p.s(" [|ip]")
		return
	}
	if length < ipv4.MinHeaderLen {
		p.s("truncated-ip ")
		p.u(uint64(length))
		return
	}
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
	h = ipv4.Header(clip(h, totalLen))
	payloadLen := totalLen - hlen
	proto := h.Protocol()

	if p.opt.Verbose > 0 {
		p.s("(tos 0x")
		p.x(uint64(h.TOS()))
		if ecn := h.ECN(); ecn != ipv4.ECNNotECT {
			p.c(',')
			p.s(ecn.String())
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
		p.out = h.Flags().AppendTo(p.out)
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
			optTruncated = !p.ipOptions(h)
			if optTruncated {
				p.s(" [truncated-option]")
			}
			p.c(')')
		}
		if !p.opt.NoChecksum && hlen <= len(h) && !h.ChecksumValid() {
			field := h.Checksum()
			p.s(", bad cksum ")
			p.x(uint64(field))
			p.s(" (->")
			p.x(uint64(viewShouldBe(field, h.ComputeChecksum())))
			p.s(")!")
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
	// The TCP, UDP and DCCP printers put the addresses beside the ports;
	// for everything else they come here. (tcpdump's SCTP printer does
	// the same, but this package has none, so its datagrams print like
	// any protocol it does not decode.)
	if proto != ipv4.ProtoTCP && proto != ipv4.ProtoUDP && proto != ipv4.ProtoDCCP {
		p.ipAddrs(h)
		p.s(": ")
	}
	if hlen > len(h) {
		p.s(" [remaining caplen(")
		p.u(uint64(len(h)))
		p.s(") < header length(")
		p.u(uint64(hlen))
		p.s(")]")
		p.trunc()
	}
	p.ipDemux(h.Payload(), payloadLen, h, proto)
}

// ipDemux prints the transport layer of an IPv4 datagram (tcpdump's
// ip_demux_print for IPv4). Protocols this package does not decode print their
// number and length, as tcpdump does for protocols it does not know.
func (p *Printer) ipDemux(b []byte, length int, h ipv4.Header, proto ipv4.Protocol) {
	fragmented := h.MF()
	if proto == ipv4.ProtoAH {
		var ok bool
		if b, length, proto, ok = p.ahChain(b, length); !ok {
			return
		}
	}
	switch proto {
	case ipv4.ProtoTCP:
		p.tcp(b, length, v4Header(h), fragmented)
	case ipv4.ProtoUDP:
		p.udp(b, length, v4Header(h), fragmented)
	case ipv4.ProtoICMP:
		p.icmp(b, length, v4Header(h), fragmented)
	case ipv4.ProtoDCCP:
		p.dccp(b, length, v4Header(h))
	case ipv4.ProtoESP:
		p.esp(b, length)
	case ipv4.ProtoIPComp:
		p.ipcomp(b)
	case ipv4.ProtoIPIP:
		p.ip(b, length)
	case ipv4.ProtoIPv6:
		p.ip6(b, length)
	case ipv4.ProtoICMPv6:
		p.s("[ICMPv6 requires IPv6] (invalid)")
	case ipv4.ProtoEthernet:
		p.s("[Ethernet requires IPv6] (invalid)")
	case ipv4.ProtoNoNext:
		p.s("no next header")
	case ipv4.ProtoGRE:
		p.gre(b, length)
	case ipv4.ProtoVRRP:
		p.vrrp(b, length, v4Header(h), h.TTL())
	case ipv4.ProtoIGMP, ipv4.ProtoPIM, ipv4.ProtoEIGRP, ipv4.ProtoOSPF:
		p.routingProto(b, length, v4Header(h), proto)
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

// ipOptions prints the options of an IPv4 header, walking them with the
// view's iterator; h is the header with what was captured after it, up to
// the datagram's total length, from which tcpdump reads the route and
// timestamp slots that run past an option's length. It reports false when
// the options were cut short by the end of the capture (tcpdump's
// ip_optprint returning -1).
func (p *Printer) ipOptions(h ipv4.Header) bool {
	first := true
	for o := range h.OptionIter().All() {
		if !first {
			p.c(',')
		}
		first = false
		if len(o.Bytes) == 0 {
			return false // the kind byte was not captured
		}
		p.out = o.Kind.AppendTo(p.out)
		switch {
		case o.Status == ipv4.OptionTruncated:
			return false // the length byte or the rest was not captured
		case o.Status == ipv4.OptionBadLength:
			p.ipBadLength(" ", o.Len)
			return true
		}
		switch o.Kind {
		case ipv4.OptTimestamp:
			if !p.ipTimestamp(o) {
				return false
			}
		case ipv4.OptRR, ipv4.OptLSRR, ipv4.OptSSRR:
			if !p.ipRoute(o) {
				return false
			}
		case ipv4.OptRouterAlert:
			if v, ok := o.RouterAlert(); !ok {
				p.ipBadLength(" ", o.Len)
			} else if v != 0 {
				p.s(" value ")
				p.u(uint64(v))
			}
		}
	}
	return true
}

// ipBadLength prints tcpdump's "[bad length N]" after sep.
func (p *Printer) ipBadLength(sep string, n int) {
	p.s(sep)
	p.s("[bad length ")
	p.u(uint64(n))
	p.c(']')
}

// ipRoute prints a record-route or source-route option: the addresses,
// with a comma after those the pointer has passed. Like tcpdump, it reads
// whole addresses even where the option's length ends inside one, as far
// as the capture goes (Option.RouteSlot); it reports false when it runs
// off the capture.
func (p *Printer) ipRoute(o ipv4.Option) bool {
	length := o.Len
	if length < 3 {
		p.ipBadLength(" ", length)
		return true
	}
	if (length+1)&3 != 0 {
		p.ipBadLength(" ", length)
	}
	pointer, _ := o.Pointer()
	ptr := int(pointer) - 1
	if ptr < 3 || (ptr+1)&3 != 0 || ptr > length+1 {
		p.s(" [bad ptr ")
		p.u(uint64(pointer))
		p.c(']')
	}
	for i, off := 0, 3; off < length; i, off = i+1, off+4 {
		a, ok := o.RouteSlot(i)
		if !ok {
			return false
		}
		p.c(' ')
		p.out = a.AppendTo(p.out)
		if ptr > off {
			p.c(',')
		}
	}
	return true
}

// ipTimestamp prints a timestamp option, reading its entries as ipRoute
// reads a route's (Option.TSSlot); it reports false when it runs off the
// capture.
func (p *Printer) ipTimestamp(o ipv4.Option) bool {
	length := o.Len
	if length < 4 {
		p.ipBadLength("", length)
		return true
	}
	p.s(" TS{")
	overflow, flag, _ := o.TSFlags()
	hoplen := flag.EntryLen()
	if (length-4)&(hoplen-1) != 0 {
		p.ipBadLength("", length)
	}
	pointer, _ := o.Pointer()
	ptr := int(pointer) - 1
	if ptr < 4 || (ptr-4)&(hoplen-1) != 0 || ptr > length+1 {
		p.s("[bad ptr ")
		p.u(uint64(pointer))
		p.c(']')
	}
	off := 0
	switch flag {
	case ipv4.TSOnly:
		p.s("TSONLY")
	case ipv4.TSAndAddr:
		p.s("TS+ADDR")
	case ipv4.TSPrespec:
		p.s("PRESPEC")
	default:
		p.s("[bad ts type ")
		p.u(uint64(flag))
		p.c(']')
	}
	if flag == ipv4.TSOnly || flag == ipv4.TSAndAddr || flag == ipv4.TSPrespec {
		sep := " "
		i := 0
		for off = 4; off < length; i, off = i+1, off+hoplen {
			if ptr == off {
				sep = " ^ "
			}
			a, ts, ok := o.TSSlot(i)
			if !ok {
				return false
			}
			p.s(sep)
			p.u(uint64(ts))
			p.c('@')
			if hoplen == 8 {
				p.out = a.AppendTo(p.out)
			}
			sep = " "
		}
	}
	if ptr == off {
		p.s(" ^ ")
	}
	if overflow != 0 {
		p.s(" [")
		p.u(uint64(overflow))
		p.s(" hops not recorded]} ")
	} else {
		p.c('}')
	}
	return true
}
