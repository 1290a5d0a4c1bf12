package dump

import (
	"encoding/binary"
	"slices"
	"testing"

	"github.com/medina-net/medina/checksum"
	"github.com/medina-net/medina/ipv4"
	"github.com/medina-net/medina/ipv6"
	"github.com/medina-net/medina/pcap"
)

// Builders of Ethernet/IPv6 frames for the table tests of the IPv6,
// mobility, IPsec and DCCP printers; the expected lines are tcpdump
// 4.99.3's, and TestIP6CasesAgainstTCPDump checks them against it.

var (
	host6A = ipv6.Addr{0x20, 0x01, 0x0d, 0xb8, 15: 1}
	host6B = ipv6.Addr{0x20, 0x01, 0x0d, 0xb8, 15: 2}
	host6C = ipv6.Addr{0x20, 0x01, 0x0d, 0xb8, 15: 3}
)

// ip6Pkt describes an IPv6 datagram for extFrame6: the fixed header's
// fields, the extension headers (raw, the first named by first), the
// upper layer and its protocol. A UDP, TCP or DCCP upper layer gets its
// checksum over the pseudo-header to the destination tcpdump takes
// (RoutedDst) unless badSum is set.
type ip6Pkt struct {
	first    ipv4.Protocol // the fixed header's next header; upper when exts is empty
	exts     []byte
	upper    ipv4.Protocol
	l4       []byte
	tc       uint8
	flow     uint32
	plen     int // the payload length field; -1 for the real one
	badSum   bool
	src, dst ipv6.Addr
}

func extFrame6(d ip6Pkt) []byte {
	if d.src == (ipv6.Addr{}) {
		d.src, d.dst = host6A, host6B
	}
	if len(d.exts) == 0 {
		d.first = d.upper
	}
	body := slices.Concat(d.exts, slices.Clone(d.l4))
	plen := len(body)
	if d.plen >= 0 {
		plen = d.plen
	}
	f := []byte{2, 0, 0, 0, 0, 2, 2, 0, 0, 0, 0, 1, 0x86, 0xdd}
	b := make([]byte, ipv6.HeaderLen)
	h, err := (&ipv6.Fields{TrafficClass: d.tc, FlowLabel: d.flow, PayloadLen: min(plen, 65535), NextHeader: d.first, HopLimit: 64, Src: d.src, Dst: d.dst}).Encode(b)
	if err != nil {
		panic(err)
	}
	h = append(h, body...)
	csumOff := map[ipv4.Protocol]int{ipv4.ProtoUDP: 6, ipv4.ProtoTCP: 16, ipv4.ProtoDCCP: 6}
	if off, ok := csumOff[d.upper]; ok && len(d.l4) >= off+2 {
		l4 := h[ipv6.HeaderLen+len(d.exts):]
		binary.BigEndian.PutUint16(l4[off:], 0)
		sum := checksum.Checksum(l4, checksum.Pseudo6(d.src, h.RoutedDst(), uint8(d.upper), uint32(len(l4))))
		if d.badSum {
			sum = 0xbeef
		}
		binary.BigEndian.PutUint16(l4[off:], sum)
	}
	return append(f, h...)
}

// udp6 is a UDP header and data, the checksum left for extFrame6.
func udp6(sport, dport uint16, data []byte) []byte {
	b := make([]byte, 8, 8+len(data))
	binary.BigEndian.PutUint16(b, sport)
	binary.BigEndian.PutUint16(b[2:], dport)
	binary.BigEndian.PutUint16(b[4:], uint16(8+len(data)))
	return append(b, data...)
}

// tcp6 is a TCP header with the given flags, sequence number and data.
func tcp6(sport, dport uint16, flags byte, seq uint32, data []byte) []byte {
	b := make([]byte, 20, 20+len(data))
	binary.BigEndian.PutUint16(b, sport)
	binary.BigEndian.PutUint16(b[2:], dport)
	binary.BigEndian.PutUint32(b[4:], seq)
	b[12], b[13] = 5<<4, flags
	binary.BigEndian.PutUint16(b[14:], 65535)
	return append(b, data...)
}

