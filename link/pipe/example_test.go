package pipe_test

import (
	"errors"
	"fmt"
	"net"

	"github.com/medina-net/medina/ethernet"
	"github.com/medina-net/medina/link"
	"github.com/medina-net/medina/link/pipe"
)

// Join two devices, send a frame across, and close.
func ExampleNew() {
	a, b := pipe.New(pipe.Config{})

	frame := make([]byte, ethernet.MinFrameLen)
	ethernet.Encode(frame, b.HardwareAddr(), a.HardwareAddr(), ethernet.TypeIPv4)
	if err := a.WriteFrame(frame); err != nil {
		fmt.Println(err)
	}
	a.Close() // b still reads what a wrote before closing

	buf := make([]byte, link.FrameLen(b))
	for {
		n, err := b.ReadFrame(buf)
		if errors.Is(err, net.ErrClosed) {
			fmt.Println("closed")
			break
		}
		f := ethernet.Frame(buf[:n])
		fmt.Printf("%d bytes %s > %s\n", n, f.Src(), f.Dst())
	}
	fmt.Printf("%+v\n", b.Stats())
	// Output:
	// 60 bytes 02:00:00:00:00:01 > 02:00:00:00:00:02
	// closed
	// {TxFrames:0 TxBytes:0 TxDropped:0 TxErrors:0 RxFrames:1 RxBytes:60 RxQueued:0}
}
