// Command httpsd is a unikernel-style HTTPS server: it brings medina's
// stack up on a Linux TAP interface and serves a small site over
// crypto/tls and net/http on it. Linux (or anything on the TAP's other
// side) reaches it at the stack's own address, which the kernel does not
// own.
//
//	sudo httpsd -tap medina0 -addr 10.77.0.2/24 -pcap https.pcapng
//
// The site is "/" (a page), "/bytes?n=N" (N deterministic bytes) and
// "/echo" (a POST's body sent back). Without -cert and -key the server
// makes a self-signed certificate at start, for its address and -name;
// -write-cert saves it for curl --cacert.
//
// With -pcap, every frame the stack reads or writes is recorded, with its
// direction, and every TLS secret crypto/tls logs is written into the
// same pcapng file as a Decryption Secrets Block (an NSS key log, type
// 0x544c534b) before the records it decrypts, so that one file is enough
// to decrypt the HTTP exchange: tshark -r FILE -Y http shows it, and so is
// netdump's TLS view meant to. Anyone who can read that file can read the
// traffic in it: it is created readable by its owner only.
// -insecure-keylog writes the same lines to a key log file of the usual
// kind (SSLKEYLOGFILE).
//
// TLS 1.3 only, unless -tls12: with TLS 1.3, crypto/tls logs every secret
// of a connection before it sends its first flight, so each DSB precedes
// every encrypted record. With TLS 1.2 the server learns the master secret
// from the client's key exchange, which arrives with the client's
// ChangeCipherSpec and encrypted Finished: those are recorded before the
// DSB, and tshark (4.0) then decrypts only the server's side.
//
// It stops on SIGINT or SIGTERM: it stops accepting, lets the requests in
// progress finish (for up to -grace), completes the capture and prints its
// counters.
package main

import (
	"context"
	"crypto/sha256"
	"flag"
	"fmt"
	"log"
	"net/netip"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/medina-net/medina/link/tap"
)

// options are httpsd's flags.
type options struct {
	tap, addr, gateway string
	port               int
	certFile, keyFile  string
	name               string
	writeCert          string
	pcap               string
	keyLog             string
	tls12, http2       bool
	grace              time.Duration
}

func main() {
	log.SetFlags(0)
	log.SetPrefix("httpsd: ")
	var o options
	flag.StringVar(&o.tap, "tap", "medina0", "name of the TAP interface to create")
	flag.StringVar(&o.addr, "addr", "10.77.0.2/24", "the stack's address and prefix")
	flag.StringVar(&o.gateway, "gateway", "", "default gateway (optional)")
	flag.IntVar(&o.port, "port", 443, "TCP port to serve HTTPS on")
	flag.StringVar(&o.certFile, "cert", "", "certificate chain (PEM); default: a self-signed certificate made at start")
	flag.StringVar(&o.keyFile, "key", "", "the certificate's private key (PEM)")
	flag.StringVar(&o.name, "name", "httpsd.test", "DNS name of the self-signed certificate (it also holds -addr's address)")
	flag.StringVar(&o.writeCert, "write-cert", "", "write the certificate (PEM) to this file, for curl --cacert")
	flag.StringVar(&o.pcap, "pcap", "", "record the stack's frames and the TLS keys to this pcapng file")
	flag.StringVar(&o.keyLog, "insecure-keylog", "", "append the TLS secrets to this NSS key log file (SSLKEYLOGFILE format)")
	flag.BoolVar(&o.tls12, "tls12", false, "accept TLS 1.2 as well as 1.3")
	flag.BoolVar(&o.http2, "http2", false, "offer HTTP/2 as well as HTTP/1.1")
	flag.DurationVar(&o.grace, "grace", 10*time.Second, "how long shutdown waits for requests in progress")
	flag.Parse()
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, o, log.Default()); err != nil {
		log.Fatal(err)
	}
}

// run opens the TAP and the files the options name, serves until ctx is
// done, then shuts down and prints the counters.
func run(ctx context.Context, o options, logger *log.Logger) error {
	cfg := config{Port: o.port, TLS12: o.tls12, HTTP2: o.http2, Log: logger}
	var err error
	if cfg.Stack.Addr, err = netip.ParsePrefix(o.addr); err != nil {
		return fmt.Errorf("-addr: %w", err)
	}
	if o.gateway != "" {
		if cfg.Stack.Gateway, err = netip.ParseAddr(o.gateway); err != nil {
			return fmt.Errorf("-gateway: %w", err)
		}
	}
	var certPEM []byte
	if cfg.Cert, certPEM, err = certificate(o.certFile, o.keyFile, o.name, cfg.Stack.Addr.Addr()); err != nil {
		return err
	}
	if o.writeCert != "" {
		if err := os.WriteFile(o.writeCert, certPEM, 0o644); err != nil {
			return err
		}
	}
	if o.keyLog != "" {
		f, err := os.OpenFile(o.keyLog, os.O_WRONLY|os.O_CREATE|os.O_APPEND, 0o600)
		if err != nil {
			return err
		}
		defer f.Close()
		cfg.KeyLog = f
	}

	dev, err := tap.Open(tap.Config{Name: o.tap})
	if err != nil {
		return err
	}
	cfg.CaptureName = dev.Name()
	if o.pcap != "" {
		f, err := os.OpenFile(o.pcap, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o600)
		if err != nil {
			dev.Close()
			return err
		}
		defer f.Close()
		cfg.Capture = f
	}
	s, err := start(dev, cfg)
	if err != nil {
		return err
	}
	leaf := cfg.Cert.Leaf
	logger.Printf("stack up on %s: %v at %v (the kernel's side is %v); serving https://%v:%d/",
		dev.Name(), cfg.Stack.Addr, s.stack.HardwareAddr(), dev.KernelAddr(), cfg.Stack.Addr.Addr(), o.port)
	logger.Printf("certificate %q for %v %v, SHA-256 %x", leaf.Subject.CommonName, leaf.DNSNames, leaf.IPAddresses, sha256.Sum256(leaf.Raw))
	if o.pcap != "" {
		logger.Printf("recording frames and TLS keys to %s", o.pcap)
	}

	<-ctx.Done()
	logger.Printf("shutting down")
	sctx, cancel := context.WithTimeout(context.Background(), o.grace)
	defer cancel()
	err = s.shutdown(sctx)
	s.report(logger)
	return err
}
