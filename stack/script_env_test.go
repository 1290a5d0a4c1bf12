package stack

// The environment the stack's scripts run it in: a device that records
// every frame the stack writes, with the time of a clock that moves only
// when the script says (internal/manualclock).

import (
	"bytes"
	"net"
	"sync"
	"time"

	"github.com/medina-net/medina/link"
)

// sentFrame is a frame the stack wrote, and when.
type sentFrame struct {
	at time.Time
	b  []byte // a copy
}

// scriptDevice is the device under a scripted stack: a fuzzDevice (its
// reads wait for Close; the script hands frames to the stack's input
// itself) whose writes are kept with their time.
type scriptDevice struct {
	*fuzzDevice
	clock link.Clock

	mu   sync.Mutex
	sent []sentFrame
}

func (d *scriptDevice) WriteFrame(frame []byte) error {
	select {
	case <-d.closed:
		return net.ErrClosed
	default:
	}
	f := sentFrame{at: d.clock.Now(), b: bytes.Clone(frame)}
	d.mu.Lock()
	defer d.mu.Unlock()
	d.sent = append(d.sent, f)
	return nil
}

// count returns how many frames have been written.
func (d *scriptDevice) count() int {
	d.mu.Lock()
	defer d.mu.Unlock()
	return len(d.sent)
}

// at returns frame i, or false if fewer were written.
func (d *scriptDevice) at(i int) (sentFrame, bool) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if i >= len(d.sent) {
		return sentFrame{}, false
	}
	return d.sent[i], true
}
