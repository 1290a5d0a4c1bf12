package tcpstream

import (
	"bytes"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/medina-net/medina/tcp"
)

// pseg is a segment of the property test: bytes [off, off+n) of a
// direction's stream, with flags.
type pseg struct {
	dir    Direction
	off, n int
	fl     tcp.Flags
	keep   bool // never lost
}

// TestProperty cuts two random streams into random segments, duplicates
// and overlaps some, loses some, shuffles them, and checks that the
// Assembler reproduces each stream exactly, reporting as gaps exactly the
// bytes no surviving segment carried. With small memory bounds it checks
// only that what is delivered is right and in place, and that delivered
// and gap bytes add up to the stream.
func TestProperty(t *testing.T) {
	seeds := 2000
	if testing.Short() {
		seeds = 200
	}
	for seed := range seeds {
		for _, mode := range []string{"lossless", "lossy", "bounded"} {
			propertyRun(t, uint64(seed), mode)
			if t.Failed() {
				t.Fatalf("seed %d mode %s failed", seed, mode)
			}
		}
	}
}

func propertyRun(t *testing.T, seed uint64, mode string) {
	fail := func(f string, args ...any) {
		t.Helper()
		t.Fatalf("seed %d %s: "+f, append([]any{seed, mode}, args...)...)
	}
	rng := rand.New(rand.NewPCG(seed, uint64(len(mode))))
	lossy := mode == "lossy"
	// Unbounded (almost) unless bounded: one-byte segments in random
	// order cost 640 bytes each.
	cfg := Config{IdleTimeout: -1, MaxBufferedPerStream: 1 << 40, MaxBufferedTotal: 1 << 40}
	if mode == "bounded" {
		cfg.MaxBufferedPerStream = 640 + rng.IntN(20000)
		cfg.MaxBufferedTotal = cfg.MaxBufferedPerStream + rng.IntN(20000)
	}

	// The streams and their initial sequence numbers.
	var stream [2][]byte
	var isn [2]uint32
	for d := range stream {
		n := rng.IntN(6000)
		if rng.IntN(20) == 0 {
			n = rng.IntN(200_000)
		}
		stream[d] = make([]byte, n)
		for i := range stream[d] {
			stream[d][i] = byte(rng.Uint32())
		}
		isn[d] = rng.Uint32()
		if rng.IntN(3) == 0 {
			isn[d] = -uint32(rng.IntN(n + 10)) // the stream wraps around
		}
	}
	midStream := rng.IntN(4) == 0

	// Cut, duplicate, overlap.
	var segs []pseg
	for d := range Direction(2) {
		L := len(stream[d])
		maxSeg := 1 + rng.IntN(1460)
		switch {
		case L > 10000:
			maxSeg = 536 + rng.IntN(1000)
		case rng.IntN(4) == 0:
			maxSeg = 1 + rng.IntN(8)
		}
		var ds []pseg
		for off := 0; off < L; {
			n := min(1+rng.IntN(maxSeg), L-off)
			ds = append(ds, pseg{dir: d, off: off, n: n, fl: fA})
			off += n
		}
		for range rng.IntN(len(ds)/4 + 2) {
			if len(ds) > 0 {
				ds = append(ds, ds[rng.IntN(len(ds))]) // duplicate
			}
			if L > 0 {
				a := rng.IntN(L)
				b := a + 1 + rng.IntN(min(L-a, 3000))
				ds = append(ds, pseg{dir: d, off: a, n: b - a, fl: fA}) // overlap
			}
		}
		if midStream && len(ds) > 0 {
			ds[0].keep = true // it starts the direction
		}
		ds = append(ds, pseg{dir: d, off: L, fl: fA | fF, keep: true})
		segs = append(segs, ds...)
	}

	// Lose some.
	if lossy {
		p := rng.Float64() * 0.3
		kept := segs[:0]
		for _, s := range segs {
			if s.keep || rng.Float64() >= p {
				kept = append(kept, s)
			}
		}
		segs = kept
	}
	var covered [2][]bool
	for d := range covered {
		covered[d] = make([]bool, len(stream[d]))
	}
	for _, s := range segs {
		for i := s.off; i < s.off+s.n; i++ {
			covered[s.dir][i] = true
		}
	}

	// Shuffle: fully, locally, or not at all.
	switch rng.IntN(3) {
	case 0:
		rng.Shuffle(len(segs), func(i, j int) { segs[i], segs[j] = segs[j], segs[i] })
	case 1:
		k := 1 + rng.IntN(10)
		for i := range segs {
			j := min(i+rng.IntN(k+1), len(segs)-1)
			segs[i], segs[j] = segs[j], segs[i]
		}
	}
	var first []pseg
	if midStream {
		// Each direction begins at its first segment seen, which must be
		// the one at offset 0.
		for d := range Direction(2) {
			for i, s := range segs {
				if s.dir == d && s.keep && s.fl&fF == 0 {
					first = append(first, s)
					segs = append(segs[:i:i], segs[i+1:]...)
					break
				}
			}
		}
	} else {
		first = []pseg{{dir: ClientToServer, off: -1, fl: fS}, {dir: ServerToClient, off: -1, fl: fS | fA}}
	}
	segs = append(first, segs...)

	// Check every call against the streams.
	var pos [2]int
	closes := 0
	var reason CloseReason
	h := &funcHandler{
		data: func(s *Stream, d Direction, b []byte, ts time.Time) {
			if closes > 0 {
				fail("Data after Close")
			}
			if pos[d]+len(b) > len(stream[d]) || !bytes.Equal(b, stream[d][pos[d]:pos[d]+len(b)]) {
				fail("dir %v: wrong data at %d (%d bytes)", d, pos[d], len(b))
			}
			pos[d] += len(b)
		},
		gap: func(s *Stream, d Direction, n int) {
			if closes > 0 {
				fail("Gap after Close")
			}
			if pos[d]+n > len(stream[d]) {
				fail("dir %v: gap of %d at %d beyond the end %d", d, n, pos[d], len(stream[d]))
			}
			if mode != "bounded" {
				for i := pos[d]; i < pos[d]+n; i++ {
					if covered[d][i] {
						fail("dir %v: gap of %d at %d covers byte %d, which was captured", d, n, pos[d], i)
					}
				}
			}
			pos[d] += n
		},
		close: func(s *Stream, r CloseReason) {
			closes++
			reason = r
		},
	}
	a := NewAssembler(cfg, h)
	cli, srv := cliAddr, srvAddr
	for _, s := range segs {
		if propertyDebug {
			t.Logf("%v off %d n %d fl %v", s.dir, s.off, s.n, s.fl)
		}
		src, dst := cli, srv
		if s.dir == ServerToClient {
			src, dst = srv, cli
		}
		seq := isn[s.dir] + 1 + uint32(s.off)
		var payload []byte
		if s.off >= 0 {
			payload = stream[s.dir][s.off : s.off+s.n]
		}
		a.Add(src, dst, mkseg(src.Port(), dst.Port(), seq, isn[s.dir.Reverse()]+1, s.fl, payload), t0)
	}
	if mode == "lossless" && closes != 1 {
		fail("not closed by the FINs")
	}
	checkInvariants(t, a)
	a.Close()
	if closes != 1 {
		fail("closed %d times", closes)
	}
	if mode == "lossless" && reason != CloseFIN {
		fail("closed for %v", reason)
	}
	for d := range pos {
		if pos[d] != len(stream[d]) {
			fail("dir %d: reached %d of %d", d, pos[d], len(stream[d]))
		}
	}
}

var propertyDebug bool

// funcHandler is a Handler made of functions.
type funcHandler struct {
	data  func(s *Stream, d Direction, b []byte, ts time.Time)
	gap   func(s *Stream, d Direction, n int)
	close func(s *Stream, r CloseReason)
}

func (h *funcHandler) Data(s *Stream, d Direction, b []byte, ts time.Time) { h.data(s, d, b, ts) }
func (h *funcHandler) Gap(s *Stream, d Direction, n int)                   { h.gap(s, d, n) }
func (h *funcHandler) Close(s *Stream, r CloseReason)                      { h.close(s, r) }
