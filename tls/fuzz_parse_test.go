package tls

import (
	"bytes"
	"errors"
	"testing"
)

// FuzzWireParsers runs every message parser of the package over arbitrary
// bytes: none may panic, and each either fails with an error or returns a
// result whose slices lie within its input (they alias it).
func FuzzWireParsers(f *testing.F) {
	f.Add([]byte{0x16, 0x03, 0x01, 0x00, 0x04, 0x01, 0x00, 0x00, 0x00})
	f.Add([]byte{0x80, 0x2e, 0x01, 0x00, 0x02, 0x00, 0x15, 0x00, 0x00, 0x00, 0x10})
	f.Add(bytes.Repeat([]byte{0x03}, 80))
	// EncryptedExtensions: ALPN h2, then record_size_limit.
	f.Add([]byte{0x00, 0x0f, 0x00, 0x10, 0x00, 0x05, 0x00, 0x03, 0x02, 'h', '2', 0x00, 0x1c, 0x00, 0x02, 0x40, 0x01})
	f.Fuzz(func(t *testing.T, b []byte) {
		if rec, n, err := ParseRecord(b); err == nil {
			if n > len(b) || len(rec.Fragment) > n {
				t.Fatalf("record of %d bytes from %d", n, len(b))
			}
		}
		if _, body, n, err := ParseHandshake(b); err == nil {
			if n > len(b) || len(body) > n {
				t.Fatalf("handshake message of %d bytes from %d", n, len(b))
			}
		} else if !errors.Is(err, ErrShort) && !errors.Is(err, ErrMalformed) && err.Error() == "" {
			t.Fatal("an error without a message")
		}
		if ch, err := ParseClientHello(b); err == nil && ch == nil {
			t.Fatal("ClientHello: no result and no error")
		} else if ch != nil {
			JA3(ch)
			JA4(ch)
		}
		if sh, err := ParseServerHello(b); err == nil && sh == nil {
			t.Fatal("ServerHello: no result and no error")
		} else if sh != nil {
			JA3S(sh)
			sh.NegotiatedVersion()
		}
		if m, err := ParseEncryptedExtensions(b); err == nil && m == nil {
			t.Fatal("EncryptedExtensions: no result and no error")
		} else if m != nil {
			for _, e := range m.Extensions {
				if len(e.Data) > len(b) {
					t.Fatal("extension longer than the message")
				}
			}
			if len(m.ALPN) > len(b) || 2*len(m.SupportedGroups) > len(b) {
				t.Fatalf("EncryptedExtensions decoded more than its %d bytes: %+v", len(b), m)
			}
		}
		for _, tls13 := range []bool{false, true} {
			if m, err := ParseCertificateMsg(b, tls13); err == nil {
				for _, e := range m.Entries {
					if len(e.Data) > len(b) {
						t.Fatal("certificate longer than the message")
					}
				}
			}
		}
		if IsSSLv2ClientHello(b) {
			if _, n, err := ParseSSLv2ClientHello(b); err == nil && n > len(b) {
				t.Fatalf("SSL 2.0 ClientHello of %d bytes from %d", n, len(b))
			}
		}
	})
}

// FuzzKeyLog reads arbitrary key logs: no panic, and every line that was
// taken can be looked up.
func FuzzKeyLog(f *testing.F) {
	f.Add([]byte("CLIENT_RANDOM " + string(bytes.Repeat([]byte("ab"), 32)) + " " + string(bytes.Repeat([]byte("cd"), 48)) + "\n# comment\n\n"))
	f.Add([]byte("SERVER_TRAFFIC_SECRET_0 00 11\r\nbogus"))
	f.Fuzz(func(t *testing.T, b []byte) {
		k, err := ParseKeyLog(bytes.NewReader(b))
		if k == nil {
			t.Fatalf("no key log returned (err %v)", err)
		}
		if err != nil && !errors.Is(err, ErrKeyLog) {
			t.Fatalf("error %v does not wrap ErrKeyLog", err)
		}
		if k.Len() > bytes.Count(b, []byte("\n"))+1 {
			t.Fatalf("%d randoms from %d lines", k.Len(), bytes.Count(b, []byte("\n"))+1)
		}
	})
}
