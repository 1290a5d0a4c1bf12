package icmpv6

import (
	"bytes"
	"testing"

	"github.com/medina-net/medina/ipv6"
)

// A router advertisement with every option a host reads, encoded and
// read back through the views.
func TestAppendRAOptions(t *testing.T) {
	allNodes := ipv6.Addr{0xff, 0x02, 15: 1}
	dns := ipv6.Addr{0x20, 0x01, 0x0d, 0xb8, 15: 0x53}
	opts := AppendLinkAddr(nil, OptSourceLinkAddr, macA)
	opts = AppendMTU(opts, 1400)
	opts = AppendRouteInfo(opts, RouteInfo{PrefixLen: 0, Pref: PrefLow, Lifetime: 10})
	opts = AppendRouteInfo(opts, RouteInfo{PrefixLen: 48, Pref: PrefHigh, Lifetime: 20, Prefix: ipv6.Addr{0x20, 0x01, 0x0d, 0xb8, 0, 1}})
	opts = AppendRouteInfo(opts, RouteInfo{PrefixLen: 96, Pref: PrefMedium, Lifetime: 30, Prefix: ipv6.Addr{0x20, 0x01, 0x0d, 0xb8, 9: 7}})
	opts = AppendRDNSS(opts, 600, []ipv6.Addr{dns, hostB})
	opts, err := AppendDNSSL(opts, 700, []string{"example.com", "corp.example."})
	if err != nil {
		t.Fatal(err)
	}
	var buf [512]byte
	ra := RouterAdvert{CurHopLimit: 64, Flags: RAOther | RAFlags(PrefHigh)<<3, RouterLifetime: 1800, ReachableTime: 30000, RetransTimer: 1000, Options: opts}
	m, err := ra.Encode(buf[:], hostA, allNodes)
	if err != nil {
		t.Fatal(err)
	}
	if err := m.Validate(hostA, allNodes); err != nil {
		t.Fatal(err)
	}
	if m.Type() != TypeRouterAdvert || m.CurHopLimit() != 64 || m.RAFlags()&RAOther == 0 || m.RAFlags().Pref() != PrefHigh ||
		m.RouterLifetime() != 1800 || m.ReachableTime() != 30000 || m.RetransTimer() != 1000 || len(m) != RouterAdvertLen+len(opts) {
		t.Errorf("fixed part: %v %d %#x %d %d %d", m.Type(), m.CurHopLimit(), m.RAFlags(), m.RouterLifetime(), m.ReachableTime(), m.RetransTimer())
	}
	var routes []RouteInfo
	var routeLens []int
	it := m.Options()
	for o, ok := it.Next(); ok; o, ok = it.Next() {
		if o.Status != OptionOK {
			t.Fatalf("option %v: %v", o.Type, o.Status)
		}
		switch o.Type {
		case OptMTU:
			if v, _ := o.MTU(); v != 1400 {
				t.Errorf("MTU %d", v)
			}
		case OptRouteInfo:
			r, _ := o.RouteInfo()
			routes = append(routes, r)
			routeLens = append(routeLens, o.Length)
		case OptRDNSS:
			life, n, _ := o.RDNSS()
			a0, _ := o.RDNSSAddr(0)
			a1, _ := o.RDNSSAddr(1)
			if life != 600 || n != 2 || a0 != dns || a1 != hostB {
				t.Errorf("RDNSS %d %d %v %v", life, n, a0, a1)
			}
		case OptDNSSL:
			life, names, _ := o.DNSSL()
			want := []byte("\x07example\x03com\x00\x04corp\x07example\x00")
			if life != 700 || !bytes.HasPrefix(names, want) || len(bytes.Trim(names[len(want):], "\x00")) != 0 || len(o.Raw)%8 != 0 {
				t.Errorf("DNSSL %d %q", life, names)
			}
		}
	}
	if len(routes) != 3 || routeLens[0] != 1 || routeLens[1] != 2 || routeLens[2] != 3 ||
		routes[0].Pref != PrefLow || routes[1].PrefixLen != 48 || routes[1].Prefix != (ipv6.Addr{0x20, 0x01, 0x0d, 0xb8, 0, 1}) ||
		routes[2].Lifetime != 30 || routes[2].Prefix[9] != 7 {
		t.Errorf("routes %+v, lengths %v", routes, routeLens)
	}
}

func TestAppendDNSSLErrors(t *testing.T) {
	long := string(bytes.Repeat([]byte("a"), 64))
	for _, names := range [][]string{{"a..b"}, {""}, {long + ".com"}, {string(bytes.Repeat([]byte("abcdefg."), 40))}} {
		if _, err := AppendDNSSL(nil, 1, names); err == nil {
			t.Errorf("%q accepted", names)
		}
	}
}
