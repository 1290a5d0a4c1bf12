package reasm

import (
	"bytes"
	"errors"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/medina-net/medina/internal/bufpool"
)

// A family for the tests: datagrams keyed by a number, whose first
// fragment's headers are kept in a pool buffer (pooledHead) or in the
// record (inlineHead), and rebuilt with the mark in their first byte.

type pooledHead struct {
	b    []byte
	mark int
}

func (h *pooledHead) Keep(head []byte, mark int, pool *bufpool.Pool) int {
	h.b = pool.Get(len(head))
	copy(h.b, head)
	h.mark = mark
	return cap(h.b)
}

func (h *pooledHead) Free(pool *bufpool.Pool) int {
	if h.b == nil {
		return 0
	}
	n := cap(h.b)
	pool.Put(h.b)
	h.b = nil
	return n
}

func (h *pooledHead) Bytes() []byte { return h.b }
func (h *pooledHead) Prefix() int   { return len(h.b) }
func (h *pooledHead) Build(out []byte) {
	copy(out, h.b)
	out[0] = byte(h.mark)
}

type inlineHead struct {
	n int
	b [8]byte
}

func (h *inlineHead) Keep(head []byte, _ int, _ *bufpool.Pool) int {
	h.n = copy(h.b[:], head)
	return 0
}
func (h *inlineHead) Free(*bufpool.Pool) int { panic("Free of a head that took no memory") }
func (h *inlineHead) Bytes() []byte          { return h.b[:h.n] }
func (h *inlineHead) Prefix() int            { return h.n }
func (h *inlineHead) Build(out []byte)       { copy(out, h.b[:h.n]) }

var (
	errLength       = errors.New("length")
	errTooBig       = errors.New("too big")
	errOverlap      = errors.New("overlap")
	errDuplicate    = errors.New("duplicate")
	errInconsistent = errors.New("inconsistent")
	errTooMany      = errors.New("too many")
	errMemory       = errors.New("memory")
	errDiscarded    = errors.New("discarded")
)

var t0 = time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)

func testParams() Params {
	return Params{
		Defaults:   Config{Timeout: 10 * time.Second, MaxBytes: 1 << 20, MaxDatagrams: 64, MaxFragments: 32},
		MaxLen:     4096,
		KeepFrags:  8,
		QuoteLen:   64,
		QuoteData:  8,
		PooledHead: true,
		Errors: Errors{
			Length: errLength, TooBig: errTooBig, Overlap: errOverlap, Duplicate: errDuplicate,
			Inconsistent: errInconsistent, TooMany: errTooMany, Memory: errMemory, Discarded: errDiscarded,
		},
	}
}

type engine = Engine[uint32, pooledHead, *pooledHead]

func newEngine(cfg Config) *engine {
	return New[uint32, pooledHead](cfg, testParams())
}

// header is the 4-byte header every test datagram has.
var header = []byte{0xee, 1, 2, 3}

// payload is the fragmentable part of test datagram id, n bytes.
func payload(id uint32, n int) []byte {
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(int(id)*7 + i*13)
	}
	return b
}

// fragOf is the fragment of datagram id (of n bytes) holding [off, end).
func fragOf(id uint32, n, off, end int) Frag {
	return Frag{
		Off: off, End: end, More: end < n, Data: payload(id, n)[off:end],
		Prefix: len(header), Head: header, Mark: 0x45, HeadCost: bufpool.Size(len(header)),
	}
}

func addFrag(e *engine, id uint32, f Frag, now time.Time) ([]byte, bool, error) {
	return e.Add(&id, &f, now)
}

// want is the datagram the test family reassembles from payload(id, n).
func want(id uint32, n int) []byte {
	return append([]byte{0x45, 1, 2, 3}, payload(id, n)...)
}

func checkEmpty(t *testing.T, e *engine) {
	t.Helper()
	if st := e.Stats(); st.Datagrams != 0 || st.Bytes != 0 {
		t.Fatalf("left behind: %+v", st)
	}
}

