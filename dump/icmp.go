package dump

import (
	"io"

	"github.com/medina-net/medina/checksum"
	"github.com/medina-net/medina/icmp"
	"github.com/medina-net/medina/ipv4"
	"github.com/medina-net/medina/udp"
)

const (
	// icmpQuotedProtoEnd is how much of a port unreachable tcpdump checks
	// was captured (ND_TCHECK) before it reads the quoted datagram: the
	// header and the quoted IPv4 header up to its protocol byte.
	icmpQuotedProtoEnd = icmp.HeaderLen + 10
	// icmpExtMinLen is tcpdump's ICMP_EXTD_MINLEN: a message must be
	// longer than this for its extensions to be looked at.
	icmpExtMinLen = 156 - ipv4.MinHeaderLen
	// icmpExtFixedLen is the part of a message with extensions that must
	// be captured to look at them: the header, the padded quote, the
	// extension header and a byte.
	icmpExtFixedLen = icmp.LegacyExtensionOffset + 4 + 1
)

// icmpTypeNames is tcpdump's icmp2str: the types printed by their name
// alone.
var icmpTypeNames = []tok{
	{uint32(icmp.TypeEchoReply), "echo reply"},
	{uint32(icmp.TypeSourceQuench), "source quench"},
	{uint32(icmp.TypeEcho), "echo request"},
	{uint32(icmp.TypeRouterSolicit), "router solicitation"},
	{uint32(icmp.TypeTimestamp), "time stamp request"},
	{uint32(icmp.TypeTimestampReply), "time stamp reply"},
	{uint32(icmp.TypeInfoRequest), "information request"},
	{uint32(icmp.TypeInfoReply), "information reply"},
	{uint32(icmp.TypeAddressMaskRequest), "address mask request"},
}

// icmpExtObjectNames is tcpdump's icmp_multipart_ext_obj_values.
var icmpExtObjectNames = []tok{
	{uint32(icmp.ClassMPLS), "MPLS Stack Entry"},
	{uint32(icmp.ClassInterfaceInfo), "Interface Identification"},
}

// icmpUnreachText is how tcpdump words the codes of destination
// unreachable that it prints with the quoted destination address alone:
// the text before the address and the text after it.
var icmpUnreachText = [...]struct{ before, after string }{
	icmp.UnreachNet:              {"net ", " unreachable"},
	icmp.UnreachHost:             {"host ", " unreachable"},
	icmp.UnreachSrcRouteFailed:   {"", " unreachable - source route failed"},
	icmp.UnreachNetUnknown:       {"net ", " unreachable - unknown"},
	icmp.UnreachHostUnknown:      {"host ", " unreachable - unknown"},
	icmp.UnreachIsolated:         {"", " unreachable - source host isolated"},
	icmp.UnreachNetProhibited:    {"net ", " unreachable - admin prohibited"},
	icmp.UnreachHostProhibited:   {"host ", " unreachable - admin prohibited"},
	icmp.UnreachTOSNet:           {"net ", " unreachable - tos prohibited"},
	icmp.UnreachTOSHost:          {"host ", " unreachable - tos prohibited"},
	icmp.UnreachFilterProhibited: {"host ", " unreachable - admin prohibited filter"},
	icmp.UnreachHostPrecedence:   {"host ", " unreachable - host precedence violation"},
	icmp.UnreachPrecedenceCutoff: {"host ", " unreachable - precedence cutoff"},
}

