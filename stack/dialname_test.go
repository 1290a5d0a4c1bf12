package stack

import (
	"context"
	"errors"
	"io"
	"net"
	"net/netip"
	"testing"
	"testing/synctest"
	"time"

	"golang.org/x/net/dns/dnsmessage"
)

// TestDialName: a dial by name over both families, where the IPv6
// address never answers (no host has it: its neighbour never resolves)
// and the IPv4 one does: the IPv4 attempt starts 250 ms after the IPv6
// one (RFC 8305) and wins.
func TestDialName(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		zone := map[string][]netip.Addr{
			"both.test.":   {addrB, addrB6},
			"broken.test.": {addrB, netip.MustParseAddr("2001:db8::99")},
		}
		p, _ := newDNSPair(t, DNSConfig{}, zone)
		ln, err := p.b.Listen("tcp", ":80")
		if err != nil {
			t.Fatal(err)
		}
		go serveTCPEcho(ln)
		ctx := context.Background()

		c, err := p.a.DialContext(ctx, "tcp", "both.test:80")
		if err != nil {
			t.Fatal(err)
		}
		if got := c.RemoteAddr().(*net.TCPAddr).AddrPort().Addr(); got != addrB6 {
			t.Errorf("both.test: connected to %v, want IPv6 first (%v)", got, addrB6)
		}
		c.Close()

		start := time.Now()
		c, err = p.a.DialContext(ctx, "tcp", "broken.test:80")
		if err != nil {
			t.Fatal(err)
		}
		took := time.Since(start)
		if got := c.RemoteAddr().(*net.TCPAddr).AddrPort().Addr(); got != addrB {
			t.Errorf("broken.test: connected to %v, want %v", got, addrB)
		}
		if took < connectionAttemptDelay || took > connectionAttemptDelay+50*time.Millisecond {
			t.Errorf("broken.test: the dial took %v, want about %v", took, connectionAttemptDelay)
		}
		if _, err := c.Write([]byte("hi")); err != nil {
			t.Error(err)
		}
		buf := make([]byte, 2)
		if _, err := io.ReadFull(c, buf); err != nil || string(buf) != "hi" {
			t.Errorf("echo: %q, %v", buf, err)
		}
		c.Close()

		c, err = p.a.DialContext(ctx, "tcp4", "both.test:80")
		if err != nil || c.RemoteAddr().(*net.TCPAddr).AddrPort().Addr() != addrB {
			t.Errorf("tcp4: %v, %v", c, err)
		} else {
			c.Close()
		}
		uc, err := p.a.DialContext(ctx, "udp", "both.test:9")
		if err != nil || uc.RemoteAddr().(*net.UDPAddr).AddrPort().Addr() != addrB6 {
			t.Errorf("udp: %v, %v", uc, err)
		} else {
			uc.Close()
		}

		_, err = p.a.DialContext(ctx, "tcp", "nowhere.test:80")
		var de *net.DNSError
		var oe *net.OpError
		if !errors.As(err, &oe) || !errors.As(err, &de) || !de.IsNotFound {
			t.Errorf("dial to a name that does not exist: %v, want a *net.OpError with a *net.DNSError", err)
		}
		ctx2, cancel := context.WithTimeout(ctx, 100*time.Millisecond)
		defer cancel()
		start = time.Now()
		_, err = p.a.DialContext(ctx2, "tcp", "broken.test:81") // nothing listens on 81: IPv4 refused, IPv6 silent
		if err == nil || time.Since(start) > 100*time.Millisecond {
			t.Errorf("a dial with a 100 ms deadline: %v after %v", err, time.Since(start))
		}
	})
}

// TestDialNameIPv4Only: a stack without IPv6 asks for A records alone
// when it dials a name, and connects over IPv4.
func TestDialNameIPv4Only(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		p := newPairWith(t, Config{Addr: netip.PrefixFrom(addrA, 24), Rand: SeededRand(81),
			DNS: DNSConfig{Servers: []netip.AddrPort{dnsPort}}}, 82, nil)
		f := newFakeDNS(map[string][]netip.Addr{"both.test.": {addrB, addrB6}})
		f.serve(t, p.b, 53)
		ln, err := p.b.Listen("tcp", ":80")
		if err != nil {
			t.Fatal(err)
		}
		go serveTCPEcho(ln)
		c, err := p.a.DialContext(context.Background(), "tcp", "both.test:80")
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		if got := c.RemoteAddr().(*net.TCPAddr).AddrPort().Addr(); got != addrB {
			t.Errorf("connected to %v, want %v", got, addrB)
		}
		if n := f.count("both.test.", dnsmessage.TypeAAAA, "udp"); n != 0 {
			t.Errorf("a stack without IPv6 asked for AAAA records %d times", n)
		}
		if _, err := p.a.DialContext(context.Background(), "tcp6", "both.test:80"); !errors.Is(err, ErrNoRoute) {
			t.Errorf("tcp6 from a stack without IPv6: %v, want ErrNoRoute", err)
		}
	})
}
