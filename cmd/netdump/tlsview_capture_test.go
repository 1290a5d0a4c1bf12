package main

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	gotls "crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"io"
	"math/big"
	"net"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/medina-net/medina/pcap"
)

// Captures for the TLS view's tests, made in the test: TLS conversations
// between crypto/tls clients and servers recorded in-process (both
// directions' bytes in the order they were written, and the key log),
// or TLS records written by hand, laid out as the TCP segments of one
// connection in a pcap file whose ending (FINs, RSTs, the order of the
// last segments) the test chooses.

// tlsChunk is what one end of a recorded conversation wrote at once.
type tlsChunk struct {
	fromServer bool
	data       []byte
}

// tlsRecorder keeps what both ends of a conversation write, in order.
type tlsRecorder struct {
	mu     sync.Mutex
	chunks []tlsChunk
	keylog bytes.Buffer
}

// Write takes the key log's lines.
func (r *tlsRecorder) Write(b []byte) (int, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.keylog.Write(b)
}

// tlsTap is one end of a connection whose writes the recorder keeps.
type tlsTap struct {
	net.Conn
	fromServer bool
	rec        *tlsRecorder
}

// Write logs b before writing it, so that the log's order is the
// conversation's: a peer cannot answer bytes not yet logged.
func (c *tlsTap) Write(b []byte) (int, error) {
	c.rec.mu.Lock()
	c.rec.chunks = append(c.rec.chunks, tlsChunk{c.fromServer, bytes.Clone(b)})
	c.rec.mu.Unlock()
	return c.Conn.Write(b)
}

var (
	tlsTestCertOnce sync.Once
	tlsTestCert     gotls.Certificate
)

// tlsServerCert is a self-signed ECDSA certificate for view.test.
func tlsServerCert(t *testing.T) gotls.Certificate {
	tlsTestCertOnce.Do(func() {
		k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
		if err != nil {
			t.Fatal(err)
		}
		tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "view.test"},
			DNSNames: []string{"view.test"}, NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour)}
		der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &k.PublicKey, k)
		if err != nil {
			t.Fatal(err)
		}
		tlsTestCert = gotls.Certificate{Certificate: [][]byte{der}, PrivateKey: k}
	})
	return tlsTestCert
}

