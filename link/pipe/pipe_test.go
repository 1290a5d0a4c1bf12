package pipe

import (
	"bytes"
	"encoding/binary"
	"errors"
	"net"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/medina-net/medina/ethernet"
	"github.com/medina-net/medina/link"
)

// frame returns an Ethernet frame of n bytes from src with seq in the
// first payload bytes, so a test can tell frames apart.
func frame(n int, src ethernet.Addr, seq uint32) []byte {
	f := make([]byte, n)
	if n < ethernet.HeaderLen {
		return f
	}
	ethernet.Encode(f, ethernet.Broadcast, src, ethernet.TypeIPv4)
	if n >= ethernet.HeaderLen+4 {
		binary.BigEndian.PutUint32(f[ethernet.HeaderLen:], seq)
	}
	for i := ethernet.HeaderLen + 4; i < n; i++ {
		f[i] = byte(i)
	}
	return f
}

func seqOf(f []byte) uint32 { return binary.BigEndian.Uint32(f[ethernet.HeaderLen:]) }

func TestDefaults(t *testing.T) {
	a, b := New(Config{})
	defer a.Close()
	if a.MTU() != 1500 || b.MTU() != 1500 {
		t.Errorf("MTU = %d, %d; want 1500", a.MTU(), b.MTU())
	}
	if link.FrameLen(a) != 1518 {
		t.Errorf("FrameLen = %d, want 1518", link.FrameLen(a))
	}
	ma, mb := a.HardwareAddr(), b.HardwareAddr()
	if ma == mb || ma[0]&2 == 0 || mb[0]&2 == 0 || ma.IsMulticast() || mb.IsMulticast() {
		t.Errorf("addresses %v, %v: want distinct, unicast, locally administered", ma, mb)
	}
	if len(a.tx.slots) != DefaultQueue {
		t.Errorf("queue of %d frames, want %d", len(a.tx.slots), DefaultQueue)
	}

	x := ethernet.Addr{0x02, 0xaa, 0, 0, 0, 1}
	y := ethernet.Addr{0x02, 0xbb, 0, 0, 0, 2}
	a, b = New(Config{MTU: 9000, AddrA: x, AddrB: y, Queue: 3})
	if a.MTU() != 9000 || a.HardwareAddr() != x || b.HardwareAddr() != y || len(b.tx.slots) != 3 {
		t.Errorf("Config not applied: MTU %d, %v, %v, queue %d", a.MTU(), a.HardwareAddr(), b.HardwareAddr(), len(b.tx.slots))
	}
}

func TestOrderBothDirections(t *testing.T) {
	a, b := New(Config{})
	defer a.Close()
	buf := make([]byte, link.FrameLen(a))
	for _, dir := range []struct {
		name     string
		from, to *End
	}{{"a->b", a, b}, {"b->a", b, a}} {
		for i := range 100 {
			if err := dir.from.WriteFrame(frame(60+i, dir.from.HardwareAddr(), uint32(i))); err != nil {
				t.Fatalf("%s: WriteFrame %d: %v", dir.name, i, err)
			}
		}
		for i := range 100 {
			n, err := dir.to.ReadFrame(buf)
			if err != nil {
				t.Fatalf("%s: ReadFrame %d: %v", dir.name, i, err)
			}
			want := frame(60+i, dir.from.HardwareAddr(), uint32(i))
			if !bytes.Equal(buf[:n], want) {
				t.Fatalf("%s: frame %d = % x..., want % x...", dir.name, i, buf[:18], want[:18])
			}
		}
	}
}

func TestWriterMayReuseFrame(t *testing.T) {
	a, b := New(Config{})
	defer a.Close()
	f := frame(100, a.HardwareAddr(), 1)
	a.WriteFrame(f)
	binary.BigEndian.PutUint32(f[ethernet.HeaderLen:], 2)
	a.WriteFrame(f)
	buf := make([]byte, 1518)
	for want := uint32(1); want <= 2; want++ {
		n, _ := b.ReadFrame(buf)
		if got := seqOf(buf[:n]); got != want {
			t.Errorf("frame with seq %d, want %d: the pipe kept the caller's buffer", got, want)
		}
	}
}