func TestConfigFill(t *testing.T) {
	def := Config{Timeout: time.Second, MaxBytes: 2, MaxDatagrams: 3, MaxFragments: 4}
	c := Config{Timeout: -1, MaxBytes: 20, MaxDatagrams: 0, MaxFragments: -5}
	c.Fill(def)
	if c != (Config{Timeout: time.Second, MaxBytes: 20, MaxDatagrams: 3, MaxFragments: 4}) {
		t.Fatalf("%+v", c)
	}
	if got := newEngine(Config{MaxFragments: 7}).Config(); got.MaxFragments != 7 || got.Timeout != 10*time.Second {
		t.Fatalf("engine config %+v", got)
	}
}

// TestIntervals: whatever the order the pieces of a datagram come in,
// the datagram completes with the last one, byte for byte, and the list
// stays sorted.
func TestIntervals(t *testing.T) {
	const n = 200
	cuts := []int{0, 16, 40, 64, 72, 128, 160, n}
	rng := rand.New(rand.NewPCG(1, 1))
	for round := range 50 {
		order := rng.Perm(len(cuts) - 1)
		e := newEngine(Config{})
		for k, i := range order {
			out, done, err := addFrag(e, 9, fragOf(9, n, cuts[i], cuts[i+1]), t0)
			if err != nil || done != (k == len(order)-1) {
				t.Fatalf("round %d, piece %d (%d of %v): done %v, %v", round, i, k, order, done, err)
			}
			if !done {
				p := e.table[9]
				for j := 1; j < len(p.frags); j++ {
					if p.frags[j-1].end > p.frags[j].off {
						t.Fatalf("list out of order: %+v", p.frags)
					}
				}
				continue
			}
			if !bytes.Equal(out, want(9, n)) {
				t.Fatalf("round %d: % x", round, out)
			}
			e.Release(out)
		}
		checkEmpty(t, e)
		if st := e.Stats(); st.OKs != 1 || st.Reqds != uint64(len(order)) || st.Fails != 0 {
			t.Fatalf("stats %+v", st)
		}
	}
}

func TestSearch(t *testing.T) {
	p := &record[uint32, pooledHead]{frags: []frag{{off: 0, end: 8}, {off: 16, end: 24}, {off: 40, end: 48}}}
	for off, want := range map[int]int{0: 0, 1: 1, 8: 1, 16: 1, 17: 2, 40: 2, 41: 3, 100: 3} {
		if got := p.search(off); got != want {
			t.Errorf("search(%d) = %d, want %d", off, got, want)
		}
	}
}

// TestChecks: each way a second fragment can disagree with the first, and
// what happens to the datagram.
func TestChecks(t *testing.T) {
	type fr struct {
		off, end int
		more     bool
	}
	for _, c := range []struct {
		name    string
		a, b    fr
		err     error
		discard bool // the datagram is given up
	}{
		{"duplicate", fr{8, 16, true}, fr{8, 16, true}, errDuplicate, false},
		{"duplicate last", fr{8, 16, false}, fr{8, 16, false}, errDuplicate, false},
		{"same range, more differs", fr{8, 16, true}, fr{8, 16, false}, errInconsistent, true},
		{"inside", fr{0, 24, true}, fr{8, 16, true}, errOverlap, true},
		{"straddles the start", fr{8, 24, true}, fr{0, 16, true}, errOverlap, true},
		{"straddles the end", fr{8, 24, true}, fr{16, 32, true}, errOverlap, true},
		{"same start, longer", fr{8, 16, true}, fr{8, 24, true}, errOverlap, true},
		{"two last fragments", fr{16, 24, false}, fr{32, 40, false}, errInconsistent, true},
		{"data past the end", fr{16, 24, false}, fr{24, 32, true}, errInconsistent, true},
		{"last before data held", fr{32, 40, true}, fr{8, 16, false}, errInconsistent, true},
		{"adjacent", fr{8, 16, true}, fr{16, 24, true}, nil, false},
	} {
		e := newEngine(Config{})
		mk := func(f fr) Frag {
			return Frag{Off: f.off, End: f.end, More: f.more, Data: make([]byte, f.end-f.off), Prefix: 4, Head: header}
		}
		if _, _, err := addFrag(e, 1, mk(c.a), t0); err != nil {
			t.Fatalf("%s: first: %v", c.name, err)
		}
		if _, _, err := addFrag(e, 1, mk(c.b), t0); err != c.err {
			t.Fatalf("%s: %v, want %v", c.name, err, c.err)
		}
		st := e.Stats()
		if st.Datagrams != 1 || (st.Fails == 1) != c.discard || (st.Overlaps == 1) != (c.err == errOverlap) ||
			(st.Duplicates == 1) != (c.err == errDuplicate) {
			t.Fatalf("%s: stats %+v", c.name, st)
		}
		// A discarded datagram holds its record only, and drops what
		// follows.
		_, _, err := addFrag(e, 1, mk(fr{0, 8, true}), t0)
		if c.discard {
			if err != errDiscarded || e.Stats().Discards != 1 || e.Stats().Bytes != e.RecordCost()+4*fragCost {
				t.Fatalf("%s: after: %v, %+v", c.name, err, e.Stats())
			}
		} else if err != nil {
			t.Fatalf("%s: after: %v", c.name, err)
		}
		e.Expire(t0.Add(time.Hour), nil)
		checkEmpty(t, e)
	}
}

