package filter

import (
	"fmt"
	"math/bits"
	"net/netip"
)

// Hosts and networks: IPv4 (in IP, ARP and RARP headers), IPv6, Ethernet
// and DECnet addresses.

// protoName is how libpcap's messages name a protocol qualifier.
var protoName = map[uint8]string{
	qSCTP: "sctp", qTCP: "tcp", qUDP: "udp", qICMP: "icmp", qIGMP: "igmp",
	qIGRP: "igrp", qICMPv6: "icmp6", qAH: "ah", qESP: "esp", qPIM: "pim",
	qVRRP: "vrrp", qESIS: "esis", qISIS: "isis", qCLNP: "clnp", qSTP: "stp",
	qNetBEUI: "netbeui", qISISL1: "l1", qISISL2: "l2", qISISIIH: "iih",
	qISISSNP: "snp", qISISCSNP: "csnp", qISISPSNP: "psnp", qISISLSP: "lsp",
	qRadio: "radio", qCARP: "carp", qIP: "ip", qRARP: "rarp", qARP: "arp",
	qDECnet: "decnet", qLAT: "lat", qSCA: "sca", qMOPRC: "moprc",
	qMOPDL: "mopdl", qAARP: "aarp", qISO: "iso", qIPX: "ipx", qIPv6: "ip6",
}

// dirError is the message for an 802.11 address qualifier applied to
// something that is not an 802.11 address; what is the thing ("addresses
// other than 802.11 MAC addresses", "ports", "port ranges").
func dirError(dir uint8, what string) {
	switch dir {
	case qAddr1, qAddr2, qAddr3, qAddr4:
		n := dir - qAddr1 + 1
		fail(fmt.Sprintf("'addr%d' and 'address%d' are not valid qualifiers for %s", n, n, what))
	case qRA:
		fail("'ra' is not a valid qualifier for " + what)
	case qTA:
		fail("'ta' is not a valid qualifier for " + what)
	}
}

// hostop tests a 32-bit address (under mask) at srcOff or dstOff of the
// network header of protocol llProto.
func (c *compiler) hostop(addr, mask uint32, dir uint8, llProto, srcOff, dstOff uint32) *bexpr {
	var off uint32
	switch dir {
	case qSrc:
		off = srcOff
	case qDst:
		off = dstOff
	case qAnd:
		b0 := c.hostop(addr, mask, qSrc, llProto, srcOff, dstOff)
		return and(b0, c.hostop(addr, mask, qDst, llProto, srcOff, dstOff))
	case qDefault, qOr:
		b0 := c.hostop(addr, mask, qSrc, llProto, srcOff, dstOff)
		return or(b0, c.hostop(addr, mask, qDst, llProto, srcOff, dstOff))
	default:
		dirError(dir, "addresses other than 802.11 MAC addresses")
	}
	b0 := c.linktypeTest(llProto)
	return and(b0, c.mcmp(orLinkPL, off, bpfW, addr, mask))
}

// hostop6 is hostop for a 128-bit address.
func (c *compiler) hostop6(addr, mask [4]uint32, dir uint8, srcOff, dstOff uint32) *bexpr {
	var off uint32
	switch dir {
	case qSrc:
		off = srcOff
	case qDst:
		off = dstOff
	case qAnd:
		b0 := c.hostop6(addr, mask, qSrc, srcOff, dstOff)
		return and(b0, c.hostop6(addr, mask, qDst, srcOff, dstOff))
	case qDefault, qOr:
		b0 := c.hostop6(addr, mask, qSrc, srcOff, dstOff)
		return or(b0, c.hostop6(addr, mask, qDst, srcOff, dstOff))
	default:
		dirError(dir, "addresses other than 802.11 MAC addresses")
	}
	// The words are generated last first, tested first first.
	b1 := c.mcmp(orLinkPL, off+12, bpfW, addr[3], mask[3])
	b1 = and(c.mcmp(orLinkPL, off+8, bpfW, addr[2], mask[2]), b1)
	b1 = and(c.mcmp(orLinkPL, off+4, bpfW, addr[1], mask[1]), b1)
	b1 = and(c.mcmp(orLinkPL, off, bpfW, addr[0], mask[0]), b1)
	return and(c.linktypeTest(ethertypeIPv6), b1)
}

