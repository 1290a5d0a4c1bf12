package stack

import (
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/medina-net/medina/link"
	"github.com/medina-net/medina/link/vnet"
)

// Live capture. A CaptureSink added to a running stack sees every frame
// the stack receives and sends, as the wire carries it, until it is
// removed: what a pcap.Tap wrapped around the device at the start would
// record, for a capture that comes and goes while the stack runs (the
// monitor package streams it as pcapng over HTTP). With no sink, the
// read and write paths pay one atomic load a frame.

// CaptureSink receives the frames of a live capture (Stack.AddCapture).
type CaptureSink interface {
	// CaptureFrame is called with each Ethernet frame the stack receives
	// (outbound false) or sends (true), at ts, the time of the stack's
	// clock. A TCP super-frame comes as the wire-size frames it stands
	// for, each with its own sequence number and checksums, and a frame
	// whose checksum a device left partial with its checksum whole, as
	// pcap.Tap records them. It is called on the stack's own paths, from
	// several goroutines at once: it must not block, must not call the
	// stack, and must not keep frame after it returns.
	CaptureFrame(ts time.Time, frame []byte, outbound bool)
}

// captureHook holds the sinks of the live captures: a list replaced
// whole when a sink comes or goes, so that the frame paths read it with
// one atomic load, nil when there is none.
type captureHook struct {
	mu    sync.Mutex // serializes changes
	sinks atomic.Pointer[[]CaptureSink]
}

// on reports whether anyone is capturing: the one load the frame paths
// pay.
func (h *captureHook) on() bool { return h.sinks.Load() != nil }

// AddCapture starts handing the stack's frames to sink, and returns the
// function that stops it. A frame on its way when the function is called
// may still reach sink after it returns; no frame that comes later does.
// Calling it again does nothing.
func (s *Stack) AddCapture(sink CaptureSink) (remove func()) {
	h := &s.capture
	h.mu.Lock()
	var list []CaptureSink
	if p := h.sinks.Load(); p != nil {
		list = slices.Clone(*p)
	}
	list = append(list, sink)
	h.sinks.Store(&list)
	h.mu.Unlock()
	var once sync.Once
	return func() { once.Do(func() { s.removeCapture(sink) }) }
}

// removeCapture takes sink off the list.
func (s *Stack) removeCapture(sink CaptureSink) {
	h := &s.capture
	h.mu.Lock()
	defer h.mu.Unlock()
	p := h.sinks.Load()
	if p == nil {
		return
	}
	i := slices.Index(*p, sink)
	if i < 0 {
		return
	}
	if len(*p) == 1 {
		h.sinks.Store(nil)
		return
	}
	list := slices.Delete(slices.Clone(*p), i, i+1)
	h.sinks.Store(&list)
}

// captureFrame hands one wire-size frame to every sink.
func (s *Stack) captureFrame(ts time.Time, frame []byte, outbound bool) {
	p := s.capture.sinks.Load()
	if p == nil {
		return
	}
	for _, sink := range *p {
		sink.CaptureFrame(ts, frame, outbound)
	}
}

// captureBatch hands a batch of frames read from the device to the
// sinks. The read loop calls it once for a batch, before the frames go
// up the stack: a check per batch, not per frame, and no spilling of
// registers on inputAt's path to make room for a call.
func (s *Stack) captureBatch(bufs [][]byte, lens []int, offs []link.RxOffload, now time.Time) {
	for i := range bufs {
		s.captureIn(bufs[i][:lens[i]], offs[i], now)
	}
}

// captureIn hands a frame read from the device to the sinks, as the wire
// carried it (vnet.WireFrames: a super-frame cut into its segments, and
// a partial checksum made whole), built in a buffer of the stack's
// pools.
func (s *Stack) captureIn(frame []byte, off link.RxOffload, now time.Time) {
	s.captureWire(now, frame, off, false)
}

// captureSegments hands the sinks the wire-size frames a TCP super-frame
// written whole stands for, cut as a device cuts it.
func (s *Stack) captureSegments(now time.Time, frame []byte, gso link.GSO, outbound bool) {
	s.captureWire(now, frame, link.RxOffload{ChecksumValid: true, SegmentSize: gso.SegmentSize}, outbound)
}

// captureWire hands the sinks the wire-size frames frame stands for,
// given what off says of it. A frame that does not cut or complete goes
// as it is.
func (s *Stack) captureWire(now time.Time, frame []byte, off link.RxOffload, outbound bool) {
	if !off.ChecksumValid {
		s.captureFrame(now, frame, outbound)
		return
	}
	bp := s.bufs.get(s.frameLen)
	// A frame of the pools holds any segment; WireFrames makes itself a
	// larger buffer in the rare case it needs one, which is not kept.
	vnet.WireFrames(frame, off, *bp, func(f []byte) { s.captureFrame(now, f, outbound) })
	s.bufs.put(bp)
}
