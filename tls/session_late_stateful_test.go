package tls

import (
	gotls "crypto/tls"
	"fmt"
	"strings"
	"testing"
)

// TestLateMasterSecret for the stateful ciphers: RC4 and TLS 1.0's CBC
// with the IV chained from the previous record.
func TestLateMasterSecretStateful(t *testing.T) {
	sxCerts(t)
	for _, c := range []struct {
		suite, version uint16
	}{
		{gotls.TLS_ECDHE_RSA_WITH_RC4_128_SHA, gotls.VersionTLS12},
		{gotls.TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA, gotls.VersionTLS10},
	} {
		t.Run(fmt.Sprint(gotls.CipherSuiteName(c.suite), gotls.VersionName(c.version)), func(t *testing.T) {
			x := sxExchange{
				client:     &gotls.Config{InsecureSkipVerify: true, CipherSuites: []uint16{c.suite}, MinVersion: c.version, MaxVersion: c.version},
				server:     &gotls.Config{Certificates: []gotls.Certificate{sxRSACert}, CipherSuites: []uint16{c.suite}, MinVersion: c.version, MaxVersion: c.version},
				clientData: sxData(21, 5000), serverData: sxData(22, 30000),
			}
			res := sxConverse(t, x)
			kl := NewKeyLog()
			s, r := newRecordedSession(kl)
			added := false
			for _, ch := range res.wire {
				s.Feed(ch.dir, ch.data, ch.ts)
				if added {
					continue
				}
				for _, e := range r.events {
					if e.Kind == EventRecord && e.Dir == FromClient && e.Encrypted {
						kl.Read(strings.NewReader(res.keylog))
						added = true
						break
					}
				}
			}
			s.Close()
			sum := s.Summary()
			t.Logf("encrypted %v decrypted %v failed %v", sum.Encrypted, sum.Decrypted, sum.Failed)
			if string(r.plain[FromClient]) != string(x.clientData) {
				t.Errorf("client plaintext: %d bytes, want %d", len(r.plain[FromClient]), len(x.clientData))
			}
			if string(r.plain[FromServer]) != string(x.serverData) {
				t.Errorf("server plaintext: %d bytes, want %d", len(r.plain[FromServer]), len(x.serverData))
			}
		})
	}
}
