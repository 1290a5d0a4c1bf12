package dump

import (
	"bytes"
	"encoding/hex"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/medina-net/medina/pcap"
)

// render runs the link-layer printer on one packet, as printPacket does but
// without the timestamp and the raw dumps, and returns what it printed and
// the link-layer header length it left for -x.
func render(t testing.TB, flags string, lt pcap.LinkType, data []byte, length int) (string, int) {
	t.Helper()
	p := New(nil, flagOptions(t, strings.Fields(flags)))
	p.llHdrLen = 0
	p.dissect(&pcap.Packet{Data: data, Length: length, LinkType: lt})
	return string(p.out), p.llHdrLen
}

// linkCases are packets of the link types, ICMP, ARP, LLC and IPv6 forms
// this package prints, with what tcpdump 4.99.3 -n -t prints for them
// (taken from tcpdump, not written by hand, and checked against it by
// TestLinkCasesWithTCPDump).
var linkCases = []struct {
	name   string
	lt     pcap.LinkType
	flags  string
	data   string // hex
	length int
	want   string
}{
	{"echo request over raw IPv4", 228, "", "4500002000010000400166da0a0000010a0000020800192c0001000270696e67", 32, `IP 10.0.0.1 > 10.0.0.2: ICMP echo request, id 1, seq 2, length 12`},
	{"protocol unreachable quoting its datagram", 228, "-v", "4500003d00010000400166bd0a0000010a0000020303b41600000000450000210001000040fda826c0a801010808080804d20035000d000068656c6c6f", 61, `IP (tos 0x0, ttl 64, id 1, offset 0, flags [none], proto ICMP (1), length 61)
    10.0.0.1 > 10.0.0.2: ICMP 8.8.8.8 protocol 253 port 53 unreachable, length 41
	IP (tos 0x0, ttl 64, id 1, offset 0, flags [none], proto unknown (253), length 33)
    192.168.1.1 > 8.8.8.8:  ip-proto-253 13`},
	{"need to frag with MTU", 228, "", "4500003d00010000400166bd0a0000010a0000020304ae39000005dc450000210001000040fda826c0a801010808080804d20035000d000068656c6c6f", 61, `IP 10.0.0.1 > 10.0.0.2: ICMP 8.8.8.8 unreachable - need to frag (mtu 1500), length 41`},
	{"router advertisement", 228, "", "4500002c00010000400166ce0a0000010a0000020900d9ed020207080a000001000000050a000002ffffffff", 44, `IP 10.0.0.1 > 10.0.0.2: ICMP router advertisement lifetime 30:00 2: {10.0.0.1 5} {10.0.0.2 4294967295}, length 24`},
	{"timestamp reply", 228, "", "4500002800010000400166d20a0000010a0000020e0040ed000700080000000105265bff055d4a80", 40, `IP 10.0.0.1 > 10.0.0.2: ICMP time stamp reply id 7 seq 8: org 00:00:00.001, recv 23:59:59.999, xmit 25:00:00.000, length 20`},
	{"wrong checksum", 228, "-v", "4500002000010000400166da0a0000010a000002080000000001000270696e67", 32, `IP (tos 0x0, ttl 64, id 1, offset 0, flags [none], proto ICMP (1), length 32)
    10.0.0.1 > 10.0.0.2: ICMP echo request, id 1, seq 2, length 12 (wrong icmp cksum 0 (->192c)!)`},
	{"MPLS extension", 228, "-v", "450000a800010000400166520a0000010a0000020b00abf900200000450000210001000040fda826c0a801010808080804d20035000d000068656c6c6f00000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000002000b36900080101004d2b40", 168, `IP (tos 0x0, ttl 64, id 1, offset 0, flags [none], proto ICMP (1), length 168)
    10.0.0.1 > 10.0.0.2: ICMP time exceeded in-transit, length 148
	IP (tos 0x0, ttl 64, id 1, offset 0, flags [none], proto unknown (253), length 33)
    192.168.1.1 > 8.8.8.8:  ip-proto-253 13
	ICMP Multi-Part extension v2, checksum 0xb369 (correct), length 12
	  MPLS Stack Entry Object (1), Class-Type: 1, length 8
	    label 1234, tc 5, [S], ttl 64`},
	{"ICMP cut before the quoted protocol", 1, "", "ffffffffffff00112233445508004500003d00010000400166bd0a0000010a0000020303b4160000000045000021", 75, `IP 10.0.0.1 > 10.0.0.2:  [|icmp]`},
	{"frame relay InARP reply", 1, "-v", "ffffffffffff0011223344550806000f08000204000918410a00000118510a000002", 34, `ARP, FrameRelay (len 2), IPv4 (len 4), Inverse Reply DLCI 100 at 10.0.0.1, length 20`},
	{"ATM ARP request", 1, "", "ffffffffffff0011223344550806001308001400000104140004000102030405060708090a0b0c0d0e0f101112130a0000011415161718191a1b1c1d1e1f20212223242526270a000002", 74, `ARP, Request who-has 10.0.0.2 (14:15:16:17:18:19:1a:1b:1c:1d:1e:1f:20:21:22:23:24:25:26:27) tell 10.0.0.1, length 60`},
	{"ARP with no hardware addresses", 1, "", "ffffffffffff001122334455080600010800000400010a0000010a000002", 30, `ARP, Ethernet (len 0), IPv4 (len 4), length 16`},
	{"BSD loopback IPv6 with -e", 0, "-e", "180000006000000000003b400000000000000000000000000000000100000000000000000000000000000002", 44, `AF IPv6 (24), length 44: ::1 > ::2: no next header`},
	{"OpenBSD loopback unknown family", 108, "", "0000006361626364", 8, `AF Unknown (99), length 8: 
	0x0000:  6162 6364                                abcd`},
	{"cooked v1 with VLAN and -e", 113, "-e", "00040001000600112233445500008100200508004500002000010000400166da0a0000010a0000020800192c0001000270696e67", 52, `Out 00:11:22:33:44:55 ethertype 802.1Q (0x8100), length 52: vlan 5, p 1, ethertype IPv4, 10.0.0.1 > 10.0.0.2: ICMP echo request, id 1, seq 2, length 12`},
	{"cooked v1 unknown protocol", 113, "", "0001000100060011223344550000123461626364", 20, `  B 00:11:22:33:44:55 ethertype Unknown (0x1234), length 20: 
	0x0000:  6162 6364                                abcd`},
	{"PKTAP with -e", 258, "-e", "6c0000000100000001000000656e30000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000ffffffffffff00112233445508004500002000010000400166da0a0000010a0000020800192c0001000270696e67", 154, `DLT EN10MB (1) len 108, length 154: 00:11:22:33:44:55 > ff:ff:ff:ff:ff:ff, ethertype IPv4 (0x0800), length 46: 10.0.0.1 > 10.0.0.2: ICMP echo request, id 1, seq 2, length 12`},
	{"PKTAP header too short", 258, "", "32000000010000000100000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000", 112, ` (pkt_len too small, 50 < 108) (invalid)`},
	{"PPP serial too short in PKTAP", 149, "", "6c0000000100000032000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000ff", 109, ` [|ppp_hdlc]`},
	{"STP config BPDU", 1, "-v", "0180c2000000001122334455002642420300000000818000000102030405000000048000060708090a0b80010100140002000f00", 52, `STP 802.1d, Config, Flags [Topology change, Topology change ACK], bridge-id 8000.06:07:08:09:0a:0b.8001, length 35
	message-age 1.00s, max-age 20.00s, hello-time 2.00s, forwarding-delay 15.00s
	root-id 8000.00:01:02:03:04:05, root-pathcost 4`},
	{"SNAP-encapsulated IPv4", 1, "-e", "0180c20000000011223344550028aaaa0300000008004500002000010000400166da0a0000010a0000020800192c0001000270696e67", 54, `00:11:22:33:44:55 > 01:80:c2:00:00:00, 802.3, length 40: LLC, dsap SNAP (0xaa) Individual, ssap SNAP (0xaa) Command, ctrl 0x03: oui Ethernet (0x000000), ethertype IPv4 (0x0800), length 32: 10.0.0.1 > 10.0.0.2: ICMP echo request, id 1, seq 2, length 12`},
	{"LLC XID", 1, "", "0180c200000000112233445500060001af81010200000000000000000000000000000000000000000000000000000000000000000000000000000000", 60, `00:11:22:33:44:55 > 01:80:c2:00:00:00 Null Unnumbered, xid, Flags [Response], length 6: 01 02`},
	{"IPv6 fragment", 229, "-v", "6001234500122c4000000000000000000000000000000001000000000000000000000000000000023b000000deadbeef00010002000a00006162", 58, `IP6 (flowlabel 0x12345, hlim 64, next-header Fragment (44) payload length: 18) ::1 > ::2: frag (0xdeadbeef:0|10) no next header`},
	{"IPv6 routing header", 229, "", "6000000000182b4000000000000000000000000000000001000000000000000000000000000000023b0200010000000000000000000000000000000000000003", 64, `IP6 ::1 > ::2: RT6 (len=2, type=0 [Deprecated], segleft=1, [0]::3) no next header`},
	{"IPv6 over LINKTYPE_RAW, -v", 101, "-v", "60000000000c114020010db800000000000000000000000120010db80000000000000000000000020fa01e61000c978f70696e67", 52, `IP6 (hlim 64, next-header UDP (17) payload length: 12) 2001:db8::1.4000 > 2001:db8::2.7777: [udp sum ok] UDP, length 4`},
	{"FreeBSD loopback IPv6 (AF 28)", 0, "", "1c00000060000000000c114020010db800000000000000000000000120010db80000000000000000000000020fa01e61000c978f70696e67", 56, `IP6 2001:db8::1.4000 > 2001:db8::2.7777: UDP, length 4`},
	{"Darwin loopback IPv6 (AF 30) with -e", 0, "-e", "1e00000060000000000c114020010db800000000000000000000000120010db80000000000000000000000020fa01e61000c978f70696e67", 56, `AF IPv6 (30), length 56: 2001:db8::1.4000 > 2001:db8::2.7777: UDP, length 4`},
	{"OpenBSD loopback IPv6 (AF 24)", 108, "", "0000001860000000000c114020010db800000000000000000000000120010db80000000000000000000000020fa01e61000c978f70696e67", 56, `IP6 2001:db8::1.4000 > 2001:db8::2.7777: UDP, length 4`},
	{"IPv6 cut inside its header over LINKTYPE_IPV6", 229, "", "60000000000c114020010db800000000000000000000000120010db80000", 52, ` [|ip6]`},
	{"IPX SAP response", 1, "", "ffffffffffff0011223344558137ffff00600004000000000000000000000452000000000000000000000452000200044653310000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000", 110, `(NOV-ETHII) IPX 00000000.00:00:00:00:00:00.0452 > 00000000.00:00:00:00:00:00.0452: ipx-sap-resp 0004 'FS1' addr 00000000.00:00:00:00:00:00`},
	{"MACsec in the clear with -e", 1, "-e", "ffffffffffff00112233445588e5200000000044000000000000000008004500002000010000400166da0a0000010a0000020800192c0001000270696e6700000000000000000000000000000000", 78, `00:11:22:33:44:55 > ff:ff:ff:ff:ff:ff, ethertype 802.1AE MACsec (0x88e5), length 78: an 0, pn 68, flags I, sci 0000000000000000, ethertype IPv4 (0x0800), 10.0.0.1 > 10.0.0.2: ICMP echo request, id 1, seq 2, length 12`},
}

