package tcp

// The captures of the shared corpus, through internal/corpus, under the
// names this package's tests use. Tests that use them skip when the corpus
// is absent.

import (
	"testing"

	"github.com/medina-net/medina/internal/corpus"
)

// corpusDir is the shared corpus beside the checkout, "" when it is absent.
var corpusDir, _ = corpus.Dir()

// needCorpus skips t when the shared corpus is absent.
var needCorpus = corpus.Need

// ipPacket is the transport part of an IPv4 packet (a corpus.IPv4Packet).
type ipPacket struct {
	file     string
	num      int // 1-based, as tcpdump numbers packets
	src, dst [4]byte
	proto    uint8
	// length is what the IPv4 header says the transport part is; data is
	// what was captured of it.
	length int
	data   []byte
}

// ipv4Packets returns the IPv4 packets of every capture under the corpus
// directories dirs whose transport is proto, first fragments only.
func ipv4Packets(t testing.TB, proto uint8, dirs ...string) []ipPacket {
	t.Helper()
	needCorpus(t)
	var pkts []ipPacket
	for _, p := range corpus.IPv4(t, proto, corpus.Files(dirs...)...) {
		pkts = append(pkts, ipPacket{p.File, p.Num, p.Src, p.Dst, p.Proto, p.Length, p.Data})
	}
	return pkts
}
