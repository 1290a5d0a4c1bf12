package dump

import (
	"github.com/medina-net/medina/icmpv6"
	"github.com/medina-net/medina/ipv4"
	"github.com/medina-net/medina/ipv6"
	"github.com/medina-net/medina/udp"
)

// ICMPv6 as tcpdump 4.99.3's print-icmp6.c prints it: the message types,
// the neighbor discovery options, MLD, node information, router
// renumbering, mobile IPv6's messages and RPL's control messages.
//
// tcpdump prints as it reads here, unlike its ICMP printer: what was
// printed before a read runs off the capture stays, and " [|icmp6]"
// follows it. In some places it checks a length itself and prints the
// mark without abandoning the packet (nd_print_trunc); printTrunc6 does
// that.

// icmp6UnreachNames is tcpdump's icmp6_dst_unreach_code_values (the
// leading space of the second is tcpdump's).
var icmp6UnreachNames = []tok{
	{uint32(icmpv6.UnreachNoRoute), "unreachable route"},
	{uint32(icmpv6.UnreachProhibited), " unreachable prohibited"},
	{uint32(icmpv6.UnreachBeyondScope), "beyond scope"},
	{uint32(icmpv6.UnreachAddress), "unreachable address"},
	{uint32(icmpv6.UnreachPort), "unreachable port"},
}

// icmp6ParamProblemText is how tcpdump words the codes of parameter
// problem it knows.
var icmp6ParamProblemText = []tok{
	{uint32(icmpv6.ParamProblemHeader), ", erroneous - octet "},
	{uint32(icmpv6.ParamProblemNextHeader), ", next header - octet "},
	{uint32(icmpv6.ParamProblemOption), ", option - octet "},
	{uint32(icmpv6.ParamProblemIncompleteChain), ", incomplete header chain - octet "},
}

// icmp6RAFlagNames is tcpdump's icmp6_opt_ra_flag_values.
var icmp6RAFlagNames = []tok{
	{uint32(icmpv6.RAManaged), "managed"},
	{uint32(icmpv6.RAOther), "other stateful"},
	{uint32(icmpv6.RAHomeAgent), "home agent"},
	{uint32(icmpv6.RAIPv6Only), "ipv6 only"},
}

// icmp6NAFlagNames is tcpdump's icmp6_nd_na_flag_values.
var icmp6NAFlagNames = []tok{
	{uint32(icmpv6.NARouter), "router"},
	{uint32(icmpv6.NASolicited), "solicited"},
	{uint32(icmpv6.NAOverride), "override"},
}

// icmp6PrefixFlagNames is tcpdump's icmp6_opt_pi_flag_values.
var icmp6PrefixFlagNames = []tok{
	{uint32(icmpv6.PrefixOnLink), "onlink"},
	{uint32(icmpv6.PrefixAutonomous), "auto"},
	{uint32(icmpv6.PrefixRouterAddr), "router"},
}

// icmp6MOPNames is tcpdump's rpl_mop_values.
var icmp6MOPNames = []tok{
	{uint32(icmpv6.MOPNoDownward), "nonstoring"},
	{uint32(icmpv6.MOPNonStoring), "storing"},
	{uint32(icmpv6.MOPStoringNoMulticast), "nonstoring-multicast"},
	{uint32(icmpv6.MOPStoringMulticast), "storing-multicast"},
}

