package pcap

import (
	"bufio"
	"os"
	"path/filepath"
	"runtime"
	"testing"
	"time"
)

// writeBigCapture writes n Ethernet-sized packets to a classic pcap file.
func writeBigCapture(t *testing.T, n int) string {
	t.Helper()
	name := filepath.Join(t.TempDir(), "big.pcap")
	f, err := os.Create(name)
	if err != nil {
		t.Fatal(err)
	}
	bw := bufio.NewWriter(f)
	w, err := NewWriter(bw, LinkTypeEthernet, 65535, false)
	if err != nil {
		t.Fatal(err)
	}
	pkt := make([]byte, 1514)
	for i := 0; i < n; i++ {
		pkt[0] = byte(i)
		if err := w.WritePacket(time.Unix(int64(i), 0), pkt, len(pkt)); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Flush(); err != nil {
		t.Fatal(err)
	}
	if err := bw.Flush(); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
	return name
}

// TestPrefetcherStopsOnClose closes a mapped file early, many times, with
// the prefetcher running ahead: Close must stop it before unmapping (or the
// process faults), and no goroutine may be left behind.
func TestPrefetcherStopsOnClose(t *testing.T) {
	name := writeBigCapture(t, 5000) // 7.5 MB, more than the window
	before := runtime.NumGoroutine()
	for i := 0; i < 50; i++ {
		r, err := Open(name)
		if err != nil {
			t.Fatal(err)
		}
		if r.pf == nil {
			t.Skip("the file was not memory-mapped on this platform")
		}
		for j := 0; j < i*20; j++ {
			if _, err := r.Next(); err != nil {
				t.Fatal(err)
			}
		}
		if err := r.Close(); err != nil {
			t.Fatal(err)
		}
	}
	// Close waits for the prefetcher to say it is done, which it says
	// just before its goroutine returns: give the last one a moment to
	// go.
	after := runtime.NumGoroutine()
	for deadline := time.Now().Add(5 * time.Second); after > before && time.Now().Before(deadline); after = runtime.NumGoroutine() {
		time.Sleep(time.Millisecond)
	}
	if after > before {
		t.Errorf("%d goroutines before, %d after closing every reader", before, after)
	}
}

// TestPrefetchedReadMatches reads a mapped file to the end and checks every
// packet, so the prefetcher running beside the reader changes nothing.
func TestPrefetchedReadMatches(t *testing.T) {
	name := writeBigCapture(t, 3000)
	r, err := Open(name)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	for i := 0; ; i++ {
		p, err := r.Next()
		if err != nil {
			if i != 3000 {
				t.Fatalf("read %d packets, want 3000 (%v)", i, err)
			}
			break
		}
		if p.Data[0] != byte(i) || p.Sec != int64(i) || len(p.Data) != 1514 {
			t.Fatalf("packet %d: first byte %d, sec %d, len %d", i, p.Data[0], p.Sec, len(p.Data))
		}
	}
}
