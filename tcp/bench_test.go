package tcp

import (
	"testing"
)

// An ACK with timestamps and an MPTCP DSS carrying an 8-byte data ACK and
// a mapping, the options of a busy MPTCP subflow, and 100 bytes of data.
func benchSegment(tb testing.TB) Header {
	b := unhex(tb, "c350 0050 0000 1000 0000 2000 f018 01f5 0000 0000"+
		"0101 080a 0000 0001 0000 0002"+
		"1e1a 200f a896f3fe7a8dbf33 ee83a616c38766b5 00000001 0064 0101")
	b = append(b, make([]byte, 100)...)
	h, err := NewHeader(b)
	if err != nil || h.Validate() != nil {
		tb.Fatal("bad benchmark segment")
	}
	return h
}

var sink uint64

// readAll reads every field of h and the value of every option, the way
// the stack's receive path does.
func readAll(h Header) error {
	if err := h.Check(); err != nil {
		return err
	}
	s := uint64(h.SrcPort()) + uint64(h.DstPort()) + uint64(h.Seq()) + uint64(h.Ack()) +
		uint64(h.DataOffset()) + uint64(h.Flags()) + uint64(h.Window()) + uint64(h.Checksum()) +
		uint64(h.Urgent()) + uint64(len(h.Payload()))
	it := h.OptionIter()
	for o, ok := it.Next(); ok; o, ok = it.Next() {
		switch o.Kind {
		case OptMSS:
			v, _ := o.MSS()
			s += uint64(v)
		case OptWindowScale:
			v, _ := o.WindowScale()
			s += uint64(v)
		case OptTimestamps:
			v, e, _ := o.Timestamps()
			s += uint64(v) + uint64(e)
		case OptSACK:
			b, _ := o.SACK()
			for i := range b.Len() {
				s += uint64(b.At(i).Left)
			}
		case OptMPTCP:
			m, _ := o.MPTCP()
			if d, ok := m.DSS(); ok && m.Validate() == nil {
				a, _ := d.Ack()
				q, _ := d.DataSeq()
				ssn, _ := d.SubflowSeq()
				l, _ := d.DataLen()
				s += a + q + uint64(ssn) + uint64(l)
			}
		}
	}
	sink += s
	return it.Err()
}

func BenchmarkParse(b *testing.B) {
	h := benchSegment(b)
	b.ReportAllocs()
	for b.Loop() {
		if err := readAll(h); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkParseSYN(b *testing.B) {
	h := Header(unhex(b, synHex))
	b.ReportAllocs()
	for b.Loop() {
		if err := readAll(h); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkParseReject is a segment the stack drops: its data offset runs
// past its end.
func BenchmarkParseReject(b *testing.B) {
	h := Header(unhex(b, synHex)[:30])
	b.ReportAllocs()
	for b.Loop() {
		if readAll(h) == nil {
			b.Fatal("accepted")
		}
	}
}

func BenchmarkOptionsAll(b *testing.B) {
	h := benchSegment(b)
	b.ReportAllocs()
	for b.Loop() {
		for o := range h.OptionIter().All() {
			sink += uint64(o.Length)
		}
	}
}

func encodeSYN(buf []byte) (Header, error) {
	var optBuf [MaxOptionsLen]byte
	opts := AppendMSS(optBuf[:0], 1460)
	opts = AppendSACKPermitted(opts)
	opts = AppendTimestamps(opts, 112147477, 0)
	opts = AppendNOP(opts)
	opts = AppendWindowScale(opts, 7)
	f := Fields{SrcPort: 16433, DstPort: 80, Seq: 1948076589, Flags: FlagSYN, Window: 65535, Options: opts}
	return f.EncodeChecksum(buf[:f.HeaderLen()], synSrc, synDst)
}

func BenchmarkEncode(b *testing.B) {
	buf := make([]byte, MaxHeaderLen)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := encodeSYN(buf); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkChecksum1460(b *testing.B) {
	seg := make(Header, 20+1460)
	seg[offsetOff] = 5 << 4
	b.SetBytes(int64(len(seg)))
	b.ReportAllocs()
	for b.Loop() {
		sink += uint64(seg.ComputeChecksum(synSrc, synDst))
	}
}

// The hot paths must not allocate; this catches a regression in go test,
// without running the benchmarks.
func TestZeroAllocs(t *testing.T) {
	h, syn, bad := benchSegment(t), Header(unhex(t, synHex)), Header(unhex(t, synHex)[:30])
	buf := make([]byte, MaxHeaderLen)
	for name, fn := range map[string]func(){
		"parse":  func() { readAll(h) },
		"syn":    func() { readAll(syn) },
		"reject": func() { readAll(bad) },
		"all": func() {
			for o := range h.OptionIter().All() {
				sink += uint64(o.Length)
			}
		},
		"encode":  func() { encodeSYN(buf) },
		"newhdr":  func() { NewHeader(buf[:3]) },
		"flags":   func() { sink += uint64(len(syn.Flags().AppendTo(buf[:0]))) },
		"optname": func() { sink += uint64(len(OptionKind(99).AppendTo(buf[:0]))) },
	} {
		if n := testing.AllocsPerRun(100, fn); n != 0 {
			t.Errorf("%s: %v allocs", name, n)
		}
	}
}
