package dump

// Babel as tcpdump's print-babel.c prints it (RFC 8966, with the TLVs of
// RFC 8967 MAC authentication, RFC 7298 HMAC, the timestamp sub-TLVs of
// draft-ietf-babel-rtt-extension and the source-specific TLVs of
// draft-boutier-babel-source-specific-01): the magic, version and body
// length, then every TLV of the body and of the trailer, by name alone
// without -v and with their fields, a line each, with -v.

// UDP ports of Babel: the IANA one and the one used before it.
const (
	portBabel    = 6696
	portBabelOld = 6697
)

// babelMagic is the first byte of every Babel packet.
const babelMagic = 42

// TLV types.
const (
	babelPad1        = 0
	babelPadN        = 1
	babelAckReq      = 2
	babelAck         = 3
	babelHello       = 4
	babelIHU         = 5
	babelRouterID    = 6
	babelNextHop     = 7
	babelUpdate      = 8
	babelRouteReq    = 9
	babelSeqnoReq    = 10
	babelTSPC        = 11
	babelHMAC        = 12
	babelSSUpdate    = 13
	babelSSRequest   = 14
	babelSSMHRequest = 15
	babelMAC         = 16
	babelPC          = 17
	babelChallReq    = 18
	babelChallReply  = 19
)

// Sub-TLV types, and the bit that marks a sub-TLV mandatory.
const (
	babelSubPad1      = 0
	babelSubPadN      = 1
	babelSubDiversity = 2
	babelSubTimestamp = 3
	babelSubMandatory = 0x80
)

// Address encodings of prefixes and addresses in TLVs.
const (
	babelAEWildcard = 0
	babelAEIPv4     = 1
	babelAEIPv6     = 2
	babelAELinkLoc  = 3
)

// babelV4Prefix is the IPv4-mapped IPv6 prefix Babel stores IPv4
// prefixes behind.
var babelV4Prefix = [16]byte{10: 0xff, 11: 0xff}

var babelDiversityNames = []tok{{0, "reserved"}, {255, "all"}}

// Results of walking the TLVs: a TLV ran past the data captured, or past
// the length the packet gives it.
const (
	babelOK = iota
	babelTrunc
	babelInvalid
)

// babel prints a Babel packet (tcpdump's babel_print). b holds what was
// captured of it; length is its length by UDP.
func (p *Printer) babel(b []byte, length int) {
	p.proto = "babel"
	defer p.catchLocalTrunc()
	p.s("babel")
	p.needHere(b, 4)
	if b[0] != babelMagic {
		p.s(" invalid header")
		return
	}
	version := p.get8(b, 1)
	p.c(' ')
	p.u(uint64(version))
	if version != 2 {
		p.s(" unknown version")
		return
	}
	if length < 4 {
		p.s(" (invalid)")
		return
	}
	bodyLen := int(be16(b[2:]))
	p.s(" (")
	p.u(uint64(bodyLen))
	p.c(')')
	length -= 4
	b = b[4:]
	if length < bodyLen {
		p.s(" (invalid)")
		return
	}
	if !p.babelResult(p.babelTLVs(b, bodyLen, length)) {
		return
	}
	length -= bodyLen
	b = b[min(bodyLen, len(b)):]
	if length != 0 {
		if p.opt.Verbose > 0 {
			p.s("\n\t----")
		} else {
			p.s(" |")
		}
		p.babelResult(p.babelTLVs(b, length, length))
	}
}

// babelResult prints the mark of a walk that ended early and reports
// whether it ended well.
func (p *Printer) babelResult(r int) bool {
	switch r {
	case babelTrunc:
		p.truncHere()
	case babelInvalid:
		p.s(" (invalid)")
		return false
	}
	return true
}

