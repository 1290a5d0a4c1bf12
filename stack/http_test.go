package stack

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"math/big"
	mrand "math/rand/v2"
	"net"
	"net/http"
	"net/http/httptrace"
	"strconv"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/medina-net/medina/tcp"
)

// net/http and crypto/tls over the stack, unchanged: a server on one
// stack's listener, a client whose transport dials through the other.

// pattern returns n bytes of a deterministic pseudo-random pattern.
func pattern(n int, seed uint64) []byte {
	b := make([]byte, n)
	r := mrand.New(mrand.NewPCG(seed, seed))
	for i := 0; i+8 <= n; i += 8 {
		v := r.Uint64()
		for j := range 8 {
			b[i+j] = byte(v >> (8 * j))
		}
	}
	return b
}

// testHandler serves /small, /large?n=bytes (a pattern), /echo (the
// SHA-256 and length of a POSTed body) and /peer (the client's address).
func testHandler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("/small", func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, "hello, medina")
	})
	mux.HandleFunc("/large", func(w http.ResponseWriter, r *http.Request) {
		n, err := strconv.Atoi(r.URL.Query().Get("n"))
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		w.Header().Set("Content-Length", strconv.Itoa(n))
		w.Write(pattern(n, uint64(n)))
	})
	mux.HandleFunc("/echo", func(w http.ResponseWriter, r *http.Request) {
		h := sha256.New()
		n, err := io.Copy(h, r.Body)
		if err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		fmt.Fprintf(w, "%d %x", n, h.Sum(nil))
	})
	mux.HandleFunc("/peer", func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, r.RemoteAddr)
	})
	return mux
}

// httpSetup starts an HTTP server on a and returns a client that dials
// through b, and the number of connections it dialled so far.
type httpSetup struct {
	a, b   *Stack
	srv    *http.Server
	served chan error
	base   string
	client *http.Client
	tr     *http.Transport
	dials  atomic.Int64
}

func newHTTPSetup(t *testing.T, seed uint64) *httpSetup {
	t.Helper()
	a, b, stop := realPairTCP(t, seed, tcp.Config{TimeWait: time.Second})
	t.Cleanup(stop)
	h := &httpSetup{a: a, b: b, served: make(chan error, 1)}
	ln, err := a.Listen("tcp", ":0")
	if err != nil {
		t.Fatal(err)
	}
	h.srv = &http.Server{Handler: testHandler(), ReadHeaderTimeout: 10 * time.Second}
	go func() { h.served <- h.srv.Serve(ln) }()
	h.base = fmt.Sprintf("http://10.0.0.1:%d", ln.Addr().(*net.TCPAddr).Port)
	h.tr = &http.Transport{
		DialContext: func(ctx context.Context, network, addr string) (net.Conn, error) {
			h.dials.Add(1)
			return b.DialContext(ctx, network, addr)
		},
		MaxIdleConnsPerHost: 100,
	}
	h.client = &http.Client{Transport: h.tr, Timeout: time.Minute}
	t.Cleanup(func() {
		h.tr.CloseIdleConnections()
		h.srv.Close()
	})
	return h
}

func (h *httpSetup) get(t *testing.T, path string) []byte {
	t.Helper()
	resp, err := h.client.Get(h.base + path)
	if err != nil {
		t.Fatalf("GET %s: %v", path, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("GET %s: reading the body: %v", path, err)
	}
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET %s: %s", path, resp.Status)
	}
	return body
}

func (h *httpSetup) post(t *testing.T, body []byte) {
	t.Helper()
	resp, err := h.client.Post(h.base+"/echo", "application/octet-stream", bytes.NewReader(body))
	if err != nil {
		t.Fatalf("POST of %d bytes: %v", len(body), err)
	}
	defer resp.Body.Close()
	got, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256(body)
	if want := fmt.Sprintf("%d %s", len(body), hex.EncodeToString(sum[:])); string(got) != want {
		t.Fatalf("POST of %d bytes: the server saw %q, want %q", len(body), got, want)
	}
}

