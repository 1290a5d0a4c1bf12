package ipv4

import (
	"bytes"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"
)

// reasmModel is a reference reassembler: the same rules as Reassembler,
// written the obvious way (every fragment compared with every other, the
// datagram assembled in a fresh slice), without memory bounds. With bounds
// too large to reach, Reassembler must agree with it on every result.
type reasmModel struct {
	timeout      time.Duration
	maxFragments int
	order        []*modelDgram // by creation
	byKey        map[reasmKey]*modelDgram
}

type modelFrag struct {
	off, end int
	data     []byte
}

type modelDgram struct {
	key     reasmKey
	created time.Time
	frags   []modelFrag
	total   int
	hdr     []byte
	dead    bool
}

func newReasmModel(timeout time.Duration, maxFragments int) *reasmModel {
	return &reasmModel{timeout: timeout, maxFragments: maxFragments, byKey: map[reasmKey]*modelDgram{}}
}

func (m *reasmModel) add(f []byte, now time.Time) ([]byte, error) {
	h := Header(f)
	hl, tl := h.HeaderLen(), int(h.TotalLen())
	if !h.IsFragment() {
		return nil, ErrNotFragment
	}
	off, mf := h.FragOffset(), h.MF()
	data := f[hl:tl]
	end := off + len(data)
	if len(data) == 0 || mf && len(data)%8 != 0 {
		return nil, ErrFragmentLength
	}
	if end+hl > MaxTotalLen {
		return nil, ErrReassemblyTooBig
	}
	key := reasmKey{h.Src(), h.Dst(), h.ID(), h.Protocol()}
	d := m.byKey[key]
	if d == nil {
		d = &modelDgram{key: key, created: now, total: -1}
		m.byKey[key] = d
		m.order = append(m.order, d)
	}
	if d.dead {
		return nil, ErrDatagramDiscarded
	}
	fail := func(err error) ([]byte, error) {
		d.dead = true
		d.frags = nil
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
		d.hdr = bytes.Clone(f[:hl])
	}
	size := 0
	for _, g := range d.frags {
		size += g.end - g.off
	}
	if size != d.total {
		return nil, nil
	}
	if len(d.hdr)+d.total > MaxTotalLen {
		return fail(ErrReassemblyTooBig)
	}
	out := append(bytes.Clone(d.hdr), make([]byte, d.total)...)
	for _, g := range d.frags {
		copy(out[len(d.hdr)+g.off:], g.data)
	}
	oh := Header(out)
	oh.SetTotalLen(uint16(len(out)))
	oh.SetFlags(oh.Flags() &^ FlagMF)
	oh.SetFragOffset(0)
	oh.FillChecksum()
	m.drop(d)
	return out, nil
}

func (m *reasmModel) drop(d *modelDgram) {
	delete(m.byKey, d.key)
	for i, e := range m.order {
		if e == d {
			m.order = append(m.order[:i], m.order[i+1:]...)
			break
		}
	}
}

// expire returns the quotes Expire should report.
func (m *reasmModel) expire(now time.Time) [][]byte {
	var quotes [][]byte
	for len(m.order) > 0 && !now.Before(m.order[0].created.Add(m.timeout)) {
		d := m.order[0]
		m.drop(d)
		if !d.dead && d.hdr != nil {
			for _, g := range d.frags {
				if g.off == 0 {
					quotes = append(quotes, append(bytes.Clone(d.hdr), g.data[:min(8, len(g.data))]...))
				}
			}
		}
	}
	return quotes
}

var reasmErrors = []error{ErrNotFragment, ErrFragmentLength, ErrReassemblyTooBig, ErrFragmentOverlap,
	ErrFragmentDuplicate, ErrFragmentInconsistent, ErrTooManyFragments, ErrReassemblyMemory, ErrDatagramDiscarded}

// fuzzPayload returns the payload of datagram id (0 to 3) in version v (0
// to 3): fragments of different versions carry different bytes.
var fuzzPayload = func() func(id uint16, v int) []byte {
	var tables [4][4][]byte
	once := sync.OnceFunc(func() {
		for id := range 4 {
			for v := range 4 {
				b := make([]byte, MaxTotalLen)
				for pos := range b {
					b[pos] = byte(pos) ^ byte(pos>>8)*3 ^ byte(id)*31 ^ byte(v)*101
				}
				tables[id][v] = b
			}
		}
	})
	return func(id uint16, v int) []byte {
		once()
		return tables[id][v]
	}
}()

