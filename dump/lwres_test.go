package dump

import "testing"

// lwres builders.

// lwresPkt is a lightweight resolver packet: the header, then body.
func lwresPkt(flags uint16, opcode uint32, body ...[]byte) []byte {
	b := cat(body...)
	return cat(be32b(uint32(28+len(b))), be16b(0), be16b(flags), be32b(0x1234), be32b(opcode), be32b(0), be32b(4096),
		be16b(0), be16b(0), b)
}

// lwresStr is a name with its length and NUL.
func lwresStr(s string) []byte { return cat(be16b(uint16(len(s))), []byte(s), []byte{0}) }

// lwresA is an address with its family and length.
func lwresA(family uint32, a []byte) []byte { return cat(be32b(family), be16b(uint16(len(a))), a) }

var (
	lwresGABNQuery = lwresPkt(0, 0x00010001, be32b(0), be32b(3), lwresStr("www.example.com"))
	lwresGABNReply = lwresPkt(1, 0x00010001, be32b(0), be16b(1), be16b(3), lwresStr("example.com"), lwresStr("www.example.com"),
		lwresA(1, []byte{93, 184, 216, 34}), lwresA(2, v6Global[:]), lwresA(9, []byte{1, 2, 3}))
	lwresGNBAQuery = lwresPkt(0, 0x00010002, be32b(0), lwresA(1, []byte{10, 0, 0, 1}))
	lwresGNBAReply = lwresPkt(1, 0x00010002, be32b(0), be16b(1), lwresStr("host.example"), lwresStr("alias\x01"))
	lwresGRBNQuery = lwresPkt(0x4000, 0x00010003, be32b(0), be16b(3), be16b(16), lwresStr("txt.example"))
	lwresGRBNReply = lwresPkt(1, 0x00010003, be32b(0), be16b(1), be16b(1), be32b(3600), be16b(1), be16b(1), lwresStr("a.example"),
		be16b(4), []byte{10, 0, 0, 1}, be16b(2), []byte{0xab, 0xcd})
	lwresBadAddr = lwresPkt(0, 0x00010002, be32b(0), lwresA(2, []byte{1, 2, 3, 4}))
	lwresUnknown = lwresPkt(1, 0x00020000, []byte{1, 2, 3})
	lwresV1      = cat(be32b(28), be16b(1), make([]byte, 22))
	lwresNoNUL   = lwresPkt(0, 0x00010001, be32b(0), be32b(1), be16b(3), []byte("abcd"))
)

