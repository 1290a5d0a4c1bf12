package stack

import (
	"bytes"
	"context"
	"io"
	"net/netip"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/medina-net/medina/link"
	"github.com/medina-net/medina/link/pipe"
	"github.com/medina-net/medina/pcap"
	"github.com/medina-net/medina/tcp"
)

// frameLog keeps copies of the frames it is given, per direction: as a
// CaptureSink, and as a pcap.Recorder for a Tap.
type frameLog struct {
	mu      sync.Mutex
	in, out [][]byte
}

func (l *frameLog) CaptureFrame(ts time.Time, frame []byte, outbound bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if outbound {
		l.out = append(l.out, bytes.Clone(frame))
	} else {
		l.in = append(l.in, bytes.Clone(frame))
	}
}

func (l *frameLog) WriteFrame(ts time.Time, frame []byte, dir pcap.Direction) error {
	l.CaptureFrame(ts, frame, dir == pcap.DirectionOutbound)
	return nil
}

func (l *frameLog) Flush() error { return nil }

// frames returns copies of the lists.
func (l *frameLog) frames() (in, out [][]byte) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return slices.Clone(l.in), slices.Clone(l.out)
}

// TestCaptureMatchesTap runs traffic both ways between two stacks, a
// over a pcap.Tap and with a live capture added, and checks that the
// capture saw exactly the frames the Tap recorded at the device: the
// same bytes, the same directions, inbound in the same order (outbound
// frames come from several goroutines, so only as a set). Over a pipe
// with offload, the super-frames each way must show as the same
// wire-size frames.
func TestCaptureMatchesTap(t *testing.T) {
	for _, offload := range []bool{false, true} {
		name := "link=plain"
		if offload {
			name = "link=offload"
		}
		t.Run(name, func(t *testing.T) {
			ea, eb := pipe.New(pipe.Config{Queue: 4096, Offload: offload})
			tapLog, capLog := &frameLog{}, &frameLog{}
			tap := pcap.NewTap(ea, tapLog, nil)
			tap.SetEnabled(false)
			sa, sb := dualStacks(t, tap, eb, tcp.Config{})
			ln, err := sa.ListenTCP(netip.AddrPortFrom(addrA, 7))
			if err != nil {
				t.Fatal(err)
			}
			defer ln.Close()

			tap.SetEnabled(true)
			remove := sa.AddCapture(capLog)
			go func() {
				c, err := ln.Accept()
				if err != nil {
					return
				}
				io.Copy(c, c)
				c.Close()
			}()
			c, err := sb.DialTCP(context.Background(), netip.AddrPort{}, netip.AddrPortFrom(addrA, 7))
			if err != nil {
				t.Fatal(err)
			}
			data := bytes.Repeat([]byte("medina "), 150000)
			go c.Write(data)
			got := make([]byte, len(data))
			if _, err := io.ReadFull(c, got); err != nil || !bytes.Equal(got, data) {
				t.Fatalf("echo: %v", err)
			}
			c.Close()
			// Let the close finish, then stop both recordings.
			deadline := time.Now().Add(5 * time.Second)
			for sa.NumTCPConns() > 0 && time.Now().Before(deadline) {
				time.Sleep(time.Millisecond)
			}
			remove()
			tap.SetEnabled(false)
			remove() // a second call does nothing

			tapIn, tapOut := tapLog.frames()
			capIn, capOut := capLog.frames()
			if len(capIn) < 100 || len(capOut) < 100 {
				t.Fatalf("captured %d in, %d out", len(capIn), len(capOut))
			}
			if !slices.EqualFunc(tapIn, capIn, bytes.Equal) {
				t.Errorf("inbound: the Tap recorded %d frames, the capture %d, not the same", len(tapIn), len(capIn))
			}
			sortFrames := func(f [][]byte) { slices.SortFunc(f, bytes.Compare) }
			sortFrames(tapOut)
			sortFrames(capOut)
			if !slices.EqualFunc(tapOut, capOut, bytes.Equal) {
				t.Errorf("outbound: the Tap recorded %d frames, the capture %d, not the same", len(tapOut), len(capOut))
			}
			mtu := sa.MTU() + 14
			for _, f := range slices.Concat(capIn, capOut) {
				if len(f) > mtu {
					t.Fatalf("a captured frame of %d bytes: a super-frame was not cut", len(f))
				}
			}
			st := sa.Stats().Link
			if offload && (st.InSuperFrames == 0 || st.OutSuperFrames == 0) {
				t.Errorf("no super-frames both ways: %+v", st)
			}
		})
	}
}

