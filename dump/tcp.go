package dump

import (
	"bytes"

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
	seq, ack tcp.Seq
}

// relative turns seq and ack into the numbers tcpdump prints (their
// offsets from the bases, modulo 2^32) and returns the bases it used for
// SACK blocks, and whether the segment runs in the reverse of the key's
// order (tcpdump's rev).
func (t *tcpSeqTable) relative(ip netHeader, sport, dport uint16, flags tcp.Flags, seq, ack tcp.Seq) (rseq, rack uint32, base tcpSeqBase, rev bool) {
	k := tcpSeqKey{v6: ip.isV6()}
	ip.addrsInto(&k.src, &k.dst)
	if sport > dport {
		rev = true
	} else if sport == dport && bytes.Compare(k.src[:], k.dst[:]) > 0 {
		rev = true
	}
	if rev {
		k.src, k.dst = k.dst, k.src
		k.ports = uint32(dport)<<16 | uint32(sport)
	} else {
		k.ports = uint32(sport)<<16 | uint32(dport)
	}
	if t.m == nil {
		t.m = make(map[tcpSeqKey]tcpSeqBase)
	}
	base, found := t.m[k]
	if !found || flags&tcp.FlagSYN != 0 {
		if rev {
			base = tcpSeqBase{seq: ack.Add(-1), ack: seq}
		} else {
			base = tcpSeqBase{seq: seq, ack: ack.Add(-1)}
		}
		t.m[k] = base
		return uint32(seq), uint32(ack), base, rev
	}
	if rev {
		return seq.Offset(base.ack), ack.Offset(base.seq), base, rev
	}
	return seq.Offset(base.seq), ack.Offset(base.ack), base, rev
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
	sport, dport, ok := tcp.Ports(b)
	if !ok {
		p.netAddrs(ip)
		p.c(':')
		p.s(" [|tcp]")
		return
	}
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
	h, err := tcp.NewHeader(b)
	if err != nil {
		p.s(" [|")
		p.s(p.proto)
		p.c(']')
		return
	}
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
	// tcpdump 4.99.3 reads the flags byte alone, which is what
	// Flags.AppendTo prints; the AE and reserved bits above it are left
	// out, and the tests below do not look at them.
	flags := h.Flags()
	p.s("Flags [")
	p.out = flags.AppendTo(p.out)
	p.c(']')

	var base tcpSeqBase
	rev := false
	if !p.opt.AbsoluteSeq && flags&tcp.FlagACK != 0 {
		seq, ack, base, rev = p.tcpSeq.relative(ip, sport, dport, flags, tcp.Seq(seq), tcp.Seq(ack))
	}
	if hlen > length {
		p.tcpTooLong(hlen, length)
		return
	}

	if p.opt.Verbose > 0 && !p.opt.NoChecksum && !fragmented && len(b) >= length {
		field := h.Checksum()
		p.s(", cksum 0x")
		p.xw(uint64(field), 4)
		if ok, shouldBe := tcpChecksum(h[:length], ip); !ok {
			p.s(" (incorrect -> 0x")
			p.xw(uint64(shouldBe), 4)
			p.c(')')
		} else {
			p.s(" (correct)")
		}
	}

	length -= hlen
	if p.opt.Verbose > 1 || length > 0 || flags&(tcp.FlagSYN|tcp.FlagFIN|tcp.FlagRST) != 0 {
		p.s(", seq ")
		p.u(uint64(seq))
		if length > 0 {
			p.c(':')
			p.u(uint64(seq + uint32(length)))
		}
	}
	if flags&tcp.FlagACK != 0 {
		p.s(", ack ")
		p.u(uint64(ack))
	}
	p.s(", win ")
	p.u(uint64(h.Window()))
	if flags&tcp.FlagURG != 0 {
		p.s(", urg ")
		p.u(uint64(h.Urgent()))
	}
	if hlen > tcp.HeaderLen {
		if !p.tcpOptions(h, length, flags, base, rev) {
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
	data := h.Payload()
	if flags&tcp.FlagRST != 0 && p.opt.Verbose > 0 {
		p.tcpRSTData(data, length)
		return
	}
	p.tcpPayload(data, length, sport, dport)
}

// tcpChecksum reports whether the checksum of seg, a whole segment,
// verifies and, when it does not, the value tcpdump says it should have.
// Over IPv4 the view checks it, as the stack does; over IPv6 the sum
// covers the pseudo-header to the destination tcpdump takes
// (ipv6.Header.RoutedDst), which the TCP view does not know.
func tcpChecksum(seg tcp.Header, ip netHeader) (ok bool, shouldBe uint16) {
	if ip.isV6() {
		sum := ip.inCksum(tcp.ProtocolNumber, seg)
		return sum == 0, cksumShouldBe(seg.Checksum(), sum)
	}
	src, dst := ip.v4PseudoAddrs()
	if seg.ChecksumValid(src, dst) {
		return true, 0
	}
	return false, viewShouldBe(seg.Checksum(), seg.ComputeChecksum(src, dst))
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

// tcpOptions prints ", options [...]" for the options of h, walking them
// with the view's iterator the way tcpdump walks them: an option of a
// fixed-size kind is read and stepped over by the size its kind has,
// whatever its length byte says (OptionIter.Fixed), and "[len N]" flags
// the difference. payloadLen is the segment's data length (for the MD5
// option), flags its flags (for MPTCP), and base and rev what the SACK
// blocks are relative to. It reports false when the segment's line ends
// inside the options ("[bad opt]" or a truncation).
func (p *Printer) tcpOptions(h tcp.Header, payloadLen int, flags tcp.Flags, base tcpSeqBase, rev bool) bool {
	p.s(", options [")
	if val, ecr, ok := h.TimestampsOnly(); ok {
		// What nearly every segment of a connection with timestamps
		// carries, read without walking the list.
		p.s("nop,nop,TS val ")
		p.u(uint64(val))
		p.s(" ecr ")
		p.u(uint64(ecr))
		p.c(']')
		return true
	}
	first := true
	it := h.OptionIter()
	for {
		o, ok := it.Next()
		if !ok {
			break
		}
		if !first {
			p.c(',')
		}
		switch o.Status {
		case tcp.OptionTruncated:
			if len(o.Raw) < 2 {
				// The kind or length byte was not captured: tcpdump's
				// read of it abandons the packet.
				p.trunc()
			}
		case tcp.OptionBadLength:
			if len(o.Raw) < 2 && tcp.HeaderLen+o.Offset+1 >= len(h) {
				// The kind byte ends the area; tcpdump reads the length
				// byte after it, which was not captured either.
				p.trunc()
			}
			return p.tcpBadOption(first)
		case tcp.OptionPastEnd:
			return p.tcpBadOption(first)
		}
		p.out = o.Kind.AppendTo(p.out)

		if n, fixed := o.Kind.FixedLen(); fixed {
			if o.Kind == tcp.OptEOL || o.Kind == tcp.OptNOP {
				first = false
				if o.Kind == tcp.OptEOL {
					break
				}
				continue
			}
			// A well-formed option is already read at its kind's size;
			// o is not assigned to, which would copy it through memory.
			cut := len(h) < h.DataOffset()+payloadLen
			if o.Status == tcp.OptionOK {
				p.tcpFixedOption(o, cut)
			} else {
				switch f := it.Fixed(o); f.Status {
				case tcp.OptionPastEnd:
					return p.tcpBadOption(first)
				case tcp.OptionTruncated:
					return p.tcpShortOption(first)
				default:
					p.tcpFixedOption(f, cut)
				}
			}
			if o.Length != 2+n {
				p.s("[len ")
				p.u(uint64(o.Length))
				p.c(']')
			}
			first = false
			continue
		}

		// The other kinds' values are as long as their length byte says,
		// which lies within the area: what is missing was not captured.
		datalen, data := o.Length-2, o.Data()
		switch o.Kind {
		case tcp.OptSACK:
			if datalen%8 != 0 {
				p.s(" invalid sack")
				break
			}
			p.c(' ')
			p.u(uint64(datalen / 8))
			p.c(' ')
			blocks := tcp.SACKBlocks(data)
			for i := range datalen / 8 {
				if i >= blocks.Len() {
					return p.tcpShortOption(first)
				}
				b := blocks.At(i)
				from := base.ack
				if rev {
					from = base.seq
				}
				b.Left = tcp.Seq(b.Left).Offset(from)
				b.Right = tcp.Seq(b.Right).Offset(from)
				p.c('{')
				p.u(uint64(b.Left))
				p.c(':')
				p.u(uint64(b.Right))
				p.c('}')
			}
		case tcp.OptTCPAO:
			// Byte by byte, as tcpdump prints as much of a cut option
			// as was captured.
			if datalen < 2 {
				p.s(" (invalid)")
				break
			}
			if len(data) < 1 {
				return p.tcpShortOption(first)
			}
			p.s(" keyid ")
			p.u(uint64(data[0]))
			if len(data) < 2 {
				return p.tcpShortOption(first)
			}
			p.s(" rnextkeyid ")
			p.u(uint64(data[1]))
			if datalen > 2 {
				p.s(" mac 0x")
				for i := 2; i < datalen; i++ {
					if i >= len(data) {
						return p.tcpShortOption(first)
					}
					p.hexBytes(data[i : i+1])
				}
			}
		case tcp.OptMPTCP:
			if datalen > len(data) {
				return p.tcpShortOption(first)
			}
			if !p.mptcp(o.Raw, flags) {
				return p.tcpBadOption(first)
			}
		case tcp.OptFastOpen:
			if datalen > len(data) {
				return p.tcpShortOption(first)
			}
			p.c(' ')
			p.tcpFastOpen(o)
		case tcp.OptExperiment2:
			if datalen > len(data) {
				return p.tcpShortOption(first)
			}
			id, ok := o.ExperimentID()
			if !ok {
				return p.tcpBadOption(first)
			}
			p.c('-')
			if id == tcp.ExIDFastOpen {
				p.s("tfo")
				p.tcpFastOpen(o)
			} else {
				p.xw(uint64(id), 4)
			}
		default:
			if datalen > 0 {
				p.s(" 0x")
			}
			for i := range datalen {
				if i >= len(data) {
					return p.tcpShortOption(first)
				}
				p.hexBytes(data[i : i+1])
			}
		}
		first = false
	}
	p.c(']')
	return true
}

// tcpBadOption ends an option list at a malformed option, the way
// tcpdump's bad label does; the list is closed only once an option has
// been printed whole.
func (p *Printer) tcpBadOption(first bool) bool {
	p.s("[bad opt]")
	if !first {
		p.c(']')
	}
	return false
}

// tcpShortOption reports a truncation inside an option the way tcpdump's
// LENCHECK does: without abandoning the packet.
func (p *Printer) tcpShortOption(first bool) bool {
	p.s(" [|")
	p.s(p.proto)
	p.c(']')
	if !first {
		p.c('>')
	}
	return false
}

// tcpFixedOption prints the value of an option of a fixed-size kind, read
// at its kind's size (OptionIter.Fixed). cut says whether the capture cut
// the segment short, which tcpdump tells about an MD5 signature it would
// not check anyway.
func (p *Printer) tcpFixedOption(o tcp.Option, cut bool) {
	switch o.Kind {
	case tcp.OptMSS:
		v, _ := o.MSS()
		p.c(' ')
		p.u(uint64(v))
	case tcp.OptWindowScale:
		v, _ := o.WindowScale()
		p.c(' ')
		p.u(uint64(v))
	case tcp.OptEcho, tcp.OptEchoReply:
		v, _ := o.Echo()
		p.c(' ')
		p.u(uint64(v))
	case tcp.OptCC, tcp.OptCCNew, tcp.OptCCEcho:
		v, _ := o.CC()
		p.c(' ')
		p.u(uint64(v))
	case tcp.OptTimestamps:
		val, ecr, _ := o.Timestamps()
		p.s(" val ")
		p.u(uint64(val))
		p.s(" ecr ")
		p.u(uint64(ecr))
	case tcp.OptMD5:
		sig, _ := o.MD5()
		p.c(' ')
		// tcpdump can only check a signature given the secret (-M),
		// which a Printer does not take.
		if cut {
			p.s("snaplen too short, ")
		} else {
			p.s("shared secret not supplied with -M, ")
		}
		p.s("can't check - ")
		p.hexBytes(sig)
	case tcp.OptSCPS:
		capabilities, id, _ := o.SCPS()
		p.s(" cap ")
		p.xw(uint64(capabilities), 2)
		p.s(" id ")
		p.u(uint64(id))
	case tcp.OptUserTimeout:
		uto, _ := o.UserTimeout()
		v := uint32(uto)
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
	}
}

// tcpFastOpen prints the cookie of a TCP Fast Open option, or of the
// experimental form after "exp-tfo" (tcpdump's
// print_tcp_fastopen_option): a cookie of a length RFC 7413 does not allow
// is "(invalid)".
func (p *Printer) tcpFastOpen(o tcp.Option) {
	cookie, ok := o.FastOpen()
	switch {
	case !ok:
		p.s(" (invalid)")
	case len(cookie) == 0:
		p.s(" cookiereq")
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
