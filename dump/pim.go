package dump

import (
	"github.com/medina-net/medina/checksum"
	"github.com/medina-net/medina/ipv4"
)

// PIM, version 2 (RFC 7761, RFC 5015 for the DF election, RFC 3973 for
// dense mode) over IPv4 and IPv6, and version 1, which rides in IGMP
// messages, as tcpdump's print-pim.c prints them.
//
// PIM has no wire view of its own: it is printed, never parsed by the
// stack. The printer reads it with the get helpers, which stop the packet
// at the end of the capture; where tcpdump checks a length itself and
// prints " [|pimv2]" without abandoning the packet, the printer returns
// false up to pim2, which prints it.

// PIMv1 message types (the second byte of the IGMP message).
const (
	pim1Query      = 0
	pim1Register   = 1
	pim1RegStop    = 2
	pim1JoinPrune  = 3
	pim1RPReach    = 4
	pim1Assert     = 5
	pim1Graft      = 6
	pim1GraftAck   = 7
	pim1HoldTime   = 180 // the join/prune hold time the short form leaves out
	pimAllOnesMask = 0xffffffff
)

var pim1Types = []tok{
	{pim1Query, "Query"}, {pim1Register, "Register"}, {pim1RegStop, "Register-Stop"},
	{pim1JoinPrune, "Join/Prune"}, {pim1RPReach, "RP-reachable"}, {pim1Assert, "Assert"},
	{pim1Graft, "Graft"}, {pim1GraftAck, "Graft-ACK"},
}

// PIMv2 message types.
const (
	pim2Hello        = 0
	pim2Register     = 1
	pim2RegisterStop = 2
	pim2JoinPrune    = 3
	pim2Bootstrap    = 4
	pim2Assert       = 5
	pim2Graft        = 6
	pim2GraftAck     = 7
	pim2CandidateRP  = 8
	pim2PruneRefresh = 9
	pim2DFElection   = 10
)

var pim2Types = []tok{
	{pim2Hello, "Hello"}, {pim2Register, "Register"}, {pim2RegisterStop, "Register Stop"},
	{pim2JoinPrune, "Join / Prune"}, {pim2Bootstrap, "Bootstrap"}, {pim2Assert, "Assert"},
	{pim2Graft, "Graft"}, {pim2GraftAck, "Graft Acknowledgement"},
	{pim2CandidateRP, "Candidate RP Advertisement"}, {pim2PruneRefresh, "Prune Refresh"},
	{pim2DFElection, "DF Election"}, {11, "ECMP Redirect"},
}

// PIMv2 hello options.
const (
	pimOptHoldTime     = 1
	pimOptLANPrune     = 2
	pimOptDRPrioOld    = 18
	pimOptDRPrio       = 19
	pimOptGenID        = 20
	pimOptRefreshCap   = 21
	pimOptBidirCap     = 22
	pimOptAddrList     = 24
	pimOptAddrListOld  = 65001
	pimDFOffer         = 1
	pimDFBackoff       = 3
	pimDFPass          = 4
	pimRegisterFlagLen = 4
)

var pim2HelloOptions = []tok{
	{pimOptHoldTime, "Hold Time"}, {pimOptLANPrune, "LAN Prune Delay"},
	{pimOptDRPrioOld, "DR Priority (Old)"}, {pimOptDRPrio, "DR Priority"},
	{pimOptGenID, "Generation ID"}, {pimOptRefreshCap, "State Refresh Capability"},
	{pimOptBidirCap, "Bi-Directional Capability"}, {pimOptAddrList, "Address List"},
	{pimOptAddrListOld, "Address List (Old)"},
}

var pim2RegisterFlags = []tok{{0x80000000, "Border"}, {0x40000000, "Null"}}

var pim2DFNames = []tok{{pimDFOffer, "Offer"}, {2, "Winner"}, {pimDFBackoff, "Backoff"}, {pimDFPass, "Pass"}}

