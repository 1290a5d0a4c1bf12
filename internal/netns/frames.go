package netns

import (
	"bytes"
	"errors"
	"net"
	"testing"
	"time"

	"github.com/medina-net/medina/link"
)

// Frames reads dev in a goroutine until it is closed and sends copies of
// the frames it reads on the channel it returns, which it closes then; a
// read error other than the close fails t. It is how a test plays the
// stack's side of a TAP or TUN by hand.
func Frames(t testing.TB, dev link.Device) <-chan []byte {
	ch := make(chan []byte, 64)
	go func() {
		defer close(ch)
		buf := make([]byte, link.FrameLen(dev))
		for {
			n, err := dev.ReadFrame(buf)
			if err != nil {
				if !errors.Is(err, net.ErrClosed) {
					t.Errorf("ReadFrame: %v", err)
				}
				return
			}
			ch <- bytes.Clone(buf[:n])
		}
	}()
	return ch
}

// Expect returns the first frame from ch (Frames') that match accepts,
// logging the ones it skips, or fails t when none has come within 10
// seconds or ch closes; what names the frame awaited in the failure.
func Expect(t testing.TB, ch <-chan []byte, what string, match func([]byte) bool) []byte {
	t.Helper()
	timeout := time.After(10 * time.Second)
	for {
		select {
		case f, ok := <-ch:
			if !ok {
				t.Fatalf("device closed while waiting for %s", what)
			}
			if match(f) {
				return f
			}
			t.Logf("skipping a frame of %d bytes, % x, while waiting for %s", len(f), f[:min(len(f), 34)], what)
		case <-timeout:
			t.Fatalf("no %s within 10s", what)
		}
	}
}
