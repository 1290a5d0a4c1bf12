package dump

import (
	"math/rand/v2"
	"testing"
)

// Tests of the CDP printer (cdp.go): a generator of random CDP messages
// printed by tcpdump 4.99.3 and by the printer alike.

// cdpFrame is an 802.3 frame with LLC and SNAP headers holding a CDP
// message.
func cdpFrame(m []byte) []byte {
	llc := cat([]byte{0xaa, 0xaa, 0x03, 0x00, 0x00, 0x0c, 0x20, 0x00}, m)
	return cat([]byte{0x01, 0x00, 0x0c, 0xcc, 0xcc, 0xcc, 2, 0, 0, 0, 0, 1}, be16b(uint16(len(llc))), llc)
}

func (g randGen) cdpTLV() []byte {
	typ := uint16(g.pick(0x1a))
	var v []byte
	switch typ {
	case 0x01, 0x03, 0x06, 0x09, 0x14:
		v = []byte([]string{"S1", "FastEthernet0/1", "cisco WS-C3560", ""}[g.pick(4)])
	case 0x05:
		v = []byte("Cisco IOS\nVersion 12.2\n")
	case 0x02, 0x16:
		n := g.pick(3)
		v = be32b(uint32(g.small(n)))
		for range n {
			switch g.pick(3) {
			case 0:
				v = cat(v, []byte{1, 1, 0xcc}, be16b(4), []byte{192, 0, 2, byte(g.pick(256))})
			case 1:
				v = cat(v, []byte{2, 8}, cdpIPv6Proto[:], be16b(16), v6Global[:])
			default:
				v = cat(v, []byte{byte(g.pick(4)), 2, 1, 2}, be16b(3), g.bytes(3))
			}
		}
	case 0x07:
		v = g.bytes(5 * g.pick(3))
	default:
		v = g.bytes(g.small([]int{1, 2, 3, 4}[g.pick(4)]))
	}
	if g.pick(10) == 0 {
		v = v[:g.pick(len(v)+1)]
	}
	return cat(be16b(typ), be16b(uint16(g.small(4+len(v)))), v)
}

// TestCDPRandomAgainstTCPDump prints thousands of generated CDP messages,
// whole, damaged and cut short, with tcpdump and with the printer, and
// requires the same text at each verbosity.
func TestCDPRandomAgainstTCPDump(t *testing.T) {
	g := randGen{rand.New(rand.NewPCG(0x20, 0x00))}
	frames := g.randomFrames(2000, 14+8, func() []byte {
		m := []byte{byte(1 + g.pick(2)), 180, 0x12, 0x34}
		for k := g.pick(6); k > 0; k-- {
			m = cat(m, g.cdpTLV())
		}
		return cdpFrame(g.damage(m))
	})
	// With -e, as a line without it may start with the white space that
	// tells the packets apart.
	diffWithTCPDump(t, frames, [][]string{{"-e"}, {"-e", "-v"}, {"-e", "-vv"}, {"-e", "-v", "-x"}})
}
