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
// bottleneck although both links carry 1500 bytes, so that datagrams
// too big for the path are refused by R with an ICMP error (IPv4's
// Fragmentation Needed, IPv6's Packet Too Big) instead of being sized
// down by MSS negotiation, which would hide the path MTU from both ends.
type pmtuPath struct {
	tap        *netns.TAP
	router     *netns.Namespace
	host       *netns.Namespace
	stackAddr  netip.Addr
	hostAddr   netip.Addr
	gateway    netip.Addr
	prefix     netip.Prefix // the stack's address and link prefix
	bottleneck int
}

// The path's MTU over each family. IPv6's cannot be 1280, IPv4's: that
// is IPv6's minimum MTU (RFC 8200 5), the floor the stack's table never
// goes below, so a bottleneck of 1280 would not tell a Packet Too Big
// that was taken from one that was clamped. 1400 must be learnt exactly.
const (
	pmtuBottleneck  = 1280
	pmtuBottleneck6 = 1400
)

// Addresses of the link between R and H: TEST-NET-2, and a prefix of
// 2001:db8::/32 beside the TAP's 2001:db8:1::/64.
var (
	pmtuRouterSide  = netip.MustParsePrefix("198.51.100.1/24")
	pmtuHostSide    = netip.MustParsePrefix("198.51.100.2/24")
	pmtuRouterSide6 = netip.MustParsePrefix("2001:db8:2::1/64")
	pmtuHostSide6   = netip.MustParsePrefix("2001:db8:2::2/64")
)

func newPMTUPath(t *testing.T, v6 bool) *pmtuPath {
	t.Helper()
	netns.NeedTools(t, "socat", "ping")
	tp := netns.NewTAP(t, tap.Config{})
	r, h := tp.NS, netns.NewNamespace(t)
	r.IP(t, "link", "add", "r0", "type", "veth", "peer", "name", "h0", "netns", h.Name)
	p := &pmtuPath{
		tap: tp, router: r, host: h,
		stackAddr: netns.StackAddr, hostAddr: pmtuHostSide.Addr(), gateway: netns.KernelAddr,
		prefix: netip.PrefixFrom(netns.StackAddr, 24), bottleneck: pmtuBottleneck,
	}
	routerSide, hostSide, kernelSide, family := pmtuRouterSide, pmtuHostSide, netns.KernelPrefix, "-4"
	if v6 {
		routerSide, hostSide, kernelSide, family = pmtuRouterSide6, pmtuHostSide6, netns.KernelPrefix6, "-6"
		r.EnableIPv6(t, tp.Dev.Name(), netns.KernelPrefix6)
		r.EnableIPv6(t, "r0", netip.Prefix{})
		h.EnableIPv6(t, "h0", netip.Prefix{})
		p.stackAddr, p.hostAddr, p.gateway = netns.StackAddr6, pmtuHostSide6.Addr(), netns.KernelAddr6
		p.prefix, p.bottleneck = netip.PrefixFrom(netns.StackAddr6, netns.KernelPrefix6.Bits()), pmtuBottleneck6
	}
	r.IP(t, family, "addr", "add", routerSide.String(), "dev", "r0", "nodad")
	h.IP(t, family, "addr", "add", hostSide.String(), "dev", "h0", "nodad")
	r.IP(t, "link", "set", "r0", "up")
	h.IP(t, "link", "set", "h0", "up")
	h.IP(t, family, "route", "add", "default", "via", routerSide.Addr().String())
	if v6 {
		r.Run(t, "sh", "-c", "echo 1 > /proc/sys/net/ipv6/conf/all/forwarding")
	} else {
		r.Run(t, "sh", "-c", "echo 1 > /proc/sys/net/ipv4/ip_forward")
	}
	// Both ways through R, datagrams over the bottleneck are refused:
	// a forwarding router honours its route's MTU.
	mtu := []string{"mtu", "lock", strconv.Itoa(p.bottleneck)}
	if v6 {
		// The kernel's IPv6 routes for its addresses' prefixes have metric
		// 256; "replace" must name it, or it adds a route beside them that
		// loses to them.
		mtu = append(mtu, "metric", "256")
	}
	r.IP(t, append([]string{family, "route", "replace", hostSide.Masked().String(), "dev", "r0", "src", routerSide.Addr().String()}, mtu...)...)
	r.IP(t, append([]string{family, "route", "replace", kernelSide.Masked().String(), "dev", tp.Dev.Name(), "src", kernelSide.Addr().String()}, mtu...)...)
	return p
}

