package dump

// PPP over Ethernet (RFC 2516): a six-byte header, then either discovery
// tags (PADI, PADO, PADR, PADS, PADT) or, in the session stage, a PPP
// frame without address and control fields.

// EtherTypes that carry PPPoE: the standard pair, and the pair 3Com
// equipment used, which tcpdump decodes the same way.
const (
	etherTypePPPoED  = 0x8863
	etherTypePPPoES  = 0x8864
	etherTypePPPoED2 = 0x3c12
	etherTypePPPoES2 = 0x3c13
)

const (
	pppoeHdrLen = 6
	// pppoePADI is the code of the discovery stage's first packet, whose
	// length tcpdump flags when it would not fit a 1484-byte frame.
	pppoePADI = 0x09
	// pppoeMaxPADI is the largest PADI payload: RFC 2516 says the PADI
	// must not exceed 1484 bytes with its header.
	pppoeMaxPADI = 1484 - pppoeHdrLen
	// pppoeMaxTagText is how many bytes of a tag tcpdump shows as text:
	// its buffer holds 80 bytes with the terminating NUL.
	pppoeMaxTagText = 79
)

// pppoeCodes names the header's code field; 0 is a session packet, named
// by nothing so that "PPPoE " is followed directly by the session.
var pppoeCodes = []tok{
	{pppoePADI, "PADI"}, {0x07, "PADO"}, {0x19, "PADR"}, {0x65, "PADS"},
	{0xa7, "PADT"}, {0, ""},
}

// pppoeTags names the discovery stage's tag types.
var pppoeTags = []tok{
	{0x0000, "EOL"}, {0x0101, "Service-Name"}, {0x0102, "AC-Name"},
	{0x0103, "Host-Uniq"}, {0x0104, "AC-Cookie"}, {0x0105, "Vendor-Specific"},
	{0x0110, "Relay-Session-ID"}, {0x0120, "PPP-Max-Payload"},
	{0x0201, "Service-Name-Error"}, {0x0202, "AC-System-Error"},
	{0x0203, "Generic-Error"},
}

// pppoe prints a PPPoE packet of the given on-wire length (tcpdump's
// pppoe_print). It returns the length of the PPPoE and PPP headers, which
// DLT_PPP_ETHER counts as its link-layer header for -x, or 0 when the
// packet is too short for a PPPoE header.
func (p *Printer) pppoe(b []byte, length int) int {
	p.proto = "pppoe"
	if length < pppoeHdrLen {
		p.f(" (length %d < %d)", length, pppoeHdrLen)
		p.s(" (invalid)")
		return 0
	}
	length -= pppoeHdrLen
	p.need(b, pppoeHdrLen)
	verType, code := b[0], b[1]
	session, plen := be16(b[2:]), int(be16(b[4:]))
	// The version and type are both 1 in every PPPoE of RFC 2516; tcpdump
	// notes others ahead of the name.
	if v := verType >> 4; v != 1 {
		p.s(" [ver ")
		p.u(uint64(v))
		p.c(']')
	}
	if t := verType & 0x0f; t != 1 {
		p.s(" [type ")
		p.u(uint64(t))
		p.c(']')
	}
	p.s("PPPoE ")
	p.pppoeName(pppoeCodes, "PAD-", uint32(code))
	if code == pppoePADI && plen > pppoeMaxPADI {
		p.s(" [len ")
		p.u(uint64(plen))
		p.s("!]")
	}
	if plen > length {
		p.s(" [len ")
		p.u(uint64(plen))
		p.s(" > ")
		p.u(uint64(length))
		p.s("!]")
		plen = length
	}
	if session != 0 {
		p.s(" [ses 0x")
		p.x(uint64(session))
		p.c(']')
	}
	payload := b[pppoeHdrLen:]
	if code == 0 {
		// The session stage: the payload is PPP from its protocol field.
		p.c(' ')
		return pppoeHdrLen + p.ppp(payload, plen)
	}
	p.pppoeTags(payload, plen)
	return pppoeHdrLen
}

// pppoeTags prints the discovery stage's tags in plen bytes of b, up to
// the end-of-list tag. A tag's value is shown as text when most of its
// first bytes are printable ASCII, else in hex.
func (p *Printer) pppoeTags(b []byte, plen int) {
	off := 0
	for off < plen {
		typ, n := p.get16(b, off), int(p.get16(b, off+2))
		off += 4
		// The whole value must have been captured before the tag is
		// printed at all.
		v := p.bytes(b, off, n)
		p.s(" [")
		p.pppoeName(pppoeTags, "TAG-0x", uint32(typ))
		if n > 0 {
			shown := v[:min(n, pppoeMaxTagText)]
			printable := 0
			for _, c := range shown {
				if c >= 0x20 && c <= 0x7e {
					printable++
				}
			}
			if printable > len(shown)-printable {
				p.s(" \"")
				for _, c := range shown {
					if c < 0x20 || c > 0x7e {
						c = '.'
					}
					p.c(c)
				}
				p.c('"')
			} else {
				p.s(" 0x")
				for _, c := range v {
					p.hexUpper(c)
				}
			}
		}
		p.c(']')
		off += n
		if typ == 0 {
			break
		}
	}
}

// pppoeName prints the name of v in t, or prefix and v in hex: tok2str
// without fmt, so that a tag of a vendor's own costs no allocation.
func (p *Printer) pppoeName(t []tok, prefix string, v uint32) {
	if name, ok := lookup(t, v); ok {
		p.s(name)
		return
	}
	p.s(prefix)
	p.x(uint64(v))
}
