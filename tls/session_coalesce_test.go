package tls

import (
	"bytes"
	"testing"
)

// A server whose encrypted flight coalesces messages into records (as
// OpenSSL does): a Certificate that spans two records, the second of
// which also carries CertificateVerify and Finished.
func TestFlightAcrossRecordsNoSpuriousNote(t *testing.T) {
	r := newRV13(t)
	ee := ptMessage(EncryptedExtensions, []byte{0, 0})
	cert := ptMessage(Certificate, append([]byte{0}, lenPrefixed(3, append(lenPrefixed(3, bytes.Repeat([]byte{1}, 3000)), 0, 0))...))
	cv := ptMessage(CertificateVerify, append(u16be(0x0403), lenPrefixed(2, make([]byte, 64))...))
	fin := ptMessage(Finished, make([]byte, 32))
	flight := append(append(append(bytes.Clone(ee), cert...), cv...), fin...)
	cut := len(ee) + 1000
	sHS := LabelServerHandshakeTrafficSecret
	cHS := LabelClientHandshakeTrafficSecret
	feeds := []ptFeed{
		{dir: FromClient, data: r.clientHello(false)},
		{dir: FromServer, data: ptRecord(ContentHandshake, VersionTLS12, r.serverHelloMsg())},
		{dir: FromServer, data: r.seal(sHS, ContentHandshake, flight[:cut])},
		{dir: FromServer, data: r.seal(sHS, ContentHandshake, flight[cut:])},
		{dir: FromServer, data: r.seal(LabelServerTrafficSecret0, ContentApplicationData, []byte("hello from server"))},
		{dir: FromClient, data: r.seal(cHS, ContentHandshake, fin)},
		{dir: FromClient, data: r.seal(LabelClientTrafficSecret0, ContentApplicationData, []byte("hello from client"))},
	}
	s, rec := newRecordedSession(r.keylog())
	feedAll(s, feeds)
	dumpEvents(t, rec)
	if string(rec.plain[FromServer]) != "hello from server" || string(rec.plain[FromClient]) != "hello from client" {
		t.Errorf("plaintext %q %q", rec.plain[FromServer], rec.plain[FromClient])
	}
	for _, e := range rec.errs() {
		t.Errorf("unexpected error event: %v", e)
	}
}

// The same with the ServerHello split over two plaintext records.
func TestServerHelloAcrossRecords(t *testing.T) {
	r := newRV13(t)
	sh := r.serverHelloMsg()
	feeds := []ptFeed{
		{dir: FromClient, data: r.clientHello(false)},
		{dir: FromServer, data: append(ptRecord(ContentHandshake, VersionTLS12, sh[:20]), ptRecord(ContentHandshake, VersionTLS12, sh[20:])...)},
		{dir: FromServer, data: r.seal(LabelServerHandshakeTrafficSecret, ContentHandshake, ptMessage(EncryptedExtensions, []byte{0, 0}))},
	}
	s, rec := newRecordedSession(r.keylog())
	feedAll(s, feeds)
	dumpEvents(t, rec)
	for _, e := range rec.errs() {
		t.Errorf("unexpected error event: %v", e)
	}
}
