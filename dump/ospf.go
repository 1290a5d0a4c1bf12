package dump

import (
	"math"
	"strconv"

	"github.com/medina-net/medina/ipv4"
)

// The LSAs OSPFv2 and OSPFv3 share: graceful restart (RFC 3623) and
// traffic engineering (RFC 3630, RFC 4203), as tcpdump's print-ospf.c
// prints them. Both print the TLVs of an LSA's body from off, length
// bytes, and report false where tcpdump's printers return -1.

// Grace LSA TLVs.
const (
	ospfGracePeriod = 1
	ospfGraceReason = 2
	ospfGraceAddr   = 3
)

var ospfGraceTLVs = []tok{
	{ospfGracePeriod, "Grace Period"}, {ospfGraceReason, "Graceful restart Reason"},
	{ospfGraceAddr, "IPv4 interface address"},
}

var ospfGraceReasons = []tok{
	{0, "Unknown"}, {1, "Software Restart"}, {2, "Software Reload/Upgrade"},
	{3, "Control Processor Switch"},
}

// Traffic engineering TLVs and the sub-TLVs of a link TLV.
const (
	ospfTERouter = 1
	ospfTELink   = 2

	ospfTELinkType    = 1
	ospfTELinkID      = 2
	ospfTELocalIP     = 3
	ospfTERemoteIP    = 4
	ospfTEMetric      = 5
	ospfTEMaxBW       = 6
	ospfTEMaxResBW    = 7
	ospfTEUnresBW     = 8
	ospfTEAdminGroup  = 9
	ospfTELocalRemote = 11
	ospfTEProtection  = 14
	ospfTESwCap       = 15
	ospfTESRLG        = 16
	ospfTEBWConstr    = 17
)

var ospfTETLVs = []tok{{ospfTERouter, "Router Address"}, {ospfTELink, "Link"}}

var ospfTELinkSubTLVs = []tok{
	{ospfTELinkType, "Link Type"}, {ospfTELinkID, "Link ID"},
	{ospfTELocalIP, "Local Interface IP address"}, {ospfTERemoteIP, "Remote Interface IP address"},
	{ospfTEMetric, "Traffic Engineering Metric"}, {ospfTEMaxBW, "Maximum Bandwidth"},
	{ospfTEMaxResBW, "Maximum Reservable Bandwidth"}, {ospfTEUnresBW, "Unreserved Bandwidth"},
	{ospfTEAdminGroup, "Administrative Group"}, {ospfTELocalRemote, "Link Local/Remote Identifier"},
	{ospfTEProtection, "Link Protection Type"}, {ospfTESwCap, "Interface Switching Capability"},
	{ospfTESRLG, "Shared Risk Link Group"}, {ospfTEBWConstr, "Bandwidth Constraints"},
}

var ospfTELinkTypes = []tok{{1, "Point-to-point"}, {2, "Multi-Access"}}

// gmplsLinkProtection, gmplsSwitchCaps and gmplsEncodings are tcpdump's
// GMPLS tables (RFC 3471).
var gmplsLinkProtection = []tok{
	{0x01, "Extra Traffic"}, {0x02, "Unprotected"}, {0x04, "Shared"}, {0x08, "Dedicated 1:1"},
	{0x10, "Dedicated 1+1"}, {0x20, "Enhanced"}, {0x40, "Reserved"}, {0x80, "Reserved"},
}

var gmplsSwitchCaps = []tok{
	{1, "Packet-Switch Capable-1"}, {2, "Packet-Switch Capable-2"}, {3, "Packet-Switch Capable-3"},
	{4, "Packet-Switch Capable-4"}, {51, "Layer-2 Switch Capable"}, {100, "Time-Division-Multiplex"},
	{150, "Lambda-Switch Capable"}, {200, "Fiber-Switch Capable"},
}

var gmplsEncodings = []tok{
	{1, "Packet"}, {2, "Ethernet V2/DIX"}, {3, "ANSI/ETSI PDH"}, {4, "Reserved"},
	{5, "SDH ITU-T G.707/SONET ANSI T1.105"}, {6, "Reserved"}, {7, "Digital Wrapper"},
	{8, "Lambda (photonic)"}, {9, "Fiber"}, {10, "Reserved"}, {11, "FiberChannel"},
}

// diffservBCModels names the bandwidth constraint models of DiffServ-aware
// traffic engineering (RFC 4124, RFC 4125, RFC 4127).
var diffservBCModels = []tok{
	{0, "Russian dolls"}, {1, "Maximum allocation"}, {254, "Maximum allocation with E-LSP support"},
}

