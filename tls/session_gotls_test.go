//go:debug tlsrsakex=1
//go:debug tls3des=1
//go:debug tls10server=1

package tls

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	gotls "crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"errors"
	"fmt"
	"io"
	"math/big"
	mrand "math/rand/v2"
	"net"
	"strings"
	"sync"
	"testing"
	"time"
)

// Test vectors made with crypto/tls: a client and a server over loopback TCP
// with a KeyLogWriter, both directions' bytes recorded as they are
// written, then decrypted by a Session.

// sxWire records what both ends of a connection write, in order.
type sxWire struct {
	mu     sync.Mutex
	chunks []sxChunk
}

// sxTap is one end of a connection whose writes the wire records.
type sxTap struct {
	net.Conn
	dir  Direction
	wire *sxWire
}

// Write logs b before writing it (so that the order of the log is the
// order of the conversation), then trims the log to what was written.
func (c *sxTap) Write(b []byte) (int, error) {
	c.wire.mu.Lock()
	i := len(c.wire.chunks)
	c.wire.chunks = append(c.wire.chunks, sxChunk{dir: c.dir, data: bytes.Clone(b), ts: time.Unix(int64(i), 0)})
	c.wire.mu.Unlock()
	n, err := c.Conn.Write(b)
	if n < len(b) {
		c.wire.mu.Lock()
		c.wire.chunks[i].data = c.wire.chunks[i].data[:n]
		c.wire.mu.Unlock()
	}
	return n, err
}

// inject writes raw bytes on the wire in a direction, as if the end had
// written them.
func (c *sxTap) inject(b []byte) error {
	_, err := c.Write(b)
	return err
}

// sxSafeBuffer is a bytes.Buffer for a KeyLogWriter shared by goroutines.
type sxSafeBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (w *sxSafeBuffer) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.b.Write(p)
}

func (w *sxSafeBuffer) String() string {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.b.String()
}

var (
	sxCertOnce         sync.Once
	sxRSACert, sxECert gotls.Certificate
)

func sxCerts(t testing.TB) {
	sxCertOnce.Do(func() {
		rk, err := rsa.GenerateKey(rand.Reader, 2048)
		if err != nil {
			t.Fatal(err)
		}
		ek, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
		if err != nil {
			t.Fatal(err)
		}
		mk := func(pub, priv any) gotls.Certificate {
			tmpl := &x509.Certificate{
				SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "medina.test"},
				DNSNames: []string{"medina.test"}, NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
				KeyUsage: x509.KeyUsageDigitalSignature | x509.KeyUsageKeyEncipherment, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth, x509.ExtKeyUsageClientAuth},
			}
			der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, pub, priv)
			if err != nil {
				t.Fatal(err)
			}
			return gotls.Certificate{Certificate: [][]byte{der}, PrivateKey: priv}
		}
		sxRSACert = mk(&rk.PublicKey, rk)
		sxECert = mk(&ek.PublicKey, ek)
	})
}

// sxExchange is one conversation: configs, what each side sends, and
// what the test does in between.
type sxExchange struct {
	client, server *gotls.Config
	clientData     []byte
	serverData     []byte
	// after, when set, runs once both sides have exchanged their data
	// and before they close, with both raw taps (to inject records).
	after func(t *testing.T, c, s *gotls.Conn, ct, st *sxTap)
	// keylog, when set, is the key log buffer (for after to read).
	keylog *sxSafeBuffer
	// keys, when set, is the KeyLog to decrypt with, shared with other
	// conversations (as one capture's sessions share netdump's); the
	// conversation's own key log is added to it.
	keys *KeyLog
}

// sxResult is what a conversation left.
type sxResult struct {
	wire     []sxChunk
	keylog   string
	cState   gotls.ConnectionState
	received [2][]byte // what the client and server read after the data
	keys     *KeyLog   // sxExchange.keys
}

