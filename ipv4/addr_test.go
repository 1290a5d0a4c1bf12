package ipv4

import (
	"errors"
	"net/netip"
	"testing"
)

func TestAddrString(t *testing.T) {
	for _, c := range []struct {
		a Addr
		s string
	}{
		{Addr{0, 0, 0, 0}, "0.0.0.0"},
		{Addr{127, 0, 0, 1}, "127.0.0.1"},
		{Addr{10, 99, 100, 255}, "10.99.100.255"},
		{Addr{255, 255, 255, 255}, "255.255.255.255"},
		{Addr{1, 20, 199, 9}, "1.20.199.9"},
	} {
		if got := c.a.String(); got != c.s {
			t.Errorf("String = %q, want %q", got, c.s)
		}
		if got := string(c.a.AppendTo([]byte("x="))); got != "x="+c.s {
			t.Errorf("AppendTo = %q", got)
		}
		if got := c.a.Netip().String(); got != c.s {
			t.Errorf("Netip = %q", got)
		}
		p, err := ParseAddr(c.s)
		if err != nil || p != c.a {
			t.Errorf("ParseAddr(%q) = %v, %v", c.s, p, err)
		}
	}
	// Every byte value against the standard library.
	for i := range 256 {
		a := Addr{byte(i), byte(255 - i), byte(i / 3), byte(i * 7)}
		if a.String() != a.Netip().String() {
			t.Fatalf("%v != %v", a, a.Netip())
		}
	}
}

func TestAppendToDoesNotAllocate(t *testing.T) {
	buf := make([]byte, 0, 64)
	a := Addr{192, 168, 100, 254}
	if n := testing.AllocsPerRun(100, func() { buf = a.AppendTo(buf[:0]) }); n != 0 {
		t.Fatalf("AppendTo allocates %v times", n)
	}
}

func TestParseAddrErrors(t *testing.T) {
	for _, s := range []string{"", "1.2.3", "1.2.3.4.5", "256.1.1.1", "010.1.1.1", "1.2.3.-1", "::1", "1.2.3.4 ", "a.b.c.d"} {
		if _, err := ParseAddr(s); !errors.Is(err, ErrBadAddr) {
			t.Errorf("ParseAddr(%q) = %v, want ErrBadAddr", s, err)
		}
	}
}

func TestAddrNetip(t *testing.T) {
	for _, c := range []struct {
		ip   string
		want Addr
		ok   bool
	}{
		{"192.0.2.1", Addr{192, 0, 2, 1}, true},
		{"::ffff:192.0.2.1", Addr{192, 0, 2, 1}, true},
		{"2001:db8::1", Addr{}, false},
	} {
		got, ok := AddrFromNetip(netip.MustParseAddr(c.ip))
		if got != c.want || ok != c.ok {
			t.Errorf("AddrFromNetip(%s) = %v, %v", c.ip, got, ok)
		}
	}
	if _, ok := AddrFromNetip(netip.Addr{}); ok {
		t.Error("AddrFromNetip of the zero Addr succeeded")
	}
	if a := AddrFromUint32(0xc0000201); a != (Addr{192, 0, 2, 1}) || a.Uint32() != 0xc0000201 {
		t.Errorf("AddrFromUint32 = %v", a)
	}
}

func TestAddrClasses(t *testing.T) {
	for _, c := range []struct {
		s                                  string
		unspec, bcast, mcast, loop, linkLo bool
	}{
		{"0.0.0.0", true, false, false, false, false},
		{"255.255.255.255", false, true, false, false, false},
		{"192.168.1.255", false, false, false, false, false},
		{"224.0.0.1", false, false, true, false, false},
		{"239.255.255.250", false, false, true, false, false},
		{"240.0.0.1", false, false, false, false, false},
		{"127.0.0.53", false, false, false, true, false},
		{"169.254.1.1", false, false, false, false, true},
	} {
		a, _ := ParseAddr(c.s)
		if a.IsUnspecified() != c.unspec || a.IsBroadcast() != c.bcast || a.IsMulticast() != c.mcast ||
			a.IsLoopback() != c.loop || a.IsLinkLocal() != c.linkLo {
			t.Errorf("%s: unspecified %v broadcast %v multicast %v loopback %v link-local %v", c.s,
				a.IsUnspecified(), a.IsBroadcast(), a.IsMulticast(), a.IsLoopback(), a.IsLinkLocal())
		}
		ip := a.Netip()
		if a.IsMulticast() != ip.IsMulticast() || a.IsLoopback() != ip.IsLoopback() || a.IsUnspecified() != ip.IsUnspecified() {
			t.Errorf("%s: disagrees with net/netip", c.s)
		}
	}
}
