package dump

import (
	"bytes"

	"github.com/medina-net/medina/checksum"
	"github.com/medina-net/medina/tcp"
)

// tcpSeqTable remembers the initial sequence numbers of TCP connections so
// that sequence and acknowledgement numbers print relative to them, as
// tcpdump does without -S.
//
// tcpdump keys a connection by its addresses and ports put in one order
// (the lower port first, or the lower source address when the ports are
// equal), so both directions share an entry. The entry is written by the
// first segment with ACK set that it sees, and rewritten by every SYN with
// ACK set; the segment that writes it prints absolute numbers. IPv4 and
// IPv6 connections live in separate tables in tcpdump, hence v6 in the key.
type tcpSeqTable struct {
	m map[tcpSeqKey]tcpSeqBase
}

// tcpSeqKey is a connection in tcpdump's collating order. An IPv4
// connection uses the first four bytes of each address.
type tcpSeqKey struct {
	src, dst [16]byte
	ports    uint32 // the first address's port in the high half
	v6       bool
}

// tcpSeqBase is what tcpdump subtracts: seq from the sequence numbers of
// the first address's segments (and their acks' peers), ack from the
// other direction's.
type tcpSeqBase struct {
	seq, ack uint32
}

// relative turns seq and ack into the numbers tcpdump prints and returns
// the bases it used for SACK blocks, and whether the segment runs in the
// reverse of the key's order (tcpdump's rev).
func (t *tcpSeqTable) relative(ip netHeader, sport, dport uint16, flags uint8, seq, ack uint32) (rseq, rack uint32, base tcpSeqBase, rev bool) {
	var src, dst []byte
	if ip.isV6() {
		src, dst = ip.v6[8:24], ip.v6[24:40]
	} else {
		src, dst = ip.v4[12:16], ip.v4[16:20]
	}
	if sport > dport {
		rev = true
	} else if sport == dport && bytes.Compare(src, dst) > 0 {
		rev = true
	}
	var k tcpSeqKey
	k.v6 = ip.isV6()
	if rev {
		copy(k.src[:], dst)
		copy(k.dst[:], src)
		k.ports = uint32(dport)<<16 | uint32(sport)
	} else {
		copy(k.src[:], src)
		copy(k.dst[:], dst)
		k.ports = uint32(sport)<<16 | uint32(dport)
	}
	if t.m == nil {
		t.m = make(map[tcpSeqKey]tcpSeqBase)
	}
	base, found := t.m[k]
	if !found || flags&uint8(tcp.FlagSYN) != 0 {
		if rev {
			base = tcpSeqBase{seq: ack - 1, ack: seq}
		} else {
			base = tcpSeqBase{seq: seq, ack: ack - 1}
		}
		t.m[k] = base
		return seq, ack, base, rev
	}
	if rev {
		return seq - base.ack, ack - base.seq, base, rev
	}
	return seq - base.seq, ack - base.ack, base, rev
}

// tcpRSTDataMax is how much of the data of a RST tcpdump shows with -v.
const tcpRSTDataMax = 30

// Well-known ports whose payloads tcpdump decodes.
const (
	portFTP         = 21
	portSSH         = 22
	portTelnet      = 23
	portSMTP        = 25
	portWhois       = 43
	portDomain      = 53
	portHTTP        = 80
	portBGP         = 179
	portRPKIRTR     = 323
	portRTSP        = 554
	portMSDP        = 639
	portLDP         = 646
	portPPTP        = 1723
	portNFS         = 2049
	portRedis       = 6379
	portOpenFlowOld = 6633
	portOpenFlow    = 6653
	portHTTP2       = 8080
	portRTSP2       = 8554
	portBEEP        = 10288
)

