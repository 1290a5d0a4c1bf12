package ipv4

import (
	"errors"
	"sync"
	"time"
	"unsafe"

	"github.com/medina-net/medina/internal/bufpool"
)

// Fragment reassembly (RFC 791 section 3.2, RFC 815, RFC 1122 3.3.2).
//
// Datagrams in progress are keyed by source, destination, protocol and
// identification. Each keeps its fragments in a list sorted by offset, each
// fragment's payload copied into a pooled buffer; a fragment is checked
// against its two neighbours in the list, so a datagram of k fragments
// costs O(k log k) comparisons and O(k²) word moves at worst, with k
// bounded by MaxFragments. When the fragments cover the datagram from 0 to
// the end the last fragment gave, they are copied behind the first
// fragment's header into one buffer.
//
// RFC 5722's rule, which RFC 791 predates, is applied to IPv4 as Linux
// does: a fragment that overlaps another of the same datagram discards the
// whole datagram, and the datagram's later fragments are dropped until its
// timeout, so that no one can assemble different bytes for different
// observers (the teardrop and overlapping-fragment IDS evasions). An exact
// duplicate (same offset, same length, consistent MF) is ignored. A last
// fragment (MF clear) that disagrees with the length already known, or a
// fragment past that length, discards the datagram too.
//
// Memory is bounded by MaxBytes, counted exactly: the capacity of every
// fragment buffer, the fragment list, and a fixed cost per datagram (the
// size of its record), so that a flood of tiny fragments is charged for
// the bookkeeping it causes. When a fragment would exceed the bound, or a
// new datagram would exceed MaxDatagrams, the oldest datagrams in progress
// are dropped to make room (counted in ReasmDrops): an attacker must keep
// flooding to keep others' datagrams from completing, rather than fill the
// table once and block reassembly for a whole timeout, which is what
// refusing new fragments would allow. Free buffers are kept for reuse
// (internal/bufpool, the pool the neighbour tables use too) up to a
// quarter of MaxBytes.

// Defaults of ReassemblyConfig.
const (
	// DefaultReassemblyTimeout is Linux's ipfrag_time (30s); RFC 791
	// suggests 15s as a lower bound and RFC 1122 60s to 120s as an upper.
	DefaultReassemblyTimeout = 30 * time.Second
	// DefaultReassemblyMaxBytes is Linux's ipfrag_high_thresh (4 MiB).
	DefaultReassemblyMaxBytes = 4 << 20
	// DefaultReassemblyMaxDatagrams bounds the datagrams in progress,
	// the size of the table: 1024 is 16 times what a host with a few
	// fragmented flows needs, and small enough that scanning or hashing
	// it is cheap.
	DefaultReassemblyMaxDatagrams = 1024
	// DefaultReassemblyMaxFragments bounds the fragments of one
	// datagram: a 65535-byte datagram split for a 576-byte MTU takes 120.
	// FreeBSD's maxfragsperpacket is 16; Linux has no limit but its
	// memory bound.
	DefaultReassemblyMaxFragments = 128
)

// ReassemblyConfig configures a Reassembler. A zero (or negative) field
// takes its default.
type ReassemblyConfig struct {
	// Timeout is how long a datagram may take to complete, from its
	// first fragment to arrive.
	Timeout time.Duration
	// MaxBytes bounds the memory of all datagrams in progress.
	MaxBytes int
	// MaxDatagrams bounds the number of datagrams in progress, discarded
	// ones that are still remembered included.
	MaxDatagrams int
	// MaxFragments bounds the fragments of one datagram; one more
	// discards the datagram.
	MaxFragments int
}

func (cfg *ReassemblyConfig) fill() {
	if cfg.Timeout <= 0 {
		cfg.Timeout = DefaultReassemblyTimeout
	}
	if cfg.MaxBytes <= 0 {
		cfg.MaxBytes = DefaultReassemblyMaxBytes
	}
	if cfg.MaxDatagrams <= 0 {
		cfg.MaxDatagrams = DefaultReassemblyMaxDatagrams
	}
	if cfg.MaxFragments <= 0 {
		cfg.MaxFragments = DefaultReassemblyMaxFragments
	}
}

