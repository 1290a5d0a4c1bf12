package dump

import (
	"encoding/binary"
	"strconv"
)

// DNS as tcpdump's domain_print shows it. Offsets into the message stand
// for tcpdump's pointers: they may run past the end of what was captured
// (len(m)), which is checked where tcpdump checks its pointers against the
// end of the capture.

// DNS record types tcpdump decodes, and the classes it names.
const (
	dnsTypeA      = 1
	dnsTypeNS     = 2
	dnsTypeCNAME  = 5
	dnsTypeSOA    = 6
	dnsTypePTR    = 12
	dnsTypeMX     = 15
	dnsTypeTXT    = 16
	dnsTypeAAAA   = 28
	dnsTypeSRV    = 33
	dnsTypeA6     = 38
	dnsTypeDNAME  = 39
	dnsTypeOPT    = 41
	dnsTypeUNSPCA = 104
	dnsTypeTSIG   = 250
	dnsTypeURI    = 256

	dnsClassIN    = 1
	dnsClassQU    = 0x8000 // mDNS: unicast response wanted (questions)
	dnsClassFlush = 0x8000 // mDNS: cache flush (records)

	dnsHeaderLen = 12
	dnsMaxName   = 255 // longest name tcpdump prints in full
)

// Label types: the top two bits of a label's length byte.
const (
	dnsLabelMask     = 0xc0
	dnsLabelPointer  = 0xc0
	dnsLabelReserved = 0x80
	dnsLabelExtended = 0x40 // EDNS0 extended label (RFC 2671)
	dnsLabelNormal   = 0x00
	dnsELTBitLabel   = 0x01 // bit-string label (RFC 2673)
)

// dnsOpcodes are printed after the ID.
var dnsOpcodes = [16]string{
	"", " inv_q", " stat", " op3", " notify", " update", " op6", " op7",
	" op8", " updateA", " updateD", " updateDA",
	" updateM", " updateMA", " zoneInit", " zoneRef",
}

// dnsRcodes are printed after the opcode of a response; tcpdump's table
// lacks the space before two of them.
var dnsRcodes = [...]string{
	"", " FormErr", " ServFail", " NXDomain",
	" NotImp", " Refused", " YXDomain", " YXRRSet",
	" NXRRSet", " NotAuth", " NotZone", " Resp11",
	" Resp12", " Resp13", " Resp14", " NoChange",
	" BadVers", "Resp17", " Resp18", " Resp19",
	" Resp20", "Resp21", " Resp22", " BadCookie",
}

var dnsTypeNames = []tok{
	{1, "A"}, {2, "NS"}, {3, "MD"}, {4, "MF"}, {5, "CNAME"}, {6, "SOA"},
	{7, "MB"}, {8, "MG"}, {9, "MR"}, {10, "NULL"}, {11, "WKS"}, {12, "PTR"},
	{13, "HINFO"}, {14, "MINFO"}, {15, "MX"}, {16, "TXT"}, {17, "RP"},
	{18, "AFSDB"}, {19, "X25"}, {20, "ISDN"}, {21, "RT"}, {22, "NSAP"},
	{23, "NSAP_PTR"}, {24, "SIG"}, {25, "KEY"}, {26, "PX"}, {27, "GPOS"},
	{28, "AAAA"}, {29, "LOC"}, {30, "NXT"}, {31, "EID"}, {32, "NIMLOC"},
	{33, "SRV"}, {34, "ATMA"}, {35, "NAPTR"}, {36, "KX"}, {37, "CERT"},
	{38, "A6"}, {39, "DNAME"}, {40, "SINK"}, {41, "OPT"}, {42, "APL"},
	{43, "DS"}, {44, "SSHFP"}, {45, "IPSECKEY"}, {46, "RRSIG"}, {47, "NSEC"},
	{48, "DNSKEY"}, {99, "SPF"}, {100, "UINFO"}, {101, "UID"}, {102, "GID"},
	{103, "UNSPEC"}, {104, "UNSPECA"}, {249, "TKEY"}, {250, "TSIG"},
	{251, "IXFR"}, {252, "AXFR"}, {253, "MAILB"}, {254, "MAILA"},
	{255, "ANY"}, {256, "URI"},
}

