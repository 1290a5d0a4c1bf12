package ndp

import (
	"net/netip"
	"testing"

	"github.com/medina-net/medina/icmpv6"
)

// BenchmarkInputRA is a router's periodic advertisement refreshing what
// the host already has: lifetimes only, nothing to send.
func BenchmarkInputRA(b *testing.B) {
	n := New(Config{MAC: testMAC, NoMLD: true})
	n.Start(t0)
	msg := ra{hopLimit: 64, lifetime: 1800, mtu: 1500,
		prefixes: []icmpv6.PrefixInfo{pio(prefix1, 86400, 14400)},
		rdnss:    &rdnssOpt{lifetime: 600, addrs: []netip.Addr{netip.MustParseAddr("2001:db8::53")}},
		dnssl:    &dnsslOpt{lifetime: 600, names: []string{"example.com"}},
	}.build(routerLL)
	if _, err := n.Input(t0, routerLL, allNodes, msg); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		n.Input(t0, routerLL, allNodes, msg)
	}
}

// BenchmarkInputNS is another node's solicitation, which the NDP reads
// for DAD: every NS on the link reaches it.
func BenchmarkInputNS(b *testing.B) {
	n := New(Config{MAC: testMAC, NoMLD: true})
	n.Start(t0)
	other := netip.MustParseAddr("fe80::99")
	msg := buildNS(other, routerLL, nil)
	b.ReportAllocs()
	for b.Loop() {
		n.Input(t0, routerLL, solicitedNode(other), msg)
	}
}
