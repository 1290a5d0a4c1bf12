package stack

import (
	"context"
	"errors"
	"net/netip"
	"slices"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/medina-net/medina/icmpv6"
	"github.com/medina-net/medina/ipv6"
	"github.com/medina-net/medina/link/pipe"
	"github.com/medina-net/medina/ndp"
)

// sendRA has s send the Router Advertisement of a router at fe80::1:
// prefix, on-link and autonomous, a DNS server, an MTU of 1400 and a
// hop limit of 77.
func sendRA(t *testing.T, s *Stack, prefix netip.Prefix, dns netip.Addr) {
	opts := icmpv6.AppendPrefixInfo(nil, icmpv6.PrefixInfo{PrefixLen: uint8(prefix.Bits()),
		Flags: icmpv6.PrefixOnLink | icmpv6.PrefixAutonomous, ValidLifetime: 86400, PreferredLifetime: 14400,
		Prefix: ipv6.Addr(prefix.Addr().As16())})
	opts = icmpv6.AppendRDNSS(opts, 600, []ipv6.Addr{ipv6.Addr(dns.As16())})
	opts = icmpv6.AppendMTU(opts, 1400)
	ll := netip.MustParseAddr("fe80::1")
	ra := icmpv6.RouterAdvert{CurHopLimit: 77, RouterLifetime: 1800, Options: opts}
	m, err := ra.Encode(make([]byte, 256), ipv6.Addr(ll.As16()), ipv6.AllNodes)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.SendICMPv6(ll, ipv6.AllNodes.Netip(), 255, false, m); err != nil {
		t.Fatal(err)
	}
}

// Two stacks on a link: a forms nothing (static addresses) and acts as
// the router, advertising a prefix; b, with Autoconf, forms its link-local
// address, solicits, and forms a global address by SLAAC from a's
// advertisement, each through DAD; then they ping each other on both.
func TestAutoconfSLAAC(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		prefix := netip.MustParsePrefix("2001:db8:1::/64")
		routerLL, routerGlobal := netip.MustParseAddr("fe80::1"), netip.MustParseAddr("2001:db8:1::1")
		dns := netip.MustParseAddr("2001:db8:1::53")
		var mu sync.Mutex
		var events []ndp.EventKind
		ca := Config{Rand: SeededRand(31),
			Addrs: []netip.Prefix{netip.PrefixFrom(routerLL, 64), netip.PrefixFrom(routerGlobal, 64)}}
		cb := Config{Rand: SeededRand(32), Autoconf: &ndp.Config{Event: func(e ndp.Event) {
			mu.Lock()
			events = append(events, e.Kind)
			mu.Unlock()
		}}}
		p := newDualPairWith(t, ca, cb, nil)
		ac := p.b.Autoconf()
		if got := p.b.Addrs(); len(got) != 0 {
			t.Errorf("addresses in use before DAD: %v", got)
		}
		// a, the router, advertises once b has its link-local address
		// (b's solicitations go to all-routers, which a stack does not
		// listen to).
		time.Sleep(3 * time.Second)
		synctest.Wait()
		sendRA(t, p.a, prefix, dns)
		time.Sleep(5 * time.Second)
		synctest.Wait()

		ll, ok := ac.LinkLocal()
		if !ok {
			t.Fatalf("no link-local address: %v", ac.Addresses())
		}
		var global netip.Addr
		for _, a := range ac.Addresses() {
			if a.Origin == ndp.OriginSLAAC && a.State == ndp.StatePreferred {
				global = a.Prefix.Addr()
			}
		}
		if !prefix.Contains(global) {
			t.Fatalf("no SLAAC address: %v", ac.Addresses())
		}
		want := []netip.Prefix{netip.PrefixFrom(ll, 64), netip.PrefixFrom(global, 64)}
		if got := p.b.Addrs(); !slices.Equal(got, want) {
			t.Errorf("stack addresses %v, want %v", got, want)
		}
		if rt, ok := ac.DefaultRouter(); !ok || rt.Addr != routerLL {
			t.Errorf("default router %v", rt)
		}
		if d := ac.DNSServers(); len(d) != 1 || d[0].Addr != dns {
			t.Errorf("DNS servers %v", d)
		}
		if m, h := p.b.linkMTU6(), p.b.hopLimit6(); m != 1400 || h != 77 {
			t.Errorf("link MTU %d and hop limit %d, want the RA's 1400 and 77", m, h)
		}
		mu.Lock()
		if !slices.Contains(events, ndp.EventRouterAdded) || !slices.Contains(events, ndp.EventAddrPreferred) {
			t.Errorf("events %v", events)
		}
		mu.Unlock()

		for _, c := range []struct {
			from *Stack
			to   netip.Addr
		}{{p.b, routerGlobal}, {p.b, routerLL.WithZone("1")}, {p.a, global}, {p.a, ll.WithZone("1")}} {
			ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			_, err := c.from.Ping(ctx, c.to, 56)
			cancel()
			if err != nil {
				t.Errorf("ping %v: %v", c.to, err)
			}
		}
	})
}

// Two stacks made to form the same link-local address (one key, one
// Net_Iface, by mistake): DAD through the stacks' Neighbor Discovery
// finds it, and one of them forms another with the next DAD counter.
func TestAutoconfDuplicate(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		same := func(seed uint64) Config {
			return Config{Rand: SeededRand(seed), Autoconf: &ndp.Config{SecretKey: []byte("shared by mistake"), NetIface: []byte("eth0")}}
		}
		p := newDualPairWith(t, same(41), same(42), nil)
		time.Sleep(10 * time.Second)
		synctest.Wait()
		la, oka := p.a.Autoconf().LinkLocal()
		lb, okb := p.b.Autoconf().LinkLocal()
		if !oka || !okb || la == lb {
			t.Fatalf("link-local addresses %v %v, %v %v", la, oka, lb, okb)
		}
		dups := p.a.Autoconf().Stats().DADDuplicates + p.b.Autoconf().Stats().DADDuplicates
		if dups != 1 {
			t.Errorf("%d duplicates", dups)
		}
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		if _, err := p.a.Ping(ctx, lb.WithZone("1"), 56); err != nil {
			t.Errorf("ping %v: %v", lb, err)
		}
	})
}

// handlerFunc is an NDPHandler that does nothing.
type handlerFunc func(src, dst netip.Addr, hopLimit uint8, msg []byte)

func (f handlerFunc) HandleNDP(src, dst netip.Addr, hopLimit uint8, msg []byte) {
	f(src, dst, hopLimit, msg)
}

// Autoconf is refused beside an NDPHandler, and on a link too small for
// IPv6.
func TestAutoconfConfig(t *testing.T) {
	ea, eb := pipeEnds()
	defer ea.Close()
	defer eb.Close()
	if _, err := New(ea, Config{Autoconf: &ndp.Config{}, NDPHandler: handlerFunc(func(netip.Addr, netip.Addr, uint8, []byte) {})}); !errors.Is(err, ErrConfig) {
		t.Errorf("Autoconf and NDPHandler: %v", err)
	}
	small, other := pipe.New(pipe.Config{MTU: 1000})
	defer small.Close()
	defer other.Close()
	if _, err := New(small, Config{Autoconf: &ndp.Config{}}); !errors.Is(err, ErrConfig) {
		t.Errorf("MTU 1000: %v", err)
	}
}
