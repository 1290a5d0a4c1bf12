package filter_test

import (
	"fmt"
	"os"

	"github.com/medina-net/medina/filter"
	"github.com/medina-net/medina/pcap"
)

// A filter is compiled once for a link type, then asked about packets.
func Example() {
	f, err := filter.Compile("host 10.0.0.1 and tcp port 443", pcap.LinkTypeEthernet, 0)
	if err != nil {
		fmt.Println(err)
		return
	}
	frame := []byte{
		0x02, 0, 0, 0, 0, 0x02, 0x02, 0, 0, 0, 0, 0x01, 0x08, 0x00, // Ethernet
		0x45, 0, 0, 40, 0, 0, 0x40, 0, 64, 6, 0, 0, 10, 0, 0, 1, 10, 0, 0, 2, // IPv4
		0xc3, 0x50, 0x01, 0xbb, 0, 0, 0, 0, 0, 0, 0, 0, 0x50, 0x02, 0xff, 0xff, 0, 0, 0, 0, // TCP
	}
	fmt.Println(f.Match(frame, len(frame)))
	// Output: true
}

// Errors are libpcap's, as tcpdump prints them after "tcpdump: ".
func ExampleCompile_error() {
	_, err := filter.Compile("tcp port 70000", pcap.LinkTypeEthernet, 0)
	fmt.Println(err)
	_, err = filter.Compile("host example.org", pcap.LinkTypeEthernet, 0)
	fmt.Println(err)
	// Output:
	// illegal port number 70000 > 65535
	// unknown host 'example.org' (names are not resolved: give an address)
}

// The program prints as tcpdump -d prints it.
func ExampleFilter_Dump() {
	f, err := filter.Compile("ip6 and udp port 53", pcap.LinkTypeEthernet, 0)
	if err != nil {
		fmt.Println(err)
		return
	}
	f.Dump(os.Stdout, filter.DumpText)
	// Output:
	// (000) ldh      [12]
	// (001) jeq      #0x86dd          jt 2	jf 9
	// (002) ldb      [20]
	// (003) jeq      #0x11            jt 4	jf 9
	// (004) ldh      [54]
	// (005) jeq      #0x35            jt 8	jf 6
	// (006) ldh      [56]
	// (007) jeq      #0x35            jt 8	jf 9
	// (008) ret      #262144
	// (009) ret      #0
}
