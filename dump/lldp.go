package dump

import (
	"strconv"

	"github.com/medina-net/medina/ethernet"
	"github.com/medina-net/medina/ipv4"
)

// LLDP (IEEE 802.1AB), EtherType 0x88cc, with the organisationally
// specific TLVs of IEEE 802.1 (DCB among them: ETS, PFC, congestion
// notification, application priority), IEEE 802.3, TIA (LLDP-MED), IANA
// (MUD URL) and the pre-standard DCBX, as tcpdump's print-lldp.c prints
// them.
//
// Every TLV is checked to have been captured whole before it is
// decoded, and its decoders check their lengths against the TLV's, so
// they work on the TLV's value alone.

const (
	etherTypeLLDP = 0x88cc

	lldpTLVEnd       = 0
	lldpTLVChassisID = 1
	lldpTLVPortID    = 2
	lldpTLVTTL       = 3
	lldpTLVPortDescr = 4
	lldpTLVSysName   = 5
	lldpTLVSysDescr  = 6
	lldpTLVSysCap    = 7
	lldpTLVMgmtAddr  = 8
	lldpTLVPrivate   = 127

	// Organisationally unique identifiers of the private TLVs.
	ouiIEEE8021 = 0x0080c2
	ouiIEEE8023 = 0x00120f
	ouiIANA     = 0x00005e
	ouiTIA      = 0x0012bb
	ouiDCBX     = 0x001b21

	lldpIntfNumLen = 5
)

var lldpTLVNames = []tok{
	{lldpTLVEnd, "End"}, {lldpTLVChassisID, "Chassis ID"}, {lldpTLVPortID, "Port ID"},
	{lldpTLVTTL, "Time to Live"}, {lldpTLVPortDescr, "Port Description"},
	{lldpTLVSysName, "System Name"}, {lldpTLVSysDescr, "System Description"},
	{lldpTLVSysCap, "System Capabilities"}, {lldpTLVMgmtAddr, "Management Address"},
	{lldpTLVPrivate, "Organization specific"},
}

var lldpChassisSubtypes = []tok{
	{1, "Chassis component"}, {2, "Interface alias"}, {3, "Port component"}, {4, "MAC address"},
	{5, "Network address"}, {6, "Interface name"}, {7, "Local"},
}

var lldpPortSubtypes = []tok{
	{1, "Interface alias"}, {2, "Port component"}, {3, "MAC address"}, {4, "Network Address"},
	{5, "Interface Name"}, {6, "Agent circuit ID"}, {7, "Local"},
}

var lldpCaps = []tok{
	{1 << 0, "Other"}, {1 << 1, "Repeater"}, {1 << 2, "Bridge"}, {1 << 3, "WLAN AP"},
	{1 << 4, "Router"}, {1 << 5, "Telephone"}, {1 << 6, "Docsis"}, {1 << 7, "Station Only"},
}

// IEEE 802.1 subtypes.
const (
	lldp8021PVID      = 1
	lldp8021PPVID     = 2
	lldp8021VLANName  = 3
	lldp8021ProtoID   = 4
	lldp8021LinkAggr  = 7
	lldp8021CN        = 8
	lldp8021ETSConf   = 9
	lldp8021ETSRecomm = 10
	lldp8021PFC       = 11
	lldp8021AppPrio   = 12
	lldp8021EVB       = 13
	lldp8021CDCP      = 14
)

var lldp8021Subtypes = []tok{
	{lldp8021PVID, "Port VLAN Id"}, {lldp8021PPVID, "Port and Protocol VLAN ID"},
	{lldp8021VLANName, "VLAN name"}, {lldp8021ProtoID, "Protocol Identity"},
	{lldp8021LinkAggr, "Link aggregation"}, {lldp8021CN, "Congestion Notification"},
	{lldp8021ETSConf, "ETS Configuration"}, {lldp8021ETSRecomm, "ETS Recommendation"},
	{lldp8021PFC, "Priority Flow Control Configuration"}, {lldp8021AppPrio, "Application Priority"},
	{lldp8021EVB, "EVB"}, {lldp8021CDCP, "CDCP"},
}

var lldp8021PPVIDFlags = []tok{{1 << 1, "supported"}, {1 << 2, "enabled"}}

var lldp8023Subtypes = []tok{
	{1, "MAC/PHY configuration/status"}, {2, "Power via MDI"}, {3, "Link aggregation"},
	{4, "Max frame size"},
}

// TIA (LLDP-MED) subtypes.
const (
	lldpTIACaps      = 1
	lldpTIAPolicy    = 2
	lldpTIALocation  = 3
	lldpTIAPower     = 4
	lldpTIAHWRev     = 5
	lldpTIAAssetID   = 11
	lldpTIALocCoord  = 1
	lldpTIALocCivic  = 2
	lldpTIALocELIN   = 3
	lldpTIAPowerMax  = 1024
	lldpEVBMinLen    = 9
	lldpCDCPMinLen   = 8
	lldpETSLen       = 25
	lldpCNLen        = 6
	lldpPFCLen       = 6
	lldpAppPrioMinLn = 5
)

