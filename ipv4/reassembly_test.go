package ipv4

import (
	"bytes"
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"sync"
	"testing"
	"time"
)

var reasmT0 = time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)

// pendingCost and fragRecCost are what the engine charges for a datagram's
// record and for a slot of its fragment list.
var (
	pendingCost = NewReassembler(ReassemblyConfig{}).e.RecordCost()
	fragRecCost = NewReassembler(ReassemblyConfig{}).e.FragCost()
)

var (
	optsRA = []byte{0x94, 4, 0, 0} // router alert: copied
	optsRR = append([]byte{byte(OptRR), 39, 4}, make([]byte, 37)...)
	// optsMixed: a copied LSRR between NOPs and a timestamp (not copied),
	// and security (copied).
	optsMixed = []byte{
		1, byte(OptLSRR), 7, 4, 192, 0, 2, 1,
		byte(OptTimestamp), 8, 5, 0, 0, 0, 0, 0,
		byte(OptSecurity), 11, 0, 0, 0, 0, 0, 0, 0, 0, 0,
		1,
	}
)

// testDatagram builds a datagram with a random payload of n bytes.
func testDatagram(rng *rand.Rand, id uint16, n int, opts []byte) []byte {
	f := Fields{TTL: 64, Protocol: ProtoUDP, ID: id, PayloadLen: n, Options: opts,
		Src: Addr{192, 0, 2, 1}, Dst: Addr{198, 51, 100, 2}, TOS: 0x10}
	b := make([]byte, f.HeaderLen()+n)
	if _, err := f.Encode(b); err != nil {
		panic(err)
	}
	for i := f.HeaderLen(); i < len(b); i++ {
		b[i] = byte(rng.Uint32())
	}
	return b
}

// split cuts datagram d at the given payload offsets (multiples of 8,
// increasing) into fragments that each carry d's whole header.
func split(d []byte, cuts ...int) [][]byte {
	h := Header(d)
	hl := h.HeaderLen()
	payload := d[hl:h.TotalLen()]
	bounds := append(append([]int{0}, cuts...), len(payload))
	var frags [][]byte
	for i := 0; i+1 < len(bounds); i++ {
		frags = append(frags, fragOf(d, bounds[i], bounds[i+1], i+2 < len(bounds)))
	}
	return frags
}

// fragOf returns the fragment of d holding payload bytes [from, to).
func fragOf(d []byte, from, to int, mf bool) []byte {
	h := Header(d)
	hl := h.HeaderLen()
	f := make([]byte, hl+to-from)
	copy(f, d[:hl])
	copy(f[hl:], d[hl+from:hl+to])
	fh := Header(f)
	fh.SetTotalLen(uint16(len(f)))
	fl := fh.Flags() &^ FlagMF
	if mf {
		fl |= FlagMF
	}
	fh.SetFlags(fl)
	fh.SetFragOffset(from)
	fh.FillChecksum()
	return f
}

type addResult struct {
	datagram []byte
	done     bool
	err      error
}

func add(r *Reassembler, f []byte, now time.Time) addResult {
	d, done, err := r.Add(Header(f), now)
	return addResult{bytes.Clone(d), done, err}
}

// feed adds the fragments in order and checks that only the last
// completes the datagram, which it returns.
func feed(t *testing.T, r *Reassembler, frags [][]byte, now time.Time) []byte {
	t.Helper()
	for i, f := range frags {
		d, done, err := r.Add(Header(f), now)
		if err != nil {
			t.Fatalf("fragment %d: %v", i, err)
		}
		if done != (i == len(frags)-1) {
			t.Fatalf("fragment %d of %d: done %v", i, len(frags), done)
		}
		if done {
			out := bytes.Clone(d)
			r.Release(d)
			return out
		}
	}
	return nil
}

func checkEmpty(t *testing.T, r *Reassembler) {
	t.Helper()
	if st := r.Stats(); st.Datagrams != 0 || st.Bytes != 0 {
		t.Fatalf("left behind: %d datagrams, %d bytes", st.Datagrams, st.Bytes)
	}
}

