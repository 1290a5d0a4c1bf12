package dump

import (
	"strconv"

	"github.com/medina-net/medina/ipv4"
)

// CDP, the Cisco Discovery Protocol (SNAP, OUI 00000c, PID 0x2000), as
// tcpdump's print-cdp.c prints it. LLDP's captures carry it beside LLDP.
//
// Its every check that the data was captured abandons the packet with
// " [|cdp]", as tcpdump's printer (built with ND_LONGJMP_FROM_TCHECK)
// does.

const (
	pidCiscoCDP = 0x2000

	cdpHdrLen    = 4
	cdpTLVHdrLen = 4
	cdpDeviceID  = 0x01
	nlpidIP      = 0xcc
)

var cdpCapabilities = []tok{
	{0x01, "Router"}, {0x02, "Transparent Bridge"}, {0x04, "Source Route Bridge"},
	{0x08, "L2 Switch"}, {0x10, "L3 capable"}, {0x20, "IGMP snooping"}, {0x40, "L1 capable"},
}

// cdpTLVs describes the TLV types: name, how the value prints, and the
// lengths it may have (-1: any). A value's printer gets what was captured
// from the value on and the value's length, and reads with the get
// helpers, which stop the packet where the capture ends.
var cdpTLVs = [...]struct {
	name     string
	print    func(p *Printer, v []byte, l int)
	min, max int
}{
	0x01: {"Device-ID", (*Printer).cdpString, -1, -1},
	0x02: {"Address", (*Printer).cdpAddr, -1, -1},
	0x03: {"Port-ID", (*Printer).cdpString, -1, -1},
	0x04: {"Capability", (*Printer).cdpCapability, 4, 4},
	0x05: {"Version String", (*Printer).cdpVersion, -1, -1},
	0x06: {"Platform", (*Printer).cdpString, -1, -1},
	0x07: {"Prefixes", (*Printer).cdpPrefixes, -1, -1},
	0x08: {"Protocol-Hello option", nil, -1, -1},
	0x09: {"VTP Management Domain", (*Printer).cdpString, -1, -1},
	0x0a: {"Native VLAN ID", func(p *Printer, v []byte, _ int) { p.u(uint64(p.get16(v, 0))) }, 2, 2},
	0x0b: {"Duplex", (*Printer).cdpDuplex, 1, 1},
	0x0e: {"ATA-186 VoIP VLAN assignment", (*Printer).cdpATA186, 3, 3},
	0x0f: {"ATA-186 VoIP VLAN request", (*Printer).cdpATA186, 2, 3},
	0x10: {"power consumption", (*Printer).cdpPower, 1, 3},
	0x11: {"MTU", func(p *Printer, v []byte, _ int) { p.su("", uint64(p.get32(v, 0))); p.s(" bytes") }, 4, 4},
	0x12: {"AVVID trust bitmap", (*Printer).cdpUint8x, 1, 1},
	0x13: {"AVVID untrusted ports CoS", (*Printer).cdpUint8x, 1, 1},
	0x14: {"System Name", (*Printer).cdpString, -1, -1},
	0x15: {"System Object ID (not decoded)", nil, -1, -1},
	0x16: {"Management Addresses", (*Printer).cdpAddr, 4, -1},
	0x17: {"Physical Location", (*Printer).cdpPhysLoc, 1, -1},
}

// plural prints "s" unless n is 1 (tcpdump's PLURAL_SUFFIX).
func (p *Printer) plural(n int) {
	if n != 1 {
		p.c('s')
	}
}

