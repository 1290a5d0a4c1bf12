package dump

import "encoding/binary"

// DHCPv6 as tcpdump's print-dhcp6.c prints it (RFC 8415 and the options
// of RFC 3319, 3646, 3898, 4075, 4242, 4280, 4649, 4704, 5007, 5908,
// 6334, 8520): the message type, and with -v the transaction ID or the
// relay's addresses and every option in parentheses, options inside
// options (IA addresses and prefixes, relayed messages) nested in their
// own. tcpdump calls it for UDP ports 546 and 547 whatever the IP
// version, so IPv4 datagrams to those ports are printed as DHCPv6 too.

// UDP ports of DHCPv6.
const (
	portDHCP6Client = 546
	portDHCP6Server = 547
)

// DHCPv6 message types.
const (
	dhcp6Renew      = 5
	dhcp6InfoReq    = 11
	dhcp6RelayForw  = 12
	dhcp6RelayReply = 13
)

// Lengths of the message headers and of an option's header.
const (
	dhcp6HdrLen      = 4  // type, transaction ID
	dhcp6RelayHdrLen = 34 // type, hop count, link and peer addresses
	dhcp6OptHdrLen   = 4  // code, length
	dhcp6RelayLink   = 2
	dhcp6RelayPeer   = 18
	dhcp6XIDMask     = 0x00ffffff
)

// DHCPv6 option codes.
const (
	dhcp6OptClientID      = 1
	dhcp6OptServerID      = 2
	dhcp6OptIANA          = 3
	dhcp6OptIATA          = 4
	dhcp6OptIAAddr        = 5
	dhcp6OptORO           = 6
	dhcp6OptPreference    = 7
	dhcp6OptElapsedTime   = 8
	dhcp6OptRelayMsg      = 9
	dhcp6OptAuth          = 11
	dhcp6OptUnicast       = 12
	dhcp6OptStatusCode    = 13
	dhcp6OptRapidCommit   = 14
	dhcp6OptInterfaceID   = 18
	dhcp6OptReconfMsg     = 19
	dhcp6OptReconfAccept  = 20
	dhcp6OptSIPServerD    = 21
	dhcp6OptSIPServerA    = 22
	dhcp6OptDNSServers    = 23
	dhcp6OptDomainList    = 24
	dhcp6OptIAPD          = 25
	dhcp6OptIAPrefix      = 26
	dhcp6OptNISServers    = 27
	dhcp6OptNISPServers   = 28
	dhcp6OptSNTPServers   = 31
	dhcp6OptLifetime      = 32
	dhcp6OptBCMCSServerA  = 34
	dhcp6OptRemoteID      = 37
	dhcp6OptSubscriberID  = 38
	dhcp6OptPANAAgent     = 40
	dhcp6OptPOSIXTimezone = 41
	dhcp6OptTZDBTimezone  = 42
	dhcp6OptERO           = 43
	dhcp6OptLQQuery       = 44
	dhcp6OptClientData    = 45
	dhcp6OptCLTTime       = 46
	dhcp6OptLQRelayData   = 47
	dhcp6OptLQClientLink  = 48
	dhcp6OptNTPServer     = 56
	dhcp6OptAFTRName      = 64
	dhcp6OptMUDURL        = 112
)

// Values inside options.
const (
	dhcp6DUIDLLT = 1 // link-layer address plus time
	dhcp6DUIDEN  = 2 // enterprise number
	dhcp6DUIDLL  = 3 // link-layer address

	dhcp6AuthDelayed     = 2
	dhcp6AuthReconfigure = 3
	dhcp6AuthHMACMD5     = 1
	dhcp6AuthRDMMono     = 0
	dhcp6ReconfKey       = 1
	dhcp6ReconfHMACMD5   = 2

	dhcp6NTPServerAddr = 1
	dhcp6NTPMulticast  = 2
	dhcp6NTPServerFQDN = 3
)

var dhcp6MsgTypeNames = []tok{
	{1, "solicit"}, {2, "advertise"}, {3, "request"}, {4, "confirm"},
	{5, "renew"}, {6, "rebind"}, {7, "reply"}, {8, "release"},
	{9, "decline"}, {10, "reconfigure"}, {11, "inf-req"},
	{12, "relay-fwd"}, {13, "relay-reply"}, {14, "leasequery"},
	{15, "leasequery-reply"},
}

