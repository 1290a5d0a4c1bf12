// Package reasm is the fragment reassembly engine that ipv4 and ipv6 share:
// the table of datagrams in progress, each one's sorted list of fragments
// and the checks a fragment makes against it, the memory bound and the
// eviction that keeps it, the timeouts, the pooled buffers and the
// counters. A family supplies the key that identifies a datagram, reads a
// fragment's offset, length and more-fragments flag, keeps the headers of
// the fragment at offset 0 (Head) and rebuilds the datagram's header when
// it completes; the rules it has of its own (IPv6's atomic fragments and
// incomplete first fragments) it applies before the engine sees the
// fragment, under the engine's lock.
//
// Each datagram keeps its fragments in a list sorted by offset, each
// fragment's data copied into a pooled buffer; a fragment is checked
// against its two neighbours in the list, so a datagram of k fragments
// costs O(k log k) comparisons and O(k²) word moves at worst, with k
// bounded by MaxFragments. When the fragments cover the datagram from 0 to
// the end the last fragment gave, they are copied behind the first
// fragment's headers into one buffer.
//
// Any overlap discards the whole datagram (RFC 5722, applied to IPv4 too,
// as Linux does), and its later fragments are dropped until its timeout,
// so that no one can assemble different bytes for different observers. An
// exact duplicate (same offset, same length, consistent more flag) is
// ignored. A last fragment that disagrees with the length already known,
// or a fragment past that length, discards the datagram too.
//
// Memory is bounded by MaxBytes, counted exactly: the capacity of every
// buffer, the fragment lists, and a fixed cost per datagram (the size of
// its record), so that a flood of tiny fragments is charged for the
// bookkeeping it causes. When a fragment would exceed the bound, or a new
// datagram would exceed MaxDatagrams, the oldest datagrams in progress are
// dropped to make room: an attacker must keep flooding to keep others'
// datagrams from completing, rather than fill the table once and block
// reassembly for a whole timeout, which refusing new fragments would
// allow. Free buffers are kept for reuse (internal/bufpool) up to a
// quarter of MaxBytes.
package reasm

import (
	"sync"
	"time"
	"unsafe"

	"github.com/medina-net/medina/internal/bufpool"
)

