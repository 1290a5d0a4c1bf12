package tls

import (
	gotls "crypto/tls"
	"fmt"
	"strings"
	"testing"
	"time"
)

func perDir(r *sxRecorder) [2]string {
	var out [2]strings.Builder
	for _, e := range r.events {
		fmt.Fprintf(&out[e.Dir], "%v %x\n", e, e.Data)
	}
	return [2]string{out[0].String(), out[1].String()}
}

func runChunks(kl *KeyLog, chunks []sxChunk) (*Session, *sxRecorder) {
	s, r := newRecordedSession(kl)
	for _, ch := range chunks {
		s.Feed(ch.dir, ch.data, ch.ts)
	}
	s.Close()
	return s, r
}

func TestFeedSplitEverywhere(t *testing.T) {
	sxCerts(t)
	for _, c := range []struct {
		name     string
		suite    uint16
		version  uint16
		preamble bool
	}{
		{"tls13", 0, gotls.VersionTLS13, false},
		{"tls12gcm", gotls.TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256, gotls.VersionTLS12, false},
		{"tls10cbc", gotls.TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA, gotls.VersionTLS10, false},
		{"tls13-starttls", 0, gotls.VersionTLS13, true},
	} {
		t.Run(c.name, func(t *testing.T) {
			cl := &gotls.Config{InsecureSkipVerify: true, MinVersion: c.version, MaxVersion: c.version}
			sv := &gotls.Config{Certificates: []gotls.Certificate{sxECert}, MinVersion: c.version, MaxVersion: c.version}
			if c.suite != 0 {
				cl.CipherSuites = []uint16{c.suite}
				sv.CipherSuites = []uint16{c.suite}
			}
			x := sxExchange{client: cl, server: sv, clientData: sxData(1, 300), serverData: sxData(2, 500)}
			res := sxConverse(t, x)
			kl, _ := ParseKeyLog(strings.NewReader(res.keylog))
			wire := res.wire
			if c.preamble {
				pre := []sxChunk{
					{dir: FromServer, data: []byte("220 mail.example ESMTP\r\n"), ts: time.Unix(0, 0)},
					{dir: FromClient, data: []byte("EHLO x\r\n"), ts: time.Unix(0, 0)},
					{dir: FromServer, data: []byte("250-mail.example\r\n250 STARTTLS\r\n"), ts: time.Unix(0, 0)},
					{dir: FromClient, data: []byte("STARTTLS\r\n"), ts: time.Unix(0, 0)},
					{dir: FromServer, data: []byte("220 go ahead\r\n"), ts: time.Unix(0, 0)},
				}
				wire = append(pre, wire...)
			}
			_, base := runChunks(kl, wire)
			want := perDir(base)
			if len(base.errs()) > 0 {
				t.Logf("baseline has errors: %v", base.errs())
			}
			if string(base.plain[0]) != string(x.clientData) || string(base.plain[1]) != string(x.serverData) {
				t.Fatalf("baseline plaintext wrong")
			}
			fails := 0
			// Every split of every chunk in two.
			for i, ch := range wire {
				for k := 1; k < len(ch.data); k++ {
					w := append([]sxChunk(nil), wire[:i]...)
					w = append(w, sxChunk{dir: ch.dir, data: ch.data[:k], ts: ch.ts}, sxChunk{dir: ch.dir, data: ch.data[k:], ts: ch.ts})
					w = append(w, wire[i+1:]...)
					_, r := runChunks(kl, w)
					if got := perDir(r); got != want {
						fails++
						if fails < 3 {
							t.Errorf("chunk %d split at %d:\n got %v\nwant %v", i, k, got, want)
						}
					}
				}
			}
			// Byte at a time.
			var w []sxChunk
			for _, ch := range wire {
				for k := range ch.data {
					w = append(w, sxChunk{dir: ch.dir, data: ch.data[k : k+1], ts: ch.ts})
				}
			}
			_, r := runChunks(kl, w)
			if got := perDir(r); got != want {
				t.Errorf("byte at a time:\n got %v\nwant %v", got, want)
			}
			t.Logf("%d failing splits", fails)
		})
	}
}
