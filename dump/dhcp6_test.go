package dump

import (
	"bufio"
	"bytes"
	"encoding/binary"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/medina-net/medina/checksum"
	"github.com/medina-net/medina/ethernet"
	"github.com/medina-net/medina/internal/corpus"
	"github.com/medina-net/medina/pcap"
)

// DHCPv6 builders.

// d6opt is an option: code, length, data.
func d6opt(code uint16, data ...[]byte) []byte {
	d := cat(data...)
	return cat(binary.BigEndian.AppendUint16(binary.BigEndian.AppendUint16(nil, code), uint16(len(d))), d)
}

// d6msg is a client or server message.
func d6msg(typ byte, xid uint32, opts ...[]byte) []byte {
	return cat([]byte{typ, byte(xid >> 16), byte(xid >> 8), byte(xid)}, cat(opts...))
}

// d6relay is a relay agent's message.
func d6relay(typ, hops byte, link, peer [16]byte, opts ...[]byte) []byte {
	return cat([]byte{typ, hops}, link[:], peer[:], cat(opts...))
}

func be16b(v uint16) []byte { return binary.BigEndian.AppendUint16(nil, v) }
func be32b(v uint32) []byte { return binary.BigEndian.AppendUint32(nil, v) }

var (
	v6Client  = [16]byte{0xfe, 0x80, 8: 0x02, 0x01, 0x02, 0xff, 0xfe, 0x03, 0x04, 0x05}
	v6Server  = [16]byte{0xfe, 0x80, 8: 0x02, 0x11, 0x22, 0xff, 0xfe, 0x33, 0x44, 0x55}
	v6AllDHCP = [16]byte{0xff, 0x02, 13: 0x01, 0x00, 0x02}
	v6Global  = [16]byte{0x20, 0x01, 0x0d, 0xb8, 0, 1, 15: 0x10}
)

// udp6Frame is an Ethernet frame holding an IPv6 datagram with a UDP
// datagram holding data.
func udp6Frame(src, dst [16]byte, sport, dport uint16, data []byte) []byte {
	u := cat(be16b(sport), be16b(dport), be16b(uint16(8+len(data))), []byte{0, 0}, data)
	sum := checksum.Add(checksum.Add(0, src[:]), dst[:])
	sum = checksum.AddUint16(checksum.AddUint16(sum, uint16(len(u))), 17)
	binary.BigEndian.PutUint16(u[6:], checksum.Checksum(u, sum))
	ip := cat([]byte{0x60, 0, 0, 0}, be16b(uint16(len(u))), []byte{17, 64}, src[:], dst[:])
	return cat([]byte{0x33, 0x33, 0, 1, 0, 2, 2, 0, 0, 0, 0, 1, 0x86, 0xdd}, ip, u)
}

