package tls

import (
	gotls "crypto/tls"
	"strings"
	"testing"
)

func TestFeedCoalesced(t *testing.T) {
	sxCerts(t)
	for _, v := range []uint16{gotls.VersionTLS12, gotls.VersionTLS13} {
		x := sxExchange{client: &gotls.Config{InsecureSkipVerify: true, MaxVersion: v},
			server:     &gotls.Config{Certificates: []gotls.Certificate{sxECert}, MaxVersion: v},
			clientData: sxData(1, 300), serverData: sxData(2, 500)}
		res := sxConverse(t, x)
		kl, _ := ParseKeyLog(strings.NewReader(res.keylog))
		_, base := runChunks(kl, res.wire)
		want := perDir(base)
		var all [2][]byte
		for _, ch := range res.wire {
			all[ch.dir] = append(all[ch.dir], ch.data...)
		}
		for _, order := range [][2]Direction{{0, 1}, {1, 0}} {
			w := []sxChunk{{dir: order[0], data: all[order[0]]}, {dir: order[1], data: all[order[1]]}}
			_, r := runChunks(kl, w)
			if got := perDir(r); got != want {
				t.Errorf("%x order %v:\n got %v\nwant %v", v, order, got, want)
			}
		}
	}
}
