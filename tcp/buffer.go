package tcp

import "sync"

// ring is a byte ring buffer whose storage is taken when first needed and
// grown on demand up to a limit, and handed back when it empties, so that
// an idle connection holds no buffer memory at all. Storage of the size
// connections start with comes from, and goes back to, a pool shared by
// the engine's connections: a connection that drains its buffer after
// every exchange (request and response traffic) costs no allocation when
// data flows again.
type ring struct {
	buf  []byte
	head int // index of the first byte
	n    int // bytes held

	pool   *bufPool // where storage of pool.size bytes comes from
	pooled *[]byte  // the pool's handle on buf when it came from there

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
// while pinned it leaves the storage as it is.
func (r *ring) reserve(size int) {
	if size <= len(r.buf) || r.pinned {
		return
	}
	if len(r.buf) == 0 && r.pool != nil && size <= r.pool.size {
		r.pooled = r.pool.get()
		r.buf, r.head = *r.pooled, 0
		return
	}
	nb := make([]byte, size)
	// All of the old storage, not just the first n bytes: a receive
	// ring holds out-of-order data beyond them, at its offset.
	r.copyOut(nb, 0, len(r.buf))
	r.giveBack()
	r.buf, r.head = nb, 0
}

// release hands back the storage of an empty ring.
func (r *ring) release() {
	if r.n == 0 && !r.pinned {
		r.giveBack()
		r.buf, r.head = nil, 0
	}
}

// drop empties the ring and hands back its storage, at unpin if it is
// pinned.
func (r *ring) drop() {
	if r.pinned {
		r.dropLater = true
		return
	}
	r.giveBack()
	r.buf, r.head, r.n = nil, 0, 0
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

// releaseIfPooled hands back the storage of an empty ring if it came from
// the pool: a larger buffer, which a busy connection grew to, is kept.
func (r *ring) releaseIfPooled() {
	if r.pooled != nil {
		r.release()
	}
}

// giveBack returns pooled storage to its pool.
func (r *ring) giveBack() {
	if r.pooled != nil {
		r.pool.put(r.pooled)
		r.pooled = nil
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
type oooQueue struct {
	ranges []seqRange
	recent int // index in ranges of the range last added to, or -1
}

// add records [start, end), merging it with the ranges it touches.
func (q *oooQueue) add(start, end seq) {
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
		rs = append(rs, seqRange{})
		copy(rs[i+1:], rs[i:])
	} else {
		rs = append(rs[:i+1], rs[j:]...)
	}
	rs[i] = seqRange{start, end}
	q.ranges = rs
	q.recent = i
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

// clear forgets every range.
func (q *oooQueue) clear() {
	q.ranges = q.ranges[:0]
	q.recent = -1
}