func TestLinkCases(t *testing.T) {
	for _, tc := range linkCases {
		t.Run(tc.name, func(t *testing.T) {
			data, err := hex.DecodeString(tc.data)
			if err != nil {
				t.Fatal(err)
			}
			got, _ := render(t, tc.flags, tc.lt, data, tc.length)
			if got != tc.want {
				t.Errorf("got\n%s\nwant\n%s", got, tc.want)
			}
		})
	}
}

// TestLinkCasesWithTCPDump writes each of linkCases to a capture of its
// link type and prints it with the installed tcpdump and with netdump,
// with -n -t and the case's flags: both must print the table's lines,
// byte for byte. Without it nothing would show that the table is what
// tcpdump prints, and a printer bug copied into the table would pass.
// It skips when tcpdump 4.99.3 is not installed.
func TestLinkCasesWithTCPDump(t *testing.T) {
	tcpdump := tcpdump4993(t)
	dir := t.TempDir()
	for i, tc := range linkCases {
		t.Run(tc.name, func(t *testing.T) {
			data, err := hex.DecodeString(tc.data)
			if err != nil {
				t.Fatal(err)
			}
			var buf bytes.Buffer
			w, err := pcap.NewWriter(&buf, tc.lt, 262144, false)
			if err != nil {
				t.Fatal(err)
			}
			if err := w.WritePacket(time.Unix(1e9, 0), data, tc.length); err != nil {
				t.Fatal(err)
			}
			if err := w.Flush(); err != nil {
				t.Fatal(err)
			}
			file := filepath.Join(dir, fmt.Sprintf("case%d.pcap", i))
			if err := os.WriteFile(file, buf.Bytes(), 0o644); err != nil {
				t.Fatal(err)
			}
			args := append([]string{"-n", "-t", "-r", file}, strings.Fields(tc.flags)...)
			cmd := exec.Command(tcpdump, args...)
			cmd.Env = append(os.Environ(), "TZ=UTC")
			want, err := cmd.Output()
			if err != nil {
				t.Fatalf("tcpdump %v: %v", args, err)
			}
			got := printFile(t, file, args)
			if !bytes.Equal(got, want) {
				t.Errorf("the printer and tcpdump differ on %v: %s", args, firstDiff(want, got))
			}
			if string(want) != tc.want+"\n" {
				t.Errorf("tcpdump %v prints:\n%s\nthe table says:\n%s", args, want, tc.want)
			}
		})
	}
}