// opts6 is a hop-by-hop or destination options header naming next.
func opts6(next ipv4.Protocol, opts []byte) []byte {
	b := make([]byte, 2+len(opts)+8)
	n, err := ipv6.EncodeOptions(b, next, opts)
	if err != nil {
		panic(err)
	}
	return b[:n]
}

// mh6 is a mobility header of the given type, body (after the checksum)
// and length in 8-byte units less one.
func mh6(typ ipv6.MobilityType, body []byte) []byte {
	b := slices.Concat([]byte{59, 0, byte(typ), 0, 0, 0}, body)
	for len(b)%8 != 0 {
		b = append(b, 0)
	}
	b[1] = byte(len(b)/8 - 1)
	return b
}

// dccp4 is a DCCP packet with a 48-bit sequence number: its type, its
// type-specific fields and options (options padded to 4 bytes by the
// caller), the checksum left for the IP builder.
func dccpPkt(typ byte, fields, opts []byte, cscov byte) []byte {
	b := make([]byte, 16)
	binary.BigEndian.PutUint16(b, 5001)
	binary.BigEndian.PutUint16(b[2:], 40000)
	b[4] = byte((16 + len(fields) + len(opts)) / 4)
	b[5] = cscov
	b[8] = typ<<1 | 1
	b[10], b[15] = 0, 7 // sequence number 7
	return slices.Concat(b, fields, opts)
}

// dccp4Frame is dccpPkt over IPv4 with its checksum.
func dccp4Frame(pkt []byte) []byte {
	cov := len(pkt)
	if cs := int(pkt[5] & 0x0f); cs != 0 {
		cov = min((int(pkt[4])+cs-1)*4, len(pkt))
	}
	sum := checksum.Checksum(pkt[:cov], checksum.Pseudo(hostA, hostB, 33, uint16(len(pkt))))
	binary.BigEndian.PutUint16(pkt[6:], sum)
	return ipFrame(33, hostA, hostB, pkt, false)
}

var (
	routerAlert = ipv6.AppendRouterAlert(ipv6.AppendPad(nil, 2), ipv6.RouterAlertMLD)
	homeAddr    = ipv6.AppendOption(ipv6.AppendPad(nil, 4), ipv6.OptHomeAddress, slices.Concat(host6C[:], []byte{1, 0, 0x42, 1, 9}))
	unknownOpt  = ipv6.AppendOption(nil, 0x3e, []byte{1, 2, 3})
	badRtAlert  = ipv6.AppendOption(nil, ipv6.OptRouterAlert, []byte{0, 0, 0})
	type2RH     = func() []byte {
		b := make([]byte, 24)
		ipv6.EncodeRouting(b, ipv4.ProtoUDP, ipv6.RoutingMobile, 1, host6C)
		return b
	}()
	type0RH = func() []byte {
		b := make([]byte, 40)
		ipv6.EncodeRouting(b, ipv4.ProtoTCP, ipv6.RoutingSourceRoute, 2, host6C, host6A)
		return b
	}()
	srh = func() []byte {
		b := make([]byte, 56)
		tlvs := []byte{byte(ipv6.SRHHMAC), 14, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1}
		n, err := ipv6.EncodeSRH(b, ipv4.ProtoUDP, 1, 0, 0x1234, []ipv6.Addr{host6B, host6C}, tlvs)
		if err != nil {
			panic(err)
		}
		return b[:n]
	}()
	rplRH     = []byte{59, 2, 3, 1, 0xee, 0x80, 0, 0, 0, 3, 0, 0, 0, 0, 0, 0, 0, 4, 0, 0, 0, 0, 0, 0}
	firstFrag = func() []byte {
		b := make([]byte, 8)
		ipv6.EncodeFragmentHeader(b, ipv4.ProtoUDP, 0, true, 0xcafe)
		return b
	}()
	laterFrag = func() []byte {
		b := make([]byte, 8)
		ipv6.EncodeFragmentHeader(b, ipv4.ProtoUDP, 1232, false, 0xcafe)
		return b
	}()
	ah6 = func(next ipv4.Protocol) []byte {
		b := []byte{byte(next), 4, 0, 0, 0, 0, 0x10, 0x01, 0, 0, 0, 9}
		return append(b, 0xa1, 0xa2, 0xa3, 0xa4, 0xa5, 0xa6, 0xa7, 0xa8, 0xa9, 0xaa, 0xab, 0xac)
	}
	dns6Query = []byte{0x12, 0x34, 1, 0, 0, 1, 0, 0, 0, 0, 0, 0, 7, 'e', 'x', 'a', 'm', 'p', 'l', 'e', 3, 'o', 'r', 'g', 0, 0, 28, 0, 1}
)