// babelPrefix builds the 16-byte form of a prefix or an address of
// encoding ae and plen bits (plen < 0: an address) from the bytes at
// src, of which avail are in the TLV, after the first omitted bytes that
// come from prev, the previous prefix of the packet (tcpdump's
// network_prefix). It returns the prefix and the bytes it took from src,
// or false when the TLV cannot hold it.
func babelPrefix(ae, plen, omitted int, src []byte, prev *[16]byte, avail int) ([16]byte, int, bool) {
	var prefix [16]byte
	var pb int
	switch {
	case plen >= 0:
		pb = (plen + 7) / 8
	case ae == babelAEIPv4:
		pb = 4
	default:
		pb = 16
	}
	if pb > 16 {
		return prefix, 0, false
	}
	consumed := 0
	switch ae {
	case babelAEWildcard:
	case babelAEIPv4:
		if omitted > 4 || pb > 4 || (pb > omitted && avail < pb-omitted) {
			return prefix, 0, false
		}
		prefix = babelV4Prefix
		if omitted > 0 {
			if prev == nil {
				return prefix, 0, false
			}
			copy(prefix[:12+omitted], prev[:])
		}
		if pb > omitted {
			consumed = copy(prefix[12+omitted:], src[:pb-omitted])
		}
	case babelAEIPv6:
		if omitted > 16 || (pb > omitted && avail < pb-omitted) {
			return prefix, 0, false
		}
		if omitted > 0 {
			if prev == nil {
				return prefix, 0, false
			}
			copy(prefix[:omitted], prev[:])
		}
		if pb > omitted {
			consumed = copy(prefix[omitted:], src[:pb-omitted])
		}
	case babelAELinkLoc:
		if pb > 8 && avail < pb-8 {
			return prefix, 0, false
		}
		prefix[0], prefix[1] = 0xfe, 0x80
		if pb > 8 {
			consumed = copy(prefix[8:], src[:pb-8])
		}
	default:
		return prefix, 0, false
	}
	return prefix, consumed, true
}

// v4Mapped reports whether the 16-byte address a is IPv4-mapped, the
// form in which Babel and HNCP carry IPv4 addresses.
func v4Mapped(a []byte) bool { return [12]byte(a[:12]) == [12]byte(babelV4Prefix[:12]) }

// mappedAddr prints an address in its 16-byte form: IPv4 when it is
// IPv4-mapped.
func (p *Printer) mappedAddr(a []byte) {
	if v4Mapped(a) {
		p.out = appendIPv4(p.out, a[12:16])
		return
	}
	p.out = appendIPv6(p.out, a[:16])
}

// babelPrefixStr prints a prefix and its length, an IPv4 one (mapped,
// of length 96 or more) as IPv4 with the length less 96.
func (p *Printer) babelPrefixStr(a *[16]byte, plen uint8) {
	addr := a[:]
	if plen >= 96 && v4Mapped(addr) {
		addr, plen = a[12:], plen-96
	}
	p.out = appendIP(p.out, addr)
	p.c('/')
	p.u(uint64(plen))
}

// babelInterval prints an interval in centiseconds.
func (p *Printer) babelInterval(i uint16) {
	if i == 0 {
		p.s("0.0s (bogus)")
		return
	}
	p.u(uint64(i / 100))
	p.c('.')
	p.uw(uint64(i%100), 2)
	p.c('s')
}

// babelUpdateInterval prints an update's interval, of which all ones
// means the route is retracted for good.
func (p *Printer) babelUpdateInterval(i uint16) {
	if i == 0xffff {
		p.s("infinity")
		return
	}
	p.babelInterval(i)
}

// babelTimestamp prints a timestamp in microseconds.
func (p *Printer) babelTimestamp(t uint32) {
	p.u(uint64(t / 1000000))
	p.c('.')
	p.uw(uint64(t%1000000), 6)
	p.c('s')
}

