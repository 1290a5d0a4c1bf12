package dump

import (
	"github.com/medina-net/medina/ethernet"
	"github.com/medina-net/medina/ipv4"
)

// PPP (RFC 1661) and its control and authentication protocols, as
// tcpdump's print-ppp.c prints them: the frame header, the protocol demux,
// LCP, IPCP, IP6CP, CCP and BACP packets with their options, CHAP, PAP,
// multilink fragments, and the network protocols this package decodes.
//
// Several of these printers report a short packet with "[|name]" of their
// own, without the leading space of " [|proto]", and carry on; reads they
// do not check stop the packet as everywhere else.

// PPP protocol numbers.
const (
	pppIP       = 0x0021
	pppOSI      = 0x0023
	pppIPX      = 0x002b
	pppVJC      = 0x002d
	pppVJNC     = 0x002f
	pppML       = 0x003d
	pppIPv6     = 0x0057
	pppComp     = 0x00fd
	pppMPLSU    = 0x0281
	pppMPLSM    = 0x0283
	pppIPCP     = 0x8021
	pppOSICP    = 0x8023
	pppIPv6CP   = 0x8057
	pppCCP      = 0x80fd
	pppMPLSCP   = 0x8281
	pppLCP      = 0xc021
	pppPAP      = 0xc023
	pppLQM      = 0xc025
	pppSPAP     = 0xc027
	pppBACP     = 0xc02b
	pppBAP      = 0xc02d
	pppSPAPOld  = 0xc123
	pppCHAP     = 0xc223
	pppEAP      = 0xc227
	pppHdrLen   = 4    // address, control and a two-byte protocol
	pppAddress  = 0xff // the all-stations address of HDLC-like framing
	pppControl  = 0x03 // unnumbered information
	pppdIn      = 0x00 // DLT_PPP_PPPD puts the direction in the address
	pppdOut     = 0x01
	pppEscape   = 0x7d // HDLC control escape (RFC 1662)
	pppFlagByte = 0x7e // HDLC flag sequence
)

// pppTypeNames is tcpdump's ppptype2str.
var pppTypeNames = []tok{
	{pppIP, "IP"}, {pppOSI, "OSI"}, {0x0025, "NS"}, {0x0027, "DECNET"},
	{0x0029, "APPLE"}, {pppIPX, "IPX"}, {pppVJC, "VJC IP"}, {pppVJNC, "VJNC IP"},
	{0x0031, "BRPDU"}, {0x0033, "STII"}, {0x0035, "VINES"}, {pppMPLSU, "MPLS"},
	{pppMPLSM, "MPLS"}, {pppComp, "Compressed"}, {pppML, "MLPPP"}, {pppIPv6, "IP6"},
	{0x0201, "HELLO"}, {0x0231, "LUXCOM"}, {0x0233, "SNS"}, {pppIPCP, "IPCP"},
	{pppOSICP, "OSICP"}, {0x8025, "NSCP"}, {0x8027, "DECNETCP"}, {0x8029, "APPLECP"},
	{0x802b, "IPXCP"}, {0x8033, "STIICP"}, {0x8035, "VINESCP"}, {pppIPv6CP, "IP6CP"},
	{pppMPLSCP, "MPLSCP"}, {pppLCP, "LCP"}, {pppPAP, "PAP"}, {pppLQM, "LQM"},
	{pppCHAP, "CHAP"}, {pppEAP, "EAP"}, {pppSPAP, "SPAP"}, {pppSPAPOld, "Old-SPAP"},
	{pppBACP, "BACP"}, {pppBAP, "BAP"}, {0xc03d, "MLPPP-CP"}, {pppCCP, "CCP"},
}

// Codes of the control protocols (RFC 1661, RFC 1570, RFC 1962, RFC 2153).
const (
	cpVendorExt = 0
	cpConfReq   = 1
	cpConfAck   = 2
	cpConfNak   = 3
	cpConfRej   = 4
	cpTermReq   = 5
	cpTermAck   = 6
	cpCodeRej   = 7
	cpProtRej   = 8
	cpEchoReq   = 9
	cpEchoRep   = 10
	cpDiscReq   = 11
	cpIdent     = 12
	cpTimeRem   = 13
)

// cpCodeNames is tcpdump's cpcodes.
var cpCodeNames = []tok{
	{cpVendorExt, "Vendor-Extension"}, {cpConfReq, "Conf-Request"},
	{cpConfAck, "Conf-Ack"}, {cpConfNak, "Conf-Nack"}, {cpConfRej, "Conf-Reject"},
	{cpTermReq, "Term-Request"}, {cpTermAck, "Term-Ack"}, {cpCodeRej, "Code-Reject"},
	{cpProtRej, "Prot-Reject"}, {cpEchoReq, "Echo-Request"}, {cpEchoRep, "Echo-Reply"},
	{cpDiscReq, "Disc-Req"}, {cpIdent, "Ident"}, {cpTimeRem, "Time-Rem"},
	{14, "Reset-Req"}, {15, "Reset-Ack"},
}

