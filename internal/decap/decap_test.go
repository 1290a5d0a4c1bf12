package decap

import (
	"encoding/binary"
	"net/netip"
	"testing"

	"github.com/medina-net/medina/pcap"
	"github.com/medina-net/medina/tcp"
)

// ethIPv4TCP is an Ethernet frame with a VLAN tag, an IPv4 header and a
// TCP header carrying payload, then two bytes of link-layer padding.
func ethIPv4TCP(payload []byte) []byte {
	f := []byte{2, 0, 0, 0, 0, 2, 2, 0, 0, 0, 0, 1, 0x81, 0x00, 0x00, 0x05, 0x08, 0x00}
	ip := make([]byte, 20)
	ip[0] = 0x45
	binary.BigEndian.PutUint16(ip[2:], uint16(20+20+len(payload)))
	ip[9] = 6 // TCP
	copy(ip[12:], []byte{10, 0, 0, 1, 10, 0, 0, 2})
	tcp := make([]byte, 20)
	binary.BigEndian.PutUint16(tcp, 40000)
	binary.BigEndian.PutUint16(tcp[2:], 443)
	tcp[12] = 5 << 4
	f = append(append(append(f, ip...), tcp...), payload...)
	return append(f, 0, 0)
}

func TestTCPIPv4(t *testing.T) {
	fr := ethIPv4TCP([]byte("hello"))
	s, ok := TCP(pcap.LinkTypeEthernet, fr)
	if !ok {
		t.Fatal("no segment")
	}
	if s.Src != netip.MustParseAddrPort("10.0.0.1:40000") || s.Dst != netip.MustParseAddrPort("10.0.0.2:443") {
		t.Errorf("addresses %v > %v", s.Src, s.Dst)
	}
	if len(s.TCP) != 25 || s.Length != 25 || string(s.TCP[20:]) != "hello" {
		t.Errorf("segment %q (length %d), want the header and hello without the padding", s.TCP, s.Length)
	}
	// Cut by the snapshot length: the wire length stays.
	s, ok = TCP(pcap.LinkTypeEthernet, fr[:len(fr)-5])
	if !ok || len(s.TCP) != 22 || s.Length != 25 {
		t.Errorf("truncated: ok %v, %d bytes of %d", ok, len(s.TCP), s.Length)
	}
	// A length of 0, from a capture before segmentation offload: the
	// frame is the datagram.
	tso := append([]byte(nil), fr[:len(fr)-2]...)
	tso[18+2], tso[18+3] = 0, 0
	if s, ok := TCP(pcap.LinkTypeEthernet, tso); !ok || string(s.TCP[20:]) != "hello" || s.Length != 25 {
		t.Errorf("IPv4 total length 0: ok %v, segment %q length %d", ok, s.TCP, s.Length)
	}
	// A later fragment is not a segment.
	frag := append([]byte(nil), fr...)
	frag[18+6] = 0x00
	frag[18+7] = 0x10
	if _, ok := TCP(pcap.LinkTypeEthernet, frag); ok {
		t.Error("a fragment at offset 128 taken for a segment")
	}
}

func TestTCPIPv6Raw(t *testing.T) {
	ip := make([]byte, 40)
	ip[0] = 0x60
	binary.BigEndian.PutUint16(ip[4:], 8+20)
	ip[6] = ipv6HopByHop
	ip[23], ip[39] = 1, 2
	hbh := []byte{6, 0, 1, 4, 0, 0, 0, 0} // next header TCP, 8 bytes
	tcp := make([]byte, 20)
	binary.BigEndian.PutUint16(tcp, 1)
	binary.BigEndian.PutUint16(tcp[2:], 2)
	tcp[12] = 5 << 4
	fr := append(append(ip, hbh...), tcp...)
	s, ok := TCP(pcap.LinkTypeRaw, fr)
	if !ok {
		t.Fatal("no segment")
	}
	if s.Src != netip.MustParseAddrPort("[::1]:1") || s.Dst != netip.MustParseAddrPort("[::2]:2") || s.Length != 20 {
		t.Errorf("got %v > %v length %d", s.Src, s.Dst, s.Length)
	}
}

// FuzzTCP takes arbitrary frames apart with every link type: no panic,
// and a segment found lies within the frame and has a TCP header.
func FuzzTCP(f *testing.F) {
	f.Add(ethIPv4TCP([]byte("x")), uint8(0))
	f.Add(ethIPv4TCP(nil)[18:], uint8(3))
	types := []pcap.LinkType{pcap.LinkTypeEthernet, pcap.LinkTypeLinuxSLL, pcap.LinkTypeLinuxSLL2, pcap.LinkTypeRaw,
		pcap.LinkTypeNull, pcap.LinkTypeLoop, pcap.LinkTypeIPv4, pcap.LinkTypeIPv6, pcap.LinkTypeIEEE80211}
	f.Fuzz(func(t *testing.T, fr []byte, lt uint8) {
		s, ok := TCP(types[int(lt)%len(types)], fr)
		if !ok {
			return
		}
		if len(s.TCP) < tcp.HeaderLen || len(s.TCP) > len(fr) || s.Length < len(s.TCP) {
			t.Fatalf("segment of %d bytes (wire %d) from a frame of %d", len(s.TCP), s.Length, len(fr))
		}
	})
}

// TestTCPDoesNotAllocate checks that taking a segment out of a frame, or
// finding none in a frame cut short, allocates nothing: the TLS view does
// it for every packet.
func TestTCPDoesNotAllocate(t *testing.T) {
	fr := ethIPv4TCP([]byte("hello"))
	for _, n := range []int{len(fr), 30, 40, 50} {
		if allocs := testing.AllocsPerRun(10, func() { TCP(pcap.LinkTypeEthernet, fr[:n]) }); allocs != 0 {
			t.Errorf("%d bytes: %v allocations", n, allocs)
		}
	}
}
