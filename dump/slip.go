package dump

import "github.com/medina-net/medina/ipv4"

// SLIP as tcpdump's print-sl.c prints it (DLT_SLIP): a 16-byte header
// that BPF puts in front of each packet, the direction and the first
// bytes of a Van Jacobson compressed header (RFC 1144), then IPv4 or IPv6
// by the version. With -e the header is decoded, and tcpdump keeps, from
// packet to packet, the connection of the last compressed TCP header and
// the data length of each connection, which the compressed headers print
// relative to.

const (
	slipHdrLen = 16
	slipDirOff = 0 // 0 in, 1 out
	slipCHdr   = 1 // the start of the (compressed) header

	// The type in the high bits of the first byte of a compressed
	// header (RFC 1144).
	slipTypeIP       = 0x40
	slipTypeUncompTC = 0x70
	slipTypeCompTCP  = 0x80

	// The change mask of a compressed TCP header.
	slipNewC         = 0x40
	slipNewI         = 0x20
	slipNewS         = 0x08
	slipNewA         = 0x04
	slipNewW         = 0x02
	slipNewU         = 0x01
	slipSpecialsMask = slipNewS | slipNewA | slipNewW | slipNewU
	slipSpecialI     = slipNewS | slipNewW | slipNewU
	slipSpecialD     = slipNewS | slipNewA | slipNewW | slipNewU
)

// slipState is what tcpdump keeps between SLIP packets.
type slipState struct {
	lastLen  [2][256]uint32
	lastConn uint8
	started  bool // lastConn holds tcpdump's initial 255 until set
}

// slip prints a DLT_SLIP packet (tcpdump's sl_if_print).
func (p *Printer) slip(b []byte, length int) {
	p.proto = "slip"
	if !p.slipState.started {
		p.slipState.started, p.slipState.lastConn = true, 255
	}
	p.need(b, slipHdrLen)
	p.llHdrLen += slipHdrLen
	length -= slipHdrLen
	ip := b[slipHdrLen:]
	if p.opt.LinkHeader {
		p.slipLink(b, ip, length)
	}
	switch v := p.get8(ip, 0) >> 4; v {
	case 4:
		p.ip(ip, length)
	case 6:
		p.ip6(ip, length)
	default:
		p.s("ip v")
		p.u(uint64(v))
	}
}

// slipLink prints the SLIP header for -e (tcpdump's sliplink_print).
func (p *Printer) slipLink(b, ip []byte, length int) {
	dir := int(p.get8(b, slipDirOff))
	switch dir {
	case 0:
		p.s("I ")
	case 1:
		p.s("O ")
	default:
		p.s("Invalid direction ")
		p.d(int64(dir))
		p.c(' ')
		dir = -1
	}
	st := &p.slipState
	switch chdr := p.get8(b, slipCHdr); chdr & 0xf0 {
	case slipTypeIP:
		p.s("ip ")
		p.u(uint64(uint32(length + slipHdrLen)))
		p.s(": ")
	case slipTypeUncompTC:
		// The connection number is in the protocol field of the IP
		// header the link layer saw.
		st.lastConn = p.get8(b, slipCHdr+9)
		p.s("utcp ")
		p.u(uint64(st.lastConn))
		p.s(": ")
		if dir == -1 {
			return
		}
		st.lastLen[dir][st.lastConn] = uint32(length) - p.slipTCPIPHdrLen(ip)
	default:
		if dir == -1 {
			return
		}
		if chdr&slipTypeCompTCP != 0 {
			p.slipCompressed(b[slipCHdr:], ip, length, dir)
			p.s(": ")
		} else {
			p.s("slip-")
			p.u(uint64(chdr))
			p.s("!: ")
		}
	}
}

// slipTCPIPHdrLen returns the length of the IPv4 and TCP headers at ip,
// from their length fields.
func (p *Printer) slipTCPIPHdrLen(ip []byte) uint32 {
	p.need(ip, ipv4.MinHeaderLen)
	hlen := int(ip[0]&0x0f) * 4
	return uint32(hlen) + uint32(p.get8(ip, hlen+12)>>4)*4
}

// slipCompressed prints a compressed TCP header (tcpdump's
// compressed_sl_print).
func (p *Printer) slipCompressed(chdr, ip []byte, length, dir int) {
	st := &p.slipState
	off := 0
	flags := p.get8(chdr, off)
	off++
	if flags&slipNewC != 0 {
		st.lastConn = p.get8(chdr, off)
		off++
		p.s("ctcp ")
		p.u(uint64(st.lastConn))
	} else {
		p.s("ctcp *")
	}
	off += 2 // the TCP checksum
	switch flags & slipSpecialsMask {
	case slipSpecialI:
		p.s(" *SA+")
		p.u(uint64(st.lastLen[dir][st.lastConn]))
	case slipSpecialD:
		p.s(" *S+")
		p.u(uint64(st.lastLen[dir][st.lastConn]))
	default:
		if flags&slipNewU != 0 {
			off = p.slipChange(chdr, off, "U=")
		}
		if flags&slipNewW != 0 {
			off = p.slipWinChange(chdr, off)
		}
		if flags&slipNewA != 0 {
			off = p.slipChange(chdr, off, "A+")
		}
		if flags&slipNewS != 0 {
			off = p.slipChange(chdr, off, "S+")
		}
	}
	if flags&slipNewI != 0 {
		off = p.slipChange(chdr, off, "I+")
	}
	st.lastLen[dir][st.lastConn] = uint32(length) - p.slipTCPIPHdrLen(ip)
	p.c(' ')
	p.u(uint64(st.lastLen[dir][st.lastConn]))
	p.s(" (")
	p.d(int64(off))
	p.c(')')
}

// slipChange prints a delta of a compressed header: one byte, or 0 and
// two more.
func (p *Printer) slipChange(b []byte, off int, what string) int {
	v := uint32(p.get8(b, off))
	off++
	if v == 0 {
		v = uint32(p.get16(b, off))
		off += 2
	}
	p.c(' ')
	p.s(what)
	p.u(uint64(v))
	return off
}

// slipWinChange prints a window delta, signed.
func (p *Printer) slipWinChange(b []byte, off int) int {
	v := int16(p.get8(b, off))
	off++
	if v == 0 {
		v = int16(p.get16(b, off))
		off += 2
	}
	if v >= 0 {
		p.s(" W+")
	} else {
		p.s(" W")
	}
	p.d(int64(v))
	return off
}