// sxPipe returns the two ends of a loopback TCP connection. Not
// net.Pipe: its writes wait for the reader, and TLS 1.3 has both ends
// write at once (a HelloRetryRequest and the compatibility
// change-cipher-spec records), which would deadlock.
func sxPipe(t *testing.T) (net.Conn, net.Conn) {
	t.Helper()
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
		a.Close()
		t.Fatal(err)
	}
	return a, b
}

// sxConverse runs an exchange over a loopback TCP connection.
func sxConverse(t *testing.T, x sxExchange) sxResult {
	t.Helper()
	wire := &sxWire{}
	kl := x.keylog
	if kl == nil {
		kl = &sxSafeBuffer{}
	}
	x.client.KeyLogWriter = kl
	x.server.KeyLogWriter = kl
	a, b := sxPipe(t)
	ct := &sxTap{Conn: a, dir: FromClient, wire: wire}
	st := &sxTap{Conn: b, dir: FromServer, wire: wire}
	c := gotls.Client(ct, x.client)
	s := gotls.Server(st, x.server)
	var res sxResult
	var wg sync.WaitGroup
	errs := make(chan error, 4)
	phase := make(chan struct{})
	done := make(chan struct{})
	wg.Add(2)
	go func() { // server
		defer wg.Done()
		if err := s.Handshake(); err != nil {
			errs <- fmt.Errorf("server handshake: %w", err)
			b.Close()
			return
		}
		got := make([]byte, len(x.clientData))
		if _, err := io.ReadFull(s, got); err != nil {
			errs <- fmt.Errorf("server read: %w", err)
			b.Close()
			return
		}
		if !bytes.Equal(got, x.clientData) {
			errs <- errors.New("server read other data")
		}
		if _, err := s.Write(x.serverData); err != nil {
			errs <- fmt.Errorf("server write: %w", err)
		}
		<-phase
		// Read what the client sends until it closes.
		rest, _ := io.ReadAll(s)
		res.received[FromServer] = rest
		s.Close()
		b.Close()
	}()
	go func() { // client
		defer wg.Done()
		defer close(phase)
		if err := c.Handshake(); err != nil {
			errs <- fmt.Errorf("client handshake: %w", err)
			a.Close()
			return
		}
		res.cState = c.ConnectionState()
		if _, err := c.Write(x.clientData); err != nil {
			errs <- fmt.Errorf("client write: %w", err)
			a.Close()
			return
		}
		got := make([]byte, len(x.serverData))
		if _, err := io.ReadFull(c, got); err != nil {
			errs <- fmt.Errorf("client read: %w", err)
			a.Close()
			return
		}
		if !bytes.Equal(got, x.serverData) {
			errs <- errors.New("client read other data")
		}
		res.cState = c.ConnectionState()
		if x.after != nil {
			x.after(t, c, s, ct, st)
		}
		close(done)
	}()
	go func() {
		<-done
		c.Close()
		a.Close()
	}()
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	wire.mu.Lock()
	res.wire = wire.chunks
	wire.mu.Unlock()
	res.keylog = kl.String()
	res.keys = x.keys
	return res
}

// sxDecrypt runs a recorded conversation through a Session.
func sxDecrypt(t *testing.T, res sxResult) (*Session, *sxRecorder) {
	t.Helper()
	kl := res.keys
	if kl == nil {
		kl = NewKeyLog()
	}
	if err := kl.Read(strings.NewReader(res.keylog)); err != nil {
		t.Fatal(err)
	}
	s, r := newRecordedSession(kl)
	for _, ch := range res.wire {
		s.Feed(ch.dir, ch.data, ch.ts)
	}
	s.Close()
	return s, r
}

func sxData(seed uint64, n int) []byte {
	r := mrand.New(mrand.NewPCG(seed, 1))
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(r.Uint32())
	}
	return b
}

