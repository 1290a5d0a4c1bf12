package filter

import (
	"flag"
	"math/rand"
	"strings"
	"sync"
	"testing"

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
