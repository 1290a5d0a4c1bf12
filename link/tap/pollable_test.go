//go:build linux

package tap

import (
	"errors"
	"os"
	"testing"
	"time"

	"golang.org/x/sys/unix"
)

// Should water hand over a blocking descriptor, Open swaps it for a
// non-blocking one that the poller watches, so Close still unblocks a read.
func TestPollable(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("needs root for /dev/net/tun")
	}
	fd, err := unix.Open("/dev/net/tun", os.O_RDWR|unix.O_CLOEXEC, 0)
	if err != nil {
		t.Skip("no /dev/net/tun: ", err)
	}
	// Attach an interface first, as water does: a tun file that the
	// poller watches before it is attached reports an error event.
	ifr, err := unix.NewIfreq("mdnpoll%d")
	if err != nil {
		t.Fatal(err)
	}
	ifr.SetUint16(unix.IFF_TAP | unix.IFF_NO_PI)
	if err := unix.IoctlIfreq(fd, unix.TUNSETIFF, ifr); err != nil {
		unix.Close(fd)
		t.Fatal(err)
	}
	blocking := os.NewFile(uintptr(fd), "tun")
	if err := blocking.SetReadDeadline(time.Time{}); !errors.Is(err, os.ErrNoDeadline) {
		t.Fatalf("a blocking descriptor is pollable already (%v); the test proves nothing", err)
	}
	f, err := pollable(blocking)
	if err != nil {
		t.Fatal(err)
	}
	if err := f.SetReadDeadline(time.Time{}); err != nil {
		t.Fatalf("after pollable: %v", err)
	}
	errc := make(chan error)
	go func() {
		_, err := f.Read(make([]byte, 1518))
		errc <- err
	}()
	time.Sleep(20 * time.Millisecond)
	f.Close()
	select {
	case err := <-errc:
		if !errors.Is(err, os.ErrClosed) {
			t.Errorf("Read = %v, want os.ErrClosed", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("Close did not unblock Read")
	}
}
