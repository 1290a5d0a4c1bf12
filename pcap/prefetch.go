package pcap

import (
	"runtime"
	"sync/atomic"
	"time"
)

// prefetcher walks a memory-mapped capture ahead of the reader, on the
// other core, touching each record's header and the first bytes of its
// packet. A capture read from the page cache is too large for the CPU's
// caches, so without it the reader waits on main memory at every record:
// on a 420 MB file that wait was a third of netdump's time. With it the
// reader finds the bytes in the cache the cores share.
//
// It only reads; a wrong step (a malformed file) costs nothing but the
// prefetching, since the reader checks everything itself.
type prefetcher struct {
	readPos atomic.Int64 // the reader's offset in the file, published per record
	stop    atomic.Bool
	done    chan struct{} // closed when run returns
	touched uint32        // keeps the loads from being optimised away
}

const (
	// prefetchWindow is how far ahead of the reader the prefetcher may
	// run: far enough to hide memory latency, near enough that what it
	// brings in is still cached when the reader gets there.
	prefetchWindow = 2 << 20
	// prefetchTouch is how far into a packet the prefetcher reads: the
	// cache line holding the protocol headers printers look at.
	prefetchTouch = 64
	// prefetchSpins is how many times the prefetcher yields, when it is a
	// window ahead, before it sleeps for prefetchPause at a time instead.
	prefetchSpins = 2000
	prefetchPause = time.Millisecond
)

// stepFunc returns the length of the record at data[off:], or 0 where it
// cannot tell.
type stepFunc func(data []byte, off int) int

// startPrefetch starts the prefetcher for a mapped file whose records begin
// at off, if the format's records can be walked.
func (r *Reader) startPrefetch(data []byte) {
	var step stepFunc
	order := r.ByteOrder()
	switch r.format {
	case FormatPcap:
		hl := r.pcap.hdrLen
		step = func(data []byte, off int) int {
			if off+hl > len(data) {
				return 0
			}
			return hl + int(order.Uint32(data[off+recCaplenOff:]))
		}
	case FormatPcapNG:
		step = func(data []byte, off int) int {
			if off+blockHeaderLen > len(data) {
				return 0
			}
			return int(order.Uint32(data[off+4:]))
		}
	default:
		return
	}
	r.pf = &prefetcher{done: make(chan struct{})}
	r.pf.readPos.Store(r.src.off)
	go r.pf.run(data, int(r.src.off), step)
}

// run walks the records from off until the end of data or stop.
func (pf *prefetcher) run(data []byte, off int, step stepFunc) {
	defer close(pf.done)
	var sum uint32
	for !pf.stop.Load() {
		for spins := 0; int64(off)-pf.readPos.Load() > prefetchWindow; spins++ {
			if pf.stop.Load() {
				return
			}
			// A fast reader catches up within microseconds, and waking
			// from a sleep takes longer than that; a slow one (output
			// to a pager) should not cost a spinning core.
			if spins < prefetchSpins {
				runtime.Gosched()
			} else {
				time.Sleep(prefetchPause)
			}
		}
		n := step(data, off)
		if n <= 0 {
			break
		}
		sum += uint32(data[off])
		if t := off + prefetchTouch; t < len(data) {
			sum += uint32(data[t])
		}
		off += n
	}
	pf.touched = sum
}

// advance tells the prefetcher where the reader is.
func (pf *prefetcher) advance(off int64) {
	if pf != nil {
		pf.readPos.Store(off)
	}
}

// halt stops the prefetcher and waits for it to stop reading, so that the
// mapping can be released.
func (pf *prefetcher) halt() {
	if pf != nil {
		pf.stop.Store(true)
		<-pf.done
	}
}
