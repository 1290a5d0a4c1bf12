// Package bufpool keeps free byte buffers in size classes, for the engines
// that copy what a peer sends and hold it for a while: the reassemblers'
// fragments and reassembled datagrams, and the datagrams a neighbour table
// queues while an address resolves. Holding a copy lets the frame buffer
// go back to the read loop at once; the pool makes the copy cost no
// allocation once it has warmed up.
//
// The classes step by 2^k and 1.5×2^k from 64 bytes to 64 KiB, so a
// buffer wastes at most a third of itself (a 1480-byte fragment takes
// 1536 bytes) and the class of a length is a few instructions. A Pool
// keeps at most its MaxFree bytes of free buffers; beyond that, Put leaves
// buffers to the garbage collector, so the memory held is the owner's
// budget for buffers in use plus MaxFree.
//
// A Pool is not safe for concurrent use: each owner calls it under the
// lock that already guards its own state, which costs nothing more than
// that lock, where a shared pool would need one of its own on every
// datagram.
package bufpool

import "math/bits"

const (
	minShift = 6  // 64 bytes
	maxShift = 16 // 64 KiB
	nClasses = 2*(maxShift-minShift) + 1

	// MaxSize is the capacity of the largest buffer: 64 KiB, which holds
	// any IPv4 datagram, and any IPv6 one short of a jumbogram.
	MaxSize = 1 << maxShift
)

// class returns the size class of a buffer for n ≤ MaxSize bytes.
func class(n int) int {
	if n <= 1<<minShift {
		return 0
	}
	k := bits.Len(uint(n - 1)) // 2^(k-1) < n ≤ 2^k
	if n <= 3<<(k-2) {
		return 2*(k-minShift) - 1
	}
	return 2 * (k - minShift)
}

// classSize returns the capacity of buffers of class i.
func classSize(i int) int {
	if i&1 == 0 {
		return 1 << (minShift + i/2)
	}
	return 3 << (minShift + i/2 - 1)
}

// Size returns the capacity of the buffer Get returns for n bytes, which
// is what an owner charges to its memory budget, or -1 when n exceeds
// MaxSize.
func Size(n int) int {
	if n > MaxSize {
		return -1
	}
	return classSize(class(n))
}

// Pool is a set of free buffers, by size class. The zero value keeps no
// free buffers; SetMaxFree gives it room.
type Pool struct {
	free      [nClasses][][]byte
	freeBytes int
	maxFree   int
}

// SetMaxFree bounds the bytes of free buffers the pool keeps, and frees
// what is beyond a lowered bound.
func (p *Pool) SetMaxFree(n int) {
	p.maxFree = max(n, 0)
	for i := len(p.free) - 1; i >= 0 && p.freeBytes > p.maxFree; i-- {
		for len(p.free[i]) > 0 && p.freeBytes > p.maxFree {
			p.pop(i)
		}
	}
}

// Free returns the bytes of free buffers the pool holds.
func (p *Pool) Free() int { return p.freeBytes }

// Get returns a buffer of length n and capacity Size(n), a recycled one
// if the pool has one (its bytes are not cleared: the caller overwrites
// them), or nil when n exceeds MaxSize.
func (p *Pool) Get(n int) []byte {
	if n > MaxSize {
		return nil
	}
	n = max(n, 0)
	i := class(n)
	if len(p.free[i]) > 0 {
		return p.pop(i)[:n]
	}
	return make([]byte, n, classSize(i))
}

// pop takes a free buffer of class i, which has one.
func (p *Pool) pop(i int) []byte {
	l := len(p.free[i]) - 1
	b := p.free[i][l]
	p.free[i][l] = nil
	p.free[i] = p.free[i][:l]
	p.freeBytes -= cap(b)
	return b
}

// Put gives back a buffer from Get, which the caller must not use again.
// A buffer of a capacity Get does not make (nil, a slice of some other
// memory) is left to the garbage collector, as is any buffer once the
// pool holds MaxFree bytes.
func (p *Pool) Put(b []byte) {
	c := cap(b)
	if c == 0 || c > MaxSize || p.freeBytes+c > p.maxFree {
		return
	}
	i := class(c)
	if classSize(i) != c {
		return
	}
	p.free[i] = append(p.free[i], b[:0])
	p.freeBytes += c
}