// tcp prints a TCP segment (tcpdump's tcp_print). b holds what was captured
// of the segment, clipped to the IP datagram; length is the segment's length
// by the IP header.
func (p *Printer) tcp(b []byte, length int, ip netHeader, fragmented bool) {
	p.proto = "tcp"
	if len(b) < 4 {
		p.netAddrs(ip)
		p.c(':')
		p.s(" [|tcp]")
		return
	}
	sport, dport := be16(b), be16(b[2:])
	if ip.nextHeader() == tcp.ProtocolNumber {
		p.out = ip.appendSrc(p.out)
		p.c('.')
		p.u(uint64(sport))
		p.s(" > ")
		p.out = ip.appendDst(p.out)
		p.c('.')
		p.u(uint64(dport))
		p.s(": ")
	} else {
		p.u(uint64(sport))
		p.s(" > ")
		p.u(uint64(dport))
		p.s(": ")
	}
	if len(b) < tcp.HeaderLen {
		p.s(" [|")
		p.s(p.proto)
		p.c(']')
		return
	}
	h := tcp.Header(b)
	hlen := h.DataOffset()
	if hlen < tcp.HeaderLen {
		p.s(" tcp ")
		p.u(uint64(uint32(length - hlen)))
		p.s(" [bad hdr length ")
		p.u(uint64(hlen))
		p.s(" - too short, < 20]")
		return
	}
	seq, ack := h.Seq(), h.Ack()
	if p.opt.Quiet {
		p.s("tcp ")
		p.u(uint64(uint32(length - hlen)))
		if hlen > length {
			p.tcpTooLong(hlen, length)
		}
		return
	}
	flags := b[13]
	p.s("Flags [")
	p.out = tcp.Flags(flags).AppendTo(p.out)
	p.c(']')

	var base tcpSeqBase
	rev := false
	if !p.opt.AbsoluteSeq && flags&uint8(tcp.FlagACK) != 0 {
		seq, ack, base, rev = p.tcpSeq.relative(ip, sport, dport, flags, seq, ack)
	}
	if hlen > length {
		p.tcpTooLong(hlen, length)
		return
	}

	if p.opt.Verbose > 0 && !p.opt.NoChecksum && !fragmented && len(b) >= length {
		sum := ^checksum.Fold(checksum.Add(ip.pseudoSum(tcp.ProtocolNumber, length), b[:length]))
		field := h.Checksum()
		p.s(", cksum 0x")
		p.xw(uint64(field), 4)
		if sum != 0 {
			p.s(" (incorrect -> 0x")
			p.xw(uint64(cksumShouldBe(field, sum)), 4)
			p.c(')')
		} else {
			p.s(" (correct)")
		}
	}

	length -= hlen
	if p.opt.Verbose > 1 || length > 0 || flags&uint8(tcp.FlagSYN|tcp.FlagFIN|tcp.FlagRST) != 0 {
		p.s(", seq ")
		p.u(uint64(seq))
		if length > 0 {
			p.c(':')
			p.u(uint64(seq + uint32(length)))
		}
	}
	if flags&uint8(tcp.FlagACK) != 0 {
		p.s(", ack ")
		p.u(uint64(ack))
	}
	p.s(", win ")
	p.u(uint64(h.Window()))
	if flags&uint8(tcp.FlagURG) != 0 {
		p.s(", urg ")
		p.u(uint64(h.Urgent()))
	}
	if hlen > tcp.HeaderLen {
		if !p.tcpOptions(b, hlen, length, flags, ip, base, rev) {
			return
		}
	}

	p.s(", length ")
	p.u(uint64(length))
	if length == 0 {
		return
	}
	if len(b) < hlen {
		p.s(" [remaining caplen(")
		p.u(uint64(len(b)))
		p.s(") < header length(")
		p.u(uint64(hlen))
		p.s(")]")
		p.trunc()
	}
	data := b[hlen:]
	if flags&uint8(tcp.FlagRST) != 0 && p.opt.Verbose > 0 {
		p.tcpRSTData(data, length)
		return
	}
	p.tcpPayload(data, length, sport, dport)
}

// tcpTooLong prints the complaint about a data offset past the segment.
func (p *Printer) tcpTooLong(hlen, length int) {
	p.s(" [bad hdr length ")
	p.u(uint64(hlen))
	p.s(" - too long, > ")
	p.u(uint64(length))
	p.c(']')
}

// netAddrs prints "SRC > DST" of the network header.
func (p *Printer) netAddrs(ip netHeader) {
	p.out = ip.appendSrc(p.out)
	p.s(" > ")
	p.out = ip.appendDst(p.out)
}

// nextHeader returns the protocol field of the IPv4 header or the first
// next-header field of the IPv6 one: tcpdump prints addresses beside the
// ports only when it names the transport protocol directly.
func (n netHeader) nextHeader() uint8 {
	if n.v4 != nil {
		return uint8(n.v4.Protocol())
	}
	return n.v6[6]
}