// icmp prints an ICMP message of the given length by the IP header
// (tcpdump's icmp_print). With -v it checks the checksum (unless the
// datagram is a fragment), prints the datagram an error message quotes on
// a line of its own, and the RFC 4884 extensions of the message.
func (p *Printer) icmp(b []byte, length int, ip netHeader, fragmented bool) {
	p.proto = "icmp"
	// m is nil when fewer than 4 bytes were captured: the summary then
	// reads the type and code alone, and the accessors that check the
	// message's length find nothing else.
	m, _ := icmp.NewMessage(b)
	mark := len(p.out)
	if !p.icmpSummary(b, m) {
		// tcpdump checked a length itself (ND_TCHECK) and gave up on
		// the message alone: the -x dump still skips the link layer.
		p.out = p.out[:mark]
		p.s(" [|icmp]")
		return
	}
	p.s(", length ")
	p.u(uint64(length))
	typ, _, _ := icmp.TypeCode(b)

	if p.opt.Verbose > 0 && !fragmented && len(b) >= length {
		// The sum covers the message's length, the field is read from
		// what was captured: the two differ for a message shorter than
		// its header, as in tcpdump.
		if whole := icmp.Message(b[:length]); !whole.ChecksumValid() {
			if m == nil {
				p.trunc()
			}
			field := m.Checksum()
			p.s(" (wrong icmp cksum ")
			p.x(uint64(field))
			p.s(" (->")
			p.x(uint64(cksumShouldBe(field, ^checksum.Fold(checksum.Add(0, whole)))))
			p.s(")!)")
		}
	}
	if p.opt.Verbose == 0 {
		return
	}
	if typ.IsError() {
		p.s("\n\t")
		q := m.Payload()
		ipLen, ok := ipv4.TotalLenField(q)
		if !ok {
			p.trunc()
		}
		// tcpdump cuts the capture to the quoted datagram's length and
		// then reads that length again: a length below 4 cuts it off.
		q = clip(q, int(ipLen))
		if _, ok := ipv4.TotalLenField(q); !ok {
			p.trunc()
		}
		p.ip(q, int(ipLen))
		p.proto = "icmp"
	}
	if length > icmpExtMinLen && typ.IsMultipart() {
		p.icmpExtensions(m, length)
	}
}

// icmpSummary prints "ICMP " and what the message is; m is b as a message,
// or nil when b is too short for one. tcpdump formats it into a buffer
// before printing it, so a message cut short shows none of it: when a
// read runs off the capture, the output is rolled back before the packet
// is abandoned. Where tcpdump checks a length itself rather than in the
// read (ND_TCHECK), icmpSummary reports false instead, and the caller
// rolls back.
func (p *Printer) icmpSummary(b []byte, m icmp.Message) bool {
	defer p.rollbackOnTrunc(len(p.out))
	p.s("ICMP ")
	typ, code, ok := icmp.TypeCode(b)
	if !ok {
		p.trunc()
	}
	switch typ {
	case icmp.TypeEcho, icmp.TypeEchoReply:
		if !m.HasRest() {
			p.trunc()
		}
		if typ == icmp.TypeEcho {
			p.s("echo request, id ")
		} else {
			p.s("echo reply, id ")
		}
		p.u(uint64(m.ID()))
		p.s(", seq ")
		p.u(uint64(m.Seq()))
	case icmp.TypeDestUnreachable:
		if !p.icmpUnreach(m, code) {
			return false
		}
	case icmp.TypeRedirect:
		q := p.icmpQuote(m)
		switch code {
		case icmp.RedirectNet:
			p.s("redirect ")
			p.out = q.Dst().AppendTo(p.out)
			p.s(" to net ")
		case icmp.RedirectHost:
			p.s("redirect ")
			p.out = q.Dst().AppendTo(p.out)
			p.s(" to host ")
		case icmp.RedirectTOSNet:
			p.s("redirect-tos ")
			p.out = q.Dst().AppendTo(p.out)
			p.s(" to net ")
		case icmp.RedirectTOSHost:
			p.s("redirect-tos ")
			p.out = q.Dst().AppendTo(p.out)
			p.s(" to host ")
		default:
			p.s("redirect-#")
			p.u(uint64(code))
			p.c(' ')
			p.out = q.Dst().AppendTo(p.out)
			p.s(" to ")
		}
		p.out = m.Gateway().AppendTo(p.out)
	case icmp.TypeRouterAdvert:
		if !p.icmpRouterAdvert(m) {
			return false
		}
	case icmp.TypeTimeExceeded:
		if len(m) < icmp.MinErrorLen {
			return false
		}
		switch code {
		case icmp.TimeExceededTTL:
			p.s("time exceeded in-transit")
		case icmp.TimeExceededReassembly:
			p.s("ip reassembly time exceeded")
		default:
			p.s("time exceeded-#")
			p.u(uint64(code))
		}
	case icmp.TypeParamProblem:
		if code != 0 {
			p.s("parameter problem - code ")
			p.u(uint64(code))
		} else {
			// tcpdump reads the pointer byte alone, the first after
			// the common header.
			if len(m) <= icmp.MinLen {
				p.trunc()
			}
			p.s("parameter problem - octet ")
			p.u(uint64(m.Pointer()))
		}
	case icmp.TypeAddressMaskReply:
		mask, ok := m.AddressMask()
		if !ok {
			p.trunc()
		}
		p.s("address mask is 0x")
		p.xw(uint64(mask.Uint32()), 8)
	case icmp.TypeTimestamp:
		if !m.HasRest() {
			p.trunc()
		}
		p.s("time stamp query id ")
		p.u(uint64(m.ID()))
		p.s(" seq ")
		p.u(uint64(m.Seq()))
	case icmp.TypeTimestampReply:
		orig, recv, xmit, ok := m.Timestamps()
		if !ok {
			return false
		}
		p.s("time stamp reply id ")
		p.u(uint64(m.ID()))
		p.s(" seq ")
		p.u(uint64(m.Seq()))
		p.s(": org ")
		p.icmpTime(orig)
		p.s(", recv ")
		p.icmpTime(recv)
		p.s(", xmit ")
		p.icmpTime(xmit)
	default:
		p.tok2str(icmpTypeNames, "type-#%d", uint32(typ))
	}
	return true
}