// cdp prints a CDP message of the given length (tcpdump's cdp_print).
func (p *Printer) cdp(b []byte, length int) {
	p.proto = "cdp"
	orig := length
	if length < cdpHdrLen {
		p.su(" (packet length ", uint64(length))
		p.s(" < 4) (invalid)")
		p.need(b, length)
		return
	}
	ver, ttl := p.get8(b, 0), p.get8(b, 1)
	p.su("CDPv", uint64(ver))
	p.su(", ttl: ", uint64(ttl))
	p.c('s')
	sum := p.get16(b, 2)
	if p.opt.Verbose > 0 {
		p.s(", checksum: 0x")
		p.xw(uint64(sum), 4)
		p.su(" (unverified), length ", uint64(orig))
	}
	off := cdpHdrLen
	length -= cdpHdrLen
	for length > 0 {
		if length < cdpTLVHdrLen {
			p.su(" (remaining packet length ", uint64(length))
			p.s(" < 4) (invalid)")
			p.need(b, off+length)
			return
		}
		typ, l := int(p.get16(b, off)), int(p.get16(b, off+2))
		name := "unknown field type"
		known := typ < len(cdpTLVs)
		if known && cdpTLVs[typ].name != "" {
			name = cdpTLVs[typ].name
		}
		if l < cdpTLVHdrLen {
			if p.opt.Verbose > 0 {
				p.cdpTLVLine(name, typ, "), TLV length: ", l)
				p.s(" (too short)")
			} else {
				p.s(", ")
				p.s(name)
				p.su(" TLV length ", uint64(l))
				p.s(" too short")
			}
			p.s(" (invalid)")
			p.need(b, off+length)
			return
		}
		if l > length {
			p.su(" (TLV length ", uint64(l))
			p.su(" > ", uint64(length))
			p.s(") (invalid)")
			p.need(b, off+length)
			return
		}
		off += cdpTLVHdrLen
		length -= cdpTLVHdrLen
		l -= cdpTLVHdrLen
		if p.opt.Verbose == 0 && typ == cdpDeviceID {
			p.s(", Device-ID ")
		} else if p.opt.Verbose > 0 {
			p.cdpTLVLine(name, typ, "), value length: ", l)
			p.s(": ")
		}
		covered := false
		// A type without an entry (0, 0x0c, 0x0d) is known all the same:
		// with -v it prints neither a value nor a hex dump, as in tcpdump.
		if known {
			info := cdpTLVs[typ]
			switch {
			case info.min > 0 && l < info.min || info.max > 0 && l > info.max:
				p.s(" (malformed TLV)")
			case p.opt.Verbose > 0 || typ == cdpDeviceID:
				if info.print != nil {
					info.print(p, b[min(off, len(b)):], l)
				} else {
					p.need(b, off+l)
				}
				covered = true
			}
		}
		if !covered {
			p.need(b, off+l)
			p.hexPrint("\n\t  ", b[off:off+l])
		}
		off += l
		length -= l
	}
	if p.opt.Verbose < 1 {
		p.su(", length ", uint64(orig))
	}
}

// cdpText prints n bytes of v as text (tcpdump's nd_printn).
func (p *Printer) cdpText(v []byte, n int) {
	for i := range n {
		p.printChar(p.get8(v, i))
	}
}

// cdpString prints a text TLV's value in quotes.
func (p *Printer) cdpString(v []byte, l int) {
	p.c('\'')
	p.cdpText(v, l)
	p.c('\'')
}

// cdpPower prints a power TLV, milliwatts in one to three bytes, as
// watts with two decimals.
func (p *Printer) cdpPower(v []byte, l int) {
	var val uint32
	switch l {
	case 1:
		val = uint32(p.get8(v, 0))
	case 2:
		val = uint32(p.get16(v, 0))
	case 3:
		val = p.get24(v, 0)
	}
	p.out = strconv.AppendFloat(p.out, float64(val)/1000, 'f', 2, 64)
	p.c('W')
}

// cdpCapability prints the capabilities word in hex and by name.
func (p *Printer) cdpCapability(v []byte, _ int) {
	c := p.get32(v, 0)
	p.s("(0x")
	p.xw(uint64(c), 8)
	p.s("): ")
	p.bittok2str(cdpCapabilities, "none", c, ", ")
}

// cdpVersion prints the version string, a line of output per line of
// text.
func (p *Printer) cdpVersion(v []byte, l int) {
	p.s("\n\t  ")
	for i := range l {
		if c := p.get8(v, i); c == '\n' {
			p.s("\n\t  ")
		} else {
			p.printChar(c)
		}
	}
}

// cdpDuplex prints the duplex TLV's byte: full when it is not 0.
func (p *Printer) cdpDuplex(v []byte, _ int) {
	if p.get8(v, 0) != 0 {
		p.s("full")
	} else {
		p.s("half")
	}
}

// cdpATA186 prints an ATA-186 VoIP VLAN TLV: a value of two bytes, which
// tcpdump does not decode, in hex; a longer one as an application and a
// VLAN.
func (p *Printer) cdpATA186(v []byte, l int) {
	if l == 2 {
		p.s("unknown 0x")
		p.xw(uint64(p.get16(v, 0)), 4)
		return
	}
	app, vlan := p.get8(v, 0), p.get16(v, 1)
	p.su("app ", uint64(app))
	p.su(", vlan ", uint64(vlan))
}

