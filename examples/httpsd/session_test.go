package main

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"flag"
	"fmt"
	"io"
	"log"
	"math/rand/v2"
	"net"
	"net/http"
	"net/netip"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"testing/cryptotest"
	"testing/synctest"
	"time"

	"github.com/medina-net/medina/link/pipe"
	"github.com/medina-net/medina/stack"
)

var (
	update  = flag.Bool("update", false, "record the golden HTTPS session (testdata/pcaps/httpsd-session.*) again")
	genCert = flag.Bool("gencert", false, "make the test certificate (testdata/cert.pem, testdata/key.pem) again; it is checked in, and a new one changes the golden session")
)

// The golden session: httpsd's server (start, shutdown: the code main
// runs) on one stack, an http.Client on another, over link/pipe in a
// testing/synctest bubble. Everything that could differ between runs is
// fixed: the stacks' seeds, crypto/tls's nonces (tls.Config.Rand on both
// sides), every other cryptographic random number (the key shares, the
// ECDSA signature: testing/cryptotest.SetGlobalRandom, since Go 1.26
// ignores the io.Reader those functions are given), the certificate and
// its key (testdata), and time (the bubble's clock).
var (
	sessionCapture  = filepath.Join("..", "..", "testdata", "pcaps", "httpsd-session.pcapng")
	sessionRequest  = filepath.Join("..", "..", "testdata", "pcaps", "httpsd-session.request")
	sessionResponse = filepath.Join("..", "..", "testdata", "pcaps", "httpsd-session.response")

	testCertFile = filepath.Join("testdata", "cert.pem")
	testKeyFile  = filepath.Join("testdata", "key.pem")
)

const (
	// sessionName is the server's name, in its certificate and the URLs.
	sessionName = "httpsd.test"
	// sessionSeed seeds the server's stack (the client's gets +1), the
	// two tls.Config.Rand streams (+2, +3) and the global cryptographic
	// source.
	sessionSeed = 443
	// sessionBytes is the size of the /bytes body fetched.
	sessionBytes = 100000
	// goldenSuite is the cipher suite of the recorded session.
	goldenSuite = tls.TLS_AES_128_GCM_SHA256
)

var (
	sessionServer = netip.MustParsePrefix("10.0.0.1/24")
	sessionClient = netip.MustParsePrefix("10.0.0.2/24")
	// sessionPaths are fetched in this order, on one connection.
	sessionPaths = []string{"/", fmt.Sprintf("/bytes?n=%d", sessionBytes)}
)

// testCertValidity is the validity of the test certificate: it covers the
// synctest bubble's clock, which starts at 2000-01-01 00:00 UTC.
var testCertValidity = [2]time.Time{
	time.Date(1999, 12, 31, 0, 0, 0, 0, time.UTC),
	time.Date(2100, 1, 1, 0, 0, 0, 0, time.UTC),
}

