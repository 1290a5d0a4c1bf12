package pcap_test

import (
	"errors"
	"fmt"
	"io"
	"log"

	"github.com/medina-net/medina/pcap"
)

// Open a capture file and print a line per packet, the way netdump's
// tcpdump mode starts: the "reading from file" line, then the packets,
// then any error with libpcap's words.
func ExampleOpen() {
	r, err := pcap.Config{Libpcap: true}.Open("testdata/example.pcap")
	if err != nil {
		log.Fatal(err) // "NAME: MESSAGE", as libpcap words it
	}
	defer r.Close()
	lt := r.LinkType()
	fmt.Printf("link-type %s (%s), snapshot length %d\n", lt, lt.Description(), r.Snaplen())
	for {
		p, err := r.Next()
		if err == io.EOF {
			break
		}
		var perr *pcap.Error
		if errors.As(err, &perr) {
			fmt.Println("pcap_loop:", perr.Msg) // tcpdump prints this and exits 1
			break
		}
		// p.Data is only valid until the next call to Next.
		fmt.Printf("%d.%06d %d/%d bytes\n", p.Sec, p.Frac, len(p.Data), p.Length)
	}
	// Output:
	// link-type EN10MB (Ethernet), snapshot length 65535
	// 1700000000.250000 66/66 bytes
	// 1700000000.251500 1514/1514 bytes
	// 1700000002.250000 54/54 bytes
}