func TestReassembleOrders(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	d := testDatagram(rng, 7, 3000, optsMixed)
	frags := split(d, 1024, 2048, 2400)
	for _, tc := range []struct {
		name  string
		order []int
	}{
		{"in order", []int{0, 1, 2, 3}},
		{"reverse", []int{3, 2, 1, 0}},
		{"last first", []int{3, 0, 1, 2}},
		{"first last", []int{1, 2, 3, 0}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := NewReassembler(ReassemblyConfig{})
			var in [][]byte
			for _, i := range tc.order {
				in = append(in, frags[i])
			}
			if got := feed(t, r, in, reasmT0); !bytes.Equal(got, d) {
				t.Fatalf("reassembled datagram differs:\n got % x\nwant % x", got[:40], d[:40])
			}
			checkEmpty(t, r)
			if st := r.Stats(); st.ReasmReqds != 4 || st.ReasmOKs != 1 || st.ReasmFails != 0 {
				t.Fatalf("stats %+v", st)
			}
		})
	}
}

// TestReassembleProperty: random datagrams, cut at random places, fed in a
// random order (with random duplicates), reassemble byte for byte; the
// reassembler is shared by all seeds and ends empty.
func TestReassembleProperty(t *testing.T) {
	r := NewReassembler(ReassemblyConfig{MaxFragments: 1 << 13})
	for seed := range uint64(500) {
		rng := rand.New(rand.NewPCG(seed, 0x5eed))
		opts := [][]byte{nil, optsRA, optsRR, optsMixed}[rng.IntN(4)]
		max := MaxTotalLen - MinHeaderLen - (len(opts)+3)&^3
		n := 9 + rng.IntN(2000)
		if rng.IntN(10) == 0 {
			n = max - rng.IntN(100)
		}
		d := testDatagram(rng, uint16(seed), n, opts)
		var cuts []int
		units := (n - 1) / 8
		ncuts := 1 + rng.IntN(min(units, 60))
		for _, u := range rng.Perm(units)[:ncuts] {
			cuts = append(cuts, (u+1)*8)
		}
		slices.Sort(cuts)
		frags := split(d, cuts...)
		rng.Shuffle(len(frags), func(i, j int) { frags[i], frags[j] = frags[j], frags[i] })
		// Duplicate a few, before the last one.
		for range rng.IntN(3) {
			i := rng.IntN(len(frags) - 1)
			frags = slices.Insert(frags, i+1, frags[i])
		}
		var got []byte
		dups := 0
		for i, f := range frags {
			res := add(r, f, reasmT0)
			switch {
			case res.err == ErrFragmentDuplicate:
				dups++
			case res.err != nil:
				t.Fatalf("seed %d: fragment %d: %v", seed, i, res.err)
			case res.done:
				if i != len(frags)-1 {
					t.Fatalf("seed %d: done at %d of %d", seed, i, len(frags))
				}
				got = res.datagram
			}
		}
		if !bytes.Equal(got, d) {
			t.Fatalf("seed %d: %d-byte datagram in %d fragments: reassembled %d bytes, differ", seed, len(d), len(frags), len(got))
		}
	}
	checkEmpty(t, r)
	if st := r.Stats(); st.ReasmOKs != 500 || st.ReasmFails != 0 {
		t.Fatalf("stats %+v", st)
	}
}

func TestReassembleDuplicate(t *testing.T) {
	r := NewReassembler(ReassemblyConfig{})
	d := testDatagram(rand.New(rand.NewPCG(1, 1)), 1, 100, nil)
	frags := split(d, 48)
	if res := add(r, frags[0], reasmT0); res.err != nil || res.done {
		t.Fatalf("first: %+v", res)
	}
	// A duplicate with other bytes: ignored, the first copy wins.
	dup := bytes.Clone(frags[0])
	dup[30] ^= 0xff
	if res := add(r, dup, reasmT0); res.err != ErrFragmentDuplicate {
		t.Fatalf("duplicate: %+v", res)
	}
	if res := add(r, frags[1], reasmT0); !res.done || !bytes.Equal(res.datagram, d) {
		t.Fatalf("last: %+v", res)
	}
	if st := r.Stats(); st.ReasmDuplicates != 1 || st.ReasmFails != 0 || st.ReasmOKs != 1 {
		t.Fatalf("stats %+v", st)
	}
}

