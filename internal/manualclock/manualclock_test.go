package manualclock

import (
	"strings"
	"testing"
	"time"
)

var start = time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)

// TestOrder checks that timers run in deadline order, each at its
// deadline, including those that callbacks arm, and that Stop and Reset
// work.
func TestOrder(t *testing.T) {
	c := New(start)
	var got []string
	at := func(name string) func() {
		return func() { got = append(got, name+"@"+c.Now().Sub(start).String()) }
	}
	c.AfterFunc(30*time.Millisecond, at("c"))
	c.AfterFunc(10*time.Millisecond, func() {
		at("a")()
		c.AfterFunc(5*time.Millisecond, at("a2")) // due at 15 ms, before b
	})
	b := c.AfterFunc(20*time.Millisecond, at("b"))
	c.AfterFunc(20*time.Millisecond, at("b'")) // the same deadline: after b, armed first
	stopped := c.AfterFunc(25*time.Millisecond, at("never"))
	if !stopped.Stop() || stopped.Stop() {
		t.Error("Stop of a pending timer, then of a stopped one")
	}
	c.AdvanceTo(start.Add(20 * time.Millisecond))
	if b.Reset(time.Millisecond) {
		t.Error("Reset of a timer that fired reported it pending")
	}
	c.Advance(20 * time.Millisecond)
	want := "a@10ms a2@15ms b@20ms b'@20ms b@21ms c@30ms"
	if s := strings.Join(got, " "); s != want {
		t.Errorf("timers ran %s, want %s", s, want)
	}
	if d := c.Now().Sub(start); d != 40*time.Millisecond {
		t.Errorf("clock at %v, want 40ms", d)
	}
	c.AdvanceTo(start)
	if d := c.Now().Sub(start); d != 40*time.Millisecond {
		t.Errorf("clock went back to %v", d)
	}
}

// TestNext checks that Next takes a due timer off the list and moves the
// clock to it without running it.
func TestNext(t *testing.T) {
	c := New(start)
	ran := false
	tm := c.AfterFunc(time.Second, func() { ran = true })
	if _, ok := c.Next(start.Add(time.Second - 1)); ok {
		t.Fatal("Next returned a timer not yet due")
	}
	run, ok := c.Next(start.Add(time.Hour))
	if !ok || ran || !c.Now().Equal(start.Add(time.Second)) {
		t.Fatalf("Next: ok %v, ran %v, clock at %v; want the timer, not run, the clock at 1s", ok, ran, c.Now().Sub(start))
	}
	if tm.Stop() {
		t.Error("Stop of a timer Next took reported it pending")
	}
	run()
	if !ran {
		t.Error("the callback Next returned did not run the timer's function")
	}
}

// TestRunaway checks that a timer re-arming itself for the time it fired
// at panics instead of hanging.
func TestRunaway(t *testing.T) {
	c := New(start)
	var tm interface{ Reset(time.Duration) bool }
	tm = c.AfterFunc(0, func() { tm.Reset(0) })
	defer func() {
		if r := recover(); r == nil || !strings.Contains(r.(string), "re-arms itself") {
			t.Errorf("recovered %v, want the runaway panic", r)
		}
	}()
	c.Advance(time.Second)
}