var (
	duidLLT   = cat(be16b(1), be16b(1), be32b(407259276), []byte{0, 0x11, 0x22, 0x33, 0x44, 0x55})
	duidLL    = cat(be16b(3), be16b(1), []byte{0, 1, 2, 3, 4, 5})
	duidEN    = cat(be16b(2), be32b(9), []byte{1, 2, 3, 4, 5, 6})
	d6Addr    = [16]byte{0x2a, 0x00, 0, 1, 0, 1, 2, 0, 0x38, 0xe6, 0xb2, 0x2e, 0xc4, 0x40, 0xac, 0xdf}
	d6Solicit = d6msg(1, 0x90b45c, d6opt(1, duidLL), d6opt(6, be16b(23), be16b(24), be16b(82)), d6opt(8, be16b(0)),
		d6opt(3, be32b(33752069), be32b(3600), be32b(5400)), d6opt(14))
	d6Advertise = d6msg(2, 0x90b45c,
		d6opt(3, be32b(33752069), be32b(3600), be32b(5400), d6opt(5, d6Addr[:], be32b(4500), be32b(7200))),
		d6opt(1, duidLL), d6opt(2, duidLLT), d6opt(7, []byte{255}),
		d6opt(23, v6Global[:], v6Server[:]), d6opt(24, dn("example.com"), dn("corp.example")),
		d6opt(13, be16b(0), []byte("all fine")))
	d6ReplyPD = d6msg(7, 0x2ffdd1,
		d6opt(25, be32b(1), be32b(0), be32b(0), d6opt(26, be32b(7200), be32b(7500), []byte{56}, v6Global[:])),
		d6opt(2, duidEN), d6opt(32, be32b(86400)), d6opt(31, v6Global[:]),
		d6opt(4, be32b(77), d6opt(5, d6Addr[:], be32b(1), be32b(2))),
		d6opt(13, be16b(6)), d6opt(12, v6Global[:]))
	d6Relay = d6relay(12, 0, v6Global, v6Client, d6opt(18, []byte("eth0/1/2/3/4")), d6opt(9, d6Solicit),
		d6opt(37, be32b(4491), []byte("remote-agent-id-x")))
	d6Reconfigure = d6msg(10, 0x123456, d6opt(19, []byte{5}), d6opt(19, []byte{11}), d6opt(19, []byte{7}), d6opt(20),
		d6opt(11, []byte{3, 1, 0}, make([]byte, 8), []byte{1}, bytes.Repeat([]byte{0xab}, 16)),
		d6opt(11, []byte{2, 1, 0}, []byte{0, 0, 0, 0, 0, 0, 0, 9}, []byte("realm"), be32b(0xdeadbeef), bytes.Repeat([]byte{0xcd}, 16)))
	d6NTP = d6msg(7, 1, d6opt(56, d6opt(1, v6Global[:]), d6opt(2, v6AllDHCP[:]), d6opt(3, dn("ntp.example.org")), d6opt(9, []byte{1})),
		d6opt(64, dn("aftr.example.net")), d6opt(41, []byte("EST5EDT4,M3.2.0/02:00,M11.1.0/02:00")),
		d6opt(112, []byte("https://example.com/mud\x00pad")), d6opt(21, dn("sip.example.com")))
	d6Leasequery = d6msg(14, 5, d6opt(44, []byte{1}, v6Global[:], d6opt(6, be16b(47))),
		d6opt(45, d6opt(1, duidLL), d6opt(46, be32b(300))), d6opt(47, v6Server[:], []byte{1, 2, 3}), d6opt(48, v6Global[:]))
)

