package pcap

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"net"
	"reflect"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/medina-net/medina/ethernet"
	"github.com/medina-net/medina/link"
)

// Test devices and clocks. They are deliberately tiny, so these tests do
// not depend on link's backends.

var (
	macA = ethernet.Addr{0x02, 0, 0, 0, 0, 0xa} // the device under test
	macB = ethernet.Addr{0x02, 0, 0, 0, 0, 0xb} // its peer
)

// ethFrame returns an IPv4 Ethernet frame of n bytes (n >= 14) from src
// to dst whose payload starts at seed.
func ethFrame(src, dst ethernet.Addr, n int, seed byte) []byte {
	f := frame(n, seed)
	copy(f[0:], dst[:])
	copy(f[6:], src[:])
	f[12], f[13] = 0x08, 0x00
	return f
}

// fakeDev is a link.Device fed through a channel: ReadFrame returns the
// frames sent on in, WriteFrame keeps copies of what it is given.
type fakeDev struct {
	mac    ethernet.Addr
	in     chan []byte
	closed chan struct{}
	once   sync.Once

	mu  sync.Mutex
	out [][]byte
}

func newFakeDev(mac ethernet.Addr) *fakeDev {
	return &fakeDev{mac: mac, in: make(chan []byte, 1024), closed: make(chan struct{})}
}

func (d *fakeDev) ReadFrame(buf []byte) (int, error) {
	select {
	case <-d.closed:
		return 0, net.ErrClosed
	default:
	}
	select {
	case f := <-d.in:
		return copy(buf, f), nil
	case <-d.closed:
		return 0, net.ErrClosed
	}
}

func (d *fakeDev) WriteFrame(f []byte) error {
	select {
	case <-d.closed:
		return net.ErrClosed
	default:
	}
	d.mu.Lock()
	d.out = append(d.out, bytes.Clone(f))
	d.mu.Unlock()
	return nil
}

func (d *fakeDev) written() [][]byte {
	d.mu.Lock()
	defer d.mu.Unlock()
	return append([][]byte(nil), d.out...)
}

func (d *fakeDev) MTU() int                    { return 1500 }
func (d *fakeDev) HardwareAddr() ethernet.Addr { return d.mac }
func (d *fakeDev) Close() error                { d.once.Do(func() { close(d.closed) }); return nil }

// batchDev adds the batch interfaces to fakeDev and counts their calls.
type batchDev struct {
	*fakeDev
	batchReads, batchWrites atomic.Int64
}

func (d *batchDev) ReadFrames(bufs [][]byte, lens []int) (int, error) {
	d.batchReads.Add(1)
	n, err := d.ReadFrame(bufs[0])
	if err != nil {
		return 0, err
	}
	lens[0] = n
	i := 1
	for ; i < len(bufs); i++ {
		select {
		case f := <-d.in:
			lens[i] = copy(bufs[i], f)
			continue
		default:
		}
		break
	}
	return i, nil
}

func (d *batchDev) WriteFrames(frames [][]byte) (int, error) {
	d.batchWrites.Add(1)
	for i, f := range frames {
		if err := d.WriteFrame(f); err != nil {
			return i, err
		}
	}
	return len(frames), nil
}

// stepClock's Now returns base, then base+step, base+2*step, ...
type stepClock struct {
	base time.Time
	step time.Duration
	n    atomic.Int64
}

func (c *stepClock) Now() time.Time {
	return c.base.Add(time.Duration(c.n.Add(1)-1) * c.step)
}

func (c *stepClock) AfterFunc(d time.Duration, f func()) link.Timer { return time.AfterFunc(d, f) }

var tapBase = time.Unix(1700000000, 500)

// nsRecord is the record the reader returns for data stamped i
// milliseconds after tapBase.
func nsRecord(data []byte, i int, dir Direction) record {
	ts := tapBase.Add(time.Duration(i) * time.Millisecond)
	return record{Data: data, Length: len(data), Sec: ts.Unix(), Frac: uint32(ts.Nanosecond()),
		FracPerSec: 1e9, LinkType: LinkTypeEthernet, Flags: uint32(dir)}
}