// ospfPad rounds a TLV's length up to 32 bits: OSPF aligns everything.
func ospfPad(n uint32) uint32 {
	if n%4 != 0 {
		n += 4 - n%4
	}
	return n
}

// ospfGraceLSA prints the TLVs of a grace LSA (tcpdump's
// ospf_grace_lsa_print).
func (p *Printer) ospfGraceLSA(b []byte, off int, length uint32) bool {
	for length > 0 {
		typ, tlen, ok := p.ospfTLV(b, off, length, ospfGraceTLVs, "), length ", ", value: ")
		if !ok {
			return false
		}
		off += 4
		length -= 4
		if off+int(tlen) > len(b) {
			return false
		}
		v := b[off : off+int(tlen)]
		switch typ {
		case ospfGracePeriod:
			if tlen != 4 {
				p.ospfBogus(tlen, " != ", 4)
				return false
			}
			p.u(uint64(be32(v)))
			p.c('s')
		case ospfGraceReason:
			if tlen != 1 {
				p.ospfBogus(tlen, " != ", 1)
				return false
			}
			p.tok2str(ospfGraceReasons, "Unknown", uint32(v[0]))
			p.s(" (")
			p.u(uint64(v[0]))
			p.c(')')
		case ospfGraceAddr:
			if tlen != 4 {
				p.ospfBogus(tlen, " != ", 4)
				return false
			}
			p.out = ipv4.Addr(v).AppendTo(p.out)
		default:
			if p.opt.Verbose <= 1 {
				p.unknownData(v, 0, "\n\t      ", len(v))
			}
		}
		tlen = ospfPad(tlen)
		length -= tlen // may wrap, as in tcpdump, ending the loop at the capture's end
		off += int(tlen)
	}
	return true
}

// ospfTLV reads the header of a TLV of an LSA, at b[off:] with length
// bytes of the LSA left, and prints its name and type, lenText and its
// length, and then after. It reports false, having printed why where
// tcpdump does, when the header was not captured or is not all in the
// LSA, when the TLV runs past the LSA, and for a type or a length of 0,
// which would never end the walk.
func (p *Printer) ospfTLV(b []byte, off int, length uint32, names []tok, lenText, after string) (typ, tlen uint32, ok bool) {
	if off+4 > len(b) {
		return 0, 0, false
	}
	if length < 4 {
		p.s("\n\t    Remaining LS length ")
		p.u(uint64(length))
		p.s(" < 4")
		return 0, 0, false
	}
	typ, tlen = uint32(be16(b[off:])), uint32(be16(b[off+2:]))
	p.s("\n\t    ")
	p.tok2str(names, "unknown", typ)
	p.s(" TLV (")
	p.u(uint64(typ))
	p.s(lenText)
	p.u(uint64(tlen))
	p.s(after)
	if tlen > length-4 {
		p.ospfBogus(tlen, " > ", length-4)
		return 0, 0, false
	}
	return typ, tlen, typ != 0 && tlen != 0
}

// ospfBogus prints "\n\t    Bogus length A OP B".
func (p *Printer) ospfBogus(a uint32, op string, b uint32) {
	p.s("\n\t    Bogus length ")
	p.u(uint64(a))
	p.s(op)
	p.u(uint64(b))
}

// ospfMbps prints a bandwidth in bytes per second, an IEEE float, in
// megabits per second as tcpdump's "%.3f Mbps" does, C's way with NaNs and
// infinities.
func (p *Printer) ospfMbps(bits uint32) {
	f := math.Float32frombits(bits) * 8 / 1000000
	switch v := float64(f); {
	case math.IsNaN(v):
		if math.Signbit(v) {
			p.c('-')
		}
		p.s("nan")
	case math.IsInf(v, 0):
		if v < 0 {
			p.c('-')
		}
		p.s("inf")
	default:
		p.out = strconv.AppendFloat(p.out, v, 'f', 3, 64)
	}
	p.s(" Mbps")
}

