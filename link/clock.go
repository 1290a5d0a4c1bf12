package link

import "time"

// Clock is the time source a stack and its devices share: wall time for
// timestamps (pcap.Tap stamps frames with it) and timers for delays
// (link/impair holds frames back with it). The stack takes its Clock from
// its configuration, so a test can substitute one; the standard clock works
// in testing/synctest bubbles, where it is virtual.
type Clock interface {
	// Now returns the current time.
	Now() time.Time
	// AfterFunc calls f in its own goroutine after d, like time.AfterFunc.
	AfterFunc(d time.Duration, f func()) Timer
}

// Timer is a timer made by Clock.AfterFunc.
type Timer interface {
	// Stop prevents the timer from firing, reporting whether it was still
	// pending.
	Stop() bool
	// Reset makes the timer fire after d, reporting whether it was still
	// pending.
	Reset(d time.Duration) bool
}

// SystemClock is the Clock of the time package.
var SystemClock Clock = systemClock{}

type systemClock struct{}

func (systemClock) Now() time.Time { return time.Now() }

func (systemClock) AfterFunc(d time.Duration, f func()) Timer { return time.AfterFunc(d, f) }
