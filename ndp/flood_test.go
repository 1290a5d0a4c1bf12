package ndp

import (
	"fmt"
	"net/netip"
	"runtime"
	"testing"
	"time"

	"github.com/medina-net/medina/icmpv6"
)

// A flood of advertisements, each from a new router with new prefixes,
// routes, servers and domains, fills every list to its bound and no
// further; what does not fit is counted.
func TestRAFlood(t *testing.T) {
	cfg := Config{MaxRouters: 4, MaxPrefixes: 6, MaxRoutes: 5, MaxAddrs: 7, MaxRDNSS: 3, MaxDNSSL: 2, MaxGroups: 8}
	h := newHost(t, cfg, 61)
	h.start()
	const n = 2000
	for i := range n {
		src := netip.AddrFrom16([16]byte{0: 0xfe, 1: 0x80, 14: byte(i >> 8), 15: byte(i)})
		p := netip.PrefixFrom(netip.AddrFrom16([16]byte{0: 0x20, 1: 0x01, 2: 0x0d, 3: 0xb8, 6: byte(i >> 8), 7: byte(i)}), 64)
		dns := netip.AddrFrom16([16]byte{0: 0x20, 1: 0x01, 14: byte(i >> 8), 15: byte(i)})
		h.input(src, allNodes, ra{lifetime: 9000,
			prefixes: []icmpv6.PrefixInfo{pio(p, 0xffffffff, 0xffffffff)},
			routes:   []routeOpt{{netip.PrefixFrom(p.Addr(), 48), 0, 0xffffffff}},
			rdnss:    &rdnssOpt{lifetime: 0xffffffff, addrs: []netip.Addr{dns}},
			dnssl:    &dnsslOpt{lifetime: 0xffffffff, names: []string{fmt.Sprintf("d%d.example", i)}},
		}.build(src))
	}
	h.advance(time.Minute)
	st := h.n.Stats()
	for _, c := range []struct {
		name        string
		got, bound  int
		dropped     uint64
		wantDropped uint64
	}{
		{"routers", len(h.n.Routers()), 4, st.RoutersDropped, n - 4},
		{"prefixes", len(h.n.Prefixes()), 6, st.PrefixesDropped, n - 6},
		{"routes", len(h.n.Routes()), 5, st.RoutesDropped, n - 5},
		{"addresses", len(h.n.Addresses()), 7, st.AddrsDropped, n - 6},
		{"servers", len(h.n.DNSServers()), 3, st.RDNSSDropped, n - 3},
		{"domains", len(h.n.SearchList()), 2, st.DNSSLDropped, n - 2},
		{"groups", len(h.n.Groups()), 7, st.GroupsDropped, 0},
	} {
		if c.got != c.bound || c.dropped != c.wantDropped {
			t.Errorf("%s: %d (bound %d), %d dropped, want %d", c.name, c.got, c.bound, c.dropped, c.wantDropped)
		}
	}
	if st.InRouterAdverts != n {
		t.Errorf("InRouterAdverts %d", st.InRouterAdverts)
	}
}

// One advertisement is read for at most MaxOptionsPerRA options of a
// kind.
func TestRAOptionsBound(t *testing.T) {
	h := newHost(t, Config{MaxPrefixes: 100}, 67)
	h.start()
	var ps []icmpv6.PrefixInfo
	for i := range MaxOptionsPerRA + 10 {
		p := netip.PrefixFrom(netip.AddrFrom16([16]byte{0: 0x20, 1: 0x01, 2: 0x0d, 3: 0xb8, 7: byte(i)}), 64)
		ps = append(ps, icmpv6.PrefixInfo{PrefixLen: 64, Flags: icmpv6.PrefixOnLink, ValidLifetime: 100, Prefix: a16(p.Addr())})
	}
	h.input(routerLL, allNodes, ra{lifetime: 1800, prefixes: ps}.build(routerLL))
	if got := len(h.n.Prefixes()); got != MaxOptionsPerRA {
		t.Errorf("%d prefixes", got)
	}
	if st := h.n.Stats(); st.OptionsDropped != 10 {
		t.Errorf("OptionsDropped %d", st.OptionsDropped)
	}
}

// The memory a flood leaves is that of the bounded lists: a hundred
// thousand advertisements later, the heap has not grown with them.
func TestRAFloodMemory(t *testing.T) {
	if testing.Short() {
		t.Skip("short")
	}
	h := newHost(t, Config{}, 71)
	h.n.cfg.Send, h.n.cfg.Event = nil, nil
	h.start()
	msgs := make([][]byte, 256)
	for i := range msgs {
		src := netip.AddrFrom16([16]byte{0: 0xfe, 1: 0x80, 15: byte(i)})
		p := netip.PrefixFrom(netip.AddrFrom16([16]byte{0: 0x20, 1: 0x01, 7: byte(i)}), 64)
		msgs[i] = ra{lifetime: 9000, prefixes: []icmpv6.PrefixInfo{pio(p, 0xffffffff, 0xffffffff)},
			dnssl: &dnsslOpt{lifetime: 100, names: []string{fmt.Sprintf("d%d.example", i)}}}.build(src)
	}
	feed := func(k int) {
		for i := range k {
			src := netip.AddrFrom16([16]byte{0: 0xfe, 1: 0x80, 15: byte(i)})
			h.n.Input(t0, src, allNodes, msgs[i%len(msgs)])
		}
	}
	feed(10000)
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	feed(100000)
	runtime.GC()
	runtime.ReadMemStats(&after)
	if grew := int64(after.HeapAlloc) - int64(before.HeapAlloc); grew > 64<<10 {
		t.Errorf("heap grew by %d bytes over 100000 advertisements", grew)
	}
}
