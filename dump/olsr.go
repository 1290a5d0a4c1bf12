package dump

import (
	"math/bits"
	"strconv"
)

// OLSR as tcpdump's print-olsr.c prints it (RFC 3626, with olsr.org's
// link-quality, name-service and smart-gateway extensions): the version
// (which follows the IP version, as the addresses in the messages do),
// sequence number and length, and with -v every message with its header
// and body. tcpdump's quirks are kept: the neighbours of a Hello or TC
// are all on one line and the IPv6 HNA networks are all numbered #0.

// portOLSR is OLSR's UDP port.
const portOLSR = 698

// Message types.
const (
	olsrHello       = 1
	olsrTC          = 2
	olsrMID         = 3
	olsrHNA         = 4
	olsrPowerInfo   = 128
	olsrNameService = 130
	olsrHelloLQ     = 201
	olsrTCLQ        = 202
)

// Lengths of the fixed parts.
const (
	olsrCommonLen    = 4  // packet length, sequence number
	olsrMsg4Len      = 12 // message header with an IPv4 originator
	olsrMsg6Len      = 24 // with an IPv6 one
	olsrHelloLen     = 4  // reserved, hello time, willingness
	olsrHelloLinkLen = 4  // link code, reserved, length
	olsrTCLen        = 4  // ANSN, reserved
)

// Smart-gateway flags, in the second byte of an HNA's netmask.
const (
	olsrGWLinkSpeed  = 1 << 0
	olsrGWIPv4       = 1 << 1
	olsrGWIPv4NAT    = 1 << 2
	olsrGWIPv6       = 1 << 3
	olsrGWIPv6Prefix = 1 << 4
	olsrGWMaxSpeed   = 320000000
)

var olsrMsgNames = []tok{
	{olsrHello, "Hello"}, {olsrTC, "TC"}, {olsrMID, "MID"}, {olsrHNA, "HNA"},
	{olsrPowerInfo, "Powerinfo"}, {olsrNameService, "Nameservice"},
	{olsrHelloLQ, "Hello-LQ"}, {olsrTCLQ, "TC-LQ"},
}

var olsrLinkTypeNames = []tok{
	{0, "Unspecified"}, {1, "Asymmetric"}, {2, "Symmetric"}, {3, "Lost"},
}

var olsrNeighborTypeNames = []tok{
	{0, "Not-Neighbor"}, {1, "Symmetric"}, {2, "Symmetric-MPR"},
}

// olsr prints an OLSR packet (tcpdump's olsr_print). b holds what was
// captured of it; length is its length by UDP; v6 says the addresses in
// it are IPv6 ones.
func (p *Printer) olsr(b []byte, length int, v6 bool) {
	p.proto = "olsr"
	defer p.catchLocalTrunc()
	p.s("OLSRv")
	p.c(pick(v6, "6", "4")[0])
	if length < olsrCommonLen {
		p.truncHere()
	}
	p.needHere(b, olsrCommonLen)
	length = min(length, int(be16(b)))
	p.s(", seq 0x")
	p.xw(uint64(be16(b[2:])), 4)
	p.s(", length ")
	p.u(uint64(length))
	if p.opt.Verbose < 1 {
		return
	}
	addrLen, hdrLen := 4, olsrMsg4Len
	if v6 {
		addrLen, hdrLen = 16, olsrMsg6Len
	}
	for off := olsrCommonLen; off < length; {
		p.needHere(b, off+hdrLen)
		h := b[off:]
		typ := h[0]
		msgLen := int(be16(h[2:]))
		valid := msgLen >= hdrLen && msgLen <= length
		// tcpdump stops here rather than loop for ever.
		if typ == 0 || msgLen == 0 {
			return
		}
		p.s("\n\t")
		p.tok2str(olsrMsgNames, "Unknown", uint32(typ))
		p.s(" Message (0x")
		p.xw(uint64(typ), 2)
		p.s("), originator ")
		p.olsrAddr(h[4:], v6)
		p.s(", ttl ")
		p.u(uint64(h[4+addrLen]))
		p.s(", hop ")
		p.u(uint64(h[5+addrLen]))
		p.s("\n\t  vtime ")
		p.olsrTime(h[1])
		p.s("s, msg-seq 0x")
		p.xw(uint64(be16(h[6+addrLen:])), 4)
		p.s(", length ")
		p.u(uint64(msgLen))
		if !valid {
			p.s(" (invalid)")
			return
		}
		p.olsrMessage(b, off+hdrLen, msgLen-hdrLen, typ, v6)
		off += msgLen
	}
}

// olsrAddr prints the IPv4 or IPv6 address at the start of a, which
// holds it.
func (p *Printer) olsrAddr(a []byte, v6 bool) {
	if v6 {
		p.out = appendIPv6(p.out, a[:16])
	} else {
		p.out = appendIPv4(p.out, a[:4])
	}
}