var dhcp6Cases = []printCase{
	{name: "dhcp6", frames: [][]byte{
		udp6Frame(v6Client, v6AllDHCP, 546, 547, d6Solicit),
		udp6Frame(v6Server, v6Client, 547, 546, d6Advertise),
		udp6Frame(v6Server, v6Client, 547, 546, d6Relay),
		udpFrame(dgram{sport: 547, dport: 546, data: d6ReplyPD}),
		udpFrame(dgram{sport: 547, dport: 546, data: d6msg(99, 1)}),
	}, want: "" +
		"IP6 fe80::201:2ff:fe03:405.546 > ff02::1:2.547: dhcp6 solicit\n" +
		"IP6 fe80::211:22ff:fe33:4455.547 > fe80::201:2ff:fe03:405.546: dhcp6 advertise\n" +
		"IP6 fe80::211:22ff:fe33:4455.547 > fe80::201:2ff:fe03:405.546: dhcp6 relay-fwd\n" +
		"IP 10.0.0.1.547 > 10.0.0.2.546: dhcp6 reply\n" +
		"IP 10.0.0.1.547 > 10.0.0.2.546: dhcp6 msgtype-99\n"},
	{name: "dhcp6-v", args: []string{"-v"}, frames: [][]byte{
		udp6Frame(v6Client, v6AllDHCP, 546, 547, d6Solicit),
		udp6Frame(v6Server, v6Client, 547, 546, d6Advertise),
		udp6Frame(v6Server, v6Client, 547, 546, d6Relay),
		udpFrame(dgram{sport: 547, dport: 546, data: d6ReplyPD}),
		udpFrame(dgram{sport: 547, dport: 546, data: d6Reconfigure}),
		udpFrame(dgram{sport: 547, dport: 546, data: d6NTP}),
		udpFrame(dgram{sport: 547, dport: 547, data: d6Leasequery}),
	}, want: "" +
		"IP6 (hlim 64, next-header UDP (17) payload length: 62) fe80::201:2ff:fe03:405.546 > ff02::1:2.547: [udp sum ok] dhcp6 solicit (xid=90b45c (client-ID hwaddr type 1 000102030405) (option-request DNS-server DNS-search-list opt_82) (elapsed-time 0) (IA_NA IAID:33752069 T1:3600 T2:5400) (rapid-commit))\n" +
		"IP6 (hlim 64, next-header UDP (17) payload length: 174) fe80::211:22ff:fe33:4455.547 > fe80::201:2ff:fe03:405.546: [udp sum ok] dhcp6 advertise (xid=90b45c (IA_NA IAID:33752069 T1:3600 T2:5400 (IA_ADDR 2a00:1:1:200:38e6:b22e:c440:acdf pltime:4500 vltime:7200)) (client-ID hwaddr type 1 000102030405) (server-ID hwaddr/time type 1 time 407259276 001122334455) (preference 255) (DNS-server 2001:db8:1::10 fe80::211:22ff:fe33:4455) (DNS-search-list example.com. corp.example.) (status-code Success))\n" +
		"IP6 (hlim 64, next-header UDP (17) payload length: 141) fe80::211:22ff:fe33:4455.547 > fe80::201:2ff:fe03:405.546: [udp sum ok] dhcp6 relay-fwd (linkaddr=2001:db8:1::10 peeraddr=fe80::201:2ff:fe03:405 (interface-ID 657468302f312f322f33...) (relay-message (dhcp6 solicit (xid=90b45c (client-ID hwaddr type 1 000102030405) (option-request DNS-server DNS-search-list opt_82) (elapsed-time 0) (IA_NA IAID:33752069 T1:3600 T2:5400) (rapid-commit))) (Remote-ID 4491 72656d6f74652d616765...))\n" +
		"IP (tos 0x0, ttl 64, id 4660, offset 0, flags [none], proto UDP (17), length 183)\n" +
		"    10.0.0.1.547 > 10.0.0.2.546: dhcp6 reply (xid=2ffdd1 (IA_PD IAID:1 T1:0 T2:0 (IA_PD-prefix 2001:db8:1::10/56 pltime:7200 vltime:7500)) (server-ID vid 0000000901020304) (lifetime 86400) (SNTP-servers 2001:db8:1::10) (IA_TA IAID:77 (IA_ADDR 2a00:1:1:200:38e6:b22e:c440:acdf pltime:1 vltime:2)) (status-code NoPrefixAvail) (server-unicast))\n" +
		"IP (tos 0x0, ttl 64, id 4660, offset 0, flags [none], proto UDP (17), length 123)\n" +
		"    10.0.0.1.547 > 10.0.0.2.546: dhcp6 reconfigure (xid=123456 (reconfigure-message for renew) (reconfigure-message for inf-req) (reconfigure-message for ???(07)) (reconfigure-accept) (authentication proto: reconfigure, alg: HMAC-MD5, RDM: mono, RD: 0000 0000 0000 0000 reconfig-key value: abababab abababab abababab abababab) (authentication proto: delayed, alg: HMAC-MD5, RDM: mono, RD: 0000 0000 0000 0009, realm: 7265616c6d, key ID: deadbeef, HMAC-MD5: cdcdcdcd cdcdcdcd cdcdcdcd cdcdcdcd))\n" +
		"IP (tos 0x0, ttl 64, id 4660, offset 0, flags [none], proto UDP (17), length 215)\n" +
		"    10.0.0.1.547 > 10.0.0.2.546: dhcp6 reply (xid=1 (NTP-server subopt:1 2001:db8:1::10 subopt:2 ff02::1:2 subopt:3 ntp.example.org. subopt:9 ?) (AFTR-Name aftr.example.net) (POSIX-timezone EST5EDT4,M3.2.0/02:00,M11.1.0/02:00) (MUD-URL https://example.com/mud) (SIP-servers-domain sip.example.com.))\n" +
		"IP (tos 0x0, ttl 64, id 4660, offset 0, flags [none], proto UDP (17), length 128)\n" +
		"    10.0.0.1.547 > 10.0.0.2.547: dhcp6 leasequery (xid=5 (Lease-query by-address 2001:db8:1::10 (option-request LQ-relay-data)) (LQ-client-data (client-ID hwaddr type 1 000102030405) (Clt-time 300)) (LQ-relay-data fe80::211:22ff:fe33:4455 010203...) (LQ-client-link 2001:db8:1::10))\n"},
	{name: "dhcp6-malformed", args: []string{"-vv"}, frames: [][]byte{
		// Options of the wrong size; an option past the message; a
		// relayed message too short for its header; a domain name
		// with a bad label; a name pointing past its option.
		udpFrame(dgram{sport: 546, dport: 547, data: d6msg(3, 7, d6opt(1, []byte{0}), d6opt(2, be16b(1)), d6opt(2, be16b(2)),
			d6opt(2, be16b(3)), d6opt(2, be16b(4)), d6opt(5, make([]byte, 8)), d6opt(6, []byte{1}), d6opt(7), d6opt(8, []byte{1}),
			d6opt(11, make([]byte, 4)), d6opt(13, []byte{1}), d6opt(13, be16b(300)), d6opt(13, be16b(200)),
			d6opt(19, be16b(5)), d6opt(23, make([]byte, 15)), d6opt(3, make([]byte, 4)), d6opt(4, make([]byte, 2)),
			d6opt(26, make([]byte, 24)), d6opt(32, make([]byte, 3)), d6opt(37, make([]byte, 2)), d6opt(44, make([]byte, 2)),
			d6opt(47, make([]byte, 2)), d6opt(56, make([]byte, 3)), d6opt(64, make([]byte, 2)), d6opt(41, make([]byte, 2)),
			d6opt(64, []byte{4, 'a', 'b', 'c', 'd', 0}), d6opt(11, []byte{2, 0, 0}, make([]byte, 8), make([]byte, 5)),
			d6opt(11, []byte{3, 2, 1}, make([]byte, 8), make([]byte, 5)), d6opt(11, []byte{4, 2, 1}, make([]byte, 8)))}),
		udpFrame(dgram{sport: 546, dport: 547, data: d6msg(1, 7, d6opt(8, be16b(1)), []byte{0, 9, 0, 40, 1})}),
		udpFrame(dgram{sport: 546, dport: 547, data: d6msg(1, 7, d6opt(8, be16b(1)), []byte{0, 9})}),
		udpFrame(dgram{sport: 546, dport: 547, data: d6relay(13, 1, v6Global, v6Client, d6opt(9, d6relay(12, 0, v6Global, v6Client)[:20]), d6opt(14))}),
		udpFrame(dgram{sport: 546, dport: 547, data: d6msg(7, 7, d6opt(9, []byte{1, 2}), d6opt(14))}),
		udpFrame(dgram{sport: 546, dport: 547, data: d6msg(7, 7, d6opt(24, []byte{3, 'a', 'b', 'c', 0x40}), d6opt(14))}),
		udpFrame(dgram{sport: 546, dport: 547, data: d6msg(7, 7, d6opt(24, []byte{3, 'a', 'b', 'c', 0xc0, 0x02}), d6opt(14))}),
		udpFrame(dgram{sport: 546, dport: 547, data: d6msg(7, 7, d6opt(56, d6opt(1, v6Global[:]), []byte{0, 3, 0, 9}))}),
		udpFrame(dgram{sport: 546, dport: 547, data: d6msg(7, 7, d6opt(56, d6opt(1, v6Global[:]), []byte{0, 3, 0, 0}))}),
		udpFrame(dgram{sport: 546, dport: 547, data: d6msg(1, 1, d6opt(8, be16b(1))), ulen: 8 + 6}),
		udpFrame(dgram{sport: 546, dport: 547, data: []byte{1, 2, 3}}),
	}, want: "" +
		"IP (tos 0x0, ttl 64, id 4660, offset 0, flags [none], proto UDP (17), length 288)\n" +
		"    10.0.0.1.546 > 10.0.0.2.547: [udp sum ok] dhcp6 request (xid=7 (client-ID ?) (server-ID ?) (server-ID ?) (server-ID ?) (server-ID type 4) (IA_ADDR ?) (option-request ?) (preference ?) (elapsed-time ?) (authentication ?) (status-code ?) (status-code INVALID code) (status-code code200) (reconfigure-message ?) (DNS-server ?) (IA_NA ?) (IA_TA ?) (IA_PD-prefix ?) (lifetime ?) (Remote-ID ?) (Lease-query ?) (LQ-relay-data ?) (NTP-server ?) (AFTR-Name ?) (POSIX-timezone ?) (AFTR-Name abcd) (authentication proto: delayed, alg: 0, RDM: mono, RD: 0000 0000 0000 0000 ??) (authentication proto: reconfigure, alg: 2, RDM: 1, RD: 0000 0000 0000 0000 ??) (authentication proto: 4, alg: 2, RDM: 1, RD: 0000 0000 0000 0000 ??))\n" +
		"IP (tos 0x0, ttl 64, id 4660, offset 0, flags [none], proto UDP (17), length 43)\n" +
		"    10.0.0.1.546 > 10.0.0.2.547: [udp sum ok] dhcp6 solicit (xid=7 (elapsed-time 1) [|dhcp6])\n" +
		"IP (tos 0x0, ttl 64, id 4660, offset 0, flags [none], proto UDP (17), length 40)\n" +
		"    10.0.0.1.546 > 10.0.0.2.547: [udp sum ok] dhcp6 solicit (xid=7 (elapsed-time 1) [|dhcp6])\n" +
		"IP (tos 0x0, ttl 64, id 4660, offset 0, flags [none], proto UDP (17), length 90)\n" +
		"    10.0.0.1.546 > 10.0.0.2.547: [udp sum ok] dhcp6 relay-reply (linkaddr=2001:db8:1::10 peeraddr=fe80::201:2ff:fe03:405 (relay-message (dhcp6 relay-fwd (linkaddr=2001:db8:1::10 [|dhcp6]\n" +
		"IP (tos 0x0, ttl 64, id 4660, offset 0, flags [none], proto UDP (17), length 42)\n" +
		"    10.0.0.1.546 > 10.0.0.2.547: [udp sum ok] dhcp6 reply (xid=7 (relay-message (dhcp6 [|dhcp6]) (rapid-commit))\n" +
		"IP (tos 0x0, ttl 64, id 4660, offset 0, flags [none], proto UDP (17), length 45)\n" +
		"    10.0.0.1.546 > 10.0.0.2.547: [udp sum ok] dhcp6 reply (xid=7 (DNS-search-list abc.<ELT 0> [|dhcp6])\n" +
		"IP (tos 0x0, ttl 64, id 4660, offset 0, flags [none], proto UDP (17), length 46)\n" +
		"    10.0.0.1.546 > 10.0.0.2.547: [udp sum ok] dhcp6 reply (xid=7 (DNS-search-list abc.) (rapid-commit))\n" +
		"IP (tos 0x0, ttl 64, id 4660, offset 0, flags [none], proto UDP (17), length 60)\n" +
		"    10.0.0.1.546 > 10.0.0.2.547: [udp sum ok] dhcp6 reply (xid=7 (NTP-server subopt:1 2001:db8:1::10))\n" +
		"IP (tos 0x0, ttl 64, id 4660, offset 0, flags [none], proto UDP (17), length 60)\n" +
		"    10.0.0.1.546 > 10.0.0.2.547: [udp sum ok] dhcp6 reply (xid=7 (NTP-server subopt:1 2001:db8:1::10))\n" +
		"IP (tos 0x0, ttl 64, id 4660, offset 0, flags [none], proto UDP (17), length 38)\n" +
		"    10.0.0.1.546 > 10.0.0.2.547: [bad udp cksum 0xe67a -> 0xe681!] dhcp6 solicit (xid=1 [|dhcp6])\n" +
		"IP (tos 0x0, ttl 64, id 4660, offset 0, flags [none], proto UDP (17), length 31)\n" +
		"    10.0.0.1.546 > 10.0.0.2.547: [udp sum ok] dhcp6 [|dhcp6]\n"},
	{name: "dhcp6-truncated", args: []string{"-v"}, snap: 14 + 40 + 8 + 40, frames: [][]byte{
		udp6Frame(v6Server, v6Client, 547, 546, d6Advertise),
		udp6Frame(v6Server, v6Client, 547, 546, d6Relay),
		udp6Frame(v6Server, v6Client, 547, 546, d6relay(12, 0, v6Global, v6Client)),
	}, want: "" +
		"IP6 (hlim 64, next-header UDP (17) payload length: 174) fe80::211:22ff:fe33:4455.547 > fe80::201:2ff:fe03:405.546: dhcp6 advertise (xid=90b45c [|dhcp6])\n" +
		"IP6 (hlim 64, next-header UDP (17) payload length: 141) fe80::211:22ff:fe33:4455.547 > fe80::201:2ff:fe03:405.546: dhcp6 relay-fwd (linkaddr=2001:db8:1::10 peeraddr=fe80::201:2ff:fe03:405 [|dhcp6])\n" +
		"IP6 (hlim 64, next-header UDP (17) payload length: 42) fe80::211:22ff:fe33:4455.547 > fe80::201:2ff:fe03:405.546: [udp sum ok] dhcp6 relay-fwd (linkaddr=2001:db8:1::10 peeraddr=fe80::201:2ff:fe03:405)\n"},
	{name: "dhcp6-q", args: []string{"-q"}, frames: [][]byte{
		udpFrame(dgram{sport: 547, dport: 546, data: d6ReplyPD}),
	}, want: "" +
		"IP 10.0.0.1.547 > 10.0.0.2.546: UDP, length 155\n"},
}