func TestDropWhenFull(t *testing.T) {
	a, b := New(Config{Queue: 4})
	defer a.Close()
	for i := range 10 {
		if err := a.WriteFrame(frame(64, a.HardwareAddr(), uint32(i))); err != nil {
			t.Fatalf("WriteFrame %d into a full queue: %v, want nil (a drop is not an error)", i, err)
		}
	}
	s := a.Stats()
	if s.TxFrames != 4 || s.TxDropped != 6 || s.TxBytes != 4*64 {
		t.Errorf("after 10 writes into a queue of 4: %+v, want 4 sent, 6 dropped", s)
	}
	if got := b.Stats().RxQueued; got != 4 {
		t.Errorf("RxQueued = %d, want 4", got)
	}
	// The first four were kept, the rest dropped, as a NIC's ring does.
	buf := make([]byte, 1518)
	for i := range 4 {
		n, _ := b.ReadFrame(buf)
		if got := seqOf(buf[:n]); got != uint32(i) {
			t.Errorf("frame %d has seq %d", i, got)
		}
	}
	// Room again: the ring wraps around.
	for i := range 6 {
		a.WriteFrame(frame(64, a.HardwareAddr(), uint32(100+i)))
	}
	for i := range 4 {
		n, _ := b.ReadFrame(buf)
		if got := seqOf(buf[:n]); got != uint32(100+i) {
			t.Errorf("after wrapping, frame %d has seq %d", i, got)
		}
	}
	if s := a.Stats(); s.TxFrames != 8 || s.TxDropped != 8 {
		t.Errorf("after the second round: %+v, want 8 sent, 8 dropped", s)
	}
}

func TestFrameSize(t *testing.T) {
	a, b := New(Config{MTU: 100})
	defer a.Close()
	for _, n := range []int{119, 1500} {
		err := a.WriteFrame(make([]byte, n))
		if !errors.Is(err, ErrFrameSize) {
			t.Errorf("WriteFrame of %d bytes with MTU 100: %v, want ErrFrameSize", n, err)
		}
	}
	// Runts go through, down to nothing: tests feed them to stacks.
	sizes := []int{0, 1, 13, 14, 118}
	for _, n := range sizes {
		if err := a.WriteFrame(frame(n, a.HardwareAddr(), 0)); err != nil {
			t.Errorf("WriteFrame of %d bytes with MTU 100: %v", n, err)
		}
	}
	if s := a.Stats(); s.TxErrors != 2 || s.TxFrames != uint64(len(sizes)) {
		t.Errorf("Stats = %+v, want 2 errors, %d frames", s, len(sizes))
	}
	buf := make([]byte, 118)
	for _, want := range sizes {
		if n, err := b.ReadFrame(buf); n != want || err != nil {
			t.Errorf("ReadFrame = %d, %v; want %d bytes", n, err, want)
		}
	}
}

func TestShortBufferCuts(t *testing.T) {
	a, b := New(Config{})
	defer a.Close()
	f := frame(200, a.HardwareAddr(), 7)
	a.WriteFrame(f)
	buf := make([]byte, 50)
	n, err := b.ReadFrame(buf)
	if err != nil || n != 50 || !bytes.Equal(buf, f[:50]) {
		t.Errorf("ReadFrame into 50 bytes = %d, %v; want the first 50 bytes", n, err)
	}
	if s := b.Stats(); s.RxFrames != 1 || s.RxBytes != 200 {
		t.Errorf("Stats = %+v, want 1 frame of 200 bytes", s)
	}
}

func TestBatch(t *testing.T) {
	a, b := New(Config{Queue: 8})
	defer a.Close()
	frames := make([][]byte, 10)
	for i := range frames {
		frames[i] = frame(64+i, a.HardwareAddr(), uint32(i))
	}
	n, err := a.WriteFrames(frames)
	if n != 10 || err != nil {
		t.Fatalf("WriteFrames = %d, %v; want 10, nil", n, err)
	}
	if s := a.Stats(); s.TxFrames != 8 || s.TxDropped != 2 {
		t.Errorf("Stats = %+v, want 8 sent, 2 dropped", s)
	}
	bufs := make([][]byte, 5)
	for i := range bufs {
		bufs[i] = make([]byte, 1518)
	}
	lens := make([]int, 5)
	got := 0
	for got < 8 {
		k, err := b.ReadFrames(bufs, lens)
		if err != nil || k == 0 {
			t.Fatalf("ReadFrames = %d, %v", k, err)
		}
		for j := range k {
			if !bytes.Equal(bufs[j][:lens[j]], frames[got]) {
				t.Fatalf("batch frame %d differs", got)
			}
			got++
		}
	}
	if got != 8 {
		t.Errorf("read %d frames, want 8", got)
	}
	// A bad frame in the middle stops the batch there.
	frames[3] = make([]byte, 2000)
	if n, err := a.WriteFrames(frames[:6]); n != 3 || !errors.Is(err, ErrFrameSize) {
		t.Errorf("WriteFrames with a bad 4th frame = %d, %v; want 3, ErrFrameSize", n, err)
	}
	if k, err := b.ReadFrames(nil, nil); k != 0 || err != nil {
		t.Errorf("ReadFrames(nil) = %d, %v", k, err)
	}
}