// recordTLS runs one conversation over loopback TCP (not net.Pipe, whose
// writes wait for the reader: TLS 1.3 has both ends write at once): the
// client sends clientData, the server answers serverData, then both close
// (each sends its close_notify). It returns what each end wrote, and the
// key log. The configs' KeyLogWriter is set.
func recordTLS(t *testing.T, client, server *gotls.Config, clientData, serverData []byte) ([]tlsChunk, string, gotls.ConnectionState) {
	t.Helper()
	rec := &tlsRecorder{}
	client.KeyLogWriter, server.KeyLogWriter = rec, rec
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	a, err := net.Dial("tcp", ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	b, err := ln.Accept()
	if err != nil {
		t.Fatal(err)
	}
	c := gotls.Client(&tlsTap{Conn: a, rec: rec}, client)
	s := gotls.Server(&tlsTap{Conn: b, fromServer: true, rec: rec}, server)
	errs := make(chan error, 1)
	go func() {
		defer b.Close()
		got := make([]byte, len(clientData))
		if _, err := io.ReadFull(s, got); err != nil {
			errs <- err
			return
		}
		if _, err := s.Write(serverData); err != nil {
			errs <- err
			return
		}
		io.Copy(io.Discard, s) // until the client's close_notify
		errs <- s.Close()
	}()
	if _, err := c.Write(clientData); err != nil {
		t.Fatal(err)
	}
	if _, err := io.ReadFull(c, make([]byte, len(serverData))); err != nil {
		t.Fatal(err)
	}
	state := c.ConnectionState()
	c.Close()
	if err := <-errs; err != nil {
		t.Fatal(err)
	}
	a.Close()
	rec.mu.Lock()
	defer rec.mu.Unlock()
	return rec.chunks, rec.keylog.String(), state
}

// tlsCapture lays out TCP connections, segment by segment, for a pcap
// file: client 10.0.0.1.40000 (then 40001, ...), server 10.0.0.2.443.
type tlsCapture struct {
	sport  uint16    // the client's port
	seq    [2]uint32 // the next sequence number of the client, the server
	frames [][]byte
}

// newTLSCapture begins a capture with a connection's three-way handshake.
func newTLSCapture() *tlsCapture {
	c := &tlsCapture{sport: 39999}
	c.connect()
	return c
}

// connect begins the next connection (from the next client port) with
// its three-way handshake; the segments that follow are its.
func (c *tlsCapture) connect() {
	c.sport++
	c.seq = [2]uint32{1000, 5000}
	c.segment(false, 0x02, nil) // SYN
	c.segment(true, 0x12, nil)  // SYN-ACK
	c.segment(false, 0x10, nil) // ACK
}

// segment adds a segment with flags from the client or the server,
// acknowledging all the peer has sent, and carrying data.
func (c *tlsCapture) segment(fromServer bool, flags byte, data []byte) {
	d := 0
	src, dst, sport, dport := hostA, hostB, c.sport, uint16(443)
	if fromServer {
		d = 1
		src, dst, sport, dport = hostB, hostA, 443, c.sport
	}
	ack := c.seq[1-d]
	if flags&0x10 == 0 {
		ack = 0
	}
	c.frames = append(c.frames, tcpFrame(seg{src: src, dst: dst, sport: sport, dport: dport,
		seq: c.seq[d], ack: ack, flags: flags, win: 65535, data: data}))
	c.seq[d] += uint32(len(data))
	if flags&0x03 != 0 { // SYN or FIN
		c.seq[d]++
	}
}

// data adds bytes from one end, in segments of at most 1448 bytes.
func (c *tlsCapture) data(fromServer bool, b []byte) {
	for len(b) > 0 {
		n := min(len(b), 1448)
		c.segment(fromServer, 0x18, b[:n])
		b = b[n:]
	}
}

// conversation adds a recorded conversation's chunks.
func (c *tlsCapture) conversation(chunks []tlsChunk) {
	for _, ch := range chunks {
		c.data(ch.fromServer, ch.data)
	}
}

// fin ends one end's stream.
func (c *tlsCapture) fin(fromServer bool) { c.segment(fromServer, 0x11, nil) }

// rst resets the connection from one end.
func (c *tlsCapture) rst(fromServer bool) { c.segment(fromServer, 0x14, nil) }

// write writes the capture to a pcap file in dir and returns its path;
// the frames are 10 ms apart.
func (c *tlsCapture) write(t *testing.T, dir, name string) string {
	t.Helper()
	path := filepath.Join(dir, name)
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	w, err := pcap.NewWriter(f, pcap.LinkTypeEthernet, 65535, false)
	if err != nil {
		t.Fatal(err)
	}
	for i, fr := range c.frames {
		if err := w.WritePacket(time.Unix(1700000000, 0).Add(time.Duration(i)*10*time.Millisecond), fr, len(fr)); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Flush(); err != nil {
		t.Fatal(err)
	}
	return path
}

// writeKeyLog writes a key log file in dir and returns its path.
func writeKeyLog(t *testing.T, dir, keylog string) string {
	t.Helper()
	path := filepath.Join(dir, "keys.log")
	if err := os.WriteFile(path, []byte(keylog), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// Hand-made TLS 1.2 handshake records, for what a capture can hold that
// crypto/tls would never send.

// vec prefixes b with its length in n bytes.
func vec(n int, b []byte) []byte {
	out := make([]byte, n, n+len(b))
	for i, l := n-1, len(b); i >= 0; i, l = i-1, l>>8 {
		out[i] = byte(l)
	}
	return append(out, b...)
}

// tlsExt is an extension: its type, then its data with their length.
func tlsExt(typ uint16, data []byte) []byte {
	return append([]byte{byte(typ >> 8), byte(typ)}, vec(2, data)...)
}

// handshakeRecord is a plaintext record holding one handshake message.
func handshakeRecord(typ byte, body []byte) []byte {
	msg := append([]byte{typ}, vec(3, body)...)
	return append([]byte{22, 3, 3}, vec(2, msg)...)
}

// alpnExt is an ALPN extension naming protos.
func alpnExt(protos ...string) []byte {
	var l []byte
	for _, p := range protos {
		l = append(l, vec(1, []byte(p))...)
	}
	return tlsExt(16, vec(2, l))
}

// clientHelloRecord is a TLS 1.2 ClientHello asking for sni and alpn.
func clientHelloRecord(sni string, alpn ...string) []byte {
	body := []byte{3, 3}
	body = append(body, bytes.Repeat([]byte{0x11}, 32)...)
	body = append(body, 0)                             // session ID
	body = append(body, vec(2, []byte{0xc0, 0x2f})...) // TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256
	body = append(body, 1, 0)                          // compression: null
	exts := tlsExt(0, vec(2, append([]byte{0}, vec(2, []byte(sni))...)))
	exts = append(exts, alpnExt(alpn...)...)
	return handshakeRecord(1, append(body, vec(2, exts)...))
}

// serverHelloRecord is a TLS 1.2 ServerHello choosing alpn.
func serverHelloRecord(alpn string) []byte {
	body := []byte{3, 3}
	body = append(body, bytes.Repeat([]byte{0x22}, 32)...)
	body = append(body, 0, 0xc0, 0x2f, 0) // session ID, suite, compression
	return handshakeRecord(2, append(body, vec(2, alpnExt(alpn))...))
}

// certificateRecord is a TLS 1.2 Certificate message with ders.
func certificateRecord(ders ...[]byte) []byte {
	var l []byte
	for _, d := range ders {
		l = append(l, vec(3, d)...)
	}
	return handshakeRecord(11, vec(3, l))
}

// selfSigned is a self-signed certificate's DER with the names given.
func selfSigned(t *testing.T, cn string, dnsNames ...string) []byte {
	t.Helper()
	k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(2), Subject: pkix.Name{CommonName: cn}, DNSNames: dnsNames,
		NotBefore: time.Unix(1700000000, 0), NotAfter: time.Unix(1800000000, 0)}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &k.PublicKey, k)
	if err != nil {
		t.Fatal(err)
	}
	return der
}