// TestLinuxPathMTU sends 8 MiB each way between the stack and a Linux
// host behind a router whose path toward the other side is narrower
// than the links, over IPv4 (1280 bytes) and over IPv6 (1400 bytes):
// the stack's segments of 1500 bytes are refused with Fragmentation
// Needed or Packet Too Big, and the stack must lower its path MTU to
// the router's, re-segment and finish (RFC 1191, RFC 8201); Linux's
// segments toward the stack meet the same router, and its path MTU must
// come down too. Both transfers are checked by SHA-256.
func TestLinuxPathMTU(t *testing.T) {
	netns.Available(t)
	t.Run("ipv4", func(t *testing.T) { testLinuxPathMTU(t, false) })
	t.Run("ipv6", func(t *testing.T) { testLinuxPathMTU(t, true) })
}

func testLinuxPathMTU(t *testing.T, v6 bool) {
	p := newPMTUPath(t, v6)
	cfg := Config{Addr: p.prefix, Gateway: p.gateway}
	if v6 {
		cfg = Config{Addrs: []netip.Prefix{p.prefix}, Gateway6: p.gateway}
	}
	s, err := New(p.tap.Dev, cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	// One small ping through R first: the neighbour caches of the three
	// fresh links fill, so that no SYN waits a second for that.
	if out, err := netns.RunIn(p.host, "ping", "-c", "1", "-W", "5", p.stackAddr.String()); err != nil {
		t.Fatalf("Linux cannot reach the stack through the router: %v\n%s", err, out)
	}
	socatTCP := "TCP" // socat's TCP addresses are IPv4's unless named 6
	if v6 {
		socatTCP = "TCP6"
	}

	const size = 8 << 20
	data := make([]byte, size)
	rng := rand.NewChaCha8([32]byte{1})
	rng.Read(data)
	want := sha256.Sum256(data)

	t.Run("stack to Linux", func(t *testing.T) {
		// The host hashes what it receives and answers with the hash.
		srv := p.host.Command("socat", "-T", "30", socatTCP+"-LISTEN:9000,reuseaddr", "EXEC:sha256sum")
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
		t.Logf("the stack: %d ICMP errors about the path MTU, TCP PMTUDecreases %d, retransmitted %d segments (%d on timeouts)",
			st.ICMP.InDestUnreachs+st.ICMPv6.InPktTooBigs, ts.PMTUDecreases, ts.RetransSegs, ts.Timeouts)
		if v6 && st.ICMPv6.InPktTooBigs == 0 {
			t.Errorf("the path MTU came down without a Packet Too Big: %+v", st.ICMPv6)
		}
		// The router's MTU exactly: neither the floor nor a plateau.
		if got := s.pmtu.lookup(p.hostAddr, tap.DefaultMTU, s.clock.Now()); got != p.bottleneck {
			t.Errorf("the stack's path MTU to %v is %d, want the router's %d", p.hostAddr, got, p.bottleneck)
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
		p.host.Run(t, "socat", "-T", "30", "-u", "OPEN:"+file, socatTCP+":"+netip.AddrPortFrom(p.stackAddr, 9001).String())
		if sum, ok := <-got; !ok || sum != want {
			t.Fatalf("the stack received data hashing to %x, want %x", sum, want)
		}
		route := p.host.IP(t, "route", "get", p.stackAddr.String())
		if !strings.Contains(route, "mtu "+strconv.Itoa(p.bottleneck)) {
			t.Errorf("Linux's route to the stack did not learn the path MTU:\n%s", route)
		}
	})
}
