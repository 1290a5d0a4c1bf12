package stack

import (
	"bytes"
	"context"
	"io"
	"net/netip"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/medina-net/medina/icmpv6"
	"github.com/medina-net/medina/ipv6"
	"github.com/medina-net/medina/ndp"
)

// The IPv6 golden session: TestGoldenReplay's over IPv6, between two
// stacks that have IPv6 addresses only, so that every frame of it is
// IPv6's. The stack under test has a static global address and
// autoconfigures the rest (Config.Autoconf): its link-local address, then
// a SLAAC address from the peer's Router Advertisement, each after
// Duplicate Address Detection, with MLD reports and a Router
// Solicitation; the peer's addresses are static.
var (
	golden6Capture = filepath.Join("..", "testdata", "pcaps", "stack-session6.pcapng")
	golden6A       = netip.MustParseAddr("2001:db8:7::1")
	golden6B       = netip.MustParseAddr("2001:db8:7::2")
	golden6LLB     = netip.MustParseAddr("fe80::2")
	golden6SLAAC   = netip.MustParsePrefix("2001:db8:8::/64") // the peer advertises it
	golden6Secret  = []byte("medina golden session")          // RFC 7217's secret key
	golden6Iface   = []byte("medina0")                        // and Net_Iface
)

// golden6Config is the stack under test's configuration. Its NDP draws
// from a random stream of its own: drawn from the stack's, the order of
// its draws and the stack's would be the scheduler's.
func golden6Config() Config {
	return Config{
		Addrs: []netip.Prefix{netip.PrefixFrom(golden6A, 64)},
		Rand:  SeededRand(goldenSeed),
		Autoconf: &ndp.Config{
			Rand:      SeededRand(goldenSeed + 2),
			SecretKey: golden6Secret,
			NetIface:  golden6Iface,
		},
	}
}

// golden6Stable is the address the stack under test forms in prefix
// (RFC 7217, at the first DAD counter): what the peer pings.
func golden6Stable(t *testing.T, prefix netip.Prefix) netip.Addr {
	iid, ok := ndp.StableIID(prefix, golden6Iface, nil, 0, golden6Secret)
	if !ok {
		t.Fatalf("no stable identifier in %v", prefix)
	}
	a := prefix.Masked().Addr().As16()
	copy(a[8:], iid[:])
	return netip.AddrFrom16(a)
}

var session6 = goldenSession{
	capture: golden6Capture,
	config:  golden6Config,
	peer: Config{
		Addrs: []netip.Prefix{netip.PrefixFrom(golden6B, 64), netip.PrefixFrom(golden6LLB, 64), netip.PrefixFrom(golden6SLAAC.Addr().Next(), 64)},
		Rand:  SeededRand(goldenSeed + 1),
	},
	serve:   golden6Serve,
	script:  golden6Script,
	latency: time.Millisecond,
}

// golden6Serve is what the stack under test runs: a UDP and a TCP echo
// server on port 7. Everything else it sends by itself (neighbour
// advertisements and solicitations, echo replies, a port unreachable).
func golden6Serve(t *testing.T, s *Stack) {
	pc, err := s.ListenPacket("udp6", ":7")
	if err != nil {
		t.Fatal(err)
	}
	go echo(pc)
	ln, err := s.Listen("tcp6", ":7")
	if err != nil {
		t.Fatal(err)
	}
	go serveTCPEcho(ln)
}

// golden6Step separates the steps of the session. Not a whole second:
// Neighbor Unreachability Detection's timers run in whole seconds from a
// step (DELAY_FIRST_PROBE_TIME is 5 s, RetransTimer 1 s), and a frame
// that met a timer at the same instant of the virtual clock would come
// before or after the timer's probe as the scheduler pleased.
const golden6Step = 1300 * time.Millisecond

