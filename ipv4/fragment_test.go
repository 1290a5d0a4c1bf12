package ipv4

import (
	"bytes"
	"errors"
	"io"
	"math/rand/v2"
	"testing"
)

// fragments runs Fragment and returns copies of what it emits.
func fragments(t testing.TB, d []byte, mtu int) [][]byte {
	t.Helper()
	var out [][]byte
	err := Fragment(d, mtu, make([]byte, mtu), func(f []byte) error {
		out = append(out, bytes.Clone(f))
		return nil
	})
	if err != nil {
		t.Fatalf("Fragment(%d bytes, mtu %d): %v", len(d), mtu, err)
	}
	return out
}

// copiedOnly returns the options of opts whose copied bit is set.
func copiedOnly(t testing.TB, opts []byte) []byte {
	var b []byte
	it := NewOptionIter(opts)
	for {
		o, err := it.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		if o.Kind.Copied() {
			b = append(b, o.Bytes...)
		}
	}
	for len(b)%4 != 0 {
		b = append(b, 0)
	}
	return b
}

// checkFragments checks what RFC 791 asks of each fragment of d.
func checkFragments(t *testing.T, d []byte, mtu int, frags [][]byte) {
	t.Helper()
	dh := Header(d)
	hl := dh.HeaderLen()
	later := copiedOnly(t, dh.Options())
	pos := dh.FragOffset()
	for i, f := range frags {
		h := Header(f)
		if err := h.Check(); err != nil {
			t.Fatalf("fragment %d: %v", i, err)
		}
		last := i == len(frags)-1
		n := len(h.Payload())
		switch {
		case len(f) > mtu:
			t.Fatalf("fragment %d: %d bytes > mtu %d", i, len(f), mtu)
		case !last && n%8 != 0:
			t.Fatalf("fragment %d: payload %d", i, n)
		case h.FragOffset() != pos:
			t.Fatalf("fragment %d: offset %d, want %d", i, h.FragOffset(), pos)
		case h.MF() != (!last || dh.MF()):
			t.Fatalf("fragment %d: MF %v", i, h.MF())
		case h.DF() || h.ID() != dh.ID() || h.Src() != dh.Src() || h.Dst() != dh.Dst() ||
			h.Protocol() != dh.Protocol() || h.TTL() != dh.TTL() || h.TOS() != dh.TOS():
			t.Fatalf("fragment %d: header fields changed: % x", i, f[:20])
		case !bytes.Equal(h.Payload(), d[hl+pos-dh.FragOffset():][:n]):
			t.Fatalf("fragment %d: payload differs", i)
		}
		if i == 0 {
			if !bytes.Equal(h.Options(), dh.Options()) {
				t.Fatalf("first fragment options % x, want % x", h.Options(), dh.Options())
			}
		} else if !bytes.Equal(h.Options(), later) {
			t.Fatalf("fragment %d options % x, want % x", i, h.Options(), later)
		}
		// Fragments are as large as the MTU allows.
		if !last && len(f)+8 <= mtu {
			t.Fatalf("fragment %d: %d bytes, mtu %d", i, len(f), mtu)
		}
		pos += n
	}
	if pos != dh.FragOffset()+len(dh.Payload()) {
		t.Fatalf("fragments cover %d bytes of %d", pos, len(dh.Payload()))
	}
}

func TestFragmentOptions(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 1))
	d := testDatagram(rng, 1, 1000, optsMixed)
	frags := fragments(t, d, 300)
	checkFragments(t, d, 300, frags)
	// LSRR and security are copied, NOPs and the timestamp are not.
	want := []byte{byte(OptLSRR), 7, 4, 192, 0, 2, 1,
		byte(OptSecurity), 11, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0}
	if got := Header(frags[1]).Options(); !bytes.Equal(got, want) {
		t.Fatalf("later options % x\nwant % x", got, want)
	}
	// Only non-copied options: later fragments have none.
	d = testDatagram(rng, 2, 1000, optsRR)
	frags = fragments(t, d, 576)
	checkFragments(t, d, 576, frags)
	if hl := Header(frags[1]).HeaderLen(); hl != MinHeaderLen {
		t.Fatalf("later header length %d", hl)
	}
}