func TestTake(t *testing.T) {
	e := newEngine(Config{})
	for _, c := range []struct {
		name string
		f    Frag
		err  error
	}{
		{"empty", Frag{Off: 8, End: 8, More: true}, errLength},
		{"negative", Frag{Off: 8, End: 0}, errLength},
		{"not a multiple of 8", Frag{Off: 8, End: 20, More: true}, errLength},
		{"last of any length", Frag{Off: 8, End: 13}, nil},
		{"within MaxLen", Frag{Off: 0, End: 4088, More: true, Prefix: 4}, nil},
		{"past MaxLen", Frag{Off: 4088, End: 4096, Prefix: 4}, errTooBig},
		{"to MaxLen", Frag{Off: 4088, End: 4092, Prefix: 4}, nil},
	} {
		if err := e.Take(&c.f); err != c.err {
			t.Errorf("%s: %v, want %v", c.name, err, c.err)
		}
	}
	if st := e.Stats(); st.Reqds != 7 || st.Malformed != 4 || st.Fails != 4 {
		t.Fatalf("stats %+v", st)
	}
	e.Refuse()
	if st := e.Stats(); st.Fails != 5 || st.Malformed != 4 {
		t.Fatalf("Refuse: %+v", st)
	}
}

// TestTooBigOnCompletion: a first fragment whose headers push the
// datagram past MaxLen, when the rest came first, gives the datagram up.
func TestTooBigOnCompletion(t *testing.T) {
	e := newEngine(Config{})
	addFrag(e, 1, Frag{Off: 8, End: 4090, Prefix: 4, Data: make([]byte, 4082)}, t0)
	big := make([]byte, 16)
	_, done, err := addFrag(e, 1, Frag{Off: 0, End: 8, More: true, Prefix: 16, Head: big, Data: make([]byte, 8)}, t0)
	if done || err != errTooBig {
		t.Fatalf("done %v, %v", done, err)
	}
	if st := e.Stats(); st.Malformed != 1 || st.Fails != 1 || st.Bytes != e.RecordCost()+4*fragCost {
		t.Fatalf("stats %+v", st)
	}
}

// TestMemoryExact: the bytes counted are the record, its list, the
// buffers and the pooled head, and all of it is given back.
func TestMemoryExact(t *testing.T) {
	e := newEngine(Config{})
	const n = 3000
	addFrag(e, 1, fragOf(1, n, 0, 1480), t0)
	base := e.RecordCost() + 4*fragCost
	if got, want := e.Stats().Bytes, base+bufpool.Size(1480)+bufpool.Size(len(header)); got != want {
		t.Fatalf("%d bytes, want %d", got, want)
	}
	out, done, _ := addFrag(e, 1, fragOf(1, n, 1480, n), t0)
	if !done || !bytes.Equal(out, want(1, n)) {
		t.Fatal("not reassembled")
	}
	e.Release(out)
	checkEmpty(t, e)

	// A list that grows is charged for its new slots.
	e = newEngine(Config{})
	for i := range 5 {
		addFrag(e, 1, fragOf(1, 400, 8*i, 8*i+8), t0)
	}
	if got, want := e.Stats().Bytes, e.RecordCost()+8*fragCost+5*bufpool.Size(8)+bufpool.Size(len(header)); got != want {
		t.Fatalf("grown: %d bytes, want %d", got, want)
	}
	e.Expire(t0.Add(time.Hour), nil)
	checkEmpty(t, e)

	// Inline heads cost nothing beyond the record.
	par := testParams()
	par.PooledHead = false
	ei := New[uint32, inlineHead](Config{}, par)
	id, f := uint32(1), fragOf(1, n, 0, 1480)
	ei.Add(&id, &f, t0)
	if got, want := ei.Stats().Bytes, ei.RecordCost()+4*fragCost+bufpool.Size(1480); got != want {
		t.Fatalf("inline: %d bytes, want %d", got, want)
	}
	f = fragOf(1, n, 1480, n)
	if out, done, _ := ei.Add(&id, &f, t0); !done || !bytes.Equal(out[4:], payload(1, n)) || !bytes.Equal(out[:4], header) {
		t.Fatal("inline: not reassembled")
	}
}

