package dump

import (
	"encoding/binary"

	"github.com/medina-net/medina/ipv6"
)

// The mobility header of Mobile IPv6 (RFC 6275) as tcpdump's
// print-mobility.c prints it, read through ipv6.Mobility: the message
// type and its fixed fields, the cookies and tokens with -v, then with -v
// the mobility options. tcpdump does not verify its checksum.

// mhBUFlagNames are the flags of a binding update (tcpdump's
// ip6m_binding_update_bits), in the low 4 bits of ipv6.Mobility.BUFlags.
var mhBUFlagNames = []tok{{0x08, "A"}, {0x04, "H"}, {0x02, "L"}, {0x01, "K"}}

// Sizes tcpdump requires of the rest of the option area at a mobility
// option of its type, type and length bytes included, less those two:
// the data it reads.
const (
	mhRefreshData = 2  // refresh interval
	mhAltCoAData  = 16 // alternate care-of address
	mhNonceData   = 4  // home and care-of nonce indices
	mhAuthData    = 10 // authenticator, at least
)

// mobility prints the mobility header that b starts with (the datagram
// from it on, as captured; tcpdump's mobility_print).
func (p *Printer) mobility(b []byte) {
	p.proto = "mobility"
	hdrLen, typ, n := ipv6.MobilityFields(b)
	if n < 1 {
		p.s(" [|mobility]")
		return
	}
	mhlen := (int(hdrLen) + 1) * 8
	if n < 2 {
		p.trunc()
	}
	if fixed, known := typ.MinLen(); known && mhlen < fixed {
		p.s("(header length ")
		p.u(uint64(mhlen))
		p.s(" is too small for type ")
		p.u(uint64(typ))
		p.s(") [|mobility]")
		return
	}
	p.s("mobility: ")
	if _, known := typ.MinLen(); known {
		p.s(typ.String())
	} else {
		// typ.String() would allocate.
		p.s("type-#")
		p.u(uint64(typ))
	}
	m := ipv6.Mobility(b)
	v := p.opt.Verbose > 0
	switch typ {
	case ipv6.MobilityBRR:
	case ipv6.MobilityHoTI, ipv6.MobilityCoTI:
		if v {
			p.mhCookie(m, typ == ipv6.MobilityHoTI, " Init Cookie=", m.Cookie)
		}
	case ipv6.MobilityHoT, ipv6.MobilityCoT:
		// Each field is read before its words are printed, as tcpdump's
		// GET macros in the arguments of its ND_PRINT read it.
		nonce := p.mh16(m.NonceIndex())
		p.s(" nonce id=0x")
		p.x(uint64(nonce))
		if v {
			p.mhCookie(m, typ == ipv6.MobilityHoT, " Init Cookie=", m.Cookie)
			p.mhCookie(m, typ == ipv6.MobilityHoT, " Keygen Token=", m.KeygenToken)
		}
	case ipv6.MobilityBU:
		seq := p.mh16(m.Seq())
		p.s(" seq#=")
		p.u(uint64(seq))
		flags, ok := m.BUFlags()
		if !ok {
			// A check of tcpdump's own, not a read: the packet is not
			// abandoned (the -x dump still skips the link layer).
			p.s(" [|mobility]")
			return
		}
		if flags != 0 {
			p.c(' ')
			p.bittok2str(mhBUFlagNames, "bits-#0x%x", uint32(flags), "")
		}
		life := p.mh16(m.Lifetime())
		p.s(" lifetime=")
		p.u(uint64(life) << 2)
	case ipv6.MobilityBA:
		status := p.mh8(m.Status())
		p.s(" status=")
		p.u(uint64(status))
		if k, ok := m.BAKey(); !ok {
			p.trunc()
		} else if k {
			p.s(" K")
		}
		seq := p.mh16(m.Seq())
		p.s(" seq#=")
		p.u(uint64(seq))
		life := p.mh16(m.Lifetime())
		p.s(" lifetime=")
		p.u(uint64(life) << 2)
	case ipv6.MobilityBE:
		status := p.mh8(m.Status())
		p.s(" status=")
		p.u(uint64(status))
		a, ok := m.HomeAddr()
		if !ok {
			p.trunc()
		}
		p.s(" homeaddr ")
		p.out = a.AppendTo(p.out)
	default:
		p.s(" len=")
		p.u(uint64(hdrLen))
		return
	}
	if v && !p.mhOptions(m) {
		p.s(" [|mobility]")
	}
}

