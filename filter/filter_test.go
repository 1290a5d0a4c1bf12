package filter

import (
	"bytes"
	"encoding/binary"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/medina-net/medina/pcap"
)

// Packets built by hand, for tests that need neither the corpus nor
// tcpdump.

func ether(dst, src string, etype uint16, payload []byte) []byte {
	p := append(etherAton(dst), etherAton(src)...)
	p = binary.BigEndian.AppendUint16(p, etype)
	return append(p, payload...)
}

func ipv4(proto byte, src, dst [4]byte, payload []byte) []byte {
	h := []byte{0x45, 0, 0, 0, 0, 0, 0x40, 0, 64, proto, 0, 0}
	h = append(h, src[:]...)
	h = append(h, dst[:]...)
	binary.BigEndian.PutUint16(h[2:], uint16(20+len(payload)))
	return append(h, payload...)
}

func ipv6(next byte, src, dst [16]byte, payload []byte) []byte {
	h := []byte{0x60, 0, 0, 0, 0, 0, next, 64}
	binary.BigEndian.PutUint16(h[4:], uint16(len(payload)))
	h = append(h, src[:]...)
	h = append(h, dst[:]...)
	return append(h, payload...)
}

func l4(sport, dport uint16, rest ...byte) []byte {
	b := binary.BigEndian.AppendUint16(nil, sport)
	b = binary.BigEndian.AppendUint16(b, dport)
	return append(b, rest...)
}

var (
	hostA = [4]byte{10, 0, 0, 1}
	hostB = [4]byte{192, 168, 1, 2}
	v6A   = [16]byte{0xfe, 0x80, 15: 1}
	v6B   = [16]byte{0x20, 0x01, 0x0d, 0xb8, 15: 2}
)

// tcpSYN is an Ethernet/IPv4/TCP SYN from 10.0.0.1:1234 to
// 192.168.1.2:443.
func tcpSYN() []byte {
	seg := l4(1234, 443, 0, 0, 0, 1, 0, 0, 0, 0, 0x50, 0x02, 0xff, 0xff, 0, 0, 0, 0)
	return ether("ff:ff:ff:ff:ff:ff", "02:00:00:00:00:01", 0x0800, ipv4(6, hostA, hostB, seg))
}

