package dump

// HNCP, the Home Networking Control Protocol (RFC 7788 over DNCP, RFC
// 7787), as tcpdump's print-hncp.c prints it: the TLVs a line each with
// their fields, the TLVs nested in them indented one more tab; below
// the depth the verbosity allows (everything with -vvv), a level's TLVs
// are summarised on one line as their names, with a count where the
// same one repeats. The DHCPv4 and DHCPv6 data TLVs carry options of
// their own, of which the DNS and NTP servers and the search domains
// are decoded.

// portHNCP is HNCP's UDP port.
const portHNCP = 8231

// TLV types.
const (
	hncpReqNetState   = 1
	hncpReqNodeState  = 2
	hncpNodeEndpoint  = 3
	hncpNetState      = 4
	hncpNodeState     = 5
	hncpPeer          = 8
	hncpKeepAlive     = 9
	hncpTrustVerdict  = 10
	hncpVersion       = 32
	hncpExternalConn  = 33
	hncpDelegatedPfx  = 34
	hncpAssignedPfx   = 35
	hncpNodeAddress   = 36
	hncpDHCPv4Data    = 37
	hncpDHCPv6Data    = 38
	hncpDNSDelegated  = 39
	hncpDomainName    = 40
	hncpNodeName      = 41
	hncpManagedPSK    = 42
	hncpPrefixPolicy  = 43
	hncpRangeReserved = 0x10000
	hncpRangeUnassign = 0x10001
	hncpRangePrivate  = 0x10002
	hncpRangeFuture   = 0x10003
)

// hncpTypeNames names the defined TLV types and the ranges of the
// others.
var hncpTypeNames = []tok{
	{1, "Request network state"}, {2, "Request node state"},
	{3, "Node endpoint"}, {4, "Network state"}, {5, "Node state"},
	{8, "Peer"}, {9, "Keep-alive interval"}, {10, "Trust-Verdict"},
	{32, "HNCP-Version"}, {33, "External-Connection"},
	{34, "Delegated-Prefix"}, {43, "Prefix-Policy"}, {37, "DHCPv4-Data"},
	{38, "DHCPv6-Data"}, {35, "Assigned-Prefix"}, {36, "Node-Address"},
	{39, "DNS-Delegated-Zone"}, {40, "Domain-Name"}, {41, "Node-Name"},
	{42, "Managed-PSK"},
	{hncpRangeReserved, "Reserved"}, {hncpRangeUnassign, "Unassigned"},
	{hncpRangePrivate, "Private use"}, {hncpRangeFuture, "Future use"},
}

// The DHCPv4 and DHCPv6 options tcpdump decodes in HNCP's data TLVs.
const (
	hncpDHCP4DNS    = 6
	hncpDHCP4NTP    = 42
	hncpDHCP4Search = 119
	hncpDHCP6DNS    = 23
	hncpDHCP6Search = 24
	hncpDHCP6SNTP   = 31
)

var hncpDHCP4OptNames = []tok{{6, "DNS-server"}, {42, "NTP-server"}, {119, "DNS-search"}}

var hncpDHCP6OptNames = []tok{{23, "DNS-server"}, {24, "DNS-search-list"}, {31, "SNTP-servers"}}

// hncp prints an HNCP packet (tcpdump's hncp_print). b holds what was
// captured of it; length is its length by UDP.
func (p *Printer) hncp(b []byte, length int) {
	p.proto = "hncp"
	p.s("hncp (")
	p.u(uint64(length))
	p.c(')')
	p.hncpTLVs(b, 0, length, 1)
}

// hncpIndent starts a line indented by indent tabs.
func (p *Printer) hncpIndent(indent int) {
	p.c('\n')
	for ; indent > 0; indent-- {
		p.c('\t')
	}
}

// hncpTypeMask returns the type a TLV is named by: its own when it is
// defined, else its range's.
func hncpTypeMask(typ uint16) uint32 {
	mask := uint32(hncpRangeFuture)
	switch {
	case typ == 0:
		mask = hncpRangeReserved
	case typ >= 44 && typ <= 511:
		mask = hncpRangeUnassign
	case typ >= 768 && typ <= 1023:
		mask = hncpRangePrivate
	}
	for _, e := range hncpTypeNames {
		if e.v > 0xffff {
			break
		}
		if e.v == uint32(typ) {
			return e.v
		}
	}
	return mask
}