// ospfTELSA prints the TLVs of a traffic engineering LSA (tcpdump's
// ospf_te_lsa_print).
func (p *Printer) ospfTELSA(b []byte, off int, length uint32) bool {
	for length != 0 {
		typ, tlen, ok := p.ospfTLV(b, off, length, ospfTETLVs, "), length: ", "")
		if !ok {
			return false
		}
		off += 4
		length -= 4
		switch typ {
		case ospfTELink:
			for tlen != 0 {
				if tlen < 4 {
					p.s("\n\t    Remaining TLV length ")
					p.u(uint64(tlen))
					p.s(" < 4")
					return false
				}
				st, sl := uint32(p.get16(b, off)), uint32(p.get16(b, off+2))
				off += 4
				tlen -= 4
				if st == 0 || sl == 0 {
					p.s(" (invalid)")
					return false
				}
				p.s("\n\t      ")
				p.tok2str(ospfTELinkSubTLVs, "unknown", st)
				p.s(" subTLV (")
				p.u(uint64(st))
				p.s("), length: ")
				p.u(uint64(sl))
				if tlen < sl {
					p.ospfRemaining(tlen, sl)
					return false
				}
				if off+int(sl) > len(b) {
					return false
				}
				skip, ok := p.ospfTESubTLV(st, b[off:off+int(sl)])
				if !ok {
					p.s(" (invalid)")
					return false
				}
				off += skip
				sl = ospfPad(sl)
				if tlen < sl {
					p.ospfRemaining(tlen, sl)
					return false
				}
				tlen -= sl
				off += int(sl)
			}
		case ospfTERouter:
			if tlen < 4 {
				p.s("\n\t    TLV length ")
				p.u(uint64(tlen))
				p.s(" < 4")
				return false
			}
			a := p.bytes(b, off, 4)
			p.s(", ")
			p.out = ipv4.Addr(a).AppendTo(p.out)
		default:
			if p.opt.Verbose <= 1 {
				p.unknownData(b, off, "\n\t      ", int(tlen))
				if off > len(b) {
					return false
				}
			}
		}
		tlen = ospfPad(tlen)
		if tlen > length {
			p.s("\n\t    Bogus padded length ")
			p.u(uint64(tlen))
			p.s(" > ")
			p.u(uint64(length))
			return false
		}
		length -= tlen
		off += int(tlen)
	}
	return true
}

// ospfRemaining prints that a sub-TLV runs past its TLV.
func (p *Printer) ospfRemaining(tlen, sl uint32) {
	p.s("\n\t    Remaining TLV length ")
	p.u(uint64(tlen + 4))
	p.s(" < ")
	p.u(uint64(sl + 4))
}

