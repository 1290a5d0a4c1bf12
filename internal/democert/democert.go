// Package democert makes the self-signed certificates of the examples'
// HTTPS servers (examples/httpsd, examples/appliance), for a client to
// trust directly.
package democert

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"errors"
	"fmt"
	"math/big"
	"net"
	"net/netip"
	"os"
	"time"
)

// SelfSigned makes a self-signed ECDSA P-256 certificate of organization
// org for the DNS name name and the IP address addr (either may be left
// out), valid from notBefore to notAfter, and returns it and its private
// key (PKCS #8) as PEM. It is marked as a CA so that clients can trust
// it directly (curl --cacert, an x509.CertPool).
func SelfSigned(org, name string, addr netip.Addr, notBefore, notAfter time.Time) (certPEM, keyPEM []byte, err error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, nil, err
	}
	serial, err := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 127))
	if err != nil {
		return nil, nil, err
	}
	tmpl := &x509.Certificate{
		SerialNumber:          serial,
		Subject:               pkix.Name{CommonName: name, Organization: []string{org}},
		NotBefore:             notBefore,
		NotAfter:              notAfter,
		KeyUsage:              x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign,
		ExtKeyUsage:           []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		BasicConstraintsValid: true,
		IsCA:                  true,
	}
	if name != "" {
		tmpl.DNSNames = []string{name}
	}
	if addr.IsValid() {
		tmpl.IPAddresses = []net.IP{addr.AsSlice()}
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		return nil, nil, err
	}
	pkcs8, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		return nil, nil, err
	}
	certPEM = pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})
	keyPEM = pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: pkcs8})
	return certPEM, keyPEM, nil
}

// Certificate returns a server's certificate and its chain as PEM: the
// pair in certFile and keyFile when they are given, otherwise a fresh
// self-signed certificate of org for name and addr, valid for a year
// from an hour ago (clocks differ).
func Certificate(certFile, keyFile, org, name string, addr netip.Addr) (tls.Certificate, []byte, error) {
	if (certFile == "") != (keyFile == "") {
		return tls.Certificate{}, nil, errors.New("-cert and -key go together")
	}
	var certPEM, keyPEM []byte
	var err error
	if certFile != "" {
		if certPEM, err = os.ReadFile(certFile); err != nil {
			return tls.Certificate{}, nil, err
		}
		if keyPEM, err = os.ReadFile(keyFile); err != nil {
			return tls.Certificate{}, nil, err
		}
	} else {
		now := time.Now()
		if certPEM, keyPEM, err = SelfSigned(org, name, addr, now.Add(-time.Hour), now.AddDate(1, 0, 0)); err != nil {
			return tls.Certificate{}, nil, fmt.Errorf("generating a certificate: %w", err)
		}
	}
	cert, err := tls.X509KeyPair(certPEM, keyPEM)
	if err != nil {
		return tls.Certificate{}, nil, fmt.Errorf("certificate %s, key %s: %w", certFile, keyFile, err)
	}
	return cert, certPEM, nil
}
