package tls

import (
	gotls "crypto/tls"
	"strings"
	"testing"
)

// A TLS 1.0 CBC stream with one whole record lost: the record after the
// next can be decrypted again (its IV is the last ciphertext block of the
// record before it, which the capture has).
func TestTLS10CBCRecoversAfterGap(t *testing.T) {
	sxCerts(t)
	suite := gotls.TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA
	x := sxExchange{
		client:     &gotls.Config{InsecureSkipVerify: true, CipherSuites: []uint16{suite}, MinVersion: gotls.VersionTLS10, MaxVersion: gotls.VersionTLS10},
		server:     &gotls.Config{Certificates: []gotls.Certificate{sxRSACert}, CipherSuites: []uint16{suite}, MinVersion: gotls.VersionTLS10, MaxVersion: gotls.VersionTLS10},
		clientData: sxData(1, 100), serverData: sxData(2, 100000),
	}
	res := sxConverse(t, x)
	kl, _ := ParseKeyLog(strings.NewReader(res.keylog))
	// The server's stream, and the offsets of its records.
	var srv []byte
	for _, ch := range res.wire {
		if ch.dir == FromServer {
			srv = append(srv, ch.data...)
		}
	}
	var offs []int
	for off := 0; off < len(srv); {
		_, n, err := ParseRecord(srv[off:])
		if err != nil {
			t.Fatal(err)
		}
		offs = append(offs, off)
		off += n
	}
	// Lose the 4th-last record but one (an application data record).
	k := len(offs) - 5
	s, r := newRecordedSession(kl)
	var cli []byte
	for _, ch := range res.wire {
		if ch.dir == FromClient {
			cli = append(cli, ch.data...)
		}
	}
	// Client first (its handshake), then the server with the hole.
	s.Feed(FromClient, cli, res.wire[0].ts)
	s.Feed(FromServer, srv[:offs[k]], res.wire[0].ts)
	s.Gap(FromServer, offs[k+1]-offs[k])
	s.Feed(FromServer, srv[offs[k+1]:], res.wire[0].ts)
	s.Close()
	sum := s.Summary()
	t.Logf("server records after the hole: %d; encrypted %v decrypted %v failed %v", len(offs)-k-1, sum.Encrypted, sum.Decrypted, sum.Failed)
	n := 0
	for _, e := range r.events {
		if e.Kind == EventRecord && e.Dir == FromServer && e.Offset > int64(offs[k]) {
			t.Logf("  %v", e)
			if !e.Decrypted {
				n++
			}
		}
	}
	if n > 1 {
		t.Errorf("%d server records after the hole not decrypted; only the first needs the lost IV", n)
	}
}