// ospfTESubTLV prints the value v, wholly captured, of a link TLV's
// sub-TLV of type st; it reports false for a bad length, which it has
// printed. skip is how far tcpdump's pointer has moved into the value,
// which it then moves past by the sub-TLV's length all the same: the
// shared risk link groups, whose loop walks the pointer.
func (p *Printer) ospfTESubTLV(st uint32, v []byte) (skip int, ok bool) {
	sl := len(v)
	switch st {
	case ospfTEAdminGroup:
		if sl != 4 {
			p.s(" != 4")
			return 0, false
		}
		p.s(", 0x")
		p.xw(uint64(be32(v)), 8)
	case ospfTELinkID, ospfTELocalRemote:
		if sl != 4 && sl != 8 {
			p.s(" != 4 && != 8")
			return 0, false
		}
		for i := 0; i < sl; i += 4 {
			p.s(", ")
			p.out = ipv4.Addr(v[i : i+4]).AppendTo(p.out)
			p.s(" (0x")
			p.xw(uint64(be32(v[i:])), 8)
			p.c(')')
		}
	case ospfTELocalIP, ospfTERemoteIP:
		if sl != 4 {
			p.s(" != 4")
			return 0, false
		}
		p.s(", ")
		p.out = ipv4.Addr(v).AppendTo(p.out)
	case ospfTEMaxBW, ospfTEMaxResBW:
		if sl != 4 {
			p.s(" != 4")
			return 0, false
		}
		p.s(", ")
		p.ospfMbps(be32(v))
	case ospfTEUnresBW:
		if sl != 32 {
			p.s(" != 32")
			return 0, false
		}
		for c := range 8 {
			p.s("\n\t\tTE-Class ")
			p.u(uint64(c))
			p.s(": ")
			p.ospfMbps(be32(v[c*4:]))
		}
	case ospfTEBWConstr:
		if sl < 4 {
			p.s(" < 4")
			return 0, false
		}
		p.s("\n\t\tBandwidth Constraints Model ID: ")
		p.tok2str(diffservBCModels, "unknown", uint32(v[0]))
		p.s(" (")
		p.u(uint64(v[0]))
		p.c(')')
		if sl%4 != 0 {
			p.s("\n\t\tlength ")
			p.u(uint64(sl))
			p.s(" != N x 4")
			return 0, false
		}
		if sl > 36 {
			p.s("\n\t\tlength ")
			p.u(uint64(sl))
			p.s(" > 36")
			return 0, false
		}
		for c := 0; c < (sl-4)/4; c++ {
			p.s("\n\t\t  Bandwidth constraint CT")
			p.u(uint64(c))
			p.s(": ")
			p.ospfMbps(be32(v[4+c*4:]))
		}
	case ospfTEMetric:
		if sl != 4 {
			p.s(" != 4")
			return 0, false
		}
		p.s(", Metric ")
		p.u(uint64(be32(v)))
	case ospfTEProtection:
		if sl != 4 {
			p.s(" != 4")
			return 0, false
		}
		p.s(", ")
		p.bittok2str(gmplsLinkProtection, "none", uint32(v[0]), ", ")
	case ospfTESwCap:
		if sl < 36 {
			p.s(" < 36")
			return 0, false
		}
		p.s("\n\t\tInterface Switching Capability: ")
		p.tok2str(gmplsSwitchCaps, "Unknown", uint32(v[0]))
		p.s("\n\t\tLSP Encoding: ")
		p.tok2str(gmplsEncodings, "Unknown", uint32(v[1]))
		p.s("\n\t\tMax LSP Bandwidth:")
		for l := range 8 {
			p.s("\n\t\t  priority level ")
			p.u(uint64(l))
			p.s(": ")
			p.ospfMbps(be32(v[4+l*4:]))
		}
	case ospfTELinkType:
		if sl != 1 {
			p.s(" != 1")
			return 0, false
		}
		p.s(", ")
		p.tok2str(ospfTELinkTypes, "unknown", uint32(v[0]))
		p.s(" (")
		p.u(uint64(v[0]))
		p.c(')')
	case ospfTESRLG:
		if sl%4 != 0 {
			p.s(" != N x 4")
			return 0, false
		}
		if sl != 0 {
			p.s("\n\t\t  Shared risk group: ")
		}
		for i := 0; i < sl; i += 4 {
			if i > 0 {
				p.s(", ")
			}
			p.u(uint64(be32(v[i:])))
		}
		return sl, true
	default:
		if p.opt.Verbose <= 1 {
			p.unknownData(v, 0, "\n\t\t", sl)
		}
	}
	return 0, true
}

// OSPF version 2 (RFC 2328) over IPv4, with its opaque LSAs (RFC 5250)
// and link-local signalling (RFC 5613), as tcpdump's print-ospf.c prints
// it.

const (
	ospfHdrLen      = 24
	ospfLSAHdrLen   = 20
	ospfAuthSimple  = 1
	ospfAuthMD5     = 2
	ospfAuthMD5Len  = 16
	ospfAuthLen     = 8
	ospfOptL        = 0x10
	ospfLSReqLen    = 12
	ospfRLALinkLen  = 12
	ospfTOSLen      = 4
	ospfASLAMetLen  = 12
	ospfMCLALen     = 8
	ospfLSRouter    = 1
	ospfLSNetwork   = 2
	ospfLSSumIP     = 3
	ospfLSSumABR    = 4
	ospfLSASE       = 5
	ospfLSGroup     = 6
	ospfLSNSSA      = 7
	ospfLSOpaqueLL  = 9
	ospfLSOpaqueDW  = 11
	ospfOpaqueTE    = 1
	ospfOpaqueGrace = 3
	ospfOpaqueRI    = 4
	ospfLLSEO       = 1
	ospfLLSMD5      = 2
)

var ospfOptions = []tok{
	{0x01, "MultiTopology"}, {0x02, "External"}, {0x04, "Multicast"}, {0x08, "NSSA"},
	{ospfOptL, "LLS"}, {0x20, "Demand Circuit"}, {0x40, "Opaque"}, {0x80, "Up/Down"},
}

var ospfAuthTypes = []tok{{0, "none"}, {ospfAuthSimple, "simple"}, {ospfAuthMD5, "MD5"}}

var ospfRLAFlags = []tok{
	{0x01, "ABR"}, {0x02, "ASBR"}, {0x04, "Virtual"}, {0x08, "Wildcard"}, {0x10, "Nt"}, {0x80, "Host"},
}