func TestCloseDrainsThenFails(t *testing.T) {
	a, b := New(Config{})
	for i := range 3 {
		a.WriteFrame(frame(64, a.HardwareAddr(), uint32(i)))
		b.WriteFrame(frame(64, b.HardwareAddr(), uint32(i)))
	}
	if err := a.Close(); err != nil {
		t.Fatal(err)
	}
	buf := make([]byte, 1518)
	// The closed end refuses everything at once and its queue is gone.
	if _, err := a.ReadFrame(buf); !errors.Is(err, net.ErrClosed) {
		t.Errorf("ReadFrame on the closed end: %v, want net.ErrClosed", err)
	}
	if err := a.WriteFrame(frame(64, a.HardwareAddr(), 9)); !errors.Is(err, net.ErrClosed) {
		t.Errorf("WriteFrame on the closed end: %v, want net.ErrClosed", err)
	}
	// The peer cannot write any more but drains what was sent before.
	if err := b.WriteFrame(frame(64, b.HardwareAddr(), 9)); !errors.Is(err, net.ErrClosed) {
		t.Errorf("WriteFrame to a closed peer: %v, want net.ErrClosed", err)
	}
	for i := range 3 {
		n, err := b.ReadFrame(buf)
		if err != nil || seqOf(buf[:n]) != uint32(i) {
			t.Fatalf("draining frame %d: seq %d, %v", i, seqOf(buf[:n]), err)
		}
	}
	if _, err := b.ReadFrame(buf); !errors.Is(err, net.ErrClosed) {
		t.Errorf("ReadFrame after draining: %v, want net.ErrClosed", err)
	}
	if _, err := b.ReadFrames([][]byte{buf}, []int{0}); !errors.Is(err, net.ErrClosed) {
		t.Errorf("ReadFrames after draining: %v, want net.ErrClosed", err)
	}
	if err := a.Close(); err != nil {
		t.Errorf("second Close: %v", err)
	}
	if err := b.Close(); err != nil {
		t.Errorf("Close of the peer: %v", err)
	}
}

func TestCloseUnblocksRead(t *testing.T) {
	for _, tc := range []struct {
		name   string
		closeA bool // close the reader's own end, or its peer
	}{{"own end", true}, {"peer", false}} {
		t.Run(tc.name, func(t *testing.T) {
			a, b := New(Config{})
			errc := make(chan error, 2)
			go func() {
				_, err := a.ReadFrame(make([]byte, 1518))
				errc <- err
			}()
			go func() {
				_, err := a.ReadFrames([][]byte{make([]byte, 1518)}, []int{0})
				errc <- err
			}()
			time.Sleep(10 * time.Millisecond) // let the readers block
			if tc.closeA {
				a.Close()
			} else {
				b.Close()
			}
			for range 2 {
				select {
				case err := <-errc:
					if !errors.Is(err, net.ErrClosed) {
						t.Errorf("blocked read returned %v, want net.ErrClosed", err)
					}
				case <-time.After(5 * time.Second):
					t.Fatal("Close did not unblock ReadFrame")
				}
			}
		})
	}
}

// In a synctest bubble a reader blocked on an empty pipe is durably
// blocked, so virtual time advances past it.
func TestSynctest(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		a, b := New(Config{})
		defer a.Close()
		start := time.Now()
		go func() {
			time.Sleep(time.Hour)
			a.WriteFrame(frame(64, a.HardwareAddr(), 42))
		}()
		buf := make([]byte, 1518)
		n, err := b.ReadFrame(buf)
		if err != nil || seqOf(buf[:n]) != 42 {
			t.Fatalf("ReadFrame = %d, %v", n, err)
		}
		if d := time.Since(start); d != time.Hour {
			t.Errorf("frame read after %v of virtual time, want 1h", d)
		}
	})
}

