package pcap_test

import (
	"bytes"
	"fmt"
	"io"
	"log"
	"net"
	"sync"

	"github.com/medina-net/medina/ethernet"
	"github.com/medina-net/medina/link"
	"github.com/medina-net/medina/pcap"
)

// loopback is a link.Device that reads back the frames written to it.
type loopback struct {
	frames chan []byte
	closed chan struct{}
	once   sync.Once
}

func newLoopback() *loopback {
	return &loopback{frames: make(chan []byte, 16), closed: make(chan struct{})}
}

func (l *loopback) ReadFrame(buf []byte) (int, error) {
	select {
	case f := <-l.frames:
		return copy(buf, f), nil
	case <-l.closed:
		return 0, net.ErrClosed
	}
}

func (l *loopback) WriteFrame(f []byte) error {
	select {
	case l.frames <- bytes.Clone(f):
	default: // full: dropped, as hardware drops
	}
	return nil
}

func (l *loopback) MTU() int                    { return 1500 }
func (l *loopback) HardwareAddr() ethernet.Addr { return ethernet.Addr{0x02, 0, 0, 0, 0, 1} }
func (l *loopback) Close() error                { l.once.Do(func() { close(l.closed) }); return nil }

// Record a device's traffic to a pcapng file. The stack would run over
// the Tap in place of the device; here one frame goes out and comes back.
func ExampleNewTap() {
	var file bytes.Buffer // an *os.File in real life
	w, err := pcap.NewNgWriter(&file, pcap.NgInterface{LinkType: pcap.LinkTypeEthernet, Name: "medina0"})
	if err != nil {
		log.Fatal(err)
	}
	dev := newLoopback()
	tap := pcap.NewTap(dev, w, link.SystemClock) // the stack's clock

	frame := make([]byte, 60)
	if _, err := ethernet.Encode(frame, ethernet.Broadcast, dev.HardwareAddr(), ethernet.TypeARP); err != nil {
		log.Fatal(err)
	}
	if err := tap.WriteFrame(frame); err != nil { // recorded outbound
		log.Fatal(err)
	}
	buf := make([]byte, link.FrameLen(tap))
	if _, err := tap.ReadFrame(buf); err != nil { // recorded inbound
		log.Fatal(err)
	}

	// Close closes the device and flushes the writer: the capture is
	// complete. Recording errors never reached the frames; they show here.
	if err := tap.Close(); err != nil {
		log.Fatal(err)
	}
	if err := tap.Err(); err != nil {
		log.Fatal(err)
	}
	fmt.Printf("%+v\n", tap.Stats())

	r, err := pcap.NewReader(&file)
	if err != nil {
		log.Fatal(err)
	}
	for {
		p, err := r.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			log.Fatal(err)
		}
		dir := map[pcap.Direction]string{pcap.DirectionInbound: "in", pcap.DirectionOutbound: "out"}[p.Direction()]
		fmt.Printf("%s %d bytes, %x\n", dir, len(p.Data), p.Data[:14])
	}
	// Output:
	// {Inbound:1 Outbound:1 Errors:0}
	// out 60 bytes, ffffffffffff0200000000010806
	// in 60 bytes, ffffffffffff0200000000010806
}