var ospfLSATypes = []tok{
	{ospfLSRouter, "Router"}, {ospfLSNetwork, "Network"}, {ospfLSSumIP, "Summary"},
	{ospfLSSumABR, "ASBR Summary"}, {ospfLSASE, "External"}, {ospfLSGroup, "Multicast Group"},
	{ospfLSNSSA, "NSSA"}, {ospfLSOpaqueLL, "Link Local Opaque"}, {10, "Area Local Opaque"},
	{ospfLSOpaqueDW, "Domain Wide Opaque"},
}

var ospfDDFlags = []tok{{0x04, "Init"}, {0x02, "More"}, {0x01, "Master"}, {0x08, "OOBResync"}}

var ospfOpaqueTypes = []tok{
	{ospfOpaqueTE, "Traffic Engineering"}, {ospfOpaqueGrace, "Graceful restart"},
	{ospfOpaqueRI, "Router Information"},
}

var ospfRITLVs = []tok{{1, "Router Capabilities"}}

var ospfRICaps = []tok{
	{1, "Reserved"}, {2, "Reserved"}, {4, "Reserved"}, {8, "Reserved"},
	{16, "graceful restart capable"}, {32, "graceful restart helper"}, {64, "Stub router support"},
	{128, "Traffic engineering"}, {256, "p2p over LAN"}, {512, "path computation server"},
}

var ospfLLSTLVs = []tok{{ospfLLSEO, "Extended Options"}, {ospfLLSMD5, "MD5 Authentication"}}

var ospfLLSEOOptions = []tok{{0x01, "LSDB resync"}, {0x02, "Restart"}}

var ospfTopologies = []tok{{0, "default"}, {1, "multicast"}, {2, "management"}}

// isOpaque reports whether an LSA type is one of the opaque ones, whose
// LSA ID holds an opaque type and ID.
func isOpaque(t uint32) bool { return t >= ospfLSOpaqueLL && t <= ospfLSOpaqueDW }

// ospf prints an OSPFv2 packet of the given length (tcpdump's
// ospf_print).
func (p *Printer) ospf(b []byte, length int) {
	p.proto = "ospf2"
	n := uint32(length) // unsigned as in tcpdump: the MD5 trailer's removal may wrap it
	// The MD5 digest trails the packet: it is taken off the length and
	// the captured data alike.
	if p.get16(b, 14) == ospfAuthMD5 {
		n -= ospfAuthMD5Len
		b = b[:max(0, len(b)-ospfAuthMD5Len)]
	}
	typ := uint32(p.get8(b, 1))
	name, known := lookup(ospfTypes, typ)
	ver := p.get8(b, 0)
	p.su("OSPFv", uint64(ver))
	p.s(", ")
	if known {
		p.s(name)
	} else {
		p.su("unknown LS-type ", uint64(typ))
	}
	p.su(", length ", uint64(n))
	if !known || p.opt.Verbose == 0 {
		return
	}
	olen := uint32(p.get16(b, 2))
	if n != olen {
		p.su(" [len ", uint64(olen))
		p.c(']')
	}
	end := int(min(n, olen))
	p.v4At("\n\tRouter-ID ", b, 4)
	if p.get32(b, 8) != 0 {
		p.v4At(", Area ", b, 8)
	} else {
		p.s(", Backbone Area")
	}
	p.need(b, 16+ospfAuthLen)
	auth := be16(b[14:])
	p.s(", Authentication Type: ")
	p.tok2str(ospfAuthTypes, "unknown", uint32(auth))
	p.su(" (", uint64(auth))
	p.c(')')
	switch auth {
	case 0:
	case ospfAuthSimple:
		p.s("\n\tSimple text password: ")
		p.printNUL(b[16 : 16+ospfAuthLen])
	case ospfAuthMD5:
		p.su("\n\tKey-ID: ", uint64(b[18]))
		p.su(", Auth-Length: ", uint64(b[19]))
		p.s(", Crypto Sequence Number: 0x")
		p.xw(uint64(be32(b[20:])), 8)
	default:
		return
	}
	if ver != 2 {
		p.su(" ospf [version ", uint64(ver))
		p.c(']')
		return
	}
	p.ospfV2(b, typ, end)
	if n > olen {
		p.ospfLLS(b, typ, int(n))
	}
}