func TestConcurrent(t *testing.T) {
	const writers, perWriter = 4, 2000
	a, b := New(Config{Queue: writers * perWriter})
	var wg sync.WaitGroup
	for w := range writers {
		wg.Go(func() {
			src := ethernet.Addr{0x02, 0, 0, 0, 0, byte(w)}
			f := frame(64, src, 0)
			for i := range perWriter {
				binary.BigEndian.PutUint32(f[ethernet.HeaderLen:], uint32(i))
				if err := a.WriteFrame(f); err != nil {
					t.Error(err)
					return
				}
			}
		})
	}
	// Two readers share the work; per writer, sequence numbers must rise
	// in each reader's view.
	var mu sync.Mutex
	total := 0
	var rg sync.WaitGroup
	for range 2 {
		rg.Go(func() {
			last := make([]int64, writers)
			for i := range last {
				last[i] = -1
			}
			buf := make([]byte, 1518)
			for {
				n, err := b.ReadFrame(buf)
				if err != nil {
					return
				}
				w := ethernet.Frame(buf[:n]).Src()[5]
				s := int64(seqOf(buf[:n]))
				if s <= last[w] {
					t.Errorf("writer %d: seq %d after %d", w, s, last[w])
				}
				last[w] = s
				mu.Lock()
				total++
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	a.Close() // the readers drain, then stop
	rg.Wait()
	if total != writers*perWriter {
		t.Errorf("read %d frames, want %d", total, writers*perWriter)
	}
	if s := a.Stats(); s.TxFrames != writers*perWriter || s.TxDropped != 0 {
		t.Errorf("Stats = %+v", s)
	}
	if s := b.Stats(); s.RxFrames != writers*perWriter || s.RxQueued != 0 {
		t.Errorf("peer Stats = %+v", s)
	}
}

func TestNoAllocs(t *testing.T) {
	a, b := New(Config{Queue: 64})
	defer a.Close()
	f := frame(1514, a.HardwareAddr(), 1)
	buf := make([]byte, 1518)
	frames := [][]byte{f, f, f, f}
	bufs := [][]byte{buf, make([]byte, 1518), make([]byte, 1518), make([]byte, 1518)}
	lens := make([]int, 4)
	// Fill every slot once, so the buffers exist.
	for range 64 {
		a.WriteFrame(f)
	}
	for range 64 {
		b.ReadFrame(buf)
	}
	if n := testing.AllocsPerRun(1000, func() {
		a.WriteFrame(f)
		b.ReadFrame(buf)
	}); n != 0 {
		t.Errorf("WriteFrame+ReadFrame: %v allocs per frame, want 0", n)
	}
	if n := testing.AllocsPerRun(1000, func() {
		a.WriteFrames(frames)
		b.ReadFrames(bufs, lens)
	}); n != 0 {
		t.Errorf("WriteFrames+ReadFrames: %v allocs per batch, want 0", n)
	}
	if n := testing.AllocsPerRun(100, func() {
		for range 100 {
			a.WriteFrame(f) // dropping allocates nothing either
		}
		for range 64 {
			b.ReadFrame(buf)
		}
	}); n != 0 {
		t.Errorf("writes into a full queue: %v allocs, want 0", n)
	}
}

// TestSwap checks the buffer-exchanging path (link.Swapper): frames arrive
// in order and intact, buffers keep the frame length, a full queue drops
// without taking the writer's buffer, and buffers of another size are
// copied instead.
func TestSwap(t *testing.T) {
	a, b := New(Config{Queue: 4})
	frameLen := link.FrameLen(a)
	own := make([]byte, frameLen)
	for i := 0; i < 6; i++ {
		own = own[:cap(own)]
		for j := range own[:100] {
			own[j] = byte(i)
		}
		before := &own[0]
		if err := a.SwapWriteFrame(&own, 100); err != nil {
			t.Fatal(err)
		}
		if cap(own) != frameLen {
			t.Fatalf("frame %d: got back a buffer of capacity %d, want %d", i, cap(own), frameLen)
		}
		if queued := i < 4; queued == (&own[0] == before) {
			t.Fatalf("frame %d: buffer exchanged %v, want %v", i, &own[0] != before, queued)
		}
	}
	if st := a.Stats(); st.TxFrames != 4 || st.TxDropped != 2 {
		t.Fatalf("stats %+v, want 4 sent and 2 dropped", st)
	}
	bufs := [][]byte{make([]byte, frameLen), make([]byte, 64), make([]byte, frameLen)}
	lens := make([]int, 3)
	n, err := b.SwapReadFrames(bufs, lens)
	if err != nil || n != 3 {
		t.Fatalf("SwapReadFrames = %d, %v", n, err)
	}
	for i := 0; i < n; i++ {
		if lens[i] != 100 && !(i == 1 && lens[i] == 64) {
			t.Fatalf("frame %d: length %d", i, lens[i])
		}
		for _, x := range bufs[i][:min(lens[i], 64)] {
			if x != byte(i) {
				t.Fatalf("frame %d: byte %d, want %d (order or contents wrong)", i, x, i)
			}
		}
	}
	if cap(bufs[1]) != 64 {
		t.Fatalf("a short buffer was exchanged (capacity %d)", cap(bufs[1]))
	}
	// The slot buffers the reader gave back are reused without harm.
	for i := 0; i < 3; i++ {
		msg := make([]byte, frameLen)
		msg[0] = 0xee
		if err := a.SwapWriteFrame(&msg, 10); err != nil {
			t.Fatal(err)
		}
	}
	rest := [][]byte{make([]byte, frameLen)}
	for want := 3; want < 7; want++ {
		if _, err := b.SwapReadFrames(rest, lens); err != nil {
			t.Fatal(err)
		}
		got := rest[0][0]
		if want == 3 && got != 3 || want > 3 && got != 0xee {
			t.Fatalf("read %d: first byte %#x", want, got)
		}
	}
}