// icmp6 prints an ICMPv6 message whose length by the IPv6 header is length
// (tcpdump's icmp6_print). hdr is the IPv6 packet from its fixed header
// on, whose addresses the checksum's pseudo-header takes.
func (p *Printer) icmp6(b []byte, length int, hdr []byte, fragmented bool) {
	p.proto = "icmp6"
	if length == 0 {
		p.s("ICMP6, length 0 (invalid)")
		return
	}
	v := p.opt.Verbose
	if v > 0 && !fragmented && len(b) >= length {
		p.icmp6Checksum(b[:length], hdr)
	}
	// The type is printed before the code is read: a message cut after
	// its first byte shows its type.
	m := icmpv6.Message(b)
	p.need(m, 1)
	typ := m.Type()
	p.s("ICMP6, ")
	if typ.Known() {
		p.s(typ.String())
	} else {
		p.s("unknown icmp6 type (")
		p.u(uint64(typ))
		p.c(')')
	}
	if v > 0 {
		switch typ {
		case icmpv6.TypeRouterSolicit, icmpv6.TypeRouterAdvert, icmpv6.TypeNeighborAdvert,
			icmpv6.TypeNeighborSolicit, icmpv6.TypeRedirect, icmpv6.TypeHomeAgentReply,
			icmpv6.TypeMobilePrefixAdvert:
			p.s(", length ")
			p.u(uint64(length))
		}
	}
	p.need(m, 2)
	code := m.Code()
	// Past the type and code, b holds at least 2 bytes; the view's
	// accessors of what is not there return zeros, so each read below
	// checks what tcpdump's reads check first.

	switch typ {
	case icmpv6.TypeDestUnreachable:
		p.s(", ")
		p.tok2str(icmp6UnreachNames, "unknown unreach code (%d)", uint32(code))
		switch code {
		case icmpv6.UnreachNoRoute, icmpv6.UnreachProhibited, icmpv6.UnreachAddress:
			q := p.icmp6Quote(m)
			p.c(' ')
			p.out = q.Dst().AppendTo(p.out)
		case icmpv6.UnreachBeyondScope:
			q := p.icmp6Quote(m)
			p.c(' ')
			p.out = q.Dst().AppendTo(p.out)
			p.s(", source address ")
			p.out = q.Src().AppendTo(p.out)
		case icmpv6.UnreachPort:
			proto, th, ok := m.QuotedTransport()
			if !ok {
				p.printTrunc6()
				return
			}
			q := p.icmp6Quote(m)
			_, dport, _ := udp.Ports(th)
			p.s(", ")
			p.out = q.Dst().AppendTo(p.out)
			if proto == ipv4.ProtoTCP {
				p.s(" tcp port ")
			} else {
				p.s(" udp port ")
			}
			p.u(uint64(dport))
		default:
			if v <= 1 {
				p.unknownData(b, 0, "\n\t", length)
				return
			}
		}
	case icmpv6.TypePacketTooBig:
		p.need(b, 8)
		p.s(", mtu ")
		p.u(uint64(m.MTU()))
	case icmpv6.TypeTimeExceeded:
		switch code {
		case icmpv6.TimeExceededHopLimit:
			q := p.icmp6Quote(m)
			p.s(" for ")
			p.out = q.Dst().AppendTo(p.out)
		case icmpv6.TimeExceededReassembly:
			p.s(" (reassembly)")
		default:
			p.s(", unknown code (")
			p.u(uint64(code))
			p.c(')')
		}
	case icmpv6.TypeParamProblem:
		// tcpdump checks the quoted destination address was captured.
		if _, err := ipv6.NewHeader(m.Body()); err != nil {
			p.printTrunc6()
			return
		}
		if text, ok := lookup(icmp6ParamProblemText, uint32(code)); ok {
			p.s(text)
			p.u(uint64(m.Pointer()))
		} else {
			p.s(", code-#")
			p.u(uint64(code))
		}
	case icmpv6.TypeEchoRequest, icmpv6.TypeEchoReply:
		p.need(b, 8)
		p.s(", id ")
		p.u(uint64(m.ID()))
		p.s(", seq ")
		p.u(uint64(m.Seq()))
	case icmpv6.TypeMLDQuery:
		switch {
		case length == icmpv6.MLDLen:
			p.mld6(m)
		case length >= icmpv6.MLDv2QueryLen:
			p.s(" v2")
			p.mldv2Query(m, length)
		default:
			p.s(" unknown-version (len ")
			p.u(uint64(length))
			p.s(") ")
		}
	case icmpv6.TypeMLDReport, icmpv6.TypeMLDDone:
		p.mld6(m)
	case icmpv6.TypeRouterSolicit:
		if v > 0 {
			if !p.icmp6Options(m, icmpv6.RouterSolicitLen, length) {
				p.printTrunc6()
				return
			}
		}
	case icmpv6.TypeRouterAdvert:
		if v > 0 {
			p.need(b, icmpv6.RouterAdvertLen)
			f := m.RAFlags()
			p.s("\n\thop limit ")
			p.u(uint64(m.CurHopLimit()))
			p.s(", Flags [")
			p.bittok2str(icmp6RAFlagNames, "none", uint32(f), ", ")
			p.s("], pref ")
			p.s(f.Pref().String())
			p.s(", router lifetime ")
			p.u(uint64(m.RouterLifetime()))
			p.s("s, reachable time ")
			p.u(uint64(m.ReachableTime()))
			p.s("ms, retrans timer ")
			p.u(uint64(m.RetransTimer()))
			p.s("ms")
			if !p.icmp6Options(m, icmpv6.RouterAdvertLen, length) {
				p.printTrunc6()
				return
			}
		}
	case icmpv6.TypeNeighborSolicit:
		p.icmp6Target(m, ", who has ")
		if v > 0 {
			if !p.icmp6Options(m, icmpv6.NeighborSolicitLen, length) {
				p.printTrunc6()
				return
			}
		}
	case icmpv6.TypeNeighborAdvert:
		p.icmp6Target(m, ", tgt is ")
		if v > 0 {
			p.s(", Flags [")
			p.bittok2str(icmp6NAFlagNames, "none", uint32(m.NAFlags()), ", ")
			p.c(']')
			if !p.icmp6Options(m, icmpv6.NeighborAdvertLen, length) {
				p.printTrunc6()
				return
			}
		}
	case icmpv6.TypeRedirect:
		dst, ok := m.RedirectDst()
		if !ok {
			p.trunc()
		}
		p.s(", ")
		p.out = dst.AppendTo(p.out)
		p.icmp6Target(m, " to ")
		if v > 0 {
			if !p.icmp6Options(m, icmpv6.RedirectLen, length) {
				p.printTrunc6()
				return
			}
		}
	case icmpv6.TypeRouterRenumbering:
		p.icmp6Renumber(m)
	case icmpv6.TypeNodeInfoQuery, icmpv6.TypeNodeInfoReply:
		p.icmp6NodeInfo(m, length)
	case icmpv6.TypeInverseNDSolicit, icmpv6.TypeInverseNDAdvert:
	case icmpv6.TypeMLDv2Report:
		p.mldv2Report(m, length)
	case icmpv6.TypeMobilePrefixSolicit, icmpv6.TypeHomeAgentRequest:
		p.icmp6ID(m)
	case icmpv6.TypeHomeAgentReply:
		if v > 0 {
			p.icmp6ID(m)
			for i := 0; icmpv6.HeaderLen+i*ipv6.AddrLen < length; i++ {
				a, ok := m.HomeAgent(i)
				if !ok {
					p.trunc()
				}
				p.s(", ")
				p.out = a.AppendTo(p.out)
			}
		}
	case icmpv6.TypeMobilePrefixAdvert:
		if v > 0 {
			p.icmp6ID(m)
			p.need(b, 8)
			f := m.MobilePrefixFlags()
			if f&(icmpv6.MobilePrefixManaged|icmpv6.MobilePrefixOther) != 0 {
				p.c(' ')
			}
			if f&icmpv6.MobilePrefixManaged != 0 {
				p.c('M')
			}
			if f&icmpv6.MobilePrefixOther != 0 {
				p.c('O')
			}
			if !p.icmp6Options(m, icmpv6.HeaderLen, length) {
				p.printTrunc6()
				return
			}
		}
	case icmpv6.TypeRPL:
		// tcpdump passes the length less 4 unsigned: a message shorter
		// than that wraps around.
		rl := length - 4
		if rl < 0 {
			rl += 1 << 32
		}
		p.rpl(m, code, rl)
	default:
		p.s(", length ")
		p.u(uint64(length))
		if v <= 1 {
			p.unknownData(b, 0, "\n\t", length)
		}
		return
	}
	if v == 0 {
		p.s(", length ")
		p.u(uint64(length))
	}
}

