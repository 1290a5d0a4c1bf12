package dump

import (
	"math/rand/v2"
	"testing"
)

// Tests of the BOOTP/DHCP printer (bootp.go): a generator of random
// messages printed by tcpdump 4.99.3 and by the printer alike.

// dhcpOpt is an option: tag, length, data.
func dhcpOpt(tag byte, d ...[]byte) []byte {
	v := cat(d...)
	return cat([]byte{tag, byte(len(v))}, v)
}

// dhcpOption returns a random option, of a known tag most of the time.
func (g randGen) dhcpOption() []byte {
	tags := []byte{1, 2, 3, 6, 12, 13, 15, 19, 21, 23, 28, 33, 43, 46, 50, 51, 52, 53, 54, 55, 57, 60, 61, 77, 81, 82, 121, 249, 90, 161, 200, 0, 255}
	tag := tags[g.pick(len(tags))]
	switch tag {
	case 0, 255:
		return []byte{tag}
	case 53:
		return dhcpOpt(tag, []byte{byte(g.pick(15))})
	case 55:
		return dhcpOpt(tag, g.bytes(g.pick(9)))
	case 12, 15, 60, 161:
		return dhcpOpt(tag, []byte([]string{"host", "example.com", "MSFT 5.0", ""}[g.pick(4)]))
	case 61:
		if g.pick(2) == 0 {
			return dhcpOpt(tag, []byte{1, 2, 0, 0, 0, 0, 1})
		}
		return dhcpOpt(tag, []byte{byte(g.pick(3))}, []byte("id"))
	case 81:
		return dhcpOpt(tag, []byte{byte(g.pick(256)), 0, byte(g.pick(2))}, []byte("host.example"))
	case 82:
		var v []byte
		for k := g.pick(3); k > 0; k-- {
			sub := []byte("eth0/1")
			v = cat(v, []byte{byte([]int{1, 2, 6, 9}[g.pick(4)]), byte(g.small(len(sub)))}, sub)
		}
		return dhcpOpt(tag, v)
	case 121, 249:
		var v []byte
		for k := 1 + g.pick(2); k > 0; k-- {
			w := []int{0, 8, 24, 32, 33}[g.pick(5)]
			v = cat(v, []byte{byte(w)}, g.bytes((w+7)/8), []byte{10, 0, 0, 1})
		}
		return dhcpOpt(tag, v)
	case 77:
		var v []byte
		for k := 1 + g.pick(2); k > 0; k-- {
			c := []byte("class")
			v = cat(v, []byte{byte(g.small(len(c)))}, c)
		}
		return dhcpOpt(tag, v)
	}
	return dhcpOpt(tag, g.bytes(g.small([]int{4, 8, 2, 1, 5}[g.pick(5)])))
}

// bootpMsg returns a BOOTP/DHCP message in a UDP datagram.
func (g randGen) bootpMsg() []byte {
	m := make([]byte, 236)
	m[0] = byte(1 + g.pick(2))
	m[1], m[2] = 1, 6
	if g.pick(8) == 0 {
		m[1], m[2] = byte(g.pick(8)), byte(g.pick(17))
	}
	m[3] = byte(g.pick(2))
	copy(m[4:], g.bytes(4))
	m[9] = byte(g.pick(3))
	m[10] = byte(g.pick(2)) << 7
	for i := 12; i < 28; i += 4 {
		if g.pick(3) == 0 {
			copy(m[i:], []byte{10, 0, 0, byte(g.pick(256))})
		}
	}
	copy(m[28:], []byte{2, 0, 0, 0, 0, 1})
	if g.pick(4) == 0 {
		copy(m[44:], "server")
	}
	if g.pick(4) == 0 {
		copy(m[108:], "boot/file")
	}
	switch g.pick(6) {
	case 0:
		m = cat(m, []byte("CMU\x00"), []byte{byte(g.pick(4)), 0, 0, 0}, g.bytes(32))
	case 1:
		m = cat(m, g.bytes(4))
	default:
		m = cat(m, []byte{99, 130, 83, 99})
		for k := g.pick(8); k > 0; k-- {
			m = cat(m, g.dhcpOption())
		}
		if g.pick(2) == 0 {
			m = cat(m, []byte{255}, make([]byte, g.pick(4)))
		}
	}
	m = g.damage(m)
	sport, dport := uint16(68), uint16(67)
	if g.pick(2) == 0 {
		sport, dport = dport, sport
	}
	return udpFrame(dgram{sport: sport, dport: dport, data: m})
}

