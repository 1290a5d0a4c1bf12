package ber

import (
	"bytes"
	"encoding/asn1"
	"encoding/hex"
	"math/big"
	"strings"
	"testing"
)

func hx(s string) []byte {
	b, err := hex.DecodeString(strings.ReplaceAll(s, " ", ""))
	if err != nil {
		panic(err)
	}
	return b
}

func TestRead(t *testing.T) {
	for _, c := range []struct {
		name string
		b    string
		n    int // -1 for len(b)
		st   Status
		e    Element
	}{
		{"integer", "02 01 05", -1, OK, Element{Class: Universal, Tag: 2, HeaderLen: 2, Length: 1}},
		{"sequence", "30 03 02 01 05", -1, OK, Element{Class: Universal, Constructed: true, Tag: 16, HeaderLen: 2, Length: 3}},
		{"get-request", "a0 00", -1, OK, Element{Class: Context, Constructed: true, Tag: 0, HeaderLen: 2}},
		{"counter64", "46 01 07", -1, OK, Element{Class: Application, Tag: 6, HeaderLen: 2, Length: 1}},
		{"private", "c0 00", -1, OK, Element{Class: Private, Tag: 0, HeaderLen: 2}},
		{"long tag", "1f 81 04 00", -1, OK, Element{Tag: 132, HeaderLen: 4}},
		{"long tag one octet", "5f 1e 00", -1, OK, Element{Class: Application, Tag: 30, HeaderLen: 3}},
		{"long length", "04 82 00 02 41 42", -1, OK, Element{Tag: 4, HeaderLen: 4, Length: 2, LengthOctets: 2}},
		{"indefinite read as empty", "30 80 00 00", -1, OK, Element{Constructed: true, Tag: 16, HeaderLen: 2}},
		{"five length octets wrap", "04 85 01 00 00 00 02 41 42", -1, OK, Element{Tag: 4, HeaderLen: 7, Length: 2, LengthOctets: 5}},
		{"content not captured", "04 05 41", 7, OK, Element{Tag: 4, HeaderLen: 2, Length: 5}},
		{"empty", "02 01 05", 0, Empty, Element{}},
		{"nothing captured", "", 3, TruncatedTag, Element{}},
		{"long tag not captured", "1f 81", 5, TruncatedTag, Element{Tag: 1, HeaderLen: 2}},
		{"long tag past length", "1f 81 04", 2, TagPastEnd, Element{Tag: 1, HeaderLen: 2}},
		{"long tag at length, not captured", "1f 81", 2, TruncatedTag, Element{Tag: 1, HeaderLen: 2}},
		{"no length octet", "02 01 05", 1, NoLength, Element{Tag: 2, HeaderLen: 1}},
		{"length octet not captured", "02", 3, TruncatedLength, Element{Tag: 2, HeaderLen: 1}},
		{"length octets past length", "04 83 00 00 01 41", 4, LengthPastEnd, Element{Tag: 4, HeaderLen: 2, LengthOctets: 3}},
		{"length octets not captured", "04 83 00", 6, TruncatedLongLength, Element{Tag: 4, HeaderLen: 2, LengthOctets: 3}},
		{"content past length", "04 05 41 42 43 44 45", 5, ContentPastEnd, Element{Tag: 4, HeaderLen: 2, Length: 5}},
		{"huge length", "04 84 ff ff ff ff", -1, ContentPastEnd, Element{Tag: 4, HeaderLen: 6, Length: 0xffffffff, LengthOctets: 4}},
	} {
		b := hx(c.b)
		n := c.n
		if n < 0 {
			n = len(b)
		}
		e, st := Read(b, n)
		if st != c.st || e != c.e {
			t.Errorf("%s: Read(%x, %d) = %+v, %d; want %+v, %d", c.name, b, n, e, st, c.e, c.st)
		}
	}
}