// hncpInLine prints one run of same-typed TLVs of a summarised level.
func (p *Printer) hncpInLine(mask uint32, count, indent int, first *bool) {
	if count <= 0 {
		return
	}
	if *first {
		*first = false
		if indent > 1 {
			p.hncpIndent(indent)
		} else {
			p.c(' ')
		}
	} else {
		p.s(", ")
	}
	p.tok2str(hncpTypeNames, "Easter Egg", mask)
	if count > 1 {
		p.s(" (x")
		p.u(uint64(count))
		p.c(')')
	}
}

// hncpTLVs prints the TLVs in the n bytes at b[off:] at depth indent
// (tcpdump's hncp_print_rec).
func (p *Printer) hncpTLVs(b []byte, off, n, indent int) {
	inLine := indent-1 >= p.opt.Verbose && p.opt.Verbose < 3
	first := true
	lastMask, lastCount := uint32(0xffffffff), -1
	for i := 0; i < n; {
		t := off + i
		if !inLine {
			p.hncpIndent(indent)
		}
		// Unlike most printers tcpdump's ends only this level at the
		// end of the capture, and the levels above it go on.
		if t+4 > len(b) {
			p.s(" [|hncp]")
			return
		}
		if i+4 > n {
			p.s(" (invalid)")
			return
		}
		typ := be16(b[t:])
		bodyLen := int(be16(b[t+2:]))
		v := t + 4
		if v+bodyLen > len(b) {
			p.s(" [|hncp]")
			return
		}
		if i+bodyLen+4 > n {
			p.s(" (invalid)")
			return
		}
		i += 4 + (bodyLen+3)&^3
		mask := hncpTypeMask(typ)
		if inLine {
			if lastMask == mask {
				lastCount++
			} else {
				p.hncpInLine(lastMask, lastCount, indent, &first)
				lastMask, lastCount = mask, 1
			}
			continue
		}
		p.tok2str(hncpTypeNames, "Easter Egg (42)", mask)
		if mask > 0xffff {
			p.s(": type=")
			p.u(uint64(typ))
		}
		p.s(" (")
		p.u(uint64(bodyLen + 4))
		p.c(')')
		if !p.hncpTLV(b, v, bodyLen, mask, indent) {
			p.s(" (invalid)")
			return
		}
	}
	p.hncpInLine(lastMask, lastCount, indent, &first)
}

