package tls

import (
	"bytes"
	"context"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// OpenSSL negotiates encrypt-then-MAC (RFC 7366) for CBC suites by
// default, and crypto/tls does not speak it: these tests record a TLS 1.2
// conversation between openssl s_client and s_server, through a relay
// that keeps both directions' bytes, and decrypt it with the key log
// s_client wrote. They skip when openssl is not installed.

// opensslConverse runs s_server -www and an s_client that asks it for a
// page, with extra flags for both, and returns the bytes each sent and
// the key log.
func opensslConverse(t *testing.T, flags ...string) (wire []sxChunk, keys *KeyLog) {
	t.Helper()
	bin, err := exec.LookPath("openssl")
	if err != nil {
		t.Skip("openssl is not installed")
	}
	sxCerts(t)
	dir := t.TempDir()
	certPEM := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: sxRSACert.Certificate[0]})
	keyDER, err := x509.MarshalPKCS8PrivateKey(sxRSACert.PrivateKey)
	if err != nil {
		t.Fatal(err)
	}
	keyPEM := pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: keyDER})
	certFile, keyFile, logFile := filepath.Join(dir, "cert.pem"), filepath.Join(dir, "key.pem"), filepath.Join(dir, "keys")
	if err := os.WriteFile(certFile, certPEM, 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(keyFile, keyPEM, 0o600); err != nil {
		t.Fatal(err)
	}
	// A port for s_server: taken and let go (s_server cannot say which
	// one it picked in a way this test can wait for portably).
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := l.Addr().(*net.TCPAddr).Port
	l.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	srv := exec.CommandContext(ctx, bin, append([]string{"s_server", "-accept", "127.0.0.1:" + strconv.Itoa(port),
		"-naccept", "1", "-cert", certFile, "-key", keyFile, "-www", "-quiet"}, flags...)...)
	var srvOut bytes.Buffer
	srv.Stdout, srv.Stderr = &srvOut, &srvOut
	if err := srv.Start(); err != nil {
		t.Fatal(err)
	}
	defer srv.Wait()
	defer cancel()
	// The relay, between s_client and s_server.
	relay, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer relay.Close()
	rec := &sxWire{}
	done := make(chan error, 1)
	go func() {
		c, err := relay.Accept()
		if err != nil {
			done <- err
			return
		}
		defer c.Close()
		var s net.Conn
		for range 100 { // until s_server listens
			if s, err = net.Dial("tcp", "127.0.0.1:"+strconv.Itoa(port)); err == nil {
				break
			}
			time.Sleep(50 * time.Millisecond)
		}
		if err != nil {
			done <- err
			return
		}
		defer s.Close()
		var wg sync.WaitGroup
		pipe := func(dst, src net.Conn, d Direction) {
			defer wg.Done()
			buf := make([]byte, 4096)
			for {
				n, err := src.Read(buf)
				if n > 0 {
					rec.mu.Lock()
					rec.chunks = append(rec.chunks, sxChunk{dir: d, data: bytes.Clone(buf[:n]), ts: time.Unix(int64(len(rec.chunks)), 0)})
					rec.mu.Unlock()
					dst.Write(buf[:n])
				}
				if err != nil {
					if tc, ok := dst.(*net.TCPConn); ok {
						tc.CloseWrite()
					}
					return
				}
			}
		}
		wg.Add(2)
		go pipe(s, c, FromClient)
		go pipe(c, s, FromServer)
		wg.Wait()
		done <- nil
	}()
	cli := exec.CommandContext(ctx, bin, append([]string{"s_client", "-connect", relay.Addr().String(),
		"-keylogfile", logFile, "-ign_eof", "-quiet"}, flags...)...)
	cli.Stdin = strings.NewReader("GET / HTTP/1.0\r\n\r\n")
	var cliOut bytes.Buffer
	cli.Stdout, cli.Stderr = &cliOut, &cliOut
	if err := cli.Run(); err != nil {
		t.Fatalf("s_client: %v\n%s\ns_server:\n%s", err, cliOut.String(), srvOut.String())
	}
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(cliOut.String(), "HTTP/1.0 200 ok") {
		t.Fatalf("s_client got no page:\n%s", cliOut.String())
	}
	f, err := os.Open(logFile)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if keys, err = ParseKeyLog(f); err != nil {
		t.Fatal(err)
	}
	return rec.chunks, keys
}