// ehostop tests an Ethernet address.
func (c *compiler) ehostop(eaddr []byte, dir uint8) *bexpr {
	switch dir {
	case qSrc:
		return c.bcmp(orLinkHdr, 6, eaddr)
	case qDst:
		return c.bcmp(orLinkHdr, 0, eaddr)
	case qAnd:
		return and(c.ehostop(eaddr, qSrc), c.ehostop(eaddr, qDst))
	case qDefault, qOr:
		return or(c.ehostop(eaddr, qSrc), c.ehostop(eaddr, qDst))
	case qAddr1, qAddr2, qAddr3, qAddr4:
		n := dir - qAddr1 + 1
		fail(fmt.Sprintf("'addr%d' and 'address%d' are only supported on 802.11 with 802.11 headers", n, n))
	case qRA:
		fail("'ra' is only supported on 802.11 with 802.11 headers")
	default: // qTA
		fail("'ta' is only supported on 802.11 with 802.11 headers")
	}
	return nil
}

// dnhostop tests a DECnet address in the short or long routing header,
// with or without a pad byte.
func (c *compiler) dnhostop(addr uint32, dir uint8) *bexpr {
	var offLH, offSH uint32
	switch dir {
	case qDst:
		offSH, offLH = 1, 7
	case qSrc:
		offSH, offLH = 3, 15
	case qAnd:
		return and(c.dnhostop(addr, qSrc), c.dnhostop(addr, qDst))
	case qDefault, qOr:
		return or(c.dnhostop(addr, qSrc), c.dnhostop(addr, qDst))
	default:
		dirError(dir, "addresses other than 802.11 MAC addresses")
	}
	// DECnet addresses are little-endian; libpcap swaps the 16-bit value
	// (and the flag masks) with ntohs on the little-endian machines
	// tcpdump runs on.
	a := uint32(bits.ReverseBytes16(uint16(addr)))
	b0 := c.linktypeTest(ethertypeDN)
	b1 := and(c.mcmp(orLinkPL, 2, bpfH, 0x8106, 0xff07), c.cmp(orLinkPL, 2+1+offLH, bpfH, a))
	b2 := and(c.mcmp(orLinkPL, 2, bpfB, 0x06, 0x07), c.cmp(orLinkPL, 2+offLH, bpfH, a))
	b1 = or(b2, b1)
	b2 = and(c.mcmp(orLinkPL, 2, bpfH, 0x8102, 0xff07), c.cmp(orLinkPL, 2+1+offSH, bpfH, a))
	b1 = or(b2, b1)
	b2 = and(c.mcmp(orLinkPL, 2, bpfB, 0x02, 0x07), c.cmp(orLinkPL, 2+offSH, bpfH, a))
	b1 = or(b2, b1)
	return and(b0, b1)
}

// host tests an IPv4 host or network (typ is qHost or qNet, for messages).
func (c *compiler) host(addr, mask uint32, proto, dir, typ uint8) *bexpr {
	typestr := "host"
	if typ == qNet {
		typestr = "net"
	}
	switch proto {
	case qDefault:
		b0 := c.host(addr, mask, qIP, dir, typ)
		// ARP and RARP carry IPv4 addresses too, but not under MPLS.
		if c.labelDepth == 0 {
			b1 := or(b0, c.host(addr, mask, qARP, dir, typ))
			b0 = or(b1, c.host(addr, mask, qRARP, dir, typ))
		}
		return b0
	case qLink:
		fail("link-layer modifier applied to " + typestr)
	case qIP:
		return c.hostop(addr, mask, dir, ethertypeIP, 12, 16)
	case qRARP:
		return c.hostop(addr, mask, dir, ethertypeRevARP, 14, 24)
	case qARP:
		return c.hostop(addr, mask, dir, ethertypeARP, 14, 24)
	case qAtalk:
		fail("AppleTalk host filtering not implemented")
	case qDECnet:
		return c.dnhostop(addr, dir)
	case qLAT:
		fail("LAT host filtering not implemented")
	case qSCA:
		fail("SCA host filtering not implemented")
	case qMOPRC:
		fail("MOPRC host filtering not implemented")
	case qMOPDL:
		fail("MOPDL host filtering not implemented")
	case qIPv6:
		fail("'ip6' modifier applied to ip host")
	case qAARP:
		fail("AARP host filtering not implemented")
	case qISO:
		fail("ISO host filtering not implemented")
	case qIPX:
		fail("IPX host filtering not implemented")
	}
	fail(fmt.Sprintf("'%s' modifier applied to %s", protoName[proto], typestr))
	return nil
}