// hncpTLV prints the fields of a TLV named by mask whose body is the
// bodyLen bytes at b[v:], all captured, and the TLVs nested in it. It
// reports false when the TLV's DHCPv4 options are malformed, which ends
// its level.
func (p *Printer) hncpTLV(b []byte, v, bodyLen int, mask uint32, indent int) bool {
	body := b[v : v+bodyLen]
	invalid := func() { p.s(" (invalid)") }
	switch mask {
	case hncpReqNetState:
		if bodyLen != 0 {
			invalid()
		}
	case hncpReqNodeState:
		if bodyLen != 4 {
			invalid()
			break
		}
		p.s(" NID: ")
		p.hexColons(body[:4])
	case hncpNodeEndpoint:
		if bodyLen != 8 {
			invalid()
			break
		}
		p.s(" NID: ")
		p.hexColons(body[:4])
		p.s(" EPID: ")
		p.xw(uint64(be32(body[4:])), 8)
	case hncpNetState:
		if bodyLen != 8 {
			invalid()
			break
		}
		p.s(" hash: ")
		p.hexBytes(body[:8])
	case hncpNodeState:
		if bodyLen < 20 {
			invalid()
			break
		}
		p.s(" NID: ")
		p.hexColons(body[:4])
		p.s(" seqno: ")
		p.u(uint64(be32(body[4:])))
		p.c(' ')
		p.hncpInterval(be32(body[8:]))
		p.s(" hash: ")
		p.hexBytes(body[12:20])
		p.hncpNested(b, v, bodyLen, 20, indent)
	case hncpPeer:
		if bodyLen != 12 {
			invalid()
			break
		}
		p.s(" Peer-NID: ")
		p.hexColons(body[:4])
		p.s(" Peer-EPID: ")
		p.xw(uint64(be32(body[4:])), 8)
		p.s(" Local-EPID: ")
		p.xw(uint64(be32(body[8:])), 8)
	case hncpKeepAlive:
		if bodyLen < 8 {
			invalid()
			break
		}
		p.s(" EPID: ")
		p.xw(uint64(be32(body)), 8)
		p.s(" Interval: ")
		p.hncpInterval(be32(body[4:]))
	case hncpTrustVerdict:
		if bodyLen <= 36 {
			invalid()
			break
		}
		p.s(" Verdict: ")
		p.u(uint64(body[0]))
		p.s(" Fingerprint: ")
		p.hexBytes(body[4:36])
		p.s(" Common Name: ")
		p.printNUL(body[36:])
	case hncpVersion:
		if bodyLen < 5 {
			invalid()
			break
		}
		c := be16(body[2:])
		p.s(" M: ")
		p.u(uint64(c >> 12 & 0xf))
		p.s(" P: ")
		p.u(uint64(c >> 8 & 0xf))
		p.s(" H: ")
		p.u(uint64(c >> 4 & 0xf))
		p.s(" L: ")
		p.u(uint64(c & 0xf))
		p.s(" User-agent: ")
		p.printNUL(body[4:])
	case hncpExternalConn:
		p.hncpTLVs(b, v, bodyLen, indent+1)
	case hncpDelegatedPfx:
		if bodyLen < 9 || bodyLen < 9+(int(body[8])+7)/8 {
			invalid()
			break
		}
		p.s(" VLSO: ")
		p.hncpInterval(be32(body))
		p.s(" PLSO: ")
		p.hncpInterval(be32(body[4:]))
		p.s(" Prefix: ")
		l := p.hncpPrefix(b, v+8, bodyLen-8)
		if l == -1 {
			p.s("(length is invalid)")
			break
		}
		if l < 0 {
			invalid()
			break
		}
		p.hncpNested(b, v, bodyLen, 8+l, indent)
	case hncpPrefixPolicy:
		p.hncpPrefixPolicy(b, v, bodyLen)
	case hncpDHCPv4Data:
		if bodyLen == 0 {
			invalid()
			break
		}
		if !p.hncpDHCP(b, v, bodyLen, indent+1, false) {
			return false
		}
	case hncpDHCPv6Data:
		if bodyLen == 0 {
			invalid()
			break
		}
		if !p.hncpDHCP(b, v, bodyLen, indent+1, true) {
			invalid()
		}
	case hncpAssignedPfx:
		if bodyLen < 6 || bodyLen < 6+(int(body[5])+7)/8 {
			invalid()
			break
		}
		p.s(" EPID: ")
		p.xw(uint64(be32(body)), 8)
		p.s(" Prty: ")
		p.u(uint64(body[4] & 0xf))
		p.s(" Prefix: ")
		l := p.hncpPrefix(b, v+5, bodyLen-5)
		if l < 0 {
			invalid()
			break
		}
		p.hncpNested(b, v, bodyLen, 5+l, indent)
	case hncpNodeAddress:
		if bodyLen < 20 {
			invalid()
			break
		}
		p.s(" EPID: ")
		p.xw(uint64(be32(body)), 8)
		p.s(" IP Address: ")
		p.mappedAddr(body[4:20])
		p.hncpNested(b, v, bodyLen, 20, indent)
	case hncpDNSDelegated:
		if bodyLen < 17 {
			invalid()
			break
		}
		p.s(" IP-Address: ")
		p.mappedAddr(body[:16])
		f := body[16]
		p.c(' ')
		p.c(pick(f&4 != 0, "l", "-")[0])
		p.c(pick(f&2 != 0, "b", "-")[0])
		p.c(pick(f&1 != 0, "s", "-")[0])
		p.c(' ')
		l := p.hncpDNSLabel(b, v+17, bodyLen-17)
		if l < 0 {
			invalid()
			break
		}
		p.hncpNested(b, v, bodyLen, 17+l, indent)
	case hncpDomainName:
		if bodyLen == 0 {
			invalid()
			break
		}
		p.s(" Domain: ")
		p.hncpDNSLabel(b, v, bodyLen)
	case hncpNodeName:
		if bodyLen < 17 {
			invalid()
			break
		}
		l := int(body[16])
		if bodyLen < 17+l {
			invalid()
			break
		}
		p.s(" IP-Address: ")
		p.mappedAddr(body[:16])
		p.s(" Name: ")
		if l < 64 {
			p.c('"')
			p.printNUL(body[17 : 17+l])
			p.c('"')
		} else {
			invalid()
		}
		p.hncpNested(b, v, bodyLen, 17+l, indent)
	case hncpManagedPSK:
		if bodyLen < 32 {
			invalid()
			break
		}
		p.s(" PSK: ")
		p.hexBytes(body[:32])
		p.hncpNested(b, v, bodyLen, 32, indent)
	}
	return true
}