func TestMatch(t *testing.T) {
	syn := tcpSYN()
	udp6 := ether("33:33:00:00:00:01", "02:00:00:00:00:02", 0x86dd, ipv6(17, v6A, v6B, l4(5353, 53, 0, 8, 0, 0)))
	arpReq := ether("ff:ff:ff:ff:ff:ff", "02:00:00:00:00:01", 0x0806,
		append([]byte{0, 1, 8, 0, 6, 4, 0, 1, 2, 0, 0, 0, 0, 1, 10, 0, 0, 1, 0, 0, 0, 0, 0, 0}, hostB[:]...))
	tagged := ether("02:00:00:00:00:02", "02:00:00:00:00:01", 0x8100, append([]byte{0x00, 0x0a, 0x08, 0x00}, ipv4(17, hostA, hostB, l4(68, 67, 0, 8, 0, 0))...))
	mpls := ether("02:00:00:00:00:02", "02:00:00:00:00:01", 0x8847, append([]byte{0x00, 0x06, 0x41, 0x40}, ipv4(1, hostA, hostB, []byte{8, 0, 0, 0})...))
	pppoe := ether("02:00:00:00:00:02", "02:00:00:00:00:01", 0x8864, append([]byte{0x11, 0x00, 0x00, 0x07, 0x00, 0x20, 0x00, 0x21}, ipv4(6, hostA, hostB, l4(1, 22))...))
	llc := ether("01:80:c2:00:00:00", "02:00:00:00:00:01", 38, []byte{0x42, 0x42, 0x03, 0, 0})
	// IPv6 with a hop-by-hop header, then a destination options header,
	// then UDP.
	ext := ipv6(0, v6A, v6B, append(append([]byte{60, 0, 1, 4, 0, 0, 0, 0}, 17, 0, 1, 4, 0, 0, 0, 0), l4(1, 2, 0, 8, 0, 0)...))
	exth := ether("02:00:00:00:00:02", "02:00:00:00:00:01", 0x86dd, ext)
	// Geneve (UDP 6081) carrying an Ethernet frame with IPv4/TCP.
	inner := ether("02:00:00:00:00:0b", "02:00:00:00:00:0a", 0x0800, ipv4(6, [4]byte{1, 1, 1, 1}, [4]byte{2, 2, 2, 2}, l4(22, 2222)))
	gen := append([]byte{0, 0, 0x65, 0x58, 0, 0, 10, 0}, inner...)
	geneve := ether("02:00:00:00:00:02", "02:00:00:00:00:01", 0x0800, ipv4(17, hostA, hostB, append(l4(5000, 6081, 0, 0, 0, 0), gen...)))

	for _, tc := range []struct {
		expr string
		pkt  []byte
		want bool
	}{
		{"host 10.0.0.1 and tcp port 443", syn, true},
		{"src host 10.0.0.1 and dst port 443", syn, true},
		{"dst host 10.0.0.1", syn, false},
		{"host 10.0.0.1 or 10.0.0.9", syn, true},
		{"host 10.0.0.9 or 192.168.1.2", syn, true},
		{"net 10.0.0.0/8 and net 192.168.1.0 mask 255.255.255.0", syn, true},
		{"net 10", syn, true},
		{"tcp[tcpflags] & tcp-syn != 0 and tcp[tcpflags] & tcp-ack = 0", syn, true},
		{"tcp[13] & 0x12 = 0x02", syn, true},
		{"ip[6:2] & 0x1fff = 0", syn, true},
		{"portrange 400-500", syn, true},
		{"tcp src portrange 400-500", syn, false},
		{"port https", syn, true},
		{"udp port 443", syn, false},
		{"ether broadcast and not ether multicast", syn, false},
		{"ether broadcast and ether src 02:00:00:00:00:01", syn, true},
		{"less 100", syn, true},
		{"greater 100", syn, false},
		{"len = 54", syn, true},
		{"ip proto \\tcp", syn, true},
		{"ip6 and udp port domain", udp6, true},
		{"ip6 host fe80::1 and ip6 net 2001:db8::/32", udp6, true},
		{"ip6 multicast", udp6, false},
		{"ether multicast", udp6, true},
		{"tcp", udp6, false},
		{"arp and arp src 10.0.0.1 and arp dst 192.168.1.2", arpReq, true},
		{"host 192.168.1.2", arpReq, true},
		{"rarp", arpReq, false},
		{"vlan 10 and udp dst port 67", tagged, true},
		{"vlan 11", tagged, false},
		{"udp", tagged, false},
		{"vlan and host 10.0.0.1", tagged, true},
		{"mpls 100 and icmp", mpls, true},
		{"mpls and icmp[icmptype] = icmp-echo", mpls, true},
		{"icmp", mpls, false},
		{"pppoes 7 and tcp port 22", pppoe, true},
		{"pppoes 8", pppoe, false},
		{"llc and stp", llc, true},
		{"llc u", llc, true},
		{"ip6 protochain 17", exth, true},
		{"ip6 proto 17", exth, false},
		{"protochain \\udp", exth, true},
		{"geneve 10 and tcp src port 22", geneve, true},
		{"geneve 11", geneve, false},
		{"geneve and ether src 02:00:00:00:00:0a", geneve, true},
	} {
		f, err := Compile(tc.expr, pcap.LinkTypeEthernet, 0)
		if err != nil {
			t.Errorf("%q: %v", tc.expr, err)
			continue
		}
		if got := f.Match(tc.pkt, len(tc.pkt)); got != tc.want {
			t.Errorf("%q: %v, want %v", tc.expr, got, tc.want)
		}
		if tcpdump, err := exec.LookPath("tcpdump"); err == nil {
			// The expectation itself is tcpdump's.
			if got := tcpdumpKeepsPacket(t, tcpdump, tc.pkt, tc.expr); got != tc.want {
				t.Errorf("%q: tcpdump says %v, the test %v", tc.expr, got, tc.want)
			}
		}
	}
}

