package dump

import (
	"encoding/binary"
	"math/rand/v2"
	"testing"

	"github.com/medina-net/medina/checksum"
)

// Tests of the routing protocols' printers (pim.go, igmp.go, eigrp.go,
// ospf6.go, ospf.go): builders, generators of random messages printed by
// tcpdump 4.99.3 and by the printers alike, and a fuzz target.

// ip6Frame wraps a payload of protocol nh in an IPv6 header and an
// Ethernet header.
func ip6Frame(nh byte, src, dst [16]byte, payload []byte) []byte {
	ip := cat([]byte{0x60, 0, 0, 0}, be16b(uint16(len(payload))), []byte{nh, 1}, src[:], dst[:])
	return cat([]byte{0x33, 0x33, 0, 0, 0, 5, 2, 0, 0, 0, 0, 1, 0x86, 0xdd}, ip, payload)
}

// sum6 sets the 16-bit checksum at off of a message carried over IPv6
// with next header nh, pseudo-header included.
func sum6(m []byte, off int, nh byte, src, dst [16]byte) []byte {
	binary.BigEndian.PutUint16(m[off:], 0)
	s := checksum.Add(checksum.Add(0, src[:]), dst[:])
	s = checksum.AddUint16(checksum.AddUint16(checksum.AddUint16(s, uint16(len(m)>>16)), uint16(len(m))), uint16(nh))
	binary.BigEndian.PutUint16(m[off:], checksum.Checksum(m, s))
	return m
}

// sum4 sets the plain Internet checksum at off.
func sum4(m []byte, off int) []byte {
	binary.BigEndian.PutUint16(m[off:], 0)
	binary.BigEndian.PutUint16(m[off:], checksum.Checksum(m, 0))
	return m
}

var (
	rtrA   = [4]byte{10, 0, 0, 1}
	mcast4 = [4]byte{224, 0, 0, 13}
	v6Rtr  = [16]byte{0xfe, 0x80, 15: 1}
	v6PIM  = [16]byte{0xff, 0x02, 15: 13}
)

// small returns a number near n, now and then a little off, for lengths
// and counts that should usually be right.
func (g randGen) small(n int) int {
	switch g.pick(8) {
	case 0:
		return g.pick(n + 3)
	case 1:
		return n + g.pick(4)
	}
	return n
}

// damage changes a few bytes of m, or cuts it, sometimes.
func (g randGen) damage(m []byte) []byte {
	switch g.pick(6) {
	case 0:
		for k := 1 + g.pick(3); k > 0 && len(m) > 0; k-- {
			m[g.pick(len(m))] = byte(g.rng.Uint32())
		}
	case 1:
		m = m[:g.pick(len(m)+1)]
	}
	return m
}

// PIM.

func (g randGen) pimAddr(kind pimAddrKind, rfc2117 int) []byte {
	v6 := g.pick(3) == 0
	n := 4
	if v6 {
		n = 16
	}
	a := g.bytes(n)
	if g.pick(2) == 0 {
		a = make([]byte, n)
		a[0] = 10
		a[n-1] = byte(g.pick(4))
	}
	var hdr []byte
	if rfc2117 == 0 {
		fam := byte(1)
		if v6 {
			fam = 2
		}
		if g.pick(20) == 0 {
			fam = byte(g.pick(4))
		}
		hdr = []byte{fam, 0}
		if g.pick(20) == 0 {
			hdr[1] = 1
		}
	}
	if kind == pimUnicast {
		return cat(hdr, a)
	}
	flags := byte(0)
	if g.pick(3) == 0 {
		flags = byte(g.rng.Uint32())
	}
	mask := byte(n * 8)
	if g.pick(3) == 0 {
		mask = byte(g.pick(129))
	}
	return cat(hdr, []byte{flags, mask}, a)
}

func (g randGen) pim2Body(typ byte, enc int) []byte {
	a := g.pimAddr
	switch typ {
	case pim2Hello:
		var o []byte
		for k := g.pick(5); k > 0; k-- {
			t := []uint16{1, 2, 18, 19, 20, 21, 22, 24, 65001, 99}[g.pick(10)]
			var v []byte
			switch t {
			case 1:
				v = g.bytes(g.small(2))
			case 24, 65001:
				v = cat(a(pimUnicast, enc), a(pimUnicast, enc))
			case 22:
				v = nil
			default:
				v = g.bytes(g.small(4))
			}
			if t == 18 && g.pick(2) == 0 {
				v = nil
			}
			o = cat(o, be16b(t), be16b(uint16(g.small(len(v)))), v)
		}
		return o
	case pim2Register:
		var inner []byte
		switch g.pick(4) {
		case 0:
			inner = ipFrame(17, hostA, mcast4, cat(be16b(40000), be16b(40001), g.bytes(8)), false)[14:] // ports no printer claims
		case 1:
			inner = ip6Frame(59, v6Rtr, v6PIM, nil)[14:]
		case 2:
			inner = cat([]byte{0}, g.bytes(19))
		default:
			// Not an IP header: a version 4 header cut inside its
			// options is ip.go's business, not PIM's.
			inner = g.bytes(g.pick(24))
			if len(inner) > 0 && (inner[0]>>4 == 4 || inner[0]>>4 == 6) {
				inner[0] = 0x50
			}
		}
		return cat(be32b(uint32(g.pick(4))<<30), inner)
	case pim2RegisterStop:
		return cat(a(pimGroup, enc), a(pimUnicast, enc))
	case pim2JoinPrune, pim2Graft, pim2GraftAck:
		ng := g.pick(3)
		m := cat(a(pimUnicast, enc), []byte{0, byte(g.small(ng))}, be16b([]uint16{210, 0xffff, 3600}[g.pick(3)]))
		for range ng {
			nj, np := g.pick(3), g.pick(3)
			m = cat(m, a(pimGroup, enc), be16b(uint16(g.small(nj))), be16b(uint16(g.small(np))))
			for range nj + np {
				m = cat(m, a(pimSource, enc))
			}
		}
		return m
	case pim2Bootstrap:
		m := cat(be16b(uint16(g.rng.Uint32())), []byte{30, byte(g.pick(256))}, a(pimUnicast, enc))
		for k := g.pick(3); k > 0; k-- {
			n := g.pick(3)
			m = cat(m, a(pimGroup, enc), []byte{byte(n), byte(g.small(n)), 0, 0})
			for range n {
				m = cat(m, a(pimUnicast, enc), be16b(150), []byte{byte(g.pick(256)), 0})
			}
		}
		return m
	case pim2Assert:
		return cat(a(pimGroup, enc), a(pimUnicast, enc), be32b(g.rng.Uint32()), be32b(g.rng.Uint32()))
	case pim2CandidateRP:
		n := g.pick(3)
		m := cat([]byte{byte(g.small(n)), byte(g.pick(256))}, be16b(150), a(pimUnicast, enc))
		for range n {
			m = cat(m, a(pimGroup, enc))
		}
		return m
	case pim2PruneRefresh:
		return cat(a(pimUnicast, enc), a(pimGroup, enc), a(pimUnicast, enc), be16b(210))
	case pim2DFElection:
		return cat(a(pimUnicast, enc), be32b(g.rng.Uint32()), be32b(7), a(pimUnicast, enc), be32b(1), be32b(2), be16b(20))
	}
	return g.bytes(g.pick(12))
}