// TestTapRoundTrip records frames both ways into a pcapng file, reads it
// back and checks directions, bytes and timestamps.
func TestTapRoundTrip(t *testing.T) {
	const N = 8
	clk := &stepClock{base: tapBase, step: time.Millisecond}
	dev := newFakeDev(macA)
	var buf bytes.Buffer
	w, err := NewNgWriter(&buf, NgInterface{LinkType: LinkTypeEthernet, Name: "medina0"})
	if err != nil {
		t.Fatal(err)
	}
	tap := NewTap(dev, w, clk)
	if tap.MTU() != 1500 || tap.HardwareAddr() != macA || !tap.Enabled() {
		t.Fatalf("MTU %d, address %v, enabled %v", tap.MTU(), tap.HardwareAddr(), tap.Enabled())
	}
	rbuf := make([]byte, link.FrameLen(tap))
	var want []record
	var outs [][]byte
	for i := range N {
		in := ethFrame(macB, macA, 60+i, byte(i))
		dev.in <- in
		n, err := tap.ReadFrame(rbuf)
		if err != nil || !bytes.Equal(rbuf[:n], in) {
			t.Fatalf("ReadFrame %d: %d, %v", i, n, err)
		}
		out := ethFrame(macA, macB, 100+i*50, byte(100+i))
		must(t, tap.WriteFrame(out))
		outs = append(outs, out)
		want = append(want, nsRecord(in, 2*i, DirectionInbound), nsRecord(out, 2*i+1, DirectionOutbound))
	}
	must(t, tap.Close())
	if got := dev.written(); !reflect.DeepEqual(got, outs) {
		t.Errorf("device was written %d frames, want %d", len(got), len(outs))
	}
	if s := tap.Stats(); s != (TapStats{Inbound: N, Outbound: N}) || tap.Err() != nil {
		t.Errorf("stats %+v, err %v", s, tap.Err())
	}
	r, recs, err := readAll(Config{}, buf.Bytes())
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(recs, want) {
		t.Errorf("read back\n%+v\nwant\n%+v", recs, want)
	}
	if r.Format() != FormatPcapNG || r.Interfaces()[0].Name != "medina0" {
		t.Errorf("format %v, interfaces %+v", r.Format(), r.Interfaces())
	}
	checkTcpdumpReads(t, buf.Bytes())
}

// TestTapClassic records into a classic pcap file, which keeps no
// direction.
func TestTapClassic(t *testing.T) {
	clk := &stepClock{base: tapBase, step: time.Millisecond}
	dev := newFakeDev(macA)
	var buf bytes.Buffer
	w, err := NewWriter(&buf, LinkTypeEthernet, 0, true)
	if err != nil {
		t.Fatal(err)
	}
	tap := NewTap(dev, w, clk)
	in, out := ethFrame(macB, macA, 60, 1), ethFrame(macA, macB, 1514, 2)
	dev.in <- in
	rbuf := make([]byte, link.FrameLen(tap))
	if _, err := tap.ReadFrame(rbuf); err != nil {
		t.Fatal(err)
	}
	must(t, tap.WriteFrame(out))
	must(t, tap.Close())
	_, recs, err := readAll(Config{}, buf.Bytes())
	if err != nil {
		t.Fatal(err)
	}
	want := []record{nsRecord(in, 0, DirectionUnknown), nsRecord(out, 1, DirectionUnknown)}
	if !reflect.DeepEqual(recs, want) {
		t.Errorf("read back\n%+v\nwant\n%+v", recs, want)
	}
	checkTcpdumpReads(t, buf.Bytes())
}