func TestDHCP6Printer(t *testing.T) { runPrintCases(t, dhcp6Cases) }

func TestDHCP6CasesAgainstTCPDump(t *testing.T) { checkCasesWithTCPDump(t, dhcp6Cases) }

// TestDHCP6CorpusPayloads prints the UDP payloads of the DHCPv6 captures
// of tcpdump 4.99.3's suite with the DHCPv6 printer alone, and compares
// each with what follows the UDP header's text in tcpdump's line.
func TestDHCP6CorpusPayloads(t *testing.T) {
	dir := filepath.Join(corpus.Need(t), "tcpdump-4.99.3-all")
	list, err := os.ReadFile(filepath.Join(dir, "TESTLIST"))
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, line := range strings.Split(string(list), "\n") {
		f := strings.Fields(line)
		if len(f) < 3 || !strings.HasPrefix(f[0], "dhcpv6") && !strings.HasPrefix(f[0], "dhcp6") {
			continue
		}
		out, err := os.ReadFile(filepath.Join(dir, f[2]))
		if err != nil {
			t.Fatal(err)
		}
		var want []string
		sc := bufio.NewScanner(bytes.NewReader(out))
		sc.Buffer(nil, 1<<20)
		for sc.Scan() {
			if i := strings.Index(sc.Text(), " dhcp6 "); i >= 0 {
				want = append(want, sc.Text()[i+1:])
			}
		}
		opt := flagOptions(t, f[3:])
		var got []string
		for _, fr := range corpus.Read(t, filepath.Join(dir, f[1])) {
			payload, length, ok := udpPayloadOf(fr.Network())
			if !ok {
				continue
			}
			p := New(nil, opt)
			p.out = nil
			func() {
				defer func() {
					if r := recover(); r != nil {
						if _, ok := r.(truncated); !ok {
							panic(r)
						}
						p.s(" [|dhcp6]")
					}
				}()
				p.dhcp6(payload, length)
			}()
			got = append(got, string(p.out))
		}
		if len(got) != len(want) {
			t.Errorf("%s: %d DHCPv6 payloads, %d lines", f[0], len(got), len(want))
			continue
		}
		for i := range got {
			n++
			if got[i] != want[i] {
				t.Errorf("%s, packet %d:\ngot  %q\nwant %q", f[0], i+1, got[i], want[i])
			}
		}
	}
	if n == 0 {
		t.Fatal("no DHCPv6 payloads in the corpus")
	}
}

