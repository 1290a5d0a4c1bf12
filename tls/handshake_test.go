package tls

import (
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/medina-net/medina/internal/corpus"
)

// illustrated reads a record of the Illustrated TLS captures
// (https://tls13.xargs.org), skipping when the corpus is absent.
func illustrated(t *testing.T, version, name string) []byte {
	t.Helper()
	dir := corpus.Need(t)
	b, err := os.ReadFile(filepath.Join(dir, "tls", "illustrated-"+version, "caps", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestIllustratedHellos(t *testing.T) {
	rec, n, err := ParseRecord(illustrated(t, "tls13", "clienthello"))
	if err != nil || rec.Type != ContentHandshake || n != 5+0xf8 {
		t.Fatalf("ParseRecord = %+v, %d, %v", rec.Type, n, err)
	}
	typ, body, _, err := ParseHandshake(rec.Fragment)
	if err != nil || typ != ClientHelloType {
		t.Fatalf("ParseHandshake = %v, %v", typ, err)
	}
	ch, err := ParseClientHello(body)
	if err != nil {
		t.Fatal(err)
	}
	if ch.ServerName != "example.ulfheim.net" || ch.Random[31] != 0x1f || len(ch.SessionID) != 32 {
		t.Errorf("ClientHello: SNI %q, random[31] %#x, session id %d bytes", ch.ServerName, ch.Random[31], len(ch.SessionID))
	}
	if len(ch.SupportedVersions) == 0 || ch.SupportedVersions[0] != VersionTLS13 {
		t.Errorf("supported_versions %v", ch.SupportedVersions)
	}
	if len(ch.KeyShareGroups) != 1 || ch.KeyShareGroups[0] != 0x001d {
		t.Errorf("key share groups %v, want x25519", ch.KeyShareGroups)
	}

	rec, _, err = ParseRecord(illustrated(t, "tls13", "serverhello"))
	if err != nil {
		t.Fatal(err)
	}
	_, body, _, _ = ParseHandshake(rec.Fragment)
	sh, err := ParseServerHello(body)
	if err != nil {
		t.Fatal(err)
	}
	if sh.NegotiatedVersion() != VersionTLS13 || sh.CipherSuite != 0x1302 || sh.IsHelloRetryRequest {
		t.Errorf("ServerHello: %v, suite %#04x, HRR %v", sh.NegotiatedVersion(), sh.CipherSuite, sh.IsHelloRetryRequest)
	}

	rec, _, err = ParseRecord(illustrated(t, "tls12", "clienthello"))
	if err != nil {
		t.Fatal(err)
	}
	_, body, _, _ = ParseHandshake(rec.Fragment)
	ch, err = ParseClientHello(body)
	if err != nil || ch.ServerName != "example.ulfheim.net" || ch.Version != VersionTLS12 {
		t.Errorf("TLS 1.2 ClientHello: %+v, %v", ch, err)
	}
}

func TestRecordErrors(t *testing.T) {
	for _, tc := range []struct {
		b    []byte
		want error
	}{
		{[]byte{0x16, 0x03}, ErrShort},
		{[]byte{0x16, 0x03, 0x01, 0x00, 0x10, 1, 2}, ErrShort},
		{[]byte("GET / HTTP/1.1\r\n"), ErrNotTLS},
		{[]byte{0x17, 0x03, 0x03, 0xff, 0xff}, ErrRecordOverflow},
	} {
		if _, _, err := ParseRecord(tc.b); !errors.Is(err, tc.want) {
			t.Errorf("ParseRecord(% x) = %v, want %v", tc.b, err, tc.want)
		}
	}
	// A ClientHello whose cipher suite vector runs past the message.
	if _, err := ParseClientHello([]byte{3, 3, 31: 0, 32: 0, 33: 0, 34: 0xff, 35: 0xff}); !errors.Is(err, ErrMalformed) {
		t.Errorf("truncated ClientHello: %v", err)
	}
}

func TestGREASE(t *testing.T) {
	for _, v := range []uint16{0x0a0a, 0x1a1a, 0xfafa} {
		if !IsGREASE(v) {
			t.Errorf("%#04x is GREASE", v)
		}
	}
	for _, v := range []uint16{0x0a1a, 0x0303, 0x1301} {
		if IsGREASE(v) {
			t.Errorf("%#04x is not GREASE", v)
		}
	}
	if s := Version(0x7f17).String(); s != "TLS 1.3 (draft 23)" {
		t.Errorf("draft version: %q", s)
	}
}
