package tcp

import (
	"bytes"
	"encoding/binary"
	"io"
	"testing"
	"time"

	"github.com/medina-net/medina/checksum"
)

// TestSuperSegments: over a network that takes super-segments
// (GSONetwork), the engine sends new data in super-segments of whole
// MSS-sized segments, their checksum field the pseudo-header's partial
// sum, within the windows; cut up by the network, they carry the data
// intact, over both families; and the engine counts the segments they
// stand for. Over a network that takes none, it sends none.
//
// With gro, the network hands each super-segment whole to the receiving
// engine's InputOffloadAt, its checksum left partial, as a device with
// receive offload does: the data arrives intact, the receiver counts the
// segments it stands for, and it acknowledges less often than every
// second segment.
func TestSuperSegments(t *testing.T) {
	type variant struct {
		gsoMax int
		gro    bool
	}
	for _, fam := range benchFamilies {
		for _, v := range []variant{{0, false}, {16 << 10, false}, {64000, false}, {16 << 10, true}, {64000, true}} {
			gsoMax := v.gsoMax
			p, err := newPipePair(fam.local, fam.remote, 1500)
			if err != nil {
				t.Fatal(err)
			}
			p.a.gsoMax, p.a.gro = gsoMax, v.gro
			rcvBefore, ackBefore := p.b.e.Stats().InSegs, p.b.e.Stats().OutSegs
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
			if v.gro {
				in, acks := p.b.e.Stats().InSegs-rcvBefore, p.b.e.Stats().OutSegs-ackBefore
				t.Logf("%s gsoMax %d whole: receiver counted %d segments, sent %d", fam.name, gsoMax, in, acks)
				if in < uint64(len(data)/p.client.mss) {
					t.Errorf("%s gsoMax %d whole: receiver counted %d segments for %d bytes at MSS %d", fam.name, gsoMax, in, len(data), p.client.mss)
				}
				if acks*2 > in {
					t.Errorf("%s gsoMax %d whole: receiver sent %d segments for %d received: not fewer ACKs than one per two", fam.name, gsoMax, acks, in)
				}
			}
			p.close()
		}
	}
}

// TestSuperSegmentNeedsOffload: a segment whose checksum field holds only
// the pseudo-header's partial sum, as a super-segment's does, is dropped
// as corrupt by Input; only InputOffloadAt, for a device that vouches for
// it, takes it.
func TestSuperSegmentNeedsOffload(t *testing.T) {
	for _, fam := range benchFamilies {
		p, err := newPipePair(fam.local, fam.remote, 1500)
		if err != nil {
			t.Fatal(err)
		}
		p.b.e.BeginBatch() // hold the ACK so the segment's fate shows in the counters only
		before := p.b.e.Stats()
		mss := p.client.mss
		f := Fields{SrcPort: p.client.id.localPort, DstPort: p.client.id.remotePort, Seq: uint32(p.client.sndNxt), Ack: uint32(p.client.rcvNxt), Flags: FlagACK | FlagPSH, Window: 1000}
		seg := make([]byte, HeaderLen+3*mss)
		if _, err := f.Encode(seg); err != nil {
			t.Fatal(err)
		}
		var sum uint32
		if fam.local.Is4() {
			sum = checksum.Pseudo(fam.local.As4(), fam.remote.As4(), ProtocolNumber, uint16(len(seg)))
		} else {
			sum = checksum.Pseudo6(fam.local.As16(), fam.remote.As16(), ProtocolNumber, uint32(len(seg)))
		}
		binary.BigEndian.PutUint16(seg[16:], checksum.Fold(sum))
		now := p.b.e.clock.Now()
		p.b.e.InputAt(fam.local, fam.remote, seg, now)
		if got := p.b.e.Stats().InCsumErrors - before.InCsumErrors; got != 1 {
			t.Fatalf("%s: a partial checksum through Input: %d checksum errors, want 1", fam.name, got)
		}
		p.b.e.InputOffloadAt(fam.local, fam.remote, seg, now, Offload{ChecksumValid: true, SegmentSize: mss})
		if got := p.b.e.Stats().InCsumErrors - before.InCsumErrors; got != 1 {
			t.Fatalf("%s: InputOffloadAt counted a checksum error", fam.name)
		}
		if got := p.b.e.Stats().InSegs - before.InSegs; got != 1+3 {
			t.Errorf("%s: InSegs grew by %d for a plain segment and a super-segment of 3, want 4", fam.name, got)
		}
		p.b.e.EndBatch(now)
		buf := make([]byte, 4*mss)
		p.server.SetReadDeadline(time.Now().Add(5 * time.Second))
		if n, err := io.ReadFull(p.server, buf[:3*mss]); err != nil {
			t.Fatalf("%s: the super-segment's data did not arrive: %d bytes, %v", fam.name, n, err)
		}
		p.close()
	}
}