// TestMemoryCap: a fragment that does not fit gives up its own datagram
// when older ones cannot make room, and is refused without a record when
// nothing could.
func TestMemoryCap(t *testing.T) {
	const n = 3000
	first := func() int {
		return newEngine(Config{}).RecordCost() + 4*fragCost + bufpool.Size(1480) + bufpool.Size(len(header))
	}()
	e := newEngine(Config{MaxBytes: first + 1000})
	addFrag(e, 1, fragOf(1, n, 0, 1480), t0)
	if _, _, err := addFrag(e, 1, fragOf(1, n, 1480, n), t0); err != errMemory {
		t.Fatalf("second: %v", err)
	}
	if _, _, err := addFrag(e, 1, fragOf(1, n, 0, 1480), t0); err != errDiscarded {
		t.Fatalf("after: %v", err)
	}
	if st := e.Stats(); st.Drops != 1 || st.Fails != 1 || st.Datagrams != 1 {
		t.Fatalf("stats %+v", st)
	}

	// A new datagram needs room for its record with a list of
	// KeepFrags, the buffer and the head, to the byte.
	need := e.RecordCost() + 8*fragCost + bufpool.Size(1480) + bufpool.Size(len(header))
	for _, limit := range []int{need - 1, need} {
		e = newEngine(Config{MaxBytes: limit})
		if _, _, err := addFrag(e, 1, fragOf(1, n, 0, 1480), t0); (err == nil) != (limit == need) {
			t.Fatalf("MaxBytes %d, need %d: %v", limit, need, err)
		}
	}

	e = newEngine(Config{MaxBytes: 1000})
	if _, _, err := addFrag(e, 1, fragOf(1, n, 0, 1480), t0); err != errMemory {
		t.Fatalf("never fits: %v", err)
	}
	checkEmpty(t, e)
	if st := e.Stats(); st.Drops != 1 || st.Fails != 1 {
		t.Fatalf("stats %+v", st)
	}
}

// TestEvictOldest: when a new fragment does not fit, the oldest
// datagrams go first, and the newest complete.
func TestEvictOldest(t *testing.T) {
	const n = 1000
	one := newEngine(Config{}).RecordCost() + 8*fragCost + bufpool.Size(512) + bufpool.Size(len(header))
	// Room for three datagrams in progress; a record is charged for a
	// list of KeepFrags (8) while it is new.
	e := newEngine(Config{MaxBytes: 3*one + 100})
	for id := range uint32(5) {
		if _, _, err := addFrag(e, id, fragOf(id, n, 0, 512), t0.Add(time.Duration(id)*time.Second)); err != nil {
			t.Fatalf("datagram %d: %v", id, err)
		}
		if st := e.Stats(); st.Bytes > 3*one+100 {
			t.Fatalf("datagram %d: %d bytes", id, st.Bytes)
		}
	}
	if st := e.Stats(); st.Datagrams != 3 || st.Drops != 2 || st.Fails != 2 {
		t.Fatalf("stats %+v", st)
	}
	// 0 and 1 went: their tails start new datagrams (evicting 2 and 3).
	if _, done, _ := addFrag(e, 0, fragOf(0, n, 512, n), t0); done {
		t.Fatal("evicted datagram completed")
	}
	if out, done, _ := addFrag(e, 4, fragOf(4, n, 512, n), t0); !done || !bytes.Equal(out, want(4, n)) {
		t.Fatal("newest did not complete")
	}
	if d := e.Deadline(); !d.Equal(t0.Add(3 * time.Second).Add(10 * time.Second)) {
		t.Fatalf("Deadline %v", d)
	}
}

