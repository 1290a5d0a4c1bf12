package tcp_test

import (
	"os"
	"testing"

	"github.com/medina-net/medina/tcp"
)

// TestTimeWaitReuseISN: the connection a SYN opens from TIME-WAIT starts
// its sequence numbers beyond the old connection's sequence space by
// more than a window (RFC 6191 wants them beyond; Linux adds 65535 + 2
// to the old SND.NXT), so that no segment of the old connection can be
// taken for one of the new. The same over IPv6.
func TestTimeWaitReuseISN(t *testing.T) {
	for _, v6 := range []bool{false, true} {
		testTimeWaitReuseISN(t, v6)
	}
}

func testTimeWaitReuseISN(t *testing.T, v6 bool) {
	for _, file := range []string{"testdata/scripts/time-wait-reuse.pkt", "testdata/scripts/time-wait-reuse-seq.pkt"} {
		src, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		lines, err := parseScript(string(src))
		if err != nil {
			t.Fatal(err)
		}
		r := &scriptRun{t: t, file: file, v6: v6}
		if v6 {
			r.mtuShift = 20
		}
		if err := r.run(lines); err != nil {
			r.cleanup()
			t.Fatal(err)
		}
		var isns []uint32
		for i := 0; ; i++ {
			s, ok := r.net.at(i)
			if !ok {
				break
			}
			if s.dst.Is6() != v6 {
				t.Fatalf("%s: a segment to %v in the run over IPv6 %v", file, s.dst, v6)
			}
			if h := s.b; h.Flags()&(tcp.FlagSYN|tcp.FlagACK) == tcp.FlagSYN|tcp.FlagACK {
				isns = append(isns, h.Seq())
			}
		}
		r.cleanup()
		// The old connection sent its SYN and its FIN: SND.NXT = ISS+2.
		if len(isns) != 2 || isns[1]-isns[0] != 2+0xffff+2 {
			t.Errorf("%s (IPv6 %v): SYN-ACK sequence numbers %d, want the second 65539 beyond the first", file, v6, isns)
		}
	}
}
