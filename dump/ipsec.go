package dump

import (
	"github.com/medina-net/medina/ipv4"
	"github.com/medina-net/medina/ipv6"
)

// The IPsec headers as tcpdump's print-ah.c, print-esp.c and
// print-ipcomp.c print them,
// over IPv4 and IPv6 alike, read through the ipv6 views (AH and ESP are
// the same bytes after either header). ESP is opaque: tcpdump decrypts it
// only with -E, which netdump does not take.

// ahChain prints the authentication headers at the start of b, a datagram's
// payload of the given length, and returns what follows the last of them
// (tcpdump's ip_demux_print going round again after ah_print). ok is false
// when nothing of a header was captured. The length is tcpdump's unsigned
// one: it wraps when a header says more than the datagram holds.
func (p *Printer) ahChain(b []byte, length int) (rest []byte, restLen int, next ipv4.Protocol, ok bool) {
	next = ipv4.ProtoAH
	for next == ipv4.ProtoAH {
		p.proto = "ah"
		if len(b) == 0 {
			p.s(" [|ah]")
			return nil, 0, 0, false
		}
		a := p.ah(b)
		next = a.NextHeader()
		n := a.Len()
		b = b[min(n, len(b)):]
		length = int(uint32(length) - uint32(n))
	}
	return b, length, next, true
}

// ah prints an authentication header (tcpdump's ah_print):
// "AH(spi=0x...,seq=0x...,icv=0x...): ", with its length at -v. The ICV
// is what the header's length says, as far as it was captured.
func (p *Printer) ah(b []byte) ipv6.AH {
	p.proto = "ah"
	p.s("AH")
	// The fields as far as they were captured, each printed once read.
	plen, reserved, spi, seq, n := ipv6.AHFields(b)
	if n < 1 {
		p.trunc()
	}
	p.c('(')
	if p.opt.Verbose > 0 {
		p.s("length=")
		p.u(uint64(plen))
		p.c('(')
		p.u(uint64((int(plen) + 2) * 4))
		p.s("-bytes),")
	}
	if n < 2 {
		p.trunc()
	}
	if reserved != 0 {
		p.s("reserved=0x")
		p.x(uint64(reserved))
		p.s("[MustBeZero],")
	}
	if n < 3 {
		p.trunc()
	}
	p.s("spi=0x")
	p.xw(uint64(spi), 8)
	if n < 4 {
		p.s(",")
		p.trunc()
	}
	p.s(",seq=0x")
	p.x(uint64(seq))
	a := ipv6.AH(b) // n == 4: the 12 bytes NewAH checks are there
	p.s(",icv=0x")
	p.hexBytes(a.ICV())
	if a.Len() > len(a) {
		p.trunc()
	}
	p.s("): ")
	return a
}

// esp prints the start of an encapsulating security payload (tcpdump's
// esp_print without a key): its SPI, sequence number and length.
func (p *Printer) esp(b []byte, length int) {
	p.proto = "esp"
	// tcpdump wants a byte past the sequence number.
	if len(b) <= ipv6.ESPMinLen {
		p.s(" [|esp]")
		return
	}
	e := ipv6.ESP(b)
	p.s("ESP(spi=0x")
	p.xw(uint64(e.SPI()), 8)
	p.s(",seq=0x")
	p.x(uint64(e.Seq()))
	p.s("), length ")
	p.u(uint64(length))
}

// ipcomp prints an IP payload compression header (tcpdump's ipcomp_print):
// its CPI. The compressed payload is not decoded.
func (p *Printer) ipcomp(b []byte) {
	p.proto = "ipcomp"
	p.need(b, ipv6.IPCompLen)
	c := ipv6.IPComp(b)
	p.s("IPComp(cpi=0x")
	p.xw(uint64(c.CPI()), 4)
	p.c(')')
}
