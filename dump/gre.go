package dump

import (
	"github.com/medina-net/medina/ethernet"
	"github.com/medina-net/medina/ipv4"
)

// GRE, version 0 (RFC 1701, RFC 2784, RFC 2890) and version 1, the
// enhanced GRE of PPTP (RFC 2637), as tcpdump's print-gre.c prints it.
//
// The GRE printer checks its header fields against the captured data and
// against the length the IP header gives, and when either runs out it
// prints " [|gre]" and returns: the packet is not abandoned, so -x still
// skips the link-layer header.

// Bits of the first 16-bit word of the GRE header.
const (
	greChecksum = 0x8000 // checksum (and offset) present
	greRouting  = 0x4000 // routing present: offset and source route entries
	greKey      = 0x2000 // key present; in version 1, payload length and call ID
	greSeq      = 0x1000 // sequence number present
	greStrictSR = 0x0800 // strict source route
	greAck      = 0x0080 // version 1: acknowledgment number present
	greVersion  = 0x0007
)

// greFlagNames is tcpdump's gre_flag_values.
var greFlagNames = []tok{
	{greChecksum, "checksum present"}, {greRouting, "routing present"},
	{greKey, "key present"}, {greSeq, "sequence# present"},
	{greStrictSR, "source routing present"}, {greAck, "ack present"},
}

// Address families of GRE source route entries (RFC 1701).
const (
	greSREIPv4 = 0x0800
	greSREASN  = 0xfffe
)

// EtherTypes GRE carries that the ethernet package does not name.
const (
	etherTypePPP = 0x880b
	etherTypeTEB = 0x6558 // transparent Ethernet bridging
)

// greMsg walks a GRE header: off is the offset of the next field in b, the
// captured bytes, and rem how many bytes the IP header says are left.
type greMsg struct {
	p   *Printer
	b   []byte
	off int
	rem int
}

// has reports whether the next n bytes were captured and are within the
// datagram, and prints " [|gre]" when not.
func (g *greMsg) has(n int) bool {
	if g.off+n > len(g.b) || g.rem < n {
		g.p.s(" [|gre]")
		return false
	}
	return true
}

func (g *greMsg) skip(n int) {
	g.off += n
	g.rem -= n
}

func (g *greMsg) u16() uint16 {
	v := be16(g.b[g.off:])
	g.skip(2)
	return v
}

func (g *greMsg) u32() uint32 {
	v := be32(g.b[g.off:])
	g.skip(4)
	return v
}

// gre prints a GRE packet of the given length, the payload of an IP
// datagram (tcpdump's gre_print).
func (p *Printer) gre(b []byte, length int) {
	p.proto = "gre"
	if len(b) < 2 || length < 2 {
		p.s(" [|gre]")
		return
	}
	flags := be16(b)
	p.s("GREv")
	p.u(uint64(flags & greVersion))
	g := greMsg{p: p, b: b, off: 2, rem: length - 2}
	switch flags & greVersion {
	case 0:
		p.greV0(&g, flags, length)
	case 1:
		p.greV1(&g, flags, length)
	default:
		p.s(" ERROR: unknown-version")
	}
}

// greFlags prints ", Flags [...]" with -v.
func (p *Printer) greFlags(flags uint16) {
	if p.opt.Verbose > 0 {
		p.s(", Flags [")
		p.bittok2str(greFlagNames, "none", uint32(flags), ", ")
		p.c(']')
	}
}

// greTail prints what ends the GRE header's line: the protocol with -e,
// the length, and the separator before the payload, a colon or, with -v, a
// new line.
func (p *Printer) greTail(proto uint16, length int, payload bool) {
	if p.opt.LinkHeader {
		p.s(", proto ")
		p.tok2str(etherTypeNames, "unknown", uint32(proto))
		p.s(" (0x")
		p.xw(uint64(proto), 4)
		p.c(')')
	}
	p.s(", length ")
	p.u(uint64(length))
	if !payload {
		return
	}
	if p.opt.Verbose < 1 {
		p.s(": ")
	} else {
		p.s("\n\t")
	}
}

// greUnknown prints a payload protocol the GRE printer does not hand on.
// This package has no MPLS, AppleTalk or OSI printer; for those too it prints
// what tcpdump prints for a protocol it does not know.
func (p *Printer) greUnknown(proto uint16) {
	p.s("gre-proto-0x")
	p.x(uint64(proto))
}