var lldpTIASubtypes = []tok{
	{lldpTIACaps, "LLDP-MED Capabilities"}, {lldpTIAPolicy, "Network policy"},
	{lldpTIALocation, "Location identification"}, {lldpTIAPower, "Extended power-via-MDI"},
	{5, "Inventory - hardware revision"}, {6, "Inventory - firmware revision"},
	{7, "Inventory - software revision"}, {8, "Inventory - serial number"},
	{9, "Inventory - manufacturer name"}, {10, "Inventory - model name"},
	{11, "Inventory - asset ID"},
}

var lldpTIAAltitudeTypes = []tok{{1, "meters"}, {2, "floors"}}

var lldpTIACATypes = []tok{
	{1, "national subdivisions (state,canton,region,province,prefecture)"},
	{2, "county, parish, gun, district"}, {3, "city, township, shi"},
	{4, "city division, borough, city district, ward chou"}, {5, "neighborhood, block"},
	{6, "street"},
}

var lldpTIALCIWhat = []tok{
	{0, "location of DHCP server"},
	{1, "location of the network element believed to be closest to the client"},
	{2, "location of the client"},
}

var lldpMAUTypes = []tok{
	{0, "Unknown"}, {1, "AUI"}, {2, "10BASE_5"}, {3, "FOIRL"}, {4, "10BASE2"},
	{5, "10BASET duplex mode unknown"}, {6, "10BASEFP"}, {7, "10BASEFB"},
	{8, "10BASEFL duplex mode unknown"}, {9, "10BROAD36"}, {10, "10BASET hdx"},
	{11, "10BASET fdx"}, {12, "10BASEFL hdx"}, {13, "10BASEFL fdx"}, {14, "100BASET4"},
	{15, "100BASETX hdx"}, {16, "100BASETX fdx"}, {17, "100BASEFX hdx"}, {18, "100BASEFX fdx"},
	{19, "100BASET2 hdx"}, {20, "100BASET2 fdx"}, {21, "1000BASEX hdx"}, {22, "1000BASEX fdx"},
	{23, "1000BASELX hdx"}, {24, "1000BASELX fdx"}, {25, "1000BASESX hdx"},
	{26, "1000BASESX fdx"}, {27, "1000BASECX hdx"}, {28, "1000BASECX fdx"},
	{29, "1000BASET hdx"}, {30, "1000BASET fdx"}, {31, "10GBASEX"}, {32, "10GBASELX4"},
	{33, "10GBASER"}, {34, "10GBASEER"}, {35, "10GBASELR"}, {36, "10GBASESR"},
	{37, "10GBASEW"}, {38, "10GBASEEW"}, {39, "10GBASELW"}, {40, "10GBASESW"},
}

var lldp8023Autoneg = []tok{{1 << 0, "supported"}, {1 << 1, "enabled"}}

var lldpTIACapabilities = []tok{
	{1 << 0, "LLDP-MED capabilities"}, {1 << 1, "network policy"},
	{1 << 2, "location identification"}, {1 << 3, "extended power via MDI-PSE"},
	{1 << 4, "extended power via MDI-PD"}, {1 << 5, "Inventory"},
}

var lldpTIADeviceTypes = []tok{
	{1, "endpoint class 1"}, {2, "endpoint class 2"}, {3, "endpoint class 3"},
	{4, "network connectivity"},
}

var lldpTIAAppTypes = []tok{
	{1, "voice"}, {2, "voice signaling"}, {3, "guest voice"}, {4, "guest voice signaling"},
	{5, "softphone voice"}, {6, "video conferencing"}, {7, "streaming video"},
	{8, "video signaling"},
}

var lldpTIAPolicyBits = []tok{{1 << 7, "Unknown"}, {1 << 6, "Tagged"}, {1 << 5, "reserved"}}

var lldpTIALocFormats = []tok{
	{lldpTIALocCoord, "coordinate-based LCI"}, {lldpTIALocCivic, "civic address LCI"},
	{lldpTIALocELIN, "ECS ELIN"},
}

var lldpTIADatums = []tok{
	{1, "World Geodesic System 1984"}, {2, "North American Datum 1983 (NAVD88)"},
	{3, "North American Datum 1983 (MLLW)"},
}

var lldpTIAPowerSources = []tok{
	{1, "PSE - primary power source"}, {2, "local - backup power source"},
	{3, "PSE+local - reserved"},
}

var lldpTIAPowerPrios = []tok{{1, "critical"}, {2, "high"}, {3, "low"}}

var lldpTIAInventory = []tok{
	{5, "Hardware revision"}, {6, "Firmware revision"}, {7, "Software revision"},
	{8, "Serial number"}, {9, "Manufacturer name"}, {10, "Model name"}, {11, "Asset ID"},
}

var lldpPMDCaps = []tok{
	{1 << 14, "10BASE-T hdx"}, {1 << 13, "10BASE-T fdx"}, {1 << 12, "100BASE-T4"},
	{1 << 11, "100BASE-TX hdx"}, {1 << 10, "100BASE-TX fdx"}, {1 << 9, "100BASE-T2 hdx"},
	{1 << 8, "100BASE-T2 fdx"}, {1 << 7, "Pause for fdx links"}, {1 << 6, "Asym PAUSE for fdx"},
	{1 << 5, "Sym PAUSE for fdx"}, {1 << 4, "Asym and Sym PAUSE for fdx"},
	{1 << 3, "1000BASE-{X LX SX CX} hdx"}, {1 << 2, "1000BASE-{X LX SX CX} fdx"},
	{1 << 1, "1000BASE-T hdx"}, {1 << 0, "1000BASE-T fdx"},
}

