package dump

import (
	"bytes"
	"testing"
)

// HNCP builders.

// hncpTLV is a TLV padded to four bytes, with its nested TLVs after its
// body.
func hncpTLV(typ uint16, body ...[]byte) []byte {
	b := cat(body...)
	t := cat(be16b(typ), be16b(uint16(len(b))), b)
	for len(t)%4 != 0 {
		t = append(t, 0)
	}
	return t
}

var (
	hncpNID      = []byte{0x31, 0xda, 0x78, 0xd2}
	hncpMapped10 = []byte{0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 10, 0, 99, 2}
	hncpNodeTLVs = cat(
		hncpTLV(8, hncpNID, be32b(1), be32b(2)),
		hncpTLV(32, []byte{0, 0, 0x04, 0x44}, []byte("hnetd/cac971d")),
		hncpTLV(33,
			hncpTLV(34, be32b(599), be32b(299), []byte{104, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 10},
				[]byte{0, 0, 0}, hncpTLV(43, []byte{0}), hncpTLV(43, []byte{48}, v6Global[:6]), hncpTLV(43, []byte{129, 3, 'l', 'a', 'n', 0}),
				hncpTLV(43, []byte{130}, []byte("opaque")), hncpTLV(43, []byte{131}), hncpTLV(43, []byte{200})),
			hncpTLV(37, []byte{6, 4, 192, 168, 1, 254}, []byte{42, 8, 10, 0, 0, 1, 10, 0, 0, 2}, []byte{119, 5}, dn("ab"), []byte{3, 0}),
			hncpTLV(38, be16b(23), be16b(16), v6Global[:], be16b(24), be16b(6), dn("home"), be16b(99), be16b(0))),
		hncpTLV(35, be32b(3), []byte{2, 64}, v6Global[:8]),
		hncpTLV(35, be32b(1), []byte{2, 120}, hncpMapped10[:15]),
		hncpTLV(36, be32b(1), hncpMapped10),
		hncpTLV(36, be32b(3), v6Global[:]),
		hncpTLV(39, v6Global[:], []byte{6}, []byte{3, 'l', 'a', 'n', 1, 'r', 4, 'h', 'o', 'm', 'e', 0}),
		hncpTLV(40, []byte{4, 'h', 'o', 'm', 'e', 0}),
		hncpTLV(41, hncpMapped10, []byte{2, 'r', '1'}),
		hncpTLV(42, bytes.Repeat([]byte{0x5c}, 32)),
		hncpTLV(10, []byte{1, 0, 0, 0}, bytes.Repeat([]byte{0xf0}, 32), []byte("CN=router")),
		hncpTLV(9, be32b(3), be32b(20000)),
		hncpTLV(0), hncpTLV(300), hncpTLV(900), hncpTLV(6), hncpTLV(2000))
	hncpFull = cat(
		hncpTLV(3, hncpNID, be32b(0x03000000)),
		hncpTLV(4, []byte{0x2a, 0xe5, 0xf7, 0x72, 0x55, 0x20, 0x0b, 0xcc}),
		hncpTLV(1),
		hncpTLV(2, hncpNID),
		hncpTLV(5, hncpNID, be32b(19), be32b(160088), []byte{0x80, 0, 0x88, 0xc8, 0xe0, 0x71, 0x46, 0x38}, hncpNodeTLVs))
	hncpBad = cat(
		hncpTLV(1, []byte{1}), hncpTLV(2, []byte{1}), hncpTLV(3, []byte{1}), hncpTLV(4, []byte{1}), hncpTLV(5, []byte{1}),
		hncpTLV(8, []byte{1}), hncpTLV(9, []byte{1}), hncpTLV(10, []byte{1}), hncpTLV(32, []byte{1}),
		hncpTLV(34, be32b(1), be32b(1), []byte{129}), hncpTLV(34, be32b(1), be32b(1), []byte{200, 1}),
		hncpTLV(35, be32b(1), []byte{2, 64}), hncpTLV(36, []byte{1}), hncpTLV(39, []byte{1}),
		hncpTLV(39, v6Global[:], []byte{0}, []byte{9, 'a'}), hncpTLV(40), hncpTLV(41, make([]byte, 16), []byte{70}),
		hncpTLV(41, make([]byte, 16), []byte{70}, make([]byte, 70)), hncpTLV(42, []byte{1}), hncpTLV(43),
		hncpTLV(43, []byte{0, 1}), hncpTLV(43, []byte{131, 1}), hncpTLV(43, []byte{64}), hncpTLV(37),
		hncpTLV(38), hncpTLV(38, be16b(23), be16b(3), []byte{1, 2, 3}), hncpTLV(38, be16b(23), be16b(40)),
		hncpTLV(37, []byte{6, 3, 1, 2, 3}))
)

