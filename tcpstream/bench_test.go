package tcpstream

import (
	"math/rand/v2"
	"net/netip"
	"testing"
	"time"
)

// countHandler counts what it is given, and does nothing else.
type countHandler struct {
	bytes, gaps, closes int
}

func (h *countHandler) Data(s *Stream, d Direction, b []byte, ts time.Time) { h.bytes += len(b) }
func (h *countHandler) Gap(s *Stream, d Direction, n int)                   { h.gaps += n }
func (h *countHandler) Close(s *Stream, r CloseReason)                      { h.closes++ }

// benchConn opens a connection with a handshake and returns the
// Assembler, ready for client data at ci+1.
func benchConn(b *testing.B, h Handler) *Assembler {
	a := NewAssembler(Config{}, h)
	for _, st := range handshake {
		a.Add(st.src, st.dst, mkseg(st.src.Port(), st.dst.Port(), st.seq, st.ack, st.fl, nil), t0)
	}
	return a
}

// BenchmarkInOrder is a bulk transfer in one direction: full-sized
// segments in order, each handed to the Handler without a copy. One op is
// one segment.
func BenchmarkInOrder(b *testing.B) {
	h := &countHandler{}
	a := benchConn(b, h)
	seg := mkseg(cliAddr.Port(), srvAddr.Port(), ci+1, si+1, fA, make([]byte, 1460))
	seq := ci + 1
	b.SetBytes(1460)
	b.ReportAllocs()
	for b.Loop() {
		seg.SetSeq(seq)
		a.Add(cliAddr, srvAddr, seg, t0)
		seq += 1460
	}
	if h.bytes != 1460*b.N || h.gaps != 0 {
		b.Fatalf("delivered %d of %d, gaps %d", h.bytes, 1460*b.N, h.gaps)
	}
}

// BenchmarkInOrderManyStreams interleaves in-order segments of 10000
// connections, so that every segment looks its connection up in a large
// table.
func BenchmarkInOrderManyStreams(b *testing.B) {
	const n = 10000
	h := &countHandler{}
	a := NewAssembler(Config{}, h)
	srcs := make([]netip.AddrPort, n)
	seqs := make([]uint32, n)
	for i := range srcs {
		srcs[i] = netip.AddrPortFrom(netip.AddrFrom4([4]byte{10, 1, byte(i >> 8), byte(i)}), uint16(20000+i))
		a.Add(srcs[i], srvAddr, mkseg(srcs[i].Port(), 443, 0, 0, fS, nil), t0)
		seqs[i] = 1
	}
	seg := mkseg(0, 443, 0, 0, fA, make([]byte, 1460))
	i := 0
	b.SetBytes(1460)
	b.ReportAllocs()
	for b.Loop() {
		seg.SetSrcPort(srcs[i].Port())
		seg.SetSeq(seqs[i])
		a.Add(srcs[i], srvAddr, seg, t0)
		seqs[i] += 1460
		if i++; i == n {
			i = 0
		}
	}
	if h.gaps != 0 {
		b.Fatalf("gaps %d", h.gaps)
	}
}

// BenchmarkReorder is heavy reordering: each group of 16 full-sized
// segments arrives in reverse order, so 15 of 16 are copied and held, and
// the last delivers them all. One op is one segment.
func BenchmarkReorder(b *testing.B) {
	const group = 16
	h := &countHandler{}
	a := benchConn(b, h)
	seg := mkseg(cliAddr.Port(), srvAddr.Port(), ci+1, si+1, fA, make([]byte, 1460))
	base := ci + 1
	k := group - 1
	b.SetBytes(1460)
	b.ReportAllocs()
	for b.Loop() {
		seg.SetSeq(base + uint32(k*1460))
		a.Add(cliAddr, srvAddr, seg, t0)
		if k--; k < 0 {
			k = group - 1
			base += group * 1460
		}
	}
	if h.gaps != 0 {
		b.Fatalf("gaps %d", h.gaps)
	}
}

// BenchmarkReorderWorst is what a hostile capture can do: one-byte
// segments that never touch each other (every other byte of a window, in
// random order), so that each is held in a buffer of its own, as many as
// the per-stream bound allows, and each insertion lands in the middle of a
// long list. The bytes between them follow, then the first byte, which
// delivers the window. One op is one segment.
func BenchmarkReorderWorst(b *testing.B) {
	const window = 2 * DefaultMaxBufferedPerStream / (minBufSize + chunkCost) // fills the bound
	h := &countHandler{}
	a := benchConn(b, h)
	rng := rand.New(rand.NewPCG(1, 2))
	var order []int
	for _, p := range rng.Perm(window / 2) {
		order = append(order, 2*p+1)
	}
	for p := window - 2; p > 0; p -= 2 {
		order = append(order, p)
	}
	order = append(order, 0)
	seg := mkseg(cliAddr.Port(), srvAddr.Port(), ci+1, si+1, fA, []byte{'x'})
	base := ci + 1
	k := 0
	b.ReportAllocs()
	for b.Loop() {
		seg.SetSeq(base + uint32(order[k]))
		a.Add(cliAddr, srvAddr, seg, t0)
		if k++; k == len(order) {
			k = 0
			base += uint32(len(order))
		}
	}
	b.ReportMetric(float64(a.stats.Forced), "forced")
}