// TestReassembleOverlap: every kind of overlap discards the datagram and
// its later fragments until the timeout; then the key is free again.
func TestReassembleOverlap(t *testing.T) {
	rng := rand.New(rand.NewPCG(2, 2))
	d := testDatagram(rng, 9, 200, nil) // payload [0, 200)
	held := fragOf(d, 64, 128, true)
	for _, tc := range []struct {
		name     string
		from, to int
		mf       bool
	}{
		{"overlaps the start", 32, 72, true},
		{"overlaps the end", 120, 160, true},
		{"contained", 72, 112, true},
		{"containing", 32, 160, true},
		{"same start, shorter", 64, 96, true},
		{"same start, longer", 64, 160, true},
		{"same end, later start", 96, 128, true},
		{"same end, earlier start", 8, 128, true},
		{"last fragment overlapping", 120, 200, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := NewReassembler(ReassemblyConfig{Timeout: 10 * time.Second})
			if res := add(r, held, reasmT0); res.err != nil {
				t.Fatal(res.err)
			}
			if res := add(r, fragOf(d, tc.from, tc.to, tc.mf), reasmT0); res.err != ErrFragmentOverlap {
				t.Fatalf("overlap: %+v", res)
			}
			// The rest of the datagram, which would complete it, is
			// dropped.
			for _, f := range split(d, 64, 128) {
				if res := add(r, f, reasmT0.Add(time.Second)); res.err != ErrDatagramDiscarded {
					t.Fatalf("later fragment: %+v", res)
				}
			}
			st := r.Stats()
			if st.ReasmOverlaps != 1 || st.ReasmFails != 1 || st.ReasmDiscards != 3 || st.Datagrams != 1 {
				t.Fatalf("stats %+v", st)
			}
			called := false
			if next := r.Expire(reasmT0.Add(10*time.Second), func([]byte) { called = true }); !next.IsZero() || called {
				t.Fatalf("Expire: next %v, callback %v", next, called)
			}
			checkEmpty(t, r)
			if st := r.Stats(); st.ReasmTimeout != 0 {
				t.Fatalf("a discarded datagram counted as timed out: %+v", st)
			}
			if got := feed(t, r, split(d, 64, 128), reasmT0.Add(11*time.Second)); !bytes.Equal(got, d) {
				t.Fatal("datagram after expiry differs")
			}
		})
	}
}

func TestReassembleInconsistent(t *testing.T) {
	d := testDatagram(rand.New(rand.NewPCG(3, 3)), 3, 200, nil)
	for _, tc := range []struct {
		name  string
		first []byte
		then  []byte
	}{
		{"two different ends", fragOf(d, 64, 200, false), fragOf(d, 128, 192, false)},
		{"MF fragment past the end", fragOf(d, 64, 128, false), fragOf(d, 128, 192, true)},
		{"MF fragment reaching the end", fragOf(d, 64, 128, false), fragOf(d, 0, 128, true)},
		{"end before data", fragOf(d, 64, 128, true), fragOf(d, 32, 64, false)},
		{"duplicate range, MF cleared", fragOf(d, 64, 128, true), fragOf(d, 64, 128, false)},
		{"duplicate range, MF set", fragOf(d, 64, 128, false), fragOf(d, 64, 128, true)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := NewReassembler(ReassemblyConfig{})
			if res := add(r, tc.first, reasmT0); res.err != nil {
				t.Fatal(res.err)
			}
			if res := add(r, tc.then, reasmT0); res.err != ErrFragmentInconsistent {
				t.Fatalf("got %+v", res)
			}
			if res := add(r, fragOf(d, 0, 64, true), reasmT0); res.err != ErrDatagramDiscarded {
				t.Fatalf("after: %+v", res)
			}
		})
	}
}

