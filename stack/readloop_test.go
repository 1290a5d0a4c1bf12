package stack

import (
	"net"
	"net/netip"
	"runtime"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/medina-net/medina/arp"
	"github.com/medina-net/medina/ethernet"
	"github.com/medina-net/medina/link"
)

// feedDevice hands the read loop the frames a test queues, through the
// read method of its kind (plainFeed, batchFeed, swapFeed), and counts
// the calls of each.
type feedDevice struct {
	mac    ethernet.Addr
	frames chan []byte
	closed chan struct{}
	once   sync.Once

	nReadFrame, nReadFrames, nSwapReadFrames atomic.Int64

	// Buffers a swapFeed handed over, and those it got in exchange that
	// it had not handed: the loop's own, of which it has one per place,
	// unless it copies or allocates. badCap counts buffers of another
	// capacity than the device exchanges.
	mu       sync.Mutex
	handed   map[*byte]bool
	fromLoop map[*byte]bool
	badCap   int
}

func newFeedDevice() *feedDevice {
	return &feedDevice{mac: fuzzMAC, frames: make(chan []byte, 4096), closed: make(chan struct{}), handed: map[*byte]bool{}, fromLoop: map[*byte]bool{}}
}

func (d *feedDevice) next(block bool) ([]byte, error) {
	if block {
		select {
		case f := <-d.frames:
			return f, nil
		case <-d.closed:
			return nil, net.ErrClosed
		}
	}
	select {
	case f := <-d.frames:
		return f, nil
	default:
		return nil, nil
	}
}

func (d *feedDevice) ReadFrame(buf []byte) (int, error) {
	d.nReadFrame.Add(1)
	f, err := d.next(true)
	return copy(buf, f), err
}

// readFrames fills bufs with up to len(bufs) frames, at least one,
// through put.
func (d *feedDevice) readFrames(bufs [][]byte, lens []int, put func(i int, f []byte)) (int, error) {
	n := 0
	for n < len(bufs) {
		f, err := d.next(n == 0)
		if err != nil {
			return n, err
		}
		if f == nil {
			break
		}
		put(n, f)
		lens[n] = len(f)
		n++
	}
	return n, nil
}

func (d *feedDevice) WriteFrame([]byte) error     { return nil }
func (d *feedDevice) MTU() int                    { return 1500 }
func (d *feedDevice) HardwareAddr() ethernet.Addr { return d.mac }
func (d *feedDevice) Close() error {
	d.once.Do(func() { close(d.closed) })
	return nil
}

type plainFeed struct{ *feedDevice }

type batchFeed struct{ *feedDevice }

func (d batchFeed) ReadFrames(bufs [][]byte, lens []int) (int, error) {
	d.nReadFrames.Add(1)
	return d.feedDevice.readFrames(bufs, lens, func(i int, f []byte) { copy(bufs[i], f) })
}

type swapFeed struct {
	batchFeed
	frameLen int
	free     [][]byte // the device's buffers, which take the loop's places
}

func (d *swapFeed) SwapReadFrames(bufs [][]byte, lens []int) (int, error) {
	d.nSwapReadFrames.Add(1)
	return d.feedDevice.readFrames(bufs, lens, func(i int, f []byte) {
		var b []byte
		if n := len(d.free); n > 0 {
			b, d.free = d.free[n-1], d.free[:n-1]
		} else {
			b = make([]byte, d.frameLen)
		}
		copy(b, f) // the frame as the writer left it
		d.mu.Lock()
		if cap(bufs[i]) != d.frameLen {
			d.badCap++
		} else if p := &bufs[i][:1][0]; !d.handed[p] {
			d.fromLoop[p] = true
		}
		d.handed[&b[0]] = true
		d.mu.Unlock()
		d.free = append(d.free, bufs[i])
		bufs[i] = b
	})
}

func (d *swapFeed) SwapWriteFrame(buf *[]byte, n int) error { return nil }

// TestReadLoopDevices: the one read loop reads each kind of device
// through the method that suits it (a Swapper's exchange, a
// BatchReader's batches, ReadFrame a frame at a time), delivers every
// frame, allocates nothing per frame, and with a Swapper keeps the
// device's buffers in its places instead of copying: of the buffers it
// hands back, only its first one per place was not the device's.
func TestReadLoopDevices(t *testing.T) {
	for _, kind := range []string{"plain", "batch", "swap"} {
		t.Run(kind, func(t *testing.T) {
			fd := newFeedDevice()
			var dev link.Device
			switch kind {
			case "plain":
				dev = plainFeed{fd}
			case "batch":
				dev = batchFeed{fd}
			case "swap":
				dev = &swapFeed{batchFeed: batchFeed{fd}, frameLen: link.FrameLen(fd)}
			}
			s, err := New(dev, Config{Addr: netip.MustParsePrefix("10.0.0.1/24"), Clock: newManualClock(),
				Rand: SeededRand(1), NoGratuitousARP: true})
			if err != nil {
				t.Fatal(err)
			}
			defer s.Close()
			// Frames the stack reads and drops without answering:
			// for another host, and ARP requests for another
			// address.
			other := ethFrame(ethernet.Addr{0x02, 9, 9, 9, 9, 9}, peerMAC, ethernet.TypeIPv4, make([]byte, 100))
			who := make([]byte, arp.EthernetIPv4Len)
			arp.Encode(who, arp.OpRequest, peerMAC, peerIP, ethernet.Addr{}, [4]byte{10, 0, 0, 77})
			request := ethFrame(ethernet.Broadcast, peerMAC, ethernet.TypeARP, who)
			feed := func(n int) {
				want := s.Stats().Link.InFrames + uint64(n)
				for i := range n {
					if i%2 == 0 {
						fd.frames <- other
					} else {
						fd.frames <- request
					}
				}
				deadline := time.Now().Add(10 * time.Second)
				for s.Stats().Link.InFrames < want {
					if time.Now().After(deadline) {
						t.Fatalf("%d of %d frames read", s.Stats().Link.InFrames, want)
					}
					runtime.Gosched()
				}
			}
			feed(1000) // warm up
			var before, after runtime.MemStats
			runtime.ReadMemStats(&before)
			const n = 2000
			feed(n)
			runtime.ReadMemStats(&after)
			if perFrame := float64(after.Mallocs-before.Mallocs) / n; perFrame > 0.01 {
				t.Errorf("%.3f allocations per frame", perFrame)
			}
			st := s.Stats()
			if st.Link.InOtherHost != 1500 || st.ARP.InRequests != 1500 {
				t.Errorf("stats %+v %+v", st.Link, st.ARP)
			}
			calls := [3]int64{fd.nReadFrame.Load(), fd.nReadFrames.Load(), fd.nSwapReadFrames.Load()}
			switch {
			case kind == "plain" && (calls[0] < 3000 || calls[1]+calls[2] != 0),
				kind == "batch" && (calls[1] == 0 || calls[0]+calls[2] != 0),
				kind == "swap" && (calls[2] == 0 || calls[0]+calls[1] != 0):
				t.Errorf("calls of ReadFrame, ReadFrames, SwapReadFrames: %v", calls)
			}
			if n := len(fd.fromLoop); n > readBatch || fd.badCap != 0 {
				t.Errorf("the loop handed over %d buffers of its own (one per place is %d), %d of the wrong capacity",
					n, readBatch, fd.badCap)
			}
		})
	}
}