// rollbackOnTrunc, deferred, removes what was appended to p.out since
// mark when the packet is being abandoned for truncation, and lets the
// unwinding go on.
func (p *Printer) rollbackOnTrunc(mark int) {
	if r := recover(); r != nil {
		if _, ok := r.(truncated); ok {
			p.out = p.out[:mark]
		}
		panic(r)
	}
}

// icmpQuote returns the IPv4 header an error message quotes, stopping the
// packet when it was not captured whole.
func (p *Printer) icmpQuote(m icmp.Message) ipv4.Header {
	q, err := ipv4.NewHeader(m.Payload())
	if err != nil {
		p.trunc()
	}
	return q
}

// icmpUnreach words a destination unreachable message. It reports false
// for a port unreachable cut short before the quoted protocol.
func (p *Printer) icmpUnreach(m icmp.Message, code icmp.Code) bool {
	switch code {
	case icmp.UnreachProtocol:
		q := p.icmpQuote(m)
		p.out = q.Dst().AppendTo(p.out)
		p.s(" protocol ")
		p.u(uint64(q.Protocol()))
		p.s(" unreachable")
	case icmp.UnreachPort:
		if len(m) < icmpQuotedProtoEnd {
			return false
		}
		q := p.icmpQuote(m)
		// tcpdump reads the destination port after the quoted header
		// as a UDP header's, whatever the protocol.
		_, dport, ok := udp.Ports(q[min(q.HeaderLen(), len(q)):])
		if !ok {
			p.trunc()
		}
		p.out = q.Dst().AppendTo(p.out)
		switch proto := q.Protocol(); proto {
		case ipv4.ProtoTCP:
			p.s(" tcp port ")
		case ipv4.ProtoUDP:
			p.s(" udp port ")
		default:
			p.s(" protocol ")
			p.u(uint64(proto))
			p.s(" port ")
		}
		p.u(uint64(dport))
		p.s(" unreachable")
	case icmp.UnreachNeedFrag:
		if !m.HasRest() {
			p.trunc()
		}
		mtu := m.NextHopMTU()
		q := p.icmpQuote(m)
		p.out = q.Dst().AppendTo(p.out)
		p.s(" unreachable - need to frag")
		if mtu != 0 {
			p.s(" (mtu ")
			p.u(uint64(mtu))
			p.c(')')
		}
	default:
		q := p.icmpQuote(m)
		if int(code) < len(icmpUnreachText) && icmpUnreachText[code].after != "" {
			t := icmpUnreachText[code]
			p.s(t.before)
			p.out = q.Dst().AppendTo(p.out)
			p.s(t.after)
			return true
		}
		p.out = q.Dst().AppendTo(p.out)
		p.s(" unreachable - #")
		p.u(uint64(code))
	}
	return true
}

// icmpRouterAdvert words a router advertisement (RFC 1256): the lifetime,
// the number of addresses and each address with its preference. It
// reports false when the header or an entry was not captured.
func (p *Printer) icmpRouterAdvert(m icmp.Message) bool {
	p.s("router advertisement")
	if !m.HasRest() {
		return false
	}
	num, size := int(m.NumAddrs()), m.AddrEntrySize()
	lifetime := uint64(m.Lifetime())
	p.s(" lifetime ")
	switch {
	case lifetime < 60:
		p.u(lifetime)
	case lifetime < 60*60:
		p.u(lifetime / 60)
		p.c(':')
		p.uw(lifetime%60, 2)
	default:
		p.u(lifetime / 3600)
		p.c(':')
		p.uw(lifetime%3600/60, 2)
		p.c(':')
		p.uw(lifetime%60, 2)
	}
	p.c(' ')
	p.u(uint64(num))
	p.c(':')
	if size != 2 {
		p.s(" [size ")
		p.u(uint64(size))
		p.c(']')
		return true
	}
	for i := range num {
		addr, pref, ok := m.RouterEntry(i)
		if !ok {
			return false
		}
		p.s(" {")
		p.out = addr.AppendTo(p.out)
		p.c(' ')
		p.u(uint64(uint32(pref)))
		p.c('}')
	}
	return true
}

