package ipv6

import (
	"errors"
	"sync"
	"time"
	"unsafe"

	"github.com/medina-net/medina/internal/bufpool"
	"github.com/medina-net/medina/ipv4"
)

// Fragment reassembly (RFC 8200 section 4.5), in the shape of ipv4's
// Reassembler.
//
// Packets in progress are keyed by source, destination and fragment
// identification. Each keeps its fragments' data in a list sorted by
// offset, copied into pooled buffers (internal/bufpool, the pool the
// IPv4 reassembler and the neighbour tables use), and the unfragmentable
// part of the fragment at offset 0 with its fragment header. When the
// fragments cover the packet from 0 to the end the last fragment gave,
// they are copied behind that unfragmentable part, whose last next header
// field takes the fragment header's value, into one buffer.
//
// The rules a host applies beyond RFC 8200's procedure, each counted:
//
//   - RFC 5722: a fragment that overlaps another of the same packet
//     discards the whole packet, and its later fragments are dropped
//     until its timeout. An exact duplicate (same offset and length, same
//     M flag) is ignored, as RFC 8200 4.5 allows.
//   - RFC 6946: an atomic fragment (offset 0, M clear) is not reassembly's
//     business: Add refuses it with ErrAtomicFragment and the caller
//     processes the packet at once, skipping its fragment header, so it
//     never meets (nor disturbs) fragments that share its identification.
//   - RFC 7112 (RFC 8200 4.5): a first fragment that does not hold the
//     whole header chain, up to the upper-layer header, is refused
//     (ErrIncompleteChain); the caller may answer with a parameter
//     problem, code 3.
//   - A last fragment that disagrees with the length already known, or a
//     fragment past it, discards the packet; so does a packet that would
//     reassemble to more than 65535 bytes of payload.
//
// Memory is bounded as in ipv4: MaxBytes counts the capacity of every
// buffer held, the fragment lists and a fixed cost per packet; the
// oldest packets are dropped to make room (ReasmDrops), and MaxFragments
// bounds one packet's fragments, which is what stops a flood of tiny
// fragments (8 bytes of data each) from costing a record per 8 bytes.

// Defaults of ReassemblyConfig.
const (
	// DefaultReassemblyTimeout is RFC 8200 4.5's 60 seconds (Linux's
	// ip6frag_time).
	DefaultReassemblyTimeout = 60 * time.Second
	// DefaultReassemblyMaxBytes is Linux's ip6frag_high_thresh (4 MiB).
	DefaultReassemblyMaxBytes = 4 << 20
	// DefaultReassemblyMaxDatagrams bounds the packets in progress.
	DefaultReassemblyMaxDatagrams = 1024
	// DefaultReassemblyMaxFragments bounds the fragments of one packet:
	// a 65535-byte payload split for IPv6's least MTU takes 54.
	DefaultReassemblyMaxFragments = 128
)

// ReassemblyConfig configures a Reassembler. A zero (or negative) field
// takes its default.
type ReassemblyConfig struct {
	// Timeout is how long a packet may take to complete, from its first
	// fragment to arrive.
	Timeout time.Duration
	// MaxBytes bounds the memory of all packets in progress.
	MaxBytes int
	// MaxDatagrams bounds the number of packets in progress, discarded
	// ones that are still remembered included.
	MaxDatagrams int
	// MaxFragments bounds the fragments of one packet; one more discards
	// the packet.
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
	// ErrNotFragment: the packet has no fragment header (or its chain
	// breaks before one).
	ErrNotFragment = errors.New("ipv6: not a fragment")
	// ErrAtomicFragment: the fragment header says offset 0 and no more
	// fragments (RFC 6946): the caller processes the packet as it is.
	ErrAtomicFragment = errors.New("ipv6: atomic fragment")
	// ErrFragmentLength: a fragment without data, or with M set and data
	// that is not a multiple of 8 bytes.
	ErrFragmentLength = errors.New("ipv6: bad fragment data length")
	// ErrReassemblyTooBig: the fragment ends beyond 65535 bytes of
	// payload, or the reassembled packet would.
	ErrReassemblyTooBig = errors.New("ipv6: reassembled packet exceeds 65535 bytes of payload")
	// ErrFragmentOverlap: the fragment overlaps another of its packet,
	// which is discarded (RFC 5722).
	ErrFragmentOverlap = errors.New("ipv6: overlapping fragment")
	// ErrFragmentDuplicate: an exact duplicate of a fragment held,
	// ignored; not the sender's fault.
	ErrFragmentDuplicate = errors.New("ipv6: duplicate fragment")
	// ErrFragmentInconsistent: the fragment disagrees with the length of
	// the packet a last fragment gave; the packet is discarded.
	ErrFragmentInconsistent = errors.New("ipv6: fragment inconsistent with packet length")
	// ErrTooManyFragments: the packet has MaxFragments already; it is
	// discarded.
	ErrTooManyFragments = errors.New("ipv6: too many fragments")
	// ErrReassemblyMemory: the fragment does not fit in MaxBytes even
	// after dropping every older packet; it is dropped, with its packet.
	ErrReassemblyMemory = errors.New("ipv6: reassembly memory exhausted")
	// ErrDatagramDiscarded: the fragment belongs to a packet discarded
	// earlier, whose later fragments are dropped until its timeout.
	ErrDatagramDiscarded = errors.New("ipv6: fragment of a discarded packet")
)

