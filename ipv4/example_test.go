package ipv4_test

import (
	"fmt"

	"github.com/medina-net/medina/ipv4"
)

func ExampleNewHeader() {
	// A UDP datagram from Linux with a router alert option, and 2 bytes of
	// payload.
	b := []byte{
		0x46, 0x00, 0x00, 0x22, 0x67, 0x0c, 0x40, 0x00, 0x40, 0x11, 0x40, 0xb8,
		0x7f, 0x00, 0x00, 0x01, 0x7f, 0x00, 0x00, 0x01, 0x94, 0x04, 0x00, 0x00,
		0xc2, 0x4f, 0x00, 0x07, 0x00, 0x0a, 0xfe, 0x1d, 'r', 'a',
	}
	h, err := ipv4.NewHeader(b)
	if err != nil {
		panic(err)
	}
	if err := h.Validate(); err != nil {
		fmt.Println("drop:", err)
		return
	}
	fmt.Printf("%v > %v proto %v ttl %d id %d flags [%v] length %d\n",
		h.Src(), h.Dst(), h.Protocol(), h.TTL(), h.ID(), h.Flags(), h.TotalLen())
	it := h.OptionIter()
	for {
		o, err := it.Next()
		if err != nil {
			break // io.EOF, or a malformed option
		}
		v, _ := o.RouterAlert()
		fmt.Printf("option %v at %d, value %d\n", o.Kind, o.Offset, v)
	}
	fmt.Printf("payload % x\n", h.Payload())
	// Output:
	// 127.0.0.1 > 127.0.0.1 proto UDP ttl 64 id 26380 flags [DF] length 34
	// option RA at 20, value 0
	// payload c2 4f 00 07 00 0a fe 1d 72 61
}

func ExampleFields_Encode() {
	f := ipv4.Fields{
		TTL:        64,
		ID:         1,
		Flags:      ipv4.FlagDF,
		Protocol:   ipv4.ProtoUDP,
		Src:        ipv4.Addr{192, 0, 2, 1},
		Dst:        ipv4.Addr{198, 51, 100, 7},
		PayloadLen: 8,
	}
	buf := make([]byte, 1500)
	h, err := f.Encode(buf)
	if err != nil {
		panic(err)
	}
	// The payload goes after the header.
	n := copy(buf[h.HeaderLen():], "8 bytes!")
	pkt := buf[:h.HeaderLen()+n]
	fmt.Printf("% x\n", pkt[:h.HeaderLen()])
	fmt.Println(ipv4.Header(pkt).Validate())
	// Output:
	// 45 00 00 1c 00 01 40 00 40 11 4e 94 c0 00 02 01 c6 33 64 07
	// <nil>
}
