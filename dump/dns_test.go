package dump

import (
	"encoding/binary"
	"strings"
	"testing"
)

// dn encodes a domain name as labels ending with the root.
func dn(name string) []byte {
	var b []byte
	for _, l := range strings.Split(strings.TrimSuffix(name, "."), ".") {
		if l == "" {
			continue
		}
		b = append(b, byte(len(l)))
		b = append(b, l...)
	}
	return append(b, 0)
}

// dnsHdr builds a DNS header with the given counts.
func dnsHdr(id, flags uint16, qd, an, ns, ar int) []byte {
	b := make([]byte, 12)
	binary.BigEndian.PutUint16(b, id)
	binary.BigEndian.PutUint16(b[2:], flags)
	binary.BigEndian.PutUint16(b[4:], uint16(qd))
	binary.BigEndian.PutUint16(b[6:], uint16(an))
	binary.BigEndian.PutUint16(b[8:], uint16(ns))
	binary.BigEndian.PutUint16(b[10:], uint16(ar))
	return b
}

// q is a question: name, type, class.
func q(name []byte, typ, class uint16) []byte {
	return binary.BigEndian.AppendUint16(binary.BigEndian.AppendUint16(name, typ), class)
}

// rr is a resource record.
func rr(name []byte, typ, class uint16, ttl uint32, rdata []byte) []byte {
	b := q(name, typ, class)
	b = binary.BigEndian.AppendUint32(b, ttl)
	b = binary.BigEndian.AppendUint16(b, uint16(len(rdata)))
	return append(b, rdata...)
}

// ptr is a compression pointer to off.
func ptr(off int) []byte { return []byte{0xc0 | byte(off>>8), byte(off)} }

var (
	// A query for example.com. with an EDNS OPT record carrying a cookie.
	dnsQuery = cat(dnsHdr(0x1234, 0x0100, 1, 0, 0, 1), q(dn("example.com"), 1, 1),
		rr([]byte{0}, 41, 1232, 0, []byte{0, 10, 0, 8, 1, 2, 3, 4, 5, 6, 7, 8}))
	// Its answer: a CNAME through a pointer to the question, A, AAAA, MX,
	// TXT, and an SOA in the authority section.
	dnsAnswer = cat(dnsHdr(0x1234, 0x8180, 1, 6, 1, 0), q(dn("example.com"), 1, 1),
		rr(ptr(12), 5, 1, 300, cat([]byte{3, 'w', 'w', 'w'}, ptr(12))),
		rr(ptr(12), 1, 1, 3600, []byte{93, 184, 216, 34}),
		rr(ptr(12), 28, 1, 86400, []byte{0x20, 0x01, 0xd, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1}),
		rr(ptr(12), 28, 1, 60, []byte{0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 192, 0, 2, 1}),
		rr(ptr(12), 15, 1, 60, cat([]byte{0, 10}, dn("mail.example.com"))),
		rr(ptr(12), 16, 3, 60, []byte{5, 'h', 'e', 'l', 'l', 'o', 3, 'a', 0x01, 'b'}),
		rr(ptr(12), 6, 1, 60, cat(dn("ns.example.com"), dn("admin.example.com"), make([]byte, 20))))
	dnsNXDomain = cat(dnsHdr(7, 0x8403, 1, 0, 0, 0), q(dn("nope.example"), 28, 1))
	dnsMDNS     = cat(dnsHdr(0, 0, 2, 0, 0, 0), q(dn("_http._tcp.local"), 12, 0x8001), q(ptr(12), 16, 1))
	dnsBadPtr   = cat(dnsHdr(9, 0, 1, 0, 0, 0), q(ptr(40), 1, 1))
)

// tcpDNS prefixes a message with its length, as DNS over TCP sends it.
func tcpDNS(m []byte, length int) []byte {
	return append([]byte{byte(length >> 8), byte(length)}, m...)
}