// LCP options.
const (
	lcpVendorExt = 0
	lcpMRU       = 1
	lcpACCM      = 2
	lcpAuthProto = 3
	lcpQualProto = 4
	lcpMagic     = 5
	lcpPFC       = 7
	lcpACFC      = 8
	lcpCallback  = 13
	lcpMRRU      = 17
	lcpEndDisc   = 19
	lcpLinkDisc  = 23
)

// lcpOptionNames are the names of LCP options 0 to 30, by number.
var lcpOptionNames = [...]string{
	"Vend-Ext", "MRU", "ACCM", "Auth-Prot", "Qual-Prot", "Magic-Num",
	"deprecated(6)", "PFC", "ACFC", "FCS-Alt", "SDP", "Num-Mode",
	"deprecated(12)", "Call-Back", "deprecated(14)", "deprecated(15)",
	"deprecated(16)", "MRRU", "12-Bit seq #", "End-Disc", "Proprietary",
	"DCE-Id", "MP+", "Link-Disc", "LCP-Auth-Opt", "COBS", "Prefix-elision",
	"Multilink-header-Form", "I18N", "SDL-over-SONET/SDH", "PPP-Muxing",
}

// CCP options (RFC 1962 and the compression methods' own RFCs).
const (
	ccpBSDComp = 21
	ccpMVRCA   = 24
	ccpDeflate = 26
)

var ccpOptionNames = []tok{
	{0, "OUI"}, {1, "Pred-1"}, {2, "Pred-2"}, {3, "Puddle"}, {16, "HP-PPC"},
	{17, "Stac-LZS"}, {18, "MPPC"}, {19, "Gand-FZA"}, {20, "V.42bis"},
	{ccpBSDComp, "BSD-Comp"}, {23, "LZS-DCP"}, {ccpMVRCA, "MVRCA"}, {25, "DEC"},
	{ccpDeflate, "Deflate"}, {255, "Reserved"},
}

// bacpFavoredPeer is BACP's one option (RFC 2125).
const bacpFavoredPeer = 1

var bacpOptionNames = []tok{{bacpFavoredPeer, "Favored-Peer"}}

// IPCP options (RFC 1332, RFC 1877, RFC 2290).
const (
	ipcpAddrs    = 1
	ipcpComp     = 2
	ipcpAddr     = 3
	ipcpHomeAddr = 4
	ipcpPriDNS   = 129
	ipcpPriNBNS  = 130
	ipcpSecDNS   = 131
	ipcpSecNBNS  = 132
)

var ipcpOptionNames = []tok{
	{ipcpAddrs, "IP-Addrs"}, {ipcpComp, "IP-Comp"}, {ipcpAddr, "IP-Addr"},
	{ipcpHomeAddr, "Home-Addr"}, {ipcpPriDNS, "Pri-DNS"}, {ipcpPriNBNS, "Pri-NBNS"},
	{ipcpSecDNS, "Sec-DNS"}, {ipcpSecNBNS, "Sec-NBNS"},
}

// ipcpHdrComp is the IP header compression protocol of RFC 3544, whose
// option is at least ipcpHdrCompLen bytes long.
const (
	ipcpHdrComp    = 0x61
	ipcpHdrCompLen = 14
)

var ipcpCompNames = []tok{{pppVJC, "VJ-Comp"}, {ipcpHdrComp, "IP Header Compression"}}

var ipcpCompSubNames = []tok{{1, "RTP-Compression"}, {2, "Enhanced RTP-Compression"}}

// ip6cpIfID is IP6CP's interface identifier option.
const ip6cpIfID = 1

var ip6cpOptionNames = []tok{{ip6cpIfID, "Interface-ID"}}

var pppAuthAlgNames = []tok{{5, "MD5"}, {128, "MS-CHAPv1"}, {129, "MS-CHAPv2"}}

// pppCallbackNames are the operations of LCP's callback option (RFC 1570).
var pppCallbackNames = []tok{
	{0, "UserAuth"}, {1, "DialString"}, {2, "LocalID"}, {3, "E.164"},
	{4, "X.500"}, {6, "CBCP"},
}

var chapCodeNames = []tok{{1, "Challenge"}, {2, "Response"}, {3, "Success"}, {4, "Fail"}}

const (
	chapChallenge = 1
	chapResponse  = 2
	chapSuccess   = 3
	chapFailure   = 4
)

var papCodeNames = []tok{{1, "Auth-Req"}, {2, "Auth-ACK"}, {3, "Auth-NACK"}}

const (
	papAuthReq  = 1
	papAuthAck  = 2
	papAuthNack = 3
)

var mlpppFlagNames = []tok{{0x80, "begin"}, {0x40, "end"}}

// pppLink prints a frame of DLT_PPP or DLT_PPP_PPPD, whose header is
// always counted as four bytes for -x (tcpdump's ppp_if_print).
func (p *Printer) pppLink(b []byte, length int) {
	p.proto = "ppp"
	if len(b) < pppHdrLen {
		p.s(" [|ppp]")
		p.llHdrLen += len(b)
		return
	}
	p.llHdrLen += pppHdrLen
	p.ppp(b, length)
}

