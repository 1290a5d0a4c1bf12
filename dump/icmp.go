package dump

import (
	"github.com/medina-net/medina/checksum"
	"github.com/medina-net/medina/icmp"
	"github.com/medina-net/medina/ipv4"
)

// Offsets in an ICMP message. Error messages quote the datagram that
// caused them from offset 8; the quoted header's fields are read in place.
const (
	icmpType      = 0
	icmpCode      = 1
	icmpCksum     = 2
	icmpRest      = 4 // id and sequence, gateway, pointer, MTU, ...
	icmpSeq       = 6
	icmpNextMTU   = 6
	icmpMask      = 8
	icmpOrigTime  = 8
	icmpRecvTime  = 12
	icmpXmitTime  = 16
	icmpRouters   = 8
	icmpQuoted    = icmp.HeaderLen
	icmpQuotedLen = icmpQuoted + 2  // the quoted IPv4 total length
	icmpQuotedPro = icmpQuoted + 9  // the quoted IPv4 protocol
	icmpQuotedDst = icmpQuoted + 16 // the quoted IPv4 destination

	// icmpRFC4884Len is the RFC 4884 length of the quoted datagram, in
	// 32-bit words.
	icmpRFC4884Len = 5
	// icmpExtOff is where tcpdump looks for an extension structure: after
	// a quote padded to 128 bytes, whatever the length field says.
	icmpExtOff = icmp.LegacyExtensionOffset
	// icmpExtMinLen is tcpdump's ICMP_EXTD_MINLEN: a message must be
	// longer than this for its extensions to be looked at.
	icmpExtMinLen = 156 - ipv4.MinHeaderLen
	// icmpExtFixedLen is the part of a message with extensions that must
	// be captured to look at them: the header, the padded quote, the
	// extension header and a byte.
	icmpExtFixedLen = icmpExtOff + 4 + 1
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
	mark := len(p.out)
	if !p.icmpSummary(b) {
		// tcpdump checked a length itself (ND_TCHECK) and gave up on
		// the message alone: the -x dump still skips the link layer.
		p.out = p.out[:mark]
		p.s(" [|icmp]")
		return
	}
	p.s(", length ")
	p.u(uint64(length))
	typ := icmp.Type(b[icmpType])

	if p.opt.Verbose > 0 && !fragmented && len(b) >= length {
		if sum := ^checksum.Fold(checksum.Add(0, b[:length])); sum != 0 {
			field := p.get16(b, icmpCksum)
			p.s(" (wrong icmp cksum ")
			p.x(uint64(field))
			p.s(" (->")
			p.x(uint64(cksumShouldBe(field, sum)))
			p.s(")!)")
		}
	}
	if p.opt.Verbose == 0 {
		return
	}
	if typ.IsError() {
		p.s("\n\t")
		ipLen := int(p.get16(b, icmpQuotedLen))
		// tcpdump cuts the capture to the quoted datagram's length and
		// then reads that length again: a length below 4 cuts it off.
		if ipLen < icmpQuotedLen+2-icmpQuoted {
			p.trunc()
		}
		p.ip(clip(b[icmpQuoted:], ipLen), ipLen)
		p.proto = "icmp"
	}
	if length > icmpExtMinLen && typ.IsMultipart() {
		p.icmpExtensions(b, length)
	}
}

