package tls

import (
	gotls "crypto/tls"
	"encoding/binary"
	"net/netip"
	"strings"
	"testing"
	"time"

	"github.com/medina-net/medina/tcp"
	"github.com/medina-net/medina/tcpstream"
)

// segment builds a TCP segment with ACK and PSH set.
func segment(src, dst netip.AddrPort, seq, ack uint32, payload []byte) tcp.Header {
	b := make([]byte, 20, 20+len(payload))
	binary.BigEndian.PutUint16(b, src.Port())
	binary.BigEndian.PutUint16(b[2:], dst.Port())
	binary.BigEndian.PutUint32(b[4:], seq)
	binary.BigEndian.PutUint32(b[8:], ack)
	b[12] = 5 << 4
	b[13] = 0x18
	binary.BigEndian.PutUint16(b[14:], 65535)
	return tcp.Header(append(b, payload...))
}

// TestStreamDecoderRoles: a capture that missed the SYN of a connection
// whose server listens on a port above its client's makes tcpstream guess
// the roles the wrong way round; the TLS hellos tell them, and the
// session decodes and decrypts as if the SYN had been seen, with the
// events and Endpoints naming the TLS roles.
func TestStreamDecoderRoles(t *testing.T) {
	sxCerts(t)
	x := sxExchange{client: &gotls.Config{InsecureSkipVerify: true, MaxVersion: gotls.VersionTLS12},
		server:     &gotls.Config{Certificates: []gotls.Certificate{sxECert}, MaxVersion: gotls.VersionTLS12},
		clientData: sxData(1, 3000), serverData: sxData(2, 5000)}
	res := sxConverse(t, x)
	kl, err := ParseKeyLog(strings.NewReader(res.keylog))
	if err != nil {
		t.Fatal(err)
	}
	client := netip.MustParseAddrPort("10.0.0.1:40000")
	server := netip.MustParseAddrPort("10.0.0.2:50443") // above the client's port
	var plain [2][]byte
	var froms [2]netip.AddrPort
	var sum Summary
	var d *StreamDecoder
	d = &StreamDecoder{
		KeyLog: kl,
		OnEvent: func(s *tcpstream.Stream, e Event) {
			if e.Kind == EventApplicationData && e.Decrypted {
				plain[e.Dir] = append(plain[e.Dir], e.Data...)
			}
			if e.Kind == EventHandshake && e.Handshake == ClientHelloType {
				froms[0], froms[1] = d.Endpoints(s)
			}
		},
		OnClose: func(_ *tcpstream.Stream, sess *Session, _ tcpstream.CloseReason) { sum = sess.Summary() },
	}
	asm := tcpstream.NewAssembler(tcpstream.Config{}, d)
	seq := [2]uint32{1000, 9000}
	for i, ch := range res.wire {
		src, dst := client, server
		if ch.dir == FromServer {
			src, dst = server, client
		}
		asm.Add(src, dst, segment(src, dst, seq[ch.dir], seq[1-ch.dir], ch.data), time.Unix(int64(i), 0))
		seq[ch.dir] += uint32(len(ch.data))
	}
	asm.Close()
	if froms != [2]netip.AddrPort{client, server} {
		t.Errorf("Endpoints %v, want client %v and server %v", froms, client, server)
	}
	if string(plain[FromClient]) != string(x.clientData) || string(plain[FromServer]) != string(x.serverData) {
		t.Errorf("plaintext %d and %d bytes, want %d and %d", len(plain[FromClient]), len(plain[FromServer]), len(x.clientData), len(x.serverData))
	}
	if sum.Midstream || sum.ServerName != "" && sum.Version == 0 || !sum.KeysFound {
		t.Errorf("summary: midstream %v, version %v, keys found %v", sum.Midstream, sum.Version, sum.KeysFound)
	}
}
