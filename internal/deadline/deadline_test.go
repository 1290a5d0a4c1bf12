package deadline

import (
	"testing"
	"testing/synctest"
	"time"

	"github.com/medina-net/medina/link"
)

func expiredWithin(d *Deadline, wait time.Duration) bool {
	select {
	case <-d.Wait():
		return true
	case <-time.After(wait):
		return false
	}
}

func TestDeadline(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		d := New(link.SystemClock)
		if d.Expired() {
			t.Fatal("a new deadline has expired")
		}
		start := time.Now()
		d.Set(start.Add(2 * time.Second))
		if expiredWithin(d, time.Second) {
			t.Fatal("expired a second early")
		}
		if !expiredWithin(d, 2*time.Second) || time.Since(start) != 2*time.Second {
			t.Fatalf("did not expire at 2s (now %v)", time.Since(start))
		}
		// Moving an expired deadline into the future clears it.
		d.Set(time.Now().Add(time.Hour))
		if d.Expired() {
			t.Fatal("still expired after being moved an hour ahead")
		}
		// A waiter holding the channel is woken when the deadline is
		// brought forward into the past.
		ch := d.Wait()
		d.Set(time.Now().Add(-time.Second))
		select {
		case <-ch:
		default:
			t.Fatal("a deadline set in the past did not wake the waiter")
		}
		// Clearing it: nothing fires, even after the old time.
		d.Set(time.Now().Add(time.Second))
		d.Set(time.Time{})
		if expiredWithin(d, 5*time.Second) {
			t.Fatal("a cleared deadline expired")
		}
		d.Stop()
	})
}

func TestDeadlineMovedWhileWaiting(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		d := New(link.SystemClock)
		d.Set(time.Now().Add(10 * time.Second))
		woke := make(chan time.Duration)
		start := time.Now()
		go func() {
			<-d.Wait()
			woke <- time.Since(start)
		}()
		synctest.Wait()
		d.Set(time.Now().Add(3 * time.Second)) // earlier
		if got := <-woke; got != 3*time.Second {
			t.Fatalf("waiter woke after %v, want 3s", got)
		}
	})
}
