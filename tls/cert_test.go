package tls

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"encoding/hex"
	"math/big"
	"net"
	"net/url"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/medina-net/medina/internal/corpus"
)

// makeCert makes a self-signed certificate for key.
func makeCert(t testing.TB, key any, tmpl *x509.Certificate) []byte {
	t.Helper()
	pub := key.(crypto.Signer).Public()
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, pub, key)
	if err != nil {
		t.Fatal(err)
	}
	return der
}

func TestSummarizeCert(t *testing.T) {
	nb := time.Date(2024, 1, 2, 3, 4, 5, 0, time.UTC)
	u, _ := url.Parse("https://example.com/x")
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(0x8a07e0),
		Subject: pkix.Name{
			CommonName: "www.example.com", Organization: []string{"Example, Inc."},
			OrganizationalUnit: []string{"Web"}, Country: []string{"US"},
			ExtraNames: []pkix.AttributeTypeAndValue{{Type: asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 9, 1}, Value: "ops@example.com"}},
		},
		NotBefore: nb, NotAfter: nb.Add(90 * 24 * time.Hour),
		DNSNames: []string{"www.example.com", "example.com"}, IPAddresses: []net.IP{net.IPv4(192, 0, 2, 1)},
		EmailAddresses: []string{"a@example.com"}, URIs: []*url.URL{u},
		BasicConstraintsValid: true, IsCA: true, MaxPathLen: 2,
	}
	rsaKey, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	ecKey, _ := ecdsa.GenerateKey(elliptic.P384(), rand.Reader)
	_, edKey, _ := ed25519.GenerateKey(rand.Reader)

	der := makeCert(t, rsaKey, tmpl)
	s := SummarizeCert(der)
	sum := sha256.Sum256(der)
	for _, c := range []struct{ name, got, want string }{
		{"SHA256", s.SHA256, hex.EncodeToString(sum[:])},
		{"Serial", s.Serial, "8a07e0"},
		{"SerialDER", s.SerialDER, "008a07e0"},
		{"Subject", s.Subject, `emailAddress=ops@example.com,CN=www.example.com,OU=Web,O=Example\, Inc.,C=US`},
		{"Issuer", s.Issuer, s.Subject},
		{"Key", s.Key, "RSA 2048"},
		{"KeyAlgorithm", s.KeyAlgorithm, "rsaEncryption"},
		{"KeyType", s.KeyType, "rsa"},
		{"SignatureAlgorithm", s.SignatureAlgorithm, "sha256WithRSAEncryption"},
	} {
		if c.got != c.want {
			t.Errorf("%s = %q, want %q", c.name, c.got, c.want)
		}
	}
	if s.Err != nil || s.Version != 3 || s.RSAExponent != 65537 || !s.NotBefore.Equal(nb) ||
		len(s.DNSNames) != 2 || len(s.IPAddresses) != 1 || len(s.EmailAddresses) != 1 || len(s.URIs) != 1 ||
		!s.HasBasicConstraints || !s.IsCA || s.MaxPathLen != 2 ||
		s.SubjectCN[0] != "www.example.com" || s.SubjectO[0] != "Example, Inc." || s.SubjectOU[0] != "Web" {
		t.Errorf("summary %+v", s)
	}
	if s.String() == "" {
		t.Error("empty String")
	}

	tmpl.SerialNumber = big.NewInt(1)
	if s := SummarizeCert(makeCert(t, ecKey, tmpl)); s.Key != "ECDSA P-384" || s.Curve != "secp384r1" || s.KeyBits != 384 ||
		s.KeyAlgorithm != "id-ecPublicKey" || s.SignatureAlgorithm != "ecdsa-with-SHA384" {
		t.Errorf("ECDSA: %+v", s)
	}
	if s := SummarizeCert(makeCert(t, edKey, tmpl)); s.Key != "Ed25519" || s.SignatureAlgorithm != "ED25519" {
		t.Errorf("Ed25519: %+v", s)
	}
}

