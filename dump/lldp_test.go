package dump

import (
	"math/rand/v2"
	"testing"
)

// Tests of the LLDP printer (lldp.go): a generator of random LLDP frames
// printed by tcpdump 4.99.3 and by the printer alike.

// lldpTLV is a TLV: 7 bits of type, 9 of length, the value.
func lldpTLV(typ int, v []byte) []byte {
	return cat(be16b(uint16(typ<<9|len(v)&0x1ff)), v)
}

// lldpFrame is an Ethernet frame holding LLDP TLVs.
func lldpFrame(tlvs ...[]byte) []byte {
	return cat([]byte{0x01, 0x80, 0xc2, 0, 0, 0x0e, 2, 0, 0, 0, 0, 1, 0x88, 0xcc}, cat(tlvs...))
}

// lldpOrg is an organisationally specific TLV's value.
func lldpOrg(oui uint32, sub byte, v ...[]byte) []byte {
	return cat([]byte{byte(oui >> 16), byte(oui >> 8), byte(oui), sub}, cat(v...))
}

// lldpText returns some text, now and then with a NUL or a byte that is
// not printable.
func (g randGen) lldpText() []byte {
	t := []byte([]string{"Gi0/1", "switch.example.net", "uplink", ""}[g.pick(4)])
	if g.pick(5) == 0 {
		t = cat(t, []byte{byte(g.rng.Uint32())}, []byte("x"))
	}
	return t
}

// lldpNetAddr is a network address as LLDP encodes it: family, address.
func (g randGen) lldpNetAddr() []byte {
	switch g.pick(5) {
	case 0:
		return cat([]byte{1}, []byte{192, 0, 2, byte(g.pick(256))})
	case 1:
		return cat([]byte{2}, v6Rtr[:])
	case 2:
		return cat([]byte{6}, []byte{2, 0, 0, 0, 0, 1})
	case 3:
		return []byte{byte(g.pick(20)), 1, 2}
	}
	return []byte{1, 10}
}

func (g randGen) lldp8021() []byte {
	sub := byte(1 + g.pick(15))
	var v []byte
	switch sub {
	case lldp8021PVID:
		v = be16b(uint16(g.pick(4096)))
	case lldp8021PPVID:
		v = cat([]byte{byte(g.pick(8))}, be16b(100))
	case lldp8021VLANName:
		name := g.lldpText()
		v = cat(be16b(10), []byte{byte(g.small(len(name)))}, name)
	case lldp8021ProtoID:
		v = cat([]byte{4}, g.bytes(4))
	case lldp8021LinkAggr:
		v = cat([]byte{byte(g.pick(4))}, be32b(7))
	case lldp8021CN:
		v = g.bytes(2)
	case lldp8021ETSConf, lldp8021ETSRecomm:
		v = g.bytes(21)
	case lldp8021PFC:
		v = g.bytes(2)
	case lldp8021AppPrio:
		v = cat([]byte{0}, g.bytes(3*g.pick(4)))
	case lldp8021EVB:
		v = g.bytes(5)
	case lldp8021CDCP:
		v = cat(g.bytes(4), g.bytes(3*g.pick(3)))
	default:
		v = g.bytes(g.pick(6))
	}
	return lldpOrg(ouiIEEE8021, sub, v)
}

func (g randGen) lldp8023() []byte {
	sub := byte(1 + g.pick(5))
	lens := []int{0, 5, 3, 5, 2, 3}
	return lldpOrg(ouiIEEE8023, sub, g.bytes(lens[sub]))
}

