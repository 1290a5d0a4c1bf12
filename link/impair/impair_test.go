package impair_test

import (
	"bytes"
	"encoding/binary"
	"errors"
	"hash/crc32"
	"math"
	"math/bits"
	"net"
	"runtime"
	"slices"
	"strconv"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/medina-net/medina/ethernet"
	"github.com/medina-net/medina/link"
	"github.com/medina-net/medina/link/impair"
	"github.com/medina-net/medina/link/pipe"
)

// frame returns an Ethernet frame of n bytes (n >= 18) from src that
// carries seq after the header and a pattern that depends on it.
func frame(n int, src ethernet.Addr, seq uint32) []byte {
	f := make([]byte, n)
	ethernet.Encode(f, ethernet.Broadcast, src, ethernet.TypeIPv4)
	binary.BigEndian.PutUint32(f[ethernet.HeaderLen:], seq)
	for i := ethernet.HeaderLen + 4; i < n; i++ {
		f[i] = byte(seq) + byte(i)
	}
	return f
}

func seqOf(f []byte) uint32 { return binary.BigEndian.Uint32(f[ethernet.HeaderLen:]) }

// bigPipe returns a pipe whose queues hold n small frames, so that tests
// can write everything before reading.
func bigPipe(n int) (a, b *pipe.End) {
	return pipe.New(pipe.Config{MTU: 200, Queue: n})
}

// readAll reads dev until it fails and returns copies of the frames.
func readAll(t *testing.T, dev link.Device) [][]byte {
	t.Helper()
	var out [][]byte
	buf := make([]byte, link.FrameLen(dev))
	for {
		n, err := dev.ReadFrame(buf)
		if err != nil {
			if !errors.Is(err, net.ErrClosed) {
				t.Errorf("ReadFrame: %v, want net.ErrClosed at the end", err)
			}
			return out
		}
		out = append(out, slices.Clone(buf[:n]))
	}
}

// transfer sends n frames of size bytes through the impaired direction
// dir ("tx" or "rx") of a Device configured by cfg, and returns what came
// out and the Device's counters. It runs in a synctest bubble, so no
// virtual time passes while frames are written and a held frame always
// finds its successor.
func transfer(t *testing.T, cfg impair.Config, dir string, n, size int) (got [][]byte, sent [][]byte, st impair.Stats) {
	t.Helper()
	synctest.Test(t, func(t *testing.T) {
		a, b := bigPipe(n * 3)
		d := impair.New(a, cfg)
		sent = make([][]byte, n)
		for i := range sent {
			sent[i] = frame(size, ethernet.Addr{2, 0, 0, 0, 0, 9}, uint32(i))
		}
		if dir == "tx" {
			for _, f := range sent {
				if err := d.WriteFrame(f); err != nil {
					t.Fatal(err)
				}
			}
			time.Sleep(time.Minute) // let delayed frames out
			st = d.Stats()
			d.Close()
			got = readAll(t, b)
		} else {
			for _, f := range sent {
				if err := b.WriteFrame(f); err != nil {
					t.Fatal(err)
				}
			}
			b.Close()
			got = readAll(t, d)
			st = d.Stats()
			d.Close()
		}
	})
	return got, sent, st
}

// within checks that count, out of n trials of probability p, is within
// 4.5 standard deviations of n*p: a fair stream fails that about once in
// 150,000 runs (the seeds are fixed, so these tests do not flake; the
// tolerance says what a broken stream looks like).
func within(t *testing.T, what string, count uint64, n int, p float64) {
	t.Helper()
	mean := float64(n) * p
	tol := 4.5 * math.Sqrt(float64(n)*p*(1-p))
	if math.Abs(float64(count)-mean) > tol {
		t.Errorf("%s: %d of %d, want %.0f ± %.0f", what, count, n, mean, tol)
	}
}

func TestPassThrough(t *testing.T) {
	a, b := pipe.New(pipe.Config{})
	d := impair.New(a, impair.Config{Tx: impair.Profile{QueueLimit: 5}})
	defer d.Close()
	if d.MTU() != a.MTU() || d.HardwareAddr() != a.HardwareAddr() || d.Unwrap() != a {
		t.Error("MTU, HardwareAddr or Unwrap differ from the wrapped device's")
	}
	buf := make([]byte, 1518)
	for i := range 10 {
		f := frame(100+i, a.HardwareAddr(), uint32(i))
		d.WriteFrame(f)
		n, _ := b.ReadFrame(buf)
		if !bytes.Equal(buf[:n], f) {
			t.Fatalf("Tx frame %d changed", i)
		}
		b.WriteFrame(f)
		n, _ = d.ReadFrame(buf)
		if !bytes.Equal(buf[:n], f) {
			t.Fatalf("Rx frame %d changed", i)
		}
	}
	// Batches go to the pipe's batch methods.
	frames := [][]byte{frame(60, a.HardwareAddr(), 1), frame(61, a.HardwareAddr(), 2)}
	if n, err := d.WriteFrames(frames); n != 2 || err != nil {
		t.Fatalf("WriteFrames = %d, %v", n, err)
	}
	b.WriteFrames(frames)
	bufs, lens := [][]byte{make([]byte, 1518), make([]byte, 1518), make([]byte, 1518)}, make([]int, 3)
	if n, err := d.ReadFrames(bufs, lens); n != 2 || err != nil || lens[1] != 61 {
		t.Fatalf("ReadFrames = %d, %v, %v", n, err, lens)
	}
	want := impair.Counters{Frames: 12, Delivered: 12}
	if s := d.Stats(); s.Tx != want || s.Rx != want {
		t.Errorf("Stats = %+v, want %+v both ways", s, want)
	}
	if s := b.Stats(); s.RxFrames+uint64(s.RxQueued) != 12 {
		t.Errorf("the peer has %d frames, want 12", s.RxFrames+uint64(s.RxQueued))
	}
}