func TestCaptured(t *testing.T) {
	b := hx("04 03 41 42 43 ff")
	e, st := Read(b, len(b))
	if st != OK {
		t.Fatal(st)
	}
	if c, ok := e.Captured(b); !ok || string(c) != "ABC" {
		t.Errorf("Captured = %q, %v", c, ok)
	}
	if _, ok := e.Captured(b[:4]); ok {
		t.Error("Captured reports a cut content as captured")
	}
	if r := e.Remaining(len(b)); r != 4 {
		t.Errorf("Remaining = %d, want 4", r)
	}
}

func TestNumbers(t *testing.T) {
	for _, c := range []struct {
		b   string
		i32 int32
		u32 uint32
		u64 uint64
	}{
		{"", 0, 0, 0},
		{"05", 5, 5, 5},
		{"ff", -1, 255, 255},
		{"00 ff", 255, 255, 255},
		{"ff 7f", -129, 0xff7f, 0xff7f},
		{"80 00 00 00", -1 << 31, 1 << 31, 1 << 31},
		{"01 00 00 00 05", 5, 5, 0x100000005},
		{"ff ff ff ff ff ff ff ff ff", -1, 0xffffffff, 0xffffffffffffffff},
	} {
		b := hx(c.b)
		if v := Int32(b); v != c.i32 {
			t.Errorf("Int32(%x) = %d, want %d", b, v, c.i32)
		}
		if v := Uint32(b); v != c.u32 {
			t.Errorf("Uint32(%x) = %d, want %d", b, v, c.u32)
		}
		if v := Uint64(b); v != c.u64 {
			t.Errorf("Uint64(%x) = %d, want %d", b, v, c.u64)
		}
	}
}

func oidArcs(c []byte) []uint32 {
	var arcs []uint32
	it := NewOIDIter(c)
	for {
		v, ok := it.Next()
		if !ok {
			return arcs
		}
		arcs = append(arcs, v)
	}
}

func TestOIDIter(t *testing.T) {
	for _, c := range []struct {
		b    string
		want []uint32
	}{
		{"2b 06 01 02 01 01 01 00", []uint32{43, 6, 1, 2, 1, 1, 1, 0}},
		{"2b 06 01 04 01 9d 76", []uint32{43, 6, 1, 4, 1, 3830}},
		{"8f ff ff ff 7f", []uint32{0xffffffff}},
		{"2b 81", []uint32{43}},
		{"", nil},
	} {
		if got := oidArcs(hx(c.b)); !equalArcs(got, c.want) {
			t.Errorf("arcs of %s = %v, want %v", c.b, got, c.want)
		}
	}
}

