package dump

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/medina-net/medina/pcap"
)

// TestIP6TruncationsAgainstTCPDump cuts every frame of the IPv6 table at
// every length from the end of the Ethernet header on, as a capture's
// snap length would, and requires that netdump prints the cut frames as
// the installed tcpdump 4.99.3 does, with no flag, -v, -vv, -q and -e -x:
// the printers must stop where tcpdump's do, with the same words. It
// skips without tcpdump 4.99.3.
func TestIP6TruncationsAgainstTCPDump(t *testing.T) {
	tcpdump := tcpdump4993(t)
	dir := t.TempDir()
	var buf bytes.Buffer
	w, err := pcap.NewWriter(&buf, pcap.LinkTypeEthernet, 0, false)
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, c := range ip6Cases {
		for _, f := range c.frames {
			for cut := 14; cut < len(f); cut++ {
				if err := w.WritePacket(time.Unix(int64(1e9+n), 0), f[:cut], len(f)); err != nil {
					t.Fatal(err)
				}
				n++
			}
		}
	}
	if err := w.Flush(); err != nil {
		t.Fatal(err)
	}
	file := filepath.Join(dir, "cut.pcap")
	if err := os.WriteFile(file, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, flags := range [][]string{nil, {"-v"}, {"-vv"}, {"-q"}, {"-e", "-x"}} {
		t.Run(fmt.Sprint(flags), func(t *testing.T) {
			args := append([]string{"-n", "-r", file}, flags...)
			cmd := exec.Command(tcpdump, args...)
			cmd.Env = append(os.Environ(), "TZ=UTC")
			want, err := cmd.Output()
			if err != nil {
				t.Fatalf("tcpdump %v: %v", args, err)
			}
			if got := printFile(t, file, args); !bytes.Equal(got, want) {
				t.Errorf("%d cut frames: the printer and tcpdump differ: %s", n, firstDiff(want, got))
			}
		})
	}
}