func TestPassThroughNoAllocs(t *testing.T) {
	a, b := pipe.New(pipe.Config{})
	d := impair.New(a, impair.Config{})
	defer d.Close()
	f := frame(1514, a.HardwareAddr(), 1)
	buf := make([]byte, 1518)
	for range 600 {
		d.WriteFrame(f)
		b.ReadFrame(buf)
		b.WriteFrame(f)
		d.ReadFrame(buf)
	}
	if n := testing.AllocsPerRun(1000, func() {
		d.WriteFrame(f)
		b.ReadFrame(buf)
		b.WriteFrame(f)
		d.ReadFrame(buf)
	}); n != 0 {
		t.Errorf("pass-through: %v allocs per frame pair, want 0", n)
	}
}

func TestSyncNoAllocs(t *testing.T) {
	a, b := pipe.New(pipe.Config{})
	d := impair.New(a, impair.Config{
		Seed: 1,
		Tx:   impair.Profile{Loss: 0.1, Duplicate: 0.1, Corrupt: 0.1},
		// No Rx loss: a lost frame would leave ReadFrame waiting.
		Rx: impair.Profile{Duplicate: 0.1, Corrupt: 0.1},
	})
	defer d.Close()
	f := frame(1514, a.HardwareAddr(), 1)
	buf := make([]byte, 1518)
	step := func() {
		d.WriteFrame(f)
		for b.Stats().RxQueued > 0 {
			b.ReadFrame(buf)
		}
		b.WriteFrame(f)
		for {
			s := d.Stats().Rx
			if a.Stats().RxQueued == 0 && s.Delivered == s.Frames+s.Duplicated {
				break
			}
			d.ReadFrame(buf)
		}
	}
	for range 600 {
		step()
	}
	if n := testing.AllocsPerRun(1000, step); n != 0 {
		t.Errorf("loss, duplicate, corrupt: %v allocs per step, want 0", n)
	}
	if s := d.Stats(); s.Tx.Dropped == 0 || s.Tx.Duplicated == 0 || s.Rx.Duplicated == 0 || s.Rx.Corrupted == 0 {
		t.Errorf("the test exercised too little: %+v", s)
	}
}

func TestLoss(t *testing.T) {
	const n = 20000
	for _, p := range []float64{0.01, 0.1, 0.5, 1} {
		for _, dir := range []string{"tx", "rx"} {
			prof := impair.Profile{Loss: p}
			cfg := impair.Config{Seed: uint64(p * 1000)}
			if dir == "tx" {
				cfg.Tx = prof
			} else {
				cfg.Rx = prof
			}
			got, _, st := transfer(t, cfg, dir, n, 64)
			c := st.Tx
			if dir == "rx" {
				c = st.Rx
			}
			within(t, dir+" loss "+ftoa(p), c.Dropped, n, p)
			if c.Frames != n || c.Delivered != uint64(len(got)) || c.Dropped+c.Delivered != n {
				t.Errorf("%s loss %v: counters %+v, %d frames came out", dir, p, c, len(got))
			}
			// What is not lost arrives in order and unchanged.
			last := -1
			for _, f := range got {
				if s := int(seqOf(f)); s <= last {
					t.Fatalf("%s loss %v: seq %d after %d", dir, p, s, last)
				} else {
					last = s
				}
				if !bytes.Equal(f, frame(64, ethernet.Addr{2, 0, 0, 0, 0, 9}, seqOf(f))) {
					t.Fatalf("%s loss: frame %d changed", dir, seqOf(f))
				}
			}
		}
	}
}

func ftoa(p float64) string { return strconv.FormatFloat(p, 'g', -1, 64) }

func TestDuplicate(t *testing.T) {
	const n = 20000
	for _, dir := range []string{"tx", "rx"} {
		prof := impair.Profile{Duplicate: 0.1}
		cfg := impair.Config{Seed: 7, Tx: prof}
		if dir == "rx" {
			cfg = impair.Config{Seed: 7, Rx: prof}
		}
		got, _, st := transfer(t, cfg, dir, n, 64)
		c := st.Tx
		if dir == "rx" {
			c = st.Rx
		}
		within(t, dir+" duplicate", c.Duplicated, n, 0.1)
		if len(got) != n+int(c.Duplicated) || c.Delivered != uint64(len(got)) {
			t.Errorf("%s: %d frames out, counters %+v", dir, len(got), c)
		}
		// A duplicate follows its original at once.
		dups := 0
		for i := 1; i < len(got); i++ {
			if bytes.Equal(got[i], got[i-1]) {
				dups++
			} else if seqOf(got[i]) != seqOf(got[i-1])+1 {
				t.Fatalf("%s: seq %d after %d", dir, seqOf(got[i]), seqOf(got[i-1]))
			}
		}
		if dups != int(c.Duplicated) {
			t.Errorf("%s: %d adjacent copies, %d counted", dir, dups, c.Duplicated)
		}
	}
}