var lldpMDIFlags = []tok{
	{1 << 0, "PSE"}, {1 << 1, "supported"}, {1 << 2, "enabled"}, {1 << 3, "can be controlled"},
}

var lldpMDIPowerPairs = []tok{{1, "signal"}, {2, "spare"}}

var lldpMDIPowerClasses = []tok{{1, "class0"}, {2, "class1"}, {3, "class2"}, {4, "class3"}, {5, "class4"}}

var lldpAggregation = []tok{{1 << 0, "supported"}, {1 << 1, "enabled"}}

var lldpDCBXSubtypes = []tok{
	{1, "DCB Capability Exchange Protocol Rev 1"},
	{2, "DCB Capability Exchange Protocol Rev 1.01"},
}

var lldpIntfNumbering = []tok{{2, "Interface Index"}, {3, "System Port Number"}}

var lldpEVBModes = []tok{
	{0, "Not Supported"}, {1, "EVB Bridge"}, {2, "EVB Station"},
	{3, "Reserved for future Standardization"},
}

var lldpIANASubtypes = []tok{{1, "MUD-URL"}}

// afNames is tcpdump's af_values: the address families of IANA's
// registry.
var afNames = []tok{
	{0, "Reserved"}, {1, "IPv4"}, {2, "IPv6"}, {3, "NSAP"}, {4, "HDLC"}, {5, "BBN 1822"}, {6, "802"},
	{7, "E.163"}, {8, "E.164"}, {9, "F.69"}, {10, "X.121"}, {11, "Novell IPX"},
	{12, "Appletalk"}, {13, "Decnet IV"}, {14, "Banyan Vines"},
	{15, "E.164 with NSAP subaddress"}, {196, "Layer-2 VPN"}, {25, "VPLS"},
}

// lldpHdr splits a TLV header into its 7-bit type and 9-bit length.
func lldpHdr(h uint16) (typ, length int) { return int(h >> 9), int(h & 0x01ff) }

// lldp prints an LLDP frame's TLVs (tcpdump's lldp_print).
func (p *Printer) lldp(b []byte, length int) {
	p.proto = "lldp"
	v1 := p.opt.Verbose > 0
	p.s("LLDP, length ")
	p.u(uint64(length))
	off, tlen := 0, length
	for tlen >= 2 {
		if off+2 > len(b) {
			p.s(" [|lldp]")
			return
		}
		typ, tlvLen := lldpHdr(be16(b[off:]))
		tlen -= 2
		off += 2
		if v1 {
			p.s("\n\t")
			p.tok2str(lldpTLVNames, "Unknown", uint32(typ))
			p.s(" TLV (")
			p.u(uint64(typ))
			p.s("), length ")
			p.u(uint64(tlvLen))
		}
		if typ == 0 || tlvLen == 0 { // the end, and against an endless loop
			break
		}
		if off+tlvLen > len(b) || tlen < tlvLen {
			p.s(" [|lldp]")
			return
		}
		v := b[off : off+tlvLen]
		hexdump, ok := p.lldpTLV(typ, v)
		if !ok {
			p.s(" [|lldp]")
			return
		}
		if p.opt.Verbose > 1 || (v1 && hexdump) {
			p.hexPrint("\n\t  ", v)
		}
		tlen -= tlvLen
		off += tlvLen
	}
}

// lldpTLV prints the value v of a TLV of type typ; it reports whether a
// hex dump should follow with -v, and false in ok where tcpdump stops the
// packet with " [|lldp]".
func (p *Printer) lldpTLV(typ int, v []byte) (hexdump, ok bool) {
	v1 := p.opt.Verbose > 0
	switch typ {
	case lldpTLVChassisID, lldpTLVPortID:
		if !v1 {
			return false, true
		}
		if len(v) < 2 {
			return false, false
		}
		sub := v[0]
		names, mac, netAddr := lldpChassisSubtypes, uint8(4), uint8(5)
		if typ == lldpTLVPortID {
			names, mac, netAddr = lldpPortSubtypes, 3, 4
		}
		p.s("\n\t  Subtype ")
		p.tok2str(names, "Unknown", uint32(sub))
		p.s(" (")
		p.u(uint64(sub))
		p.s("): ")
		switch {
		case sub == mac:
			if len(v) < 1+6 {
				return false, false
			}
			p.out = ethernet.Addr(v[1:7]).AppendTo(p.out)
		case sub == netAddr:
			if !p.lldpNetAddr(v[1:]) {
				return false, false
			}
		case sub >= 1 && sub <= 7:
			p.printNUL(v[1:])
		default:
			return true, true
		}
	case lldpTLVTTL:
		if v1 {
			if len(v) < 2 {
				return false, false
			}
			p.s(": TTL ")
			p.u(uint64(be16(v)))
			p.c('s')
		}
	case lldpTLVPortDescr:
		if v1 {
			p.s(": ")
			p.printNUL(v)
		}
	case lldpTLVSysName:
		// Printed without -v as well, as CDP's name is.
		p.s(": ")
		p.printNUL(v)
	case lldpTLVSysDescr:
		if v1 {
			p.s("\n\t  ")
			p.printNUL(v)
		}
	case lldpTLVSysCap:
		if v1 {
			// IEEE Std 802.1AB-2009 puts a chassis ID subtype first;
			// tcpdump reads the capabilities from the start.
			if len(v) < 4 {
				return false, false
			}
			for i, label := range [...]string{"\n\t  System  Capabilities [", "\n\t  Enabled Capabilities ["} {
				c := be16(v[2*i:])
				p.s(label)
				p.bittok2str(lldpCaps, "none", uint32(c), ", ")
				p.s("] (0x")
				p.xw(uint64(c), 4)
				p.c(')')
			}
		}
	case lldpTLVMgmtAddr:
		if v1 && !p.lldpMgmtAddr(v) {
			return false, false
		}
	case lldpTLVPrivate:
		if !v1 {
			return false, true
		}
		if len(v) < 3 {
			return false, false
		}
		oui := uint32(v[0])<<16 | uint32(v[1])<<8 | uint32(v[2])
		p.s(": OUI ")
		p.tok2str(ouiNames, "Unknown", oui)
		p.s(" (0x")
		p.xw(uint64(oui), 6)
		p.c(')')
		switch oui {
		case ouiIEEE8021:
			return p.lldp8021(v), true
		case ouiIEEE8023:
			return p.lldp8023(v), true
		case ouiIANA:
			return p.lldpIANA(v), true
		case ouiTIA:
			return p.lldpTIA(v), true
		case ouiDCBX:
			return p.lldpDCBX(v), true
		default:
			return true, true
		}
	default:
		return true, true
	}
	return false, true
}