// pim prints a PIM message of the given length carried in the datagram
// whose header is ip (tcpdump's pim_print).
func (p *Printer) pim(b []byte, length int, ip netHeader) {
	p.proto = "pim"
	tv := p.get8(b, 0)
	ver, typ := tv>>4, uint32(tv&0x0f)
	p.s("PIMv")
	p.u(uint64(ver))
	if ver != 2 {
		p.s(", length ")
		p.u(uint64(length))
		return
	}
	if p.opt.Verbose == 0 {
		p.s(", ")
		p.tok2str(pim2Types, "Unknown Type", typ)
		p.s(", length ")
		p.u(uint64(length))
		return
	}
	p.s(", length ")
	p.u(uint64(length))
	p.s("\n\t")
	p.tok2str(pim2Types, "Unknown Type", typ)
	if !p.pim2(b, uint32(length), ip) {
		p.s(" [|pimv2]")
	}
}

// pimAddrKind is what an encoded address of PIMv2 holds.
type pimAddrKind int

const (
	pimUnicast pimAddrKind = iota
	pimGroup
	pimSource
)

// pim2Addr prints an encoded unicast, group or source address (RFC 7761,
// 4.9.1) and returns its length, or -1 when it is malformed or runs past
// length (tcpdump's pimv2_addr_print). addrLen is the address length of
// the header's RFC 2117 encoding, 0 for the encoding with a family byte.
func (p *Printer) pim2Addr(b []byte, length uint32, kind pimAddrKind, addrLen uint32) int {
	hdrLen := uint32(0)
	if addrLen == 0 {
		if length < 2 {
			return -1
		}
		switch p.get8(b, 0) {
		case 1:
			addrLen = 4
		case 2:
			addrLen = 16
		default:
			return -1
		}
		if p.get8(b, 1) != 0 {
			return -1
		}
		hdrLen = 2
	} else if addrLen != 4 && addrLen != 16 {
		return -1
	}
	b = b[hdrLen:]
	length -= hdrLen
	if kind == pimUnicast {
		if length < addrLen || len(b) < int(addrLen) {
			return -1
		}
		p.out = appendIP(p.out, b[:addrLen])
		return int(hdrLen + addrLen)
	}
	if length < addrLen+2 || len(b) < int(addrLen)+2 {
		return -1
	}
	p.out = appendIP(p.out, b[2:2+addrLen])
	if mask := uint32(b[1]); mask != addrLen*8 {
		p.c('/')
		p.u(uint64(mask))
	}
	if flags := b[0]; flags != 0 {
		if kind == pimGroup {
			p.s("(0x")
			p.xw(uint64(flags), 2)
			p.c(')')
		} else {
			p.c('(')
			if flags&0x04 != 0 {
				p.c('S')
			}
			if flags&0x02 != 0 {
				p.c('W')
			}
			if flags&0x01 != 0 {
				p.c('R')
			}
			if flags&0xf8 != 0 {
				p.s("+0x")
				p.xw(uint64(flags&0xf8), 2)
			}
			p.c(')')
		}
	}
	return int(hdrLen + 2 + addrLen)
}

// pimCksum is what a PIMv2 checksum came to.
type pimCksum int

const (
	pimCksumCorrect pimCksum = iota
	pimCksumIncorrect
	pimCksumUnverified
)

// pim2CheckCksum checks the checksum over the first n bytes of b: plain
// over IPv4, with the pseudo-header over IPv6 (tcpdump's
// pimv2_check_checksum).
func pim2CheckCksum(b []byte, n uint32, ip netHeader) pimCksum {
	if uint64(n) > uint64(len(b)) {
		return pimCksumUnverified
	}
	var sum uint16
	if ip.isV6() {
		sum = ip.inCksum(uint8(ipv4.ProtoPIM), b[:n])
	} else {
		sum = ^checksum.Fold(checksum.Add(0, b[:n]))
	}
	if sum != 0 {
		return pimCksumIncorrect
	}
	return pimCksumCorrect
}

