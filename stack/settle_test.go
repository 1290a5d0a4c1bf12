package stack

import (
	"testing/synctest"
	"time"

	"github.com/medina-net/medina/link"
)

// settledDevice hands its stack each frame it reads only once everything
// else in the synctest bubble has settled (synctest.Wait): the stack's
// timers that fall due at the frame's instant have run, and so has what
// they set off. Virtual time makes every instant exact, but not the order
// of the goroutines that wake at one instant: a replayed frame and a timer
// due at the same time (the neighbour cache's end of DELAY, say) would
// otherwise race, and the stack's frames come out in either order. The
// golden sessions are recorded under the same rule (goldenPause): at an
// instant, timers first, then frames. Only one goroutine of a bubble may
// wait at a time, so only the stack under test reads through one.
type settledDevice struct{ link.Device }

func (d settledDevice) ReadFrame(buf []byte) (int, error) {
	n, err := d.Device.ReadFrame(buf)
	if err == nil {
		synctest.Wait()
	}
	return n, err
}

// goldenPause is the recorded peer's pause between two steps of a
// session: d of virtual time, then until the bubble settles, so that what
// the stack under test does by itself at the instant the peer wakes (a
// timer due then) comes before the peer's next frame, as settledDevice
// has it in the replay.
func goldenPause(d time.Duration) {
	time.Sleep(d)
	synctest.Wait()
}
