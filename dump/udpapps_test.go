package dump

import (
	"math/rand/v2"
	"path/filepath"
	"testing"

	"github.com/medina-net/medina/ethernet"
	"github.com/medina-net/medina/internal/corpus"
	"github.com/medina-net/medina/pcap"
)

// The differential test shared by the printers of the UDP application
// protocols tcpdump's IPv6 tests exercise (NTP, Babel, AHCP, HNCP,
// lwres, OLSR, sFlow): real messages from tcpdump's own captures and the
// tables' messages, damaged, cut short and given wrong lengths, printed
// by tcpdump 4.99.3 and by the printer over IPv4 and IPv6.

// udpAppSeed is a message and the UDP port it goes to.
type udpAppSeed struct {
	port uint16
	data []byte
}

// udpAppCaptures are the captures of tcpdump's suite that hold messages
// of these protocols.
var udpAppCaptures = []string{
	"ntp.pcap", "ntp-time.pcap", "ntp-control.pcap", "ntp-mode7.pcap",
	"babel.pcap", "babel_auth.pcap", "babel_pad1.pcap", "babel_rtt.pcap",
	"babel_rfc6126bis.pcap", "ahcp.pcapng", "hncp.pcap",
	"hncp_dhcpv4data-oobr.pcap", "hncp_dhcpv6data-oobr.pcap", "hncp_prefix-oobr.pcap",
	"lwres_with_extra.pcap", "OLSRv1_HNA_sgw_1.pcap", "olsr-oobr-1.pcap",
	"cve-2014-8767-OLSR.pcap", "sflow_multiple_counter_30_pdus.pcap", "sflow-print-v6.pcap",
}

// udpAppPorts are the ports of the protocols, as the seeds are sorted
// by them.
var udpAppPorts = []uint16{portNTP, portBabel, portBabelOld, portAHCP, portHNCP, portLWRES, portOLSR, portSFlow}

// udpAppCorpusSeeds returns the messages of udpAppCaptures, or none when
// the corpus is absent.
func udpAppCorpusSeeds(t testing.TB) []udpAppSeed {
	dir, err := corpus.Dir()
	if err != nil {
		return nil
	}
	var seeds []udpAppSeed
	for _, name := range udpAppCaptures {
		for _, fr := range corpus.Read(t, filepath.Join(dir, "tcpdump-4.99.3-all", name)) {
			et, nw := fr.Network()
			payload, _, ok := udpPayloadOf(et, nw)
			if !ok {
				continue
			}
			hlen := 20
			if et == ethernet.TypeIPv6 {
				hlen = 40
			} else if len(nw) > 0 {
				hlen = int(nw[0]&0xf) * 4
			}
			if len(nw) < hlen+4 {
				continue
			}
			sport, dport := be16(nw[hlen:]), be16(nw[hlen+2:])
			for _, p := range udpAppPorts {
				if sport == p || dport == p {
					seeds = append(seeds, udpAppSeed{p, append([]byte(nil), payload...)})
					break
				}
			}
		}
	}
	return seeds
}

// udpAppTableSeeds returns the messages of the printers' tables.
func udpAppTableSeeds() []udpAppSeed {
	var seeds []udpAppSeed
	for _, cases := range [][]printCase{ntpCases, babelCases, ahcpCases, hncpCases, lwresCases, olsrCases, sflowCases} {
		for _, c := range cases {
			for _, f := range c.frames {
				port, data := udpAppPayload(f)
				if port != 0 {
					seeds = append(seeds, udpAppSeed{port, data})
				}
			}
		}
	}
	return seeds
}

// udpAppPayload returns the destination port and payload of a table's
// frame, over IPv4 or IPv6.
func udpAppPayload(f []byte) (uint16, []byte) {
	if len(f) < 14 {
		return 0, nil
	}
	et, nw := ethernet.Type(be16(f[12:])), f[14:]
	payload, _, ok := udpPayloadOf(et, nw)
	if !ok {
		return 0, nil
	}
	hlen := 40
	if et == ethernet.TypeIPv4 {
		hlen = int(nw[0]&0xf) * 4
	}
	return be16(nw[hlen+2:]), append([]byte(nil), payload...)
}