// ppp prints a PPP frame of the given length that starts with the address
// and control fields, when they were not compressed away, as in PPTP's GRE
// (tcpdump's ppp_print). It returns the length of the PPP header, which a
// link type that starts with PPP counts for -x, or 0 if the frame is too
// short for one.
func (p *Printer) ppp(b []byte, length int) int {
	p.proto = "ppp"
	total := length
	if length < 2 {
		p.s(" [|ppp]")
		return 0
	}
	off := 0
	switch p.get16(b, 0) {
	case pppdIn<<8 | pppControl:
		if p.opt.LinkHeader {
			p.s("In  ")
		}
		off = 2
	case pppdOut<<8 | pppControl:
		if p.opt.LinkHeader {
			p.s("Out ")
		}
		off = 2
	case pppAddress<<8 | pppControl:
		off = 2
	}
	length -= off
	if length < 2 {
		p.s(" [|ppp]")
		return 0
	}
	var proto uint16
	if first := p.get8(b, off); first&1 != 0 {
		// A compressed protocol field (PFC): one byte.
		proto = uint16(first)
		off++
		length--
	} else {
		proto = p.get16(b, off)
		off += 2
		length -= 2
	}
	if p.opt.LinkHeader {
		name, known := lookup(pppTypeNames, uint32(proto))
		if !known {
			name = "unknown"
		}
		p.s(name)
		p.s(" (0x")
		p.xw(uint64(proto), 4)
		p.s("), length ")
		p.u(uint64(total))
		if !known {
			return off
		}
		p.s(": ")
	}
	p.pppPayload(proto, b, off, length)
	return off
}

// pppHDLC prints a PPP frame in HDLC-like framing, DLT_PPP_SERIAL, whose
// address and control fields are not checked, or a Cisco HDLC frame,
// which this package does not decode (tcpdump's ppp_hdlc_if_print). The header
// counts for -x only once the frame has been printed.
func (p *Printer) pppHDLC(b []byte, length int) {
	p.proto = "ppp_hdlc"
	if len(b) < 2 {
		p.s(" [|ppp_hdlc]")
		p.llHdrLen += len(b)
		return
	}
	if b[0] == 0x0f || b[0] == 0x8f {
		// A Cisco HDLC frame (unicast or broadcast address), which
		// tcpdump hands to its Cisco HDLC printer: a frame too short by
		// its length is abandoned alone, one cut short by the capture
		// as a whole packet.
		p.proto = "chdlc"
		if length < 4 {
			p.s(" [|chdlc]")
			p.llHdrLen += len(b)
			return
		}
		p.need(b, 4)
		p.unsupported(b)
		return
	}
	if len(b) < pppHdrLen {
		p.s(" [|ppp_hdlc]")
		p.llHdrLen += len(b)
		return
	}
	if p.opt.LinkHeader {
		p.xw(uint64(b[0]), 2)
		p.c(' ')
		p.xw(uint64(b[1]), 2)
		p.c(' ')
		p.u(uint64(length))
		p.c(' ')
	}
	if b[0] != pppAddress {
		p.s("unknown addr ")
		p.xw(uint64(b[2]), 2)
		p.s("; ctrl ")
		p.xw(uint64(b[3]), 2)
		p.llHdrLen += 2
		return
	}
	proto := be16(b[2:])
	p.pppProtoName(proto)
	p.s(": ")
	p.pppPayload(proto, b, pppHdrLen, length-pppHdrLen)
	p.llHdrLen += pppHdrLen
}

// pppProtoName prints the name of a PPP protocol, or "unknown PPP protocol
// (0xNNNN)".
func (p *Printer) pppProtoName(proto uint16) {
	if name, ok := lookup(pppTypeNames, uint32(proto)); ok {
		p.s(name)
		return
	}
	p.s("unknown PPP protocol (0x")
	p.xw(uint64(proto), 4)
	p.c(')')
}

// pppPayload prints the payload, of the given length, of a PPP frame
// whose protocol is proto (tcpdump's handle_ppp). The payload is b[off:];
// when proto took two bytes, they are b[off-2:off], which the control
// protocols' hex dumps include.
func (p *Printer) pppPayload(proto uint16, b []byte, off, length int) {
	if proto&0xff00 == pppFlagByte<<8 {
		// An escaped frame, still in its HDLC framing; tcpdump starts
		// undoing it from the second byte of the protocol field.
		p.pppUnescape(b[off-1:], length)
		return
	}
	payload := b[off:]
	switch proto {
	case pppLCP, pppIPCP, pppOSICP, pppMPLSCP, pppIPv6CP, pppCCP, pppBACP:
		p.pppControlProto(proto, b[off-2:], length)
	case pppML:
		p.mlppp(payload, length)
	case pppCHAP:
		p.chap(payload, length)
	case pppPAP:
		p.pap(payload, length)
	case pppBAP:
		// tcpdump prints nothing of BAP.
	case uint16(ethernet.TypeIPv4), pppVJNC, pppIP:
		p.ip(payload, length)
	case uint16(ethernet.TypeIPv6), pppIPv6:
		p.ip6(payload, length)
	case etherTypeIPX, pppIPX:
		p.ipx(payload, length)
	case pppComp:
		p.s("compressed PPP data")
	default:
		// Also OSI and MPLS, which tcpdump decodes and this package does not:
		// they print as a protocol tcpdump does not know.
		p.pppProtoName(proto)
		p.c(' ')
		p.unknownData(payload, 0, "\n\t", length)
	}
}