// ReassemblyStats are the reassembler's counters, named after RFC 4293's
// ipSystemStatsReasm* where it has a name, and two gauges.
type ReassemblyStats struct {
	// ReasmReqds is the number of fragments received (given to Add),
	// atomic fragments aside.
	ReasmReqds uint64
	// ReasmOKs is the number of packets reassembled.
	ReasmOKs uint64
	// ReasmFails is the number of failures, for whatever reason (RFC
	// 4293): packets given up (timed out, overlapping, inconsistent, too
	// big, too many fragments, dropped for room) and fragments rejected
	// on their own (ReasmMalformed, ReasmIncompleteChain). Fragments of a
	// packet already given up are not counted again.
	ReasmFails uint64
	// ReasmTimeout is the number of packets that timed out.
	ReasmTimeout uint64
	// ReasmOverlaps is the number of packets discarded for overlapping
	// fragments (RFC 5722).
	ReasmOverlaps uint64
	// ReasmDrops is the number of packets dropped, and of fragments
	// refused, for the memory, packet or fragment bound.
	ReasmDrops uint64
	// ReasmMalformed is the number of fragments rejected on their own for
	// their length (ErrFragmentLength, ErrReassemblyTooBig).
	ReasmMalformed uint64
	// ReasmIncompleteChain is the number of first fragments refused for
	// not holding the whole header chain (RFC 7112).
	ReasmIncompleteChain uint64
	// ReasmAtomic is the number of atomic fragments (RFC 6946) handed
	// back to be processed at once.
	ReasmAtomic uint64
	// ReasmDuplicates is the number of exact duplicates ignored.
	ReasmDuplicates uint64
	// ReasmDiscards is the number of fragments dropped because their
	// packet had been discarded (ErrDatagramDiscarded).
	ReasmDiscards uint64

	// Datagrams is the number of packets in progress now, discarded ones
	// still remembered included.
	Datagrams int
	// Bytes is the memory they hold now, as counted against MaxBytes.
	Bytes int
}

// reasmKey identifies a packet (RFC 8200 4.5).
type reasmKey struct {
	src, dst Addr
	id       uint32
}

// fragRec is one fragment held: bytes [off, end) of the fragmentable
// part.
type fragRec struct {
	off, end int
	buf      []byte
}

// pending is a packet in progress.
type pending struct {
	key        reasmKey
	deadline   time.Time
	prev, next *pending // in order of creation, which is deadline order

	frags []fragRec // sorted by offset, never overlapping
	total int       // fragmentable length given by the last fragment, -1 until then
	size  int       // bytes held
	mem   int       // memory counted against MaxBytes
	dead  bool      // discarded; later fragments are dropped

	// first is the fragment at offset 0 up to its data: the
	// unfragmentable part and the fragment header, as received (nil until
	// it arrives); nextAt is the offset in it of the next header field
	// that names the fragment header.
	first  []byte
	nextAt int
}

const (
	pendingCost = int(unsafe.Sizeof(pending{}))
	fragRecCost = int(unsafe.Sizeof(fragRec{}))
	// keepPending bounds the recycled records, and keepFrags the
	// fragment lists they keep: a packet of up to 16 fragments (23 KB
	// at Ethernet's MTU) reuses its list, and the records held outside
	// MaxBytes stay under keepPending × keepFrags × fragRecCost (40 KB).
	keepPending = 64
	keepFrags   = 16
	// maxQuote is how much of a packet an ICMPv6 error may quote: the
	// error must fit IPv6's least MTU (RFC 4443 2.4 (c)).
	maxQuote = MinMTU - HeaderLen - 8
)