// TestLinkHeaderLength checks the header length left for -x, -X and -A,
// including tcpdump's quirks: a PKTAP header counts the inner link-layer
// header twice, and a check that abandons only the ICMP message keeps the
// Ethernet header skipped while a truncated read resets it.
func TestLinkHeaderLength(t *testing.T) {
	byName := map[string]int{
		"echo request over raw IPv4":          0,
		"BSD loopback IPv6 with -e":           4,
		"cooked v1 with VLAN and -e":          20,
		"cooked v1 unknown protocol":          16,
		"PKTAP with -e":                       108 + 14 + 14,
		"PKTAP header too short":              0,
		"PPP serial too short in PKTAP":       1 + 108 + 1,
		"ICMP cut before the quoted protocol": 14,
		"SNAP-encapsulated IPv4":              14 + 8,
		"MACsec in the clear with -e":         14 + 14 + 2,
	}
	for _, tc := range linkCases {
		want, ok := byName[tc.name]
		if !ok {
			continue
		}
		data, _ := hex.DecodeString(tc.data)
		if _, got := render(t, tc.flags, tc.lt, data, tc.length); got != want {
			t.Errorf("%s: link-layer header length %d, want %d", tc.name, got, want)
		}
	}
}

func TestQ922DLCI(t *testing.T) {
	for _, tc := range []struct {
		in       []byte
		dlci     uint32
		ok, full bool
	}{
		{[]byte{0x18, 0x41}, 100, true, true},
		{[]byte{0x19}, 0, false, true},
		{[]byte{0x18}, 0, false, false},
		{nil, 0, false, false},
		{[]byte{0x18, 0x40, 0x01}, 100 << 6, true, true},
		{[]byte{0x18, 0x40, 0x02, 0x05}, (100<<7|1)<<6 | 1, true, true},
		{[]byte{0x18, 0x40, 0x02, 0x02}, 0, false, true},
		{[]byte{0x18, 0x40, 0x02}, 0, false, false},
	} {
		dlci, ok, full := q922DLCI(tc.in)
		if dlci != tc.dlci || ok != tc.ok || full != tc.full {
			t.Errorf("q922DLCI(% x) = %d, %v, %v; want %d, %v, %v", tc.in, dlci, ok, full, tc.dlci, tc.ok, tc.full)
		}
	}
}