// pimMsg returns a PIM message over IPv4 (or, v6, IPv6) in a frame.
func (g randGen) pimMsg(v6 bool) []byte {
	typ := byte(g.pick(13))
	enc := 0
	if g.pick(5) == 0 {
		enc = []int{4, 16, 3}[g.pick(3)]
	}
	rsv := byte(enc)
	if typ == pim2DFElection {
		rsv |= byte(g.pick(6)) << 4
	}
	ver := byte(2)
	if g.pick(15) == 0 {
		ver = byte(g.pick(4))
	}
	m := cat([]byte{ver<<4 | typ, rsv, 0, 0}, g.pim2Body(typ, enc))
	if g.pick(5) != 0 {
		// A register's checksum may cover its header only.
		end := len(m)
		if typ == pim2Register && end >= 8 && g.pick(2) == 0 {
			end = 8
		}
		if v6 {
			sum6(m[:end], 2, 103, v6Rtr, v6PIM)
		} else {
			sum4(m[:end], 2)
		}
	} else if g.pick(2) == 0 {
		m[2], m[3] = byte(g.rng.Uint32()), 1
	}
	if typ == pim2Register && len(m) > 8 {
		// The encapsulated datagram is other printers' business.
		m = cat(g.damage(m[:8]), m[8:])
	} else {
		m = g.damage(m)
	}
	if v6 {
		return ip6Frame(103, v6Rtr, v6PIM, m)
	}
	return ipFrame(103, rtrA, mcast4, m, false)
}

// igmpMsg returns an IGMP message, PIMv1 among them, in an IPv4 frame.
func (g randGen) igmpMsg() []byte {
	typ := []byte{0x11, 0x12, 0x16, 0x17, 0x22, 0x14, 0x1e, 0x1f, 0x30, 0x13}[g.pick(10)]
	var m []byte
	switch typ {
	case 0x13:
		code := byte(1 + g.pick(10))
		m = []byte{typ, code, 0, 0, 0, 0, byte(g.pick(4)), byte(g.pick(4))}
		switch code {
		case dvmrpReport:
			for k := 1 + g.pick(2); k > 0; k-- {
				mask := [][]byte{{0, 0, 0}, {255, 0, 0}, {255, 255, 0}, {255, 255, 255}}[g.pick(4)]
				m = cat(m, mask)
				for j := g.pick(3); j >= 0; j-- {
					w := 1
					for _, c := range mask {
						if c != 0 {
							w++
						}
					}
					last := byte(0)
					if j == 0 {
						last = 0x80
					}
					m = cat(m, g.bytes(w), []byte{last | byte(g.pick(32))})
				}
			}
		case dvmrpNeighbors, dvmrpNeighbors2:
			for k := g.pick(3); k > 0; k-- {
				n := g.pick(3)
				hdr := []byte{10, 0, 0, 1, 1, 1, byte(g.small(n))}
				if code == dvmrpNeighbors2 {
					hdr = []byte{10, 0, 0, 1, 1, 1, byte(g.rng.Uint32()), byte(g.small(n))}
				}
				m = cat(m, hdr)
				for range n {
					m = cat(m, []byte{10, 0, 0, byte(g.pick(256))})
				}
			}
		default:
			m = cat(m, g.bytes(g.pick(20)))
		}
	case 0x14:
		sub := byte(g.pick(9))
		m = cat([]byte{typ, sub, 0, 0, 0x10 | byte(g.pick(2))<<5, 0, 0, 0}, g.bytes(4))
		switch sub {
		case pim1JoinPrune, pim1Graft, pim1GraftAck:
			ng := g.pick(3)
			m = cat(m, []byte{0, 0, 0, 0xb4, 0, 0, 0, byte(g.small(ng))})
			if g.pick(2) == 0 {
				m[8+6], m[8+7] = 0, 180
			}
			for range ng {
				nj, np := g.pick(3), g.pick(2)
				m = cat(m, []byte{224, 1, 2, 3}, be32b([]uint32{0xffffffff, 0xffffff00}[g.pick(2)]), be16b(uint16(nj)), be16b(uint16(np)))
				for range nj + np {
					m = cat(m, []byte{byte(g.pick(2)), byte(g.rng.Uint32())}, []byte{10, 0, 0, byte(g.pick(9))})
				}
			}
		default:
			m = cat(m, g.bytes(g.pick(24)))
		}
	case 0x11:
		m = cat([]byte{typ, byte(g.pick(256)), 0, 0}, []byte{224, 0, 0, byte(g.pick(2))})
		if g.pick(2) == 0 {
			n := g.pick(4)
			m = cat(m, []byte{2, byte(g.pick(256))}, be16b(uint16(g.small(n))))
			for range n {
				m = cat(m, []byte{10, 0, 0, byte(g.pick(256))})
			}
		}
	case 0x22:
		n := g.pick(3)
		m = cat([]byte{typ, 0, 0, 0, 0, 0}, be16b(uint16(g.small(n))))
		for range n {
			ns := g.pick(3)
			m = cat(m, []byte{byte(g.pick(8)), 0}, be16b(uint16(g.small(ns))), []byte{239, 1, 1, 1})
			for range ns {
				m = cat(m, []byte{10, 0, 0, byte(g.pick(256))})
			}
		}
	case 0x1e, 0x1f:
		m = cat([]byte{typ, 0, 0, 0, 224, 0, 0, 1}, []byte{10, 0, 0, 1, 10, 0, 0, 2, byte(224 + g.pick(32)), 0, 0, 1, 64, 0, 1, 2}, g.bytes(g.pick(8)))
	default:
		m = cat([]byte{typ, 0, 0, 0, 224, 0, 0, 9}, g.bytes(g.pick(4)))
	}
	if g.pick(4) != 0 {
		m = sum4(m, 2)
	}
	return ipFrame(2, rtrA, mcast4, g.damage(m), false)
}

