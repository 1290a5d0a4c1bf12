package arp

// The ARP packets of the shared corpus, through internal/corpus. Tests that
// use them skip when the corpus is absent.

import (
	"testing"

	"github.com/medina-net/medina/ethernet"
	"github.com/medina-net/medina/internal/corpus"
)

// corpusDir is the shared corpus beside the checkout, "" when it is absent.
var corpusDir, _ = corpus.Dir()

// needCorpus skips t when the shared corpus is absent.
var needCorpus = corpus.Need

// arpFrame is the ARP packet of a captured frame: what follows the
// link-layer header.
type arpFrame struct {
	file string
	num  int // 1-based, as tcpdump numbers packets
	data []byte
}

// arpPackets returns the ARP packets of every capture under the corpus
// directories dirs.
func arpPackets(t testing.TB, dirs ...string) []arpFrame {
	t.Helper()
	needCorpus(t)
	var pkts []arpFrame
	for _, p := range corpus.Packets(t, ethernet.TypeARP, corpus.Files(dirs...)...) {
		pkts = append(pkts, arpFrame{p.File, p.Num, p.Data})
	}
	return pkts
}
