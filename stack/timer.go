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
	mu      sync.Mutex
	timer   link.Timer
	at      time.Time // the pending deadline; zero when idle
	stopped bool
}

// arm makes fn run at time at, unless the slot is already armed for that
// time or an earlier one. A zero time arms nothing.
func (t *timerSlot) arm(clock link.Clock, at time.Time, fn func()) {
	if at.IsZero() {
		return
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.stopped || (!t.at.IsZero() && !at.Before(t.at)) {
		return
	}
	d := max(at.Sub(clock.Now()), 0)
	t.at = at
	if t.timer == nil {
		t.timer = clock.AfterFunc(d, func() {
			t.mu.Lock()
			t.at = time.Time{}
			stopped := t.stopped
			t.mu.Unlock()
			if !stopped {
				fn()
			}
		})
		return
	}
	t.timer.Reset(d)
}

// stop cancels the timer for good.
func (t *timerSlot) stop() {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.stopped = true
	if t.timer != nil {
		t.timer.Stop()
	}
}
