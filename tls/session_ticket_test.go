package tls

import (
	gotls "crypto/tls"
	"errors"
	"strings"
	"testing"
)

// The client offers a ticket, the server rejects it (its ticket key
// changed) and does a full handshake. The key log has the first session's
// master secret (so the ticket is remembered) but not the second's.
// Expected: "no key" for the second session (and decryption once its
// secret arrives late). Got: the first session's master secret is used.
func TestRejectedTicketNotItsMaster(t *testing.T) {
	sxCerts(t)
	cache := gotls.NewLRUClientSessionCache(4)
	keys := NewKeyLog()
	client := func() *gotls.Config {
		return &gotls.Config{InsecureSkipVerify: true, ServerName: "medina.test", ClientSessionCache: cache, MaxVersion: gotls.VersionTLS12}
	}
	x1 := sxExchange{client: client(),
		server:     sxTicketServer(gotls.VersionTLS12, 1),
		clientData: sxData(1, 100), serverData: sxData(2, 100), keys: keys}
	res1 := sxConverse(t, x1)
	sxCheck(t, res1, x1, x1.clientData, x1.serverData) // remembers the ticket

	x2 := sxExchange{client: client(),
		server:     sxTicketServer(gotls.VersionTLS12, 2),
		clientData: sxData(3, 100), serverData: sxData(4, 100)}
	res2 := sxConverse(t, x2)
	if res2.cState.DidResume {
		t.Fatal("resumed")
	}
	// Decode the second without its own secret.
	s, r := newRecordedSession(keys)
	for _, ch := range res2.wire {
		s.Feed(ch.dir, ch.data, ch.ts)
	}
	s.Close()
	sum := s.Summary()
	t.Logf("KeysFound %v Resumed %v encrypted %v decrypted %v failed %v", sum.KeysFound, sum.Resumed, sum.Encrypted, sum.Decrypted, sum.Failed)
	noKey := false
	for _, e := range r.errs() {
		if errors.Is(e.Err, ErrNoKey) {
			noKey = true
		}
	}
	if sum.KeysFound || sum.Failed != [2]int{} || !noKey {
		t.Errorf("a full handshake that did not resume was decrypted with the master secret of the ticket it offered: KeysFound %v, failed %v, no-key reported %v", sum.KeysFound, sum.Failed, noKey)
	}

	// The second session's own secret arriving later (a Decryption Secrets
	// Block after its records) is never used.
	s, r = newRecordedSession(keys)
	for i, ch := range res2.wire {
		s.Feed(ch.dir, ch.data, ch.ts)
		if i == 4 {
			keys.Read(strings.NewReader(res2.keylog))
		}
	}
	s.Close()
	if string(r.plain[FromServer]) != string(x2.serverData) {
		t.Errorf("late secret: server plaintext %d bytes, want %d (failed %v)", len(r.plain[FromServer]), len(x2.serverData), s.Summary().Failed)
	}
}