var dhcp6OptNames = []tok{
	{1, "client-ID"}, {2, "server-ID"}, {3, "IA_NA"}, {4, "IA_TA"},
	{5, "IA_ADDR"}, {6, "option-request"}, {7, "preference"},
	{8, "elapsed-time"}, {9, "relay-message"}, {11, "authentication"},
	{12, "server-unicast"}, {13, "status-code"}, {14, "rapid-commit"},
	{15, "user-class"}, {16, "vendor-class"}, {17, "vendor-specific-info"},
	{18, "interface-ID"}, {19, "reconfigure-message"},
	{20, "reconfigure-accept"}, {21, "SIP-servers-domain"},
	{22, "SIP-servers-address"}, {23, "DNS-server"}, {24, "DNS-search-list"},
	{25, "IA_PD"}, {26, "IA_PD-prefix"}, {27, "NIS-server"},
	{28, "NIS+-server"}, {29, "NIS-domain-name"}, {30, "NIS+-domain-name"},
	{31, "SNTP-servers"}, {32, "lifetime"}, {33, "BCMCS-domain-name"},
	{34, "BCMCS-server"}, {36, "Geoconf-Civic"}, {37, "Remote-ID"},
	{38, "Subscriber-ID"}, {39, "Client-FQDN"}, {40, "PANA-agent"},
	{41, "POSIX-timezone"}, {42, "POSIX-tz-database"},
	{43, "Echo-request-option"}, {44, "Lease-query"}, {45, "LQ-client-data"},
	{46, "Clt-time"}, {47, "LQ-relay-data"}, {48, "LQ-client-link"},
	{56, "NTP-server"}, {64, "AFTR-Name"}, {112, "MUD-URL"},
}

var dhcp6StatusNames = []tok{
	{0, "Success"}, {1, "UnspecFail"}, {2, "NoAddrsAvail"}, {3, "NoBinding"},
	{4, "NotOnLink"}, {5, "UseMulticast"}, {6, "NoPrefixAvail"},
	{7, "UnknownQueryType"}, {8, "MalformedQuery"}, {9, "NotConfigured"},
	{10, "NotAllowed"},
}

// dhcp6 prints a DHCPv6 message (tcpdump's dhcp6_print). b holds what was
// captured of it, to the end of the datagram; length is its length by
// UDP.
func (p *Printer) dhcp6(b []byte, length int) {
	p.proto = "dhcp6"
	p.s("dhcp6")
	if len(b) < dhcp6HdrLen {
		p.s(" [|dhcp6]")
		return
	}
	end := len(b)
	if length < end {
		end = length
	}
	typ := b[0]
	p.c(' ')
	p.tokNum(dhcp6MsgTypeNames, "msgtype-", uint32(typ))
	if p.opt.Verbose == 0 {
		return
	}
	p.s(" (")
	if typ != dhcp6RelayForw && typ != dhcp6RelayReply {
		p.s("xid=")
		p.x(uint64(binary.BigEndian.Uint32(b) & dhcp6XIDMask))
		p.dhcp6Options(b, dhcp6HdrLen, end)
	} else {
		p.ip6Addr("linkaddr=", b, dhcp6RelayLink)
		p.ip6Addr(" peeraddr=", b, dhcp6RelayPeer)
		p.dhcp6Options(b, dhcp6RelayHdrLen, end)
	}
	p.c(')')
}

// ip6Addr prints label and the IPv6 address at b[off:], or stops the
// packet before the label if the address was not captured.
func (p *Printer) ip6Addr(label string, b []byte, off int) {
	p.need(b, off+16)
	p.s(label)
	p.out = appendIPv6(p.out, b[off:off+16])
}

// dhcp6Options prints the options in m[off:end], " (NAME ...)" each
// (tcpdump's dhcp6opt_print). m holds what was captured of the message,
// to the end of the datagram, of which end is the last byte the message
// covers; the options themselves all lie before it, but a domain name
// inside one may run on past it, as tcpdump reads names. An option that
// runs past end is reported as a truncation and ends the list.
func (p *Printer) dhcp6Options(m []byte, off, end int) {
	for off < end {
		if end-off < dhcp6OptHdrLen {
			p.s(" [|dhcp6]")
			return
		}
		code := binary.BigEndian.Uint16(m[off:])
		olen := int(binary.BigEndian.Uint16(m[off+2:]))
		body := off + dhcp6OptHdrLen
		if end-body < olen {
			p.s(" [|dhcp6]")
			return
		}
		p.s(" (")
		p.tokNum(dhcp6OptNames, "opt_", uint32(code))
		if !p.dhcp6Option(m, code, body, olen) {
			p.s(" [|dhcp6]")
			return
		}
		off = body + olen
	}
}

