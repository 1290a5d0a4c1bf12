package dump

import "testing"

// AHCP builders.

// ahcpMsg is an AHCP message: the header with its hop counts, nonce and
// IDs, and a body of type typ holding the options.
func ahcpMsg(typ byte, opts ...[]byte) []byte {
	body := cat(opts...)
	return cat([]byte{43, 1, 1, 1}, be32b(0x7ce31135), babelRIDAhcp, []byte{0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff},
		[]byte{typ, 0}, be16b(uint16(len(body))), body)
}

// ahcpOpt is an option with a value.
func ahcpOpt(typ byte, v ...[]byte) []byte {
	b := cat(v...)
	return cat([]byte{typ, byte(len(b))}, b)
}

var (
	babelRIDAhcp = []byte{0x6a, 0xa3, 0xc4, 0xff, 0xfe, 0xf4, 0x84, 0x1e}
	ahcpOffer    = ahcpMsg(1, ahcpOpt(2, be32b(1384070382)), []byte{1}, ahcpOpt(3, be32b(512)), ahcpOpt(9, []byte{10, 100, 0, 1}),
		ahcpOpt(12, v6Global[:], v6Server[:]), ahcpOpt(6, v6Global[:], []byte{64}), ahcpOpt(11, []byte{10, 0, 0, 0, 8}),
		ahcpOpt(5, []byte{10, 0, 0, 80}), ahcpOpt(7, []byte{1, 2, 3}), ahcpOpt(99, []byte{1}), []byte{0})
	ahcpBad = ahcpMsg(9, ahcpOpt(2, be32b(1)[:3]), ahcpOpt(4, make([]byte, 20)))
)