// lldpSubtype prints the subtype of an organisationally specific TLV,
// its fourth byte, and returns it.
func (p *Printer) lldpSubtype(v []byte, names []tok) uint8 {
	sub := v[3]
	p.s("\n\t  ")
	p.tok2str(names, "unknown", uint32(sub))
	p.s(" Subtype (")
	p.u(uint64(sub))
	p.c(')')
	return sub
}

// lldpLeft prints v in decimal, left-justified in width columns (%-Nd).
func (p *Printer) lldpLeft(v uint64, width int) {
	start := len(p.out)
	p.u(v)
	for len(p.out)-start < width {
		p.c(' ')
	}
}

// lldpField is a bit field of a byte, printed after its label: the byte
// shifted right by shift, masked with mask.
type lldpField struct {
	label       string
	shift, mask uint8
}

// The bit fields of the 802.1 TLVs, in the order tcpdump prints them.
var (
	// tcpdump's CBS is (t >> 6) & 0x02: the willing bit again, as 0 or
	// 2, not the credit-based shaper bit.
	lldpETSFields = []lldpField{
		{"\n\t    Willing:", 7, 0x01}, {", CBS:", 6, 0x02}, {", RES:", 3, 0x07}, {", Max TCs:", 0, 0x07},
	}
	lldpPFCFields = []lldpField{
		{"\n\t    Willing: ", 7, 0x01}, {", MBC: ", 6, 0x01}, {", RES: ", 4, 0x03}, {", PFC cap:", 0, 0x0f},
	}
	lldpAppPrioFields = []lldpField{
		{"\n\t      Priority: ", 5, 0x07}, {", RES: ", 3, 0x03}, {", Sel: ", 0, 0x07},
	}
	lldpEVBBridgeFields = []lldpField{
		{"\n\t    EVB Bridge Status\n\t      RES: ", 3, 0x1f}, {", BGID: ", 2, 1}, {", RRCAP: ", 1, 1}, {", RRCTR: ", 0, 1},
	}
	lldpEVBStationFields = []lldpField{
		{"\n\t    EVB Station Status\n\t      RES: ", 4, 0x0f}, {", SGID: ", 3, 1}, {", RRREQ: ", 2, 1}, {",RRSTAT: ", 0, 0x03},
	}
	lldpEVBRTEFields   = []lldpField{{"\n\t    R: ", 5, 0x07}, {", RTE: ", 0, 0x1f}}
	lldpEVBRWDFields   = []lldpField{{"\n\t    ROL: ", 5, 1}, {", RWD: ", 0, 0x1f}}
	lldpEVBRKAFields   = []lldpField{{", RES: ", 6, 0x03}, {", ROL: ", 5, 1}, {", RKA: ", 0, 0x1f}}
	lldpDCBXInfoFields = []lldpField{{"): Enable bit: ", 7, 1}, {", Willing bit: ", 6, 1}, {", Error Bit: ", 5, 1}}
	lldpCDCPFields     = []lldpField{{"\n\t    Role: ", 7, 0x01}, {", RES: ", 4, 0x07}, {", Scomp: ", 3, 0x01}}
)

// lldpFields prints the bit fields of the byte t.
func (p *Printer) lldpFields(t uint8, fields []lldpField) {
	for _, f := range fields {
		p.s(f.label)
		p.u(uint64(t >> f.shift & f.mask))
	}
}

// lldpBits prints the eight bits of v, the lowest first, as the 802.1
// priority tables show them.
func (p *Printer) lldpBits(title string, v uint8) {
	p.s(title)
	p.s("\n\t     Priority : 0  1  2  3  4  5  6  7\n\t     Value    : ")
	for i := range 8 {
		p.lldpLeft(uint64(v>>i&1), 2)
		p.c(' ')
	}
}