// pppUnescape undoes the octet stuffing of RFC 1662 in the captured part
// of an escaped frame, guesses where its protocol field is, and prints it
// (tcpdump's ppp_hdlc). It allocates a buffer for the frame; escaped
// frames are rare in captures.
func (p *Printer) pppUnescape(b []byte, length int) {
	if len(b) == 0 || length == 0 {
		return
	}
	u := make([]byte, 0, len(b))
	for i := 0; i < len(b); i++ {
		c := b[i]
		if c == pppEscape {
			if i+1 >= len(b) {
				break
			}
			i++
			c = b[i] ^ 0x20
		}
		u = append(u, c)
	}
	n := len(u)
	if n < 1 {
		p.s(" [|")
		p.s(p.proto)
		p.c(']')
		return
	}
	switch u[0] {
	case pppIP:
		p.ip(u[1:], n-1)
		return
	case pppIPv6:
		p.ip6(u[1:], n-1)
		return
	}
	if n < 2 {
		p.s(" [|")
		p.s(p.proto)
		p.c(']')
		return
	}
	off := 0
	if be16(u) == pppAddress<<8|pppControl {
		if n < 4 {
			p.s(" [|")
			p.s(p.proto)
			p.c(']')
			return
		}
		off = 2
	}
	proto := be16(u[off:])
	off += 2
	if proto&0xff00 == pppFlagByte<<8 {
		p.s("(protocol 0x")
		p.xw(uint64(proto), 4)
		p.s(" invalid)")
		return
	}
	p.pppPayload(proto, u, off, n-off)
}

// pppControlProto prints a packet of LCP or another control protocol of the
// LCP family (tcpdump's handle_ctrl_proto). b starts at the two-byte
// protocol field; length is that of the packet after it.
func (p *Printer) pppControlProto(proto uint16, b []byte, length int) {
	name, _ := lookup(pppTypeNames, uint32(proto))
	p.s(name)
	p.s(", ")
	if length < 4 || len(b) < 4 {
		p.pppCtrlTrunc(name)
		return
	}
	code := b[2]
	p.tok2str(cpCodeNames, "Unknown Opcode", uint32(code))
	p.s(" (0x")
	p.xw(uint64(code), 2)
	p.s("), id ")
	p.u(uint64(b[3]))
	p.s(", length ")
	p.u(uint64(length + 2))
	if p.opt.Verbose == 0 {
		return
	}
	n := int(p.get16(b, 4))
	if n < 4 {
		p.s("\n\tencoded length ")
		p.u(uint64(n))
		p.s(" (< 4))")
		return
	}
	if n > length {
		p.s("\n\tencoded length ")
		p.u(uint64(n))
		p.s(" (> packet length ")
		p.u(uint64(length))
		p.s("))")
		return
	}
	length = n
	p.s("\n\tencoded length ")
	p.u(uint64(n))
	p.s(" (=Option(s) length ")
	p.u(uint64(n - 4))
	p.c(')')
	if n == 4 {
		// An empty Configure-Request, for example.
		return
	}
	if p.opt.Verbose > 1 {
		p.unknownData(b, 0, "\n\t", 6)
	}

	const data = 6 // the data after the protocol, code, id and length
	switch code {
	case cpVendorExt:
		if length < 11 {
			break
		}
		p.magic(p.get32(b, data))
		oui := p.get24(b, data+4)
		p.s(" Vendor: ")
		p.tok2str(ouiNames, "Unknown", oui)
		p.s(" (")
		p.u(uint64(oui))
		p.c(')')
	case cpConfReq, cpConfAck, cpConfNak, cpConfRej:
		p.pppOptions(proto, b, data, n)
	case cpTermReq, cpTermAck, cpCodeRej:
		// tcpdump does not decode their data.
	case cpProtRej:
		if length < 6 {
			break
		}
		rejected := p.get16(b, data)
		p.s("\n\t  Rejected ")
		p.tok2str(pppTypeNames, "unknown", uint32(rejected))
		p.s(" Protocol (0x")
		p.xw(uint64(rejected), 4)
		p.c(')')
		if n > 6 {
			p.s("\n\t  Rejected Packet")
			p.unknownData(b, data+2, "\n\t    ", n-2)
		}
	case cpEchoReq, cpEchoRep, cpDiscReq:
		if length < 8 {
			break
		}
		p.magic(p.get32(b, data))
		if n > 8 {
			p.s("\n\t  -----trailing data-----")
			if len(b) < data+4+n-8 {
				p.pppCtrlTrunc(name)
				return
			}
			p.unknownData(b, data+4, "\n\t  ", n-8)
		}
	case cpIdent:
		if length < 8 {
			break
		}
		p.magic(p.get32(b, data))
		if n > 8 {
			// The message is text (RFC 1570); tcpdump prints four bytes
			// more than it holds, as far as they were captured.
			p.s("\n\t  Message\n\t    ")
			if p.printN(b[data+4:], n-4) {
				p.pppCtrlTrunc(name)
				return
			}
		}
	case cpTimeRem:
		if length < 12 {
			break
		}
		p.magic(p.get32(b, data))
		secs := p.get32(b, data+4)
		p.s(", Seconds-Remaining ")
		p.u(uint64(secs))
		p.c('s')
	default:
		if p.opt.Verbose <= 1 {
			p.unknownData(b, 0, "\n\t  ", length+2)
		}
	}
}

