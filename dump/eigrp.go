package dump

import "github.com/medina-net/medina/ipv4"

// EIGRP (RFC 7868) over IPv4 and IPv6, as tcpdump's print-eigrp.c prints
// it: the common header, and with -v its TLVs, those of IPv4 and AppleTalk
// decoded, the others (IPv6's among them) in hex.

const (
	eigrpHdrLen    = 20
	eigrpTLVHdrLen = 4
	eigrpVersion   = 2

	// TLV types.
	eigrpTLVGeneral   = 0x0001
	eigrpTLVSWVersion = 0x0004
	eigrpTLVIPInt     = 0x0102
	eigrpTLVIPExt     = 0x0103
	eigrpTLVATInt     = 0x0202
	eigrpTLVATExt     = 0x0203
	eigrpTLVATCable   = 0x0204

	// The fixed parts of the TLVs' values.
	eigrpGeneralLen = 8
	eigrpSWVerLen   = 4
	eigrpIPIntLen   = 22
	eigrpIPExtLen   = 42
	eigrpATCableLen = 8
	eigrpATIntLen   = 24
	eigrpATExtLen   = 40
)

var eigrpOpcodes = []tok{
	{1, "Update"}, {3, "Query"}, {4, "Reply"}, {5, "Hello"}, {6, "IPX SAP"}, {7, "Probe"},
}

var eigrpHeaderFlags = []tok{
	{0x01, "Init"}, {0x02, "Conditionally Received"}, {0x04, "Restart"}, {0x08, "End-of-Table"},
}

var eigrpTLVNames = []tok{
	{eigrpTLVGeneral, "General Parameters"}, {0x0002, "Authentication"}, {0x0003, "Sequence"},
	{eigrpTLVSWVersion, "Software Version"}, {0x0005, "Next Multicast Sequence"},
	{eigrpTLVIPInt, "IP Internal routes"}, {eigrpTLVIPExt, "IP External routes"},
	{eigrpTLVATInt, "AppleTalk Internal routes"}, {eigrpTLVATExt, "AppleTalk External routes"},
	{eigrpTLVATCable, "AppleTalk Cable setup"}, {0x0302, "IPX Internal routes"},
	{0x0303, "IPX External routes"},
}

var eigrpExtProtos = []tok{
	{0x01, "IGRP"}, {0x02, "EIGRP"}, {0x03, "Static"}, {0x04, "RIP"}, {0x05, "Hello"},
	{0x06, "OSPF"}, {0x07, "IS-IS"}, {0x08, "EGP"}, {0x09, "BGP"}, {0x0a, "IDRP"},
	{0x0b, "Connected"},
}