// pim2 prints the body of a PIMv2 message with -v, after its type (tcpdump's
// pimv2_print); it reports false where tcpdump prints " [|pimv2]" and
// stops. length is a uint32 because tcpdump's is unsigned and some of its
// subtractions wrap.
func (p *Printer) pim2(b []byte, length uint32, ip netHeader) bool {
	p.proto = "pimv2"
	if length < 2 {
		p.s("[length ")
		p.u(uint64(length))
		p.s(" < 2] (invalid)")
		return true
	}
	typ := p.get8(b, 0) & 0x0f
	rsv := p.get8(b, 1)
	addrLen := uint32(rsv & 0x0f)
	if addrLen != 0 {
		p.s(", RFC2117-encoding")
	}
	if length < 4 {
		p.s("[length ")
		p.u(uint64(length))
		p.s(" < 4] (invalid)")
		return true
	}
	ck := p.get16(b, 2)
	p.s(", cksum 0x")
	p.xw(uint64(ck), 4)
	p.c(' ')
	if ck == 0 {
		p.s("(unverified)")
	} else {
		var st pimCksum
		if typ == pim2Register {
			// The checksum covers the header only, though RFC 4601 asks
			// that one over the whole message be accepted as well.
			st = pim2CheckCksum(b, 8, ip)
			if st == pimCksumIncorrect {
				st = pim2CheckCksum(b, length, ip)
			}
		} else {
			st = pim2CheckCksum(b, length, ip)
		}
		switch st {
		case pimCksumCorrect:
			p.s("(correct)")
		case pimCksumIncorrect:
			p.s("(incorrect)")
		default:
			p.s("(unverified)")
		}
	}
	off := 4
	length -= 4
	// addr prints an encoded address at off and moves past it.
	addr := func(kind pimAddrKind) bool {
		n := p.pim2Addr(b[min(off, len(b)):], length, kind, addrLen)
		if n < 0 {
			return false
		}
		off += n
		length -= uint32(n)
		return true
	}

	switch typ {
	case pim2Hello:
		return p.pim2Hello(b, off, length, addrLen)

	case pim2Register:
		if length < 4 {
			return false
		}
		if off+pimRegisterFlagLen > len(b) {
			return false
		}
		p.s(", Flags [ ")
		p.tok2str(pim2RegisterFlags, "none", p.get32(b, off))
		p.s(" ]\n\t")
		off += 4
		length -= 4
		if length == 0 {
			return false
		}
		inner := b[off:]
		switch v := p.get8(inner, 0) >> 4; v {
		case 0: // a null header
			src, dst := p.bytes(inner, 12, 4), p.bytes(inner, 16, 4)
			p.s("IP-Null-header ")
			p.out = ipv4.Addr(src).AppendTo(p.out)
			p.s(" > ")
			p.out = ipv4.Addr(dst).AppendTo(p.out)
		case 4:
			p.ip(inner, int(length))
		case 6:
			p.ip6(inner, int(length))
		default:
			p.s("IP ver ")
			p.u(uint64(v))
		}

	case pim2RegisterStop:
		p.s(" group=")
		if !addr(pimGroup) {
			return false
		}
		p.s(" source=")
		if !addr(pimUnicast) {
			return false
		}

	case pim2JoinPrune, pim2Graft, pim2GraftAck:
		if typ != pim2GraftAck {
			p.s(", upstream-neighbor: ")
			if !addr(pimUnicast) {
				return false
			}
		}
		if length < 4 || off+4 > len(b) {
			return false
		}
		ngroup := b[off+1]
		hold := be16(b[off+2:])
		p.s("\n\t  ")
		p.u(uint64(ngroup))
		p.s(" group(s)")
		if typ != pim2GraftAck {
			p.s(", holdtime: ")
			if hold == 0xffff {
				p.s("infinite")
			} else {
				p.relTime(uint32(hold))
			}
		}
		off += 4
		length -= 4
		for i := range int(ngroup) {
			p.s("\n\t    group #")
			p.u(uint64(i + 1))
			p.s(": ")
			if !addr(pimGroup) {
				return false
			}
			if length < 4 || off+4 > len(b) {
				return false
			}
			njoin, nprune := be16(b[off:]), be16(b[off+2:])
			p.s(", joined sources: ")
			p.u(uint64(njoin))
			p.s(", pruned sources: ")
			p.u(uint64(nprune))
			off += 4
			length -= 4
			for j := range int(njoin) {
				p.s("\n\t      joined source #")
				p.u(uint64(j + 1))
				p.s(": ")
				if !addr(pimSource) {
					return false
				}
			}
			for j := range int(nprune) {
				p.s("\n\t      pruned source #")
				p.u(uint64(j + 1))
				p.s(": ")
				if !addr(pimSource) {
					return false
				}
			}
		}

	case pim2Bootstrap:
		if length < 2 {
			return false
		}
		tag := p.get16(b, off)
		p.s(" tag=")
		p.x(uint64(tag))
		off += 2
		length -= 2
		if length < 1 {
			return false
		}
		p.su(" hashmlen=", uint64(p.get8(b, off)))
		if length < 2 {
			return false
		}
		if off+3 > len(b) {
			return false
		}
		p.su(" BSRprio=", uint64(p.get8(b, off+1)))
		off += 2
		length -= 2
		p.s(" BSR=")
		if !addr(pimUnicast) {
			return false
		}
		for i := 0; length > 0; i++ {
			p.s(" (group")
			p.u(uint64(i))
			p.s(": ")
			if !addr(pimGroup) {
				return false
			}
			if length < 1 {
				return false
			}
			p.su(" RPcnt=", uint64(p.get8(b, off)))
			if length < 2 {
				return false
			}
			frpcnt := int(p.get8(b, off+1))
			p.s(" FRPcnt=")
			p.u(uint64(frpcnt))
			if length < 4 {
				return false
			}
			off += 4
			length -= 4
			for j := 0; j < frpcnt && length > 0; j++ {
				p.s(" RP")
				p.u(uint64(j))
				p.c('=')
				if !addr(pimUnicast) {
					return false
				}
				if length < 2 {
					return false
				}
				p.s(",holdtime=")
				p.relTime(uint32(p.get16(b, off)))
				if length < 3 {
					return false
				}
				p.su(",prio=", uint64(p.get8(b, off+2)))
				if length < 4 {
					return false
				}
				off += 4
				length -= 4
			}
			p.c(')')
		}

	case pim2Assert:
		p.s(" group=")
		if !addr(pimGroup) {
			return false
		}
		p.s(" src=")
		if !addr(pimUnicast) {
			return false
		}
		if length < 8 || off+8 > len(b) {
			return false
		}
		if b[off]&0x80 != 0 {
			p.s(" RPT")
		}
		p.s(" pref=")
		p.u(uint64(be32(b[off:]) & 0x7fffffff))
		p.s(" metric=")
		p.u(uint64(be32(b[off+4:])))

	case pim2CandidateRP:
		if length < 1 {
			return false
		}
		pfxcnt := int(p.get8(b, off))
		p.s(" prefix-cnt=")
		p.u(uint64(pfxcnt))
		if length < 2 {
			return false
		}
		p.su(" prio=", uint64(p.get8(b, off+1)))
		if length < 4 {
			return false
		}
		p.s(" holdtime=")
		p.relTime(uint32(p.get16(b, off+2)))
		off += 4
		length -= 4
		p.s(" RP=")
		if !addr(pimUnicast) {
			return false
		}
		for i := 0; i < pfxcnt && length > 0; i++ {
			p.s(" Group")
			p.u(uint64(i))
			p.c('=')
			if !addr(pimGroup) {
				return false
			}
		}

	case pim2PruneRefresh:
		p.s(" src=")
		if !addr(pimUnicast) {
			return false
		}
		p.s(" grp=")
		if !addr(pimGroup) {
			return false
		}
		p.s(" forwarder=")
		if !addr(pimUnicast) {
			return false
		}
		if length < 2 {
			return false
		}
		p.s(" TUNR ")
		p.relTime(uint32(p.get16(b, off)))

	case pim2DFElection:
		sub := uint32(rsv >> 4)
		p.s("\n\t  ")
		p.tok2str(pim2DFNames, "Unknown", sub)
		p.s(", rpa=")
		if !addr(pimUnicast) {
			return false
		}
		p.su(" sender pref=", uint64(p.get32(b, off)))
		p.su(" sender metric=", uint64(p.get32(b, off+4)))
		off += 8
		length -= 8 // unchecked, and wrapping, as in tcpdump
		if sub == pimDFBackoff || sub == pimDFPass {
			what := "new winner"
			if sub == pimDFBackoff {
				what = "offer"
			}
			p.s("\n\t  ")
			p.s(what)
			p.s(" addr=")
			if !addr(pimUnicast) {
				return false
			}
			pref := p.get32(b, off)
			p.c(' ')
			p.s(what)
			p.su(" pref=", uint64(pref))
			metric := p.get32(b, off+4)
			p.c(' ')
			p.s(what)
			p.su(" metric=", uint64(metric))
			off += 8
			if sub == pimDFBackoff {
				p.su(" interval ", uint64(p.get16(b, off)))
				p.s("ms")
			}
		}

	default:
		p.s(" [type ")
		p.u(uint64(typ))
		p.c(']')
	}
	return true
}