// udpPayloadOf returns the payload of the UDP datagram in an IPv4 or IPv6
// packet (without extension headers), cut to the end of the IP datagram,
// and its length by the UDP header.
func udpPayloadOf(et ethernet.Type, b []byte) ([]byte, int, bool) {
	var hlen, total int
	switch {
	case et == ethernet.TypeIPv4 && len(b) >= 20 && b[9] == 17:
		hlen, total = int(b[0]&0xf)*4, int(binary.BigEndian.Uint16(b[2:]))
	case et == ethernet.TypeIPv6 && len(b) >= 40 && b[6] == 17:
		hlen, total = 40, 40+int(binary.BigEndian.Uint16(b[4:]))
	default:
		return nil, 0, false
	}
	if total < len(b) {
		b = b[:total]
	}
	if len(b) < hlen+8 {
		return nil, 0, false
	}
	u := b[hlen:]
	return u[8:], min(int(binary.BigEndian.Uint16(u[4:])), total-hlen) - 8, true
}

// dhcp6Gen makes DHCPv6 messages for the differential test.
type dhcp6Gen struct{ randGen }

func (g dhcp6Gen) addr() []byte {
	switch g.pick(4) {
	case 0:
		return v6Global[:]
	case 1:
		return make([]byte, 16)
	case 2:
		return cat(make([]byte, 10), []byte{0xff, 0xff, 192, 0, 2, byte(g.pick(256))})
	}
	return g.bytes(16)
}