func TestCorrupt(t *testing.T) {
	const n = 20000
	for _, tc := range []struct {
		dir  string
		prof impair.Profile
	}{
		{"tx", impair.Profile{Corrupt: 0.1}},
		{"rx", impair.Profile{Corrupt: 0.1}},
		// The queued path corrupts the same way.
		{"tx", impair.Profile{Corrupt: 0.1, Delay: time.Millisecond, QueueLimit: n}},
		{"rx", impair.Profile{Corrupt: 0.1, Delay: time.Millisecond, QueueLimit: n}},
	} {
		cfg := impair.Config{Seed: 3, Tx: tc.prof}
		if tc.dir == "rx" {
			cfg = impair.Config{Seed: 3, Rx: tc.prof}
		}
		got, sent, st := transfer(t, cfg, tc.dir, n, 64)
		c := st.Tx
		if tc.dir == "rx" {
			c = st.Rx
		}
		within(t, tc.dir+" corrupt", c.Corrupted, n, 0.1)
		if len(got) != n {
			t.Fatalf("%s: %d frames out, want %d", tc.dir, len(got), n)
		}
		bad := 0
		var hit [64]int // how often each byte was hit
		for i, f := range got {
			diff := 0
			for j := range f {
				if x := f[j] ^ sent[i][j]; x != 0 {
					diff += bits.OnesCount8(x)
					if j < ethernet.HeaderLen {
						t.Fatalf("%s: frame %d corrupted in the Ethernet header, byte %d", tc.dir, i, j)
					}
					hit[j]++
				}
			}
			switch diff {
			case 0:
			case 1:
				bad++
			default:
				t.Fatalf("%s: frame %d has %d bits flipped, want 1", tc.dir, i, diff)
			}
		}
		if bad != int(c.Corrupted) {
			t.Errorf("%s: %d frames corrupted, %d counted", tc.dir, bad, c.Corrupted)
		}
		// Every byte after the header is hit now and then.
		for j := ethernet.HeaderLen; j < 64; j++ {
			if hit[j] == 0 {
				t.Errorf("%s: byte %d never corrupted in %d corruptions", tc.dir, j, bad)
			}
		}
	}
}

func TestShortFrameCorruptsAnywhere(t *testing.T) {
	// A frame of just a header has nothing else to corrupt.
	got, sent, st := transfer(t, impair.Config{Seed: 1, Tx: impair.Profile{Corrupt: 1}}, "tx", 50, ethernet.HeaderLen+4)
	if st.Tx.Corrupted != 50 {
		t.Fatalf("Corrupted = %d, want 50", st.Tx.Corrupted)
	}
	for i := range got {
		if bytes.Equal(got[i], sent[i]) {
			t.Errorf("frame %d not corrupted", i)
		}
	}
}

func TestReorderRate(t *testing.T) {
	const n = 20000
	for _, dir := range []string{"tx", "rx"} {
		prof := impair.Profile{Reorder: 0.2, QueueLimit: n}
		cfg := impair.Config{Seed: 11, Tx: prof}
		if dir == "rx" {
			cfg = impair.Config{Seed: 11, Rx: prof}
		}
		got, _, st := transfer(t, cfg, dir, n, 64)
		c := st.Tx
		if dir == "rx" {
			c = st.Rx
		}
		// A frame is chosen only when none is held: of the n frames, a
		// fraction 1/(1+p) find nothing held, and p of those are held, so
		// the expected count is n*p/(1+p).
		within(t, dir+" reorder", c.Reordered, n, 0.2/1.2)
		if len(got) != n {
			t.Fatalf("%s: %d frames out, want %d", dir, len(got), n)
		}
		// Every inversion is a swap of neighbours.
		swaps := 0
		for i := 0; i < len(got); i++ {
			s := int(seqOf(got[i]))
			switch {
			case s == i:
			case s == i+1 && i+1 < len(got) && int(seqOf(got[i+1])) == i:
				swaps++
				i++
			default:
				t.Fatalf("%s: position %d holds seq %d", dir, i, s)
			}
		}
		if swaps != int(c.Reordered) {
			t.Errorf("%s: %d swaps, %d counted", dir, swaps, c.Reordered)
		}
	}
}

// Reorder 1: every other frame is held and swapped with the next.
func TestReorderSwaps(t *testing.T) {
	got, _, st := transfer(t, impair.Config{Tx: impair.Profile{Reorder: 1}}, "tx", 6, 64)
	var seqs []uint32
	for _, f := range got {
		seqs = append(seqs, seqOf(f))
	}
	if want := []uint32{1, 0, 3, 2, 5, 4}; !slices.Equal(seqs, want) {
		t.Errorf("order %v, want %v", seqs, want)
	}
	if st.Tx.Reordered != 3 || st.Tx.Delayed != 3 {
		t.Errorf("counters %+v, want 3 reordered, 3 delayed", st.Tx)
	}
}

// arrival is a frame as a reader saw it: when, and what.
type arrival struct {
	at  time.Duration
	seq uint32
	sum uint32
}

