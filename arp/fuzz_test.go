package arp

// Differential tests against gopacket's layers.ARP, the independent oracle.
// gopacket decodes only a packet that holds all four addresses, and so
// does Validate; NewPacket also accepts a packet cut short in its
// addresses, so the fixed fields are compared only when gopacket accepts.
// gopacket reads an ATM ARP packet (hardware type 19) with ARP's layout,
// as Packet does; ATMPacket, which reads it right, is checked for panics
// only.

import (
	"bytes"
	"os"
	"testing"

	"github.com/gopacket/gopacket"
	"github.com/gopacket/gopacket/layers"

	"github.com/medina-net/medina/ethernet"
)

func compareGopacket(t *testing.T, b []byte) {
	t.Helper()
	p, err := NewPacket(b)
	var g layers.ARP
	gerr := g.DecodeFromBytes(b, gopacket.NilDecodeFeedback)
	if err != nil {
		if gerr == nil {
			t.Fatalf("NewPacket: %v; gopacket accepts", err)
		}
		return
	}
	if verr := p.Validate(); (verr == nil) != (gerr == nil) {
		t.Fatalf("Validate() = %v, gopacket: %v", verr, gerr)
	}
	if gerr != nil {
		return
	}
	for _, c := range []struct {
		name      string
		got, want any
	}{
		{"HardwareType", uint16(p.HardwareType()), uint16(g.AddrType)},
		{"Protocol", uint16(p.Protocol()), uint16(g.Protocol)},
		{"HardwareLen", p.HardwareLen(), int(g.HwAddressSize)},
		{"ProtocolLen", p.ProtocolLen(), int(g.ProtAddressSize)},
		{"Op", uint16(p.Op()), g.Operation},
		{"SenderHardware", string(p.SenderHardware()), string(g.SourceHwAddress)},
		{"SenderProtocol", string(p.SenderProtocol()), string(g.SourceProtAddress)},
		{"TargetHardware", string(p.TargetHardware()), string(g.DstHwAddress)},
		{"TargetProtocol", string(p.TargetProtocol()), string(g.DstProtAddress)},
		{"Len", p.Len(), len(g.Contents)},
	} {
		if c.got != c.want {
			t.Fatalf("%s = %v, gopacket %v", c.name, c.got, c.want)
		}
	}
}

// exercise calls every accessor and checks what holds for any input.
func exercise(t *testing.T, p Packet) {
	t.Helper()
	_ = p.HardwareType().String()
	_ = p.Op().String()
	addrs := [][]byte{p.SenderHardware(), p.SenderProtocol(), p.TargetHardware(), p.TargetProtocol()}
	n := 0
	for i, a := range addrs {
		want := p.HardwareLen()
		if i%2 == 1 {
			want = p.ProtocolLen()
		}
		if len(a) > want {
			t.Fatalf("address %d of %d bytes, length says %d", i, len(a), want)
		}
		if p.HasAddrs() && len(a) != want {
			t.Fatalf("address %d of %d bytes in a whole packet, length says %d", i, len(a), want)
		}
		n += len(a)
	}
	if n != min(len(p)-HeaderLen, p.AddrsLen()) {
		t.Fatalf("addresses add up to %d of %d", n, len(p)-HeaderLen)
	}
	if p.IsEthernetIPv4() {
		if p.SenderMAC() != ethernet.Addr(p.SenderHardware()) || p.TargetIP() != [4]byte(p.TargetProtocol()) ||
			p.TargetMAC() != ethernet.Addr(p.TargetHardware()) || p.SenderIP() != [4]byte(p.SenderProtocol()) {
			t.Fatal("Ethernet/IPv4 accessors disagree with the generic ones")
		}
	} else if p.HardwareLen() != 6 || p.ProtocolLen() != 4 || !p.HasAddrs() {
		if p.SenderMAC() != (ethernet.Addr{}) || p.TargetIP() != [4]byte{} {
			t.Fatal("Ethernet/IPv4 accessors read another layout")
		}
	}
	if a, err := NewATMPacket(p); err == nil {
		_ = [][]byte{a.SenderNumber(), a.SenderSubaddr(), a.SenderProtocol(), a.TargetNumber(), a.TargetSubaddr(), a.TargetProtocol()}
		if a.HasAddrs() != (len(a) >= a.Len()) || a.Len() > ATMHeaderLen+2*(63+63+255) {
			t.Fatal("ATM lengths")
		}
	}
	_, _ = tcpdumpARP(p, true)
	_, _ = tcpdumpARP(p, false)
}

func FuzzPacket(f *testing.F) {
	if _, err := os.Stat(corpusDir); err == nil {
		seen := map[string]bool{}
		for _, p := range arpPackets(f, "tcpdump", "gopacket") {
			// arp-oobr.pcap repeats the same few requests; keep the
			// distinct ones.
			if !seen[string(p.data)] {
				seen[string(p.data)] = true
				f.Add(p.data)
			}
		}
	}
	f.Add(unhex(f, requestHex))
	f.Add(unhex(f, "ff00 8b01 0000 0004"))
	f.Add(unhex(f, "3030 0800 0e04 0001"+"3030303030303030303030303030"))
	f.Add(unhex(f, "0013 0800 1400 0001 0414 0004"))
	f.Fuzz(func(t *testing.T, b []byte) {
		compareGopacket(t, b)
		p, err := NewPacket(b)
		if err != nil {
			return
		}
		exercise(t, p)
		if p.IsEthernetIPv4() {
			e, err := Encode(make([]byte, EthernetIPv4Len), p.Op(), p.SenderMAC(), p.SenderIP(), p.TargetMAC(), p.TargetIP())
			if err != nil {
				t.Fatal(err)
			}
			e.SetHardwareType(p.HardwareType())
			if !bytes.Equal(e, b[:EthernetIPv4Len]) {
				t.Fatalf("re-encoded\n% x\nwant\n% x", []byte(e), b[:EthernetIPv4Len])
			}
		}
	})
}

func TestGopacketCorpus(t *testing.T) {
	for _, p := range arpPackets(t, "tcpdump", "gopacket", "tls") {
		compareGopacket(t, p.data)
		if q, err := NewPacket(p.data); err == nil {
			exercise(t, q)
		}
	}
}
