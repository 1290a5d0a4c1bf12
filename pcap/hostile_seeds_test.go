package pcap_test

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"testing"

	"github.com/medina-net/medina/internal/hostilecap"
)

var updateSeeds = flag.Bool("update", false, "write the hostile seeds of FuzzReader's corpus")

// TestHostileFuzzSeeds checks that FuzzReader's seed corpus
// (testdata/fuzz/FuzzReader) holds the hostile shapes of issue 9: a record
// that claims 4 GiB in a file whose snapshot length is as large, a pcapng
// block that claims 4 GiB, frames behind 300 VLAN tags, and a flood of
// connections that each start a TLS record. -update writes them.
func TestHostileFuzzSeeds(t *testing.T) {
	seeds := map[string][]byte{
		"hostile-half-open-tls": hostilecap.HalfOpenTLS{Conns: 48, SYN: true, Payload: 20}.Pcap(),
		"hostile-giant-caplen":  hostilecap.GiantCaplen(0xffffffff),
		"hostile-huge-block":    hostilecap.HugeBlock(0xfffffffc),
		"hostile-deep-vlan":     hostilecap.DeepVLAN(300),
	}
	for name, b := range seeds {
		path := filepath.Join("testdata", "fuzz", "FuzzReader", name)
		want := hostilecap.FuzzSeed(b)
		if *updateSeeds {
			if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(path, want, 0o644); err != nil {
				t.Fatal(err)
			}
			continue
		}
		got, err := os.ReadFile(path)
		if err != nil || !bytes.Equal(got, want) {
			t.Errorf("%s: missing or not what hostilecap makes (%v): go test ./pcap -run TestHostileFuzzSeeds -update", path, err)
		}
	}
}
