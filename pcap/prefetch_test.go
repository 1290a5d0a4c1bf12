package pcap

import (
	"bufio"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"
	"unsafe"
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

// TestMappedResidentFlat reads a 128 MB capture and watches the mapping's
// resident pages: the mapping behind the reader is handed back as it
// goes, so they stay within a few tens of megabytes instead of growing to
// the file's size (436 MB resident for a 420 MB capture before).
func TestMappedResidentFlat(t *testing.T) {
	if _, err := os.Stat("/proc/self/smaps"); err != nil {
		t.Skip("no /proc/self/smaps to read the mapping's resident set from")
	}
	name := writeBigCapture(t, 85000) // 128 MB
	r, err := Open(name)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	if r.pf == nil {
		t.Skip("the file was not memory-mapped on this platform")
	}
	start := uintptr(unsafe.Pointer(unsafe.SliceData(r.pf.data)))
	peak := int64(0)
	for i := 0; ; i++ {
		if _, err := r.Next(); err != nil {
			break
		}
		if i%1000 == 0 {
			peak = max(peak, mappingRSS(t, start))
		}
	}
	t.Logf("the mapping of a 128 MB capture had at most %d KiB resident", peak>>10)
	// What the prefetcher has not handed back yet, or the reader if the
	// prefetcher has fallen behind, and what lies ahead of the reader.
	if bound := int64(releaseLag + releaseKeep + releaseStep + prefetchWindow); peak > bound {
		t.Errorf("the mapping had %d bytes resident, over %d", peak, bound)
	}
}

// mappingRSS returns the resident bytes of the mapping that starts at
// start, from /proc/self/smaps.
func mappingRSS(t *testing.T, start uintptr) int64 {
	b, err := os.ReadFile("/proc/self/smaps")
	if err != nil {
		t.Fatal(err)
	}
	// The mapping's header line starts with its address range; its Rss
	// line follows a few lines below, before the next mapping's header.
	prefix := strconv.FormatUint(uint64(start), 16) + "-"
	in := false
	for _, line := range strings.Split(string(b), "\n") {
		if strings.HasPrefix(line, prefix) {
			in = true
			continue
		}
		if rest, ok := strings.CutPrefix(line, "Rss:"); in && ok {
			kb, err := strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(rest), "kB")), 10, 64)
			if err != nil {
				t.Fatal(err)
			}
			return kb << 10
		}
	}
	t.Fatalf("no mapping at %#x in /proc/self/smaps", start)
	return 0
}
