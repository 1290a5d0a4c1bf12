package dump

import (
	"github.com/medina-net/medina/checksum"
	"github.com/medina-net/medina/ipv4"
)

// DCCP (RFC 4340) as tcpdump's print-dccp.c prints it, over IPv4 and
// IPv6: the ports, the packet type and its fields, with -v the checksum
// over the pseudo-header and the coverage CsCov says, with -vv the
// sequence number and the options.

// Offsets of the generic header (RFC 4340 5.1), named once:
//
//	 0                   1                   2                   3
//	+-------------------------------+-------------------------------+
//	|          source port          |        destination port       |  0
//	+---------------+-------+-------+-------------------------------+
//	|  data offset  | CCVal | CsCov |           checksum            |  4
//	+-------+-------+-------+-+-----+-------------------------------+
//	| res   | type  |X| seq (24 bits, X = 0) ...                       8
//	+-------+-------+-+---------------------------------------------+
//
// With X = 1 a reserved byte follows the type byte and the sequence
// number has 48 bits (bytes 10 to 15). The acknowledgement number
// subheader follows the generic header: a reserved byte and 24 bits, or
// 2 reserved bytes and 48 bits.
const (
	dccpDoffOff = 4
	dccpCCOff   = 5 // CCVal (4 bits), CsCov (4)
	dccpCsumOff = 6
	dccpTypeOff = 8 // reserved (3 bits), type (4), X (1)
	dccpSeqOff  = 9
	dccpSeqXOff = 10
	dccpHdrLen  = 12 // the generic header with a 24-bit sequence number
	dccpHdrXLen = 16 // with a 48-bit one
)

// The DCCP packet types (RFC 4340 5.1) whose fields this printer reads.
const (
	dccpRequest  = 0
	dccpResponse = 1
	dccpData     = 2
	dccpReset    = 7
)

var dccpTypeNames = []tok{
	{0, "DCCP-Request"}, {1, "DCCP-Response"}, {2, "DCCP-Data"}, {3, "DCCP-Ack"},
	{4, "DCCP-DataAck"}, {5, "DCCP-CloseReq"}, {6, "DCCP-Close"}, {7, "DCCP-Reset"},
	{8, "DCCP-Sync"}, {9, "DCCP-SyncAck"},
}

// dccpTypeExtra is the length of each type's fields after the generic
// header (tcpdump checks the packet's length against them).
var dccpTypeExtra = [...]int{4, 12, 0, 8, 8, 8, 8, 12, 8, 8}

var dccpResetCodes = [...]string{
	"unspecified", "closed", "aborted", "no_connection", "packet_error", "option_error",
	"mandatory_error", "connection_refused", "bad_service_code", "too_busy",
	"bad_init_cookie", "aggression_penalty",
}

var dccpFeatures = [...]string{
	"reserved", "ccid", "allow_short_seqno", "sequence_window", "ecn_incapable",
	"ack_ratio", "send_ack_vector", "send_ndp_count", "minimum checksum coverage",
	"check data checksum",
}

var dccpOptionNames = []tok{
	{0, "nop"}, {1, "mandatory"}, {2, "slowreceiver"}, {32, "change_l"}, {33, "confirm_l"},
	{34, "change_r"}, {35, "confirm_r"}, {36, "initcookie"}, {37, "ndp_count"},
	{38, "ack_vector0"}, {39, "ack_vector1"}, {40, "data_dropped"}, {41, "timestamp"},
	{42, "timestamp_echo"}, {43, "elapsed_time"}, {44, "data_checksum"},
}