// sxCheck decrypts a conversation and checks the plaintext, the lack of
// errors and the negotiated parameters.
func sxCheck(t *testing.T, res sxResult, x sxExchange, wantClient, wantServer []byte) (*Session, *sxRecorder) {
	t.Helper()
	s, r := sxDecrypt(t, res)
	for _, e := range r.errs() {
		t.Errorf("error event: %v", e)
	}
	if !bytes.Equal(r.plain[FromClient], wantClient) {
		t.Errorf("client plaintext: %d bytes decrypted, want %d (equal prefix %d)", len(r.plain[FromClient]), len(wantClient), commonPrefix(r.plain[FromClient], wantClient))
	}
	if !bytes.Equal(r.plain[FromServer], wantServer) {
		t.Errorf("server plaintext: %d bytes decrypted, want %d (equal prefix %d)", len(r.plain[FromServer]), len(wantServer), commonPrefix(r.plain[FromServer], wantServer))
	}
	sum := s.Summary()
	if sum.Version != Version(res.cState.Version) || sum.CipherSuite != res.cState.CipherSuite {
		t.Errorf("summary says %v 0x%04x, crypto/tls %v 0x%04x", sum.Version, sum.CipherSuite, Version(res.cState.Version), res.cState.CipherSuite)
	}
	if sum.Resumed != res.cState.DidResume {
		t.Errorf("summary Resumed %v, crypto/tls DidResume %v", sum.Resumed, res.cState.DidResume)
	}
	if sum.Failed != [2]int{} || sum.Decrypted != sum.Encrypted {
		t.Errorf("records: encrypted %v, decrypted %v, failed %v", sum.Encrypted, sum.Decrypted, sum.Failed)
	}
	// Every record was followed by its close_notify alert, decrypted.
	alerts := 0
	for _, e := range r.of(EventAlert) {
		if e.Decrypted && e.AlertLevel == AlertLevelWarning && e.AlertDescription == 0 {
			alerts++
		}
	}
	if alerts == 0 {
		t.Errorf("no decrypted close_notify")
	}
	return s, r
}

func commonPrefix(a, b []byte) int {
	n := 0
	for n < len(a) && n < len(b) && a[n] == b[n] {
		n++
	}
	return n
}

// TestGoTLS12Suites decrypts a TLS 1.2 (and 1.0, 1.1) conversation for
// each cipher suite crypto/tls speaks.
func TestGoTLS12Suites(t *testing.T) {
	sxCerts(t)
	cases := []struct {
		suite   uint16
		version uint16
		ecdsa   bool
	}{
		{gotls.TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256, gotls.VersionTLS12, false},
		{gotls.TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384, gotls.VersionTLS12, false},
		{gotls.TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256, gotls.VersionTLS12, true},
		{gotls.TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384, gotls.VersionTLS12, true},
		{gotls.TLS_RSA_WITH_AES_128_GCM_SHA256, gotls.VersionTLS12, false},
		{gotls.TLS_RSA_WITH_AES_256_GCM_SHA384, gotls.VersionTLS12, false},
		{gotls.TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256, gotls.VersionTLS12, false},
		{gotls.TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256, gotls.VersionTLS12, true},
		{gotls.TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA, gotls.VersionTLS12, false},
		{gotls.TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA, gotls.VersionTLS12, false},
		{gotls.TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA256, gotls.VersionTLS12, true},
		{gotls.TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA256, gotls.VersionTLS12, false},
		{gotls.TLS_RSA_WITH_AES_128_CBC_SHA, gotls.VersionTLS12, false},
		{gotls.TLS_RSA_WITH_AES_256_CBC_SHA, gotls.VersionTLS12, false},
		{gotls.TLS_RSA_WITH_AES_128_CBC_SHA256, gotls.VersionTLS12, false},
		{gotls.TLS_ECDHE_RSA_WITH_3DES_EDE_CBC_SHA, gotls.VersionTLS12, false},
		{gotls.TLS_RSA_WITH_3DES_EDE_CBC_SHA, gotls.VersionTLS12, false},
		{gotls.TLS_ECDHE_RSA_WITH_RC4_128_SHA, gotls.VersionTLS12, false},
		{gotls.TLS_RSA_WITH_RC4_128_SHA, gotls.VersionTLS12, false},
		// TLS 1.1 (explicit IV) and 1.0 (chained IV, MD5/SHA-1 PRF).
		{gotls.TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA, gotls.VersionTLS11, false},
		{gotls.TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA, gotls.VersionTLS10, false},
		{gotls.TLS_RSA_WITH_3DES_EDE_CBC_SHA, gotls.VersionTLS10, false},
		{gotls.TLS_ECDHE_RSA_WITH_RC4_128_SHA, gotls.VersionTLS10, false},
	}
	for _, c := range cases {
		t.Run(fmt.Sprintf("%s/%s", gotls.VersionName(c.version), gotls.CipherSuiteName(c.suite)), func(t *testing.T) {
			cert := sxRSACert
			if c.ecdsa {
				cert = sxECert
			}
			x := sxExchange{
				client: &gotls.Config{InsecureSkipVerify: true, CipherSuites: []uint16{c.suite}, MinVersion: c.version, MaxVersion: c.version},
				server: &gotls.Config{Certificates: []gotls.Certificate{cert}, CipherSuites: []uint16{c.suite}, MinVersion: c.version, MaxVersion: c.version},
				// Full records and short ones.
				clientData: sxData(1, 40000), serverData: sxData(2, 70001),
			}
			res := sxConverse(t, x)
			if res.cState.CipherSuite != c.suite || res.cState.Version != c.version {
				t.Fatalf("negotiated %s %s", gotls.VersionName(res.cState.Version), gotls.CipherSuiteName(res.cState.CipherSuite))
			}
			sxCheck(t, res, x, x.clientData, x.serverData)
		})
	}
}

