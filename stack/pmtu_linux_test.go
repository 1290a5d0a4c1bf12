package stack

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"io"
	"math/rand/v2"
	"net/netip"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/medina-net/medina/internal/netns"
	"github.com/medina-net/medina/link/tap"
)

// pmtuPath is the network of TestLinuxPathMTU: the stack on a TAP whose
// kernel side is a router (namespace R), and a host (namespace H) one
// veth further on. R forwards between them over routes whose MTU is
// pmtuBottleneck although both links carry 1500 bytes, so that datagrams
// too big for the path are refused by R with an ICMP error instead of
// being sized down by MSS negotiation, which would hide the path MTU
// from both ends.
type pmtuPath struct {
	tap       *netns.TAP
	router    *netns.Namespace
	host      *netns.Namespace
	stackAddr netip.Addr
	hostAddr  netip.Addr
	gateway   netip.Addr
	prefix    netip.Prefix // the stack's address and link prefix
}

const pmtuBottleneck = 1280

// Addresses of the link between R and H (TEST-NET-2).
var (
	pmtuRouterSide = netip.MustParsePrefix("198.51.100.1/24")
	pmtuHostSide   = netip.MustParsePrefix("198.51.100.2/24")
)

func newPMTUPath(t *testing.T) *pmtuPath {
	t.Helper()
	netns.NeedTools(t, "socat")
	tp := netns.NewTAP(t, tap.Config{})
	r, h := tp.NS, netns.NewNamespace(t)
	r.IP(t, "link", "add", "r0", "type", "veth", "peer", "name", "h0", "netns", h.Name)
	r.IP(t, "addr", "add", pmtuRouterSide.String(), "dev", "r0")
	h.IP(t, "addr", "add", pmtuHostSide.String(), "dev", "h0")
	r.IP(t, "link", "set", "r0", "up")
	h.IP(t, "link", "set", "h0", "up")
	h.IP(t, "route", "add", "default", "via", pmtuRouterSide.Addr().String())
	r.Run(t, "sh", "-c", "echo 1 > /proc/sys/net/ipv4/ip_forward")
	// Both ways through R, datagrams over the bottleneck are refused:
	// a forwarding router honours its route's MTU.
	mtu := []string{"mtu", "lock", strconv.Itoa(pmtuBottleneck)}
	r.IP(t, append([]string{"route", "replace", pmtuHostSide.Masked().String(), "dev", "r0", "src", pmtuRouterSide.Addr().String()}, mtu...)...)
	r.IP(t, append([]string{"route", "replace", netns.KernelPrefix.Masked().String(), "dev", tp.Dev.Name(), "src", netns.KernelAddr.String()}, mtu...)...)
	return &pmtuPath{
		tap: tp, router: r, host: h,
		stackAddr: netns.StackAddr, hostAddr: pmtuHostSide.Addr(), gateway: netns.KernelAddr,
		prefix: netip.PrefixFrom(netns.StackAddr, 24),
	}
}

// TestLinuxPathMTU sends 8 MiB each way between the stack and a Linux
// host behind a router whose path toward the other side is 1280 bytes:
// the stack's segments of 1500 bytes are refused with Fragmentation
// Needed, and the stack must lower its path MTU, re-segment and finish
// (RFC 1191); Linux's segments toward the stack meet the same router,
// and its path MTU must come down too. Both transfers are checked by
// SHA-256.
func TestLinuxPathMTU(t *testing.T) {
	p := newPMTUPath(t)
	s, err := New(p.tap.Dev, Config{Addr: p.prefix, Gateway: p.gateway})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()

	const size = 8 << 20
	data := make([]byte, size)
	rng := rand.NewChaCha8([32]byte{1})
	rng.Read(data)
	want := sha256.Sum256(data)

	t.Run("stack to Linux", func(t *testing.T) {
		// The host hashes what it receives and answers with the hash.
		srv := p.host.Command("socat", "-T", "30", "TCP-LISTEN:9000,reuseaddr", "EXEC:sha256sum")
		if err := srv.Start(); err != nil {
			t.Fatal(err)
		}
		defer func() { srv.Process.Kill(); srv.Wait() }()
		ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
		defer cancel()
		var c interface {
			io.ReadWriter
			CloseWrite() error
			Close() error
			SetDeadline(time.Time) error
		}
		for {
			conn, err := s.DialTCP(ctx, netip.AddrPort{}, netip.AddrPortFrom(p.hostAddr, 9000))
			if err == nil {
				c = conn
				break
			}
			if ctx.Err() != nil {
				t.Fatalf("dial %v: %v", p.hostAddr, err)
			}
			time.Sleep(50 * time.Millisecond) // socat not listening yet
		}
		defer c.Close()
		c.SetDeadline(time.Now().Add(60 * time.Second))
		if _, err := c.Write(data); err != nil {
			t.Fatalf("write: %v", err)
		}
		if err := c.CloseWrite(); err != nil {
			t.Fatal(err)
		}
		answer, err := io.ReadAll(c)
		if err != nil {
			t.Fatalf("reading the hash: %v", err)
		}
		if got, _, _ := strings.Cut(string(answer), " "); got != hex.EncodeToString(want[:]) {
			t.Fatalf("Linux received data hashing to %q, want %x", answer, want)
		}
		ts, st := s.TCPStats(), s.Stats()
		if ts.PMTUDecreases == 0 || st.IP.PMTUUpdates == 0 {
			t.Errorf("the transfer went through without the path MTU coming down: TCP PMTUDecreases %d, IP PMTUUpdates %d", ts.PMTUDecreases, st.IP.PMTUUpdates)
		}
	})

	t.Run("Linux to stack", func(t *testing.T) {
		file := filepath.Join(t.TempDir(), "data")
		if err := os.WriteFile(file, data, 0o644); err != nil {
			t.Fatal(err)
		}
		ln, err := s.Listen("tcp", ":9001")
		if err != nil {
			t.Fatal(err)
		}
		defer ln.Close()
		got := make(chan [32]byte, 1)
		go func() {
			c, err := ln.Accept()
			if err != nil {
				close(got)
				return
			}
			defer c.Close()
			c.SetDeadline(time.Now().Add(60 * time.Second))
			h := sha256.New()
			io.Copy(h, c)
			got <- [32]byte(h.Sum(nil))
		}()
		p.host.Run(t, "socat", "-T", "30", "-u", "OPEN:"+file, "TCP:"+p.stackAddr.String()+":9001")
		if sum, ok := <-got; !ok || sum != want {
			t.Fatalf("the stack received data hashing to %x, want %x", sum, want)
		}
		route := p.host.IP(t, "route", "get", p.stackAddr.String())
		if !strings.Contains(route, "mtu "+strconv.Itoa(pmtuBottleneck)) {
			t.Errorf("Linux's route to the stack did not learn the path MTU:\n%s", route)
		}
	})
}