// lldpETSTables prints the priority assignment, TC bandwidth and TSA
// assignment tables of an ETS TLV, from its fifth byte on.
func (p *Printer) lldpETSTables(v []byte) {
	p.s("\n\t    Priority Assignment Table\n\t     Priority : 0   1   2   3   4   5   6   7\n\t     Value    : ")
	for i, c := range v[5:9] {
		if i > 0 {
			p.c(' ')
		}
		p.lldpLeft(uint64(c>>4), 3)
		p.c(' ')
		p.lldpLeft(uint64(c&0x0f), 3)
	}
	p.s("\n\t    TC Bandwidth Table\n\t     TC%   : 0   1   2   3   4   5   6   7\n\t     Value : ")
	p.lldpRow(v[9:17])
	p.s("\n\t    TSA Assignment Table\n\t     Traffic Class: 0   1   2   3   4   5   6   7\n\t     Value        : ")
	p.lldpRow(v[17:25])
}

// lldpRow prints eight bytes as "%-3d" separated by spaces.
func (p *Printer) lldpRow(r []byte) {
	for i, c := range r {
		if i > 0 {
			p.c(' ')
		}
		p.lldpLeft(uint64(c), 3)
	}
}

// lldp8021 prints an IEEE 802.1 TLV and reports whether to dump it in hex
// (tcpdump's lldp_private_8021_print).
func (p *Printer) lldp8021(v []byte) bool {
	n := len(v)
	if n < 4 {
		return false
	}
	switch p.lldpSubtype(v, lldp8021Subtypes) {
	case lldp8021PVID:
		if n < 6 {
			return false
		}
		p.s("\n\t    port vlan id (PVID): ")
		p.u(uint64(be16(v[4:])))
	case lldp8021PPVID:
		if n < 7 {
			return false
		}
		p.s("\n\t    port and protocol vlan id (PPVID): ")
		p.u(uint64(be16(v[5:])))
		p.s(", flags [")
		p.bittok2str(lldp8021PPVIDFlags, "none", uint32(v[4]), ", ")
		p.s("] (0x")
		p.xw(uint64(v[4]), 2)
		p.c(')')
	case lldp8021VLANName:
		if n < 6 {
			return false
		}
		p.s("\n\t    vlan id (VID): ")
		p.u(uint64(be16(v[4:])))
		if n < 7 {
			return false
		}
		l := int(v[6])
		if n < 7+l {
			return false
		}
		p.s("\n\t    vlan name: ")
		p.printNUL(v[7 : 7+l])
	case lldp8021ProtoID:
		if n < 5 {
			return false
		}
		l := int(v[4])
		if n < 5+l {
			return false
		}
		p.s("\n\t    protocol identity: ")
		p.printNUL(v[5 : 5+l])
	case lldp8021LinkAggr:
		if n < 9 {
			return false
		}
		p.lldpAggr(v)
	case lldp8021CN:
		if n < lldpCNLen {
			return false
		}
		p.lldpBits("\n\t    Pre-Priority CNPV Indicator", v[4])
		p.lldpBits("\n\t    Pre-Priority Ready Indicator", v[5])
	case lldp8021ETSConf:
		if n < lldpETSLen {
			return false
		}
		p.lldpFields(v[4], lldpETSFields)
		p.lldpETSTables(v)
	case lldp8021ETSRecomm:
		if n < lldpETSLen {
			return false
		}
		p.s("\n\t    RES: ")
		p.u(uint64(v[4]))
		p.lldpETSTables(v)
	case lldp8021PFC:
		if n < lldpPFCLen {
			return false
		}
		p.lldpFields(v[4], lldpPFCFields)
		p.c(' ')
		p.lldpBits("\n\t    PFC Enable", v[5])
	case lldp8021AppPrio:
		if n < lldpAppPrioMinLn {
			return false
		}
		p.s("\n\t    RES: ")
		p.u(uint64(v[4]))
		if n <= lldpAppPrioMinLn {
			return false
		}
		table := v[5:]
		if len(table)%3 != 0 {
			return false
		}
		p.s("\n\t    Application Priority Table")
		for i := 0; i < len(table); i += 3 {
			p.lldpFields(table[i], lldpAppPrioFields)
			p.s(", Protocol ID: ")
			p.u(uint64(be16(table[i+1:])))
		}
	case lldp8021EVB:
		if n < lldpEVBMinLen {
			return false
		}
		p.lldpFields(v[4], lldpEVBBridgeFields)
		p.lldpFields(v[5], lldpEVBStationFields)
		p.lldpFields(v[6], lldpEVBRTEFields)
		t := v[7]
		p.s(", EVB Mode: ")
		p.tok2str(lldpEVBModes, "unknown", uint32(t>>6))
		p.s(" [")
		p.u(uint64(t >> 6))
		p.c(']')
		p.lldpFields(t, lldpEVBRWDFields)
		p.lldpFields(v[8], lldpEVBRKAFields)
	case lldp8021CDCP:
		if n < lldpCDCPMinLen {
			return false
		}
		p.lldpFields(v[4], lldpCDCPFields)
		p.s(" ChnCap: ")
		p.u(uint64(be16(v[6:]) & 0x0fff))
		ch := v[8:]
		if len(ch)%3 != 0 {
			return false
		}
		for i := 0; i < len(ch); i += 3 {
			x := uint32(ch[i])<<16 | uint32(ch[i+1])<<8 | uint32(ch[i+2])
			p.s("\n\t    SCID: ")
			p.u(uint64(x >> 12))
			p.s(", SVID: ")
			p.u(uint64(x & 0x000fff))
		}
	default:
		return true
	}
	return false
}

