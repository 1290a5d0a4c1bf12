package pipe_test

import (
	"bytes"
	"errors"
	"testing"

	"github.com/medina-net/medina/ethernet"
	"github.com/medina-net/medina/link"
	"github.com/medina-net/medina/link/pipe"
)

// l3Frame is a frame whose header is junk, carrying a packet that starts
// with the version nibble v.
func l3Frame(v byte, n int) []byte {
	f := bytes.Repeat([]byte{0xee}, ethernet.HeaderLen+n)
	for i := ethernet.HeaderLen; i < len(f); i++ {
		f[i] = byte(i)
	}
	f[ethernet.HeaderLen] = v<<4 | 5
	return f
}

// What crosses a layer-3 pipe is the packet: the reader finds it behind
// a header of its own, whatever the writer's held, by every way of
// reading and writing; what is not IP does not cross.
func TestLayer3(t *testing.T) {
	a, b := pipe.NewLayer3(pipe.Config{})
	defer a.Close()
	if !link.IsLayer3(a) || !link.IsLayer3(b) {
		t.Fatal("a layer-3 pipe's ends do not say so")
	}
	want := func(f []byte, v byte) []byte {
		w := bytes.Clone(f)
		fr := ethernet.Frame(w)
		fr.SetDst(b.HardwareAddr())
		fr.SetSrc(ethernet.Addr{})
		fr.SetType(map[byte]ethernet.Type{4: ethernet.TypeIPv4, 6: ethernet.TypeIPv6}[v])
		return w
	}
	f4, f6 := l3Frame(4, 40), l3Frame(6, 60)
	if err := a.WriteFrame(f4); err != nil {
		t.Fatal(err)
	}
	if n, err := a.WriteFrames([][]byte{f6, f4}); n != 2 || err != nil {
		t.Fatalf("WriteFrames = %d, %v", n, err)
	}
	sw := make([]byte, link.FrameLen(a))
	copy(sw, f6)
	if err := a.SwapWriteFrame(&sw, len(f6)); err != nil {
		t.Fatal(err)
	}
	buf := make([]byte, link.FrameLen(b))
	n, err := b.ReadFrame(buf)
	if err != nil || !bytes.Equal(buf[:n], want(f4, 4)) {
		t.Errorf("ReadFrame = % x, %v; want % x", buf[:n], err, want(f4, 4))
	}
	bufs := [][]byte{make([]byte, link.FrameLen(b)), make([]byte, link.FrameLen(b))}
	lens := make([]int, 2)
	if k, err := b.ReadFrames(bufs, lens); k != 2 || err != nil ||
		!bytes.Equal(bufs[0][:lens[0]], want(f6, 6)) || !bytes.Equal(bufs[1][:lens[1]], want(f4, 4)) {
		t.Errorf("ReadFrames = %d, %v: % x, % x", k, err, bufs[0][:lens[0]], bufs[1][:lens[1]])
	}
	if k, err := b.SwapReadFrames(bufs[:1], lens); k != 1 || err != nil || !bytes.Equal(bufs[0][:lens[0]], want(f6, 6)) {
		t.Errorf("SwapReadFrames = %d, %v: % x", k, err, bufs[0][:lens[0]])
	}

	// No packet, or not IP (an ARP frame): refused, counted, not sent.
	arp := make([]byte, 60)
	ethernet.Encode(arp, ethernet.Broadcast, a.HardwareAddr(), ethernet.TypeARP)
	for _, f := range [][]byte{arp, make([]byte, ethernet.HeaderLen)} {
		if err := a.WriteFrame(f); !errors.Is(err, pipe.ErrNotIP) {
			t.Errorf("WriteFrame of % x: %v, want ErrNotIP", f[:min(len(f), 16)], err)
		}
	}
	if n, err := a.WriteFrames([][]byte{f4, arp, f4}); n != 1 || !errors.Is(err, pipe.ErrNotIP) {
		t.Errorf("WriteFrames with an ARP frame second = %d, %v; want 1, ErrNotIP", n, err)
	}
	if st := a.Stats(); st.TxErrors != 3 || st.TxFrames != 5 {
		t.Errorf("Stats = %+v, want 3 refused and 5 sent", st)
	}
	short := make([]byte, 16)
	if n, err := b.ReadFrame(short); n != 16 || err != nil || !bytes.Equal(short, want(f4, 4)[:16]) {
		t.Errorf("ReadFrame into 16 bytes = % x, %v", short[:n], err)
	}
	if st := b.Stats(); st.RxQueued != 0 {
		t.Errorf("%d frames still queued: something not IP crossed", st.RxQueued)
	}
}
