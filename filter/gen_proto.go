package filter

import "fmt"

// Protocols, ports and protocol chains.

// ISO and IS-IS numbers.
const (
	isoCLNP = 0x81
	isoESIS = 0x82
	isoISIS = 0x83

	isisL1LANIIH = 15
	isisL2LANIIH = 16
	isisPTPIIH   = 17
	isisL1LSP    = 18
	isisL2LSP    = 20
	isisL1CSNP   = 24
	isisL2CSNP   = 25
	isisL1PSNP   = 26
	isisL2PSNP   = 27
)

// protoAbbrev is a protocol named on its own: "tcp", "ip6", "isis"...
func (c *compiler) protoAbbrev(proto uint8) *bexpr {
	isis := func(types ...uint32) *bexpr {
		b1 := or(c.proto(types[0], qISIS, qDefault), c.proto(types[1], qISIS, qDefault))
		for _, t := range types[2:] {
			b1 = or(c.proto(t, qISIS, qDefault), b1)
		}
		return b1
	}
	switch proto {
	case qSCTP:
		return c.proto(ipprotoSCTP, qDefault, qDefault)
	case qTCP:
		return c.proto(ipprotoTCP, qDefault, qDefault)
	case qUDP:
		return c.proto(ipprotoUDP, qDefault, qDefault)
	case qICMP:
		return c.proto(ipprotoICMP, qIP, qDefault)
	case qIGMP:
		return c.proto(ipprotoIGMP, qIP, qDefault)
	case qIGRP:
		return c.proto(ipprotoIGRP, qIP, qDefault)
	case qPIM:
		return c.proto(ipprotoPIM, qDefault, qDefault)
	case qVRRP:
		return c.proto(ipprotoVRRP, qIP, qDefault)
	case qCARP:
		return c.proto(ipprotoCARP, qIP, qDefault)
	case qIP:
		return c.linktypeTest(ethertypeIP)
	case qARP:
		return c.linktypeTest(ethertypeARP)
	case qRARP:
		return c.linktypeTest(ethertypeRevARP)
	case qLink:
		fail("link layer applied in wrong context")
	case qAtalk:
		return c.linktypeTest(ethertypeAtalk)
	case qAARP:
		return c.linktypeTest(ethertypeAARP)
	case qDECnet:
		return c.linktypeTest(ethertypeDN)
	case qSCA:
		return c.linktypeTest(ethertypeSCA)
	case qLAT:
		return c.linktypeTest(ethertypeLAT)
	case qMOPDL:
		return c.linktypeTest(ethertypeMOPDL)
	case qMOPRC:
		return c.linktypeTest(ethertypeMOPRC)
	case qIPv6:
		return c.linktypeTest(ethertypeIPv6)
	case qICMPv6:
		return c.proto(ipprotoICMPv6, qIPv6, qDefault)
	case qAH:
		return c.proto(ipprotoAH, qDefault, qDefault)
	case qESP:
		return c.proto(ipprotoESP, qDefault, qDefault)
	case qISO:
		return c.linktypeTest(llcsapISONS)
	case qESIS:
		return c.proto(isoESIS, qISO, qDefault)
	case qISIS:
		return c.proto(isoISIS, qISO, qDefault)
	case qISISL1:
		return isis(isisL1LANIIH, isisPTPIIH, isisL1LSP, isisL1CSNP, isisL1PSNP)
	case qISISL2:
		return isis(isisL2LANIIH, isisPTPIIH, isisL2LSP, isisL2CSNP, isisL2PSNP)
	case qISISIIH:
		return isis(isisL1LANIIH, isisL2LANIIH, isisPTPIIH)
	case qISISLSP:
		return isis(isisL1LSP, isisL2LSP)
	case qISISSNP:
		return isis(isisL1CSNP, isisL2CSNP, isisL1PSNP, isisL2PSNP)
	case qISISCSNP:
		return isis(isisL1CSNP, isisL2CSNP)
	case qISISPSNP:
		return isis(isisL1PSNP, isisL2PSNP)
	case qCLNP:
		return c.proto(isoCLNP, qISO, qDefault)
	case qSTP:
		return c.linktypeTest(llcsap8021D)
	case qIPX:
		return c.linktypeTest(llcsapIPX)
	case qNetBEUI:
		return c.linktypeTest(llcsapNetBEUI)
	case qRadio:
		fail("'radio' is not a valid protocol type")
	}
	fail("unknown protocol qualifier")
	return nil
}

// ipFrag is "the IPv4 packet is not a fragment after the first".
func (c *compiler) ipFrag() *bexpr {
	return not(c.jsetTest(orLinkPL, 6, bpfH, 0x1fff))
}