// icmp6Checksum prints whether the checksum of m, the whole message,
// verifies: "[icmp6 sum ok] " or "[bad icmp6 cksum 0xFIELD -> 0xRIGHT!] ".
// The pseudo-header's destination is the last address of a routing
// header, as tcpdump takes it.
func (p *Printer) icmp6Checksum(m []byte, hdr []byte) {
	msg := icmpv6.Message(m)
	p.need(msg, icmpv6.MinLen)
	field := msg.Checksum()
	h := ipv6.Header(hdr)
	src, dst := h.Src(), h.RoutedDst()
	if msg.ChecksumValid(src, dst) {
		p.s("[icmp6 sum ok] ")
		return
	}
	p.s("[bad icmp6 cksum 0x")
	p.xw(uint64(field), 4)
	p.s(" -> 0x")
	p.xw(uint64(viewShouldBe(field, msg.ComputeChecksum(src, dst))), 4)
	p.s("!] ")
}

// printTrunc6 prints the truncation mark without abandoning the packet,
// where tcpdump checks a length itself (nd_print_trunc).
func (p *Printer) printTrunc6() { p.s(" [|icmp6]") }

// icmp6Quote returns the IPv6 header an error message quotes, stopping
// the packet when it was not captured whole.
func (p *Printer) icmp6Quote(m icmpv6.Message) ipv6.Header {
	q, err := ipv6.NewHeader(m.Body())
	if err != nil {
		p.trunc()
	}
	return q
}

// icmp6Target prints the target address of a neighbor discovery message
// after text. Like every printf of tcpdump's, it prints nothing when what
// it formats was not captured.
func (p *Printer) icmp6Target(m icmpv6.Message, text string) {
	a, ok := m.Target()
	if !ok {
		p.trunc()
	}
	p.s(text)
	p.out = a.AppendTo(p.out)
}

// icmp6ID prints the identifier of mobile IPv6's messages.
func (p *Printer) icmp6ID(m icmpv6.Message) {
	p.need(m, 6)
	p.s(", id 0x")
	p.xw(uint64(m.ID()), 4)
}

// icmp6Lifetime prints a lifetime in seconds, "infinity" for all ones
// (tcpdump's get_lifetime).
func (p *Printer) icmp6Lifetime(v uint32) {
	if v == 0xffffffff {
		p.s("infinity")
		return
	}
	p.u(uint64(v))
	p.c('s')
}