func TestReassembleRejects(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 5))
	d := testDatagram(rng, 5, 200, nil)
	notMultiple := fragOf(d, 0, 20, true)
	empty := fragOf(d, 64, 64, true)
	emptyLast := fragOf(d, 64, 64, false)
	notFrag := bytes.Clone(d)
	big := fragOf(d, 0, 16, false)
	Header(big).SetFragOffset(65520) // 65520 + 16 > 65515
	Header(big).FillChecksum()
	fits := fragOf(d, 0, 8, false)
	Header(fits).SetFragOffset(65504) // ends at 65512 ≤ 65515
	Header(fits).FillChecksum()
	short := fragOf(d, 0, 64, true)[:50]
	for _, tc := range []struct {
		name string
		frag []byte
		err  error
	}{
		{"MF payload not a multiple of 8", notMultiple, ErrFragmentLength},
		{"MF payload empty", empty, ErrFragmentLength},
		{"last payload empty", emptyLast, ErrFragmentLength},
		{"not a fragment", notFrag, ErrNotFragment},
		{"beyond 65535 bytes", big, ErrReassemblyTooBig},
		{"truncated", short, ErrTruncated},
		{"tiny", short[:10], ErrTruncated},
		{"up to 65535 bytes", fits, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := NewReassembler(ReassemblyConfig{})
			if res := add(r, tc.frag, reasmT0); res.err != tc.err || res.done {
				t.Fatalf("got %+v, want %v", res, tc.err)
			}
			if tc.err != nil {
				checkEmpty(t, r)
			}
		})
	}
}

// TestReassembleMaxSize: a datagram of exactly 65535 bytes reassembles;
// a first fragment with a longer header that would make it 65536 fails it.
func TestReassembleMaxSize(t *testing.T) {
	rng := rand.New(rand.NewPCG(6, 6))
	d := testDatagram(rng, 6, MaxTotalLen-MinHeaderLen, nil)
	r := NewReassembler(ReassemblyConfig{})
	if got := feed(t, r, split(d, 32768), reasmT0); !bytes.Equal(got, d) {
		t.Fatal("65535-byte datagram differs")
	}
	// The same payload behind a 24-byte first header.
	d24 := testDatagram(rng, 7, 64, optsRA)
	first := fragOf(d24, 0, 64, true)
	rest := fragOf(d, 64, MaxTotalLen-MinHeaderLen, false)
	Header(rest).SetID(7)
	Header(rest).FillChecksum()
	if res := add(r, rest, reasmT0); res.err != nil {
		t.Fatal(res.err)
	}
	if res := add(r, first, reasmT0); res.err != ErrReassemblyTooBig {
		t.Fatalf("got %+v", res)
	}
}

func TestReassembleTimeout(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 7))
	r := NewReassembler(ReassemblyConfig{Timeout: 15 * time.Second})
	withFirst := testDatagram(rng, 1, 300, optsRA)
	withoutFirst := testDatagram(rng, 2, 300, nil)
	add(r, fragOf(withFirst, 0, 104, true), reasmT0)
	add(r, fragOf(withFirst, 208, 300, false), reasmT0.Add(time.Second))
	add(r, fragOf(withoutFirst, 104, 208, true), reasmT0.Add(2*time.Second))
	if d := r.Deadline(); !d.Equal(reasmT0.Add(15 * time.Second)) {
		t.Fatalf("Deadline %v", d)
	}
	var quotes [][]byte
	cb := func(b []byte) { quotes = append(quotes, bytes.Clone(b)) }
	if next := r.Expire(reasmT0.Add(14*time.Second), cb); !next.Equal(reasmT0.Add(15*time.Second)) || len(quotes) != 0 {
		t.Fatalf("early Expire: next %v, %d quotes", next, len(quotes))
	}
	if next := r.Expire(reasmT0.Add(15*time.Second), cb); !next.Equal(reasmT0.Add(17 * time.Second)) {
		t.Fatalf("next %v", next)
	}
	// The first fragment's header as received, and 8 bytes of data.
	want := append(bytes.Clone(fragOf(withFirst, 0, 104, true)[:24]), withFirst[24:32]...)
	if len(quotes) != 1 || !bytes.Equal(quotes[0], want) {
		t.Fatalf("quotes % x\nwant % x", quotes, want)
	}
	if next := r.Expire(reasmT0.Add(20*time.Second), cb); !next.IsZero() || len(quotes) != 1 {
		t.Fatalf("next %v, %d quotes", next, len(quotes))
	}
	checkEmpty(t, r)
	if st := r.Stats(); st.ReasmTimeout != 2 || st.ReasmFails != 2 {
		t.Fatalf("stats %+v", st)
	}
}