func equalArcs(a, b []uint32) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// checkRead checks what Read says of b against the limits it was given
// and, for elements encoding/asn1 accepts, against encoding/asn1.
func checkRead(t *testing.T, b []byte, n int) {
	e, st := Read(b, n)
	if e.HeaderLen > len(b) || (n >= 0 && e.HeaderLen > n) {
		t.Fatalf("Read(%x, %d): header length %d past the limits", b, n, e.HeaderLen)
	}
	if st == OK {
		if uint64(e.HeaderLen)+uint64(e.Length) > uint64(n) {
			t.Fatalf("Read(%x, %d) = OK with %d+%d bytes", b, n, e.HeaderLen, e.Length)
		}
		c, ok := e.Captured(b)
		if ok != (uint64(len(b)) >= uint64(e.HeaderLen)+uint64(e.Length)) || (ok && len(c) != int(e.Length)) {
			t.Fatalf("Read(%x, %d): Captured = %d bytes, %v", b, n, len(c), ok)
		}
	}
	if n != len(b) {
		return
	}
	var raw asn1.RawValue
	rest, err := asn1.Unmarshal(b, &raw)
	if err != nil {
		return
	}
	if st != OK {
		t.Fatalf("Read(%x) = %d, encoding/asn1 reads %+v", b, st, raw)
	}
	if int(e.Class) != raw.Class || int(e.Tag) != raw.Tag || e.Constructed != raw.IsCompound ||
		int(e.Length) != len(raw.Bytes) || len(b)-len(rest) != e.HeaderLen+int(e.Length) {
		t.Fatalf("Read(%x) = %+v, encoding/asn1 reads class %d tag %d compound %v, %d content bytes, %d in all",
			b, e, raw.Class, raw.Tag, raw.IsCompound, len(raw.Bytes), len(b)-len(rest))
	}
	c, _ := e.Captured(b)
	if !bytes.Equal(c, raw.Bytes) {
		t.Fatalf("Read(%x): content %x, encoding/asn1 %x", b, c, raw.Bytes)
	}
	switch {
	case raw.Class == 0 && raw.Tag == asn1.TagInteger && len(c) <= 4:
		var v int64
		if _, err := asn1.Unmarshal(b, &v); err == nil && int64(Int32(c)) != v {
			t.Fatalf("Int32(%x) = %d, encoding/asn1 %d", c, Int32(c), v)
		}
	case raw.Class == 0 && raw.Tag == asn1.TagOID:
		var oid asn1.ObjectIdentifier
		if _, err := asn1.Unmarshal(b, &oid); err == nil && len(oid) >= 2 {
			arcs := oidArcs(c)
			first := big.NewInt(int64(oid[0])*40 + int64(oid[1]))
			if len(arcs) != len(oid)-1 || !first.IsUint64() || uint32(first.Uint64()) != arcs[0] {
				t.Fatalf("arcs of %x = %v, encoding/asn1 %v", c, arcs, oid)
			}
			for i, a := range oid[2:] {
				if uint32(a) != arcs[i+1] {
					t.Fatalf("arcs of %x = %v, encoding/asn1 %v", c, arcs, oid)
				}
			}
		}
	}
}

// FuzzRead checks that Read never panics, keeps to both limits, and
// agrees with encoding/asn1 on the elements it accepts.
func FuzzRead(f *testing.F) {
	for _, s := range []string{
		"30 26 02 01 00 04 06 70 75 62 6c 69 63 a0 19 02 01 01 02 01 00 02 01 00 30 0e 30 0c 06 08 2b 06 01 02 01 01 01 00 05 00",
		"02 01 05", "1f 81 04 00", "04 82 00 02 41 42", "06 03 2b 06 01", "02 04 80 00 00 00", "7f 81 80 01 00",
	} {
		b := hx(s)
		f.Add(b, uint16(len(b)))
		f.Add(b, uint16(1))
	}
	f.Fuzz(func(t *testing.T, b []byte, n uint16) {
		checkRead(t, b, int(n))
		checkRead(t, b, len(b))
		for it := NewOIDIter(b); ; {
			if _, ok := it.Next(); !ok {
				break
			}
		}
	})
}

func TestReadDoesNotAllocate(t *testing.T) {
	b := hx("30 82 00 26 02 01 00 04 06 70 75 62 6c 69 63 a0 19 02 01 01 02 01 00 02 01 00 30 0e 30 0c 06 08 2b 06 01 02 01 01 01 00 05 00")
	allocs := testing.AllocsPerRun(100, func() {
		e, _ := Read(b, len(b))
		c, _ := e.Captured(b)
		it := NewOIDIter(c)
		for {
			if _, ok := it.Next(); !ok {
				break
			}
		}
	})
	if allocs != 0 {
		t.Errorf("%v allocations", allocs)
	}
}

func BenchmarkRead(b *testing.B) {
	m := hx("30 82 00 26 02 01 00 04 06 70 75 62 6c 69 63 a0 19 02 01 01 02 01 00 02 01 00 30 0e 30 0c 06 08 2b 06 01 02 01 01 01 00 05 00")
	b.ReportAllocs()
	for b.Loop() {
		// Walk the message's elements, descending into the constructed
		// ones.
		for off := 0; off < len(m); {
			e, st := Read(m[off:], len(m)-off)
			if st != OK {
				b.Fatal(st)
			}
			if e.Constructed {
				off += e.HeaderLen
			} else {
				off += e.HeaderLen + int(e.Length)
			}
		}
	}
}