// tcpOptions prints ", options [...]" for the header of hlen bytes in b,
// walking it the way tcpdump does: an option of a fixed-size kind is
// stepped over by the size the kind should have, whatever its length byte
// says, and "[len N]" flags the difference. payloadLen is the segment's
// data length (for the MD5 option). It reports false when the segment's
// line ends inside the options ("[bad opt]" or a truncation).
func (p *Printer) tcpOptions(b []byte, hlen, payloadLen int, flags uint8, ip netHeader, base tcpSeqBase, rev bool) bool {
	left := hlen - tcp.HeaderLen
	cp := tcp.HeaderLen
	var sep byte
	p.s(", options [")
	// bad ends the list at a malformed option.
	bad := func() bool {
		p.s("[bad opt]")
		if sep != 0 {
			p.c(']')
		}
		return false
	}
	// short reports a truncation inside an option, the way tcpdump's
	// ND_TCHECK does: without abandoning the packet.
	short := func() bool {
		p.s(" [|")
		p.s(p.proto)
		p.c(']')
		if sep != 0 {
			p.c('>')
		}
		return false
	}
	for left > 0 {
		if sep != 0 {
			p.c(sep)
		}
		kind := tcp.OptionKind(p.get8(b, cp))
		cp++
		optLen := 1
		if kind != tcp.OptEOL && kind != tcp.OptNOP {
			optLen = int(p.get8(b, cp))
			cp++
			if optLen < 2 || optLen > left {
				return bad()
			}
			left--
		}
		left--
		p.out = kind.AppendTo(p.out)

		// lenCheck is tcpdump's LENCHECK: n bytes of data must be within
		// the header and captured.
		const (
			ok = iota
			isBad
			isShort
		)
		lenCheck := func(n int) int {
			if n > left {
				return isBad
			}
			if cp+n > len(b) {
				return isShort
			}
			return ok
		}
		check := func(n int) bool {
			switch lenCheck(n) {
			case isBad:
				bad()
				return false
			case isShort:
				short()
				return false
			}
			return true
		}

		dataLen := 0
		switch kind {
		case tcp.OptMSS:
			dataLen = 2
			if !check(dataLen) {
				return false
			}
			p.c(' ')
			p.u(uint64(be16(b[cp:])))
		case tcp.OptWindowScale:
			dataLen = 1
			if !check(dataLen) {
				return false
			}
			p.c(' ')
			p.u(uint64(b[cp]))
		case tcp.OptSACK:
			dataLen = optLen - 2
			if dataLen%8 != 0 {
				p.s(" invalid sack")
				break
			}
			p.c(' ')
			p.u(uint64(dataLen / 8))
			p.c(' ')
			for i := 0; i < dataLen; i += 8 {
				if !check(i + 4) {
					return false
				}
				s := p.get32(b, cp+i)
				if !check(i + 8) {
					return false
				}
				e := p.get32(b, cp+i+4)
				if rev {
					s -= base.seq
					e -= base.seq
				} else {
					s -= base.ack
					e -= base.ack
				}
				p.c('{')
				p.u(uint64(s))
				p.c(':')
				p.u(uint64(e))
				p.c('}')
			}
		case tcp.OptCC, tcp.OptCCNew, tcp.OptCCEcho, tcp.OptEcho, tcp.OptEchoReply:
			dataLen = 4
			if !check(dataLen) {
				return false
			}
			p.c(' ')
			p.u(uint64(p.get32(b, cp)))
		case tcp.OptTimestamps:
			dataLen = 8
			if !check(dataLen) {
				return false
			}
			p.s(" val ")
			p.u(uint64(p.get32(b, cp)))
			p.s(" ecr ")
			p.u(uint64(p.get32(b, cp+4)))
		case tcp.OptMD5:
			dataLen = 16
			if !check(dataLen) {
				return false
			}
			p.c(' ')
			// tcpdump can only check a signature given the secret (-M),
			// which a Printer does not take.
			if hlen+payloadLen > len(b) {
				p.s("snaplen too short, ")
			} else {
				p.s("shared secret not supplied with -M, ")
			}
			p.s("can't check - ")
			p.hexBytes(b[cp : cp+dataLen])
		case tcp.OptSCPS:
			dataLen = 2
			if !check(dataLen) {
				return false
			}
			p.s(" cap ")
			p.xw(uint64(b[cp]), 2)
			p.s(" id ")
			p.u(uint64(b[cp+1]))
		case tcp.OptTCPAO:
			dataLen = optLen - 2
			if dataLen < 2 {
				p.s(" (invalid)")
				break
			}
			if !check(1) {
				return false
			}
			p.s(" keyid ")
			p.u(uint64(b[cp]))
			if !check(2) {
				return false
			}
			p.s(" rnextkeyid ")
			p.u(uint64(b[cp+1]))
			if dataLen > 2 {
				p.s(" mac 0x")
				for i := 2; i < dataLen; i++ {
					if !check(i + 1) {
						return false
					}
					p.hexBytes(b[cp+i : cp+i+1])
				}
			}
		case tcp.OptEOL, tcp.OptNOP, tcp.OptSACKPermitted:
		case tcp.OptUserTimeout:
			dataLen = 2
			if !check(dataLen) {
				return false
			}
			v := uint32(be16(b[cp:]))
			p.s(" 0x")
			p.x(uint64(v))
			// tcpdump takes the granularity from the low bit.
			if v&1 != 0 {
				v = (v >> 1) * 60
			} else {
				v >>= 1
			}
			p.c(' ')
			p.u(uint64(v))
		case tcp.OptMPTCP:
			dataLen = optLen - 2
			if !check(dataLen) {
				return false
			}
			if !p.mptcp(b[cp-2:cp+dataLen], flags) {
				return bad()
			}
		case tcp.OptFastOpen:
			dataLen = optLen - 2
			if !check(dataLen) {
				return false
			}
			p.c(' ')
			p.tcpFastOpen(b[cp:cp+dataLen], false)
		case tcp.OptExperiment2:
			dataLen = optLen - 2
			if !check(dataLen) {
				return false
			}
			if dataLen < 2 {
				return bad()
			}
			magic := be16(b[cp:])
			p.c('-')
			if magic == tcp.ExIDFastOpen {
				p.tcpFastOpen(b[cp+2:cp+dataLen], true)
			} else {
				p.xw(uint64(magic), 4)
			}
		default:
			dataLen = optLen - 2
			if dataLen > 0 {
				p.s(" 0x")
			}
			for i := 0; i < dataLen; i++ {
				if !check(i + 1) {
					return false
				}
				p.hexBytes(b[cp+i : cp+i+1])
			}
		}
		cp += dataLen
		left -= dataLen

		// Compare the length the kind should have with the length byte.
		dataLen++
		if kind != tcp.OptEOL && kind != tcp.OptNOP {
			dataLen++
		}
		if dataLen != optLen {
			p.s("[len ")
			p.u(uint64(optLen))
			p.c(']')
		}
		sep = ','
		if kind == tcp.OptEOL {
			break
		}
	}
	p.c(']')
	return true
}