func TestMaxDatagrams(t *testing.T) {
	e := newEngine(Config{MaxDatagrams: 3})
	for id := range uint32(4) {
		addFrag(e, id, fragOf(id, 100, 0, 48), t0.Add(time.Duration(id)*time.Second))
	}
	if st := e.Stats(); st.Datagrams != 3 || st.Drops != 1 {
		t.Fatalf("stats %+v", st)
	}
	if _, ok := e.table[0]; ok {
		t.Fatal("the oldest stayed")
	}
	// A discarded datagram still counts, and goes without a drop.
	e = newEngine(Config{MaxDatagrams: 2})
	addFrag(e, 1, fragOf(1, 100, 0, 48), t0)
	addFrag(e, 1, fragOf(1, 100, 8, 56), t0) // overlap
	addFrag(e, 2, fragOf(2, 100, 0, 48), t0)
	addFrag(e, 3, fragOf(3, 100, 0, 48), t0)
	if st := e.Stats(); st.Datagrams != 2 || st.Drops != 0 || st.Fails != 1 {
		t.Fatalf("dead evicted: %+v", st)
	}
}

func TestMaxFragments(t *testing.T) {
	e := newEngine(Config{MaxFragments: 4})
	for i := range 4 {
		if _, _, err := addFrag(e, 1, fragOf(1, 80, 16*i, 16*i+16), t0); err != nil {
			t.Fatalf("fragment %d: %v", i, err)
		}
	}
	if _, _, err := addFrag(e, 1, fragOf(1, 80, 64, 80), t0); err != errTooMany {
		t.Fatalf("fifth: %v", err)
	}
	if st := e.Stats(); st.Drops != 1 || st.Fails != 1 {
		t.Fatalf("stats %+v", st)
	}
}

// TestExpire: datagrams time out oldest first; those whose first
// fragment came are quoted (headers and QuoteData bytes of data), the
// others and the discarded ones are not.
func TestExpire(t *testing.T) {
	e := newEngine(Config{Timeout: 15 * time.Second})
	addFrag(e, 1, fragOf(1, 100, 48, 100), t0)                  // no first fragment
	addFrag(e, 2, fragOf(2, 100, 0, 48), t0.Add(time.Second))   // first fragment
	addFrag(e, 3, fragOf(3, 100, 0, 48), t0.Add(2*time.Second)) // discarded:
	addFrag(e, 3, fragOf(3, 100, 40, 56), t0.Add(2*time.Second))
	addFrag(e, 4, fragOf(4, 100, 0, 48), t0.Add(3*time.Second))
	if d := e.Deadline(); !d.Equal(t0.Add(15 * time.Second)) {
		t.Fatalf("Deadline %v", d)
	}
	var quotes [][]byte
	cb := func(q []byte) { quotes = append(quotes, bytes.Clone(q)) }
	if next := e.Expire(t0.Add(14*time.Second), cb); !next.Equal(t0.Add(15*time.Second)) || len(quotes) != 0 {
		t.Fatalf("early: next %v, %d quotes", next, len(quotes))
	}
	if next := e.Expire(t0.Add(17*time.Second), cb); !next.Equal(t0.Add(18 * time.Second)) {
		t.Fatalf("next %v", next)
	}
	wantQuote := append(append([]byte{}, header...), payload(2, 100)[:8]...)
	if len(quotes) != 1 || !bytes.Equal(quotes[0], wantQuote) {
		t.Fatalf("quotes % x, want % x", quotes, wantQuote)
	}
	if st := e.Stats(); st.Timeout != 2 || st.Datagrams != 1 {
		t.Fatalf("stats %+v", st)
	}
	if next := e.Expire(t0.Add(time.Minute), nil); !next.IsZero() {
		t.Fatalf("next %v", next)
	}
	checkEmpty(t, e)
	if st := e.Stats(); st.Timeout != 3 || st.Fails != 4 {
		t.Fatalf("stats %+v", st)
	}
	if !e.Deadline().IsZero() {
		t.Fatal("Deadline of an empty engine")
	}
}

