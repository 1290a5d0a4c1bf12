// Package manualclock is a link.Clock for tests, whose time moves only
// when the test moves it. Timers run in the goroutine that moves the
// clock, one by one, in deadline order, each with the clock set to its own
// deadline: a test that feeds a stack or a TCP engine and moves the clock
// from one goroutine runs it deterministically, however the scheduler
// runs, and sees every timer act at the time it was due.
//
// It is test infrastructure, like internal/netns: the script harnesses of
// packages tcp and stack and the stack's hand-written tests share it.
package manualclock

import (
	"fmt"
	"slices"
	"sync"
	"time"

	"github.com/medina-net/medina/link"
)

// MaxFiredPerAdvance bounds the timers one AdvanceTo runs. A timer that
// re-arms itself for the time it fired at would spin forever on any
// clock; this one panics and says so instead of hanging the test.
const MaxFiredPerAdvance = 100000

// Clock is a link.Clock whose time moves only by Advance, AdvanceTo and
// Next. Its methods may be called from several goroutines.
type Clock struct {
	mu     sync.Mutex
	now    time.Time
	timers []*timer // pending, sorted by (when, order)
	order  uint64   // arming counter: timers due at the same time run in the order they were armed
}

// timer is a timer of a Clock; it is pending while it is in the clock's
// list.
type timer struct {
	c     *Clock
	f     func()
	when  time.Time
	order uint64
}

// New returns a clock that reads start until it is moved.
func New(start time.Time) *Clock { return &Clock{now: start} }

// Now returns the clock's time.
func (c *Clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

// AfterFunc arms a timer that runs f once the clock is moved to now+d or
// beyond (a d of 0 or less: at the next move, even to the same time).
func (c *Clock) AfterFunc(d time.Duration, f func()) link.Timer {
	t := &timer{c: c, f: f}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.insert(t, d)
	return t
}

// insert schedules t at now+d. The caller holds c.mu.
func (c *Clock) insert(t *timer, d time.Duration) {
	t.when = c.now.Add(max(d, 0))
	c.order++
	t.order = c.order
	i, _ := slices.BinarySearchFunc(c.timers, t, func(a, b *timer) int {
		if a.when.Equal(b.when) {
			return int(int64(a.order - b.order))
		}
		return a.when.Compare(b.when)
	})
	c.timers = slices.Insert(c.timers, i, t)
}

// remove unschedules t, reporting whether it was pending. The caller
// holds c.mu.
func (c *Clock) remove(t *timer) bool {
	i := slices.Index(c.timers, t)
	if i < 0 {
		return false
	}
	c.timers = slices.Delete(c.timers, i, i+1)
	return true
}

// Stop unschedules the timer, reporting whether it was pending.
func (t *timer) Stop() bool {
	t.c.mu.Lock()
	defer t.c.mu.Unlock()
	return t.c.remove(t)
}

// Reset schedules the timer d from now, whether or not it was pending,
// reporting whether it was.
func (t *timer) Reset(d time.Duration) bool {
	t.c.mu.Lock()
	defer t.c.mu.Unlock()
	was := t.c.remove(t)
	t.c.insert(t, d)
	return was
}

// Next takes the earliest timer due by the time by off the list, moves the
// clock to its deadline (if that is later than now) and returns its
// callback without running it; ok is false when no timer is due by then.
// AdvanceTo is Next and run in a loop; a test calls Next itself to act
// between a timer's firing and its callback, the window in which a real
// timer's Stop already fails but its callback has not yet run.
func (c *Clock) Next(by time.Time) (run func(), ok bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.timers) == 0 || c.timers[0].when.After(by) {
		return nil, false
	}
	t := c.timers[0]
	c.timers = slices.Delete(c.timers, 0, 1)
	if t.when.After(c.now) {
		c.now = t.when
	}
	return t.f, true
}

// AdvanceTo moves the clock to to, running every timer due by then at its
// deadline, in order, including those that the callbacks arm if they fall
// due by to. The clock never goes back: a time before now runs the timers
// already due and leaves the time as it is.
func (c *Clock) AdvanceTo(to time.Time) {
	for fired := 0; ; fired++ {
		run, ok := c.Next(to)
		if !ok {
			break
		}
		if fired == MaxFiredPerAdvance {
			panic(fmt.Sprintf("manualclock: %d timers run by one advance, the last due at %v: a timer re-arms itself without end",
				fired, c.Now()))
		}
		run()
	}
	c.mu.Lock()
	if to.After(c.now) {
		c.now = to
	}
	c.mu.Unlock()
}

// Advance moves the clock forward by d, as AdvanceTo(Now()+d).
func (c *Clock) Advance(d time.Duration) { c.AdvanceTo(c.Now().Add(d)) }