// Errors of Add: why a fragment was not taken. Each is returned as it is,
// without wrapping, so that a flood of bad fragments does not allocate.
var (
	// ErrNotFragment: the datagram has MF clear and offset 0.
	ErrNotFragment = errors.New("ipv4: not a fragment")
	// ErrFragmentLength: a fragment with an empty payload, or with MF set
	// and a payload that is not a multiple of 8 bytes. (No fragmenter
	// sends an empty one; accepting an empty last fragment would let a
	// fragment with MF set end where the datagram does.)
	ErrFragmentLength = errors.New("ipv4: bad fragment payload length")
	// ErrReassemblyTooBig: the fragment ends beyond 65535 bytes of
	// datagram (the ping of death), or the reassembled datagram would.
	ErrReassemblyTooBig = errors.New("ipv4: reassembled datagram exceeds 65535 bytes")
	// ErrFragmentOverlap: the fragment overlaps another of its datagram,
	// which is discarded (RFC 5722).
	ErrFragmentOverlap = errors.New("ipv4: overlapping fragment")
	// ErrFragmentDuplicate: an exact duplicate of a fragment already
	// held, ignored. It is not the sender's fault (the network may
	// duplicate); a caller need not count it as an error.
	ErrFragmentDuplicate = errors.New("ipv4: duplicate fragment")
	// ErrFragmentInconsistent: the fragment disagrees with the length of
	// the datagram that a last fragment gave (a second, different last
	// fragment, or data past the end); the datagram is discarded.
	ErrFragmentInconsistent = errors.New("ipv4: fragment inconsistent with datagram length")
	// ErrTooManyFragments: the datagram has MaxFragments already; it is
	// discarded.
	ErrTooManyFragments = errors.New("ipv4: too many fragments")
	// ErrReassemblyMemory: the fragment does not fit in MaxBytes even
	// after dropping every older datagram; it is dropped, with its
	// datagram.
	ErrReassemblyMemory = errors.New("ipv4: reassembly memory exhausted")
	// ErrDatagramDiscarded: the fragment belongs to a datagram discarded
	// earlier (overlap, inconsistency, too many fragments), whose later
	// fragments are dropped until its timeout.
	ErrDatagramDiscarded = errors.New("ipv4: fragment of a discarded datagram")
)

// ReassemblyStats are the reassembler's counters, named after RFC 4293's
// ipSystemStatsReasm* where it has a name, and two gauges.
type ReassemblyStats struct {
	// ReasmReqds is the number of fragments received (given to Add).
	ReasmReqds uint64
	// ReasmOKs is the number of datagrams reassembled.
	ReasmOKs uint64
	// ReasmFails is the number of failures, for whatever reason (RFC
	// 4293): datagrams given up (timed out, overlapping, inconsistent,
	// too big, too many fragments, dropped for room) and fragments
	// rejected on their own (ReasmMalformed). Fragments dropped because
	// their datagram was already given up are not counted again.
	ReasmFails uint64
	// ReasmTimeout is the number of datagrams that timed out.
	ReasmTimeout uint64
	// ReasmOverlaps is the number of datagrams discarded for overlapping
	// fragments.
	ReasmOverlaps uint64
	// ReasmDrops is the number of datagrams dropped, and of fragments
	// refused, for the memory bound, the datagram bound or the fragment
	// bound.
	ReasmDrops uint64
	// ReasmMalformed is the number of fragments rejected on their own:
	// bad length (ErrFragmentLength) or beyond 65535 bytes
	// (ErrReassemblyTooBig).
	ReasmMalformed uint64
	// ReasmDuplicates is the number of exact duplicates ignored.
	ReasmDuplicates uint64
	// ReasmDiscards is the number of fragments dropped because their
	// datagram had been discarded (ErrDatagramDiscarded).
	ReasmDiscards uint64

	// Datagrams is the number of datagrams in progress now, discarded
	// ones still remembered included.
	Datagrams int
	// Bytes is the memory they hold now, as counted against MaxBytes.
	Bytes int
}

// reasmKey identifies a datagram (RFC 791).
type reasmKey struct {
	src, dst Addr
	id       uint16
	proto    Protocol
}

// fragRec is one fragment held: payload bytes [off, end) of the datagram.
type fragRec struct {
	off, end int
	buf      []byte
}

// pending is a datagram in progress.
type pending struct {
	key        reasmKey
	deadline   time.Time
	prev, next *pending // in order of creation, which is deadline order

	frags []fragRec // sorted by offset, never overlapping
	total int       // payload length given by the last fragment, -1 until then
	size  int       // payload bytes held
	mem   int       // memory counted against MaxBytes
	dead  bool      // discarded; later fragments are dropped

	hdrLen int // header length of the first fragment, 0 until it arrives
	hdr    [MaxHeaderLen]byte
}