// dccp prints a DCCP packet whose length by the IP header is length
// (tcpdump's dccp_print). Unlike TCP's and UDP's, its line always starts
// with the addresses.
func (p *Printer) dccp(b []byte, length int, ip netHeader) {
	p.proto = "dccp"
	// tcpdump's own checks of what was captured ("goto trunc") print
	// " [|dccp]" and return, leaving the -x dump to skip the link layer;
	// its reads (p.get*) abandon the packet.
	if len(b) < dccpHdrLen {
		p.s(" [|dccp]")
		return
	}
	if length < dccpHdrLen {
		p.s("truncated-dccp - ")
		p.u(uint64(dccpHdrLen - length))
		p.s(" bytes missing!")
		return
	}
	extended := b[dccpTypeOff]&1 != 0
	fixed := dccpHdrLen
	if extended {
		fixed = dccpHdrXLen
	}
	if length < fixed {
		p.s("truncated-dccp - ")
		p.u(uint64(fixed - length))
		p.s(" bytes missing!")
		return
	}
	if len(b) < fixed {
		p.s(" [|dccp]")
		return
	}
	hlen := int(b[dccpDoffOff]) * 4
	p.out = ip.appendSrc(p.out)
	p.c('.')
	p.u(uint64(be16(b)))
	p.s(" > ")
	p.out = ip.appendDst(p.out)
	p.c('.')
	p.u(uint64(be16(b[2:])))
	p.s(": DCCP")
	if p.opt.Quiet {
		p.c(' ')
		p.u(uint64(uint32(length - hlen)))
		if hlen > length {
			p.s(" [bad hdr length ")
			p.u(uint64(hlen))
			p.s(" - too long, > ")
			p.u(uint64(length))
			p.c(']')
		}
		return
	}
	cscov := int(b[dccpCCOff] & 0x0f)
	if p.opt.Verbose > 0 {
		p.s(" (CCVal ")
		p.u(uint64(b[dccpCCOff] >> 4))
		p.s(", CsCov ")
		p.u(uint64(cscov))
		if len(b) >= length {
			field := be16(b[dccpCsumOff:])
			p.s(", cksum 0x")
			p.xw(uint64(field), 4)
			p.c(' ')
			// CsCov counts 32-bit words of the packet from the start of
			// its header's data offset on; 0 covers it all.
			cov := length
			if cscov != 0 {
				cov = min((int(b[dccpDoffOff])+cscov-1)*4, length)
			}
			sum := checksum.Add(ip.pseudoSum(uint8(ipv4.ProtoDCCP), length), b[:cov])
			if s := ^checksum.Fold(sum); s != 0 {
				p.s("(incorrect -> 0x")
				p.xw(uint64(cksumShouldBe(field, s)), 4)
				p.c(')')
			} else {
				p.s("(correct)")
			}
		}
		p.c(')')
	}
	p.c(' ')
	typ := int(b[dccpTypeOff]>>1) & 0x0f
	if typ < len(dccpTypeExtra) {
		name, _ := lookup(dccpTypeNames, uint32(typ))
		start := fixed
		fixed += dccpTypeExtra[typ]
		if length < fixed {
			p.s("truncated-")
			p.s(name)
			p.s(" - ")
			p.u(uint64(fixed - length))
			p.s(" bytes missing!")
			return
		}
		switch typ {
		case dccpRequest, dccpResponse, dccpReset:
			// Their fields are checked before the name is printed.
			if len(b) < fixed {
				p.s(" [|dccp]")
				return
			}
		}
		p.s(name)
		switch typ {
		case dccpRequest:
			p.s(" (service=")
			p.u(uint64(be32(b[start:])))
			p.c(')')
		case dccpResponse:
			p.s(" (service=")
			p.u(uint64(be32(b[start+8:])))
			p.c(')')
		case dccpReset:
			p.s(" (code=")
			if code := int(b[start+8]); code < len(dccpResetCodes) {
				p.s(dccpResetCodes[code])
			} else {
				p.s("invalid")
			}
			p.c(')')
		}
		p.c(' ')
	} else {
		p.s("unknown-type-")
		p.u(uint64(typ))
		p.c(' ')
	}
	if typ != dccpData && typ != dccpRequest {
		// The acknowledgement number subheader.
		var ack uint64
		if extended {
			ack = p.get48(b, dccpHdrXLen+2)
		} else {
			ack = uint64(p.get24(b, dccpHdrLen+1))
		}
		p.s("(ack=")
		p.u(ack)
		p.s(") ")
	}
	if p.opt.Verbose < 2 {
		return
	}
	var seq uint64
	if extended {
		seq = p.get48(b, dccpSeqXOff)
	} else {
		seq = uint64(p.get24(b, dccpSeqOff))
	}
	p.s("seq ")
	p.u(seq)
	if hlen > fixed {
		p.s(" <")
		off, left := fixed, hlen-fixed
		for {
			n := p.dccpOption(b, off, left)
			if n == 0 || left <= n {
				break
			}
			left -= n
			off += n
			p.s(", ")
		}
		p.c('>')
	}
}

