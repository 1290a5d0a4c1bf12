package tcpstream_test

import (
	"fmt"
	"net/netip"
	"time"

	"github.com/medina-net/medina/tcp"
	"github.com/medina-net/medina/tcpstream"
)

// printer is a Handler that prints what it is handed.
type printer struct{}

func (printer) Data(s *tcpstream.Stream, dir tcpstream.Direction, data []byte, ts time.Time) {
	fmt.Printf("%v %q\n", dir, data)
}

func (printer) Gap(s *tcpstream.Stream, dir tcpstream.Direction, n int) {
	fmt.Printf("%v: %d bytes missing\n", dir, n)
}

func (printer) Close(s *tcpstream.Stream, reason tcpstream.CloseReason) {
	st := s.Stats(tcpstream.ClientToServer)
	fmt.Printf("%v closed (%v); the client sent %d bytes, %d segment out of order\n",
		s, reason, st.Delivered, st.OutOfOrder)
}

// The second segment of the request is captured before the first: the
// Assembler holds it, and hands both over in order once the first arrives.
func ExampleAssembler() {
	cli := netip.MustParseAddrPort("192.0.2.1:49152")
	srv := netip.MustParseAddrPort("192.0.2.2:80")
	a := tcpstream.NewAssembler(tcpstream.Config{}, printer{})

	// A capture would have these from a pcap file; here they are built.
	at := time.Date(2024, 1, 2, 3, 4, 5, 0, time.UTC)
	add := func(src, dst netip.AddrPort, flags tcp.Flags, seq, ack uint32, payload string) {
		f := tcp.Fields{SrcPort: src.Port(), DstPort: dst.Port(), Seq: seq, Ack: ack, Flags: flags, Window: 65535}
		b := make([]byte, f.HeaderLen()+len(payload))
		copy(b[f.HeaderLen():], payload)
		seg, err := f.Encode(b)
		if err != nil {
			fmt.Println(err)
			return
		}
		a.Add(src, dst, seg, at)
		at = at.Add(time.Millisecond)
	}
	const syn, ack, fin = tcp.FlagSYN, tcp.FlagACK, tcp.FlagFIN
	add(cli, srv, syn, 100, 0, "")
	add(srv, cli, syn|ack, 300, 101, "")
	add(cli, srv, ack, 101, 301, "")
	add(cli, srv, ack, 117, 301, "Host: example\r\n\r\n") // out of order: held
	add(cli, srv, ack, 101, 301, "GET / HTTP/1.1\r\n")    // fills the hole
	add(srv, cli, ack, 301, 134, "HTTP/1.1 204 No Content\r\n\r\n")
	add(cli, srv, fin|ack, 134, 328, "")
	add(srv, cli, fin|ack, 328, 135, "")
	add(cli, srv, ack, 135, 329, "")
	a.Close()

	// Output:
	// client>server "GET / HTTP/1.1\r\n"
	// client>server "Host: example\r\n\r\n"
	// server>client "HTTP/1.1 204 No Content\r\n\r\n"
	// 192.0.2.1:49152 > 192.0.2.2:80 closed (fin); the client sent 33 bytes, 1 segment out of order
}
