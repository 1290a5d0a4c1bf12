package ipv6

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"
	"time"

	"github.com/medina-net/medina/ipv4"
)

// reasmModel is a reference reassembler: the same rules as Reassembler,
// written the obvious way (every fragment compared with every other, the
// packet assembled in a fresh slice), without memory bounds. With bounds
// too large to reach, Reassembler must agree with it on every result.
type reasmModel struct {
	timeout      time.Duration
	maxFragments int
	order        []*modelPkt
	byKey        map[reasmKey]*modelPkt
}

type modelFrag struct {
	off, end int
	data     []byte
}

type modelPkt struct {
	key     reasmKey
	created time.Time
	frags   []modelFrag
	total   int
	first   []byte // unfragmentable part and fragment header of the offset-0 fragment
	nextAt  int
	dead    bool
}

func newReasmModel(timeout time.Duration, maxFragments int) *reasmModel {
	return &reasmModel{timeout: timeout, maxFragments: maxFragments, byKey: map[reasmKey]*modelPkt{}}
}

func (m *reasmModel) add(b []byte, now time.Time) ([]byte, error) {
	h := Header(b)
	f, fOff, namedAt, ok := fragmentOf(h)
	if !ok {
		return nil, ErrNotFragment
	}
	if f.Offset() == 0 && !f.More() {
		return nil, ErrAtomicFragment
	}
	data := b[fOff+FragmentHeaderLen:]
	off, mf := f.Offset(), f.More()
	end := off + len(data)
	if len(data) == 0 || mf && len(data)%8 != 0 {
		return nil, ErrFragmentLength
	}
	if fOff-HeaderLen+end > MaxPayloadLen {
		return nil, ErrReassemblyTooBig
	}
	if off == 0 && !chainComplete(h) {
		return nil, ErrIncompleteChain
	}
	key := reasmKey{h.Src(), h.Dst(), f.ID()}
	d := m.byKey[key]
	if d == nil {
		d = &modelPkt{key: key, created: now, total: -1}
		m.byKey[key] = d
		m.order = append(m.order, d)
	}
	if d.dead {
		return nil, ErrDatagramDiscarded
	}
	fail := func(err error) ([]byte, error) {
		d.dead = true
		d.frags = nil
		d.first = nil
		return nil, err
	}
	for _, g := range d.frags {
		if g.off == off && g.end == end {
			if mf == (end == d.total) {
				return fail(ErrFragmentInconsistent)
			}
			return nil, ErrFragmentDuplicate
		}
	}
	if !mf && d.total >= 0 && end != d.total || mf && d.total >= 0 && end >= d.total {
		return fail(ErrFragmentInconsistent)
	}
	for _, g := range d.frags {
		if !mf && g.end > end {
			return fail(ErrFragmentInconsistent)
		}
	}
	for _, g := range d.frags {
		if off < g.end && g.off < end {
			return fail(ErrFragmentOverlap)
		}
	}
	if len(d.frags) >= m.maxFragments {
		return fail(ErrTooManyFragments)
	}
	d.frags = append(d.frags, modelFrag{off, end, bytes.Clone(data)})
	if !mf {
		d.total = end
	}
	if off == 0 {
		d.first = bytes.Clone(b[:fOff+FragmentHeaderLen])
		d.nextAt = namedAt
	}
	size := 0
	for _, g := range d.frags {
		size += g.end - g.off
	}
	if size != d.total {
		return nil, nil
	}
	unfrag := len(d.first) - FragmentHeaderLen
	if unfrag-HeaderLen+d.total > MaxPayloadLen {
		return fail(ErrReassemblyTooBig)
	}
	out := append(bytes.Clone(d.first[:unfrag]), make([]byte, d.total)...)
	out[d.nextAt] = d.first[unfrag]
	for _, g := range d.frags {
		copy(out[unfrag+g.off:], g.data)
	}
	Header(out).SetPayloadLen(uint16(len(out) - HeaderLen))
	m.drop(d)
	return out, nil
}

func (m *reasmModel) drop(d *modelPkt) {
	delete(m.byKey, d.key)
	m.order = slices.DeleteFunc(m.order, func(e *modelPkt) bool { return e == d })
}

// expire returns the quotes Expire should report.
func (m *reasmModel) expire(now time.Time) [][]byte {
	var quotes [][]byte
	for len(m.order) > 0 && !now.Before(m.order[0].created.Add(m.timeout)) {
		d := m.order[0]
		m.drop(d)
		if d.dead || d.first == nil {
			continue
		}
		for _, g := range d.frags {
			if g.off == 0 {
				q := append(bytes.Clone(d.first), g.data...)
				quotes = append(quotes, q[:min(len(q), maxQuote)])
			}
		}
	}
	return quotes
}