var udpCases = []printCase{
	{name: "dns", frames: [][]byte{
		udpFrame(dgram{sport: 12345, dport: 53, data: dnsQuery}),
		udpFrame(dgram{src: hostB, dst: hostA, sport: 53, dport: 12345, data: dnsAnswer}),
		udpFrame(dgram{sport: 53, dport: 53, data: dnsNXDomain}),
		udpFrame(dgram{sport: 5353, dport: 5353, data: dnsMDNS}),
		udpFrame(dgram{sport: 1, dport: 53, data: dnsBadPtr}),
		udpFrame(dgram{sport: 1, dport: 53, data: []byte{1, 2, 3, 4, 5, 6}}),
	}, want: "" +
		"IP 10.0.0.1.12345 > 10.0.0.2.53: 4660+ [1au] A? example.com. (52)\n" +
		"IP 10.0.0.2.53 > 10.0.0.1.12345: 4660 6/1/0 CNAME www.example.com., A 93.184.216.34, AAAA 2001:db8::1, AAAA ::ffff:192.0.2.1, MX mail.example.com. 10, CHAOS TXT \"hello\" \"a^Ab\" (240)\n" +
		"IP 10.0.0.1.53 > 10.0.0.2.53: 7 NXDomain*- 0/0/0 (30)\n" +
		"IP 10.0.0.1.5353 > 10.0.0.2.5353: 0 [2q] PTR (QU)? _http._tcp.local. TXT (QM)? _http._tcp.local. (40)\n" +
		"IP 10.0.0.1.1 > 10.0.0.2.53: 9 A? <BAD PTR> [|domain]\n" +
		"IP 10.0.0.1.1 > 10.0.0.2.53: domain [length 6 < 12] (invalid)\n"},
	{name: "dns-v", args: []string{"-v"}, frames: [][]byte{
		udpFrame(dgram{src: hostB, dst: hostA, sport: 53, dport: 12345, data: dnsAnswer}),
	}, want: "" +
		"IP (tos 0x0, ttl 64, id 4660, offset 0, flags [none], proto UDP (17), length 268)\n" +
		"    10.0.0.2.53 > 10.0.0.1.12345: 4660 6/1/0 example.com. CNAME www.example.com., example.com. A 93.184.216.34, example.com. AAAA 2001:db8::1, example.com. AAAA ::ffff:192.0.2.1, example.com. MX mail.example.com. 10, example.com. CHAOS TXT \"hello\" \"a^Ab\" (240)\n"},
	{name: "dns-vv", args: []string{"-vv"}, frames: [][]byte{
		udpFrame(dgram{sport: 12345, dport: 53, data: dnsQuery}),
		udpFrame(dgram{src: hostB, dst: hostA, sport: 53, dport: 12345, data: dnsAnswer}),
		udpFrame(dgram{sport: 5353, dport: 5353, data: dnsMDNS}),
	}, want: "" +
		"IP (tos 0x0, ttl 64, id 4660, offset 0, flags [none], proto UDP (17), length 80)\n" +
		"    10.0.0.1.12345 > 10.0.0.2.53: [udp sum ok] 4660+ [1au] A? example.com. ar: . OPT UDPsize=1232 [COOKIE 0102030405060708] (52)\n" +
		"IP (tos 0x0, ttl 64, id 4660, offset 0, flags [none], proto UDP (17), length 268)\n" +
		"    10.0.0.2.53 > 10.0.0.1.12345: [udp sum ok] 4660 q: A? example.com. 6/1/0 example.com. CNAME www.example.com., example.com. A 93.184.216.34, example.com. AAAA 2001:db8::1, example.com. AAAA ::ffff:192.0.2.1, example.com. MX mail.example.com. 10, example.com. CHAOS TXT \"hello\" \"a^Ab\" ns: example.com. SOA ns.example.com. admin.example.com. 0 0 0 0 0 (240)\n" +
		"IP (tos 0x0, ttl 64, id 4660, offset 0, flags [none], proto UDP (17), length 68)\n" +
		"    10.0.0.1.5353 > 10.0.0.2.5353: [udp sum ok] 0 [2q] PTR (QU)? _http._tcp.local. TXT (QM)? _http._tcp.local. (40)\n"},
	{name: "dns-vvv", args: []string{"-vvv"}, frames: [][]byte{
		udpFrame(dgram{src: hostB, dst: hostA, sport: 53, dport: 12345, data: dnsAnswer}),
	}, want: "" +
		"IP (tos 0x0, ttl 64, id 4660, offset 0, flags [none], proto UDP (17), length 268)\n" +
		"    10.0.0.2.53 > 10.0.0.1.12345: [udp sum ok] 4660 q: A? example.com. 6/1/0 example.com. [5m] CNAME www.example.com., example.com. [1h] A 93.184.216.34, example.com. [1d] AAAA 2001:db8::1, example.com. [1m] AAAA ::ffff:192.0.2.1, example.com. [1m] MX mail.example.com. 10, example.com. CHAOS [1m] TXT \"hello\" \"a^Ab\" ns: example.com. [1m] SOA ns.example.com. admin.example.com. 0 0 0 0 0 (240)\n"},
	{name: "dns-truncated", snap: 14 + 20 + 8 + 60, frames: [][]byte{
		udpFrame(dgram{src: hostB, dst: hostA, sport: 53, dport: 12345, data: dnsAnswer}),
	}, want: "" +
		"IP 10.0.0.2.53 > 10.0.0.1.12345: 4660 6/1/0 CNAME www.example.com., A [|domain]\n"},
	{name: "dns-over-tcp", frames: [][]byte{
		tcpFrame(seg{sport: 4000, dport: 53, seq: 1, flags: fPSH, data: tcpDNS(dnsQuery, len(dnsQuery))}),
		tcpFrame(seg{sport: 4000, dport: 53, seq: 1, flags: fPSH, data: tcpDNS(dnsQuery, 3)}),
	}, want: "" +
		"IP 10.0.0.1.4000 > 10.0.0.2.53: Flags [P], seq 1:55, win 512, length 54 4660+ [1au] A? example.com. (52)\n" +
		"IP 10.0.0.1.4000 > 10.0.0.2.53: Flags [P], seq 1:55, win 512, length 54 [prefix length(3) != length(52)] (invalid)\n"},
	{name: "udp", frames: [][]byte{
		udpFrame(dgram{sport: 1000, dport: 2000, data: []byte("hello")}),
		udpFrame(dgram{sport: 1000, dport: 2000, data: []byte("hello"), ulen: 100}),
		udpFrame(dgram{sport: 1000, dport: 2000, data: []byte("hello"), ulen: 4}),
		udpFrame(dgram{sport: 1000, dport: 2000, data: []byte("hello"), ulen: 9}),
	}, want: "" +
		"IP 10.0.0.1.1000 > 10.0.0.2.2000: UDP, length 5\n" +
		"IP 10.0.0.1.1000 > 10.0.0.2.2000: UDP, bad length 92 > 5\n" +
		"IP 10.0.0.1.1000 > 10.0.0.2.2000: truncated-udplength 4\n" +
		"IP 10.0.0.1.1000 > 10.0.0.2.2000: UDP, length 1\n"},
	{name: "udp-vv", args: []string{"-vv"}, frames: [][]byte{
		udpFrame(dgram{sport: 1000, dport: 2000, data: []byte("hello")}),
		udpFrame(dgram{sport: 1000, dport: 2000, data: []byte("hello"), noSum: true}),
		udpFrame(dgram{sport: 1000, dport: 2000, data: []byte("hello"), badSum: true}),
	}, want: "" +
		"IP (tos 0x0, ttl 64, id 4660, offset 0, flags [none], proto UDP (17), length 33)\n" +
		"    10.0.0.1.1000 > 10.0.0.2.2000: [udp sum ok] UDP, length 5\n" +
		"IP (tos 0x0, ttl 64, id 4660, offset 0, flags [none], proto UDP (17), length 33)\n" +
		"    10.0.0.1.1000 > 10.0.0.2.2000: [no cksum] UDP, length 5\n" +
		"IP (tos 0x0, ttl 64, id 4660, offset 0, flags [none], proto UDP (17), length 33)\n" +
		"    10.0.0.1.1000 > 10.0.0.2.2000: [bad udp cksum 0xbeef -> 0x9c47!] UDP, length 5\n"},
	{name: "udp-v-q", args: []string{"-v", "-q"}, frames: [][]byte{
		udpFrame(dgram{sport: 1000, dport: 53, data: dnsQuery}),
	}, want: "" +
		"IP (tos 0x0, ttl 64, id 4660, offset 0, flags [none], proto UDP (17), length 80)\n" +
		"    10.0.0.1.1000 > 10.0.0.2.53: UDP, length 52\n"},
	{name: "udp-truncated", snap: 14 + 20 + 5, frames: [][]byte{
		udpFrame(dgram{sport: 1000, dport: 2000, data: []byte("hello")}),
	}, want: "" +
		"IP 10.0.0.1.1000 > 10.0.0.2.2000:  [|udp]\n"},
	{name: "udp-ports-truncated", snap: 14 + 20 + 3, frames: [][]byte{
		udpFrame(dgram{sport: 1000, dport: 2000, data: []byte("hello")}),
	}, want: "" +
		"IP 10.0.0.1 > 10.0.0.2:  [|udp]\n"},
	{name: "nfs-udp", frames: [][]byte{
		udpFrame(dgram{sport: 2049, dport: 800, data: []byte{0, 0, 0, 9, 0, 0, 0, 1, 0, 0, 0, 2}}),
	}, want: "" +
		"IP 10.0.0.1.2049 > 10.0.0.2.800: NFS reply xid 9 reply Unknown rpc response code=2 12\n"},
}

