package tcp_test

import (
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/medina-net/medina/tcp"
)

// TestSeqCompare checks the comparisons around the places where plain
// integer comparison goes wrong: the wrap at 2^32 and the half-way point.
func TestSeqCompare(t *testing.T) {
	const half = 1 << 31
	tests := []struct {
		a, b tcp.Seq
		diff int
	}{
		{0, 0, 0},
		{1, 0, 1},
		{0, 1, -1},
		{0, 0xffffffff, 1}, // 0 follows 2^32-1: the wrap
		{0xffffffff, 0, -1},
		{10, 0xfffffff0, 26},
		{half - 1, 0, half - 1}, // the farthest a follows b
		{0, half - 1, -(half - 1)},
		{half + 5, 5, -half}, // exactly 2^31 apart: each precedes the other
	}
	for _, tt := range tests {
		a, b := tt.a, tt.b
		if got := a.Diff(b); got != tt.diff {
			t.Errorf("%d.Diff(%d) = %d, want %d", a, b, got, tt.diff)
		}
		if tt.diff == -half {
			if !a.LessThan(b) || !b.LessThan(a) {
				t.Errorf("%d and %d, 2^31 apart: LessThan %v and %v, want both", a, b, a.LessThan(b), b.LessThan(a))
			}
			continue
		}
		if got, want := a.LessThan(b), tt.diff < 0; got != want {
			t.Errorf("%d.LessThan(%d) = %v", a, b, got)
		}
		if got, want := a.LessEqual(b), tt.diff <= 0; got != want {
			t.Errorf("%d.LessEqual(%d) = %v", a, b, got)
		}
		if got, want := a.GreaterThan(b), tt.diff > 0; got != want {
			t.Errorf("%d.GreaterThan(%d) = %v", a, b, got)
		}
		if got, want := a.GreaterEqual(b), tt.diff >= 0; got != want {
			t.Errorf("%d.GreaterEqual(%d) = %v", a, b, got)
		}
		if got := b.Add(tt.diff); got != a {
			t.Errorf("%d.Add(%d) = %d, want %d", b, tt.diff, got, a)
		}
		if got, want := tcp.SeqMax(a, b), map[bool]tcp.Seq{true: a, false: b}[tt.diff > 0]; got != want {
			t.Errorf("SeqMax(%d, %d) = %d, want %d", a, b, got, want)
		}
		if got, want := tcp.SeqMin(a, b), map[bool]tcp.Seq{true: a, false: b}[tt.diff < 0]; got != want {
			t.Errorf("SeqMin(%d, %d) = %d, want %d", a, b, got, want)
		}
	}
}

// TestSeqWindows checks InWindow, InRange and Offset against 64-bit
// arithmetic on numbers unwrapped around random bases.
func TestSeqWindows(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for range 100000 {
		base := r.Uint32()
		lo := int64(r.IntN(1 << 20))
		size := int64(r.IntN(1 << 20))
		x := int64(r.IntN(1<<21)) - 1<<10
		s, l := tcp.Seq(uint32(int64(base)+x)), tcp.Seq(uint32(int64(base)+lo))
		h := l.Add(int(size))
		want := x >= lo && x < lo+size
		if got := s.InWindow(l, int(size)); got != want {
			t.Fatalf("%d.InWindow(%d, %d) = %v, want %v", s, l, size, got, want)
		}
		if got := s.InRange(l, h); got != want {
			t.Fatalf("%d.InRange(%d, %d) = %v, want %v", s, l, h, got, want)
		}
		if x >= lo {
			if got := s.Offset(l); int64(got) != x-lo {
				t.Fatalf("%d.Offset(%d) = %d, want %d", s, l, got, x-lo)
			}
		}
	}
	if tcp.Seq(7).InRange(7, 7) || tcp.Seq(7).InWindow(7, 0) {
		t.Error("an empty range holds something")
	}
	if got := tcp.Seq(3).Offset(0xfffffffe); got != 5 {
		t.Errorf("Offset across the wrap = %d, want 5", got)
	}
}

// ExampleSeq compares sequence numbers across the wrap at 2^32, where
// comparing them as integers gives the wrong answer.
func ExampleSeq() {
	una := tcp.Seq(0xfffffff0) // oldest byte not acknowledged
	max := una.Add(100)        // beyond the last byte sent, past the wrap
	quoted := tcp.Seq(20)      // a sequence number an ICMP error quotes
	fmt.Println(uint32(max), max.Diff(una), quoted.InRange(una, max), una.LessThan(quoted))
	// Output: 84 100 true true
}