// eigrpMsg returns an EIGRP packet over IPv4 or IPv6.
func (g randGen) eigrpMsg() []byte {
	m := cat([]byte{2, byte(g.pick(9)), 0, 0}, be32b(uint32(g.pick(16))), be32b(g.rng.Uint32()), be32b(0), be16b(0), be16b(100))
	if g.pick(20) == 0 {
		m[0] = 1
	}
	for k := g.pick(5); k > 0; k-- {
		t := []uint16{1, 2, 3, 4, 5, 0x102, 0x103, 0x202, 0x203, 0x204, 0x302, 0x402}[g.pick(12)]
		var v []byte
		switch t {
		case 1:
			v = cat([]byte{1, 0, 1, 0, 0, 0}, be16b(15))
		case 4:
			v = []byte{12, 4, 1, 2}
		case 0x102:
			bits := g.pick(34)
			v = cat([]byte{0, 0, 0, byte(g.pick(2))}, be32b(g.rng.Uint32()), be32b(g.rng.Uint32()), []byte{0, 5, 0xdc, 1, 255, 1, 0, 0, byte(bits)}, g.bytes((bits+7)/8))
		case 0x103:
			bits := g.pick(34)
			v = cat([]byte{0, 0, 0, byte(g.pick(2))}, []byte{10, 1, 1, 1}, be32b(65000), be32b(g.rng.Uint32()), be32b(20), []byte{0, 0, byte(g.pick(13)), byte(g.pick(256))}, be32b(g.rng.Uint32()), be32b(g.rng.Uint32()), []byte{0, 5, 0xdc, 1, 255, 1, 0, 0, byte(bits)}, g.bytes((bits+7)/8))
		case 0x202:
			v = g.bytes(24)
		case 0x203:
			v = g.bytes(40)
		case 0x204:
			v = g.bytes(8)
		default:
			v = g.bytes(g.pick(20))
		}
		if g.pick(6) == 0 {
			v = v[:g.pick(len(v)+1)]
		}
		m = cat(m, be16b(t), be16b(uint16(g.small(4+len(v)))), v)
	}
	m = g.damage(m)
	if g.pick(3) == 0 {
		return ip6Frame(88, v6Rtr, v6PIM, m)
	}
	return ipFrame(88, rtrA, mcast4, m, false)
}

// OSPFv3.

func (g randGen) ospf6Prefix() []byte {
	plen := []byte{0, 64, 128, 48, 96, byte(g.pick(256))}[g.pick(6)]
	words := (int(plen) + 31) / 32
	if words > 4 {
		words = 4
	}
	return cat([]byte{plen, byte(g.pick(64) * g.pick(2))}, be16b(uint16(g.pick(100))), g.bytes(words*4))
}

func (g randGen) ospf6LSA() []byte {
	typ := []uint16{0x2001, 0x2002, 0x2003, 0x4005, 0x0008, 0x2009, 0x000b, 0x000a, 0x2004, 0x8001}[g.pick(10)]
	var body []byte
	switch typ {
	case 0x2001:
		body = cat([]byte{byte(g.pick(32)), 0, 0, 0x13})
		for k := g.pick(3); k > 0; k-- {
			body = cat(body, []byte{byte([]int{1, 2, 4, 3}[g.pick(4)]), 0}, be16b(10), be32b(5), be32b(6), []byte{1, 1, 1, 1})
		}
	case 0x2002:
		body = cat(be32b(0x13))
		for k := g.pick(3); k > 0; k-- {
			body = cat(body, []byte{2, 2, 2, byte(k)})
		}
	case 0x2003:
		body = cat(be32b(10))
		for k := g.pick(3); k > 0; k-- {
			body = cat(body, g.ospf6Prefix())
		}
	case 0x4005:
		flags := uint32(g.pick(8)) << 24
		pf := g.ospf6Prefix()
		body = cat(be32b(flags|20), pf)
		if flags&0x02000000 != 0 {
			body = cat(body, g.bytes(16))
		}
		if flags&0x01000000 != 0 {
			body = cat(body, be32b(7))
		}
		if pf[2] != 0 {
			body = cat(body, be32b(9))
		}
	case 0x0008:
		n := g.pick(3)
		body = cat([]byte{1, 0, 0, 0x13}, v6Rtr[:], be32b(uint32(g.small(n))))
		for range n {
			body = cat(body, g.ospf6Prefix())
		}
	case 0x2009:
		n := g.pick(3)
		body = cat(be16b(uint16(g.small(n))), be16b(0x2001), be32b(0), []byte{1, 1, 1, 1})
		for range n {
			body = cat(body, g.ospf6Prefix())
		}
	case 0x000b:
		body = cat(be16b(1), be16b(4), be32b(120), be16b(2), be16b(1), []byte{1, 0, 0, 0}, be16b(3), be16b(4), []byte{10, 0, 0, 1})
		if g.pick(3) == 0 {
			body = cat(body, be16b(9), be16b(uint16(g.pick(6))), g.bytes(8))
		}
	case 0x000a:
		var link []byte
		for k := g.pick(5); k > 0; k-- {
			st := uint16([]int{1, 2, 3, 4, 5, 6, 7, 8, 9, 11, 14, 15, 16, 17, 99}[g.pick(15)])
			var v []byte
			switch st {
			case 1:
				v = []byte{byte(1 + g.pick(2))}
			case 8:
				v = g.bytes(32)
			case 15:
				v = cat([]byte{byte([]int{1, 51, 100, 9}[g.pick(4)]), byte(g.pick(12)), 0, 0}, g.bytes(32))
			case 17:
				v = cat([]byte{byte(g.pick(2)), 0, 0, 0}, g.bytes(4*g.pick(4)))
			case 11, 2:
				v = g.bytes(4 * (1 + g.pick(2)))
			case 16:
				v = g.bytes(4 * g.pick(3))
			default:
				v = g.bytes(4)
			}
			if g.pick(8) == 0 {
				v = v[:g.pick(len(v)+1)]
			}
			pad := (4 - len(v)%4) % 4
			link = cat(link, be16b(st), be16b(uint16(len(v))), v, make([]byte, pad))
		}
		body = cat(be16b(1), be16b(4), []byte{10, 9, 9, 9}, be16b(2), be16b(uint16(g.small(len(link)))), link)
	default:
		body = g.bytes(g.pick(16))
	}
	l := 20 + len(body)
	if g.pick(10) == 0 {
		l = g.pick(l + 8)
	}
	return cat(be16b(uint16(g.pick(3600))), be16b(typ), []byte{0, 0, 0, byte(g.pick(3))}, []byte{1, 1, 1, 1}, be32b(0x80000001), be16b(0), be16b(uint16(l)), body)
}

