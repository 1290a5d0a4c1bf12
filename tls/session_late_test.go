package tls

import (
	gotls "crypto/tls"
	"strings"
	"testing"
)

// TestLateMasterSecret feeds TLS 1.2 conversations to a Session whose key
// log receives the master secret only after the client's encrypted
// Finished has gone by, as in a recording whose server wrote the secret
// (a Decryption Secrets Block) once it had read the client's flight: the
// server's records and the client's later ones must decrypt, at the right
// sequence numbers.
func TestLateMasterSecret(t *testing.T) {
	sxCerts(t)
	for _, suite := range []uint16{
		gotls.TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256,       // explicit nonce
		gotls.TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256, // nonce from the sequence number
		gotls.TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA256,       // MAC over the sequence number
	} {
		t.Run(gotls.CipherSuiteName(suite), func(t *testing.T) {
			x := sxExchange{
				client:     &gotls.Config{InsecureSkipVerify: true, CipherSuites: []uint16{suite}, MaxVersion: gotls.VersionTLS12},
				server:     &gotls.Config{Certificates: []gotls.Certificate{sxRSACert}, CipherSuites: []uint16{suite}, MaxVersion: gotls.VersionTLS12},
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
						if err := kl.Read(strings.NewReader(res.keylog)); err != nil {
							t.Fatal(err)
						}
						added = true
						break
					}
				}
			}
			s.Close()
			if !added {
				t.Fatal("no encrypted client record")
			}
			if string(r.plain[FromClient]) != string(x.clientData) {
				t.Errorf("client plaintext: %d bytes, want %d", len(r.plain[FromClient]), len(x.clientData))
			}
			if string(r.plain[FromServer]) != string(x.serverData) {
				t.Errorf("server plaintext: %d bytes, want %d", len(r.plain[FromServer]), len(x.serverData))
			}
			sum := s.Summary()
			if !sum.KeysFound || sum.Failed != [2]int{} {
				t.Errorf("keys found %v, failed %v", sum.KeysFound, sum.Failed)
			}
			// Only the client's Finished went by undecrypted.
			if sum.Encrypted[FromClient]-sum.Decrypted[FromClient] != 1 || sum.Encrypted[FromServer] != sum.Decrypted[FromServer] {
				t.Errorf("encrypted %v, decrypted %v: want all but the client's Finished", sum.Encrypted, sum.Decrypted)
			}
		})
	}
}