// collect reads dev in a goroutine and returns a function that waits for
// the end (net.ErrClosed) and returns what arrived, timed from start.
func collect(dev link.Device, start time.Time) func() []arrival {
	done := make(chan []arrival)
	go func() {
		var out []arrival
		buf := make([]byte, link.FrameLen(dev))
		for {
			n, err := dev.ReadFrame(buf)
			if err != nil {
				done <- out
				return
			}
			out = append(out, arrival{time.Since(start), seqOf(buf[:n]), crc32.ChecksumIEEE(buf[:n])})
		}
	}()
	return func() []arrival { return <-done }
}

func TestDelay(t *testing.T) {
	for _, dir := range []string{"tx", "rx"} {
		synctest.Test(t, func(t *testing.T) {
			prof := impair.Profile{Delay: 10 * time.Millisecond}
			a, b := pipe.New(pipe.Config{})
			var d *impair.Device
			var in link.Device
			var wait func() []arrival
			start := time.Now()
			if dir == "tx" {
				d = impair.New(a, impair.Config{Tx: prof})
				in = d
				wait = collect(b, start)
			} else {
				d = impair.New(a, impair.Config{Rx: prof})
				in = b
				wait = collect(d, start)
			}
			for i := range 5 {
				in.WriteFrame(frame(64, a.HardwareAddr(), uint32(i)))
				time.Sleep(3 * time.Millisecond)
			}
			time.Sleep(time.Second)
			d.Close()
			b.Close()
			got := wait()
			if len(got) != 5 {
				t.Fatalf("%s: %d frames, want 5", dir, len(got))
			}
			for i, g := range got {
				if want := time.Duration(3*i+10) * time.Millisecond; g.at != want || g.seq != uint32(i) {
					t.Errorf("%s: frame %d arrived at %v, want seq %d at %v", dir, g.seq, g.at, i, want)
				}
			}
			c := d.Stats().Tx
			if dir == "rx" {
				c = d.Stats().Rx
			}
			if c.Delayed != 5 || c.Delivered != 5 {
				t.Errorf("%s: counters %+v", dir, c)
			}
		})
	}
}

func TestJitter(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		const n = 2000
		const delay, jitter = 20 * time.Millisecond, 5 * time.Millisecond
		a, b := pipe.New(pipe.Config{Queue: n})
		d := impair.New(a, impair.Config{Seed: 5, Tx: impair.Profile{Delay: delay, Jitter: jitter}})
		start := time.Now()
		wait := collect(b, start)
		sentAt := make([]time.Duration, n)
		for i := range n {
			sentAt[i] = time.Since(start)
			d.WriteFrame(frame(64, a.HardwareAddr(), uint32(i)))
			time.Sleep(10 * time.Millisecond) // more than 2*jitter apart
		}
		time.Sleep(time.Second)
		d.Close()
		got := wait()
		if len(got) != n {
			t.Fatalf("%d frames, want %d", len(got), n)
		}
		var sum time.Duration
		distinct := map[time.Duration]bool{}
		for i, g := range got {
			if g.seq != uint32(i) {
				t.Fatalf("position %d holds seq %d: jitter reordered", i, g.seq)
			}
			dl := g.at - sentAt[i]
			if dl < delay-jitter || dl > delay+jitter {
				t.Fatalf("frame %d delayed %v, want %v ± %v", i, dl, delay, jitter)
			}
			sum += dl
			distinct[dl] = true
		}
		// Uniform over ±5ms: the mean is within 4.5 sigma of 20ms, where
		// sigma = 10ms/sqrt(12)/sqrt(n).
		mean := sum / n
		tol := time.Duration(4.5 * float64(2*jitter) / math.Sqrt(12*n))
		if mean < delay-tol || mean > delay+tol {
			t.Errorf("mean delay %v, want %v ± %v", mean, delay, tol)
		}
		if len(distinct) < n/2 {
			t.Errorf("only %d distinct delays in %d frames", len(distinct), n)
		}
	})
}

func TestJitterKeepsOrder(t *testing.T) {
	// Frames closer together than the jitter would pass each other under
	// netem; here they queue behind each other instead.
	synctest.Test(t, func(t *testing.T) {
		a, b := pipe.New(pipe.Config{})
		d := impair.New(a, impair.Config{Seed: 9, Tx: impair.Profile{Jitter: 10 * time.Millisecond}})
		start := time.Now()
		wait := collect(b, start)
		for i := range 200 {
			d.WriteFrame(frame(64, a.HardwareAddr(), uint32(i)))
			time.Sleep(time.Millisecond)
		}
		time.Sleep(time.Second)
		d.Close()
		got := wait()
		if len(got) != 200 {
			t.Fatalf("%d frames, want 200", len(got))
		}
		for i, g := range got {
			if g.seq != uint32(i) {
				t.Fatalf("position %d holds seq %d", i, g.seq)
			}
			if max := time.Duration(i+10) * time.Millisecond; g.at > max {
				t.Fatalf("frame %d at %v, later than %v", i, g.at, max)
			}
		}
	})
}