// ospfV2 prints the body of an OSPFv2 packet of type typ that ends at end
// (tcpdump's ospf_decode_v2).
func (p *Printer) ospfV2(b []byte, typ uint32, end int) {
	const body = ospfHdrLen
	switch typ {
	case ospfHello:
		opts := p.get8(b, body+6)
		p.s("\n\tOptions [")
		p.bittok2str(ospfOptions, "none", uint32(opts), ", ")
		p.c(']')
		p.need(b, body+12)
		p.su("\n\t  Hello Timer ", uint64(be16(b[body+4:])))
		p.su("s, Dead Timer ", uint64(be32(b[body+8:])))
		p.v4At("s, Mask ", b, body)
		p.su(", Priority ", uint64(b[body+7]))
		if p.get32(b, body+12) != 0 {
			p.v4At("\n\t  Designated Router ", b, body+12)
		}
		if p.get32(b, body+16) != 0 {
			p.v4At(", Backup Designated Router ", b, body+16)
		}
		if body+20 < end {
			p.s("\n\t  Neighbor List:")
		}
		for off := body + 20; off < end; off += 4 {
			p.v4At("\n\t    ", b, off)
		}
	case ospfDD:
		opts := p.get8(b, body+2)
		p.s("\n\tOptions [")
		p.bittok2str(ospfOptions, "none", uint32(opts), ", ")
		p.c(']')
		flags := p.get8(b, body+3)
		p.s(", DD Flags [")
		p.bittok2str(ospfDDFlags, "none", uint32(flags), ", ")
		p.c(']')
		if mtu := p.get16(b, body); mtu != 0 {
			p.su(", MTU: ", uint64(mtu))
		}
		seq := p.get32(b, body+4)
		p.s(", Sequence: 0x")
		p.xw(uint64(seq), 8)
		for off := body + 8; off < end && p.ospfLSAHdr(b, off) >= 0; off += ospfLSAHdrLen {
		}
	case ospfLSReq:
		for off := body; off < end; off += ospfLSReqLen {
			p.need(b, off+ospfLSReqLen)
			t := be32(b[off:])
			p.v4At("\n\t  Advertising Router: ", b, off+8)
			p.s(", ")
			p.tok2str(ospfLSATypes, "unknown", t)
			p.su(" LSA (", uint64(t))
			p.c(')')
			if isOpaque(t) {
				p.s(", Opaque-Type: ")
				p.tok2str(ospfOpaqueTypes, "unknown", uint32(b[off+4]))
				p.su(" LSA (", uint64(b[off+4]))
				p.su("), Opaque-ID: ", uint64(uint32(b[off+5])<<16|uint32(b[off+6])<<8|uint32(b[off+7])))
			} else {
				p.v4At(", LSA-ID: ", b, off+4)
			}
		}
	case ospfLSUpdate:
		n := p.get32(b, body)
		p.su(", ", uint64(n))
		p.s(" LSA")
		if n != 1 {
			p.c('s')
		}
		off := body + 4
		for i := uint64(1); i <= uint64(n); i++ {
			p.su("\n\t  LSA #", i)
			next := p.ospfLSA(b, off)
			if next < 0 {
				p.trunc()
			}
			off = next
		}
	case ospfLSAck:
		// tcpdump walks the headers to the end of the capture, or to a
		// bogus one.
		for off := body; p.ospfLSAHdr(b, off) >= 0; off += ospfLSAHdrLen {
		}
	}
}

// ospfLSAHdr prints the LSA header at off and returns the LSA's length,
// or -1 for a length shorter than the header (tcpdump's
// ospf_print_lshdr).
func (p *Printer) ospfLSAHdr(b []byte, off int) int {
	l := int(p.get16(b, off+18))
	if l < ospfLSAHdrLen {
		p.su("\n\t    Bogus length ", uint64(l))
		p.s(" < header (20)")
		return -1
	}
	p.need(b, off+16)
	p.v4At("\n\t  Advertising Router ", b, off+8)
	p.s(", seq 0x")
	p.xw(uint64(be32(b[off+12:])), 8)
	p.su(", age ", uint64(be16(b[off:])))
	p.su("s, length ", uint64(l-ospfLSAHdrLen))
	t := uint32(p.get8(b, off+3))
	if isOpaque(t) {
		p.need(b, off+8)
		p.s("\n\t    ")
		p.tok2str(ospfLSATypes, "unknown", t)
		p.su(" LSA (", uint64(t))
		p.s("), Opaque-Type ")
		p.tok2str(ospfOpaqueTypes, "unknown", uint32(b[off+4]))
		p.su(" LSA (", uint64(b[off+4]))
		p.su("), Opaque-ID ", uint64(uint32(b[off+5])<<16|uint32(b[off+6])<<8|uint32(b[off+7])))
	} else {
		p.need(b, off+8)
		p.s("\n\t    ")
		p.tok2str(ospfLSATypes, "unknown", t)
		p.su(" LSA (", uint64(t))
		p.v4At("), LSA-ID: ", b, off+4)
	}
	opts := p.get8(b, off+2)
	p.s("\n\t    Options: [")
	p.bittok2str(ospfOptions, "none", uint32(opts), ", ")
	p.c(']')
	return l
}

