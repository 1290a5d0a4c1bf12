package netns

import (
	"bytes"
	"encoding/binary"
	"errors"
	"net"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/medina-net/medina/checksum"
	"github.com/medina-net/medina/ethernet"
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

// Device is what CloseUnblocksRead needs of a TAP or TUN device.
type Device interface {
	link.Device
	link.BatchReader
	Name() string
}

// CloseUnblocksRead checks, on a freshly opened dev, that Close unblocks
// a blocked ReadFrame and a blocked ReadFrames with an error matching
// net.ErrClosed, that reads and writes after it fail so too, that a
// second Close returns nil, and that the interface is gone.
func CloseUnblocksRead(t testing.TB, dev Device) {
	t.Helper()
	name := dev.Name()
	errc := make(chan error, 2)
	go func() {
		_, err := dev.ReadFrame(make([]byte, 1518))
		errc <- err
	}()
	go func() {
		_, err := dev.ReadFrames([][]byte{make([]byte, 1518), make([]byte, 1518)}, make([]int, 2))
		errc <- err
	}()
	time.Sleep(50 * time.Millisecond) // let them block
	if err := dev.Close(); err != nil {
		t.Fatal(err)
	}
	for range 2 {
		select {
		case err := <-errc:
			if !errors.Is(err, net.ErrClosed) {
				t.Errorf("blocked read returned %v, want net.ErrClosed", err)
			}
		case <-time.After(5 * time.Second):
			t.Fatal("Close did not unblock a blocked read")
		}
	}
	if err := dev.WriteFrame(make([]byte, 60)); !errors.Is(err, net.ErrClosed) {
		t.Errorf("WriteFrame after Close: %v, want net.ErrClosed", err)
	}
	if _, err := dev.ReadFrame(make([]byte, 1518)); !errors.Is(err, net.ErrClosed) {
		t.Errorf("ReadFrame after Close: %v, want net.ErrClosed", err)
	}
	if err := dev.Close(); err != nil {
		t.Errorf("second Close: %v", err)
	}
	if !Gone(name) {
		t.Errorf("%s still exists after Close", name)
	}
}

// Gone reports whether the interface called name (in the test's own
// namespace) has gone, waiting up to half a second for it to.
func Gone(name string) bool {
	for range 50 {
		if _, err := os.Stat("/sys/class/net/" + name); errors.Is(err, os.ErrNotExist) {
			return true
		}
		time.Sleep(10 * time.Millisecond)
	}
	return false
}

// Sysfs returns the contents of /sys/class/net/NAME/FILE, trimmed, or ""
// when it cannot be read.
func Sysfs(name, file string) string {
	b, _ := os.ReadFile("/sys/class/net/" + name + "/" + file)
	return strings.TrimSpace(string(b))
}

// EchoReply turns a frame holding an IPv4 ICMP echo request without IP
// options (behind 14 bytes of link header) into the echo reply a host
// would send: the
// addresses swapped and the type 0, its checksum updated (the IPv4
// header's is the same). The link header is left as it was.
func EchoReply(f []byte) {
	ip := f[ethernet.HeaderLen:]
	var src [4]byte
	copy(src[:], ip[12:16])
	copy(ip[12:16], ip[16:20])
	copy(ip[16:20], src[:])
	icmp := ip[20:]
	icmp[0] = 0
	binary.BigEndian.PutUint16(icmp[2:], checksum.Update(binary.BigEndian.Uint16(icmp[2:]), 0x0800, 0x0000))
}

// ReadBurst reads a burst of frames the kernel has queued on dev with
// ReadFrames, into buffers for twice as many, until burst have come,
// handing each to check with its index; it fails t unless the first call
// took at least two of them and exactly burst came.
func ReadBurst(t testing.TB, dev Device, burst int, check func(i int, f []byte)) {
	t.Helper()
	bufs := make([][]byte, 2*burst)
	for i := range bufs {
		bufs[i] = make([]byte, link.FrameLen(dev))
	}
	lens := make([]int, len(bufs))
	total, first := 0, 0
	for total < burst {
		n, err := dev.ReadFrames(bufs, lens)
		if err != nil {
			t.Fatal(err)
		}
		if first == 0 {
			first = n
		}
		for i := range n {
			check(total+i, bufs[i][:lens[i]])
		}
		total += n
	}
	if first < 2 || total != burst {
		t.Errorf("ReadFrames took %d frames of a queued burst of %d at once (%d in all)", first, burst, total)
	}
}
