package dump

import (
	"encoding/binary"

	"github.com/medina-net/medina/pcap"
)

// Apple's PKTAP header (DLT_PKTAP, and DLT_USER2 in captures from OS X
// Mavericks), which wraps a packet of another link type with metadata. Its
// fields are little-endian.
const (
	pktapHdrLen  = 108 // the fixed header; pkt_len may announce more
	pktapLen     = 0   // pkt_len: the length of the header
	pktapRecType = 4   // pkt_rectype: what follows the header
	pktapDLT     = 8   // pkt_dlt: the DLT_ value of the packet inside

	pktapRecNone   = 0 // nothing follows the header
	pktapRecPacket = 1 // a packet follows the header
)

// pktap prints a PKTAP header and the packet it wraps (tcpdump's
// pktap_if_print).
func (p *Printer) pktap(b []byte, length int) {
	p.proto = "pktap"
	if length < pktapHdrLen {
		p.f(" (packet too short, %d < %d)", length, pktapHdrLen)
		p.s(" (invalid)")
		return
	}
	dlt := le32(p, b, pktapDLT)
	hdrLen := int(le32(p, b, pktapLen))
	if hdrLen < pktapHdrLen {
		p.f(" (pkt_len too small, %d < %d)", hdrLen, pktapHdrLen)
		p.s(" (invalid)")
		return
	}
	if hdrLen > length {
		p.f(" (pkt_len too big, %d > %d)", uint32(hdrLen), length)
		p.s(" (invalid)")
		return
	}
	p.need(b, hdrLen)
	if p.opt.LinkHeader {
		p.pktapHeader(dlt, uint32(hdrLen), length)
	}
	payload := b[hdrLen:]
	switch le32(p, b, pktapRecType) {
	case pktapRecNone:
		p.s("no data")
	case pktapRecPacket:
		// The inner printer adds its header length to p.llHdrLen, and
		// tcpdump adds that once more with the PKTAP header's: -x skips
		// the inner header twice, and so does this package.
		if p.dlt(dlt, payload, length-hdrLen) {
			hdrLen += p.llHdrLen
		} else {
			if !p.opt.LinkHeader {
				p.pktapHeader(dlt, uint32(hdrLen), length)
			}
			p.unknownPayload(payload)
		}
	}
	p.llHdrLen += hdrLen
}

// pktapHeader prints "DLT EN10MB (1) len 108, length 182: " (tcpdump's
// pktap_header_print).
func (p *Printer) pktapHeader(dlt, hdrLen uint32, length int) {
	name := dltName(dlt)
	if !p.opt.Quiet {
		p.s("DLT ")
		p.s(name)
		p.s(" (")
		p.u(uint64(dlt))
		p.s(") len ")
		p.u(uint64(hdrLen))
	} else {
		p.s(name)
	}
	p.s(", length ")
	p.u(uint64(length))
	p.s(": ")
}

// dltName is libpcap's name for a DLT_ value (pcap_datalink_val_to_name),
// or "UNKNOWN". The pcap package names LINKTYPE_ values by the DLT_ they
// map to; a DLT_ value has a name when it is a LINKTYPE_ value that maps
// to itself.
func dltName(dlt uint32) string {
	lt := pcap.LinkType(dlt)
	if lt.Known() && lt.DLT() == int(dlt) {
		return lt.String()
	}
	return "UNKNOWN"
}

// le32 reads a little-endian 32-bit value, stopping the packet if it was
// not captured.
func le32(p *Printer, b []byte, off int) uint32 {
	if off < 0 || off+4 > len(b) {
		p.trunc()
	}
	return binary.LittleEndian.Uint32(b[off:])
}
