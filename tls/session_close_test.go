package tls

import (
	gotls "crypto/tls"
	"strings"
	"testing"
	"time"

	"github.com/medina-net/medina/tcp"
	"github.com/medina-net/medina/tcpstream"
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

// TestAlertAfterPeersReset: the end of httpsd's recording (the client's
// close_notify and FIN, the server's close_notify and FIN, the client's
// RSTs) in orders a capture shows when the ends close at once: the
// client resets instead of sending its FIN, and the server's close_notify
// comes after the RST (it was on its way); or the server's FIN is
// captured before its close_notify, which comes after the client's RST.
// Both close_notify alerts are decoded, and no byte is lost.
func TestAlertAfterPeersReset(t *testing.T) {
	frames, keys := legitSession(t)
	n := len(frames)
	// The last ten frames, as recorded: 0-2 the client's ACKs, 3 its
	// close_notify, 4 its FIN, 5 the server's ACK, 6 its close_notify,
	// 7 its FIN, 8 and 9 the client's RSTs.
	end := func(order ...int) []legitFrame {
		out := append([]legitFrame(nil), frames[:n-10]...)
		for _, i := range order {
			out = append(out, frames[n-10+i])
		}
		return out
	}
	for _, c := range []struct {
		name   string
		frames []legitFrame
	}{
		{"as recorded", end(0, 1, 2, 3, 4, 5, 6, 7, 8, 9)},
		{"client resets, the server's alert after", end(0, 1, 2, 3, 8, 6, 7, 9)},
		{"server's FIN before its alert, the alert after the client's RST", end(0, 1, 2, 3, 4, 5, 7, 8, 6, 9)},
	} {
		t.Run(c.name, func(t *testing.T) {
			var alerts [2]int
			var sum Summary
			d := &StreamDecoder{KeyLog: keys,
				OnEvent: func(_ *tcpstream.Stream, e Event) {
					if e.Kind == EventAlert && e.Decrypted && e.AlertDescription == 0 {
						alerts[e.Dir]++
					}
				},
				OnClose: func(_ *tcpstream.Stream, s *Session, _ tcpstream.CloseReason) { sum = s.Summary() },
			}
			asm := tcpstream.NewAssembler(tcpstream.Config{}, d)
			for i, f := range c.frames {
				asm.Add(f.src, f.dst, tcp.Header(f.seg), time.Unix(1700000000, int64(i)*int64(time.Millisecond)))
			}
			asm.Close()
			if alerts != [2]int{1, 1} {
				t.Errorf("close_notify alerts decrypted: %d from the client, %d from the server; want 1 and 1", alerts[0], alerts[1])
			}
			if sum.Lost != [2]int64{} {
				t.Errorf("bytes lost %v", sum.Lost)
			}
		})
	}
}
