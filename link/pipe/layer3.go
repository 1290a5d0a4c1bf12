package pipe

import (
	"errors"
	"fmt"
	"sync/atomic"

	"github.com/medina-net/medina/ethernet"
	"github.com/medina-net/medina/link"
)

// ErrNotIP is wrapped by the error a Layer3End's writes return for a
// frame that carries no IPv4 or IPv6 packet behind its header: a layer-3
// link carries nothing else, as a TUN refuses it (EINVAL).
var ErrNotIP = errors.New("pipe: not an IP packet")

// Layer3End is one end of a layer-3 pipe (NewLayer3): a point-to-point
// link that carries bare IP packets, as two TUN interfaces joined back to
// back would. It implements link.Device, link.BatchReader,
// link.BatchWriter, link.Swapper, link.Layer3, and link.GSOWriter and
// link.OffloadReader, which exchange TCP super-frames with
// Config.Offload as End's do; it is safe for concurrent use.
//
// Frames keep the Ethernet layout link.Layer3 describes: what a writer
// puts in a frame's first 14 bytes does not cross, and a reader finds in
// their place a synthetic header, to its own HardwareAddr from
// 00:00:00:00:00:00, with the EtherType of the packet's IP version.
// Buffers are handed over as the Ethernet pipe hands them (Swapper), and
// the header is written into the reader's frame in place: nothing more
// is copied than on an Ethernet pipe.
type Layer3End struct {
	e *End
	// notIP counts the frames refused with ErrNotIP.
	notIP atomic.Uint64
}

var (
	_ link.Device      = (*Layer3End)(nil)
	_ link.BatchReader = (*Layer3End)(nil)
	_ link.BatchWriter = (*Layer3End)(nil)
	_ link.Swapper     = (*Layer3End)(nil)
	_ link.Layer3      = (*Layer3End)(nil)

	_ link.GSOWriter     = (*Layer3End)(nil)
	_ link.OffloadReader = (*Layer3End)(nil)
)

// NewLayer3 returns the two ends of a new layer-3 pipe, configured as New
// configures an Ethernet one: the MTU (the largest IP packet), the queue,
// and the hardware addresses, which are the destinations of the
// synthetic headers each end's frames are read with.
func NewLayer3(cfg Config) (a, b *Layer3End) {
	ea, eb := New(cfg)
	return &Layer3End{e: ea}, &Layer3End{e: eb}
}

// Layer3 reports true: the pipe carries bare IP packets.
func (l *Layer3End) Layer3() bool { return true }

// MTU returns the largest IP packet the pipe carries.
func (l *Layer3End) MTU() int { return l.e.MTU() }

// HardwareAddr returns the address the synthetic headers of this end's
// frames are sent to.
func (l *Layer3End) HardwareAddr() ethernet.Addr { return l.e.HardwareAddr() }

// Close closes this end, as End.Close does.
func (l *Layer3End) Close() error { return l.e.Close() }

// Stats returns the end's counters, as End.Stats does; frames refused
// with ErrNotIP are counted in TxErrors.
func (l *Layer3End) Stats() Stats {
	s := l.e.Stats()
	s.TxErrors += l.notIP.Load()
	return s
}

// check refuses a frame that carries no IP packet.
func (l *Layer3End) check(frame []byte) error {
	if len(frame) <= ethernet.HeaderLen {
		l.notIP.Add(1)
		return fmt.Errorf("%w: a frame of %d bytes carries no packet", ErrNotIP, len(frame))
	}
	if v := frame[ethernet.HeaderLen] >> 4; v != 4 && v != 6 {
		l.notIP.Add(1)
		return fmt.Errorf("%w: IP version %d", ErrNotIP, v)
	}
	return nil
}

// header writes the synthetic header over the first 14 bytes of a frame
// read, n bytes of it in buf (a buffer too short to show the packet's
// version keeps the EtherType the writer gave).
func (l *Layer3End) header(buf []byte, n int) {
	var h [ethernet.HeaderLen]byte
	f := ethernet.Frame(h[:])
	f.SetDst(l.e.addr)
	copy(h[12:], buf[min(12, n):min(ethernet.HeaderLen, n)])
	if n > ethernet.HeaderLen {
		t := ethernet.TypeIPv4
		if buf[ethernet.HeaderLen]>>4 == 6 {
			t = ethernet.TypeIPv6
		}
		f.SetType(t)
	}
	copy(buf[:min(n, ethernet.HeaderLen)], h[:])
}

// ReadFrame reads the next packet from the peer into buf behind its
// synthetic header, cut to len(buf); it fails as End.ReadFrame does.
func (l *Layer3End) ReadFrame(buf []byte) (int, error) {
	n, err := l.e.ReadFrame(buf)
	if err == nil {
		l.header(buf, n)
	}
	return n, err
}

// ReadFrames is End.ReadFrames, each frame behind its synthetic header.
func (l *Layer3End) ReadFrames(bufs [][]byte, lens []int) (int, error) {
	n, err := l.e.ReadFrames(bufs, lens)
	for i := range n {
		l.header(bufs[i], lens[i])
	}
	return n, err
}

// SwapReadFrames is End.SwapReadFrames, each frame behind its synthetic
// header.
func (l *Layer3End) SwapReadFrames(bufs [][]byte, lens []int) (int, error) {
	n, err := l.e.SwapReadFrames(bufs, lens)
	for i := range n {
		l.header(bufs[i], lens[i])
	}
	return n, err
}

// WriteFrame queues the packet behind frame's first 14 bytes for the
// peer, as End.WriteFrame does; a frame without an IP packet is refused
// with ErrNotIP.
func (l *Layer3End) WriteFrame(frame []byte) error {
	if err := l.check(frame); err != nil {
		return err
	}
	return l.e.WriteFrame(frame)
}

// WriteFrames is End.WriteFrames, stopping at the first frame without an
// IP packet with ErrNotIP.
func (l *Layer3End) WriteFrames(frames [][]byte) (int, error) {
	for i, f := range frames {
		if err := l.check(f); err != nil {
			k, werr := l.e.WriteFrames(frames[:i])
			if werr != nil {
				return k, werr
			}
			return i, err
		}
	}
	return l.e.WriteFrames(frames)
}

// MaxGSO is End.MaxGSO: 0 without Config.Offload.
func (l *Layer3End) MaxGSO() int { return l.e.MaxGSO() }

// WriteGSO is End.WriteGSO for a super-frame that carries an IP packet;
// one that does not is refused with ErrNotIP.
func (l *Layer3End) WriteGSO(frame []byte, gso link.GSO) error {
	if err := l.check(frame); err != nil {
		return err
	}
	return l.e.WriteGSO(frame, gso)
}

// MaxReadFrame is End.MaxReadFrame: 0 without Config.Offload.
func (l *Layer3End) MaxReadFrame() int { return l.e.MaxReadFrame() }

// ReadFramesOffload is End.ReadFramesOffload, each frame behind its
// synthetic header.
func (l *Layer3End) ReadFramesOffload(bufs [][]byte, lens []int, offs []link.RxOffload) (int, error) {
	n, err := l.e.ReadFramesOffload(bufs, lens, offs)
	for i := range n {
		l.header(bufs[i], lens[i])
	}
	return n, err
}

// SwapWriteFrame is End.SwapWriteFrame for a frame that carries an IP
// packet; one that does not is refused with ErrNotIP.
func (l *Layer3End) SwapWriteFrame(buf *[]byte, n int) error {
	if err := l.check((*buf)[:n]); err != nil {
		return err
	}
	return l.e.SwapWriteFrame(buf, n)
}
