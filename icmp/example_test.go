package icmp_test

import (
	"encoding/binary"
	"fmt"

	"github.com/medina-net/medina/icmp"
	"github.com/medina-net/medina/ipv4"
)

func ExampleNewMessage() {
	// A port unreachable from Linux, quoting the UDP datagram it refused.
	b := []byte{
		0x03, 0x03, 0x7e, 0x5d, 0x00, 0x00, 0x00, 0x00, // type 3, code 3
		0x45, 0x00, 0x00, 0x2f, 0x63, 0x3e, 0x40, 0x00, 0x40, 0x11, 0xd9, 0x7d,
		0x7f, 0x00, 0x00, 0x01, 0x7f, 0x00, 0x00, 0x01, // IP header, 127.0.0.1 > 127.0.0.1
		0xeb, 0x11, 0x00, 0x09, 0x00, 0x1b, 0xfe, 0x2e, // UDP header, port 60177 > 9
		'h', 'e', 'l', 'l', 'o', ',', ' ', 'c', 'l', 'o', 's', 'e', 'd', ' ', 'p', 'o', 'r', 't', '\n',
	}
	m, err := icmp.NewMessage(b)
	if err != nil {
		panic(err)
	}
	if err := m.Validate(); err != nil {
		fmt.Println("drop:", err)
		return
	}
	fmt.Println(m.Type(), m.Code() == icmp.UnreachPort)
	q, err := ipv4.NewHeader(m.Quoted())
	if err != nil {
		panic(err)
	}
	udp := q.Payload()
	fmt.Printf("%v %v:%d > %v:%d\n", q.Protocol(), q.Src(), binary.BigEndian.Uint16(udp[0:]), q.Dst(), binary.BigEndian.Uint16(udp[2:]))
	// Output:
	// destination unreachable true
	// UDP 127.0.0.1:60177 > 127.0.0.1:9
}

func ExampleEncodeDestUnreachable() {
	// The datagram the stack refuses: a UDP datagram to a closed port.
	f := ipv4.Fields{TTL: 64, Protocol: ipv4.ProtoUDP, Src: ipv4.Addr{192, 0, 2, 7}, Dst: ipv4.Addr{192, 0, 2, 1}, PayloadLen: 12}
	dgram := make([]byte, 32)
	if _, err := f.Encode(dgram); err != nil {
		panic(err)
	}
	copy(dgram[20:], []byte{0x30, 0x39, 0x00, 0x35, 0x00, 0x0c, 0x00, 0x00, 'q', 'u', 'e', 'y'})

	buf := make([]byte, 576)
	m, err := icmp.EncodeDestUnreachable(buf, icmp.UnreachPort, 0, dgram, icmp.MinQuoteLen(dgram))
	if err != nil {
		panic(err)
	}
	fmt.Println(len(m), m.Validate(), len(m.Quoted()))
	// Output:
	// 36 <nil> 28
}
