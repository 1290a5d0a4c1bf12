package pcap

import (
	"bytes"
	"testing"

	"github.com/medina-net/medina/ethernet"
	"github.com/medina-net/medina/link"
	"github.com/medina-net/medina/link/pipe"
)

// A Tap over a layer-3 device says it is one (link.Layer3), so that a
// stack over it resolves no neighbours, and records the frames it passes
// with their synthetic Ethernet headers: a LinkTypeEthernet capture.
func TestTapLayer3(t *testing.T) {
	a, b := pipe.NewLayer3(pipe.Config{})
	eth, _ := pipe.New(pipe.Config{})
	rec := &frameRecorder{}
	tp := NewTap(b, rec, nil)
	if !link.IsLayer3(tp) || link.IsLayer3(NewTap(eth, rec, nil)) {
		t.Fatal("a Tap does not pass on whether its device is layer-3")
	}
	pkt := make([]byte, ethernet.HeaderLen+20)
	pkt[ethernet.HeaderLen] = 0x45
	if err := a.WriteFrame(pkt); err != nil {
		t.Fatal(err)
	}
	buf := make([]byte, link.FrameLen(tp))
	n, err := tp.ReadFrame(buf)
	if err != nil {
		t.Fatal(err)
	}
	f := ethernet.Frame(buf[:n])
	if f.Dst() != b.HardwareAddr() || f.Type() != ethernet.TypeIPv4 {
		t.Errorf("read % x: no synthetic header", buf[:n])
	}
	if len(rec.frames) != 1 || !bytes.Equal(rec.frames[0], buf[:n]) {
		t.Errorf("recorded % x, read % x", rec.frames, buf[:n])
	}
}
