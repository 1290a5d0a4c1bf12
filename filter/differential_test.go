package filter

import (
	"flag"
	"math/rand"
	"strings"
	"sync"
	"testing"

	"golang.org/x/net/bpf"

	"github.com/medina-net/medina/pcap"
)

var randomExprs = flag.Int("random", 150, "expressions TestTcpdumpRandom makes")

var (
	diffPacketsOnce sync.Once
	diffPackets     []packet
)

// differentialPackets are the Ethernet packets of the corpus, and a copy of
// every third one cut short at a random length, since a load past the
// captured bytes rejects a packet and what a program loads first matters.
func differentialPackets(t testing.TB) []packet {
	caps := capturesOf(t, pcap.LinkTypeEthernet)
	diffPacketsOnce.Do(func() {
		r := rand.New(rand.NewSource(1))
		for _, c := range caps {
			for i, p := range c.packets {
				diffPackets = append(diffPackets, p)
				if i%3 == 0 && len(p.data) > 1 {
					diffPackets = append(diffPackets, packet{p.data[:r.Intn(len(p.data))], p.wirelen})
				}
			}
		}
	})
	return diffPackets
}

// compareWithTcpdump compiles expr here and with tcpdump (for a capture
// file, as tcpdump -r does) and reports a difference: in the error, or in
// what the two programs return for a packet. libpcap's program is run in
// our interpreter, which follows libpcap's bpf_filter.
func compareWithTcpdump(t testing.TB, tcpdump, file, expr string, pkts []packet) bool {
	lp, msg, err := tcpdumpProgram(tcpdump, file, expr)
	if err != nil {
		t.Fatal(err)
	}
	f, ourErr := Compile(expr, pcap.LinkTypeEthernet, 0)
	switch {
	case msg != "" && ourErr != nil:
		if got := strings.TrimSuffix(ourErr.(*Error).Msg, "\n"); got != msg {
			t.Errorf("%q: error %q; tcpdump: %q", expr, got, msg)
			return false
		}
		return true
	case msg != "":
		t.Errorf("%q: compiles; tcpdump: %q", expr, msg)
		return false
	case ourErr != nil:
		t.Errorf("%q: %v; tcpdump accepts it", expr, ourErr)
		return false
	}
	theirs := newVM(lp)
	for i, p := range pkts {
		a := theirs.run(p.data, p.wirelen) != 0
		if b := f.Match(p.data, p.wirelen); a != b {
			t.Errorf("%q: packet %d (%d of %d bytes): tcpdump keeps it: %v, we do: %v", expr, i, len(p.data), p.wirelen, a, b)
			return false
		}
	}
	return true
}

// TestTcpdumpRandom compiles random expressions (-random of them, and some
// damaged copies) with tcpdump and here, and compares the errors and what
// the programs keep of the corpus's Ethernet packets.
func TestTcpdumpRandom(t *testing.T) {
	tcpdump := tcpdumpPath(t)
	file := capturesOf(t, pcap.LinkTypeEthernet)[0].path
	pkts := differentialPackets(t)
	g := exprGen{rand.New(rand.NewSource(7))}
	bad := 0
	for i := 0; i < *randomExprs; i++ {
		e := g.expr(2)
		if g.r.Intn(4) == 0 {
			e = g.mutate(e)
		}
		if !compareWithTcpdump(t, tcpdump, file, e, pkts) {
			bad++
		}
	}
	t.Logf("%d of %d random expressions differ from tcpdump", bad, *randomExprs)
}

// linkTypeNames are the link types handled, as tcpdump -y names them.
var linkTypeNames = map[string]pcap.LinkType{
	"RAW": pcap.LinkTypeRaw, "IPV4": pcap.LinkTypeIPv4, "IPV6": pcap.LinkTypeIPv6,
	"NULL": pcap.LinkTypeNull, "LOOP": pcap.LinkTypeLoop, "LINUX_SLL": pcap.LinkTypeLinuxSLL,
	"LINUX_SLL2": pcap.LinkTypeLinuxSLL2, "PPP": pcap.LinkTypePPP, "PPP_SERIAL": 50,
	"C_HDLC": 104, "SLIP": 8,
}

