package main

import (
	"io"
	"path/filepath"
	"testing"

	"github.com/medina-net/medina/pcap"
)

// BenchmarkNetdumpFile prints a whole capture to io.Discard with netdump's
// default flags and reports the time per packet. It uses the large capture
// the bench script records (bench/out/bulk-*.pcap) when present, and the
// project's own small capture otherwise.
func BenchmarkNetdumpFile(b *testing.B) {
	files, _ := filepath.Glob(filepath.Join(repoRoot(b), "bench", "out", "bulk-*.pcap"))
	if len(files) == 0 {
		files = []string{filepath.Join(repoRoot(b), "testdata", "pcaps", "tcp-session.pcap")}
	}
	file := files[0]
	packets := countPackets(b, file)
	b.ReportAllocs()
	for b.Loop() {
		if rc := run([]string{"-n", "-r", file}, nil, io.Discard, io.Discard); rc != 0 {
			b.Fatalf("netdump exited %d", rc)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(packets), "ns/packet")
	b.ReportMetric(float64(packets), "packets")
}

func countPackets(b *testing.B, file string) int {
	r, err := pcap.Open(file)
	if err != nil {
		b.Fatal(err)
	}
	defer r.Close()
	n := 0
	for {
		if _, err := r.Next(); err != nil {
			return n
		}
		n++
	}
}