// TestTestdataCertificate checks the certificate the golden session
// uses; with -gencert it makes it first (once: it is checked in).
func TestTestdataCertificate(t *testing.T) {
	if *genCert {
		certPEM, keyPEM, err := selfSigned(sessionName, sessionServer.Addr(), testCertValidity[0], testCertValidity[1])
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(testCertFile, certPEM, 0o644); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(testKeyFile, keyPEM, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	cert, _, err := certificate(testCertFile, testKeyFile, "", netip.Addr{})
	if err != nil {
		t.Fatalf("%v (make it with go test -run TestTestdataCertificate -gencert)", err)
	}
	leaf := cert.Leaf
	if err := leaf.VerifyHostname(sessionName); err != nil {
		t.Error(err)
	}
	if err := leaf.VerifyHostname(sessionServer.Addr().String()); err != nil {
		t.Error(err)
	}
	if !leaf.NotBefore.Equal(testCertValidity[0]) || !leaf.NotAfter.Equal(testCertValidity[1]) {
		t.Errorf("valid from %v to %v, want %v to %v", leaf.NotBefore, leaf.NotAfter, testCertValidity[0], testCertValidity[1])
	}
}

// session is what one run of the golden session produced.
type session struct {
	capture    []byte // the server's pcapng
	serverKeys []byte // the server's key log, as its -insecure-keylog file would have it
	clientKeys []byte // the client's key log
	request    []byte // the plaintext the client sent over TLS
	response   []byte // the plaintext the client received over TLS
	bodies     [][]byte
	tlsVersion uint16
	suite      uint16 // the cipher suite
	serverLog  string
}

// recordSession runs the golden session.
func recordSession(t *testing.T) *session {
	t.Helper()
	cert, _, err := certificate(testCertFile, testKeyFile, "", netip.Addr{})
	if err != nil {
		t.Fatal(err)
	}
	roots := x509.NewCertPool()
	roots.AddCert(cert.Leaf)
	// Key shares, ECDSA signatures and ML-KEM draw from the process's
	// cryptographic source, whatever io.Reader they are given.
	cryptotest.SetGlobalRandom(t, sessionSeed)

	out := &session{}
	synctest.Test(t, func(t *testing.T) {
		a, b := pipe.New(pipe.Config{})
		var capture bytes.Buffer // written under the capture's lock, complete once shutdown returns
		var serverKeys, serverLog lockedBuffer
		srv, err := start(a, config{
			Stack:       stack.Config{Addr: sessionServer, Rand: stack.SeededRand(sessionSeed)},
			Port:        443,
			Cert:        cert,
			TLSRand:     rand.NewChaCha8(seed32(sessionSeed + 2)),
			Capture:     &capture,
			CaptureName: "medina0",
			KeyLog:      &serverKeys,
			Log:         log.New(&serverLog, "", 0),
		})
		if err != nil {
			t.Fatal(err)
		}
		cs, err := stack.New(b, stack.Config{Addr: sessionClient, Rand: stack.SeededRand(sessionSeed + 1)})
		if err != nil {
			t.Fatal(err)
		}
		var (
			mu         sync.Mutex // guards the three below, written by the transport's goroutines
			clientKeys lockedBuffer
			conns      []*plaintextConn
		)
		tr := &http.Transport{
			// The client's own TLS, so that the plaintext it
			// exchanges can be kept.
			DialTLSContext: func(ctx context.Context, network, addr string) (net.Conn, error) {
				c, err := cs.DialContext(ctx, "tcp", netip.AddrPortFrom(sessionServer.Addr(), 443).String())
				if err != nil {
					return nil, err
				}
				tc := tls.Client(c, &tls.Config{
					ServerName:   sessionName,
					RootCAs:      roots,
					Rand:         rand.NewChaCha8(seed32(sessionSeed + 3)),
					KeyLogWriter: &clientKeys,
				})
				if err := tc.HandshakeContext(ctx); err != nil {
					c.Close()
					return nil, err
				}
				pc := &plaintextConn{Conn: tc}
				mu.Lock()
				out.tlsVersion = tc.ConnectionState().Version
				out.suite = tc.ConnectionState().CipherSuite
				conns = append(conns, pc)
				mu.Unlock()
				return pc, nil
			},
		}
		client := &http.Client{Transport: tr, Timeout: time.Minute}
		for _, path := range sessionPaths {
			resp, err := client.Get("https://" + sessionName + path)
			if err != nil {
				t.Fatalf("GET %s: %v", path, err)
			}
			body, err := io.ReadAll(resp.Body)
			resp.Body.Close()
			if err != nil || resp.StatusCode != http.StatusOK {
				t.Fatalf("GET %s: %s, %d bytes, %v", path, resp.Status, len(body), err)
			}
			out.bodies = append(out.bodies, body)
		}
		// The client closes (close_notify, FIN), then the server
		// shuts down.
		tr.CloseIdleConnections()
		time.Sleep(time.Second)
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		if err := srv.shutdown(ctx); err != nil {
			t.Errorf("shutdown: %v", err)
		}
		srv.report(log.New(&serverLog, "", 0))
		cs.Close()

		mu.Lock()
		defer mu.Unlock()
		if len(conns) != 1 {
			t.Fatalf("the client made %d connections, want 1", len(conns))
		}
		out.request, out.response = conns[0].plaintext()
		out.capture = capture.Bytes()
		out.serverKeys, out.clientKeys = serverKeys.bytes(), clientKeys.bytes()
		out.serverLog = string(serverLog.bytes())
	})
	return out
}

// seed32 makes a ChaCha8 seed of a number.
func seed32(n uint64) (s [32]byte) {
	for i := range 8 {
		s[i] = byte(n >> (8 * i))
	}
	return s
}

// plaintextConn keeps what goes through a TLS connection in the clear.
type plaintextConn struct {
	net.Conn
	mu             sync.Mutex
	sent, received bytes.Buffer
}

func (c *plaintextConn) Read(b []byte) (int, error) {
	n, err := c.Conn.Read(b)
	c.mu.Lock()
	c.received.Write(b[:n])
	c.mu.Unlock()
	return n, err
}

func (c *plaintextConn) Write(b []byte) (int, error) {
	n, err := c.Conn.Write(b)
	c.mu.Lock()
	c.sent.Write(b[:n])
	c.mu.Unlock()
	return n, err
}

// plaintext returns copies of what was sent and received.
func (c *plaintextConn) plaintext() (sent, received []byte) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return bytes.Clone(c.sent.Bytes()), bytes.Clone(c.received.Bytes())
}

// lockedBuffer is a bytes.Buffer for writers on other goroutines.
type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *lockedBuffer) bytes() []byte {
	b.mu.Lock()
	defer b.mu.Unlock()
	return bytes.Clone(b.buf.Bytes())
}