var dnsClassNames = []tok{{1, "IN"}, {3, "CHAOS"}, {4, "HS"}, {255, "ANY"}}

// EDNS option codes tcpdump decodes.
const (
	ednsNSID      = 3
	ednsDAU       = 5
	ednsDHU       = 6
	ednsN3U       = 7
	ednsECS       = 8
	ednsExpire    = 9
	ednsCookie    = 10
	ednsKeepalive = 11
	ednsPadding   = 12
	ednsChain     = 13
	ednsKeyTag    = 14
)

var ednsOptionNames = []tok{
	{1, "LLQ"}, {2, "UL"}, {3, "NSID"}, {5, "DAU"}, {6, "DHU"}, {7, "N3U"},
	{8, "ECS"}, {9, "EXPIRE"}, {10, "COOKIE"}, {11, "KEEPALIVE"},
	{12, "PADDING"}, {13, "CHAIN"}, {14, "KEY-TAG"}, {16, "CLIENT-TAG"},
	{17, "SERVER-TAG"},
}

var dnssecAlgNames = []tok{
	{0, "DELETE"}, {1, "RSAMD5"}, {2, "DH"}, {3, "DS"}, {5, "RSASHA1"},
	{6, "DSA-NSEC3-SHA1"}, {7, "RSASHA1-NSEC3-SHA1"}, {8, "RSASHA256"},
	{10, "RSASHA512"}, {12, "ECC-GOST"}, {13, "ECDSAP256SHA256"},
	{14, "ECDSAP384SHA384"}, {15, "ED25519"}, {16, "ED448"},
	{252, "INDIRECT"}, {253, "PRIVATEDNS"}, {254, "PRIVATEOID"},
}

var dsHashNames = []tok{{1, "SHA-1"}, {2, "SHA-256"}, {3, "GOST_R_34.11-94"}, {4, "SHA-384"}}

var nsec3HashNames = []tok{{1, "SHA-1"}}

// domain prints a DNS message (tcpdump's domain_print). b holds what was
// captured from the message (or, over TCP, its length prefix) on; length
// is the message's length by the transport.
func (p *Printer) domain(b []byte, length int, overTCP, mdns bool) {
	p.proto = "domain"
	if overTCP {
		if length < 2 {
			p.s(" [DNS over TCP: length ")
			p.u(uint64(length))
			p.s(" < 2] (invalid)")
			return
		}
		length -= 2
		if prefix := int(p.get16(b, 0)); prefix != length {
			p.s(" [prefix length(")
			p.u(uint64(prefix))
			p.s(") != length(")
			p.u(uint64(length))
			p.s(")] (invalid)")
			return
		}
		b = b[2:]
		p.c(' ')
	}
	if length < dnsHeaderLen {
		p.s(p.proto)
		p.s(" [length ")
		p.u(uint64(length))
		p.s(" < 12] (invalid)")
		return
	}
	if len(b) < dnsHeaderLen {
		p.s(" [|domain]")
		return
	}
	d := dnsMsg{p: p, m: b, mdns: mdns}
	d.print(length)
}

// dnsMsg is a DNS message being printed: m holds what was captured of it.
type dnsMsg struct {
	p    *Printer
	m    []byte
	mdns bool
}

