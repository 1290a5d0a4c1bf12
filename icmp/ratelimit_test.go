package icmp

import (
	"sync"
	"testing"
	"time"
)

var rlT0 = time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)

// allowed counts how many of n messages, sent every gap from start, the
// limiter allows.
func allowed(l *RateLimiter, start time.Time, n int, gap time.Duration) int {
	ok := 0
	for i := range n {
		if l.Allow(start.Add(time.Duration(i) * gap)) {
			ok++
		}
	}
	return ok
}

func TestRateLimiter(t *testing.T) {
	for _, tc := range []struct {
		name  string
		rate  float64
		burst int
		n     int
		gap   time.Duration
		want  int
	}{
		{"burst at once", 1000, 50, 200, 0, 50},
		{"under the rate", 1000, 50, 5000, 2 * time.Millisecond, 5000},
		{"at the rate", 1000, 50, 5000, time.Millisecond, 5000},
		// 10000 a second for 1s: the burst and a thousand more.
		{"over the rate", 1000, 50, 10000, 100 * time.Microsecond, 50 + 1000 - 1},
		{"no refill", 0, 3, 100, time.Second, 3},
		{"burst 0 is 1", 1, 0, 10, 100 * time.Millisecond, 1},
		{"slow rate", 0.5, 1, 10, time.Second, 5},
	} {
		t.Run(tc.name, func(t *testing.T) {
			l := NewRateLimiter(tc.rate, tc.burst)
			got := allowed(l, rlT0, tc.n, tc.gap)
			if d := got - tc.want; d < -1 || d > 1 {
				t.Fatalf("allowed %d of %d, want %d", got, tc.n, tc.want)
			}
			if l.Denied() != uint64(tc.n-got) {
				t.Fatalf("Denied %d, want %d", l.Denied(), tc.n-got)
			}
		})
	}
}

func TestRateLimiterRefill(t *testing.T) {
	l := NewRateLimiter(DefaultRate, DefaultBurst)
	if n := allowed(l, rlT0, 100, 0); n != DefaultBurst {
		t.Fatalf("first burst %d", n)
	}
	// A long quiet spell refills the bucket to the burst, no more.
	if n := allowed(l, rlT0.Add(time.Hour), 100, 0); n != DefaultBurst {
		t.Fatalf("after an hour %d", n)
	}
	// 10 ms refills 10 tokens.
	if n := allowed(l, rlT0.Add(time.Hour+10*time.Millisecond), 100, 0); n != 10 {
		t.Fatalf("after 10 ms %d", n)
	}
	// Time going backwards adds nothing.
	if l.Allow(rlT0) {
		t.Fatal("allowed in the past")
	}
}

func TestRateLimiterNil(t *testing.T) {
	var l *RateLimiter
	if !l.Allow(rlT0) || l.Denied() != 0 {
		t.Fatal("nil limiter limits")
	}
}

func TestRateLimiterZeroAllocs(t *testing.T) {
	l := NewRateLimiter(DefaultRate, DefaultBurst)
	now := rlT0
	if n := testing.AllocsPerRun(1000, func() { now = now.Add(time.Microsecond); l.Allow(now) }); n != 0 {
		t.Fatalf("%v allocs", n)
	}
}

func TestRateLimiterConcurrent(t *testing.T) {
	l := NewRateLimiter(1000, 50)
	var wg sync.WaitGroup
	var mu sync.Mutex
	total := 0
	for g := range 4 {
		wg.Go(func() {
			n := 0
			for i := range 1000 {
				// Four senders over the same second.
				if l.Allow(rlT0.Add(time.Duration(4*i+g) * 250 * time.Microsecond)) {
					n++
				}
			}
			mu.Lock()
			total += n
			mu.Unlock()
		})
	}
	wg.Wait()
	// 4000 attempts over one second: at most the burst and a second's
	// worth (timestamps arrive out of order, which only loses tokens).
	if total > 50+1000 || total < 500 {
		t.Fatalf("allowed %d", total)
	}
}

func BenchmarkRateLimiter(b *testing.B) {
	l := NewRateLimiter(DefaultRate, DefaultBurst)
	now := rlT0
	b.ReportAllocs()
	for b.Loop() {
		now = now.Add(time.Microsecond)
		l.Allow(now)
	}
}