// port tests a TCP, UDP or SCTP port (ipProto protoUndef: any of them),
// over IPv4 or, when v6, over IPv6 without extension headers.
func (c *compiler) port(port uint32, ipProto int, dir uint8, v6 bool) *bexpr {
	lt := uint32(ethertypeIP)
	if v6 {
		lt = ethertypeIPv6
	}
	b0 := c.linktypeTest(lt)
	atoms := func() *bexpr {
		rel := orTranIPv4
		if v6 {
			rel = orTranIPv6
		}
		switch dir {
		case qSrc:
			return c.cmp(rel, 0, bpfH, port)
		case qDst:
			return c.cmp(rel, 2, bpfH, port)
		case qAnd:
			return and(c.cmp(rel, 0, bpfH, port), c.cmp(rel, 2, bpfH, port))
		case qDefault, qOr:
			return or(c.cmp(rel, 0, bpfH, port), c.cmp(rel, 2, bpfH, port))
		}
		dirError(dir, "ports")
		return nil
	}
	return and(b0, c.perProto(ipProto, v6, atoms))
}

// portrange is port for a range of ports.
func (c *compiler) portrange(p1, p2 uint32, ipProto int, dir uint8, v6 bool) *bexpr {
	lt := uint32(ethertypeIP)
	if v6 {
		lt = ethertypeIPv6
	}
	if p1 > p2 {
		p1, p2 = p2, p1
	}
	b0 := c.linktypeTest(lt)
	atoms := func() *bexpr {
		rel := orTranIPv4
		if v6 {
			rel = orTranIPv6
		}
		atom := func(off uint32) *bexpr {
			return and(c.cmpGE(rel, off, bpfH, p1), c.cmpLE(rel, off, bpfH, p2))
		}
		switch dir {
		case qSrc:
			return atom(0)
		case qDst:
			return atom(2)
		case qAnd:
			return and(atom(0), atom(2))
		case qDefault, qOr:
			return or(atom(0), atom(2))
		}
		dirError(dir, "port ranges")
		return nil
	}
	return and(b0, c.perProto(ipProto, v6, atoms))
}

// perProto combines the port tests with the protocol test (and, over
// IPv4, the fragment test) for one transport protocol, or for SCTP, TCP
// and UDP when ipProto is protoUndef.
func (c *compiler) perProto(ipProto int, v6 bool, atoms func() *bexpr) *bexpr {
	op := func(p uint32) *bexpr {
		var b0 *bexpr
		if v6 {
			b0 = c.cmp(orLinkPL, 6, bpfB, p)
		} else {
			b0 = and(c.cmp(orLinkPL, 9, bpfB, p), c.ipFrag())
		}
		return and(b0, atoms())
	}
	if ipProto != protoUndef {
		return op(uint32(ipProto))
	}
	b1 := or(op(ipprotoTCP), op(ipprotoUDP))
	return or(op(ipprotoSCTP), b1)
}

// proto tests that protocol proto carries protocol v: "ip proto 6", "ether
// proto 0x800", "iso proto 0x83".
func (c *compiler) proto(v uint32, proto, dir uint8) *bexpr {
	if dir != qDefault {
		fail("direction applied to 'proto'")
	}
	switch proto {
	case qDefault:
		return or(c.proto(v, qIP, dir), c.proto(v, qIPv6, dir))
	case qLink:
		return c.linktypeTest(v)
	case qIP:
		return and(c.linktypeTest(ethertypeIP), c.cmp(orLinkPL, 9, bpfB, v))
	case qIPv6:
		b0 := c.linktypeTest(ethertypeIPv6)
		b1 := and(c.cmp(orLinkPL, 6, bpfB, ipprotoFragment), c.cmp(orLinkPL, 40, bpfB, v))
		b1 = or(c.cmp(orLinkPL, 6, bpfB, v), b1)
		return and(b0, b1)
	case qISO:
		if c.linktype == dltCHDLC {
			return and(c.linktypeTest(llcsapISONS<<8|llcsapISONS), c.cmp(orLinkPLNoSnap, 1, bpfB, v))
		}
		return and(c.linktypeTest(llcsapISONS), c.cmp(orLinkPLNoSnap, 0, bpfB, v))
	case qISIS:
		return and(c.proto(isoISIS, qISO, qDefault), c.cmp(orLinkPLNoSnap, 4, bpfB, v))
	case qARP, qRARP:
		fail(protoName[proto] + " does not encapsulate another protocol")
	case qAtalk:
		fail("AppleTalk encapsulation is not specifiable")
	case qDECnet:
		fail("DECNET encapsulation is not specifiable")
	case qLAT, qSCA, qMOPRC, qMOPDL:
		fail(map[uint8]string{qLAT: "LAT", qSCA: "SCA", qMOPRC: "MOPRC", qMOPDL: "MOPDL"}[proto] +
			" does not encapsulate another protocol")
	case qCLNP:
		fail("'clnp proto' is not supported")
	}
	fail(fmt.Sprintf("'%s proto' is bogus", protoName[proto]))
	return nil
}