func TestHTTP(t *testing.T) {
	h := newHTTPSetup(t, 200)

	t.Run("Small", func(t *testing.T) {
		if got := h.get(t, "/small"); string(got) != "hello, medina" {
			t.Errorf("body %q", got)
		}
	})
	t.Run("Large", func(t *testing.T) {
		for _, n := range []int{1, 1460, 65536, 1 << 20, 8 << 20} {
			got := h.get(t, "/large?n="+strconv.Itoa(n))
			if !bytes.Equal(got, pattern(n, uint64(n))) {
				t.Fatalf("a body of %d bytes came as %d bytes, not the pattern", n, len(got))
			}
		}
	})
	t.Run("Post", func(t *testing.T) {
		for _, n := range []int{0, 1, 100000, 5 << 20} {
			h.post(t, pattern(n, 7))
		}
	})
	t.Run("KeepAlive", func(t *testing.T) {
		h.tr.CloseIdleConnections()
		dials := h.dials.Load()
		var peers []string
		reused := 0
		for i := range 20 {
			trace := &httptrace.ClientTrace{GotConn: func(info httptrace.GotConnInfo) {
				if info.Reused {
					reused++
				}
			}}
			req, _ := http.NewRequestWithContext(httptrace.WithClientTrace(context.Background(), trace), "GET", h.base+"/peer", nil)
			resp, err := h.client.Do(req)
			if err != nil {
				t.Fatalf("request %d: %v", i, err)
			}
			b, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			peers = append(peers, string(b))
		}
		if d := h.dials.Load() - dials; d != 1 || reused != 19 {
			t.Errorf("20 requests in a row dialled %d connections and reused one %d times, want 1 and 19", d, reused)
		}
		for _, p := range peers[1:] {
			if p != peers[0] {
				t.Errorf("requests came from %s and %s", peers[0], p)
				break
			}
		}
	})
	t.Run("Concurrent", func(t *testing.T) {
		const workers, each = 50, 10
		var wg sync.WaitGroup
		errs := make(chan error, workers*each)
		for w := range workers {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for i := range each {
					n := 200 * (w*each + i + 1) // up to 100 KB
					resp, err := h.client.Get(h.base + "/large?n=" + strconv.Itoa(n))
					if err != nil {
						errs <- err
						continue
					}
					b, err := io.ReadAll(resp.Body)
					resp.Body.Close()
					if err != nil || !bytes.Equal(b, pattern(n, uint64(n))) {
						errs <- fmt.Errorf("a body of %d bytes came as %d bytes (%v)", n, len(b), err)
					}
				}
			}()
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			t.Error(err)
		}
		if d := h.dials.Load(); d > workers+2 {
			t.Logf("%d connections dialled for %d workers", d, workers)
		}
	})
	t.Run("Shutdown", func(t *testing.T) {
		// An idle keep-alive connection, and a request in progress
		// that Shutdown waits for.
		h.get(t, "/small")
		slow := make(chan struct{})
		inHandler := make(chan struct{})
		h.srv.Handler.(*http.ServeMux).HandleFunc("/slow", func(w http.ResponseWriter, r *http.Request) {
			close(inHandler)
			<-slow
			io.WriteString(w, "done")
		})
		slowDone := make(chan error, 1)
		go func() {
			resp, err := h.client.Get(h.base + "/slow")
			if err == nil {
				var b []byte
				b, err = io.ReadAll(resp.Body)
				resp.Body.Close()
				if err == nil && string(b) != "done" {
					err = fmt.Errorf("body %q", b)
				}
			}
			slowDone <- err
		}()
		<-inHandler
		shut := make(chan error, 1)
		go func() {
			ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
			defer cancel()
			shut <- h.srv.Shutdown(ctx)
		}()
		time.Sleep(100 * time.Millisecond)
		select {
		case err := <-shut:
			t.Fatalf("Shutdown returned with a request in progress: %v", err)
		default:
		}
		close(slow)
		if err := <-slowDone; err != nil {
			t.Errorf("the request in progress: %v", err)
		}
		if err := <-shut; err != nil {
			t.Errorf("Shutdown: %v", err)
		}
		if err := <-h.served; !errors.Is(err, http.ErrServerClosed) {
			t.Errorf("Serve returned %v", err)
		}
		// The listener is gone: a new connection is refused.
		h.tr.CloseIdleConnections()
		_, err := h.client.Get(h.base + "/small")
		if !errors.Is(err, syscall.ECONNREFUSED) {
			t.Errorf("GET after Shutdown: %v, want ECONNREFUSED", err)
		}
		// Every connection closes and leaves both engines.
		deadline := time.Now().Add(10 * time.Second)
		for time.Now().Before(deadline) && (h.a.tcp.NumConns() != 0 || h.b.tcp.NumConns() != 0) {
			time.Sleep(50 * time.Millisecond)
		}
		for _, s := range []*Stack{h.a, h.b} {
			if n, est := s.tcp.NumConns(), s.TCPStats().CurrEstab; n != 0 || est != 0 {
				t.Errorf("stack %v: %d connections left, %d established", s.Addr(), n, est)
			}
		}
	})
}

