package ipv4

import (
	"errors"
	"time"

	"github.com/medina-net/medina/internal/bufpool"
	"github.com/medina-net/medina/internal/reasm"
)

// Fragment reassembly (RFC 791 section 3.2, RFC 815, RFC 1122 3.3.2), on
// the engine ipv6 shares (internal/reasm, whose package comment tells how
// fragments are held, checked, bounded in memory and evicted).
//
// Datagrams in progress are keyed by source, destination, protocol and
// identification. When the fragments cover the datagram from 0 to the end
// the last fragment gave, they are copied behind the first fragment's
// header (kept in the datagram's record) into one buffer.
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
// Memory is bounded by MaxBytes, counted exactly (the fragment buffers,
// the fragment lists, a record per datagram); the oldest datagrams are
// dropped to make room (counted in ReasmDrops).

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

// reasmHead keeps the header of a datagram's first fragment, in place in
// the engine's record: it is part of the record's fixed cost, not of the
// buffers.
type reasmHead struct {
	n int // header length, 0 until the first fragment arrives
	b [MaxHeaderLen]byte
}

// Keep copies the first fragment's header.
func (h *reasmHead) Keep(head []byte, _ int, _ *bufpool.Pool) int {
	h.n = copy(h.b[:], head)
	return 0
}

// Free has nothing to give back: the header lives in the record (the
// engine does not call it).
func (h *reasmHead) Free(*bufpool.Pool) int { return 0 }

// Bytes is the first fragment's header.
func (h *reasmHead) Bytes() []byte { return h.b[:h.n] }

// Prefix is the whole header: options included, it heads the datagram.
func (h *reasmHead) Prefix() int { return h.n }

// Build makes the first fragment's header the datagram's: its total
// length, MF and the offset cleared, the checksum recomputed.
func (h *reasmHead) Build(out []byte) {
	copy(out, h.b[:h.n])
	oh := Header(out)
	oh.SetTotalLen(uint16(len(out)))
	oh.SetFlags(oh.Flags() &^ FlagMF)
	oh.SetFragOffset(0)
	oh.FillChecksum()
}

// reasmParams are what IPv4 fixes of the engine.
var reasmParams = reasm.Params{
	Defaults: reasm.Config{
		Timeout:      DefaultReassemblyTimeout,
		MaxBytes:     DefaultReassemblyMaxBytes,
		MaxDatagrams: DefaultReassemblyMaxDatagrams,
		MaxFragments: DefaultReassemblyMaxFragments,
	},
	MaxLen: MaxTotalLen,
	// A record keeps only the fragment list it started with.
	KeepFrags: 0,
	// RFC 792's quote: the header and the first 8 bytes of data.
	QuoteLen:  MaxHeaderLen + 8,
	QuoteData: 8,
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

// Reassembler reassembles fragmented IPv4 datagrams. Create it with
// NewReassembler. It never reads the clock and starts no timer: Add and
// Expire take the time, and Expire says when it is next needed. It is safe
// for concurrent use.
type Reassembler struct {
	e *reasm.Engine[reasmKey, reasmHead, *reasmHead]
}

// NewReassembler returns an empty reassembler.
func NewReassembler(cfg ReassemblyConfig) *Reassembler {
	return &Reassembler{e: reasm.New[reasmKey, reasmHead](reasm.Config(cfg), reasmParams)}
}

// Config returns the configuration in effect, defaults filled in.
func (r *Reassembler) Config() ReassemblyConfig { return ReassemblyConfig(r.e.Config()) }

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
	off := h.FragOffset()
	// Set field by field, which the compiler writes in place; a literal
	// it builds aside and copies, and reading back 16 bytes that were
	// just written in smaller pieces stalls (the same for the key).
	var f reasm.Frag
	f.Off, f.End, f.More = off, off+tl-hl, h.MF()
	f.Data, f.Prefix, f.Head = h[hl:tl], hl, h[:hl]
	var key reasmKey
	key.src, key.dst, key.id, key.proto = h.Src(), h.Dst(), h.ID(), h.Protocol()
	return r.e.Add(&key, &f, now)
}

// Release gives back a datagram Add returned. The caller must not use it
// afterwards. Release(nil) does nothing.
func (r *Reassembler) Release(datagram []byte) { r.e.Release(datagram) }

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
	return r.e.Expire(now, timedOut)
}

// Deadline returns the time of the next timeout, or the zero time if
// there is no datagram in progress.
func (r *Reassembler) Deadline() time.Time { return r.e.Deadline() }

// Stats returns the counters.
func (r *Reassembler) Stats() ReassemblyStats {
	s := r.e.Stats()
	return ReassemblyStats{
		ReasmReqds: s.Reqds, ReasmOKs: s.OKs, ReasmFails: s.Fails,
		ReasmTimeout: s.Timeout, ReasmOverlaps: s.Overlaps, ReasmDrops: s.Drops,
		ReasmMalformed: s.Malformed, ReasmDuplicates: s.Duplicates, ReasmDiscards: s.Discards,
		Datagrams: s.Datagrams, Bytes: s.Bytes,
	}
}
