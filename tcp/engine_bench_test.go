package tcp

import (
	"bytes"
	"context"
	"encoding/binary"
	"io"
	"net/netip"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/medina-net/medina/checksum"
)

// The engine's own benchmarks: two engines joined by an in-memory link,
// in real time, with no IP layer between them, so that what they measure
// is the engine's cost per segment (demultiplexing, checksums, the state
// machine, the buffers) and nothing of a stack's.

// pipeNet is one end of the link: Send queues a segment for the other
// end's engine, which a goroutine of that end hands to its Input. The
// queue drops what does not fit, as a device's would.
type pipeNet struct {
	addr netip.Addr
	mtu  int
	peer *pipeNet
	e    *Engine
	in   chan pipeSegment
	free *sync.Pool    // of *SegmentBuffer, shared by both ends
	stop chan struct{} // closed when the link goes down, for both ends
	done chan struct{}

	// gsoMax, when not zero, makes the end take super-segments of up to
	// that much payload (GSONetwork), which Send cuts into segments as a
	// device's segmentation offload would; supers counts them and
	// badSupers those whose partial checksum or layout was wrong.
	gsoMax            int
	supers, badSupers atomic.Int64
	// gro, with gsoMax, delivers super-segments whole instead, to the
	// other end's InputOffloadAt, as a device with receive offload
	// hands over what the sender's segmentation offload would have cut.
	gro bool
}

// GSOMax is the end's gsoMax.
func (n *pipeNet) GSOMax(netip.Addr) int { return n.gsoMax }

type pipeSegment struct {
	sb       *SegmentBuffer
	n        int
	src, dst netip.Addr
	segSize  int // not 0 for a super-segment delivered whole
}

func (n *pipeNet) SourceAddr(netip.Addr) (netip.Addr, bool) { return n.addr, true }
func (n *pipeNet) IsLocal(a netip.Addr) bool                { return a == n.addr }
func (n *pipeNet) MTU(netip.Addr) int                       { return n.mtu }
func (n *pipeNet) PathMTU(netip.Addr) int                   { return n.mtu }
func (n *pipeNet) Segment(size int) *SegmentBuffer {
	sb := n.free.Get().(*SegmentBuffer)
	if cap(sb.B) < size {
		sb.B = make([]byte, size)
	}
	sb.B = sb.B[:cap(sb.B)]
	return sb
}

func (n *pipeNet) Send(sb *SegmentBuffer, size int, src, dst netip.Addr) error {
	if size == 0 {
		n.free.Put(sb)
		return nil
	}
	if sb.GSOSize > 0 {
		n.supers.Add(1)
		mss := sb.GSOSize
		sb.GSOSize = 0
		if !superOK(sb.B[:size], mss, src, dst) {
			n.badSupers.Add(1)
		}
		if n.gro {
			n.deliver(sb, size, src, dst, mss)
			return nil
		}
		n.cutSuper(sb.B[:size], mss, src, dst)
		n.free.Put(sb)
		return nil
	}
	n.deliver(sb, size, src, dst, 0)
	return nil
}

// deliver queues a segment for the other end; segSize is not 0 for a
// super-segment delivered whole.
func (n *pipeNet) deliver(sb *SegmentBuffer, size int, src, dst netip.Addr, segSize int) {
	select {
	case <-n.stop:
		n.free.Put(sb)
	case n.peer.in <- pipeSegment{sb, size, src, dst, segSize}:
	default:
		n.free.Put(sb)
	}
}

// superOK reports whether a super-segment is as a device would take it:
// its checksum field the pseudo-header's partial sum, full segments of
// mss but for a last one that carries PSH.
func superOK(seg []byte, mss int, src, dst netip.Addr) bool {
	h := Header(seg)
	payload := len(seg) - h.DataOffset()
	if payload <= mss || payload%mss != 0 && !h.Flags().Has(FlagPSH) {
		return false
	}
	// Finishing the partial checksum as a NIC would must give the
	// segment's own.
	full := bytes.Clone(seg)
	binary.BigEndian.PutUint16(full[16:], ^checksum.Fold(checksum.Add(0, full)))
	if src.Is4() {
		return Header(full).ChecksumValid(src.As4(), dst.As4())
	}
	return Header(full).ChecksumValid6(src.As16(), dst.As16())
}

// cutSuper delivers the segments a super-segment stands for, each with
// its own sequence number, flags and checksum, as a device's
// segmentation offload would.
func (n *pipeNet) cutSuper(seg []byte, mss int, src, dst netip.Addr) {
	h := Header(seg)
	hl := h.DataOffset()
	payload := len(seg) - hl
	for off := 0; off < payload; off += mss {
		k := min(mss, payload-off)
		sb := n.Segment(hl + k)
		p := sb.B[:hl+k]
		copy(p, seg[:hl])
		copy(p[hl:], seg[hl+off:hl+off+k])
		ph := Header(p)
		ph.SetSeq(h.Seq() + uint32(off))
		if off+k < payload {
			ph.SetFlags(h.Flags() &^ (FlagFIN | FlagPSH))
		}
		binary.BigEndian.PutUint16(p[16:], 0)
		var sum uint32
		if src.Is4() {
			sum = checksum.Pseudo(src.As4(), dst.As4(), ProtocolNumber, uint16(len(p)))
		} else {
			sum = checksum.Pseudo6(src.As16(), dst.As16(), ProtocolNumber, uint32(len(p)))
		}
		binary.BigEndian.PutUint16(p[16:], checksum.Checksum(p, sum))
		n.deliver(sb, len(p), src, dst, 0)
	}
}

