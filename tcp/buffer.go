package tcp

import "sync"

// ring is a byte ring buffer whose storage is taken when first needed,
// grown on demand up to a limit and handed back when it empties, so that
// an idle connection holds no buffer memory at all and a busy one about
// what it holds: a 5-byte write or request takes 4 KiB, not the 64 or 128
// KiB a bulk transfer grows to. Storage comes in sizes from 4 KiB to 256
// KiB doubling, from pools shared by the engine's connections, so that a
// connection that drains its buffer after every exchange costs no
// allocation when data flows again; a ring remembers the size it last
// had (its working size) and takes that again, so that a bulk transfer
// does not grow from 4 KiB at each burst. Every byte of storage is
// charged to the engine's memory budget through the connection's account
// while the ring holds it.
type ring struct {
	buf  []byte
	head int // index of the first byte
	n    int // bytes held
	hint int // the size of the storage it last handed back

	pools  *bufPools
	pooled *[]byte  // the pool's handle on buf, when it came from one
	acct   *account // what the storage is charged to

	// pinned says the application is copying to or from the storage
	// without the connection's lock (see Conn.Read and Conn.Write). A
	// drop meanwhile is done by unpin. The storage must not move while a
	// writer copies into it (the send ring); while a reader copies out
	// of it (the receive ring, growPinned) it may be replaced by a copy,
	// since input writes only beyond the bytes the reader takes: the
	// storage the reader reads from is retired, not handed back, until
	// unpin.
	pinned        bool
	dropLater     bool
	growPinned    bool
	retired       []byte
	retiredPooled *[]byte
}

// Sizes of the pooled storage: bufClasses classes from minBufClass,
// doubling. Larger storage (a send buffer past 256 KiB, a receive buffer
// auto-tuning grew) is allocated for itself.
const (
	minBufClass = 4 << 10
	bufClasses  = 7 // 4 KiB to 256 KiB
)

// bufPools recycles storage in the classes' sizes.
type bufPools struct {
	classes [bufClasses]sync.Pool
}

// classOf returns the class of storage that holds size bytes, or false
// when it is larger than every class.
func classOf(size int) (int, bool) {
	for c, s := 0, minBufClass; c < bufClasses; c, s = c+1, s*2 {
		if size <= s {
			return c, true
		}
	}
	return 0, false
}

// get returns storage of at least size bytes, with the pool's handle on
// it (nil when it is too large for a class).
func (p *bufPools) get(size int) ([]byte, *[]byte) {
	c, ok := classOf(size)
	if !ok {
		return make([]byte, size), nil
	}
	if h, _ := p.classes[c].Get().(*[]byte); h != nil {
		return *h, h
	}
	b := make([]byte, minBufClass<<c)
	return b, &b
}

// put hands storage back to its class.
func (p *bufPools) put(h *[]byte) {
	if c, ok := classOf(len(*h)); ok && len(*h) == minBufClass<<c {
		p.classes[c].Put(h)
	}
}

// len returns the number of bytes held.
func (r *ring) len() int { return r.n }

// cap returns the current storage size.
func (r *ring) cap() int { return len(r.buf) }

// growTarget returns the storage a ring that must hold need bytes should
// grow to: twice what it has, or its working size, but at least need and
// at most most (the buffer's limit), unless need is more.
func (r *ring) growTarget(need, most int) int {
	return min(max(need, 2*len(r.buf), r.hint), max(most, need))
}

// reserve makes the storage at least size bytes (rounded up to a pooled
// size), keeping the contents. While pinned it leaves the storage as it
// is, unless growPinned.
func (r *ring) reserve(size int) {
	if size <= len(r.buf) || r.pinned && !r.growPinned {
		return
	}
	nb, h := r.pools.get(size)
	// All of the old storage, not just the first n bytes: a receive
	// ring holds out-of-order data beyond them, at its offset.
	r.copyOut(nb, 0, len(r.buf))
	r.replace(nb, h)
}

// replace makes b (nil for none) the storage, with the pool's handle h on
// it, charging the account; the old storage goes back to its pool, or is
// retired until unpin if a reader may be copying from it. The contents
// are the caller's business.
func (r *ring) replace(b []byte, h *[]byte) {
	old, oldH := r.buf, r.pooled
	r.buf, r.pooled, r.head = b, h, 0
	r.charge(len(b))
	if len(old) == 0 {
		return
	}
	if b == nil {
		r.hint = len(old)
	}
	if r.pinned && r.retired == nil {
		r.retired, r.retiredPooled = old, oldH
		return
	}
	r.free(old, oldH)
}

// free hands storage back to its pool, and credits the account.
func (r *ring) free(b []byte, h *[]byte) {
	if h != nil {
		r.pools.put(h)
	}
	r.charge(-len(b))
}

func (r *ring) charge(n int) {
	if r.acct != nil {
		r.acct.charge(n)
	}
}

// release hands back the storage of an empty ring.
func (r *ring) release() {
	if r.n == 0 && !r.pinned {
		r.replace(nil, nil)
	}
}

// drop empties the ring and hands back its storage, at unpin if it is
// pinned.
func (r *ring) drop() {
	if r.pinned {
		r.dropLater = true
		return
	}
	r.replace(nil, nil)
	r.n = 0
}

// span returns the storage of the n bytes at offset off from the head: one
// slice, or two when they wrap around.
func (r *ring) span(off, n int) (first, second []byte) {
	if n == 0 {
		return nil, nil
	}
	i := (r.head + off) % len(r.buf)
	if i+n <= len(r.buf) {
		return r.buf[i : i+n], nil
	}
	return r.buf[i:], r.buf[:n-(len(r.buf)-i)]
}

