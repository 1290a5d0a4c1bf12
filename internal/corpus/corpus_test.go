package corpus

import (
	"bytes"
	"testing"

	"github.com/medina-net/medina/ethernet"
	"github.com/medina-net/medina/pcap"
)

func TestNetwork(t *testing.T) {
	ip4 := []byte{0x45, 0, 0, 20}
	ip6 := []byte{0x60, 0, 0, 0}
	mac := make([]byte, 12)
	cat := func(bs ...[]byte) []byte { return bytes.Join(bs, nil) }
	for _, c := range []struct {
		name string
		link pcap.LinkType
		data []byte
		typ  ethernet.Type
		want []byte
	}{
		{"ethernet", pcap.LinkTypeEthernet, cat(mac, []byte{0x08, 0x06}, ip4), ethernet.TypeARP, ip4},
		{"qinq", pcap.LinkTypeEthernet, cat(mac, []byte{0x88, 0xa8, 0, 1, 0x81, 0, 0, 2, 0x08, 0}, ip4), ethernet.TypeIPv4, ip4},
		{"cut tag", pcap.LinkTypeEthernet, cat(mac, []byte{0x81, 0, 0}), 0, nil},
		{"short ethernet", pcap.LinkTypeEthernet, mac, 0, nil},
		{"sll", pcap.LinkTypeLinuxSLL, cat(make([]byte, 14), []byte{0x08, 0}, ip4), ethernet.TypeIPv4, ip4},
		{"sll2", pcap.LinkTypeLinuxSLL2, cat([]byte{0x86, 0xdd}, make([]byte, 18), ip6), ethernet.TypeIPv6, ip6},
		{"null host order", pcap.LinkTypeNull, cat([]byte{2, 0, 0, 0}, ip4), ethernet.TypeIPv4, ip4},
		{"null network order", pcap.LinkTypeNull, cat([]byte{0, 0, 0, 30}, ip6), ethernet.TypeIPv6, ip6},
		{"null unknown family", pcap.LinkTypeNull, cat([]byte{7, 0, 0, 0}, ip4), 0, nil},
		{"loop", pcap.LinkTypeLoop, cat([]byte{0, 0, 0, 2}, ip4), ethernet.TypeIPv4, ip4},
		{"raw", pcap.LinkTypeRaw, ip6, ethernet.TypeIPv6, ip6},
		{"raw 12", pcap.LinkTypeRawDLT12, ip4, ethernet.TypeIPv4, ip4},
		// tcpdump goes by the version nibble for LINKTYPE_IPV4 and _IPV6 too.
		{"ipv6 holding ipv4", pcap.LinkTypeIPv6, ip4, ethernet.TypeIPv4, ip4},
		{"raw bad version", pcap.LinkTypeIPv4, []byte{0x50}, 0, nil},
		{"pktap", pcap.LinkTypePKTAP, cat(make([]byte, 108), ip4), 0, nil},
	} {
		typ, b := Frame{LinkType: c.link, Data: c.data}.Network()
		if typ != c.typ || !bytes.Equal(b, c.want) {
			t.Errorf("%s: %#04x % x, want %#04x % x", c.name, uint16(typ), b, uint16(c.typ), c.want)
		}
	}
}

// The project's own capture, which needs no corpus: 22 IPv4 datagrams on
// Linux's lo (an Ethernet device with zero addresses), numbered from 1.
func TestReadLinuxLo(t *testing.T) {
	const path = "../../testdata/pcaps/linux-lo.pcap"
	frames := Read(t, path)
	if len(frames) != 22 {
		t.Fatalf("%d frames, want 22", len(frames))
	}
	for i, f := range frames {
		if f.File != "linux-lo.pcap" || f.Num != i+1 || f.LinkType != pcap.LinkTypeEthernet {
			t.Errorf("frame %d: %s #%d link type %v", i, f.File, f.Num, f.LinkType)
		}
	}
	if n := len(Packets(t, ethernet.TypeIPv4, path)); n != 22 {
		t.Errorf("%d IPv4 packets, want 22", n)
	}
	udp := IPv4(t, 17, path)
	if len(udp) != 8 {
		t.Fatalf("%d UDP datagrams, want 8", len(udp))
	}
	if p := udp[0]; p.Num != 6 || p.Src != [4]byte{127, 0, 0, 1} || p.Length != 27 || len(p.Data) != 27 {
		t.Errorf("first UDP datagram: %+v", p)
	}
}

func TestFiles(t *testing.T) {
	Need(t)
	files := Files("tcpdump", "gopacket")
	if len(files) < 90 {
		t.Errorf("%d captures in tcpdump/ and gopacket/", len(files))
	}
	if len(Files("no such directory")) != 0 {
		t.Error("captures in a missing directory")
	}
}
