package stack

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/netip"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/medina-net/medina/internal/netns"
	"github.com/medina-net/medina/link/tap"
)

// TestLinuxDNSMasq: the stack resolves through dnsmasq, a real DNS
// server, running in a namespace on the kernel's side of a TAP and
// answering for test.example from a hosts file of its own: A and AAAA
// records, the search list, a name error, an answer too large for UDP
// (100 addresses: dnsmasq truncates it, the stack asks again over TCP),
// the cache, package net's resolver over the stack's, and a TCP dial by
// name to a socat in the namespace. It needs root, /dev/net/tun, dnsmasq
// and socat.
func TestLinuxDNSMasq(t *testing.T) {
	netns.Available(t)
	netns.NeedTools(t, "dnsmasq", "socat")
	tp := netns.NewTAP(t, tap.Config{})
	ns := tp.NS

	dir := t.TempDir()
	var hosts strings.Builder
	fmt.Fprintf(&hosts, "%v peer.test.example\n", netns.KernelAddr)
	hosts.WriteString("192.0.2.80 www.test.example\n2001:db8::80 www.test.example\n2001:db8::81 v6only.test.example\n")
	for i := 1; i <= 100; i++ {
		fmt.Fprintf(&hosts, "198.51.100.%d big.test.example\n", i)
	}
	hostsFile := filepath.Join(dir, "hosts")
	if err := os.WriteFile(hostsFile, []byte(hosts.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	// No upstream (--no-resolv), no /etc/hosts: dnsmasq answers
	// test.example from its own file alone, and names there that it does
	// not hold with a name error (--local).
	cmd := ns.Command("dnsmasq", "--keep-in-foreground", "--conf-file=/dev/null", "--no-resolv", "--no-hosts",
		"--addn-hosts="+hostsFile, "--local=/test.example/", "--listen-address="+netns.KernelAddr.String(),
		"--bind-interfaces", "--port=53", "--user=root", "--pid-file=", "--log-facility=-", "--log-queries", "--local-ttl=60")
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	logged := make(chan string, 1)
	go func() {
		var log strings.Builder
		sc := bufio.NewScanner(stderr)
		for sc.Scan() {
			log.WriteString(sc.Text() + "\n")
		}
		logged <- log.String()
	}()
	t.Cleanup(func() {
		cmd.Process.Kill()
		cmd.Wait()
		if t.Failed() {
			t.Logf("dnsmasq's log:\n%s", <-logged)
		}
	})

	s, err := New(tp.Dev, Config{
		Addr: netip.PrefixFrom(netns.StackAddr, netns.KernelPrefix.Bits()),
		DNS: DNSConfig{
			Servers: []netip.AddrPort{netip.AddrPortFrom(netns.KernelAddr, 53)},
			Search:  []string{"test.example"},
			Timeout: 500 * time.Millisecond,
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()

	// dnsmasq takes a moment to listen.
	var got []netip.Addr
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); {
		if got, err = s.LookupNetIP(ctx, "ip", "www.test.example"); err == nil {
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	if err != nil {
		t.Fatalf("www.test.example: %v", err)
	}
	// The stack has no IPv6 address: IPv4 first.
	if want := "[192.0.2.80 2001:db8::80]"; fmt.Sprint(got) != want {
		t.Errorf("www.test.example: %v, want %s", got, want)
	}
	for _, c := range []struct{ network, host, want string }{
		{"ip4", "www", "[192.0.2.80]"},
		{"ip6", "v6only", "[2001:db8::81]"},
		{"ip4", "peer.test.example.", "[" + netns.KernelAddr.String() + "]"},
	} {
		got, err := s.LookupNetIP(ctx, c.network, c.host)
		if err != nil || fmt.Sprint(got) != c.want {
			t.Errorf("LookupNetIP(%s, %s) = %v, %v; want %s", c.network, c.host, got, err, c.want)
		}
	}
	_, err = s.LookupNetIP(ctx, "ip", "nowhere.test.example")
	var de *net.DNSError
	if !errors.As(err, &de) || !de.IsNotFound {
		t.Errorf("nowhere.test.example: %v, want a *net.DNSError that IsNotFound", err)
	}

	start := time.Now()
	big, err := s.LookupNetIP(ctx, "ip4", "big.test.example")
	t.Logf("big.test.example over UDP then TCP: %v", time.Since(start).Round(time.Microsecond))
	if err != nil || len(big) != 100 {
		t.Errorf("big.test.example: %d addresses, %v; want 100", len(big), err)
	}
	st := s.DNSStats()
	if st.TCPFallbacks != 1 {
		t.Errorf("stats %+v: want the one TCP fallback of big.test.example", st)
	}
	// Cached: no query leaves the stack.
	sent := st.Sent
	start = time.Now()
	if _, err := s.LookupNetIP(ctx, "ip4", "big.test.example"); err != nil {
		t.Error(err)
	}
	t.Logf("big.test.example from the cache: %v", time.Since(start).Round(time.Microsecond))
	if st := s.DNSStats(); st.Sent != sent || st.CacheHits == 0 {
		t.Errorf("a second lookup of big.test.example was sent: %+v", st)
	}

	// Package net's resolver, over the stack's.
	hosts2, err := s.Resolver().LookupHost(ctx, "www")
	if err != nil || fmt.Sprint(hosts2) != "[192.0.2.80 2001:db8::80]" && fmt.Sprint(hosts2) != "[2001:db8::80 192.0.2.80]" {
		t.Errorf("Resolver().LookupHost(www) = %v, %v", hosts2, err)
	}

	// A dial by name to a socat on the kernel's side.
	srv := ns.Command("socat", "-T", "5", "TCP-LISTEN:8080,reuseaddr", "SYSTEM:echo hello")
	if err := srv.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() { srv.Process.Kill(); srv.Wait() }()
	var c net.Conn
	for deadline := time.Now().Add(5 * time.Second); time.Now().Before(deadline); time.Sleep(100 * time.Millisecond) {
		if c, err = s.DialContext(ctx, "tcp", "peer:8080"); err == nil {
			break
		}
	}
	if err != nil {
		t.Fatalf("dial peer:8080: %v", err)
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(5 * time.Second))
	line, err := io.ReadAll(c)
	if err != nil || string(line) != "hello\n" {
		t.Errorf("from peer:8080: %q, %v", line, err)
	}
}
