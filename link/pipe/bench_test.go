package pipe

import (
	"testing"
)

// BenchmarkWriteRead writes and reads one full-size frame at a time on one
// goroutine: the cost of the queue itself, two copies of 1514 bytes
// included.
func BenchmarkWriteRead(b *testing.B) {
	x, y := New(Config{})
	defer x.Close()
	f := frame(1514, x.HardwareAddr(), 1)
	buf := make([]byte, 1518)
	b.SetBytes(int64(len(f)))
	b.ReportAllocs()
	for b.Loop() {
		x.WriteFrame(f)
		y.ReadFrame(buf)
	}
}

// BenchmarkWriteReadSmall is BenchmarkWriteRead with 64-byte frames, such
// as bare TCP acknowledgements.
func BenchmarkWriteReadSmall(b *testing.B) {
	x, y := New(Config{})
	defer x.Close()
	f := frame(64, x.HardwareAddr(), 1)
	buf := make([]byte, 1518)
	b.SetBytes(int64(len(f)))
	b.ReportAllocs()
	for b.Loop() {
		x.WriteFrame(f)
		y.ReadFrame(buf)
	}
}

// BenchmarkBatch moves 32 full-size frames per WriteFrames and ReadFrames;
// ns/op is per frame.
func BenchmarkBatch(b *testing.B) {
	const batch = 32
	x, y := New(Config{})
	defer x.Close()
	f := frame(1514, x.HardwareAddr(), 1)
	frames := make([][]byte, batch)
	bufs := make([][]byte, batch)
	for i := range frames {
		frames[i] = f
		bufs[i] = make([]byte, 1518)
	}
	lens := make([]int, batch)
	b.SetBytes(int64(len(f)))
	b.ReportAllocs()
	for i := 0; i < b.N; i += batch {
		x.WriteFrames(frames)
		for got := 0; got < batch; {
			k, _ := y.ReadFrames(bufs, lens)
			got += k
		}
	}
}

// BenchmarkPingPong bounces a 64-byte frame between two goroutines: the
// latency of a hand-off through a blocked reader. ns/op is per round trip
// (two frames).
func BenchmarkPingPong(b *testing.B) {
	x, y := New(Config{})
	f := frame(64, x.HardwareAddr(), 1)
	go func() {
		buf := make([]byte, 1518)
		for {
			n, err := y.ReadFrame(buf)
			if err != nil {
				return
			}
			y.WriteFrame(buf[:n])
		}
	}()
	buf := make([]byte, 1518)
	b.ReportAllocs()
	for b.Loop() {
		x.WriteFrame(f)
		x.ReadFrame(buf)
	}
	b.StopTimer()
	x.Close()
}
