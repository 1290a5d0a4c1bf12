package pcap

import (
	"bytes"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/medina-net/medina/ethernet"
	"github.com/medina-net/medina/ipv4"
	"github.com/medina-net/medina/link"
	"github.com/medina-net/medina/link/pipe"
	"github.com/medina-net/medina/tcp"
)

// gsoDev is a fakeDev that takes TCP super-frames and keeps them.
type gsoDev struct {
	*fakeDev
	supers [][]byte
}

func (d *gsoDev) MaxGSO() int { return 65549 }

func (d *gsoDev) WriteGSO(frame []byte, gso link.GSO) error {
	d.supers = append(d.supers, bytes.Clone(frame))
	return nil
}

// frameRecorder keeps the frames a Tap records.
type frameRecorder struct {
	mu     sync.Mutex
	frames [][]byte
}

func (r *frameRecorder) WriteFrame(ts time.Time, frame []byte, dir Direction) error {
	r.mu.Lock()
	r.frames = append(r.frames, bytes.Clone(frame))
	r.mu.Unlock()
	return nil
}

func (r *frameRecorder) Flush() error { return nil }

// TestTapWriteGSO: a Tap over a device that takes TCP super-frames takes
// them too, passes each on whole, and records the wire-size segments it
// stands for, each a valid IPv4 and TCP packet; over a device that takes
// none, it takes none.
func TestTapWriteGSO(t *testing.T) {
	super, gso := superFrame(t)
	dev := &gsoDev{fakeDev: newFakeDev(macA)}
	rec := &frameRecorder{}
	tp := NewTap(dev, rec, nil)
	if tp.MaxGSO() != dev.MaxGSO() {
		t.Fatalf("MaxGSO = %d, want the device's %d", tp.MaxGSO(), dev.MaxGSO())
	}
	if err := tp.WriteGSO(super, gso); err != nil {
		t.Fatal(err)
	}
	if len(dev.supers) != 1 || !bytes.Equal(dev.supers[0], super) {
		t.Fatalf("the device got %d super-frames, want the one written", len(dev.supers))
	}
	checkSegments(t, rec.frames)

	plain := NewTap(newFakeDev(macA), &frameRecorder{}, nil)
	if plain.MaxGSO() != 0 {
		t.Fatalf("MaxGSO over a device without offload = %d", plain.MaxGSO())
	}
	if err := plain.WriteGSO(super, gso); !errors.Is(err, errors.ErrUnsupported) {
		t.Fatalf("WriteGSO over a device without offload: %v", err)
	}
}

// TestTapReadFramesOffload: a Tap over a device that hands over TCP
// super-frames whole (link.OffloadReader) hands them on whole, with what
// the device said of them, and records the wire-size segments they stand
// for; over a device that hands over none, it says so (MaxReadFrame 0).
func TestTapReadFramesOffload(t *testing.T) {
	super, gso := superFrame(t)
	a, b := pipe.New(pipe.Config{Offload: true})
	defer a.Close()
	rec := &frameRecorder{}
	tp := NewTap(b, rec, nil)
	if tp.MaxReadFrame() != b.MaxReadFrame() || tp.MaxReadFrame() == 0 {
		t.Fatalf("MaxReadFrame = %d, want the device's %d", tp.MaxReadFrame(), b.MaxReadFrame())
	}
	if err := a.WriteGSO(super, gso); err != nil {
		t.Fatal(err)
	}
	bufs := [][]byte{make([]byte, tp.MaxReadFrame())}
	lens, offs := make([]int, 1), make([]link.RxOffload, 1)
	n, err := tp.ReadFramesOffload(bufs, lens, offs)
	if err != nil || n != 1 {
		t.Fatalf("ReadFramesOffload = %d, %v", n, err)
	}
	if !bytes.Equal(bufs[0][:lens[0]], super) || offs[0] != (link.RxOffload{ChecksumValid: true, SegmentSize: gso.SegmentSize}) {
		t.Fatalf("read %d bytes with %+v: not the super-frame written, whole", lens[0], offs[0])
	}
	checkSegments(t, rec.frames)

	c, d := pipe.New(pipe.Config{})
	defer c.Close()
	if mr := NewTap(d, rec, nil).MaxReadFrame(); mr != 0 {
		t.Errorf("MaxReadFrame over a device without offload = %d", mr)
	}
}

var (
	superSrc = ipv4.Addr{192, 0, 2, 1}
	superDst = ipv4.Addr{192, 0, 2, 2}
)

const superMSS, superPayload = 1448, 4000

// superFrame returns a TCP super-frame of 4000 bytes in segments of 1448
// from superSrc to superDst, its checksum field left as a stack leaves
// it for the device.
func superFrame(t *testing.T) ([]byte, link.GSO) {
	src, dst := superSrc, superDst
	const payload = superPayload
	super := make([]byte, ethernet.HeaderLen+20+20+payload)
	ethernet.Encode(super, macB, macA, ethernet.TypeIPv4)
	ip := ipv4.Fields{PayloadLen: 20 + payload, TTL: 64, Protocol: ipv4.ProtoTCP, Flags: ipv4.FlagDF, Src: src, Dst: dst}
	if _, err := ip.Encode(super[ethernet.HeaderLen:]); err != nil {
		t.Fatal(err)
	}
	th := tcp.Fields{SrcPort: 80, DstPort: 40000, Seq: 1000, Ack: 1, Flags: tcp.FlagACK | tcp.FlagPSH, Window: 100}
	if _, err := th.Encode(super[ethernet.HeaderLen+20:]); err != nil {
		t.Fatal(err)
	}
	for i := range payload {
		super[ethernet.HeaderLen+40+i] = byte(i)
	}
	return super, link.GSO{NetworkOff: 14, TransportOff: 34, HeaderLen: 54, SegmentSize: superMSS}
}

// checkSegments checks that frames are superFrame's three segments,
// each a valid IPv4 and TCP packet.
func checkSegments(t *testing.T, frames [][]byte) {
	t.Helper()
	src, dst := superSrc, superDst
	const mss, payload = superMSS, superPayload
	if len(frames) != 3 {
		t.Fatalf("recorded %d frames, want 3", len(frames))
	}
	for i, f := range frames {
		want := 54 + min(mss, payload-i*mss)
		h := ipv4.Header(f[ethernet.HeaderLen:])
		seg := tcp.Header(f[ethernet.HeaderLen+20:])
		if len(f) != want || h.Check() != nil || int(h.TotalLen()) != want-14 || !seg.ChecksumValid(src, dst) {
			t.Errorf("segment %d: %d bytes (want %d), IPv4 %v, total length %d, TCP checksum valid %v",
				i, len(f), want, h.Check(), h.TotalLen(), seg.ChecksumValid(src, dst))
		}
		if seg.Seq() != 1000+uint32(i*mss) || seg.Flags().Has(tcp.FlagPSH) != (i == 2) {
			t.Errorf("segment %d: seq %d, flags %v", i, seg.Seq(), seg.Flags())
		}
	}
}
