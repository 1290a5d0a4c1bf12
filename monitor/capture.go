package monitor

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"sync"
	"time"

	"github.com/medina-net/medina/filter"
	"github.com/medina-net/medina/pcap"
)

// Live capture: the stack hands each frame to a captureQueue on its own
// goroutines (Stack.AddCapture); the queue filters it, copies it into a
// buffer of fixed size, or drops it and counts it when the buffer is
// full; the capture's goroutine swaps the buffer for an empty one and
// writes what it holds as pcapng. The stack never waits for a reader.

// CaptureOptions shape a live capture.
type CaptureOptions struct {
	// Filter is a pcap-filter expression, tcpdump's language, compiled
	// by package filter for Ethernet frames: only the frames it accepts
	// are recorded. Empty records every frame.
	Filter string
	// Snaplen is the most bytes of a frame recorded; a longer frame is
	// cut, and its length on the wire kept. 0 means MaxSnaplen.
	Snaplen int
	// Count, when positive, ends the capture after that many frames, as
	// tcpdump -c does.
	Count int
	// Name names the pcapng interface the frames are on (if_name).
	Name string
}

// MaxSnaplen is the largest snapshot length, and the default: tcpdump's.
const MaxSnaplen = pcap.MaxSnaplen

// CaptureStats count what a live capture did.
type CaptureStats struct {
	Frames  uint64 // frames written
	Dropped uint64 // frames the filter accepted that the buffer had no room for
}

// ErrTooManyCaptures is returned when Options.MaxCaptures captures are
// running already.
var ErrTooManyCaptures = errors.New("monitor: too many live captures")

// ErrCaptureOptions wraps what is wrong with a CaptureOptions.
var ErrCaptureOptions = errors.New("monitor: bad capture options")

// Capture writes the stack's traffic to w as a pcapng stream, from now
// until ctx ends, a write to w fails, or opts.Count frames are written:
// a Section Header and an Interface Description Block (Ethernet, the
// snapshot length) at once, then an Enhanced Packet Block for each frame
// the stack receives or sends, with its direction (epb_flags) and a
// nanosecond timestamp of the stack's clock, as it happens. A TCP
// super-frame shows as the wire-size frames it stands for. When w has a
// Flush method (a bufio.Writer, an http.ResponseController's), it is
// called after each burst of frames.
//
// Frames come from the stack's goroutines into a buffer of
// Options.CaptureBuffer bytes; when w is slower than the traffic and the
// buffer fills, frames are dropped and counted in the result, and the
// stack goes on at its own pace. The result counts the frames written
// and dropped; the error is ctx's, w's, or a bad filter's (wrapping
// ErrCaptureOptions), nil when Count frames were written.
func (m *Monitor) Capture(ctx context.Context, w io.Writer, opts CaptureOptions) (CaptureStats, error) {
	var flush func() error
	if f, ok := w.(interface{ Flush() error }); ok {
		flush = f.Flush
	}
	return m.capture(ctx, w, flush, opts, nil)
}