// ospfTopology prints "topology NAME (N)".
func (p *Printer) ospfTopology(t uint32) {
	p.s("topology ")
	p.tok2str(ospfTopologies, "Unknown", t)
	p.su(" (", uint64(t))
	p.c(')')
}

// ospfLSA prints the LSA at off and returns where the next one starts, or
// -1 where tcpdump abandons the packet (tcpdump's ospf_print_lsa).
func (p *Printer) ospfLSA(b []byte, off int) int {
	l := p.ospfLSAHdr(b, off)
	if l < 0 {
		return -1
	}
	end := off + l
	rest := uint32(l - ospfLSAHdrLen)
	v := off + ospfLSAHdrLen
	switch t := p.get8(b, off+3); t {
	case ospfLSRouter:
		flags := p.get8(b, v)
		p.s("\n\t    Router LSA Options: [")
		p.bittok2str(ospfRLAFlags, "none", uint32(flags), ", ")
		p.c(']')
		n := int(p.get16(b, v+2))
		p.need(b, v+4+ospfRLALinkLen)
		for l, i := v+4, n; i != 0; i-- {
			p.need(b, l+ospfRLALinkLen)
			switch lt := b[l+8]; lt {
			case 4:
				p.v4At("\n\t      Virtual Link: Neighbor Router-ID: ", b, l)
				p.v4At(", Interface Address: ", b, l+4)
			case 1:
				p.v4At("\n\t      Neighbor Router-ID: ", b, l)
				p.v4At(", Interface Address: ", b, l+4)
			case 2:
				p.v4At("\n\t      Neighbor Network-ID: ", b, l)
				p.v4At(", Interface Address: ", b, l+4)
			case 3:
				p.v4At("\n\t      Stub Network: ", b, l)
				p.v4At(", Mask: ", b, l+4)
			default:
				p.su("\n\t      Unknown Router Link Type (", uint64(lt))
				p.c(')')
				return end
			}
			// The link's own metric, then its TOS (or topology) metrics.
			ntos := int(b[l+9])
			for k := 0; k <= ntos; k++ {
				m := l + 8 + k*ospfTOSLen
				typ := uint32(p.get8(b, m))
				metric := p.get16(b, m+2)
				if k == 0 {
					typ = 0
				}
				p.s("\n\t\t")
				p.ospfTopology(typ)
				p.su(", metric ", uint64(metric))
			}
			l += ospfRLALinkLen + ntos*ospfTOSLen
		}
	case ospfLSNetwork:
		p.v4At("\n\t    Mask ", b, v)
		p.s("\n\t    Connected Routers:")
		for a := v + 4; a < end; a += 4 {
			p.v4At("\n\t      ", b, a)
		}
	case ospfLSSumIP, ospfLSSumABR:
		if t == ospfLSSumIP {
			p.v4At("\n\t    Mask ", b, v)
		}
		p.need(b, v+8)
		for m := v + 4; m < end; m += 4 {
			x := p.get32(b, m)
			p.s("\n\t\t")
			p.ospfTopology(x & 0x7f000000 >> 24)
			p.su(" metric ", uint64(x&0x00ffffff))
		}
	case ospfLSASE, ospfLSNSSA:
		p.v4At("\n\t    Mask ", b, v)
		p.need(b, v+8)
		for m := v + 4; m < end; m += ospfASLAMetLen {
			x := p.get32(b, m)
			p.s("\n\t\t")
			p.ospfTopology(x & 0x7f000000 >> 24)
			p.s(", type ")
			if x&0x80000000 != 0 {
				p.c('2')
			} else {
				p.c('1')
			}
			p.s(", metric")
			if x&0x00ffffff == 0xffffff {
				p.s(" infinite")
			} else {
				p.su(" ", uint64(x&0x00ffffff))
			}
			if p.get32(b, m+4) != 0 {
				p.v4At(", forward ", b, m+4)
			}
			if p.get32(b, m+8) != 0 {
				p.v4At(", tag ", b, m+8)
			}
		}
	case ospfLSGroup:
		for m := v; m < end; m += ospfMCLALen {
			switch vt := p.get32(b, m); vt {
			case 1:
				p.v4At("\n\t    Router Router-ID ", b, m+4)
			case 2:
				p.v4At("\n\t    Network Designated Router ", b, m+4)
			default:
				p.su("\n\t    unknown VertexType (", uint64(vt))
				p.c(')')
			}
		}
	case ospfLSOpaqueLL, ospfLSOpaqueLL + 1, ospfLSOpaqueDW:
		switch p.get8(b, off+4) {
		case ospfOpaqueRI:
			if !p.ospfRI(b, v, rest) {
				return end
			}
		case ospfOpaqueGrace:
			if !p.ospfGraceLSA(b, v, rest) {
				return end
			}
		case ospfOpaqueTE:
			if !p.ospfTELSA(b, v, rest) {
				return end
			}
		default:
			if p.opt.Verbose <= 1 {
				p.unknownData(b, v, "\n\t    ", int(rest))
				if v > len(b) {
					return end
				}
			}
		}
	}
	if p.opt.Verbose > 1 {
		p.unknownData(b, v, "\n\t    ", int(rest))
	}
	return end
}

