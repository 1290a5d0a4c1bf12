package main

import (
	"crypto/tls"
	"net/netip"
	"time"

	"github.com/medina-net/medina/internal/democert"
)

// certOrg is the organization of httpsd's self-signed certificates.
const certOrg = "medina httpsd"

// selfSigned makes a self-signed certificate for name and addr
// (democert.SelfSigned).
func selfSigned(name string, addr netip.Addr, notBefore, notAfter time.Time) (certPEM, keyPEM []byte, err error) {
	return democert.SelfSigned(certOrg, name, addr, notBefore, notAfter)
}

// certificate returns the server's certificate and its chain as PEM
// (democert.Certificate).
func certificate(certFile, keyFile, name string, addr netip.Addr) (tls.Certificate, []byte, error) {
	return democert.Certificate(certFile, keyFile, certOrg, name, addr)
}