// pim2Hello prints the options of a hello message from off; it reports
// false where tcpdump prints " [|pimv2]".
func (p *Printer) pim2Hello(b []byte, off int, length, addrLen uint32) bool {
	for length > 0 {
		if length < 4 {
			return false
		}
		otype, olen := p.get16(b, off), p.get16(b, off+2)
		p.s("\n\t  ")
		p.tok2str(pim2HelloOptions, "Unknown", uint32(otype))
		p.s(" Option (")
		p.u(uint64(otype))
		p.s("), length ")
		p.u(uint64(olen))
		p.s(", Value: ")
		off += 4
		length -= 4
		if length < uint32(olen) || off+int(olen) > len(b) {
			return false
		}
		v := b[off : off+int(olen)]
		badLen := func(want int) {
			p.s("[option length ")
			p.u(uint64(olen))
			p.s(" != ")
			p.d(int64(want))
			p.s("] (invalid)")
		}
		switch otype {
		case pimOptHoldTime:
			if olen != 2 {
				badLen(2)
				return true
			}
			p.relTime(uint32(be16(v)))
		case pimOptLANPrune:
			if olen != 4 {
				badLen(4)
				return true
			}
			delay, override := be16(v), be16(v[2:])
			p.s("\n\t    T-bit=")
			p.u(uint64(delay >> 15))
			p.s(", LAN delay ")
			p.u(uint64(delay &^ 0x8000))
			p.s("ms, Override interval ")
			p.u(uint64(override))
			p.s("ms")
		case pimOptDRPrioOld, pimOptDRPrio:
			switch olen {
			case 0:
				p.s("Bi-Directional Capability (Old)")
			case 4:
				p.u(uint64(be32(v)))
			default:
				badLen(4)
				return true
			}
		case pimOptGenID:
			if olen != 4 {
				badLen(4)
				return true
			}
			p.s("0x")
			p.xw(uint64(be32(v)), 8)
		case pimOptRefreshCap:
			if olen != 4 {
				badLen(4)
				return true
			}
			p.c('v')
			p.u(uint64(v[0]))
			if v[1] != 0 {
				p.s(", interval ")
				p.relTime(uint32(v[1]))
			}
			if r := be16(v[2:]); r != 0 {
				p.s(" ?0x")
				p.xw(uint64(r), 4)
				p.c('?')
			}
		case pimOptBidirCap:
		case pimOptAddrListOld, pimOptAddrList:
			if p.opt.Verbose > 1 {
				// The addresses are read against what is left of the
				// message, not of the option, as tcpdump does.
				plen := length
				for ptr := off; ptr < off+int(olen); {
					p.s("\n\t    ")
					n := p.pim2Addr(b[min(ptr, len(b)):], plen, pimUnicast, addrLen)
					if n < 0 {
						return false
					}
					ptr += n
					plen -= uint32(n)
				}
			}
		default:
			if p.opt.Verbose <= 1 {
				p.unknownData(b, off, "\n\t    ", int(olen))
			}
		}
		if p.opt.Verbose > 1 {
			p.unknownData(b, off, "\n\t    ", int(olen))
		}
		off += int(olen)
		length -= uint32(olen)
	}
	return true
}