// TestGoTLS13 decrypts TLS 1.3 conversations: the default (AES-128-GCM),
// with a client certificate, and with a HelloRetryRequest.
func TestGoTLS13(t *testing.T) {
	sxCerts(t)
	for _, c := range []struct {
		name           string
		client, server *gotls.Config
		hrr            bool
	}{
		{name: "default",
			client: &gotls.Config{InsecureSkipVerify: true},
			server: &gotls.Config{Certificates: []gotls.Certificate{sxECert}}},
		{name: "client-auth",
			client: &gotls.Config{InsecureSkipVerify: true, Certificates: []gotls.Certificate{sxECert}},
			server: &gotls.Config{Certificates: []gotls.Certificate{sxRSACert}, ClientAuth: gotls.RequireAnyClientCert}},
		{name: "hello-retry-request", hrr: true,
			client: &gotls.Config{InsecureSkipVerify: true},
			server: &gotls.Config{Certificates: []gotls.Certificate{sxECert}, CurvePreferences: []gotls.CurveID{gotls.CurveP256}}},
	} {
		t.Run(c.name, func(t *testing.T) {
			x := sxExchange{client: c.client, server: c.server, clientData: sxData(3, 50000), serverData: sxData(4, 100000)}
			res := sxConverse(t, x)
			if res.cState.Version != gotls.VersionTLS13 {
				t.Fatalf("negotiated %s", gotls.VersionName(res.cState.Version))
			}
			s, r := sxCheck(t, res, x, x.clientData, x.serverData)
			if got := s.Summary().HelloRetryRequest; got != c.hrr {
				t.Errorf("HelloRetryRequest %v, want %v", got, c.hrr)
			}
			certs := 0
			for _, e := range r.of(EventHandshake) {
				if e.Handshake == Certificate {
					certs++
				}
			}
			if want := 1 + len(c.client.Certificates); certs != want {
				t.Errorf("%d Certificate messages, want %d", certs, want)
			}
		})
	}
}

// sxTicketServer returns a server config (ECDSA certificate, TLS up to
// version) whose session tickets are sealed with a key made of key: two
// connections served with it, or with configs of the same key, can resume
// each other's sessions.
func sxTicketServer(version uint16, key byte) *gotls.Config {
	c := &gotls.Config{Certificates: []gotls.Certificate{sxECert}, MaxVersion: version}
	c.SetSessionTicketKeys([][32]byte{{key}})
	return c
}