func TestRate(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		// 1 Mbit/s: a frame of 1250 bytes takes 10 ms.
		a, b := pipe.New(pipe.Config{})
		d := impair.New(a, impair.Config{Tx: impair.Profile{Rate: 1e6, Delay: 5 * time.Millisecond}})
		start := time.Now()
		wait := collect(b, start)
		for i := range 10 {
			d.WriteFrame(frame(1250, a.HardwareAddr(), uint32(i)))
		}
		time.Sleep(200 * time.Millisecond)
		// After the burst has drained the link is idle: the next frame
		// goes at once.
		d.WriteFrame(frame(1250, a.HardwareAddr(), 10))
		time.Sleep(time.Second)
		d.Close()
		got := wait()
		if len(got) != 11 {
			t.Fatalf("%d frames, want 11", len(got))
		}
		for i, g := range got[:10] {
			if want := time.Duration(10*(i+1)+5) * time.Millisecond; g.at != want {
				t.Errorf("frame %d at %v, want %v", i, g.at, want)
			}
		}
		if want := 215 * time.Millisecond; got[10].at != want {
			t.Errorf("frame after the burst at %v, want %v", got[10].at, want)
		}
		if c := d.Stats().Tx; c.Delayed != 11 || c.Delivered != 11 {
			t.Errorf("counters %+v", c)
		}
	})
}

func TestQueueLimit(t *testing.T) {
	for _, dir := range []string{"tx", "rx"} {
		synctest.Test(t, func(t *testing.T) {
			prof := impair.Profile{Rate: 1e6, QueueLimit: 5}
			a, b := pipe.New(pipe.Config{})
			cfg := impair.Config{Tx: prof}
			in := link.Device(nil)
			var d *impair.Device
			var wait func() []arrival
			start := time.Now()
			if dir == "tx" {
				d = impair.New(a, cfg)
				in, wait = d, collect(b, start)
			} else {
				cfg = impair.Config{Rx: prof}
				d = impair.New(a, cfg)
				in, wait = b, collect(d, start)
			}
			for i := range 20 {
				in.WriteFrame(frame(1250, a.HardwareAddr(), uint32(i)))
			}
			time.Sleep(time.Second)
			d.Close()
			b.Close()
			got := wait()
			c := d.Stats().Tx
			if dir == "rx" {
				c = d.Stats().Rx
			}
			if len(got) != 5 || c.QueueDropped != 15 || c.Delivered != 5 || c.Frames != 20 {
				t.Errorf("%s: %d frames out, counters %+v; want 5 out, 15 queue drops", dir, len(got), c)
			}
			for i, g := range got {
				if g.seq != uint32(i) {
					t.Errorf("%s: position %d holds seq %d, want the first five", dir, i, g.seq)
				}
			}
		})
	}
}

func TestReorderTimeout(t *testing.T) {
	for _, tc := range []struct {
		prof impair.Profile
		want time.Duration
	}{
		{impair.Profile{Reorder: 1}, impair.ReorderHold},
		{impair.Profile{Reorder: 1, Delay: 5 * time.Millisecond}, 5 * time.Millisecond},
		{impair.Profile{Reorder: 1, Delay: 5 * time.Millisecond, Jitter: time.Millisecond}, 6 * time.Millisecond},
	} {
		synctest.Test(t, func(t *testing.T) {
			a, b := pipe.New(pipe.Config{})
			d := impair.New(a, impair.Config{Tx: tc.prof})
			start := time.Now()
			wait := collect(b, start)
			// Frame 0 is held, finds no successor within its hold and
			// goes alone; frame 1, written later, is held in turn.
			d.WriteFrame(frame(64, a.HardwareAddr(), 0))
			time.Sleep(time.Second)
			d.WriteFrame(frame(64, a.HardwareAddr(), 1))
			time.Sleep(time.Second)
			d.Close()
			got := wait()
			want := []arrival{{at: tc.want, seq: 0}, {at: time.Second + tc.want, seq: 1}}
			if len(got) != 2 || got[0].at != want[0].at || got[0].seq != 0 || got[1].at != want[1].at || got[1].seq != 1 {
				t.Errorf("%+v: arrivals %+v, want %+v", tc.prof, got, want)
			}
			if c := d.Stats().Tx; c.Reordered != 0 || c.Delayed != 2 {
				t.Errorf("%+v: counters %+v, want 0 reordered, 2 delayed", tc.prof, c)
			}
		})
	}
}

// trace runs a conversation through a Device with both directions
// impaired, in a synctest bubble, and returns what each side received and
// when.
func trace(t *testing.T, cfg impair.Config) (tx, rx []arrival, st impair.Stats) {
	synctest.Test(t, func(t *testing.T) {
		const n = 400
		a, b := pipe.New(pipe.Config{Queue: 2 * n})
		d := impair.New(a, cfg)
		start := time.Now()
		waitTx := collect(b, start)
		waitRx := collect(d, start)
		done := make(chan bool)
		go func() {
			for i := range n {
				b.WriteFrame(frame(64+i%900, b.HardwareAddr(), uint32(i)))
				time.Sleep(time.Duration(i%7) * 300 * time.Microsecond)
			}
			done <- true
		}()
		for i := range n {
			d.WriteFrame(frame(1514-i%1400, a.HardwareAddr(), uint32(i)))
			time.Sleep(time.Duration(i%5) * 500 * time.Microsecond)
		}
		<-done
		time.Sleep(10 * time.Second)
		st = d.Stats()
		d.Close()
		b.Close()
		tx, rx = waitTx(), waitRx()
	})
	return tx, rx, st
}

