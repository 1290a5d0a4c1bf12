package dump

import "testing"

// OLSR builders.

// olsrPkt is an OLSR packet holding messages.
func olsrPkt(seq uint16, msgs ...[]byte) []byte {
	b := cat(msgs...)
	return cat(be16b(uint16(4+len(b))), be16b(seq), b)
}

// olsrMsg4 is a message with an IPv4 originator.
func olsrMsg4(typ, vtime byte, body ...[]byte) []byte {
	b := cat(body...)
	return cat([]byte{typ, vtime}, be16b(uint16(12+len(b))), []byte{172, 31, 175, 220}, []byte{255, 0}, be16b(0x6ce5), b)
}

// olsrMsg6 is a message with an IPv6 originator.
func olsrMsg6(typ, vtime byte, body ...[]byte) []byte {
	b := cat(body...)
	return cat([]byte{typ, vtime}, be16b(uint16(24+len(b))), v6Global[:], []byte{1, 0}, be16b(7), b)
}

var (
	olsrIPs    = cat([]byte{10, 0, 0, 1}, []byte{10, 0, 0, 2}, []byte{10, 0, 0, 3}, []byte{10, 0, 0, 4}, []byte{10, 0, 0, 5})
	olsrHello4 = olsrMsg4(1, 0x86, []byte{0, 0, 0x05, 3}, []byte{0x06, 0}, be16b(12), olsrIPs[:8], []byte{0x09, 0}, be16b(8), olsrIPs[8:12])
	olsrTC4    = olsrMsg4(2, 0xe8, be16b(0x1234), []byte{0, 0}, olsrIPs)
	olsrMID4   = olsrMsg4(3, 0x20, olsrIPs[:8])
	olsrHNA4   = olsrMsg4(4, 0xe8, []byte{0, 0, 0, 0, 0, 0x07, 0x5a, 0x5a}, []byte{10, 175, 220, 0, 255, 255, 255, 0},
		[]byte{10, 1, 0, 0, 255, 0, 255, 0}, []byte{0, 0, 0, 0, 0, 0x18, 0, 0}, []byte{192, 168, 0, 0, 255, 255, 0, 0})
	olsrNS4 = olsrMsg4(130, 0x10, be16b(1), be16b(2), be16b(0), be16b(5), []byte{10, 0, 0, 9}, []byte("hello\x00\x00\x00"),
		be16b(1), be16b(4), []byte{10, 0, 0, 8}, []byte("name"))
	olsrLQ4    = olsrMsg4(201, 0x86, []byte{0, 0, 0x05, 3}, []byte{0x0a, 0}, be16b(12), []byte{10, 0, 0, 9, 255, 128, 0, 0})
	olsrTCLQ4  = olsrMsg4(202, 0x86, be16b(9), []byte{0, 0}, []byte{10, 0, 0, 9, 200, 100, 0, 0})
	olsrPower  = olsrMsg4(128, 0x86, []byte{1, 2, 3, 4, 5})
	olsrHello6 = olsrMsg6(201, 0x86, []byte{0, 0, 0x05, 7}, []byte{0x0a, 0}, be16b(24), v6Server[:], []byte{255, 255, 0, 0})
	olsrMID6   = olsrMsg6(3, 0x20, v6Server[:], v6Client[:])
	olsrHNA6   = olsrMsg6(4, 0xe8, v6Global[:], []byte{0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xfe, 15: 0}, v6Server[:],
		[]byte{0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 15: 0})
	olsrNS6  = olsrMsg6(130, 0x10, be16b(1), be16b(1), be16b(0), be16b(3), v6Global[:], []byte("abc\x00"))
	olsrTC6  = olsrMsg6(2, 0xe8, be16b(0x1234), []byte{0, 0}, v6Server[:])
	olsrBad4 = olsrPkt(1, olsrMsg4(1, 0x86, []byte{0, 0, 0x05, 3}, []byte{0x06, 0}, be16b(40), olsrIPs[:8]),
		cat([]byte{2, 0x86}, be16b(500), make([]byte, 8)))
)

