package dump

import (
	"github.com/medina-net/medina/ethernet"
	"github.com/medina-net/medina/ipv4"
)

// BOOTP (RFC 951) and DHCP (RFC 2131), UDP ports 67 and 68, with the
// options of RFC 2132 and their successors, as tcpdump's print-bootp.c
// prints them.

const (
	portBOOTPServer = 67
	portBOOTPClient = 68

	bootpRequest = 1

	// Offsets in the fixed message.
	bootpXID    = 4
	bootpSecs   = 8
	bootpFlags  = 10
	bootpCIAddr = 12
	bootpCHAddr = 28
	bootpSName  = 44
	bootpFile   = 108
	bootpVend   = 236

	bootpSNameLen = 64
	bootpFileLen  = 128

	// Options (tags) that print their own way.
	dhcpPad          = 0
	dhcpEnd          = 255
	dhcpMessageType  = 53
	dhcpParamRequest = 55
	dhcpNetBIOSNode  = 46
	dhcpOverload     = 52
	dhcpClientFQDN   = 81
	dhcpClientID     = 61
	dhcpAgentInfo    = 82
	dhcpClassless    = 121
	dhcpClasslessMS  = 249
	dhcpUserClass    = 77
)

// bootpTags is tcpdump's tag2str: each option's name, after a letter
// that says how its data prints: a text, i addresses, l unsigned and L
// signed 32-bit numbers, s 16-bit numbers, b bytes, B booleans, p address
// pairs, $ a format of its own.
var bootpTags = []tok{
	{0, " PAD"}, {1, "iSubnet-Mask"}, {2, "LTime-Zone"}, {3, "iDefault-Gateway"},
	{4, "iTime-Server"}, {5, "iIEN-Name-Server"}, {6, "iDomain-Name-Server"}, {7, "iLOG"},
	{8, "iCS"}, {9, "iLPR-Server"}, {10, "iIM"}, {11, "iRL"}, {12, "aHostname"}, {13, "sBS"},
	{255, " END"}, {14, "aDP"}, {15, "aDomain-Name"}, {16, "iSS"}, {17, "aRP"}, {18, "aEP"},
	{19, "BIPF"}, {20, "BSRT"}, {21, "pPF"}, {22, "sRSZ"}, {23, "bTTL"}, {24, "lMTU-Timeout"},
	{25, "sMTU-Table"}, {26, "sMTU"}, {27, "BLSN"}, {28, "iBR"}, {29, "BMD"}, {30, "BMS"},
	{31, "BRouter-Discovery"}, {32, "iRSA"}, {33, "pStatic-Route"}, {34, "BUT"}, {35, "lAT"},
	{36, "BIE"}, {37, "bTT"}, {38, "lKI"}, {39, "BKG"}, {40, "aYD"}, {41, "iYS"}, {42, "iNTP"},
	{43, "bVendor-Option"}, {44, "iNetbios-Name-Server"}, {45, "iWDD"}, {46, "$Netbios-Node"},
	{47, "aNetbios-Scope"}, {48, "iXFS"}, {49, "iXDM"}, {64, "sN+D"}, {65, "iN+S"}, {68, "iMH"},
	{69, "iSMTP"}, {70, "iPOP3"}, {71, "iNNTP"}, {72, "iWWW"}, {73, "iFG"}, {74, "iIRC"},
	{75, "iSTS"}, {76, "iSTDA"}, {50, "iRequested-IP"}, {51, "lLease-Time"}, {52, "$OO"},
	{66, "aTFTP"}, {67, "aBF"}, {53, " DHCP-Message"}, {54, "iServer-ID"},
	{55, "bParameter-Request"}, {56, "aMSG"}, {57, "sMSZ"}, {58, "lRN"}, {59, "lRB"},
	{60, "aVendor-Class"}, {61, "$Client-ID"}, {98, "aUAP"}, {116, "BNOAUTO"}, {78, "bSLP-DA"},
	{79, "bSLP-SCOPE"}, {117, "sNSSEARCH"}, {77, "$User-Class"}, {118, "iSUBNET"},
	{121, "$Classless-Static-Route"}, {249, "$Classless-Static-Route-Microsoft"},
	{150, "iTFTP-Server-Address"}, {80, "aSLP-NA"}, {81, "$FQDN"}, {82, "$Agent-Information"},
	{83, "bARMT"}, {88, "aTZSTR"}, {89, "bFQDNS"}, {90, "bAUTH"}, {91, "LLast-Transaction-Time"},
	{92, "iAssociated-IP"}, {93, "sARCH"}, {94, "bNDI"}, {97, "bGUID"}, {95, "aLDAP"},
	{100, "aPOSIX-TZ"}, {101, "aTZ-Name"}, {112, "iNI"}, {113, "aNITAG"}, {114, "aURL"},
	{161, "aMUD-URL"},
}

