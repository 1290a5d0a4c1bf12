package tls

import (
	gotls "crypto/tls"
	"errors"
	"fmt"
	"testing"
)

// TestGoTLS13ALPN: a TLS 1.3 server says which protocol it chose in its
// EncryptedExtensions, not its ServerHello as a TLS 1.2 server does, so
// the session's summary has the ALPN only if that message is decoded
// once decrypted.
func TestGoTLS13ALPN(t *testing.T) {
	sxCerts(t)
	for _, version := range []uint16{gotls.VersionTLS12, gotls.VersionTLS13} {
		t.Run(gotls.VersionName(version), func(t *testing.T) {
			x := sxExchange{
				client:     &gotls.Config{InsecureSkipVerify: true, ServerName: "medina.test", NextProtos: []string{"h2", "http/1.1"}, MaxVersion: version},
				server:     &gotls.Config{Certificates: []gotls.Certificate{sxECert}, NextProtos: []string{"h2"}, MaxVersion: version},
				clientData: sxData(1, 300), serverData: sxData(2, 3000),
			}
			res := sxConverse(t, x)
			if res.cState.NegotiatedProtocol != "h2" {
				t.Fatalf("negotiated %q", res.cState.NegotiatedProtocol)
			}
			s, _ := sxCheck(t, res, x, x.clientData, x.serverData)
			if got := s.Summary().ALPN; got != "h2" {
				t.Errorf("summary ALPN %q, want h2", got)
			}
		})
	}
}

// eeBody is the body of an EncryptedExtensions message with exts.
func eeBody(exts ...Extension) []byte {
	var b []byte
	for _, e := range exts {
		b = append(b, u16be(e.Type)...)
		b = append(b, lenPrefixed(2, e.Data)...)
	}
	return lenPrefixed(2, b)
}

func TestParseEncryptedExtensions(t *testing.T) {
	for _, c := range []struct {
		name string
		body []byte
		want EncryptedExtensionsMsg // Extensions not compared
		n    int                    // extensions
		bad  bool                   // an error is expected
		none bool                   // no result is expected
	}{
		{name: "empty", body: eeBody()},
		{name: "alpn", body: eeBody(extALPN("h2")), want: EncryptedExtensionsMsg{ALPN: "h2"}, n: 1},
		{name: "server name ack", body: eeBody(Extension{ExtServerName, nil}), want: EncryptedExtensionsMsg{ServerNameAck: true}, n: 1},
		{name: "all", n: 7, body: eeBody(
			Extension{ExtServerName, nil},
			Extension{ExtMaxFragmentLength, []byte{2}},
			Extension{ExtRecordSizeLimit, u16be(16385)},
			extList16(ExtSupportedGroups, 0x001d, 0x0017),
			Extension{ExtEarlyData, nil},
			extALPN("http/1.1"),
			Extension{57, []byte{1, 2, 3}}, // quic_transport_parameters: kept, not decoded
		), want: EncryptedExtensionsMsg{ALPN: "http/1.1", ServerNameAck: true, MaxFragmentLength: 2, RecordSizeLimit: 16385, SupportedGroups: []uint16{0x001d, 0x0017}, EarlyData: true}},
		{name: "alpn of bytes that do not print", body: eeBody(extALPN("\x1b[2J\xff")), want: EncryptedExtensionsMsg{ALPN: "\x1b[2J\xff"}, n: 1},
		{name: "alpn with two protocols", body: eeBody(extALPN("h2", "http/1.1")), want: EncryptedExtensionsMsg{ALPN: "h2"}, n: 1, bad: true},
		{name: "alpn with an empty list", body: eeBody(Extension{ExtALPN, []byte{0, 0}}), n: 1, bad: true},
		{name: "record size limit cut", body: eeBody(Extension{ExtRecordSizeLimit, []byte{0x40}}), n: 1, bad: true},
		{name: "server name not empty", body: eeBody(Extension{ExtServerName, []byte{0, 0}}), want: EncryptedExtensionsMsg{ServerNameAck: true}, n: 1, bad: true},
		{name: "odd group list", body: eeBody(Extension{ExtSupportedGroups, []byte{0, 3, 0, 0x1d, 0}}), want: EncryptedExtensionsMsg{SupportedGroups: []uint16{0x001d}}, n: 1, bad: true},
		{name: "a bad extension does not hide the next", body: eeBody(Extension{ExtMaxFragmentLength, nil}, extALPN("h2")), want: EncryptedExtensionsMsg{ALPN: "h2"}, n: 2, bad: true},
		{name: "no extension block", body: nil, bad: true, none: true},
		{name: "block longer than the message", body: []byte{0, 5, 0, 0}, bad: true, none: true},
		{name: "trailing bytes", body: append(eeBody(), 0), bad: true, none: true},
		{name: "extension cut", body: lenPrefixed(2, []byte{0, 16, 0, 9, 0}), bad: true, none: true},
	} {
		t.Run(c.name, func(t *testing.T) {
			m, err := ParseEncryptedExtensions(c.body)
			if (err != nil) != c.bad {
				t.Errorf("error %v, want one: %v", err, c.bad)
			}
			if err != nil && !errors.Is(err, ErrMalformed) {
				t.Errorf("error %v does not wrap ErrMalformed", err)
			}
			if (m == nil) != c.none {
				t.Fatalf("result %+v, want none: %v", m, c.none)
			}
			if m == nil {
				return
			}
			if len(m.Extensions) != c.n {
				t.Errorf("%d extensions, want %d", len(m.Extensions), c.n)
			}
			got := *m
			got.Extensions = nil
			if fmt.Sprint(got) != fmt.Sprint(c.want) {
				t.Errorf("got %+v, want %+v", got, c.want)
			}
		})
	}
}

// TestIllustratedEncryptedExtensions reads the EncryptedExtensions of the
// Illustrated TLS 1.3 capture (decrypted there): no extensions at all.
func TestIllustratedEncryptedExtensions(t *testing.T) {
	typ, body, _, err := ParseHandshake(illustrated(t, "tls13", "serverextensions"))
	if err != nil || typ != EncryptedExtensions {
		t.Fatalf("ParseHandshake = %v, %v", typ, err)
	}
	m, err := ParseEncryptedExtensions(body)
	if err != nil || len(m.Extensions) != 0 || m.ALPN != "" {
		t.Fatalf("ParseEncryptedExtensions = %+v, %v", m, err)
	}
}