func (g randGen) lldpTIA() []byte {
	sub := byte(1 + g.pick(12))
	var v []byte
	switch sub {
	case lldpTIACaps:
		v = g.bytes(3)
	case lldpTIAPolicy:
		v = cat([]byte{byte(1 + g.pick(9))}, g.bytes(3))
	case lldpTIALocation:
		switch f := byte(g.pick(5)); f {
		case lldpTIALocCoord:
			v = cat([]byte{f}, g.bytes(16))
		case lldpTIALocCivic:
			var ca []byte
			for k := g.pick(3); k > 0; k-- {
				t := g.lldpText()
				ca = cat(ca, []byte{byte(g.pick(8)), byte(len(t))}, t)
			}
			v = cat([]byte{f, byte(3 + len(ca)), byte(g.pick(3)), 'U', 'S'}, ca)
		default:
			v = cat([]byte{f}, g.lldpText())
		}
	case lldpTIAPower:
		v = cat([]byte{byte(g.rng.Uint32())}, be16b(uint16([]int{150, 1023, 1024, g.pick(65536)}[g.pick(4)])))
	default:
		v = g.lldpText()
	}
	return lldpOrg(ouiTIA, sub, v)
}

func (g randGen) lldpDCBX() []byte {
	sub := byte(1 + g.pick(3))
	var v []byte
	for k := g.pick(4); k > 0; k-- {
		t := 1 + g.pick(5)
		n := []int{0, 10, 17, 6, 4 + 6*g.pick(3), g.pick(5)}[t]
		v = cat(v, lldpTLV(t, g.bytes(n)))
	}
	return lldpOrg(ouiDCBX, sub, v)
}

func (g randGen) lldpMgmt() []byte {
	a := g.lldpNetAddr()
	v := cat([]byte{byte(g.small(len(a)))}, a, []byte{byte(1 + g.pick(3))}, be32b(g.rng.Uint32()))
	if g.pick(2) == 0 {
		oid := g.lldpText()
		v = cat(v, []byte{byte(g.small(len(oid)))}, oid)
	}
	return v
}

// lldpMsg returns an LLDP frame of random TLVs, the mandatory ones first.
func (g randGen) lldpMsg() []byte {
	tlvs := [][]byte{
		lldpTLV(lldpTLVChassisID, cat([]byte{4}, []byte{2, 0, 0, 0, 0, 1})),
		lldpTLV(lldpTLVPortID, cat([]byte{5}, g.lldpText())),
		lldpTLV(lldpTLVTTL, be16b(120)),
	}
	for k := g.pick(6); k > 0; k-- {
		var t []byte
		switch g.pick(14) {
		case 0:
			sub := byte(g.pick(9))
			var v []byte
			switch sub {
			case 4:
				v = g.bytes(6)
			case 5:
				v = g.lldpNetAddr()
			default:
				v = g.lldpText()
			}
			t = lldpTLV(1+g.pick(2), cat([]byte{sub}, v))
		case 1:
			t = lldpTLV(lldpTLVPortDescr+g.pick(3), g.lldpText())
		case 2:
			t = lldpTLV(lldpTLVSysCap, g.bytes(g.small(4)))
		case 3:
			t = lldpTLV(lldpTLVMgmtAddr, g.lldpMgmt())
		case 4, 5:
			t = lldpTLV(lldpTLVPrivate, g.lldp8021())
		case 6:
			t = lldpTLV(lldpTLVPrivate, g.lldp8023())
		case 7, 8:
			t = lldpTLV(lldpTLVPrivate, g.lldpTIA())
		case 9:
			t = lldpTLV(lldpTLVPrivate, g.lldpDCBX())
		case 10:
			t = lldpTLV(lldpTLVPrivate, lldpOrg(ouiIANA, byte(g.pick(3)), []byte("https://example.com/mud")))
		case 11:
			t = lldpTLV(lldpTLVPrivate, lldpOrg(uint32(g.rng.Uint32()&0xffffff), 1, g.bytes(4)))
		case 12:
			t = lldpTLV(lldpTLVTTL, g.bytes(g.pick(3)))
		default:
			t = lldpTLV(9+g.pick(100), g.bytes(g.pick(8)))
		}
		tlvs = append(tlvs, t)
	}
	if g.pick(2) == 0 {
		tlvs = append(tlvs, lldpTLV(lldpTLVEnd, nil))
	}
	m := cat(tlvs...)
	if g.pick(4) == 0 {
		// A wrong length or type somewhere.
		m[g.pick(len(m))] = byte(g.rng.Uint32())
	}
	return lldpFrame(m)
}

