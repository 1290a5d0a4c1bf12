package ipv6

// The IPv6 packets of captures, through internal/corpus: the tcpdump
// captures of the shared corpus (tests that use it skip when it is
// absent).

import (
	"path/filepath"
	"testing"

	"github.com/medina-net/medina/ethernet"
	"github.com/medina-net/medina/internal/corpus"
	"github.com/medina-net/medina/ipv4"
)

// capturedIPv6 is one IPv6 packet from a capture, as the link layer left
// it: cut short by the snap length, or followed by padding.
type capturedIPv6 struct {
	file  string
	n     int // packet number from 1, as tcpdump counts
	b     []byte
	inner bool // found inside another packet (IPv6 in IPv4 or IPv6)
}

// corpusFiles returns the captures of tcpdump 4.99.3's whole test suite and
// of the tcpdump and gopacket directories, each file name once; none when
// the corpus is absent.
func corpusFiles() []string {
	seen := map[string]bool{}
	var files []string
	for _, f := range corpus.Files("tcpdump-4.99.3-all", "tcpdump", "gopacket", "tls", "filters") {
		if base := filepath.Base(f); !seen[base] {
			seen[base] = true
			files = append(files, f)
		}
	}
	return files
}

// readIPv6 returns the IPv6 packets of a capture, those an IPv4 or IPv6
// packet of it tunnels included.
func readIPv6(t testing.TB, path string) []capturedIPv6 {
	t.Helper()
	var out []capturedIPv6
	for _, p := range corpus.Packets(t, ethernet.TypeIPv6, path) {
		out = append(out, capturedIPv6{p.File, p.Num, p.Data, false})
		out = appendTunneled(out, p.File, p.Num, p.Data, 0)
	}
	for _, p := range corpus.Packets(t, ethernet.TypeIPv4, path) {
		h, err := ipv4.NewHeader(p.Data)
		if err != nil || h.Protocol() != ipv4.ProtoIPv6 || h.FragOffset() != 0 || h.HeaderLen() < ipv4.MinHeaderLen {
			continue
		}
		if pl := h.Payload(); len(pl) > 0 {
			out = append(out, capturedIPv6{p.File, p.Num, pl, true})
			out = appendTunneled(out, p.File, p.Num, pl, 0)
		}
	}
	return out
}

// appendTunneled appends the IPv6 packet that b carries after its chain,
// if it carries one, and so on a few levels down.
func appendTunneled(out []capturedIPv6, file string, n int, b []byte, depth int) []capturedIPv6 {
	h, err := NewHeader(b)
	if err != nil || depth > 3 {
		return out
	}
	if p, off, how := h.UpperLayer(); how == ChainUpper && p == ipv4.ProtoIPv6 && off < len(h.Payload())+HeaderLen {
		inner := b[off : HeaderLen+len(h.Payload())]
		out = append(out, capturedIPv6{file, n, inner, true})
		return appendTunneled(out, file, n, inner, depth+1)
	}
	return out
}

// corpusIPv6 returns every IPv6 packet of the corpus, skipping the test
// when the corpus is absent.
func corpusIPv6(t testing.TB) []capturedIPv6 {
	t.Helper()
	corpus.Need(t)
	var out []capturedIPv6
	for _, f := range corpusFiles() {
		out = append(out, readIPv6(t, f)...)
	}
	return out
}

// capture returns the IPv6 packets of one capture of tcpdump 4.99.3's test
// suite, skipping the test when the corpus is absent.
func capture(t testing.TB, name string) []capturedIPv6 {
	t.Helper()
	return readIPv6(t, filepath.Join(corpus.Need(t), "tcpdump-4.99.3-all", name))
}