// TestBOOTPRandomAgainstTCPDump prints thousands of generated BOOTP and
// DHCP messages, whole, damaged and cut short, with tcpdump and with the
// printer, and requires the same text at each verbosity.
func TestBOOTPRandomAgainstTCPDump(t *testing.T) {
	g := randGen{rand.New(rand.NewPCG(67, 68))}
	frames := g.randomFrames(3000, 14+20+8, g.bootpMsg)
	diffWithTCPDump(t, frames, [][]string{nil, {"-v"}, {"-vv"}, {"-vvv"}, {"-q"}, {"-vv", "-e", "-x"}})
}

// dhcpDiscover is a DHCP discover with the options a client usually
// sends.
var dhcpDiscover = func() []byte {
	m := make([]byte, 236)
	m[0], m[1], m[2] = 1, 1, 6
	copy(m[4:], []byte{0xd6, 0x0c, 0x74, 0x66})
	m[9] = 13
	copy(m[28:], []byte{2, 0, 0, 0, 0, 1})
	return cat(m, []byte{99, 130, 83, 99}, dhcpOpt(53, []byte{1}), dhcpOpt(61, []byte{1, 2, 0, 0, 0, 0, 1}),
		dhcpOpt(12, []byte("client")), dhcpOpt(55, []byte{1, 28, 2, 121, 15, 6, 12, 40, 41, 42, 26, 119, 3}),
		dhcpOpt(121, []byte{24, 192, 0, 2, 10, 0, 0, 1, 0, 10, 0, 0, 254}), dhcpOpt(82, []byte{1, 3}, []byte("ge1")), []byte{255, 0, 0})
}()

// bootpCases are the BOOTP printer's table tests.
var bootpCases = []printCase{
	{name: "bootp", frames: [][]byte{udpFrame(dgram{sport: 68, dport: 67, data: dhcpDiscover})}, want: "" +
		"IP 10.0.0.1.68 > 10.0.0.2.67: BOOTP/DHCP, Request from 02:00:00:00:00:01, length 300\n"},
	{name: "bootp-vv", args: []string{"-vv"}, frames: [][]byte{udpFrame(dgram{sport: 68, dport: 67, data: dhcpDiscover})}, want: "" +
		"IP (tos 0x0, ttl 64, id 4660, offset 0, flags [none], proto UDP (17), length 328)\n" +
		"    10.0.0.1.68 > 10.0.0.2.67: [udp sum ok] BOOTP/DHCP, Request from 02:00:00:00:00:01, length 300, xid 0xd60c7466, secs 13, Flags [none] (0x0000)\n" +
		"\t  Client-Ethernet-Address 02:00:00:00:00:01\n" +
		"\t  Vendor-rfc1048 Extensions\n" +
		"\t    Magic Cookie 0x63825363\n" +
		"\t    DHCP-Message (53), length 1: Discover\n" +
		"\t    Client-ID (61), length 7: ether 02:00:00:00:00:01\n" +
		"\t    Hostname (12), length 6: \"client\"\n" +
		"\t    Parameter-Request (55), length 13: \n" +
		"\t      Subnet-Mask (1), BR (28), Time-Zone (2), Classless-Static-Route (121)\n" +
		"\t      Domain-Name (15), Domain-Name-Server (6), Hostname (12), YD (40)\n" +
		"\t      YS (41), NTP (42), MTU (26), Unknown (119)\n" +
		"\t      Default-Gateway (3)\n" +
		"\t    Classless-Static-Route (121), length 13: (192.0.2.0/24:10.0.0.1),(default:10.0.0.254)\n" +
		"\t    Agent-Information (82), length 5: \n" +
		"\t      Circuit-ID SubOption 1, length 3: ge1\n"},
}

func TestBOOTPPrinter(t *testing.T) { runPrintCases(t, bootpCases) }

func TestBOOTPCasesAgainstTCPDump(t *testing.T) { checkCasesWithTCPDump(t, bootpCases) }