// golden6Script is the peer's side: it waits for the stack's link-local
// address, advertises golden6SLAAC as a router and waits for the SLAAC
// address; then pings of the static address (the first one resolves
// it), one of them fragmented, of the link-local and of the SLAAC one; UDP datagrams echoed one at a time, one fragmented each
// way; a TCP connection that echoes a short message and a long one,
// closed by the peer; a datagram to a closed port, golden6Step apart.
func golden6Script(t *testing.T, b *Stack) {
	ctx := context.Background()
	time.Sleep(3 * golden6Step)
	golden6SendRA(t, b)
	time.Sleep(3 * golden6Step)
	ll, slaac := golden6Stable(t, netip.MustParsePrefix("fe80::/64")), golden6Stable(t, golden6SLAAC)
	for _, ping := range []struct {
		dst  netip.Addr
		size int
	}{{golden6A, 56}, {golden6A, 3000}, {ll.WithZone("1"), 56}, {slaac, 56}} {
		if _, err := b.Ping(ctx, ping.dst, ping.size); err != nil {
			t.Fatalf("ping %v, %d bytes: %v", ping.dst, ping.size, err)
		}
		time.Sleep(golden6Step)
	}

	c, err := b.Dial("udp6", "[2001:db8:7::1]:7")
	if err != nil {
		t.Fatal(err)
	}
	buf := make([]byte, 4000)
	for _, msg := range [][]byte{[]byte("hello, medina, over IPv6"), bytes.Repeat([]byte("fragment me "), 250)} {
		if _, err := c.Write(msg); err != nil {
			t.Fatal(err)
		}
		n, err := c.Read(buf)
		if err != nil || !bytes.Equal(buf[:n], msg) {
			t.Fatalf("UDP echo of %d bytes: %d bytes, %v", len(msg), n, err)
		}
		time.Sleep(golden6Step)
	}

	tc, err := b.Dial("tcp6", "[2001:db8:7::1]:7")
	if err != nil {
		t.Fatal(err)
	}
	// Each message fits in a segment: of a burst of segments, how many
	// the server has read when the stack acknowledges one, which sets
	// the window it offers, is up to the scheduler.
	for _, msg := range [][]byte{[]byte("hello, medina, over TCP"), bytes.Repeat([]byte("a segment "), 140)} {
		if _, err := tc.Write(msg); err != nil {
			t.Fatal(err)
		}
		got := make([]byte, len(msg))
		if _, err := io.ReadFull(tc, got); err != nil || !bytes.Equal(got, msg) {
			t.Fatalf("TCP echo of %d bytes: %v", len(msg), err)
		}
		time.Sleep(golden6Step)
	}
	tc.Close()
	time.Sleep(golden6Step)

	closed, err := b.Dial("udp6", "[2001:db8:7::1]:9")
	if err != nil {
		t.Fatal(err)
	}
	closed.Write([]byte("discard?"))
	time.Sleep(golden6Step)
}

// golden6SendRA has b advertise golden6SLAAC, on-link and autonomous,
// as a router at fe80::2 would, with no MTU and no hop limit, which
// would change the rest of the session.
func golden6SendRA(t *testing.T, b *Stack) {
	opts := icmpv6.AppendPrefixInfo(nil, icmpv6.PrefixInfo{PrefixLen: uint8(golden6SLAAC.Bits()),
		Flags: icmpv6.PrefixOnLink | icmpv6.PrefixAutonomous, ValidLifetime: 86400, PreferredLifetime: 14400,
		Prefix: ipv6.Addr(golden6SLAAC.Addr().As16())})
	ra := icmpv6.RouterAdvert{RouterLifetime: 1800, Options: opts}
	m, err := ra.Encode(make([]byte, 256), ipv6.Addr(golden6LLB.As16()), ipv6.AllNodes)
	if err != nil {
		t.Fatal(err)
	}
	if err := b.SendICMPv6(golden6LLB, ipv6.AllNodes.Netip(), 255, false, m); err != nil {
		t.Fatal(err)
	}
}

// TestGoldenReplay6 is TestGoldenReplay over IPv6: the inbound frames of
// testdata/pcaps/stack-session6.pcapng, replayed into a fresh stack with
// the same seed on the same virtual clock, must draw from it exactly the
// outbound frames recorded. -update records the session first.
func TestGoldenReplay6(t *testing.T) {
	if *update {
		if err := os.WriteFile(golden6Capture, recordGolden(t, session6), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if err := replayGolden(t, session6, golden6Config()); err != nil {
		t.Fatalf("the stack's output differs from the recorded IPv6 session: %v\n(if the change is intended, run go test ./stack -run TestGoldenReplay6 -update, then go test ./cmd/netdump -update)", err)
	}
}

// TestGoldenReplay6DetectsChange checks that the IPv6 replay catches a
// stack whose output differs by one byte (the hop limit).
func TestGoldenReplay6DetectsChange(t *testing.T) {
	cfg := golden6Config()
	cfg.HopLimit = 63
	err := replayGolden(t, session6, cfg)
	if err == nil {
		t.Fatal("a stack sending hop limit 63 instead of 64 replayed without a difference")
	}
	t.Logf("as expected: %v", err)
}