// TestTapSharedFile records two devices into two interfaces of one pcapng
// file from several goroutines, through LockedRecorder.
func TestTapSharedFile(t *testing.T) {
	const N = 200
	var buf bytes.Buffer
	w, err := NewNgWriter(&buf, NgInterface{LinkType: LinkTypeEthernet, Name: "a"})
	if err != nil {
		t.Fatal(err)
	}
	if id, err := w.AddInterface(NgInterface{LinkType: LinkTypeEthernet, Name: "b"}); err != nil || id != 1 {
		t.Fatalf("AddInterface: %d, %v", id, err)
	}
	var mu sync.Mutex
	clk := &stepClock{base: tapBase, step: time.Microsecond}
	devs := []*fakeDev{newFakeDev(macA), newFakeDev(macB)}
	taps := []*Tap{
		NewTap(devs[0], LockedRecorder(&mu, w.Recorder(0)), clk),
		NewTap(devs[1], LockedRecorder(&mu, w.Recorder(1)), clk),
	}
	var wg sync.WaitGroup
	for i, tap := range taps {
		wg.Go(func() {
			for j := range N {
				if err := tap.WriteFrame(ethFrame(devs[i].mac, ethernet.Broadcast, 60, byte(j))); err != nil {
					t.Error(err)
				}
			}
		})
		wg.Go(func() {
			b := make([]byte, 1514)
			for j := range N {
				devs[i].in <- ethFrame(macB, macA, 64, byte(j))
				if _, err := tap.ReadFrame(b); err != nil {
					t.Error(err)
				}
			}
		})
	}
	wg.Wait()
	for _, tap := range taps {
		must(t, tap.Close())
	}
	_, recs, err := readAll(Config{}, buf.Bytes())
	if err != nil {
		t.Fatal(err)
	}
	var count [2][3]int
	for _, r := range recs {
		count[r.Interface][r.Flags]++
	}
	if count != [2][3]int{{0, N, N}, {0, N, N}} {
		t.Errorf("packets per interface and direction: %v", count)
	}

	// A Recorder for an interface the writer lacks fails every frame,
	// and the data path does not notice.
	dev := newFakeDev(macA)
	tap := NewTap(dev, w.Recorder(5), clk)
	must(t, tap.WriteFrame(ethFrame(macA, macB, 60, 0)))
	if s := tap.Stats(); s.Errors != 1 || !errors.Is(tap.Err(), ErrInterface) || len(dev.written()) != 1 {
		t.Errorf("stats %+v, err %v", s, tap.Err())
	}
}

// failingRecorder fails every second frame, and Flush.
type failingRecorder struct {
	n      int
	frames int
}

func (r *failingRecorder) WriteFrame(ts time.Time, frame []byte, dir Direction) error {
	r.n++
	if r.n%2 == 0 {
		return fmt.Errorf("frame %d: %w", r.n, io.ErrShortWrite)
	}
	r.frames++
	return nil
}

func (r *failingRecorder) Flush() error { return io.ErrClosedPipe }

// TestTapErrors checks that recording errors are counted, that the first
// is kept, and that the frames pass regardless.
func TestTapErrors(t *testing.T) {
	dev := newFakeDev(macA)
	rec := &failingRecorder{}
	tap := NewTap(dev, rec, nil)
	b := make([]byte, 1514)
	for i := range 5 {
		dev.in <- ethFrame(macB, macA, 60, byte(i))
		if n, err := tap.ReadFrame(b); err != nil || n != 60 {
			t.Fatalf("ReadFrame: %d, %v", n, err)
		}
		must(t, tap.WriteFrame(ethFrame(macA, macB, 60, byte(i))))
	}
	if len(dev.written()) != 5 {
		t.Errorf("device got %d frames, want 5", len(dev.written()))
	}
	if s := tap.Stats(); s.Errors != 5 || s.Inbound+s.Outbound != 5 || rec.frames != 5 {
		t.Errorf("stats %+v, recorder took %d", s, rec.frames)
	}
	if err := tap.Err(); err == nil || err.Error() != "frame 2: short write" {
		t.Errorf("Err() = %v, want the first failure", err)
	}
	if err := tap.Flush(); err != io.ErrClosedPipe {
		t.Errorf("Flush: %v", err)
	}
	if err := tap.Close(); !errors.Is(err, io.ErrClosedPipe) {
		t.Errorf("Close: %v", err)
	}
	if s := tap.Stats(); s.Errors != 7 || tap.Err().Error() != "frame 2: short write" {
		t.Errorf("after Flush and Close: stats %+v, err %v", s, tap.Err())
	}
}

