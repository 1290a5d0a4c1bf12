package tcp

import (
	"runtime"
	"testing"
	"time"

	"github.com/medina-net/medina/internal/manualclock"
)

// TestMemoryGrant: how much a buffer may grow at each level of the
// budget.
func TestMemoryGrant(t *testing.T) {
	const start = 64 << 10
	for _, tc := range []struct {
		name           string
		used           int64
		pressure       bool
		cur, want, got int
	}{
		{"no growth asked", 500_000, true, 8192, 4096, 4096},
		{"below pressure", 0, false, 0, 600_000, 600_000},
		{"growth that would reach pressure, up to the start size", 600_000, false, 0, start, start},
		{"growth that would reach pressure, past the start size", 600_000, false, start, 4 * start, start},
		{"under pressure, a start-sized buffer", 700_000, true, 0, start, start},
		{"under pressure, no further than the start size", 700_000, true, start, 2 * start, start},
		{"at the limit, the minimum", 1_000_000, true, 0, start, memMinBuffer},
		{"at the limit, a buffer at the minimum stays", 1_000_000, true, memMinBuffer, start, memMinBuffer},
		{"at the limit, a larger buffer keeps what it has", 1_000_000, true, 2 * start, 4 * start, 2 * start},
		{"at the limit, less than the minimum asked", 1_000_000, true, 0, 1000, 1000},
	} {
		var m memory
		m.init(1_000_000)
		m.used.Store(tc.used)
		m.underPressure.Store(tc.pressure)
		if got := m.grant(tc.cur, tc.want, start); got != tc.got {
			t.Errorf("%s: grant(%d, %d) with %d used = %d, want %d", tc.name, tc.cur, tc.want, tc.used, got, tc.got)
		}
	}
	var none memory
	none.init(-1)
	none.used.Store(1 << 40)
	if got := none.grant(0, 1<<30, start); got != 1<<30 {
		t.Errorf("without a limit, grant = %d, want all", got)
	}
}

// TestMemoryPressureHysteresis: pressure starts above two thirds of the
// limit and lasts until use falls below half of it, and each start is
// counted.
func TestMemoryPressureHysteresis(t *testing.T) {
	var m memory
	m.init(900)
	steps := []struct {
		charge   int
		pressure bool
	}{
		{600, false}, {1, true}, {-50, true}, {-100, true}, {-2, false}, {200, true},
	}
	for i, s := range steps {
		m.charge(s.charge)
		if m.pressure() != s.pressure {
			t.Errorf("step %d: at %d used, pressure %v, want %v", i, m.used.Load(), m.pressure(), s.pressure)
		}
	}
	if n := m.pressures.Load(); n != 2 {
		t.Errorf("%d pressure events counted, want 2", n)
	}
}

// TestMemoryAccountSettled: the storage of a connection the application
// dropped without closing is credited back when the connection is
// collected, so that the budget does not shrink for good.
func TestMemoryAccountSettled(t *testing.T) {
	e, err := NewEngine(&recNet{}, Config{Clock: manualclock.New(time.Unix(0, 0)), MemoryLimit: 1 << 20})
	if err != nil {
		t.Fatal(err)
	}
	func() {
		c := e.newConn(fourTuple{localAddr: recLocal, remoteAddr: recRemote, localPort: 80, remotePort: 40000})
		c.rcv.reserve(e.cfg.ReceiveBuffer)
		c.snd.reserve(initialSendBuffer)
		c.snd.reserve(2 * initialSendBuffer)
	}()
	if got, want := e.Stats().MemoryBytes, uint64(e.cfg.ReceiveBuffer+2*initialSendBuffer); got != want {
		t.Fatalf("MemoryBytes %d, want %d", got, want)
	}
	deadline := time.Now().Add(10 * time.Second)
	for e.Stats().MemoryBytes != 0 && time.Now().Before(deadline) {
		runtime.GC()
		time.Sleep(time.Millisecond)
	}
	if got := e.Stats().MemoryBytes; got != 0 {
		t.Errorf("MemoryBytes %d after the connection was collected, want 0", got)
	}
}

// TestOOOQueueBounded: a peer sending a byte in every other place of the
// window leaves at most maxOOORanges runs of out-of-order data: beyond
// the last they are refused, below it the highest is forgotten, and the
// runs nearest RCV.NXT are the ones kept.
func TestOOOQueueBounded(t *testing.T) {
	q := oooQueue{recent: -1}
	const base = Seq(1000)
	refused := 0
	for i := range 10_000 {
		at := base.Add(2*i + 1)
		if !q.add(at, at.Add(1)) {
			refused++
		}
	}
	if len(q.ranges) != maxOOORanges || refused != 10_000-maxOOORanges {
		t.Fatalf("%d ranges kept, %d refused; want %d and %d", len(q.ranges), refused, maxOOORanges, 10_000-maxOOORanges)
	}
	// Below the highest range: it goes to make room.
	last := q.ranges[maxOOORanges-1]
	if !q.add(base.Add(-100), base.Add(-99)) {
		t.Fatal("a range below the others was refused")
	}
	if len(q.ranges) != maxOOORanges || q.ranges[0].start != base.Add(-100) || q.ranges[maxOOORanges-1] == last {
		t.Errorf("after adding below: %d ranges, first %v, last %v (was %v)", len(q.ranges), q.ranges[0], q.ranges[maxOOORanges-1], last)
	}
	// Data that joins existing ranges is always taken.
	if !q.add(base.Add(1), base.Add(4)) || len(q.ranges) != maxOOORanges-1 {
		t.Errorf("a range merging two others: %d ranges", len(q.ranges))
	}
	for i := 1; i < len(q.ranges); i++ {
		if !q.ranges[i-1].end.LessThan(q.ranges[i].start) {
			t.Fatalf("ranges %d and %d overlap or touch: %v %v", i-1, i, q.ranges[i-1], q.ranges[i])
		}
	}
}
