package dump

import "time"

// AHCP, the Ad-Hoc Configuration Protocol, as tcpdump's print-ahcp.c
// prints it: the version, with -v the header's hop counts, nonce and
// source and destination IDs and the message type and length, and with
// -vv every option of the body, a line each.

// portAHCP is AHCP's UDP port.
const portAHCP = 5359

// Header values and lengths.
const (
	ahcpMagic        = 43
	ahcpVersion1     = 1
	ahcpHeaderLen    = 24 // magic, version, hop counts, nonce, two IDs
	ahcpBodyMinLen   = 4  // type, MBZ, length
	ahcpIDLen        = 8
	ahcpOptPad       = 0
	ahcpOptMandatory = 1
)

var ahcpMsgNames = []tok{
	{0, "Discover"}, {1, "Offer"}, {2, "Request"}, {3, "Ack"}, {4, "Nack"},
	{5, "Release"},
}

var ahcpOptNames = []tok{
	{0, "Pad"}, {1, "Mandatory"}, {2, "Origin Time"}, {3, "Expires"},
	{4, "My-IPv6-Address"}, {5, "My-IPv4-Address"}, {6, "IPv6 Prefix"},
	{7, "IPv4 Prefix"}, {8, "IPv6 Address"}, {9, "IPv4 Address"},
	{10, "IPv6 Prefix Delegation"}, {11, "IPv4 Prefix Delegation"},
	{12, "Name Server"}, {13, "NTP Server"},
}

// How the value of each option is printed, by option number; options
// without one print their length.
const (
	ahcpValNone = iota
	ahcpValTime
	ahcpValSeconds
	ahcpValIPv6
	ahcpValIPv4
	ahcpValIPv6Prefix
	ahcpValIPv4Prefix
)

var ahcpOptValues = [...]uint8{
	2: ahcpValTime, 3: ahcpValSeconds, 4: ahcpValIPv6, 5: ahcpValIPv4,
	6: ahcpValIPv6Prefix, 8: ahcpValIPv6, 9: ahcpValIPv4,
	10: ahcpValIPv6Prefix, 11: ahcpValIPv4Prefix, 12: ahcpValIPv6,
	13: ahcpValIPv6,
}

// ahcp prints an AHCP message (tcpdump's ahcp_print). b holds what was
// captured of it; length is its length by UDP.
func (p *Printer) ahcp(b []byte, length int) {
	p.proto = "ahcp"
	p.s("AHCP")
	if length < 2 || p.get8(b, 0) != ahcpMagic {
		p.ahcpInvalid(b, 0, length)
		return
	}
	version := p.get8(b, 1)
	off, n := 2, length-2
	if version != ahcpVersion1 {
		p.s(" Version ")
		p.u(uint64(version))
		p.s(" (unknown)")
		p.need(b, off+n)
		return
	}
	p.s(" Version 1")
	if n < ahcpHeaderLen-2 {
		p.ahcpInvalid(b, off, n)
		return
	}
	if p.opt.Verbose == 0 {
		p.need(b, ahcpHeaderLen)
	} else {
		// Field by field, as far as they were captured.
		hops := p.get8(b, 2)
		p.s("\n\tHopcount ")
		p.u(uint64(hops))
		orig := p.get8(b, 3)
		p.s(", Original Hopcount ")
		p.u(uint64(orig))
		nonce := p.get32(b, 4)
		p.s(", Nonce 0x")
		p.xw(uint64(nonce), 8)
		p.need(b, 8+ahcpIDLen)
		p.s(", Source Id ")
		p.hexColons(b[8 : 8+ahcpIDLen])
		p.need(b, 16+ahcpIDLen)
		p.s(", Destination Id ")
		p.hexColons(b[16 : 16+ahcpIDLen])
	}
	p.ahcpBody(b, ahcpHeaderLen, length-ahcpHeaderLen)
}

