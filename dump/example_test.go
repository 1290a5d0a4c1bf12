package dump_test

import (
	"fmt"
	"io"
	"os"
	"time"

	"github.com/medina-net/medina/dump"
	"github.com/medina-net/medina/ethernet"
	"github.com/medina-net/medina/ipv4"
	"github.com/medina-net/medina/pcap"
	"github.com/medina-net/medina/udp"
)

// A capture prints as tcpdump -n prints it: here the first packets of a
// TCP connection recorded between two Linux network namespaces, with the
// times in UTC rather than the local time zone.
func Example() {
	r, err := pcap.Open("../testdata/pcaps/tcp-session.pcap")
	if err != nil {
		fmt.Println(err)
		return
	}
	defer r.Close()
	p := dump.New(os.Stdout, dump.Options{Location: time.UTC})
	for range 4 {
		pkt, err := r.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			fmt.Println(err)
			return
		}
		p.Packet(pkt)
	}
	// Output:
	// 23:39:07.890922 IP 10.9.0.1.38340 > 10.9.0.2.8080: Flags [S], seq 2870624623, win 64240, options [mss 1460,sackOK,TS val 4157506224 ecr 0,nop,wscale 10], length 0
	// 23:39:07.890956 IP 10.9.0.2.8080 > 10.9.0.1.38340: Flags [S.], seq 2427710619, ack 2870624624, win 65160, options [mss 1460,sackOK,TS val 2466525658 ecr 4157506224,nop,wscale 10], length 0
	// 23:39:07.890968 IP 10.9.0.1.38340 > 10.9.0.2.8080: Flags [.], ack 1, win 63, options [nop,nop,TS val 4157506224 ecr 2466525658], length 0
	// 23:39:07.891392 IP 10.9.0.1.38340 > 10.9.0.2.8080: Flags [P.], seq 1:33, ack 1, win 63, options [nop,nop,TS val 4157506224 ecr 2466525658], length 32: HTTP: GET / HTTP/1.0
}

// A frame of one's own prints once Frame has given it a timestamp and a
// link type. This one, a DNS query built with the wire packages'
// builders, prints with the link-layer header, the IP header's fields and
// the checksums (-e -vv), numbered (-#), with seconds since 1970 (-tt).
func ExampleFrame() {
	query := []byte{0x12, 0x34, 0x01, 0x00, 0, 1, 0, 0, 0, 0, 0, 0,
		7, 'e', 'x', 'a', 'm', 'p', 'l', 'e', 3, 'o', 'r', 'g', 0, 0, 1, 0, 1}
	src, dst := ipv4.Addr{192, 0, 2, 1}, ipv4.Addr{192, 0, 2, 53}
	frame := make([]byte, ethernet.HeaderLen+ipv4.MinHeaderLen+udp.HeaderLen+len(query))
	ethernet.Encode(frame, ethernet.Addr{2, 0, 0, 0, 0, 53}, ethernet.Addr{2, 0, 0, 0, 0, 1}, ethernet.TypeIPv4)
	ip := ipv4.Fields{PayloadLen: udp.HeaderLen + len(query), ID: 7, TTL: 64, Protocol: ipv4.ProtoUDP, Src: src, Dst: dst}
	ip.Encode(frame[ethernet.HeaderLen:])
	dgram := frame[ethernet.HeaderLen+ipv4.MinHeaderLen:]
	copy(dgram[udp.HeaderLen:], query)
	udp.EncodeChecksum(dgram, 40000, 53, src, dst)

	p := dump.New(os.Stdout, dump.Options{LinkHeader: true, Verbose: 2, PacketNumbers: true, TimestampFormat: dump.UnixTime})
	pkt := dump.Frame(time.Unix(1700000000, 250e6), pcap.LinkTypeEthernet, frame)
	p.Packet(&pkt)
	// Output:
	//     1  1700000000.250000 02:00:00:00:00:01 > 02:00:00:00:00:35, ethertype IPv4 (0x0800), length 71: (tos 0x0, ttl 64, id 7, offset 0, flags [none], proto UDP (17), length 57)
	//     192.0.2.1.40000 > 192.0.2.53.53: [udp sum ok] 4660+ A? example.org. (29)
}
