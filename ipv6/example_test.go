package ipv6_test

import (
	"fmt"

	"github.com/medina-net/medina/ipv4"
	"github.com/medina-net/medina/ipv6"
)

func ExampleHeader_ExtIter() {
	// An MLDv2 report from babel.pcap: a hop-by-hop options header with a
	// router alert, then ICMPv6.
	b := []byte{
		0x60, 0x00, 0x00, 0x00, 0x00, 0x38, 0x00, 0x01,
		0xfe, 0x80, 0, 0, 0, 0, 0, 0, 0x68, 0xd3, 0x12, 0x35, 0xd0, 0x68, 0x1f, 0x9e,
		0xff, 0x02, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x16,
		0x3a, 0x00, 0x05, 0x02, 0x00, 0x00, 0x01, 0x00,
		0x8f, 0x00, 0x3f, 0x60, 0x00, 0x00, 0x00, 0x02, // ...
	}
	h, err := ipv6.NewHeader(b)
	if err != nil {
		panic(err)
	}
	fmt.Printf("%v > %v hlim %d payload length %d\n", h.Src(), h.Dst(), h.HopLimit(), h.PayloadLen())
	it := h.ExtIter()
	for e, ok := it.Next(); ok; e, ok = it.Next() {
		fmt.Printf("%v header at %d, %d bytes, %v\n", e.Proto, e.Offset, e.Len, e.Status)
		opts := e.Options()
		for o, ok := opts.Next(); ok; o, ok = opts.Next() {
			fmt.Printf("  option %v at %d, action %d\n", o.Kind, e.Offset+o.Offset, o.Kind.Action())
		}
	}
	p, off, how := it.End()
	fmt.Printf("then %v at %d (%v)\n", p, off, how)
	// Output:
	// fe80::68d3:1235:d068:1f9e > ff02::16 hlim 1 payload length 56
	// Options header at 40, 8 bytes, ok
	//   option rtalert at 42, action 0
	//   option padn at 46, action 0
	// then ICMPv6 at 48 (upper layer)
}

func ExampleFragment() {
	// A 3000-byte UDP payload for a 1280-byte path MTU.
	pkt := make([]byte, ipv6.HeaderLen+8+3000)
	f := ipv6.Fields{PayloadLen: 8 + 3000, NextHeader: ipv4.ProtoUDP, HopLimit: 64,
		Src: ipv6.Loopback, Dst: ipv6.Loopback}
	f.Encode(pkt)
	scratch := make([]byte, 1280)
	err := ipv6.Fragment(pkt, 1280, 0x1234, scratch, func(frag []byte) error {
		h, _ := ipv6.NewHeader(frag)
		fh, _, _ := h.FragmentHeader()
		fmt.Printf("%d bytes: offset %d, more %v\n", len(frag), fh.Offset(), fh.More())
		return nil
	})
	fmt.Println(err)
	// Output:
	// 1280 bytes: offset 0, more true
	// 1280 bytes: offset 1232, more true
	// 592 bytes: offset 2464, more false
	// <nil>
}