var lwresCases = []printCase{
	{name: "lwres", frames: [][]byte{
		udpFrame(dgram{sport: 40000, dport: 921, data: lwresGABNQuery}),
		udpFrame(dgram{sport: 921, dport: 40000, data: lwresGABNReply}),
		udpFrame(dgram{sport: 40000, dport: 921, data: lwresGNBAQuery}),
		udpFrame(dgram{sport: 921, dport: 40000, data: lwresGNBAReply}),
		udpFrame(dgram{sport: 40000, dport: 921, data: lwresGRBNQuery}),
		udp6Frame(v6Server, v6Client, 921, 40000, lwresGRBNReply),
		udpFrame(dgram{sport: 40000, dport: 921, data: lwresBadAddr}),
		udpFrame(dgram{sport: 921, dport: 40000, data: lwresUnknown}),
		udpFrame(dgram{sport: 921, dport: 40000, data: lwresV1}),
		udpFrame(dgram{sport: 921, dport: 40000, data: lwresNoNUL}),
		udpFrame(dgram{sport: 921, dport: 40000, data: cat(lwresGNBAQuery, []byte{0, 0})}),
	}, want: "" +
		"IP 10.0.0.1.40000 > 10.0.0.2.921:  lwres getaddrsbyname? IPv4/6 www.example.com\n" +
		"IP 10.0.0.1.921 > 10.0.0.2.40000:  lwres getaddrsbyname 1/3 example.com www.example.com 93.184.216.34 2001:db8:1::10 9/010203\n" +
		"IP 10.0.0.1.40000 > 10.0.0.2.921:  lwres getnamebyaddr? 10.0.0.1\n" +
		"IP 10.0.0.1.921 > 10.0.0.2.40000:  lwres getnamebyaddr 1 host.example alias^A\n" +
		"IP 10.0.0.1.40000 > 10.0.0.2.921:  lwres getrdatabyname?[0x4000] TXT CHAOS txt.example\n" +
		"IP6 fe80::211:22ff:fe33:4455.921 > fe80::201:2ff:fe03:405.40000:  lwres getrdatabyname A TTL 1h 1/1 a.example0a000001abcd\n" +
		"IP 10.0.0.1.40000 > 10.0.0.2.921:  lwres getnamebyaddr? (invalid)\n" +
		"IP 10.0.0.1.921 > 10.0.0.2.40000:  lwres #0x20000\n" +
		"IP 10.0.0.1.921 > 10.0.0.2.40000:  lwres v1\n" +
		"IP 10.0.0.1.921 > 10.0.0.2.40000:  lwres getaddrsbyname? IPv4 abc (not NUL-terminated!)\n" +
		"IP 10.0.0.1.921 > 10.0.0.2.40000:  lwres getnamebyaddr? 10.0.0.1 [len: 42 != 44]\n"},
	{name: "lwres-vvv", args: []string{"-vvv"}, frames: [][]byte{
		udpFrame(dgram{sport: 40000, dport: 921, data: lwresGABNQuery}),
		udpFrame(dgram{sport: 921, dport: 40000, data: lwresGABNReply}),
		udpFrame(dgram{sport: 40000, dport: 921, data: lwresGNBAQuery}),
		udpFrame(dgram{sport: 921, dport: 40000, data: lwresGNBAReply}),
		udpFrame(dgram{sport: 40000, dport: 921, data: lwresGRBNQuery}),
		udpFrame(dgram{sport: 921, dport: 40000, data: lwresGRBNReply}),
	}, want: "" +
		"IP (tos 0x0, ttl 64, id 4660, offset 0, flags [none], proto UDP (17), length 82)\n" +
		"    10.0.0.1.40000 > 10.0.0.2.921: [udp sum ok]  lwres v0 getaddrsbyname? (serial:0x1234 result:0x0 recvlen:4096 authtype:0x0 authlen:0) flags:0x0 IPv4/6 www.example.com\n" +
		"IP (tos 0x0, ttl 64, id 4660, offset 0, flags [none], proto UDP (17), length 137)\n" +
		"    10.0.0.1.921 > 10.0.0.2.40000: [udp sum ok]  lwres v0 getaddrsbyname (serial:0x1234 result:0x0 recvlen:4096 authtype:0x0 authlen:0) flags:0x0 1/3 example.com www.example.com 93.184.216.34 2001:db8:1::10 9/010203\n" +
		"IP (tos 0x0, ttl 64, id 4660, offset 0, flags [none], proto UDP (17), length 70)\n" +
		"    10.0.0.1.40000 > 10.0.0.2.921: [udp sum ok]  lwres v0 getnamebyaddr? (serial:0x1234 result:0x0 recvlen:4096 authtype:0x0 authlen:0) flags:0x0 10.0.0.1\n" +
		"IP (tos 0x0, ttl 64, id 4660, offset 0, flags [none], proto UDP (17), length 86)\n" +
		"    10.0.0.1.921 > 10.0.0.2.40000: [udp sum ok]  lwres v0 getnamebyaddr (serial:0x1234 result:0x0 recvlen:4096 authtype:0x0 authlen:0) flags:0x0 1 host.example alias^A\n" +
		"IP (tos 0x0, ttl 64, id 4660, offset 0, flags [none], proto UDP (17), length 78)\n" +
		"    10.0.0.1.40000 > 10.0.0.2.921: [udp sum ok]  lwres v0 getrdatabyname?[0x4000] (serial:0x1234 result:0x0 recvlen:4096 authtype:0x0 authlen:0) flags:0x0 TXT CHAOS txt.example\n" +
		"IP (tos 0x0, ttl 64, id 4660, offset 0, flags [none], proto UDP (17), length 94)\n" +
		"    10.0.0.1.921 > 10.0.0.2.40000: [udp sum ok]  lwres v0 getrdatabyname (serial:0x1234 result:0x0 recvlen:4096 authtype:0x0 authlen:0) flags:0x0 A TTL 1h 1/1 a.example0a000001abcd\n"},
	{name: "lwres-truncated", snap: 14 + 20 + 8 + 40, frames: [][]byte{
		udpFrame(dgram{sport: 921, dport: 40000, data: lwresGABNReply}),
		udpFrame(dgram{sport: 921, dport: 40000, data: lwresGNBAReply}),
	}, want: "" +
		"IP 10.0.0.1.921 > 10.0.0.2.40000:  lwres getaddrsbyname 1/3 ex [|lwres]\n" +
		"IP 10.0.0.1.921 > 10.0.0.2.40000:  lwres getnamebyaddr 1 host [|lwres]\n"},
}

func TestLWRESPrinter(t *testing.T) { runPrintCases(t, lwresCases) }

func TestLWRESCasesAgainstTCPDump(t *testing.T) { checkCasesWithTCPDump(t, lwresCases) }