// icmpTime prints a timestamp in milliseconds since midnight UT as
// hh:mm:ss.mmm (tcpdump's icmp_tstamp_print); the hours go past 23 when
// the value does.
func (p *Printer) icmpTime(ms uint32) {
	sec := ms / 1000
	min := sec / 60
	p.uw(uint64(min/60), 2)
	p.c(':')
	p.uw(uint64(min%60), 2)
	p.c(':')
	p.uw(uint64(sec%60), 2)
	p.c('.')
	p.uw(uint64(ms%1000), 3)
}

// icmpExtensions prints the RFC 4884 extension structure of a destination
// unreachable, time exceeded or parameter problem message, where tcpdump
// 4.99.3 looks for it: after a quote padded to 128 bytes. When the
// message's length field is 0, the structure counts as present only if
// its checksum verifies. The objects are walked with the view's iterator,
// as far as tcpdump's count of the bytes left by the message's length
// goes.
func (p *Printer) icmpExtensions(m icmp.Message, length int) {
	if len(m) < icmpExtFixedLen {
		p.s(" [|icmp]")
		return
	}
	const extOff = icmp.LegacyExtensionOffset
	ext, _ := icmp.NewExtension(m[extOff:])
	extLen := length - extOff
	whole := len(m) >= length
	if m.QuotedLen() == 0 && whole && !icmp.Extension(m[extOff:length]).ChecksumValid() {
		return
	}
	version := ext.Version()
	p.s("\n\tICMP Multi-Part extension v")
	p.u(uint64(version))
	if version != icmp.ExtensionVersion {
		p.s(" packet not supported")
		return
	}
	if whole {
		p.s(", checksum 0x")
		p.xw(uint64(ext.Checksum()), 4)
		if !icmp.Extension(m[extOff:length]).ChecksumValid() {
			p.s(" (incorrect)")
		} else {
			p.s(" (correct)")
		}
		p.s(", length ")
		p.u(uint64(extLen))
	}

	// The objects, each a 4-byte header (length, class, C-type) and its
	// data. The count of bytes left is unsigned in tcpdump, as here.
	rest := uint32(extLen) - 4
	it := ext.Objects()
	for rest > 4 {
		o, err := it.Next()
		if err == io.EOF || len(o.Bytes) < 4 {
			p.s(" [|icmp]")
			return
		}
		objLen := uint32(o.Len)
		p.s("\n\t  ")
		p.tok2str(icmpExtObjectNames, "unknown", uint32(o.Class))
		p.s(" Object (")
		p.u(uint64(o.Class))
		p.s("), Class-Type: ")
		p.u(uint64(o.CType))
		p.s(", length ")
		p.u(uint64(objLen))
		rest -= 4
		if o.Class == 0 || objLen < 4 {
			return
		}
		objLen -= 4
		if o.Class == icmp.ClassMPLS && o.CType == 1 {
			entry, ok := o.MPLSEntry(0)
			if !ok {
				p.trunc()
			}
			p.s("\n\t    label ")
			p.u(uint64(entry.Label()))
			p.s(", tc ")
			p.u(uint64(entry.TC()))
			if entry.S() {
				p.s(", [S]")
			}
			p.s(", ttl ")
			p.u(uint64(entry.TTL()))
		} else {
			// What was captured of the data (tcpdump's
			// print_unknown_data).
			p.hexPrint("\n\t    ", o.Data())
		}
		if rest < objLen {
			break
		}
		rest -= objLen
	}
}

// unknownData prints n bytes of b from off in hex, as many as were
// captured, with each line introduced by indent (tcpdump's
// print_unknown_data).
func (p *Printer) unknownData(b []byte, off int, indent string, n int) {
	if off > len(b) {
		p.s(indent)
		p.s("Dissector error: print_unknown_data called with pointer past end of packet")
		return
	}
	p.hexPrint(indent, b[off:min(off+n, len(b))])
}