// magic prints a control packet's magic number on a line of its own.
func (p *Printer) magic(v uint32) {
	p.s("\n\t  Magic-Num 0x")
	p.xw(uint64(v), 8)
}

// pppCtrlTrunc prints "[|LCP]" for a control protocol packet that was cut
// short.
func (p *Printer) pppCtrlTrunc(name string) {
	p.s("[|")
	p.s(name)
	p.c(']')
}

// pppOptions prints the options of a Configure-Request, -Ack, -Nak or
// -Reject whose encoded length is n, starting at b[off:]. Each option
// printer is given the packet's whole encoded length to check the option's
// length against, as tcpdump does.
func (p *Printer) pppOptions(proto uint16, b []byte, off, n int) {
	var option func([]byte, int) int
	switch proto {
	case pppLCP:
		option = p.lcpOption
	case pppIPCP:
		option = p.ipcpOption
	case pppIPv6CP:
		option = p.ip6cpOption
	case pppCCP:
		option = p.ccpOption
	case pppBACP:
		option = p.bacpOption
	default:
		return
	}
	for left := n - 4; left != 0; {
		adv := option(b[min(off, len(b)):], n)
		if adv == 0 {
			return
		}
		if left < adv {
			p.s(" [remaining options length ")
			p.u(uint64(left))
			p.s(" < ")
			p.u(uint64(adv))
			p.s("] (invalid)")
			return
		}
		left -= adv
		off += adv
	}
}

// cpOptionHeader reads the type and length of the option at the start of b
// and prints "\n\t  NAME Option (0xNN), length N", with tcpdump's note
// when the length is less than 2. It reports the option's type and length
// and whether its printer should go on; trunc is the "[|name]" printed
// when the two bytes were not captured.
func (p *Printer) cpOptionHeader(b []byte, length int, names []tok, dflt, trunc string) (opt, n int, ok bool) {
	if length < 2 {
		return 0, 0, false
	}
	if len(b) < 2 {
		p.s(trunc)
		return 0, 0, false
	}
	opt, n = int(b[0]), int(b[1])
	if length < n {
		return opt, n, false
	}
	p.s("\n\t  ")
	p.tok2str(names, dflt, uint32(opt))
	p.optionNumber(opt, n)
	if n < 2 {
		p.s(" (length bogus, should be >= 2)")
		return opt, n, false
	}
	return opt, n, true
}

// optionNumber prints " Option (0xNN), length N".
func (p *Printer) optionNumber(opt, n int) {
	p.s(" Option (0x")
	p.xw(uint64(opt), 2)
	p.s("), length ")
	p.u(uint64(n))
}

// bogusLength prints tcpdump's complaint about an option's length: rel is
// "=" or ">=".
func (p *Printer) bogusLength(rel string, want int) {
	p.s(" (length bogus, should be ")
	p.s(rel)
	p.c(' ')
	p.u(uint64(want))
	p.c(')')
}

// optionData dumps an option's data with -vv, or, for an option the
// printer does not decode, without; b starts at the option.
func (p *Printer) optionData(b []byte, off, n int, decoded bool) {
	if p.opt.Verbose > 1 || !decoded {
		p.unknownData(b, off, "\n\t    ", n-2)
	}
}

