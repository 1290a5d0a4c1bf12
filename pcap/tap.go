package pcap

import (
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"github.com/medina-net/medina/ethernet"
	"github.com/medina-net/medina/link"
	"github.com/medina-net/medina/link/vnet"
)

// Recorder is where a Tap writes the frames it sees. *Writer (classic pcap,
// which has no place for a direction) and *NgWriter (pcapng, interface 0,
// direction in epb_flags) implement it; NgWriter.Recorder gives one for
// another pcapng interface.
//
// A Tap calls its Recorder from one goroutine at a time. Several Taps
// writing into one file must share a lock: see LockedRecorder.
type Recorder interface {
	// WriteFrame records one whole frame, seen at ts, travelling in
	// direction dir. It must not keep frame after it returns.
	WriteFrame(ts time.Time, frame []byte, dir Direction) error
	// Flush writes anything buffered to the underlying file.
	Flush() error
}

// WriteFrame writes frame as a packet of its own length, for Recorder.
// Classic pcap has no field for the direction, so dir is dropped.
func (w *Writer) WriteFrame(ts time.Time, frame []byte, dir Direction) error {
	return w.WritePacket(ts, frame, len(frame))
}

// WriteFrame writes frame as a packet of its own length on interface 0,
// with its direction in epb_flags, for Recorder.
func (w *NgWriter) WriteFrame(ts time.Time, frame []byte, dir Direction) error {
	return w.WritePacket(0, ts, frame, len(frame), dir)
}

// Recorder returns a Recorder that writes frames on interface iface of w,
// an index from AddInterface (0 for the first). Its Flush flushes w. Writing
// to an interface w has not added fails with ErrInterface.
func (w *NgWriter) Recorder(iface int) Recorder {
	return ngRecorder{w: w, iface: iface}
}

// ngRecorder records on one interface of an NgWriter.
type ngRecorder struct {
	w     *NgWriter
	iface int
}

func (r ngRecorder) WriteFrame(ts time.Time, frame []byte, dir Direction) error {
	return r.w.WritePacket(r.iface, ts, frame, len(frame), dir)
}

func (r ngRecorder) Flush() error { return r.w.Flush() }

// LockedRecorder returns a Recorder that holds mu around every call to
// rec. Taps that write into one file each serialise their own calls, but
// not with one another: give each of them a LockedRecorder with the same
// mu, for example
//
//	var mu sync.Mutex
//	tap0 := pcap.NewTap(dev0, pcap.LockedRecorder(&mu, w.Recorder(0)), clock)
//	tap1 := pcap.NewTap(dev1, pcap.LockedRecorder(&mu, w.Recorder(1)), clock)
func LockedRecorder(mu sync.Locker, rec Recorder) Recorder {
	return lockedRecorder{mu: mu, rec: rec}
}

type lockedRecorder struct {
	mu  sync.Locker
	rec Recorder
}

func (r lockedRecorder) WriteFrame(ts time.Time, frame []byte, dir Direction) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.rec.WriteFrame(ts, frame, dir)
}

func (r lockedRecorder) Flush() error {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.rec.Flush()
}

// TapStats counts what a Tap has recorded.
type TapStats struct {
	// Inbound and Outbound count the frames recorded in each direction.
	Inbound, Outbound uint64
	// Errors counts the calls to the Recorder that failed: frames that
	// are missing from the capture, and failed flushes.
	Errors uint64
}

// Tap is a link.Device that wraps another and records every frame that
// passes through it: the frames ReadFrame returns as inbound, the frames
// given to WriteFrame as outbound. It is the pcap tap of the stack: wrap
// the device the stack runs over, and the capture shows what the stack
// received and sent, the way tcpdump on an interface would.
//
// Timestamps come from the Tap's link.Clock, which should be the stack's:
// in a testing/synctest bubble the standard clock is virtual, so a
// deterministic conversation makes a byte-identical capture. The
// timestamp is taken with the recorder's lock held, so the capture is in
// timestamp order even when frames come and go on different goroutines.
//
// An outbound frame is recorded before it is handed to the wrapped device,
// so a reply the device returns at once cannot appear in the capture
// before the frame it answers; a frame the device then refuses with an
// error is in the capture all the same.
//
// Recording never gets in the way of the frames: when the Recorder fails
// the frame still goes through, the failure is counted in Stats().Errors,
// and Err returns the first one. Buffered writers (*Writer, *NgWriter)
// report a failing file on a later frame or at Flush, and then fail every
// frame after it.
//
// Recording can be paused with SetEnabled, which costs one atomic load
// per frame; a program that wants no capture installs no Tap. Neither
// recording nor pausing allocates.
//
// A Tap always implements link.BatchReader and link.BatchWriter. When the
// wrapped device implements them too, the Tap passes batches through and
// records every frame of a batch under one lock acquisition, with one
// timestamp; otherwise ReadFrames reads one frame and WriteFrames writes
// the frames one by one, so a stack that uses batches when it finds them
// loses nothing by the Tap's presence.
type Tap struct {
	dev     link.Device
	br      link.BatchReader   // dev's, or nil
	bw      link.BatchWriter   // dev's, or nil
	gw      link.GSOWriter     // dev's, or nil
	or      link.OffloadReader // dev's, or nil
	clock   link.Clock
	enabled atomic.Bool

	mu     sync.Mutex // serialises rec and guards the fields below
	rec    Recorder
	closed bool
	stats  TapStats
	err    error
	// seg holds the wire-size frame being recorded of one that came or
	// went with offloads (vnet.WireFrames).
	seg []byte
}