// dhcp6Option prints the data of one option, whose olen bytes start at
// m[off:], and its closing parenthesis. It reports false when a domain
// name in it was cut short or was malformed, which ends the list.
func (p *Printer) dhcp6Option(m []byte, code uint16, off, olen int) bool {
	d := m[off : off+olen]
	switch code {
	case dhcp6OptClientID, dhcp6OptServerID:
		p.dhcp6DUID(d)
	case dhcp6OptIAAddr:
		if olen < 24 {
			p.s(" ?)")
			break
		}
		p.c(' ')
		p.out = appendIPv6(p.out, d[:16])
		p.dhcp6Lifetimes(d[16:])
		if olen > 24 {
			p.dhcp6Options(m, off+24, off+olen)
		}
		p.c(')')
	case dhcp6OptORO, dhcp6OptERO:
		if olen%2 != 0 {
			p.s(" ?)")
			break
		}
		for i := 0; i < olen; i += 2 {
			p.c(' ')
			p.tokNum(dhcp6OptNames, "opt_", uint32(binary.BigEndian.Uint16(d[i:])))
		}
		p.c(')')
	case dhcp6OptPreference:
		if olen != 1 {
			p.s(" ?)")
			break
		}
		p.c(' ')
		p.u(uint64(d[0]))
		p.c(')')
	case dhcp6OptElapsedTime:
		if olen != 2 {
			p.s(" ?)")
			break
		}
		p.c(' ')
		p.u(uint64(binary.BigEndian.Uint16(d)))
		p.c(')')
	case dhcp6OptRelayMsg:
		// The relayed message is printed as a message of its own, which
		// cannot see past the option.
		p.s(" (")
		p.dhcp6(d, olen)
		p.c(')')
	case dhcp6OptAuth:
		p.dhcp6Auth(d)
	case dhcp6OptRapidCommit, dhcp6OptReconfAccept:
		p.c(')')
	case dhcp6OptInterfaceID, dhcp6OptSubscriberID:
		// Of unknown encoding: the first ten bytes in hex.
		p.c(' ')
		p.hexBytes(d[:min(olen, 10)])
		p.s("...)")
	case dhcp6OptReconfMsg:
		if olen != 1 {
			p.s(" ?)")
			break
		}
		switch d[0] {
		case dhcp6Renew:
			p.s(" for renew)")
		case dhcp6InfoReq:
			p.s(" for inf-req)")
		default:
			p.s(" for ???(")
			p.xw(uint64(d[0]), 2)
			p.s("))")
		}
	case dhcp6OptSIPServerA, dhcp6OptDNSServers, dhcp6OptSNTPServers,
		dhcp6OptNISServers, dhcp6OptNISPServers, dhcp6OptBCMCSServerA,
		dhcp6OptPANAAgent, dhcp6OptLQClientLink:
		if olen%16 != 0 {
			p.s(" ?)")
			break
		}
		for i := 0; i < olen; i += 16 {
			p.c(' ')
			p.out = appendIPv6(p.out, d[i:i+16])
		}
		p.c(')')
	case dhcp6OptSIPServerD, dhcp6OptDomainList:
		end := off + olen
		for n := off; n < end; {
			p.c(' ')
			next, ok := p.dhcp6Name(m, n, end)
			if !ok {
				return false
			}
			n = next
		}
		p.c(')')
	case dhcp6OptStatusCode:
		if olen < 2 {
			p.s(" ?)")
			break
		}
		p.c(' ')
		if c := binary.BigEndian.Uint16(d); c > 255 {
			p.s("INVALID code")
		} else {
			p.tokNum(dhcp6StatusNames, "code", uint32(c))
		}
		p.c(')')
	case dhcp6OptIANA, dhcp6OptIAPD:
		if olen < 12 {
			p.s(" ?)")
			break
		}
		p.s(" IAID:")
		p.u(uint64(binary.BigEndian.Uint32(d)))
		p.s(" T1:")
		p.u(uint64(binary.BigEndian.Uint32(d[4:])))
		p.s(" T2:")
		p.u(uint64(binary.BigEndian.Uint32(d[8:])))
		if olen > 12 {
			p.dhcp6Options(m, off+12, off+olen)
		}
		p.c(')')
	case dhcp6OptIATA:
		if olen < 4 {
			p.s(" ?)")
			break
		}
		p.s(" IAID:")
		p.u(uint64(binary.BigEndian.Uint32(d)))
		if olen > 4 {
			p.dhcp6Options(m, off+4, off+olen)
		}
		p.c(')')
	case dhcp6OptIAPrefix:
		if olen < 25 {
			p.s(" ?)")
			break
		}
		p.c(' ')
		p.out = appendIPv6(p.out, d[9:25])
		p.c('/')
		p.u(uint64(d[8]))
		p.dhcp6Lifetimes(d)
		if olen > 25 {
			p.dhcp6Options(m, off+25, off+olen)
		}
		p.c(')')
	case dhcp6OptLifetime, dhcp6OptCLTTime:
		if olen != 4 {
			p.s(" ?)")
			break
		}
		p.c(' ')
		p.u(uint64(binary.BigEndian.Uint32(d)))
		p.c(')')
	case dhcp6OptRemoteID:
		if olen < 4 {
			p.s(" ?)")
			break
		}
		p.c(' ')
		p.u(uint64(binary.BigEndian.Uint32(d)))
		p.c(' ')
		p.hexBytes(d[4:min(olen, 14)])
		p.s("...)")
	case dhcp6OptLQQuery:
		if olen < 17 {
			p.s(" ?)")
			break
		}
		switch d[0] {
		case 1:
			p.s(" by-address")
		case 2:
			p.s(" by-clientID")
		default:
			p.s(" type_")
			p.u(uint64(d[0]))
		}
		p.c(' ')
		p.out = appendIPv6(p.out, d[1:17])
		if olen > 17 {
			p.dhcp6Options(m, off+17, off+olen)
		}
		p.c(')')
	case dhcp6OptClientData:
		if olen > 0 {
			p.dhcp6Options(m, off, off+olen)
		}
		p.c(')')
	case dhcp6OptLQRelayData:
		if olen < 16 {
			p.s(" ?)")
			break
		}
		p.c(' ')
		p.out = appendIPv6(p.out, d[:16])
		p.c(' ')
		p.hexBytes(d[16:min(olen, 26)])
		p.s("...)")
	case dhcp6OptNTPServer:
		return p.dhcp6NTPServer(m, off, olen)
	case dhcp6OptAFTRName:
		p.dhcp6AFTRName(d)
	case dhcp6OptPOSIXTimezone, dhcp6OptTZDBTimezone, dhcp6OptMUDURL:
		if olen < 5 {
			p.s(" ?)")
			break
		}
		p.c(' ')
		p.printNUL(d)
		p.c(')')
	default:
		p.c(')')
	}
	return true
}