// brokenFile accepts limit bytes and then fails with errDiskFull.
type brokenFile struct {
	limit int
}

var errDiskFull = errors.New("disk full")

func (f *brokenFile) Write(p []byte) (int, error) {
	if len(p) > f.limit {
		n := f.limit
		f.limit = 0
		return n, errDiskFull
	}
	f.limit -= len(p)
	return len(p), nil
}

// TestTapBrokenFile records into an NgWriter whose file fails once the
// buffer spills: the frames pass, and Err and Close report the cause.
func TestTapBrokenFile(t *testing.T) {
	w, err := NewNgWriter(&brokenFile{limit: 1000}, NgInterface{LinkType: LinkTypeEthernet})
	if err != nil {
		t.Fatal(err)
	}
	dev := newFakeDev(macA)
	tap := NewTap(dev, w, &stepClock{base: tapBase, step: time.Millisecond})
	const N = 100 // 150 kB, more than the writer buffers
	for i := range N {
		must(t, tap.WriteFrame(ethFrame(macA, macB, 1514, byte(i))))
	}
	if len(dev.written()) != N {
		t.Errorf("device got %d frames, want %d", len(dev.written()), N)
	}
	s := tap.Stats()
	if s.Errors == 0 || s.Outbound+s.Errors != N || !errors.Is(tap.Err(), errDiskFull) {
		t.Errorf("stats %+v, err %v", s, tap.Err())
	}
	if err := tap.Close(); !errors.Is(err, errDiskFull) {
		t.Errorf("Close: %v", err)
	}
}

// TestTapConcurrent reads and writes on different goroutines, as a stack
// does, while Flush and Stats are called; run it with -race.
func TestTapConcurrent(t *testing.T) {
	const N = 500
	dev := newFakeDev(macA)
	var buf bytes.Buffer
	w, err := NewNgWriter(&buf, NgInterface{LinkType: LinkTypeEthernet})
	if err != nil {
		t.Fatal(err)
	}
	tap := NewTap(dev, w, &stepClock{base: tapBase, step: time.Microsecond})
	var wg sync.WaitGroup
	wg.Go(func() {
		for i := range N {
			dev.in <- ethFrame(macB, macA, 60+i%100, byte(i))
		}
	})
	wg.Go(func() {
		b := make([]byte, 1514)
		for range N {
			if _, err := tap.ReadFrame(b); err != nil {
				t.Error(err)
				return
			}
		}
	})
	wg.Go(func() {
		for i := range N {
			if err := tap.WriteFrame(ethFrame(macA, macB, 60+i%200, byte(i))); err != nil {
				t.Error(err)
				return
			}
		}
	})
	wg.Go(func() {
		for range 50 {
			if err := tap.Flush(); err != nil {
				t.Error(err)
			}
			_ = tap.Stats()
			_ = tap.Err()
		}
	})
	wg.Wait()
	must(t, tap.Close())
	if s := tap.Stats(); s != (TapStats{Inbound: N, Outbound: N}) {
		t.Errorf("stats %+v", s)
	}
	_, recs, err := readAll(Config{}, buf.Bytes())
	if err != nil {
		t.Fatal(err)
	}
	if len(recs) != 2*N {
		t.Fatalf("%d packets, want %d", len(recs), 2*N)
	}
	var next [3]int
	var last time.Duration
	for i, r := range recs {
		// Timestamps are taken under the lock, so the file is in order.
		ts := time.Duration(r.Sec)*time.Second + time.Duration(r.Frac)
		if ts < last {
			t.Errorf("packet %d goes back in time", i)
		}
		last = ts
		// Each direction keeps its order.
		k := next[r.Flags]
		next[r.Flags]++
		var want []byte
		if r.Flags == uint32(DirectionInbound) {
			want = ethFrame(macB, macA, 60+k%100, byte(k))
		} else {
			want = ethFrame(macA, macB, 60+k%200, byte(k))
		}
		if !bytes.Equal(r.Data, want) {
			t.Errorf("packet %d: %v frame %d differs", i, r.Flags, k)
		}
	}
}

