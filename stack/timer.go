package stack

import (
	"sync"
	"time"

	"github.com/medina-net/medina/link"
)

// timerSlot is one clock timer that an engine's next deadline arms: the
// engines (neighbour cache, reassembly) report when they next need to run,
// and the slot keeps a single timer pending for the earliest such time.
type timerSlot struct {
	clock link.Clock
	fn    func() // what the timer runs; a method value made once, since making one allocates

	mu      sync.Mutex
	timer   link.Timer
	at      time.Time // the pending deadline; zero when idle
	stopped bool
	running sync.WaitGroup // callbacks in progress
}

// init sets the clock of the slot's timer and what it runs.
func (t *timerSlot) init(clock link.Clock, fn func()) { t.clock, t.fn = clock, fn }

// arm makes the slot's function run at time at, unless the slot is
// already armed for that time or an earlier one. A zero time arms
// nothing.
func (t *timerSlot) arm(at time.Time) {
	if at.IsZero() {
		return
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.stopped || (!t.at.IsZero() && !at.Before(t.at)) {
		return
	}
	d := max(at.Sub(t.clock.Now()), 0)
	t.at = at
	if t.timer == nil {
		t.timer = t.clock.AfterFunc(d, func() {
			t.mu.Lock()
			t.at = time.Time{}
			if t.stopped {
				t.mu.Unlock()
				return
			}
			t.running.Add(1)
			t.mu.Unlock()
			defer t.running.Done()
			t.fn()
		})
		return
	}
	t.timer.Reset(d)
}

// stop cancels the timer for good. A callback already running goes on;
// wait waits for it.
func (t *timerSlot) stop() {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.stopped = true
	if t.timer != nil {
		t.timer.Stop()
	}
}

// wait waits for the callbacks that started before stop to return.
func (t *timerSlot) wait() { t.running.Wait() }