var bootpOps = []tok{{bootpRequest, "Request"}, {2, "Reply"}}

var bootpFlagNames = []tok{{0x8000, "Broadcast"}}

var dhcpMessageTypes = []tok{
	{1, "Discover"}, {2, "Offer"}, {3, "Request"}, {4, "Decline"}, {5, "ACK"}, {6, "NACK"},
	{7, "Release"}, {8, "Inform"}, {10, "LeaseQuery"}, {11, "LeaseUnassigned"},
	{12, "LeaseUnknown"}, {13, "LeaseActive"},
}

var dhcpOverloads = []tok{{1, "file"}, {2, "sname"}, {3, "file+sname"}}

var dhcpNetBIOSNodes = []tok{{0x1, "b-node"}, {0x2, "p-node"}, {0x4, "m-node"}, {0x8, "h-node"}}

var dhcpHWTypes = []tok{
	{0x1, "ether"}, {0x6, "ieee802"}, {0x7, "arcnet"}, {0xf, "frelay"}, {0x17, "strip"},
	{0x18, "ieee1394"},
}

var dhcpAgentSubopts = []tok{{1, "Circuit-ID"}, {2, "Remote-ID"}, {6, "Subscriber-ID"}}

// bootp prints a BOOTP or DHCP message of the given length (tcpdump's
// bootp_print).
func (p *Printer) bootp(b []byte, length int) {
	p.proto = "bootp"
	op := p.get8(b, 0)
	p.s("BOOTP/DHCP, ")
	p.tok2str(bootpOps, "unknown (0x%02x)", uint32(op))
	htype, hlen := p.get8(b, 1), p.get8(b, 2)
	ether := htype == 1 && hlen == 6
	if ether && op == bootpRequest {
		a := p.bytes(b, bootpCHAddr, 6)
		p.s(" from ")
		p.out = ethernet.Addr(a).AppendTo(p.out)
	}
	p.su(", length ", uint64(length))
	if p.opt.Verbose == 0 {
		return
	}
	if len(b) < bootpSecs+2 {
		p.s(" [|bootp]")
		return
	}
	if htype != 1 {
		p.su(", htype ", uint64(htype))
	}
	if !ether {
		p.su(", hlen ", uint64(hlen))
	}
	if hops := p.get8(b, 3); hops != 0 {
		p.su(", hops ", uint64(hops))
	}
	if xid := p.get32(b, bootpXID); xid != 0 {
		p.s(", xid 0x")
		p.x(uint64(xid))
	}
	if secs := p.get16(b, bootpSecs); secs != 0 {
		p.su(", secs ", uint64(secs))
	}
	flags := p.get16(b, bootpFlags)
	p.s(", Flags [")
	p.bittok2str(bootpFlagNames, "none", uint32(flags), ", ")
	p.c(']')
	if p.opt.Verbose > 1 {
		p.s(" (0x")
		p.xw(uint64(flags), 4)
		p.c(')')
	}
	for i, label := range [...]string{"\n\t  Client-IP ", "\n\t  Your-IP ", "\n\t  Server-IP ", "\n\t  Gateway-IP "} {
		if off := bootpCIAddr + 4*i; p.get32(b, off) != 0 {
			p.v4At(label, b, off)
		}
	}
	if ether {
		a := p.bytes(b, bootpCHAddr, 6)
		p.s("\n\t  Client-Ethernet-Address ")
		p.out = ethernet.Addr(a).AppendTo(p.out)
	}
	for _, f := range [...]struct {
		label    string
		off, max int
	}{{"\n\t  sname \"", bootpSName, bootpSNameLen}, {"\n\t  file \"", bootpFile, bootpFileLen}} {
		if p.get8(b, f.off) == 0 {
			continue
		}
		p.s(f.label)
		if !p.bootpString(b[f.off:], f.max) {
			p.s("\" [|bootp]")
			return
		}
		p.c('"')
	}
	if len(b) < bootpVend+4 {
		p.s(" [|bootp]")
		return
	}
	switch v := b[bootpVend:]; {
	case v[0] == 99 && v[1] == 130 && v[2] == 83 && v[3] == 99:
		p.dhcpOptions(v)
	case v[0] == 'C' && v[1] == 'M' && v[2] == 'U' && v[3] == 0:
		p.bootpCMU(v)
	default:
		if x := be32(v); x != 0 {
			p.s("\n\t  Vendor-#0x")
			p.x(uint64(x))
		}
	}
}

