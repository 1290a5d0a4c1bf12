package tls

import (
	gotls "crypto/tls"
	"strings"
	"testing"
)

// The last bytes of a stream, after lost ones: tcpstream gives a hole up
// when the connection ends (a FIN or RST of the peer, the end of the
// capture) and delivers what it held after it, typically the sender's
// close_notify alert. Nothing follows that record to confirm its header,
// as the search for the next record after a gap wants; the end of the
// stream does.

// TestAlertAfterGapAtClose: a server's last application data record is
// lost; its close_notify alert, which comes after the loss and last, is
// decoded and decrypted when the session closes.
func TestAlertAfterGapAtClose(t *testing.T) {
	sxCerts(t)
	for _, version := range []uint16{gotls.VersionTLS12, gotls.VersionTLS13} {
		t.Run(gotls.VersionName(version), func(t *testing.T) {
			x := sxExchange{
				client:     &gotls.Config{InsecureSkipVerify: true, MaxVersion: version},
				server:     &gotls.Config{Certificates: []gotls.Certificate{sxECert}, MaxVersion: version},
				clientData: sxData(31, 100), serverData: sxData(32, 40000),
			}
			res := sxConverse(t, x)
			// The server's stream, cut at its last two records: an
			// application data record and the close_notify alert.
			var server []byte
			var client []sxChunk
			for _, ch := range res.wire {
				if ch.dir == FromServer {
					server = append(server, ch.data...)
				} else {
					client = append(client, ch)
				}
			}
			var starts []int
			for off := 0; off < len(server); {
				_, n, err := ParseRecord(server[off:])
				if err != nil {
					t.Fatalf("server record at %d: %v", off, err)
				}
				starts = append(starts, off)
				off += n
			}
			lost, alert := starts[len(starts)-2], starts[len(starts)-1]
			kl, err := ParseKeyLog(strings.NewReader(res.keylog))
			if err != nil {
				t.Fatal(err)
			}
			s, r := newRecordedSession(kl)
			for _, ch := range client {
				s.Feed(ch.dir, ch.data, ch.ts)
			}
			s.Feed(FromServer, server[:lost], client[0].ts)
			s.Gap(FromServer, alert-lost)
			s.Feed(FromServer, server[alert:], client[0].ts)
			s.Close()
			decrypted := false
			for _, e := range r.of(EventAlert) {
				if e.Dir == FromServer && e.Decrypted && e.AlertDescription == 0 {
					decrypted = true
				}
			}
			if !decrypted {
				for _, e := range r.events {
					if e.Dir == FromServer && e.Offset >= int64(lost) || e.Kind == EventError {
						t.Log(e)
					}
				}
				t.Errorf("the server's close_notify after the lost record was not decrypted")
			}
			if sum := s.Summary(); sum.Failed != [2]int{} {
				t.Errorf("failed records %v", sum.Failed)
			}
		})
	}
}