// host6 tests an IPv6 host or network.
func (c *compiler) host6(addr, mask [4]uint32, proto, dir, typ uint8) *bexpr {
	typestr := "host"
	if typ == qNet {
		typestr = "net"
	}
	switch proto {
	case qDefault, qIPv6:
		return c.hostop6(addr, mask, dir, 8, 24)
	case qLink:
		fail("link-layer modifier applied to ip6 " + typestr)
	case qAtalk:
		fail("AppleTalk modifier applied to ip6 " + typestr)
	}
	fail(fmt.Sprintf("'%s' modifier applied to ip6 %s", protoName[proto], typestr))
	return nil
}

// atoin is libpcap's __pcap_atoin: the dotted parts of an IPv4 address or
// prefix, and their number of bits (-1 if a part is over 255). It reads
// each part's characters as decimal digits whatever they are, as libpcap
// does for the "0x1.2" the scanner lets through.
func atoin(s string) (addr uint32, bitlen int) {
	for {
		n := uint32(0)
		for len(s) > 0 && s[0] != '.' {
			if n > 25 {
				return 0, -1
			}
			n = n*10 + uint32(s[0]) - '0'
			s = s[1:]
		}
		if n > 255 {
			return 0, -1
		}
		addr = addr<<8 | n&0xff
		bitlen += 8
		if len(s) == 0 {
			return addr, bitlen
		}
		s = s[1:]
	}
}

// atodn is libpcap's __pcap_atodn: "area.node" as sscanf("%d.%d") reads
// it; ok is false if it does not.
func atodn(s string) (uint32, bool) {
	area, rest, ok := scanInt(s)
	if !ok || len(rest) == 0 || rest[0] != '.' {
		return 0, false
	}
	node, _, ok := scanInt(rest[1:])
	if !ok {
		return 0, false
	}
	return uint32(area)<<10&0xfc00 | uint32(node)&0x3ff, true
}

// ncode is an id that is a number or an IPv4 address (s is "" for a
// number, whose value is v): libpcap's gen_ncode.
func (c *compiler) ncode(s string, v uint32, q qual) *bexpr {
	vlen := 32
	if s != "" {
		if q.proto == qDECnet {
			dn, ok := atodn(s)
			if !ok {
				fail(fmt.Sprintf("malformed decnet address '%s'", s))
			}
			v = dn
		} else {
			v, vlen = atoin(s)
			if vlen < 0 {
				fail(fmt.Sprintf("invalid IPv4 address '%s'", s))
			}
		}
	}
	switch q.addr {
	case qDefault, qHost, qNet:
		if q.proto == qDECnet {
			return c.host(v, 0, q.proto, q.dir, q.addr)
		}
		if q.proto == qLink {
			fail("illegal link layer address")
		}
		mask := uint32(0xffffffff)
		if s == "" && q.addr == qNet {
			// A network number: shift it to the top.
			for v != 0 && v&0xff000000 == 0 {
				v <<= 8
				mask <<= 8
			}
		} else {
			v <<= 32 - vlen
			mask <<= 32 - vlen
		}
		return c.host(v, mask, q.proto, q.dir, q.addr)
	case qPort, qPortrange:
		what := "port"
		if q.addr == qPortrange {
			what = "portrange"
		}
		proto := portProto(q.proto)
		if proto == 0 {
			fail("illegal qualifier of '" + what + "'")
		}
		if v > 65535 {
			fail(fmt.Sprintf("illegal port number %d > 65535", v))
		}
		if q.addr == qPort {
			b := c.port(v, proto, q.dir, false)
			return or(c.port(v, proto, q.dir, true), b)
		}
		b := c.portrange(v, v, proto, q.dir, false)
		return or(c.portrange(v, v, proto, q.dir, true), b)
	case qGateway:
		fail("'gateway' requires a name")
	case qProto:
		return c.proto(v, q.proto, q.dir)
	case qProtochain:
		return c.protochain(v, q.proto)
	}
	// An id with no qualifier to inherit.
	fail("syntax error in filter expression")
	return nil
}