func TestDLTName(t *testing.T) {
	for dlt, want := range map[uint32]string{
		1: "EN10MB", 12: "RAW", 50: "PPP_SERIAL", 101: "UNKNOWN", 149: "UNKNOWN",
		258: "PKTAP", 276: "LINUX_SLL2", 100000: "UNKNOWN",
	} {
		if got := dltName(dlt); got != want {
			t.Errorf("dltName(%d) = %q, want %q", dlt, got, want)
		}
	}
}

func TestSLL2InterfaceName(t *testing.T) {
	saved := ifIndexName
	defer func() { ifIndexName = saved }()
	ifIndexName = func(i uint32) string {
		if i == 7 {
			return "eth0"
		}
		return "?"
	}
	data := append([]byte{0x08, 0x00, 0, 0, 0, 0, 0, 7, 0, 1, 4, 6, 0, 0x11, 0x22, 0x33, 0x44, 0x55, 0, 0},
		"\x45\x00\x00\x14\x00\x01\x00\x00\x40\xfd\x66\xe6\x0a\x00\x00\x01\x0a\x00\x00\x02"...)
	for flags, want := range map[string]string{
		"":   "eth0  Out IP 10.0.0.1 > 10.0.0.2:  ip-proto-253 0",
		"-e": "eth0  Out ifindex 7 00:11:22:33:44:55 ethertype IPv4 (0x0800), length 40: 10.0.0.1 > 10.0.0.2:  ip-proto-253 0",
	} {
		if got, _ := render(t, flags, pcap.LinkTypeLinuxSLL2, data, len(data)); got != want {
			t.Errorf("%q: got %q, want %q", flags, got, want)
		}
	}
}