// lldpAggr prints a link aggregation TLV's status and port, from its
// fifth byte.
func (p *Printer) lldpAggr(v []byte) {
	p.s("\n\t    aggregation status [")
	p.bittok2str(lldpAggregation, "none", uint32(v[4]), ", ")
	p.s("], aggregation port ID ")
	p.u(uint64(be32(v[5:])))
}

// lldp8023 prints an IEEE 802.3 TLV and reports whether to dump it in hex
// (tcpdump's lldp_private_8023_print).
func (p *Printer) lldp8023(v []byte) bool {
	n := len(v)
	if n < 4 {
		return false
	}
	switch p.lldpSubtype(v, lldp8023Subtypes) {
	case 1: // MAC/PHY configuration and status
		if n < 9 {
			return false
		}
		p.s("\n\t    autonegotiation [")
		p.bittok2str(lldp8023Autoneg, "none", uint32(v[4]), ", ")
		p.s("] (0x")
		p.xw(uint64(v[4]), 2)
		pmd := be16(v[5:])
		p.s(")\n\t    PMD autoneg capability [")
		p.bittok2str(lldpPMDCaps, "unknown", uint32(pmd), ", ")
		p.s("] (0x")
		p.xw(uint64(pmd), 4)
		mau := be16(v[7:])
		p.s(")\n\t    MAU type ")
		p.tok2str(lldpMAUTypes, "unknown", uint32(mau))
		p.s(" (0x")
		p.xw(uint64(mau), 4)
		p.c(')')
	case 2: // power via MDI
		if n < 7 {
			return false
		}
		p.s("\n\t    MDI power support [")
		p.bittok2str(lldpMDIFlags, "none", uint32(v[4]), ", ")
		p.s("], power pair ")
		p.tok2str(lldpMDIPowerPairs, "unknown", uint32(v[5]))
		p.s(", power class ")
		p.tok2str(lldpMDIPowerClasses, "unknown", uint32(v[6]))
	case 3: // link aggregation
		if n < 9 {
			return false
		}
		p.lldpAggr(v)
	case 4: // maximum frame size
		if n < 6 {
			return false
		}
		p.s("\n\t    MTU size ")
		p.u(uint64(be16(v[4:])))
	default:
		return true
	}
	return false
}

// lldpIANA prints an IANA TLV, the MUD URL (RFC 8520), and reports
// whether to dump it in hex (tcpdump's lldp_private_iana_print).
func (p *Printer) lldpIANA(v []byte) bool {
	if len(v) < 8 {
		return false
	}
	if p.lldpSubtype(v, lldpIANASubtypes) != 1 {
		return true
	}
	p.s("\n\t  MUD-URL=")
	p.printN(v[4:], len(v)-4)
	return false
}

// lldpLatLon returns the 34-bit latitude or longitude at the start of b.
func lldpLatLon(b []byte) uint64 { return uint64(b[0]&0x3)<<32 | uint64(be32(b[1:])) }