const (
	pendingCost = int(unsafe.Sizeof(pending{}))
	fragRecCost = int(unsafe.Sizeof(fragRec{}))
	// keepPending bounds the recycled records.
	keepPending = 64
)

// Reassembler reassembles fragmented IPv4 datagrams. Create it with
// NewReassembler. It never reads the clock and starts no timer: Add and
// Expire take the time, and Expire says when it is next needed. It is safe
// for concurrent use.
type Reassembler struct {
	cfg ReassemblyConfig

	mu         sync.Mutex
	table      map[reasmKey]*pending
	head, tail *pending // oldest and newest
	mem        int
	stats      ReassemblyStats
	pool       bufpool.Pool
	free       []*pending

	// expireMu serializes Expire, which owns these.
	expireMu sync.Mutex
	expired  []*pending
	quote    [MaxHeaderLen + 8]byte
}

// NewReassembler returns an empty reassembler.
func NewReassembler(cfg ReassemblyConfig) *Reassembler {
	cfg.fill()
	r := &Reassembler{
		cfg:   cfg,
		table: make(map[reasmKey]*pending),
	}
	r.pool.SetMaxFree(cfg.MaxBytes / 4)
	return r
}

// Config returns the configuration in effect, defaults filled in.
func (r *Reassembler) Config() ReassemblyConfig { return r.cfg }

// Add takes one fragment: a datagram whose header the caller has checked
// (Check or Validate) and whose MF flag or fragment offset is set. The
// fragment's bytes are copied; h may be reused when Add returns.
//
// When the fragment completes its datagram, Add returns the reassembled
// datagram with done true: the first fragment's header (options included)
// with the total length set, MF and the offset cleared and the checksum
// recomputed, and the whole payload. It lives in a buffer of the
// reassembler's that the caller gives back with Release when done with it.
//
// Otherwise done is false, and err says why the fragment was not taken, if
// it was not: one of the sentinel errors above (ErrFragmentDuplicate is
// benign), or ErrBadHeaderLength, ErrBadTotalLength or ErrTruncated for a
// header that does not hold together. A datagram started by Add times out
// Timeout after now; the caller arms a timer for Expire if none is armed
// (Deadline tells when).
func (r *Reassembler) Add(h Header, now time.Time) (datagram []byte, done bool, err error) {
	if len(h) < MinHeaderLen {
		return nil, false, ErrTruncated
	}
	hl, tl := h.HeaderLen(), int(h.TotalLen())
	switch {
	case hl < MinHeaderLen:
		return nil, false, ErrBadHeaderLength
	case tl < hl:
		return nil, false, ErrBadTotalLength
	case tl > len(h):
		return nil, false, ErrTruncated
	case !h.IsFragment():
		return nil, false, ErrNotFragment
	}
	payload := h[hl:tl]
	off, n, mf := h.FragOffset(), tl-hl, h.MF()
	end := off + n

	r.mu.Lock()
	defer r.mu.Unlock()
	r.stats.ReasmReqds++
	if n == 0 || mf && n%8 != 0 {
		return r.malformed(ErrFragmentLength)
	}
	if end > MaxTotalLen-hl {
		return r.malformed(ErrReassemblyTooBig)
	}

	key := reasmKey{src: h.Src(), dst: h.Dst(), id: h.ID(), proto: h.Protocol()}
	p := r.table[key]
	i := 0 // where the fragment goes in p.frags
	if p != nil {
		if p.dead {
			r.stats.ReasmDiscards++
			return nil, false, ErrDatagramDiscarded
		}
		i = p.search(off)
		switch {
		case i < len(p.frags) && p.frags[i].off == off && p.frags[i].end == end:
			// Same range: a duplicate, if it agrees on being last.
			if mf == (end == p.total) {
				return r.discard(p, ErrFragmentInconsistent)
			}
			r.stats.ReasmDuplicates++
			return nil, false, ErrFragmentDuplicate
		case !mf && p.total >= 0 && end != p.total,
			!mf && len(p.frags) > 0 && p.frags[len(p.frags)-1].end > end,
			mf && p.total >= 0 && end >= p.total:
			return r.discard(p, ErrFragmentInconsistent)
		case i > 0 && p.frags[i-1].end > off || i < len(p.frags) && p.frags[i].off < end:
			return r.discard(p, ErrFragmentOverlap)
		case len(p.frags) >= r.cfg.MaxFragments:
			r.stats.ReasmDrops++
			return r.discard(p, ErrTooManyFragments)
		}
	}

	// Room: the buffer, a larger fragment list, a new record (which
	// comes with a list of initFrags).
	need := 0
	if p == nil {
		need = pendingCost + r.initFrags()*fragRecCost
		if len(r.table) >= r.cfg.MaxDatagrams {
			r.dropOldest(nil)
		}
	}
	need += bufpool.Size(n)
	if p != nil && len(p.frags) == cap(p.frags) {
		need += (r.growFrags(cap(p.frags)) - cap(p.frags)) * fragRecCost
	}
	for r.mem+need > r.cfg.MaxBytes && r.dropOldest(p) {
	}
	if r.mem+need > r.cfg.MaxBytes {
		r.stats.ReasmDrops++
		if p != nil {
			return r.discard(p, ErrReassemblyMemory)
		}
		r.stats.ReasmFails++
		return nil, false, ErrReassemblyMemory
	}

	if p == nil {
		p = r.newPending(key, now)
	}
	if !mf {
		p.total = end
	}
	if off == 0 {
		p.hdrLen = copy(p.hdr[:], h[:hl])
	}
	if len(p.frags) == cap(p.frags) {
		c := r.growFrags(cap(p.frags))
		r.account(p, (c-cap(p.frags))*fragRecCost)
		p.frags = append(make([]fragRec, 0, c), p.frags...)
	}
	b := r.pool.Get(n)
	copy(b, payload)
	r.account(p, cap(b))
	p.frags = append(p.frags, fragRec{})
	copy(p.frags[i+1:], p.frags[i:])
	p.frags[i] = fragRec{off: off, end: end, buf: b}
	p.size += n
	if p.size != p.total {
		return nil, false, nil
	}

	// Complete: the fragments cover [0, total) without overlap.
	if p.hdrLen+p.total > MaxTotalLen {
		r.stats.ReasmMalformed++
		return r.discard(p, ErrReassemblyTooBig)
	}
	out := r.pool.Get(p.hdrLen + p.total)
	copy(out, p.hdr[:p.hdrLen])
	for _, f := range p.frags {
		copy(out[p.hdrLen+f.off:], f.buf)
	}
	oh := Header(out)
	oh.SetTotalLen(uint16(len(out)))
	oh.SetFlags(oh.Flags() &^ FlagMF)
	oh.SetFragOffset(0)
	oh.FillChecksum()
	r.stats.ReasmOKs++
	r.remove(p)
	r.recycle(p)
	return out, true, nil
}

// search returns the index of the first fragment whose offset is at least
// off.
func (p *pending) search(off int) int {
	lo, hi := 0, len(p.frags)
	for lo < hi {
		m := int(uint(lo+hi) >> 1)
		if p.frags[m].off < off {
			lo = m + 1
		} else {
			hi = m
		}
	}
	return lo
}

// initFrags is the capacity of a new datagram's fragment list.
func (r *Reassembler) initFrags() int { return min(4, r.cfg.MaxFragments) }

// growFrags returns the capacity a full fragment list of capacity c grows
// to.
func (r *Reassembler) growFrags(c int) int { return min(2*c, r.cfg.MaxFragments) }

// account charges n bytes (negative to credit) to p.
func (r *Reassembler) account(p *pending, n int) {
	p.mem += n
	r.mem += n
}

// malformed counts a fragment rejected on its own.
func (r *Reassembler) malformed(err error) ([]byte, bool, error) {
	r.stats.ReasmMalformed++
	r.stats.ReasmFails++
	return nil, false, err
}

// discard gives up p: its fragments are freed, and it stays in the table,
// dead, until it times out, so that its later fragments are dropped.
func (r *Reassembler) discard(p *pending, err error) ([]byte, bool, error) {
	r.stats.ReasmFails++
	if err == ErrFragmentOverlap {
		r.stats.ReasmOverlaps++
	}
	r.freeFrags(p)
	p.dead = true
	return nil, false, err
}

// freeFrags returns p's fragment buffers to the pool.
func (r *Reassembler) freeFrags(p *pending) {
	for i, f := range p.frags {
		r.account(p, -cap(f.buf))
		r.pool.Put(f.buf)
		p.frags[i] = fragRec{}
	}
	p.frags = p.frags[:0]
	p.size = 0
}

