package dump

import (
	"encoding/binary"
	"math/bits"

	"github.com/medina-net/medina/pcap"
)

// DLT_ values on Linux of the link types this package decodes. A capture file
// stores LINKTYPE_ values; libpcap turns them into these (LINKTYPE_RAW 101
// becomes DLT_RAW 12), and tcpdump picks its printer by the DLT_ value, as
// does a PKTAP header for the packet inside it.
const (
	dltNull      = 0
	dltEN10MB    = 1
	dltSLIP      = 8
	dltPPP       = 9
	dltRaw       = 12
	dltPPPBSDOS  = 16
	dltPPPSerial = 50
	dltPPPEther  = 51 // PPPoE without the Ethernet header
	dltLoop      = 108
	dltLinuxSLL  = 113
	dltUser2     = 149 // Apple's PKTAP before it had a number of its own
	dltPPPPPPD   = 166 // PPP with the direction in the address field
	dltIPv4      = 228
	dltIPv6      = 229
	dltPKTAP     = 258
	dltLinuxSLL2 = 276
)

// link runs the printer for the packet's link-layer header type, which adds
// the header's length to p.llHdrLen for -x/-X/-A (tcpdump's if_printer
// table, looked up by the DLT_ value libpcap maps the file's link type to).
func (p *Printer) link(lt pcap.LinkType, b []byte, length int) {
	if !p.dlt(uint32(lt.DLT()), b, length) {
		p.unsupported(b)
	}
}

// dlt prints a packet whose link layer is the given DLT_ value and reports
// whether tcpdump has a printer for it; when it has none, the caller prints
// the packet its own way. Link types tcpdump decodes and this package does not
// are printed as tcpdump prints a link type it does not know.
func (p *Printer) dlt(dlt uint32, b []byte, length int) bool {
	switch dlt {
	case dltEN10MB:
		p.llHdrLen += p.ether(b, length)
	case dltNull, dltLoop:
		p.null(b, length)
	case dltSLIP:
		p.slip(b, length)
	case dltRaw, dltIPv4, dltIPv6:
		p.raw(b, length)
	case dltLinuxSLL:
		p.sll(b, length)
	case dltLinuxSLL2:
		p.sll2(b, length)
	case dltPKTAP, dltUser2:
		p.pktap(b, length)
	case dltPPP, dltPPPPPPD:
		p.pppLink(b, length)
	case dltPPPSerial:
		p.pppHDLC(b, length)
	case dltPPPEther:
		p.llHdrLen += p.pppoe(b, length)
	case dltPPPBSDOS:
		// tcpdump decodes BSD/OS PPP only when built on BSD/OS; elsewhere
		// its printer prints nothing and skips no header.
		p.proto = "ppp_bsdos"
	default:
		if !tcpdumpHasPrinter(dlt) {
			return false
		}
		p.unsupported(b)
	}
	return true
}

// tcpdumpHasPrinter reports whether tcpdump 4.99.3, built on Linux, has a
// printer for the DLT_ value (its printers[] table). A PKTAP header whose
// inner link type has none is printed with the header and a hex dump.
func tcpdumpHasPrinter(dlt uint32) bool {
	switch {
	case dlt <= 1, dlt >= 6 && dlt <= 12, dlt == 15, dlt == 16, dlt == 19,
		dlt == 50, dlt == 51, dlt == 99, dlt == 104, dlt == 105,
		dlt >= 107 && dlt <= 109, dlt >= 112 && dlt <= 114, dlt == 117,
		dlt == 119, dlt == 122, dlt == 123, dlt == 127, dlt >= 129 && dlt <= 138,
		dlt == 149, dlt == 163, dlt == 164, dlt >= 166 && dlt <= 168,
		dlt >= 178 && dlt <= 182, dlt == 189, dlt == 192, dlt == 195,
		dlt == 201, dlt == 220, dlt == 226, dlt >= 228 && dlt <= 230,
		dlt >= 239 && dlt <= 242, dlt == 258, dlt == 271, dlt == 276,
		dlt >= 281 && dlt <= 285:
		return true
	}
	return false
}

// suppressDefaultPrint reports whether -q, -x or -X is in effect: tcpdump
// then leaves out the hex dump of a payload that no printer decodes, at
// the places where it checks (ndo_suppress_default_print).
func (p *Printer) suppressDefaultPrint() bool {
	return p.opt.Quiet || p.opt.Hex > 0 || p.opt.HexASCII > 0
}

