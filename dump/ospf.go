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
		if off+4 > len(b) {
			return false
		}
		if length < 4 {
			p.s("\n\t    Remaining LS length ")
			p.u(uint64(length))
			p.s(" < 4")
			return false
		}
		typ, tlen := uint32(be16(b[off:])), uint32(be16(b[off+2:]))
		off += 4
		length -= 4
		p.s("\n\t    ")
		p.tok2str(ospfGraceTLVs, "unknown", typ)
		p.s(" TLV (")
		p.u(uint64(typ))
		p.s("), length ")
		p.u(uint64(tlen))
		p.s(", value: ")
		if tlen > length {
			p.ospfBogus(tlen, " > ", length)
			return false
		}
		if typ == 0 || tlen == 0 { // against an endless loop
			return false
		}
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
		if off+4 > len(b) {
			return false
		}
		if length < 4 {
			p.s("\n\t    Remaining LS length ")
			p.u(uint64(length))
			p.s(" < 4")
			return false
		}
		typ, tlen := uint32(be16(b[off:])), uint32(be16(b[off+2:]))
		off += 4
		length -= 4
		p.s("\n\t    ")
		p.tok2str(ospfTETLVs, "unknown", typ)
		p.s(" TLV (")
		p.u(uint64(typ))
		p.s("), length: ")
		p.u(uint64(tlen))
		if tlen > length {
			p.ospfBogus(tlen, " > ", length)
			return false
		}
		if typ == 0 || tlen == 0 {
			return false
		}
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