// TestReassembleFlood: a flood of first fragments with distinct IDs keeps
// memory under the bound, evicts the oldest, and lets a datagram that
// arrives whole in the middle of it through.
func TestReassembleFlood(t *testing.T) {
	const maxBytes = 64 << 10
	r := NewReassembler(ReassemblyConfig{MaxBytes: maxBytes})
	rng := rand.New(rand.NewPCG(8, 8))
	for i := range 20000 {
		var f []byte
		switch i % 3 {
		case 0: // a tiny fragment
			f = fragOf(testDatagram(rng, uint16(i), 64, nil), 8, 16, true)
		case 1: // a big one
			f = fragOf(testDatagram(rng, uint16(i), 3000, nil), 0, 1480, true)
		case 2: // and its tail, with a different ID
			f = fragOf(testDatagram(rng, uint16(i), 3000, nil), 1480, 3000, false)
		}
		Header(f).SetSrc(Addr{10, byte(i >> 16), byte(i >> 8), byte(i)})
		Header(f).FillChecksum()
		if _, _, err := r.Add(Header(f), reasmT0); err != nil {
			t.Fatalf("fragment %d: %v", i, err)
		}
		if st := r.Stats(); st.Bytes > maxBytes {
			t.Fatalf("fragment %d: %d bytes held", i, st.Bytes)
		}
		if i%1000 == 999 {
			d := testDatagram(rng, 1, 2000, nil)
			if got := feed(t, r, split(d, 1480), reasmT0); !bytes.Equal(got, d) {
				t.Fatal("datagram lost in the flood")
			}
		}
	}
	st := r.Stats()
	if st.ReasmDrops == 0 || st.Datagrams > DefaultReassemblyMaxDatagrams {
		t.Fatalf("stats %+v", st)
	}
	r.Expire(reasmT0.Add(time.Hour), nil)
	checkEmpty(t, r)
}

func TestReassembleMaxDatagrams(t *testing.T) {
	r := NewReassembler(ReassemblyConfig{MaxDatagrams: 3})
	rng := rand.New(rand.NewPCG(9, 9))
	var ds [][]byte
	for i := range 4 {
		ds = append(ds, testDatagram(rng, uint16(i), 100, nil))
		add(r, fragOf(ds[i], 0, 48, true), reasmT0.Add(time.Duration(i)*time.Second))
	}
	if st := r.Stats(); st.Datagrams != 3 || st.ReasmDrops != 1 {
		t.Fatalf("stats %+v", st)
	}
	// The oldest went; its tail starts a new datagram.
	if res := add(r, fragOf(ds[0], 48, 100, false), reasmT0); res.done {
		t.Fatal("evicted datagram completed")
	}
	if res := add(r, fragOf(ds[3], 48, 100, false), reasmT0); !res.done || !bytes.Equal(res.datagram, ds[3]) {
		t.Fatalf("newest: %+v", res)
	}
	if d := r.Deadline(); !d.Equal(reasmT0.Add(2 * time.Second).Add(DefaultReassemblyTimeout)) {
		t.Fatalf("Deadline %v", d)
	}
}

func TestReassembleTooManyFragments(t *testing.T) {
	r := NewReassembler(ReassemblyConfig{MaxFragments: 4})
	d := testDatagram(rand.New(rand.NewPCG(10, 10)), 1, 80, nil)
	frags := split(d, 16, 32, 48, 64)
	for i, f := range frags[:4] {
		if res := add(r, f, reasmT0); res.err != nil {
			t.Fatalf("fragment %d: %v", i, res.err)
		}
	}
	if res := add(r, frags[4], reasmT0); res.err != ErrTooManyFragments {
		t.Fatalf("fifth: %+v", res)
	}
	r2 := NewReassembler(ReassemblyConfig{MaxFragments: 5})
	if got := feed(t, r2, frags, reasmT0); !bytes.Equal(got, d) {
		t.Fatal("differs")
	}
}