// icmp6Options prints the neighbor discovery options of m from off, each
// on a line of its own (tcpdump's icmp6_opt_print). tcpdump walks them to
// the end of the capture, stopping where the message's length says only
// when an option would start at or past it. It reports false where
// tcpdump gives up on the options and marks the message truncated.
func (p *Printer) icmp6Options(m icmpv6.Message, off, length int) bool {
	if off >= len(m) {
		return true
	}
	resid := length - off
	it := icmpv6.NewOptionIter(m[off:])
	for {
		start := off + it.Offset()
		o, ok := it.Next()
		if !ok {
			return true
		}
		if o.Status == icmpv6.OptionBadLength {
			return false // the length byte was not captured
		}
		if resid <= 0 {
			return true
		}
		if o.Status == icmpv6.OptionZeroLength || o.Status == icmpv6.OptionPastEnd {
			return false
		}
		p.s("\n\t  ")
		if o.Type.TCPDumpKnown() {
			p.s(o.Type.String())
		} else {
			p.s("unknown")
		}
		p.s(" option (")
		p.u(uint64(o.Type))
		p.s("), length ")
		p.u(uint64(o.Len()))
		p.s(" (")
		p.u(uint64(o.Length))
		p.s("): ")
		switch o.Type {
		case icmpv6.OptSourceLinkAddr, icmpv6.OptTargetLinkAddr:
			for i, c := range o.Data() {
				if i > 0 {
					p.c(':')
				}
				p.xw(uint64(c), 2)
			}
		case icmpv6.OptPrefixInfo:
			pi, ok := icmpv6.PrefixInfoAt(m[start:])
			if !ok {
				p.trunc()
			}
			p.out = pi.Prefix.AppendTo(p.out)
			p.c('/')
			p.u(uint64(pi.PrefixLen))
			if o.Length != 4 {
				p.s("badlen")
			}
			p.s(", Flags [")
			p.bittok2str(icmp6PrefixFlagNames, "none", uint32(pi.Flags), ", ")
			p.s("], valid time ")
			p.icmp6Lifetime(pi.ValidLifetime)
			p.s(", pref. time ")
			p.icmp6Lifetime(pi.PreferredLifetime)
		case icmpv6.OptRedirectedHeader:
			// tcpdump dumps from the first option, not this one.
			p.unknownData(m, off, "\n\t    ", o.Len())
		case icmpv6.OptMTU:
			p.c(' ')
			p.u(uint64(o.Word()))
			if o.Length != 1 {
				p.s("bad option length")
			}
		case icmpv6.OptRDNSS:
			p.s(" lifetime ")
			p.u(uint64(o.Word()))
			p.s("s,")
			for i := range (o.Length - 1) / 2 {
				a, _ := o.RDNSSAddr(i)
				p.s(" addr: ")
				p.out = a.AppendTo(p.out)
			}
		case icmpv6.OptDNSSL:
			p.s(" lifetime ")
			p.u(uint64(o.Word()))
			p.s("s, domain(s):")
			d := dnsMsg{p: p, m: m}
			for at, end := start+8, start+o.Len(); at < end && p.get8(m, at) != 0; {
				p.c(' ')
				next, ok := d.name(at, off)
				if !ok {
					return false
				}
				at = next
			}
		case icmpv6.OptAdvInterval:
			p.c(' ')
			p.u(uint64(o.Word()))
			p.s("ms")
		case icmpv6.OptHomeAgentInfo:
			pref, life := o.Halves()
			p.s(" preference ")
			p.u(uint64(pref))
			p.s(", lifetime ")
			p.u(uint64(life))
		case icmpv6.OptRouteInfo:
			r, ok := o.RouteInfo()
			if !ok {
				return false // tcpdump stops at a length above 3
			}
			p.c(' ')
			p.out = r.Prefix.AppendTo(p.out)
			p.c('/')
			p.u(uint64(r.PrefixLen))
			p.s(", pref=")
			p.s(r.Pref.String())
			p.s(", lifetime=")
			p.icmp6Lifetime(r.Lifetime)
		default:
			if p.opt.Verbose <= 1 {
				p.unknownData(o.Raw, 2, "\n\t  ", o.Len()-2)
				return true
			}
		}
		if p.opt.Verbose > 1 {
			p.unknownData(o.Raw, 2, "\n\t    ", o.Len()-2)
		}
		resid -= o.Len()
	}
}

// mld6 prints an MLDv1 message (tcpdump's mld6_print): nothing when it
// was not captured whole.
func (p *Printer) mld6(m icmpv6.Message) {
	a, ok := m.MulticastAddr()
	if !ok {
		return
	}
	p.s("max resp delay: ")
	p.u(uint64(m.MaxRespDelay()))
	p.s(" addr: ")
	p.out = a.AppendTo(p.out)
}