func (d *dnsMsg) print(length int) {
	p, m := d.p, d.m
	flags := be16(m[2:])
	qd, an, ns, ar := int(be16(m[4:])), int(be16(m[6:])), int(be16(m[8:])), int(be16(m[10:]))
	rcode := d.extendedRcode(flags, qd, an, ns, ar)
	opcode := flags >> 11 & 0xf
	p.u(uint64(be16(m)))
	p.s(dnsOpcodes[opcode])

	if flags&0x8000 != 0 { // a response
		if int(rcode) < len(dnsRcodes) {
			p.s(dnsRcodes[rcode])
		} else {
			p.s(" Resp")
			p.u(uint64(rcode & 0xfff))
		}
		if flags&0x0400 != 0 {
			p.c('*')
		}
		if flags&0x0080 == 0 {
			p.c('-')
		}
		if flags&0x0200 != 0 {
			p.c('|')
		}
		if flags&0x0020 != 0 {
			p.c('$')
		}
		if qd != 1 {
			p.s(" [")
			p.u(uint64(qd))
			p.s("q]")
		}
		off := dnsHeaderLen
		for i := 0; i < qd; i++ {
			if i != 0 {
				p.c(',')
			}
			var ok bool
			if p.opt.Verbose > 1 {
				p.s(" q:")
				off, ok = d.question(off)
			} else {
				off, ok = d.skipName(off)
				off += 4
			}
			if !ok {
				d.trunc()
				return
			}
		}
		p.c(' ')
		p.u(uint64(an))
		p.c('/')
		p.u(uint64(ns))
		p.c('/')
		p.u(uint64(ar))
		off, ok := d.records(off, an, "")
		if !ok {
			return
		}
		if p.opt.Verbose > 1 {
			if off, ok = d.records(off, ns, " ns:"); !ok {
				return
			}
			if _, ok = d.records(off, ar, " ar:"); !ok {
				return
			}
		}
	} else { // a query
		if flags&0x0100 != 0 {
			p.c('+')
		}
		if flags&0x0010 != 0 {
			p.c('%')
		}
		if flags&0x6cf != 0 {
			p.s(" [b2&3=0x")
			p.x(uint64(flags))
			p.c(']')
		}
		if opcode == 1 { // inverse query
			if qd != 0 {
				p.s(" [")
				p.u(uint64(qd))
				p.s("q]")
			}
			if an != 1 {
				p.s(" [")
				p.u(uint64(an))
				p.s("a]")
			}
		} else {
			if an != 0 {
				p.s(" [")
				p.u(uint64(an))
				p.s("a]")
			}
			if qd != 1 {
				p.s(" [")
				p.u(uint64(qd))
				p.s("q]")
			}
		}
		if ns != 0 {
			p.s(" [")
			p.u(uint64(ns))
			p.s("n]")
		}
		if ar != 0 {
			p.s(" [")
			p.u(uint64(ar))
			p.s("au]")
		}
		off := dnsHeaderLen
		for i := 0; i < qd; i++ {
			if i > 0 && off >= len(m) {
				d.trunc()
				return
			}
			var ok bool
			if off, ok = d.question(off); !ok {
				d.trunc()
				return
			}
		}
		if p.opt.Verbose > 1 {
			off, ok := d.records(off, an, "")
			if !ok {
				return
			}
			if off, ok = d.records(off, ns, " ns:"); !ok {
				return
			}
			if _, ok = d.records(off, ar, " ar:"); !ok {
				return
			}
		}
	}
	p.s(" (")
	p.u(uint64(length))
	p.c(')')
}

// records prints count resource records from off, comma-separated and, for
// the authority and additional sections, after a label; the first is
// printed even if the capture ended before it, and the rest as long as
// there is captured data. It reports false, after printing the truncation
// mark, when not all were printed.
func (d *dnsMsg) records(off, count int, label string) (int, bool) {
	if count == 0 {
		return off, true
	}
	if label != "" && off >= len(d.m) {
		d.trunc()
		return off, false
	}
	d.p.s(label)
	for i := 0; i < count; i++ {
		if i > 0 {
			if off >= len(d.m) {
				d.trunc()
				return off, false
			}
			d.p.c(',')
		}
		var ok bool
		if off, ok = d.record(off); !ok {
			d.trunc()
			return off, false
		}
	}
	return off, true
}

func (d *dnsMsg) trunc() {
	d.p.s(" [|")
	d.p.s(d.p.proto)
	d.p.c(']')
}

// extendedRcode returns the response code with the high bits an OPT record
// adds, looking for it the way tcpdump does: skipping the other sections
// as long as the capture holds them.
func (d *dnsMsg) extendedRcode(flags uint16, qd, an, ns, ar int) uint16 {
	rcode := flags & 0xf
	m := d.m
	off := dnsHeaderLen
	var ok bool
	for i := 0; i < qd; i++ {
		if off, ok = d.skipName(off); !ok {
			return rcode
		}
		off += 4
		if off >= len(m) {
			return rcode
		}
	}
	for i := 0; i < an+ns; i++ {
		if off, ok = d.skipName(off); !ok {
			return rcode
		}
		off += 8
		if off+2 > len(m) {
			return rcode
		}
		off += 2 + int(d.p.get16(m, off))
		if off >= len(m) {
			return rcode
		}
	}
	for i := 0; i < ar; i++ {
		if off, ok = d.skipName(off); !ok {
			return rcode
		}
		if off+2 > len(m) {
			return rcode
		}
		typ := d.p.get16(m, off)
		off += 4
		if off+1 > len(m) {
			return rcode
		}
		if typ == dnsTypeOPT {
			return rcode | uint16(d.p.get8(m, off))<<4
		}
		off += 4
		if off+2 > len(m) {
			return rcode
		}
		off += 2 + int(d.p.get16(m, off))
		if off >= len(m) {
			return rcode
		}
	}
	return rcode
}

