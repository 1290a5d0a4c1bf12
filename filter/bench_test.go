package filter

import (
	"testing"

	"github.com/medina-net/medina/pcap"
)

// tcpFrame is an Ethernet/IPv4/TCP frame from 10.0.0.1:50000 to
// 10.0.0.2:443 with 64 bytes of payload.
func tcpFrame(src byte, dport uint16) []byte {
	p := make([]byte, 14+20+20+64)
	copy(p, "\x02\x00\x00\x00\x00\x02\x02\x00\x00\x00\x00\x01\x08\x00")
	ip := p[14:]
	copy(ip, "\x45\x00\x00\x68\x12\x34\x40\x00\x40\x06\x00\x00\x0a\x00\x00\x01\x0a\x00\x00\x02")
	ip[15] = src
	tcp := ip[20:]
	tcp[0], tcp[1] = 0xc3, 0x50
	tcp[2], tcp[3] = byte(dport>>8), byte(dport)
	tcp[12] = 0x50
	tcp[13] = 0x18
	return p
}

// BenchmarkMatch is the filter of the target on a typical frame:
//
//	go test ./filter -run '^$' -bench Match -benchmem
func BenchmarkMatch(b *testing.B) {
	f, err := Compile("host 10.0.0.1 and tcp port 443", pcap.LinkTypeEthernet, 0)
	if err != nil {
		b.Fatal(err)
	}
	for _, bc := range []struct {
		name  string
		pkt   []byte
		match bool
	}{
		{"match", tcpFrame(1, 443), true},
		{"other-port", tcpFrame(1, 80), false},
		{"other-host", tcpFrame(9, 443), false},
	} {
		b.Run(bc.name, func(b *testing.B) {
			if f.Match(bc.pkt, len(bc.pkt)) != bc.match {
				b.Fatalf("Match = %v", !bc.match)
			}
			b.ReportAllocs()
			b.SetBytes(int64(len(bc.pkt)))
			for i := 0; i < b.N; i++ {
				f.Match(bc.pkt, len(bc.pkt))
			}
		})
	}
}

// BenchmarkCompile is the cost of compiling that filter.
func BenchmarkCompile(b *testing.B) {
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		if _, err := Compile("host 10.0.0.1 and tcp port 443", pcap.LinkTypeEthernet, 0); err != nil {
			b.Fatal(err)
		}
	}
}
