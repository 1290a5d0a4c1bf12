package tls

import (
	"testing"
)

func TestEarlyData(t *testing.T) {
	for _, c := range []struct {
		name               string
		earlyKey, accepted bool
	}{
		{"key-accepted", true, true},
		{"key-rejected", true, false},
		{"nokey-accepted", false, true},
		{"nokey-rejected", false, false},
	} {
		t.Run(c.name, func(t *testing.T) {
			r := newRV13(t)
			cE, cHS, sHS := LabelClientEarlyTrafficSecret, LabelClientHandshakeTrafficSecret, LabelServerHandshakeTrafficSecret
			cA, sA := LabelClientTrafficSecret0, LabelServerTrafficSecret0
			feeds := []ptFeed{
				{dir: FromClient, data: r.clientHello(true)},
				{dir: FromClient, data: ptRecord(ContentChangeCipherSpec, VersionTLS12, []byte{1})},
				{dir: FromClient, data: r.seal(cE, ContentApplicationData, []byte("early1"))},
				{dir: FromClient, data: r.seal(cE, ContentApplicationData, []byte("early2"))},
				{dir: FromServer, data: ptRecord(ContentHandshake, VersionTLS12, r.serverHelloMsg())},
				{dir: FromServer, data: ptRecord(ContentChangeCipherSpec, VersionTLS12, []byte{1})},
			}
			eeBody := []byte{0, 0}
			if c.accepted {
				eeBody = []byte{0, 4, 0, 42, 0, 0}
			}
			feeds = append(feeds,
				ptFeed{dir: FromServer, data: r.seal(sHS, ContentHandshake, append(ptMessage(EncryptedExtensions, eeBody), ptMessage(Finished, make([]byte, 32))...))},
				ptFeed{dir: FromServer, data: r.seal(sA, ContentApplicationData, []byte("half-rtt"))},
			)
			if c.accepted {
				feeds = append(feeds, ptFeed{dir: FromClient, data: r.seal(cE, ContentApplicationData, []byte("early3"))},
					ptFeed{dir: FromClient, data: r.seal(cE, ContentHandshake, ptMessage(EndOfEarlyData, nil))})
			}
			feeds = append(feeds,
				ptFeed{dir: FromClient, data: r.seal(cHS, ContentHandshake, ptMessage(Finished, make([]byte, 32)))},
				ptFeed{dir: FromClient, data: r.seal(cA, ContentApplicationData, []byte("app1"))},
				ptFeed{dir: FromServer, data: r.seal(sA, ContentApplicationData, []byte("resp"))},
				ptFeed{dir: FromClient, data: r.seal(cA, ContentAlert, []byte{1, 0})},
			)
			labels := []string{cHS, sHS, cA, sA}
			if c.earlyKey {
				labels = append(labels, cE)
			}
			s, rec := newRecordedSession(r.keylog(labels...))
			feedAll(s, feeds)
			dumpEvents(t, rec)
			want := "app1"
			if c.earlyKey {
				want = "early1early2" + want
				if c.accepted {
					want = "early1early2early3app1"
				}
			}
			if string(rec.plain[FromClient]) != want {
				t.Errorf("client plaintext %q, want %q", rec.plain[FromClient], want)
			}
			if string(rec.plain[FromServer]) != "half-rttresp" {
				t.Errorf("server plaintext %q", rec.plain[FromServer])
			}
			t.Logf("summary %+v", s.Summary().Failed)
		})
	}
}
