package tcpstream

import (
	"fmt"
	"net/netip"
	"strings"
	"testing"
	"time"

	"github.com/medina-net/medina/tcp"
)

// Flag shorthands for tests.
const (
	fS = tcp.FlagSYN
	fA = tcp.FlagACK
	fF = tcp.FlagFIN
	fR = tcp.FlagRST
	fP = tcp.FlagPSH
)

var (
	cliAddr = netip.MustParseAddrPort("10.0.0.1:40000")
	srvAddr = netip.MustParseAddrPort("10.0.0.2:443")
	t0      = time.Date(2024, 1, 2, 3, 4, 5, 0, time.UTC)
)

// mkseg builds a segment with payload.
func mkseg(sp, dp uint16, seq, ack uint32, fl tcp.Flags, payload []byte) tcp.Header {
	f := tcp.Fields{SrcPort: sp, DstPort: dp, Seq: seq, Ack: ack, Flags: fl, Window: 65535}
	b := make([]byte, f.HeaderLen()+len(payload))
	copy(b[f.HeaderLen():], payload)
	h, err := f.Encode(b)
	if err != nil {
		panic(err)
	}
	return h
}

// rec is what a recorder saw of one Stream.
type rec struct {
	s        *Stream
	out      [2]strings.Builder // data, with gaps shown as <n>
	data     [2][]byte          // data only
	gapBytes [2]int
	closes   int
	reason   CloseReason
}

// recorder is a Handler that keeps everything and checks the contract:
// nothing after Close, Close once.
type recorder struct {
	t       testing.TB
	streams []*rec
	byS     map[*Stream]*rec
	// onData, when set, is called after each Data.
	onData func(s *Stream, d Direction, b []byte)
}

func newRecorder(t testing.TB) *recorder {
	return &recorder{t: t, byS: make(map[*Stream]*rec)}
}

func (r *recorder) get(s *Stream) *rec {
	x := r.byS[s]
	if x == nil {
		x = &rec{s: s}
		r.byS[s] = x
		r.streams = append(r.streams, x)
	}
	if x.closes > 0 {
		r.t.Fatalf("stream %d (%v): call after Close", s.ID, s)
	}
	return x
}

func (r *recorder) Data(s *Stream, d Direction, b []byte, ts time.Time) {
	x := r.get(s)
	if len(b) == 0 {
		r.t.Fatalf("stream %d: empty Data", s.ID)
	}
	x.out[d].Write(b)
	x.data[d] = append(x.data[d], b...)
	if r.onData != nil {
		r.onData(s, d, b)
	}
}

func (r *recorder) Gap(s *Stream, d Direction, n int) {
	x := r.get(s)
	if n <= 0 {
		r.t.Fatalf("stream %d: Gap(%d)", s.ID, n)
	}
	fmt.Fprintf(&x.out[d], "<%d>", n)
	x.gapBytes[d] += n
}

func (r *recorder) Close(s *Stream, reason CloseReason) {
	x := r.get(s)
	x.closes++
	x.reason = reason
}

// checkInvariants checks the memory accounting of a against its
// connections and its bounds.
func checkInvariants(t testing.TB, a *Assembler) {
	t.Helper()
	total := 0
	holding := 0
	for c := a.holders.head; c != nil; c = c.links[holdLinks].next {
		holding++
		if !c.holding {
			t.Fatalf("stream %d in the holding list, not marked", c.s.ID)
		}
	}
	if holding != a.holders.n {
		t.Fatalf("holding list has %d, counts %d", holding, a.holders.n)
	}
	charging, charges := 0, 0
	for c := a.charging.head; c != nil; c = c.links[chargeLinks].next {
		charging++
		if !c.charging || c.s.charged <= 0 || c.closed {
			t.Fatalf("stream %d in the charging list: marked %v, charged %d, closed %v", c.s.ID, c.charging, c.s.charged, c.closed)
		}
	}
	if charging != a.charging.n {
		t.Fatalf("charging list has %d, counts %d", charging, a.charging.n)
	}
	for _, c := range a.conns {
		sum := 0
		for d := range c.half {
			h := &c.half[d]
			held := h.held()
			for i, ch := range held {
				sum += cap(ch.data) + chunkCost
				if len(ch.data) == 0 {
					t.Fatalf("stream %d: empty chunk", c.s.ID)
				}
				if !ch.seq.GreaterThan(h.next) {
					t.Fatalf("stream %d dir %d: chunk at %d not after next %d", c.s.ID, d, ch.seq, h.next)
				}
				if i > 0 {
					p := held[i-1]
					if end := p.seq.Add(len(p.data)); !end.LessThan(ch.seq) && end != ch.seq {
						t.Fatalf("stream %d dir %d: chunks overlap", c.s.ID, d)
					}
				}
			}
		}
		if sum != c.buffered {
			t.Fatalf("stream %d: buffered %d, chunks %d", c.s.ID, c.buffered, sum)
		}
		if c.buffered+c.s.charged > a.cfg.MaxBufferedPerStream {
			t.Fatalf("stream %d: buffered %d + charged %d > %d", c.s.ID, c.buffered, c.s.charged, a.cfg.MaxBufferedPerStream)
		}
		if (c.buffered > 0) != c.holding {
			t.Fatalf("stream %d: buffered %d, holding %v", c.s.ID, c.buffered, c.holding)
		}
		if (c.s.charged > 0) != c.charging {
			t.Fatalf("stream %d: charged %d, charging %v", c.s.ID, c.s.charged, c.charging)
		}
		if c.closed && (c.s.charged != 0 || c.s.asm != nil) {
			t.Fatalf("stream %d: ended, still charged %d", c.s.ID, c.s.charged)
		}
		total += c.buffered + c.s.charged
		charges += c.s.charged
	}
	if total != a.total || charges != a.charges {
		t.Fatalf("total %d (charges %d), streams hold %d (charged %d)", a.total, a.charges, total, charges)
	}
	if a.total > a.cfg.MaxBufferedTotal {
		t.Fatalf("total %d > %d", a.total, a.cfg.MaxBufferedTotal)
	}
	if a.pool.bytes > a.pool.limit {
		t.Fatalf("free %d > %d", a.pool.bytes, a.pool.limit)
	}
	if a.live.n+a.ended.n != len(a.conns) {
		t.Fatalf("lists %d+%d, map %d", a.live.n, a.ended.n, len(a.conns))
	}
	if len(a.conns) > a.cfg.MaxStreams {
		t.Fatalf("%d streams > %d", len(a.conns), a.cfg.MaxStreams)
	}
}