// mh8 and mh16 return a field of the mobility header, or stop the packet
// when it was not captured.
func (p *Printer) mh8(v uint8, ok bool) uint8 {
	if !ok {
		p.trunc()
	}
	return v
}

func (p *Printer) mh16(v uint16, ok bool) uint16 {
	if !ok {
		p.trunc()
	}
	return v
}

// mhCookie prints a 64-bit cookie or token as tcpdump does, two 32-bit
// halves: " Home Init Cookie=hhhhhhhh:llllllll".
func (p *Printer) mhCookie(m ipv6.Mobility, home bool, what string, field func() (uint64, bool)) {
	c, ok := field()
	if !ok {
		p.trunc()
	}
	if home {
		p.s(" Home")
	} else {
		p.s(" Care-of")
	}
	p.s(what)
	p.xw(c>>32, 8)
	p.c(':')
	p.xw(c&0xffffffff, 8)
}

// mhOptions prints the mobility options and reports false when they end
// in a malformed or truncated one (tcpdump's mobility_opt_print); it
// stops the packet where tcpdump's reads run off the capture. An
// option is read by the size its type has, past a length byte that says
// less (TLVIter.Span), and tcpdump wants the byte after each option
// captured.
func (p *Printer) mhOptions(m ipv6.Mobility) bool {
	it := m.Options()
	for t, ok := it.Next(); ok; t, ok = it.Next() {
		if t.Status == ipv6.OptionTruncated && len(t.Raw) < 2 && (len(t.Raw) == 0 || t.Type != 0) {
			// tcpdump reads the type and length bytes: running off the
			// capture there abandons the packet.
			p.trunc()
		}
		// The rest are checks of tcpdump's own, which stop the options
		// only.
		if t.Status != ipv6.OptionOK || t.Offset+len(t.Raw) >= len(m) {
			return false
		}
		switch ipv6.MobilityOptionType(t.Type) {
		case ipv6.MobilityOptPad1:
			p.s("(pad1)")
		case ipv6.MobilityOptPadN:
			p.s("(padn)")
		case ipv6.MobilityOptRefresh:
			d, ok := p.mhSpan(&it, t, mhRefreshData, "refresh")
			if !ok {
				return false
			}
			p.s("(refresh: ")
			p.u(uint64(binary.BigEndian.Uint16(d)) << 2)
			p.c(')')
		case ipv6.MobilityOptAltCoA:
			d, ok := p.mhSpan(&it, t, mhAltCoAData, "altcoa")
			if !ok {
				return false
			}
			p.s("(alt-CoA: ")
			p.out = ipv6.Addr(d).AppendTo(p.out)
			p.c(')')
		case ipv6.MobilityOptNonceIDs:
			d, ok := p.mhSpan(&it, t, mhNonceData, "ni")
			if !ok {
				return false
			}
			p.s("(ni: ho=0x")
			p.xw(uint64(binary.BigEndian.Uint16(d)), 4)
			p.s(" co=0x")
			p.xw(uint64(binary.BigEndian.Uint16(d[2:])), 4)
			p.c(')')
		case ipv6.MobilityOptAuth:
			// tcpdump checks the room for it but reads none of it.
			if _, st := it.Span(t, mhAuthData); st == ipv6.OptionPastEnd {
				p.s("(auth: trunc)")
				return false
			}
			p.s("(auth)")
		default:
			p.s("(type-0x")
			p.xw(uint64(t.Type), 2)
			p.s(": len=")
			p.u(uint64(t.Length))
			p.c(')')
		}
	}
	return true
}

// mhSpan returns the n bytes of data of a mobility option of a type whose
// size tcpdump knows, printing "(name: trunc)" when the header has no room
// for them and stopping the packet when they were not captured.
func (p *Printer) mhSpan(it *ipv6.TLVIter, t ipv6.TLV, n int, name string) ([]byte, bool) {
	d, st := it.Span(t, n)
	switch st {
	case ipv6.OptionPastEnd:
		p.c('(')
		p.s(name)
		p.s(": trunc)")
		return nil, false
	case ipv6.OptionTruncated:
		p.trunc()
	}
	return d, true
}