// ahcpInvalid prints tcpdump's mark of a malformed message, and stops
// the packet if the n bytes at b[off:] were not all captured.
func (p *Printer) ahcpInvalid(b []byte, off, n int) {
	p.s(" (invalid)")
	p.need(b, off+n)
}

// ahcpBody prints the n bytes of a message's body at b[off:] (tcpdump's
// ahcp1_body_print).
func (p *Printer) ahcpBody(b []byte, off, n int) {
	if n < ahcpBodyMinLen {
		p.ahcpInvalid(b, off, n)
		return
	}
	typ := p.get8(b, off)
	mbz := p.get8(b, off+1)
	bodyLen := int(p.get16(b, off+2))
	off += 4
	n -= 4
	if p.opt.Verbose > 0 {
		p.s("\n\t")
		p.tok2str(ahcpMsgNames, "Unknown-%d", uint32(typ))
		if mbz != 0 {
			p.s(", MBZ ")
			p.u(uint64(mbz))
		}
		p.s(", Length ")
		p.u(uint64(bodyLen))
	}
	if bodyLen > n {
		p.ahcpInvalid(b, off, n)
		return
	}
	// The options end at the body's length; what follows is ignored.
	if p.opt.Verbose >= 2 {
		p.ahcpOptions(b, off, bodyLen)
	} else {
		p.need(b, off+bodyLen)
	}
}

// ahcpOptions prints the options in the n bytes at b[off:], a line each
// (tcpdump's ahcp1_options_print).
func (p *Printer) ahcpOptions(b []byte, off, n int) {
	for n > 0 {
		opt := p.get8(b, off)
		off++
		n--
		p.s("\n\t ")
		p.tok2str(ahcpOptNames, "Unknown-%d", uint32(opt))
		if opt == ahcpOptPad || opt == ahcpOptMandatory {
			continue
		}
		if n == 0 {
			p.ahcpInvalid(b, off, n)
			return
		}
		olen := int(p.get8(b, off))
		off++
		n--
		if olen > n {
			p.ahcpInvalid(b, off, n)
			return
		}
		kind := uint8(ahcpValNone)
		if int(opt) < len(ahcpOptValues) {
			kind = ahcpOptValues[opt]
		}
		p.ahcpValue(b, off, olen, kind)
		off += olen
		n -= olen
	}
}

// ahcpValue prints the olen bytes of an option's value at b[off:] the
// way kind says.
func (p *Printer) ahcpValue(b []byte, off, olen int, kind uint8) {
	// The size of one item of a list, and whether it is followed by a
	// prefix length.
	var size int
	switch kind {
	case ahcpValNone:
		p.s(" (Length ")
		p.u(uint64(olen))
		p.c(')')
		p.need(b, off+olen)
		return
	case ahcpValTime, ahcpValSeconds:
		if olen != 4 {
			p.ahcpInvalid(b, off, olen)
			return
		}
		v := p.get32(b, off)
		if kind == ahcpValSeconds {
			p.s(": ")
			p.u(uint64(v))
			p.c('s')
			return
		}
		p.s(": ")
		p.out = time.Unix(int64(v), 0).UTC().AppendFormat(p.out, "2006-01-02 15:04:05")
		p.s(" UTC")
		return
	case ahcpValIPv6:
		size = 16
	case ahcpValIPv4:
		size = 4
	case ahcpValIPv6Prefix:
		size = 17
	case ahcpValIPv4Prefix:
		size = 5
	}
	sep := ": "
	for olen > 0 {
		if olen < size {
			p.ahcpInvalid(b, off, olen)
			return
		}
		p.need(b, off+size)
		p.s(sep)
		if size >= 16 {
			p.out = appendIPv6(p.out, b[off:off+16])
		} else {
			p.out = appendIPv4(p.out, b[off:off+4])
		}
		if size%4 == 1 {
			p.c('/')
			p.u(uint64(b[off+size-1]))
		}
		off += size
		olen -= size
		sep = ", "
	}
}