func (g randGen) ospf6Msg() []byte {
	typ := byte(1 + g.pick(6))
	var body []byte
	opts := uint32(0x13)
	if g.pick(3) == 0 {
		opts |= 0x0600 & uint32(g.pick(4)<<9)
	}
	switch typ {
	case 1:
		body = cat(be32b(5), be32b(1<<24|opts), be16b(10), be16b(40), []byte{0, 0, 0, byte(g.pick(2))}, []byte{0, 0, 0, byte(g.pick(2))})
		for k := g.pick(3); k > 0; k-- {
			body = cat(body, []byte{1, 1, 1, byte(k)})
		}
	case 2:
		body = cat(be32b(opts), be16b(1500), []byte{0, byte(g.pick(32))}, be32b(g.rng.Uint32()))
		for k := g.pick(3); k > 0; k-- {
			body = cat(body, g.ospf6LSA()[:20])
		}
	case 3:
		for k := g.pick(3); k > 0; k-- {
			body = cat(body, be16b(0), be16b(0x2001), be32b(0), []byte{2, 2, 2, 2})
		}
	case 4:
		n := g.pick(4)
		body = be32b(uint32(g.small(n)))
		for range n {
			body = cat(body, g.ospf6LSA())
		}
	case 5:
		for k := g.pick(3); k > 0; k-- {
			body = cat(body, g.ospf6LSA()[:20])
		}
	}
	m := cat([]byte{3, typ}, be16b(0), []byte{1, 1, 1, 1}, be32b(uint32(g.pick(2))), be16b(0), []byte{byte(g.pick(2)), 0}, body)
	binary.BigEndian.PutUint16(m[2:], uint16(g.small(len(m))))
	if opts&0x0200 != 0 && g.pick(2) == 0 {
		lls := cat(be16b(0xffff), be16b(uint16(g.small(12))), be16b(1), be16b(4), be32b(1))
		m = cat(m, lls)
	}
	if opts&0x0400 != 0 || g.pick(6) == 0 {
		n := 16 + 4*g.pick(6)
		m = cat(m, be16b(uint16(g.pick(3))), be16b(uint16(g.small(n))), be16b(0), be16b(1), be32b(0), be32b(7), g.bytes(n-16))
	}
	return ip6Frame(89, v6Rtr, v6PIM, g.damage(m))
}

// TestRoutingRandomAgainstTCPDump prints thousands of generated PIM,
// IGMP, EIGRP and OSPFv3 packets, whole, damaged and cut short, with
// tcpdump and with the printers, and requires the same text at each
// verbosity.
func TestRoutingRandomAgainstTCPDump(t *testing.T) {
	n := 3000
	if testing.Short() {
		n = 300
	}
	g := randGen{rand.New(rand.NewPCG(103, 89))}
	gens := []struct {
		name string
		gen  func() []byte
	}{
		{"pim", func() []byte { return g.pimMsg(false) }},
		{"pim6", func() []byte { return g.pimMsg(true) }},
		{"igmp", g.igmpMsg},
		{"eigrp", g.eigrpMsg},
		{"ospfv3", g.ospf6Msg},
		{"ospfv2", g.ospfMsg},
	}
	for _, c := range gens {
		gen := c.gen
		t.Run(c.name, func(t *testing.T) {
			frames := make([]diffFrame, 0, n)
			for range n {
				f := diffFrame{data: gen()}
				// Cut short, but not inside the IP header, which tcpdump
				// reports on a line the packets cannot be told apart by.
				if hdrs := ipHdrsLen(f.data); g.pick(6) == 0 && len(f.data) > hdrs {
					f.snap = hdrs + g.pick(len(f.data)-hdrs)
				}
				frames = append(frames, f)
			}
			diffWithTCPDump(t, frames, [][]string{nil, {"-v"}, {"-vv"}, {"-q"}, {"-vvv", "-e", "-x"}})
		})
	}
}

// ipHdrsLen is the length of a frame's Ethernet and IP headers.
func ipHdrsLen(f []byte) int {
	if f[12] == 0x86 {
		return 14 + 40
	}
	return 14 + 20
}