// tcpdumpKeepsPacket writes pkt to a one-record capture and reports
// whether tcpdump -r keeps it.
func tcpdumpKeepsPacket(t *testing.T, tcpdump string, pkt []byte, expr string) bool {
	path := filepath.Join(t.TempDir(), "p.pcap")
	var b bytes.Buffer
	w, err := pcap.NewWriter(&b, pcap.LinkTypeEthernet, 262144, false)
	if err != nil {
		t.Fatal(err)
	}
	if err := w.WritePacket(time.Unix(1, 0), pkt, len(pkt)); err != nil {
		t.Fatal(err)
	}
	w.Flush()
	if err := os.WriteFile(path, b.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command(tcpdump, "-r", path, "-w", "-", "--", expr).Output()
	if err != nil {
		t.Fatalf("tcpdump %q: %v", expr, err)
	}
	return len(out) > 24
}

// TestShortPackets: a load past the captured bytes rejects the packet,
// even under a "not" or an "or" that would otherwise accept it.
func TestShortPackets(t *testing.T) {
	syn := tcpSYN()
	for _, tc := range []struct {
		expr string
		n    int
		want bool
	}{
		{"not tcp port 80", len(syn), true},
		{"not tcp port 80", 20, false}, // the IP protocol byte is cut off
		{"not ip", 10, false},          // so is the type field
		{"ip or not ip", 10, true},     // no load left to make
		{"len > 50", 0, true},          // len is the length on the wire
	} {
		f, err := Compile(tc.expr, pcap.LinkTypeEthernet, 0)
		if err != nil {
			t.Fatal(err)
		}
		if got := f.Match(syn[:tc.n], len(syn)); got != tc.want {
			t.Errorf("%q on %d bytes: %v, want %v", tc.expr, tc.n, got, tc.want)
		}
	}
}

// TestLinkTypes runs the same filters over the same IPv4 packet with each
// link-layer header.
func TestLinkTypes(t *testing.T) {
	ip := ipv4(17, hostA, hostB, l4(53, 5353, 0, 8, 0, 0))
	sll := append([]byte{0, 4, 0, 1, 0, 6, 2, 0, 0, 0, 0, 1, 0, 0, 0x08, 0x00}, ip...)
	sll2 := append([]byte{0x08, 0x00, 0, 0, 0, 0, 0, 3, 0, 1, 4, 6, 2, 0, 0, 0, 0, 1, 0, 0}, ip...)
	for _, tc := range []struct {
		lt   pcap.LinkType
		pkt  []byte
		opts Options
	}{
		{pcap.LinkTypeRaw, ip, Options{}},
		{pcap.LinkTypeIPv4, ip, Options{}},
		{pcap.LinkTypeNull, append([]byte{2, 0, 0, 0}, ip...), Options{}},
		{pcap.LinkTypeNull, append([]byte{0, 0, 0, 2}, ip...), Options{NullBigEndian: true}},
		{pcap.LinkTypeLoop, append([]byte{0, 0, 0, 2}, ip...), Options{}},
		{pcap.LinkTypeLinuxSLL, sll, Options{}},
		{pcap.LinkTypeLinuxSLL2, sll2, Options{}},
		{pcap.LinkTypePPP, append([]byte{0xff, 0x03, 0x00, 0x21}, ip...), Options{}},
	} {
		for _, e := range []struct {
			expr string
			want bool
		}{
			{"ip and udp src port 53 and host 192.168.1.2", true},
			{"ip6 or tcp", false},
			{"udp[8:2] = 0 and ip[9] = 17", false},
		} {
			o := tc.opts
			o.LinkType = tc.lt
			f, err := CompileOptions(e.expr, o)
			if err != nil {
				t.Errorf("%s %q: %v", tc.lt, e.expr, err)
				continue
			}
			if got := f.Match(tc.pkt, len(tc.pkt)); got != e.want {
				t.Errorf("%s %q: %v, want %v", tc.lt, e.expr, got, e.want)
			}
		}
	}
	// The direction of a cooked capture: 4 is outgoing.
	for lt, pkt := range map[pcap.LinkType][]byte{pcap.LinkTypeLinuxSLL: sll, pcap.LinkTypeLinuxSLL2: sll2} {
		f, err := CompileOptions("outbound", Options{LinkType: lt})
		if err != nil {
			t.Fatal(err)
		}
		if !f.Match(pkt, len(pkt)) {
			t.Errorf("%s: outbound does not match an outgoing packet", lt)
		}
	}
	if _, err := Compile("ip", 105, 0); err == nil {
		t.Error("802.11 compiles; the filter compiler does not handle it")
	}
}

// TestKernel: for a live capture, inbound reads the kernel's packet type,
// and a NULL capture's IPv6 is Linux's AF_INET6.
func TestKernel(t *testing.T) {
	f, err := CompileOptions("inbound", Options{LinkType: pcap.LinkTypeEthernet, Kernel: true})
	if err != nil {
		t.Fatal(err)
	}
	raw := f.Raw()
	if raw[0].Op != bpfLD|bpfH|bpfABS || raw[0].K != skfAdOff+skfAdPkttype {
		t.Errorf("inbound: %v, want a load of the packet type", raw[0])
	}
	f, err = CompileOptions("ip6", Options{LinkType: pcap.LinkTypeNull, Kernel: true})
	if err != nil {
		t.Fatal(err)
	}
	if pkt := []byte{10, 0, 0, 0, 0x60}; !f.Match(pkt, len(pkt)) {
		t.Error("NULL ip6 does not match AF_INET6 10")
	}
}

// TestVLANExtensions: for a kernel that takes VLAN tags off frames, vlan
// asks the kernel, and what follows is found at an offset that moves at
// run time only when the frame still has a tag.
func TestVLANExtensions(t *testing.T) {
	f, err := CompileOptions("vlan 10 and ip", Options{LinkType: pcap.LinkTypeEthernet, Kernel: true, VLANExtensions: true})
	if err != nil {
		t.Fatal(err)
	}
	var present, tci, indirect bool
	for _, in := range f.Raw() {
		present = present || in.K == skfAdOff+skfAdVLANTagPresent
		tci = tci || in.K == skfAdOff+skfAdVLANTag
		indirect = indirect || (in.Op == bpfLD|bpfH|bpfIND && in.K == 12)
	}
	if !present || !tci || !indirect {
		t.Errorf("vlan with the kernel's tag: %v", f.Raw())
	}
	// Without the extensions, or after a first vlan, tags are in the frame.
	g, err := CompileOptions("vlan 10 and ip", Options{LinkType: pcap.LinkTypeEthernet, Kernel: true})
	if err != nil {
		t.Fatal(err)
	}
	for _, in := range g.Raw() {
		if in.K >= skfAdOff {
			t.Errorf("vlan without extensions reads the kernel's metadata: %v", g.Raw())
		}
	}
}

// TestProgramShape: the program of the example is libpcap's.
func TestProgramShape(t *testing.T) {
	f, err := Compile("host 10.0.0.1 and tcp port 443", pcap.LinkTypeEthernet, 96)
	if err != nil {
		t.Fatal(err)
	}
	if f.Loops() || len(f.Raw()) != 17 || f.Snaplen() != 96 || f.Expr() != "host 10.0.0.1 and tcp port 443" {
		t.Errorf("%d instructions, loops %v, snaplen %d", len(f.Raw()), f.Loops(), f.Snaplen())
	}
	if got := f.Run(tcpSYN(), len(tcpSYN())); got != 96 {
		t.Errorf("Run = %d, want the snapshot length", got)
	}
	if p := f.Program(); len(p) != 17 {
		t.Errorf("Program has %d instructions", len(p))
	}
	g, err := Compile("ip protochain 6", pcap.LinkTypeEthernet, 0)
	if err != nil || !g.Loops() {
		t.Errorf("protochain: %v, loops %v", err, g != nil && g.Loops())
	}
}