// dhcp6Lifetimes prints the preferred and valid lifetimes that start b.
func (p *Printer) dhcp6Lifetimes(b []byte) {
	p.s(" pltime:")
	p.u(uint64(binary.BigEndian.Uint32(b)))
	p.s(" vltime:")
	p.u(uint64(binary.BigEndian.Uint32(b[4:])))
}

// dhcp6DUID prints a client or server identifier by its DUID type (RFC
// 8415, 11), and the option's closing parenthesis.
func (p *Printer) dhcp6DUID(d []byte) {
	if len(d) < 2 {
		p.s(" ?)")
		return
	}
	switch typ := binary.BigEndian.Uint16(d); typ {
	case dhcp6DUIDLLT:
		if len(d) < 8 {
			p.s(" ?)")
			return
		}
		p.s(" hwaddr/time type ")
		p.u(uint64(binary.BigEndian.Uint16(d[2:])))
		p.s(" time ")
		p.u(uint64(binary.BigEndian.Uint32(d[4:])))
		p.c(' ')
		p.hexBytes(d[8:])
		p.c(')')
	case dhcp6DUIDEN:
		if len(d) < 10 {
			p.s(" ?)")
			return
		}
		p.s(" vid ")
		p.hexBytes(d[2:10])
		p.c(')')
	case dhcp6DUIDLL:
		if len(d) < 4 {
			p.s(" ?)")
			return
		}
		p.s(" hwaddr type ")
		p.u(uint64(binary.BigEndian.Uint16(d[2:])))
		p.c(' ')
		p.hexBytes(d[4:])
		p.c(')')
	default:
		p.s(" type ")
		p.u(uint64(typ))
		p.c(')')
	}
}