// Messages for the table tests.
var (
	pimHello = sum4(cat([]byte{0x20, 0, 0, 0},
		be16b(1), be16b(2), be16b(105), // hold time
		be16b(2), be16b(4), be16b(0x8000|500), be16b(2500), // LAN prune delay
		be16b(19), be16b(4), be32b(1), // DR priority
		be16b(20), be16b(4), be32b(0x1234abcd), // generation ID
		be16b(24), be16b(6), []byte{1, 0, 10, 0, 0, 9}), 2) // address list
	pimJoin6 = sum6(cat([]byte{0x23, 0, 0, 0}, []byte{2, 0}, v6Rtr[:], []byte{0, 1}, be16b(210),
		[]byte{2, 0, 0, 128}, v6PIM[:], be16b(1), be16b(1),
		[]byte{2, 0, 4, 128}, v6Global[:], []byte{2, 0, 7, 64}, v6Global[:]), 2, 103, v6Rtr, v6PIM)
	pimRegister = sum4(cat([]byte{0x21, 0, 0, 0}, be32b(0x40000000),
		ipFrame(17, hostA, mcast4, cat(be16b(40000), be16b(40001), be16b(12), be16b(0), []byte("data")), false)[14:]), 2)
	pimBootstrap = sum4(cat([]byte{0x24, 0, 0, 0}, be16b(0x1d), []byte{30, 0}, []byte{1, 0, 10, 0, 0, 1},
		[]byte{1, 0, 0, 4, 224, 0, 0, 0}, []byte{1, 1, 0, 0}, []byte{1, 0, 10, 0, 0, 2}, be16b(150), []byte{0, 0}), 2)
	igmpReport3 = sum4(cat([]byte{0x22, 0, 0, 0, 0, 0}, be16b(2),
		[]byte{4, 0}, be16b(0), []byte{239, 1, 1, 1},
		[]byte{1, 0}, be16b(2), []byte{239, 2, 2, 2}, []byte{10, 0, 0, 5, 10, 0, 0, 6}), 2)
	pimV1Query = sum4(cat([]byte{0x14, 0, 0, 0, 0x10, 0, 0, 0}, []byte{0x10, 0, 0, 0, 0, 0x69, 0, 0}), 2)
	eigrpHello = cat([]byte{2, 5, 0xee, 0x31}, be32b(0), be32b(0), be32b(0), be16b(0), be16b(100),
		be16b(1), be16b(12), []byte{1, 0, 1, 0, 0, 0}, be16b(15), be16b(4), be16b(8), []byte{12, 4, 1, 2})
	eigrpUpdate = cat([]byte{2, 1, 0, 0}, be32b(1), be32b(7), be32b(0), be16b(0), be16b(100),
		be16b(0x102), be16b(28), []byte{0, 0, 0, 0}, be32b(128000), be32b(100000), []byte{0, 5, 0xdc, 1, 255, 1, 0, 0, 24, 10, 1, 2})
	ospf6Hello = cat([]byte{3, 1}, be16b(40), []byte{1, 1, 1, 1}, be32b(0), be16b(0), []byte{0, 0},
		be32b(5), be32b(1<<24|0x13), be16b(10), be16b(40), []byte{1, 1, 1, 1}, be32b(0), []byte{2, 2, 2, 2})
	ospf6Update = cat([]byte{3, 4}, be16b(16+4+44+44), []byte{1, 1, 1, 1}, be32b(1), be16b(0), []byte{0, 0}, be32b(2),
		be16b(30), be16b(0x2001), be32b(0), []byte{1, 1, 1, 1}, be32b(0x80000003), be16b(0), be16b(40),
		[]byte{1, 0, 0, 0x13}, []byte{2, 0}, be16b(10), be32b(5), be32b(6), []byte{2, 2, 2, 2},
		be16b(30), be16b(0x0008), be32b(5), []byte{1, 1, 1, 1}, be32b(0x80000001), be16b(0), be16b(44),
		[]byte{1, 0, 0, 0x13}, v6Rtr[:], be32b(1), []byte{64, 0}, be16b(0), []byte{0x20, 0x01, 0x0d, 0xb8, 0, 1, 0, 0})
	ospf6Auth = cat([]byte{3, 1}, be16b(36), []byte{1, 1, 1, 1}, be32b(0), be16b(0), []byte{0, 0},
		be32b(5), be32b(1<<24|0x413), be16b(10), be16b(40), be32b(0), be32b(0),
		be16b(1), be16b(32), be16b(0), be16b(1), be32b(0), be32b(9), []byte("0123456789abcdef"))
)

// ospfHello2 is an OSPFv2 hello with simple password authentication and a
// neighbour.
var ospfHello2 = sum4(cat([]byte{2, 1}, be16b(48), []byte{1, 1, 1, 1}, be32b(1), be16b(0), be16b(1), []byte("secret\x00\x00"),
	[]byte{255, 255, 255, 0}, be16b(10), []byte{0x02, 1}, be32b(40), []byte{10, 0, 0, 1}, be32b(0), []byte{2, 2, 2, 2}), 12)