// Reassembler reassembles fragmented IPv6 packets. Create it with
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
	quote    [maxQuote]byte
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

// fragmentOf finds the fragment header of h, and the offset of the next
// header field that names it. ok is false when the chain has none, or
// breaks before it.
func fragmentOf(h Header) (f FragmentHeader, off, namedAt int, ok bool) {
	if h.NextHeader() == ipv4.ProtoFragment && len(h) >= HeaderLen+FragmentHeaderLen {
		// The fragment header right behind the fixed one, as senders
		// that add no other extension header put it: no walk.
		return FragmentHeader(h[HeaderLen : HeaderLen+FragmentHeaderLen]), HeaderLen, 6, true
	}
	it := h.ExtIter()
	for e, more := it.Next(); more; e, more = it.Next() {
		if e.Status != ExtOK && e.Status != ExtMisplaced {
			break
		}
		if fh, isFrag := e.Fragment(); isFrag {
			return fh, e.Offset, e.NamedAt, true
		}
	}
	return nil, 0, 0, false
}

// chainComplete reports whether a first fragment h holds the whole header
// chain that follows its fragment header, up to and including the start
// of the upper-layer header (RFC 7112; the check CheckExtensions makes).
func chainComplete(h Header) bool {
	p, off, how := h.UpperLayer()
	switch how {
	case ChainBroken:
		return false
	case ChainUpper:
		return p == ipv4.ProtoNoNext || off < h.Len()
	}
	return true
}

// Add takes one fragment: a packet whose fixed header the caller has
// checked (Check; not a jumbogram) and that holds a fragment header. The
// fragment's bytes are copied; h may be reused when Add returns.
//
// When the fragment completes its packet, Add returns the reassembled
// packet with done true: the unfragmentable part of the fragment at
// offset 0, the next header field that named its fragment header set to
// that header's next header, the payload length set, and the whole
// fragmentable part. It lives in a buffer of the reassembler's that the
// caller gives back with Release. Its chain is the caller's to process
// again from the start (the unfragmentable headers were checked in the
// first fragment already).
//
// Otherwise done is false, and err says why the fragment was not taken, if
// it was not: one of the sentinel errors above (ErrFragmentDuplicate is
// benign; ErrAtomicFragment asks the caller to process h itself), or
// ErrTruncated for a packet shorter than its payload length. A packet
// started by Add times out Timeout after now; the caller arms a timer for
// Expire if none is armed (Deadline tells when).
func (r *Reassembler) Add(h Header, now time.Time) (packet []byte, done bool, err error) {
	if len(h) < HeaderLen || h.Len() > len(h) {
		return nil, false, ErrTruncated
	}
	h = h[:h.Len()]
	f, fOff, namedAt, ok := fragmentOf(h)
	if !ok {
		return nil, false, ErrNotFragment
	}
	dataOff := fOff + FragmentHeaderLen
	off, n, mf := f.Offset(), len(h)-dataOff, f.More()
	end := off + n

	r.mu.Lock()
	defer r.mu.Unlock()
	if f.IsAtomic() {
		r.stats.ReasmAtomic++
		return nil, false, ErrAtomicFragment
	}
	r.stats.ReasmReqds++
	if n <= 0 || mf && n%8 != 0 {
		return r.malformed(ErrFragmentLength)
	}
	if fOff-HeaderLen+end > MaxPayloadLen {
		return r.malformed(ErrReassemblyTooBig)
	}
	if off == 0 && !chainComplete(h) {
		r.stats.ReasmIncompleteChain++
		r.stats.ReasmFails++
		return nil, false, ErrIncompleteChain
	}

	key := reasmKey{src: h.Src(), dst: h.Dst(), id: f.ID()}
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

	// Room: the data's buffer, the first fragment's headers, a larger
	// fragment list, a new record (with a list of initFrags).
	need := 0
	if p == nil {
		// A recycled record may come with a list of up to keepFrags
		// (which record depends on what the drops below recycle): its
		// charge is bounded by that.
		need = pendingCost + max(keepFrags, r.initFrags())*fragRecCost
		if len(r.table) >= r.cfg.MaxDatagrams {
			r.dropOldest(nil)
		}
	}
	need += bufpool.Size(n)
	if off == 0 {
		need += bufpool.Size(dataOff)
	}
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
		p.first = r.pool.Get(dataOff)
		copy(p.first, h[:dataOff])
		p.nextAt = namedAt
		r.account(p, cap(p.first))
	}
	if len(p.frags) == cap(p.frags) {
		c := r.growFrags(cap(p.frags))
		r.account(p, (c-cap(p.frags))*fragRecCost)
		p.frags = append(make([]fragRec, 0, c), p.frags...)
	}
	b := r.pool.Get(n)
	copy(b, h[dataOff:])
	r.account(p, cap(b))
	p.frags = append(p.frags, fragRec{})
	copy(p.frags[i+1:], p.frags[i:])
	p.frags[i] = fragRec{off: off, end: end, buf: b}
	p.size += n
	if p.size != p.total {
		return nil, false, nil
	}

	// Complete: the fragments cover [0, total) without overlap, and the
	// first one's headers are there (it holds offset 0).
	unfrag := len(p.first) - FragmentHeaderLen
	if unfrag-HeaderLen+p.total > MaxPayloadLen {
		r.stats.ReasmMalformed++
		return r.discard(p, ErrReassemblyTooBig)
	}
	size := unfrag + p.total
	var out []byte
	if size <= bufpool.MaxSize {
		out = r.pool.Get(size)
	} else {
		// Only the largest packets (payloads near 65535 bytes) are
		// beyond the pool's classes; they are left to the collector.
		out = make([]byte, size)
	}
	copy(out, p.first[:unfrag])
	out[p.nextAt] = byte(FragmentHeader(p.first[unfrag:]).NextHeader())
	for _, f := range p.frags {
		copy(out[unfrag+f.off:], f.buf)
	}
	Header(out).SetPayloadLen(uint16(size - HeaderLen))
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

