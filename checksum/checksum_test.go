package checksum

import (
	"encoding/binary"
	"math/rand/v2"
	"testing"
)

// naive is the plain RFC 1071 loop over 16-bit words, the reference that the
// unrolled Add must agree with.
func naive(b []byte) uint16 {
	var s uint32
	for i := 0; i+1 < len(b); i += 2 {
		s += uint32(b[i])<<8 | uint32(b[i+1])
	}
	if len(b)%2 == 1 {
		s += uint32(b[len(b)-1]) << 8
	}
	for s > 0xffff {
		s = s>>16 + s&0xffff
	}
	return uint16(s)
}

func TestRFC1071Example(t *testing.T) {
	// The worked example of RFC 1071 section 3: the sum of these bytes is
	// ddf2 (after the end-around carry).
	b := []byte{0x00, 0x01, 0xf2, 0x03, 0xf4, 0xf5, 0xf6, 0xf7}
	if got := Fold(Add(0, b)); got != 0xddf2 {
		t.Fatalf("sum = %#04x, want 0xddf2", got)
	}
}

func TestIPv4HeaderChecksum(t *testing.T) {
	// A real IPv4 header (from a Linux ping) whose checksum is 0x9839.
	h := []byte{0x45, 0x00, 0x00, 0x54, 0x8e, 0x6d, 0x40, 0x00, 0x40, 0x01,
		0x00, 0x00, 0x0a, 0x00, 0x00, 0x01, 0x0a, 0x00, 0x00, 0x02}
	c := Checksum(h, 0)
	binary.BigEndian.PutUint16(h[10:], c)
	if Fold(Add(0, h)) != 0xffff {
		t.Fatalf("header with checksum %#04x does not verify", c)
	}
	if c != 0x9839 {
		t.Fatalf("checksum = %#04x, want 0x9839", c)
	}
}

func TestAddMatchesNaive(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for n := 0; n < 300; n++ {
		b := make([]byte, n)
		for i := range b {
			b[i] = byte(r.Uint32())
		}
		if got, want := Fold(Add(0, b)), naive(b); got != want {
			t.Fatalf("len %d: Add folds to %#04x, naive %#04x", n, got, want)
		}
	}
	// All ones is the case where carries pile up the most.
	b := make([]byte, 65535)
	for i := range b {
		b[i] = 0xff
	}
	if got, want := Fold(Add(0, b)), naive(b); got != want {
		t.Fatalf("all ones: %#04x, want %#04x", got, want)
	}
}

func TestAddInPieces(t *testing.T) {
	b := []byte("the quick brown fox jumps over the lazy dog!")
	whole := Fold(Add(0, b))
	for cut := 0; cut <= len(b); cut += 2 {
		if got := Fold(Add(Add(0, b[:cut]), b[cut:])); got != whole {
			t.Fatalf("cut at %d: %#04x, want %#04x", cut, got, whole)
		}
	}
}

func TestPseudo(t *testing.T) {
	src := [4]byte{192, 168, 1, 1}
	dst := [4]byte{10, 0, 0, 2}
	ph := []byte{192, 168, 1, 1, 10, 0, 0, 2, 0, 6, 0x05, 0xdc}
	if got, want := Fold(Pseudo(src, dst, 6, 1500)), naive(ph); got != want {
		t.Fatalf("Pseudo = %#04x, want %#04x", got, want)
	}
}

// TestPseudo6 checks the IPv6 pseudo-header against the naive sum of its
// 40 bytes laid out as RFC 8200 section 8.1 draws them, with lengths that
// need all 32 bits (jumbograms) and addresses of all ones.
func TestPseudo6(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 6))
	for i := range 1000 {
		var src, dst [16]byte
		for j := range 16 {
			src[j], dst[j] = byte(r.Uint32()), byte(r.Uint32())
		}
		if i == 0 {
			for j := range 16 {
				src[j], dst[j] = 0xff, 0xff
			}
		}
		length, proto := r.Uint32(), uint8(r.Uint32())
		ph := append(append(src[:], dst[:]...), 0, 0, 0, 0, 0, 0, 0, proto)
		binary.BigEndian.PutUint32(ph[32:], length)
		p := Pseudo6(src, dst, proto, length)
		if got, want := Fold(p), naive(ph); got != want {
			t.Fatalf("Pseudo6 = %#04x, want %#04x for % x", got, want, ph)
		}
		// Callers add more words to the partial sum in 32 bits: it must
		// leave them room.
		if p > 0x1ffff {
			t.Fatalf("Pseudo6 = %#x, more than 17 bits, for % x", p, ph)
		}
	}
}

func TestUpdate(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	for i := 0; i < 10000; i++ {
		b := make([]byte, 40)
		for j := range b {
			b[j] = byte(r.Uint32())
		}
		b[10], b[11] = 0, 0
		binary.BigEndian.PutUint16(b[10:], Checksum(b, 0))
		off := 2 * (r.IntN(14) + 6) // a word after the checksum field
		old := binary.BigEndian.Uint16(b[off:])
		nw := uint16(r.Uint32())
		if i%7 == 0 {
			nw = 0
		}
		binary.BigEndian.PutUint16(b[off:], nw)
		field := binary.BigEndian.Uint16(b[10:])
		upd := Update(field, old, nw)
		binary.BigEndian.PutUint16(b[10:], upd)
		if Fold(Add(0, b)) != 0xffff {
			t.Fatalf("iteration %d: incremental checksum %#04x does not verify", i, upd)
		}

		off = 2 * (r.IntN(12) + 6)
		old32 := binary.BigEndian.Uint32(b[off:])
		new32 := r.Uint32()
		binary.BigEndian.PutUint32(b[off:], new32)
		upd = Update32(upd, old32, new32)
		binary.BigEndian.PutUint16(b[10:], upd)
		if Fold(Add(0, b)) != 0xffff {
			t.Fatalf("iteration %d: Update32 checksum %#04x does not verify", i, upd)
		}
	}
}

func FuzzAdd(f *testing.F) {
	f.Add([]byte{0x00, 0x01, 0xf2, 0x03, 0xf4, 0xf5, 0xf6, 0xf7})
	f.Add([]byte{0xff})
	f.Fuzz(func(t *testing.T, b []byte) {
		if got, want := Fold(Add(0, b)), naive(b); got != want {
			t.Fatalf("Add folds to %#04x, naive %#04x", got, want)
		}
	})
}

func BenchmarkAdd1500(b *testing.B) {
	buf := make([]byte, 1500)
	for i := range buf {
		buf[i] = byte(i)
	}
	b.SetBytes(int64(len(buf)))
	b.ReportAllocs()
	for b.Loop() {
		Add(0, buf)
	}
}

var pseudoSink uint32

// BenchmarkPseudo6 varies the length, not the addresses: a byte stored
// into an address and read back at once as part of a wider word stalls
// the store-forwarding of x86 processors, which would time the stall.
func BenchmarkPseudo6(b *testing.B) {
	src := [16]byte{0x20, 0x01, 0x0d, 0xb8, 15: 1}
	dst := [16]byte{0x20, 0x01, 0x0d, 0xb8, 15: 2}
	var s uint32
	for b.Loop() {
		s += Pseudo6(src, dst, 17, s&0xfff)
	}
	pseudoSink = s
}
