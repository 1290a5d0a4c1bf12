package tls

import (
	gotls "crypto/tls"
	"errors"
	"runtime"
	"strings"
	"testing"
)

// TestClosedSessionIsSmall: a closed Session lets its buffers go. A
// StreamDecoder's Session stays in Stream.User while the Assembler
// remembers an ended connection (up to MaxStreams, 65536, for
// IdleTimeout of capture time); at 83 KB each that was gigabytes.
func TestClosedSessionIsSmall(t *testing.T) {
	sxCerts(t)
	for _, v := range []uint16{gotls.VersionTLS12, gotls.VersionTLS13} {
		x := sxExchange{client: &gotls.Config{InsecureSkipVerify: true, MaxVersion: v},
			server:     &gotls.Config{Certificates: []gotls.Certificate{sxECert}, MaxVersion: v},
			clientData: sxData(1, 300), serverData: sxData(2, 500)}
		res := sxConverse(t, x)
		for _, withKeys := range []bool{false, true} {
			kl := NewKeyLog()
			if withKeys {
				kl, _ = ParseKeyLog(strings.NewReader(res.keylog))
			}
			// Split every chunk in two, as TCP segments do.
			var w []sxChunk
			for _, ch := range res.wire {
				h := len(ch.data) / 2
				w = append(w, sxChunk{dir: ch.dir, data: ch.data[:h], ts: ch.ts}, sxChunk{dir: ch.dir, data: ch.data[h:], ts: ch.ts})
			}
			const n = 500
			keep := make([]*Session, n)
			runtime.GC()
			var m0, m1 runtime.MemStats
			runtime.ReadMemStats(&m0)
			for i := range keep {
				s := NewSession(SessionConfig{KeyLog: kl})
				for _, ch := range w {
					s.Feed(ch.dir, ch.data, ch.ts)
				}
				s.Close()
				keep[i] = s
			}
			runtime.GC()
			runtime.ReadMemStats(&m1)
			per := (int64(m1.HeapAlloc) - int64(m0.HeapAlloc)) / n
			t.Logf("%x keys=%v: %d bytes retained per closed Session", v, withKeys, per)
			if per > 4096 {
				t.Errorf("%v, keys %v: a closed Session keeps %d bytes; its buffers should have gone", Version(v), withKeys, per)
			}
			runtime.KeepAlive(keep)
		}
	}
}

// TestUnsupportedSuiteSummary: a TLS 1.3 session on a suite this package
// does not decrypt (AES-CCM) says so in its Summary, keys in the log or
// not, rather than looking like a session whose keys are missing.
func TestUnsupportedSuiteSummary(t *testing.T) {
	r := newRV13(t)
	r.suite = 0x1304 // TLS_AES_128_CCM_SHA256
	s, rec := newRecordedSession(r.keylog())
	feedAll(s, []ptFeed{
		{dir: FromClient, data: r.clientHello(false)},
		{dir: FromServer, data: ptRecord(ContentHandshake, VersionTLS12, r.serverHelloMsg())},
		{dir: FromServer, data: ptRecord(ContentApplicationData, VersionTLS12, make([]byte, 40))},
	})
	sum := s.Summary()
	if !sum.Unsupported || sum.KeysFound {
		t.Errorf("Unsupported %v, KeysFound %v; want true, false", sum.Unsupported, sum.KeysFound)
	}
	for _, e := range rec.errs() {
		if !errors.Is(e.Err, ErrUnsupported) {
			t.Errorf("error event %v does not say the suite is unsupported", e)
		}
	}
}
