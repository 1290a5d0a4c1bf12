package dump

import (
	"bytes"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/medina-net/medina/icmpv6"
	"github.com/medina-net/medina/internal/corpus"
	"github.com/medina-net/medina/ipv6"
)

// ICMPv6 builders. The messages are written with the icmpv6 package's
// encoders where it has one, and as bytes where the point is a message
// no encoder would write.

var (
	i6A    = ipv6.Addr{0xfe, 0x80, 8: 0x02, 0x00, 0x5e, 0xff, 0xfe, 0x00, 0x53, 0x01}
	i6B    = ipv6.Addr{0xfe, 0x80, 8: 0x02, 0x00, 0x5e, 0xff, 0xfe, 0x00, 0x53, 0x02}
	i6G    = ipv6.Addr{0x20, 0x01, 0x0d, 0xb8, 0, 1, 15: 0x10}
	i6H    = ipv6.Addr{0x20, 0x01, 0x0d, 0xb8, 0, 2, 15: 0x20}
	i6All  = ipv6.Addr{0xff, 0x02, 15: 1}
	i6Rtr  = ipv6.Addr{0xff, 0x02, 15: 2}
	i6MLD2 = ipv6.Addr{0xff, 0x02, 15: 0x16}
	i6Grp  = ipv6.Addr{0xff, 0x0e, 15: 0x42}
	i6Mac  = []byte{0x00, 0x00, 0x5e, 0x00, 0x53, 0x01}
)

// ip6Packet is an IPv6 packet from src to dst with next header nh and
// hop limit hlim, carrying payload.
func ip6Packet(src, dst ipv6.Addr, nh, hlim byte, payload []byte) []byte {
	return cat([]byte{0x60, 0, 0, 0}, be16b(uint16(len(payload))), []byte{nh, hlim}, src[:], dst[:], payload)
}

// icmp6Frame is an Ethernet frame holding an IPv6 packet from src to dst
// holding msg, whose checksum it fills.
func icmp6Frame(src, dst ipv6.Addr, msg []byte) []byte {
	m := icmpv6.Message(bytes.Clone(msg))
	m.FillChecksum(src, dst)
	return cat([]byte{0x33, 0x33, 0, 0, 0, 1, 2, 0, 0, 0, 0, 1, 0x86, 0xdd}, ip6Packet(src, dst, 58, 255, m))
}

// badSum6 returns frame with the ICMPv6 checksum (its bytes 56 and 57)
// changed.
func badSum6(f []byte) []byte {
	f = bytes.Clone(f)
	f[56] ^= 0x5a
	return f
}

// msg6 is an ICMPv6 message of type t and code c, with rest as bytes 4 to
// 7 and body after, its checksum left for icmp6Frame.
func msg6(t icmpv6.Type, c icmpv6.Code, rest uint32, body ...[]byte) []byte {
	return cat([]byte{byte(t), byte(c), 0, 0}, be32b(rest), cat(body...))
}

func enc6(m icmpv6.Message, err error) []byte {
	if err != nil {
		panic(err)
	}
	return bytes.Clone(m)
}

var (
	i6Buf = make([]byte, 2048)

	i6UDP     = cat(be16b(40000), be16b(53), be16b(12), be16b(0), []byte("abcd"))
	i6TCP     = cat(be16b(40000), be16b(443), be32b(1), be32b(0), []byte{0x50, 0x02, 0xff, 0xff, 0, 0, 0, 0})
	i6QuoteU  = ip6Packet(i6G, i6H, 17, 64, i6UDP)
	i6QuoteT  = ip6Packet(i6G, i6H, 6, 64, i6TCP)
	i6QuoteHT = ip6Packet(i6G, i6H, 0, 64, cat([]byte{6, 0, 1, 4, 0, 0, 0, 0}, i6TCP))
	i6QuoteI  = ip6Packet(i6G, i6H, 58, 64, msg6(icmpv6.TypeEchoRequest, 0, 1))

	i6Echo  = enc6(icmpv6.EncodeEcho(i6Buf, icmpv6.TypeEchoRequest, 0x1234, 7, []byte("payload!"), i6A, i6B))
	i6Reply = enc6(icmpv6.EncodeEcho(i6Buf, icmpv6.TypeEchoReply, 0x1234, 7, []byte("payload!"), i6B, i6A))
	i6NS    = enc6(icmpv6.EncodeNeighborSolicit(i6Buf, i6B, i6Mac, []byte{1, 2, 3, 4, 5, 6}, i6A, i6B.SolicitedNode()))
	i6NA    = enc6(icmpv6.EncodeNeighborAdvert(i6Buf, icmpv6.NARouter|icmpv6.NASolicited|icmpv6.NAOverride, i6B, i6Mac, i6B, i6A))
	i6NANoF = enc6(icmpv6.EncodeNeighborAdvert(i6Buf, 0, i6B, nil, i6B, i6All))
	i6RS    = enc6(icmpv6.EncodeRouterSolicit(i6Buf, i6Mac, i6A, i6Rtr))
	i6Rep   = enc6(icmpv6.EncodeMLDv2Report(i6Buf, []icmpv6.RecordSpec{
		{Type: icmpv6.ModeIsInclude, Addr: i6Grp, Sources: []ipv6.Addr{i6G, i6H}},
		{Type: icmpv6.BlockOldSources, Addr: i6B.SolicitedNode()},
	}, i6A, i6MLD2))

	// A router advertisement with an option of each kind, some of the
	// wrong length.
	i6RA = msg6(icmpv6.TypeRouterAdvert, 0, 0x40d80708, be32b(30000), be32b(1000),
		icmpv6.AppendPrefixInfo(nil, icmpv6.PrefixInfo{PrefixLen: 64, Flags: icmpv6.PrefixOnLink | icmpv6.PrefixRouterAddr,
			ValidLifetime: 0xffffffff, PreferredLifetime: 3600, Prefix: i6G}),
		icmpv6.AppendMTU(nil, 1480),
		[]byte{byte(icmpv6.OptMTU), 2, 0, 0, 0, 0, 5, 0xdc, 0, 0, 0, 0, 0, 0, 0, 0},
		[]byte{byte(icmpv6.OptRouteInfo), 1, 0, 0x08, 0, 0, 0x0e, 0x10},
		cat([]byte{byte(icmpv6.OptRouteInfo), 3, 48, 0x18}, be32b(0xffffffff), i6H[:]),
		cat([]byte{byte(icmpv6.OptRDNSS), 4, 0, 0}, be32b(600), i6G[:], make([]byte, 8)),
		cat([]byte{byte(icmpv6.OptDNSSL), 4, 0, 0}, be32b(1200), dn("example.com"), []byte{3, 'l', 'a', 'b', 0xc0, 136}, make([]byte, 5)),
		cat([]byte{byte(icmpv6.OptAdvInterval), 1, 0, 0}, be32b(60000)),
		cat([]byte{byte(icmpv6.OptHomeAgentInfo), 1, 0, 0}, be16b(10), be16b(1800)),
		cat([]byte{byte(icmpv6.OptPREF64), 2}, be16b(1800|1), i6G[:12]),
	)
	i6RAShort = msg6(icmpv6.TypeRouterAdvert, 0, 0x40000000, be32b(0), be32b(0),
		[]byte{byte(icmpv6.OptPrefixInfo), 1, 64, 0xc0, 0, 0, 0, 1},
		cat([]byte{byte(icmpv6.OptRouteInfo), 4, 0, 0}, be32b(5), make([]byte, 24)))

	i6Redirect = msg6(icmpv6.TypeRedirect, 0, 0, i6B[:], i6H[:],
		icmpv6.AppendLinkAddr(nil, icmpv6.OptTargetLinkAddr, i6Mac),
		cat([]byte{byte(icmpv6.OptRedirectedHeader), 7, 0, 0, 0, 0, 0, 0}, i6QuoteU[:48]))

	i6MLDQuery = msg6(icmpv6.TypeMLDQuery, 0, 1000<<16, make([]byte, 16))
	i6MLDv2Q   = msg6(icmpv6.TypeMLDQuery, 0, 0x8123<<16, i6Grp[:], []byte{0x0a, 0x90}, be16b(2), i6G[:], i6H[:])
	i6MLDv2Bad = msg6(icmpv6.TypeMLDQuery, 0, 500<<16, i6Grp[:], []byte{0x02, 125}, be16b(3), i6G[:])
	i6RepOdd   = msg6(icmpv6.TypeMLDv2Report, 0, 3,
		[]byte{9, 1}, be16b(0), i6Grp[:], be32b(0xaabbccdd),
		[]byte{2, 0}, be16b(5), i6Grp[:], i6G[:])

	i6NIQuery = func(code icmpv6.Code, qtype, flags uint16, data []byte) []byte {
		return msg6(icmpv6.TypeNodeInfoQuery, code, uint32(qtype)<<16|uint32(flags), be32b(0x01020304), be32b(0x05060708), data)
	}
	i6NIReply = func(code icmpv6.Code, qtype, flags uint16, data []byte) []byte {
		return msg6(icmpv6.TypeNodeInfoReply, code, uint32(qtype)<<16|uint32(flags), be32b(0x01020304), be32b(0x05060708), data)
	}

	i6RR = msg6(icmpv6.TypeRouterRenumbering, icmpv6.RenumberCommand, 77,
		[]byte{5, 0xc8}, be16b(250), be32b(0),
		[]byte{icmpv6.RenumberOpChange, 11, 2, 32, 16, 64}, be16b(0), i6G[:],
		[]byte{48, 16, 0xc0, 0x80}, be32b(0xffffffff), be32b(3600), be32b(0xc0000000), i6H[:],
		[]byte{56, 8, 0, 0}, be32b(100), be32b(0xffffffff), be32b(0), i6G[:])

	i6DIO = rplMsg(icmpv6.RPLDIO, []byte{3, 1}, be16b(256), []byte{0x80 | 2<<3 | 4, 9, 0, 0}, i6G[:],
		[]byte{0, byte(icmpv6.RPLOptDODAGConfig), 4, 1, 2, 3, 4, byte(icmpv6.RPLOptPrefixInfo), 0})
)