// name is a domain name: labels, now and then a pointer, a bad label
// type or a missing end.
func (g dhcp6Gen) name() []byte {
	var b []byte
	for n := g.pick(4); n > 0; n-- {
		l := 1 + g.pick(12)
		if g.pick(30) == 0 {
			l = 63
		}
		lab := make([]byte, l)
		for i := range lab {
			lab[i] = byte('a' + g.pick(26))
			if g.pick(40) == 0 {
				lab[i] = byte(g.rng.Uint32())
			}
		}
		b = append(append(b, byte(l)), lab...)
	}
	switch g.pick(12) {
	case 0:
		return append(b, 0xc0, byte(g.pick(64)))
	case 1:
		return append(b, byte(0x40|g.pick(64)), 8, 0xaa)
	case 2:
		return append(b, 0x80)
	case 3:
		return b
	}
	return append(b, 0)
}

// size returns n, or now and then another size, to reach the checks of
// options of the wrong size.
func (g dhcp6Gen) size(n int) int {
	if g.pick(8) == 0 {
		return g.pick(n + 3)
	}
	return n
}

func (g dhcp6Gen) option(depth int) []byte {
	codes := []uint16{1, 2, 3, 4, 5, 6, 7, 8, 9, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26,
		27, 28, 29, 30, 31, 32, 33, 34, 36, 37, 38, 39, 40, 41, 42, 43, 44, 45, 46, 47, 48, 56, 64, 112}
	code := codes[g.pick(len(codes))]
	if g.pick(15) == 0 {
		code = uint16(g.pick(300))
	}
	sub := func() []byte {
		if depth > 2 {
			return nil
		}
		var b []byte
		for n := g.pick(3); n > 0; n-- {
			b = append(b, g.option(depth+1)...)
		}
		return b
	}
	var d []byte
	switch code {
	case 1, 2:
		d = [][]byte{duidLLT, duidLL, duidEN, g.bytes(g.pick(20))}[g.pick(4)]
		d = d[:g.size(len(d))%(len(d)+1)]
	case 3, 25:
		d = cat(g.bytes(g.size(12)), sub())
	case 4:
		d = cat(g.bytes(g.size(4)), sub())
	case 5:
		d = cat(g.addr(), g.bytes(g.size(8)), sub())
	case 26:
		d = cat(g.bytes(8), []byte{byte(g.pick(129))}, g.addr(), sub())
	case 6, 43:
		for n := g.pick(6); n > 0; n-- {
			d = append(d, be16b(uint16(g.pick(120)))...)
		}
		d = d[:g.size(len(d))%(len(d)+1)]
	case 9:
		if depth < 3 {
			d = g.message(depth + 1)
		}
	case 11:
		d = cat([]byte{byte(1 + g.pick(4)), byte(g.pick(3)), byte(g.pick(2))}, g.bytes(8))
		switch g.pick(4) {
		case 0:
			d = append(d, g.bytes(20+g.pick(8))...)
		case 1:
			d = append(d, g.bytes(17)...)
			d[11] = byte(g.pick(4))
		case 2:
			d = append(d, g.bytes(g.pick(30))...)
		}
		d = d[:g.size(len(d))%(len(d)+1)]
	case 13:
		d = cat(be16b(uint16(g.pick(12))), []byte("message"))
		if g.pick(6) == 0 {
			d = be16b(uint16(g.rng.Uint32()))
		}
	case 19:
		d = []byte{byte(g.pick(13))}
	case 21, 24:
		for n := 1 + g.pick(3); n > 0; n-- {
			d = append(d, g.name()...)
		}
	case 22, 23, 27, 28, 31, 34, 40, 48:
		for n := g.pick(3); n > 0; n-- {
			d = append(d, g.addr()...)
		}
		d = d[:g.size(len(d))%(len(d)+1)]
	case 32, 46:
		d = g.bytes(g.size(4))
	case 37:
		d = g.bytes(g.size(4 + g.pick(16)))
	case 44:
		d = cat([]byte{byte(g.pick(4))}, g.addr(), sub())
	case 45:
		d = sub()
	case 47:
		d = cat(g.addr(), g.bytes(g.pick(14)))
	case 56:
		for n := g.pick(4); n > 0; n-- {
			sc := uint16(1 + g.pick(4))
			var sd []byte
			switch sc {
			case 1, 2:
				sd = g.bytes(g.size(16))
			case 3:
				sd = g.name()
			default:
				sd = g.bytes(g.pick(4))
			}
			sl := len(sd)
			if g.pick(10) == 0 {
				sl += g.pick(5)
			}
			d = append(append(append(d, be16b(sc)...), be16b(uint16(sl))...), sd...)
		}
	case 64:
		d = dn("aftr.example.net")
		if g.pick(3) == 0 {
			d = g.name()
		}
	case 41, 42, 112:
		d = []byte("https://example.com/mud")
		if g.pick(3) == 0 {
			d = g.bytes(g.pick(10))
		}
	case 7:
		d = g.bytes(g.size(1))
	case 8:
		d = g.bytes(g.size(2))
	default:
		d = g.bytes(g.pick(12))
	}
	o := d6opt(code, d)
	if g.pick(25) == 0 {
		binary.BigEndian.PutUint16(o[2:], uint16(len(d)+g.pick(10)))
	}
	return o
}

