package tcp_test

import (
	"fmt"

	"github.com/medina-net/medina/tcp"
)

// A SYN as Linux sends it: MSS, SACK permitted, timestamps, NOP, window
// scale.
var syn = []byte{
	0xc3, 0x50, 0x00, 0x50, 0x74, 0x1d, 0x4a, 0x2d, 0x00, 0x00, 0x00, 0x00,
	0xa0, 0x02, 0xfa, 0xf0, 0x00, 0x00, 0x00, 0x00,
	0x02, 0x04, 0x05, 0xb4, 0x04, 0x02, 0x08, 0x0a, 0x06, 0xaf, 0x3c, 0x15,
	0x00, 0x00, 0x00, 0x00, 0x01, 0x03, 0x03, 0x07,
}

func ExampleNewHeader() {
	h, err := tcp.NewHeader(syn)
	if err != nil {
		panic(err)
	}
	if err := h.Validate(); err != nil { // the stack drops what fails here
		panic(err)
	}
	fmt.Printf("%d > %d: Flags [%v], seq %d, win %d, %d bytes of options\n",
		h.SrcPort(), h.DstPort(), h.Flags(), h.Seq(), h.Window(), len(h.Options()))
	// Output: 50000 > 80: Flags [S], seq 1948076589, win 64240, 20 bytes of options
}

func ExampleHeader_OptionIter() {
	h, _ := tcp.NewHeader(syn)
	it := h.OptionIter()
	for o, ok := it.Next(); ok; o, ok = it.Next() {
		if o.Status != tcp.OptionOK {
			fmt.Println(o.Err())
			continue
		}
		switch o.Kind {
		case tcp.OptMSS:
			mss, _ := o.MSS()
			fmt.Println("mss", mss)
		case tcp.OptTimestamps:
			val, ecr, _ := o.Timestamps()
			fmt.Println("TS val", val, "ecr", ecr)
		case tcp.OptWindowScale:
			shift, _ := o.WindowScale()
			fmt.Println("wscale", shift)
		default:
			fmt.Println(o.Kind)
		}
	}
	// Output:
	// mss 1460
	// sackOK
	// TS val 112147477 ecr 0
	// nop
	// wscale 7
}

func ExampleOptionIter_malformed() {
	// An MSS option whose length byte says 3, then an SCPS option that runs
	// past the end of the option area.
	it := tcp.NewOptionIter([]byte{2, 3, 5, 1, 20, 4, 0})
	for o := range it.All() {
		fmt.Printf("%v at %d, length %d: %v\n", o.Kind, o.Offset, o.Length, o.Status)
	}
	fmt.Println(it.Err() == nil) // All walked a copy
	for _, ok := it.Next(); ok; _, ok = it.Next() {
	}
	fmt.Println(it.Err())
	// Output:
	// mss at 0, length 3: wrong length
	// nop at 3, length 1: ok
	// scps at 4, length 4: past end of options
	// true
	// tcp: bad option: option "mss" (kind 2) at offset 0: length 3 is wrong for the kind
}

func ExampleFields_EncodeChecksum() {
	var optBuf [tcp.MaxOptionsLen]byte
	opts := tcp.AppendMSS(optBuf[:0], 1460)
	opts = tcp.AppendSACKPermitted(opts)
	opts = tcp.AppendNOP(opts)
	opts = tcp.AppendWindowScale(opts, 7)
	f := tcp.Fields{
		SrcPort: 50000, DstPort: 80, Seq: 1, Flags: tcp.FlagSYN, Window: 64240,
		Options: opts,
	}
	src, dst := [4]byte{10, 0, 0, 1}, [4]byte{10, 0, 0, 2}
	buf := make([]byte, 1500)
	// A SYN carries no payload: the segment is the header.
	h, err := f.EncodeChecksum(buf[:f.HeaderLen()], src, dst)
	if err != nil {
		panic(err)
	}
	fmt.Printf("% x\n", []byte(h))
	fmt.Println(h.ChecksumValid(src, dst))
	// Output:
	// c3 50 00 50 00 00 00 01 00 00 00 00 80 02 fa f0 9d 7d 00 00 02 04 05 b4 04 02 01 03 03 07 00 00
	// true
}

func ExampleMPTCP() {
	// A DSS option from an MPTCP v0 capture: a 4-byte data ACK and a
	// mapping with a checksum.
	opt := []byte{30, 20, 0x20, 0x05, 0xd5, 0x2c, 0xc9, 0x4a, 0xd1, 0xb9, 0x3e, 0x90,
		0, 0, 0, 1, 0, 4, 0x3f, 0x2a}
	it := tcp.NewOptionIter(opt)
	first, _ := it.Next()
	m, ok := first.MPTCP()
	if !ok || m.Validate() != nil {
		panic("bad MPTCP option")
	}
	d, _ := m.DSS()
	ack, _ := d.Ack()
	seq, _ := d.DataSeq()
	ssn, _ := d.SubflowSeq()
	n, _ := d.DataLen()
	sum, _ := d.Checksum()
	fmt.Printf("mptcp %d %v ack %d seq %d subseq %d len %d csum %#x\n", len(m), m.Subtype(), ack, seq, ssn, n, sum)
	// Output: mptcp 20 dss ack 3576482122 seq 3518578320 subseq 1 len 4 csum 0x3f2a
}