// bootpString prints a NUL-terminated string of at most n bytes, and
// reports false when it has no NUL within them or the capture (tcpdump's
// nd_printztn, whose 0 means truncated).
func (p *Printer) bootpString(b []byte, n int) bool {
	for i := 0; ; i++ {
		if i == n || i == len(b) {
			return false
		}
		if b[i] == 0 {
			return true
		}
		p.printChar(b[i])
	}
}

// bootpCMU prints the CMU vendor extensions (tcpdump's cmu_print).
func (p *Printer) bootpCMU(v []byte) {
	p.s(" vend-cmu")
	if len(v) < 8 {
		p.s(" [|bootp]")
		return
	}
	flags := v[4]
	if flags&^1 != 0 {
		p.s(" F:0x")
		p.x(uint64(flags))
	}
	sm := " SM*:"
	if flags&1 != 0 {
		sm = " SM:"
	}
	for _, f := range [...]struct {
		off   int
		label string
	}{{12, " DG:"}, {8, sm}, {16, " NS1:"}, {20, " NS2:"}, {24, " IEN1:"}, {28, " IEN2:"}, {32, " TS1:"}, {36, " TS2:"}} {
		if len(v) < f.off+4 {
			p.s(" [|bootp]")
			return
		}
		if be32(v[f.off:]) != 0 {
			p.v4At(f.label, v, f.off)
		}
	}
}

