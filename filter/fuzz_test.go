package filter

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"golang.org/x/net/bpf"

	"github.com/medina-net/medina/pcap"
)

// builtinSeeds are expressions of our own for the fuzz targets.
var builtinSeeds = []string{
	"host 10.0.0.1 and tcp port 443", "not (udp or icmp)", "vlan 10 and ip",
	"tcp[tcpflags] & (tcp-syn|tcp-fin) != 0", "ip6 net fe80::/10", "ether host 00:11:22:33:44:55",
	"portrange 1000-2000", "ip protochain 6", "geneve and tcp", "mpls 3 and ip",
	"(host 1.2.3.4 or 5.6.7.8) and not port 22", "len - 14 > 100 / 2", "08", "ether host 1:2:",
	"((((", "ip[", "host", "!!", "1 = 1 and 2 = 2", "\\tcp", "$1", "a:b::c", "pppoes 2 and udp port 53",
	// Found by fuzzing: errors where libpcap's parser had not reduced
	// what was before the syntax error.
	"len- 0%0%", "ip net ::/A",
}

// fuzzSeeds are builtinSeeds and the corpus's expressions.
func fuzzSeeds(f *testing.F) []string {
	seeds := append([]string(nil), builtinSeeds...)
	if corpusAvailable() {
		for _, name := range []string{"accept.tsv", "reject.tsv"} {
			for _, r := range readFilterRows(f, name) {
				seeds = append(seeds, r.expr)
			}
		}
	}
	return seeds
}

// FuzzCompile compiles anything: it must never panic, refuse with a
// message, or make a program that is valid and runs.
func FuzzCompile(f *testing.F) {
	for _, s := range fuzzSeeds(f) {
		f.Add(s, uint8(1))
	}
	lts := []pcap.LinkType{pcap.LinkTypeEthernet, pcap.LinkTypeRaw, pcap.LinkTypeLinuxSLL,
		pcap.LinkTypeLinuxSLL2, pcap.LinkTypeNull, pcap.LinkTypeIPv6, pcap.LinkTypePPP}
	pkt := []byte("\x00\x11\x22\x33\x44\x55\x66\x77\x88\x99\xaa\xbb\x08\x00\x45\x00\x00\x28\x00\x00\x40\x00\x40\x06\x00\x00\x0a\x00\x00\x01\x0a\x00\x00\x02\x01\xbb\xc3\x50\x00\x00\x00\x01\x00\x00\x00\x00\x50\x02\x20\x00\x00\x00\x00\x00")
	f.Fuzz(func(t *testing.T, expr string, lt uint8) {
		if len(expr) > 2000 {
			return
		}
		o := Options{LinkType: lts[int(lt)%len(lts)], NoOptimize: lt&0x80 != 0, Kernel: lt&0x40 != 0, VLANExtensions: lt&0x20 != 0}
		start := time.Now()
		flt, err := CompileOptions(expr, o)
		if d := time.Since(start); d > 2*time.Second {
			t.Fatalf("%q: compiling took %v", expr, d)
		}
		if err != nil {
			e, ok := err.(*Error)
			if !ok || e.Msg == "" || strings.HasPrefix(e.Msg, "internal error") {
				t.Fatalf("%q: error %#v", expr, err)
			}
			return
		}
		raw := flt.Raw()
		if len(raw) == 0 || len(raw) > maxInsns || bpfClass(raw[len(raw)-1].Op) != bpfRET {
			t.Fatalf("%q: bad program of %d instructions", expr, len(raw))
		}
		if !flt.Loops() && !hasNeg(raw) && !hasAncillary(raw) {
			if _, err := bpf.NewVM(flt.Program()); err != nil {
				t.Fatalf("%q: x/net/bpf refuses the program: %v", expr, err)
			}
		}
		for n := 0; n <= len(pkt); n += 7 {
			flt.Match(pkt[:n], len(pkt))
		}
		var b bytes.Buffer
		for _, format := range []DumpFormat{DumpText, DumpC, DumpDecimal} {
			if err := flt.Dump(&b, format); err != nil {
				t.Fatal(err)
			}
		}
	})
}

// hasAncillary reports whether a program reads Linux's packet metadata,
// which x/net/bpf's VM does not have.
func hasAncillary(raw []bpf.RawInstruction) bool {
	for _, in := range raw {
		if bpfClass(in.Op) == bpfLD && bpfMode(in.Op) == bpfABS && in.K >= skfAdOff {
			return true
		}
	}
	return false
}

// FuzzMatch runs compiled programs on fuzzed packets in our interpreter
// and in x/net/bpf's VM.
func FuzzMatch(f *testing.F) {
	var filters []*Filter
	var vms []*bpf.VM
	for _, e := range oracleExprs(f) {
		flt, err := Compile(e, pcap.LinkTypeEthernet, 0)
		if err != nil || flt.Loops() || hasNeg(flt.raw) {
			continue
		}
		vm, err := bpf.NewVM(flt.Program())
		if err != nil {
			f.Fatal(err)
		}
		filters, vms = append(filters, flt), append(vms, vm)
	}
	f.Add(uint16(0), []byte("\x00\x11\x22\x33\x44\x55\x66\x77\x88\x99\xaa\xbb\x08\x00\x45\x00\x00\x28"))
	f.Fuzz(func(t *testing.T, which uint16, pkt []byte) {
		i := int(which) % len(filters)
		want, err := vms[i].Run(pkt)
		if err != nil {
			t.Fatal(err)
		}
		if got := filters[i].Run(pkt, len(pkt)); got != uint32(want) {
			t.Fatalf("%q on % x: %d, x/net/bpf %d", filters[i].expr, pkt, got, want)
		}
	})
}

// FuzzTcpdump compiles fuzzed expressions here and with tcpdump, and
// compares errors and what the programs keep of a sample of the corpus's
// packets, cut short at random too.
//
// Its seeds are ours only: the corpus's expressions, all of which it
// passes, take half a minute through tcpdump and are covered by
// TestTcpdumpConformance.
func FuzzTcpdump(f *testing.F) {
	for _, s := range builtinSeeds {
		f.Add(s)
	}
	tcpdump := tcpdumpPath(f)
	file := capturesOf(f, pcap.LinkTypeEthernet)[0].path
	pkts := differentialPackets(f)
	if len(pkts) > 3000 {
		pkts = pkts[:3000]
	}
	f.Fuzz(func(t *testing.T, expr string) {
		if len(expr) > 300 || strings.ContainsAny(expr, "\x00") {
			return
		}
		compareWithTcpdump(t, tcpdump, file, expr, pkts)
	})
}