var reasmErrors = []error{ErrNotFragment, ErrAtomicFragment, ErrFragmentLength, ErrReassemblyTooBig, ErrFragmentOverlap,
	ErrFragmentDuplicate, ErrFragmentInconsistent, ErrTooManyFragments, ErrReassemblyMemory, ErrDatagramDiscarded,
	ErrIncompleteChain}

// fuzzPayload returns byte pos of packet id's fragmentable part in
// version v: fragments of different versions carry different bytes.
func fuzzPayload(id uint32, v, pos int) byte {
	return byte(pos) ^ byte(pos>>8)*3 ^ byte(id)*31 ^ byte(v)*101
}

// FuzzReassembly feeds arbitrary sequences of fragments (four bytes each:
// which packet and unfragmentable headers, flags and version, offset,
// length; or the passing of time) to two reassemblers and a reference
// model. The one whose bounds are out of reach must agree with the model
// on every result: the error, the reassembled packet byte for byte, and
// the quotes of timed-out packets. The one with tight bounds must keep
// its memory under them, and whatever it reassembles must be well formed
// and made of the bytes that were sent. Neither may panic.
func FuzzReassembly(f *testing.F) {
	f.Add([]byte{0, 1, 0, 4, 0, 0, 4, 4})                   // two fragments, in order
	f.Add([]byte{0, 0, 4, 4, 0, 1, 0, 4})                   // reversed
	f.Add([]byte{0, 1, 0, 4, 0, 1, 2, 4, 0, 0, 4, 4})       // overlap
	f.Add([]byte{0, 1, 0, 4, 0, 1, 0, 4, 0, 0, 4, 4})       // duplicate
	f.Add([]byte{8, 1, 0, 4, 1, 3, 0, 4, 7, 15, 0, 0})      // two packets, timeout
	f.Add([]byte{16, 0x19, 0, 255, 16, 0x18, 255, 16})      // large
	f.Add([]byte{24, 0x21, 0, 13, 24, 0, 1, 1, 7, 0, 0, 0}) // odd length
	f.Add([]byte{0, 0, 0, 4})                               // atomic
	f.Add([]byte{0, 0x41, 0, 1, 0, 0x40, 1, 1})             // first fragment with a destination options header
	f.Fuzz(fuzzReassembly)
}