// mldv2Query prints an MLDv2 query of length bytes (tcpdump's
// mldv2_query_print).
func (p *Printer) mldv2Query(m icmpv6.Message, length int) {
	v := p.opt.Verbose
	p.need(m, 6)
	if v > 0 {
		p.s(" [max resp delay=")
		p.u(uint64(m.MaxRespTime()))
		p.c(']')
	}
	a, ok := m.MulticastAddr()
	if !ok {
		p.trunc()
	}
	p.s(" [gaddr ")
	p.out = a.AppendTo(p.out)
	if v > 0 {
		p.need(m, icmpv6.MLDv2QueryLen-3)
		if m.SuppressRouterSide() {
			p.s(" sflag")
		}
		if q := m.QRV(); q != 0 {
			p.s(" robustness=")
			p.u(uint64(q))
		}
		p.need(m, icmpv6.MLDv2QueryLen-2)
		p.s(" qqi=")
		p.u(uint64(m.QQI()))
	}
	p.need(m, icmpv6.MLDv2QueryLen)
	if n := m.NumQuerySources(); n > 0 {
		switch {
		case length < icmpv6.MLDv2QueryLen+n*ipv6.AddrLen:
			p.s(" [invalid number of sources]")
		case v > 1:
			p.s(" {")
			for i := range n {
				s, ok := m.QuerySource(i)
				if !ok {
					p.trunc()
				}
				p.c(' ')
				p.out = s.AppendTo(p.out)
			}
			p.s(" }")
		default:
			p.s(", ")
			p.u(uint64(n))
			p.s(" source(s)")
		}
	}
	p.c(']')
}

// mldv2Report prints an MLDv2 report of length bytes (tcpdump's
// mldv2_report_print), stepping from record to record as tcpdump does,
// over their sources but not their auxiliary data.
func (p *Printer) mldv2Report(m icmpv6.Message, length int) {
	if length < icmpv6.HeaderLen {
		p.s(" [invalid len ")
		p.u(uint64(length))
		p.c(']')
		return
	}
	p.need(m, icmpv6.HeaderLen)
	n := m.NumRecords()
	p.s(", ")
	p.u(uint64(n))
	p.s(" group record(s)")
	if p.opt.Verbose == 0 {
		return
	}
	off := icmpv6.HeaderLen
	for range n {
		if length < off+icmpv6.MLDv2RecordLen {
			p.s(" [invalid number of groups]")
			return
		}
		r, ok := m.RecordAt(off)
		if !ok {
			p.trunc()
		}
		p.s(" [gaddr ")
		p.out = r.MulticastAddr().AppendTo(p.out)
		p.c(' ')
		if name := r.Type().String(); name != "" {
			p.s(name)
		} else {
			p.s(" [v2-report-#")
			p.u(uint64(r.Type()))
			p.c(']')
		}
		ns := r.NumSources()
		if length < off+icmpv6.MLDv2RecordLen+ns*ipv6.AddrLen {
			p.s(" [invalid number of sources ")
			p.u(uint64(ns))
			p.c(']')
			return
		}
		if p.opt.Verbose == 1 {
			p.s(", ")
			p.u(uint64(ns))
			p.s(" source(s)")
		} else {
			p.s(" {")
			for i := range ns {
				s, ok := r.Source(i)
				if !ok {
					p.trunc()
				}
				p.c(' ')
				p.out = s.AppendTo(p.out)
			}
			p.s(" }")
		}
		off += icmpv6.MLDv2RecordLen + ns*ipv6.AddrLen
		p.c(']')
	}
}

// icmp6NIFlags prints the node addresses flags of a node information
// message in tcpdump's letters; withT adds the T of a reply.
func (p *Printer) icmp6NIFlags(f icmpv6.NIFlags, withT bool) {
	p.s(" [")
	for _, l := range []struct {
		f icmpv6.NIFlags
		c byte
	}{{icmpv6.NIAnycast, 'a'}, {icmpv6.NIGlobal, 'G'}, {icmpv6.NISiteLocal, 'S'}, {icmpv6.NILinkLocal, 'L'},
		{icmpv6.NICompat, 'C'}, {icmpv6.NIAll, 'A'}} {
		if f&l.f != 0 {
			p.c(l.c)
		}
	}
	if withT && f&icmpv6.NITruncated != 0 {
		p.c('T')
	}
	p.c(']')
}

