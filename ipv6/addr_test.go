package ipv6

import (
	"errors"
	"math/rand/v2"
	"net/netip"
	"path/filepath"
	"strings"
	"testing"

	"github.com/medina-net/medina/ethernet"
	"github.com/medina-net/medina/internal/corpus"
)

func TestAddrString(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"::", "::"},
		{"::1", "::1"},
		{"1::", "1::"},
		{"2200::244:212:3fff:feae:22f7", "2200::244:212:3fff:feae:22f7"},
		{"fe80::b299:28ff:fec8:d66c", "fe80::b299:28ff:fec8:d66c"},
		{"a:b:c:2:0:0:f1:0", "a:b:c:2::f1:0"},
		{"1:0:0:1:0:0:0:1", "1:0:0:1::1"},   // the longer run
		{"1:0:0:1:0:0:1:1", "1::1:0:0:1:1"}, // the first of equal runs
		{"1:0:1:1:1:1:1:1", "1:0:1:1:1:1:1:1"},
		{"2001:db8:0:0:0:0:2:1", "2001:db8::2:1"},
		{"FF02:0:0:0:0:1:FF00:ABCD", "ff02::1:ff00:abcd"},
		{"::ffff:195.234.155.124", "::ffff:195.234.155.124"},
		{"::ffff:0:0", "::ffff:0.0.0.0"},
		{"::1.2.3.4", "::1.2.3.4"}, // IPv4-compatible: tcpdump's dotted form, not netip's ::102:304
		{"::0.0.1.2", "::102"},     // a run of 7 zero groups is not IPv4-compatible
		{"0:0:0:0:0:1:1.2.3.4", "::1:102:304"},
		{"0:0:0:0:1:ffff:1.2.3.4", "::1:ffff:102:304"},
	} {
		a, err := ParseAddr(c.in)
		if err != nil {
			t.Fatal(err)
		}
		if got := a.String(); got != c.want {
			t.Errorf("%s: %s, want %s", c.in, got, c.want)
		}
	}
}

// TestAddrStringRandom compares String with netip's RFC 5952 formatting,
// which it must match but for the dotted form of IPv4-compatible
// addresses, over addresses with many zero groups.
func TestAddrStringRandom(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for range 100000 {
		var a Addr
		for i := range 8 {
			switch r.IntN(4) {
			case 0:
				a[2*i], a[2*i+1] = byte(r.Uint32()), byte(r.Uint32())
			case 1:
				a[2*i+1] = byte(r.Uint32())
			}
		}
		if r.IntN(8) == 0 {
			copy(a[:12], []byte{10: 0xff, 11: 0xff})
		}
		want := a.Netip().String()
		if zeros := strings.Repeat("\x00", 12); string(a[:12]) == zeros && string(a[12:14]) != "\x00\x00" {
			want = "::" + netip.AddrFrom4([4]byte(a[12:])).String()
		}
		if got := a.String(); got != want {
			t.Fatalf("% x: %s, want %s", a[:], got, want)
		}
	}
}

// TestAddrAsTcpdump finds the addresses of every IPv6 packet of the
// captures in tcpdump 4.99.3's suite where tcpdump printed them, "IP6
// [(...)] SRC[.port] > DST[.port]:", and requires the same text.
func TestAddrAsTcpdump(t *testing.T) {
	dir := filepath.Join(corpus.Need(t), "tcpdump-4.99.3-all")
	n := 0
	for pcap, pkts := range tcpdumpPackets(t, false) {
		for _, p := range corpus.Packets(t, ethernet.TypeIPv6, filepath.Join(dir, pcap)) {
			line, _, _ := strings.Cut(pkts[p.Num], "\n")
			_, rest, ok := strings.Cut(line, "IP6 ")
			if !ok {
				continue
			}
			if strings.HasPrefix(rest, "(") {
				// Skip the -v parenthesis, "next-header UDP (17)" and
				// all.
				depth := 0
				for i, c := range rest {
					if c == '(' {
						depth++
					} else if c == ')' {
						if depth--; depth == 0 {
							rest = strings.TrimPrefix(rest[i+1:], " ")
							break
						}
					}
				}
			}
			h, err := NewHeader(p.Data)
			if err != nil || h.Version() != 6 {
				continue
			}
			src, dst := h.Src().String(), h.Dst().String()
			srcText, dstText, ok := strings.Cut(rest, " > ")
			if !ok {
				continue
			}
			dstText, _, _ = strings.Cut(dstText, ": ")
			if srcText != src && !strings.HasPrefix(srcText, src+".") || dstText != dst && !strings.HasPrefix(dstText, dst+".") {
				t.Errorf("%s #%d: %s > %s, tcpdump: %s", pcap, p.Num, src, dst, line)
			}
			n++
		}
	}
	t.Logf("%d packets' addresses as tcpdump prints them", n)
	if n < 300 {
		t.Errorf("only %d packets compared", n)
	}
}