// unknownPayload dumps a payload that no printer decodes, unless -q, -x or
// -X says not to.
func (p *Printer) unknownPayload(b []byte) {
	if !p.suppressDefaultPrint() {
		p.defaultPrint(b)
	}
}

// unsupported prints a link type this package has no printer for: the word
// UNSUPPORTED and a hex dump, as tcpdump does for a type it does not know.
func (p *Printer) unsupported(b []byte) {
	p.proto = "unsupported"
	p.s("UNSUPPORTED")
	p.hexASCIIDump("\n\t", b)
}

// BSD address families as DLT_NULL and DLT_LOOP headers carry them; IPv6
// has a different number on each family of BSDs.
const (
	bsdAFInet         = 2
	bsdAFIPX          = 23
	bsdAFInet6BSD     = 24
	bsdAFInet6FreeBSD = 28
	bsdAFInet6Darwin  = 30
)

// bsdAFNames is tcpdump's bsd_af_values.
var bsdAFNames = []tok{
	{bsdAFInet, "IPv4"}, {6, "NS"}, {7, "ISO"}, {16, "Appletalk"}, {bsdAFIPX, "IPX"},
	{bsdAFInet6BSD, "IPv6"}, {bsdAFInet6FreeBSD, "IPv6"}, {bsdAFInet6Darwin, "IPv6"},
}

// nullHdrLen is the length of the DLT_NULL and DLT_LOOP header.
const nullHdrLen = 4

// null prints a BSD loopback packet, DLT_NULL (the address family in the
// capturing host's byte order) or DLT_LOOP (in network byte order)
// (tcpdump's null_if_print).
func (p *Printer) null(b []byte, length int) {
	p.proto = "null"
	p.need(b, nullHdrLen)
	p.llHdrLen += nullHdrLen
	// tcpdump reads the family in its own host's order and swaps it when
	// the upper half is not zero, which reads either order.
	family := binary.NativeEndian.Uint32(b)
	if family&0xffff0000 != 0 {
		family = bits.ReverseBytes32(family)
	}
	if p.opt.LinkHeader {
		p.nullHeader(family, length)
	}
	b, length = b[nullHdrLen:], length-nullHdrLen
	switch family {
	case bsdAFInet:
		p.ip(b, length)
	case bsdAFInet6BSD, bsdAFInet6FreeBSD, bsdAFInet6Darwin:
		p.ip6(b, length)
	case bsdAFIPX:
		p.ipx(b, length)
	default:
		// OSI and AppleTalk are not decoded: they print like a family
		// tcpdump does not know.
		if !p.opt.LinkHeader {
			p.nullHeader(family, length+nullHdrLen)
		}
		p.unknownPayload(b)
	}
}

// nullHeader prints "AF IPv4 (2), length N: " (tcpdump's null_hdr_print).
func (p *Printer) nullHeader(family uint32, length int) {
	if !p.opt.Quiet {
		p.s("AF ")
		p.tok2str(bsdAFNames, "Unknown", family)
		p.s(" (")
		p.u(uint64(family))
		p.c(')')
	} else {
		p.tok2str(bsdAFNames, "Unknown AF %d", family)
	}
	p.s(", length ")
	p.u(uint64(length))
	p.s(": ")
}

// raw prints a packet with no link-layer header, IPv4 or IPv6 by its
// version (tcpdump's raw_if_print, used for DLT_RAW, DLT_IPV4 and DLT_IPV6
// alike: the version decides, not the link type).
func (p *Printer) raw(b []byte, length int) {
	p.proto = "raw"
	if p.opt.LinkHeader {
		p.s("ip: ")
	}
	p.ipN(b, length)
}

// ipN prints an IPv4 or IPv6 datagram by its version nibble (tcpdump's
// ipN_print).
func (p *Printer) ipN(b []byte, length int) {
	p.proto = "ipn"
	if length < 1 {
		p.s("truncated-ip ")
		p.d(int64(length))
		return
	}
	switch v := p.get8(b, 0) >> 4; v {
	case 4:
		p.ip(b, length)
	case 6:
		p.ip6(b, length)
	default:
		p.s("unknown ip ")
		p.u(uint64(v))
	}
}
