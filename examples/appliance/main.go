// Command appliance is a Go program whose whole network is a medina
// stack, the way an appliance or a unikernel owns its network: it opens
// a TAP, gets its IPv4 address, gateway and DNS servers by DHCP, resolves
// a name through the stack's resolver, serves HTTPS, and serves on a
// second port what a person operating it needs to watch it: Prometheus
// metrics, an ss-style connection table, expvar JSON and a live pcapng
// capture of its traffic (package monitor).
//
//	appliance -tap medina0 -name appliance.test -resolve db.appliance.test -write-cert appliance.pem
//
// It serves https://ADDR/ (a page saying where it is and what it
// resolved) and http://ADDR:8080/ (monitor's index: /metrics, /conns,
// /vars, /pcap?filter=...&count=N). It stops on SIGINT or SIGTERM, giving
// its lease back (DHCPRELEASE). The README's "The stack as a program's
// whole network" runs it against dnsmasq in a network namespace.
package main

import (
	"context"
	"crypto/tls"
	"errors"
	"flag"
	"fmt"
	"html"
	"log"
	"net"
	"net/http"
	"net/netip"
	"os"
	"os/signal"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/medina-net/medina/dhcp"
	"github.com/medina-net/medina/internal/democert"
	"github.com/medina-net/medina/link/tap"
	"github.com/medina-net/medina/monitor"
	"github.com/medina-net/medina/stack"
)

// options are the command's flags.
type options struct {
	tap       string
	name      string
	resolve   string
	writeCert string
	https     int
	debug     int
	leaseWait time.Duration
	offload   bool
}

func main() {
	var o options
	flag.StringVar(&o.tap, "tap", "medina0", "the TAP interface to create (or attach to)")
	flag.StringVar(&o.name, "name", "appliance.test", "the DNS name of the HTTPS certificate, and the DHCP host name's first label")
	flag.StringVar(&o.resolve, "resolve", "", "a name to resolve through the stack once the lease is in (its answer shows on the page)")
	flag.StringVar(&o.writeCert, "write-cert", "", "write the self-signed certificate (PEM) here, for a client to trust")
	flag.IntVar(&o.https, "https-port", 443, "the HTTPS port")
	flag.IntVar(&o.debug, "debug-port", 8080, "the port of the metrics, connection table and live capture (plain HTTP)")
	flag.DurationVar(&o.leaseWait, "lease-wait", time.Minute, "how long to wait for a DHCP lease before giving up")
	flag.BoolVar(&o.offload, "offload", true, "open the TAP with virtio-net offloads (TSO, checksums)")
	flag.Parse()
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, o, log.New(os.Stderr, "appliance: ", 0)); err != nil {
		log.Fatal(err)
	}
}

// run brings the stack up, waits for its lease, serves until ctx is done
// and gives the lease back.
func run(ctx context.Context, o options, logger *log.Logger) error {
	// The certificate names the host, not the address: the address is
	// the DHCP server's to give.
	cert, certPEM, err := democert.Certificate("", "", "medina appliance", o.name, netip.Addr{})
	if err != nil {
		return err
	}
	if o.writeCert != "" {
		if err := os.WriteFile(o.writeCert, certPEM, 0o644); err != nil {
			return err
		}
	}
	dev, err := tap.Open(tap.Config{Name: o.tap, Offload: o.offload})
	if err != nil {
		return err
	}
	leases := make(chan dhcp.Event, 8)
	host, _, _ := strings.Cut(o.name, ".")
	s, err := stack.New(dev, stack.Config{DHCP: &dhcp.Config{
		Hostname: host,
		Event: func(e dhcp.Event) {
			select {
			case leases <- e:
			default: // the log below is behind; the stack must not wait
			}
		},
	}})
	if err != nil {
		dev.Close()
		return err
	}
	defer s.Close()
	logger.Printf("stack up on %s (%v), asking for a lease", dev.Name(), s.HardwareAddr())

	lease, err := waitLease(ctx, leases, o.leaseWait)
	if err != nil {
		return err
	}
	logger.Printf("leased %v from %v for %v: gateway %v, DNS %v, search %v",
		lease.Addr, lease.Server, lease.Duration, lease.Routers, lease.DNS, lease.SearchList)
	go logLeases(ctx, leases, logger)

	a := &app{s: s, started: time.Now()}
	if o.resolve != "" {
		a.resolve(ctx, o.resolve, logger)
	}

	web, err := s.Listen("tcp", fmt.Sprintf(":%d", o.https))
	if err != nil {
		return err
	}
	debug, err := s.Listen("tcp", fmt.Sprintf(":%d", o.debug))
	if err != nil {
		web.Close()
		return err
	}
	webSrv := &http.Server{Handler: a, TLSConfig: &tls.Config{Certificates: []tls.Certificate{cert}},
		ReadHeaderTimeout: 10 * time.Second, ErrorLog: logger}
	debugSrv := &http.Server{Handler: monitor.New(s, monitor.Options{Namespace: "medina"}),
		ReadHeaderTimeout: 10 * time.Second, ErrorLog: logger}
	var wg sync.WaitGroup
	wg.Go(func() { serve(logger, "https", webSrv.ServeTLS(web, "", "")) })
	wg.Go(func() { serve(logger, "debug", debugSrv.Serve(debug)) })
	addr := lease.Addr.Addr()
	logger.Printf("serving https://%v:%d/ (certificate for %s) and http://%v:%d/ (metrics, connections, capture)",
		addr, o.https, o.name, addr, o.debug)

	<-ctx.Done()
	logger.Printf("shutting down")
	sctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	webSrv.Shutdown(sctx)
	// A live capture streams until its client goes: close, not wait.
	debugSrv.Close()
	wg.Wait()
	s.ReleaseDHCP()
	logger.Printf("lease given back; %d requests served", a.requests())
	return nil
}