// greV0 prints the rest of a version 0 header and its payload.
func (p *Printer) greV0(g *greMsg, flags uint16, length int) {
	p.greFlags(flags)
	if !g.has(2) {
		return
	}
	proto := g.u16()
	if flags&(greChecksum|greRouting) != 0 {
		if !g.has(2) {
			return
		}
		sum := g.u16()
		if p.opt.Verbose > 0 {
			p.s(", sum 0x")
			p.x(uint64(sum))
		}
		if !g.has(2) {
			return
		}
		p.s(", off 0x")
		p.x(uint64(g.u16()))
	}
	if flags&greKey != 0 {
		if !g.has(4) {
			return
		}
		p.s(", key=0x")
		p.x(uint64(g.u32()))
	}
	if flags&greSeq != 0 {
		if !g.has(4) {
			return
		}
		p.s(", seq ")
		p.u(uint64(g.u32()))
	}
	if flags&greRouting != 0 {
		for {
			if !g.has(4) {
				return
			}
			af := g.u16()
			sreOff, sreLen := g.b[g.off], g.b[g.off+1]
			g.skip(2)
			if af == 0 && sreLen == 0 {
				break
			}
			if !p.greSRE(g, af, sreOff, sreLen) || g.rem < int(sreLen) {
				p.s(" [|gre]")
				return
			}
			g.skip(int(sreLen))
		}
	}
	p.greTail(proto, length, true)

	b, rem := g.b[g.off:], g.rem
	switch ethernet.Type(proto) {
	case ethernet.TypeIPv4:
		p.ip(b, rem)
	case ethernet.TypeIPv6:
		p.ip6(b, rem)
	case etherTypeIPX:
		p.ipx(b, rem)
	case etherTypeTEB:
		p.ether(b, rem)
	default:
		p.greUnknown(proto)
	}
}

// greSRE prints a source route entry of the given address family, whose
// addresses start at g.off, and reports false when it runs off the data
// (tcpdump's gre_sre_print). It does not move g.
func (p *Printer) greSRE(g *greMsg, af uint16, sreOff, sreLen uint8) bool {
	var size uint8
	switch af {
	case greSREIPv4:
		p.s(", (rtaf=ip")
		size = 4
	case greSREASN:
		p.s(", (rtaf=asn")
		size = 2
	default:
		p.s(", (rtaf=0x")
		p.x(uint64(af))
		p.c(')')
		return true
	}
	ok := p.greSREEntries(g, sreOff, sreLen, size)
	p.c(')')
	return ok
}

// greSREEntries prints the IPv4 addresses (size 4) or AS numbers (size 2)
// of a source route entry, the one the offset points at marked with "*".
func (p *Printer) greSREEntries(g *greMsg, sreOff, sreLen, size uint8) bool {
	switch {
	case sreOff%size != 0:
		p.s(", badoffset=")
		p.u(uint64(sreOff))
		return true
	case sreLen%size != 0:
		p.s(", badlength=")
		p.u(uint64(sreLen))
		return true
	case sreOff >= sreLen:
		p.s(", badoff/len=")
		p.u(uint64(sreOff))
		p.c('/')
		p.u(uint64(sreLen))
		return true
	}
	off, rem := g.off, g.rem
	for at := uint8(0); at != sreLen; at += size {
		if off+int(size) > len(g.b) || rem < int(size) {
			return false
		}
		p.c(' ')
		if at == sreOff {
			p.c('*')
		}
		if size == 4 {
			p.out = ipv4.Addr(g.b[off : off+4]).AppendTo(p.out)
		} else {
			p.x(uint64(be16(g.b[off:])))
		}
		off += int(size)
		rem -= int(size)
	}
	return true
}

// greV1 prints the rest of an enhanced GRE header (PPTP) and the PPP frame
// it carries.
func (p *Printer) greV1(g *greMsg, flags uint16, length int) {
	p.greFlags(flags)
	if !g.has(2) {
		return
	}
	proto := g.u16()
	if flags&greKey != 0 {
		if !g.has(4) {
			return
		}
		// The key field holds the payload length and the call ID.
		p.s(", call ")
		p.u(uint64(g.u32() & 0xffff))
	}
	if flags&greSeq != 0 {
		if !g.has(4) {
			return
		}
		p.s(", seq ")
		p.u(uint64(g.u32()))
	}
	if flags&greAck != 0 {
		if !g.has(4) {
			return
		}
		p.s(", ack ")
		p.u(uint64(g.u32()))
	}
	payload := flags&greSeq != 0
	if !payload {
		// Only packets with a sequence number carry a payload.
		p.s(", no-payload")
	}
	p.greTail(proto, length, payload)
	if !payload {
		return
	}
	if proto == etherTypePPP {
		p.ppp(g.b[g.off:], g.rem)
		return
	}
	p.greUnknown(proto)
}
