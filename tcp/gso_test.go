package tcp

import (
	"bytes"
	"io"
	"testing"
	"time"
)

// TestSuperSegments: over a network that takes super-segments
// (GSONetwork), the engine sends new data in super-segments of whole
// MSS-sized segments, their checksum field the pseudo-header's partial
// sum, within the windows; cut up by the network, they carry the data
// intact, over both families; and the engine counts the segments they
// stand for. Over a network that takes none, it sends none.
func TestSuperSegments(t *testing.T) {
	for _, fam := range benchFamilies {
		for _, gsoMax := range []int{0, 16 << 10, 64000} {
			p, err := newPipePair(fam.local, fam.remote, 1500)
			if err != nil {
				t.Fatal(err)
			}
			p.a.gsoMax = gsoMax
			data := make([]byte, 4<<20)
			for i := range data {
				data[i] = byte(i*31 + i>>9)
			}
			got := make(chan []byte, 1)
			go func() {
				b, _ := io.ReadAll(p.server)
				got <- b
			}()
			before := p.a.e.Stats().OutSegs
			if _, err := p.client.Write(data); err != nil {
				t.Fatal(err)
			}
			p.client.CloseWrite()
			var b []byte
			select {
			case b = <-got:
			case <-time.After(30 * time.Second):
				t.Fatalf("%s gsoMax %d: transfer stalled after %d super-segments (%d wrong); client %+v", fam.name, gsoMax, p.a.supers.Load(), p.a.badSupers.Load(), p.a.e.Stats())
			}
			if !bytes.Equal(b, data) {
				t.Fatalf("%s gsoMax %d: %d bytes arrived, not the %d sent", fam.name, gsoMax, len(b), len(data))
			}
			supers, bad := p.a.supers.Load(), p.a.badSupers.Load()
			segs := p.a.e.Stats().OutSegs - before
			t.Logf("%s gsoMax %d: %d super-segments, %d segments counted", fam.name, gsoMax, supers, segs)
			switch {
			case gsoMax == 0 && supers != 0:
				t.Errorf("%s: %d super-segments over a network that takes none", fam.name, supers)
			case gsoMax > 0 && supers == 0:
				t.Errorf("%s gsoMax %d: no super-segments", fam.name, gsoMax)
			case bad != 0:
				t.Errorf("%s gsoMax %d: %d super-segments with a wrong checksum or layout", fam.name, gsoMax, bad)
			case segs < uint64(len(data)/p.client.mss):
				t.Errorf("%s gsoMax %d: %d segments counted for %d bytes at MSS %d", fam.name, gsoMax, segs, len(data), p.client.mss)
			}
			p.close()
		}
	}
}