// TestLLDPRandomAgainstTCPDump prints thousands of generated LLDP frames,
// whole, damaged and cut short, with tcpdump and with the printer, and
// requires the same text at each verbosity, with -e and the raw dumps.
func TestLLDPRandomAgainstTCPDump(t *testing.T) {
	g := randGen{rand.New(rand.NewPCG(0x88, 0xcc))}
	frames := g.randomFrames(3000, 14, g.lldpMsg)
	diffWithTCPDump(t, frames, [][]string{nil, {"-v"}, {"-vv"}, {"-q"}, {"-vvv", "-e", "-x"}})
}

// lldpDCB is a frame with the mandatory TLVs and the 802.1 DCB ones:
// ETS configuration and recommendation, PFC, congestion notification,
// application priority.
var lldpDCB = lldpFrame(
	lldpTLV(lldpTLVChassisID, []byte{4, 2, 0, 0, 0, 0, 1}),
	lldpTLV(lldpTLVPortID, cat([]byte{5}, []byte("eth0"))),
	lldpTLV(lldpTLVTTL, be16b(120)),
	lldpTLV(lldpTLVSysName, []byte("dcb-host")),
	lldpTLV(lldpTLVPrivate, lldpOrg(ouiIEEE8021, lldp8021ETSConf, []byte{0x83, 0x01, 0x23, 0x45, 0x67},
		[]byte{10, 20, 30, 40, 0, 0, 0, 0}, []byte{2, 2, 2, 2, 0, 0, 0, 0})),
	lldpTLV(lldpTLVPrivate, lldpOrg(ouiIEEE8021, lldp8021ETSRecomm, []byte{0, 0x01, 0x23, 0x45, 0x67},
		[]byte{50, 50, 0, 0, 0, 0, 0, 0}, []byte{2, 2, 0, 0, 0, 0, 0, 0})),
	lldpTLV(lldpTLVPrivate, lldpOrg(ouiIEEE8021, lldp8021PFC, []byte{0x88, 0x18})),
	lldpTLV(lldpTLVPrivate, lldpOrg(ouiIEEE8021, lldp8021CN, []byte{0x08, 0x08})),
	lldpTLV(lldpTLVPrivate, lldpOrg(ouiIEEE8021, lldp8021AppPrio, []byte{0}, []byte{0x61}, be16b(0x8906), []byte{0x82}, be16b(3260))),
	lldpTLV(lldpTLVMgmtAddr, cat([]byte{5, 1, 192, 0, 2, 7, 2}, be32b(3), []byte{0})),
	lldpTLV(lldpTLVEnd, nil),
)

// lldpMED is a frame with LLDP-MED and 802.3 TLVs.
var lldpMED = lldpFrame(
	lldpTLV(lldpTLVChassisID, cat([]byte{5}, []byte{1, 192, 0, 2, 1})),
	lldpTLV(lldpTLVPortID, []byte{3, 2, 0, 0, 0, 0, 1}),
	lldpTLV(lldpTLVTTL, be16b(3600)),
	lldpTLV(lldpTLVSysCap, []byte{0, 0x24, 0, 0x20}),
	lldpTLV(lldpTLVPrivate, lldpOrg(ouiIEEE8023, 1, []byte{3}, be16b(0x6c01), be16b(16))),
	lldpTLV(lldpTLVPrivate, lldpOrg(ouiIEEE8023, 4, be16b(1518))),
	lldpTLV(lldpTLVPrivate, lldpOrg(ouiTIA, lldpTIACaps, be16b(0x33), []byte{3})),
	lldpTLV(lldpTLVPrivate, lldpOrg(ouiTIA, lldpTIAPolicy, []byte{1, 0x40 | 0x01, 0x90, 0x2e})),
	lldpTLV(lldpTLVPrivate, lldpOrg(ouiTIA, lldpTIAPower, []byte{0x51}, be16b(65))),
	lldpTLV(lldpTLVPrivate, lldpOrg(ouiTIA, lldpTIALocation, []byte{lldpTIALocCivic, 11, 2, 'D', 'E', 3, 6}, []byte("Berlin"))),
	lldpTLV(lldpTLVPrivate, lldpOrg(ouiTIA, 9, []byte("Example Inc"))),
)

// lldpCases are the LLDP printer's table tests.
var lldpCases = []printCase{
	{name: "lldp", frames: [][]byte{lldpDCB, lldpMED}, want: "" +
		"LLDP, length 129: dcb-host\n" +
		"LLDP, length 110\n"},
	{name: "lldp-v", args: []string{"-v"}, frames: [][]byte{lldpDCB, lldpMED}, want: "" +
		"LLDP, length 129\n" +
		"\tChassis ID TLV (1), length 7\n" +
		"\t  Subtype MAC address (4): 02:00:00:00:00:01\n" +
		"\tPort ID TLV (2), length 5\n" +
		"\t  Subtype Interface Name (5): eth0\n" +
		"\tTime to Live TLV (3), length 2: TTL 120s\n" +
		"\tSystem Name TLV (5), length 8: dcb-host\n" +
		"\tOrganization specific TLV (127), length 25: OUI Ethernet bridged (0x0080c2)\n" +
		"\t  ETS Configuration Subtype (9)\n" +
		"\t    Willing:1, CBS:2, RES:0, Max TCs:3\n" +
		"\t    Priority Assignment Table\n" +
		"\t     Priority : 0   1   2   3   4   5   6   7\n" +
		"\t     Value    : 0   1   2   3   4   5   6   7  \n" +
		"\t    TC Bandwidth Table\n" +
		"\t     TC%   : 0   1   2   3   4   5   6   7\n" +
		"\t     Value : 10  20  30  40  0   0   0   0  \n" +
		"\t    TSA Assignment Table\n" +
		"\t     Traffic Class: 0   1   2   3   4   5   6   7\n" +
		"\t     Value        : 2   2   2   2   0   0   0   0  \n" +
		"\tOrganization specific TLV (127), length 25: OUI Ethernet bridged (0x0080c2)\n" +
		"\t  ETS Recommendation Subtype (10)\n" +
		"\t    RES: 0\n" +
		"\t    Priority Assignment Table\n" +
		"\t     Priority : 0   1   2   3   4   5   6   7\n" +
		"\t     Value    : 0   1   2   3   4   5   6   7  \n" +
		"\t    TC Bandwidth Table\n" +
		"\t     TC%   : 0   1   2   3   4   5   6   7\n" +
		"\t     Value : 50  50  0   0   0   0   0   0  \n" +
		"\t    TSA Assignment Table\n" +
		"\t     Traffic Class: 0   1   2   3   4   5   6   7\n" +
		"\t     Value        : 2   2   0   0   0   0   0   0  \n" +
		"\tOrganization specific TLV (127), length 6: OUI Ethernet bridged (0x0080c2)\n" +
		"\t  Priority Flow Control Configuration Subtype (11)\n" +
		"\t    Willing: 1, MBC: 0, RES: 0, PFC cap:8 \n" +
		"\t    PFC Enable\n" +
		"\t     Priority : 0  1  2  3  4  5  6  7\n" +
		"\t     Value    : 0  0  0  1  1  0  0  0  \n" +
		"\tOrganization specific TLV (127), length 6: OUI Ethernet bridged (0x0080c2)\n" +
		"\t  Congestion Notification Subtype (8)\n" +
		"\t    Pre-Priority CNPV Indicator\n" +
		"\t     Priority : 0  1  2  3  4  5  6  7\n" +
		"\t     Value    : 0  0  0  1  0  0  0  0  \n" +
		"\t    Pre-Priority Ready Indicator\n" +
		"\t     Priority : 0  1  2  3  4  5  6  7\n" +
		"\t     Value    : 0  0  0  1  0  0  0  0  \n" +
		"\tOrganization specific TLV (127), length 11: OUI Ethernet bridged (0x0080c2)\n" +
		"\t  Application Priority Subtype (12)\n" +
		"\t    RES: 0\n" +
		"\t    Application Priority Table\n" +
		"\t      Priority: 3, RES: 0, Sel: 1, Protocol ID: 35078\n" +
		"\t      Priority: 4, RES: 0, Sel: 2, Protocol ID: 3260\n" +
		"\tManagement Address TLV (8), length 12\n" +
		"\t  Management Address length 5, AFI IPv4 (1): 192.0.2.7\n" +
		"\t  Interface Index Interface Numbering (2): 3\n" +
		"\tEnd TLV (0), length 0\n" +
		"LLDP, length 110\n" +
		"\tChassis ID TLV (1), length 6\n" +
		"\t  Subtype Network address (5): AFI IPv4 (1): 192.0.2.1\n" +
		"\tPort ID TLV (2), length 7\n" +
		"\t  Subtype MAC address (3): 02:00:00:00:00:01\n" +
		"\tTime to Live TLV (3), length 2: TTL 3600s\n" +
		"\tSystem Capabilities TLV (7), length 4\n" +
		"\t  System  Capabilities [Bridge, Telephone] (0x0024)\n" +
		"\t  Enabled Capabilities [Telephone] (0x0020)\n" +
		"\tOrganization specific TLV (127), length 9: OUI IEEE 802.3 Private (0x00120f)\n" +
		"\t  MAC/PHY configuration/status Subtype (1)\n" +
		"\t    autonegotiation [supported, enabled] (0x03)\n" +
		"\t    PMD autoneg capability [10BASE-T hdx, 10BASE-T fdx, 100BASE-TX hdx, 100BASE-TX fdx, 1000BASE-T fdx] (0x6c01)\n" +
		"\t    MAU type 100BASETX fdx (0x0010)\n" +
		"\tOrganization specific TLV (127), length 6: OUI IEEE 802.3 Private (0x00120f)\n" +
		"\t  Max frame size Subtype (4)\n" +
		"\t    MTU size 1518\n" +
		"\tOrganization specific TLV (127), length 7: OUI ANSI/TIA (0x0012bb)\n" +
		"\t  LLDP-MED Capabilities Subtype (1)\n" +
		"\t    Media capabilities [LLDP-MED capabilities, network policy, extended power via MDI-PD, Inventory] (0x0033)\n" +
		"\t    Device type [endpoint class 3] (0x03)\n" +
		"\tOrganization specific TLV (127), length 8: OUI ANSI/TIA (0x0012bb)\n" +
		"\t  Network policy Subtype (2)\n" +
		"\t    Application type [voice] (0x01), Flags [Tagged]\n" +
		"\t    Vlan id 200, L2 priority 0, DSCP value 46\n" +
		"\tOrganization specific TLV (127), length 7: OUI ANSI/TIA (0x0012bb)\n" +
		"\t  Extended power-via-MDI Subtype (4)\n" +
		"\t    Power type [PD device], Power source [PSE - primary power source]\n" +
		"\t    Power priority [critical] (0x01), Power 6.5 Watts\n" +
		"\tOrganization specific TLV (127), length 17: OUI ANSI/TIA (0x0012bb)\n" +
		"\t  Location identification Subtype (3)\n" +
		"\t    Location data format civic address LCI (0x02)\n" +
		"\tOrganization specific TLV (127), length 15: OUI ANSI/TIA (0x0012bb)\n" +
		"\t  Inventory - manufacturer name Subtype (9)\n" +
		"\t  Manufacturer name Example Inc\n"},
	{name: "lldp-vv-e", args: []string{"-vv", "-e"}, frames: [][]byte{lldpMED}, want: "" +
		"02:00:00:00:00:01 > 01:80:c2:00:00:0e, ethertype LLDP (0x88cc), length 124: LLDP, length 110\n" +
		"\tChassis ID TLV (1), length 6\n" +
		"\t  Subtype Network address (5): AFI IPv4 (1): 192.0.2.1\n" +
		"\t  0x0000:  0501 c000 0201\n" +
		"\tPort ID TLV (2), length 7\n" +
		"\t  Subtype MAC address (3): 02:00:00:00:00:01\n" +
		"\t  0x0000:  0302 0000 0000 01\n" +
		"\tTime to Live TLV (3), length 2: TTL 3600s\n" +
		"\t  0x0000:  0e10\n" +
		"\tSystem Capabilities TLV (7), length 4\n" +
		"\t  System  Capabilities [Bridge, Telephone] (0x0024)\n" +
		"\t  Enabled Capabilities [Telephone] (0x0020)\n" +
		"\t  0x0000:  0024 0020\n" +
		"\tOrganization specific TLV (127), length 9: OUI IEEE 802.3 Private (0x00120f)\n" +
		"\t  MAC/PHY configuration/status Subtype (1)\n" +
		"\t    autonegotiation [supported, enabled] (0x03)\n" +
		"\t    PMD autoneg capability [10BASE-T hdx, 10BASE-T fdx, 100BASE-TX hdx, 100BASE-TX fdx, 1000BASE-T fdx] (0x6c01)\n" +
		"\t    MAU type 100BASETX fdx (0x0010)\n" +
		"\t  0x0000:  0012 0f01 036c 0100 10\n" +
		"\tOrganization specific TLV (127), length 6: OUI IEEE 802.3 Private (0x00120f)\n" +
		"\t  Max frame size Subtype (4)\n" +
		"\t    MTU size 1518\n" +
		"\t  0x0000:  0012 0f04 05ee\n" +
		"\tOrganization specific TLV (127), length 7: OUI ANSI/TIA (0x0012bb)\n" +
		"\t  LLDP-MED Capabilities Subtype (1)\n" +
		"\t    Media capabilities [LLDP-MED capabilities, network policy, extended power via MDI-PD, Inventory] (0x0033)\n" +
		"\t    Device type [endpoint class 3] (0x03)\n" +
		"\t  0x0000:  0012 bb01 0033 03\n" +
		"\tOrganization specific TLV (127), length 8: OUI ANSI/TIA (0x0012bb)\n" +
		"\t  Network policy Subtype (2)\n" +
		"\t    Application type [voice] (0x01), Flags [Tagged]\n" +
		"\t    Vlan id 200, L2 priority 0, DSCP value 46\n" +
		"\t  0x0000:  0012 bb02 0141 902e\n" +
		"\tOrganization specific TLV (127), length 7: OUI ANSI/TIA (0x0012bb)\n" +
		"\t  Extended power-via-MDI Subtype (4)\n" +
		"\t    Power type [PD device], Power source [PSE - primary power source]\n" +
		"\t    Power priority [critical] (0x01), Power 6.5 Watts\n" +
		"\t  0x0000:  0012 bb04 5100 41\n" +
		"\tOrganization specific TLV (127), length 17: OUI ANSI/TIA (0x0012bb)\n" +
		"\t  Location identification Subtype (3)\n" +
		"\t    Location data format civic address LCI (0x02)\n" +
		"\t  0x0000:  0012 bb03 020b 0244 4503 0642 6572 6c69\n" +
		"\t  0x0010:  6e\n" +
		"\tOrganization specific TLV (127), length 15: OUI ANSI/TIA (0x0012bb)\n" +
		"\t  Inventory - manufacturer name Subtype (9)\n" +
		"\t  Manufacturer name Example Inc\n" +
		"\t  0x0000:  0012 bb09 4578 616d 706c 6520 496e 63\n"},
	{name: "lldp-truncated", args: []string{"-v"}, snap: 14 + 9 + 9 + 4 + 10 + 20, frames: [][]byte{lldpDCB}, want: "" +
		"LLDP, length 129\n" +
		"\tChassis ID TLV (1), length 7\n" +
		"\t  Subtype MAC address (4): 02:00:00:00:00:01\n" +
		"\tPort ID TLV (2), length 5\n" +
		"\t  Subtype Interface Name (5): eth0\n" +
		"\tTime to Live TLV (3), length 2: TTL 120s\n" +
		"\tSystem Name TLV (5), length 8: dcb-host\n" +
		"\tOrganization specific TLV (127), length 25 [|lldp]\n"},
}

func TestLLDPPrinter(t *testing.T) { runPrintCases(t, lldpCases) }

func TestLLDPCasesAgainstTCPDump(t *testing.T) { checkCasesWithTCPDump(t, lldpCases) }