var ip6Cases = []printCase{
	{name: "UDP, checksum verified at -v", args: []string{"-v"},
		frames: [][]byte{extFrame6(ip6Pkt{upper: ipv4.ProtoUDP, l4: udp6(5000, 7777, []byte("hello")), plen: -1, tc: 0xb8, flow: 0x12345})},
		want:   "IP6 (class 0xb8, flowlabel 0x12345, hlim 64, next-header UDP (17) payload length: 13) 2001:db8::1.5000 > 2001:db8::2.7777: [udp sum ok] UDP, length 5\n"},
	{name: "UDP, bad checksum", args: []string{"-v"},
		frames: [][]byte{extFrame6(ip6Pkt{upper: ipv4.ProtoUDP, l4: udp6(5000, 7777, []byte("hello")), plen: -1, badSum: true})},
		want:   "IP6 (hlim 64, next-header UDP (17) payload length: 13) 2001:db8::1.5000 > 2001:db8::2.7777: [bad udp cksum 0xbeef -> 0x2ea4!] UDP, length 5\n"},
	{name: "UDP, checksum not checked with -K", args: []string{"-v", "-K"},
		frames: [][]byte{extFrame6(ip6Pkt{upper: ipv4.ProtoUDP, l4: udp6(5000, 7777, []byte("hello")), plen: -1, badSum: true})},
		want:   "IP6 (hlim 64, next-header UDP (17) payload length: 13) 2001:db8::1.5000 > 2001:db8::2.7777: UDP, length 5\n"},
	{name: "DNS query", frames: [][]byte{extFrame6(ip6Pkt{upper: ipv4.ProtoUDP, l4: udp6(5353, 53, dns6Query), plen: -1})},
		want: "IP6 2001:db8::1.5353 > 2001:db8::2.53: 4660+ AAAA? example.org. (29)\n"},
	{name: "TCP SYN, checksum verified", args: []string{"-v"},
		frames: [][]byte{extFrame6(ip6Pkt{upper: ipv4.ProtoTCP, l4: tcp6(40000, 80, 0x02, 1000, nil), plen: -1})},
		want:   "IP6 (hlim 64, next-header TCP (6) payload length: 20) 2001:db8::1.40000 > 2001:db8::2.80: Flags [S], cksum 0xb3f5 (correct), seq 1000, win 65535, length 0\n"},
	{name: "hop-by-hop router alert", frames: [][]byte{extFrame6(ip6Pkt{first: ipv4.ProtoHopOpts, exts: opts6(ipv4.ProtoUDP, routerAlert), upper: ipv4.ProtoUDP, l4: udp6(1, 2, nil), plen: -1})},
		want: "IP6 2001:db8::1 > 2001:db8::2: HBH 1 > 2: UDP, length 0\n"},
	{name: "hop-by-hop router alert at -v", args: []string{"-v"},
		frames: [][]byte{extFrame6(ip6Pkt{first: ipv4.ProtoHopOpts, exts: opts6(ipv4.ProtoUDP, routerAlert), upper: ipv4.ProtoUDP, l4: udp6(1, 2, nil), plen: -1})},
		want:   "IP6 (hlim 64, next-header Options (0) payload length: 16) 2001:db8::1 > 2001:db8::2: HBH (padn)(rtalert: 0x0000)  1 > 2: [udp sum ok] UDP, length 0\n"},
	{name: "hop-by-hop router alert of a wrong length", args: []string{"-v"},
		frames: [][]byte{extFrame6(ip6Pkt{first: ipv4.ProtoHopOpts, exts: opts6(ipv4.ProtoUDP, badRtAlert), upper: ipv4.ProtoUDP, l4: udp6(1, 2, nil), plen: -1})},
		want:   "IP6 (hlim 64, next-header Options (0) payload length: 16) 2001:db8::1 > 2001:db8::2: HBH (rtalert: invalid len 3) [|hbhopt]\n"},
	{name: "destination options, home address with sub-options", args: []string{"-v"},
		frames: [][]byte{extFrame6(ip6Pkt{first: ipv4.ProtoDstOpts, exts: opts6(ipv4.ProtoUDP, homeAddr), upper: ipv4.ProtoUDP, l4: udp6(1, 2, nil), plen: -1})},
		want:   "IP6 (hlim 64, next-header unknown (60) payload length: 40) 2001:db8::1 > 2001:db8::2: DSTOPT (padn)(homeaddr: 2001:db8::3, padn, sopt_type 0x42: len=1)(padn) 1 > 2: [udp sum ok] UDP, length 0\n"},
	{name: "destination options, unknown option", args: []string{"-v"},
		frames: [][]byte{extFrame6(ip6Pkt{first: ipv4.ProtoDstOpts, exts: opts6(ipv4.ProtoNoNext, unknownOpt), plen: -1})},
		want:   "IP6 (hlim 64, next-header unknown (60) payload length: 8) 2001:db8::1 > 2001:db8::2: DSTOPT (opt_type 0x3e: len=3)(pad1) no next header\n"},
	{name: "destination options without -v", frames: [][]byte{extFrame6(ip6Pkt{first: ipv4.ProtoDstOpts, exts: opts6(ipv4.ProtoNoNext, unknownOpt), plen: -1})},
		want: "IP6 2001:db8::1 > 2001:db8::2: DSTOPT no next header\n"},
	{name: "hop-by-hop after destination options", frames: [][]byte{extFrame6(ip6Pkt{first: ipv4.ProtoDstOpts, exts: slices.Concat(opts6(ipv4.ProtoHopOpts, nil), opts6(ipv4.ProtoNoNext, nil)), plen: -1})},
		want: "IP6 2001:db8::1 > 2001:db8::2: DSTOPT [The Hop-by-Hop Options header don't follow the IPv6 header] (invalid)\n"},
	{name: "hop-by-hop cut short by the capture", args: []string{"-v"}, snap: 14 + 44,
		frames: [][]byte{extFrame6(ip6Pkt{first: ipv4.ProtoHopOpts, exts: opts6(ipv4.ProtoUDP, routerAlert), upper: ipv4.ProtoUDP, l4: udp6(1, 2, nil), plen: -1})},
		want:   "IP6 (hlim 64, next-header Options (0) payload length: 16) 2001:db8::1 > 2001:db8::2:  [|hbhopt]\n"},
	{name: "routing type 2, checksum to its address", args: []string{"-v"},
		frames: [][]byte{extFrame6(ip6Pkt{first: ipv4.ProtoRouting, exts: type2RH, upper: ipv4.ProtoUDP, l4: udp6(1, 2, []byte("x")), plen: -1})},
		want:   "IP6 (hlim 64, next-header Routing (43) payload length: 33) 2001:db8::1 > 2001:db8::2: RT6 (len=2, type=2, segleft=1, rsv=0x0, [0]2001:db8::3) 1 > 2: [udp sum ok] UDP, length 1\n"},
	{name: "routing type 0, TCP", frames: [][]byte{extFrame6(ip6Pkt{first: ipv4.ProtoRouting, exts: type0RH, upper: ipv4.ProtoTCP, l4: tcp6(40000, 80, 0x12, 1, nil), plen: -1})},
		want: "IP6 2001:db8::1 > 2001:db8::2: RT6 (len=4, type=0 [Deprecated], segleft=2, [0]2001:db8::3, [1]2001:db8::1) 40000 > 80: Flags [S.], seq 1, ack 0, win 65535, length 0\n"},
	{name: "segment routing header with a TLV", args: []string{"-v"},
		frames: [][]byte{extFrame6(ip6Pkt{first: ipv4.ProtoRouting, exts: srh, upper: ipv4.ProtoUDP, l4: udp6(1, 2, nil), plen: -1})},
		want:   "IP6 (hlim 64, next-header Routing (43) payload length: 64) 2001:db8::1 > 2001:db8::2: RT6 (len=6, type=4, segleft=1, last-entry=1, flags=0x0, tag=1234, [0]2001:db8::2, [1]2001:db8::3, [2]50e::1) 1 > 2: [udp sum ok] UDP, length 0\n"},
	{name: "RPL source route", frames: [][]byte{extFrame6(ip6Pkt{first: ipv4.ProtoRouting, exts: rplRH, plen: -1})},
		want: "IP6 2001:db8::1 > 2001:db8::2: RT6 (len=2, type=3, segleft=1 (unknown type) (invalid)\n"},
	{name: "first and later fragment", args: []string{"-v"},
		frames: [][]byte{
			extFrame6(ip6Pkt{first: ipv4.ProtoFragment, exts: firstFrag, upper: ipv4.ProtoUDP, l4: udp6(1, 2, make([]byte, 16)), plen: -1}),
			extFrame6(ip6Pkt{first: ipv4.ProtoFragment, exts: laterFrag, l4: make([]byte, 24), plen: -1}),
		},
		want: "IP6 (hlim 64, next-header Fragment (44) payload length: 32) 2001:db8::1 > 2001:db8::2: frag (0x0000cafe:0|24) 1 > 2: UDP, length 16\nIP6 (hlim 64, next-header Fragment (44) payload length: 32) 2001:db8::1 > 2001:db8::2: frag (0x0000cafe:1232|24)\n"},
	{name: "fragment without -v", frames: [][]byte{extFrame6(ip6Pkt{first: ipv4.ProtoFragment, exts: firstFrag, upper: ipv4.ProtoUDP, l4: udp6(1, 2, make([]byte, 16)), plen: -1})},
		want: "IP6 2001:db8::1 > 2001:db8::2: frag (0|24) 1 > 2: UDP, length 16\n"},
	{name: "AH then UDP", args: []string{"-v"},
		frames: [][]byte{extFrame6(ip6Pkt{first: ipv4.ProtoAH, exts: ah6(ipv4.ProtoUDP), upper: ipv4.ProtoUDP, l4: udp6(5000, 5001, []byte{1, 2}), plen: -1})},
		want:   "IP6 (hlim 64, next-header AH (51) payload length: 34) 2001:db8::1 > 2001:db8::2: AH(length=4(24-bytes),spi=0x00001001,seq=0x9,icv=0xa1a2a3a4a5a6a7a8a9aaabac): 5000 > 5001: [udp sum ok] UDP, length 2\n"},
	{name: "AH then TCP over IPv4", frames: [][]byte{ipFrame(51, hostA, hostB, slices.Concat(ah6(ipv4.ProtoTCP), tcp6(40000, 22, 0x10, 5, nil)), false)},
		want: "IP 10.0.0.1 > 10.0.0.2: AH(spi=0x00001001,seq=0x9,icv=0xa1a2a3a4a5a6a7a8a9aaabac): 40000 > 22: Flags [.], ack 0, win 65535, length 0\n"},
	{name: "ESP", frames: [][]byte{extFrame6(ip6Pkt{upper: ipv4.ProtoESP, l4: []byte{0, 0, 0x10, 1, 0, 0, 0, 3, 0xde, 0xad, 0xbe, 0xef}, plen: -1})},
		want: "IP6 2001:db8::1 > 2001:db8::2: ESP(spi=0x00001001,seq=0x3), length 12\n"},
	{name: "IPComp", frames: [][]byte{extFrame6(ip6Pkt{upper: ipv4.ProtoIPComp, l4: []byte{6, 0, 0x12, 0x34, 0x78, 0x9c}, plen: -1})},
		want: "IP6 2001:db8::1 > 2001:db8::2: IPComp(cpi=0x1234)\n"},
	{name: "mobility binding update with options", args: []string{"-v"},
		frames: [][]byte{extFrame6(ip6Pkt{upper: ipv4.ProtoMobility, l4: mh6(ipv6.MobilityBU, slices.Concat([]byte{0, 9, 0xc0, 0, 0, 100, 2, 2, 0, 30, 3, 16}, host6C[:])), plen: -1})},
		want:   "IP6 (hlim 64, next-header Mobility (135) payload length: 40) 2001:db8::1 > 2001:db8::2: mobility: BU seq#=9 AH lifetime=400(refresh: 120)(alt-CoA: 2001:db8::3)(pad1)(pad1)(pad1)(pad1)(pad1) [|mobility]\n"},
	{name: "mobility binding acknowledgement and error", frames: [][]byte{
		extFrame6(ip6Pkt{upper: ipv4.ProtoMobility, l4: mh6(ipv6.MobilityBA, []byte{0, 0x80, 0, 9, 0, 100}), plen: -1}),
		extFrame6(ip6Pkt{upper: ipv4.ProtoMobility, l4: mh6(ipv6.MobilityBE, slices.Concat([]byte{2, 0}, host6C[:])), plen: -1}),
	}, want: "IP6 2001:db8::1 > 2001:db8::2: mobility: BA status=0 K seq#=9 lifetime=400\nIP6 2001:db8::1 > 2001:db8::2: mobility: BE status=2 homeaddr 2001:db8::3\n"},
	{name: "mobility home test and unknown type", args: []string{"-v"}, frames: [][]byte{
		extFrame6(ip6Pkt{upper: ipv4.ProtoMobility, l4: mh6(ipv6.MobilityHoT, []byte{0, 7, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 4, 4, 0, 1, 0, 2, 5, 10, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0}), plen: -1}),
		extFrame6(ip6Pkt{upper: ipv4.ProtoMobility, l4: mh6(9, []byte{0, 0}), plen: -1}),
	}, want: "IP6 (hlim 64, next-header Mobility (135) payload length: 48) 2001:db8::1 > 2001:db8::2: mobility: HoT nonce id=0x7 Home Init Cookie=01020304:05060708 Home Keygen Token=090a0b0c:0d0e0f10(ni: ho=0x0001 co=0x0002)(auth)(pad1)(pad1)(pad1)(pad1)(pad1) [|mobility]\nIP6 (hlim 64, next-header Mobility (135) payload length: 8) 2001:db8::1 > 2001:db8::2: mobility: type-#9 len=0\n"},
	{name: "mobility header too short for its type", frames: [][]byte{extFrame6(ip6Pkt{upper: ipv4.ProtoMobility, l4: []byte{59, 0, byte(ipv6.MobilityHoT), 0, 0, 0, 0, 0}, plen: -1})},
		want: "IP6 2001:db8::1 > 2001:db8::2: (header length 8 is too small for type 3) [|mobility]\n"},
	{name: "payload length past the capture", frames: [][]byte{extFrame6(ip6Pkt{upper: ipv4.ProtoUDP, l4: udp6(1, 2, nil), plen: 100})},
		want: "IP6 truncated-ip6 - 92 bytes missing!2001:db8::1.1 > 2001:db8::2.2: UDP, length 0\n"},
	{name: "extension header past the payload length", args: []string{"-v"}, frames: [][]byte{extFrame6(ip6Pkt{first: ipv4.ProtoFragment, exts: firstFrag, upper: ipv4.ProtoUDP, l4: udp6(1, 2, nil), plen: 4})},
		want: "IP6 (hlim 64, next-header Fragment (44) payload length: 4) 2001:db8::1 > 2001:db8::2:  [|frag6]\n"},
	{name: "DCCP request over IPv4, -vv", args: []string{"-vv"},
		frames: [][]byte{dccp4Frame(dccpPkt(0, []byte{0, 0, 0, 42}, []byte{32, 4, 1, 2, 43, 4, 0, 9, 0, 0, 0, 0}, 0))},
		want:   "IP (tos 0x0, ttl 64, id 4660, offset 0, flags [none], proto DCCP (33), length 52)\n    10.0.0.1.5001 > 10.0.0.2.40000: DCCP (CCVal 0, CsCov 0, cksum 0xe6ad (correct)) DCCP-Request (service=42) seq 7 <change_l ccid 2, elapsed_time 9, nop, nop, nop, nop>\n"},
	{name: "DCCP data-ack over IPv4 with partial coverage", args: []string{"-vv"},
		frames: [][]byte{dccp4Frame(dccpPkt(4, []byte{0, 0, 0, 0, 0, 0, 0, 6}, []byte{41, 6, 0, 0, 1, 0, 0, 0}, 1))},
		want:   "IP (tos 0x0, ttl 64, id 4660, offset 0, flags [none], proto DCCP (33), length 52)\n    10.0.0.1.5001 > 10.0.0.2.40000: DCCP (CCVal 0, CsCov 1, cksum 0x00de (correct)) DCCP-DataAck (ack=6) seq 7 <timestamp 256, nop, nop>\n"},
	{name: "DCCP reset over IPv6, -q", args: []string{"-q"},
		frames: [][]byte{extFrame6(ip6Pkt{upper: ipv4.ProtoDCCP, l4: dccpPkt(7, []byte{0, 0, 0, 0, 0, 0, 0, 6, 2, 0, 0, 0}, nil, 0), plen: -1})},
		want:   "IP6 2001:db8::1.5001 > 2001:db8::2.40000: DCCP 0\n"},
	{name: "DCCP close over IPv6, -v", args: []string{"-v"},
		frames: [][]byte{extFrame6(ip6Pkt{upper: ipv4.ProtoDCCP, l4: dccpPkt(6, []byte{0, 0, 0, 0, 0, 0, 0, 6}, nil, 0), plen: -1})},
		want:   "IP6 (hlim 64, next-header DCCP (33) payload length: 24) 2001:db8::1.5001 > 2001:db8::2.40000: DCCP (CCVal 0, CsCov 0, cksum 0xe17a (correct)) DCCP-Close (ack=6) \n"},
}