// routingCases are the table tests of the routing protocols' printers,
// over IPv4 and IPv6.
var routingCases = []printCase{
	{name: "pim", frames: [][]byte{
		ipFrame(103, rtrA, mcast4, pimHello, false),
		ip6Frame(103, v6Rtr, v6PIM, pimJoin6),
		ipFrame(103, rtrA, mcast4, pimRegister, false),
	}, want: "" +
		"IP 10.0.0.1 > 224.0.0.13: PIMv2, Hello, length 44\n" +
		"IP6 fe80::1 > ff02::d: PIMv2, Join / Prune, length 90\n" +
		"IP 10.0.0.1 > 224.0.0.13: PIMv2, Register, length 40\n"},
	{name: "pim-v", args: []string{"-v"}, frames: [][]byte{
		ipFrame(103, rtrA, mcast4, pimHello, false),
		ip6Frame(103, v6Rtr, v6PIM, pimJoin6),
		ipFrame(103, rtrA, mcast4, pimRegister, false),
		ipFrame(103, rtrA, mcast4, pimBootstrap, false),
	}, want: "" +
		"IP (tos 0x0, ttl 64, id 4660, offset 0, flags [none], proto PIM (103), length 64)\n" +
		"    10.0.0.1 > 224.0.0.13: PIMv2, length 44\n" +
		"\tHello, cksum 0x8a7c (correct)\n" +
		"\t  Hold Time Option (1), length 2, Value: 1m45s\n" +
		"\t  LAN Prune Delay Option (2), length 4, Value: \n" +
		"\t    T-bit=1, LAN delay 500ms, Override interval 2500ms\n" +
		"\t  DR Priority Option (19), length 4, Value: 1\n" +
		"\t  Generation ID Option (20), length 4, Value: 0x1234abcd\n" +
		"\t  Address List Option (24), length 6, Value: \n" +
		"IP6 (hlim 1, next-header PIM (103) payload length: 90) fe80::1 > ff02::d: PIMv2, length 90\n" +
		"\tJoin / Prune, cksum 0x7071 (correct), upstream-neighbor: fe80::1\n" +
		"\t  1 group(s), holdtime: 3m30s\n" +
		"\t    group #1: ff02::d, joined sources: 1, pruned sources: 1\n" +
		"\t      joined source #1: 2001:db8:1::10(S)\n" +
		"\t      pruned source #1: 2001:db8:1::10/64(SWR)\n" +
		"IP (tos 0x0, ttl 64, id 4660, offset 0, flags [none], proto PIM (103), length 60)\n" +
		"    10.0.0.1 > 224.0.0.13: PIMv2, length 40\n" +
		"\tRegister, cksum 0x8dae (correct), Flags [ Null ]\n" +
		"\tIP (tos 0x0, ttl 64, id 4660, offset 0, flags [none], proto UDP (17), length 32)\n" +
		"    10.0.0.1.40000 > 224.0.0.13.40001: UDP, length 4\n" +
		"IP (tos 0x0, ttl 64, id 4660, offset 0, flags [none], proto PIM (103), length 56)\n" +
		"    10.0.0.1 > 224.0.0.13: PIMv2, length 36\n" +
		"\tBootstrap, cksum 0xc543 (correct) tag=1d hashmlen=30 BSRprio=0 BSR=10.0.0.1 (group0: 224.0.0.0/4 RPcnt=1 FRPcnt=1 RP0=10.0.0.2,holdtime=2m30s,prio=0)\n"},
	{name: "pim-vv-truncated", args: []string{"-vv"}, snap: 14 + 20 + 20, frames: [][]byte{
		ipFrame(103, rtrA, mcast4, pimHello, false),
		ipFrame(103, rtrA, mcast4, pimBootstrap, false),
	}, want: "" +
		"IP (tos 0x0, ttl 64, id 4660, offset 0, flags [none], proto PIM (103), length 64)\n" +
		"    10.0.0.1 > 224.0.0.13: PIMv2, length 44\n" +
		"\tHello, cksum 0x8a7c (unverified)\n" +
		"\t  Hold Time Option (1), length 2, Value: 1m45s\n" +
		"\t    0x0000:  0069\n" +
		"\t  LAN Prune Delay Option (2), length 4, Value: \n" +
		"\t    T-bit=1, LAN delay 500ms, Override interval 2500ms\n" +
		"\t    0x0000:  81f4 09c4 [|pimv2]\n" +
		"IP (tos 0x0, ttl 64, id 4660, offset 0, flags [none], proto PIM (103), length 56)\n" +
		"    10.0.0.1 > 224.0.0.13: PIMv2, length 36\n" +
		"\tBootstrap, cksum 0xc543 (unverified) tag=1d hashmlen=30 BSRprio=0 BSR=10.0.0.1 (group0:  [|pimv2]\n"},
	{name: "igmp-v", args: []string{"-v"}, frames: [][]byte{
		ipFrame(2, rtrA, mcast4, igmpReport3, false),
		ipFrame(2, rtrA, mcast4, pimV1Query, false),
		ipFrame(2, rtrA, mcast4, sum4([]byte{0x16, 0, 0, 0, 239, 1, 1, 1}, 2), false),
	}, want: "" +
		"IP (tos 0x0, ttl 64, id 4660, offset 0, flags [none], proto IGMP (2), length 52)\n" +
		"    10.0.0.1 > 224.0.0.13: igmp v3 report, 2 group record(s) [gaddr 239.1.1.1 to_ex, 0 source(s)] [gaddr 239.2.2.2 is_in, 2 source(s)]\n" +
		"IP (tos 0x0, ttl 64, id 4660, offset 0, flags [none], proto IGMP (2), length 36)\n" +
		"    10.0.0.1 > 224.0.0.13: igmp pimv1 Query Sparse-mode (Hold-time 0s)\n" +
		"IP (tos 0x0, ttl 64, id 4660, offset 0, flags [none], proto IGMP (2), length 28)\n" +
		"    10.0.0.1 > 224.0.0.13: igmp v2 report 239.1.1.1\n"},
	{name: "eigrp-v", args: []string{"-v"}, frames: [][]byte{
		ipFrame(88, rtrA, mcast4, eigrpHello, false),
		ipFrame(88, rtrA, mcast4, eigrpUpdate, false),
		ip6Frame(88, v6Rtr, v6PIM, eigrpHello),
	}, want: "" +
		"IP (tos 0x0, ttl 64, id 4660, offset 0, flags [none], proto EIGRP (88), length 60)\n" +
		"    10.0.0.1 > 224.0.0.13: \n" +
		"\tEIGRP v2, opcode: Hello (5), chksum: 0xee31, Flags: [none]\n" +
		"\tseq: 0x00000000, ack: 0x00000000, VRID: 0, AS: 100, length: 20\n" +
		"\t  General Parameters TLV (0x0001), length: 12\n" +
		"\t    holdtime: 15s, k1 1, k2 0, k3 1, k4 0, k5 0\n" +
		"\t  Software Version TLV (0x0004), length: 8\n" +
		"\t    IOS version: 12.4, EIGRP version 1.2\n" +
		"IP (tos 0x0, ttl 64, id 4660, offset 0, flags [none], proto EIGRP (88), length 68)\n" +
		"    10.0.0.1 > 224.0.0.13: \n" +
		"\tEIGRP v2, opcode: Update (1), chksum: 0x0000, Flags: [Init]\n" +
		"\tseq: 0x00000007, ack: 0x00000000, VRID: 0, AS: 100, length: 28\n" +
		"\t  IP Internal routes TLV (0x0102), length: 28\n" +
		"\t    IPv4 prefix:        10.1.2.0/24, nexthop: self\n" +
		"\t      delay 1280 ms, bandwidth 100000 Kbps, mtu 1500, hop 1, reliability 255, load 1\n" +
		"IP6 (hlim 1, next-header EIGRP (88) payload length: 40) fe80::1 > ff02::d: \n" +
		"\tEIGRP v2, opcode: Hello (5), chksum: 0xee31, Flags: [none]\n" +
		"\tseq: 0x00000000, ack: 0x00000000, VRID: 0, AS: 100, length: 20\n" +
		"\t  General Parameters TLV (0x0001), length: 12\n" +
		"\t    holdtime: 15s, k1 1, k2 0, k3 1, k4 0, k5 0\n" +
		"\t  Software Version TLV (0x0004), length: 8\n" +
		"\t    IOS version: 12.4, EIGRP version 1.2\n"},
	{name: "ospf3-vv", args: []string{"-vv"}, frames: [][]byte{
		ip6Frame(89, v6Rtr, v6PIM, ospf6Hello),
		ip6Frame(89, v6Rtr, v6PIM, ospf6Update),
		ip6Frame(89, v6Rtr, v6PIM, ospf6Auth),
	}, want: "" +
		"IP6 (hlim 1, next-header OSPF (89) payload length: 40) fe80::1 > ff02::d: OSPFv3, Hello, length 40\n" +
		"\tRouter-ID 1.1.1.1, Backbone Area\n" +
		"\tOptions [V6, External, Router]\n" +
		"\t  Hello Timer 10s, Dead Timer 40s, Interface-ID 0.0.0.5, Priority 1\n" +
		"\t  Designated Router 1.1.1.1\n" +
		"\t  Neighbor List:\n" +
		"\t    2.2.2.2\n" +
		"IP6 (hlim 1, next-header OSPF (89) payload length: 116) fe80::1 > ff02::d: OSPFv3, LS-Update, length 116\n" +
		"\tRouter-ID 1.1.1.1, Area 0.0.0.1\n" +
		"\t  Advertising Router 1.1.1.1, seq 0x80000003, age 30s, length 20\n" +
		"\t    Router LSA (1), Area Local Scope, LSA-ID 0.0.0.0\n" +
		"\t      Options [V6, External, Router], RLA-Flags [ABR]\n" +
		"\t      Neighbor Network-ID 2.2.2.2\n" +
		"\t      Neighbor Interface-ID 0.0.0.6, Interface 0.0.0.5, metric 10\n" +
		"\t  Advertising Router 1.1.1.1, seq 0x80000001, age 30s, length 24\n" +
		"\t    Link LSA (8), Link Local Scope, LSA-ID 0.0.0.5\n" +
		"\t      Options [V6, External, Router]\n" +
		"\t      Priority 1, Link-local address fe80::1, Prefixes 1: [|ospf3]\n" +
		"IP6 (hlim 1, next-header OSPF (89) payload length: 68) fe80::1 > ff02::d: OSPFv3, Hello, length 68\n" +
		"\tRouter-ID 1.1.1.1, Backbone Area\n" +
		"\tOptions [V6, External, Router, Authentication Trailer]\n" +
		"\t  Hello Timer 10s, Dead Timer 40s, Interface-ID 0.0.0.5, Priority 1\n" +
		"\t  Neighbor List:\n" +
		"\tAuthentication Type HMAC, Length 32, SAID 1, CSN 0x00000000:00000009\n" +
		"\tAuthentication Data 0x0000:  3031 3233 3435 3637 3839 6162 6364 6566\n"},
	{name: "ospf2-v", args: []string{"-v"}, frames: [][]byte{
		ipFrame(89, rtrA, [4]byte{224, 0, 0, 5}, ospfHello2, false),
	}, want: "" +
		"IP (tos 0x0, ttl 64, id 4660, offset 0, flags [none], proto OSPF (89), length 68)\n" +
		"    10.0.0.1 > 224.0.0.5: OSPFv2, Hello, length 48\n" +
		"\tRouter-ID 1.1.1.1, Area 0.0.0.1, Authentication Type: simple (1)\n" +
		"\tSimple text password: secret\n" +
		"\tOptions [External]\n" +
		"\t  Hello Timer 10s, Dead Timer 40s, Mask 255.255.255.0, Priority 1\n" +
		"\t  Designated Router 10.0.0.1\n" +
		"\t  Neighbor List:\n" +
		"\t    2.2.2.2\n"},
	{name: "ospf3", frames: [][]byte{
		ip6Frame(89, v6Rtr, v6PIM, ospf6Hello),
		ipFrame(88, rtrA, mcast4, eigrpHello, false),
	}, want: "" +
		"IP6 fe80::1 > ff02::d: OSPFv3, Hello, length 40\n" +
		"IP 10.0.0.1 > 224.0.0.13: EIGRP Hello, length: 40\n"},
}