// rplMsg is an RPL control message: type, code, checksum, then base.
func rplMsg(code icmpv6.Code, base ...[]byte) []byte {
	return cat([]byte{byte(icmpv6.TypeRPL), byte(code), 0, 0}, cat(base...))
}

var icmp6Cases = []printCase{
	{"echo", nil, [][]byte{icmp6Frame(i6A, i6B, i6Echo), icmp6Frame(i6B, i6A, i6Reply)}, 0,
		"IP6 fe80::200:5eff:fe00:5301 > fe80::200:5eff:fe00:5302: ICMP6, echo request, id 4660, seq 7, length 16\nIP6 fe80::200:5eff:fe00:5302 > fe80::200:5eff:fe00:5301: ICMP6, echo reply, id 4660, seq 7, length 16\n"},
	{"echo -v", []string{"-v"}, [][]byte{icmp6Frame(i6A, i6B, i6Echo), badSum6(icmp6Frame(i6B, i6A, i6Reply))}, 0,
		"IP6 (hlim 255, next-header ICMPv6 (58) payload length: 16) fe80::200:5eff:fe00:5301 > fe80::200:5eff:fe00:5302: [icmp6 sum ok] ICMP6, echo request, id 4660, seq 7\nIP6 (hlim 255, next-header ICMPv6 (58) payload length: 16) fe80::200:5eff:fe00:5302 > fe80::200:5eff:fe00:5301: [bad icmp6 cksum 0x1423 -> 0x4e23!] ICMP6, echo reply, id 4660, seq 7\n"},
	{"echo cut", []string{"-v"}, [][]byte{icmp6Frame(i6A, i6B, i6Echo)}, 14 + 40 + 6,
		"IP6 (hlim 255, next-header ICMPv6 (58) payload length: 16) fe80::200:5eff:fe00:5301 > fe80::200:5eff:fe00:5302: ICMP6, echo request [|icmp6]\n"},
	{"unreachable", nil, [][]byte{
		icmp6Frame(i6H, i6G, msg6(icmpv6.TypeDestUnreachable, icmpv6.UnreachNoRoute, 0, i6QuoteU)),
		icmp6Frame(i6H, i6G, msg6(icmpv6.TypeDestUnreachable, icmpv6.UnreachProhibited, 0, i6QuoteU)),
		icmp6Frame(i6H, i6G, msg6(icmpv6.TypeDestUnreachable, icmpv6.UnreachBeyondScope, 0, i6QuoteU)),
		icmp6Frame(i6H, i6G, msg6(icmpv6.TypeDestUnreachable, icmpv6.UnreachAddress, 0, i6QuoteU)),
		icmp6Frame(i6H, i6G, msg6(icmpv6.TypeDestUnreachable, icmpv6.UnreachPort, 0, i6QuoteU)),
		icmp6Frame(i6H, i6G, msg6(icmpv6.TypeDestUnreachable, icmpv6.UnreachPort, 0, i6QuoteT)),
		icmp6Frame(i6H, i6G, msg6(icmpv6.TypeDestUnreachable, icmpv6.UnreachPort, 0, i6QuoteHT)),
		icmp6Frame(i6H, i6G, msg6(icmpv6.TypeDestUnreachable, icmpv6.UnreachPort, 0, i6QuoteI)),
		icmp6Frame(i6H, i6G, msg6(icmpv6.TypeDestUnreachable, icmpv6.UnreachRejectRoute, 0, i6QuoteU[:20])),
		icmp6Frame(i6H, i6G, msg6(icmpv6.TypeDestUnreachable, icmpv6.UnreachAddress, 0, i6QuoteU[:30])),
	}, 0,
		"IP6 2001:db8:2::20 > 2001:db8:1::10: ICMP6, destination unreachable, unreachable route 2001:db8:2::20, length 60\nIP6 2001:db8:2::20 > 2001:db8:1::10: ICMP6, destination unreachable,  unreachable prohibited 2001:db8:2::20, length 60\nIP6 2001:db8:2::20 > 2001:db8:1::10: ICMP6, destination unreachable, beyond scope 2001:db8:2::20, source address 2001:db8:1::10, length 60\nIP6 2001:db8:2::20 > 2001:db8:1::10: ICMP6, destination unreachable, unreachable address 2001:db8:2::20, length 60\nIP6 2001:db8:2::20 > 2001:db8:1::10: ICMP6, destination unreachable, unreachable port, 2001:db8:2::20 udp port 53, length 60\nIP6 2001:db8:2::20 > 2001:db8:1::10: ICMP6, destination unreachable, unreachable port, 2001:db8:2::20 tcp port 443, length 68\nIP6 2001:db8:2::20 > 2001:db8:1::10: ICMP6, destination unreachable, unreachable port, 2001:db8:2::20 tcp port 443, length 76\nIP6 2001:db8:2::20 > 2001:db8:1::10: ICMP6, destination unreachable, unreachable port [|icmp6]\nIP6 2001:db8:2::20 > 2001:db8:1::10: ICMP6, destination unreachable, unknown unreach code (6)\n\t0x0000:  0106 03f8 0000 0000 6000 0000 000c 1140\n\t0x0010:  2001 0db8 0001 0000 0000 0000\nIP6 2001:db8:2::20 > 2001:db8:1::10: ICMP6, destination unreachable, unreachable address [|icmp6]\n"},
	{"unreachable -vv", []string{"-vv"}, [][]byte{
		icmp6Frame(i6H, i6G, msg6(icmpv6.TypeDestUnreachable, icmpv6.UnreachRejectRoute, 0, i6QuoteU[:20])),
		icmp6Frame(i6H, i6G, enc6(icmpv6.EncodeDestUnreachable(i6Buf, icmpv6.UnreachPort, i6QuoteU, i6H, i6G))),
	}, 0,
		"IP6 (hlim 255, next-header ICMPv6 (58) payload length: 28) 2001:db8:2::20 > 2001:db8:1::10: [icmp6 sum ok] ICMP6, destination unreachable, unknown unreach code (6)\nIP6 (hlim 255, next-header ICMPv6 (58) payload length: 60) 2001:db8:2::20 > 2001:db8:1::10: [icmp6 sum ok] ICMP6, destination unreachable, unreachable port, 2001:db8:2::20 udp port 53\n"},
	{"other errors", nil, [][]byte{
		icmp6Frame(i6H, i6G, enc6(icmpv6.EncodePacketTooBig(i6Buf, 1280, i6QuoteT, i6H, i6G))),
		icmp6Frame(i6H, i6G, msg6(icmpv6.TypeTimeExceeded, icmpv6.TimeExceededHopLimit, 0, i6QuoteT)),
		icmp6Frame(i6H, i6G, msg6(icmpv6.TypeTimeExceeded, icmpv6.TimeExceededReassembly, 0, i6QuoteT)),
		icmp6Frame(i6H, i6G, msg6(icmpv6.TypeTimeExceeded, 5, 0, i6QuoteT)),
		icmp6Frame(i6H, i6G, msg6(icmpv6.TypeParamProblem, icmpv6.ParamProblemHeader, 4, i6QuoteT)),
		icmp6Frame(i6H, i6G, msg6(icmpv6.TypeParamProblem, icmpv6.ParamProblemNextHeader, 6, i6QuoteT)),
		icmp6Frame(i6H, i6G, msg6(icmpv6.TypeParamProblem, icmpv6.ParamProblemOption, 42, i6QuoteT)),
		icmp6Frame(i6H, i6G, msg6(icmpv6.TypeParamProblem, icmpv6.ParamProblemIncompleteChain, 0, i6QuoteT)),
		icmp6Frame(i6H, i6G, msg6(icmpv6.TypeParamProblem, 9, 0, i6QuoteT)),
		icmp6Frame(i6H, i6G, msg6(icmpv6.TypeParamProblem, 0, 0, i6QuoteT[:39])),
	}, 0,
		"IP6 2001:db8:2::20 > 2001:db8:1::10: ICMP6, packet too big, mtu 1280, length 68\nIP6 2001:db8:2::20 > 2001:db8:1::10: ICMP6, time exceeded in-transit for 2001:db8:2::20, length 68\nIP6 2001:db8:2::20 > 2001:db8:1::10: ICMP6, time exceeded in-transit (reassembly), length 68\nIP6 2001:db8:2::20 > 2001:db8:1::10: ICMP6, time exceeded in-transit, unknown code (5), length 68\nIP6 2001:db8:2::20 > 2001:db8:1::10: ICMP6, parameter problem, erroneous - octet 4, length 68\nIP6 2001:db8:2::20 > 2001:db8:1::10: ICMP6, parameter problem, next header - octet 6, length 68\nIP6 2001:db8:2::20 > 2001:db8:1::10: ICMP6, parameter problem, option - octet 42, length 68\nIP6 2001:db8:2::20 > 2001:db8:1::10: ICMP6, parameter problem, incomplete header chain - octet 0, length 68\nIP6 2001:db8:2::20 > 2001:db8:1::10: ICMP6, parameter problem, code-#9, length 68\nIP6 2001:db8:2::20 > 2001:db8:1::10: ICMP6, parameter problem [|icmp6]\n"},
	{"neighbor discovery", nil, [][]byte{
		icmp6Frame(i6A, i6B.SolicitedNode(), i6NS), icmp6Frame(i6B, i6A, i6NA), icmp6Frame(i6A, i6Rtr, i6RS),
		icmp6Frame(i6A, i6All, i6RA), icmp6Frame(i6A, i6B, i6Redirect),
	}, 0,
		"IP6 fe80::200:5eff:fe00:5301 > ff02::1:ff00:5302: ICMP6, neighbor solicitation, who has fe80::200:5eff:fe00:5302, length 40\nIP6 fe80::200:5eff:fe00:5302 > fe80::200:5eff:fe00:5301: ICMP6, neighbor advertisement, tgt is fe80::200:5eff:fe00:5302, length 32\nIP6 fe80::200:5eff:fe00:5301 > ff02::2: ICMP6, router solicitation, length 16\nIP6 fe80::200:5eff:fe00:5301 > ff02::1: ICMP6, router advertisement, length 200\nIP6 fe80::200:5eff:fe00:5301 > fe80::200:5eff:fe00:5302: ICMP6, redirect, 2001:db8:2::20 to fe80::200:5eff:fe00:5302, length 104\n"},
	{"neighbor discovery -v", []string{"-v"}, [][]byte{
		icmp6Frame(i6A, i6B.SolicitedNode(), i6NS), icmp6Frame(i6B, i6A, i6NA), icmp6Frame(i6B, i6All, i6NANoF),
		icmp6Frame(i6A, i6Rtr, i6RS), icmp6Frame(i6A, i6All, i6RA), icmp6Frame(i6A, i6All, i6RAShort),
		icmp6Frame(i6A, i6B, i6Redirect),
	}, 0,
		"IP6 (hlim 255, next-header ICMPv6 (58) payload length: 40) fe80::200:5eff:fe00:5301 > ff02::1:ff00:5302: [icmp6 sum ok] ICMP6, neighbor solicitation, length 40, who has fe80::200:5eff:fe00:5302\n\t  source link-address option (1), length 8 (1): 00:00:5e:00:53:01\n\t  unknown option (14), length 8 (1): \n\t  0x0000:  0102 0304 0506\nIP6 (hlim 255, next-header ICMPv6 (58) payload length: 32) fe80::200:5eff:fe00:5302 > fe80::200:5eff:fe00:5301: [icmp6 sum ok] ICMP6, neighbor advertisement, length 32, tgt is fe80::200:5eff:fe00:5302, Flags [router, solicited, override]\n\t  destination link-address option (2), length 8 (1): 00:00:5e:00:53:01\nIP6 (hlim 255, next-header ICMPv6 (58) payload length: 24) fe80::200:5eff:fe00:5302 > ff02::1: [icmp6 sum ok] ICMP6, neighbor advertisement, length 24, tgt is fe80::200:5eff:fe00:5302, Flags [none]\nIP6 (hlim 255, next-header ICMPv6 (58) payload length: 16) fe80::200:5eff:fe00:5301 > ff02::2: [icmp6 sum ok] ICMP6, router solicitation, length 16\n\t  source link-address option (1), length 8 (1): 00:00:5e:00:53:01\nIP6 (hlim 255, next-header ICMPv6 (58) payload length: 200) fe80::200:5eff:fe00:5301 > ff02::1: [icmp6 sum ok] ICMP6, router advertisement, length 200\n\thop limit 64, Flags [managed, other stateful], pref low, router lifetime 1800s, reachable time 30000ms, retrans timer 1000ms\n\t  prefix info option (3), length 32 (4): 2001:db8:1::10/64, Flags [onlink, router], valid time infinity, pref. time 3600s\n\t  mtu option (5), length 8 (1):  1480\n\t  mtu option (5), length 16 (2):  1500bad option length\n\t  route info option (24), length 8 (1):  ::/0, pref=high, lifetime=3600s\n\t  route info option (24), length 24 (3):  2001:db8:2::20/48, pref=low, lifetime=infinity\n\t  rdnss option (25), length 32 (4):  lifetime 600s, addr: 2001:db8:1::10\n\t  dnssl option (31), length 32 (4):  lifetime 1200s, domain(s): example.com. lab.com.\n\t  advertisement interval option (7), length 8 (1):  60000ms\n\t  homeagent information option (8), length 8 (1):  preference 10, lifetime 1800\n\t  unknown option (38), length 16 (2): \n\t  0x0000:  0709 2001 0db8 0001 0000 0000 0000\nIP6 (hlim 255, next-header ICMPv6 (58) payload length: 56) fe80::200:5eff:fe00:5301 > ff02::1: [icmp6 sum ok] ICMP6, router advertisement, length 56\n\thop limit 64, Flags [none], pref medium, router lifetime 0s, reachable time 0ms, retrans timer 0ms\n\t  prefix info option (3), length 8 (1): ::/64badlen, Flags [onlink, auto], valid time 1s, pref. time 402915328s\n\t  route info option (24), length 32 (4):  [|icmp6]\nIP6 (hlim 255, next-header ICMPv6 (58) payload length: 104) fe80::200:5eff:fe00:5301 > fe80::200:5eff:fe00:5302: [icmp6 sum ok] ICMP6, redirect, length 104, 2001:db8:2::20 to fe80::200:5eff:fe00:5302\n\t  destination link-address option (2), length 8 (1): 00:00:5e:00:53:01\n\t  redirected header option (4), length 56 (7): \n\t    0x0000:  0201 0000 5e00 5301 0407 0000 0000 0000\n\t    0x0010:  6000 0000 000c 1140 2001 0db8 0001 0000\n\t    0x0020:  0000 0000 0000 0010 2001 0db8 0002 0000\n\t    0x0030:  0000 0000 0000 0020\n"},
	{"neighbor discovery -vv", []string{"-vv"}, [][]byte{
		icmp6Frame(i6A, i6B.SolicitedNode(), i6NS), icmp6Frame(i6A, i6All, i6RA), icmp6Frame(i6A, i6B, i6Redirect),
	}, 0,
		"IP6 (hlim 255, next-header ICMPv6 (58) payload length: 40) fe80::200:5eff:fe00:5301 > ff02::1:ff00:5302: [icmp6 sum ok] ICMP6, neighbor solicitation, length 40, who has fe80::200:5eff:fe00:5302\n\t  source link-address option (1), length 8 (1): 00:00:5e:00:53:01\n\t    0x0000:  0000 5e00 5301\n\t  unknown option (14), length 8 (1): \n\t    0x0000:  0102 0304 0506\nIP6 (hlim 255, next-header ICMPv6 (58) payload length: 200) fe80::200:5eff:fe00:5301 > ff02::1: [icmp6 sum ok] ICMP6, router advertisement, length 200\n\thop limit 64, Flags [managed, other stateful], pref low, router lifetime 1800s, reachable time 30000ms, retrans timer 1000ms\n\t  prefix info option (3), length 32 (4): 2001:db8:1::10/64, Flags [onlink, router], valid time infinity, pref. time 3600s\n\t    0x0000:  40a0 ffff ffff 0000 0e10 0000 0000 2001\n\t    0x0010:  0db8 0001 0000 0000 0000 0000 0010\n\t  mtu option (5), length 8 (1):  1480\n\t    0x0000:  0000 0000 05c8\n\t  mtu option (5), length 16 (2):  1500bad option length\n\t    0x0000:  0000 0000 05dc 0000 0000 0000 0000\n\t  route info option (24), length 8 (1):  ::/0, pref=high, lifetime=3600s\n\t    0x0000:  0008 0000 0e10\n\t  route info option (24), length 24 (3):  2001:db8:2::20/48, pref=low, lifetime=infinity\n\t    0x0000:  3018 ffff ffff 2001 0db8 0002 0000 0000\n\t    0x0010:  0000 0000 0020\n\t  rdnss option (25), length 32 (4):  lifetime 600s, addr: 2001:db8:1::10\n\t    0x0000:  0000 0000 0258 2001 0db8 0001 0000 0000\n\t    0x0010:  0000 0000 0010 0000 0000 0000 0000\n\t  dnssl option (31), length 32 (4):  lifetime 1200s, domain(s): example.com. lab.com.\n\t    0x0000:  0000 0000 04b0 0765 7861 6d70 6c65 0363\n\t    0x0010:  6f6d 0003 6c61 62c0 8800 0000 0000\n\t  advertisement interval option (7), length 8 (1):  60000ms\n\t    0x0000:  0000 0000 ea60\n\t  homeagent information option (8), length 8 (1):  preference 10, lifetime 1800\n\t    0x0000:  0000 000a 0708\n\t  unknown option (38), length 16 (2): \n\t    0x0000:  0709 2001 0db8 0001 0000 0000 0000\nIP6 (hlim 255, next-header ICMPv6 (58) payload length: 104) fe80::200:5eff:fe00:5301 > fe80::200:5eff:fe00:5302: [icmp6 sum ok] ICMP6, redirect, length 104, 2001:db8:2::20 to fe80::200:5eff:fe00:5302\n\t  destination link-address option (2), length 8 (1): 00:00:5e:00:53:01\n\t    0x0000:  0000 5e00 5301\n\t  redirected header option (4), length 56 (7): \n\t    0x0000:  0201 0000 5e00 5301 0407 0000 0000 0000\n\t    0x0010:  6000 0000 000c 1140 2001 0db8 0001 0000\n\t    0x0020:  0000 0000 0000 0010 2001 0db8 0002 0000\n\t    0x0030:  0000 0000 0000 0020\n\t    0x0000:  0000 0000 0000 6000 0000 000c 1140 2001\n\t    0x0010:  0db8 0001 0000 0000 0000 0000 0010 2001\n\t    0x0020:  0db8 0002 0000 0000 0000 0000 0020 9c40\n\t    0x0030:  0035 000c 0000\n"},
	{"router advertisement cut", []string{"-v"}, [][]byte{icmp6Frame(i6A, i6All, i6RA)}, 14 + 40 + 16 + 32 + 8 + 4,
		"IP6 (hlim 255, next-header ICMPv6 (58) payload length: 200) fe80::200:5eff:fe00:5301 > ff02::1: ICMP6, router advertisement, length 200\n\thop limit 64, Flags [managed, other stateful], pref low, router lifetime 1800s, reachable time 30000ms, retrans timer 1000ms\n\t  prefix info option (3), length 32 (4): 2001:db8:1::10/64, Flags [onlink, router], valid time infinity, pref. time 3600s\n\t  mtu option (5), length 8 (1):  1480 [|icmp6]\n"},
	{"MLD", nil, [][]byte{
		icmp6Frame(i6A, i6All, i6MLDQuery),
		icmp6Frame(i6A, i6Grp, msg6(icmpv6.TypeMLDReport, 0, 0, i6Grp[:])),
		icmp6Frame(i6A, i6Rtr, msg6(icmpv6.TypeMLDDone, 0, 0, i6Grp[:])),
		icmp6Frame(i6A, i6All, i6MLDv2Q), icmp6Frame(i6A, i6All, i6MLDv2Bad),
		icmp6Frame(i6A, i6All, msg6(icmpv6.TypeMLDQuery, 0, 0, make([]byte, 18))),
		icmp6Frame(i6A, i6MLD2, i6Rep), icmp6Frame(i6A, i6MLD2, i6RepOdd),
	}, 0,
		"IP6 fe80::200:5eff:fe00:5301 > ff02::1: ICMP6, multicast listener querymax resp delay: 1000 addr: ::, length 24\nIP6 fe80::200:5eff:fe00:5301 > ff0e::42: ICMP6, multicast listener reportmax resp delay: 0 addr: ff0e::42, length 24\nIP6 fe80::200:5eff:fe00:5301 > ff02::2: ICMP6, multicast listener donemax resp delay: 0 addr: ff0e::42, length 24\nIP6 fe80::200:5eff:fe00:5301 > ff02::1: ICMP6, multicast listener query v2 [gaddr ff0e::42, 2 source(s)], length 60\nIP6 fe80::200:5eff:fe00:5301 > ff02::1: ICMP6, multicast listener query v2 [gaddr ff0e::42 [invalid number of sources]], length 44\nIP6 fe80::200:5eff:fe00:5301 > ff02::1: ICMP6, multicast listener query unknown-version (len 26) , length 26\nIP6 fe80::200:5eff:fe00:5301 > ff02::16: ICMP6, multicast listener report v2, 2 group record(s), length 80\nIP6 fe80::200:5eff:fe00:5301 > ff02::16: ICMP6, multicast listener report v2, 3 group record(s), length 68\n"},
	{"MLD -v", []string{"-v"}, [][]byte{
		icmp6Frame(i6A, i6All, i6MLDv2Q), icmp6Frame(i6A, i6All, i6MLDv2Bad),
		icmp6Frame(i6A, i6MLD2, i6Rep), icmp6Frame(i6A, i6MLD2, i6RepOdd),
	}, 0,
		"IP6 (hlim 255, next-header ICMPv6 (58) payload length: 60) fe80::200:5eff:fe00:5301 > ff02::1: [icmp6 sum ok] ICMP6, multicast listener query v2 [max resp delay=35096] [gaddr ff0e::42 sflag robustness=2 qqi=256, 2 source(s)]\nIP6 (hlim 255, next-header ICMPv6 (58) payload length: 44) fe80::200:5eff:fe00:5301 > ff02::1: [icmp6 sum ok] ICMP6, multicast listener query v2 [max resp delay=500] [gaddr ff0e::42 robustness=2 qqi=125 [invalid number of sources]]\nIP6 (hlim 255, next-header ICMPv6 (58) payload length: 80) fe80::200:5eff:fe00:5301 > ff02::16: [icmp6 sum ok] ICMP6, multicast listener report v2, 2 group record(s) [gaddr ff0e::42 is_in, 2 source(s)] [gaddr ff02::1:ff00:5302 block, 0 source(s)]\nIP6 (hlim 255, next-header ICMPv6 (58) payload length: 68) fe80::200:5eff:fe00:5301 > ff02::16: [icmp6 sum ok] ICMP6, multicast listener report v2, 3 group record(s) [gaddr ff0e::42  [v2-report-#9], 0 source(s)] [gaddr 200:5:ff0e::  [v2-report-#170] [invalid number of sources 52445]\n"},
	{"MLD -vv", []string{"-vv"}, [][]byte{
		icmp6Frame(i6A, i6All, i6MLDv2Q), icmp6Frame(i6A, i6MLD2, i6Rep), icmp6Frame(i6A, i6MLD2, i6RepOdd),
	}, 0,
		"IP6 (hlim 255, next-header ICMPv6 (58) payload length: 60) fe80::200:5eff:fe00:5301 > ff02::1: [icmp6 sum ok] ICMP6, multicast listener query v2 [max resp delay=35096] [gaddr ff0e::42 sflag robustness=2 qqi=256 { 2001:db8:1::10 2001:db8:2::20 }]\nIP6 (hlim 255, next-header ICMPv6 (58) payload length: 80) fe80::200:5eff:fe00:5301 > ff02::16: [icmp6 sum ok] ICMP6, multicast listener report v2, 2 group record(s) [gaddr ff0e::42 is_in { 2001:db8:1::10 2001:db8:2::20 }] [gaddr ff02::1:ff00:5302 block { }]\nIP6 (hlim 255, next-header ICMPv6 (58) payload length: 68) fe80::200:5eff:fe00:5301 > ff02::16: [icmp6 sum ok] ICMP6, multicast listener report v2, 3 group record(s) [gaddr ff0e::42  [v2-report-#9] { }] [gaddr 200:5:ff0e::  [v2-report-#170] [invalid number of sources 52445]\n"},
	{"node information", nil, [][]byte{
		icmp6Frame(i6A, i6B, msg6(icmpv6.TypeNodeInfoQuery, 0, 0, be32b(0))),
		icmp6Frame(i6A, i6B, i6NIQuery(icmpv6.NIQuerySubjectName, 0, 0, nil)),
		icmp6Frame(i6A, i6B, i6NIQuery(icmpv6.NIQuerySubjectIPv6, 1, 1, nil)),
		icmp6Frame(i6A, i6B, i6NIQuery(icmpv6.NIQuerySubjectIPv6, 3, 0x7e, i6B[:])),
		icmp6Frame(i6A, i6B, i6NIQuery(icmpv6.NIQuerySubjectIPv6, 2, 0, i6B[:8])),
		icmp6Frame(i6A, i6B, i6NIQuery(icmpv6.NIQuerySubjectIPv6, 2, 0, cat(i6B[:], i6B[:4]))),
		icmp6Frame(i6A, i6B, i6NIQuery(icmpv6.NIQuerySubjectName, 2, 0, dn("host.example"))),
		icmp6Frame(i6A, i6B, i6NIQuery(icmpv6.NIQuerySubjectName, 2, 0, []byte("\x04host"))),
		icmp6Frame(i6A, i6B, i6NIQuery(icmpv6.NIQuerySubjectName, 2, 0, []byte("\x04host\x00\x00"))),
		icmp6Frame(i6A, i6B, i6NIQuery(icmpv6.NIQuerySubjectName, 2, 0, []byte("\x09host\x00\x07"))),
		icmp6Frame(i6A, i6B, i6NIQuery(icmpv6.NIQuerySubjectIPv4, 4, 0, []byte{192, 0, 2, 1})),
		icmp6Frame(i6A, i6B, i6NIQuery(icmpv6.NIQuerySubjectIPv4, 4, 0, []byte{192, 0, 2, 1, 0})),
		icmp6Frame(i6A, i6B, i6NIQuery(7, 4, 0, []byte{192, 0, 2, 1})),
		icmp6Frame(i6A, i6B, i6NIQuery(icmpv6.NIQuerySubjectIPv6, 9, 0, i6B[:])),
		icmp6Frame(i6B, i6A, i6NIReply(icmpv6.NIReplySuccess, 3, 0x23, cat(be32b(60), i6G[:], be32b(0xffffffff), i6H[:], be32b(1)))),
		icmp6Frame(i6B, i6A, i6NIReply(icmpv6.NIReplySuccess, 2, 1, cat(be32b(300), dn("node.example.org")))),
		icmp6Frame(i6B, i6A, i6NIReply(icmpv6.NIReplySuccess, 2, 0, cat(be32b(300), []byte("\x0bnode.exampl")))),
		icmp6Frame(i6B, i6A, i6NIReply(icmpv6.NIReplySuccess, 0, 0, be32b(1))),
		icmp6Frame(i6B, i6A, i6NIReply(icmpv6.NIReplySuccess, 1, 1, be32b(0x1f))),
		icmp6Frame(i6B, i6A, i6NIReply(icmpv6.NIReplyRefused, 3, 0, nil)),
		icmp6Frame(i6B, i6A, i6NIReply(icmpv6.NIReplyUnknown, 3, 0, be32b(0))),
		icmp6Frame(i6B, i6A, i6NIReply(5, 3, 0, nil)),
		icmp6Frame(i6B, i6A, i6NIReply(icmpv6.NIReplySuccess, 8, 0, nil)),
	}, 0,
		"IP6 fe80::200:5eff:fe00:5301 > fe80::200:5eff:fe00:5302: ICMP6, who-are-you request who-are-you request, length 12\nIP6 fe80::200:5eff:fe00:5301 > fe80::200:5eff:fe00:5302: ICMP6, who-are-you request node information query (noop), length 16\nIP6 fe80::200:5eff:fe00:5301 > fe80::200:5eff:fe00:5302: ICMP6, who-are-you request node information query (supported qtypes [C]), length 16\nIP6 fe80::200:5eff:fe00:5301 > fe80::200:5eff:fe00:5302: ICMP6, who-are-you request node information query (node addresses [aGSLCA], subject=fe80::200:5eff:fe00:5302), length 32\nIP6 fe80::200:5eff:fe00:5301 > fe80::200:5eff:fe00:5302: ICMP6, who-are-you request node information query (DNS name), length 24\nIP6 fe80::200:5eff:fe00:5301 > fe80::200:5eff:fe00:5302: ICMP6, who-are-you request node information query (DNS name), length 36\nIP6 fe80::200:5eff:fe00:5301 > fe80::200:5eff:fe00:5302: ICMP6, who-are-you request node information query (DNS name, subject=DNS name, \"host.example.\"), length 30\nIP6 fe80::200:5eff:fe00:5301 > fe80::200:5eff:fe00:5302: ICMP6, who-are-you request node information query (DNS name, subject=DNS name, \"host\"), length 21\nIP6 fe80::200:5eff:fe00:5301 > fe80::200:5eff:fe00:5302: ICMP6, who-are-you request node information query (DNS name, subject=DNS name, \"host\"), length 23\nIP6 fe80::200:5eff:fe00:5301 > fe80::200:5eff:fe00:5302: ICMP6, who-are-you request node information query (DNS name, subject=DNS name, \"???\"), length 23\nIP6 fe80::200:5eff:fe00:5301 > fe80::200:5eff:fe00:5302: ICMP6, who-are-you request node information query (unknown, subject=192.0.2.1), length 20\nIP6 fe80::200:5eff:fe00:5301 > fe80::200:5eff:fe00:5302: ICMP6, who-are-you request node information query (unknown), length 21\nIP6 fe80::200:5eff:fe00:5301 > fe80::200:5eff:fe00:5302: ICMP6, who-are-you request node information query (unknown, unknown subject), length 20\nIP6 fe80::200:5eff:fe00:5301 > fe80::200:5eff:fe00:5302: ICMP6, who-are-you request node information query (unknown, subject=fe80::200:5eff:fe00:5302), length 32\nIP6 fe80::200:5eff:fe00:5302 > fe80::200:5eff:fe00:5301: ICMP6, who-are-you reply node information reply (node addresses 2001:db8:1::10(60) 2001:db8:2::20(4294967295) [GAT]), length 60\nIP6 fe80::200:5eff:fe00:5302 > fe80::200:5eff:fe00:5301: ICMP6, who-are-you reply node information reply (DNS name, \"node.example.org.\" [TTL=300]), length 38\nIP6 fe80::200:5eff:fe00:5302 > fe80::200:5eff:fe00:5301: ICMP6, who-are-you reply node information reply (DNS name, \"node.exampl\"), length 32\nIP6 fe80::200:5eff:fe00:5302 > fe80::200:5eff:fe00:5301: ICMP6, who-are-you reply node information reply (noop), length 20\nIP6 fe80::200:5eff:fe00:5302 > fe80::200:5eff:fe00:5301: ICMP6, who-are-you reply node information reply (supported qtypes [C]), length 20\nIP6 fe80::200:5eff:fe00:5302 > fe80::200:5eff:fe00:5301: ICMP6, who-are-you reply node information reply (refused), length 16\nIP6 fe80::200:5eff:fe00:5302 > fe80::200:5eff:fe00:5301: ICMP6, who-are-you reply node information reply (unknown), length 20\nIP6 fe80::200:5eff:fe00:5302 > fe80::200:5eff:fe00:5301: ICMP6, who-are-you reply node information reply (), length 16\nIP6 fe80::200:5eff:fe00:5302 > fe80::200:5eff:fe00:5301: ICMP6, who-are-you reply node information reply (unknown), length 16\n"},
	{"node information -v", []string{"-v"}, [][]byte{
		icmp6Frame(i6A, i6B, i6NIQuery(icmpv6.NIQuerySubjectName, 0, 0, be32b(0))),
		icmp6Frame(i6A, i6B, i6NIQuery(icmpv6.NIQuerySubjectIPv6, 2, 0, cat(i6B[:], i6B[:4]))),
		icmp6Frame(i6A, i6B, i6NIQuery(icmpv6.NIQuerySubjectName, 2, 0, []byte("\x04host"))),
		icmp6Frame(i6A, i6B, i6NIQuery(icmpv6.NIQuerySubjectIPv4, 4, 0, []byte{192, 0, 2, 1, 0})),
		icmp6Frame(i6B, i6A, i6NIReply(icmpv6.NIReplySuccess, 3, 0x23, cat(be32b(60), i6G[:]))),
		icmp6Frame(i6B, i6A, i6NIReply(icmpv6.NIReplySuccess, 0, 0, be32b(1))),
		icmp6Frame(i6B, i6A, i6NIReply(icmpv6.NIReplyRefused, 3, 0, be32b(1))),
		icmp6Frame(i6B, i6A, i6NIReply(icmpv6.NIReplySuccess, 2, 0, cat(be32b(300), []byte("\x0bnode.exampl")))),
	}, 0,
		"IP6 (hlim 255, next-header ICMPv6 (58) payload length: 20) fe80::200:5eff:fe00:5301 > fe80::200:5eff:fe00:5302: [icmp6 sum ok] ICMP6, who-are-you request node information query (noop, invalid len)\nIP6 (hlim 255, next-header ICMPv6 (58) payload length: 36) fe80::200:5eff:fe00:5301 > fe80::200:5eff:fe00:5302: [icmp6 sum ok] ICMP6, who-are-you request node information query (DNS name, invalid subject len)\nIP6 (hlim 255, next-header ICMPv6 (58) payload length: 21) fe80::200:5eff:fe00:5301 > fe80::200:5eff:fe00:5302: [icmp6 sum ok] ICMP6, who-are-you request node information query (DNS name, subject=DNS name, 03 draft, \"host\")\nIP6 (hlim 255, next-header ICMPv6 (58) payload length: 21) fe80::200:5eff:fe00:5301 > fe80::200:5eff:fe00:5302: [icmp6 sum ok] ICMP6, who-are-you request node information query (unknown, invalid subject len)\nIP6 (hlim 255, next-header ICMPv6 (58) payload length: 36) fe80::200:5eff:fe00:5302 > fe80::200:5eff:fe00:5301: [icmp6 sum ok] ICMP6, who-are-you reply node information reply (success, node addresses 2001:db8:1::10(60) [GAT])\nIP6 (hlim 255, next-header ICMPv6 (58) payload length: 20) fe80::200:5eff:fe00:5302 > fe80::200:5eff:fe00:5301: [icmp6 sum ok] ICMP6, who-are-you reply node information reply (success, noop, invalid length)\nIP6 (hlim 255, next-header ICMPv6 (58) payload length: 20) fe80::200:5eff:fe00:5302 > fe80::200:5eff:fe00:5301: [icmp6 sum ok] ICMP6, who-are-you reply node information reply (refused, invalid length)\nIP6 (hlim 255, next-header ICMPv6 (58) payload length: 32) fe80::200:5eff:fe00:5302 > fe80::200:5eff:fe00:5301: [icmp6 sum ok] ICMP6, who-are-you reply node information reply (success, DNS name, 03 draft, \"node.exampl\")\n"},
	{"node information reply cut", nil, [][]byte{
		icmp6Frame(i6B, i6A, i6NIReply(icmpv6.NIReplySuccess, 3, 0x23, cat(be32b(60), i6G[:]))),
	}, 14 + 40 + 20,
		"IP6 fe80::200:5eff:fe00:5302 > fe80::200:5eff:fe00:5301: ICMP6, who-are-you reply [|icmp6], length 36\n"},
	{"router renumbering", nil, [][]byte{
		icmp6Frame(i6A, i6All, i6RR),
		icmp6Frame(i6A, i6All, msg6(icmpv6.TypeRouterRenumbering, icmpv6.RenumberResult, 1, make([]byte, 8))),
		icmp6Frame(i6A, i6All, msg6(icmpv6.TypeRouterRenumbering, icmpv6.RenumberSeqReset, 2, make([]byte, 8))),
		icmp6Frame(i6A, i6All, msg6(icmpv6.TypeRouterRenumbering, 7, 3, make([]byte, 4))),
	}, 0,
		"IP6 fe80::200:5eff:fe00:5301 > ff02::1: ICMP6, router renumbering, command, seq=77 match(change,2001:db8:1::10/32) use(VP,2001:db8:2::20/48/16) use(2001:db8:1::10/56/8), length 104\nIP6 fe80::200:5eff:fe00:5301 > ff02::1: ICMP6, router renumbering, result, seq=1, length 16\nIP6 fe80::200:5eff:fe00:5301 > ff02::1: ICMP6, router renumbering, sequence number reset, seq=2, length 16\nIP6 fe80::200:5eff:fe00:5301 > ff02::1: ICMP6, router renumbering [|icmp6], length 12\n"},
	{"router renumbering -v", []string{"-v"}, [][]byte{
		icmp6Frame(i6A, i6All, i6RR),
		icmp6Frame(i6A, i6All, msg6(icmpv6.TypeRouterRenumbering, icmpv6.RenumberResult, 1, []byte{0, 0}, be16b(0), be32b(9))),
	}, 0,
		"IP6 (hlim 255, next-header ICMPv6 (58) payload length: 104) fe80::200:5eff:fe00:5301 > ff02::1: [icmp6 sum ok] ICMP6, router renumbering, command, seq=77[TRP,seg=5,maxdelay=250] match(change,ord=2,min=16,max=64,2001:db8:1::10/32) use(VP,mask=0xc0,raflags=0x80,vltime=infty,pltime=3600,2001:db8:2::20/48/16) use(mask=0x0,raflags=0x0,vltime=100,pltime=infty,2001:db8:1::10/56/8)\nIP6 (hlim 255, next-header ICMPv6 (58) payload length: 16) fe80::200:5eff:fe00:5301 > ff02::1: [icmp6 sum ok] ICMP6, router renumbering, result, seq=1[seg=0,maxdelay=0rsvd=0x9]\n"},
	{"router renumbering -vv", []string{"-vv"}, [][]byte{icmp6Frame(i6A, i6All, i6RR)}, 0,
		"IP6 (hlim 255, next-header ICMPv6 (58) payload length: 104) fe80::200:5eff:fe00:5301 > ff02::1: [icmp6 sum ok] ICMP6, router renumbering, command, seq=77[TRP,seg=5,maxdelay=250]\n\tmatch(change,ord=2,min=16,max=64,2001:db8:1::10/32)\n\tuse(VP,mask=0xc0,raflags=0x80,vltime=infty,pltime=3600,2001:db8:2::20/48/16)\n\tuse(mask=0x0,raflags=0x0,vltime=100,pltime=infty,2001:db8:1::10/56/8)\n"},
	{"mobile IPv6", nil, [][]byte{
		icmp6Frame(i6A, i6G, msg6(icmpv6.TypeHomeAgentRequest, 0, 0xbeef0000)),
		icmp6Frame(i6G, i6A, msg6(icmpv6.TypeHomeAgentReply, 0, 0xbeef0000, i6G[:], i6H[:])),
		icmp6Frame(i6A, i6G, msg6(icmpv6.TypeMobilePrefixSolicit, 0, 0x00420000)),
		icmp6Frame(i6G, i6A, msg6(icmpv6.TypeMobilePrefixAdvert, 0, 0x0042c000,
			icmpv6.AppendPrefixInfo(nil, icmpv6.PrefixInfo{PrefixLen: 64, Flags: icmpv6.PrefixRouterAddr, ValidLifetime: 7200, PreferredLifetime: 3600, Prefix: i6G}))),
	}, 0,
		"IP6 fe80::200:5eff:fe00:5301 > 2001:db8:1::10: ICMP6, ha discovery request, id 0xbeef, length 8\nIP6 2001:db8:1::10 > fe80::200:5eff:fe00:5301: ICMP6, ha discovery reply, length 40\nIP6 fe80::200:5eff:fe00:5301 > 2001:db8:1::10: ICMP6, mobile router solicitation, id 0x0042, length 8\nIP6 2001:db8:1::10 > fe80::200:5eff:fe00:5301: ICMP6, mobile router advertisement, length 40\n"},
	{"mobile IPv6 -v", []string{"-v"}, [][]byte{
		icmp6Frame(i6G, i6A, msg6(icmpv6.TypeHomeAgentReply, 0, 0xbeef0000, i6G[:], i6H[:])),
		icmp6Frame(i6G, i6A, msg6(icmpv6.TypeHomeAgentReply, 0, 0xbeef0000, i6G[:], i6H[:8])),
		icmp6Frame(i6G, i6A, msg6(icmpv6.TypeMobilePrefixAdvert, 0, 0x00428000,
			icmpv6.AppendPrefixInfo(nil, icmpv6.PrefixInfo{PrefixLen: 64, Flags: icmpv6.PrefixRouterAddr, ValidLifetime: 7200, PreferredLifetime: 3600, Prefix: i6G}))),
		icmp6Frame(i6G, i6A, msg6(icmpv6.TypeMobilePrefixAdvert, 0, 0x00420000)),
	}, 0,
		"IP6 (hlim 255, next-header ICMPv6 (58) payload length: 40) 2001:db8:1::10 > fe80::200:5eff:fe00:5301: [icmp6 sum ok] ICMP6, ha discovery reply, length 40, id 0xbeef, 2001:db8:1::10, 2001:db8:2::20\nIP6 (hlim 255, next-header ICMPv6 (58) payload length: 32) 2001:db8:1::10 > fe80::200:5eff:fe00:5301: [icmp6 sum ok] ICMP6, ha discovery reply, length 32, id 0xbeef, 2001:db8:1::10 [|icmp6]\nIP6 (hlim 255, next-header ICMPv6 (58) payload length: 40) 2001:db8:1::10 > fe80::200:5eff:fe00:5301: [icmp6 sum ok] ICMP6, mobile router advertisement, length 40, id 0x0042 M\n\t  prefix info option (3), length 32 (4): 2001:db8:1::10/64, Flags [router], valid time 7200s, pref. time 3600s\nIP6 (hlim 255, next-header ICMPv6 (58) payload length: 8) 2001:db8:1::10 > fe80::200:5eff:fe00:5301: [icmp6 sum ok] ICMP6, mobile router advertisement, length 8, id 0x0042\n"},
	{"RPL", nil, [][]byte{
		icmp6Frame(i6A, i6All, rplMsg(icmpv6.RPLDIS, []byte{0, 0})),
		icmp6Frame(i6A, i6All, i6DIO),
		icmp6Frame(i6A, i6All, rplMsg(icmpv6.RPLDAO, []byte{1, 0x80, 0, 5})),
		icmp6Frame(i6A, i6All, rplMsg(icmpv6.RPLDAOAck, []byte{1, 0, 5, 0})),
		icmp6Frame(i6A, i6All, rplMsg(icmpv6.RPLDIO|icmpv6.RPLSecure, make([]byte, 8))),
		icmp6Frame(i6A, i6All, rplMsg(9, make([]byte, 8))),
	}, 0,
		"IP6 fe80::200:5eff:fe00:5301 > ff02::1: ICMP6, RPL, (CLR)DODAG Information Solicitation, length 6\nIP6 fe80::200:5eff:fe00:5301 > ff02::1: ICMP6, RPL, (CLR)DODAG Information Object, length 37\nIP6 fe80::200:5eff:fe00:5301 > ff02::1: ICMP6, RPL, (CLR)Destination Advertisement Object, length 8\nIP6 fe80::200:5eff:fe00:5301 > ff02::1: ICMP6, RPL, (CLR)Destination Advertisement Object Ack, length 8\nIP6 fe80::200:5eff:fe00:5301 > ff02::1: ICMP6, RPL, (SEC) [worktodo], length 12\nIP6 fe80::200:5eff:fe00:5301 > ff02::1: ICMP6, RPL, (CLR)RPL message, unknown code 9, length 12\n"},
	{"RPL -v", []string{"-v"}, [][]byte{
		icmp6Frame(i6A, i6All, i6DIO),
		icmp6Frame(i6A, i6All, rplMsg(icmpv6.RPLDIO, make([]byte, 20))),
		icmp6Frame(i6A, i6All, rplMsg(icmpv6.RPLDAO, []byte{1, 0x80, 0, 5}, make([]byte, 16))),
		icmp6Frame(i6A, i6All, rplMsg(icmpv6.RPLDAO, []byte{1, 0x80, 0, 5})),
		icmp6Frame(i6A, i6All, rplMsg(icmpv6.RPLDAOAck, []byte{1, 0x80, 5, 130}, i6G[:])),
		icmp6Frame(i6A, i6All, rplMsg(icmpv6.RPLDAOAck, []byte{1, 0x80, 5, 130}, i6G[:8])),
		icmp6Frame(i6A, i6All, rplMsg(icmpv6.RPLDAOAck, []byte{1, 0, 5})),
	}, 0,
		"IP6 (hlim 255, next-header ICMPv6 (58) payload length: 37) fe80::200:5eff:fe00:5301 > ff02::1: [icmp6 sum ok] ICMP6, RPL, (CLR)DODAG Information Object [dagid:2001:db8:1::10,seq:9,instance:3,rank:256,grounded,mop:nonstoring-multicast,prf:4]\nIP6 (hlim 255, next-header ICMPv6 (58) payload length: 24) fe80::200:5eff:fe00:5301 > ff02::1: [icmp6 sum ok] ICMP6, RPL, (CLR)DODAG Information Object [length 20 < 24] (invalid)\nIP6 (hlim 255, next-header ICMPv6 (58) payload length: 24) fe80::200:5eff:fe00:5301 > ff02::1: [icmp6 sum ok] ICMP6, RPL, (CLR)Destination Advertisement Object [dagid:<elided>,seq:5,instance:1,acK,80]\nIP6 (hlim 255, next-header ICMPv6 (58) payload length: 8) fe80::200:5eff:fe00:5301 > ff02::1: [icmp6 sum ok] ICMP6, RPL, (CLR)Destination Advertisement Object [|icmp6]\nIP6 (hlim 255, next-header ICMPv6 (58) payload length: 24) fe80::200:5eff:fe00:5301 > ff02::1: [icmp6 sum ok] ICMP6, RPL, (CLR)Destination Advertisement Object Ack [dagid:2001:db8:1::10,seq:5,instance:1,status:130]\nIP6 (hlim 255, next-header ICMPv6 (58) payload length: 16) fe80::200:5eff:fe00:5301 > ff02::1: [icmp6 sum ok] ICMP6, RPL, (CLR)Destination Advertisement Object Ack [|icmp6]\nIP6 (hlim 255, next-header ICMPv6 (58) payload length: 7) fe80::200:5eff:fe00:5301 > ff02::1: [icmp6 sum ok] ICMP6, RPL, (CLR)Destination Advertisement Object Ack [|icmp6]\n"},
	{"RPL -vv", []string{"-vv"}, [][]byte{
		icmp6Frame(i6A, i6All, i6DIO),
		icmp6Frame(i6A, i6All, rplMsg(icmpv6.RPLDAO, []byte{1, 0xc0, 0, 5}, i6G[:], []byte{byte(icmpv6.RPLOptTarget), 2, 0, 0, 0, 1, 9})),
		icmp6Frame(i6A, i6All, rplMsg(icmpv6.RPLDAOAck, []byte{1, 0, 5, 0}, []byte{0, 0, 1})),
	}, 0,
		"IP6 (hlim 255, next-header ICMPv6 (58) payload length: 37) fe80::200:5eff:fe00:5301 > ff02::1: [icmp6 sum ok] ICMP6, RPL, (CLR)DODAG Information Object [dagid:2001:db8:1::10,seq:9,instance:3,rank:256,grounded,mop:nonstoring-multicast,prf:4] opt:pad1 opt:config len:6  opt:destprefix len:2 \nIP6 (hlim 255, next-header ICMPv6 (58) payload length: 31) fe80::200:5eff:fe00:5301 > ff02::1: [icmp6 sum ok] ICMP6, RPL, (CLR)Destination Advertisement Object [dagid:2001:db8:1::10,seq:5,instance:1,acK,Dagid,c0] opt:rpltarget len:4  opt:pad1 opt:padN len:11  [|icmp6]\nIP6 (hlim 255, next-header ICMPv6 (58) payload length: 11) fe80::200:5eff:fe00:5301 > ff02::1: [icmp6 sum ok] ICMP6, RPL, (CLR)Destination Advertisement Object Ack [dagid:<elided>,seq:5,instance:1,status:0] opt:pad1 opt:pad1 [|icmp6]\n"},
	{"RPL -vvv", []string{"-vvv"}, [][]byte{icmp6Frame(i6A, i6All, i6DIO)}, 0,
		"IP6 (hlim 255, next-header ICMPv6 (58) payload length: 37) fe80::200:5eff:fe00:5301 > ff02::1: [icmp6 sum ok] ICMP6, RPL, (CLR)DODAG Information Object [dagid:2001:db8:1::10,seq:9,instance:3,rank:256,grounded,mop:nonstoring-multicast,prf:4] opt:pad1 opt:config len:6  0x0000:  0102 0304 opt:destprefix len:2 \n"},
	{"other types", nil, [][]byte{
		icmp6Frame(i6A, i6B, msg6(250, 3, 0x01020304, []byte("data"))),
		icmp6Frame(i6A, i6B, msg6(icmpv6.TypeInverseNDSolicit, 0, 0)),
		icmp6Frame(i6A, i6B, msg6(icmpv6.TypeMtrace, 0, 0)),
	}, 0,
		"IP6 fe80::200:5eff:fe00:5301 > fe80::200:5eff:fe00:5302: ICMP6, unknown icmp6 type (250), length 12\n\t0x0000:  fa03 c7e6 0102 0304 6461 7461\nIP6 fe80::200:5eff:fe00:5301 > fe80::200:5eff:fe00:5302: ICMP6, inverse neighbor solicitation, length 8\nIP6 fe80::200:5eff:fe00:5301 > fe80::200:5eff:fe00:5302: ICMP6, mtrace message, length 8\n\t0x0000:  c900 d5b6 0000 0000\n"},
	{"other types -vv", []string{"-vv"}, [][]byte{icmp6Frame(i6A, i6B, msg6(250, 3, 0x01020304, []byte("data")))}, 0,
		"IP6 (hlim 255, next-header ICMPv6 (58) payload length: 12) fe80::200:5eff:fe00:5301 > fe80::200:5eff:fe00:5302: [icmp6 sum ok] ICMP6, unknown icmp6 type (250), length 12\n"},
	{"short", []string{"-v"}, [][]byte{icmp6Frame(i6A, i6B, msg6(icmpv6.TypeEchoRequest, 0, 0))[:14+40+3]}, 0,
		"IP6 truncated-ip6 - 5 bytes missing!(hlim 255, next-header ICMPv6 (58) payload length: 8) fe80::200:5eff:fe00:5301 > fe80::200:5eff:fe00:5302: ICMP6, echo request [|icmp6]\n"},
}