// portProto maps a port's protocol qualifier to an IP protocol (0: none
// allowed).
func portProto(proto uint8) int {
	switch proto {
	case qUDP:
		return ipprotoUDP
	case qTCP:
		return ipprotoTCP
	case qSCTP:
		return ipprotoSCTP
	case qDefault:
		return protoUndef
	}
	return 0
}

// mcode is an IPv4 network with a prefix length or a mask.
func (c *compiler) mcode(s1, s2 string, masklen uint32, q qual) *bexpr {
	n, nlen := atoin(s1)
	if nlen < 0 {
		fail(fmt.Sprintf("invalid IPv4 address '%s'", s1))
	}
	n <<= 32 - nlen
	var m uint32
	if s2 != "" {
		mv, mlen := atoin(s2)
		if mlen < 0 {
			fail(fmt.Sprintf("invalid IPv4 address '%s'", s2))
		}
		m = mv << (32 - mlen)
		if n&^m != 0 {
			fail(fmt.Sprintf("non-network bits set in \"%s mask %s\"", s1, s2))
		}
	} else {
		if masklen > 32 {
			fail("mask length must be <= 32")
		}
		if masklen != 0 {
			m = 0xffffffff << (32 - masklen)
		}
		if n&^m != 0 {
			fail(fmt.Sprintf("non-network bits set in \"%s/%d\"", s1, masklen))
		}
	}
	if q.addr != qNet {
		fail("Mask syntax for networks only")
	}
	return c.host(n, m, q.proto, q.dir, q.addr)
}

// mcode6 is an IPv6 host, or network with a prefix length.
func (c *compiler) mcode6(s string, masklen uint32, q qual) *bexpr {
	a, err := netip.ParseAddr(s)
	if err != nil {
		fail("invalid ip6 address " + s)
	}
	if masklen > 128 {
		fail("mask length must be <= 128")
	}
	b := a.As16()
	var m [16]byte
	for i := uint32(0); i < masklen/8; i++ {
		m[i] = 0xff
	}
	if masklen%8 != 0 {
		m[masklen/8] = byte(0xff << (8 - masklen%8))
	}
	var addr, mask [4]uint32
	for i := 0; i < 4; i++ {
		addr[i] = uint32(b[4*i])<<24 | uint32(b[4*i+1])<<16 | uint32(b[4*i+2])<<8 | uint32(b[4*i+3])
		mask[i] = uint32(m[4*i])<<24 | uint32(m[4*i+1])<<16 | uint32(m[4*i+2])<<8 | uint32(m[4*i+3])
		if addr[i]&^mask[i] != 0 {
			fail(fmt.Sprintf("non-network bits set in \"%s/%d\"", s, masklen))
		}
	}
	switch q.addr {
	case qDefault, qHost:
		if masklen != 128 {
			fail("Mask syntax for networks only")
		}
		fallthrough
	case qNet:
		return c.host6(addr, mask, q.proto, q.dir, q.addr)
	}
	fail("invalid qualifier against IPv6 address")
	return nil
}

// etherAton reads a MAC address in any of the scanner's forms.
func etherAton(s string) []byte {
	var e []byte
	for len(s) > 0 {
		if s[0] == ':' || s[0] == '.' || s[0] == '-' {
			s = s[1:]
		}
		if len(s) == 0 {
			break
		}
		d := hexVal(s[0])
		s = s[1:]
		if len(s) > 0 && isHex(s[0]) {
			d = d<<4 | hexVal(s[0])
			s = s[1:]
		}
		e = append(e, d)
	}
	return e
}

// ecode is an id that is a MAC address.
func (c *compiler) ecode(s string, q qual) *bexpr {
	if (q.addr == qHost || q.addr == qDefault) && q.proto == qLink {
		e := etherAton(s)
		if c.linktype == dltEN10MB {
			return andMaybe(c.prevLinkHdrCheck(), c.ehostop(e, q.dir))
		}
		fail("ethernet addresses supported only on ethernet/FDDI/token ring/802.11/ATM LANE/Fibre Channel")
	}
	fail("ethernet address used in non-ether expression")
	return nil
}