func TestRoutingPrinters(t *testing.T) { runPrintCases(t, routingCases) }

func TestRoutingCasesAgainstTCPDump(t *testing.T) { checkCasesWithTCPDump(t, routingCases) }

// TestRoutingDoesNotAllocate checks that the routing protocols and LLDP
// print without allocating once the printer's buffer has grown.
func TestRoutingDoesNotAllocate(t *testing.T) {
	checkCasesDoNotAllocate(t, routingCases, lldpCases, bootpCases)
}

// BenchmarkPIMJoinPrune6 prints a PIMv2 join/prune over IPv6 with -v.
func BenchmarkPIMJoinPrune6(b *testing.B) { benchFrame(b, ip6Frame(103, v6Rtr, v6PIM, pimJoin6), 2) }

// BenchmarkOSPF3Update prints an OSPFv3 link state update with -vv.
func BenchmarkOSPF3Update(b *testing.B) { benchFrame(b, ip6Frame(89, v6Rtr, v6PIM, ospf6Update), 2) }

// BenchmarkLLDP prints an LLDP frame with DCB TLVs with -vv.
func BenchmarkLLDP(b *testing.B) { benchFrame(b, lldpDCB, 2) }

// OSPFv2.

func (g randGen) ospfLSA() []byte {
	typ := byte([]int{1, 2, 3, 4, 5, 6, 7, 9, 10, 11, 8}[g.pick(11)])
	id := []byte{10, 0, 0, byte(g.pick(256))}
	var body []byte
	switch typ {
	case 1:
		n := g.pick(3)
		body = cat([]byte{byte(g.pick(256)), 0}, be16b(uint16(g.small(n))))
		for range n {
			ntos := g.pick(2) * g.pick(3)
			body = cat(body, []byte{10, 1, 1, 1, 255, 255, 255, 0, byte(1 + g.pick(5)), byte(ntos)}, be16b(10))
			for range ntos {
				body = cat(body, []byte{byte(g.pick(4)), 0}, be16b(20))
			}
		}
	case 2:
		body = cat([]byte{255, 255, 255, 0})
		for k := g.pick(3); k > 0; k-- {
			body = cat(body, []byte{1, 1, 1, byte(k)})
		}
	case 3, 4:
		body = cat([]byte{255, 255, 0, 0}, be32b(20))
		if g.pick(2) == 0 {
			body = cat(body, be32b(1<<24|30))
		}
	case 5, 7:
		body = []byte{255, 255, 0, 0}
		for k := 1 + g.pick(2); k > 0; k-- {
			body = cat(body, be32b(uint32(g.pick(2))<<31|uint32(g.pick(3))<<24|[]uint32{20, 0xffffff}[g.pick(2)]), be32b(uint32(g.pick(2))*0x0a000001), be32b(uint32(g.pick(2))*7))
		}
	case 6:
		for k := g.pick(3); k > 0; k-- {
			body = cat(body, be32b(uint32(g.pick(4))), []byte{1, 1, 1, 1})
		}
	case 9, 10, 11:
		ot := byte([]int{1, 3, 4, 7}[g.pick(4)])
		id = []byte{ot, 0, 0, byte(g.pick(3))}
		switch ot {
		case 4:
			body = cat(be16b(1), be16b(uint16(g.small(4))), be32b(g.rng.Uint32()&0x3ff))
			if g.pick(2) == 0 {
				body = cat(body, be16b(9), be16b(3), g.bytes(3))
			}
		case 3:
			body = cat(be16b(1), be16b(4), be32b(60), be16b(2), be16b(1), []byte{2, 0, 0, 0})
		case 1:
			body = cat(be16b(1), be16b(4), []byte{10, 9, 9, 9}, be16b(2), be16b(12), be16b(1), be16b(1), []byte{1, 0, 0, 0}, be16b(6), be16b(4), be32b(0x4cee6b28))
		default:
			body = g.bytes(g.pick(8))
		}
	default:
		body = g.bytes(g.pick(8))
	}
	l := 20 + len(body)
	if g.pick(12) == 0 {
		l = g.pick(l + 8)
	}
	return cat(be16b(uint16(g.pick(3600))), []byte{byte(g.pick(256)), typ}, id, []byte{1, 1, 1, 1}, be32b(0x80000001), be16b(0), be16b(uint16(l)), body)
}