func TestICMP6Printer(t *testing.T) { runPrintCases(t, icmp6Cases) }

func TestICMP6CasesAgainstTCPDump(t *testing.T) { checkCasesWithTCPDump(t, icmp6Cases) }

// TestICMP6RandomAgainstTCPDump prints the table's messages changed at
// random (bytes flipped, with the checksum made right again or not, the
// message cut short or its IPv6 payload length changed, the capture cut
// short) with the installed tcpdump 4.99.3 and with the printer, at each
// verbosity, and requires the same text.
func TestICMP6RandomAgainstTCPDump(t *testing.T) {
	n := 4000
	if testing.Short() {
		n = 400
	}
	var seeds [][]byte
	for _, c := range icmp6Cases {
		seeds = append(seeds, c.frames...)
	}
	rng := rand.New(rand.NewPCG(58, 155))
	pick := func(n int) int { return rng.IntN(max(n, 1)) }
	const hdrs = 14 + ipv6.HeaderLen
	frames := make([]diffFrame, 0, n)
	for range n {
		f := bytes.Clone(seeds[pick(len(seeds))])
		msg := f[hdrs:]
		for k := pick(4) + pick(2)*pick(12); k > 0 && len(msg) > 0; k-- {
			msg[pick(len(msg))] = byte(rng.Uint32())
		}
		if pick(8) == 0 {
			for k := 1 + pick(24); k > 0; k-- {
				f = append(f, byte(rng.Uint32()))
			}
			msg = f[hdrs:]
		}
		if pick(4) == 0 && len(msg) > 0 {
			msg = msg[:pick(len(msg)+1)]
			f = f[:hdrs+len(msg)]
		}
		if len(msg) >= icmpv6.MinLen && pick(3) != 0 {
			src, dst := ipv6.Addr(f[14+8:14+24]), ipv6.Addr(f[14+24:14+40])
			icmpv6.Message(msg).FillChecksum(src, dst)
		}
		plen := len(msg)
		if pick(8) == 0 {
			plen = pick(len(msg) + 16)
		}
		copy(f[14+4:], be16b(uint16(plen)))
		d := diffFrame{data: f}
		if pick(6) == 0 {
			d.snap = hdrs + pick(len(msg)+1)
		}
		frames = append(frames, d)
	}
	diffWithTCPDump(t, frames, [][]string{nil, {"-v"}, {"-vv"}, {"-vvv"}, {"-q"}, {"-x"}, {"-vv", "-e", "-X"}})
}