// TestQuoteCut: the quote stops at QuoteLen.
func TestQuoteCut(t *testing.T) {
	par := testParams()
	par.QuoteLen, par.QuoteData = 10, 1000
	e := New[uint32, pooledHead](Config{}, par)
	id, f := uint32(1), fragOf(1, 100, 0, 48)
	e.Add(&id, &f, t0)
	var got []byte
	e.Expire(t0.Add(time.Hour), func(q []byte) { got = bytes.Clone(q) })
	if want := append(append([]byte{}, header...), payload(1, 100)[:6]...); !bytes.Equal(got, want) {
		t.Fatalf("quote % x, want % x", got, want)
	}
}

// TestRecycle: records come back with their lists up to KeepFrags, and a
// cycle costs no allocation.
func TestRecycle(t *testing.T) {
	e := newEngine(Config{})
	for i := range 6 { // grows the list to 8
		addFrag(e, 1, fragOf(1, 48, 8*i, 8*i+8), t0)
	}
	if len(e.free) != 1 || cap(e.free[0].frags) != 8 {
		t.Fatalf("kept %d records", len(e.free))
	}
	for i := range 20 { // to 32, beyond KeepFrags
		addFrag(e, 2, fragOf(2, 160, 8*i, 8*i+8), t0)
	}
	if len(e.free) != 1 || e.free[0].frags != nil {
		t.Fatalf("a grown list was kept: %d records", len(e.free))
	}
	checkEmpty(t, e)

	a, b := fragOf(3, 2000, 0, 1480), fragOf(3, 2000, 1480, 2000)
	id := uint32(3)
	cycle := func() {
		e.Add(&id, &a, t0)
		out, done, err := e.Add(&id, &b, t0)
		if !done || err != nil {
			t.Fatal(done, err)
		}
		e.Release(out)
	}
	cycle()
	if n := testing.AllocsPerRun(100, cycle); n != 0 {
		t.Fatalf("%v allocs", n)
	}
}

// TestRandomBounds: random fragments of a few datagrams, random time:
// the bounds hold at every step, and everything is given back.
func TestRandomBounds(t *testing.T) {
	cfg := Config{Timeout: 5 * time.Second, MaxBytes: 3 << 10, MaxDatagrams: 2, MaxFragments: 8}
	e := newEngine(cfg)
	rng := rand.New(rand.NewPCG(7, 7))
	now := t0
	for i := range 20000 {
		now = now.Add(time.Duration(rng.IntN(100)) * time.Millisecond)
		if rng.IntN(50) == 0 {
			e.Expire(now, func([]byte) {})
		}
		id := uint32(rng.IntN(3))
		// Mostly 64-byte blocks, which complete datagrams; now and then
		// a piece of any length, which overlaps them.
		off := 64 * rng.IntN(8)
		end := off + 64
		if rng.IntN(10) == 0 {
			off = 8 * rng.IntN(64)
			end = min(off+8*(1+rng.IntN(32)), 512)
		}
		f := fragOf(id, 512, off, end)
		out, done, err := e.Add(&id, &f, now)
		if done {
			if !bytes.Equal(out, want(id, 512)) {
				t.Fatalf("step %d: datagram %d differs", i, id)
			}
			e.Release(out)
		} else if out != nil || err != nil && !errors.Is(err, errOverlap) && !errors.Is(err, errDuplicate) &&
			!errors.Is(err, errInconsistent) && !errors.Is(err, errTooMany) && !errors.Is(err, errDiscarded) &&
			!errors.Is(err, errMemory) {
			t.Fatalf("step %d: %v", i, err)
		}
		if st := e.Stats(); st.Bytes > cfg.MaxBytes || st.Datagrams > cfg.MaxDatagrams || (st.Datagrams == 0) != (st.Bytes == 0) {
			t.Fatalf("step %d: %+v", i, st)
		}
	}
	e.Expire(now.Add(time.Hour), nil)
	checkEmpty(t, e)
	if st := e.Stats(); st.OKs == 0 || st.Overlaps == 0 || st.Drops == 0 || st.Timeout == 0 {
		t.Fatalf("a path not taken: %+v", st)
	}
}