var olsrCases = []printCase{
	{name: "olsr", frames: [][]byte{
		udpFrame(dgram{sport: 698, dport: 698, data: olsrPkt(0xce93, olsrHello4, olsrTC4)}),
		udp6Frame(v6Client, v6Server, 698, 698, olsrPkt(7, olsrHello6)),
	}, want: "" +
		"IP 10.0.0.1.698 > 10.0.0.2.698: OLSRv4, seq 0xce93, length 76\n" +
		"IP6 fe80::201:2ff:fe03:405.698 > fe80::211:22ff:fe33:4455.698: OLSRv6, seq 0x0007, length 56\n"},
	{name: "olsr-v", args: []string{"-v"}, frames: [][]byte{
		udpFrame(dgram{sport: 698, dport: 698, data: olsrPkt(0xce93, olsrHello4, olsrTC4, olsrMID4, olsrHNA4, olsrNS4)}),
		udpFrame(dgram{sport: 698, dport: 698, data: olsrPkt(0xce94, olsrLQ4, olsrTCLQ4, olsrPower)}),
		udp6Frame(v6Client, v6Server, 698, 698, olsrPkt(7, olsrHello6, olsrMID6, olsrHNA6, olsrNS6, olsrTC6)),
		udpFrame(dgram{sport: 698, dport: 698, data: olsrBad4}),
		udpFrame(dgram{sport: 698, dport: 698, data: olsrPkt(2, olsrMsg4(130, 1, be16b(1), be16b(9)))}),
		udpFrame(dgram{sport: 698, dport: 698, data: olsrPkt(2, olsrMsg4(130, 1, be16b(1), be16b(1), be16b(0), be16b(0), make([]byte, 4)))}),
		udpFrame(dgram{sport: 698, dport: 698, data: olsrPkt(2, olsrMsg4(2, 1, []byte{1}))}),
		udpFrame(dgram{sport: 698, dport: 698, data: cat(olsrPkt(2), []byte{0, 0, 0, 0})[:6]}),
		udpFrame(dgram{sport: 698, dport: 698, data: []byte{0, 4}}),
	}, want: "" +
		"IP (tos 0x0, ttl 64, id 4660, offset 0, flags [none], proto UDP (17), length 220)\n" +
		"    10.0.0.1.698 > 10.0.0.2.698: OLSRv4, seq 0xce93, length 192\n" +
		"\tHello Message (0x01), originator 172.31.175.220, ttl 255, hop 0\n" +
		"\t  vtime 6.000s, msg-seq 0x6ce5, length 36\n" +
		"\t  hello-time 2.000s, MPR willingness 3\n" +
		"\t    link-type Symmetric, neighbor-type Symmetric, len 12\n" +
		"\t      neighbor\n" +
		"\t\t10.0.0.1 10.0.0.2 \n" +
		"\t    link-type Asymmetric, neighbor-type Symmetric-MPR, len 8\n" +
		"\t      neighbor\n" +
		"\t\t10.0.0.3 \n" +
		"\tTC Message (0x02), originator 172.31.175.220, ttl 255, hop 0\n" +
		"\t  vtime 30.000s, msg-seq 0x6ce5, length 36\n" +
		"\t    advertised neighbor seq 0x1234\n" +
		"\t      neighbor\n" +
		"\t\t10.0.0.1 10.0.0.2 10.0.0.3 10.0.0.4 10.0.0.5 \n" +
		"\tMID Message (0x03), originator 172.31.175.220, ttl 255, hop 0\n" +
		"\t  vtime 0.070s, msg-seq 0x6ce5, length 20\n" +
		"\t  interface address 10.0.0.1\n" +
		"\t  interface address 10.0.0.2\n" +
		"\tHNA Message (0x04), originator 172.31.175.220, ttl 255, hop 0\n" +
		"\t  vtime 30.000s, msg-seq 0x6ce5, length 52\n" +
		"\t  Advertised networks (total 5)\n" +
		"\t    Smart-Gateway: LINKSPEED IPV4 IPV4-NAT 1200/1200, 10.175.220.0/24, 10.1.0.0/4294967295, Smart-Gateway: IPV6 IPv6-PREFIX 0/0\n" +
		"\t    192.168.0.0/16\n" +
		"\tNameservice Message (0x82), originator 172.31.175.220, ttl 255, hop 0\n" +
		"\t  vtime 0.066s, msg-seq 0x6ce5, length 44\n" +
		"\t  Version 1, Entries 2\n" +
		"\t    #0: type 000000, length 5, address 10.0.0.9, name \"hello\"\n" +
		"\t    #1: type 0x0001, length 4, address 10.0.0.8, name \"name\"\n" +
		"IP (tos 0x0, ttl 64, id 4660, offset 0, flags [none], proto UDP (17), length 101)\n" +
		"    10.0.0.1.698 > 10.0.0.2.698: OLSRv4, seq 0xce94, length 73\n" +
		"\tHello-LQ Message (0xc9), originator 172.31.175.220, ttl 255, hop 0\n" +
		"\t  vtime 6.000s, msg-seq 0x6ce5, length 28\n" +
		"\t  hello-time 2.000s, MPR willingness 3\n" +
		"\t    link-type Symmetric, neighbor-type Symmetric-MPR, len 12\n" +
		"\t      neighbor 10.0.0.9, link-quality 100.00%, neighbor-link-quality 50.20%\n" +
		"\tTC-LQ Message (0xca), originator 172.31.175.220, ttl 255, hop 0\n" +
		"\t  vtime 6.000s, msg-seq 0x6ce5, length 24\n" +
		"\t    advertised neighbor seq 0x0009\n" +
		"\t      neighbor 10.0.0.9, link-quality 78.43%, neighbor-link-quality 39.22%\n" +
		"\tPowerinfo Message (0x80), originator 172.31.175.220, ttl 255, hop 0\n" +
		"\t  vtime 6.000s, msg-seq 0x6ce5, length 17\n" +
		"\t    0x0000:  0102 0304 05\n" +
		"IP6 (hlim 64, next-header UDP (17) payload length: 304) fe80::201:2ff:fe03:405.698 > fe80::211:22ff:fe33:4455.698: [udp sum ok] OLSRv6, seq 0x0007, length 296\n" +
		"\tHello-LQ Message (0xc9), originator 2001:db8:1::10, ttl 1, hop 0\n" +
		"\t  vtime 6.000s, msg-seq 0x0007, length 52\n" +
		"\t  hello-time 2.000s, MPR willingness 7\n" +
		"\t    link-type Symmetric, neighbor-type Symmetric-MPR, len 24\n" +
		"\t      neighbor fe80::211:22ff:fe33:4455, link-quality 100.00%, neighbor-link-quality 100.00%\n" +
		"\tMID Message (0x03), originator 2001:db8:1::10, ttl 1, hop 0\n" +
		"\t  vtime 0.070s, msg-seq 0x0007, length 56\n" +
		"\t  interface address fe80::211:22ff:fe33:4455\n" +
		"\t  interface address fe80::201:2ff:fe03:405\n" +
		"\tHNA Message (0x04), originator 2001:db8:1::10, ttl 1, hop 0\n" +
		"\t  vtime 30.000s, msg-seq 0x0007, length 88\n" +
		"\t  Advertised networks (total 2)\n" +
		"\t    #0: 2001:db8:1::10/63\n" +
		"\t    #0: fe80::211:22ff:fe33:4455/72\n" +
		"\tNameservice Message (0x82), originator 2001:db8:1::10, ttl 1, hop 0\n" +
		"\t  vtime 0.066s, msg-seq 0x0007, length 52\n" +
		"\t  Version 1, Entries 1\n" +
		"\t    #0: type 000000, length 3, address 2001:db8:1::10, name \"abc\"\n" +
		"\tTC Message (0x02), originator 2001:db8:1::10, ttl 1, hop 0\n" +
		"\t  vtime 30.000s, msg-seq 0x0007, length 44\n" +
		"\t    advertised neighbor seq 0x1234\n" +
		"\t      neighbor\n" +
		"\t\t254.128.0.0 0.0.0.0 2.17.34.255 254.51.68.85 \n" +
		"IP (tos 0x0, ttl 64, id 4660, offset 0, flags [none], proto UDP (17), length 72)\n" +
		"    10.0.0.1.698 > 10.0.0.2.698: OLSRv4, seq 0x0001, length 44\n" +
		"\tHello Message (0x01), originator 172.31.175.220, ttl 255, hop 0\n" +
		"\t  vtime 6.000s, msg-seq 0x6ce5, length 28\n" +
		"\t  hello-time 2.000s, MPR willingness 3\n" +
		"\t    link-type Symmetric, neighbor-type Symmetric, len 40 (invalid)\n" +
		"\tTC Message (0x02), originator 0.0.0.0, ttl 0, hop 0\n" +
		"\t  vtime 6.000s, msg-seq 0x0000, length 500 (invalid)\n" +
		"IP (tos 0x0, ttl 64, id 4660, offset 0, flags [none], proto UDP (17), length 48)\n" +
		"    10.0.0.1.698 > 10.0.0.2.698: OLSRv4, seq 0x0002, length 20\n" +
		"\tNameservice Message (0x82), originator 172.31.175.220, ttl 255, hop 0\n" +
		"\t  vtime 0.125s, msg-seq 0x6ce5, length 16\n" +
		"\t  Version 1, Entries 9 (invalid)\n" +
		"IP (tos 0x0, ttl 64, id 4660, offset 0, flags [none], proto UDP (17), length 56)\n" +
		"    10.0.0.1.698 > 10.0.0.2.698: OLSRv4, seq 0x0002, length 28\n" +
		"\tNameservice Message (0x82), originator 172.31.175.220, ttl 255, hop 0\n" +
		"\t  vtime 0.125s, msg-seq 0x6ce5, length 24\n" +
		"\t  Version 1, Entries 1\n" +
		"\t    #0: type 000000, length 0 (invalid)\n" +
		"IP (tos 0x0, ttl 64, id 4660, offset 0, flags [none], proto UDP (17), length 45)\n" +
		"    10.0.0.1.698 > 10.0.0.2.698: OLSRv4, seq 0x0002, length 17\n" +
		"\tTC Message (0x02), originator 172.31.175.220, ttl 255, hop 0\n" +
		"\t  vtime 0.125s, msg-seq 0x6ce5, length 13 [|olsr]\n" +
		"IP (tos 0x0, ttl 64, id 4660, offset 0, flags [none], proto UDP (17), length 34)\n" +
		"    10.0.0.1.698 > 10.0.0.2.698: OLSRv4, seq 0x0002, length 4\n" +
		"IP (tos 0x0, ttl 64, id 4660, offset 0, flags [none], proto UDP (17), length 30)\n" +
		"    10.0.0.1.698 > 10.0.0.2.698: OLSRv4 [|olsr]\n"},
	{name: "olsr-truncated", args: []string{"-v"}, snap: 14 + 20 + 8 + 40, frames: [][]byte{
		udpFrame(dgram{sport: 698, dport: 698, data: olsrPkt(0xce93, olsrTC4, olsrHello4)}),
		udpFrame(dgram{sport: 698, dport: 698, data: olsrPkt(0xce93, olsrNS4)}),
		udpFrame(dgram{sport: 698, dport: 698, data: olsrPkt(0xce94, olsrTCLQ4, olsrTCLQ4, olsrTCLQ4)}),
	}, want: "" +
		"IP (tos 0x0, ttl 64, id 4660, offset 0, flags [none], proto UDP (17), length 104)\n" +
		"    10.0.0.1.698 > 10.0.0.2.698: OLSRv4, seq 0xce93, length 76\n" +
		"\tTC Message (0x02), originator 172.31.175.220, ttl 255, hop 0\n" +
		"\t  vtime 30.000s, msg-seq 0x6ce5, length 36\n" +
		"\t    advertised neighbor seq 0x1234\n" +
		"\t      neighbor\n" +
		"\t\t10.0.0.1 10.0.0.2 10.0.0.3 10.0.0.4 10.0.0.5  [|olsr]\n" +
		"IP (tos 0x0, ttl 64, id 4660, offset 0, flags [none], proto UDP (17), length 76)\n" +
		"    10.0.0.1.698 > 10.0.0.2.698: OLSRv4, seq 0xce93, length 48\n" +
		"\tNameservice Message (0x82), originator 172.31.175.220, ttl 255, hop 0\n" +
		"\t  vtime 0.066s, msg-seq 0x6ce5, length 44\n" +
		"\t  Version 1, Entries 2\n" +
		"\t    #0: type 000000, length 5, address 10.0.0.9, name \"hello\"\n" +
		"\t    #1: type 0x0001, length 4 [|olsr]\n" +
		"IP (tos 0x0, ttl 64, id 4660, offset 0, flags [none], proto UDP (17), length 104)\n" +
		"    10.0.0.1.698 > 10.0.0.2.698: OLSRv4, seq 0xce94, length 76\n" +
		"\tTC-LQ Message (0xca), originator 172.31.175.220, ttl 255, hop 0\n" +
		"\t  vtime 6.000s, msg-seq 0x6ce5, length 24\n" +
		"\t    advertised neighbor seq 0x0009\n" +
		"\t      neighbor 10.0.0.9, link-quality 78.43%, neighbor-link-quality 39.22%\n" +
		"\tTC-LQ Message (0xca), originator 172.31.175.220, ttl 255, hop 0\n" +
		"\t  vtime 6.000s, msg-seq 0x6ce5, length 24 [|olsr]\n"},
}

func TestOLSRPrinter(t *testing.T) { runPrintCases(t, olsrCases) }

func TestOLSRCasesAgainstTCPDump(t *testing.T) { checkCasesWithTCPDump(t, olsrCases) }