// TestTapDisabled pauses recording: the frames pass and none is recorded.
func TestTapDisabled(t *testing.T) {
	dev := newFakeDev(macA)
	var buf bytes.Buffer
	w, err := NewNgWriter(&buf, NgInterface{LinkType: LinkTypeEthernet})
	if err != nil {
		t.Fatal(err)
	}
	clk := &stepClock{base: tapBase, step: time.Millisecond}
	tap := NewTap(dev, w, clk)
	tap.SetEnabled(false)
	b := make([]byte, 1514)
	bufs, lens := [][]byte{b}, []int{0}
	for i := range 3 {
		dev.in <- ethFrame(macB, macA, 60, byte(i))
		if _, err := tap.ReadFrame(b); err != nil {
			t.Fatal(err)
		}
		dev.in <- ethFrame(macB, macA, 60, byte(i))
		if _, err := tap.ReadFrames(bufs, lens); err != nil {
			t.Fatal(err)
		}
		must(t, tap.WriteFrame(ethFrame(macA, macB, 60, byte(i))))
		if _, err := tap.WriteFrames([][]byte{ethFrame(macA, macB, 60, byte(i))}); err != nil {
			t.Fatal(err)
		}
	}
	must(t, tap.Flush())
	_, recs, err := readAll(Config{}, buf.Bytes())
	if err != nil || len(recs) != 0 || tap.Stats() != (TapStats{}) || clk.n.Load() != 0 {
		t.Errorf("disabled tap recorded %d packets (%v), stats %+v, read the clock %d times", len(recs), err, tap.Stats(), clk.n.Load())
	}
	if len(dev.written()) != 6 {
		t.Errorf("device got %d frames, want 6", len(dev.written()))
	}
	tap.SetEnabled(true)
	must(t, tap.WriteFrame(ethFrame(macA, macB, 60, 9)))
	must(t, tap.Close())
	if _, recs, _ := readAll(Config{}, buf.Bytes()); len(recs) != 1 {
		t.Errorf("re-enabled tap recorded %d packets, want 1", len(recs))
	}
}

