package stack

import (
	"context"
	"net/netip"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/medina-net/medina/link"
	"github.com/medina-net/medina/link/pipe"
	"github.com/medina-net/medina/tcp"
)

// sinkable is a device that passes frames through until sink is set, and
// from then on keeps a copy of the last frame written instead of sending
// it: a stack behind it resolves its neighbours over a real link, then
// sends into nothing, so a benchmark times one half of a datagram's trip.
type sinkable struct {
	link.Device
	sink atomic.Bool
	mu   sync.Mutex
	last []byte
}

func (d *sinkable) WriteFrame(f []byte) error {
	if !d.sink.Load() {
		return d.Device.WriteFrame(f)
	}
	d.mu.Lock()
	d.last = append(d.last[:0], f...)
	d.mu.Unlock()
	return nil
}

// BenchmarkUDPPath times each half of a UDP datagram's trip between two
// stacks, per family, on the benchmarking goroutine alone: send is
// WriteToUDPAddrPort down to the device's WriteFrame; receive is the
// frame's input up to the socket's queue, and ReadFromUDPAddrPort from
// it. BenchmarkUDPThroughput64 is the two together with the goroutines
// and the pipe between them.
func BenchmarkUDPPath(b *testing.B) {
	for _, fam := range benchFamilies {
		b.Run(fam.name, func(b *testing.B) {
			ea, eb := pipe.New(pipe.Config{Queue: udpPipeQueue})
			dev := &sinkable{Device: eb}
			sa, sb := dualStacks(b, ea, dev, tcp.Config{})
			benchUDPPath(b, sa, sb, dev, fam.a)
		})
	}
}

// benchUDPPath times sb sending to sa's address to, through dev, sb's
// device, and sa receiving what sb sent.
func benchUDPPath(b *testing.B, sa, sb *Stack, dev *sinkable, to netip.Addr) {
	rx, err := sa.ListenUDP(netip.MustParseAddrPort("[::]:9"))
	if err != nil {
		b.Fatal(err)
	}
	tx, err := sb.ListenUDP(netip.AddrPort{})
	if err != nil {
		b.Fatal(err)
	}
	if _, err := sb.Ping(context.Background(), to, 8); err != nil {
		b.Fatal(err)
	}
	dst := netip.AddrPortFrom(to, 9)
	payload := make([]byte, 64)
	buf := make([]byte, 2048)
	dev.sink.Store(true)
	// The frame the receiving half is fed: one datagram sent into the
	// sink, whichever sub-benchmarks run.
	if _, err := tx.WriteToUDPAddrPort(payload, dst); err != nil {
		b.Fatal(err)
	}
	dev.mu.Lock()
	frame := append([]byte(nil), dev.last...)
	dev.mu.Unlock()
	// A datagram the receiver drops would leave the read waiting for
	// ever: fail instead.
	rx.SetReadDeadline(time.Now().Add(time.Minute))
	b.Run("half=send", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := tx.WriteToUDPAddrPort(payload, dst); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("half=receive", func(b *testing.B) {
		in := make([]byte, len(frame))
		now := sa.clock.Now()
		b.ReportAllocs()
		for b.Loop() {
			copy(in, frame)
			sa.inputAt(in, link.RxOffload{}, now)
			if _, _, err := rx.ReadFromUDPAddrPort(buf); err != nil {
				b.Fatal(err)
			}
		}
	})
}