// pim1 prints a PIMv1 message, the payload of an IGMP message of type
// 0x14 (tcpdump's pimv1_print).
func (p *Printer) pim1(b []byte, length int) {
	p.proto = "pimv1"
	typ := p.get8(b, 1)
	p.c(' ')
	p.tok2str(pim1Types, "[type %d]", uint32(typ))
	switch typ {
	case pim1Query:
		if len(b) > 8 {
			switch mode := b[8] >> 4; mode {
			case 0:
				p.s(" Dense-mode")
			case 1:
				p.s(" Sparse-mode")
			case 2:
				p.s(" Sparse-Dense-mode")
			default:
				p.s(" mode-")
				p.u(uint64(mode))
			}
		}
		if p.opt.Verbose > 0 {
			p.s(" (Hold-time ")
			p.relTime(uint32(p.get16(b, 10)))
			p.c(')')
		}
	case pim1Register:
		if len(b) < 8+20 { // the IP header
			p.s(" [|pimv1]")
			return
		}
		p.v4At(" for ", b, 20)
		p.v4At(" > ", b, 24)
	case pim1RegStop:
		p.need(b, 16)
		p.v4At(" for ", b, 8)
		p.v4At(" > ", b, 12)
	case pim1RPReach:
		if p.opt.Verbose > 0 {
			p.v4At(" group ", b, 8)
			if p.get32(b, 12) != pimAllOnesMask {
				p.v4At("/", b, 12)
			}
			p.v4At(" RP ", b, 16)
			p.s(" hold ")
			p.relTime(uint32(p.get16(b, 22)))
		}
	case pim1Assert:
		p.need(b, 20)
		p.v4At(" for ", b, 16)
		p.v4At(" > ", b, 8)
		if p.get32(b, 12) != pimAllOnesMask {
			p.v4At("/", b, 12)
		}
		p.need(b, 28)
		if b[20]&0x80 != 0 {
			p.s(" RP-tree")
		} else {
			p.s(" SPT")
		}
		p.su(" pref ", uint64(p.get32(b, 20)&0x7fffffff))
		p.su(" metric ", uint64(p.get32(b, 24)))
	case pim1JoinPrune, pim1Graft, pim1GraftAck:
		if p.opt.Verbose > 0 {
			if length < 8 {
				p.s(" [|pimv1]")
				return
			}
			if !p.pim1JoinPrune(b[min(8, len(b)):], uint32(length-8)) {
				p.s(" [|pimv1]")
			}
		}
	}
	if v := p.get8(b, 4) >> 4; v != 1 {
		p.s(" [v")
		p.u(uint64(v))
		p.c(']')
	}
}

