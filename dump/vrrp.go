package dump

import (
	"github.com/medina-net/medina/checksum"
	"github.com/medina-net/medina/ipv4"
)

// VRRP, versions 2 (RFC 3768) and 3 (RFC 5798), as tcpdump's print-vrrp.c
// prints it.

const vrrpTypeAdvertisement = 1

// vrrpAuthNames is tcpdump's auth2str: the authentication types of VRRPv2.
var vrrpAuthNames = []tok{{0, "none"}, {1, "simple"}, {2, "ah"}}

const vrrpAuthSimple = 1

// vrrp prints a VRRP message of the given length, carried in an IP
// datagram whose header is ip and whose TTL (hop limit) is ttl (tcpdump's
// vrrp_print). With -v it checks the checksum: over the message for
// version 2, with the IP pseudo-header for version 3.
func (p *Printer) vrrp(b []byte, length int, ip netHeader, ttl uint8) {
	p.proto = "vrrp"
	p.s("VRRP")
	first := p.get8(b, 0)
	version, typ := first>>4, first&0x0f
	p.c('v')
	p.u(uint64(version))
	p.s(", ")
	if typ == vrrpTypeAdvertisement {
		p.s("Advertisement")
	} else {
		p.s("unknown type (")
		p.u(uint64(typ))
		p.c(')')
	}
	if ttl != 255 {
		p.s(", (ttl ")
		p.u(uint64(ttl))
		p.c(')')
	}
	if version < 2 || version > 3 || typ != vrrpTypeAdvertisement {
		return
	}
	vrid, prio := p.get8(b, 1), p.get8(b, 2)
	p.s(", vrid ")
	p.u(uint64(vrid))
	p.s(", prio ")
	p.u(uint64(prio))
	auth := uint8(0)
	if version == 2 {
		auth = p.get8(b, 4)
		p.s(", authtype ")
		p.tok2str(vrrpAuthNames, "", uint32(auth))
		intvl := p.get8(b, 5)
		p.s(", intvl ")
		p.u(uint64(intvl))
		p.s("s, length ")
	} else {
		intvl := uint16(p.get8(b, 4)&0x0f)<<8 | uint16(p.get8(b, 5))
		p.s(", intvl ")
		p.u(uint64(intvl))
		p.s("cs, length ")
	}
	p.u(uint64(length))
	if p.opt.Verbose == 0 {
		return
	}

	naddrs := int(p.get8(b, 3))
	if len(b) >= length {
		var sum uint32
		if version == 3 {
			sum = ip.pseudoSum(uint8(ipv4.ProtoVRRP), length)
		}
		if ^checksum.Fold(checksum.Add(sum, b[:length])) != 0 {
			field := p.get16(b, 6)
			p.s(", (bad vrrp cksum ")
			p.x(uint64(field))
			p.c(')')
		}
	}
	p.s(", addrs")
	if naddrs > 1 {
		p.c('(')
		p.u(uint64(naddrs))
		p.c(')')
	}
	p.c(':')
	sep := byte(' ')
	off, size := 8, 4
	if ip.isV6() {
		size = 16
	}
	for range naddrs {
		p.need(b, off+size)
		p.c(sep)
		if size == 4 {
			p.out = ipv4.Addr(b[off : off+4]).AppendTo(p.out)
		} else {
			p.out = appendIPv6(p.out, b[off:off+16])
		}
		off += size
		sep = ','
	}
	if version == 2 && auth == vrrpAuthSimple {
		// A simple text password, zero-filled to 8 bytes.
		p.s(" auth \"")
		for i := off; i < off+8; i++ {
			c := p.get8(b, i)
			if c == 0 {
				break
			}
			p.printChar(c)
		}
		p.c('"')
	}
}