// protochain follows IPv6 extension headers and IPv4 or IPv6 AH headers
// to the first other header and tests whether it is protocol v. BPF has no
// loops, so this is libpcap's backward jump, which its interpreter (and
// ours) runs and which kernels refuse; it also turns the optimizer off.
func (c *compiler) protochain(v uint32, proto uint8) *bexpr {
	reg2 := c.allocReg()
	switch proto {
	case qIP, qIPv6:
	case qDefault:
		b0 := c.protochain(v, qIP)
		return or(b0, c.protochain(v, qIPv6))
	default:
		fail("bad protocol applied for 'protochain'")
	}
	if c.offLinkPL.variable {
		fail("'protochain' not supported with variable length headers")
	}
	c.noOptimize = true
	hd := c.offLinkPL.c + c.offNL

	var b0 *bexpr
	var s []ins
	if proto == qIP {
		b0 = c.linktypeTest(ethertypeIP)
		s = append(s, stmt(bpfLD|bpfABS|bpfB, hd+9), stmt(bpfLDX|bpfMSH|bpfB, hd))
	} else {
		b0 = c.linktypeTest(ethertypeIPv6)
		s = append(s, stmt(bpfLD|bpfABS|bpfB, hd+6), stmt(bpfLDX|bpfIMM, 40))
	}
	// Jumps are patched once every label is known.
	type fix struct {
		at      int
		isTrue  bool
		toLabel *int
	}
	var fixes []fix
	jeq := func(k uint32) int {
		s = append(s, stmt(bpfJMP|bpfJEQ|bpfK, k))
		return len(s) - 1
	}
	var again, end, ahcheck, v6advance int
	again = jeq(v)
	fixes = append(fixes, fix{again, true, &end})
	none := jeq(ipprotoNone)
	fixes = append(fixes, fix{none, true, &end})
	if proto == qIPv6 {
		for _, h := range []uint32{ipprotoHopopts, ipprotoDstopts, ipprotoRouting, ipprotoFragment} {
			i := jeq(h)
			fixes = append(fixes, fix{i, true, &v6advance})
		}
		fixes = append(fixes, fix{len(s) - 1, false, &ahcheck})
		// v6advance: A = next header; X += (length + 1) * 8.
		v6advance = len(s)
		s = append(s,
			stmt(bpfLD|bpfIND|bpfB, hd),
			stmt(bpfST, uint32(reg2)),
			stmt(bpfLD|bpfIND|bpfB, hd+1),
			stmt(bpfALU|bpfADD|bpfK, 1),
			stmt(bpfALU|bpfMUL|bpfK, 8),
			stmt(bpfALU|bpfADD|bpfX, 0),
			stmt(bpfMISC|bpfTAX, 0),
			stmt(bpfLD|bpfMEM, uint32(reg2)),
			stmt(bpfJMP|bpfJA, uint32(again-len(s)-9)))
	} else {
		s = append(s, stmt(bpfALU|bpfADD|bpfK, 0))
	}
	// ahcheck: an AH header; X becomes (its length + 2) * 4, as libpcap
	// computes it (not added to X).
	ahcheck = jeq(ipprotoAH)
	fixes = append(fixes, fix{ahcheck, false, &end})
	s = append(s,
		stmt(bpfMISC|bpfTXA, 0),
		stmt(bpfLD|bpfIND|bpfB, hd),
		stmt(bpfST, uint32(reg2)),
		stmt(bpfMISC|bpfTXA, 0),
		stmt(bpfALU|bpfADD|bpfK, 1),
		stmt(bpfMISC|bpfTAX, 0),
		stmt(bpfLD|bpfIND|bpfB, hd),
		stmt(bpfALU|bpfADD|bpfK, 2),
		stmt(bpfALU|bpfMUL|bpfK, 4),
		stmt(bpfMISC|bpfTAX, 0),
		stmt(bpfLD|bpfMEM, uint32(reg2)))
	s = append(s, stmt(bpfJMP|bpfJA, uint32(again-len(s)-1)))
	end = len(s)
	s = append(s, stmt(bpfALU|bpfADD|bpfK, 0))
	for _, f := range fixes {
		d := uint8(*f.toLabel - f.at - 1)
		if f.isTrue {
			s[f.at].jt = d
		} else {
			s[f.at].jf = d
		}
	}
	c.freeReg(reg2)
	b := newTest(s, bpfJMP|bpfJEQ|bpfK, v)
	b.t.opaque = true
	return and(b0, b)
}