// lldpTIA prints a TIA (LLDP-MED, ANSI/TIA-1057) TLV and reports whether
// to dump it in hex (tcpdump's lldp_private_tia_print).
func (p *Printer) lldpTIA(v []byte) bool {
	n := len(v)
	if n < 4 {
		return false
	}
	sub := p.lldpSubtype(v, lldpTIASubtypes)
	switch {
	case sub == lldpTIACaps:
		if n < 7 {
			return false
		}
		c := be16(v[4:])
		p.s("\n\t    Media capabilities [")
		p.bittok2str(lldpTIACapabilities, "none", uint32(c), ", ")
		p.s("] (0x")
		p.xw(uint64(c), 4)
		p.s(")\n\t    Device type [")
		p.tok2str(lldpTIADeviceTypes, "unknown", uint32(v[6]))
		p.s("] (0x")
		p.xw(uint64(v[6]), 2)
		p.c(')')
	case sub == lldpTIAPolicy:
		if n < 8 {
			return false
		}
		p.s("\n\t    Application type [")
		p.tok2str(lldpTIAAppTypes, "none", uint32(v[4]))
		p.s("] (0x")
		p.xw(uint64(v[4]), 2)
		p.s("), Flags [")
		p.bittok2str(lldpTIAPolicyBits, "none", uint32(v[5]), ", ")
		p.s("]\n\t    Vlan id ")
		p.u(uint64(be16(v[5:]) & 0x1ffe >> 1))
		p.s(", L2 priority ")
		p.u(uint64(be16(v[6:]) & 0x01ff >> 6))
		p.s(", DSCP value ")
		p.u(uint64(be16(v[6:]) & 0x003f))
	case sub == lldpTIALocation:
		if n < 5 {
			return false
		}
		format := v[4]
		p.s("\n\t    Location data format ")
		p.tok2str(lldpTIALocFormats, "unknown", uint32(format))
		p.s(" (0x")
		p.xw(uint64(format), 2)
		p.c(')')
		switch format {
		case lldpTIALocCoord:
			if n < 21 {
				return false
			}
			p.s("\n\t    Latitude resolution ")
			p.u(uint64(v[5] >> 2))
			p.s(", latitude value ")
			p.u(lldpLatLon(v[5:]))
			p.s("\n\t    Longitude resolution ")
			p.u(uint64(v[10] >> 2))
			p.s(", longitude value ")
			p.u(lldpLatLon(v[10:]))
			p.s("\n\t    Altitude type ")
			p.tok2str(lldpTIAAltitudeTypes, "unknown", uint32(v[15]>>4))
			p.s(" (")
			p.u(uint64(v[15] >> 4))
			p.s(")\n\t    Altitude resolution ")
			p.u(uint64(be16(v[15:]) >> 6 & 0x3f))
			p.s(", altitude value 0x")
			p.x(uint64(be32(v[16:]) & 0x3fffffff))
			p.s("\n\t    Datum ")
			p.tok2str(lldpTIADatums, "unknown", uint32(v[20]))
			p.s(" (0x")
			p.xw(uint64(v[20]), 2)
			p.c(')')
		case lldpTIALocCivic:
			if n < 6 {
				return false
			}
			lci := int(v[5])
			if lci < 3 || n < 7+lci {
				return false
			}
			p.s("\n\t    LCI length ")
			p.u(uint64(lci))
			p.s(", LCI what ")
			p.tok2str(lldpTIALCIWhat, "unknown", uint32(v[6]))
			p.s(" (0x")
			p.xw(uint64(v[6]), 2)
			p.s("), Country-code ")
			p.printNUL(v[7:9])
			lci -= 3
			off := 9
			for lci > 0 {
				if lci < 2 {
					return false
				}
				caType, caLen := v[off], int(v[off+1])
				off += 2
				lci -= 2
				p.s("\n\t      CA type '")
				p.tok2str(lldpTIACATypes, "unknown", uint32(caType))
				p.s("' (")
				p.u(uint64(caType))
				p.s("), length ")
				p.u(uint64(caLen))
				p.s(": ")
				if caType == 0 || caLen == 0 || lci < caLen {
					return false
				}
				p.printNUL(v[off : off+caLen])
				off += caLen
				lci -= caLen
			}
		case lldpTIALocELIN:
			p.s("\n\t    ECS ELIN id ")
			p.printNUL(v[5:])
		default:
			p.s("\n\t    Location ID ")
			p.hexPrint("\n\t      ", v[5:])
		}
	case sub == lldpTIAPower:
		if n < 7 {
			return false
		}
		t := v[4]
		p.s("\n\t    Power type [")
		// tcpdump's t & 0xC0 >> 6 tests the two low bits, by C's
		// precedence.
		if t&3 != 0 {
			p.s("PD device")
		} else {
			p.s("PSE device")
		}
		p.s("], Power source [")
		p.tok2str(lldpTIAPowerSources, "none", uint32(t&0x30>>4))
		p.s("]\n\t    Power priority [")
		p.tok2str(lldpTIAPowerPrios, "none", uint32(t&0x0f))
		p.s("] (0x")
		p.xw(uint64(t&0x0f), 2)
		p.c(')')
		pw := be16(v[5:])
		if pw < lldpTIAPowerMax {
			p.s(", Power ")
			p.out = strconv.AppendFloat(p.out, float64(float32(pw)/10), 'f', 1, 64)
			p.s(" Watts")
		} else {
			p.s(", Power ")
			p.u(uint64(pw))
			p.s(" (Reserved)")
		}
	case sub >= lldpTIAHWRev && sub <= lldpTIAAssetID:
		p.s("\n\t  ")
		p.tok2str(lldpTIAInventory, "unknown", uint32(sub))
		p.c(' ')
		p.printNUL(v[4:])
	default:
		return true
	}
	return false
}

// lldpDCBXControl is the type of DCBX's control TLV, which, unlike its
// feature TLVs, has no flags and subtype after the versions.
const lldpDCBXControl = 1

// lldpDCBXTLVs gives the DCBX TLVs tcpdump decodes, by type, their title
// and the length below which tcpdump stops at them.
var lldpDCBXTLVs = [...]struct {
	minLen int
	title  string
}{
	lldpDCBXControl: {10, "Control - Protocol Control"},
	2:               {17, "Feature - Priority Group"},
	3:               {6, "Feature - Priority Flow Control"},
	4:               {4, "Feature - Application"},
}