// TestLinkPrintersNoPanic feeds random and mutated packets of every link
// type the package decodes to the printers with each option set: a printer
// may stop at the end of the data, but must never panic otherwise.
func TestLinkPrintersNoPanic(t *testing.T) {
	seeds := make([][]byte, 0, len(linkCases))
	for _, tc := range linkCases {
		b, _ := hex.DecodeString(tc.data)
		seeds = append(seeds, b)
	}
	lts := []pcap.LinkType{0, 1, 12, 14, 101, 108, 113, 149, 228, 229, 258, 276, 50, 9, 105}
	flagSets := []string{"", "-v", "-vvv -e", "-x", "-q -e"}
	rng := rand.New(rand.NewPCG(1, 2))
	n := 3000
	if testing.Short() {
		n = 300
	}
	for i := 0; i < n; i++ {
		var b []byte
		if i%3 == 0 {
			b = make([]byte, rng.IntN(200))
			for j := range b {
				b[j] = byte(rng.Uint32())
			}
		} else {
			b = append([]byte(nil), seeds[rng.IntN(len(seeds))]...)
			for k := rng.IntN(6); k > 0 && len(b) > 0; k-- {
				b[rng.IntN(len(b))] = byte(rng.Uint32())
			}
			b = b[:rng.IntN(len(b)+1)]
		}
		if len(b) == 0 {
			continue
		}
		length := len(b) + rng.IntN(3)*rng.IntN(100)
		for _, lt := range lts {
			for _, flags := range flagSets {
				func() {
					defer func() {
						if r := recover(); r != nil {
							t.Fatalf("link type %d, flags %q, data %x, length %d: panic: %v", lt, flags, b, length, r)
						}
					}()
					render(t, flags, lt, b, length)
				}()
			}
		}
	}
}

// FuzzLinkPrinters checks that no packet of any link type the package
// decodes makes a printer panic.
func FuzzLinkPrinters(f *testing.F) {
	for _, tc := range linkCases {
		b, _ := hex.DecodeString(tc.data)
		f.Add(uint16(tc.lt), b, uint16(tc.length), uint8(0))
	}
	for _, c := range pppEtherCases {
		f.Add(uint16(dltPPPEther), c.frames[0], uint16(0), uint8(3))
	}
	flagSets := []string{"", "-v", "-vvv -e", "-x", "-q -e"}
	f.Fuzz(func(t *testing.T, lt uint16, b []byte, extra uint16, flags uint8) {
		if len(b) == 0 {
			return
		}
		render(t, flagSets[int(flags)%len(flagSets)], pcap.LinkType(lt), b, len(b)+int(extra))
	})
}

// TestLinkPrintersDoNotAllocate checks that printing common packets of
// these printers allocates nothing once the printer's buffer has grown.
func TestLinkPrintersDoNotAllocate(t *testing.T) {
	for _, name := range []string{
		"echo request over raw IPv4",
		"router advertisement",
		"ATM ARP request",
		"BSD loopback IPv6 with -e",
		"cooked v1 with VLAN and -e",
		"PKTAP with -e",
		"STP config BPDU",
		"SNAP-encapsulated IPv4",
		"IPv6 routing header",
	} {
		for _, tc := range linkCases {
			if tc.name != name {
				continue
			}
			data, _ := hex.DecodeString(tc.data)
			p := New(nil, flagOptions(t, strings.Fields(tc.flags)))
			pkt := &pcap.Packet{Data: data, Length: tc.length, LinkType: tc.lt}
			allocs := testing.AllocsPerRun(100, func() {
				p.out = p.out[:0]
				p.llHdrLen = 0
				p.dissect(pkt)
			})
			if allocs != 0 {
				t.Errorf("%s: %v allocations per packet", name, allocs)
			}
		}
	}
}