// TestTapBatch checks that batches pass through to a device that takes
// them, with each frame recorded, and that a device without batches is
// driven one frame at a time.
func TestTapBatch(t *testing.T) {
	for _, batch := range []bool{true, false} {
		t.Run(fmt.Sprint("batch=", batch), func(t *testing.T) {
			fd := newFakeDev(macA)
			var dev link.Device = fd
			bd := &batchDev{fakeDev: fd}
			if batch {
				dev = bd
			}
			var buf bytes.Buffer
			w, err := NewNgWriter(&buf, NgInterface{LinkType: LinkTypeEthernet})
			if err != nil {
				t.Fatal(err)
			}
			tap := NewTap(dev, w, &stepClock{base: tapBase, step: time.Millisecond})
			ins := [][]byte{ethFrame(macB, macA, 60, 1), ethFrame(macB, macA, 70, 2), ethFrame(macB, macA, 80, 3)}
			for _, f := range ins {
				fd.in <- f
			}
			bufs := [][]byte{make([]byte, 1514), make([]byte, 1514), make([]byte, 1514), make([]byte, 1514)}
			lens := make([]int, len(bufs))
			var got [][]byte
			for len(got) < len(ins) {
				n, err := tap.ReadFrames(bufs, lens)
				if err != nil {
					t.Fatal(err)
				}
				if !batch && n != 1 {
					t.Errorf("ReadFrames without a batch device read %d frames", n)
				}
				for i := range n {
					got = append(got, bytes.Clone(bufs[i][:lens[i]]))
				}
			}
			if !reflect.DeepEqual(got, ins) {
				t.Errorf("ReadFrames returned %d frames, not the ones sent", len(got))
			}
			outs := [][]byte{ethFrame(macA, macB, 90, 4), ethFrame(macA, macB, 100, 5)}
			if n, err := tap.WriteFrames(outs); n != 2 || err != nil {
				t.Fatalf("WriteFrames: %d, %v", n, err)
			}
			if n, err := tap.ReadFrames(bufs[:0], lens); n != 0 || err != nil {
				t.Errorf("ReadFrames of no buffers: %d, %v", n, err)
			}
			must(t, tap.Close())
			if !reflect.DeepEqual(fd.written(), outs) {
				t.Errorf("device was written %d frames", len(fd.written()))
			}
			if batch && (bd.batchReads.Load() != 1 || bd.batchWrites.Load() != 1) {
				t.Errorf("%d batch reads, %d batch writes, want 1 of each", bd.batchReads.Load(), bd.batchWrites.Load())
			}
			_, recs, err := readAll(Config{}, buf.Bytes())
			if err != nil {
				t.Fatal(err)
			}
			var recorded [][]byte
			for _, r := range recs {
				recorded = append(recorded, r.Data)
			}
			if !reflect.DeepEqual(recorded, append(ins, outs...)) || recs[0].Flags != 1 || recs[4].Flags != 2 {
				t.Errorf("recorded %+v", recs)
			}
			if batch {
				// A batch is stamped once.
				if recs[0].Frac != recs[2].Frac || recs[3].Frac != recs[4].Frac || recs[2].Frac == recs[3].Frac {
					t.Errorf("batch timestamps %d %d %d %d %d", recs[0].Frac, recs[1].Frac, recs[2].Frac, recs[3].Frac, recs[4].Frac)
				}
			}
			// Writes after Close fail with the device's error and
			// are not recorded.
			if _, err := tap.WriteFrames(outs); !errors.Is(err, net.ErrClosed) {
				t.Errorf("WriteFrames after Close: %v", err)
			}
			if tap.Stats().Outbound != 2 {
				t.Errorf("stats after Close %+v", tap.Stats())
			}
		})
	}
}

// TestTapClose checks that Close unblocks a reader, completes the file
// without a Flush, and that nothing is recorded afterwards.
func TestTapClose(t *testing.T) {
	dev := newFakeDev(macA)
	var buf bytes.Buffer
	w, err := NewNgWriter(&buf, NgInterface{LinkType: LinkTypeEthernet})
	if err != nil {
		t.Fatal(err)
	}
	tap := NewTap(dev, w, &stepClock{base: tapBase, step: time.Millisecond})
	must(t, tap.WriteFrame(ethFrame(macA, macB, 60, 1)))
	if buf.Len() != 0 && len(mustRead(t, buf.Bytes())) != 0 {
		t.Fatal("the writer did not buffer; this test needs it to")
	}
	done := make(chan error)
	go func() {
		_, err := tap.ReadFrame(make([]byte, 1514))
		done <- err
	}()
	must(t, tap.Close())
	if err := <-done; !errors.Is(err, net.ErrClosed) {
		t.Errorf("blocked ReadFrame returned %v", err)
	}
	if recs := mustRead(t, buf.Bytes()); len(recs) != 1 {
		t.Errorf("after Close the file has %d packets, want 1", len(recs))
	}
	if err := tap.WriteFrame(ethFrame(macA, macB, 60, 2)); !errors.Is(err, net.ErrClosed) {
		t.Errorf("WriteFrame after Close: %v", err)
	}
	must(t, tap.Close())
	must(t, tap.Flush())
	if recs := mustRead(t, buf.Bytes()); len(recs) != 1 || tap.Stats().Outbound != 1 {
		t.Errorf("after a second Close the file has %d packets, stats %+v", len(recs), tap.Stats())
	}
}