// capture is Capture with its flush, and started, called once the
// capture is set up, before anything is written, with nil or the error
// that stops it.
func (m *Monitor) capture(ctx context.Context, w io.Writer, flush func() error, opts CaptureOptions, started func(error)) (CaptureStats, error) {
	q, err := m.newQueue(opts)
	if err == nil && !m.takeCapture() {
		err = ErrTooManyCaptures
	}
	if started != nil {
		started(err)
	}
	if err != nil {
		return CaptureStats{}, err
	}
	defer m.captures.Add(-1)
	m.capturesServed.Add(1)
	// The sink goes in before the stream's first bytes: a reader that
	// has the header knows that the traffic after it is recorded.
	remove := m.s.AddCapture(q)
	m.sinks.Add(1)
	defer func() {
		remove()
		q.close()
		m.sinks.Add(-1)
	}()

	name := opts.Name
	if name == "" {
		name = "medina"
	}
	ngw, err := pcap.NewNgWriter(w, pcap.NgInterface{LinkType: pcap.LinkTypeEthernet, Snaplen: uint32(q.snap),
		Name: name, Description: "medina stack " + m.s.Addr().String()})
	if err == nil && flush != nil {
		err = flush()
	}
	if err != nil {
		return CaptureStats{}, err
	}
	var st CaptureStats
	for {
		var done error
		select {
		case <-ctx.Done():
			// What was queued before the end is written out.
			remove()
			done = ctx.Err()
		case <-q.wake:
		}
		b, drops := q.take()
		st.Dropped = drops
		for i := range b.recs {
			r := &b.recs[i]
			dir := pcap.DirectionInbound
			if r.out {
				dir = pcap.DirectionOutbound
			}
			if err := ngw.WritePacket(0, time.Unix(0, r.ts), b.data[r.off:r.off+r.n], int(r.wire), dir); err != nil {
				return st, err
			}
			st.Frames++
			if opts.Count > 0 && st.Frames >= uint64(opts.Count) {
				break
			}
		}
		q.give(b)
		err := ngw.Flush()
		if err == nil && flush != nil {
			err = flush()
		}
		switch {
		case err != nil:
			return st, err
		case done != nil:
			return st, done
		case opts.Count > 0 && st.Frames >= uint64(opts.Count):
			return st, nil
		}
	}
}

// takeCapture counts a capture in, unless MaxCaptures run already.
func (m *Monitor) takeCapture() bool {
	for {
		n := m.captures.Load()
		if n >= int64(m.opts.MaxCaptures) {
			return false
		}
		if m.captures.CompareAndSwap(n, n+1) {
			return true
		}
	}
}

// capRec is a frame in a captureBatch: its time (Unix nanoseconds), its
// place in the batch's data, its length on the wire and its direction.
type capRec struct {
	ts           int64
	off, n, wire uint32
	out          bool
}

// captureBatch holds frames: their bytes one after the other in data,
// and their records. Neither grows past the capacity it was made with.
type captureBatch struct {
	data []byte
	recs []capRec
}

// captureQueue is a capture's stack.CaptureSink: two batches, one the
// stack fills while the capture writes out the other.
type captureQueue struct {
	m     *Monitor
	match func(pkt []byte, wirelen int) bool // nil: every frame
	snap  int
	wake  chan struct{} // a frame is waiting

	mu     sync.Mutex
	cur    captureBatch // being filled
	spare  captureBatch // empty, for the next swap; nil data while the capture writes it out
	drops  uint64
	closed bool
}

// newQueue makes the queue of a capture with opts.
func (m *Monitor) newQueue(opts CaptureOptions) (*captureQueue, error) {
	snap := opts.Snaplen
	if snap == 0 {
		snap = MaxSnaplen
	}
	if snap < 0 || snap > MaxSnaplen {
		return nil, fmt.Errorf("%w: snapshot length %d not in 1..%d", ErrCaptureOptions, opts.Snaplen, MaxSnaplen)
	}
	q := &captureQueue{m: m, snap: snap, wake: make(chan struct{}, 1)}
	if opts.Filter != "" {
		f, err := filter.Compile(opts.Filter, pcap.LinkTypeEthernet, snap)
		if err != nil {
			return nil, fmt.Errorf("%w: %w", ErrCaptureOptions, err)
		}
		q.match = f.Match
	}
	size := m.opts.CaptureBuffer
	// A record for every 64 bytes of room: frames are rarely shorter
	// (60 bytes is Ethernet's least), and a buffer of tiny frames then
	// fills its records before its bytes.
	recs := max(size/64, 16)
	q.cur = captureBatch{data: make([]byte, 0, size), recs: make([]capRec, 0, recs)}
	q.spare = captureBatch{data: make([]byte, 0, size), recs: make([]capRec, 0, recs)}
	return q, nil
}

