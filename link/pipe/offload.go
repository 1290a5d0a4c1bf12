package pipe

import (
	"fmt"

	"github.com/medina-net/medina/ethernet"
	"github.com/medina-net/medina/link"
	"github.com/medina-net/medina/link/vnet"
)

// maxSuperFrame is the longest super-frame an end with Offload takes: an
// IP packet of 64 KiB behind an Ethernet header and a VLAN tag, what a
// virtio-net device takes.
const maxSuperFrame = ethernet.HeaderLen + ethernet.TagLen + 0xffff

// Super-frames are queued in buffers of superClasses sizes, 4 KiB to
// maxSuperFrame, each the smallest that holds the frame, so that the
// memory a queue keeps is at most twice the bytes it ever held at once
// (a queue of 4096 segments holds at most 6 MiB of them), however small
// the super-frames.
const superClasses = 5

// superClass returns the class of a buffer for n bytes.
func superClass(n int) int {
	c := 0
	for c < superClasses-1 && n > 4096<<c {
		c++
	}
	return c
}

// superClassSize returns the size of a buffer of class c.
func superClassSize(c int) int {
	if c == superClasses-1 {
		return maxSuperFrame
	}
	return 4096 << c
}

// MaxGSO returns the length of the longest TCP super-frame the end takes
// (link.GSOWriter): 64 KiB and the link header with Config.Offload, else
// 0.
func (e *End) MaxGSO() int { return e.maxSuper }

// WriteGSO queues a copy of the TCP super-frame frame, laid out as gso
// says, for the peer (link.GSOWriter), or drops it, counting it in
// Stats.TxDropped, when the peer's queue lacks room for the segments it
// stands for. It returns an error wrapping ErrFrameSize for a frame
// longer than MaxGSO or one that is no super-frame the layout describes,
// and one matching net.ErrClosed when either end is closed.
func (e *End) WriteGSO(frame []byte, gso link.GSO) error {
	if len(frame) > e.maxSuper {
		return fmt.Errorf("%w: a %d-byte super-frame, longer than %d", ErrFrameSize, len(frame), e.maxSuper)
	}
	// Checked here, so that a reader that needs it cut can always cut it.
	seg, err := vnet.SegmenterFor(frame, gso)
	if err != nil {
		return fmt.Errorf("%w: %w", ErrFrameSize, err)
	}
	q := e.tx
	q.mu.Lock()
	err = q.pushSuper(frame, gso, seg.N())
	q.mu.Unlock()
	q.ready.Signal()
	return err
}

// MaxReadFrame returns the size of a buffer that holds any frame
// ReadFramesOffload gives (link.OffloadReader): MaxGSO's with
// Config.Offload, else 0.
func (e *End) MaxReadFrame() int { return e.maxSuper }

// ReadFramesOffload is ReadFrames handing super-frames over whole, their
// TCP checksums as partial as the writer left them, with what a
// virtio-net device would say of them in offs (link.OffloadReader): the
// checksum need not be verified, and the segment size. Ordinary frames
// come as ReadFrames gives them, with the zero RxOffload. A super-frame
// longer than its buffer is cut into segments instead.
func (e *End) ReadFramesOffload(bufs [][]byte, lens []int, offs []link.RxOffload) (int, error) {
	if len(bufs) == 0 {
		return 0, nil
	}
	q := e.rx
	if !q.waitFrame() {
		return 0, errClosed
	}
	k := 0
	for k < len(bufs) && q.n > 0 {
		offs[k] = link.RxOffload{}
		if q.superAtHead() && q.cut == 0 && len(bufs[k]) >= len(q.supers[q.head]) {
			lens[k] = q.popSuper(bufs[k])
			offs[k] = link.RxOffload{ChecksumValid: true, SegmentSize: q.gso[q.head].SegmentSize}
			q.releaseHead()
		} else {
			lens[k] = q.pop(bufs[k])
		}
		k++
	}
	q.mu.Unlock()
	return k, nil
}

// pushSuper queues a copy of a super-frame of segs segments, or drops it
// when the ring lacks room for them. q.mu is held.
func (q *queue) pushSuper(frame []byte, gso link.GSO, segs int) error {
	if q.writerGone || q.readerGone {
		return errClosed
	}
	if q.n == len(q.slots) || q.load+segs > len(q.slots) && q.n > 0 {
		q.dropped++
		return nil
	}
	if q.supers == nil {
		q.supers = make([][]byte, len(q.slots))
		q.gso = make([]link.GSO, len(q.slots))
		q.segs = make([]int, len(q.slots))
	}
	c := superClass(len(frame))
	var buf []byte
	if k := len(q.spare[c]); k > 0 {
		buf, q.spare[c] = q.spare[c][k-1], q.spare[c][:k-1]
	} else {
		buf = make([]byte, superClassSize(c))
	}
	i := q.tail()
	q.supers[i] = buf[:copy(buf[:cap(buf)], frame)]
	q.gso[i], q.segs[i] = gso, segs
	q.n++
	q.load += segs
	q.sent++
	q.sentBytes += uint64(len(frame))
	return nil
}

// superAtHead reports whether the oldest frame is a super-frame. q.mu is
// held and q.n > 0.
func (q *queue) superAtHead() bool {
	return q.gso != nil && q.gso[q.head].SegmentSize != 0
}

// popSuper copies the oldest frame, a super-frame not cut into yet, into
// buf, which holds it, counting it read. q.mu is held.
func (q *queue) popSuper(buf []byte) int {
	f := q.supers[q.head]
	q.recv++
	q.recvBytes += uint64(len(f))
	return copy(buf, f)
}

// popSegment copies the next segment of the oldest frame, a super-frame,
// into buf (cut to it, as pop cuts a frame), cutting it as a NIC's
// segmentation offload would, and drops the super-frame once its last
// segment is read. q.mu is held.
func (q *queue) popSegment(buf []byte) int {
	if q.cut == 0 {
		// pushSuper's checks hold: the frame is one SegmenterFor takes.
		q.seg, _ = vnet.SegmenterFor(q.supers[q.head], q.gso[q.head])
	}
	n := q.seg.SegmentLen(q.cut)
	if len(buf) >= n {
		q.seg.Segment(q.cut, buf)
	} else {
		// A buffer short of the segment: make it whole in the slot's
		// frame buffer, unused while the slot holds a super-frame,
		// then cut it to buf.
		s := q.newFrameBuf()
		q.seg.Segment(q.cut, s[:cap(s)])
		copy(buf, s[:n])
		q.small = append(q.small, s)
	}
	q.recv++
	q.recvBytes += uint64(n)
	q.cut++
	q.load--
	if q.cut == q.seg.N() {
		q.cut = 0
		q.freeSuper(q.head)
		q.advance()
	}
	return min(n, len(buf))
}

// releaseHead drops the oldest frame, a super-frame read whole. q.mu is
// held.
func (q *queue) releaseHead() {
	q.load -= q.segs[q.head]
	q.freeSuper(q.head)
	q.advance()
}

// freeSuper returns slot i's super-frame buffer to the spares.
func (q *queue) freeSuper(i int) {
	c := superClass(cap(q.supers[i]))
	q.spare[c] = append(q.spare[c], q.supers[i][:0])
	q.supers[i], q.gso[i] = nil, link.GSO{}
}

// dropSupers returns every queued super-frame's buffer to the spares, for
// a reader that closed. q.mu is held.
func (q *queue) dropSupers() {
	if q.gso == nil {
		return
	}
	for i := range q.gso {
		if q.gso[i].SegmentSize != 0 {
			q.freeSuper(i)
		}
	}
	q.cut = 0
}
