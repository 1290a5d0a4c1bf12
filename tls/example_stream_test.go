package tls_test

import (
	"bytes"
	"fmt"
	"io"
	"net/netip"

	"github.com/medina-net/medina/ethernet"
	"github.com/medina-net/medina/ipv4"
	"github.com/medina-net/medina/pcap"
	"github.com/medina-net/medina/tcp"
	"github.com/medina-net/medina/tcpstream"
	"github.com/medina-net/medina/tls"
)

// ExampleStreamDecoder decrypts the HTTPS in a capture of Ethernet and
// IPv4 frames whose pcapng Decryption Secrets Blocks hold the keys (as
// examples/httpsd writes them): frames are taken apart with the wire
// format packages, reassembled by a tcpstream.Assembler, and decoded by a
// StreamDecoder, which prints the first line each side sent.
func ExampleStreamDecoder() {
	r, err := pcap.Open("../testdata/pcaps/httpsd-session.pcapng")
	if err != nil {
		fmt.Println(err)
		return
	}
	defer r.Close()
	keys := tls.NewKeyLog()
	printed := map[tls.Direction]bool{}
	dec := &tls.StreamDecoder{
		KeyLog: keys,
		OnEvent: func(s *tcpstream.Stream, e tls.Event) {
			if e.Kind == tls.EventApplicationData && e.Decrypted && !printed[e.Dir] {
				printed[e.Dir] = true
				line, _, _ := bytes.Cut(e.Data, []byte("\r\n"))
				fmt.Printf("%v: %s\n", e.Dir, line)
			}
		},
		OnClose: func(s *tcpstream.Stream, sess *tls.Session, _ tcpstream.CloseReason) {
			sum := sess.Summary()
			fmt.Printf("%v, %s, SNI %s, %d bytes decrypted from the server\n",
				sum.Version, tls.CipherSuiteName(sum.CipherSuite), sum.ServerName, sum.PlaintextBytes[tls.FromServer])
		},
	}
	asm := tcpstream.NewAssembler(tcpstream.Config{}, dec)
	for secrets := 0; ; {
		pkt, err := r.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			fmt.Println(err)
			return
		}
		for _, s := range r.Secrets()[secrets:] {
			if err := keys.AddSecretsBlock(uint32(s.Type), s.Data); err != nil {
				fmt.Println(err)
			}
		}
		secrets = len(r.Secrets())
		et, off, _, err := ethernet.Unwrap(ethernet.Frame(pkt.Data))
		if err != nil || et != ethernet.TypeIPv4 {
			continue
		}
		ip, err := ipv4.NewHeader(pkt.Data[off:])
		if err != nil || ip.Protocol() != ipv4.ProtoTCP || ip.IsFragment() {
			continue
		}
		seg, err := tcp.NewHeader(ip.Payload())
		if err != nil {
			continue
		}
		src := netip.AddrPortFrom(netip.AddrFrom4(ip.Src()), seg.SrcPort())
		dst := netip.AddrPortFrom(netip.AddrFrom4(ip.Dst()), seg.DstPort())
		asm.Add(src, dst, seg, pkt.Time())
	}
	asm.Close()
	// Output:
	// client: GET / HTTP/1.1
	// server: HTTP/1.1 200 OK
	// TLS 1.3, TLS_AES_128_GCM_SHA256, SNI httpsd.test, 100637 bytes decrypted from the server
}
