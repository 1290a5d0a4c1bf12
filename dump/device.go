package dump

import (
	"io"
	"time"

	"github.com/medina-net/medina/link"
	"github.com/medina-net/medina/pcap"
)

// Device is a link.Device that wraps another and prints every frame that
// passes through it, as tcpdump prints a capture of the interface: the
// frames ReadFrame returns and the frames given to WriteFrame, one packet
// line each, on one writer. It is how an embedder watches its stack's
// traffic without a capture file: wrap the device the stack runs over,
//
//	dev = dump.NewDevice(dev, os.Stderr, dump.Options{}, cfg.Clock)
//	s, err := stack.New(dev, cfg)
//
// and the lines are those netdump prints for a capture of the same frames
// recorded through a pcap.Tap.
//
// A Device is a pcap.Tap whose recorder is a Printer, and has the Tap's
// methods: frames are printed in the order they pass, stamped with the
// clock (the stack's, so that a testing/synctest bubble's virtual time
// shows), batches pass through as batches, SetEnabled pauses printing,
// Stats counts the frames printed in each direction and the writes that
// failed (Err keeps the first), Flush and Close flush the writer when it
// has a Flush method (a *bufio.Writer). Printing never gets in the way of
// the frames, and allocates nothing per frame.
type Device struct {
	*pcap.Tap
}

// NewDevice returns a Device that passes frames to and from dev and prints
// them to w with the given options, stamped with clock.Now()
// (link.SystemClock if clock is nil). The frames are Ethernet frames. w is
// written once per frame, from one goroutine at a time.
func NewDevice(dev link.Device, w io.Writer, opt Options, clock link.Clock) *Device {
	return &Device{Tap: pcap.NewTap(dev, &deviceRecorder{p: New(w, opt)}, clock)}
}

// deviceRecorder is the pcap.Recorder of a Device: it prints each frame
// the Tap hands it. The Tap calls it with its lock held, one frame at a
// time.
type deviceRecorder struct {
	p   *Printer
	pkt pcap.Packet // reused, so that a frame costs no allocation
}

func (r *deviceRecorder) WriteFrame(ts time.Time, frame []byte, dir pcap.Direction) error {
	r.pkt = Frame(ts, pcap.LinkTypeEthernet, frame)
	err := r.p.Packet(&r.pkt)
	r.pkt.Data = nil // the frame is the caller's again
	return err
}

func (r *deviceRecorder) Flush() error {
	if f, ok := r.p.w.(interface{ Flush() error }); ok {
		return f.Flush()
	}
	return nil
}

var (
	_ link.Device      = (*Device)(nil)
	_ link.BatchReader = (*Device)(nil)
	_ link.BatchWriter = (*Device)(nil)
)
