package tcpstream

import "math/bits"

// Held data lives in buffers of power-of-two sizes from minBufSize to
// maxBufSize; a longer segment is held in several. Free buffers are kept
// for reuse, up to a limit in bytes, so that a capture with steady
// reordering allocates nothing once warm.
const (
	minBufShift = 9
	minBufSize  = 1 << minBufShift // 512
	maxBufSize  = 64 << 10         // a whole IPv4 segment's payload fits
	numClasses  = 8                // 512 ... 64 KiB
)

// classOf returns the class of the smallest buffer that holds n bytes
// (1 <= n <= maxBufSize).
func classOf(n int) int {
	if n <= minBufSize {
		return 0
	}
	return bits.Len(uint(n-1)) - minBufShift
}

// classSize returns the capacity of the buffer that holds n bytes.
func classSize(n int) int { return minBufSize << classOf(n) }

// pool keeps free buffers by class. It is an Assembler's own, so it needs
// no locking (and, unlike sync.Pool, it does not box a slice per Put).
type pool struct {
	free  [numClasses][][]byte
	bytes int // capacity of the free buffers
	limit int // most bytes kept free
}

// get returns an empty buffer with room for n bytes.
func (p *pool) get(n int) []byte {
	c := classOf(n)
	if l := p.free[c]; len(l) > 0 {
		b := l[len(l)-1]
		l[len(l)-1] = nil
		p.free[c] = l[:len(l)-1]
		p.bytes -= cap(b)
		return b[:0]
	}
	return make([]byte, 0, minBufSize<<c)
}

// put returns a buffer from get, keeping it if there is room.
func (p *pool) put(b []byte) {
	if p.bytes+cap(b) > p.limit {
		return
	}
	c := classOf(cap(b))
	p.free[c] = append(p.free[c], b)
	p.bytes += cap(b)
}