// dhcpOptions prints the options that follow the magic cookie at the
// start of v (tcpdump's rfc1048_print).
func (p *Printer) dhcpOptions(v []byte) {
	p.s("\n\t  Vendor-rfc1048 Extensions\n\t    Magic Cookie 0x")
	p.xw(uint64(be32(v)), 8)
	vvv := p.opt.Verbose > 2
	for off := 4; off < len(v); {
		tag := v[off]
		off++
		if !vvv && tag == dhcpPad {
			continue
		}
		if !vvv && tag == dhcpEnd {
			return
		}
		name, ok := lookup(bootpTags, uint32(tag))
		if !ok {
			name = "?Unknown"
		}
		kind := name[0]
		name = name[1:]
		n := 0
		if tag != dhcpPad && tag != dhcpEnd {
			n = int(p.get8(v, off))
			off++
		}
		p.s("\n\t    ")
		p.s(name)
		p.su(" (", uint64(tag))
		p.su("), length ", uint64(n))
		if n > 0 {
			p.s(": ")
		}
		if tag == dhcpPad && vvv {
			count := 1
			for off < len(v) && v[off] == dhcpPad {
				off++
				count++
			}
			if count > 1 {
				p.su(", occurs ", uint64(count))
			}
		}
		if off+n > len(v) {
			p.s(" [|bootp]")
			return
		}
		d := v[off : off+n]
		off += n
		if tag == dhcpMessageType && n == 1 {
			p.tok2str(dhcpMessageTypes, "Unknown (%d)", uint32(d[0]))
			continue
		}
		if tag == dhcpParamRequest {
			for i, t := range d {
				if i%4 == 0 {
					p.s("\n\t      ")
				} else {
					p.s(", ")
				}
				inner, ok := lookup(bootpTags, uint32(t))
				if !ok {
					inner = "?Unknown"
				}
				p.s(inner[1:])
				p.su(" (", uint64(t))
				p.c(')')
			}
			continue
		}
		if kind == '?' {
			// An unknown option prints by its size.
			switch {
			case n&1 != 0:
				kind = 'b'
			case n&2 != 0:
				kind = 's'
			default:
				kind = 'l'
			}
		}
		if left := p.dhcpOptionData(tag, kind, d); left != 0 {
			p.su("\n\t  trailing data length ", uint64(left))
		}
	}
}

// dhcpOptionData prints an option's data d as its kind says, and returns
// how many bytes were left over.
func (p *Printer) dhcpOptionData(tag, kind byte, d []byte) int {
	sep := func(i int, s byte) {
		if i > 0 {
			p.c(s)
		}
	}
	switch kind {
	case 'a':
		p.c('"')
		p.printN(d, len(d))
		p.c('"')
		return 0
	case 'i', 'l', 'L':
		i := 0
		for ; len(d)-i >= 4; i += 4 {
			sep(i, ',')
			switch kind {
			case 'i':
				p.out = ipv4.Addr(d[i : i+4]).AppendTo(p.out)
			case 'L':
				p.d(int64(int32(be32(d[i:]))))
			default:
				p.u(uint64(be32(d[i:])))
			}
		}
		return len(d) - i
	case 'p':
		i := 0
		for ; len(d)-i >= 8; i += 8 {
			sep(i, ',')
			p.c('(')
			p.out = ipv4.Addr(d[i : i+4]).AppendTo(p.out)
			p.c(':')
			p.out = ipv4.Addr(d[i+4 : i+8]).AppendTo(p.out)
			p.c(')')
		}
		return len(d) - i
	case 's':
		i := 0
		for ; len(d)-i >= 2; i += 2 {
			sep(i, ',')
			p.u(uint64(be16(d[i:])))
		}
		return len(d) - i
	case 'B':
		for i, c := range d {
			sep(i, ',')
			switch c {
			case 0:
				p.c('N')
			case 1:
				p.c('Y')
			default:
				p.u(uint64(c))
				p.c('?')
			}
		}
		return 0
	case '$':
		return p.dhcpSpecial(tag, d)
	default: // bytes
		for i, c := range d {
			sep(i, '.')
			p.u(uint64(c))
		}
		return 0
	}
}