func TestIP6Printer(t *testing.T) { runPrintCases(t, ip6Cases) }

func TestIP6CasesAgainstTCPDump(t *testing.T) { checkCasesWithTCPDump(t, ip6Cases) }

// TestIP6DoesNotAllocate checks that the datagrams of the table print
// without allocating once the printer's buffer has grown.
func TestIP6DoesNotAllocate(t *testing.T) {
	for _, c := range ip6Cases {
		p := New(nil, flagOptions(t, c.args))
		for _, f := range c.frames {
			pkt := &pcap.Packet{Data: c.captured(f), Length: len(f), LinkType: pcap.LinkTypeEthernet, FracPerSec: 1e6}
			buf := p.AppendPacket(nil, pkt)
			allocs := testing.AllocsPerRun(20, func() {
				buf = p.AppendPacket(buf[:0], pkt)
			})
			if allocs != 0 {
				t.Errorf("%s: %v allocations printing %q", c.name, allocs, buf)
			}
		}
	}
}

// BenchmarkIP6 prints, with -vv, a UDP datagram behind a hop-by-hop and
// a routing header (its checksum verified to the routed destination), a
// mobility binding update with options and a DCCP request with options.
func BenchmarkIP6(b *testing.B) {
	frames := [][]byte{
		extFrame6(ip6Pkt{first: ipv4.ProtoHopOpts, exts: slices.Concat(opts6(ipv4.ProtoRouting, routerAlert), type2RH), upper: ipv4.ProtoUDP, l4: udp6(1, 2, []byte("x")), plen: -1}),
		extFrame6(ip6Pkt{upper: ipv4.ProtoMobility, l4: mh6(ipv6.MobilityBU, slices.Concat([]byte{0, 9, 0xc0, 0, 0, 100, 2, 2, 0, 30, 3, 16}, host6C[:])), plen: -1}),
		extFrame6(ip6Pkt{upper: ipv4.ProtoDCCP, l4: dccpPkt(0, []byte{0, 0, 0, 42}, []byte{32, 4, 1, 2, 43, 4, 0, 9, 0, 0, 0, 0}, 0), plen: -1}),
	}
	p := New(nil, Options{Verbose: 2})
	var buf []byte
	n := 0
	for _, f := range frames {
		n += len(f)
	}
	b.ReportAllocs()
	b.SetBytes(int64(n))
	for b.Loop() {
		for _, f := range frames {
			pkt := pcap.Packet{Data: f, Length: len(f), LinkType: pcap.LinkTypeEthernet, FracPerSec: 1e6}
			buf = p.AppendPacket(buf[:0], &pkt)
		}
	}
}