var hncpCases = []printCase{
	{name: "hncp", frames: [][]byte{
		udp6Frame(v6Client, v6Server, 8231, 8231, hncpFull),
		udpFrame(dgram{sport: 8231, dport: 8231, data: hncpBad}),
	}, want: "" +
		"IP6 fe80::201:2ff:fe03:405.8231 > fe80::211:22ff:fe33:4455.8231: hncp (548) Node endpoint, Network state, Request network state, Request node state, Node state\n" +
		"IP 10.0.0.1.8231 > 10.0.0.2.8231: hncp (352) Request network state, Request node state, Node endpoint, Network state, Node state, Peer, Keep-alive interval, Trust-Verdict, HNCP-Version, Delegated-Prefix (x2), Assigned-Prefix, Node-Address, DNS-Delegated-Zone (x2), Domain-Name, Node-Name (x2), Managed-PSK, Prefix-Policy (x4), DHCPv4-Data, DHCPv6-Data (x3), DHCPv4-Data\n"},
	{name: "hncp-v", args: []string{"-v"}, frames: [][]byte{
		udp6Frame(v6Client, v6Server, 8231, 8231, hncpFull),
	}, want: "" +
		"IP6 (hlim 64, next-header UDP (17) payload length: 556) fe80::201:2ff:fe03:405.8231 > fe80::211:22ff:fe33:4455.8231: [udp sum ok] hncp (548)\n" +
		"\tNode endpoint (12) NID: 31:da:78:d2 EPID: 03000000\n" +
		"\tNetwork state (12) hash: 2ae5f77255200bcc\n" +
		"\tRequest network state (4)\n" +
		"\tRequest node state (8) NID: 31:da:78:d2\n" +
		"\tNode state (512) NID: 31:da:78:d2 seqno: 19 160.088s hash: 800088c8e0714638\n" +
		"\t\tPeer, HNCP-Version, External-Connection, Assigned-Prefix (x2), Node-Address (x2), DNS-Delegated-Zone, Domain-Name, Node-Name, Managed-PSK, Trust-Verdict, Keep-alive interval, Reserved, Unassigned, Private use, Future use (x2)\n"},
	{name: "hncp-vv", args: []string{"-vv"}, frames: [][]byte{
		udp6Frame(v6Client, v6Server, 8231, 8231, hncpFull),
	}, want: "" +
		"IP6 (hlim 64, next-header UDP (17) payload length: 556) fe80::201:2ff:fe03:405.8231 > fe80::211:22ff:fe33:4455.8231: [udp sum ok] hncp (548)\n" +
		"\tNode endpoint (12) NID: 31:da:78:d2 EPID: 03000000\n" +
		"\tNetwork state (12) hash: 2ae5f77255200bcc\n" +
		"\tRequest network state (4)\n" +
		"\tRequest node state (8) NID: 31:da:78:d2\n" +
		"\tNode state (512) NID: 31:da:78:d2 seqno: 19 160.088s hash: 800088c8e0714638\n" +
		"\t\tPeer (16) Peer-NID: 31:da:78:d2 Peer-EPID: 00000001 Local-EPID: 00000002\n" +
		"\t\tHNCP-Version (21) M: 0 P: 4 H: 4 L: 4 User-agent: hnetd/cac971d\n" +
		"\t\tExternal-Connection (160)\n" +
		"\t\t\tDelegated-Prefix, DHCPv4-Data, DHCPv6-Data\n" +
		"\t\tAssigned-Prefix (18) EPID: 00000003 Prty: 2 Prefix: 2001:db8:1::/64\n" +
		"\t\tAssigned-Prefix (25) EPID: 00000001 Prty: 2 Prefix: 10.0.99.0/24\n" +
		"\t\tNode-Address (24) EPID: 00000001 IP Address: 10.0.99.2\n" +
		"\t\tNode-Address (24) EPID: 00000003 IP Address: 2001:db8:1::10\n" +
		"\t\tDNS-Delegated-Zone (33) IP-Address: 2001:db8:1::10 lb- lan.r.home\n" +
		"\t\tDomain-Name (10) Domain: home\n" +
		"\t\tNode-Name (23) IP-Address: 10.0.99.2 Name: \"r1\"\n" +
		"\t\tManaged-PSK (36) PSK: 5c5c5c5c5c5c5c5c5c5c5c5c5c5c5c5c5c5c5c5c5c5c5c5c5c5c5c5c5c5c5c5c\n" +
		"\t\tTrust-Verdict (49) Verdict: 1 Fingerprint: f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0 Common Name: CN=router\n" +
		"\t\tKeep-alive interval (12) EPID: 00000003 Interval: 20.000s\n" +
		"\t\tReserved: type=0 (4)\n" +
		"\t\tUnassigned: type=300 (4)\n" +
		"\t\tPrivate use: type=900 (4)\n" +
		"\t\tFuture use: type=6 (4)\n" +
		"\t\tFuture use: type=2000 (4)\n"},
	{name: "hncp-vvv", args: []string{"-vvv"}, frames: [][]byte{
		udp6Frame(v6Client, v6Server, 8231, 8231, hncpFull),
		udpFrame(dgram{sport: 8231, dport: 8231, data: hncpBad}),
		udpFrame(dgram{sport: 8231, dport: 8231, data: cat(hncpTLV(1), []byte{0, 1})}),
		udpFrame(dgram{sport: 8231, dport: 8231, data: cat(hncpTLV(1), be16b(1), be16b(8), []byte{0, 0})}),
	}, want: "" +
		"IP6 (hlim 64, next-header UDP (17) payload length: 556) fe80::201:2ff:fe03:405.8231 > fe80::211:22ff:fe33:4455.8231: [udp sum ok] hncp (548)\n" +
		"\tNode endpoint (12) NID: 31:da:78:d2 EPID: 03000000\n" +
		"\tNetwork state (12) hash: 2ae5f77255200bcc\n" +
		"\tRequest network state (4)\n" +
		"\tRequest node state (8) NID: 31:da:78:d2\n" +
		"\tNode state (512) NID: 31:da:78:d2 seqno: 19 160.088s hash: 800088c8e0714638\n" +
		"\t\tPeer (16) Peer-NID: 31:da:78:d2 Peer-EPID: 00000001 Local-EPID: 00000002\n" +
		"\t\tHNCP-Version (21) M: 0 P: 4 H: 4 L: 4 User-agent: hnetd/cac971d\n" +
		"\t\tExternal-Connection (160)\n" +
		"\t\t\tDelegated-Prefix (88) VLSO: 0.599s PLSO: 0.299s Prefix: ::ff:ff0a:0:0/104\n" +
		"\t\t\t\tPrefix-Policy (5) type: Internet connectivity\n" +
		"\t\t\t\tPrefix-Policy (11) type: Dest-Prefix: 2001:db8:1::/48\n" +
		"\t\t\t\tPrefix-Policy (10) type: DNS domain: lan\n" +
		"\t\t\t\tPrefix-Policy (11) type: Opaque UTF-8: opaque\n" +
		"\t\t\t\tPrefix-Policy (5) type: Restrictive assignment\n" +
		"\t\t\t\tPrefix-Policy (5) type: Unknown (200)\n" +
		"\t\t\tDHCPv4-Data (28)\n" +
		"\t\t\t\tDNS-server (6) 192.168.1.254\n" +
		"\t\t\t\tNTP-server (10) 10.0.0.1 10.0.0.2\n" +
		"\t\t\t\tDNS-search (7) ab. ^@^@&. (invalid)\n" +
		"\t\tAssigned-Prefix (18) EPID: 00000003 Prty: 2 Prefix: 2001:db8:1::/64\n" +
		"\t\tAssigned-Prefix (25) EPID: 00000001 Prty: 2 Prefix: 10.0.99.0/24\n" +
		"\t\tNode-Address (24) EPID: 00000001 IP Address: 10.0.99.2\n" +
		"\t\tNode-Address (24) EPID: 00000003 IP Address: 2001:db8:1::10\n" +
		"\t\tDNS-Delegated-Zone (33) IP-Address: 2001:db8:1::10 lb- lan.r.home\n" +
		"\t\tDomain-Name (10) Domain: home\n" +
		"\t\tNode-Name (23) IP-Address: 10.0.99.2 Name: \"r1\"\n" +
		"\t\tManaged-PSK (36) PSK: 5c5c5c5c5c5c5c5c5c5c5c5c5c5c5c5c5c5c5c5c5c5c5c5c5c5c5c5c5c5c5c5c\n" +
		"\t\tTrust-Verdict (49) Verdict: 1 Fingerprint: f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0 Common Name: CN=router\n" +
		"\t\tKeep-alive interval (12) EPID: 00000003 Interval: 20.000s\n" +
		"\t\tReserved: type=0 (4)\n" +
		"\t\tUnassigned: type=300 (4)\n" +
		"\t\tPrivate use: type=900 (4)\n" +
		"\t\tFuture use: type=6 (4)\n" +
		"\t\tFuture use: type=2000 (4)\n" +
		"IP (tos 0x0, ttl 64, id 4660, offset 0, flags [none], proto UDP (17), length 380)\n" +
		"    10.0.0.1.8231 > 10.0.0.2.8231: [udp sum ok] hncp (352)\n" +
		"\tRequest network state (5) (invalid)\n" +
		"\tRequest node state (5) (invalid)\n" +
		"\tNode endpoint (5) (invalid)\n" +
		"\tNetwork state (5) (invalid)\n" +
		"\tNode state (5) (invalid)\n" +
		"\tPeer (5) (invalid)\n" +
		"\tKeep-alive interval (5) (invalid)\n" +
		"\tTrust-Verdict (5) (invalid)\n" +
		"\tHNCP-Version (5) (invalid)\n" +
		"\tDelegated-Prefix (13) (invalid)\n" +
		"\tDelegated-Prefix (14) (invalid)\n" +
		"\tAssigned-Prefix (10) (invalid)\n" +
		"\tNode-Address (5) (invalid)\n" +
		"\tDNS-Delegated-Zone (5) (invalid)\n" +
		"\tDNS-Delegated-Zone (23) IP-Address: 2001:db8:1::10 --- a[|DNS] (invalid)\n" +
		"\tDomain-Name (4) (invalid)\n" +
		"\tNode-Name (21) (invalid)\n" +
		"\tNode-Name (91) IP-Address: :: Name:  (invalid)\n" +
		"\tManaged-PSK (5) (invalid)\n" +
		"\tPrefix-Policy (4) (invalid)\n" +
		"\tPrefix-Policy (6) type:  (invalid)\n" +
		"\tPrefix-Policy (6) type:  (invalid)\n" +
		"\tPrefix-Policy (5) type: Dest-Prefix:  (invalid)\n" +
		"\tDHCPv4-Data (4) (invalid)\n" +
		"\tDHCPv6-Data (4) (invalid)\n" +
		"\tDHCPv6-Data (11)\n" +
		"\t\tDNS-server (7) (invalid) (invalid)\n" +
		"\tDHCPv6-Data (8)\n" +
		"\t\tDNS-server (44) (invalid)\n" +
		"\tDHCPv4-Data (9)\n" +
		"\t\tDNS-server (5) (invalid)\n" +
		"IP (tos 0x0, ttl 64, id 4660, offset 0, flags [none], proto UDP (17), length 34)\n" +
		"    10.0.0.1.8231 > 10.0.0.2.8231: [udp sum ok] hncp (6)\n" +
		"\tRequest network state (4)\n" +
		"\t [|hncp]\n" +
		"IP (tos 0x0, ttl 64, id 4660, offset 0, flags [none], proto UDP (17), length 38)\n" +
		"    10.0.0.1.8231 > 10.0.0.2.8231: [udp sum ok] hncp (10)\n" +
		"\tRequest network state (4)\n" +
		"\t [|hncp]\n"},
	{name: "hncp-truncated", args: []string{"-vvv"}, snap: 14 + 40 + 8 + 90, frames: [][]byte{
		udp6Frame(v6Client, v6Server, 8231, 8231, hncpFull),
	}, want: "" +
		"IP6 (hlim 64, next-header UDP (17) payload length: 556) fe80::201:2ff:fe03:405.8231 > fe80::211:22ff:fe33:4455.8231: hncp (548)\n" +
		"\tNode endpoint (12) NID: 31:da:78:d2 EPID: 03000000\n" +
		"\tNetwork state (12) hash: 2ae5f77255200bcc\n" +
		"\tRequest network state (4)\n" +
		"\tRequest node state (8) NID: 31:da:78:d2\n" +
		"\t [|hncp]\n"},
}

func TestHNCPPrinter(t *testing.T) { runPrintCases(t, hncpCases) }

func TestHNCPCasesAgainstTCPDump(t *testing.T) { checkCasesWithTCPDump(t, hncpCases) }