// NewTap returns a Tap that passes frames to and from dev and records
// them to rec, stamped with clock.Now() (link.SystemClock if clock is
// nil). Recording is enabled. Frames are Ethernet frames, so rec should
// write a LinkTypeEthernet file.
func NewTap(dev link.Device, rec Recorder, clock link.Clock) *Tap {
	if clock == nil {
		clock = link.SystemClock
	}
	t := &Tap{dev: dev, rec: rec, clock: clock}
	t.br, _ = dev.(link.BatchReader)
	t.bw, _ = dev.(link.BatchWriter)
	t.gw, _ = dev.(link.GSOWriter)
	t.or, _ = dev.(link.OffloadReader)
	t.enabled.Store(true)
	return t
}

// SetEnabled turns recording on or off. Frames pass through either way;
// while it is off they are not recorded, and a frame in flight when it
// changes may or may not be.
func (t *Tap) SetEnabled(on bool) { t.enabled.Store(on) }

// Enabled reports whether the Tap is recording.
func (t *Tap) Enabled() bool { return t.enabled.Load() }

// ReadFrame reads a frame from the wrapped device and records it as
// inbound.
func (t *Tap) ReadFrame(buf []byte) (int, error) {
	n, err := t.dev.ReadFrame(buf)
	if err == nil && t.enabled.Load() {
		t.mu.Lock()
		if !t.closed {
			t.record(t.clock.Now(), buf[:n], DirectionInbound)
		}
		t.mu.Unlock()
	}
	return n, err
}

// WriteFrame records frame as outbound and writes it to the wrapped
// device.
func (t *Tap) WriteFrame(frame []byte) error {
	if t.enabled.Load() {
		t.mu.Lock()
		if !t.closed {
			t.record(t.clock.Now(), frame, DirectionOutbound)
		}
		t.mu.Unlock()
	}
	return t.dev.WriteFrame(frame)
}

// ReceiveOffload is the wrapped device's (link.ReceiveOffloader): the
// frames it reads are recorded as they are read, wire-size either way.
func (t *Tap) ReceiveOffload() bool {
	ro, ok := t.dev.(link.ReceiveOffloader)
	return ok && ro.ReceiveOffload()
}

// Layer3 is the wrapped device's (link.Layer3), so that a stack over the
// Tap treats a TUN as a TUN. The frames of a layer-3 device are recorded
// as they pass, behind their synthetic Ethernet headers: the capture is
// LinkTypeEthernet all the same.
func (t *Tap) Layer3() bool { return link.IsLayer3(t.dev) }

// MaxGSO is the wrapped device's (link.GSOWriter), or 0 when it takes no
// TCP super-frames.
func (t *Tap) MaxGSO() int {
	if t.gw == nil {
		return 0
	}
	return t.gw.MaxGSO()
}

// WriteGSO passes a TCP super-frame on to the wrapped device whole, and
// records the wire-size frames it stands for, cut in software as the
// device (or the kernel behind it) cuts it, each with its own lengths,
// sequence number and checksums: a capture shows what the wire carries,
// and replays as it would had the stack sent the segments one by one.
func (t *Tap) WriteGSO(frame []byte, gso link.GSO) error {
	if t.gw == nil {
		return fmt.Errorf("pcap: WriteGSO: %w", errors.ErrUnsupported)
	}
	if t.enabled.Load() {
		t.mu.Lock()
		if !t.closed {
			t.recordOffload(t.clock.Now(), frame, link.RxOffload{ChecksumValid: true, SegmentSize: gso.SegmentSize}, DirectionOutbound)
		}
		t.mu.Unlock()
	}
	return t.gw.WriteGSO(frame, gso)
}

// MaxReadFrame is the wrapped device's (link.OffloadReader), or 0 when it
// hands over no super-frames.
func (t *Tap) MaxReadFrame() int {
	if t.or == nil {
		return 0
	}
	return t.or.MaxReadFrame()
}