// has reports whether the byte at off was captured.
func (d *dnsMsg) has(off int) bool { return off >= 0 && off < len(d.m) }

// skipName returns the offset after the name at off without printing it
// (tcpdump's ns_nskip), or false when the capture ends inside it or it has
// a label type that cannot be skipped.
func (d *dnsMsg) skipName(off int) (int, bool) {
	if !d.has(off) {
		return 0, false
	}
	i := d.m[off]
	off++
	for i != 0 {
		switch i & dnsLabelMask {
		case dnsLabelPointer:
			return off + 1, true
		case dnsLabelExtended:
			if i&^dnsLabelMask != dnsELTBitLabel || !d.has(off) {
				return 0, false
			}
			bits := int(d.m[off])
			if bits == 0 {
				bits = 256
			}
			off += 1 + (bits+7)/8
		case dnsLabelReserved:
			return 0, false
		default:
			off += int(i)
		}
		if !d.has(off) {
			return 0, false
		}
		i = d.m[off]
		off++
	}
	return off, true
}

// labelLen returns the length of the label at off as tcpdump's labellen
// does (a pointer's first byte as is), or -1 after printing what is wrong.
func (d *dnsMsg) labelLen(off int) int {
	if !d.has(off) {
		return -1
	}
	i := d.m[off]
	switch i & dnsLabelMask {
	case dnsLabelExtended:
		if elt := i &^ dnsLabelMask; elt != dnsELTBitLabel {
			d.p.s("<ELT ")
			d.p.u(uint64(elt))
			d.p.c('>')
			return -1
		}
		if !d.has(off + 1) {
			return -1
		}
		bits := int(d.m[off+1])
		if bits == 0 {
			bits = 256
		}
		return (bits+7)/8 + 1
	case dnsLabelPointer, dnsLabelNormal:
		return int(i)
	default:
		d.p.s("<BAD LABEL TYPE>")
		return -1
	}
}

// name prints the domain name at off and returns the offset after it in
// place (after the first pointer of a compressed name); base is where
// pointers count from (tcpdump's fqdn_print). Pointers must point backward,
// which ends loops.
func (d *dnsMsg) name(off, base int) (int, bool) {
	p := d.p
	l := d.labelLen(off)
	if l < 0 {
		return 0, false
	}
	maxOff := uint32(off - base)
	i := d.m[off]
	off++
	rp := -1 // tcpdump's NULL: a name that is only a pointer, not followed
	compressed := false
	if i&dnsLabelMask != dnsLabelPointer {
		rp = off + l
	}
	if i == 0 {
		p.c('.')
		return rp, true
	}
	chars := 0
	for i != 0 && off < len(d.m) {
		switch i & dnsLabelMask {
		case dnsLabelPointer:
			if !compressed {
				rp = off + 1
				compressed = true
			}
			if !d.has(off) {
				return 0, false
			}
			ptr := (uint32(i)<<8 | uint32(d.m[off])) & 0x3fff
			if ptr >= maxOff {
				p.s("<BAD PTR>")
				return 0, false
			}
			maxOff = ptr
			off = base + int(ptr)
			if !d.has(off) {
				return 0, false
			}
			i = d.m[off]
			if l = d.labelLen(off); l < 0 {
				return 0, false
			}
			off++
			continue
		case dnsLabelExtended:
			if elt := i &^ dnsLabelMask; elt != dnsELTBitLabel {
				p.s("<ELT ")
				p.u(uint64(elt))
				p.c('>')
				return 0, false
			}
			if !d.bitLabel(off) {
				return 0, false
			}
		case dnsLabelReserved:
			p.s("<BAD LABEL TYPE>")
			return 0, false
		default:
			if chars+l <= dnsMaxName {
				if p.printN(d.tail(off), l) {
					return 0, false
				}
			} else if chars < dnsMaxName {
				if p.printN(d.tail(off), dnsMaxName-chars) {
					return 0, false
				}
			}
			chars += l
		}
		off += l
		if chars <= dnsMaxName {
			p.c('.')
		}
		chars++
		if !d.has(off) {
			return 0, false
		}
		i = d.m[off]
		if l = d.labelLen(off); l < 0 {
			return 0, false
		}
		off++
		if !compressed {
			rp += l + 1
		}
	}
	if chars > dnsMaxName {
		p.s("<DOMAIN NAME TOO LONG>")
	}
	return rp, rp >= 0
}