// babelSubTLVs prints the sub-TLVs in b, the tail of a TLV of type
// tlvType (tcpdump's subtlvs_print).
func (p *Printer) babelSubTLVs(b []byte, tlvType uint8) {
	for i := 0; i < len(b); {
		subtype := b[i]
		i++
		if subtype == babelSubPad1 {
			p.s(" sub-pad1")
			continue
		}
		if subtype&babelSubMandatory != 0 {
			p.s(" (M)")
		}
		if i == len(b) {
			p.s(" (invalid)")
			return
		}
		sublen := int(b[i])
		i++
		if i+sublen > len(b) {
			p.s(" (invalid)")
			return
		}
		d := b[i : i+sublen]
		i += sublen
		switch subtype {
		case babelSubPadN:
			p.s(" sub-padn")
		case babelSubDiversity:
			p.s(" sub-diversity")
			if sublen == 0 {
				p.s(" empty")
				break
			}
			for j, c := range d {
				p.c(" -"[min(j, 1)])
				p.tok2str(babelDiversityNames, "%d", uint32(c))
			}
			if tlvType != babelUpdate && tlvType != babelSSUpdate {
				p.s(" (bogus)")
			}
		case babelSubTimestamp:
			p.s(" sub-timestamp")
			switch tlvType {
			case babelHello:
				if sublen < 4 {
					p.s(" (invalid)")
					return
				}
				p.c(' ')
				p.babelTimestamp(be32(d))
			case babelIHU:
				if sublen < 8 {
					p.s(" (invalid)")
					return
				}
				p.c(' ')
				p.babelTimestamp(be32(d))
				p.c('|')
				p.babelTimestamp(be32(d[4:]))
			default:
				p.s(" (bogus)")
			}
		default:
			p.s(" sub-unknown-0x")
			p.xw(uint64(subtype), 2)
		}
	}
}

// babelTLVs prints the TLVs in the first n bytes of b, of which remain
// are in the packet by its length (tcpdump's babel_print_v2_tlvs). The
// prefixes that later updates may abbreviate are kept from one TLV to
// the next.
func (p *Printer) babelTLVs(b []byte, n, remain int) int {
	v4Prev := babelV4Prefix
	var v6Prev [16]byte
	verbose := p.opt.Verbose > 0
	for i := 0; i < n; {
		if i+1 > n || i+1 > remain {
			return babelInvalid
		}
		// The type is read with a longjmp at the end of the capture,
		// the rest checked first.
		typ := p.get8(b, i)
		if typ == babelPad1 {
			p.s(pick(verbose, "\n\tPad 1", " pad1"))
			i++
			continue
		}
		if i+2 > n || i+2 > remain {
			return babelInvalid
		}
		if i+2 > len(b) {
			return babelTrunc
		}
		tlen := int(b[i+1])
		if i+2+tlen > n || i+2+tlen > remain {
			return babelInvalid
		}
		if i+2+tlen > len(b) {
			return babelTrunc
		}
		// Every field read below lies inside the TLV, by the lengths
		// checked for each type.
		m := b[i : i+2+tlen]
		if !verbose {
			if r := p.babelTLVName(m, typ, tlen); r != babelOK {
				return r
			}
		} else if r := p.babelTLV(m, typ, tlen, &v4Prev, &v6Prev); r != babelOK {
			return r
		}
		i += tlen + 2
	}
	return babelOK
}

// babelTLVName prints a TLV's name, as Babel prints without -v.
func (p *Printer) babelTLVName(m []byte, typ uint8, tlen int) int {
	switch typ {
	case babelPadN:
		p.s(" padN")
	case babelAckReq:
		p.s(" ack-req")
	case babelAck:
		p.s(" ack")
	case babelHello:
		p.s(" hello")
	case babelIHU:
		p.s(" ihu")
	case babelRouterID:
		p.s(" router-id")
	case babelNextHop:
		p.s(" nh")
	case babelUpdate:
		p.s(" update")
		if tlen < 10 {
			return babelInvalid
		}
		p.babelUpdateFlags(m[3])
	case babelRouteReq:
		p.s(" route-request")
	case babelSeqnoReq:
		p.s(" seqno-request")
	case babelTSPC:
		p.s(" tspc")
	case babelHMAC:
		p.s(" hmac")
	case babelSSUpdate:
		p.s(" ss-update")
	case babelSSRequest:
		p.s(" ss-request")
	case babelSSMHRequest:
		p.s(" ss-mh-request")
	case babelMAC:
		p.s(" mac")
	case babelPC:
		p.s(" pc")
	case babelChallReq:
		p.s(" challenge_request")
	case babelChallReply:
		p.s(" challenge_reply")
	default:
		p.s(" unknown")
	}
	return babelOK
}