func TestDeterminism(t *testing.T) {
	p := impair.Profile{
		Loss: 0.05, Duplicate: 0.05, Reorder: 0.1, Corrupt: 0.05,
		Delay: 3 * time.Millisecond, Jitter: 2 * time.Millisecond,
		Rate: 50e6, QueueLimit: 100,
	}
	q := impair.Profile{Loss: 0.1, Reorder: 0.05, Delay: time.Millisecond, Jitter: time.Millisecond}
	cfg := impair.Config{Seed: 42, Tx: p, Rx: q}
	tx1, rx1, st1 := trace(t, cfg)
	tx2, rx2, st2 := trace(t, cfg)
	if !slices.Equal(tx1, tx2) || !slices.Equal(rx1, rx2) || st1 != st2 {
		t.Fatalf("two runs with seed 42 differ:\n%+v\n%+v", st1, st2)
	}
	for _, c := range []impair.Counters{st1.Tx, st1.Rx} {
		if c.Dropped == 0 || c.Reordered == 0 || c.Delayed == 0 {
			t.Errorf("the trace exercises too little: %+v", c)
		}
	}
	if st1.Tx.Duplicated == 0 || st1.Tx.Corrupted == 0 {
		t.Errorf("the trace exercises too little: %+v", st1.Tx)
	}

	// Another seed, another trace.
	cfg.Seed = 43
	tx3, rx3, _ := trace(t, cfg)
	if slices.Equal(tx1, tx3) || slices.Equal(rx1, rx3) {
		t.Error("seeds 42 and 43 give the same trace")
	}

	// Each direction has its own stream: changing Rx leaves Tx alone,
	// down to the timings.
	cfg.Seed = 42
	cfg.Rx = impair.Profile{Loss: 0.5, Duplicate: 0.3}
	tx4, rx4, _ := trace(t, cfg)
	if !slices.Equal(tx1, tx4) {
		t.Error("changing the Rx profile changed the Tx trace")
	}
	if slices.Equal(rx1, rx4) {
		t.Error("changing the Rx profile did not change the Rx trace")
	}
}

// The decisions for the Nth frame depend on N alone, not on timing: the
// same frames written at other times are lost, duplicated and corrupted
// alike.
func TestDecisionsIgnoreTiming(t *testing.T) {
	p := impair.Profile{Loss: 0.2, Duplicate: 0.2, Corrupt: 0.2, Delay: time.Millisecond}
	run := func(gap time.Duration) []arrival {
		var got []arrival
		synctest.Test(t, func(t *testing.T) {
			a, b := pipe.New(pipe.Config{})
			d := impair.New(a, impair.Config{Seed: 8, Tx: p})
			wait := collect(b, time.Now())
			for i := range 300 {
				d.WriteFrame(frame(100, a.HardwareAddr(), uint32(i)))
				time.Sleep(gap)
			}
			time.Sleep(time.Second)
			d.Close()
			for _, g := range wait() {
				got = append(got, arrival{seq: g.seq, sum: g.sum})
			}
		})
		return got
	}
	if a, b := run(0), run(7*time.Millisecond); !slices.Equal(a, b) {
		t.Error("the frames delivered depend on when they were written")
	}
}

func TestCloseUnblocksRead(t *testing.T) {
	for _, prof := range []impair.Profile{
		{},                            // pass-through
		{Loss: 0.5},                   // on the caller's goroutine
		{Delay: time.Millisecond},     // through the reading goroutine
		{Reorder: 0.5, QueueLimit: 3}, // likewise
	} {
		a, _ := pipe.New(pipe.Config{})
		d := impair.New(a, impair.Config{Rx: prof})
		errc := make(chan error, 1)
		go func() {
			_, err := d.ReadFrame(make([]byte, 1518))
			errc <- err
		}()
		time.Sleep(10 * time.Millisecond)
		d.Close()
		select {
		case err := <-errc:
			if !errors.Is(err, net.ErrClosed) {
				t.Errorf("%+v: ReadFrame returned %v, want net.ErrClosed", prof, err)
			}
		case <-time.After(5 * time.Second):
			t.Fatalf("%+v: Close did not unblock ReadFrame", prof)
		}
		if err := d.WriteFrame(frame(64, a.HardwareAddr(), 1)); !errors.Is(err, net.ErrClosed) {
			t.Errorf("%+v: WriteFrame after Close: %v", prof, err)
		}
		if _, err := d.ReadFrames([][]byte{make([]byte, 1518)}, []int{0}); !errors.Is(err, net.ErrClosed) {
			t.Errorf("%+v: ReadFrames after Close: %v", prof, err)
		}
		if err := d.Close(); err != nil {
			t.Errorf("second Close: %v", err)
		}
	}
}

// Closing discards what the Device holds: a delayed frame never arrives,
// and no timer is left to fire.
func TestCloseDiscardsQueued(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		a, b := pipe.New(pipe.Config{})
		d := impair.New(a, impair.Config{Tx: impair.Profile{Delay: time.Second}, Rx: impair.Profile{Delay: time.Second}})
		d.WriteFrame(frame(64, a.HardwareAddr(), 1))
		b.WriteFrame(frame(64, b.HardwareAddr(), 2))
		time.Sleep(time.Millisecond)
		d.Close()
		if got := readAll(t, b); len(got) != 0 {
			t.Errorf("the peer read %d frames written before Close", len(got))
		}
		time.Sleep(2 * time.Second)
		if s := d.Stats(); s.Tx.Delivered != 0 || s.Rx.Delivered != 0 {
			t.Errorf("delivered after Close: %+v", s)
		}
	})
}

