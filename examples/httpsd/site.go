package main

import (
	"crypto/tls"
	"fmt"
	"html"
	"io"
	"log"
	"math/rand/v2"
	"net/http"
	"strconv"
	"sync/atomic"
	"time"
)

// maxBytes bounds /bytes?n=N, and maxEcho the body /echo sends back.
const (
	maxBytes = 1 << 30
	maxEcho  = 64 << 20
)

// siteSeed seeds the stream /bytes serves.
var siteSeed = [32]byte{'m', 'e', 'd', 'i', 'n', 'a', ' ', 'h', 't', 't', 'p', 's', 'd'}

// siteBytes returns the first n bytes that /bytes?n=N serves: a ChaCha8
// stream with a fixed seed, the same for every N, so that a shorter body
// is a prefix of a longer one and a client can check what it got.
func siteBytes(n int64) io.Reader {
	return io.LimitReader(rand.NewChaCha8(siteSeed), n)
}

// siteStats counts what the site served.
type siteStats struct {
	Requests   atomic.Uint64 // requests answered, every path and status
	Errors     atomic.Uint64 // answers with a status of 400 or more
	BytesOut   atomic.Uint64 // response body bytes written
	Handshakes atomic.Uint64 // TLS handshakes completed
}

// site is the small web site httpsd serves:
//
//	/           a page saying where the client is and how it talks TLS
//	/bytes?n=N  N bytes of siteBytes, as application/octet-stream
//	/echo       the body of a POST, sent back as it arrives
//
// Every request is logged to logger (when it is not nil) and counted in
// stats.
func site(stats *siteStats, logger *log.Logger) http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /{$}", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		proto := "no TLS"
		if r.TLS != nil {
			proto = tls.VersionName(r.TLS.Version) + " with " + tls.CipherSuiteName(r.TLS.CipherSuite)
		}
		fmt.Fprintf(w, `<!doctype html>
<title>medina httpsd</title>
<h1>Hello from medina</h1>
<p>This page came over %s and HTTP/%d.%d from a Go program that runs its own
TCP/IP stack, on a TAP interface: the kernel only passed Ethernet frames.
You are %s.</p>
<ul>
<li><a href="/bytes?n=100000">/bytes?n=N</a>: N deterministic bytes
<li>/echo: POST a body and get it back
</ul>
`, html.EscapeString(proto), r.ProtoMajor, r.ProtoMinor, html.EscapeString(r.RemoteAddr))
	})
	mux.HandleFunc("GET /bytes", func(w http.ResponseWriter, r *http.Request) {
		n, err := strconv.ParseInt(r.URL.Query().Get("n"), 10, 64)
		if err != nil || n < 0 || n > maxBytes {
			http.Error(w, fmt.Sprintf("n must be a number of bytes from 0 to %d", maxBytes), http.StatusBadRequest)
			return
		}
		w.Header().Set("Content-Type", "application/octet-stream")
		w.Header().Set("Content-Length", strconv.FormatInt(n, 10))
		io.Copy(w, siteBytes(n))
	})
	mux.HandleFunc("POST /echo", func(w http.ResponseWriter, r *http.Request) {
		// Send the body back while it arrives, rather than holding
		// all of it: HTTP/1 needs to be told.
		http.NewResponseController(w).EnableFullDuplex()
		ct := r.Header.Get("Content-Type")
		if ct == "" {
			ct = "application/octet-stream"
		}
		w.Header().Set("Content-Type", ct)
		if r.ContentLength >= 0 {
			w.Header().Set("Content-Length", strconv.FormatInt(r.ContentLength, 10))
		}
		io.Copy(w, http.MaxBytesReader(w, r.Body, maxEcho))
	})
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		cw := &countingWriter{ResponseWriter: w, status: http.StatusOK}
		mux.ServeHTTP(cw, r)
		stats.Requests.Add(1)
		stats.BytesOut.Add(uint64(cw.n))
		if cw.status >= 400 {
			stats.Errors.Add(1)
		}
		if logger != nil {
			logger.Printf("%s %s %s %s: %d, %d bytes in %v", r.RemoteAddr, tlsVersion(r.TLS), r.Method, r.URL.RequestURI(),
				cw.status, cw.n, time.Since(start).Round(time.Microsecond))
		}
	})
}

func tlsVersion(cs *tls.ConnectionState) string {
	if cs == nil {
		return "plain"
	}
	return tls.VersionName(cs.Version)
}

// countingWriter counts the body bytes a handler writes and keeps its
// status. Unwrap lets http.ResponseController reach the writer beneath.
type countingWriter struct {
	http.ResponseWriter
	status      int
	n           int64
	wroteHeader bool
}

func (w *countingWriter) WriteHeader(code int) {
	if !w.wroteHeader {
		w.status, w.wroteHeader = code, true
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *countingWriter) Write(b []byte) (int, error) {
	w.wroteHeader = true
	n, err := w.ResponseWriter.Write(b)
	w.n += int64(n)
	return n, err
}

func (w *countingWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }
