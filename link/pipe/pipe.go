// Package pipe joins two link.Devices in memory, like two NICs joined by a
// cable: a frame written to one end is read from the other. Tests use it to
// run two stacks against each other, or a stack against a scripted peer,
// without a kernel; link/impair wraps an end to add loss, delay and the
// rest.
//
// Each direction has a queue of a fixed number of frames, the way a NIC
// has a ring of descriptors. A frame written while the queue towards the
// peer is full is dropped and counted in Stats.TxDropped; the writer never
// blocks. Queued frames live in buffers the queue allocates only while
// more frames are queued than ever before, and reuses: in steady state
// writing and reading allocate nothing.
//
// # Closing
//
// Closing an end is pulling the cable out of that end's NIC. The closed
// end's ReadFrame and WriteFrame fail at once with an error that matches
// net.ErrClosed, and frames queued towards it are discarded. The other end
// first reads the frames written to it before the Close (so a test may
// write, close, and let the peer drain), then its ReadFrame fails with
// net.ErrClosed too; its WriteFrame fails from the moment of the Close,
// since nobody is left to read. A ReadFrame blocked on either end returns
// when it should. Close is idempotent.
package pipe

import (
	"errors"
	"fmt"
	"net"
	"sync"

	"github.com/medina-net/medina/ethernet"
	"github.com/medina-net/medina/link"
	"github.com/medina-net/medina/link/vnet"
)

// Defaults for the zero Config.
const (
	// DefaultMTU is standard Ethernet's.
	DefaultMTU = 1500
	// DefaultQueue is the capacity, in frames, of each direction's queue.
	DefaultQueue = 512
)

// Default hardware addresses of the two ends: distinct, unicast and
// locally administered (the 0x02 bit of the first byte), so they collide
// with no vendor's.
var (
	DefaultAddrA = ethernet.Addr{0x02, 0x00, 0x00, 0x00, 0x00, 0x01}
	DefaultAddrB = ethernet.Addr{0x02, 0x00, 0x00, 0x00, 0x00, 0x02}
)

// Config describes a pipe. The zero Config is a standard Ethernet link
// between DefaultAddrA and DefaultAddrB.
type Config struct {
	// MTU is the largest payload after the Ethernet header; 0 means
	// DefaultMTU. Both ends carry frames of up to MTU+18 bytes (the
	// header and one VLAN tag).
	MTU int
	// AddrA and AddrB are the hardware addresses of the first and second
	// end New returns; the zero Addr means DefaultAddrA or DefaultAddrB.
	AddrA, AddrB ethernet.Addr
	// Queue is the number of frames each direction holds before it drops;
	// 0 means DefaultQueue. A super-frame (Offload) takes the room of
	// the segments it stands for, as on a NIC that cut it.
	Queue int
	// Offload has both ends exchange TCP super-frames whole, as two
	// virtual machines' virtio-net devices do: each end is a
	// link.GSOWriter and a link.OffloadReader, so that a stack on one
	// end sends a super-segment of up to 64 KiB in one write, its
	// checksum left partial, and a stack on the other takes it in one
	// read without cutting it or summing its bytes. A reader through
	// ReadFrame, ReadFrames or SwapReadFrames (a recorder, an impairment,
	// a test) gets it cut into wire-size frames with their checksums
	// complete instead (software segmentation, see offload.go).
	Offload bool
}

// ErrFrameSize is wrapped by the error WriteFrame returns for a frame
// longer than the MTU allows. Short frames, even empty ones, go through:
// a pipe is where tests feed a stack runts and cut headers.
var ErrFrameSize = errors.New("pipe: bad frame size")

// errClosed is returned by an end that is closed, or whose peer is.
var errClosed = fmt.Errorf("pipe: %w", net.ErrClosed)

// End is one end of a pipe. It implements link.Device, link.BatchReader,
// link.BatchWriter and link.Swapper, and link.GSOWriter and
// link.OffloadReader, which take and give super-frames only with
// Config.Offload; it is safe for concurrent use.
type End struct {
	tx   *queue // frames this end writes, which the peer reads
	rx   *queue // frames the peer writes, which this end reads
	mtu  int
	addr ethernet.Addr
	// maxSuper is the longest super-frame the end takes and hands over
	// (Offload), or 0.
	maxSuper int
}

var (
	_ link.Device        = (*End)(nil)
	_ link.BatchReader   = (*End)(nil)
	_ link.BatchWriter   = (*End)(nil)
	_ link.Swapper       = (*End)(nil)
	_ link.GSOWriter     = (*End)(nil)
	_ link.OffloadReader = (*End)(nil)
)

// New returns the two ends of a new pipe. Frames written to a are read from
// b, and frames written to b are read from a.
func New(cfg Config) (a, b *End) {
	mtu := cfg.MTU
	if mtu <= 0 {
		mtu = DefaultMTU
	}
	capacity := cfg.Queue
	if capacity <= 0 {
		capacity = DefaultQueue
	}
	addrA, addrB := cfg.AddrA, cfg.AddrB
	if addrA == (ethernet.Addr{}) {
		addrA = DefaultAddrA
	}
	if addrB == (ethernet.Addr{}) {
		addrB = DefaultAddrB
	}
	frameLen := mtu + ethernet.HeaderLen + ethernet.TagLen
	ab := newQueue(capacity, frameLen)
	ba := newQueue(capacity, frameLen)
	a = &End{tx: ab, rx: ba, mtu: mtu, addr: addrA}
	b = &End{tx: ba, rx: ab, mtu: mtu, addr: addrB}
	if cfg.Offload {
		a.maxSuper, b.maxSuper = maxSuperFrame, maxSuperFrame
	}
	return a, b
}

// ReadFrame waits for the next frame from the peer and copies it into buf,
// cut to len(buf) if it is longer. It fails with an error matching
// net.ErrClosed once this end is closed, or once the peer is closed and
// every frame it wrote has been read.
func (e *End) ReadFrame(buf []byte) (int, error) {
	q := e.rx
	if !q.waitFrame() {
		return 0, errClosed
	}
	n := q.pop(buf)
	q.mu.Unlock()
	return n, nil
}

// ReadFrames waits for at least one frame and reads up to len(bufs) frames
// under one acquisition of the queue's lock, storing their lengths (cut to
// the buffers, as in ReadFrame) in lens. It fails as ReadFrame does.
func (e *End) ReadFrames(bufs [][]byte, lens []int) (int, error) {
	if len(bufs) == 0 {
		return 0, nil
	}
	q := e.rx
	if !q.waitFrame() {
		return 0, errClosed
	}
	k := 0
	for k < len(bufs) && q.n > 0 {
		lens[k] = q.pop(bufs[k])
		k++
	}
	q.mu.Unlock()
	return k, nil
}

// SwapReadFrames is ReadFrames handing over the queue's buffers instead of
// copying out of them (link.Swapper): a buffer in bufs of the queue's frame
// length is exchanged for the one holding the frame.
func (e *End) SwapReadFrames(bufs [][]byte, lens []int) (int, error) {
	if len(bufs) == 0 {
		return 0, nil
	}
	q := e.rx
	if !q.waitFrame() {
		return 0, errClosed
	}
	k := 0
	for k < len(bufs) && q.n > 0 {
		lens[k] = q.popSwap(&bufs[k])
		k++
	}
	q.mu.Unlock()
	return k, nil
}

// SwapWriteFrame queues the frame (*buf)[:n] for the peer by handing *buf
// over and taking a free slot's buffer in exchange (link.Swapper), or drops
// it as WriteFrame does when the peer's queue is full.
func (e *End) SwapWriteFrame(buf *[]byte, n int) error {
	q := e.tx
	q.mu.Lock()
	if err := q.pushSwap(buf, n); err != nil {
		q.mu.Unlock()
		return err
	}
	q.mu.Unlock()
	q.ready.Signal()
	return nil
}

// WriteFrame queues a copy of frame for the peer, or drops it, counting it
// in Stats.TxDropped, when the peer's queue is full. It returns an error
// wrapping ErrFrameSize for a frame longer than
// MTU()+ethernet.HeaderLen+ethernet.TagLen, and one matching net.ErrClosed
// when either end is closed.
func (e *End) WriteFrame(frame []byte) error {
	q := e.tx
	q.mu.Lock()
	if err := q.push(frame); err != nil {
		q.mu.Unlock()
		return err
	}
	q.mu.Unlock()
	q.ready.Signal()
	return nil
}

// WriteFrames writes frames in order under one acquisition of the queue's
// lock, as WriteFrame would one at a time, and returns how many were taken
// (queued or dropped). At the first frame refused with an error it stops
// and returns that frame's index and the error.
func (e *End) WriteFrames(frames [][]byte) (int, error) {
	q := e.tx
	q.mu.Lock()
	for i, f := range frames {
		if err := q.push(f); err != nil {
			q.mu.Unlock()
			q.ready.Broadcast()
			return i, err
		}
	}
	q.mu.Unlock()
	if len(frames) == 1 {
		q.ready.Signal()
	} else {
		q.ready.Broadcast()
	}
	return len(frames), nil
}

// MTU returns the largest payload after the Ethernet header.
func (e *End) MTU() int { return e.mtu }

// HardwareAddr returns this end's MAC address.
func (e *End) HardwareAddr() ethernet.Addr { return e.addr }

// Close closes this end; see the package documentation for what the peer
// sees. It always returns nil.
func (e *End) Close() error {
	// Lock one queue at a time: the peer's Close locks them in the other
	// order.
	e.rx.closeReader()
	e.tx.closeWriter()
	return nil
}

// Stats counts what an end has sent and received.
type Stats struct {
	// TxFrames and TxBytes count frames written and queued for the peer.
	TxFrames, TxBytes uint64
	// TxDropped counts frames written while the peer's queue was full.
	TxDropped uint64
	// TxErrors counts frames refused with ErrFrameSize.
	TxErrors uint64
	// RxFrames and RxBytes count frames read (RxBytes counts them whole,
	// even when a short buffer cut them).
	RxFrames, RxBytes uint64
	// RxQueued is the number of frames waiting to be read.
	RxQueued int
}

// Stats returns the end's counters.
func (e *End) Stats() Stats {
	var s Stats
	e.tx.mu.Lock()
	s.TxFrames, s.TxBytes, s.TxDropped, s.TxErrors = e.tx.sent, e.tx.sentBytes, e.tx.dropped, e.tx.errors
	e.tx.mu.Unlock()
	e.rx.mu.Lock()
	s.RxFrames, s.RxBytes, s.RxQueued = e.rx.recv, e.rx.recvBytes, e.rx.n
	e.rx.mu.Unlock()
	return s
}

// queue is one direction of a pipe: a ring of frame slots guarded by mu.
type queue struct {
	mu       sync.Mutex
	ready    sync.Cond // signalled when a frame is queued or an end closes
	slots    [][]byte  // the buffers of the frames queued, nil in the free slots
	head     int       // slot of the oldest frame
	n        int       // frames queued
	frameLen int       // longest frame

	// Super-frames (Config.Offload, offload.go): supers[i] holds slot
	// i's when gso[i].SegmentSize is not 0; load counts the frames
	// queued with each super-frame as its segments, and cut how many
	// segments of the oldest a plain reader has taken.
	supers [][]byte
	gso    []link.GSO
	segs   []int                  // the segments slot i's super-frame stands for
	spare  [superClasses][][]byte // super-frame buffers free for reuse, by size
	// small holds the frame buffers of frames read, for the next
	// frames written: a slot holds a buffer only while it holds a
	// frame. Buffers are made only while more frames are queued than
	// ever before, not for each slot the ring reaches for the first
	// time: a ring that carries super-frames goes round 45 times
	// slower, and would make them long after the first frames.
	small [][]byte
	load  int
	cut   int
	seg   vnet.Segmenter // the oldest super-frame's, while cut > 0

	writerGone bool // the writing end closed: drain, then ErrClosed
	readerGone bool // the reading end closed: refuse and discard

	// Counters, under mu: the writer's Tx side and the reader's Rx side.
	sent, sentBytes, dropped, errors uint64
	recv, recvBytes                  uint64
}

func newQueue(capacity, frameLen int) *queue {
	q := &queue{slots: make([][]byte, capacity), frameLen: frameLen}
	q.ready.L = &q.mu
	return q
}