// lcpOption prints the LCP option at the start of b and returns its
// length, or 0 to end the list (tcpdump's print_lcp_config_options).
func (p *Printer) lcpOption(b []byte, length int) int {
	if length < 2 {
		return 0
	}
	if len(b) < 2 {
		p.s("[|lcp]")
		return 0
	}
	opt, n := int(b[0]), int(b[1])
	if length < n {
		return 0
	}
	if opt >= len(lcpOptionNames) {
		p.s("\n\tunknown LCP option 0x")
		p.xw(uint64(opt), 2)
		if n < 2 {
			return 0
		}
		return n
	}
	p.s("\n\t  ")
	p.s(lcpOptionNames[opt])
	p.optionNumber(opt, n)
	if n < 2 {
		p.s(" (length bogus, should be >= 2)")
		return 0
	}
	decoded := true
	switch opt {
	case lcpVendorExt:
		if n < 6 {
			p.bogusLength(">=", 6)
			return n
		}
		oui := p.get24(b, 2)
		p.s(": Vendor: ")
		p.tok2str(ouiNames, "Unknown", oui)
		p.s(" (")
		p.u(uint64(oui))
		p.c(')')
	case lcpMRU:
		if n != 4 {
			p.bogusLength("=", 4)
			return n
		}
		v := p.get16(b, 2)
		p.s(": ")
		p.u(uint64(v))
	case lcpACCM:
		if n != 6 {
			p.bogusLength("=", 6)
			return n
		}
		v := p.get32(b, 2)
		p.s(": 0x")
		p.xw(uint64(v), 8)
	case lcpAuthProto:
		if n < 4 {
			p.bogusLength(">=", 4)
			return n
		}
		auth := p.get16(b, 2)
		p.s(": ")
		// tcpdump's default here has no conversion and prints as is.
		p.tok2str(pppTypeNames, "Unknown Auth Proto (0x04x)", uint32(auth))
		switch auth {
		case pppCHAP:
			alg := p.get8(b, 4)
			p.s(", ")
			if s, ok := lookup(pppAuthAlgNames, uint32(alg)); ok {
				p.s(s)
			} else {
				p.s("Unknown Auth Alg ")
				p.u(uint64(alg))
			}
		case pppPAP, pppEAP, pppSPAP, pppSPAPOld:
		default:
			p.unknownData(b, 0, "\n\t", n)
		}
	case lcpQualProto:
		if n < 4 {
			p.bogusLength(">=", 4)
			return 0
		}
		if p.get16(b, 2) == pppLQM {
			p.s(": LQR")
		} else {
			p.s(": unknown")
		}
	case lcpMagic:
		if n != 6 {
			p.bogusLength("=", 6)
			return 0
		}
		v := p.get32(b, 2)
		p.s(": 0x")
		p.xw(uint64(v), 8)
	case lcpPFC, lcpACFC:
	case lcpLinkDisc:
		if n != 4 {
			p.bogusLength("=", 4)
			return 0
		}
		v := p.get16(b, 2)
		p.s(": 0x")
		p.xw(uint64(v), 4)
	case lcpCallback:
		if n < 3 {
			p.bogusLength(">=", 3)
			return 0
		}
		p.s(": ")
		op := p.get8(b, 2)
		p.s(": Callback Operation ")
		p.tok2str(pppCallbackNames, "Unknown", uint32(op))
		p.s(" (")
		p.u(uint64(op))
		p.c(')')
	case lcpMRRU:
		if n != 4 {
			p.bogusLength("=", 4)
			return 0
		}
		v := p.get16(b, 2)
		p.s(": ")
		p.u(uint64(v))
	case lcpEndDisc:
		if n < 3 {
			p.bogusLength(">=", 3)
			return 0
		}
		if !p.lcpEndpoint(b, n) {
			return 0
		}
	default:
		decoded = false
	}
	p.optionData(b, 2, n, decoded)
	return n
}

// lcpEndpoint prints the class, and for an IPv4 or MAC address the
// address, of a multilink endpoint discriminator option of length n. It
// reports false when the length does not fit the class.
func (p *Printer) lcpEndpoint(b []byte, n int) bool {
	switch class := p.get8(b, 2); class {
	case 0:
		p.s(": Null")
	case 1:
		p.s(": Local")
	case 2:
		if n != 7 {
			p.bogusLength("=", 7)
			return false
		}
		p.need(b, 7)
		p.s(": IPv4 ")
		p.out = ipv4.Addr(b[3:7]).AppendTo(p.out)
	case 3:
		if n != 9 {
			p.bogusLength("=", 9)
			return false
		}
		p.need(b, 9)
		p.s(": MAC ")
		p.out = ethernet.Addr(b[3:9]).AppendTo(p.out)
	case 4:
		p.s(": Magic-Num-Block")
	case 5:
		p.s(": PSNDN")
	default:
		p.s(": Unknown class ")
		p.u(uint64(class))
	}
	return true
}

// ipcpOption prints the IPCP option at the start of b and returns its
// length, or 0 to end the list (tcpdump's print_ipcp_config_options).
func (p *Printer) ipcpOption(b []byte, length int) int {
	opt, n, ok := p.cpOptionHeader(b, length, ipcpOptionNames, "unknown", "[|ipcp]")
	if !ok {
		return 0
	}
	// The -vv dump starts after the header of the option, or of its last
	// suboption.
	dump := 0
	decoded := true
	switch opt {
	case ipcpAddrs:
		if n != 10 {
			p.bogusLength("=", 10)
			return n
		}
		p.need(b, 10)
		p.s(": src ")
		p.out = ipv4.Addr(b[2:6]).AppendTo(p.out)
		p.s(", dst ")
		p.out = ipv4.Addr(b[6:10]).AppendTo(p.out)
	case ipcpComp:
		if n < 4 {
			p.bogusLength(">=", 4)
			return 0
		}
		comp := p.get16(b, 2)
		p.s(": ")
		p.tok2str(ipcpCompNames, "Unknown", uint32(comp))
		p.s(" (0x")
		p.xw(uint64(comp), 2)
		p.s("):")
		if comp == ipcpHdrComp {
			var done bool
			if dump, done = p.ipcpHdrComp(b, n); !done {
				return 0
			}
		}
	case ipcpAddr, ipcpHomeAddr, ipcpPriDNS, ipcpPriNBNS, ipcpSecDNS, ipcpSecNBNS:
		if n != 6 {
			p.bogusLength("=", 6)
			return 0
		}
		p.need(b, 6)
		p.s(": ")
		p.out = ipv4.Addr(b[2:6]).AppendTo(p.out)
	default:
		decoded = false
	}
	p.optionData(b, dump+2, n, decoded)
	return n
}

