package tcp

// The environment the script tests run an engine in: a clock that moves
// only when the script says, and a network that records every segment the
// engine sends.

import (
	"slices"
	"sync"
	"time"

	"github.com/medina-net/medina/link"
)

// manualClock is a link.Clock whose time moves only by advance. Timers are
// kept sorted by deadline (and by the order they were armed, for equal
// deadlines) and run by advance, one by one, each at its own deadline, in
// the goroutine that calls advance: a script is deterministic however the
// scheduler runs.
type manualClock struct {
	mu     sync.Mutex
	now    time.Time
	timers []*manualTimer // pending, sorted by (when, order)
	order  uint64         // arming counter, to break ties
}

type manualTimer struct {
	c     *manualClock
	f     func()
	when  time.Time
	order uint64
}

func newManualClock(start time.Time) *manualClock { return &manualClock{now: start} }

// Now returns the clock's time.
func (c *manualClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

// AfterFunc arms a timer that advance runs once the clock reaches now+d.
func (c *manualClock) AfterFunc(d time.Duration, f func()) link.Timer {
	t := &manualTimer{c: c, f: f}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.insert(t, d)
	return t
}

// insert schedules t at now+d. The caller holds c.mu.
func (c *manualClock) insert(t *manualTimer, d time.Duration) {
	t.when = c.now.Add(max(d, 0))
	c.order++
	t.order = c.order
	i, _ := slices.BinarySearchFunc(c.timers, t, func(a, b *manualTimer) int {
		if a.when.Equal(b.when) {
			return int(int64(a.order - b.order))
		}
		return a.when.Compare(b.when)
	})
	c.timers = slices.Insert(c.timers, i, t)
}

// remove unschedules t, reporting whether it was pending. The caller
// holds c.mu.
func (c *manualClock) remove(t *manualTimer) bool {
	i := slices.Index(c.timers, t)
	if i < 0 {
		return false
	}
	c.timers = slices.Delete(c.timers, i, i+1)
	return true
}

// Stop unschedules the timer.
func (t *manualTimer) Stop() bool {
	t.c.mu.Lock()
	defer t.c.mu.Unlock()
	return t.c.remove(t)
}

// Reset schedules the timer d from now, whether or not it was pending.
func (t *manualTimer) Reset(d time.Duration) bool {
	t.c.mu.Lock()
	defer t.c.mu.Unlock()
	was := t.c.remove(t)
	t.c.insert(t, d)
	return was
}

// advance moves the clock to to, running every timer due by then at its
// deadline, in order; timers that the callbacks arm are run too if they
// fall due by to. The clock never goes back.
func (c *manualClock) advance(to time.Time) {
	for {
		c.mu.Lock()
		if len(c.timers) == 0 || c.timers[0].when.After(to) {
			if to.After(c.now) {
				c.now = to
			}
			c.mu.Unlock()
			return
		}
		t := c.timers[0]
		c.timers = slices.Delete(c.timers, 0, 1)
		if t.when.After(c.now) {
			c.now = t.when
		}
		c.mu.Unlock()
		t.f()
	}
}

// sentSegment is a segment the engine sent, as the network got it.
type sentSegment struct {
	at       time.Time
	src, dst [4]byte
	b        []byte // the whole TCP segment, a copy
}

// scriptNet is the Network under the engine in script tests: it records
// every segment sent, with the time, and has one address and one route
// MTU.
type scriptNet struct {
	addr  [4]byte
	clock *manualClock

	mu   sync.Mutex
	mtu  int
	sent []sentSegment
}

func (n *scriptNet) Addr() [4]byte { return n.addr }

func (n *scriptNet) MTU(dst [4]byte) int {
	n.mu.Lock()
	defer n.mu.Unlock()
	return n.mtu
}

func (n *scriptNet) setMTU(mtu int) {
	n.mu.Lock()
	defer n.mu.Unlock()
	n.mtu = mtu
}

func (n *scriptNet) Segment(size int) *SegmentBuffer {
	return &SegmentBuffer{B: make([]byte, size)}
}

func (n *scriptNet) Send(seg *SegmentBuffer, size int, src, dst [4]byte) error {
	if size == 0 {
		return nil // the engine handing back a buffer it could not fill
	}
	s := sentSegment{at: n.clock.Now(), src: src, dst: dst, b: slices.Clone(seg.B[:size])}
	n.mu.Lock()
	defer n.mu.Unlock()
	n.sent = append(n.sent, s)
	return nil
}

// count returns how many segments have been sent.
func (n *scriptNet) count() int {
	n.mu.Lock()
	defer n.mu.Unlock()
	return len(n.sent)
}

// at returns segment i, or false if fewer were sent.
func (n *scriptNet) at(i int) (sentSegment, bool) {
	n.mu.Lock()
	defer n.mu.Unlock()
	if i >= len(n.sent) {
		return sentSegment{}, false
	}
	return n.sent[i], true
}