// scode is an id that is a name. Port and protocol names are resolved from
// the built-in tables; host, network, Ethernet host and gateway names are
// refused, as libpcap refuses names it cannot find.
func (c *compiler) scode(name string, q qual) *bexpr {
	switch q.addr {
	case qNet:
		failUnresolved(fmt.Sprintf("unknown network '%s'", name))
	case qDefault, qHost:
		switch q.proto {
		case qLink:
			if c.linktype == dltEN10MB {
				failUnresolved(fmt.Sprintf("unknown ether host '%s'", name))
			}
			fail("only ethernet/FDDI/token ring/802.11/ATM LANE/Fibre Channel supports link-level host name")
		case qDECnet:
			fail(fmt.Sprintf("decnet name support not included, '%s' cannot be translated\n", name))
		}
		failUnresolved(fmt.Sprintf("unknown host '%s'", name))
	case qPort, qPortrange:
		return c.namedPort(name, q)
	case qGateway:
		fail("'gateway' not supported in this configuration")
	case qProto:
		return c.proto(c.lookupProto(name, q.proto), q.proto, q.dir)
	case qProtochain:
		return c.protochain(c.lookupProto(name, q.proto), q.proto)
	}
	fail("syntax error in filter expression")
	return nil
}

// namedPort is "port NAME" or "portrange NAME-NAME".
func (c *compiler) namedPort(name string, q qual) *bexpr {
	what, inRange := "port", ""
	if q.addr == qPortrange {
		what, inRange = "portrange", " in range"
	}
	if q.proto != qDefault && q.proto != qUDP && q.proto != qTCP && q.proto != qSCTP {
		fail("illegal qualifier of '" + what + "'")
	}
	var p1, p2, realProto int
	var ok bool
	if q.addr == qPort {
		p1, realProto, ok = lookupPort(name)
		p2 = p1
		if !ok {
			fail(fmt.Sprintf("unknown port '%s'", name))
		}
	} else {
		p1, p2, realProto, ok = lookupPortRange(name)
		if !ok {
			fail(fmt.Sprintf("unknown port in range '%s'", name))
		}
	}
	conflict := func(want int) {
		names := map[int]string{ipprotoTCP: "tcp", ipprotoUDP: "udp", ipprotoSCTP: "sctp"}
		if realProto != protoUndef && realProto != want {
			fail(fmt.Sprintf("port%s '%s' is %s", inRange, name, names[realProto]))
		}
		realProto = want
	}
	switch q.proto {
	case qUDP:
		conflict(ipprotoUDP)
	case qTCP:
		conflict(ipprotoTCP)
	case qSCTP:
		conflict(ipprotoSCTP)
	}
	for _, p := range []int{p1, p2} {
		if p < 0 {
			fail(fmt.Sprintf("illegal port number %d < 0", p))
		}
		if p > 65535 {
			fail(fmt.Sprintf("illegal port number %d > 65535", p))
		}
		if q.addr == qPort {
			break
		}
	}
	if q.addr == qPort {
		b := c.port(uint32(p1), realProto, q.dir, false)
		return or(c.port(uint32(p1), realProto, q.dir, true), b)
	}
	b := c.portrange(uint32(p1), uint32(p2), realProto, q.dir, false)
	return or(c.portrange(uint32(p1), uint32(p2), realProto, q.dir, true), b)
}

// lookupProto resolves a protocol name for "proto" and "protochain".
func (c *compiler) lookupProto(name string, proto uint8) uint32 {
	switch proto {
	case qDefault, qIP, qIPv6:
		v, ok := protocols[name]
		if !ok {
			fail(fmt.Sprintf("unknown ip proto '%s'", name))
		}
		return v
	case qLink:
		if v, ok := etherProtos[name]; ok {
			return v
		}
		if v, ok := llcProtos[name]; ok {
			return v
		}
		fail(fmt.Sprintf("unknown ether proto '%s'", name))
	case qISO:
		switch name {
		case "esis":
			return 0x82
		case "isis":
			return 0x83
		case "clnp":
			return 0x81
		}
		fail(fmt.Sprintf("unknown osi proto '%s'", name))
	}
	fail("unknown protocol: " + name)
	return 0
}