func fuzzReassembly(t *testing.T, in []byte) {
	const timeout = 10 * time.Second
	const maxFrags = 16
	big := NewReassembler(ReassemblyConfig{Timeout: timeout, MaxBytes: 1 << 30, MaxFragments: maxFrags})
	smallCfg := ReassemblyConfig{Timeout: timeout, MaxBytes: 8 << 10, MaxDatagrams: 3, MaxFragments: maxFrags}
	small := NewReassembler(smallCfg)
	model := newReasmModel(timeout, maxFrags)
	now := reasmT0
	// The unfragmentable parts: none, a hop-by-hop header, and hop-by-hop
	// then routing (segments left 0).
	rt := make([]byte, 24)
	EncodeRouting(rt, ipv4.ProtoFragment, RoutingSourceRoute, 0, Addr{0x20, 0x01, 15: 3})
	unfrags := [][]byte{nil, ext(ipv4.ProtoFragment, 8), append(ext(ipv4.ProtoRouting, 8), rt...), ext(ipv4.ProtoFragment, 16)}
	firsts := []ipv4.Protocol{ipv4.ProtoFragment, ipv4.ProtoHopOpts, ipv4.ProtoHopOpts, ipv4.ProtoHopOpts}
	buf := make([]byte, HeaderLen+MaxPayloadLen)
	versions := map[uint32]map[int]bool{}

	in = in[:min(len(in), 4*256)]
	for ; len(in) >= 4; in = in[4:] {
		b0, b1, b2, b3 := in[0], in[1], in[2], in[3]
		now = now.Add(time.Duration(b0>>5) * 100 * time.Millisecond)
		if b0%8 == 7 {
			now = now.Add(time.Duration(b1%20) * time.Second)
			var got [][]byte
			big.Expire(now, func(q []byte) { got = append(got, bytes.Clone(q)) })
			small.Expire(now, func(q []byte) {
				f, _, _, ok := fragmentOf(Header(q))
				if !ok || f.Offset() != 0 || !f.More() || len(q) > maxQuote {
					t.Fatalf("quote % x", q)
				}
			})
			if want := model.expire(now); fmt.Sprint(got) != fmt.Sprint(want) {
				t.Fatalf("quotes\n got % x\nwant % x", got, want)
			}
			continue
		}
		id := uint32(b0 % 4)
		u := (b0 >> 3) & 3
		version := int(b1>>1) & 3
		scale := []int{1, 1, 8, 32}[(b1>>3)&3]
		off := min(int(b2)*scale*8, 0xfff8)
		n := int(b3) * 8
		if scale >= 8 {
			n *= 4
		}
		if b1&0x20 != 0 {
			n = int(b3)
		}
		next := ipv4.ProtoUDP
		if b1&0x40 != 0 {
			next = ipv4.ProtoDstOpts
		}
		unfrag := unfrags[u]
		n = min(n, MaxPayloadLen-len(unfrag)-FragmentHeaderLen)
		fl := Fields{PayloadLen: len(unfrag) + FragmentHeaderLen + n, NextHeader: firsts[u], HopLimit: 64,
			Src: Addr{0x20, 0x01, 15: 1}, Dst: Addr{0x20, 0x01, 15: 2}}
		fl.Encode(buf)
		copy(buf[HeaderLen:], unfrag)
		fOff := HeaderLen + len(unfrag)
		EncodeFragmentHeader(buf[fOff:], next, off, b1&1 != 0, id)
		frag := buf[:fOff+FragmentHeaderLen+n]
		for i := range n {
			frag[fOff+FragmentHeaderLen+i] = fuzzPayload(id, version, off+i)
		}
		if versions[id] == nil {
			versions[id] = map[int]bool{}
		}
		versions[id][version] = true

		want, wantErr := model.add(frag, now)
		got, done, err := big.Add(Header(frag), now)
		if err != wantErr || done != (want != nil) || !bytes.Equal(got, want) {
			t.Fatalf("fragment id %d offset %d length %d M %v:\n got err %v, done %v\nwant err %v, done %v",
				id, off, n, b1&1 != 0, err, done, wantErr, want != nil)
		}
		big.Release(got)

		got, done, err = small.Add(Header(frag), now)
		if done {
			checkFuzzPacket(t, got, id, versions[id])
			small.Release(got)
		} else if got != nil || err != nil && !slices.Contains(reasmErrors, err) {
			t.Fatalf("small: %v, %v", got, err)
		}
		if st := small.Stats(); st.Bytes > smallCfg.MaxBytes || st.Datagrams > smallCfg.MaxDatagrams ||
			(st.Datagrams == 0) != (st.Bytes == 0) {
			t.Fatalf("small: %+v", st)
		}
	}
	big.Expire(now.Add(timeout), nil)
	small.Expire(now.Add(timeout), nil)
	if st := big.Stats(); st.Bytes != 0 || st.Datagrams != 0 {
		t.Fatalf("big left %+v", st)
	}
	if st := small.Stats(); st.Bytes != 0 || st.Datagrams != 0 {
		t.Fatalf("small left %+v", st)
	}
}

// checkFuzzPacket checks a packet the small reassembler produced: a valid
// header, and every 8-byte block of its fragmentable part, behind one of
// the unfragmentable parts the fuzzer sends, from one of the versions
// that were sent.
func checkFuzzPacket(t *testing.T, d []byte, id uint32, versions map[int]bool) {
	h := Header(d)
	if err := h.Check(); err != nil || h.Len() != len(d) {
		t.Fatalf("small reassembled a bad packet (%v): % x", err, d[:HeaderLen])
	}
	for _, unfrag := range []int{HeaderLen, HeaderLen + 8, HeaderLen + 16, HeaderLen + 32} {
		if unfrag <= len(d) && madeOfVersions(d[unfrag:], id, versions) {
			return
		}
	}
	t.Fatalf("small reassembled bytes nobody sent: % x", d[:min(len(d), 96)])
}

func madeOfVersions(p []byte, id uint32, versions map[int]bool) bool {
	for blk := 0; blk < len(p); blk += 8 {
		found := false
		for v := range versions {
			same := true
			for i := blk; i < min(blk+8, len(p)); i++ {
				same = same && p[i] == fuzzPayload(id, v, i)
			}
			found = found || same
		}
		if !found {
			return false
		}
	}
	return true
}

// TestReassemblyRandom runs the fuzz target's checks over seeded random
// event sequences, so that every test run covers more than the seeds.
func TestReassemblyRandom(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	for range 200 {
		in := make([]byte, 4*(1+rng.IntN(256)))
		for i := range in {
			in[i] = byte(rng.Uint32())
		}
		fuzzReassembly(t, in)
	}
}