// reframe turns an Ethernet frame into one of link type lt carrying the
// same payload, with header fields (type, direction, address family) made
// from the Ethernet type and a few random bytes.
func reframe(r *rand.Rand, lt pcap.LinkType, eth []byte) []byte {
	if len(eth) < 14 {
		return eth
	}
	et := uint16(eth[12])<<8 | uint16(eth[13])
	pl := eth[14:]
	ppp := map[uint16]uint16{0x0800: 0x21, 0x86dd: 0x57}[et]
	if ppp == 0 {
		ppp = et
	}
	af := map[uint16]uint32{0x0800: 2, 0x86dd: 10}[et]
	var h []byte
	switch lt {
	case pcap.LinkTypeRaw, pcap.LinkTypeIPv4, pcap.LinkTypeIPv6:
	case pcap.LinkTypeNull:
		h = []byte{byte(af), byte(af >> 8), byte(af >> 16), byte(af >> 24)}
	case pcap.LinkTypeLoop:
		h = []byte{byte(af >> 24), byte(af >> 16), byte(af >> 8), byte(af)}
	case pcap.LinkTypeLinuxSLL:
		h = append([]byte{0, byte(r.Intn(5)), 0, 1, 0, 6}, eth[6:12]...)
		h = append(h, 0, 0, byte(et>>8), byte(et))
	case pcap.LinkTypeLinuxSLL2:
		h = []byte{byte(et >> 8), byte(et), 0, 0, 0, 0, 0, byte(r.Intn(4)), 0, 1, byte(r.Intn(5)), 6}
		h = append(h, eth[6:12]...)
		h = append(h, 0, 0)
	case pcap.LinkTypePPP, 50:
		h = []byte{0xff, 0x03, byte(ppp >> 8), byte(ppp)}
	case 104:
		h = []byte{0x0f, 0x00, byte(et >> 8), byte(et)}
	case 8:
		h = make([]byte, 16)
		h[0] = byte(r.Intn(2))
	}
	return append(h, pl...)
}

// TestTcpdumpRandomLinkTypes compiles random expressions for every other
// link type handled, here and with tcpdump -d -y: errors must be the same,
// and programs must be the same or keep the same of the corpus's packets
// given that link type's header.
func TestTcpdumpRandomLinkTypes(t *testing.T) {
	tcpdump := tcpdumpPath(t)
	eth := differentialPackets(t)
	r := rand.New(rand.NewSource(3))
	g := exprGen{rand.New(rand.NewSource(11))}
	same, checked := 0, 0
	for name, lt := range linkTypeNames {
		pkts := make([]packet, 0, len(eth)/4)
		for i := 0; i < len(eth); i += 4 {
			p := reframe(r, lt, eth[i].data)
			pkts = append(pkts, packet{p, len(p)})
		}
		for i := 0; i < *randomExprs/len(linkTypeNames)+5; i++ {
			e := g.expr(1)
			checked++
			lp, msg, err := tcpdumpProgram(tcpdump, "", e, "-y", name)
			if err != nil {
				t.Fatal(err)
			}
			f, ourErr := CompileOptions(e, Options{LinkType: lt, Kernel: true})
			switch {
			case msg != "" || ourErr != nil:
				if msg == "" || ourErr == nil || strings.TrimSuffix(ourErr.(*Error).Msg, "\n") != msg {
					t.Errorf("%s %q: %v; tcpdump: %q", name, e, ourErr, msg)
				}
				continue
			}
			if programsEqual(lp, f.raw) {
				same++
				continue
			}
			theirs := newVM(lp)
			for j, p := range pkts {
				if a, b := theirs.run(p.data, p.wirelen) != 0, f.Match(p.data, p.wirelen); a != b {
					t.Errorf("%s %q: packet %d: tcpdump keeps it: %v, we do: %v", name, e, j, a, b)
					break
				}
			}
		}
	}
	t.Logf("%d random expressions over %d link types; %d programs the same as tcpdump's", checked, len(linkTypeNames), same)
}

func programsEqual(a, b []bpf.RawInstruction) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}