// TestGoldenSession runs the golden session, checks it, and compares it
// with the recording in testdata/pcaps.
//
// What the comparison can cover: crypto/tls is deterministic here, so
// the TLS byte streams of the connection (every record, in each
// direction), the secrets in the DSBs and the HTTP exchange in the clear
// are the same in every run, and must be the recording's. How those
// streams are cut into TCP segments, and the ACKs and windows between
// them, are not: both stacks run on the bubble's clock over a link with
// no delay, so the frames of the bulk transfer are all sent at one
// virtual instant, and whether the client's application has read a
// segment before the next one arrives (which its window advertises)
// depends on how the goroutines ran. The recording's frames are therefore
// checked (readCapture), not compared byte for byte.
//
// With -update the session is saved there (the capture and the HTTP
// exchange) when the recording is missing or differs in what is compared,
// and left alone otherwise, so that netdump's golden outputs of it stay
// valid; after a change, regenerate them with
// go test ./cmd/netdump -run 'TestGolden/^httpsd-session' -update.
func TestGoldenSession(t *testing.T) {
	s := recordSession(t)
	t.Logf("server log:\n%s", s.serverLog)
	checkSession(t, s)
	if t.Failed() {
		return
	}
	if s.suite != goldenSuite {
		// crypto/tls prefers AES-GCM only where both sides have AES
		// hardware.
		t.Skipf("crypto/tls chose %s on this machine (no AES hardware?); the recording was made with %s",
			tls.CipherSuiteName(s.suite), tls.CipherSuiteName(goldenSuite))
	}
	run := readCapture(t, s.capture)
	diffs := func() []string {
		golden, err := os.ReadFile(sessionCapture)
		if err != nil {
			return []string{err.Error()}
		}
		return compareRecording(readCapture(t, golden), run, s)
	}
	d := diffs()
	if *update && len(d) > 0 {
		for name, b := range map[string][]byte{sessionCapture: s.capture, sessionRequest: s.request, sessionResponse: s.response} {
			if err := os.WriteFile(name, b, 0o644); err != nil {
				t.Fatal(err)
			}
		}
		t.Logf("recorded the session again (%s); now run go test ./cmd/netdump -run 'TestGolden/^httpsd-session' -update", strings.Join(d, "; "))
		d = diffs()
	}
	for _, msg := range d {
		t.Error(msg)
	}
	if len(d) > 0 {
		t.Log("if the change is intended, run go test ./examples/httpsd -run TestGoldenSession -update")
	}
}

// compareRecording compares the golden recording with a run, in what a
// run determines: the TLS streams, the secrets, the HTTP exchange.
func compareRecording(golden, run *captureSummary, s *session) []string {
	var d []string
	if len(golden.early) > 0 {
		d = append(d, fmt.Sprintf("%s has encrypted TLS before its DSBs: %s", sessionCapture, golden.early))
	}
	if !bytes.Equal(golden.client, run.client) {
		d = append(d, fmt.Sprintf("the client's TLS stream (%d bytes) differs from %s's (%d bytes) at byte %d",
			len(run.client), sessionCapture, len(golden.client), firstDiff(golden.client, run.client)))
	}
	if !bytes.Equal(golden.server, run.server) {
		d = append(d, fmt.Sprintf("the server's TLS stream (%d bytes) differs from %s's (%d bytes) at byte %d",
			len(run.server), sessionCapture, len(golden.server), firstDiff(golden.server, run.server)))
	}
	if !slices.EqualFunc(golden.secrets, run.secrets, bytes.Equal) {
		d = append(d, fmt.Sprintf("the DSBs differ from %s's: %q, want %q", sessionCapture, run.secrets, golden.secrets))
	}
	req, err1 := os.ReadFile(sessionRequest)
	resp, err2 := os.ReadFile(sessionResponse)
	if err := errors.Join(err1, err2); err != nil {
		d = append(d, err.Error())
	} else if !bytes.Equal(req, s.request) || !bytes.Equal(resp, s.response) {
		d = append(d, fmt.Sprintf("the HTTP exchange differs from %s and %s", sessionRequest, sessionResponse))
	}
	return d
}