// tail returns the captured bytes from off on.
func (d *dnsMsg) tail(off int) []byte {
	if off < 0 || off >= len(d.m) {
		return nil
	}
	return d.m[off:]
}

// bitLabel prints the bit-string label whose length byte is at off as
// "\[xHEX/BITS]" (tcpdump's blabel_print).
func (d *dnsMsg) bitLabel(off int) bool {
	p := d.p
	if !d.has(off) {
		return false
	}
	bits := int(d.m[off])
	if bits == 0 {
		bits = 256
	}
	lim := off + 1 + (bits+3)/4
	p.s("\\[x")
	bp, b := off+1, bits
	for ; bp < lim && b > 7; b, bp = b-8, bp+1 {
		p.xw(uint64(p.get8(d.m, bp)), 2)
	}
	if b > 4 {
		tc := p.get8(d.m, bp)
		p.xw(uint64(int(tc)&(0xff<<(8-b))), 2)
	} else if b > 0 {
		tc := p.get8(d.m, bp)
		p.x(uint64(int(tc>>4&0x0f) & (0x0f << (4 - b))))
	}
	p.c('/')
	p.u(uint64(bits))
	p.c(']')
	return true
}

// question prints a question: " TYPE [CLASS]? NAME" (tcpdump's ns_qprint).
func (d *dnsMsg) question(off int) (int, bool) {
	p := d.p
	start := off
	off, ok := d.skipName(off)
	if !ok || off+4 > len(d.m) {
		return 0, false
	}
	typ := be16(d.m[off:])
	cls := be16(d.m[off+2:])
	p.c(' ')
	p.tok2str(dnsTypeNames, "Type%d", uint32(typ))
	class := cls
	if d.mdns {
		class &^= dnsClassQU
	}
	if class != dnsClassIN {
		p.c(' ')
		p.tok2str(dnsClassNames, "(Class %d)", uint32(class))
	}
	if d.mdns {
		if cls&dnsClassQU != 0 {
			p.s(" (QU)")
		} else {
			p.s(" (QM)")
		}
	}
	p.s("? ")
	end, ok := d.name(start, 0)
	if !ok {
		return 0, false
	}
	return end + 4, true
}