// TestFragmentRoundTrip: random datagrams, options and MTUs, fragmented
// and reassembled in a random order, come back byte for byte.
func TestFragmentRoundTrip(t *testing.T) {
	r := NewReassembler(ReassemblyConfig{MaxFragments: 1 << 13})
	for seed := range uint64(300) {
		rng := rand.New(rand.NewPCG(seed, 0xf7a6))
		opts := [][]byte{nil, optsRA, optsRR, optsMixed}[rng.IntN(4)]
		n := 1 + rng.IntN(9000)
		if rng.IntN(20) == 0 {
			n = MaxTotalLen - MinHeaderLen - (len(opts)+3)&^3
		}
		d := testDatagram(rng, uint16(seed), n, opts)
		mtu := MinFragmentMTU + rng.IntN(1500)
		if rng.IntN(4) == 0 {
			mtu = []int{576, 1280, 1500, 9000}[rng.IntN(4)]
		}
		frags := fragments(t, d, mtu)
		if len(d) <= mtu {
			if len(frags) != 1 || !bytes.Equal(frags[0], d) {
				t.Fatalf("seed %d: a datagram that fits changed", seed)
			}
			continue
		}
		checkFragments(t, d, mtu, frags)
		rng.Shuffle(len(frags), func(i, j int) { frags[i], frags[j] = frags[j], frags[i] })
		if got := feed(t, r, frags, reasmT0); !bytes.Equal(got, d) {
			t.Fatalf("seed %d: %d bytes, mtu %d, %d fragments: reassembled datagram differs", seed, len(d), mtu, len(frags))
		}
	}
	checkEmpty(t, r)
}

// TestFragmentFragment: a fragment split further keeps its offsets and,
// on its last piece, its MF flag.
func TestFragmentFragment(t *testing.T) {
	rng := rand.New(rand.NewPCG(2, 2))
	d := testDatagram(rng, 3, 4000, optsRA)
	r := NewReassembler(ReassemblyConfig{})
	var all [][]byte
	for _, f := range fragments(t, d, 1500) {
		sub := fragments(t, f, 576)
		checkFragments(t, f, 576, sub)
		all = append(all, sub...)
	}
	rng.Shuffle(len(all), func(i, j int) { all[i], all[j] = all[j], all[i] })
	if got := feed(t, r, all, reasmT0); !bytes.Equal(got, d) {
		t.Fatal("differs")
	}
}

func TestFragmentErrors(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 3))
	d := testDatagram(rng, 4, 2000, nil)
	df := bytes.Clone(d)
	Header(df).SetFlags(FlagDF)
	Header(df).FillChecksum()
	badOpts := testDatagram(rng, 5, 2000, []byte{byte(OptLSRR), 9, 4, 0})
	emitErr := errors.New("link down")
	for _, tc := range []struct {
		name    string
		d       []byte
		mtu     int
		scratch int
		err     error
	}{
		{"DF", df, 1500, 1500, ErrDontFragment},
		{"MTU 67", d, 67, 1500, ErrMTUTooSmall},
		{"short scratch", d, 1500, 1000, ErrTruncated},
		{"short datagram", d[:1000], 1500, 1500, ErrTruncated},
		{"tiny datagram", d[:10], 1500, 1500, ErrTruncated},
		{"bad options", badOpts, 1500, 1500, ErrBadOptionLength},
	} {
		t.Run(tc.name, func(t *testing.T) {
			emitted := 0
			err := Fragment(tc.d, tc.mtu, make([]byte, tc.scratch), func([]byte) error { emitted++; return nil })
			if !errors.Is(err, tc.err) || emitted != 0 {
				t.Fatalf("err %v (want %v), %d emitted", err, tc.err, emitted)
			}
		})
	}
	// DF that fits is sent as it is.
	if frags := fragments(t, df, 2100); len(frags) != 1 {
		t.Fatal("DF datagram that fits")
	}
	// An error from emit stops it.
	emitted := 0
	err := Fragment(d, 576, make([]byte, 576), func([]byte) error {
		emitted++
		if emitted == 2 {
			return emitErr
		}
		return nil
	})
	if err != emitErr || emitted != 2 {
		t.Fatalf("err %v, %d emitted", err, emitted)
	}
	// At the smallest MTU, with the largest header.
	big := testDatagram(rng, 6, 200, optsRR)
	checkFragments(t, big, MinFragmentMTU, fragments(t, big, MinFragmentMTU))
}

func TestFragmentZeroAllocs(t *testing.T) {
	d := testDatagram(rand.New(rand.NewPCG(4, 4)), 1, 8980, optsMixed)
	scratch := make([]byte, 1500)
	emit := func([]byte) error { return nil }
	if n := testing.AllocsPerRun(100, func() { Fragment(d, 1500, scratch, emit) }); n != 0 {
		t.Fatalf("%v allocs", n)
	}
	Header(d).SetFlags(FlagDF)
	if n := testing.AllocsPerRun(100, func() { Fragment(d, 1500, scratch, emit) }); n != 0 {
		t.Fatalf("DF: %v allocs", n)
	}
}

func BenchmarkFragment(b *testing.B) {
	d := testDatagram(rand.New(rand.NewPCG(5, 5)), 1, 9000-MinHeaderLen, nil)
	scratch := make([]byte, 1500)
	var n int
	emit := func(f []byte) error { n += len(f); return nil }
	b.SetBytes(int64(len(d)))
	b.ReportAllocs()
	for b.Loop() {
		if err := Fragment(d, 1500, scratch, emit); err != nil {
			b.Fatal(err)
		}
	}
}
