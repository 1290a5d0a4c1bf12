package stack

import (
	"context"
	"errors"
	"net/netip"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/medina-net/medina/internal/netns"
	"github.com/medina-net/medina/link/tap"
)

// TestDialUnresolvedLinux: on a TAP whose other side is Linux, in a
// namespace where nobody has 192.0.2.9 (nor the stack's gateway,
// 192.0.2.254), the stack's dials fail as Linux's own connect(2) to
// 192.0.2.9 fails from the namespace, at the same time: EHOSTUNREACH
// ("No route to host") once three ARP requests a second apart go
// unanswered. It needs root, /dev/net/tun and socat.
func TestDialUnresolvedLinux(t *testing.T) {
	netns.Available(t)
	netns.NeedTools(t, "socat")
	tp := netns.NewTAP(t, tap.Config{})
	s, err := New(tp.Dev, Config{Addr: netip.PrefixFrom(netns.StackAddr, 24), Gateway: netip.MustParseAddr("192.0.2.254")})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	before := s.Stats()

	type result struct {
		what string
		err  error
		took time.Duration
	}
	results := make([]result, 3)
	var wg sync.WaitGroup
	for i, addr := range []string{"192.0.2.9:80", "198.51.100.1:80"} {
		wg.Go(func() {
			start := time.Now()
			_, err := s.DialContext(context.Background(), "tcp", addr)
			results[i] = result{"the stack's dial to " + addr, err, time.Since(start)}
		})
	}
	wg.Go(func() {
		start := time.Now()
		out, err := tp.NS.Command("socat", "-u", "/dev/null", "TCP:192.0.2.9:80").CombinedOutput()
		took := time.Since(start)
		if err == nil {
			err = errors.New("connected")
		} else if strings.Contains(string(out), "No route to host") {
			err = syscall.EHOSTUNREACH
		} else {
			err = errors.New(strings.TrimSpace(string(out)))
		}
		results[2] = result{"Linux's connect to 192.0.2.9:80", err, took}
	})
	wg.Wait()
	for _, r := range results {
		t.Logf("%s: %v after %v", r.what, r.err, r.took.Round(10*time.Millisecond))
		if !errors.Is(r.err, syscall.EHOSTUNREACH) {
			t.Errorf("%s: %v, want EHOSTUNREACH", r.what, r.err)
		}
		// Three requests a second apart, and the last one's second.
		if r.took < 2500*time.Millisecond || r.took > 4500*time.Millisecond {
			t.Errorf("%s failed after %v, want about 3s", r.what, r.took)
		}
	}
	if d := results[0].took - results[2].took; d < -time.Second || d > time.Second {
		t.Errorf("the stack gave up %v after Linux", d)
	}
	after := s.Stats()
	// (A SYN retransmitted as a resolution fails may start another.)
	if d := after.ARP.Failures - before.ARP.Failures; d < 2 {
		t.Errorf("%d resolutions failed, want 2", d)
	}
	if after.ARP.Unresolved == before.ARP.Unresolved {
		t.Error("no datagram counted unresolved")
	}
}