// TestSummarizeCertRefused checks that a certificate crypto/x509 refuses
// still gives its fingerprints and what of it can be read.
func TestSummarizeCertRefused(t *testing.T) {
	key, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(77), Subject: pkix.Name{CommonName: "odd"},
		NotBefore: time.Unix(0, 0), NotAfter: time.Unix(1e9, 0), DNSNames: []string{"odd.example"}}
	der := makeCert(t, key, tmpl)
	// Replace the named curve OID (prime256v1) by one crypto/x509 does not
	// know, as a certificate with exotic parameters would carry.
	oid, _ := asn1.Marshal(asn1.ObjectIdentifier{1, 2, 840, 10045, 3, 1, 7})
	bad, _ := asn1.Marshal(asn1.ObjectIdentifier{1, 2, 840, 10045, 3, 1, 9})
	i := byteIndex(der, oid)
	if i < 0 {
		t.Fatal("curve OID not found")
	}
	copy(der[i:], bad)
	s := SummarizeCert(der)
	if s.Err == nil {
		t.Fatal("crypto/x509 accepted the certificate")
	}
	if s.Subject != "CN=odd" || s.Serial != "4d" || s.Curve != "1.2.840.10045.3.1.9" || len(s.DNSNames) != 1 ||
		s.NotAfter.Unix() != 1e9 || len(s.SHA1) != 40 || s.KeyType != "ecdsa" {
		t.Errorf("lax summary %+v", s)
	}
	// Not a certificate at all: fingerprints only.
	junk := SummarizeCert([]byte("junk"))
	if junk.Err == nil || len(junk.SHA256) != 64 || junk.Subject != "" {
		t.Errorf("junk: %+v", junk)
	}
}

func byteIndex(b, sub []byte) int {
	for i := 0; i+len(sub) <= len(b); i++ {
		if string(b[i:i+len(sub)]) == string(sub) {
			return i
		}
	}
	return -1
}

func TestFormatDNEscaping(t *testing.T) {
	dn := pkix.RDNSequence{
		{{Type: asn1.ObjectIdentifier{2, 5, 4, 6}, Value: "US"}},
		{{Type: asn1.ObjectIdentifier{2, 5, 4, 10}, Value: " a+b;c\"<d>\\ "}, {Type: asn1.ObjectIdentifier{2, 5, 4, 11}, Value: "#x"}},
		{{Type: asn1.ObjectIdentifier{1, 2, 3}, Value: 5}},
	}
	want := `1.2.3=#020105,O=\ a\+b\;c\"\<d\>\\\ +OU=\#x,C=US`
	if got := FormatDN(dn); got != want {
		t.Errorf("got  %s\nwant %s", got, want)
	}
}

// TestIllustratedCert reads the certificate of the Illustrated TLS 1.2 and
// 1.3 connections (https://tls12.xargs.org, https://tls13.xargs.org).
func TestIllustratedCert(t *testing.T) {
	dir := filepath.Join(corpus.Need(t), "tls")
	rec, err := os.ReadFile(filepath.Join(dir, "illustrated-tls12", "caps", "servercert"))
	if err != nil {
		t.Fatal(err)
	}
	r, _, err := ParseRecord(rec)
	if err != nil {
		t.Fatal(err)
	}
	_, body12, _, err := ParseHandshake(r.Fragment)
	if err != nil {
		t.Fatal(err)
	}
	msg13, err := os.ReadFile(filepath.Join(dir, "illustrated-tls13", "caps", "servercert"))
	if err != nil {
		t.Fatal(err)
	}
	_, body13, _, err := ParseHandshake(msg13)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		body  []byte
		tls13 bool
	}{{body12, false}, {body13, true}} {
		m, err := ParseCertificateMsg(c.body, c.tls13)
		if err != nil || len(m.Entries) != 1 {
			t.Fatalf("tls13=%v: %v", c.tls13, err)
		}
		s := SummarizeCert(m.Entries[0].Data)
		if s.Err != nil || s.Subject != "CN=example.ulfheim.net,C=US" || s.Serial != "155a92adc2048f90" ||
			s.Key != "RSA 2048" || s.Issuer != "O=Example CA,C=US" {
			t.Errorf("tls13=%v: %+v", c.tls13, s)
		}
	}
}

// FuzzSummarizeCert summarises arbitrary bytes: nothing may panic, and the
// fingerprints are always there.
func FuzzSummarizeCert(f *testing.F) {
	key, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	f.Add(makeCert(f, key, &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "x"},
		NotBefore: time.Unix(0, 0), NotAfter: time.Unix(1, 0), DNSNames: []string{"x"}}))
	f.Add([]byte{0x30, 0x03, 0x30, 0x01, 0x00})
	f.Fuzz(func(t *testing.T, b []byte) {
		s := SummarizeCert(b)
		if len(s.SHA256) != 64 || len(s.SHA1) != 40 {
			t.Fatal("missing fingerprints")
		}
		_ = s.String()
	})
}