// dropOldest drops the oldest datagram other than keep, reporting whether
// there was one.
func (r *Reassembler) dropOldest(keep *pending) bool {
	p := r.head
	if p != nil && p == keep {
		p = p.next
	}
	if p == nil {
		return false
	}
	if !p.dead {
		r.stats.ReasmDrops++
		r.stats.ReasmFails++
	}
	r.remove(p)
	r.recycle(p)
	return true
}

// newPending starts a datagram at the tail of the list.
func (r *Reassembler) newPending(key reasmKey, now time.Time) *pending {
	var p *pending
	if n := len(r.free); n > 0 {
		p = r.free[n-1]
		r.free[n-1] = nil
		r.free = r.free[:n-1]
	} else {
		p = new(pending)
	}
	if cap(p.frags) != r.initFrags() {
		p.frags = make([]fragRec, 0, r.initFrags())
	}
	p.key = key
	p.deadline = now.Add(r.cfg.Timeout)
	p.total = -1
	r.table[key] = p
	p.prev = r.tail
	if r.tail != nil {
		r.tail.next = p
	} else {
		r.head = p
	}
	r.tail = p
	r.account(p, pendingCost+cap(p.frags)*fragRecCost)
	return p
}

// remove takes p out of the table and the list; its memory stays counted
// until recycle.
func (r *Reassembler) remove(p *pending) {
	delete(r.table, p.key)
	if p.prev != nil {
		p.prev.next = p.next
	} else {
		r.head = p.next
	}
	if p.next != nil {
		p.next.prev = p.prev
	} else {
		r.tail = p.prev
	}
	p.prev, p.next = nil, nil
}

// recycle frees p's buffers and keeps the record for reuse.
func (r *Reassembler) recycle(p *pending) {
	r.freeFrags(p)
	r.mem -= p.mem
	frags := p.frags
	if cap(frags) != r.initFrags() {
		frags = nil // grown: let it go, so that records stay small
	}
	*p = pending{frags: frags}
	if len(r.free) < keepPending {
		r.free = append(r.free, p)
	}
}

// Release gives back a datagram Add returned. The caller must not use it
// afterwards. Release(nil) does nothing.
func (r *Reassembler) Release(datagram []byte) {
	if datagram == nil {
		return
	}
	r.mu.Lock()
	r.pool.Put(datagram)
	r.mu.Unlock()
}

// Expire drops the datagrams whose timeout has passed at now. For each one
// that was still being reassembled and whose first fragment (offset 0) had
// arrived, it calls timedOut with that fragment's header and the first 8
// bytes of its payload, for the ICMP time exceeded message (code 1,
// fragment reassembly time exceeded) RFC 792 and RFC 1122 3.3.2 ask for.
// The slice is valid only during the call, which is made without the lock
// held; timedOut may be nil.
//
// Expire returns the time of the next timeout, or the zero time if there
// is no datagram in progress.
func (r *Reassembler) Expire(now time.Time, timedOut func(firstFragment []byte)) (next time.Time) {
	r.expireMu.Lock()
	defer r.expireMu.Unlock()
	expired := r.expired[:0]

	r.mu.Lock()
	for p := r.head; p != nil && !now.Before(p.deadline); p = r.head {
		r.remove(p)
		if !p.dead {
			r.stats.ReasmTimeout++
			r.stats.ReasmFails++
			if p.hdrLen > 0 && timedOut != nil {
				expired = append(expired, p) // recycled below
				continue
			}
		}
		r.recycle(p)
	}
	if r.head != nil {
		next = r.head.deadline
	}
	r.mu.Unlock()

	if len(expired) > 0 {
		for _, p := range expired {
			// The fragment at offset 0 is the first in the list, and
			// holds at least 8 bytes (a fragment with MF set does).
			n := copy(r.quote[:], p.hdr[:p.hdrLen])
			n += copy(r.quote[n:], p.frags[0].buf[:min(8, len(p.frags[0].buf))])
			timedOut(r.quote[:n])
		}
		r.mu.Lock()
		for i, p := range expired {
			r.recycle(p)
			expired[i] = nil
		}
		r.mu.Unlock()
	}
	r.expired = expired[:0]
	return next
}

// Deadline returns the time of the next timeout, or the zero time if
// there is no datagram in progress.
func (r *Reassembler) Deadline() time.Time {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.head == nil {
		return time.Time{}
	}
	return r.head.deadline
}

// Stats returns the counters.
func (r *Reassembler) Stats() ReassemblyStats {
	r.mu.Lock()
	defer r.mu.Unlock()
	s := r.stats
	s.Datagrams = len(r.table)
	s.Bytes = r.mem
	return s
}
