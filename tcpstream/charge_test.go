package tcpstream

import (
	"net/netip"
	"runtime"
	"testing"
	"time"
)

// A Handler that charges what it holds for its streams shares the
// Assembler's bounds with the out-of-order data: past the total, the least
// recently active streams that hold memory end (CloseMemory); a stream
// that alone holds more than its share ends; and an ended stream is charged
// nothing and its late segments start no new Stream.

// holdAll is a recorder whose streams keep what they are given, as a TLS
// session keeps an incomplete record, and charge it.
func holdAll(t *testing.T) *recorder {
	r := newRecorder(t)
	r.onData = func(s *Stream, _ Direction, b []byte) { s.Charge(len(b)) }
	return r
}

// clientN is the client end of connection i of a test.
func clientN(i int) netip.AddrPort {
	return netip.AddrPortFrom(netip.AddrFrom4([4]byte{10, 1, byte(i >> 8), byte(i)}), 40000)
}

func TestChargeShedsLeastRecentlyActive(t *testing.T) {
	r := holdAll(t)
	cfg := Config{MaxBufferedTotal: 10_000, MaxBufferedPerStream: 4_000}
	a := NewAssembler(cfg, r)
	at := t0
	send := func(i int, seq uint32, n int) {
		at = at.Add(time.Millisecond)
		a.Add(clientN(i), srvAddr, mkseg(40000, 443, seq, 1, fA, make([]byte, n)), at)
		checkInvariants(t, a)
	}
	// Ten streams hold 1,000 bytes each: the bound.
	for i := range 10 {
		send(i, 1000, 1000)
	}
	if st := a.Stats(); st.Buffered != 10_000 || st.Charged != 10_000 || st.Shed != 0 {
		t.Fatalf("after ten streams: %+v", st)
	}
	// Stream 0 is active again, so stream 1 is now the least recently
	// active: an eleventh stream sheds it, and then stream 2.
	send(0, 2000, 10)
	send(10, 1000, 1500)
	st := a.Stats()
	if st.Shed != 2 || st.Buffered > cfg.MaxBufferedTotal {
		t.Fatalf("after the eleventh stream: %+v", st)
	}
	for i, x := range r.streams {
		want := 0
		if i == 1 || i == 2 {
			want = 1
		}
		if x.closes != want || want == 1 && x.reason != CloseMemory {
			t.Errorf("stream %d (%v): %d closes, reason %v", i, x.s, x.closes, x.reason)
		}
		if want == 1 && x.s.Charged() != 0 {
			t.Errorf("stream %d: ended with %d charged", i, x.s.Charged())
		}
	}
	// A shed stream is remembered: its next segment is late, not a new
	// Stream, and charging it does nothing.
	streams := a.Stats().Streams
	send(1, 2000, 100)
	if st := a.Stats(); st.Streams != streams || st.Late != 1 {
		t.Errorf("segment of a shed stream: %d streams (was %d), %d late", st.Streams, streams, st.Late)
	}
	r.streams[1].s.Charge(1 << 20)
	if st := a.Stats(); st.Buffered > cfg.MaxBufferedTotal {
		t.Errorf("charging an ended stream counted: %+v", st)
	}
	checkInvariants(t, a)
	a.Close()
	if st := a.Stats(); st.Buffered != 0 || st.Charged != 0 {
		t.Errorf("after Close: %+v", st)
	}
	checkInvariants(t, a)
}

