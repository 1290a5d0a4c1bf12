package ipv4

import "testing"

var sink uint64

// BenchmarkHeader is the stack's receive path: parse, validate, read every
// field and walk the options of a real datagram with options (record
// route).
func BenchmarkHeader(b *testing.B) {
	ps := readIPv4(b, linuxLoPcap)
	pkt := ps[10-1].b
	b.SetBytes(int64(len(pkt)))
	b.ReportAllocs()
	for b.Loop() {
		h, err := NewHeader(pkt)
		if err != nil {
			b.Fatal(err)
		}
		if err := h.Validate(); err != nil {
			b.Fatal(err)
		}
		s, d := h.Src(), h.Dst()
		sink += uint64(h.Version()) + uint64(h.IHL()) + uint64(h.TOS()) + uint64(h.TotalLen()) +
			uint64(h.ID()) + uint64(h.Flags()) + uint64(h.FragOffset()) + uint64(h.TTL()) +
			uint64(h.Protocol()) + uint64(h.Checksum()) + uint64(s[3]) + uint64(d[3]) +
			uint64(len(h.Payload()))
		it := h.OptionIter()
		for {
			o, err := it.Next()
			if err != nil {
				break
			}
			sink += uint64(o.Kind)
		}
	}
}

// BenchmarkCheckBad is the cost of rejecting a datagram with a bad
// checksum, which must not allocate either.
func BenchmarkCheckBad(b *testing.B) {
	pkt := append([]byte(nil), readIPv4(b, linuxLoPcap)[0].b...)
	pkt[11]++
	h, _ := NewHeader(pkt)
	b.ReportAllocs()
	for b.Loop() {
		if h.Check() != ErrBadChecksum {
			b.Fatal("checksum verifies")
		}
	}
}

// BenchmarkEncode writes a header without options, the stack's send path.
func BenchmarkEncode(b *testing.B) {
	buf := make([]byte, 1500)
	f := Fields{TTL: 64, Flags: FlagDF, Protocol: ProtoTCP, PayloadLen: 1460,
		Src: Addr{192, 0, 2, 1}, Dst: Addr{198, 51, 100, 7}}
	b.ReportAllocs()
	for b.Loop() {
		f.ID++
		if _, err := f.Encode(buf); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkDecTTL is the forwarding path's header rewrite.
func BenchmarkDecTTL(b *testing.B) {
	h, _ := (&Fields{TTL: 255, Protocol: ProtoUDP}).Encode(make([]byte, 20))
	b.ReportAllocs()
	for b.Loop() {
		if h.DecTTL() == 0 {
			h.SetTTL(255)
			h.FillChecksum()
		}
	}
}

// BenchmarkAppendTo formats an address the way a printer does.
func BenchmarkAppendTo(b *testing.B) {
	buf := make([]byte, 0, 16)
	a := Addr{192, 168, 100, 254}
	b.ReportAllocs()
	for b.Loop() {
		buf = a.AppendTo(buf[:0])
	}
}
