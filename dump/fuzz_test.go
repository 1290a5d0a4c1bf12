package dump

import (
	"math/rand/v2"
	"testing"

	"github.com/medina-net/medina/pcap"
)

// fuzzFlagSets are the flag combinations FuzzPrintPacket picks from, so
// that the verbose, quiet and absolute-sequence paths are fuzzed too.
var fuzzFlagSets = [][]string{
	nil, {"-v"}, {"-vv"}, {"-vvv"}, {"-q"}, {"-S"}, {"-e", "-x"}, {"-K", "-vv"},
}

// FuzzPrintPacket feeds arbitrary bytes to the printers as an Ethernet
// frame, captured whole or cut short, and requires that printing never
// panics: running off the captured data must end in the truncation
// mechanism, which dissect recovers, and nothing else may go wrong.
// The frame is printed twice with one printer, so that the second pass
// finds the TCP connection table filled by the first.
func FuzzPrintPacket(f *testing.F) {
	for _, cases := range [][]printCase{tcpCases, udpCases, ntpCases, babelCases, ahcpCases, hncpCases, lwresCases, olsrCases, sflowCases, icmp6Cases, routingCases, lldpCases, bootpCases, ip6Cases, pppoeCases} {
		for _, c := range cases {
			for _, fr := range c.frames {
				f.Add(fr, uint8(0), uint16(0))
				f.Add(fr, uint8(2), uint16(len(fr)/2))
			}
		}
	}
	// Generated routing protocol and LLDP messages, to reach deep into
	// their printers.
	g := randGen{rand.New(rand.NewPCG(1, 2))}
	for _, gen := range []func() []byte{func() []byte { return g.pimMsg(false) }, func() []byte { return g.pimMsg(true) },
		g.igmpMsg, g.eigrpMsg, g.ospf6Msg, g.ospfMsg, g.lldpMsg, g.bootpMsg, g.autoRPMsg, func() []byte { return cdpFrame(cat([]byte{2, 180, 0, 0}, g.cdpTLV(), g.cdpTLV())) }} {
		for i := range 16 {
			f.Add(gen(), uint8(i), uint16(0))
		}
	}
	f.Fuzz(func(t *testing.T, frame []byte, flags uint8, cut uint16) {
		args := fuzzFlagSets[int(flags)%len(fuzzFlagSets)]
		p := New(nil, flagOptions(t, append([]string{"-n", "-r", "-"}, args...)))
		data := frame
		if c := int(cut); c > 0 && c < len(data) {
			data = data[:c]
		}
		if len(data) == 0 {
			return
		}
		pkt := &pcap.Packet{Data: data, Length: len(frame), LinkType: pcap.LinkTypeEthernet, FracPerSec: 1e6}
		p.AppendPacket(nil, pkt)
		p.AppendPacket(nil, pkt)
	})
}
