package dump

import (
	"encoding/binary"
	"encoding/hex"
	"strings"
	"testing"

	"github.com/medina-net/medina/checksum"
)

// hx decodes hex written with spaces between groups, for readable frames.
func hx(s string) []byte {
	b, err := hex.DecodeString(strings.ReplaceAll(s, " ", ""))
	if err != nil {
		panic(err)
	}
	return b
}

var (
	hostC = [4]byte{192, 168, 1, 1}
	hostD = [4]byte{192, 168, 1, 2}
)

// innerIPv4 is an ICMP echo request from 192.168.1.1 to 192.168.1.2 as a
// bare IPv4 datagram, the payload of a tunnel.
var innerIPv4 = func() []byte {
	icmp := hx("0800 0000 0001 0002 70696e67")
	binary.BigEndian.PutUint16(icmp[2:], checksum.Checksum(icmp, 0))
	return ipFrame(1, hostC, hostD, icmp, false)[14:]
}()

// innerIPv6 is an IPv6 packet from ::1 to ::2 with no next header.
var innerIPv6 = hx("6000000000003b40 00000000000000000000000000000001 00000000000000000000000000000002")

// innerEther is an Ethernet frame carrying innerIPv4, for transparent
// Ethernet bridging.
var innerEther = cat(hx("020000000002 020000000001 0800"), innerIPv4)

// innerIPX is an IPX SAP response (from the link tests).
var innerIPX = hx("ffff00600004000000000000000000000452000000000000000000000452000200044653310000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000")

// greFrame wraps a GRE packet in IPv4 from 10.0.0.1 to 10.0.0.2 and
// Ethernet.
func greFrame(gre ...[]byte) []byte { return ipFrame(47, hostA, hostB, cat(gre...), false) }

// pptpGRE is an enhanced GRE header (version 1) with the key, the given
// sequence number, and an acknowledgment number when ack is not negative,
// followed by a PPP frame.
func pptpGRE(seq uint32, ack int64, ppp []byte) []byte {
	flags := uint16(0x3001)
	if ack >= 0 {
		flags |= 0x0080
	}
	b := binary.BigEndian.AppendUint16(nil, flags)
	b = binary.BigEndian.AppendUint16(b, 0x880b)
	b = binary.BigEndian.AppendUint16(b, uint16(len(ppp)))
	b = binary.BigEndian.AppendUint16(b, 7) // call ID
	b = binary.BigEndian.AppendUint32(b, seq)
	if ack >= 0 {
		b = binary.BigEndian.AppendUint32(b, uint32(ack))
	}
	return greFrame(b, ppp)
}

// Source route entries: IPv4 addresses with the second one next, AS
// numbers, an unknown family, and the terminator.
var greRoutes = hx("0800 04 08 01020304 05060708  fffe 02 04 0064 00c8  1234 00 02 abcd  0000 00 00")

var greBadRoutes = hx("0800 02 08 0102030405060708  0800 00 06 010203040506  0800 08 08 0102030405060708  fffe 01 02 0001  fffe 00 03 000102  0000 00 00")