// TestGoTLSResumption decrypts resumed sessions: a TLS 1.2 abbreviated
// handshake with a session ticket (the server's CCS and Finished first),
// and a TLS 1.3 PSK handshake.
func TestGoTLSResumption(t *testing.T) {
	sxCerts(t)
	for _, version := range []uint16{gotls.VersionTLS12, gotls.VersionTLS13} {
		t.Run(gotls.VersionName(version), func(t *testing.T) {
			cache := gotls.NewLRUClientSessionCache(4)
			keys := NewKeyLog() // crypto/tls logs no secret for a resumed TLS 1.2 session
			// One ticket key for both connections: each gets a clone of
			// the config, and a clone draws its own key otherwise.
			server := sxTicketServer(version, 1)
			for i, resumed := range []bool{false, true} {
				x := sxExchange{
					// A server name keys the client's session cache (else the
					// address does, and each connection has its own port).
					client:     &gotls.Config{InsecureSkipVerify: true, ServerName: "medina.test", ClientSessionCache: cache, MaxVersion: version},
					server:     server.Clone(),
					clientData: sxData(uint64(5+i), 3000), serverData: sxData(uint64(7+i), 20000),
					keys: keys,
				}
				res := sxConverse(t, x)
				if res.cState.DidResume != resumed {
					t.Fatalf("connection %d: DidResume %v", i, res.cState.DidResume)
				}
				s, r := sxCheck(t, res, x, x.clientData, x.serverData)
				want := NotResumed
				switch {
				case resumed && version == gotls.VersionTLS12:
					want = ResumedByTicket
				case resumed:
					want = ResumedByPSK
				}
				if got := s.Summary().ResumedBy; got != want {
					t.Errorf("connection %d: resumed by %v, want %v", i, got, want)
				}
				if resumed && version == gotls.VersionTLS12 {
					// Abbreviated: ServerHello, NewSessionTicket?, CCS, Finished.
					for _, typ := range r.handshakes(FromServer) {
						if typ == Certificate || typ == ServerHelloDone {
							t.Errorf("resumed handshake has a %v", typ)
						}
					}
				}
			}
		})
	}
}