func TestUDPPrinter(t *testing.T) { runPrintCases(t, udpCases) }

func TestUDPCasesAgainstTCPDump(t *testing.T) { checkCasesWithTCPDump(t, udpCases) }

func TestAppendIPv6(t *testing.T) {
	for _, c := range []struct {
		a    [16]byte
		want string
	}{
		{[16]byte{}, "::"},
		{[16]byte{15: 1}, "::1"},
		{[16]byte{0x20, 0x01, 0xd, 0xb8, 15: 1}, "2001:db8::1"},
		{[16]byte{12: 1, 2, 3, 4}, "::1.2.3.4"},
		{[16]byte{10: 0xff, 0xff, 1, 2, 3, 4}, "::ffff:1.2.3.4"},
		{[16]byte{0, 1, 0, 0, 0, 1, 0, 0, 0, 0, 0, 1, 0, 0, 0, 1}, "1:0:1::1:0:1"},
		{[16]byte{0, 1, 2: 0, 0, 0, 1, 6: 0, 0, 0, 0, 0, 1, 0, 1, 0, 1}, "1:0:1::1:1:1"},
		{[16]byte{0, 1, 0, 0, 0, 1, 0, 1, 0, 1, 0, 1, 0, 1, 0, 0}, "1:0:1:1:1:1:1:0"},
	} {
		if got := string(appendIPv6(nil, c.a[:])); got != c.want {
			t.Errorf("appendIPv6(%x) = %q, want %q", c.a, got, c.want)
		}
	}
}
