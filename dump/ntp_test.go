package dump

import (
	"bytes"
	"testing"
)

// NTP builders.

// ntpTimeMsg is a time message: leap, version and mode, stratum, poll,
// precision, then the root delay and dispersion, the reference ID and
// four timestamps, and what follows them.
func ntpTimeMsg(lvm, stratum byte, poll, prec int8, refID uint32, ts [4]uint64, tail ...[]byte) []byte {
	m := []byte{lvm, stratum, byte(poll), byte(prec)}
	m = cat(m, be32b(0x00012000), be32b(0x00000a3d), be32b(refID))
	for _, t := range ts {
		m = cat(m, be32b(uint32(t>>32)), be32b(uint32(t)))
	}
	return cat(m, cat(tail...))
}

// ntpControlMsg is a mode 6 message with its data.
func ntpControlMsg(control byte, seq, status, assoc, offset uint16, data []byte) []byte {
	return cat([]byte{0x16, control}, be16b(seq), be16b(status), be16b(assoc), be16b(offset),
		be16b(uint16(len(data))), data)
}

var (
	ntpT1        = uint64(0xe3e1c5a41f9db22d)
	ntpT2        = uint64(0xe3e1c5a4203ea6bc)
	ntpClient    = ntpTimeMsg(0x23, 0, 6, -20, 0, [4]uint64{0, 0, 0, ntpT1})
	ntpServer    = ntpTimeMsg(0x24, 2, 6, -23, 0xc0a80101, [4]uint64{ntpT1 - 1<<32, ntpT1, ntpT2, ntpT2 + 12345}, be32b(7), bytes.Repeat([]byte{0xa5}, 16))
	ntpPrimary   = ntpTimeMsg(0x1c, 1, -6, -29, 0x47505300, [4]uint64{ntpT2, ntpT2, ntpT1, ntpT1}, be32b(1), bytes.Repeat([]byte{0x5a}, 20))
	ntpQuery     = ntpTimeMsg(0xe3, 62, 4, 0, 0x0a000001, [4]uint64{})
	ntpReserved  = ntpTimeMsg(0x25, 200, 40, 0, 0xdeadbeef, [4]uint64{1, 2, 3, 4}, be32b(9))
	ntpExtended  = ntpTimeMsg(0x21, 3, 10, -10, 0x7f000001, [4]uint64{ntpT2, 0, ntpT1, 0}, make([]byte, 30))
	ntpReadVar   = ntpControlMsg(0x02, 7, 0, 0, 0, nil)
	ntpVarReply  = ntpControlMsg(0x82, 7, 0x0618, 0, 0, []byte("version=\"ntpd 4.2.8\", leap=0"))
	ntpErrReply  = ntpControlMsg(0xe1, 8, 0x0400, 3, 12, nil)
	ntpShortCtrl = ntpControlMsg(0x02, 7, 0, 0, 0, nil)[:10]
	ntpLongCount = cat(ntpControlMsg(0x82, 9, 0, 0, 0, nil)[:10], be16b(40), []byte("abc"))
	ntpMode7     = cat([]byte{0x17, 0x00, 0x03, 0x2a}, make([]byte, 40))
)

