package icmpv6

// The ICMPv6 messages of captures, through internal/corpus: the captures
// of the shared corpus (tests that use it skip when it is absent).

import (
	"path/filepath"
	"testing"

	"github.com/medina-net/medina/ethernet"
	"github.com/medina-net/medina/internal/corpus"
	"github.com/medina-net/medina/ipv6"
)

// captured is one ICMPv6 message from a capture: what the IPv6 payload
// length gives it, clipped to what was captured, with the addresses of its
// checksum's pseudo-header.
type captured struct {
	file     string
	n        int // packet number from 1, as tcpdump counts
	m        []byte
	length   int // the message's length by the IPv6 header
	src, dst ipv6.Addr
}

// icmpv6In returns the ICMPv6 message an IPv6 packet carries after its
// extension headers, or ok false.
func icmpv6In(b []byte) (c captured, ok bool) {
	h, err := ipv6.NewHeader(b)
	if err != nil || h.Version() != 6 || h.PayloadLen() == 0 {
		return c, false
	}
	p, off, how := h.UpperLayer()
	if how != ipv6.ChainUpper || p != ProtocolNumber {
		return c, false
	}
	end := ipv6.HeaderLen + int(h.PayloadLen())
	if off > end || off > len(b) {
		return c, false
	}
	c.length = end - off
	c.m = b[off:min(end, len(b))]
	c.src, c.dst = h.Src(), h.FinalDst()
	return c, true
}

// readICMPv6 returns the ICMPv6 messages of a capture.
func readICMPv6(t testing.TB, path string) []captured {
	t.Helper()
	var out []captured
	for _, p := range corpus.Packets(t, ethernet.TypeIPv6, path) {
		if c, ok := icmpv6In(p.Data); ok {
			c.file, c.n = p.File, p.Num
			out = append(out, c)
		}
	}
	return out
}

// corpusFiles returns the captures of tcpdump 4.99.3's test suite and of
// the tcpdump directory, each file name once; none without the corpus.
func corpusFiles() []string {
	seen := map[string]bool{}
	var files []string
	for _, f := range corpus.Files("tcpdump-4.99.3-all", "tcpdump", "gopacket") {
		if base := filepath.Base(f); !seen[base] {
			seen[base] = true
			files = append(files, f)
		}
	}
	return files
}

// capture returns the ICMPv6 messages of one capture of tcpdump 4.99.3's
// test suite, skipping the test when the corpus is absent.
func capture(t testing.TB, name string) []captured {
	t.Helper()
	return readICMPv6(t, filepath.Join(corpus.Need(t), "tcpdump-4.99.3-all", name))
}