func (g dhcp6Gen) message(depth int) []byte {
	var opts []byte
	for n := g.pick(7); n > 0; n-- {
		opts = append(opts, g.option(depth)...)
	}
	typ := byte(1 + g.pick(15))
	if g.pick(20) == 0 {
		typ = byte(g.rng.Uint32())
	}
	if typ == 12 || typ == 13 {
		return cat([]byte{typ, byte(g.pick(32))}, g.addr(), g.addr(), opts)
	}
	return cat([]byte{typ}, g.bytes(3), opts)
}

// TestDHCP6RandomAgainstTCPDump prints thousands of generated DHCPv6
// messages, over IPv4 and IPv6, whole, damaged and cut short, with
// tcpdump and with the printer, and requires the same text at each
// verbosity, quiet, and with the raw dumps.
func TestDHCP6RandomAgainstTCPDump(t *testing.T) {
	n := 5000
	if testing.Short() {
		n = 500
	}
	g := dhcp6Gen{randGen{rand.New(rand.NewPCG(546, 547))}}
	frames := make([]diffFrame, 0, n)
	for i := 0; i < n; i++ {
		m := g.message(0)
		switch g.pick(5) {
		case 0:
			for k := 1 + g.pick(3); k > 0; k-- {
				m[g.pick(len(m))] = byte(g.rng.Uint32())
			}
		case 1:
			m = m[:g.pick(len(m)+1)]
		}
		sport, dport := uint16(546), uint16(547)
		if g.pick(2) == 0 {
			sport, dport = dport, sport
		}
		var f diffFrame
		hdrs := 14 + 20 + 8
		if g.pick(3) == 0 {
			f.data = udp6Frame(v6Client, v6AllDHCP, sport, dport, m)
			hdrs = 14 + 40 + 8
		} else {
			d := dgram{sport: sport, dport: dport, data: m}
			if g.pick(10) == 0 {
				d.ulen = 8 + g.pick(len(m)+1)
			}
			f.data = udpFrame(d)
		}
		if g.pick(6) == 0 {
			f.snap = hdrs + g.pick(len(m)+1)
		}
		frames = append(frames, f)
	}
	diffWithTCPDump(t, frames, [][]string{nil, {"-v"}, {"-vv"}, {"-q"}, {"-x"}, {"-vvv", "-e", "-X"}})
}