// ospfRI prints the TLVs of a router information LSA; it reports false
// where tcpdump stops the LSA.
func (p *Printer) ospfRI(b []byte, off int, rest uint32) bool {
	for rest != 0 {
		p.need(b, off+4)
		if rest < 4 {
			p.su("\n\t    Remaining LS length ", uint64(rest))
			p.s(" < 4")
			return false
		}
		typ, l := uint32(be16(b[off:])), uint32(be16(b[off+2:]))
		off += 4
		rest -= 4
		p.s("\n\t    ")
		p.tok2str(ospfRITLVs, "unknown", typ)
		p.su(" TLV (", uint64(typ))
		p.su("), length: ", uint64(l))
		p.s(", value: ")
		if l > rest {
			p.su("\n\t    Bogus length ", uint64(l))
			p.su(" > remaining LS length ", uint64(rest))
			return false
		}
		p.need(b, off+int(l))
		switch typ {
		case 1:
			if l != 4 {
				p.su("\n\t    Bogus length ", uint64(l))
				p.s(" != 4")
				return false
			}
			p.s("Capabilities: ")
			p.bittok2str(ospfRICaps, "Unknown", be32(b[off:]), ", ")
		default:
			if p.opt.Verbose <= 1 {
				p.unknownData(b, off, "\n\t      ", int(l))
			}
		}
		off += int(l)
		rest -= l
	}
	return true
}

// ospfLLS prints the link-local signalling block that follows a hello or
// database description announcing one, length being the packet's length
// (tcpdump's ospf_decode_lls).
func (p *Printer) ospfLLS(b []byte, typ uint32, length int) {
	switch typ {
	case ospfHello:
		if p.get8(b, ospfHdrLen+6)&ospfOptL == 0 {
			return
		}
	case ospfDD:
		if p.get8(b, ospfHdrLen+2)&ospfOptL == 0 {
			return
		}
	default:
		return
	}
	l := int(p.get16(b, 2))
	d := l
	if p.get16(b, 14) == ospfAuthMD5 {
		d += int(p.get8(b, 19))
		l += int(p.get8(b, 19))
	}
	if l >= length {
		p.s("\n\t[LLS truncated]")
		return
	}
	sum := p.get16(b, d)
	p.s("\n\t  LLS: checksum: 0x")
	p.xw(uint64(sum), 4)
	p.su(", length: ", uint64(p.get16(b, d+2)))
	for d += 4; d < length; {
		t := p.get16(b, d)
		p.s("\n\t    ")
		p.tok2str(ospfLLSTLVs, "Unknown TLV", uint32(t))
		p.su(" (", uint64(t))
		p.c(')')
		tl := int(p.get16(b, d+2))
		p.su(", length: ", uint64(tl))
		d += 4
		switch t {
		case ospfLLSEO:
			if tl != 4 {
				p.s(" [should be 4]")
				tl = 4
			}
			f := p.get32(b, d)
			p.s("\n\t      Options: 0x")
			p.xw(uint64(f), 8)
			p.s(" [")
			p.bittok2str(ospfLLSEOOptions, "?", f, ", ")
			p.c(']')
		case ospfLLSMD5:
			if tl != 20 {
				p.s(" [should be 20]")
				tl = 20
			}
			seq := p.get32(b, d)
			p.s("\n\t      Sequence number: 0x")
			p.xw(uint64(seq), 8)
		}
		d += tl
	}
}