var greCases = []printCase{
	{name: "v0 IPv4", frames: [][]byte{greFrame(hx("0000 0800"), innerIPv4)}, want: "IP 10.0.0.1 > 10.0.0.2: GREv0, length 36: IP 192.168.1.1 > 192.168.1.2: ICMP echo request, id 1, seq 2, length 12\n"},
	{name: "v0 IPv4 -v", args: []string{"-v"}, frames: [][]byte{greFrame(hx("0000 0800"), innerIPv4)}, want: "" +
		"IP (tos 0x0, ttl 64, id 4660, offset 0, flags [none], proto GRE (47), length 56)\n" +
		"    10.0.0.1 > 10.0.0.2: GREv0, Flags [none], length 36\n" +
		"\tIP (tos 0x0, ttl 64, id 4660, offset 0, flags [none], proto ICMP (1), length 32)\n" +
		"    192.168.1.1 > 192.168.1.2: ICMP echo request, id 1, seq 2, length 12\n"},
	{name: "v0 key and sequence", frames: [][]byte{greFrame(hx("3000 0800 0000abcd 00000007"), innerIPv4)}, want: "IP 10.0.0.1 > 10.0.0.2: GREv0, key=0xabcd, seq 7, length 44: IP 192.168.1.1 > 192.168.1.2: ICMP echo request, id 1, seq 2, length 12\n"},
	{name: "v0 key and sequence -v -e", args: []string{"-v", "-e"}, frames: [][]byte{greFrame(hx("3000 0800 0000abcd 00000007"), innerIPv4)}, want: "" +
		"02:00:00:00:00:01 > 02:00:00:00:00:02, ethertype IPv4 (0x0800), length 78: (tos 0x0, ttl 64, id 4660, offset 0, flags [none], proto GRE (47), length 64)\n" +
		"    10.0.0.1 > 10.0.0.2: GREv0, Flags [key present, sequence# present], key=0xabcd, seq 7, proto IPv4 (0x0800), length 44\n" +
		"\t(tos 0x0, ttl 64, id 4660, offset 0, flags [none], proto ICMP (1), length 32)\n" +
		"    192.168.1.1 > 192.168.1.2: ICMP echo request, id 1, seq 2, length 12\n"},
	{name: "v0 checksum IPv6", frames: [][]byte{greFrame(hx("8000 86dd 1234 0000"), innerIPv6)}, want: "IP 10.0.0.1 > 10.0.0.2: GREv0, off 0x0, length 48: IP6 ::1 > ::2: no next header\n"},
	{name: "v0 checksum IPv6 -vv", args: []string{"-vv"}, frames: [][]byte{greFrame(hx("8000 86dd 1234 0000"), innerIPv6)}, want: "" +
		"IP (tos 0x0, ttl 64, id 4660, offset 0, flags [none], proto GRE (47), length 68)\n" +
		"    10.0.0.1 > 10.0.0.2: GREv0, Flags [checksum present], sum 0x1234, off 0x0, length 48\n" +
		"\tIP6 (hlim 64, next-header unknown (59) payload length: 0) ::1 > ::2: no next header\n"},
	{name: "v0 all flags TEB", frames: [][]byte{greFrame(hx("b800 6558 beef 0000 01020304 ffffffff"), innerEther)}, want: "IP 10.0.0.1 > 10.0.0.2: GREv0, off 0x0, key=0x1020304, seq 4294967295, length 62: IP 192.168.1.1 > 192.168.1.2: ICMP echo request, id 1, seq 2, length 12\n"},
	{name: "v0 TEB -e -v", args: []string{"-e", "-v"}, frames: [][]byte{greFrame(hx("2000 6558 00000001"), innerEther)}, want: "" +
		"02:00:00:00:00:01 > 02:00:00:00:00:02, ethertype IPv4 (0x0800), length 88: (tos 0x0, ttl 64, id 4660, offset 0, flags [none], proto GRE (47), length 74)\n" +
		"    10.0.0.1 > 10.0.0.2: GREv0, Flags [key present], key=0x1, proto TEB (0x6558), length 54\n" +
		"\t02:00:00:00:00:01 > 02:00:00:00:00:02, ethertype IPv4 (0x0800), length 46: (tos 0x0, ttl 64, id 4660, offset 0, flags [none], proto ICMP (1), length 32)\n" +
		"    192.168.1.1 > 192.168.1.2: ICMP echo request, id 1, seq 2, length 12\n"},
	{name: "v0 IPX", frames: [][]byte{greFrame(hx("0000 8137"), innerIPX)}, want: "IP 10.0.0.1 > 10.0.0.2: GREv0, length 100: IPX 00000000.00:00:00:00:00:00.0452 > 00000000.00:00:00:00:00:00.0452: ipx-sap-resp 0004 'FS1' addr 00000000.00:00:00:00:00:00\n"},
	{name: "v0 unknown protocol", args: []string{"-e"}, frames: [][]byte{greFrame(hx("0000 1234 01020304"))}, want: "02:00:00:00:00:01 > 02:00:00:00:00:02, ethertype IPv4 (0x0800), length 42: 10.0.0.1 > 10.0.0.2: GREv0, proto unknown (0x1234), length 8: gre-proto-0x1234\n"},
	{name: "v0 routing", args: []string{"-v"}, frames: [][]byte{greFrame(hx("4000 0800 0000 0004"), greRoutes, innerIPv4)}, want: "" +
		"IP (tos 0x0, ttl 64, id 4660, offset 0, flags [none], proto GRE (47), length 90)\n" +
		"    10.0.0.1 > 10.0.0.2: GREv0, Flags [routing present], sum 0x0, off 0x4, (rtaf=ip 1.2.3.4 *5.6.7.8), (rtaf=asn 64 *c8), (rtaf=0x1234), length 70\n" +
		"\tIP (tos 0x0, ttl 64, id 4660, offset 0, flags [none], proto ICMP (1), length 32)\n" +
		"    192.168.1.1 > 192.168.1.2: ICMP echo request, id 1, seq 2, length 12\n"},
	{name: "v0 bad routes", frames: [][]byte{greFrame(hx("4000 0800 0000 0004"), greBadRoutes, innerIPv4)}, want: "IP 10.0.0.1 > 10.0.0.2: GREv0, off 0x4, (rtaf=ip, badoffset=2), (rtaf=ip, badlength=6), (rtaf=ip, badoff/len=8/8), (rtaf=asn, badoffset=1), (rtaf=asn, badlength=3), length 91: IP 192.168.1.1 > 192.168.1.2: ICMP echo request, id 1, seq 2, length 12\n"},
	{name: "v0 route past the end", frames: [][]byte{
		greFrame(hx("4000 0800 0000 0004 0800 00 08 01020304 050607")),
		greFrame(hx("4000 0800 0000 0004 0800 00 04 01020304 0000")),
		greFrame(hx("4000 0800 0000 0004 1234 00 08 01020304")),
	}, want: "" +
		"IP 10.0.0.1 > 10.0.0.2: GREv0, off 0x4, (rtaf=ip *1.2.3.4) [|gre]\n" +
		"IP 10.0.0.1 > 10.0.0.2: GREv0, off 0x4, (rtaf=ip *1.2.3.4) [|gre]\n" +
		"IP 10.0.0.1 > 10.0.0.2: GREv0, off 0x4, (rtaf=0x1234) [|gre]\n"},
	{name: "v0 recursion and strict route bits", args: []string{"-v"}, frames: [][]byte{greFrame(hx("0f78 0800"), innerIPv4)}, want: "" +
		"IP (tos 0x0, ttl 64, id 4660, offset 0, flags [none], proto GRE (47), length 56)\n" +
		"    10.0.0.1 > 10.0.0.2: GREv0, Flags [source routing present], length 36\n" +
		"\tIP (tos 0x0, ttl 64, id 4660, offset 0, flags [none], proto ICMP (1), length 32)\n" +
		"    192.168.1.1 > 192.168.1.2: ICMP echo request, id 1, seq 2, length 12\n"},
	{name: "unknown versions", args: []string{"-v"}, frames: [][]byte{greFrame(hx("0002 0800")), greFrame(hx("ffff"))}, want: "" +
		"IP (tos 0x0, ttl 64, id 4660, offset 0, flags [none], proto GRE (47), length 24)\n" +
		"    10.0.0.1 > 10.0.0.2: GREv2 ERROR: unknown-version\n" +
		"IP (tos 0x0, ttl 64, id 4660, offset 0, flags [none], proto GRE (47), length 22)\n" +
		"    10.0.0.1 > 10.0.0.2: GREv7 ERROR: unknown-version\n"},
	{name: "short by length", args: []string{"-v"}, frames: [][]byte{
		greFrame(hx("00")),
		greFrame(hx("0000 08")),
		greFrame(hx("8000 0800 00")),
		greFrame(hx("8000 0800 0000 00")),
		greFrame(hx("2000 0800 000000")),
		greFrame(hx("1000 0800 000000")),
		greFrame(hx("4000 0800 0000 0000 0800")),
		greFrame(hx("3001 880b 0000")),
		greFrame(hx("3001 880b 0000 0000 0000")),
		greFrame(hx("3081 880b 0000 0000 0000 0000 0000")),
	}, want: "" +
		"IP (tos 0x0, ttl 64, id 4660, offset 0, flags [none], proto GRE (47), length 21)\n" +
		"    10.0.0.1 > 10.0.0.2:  [|gre]\n" +
		"IP (tos 0x0, ttl 64, id 4660, offset 0, flags [none], proto GRE (47), length 23)\n" +
		"    10.0.0.1 > 10.0.0.2: GREv0, Flags [none] [|gre]\n" +
		"IP (tos 0x0, ttl 64, id 4660, offset 0, flags [none], proto GRE (47), length 25)\n" +
		"    10.0.0.1 > 10.0.0.2: GREv0, Flags [checksum present] [|gre]\n" +
		"IP (tos 0x0, ttl 64, id 4660, offset 0, flags [none], proto GRE (47), length 27)\n" +
		"    10.0.0.1 > 10.0.0.2: GREv0, Flags [checksum present], sum 0x0 [|gre]\n" +
		"IP (tos 0x0, ttl 64, id 4660, offset 0, flags [none], proto GRE (47), length 27)\n" +
		"    10.0.0.1 > 10.0.0.2: GREv0, Flags [key present] [|gre]\n" +
		"IP (tos 0x0, ttl 64, id 4660, offset 0, flags [none], proto GRE (47), length 27)\n" +
		"    10.0.0.1 > 10.0.0.2: GREv0, Flags [sequence# present] [|gre]\n" +
		"IP (tos 0x0, ttl 64, id 4660, offset 0, flags [none], proto GRE (47), length 30)\n" +
		"    10.0.0.1 > 10.0.0.2: GREv0, Flags [routing present], sum 0x0, off 0x0 [|gre]\n" +
		"IP (tos 0x0, ttl 64, id 4660, offset 0, flags [none], proto GRE (47), length 26)\n" +
		"    10.0.0.1 > 10.0.0.2: GREv1, Flags [key present, sequence# present] [|gre]\n" +
		"IP (tos 0x0, ttl 64, id 4660, offset 0, flags [none], proto GRE (47), length 30)\n" +
		"    10.0.0.1 > 10.0.0.2: GREv1, Flags [key present, sequence# present], call 0 [|gre]\n" +
		"IP (tos 0x0, ttl 64, id 4660, offset 0, flags [none], proto GRE (47), length 34)\n" +
		"    10.0.0.1 > 10.0.0.2: GREv1, Flags [key present, sequence# present, ack present], call 0, seq 0 [|gre]\n"},
	{name: "cut by the capture", args: []string{"-x"}, snap: 14 + 20 + 10, frames: [][]byte{
		greFrame(hx("3000 0800 0000abcd 00000007"), innerIPv4),
		greFrame(hx("3081 880b 0010 0007 00000001 00000002 ff03c021")),
	}, want: "" +
		"IP 10.0.0.1 > 10.0.0.2: GREv0, key=0xabcd [|gre]\n" +
		"\t0x0000:  4500 0040 1234 0000 402f 5459 0a00 0001\n" +
		"\t0x0010:  0a00 0002 3000 0800 0000 abcd 0000\n" +
		"IP 10.0.0.1 > 10.0.0.2: GREv1, call 7 [|gre]\n" +
		"\t0x0000:  4500 0028 1234 0000 402f 5471 0a00 0001\n" +
		"\t0x0010:  0a00 0002 3081 880b 0010 0007 0000\n"},
	{name: "v1 no payload", args: []string{"-v"}, frames: [][]byte{greFrame(hx("2081 880b 0000 0007 00000005"))}, want: "" +
		"IP (tos 0x0, ttl 64, id 4660, offset 0, flags [none], proto GRE (47), length 32)\n" +
		"    10.0.0.1 > 10.0.0.2: GREv1, Flags [key present, ack present], call 7, ack 5, no-payload, length 12\n"},
	{name: "v1 no payload -e", args: []string{"-e"}, frames: [][]byte{greFrame(hx("2001 880b 0000 0007"))}, want: "02:00:00:00:00:01 > 02:00:00:00:00:02, ethertype IPv4 (0x0800), length 42: 10.0.0.1 > 10.0.0.2: GREv1, call 7, no-payload, proto PPP (0x880b), length 8\n"},
	{name: "v1 not PPP", frames: [][]byte{greFrame(hx("3001 0800 0000 0007 00000001"), innerIPv4)}, want: "IP 10.0.0.1 > 10.0.0.2: GREv1, call 7, seq 1, length 44: gre-proto-0x800\n"},
	{name: "v1 PPP IPv4", frames: [][]byte{pptpGRE(3, 2, cat(hx("ff03 0021"), innerIPv4))}, want: "IP 10.0.0.1 > 10.0.0.2: GREv1, call 7, seq 3, ack 2, length 52: IP 192.168.1.1 > 192.168.1.2: ICMP echo request, id 1, seq 2, length 12\n"},
	{name: "v1 PPP IPv4 -v -e", args: []string{"-v", "-e"}, frames: [][]byte{pptpGRE(3, 2, cat(hx("ff03 0021"), innerIPv4))}, want: "" +
		"02:00:00:00:00:01 > 02:00:00:00:00:02, ethertype IPv4 (0x0800), length 86: (tos 0x0, ttl 64, id 4660, offset 0, flags [none], proto GRE (47), length 72)\n" +
		"    10.0.0.1 > 10.0.0.2: GREv1, Flags [key present, sequence# present, ack present], call 7, seq 3, ack 2, proto PPP (0x880b), length 52\n" +
		"\tIP (0x0021), length 36: (tos 0x0, ttl 64, id 4660, offset 0, flags [none], proto ICMP (1), length 32)\n" +
		"    192.168.1.1 > 192.168.1.2: ICMP echo request, id 1, seq 2, length 12\n"},
}

func TestGREPrinter(t *testing.T) { runPrintCases(t, greCases) }

func TestGRECasesAgainstTCPDump(t *testing.T) { checkCasesWithTCPDump(t, greCases) }
