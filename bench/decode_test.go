package bench

import (
	"path/filepath"
	"runtime"
	"testing"

	"github.com/gopacket/gopacket"
	"github.com/gopacket/gopacket/layers"

	"github.com/medina-net/medina/ethernet"
	"github.com/medina-net/medina/ipv4"
	"github.com/medina-net/medina/pcap"
	"github.com/medina-net/medina/tcp"
	"github.com/medina-net/medina/udp"
)

// captureFile is the large capture netdump-vs-tcpdump.sh records when it is
// there, and the project's small TCP session otherwise.
func captureFile(b *testing.B) string {
	_, self, _, _ := runtime.Caller(0)
	dir := filepath.Dir(self)
	if m, _ := filepath.Glob(filepath.Join(dir, "out", "bulk-*.pcap")); len(m) > 0 {
		return m[0]
	}
	return filepath.Join(dir, "..", "testdata", "pcaps", "tcp-session.pcap")
}

// loadFrames reads every frame of the capture into memory.
func loadFrames(b *testing.B) [][]byte {
	r, err := pcap.Open(captureFile(b))
	if err != nil {
		b.Fatal(err)
	}
	defer r.Close()
	var frames [][]byte
	for {
		p, err := r.Next()
		if err != nil {
			break
		}
		frames = append(frames, append([]byte(nil), p.Data...))
	}
	if len(frames) == 0 {
		b.Fatal("empty capture")
	}
	return frames
}

// summary is what both decoders extract from each frame, so that neither
// can skip work the other does.
type summary struct {
	ports    uint32
	seq      uint32
	flags    uint16
	payload  int
	src, dst [4]byte
}

// decode takes one Ethernet frame apart with medina's views: Ethernet and
// VLAN tags, the IPv4 header (checked as the stack checks it), and the TCP
// or UDP header.
func decode(frame []byte, s *summary) bool {
	f, err := ethernet.NewFrame(frame)
	if err != nil {
		return false
	}
	typ, off, _, err := ethernet.Unwrap(f)
	if err != nil || typ != ethernet.TypeIPv4 {
		return false
	}
	ip, err := ipv4.NewHeader(frame[off:])
	if err != nil || ip.Check() != nil {
		return false
	}
	s.src, s.dst = ip.Src(), ip.Dst()
	switch ip.Protocol() {
	case ipv4.ProtoTCP:
		t, err := tcp.NewHeader(ip.Payload())
		if err != nil || t.Validate() != nil {
			return false
		}
		s.ports = uint32(t.SrcPort())<<16 | uint32(t.DstPort())
		s.seq = t.Seq()
		s.flags = uint16(t.Flags())
		s.payload = len(t.Payload())
	case ipv4.ProtoUDP:
		u, err := udp.NewHeader(ip.Payload())
		if err != nil {
			return false
		}
		s.ports = uint32(u.SrcPort())<<16 | uint32(u.DstPort())
		s.payload = len(u.Payload())
	default:
		return false
	}
	return true
}

// BenchmarkDecodeMedina decodes every frame of the capture from memory,
// Ethernet through TCP or UDP. Target: 0 allocs/op, and well under
// gopacket's DecodingLayerParser (BenchmarkDecodeGopacket).
func BenchmarkDecodeMedina(b *testing.B) {
	frames := loadFrames(b)
	var s summary
	b.ReportAllocs()
	b.ResetTimer()
	n := 0
	for b.Loop() {
		for _, f := range frames {
			if decode(f, &s) {
				n++
			}
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*len(frames)), "ns/packet")
	if n == 0 {
		b.Fatal("nothing decoded")
	}
}

// BenchmarkDecodeGopacket decodes the same frames with gopacket's
// zero-allocation DecodingLayerParser, the reference.
func BenchmarkDecodeGopacket(b *testing.B) {
	frames := loadFrames(b)
	var (
		eth     layers.Ethernet
		dot1q   layers.Dot1Q
		ip4     layers.IPv4
		tcpL    layers.TCP
		udpL    layers.UDP
		payload gopacket.Payload
		s       summary
	)
	parser := gopacket.NewDecodingLayerParser(layers.LayerTypeEthernet, &eth, &dot1q, &ip4, &tcpL, &udpL, &payload)
	parser.IgnoreUnsupported = true
	decoded := make([]gopacket.LayerType, 0, 8)
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		for _, f := range frames {
			if err := parser.DecodeLayers(f, &decoded); err != nil {
				continue
			}
			for _, lt := range decoded {
				switch lt {
				case layers.LayerTypeIPv4:
					s.src, s.dst = [4]byte(ip4.SrcIP.To4()), [4]byte(ip4.DstIP.To4())
				case layers.LayerTypeTCP:
					s.ports = uint32(tcpL.SrcPort)<<16 | uint32(tcpL.DstPort)
					s.seq = tcpL.Seq
					s.payload = len(tcpL.Payload)
				case layers.LayerTypeUDP:
					s.ports = uint32(udpL.SrcPort)<<16 | uint32(udpL.DstPort)
					s.payload = len(udpL.Payload)
				}
			}
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*len(frames)), "ns/packet")
}

// BenchmarkReadDecodeMedina reads the capture file and decodes every frame:
// the work of a capture-analysis loop without printing.
func BenchmarkReadDecodeMedina(b *testing.B) {
	file := captureFile(b)
	var s summary
	b.ReportAllocs()
	packets := 0
	for b.Loop() {
		r, err := pcap.Open(file)
		if err != nil {
			b.Fatal(err)
		}
		for {
			p, err := r.Next()
			if err != nil {
				break
			}
			decode(p.Data, &s)
			packets++
		}
		r.Close()
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(packets), "ns/packet")
}

// TestDecodeAgreesWithGopacket checks the benchmark's decoder against
// gopacket on the project's captures, so the comparison is of equal work.
func TestDecodeAgreesWithGopacket(t *testing.T) {
	_, self, _, _ := runtime.Caller(0)
	files, _ := filepath.Glob(filepath.Join(filepath.Dir(self), "..", "testdata", "pcaps", "*.pcap"))
	if len(files) == 0 {
		t.Fatal("no captures in testdata/pcaps")
	}
	checked := 0
	for _, file := range files {
		r, err := pcap.Open(file)
		if err != nil {
			t.Fatal(err)
		}
		for {
			p, err := r.Next()
			if err != nil {
				break
			}
			var s summary
			ok := decode(p.Data, &s)
			pkt := gopacket.NewPacket(p.Data, layers.LayerTypeEthernet, gopacket.Default)
			if tl, isTCP := pkt.Layer(layers.LayerTypeTCP).(*layers.TCP); isTCP && ok {
				if s.ports != uint32(tl.SrcPort)<<16|uint32(tl.DstPort) || s.seq != tl.Seq || s.payload != len(tl.Payload) {
					t.Errorf("%s: TCP decode differs from gopacket", file)
				}
				checked++
			}
			if ul, isUDP := pkt.Layer(layers.LayerTypeUDP).(*layers.UDP); isUDP && ok {
				if s.ports != uint32(ul.SrcPort)<<16|uint32(ul.DstPort) {
					t.Errorf("%s: UDP decode differs from gopacket", file)
				}
				checked++
			}
		}
		r.Close()
	}
	if checked == 0 {
		t.Fatal("no TCP or UDP packet was compared")
	}
}
