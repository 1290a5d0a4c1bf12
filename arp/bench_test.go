package arp

import (
	"testing"

	"github.com/medina-net/medina/ethernet"
)

var sink uint64

// readAll validates p and reads every field, the way the resolver does.
func readAll(p Packet) error {
	if err := p.Validate(); err != nil {
		return err
	}
	if !p.IsEthernetIPv4() {
		return errShortAddrs
	}
	sha, spa, tha, tpa := p.SenderMAC(), p.SenderIP(), p.TargetMAC(), p.TargetIP()
	sink += uint64(p.Op()) + uint64(sha[5]) + uint64(spa[3]) + uint64(tha[5]) + uint64(tpa[3])
	return nil
}

func BenchmarkParse(b *testing.B) {
	p, _ := NewPacket(unhex(b, requestHex))
	b.ReportAllocs()
	for b.Loop() {
		if err := readAll(p); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkParseGeneric reads the addresses of any hardware and protocol.
func BenchmarkParseGeneric(b *testing.B) {
	p, _ := NewPacket(unhex(b, requestHex))
	b.ReportAllocs()
	for b.Loop() {
		sink += uint64(p.HardwareType()) + uint64(p.Protocol()) + uint64(p.Op()) +
			uint64(len(p.SenderHardware())+len(p.SenderProtocol())+len(p.TargetHardware())+len(p.TargetProtocol()))
	}
}

func BenchmarkEncode(b *testing.B) {
	buf := make([]byte, 60)
	mac := ethernet.Addr{2, 0, 0, 0, 0, 1}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Encode(buf, OpRequest, mac, [4]byte{10, 0, 0, 1}, ethernet.Addr{}, [4]byte{10, 0, 0, 2}); err != nil {
			b.Fatal(err)
		}
	}
}

func TestZeroAllocs(t *testing.T) {
	p, _ := NewPacket(unhex(t, requestHex))
	buf := make([]byte, 60)
	for name, fn := range map[string]func(){
		"parse":  func() { readAll(p) },
		"reject": func() { readAll(p[:20]) },
		"short":  func() { NewPacket(buf[:3]) },
		"encode": func() { Encode(buf, OpReply, ethernet.Addr{}, [4]byte{}, ethernet.Addr{}, [4]byte{}) },
		"names":  func() { sink += uint64(len(OpReply.String()) + len(HardwareEthernet.String())) },
	} {
		if n := testing.AllocsPerRun(100, fn); n != 0 {
			t.Errorf("%s: %v allocs", name, n)
		}
	}
}