// TestCaptureSinks checks that each of several sinks sees the frames, and
// that a removed one sees no more.
func TestCaptureSinks(t *testing.T) {
	ea, eb := pipe.New(pipe.Config{})
	sa, sb := dualStacks(t, ea, eb, tcp.Config{})
	one, two := &frameLog{}, &frameLog{}
	removeOne := sa.AddCapture(one)
	removeTwo := sa.AddCapture(two)
	ctx := context.Background()
	if _, err := sb.Ping(ctx, addrA, 56); err != nil {
		t.Fatal(err)
	}
	removeOne()
	if _, err := sb.Ping(ctx, addrA, 56); err != nil {
		t.Fatal(err)
	}
	removeTwo()
	if _, err := sb.Ping(ctx, addrA, 56); err != nil {
		t.Fatal(err)
	}
	in1, out1 := one.frames()
	in2, out2 := two.frames()
	// The first ping: ARP both ways, the echo and its reply; the second
	// just the echo and its reply.
	if len(in1) < 2 || len(out1) < 2 || len(in2) != len(in1)+1 || len(out2) != len(out1)+1 {
		t.Errorf("first sink saw %d in, %d out; second %d in, %d out", len(in1), len(out1), len(in2), len(out2))
	}
	if sa.capture.on() {
		t.Error("capture still on with no sink")
	}
}

// nopSink takes frames and does nothing, for the benchmarks.
type nopSink struct{}

func (nopSink) CaptureFrame(time.Time, []byte, bool) {}

// receiveBatch is what the read loop does with a batch it read, here of
// one frame: the capture's check, then the frame up the stack.
func receiveBatch(s *Stack, bufs [][]byte, lens []int, offs []link.RxOffload, now time.Time) {
	if s.capture.on() {
		s.captureBatch(bufs, lens, offs, now)
	}
	s.inputAt(bufs[0][:lens[0]], offs[0], now)
}

// BenchmarkCaptureHook times each half of a UDP datagram's trip between
// two stacks over IPv4, as BenchmarkUDPPath does, with no capture
// (capture=off: the one atomic load a frame, or a batch of frames read,
// costs) and with a sink that does nothing on both stacks (capture=on:
// what handing each frame over costs, before the sink's own work). The
// receiving half is fed as the read loop feeds the stack a batch of one
// frame.
func BenchmarkCaptureHook(b *testing.B) {
	for _, on := range []bool{false, true} {
		name := "capture=off"
		if on {
			name = "capture=on"
		}
		b.Run(name, func(b *testing.B) {
			ea, eb := pipe.New(pipe.Config{Queue: udpPipeQueue})
			dev := &sinkable{Device: eb}
			sa, sb := dualStacks(b, ea, dev, tcp.Config{})
			rx, err := sa.ListenUDP(netip.MustParseAddrPort("[::]:9"))
			if err != nil {
				b.Fatal(err)
			}
			tx, err := sb.ListenUDP(netip.AddrPort{})
			if err != nil {
				b.Fatal(err)
			}
			if _, err := sb.Ping(context.Background(), addrA, 8); err != nil {
				b.Fatal(err)
			}
			if on {
				defer sa.AddCapture(nopSink{})()
				defer sb.AddCapture(nopSink{})()
			}
			dst := netip.AddrPortFrom(addrA, 9)
			payload, buf := make([]byte, 64), make([]byte, 2048)
			dev.sink.Store(true)
			if _, err := tx.WriteToUDPAddrPort(payload, dst); err != nil {
				b.Fatal(err)
			}
			dev.mu.Lock()
			frame := bytes.Clone(dev.last)
			dev.mu.Unlock()
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
				bufs, lens, offs := [][]byte{in}, []int{len(in)}, make([]link.RxOffload, 1)
				now := sa.clock.Now()
				b.ReportAllocs()
				for b.Loop() {
					copy(in, frame)
					receiveBatch(sa, bufs, lens, offs, now)
					if _, _, err := rx.ReadFromUDPAddrPort(buf); err != nil {
						b.Fatal(err)
					}
				}
			})
		})
	}
}

// BenchmarkCaptureHookOtherHost times the shortest path a frame takes
// through the stack, a frame for another host's MAC address dropped at
// once, fed as the read loop feeds a batch of one frame, with no capture
// and with a sink that does nothing: on so short a path the capture's
// check, were it measurable, would show.
func BenchmarkCaptureHookOtherHost(b *testing.B) {
	frame := make([]byte, 60)
	copy(frame, []byte{0x02, 0xee, 0xee, 0xee, 0xee, 0xee}) // not the stack's
	for _, on := range []bool{false, true} {
		name := "capture=off"
		if on {
			name = "capture=on"
		}
		b.Run(name, func(b *testing.B) {
			ea, eb := pipe.New(pipe.Config{})
			sa, _ := dualStacks(b, ea, eb, tcp.Config{})
			if on {
				defer sa.AddCapture(nopSink{})()
			}
			bufs, lens, offs := [][]byte{frame}, []int{len(frame)}, make([]link.RxOffload, 1)
			now := sa.clock.Now()
			b.ReportAllocs()
			for b.Loop() {
				receiveBatch(sa, bufs, lens, offs, now)
			}
		})
	}
}