// push copies frame into the slot after the last, or drops it when the
// ring is full. q.mu is held.
func (q *queue) push(frame []byte) error {
	if q.writerGone || q.readerGone {
		return errClosed
	}
	if len(frame) > q.frameLen {
		q.errors++
		return fmt.Errorf("%w: %d bytes, longer than %d", ErrFrameSize, len(frame), q.frameLen)
	}
	if q.load == len(q.slots) {
		q.dropped++
		return nil
	}
	i := q.tail()
	s := q.slots[i]
	if s == nil {
		s = q.newFrameBuf()
	}
	q.slots[i] = s[:copy(s[:cap(s)], frame)]
	q.n++
	q.load++
	q.sent++
	q.sentBytes += uint64(len(frame))
	return nil
}

// pushSwap queues (*buf)[:n] by exchanging *buf for the free slot's buffer
// when it has the frame length, and copies it otherwise. q.mu is held.
func (q *queue) pushSwap(buf *[]byte, n int) error {
	if cap(*buf) != q.frameLen || n > q.frameLen {
		return q.push((*buf)[:n])
	}
	if q.writerGone || q.readerGone {
		return errClosed
	}
	if q.load == len(q.slots) {
		q.dropped++
		return nil
	}
	i := q.tail()
	spare := q.slots[i]
	if spare == nil {
		spare = q.newFrameBuf()
	}
	q.slots[i] = (*buf)[:n]
	*buf = spare[:cap(spare)]
	q.n++
	q.load++
	q.sent++
	q.sentBytes += uint64(n)
	return nil
}

// popSwap hands the oldest frame's buffer over in place of *buf, keeping
// *buf for the slot, when *buf has the frame length; otherwise it copies,
// as pop does. It returns the frame's length. q.mu is held and q.n > 0.
func (q *queue) popSwap(buf *[]byte) int {
	if cap(*buf) != q.frameLen || q.superAtHead() {
		return q.pop(*buf)
	}
	f := q.slots[q.head]
	q.slots[q.head] = nil
	q.small = append(q.small, (*buf)[:cap(*buf)])
	*buf = f[:cap(f)]
	q.recv++
	q.recvBytes += uint64(len(f))
	q.load--
	q.advance()
	return len(f)
}

// pop copies the oldest frame into buf and returns the number of bytes
// copied. q.mu is held and q.n > 0.
func (q *queue) pop(buf []byte) int {
	if q.superAtHead() {
		return q.popSegment(buf)
	}
	f := q.slots[q.head]
	n := copy(buf, f)
	q.slots[q.head] = nil
	q.small = append(q.small, f[:cap(f)])
	q.recv++
	q.recvBytes += uint64(len(f))
	q.load--
	q.advance()
	return n
}

// waitFrame locks q and waits for a frame to read. It reports whether
// there is one, with q.mu held; if not (this end is closed, or the peer
// is and every frame it wrote was read), q.mu is released.
func (q *queue) waitFrame() bool {
	q.mu.Lock()
	for q.n == 0 && !q.writerGone && !q.readerGone {
		q.ready.Wait()
	}
	if q.readerGone || q.n == 0 {
		q.mu.Unlock()
		return false
	}
	return true
}

// newFrameBuf returns a frame buffer for a slot that has none: one a
// super-frame's slot gave up, or a new one. q.mu is held.
func (q *queue) newFrameBuf() []byte {
	if k := len(q.small); k > 0 {
		b := q.small[k-1]
		q.small = q.small[:k-1]
		return b
	}
	return make([]byte, q.frameLen)
}

// tail returns the slot after the last frame. q.mu is held.
func (q *queue) tail() int {
	i := q.head + q.n
	if i >= len(q.slots) {
		i -= len(q.slots)
	}
	return i
}

// advance drops the oldest frame, read; the caller takes what it stood
// for off q.load. q.mu is held and q.n > 0.
func (q *queue) advance() {
	q.head++
	if q.head == len(q.slots) {
		q.head = 0
	}
	q.n--
}

func (q *queue) closeReader() {
	q.mu.Lock()
	q.readerGone = true
	q.dropSupers()
	q.head, q.n, q.load = 0, 0, 0 // nobody will read them
	q.mu.Unlock()
	q.ready.Broadcast()
}

func (q *queue) closeWriter() {
	q.mu.Lock()
	q.writerGone = true
	q.mu.Unlock()
	q.ready.Broadcast()
}
