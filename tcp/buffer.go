package tcp

import "sync"

// ring is a byte ring buffer whose storage is taken when first needed and
// grown on demand up to a limit, and handed back when it empties, so that
// an idle connection holds no buffer memory at all. Storage of the size
// connections start with comes from, and goes back to, a pool shared by
// the engine's connections: a connection that drains its buffer after
// every exchange (request and response traffic) costs no allocation when
// data flows again. Every byte of storage is charged to the engine's
// memory budget through the connection's account while the ring holds it.
type ring struct {
	buf  []byte
	head int // index of the first byte
	n    int // bytes held

	pool   *bufPool // where storage of pool.size bytes comes from
	pooled *[]byte  // the pool's handle on buf when it came from there
	acct   *account // what the storage is charged to

	// pinned says the application is copying to or from the storage
	// without the connection's lock (see Conn.Read and Conn.Write): it
	// must not move, grow or go back to the pool until unpinned. A drop
	// meanwhile is done by unpin.
	pinned    bool
	dropLater bool
}

// bufPool recycles buffers of one size.
type bufPool struct {
	size int
	p    sync.Pool
}

func (bp *bufPool) init(size int) {
	bp.size = size
	bp.p.New = func() any { b := make([]byte, size); return &b }
}

func (bp *bufPool) get() *[]byte  { return bp.p.Get().(*[]byte) }
func (bp *bufPool) put(b *[]byte) { bp.p.Put(b) }

// len returns the number of bytes held.
func (r *ring) len() int { return r.n }

// cap returns the current storage size.
func (r *ring) cap() int { return len(r.buf) }

// reserve makes the storage at least size bytes, keeping the contents;
// while pinned it leaves the storage as it is. Storage of exactly the
// pool's size comes from the pool; a buffer the memory budget holds
// smaller, or one grown past it, is allocated for itself.
func (r *ring) reserve(size int) {
	if size <= len(r.buf) || r.pinned {
		return
	}
	if len(r.buf) == 0 && r.pool != nil && size == r.pool.size {
		pooled := r.pool.get()
		r.setStorage(*pooled, pooled)
		return
	}
	nb := make([]byte, size)
	// All of the old storage, not just the first n bytes: a receive
	// ring holds out-of-order data beyond them, at its offset.
	r.copyOut(nb, 0, len(r.buf))
	r.setStorage(nb, nil)
}

// setStorage replaces the storage with b (nil for none), handing the old
// back to the pool if it came from there, and charges the difference to
// the account. The contents are the caller's business.
func (r *ring) setStorage(b []byte, pooled *[]byte) {
	if r.acct != nil {
		r.acct.charge(len(b) - len(r.buf))
	}
	if r.pooled != nil {
		r.pool.put(r.pooled)
	}
	r.buf, r.pooled, r.head = b, pooled, 0
}

// release hands back the storage of an empty ring.
func (r *ring) release() {
	if r.n == 0 && !r.pinned {
		r.setStorage(nil, nil)
	}
}

// drop empties the ring and hands back its storage, at unpin if it is
// pinned.
func (r *ring) drop() {
	if r.pinned {
		r.dropLater = true
		return
	}
	r.setStorage(nil, nil)
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
// the lock; unpin ends that, and reports false if the ring was dropped
// meanwhile (the connection ended), in which case it is now empty.
func (r *ring) pin() { r.pinned = true }

func (r *ring) unpin() bool {
	r.pinned = false
	if r.dropLater {
		r.dropLater = false
		r.drop()
		return false
	}
	return true
}

// releaseIdle hands back the storage of an empty ring if it came from
// the pool, or whatever it is when the memory budget is under pressure:
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
type seqRange struct{ start, end seq }

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
func (q *oooQueue) add(start, end seq) bool {
	rs := q.ranges
	// Find the first range that ends at or after start.
	i := 0
	for i < len(rs) && rs[i].end.lt(start) {
		i++
	}
	j := i
	for j < len(rs) && rs[j].start.leq(end) {
		start = seqMin(start, rs[j].start)
		end = seqMax(end, rs[j].end)
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
func (q *oooQueue) takeFrom(nxt seq) seq {
	for len(q.ranges) > 0 && q.ranges[0].start.leq(nxt) {
		if q.ranges[0].end.gt(nxt) {
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