// TestGoTLS13KeyUpdate makes both sides change keys: after the data, a
// KeyUpdate asking for an update is injected on the client's side of the
// wire, sealed with the client's application key (crypto/tls has no API to
// send one), followed by data under the client's next key; the server
// (crypto/tls) answers with its own KeyUpdate and data under its next key.
// crypto/tls accepting the injected records checks the derivation of the
// next secret independently.
func TestGoTLS13KeyUpdate(t *testing.T) {
	sxCerts(t)
	clientMore := []byte("after the key update, from the client")
	serverMore := sxData(9, 30000)
	var clientAppRecords int
	x := sxExchange{
		client:     &gotls.Config{InsecureSkipVerify: true},
		server:     &gotls.Config{Certificates: []gotls.Certificate{sxECert}},
		clientData: sxData(10, 20000), serverData: sxData(11, 20000),
	}
	keylog := &sxSafeBuffer{}
	x.keylog = keylog
	x.after = func(t *testing.T, c, s *gotls.Conn, ct, st *sxTap) {
		// The client's protected records so far: its Finished, then its
		// data records under the application key.
		ct.wire.mu.Lock()
		wire := append([]sxChunk(nil), ct.wire.chunks...)
		ct.wire.mu.Unlock()
		clientAppRecords = sxCountAppRecords(wire, FromClient)
		kl, err := ParseKeyLog(bytes.NewReader([]byte(keylog.String())))
		if err != nil {
			t.Error(err)
			return
		}
		var cr [32]byte
		for _, ch := range wire {
			if ch.dir == FromClient {
				copy(cr[:], ch.data[11:43]) // the ClientHello's random
				break
			}
		}
		sec, ok := kl.Lookup(cr)
		if !ok {
			t.Error("no secrets logged")
			return
		}
		p := decryptSuites[c.ConnectionState().CipherSuite]
		// KeyUpdate(update_requested) under the current key, then data
		// under the next.
		ku := sxSeal13(t, p, sec.ClientTrafficSecret0, uint64(clientAppRecords)-1, ContentHandshake, []byte{byte(KeyUpdate), 0, 0, 1, 1})
		next, err := nextTrafficSecret13(p, sec.ClientTrafficSecret0)
		if err != nil {
			t.Error(err)
			return
		}
		data := sxSeal13(t, p, next, 0, ContentApplicationData, clientMore)
		go func() {
			ct.inject(ku)
			ct.inject(data)
		}()
		// The server reads the injected data (handling the KeyUpdate and
		// answering with its own), then writes under its next key.
		got := make([]byte, len(clientMore))
		if _, err := io.ReadFull(s, got); err != nil || !bytes.Equal(got, clientMore) {
			t.Errorf("server read %q, %v", got, err)
			return
		}
		go s.Write(serverMore)
		got = make([]byte, len(serverMore))
		if _, err := io.ReadFull(c, got); err != nil || !bytes.Equal(got, serverMore) {
			t.Errorf("client read after key update: %v", err)
		}
	}
	res := sxConverse(t, x)
	if res.cState.Version != gotls.VersionTLS13 {
		t.Fatalf("negotiated %s", gotls.VersionName(res.cState.Version))
	}
	s, r := sxDecrypt(t, res)
	for _, e := range r.errs() {
		// The client's close_notify is under its old key (crypto/tls did
		// not see the KeyUpdate we injected for it): that one fails.
		if e.Dir == FromClient && errors.Is(e.Err, ErrDecrypt) {
			continue
		}
		t.Errorf("error event: %v", e)
	}
	wantC := append(bytes.Clone(x.clientData), clientMore...)
	wantS := append(bytes.Clone(x.serverData), serverMore...)
	if !bytes.Equal(r.plain[FromClient], wantC) {
		t.Errorf("client plaintext: %d bytes, want %d", len(r.plain[FromClient]), len(wantC))
	}
	if !bytes.Equal(r.plain[FromServer], wantS) {
		t.Errorf("server plaintext: %d bytes, want %d", len(r.plain[FromServer]), len(wantS))
	}
	kus := 0
	for _, e := range r.of(EventHandshake) {
		if e.Handshake == KeyUpdate {
			kus++
			want := byte(1)
			if e.Dir == FromServer {
				want = 0
			}
			if len(e.Data) != 1 || e.Data[0] != want {
				t.Errorf("%v KeyUpdate %x", e.Dir, e.Data)
			}
		}
	}
	if kus != 2 {
		t.Errorf("%d KeyUpdates decrypted, want 2", kus)
	}
	if sum := s.Summary(); sum.Failed[FromServer] != 0 || sum.Failed[FromClient] > 1 {
		t.Errorf("failed records %v", sum.Failed)
	}
}

// sxCountAppRecords counts a direction's protected (application_data)
// records on the wire.
func sxCountAppRecords(wire []sxChunk, d Direction) int {
	var b []byte
	for _, ch := range wire {
		if ch.dir == d {
			b = append(b, ch.data...)
		}
	}
	n := 0
	for len(b) >= RecordHeaderLen {
		rec, m, err := ParseRecord(b)
		if err != nil {
			break
		}
		if rec.Type == ContentApplicationData {
			n++
		}
		b = b[m:]
	}
	return n
}

// sxSeal13 builds a TLS 1.3 record sealed with a traffic secret.
func sxSeal13(t *testing.T, p suiteParams, secret []byte, seq uint64, typ ContentType, content []byte) []byte {
	t.Helper()
	key, iv, err := trafficKeys13(p, secret)
	if err != nil {
		t.Fatal(err)
	}
	a, err := newAEAD(p, key)
	if err != nil {
		t.Fatal(err)
	}
	inner := append(bytes.Clone(content), byte(typ))
	n := len(inner) + a.Overhead()
	hdr := []byte{byte(ContentApplicationData), 3, 3, byte(n >> 8), byte(n)}
	nonce := bytes.Clone(iv)
	for i := range 8 {
		nonce[4+i] ^= byte(seq >> (56 - 8*i))
	}
	return a.Seal(hdr, nonce, inner, hdr)
}
