package dump

import (
	"github.com/medina-net/medina/ipv4"
	"github.com/medina-net/medina/ipv6"
)

// IPv6 as tcpdump's print-ip6.c prints it, read through the ipv6 views:
// the fixed header, the extension headers the chain walk (ipv6.ExtIter)
// finds, printed by print-ip6opts.c's, print-rt6.c's and print-frag6.c's
// rules, the mobility header (mobility.go), then the upper layer. The
// authentication header and ESP are printed by the protocol demultiplexer
// (ipsec.go), as tcpdump's ip_demux_print does for both IP versions.

// ip6 prints an IPv6 datagram whose on-wire length is length (tcpdump's
// ip6_print).
func (p *Printer) ip6(b []byte, length int) {
	p.proto = "ip6"
	// tcpdump checks the header's length itself here (ND_TCHECK), so the
	// packet is not abandoned: the -x dump still skips the link layer.
	h, err := ipv6.NewHeader(b)
	if err != nil {
		p.s(" [|ip6]")
		return
	}
	if length < ipv6.HeaderLen {
		p.s("truncated-ip6 ")
		p.u(uint64(length))
		return
	}
	if !p.opt.LinkHeader {
		p.s("IP6 ")
	}
	if v := h.Version(); v != ipv6.Version {
		p.s("version error: ")
		p.u(uint64(v))
		p.s(" != 6")
		return
	}
	payloadLen := uint32(h.PayloadLen())
	// total is what the datagram covers by its header; with a payload
	// length of 0 (a jumbogram, perhaps) tcpdump walks the headers to
	// what the layer below says, plus the header once more, to find the
	// jumbo payload option.
	var total uint32
	if payloadLen != 0 {
		total = payloadLen + ipv6.HeaderLen
		if uint32(length) < total {
			p.s("truncated-ip6 - ")
			p.u(uint64(total - uint32(length)))
			p.s(" bytes missing!")
		}
	} else {
		total = uint32(length) + ipv6.HeaderLen
	}
	nh := h.NextHeader()
	if p.opt.Verbose > 0 {
		p.c('(')
		if tc := h.TrafficClass(); tc != 0 {
			p.s("class 0x")
			p.xw(uint64(tc), 2)
			p.s(", ")
		}
		if fl := h.FlowLabel(); fl != 0 {
			p.s("flowlabel 0x")
			p.xw(uint64(fl), 5)
			p.s(", ")
		}
		p.s("hlim ")
		p.u(uint64(h.HopLimit()))
		p.s(", next-header ")
		p.ipProtoName(uint8(nh))
		p.s(" (")
		p.u(uint64(nh))
		p.s(") payload length: ")
		p.u(uint64(payloadLen))
		p.s(") ")
	}
	// The datagram ends where its payload length says.
	h = ipv6.Header(clip(h, int(total)))
	if !ipNoAddrs(uint8(nh)) {
		p.ip6Addrs(h)
		p.s(": ")
	}

	var foundExt, foundJumbo, foundHBH, fragmented bool
	upper, off := nh, ipv6.HeaderLen
	it := h.ExtIterTo(int(total))
	for e, ok := it.Next(); ok; e, ok = it.Next() {
		if e.Proto == ipv4.ProtoAH {
			// The demultiplexer prints it, and what follows it.
			upper, off = e.Proto, e.Offset
			break
		}
		switch e.Proto {
		case ipv4.ProtoHopOpts:
			if foundHBH {
				p.s("[The Hop-by-Hop Options header was already found] (invalid)")
				return
			}
			if e.Offset != ipv6.HeaderLen {
				p.s("[The Hop-by-Hop Options header don't follow the IPv6 header] (invalid)")
				return
			}
			whole := p.ip6HopByHop(e, &foundJumbo, &payloadLen)
			if payloadLen == 0 && !foundJumbo {
				p.s("[No valid Jumbo Payload Hop-by-Hop option found] (invalid)")
				return
			}
			if !whole {
				return
			}
			foundHBH = true
		case ipv4.ProtoDstOpts:
			if !p.ip6DstOpts(e) {
				return
			}
		case ipv4.ProtoFragment:
			// Nothing follows a later fragment's header but data, and
			// tcpdump stops quietly where the capture ends with it.
			if !p.ip6Frag(e, h) || len(h) <= e.Offset+ipv6.FragmentHeaderLen {
				return
			}
			fragmented = true
		case ipv4.ProtoMobility, ipv4.ProtoMobilityOld:
			// Its payload proto is No Next Header (RFC 6275), and tcpdump
			// goes no further whatever it says.
			p.mobility(h[e.Offset:])
			return
		case ipv4.ProtoRouting:
			if len(h) <= e.Offset {
				// tcpdump checks for the header's first byte itself.
				p.s(" [|ip6]")
				return
			}
			if !p.ip6Routing(h[e.Offset:]) {
				return
			}
		}
		foundExt = true
		p.proto = "ip6"
		switch e.Status {
		case ipv6.ExtPastEnd:
			// The header said more than the payload length leaves.
			p.s(" [|ip6]")
			return
		case ipv6.ExtTruncated:
			return
		}
		upper, off = e.Next, e.Offset+e.Len
	}

	var plen uint32
	switch {
	case foundJumbo:
		n := payloadLen + ipv6.HeaderLen
		if n < uint32(off) {
			p.s(" [|ip6]")
			return
		}
		if uint32(length) < n {
			p.s("truncated-ip6 - ")
			p.u(uint64(n - uint32(length)))
			p.s(" bytes missing!")
		}
		h = ipv6.Header(clip(h, int(n)))
		plen = n - uint32(off)
	case payloadLen == 0:
		// No payload, so no room for an extension header.
		if foundExt {
			p.s(" [|ip6]")
			return
		}
		h = ipv6.Header(clip(h, ipv6.HeaderLen))
		plen = 0
	default:
		plen = total - uint32(off)
	}
	p.ip6Demux(h[min(off, len(h)):], int(plen), uint8(upper), h, fragmented)
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
func (p *Printer) ip6Addrs(h ipv6.Header) {
	p.out = h.Src().AppendTo(p.out)
	p.s(" > ")
	p.out = h.Dst().AppendTo(p.out)
}

// ip6Demux prints the payload of an IPv6 datagram, of the given protocol
// (tcpdump's ip_demux_print for IPv6). hdr is the datagram from its fixed
// header on, extension headers included, which the transport printers get
// as their netHeader: a checksum's pseudo-header takes its destination
// from a routing header (ipv6.Header.RoutedDst).
func (p *Printer) ip6Demux(b []byte, length int, nh uint8, hdr ipv6.Header, fragmented bool) {
	proto := ipv4.Protocol(nh)
	if proto == ipv4.ProtoAH {
		var ok bool
		if b, length, proto, ok = p.ahChain(b, length); !ok {
			return
		}
	}
	switch proto {
	case ipv4.ProtoTCP:
		p.tcp(b, length, netHeader{v6: hdr}, fragmented)
	case ipv4.ProtoUDP:
		p.udp(b, length, netHeader{v6: hdr}, fragmented)
	case ipv4.ProtoDCCP:
		p.dccp(b, length, netHeader{v6: hdr})
	case ipv4.ProtoESP:
		p.esp(b, length)
	case ipv4.ProtoIPComp:
		p.ipcomp(b)
	case ipv4.ProtoVRRP:
		p.vrrp(b, length, netHeader{v6: hdr}, hdr.HopLimit())
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
	case ipv4.ProtoEthernet:
		// An Ethernet frame in a segment routing header's tunnel (RFC
		// 8986's End.DX2).
		p.ether(b, length)
	case ipv4.ProtoNoNext:
		p.s("no next header")
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

// ip6HopByHop prints a hop-by-hop options header (tcpdump's
// hbhopt_process) and reports whether it was whole and well formed. A
// valid Jumbo Payload option sets *jumbo and *payloadLen.
func (p *Printer) ip6HopByHop(e ipv6.Ext, jumbo *bool, payloadLen *uint32) bool {
	p.proto = "hbhopt"
	if e.Len == 0 {
		p.trunc() // its length was not captured
	}
	if len(e.Raw) < e.Len {
		p.s(" [|hbhopt]")
		return false
	}
	p.s("HBH ")
	if !p.ip6Options(e, jumbo, payloadLen) {
		p.s(" [|hbhopt]")
		return false
	}
	return true
}

// ip6DstOpts prints a destination options header and reports whether it
// was whole and well formed (tcpdump's dstopt_process). Its options are
// printed with -v only.
func (p *Printer) ip6DstOpts(e ipv6.Ext) bool {
	p.proto = "dstopt"
	if e.Len == 0 {
		p.trunc()
	}
	if len(e.Raw) < e.Len {
		p.s(" [|dstopt]")
		return false
	}
	p.s("DSTOPT ")
	if p.opt.Verbose > 0 && !p.ip6Options(e, nil, nil) {
		p.s(" [|dstopt]")
		return false
	}
	return true
}

// Sizes tcpdump requires of the rest of the option area at an option of
// its type before it reads it, type and length bytes included.
const (
	ip6RtAlertMin  = 4
	ip6JumboMin    = 6
	ip6HomeAddrMin = 18
)

// ip6Options prints the options of a hop-by-hop or destination options
// header captured whole, and reports false for a malformed one (tcpdump's
// ip6_opt_process). payloadLen is nil for destination options, where a
// Jumbo Payload option is not valid.
func (p *Printer) ip6Options(e ipv6.Ext, jumbo *bool, payloadLen *uint32) bool {
	v := p.opt.Verbose > 0
	seenJumbo := false
	it := e.Options()
	for o, ok := it.Next(); ok; o, ok = it.Next() {
		switch o.Status {
		case ipv6.OptionBadLength, ipv6.OptionPastEnd, ipv6.OptionTruncated:
			return false
		}
		// What is left of the area from the option on, which tcpdump
		// checks against a type's size before its length byte.
		rest := e.Len - o.Offset
		switch o.Kind {
		case ipv6.OptPad1:
			if v {
				p.s("(pad1)")
			}
		case ipv6.OptPadN:
			if v {
				p.s("(padn)")
			}
		case ipv6.OptRouterAlert:
			if rest < ip6RtAlertMin {
				p.s("(rtalert: trunc)")
				return false
			}
			val, ok := o.RouterAlert()
			if !ok {
				p.ip6InvalidLen("rtalert", o)
				return false
			}
			if v {
				p.s("(rtalert: 0x")
				p.xw(uint64(val), 4)
				p.s(") ")
			}
		case ipv6.OptJumbo:
			if rest < ip6JumboMin {
				p.s("(jumbo: trunc)")
				return false
			}
			n, ok := o.Jumbo()
			if !ok {
				p.ip6InvalidLen("jumbo", o)
				return false
			}
			var why string
			switch {
			case seenJumbo:
				why = " - already seen"
			case payloadLen == nil:
				why = " - not a hop-by-hop option"
			case *payloadLen != 0:
				why = " - payload len != 0"
			case n < ipv6.MinJumboLen:
				why = " - < 65536"
			default:
				*jumbo = true
				*payloadLen = n
			}
			seenJumbo = true
			if v {
				p.s("(jumbo: ")
				p.u(uint64(n))
				p.s(why)
				p.s(") ")
			}
		case ipv6.OptHomeAddress:
			if rest < ip6HomeAddrMin {
				p.s("(homeaddr: trunc)")
				return false
			}
			a, sub, ok := o.HomeAddress()
			if !ok {
				p.ip6InvalidLen("homeaddr", o)
				return false
			}
			if v {
				p.s("(homeaddr: ")
				p.out = a.AppendTo(p.out)
				if len(sub) > 0 && !p.ip6SubOptions(sub) {
					return false
				}
				p.c(')')
			}
		default:
			if v {
				p.s("(opt_type 0x")
				p.xw(uint64(o.Kind), 2)
				p.s(": len=")
				p.u(uint64(o.Length))
				p.c(')')
			}
		}
	}
	if v {
		p.c(' ')
	}
	return true
}

// ip6InvalidLen prints tcpdump's complaint about an option whose length
// its type does not allow.
func (p *Printer) ip6InvalidLen(name string, o ipv6.Option) {
	p.c('(')
	p.s(name)
	p.s(": invalid len ")
	p.u(uint64(o.Length))
	p.c(')')
}

// ip6SubOptions prints the sub-options of a home address option and
// reports false for a malformed one (tcpdump's ip6_sopt_print).
func (p *Printer) ip6SubOptions(b []byte) bool {
	it := ipv6.NewTLVIter(b)
	for t, ok := it.Next(); ok; t, ok = it.Next() {
		if t.Status != ipv6.OptionOK {
			return false
		}
		switch ipv6.OptionKind(t.Type) {
		case ipv6.OptPad1:
			p.s(", pad1")
		case ipv6.OptPadN:
			p.s(", padn")
		default:
			p.s(", sopt_type 0x")
			p.xw(uint64(t.Type), 2)
			p.s(": len=")
			p.u(uint64(t.Length))
		}
	}
	return true
}

// ip6Frag prints the fragment header e of the datagram h and reports
// whether the datagram's headers go on after it: they do not after a
// fragment other than the first, whose data cannot be decoded (tcpdump's
// frag6_print).
func (p *Printer) ip6Frag(e ipv6.Ext, h ipv6.Header) bool {
	p.proto = "frag6"
	rest := h[e.Offset:]
	// The identification is read (and needed) only with -v.
	var ident uint32
	if p.opt.Verbose > 0 {
		// Checked first: the view's error for a short header would
		// allocate.
		p.need(rest, ipv6.FragmentHeaderLen)
		ident = ipv6.FragmentHeader(rest).ID()
	}
	offset, ok := ipv6.FragmentOffsetField(rest)
	if !ok {
		p.trunc()
	}
	// The fragment's length by the payload length, as tcpdump computes
	// it in a size_t: it wraps when the payload length is too small.
	fragLen := uint64(ipv6.HeaderLen) + uint64(h.PayloadLen()) - uint64(e.Offset) - ipv6.FragmentHeaderLen
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
		return false
	}
	p.c(' ')
	return true
}

// ip6Routing prints the routing header that b starts with (the datagram
// from it on, as captured) and reports false for one it cannot go past
// (tcpdump's rt6_print). tcpdump 4.99.3 knows types 0, 2 and 4; it calls
// the others, type 3 (RPL) among them, unknown, and it prints a segment
// routing header's slots by its length, TLVs included, as addresses.
func (p *Printer) ip6Routing(b []byte) bool {
	p.proto = "rt6"
	p.s("RT6")
	hdrLen, typ, segLeft, n := ipv6.RoutingFields(b)
	if n < 1 {
		p.trunc()
	}
	p.s(" (len=")
	p.u(uint64(hdrLen))
	if n < 2 {
		p.trunc()
	}
	p.s(", type=")
	p.u(uint64(typ))
	if typ == ipv6.RoutingSourceRoute {
		p.s(" [Deprecated]")
	}
	if n < 3 {
		p.trunc()
	}
	p.s(", segleft=")
	p.u(uint64(segLeft))
	r := ipv6.Routing(b) // n == 3: the 4 bytes NewRouting checks are there
	switch typ {
	case ipv6.RoutingSourceRoute, ipv6.RoutingMobile:
		p.need(r, ipv6.RoutingMinLen)
		if rsv := r.Reserved(); rsv != 0 || p.opt.Verbose > 0 {
			p.s(", rsv=0x")
			p.x(uint64(rsv))
		}
	case ipv6.RoutingSegment:
		last, flags, tag, n := r.SRHFields()
		if n < 1 {
			p.trunc()
		}
		p.s(", last-entry=")
		p.u(uint64(last))
		if n < 2 {
			p.trunc()
		}
		if flags != 0 || p.opt.Verbose > 0 {
			p.s(", flags=0x")
			p.x(uint64(flags))
		}
		if n < 3 {
			p.trunc()
		}
		p.s(", tag=")
		p.x(uint64(tag))
	default:
		p.s(" (unknown type) (invalid)")
		return false
	}
	if hdrLen%2 == 1 {
		p.s(" (invalid length ")
		p.u(uint64(hdrLen))
		p.s(") (invalid)")
		return false
	}
	slot := r.Addr
	if typ == ipv6.RoutingSegment {
		slot = r.Segment
	}
	for i := range int(hdrLen) / 2 {
		a, ok := slot(i)
		if !ok {
			p.trunc()
		}
		p.s(", [")
		p.u(uint64(i))
		p.c(']')
		p.out = a.AppendTo(p.out)
	}
	p.s(") ")
	return true
}