// ReadFramesOffload reads a batch of frames from the wrapped device as
// its receive offload has them (link.OffloadReader) and passes them on
// so, but records what the wire carried: a TCP super-frame as the
// segments it stands for, cut in software, and a segment whose checksum
// the device left partial with its checksum whole. A capture is then the
// same whether the stack reads whole or cut.
func (t *Tap) ReadFramesOffload(bufs [][]byte, lens []int, offs []link.RxOffload) (int, error) {
	if t.or == nil {
		clear(offs[:len(bufs)])
		return t.ReadFrames(bufs, lens)
	}
	n, err := t.or.ReadFramesOffload(bufs, lens, offs)
	if n > 0 && t.enabled.Load() {
		t.mu.Lock()
		if !t.closed {
			ts := t.clock.Now()
			for i := range n {
				t.recordOffload(ts, bufs[i][:lens[i]], offs[i], DirectionInbound)
			}
		}
		t.mu.Unlock()
	}
	return n, err
}

// recordOffload records a frame read with what the device said of it,
// as the wire carried it (vnet.WireFrames). t.mu is held.
func (t *Tap) recordOffload(ts time.Time, frame []byte, off link.RxOffload, dir Direction) {
	var err error
	t.seg, err = vnet.WireFrames(frame, off, t.seg, func(f []byte) { t.record(ts, f, dir) })
	if err != nil {
		t.fail(err)
	}
}

// ReadFrames reads a batch of frames from the wrapped device, or a single
// frame when it has no batch interface, and records each as inbound. With
// no buffers it returns 0 at once.
func (t *Tap) ReadFrames(bufs [][]byte, lens []int) (int, error) {
	if len(bufs) == 0 {
		return 0, nil
	}
	var n int
	var err error
	if t.br != nil {
		n, err = t.br.ReadFrames(bufs, lens)
	} else {
		lens[0], err = t.dev.ReadFrame(bufs[0])
		if err == nil {
			n = 1
		}
	}
	if n > 0 && t.enabled.Load() {
		t.mu.Lock()
		if !t.closed {
			ts := t.clock.Now()
			for i := range n {
				t.record(ts, bufs[i][:lens[i]], DirectionInbound)
			}
		}
		t.mu.Unlock()
	}
	return n, err
}

// WriteFrames records frames as outbound and writes them to the wrapped
// device, as a batch when it has a batch interface and one by one when it
// has not.
func (t *Tap) WriteFrames(frames [][]byte) (int, error) {
	if len(frames) > 0 && t.enabled.Load() {
		t.mu.Lock()
		if !t.closed {
			ts := t.clock.Now()
			for _, f := range frames {
				t.record(ts, f, DirectionOutbound)
			}
		}
		t.mu.Unlock()
	}
	if t.bw != nil {
		return t.bw.WriteFrames(frames)
	}
	for i, f := range frames {
		if err := t.dev.WriteFrame(f); err != nil {
			return i, err
		}
	}
	return len(frames), nil
}

// record writes one frame to the recorder and counts the outcome. t.mu is
// held.
func (t *Tap) record(ts time.Time, frame []byte, dir Direction) {
	if err := t.rec.WriteFrame(ts, frame, dir); err != nil {
		t.fail(err)
		return
	}
	if dir == DirectionInbound {
		t.stats.Inbound++
	} else {
		t.stats.Outbound++
	}
}

// fail counts a recorder error and keeps the first. t.mu is held.
func (t *Tap) fail(err error) {
	t.stats.Errors++
	if t.err == nil {
		t.err = err
	}
}

// MTU returns the wrapped device's MTU.
func (t *Tap) MTU() int { return t.dev.MTU() }

// HardwareAddr returns the wrapped device's MAC address.
func (t *Tap) HardwareAddr() ethernet.Addr { return t.dev.HardwareAddr() }

// Flush flushes the recorder, so that the file holds every frame recorded
// so far; call it to look at a capture while the Tap is still running. A
// failure is counted in Stats().Errors and kept by Err like a frame's.
func (t *Tap) Flush() error {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.flush()
}

func (t *Tap) flush() error {
	err := t.rec.Flush()
	if err != nil {
		t.fail(err)
	}
	return err
}

// Close closes the wrapped device, which unblocks a ReadFrame waiting on
// it, then stops recording and flushes the recorder: after Close returns,
// the capture is complete and the file under the recorder can be closed
// (Close does not close it). A frame that passes through after Close has
// begun is not recorded. Close returns the device's error joined with the
// flush's; closing again closes the device again but flushes nothing.
func (t *Tap) Close() error {
	err := t.dev.Close()
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.closed {
		return err
	}
	t.closed = true
	return errors.Join(err, t.flush())
}

// Err returns the first error the recorder returned, nil if there has
// been none. Recording errors never reach ReadFrame or WriteFrame: check
// Err (or the error of Flush or Close) to know whether the capture is
// complete.
func (t *Tap) Err() error {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.err
}

// Stats returns the counts of frames recorded and of recording errors.
func (t *Tap) Stats() TapStats {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.stats
}

var (
	_ link.Device        = (*Tap)(nil)
	_ link.BatchReader   = (*Tap)(nil)
	_ link.BatchWriter   = (*Tap)(nil)
	_ link.GSOWriter     = (*Tap)(nil)
	_ link.OffloadReader = (*Tap)(nil)
	_ Recorder           = (*Writer)(nil)
	_ Recorder           = (*NgWriter)(nil)
)