// record prints a resource record (tcpdump's ns_rprint) and returns the
// offset after it. When the capture ends in its fixed part it returns the
// end of the capture, which stops the caller's loop.
func (d *dnsMsg) record(off int) (int, bool) {
	p, m := d.p, d.m
	var ok bool
	if p.opt.Verbose > 0 {
		p.c(' ')
		if off, ok = d.name(off, 0); !ok {
			return 0, false
		}
	} else {
		off, ok = d.skipName(off)
	}
	if !ok || off+10 > len(m) {
		return len(m), true
	}
	typ := be16(m[off:])
	cls := be16(m[off+2:])
	off += 4
	class := cls
	if d.mdns {
		class &^= dnsClassFlush
	}
	if class != dnsClassIN && typ != dnsTypeOPT {
		p.c(' ')
		p.tok2str(dnsClassNames, "(Class %d)", uint32(class))
	}
	if d.mdns && cls&dnsClassFlush != 0 {
		p.s(" (Cache flush)")
	}
	var optFlags uint16
	if typ == dnsTypeOPT {
		optFlags = be16(m[off+2:])
	} else if p.opt.Verbose > 2 {
		p.s(" [")
		p.relTime(binary.BigEndian.Uint32(m[off:]))
		p.c(']')
	}
	off += 4
	rdlen := int(be16(m[off:]))
	off += 2
	rp := off + rdlen
	p.c(' ')
	p.tok2str(dnsTypeNames, "Type%d", uint32(typ))
	if rp > len(m) {
		return 0, false
	}

	switch typ {
	case dnsTypeA:
		if off+4 > len(m) {
			return 0, false
		}
		p.c(' ')
		p.out = appendIPv4(p.out, m[off:])
	case dnsTypeNS, dnsTypeCNAME, dnsTypePTR, dnsTypeDNAME:
		p.c(' ')
		if _, ok := d.name(off, 0); !ok {
			return 0, false
		}
	case dnsTypeSOA:
		if p.opt.Verbose == 0 {
			break
		}
		p.c(' ')
		if off, ok = d.name(off, 0); !ok {
			return 0, false
		}
		p.c(' ')
		if off, ok = d.name(off, 0); !ok {
			return 0, false
		}
		if off+20 > len(m) {
			return 0, false
		}
		for i := 0; i < 5; i++ {
			p.c(' ')
			p.u(uint64(binary.BigEndian.Uint32(m[off+4*i:])))
		}
	case dnsTypeMX:
		p.c(' ')
		if off+2 > len(m) {
			return 0, false
		}
		if _, ok := d.name(off+2, 0); !ok {
			return 0, false
		}
		p.c(' ')
		p.u(uint64(be16(m[off:])))
	case dnsTypeTXT:
		for off < rp {
			p.s(" \"")
			if !d.has(off) {
				return 0, false
			}
			n := int(m[off])
			if p.printN(d.tail(off+1), n) {
				return 0, false
			}
			off += 1 + n
			p.c('"')
		}
	case dnsTypeSRV:
		p.c(' ')
		if off+6 > len(m) {
			return 0, false
		}
		if _, ok := d.name(off+6, 0); !ok {
			return 0, false
		}
		p.c(':')
		p.u(uint64(be16(m[off+4:])))
		p.c(' ')
		p.u(uint64(be16(m[off:])))
		p.c(' ')
		p.u(uint64(be16(m[off+2:])))
	case dnsTypeAAAA:
		if off+16 > len(m) {
			return 0, false
		}
		p.c(' ')
		p.out = appendIPv6(p.out, m[off:off+16])
	case dnsTypeA6:
		if !d.has(off) {
			return 0, false
		}
		pbit := int(m[off])
		pbyte := (pbit &^ 7) / 8
		if pbit > 128 {
			p.c(' ')
			p.u(uint64(pbit))
			p.s("(bad plen)")
			break
		}
		if pbit < 128 {
			var a [16]byte
			p.need(d.tail(off+1), 16-pbyte)
			copy(a[pbyte:], m[off+1:])
			p.c(' ')
			p.u(uint64(pbit))
			p.c(' ')
			p.out = appendIPv6(p.out, a[:])
		}
		if pbit > 0 {
			p.c(' ')
			if _, ok := d.name(off+1+16-pbyte, 0); !ok {
				return 0, false
			}
		}
	case dnsTypeURI:
		if off+rdlen > len(m) {
			return 0, false
		}
		p.c(' ')
		p.u(uint64(p.get16(m, off)))
		p.c(' ')
		p.u(uint64(p.get16(m, off+2)))
		p.c(' ')
		if p.printN(d.tail(off+4), int(uint32(rdlen-4))) {
			return 0, false
		}
	case dnsTypeOPT:
		p.s(" UDPsize=")
		p.u(uint64(class))
		if optFlags&0x8000 != 0 {
			p.s(" DO")
		}
		if off < rp {
			p.s(" [")
			for off < rp {
				if off, ok = d.ednsOption(off); !ok {
					return 0, false
				}
				if off < rp {
					p.c(',')
				}
			}
			p.c(']')
		}
	case dnsTypeUNSPCA:
		if off+rdlen > len(m) {
			return 0, false
		}
		if p.printN(d.tail(off), rdlen) {
			return 0, false
		}
	case dnsTypeTSIG:
		if off+rdlen > len(m) {
			return 0, false
		}
		if p.opt.Verbose == 0 {
			break
		}
		p.c(' ')
		if off, ok = d.name(off, 0); !ok {
			return 0, false
		}
		off += 6
		for _, f := range [...]string{" fudge=", " maclen=", " origid=", " error=", " otherlen="} {
			if off+2 > len(m) {
				return 0, false
			}
			v := int(be16(m[off:]))
			p.s(f)
			p.u(uint64(v))
			off += 2
			if f == " maclen=" {
				off += v
			}
		}
	}
	return rp, true
}