// TestICMP6DoesNotAllocate prints every frame of the table again into a
// buffer that has the room, and requires no allocation: not for the
// messages cut short, whose printing unwinds, either.
func TestICMP6DoesNotAllocate(t *testing.T) { checkCasesDoNotAllocate(t, icmp6Cases) }

// BenchmarkICMP6 prints a router advertisement with its options at -vv.
func BenchmarkICMP6(b *testing.B) { benchFrame(b, icmp6Frame(i6A, i6All, i6RA), 2) }

// TestICMP6CapturesAgainstTCPDump prints the ICMPv6 captures of tcpdump
// 4.99.3's suite at every verbosity, not only those its tests use, with
// the installed tcpdump 4.99.3 and with the printer, and requires the
// same text.
func TestICMP6CapturesAgainstTCPDump(t *testing.T) {
	dir := filepath.Join(corpus.Need(t), "tcpdump-4.99.3-all")
	tcpdump := tcpdump4993(t)
	for _, name := range []string{"icmpv6.pcap", "icmpv6_opt24.pcap", "icmpv6-length-zero.pcapng", "icmpv6-rfc7112.pcap",
		"icmpv6-RFC2894-RR.pcap", "icmpv6-ni-flags.pcap", "icmp6_mobileprefix_asan.pcap", "rpl-19-pickdag.pcap",
		"rpl-14-dao.pcap", "rpl-26-senddaoack.pcap", "rpl-dao-oobr.pcap", "ipv6-routing-header.pcap"} {
		file := filepath.Join(dir, name)
		for _, flags := range [][]string{nil, {"-v"}, {"-vv"}, {"-vvv"}, {"-x"}} {
			args := append([]string{"-n", "-r", file}, flags...)
			cmd := exec.Command(tcpdump, args...)
			cmd.Env = append(os.Environ(), "TZ=GMT0")
			want, err := cmd.Output()
			if err != nil && len(want) == 0 {
				t.Fatalf("tcpdump %v: %v", args, err)
			}
			if got := printFile(t, file, args); !bytes.Equal(got, want) {
				t.Errorf("%s %v: %s", name, flags, firstDiff(want, got))
			}
		}
	}
}