// olsrTime prints a validity or hello time, a mantissa and exponent of
// 1/16 s, in seconds with three decimals.
func (p *Printer) olsrTime(me uint8) {
	v := 0.0625 * (1 + float64(me>>4)/16) * float64(uint32(1)<<(me&0x0f))
	p.out = strconv.AppendFloat(p.out, v, 'f', 3, 64)
}

// olsrMessage prints the body of a message of type typ, the n bytes at
// b[off:].
func (p *Printer) olsrMessage(b []byte, off, n int, typ uint8, v6 bool) {
	addrLen := 4
	if v6 {
		addrLen = 16
	}
	switch typ {
	case olsrHello, olsrHelloLQ:
		if n < olsrHelloLen {
			p.truncHere()
		}
		p.needHere(b, off+olsrHelloLen)
		p.s("\n\t  hello-time ")
		p.olsrTime(b[off+2])
		p.s("s, MPR willingness ")
		p.u(uint64(b[off+3]))
		off += olsrHelloLen
		n -= olsrHelloLen
		for n >= olsrHelloLinkLen {
			p.needHere(b, off+olsrHelloLinkLen)
			linkCode := b[off]
			hlen := int(be16(b[off+2:]))
			valid := hlen <= n && hlen >= olsrHelloLinkLen
			p.s("\n\t    link-type ")
			p.tok2str(olsrLinkTypeNames, "Unknown", uint32(linkCode&3))
			p.s(", neighbor-type ")
			p.tok2str(olsrNeighborTypeNames, "Unknown", uint32(linkCode>>2))
			p.s(", len ")
			p.u(uint64(hlen))
			if !valid {
				p.s(" (invalid)")
				break
			}
			off += olsrHelloLinkLen
			n -= olsrHelloLinkLen
			hlen -= olsrHelloLinkLen
			p.needHere(b, off+hlen)
			if typ == olsrHello {
				p.olsrNeighbors(b, off, hlen)
			} else {
				p.olsrLQNeighbors(b, off, hlen, addrLen)
			}
			off += hlen
			n -= hlen
		}
	case olsrTC, olsrTCLQ:
		if n < olsrTCLen {
			p.truncHere()
		}
		p.needHere(b, off+olsrTCLen)
		p.s("\n\t    advertised neighbor seq 0x")
		p.xw(uint64(be16(b[off:])), 4)
		off += olsrTCLen
		n -= olsrTCLen
		if typ == olsrTC {
			p.olsrNeighbors(b, off, n)
		} else {
			p.olsrLQNeighbors(b, off, n, addrLen)
		}
	case olsrMID:
		for ; n >= addrLen; n -= addrLen {
			p.needHere(b, off+addrLen)
			p.s("\n\t  interface address ")
			p.olsrAddr(b[off:], v6)
			off += addrLen
		}
	case olsrHNA:
		p.olsrHNA(b, off, n, v6)
	case olsrNameService:
		p.olsrNameService(b, off, n, addrLen, v6)
	default:
		p.unknownData(b, off, "\n\t    ", n)
	}
}

// olsrNeighbors prints the IPv4 neighbour addresses in the n bytes at
// b[off:] (tcpdump's olsr_print_neighbor, which meant to put four on a
// line but never counts them).
func (p *Printer) olsrNeighbors(b []byte, off, n int) {
	p.s("\n\t      neighbor\n\t\t")
	for ; n >= 4; n -= 4 {
		p.need(b, off+4)
		p.out = appendIPv4(p.out, b[off:off+4])
		p.c(' ')
		off += 4
	}
}

// olsrLQNeighbors prints the neighbours in the n bytes at b[off:] with
// their link qualities, each an address, two quality bytes and two
// reserved ones.
func (p *Printer) olsrLQNeighbors(b []byte, off, n, addrLen int) {
	size := addrLen + 4
	for ; n >= size; n -= size {
		p.needHere(b, off+size)
		a := b[off : off+size]
		off += size
		p.s("\n\t      neighbor ")
		p.olsrAddr(a, addrLen == 16)
		p.s(", link-quality ")
		p.olsrPercent(a[addrLen])
		p.s(", neighbor-link-quality ")
		p.olsrPercent(a[addrLen+1])
	}
}

// olsrPercent prints a link quality of 255ths as a percentage.
func (p *Printer) olsrPercent(q uint8) {
	p.out = strconv.AppendFloat(p.out, float64(q)/2.55, 'f', 2, 64)
	p.c('%')
}

