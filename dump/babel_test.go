package dump

import (
	"bytes"
	"testing"
)

// Babel builders.

// babelPkt is a Babel packet: the header, the body's TLVs and a trailer.
func babelPkt(body []byte, trailer ...[]byte) []byte {
	return cat([]byte{42, 2}, be16b(uint16(len(body))), body, cat(trailer...))
}

// babelTLV is a TLV of type typ.
func babelTLV(typ byte, body ...[]byte) []byte {
	b := cat(body...)
	return cat([]byte{typ, byte(len(b))}, b)
}

var (
	babelRID    = []byte{0x02, 0x11, 0x22, 0xff, 0xfe, 0x33, 0x44, 0x55}
	btHello     = babelTLV(4, be16b(0), be16b(8042), be16b(400))
	btHelloT    = babelTLV(4, be16b(0x8000), be16b(7), be16b(0), []byte{3, 4}, be32b(12345678), []byte{0})
	btIHU       = babelTLV(5, []byte{3, 0}, be16b(96), be16b(1200), v6Server[8:])
	btIHU4      = babelTLV(5, []byte{1, 0}, be16b(256), be16b(0), []byte{10, 0, 0, 9}, []byte{3, 8}, be32b(1), be32b(2000001))
	btIHUBad    = babelTLV(5, []byte{9, 0}, be16b(96), be16b(1200))
	babelRtrID  = babelTLV(6, []byte{0, 0}, babelRID)
	babelNH4    = babelTLV(7, []byte{1, 0}, []byte{192, 168, 4, 25})
	babelNH0    = babelTLV(7, []byte{0, 0})
	babelUpd6   = babelTLV(8, []byte{2, 0xc0, 64, 0}, be16b(8000), be16b(32272), be16b(1), v6Global[:8], []byte{2, 1, 6})
	babelUpd6o  = babelTLV(8, []byte{2, 0x80, 80, 8}, be16b(8000), be16b(32273), be16b(96), []byte{0, 7})
	babelUpd4   = babelTLV(8, []byte{1, 0x80, 24, 0}, be16b(0xffff), be16b(5), be16b(0xffff), []byte{10, 0, 99}, []byte{2, 0})
	babelUpd0   = babelTLV(8, []byte{0, 0x41, 0, 0}, be16b(0xffff), be16b(41391), be16b(0xffff))
	babelReq    = babelTLV(9, []byte{2, 48}, v6Global[:6])
	babelReqAny = babelTLV(9, []byte{0, 0})
	babelSeqReq = babelTLV(10, []byte{1, 32}, be16b(77), []byte{64, 0}, babelRID, []byte{10, 1, 2, 3})
	btAckReq    = babelTLV(2, []byte{0, 0}, be16b(0xbeef), be16b(250))
	btAck       = babelTLV(3, be16b(0xbeef))
	btTSPC      = babelTLV(11, be16b(2), be32b(1339081200))
	btHMAC      = babelTLV(12, be16b(30), bytes.Repeat([]byte{0xad}, 20))
	babelSSUpd  = babelTLV(13, []byte{2, 48, 64, 0}, be16b(400), be16b(3), be16b(10), v6Global[:8], v6Server[:6])
	babelSSReq  = babelTLV(14, []byte{2, 64, 16}, v6Global[:8], v6Server[:2])
	babelSSMH   = babelTLV(15, []byte{1, 24}, be16b(9), []byte{5, 8}, babelRID, []byte{10, 0, 0}, []byte{172})
	babelMACT   = babelTLV(16, bytes.Repeat([]byte{1}, 32))
	babelPCT    = babelTLV(17, be32b(3), []byte("idx"))
	babelChal   = babelTLV(18, []byte{1, 2, 3, 4, 5, 6, 7, 8})
	babelChalR  = babelTLV(19, []byte{8, 7, 6})
	babelUnk    = babelTLV(99, []byte{1, 2})
	btPadN      = babelTLV(1, []byte{0, 0, 0})

	babelFull = babelPkt(cat(btHello, btIHU, babelRtrID, babelNH4, babelUpd4, babelUpd6, babelUpd6o, babelUpd0,
		babelReq, babelReqAny, babelSeqReq, []byte{0}, btPadN, btAckReq, btAck, babelUnk))
	babelExtra = babelPkt(cat(btHelloT, btIHU4, btIHUBad, babelNH0, btTSPC, btHMAC, babelSSUpd, babelSSReq,
		babelSSMH, babelChal, babelChalR), babelPCT, babelMACT)
	babelBad = [][]byte{
		{43, 2, 0, 0},
		{42, 1, 0, 0},
		babelPkt(babelTLV(4, be16b(0), be16b(1))),
		babelPkt(babelTLV(8, []byte{2, 0, 129, 0}, be16b(1), be16b(1), be16b(1))),
		babelPkt(babelTLV(8, []byte{2, 0, 64, 0}, be16b(1), be16b(1), be16b(1), []byte{1})),
		babelPkt(babelTLV(4, be16b(0), be16b(1), be16b(1), []byte{0x83, 9, 1})),
		babelPkt(babelTLV(4, be16b(0), be16b(1), be16b(1), []byte{2, 2, 0, 255}), babelTLV(5, []byte{0, 0}, be16b(1), be16b(1), []byte{3, 2, 1, 1})),
		babelPkt(btHello)[:6],
		cat(babelPkt(btHello)[:4], btHello[:3]),
	}
)