// ipcpHdrComp prints the parameters and suboptions of IP header
// compression (RFC 3544) in an IP-Comp option of length n. It returns the
// offset of the last suboption, where tcpdump's -vv dump of the option
// starts, and false when the option list should end.
func (p *Printer) ipcpHdrComp(b []byte, n int) (int, bool) {
	if n < ipcpHdrCompLen {
		p.bogusLength(">=", ipcpHdrCompLen)
		return 0, false
	}
	if len(b) < 2+ipcpHdrCompLen {
		p.s("[|ipcp]")
		return 0, false
	}
	p.s("\n\t    TCP Space ")
	p.u(uint64(be16(b[4:])))
	p.s(", non-TCP Space ")
	p.u(uint64(be16(b[6:])))
	p.s(", maxPeriod ")
	p.u(uint64(be16(b[8:])))
	p.s(", maxTime ")
	p.u(uint64(be16(b[10:])))
	p.s(", maxHdr ")
	p.u(uint64(be16(b[12:])))
	if n <= ipcpHdrCompLen {
		return 0, true
	}
	left := n - ipcpHdrCompLen
	off := ipcpHdrCompLen
	p.s("\n\t      Suboptions, length ")
	p.u(uint64(left))
	for left >= 2 {
		if off+2 > len(b) {
			p.s("[|ipcp]")
			return 0, false
		}
		sub, subLen := b[off], int(b[off+1])
		if sub == 0 || subLen == 0 {
			break
		}
		p.s("\n\t\t")
		p.tok2str(ipcpCompSubNames, "Unknown", uint32(sub))
		p.s(" Suboption #")
		p.u(uint64(sub))
		p.s(", length ")
		p.u(uint64(subLen))
		if left < subLen {
			p.s(" [remaining suboptions length ")
			p.u(uint64(left))
			p.s(" < ")
			p.u(uint64(subLen))
			p.s("] (invalid)")
			break
		}
		left -= subLen
		off += subLen
	}
	return off, true
}

// ip6cpOption prints the IP6CP option at the start of b and returns its
// length, or 0 to end the list (tcpdump's print_ip6cp_config_options).
func (p *Printer) ip6cpOption(b []byte, length int) int {
	opt, n, ok := p.cpOptionHeader(b, length, ip6cpOptionNames, "unknown", "[|ip6cp]")
	if !ok {
		return 0
	}
	decoded := true
	switch opt {
	case ip6cpIfID:
		if n != 10 {
			p.bogusLength("=", 10)
			return n
		}
		if len(b) < 10 {
			p.s("[|ip6cp]")
			return 0
		}
		p.s(": ")
		for i := 2; i < 10; i += 2 {
			if i > 2 {
				p.c(':')
			}
			p.xw(uint64(be16(b[i:])), 4)
		}
	default:
		decoded = false
	}
	p.optionData(b, 2, n, decoded)
	return n
}

// ccpOption prints the CCP option at the start of b and returns its
// length, or 0 to end the list (tcpdump's print_ccp_config_options).
func (p *Printer) ccpOption(b []byte, length int) int {
	opt, n, ok := p.cpOptionHeader(b, length, ccpOptionNames, "Unknown", "[|ccp]")
	if !ok {
		return 0
	}
	decoded := true
	switch opt {
	case ccpBSDComp:
		if n < 3 {
			p.bogusLength(">=", 3)
			return n
		}
		v := p.get8(b, 2)
		p.s(": Version: ")
		p.u(uint64(v >> 5))
		p.s(", Dictionary Bits: ")
		p.u(uint64(v & 0x1f))
	case ccpMVRCA:
		if n < 4 {
			p.bogusLength(">=", 4)
			return n
		}
		v, ctx := p.get8(b, 2), p.get8(b, 3)
		p.s(": Features: ")
		p.u(uint64(v >> 6))
		p.s(", PxP: ")
		if v&0x20 != 0 {
			p.s("Enabled")
		} else {
			p.s("Disabled")
		}
		p.s(", History: ")
		p.u(uint64(v & 0x1f))
		p.s(", #CTX-ID: ")
		p.u(uint64(ctx))
	case ccpDeflate:
		if n < 4 {
			p.bogusLength(">=", 4)
			return n
		}
		v, w := p.get8(b, 2), p.get8(b, 3)
		p.s(": Window: ")
		p.u(uint64(v >> 4))
		p.s("K, Method: ")
		if v&0x0f == 8 {
			p.s("zlib")
		} else {
			p.s("unknown")
		}
		p.s(" (0x")
		p.x(uint64(v & 0x0f))
		p.s("), MBZ: ")
		p.u(uint64(w >> 2))
		p.s(", CHK: ")
		p.u(uint64(w & 3))
	default:
		decoded = false
	}
	p.optionData(b, 2, n, decoded)
	return n
}

