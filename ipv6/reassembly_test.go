package ipv6

import (
	"bytes"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/medina-net/medina/ipv4"
)

var reasmT0 = time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)

// pendingCost and fragRecCost are what the engine charges for a datagram's
// record and for a slot of its fragment list.
var (
	pendingCost = NewReassembler(ReassemblyConfig{}).e.RecordCost()
	fragRecCost = NewReassembler(ReassemblyConfig{}).e.FragCost()
)

// reasmPacket builds a packet with the given extension headers (before
// the UDP payload) and n random bytes of UDP payload.
func reasmPacket(rng *rand.Rand, first ipv4.Protocol, heads [][]byte, n int) Header {
	body := make([]byte, n)
	for i := range body {
		body[i] = byte(rng.Uint32())
	}
	h := packet(first, -1, append(heads, body)...)
	h.SetSrc(Addr{0x20, 0x01, 0x0d, 0xb8, 15: 1})
	h.SetDst(Addr{0x20, 0x01, 0x0d, 0xb8, 15: 2})
	return h
}

// fragments splits p with Fragment for mtu, each fragment a copy.
func fragments(t *testing.T, p Header, mtu int, id uint32) [][]byte {
	t.Helper()
	var out [][]byte
	err := Fragment(p, mtu, id, make([]byte, mtu), func(f []byte) error {
		out = append(out, bytes.Clone(f))
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// craft builds a fragment of a packet from 2001:db8::1 to 2001:db8::2:
// the fixed header naming a fragment header (off, more, id, next), then
// data.
func craft(id uint32, off int, more bool, next ipv4.Protocol, data []byte) Header {
	h := reasmPacket(rand.New(rand.NewPCG(0, 0)), ipv4.ProtoFragment, [][]byte{frag(next, off, more, id), data}, 0)
	return h
}

func add(t *testing.T, r *Reassembler, f []byte) ([]byte, bool, error) {
	t.Helper()
	h, err := NewHeader(f)
	if err != nil || h.Check() != nil {
		t.Fatalf("bad test fragment: %v", err)
	}
	return r.Add(h, reasmT0)
}

// TestReassembleRoundTrip fragments packets with Fragment and puts them
// back together in several orders: the result is the packet, byte for
// byte, with its unfragmentable headers.
func TestReassembleRoundTrip(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	rt := make([]byte, 24)
	EncodeRouting(rt, ipv4.ProtoUDP, RoutingSourceRoute, 0, Addr{0x20, 0x01, 0x0d, 0xb8, 15: 9})
	for _, c := range []struct {
		name  string
		first ipv4.Protocol
		heads [][]byte
	}{
		{"bare", ipv4.ProtoUDP, nil},
		{"hop-by-hop", ipv4.ProtoHopOpts, [][]byte{ext(ipv4.ProtoUDP, 8)}},
		{"hop-by-hop, routing", ipv4.ProtoHopOpts, [][]byte{ext(ipv4.ProtoRouting, 8), rt}},
		{"dstopts in the fragmentable part", ipv4.ProtoDstOpts, [][]byte{ext(ipv4.ProtoUDP, 16)}},
	} {
		for _, n := range []int{1300, 3000, 65000} {
			p := reasmPacket(rng, c.first, c.heads, n)
			frags := fragments(t, p, 1280, 77)
			if len(frags) < 2 {
				t.Fatalf("%s: %d bytes in %d fragments", c.name, n, len(frags))
			}
			for order := range 3 {
				r := NewReassembler(ReassemblyConfig{})
				idx := make([]int, len(frags))
				for i := range idx {
					idx[i] = i
				}
				switch order {
				case 1:
					for i, j := 0, len(idx)-1; i < j; i, j = i+1, j-1 {
						idx[i], idx[j] = idx[j], idx[i]
					}
				case 2:
					rng.Shuffle(len(idx), func(i, j int) { idx[i], idx[j] = idx[j], idx[i] })
				}
				var got []byte
				for k, i := range idx {
					out, done, err := add(t, r, frags[i])
					if err != nil || done != (k == len(idx)-1) {
						t.Fatalf("%s %d order %d: fragment %d: done %v err %v", c.name, n, order, i, done, err)
					}
					got = out
				}
				if !bytes.Equal(got, p) {
					t.Fatalf("%s %d order %d: reassembled packet differs", c.name, n, order)
				}
				r.Release(got)
				if st := r.Stats(); st.ReasmOKs != 1 || st.ReasmReqds != uint64(len(frags)) || st.Datagrams != 0 || st.Bytes != 0 {
					t.Fatalf("%s: stats %+v", c.name, st)
				}
			}
		}
	}
}

// TestReassembleNextHeaderOfFirst: only the offset-0 fragment's next
// header value counts (RFC 8200 4.5), and its unfragmentable part.
func TestReassembleNextHeaderOfFirst(t *testing.T) {
	r := NewReassembler(ReassemblyConfig{})
	data := bytes.Repeat([]byte{7}, 16)
	if _, done, err := add(t, r, craft(5, 16, false, ipv4.ProtoTCP, data)); done || err != nil {
		t.Fatal(done, err)
	}
	out, done, err := add(t, r, craft(5, 0, true, ipv4.ProtoUDP, data))
	if !done || err != nil {
		t.Fatal(done, err)
	}
	h := Header(out)
	if h.NextHeader() != ipv4.ProtoUDP || int(h.PayloadLen()) != 32 || len(out) != 72 || !bytes.Equal(h.Payload(), append(data, data...)) {
		t.Fatalf("reassembled % x", out)
	}
}

func TestReassembleAtomic(t *testing.T) {
	r := NewReassembler(ReassemblyConfig{})
	data := make([]byte, 16)
	// A fragment with ID 9 in progress, then an atomic fragment with the
	// same ID: processed on its own, the reassembly left alone.
	if _, _, err := add(t, r, craft(9, 0, true, ipv4.ProtoUDP, data)); err != nil {
		t.Fatal(err)
	}
	if _, done, err := add(t, r, craft(9, 0, false, ipv4.ProtoUDP, data)); done || err != ErrAtomicFragment {
		t.Fatalf("atomic: done %v err %v", done, err)
	}
	out, done, err := add(t, r, craft(9, 16, false, ipv4.ProtoUDP, data))
	if !done || err != nil || len(out) != 40+32 {
		t.Fatalf("after the atomic fragment: done %v err %v", done, err)
	}
	if st := r.Stats(); st.ReasmAtomic != 1 || st.ReasmReqds != 2 || st.ReasmOKs != 1 || st.ReasmFails != 0 {
		t.Fatalf("stats %+v", st)
	}
}

// TestReassembleOverlap: any overlap discards the whole packet and the
// fragments that follow (RFC 5722), whatever the order; an exact
// duplicate does not.
func TestReassembleOverlap(t *testing.T) {
	d8, d16, d24 := make([]byte, 8), make([]byte, 16), make([]byte, 24)
	for _, c := range []struct {
		name string
		a, b Header
	}{
		{"same start, longer", craft(1, 0, true, 17, d8), craft(1, 0, true, 17, d16)},
		{"inside", craft(1, 0, true, 17, d24), craft(1, 8, true, 17, d8)},
		{"straddles", craft(1, 8, true, 17, d16), craft(1, 16, true, 17, d16)},
		{"before", craft(1, 16, true, 17, d16), craft(1, 8, true, 17, d16)},
	} {
		r := NewReassembler(ReassemblyConfig{})
		if _, _, err := add(t, r, c.a); err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		if _, _, err := add(t, r, c.b); err != ErrFragmentOverlap {
			t.Fatalf("%s: %v, want overlap", c.name, err)
		}
		// The rest of the packet, which would complete it, is dropped.
		if _, done, err := add(t, r, craft(1, 40, false, 17, d8)); done || err != ErrDatagramDiscarded {
			t.Fatalf("%s: after overlap: done %v %v", c.name, done, err)
		}
		st := r.Stats()
		if st.ReasmOverlaps != 1 || st.ReasmFails != 1 || st.ReasmDiscards != 1 || st.Bytes > pendingCost+4*fragRecCost {
			t.Fatalf("%s: stats %+v", c.name, st)
		}
		r.Expire(reasmT0.Add(time.Minute), func([]byte) { t.Fatal("time exceeded for a discarded packet") })
		if st := r.Stats(); st.Datagrams != 0 || st.Bytes != 0 || st.ReasmTimeout != 0 {
			t.Fatalf("%s: after expiry %+v", c.name, st)
		}
	}

	r := NewReassembler(ReassemblyConfig{})
	add(t, r, craft(2, 0, true, 17, d8))
	if _, _, err := add(t, r, craft(2, 0, true, 17, d8)); err != ErrFragmentDuplicate {
		t.Fatalf("duplicate: %v", err)
	}
	if _, done, err := add(t, r, craft(2, 8, false, 17, d8)); !done || err != nil {
		t.Fatalf("after a duplicate: %v %v", done, err)
	}
}

func TestReassembleRejects(t *testing.T) {
	d8 := make([]byte, 8)
	for _, c := range []struct {
		name string
		f    Header
		want error
	}{
		{"not a fragment", reasmPacket(rand.New(rand.NewPCG(0, 0)), ipv4.ProtoUDP, nil, 8), ErrNotFragment},
		{"empty", craft(1, 8, true, 17, nil), ErrFragmentLength},
		{"not a multiple of 8", craft(1, 8, true, 17, make([]byte, 12)), ErrFragmentLength},
		{"past 65535", craft(1, 65528, false, 17, make([]byte, 16)), ErrReassemblyTooBig},
		// RFC 7112: a first fragment whose chain goes on beyond it.
		{"chain past the first fragment", craft(1, 0, true, ipv4.ProtoDstOpts, append([]byte{17, 2}, make([]byte, 6)...)), ErrIncompleteChain},
		{"upper-layer header in a later fragment", craft(1, 0, true, ipv4.ProtoDstOpts, ext(ipv4.ProtoUDP, 8)), ErrIncompleteChain},
		{"no next header is complete", craft(1, 0, true, ipv4.ProtoNoNext, d8), nil},
	} {
		r := NewReassembler(ReassemblyConfig{})
		_, done, err := add(t, r, c.f)
		if done || err != c.want {
			t.Errorf("%s: done %v err %v, want %v", c.name, done, err, c.want)
		}
	}
	r := NewReassembler(ReassemblyConfig{})
	add(t, r, craft(1, 0, true, ipv4.ProtoDstOpts, ext(ipv4.ProtoUDP, 8)))
	if st := r.Stats(); st.ReasmIncompleteChain != 1 || st.ReasmFails != 1 || st.Datagrams != 0 {
		t.Fatalf("stats %+v", st)
	}
}

func TestReassembleInconsistent(t *testing.T) {
	d8, d16 := make([]byte, 8), make([]byte, 16)
	for _, c := range []struct {
		name string
		a, b Header
	}{
		{"two last fragments", craft(3, 16, false, 17, d8), craft(3, 32, false, 17, d8)},
		{"data past the end", craft(3, 16, false, 17, d8), craft(3, 24, true, 17, d16)},
		{"last before data held", craft(3, 32, true, 17, d8), craft(3, 8, false, 17, d8)},
		{"same range, M differs", craft(3, 8, true, 17, d8), craft(3, 8, false, 17, d8)},
	} {
		r := NewReassembler(ReassemblyConfig{})
		add(t, r, c.a)
		if _, _, err := add(t, r, c.b); err != ErrFragmentInconsistent {
			t.Errorf("%s: %v", c.name, err)
		}
	}
}

// TestReassembleTinyFragments: a packet cut in 8-byte pieces stops at
// MaxFragments, discarded, its memory given back.
func TestReassembleTinyFragments(t *testing.T) {
	r := NewReassembler(ReassemblyConfig{})
	d8 := make([]byte, 8)
	var err error
	i := 0
	for ; i < 1000 && err == nil; i++ {
		_, _, err = add(t, r, craft(4, 8*(i+1), true, 17, d8))
	}
	if err != ErrTooManyFragments || i != DefaultReassemblyMaxFragments+1 {
		t.Fatalf("after %d fragments: %v", i, err)
	}
	st := r.Stats()
	if st.ReasmDrops != 1 || st.ReasmFails != 1 || st.Bytes > pendingCost+DefaultReassemblyMaxFragments*fragRecCost {
		t.Fatalf("stats %+v", st)
	}
}

// TestReassembleMemory: many packets in progress stay within MaxBytes and
// MaxDatagrams, the oldest giving way.
func TestReassembleMemory(t *testing.T) {
	cfg := ReassemblyConfig{MaxBytes: 64 << 10, MaxDatagrams: 16}
	r := NewReassembler(cfg)
	d := make([]byte, 1200)
	for id := range uint32(500) {
		add(t, r, craft(id, 0, true, 17, d))
		if st := r.Stats(); st.Bytes > cfg.MaxBytes || st.Datagrams > cfg.MaxDatagrams {
			t.Fatalf("packet %d: %+v", id, st)
		}
	}
	st := r.Stats()
	if st.ReasmDrops == 0 || st.Datagrams == 0 {
		t.Fatalf("stats %+v", st)
	}
	// The newest packet can still complete.
	if _, done, err := add(t, r, craft(499, 1200, false, 17, make([]byte, 8))); !done || err != nil {
		t.Fatalf("newest: %v %v", done, err)
	}
}

// TestReassembleTimeout: after Timeout the packet goes; the quote is the
// first fragment as received, for ICMPv6 time exceeded, only if it came.
func TestReassembleTimeout(t *testing.T) {
	r := NewReassembler(ReassemblyConfig{})
	first := craft(6, 0, true, 17, bytes.Repeat([]byte{1}, 2000))
	add(t, r, first)
	add(t, r, craft(7, 8, true, 17, make([]byte, 8))) // no first fragment
	if d := r.Deadline(); !d.Equal(reasmT0.Add(DefaultReassemblyTimeout)) {
		t.Fatalf("deadline %v", d)
	}
	var quotes [][]byte
	next := r.Expire(reasmT0.Add(59*time.Second), func(q []byte) { quotes = append(quotes, bytes.Clone(q)) })
	if len(quotes) != 0 || next.IsZero() {
		t.Fatal("expired early")
	}
	next = r.Expire(reasmT0.Add(60*time.Second), func(q []byte) { quotes = append(quotes, bytes.Clone(q)) })
	if len(quotes) != 1 || !next.IsZero() {
		t.Fatalf("%d quotes, next %v", len(quotes), next)
	}
	if q := quotes[0]; len(q) != MinMTU-HeaderLen-8 || !bytes.Equal(q, first[:len(q)]) {
		t.Fatalf("quote of %d bytes: % x", len(q), q[:48])
	}
	if st := r.Stats(); st.ReasmTimeout != 2 || st.ReasmFails != 2 || st.Datagrams != 0 || st.Bytes != 0 {
		t.Fatalf("stats %+v", st)
	}
}

func TestReassembleAllocs(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	frags := fragments(t, reasmPacket(rng, ipv4.ProtoUDP, nil, 3000), 1280, 1)
	r := NewReassembler(ReassemblyConfig{})
	run := func() {
		for _, f := range frags {
			out, done, err := r.Add(Header(f), reasmT0)
			if err != nil {
				t.Fatal(err)
			}
			if done {
				r.Release(out)
			}
		}
	}
	run() // warm the pool
	if n := testing.AllocsPerRun(100, run); n != 0 {
		t.Fatalf("%v allocs per packet", n)
	}
}

func BenchmarkReassemble(b *testing.B) {
	rng := rand.New(rand.NewPCG(3, 4))
	p := reasmPacket(rng, ipv4.ProtoUDP, nil, 8000)
	var frags [][]byte
	Fragment(p, 1500, 1, make([]byte, 1500), func(f []byte) error { frags = append(frags, bytes.Clone(f)); return nil })
	r := NewReassembler(ReassemblyConfig{})
	b.ReportAllocs()
	b.SetBytes(int64(len(p)))
	for b.Loop() {
		for _, f := range frags {
			out, done, err := r.Add(Header(f), reasmT0)
			if err != nil {
				b.Fatal(err)
			}
			if done {
				r.Release(out)
			}
		}
	}
}

// TestReassembleLongUnfragmentablePart: a first fragment whose headers
// before its data are longer than the largest pool buffer (64 KiB), which
// a legal packet can have (32 destination options headers), reassembles
// like any other rather than losing its headers.
func TestReassembleLongUnfragmentablePart(t *testing.T) {
	var heads [][]byte
	for i := range 32 {
		n, next := 2048, ipv4.ProtoDstOpts
		if i == 31 {
			n, next = 2024, ipv4.ProtoFragment
		}
		heads = append(heads, ext(next, n))
	}
	data := []byte{1, 2, 3, 4, 5, 6, 7, 8}
	first := reasmPacket(rand.New(rand.NewPCG(0, 0)), ipv4.ProtoDstOpts, append(heads, frag(ipv4.ProtoNoNext, 0, true, 5), data), 0)
	r := NewReassembler(ReassemblyConfig{})
	if _, done, err := add(t, r, first); done || err != nil {
		t.Fatalf("first: done %v, %v", done, err)
	}
	out, done, err := add(t, r, craft(5, 8, false, ipv4.ProtoNoNext, data))
	if !done || err != nil {
		t.Fatalf("last: done %v, %v", done, err)
	}
	unfrag := len(first) - FragmentHeaderLen - len(data)
	want := append(append(append([]byte{}, first[:unfrag]...), data...), data...)
	want[unfrag-2024] = byte(ipv4.ProtoNoNext) // the last header names what the fragment header did
	Header(want).SetPayloadLen(uint16(len(want) - HeaderLen))
	if !bytes.Equal(out, want) {
		t.Fatalf("reassembled %d bytes, want %d", len(out), len(want))
	}
	r.Release(out)
	if st := r.Stats(); st.Datagrams != 0 || st.Bytes != 0 || st.ReasmOKs != 1 {
		t.Fatalf("stats %+v", st)
	}
}
