package ndp

import (
	"math/rand/v2"
	"net/netip"
	"testing"
	"time"

	"github.com/medina-net/medina/icmpv6"
)

// FuzzInput feeds arbitrary messages, from a link-local or unspecified
// source, to an NDP that is running DAD, with time moving between them:
// no panic, every list within its bound, every message sent valid.
func FuzzInput(f *testing.F) {
	ll := netip.MustParseAddr("fe80::1")
	target := netip.MustParseAddr("fe80::5054:ff:fe12:3456")
	f.Add(uint8(0), uint16(100), ra{hopLimit: 64, lifetime: 1800, reachable: 30000, retrans: 1000, mtu: 1400,
		prefixes: []icmpv6.PrefixInfo{pio(prefix1, 600, 300)},
		routes:   []routeOpt{{netip.MustParsePrefix("2001:db8:9::/48"), 1, 100}},
		rdnss:    &rdnssOpt{lifetime: 100, addrs: []netip.Addr{netip.MustParseAddr("2001:db8::53")}},
		dnssl:    &dnsslOpt{lifetime: 100, names: []string{"example.com"}},
	}.build(ll))
	f.Add(uint8(1), uint16(10), buildNS(target, netip.IPv6Unspecified(), []byte{1, 2, 3, 4, 5, 6}))
	f.Add(uint8(0), uint16(10), buildNA(target, ll))
	f.Add(uint8(0), uint16(10), buildQuery(ll, netip.IPv6Unspecified(), 1000, false))
	f.Add(uint8(0), uint16(10), buildQuery(ll, netip.IPv6Unspecified(), 1000, true))
	f.Add(uint8(2), uint16(0), []byte{134, 0, 0, 0})
	f.Fuzz(func(t *testing.T, which uint8, ms uint16, msg []byte) {
		cfg := Config{MAC: testMAC, EUI64: which&4 != 0, Rand: rand.NewPCG(1, 2),
			MaxRouters: 2, MaxPrefixes: 2, MaxRoutes: 2, MaxAddrs: 3, MaxRDNSS: 2, MaxDNSSL: 2, MaxGroups: 4}
		cfg.Send = func(p Packet) {
			if err := icmpv6.Message(p.Msg).Validate(a16(p.Src), a16(p.Dst)); err != nil {
				t.Fatalf("sent an invalid %v: %v", p.Kind, err)
			}
		}
		n := New(cfg)
		now := t0
		n.Start(now)
		src := ll
		dst := allNodes
		switch which & 3 {
		case 1:
			src, dst = netip.IPv6Unspecified(), solicitedNode(target)
		case 2:
			dst = solicitedNode(target)
		}
		// The checksum is made right half of the time, so that the
		// fuzzer gets past it.
		if which&8 != 0 && len(msg) >= 4 {
			msg = append([]byte(nil), msg...)
			icmpv6.Message(msg).FillChecksum(a16(src), a16(dst))
		}
		for range 3 {
			now = now.Add(time.Duration(ms) * time.Millisecond)
			n.Tick(now)
			n.Input(now, src, dst, msg)
		}
		for range 20 {
			next := n.Tick(now)
			if next.IsZero() {
				break
			}
			if next.Before(now) {
				t.Fatalf("next deadline %v before now %v", next, now)
			}
			now = next
		}
		if len(n.Routers()) > 2 || len(n.Prefixes()) > 2 || len(n.Routes()) > 2 || len(n.Addresses()) > 3 ||
			len(n.DNSServers()) > 2 || len(n.SearchList()) > 2 || len(n.Groups()) > 4 {
			t.Fatalf("a list past its bound: %d %d %d %d %d %d %d", len(n.Routers()), len(n.Prefixes()), len(n.Routes()),
				len(n.Addresses()), len(n.DNSServers()), len(n.SearchList()), len(n.Groups()))
		}
		if m := n.MTU(); m < MinMTU || m > DefaultLinkMTU {
			t.Fatalf("MTU %d", m)
		}
	})
}
