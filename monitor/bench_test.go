package monitor

import (
	"io"
	"testing"

	"github.com/medina-net/medina/link/pipe"
)

// BenchmarkWriteMetrics times a scrape of /metrics of a stack with 20
// connections: every counter, the connections' series and the
// listener's.
func BenchmarkWriteMetrics(b *testing.B) {
	a, c := newPair(b, pipe.Config{})
	for range 20 {
		defer echo(b, c, 1000).Close()
	}
	m := New(a, Options{})
	b.ReportAllocs()
	for b.Loop() {
		if err := m.WriteMetrics(io.Discard); err != nil {
			b.Fatal(err)
		}
	}
}