// icmp6NodeInfo prints a node information query or reply (tcpdump's
// icmp6_nodeinfo_print); length is the message's by the IPv6 header, and
// what tcpdump compares with what was captured.
func (p *Printer) icmp6NodeInfo(m icmpv6.Message, length int) {
	v := p.opt.Verbose
	siz := len(m)
	if m.Type() == icmpv6.TypeNodeInfoQuery {
		if siz == icmpv6.KAMEWhoAreYouLen {
			p.s(" who-are-you request")
			return
		}
		p.s(" node information query")
		if siz < icmpv6.NodeInfoLen {
			p.printTrunc6()
			return
		}
		p.s(" (")
		qt := m.Qtype()
		switch qt {
		case icmpv6.QtypeNOOP:
			p.s("noop")
		case icmpv6.QtypeSupported:
			p.s("supported qtypes")
			if f := m.NIFlags(); f != 0 {
				p.icmp6SupportedFlags(f)
			}
		case icmpv6.QtypeNodeName:
			p.s("DNS name")
		case icmpv6.QtypeNodeAddrs:
			p.s("node addresses")
			if f := m.NIFlags(); f != 0 {
				p.icmp6NIFlags(f, false)
			}
		default:
			p.s("unknown")
		}
		if qt == icmpv6.QtypeNOOP || qt == icmpv6.QtypeSupported {
			if siz != icmpv6.NodeInfoLen && v > 0 {
				p.s(", invalid len")
			}
			p.c(')')
			return
		}
		if siz == icmpv6.NodeInfoLen {
			p.s(", 03 draft)")
			return
		}
		data := m.NIData()
		switch m.Code() {
		case icmpv6.NIQuerySubjectIPv6:
			if len(data) < ipv6.AddrLen {
				break
			}
			if len(data) != ipv6.AddrLen {
				if v > 0 {
					p.s(", invalid subject len")
				}
				break
			}
			p.s(", subject=")
			p.out = ipv6.Addr(data).AppendTo(p.out)
		case icmpv6.NIQuerySubjectName:
			p.s(", subject=DNS name")
			p.icmp6NIName(data)
		case icmpv6.NIQuerySubjectIPv4:
			if len(data) < 4 {
				break
			}
			a, ok := m.NISubjectIPv4()
			if !ok {
				if v > 0 {
					p.s(", invalid subject len")
				}
				break
			}
			p.s(", subject=")
			p.out = a.AppendTo(p.out)
		default:
			p.s(", unknown subject")
		}
		p.c(')')
		return
	}

	// A reply.
	if length > siz {
		p.printTrunc6()
		return
	}
	if siz < icmpv6.NodeInfoLen {
		p.printTrunc6()
		return
	}
	p.s(" node information reply (")
	comma := false
	switch m.Code() {
	case icmpv6.NIReplySuccess:
		if v > 0 {
			p.s("success")
			comma = true
		}
	case icmpv6.NIReplyRefused, icmpv6.NIReplyUnknown:
		if m.Code() == icmpv6.NIReplyRefused {
			p.s("refused")
		} else {
			p.s("unknown")
		}
		comma = true
		if siz != icmpv6.NodeInfoLen && v > 0 {
			p.s(", invalid length")
		}
	}
	if m.Code() != icmpv6.NIReplySuccess {
		p.c(')')
		return
	}
	if comma {
		p.s(", ")
	}
	switch m.Qtype() {
	case icmpv6.QtypeNOOP:
		p.s("noop")
		if siz != icmpv6.NodeInfoLen && v > 0 {
			p.s(", invalid length")
		}
	case icmpv6.QtypeSupported:
		p.s("supported qtypes")
		if f := m.NIFlags(); f != 0 {
			p.icmp6SupportedFlags(f)
		}
	case icmpv6.QtypeNodeName:
		p.s("DNS name")
		data := m.NIData()
		p.icmp6NIName(data[min(4, len(data)):])
		if m.NIFlags()&icmpv6.NITTLPresent != 0 {
			p.s(" [TTL=")
			p.u(uint64(p.get32(data, 0)))
			p.c(']')
		}
	case icmpv6.QtypeNodeAddrs:
		p.s("node addresses")
		data := m.NIData()
		for i := 0; i+4+ipv6.AddrLen <= len(data); i += 4 + ipv6.AddrLen {
			p.c(' ')
			p.out = ipv6.Addr(data[i+4 : i+4+ipv6.AddrLen]).AppendTo(p.out)
			p.c('(')
			p.u(uint64(be32(data[i:])))
			p.c(')')
		}
		if f := m.NIFlags(); f != 0 {
			p.icmp6NIFlags(f, true)
		}
	default:
		p.s("unknown")
	}
	p.c(')')
}

// icmp6SupportedFlags prints the flags of a supported types query or
// reply: " [C]" when its C flag is set, " []" otherwise.
func (p *Printer) icmp6SupportedFlags(f icmpv6.NIFlags) {
	if f&1 != 0 {
		p.s(" [C]")
	} else {
		p.s(" []")
	}
}

// icmp6NIName prints the DNS name of a node information subject or reply
// that runs to the end of the capture: as the length-prefixed string of
// the 03 draft when its first byte says so, otherwise as labels without
// compression (tcpdump's dnsname_print).
func (p *Printer) icmp6NIName(b []byte) {
	if len(b) > 0 && int(b[0]) == len(b)-1 {
		if p.opt.Verbose > 0 {
			p.s(", 03 draft")
		}
		p.s(", \"")
		for _, c := range b[1:] {
			p.printChar(c)
		}
		p.c('"')
		return
	}
	if len(b) == 0 {
		p.trunc() // tcpdump reads the first byte
	}
	p.s(", \"")
labels:
	for i := 0; i < len(b); {
		n := int(b[i])
		i++
		if n == 0 {
			switch {
			case i == len(b):
				p.c('.')
			case i+1 == len(b) && b[i] == 0:
			default:
				p.s("???")
			}
			break labels
		}
		if n > len(b)-i {
			p.s("???")
			break
		}
		for ; n > 0 && i < len(b); n, i = n-1, i+1 {
			p.printChar(b[i])
		}
		if i+1 < len(b) && b[i] != 0 {
			p.c('.')
		}
	}
	p.c('"')
}