func TestChargeOverPerStream(t *testing.T) {
	// The Handler holds what it is given, except pieces of 1,000 bytes.
	r := newRecorder(t)
	r.onData = func(s *Stream, _ Direction, b []byte) {
		if len(b) != 1000 {
			s.Charge(len(b))
		}
	}
	cfg := Config{MaxBufferedTotal: 100_000, MaxBufferedPerStream: 3_000}
	a := NewAssembler(cfg, r)
	// The stream holds out-of-order data (1,000 bytes in a buffer of
	// 1,024, and 128 for its record), then its Handler holds 1,900 bytes:
	// over the bound, the held data is given up first (delivered after a
	// gap of 100 bytes), which is enough. Then the Handler alone holds
	// more than the bound, and the stream ends.
	steps := hs(
		c(fA, ci+1, si+1, string(make([]byte, 1000))),
		c(fA, ci+3001, si+1, string(make([]byte, 1000))),
		c(fA, ci+1001, si+1, string(make([]byte, 1900))),
	)
	for i, st := range steps {
		a.Add(st.src, st.dst, mkseg(st.src.Port(), st.dst.Port(), st.seq, st.ack, st.fl, []byte(st.data)), t0.Add(time.Duration(i)*time.Millisecond))
		checkInvariants(t, a)
	}
	x := r.streams[0]
	if st := a.Stats(); x.closes != 0 || st.Forced != 1 || x.gapBytes[0] != 100 || st.Buffered != 1900 {
		t.Fatalf("held data and 1,900 bytes charged: %d closes, %d gap bytes, %+v", x.closes, x.gapBytes[0], st)
	}
	a.Add(cliAddr, srvAddr, mkseg(40000, 443, ci+4001, si+1, fA, make([]byte, 1200)), t0.Add(time.Second))
	checkInvariants(t, a)
	if st := a.Stats(); x.closes != 1 || x.reason != CloseMemory || st.Shed != 1 || st.Buffered != 0 {
		t.Fatalf("past the bound per stream: %d closes (%v), %+v", x.closes, x.reason, st)
	}
}

// TestChargeHoldSheds: out-of-order data that needs room past the total
// makes the least recently active charged stream end before it gives up
// its own holes.
func TestChargeHoldSheds(t *testing.T) {
	r := holdAll(t)
	cfg := Config{MaxBufferedTotal: 8_000, MaxBufferedPerStream: 8_000}
	a := NewAssembler(cfg, r)
	for i := range 6 {
		a.Add(clientN(i), srvAddr, mkseg(40000, 443, 1000, 1, fA, make([]byte, 1000)), t0.Add(time.Duration(i)*time.Millisecond))
	}
	// 6,000 charged; 2,000 of data held out of order needs 2,048+2*128.
	a.Add(clientN(9), srvAddr, mkseg(40000, 443, 1000, 1, fA, make([]byte, 10)), t0.Add(time.Second))
	a.Add(clientN(9), srvAddr, mkseg(40000, 443, 2000, 1, fA, make([]byte, 2000)), t0.Add(time.Second))
	checkInvariants(t, a)
	st := a.Stats()
	if st.Shed != 1 || st.Forced != 0 || r.streams[0].reason != CloseMemory {
		t.Fatalf("%+v; stream 0 closed %d times (%v)", st, r.streams[0].closes, r.streams[0].reason)
	}
	a.Close()
}

// TestConnRecordSize checks the documented fixed cost of a connection
// (under 1 KiB with its entry in the table), which bounds what MaxStreams
// connections hold beside the memory bounds.
func TestConnRecordSize(t *testing.T) {
	const n = 20000
	a := NewAssembler(Config{MaxStreams: n}, nopHandler{})
	seg := mkseg(40000, 443, 1000, 1, fA, []byte("x"))
	before := liveHeap()
	for i := range n {
		a.Add(clientN(i), srvAddr, seg, t0)
	}
	after := liveHeap()
	per := (after - min(before, after)) / n
	t.Logf("%d bytes per connection", per)
	if per >= 1024 {
		t.Errorf("%d bytes per connection, documented as under 1 KiB", per)
	}
	runtime.KeepAlive(a)
}

// liveHeap returns the heap in use after a collection.
func liveHeap() uint64 {
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return m.HeapAlloc
}

// nopHandler keeps nothing.
type nopHandler struct{}

func (nopHandler) Data(*Stream, Direction, []byte, time.Time) {}
func (nopHandler) Gap(*Stream, Direction, int)                {}
func (nopHandler) Close(*Stream, CloseReason)                 {}