// pim1JoinPrune prints the body of a PIMv1 join/prune, graft or graft
// acknowledgement: on one line when it joins or prunes one source of one
// group, else group by group with -vv. It reports false where tcpdump
// prints " [|pimv1]" (tcpdump's pimv1_join_prune_print).
func (p *Printer) pim1JoinPrune(b []byte, length uint32) bool {
	if len(b) >= 30 && b[11] == 1 {
		njoin := be16(b[20:])
		if uint32(njoin)+uint32(be16(b[22:])) == 1 {
			p.v4At(" RPF ", b, 0)
			p.c(' ')
			if hold := be16(b[6:]); hold != pim1HoldTime {
				p.s("Hold ")
				p.relTime(uint32(hold))
			}
			if njoin != 0 {
				p.s("Join")
			} else {
				p.s("Prune")
			}
			p.v4At(" (", b, 26)
			p.c('/')
			p.u(uint64(b[25] & 0x3f))
			p.v4At(", ", b, 12)
			if be32(b[16:]) != pimAllOnesMask {
				p.v4At("/", b, 16)
			}
			p.s(") ")
			if b[24]&0x01 != 0 {
				p.s("Sparse")
			} else {
				p.s("Dense")
			}
			if b[25]&0x80 != 0 {
				p.s(" WC")
			}
			if b[25]&0x40 != 0 {
				p.s(" RP")
			} else {
				p.s(" SPT")
			}
			return true
		}
	}
	vv := p.opt.Verbose > 1
	if length < 4 {
		return false
	}
	if vv {
		p.c('\n')
	}
	p.v4At(" Upstream Nbr: ", b, 0)
	off := 4
	length -= 4
	if length < 4 {
		return false
	}
	if vv {
		p.c('\n')
	}
	p.s(" Hold time: ")
	p.relTime(uint32(p.get16(b, off+2)))
	if !vv {
		return true
	}
	off += 4
	length -= 4
	if length < 4 {
		return false
	}
	ngroups := int(p.get8(b, off+3))
	off += 4
	length -= 4
	for ; ngroups != 0; ngroups-- {
		if length < 4 {
			return false
		}
		p.v4At("\n\tGroup: ", b, off)
		off += 4
		length -= 4
		if length < 4 {
			return false
		}
		if p.get32(b, off) != pimAllOnesMask {
			p.v4At("/", b, off)
		}
		off += 4
		length -= 4
		if length < 4 {
			return false
		}
		njoin, nprune := uint32(p.get16(b, off)), uint32(p.get16(b, off+2))
		p.s(" joined: ")
		p.u(uint64(njoin))
		p.s(" pruned: ")
		p.u(uint64(nprune))
		off += 4
		length -= 4
		for i := uint32(0); i < njoin+nprune; i++ {
			if length < 6 {
				return false
			}
			p.need(b, off+6)
			if i < njoin {
				p.s("\n\tJoin  ")
			} else {
				p.s("\n\tPrune ")
			}
			f0, f1 := p.get8(b, off), p.get8(b, off+1)
			if f0&0x01 != 0 {
				p.s("Sparse ")
			} else {
				p.s("Dense ")
			}
			if f1&0x80 != 0 {
				p.s("WC ")
			}
			if f1&0x40 != 0 {
				p.s("RP ")
			} else {
				p.s("SPT ")
			}
			p.v4At("", b, off+2)
			p.c('/')
			p.u(uint64(f1 & 0x3f))
			off += 6
			length -= 6
		}
	}
	return true
}

