package impair_test

import (
	"fmt"
	"time"

	"github.com/medina-net/medina/ethernet"
	"github.com/medina-net/medina/link/impair"
	"github.com/medina-net/medina/link/pipe"
)

// Wrap one end of a pipe so that what it sends loses 10% of its frames
// and duplicates 1%, and what it receives arrives 20 ms late. The seed
// makes the losses the same on every run.
func ExampleNew() {
	a, b := pipe.New(pipe.Config{Queue: 2000})
	dev := impair.New(a, impair.Config{
		Seed: 1,
		Tx:   impair.Profile{Loss: 0.1, Duplicate: 0.01},
		Rx:   impair.Profile{Delay: 20 * time.Millisecond},
	})
	defer dev.Close() // closes a too

	frame := make([]byte, ethernet.MinFrameLen)
	ethernet.Encode(frame, b.HardwareAddr(), dev.HardwareAddr(), ethernet.TypeIPv4)
	for range 1000 {
		dev.WriteFrame(frame)
	}
	fmt.Printf("%+v\n", dev.Stats().Tx)
	fmt.Println(b.Stats().RxQueued, "frames reached the peer")

	b.WriteFrame(frame)
	start := time.Now()
	buf := make([]byte, 1518)
	dev.ReadFrame(buf)
	fmt.Println("late by at least 20ms:", time.Since(start) >= 20*time.Millisecond)
	// Output:
	// {Frames:1000 Delivered:896 Dropped:112 Duplicated:8 Reordered:0 Corrupted:0 Delayed:0 QueueDropped:0 Errors:0}
	// 896 frames reached the peer
	// late by at least 20ms: true
}