// TestOpenSSLCBC decrypts OpenSSL's TLS 1.2 CBC conversations, with
// encrypt-then-MAC (OpenSSL's default) and without, then again with a
// byte of a server record changed: that record fails its MAC check and
// shows no plaintext.
func TestOpenSSLCBC(t *testing.T) {
	for _, c := range []struct {
		name  string
		flags []string
		etm   bool
	}{
		{"etm-sha1", []string{"-tls1_2", "-cipher", "ECDHE-RSA-AES128-SHA"}, true},
		{"etm-sha256", []string{"-tls1_2", "-cipher", "AES256-SHA256"}, true},
		{"mte-sha1", []string{"-tls1_2", "-cipher", "ECDHE-RSA-AES128-SHA", "-no_etm"}, false},
	} {
		t.Run(c.name, func(t *testing.T) {
			wire, keys := opensslConverse(t, c.flags...)
			var srv []byte
			for _, ch := range wire {
				if ch.dir == FromServer {
					srv = append(srv, ch.data...)
				}
			}
			feed := func(tamper int) (*Session, *sxRecorder) {
				s, r := newRecordedSession(keys)
				off := 0
				for _, ch := range wire {
					data := ch.data
					if ch.dir == FromServer {
						if tamper >= off && tamper < off+len(data) {
							data = bytes.Clone(data)
							data[tamper-off] ^= 0x40
						}
						off += len(ch.data)
					}
					s.Feed(ch.dir, data, ch.ts)
				}
				s.Close()
				return s, r
			}
			s, r := feed(-1)
			sum := s.Summary()
			if sum.EncryptThenMAC != c.etm || !sum.KeysFound || sum.Failed != [2]int{} || sum.Decrypted != sum.Encrypted || sum.Errors != 0 {
				t.Fatalf("summary: encrypt-then-MAC %v (want %v), keys %v, encrypted %v, decrypted %v, failed %v, %d errors: %v",
					sum.EncryptThenMAC, c.etm, sum.KeysFound, sum.Encrypted, sum.Decrypted, sum.Failed, sum.Errors, r.errs())
			}
			if !bytes.HasPrefix(r.plain[FromServer], []byte("HTTP/1.0 200 ok")) || string(r.plain[FromClient]) != "GET / HTTP/1.0\r\n\r\n" {
				t.Fatalf("plaintext: client %q, server %q", r.plain[FromClient], r.plain[FromServer][:min(40, len(r.plain[FromServer]))])
			}
			// Change a byte in the middle of the server's first
			// application data record.
			victim := -1
			for off := 0; off < len(srv); {
				rec, n, err := ParseRecord(srv[off:])
				if err != nil {
					t.Fatal(err)
				}
				if rec.Type == ContentApplicationData {
					victim = off
					srv = srv[:off+n]
					break
				}
				off += n
			}
			if victim < 0 {
				t.Fatal("no application data from the server")
			}
			s, r = feed(victim + (len(srv)-victim)/2)
			for _, e := range r.events {
				if e.Dir == FromServer && e.Offset == int64(victim) {
					if e.Decrypted || e.Data != nil && e.Kind == EventApplicationData {
						t.Errorf("tampered record shown as decrypted: %v", e)
					}
					if e.Kind == EventRecord && !errors.Is(e.Err, errBadMAC) {
						t.Errorf("tampered record: %v; want %v", e.Err, errBadMAC)
					}
				}
			}
			if f := s.Summary().Failed; f != [2]int{0, 1} {
				t.Errorf("failed records %v, want the one tampered with", f)
			}
		})
	}
}