// icmpSummary prints "ICMP " and what the message is. tcpdump formats it
// into a buffer before printing it, so a message cut short shows none of
// it: when a read runs off the capture, the output is rolled back before
// the packet is abandoned. Where tcpdump checks a length itself rather
// than in the read (ND_TCHECK), icmpSummary reports false instead, and the
// caller rolls back.
func (p *Printer) icmpSummary(b []byte) bool {
	defer p.rollbackOnTrunc(len(p.out))
	p.s("ICMP ")
	typ := icmp.Type(p.get8(b, icmpType))
	code := icmp.Code(p.get8(b, icmpCode))
	switch typ {
	case icmp.TypeEcho, icmp.TypeEchoReply:
		id, seq := p.get16(b, icmpRest), p.get16(b, icmpSeq)
		if typ == icmp.TypeEcho {
			p.s("echo request, id ")
		} else {
			p.s("echo reply, id ")
		}
		p.u(uint64(id))
		p.s(", seq ")
		p.u(uint64(seq))
	case icmp.TypeDestUnreachable:
		if !p.icmpUnreach(b, code) {
			return false
		}
	case icmp.TypeRedirect:
		p.need(b, icmpQuotedDst+4)
		switch code {
		case icmp.RedirectNet:
			p.s("redirect ")
			p.icmpQuotedDst(b)
			p.s(" to net ")
		case icmp.RedirectHost:
			p.s("redirect ")
			p.icmpQuotedDst(b)
			p.s(" to host ")
		case icmp.RedirectTOSNet:
			p.s("redirect-tos ")
			p.icmpQuotedDst(b)
			p.s(" to net ")
		case icmp.RedirectTOSHost:
			p.s("redirect-tos ")
			p.icmpQuotedDst(b)
			p.s(" to host ")
		default:
			p.s("redirect-#")
			p.u(uint64(code))
			p.c(' ')
			p.icmpQuotedDst(b)
			p.s(" to ")
		}
		p.out = ipv4.Addr(b[icmpRest : icmpRest+4]).AppendTo(p.out)
	case icmp.TypeRouterAdvert:
		if !p.icmpRouterAdvert(b) {
			return false
		}
	case icmp.TypeTimeExceeded:
		if len(b) < icmpQuotedDst+4 {
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
			ptr := p.get8(b, icmpRest)
			p.s("parameter problem - octet ")
			p.u(uint64(ptr))
		}
	case icmp.TypeAddressMaskReply:
		mask := p.get32(b, icmpMask)
		p.s("address mask is 0x")
		p.xw(uint64(mask), 8)
	case icmp.TypeTimestamp:
		id, seq := p.get16(b, icmpRest), p.get16(b, icmpSeq)
		p.s("time stamp query id ")
		p.u(uint64(id))
		p.s(" seq ")
		p.u(uint64(seq))
	case icmp.TypeTimestampReply:
		if len(b) < icmpXmitTime+4 {
			return false
		}
		p.s("time stamp reply id ")
		p.u(uint64(be16(b[icmpRest:])))
		p.s(" seq ")
		p.u(uint64(be16(b[icmpSeq:])))
		p.s(": org ")
		p.icmpTime(be32(b[icmpOrigTime:]))
		p.s(", recv ")
		p.icmpTime(be32(b[icmpRecvTime:]))
		p.s(", xmit ")
		p.icmpTime(be32(b[icmpXmitTime:]))
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

// icmpQuotedDst prints the destination address of the quoted datagram,
// which the caller has checked was captured.
func (p *Printer) icmpQuotedDst(b []byte) {
	p.out = ipv4.Addr(b[icmpQuotedDst : icmpQuotedDst+4]).AppendTo(p.out)
}

// icmpUnreach words a destination unreachable message. It reports false
// for a port unreachable cut short before the quoted protocol.
func (p *Printer) icmpUnreach(b []byte, code icmp.Code) bool {
	switch code {
	case icmp.UnreachProtocol:
		p.need(b, icmpQuotedDst+4)
		p.icmpQuotedDst(b)
		p.s(" protocol ")
		p.u(uint64(b[icmpQuotedPro]))
		p.s(" unreachable")
	case icmp.UnreachPort:
		if len(b) < icmpQuotedPro+1 {
			return false
		}
		hlen := int(b[icmpQuoted]&0x0f) * 4
		dport := p.get16(b, icmpQuoted+hlen+2)
		p.need(b, icmpQuotedDst+4)
		p.icmpQuotedDst(b)
		switch proto := ipv4.Protocol(b[icmpQuotedPro]); proto {
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
		mtu := p.get16(b, icmpNextMTU)
		p.need(b, icmpQuotedDst+4)
		p.icmpQuotedDst(b)
		p.s(" unreachable - need to frag")
		if mtu != 0 {
			p.s(" (mtu ")
			p.u(uint64(mtu))
			p.c(')')
		}
	default:
		p.need(b, icmpQuotedDst+4)
		if int(code) < len(icmpUnreachText) && icmpUnreachText[code].after != "" {
			t := icmpUnreachText[code]
			p.s(t.before)
			p.icmpQuotedDst(b)
			p.s(t.after)
			return true
		}
		p.icmpQuotedDst(b)
		p.s(" unreachable - #")
		p.u(uint64(code))
	}
	return true
}

// icmpRouterAdvert words a router advertisement (RFC 1256): the lifetime,
// the number of addresses and each address with its preference. It
// reports false when the header or an entry was not captured.
func (p *Printer) icmpRouterAdvert(b []byte) bool {
	p.s("router advertisement")
	if len(b) < icmpRest+4 {
		return false
	}
	num, size := int(b[icmpRest]), b[icmpRest+1]
	lifetime := uint64(be16(b[icmpRest+2:]))
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
	for i, off := 0, icmpRouters; i < num; i, off = i+1, off+8 {
		if len(b) < off+8 {
			return false
		}
		p.s(" {")
		p.out = ipv4.Addr(b[off : off+4]).AppendTo(p.out)
		p.c(' ')
		p.u(uint64(be32(b[off+4:])))
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
// its checksum verifies.
func (p *Printer) icmpExtensions(b []byte, length int) {
	if len(b) < icmpExtFixedLen {
		p.s(" [|icmp]")
		return
	}
	extLen := length - icmpExtOff
	whole := len(b) >= length
	if b[icmpRFC4884Len] == 0 && whole {
		if ^checksum.Fold(checksum.Add(0, b[icmpExtOff:length])) != 0 {
			return
		}
	}
	version := b[icmpExtOff] >> 4
	p.s("\n\tICMP Multi-Part extension v")
	p.u(uint64(version))
	if version != icmp.ExtensionVersion {
		p.s(" packet not supported")
		return
	}
	if whole {
		p.s(", checksum 0x")
		p.xw(uint64(be16(b[icmpExtOff+2:])), 4)
		if ^checksum.Fold(checksum.Add(0, b[icmpExtOff:length])) != 0 {
			p.s(" (incorrect)")
		} else {
			p.s(" (correct)")
		}
		p.s(", length ")
		p.u(uint64(extLen))
	}

	// The objects, each a 4-byte header (length, class, C-type) and its
	// data. The remaining length is unsigned in tcpdump, as here.
	rest := uint32(extLen) - 4
	off := icmpExtOff + 4
	for rest > 4 {
		if len(b) < off+4 {
			p.s(" [|icmp]")
			return
		}
		objLen := uint32(be16(b[off:]))
		class, ctype := b[off+2], b[off+3]
		off += 4
		p.s("\n\t  ")
		p.tok2str(icmpExtObjectNames, "unknown", uint32(class))
		p.s(" Object (")
		p.u(uint64(class))
		p.s("), Class-Type: ")
		p.u(uint64(ctype))
		p.s(", length ")
		p.u(uint64(objLen))
		rest -= 4
		if class == 0 || objLen < 4 {
			return
		}
		objLen -= 4
		if icmp.ObjectClass(class) == icmp.ClassMPLS && ctype == 1 {
			entry := icmp.MPLSEntry(p.get32(b, off))
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
			p.unknownData(b, off, "\n\t    ", int(objLen))
		}
		if rest < objLen {
			break
		}
		rest -= objLen
		off += int(objLen)
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