// babelUpdateFlags prints the flags of an update.
func (p *Printer) babelUpdateFlags(f uint8) {
	if f&0x80 != 0 {
		p.s("/prefix")
	}
	if f&0x40 != 0 {
		p.s("/id")
	}
	if f&0x3f != 0 {
		p.s("/unknown")
	}
}

// babelPlen returns a prefix length as Babel prints it: an IPv4 one
// counts the 96 bits of the mapped prefix, in a byte as tcpdump adds it.
func babelPlen(ae, plen uint8) uint8 {
	if ae == babelAEIPv4 {
		return plen + 96
	}
	return plen
}

// babelTLV prints a TLV m of type typ and body length tlen with its
// fields, on a line of its own. v4Prev and v6Prev are the last prefixes
// of the packet an update said later ones may abbreviate.
func (p *Printer) babelTLV(m []byte, typ uint8, tlen int, v4Prev, v6Prev *[16]byte) int {
	switch typ {
	case babelPadN:
		p.s("\n\tPad ")
		p.u(uint64(tlen + 2))
	case babelAckReq:
		p.s("\n\tAcknowledgment Request ")
		if tlen < 6 {
			return babelInvalid
		}
		p.xw(uint64(be16(m[4:])), 4)
		p.c(' ')
		p.babelInterval(be16(m[6:]))
	case babelAck:
		p.s("\n\tAcknowledgment ")
		if tlen < 2 {
			return babelInvalid
		}
		p.xw(uint64(be16(m[2:])), 4)
	case babelHello:
		p.s("\n\tHello ")
		if tlen < 6 {
			return babelInvalid
		}
		if be16(m[2:])&0x8000 != 0 {
			p.s("(Unicast) ")
		}
		p.s("seqno ")
		p.u(uint64(be16(m[4:])))
		p.c(' ')
		if iv := be16(m[6:]); iv != 0 {
			p.s("interval ")
			p.babelInterval(iv)
		} else {
			p.s("unscheduled")
		}
		if tlen > 6 {
			p.babelSubTLVs(m[8:], typ)
		}
	case babelIHU:
		p.s("\n\tIHU ")
		if tlen < 6 {
			return babelInvalid
		}
		ae := m[2]
		addr, rc, ok := babelPrefix(int(ae), -1, 0, m[8:], nil, tlen-6)
		if !ok {
			// tcpdump marks this one truncated and goes on.
			p.s(" [|babel]")
			break
		}
		if ae == babelAEWildcard {
			p.s("any")
		} else {
			p.mappedAddr(addr[:])
		}
		p.s(" rxcost ")
		p.u(uint64(be16(m[4:])))
		p.s(" interval ")
		p.babelInterval(be16(m[6:]))
		if rc < tlen-6 {
			p.babelSubTLVs(m[8+rc:], typ)
		}
	case babelRouterID:
		p.s("\n\tRouter Id")
		if tlen < 10 {
			return babelInvalid
		}
		p.c(' ')
		p.hexColons(m[4:12])
	case babelNextHop:
		p.s("\n\tNext Hop")
		if tlen < 2 {
			return babelInvalid
		}
		ae := m[2]
		nh, _, ok := babelPrefix(int(ae), -1, 0, m[4:], nil, tlen-2)
		if !ok {
			return babelInvalid
		}
		p.c(' ')
		if ae == babelAEWildcard {
			p.s("invalid AE 0")
		} else {
			p.mappedAddr(nh[:])
		}
	case babelUpdate:
		p.s("\n\tUpdate")
		if tlen < 10 {
			return babelInvalid
		}
		ae, flags := m[2], m[3]
		prev := babelPrev(ae, v4Prev, v6Prev)
		prefix, rc, ok := babelPrefix(int(ae), int(m[4]), int(m[5]), m[12:], prev, tlen-10)
		if !ok {
			return babelInvalid
		}
		p.babelUpdateFlags(flags)
		p.c(' ')
		p.babelPrefixOr("any", ae, &prefix, m[4])
		p.babelRoute(m)
		if flags&0x80 != 0 {
			*prev = prefix
		}
		if rc < tlen-10 {
			p.babelSubTLVs(m[12+rc:], typ)
		}
	case babelRouteReq:
		p.s("\n\tRoute Request ")
		if tlen < 2 {
			return babelInvalid
		}
		ae := m[2]
		prefix, _, ok := babelPrefix(int(ae), int(m[3]), 0, m[4:], nil, tlen-2)
		if !ok {
			return babelInvalid
		}
		p.s("for ")
		p.babelPrefixOr("any", ae, &prefix, m[3])
	case babelSeqnoReq:
		p.s("\n\tSeqno Request ")
		if tlen < 14 {
			return babelInvalid
		}
		ae := m[2]
		prefix, _, ok := babelPrefix(int(ae), int(m[3]), 0, m[16:], nil, tlen-14)
		if !ok {
			return babelInvalid
		}
		p.c('(')
		p.u(uint64(m[6]))
		p.s(" hops) for ")
		p.babelPrefixOr("invalid AE 0", ae, &prefix, m[3])
		p.babelSeqnoID(m)
	case babelTSPC:
		p.s("\n\tTS/PC ")
		if tlen < 6 {
			return babelInvalid
		}
		p.s("timestamp ")
		p.u(uint64(be32(m[4:])))
		p.s(" packetcounter ")
		p.u(uint64(be16(m[2:])))
	case babelHMAC:
		p.s("\n\tHMAC ")
		if tlen < 18 {
			return babelInvalid
		}
		p.s("key-id ")
		p.u(uint64(be16(m[2:])))
		p.s(" digest-")
		p.u(uint64(tlen - 2))
		p.c(' ')
		for _, c := range m[4 : 2+tlen] {
			p.hexUpper(c)
		}
	case babelSSUpdate:
		return p.babelSSUpdate(m, tlen, v4Prev, v6Prev)
	case babelSSRequest:
		p.s("\n\tSS-Request ")
		if tlen < 3 {
			return babelInvalid
		}
		ae, plen, srcPlen := m[2], m[3], m[4]
		prefix, src, _, ok := babelSSPrefixes(m, tlen, 3, ae, plen, 0, srcPlen, nil)
		if !ok {
			return babelInvalid
		}
		if ae == babelAEWildcard {
			p.s("for any")
			break
		}
		p.s("for (")
		p.babelSSPair(&prefix, &src, ae, plen, srcPlen, ", ")
		p.c(')')
	case babelSSMHRequest:
		p.s("\n\tSS-MH-Request ")
		if tlen < 14 {
			return babelInvalid
		}
		ae, plen, srcPlen := m[2], m[3], m[7]
		prefix, src, _, ok := babelSSPrefixes(m, tlen, 14, ae, plen, 0, srcPlen, nil)
		if !ok {
			return babelInvalid
		}
		p.c('(')
		p.u(uint64(m[6]))
		p.s(" hops) for (")
		p.babelSSPair(&prefix, &src, ae, plen, srcPlen, ", ")
		p.c(')')
		p.babelSeqnoID(m)
	case babelMAC:
		p.s("\n\tMAC len ")
		p.u(uint64(tlen))
	case babelPC:
		p.s("\n\tPC")
		if tlen < 4 {
			return babelInvalid
		}
		p.s(" value ")
		p.u(uint64(be32(m[2:])))
		p.s(" index len ")
		p.u(uint64(tlen - 4))
	case babelChallReq, babelChallReply:
		p.s(pick(typ == babelChallReq, "\n\tChallenge Request", "\n\tChallenge Reply"))
		if tlen > 192 {
			return babelInvalid
		}
		p.s(" len ")
		p.u(uint64(tlen))
	default:
		p.s("\n\tUnknown message type ")
		p.u(uint64(typ))
	}
	return babelOK
}