// waitLease waits for the first lease, for at most wait.
func waitLease(ctx context.Context, leases <-chan dhcp.Event, wait time.Duration) (dhcp.Lease, error) {
	timer := time.NewTimer(wait)
	defer timer.Stop()
	for {
		select {
		case e := <-leases:
			if e.Kind == dhcp.EventBound {
				return e.Lease, nil
			}
		case <-timer.C:
			return dhcp.Lease{}, fmt.Errorf("no DHCP lease in %v: is a DHCP server on the link?", wait)
		case <-ctx.Done():
			return dhcp.Lease{}, ctx.Err()
		}
	}
}

// logLeases logs the lease's later changes: renewals, expiry.
func logLeases(ctx context.Context, leases <-chan dhcp.Event, logger *log.Logger) {
	for {
		select {
		case e := <-leases:
			logger.Printf("lease %v: %v until %v", e.Kind, e.Lease.Addr, e.Lease.Expiry.Format(time.TimeOnly))
		case <-ctx.Done():
			return
		}
	}
}

// serve logs why a server stopped, unless it was told to.
func serve(logger *log.Logger, name string, err error) {
	if err != nil && !errors.Is(err, http.ErrServerClosed) && !errors.Is(err, net.ErrClosed) {
		logger.Printf("%s server: %v", name, err)
	}
}

// app is the HTTPS site: one page that says where the appliance is.
type app struct {
	s       *stack.Stack
	started time.Time

	mu      sync.Mutex
	name    string       // the name resolved at start
	answer  []netip.Addr // its addresses
	lookErr error
	served  int
}

// resolve looks name up through the stack's resolver (the lease's DNS
// servers and search list) and keeps the answer for the page.
func (a *app) resolve(ctx context.Context, name string, logger *log.Logger) {
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	start := time.Now()
	addrs, err := a.s.LookupNetIP(ctx, "ip", name)
	took := time.Since(start)
	if err != nil {
		logger.Printf("resolving %s: %v", name, err)
	} else {
		logger.Printf("%s is %v (%v)", name, addrs, took.Round(time.Microsecond))
	}
	a.mu.Lock()
	a.name, a.answer, a.lookErr = name, addrs, err
	a.mu.Unlock()
}

func (a *app) requests() int {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.served
}

// ServeHTTP serves the page.
func (a *app) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.URL.Path != "/" {
		http.NotFound(w, r)
		return
	}
	a.mu.Lock()
	a.served++
	name, answer, lookErr := a.name, a.answer, a.lookErr
	a.mu.Unlock()
	lease, _ := a.s.DHCPLease()
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	fmt.Fprintf(w, "<!doctype html>\n<title>medina appliance</title>\n<h1>medina appliance</h1>\n")
	fmt.Fprintf(w, "<p>Address %s, leased from %s, gateway %s, up %v.</p>\n",
		html.EscapeString(lease.Addr.String()), html.EscapeString(lease.Server.String()),
		html.EscapeString(fmt.Sprint(lease.Routers)), time.Since(a.started).Round(time.Second))
	switch {
	case name == "":
	case lookErr != nil:
		fmt.Fprintf(w, "<p>%s did not resolve: %s</p>\n", html.EscapeString(name), html.EscapeString(lookErr.Error()))
	default:
		fmt.Fprintf(w, "<p>%s resolved to %s.</p>\n", html.EscapeString(name), html.EscapeString(fmt.Sprint(answer)))
	}
	fmt.Fprintf(w, "<p>You are %s.</p>\n", html.EscapeString(r.RemoteAddr))
}