// olsrHNA prints the networks of an HNA message, the n bytes at b[off:].
func (p *Printer) olsrHNA(b []byte, off, n int, v6 bool) {
	size := 8
	if v6 {
		size = 32
	}
	p.s("\n\t  Advertised networks (total ")
	p.u(uint64(n / size))
	p.c(')')
	col := 0
	for ; n >= size; n -= size {
		p.needHere(b, off+size)
		e := b[off : off+size]
		off += size
		if v6 {
			p.s("\n\t    #0: ")
			p.out = appendIPv6(p.out, e[:16])
			p.c('/')
			p.u(uint64(olsrMask6Len(e[16:32])))
			continue
		}
		p.s(pick(col == 0, "\n\t    ", ", "))
		col = (col + 1) % 4
		if be32(e) == 0 && e[4] == 0 && e[5] != 0 {
			p.olsrSmartGateway(e[4:8])
			continue
		}
		p.out = appendIPv4(p.out, e[:4])
		p.c('/')
		p.u(uint64(uint32(olsrMask4Len(be32(e[4:])))))
	}
}

// olsrSmartGateway prints a smart gateway's flags and link speeds, which
// it announces in the netmask of a default route.
func (p *Printer) olsrSmartGateway(m []byte) {
	flags := m[1]
	p.s("Smart-Gateway:")
	for _, f := range []struct {
		bit  uint8
		name string
	}{
		{olsrGWLinkSpeed, " LINKSPEED"}, {olsrGWIPv4, " IPV4"},
		{olsrGWIPv4NAT, " IPV4-NAT"}, {olsrGWIPv6, " IPV6"},
		{olsrGWIPv6Prefix, " IPv6-PREFIX"},
	} {
		if flags&f.bit != 0 {
			p.s(f.name)
		}
	}
	var up, down uint32
	if flags&olsrGWLinkSpeed != 0 {
		up, down = olsrGWSpeed(m[2]), olsrGWSpeed(m[3])
	}
	p.c(' ')
	p.u(uint64(up))
	p.c('/')
	p.u(uint64(down))
}

// olsrGWSpeed decodes a smart gateway's link speed, a mantissa of five
// bits and a decimal exponent of three.
func olsrGWSpeed(v uint8) uint32 {
	switch v {
	case 0:
		return 0
	case 0xff:
		return olsrGWMaxSpeed
	}
	speed := uint32(v>>3) + 1
	for e := v & 7; e != 0; e-- {
		speed *= 10
	}
	return speed
}

// olsrMask4Len returns the prefix length of a contiguous IPv4 netmask, or
// -1 (tcpdump's mask2plen).
func olsrMask4Len(mask uint32) int {
	n := bits.LeadingZeros32(^mask)
	if n < 32 && mask<<n != 0 {
		return -1
	}
	return n
}

// olsrMask6Len returns the prefix length of an IPv6 netmask the way
// tcpdump's mask62plen counts it: the leading one bits, up to and
// including the first byte that is not all ones if it is a prefix of
// ones, whatever follows.
func olsrMask6Len(mask []byte) int {
	n := 0
	for _, c := range mask {
		if lead := bits.LeadingZeros8(^c); c<<lead == 0 {
			n += lead
		}
		if c != 0xff {
			break
		}
	}
	return n
}

// olsrNameService prints the entries of a name-service message, the n
// bytes at b[off:].
func (p *Printer) olsrNameService(b []byte, off, n, addrLen int, v6 bool) {
	if n < 4 {
		p.truncHere()
	}
	entries := int(p.get16(b, off+2))
	valid := entries > 0 && entries*(4+addrLen) <= n
	version := p.get16(b, off)
	p.s("\n\t  Version ")
	p.u(uint64(version))
	p.s(", Entries ")
	p.u(uint64(entries))
	if !valid {
		p.s(" (invalid)")
		return
	}
	off += 4
	n -= 4
	for i := 0; i < entries; i++ {
		if n < 4 {
			break
		}
		typ := p.get16(b, off)
		elen := int(p.get16(b, off+2))
		off += 4
		n -= 4
		valid := elen > 0 && addrLen+elen <= n
		p.s("\n\t    #")
		p.u(uint64(i))
		p.s(": type ")
		if typ == 0 {
			p.s("000000")
		} else {
			p.s("0x")
			p.xw(uint64(typ), 4)
		}
		p.s(", length ")
		p.u(uint64(elen))
		if !valid {
			p.s(" (invalid)")
			break
		}
		pad := 0
		if elen%4 != 0 {
			pad = 4 - elen%4
		}
		if n < addrLen+elen+pad {
			p.truncHere()
		}
		p.needHere(b, off+addrLen+elen+pad)
		p.s(", address ")
		p.olsrAddr(b[off:], v6)
		p.s(", name \"")
		p.printN(b[off+addrLen:], elen)
		p.c('"')
		off += addrLen + elen + pad
		n -= addrLen + elen + pad
	}
}
