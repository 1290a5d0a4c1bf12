//go:build linux

package tap

import (
	"errors"
	"net"
	"os"
	"syscall"
	"testing"
	"time"
	"unsafe"
)

// Should water hand over a blocking descriptor, Open swaps it for a
// non-blocking one that the poller watches, so Close still unblocks a read.
func TestPollable(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("needs root for /dev/net/tun")
	}
	fd, err := syscall.Open("/dev/net/tun", os.O_RDWR|syscall.O_CLOEXEC, 0)
	if err != nil {
		t.Skip("no /dev/net/tun: ", err)
	}
	// Attach an interface first, as water does: a tun file that the
	// poller watches before it is attached reports an error event.
	ifce := ifreq{}
	copy(ifce.name[:], "mdnpoll%d")
	*(*uint16)(unsafe.Pointer(&ifce.data[0])) = 0x0002 | 0x1000 // IFF_TAP | IFF_NO_PI
	if err := ioctl(fd, syscall.TUNSETIFF, &ifce); err != nil {
		syscall.Close(fd)
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
	d := &Device{f: f, name: "test", errClosed: net.ErrClosed}
	errc := make(chan error)
	go func() {
		_, err := d.ReadFrame(make([]byte, 1518))
		errc <- err
	}()
	time.Sleep(20 * time.Millisecond)
	d.Close()
	select {
	case err := <-errc:
		if !errors.Is(err, net.ErrClosed) {
			t.Errorf("ReadFrame = %v, want net.ErrClosed", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("Close did not unblock ReadFrame")
	}
}