// FuzzDHCP6 checks that no DHCPv6 message, whole or cut short, makes the
// printer panic.
func FuzzDHCP6(f *testing.F) {
	for _, c := range dhcp6Cases {
		for _, fr := range c.frames {
			if fr[12] == 0x86 {
				f.Add(fr[14+40+8:], uint16(0), uint8(1))
			} else {
				f.Add(fr[14+20+8:], uint16(0), uint8(1))
			}
		}
	}
	f.Fuzz(func(t *testing.T, m []byte, cut uint16, flags uint8) {
		var fr []byte
		if flags&1 != 0 {
			fr = udp6Frame(v6Client, v6AllDHCP, 546, 547, m)
		} else {
			fr = udpFrame(dgram{sport: 547, dport: 546, data: m})
		}
		data := fr
		if c := int(cut); c > 0 && c < len(fr) {
			data = fr[:c]
		}
		p := New(nil, flagOptions(t, [][]string{nil, {"-v"}, {"-vv"}}[int(flags>>1)%3]))
		pkt := &pcap.Packet{Data: data, Length: len(fr), LinkType: pcap.LinkTypeEthernet, FracPerSec: 1e6}
		p.AppendPacket(nil, pkt)
	})
}

// TestDHCP6DoesNotAllocate checks that DHCPv6 messages print without
// allocating once the printer's buffer has grown.
func TestDHCP6DoesNotAllocate(t *testing.T) { checkCasesDoNotAllocate(t, dhcp6Cases) }

// BenchmarkDHCP6 prints a relayed solicit over IPv6 with -v.
func BenchmarkDHCP6(b *testing.B) { benchFrame(b, udp6Frame(v6Server, v6Client, 547, 546, d6Relay), 1) }
