package udp

import "testing"

var sink uint64

// readAll checks h, its checksum and reads every field, the way the
// stack's receive path does.
func readAll(h Header) error {
	if err := h.Check(); err != nil {
		return err
	}
	if !h.ChecksumValid(dnsSrc, dnsDst) {
		return ErrBadChecksum
	}
	sink += uint64(h.SrcPort()) + uint64(h.DstPort()) + uint64(h.Length()) + uint64(h.Checksum()) +
		uint64(len(h.Payload()))
	return nil
}

func BenchmarkParse(b *testing.B) {
	h, _ := NewHeader(unhex(b, dnsHex))
	b.ReportAllocs()
	for b.Loop() {
		if err := readAll(h); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkParse1472 validates a full-sized datagram, most of it summing
// the checksum.
func BenchmarkParse1472(b *testing.B) {
	buf := make([]byte, 1472)
	h, _ := EncodeChecksum(buf, 1, 2, dnsSrc, dnsDst)
	b.SetBytes(int64(len(h)))
	b.ReportAllocs()
	for b.Loop() {
		if err := readAll(h); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkParseReject(b *testing.B) {
	h, _ := NewHeader(unhex(b, dnsHex))
	h = h[:20]
	b.ReportAllocs()
	for b.Loop() {
		if readAll(h) == nil {
			b.Fatal("accepted")
		}
	}
}

func BenchmarkEncode(b *testing.B) {
	buf := unhex(b, dnsHex)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := EncodeChecksum(buf, 57766, 53, dnsSrc, dnsDst); err != nil {
			b.Fatal(err)
		}
	}
}

func TestZeroAllocs(t *testing.T) {
	h, _ := NewHeader(unhex(t, dnsHex))
	buf := unhex(t, dnsHex)
	for name, fn := range map[string]func(){
		"parse":  func() { readAll(h) },
		"reject": func() { readAll(h[:20]) },
		"short":  func() { NewHeader(buf[:3]) },
		"encode": func() { EncodeChecksum(buf, 1, 2, dnsSrc, dnsDst) },
	} {
		if n := testing.AllocsPerRun(100, fn); n != 0 {
			t.Errorf("%s: %v allocs", name, n)
		}
	}
}