// hncpNested prints the TLVs nested in a TLV whose body is the bodyLen
// bytes at b[v:], after the body's own fields, used bytes padded to a
// multiple of 4, one level deeper than indent.
func (p *Printer) hncpNested(b []byte, v, bodyLen, used, indent int) {
	used += -used & 3
	if bodyLen >= used {
		p.hncpTLVs(b, v+used, bodyLen-used, indent+1)
	}
}

// hncpPrefixPolicy prints a prefix policy TLV's body, the n bytes at
// b[v:].
func (p *Printer) hncpPrefixPolicy(b []byte, v, n int) {
	if n < 1 {
		p.s(" (invalid)")
		return
	}
	policy := b[v]
	p.s(" type: ")
	switch {
	case policy == 0:
		if n != 1 {
			p.s(" (invalid)")
			return
		}
		p.s("Internet connectivity")
	case policy <= 128:
		p.s("Dest-Prefix: ")
		switch l := p.hncpPrefix(b, v, n); {
		case l == -1:
			p.s("(length is invalid)")
		case l < 0:
			p.s(" (invalid)")
		}
	case policy == 129:
		p.s("DNS domain: ")
		p.hncpDNSLabel(b, v+1, n-1)
	case policy == 130:
		p.s("Opaque UTF-8: ")
		p.printNUL(b[v+1 : v+n])
	case policy == 131:
		if n != 1 {
			p.s(" (invalid)")
			return
		}
		p.s("Restrictive assignment")
	default:
		p.s("Unknown (")
		p.u(uint64(policy))
		p.c(')')
	}
}

// hncpInterval prints an interval in milliseconds as seconds.
func (p *Printer) hncpInterval(ms uint32) {
	p.u(uint64(ms / 1000))
	p.c('.')
	p.uw(uint64(ms%1000), 3)
	p.c('s')
}

// hncpPrefix prints the prefix at b[off:], a length byte and as many
// bytes of the prefix as it covers, max bytes at most (tcpdump's
// print_prefix). An IPv4-mapped prefix prints as IPv4. It returns the
// bytes it took, or -1 for a length too long for the address, -2 or -3
// for a prefix longer than max.
func (p *Printer) hncpPrefix(b []byte, off, max int) int {
	plen := int(p.get8(b, off))
	if plen >= 96 && max >= 13 && off+13 <= len(b) && v4Mapped(b[off+1:off+13]) {
		plen -= 96
		if plen > 32 {
			return -1
		}
		max--
		nb := (plen + 7) / 8
		if max < nb+12 {
			return -3
		}
		var a [4]byte
		p.hncpMaskedPrefix(a[:], b[off+13:off+13+nb], plen)
		return nb + 13
	}
	if max < 1 {
		return -2
	}
	if plen > 128 {
		return -1
	}
	nb := (plen + 7) / 8
	if max-1 < nb {
		return -2
	}
	p.need(b, off+1+nb)
	var a [16]byte
	p.hncpMaskedPrefix(a[:], b[off+1:off+1+nb], plen)
	return 1 + nb
}