// icmp6Renumber prints a router renumbering message (tcpdump's
// icmp6_rrenum_print).
func (p *Printer) icmp6Renumber(m icmpv6.Message) {
	if len(m) < icmpv6.RenumberHeaderLen {
		p.printTrunc6()
		return
	}
	v := p.opt.Verbose
	switch code := m.Code(); code {
	case icmpv6.RenumberCommand:
		p.s(", command")
	case icmpv6.RenumberResult:
		p.s(", result")
	case icmpv6.RenumberSeqReset:
		p.s(", sequence number reset")
	default:
		p.s(", code-#")
		p.u(uint64(code))
	}
	p.s(", seq=")
	p.u(uint64(m.RenumberSeq()))
	if v > 0 {
		p.c('[')
		if f := m.RenumberFlags(); f != 0 {
			for _, l := range []struct {
				f icmpv6.RenumberFlags
				c byte
			}{{icmpv6.RenumberTest, 'T'}, {icmpv6.RenumberReqResult, 'R'}, {icmpv6.RenumberForceApply, 'A'},
				{icmpv6.RenumberSpecifiedSite, 'S'}, {icmpv6.RenumberProcessed, 'P'}} {
				if f&l.f != 0 {
					p.c(l.c)
				}
			}
			p.c(',')
		}
		p.s("seg=")
		p.u(uint64(m.RenumberSegment()))
		p.s(",maxdelay=")
		p.u(uint64(m.RenumberMaxDelay()))
		if r := m.RenumberReserved(); r != 0 {
			p.s("rsvd=0x")
			p.x(uint64(r))
		}
		p.c(']')
	}
	if m.Code() != icmpv6.RenumberCommand {
		return
	}
	mp, ok := m.MatchPrefix()
	if !ok {
		p.printTrunc6()
		return
	}
	p.icmp6RRSep()
	p.s("match(")
	switch op := mp.OpCode(); op {
	case icmpv6.RenumberOpAdd:
		p.s("add")
	case icmpv6.RenumberOpChange:
		p.s("change")
	case icmpv6.RenumberOpSetGlobal:
		p.s("setglobal")
	default:
		p.c('#')
		p.u(uint64(op))
	}
	if v > 0 {
		p.s(",ord=")
		p.u(uint64(mp.Ordinal()))
		p.s(",min=")
		p.u(uint64(mp.MinLen()))
		p.s(",max=")
		p.u(uint64(mp.MaxLen()))
	}
	p.c(',')
	p.out = mp.Prefix().AppendTo(p.out)
	p.c('/')
	p.u(uint64(mp.MatchLen()))
	p.c(')')
	n, ok := mp.NumUse()
	if !ok {
		p.printTrunc6()
		return
	}
	for i := range n {
		up, ok := m.UsePrefix(i)
		if !ok {
			p.printTrunc6()
			return
		}
		p.icmp6RRSep()
		p.s("use(")
		if f := up.Flags(); f != 0 {
			if f&0x80 != 0 {
				p.c('V')
			}
			if f&0x40 != 0 {
				p.c('P')
			}
			p.c(',')
		}
		if v > 0 {
			p.s("mask=0x")
			p.x(uint64(up.FlagMask()))
			p.s(",raflags=0x")
			p.x(uint64(up.RAFlags()))
			p.s(",vltime=")
			p.icmp6RRTime(up.ValidLifetime())
			p.s(",pltime=")
			p.icmp6RRTime(up.PreferredLifetime())
			p.c(',')
		}
		p.out = up.Prefix().AppendTo(p.out)
		p.c('/')
		p.u(uint64(up.UseLen()))
		p.c('/')
		p.u(uint64(up.KeepLen()))
		p.c(')')
	}
}

// icmp6RRSep starts a part of a router renumbering command: on a line of
// its own with -vv.
func (p *Printer) icmp6RRSep() {
	if p.opt.Verbose > 1 {
		p.s("\n\t")
	} else {
		p.c(' ')
	}
}

// icmp6RRTime prints a router renumbering lifetime, "infty" for all ones.
func (p *Printer) icmp6RRTime(t uint32) {
	if t == 0xffffffff {
		p.s("infty")
		return
	}
	p.u(uint64(t))
}

