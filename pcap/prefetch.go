package pcap

import (
	"os"
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
//
// It also hands back the pages the reader has left behind, so that the
// process's resident memory stays flat whatever the file's size, instead
// of growing to the whole file as the mapping is read: a 2 GB capture
// would otherwise show 2 GB resident. The pages stay in the page cache,
// and a packet the caller still holds reads the same bytes from there,
// since the mapping is a private, read-only one of the file. Handing
// pages back costs about as much as a fifth of reading them (the kernel
// tears down their page table entries), so the prefetcher does it, on
// its core; the reader does it itself only when the prefetcher has
// fallen far behind (no core to spare).
type prefetcher struct {
	readPos  atomic.Int64 // the reader's offset in the file, published per record
	released atomic.Int64 // the mapping is handed back up to here
	stop     atomic.Bool
	done     chan struct{} // closed when run returns
	touched  uint32        // keeps the loads from being optimised away
	data     []byte        // the mapping
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
	// releaseStep is how much of the mapping behind the reader is handed
	// back at a time, and releaseKeep how much behind the reader stays
	// mapped (the packets just returned, which a caller may be looking
	// at). Their sum bounds what the mapping adds to the resident set.
	releaseStep = 16 << 20
	releaseKeep = 4 << 20
	// releaseLag is how far behind the prefetcher's releases may fall
	// before the reader releases itself.
	releaseLag = 2 * releaseStep
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
	r.pf = &prefetcher{done: make(chan struct{}), data: data}
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
		if pos := pf.readPos.Load(); pos-pf.released.Load() >= releaseStep+releaseKeep {
			pf.releaseBehind(pos - releaseKeep)
		}
		sum += uint32(data[off])
		if t := off + prefetchTouch; t < len(data) {
			sum += uint32(data[t])
		}
		off += n
	}
	pf.touched = sum
}

// advance tells the prefetcher where the reader is; if the prefetcher's
// releases have fallen releaseLag behind, it hands back the mapping
// behind the reader itself.
func (pf *prefetcher) advance(off int64) {
	if pf == nil {
		return
	}
	pf.readPos.Store(off)
	if off-pf.released.Load() >= releaseLag+releaseKeep {
		pf.releaseBehind(off - releaseKeep)
	}
}

// releaseBehind hands back the pages of the mapping before upto, unless
// less than releaseStep would go. The reader and the prefetcher may both
// call it: each range goes once. Offsets are multiples of the page size
// from the mapping's start, which is page-aligned.
func (pf *prefetcher) releaseBehind(upto int64) {
	upto -= upto % pageSize
	from := pf.released.Load()
	if upto-from < releaseStep || !pf.released.CompareAndSwap(from, upto) {
		return
	}
	releaseMapped(pf.data[from:upto])
}

// pageSize is the unit releaseMapped works in.
var pageSize = int64(os.Getpagesize())

// halt stops the prefetcher and waits for it to stop reading, so that the
// mapping can be released.
func (pf *prefetcher) halt() {
	if pf != nil {
		pf.stop.Store(true)
		<-pf.done
	}
}