// portCiscoAutoRP is the UDP port of Cisco's auto-RP.
const portCiscoAutoRP = 496

// ciscoAutoRP prints a Cisco auto-RP message, version 1+ of
// pim-autorp-spec01 (tcpdump's cisco_autorp_print, in print-pim.c):
// rendezvous points, each with the group prefixes it serves.
func (p *Printer) ciscoAutoRP(b []byte, length int) {
	p.proto = "cisco_autorp"
	if length < 8 {
		p.s(" [|cisco_autorp]")
		return
	}
	p.s(" auto-rp ")
	switch typ := p.get8(b, 0); typ {
	case 0x11:
		p.s("candidate-advert")
	case 0x12:
		p.s("mapping")
	default:
		p.s("type-0x")
		p.xw(uint64(typ), 2)
	}
	numrps := int(p.get8(b, 1))
	p.s(" Hold ")
	if hold := p.get16(b, 2); hold != 0 {
		p.relTime(uint32(hold))
	} else {
		p.s("FOREVER")
	}
	off, n := 8, length-8
	for ; numrps != 0; numrps-- {
		if n < 4 {
			p.s(" [|cisco_autorp]")
			return
		}
		p.v4At(" RP ", b, off)
		off += 4
		n -= 4
		if n < 1 {
			p.s(" [|cisco_autorp]")
			return
		}
		v := p.get8(b, off)
		p.s([...]string{" PIMv?", " PIMv1", " PIMv2", " PIMv1+2"}[v&3])
		if v&0xfc != 0 {
			p.s(" [rsvd=0x")
			p.xw(uint64(v&0xfc), 2)
			p.c(']')
		}
		off++
		n--
		if n < 1 {
			p.s(" [|cisco_autorp]")
			return
		}
		entries := int(p.get8(b, off))
		off++
		n--
		sep := byte(' ')
		for ; entries != 0; entries-- {
			if n < 6 {
				p.s(" [|cisco_autorp]")
				return
			}
			e := p.bytes(b, off, 6)
			p.c(sep)
			if e[0]&1 != 0 {
				p.c('!')
			}
			p.out = ipv4.Addr(e[2:6]).AppendTo(p.out)
			p.su("/", uint64(e[1]))
			if e[0]&0x02 != 0 {
				p.s(" bidir")
			}
			if e[0]&0xfc != 0 {
				p.s("[rsvd=0x")
				p.xw(uint64(e[0]&0xfc), 2)
				p.c(']')
			}
			sep = ','
			off += 6
			n -= 6
		}
	}
}