// run hands the segments queued for this end to its engine.
func (n *pipeNet) run() {
	defer close(n.done)
	for {
		select {
		case s := <-n.in:
			if s.segSize > 0 {
				n.e.InputOffloadAt(s.src, s.dst, s.sb.B[:s.n], n.e.clock.Now(), Offload{ChecksumValid: true, SegmentSize: s.segSize})
			} else {
				n.e.Input(s.src, s.dst, s.sb.B[:s.n])
			}
			n.free.Put(s.sb)
		case <-n.stop:
			return
		}
	}
}

// cpuTime returns the user and system CPU time of the process.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// reportCPU reports the CPU time the process spent an operation since
// cpu0, all goroutines together: on a machine other processes keep busy
// it is steadier than the time an operation takes, which counts the
// waits for a CPU too.
func reportCPU(b *testing.B, cpu0 time.Duration) {
	b.ReportMetric(float64(cpuTime()-cpu0)/float64(b.N), "cpu-ns/op")
}

// pipePair is two engines with a connection between them.
type pipePair struct {
	a, b       *pipeNet
	client     *Conn // on a, dialled
	server     *Conn // on b, accepted
	closeLinks func()
}

// newPipePair connects two engines over a link of the given MTU, from a
// to b.
func newPipePair(local, remote netip.Addr, mtu int) (*pipePair, error) {
	free := &sync.Pool{New: func() any { return &SegmentBuffer{B: make([]byte, mtu)} }}
	stop := make(chan struct{})
	a := &pipeNet{addr: local, mtu: mtu, in: make(chan pipeSegment, 8192), free: free, stop: stop, done: make(chan struct{})}
	b := &pipeNet{addr: remote, mtu: mtu, in: make(chan pipeSegment, 8192), free: free, stop: stop, done: make(chan struct{})}
	a.peer, b.peer = b, a
	var err error
	if a.e, err = NewEngine(a, Config{}); err != nil {
		return nil, err
	}
	if b.e, err = NewEngine(b, Config{}); err != nil {
		return nil, err
	}
	go a.run()
	go b.run()
	p := &pipePair{a: a, b: b}
	p.closeLinks = func() {
		close(stop)
		<-a.done
		<-b.done
		a.e.Close()
		b.e.Close()
	}
	l, err := b.e.Listen(netip.AddrPortFrom(remote, 5001))
	if err == nil {
		p.client, err = a.e.Dial(context.Background(), netip.AddrPortFrom(local, 0), netip.AddrPortFrom(remote, 5001))
	}
	if err == nil {
		p.server, err = l.AcceptTCP()
	}
	if l != nil {
		l.Close()
	}
	if err != nil {
		p.closeLinks()
		return nil, err
	}
	return p, nil
}

// newBenchPair is newPipePair for a benchmark.
func newBenchPair(tb testing.TB, local, remote netip.Addr, mtu int) *pipePair {
	p, err := newPipePair(local, remote, mtu)
	if err != nil {
		tb.Fatal(err)
	}
	return p
}

// close closes both connections and the engines.
func (p *pipePair) close() {
	p.client.Close()
	p.server.Close()
	p.closeLinks()
}

// benchFamilies are the address pairs the engine benchmarks run over.
var benchFamilies = []struct {
	name          string
	local, remote netip.Addr
}{
	{"family=ipv4", netip.MustParseAddr("10.0.0.1"), netip.MustParseAddr("10.0.0.2")},
	{"family=ipv6", netip.MustParseAddr("2001:db8::1"), netip.MustParseAddr("2001:db8::2")},
}

// BenchmarkEngineBulk moves data one way over one connection, in writes
// of 64 KiB, on a link of MTU 1500: the throughput of full-sized
// segments and the ACKs that come back. Over IPv6 the segments carry 20
// bytes less each (1440 against 1460): the same bytes take 1.4% more
// segments.
func BenchmarkEngineBulk(b *testing.B) {
	for _, f := range benchFamilies {
		b.Run(f.name, func(b *testing.B) {
			p := newBenchPair(b, f.local, f.remote, 1500)
			defer p.close()
			buf := make([]byte, 64<<10)
			done := make(chan int64)
			go func() {
				n, _ := io.Copy(io.Discard, struct{ io.Reader }{p.server})
				done <- n
			}()
			b.SetBytes(int64(len(buf)))
			b.ReportAllocs()
			b.ResetTimer()
			cpu0 := cpuTime()
			for range b.N {
				if _, err := p.client.Write(buf); err != nil {
					b.Fatal(err)
				}
			}
			p.client.CloseWrite()
			if n := <-done; n != int64(b.N)*int64(len(buf)) {
				b.Fatalf("%d bytes arrived, want %d", n, b.N*len(buf))
			}
			b.StopTimer()
			reportCPU(b, cpu0)
		})
	}
}