// pin keeps the storage in place while the application copies without
// the lock; unpin ends that, hands back storage retired meanwhile, and
// reports false if the ring was dropped meanwhile (the connection
// ended), in which case it is now empty.
func (r *ring) pin() { r.pinned = true }

func (r *ring) unpin() bool {
	r.pinned = false
	if r.retired != nil {
		r.free(r.retired, r.retiredPooled)
		r.retired, r.retiredPooled = nil, nil
	}
	if r.dropLater {
		r.dropLater = false
		r.drop()
		return false
	}
	return true
}

// releaseIdle hands back the storage of an empty ring if it came from a
// pool, or whatever it is when the memory budget is under pressure:
// otherwise a larger buffer, which a busy connection grew to, is kept for
// its next burst.
func (r *ring) releaseIdle(pressure bool) {
	if r.pooled != nil || pressure {
		r.release()
	}
}

// write appends as much of p as fits in the storage and returns how much.
func (r *ring) write(p []byte) int {
	free := len(r.buf) - r.n
	if len(p) > free {
		p = p[:free]
	}
	r.writeAt(r.n, p)
	r.n += len(p)
	return len(p)
}

// writeAt copies p to offset off from the head, wrapping around; the
// caller makes sure it fits in the storage.
func (r *ring) writeAt(off int, p []byte) {
	if len(p) == 0 {
		return
	}
	i := (r.head + off) % len(r.buf)
	c := copy(r.buf[i:], p)
	copy(r.buf, p[c:])
}

// copyOut copies n bytes from offset off into dst.
func (r *ring) copyOut(dst []byte, off, n int) int {
	if n == 0 || len(r.buf) == 0 {
		return 0
	}
	i := (r.head + off) % len(r.buf)
	c := copy(dst[:n], r.buf[i:])
	if c < n {
		c += copy(dst[c:n], r.buf)
	}
	return c
}

// discard drops n bytes from the head.
func (r *ring) discard(n int) {
	if n <= 0 {
		return
	}
	// The head moves on even when the ring empties: a receive ring may
	// hold out-of-order data beyond its first n bytes, at offsets from
	// the head.
	r.n -= n
	r.head = (r.head + n) % len(r.buf)
}

// seqRange is a run of sequence space [start, end).
type seqRange struct{ start, end Seq }

// oooQueue records the ranges of out-of-order data held in the receive
// ring beyond its in-order bytes: sorted, disjoint and not adjacent. The
// most recently changed range is remembered so that the first SACK block
// reports it (RFC 2018 section 4).
//
// It keeps at most maxOOORanges ranges. The data is in the ring, bounded
// by the window, but a peer sending a byte in every other place of a
// large window would otherwise make the list as long as half the window,
// and each insertion cost as much.
type oooQueue struct {
	ranges []seqRange
	recent int // index in ranges of the range last added to, or -1
}

// maxOOORanges is the most runs of out-of-order data a connection keeps
// track of. Real losses leave a few holes a window; Linux's SACK blocks
// report at most four.
const maxOOORanges = 64

// add records [start, end), merging it with the ranges it touches, and
// reports whether it did. A range that would be one too many is refused
// if it lies beyond all the others; otherwise the highest range is
// forgotten to make room, as Linux prunes its out-of-order queue from the
// end: the data nearest RCV.NXT is the most useful, and RFC 2018 (section
// 8) lets a receiver discard data it has SACKed.
func (q *oooQueue) add(start, end Seq) bool {
	rs := q.ranges
	// Find the first range that ends at or after start.
	i := 0
	for i < len(rs) && rs[i].end.LessThan(start) {
		i++
	}
	j := i
	for j < len(rs) && rs[j].start.LessEqual(end) {
		start = SeqMin(start, rs[j].start)
		end = SeqMax(end, rs[j].end)
		j++
	}
	// Replace rs[i:j] with the merged range.
	if i == j {
		if len(rs) >= maxOOORanges {
			if i == len(rs) {
				return false
			}
			rs = rs[:len(rs)-1]
		}
		rs = append(rs, seqRange{})
		copy(rs[i+1:], rs[i:])
	} else {
		rs = append(rs[:i+1], rs[j:]...)
	}
	rs[i] = seqRange{start, end}
	q.ranges = rs
	q.recent = i
	return true
}

// takeFrom removes the range starting at or before nxt, if any, and
// returns where in-order data now ends.
func (q *oooQueue) takeFrom(nxt Seq) Seq {
	for len(q.ranges) > 0 && q.ranges[0].start.LessEqual(nxt) {
		if q.ranges[0].end.GreaterThan(nxt) {
			nxt = q.ranges[0].end
		}
		q.ranges = q.ranges[:copy(q.ranges, q.ranges[1:])]
		if q.recent == 0 {
			q.recent = -1
		} else if q.recent > 0 {
			q.recent--
		}
	}
	return nxt
}

// sackBlocks appends up to max SACK blocks: the most recent range first,
// then the others from the highest.
func (q *oooQueue) sackBlocks(blocks []SACKBlock, max int) []SACKBlock {
	if q.recent >= 0 && q.recent < len(q.ranges) && len(blocks) < max {
		r := q.ranges[q.recent]
		blocks = append(blocks, SACKBlock{uint32(r.start), uint32(r.end)})
	}
	for i := len(q.ranges) - 1; i >= 0 && len(blocks) < max; i-- {
		if i == q.recent {
			continue
		}
		r := q.ranges[i]
		blocks = append(blocks, SACKBlock{uint32(r.start), uint32(r.end)})
	}
	return blocks
}