// get48 returns the big-endian 48-bit value at b[off:].
func (p *Printer) get48(b []byte, off int) uint64 {
	p.need(b, off+6)
	return uint64(be16(b[off:]))<<32 | uint64(be32(b[off+2:]))
}

// dccpOption prints the option at b[off:], left bytes of the header being
// left, and returns its length, 0 when the walk stops (tcpdump's
// dccp_print_option).
func (p *Printer) dccpOption(b []byte, off, left int) int {
	kind := p.get8(b, off)
	optlen := 1
	if kind >= 32 {
		optlen = int(p.get8(b, off+1))
		if optlen < 2 {
			p.dccpOptionName(kind)
			p.s(" optlen too short")
			return 0
		}
	}
	if left < optlen {
		p.dccpOptionName(kind)
		p.s(" optlen goes past header length")
		return 0
	}
	if len(b) < off+optlen {
		p.s(" [|dccp]")
		return 0
	}
	o := b[off : off+optlen]
	p.dccpOptionName(kind)
	if kind >= 128 {
		switch optlen {
		case 4:
			p.c(' ')
			p.u(uint64(be16(o[2:])))
		case 6:
			p.c(' ')
			p.u(uint64(be32(o[2:])))
		}
		return optlen
	}
	switch kind {
	case 32, 33, 34, 35: // change and confirm, local and remote
		if optlen < 3 {
			p.s(" optlen too short")
			return optlen
		}
		if f := int(o[2]); f < len(dccpFeatures) {
			p.c(' ')
			p.s(dccpFeatures[f])
			for _, v := range o[3:] {
				p.c(' ')
				p.u(uint64(v))
			}
		}
	case 36, 38, 39, 40: // init cookie, ack vectors, data dropped
		if optlen > 2 {
			p.s(" 0x")
			p.hexBytes(o[2:])
		}
	case 37: // NDP count
		for _, v := range o[2:] {
			p.c(' ')
			p.u(uint64(v))
		}
	case 41: // timestamp
		if optlen == 6 {
			p.c(' ')
			p.u(uint64(be32(o[2:])))
		} else {
			p.s(" [optlen != 6]")
		}
	case 42: // timestamp echo, with an elapsed time of 2 or 4 bytes
		switch optlen {
		case 6, 8, 10:
			p.c(' ')
			p.u(uint64(be32(o[2:])))
			if optlen > 6 {
				p.s(" (elapsed time ")
				if optlen == 8 {
					p.u(uint64(be16(o[6:])))
				} else {
					p.u(uint64(be32(o[6:])))
				}
				p.c(')')
			}
		default:
			p.s(" [optlen != 6 or 8 or 10]")
		}
	case 43: // elapsed time
		switch optlen {
		case 6:
			p.c(' ')
			p.u(uint64(be32(o[2:])))
		case 4:
			p.c(' ')
			p.u(uint64(be16(o[2:])))
		default:
			p.s(" [optlen != 4 or 6]")
		}
	case 44: // data checksum
		if optlen > 2 {
			p.c(' ')
			p.hexBytes(o[2:])
		}
	}
	return optlen
}

// dccpOptionName prints an option's name: "CCID option N" for the types
// a CCID defines, tcpdump's name or "Option N" for the others.
func (p *Printer) dccpOptionName(kind uint8) {
	if kind >= 128 {
		p.s("CCID option ")
		p.u(uint64(kind))
		return
	}
	p.tok2str(dccpOptionNames, "Option %d", uint32(kind))
}