var ahcpCases = []printCase{
	{name: "ahcp", frames: [][]byte{
		udp6Frame(v6Client, v6Server, 5359, 5359, ahcpOffer),
		udpFrame(dgram{sport: 5359, dport: 5359, data: []byte{43, 2, 0, 0}}),
	}, want: "" +
		"IP6 fe80::201:2ff:fe03:405.5359 > fe80::211:22ff:fe33:4455.5359: AHCP Version 1\n" +
		"IP 10.0.0.1.5359 > 10.0.0.2.5359: AHCP Version 2 (unknown)\n"},
	{name: "ahcp-v", args: []string{"-v"}, frames: [][]byte{
		udp6Frame(v6Client, v6Server, 5359, 5359, ahcpOffer),
		udpFrame(dgram{sport: 5359, dport: 5359, data: ahcpBad}),
	}, want: "" +
		"IP6 (hlim 64, next-header UDP (17) payload length: 130) fe80::201:2ff:fe03:405.5359 > fe80::211:22ff:fe33:4455.5359: [udp sum ok] AHCP Version 1\n" +
		"\tHopcount 1, Original Hopcount 1, Nonce 0x7ce31135, Source Id 6a:a3:c4:ff:fe:f4:84:1e, Destination Id ff:ff:ff:ff:ff:ff:ff:ff\n" +
		"\tOffer, Length 94\n" +
		"IP (tos 0x0, ttl 64, id 4660, offset 0, flags [none], proto UDP (17), length 83)\n" +
		"    10.0.0.1.5359 > 10.0.0.2.5359: AHCP Version 1\n" +
		"\tHopcount 1, Original Hopcount 1, Nonce 0x7ce31135, Source Id 6a:a3:c4:ff:fe:f4:84:1e, Destination Id ff:ff:ff:ff:ff:ff:ff:ff\n" +
		"\tUnknown-9, Length 27\n"},
	{name: "ahcp-vv", args: []string{"-vv"}, frames: [][]byte{
		udp6Frame(v6Client, v6Server, 5359, 5359, ahcpOffer),
		udpFrame(dgram{sport: 5359, dport: 5359, data: ahcpBad}),
		udpFrame(dgram{sport: 5359, dport: 5359, data: ahcpOffer[:30]}),
		udpFrame(dgram{sport: 5359, dport: 5359, data: []byte{42, 1}}),
		udpFrame(dgram{sport: 5359, dport: 5359, data: ahcpOffer[:20]}),
		udpFrame(dgram{sport: 5359, dport: 5359, data: cat(ahcpOffer[:26], be16b(200), ahcpOffer[28:])}),
	}, want: "" +
		"IP6 (hlim 64, next-header UDP (17) payload length: 130) fe80::201:2ff:fe03:405.5359 > fe80::211:22ff:fe33:4455.5359: [udp sum ok] AHCP Version 1\n" +
		"\tHopcount 1, Original Hopcount 1, Nonce 0x7ce31135, Source Id 6a:a3:c4:ff:fe:f4:84:1e, Destination Id ff:ff:ff:ff:ff:ff:ff:ff\n" +
		"\tOffer, Length 94\n" +
		"\t Origin Time: 2013-11-10 07:59:42 UTC\n" +
		"\t Mandatory\n" +
		"\t Expires: 512s\n" +
		"\t IPv4 Address: 10.100.0.1\n" +
		"\t Name Server: 2001:db8:1::10, fe80::211:22ff:fe33:4455\n" +
		"\t IPv6 Prefix: 2001:db8:1::10/64\n" +
		"\t IPv4 Prefix Delegation: 10.0.0.0/8\n" +
		"\t My-IPv4-Address: 10.0.0.80\n" +
		"\t IPv4 Prefix (Length 3)\n" +
		"\t Unknown-99 (Length 1)\n" +
		"\t Pad\n" +
		"IP (tos 0x0, ttl 64, id 4660, offset 0, flags [none], proto UDP (17), length 83)\n" +
		"    10.0.0.1.5359 > 10.0.0.2.5359: [udp sum ok] AHCP Version 1\n" +
		"\tHopcount 1, Original Hopcount 1, Nonce 0x7ce31135, Source Id 6a:a3:c4:ff:fe:f4:84:1e, Destination Id ff:ff:ff:ff:ff:ff:ff:ff\n" +
		"\tUnknown-9, Length 27\n" +
		"\t Origin Time (invalid)\n" +
		"\t My-IPv6-Address: :: (invalid)\n" +
		"IP (tos 0x0, ttl 64, id 4660, offset 0, flags [none], proto UDP (17), length 58)\n" +
		"    10.0.0.1.5359 > 10.0.0.2.5359: [udp sum ok] AHCP Version 1\n" +
		"\tHopcount 1, Original Hopcount 1, Nonce 0x7ce31135, Source Id 6a:a3:c4:ff:fe:f4:84:1e, Destination Id ff:ff:ff:ff:ff:ff:ff:ff\n" +
		"\tOffer, Length 94 (invalid)\n" +
		"IP (tos 0x0, ttl 64, id 4660, offset 0, flags [none], proto UDP (17), length 30)\n" +
		"    10.0.0.1.5359 > 10.0.0.2.5359: [udp sum ok] AHCP (invalid)\n" +
		"IP (tos 0x0, ttl 64, id 4660, offset 0, flags [none], proto UDP (17), length 48)\n" +
		"    10.0.0.1.5359 > 10.0.0.2.5359: [udp sum ok] AHCP Version 1 (invalid)\n" +
		"IP (tos 0x0, ttl 64, id 4660, offset 0, flags [none], proto UDP (17), length 150)\n" +
		"    10.0.0.1.5359 > 10.0.0.2.5359: [udp sum ok] AHCP Version 1\n" +
		"\tHopcount 1, Original Hopcount 1, Nonce 0x7ce31135, Source Id 6a:a3:c4:ff:fe:f4:84:1e, Destination Id ff:ff:ff:ff:ff:ff:ff:ff\n" +
		"\tOffer, Length 200 (invalid)\n"},
	{name: "ahcp-truncated", args: []string{"-vv"}, snap: 14 + 20 + 8 + 40, frames: [][]byte{
		udpFrame(dgram{sport: 5359, dport: 5359, data: ahcpOffer}),
	}, want: "" +
		"IP (tos 0x0, ttl 64, id 4660, offset 0, flags [none], proto UDP (17), length 150)\n" +
		"    10.0.0.1.5359 > 10.0.0.2.5359: AHCP Version 1\n" +
		"\tHopcount 1, Original Hopcount 1, Nonce 0x7ce31135, Source Id 6a:a3:c4:ff:fe:f4:84:1e, Destination Id ff:ff:ff:ff:ff:ff:ff:ff\n" +
		"\tOffer, Length 94\n" +
		"\t Origin Time: 2013-11-10 07:59:42 UTC\n" +
		"\t Mandatory\n" +
		"\t Expires [|ahcp]\n"},
}

func TestAHCPPrinter(t *testing.T) { runPrintCases(t, ahcpCases) }

func TestAHCPCasesAgainstTCPDump(t *testing.T) { checkCasesWithTCPDump(t, ahcpCases) }
