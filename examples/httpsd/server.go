package main

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"log"
	"net/http"
	"sync"
	"time"

	"github.com/medina-net/medina/link"
	"github.com/medina-net/medina/pcap"
	"github.com/medina-net/medina/stack"
)

// config is what an httpsd server runs with, whatever device is beneath
// it: main fills it from the flags over a TAP, the tests over link/pipe
// or a TAP in a namespace.
type config struct {
	// Stack configures the stack (its address, gateway, randomness).
	Stack stack.Config
	// Port is the TCP port to serve HTTPS on.
	Port int
	// Cert is the server's certificate.
	Cert tls.Certificate
	// TLS12 accepts TLS 1.2 as well as 1.3 (see main's -tls12).
	TLS12 bool
	// HTTP2 offers h2 in ALPN as well as http/1.1.
	HTTP2 bool
	// TLSRand is tls.Config.Rand, crypto/tls's source of nonces (client
	// and server randoms, ticket nonces); nil means crypto/rand.
	TLSRand io.Reader
	// Capture, when not nil, receives a pcapng of every frame, with the
	// TLS key log as Decryption Secrets Blocks. CaptureName names the
	// interface in it.
	Capture     io.Writer
	CaptureName string
	// KeyLog, when not nil, receives the NSS key log as a plain file.
	KeyLog io.Writer
	// Clock stamps the captured frames: nil means link.SystemClock, which
	// is virtual in a testing/synctest bubble.
	Clock link.Clock
	// Log receives a line per request and the server's errors; nil
	// discards them.
	Log *log.Logger
}

// server is an HTTPS server on its own stack.
type server struct {
	cfg    config
	stack  *stack.Stack
	tap    *pcap.Tap // nil without a capture
	keys   *keyLog   // nil with neither a capture nor a key log
	http   *http.Server
	served chan error
	stats  siteStats
}

// shutdownLinger is how long shutdown lets the stack run after the HTTP
// server has closed its connections, so that the last FINs and ACKs are
// exchanged, and recorded.
const shutdownLinger = 200 * time.Millisecond

// start brings a stack up over dev and serves the site over HTTPS on
// it, recording to cfg.Capture. dev is the stack's from then on: closing
// the server closes it.
func start(dev link.Device, cfg config) (*server, error) {
	if cfg.Log == nil {
		cfg.Log = log.New(io.Discard, "", 0)
	}
	s := &server{cfg: cfg, served: make(chan error, 1)}
	if cfg.Capture != nil {
		w, err := pcap.NewNgWriter(cfg.Capture, pcap.NgInterface{LinkType: pcap.LinkTypeEthernet, Name: cfg.CaptureName})
		if err != nil {
			dev.Close()
			return nil, fmt.Errorf("recording: %w", err)
		}
		// One lock for the frames the Tap records and the secrets
		// the handshakes log: see keyLog.
		mu := new(sync.Mutex)
		s.tap = pcap.NewTap(dev, pcap.LockedRecorder(mu, w), cfg.Clock)
		dev = s.tap
		s.keys = &keyLog{mu: mu, w: w, file: cfg.KeyLog}
	} else if cfg.KeyLog != nil {
		s.keys = &keyLog{mu: new(sync.Mutex), file: cfg.KeyLog}
	}

	var err error
	if s.stack, err = stack.New(dev, cfg.Stack); err != nil {
		dev.Close()
		return nil, err
	}
	ln, err := s.stack.Listen("tcp", fmt.Sprintf(":%d", cfg.Port))
	if err != nil {
		s.stack.Close()
		return nil, err
	}

	tc := &tls.Config{
		Certificates: []tls.Certificate{cfg.Cert},
		MinVersion:   tls.VersionTLS13,
		Rand:         cfg.TLSRand,
		VerifyConnection: func(tls.ConnectionState) error {
			s.stats.Handshakes.Add(1)
			return nil
		},
	}
	if cfg.TLS12 {
		tc.MinVersion = tls.VersionTLS12
	}
	if s.keys != nil {
		tc.KeyLogWriter = s.keys
	}
	var protocols http.Protocols
	protocols.SetHTTP1(true)
	protocols.SetHTTP2(cfg.HTTP2)
	s.http = &http.Server{
		Handler:           site(&s.stats, cfg.Log),
		TLSConfig:         tc,
		Protocols:         &protocols,
		ReadHeaderTimeout: 30 * time.Second,
		IdleTimeout:       2 * time.Minute,
		ErrorLog:          cfg.Log,
	}
	go func() { s.served <- s.http.ServeTLS(ln, "", "") }()
	return s, nil
}

// shutdown stops the server gracefully: it stops accepting, lets the
// requests in progress finish (until ctx is done, when it closes what is
// left), closes the stack and completes the capture. It returns the
// errors of the server, the stack and the recording.
func (s *server) shutdown(ctx context.Context) error {
	if err := s.http.Shutdown(ctx); err != nil {
		// Out of time: what is left is closed, as a graceful
		// shutdown with a deadline means.
		s.cfg.Log.Printf("shutdown: %v: closing the connections left", err)
		s.http.Close()
	}
	errServe := <-s.served
	if errors.Is(errServe, http.ErrServerClosed) {
		errServe = nil
	}
	time.Sleep(shutdownLinger)
	// Closing the stack closes the Tap, which flushes the capture; a
	// recording error (Tap.Err) says more than the device's.
	errClose := s.stack.Close()
	if s.tap != nil && s.tap.Err() != nil {
		errClose = fmt.Errorf("recording: %w", s.tap.Err())
	} else if errClose != nil {
		errClose = fmt.Errorf("closing the stack: %w", errClose)
	}
	var errKeys error
	if s.keys != nil {
		if err := s.keys.close(); err != nil {
			errKeys = fmt.Errorf("key log: %w", err)
		}
	}
	return errors.Join(errServe, errClose, errKeys)
}

// report prints the counters of the site, the key log, the capture and
// the stack.
func (s *server) report(logger *log.Logger) {
	logger.Printf("served %d requests (%d errors), %d body bytes, over %d TLS handshakes",
		s.stats.Requests.Load(), s.stats.Errors.Load(), s.stats.BytesOut.Load(), s.stats.Handshakes.Load())
	if s.keys != nil {
		lines, dsbs, errs := s.keys.stats()
		if s.tap != nil {
			logger.Printf("key log: %d lines, %d written as Decryption Secrets Blocks, %d failed writes", lines, dsbs, errs)
		} else {
			logger.Printf("key log: %d lines, %d failed writes", lines, errs)
		}
	}
	if s.tap != nil {
		logger.Printf("capture: %+v", s.tap.Stats())
	}
	st := s.stack.Stats()
	logger.Printf("counters: link %+v", st.Link)
	logger.Printf("counters: IP %+v", st.IP)
	logger.Printf("counters: ICMP %+v", st.ICMP)
	logger.Printf("counters: TCP %+v", s.stack.TCPStats())
}