// lldpDCBX prints a pre-standard DCBX TLV, whose value holds TLVs of its
// own, and reports whether to dump it in hex (tcpdump's
// lldp_private_dcbx_print). Revision 1 is dumped, not decoded.
func (p *Printer) lldpDCBX(v []byte) bool {
	if len(v) < 4 {
		return false
	}
	if p.lldpSubtype(v, lldpDCBXSubtypes) == 1 {
		return true
	}
	hexdump := false
	for off := 4; len(v)-off >= 2; {
		typ, tlvLen := lldpHdr(be16(v[off:]))
		hexdump = false
		off += 2
		if typ == 0 || tlvLen == 0 || len(v)-off < tlvLen {
			break
		}
		t := v[off : off+tlvLen]
		if typ < len(lldpDCBXTLVs) {
			if tlvLen < lldpDCBXTLVs[typ].minLen {
				return hexdump
			}
			p.s("\n\t    ")
			p.s(lldpDCBXTLVs[typ].title)
			p.s(" (type 0x")
			p.x(uint64(typ))
			p.s(", length ")
			p.u(uint64(tlvLen))
			p.c(')')
			p.lldpDCBXVersions(t)
			if typ != lldpDCBXControl {
				p.lldpDCBXInfo(t)
			}
		}
		switch typ {
		case lldpDCBXControl:
			p.s("\n\t      Sequence Number: ")
			p.u(uint64(be32(t[2:])))
			p.s("\n\t      Acknowledgement Number: ")
			p.u(uint64(be32(t[6:])))
		case 2:
			p.s("\n\t      Priority Allocation")
			pg := be32(t[4:])
			for i := range 8 {
				p.s("\n\t          PgId_")
				p.u(uint64(i))
				p.s(": ")
				p.u(uint64(pg >> (28 - 4*i) & 0xf))
			}
			p.s("\n\t      Priority Group Allocation")
			for i := range 8 {
				p.s("\n\t          Pg percentage[")
				p.u(uint64(i))
				p.s("]: ")
				p.u(uint64(t[8+i]))
			}
			p.s("\n\t      NumTCsSupported: ")
			p.u(uint64(t[16]))
		case 3:
			cfg := t[4]
			p.s("\n\t      PFC Config (0x")
			p.hexUpper(cfg)
			p.c(')')
			for i := range 8 {
				p.s("\n\t          Priority Bit ")
				p.u(uint64(i))
				if cfg&(1<<i) != 0 {
					p.s(": Enabled")
				} else {
					p.s(": Disabled")
				}
			}
			p.s("\n\t      NumTCPFCSupported: ")
			p.u(uint64(t[5]))
		case 4:
			for m := t[4:]; len(m) >= 6; m = m[6:] {
				p.s("\n\t      Application Value\n\t          Application Protocol ID: 0x")
				p.xw(uint64(be16(m)), 4)
				u := uint32(m[2])<<16 | uint32(m[3])<<8 | uint32(m[4])
				p.s("\n\t          SF (0x")
				p.x(uint64(u >> 22))
				p.s(") Application Protocol ID is ")
				if u>>22 != 0 {
					p.s("Socket Number")
				} else {
					p.s("L2 EtherType")
				}
				p.s("\n\t          OUI: 0x")
				p.xw(uint64(u&0x3fffff), 6)
				p.s("\n\t          User Priority Map: 0x")
				p.xw(uint64(m[5]), 2)
			}
		default:
			hexdump = true
		}
		if p.opt.Verbose > 1 || (p.opt.Verbose > 0 && hexdump) {
			p.hexPrint("\n\t    ", t)
		}
		off += tlvLen
	}
	return hexdump
}

// lldpDCBXVersions prints a DCBX TLV's operational and maximum versions.
func (p *Printer) lldpDCBXVersions(t []byte) {
	p.s("\n\t      Oper_Version: ")
	p.u(uint64(t[0]))
	p.s("\n\t      Max_Version: ")
	p.u(uint64(t[1]))
}

// lldpDCBXInfo prints a DCBX feature TLV's information block and subtype.
func (p *Printer) lldpDCBXInfo(t []byte) {
	info := t[2]
	p.s("\n\t      Info block(0x")
	p.hexUpper(info)
	p.lldpFields(info, lldpDCBXInfoFields)
	p.s("\n\t      SubType: ")
	p.u(uint64(t[3]))
}

// lldpNetAddr prints a network address, an address family and the
// address (tcpdump's lldp_network_addr_print); it reports false when the
// address is shorter than its family's.
func (p *Printer) lldpNetAddr(b []byte) bool {
	if len(b) < 1 {
		return false
	}
	af := b[0]
	a := b[1:]
	need := 0
	switch af {
	case 1:
		need = 4
	case 2:
		need = 16
	case 6:
		need = 6
	}
	if len(a) < need {
		return false
	}
	p.s("AFI ")
	p.tok2str(afNames, "Unknown", uint32(af))
	p.s(" (")
	p.u(uint64(af))
	switch af {
	case 1:
		p.s("): ")
		p.out = ipv4.Addr(a[:4]).AppendTo(p.out)
	case 2:
		p.s("): ")
		p.out = appendIPv6(p.out, a[:16])
	case 6:
		p.s("): ")
		p.out = ethernet.Addr(a[:6]).AppendTo(p.out)
	default:
		p.s("), no AF printer !")
	}
	return true
}

// lldpMgmtAddr prints a management address TLV (tcpdump's
// lldp_mgmt_addr_tlv_print); it reports false for a malformed one.
func (p *Printer) lldpMgmtAddr(v []byte) bool {
	if len(v) < 1 {
		return false
	}
	alen := int(v[0])
	v = v[1:]
	if len(v) < alen {
		return false
	}
	// The address is formatted before anything is printed.
	mark := len(p.out)
	p.s("\n\t  Management Address length ")
	p.u(uint64(alen))
	p.s(", ")
	if !p.lldpNetAddr(v[:alen]) {
		p.out = p.out[:mark]
		return false
	}
	v = v[alen:]
	if len(v) < lldpIntfNumLen {
		return false
	}
	p.s("\n\t  ")
	p.tok2str(lldpIntfNumbering, "Unknown", uint32(v[0]))
	p.s(" Interface Numbering (")
	p.u(uint64(v[0]))
	p.s("): ")
	p.u(uint64(be32(v[1:])))
	v = v[lldpIntfNumLen:]
	// The OID is optional.
	if len(v) > 0 {
		oidLen := int(v[0])
		if len(v) < 1+oidLen {
			return false
		}
		if oidLen != 0 {
			p.s("\n\t  OID length ")
			p.u(uint64(oidLen))
			p.printNUL(v[1 : 1+oidLen])
		}
	}
	return true
}