// CaptureFrame is called by the stack for each frame: it keeps a copy,
// cut to the snapshot length, if the filter takes the frame and the
// buffer has room, and counts a drop otherwise. It never blocks on the
// capture's reader.
func (q *captureQueue) CaptureFrame(ts time.Time, frame []byte, outbound bool) {
	if q.match != nil && !q.match(frame, len(frame)) {
		return
	}
	keep := frame[:min(len(frame), q.snap)]
	q.mu.Lock()
	b := &q.cur
	if q.closed {
		q.mu.Unlock()
		return
	}
	if len(b.recs) == cap(b.recs) || len(keep) > cap(b.data)-len(b.data) {
		q.drops++
		q.mu.Unlock()
		q.m.captureDrops.Add(1)
		return
	}
	b.recs = append(b.recs, capRec{ts: ts.UnixNano(), off: uint32(len(b.data)), n: uint32(len(keep)),
		wire: uint32(len(frame)), out: outbound})
	b.data = append(b.data, keep...)
	q.mu.Unlock()
	q.m.captureFrames.Add(1)
	select {
	case q.wake <- struct{}{}:
	default:
	}
}

// take hands the capture the frames waiting, swapping in the empty
// batch, and returns the drops so far.
func (q *captureQueue) take() (captureBatch, uint64) {
	q.mu.Lock()
	defer q.mu.Unlock()
	b := q.cur
	q.cur, q.spare = q.spare, captureBatch{}
	return b, q.drops
}

// give returns a batch take handed out, emptied, for the next swap.
func (q *captureQueue) give(b captureBatch) {
	q.mu.Lock()
	q.spare = captureBatch{data: b.data[:0], recs: b.recs[:0]}
	q.mu.Unlock()
}

// close stops the queue taking frames: one the stack is handing over as
// the capture ends is dropped unrecorded.
func (q *captureQueue) close() {
	q.mu.Lock()
	q.closed = true
	q.mu.Unlock()
}

// CaptureHandler returns the handler of /pcap: a live capture (Capture)
// streamed as the response, application/x-pcapng, until the client goes
// away. The query parameters filter (a pcap-filter expression), snaplen
// and count are CaptureOptions' Filter, Snaplen and Count: for example
// /pcap?filter=tcp+port+443&snaplen=128. A bad one is answered 400 with
// the reason, and a capture past Options.MaxCaptures 503.
//
//	curl -sN 'http://host/debug/pcap?filter=tcp' | tcpdump -nr -
//	curl -sN http://host/debug/pcap | wireshark -k -i -
func (m *Monitor) CaptureHandler() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var opts CaptureOptions
		qv := r.URL.Query()
		opts.Filter = qv.Get("filter")
		for _, p := range []struct {
			name string
			v    *int
		}{{"snaplen", &opts.Snaplen}, {"count", &opts.Count}} {
			s := qv.Get(p.name)
			if s == "" {
				continue
			}
			n, err := strconv.Atoi(s)
			if err != nil || n < 0 {
				http.Error(w, fmt.Sprintf("bad %s %q", p.name, s), http.StatusBadRequest)
				return
			}
			*p.v = n
		}
		// A capture runs as long as the client reads: no write
		// deadline the server may have set applies, but each write
		// has CaptureStall to go through.
		rc := http.NewResponseController(w)
		stall := func() { rc.SetWriteDeadline(time.Now().Add(m.opts.CaptureStall)) }
		stall()
		flush := func() error {
			stall()
			return rc.Flush()
		}
		started := func(err error) {
			switch {
			case errors.Is(err, ErrTooManyCaptures):
				http.Error(w, err.Error(), http.StatusServiceUnavailable)
			case err != nil:
				http.Error(w, err.Error(), http.StatusBadRequest)
			default:
				w.Header().Set("Content-Type", "application/x-pcapng")
				w.Header().Set("Cache-Control", "no-store")
				w.Header().Set("X-Content-Type-Options", "nosniff")
				w.WriteHeader(http.StatusOK)
			}
		}
		m.capture(r.Context(), stallWriter{w, stall}, flush, opts, started)
	})
}

// stallWriter gives each write of a capture over HTTP its own deadline.
type stallWriter struct {
	w     io.Writer
	stall func()
}

func (s stallWriter) Write(p []byte) (int, error) {
	s.stall()
	return s.w.Write(p)
}