// mutate damages a message: a few bytes changed, some cut or added.
func (g udpAppGen) mutate(m []byte) []byte {
	m = append([]byte(nil), m...)
	if len(m) == 0 {
		return m
	}
	for n := g.rng.IntN(4); n > 0; n-- {
		i := g.rng.IntN(len(m))
		switch g.rng.IntN(4) {
		case 0:
			m[i] = byte(g.rng.Uint32())
		case 1:
			m[i] ^= 1 << g.rng.IntN(8)
		case 2:
			m[i] = []byte{0, 1, 2, 4, 0x7f, 0x80, 0xff}[g.rng.IntN(7)]
		case 3:
			m[i]++
		}
	}
	switch g.rng.IntN(8) {
	case 0:
		m = m[:g.rng.IntN(len(m)+1)]
	case 1:
		m = append(m, make([]byte, g.rng.IntN(8))...)
	}
	return m
}

// udpAppGen draws the damage of the differential test.
type udpAppGen struct{ randGen }

// TestUDPAppsRandomAgainstTCPDump prints thousands of messages of the
// UDP application protocols, from tcpdump's captures and the tables,
// whole and damaged, cut short and with UDP lengths that disagree, over
// IPv4 and IPv6, with tcpdump and with the printers, and requires the
// same text at every verbosity, quiet, and with the raw dumps (which
// show the whole frame after some truncations and not after others).
func TestUDPAppsRandomAgainstTCPDump(t *testing.T) {
	seeds := append(udpAppCorpusSeeds(t), udpAppTableSeeds()...)
	n := 6000
	if testing.Short() {
		n = 600
	}
	g := udpAppGen{randGen{rand.New(rand.NewPCG(123, 6696))}}
	frames := make([]diffFrame, 0, n+len(seeds))
	for _, s := range seeds {
		frames = append(frames, diffFrame{data: udpFrame(dgram{sport: 40000, dport: s.port, data: s.data})})
	}
	for i := 0; i < n; i++ {
		s := seeds[g.rng.IntN(len(seeds))]
		m := g.mutate(s.data)
		var f diffFrame
		hdr := 14 + 20
		if g.rng.IntN(3) == 0 {
			f.data = udp6Frame(v6Client, v6Server, s.port, s.port, m)
			hdr = 14 + 40
		} else {
			d := dgram{sport: 40000 + uint16(g.rng.IntN(1000)), dport: s.port, data: m}
			if g.rng.IntN(10) == 0 {
				d.ulen = 8 + g.rng.IntN(len(m)+1)
			}
			f.data = udpFrame(d)
		}
		if g.rng.IntN(5) == 0 {
			f.snap = hdr + 8 + g.rng.IntN(len(m)+1)
		}
		frames = append(frames, f)
	}
	diffWithTCPDump(t, frames, [][]string{nil, {"-v"}, {"-vv"}, {"-vvv"}, {"-q"}, {"-x"}, {"-vvv", "-e", "-X"}})
}

// TestUDPAppsDoNotAllocate checks that the messages of the tables print
// without allocating once the printer's buffer has grown.
func TestUDPAppsDoNotAllocate(t *testing.T) {
	checkCasesDoNotAllocate(t, ntpCases, babelCases, ahcpCases, hncpCases, lwresCases, olsrCases, sflowCases)
}

// BenchmarkUDPApps prints, with -v, an sFlow datagram with a flow and a
// counter sample, a Babel packet of sixteen TLVs and an HNCP node state
// with its nested TLVs.
func BenchmarkUDPApps(b *testing.B) {
	frames := [][]byte{
		udpFrame(dgram{sport: 40000, dport: 6343, data: sflowDgram(sflowAgent4, sflowFlow, sflowCounters)}),
		udp6Frame(v6Client, v6Server, 6696, 6696, babelFull),
		udp6Frame(v6Client, v6Server, 8231, 8231, hncpFull),
	}
	p := New(nil, Options{Verbose: 1})
	var buf []byte
	n := 0
	for _, f := range frames {
		n += len(f)
	}
	b.ReportAllocs()
	b.SetBytes(int64(n))
	for b.Loop() {
		for _, f := range frames {
			pkt := pcap.Packet{Data: f, Length: len(f), LinkType: pcap.LinkTypeEthernet, FracPerSec: 1e6}
			buf = p.AppendPacket(buf[:0], &pkt)
		}
	}
}