func mustRead(t *testing.T, file []byte) []record {
	t.Helper()
	_, recs, err := readAll(Config{}, file)
	if err != nil {
		t.Fatal(err)
	}
	return recs
}

// memDev is the cheapest possible device: ReadFrame copies one frame,
// WriteFrame drops what it is given.
type memDev struct{ frame []byte }

func (d *memDev) ReadFrame(buf []byte) (int, error) { return copy(buf, d.frame), nil }
func (d *memDev) WriteFrame([]byte) error           { return nil }
func (d *memDev) MTU() int                          { return 1500 }
func (d *memDev) HardwareAddr() ethernet.Addr       { return macA }
func (d *memDev) Close() error                      { return nil }

// tapOverMem returns a Tap over a memDev recording to a pcapng file in
// io.Discard, and a frame to write.
func tapOverMem(tb testing.TB, size int) (*Tap, []byte) {
	w, err := NewNgWriter(io.Discard, NgInterface{LinkType: LinkTypeEthernet})
	if err != nil {
		tb.Fatal(err)
	}
	f := tcpFrame(size, 1)
	return NewTap(&memDev{frame: f}, w, link.SystemClock), f
}

// TestTapAllocs checks that a Tap allocates nothing per frame, recording
// or not, in pcapng and in classic pcap.
func TestTapAllocs(t *testing.T) {
	tap, f := tapOverMem(t, 1514)
	cw, err := NewWriter(io.Discard, LinkTypeEthernet, 0, true)
	if err != nil {
		t.Fatal(err)
	}
	classic := NewTap(&memDev{frame: f}, cw, link.SystemClock)
	b := make([]byte, 1518)
	bufs, lens, frames := [][]byte{b, make([]byte, 1518)}, []int{0, 0}, [][]byte{f, f}
	for _, tp := range []*Tap{tap, classic} {
		for _, on := range []bool{true, false} {
			tp.SetEnabled(on)
			a := testing.AllocsPerRun(1000, func() {
				tp.ReadFrame(b)
				tp.WriteFrame(f)
				tp.ReadFrames(bufs, lens)
				tp.WriteFrames(frames)
			})
			if a != 0 {
				t.Errorf("enabled %v: %v allocations per round", on, a)
			}
		}
	}
	if tap.Err() != nil || classic.Err() != nil {
		t.Fatal(tap.Err(), classic.Err())
	}
}

// BenchmarkTap measures a Tap over an in-memory device, recording to a
// pcapng writer and paused, against the bare device.
func BenchmarkTap(b *testing.B) {
	for _, size := range []int{64, 1514} {
		for _, mode := range []string{"bare", "enabled", "disabled"} {
			tap, f := tapOverMem(b, size)
			tap.SetEnabled(mode == "enabled")
			var dev link.Device = tap
			if mode == "bare" {
				dev = tap.dev
			}
			buf := make([]byte, 1518)
			b.Run(fmt.Sprintf("read/%s/%d", mode, size), func(b *testing.B) {
				b.ReportAllocs()
				b.SetBytes(int64(size))
				for b.Loop() {
					dev.ReadFrame(buf)
				}
			})
			b.Run(fmt.Sprintf("write/%s/%d", mode, size), func(b *testing.B) {
				b.ReportAllocs()
				b.SetBytes(int64(size))
				for b.Loop() {
					dev.WriteFrame(f)
				}
			})
			if tap.Err() != nil {
				b.Fatal(tap.Err())
			}
		}
	}
}
