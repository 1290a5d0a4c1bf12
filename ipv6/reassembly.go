package ipv6

import (
	"errors"
	"time"

	"github.com/medina-net/medina/internal/bufpool"
	"github.com/medina-net/medina/internal/reasm"
	"github.com/medina-net/medina/ipv4"
)

// Fragment reassembly (RFC 8200 section 4.5), on the engine ipv4 shares
// (internal/reasm).
//
// Packets in progress are keyed by source, destination and fragment
// identification. Each keeps its fragments' data in a list sorted by
// offset, copied into pooled buffers (internal/bufpool, the pool the
// IPv4 reassembler and the neighbour tables use), and the unfragmentable
// part of the fragment at offset 0 with its fragment header, in a pooled
// buffer too. When the
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

// maxQuote is how much of a packet an ICMPv6 error may quote: the error
// must fit IPv6's least MTU (RFC 4443 2.4 (c)).
const maxQuote = MinMTU - HeaderLen - 8

// keepFrags bounds the fragment lists recycled records keep: a packet of
// up to 16 fragments (23 KB at Ethernet's MTU) reuses its list, and the
// records held outside MaxBytes stay under 64 × keepFrags × the cost of a
// slot (40 KB).
const keepFrags = 16

// reasmHead keeps the fragment at offset 0 up to its data: the
// unfragmentable part and the fragment header, as received, in a pool
// buffer (the unfragmentable part may be long), and the offset in it of
// the next header field that names the fragment header.
type reasmHead struct {
	first  []byte // nil until the first fragment arrives
	nextAt int
}

// Keep copies the first fragment's headers into a pool buffer.
func (h *reasmHead) Keep(head []byte, nextAt int, pool *bufpool.Pool) int {
	if len(head) > bufpool.MaxSize {
		// Headers longer than the pool's largest class (a chain of
		// options headers can be) are left to the collector, as the
		// largest reassembled packets are: Get would give none.
		h.first = make([]byte, len(head))
	} else {
		h.first = pool.Get(len(head))
	}
	copy(h.first, head)
	h.nextAt = nextAt
	return cap(h.first)
}

// headCost is what Keep takes for n bytes of headers.
func headCost(n int) int {
	if n > bufpool.MaxSize {
		return n
	}
	return bufpool.Size(n)
}

// Free gives the buffer back (Put leaves one beyond the pool's classes to
// the collector).
func (h *reasmHead) Free(pool *bufpool.Pool) int {
	if h.first == nil {
		return 0
	}
	n := cap(h.first)
	pool.Put(h.first)
	h.first = nil
	return n
}

// Bytes is the first fragment's headers as received.
func (h *reasmHead) Bytes() []byte { return h.first }

// Prefix is the unfragmentable part: the fragment header goes.
func (h *reasmHead) Prefix() int { return len(h.first) - FragmentHeaderLen }

// Build names the fragment header's next header where the fragment header
// was named, and sets the payload length.
func (h *reasmHead) Build(out []byte) {
	copy(out, h.first[:h.Prefix()])
	out[h.nextAt] = byte(FragmentHeader(h.first[h.Prefix():]).NextHeader())
	Header(out).SetPayloadLen(uint16(len(out) - HeaderLen))
}

// reasmParams are what IPv6 fixes of the engine.
var reasmParams = reasm.Params{
	Defaults: reasm.Config{
		Timeout:      DefaultReassemblyTimeout,
		MaxBytes:     DefaultReassemblyMaxBytes,
		MaxDatagrams: DefaultReassemblyMaxDatagrams,
		MaxFragments: DefaultReassemblyMaxFragments,
	},
	// The unfragmentable part after the fixed header, and the
	// fragmentable part, make the payload, bounded by 65535 bytes.
	MaxLen:     HeaderLen + MaxPayloadLen,
	KeepFrags:  keepFrags,
	PooledHead: true,
	// The first fragment as received, as much as an error may quote.
	QuoteLen:  maxQuote,
	QuoteData: maxQuote,
	Errors: reasm.Errors{
		Length:       ErrFragmentLength,
		TooBig:       ErrReassemblyTooBig,
		Overlap:      ErrFragmentOverlap,
		Duplicate:    ErrFragmentDuplicate,
		Inconsistent: ErrFragmentInconsistent,
		TooMany:      ErrTooManyFragments,
		Memory:       ErrReassemblyMemory,
		Discarded:    ErrDatagramDiscarded,
	},
}

// Reassembler reassembles fragmented IPv6 packets. Create it with
// NewReassembler. It never reads the clock and starts no timer: Add and
// Expire take the time, and Expire says when it is next needed. It is safe
// for concurrent use.
type Reassembler struct {
	e *reasm.Engine[reasmKey, reasmHead, *reasmHead]

	// IPv6's own counters, guarded by the engine's lock.
	incompleteChain uint64
	atomic          uint64
}

// NewReassembler returns an empty reassembler.
func NewReassembler(cfg ReassemblyConfig) *Reassembler {
	return &Reassembler{e: reasm.New[reasmKey, reasmHead](reasm.Config(cfg), reasmParams)}
}

// Config returns the configuration in effect, defaults filled in.
func (r *Reassembler) Config() ReassemblyConfig { return ReassemblyConfig(r.e.Config()) }

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
	fh, fOff, namedAt, ok := fragmentOf(h)
	if !ok {
		return nil, false, ErrNotFragment
	}
	dataOff := fOff + FragmentHeaderLen
	off := fh.Offset()
	// Set field by field, which the compiler writes in place (see
	// ipv4's Add).
	var f reasm.Frag
	f.Off, f.End, f.More = off, off+len(h)-dataOff, fh.More()
	f.Data, f.Prefix = h[min(dataOff, len(h)):], fOff
	f.Head, f.Mark, f.HeadCost = h[:min(dataOff, len(h))], namedAt, headCost(dataOff)

	r.e.Lock()
	defer r.e.Unlock()
	if fh.IsAtomic() {
		r.atomic++
		return nil, false, ErrAtomicFragment
	}
	if err := r.e.Take(&f); err != nil {
		return nil, false, err
	}
	if off == 0 && !chainComplete(h) {
		r.incompleteChain++
		r.e.Refuse()
		return nil, false, ErrIncompleteChain
	}
	var key reasmKey
	key.src, key.dst, key.id = h.Src(), h.Dst(), fh.ID()
	return r.e.Insert(&key, &f, now)
}

// Release gives back a packet Add returned. The caller must not use it
// afterwards. Release(nil) does nothing.
func (r *Reassembler) Release(packet []byte) { r.e.Release(packet) }

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
	return r.e.Expire(now, timedOut)
}

// Deadline returns the time of the next timeout, or the zero time if
// there is no packet in progress.
func (r *Reassembler) Deadline() time.Time { return r.e.Deadline() }

// Stats returns the counters.
func (r *Reassembler) Stats() ReassemblyStats {
	r.e.Lock()
	s := r.e.StatsLocked()
	chain, atomic := r.incompleteChain, r.atomic
	r.e.Unlock()
	return ReassemblyStats{
		ReasmReqds: s.Reqds, ReasmOKs: s.OKs, ReasmFails: s.Fails,
		ReasmTimeout: s.Timeout, ReasmOverlaps: s.Overlaps, ReasmDrops: s.Drops,
		ReasmMalformed: s.Malformed, ReasmIncompleteChain: chain, ReasmAtomic: atomic,
		ReasmDuplicates: s.Duplicates, ReasmDiscards: s.Discards,
		Datagrams: s.Datagrams, Bytes: s.Bytes,
	}
}
