package icmp

// The ICMP messages of captures, through internal/corpus: the project's
// linux-lo.pcap and the tcpdump captures of the shared corpus (tests that
// use the corpus skip when it is absent).

import (
	"path/filepath"
	"testing"

	"github.com/medina-net/medina/ethernet"
	"github.com/medina-net/medina/internal/corpus"
	"github.com/medina-net/medina/ipv4"
)

// linuxLoPcap is Linux talking to itself on lo, made by
// testdata/linux-lo.py at the module root; ipv4's tests read it too.
const linuxLoPcap = "../testdata/pcaps/linux-lo.pcap"

// capturedIPv4 is one IPv4 datagram from a capture, as the link layer left
// it: cut short by the snap length, or followed by padding.
type capturedIPv4 struct {
	file string
	n    int // packet number from 1, as tcpdump counts
	b    []byte
}

// readIPv4 returns the IPv4 datagrams of a classic pcap or pcapng file.
func readIPv4(t testing.TB, path string) []capturedIPv4 {
	t.Helper()
	var out []capturedIPv4
	for _, p := range corpus.Packets(t, ethernet.TypeIPv4, path) {
		out = append(out, capturedIPv4{p.File, p.Num, p.Data})
	}
	return out
}

// corpusFiles returns the captures of the tcpdump corpus, none when it is
// absent.
func corpusFiles() []string { return corpus.Files("tcpdump") }

// capture returns the datagrams of one capture of the tcpdump corpus,
// skipping the test when the corpus is absent.
func capture(t testing.TB, name string) []capturedIPv4 {
	t.Helper()
	return readIPv4(t, filepath.Join(corpus.Need(t), "tcpdump", name))
}

// icmpIn returns the ICMP message a captured IPv4 datagram carries: its
// payload as the total length says, clipped to what was captured (what
// tcpdump hands its ICMP printer), with the IP header. ok is false for
// anything else, non-first fragments included.
func icmpIn(b []byte) (m []byte, h ipv4.Header, ok bool) {
	h, err := ipv4.NewHeader(b)
	if err != nil || h.Version() != 4 || h.Protocol() != ipv4.ProtoICMP || h.FragOffset() != 0 ||
		h.HeaderLen() < ipv4.MinHeaderLen || h.HeaderLen() > len(h) {
		return nil, nil, false
	}
	return h.Payload(), h, true
}