// eigrp prints an EIGRP packet of the given length (tcpdump's
// eigrp_print).
func (p *Printer) eigrp(b []byte, length int) {
	p.proto = "eigrp"
	if len(b) < eigrpHdrLen {
		p.s(" [|eigrp]")
		return
	}
	if v := b[0]; v != eigrpVersion {
		p.s("EIGRP version ")
		p.u(uint64(v))
		p.s(" packet not supported")
		return
	}
	opcode := uint32(b[1])
	if p.opt.Verbose == 0 || length < eigrpHdrLen {
		p.s("EIGRP ")
		p.tok2str(eigrpOpcodes, "unknown (%d)", opcode)
		p.s(", length: ")
		p.u(uint64(length))
		if p.opt.Verbose > 0 {
			p.s(" (too short, < 20)")
		}
		return
	}
	tlen := length - eigrpHdrLen
	p.s("\n\tEIGRP v")
	p.u(uint64(b[0]))
	p.s(", opcode: ")
	p.tok2str(eigrpOpcodes, "unknown, type: %d", opcode)
	p.s(" (")
	p.u(uint64(opcode))
	p.s("), chksum: 0x")
	p.xw(uint64(be16(b[2:])), 4)
	p.s(", Flags: [")
	p.bittok2str(eigrpHeaderFlags, "none", be32(b[4:]), ", ")
	p.s("]\n\tseq: 0x")
	p.xw(uint64(be32(b[8:])), 8)
	p.s(", ack: 0x")
	p.xw(uint64(be32(b[12:])), 8)
	p.s(", VRID: ")
	p.u(uint64(be16(b[16:])))
	p.s(", AS: ")
	p.u(uint64(be16(b[18:])))
	p.s(", length: ")
	p.u(uint64(tlen))

	off := eigrpHdrLen
	for tlen > 0 {
		if off+eigrpTLVHdrLen > len(b) {
			p.s(" [|eigrp]")
			return
		}
		typ, tlvLen := uint32(be16(b[off:])), int(be16(b[off+2:]))
		if tlvLen < eigrpTLVHdrLen || tlvLen > tlen {
			p.unknownData(b, off+eigrpTLVHdrLen, "\n\t    ", tlen)
			return
		}
		p.s("\n\t  ")
		p.tok2str(eigrpTLVNames, "Unknown", typ)
		p.s(" TLV (0x")
		p.xw(uint64(typ), 4)
		p.s("), length: ")
		p.u(uint64(tlvLen))
		if off+tlvLen > len(b) {
			p.s(" [|eigrp]")
			return
		}
		v := b[off+eigrpTLVHdrLen : off+tlvLen]
		p.eigrpTLV(typ, v, b[off+eigrpTLVHdrLen:])
		if p.opt.Verbose > 1 {
			p.unknownData(v, 0, "\n\t    ", len(v))
		}
		off += tlvLen
		tlen -= tlvLen
	}
}

// eigrpShort prints that a TLV's value is shorter than its type's fixed
// part, n bytes with the TLV header, and reports whether it was.
func (p *Printer) eigrpShort(v []byte, n int) bool {
	if len(v) >= n {
		return false
	}
	p.s(" (too short, < ")
	p.u(uint64(eigrpTLVHdrLen + n))
	p.c(')')
	return true
}

// eigrpTLV prints the value v, wholly captured, of a TLV of type typ;
// rest is what was captured from v on, which a route's prefix may run
// into, as tcpdump reads it.
func (p *Printer) eigrpTLV(typ uint32, v, rest []byte) {
	switch typ {
	case eigrpTLVGeneral:
		if p.eigrpShort(v, eigrpGeneralLen) {
			return
		}
		p.s("\n\t    holdtime: ")
		p.u(uint64(be16(v[6:])))
		p.c('s')
		for i, k := range v[:5] { // the metric's weights, K1 to K5
			p.s(", k")
			p.u(uint64(i + 1))
			p.c(' ')
			p.u(uint64(k))
		}
	case eigrpTLVSWVersion:
		if p.eigrpShort(v, eigrpSWVerLen) {
			return
		}
		p.s("\n\t    IOS version: ")
		p.u(uint64(v[0]))
		p.c('.')
		p.u(uint64(v[1]))
		p.s(", EIGRP version ")
		p.u(uint64(v[2]))
		p.c('.')
		p.u(uint64(v[3]))
	case eigrpTLVIPInt:
		if p.eigrpShort(v, eigrpIPIntLen) || !p.eigrpPrefix(rest, 20) {
			return
		}
		p.eigrpNextHop(v)
		p.eigrpMetric(v[4:])
	case eigrpTLVIPExt:
		if p.eigrpShort(v, eigrpIPExtLen) || !p.eigrpPrefix(rest, 40) {
			return
		}
		p.eigrpNextHop(v)
		p.s("\n\t      origin-router ")
		p.out = ipv4.Addr(v[4:8]).AppendTo(p.out)
		p.eigrpExternal(v, v[22], v[23], be32(v[16:]))
		p.eigrpMetric(v[24:])
	case eigrpTLVATCable:
		if p.eigrpShort(v, eigrpATCableLen) {
			return
		}
		p.s("\n\t    Cable-range: ")
		p.u(uint64(be16(v)))
		p.c('-')
		p.u(uint64(be16(v[2:])))
		p.s(", Router-ID ")
		p.u(uint64(be32(v[4:])))
	case eigrpTLVATInt:
		if p.eigrpShort(v, eigrpATIntLen) {
			return
		}
		p.eigrpATRange(v, 20)
		p.eigrpMetric(v[4:])
	case eigrpTLVATExt:
		if p.eigrpShort(v, eigrpATExtLen) {
			return
		}
		p.eigrpATRange(v, 36)
		p.s("\n\t      origin-router ")
		p.u(uint64(be32(v[4:])))
		p.eigrpExternal(v, v[16], v[17], uint32(be16(v[18:])))
		p.eigrpMetric(v[20:])
	default:
		if p.opt.Verbose <= 1 {
			p.unknownData(v, 0, "\n\t    ", len(v))
		}
	}
}