func (g randGen) ospfMsg() []byte {
	typ := byte(1 + g.pick(6))
	opts := byte(0x02)
	if g.pick(3) == 0 {
		opts |= byte(g.rng.Uint32())
	}
	var body []byte
	switch typ {
	case 1:
		body = cat([]byte{255, 255, 255, 0}, be16b(10), []byte{opts, 1}, be32b(40), []byte{0, 0, 0, byte(g.pick(2))}, []byte{0, 0, 0, byte(g.pick(2))})
		for k := g.pick(3); k > 0; k-- {
			body = cat(body, []byte{1, 1, 1, byte(k)})
		}
	case 2:
		body = cat(be16b(uint16(g.pick(2)*1500)), []byte{opts, byte(g.pick(16))}, be32b(g.rng.Uint32()))
		for k := g.pick(3); k > 0; k-- {
			body = cat(body, g.ospfLSA()[:20])
		}
	case 3:
		for k := g.pick(3); k > 0; k-- {
			body = cat(body, be32b(uint32(1+g.pick(11))), []byte{byte(g.pick(5)), 0, 0, 1}, []byte{2, 2, 2, 2})
		}
	case 4:
		n := g.pick(4)
		body = be32b(uint32(g.small(n)))
		for range n {
			body = cat(body, g.ospfLSA())
		}
	case 5:
		for k := g.pick(3); k > 0; k-- {
			body = cat(body, g.ospfLSA()[:20])
		}
	}
	auth := uint16(g.pick(4))
	authData := []byte("secret\x00\x00")
	if auth == ospfAuthMD5 {
		authData = []byte{0, 0, 1, 16, 0, 0, 1, 2}
	}
	m := cat([]byte{2, typ}, be16b(0), []byte{1, 1, 1, 1}, be32b(uint32(g.pick(2))), be16b(0), be16b(auth), authData, body)
	binary.BigEndian.PutUint16(m[2:], uint16(g.small(len(m))))
	if opts&ospfOptL != 0 && g.pick(2) == 0 {
		m = cat(m, be16b(0xffff), be16b(uint16(g.small(3))), be16b(1), be16b(uint16(g.small(4))), be32b(uint32(g.pick(4))))
		if g.pick(2) == 0 {
			m = cat(m, be16b(2), be16b(20), be32b(9), g.bytes(16))
		}
	}
	if auth == ospfAuthMD5 {
		m = cat(m, g.bytes(16))
	}
	m = sum4(m, 12)
	return ipFrame(89, rtrA, [4]byte{224, 0, 0, 5}, g.damage(m), false)
}

// autoRPMsg returns a Cisco auto-RP message in a UDP datagram.
func (g randGen) autoRPMsg() []byte {
	n := g.pick(3)
	m := cat([]byte{[]byte{0x11, 0x12, 0x13}[g.pick(3)], byte(g.small(n))}, be16b(uint16(g.pick(2)*181)), be32b(0))
	for range n {
		k := g.pick(3)
		m = cat(m, []byte{10, 0, 0, byte(g.pick(256))}, []byte{byte(g.pick(256)), byte(g.small(k))})
		for range k {
			m = cat(m, []byte{byte(g.pick(8)), byte(g.pick(33)), 224, byte(g.pick(256)), 0, 0})
		}
	}
	return udpFrame(dgram{sport: 496, dport: 496, data: g.damage(m)})
}

// TestAutoRPRandomAgainstTCPDump prints generated Cisco auto-RP messages
// with tcpdump and with the printer, and requires the same text.
func TestAutoRPRandomAgainstTCPDump(t *testing.T) {
	g := randGen{rand.New(rand.NewPCG(496, 496))}
	diffWithTCPDump(t, g.randomFrames(1000, 14+20+8, g.autoRPMsg), [][]string{nil, {"-v"}})
}