// hncpMaskedPrefix prints the prefix of plen bits whose bytes are given,
// into a, an IPv4 or IPv6 address zeroed, with the bits past plen
// cleared, and its length.
func (p *Printer) hncpMaskedPrefix(a, given []byte, plen int) {
	nb := copy(a, given)
	if plen%8 != 0 {
		a[nb-1] &= byte(int(0xff00) >> (plen % 8))
	}
	p.out = appendIP(p.out, a)
	p.c('/')
	p.u(uint64(plen))
}

// hncpDNSLabel prints the uncompressed domain name in the max bytes at
// b[off:], labels joined by dots (tcpdump's print_dns_label). It returns
// the bytes the name took, or -1, after printing "[|DNS]", when it runs
// past max.
func (p *Printer) hncpDNSLabel(b []byte, off, max int) int {
	n := 0
	for n < max {
		l := int(p.get8(b, off+n))
		n++
		if l == 0 {
			return n
		}
		if n > 1 {
			p.c('.')
		}
		if n+l > max {
			p.hncpJNP(b, off+n, max-n)
			break
		}
		p.hncpJNP(b, off+n, l)
		n += l
	}
	p.s("[|DNS]")
	return -1
}

// hncpJNP prints up to n bytes of text at b[off:] up to a NUL, stopping
// the packet where the capture ends first.
func (p *Printer) hncpJNP(b []byte, off, n int) {
	for i := 0; i < n; i++ {
		c := p.get8(b, off+i)
		if c == 0 {
			return
		}
		p.printChar(c)
	}
}

// hncpDHCP prints the DHCPv4 options, or with v6 the DHCPv6 options, in
// the n bytes at b[off:], a line each at depth indent, and reports false
// when one is malformed. A DHCPv4 option has a byte of type and one of
// length, a DHCPv6 option two of each; of either tcpdump decodes the
// lists of servers' addresses and of search domains.
func (p *Printer) hncpDHCP(b []byte, off, n, indent int, v6 bool) bool {
	hdr, names, addrLen := 2, hncpDHCP4OptNames, 4
	if v6 {
		hdr, names, addrLen = 4, hncpDHCP6OptNames, 16
	}
	for i := 0; i < n; {
		if i+hdr > n {
			return false
		}
		t := off + i
		var typ uint32
		var olen int
		if v6 {
			typ, olen = uint32(p.get16(b, t)), int(p.get16(b, t+2))
		} else {
			typ, olen = uint32(p.get8(b, t)), int(p.get8(b, t+1))
		}
		v := t + hdr
		p.hncpIndent(indent)
		p.tok2str(names, "Unknown", typ)
		p.s(" (")
		p.u(uint64(olen + hdr))
		p.c(')')
		if i+hdr+olen > n {
			return false
		}
		switch {
		case v6 && (typ == hncpDHCP6DNS || typ == hncpDHCP6SNTP), !v6 && (typ == hncpDHCP4DNS || typ == hncpDHCP4NTP):
			// DHCPv4's list may not be empty; only DHCPv6's is marked.
			if olen%addrLen != 0 || !v6 && olen == 0 {
				if v6 {
					p.s(" (invalid)")
				}
				return false
			}
			for j := 0; j < olen; j += addrLen {
				p.need(b, v+j+addrLen)
				p.c(' ')
				p.out = appendIP(p.out, b[v+j:v+j+addrLen])
			}
		case v6 && typ == hncpDHCP6Search, !v6 && typ == hncpDHCP4Search:
			if !p.hncpNames(b, v, v+olen) {
				return false
			}
		}
		i += hdr + olen
	}
	return true
}

// hncpNames prints the domain names in b[off:end], each after a space,
// and reports false when one is malformed.
func (p *Printer) hncpNames(b []byte, off, end int) bool {
	d := dnsMsg{p: p, m: b}
	for off < end {
		p.c(' ')
		next, ok := d.name(off, end)
		if !ok {
			return false
		}
		off = next
	}
	return true
}