func firstDiff(a, b []byte) int {
	for i := range min(len(a), len(b)) {
		if a[i] != b[i] {
			return i
		}
	}
	return min(len(a), len(b))
}

// checkSession checks one run of the session: the bodies, the key logs
// and the capture.
func checkSession(t *testing.T, s *session) {
	t.Helper()
	if len(s.bodies) != 2 || !bytes.Contains(s.bodies[0], []byte("Hello from medina")) {
		t.Errorf("GET / gave %q", s.bodies[0])
	}
	if want, _ := io.ReadAll(siteBytes(sessionBytes)); len(s.bodies) != 2 || !bytes.Equal(s.bodies[1], want) {
		t.Errorf("GET /bytes?n=%d gave %d bytes, not siteBytes", sessionBytes, len(s.bodies[1]))
	}
	if s.tlsVersion != tls.VersionTLS13 {
		t.Errorf("TLS version %x, want TLS 1.3", s.tlsVersion)
	}
	for _, path := range sessionPaths {
		if line := "GET " + path + " HTTP/1.1\r\n"; !bytes.Contains(s.request, []byte(line)) {
			t.Errorf("the client did not send %q: %q", line, s.request)
		}
	}

	// The key log: the server logged the four TLS 1.3 secrets of the
	// connection, the client the same four.
	lines := keyLogLines(s.serverKeys)
	var labels []string
	for _, l := range lines {
		labels = append(labels, strings.Fields(l)[0])
	}
	if want := []string{"CLIENT_HANDSHAKE_TRAFFIC_SECRET", "SERVER_HANDSHAKE_TRAFFIC_SECRET", "CLIENT_TRAFFIC_SECRET_0", "SERVER_TRAFFIC_SECRET_0"}; !slices.Equal(labels, want) {
		t.Errorf("the server logged %q, want %q", labels, want)
	}
	if client := keyLogLines(s.clientKeys); !slices.Equal(sorted(client), sorted(lines)) {
		t.Errorf("the client's key log differs from the server's:\nclient %q\nserver %q", client, lines)
	}

	c := readCapture(t, s.capture)
	// The DSBs hold the key log, line by line, in the order logged.
	var dsb []byte
	for _, sec := range c.secrets {
		dsb = append(dsb, sec...)
	}
	if len(c.secrets) != len(lines) || !bytes.Equal(dsb, s.serverKeys) {
		t.Errorf("the capture's %d DSBs hold %q, want the %d lines the server logged: %q", len(c.secrets), dsb, len(lines), s.serverKeys)
	}
	// Each DSB comes before the records it decrypts: every segment the
	// server sent on the connection, and every segment of the client's
	// after its ClientHello, follows all of them.
	for _, v := range c.early {
		t.Errorf("encrypted TLS before the DSBs: %s", v)
	}
	// One connection: a ClientHello and a ServerHello in the clear, a
	// change_cipher_spec each (TLS 1.3's middlebox compatibility), and
	// the rest encrypted (application_data records): the client's
	// Finished, two requests and its close_notify at least, and the
	// server's encrypted handshake and two responses.
	if c.clientRecords[22] != 1 || c.clientRecords[20] != 1 || c.clientRecords[23] < 4 ||
		c.serverRecords[22] != 1 || c.serverRecords[20] != 1 || c.serverRecords[23] < 4 {
		t.Errorf("TLS records by content type: client %v, server %v", c.clientRecords, c.serverRecords)
	}
	if len(c.server) < sessionBytes {
		t.Errorf("the server sent %d bytes of TLS for a body of %d", len(c.server), sessionBytes)
	}
	if c.frames < 80 || c.inbound == 0 || c.outbound == 0 {
		t.Errorf("the capture has %d frames (%d in, %d out)", c.frames, c.inbound, c.outbound)
	}
	t.Logf("capture: %d bytes, %d frames (%d in, %d out), %d DSBs; TLS: %d bytes in %v records from the client, %d bytes in %v from the server",
		len(s.capture), c.frames, c.inbound, c.outbound, len(c.secrets), len(c.client), c.clientRecords, len(c.server), c.serverRecords)
}

func keyLogLines(b []byte) []string {
	var out []string
	for l := range strings.Lines(string(b)) {
		out = append(out, strings.TrimSuffix(l, "\n"))
	}
	return out
}

func sorted(s []string) []string {
	s = slices.Clone(s)
	slices.Sort(s)
	return s
}