// eigrpExternal prints what an external route v, IPv4 or AppleTalk,
// says of where it came from after its origin router: the origin AS and
// the tag, at the same offsets in both, and the protocol, flags and
// metric, at offsets of each's own.
func (p *Printer) eigrpExternal(v []byte, proto, flags uint8, metric uint32) {
	p.s(", origin-as ")
	p.u(uint64(be32(v[8:])))
	p.s(", origin-proto ")
	p.tok2str(eigrpExtProtos, "unknown", uint32(proto))
	p.s(", flags [0x")
	p.xw(uint64(flags), 2)
	p.s("], tag 0x")
	p.xw(uint64(be32(v[12:])), 8)
	p.s(", metric ")
	p.u(uint64(metric))
}

// eigrpPrefix prints the destination prefix whose length is at v[off] and
// whose bytes follow it, as many as the length needs; it reports false
// for a length over 32.
func (p *Printer) eigrpPrefix(v []byte, off int) bool {
	bits := int(v[off])
	if bits > 32 {
		p.s("\n\t    illegal prefix length ")
		p.u(uint64(bits))
		return false
	}
	var prefix [4]byte
	copy(prefix[:], p.bytes(v, off+1, (bits+7)/8))
	var a [15]byte
	s := ipv4.Addr(prefix[:]).AppendTo(a[:0])
	p.s("\n\t    IPv4 prefix: ")
	for i := len(s); i < 15; i++ {
		p.c(' ')
	}
	p.out = append(p.out, s...)
	p.c('/')
	p.u(uint64(bits))
	return true
}

// eigrpNextHop prints an IPv4 route's next hop, "self" for 0.0.0.0.
func (p *Printer) eigrpNextHop(v []byte) {
	p.s(", nexthop: ")
	if be32(v) == 0 {
		p.s("self")
		return
	}
	p.out = ipv4.Addr(v[:4]).AppendTo(p.out)
}

// eigrpATRange prints an AppleTalk route's cable range, at v[off:], and
// next hop.
func (p *Printer) eigrpATRange(v []byte, off int) {
	p.s("\n\t     Cable-Range: ")
	p.u(uint64(be16(v[off:])))
	p.c('-')
	p.u(uint64(be16(v[off+2:])))
	p.s(", nexthop: ")
	if be32(v) == 0 {
		p.s("self")
		return
	}
	p.u(uint64(be16(v)))
	p.c('.')
	p.u(uint64(be16(v[2:])))
}

// eigrpMetric prints a route's vector metric: delay, bandwidth, MTU, hop
// count, reliability and load, at the start of m.
func (p *Printer) eigrpMetric(m []byte) {
	p.s("\n\t      delay ")
	p.u(uint64(be32(m) / 100))
	p.s(" ms, bandwidth ")
	p.u(uint64(be32(m[4:])))
	p.s(" Kbps, mtu ")
	p.u(uint64(uint32(m[8])<<16 | uint32(m[9])<<8 | uint32(m[10])))
	p.s(", hop ")
	p.u(uint64(m[11]))
	p.s(", reliability ")
	p.u(uint64(m[12]))
	p.s(", load ")
	p.u(uint64(m[13]))
}