// When the wrapped device ends (the peer closed the pipe), the reader
// still gets the frames in the queue, then the device's error.
func TestRxDrainsAfterPeerClose(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		a, b := pipe.New(pipe.Config{})
		d := impair.New(a, impair.Config{Rx: impair.Profile{Delay: 10 * time.Millisecond, Reorder: 1}})
		defer d.Close()
		for i := range 3 {
			b.WriteFrame(frame(64, b.HardwareAddr(), uint32(i)))
		}
		b.Close()
		start := time.Now()
		got := readAll(t, d)
		var seqs []uint32
		for _, f := range got {
			seqs = append(seqs, seqOf(f))
		}
		// 1 and 0 swap; 2 is held and, with no successor, goes after 10ms
		// of hold and is not late any more than that.
		if want := []uint32{1, 0, 2}; !slices.Equal(seqs, want) {
			t.Errorf("order %v, want %v", seqs, want)
		}
		if d := time.Since(start); d != 10*time.Millisecond {
			t.Errorf("drained after %v, want 10ms", d)
		}
	})
}

func TestRxReadFrames(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		a, b := pipe.New(pipe.Config{})
		d := impair.New(a, impair.Config{Rx: impair.Profile{Delay: time.Millisecond}})
		defer d.Close()
		for i := range 5 {
			b.WriteFrame(frame(64, b.HardwareAddr(), uint32(i)))
		}
		time.Sleep(2 * time.Millisecond)
		bufs := [][]byte{make([]byte, 1518), make([]byte, 1518), make([]byte, 10)}
		lens := make([]int, 3)
		n, err := d.ReadFrames(bufs, lens)
		if n != 3 || err != nil || lens[2] != 10 || seqOf(bufs[1][:lens[1]]) != 1 {
			t.Fatalf("ReadFrames = %d, %v, %v", n, err, lens)
		}
		if n, _ := d.ReadFrames(bufs, lens); n != 2 {
			t.Errorf("second ReadFrames = %d, want 2", n)
		}
		if n, err := d.ReadFrames(nil, nil); n != 0 || err != nil {
			t.Errorf("ReadFrames(nil) = %d, %v", n, err)
		}
	})
}

func TestTxWriteFrames(t *testing.T) {
	a, b := pipe.New(pipe.Config{})
	d := impair.New(a, impair.Config{Seed: 1, Tx: impair.Profile{Loss: 0.5}})
	frames := make([][]byte, 100)
	for i := range frames {
		frames[i] = frame(64, a.HardwareAddr(), uint32(i))
	}
	if n, err := d.WriteFrames(frames); n != 100 || err != nil {
		t.Fatalf("WriteFrames = %d, %v", n, err)
	}
	d.Close()
	if got, c := len(readAll(t, b)), d.Stats().Tx; uint64(got) != c.Delivered || c.Frames != 100 {
		t.Errorf("%d frames out, counters %+v", got, c)
	}
	if n, err := d.WriteFrames(frames); n != 0 || !errors.Is(err, net.ErrClosed) {
		t.Errorf("WriteFrames after Close = %d, %v", n, err)
	}
}

// A delayed frame that the wrapped device refuses is counted as an error.
func TestDelayedWriteError(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		a, b := pipe.New(pipe.Config{})
		d := impair.New(a, impair.Config{Tx: impair.Profile{Delay: time.Millisecond}})
		defer d.Close()
		d.WriteFrame(frame(64, a.HardwareAddr(), 1))
		b.Close() // the pipe refuses writes from now on
		time.Sleep(2 * time.Millisecond)
		if c := d.Stats().Tx; c.Errors != 1 || c.Delivered != 0 {
			t.Errorf("counters %+v, want 1 error", c)
		}
	})
}

// Synchronous Rx duplication returns the copy on the next read.
func TestRxDuplicateAll(t *testing.T) {
	a, b := pipe.New(pipe.Config{})
	d := impair.New(a, impair.Config{Rx: impair.Profile{Duplicate: 1}})
	defer d.Close()
	for i := range 3 {
		b.WriteFrame(frame(64, b.HardwareAddr(), uint32(i)))
	}
	buf := make([]byte, 1518)
	var seqs []uint32
	for range 6 {
		n, err := d.ReadFrame(buf)
		if err != nil {
			t.Fatal(err)
		}
		seqs = append(seqs, seqOf(buf[:n]))
	}
	if want := []uint32{0, 0, 1, 1, 2, 2}; !slices.Equal(seqs, want) {
		t.Errorf("read %v, want %v", seqs, want)
	}
}

// manualClock is a link.Clock whose time moves only when advance is called,
// which also runs a due timer on the caller's goroutine. It has one timer,
// which is all a direction uses.
type manualClock struct {
	mu      sync.Mutex
	now     time.Time
	at      time.Time
	f       func()
	pending bool
	made    int // timers made by AfterFunc
}

func newManualClock() *manualClock {
	return &manualClock{now: time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)}
}