var babelCases = []printCase{
	{name: "babel", frames: [][]byte{
		udp6Frame(v6Client, v6Server, 6696, 6696, babelFull),
		udpFrame(dgram{sport: 6697, dport: 6697, data: babelExtra}),
	}, want: "" +
		"IP6 fe80::201:2ff:fe03:405.6696 > fe80::211:22ff:fe33:4455.6696: babel 2 (166) hello ihu router-id nh update/prefix update/prefix/id update/prefix update/id/unknown route-request route-request seqno-request pad1 padN ack-req ack unknown\n" +
		"IP 10.0.0.1.6697 > 10.0.0.2.6697: babel 2 (157) hello ihu ihu nh tspc hmac ss-update ss-request ss-mh-request challenge_request challenge_reply | pc mac\n"},
	{name: "babel-v", args: []string{"-v"}, frames: [][]byte{
		udp6Frame(v6Client, v6Server, 6696, 6696, babelFull),
		udpFrame(dgram{sport: 6697, dport: 6697, data: babelExtra}),
	}, want: "" +
		"IP6 (hlim 64, next-header UDP (17) payload length: 178) fe80::201:2ff:fe03:405.6696 > fe80::211:22ff:fe33:4455.6696: [udp sum ok] babel 2 (166)\n" +
		"\tHello seqno 8042 interval 4.00s\n" +
		"\tIHU fe80::211:22ff:fe33:4455 rxcost 96 interval 12.00s\n" +
		"\tRouter Id 02:11:22:ff:fe:33:44:55\n" +
		"\tNext Hop 192.168.4.25\n" +
		"\tUpdate/prefix 10.0.99.0/24 metric 65535 seqno 5 interval infinity sub-diversity empty\n" +
		"\tUpdate/prefix/id 2001:db8:1::/64 metric 1 seqno 32272 interval 80.00s sub-diversity 6\n" +
		"\tUpdate/prefix 2001:db8:1:0:7::/80 metric 96 seqno 32273 interval 80.00s\n" +
		"\tUpdate/id/unknown any metric 65535 seqno 41391 interval infinity\n" +
		"\tRoute Request for 2001:db8:1::/48\n" +
		"\tRoute Request for any\n" +
		"\tSeqno Request (64 hops) for 10.1.2.3/32 seqno 77 id 02:11:22:ff:fe:33:44:55\n" +
		"\tPad 1\n" +
		"\tPad 5\n" +
		"\tAcknowledgment Request beef 2.50s\n" +
		"\tAcknowledgment beef\n" +
		"\tUnknown message type 99\n" +
		"IP (tos 0x0, ttl 64, id 4660, offset 0, flags [none], proto UDP (17), length 232)\n" +
		"    10.0.0.1.6697 > 10.0.0.2.6697: babel 2 (157)\n" +
		"\tHello (Unicast) seqno 7 unscheduled sub-timestamp 12.345678s sub-pad1\n" +
		"\tIHU 10.0.0.9 rxcost 256 interval 0.0s (bogus) sub-timestamp 0.000001s|2.000001s\n" +
		"\tIHU  [|babel]\n" +
		"\tNext Hop invalid AE 0\n" +
		"\tTS/PC timestamp 1339081200 packetcounter 2\n" +
		"\tHMAC key-id 30 digest-20 ADADADADADADADADADADADADADADADADADADADAD\n" +
		"\tSS-Update 2001:db8:1::/64 from fe80::/48 metric 10 seqno 3 interval 4.00s\n" +
		"\tSS-Request for (2001:db8:1::/64, fe80::/16)\n" +
		"\tSS-MH-Request (5 hops) for (10.0.0.0/24, 172.0.0.0/8) seqno 9 id 02:11:22:ff:fe:33:44:55\n" +
		"\tChallenge Request len 8\n" +
		"\tChallenge Reply len 3\n" +
		"\t----\n" +
		"\tPC value 3 index len 3\n" +
		"\tMAC len 32\n"},
	{name: "babel-malformed", args: []string{"-v"}, frames: [][]byte{
		udpFrame(dgram{sport: 6696, dport: 6696, data: babelBad[0]}),
		udpFrame(dgram{sport: 6696, dport: 6696, data: babelBad[1]}),
		udpFrame(dgram{sport: 6696, dport: 6696, data: babelBad[2]}),
		udpFrame(dgram{sport: 6696, dport: 6696, data: babelBad[3]}),
		udpFrame(dgram{sport: 6696, dport: 6696, data: babelBad[4]}),
		udpFrame(dgram{sport: 6696, dport: 6696, data: babelBad[5]}),
		udpFrame(dgram{sport: 6696, dport: 6696, data: babelBad[6]}),
		udpFrame(dgram{sport: 6696, dport: 6696, data: babelBad[7]}),
		udpFrame(dgram{sport: 6696, dport: 6696, data: babelBad[8]}),
	}, want: "" +
		"IP (tos 0x0, ttl 64, id 4660, offset 0, flags [none], proto UDP (17), length 32)\n" +
		"    10.0.0.1.6696 > 10.0.0.2.6696: babel invalid header\n" +
		"IP (tos 0x0, ttl 64, id 4660, offset 0, flags [none], proto UDP (17), length 32)\n" +
		"    10.0.0.1.6696 > 10.0.0.2.6696: babel 1 unknown version\n" +
		"IP (tos 0x0, ttl 64, id 4660, offset 0, flags [none], proto UDP (17), length 38)\n" +
		"    10.0.0.1.6696 > 10.0.0.2.6696: babel 2 (6)\n" +
		"\tHello  (invalid)\n" +
		"IP (tos 0x0, ttl 64, id 4660, offset 0, flags [none], proto UDP (17), length 44)\n" +
		"    10.0.0.1.6696 > 10.0.0.2.6696: babel 2 (12)\n" +
		"\tUpdate (invalid)\n" +
		"IP (tos 0x0, ttl 64, id 4660, offset 0, flags [none], proto UDP (17), length 45)\n" +
		"    10.0.0.1.6696 > 10.0.0.2.6696: babel 2 (13)\n" +
		"\tUpdate (invalid)\n" +
		"IP (tos 0x0, ttl 64, id 4660, offset 0, flags [none], proto UDP (17), length 43)\n" +
		"    10.0.0.1.6696 > 10.0.0.2.6696: babel 2 (11)\n" +
		"\tHello seqno 1 interval 0.01s (M) (invalid)\n" +
		"IP (tos 0x0, ttl 64, id 4660, offset 0, flags [none], proto UDP (17), length 56)\n" +
		"    10.0.0.1.6696 > 10.0.0.2.6696: babel 2 (12)\n" +
		"\tHello seqno 1 interval 0.01s sub-diversity reserved-all (bogus)\n" +
		"\t----\n" +
		"\tIHU any rxcost 1 interval 0.01s sub-timestamp (invalid)\n" +
		"IP (tos 0x0, ttl 64, id 4660, offset 0, flags [none], proto UDP (17), length 34)\n" +
		"    10.0.0.1.6696 > 10.0.0.2.6696: babel 2 (8) (invalid)\n" +
		"IP (tos 0x0, ttl 64, id 4660, offset 0, flags [none], proto UDP (17), length 35)\n" +
		"    10.0.0.1.6696 > 10.0.0.2.6696: babel 2 (8) (invalid)\n"},
	{name: "babel-truncated", args: []string{"-v"}, snap: 14 + 20 + 8 + 30, frames: [][]byte{
		udpFrame(dgram{sport: 6696, dport: 6696, data: babelFull}),
		udpFrame(dgram{sport: 6696, dport: 6696, data: babelBad[2]}),
	}, want: "" +
		"IP (tos 0x0, ttl 64, id 4660, offset 0, flags [none], proto UDP (17), length 198)\n" +
		"    10.0.0.1.6696 > 10.0.0.2.6696: babel 2 (166)\n" +
		"\tHello seqno 8042 interval 4.00s\n" +
		"\tIHU fe80::211:22ff:fe33:4455 rxcost 96 interval 12.00s [|babel]\n" +
		"IP (tos 0x0, ttl 64, id 4660, offset 0, flags [none], proto UDP (17), length 38)\n" +
		"    10.0.0.1.6696 > 10.0.0.2.6696: babel 2 (6)\n" +
		"\tHello  (invalid)\n"},
}

func TestBabelPrinter(t *testing.T) { runPrintCases(t, babelCases) }

func TestBabelCasesAgainstTCPDump(t *testing.T) { checkCasesWithTCPDump(t, babelCases) }