// TestReassembleMemoryExact: the bytes counted are the buffers, the
// fragment lists and the records, and all of it is given back.
func TestReassembleMemoryExact(t *testing.T) {
	r := NewReassembler(ReassemblyConfig{})
	d := testDatagram(rand.New(rand.NewPCG(11, 11)), 1, 3000, nil)
	frags := split(d, 1480)
	add(r, frags[0], reasmT0)
	if st, want := r.Stats(), pendingCost+4*fragRecCost+1536; st.Bytes != want {
		t.Fatalf("%d bytes, want %d", st.Bytes, want)
	}
	// A memory bound that leaves no room for a second fragment.
	r = NewReassembler(ReassemblyConfig{MaxBytes: pendingCost + 4*fragRecCost + 1536 + 1000})
	add(r, frags[0], reasmT0)
	if res := add(r, frags[1], reasmT0); res.err != ErrReassemblyMemory {
		t.Fatalf("got %+v", res)
	}
	if res := add(r, frags[0], reasmT0); res.err != ErrDatagramDiscarded {
		t.Fatalf("after: %+v", res)
	}
	if st := r.Stats(); st.ReasmDrops != 1 || st.Bytes != pendingCost+4*fragRecCost {
		t.Fatalf("stats %+v", st)
	}
	// A fragment that could never fit is refused without a record.
	r = NewReassembler(ReassemblyConfig{MaxBytes: 1000})
	if res := add(r, frags[0], reasmT0); res.err != ErrReassemblyMemory {
		t.Fatalf("got %+v", res)
	}
	checkEmpty(t, r)
}

func TestReassembleZeroAllocs(t *testing.T) {
	r := NewReassembler(ReassemblyConfig{})
	d := testDatagram(rand.New(rand.NewPCG(12, 12)), 1, 2000, optsRA)
	frags := split(d, 1472)
	h0, h1 := Header(frags[0]), Header(frags[1])
	cycle := func() {
		r.Add(h0, reasmT0)
		out, done, err := r.Add(h1, reasmT0)
		if !done || err != nil {
			panic(fmt.Sprint(done, err))
		}
		r.Release(out)
	}
	cycle()
	if n := testing.AllocsPerRun(1000, cycle); n != 0 {
		t.Fatalf("%v allocs", n)
	}
	// Timeouts recycle too.
	now := reasmT0
	cycle = func() {
		r.Add(h0, now)
		now = now.Add(time.Minute)
		r.Expire(now, func([]byte) {})
	}
	cycle()
	if n := testing.AllocsPerRun(1000, cycle); n != 0 {
		t.Fatalf("timeouts: %v allocs", n)
	}
	// So do rejected fragments.
	bad := fragOf(d, 0, 20, true)
	if n := testing.AllocsPerRun(1000, func() { r.Add(Header(bad), now) }); n != 0 {
		t.Fatalf("rejects: %v allocs", n)
	}
}

func TestReassembleConcurrent(t *testing.T) {
	r := NewReassembler(ReassemblyConfig{MaxBytes: 256 << 10, Timeout: time.Second})
	var wg sync.WaitGroup
	for g := range 4 {
		wg.Go(func() {
			rng := rand.New(rand.NewPCG(uint64(g), 99))
			now := reasmT0
			for i := range 2000 {
				d := testDatagram(rng, uint16(i), 100+rng.IntN(4000), nil)
				Header(d).SetSrc(Addr{10, 0, 0, byte(g)})
				Header(d).FillChecksum()
				n := len(d) - MinHeaderLen
				frags := split(d, min(1480, (n-1)&^7))
				rng.Shuffle(len(frags), func(i, j int) { frags[i], frags[j] = frags[j], frags[i] })
				if rng.IntN(10) == 0 {
					frags = frags[1:]
				}
				for _, f := range frags {
					out, done, err := r.Add(Header(f), now)
					if err != nil && !errors.Is(err, ErrDatagramDiscarded) {
						t.Error(err)
						return
					}
					if done {
						if !bytes.Equal(out, d) {
							t.Error("differs")
						}
						r.Release(out)
					}
				}
				now = now.Add(time.Millisecond)
				if i%100 == 0 {
					r.Expire(now, func([]byte) {})
					r.Stats()
				}
			}
		})
	}
	wg.Wait()
	if st := r.Stats(); st.Bytes > 256<<10 {
		t.Fatalf("stats %+v", st)
	}
}

func BenchmarkReassemble2(b *testing.B) {
	r := NewReassembler(ReassemblyConfig{})
	d := testDatagram(rand.New(rand.NewPCG(13, 13)), 1, 2000, nil)
	frags := split(d, 1480)
	h0, h1 := Header(frags[0]), Header(frags[1])
	b.SetBytes(int64(len(d)))
	b.ReportAllocs()
	for b.Loop() {
		r.Add(h0, reasmT0)
		out, done, _ := r.Add(h1, reasmT0)
		if !done {
			b.Fatal("not done")
		}
		r.Release(out)
	}
}