// selfSigned returns a certificate for name and the pool that trusts it.
func selfSigned(t *testing.T, name string) (tls.Certificate, *x509.CertPool) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber:          big.NewInt(1),
		Subject:               pkix.Name{CommonName: name},
		DNSNames:              []string{name},
		NotBefore:             time.Now().Add(-time.Hour),
		NotAfter:              time.Now().Add(time.Hour),
		KeyUsage:              x509.KeyUsageDigitalSignature,
		ExtKeyUsage:           []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		BasicConstraintsValid: true,
		IsCA:                  true,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	pool := x509.NewCertPool()
	pool.AddCert(cert)
	return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key, Leaf: cert}, pool
}

// HTTPS: crypto/tls over the stack's listener and dialer, with HTTP/1.1
// and HTTP/2.
func TestHTTPS(t *testing.T) {
	a, b, stop := realPairTCP(t, 210, tcp.Config{TimeWait: time.Second})
	defer stop()
	cert, pool := selfSigned(t, "medina.test")
	ln, err := a.Listen("tcp", ":443")
	if err != nil {
		t.Fatal(err)
	}
	srv := &http.Server{
		Handler: testHandler(),
		TLSConfig: &tls.Config{
			Certificates: []tls.Certificate{cert},
			MinVersion:   tls.VersionTLS12,
		},
	}
	go srv.ServeTLS(ln, "", "")
	defer srv.Close()

	for _, h2 := range []bool{false, true} {
		t.Run(map[bool]string{false: "HTTP1", true: "HTTP2"}[h2], func(t *testing.T) {
			tr := &http.Transport{
				DialContext: func(ctx context.Context, network, addr string) (net.Conn, error) {
					return b.DialContext(ctx, network, addr)
				},
				TLSClientConfig:   &tls.Config{RootCAs: pool, ServerName: "medina.test"},
				ForceAttemptHTTP2: h2,
			}
			defer tr.CloseIdleConnections()
			client := &http.Client{Transport: tr, Timeout: time.Minute}
			const n = 4 << 20
			resp, err := client.Get("https://10.0.0.1:443/large?n=" + strconv.Itoa(n))
			if err != nil {
				t.Fatal(err)
			}
			body, err := io.ReadAll(resp.Body)
			resp.Body.Close()
			if err != nil || !bytes.Equal(body, pattern(n, n)) {
				t.Fatalf("a body of %d bytes came as %d bytes (%v)", n, len(body), err)
			}
			if want := map[bool]int{false: 1, true: 2}[h2]; resp.ProtoMajor != want {
				t.Errorf("protocol %s, want HTTP/%d", resp.Proto, want)
			}
			if resp.TLS == nil || !resp.TLS.HandshakeComplete || resp.TLS.ServerName != "medina.test" {
				t.Errorf("TLS state %+v", resp.TLS)
			}
			post := pattern(1<<20, 9)
			resp, err = client.Post("https://10.0.0.1:443/echo", "application/octet-stream", bytes.NewReader(post))
			if err != nil {
				t.Fatal(err)
			}
			got, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			sum := sha256.Sum256(post)
			if want := fmt.Sprintf("%d %x", len(post), sum); string(got) != want {
				t.Errorf("POST over TLS: %q, want %q", got, want)
			}
		})
	}
}

// crypto/tls's own client and server over a raw connection pair, no HTTP:
// the handshake, data both ways, and close_notify before the TCP close.
func TestTLSConn(t *testing.T) {
	c1, c2, stop, err := tcpPipe(t, 220)
	if err != nil {
		t.Fatal(err)
	}
	defer stop()
	cert, pool := selfSigned(t, "medina.test")
	srv := tls.Server(c2, &tls.Config{Certificates: []tls.Certificate{cert}})
	cli := tls.Client(c1, &tls.Config{RootCAs: pool, ServerName: "medina.test"})
	msg := pattern(3<<20, 11)
	done := make(chan error, 1)
	go func() {
		got, err := io.ReadAll(srv)
		if err == nil && !bytes.Equal(got, msg) {
			err = fmt.Errorf("server read %d bytes, not what was sent", len(got))
		}
		if err == nil {
			_, err = srv.Write([]byte("thanks"))
		}
		srv.Close()
		done <- err
	}()
	if _, err := cli.Write(msg); err != nil {
		t.Fatal(err)
	}
	if err := cli.CloseWrite(); err != nil {
		t.Fatal(err)
	}
	reply, err := io.ReadAll(cli)
	if err != nil || string(reply) != "thanks" {
		t.Errorf("client read %q, %v", reply, err)
	}
	if err := <-done; err != nil {
		t.Error(err)
	}
	if v := cli.ConnectionState().Version; v != tls.VersionTLS13 {
		t.Errorf("TLS version %x", v)
	}
	cli.Close()
}