// ednsOption prints one option of an OPT record (tcpdump's eopt_print).
func (d *dnsMsg) ednsOption(off int) (int, bool) {
	p, m := d.p, d.m
	if off+2 > len(m) {
		return 0, false
	}
	code := be16(m[off:])
	off += 2
	p.tok2str(ednsOptionNames, "Opt%d", uint32(code))
	if off+2 > len(m) {
		return 0, false
	}
	n := int(be16(m[off:]))
	off += 2
	if off+n > len(m) {
		return 0, false
	}
	data := m[off : off+n]
	if n == 0 {
		return off, true
	}
	p.c(' ')
	switch code {
	case ednsECS:
		p.ednsClientSubnet(data)
	case ednsCookie:
		if n < 8 || n > 8 && n < 16 || n > 40 {
			p.s(" (invalid)")
			break
		}
		for i, c := range data {
			if i == 8 {
				p.c(' ')
			}
			p.xw(uint64(c), 2)
		}
	case ednsKeepalive:
		if n != 2 {
			p.s(" (invalid)")
			break
		}
		p.out = strconv.AppendFloat(p.out, float64(be16(data))/10.0, 'f', 1, 64)
		p.s(" sec")
	case ednsExpire:
		if n != 4 {
			p.s(" (invalid)")
			break
		}
		p.u(uint64(binary.BigEndian.Uint32(data)))
		p.s(" sec")
	case ednsPadding:
		p.c('(')
		p.u(uint64(n))
		p.c(')')
	case ednsKeyTag:
		if n%2 != 0 {
			p.s(" (invalid)")
			break
		}
		for i := 0; i < n; i += 2 {
			if i > 0 {
				p.c(' ')
			}
			p.u(uint64(be16(data[i:])))
		}
	case ednsDAU, ednsDHU, ednsN3U:
		names := dnssecAlgNames
		if code == ednsDHU {
			names = dsHashNames
		} else if code == ednsN3U {
			names = nsec3HashNames
		}
		for i, c := range data {
			if i > 0 {
				p.c(' ')
			}
			p.tok2str(names, "Alg_%d", uint32(c))
		}
	case ednsChain:
		// tcpdump passes the end of the option as the base for
		// pointers, so none is ever out of range.
		d.name(off, off+n)
	default:
		p.hexBytes(data)
	}
	return off + n, true
}

// ednsClientSubnet prints an EDNS client subnet option's address, source
// and scope prefix lengths (tcpdump's print_eopt_ecs).
func (p *Printer) ednsClientSubnet(data []byte) {
	if len(data) < 4 {
		p.s(" (invalid)")
		return
	}
	family := be16(data)
	src, scope := int(data[2]), int(data[3])
	var bits int
	switch family {
	case 1:
		bits = 32
	case 2:
		bits = 128
	default:
		p.s(" (invalid)")
		return
	}
	addr := data[4:]
	if len(addr) > bits/8 || src > bits || scope > bits || (src+7)/8 != len(addr) {
		p.s(" (invalid)")
		return
	}
	var padded [16]byte
	copy(padded[:], addr)
	if family == 1 {
		p.out = appendIPv4(p.out, padded[:4])
	} else {
		p.out = appendIPv6(p.out, padded[:])
	}
	p.c('/')
	p.u(uint64(src))
	p.c('/')
	p.u(uint64(scope))
}

// relTime prints a duration in seconds as tcpdump's unsigned_relts_print
// does: "1h2m3s", "0s".
func (p *Printer) relTime(secs uint32) {
	if secs == 0 {
		p.s("0s")
		return
	}
	units := [...]struct {
		n uint32
		s byte
	}{{31536000, 'y'}, {604800, 'w'}, {86400, 'd'}, {3600, 'h'}, {60, 'm'}, {1, 's'}}
	for _, u := range units {
		if secs >= u.n {
			p.u(uint64(secs / u.n))
			p.c(u.s)
			secs %= u.n
		}
	}
}
