package main

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"io"
	"net"
	"net/http"
	"net/netip"
	"testing"
	"testing/synctest"
	"time"

	"github.com/medina-net/medina/link/pipe"
	"github.com/medina-net/medina/stack"
)

// TestSite checks the site's answers, and that shutdown lets a request in
// progress finish: a POST to /echo whose body is still coming when
// shutdown begins.
func TestSite(t *testing.T) {
	cert, _, err := certificate(testCertFile, testKeyFile, "", netip.Addr{})
	if err != nil {
		t.Fatal(err)
	}
	roots := x509.NewCertPool()
	roots.AddCert(cert.Leaf)
	synctest.Test(t, func(t *testing.T) {
		a, b := pipe.New(pipe.Config{})
		srv, err := start(a, config{Stack: stack.Config{Addr: sessionServer}, Port: 443, Cert: cert})
		if err != nil {
			t.Fatal(err)
		}
		cs, err := stack.New(b, stack.Config{Addr: sessionClient})
		if err != nil {
			t.Fatal(err)
		}
		defer cs.Close()
		tr := &http.Transport{
			DialContext: func(ctx context.Context, network, addr string) (net.Conn, error) {
				return cs.DialContext(ctx, "tcp", netip.AddrPortFrom(sessionServer.Addr(), 443).String())
			},
			TLSClientConfig: &tls.Config{RootCAs: roots, ServerName: sessionName},
		}
		defer tr.CloseIdleConnections()
		client := &http.Client{Transport: tr}
		base := "https://" + sessionName

		for _, tc := range []struct {
			path   string
			status int
			n      int64 // body length, -1 to skip
		}{
			{"/", 200, -1},
			{"/bytes?n=0", 200, 0},
			{"/bytes?n=70000", 200, 70000},
			{"/bytes?n=-1", 400, -1},
			{"/bytes?n=lots", 400, -1},
			{"/bytes?n=2000000000", 400, -1},
			{"/nowhere", 404, -1},
			{"/echo", 405, -1},
		} {
			resp, err := client.Get(base + tc.path)
			if err != nil {
				t.Fatalf("GET %s: %v", tc.path, err)
			}
			body, err := io.ReadAll(resp.Body)
			resp.Body.Close()
			if err != nil || resp.StatusCode != tc.status {
				t.Errorf("GET %s: %s (%v), want %d", tc.path, resp.Status, err, tc.status)
			}
			if tc.n >= 0 {
				want, _ := io.ReadAll(siteBytes(tc.n))
				if !bytes.Equal(body, want) {
					t.Errorf("GET %s: %d bytes, not siteBytes(%d)", tc.path, len(body), tc.n)
				}
			}
		}
		// siteBytes is one stream: a shorter body is a prefix of a
		// longer one.
		short, _ := io.ReadAll(siteBytes(1000))
		long, _ := io.ReadAll(siteBytes(70000))
		if !bytes.HasPrefix(long, short) {
			t.Error("siteBytes(1000) is not a prefix of siteBytes(70000)")
		}

		// A POST to /echo, half sent when shutdown begins.
		body := bytes.Repeat([]byte("medina "), 50000)
		pr, pw := io.Pipe()
		go func() {
			pw.Write(body[:len(body)/2])
		}()
		req, _ := http.NewRequest("POST", base+"/echo", pr)
		req.ContentLength = int64(len(body))
		resp, err := client.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		got := make([]byte, len(body)/2)
		if _, err := io.ReadFull(resp.Body, got); err != nil || !bytes.Equal(got, body[:len(body)/2]) {
			t.Fatalf("the first half of the echo: %v", err)
		}
		shut := make(chan error, 1)
		go func() {
			ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
			defer cancel()
			shut <- srv.shutdown(ctx)
		}()
		time.Sleep(5 * time.Second)
		select {
		case err := <-shut:
			t.Fatalf("shutdown returned with a request in progress: %v", err)
		default:
		}
		// New connections are refused meanwhile.
		if _, err := cs.DialContext(context.Background(), "tcp", "10.0.0.1:443"); err == nil {
			t.Error("a new connection was accepted during shutdown")
		}
		go func() {
			pw.Write(body[len(body)/2:])
			pw.Close()
		}()
		rest, err := io.ReadAll(resp.Body)
		resp.Body.Close()
		if err != nil || !bytes.Equal(append(got, rest...), body) {
			t.Errorf("the echo: %d bytes in all, %v; want the %d sent", len(got)+len(rest), err, len(body))
		}
		if err := <-shut; err != nil {
			t.Errorf("shutdown: %v", err)
		}
		if n := srv.stats.Requests.Load(); n != 9 {
			t.Errorf("%d requests counted, want 9", n)
		}
		if n := srv.stats.Errors.Load(); n != 5 {
			t.Errorf("%d errors counted, want 5", n)
		}
	})
}
