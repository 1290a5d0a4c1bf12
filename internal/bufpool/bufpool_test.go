package bufpool

import "testing"

func TestSize(t *testing.T) {
	for _, c := range []struct{ n, want int }{
		{0, 64}, {1, 64}, {64, 64}, {65, 96}, {96, 96}, {97, 128},
		{1480, 1536}, {1500, 1536}, {1537, 2048}, {9000, 12288},
		{65535, 65536}, {MaxSize, MaxSize}, {MaxSize + 1, -1},
	} {
		if got := Size(c.n); got != c.want {
			t.Errorf("Size(%d) = %d, want %d", c.n, got, c.want)
		}
	}
	// Every length gets a class that holds it and wastes less than a
	// third of the buffer, and the classes grow with the length.
	prev := 0
	for n := 1; n <= MaxSize; n++ {
		s := Size(n)
		if s < n || s < prev || n > 64 && 3*(s-n) >= s {
			t.Fatalf("Size(%d) = %d after %d", n, s, prev)
		}
		prev = s
	}
}

func TestGetPut(t *testing.T) {
	var p Pool
	p.SetMaxFree(4096)
	b := p.Get(1000)
	if len(b) != 1000 || cap(b) != 1024 {
		t.Fatalf("Get(1000): len %d cap %d", len(b), cap(b))
	}
	b[0] = 7
	p.Put(b)
	if p.Free() != 1024 {
		t.Fatalf("Free %d", p.Free())
	}
	c := p.Get(900) // same class: the buffer comes back
	if &c[:1][0] != &b[:1][0] || len(c) != 900 || p.Free() != 0 {
		t.Fatalf("not recycled: len %d, Free %d", len(c), p.Free())
	}
	// The bound: a fifth 1024-byte buffer is not kept.
	bufs := make([][]byte, 5)
	for i := range bufs {
		bufs[i] = p.Get(1024)
	}
	for _, b := range bufs {
		p.Put(b)
	}
	if p.Free() != 4096 {
		t.Fatalf("Free %d after five Puts, want the bound", p.Free())
	}
	// Buffers Get does not make are not kept.
	p.SetMaxFree(1 << 20)
	p.Put(make([]byte, 100))          // capacity of no class
	p.Put(make([]byte, 0, 2*MaxSize)) // too big
	p.Put(nil)
	if p.Free() != 4096 {
		t.Fatalf("Free %d after foreign buffers", p.Free())
	}
	if p.Get(MaxSize+1) != nil {
		t.Fatal("Get beyond MaxSize")
	}
	if b := p.Get(-1); len(b) != 0 || cap(b) != 64 {
		t.Fatalf("Get(-1): len %d cap %d", len(b), cap(b))
	}
	// Lowering the bound frees what is beyond it.
	p.SetMaxFree(2048)
	if p.Free() != 2048 {
		t.Fatalf("Free %d after SetMaxFree(2048)", p.Free())
	}
	var z Pool // the zero value keeps nothing
	z.Put(z.Get(10))
	if z.Free() != 0 {
		t.Fatalf("zero Pool kept %d bytes", z.Free())
	}
}

// TestZeroAllocs: once warm, getting and putting back allocates nothing.
func TestZeroAllocs(t *testing.T) {
	var p Pool
	p.SetMaxFree(1 << 20)
	sizes := []int{60, 576, 1480, 1500, 9000, 65535}
	cycle := func() {
		var held [6][]byte
		for i, n := range sizes {
			held[i] = p.Get(n)
		}
		for _, b := range held {
			p.Put(b)
		}
	}
	cycle()
	if n := testing.AllocsPerRun(1000, cycle); n != 0 {
		t.Errorf("%v allocs", n)
	}
}

func BenchmarkGetPut(b *testing.B) {
	var p Pool
	p.SetMaxFree(1 << 20)
	b.ReportAllocs()
	for b.Loop() {
		p.Put(p.Get(1480))
	}
}