// rpl prints an RPL control message whose base and options, from byte 4,
// are length bytes long (tcpdump's rpl_print).
func (p *Printer) rpl(m icmpv6.Message, code icmpv6.Code, length int) {
	if m.RPLSecured() {
		p.s(", (SEC) [worktodo]")
		return
	}
	p.s(", (CLR)")
	base := m.RPLBase()
	v := p.opt.Verbose
	switch code &^ icmpv6.RPLSecure {
	case icmpv6.RPLDIS:
		p.s("DODAG Information Solicitation")
	case icmpv6.RPLDIO:
		p.s("DODAG Information Object")
		if v > 0 {
			p.rplDIO(base, length)
		}
	case icmpv6.RPLDAO:
		p.s("Destination Advertisement Object")
		if v > 0 {
			p.rplDAO(base, length, false)
		}
	case icmpv6.RPLDAOAck:
		p.s("Destination Advertisement Object Ack")
		if v > 0 {
			p.rplDAO(base, length, true)
		}
	default:
		p.s("RPL message, unknown code ")
		p.u(uint64(code))
	}
}

// rplDIO prints a DODAG information object (tcpdump's rpl_dio_print).
func (p *Printer) rplDIO(b []byte, length int) {
	if length < icmpv6.DIOLen {
		p.s(" [length ")
		p.u(uint64(length))
		p.s(" < ")
		p.u(icmpv6.DIOLen)
		p.s("] (invalid)")
		return
	}
	d, ok := icmpv6.NewDIO(b)
	if !ok {
		p.trunc()
	}
	p.s(" [dagid:")
	p.out = d.DODAGID().AppendTo(p.out)
	p.s(",seq:")
	p.u(uint64(d.DTSN()))
	p.s(",instance:")
	p.u(uint64(d.Instance()))
	p.s(",rank:")
	p.u(uint64(d.Rank()))
	p.c(',')
	if d.Grounded() {
		p.s("grounded,")
	}
	p.s("mop:")
	p.tok2str(icmp6MOPNames, "mop%d", uint32(d.MOP()))
	p.s(",prf:")
	p.u(uint64(d.Prf()))
	p.c(']')
	if p.opt.Verbose > 1 {
		p.rplOptions(d.Options(), length-icmpv6.DIOLen)
	}
}

// rplDAO prints a destination advertisement object or, with ack, its
// acknowledgment (tcpdump's rpl_dao_print and rpl_daoack_print).
func (p *Printer) rplDAO(b []byte, length int, ack bool) {
	tooShort := " [|length too short]"
	// tcpdump checks that a DAO's whole structure, DODAGID included, was
	// captured before it looks at the D flag; of a DAO-ACK the fixed part.
	need := icmpv6.DAOMinLen + ipv6.AddrLen
	if ack {
		tooShort = " [|dao-length too short]"
		need = icmpv6.DAOMinLen
	}
	if len(b) < need {
		p.printTrunc6()
		return
	}
	if length < icmpv6.DAOMinLen {
		p.s(tooShort)
		return
	}
	d, _ := icmpv6.NewDAO(b)
	length -= icmpv6.DAOMinLen
	var id ipv6.Addr
	if d.HasDODAGID(ack) {
		var ok bool
		if id, ok = d.DODAGID(); !ok {
			p.printTrunc6()
			return
		}
		if length < ipv6.AddrLen {
			p.s(tooShort)
			return
		}
		length -= ipv6.AddrLen
	}
	p.s(" [dagid:")
	if d.HasDODAGID(ack) {
		p.out = id.AppendTo(p.out)
	} else {
		p.s("<elided>")
	}
	p.s(",seq:")
	p.u(uint64(d.Seq(ack)))
	p.s(",instance:")
	p.u(uint64(d.Instance()))
	if ack {
		p.s(",status:")
		p.u(uint64(d.Status()))
	} else {
		if d.AckRequested() {
			p.s(",acK")
		}
		if d.HasDODAGID(false) {
			p.s(",Dagid")
		}
		p.c(',')
		p.xw(uint64(d.Flags()), 2)
	}
	p.c(']')
	if p.opt.Verbose > 1 {
		p.rplOptions(d.Options(ack), length)
	}
}

// rplOptions prints the options of an RPL control message, which are
// length bytes long by the message's length (tcpdump's rpl_printopts).
func (p *Printer) rplOptions(b []byte, length int) {
	it := icmpv6.NewRPLOptionIter(b, length)
	for {
		o, ok := it.Next()
		if !ok {
			return
		}
		switch {
		case len(o.Raw) == 0, o.Status == ipv6.OptionTruncated && len(o.Raw) < 2:
			p.trunc() // the type or length byte was not captured
		case o.Status == ipv6.OptionBadLength:
			p.printTrunc6()
			return
		case o.Type == icmpv6.RPLOptPad1:
			p.s(" opt:pad1")
			continue
		}
		p.s(" opt:")
		p.s(o.Type.String())
		p.s(" len:")
		p.u(uint64(o.Length + 2))
		p.c(' ')
		if o.Status != ipv6.OptionOK {
			p.printTrunc6()
			return
		}
		if p.opt.Verbose > 2 {
			p.hexPrint(" ", o.Data())
		}
	}
}
