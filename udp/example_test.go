package udp_test

import (
	"fmt"

	"github.com/medina-net/medina/udp"
)

func ExampleNewHeader() {
	// A DNS query, 109.194.160.4.57766 > 95.211.92.14.53, followed by two
	// bytes of link-layer padding that the length field leaves out.
	b := []byte{
		0xe1, 0xa6, 0x00, 0x35, 0x00, 0x30, 0xa5, 0x97,
		0xf6, 0x18, 0x00, 0x10, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01,
		0x08, 'p', 'i', 'c', 's', 'l', 'i', 'f', 'e', 0x02, 'r', 'u', 0x00,
		0x00, 0x01, 0x00, 0x01, 0x00, 0x00, 0x29, 0x10, 0x00, 0x00, 0x00, 0x80, 0x00, 0x00, 0x00,
		0x00, 0x00,
	}
	src, dst := [4]byte{109, 194, 160, 4}, [4]byte{95, 211, 92, 14}
	h, err := udp.NewHeader(b)
	if err != nil {
		panic(err)
	}
	// The stack drops what fails either check.
	if err := h.Validate(); err != nil {
		panic(err)
	}
	fmt.Printf("%d > %d: length %d, %d bytes of payload, checksum %#04x, valid %v\n",
		h.SrcPort(), h.DstPort(), h.Length(), len(h.Payload()), h.Checksum(), h.ChecksumValid(src, dst))
	// Output: 57766 > 53: length 48, 40 bytes of payload, checksum 0xa597, valid true
}

func ExampleEncodeChecksum() {
	buf := make([]byte, 1500)
	n := copy(buf[udp.HeaderLen:], "hello")
	src, dst := [4]byte{10, 0, 0, 1}, [4]byte{10, 0, 0, 2}
	h, err := udp.EncodeChecksum(buf[:udp.HeaderLen+n], 5353, 53, src, dst)
	if err != nil {
		panic(err)
	}
	fmt.Printf("% x\n", []byte(h))
	fmt.Println(h.Validate(), h.ChecksumValid(src, dst))
	// Output:
	// 14 e9 00 35 00 0d 92 e1 68 65 6c 6c 6f
	// <nil> true
}