// tcpFastOpen prints the cookie of a TCP Fast Open option, or of the
// experimental form after "exp-" (tcpdump's print_tcp_fastopen_option).
func (p *Printer) tcpFastOpen(cookie []byte, exp bool) {
	if exp {
		p.s("tfo")
	}
	switch n := len(cookie); {
	case n == 0:
		p.s(" cookiereq")
	case n%2 != 0 || n < 4 || n > 16:
		p.s(" (invalid)")
	default:
		p.s(" cookie ")
		p.hexBytes(cookie)
	}
}

// tcpRSTData prints the data of a RST segment, which by RFC 1122 may say
// why the connection was reset: at most 30 characters, "+" marking that
// there was more, "!" that not all of it was captured.
func (p *Printer) tcpRSTData(data []byte, length int) {
	if len(data) >= length {
		p.s(" [RST")
	} else {
		p.s(" [!RST")
	}
	if length > tcpRSTDataMax {
		length = tcpRSTDataMax
		p.c('+')
	}
	p.c(' ')
	for i := 0; i < length && i < len(data); i++ {
		p.printChar(data[i])
	}
	p.c(']')
}

// tcpPayload decodes the data of a segment by its ports, in the order
// tcpdump's tcp_print tries them. Ports whose protocols this package does not
// decode yet keep their place, so that they win over a later port as they
// do in tcpdump, but print nothing.
func (p *Printer) tcpPayload(data []byte, length int, sport, dport uint16) {
	port := func(n uint16) bool { return sport == n || dport == n }
	switch {
	case port(portTelnet):
		p.telnet(data, length)
	case port(portSMTP):
		p.s(": ")
		p.txtProto(data, length, "smtp", nil, false)
	case port(portWhois):
		p.s(": ")
		p.txtProto(data, length, "whois", nil, false)
	case port(portBGP):
		p.bgp()
	case port(portPPTP):
		p.pptp(data)
	case port(portRedis):
	case port(portSSH):
		p.ssh(data, length)
	case port(portBEEP), port(portOpenFlowOld), port(portOpenFlow):
	case port(portFTP):
		p.s(": ")
		p.txtProto(data, length, "ftp", nil, false)
	case port(portHTTP), port(portHTTP2):
		p.s(": ")
		p.txtProto(data, length, "http", httpCommands, true)
	case port(portRTSP), port(portRTSP2):
		p.s(": ")
		p.txtProto(data, length, "rtsp", rtspCommands, true)
	case port(portDomain):
		p.domain(data, length, true, false)
	case port(portMSDP), port(portRPKIRTR), port(portLDP):
	case port(portNFS) && length >= 4 && len(data) >= 4:
		p.nfsOverTCP(data, length, sport, dport)
	}
}

// telnet prints the option negotiation at the start of Telnet data
// (tcpdump's telnet_print). Only data that starts with a command (IAC)
// prints anything, which this package does not decode yet.
func (p *Printer) telnet(data []byte, length int) {
	p.proto = "telnet"
	if length > 0 && p.get8(data, 0) == 0xff {
		// Telnet commands are not decoded yet.
		return
	}
}

// bgp prints a BGP segment's data as tcpdump's bgp_print does without -v:
// ": BGP". With -v tcpdump goes on to the messages, which this package does not
// decode yet.
func (p *Printer) bgp() {
	p.proto = "bgp"
	p.s(": BGP")
}