func TestAddrAppendToAllocs(t *testing.T) {
	a, _ := ParseAddr("fe80::b299:28ff:fec8:d66c")
	buf := make([]byte, 0, 64)
	if n := testing.AllocsPerRun(100, func() { buf = a.AppendTo(buf[:0]) }); n != 0 {
		t.Fatalf("AppendTo allocates %v times", n)
	}
}

func TestAddrKinds(t *testing.T) {
	p := func(s string) Addr {
		a, err := ParseAddr(s)
		if err != nil {
			t.Fatal(err)
		}
		return a
	}
	ll := p("fe80::b299:28ff:fec8:d66c")
	for _, c := range []struct {
		name      string
		got, want any
	}{
		{"IsLinkLocalUnicast", ll.IsLinkLocalUnicast(), true},
		{"IsGlobalUnicast fe80::", ll.IsGlobalUnicast(), false},
		{"IsGlobalUnicast 2001:db8::1", p("2001:db8::1").IsGlobalUnicast(), true},
		{"IsUniqueLocal fd00::1", p("fd00::1").IsUniqueLocal(), true},
		{"IsMulticast ff02::1", AllNodes.IsMulticast(), true},
		{"IsLinkLocalMulticast ff02::1", AllNodes.IsLinkLocalMulticast(), true},
		{"MulticastScope ff05::2", p("ff05::2").MulticastScope(), uint8(5)},
		{"MulticastScope fe80::", ll.MulticastScope(), uint8(0)},
		{"SolicitedNode", ll.SolicitedNode(), p("ff02::1:ffc8:d66c")},
		{"IsSolicitedNode", ll.SolicitedNode().IsSolicitedNode(), true},
		{"IsSolicitedNode ff02::1", AllNodes.IsSolicitedNode(), false},
		{"EthernetMulticast", p("ff02::1:ffc8:d66c").EthernetMulticast(), [6]byte{0x33, 0x33, 0xff, 0xc8, 0xd6, 0x6c}},
		{"Is4In6", p("::ffff:1.2.3.4").Is4In6(), true},
		{"IsLoopback", Loopback.IsLoopback(), true},
		{"IsUnspecified", Unspecified.IsUnspecified(), true},
		{"AllMLDv2Routers", AllMLDv2Routers, p("ff02::16")},
		{"AllRouters", AllRouters, p("ff02::2")},
	} {
		if c.got != c.want {
			t.Errorf("%s = %v, want %v", c.name, c.got, c.want)
		}
	}
	if a, ok := AddrFromNetip(netip.MustParseAddr("fe80::1%eth0")); !ok || a != p("fe80::1") || a.Netip() != netip.MustParseAddr("fe80::1") {
		t.Errorf("AddrFromNetip = %v %v", a, ok)
	}
	if _, ok := AddrFromNetip(netip.MustParseAddr("10.0.0.1")); ok {
		t.Error("AddrFromNetip takes an IPv4 address")
	}
	for _, s := range []string{"10.0.0.1", "fe80::1%eth0", "1::2::3", ""} {
		if _, err := ParseAddr(s); !errors.Is(err, ErrBadAddr) {
			t.Errorf("ParseAddr(%q) = %v", s, err)
		}
	}
}