func (c *manualClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *manualClock) AfterFunc(d time.Duration, f func()) link.Timer {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.f, c.at, c.pending = f, c.now.Add(d), true
	c.made++
	return c
}

func (c *manualClock) Stop() bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	was := c.pending
	c.pending = false
	return was
}

func (c *manualClock) Reset(d time.Duration) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	was := c.pending
	c.at, c.pending = c.now.Add(d), true
	return was
}

func (c *manualClock) advance(d time.Duration) {
	c.mu.Lock()
	c.now = c.now.Add(d)
	fire := c.pending && !c.at.After(c.now)
	if fire {
		c.pending = false
	}
	f := c.f
	c.mu.Unlock()
	if fire {
		f()
	}
}

// The Device reads time and sets timers through Config.Clock only, and
// makes one timer per direction, reused for every frame.
func TestClock(t *testing.T) {
	clk := newManualClock()
	a, b := pipe.New(pipe.Config{})
	d := impair.New(a, impair.Config{Clock: clk, Tx: impair.Profile{Delay: time.Second}})
	defer d.Close()
	buf := make([]byte, 1518)
	for i := range 100 {
		d.WriteFrame(frame(64, a.HardwareAddr(), uint32(i)))
		clk.advance(999 * time.Millisecond)
		if s := b.Stats(); s.RxQueued != 0 {
			t.Fatalf("frame %d out before its delay", i)
		}
		clk.advance(time.Millisecond)
		if s := b.Stats(); s.RxQueued != 1 {
			t.Fatalf("frame %d not out after its delay", i)
		}
		b.ReadFrame(buf)
	}
	if clk.made != 1 {
		t.Errorf("%d timers made, want 1", clk.made)
	}
	// Steady state: nothing allocated per frame, once every slot of the
	// pipe's ring has its buffer.
	for range 512 {
		b.WriteFrame(buf[:64])
		a.ReadFrame(buf)
		d.WriteFrame(buf[:64])
		clk.advance(time.Second)
		b.ReadFrame(buf)
	}
	if n := testing.AllocsPerRun(100, func() {
		d.WriteFrame(buf[:64])
		clk.advance(time.Second)
		b.ReadFrame(buf)
	}); n != 0 {
		t.Errorf("delayed frame: %v allocs, want 0", n)
	}
}

// A frame longer than the wrapped device takes is the device's to refuse,
// at once or, when it was delayed, in the counters.
func TestOversizeFrame(t *testing.T) {
	big := frame(2000, ethernet.Addr{2, 0, 0, 0, 0, 1}, 1)
	a, _ := pipe.New(pipe.Config{})
	d := impair.New(a, impair.Config{Tx: impair.Profile{Corrupt: 1}})
	if err := d.WriteFrame(big); !errors.Is(err, pipe.ErrFrameSize) {
		t.Errorf("corrupted oversize frame: %v, want the pipe's ErrFrameSize", err)
	}
	d.Close()
	synctest.Test(t, func(t *testing.T) {
		a, _ := pipe.New(pipe.Config{})
		d := impair.New(a, impair.Config{Tx: impair.Profile{Delay: time.Millisecond}})
		defer d.Close()
		if err := d.WriteFrame(big); err != nil {
			t.Fatal(err)
		}
		time.Sleep(time.Second)
		if c := d.Stats().Tx; c.Errors != 1 {
			t.Errorf("delayed oversize frame: counters %+v, want 1 error", c)
		}
	})
}

// Writers, readers, timers and Close all at once, on the real clock: no
// race, no panic, no goroutine left blocked.
func TestConcurrentClose(t *testing.T) {
	p := impair.Profile{
		Loss: 0.1, Duplicate: 0.1, Reorder: 0.1, Corrupt: 0.1,
		Delay: 200 * time.Microsecond, Jitter: 100 * time.Microsecond, Rate: 1e9, QueueLimit: 64,
	}
	for round := range 20 {
		a, b := pipe.New(pipe.Config{})
		d := impair.New(a, impair.Config{Seed: uint64(round), Tx: p, Rx: p})
		var wg sync.WaitGroup
		for w := range 2 {
			wg.Go(func() {
				f := frame(100, a.HardwareAddr(), uint32(w))
				for {
					if d.WriteFrame(f) != nil {
						return
					}
					if b.WriteFrame(f) != nil {
						return
					}
					runtime.Gosched() // the writers never block: let the others run
				}
			})
		}
		for _, r := range []link.Device{d, b} {
			wg.Go(func() {
				buf := make([]byte, 1518)
				for {
					if _, err := r.ReadFrame(buf); err != nil {
						return
					}
				}
			})
		}
		// Close amid traffic, once some has gone each way.
		for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); {
			if s := d.Stats(); s.Tx.Frames > 100 && s.Rx.Frames > 100 {
				break
			}
			time.Sleep(time.Millisecond)
		}
		d.Close() // closes a; b's reads end once drained, its writes fail
		b.Close()
		done := make(chan bool)
		go func() { wg.Wait(); close(done) }()
		select {
		case <-done:
		case <-time.After(10 * time.Second):
			t.Fatalf("round %d: goroutines still blocked after Close", round)
		}
		if s := d.Stats(); s.Tx.Frames <= 100 || s.Rx.Frames <= 100 {
			t.Errorf("round %d: too little traffic: %+v", round, s)
		}
	}
}