var ntpCases = []printCase{
	{name: "ntp", frames: [][]byte{
		udpFrame(dgram{sport: 40000, dport: 123, data: ntpClient}),
		udpFrame(dgram{sport: 123, dport: 40000, data: ntpServer}),
		udpFrame(dgram{sport: 40000, dport: 123, data: ntpReadVar}),
		udpFrame(dgram{sport: 40000, dport: 123, data: ntpMode7}),
	}, want: "" +
		"IP 10.0.0.1.40000 > 10.0.0.2.123: NTPv4, Client, length 48\n" +
		"IP 10.0.0.1.123 > 10.0.0.2.40000: NTPv4, Server, length 68\n" +
		"IP 10.0.0.1.40000 > 10.0.0.2.123: NTPv2, Control Message, length 12\n" +
		"IP 10.0.0.1.40000 > 10.0.0.2.123: NTPv2, Reserved, length 44\n"},
	{name: "ntp-v", args: []string{"-v"}, frames: [][]byte{
		udpFrame(dgram{sport: 40000, dport: 123, data: ntpClient}),
		udpFrame(dgram{sport: 123, dport: 40000, data: ntpServer}),
		udp6Frame(v6Server, v6Client, 123, 123, ntpPrimary),
		udpFrame(dgram{sport: 123, dport: 123, data: ntpQuery}),
		udpFrame(dgram{sport: 123, dport: 123, data: ntpReserved}),
		udpFrame(dgram{sport: 123, dport: 123, data: ntpExtended}),
		udpFrame(dgram{sport: 123, dport: 123, data: ntpClient[:40]}),
		udpFrame(dgram{sport: 40000, dport: 123, data: ntpReadVar}),
		udpFrame(dgram{sport: 123, dport: 40000, data: ntpVarReply}),
		udp6Frame(v6Server, v6Client, 123, 40000, ntpErrReply),
		udpFrame(dgram{sport: 40000, dport: 123, data: ntpShortCtrl}),
		udpFrame(dgram{sport: 40000, dport: 123, data: ntpLongCount}),
		udpFrame(dgram{sport: 40000, dport: 123, data: ntpMode7}),
	}, want: "" +
		"IP (tos 0x0, ttl 64, id 4660, offset 0, flags [none], proto UDP (17), length 76)\n" +
		"    10.0.0.1.40000 > 10.0.0.2.123: NTPv4, Client, length 48\n" +
		"\tLeap indicator:  (0), Stratum 0 (unspecified), poll 6 (64s), precision -20\n" +
		"\tRoot Delay: 1.125000, Root dispersion: 0.039993, Reference-ID: (unspec)\n" +
		"\t  Reference Timestamp:  0.000000000\n" +
		"\t  Originator Timestamp: 0.000000000\n" +
		"\t  Receive Timestamp:    0.000000000\n" +
		"\t  Transmit Timestamp:   3823224228.123499999 (2021-02-25T06:43:48Z)\n" +
		"\t    Originator - Receive Timestamp:  0.000000000\n" +
		"\t    Originator - Transmit Timestamp: 3823224228.123499999 (2021-02-25T06:43:48Z)\n" +
		"IP (tos 0x0, ttl 64, id 4660, offset 0, flags [none], proto UDP (17), length 96)\n" +
		"    10.0.0.1.123 > 10.0.0.2.40000: NTPv4, Server, length 68\n" +
		"\tLeap indicator:  (0), Stratum 2 (secondary reference), poll 6 (64s), precision -23\n" +
		"\tRoot Delay: 1.125000, Root dispersion: 0.039993, Reference-ID: 0xc0a80101\n" +
		"\t  Reference Timestamp:  3823224227.123499999 (2021-02-25T06:43:47Z)\n" +
		"\t  Originator Timestamp: 3823224228.123499999 (2021-02-25T06:43:48Z)\n" +
		"\t  Receive Timestamp:    3823224228.125955983 (2021-02-25T06:43:48Z)\n" +
		"\t  Transmit Timestamp:   3823224228.125958857 (2021-02-25T06:43:48Z)\n" +
		"\t    Originator - Receive Timestamp:  +0.002455983\n" +
		"\t    Originator - Transmit Timestamp: +0.002458857\n" +
		"\tKey id: 7\n" +
		"\tAuthentication: a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5\n" +
		"IP6 (hlim 64, next-header UDP (17) payload length: 80) fe80::211:22ff:fe33:4455.123 > fe80::201:2ff:fe03:405.123: [udp sum ok] NTPv3, Server, length 72\n" +
		"\tLeap indicator:  (0), Stratum 1 (primary reference), poll -6 (1/64s), precision -29\n" +
		"\tRoot Delay: 1.125000, Root dispersion: 0.039993, Reference-ID: GPS^@\n" +
		"\t  Reference Timestamp:  3823224228.125955983 (2021-02-25T06:43:48Z)\n" +
		"\t  Originator Timestamp: 3823224228.125955983 (2021-02-25T06:43:48Z)\n" +
		"\t  Receive Timestamp:    3823224228.123499999 (2021-02-25T06:43:48Z)\n" +
		"\t  Transmit Timestamp:   3823224228.123499999 (2021-02-25T06:43:48Z)\n" +
		"\t    Originator - Receive Timestamp:  -0.002455983\n" +
		"\t    Originator - Transmit Timestamp: -0.002455983\n" +
		"\tKey id: 1\n" +
		"\tAuthentication: 5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a\n" +
		"IP (tos 0x0, ttl 64, id 4660, offset 0, flags [none], proto UDP (17), length 76)\n" +
		"    10.0.0.1.123 > 10.0.0.2.123: NTPv4, Client, length 48\n" +
		"\tLeap indicator: clock unsynchronized (192), Stratum 62 (reserved), poll 4 (16s), precision 0\n" +
		"\tRoot Delay: 1.125000, Root dispersion: 0.039993, Reference-ID: 10.0.0.1 INFO_QUERY\n" +
		"IP (tos 0x0, ttl 64, id 4660, offset 0, flags [none], proto UDP (17), length 80)\n" +
		"    10.0.0.1.123 > 10.0.0.2.123: NTPv4, Broadcast, length 52\n" +
		"\tLeap indicator:  (0), Stratum 200 (reserved), poll 40, precision 0\n" +
		"\tRoot Delay: 1.125000, Root dispersion: 0.039993, Reference-ID: 0xdeadbeef\n" +
		"\t  Reference Timestamp:  0.000000000\n" +
		"\t  Originator Timestamp: 0.000000000\n" +
		"\t  Receive Timestamp:    0.000000000\n" +
		"\t  Transmit Timestamp:   0.000000000\n" +
		"\t    Originator - Receive Timestamp:  +0.000000000\n" +
		"\t    Originator - Transmit Timestamp: +0.000000000\n" +
		"\tKey id: 9\n" +
		"IP (tos 0x0, ttl 64, id 4660, offset 0, flags [none], proto UDP (17), length 106)\n" +
		"    10.0.0.1.123 > 10.0.0.2.123: NTPv4, symmetric active, length 78\n" +
		"\tLeap indicator:  (0), Stratum 3 (secondary reference), poll 10 (1024s), precision -10\n" +
		"\tRoot Delay: 1.125000, Root dispersion: 0.039993, Reference-ID: 0x7f000001\n" +
		"\t  Reference Timestamp:  3823224228.125955983 (2021-02-25T06:43:48Z)\n" +
		"\t  Originator Timestamp: 0.000000000\n" +
		"\t  Receive Timestamp:    3823224228.123499999 (2021-02-25T06:43:48Z)\n" +
		"\t  Transmit Timestamp:   0.000000000\n" +
		"\t    Originator - Receive Timestamp:  3823224228.123499999 (2021-02-25T06:43:48Z)\n" +
		"\t    Originator - Transmit Timestamp: 0.000000000\n" +
		"\t(30 more bytes after the header)\n" +
		"IP (tos 0x0, ttl 64, id 4660, offset 0, flags [none], proto UDP (17), length 68)\n" +
		"    10.0.0.1.123 > 10.0.0.2.123: NTPv4, Client, length 40\n" +
		"\tLeap indicator:  (0) (invalid)\n" +
		"IP (tos 0x0, ttl 64, id 4660, offset 0, flags [none], proto UDP (17), length 40)\n" +
		"    10.0.0.1.40000 > 10.0.0.2.123: NTPv2, Control Message, length 12\n" +
		"\tLeap indicator:  (0), Request, OK, Last, OpCode=2\n" +
		"\tSequence=7, Status=0, Assoc.=0, Offset=0, Count=0\n" +
		"IP (tos 0x0, ttl 64, id 4660, offset 0, flags [none], proto UDP (17), length 68)\n" +
		"    10.0.0.1.123 > 10.0.0.2.40000: NTPv2, Control Message, length 40\n" +
		"\tLeap indicator:  (0), Response, OK, Last, OpCode=2\n" +
		"\tSequence=7, Status=0x618, Assoc.=0, Offset=0, Count=28\n" +
		"\tTO-BE-DONE: data not interpreted\n" +
		"IP6 (hlim 64, next-header UDP (17) payload length: 20) fe80::211:22ff:fe33:4455.123 > fe80::201:2ff:fe03:405.40000: [udp sum ok] NTPv2, Control Message, length 12\n" +
		"\tLeap indicator:  (0), Response, Error, More, OpCode=1\n" +
		"\tSequence=8, Status=0x400, Assoc.=3, Offset=12, Count=0\n" +
		"IP (tos 0x0, ttl 64, id 4660, offset 0, flags [none], proto UDP (17), length 38)\n" +
		"    10.0.0.1.40000 > 10.0.0.2.123: NTPv2, Control Message, length 10\n" +
		"\tLeap indicator:  (0) (invalid)\n" +
		"IP (tos 0x0, ttl 64, id 4660, offset 0, flags [none], proto UDP (17), length 43)\n" +
		"    10.0.0.1.40000 > 10.0.0.2.123: NTPv2, Control Message, length 15\n" +
		"\tLeap indicator:  (0), Response, OK, Last, OpCode=2\n" +
		"\tSequence=9, Status=0, Assoc.=0, Offset=0, Count=40 (invalid)\n" +
		"IP (tos 0x0, ttl 64, id 4660, offset 0, flags [none], proto UDP (17), length 72)\n" +
		"    10.0.0.1.40000 > 10.0.0.2.123: NTPv2, Reserved, length 44\n" +
		"\tLeap indicator:  (0)\n"},
	{name: "ntp-truncated", args: []string{"-vv"}, snap: 14 + 20 + 8 + 30, frames: [][]byte{
		udpFrame(dgram{sport: 123, dport: 40000, data: ntpServer}),
		udpFrame(dgram{sport: 123, dport: 40000, data: ntpVarReply}),
		udpFrame(dgram{sport: 123, dport: 40000, data: ntpClient[:40]}),
	}, want: "" +
		"IP (tos 0x0, ttl 64, id 4660, offset 0, flags [none], proto UDP (17), length 96)\n" +
		"    10.0.0.1.123 > 10.0.0.2.40000: NTPv4, Server, length 68\n" +
		"\tLeap indicator:  (0), Stratum 2 (secondary reference), poll 6 (64s), precision -23\n" +
		"\tRoot Delay: 1.125000, Root dispersion: 0.039993, Reference-ID: 0xc0a80101\n" +
		"\t  Reference Timestamp:  3823224227.123499999 (2021-02-25T06:43:47Z) [|ntp]\n" +
		"IP (tos 0x0, ttl 64, id 4660, offset 0, flags [none], proto UDP (17), length 68)\n" +
		"    10.0.0.1.123 > 10.0.0.2.40000: NTPv2, Control Message, length 40\n" +
		"\tLeap indicator:  (0), Response, OK, Last, OpCode=2\n" +
		"\tSequence=7, Status=0x618, Assoc.=0, Offset=0, Count=28 [|ntp]\n" +
		"IP (tos 0x0, ttl 64, id 4660, offset 0, flags [none], proto UDP (17), length 68)\n" +
		"    10.0.0.1.123 > 10.0.0.2.40000: NTPv4, Client, length 40\n" +
		"\tLeap indicator:  (0) (invalid) [|ntp]\n"},
}

func TestNTPPrinter(t *testing.T) { runPrintCases(t, ntpCases) }

func TestNTPCasesAgainstTCPDump(t *testing.T) { checkCasesWithTCPDump(t, ntpCases) }