// FuzzReassembly feeds arbitrary sequences of fragments (four bytes each:
// which datagram and header, flags and version, offset, length; or the
// passing of time) to two reassemblers and a reference model. The one
// whose bounds are out of reach must agree with the model on every result:
// the error, the reassembled datagram byte for byte, and the quotes of
// timed-out datagrams. The one with tight bounds must keep its memory
// under them, and whatever it reassembles must be well formed and made of
// the bytes that were sent. Neither may panic.
func FuzzReassembly(f *testing.F) {
	f.Add([]byte{0, 1, 0, 4, 0, 0, 4, 4})                   // two fragments, in order
	f.Add([]byte{0, 0, 4, 4, 0, 1, 0, 4})                   // reversed
	f.Add([]byte{0, 1, 0, 4, 0, 1, 2, 4, 0, 0, 4, 4})       // overlap
	f.Add([]byte{0, 1, 0, 4, 0, 1, 0, 4, 0, 0, 4, 4})       // duplicate
	f.Add([]byte{8, 1, 0, 4, 1, 3, 0, 4, 7, 15, 0, 0})      // two datagrams, timeout
	f.Add([]byte{16, 0x19, 0, 255, 16, 0x18, 255, 16})      // large
	f.Add([]byte{24, 0x21, 0, 13, 24, 0, 1, 1, 7, 0, 0, 0}) // odd length
	f.Fuzz(fuzzReassembly)
}

func fuzzReassembly(t *testing.T, in []byte) {
	{
		const timeout = 10 * time.Second
		const maxFrags = 16
		big := NewReassembler(ReassemblyConfig{Timeout: timeout, MaxBytes: 1 << 30, MaxFragments: maxFrags})
		smallCfg := ReassemblyConfig{Timeout: timeout, MaxBytes: 8 << 10, MaxDatagrams: 3, MaxFragments: maxFrags}
		small := NewReassembler(smallCfg)
		model := newReasmModel(timeout, maxFrags)
		now := reasmT0
		opts := [][]byte{nil, optsRA, optsRR, optsMixed}
		buf := make([]byte, MaxTotalLen)
		versions := map[uint16]map[int]bool{} // versions sent, by ID

		// Long inputs add little but time: 256 events at most.
		in = in[:min(len(in), 4*256)]
		for ; len(in) >= 4; in = in[4:] {
			b0, b1, b2, b3 := in[0], in[1], in[2], in[3]
			now = now.Add(time.Duration(b0>>5) * 100 * time.Millisecond)
			if b0%8 == 7 {
				now = now.Add(time.Duration(b1%20) * time.Second)
				var got [][]byte
				big.Expire(now, func(q []byte) { got = append(got, bytes.Clone(q)) })
				small.Expire(now, func(q []byte) {
					if h, err := NewHeader(q); err != nil || h.FragOffset() != 0 || !h.MF() || len(q) != h.HeaderLen()+8 {
						t.Fatalf("quote % x", q)
					}
				})
				if want := model.expire(now); fmt.Sprint(got) != fmt.Sprint(want) {
					t.Fatalf("quotes\n got % x\nwant % x", got, want)
				}
				continue
			}
			id := uint16(b0 % 4)
			version := int(b1>>1) & 3
			scale := []int{1, 1, 8, 32}[(b1>>3)&3]
			fields := Fields{TTL: 9, Protocol: ProtoUDP, ID: id, Options: opts[(b0>>3)&3],
				Src: Addr{192, 0, 2, 1}, Dst: Addr{192, 0, 2, 2}, FragOffset: int(b2) * scale * 8}
			if b1&1 != 0 {
				fields.Flags = FlagMF
			}
			n := int(b3) * 8
			if scale >= 8 {
				n *= 4
			}
			if b1&0x20 != 0 {
				n = int(b3)
			}
			n = min(n, MaxTotalLen-fields.HeaderLen())
			fields.PayloadLen = n
			if _, err := fields.Encode(buf); err != nil {
				t.Fatal(err)
			}
			frag := buf[:fields.HeaderLen()+n]
			copy(frag[fields.HeaderLen():], fuzzPayload(id, version)[fields.FragOffset:])
			if versions[id] == nil {
				versions[id] = map[int]bool{}
			}
			versions[id][version] = true

			want, wantErr := model.add(frag, now)
			got, done, err := big.Add(Header(frag), now)
			if err != wantErr || done != (want != nil) || !bytes.Equal(got, want) {
				t.Fatalf("fragment id %d offset %d length %d MF %v:\n got err %v, done %v\nwant err %v, done %v",
					id, fields.FragOffset, n, b1&1 != 0, err, done, wantErr, want != nil)
			}
			big.Release(got)

			got, done, err = small.Add(Header(frag), now)
			if done {
				checkFuzzDatagram(t, got, id, versions[id])
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
}

// checkFuzzDatagram checks a datagram the small reassembler produced: a
// valid header for it, and every 8-byte block from one of the versions of
// its payload that were sent.
func checkFuzzDatagram(t *testing.T, d []byte, id uint16, versions map[int]bool) {
	h := Header(d)
	if err := h.Check(); err != nil || h.IsFragment() || int(h.TotalLen()) != len(d) || h.ID() != id {
		t.Fatalf("small reassembled a bad datagram (%v): % x", err, d[:MinHeaderLen])
	}
	p := h.Payload()
	for blk := 0; blk < len(p); blk += 8 {
		ok := false
		for v := range versions {
			end := min(blk+8, len(p))
			ok = ok || bytes.Equal(p[blk:end], fuzzPayload(id, v)[blk:end])
		}
		if !ok {
			t.Fatalf("small reassembled bytes nobody sent at %d: % x", blk, p[blk:min(blk+8, len(p))])
		}
	}
}