// bacpOption prints the BACP option at the start of b and returns its
// length, or 0 to end the list (tcpdump's print_bacp_config_options).
func (p *Printer) bacpOption(b []byte, length int) int {
	opt, n, ok := p.cpOptionHeader(b, length, bacpOptionNames, "Unknown", "[|bacp]")
	if !ok {
		return 0
	}
	decoded := true
	switch opt {
	case bacpFavoredPeer:
		if n != 6 {
			p.bogusLength("=", 6)
			return n
		}
		v := p.get32(b, 2)
		p.s(": Magic-Num 0x")
		p.xw(uint64(v), 8)
	default:
		decoded = false
	}
	p.optionData(b, 2, n, decoded)
	return n
}

// mlppp prints the header of a multilink PPP fragment (RFC 1990) with the
// short, 12-bit sequence numbers (tcpdump's handle_mlppp).
func (p *Printer) mlppp(b []byte, length int) {
	if !p.opt.LinkHeader {
		p.s("MLPPP, ")
	}
	if length < 2 || len(b) < 2 {
		p.s("[|mlppp]")
		return
	}
	p.s("seq 0x")
	p.xw(uint64(be16(b)&0x0fff), 3)
	p.s(", Flags [")
	p.bittok2str(mlpppFlagNames, "none", uint32(b[0]&0xc0), ", ")
	p.s("], length ")
	p.u(uint64(length))
}

// authHeader prints "NAME, CODE (0xNN), id N" for a CHAP or PAP packet of
// the given length and returns the length its header gives, or false when
// the packet is too short for a header ("[|chap 0x01]").
func (p *Printer) authHeader(b []byte, length int, proto string, codes []tok) (int, bool) {
	if length < 4 {
		if length < 1 {
			p.s("[|")
			p.s(proto)
			p.c(']')
			return 0, false
		}
		code := p.get8(b, 0)
		p.s("[|")
		p.s(proto)
		p.s(" 0x")
		p.xw(uint64(code), 2)
		p.c(']')
		return 0, false
	}
	code := p.get8(b, 0)
	if proto == "chap" {
		p.s("CHAP, ")
	} else {
		p.s("PAP, ")
	}
	p.tok2str(codes, "unknown", uint32(code))
	p.s(" (0x")
	p.xw(uint64(code), 2)
	p.c(')')
	id := p.get8(b, 1)
	p.s(", id ")
	p.u(uint64(id))
	return int(p.get16(b, 2)), true
}

// chap prints a CHAP packet (RFC 1994) of the given length, the fields all
// its variants share (tcpdump's handle_chap). The name and message run to
// the length in the CHAP header, which tcpdump does not check against the
// packet: it prints what was captured and stops there.
func (p *Printer) chap(b []byte, length int) {
	n, ok := p.authHeader(b, length, "chap", chapCodeNames)
	if !ok {
		return
	}
	off := 4
	switch b[0] {
	case chapChallenge, chapResponse:
		if length-off < 1 {
			return
		}
		valueLen := int(p.get8(b, off))
		off++
		if length-off < valueLen {
			return
		}
		p.s(", Value ")
		for range valueLen {
			p.xw(uint64(p.get8(b, off)), 2)
			off++
		}
		p.s(", Name ")
		p.authText(b, off, uint32(n-off))
	case chapSuccess, chapFailure:
		p.s(", Msg ")
		p.authText(b, off, uint32(n-off))
	}
}

// authText prints count characters from b[off:]. count comes from a
// subtraction tcpdump does in unsigned arithmetic: when it wrapped, the
// text runs to the end of the capture, where the packet stops.
func (p *Printer) authText(b []byte, off int, count uint32) {
	end := len(b)
	if uint64(count) < uint64(end-off) {
		end = off + int(count)
	}
	for _, c := range b[off:end] {
		p.printChar(c)
	}
	if uint64(end-off) < uint64(count) {
		p.trunc()
	}
}

// pap prints a PAP packet (RFC 1334) of the given length (tcpdump's
// handle_pap).
func (p *Printer) pap(b []byte, length int) {
	n, ok := p.authHeader(b, length, "pap", papCodeNames)
	if !ok {
		return
	}
	if n > length {
		p.s(", length ")
		p.u(uint64(n))
		p.s(" > packet size")
		return
	}
	if n < 4 {
		p.s(", length ")
		p.u(uint64(n))
		p.s(" < PAP header length")
		return
	}
	off := 4
	switch b[0] {
	case papAuthReq:
		if n < 6 {
			p.s("[|pap]")
			return
		}
		if !p.papField(b, &off, n, ", Peer ") {
			return
		}
		p.papField(b, &off, n, ", Name ")
	case papAuthAck, papAuthNack:
		if n < 5 {
			p.s("[|pap]")
			return
		}
		p.papField(b, &off, n, ", Msg ")
	}
}

// papField prints a PAP field given by a length byte at b[*off] and moves
// *off past it; it reports false, printing nothing, when the field does not
// fit in the n bytes of the packet.
func (p *Printer) papField(b []byte, off *int, n int, label string) bool {
	if n-*off < 1 {
		return false
	}
	size := int(p.get8(b, *off))
	*off++
	if n-*off < size {
		return false
	}
	p.s(label)
	for i := 0; i < size; i++ {
		p.printChar(p.get8(b, *off))
		*off++
	}
	return true
}