// BenchmarkEnginePingPong sends 64 bytes and waits for them to come back:
// the latency of a segment through both engines and back.
func BenchmarkEnginePingPong(b *testing.B) {
	for _, f := range benchFamilies {
		b.Run(f.name, func(b *testing.B) {
			p := newBenchPair(b, f.local, f.remote, 1500)
			defer p.close()
			p.client.SetNoDelay(true)
			p.server.SetNoDelay(true)
			go func() {
				buf := make([]byte, 64)
				for {
					if _, err := io.ReadFull(p.server, buf); err != nil {
						return
					}
					if _, err := p.server.Write(buf); err != nil {
						return
					}
				}
			}()
			buf := make([]byte, 64)
			b.ReportAllocs()
			b.ResetTimer()
			cpu0 := cpuTime()
			for range b.N {
				if _, err := p.client.Write(buf); err != nil {
					b.Fatal(err)
				}
				if _, err := io.ReadFull(p.client, buf); err != nil {
					b.Fatal(err)
				}
			}
			b.StopTimer()
			reportCPU(b, cpu0)
		})
	}
}

// sinkNet is a Network that takes every segment and drops it, keeping
// the ISN of the latest SYN-ACK.
type sinkNet struct {
	local netip.Addr
	sb    SegmentBuffer
	isn   uint32
}

func (n *sinkNet) SourceAddr(netip.Addr) (netip.Addr, bool) { return n.local, true }
func (n *sinkNet) IsLocal(a netip.Addr) bool                { return a == n.local }
func (n *sinkNet) MTU(netip.Addr) int                       { return 1500 }
func (n *sinkNet) PathMTU(netip.Addr) int                   { return 1500 }
func (n *sinkNet) Segment(size int) *SegmentBuffer {
	if cap(n.sb.B) < size {
		n.sb.B = make([]byte, size)
	}
	n.sb.B = n.sb.B[:size]
	return &n.sb
}

func (n *sinkNet) Send(sb *SegmentBuffer, size int, src, dst netip.Addr) error {
	if h := Header(sb.B[:size]); size >= HeaderLen && h.Flags()&(FlagSYN|FlagACK) == FlagSYN|FlagACK {
		n.isn = h.Seq()
	}
	return nil
}

// BenchmarkEngineInput hands one engine in-order segments of 1440 bytes
// on an established connection, the application reading them as they
// come, with the clock read once a segment: the receive path alone (the
// checksum, the connection's lookup, the state machine, the copy into the
// receive buffer, an ACK every second segment), without the goroutines
// and queues of the two-engine benchmarks, so steadier on a busy machine.
func BenchmarkEngineInput(b *testing.B) {
	for _, f := range benchFamilies {
		b.Run(f.name, func(b *testing.B) {
			n := &sinkNet{local: f.local}
			e, err := NewEngine(n, Config{})
			if err != nil {
				b.Fatal(err)
			}
			defer e.Close()
			l, err := e.Listen(netip.AddrPortFrom(f.local, 80))
			if err != nil {
				b.Fatal(err)
			}
			seg := func(sq, ack uint32, flags Flags, payload int) Header {
				return segmentBytes(f.remote, f.local, 40000, sq, ack, flags, 0xffff, payload)
			}
			// segmentBytes sends to port 80, from 40000.
			e.Input(f.remote, f.local, seg(999, 0, FlagSYN, 0))
			e.Input(f.remote, f.local, seg(1000, n.isn+1, FlagACK, 0))
			c, err := l.AcceptTCP()
			if err != nil {
				b.Fatal(err)
			}
			const size = 1440
			data := seg(1000, n.isn+1, FlagACK, size)
			buf := make([]byte, 64<<10)
			sq := uint32(1000)
			b.SetBytes(size)
			b.ReportAllocs()
			b.ResetTimer()
			cpu0 := cpuTime()
			for i := range b.N {
				e.Input(f.remote, f.local, data)
				next := sq + size
				data.SetChecksum(checksum.Update32(data.Checksum(), sq, next))
				data.SetSeq(next)
				sq = next
				if i%32 == 31 {
					for read := 0; read < 32*size; {
						m, err := c.Read(buf)
						if err != nil {
							b.Fatal(err)
						}
						read += m
					}
				}
			}
			b.StopTimer()
			reportCPU(b, cpu0)
			if s := e.Stats(); s.InErrs != 0 || s.InCsumErrors != 0 {
				b.Fatalf("%d segments in error", s.InErrs)
			}
		})
	}
}
