package arp_test

import (
	"fmt"

	"github.com/medina-net/medina/arp"
	"github.com/medina-net/medina/ethernet"
)

func ExampleNewPacket() {
	b := []byte{
		0x00, 0x01, 0x08, 0x00, 0x06, 0x04, 0x00, 0x01,
		0x00, 0x20, 0xd2, 0x5a, 0xfb, 0x3f, 172, 21, 79, 97,
		0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 172, 21, 79, 100,
	}
	p, err := arp.NewPacket(b)
	if err != nil {
		panic(err)
	}
	if p.Validate() != nil || !p.IsEthernetIPv4() { // the resolver drops the rest
		panic("not an Ethernet/IPv4 ARP packet")
	}
	fmt.Println(p.Op(), "who-has", p.TargetIP(), "tell", p.SenderIP(), "at", p.SenderMAC())
	// Output: Request who-has [172 21 79 100] tell [172 21 79 97] at 00:20:d2:5a:fb:3f
}

func ExamplePacket_generic() {
	// getname_2_read4_asan.pcap: a "reverse reply" with no addresses at all
	// and an unknown protocol, which tcpdump prints as "Reverse Reply
	// <empty> at <wrong proto type>".
	p, _ := arp.NewPacket([]byte{0xff, 0x00, 0x8b, 0x01, 0x00, 0x00, 0x00, 0x04})
	fmt.Println(p.HardwareType(), p.HardwareLen(), p.ProtocolLen(), p.Op(), p.HasAddrs(), len(p.TargetHardware()))
	// Output: Unknown Hardware (65280) 0 0 Reverse Reply true 0
}

func ExampleEncode() {
	mac := ethernet.Addr{0x02, 0x00, 0x00, 0x00, 0x00, 0x01}
	buf := make([]byte, 60)
	p, err := arp.Encode(buf, arp.OpRequest, mac, [4]byte{10, 0, 0, 1}, ethernet.Addr{}, [4]byte{10, 0, 0, 2})
	if err != nil {
		panic(err)
	}
	fmt.Printf("% x\n", []byte(p))
	// Output: 00 01 08 00 06 04 00 01 02 00 00 00 00 01 0a 00 00 01 00 00 00 00 00 00 0a 00 00 02
}