// cdpUint8x prints the TLV's first byte in hex.
func (p *Printer) cdpUint8x(v []byte, _ int) {
	x := p.get8(v, 0)
	p.s("0x")
	p.xw(uint64(x), 2)
}

// cdpPhysLoc prints a physical location TLV: a byte in hex and then,
// after a slash, the text that follows it.
func (p *Printer) cdpPhysLoc(v []byte, l int) {
	p.cdpUint8x(v, l)
	if l > 1 {
		p.c('/')
		p.cdpText(v[1:], l-1)
	}
}

// cdpIPv6Proto is the protocol field of an IPv6 address: an LLC/SNAP
// header with the IPv6 EtherType.
var cdpIPv6Proto = [8]byte{0xaa, 0xaa, 0x03, 0x00, 0x00, 0x00, 0x86, 0xdd}

// cdpAddr prints an address TLV: a count, then addresses, each with its
// protocol (tcpdump's cdp_print_addr).
func (p *Printer) cdpAddr(v []byte, l int) {
	invalid := func(msg string, off, rest int) {
		p.s(msg)
		p.need(v, off+rest)
	}
	if l < 4 {
		invalid(" (not enough space for num)", 0, l)
		return
	}
	num := p.get32(v, 0)
	off, rest := 4, l-4
	for num != 0 {
		if rest < 2 {
			invalid(" (not enough space for PT+PL)", off, rest)
			return
		}
		pt, pl := p.get8(v, off), int(p.get8(v, off+1))
		off += 2
		rest -= 2
		if rest < pl+2 {
			invalid(" (not enough space for P+AL)", off, rest)
			return
		}
		al := int(p.get16(v, off+pl))
		family := ""
		switch {
		case pt == 1 && pl == 1 && p.get8(v, off) == nlpidIP && al == 4:
			family = "IPv4 ("
		case pt == 2 && pl == 8 && off+8 <= len(v) && [8]byte(v[off:off+8]) == cdpIPv6Proto && al == 16:
			family = "IPv6 ("
		}
		if family != "" {
			off += pl + 2
			rest -= pl + 2
			if rest < al {
				invalid(" (not enough space for A)", off, rest)
				return
			}
			a := p.bytes(v, off, al)
			p.su(family, uint64(num))
			p.s(") ")
			p.out = appendIP(p.out, a)
			off += al
			rest -= al
		} else {
			p.s("pt=0x")
			p.xw(uint64(pt), 2)
			p.su(", pl=", uint64(pl))
			p.s(", pb=")
			p.cdpSpacedHex(v, off, pl)
			off += pl
			rest -= pl
			p.su(", al=", uint64(al))
			p.s(", a=")
			off += 2
			rest -= 2
			if rest < al {
				invalid(" (not enough space for A)", off, rest)
				return
			}
			p.cdpSpacedHex(v, off, al)
			off += al
			rest -= al
		}
		num--
		if num != 0 {
			p.c(' ')
		}
	}
	if rest != 0 {
		p.su(" (", uint64(rest))
		p.s(" bytes of stray data)")
	}
}

// cdpTLVLine starts a TLV's line of -v: its name and type, and then,
// after what, a length of l bytes.
func (p *Printer) cdpTLVLine(name string, typ int, what string, l int) {
	p.s("\n\t")
	p.s(name)
	p.s(" (0x")
	p.xw(uint64(typ), 2)
	p.su(what, uint64(l))
	p.s(" byte")
	p.plural(l)
}

// cdpSpacedHex prints the n bytes at v[off:] in hex, each after a space,
// up to where the capture ends.
func (p *Printer) cdpSpacedHex(v []byte, off, n int) {
	for i := range n {
		c := p.get8(v, off+i)
		p.c(' ')
		p.xw(uint64(c), 2)
	}
}

// cdpPrefixes prints IPv4 prefixes of 5 bytes each: address, length.
func (p *Printer) cdpPrefixes(v []byte, l int) {
	if l%5 != 0 {
		p.su(" [length ", uint64(l))
		p.s(" is not a multiple of 5]")
		p.need(v, l)
		return
	}
	p.su(" IPv4 Prefixes (", uint64(l/5))
	p.s("):")
	for off := 0; off < l; off += 5 {
		a := p.bytes(v, off, 5)
		p.c(' ')
		p.out = ipv4.Addr(a[:4]).AppendTo(p.out)
		p.su("/", uint64(a[4]))
	}
}