// babelSSUpdate prints a source-specific update, whose destination
// prefix may abbreviate the previous update's.
func (p *Printer) babelSSUpdate(m []byte, tlen int, v4Prev, v6Prev *[16]byte) int {
	p.s("\n\tSS-Update")
	if tlen < 10 {
		return babelInvalid
	}
	ae, srcPlen, plen, omitted := m[2], m[3], m[4], m[5]
	prefix, src, parsed, ok := babelSSPrefixes(m, tlen, 10, ae, plen, omitted, srcPlen, babelPrev(ae, v4Prev, v6Prev))
	if !ok {
		return babelInvalid
	}
	p.c(' ')
	p.babelSSPair(&prefix, &src, ae, plen, srcPlen, " from ")
	p.babelRoute(m)
	if parsed < tlen {
		p.babelSubTLVs(m[2+parsed:], babelSSUpdate)
	}
	return babelOK
}

// babelPrev returns which of the packet's last prefixes, v4Prev or
// v6Prev, a prefix of address encoding ae may abbreviate.
func babelPrev(ae uint8, v4Prev, v6Prev *[16]byte) *[16]byte {
	if ae == babelAEIPv4 {
		return v4Prev
	}
	return v6Prev
}

// babelSSPrefixes reads the destination and the source prefix of a
// source-specific TLV m of body length tlen, one after the other from its
// body's byte parsed on, the destination abbreviated by omitted bytes of
// prev. It returns them and where the body goes on, and false when either
// is malformed.
func babelSSPrefixes(m []byte, tlen, parsed int, ae, plen, omitted, srcPlen uint8, prev *[16]byte) (dst, src [16]byte, next int, ok bool) {
	dst, rc, ok := babelPrefix(int(ae), int(plen), int(omitted), m[2+parsed:], prev, tlen-parsed)
	if !ok {
		return dst, src, 0, false
	}
	parsed += rc
	src, rc, ok = babelPrefix(int(ae), int(srcPlen), 0, m[2+parsed:], nil, tlen-parsed)
	return dst, src, parsed + rc, ok
}

