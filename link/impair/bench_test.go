package impair_test

import (
	"testing"
	"time"

	"github.com/medina-net/medina/link"
	"github.com/medina-net/medina/link/impair"
	"github.com/medina-net/medina/link/pipe"
)

// benchWrite writes 1514-byte frames to dev and reads what reaches peer
// every 64 frames, so the cost per frame is one write and one read.
func benchWrite(b *testing.B, dev link.Device, peer *pipe.End) {
	f := frame(1514, dev.HardwareAddr(), 1)
	buf := make([]byte, 1518)
	b.SetBytes(int64(len(f)))
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		dev.WriteFrame(f)
		if i++; i%64 == 0 {
			for range peer.Stats().RxQueued {
				peer.ReadFrame(buf)
			}
		}
	}
}

// benchTx is benchWrite through a Device with profile p on Tx.
func benchTx(b *testing.B, p impair.Profile) {
	x, y := pipe.New(pipe.Config{})
	d := impair.New(x, impair.Config{Seed: 1, Tx: p})
	defer d.Close()
	benchWrite(b, d, y)
}

// BenchmarkPipe is the baseline: the bare pipe.
func BenchmarkPipe(b *testing.B) {
	x, y := pipe.New(pipe.Config{})
	defer x.Close()
	benchWrite(b, x, y)
}

// BenchmarkPassThroughTx is BenchmarkPipe through a zero profile.
func BenchmarkPassThroughTx(b *testing.B) { benchTx(b, impair.Profile{}) }

// BenchmarkPassThroughRx reads through a zero Rx profile.
func BenchmarkPassThroughRx(b *testing.B) {
	x, y := pipe.New(pipe.Config{})
	d := impair.New(x, impair.Config{})
	defer d.Close()
	f := frame(1514, x.HardwareAddr(), 1)
	buf := make([]byte, 1518)
	b.SetBytes(int64(len(f)))
	b.ReportAllocs()
	for b.Loop() {
		y.WriteFrame(f)
		d.ReadFrame(buf)
	}
}

// BenchmarkLossTx: the synchronous path, six draws per frame.
func BenchmarkLossTx(b *testing.B) { benchTx(b, impair.Profile{Loss: 0.01}) }

// BenchmarkCorruptTx copies every frame to corrupt it.
func BenchmarkCorruptTx(b *testing.B) { benchTx(b, impair.Profile{Corrupt: 1}) }

// BenchmarkReorderTx goes through the queue, without timers.
func BenchmarkReorderTx(b *testing.B) {
	benchTx(b, impair.Profile{Reorder: 0.01})
}

// BenchmarkDelayTx delays every frame by 1 ms on a manual clock that
// fires the timer on the benchmark's goroutine: the cost of the queue and
// the timer, without the goroutine switch a real timer adds.
func BenchmarkDelayTx(b *testing.B) {
	x, y := pipe.New(pipe.Config{})
	clk := newManualClock()
	d := impair.New(x, impair.Config{Clock: clk, Tx: impair.Profile{Delay: time.Millisecond}})
	defer d.Close()
	f := frame(1514, x.HardwareAddr(), 1)
	buf := make([]byte, 1518)
	b.SetBytes(int64(len(f)))
	b.ReportAllocs()
	for b.Loop() {
		d.WriteFrame(f)
		clk.advance(time.Millisecond)
		y.ReadFrame(buf)
	}
}