// Config bounds an engine. Its fields are those of ipv4's and ipv6's
// ReassemblyConfig, in the same order, so that either converts to it.
type Config struct {
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

// Fill gives each zero or negative field of c the value def has.
func (c *Config) Fill(def Config) {
	if c.Timeout <= 0 {
		c.Timeout = def.Timeout
	}
	if c.MaxBytes <= 0 {
		c.MaxBytes = def.MaxBytes
	}
	if c.MaxDatagrams <= 0 {
		c.MaxDatagrams = def.MaxDatagrams
	}
	if c.MaxFragments <= 0 {
		c.MaxFragments = def.MaxFragments
	}
}

// Errors are the family's sentinels the engine returns, each as it is
// (unwrapped), so that a flood of bad fragments does not allocate.
type Errors struct {
	Length       error // no data, or more set and data not a multiple of 8
	TooBig       error // beyond MaxLen
	Overlap      error // overlaps a fragment held (RFC 5722)
	Duplicate    error // an exact duplicate, ignored
	Inconsistent error // disagrees with the length a last fragment gave
	TooMany      error // MaxFragments already held
	Memory       error // does not fit in MaxBytes
	Discarded    error // of a datagram discarded earlier
}

// Params are what a family fixes of its engine, beyond the Config.
type Params struct {
	// Defaults fill the Config's zero fields.
	Defaults Config
	// MaxLen bounds a datagram: the fragment's Prefix plus its End, and
	// the reassembled datagram's length, may not exceed it.
	MaxLen int
	// KeepFrags is the largest fragment list a recycled record keeps,
	// beyond the initial one (0 keeps only lists that never grew). The
	// charge for a new datagram's list assumes the largest kept.
	KeepFrags int
	// QuoteLen is the size of the quote Expire hands out, and QuoteData
	// how much of the first fragment's data it may hold behind the
	// headers.
	QuoteLen, QuoteData int
	// PooledHead says that Head.Keep takes memory from the pool, which
	// Head.Free gives back; without it, the headers live in the record.
	PooledHead bool
	// Errors are returned for the engine's own reasons.
	Errors Errors
}

// Frag is one fragment, as the family read it.
type Frag struct {
	// Off and End are where the data goes in the datagram's fragmentable
	// part: [Off, End). End < Off is a fragment of negative length.
	Off, End int
	// More is the more-fragments flag.
	More bool
	// Data is the fragment's data, End-Off bytes (when that is
	// positive).
	Data []byte
	// Prefix is how many bytes of header the datagram would carry before
	// the fragmentable part, were this its first fragment: with End, what
	// MaxLen bounds.
	Prefix int
	// Head is what a fragment at offset 0 gives its Head to keep, with
	// Mark, a value of the family's about it; HeadCost is the memory that
	// keeping it takes (beyond the record).
	Head     []byte
	Mark     int
	HeadCost int
}

// Head keeps the headers of a datagram's fragment at offset 0 in the
// record, its zero value empty. A family implements it on a pointer to
// its own type, which the record holds in place.
type Head[H any] interface {
	*H
	// Keep takes the headers of the fragment at offset 0 (copies them,
	// from a pool buffer if it needs one) and returns the memory it took
	// from the pool, the fragment's HeadCost.
	Keep(head []byte, mark int, pool *bufpool.Pool) (mem int)
	// Free gives back what Keep took and returns its memory. It is
	// called only where Params.PooledHead says Keep takes any.
	Free(pool *bufpool.Pool) (mem int)
	// Bytes is the headers kept as received, empty before Keep: what
	// Expire quotes, and how it tells that the first fragment came.
	Bytes() []byte
	// Prefix is how many bytes of header go in front of the reassembled
	// datagram.
	Prefix() int
	// Build writes the reassembled datagram's header in the first Prefix
	// bytes of out, which holds the data behind them.
	Build(out []byte)
}

// Stats are the engine's counters, named as ipv4's and ipv6's
// ReassemblyStats name them without their Reasm prefix (RFC 4293), and
// two gauges.
type Stats struct {
	Reqds      uint64 // fragments taken (Take)
	OKs        uint64 // datagrams reassembled
	Fails      uint64 // datagrams given up and fragments refused on their own
	Timeout    uint64 // datagrams timed out
	Overlaps   uint64 // datagrams discarded for an overlap
	Drops      uint64 // datagrams dropped, fragments refused, for a bound
	Malformed  uint64 // fragments refused for their length
	Duplicates uint64 // exact duplicates ignored
	Discards   uint64 // fragments of a datagram discarded earlier

	Datagrams int // datagrams in progress, discarded ones remembered included
	Bytes     int // memory counted against MaxBytes
}

// frag is one fragment held: data bytes [off, end) of the datagram.
type frag struct {
	off, end int
	buf      []byte
}

// record is a datagram in progress.
type record[K comparable, H any] struct {
	key        K
	deadline   time.Time
	prev, next *record[K, H] // in order of creation, which is deadline order

	frags []frag // sorted by offset, never overlapping
	total int    // fragmentable length given by the last fragment, -1 until then
	size  int    // data bytes held
	mem   int    // memory counted against MaxBytes
	dead  bool   // discarded; later fragments are dropped

	head H // the headers of the fragment at offset 0
}

// fragCost is what a slot of a fragment list costs.
const fragCost = int(unsafe.Sizeof(frag{}))

// keepRecords bounds the recycled records.
const keepRecords = 64

// Engine reassembles the datagrams of one family, keyed by K, the headers
// of their first fragments kept in an H. Create it with New. It never
// reads the clock and starts no timer. Its methods named Locked, and Take
// and Insert, are called with Lock held; the others take it themselves.
type Engine[K comparable, H any, PH Head[H]] struct {
	cfg        Config
	par        Params
	recordCost int // RecordCost, which a generic function computes at run time

	mu         sync.Mutex
	table      map[K]*record[K, H]
	head, tail *record[K, H] // oldest and newest
	mem        int
	stats      Stats
	pool       bufpool.Pool
	free       []*record[K, H]

	// expireMu serializes Expire, which owns these.
	expireMu sync.Mutex
	expired  []*record[K, H]
	quote    []byte
}

// New returns an empty engine bounded by cfg, whose zero fields take
// par's defaults.
func New[K comparable, H any, PH Head[H]](cfg Config, par Params) *Engine[K, H, PH] {
	cfg.Fill(par.Defaults)
	e := &Engine[K, H, PH]{
		cfg:   cfg,
		par:   par,
		table: make(map[K]*record[K, H]),
		quote: make([]byte, par.QuoteLen),
	}
	e.recordCost = int(unsafe.Sizeof(record[K, H]{}))
	e.pool.SetMaxFree(cfg.MaxBytes / 4)
	return e
}

// RecordCost is what a datagram's record costs, beyond its fragment list
// and buffers.
func (e *Engine[K, H, PH]) RecordCost() int { return e.recordCost }

// FragCost is what a slot of a fragment list costs.
func (e *Engine[K, H, PH]) FragCost() int { return fragCost }

// Config returns the configuration in effect, defaults filled in.
func (e *Engine[K, H, PH]) Config() Config { return e.cfg }

// Lock takes the engine's lock, which also guards whatever counters the
// family keeps beside the engine's.
func (e *Engine[K, H, PH]) Lock() { e.mu.Lock() }

// Unlock releases the lock Lock took.
func (e *Engine[K, H, PH]) Unlock() { e.mu.Unlock() }

// StatsLocked returns the counters.
func (e *Engine[K, H, PH]) StatsLocked() Stats {
	s := e.stats
	s.Datagrams = len(e.table)
	s.Bytes = e.mem
	return s
}

// Stats returns the counters.
func (e *Engine[K, H, PH]) Stats() Stats {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.StatsLocked()
}

// Release gives back a datagram Insert returned. Release(nil) does
// nothing.
func (e *Engine[K, H, PH]) Release(datagram []byte) {
	if datagram == nil {
		return
	}
	e.mu.Lock()
	e.pool.Put(datagram)
	e.mu.Unlock()
}
