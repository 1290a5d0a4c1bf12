package netns_test

import (
	"net/netip"
	"strings"
	"testing"
	"time"

	"github.com/medina-net/medina/internal/netns"
	"github.com/medina-net/medina/link/tap"
)

// TestRadvd turns IPv6 on beside a TAP and runs radvd on the kernel's
// side: a router advertisement for the prefix, with the MTU asked for,
// must reach the stack's side of the TAP.
func TestRadvd(t *testing.T) {
	tp := netns.NewTAP(t, tap.Config{})
	dev := tp.Dev.Name()
	tp.NS.EnableIPv6(t, dev, netns.KernelPrefix6)
	if out := tp.NS.IP(t, "-6", "addr", "show", "dev", dev); !strings.Contains(out, netns.KernelPrefix6.String()) {
		t.Fatalf("%s has no %v:\n%s", dev, netns.KernelPrefix6, out)
	}
	prefix := netip.MustParsePrefix("2001:db8:1::/64")
	tp.NS.Radvd(t, dev, prefix, 1400, netns.KernelAddr6)

	// Frames arrive on the stack's side; read them until an RA does. The
	// read is bounded by closing the device if nothing comes.
	timer := time.AfterFunc(15*time.Second, func() { tp.Dev.Close() })
	defer timer.Stop()
	buf := make([]byte, 2048)
	for {
		n, err := tp.Dev.ReadFrame(buf)
		if err != nil {
			t.Fatalf("no router advertisement within 15 s: %v", err)
		}
		f := buf[:n]
		// Ethernet, IPv6 (next header ICMPv6, no extension headers in
		// radvd's RAs), ICMPv6 type 134.
		if n < 14+40+16 || f[12] != 0x86 || f[13] != 0xdd || f[14+6] != 58 || f[14+40] != 134 {
			continue
		}
		ra := f[14+40:]
		if !hasOption(ra[16:], 3, func(o []byte) bool { // prefix information
			return len(o) >= 32 && netip.AddrFrom16([16]byte(o[16:32])) == prefix.Addr() && o[2] == 64
		}) {
			t.Errorf("RA without the prefix %v: % x", prefix, ra)
		}
		if !hasOption(ra[16:], 5, func(o []byte) bool { // MTU
			return len(o) == 8 && uint32(o[4])<<24|uint32(o[5])<<16|uint32(o[6])<<8|uint32(o[7]) == 1400
		}) {
			t.Errorf("RA without the MTU 1400: % x", ra)
		}
		return
	}
}

// hasOption reports whether the NDP options opts hold one of type typ that
// ok accepts.
func hasOption(opts []byte, typ byte, ok func([]byte) bool) bool {
	for len(opts) >= 2 && opts[1] != 0 {
		n := int(opts[1]) * 8
		if n > len(opts) {
			return false
		}
		if opts[0] == typ && ok(opts[:n]) {
			return true
		}
		opts = opts[n:]
	}
	return false
}