// dhcp6Auth prints an authentication option (RFC 8415, 21.11): protocol,
// algorithm, replay detection, and the protocol's information.
func (p *Printer) dhcp6Auth(d []byte) {
	if len(d) < 11 {
		p.s(" ?)")
		return
	}
	proto, alg, rdm := d[0], d[1], d[2]
	switch proto {
	case dhcp6AuthDelayed:
		p.s(" proto: delayed")
	case dhcp6AuthReconfigure:
		p.s(" proto: reconfigure")
	default:
		p.s(" proto: ")
		p.u(uint64(proto))
	}
	if alg == dhcp6AuthHMACMD5 {
		p.s(", alg: HMAC-MD5")
	} else {
		p.s(", alg: ")
		p.u(uint64(alg))
	}
	if rdm == dhcp6AuthRDMMono {
		p.s(", RDM: mono")
	} else {
		p.s(", RDM: ")
		p.u(uint64(rdm))
	}
	p.s(", RD:")
	for i := 3; i < 11; i += 2 {
		p.c(' ')
		p.xw(uint64(binary.BigEndian.Uint16(d[i:])), 4)
	}
	info := d[11:]
	switch proto {
	case dhcp6AuthDelayed:
		if len(info) == 0 {
			break
		}
		if len(info) < 20 {
			p.s(" ??")
			break
		}
		realm := len(info) - 20
		if realm > 0 {
			p.s(", realm: ")
		}
		p.hexBytes(info[:realm])
		p.s(", key ID: ")
		p.xw(uint64(binary.BigEndian.Uint32(info[realm:])), 8)
		p.s(", HMAC-MD5:")
		p.dhcp6Words(info[realm+4:])
	case dhcp6AuthReconfigure:
		if len(info) != 17 {
			p.s(" ??")
			break
		}
		switch info[0] {
		case dhcp6ReconfKey:
			p.s(" reconfig-key")
		case dhcp6ReconfHMACMD5:
			p.s(" type: HMAC-MD5")
		default:
			p.s(" type: ??")
		}
		p.s(" value:")
		p.dhcp6Words(info[1:])
	default:
		p.s(" ??")
	}
	p.c(')')
}

// dhcp6Words prints the 16 bytes that start b as four 32-bit words in
// hex.
func (p *Printer) dhcp6Words(b []byte) {
	for i := 0; i < 16; i += 4 {
		p.c(' ')
		p.xw(uint64(binary.BigEndian.Uint32(b[i:])), 8)
	}
}

// dhcp6NTPServer prints an NTP server option (RFC 5908): its
// suboptions, " subopt:CODE VALUE" each. A suboption header in the last
// four bytes is not read, as tcpdump does not. It reports false when a
// suboption runs past the option or its name is bad.
func (p *Printer) dhcp6NTPServer(m []byte, off, olen int) bool {
	if olen < 4 {
		p.s(" ?)")
		return true
	}
	end := off + olen
	for n := off; n < end-4; {
		code := binary.BigEndian.Uint16(m[n:])
		slen := int(binary.BigEndian.Uint16(m[n+2:]))
		n += 4
		if slen > end-n {
			return false
		}
		p.s(" subopt:")
		p.u(uint64(code))
		switch code {
		case dhcp6NTPServerAddr, dhcp6NTPMulticast:
			if slen != 16 {
				p.s(" ?")
				break
			}
			p.c(' ')
			p.out = appendIPv6(p.out, m[n:n+16])
		case dhcp6NTPServerFQDN:
			p.c(' ')
			if _, ok := p.dhcp6Name(m, n, n+slen); !ok {
				return false
			}
		default:
			p.s(" ?")
		}
		n += slen
	}
	p.c(')')
	return true
}

// dhcp6Name prints the domain name at m[off:] and returns the offset
// after it (tcpdump's fqdn_print). The name is read as DNS reads names,
// to the end of the capture; compression pointers count from end, the
// end of the option holding the name, which is where tcpdump counts them
// from here.
func (p *Printer) dhcp6Name(m []byte, off, end int) (int, bool) {
	d := dnsMsg{p: p, m: m}
	return d.name(off, end)
}

// dhcp6AFTRName prints the tunnel endpoint name of RFC 6334: labels
// joined by dots, " ?" for a label longer than what is left.
func (p *Printer) dhcp6AFTRName(d []byte) {
	if len(d) < 3 {
		p.s(" ?)")
		return
	}
	p.c(' ')
	i := 0
	for left := len(d); left > 0 && d[i] != 0; {
		l := int(d[i])
		i++
		if l >= left-1 {
			p.s(" ?")
			break
		}
		p.printNUL(d[i : i+l])
		i += l
		left -= l + 1
		if d[i] != 0 {
			p.c('.')
		}
	}
	p.c(')')
}

// printNUL prints the bytes of b up to the first NUL as tcpdump prints
// untrusted text (its nd_printjnp).
func (p *Printer) printNUL(b []byte) {
	for _, c := range b {
		if c == 0 {
			return
		}
		p.printChar(c)
	}
}

// tokNum appends the name of v in t, or prefix and v in decimal: a
// tok2str whose default is "prefix%u", without formatting through fmt.
func (p *Printer) tokNum(t []tok, prefix string, v uint32) {
	if s, ok := lookup(t, v); ok {
		p.s(s)
		return
	}
	p.s(prefix)
	p.u(uint64(v))
}
