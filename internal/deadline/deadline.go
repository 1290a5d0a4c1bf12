// Package deadline implements the read and write deadlines of the
// net.Conn and net.PacketConn types medina's stack hands out, on the
// stack's clock so that they work in testing/synctest bubbles and with an
// injected clock.
package deadline

import (
	"sync"
	"time"

	"github.com/medina-net/medina/link"
)

// Deadline is one deadline (a read or a write one): a channel that is
// closed when the deadline passes, replaced when the deadline is moved.
// The zero value is not usable; use New.
type Deadline struct {
	clock link.Clock

	mu      sync.Mutex
	timer   link.Timer
	expired chan struct{} // closed when the deadline has passed
}

// New returns a Deadline that is not set.
func New(clock link.Clock) *Deadline {
	return &Deadline{clock: clock, expired: make(chan struct{})}
}

// Set moves the deadline to t. The zero time clears it; a time in the past
// makes waiters return at once, as with net.Conn.SetDeadline.
func (d *Deadline) Set(t time.Time) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.timer != nil && !d.timer.Stop() {
		// The timer fired, or is firing: its callback closes the channel
		// it captured, which may be the current one. Waiters must get a
		// fresh channel either way.
		d.expired = make(chan struct{})
	}
	d.timer = nil

	select {
	case <-d.expired:
		// The old deadline passed; start over with an open channel.
		d.expired = make(chan struct{})
	default:
	}
	if t.IsZero() {
		return
	}
	dur := t.Sub(d.clock.Now())
	if dur <= 0 {
		close(d.expired)
		return
	}
	ch := d.expired
	d.timer = d.clock.AfterFunc(dur, func() {
		d.mu.Lock()
		defer d.mu.Unlock()
		// Close the channel this timer was armed for, even when Set has
		// replaced it since (Set moved the deadline while this timer was
		// firing): waiters that took it before the move are still
		// waiting on it, and only its closing wakes them to take the
		// current one.
		select {
		case <-ch:
		default:
			close(ch)
		}
	})
}

// Wait returns a channel that is closed when the deadline passes. Callers
// take it before waiting and wait on it together with their event, so a
// deadline moved meanwhile wakes them through the channel they hold only
// if that one expires; they then recheck.
func (d *Deadline) Wait() <-chan struct{} {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.expired
}

// Expired reports whether the deadline has passed.
func (d *Deadline) Expired() bool {
	select {
	case <-d.Wait():
		return true
	default:
		return false
	}
}

// Stop releases the timer, when the conn is closed.
func (d *Deadline) Stop() {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.timer != nil {
		d.timer.Stop()
		d.timer = nil
	}
}