// initFrags is the least capacity of a new packet's fragment list.
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

// discard gives up p: its buffers are freed, and it stays in the table,
// dead, until it times out, so that its later fragments are dropped.
func (r *Reassembler) discard(p *pending, err error) ([]byte, bool, error) {
	r.stats.ReasmFails++
	if err == ErrFragmentOverlap {
		r.stats.ReasmOverlaps++
	}
	r.freeBufs(p)
	p.dead = true
	return nil, false, err
}

// freeBufs returns p's buffers to the pool.
func (r *Reassembler) freeBufs(p *pending) {
	for i, f := range p.frags {
		r.account(p, -cap(f.buf))
		r.pool.Put(f.buf)
		p.frags[i] = fragRec{}
	}
	p.frags = p.frags[:0]
	p.size = 0
	if p.first != nil {
		r.account(p, -cap(p.first))
		r.pool.Put(p.first)
		p.first = nil
	}
}

// dropOldest drops the oldest packet other than keep, reporting whether
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

// newPending starts a packet at the tail of the list.
func (r *Reassembler) newPending(key reasmKey, now time.Time) *pending {
	var p *pending
	if n := len(r.free); n > 0 {
		p = r.free[n-1]
		r.free[n-1] = nil
		r.free = r.free[:n-1]
	} else {
		p = new(pending)
	}
	if cap(p.frags) < r.initFrags() {
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
	r.freeBufs(p)
	r.mem -= p.mem
	frags := p.frags[:0]
	if cap(frags) > max(keepFrags, r.initFrags()) {
		frags = nil // grown large: let it go, so that records stay small
	}
	*p = pending{frags: frags}
	if len(r.free) < keepPending {
		r.free = append(r.free, p)
	}
}

// Release gives back a packet Add returned. The caller must not use it
// afterwards. Release(nil) does nothing.
func (r *Reassembler) Release(packet []byte) {
	if packet == nil {
		return
	}
	r.mu.Lock()
	r.pool.Put(packet)
	r.mu.Unlock()
}

// Expire drops the packets whose timeout has passed at now. For each one
// that was still being reassembled and whose first fragment (offset 0) had
// arrived, it calls timedOut with that fragment as received, cut to what
// an ICMPv6 error may quote (1232 bytes), for the time exceeded message
// (code 1, fragment reassembly time exceeded) RFC 8200 4.5 asks for; a
// packet whose first fragment never came gets none. The slice is valid
// only during the call, which is made without the lock held; timedOut may
// be nil.
//
// Expire returns the time of the next timeout, or the zero time if there
// is no packet in progress.
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
			if p.first != nil && timedOut != nil {
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
			// The fragment at offset 0 is the first in the list.
			n := copy(r.quote[:], p.first)
			n += copy(r.quote[n:], p.frags[0].buf)
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
// there is no packet in progress.
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
