package ndp

import (
	"math/rand/v2"
	"net/netip"
	"testing"

	"github.com/medina-net/medina/ethernet"
)

func TestEUI64(t *testing.T) {
	for _, tt := range []struct {
		mac  ethernet.Addr
		want string
	}{
		// RFC 4291 appendix A's rule: ff:fe inserted, bit 0x02 of
		// the first byte inverted.
		{ethernet.Addr{0x52, 0x54, 0x00, 0x12, 0x34, 0x56}, "fe80::5054:ff:fe12:3456"},
		{ethernet.Addr{0x00, 0x00, 0x5e, 0x00, 0x53, 0x01}, "fe80::200:5eff:fe00:5301"},
		{ethernet.Addr{0x02, 0x00, 0x00, 0x00, 0x00, 0x01}, "fe80::ff:fe00:1"},
	} {
		h := newHost(t, Config{MAC: tt.mac, EUI64: true}, 1)
		h.start()
		if got := h.addr(OriginLinkLocal).Prefix; got.String() != tt.want+"/64" {
			t.Errorf("%v: link-local %v, want %v/64", tt.mac, got, tt.want)
		}
	}
}

func TestReservedIID(t *testing.T) {
	for _, tt := range []struct {
		iid  [8]byte
		want bool
	}{
		{[8]byte{}, true}, // subnet-router anycast
		{[8]byte{0x02, 0x00, 0x5e, 0xff, 0xfe, 0x00, 0x00, 0x00}, true},
		{[8]byte{0x02, 0x00, 0x5e, 0xff, 0xfe, 0x00, 0x52, 0x13}, true},
		{[8]byte{0x02, 0x00, 0x5e, 0xff, 0xfe, 0xff, 0xff, 0xff}, true},
		{[8]byte{0x02, 0x00, 0x5e, 0xff, 0xff, 0x00, 0x00, 0x00}, false},
		{[8]byte{0xfd, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x80}, true},
		{[8]byte{0xfd, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x7f}, false},
		{[8]byte{0xfd, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff}, true},
		{[8]byte{7: 1}, false},
	} {
		if got := ReservedIID(tt.iid); got != tt.want {
			t.Errorf("ReservedIID(%x) = %v, want %v", tt.iid, got, tt.want)
		}
	}
}

// RFC 7217: the identifier is the same for the same inputs, and changes
// with each of them.
func TestStableIID(t *testing.T) {
	secret := []byte("0123456789abcdef")
	mac := []byte{1, 2, 3, 4, 5, 6}
	p := netip.MustParsePrefix("2001:db8::/64")
	base, ok := StableIID(p, mac, nil, 0, secret)
	if !ok {
		t.Fatal("reserved")
	}
	if again, _ := StableIID(netip.MustParsePrefix("2001:db8::1234/64"), mac, nil, 0, secret); again != base {
		t.Errorf("host bits of the prefix changed the identifier: %x, %x", again, base)
	}
	for name, iid := range map[string][8]byte{
		"prefix":    first(StableIID(netip.MustParsePrefix("2001:db8:0:1::/64"), mac, nil, 0, secret)),
		"interface": first(StableIID(p, []byte{1, 2, 3, 4, 5, 7}, nil, 0, secret)),
		"network":   first(StableIID(p, mac, []byte("ssid"), 0, secret)),
		"counter":   first(StableIID(p, mac, nil, 1, secret)),
		"secret":    first(StableIID(p, mac, nil, 0, []byte("0123456789abcdeF"))),
	} {
		if iid == base {
			t.Errorf("changing the %s kept the identifier %x", name, iid)
		}
	}
}

func first(iid [8]byte, _ bool) [8]byte { return iid }

// A stack seeded the same way forms the same addresses; another seed,
// other ones; a given secret key wins over the seed.
func TestStableAddrFromSeed(t *testing.T) {
	ll := func(cfg Config) netip.Prefix {
		h := newHost(t, cfg, 0)
		h.start()
		return h.addr(OriginLinkLocal).Prefix
	}
	a := ll(Config{Rand: rand.NewPCG(7, 8)})
	if b := ll(Config{Rand: rand.NewPCG(7, 8)}); a != b {
		t.Errorf("same seed, %v and %v", a, b)
	}
	if b := ll(Config{Rand: rand.NewPCG(7, 9)}); a == b {
		t.Errorf("different seeds, both %v", a)
	}
	key := []byte("a key kept across restarts")
	if x, y := ll(Config{Rand: rand.NewPCG(1, 1), SecretKey: key}), ll(Config{Rand: rand.NewPCG(2, 2), SecretKey: key}); x != y {
		t.Errorf("same key, seeds differ: %v and %v", x, y)
	}
	if !a.Addr().IsLinkLocalUnicast() || a.Bits() != 64 {
		t.Errorf("link-local %v", a)
	}
	// The identifier is not the EUI-64 one.
	if iid := a.Addr().As16(); iid[11] == 0xff && iid[12] == 0xfe {
		t.Errorf("stable identifier %v looks like EUI-64", a)
	}
}