// babelSSPair prints a source-specific TLV's destination and source
// prefixes with sep between them.
func (p *Printer) babelSSPair(dst, src *[16]byte, ae, plen, srcPlen uint8, sep string) {
	p.babelPrefixStr(dst, babelPlen(ae, plen))
	p.s(sep)
	p.babelPrefixStr(src, babelPlen(ae, srcPlen))
}

// babelPrefixOr prints a prefix of length plen as it is carried, or wild
// for the wildcard address encoding's.
func (p *Printer) babelPrefixOr(wild string, ae uint8, prefix *[16]byte, plen uint8) {
	if ae == babelAEWildcard {
		p.s(wild)
		return
	}
	p.babelPrefixStr(prefix, babelPlen(ae, plen))
}

// babelRoute prints the metric, sequence number and interval of an
// update or a source-specific update m.
func (p *Printer) babelRoute(m []byte) {
	p.s(" metric ")
	p.u(uint64(be16(m[10:])))
	p.s(" seqno ")
	p.u(uint64(be16(m[8:])))
	p.s(" interval ")
	p.babelUpdateInterval(be16(m[6:]))
}

// babelSeqnoID prints the sequence number and router ID of a seqno
// request or a source-specific one, m.
func (p *Printer) babelSeqnoID(m []byte) {
	p.s(" seqno ")
	p.u(uint64(be16(m[4:])))
	p.s(" id ")
	p.hexColons(m[8:16])
}