// dhcpSpecial prints the options with formats of their own, and returns
// how many bytes were left over.
func (p *Printer) dhcpSpecial(tag byte, d []byte) int {
	switch tag {
	case dhcpNetBIOSNode, dhcpOverload:
		if len(d) < 1 {
			p.s("[ERROR: length < 1 bytes]")
			return 0
		}
		if tag == dhcpNetBIOSNode {
			p.tok2str(dhcpNetBIOSNodes, "", uint32(d[0]))
		} else {
			p.tok2str(dhcpOverloads, "", uint32(d[0]))
		}
		return len(d) - 1
	case dhcpClientFQDN:
		if len(d) < 3 {
			p.s("[ERROR: length < 3 bytes]")
			return 0
		}
		if d[0]&0xf0 != 0 {
			p.s("[ERROR: MBZ nibble 0x")
			p.x(uint64(d[0] >> 4))
			p.s(" != 0] ")
		}
		if d[0]&0x0f != 0 {
			p.c('[')
			for i, c := range "SOEN" {
				if d[0]&(1<<i) != 0 {
					p.c(byte(c))
				}
			}
			p.s("] ")
		}
		if d[1] != 0 || d[2] != 0 {
			p.u(uint64(d[1]))
			p.c('/')
			p.u(uint64(d[2]))
			p.c(' ')
		}
		p.c('"')
		p.printN(d[3:], len(d)-3)
		p.c('"')
		return 0
	case dhcpClientID:
		if len(d) < 1 {
			p.s("[ERROR: length < 1 bytes]")
			return 0
		}
		if d[0] == 0 {
			p.c('"')
			p.printN(d[1:], len(d)-1)
			p.c('"')
			return 0
		}
		p.tok2str(dhcpHWTypes, "hardware-type %d,", uint32(d[0]))
		p.c(' ')
		for i, c := range d[1:] {
			if i > 0 {
				p.c(':')
			}
			p.xw(uint64(c), 2)
		}
		return 0
	case dhcpAgentInfo:
		for len(d) >= 2 {
			sub, sl := d[0], int(d[1])
			d = d[2:]
			p.s("\n\t      ")
			p.tok2str(dhcpAgentSubopts, "Unknown", uint32(sub))
			p.su(" SubOption ", uint64(sub))
			p.su(", length ", uint64(sl))
			if sl > len(d) {
				p.s(": length goes past end of option")
				return 0
			}
			p.s(": ")
			switch sub {
			case 1, 2, 6:
				p.printN(d, sl)
			default:
				p.hexPrint("\n\t\t", d[:sl])
			}
			d = d[sl:]
		}
		return len(d)
	case dhcpClassless, dhcpClasslessMS:
		if len(d) < 5 {
			p.s("[ERROR: length < 5 bytes]")
			return 0
		}
		for first := true; len(d) > 0; first = false {
			if !first {
				p.c(',')
			}
			width := int(d[0])
			d = d[1:]
			if width > 32 {
				p.su("[ERROR: Mask width (", uint64(width))
				p.s(") > 32]")
				return 0
			}
			sig := (width + 7) / 8
			if len(d) < sig+4 {
				p.su("[ERROR: Remaining length (", uint64(len(d)))
				p.su(") < ", uint64(sig+4))
				p.s(" bytes]")
				return 0
			}
			p.c('(')
			if width == 0 {
				p.s("default")
			} else {
				for i := range 4 {
					if i > 0 {
						p.c('.')
					}
					if i < sig {
						p.u(uint64(d[i]))
					} else {
						p.c('0')
					}
				}
				p.su("/", uint64(width))
			}
			p.c(':')
			p.out = ipv4.Addr(d[sig : sig+4]).AppendTo(p.out)
			p.c(')')
			d = d[sig+4:]
		}
		return 0
	case dhcpUserClass:
		if len(d) < 2 {
			p.s("[ERROR: length < 2 bytes]")
			return 0
		}
		for i := 1; len(d) > 0; i++ {
			sl := int(d[0])
			d = d[1:]
			p.su("\n\t      instance#", uint64(i))
			p.s(": ")
			if sl == 0 {
				p.s("[ERROR: suboption length must be non-zero]")
				return 0
			}
			if len(d) < sl {
				p.s("[ERROR: invalid option]")
				return 0
			}
			p.c('"')
			p.printN(d, sl)
			p.c('"')
			p.su(", length ", uint64(sl))
			d = d[sl:]
		}
		return 0
	default:
		p.su("[unknown special tag ", uint64(tag))
		p.su(", size ", uint64(len(d)))
		p.c(']')
		return 0
	}
}
