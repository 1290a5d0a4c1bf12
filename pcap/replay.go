package pcap

import (
	"errors"
	"fmt"
	"io"
	"net"
	"sync"
	"time"

	"github.com/medina-net/medina/ethernet"
	"github.com/medina-net/medina/link"
)

// Pacing says when a Replay delivers its frames.
type Pacing int

const (
	// AsFastAsPossible delivers the frames back to back, as fast as
	// ReadFrame is called.
	AsFastAsPossible Pacing = iota
	// Paced delivers each frame when the clock reaches its timestamp
	// (shifted by ReplayConfig.Start).
	Paced
)

// String returns "AsFastAsPossible" or "Paced".
func (p Pacing) String() string {
	switch p {
	case AsFastAsPossible:
		return "AsFastAsPossible"
	case Paced:
		return "Paced"
	}
	return fmt.Sprintf("Pacing(%d)", int(p))
}

// ReplayConfig configures a Replay. The zero value replays a capture with
// recorded directions as fast as possible.
type ReplayConfig struct {
	// Pacing is AsFastAsPossible (the zero value) or Paced.
	Pacing Pacing
	// Clock is the clock Paced replays wait on (link.SystemClock when
	// nil). In a testing/synctest bubble the standard clock is virtual
	// and starts at the same instant in every bubble, so a capture
	// recorded in one bubble replays in another at the very instants it
	// was recorded at.
	Clock link.Clock
	// Start, when not zero, shifts every timestamp of the capture so that
	// its first packet falls at Start: Start: clock.Now() replays a
	// capture recorded at any date with its original spacing. When zero,
	// timestamps are taken as they are.
	Start time.Time
	// HardwareAddr is the replay device's MAC address, which tells the
	// inbound frames (from any other source) from the outbound ones
	// where the capture does not record directions (classic pcap, or
	// pcapng without epb_flags). When zero it is the source of the first
	// frame the capture marks outbound; a capture that needs it and has
	// no such frame is refused.
	HardwareAddr ethernet.Addr
	// MTU is the replay device's MTU; 0 means 1500.
	MTU int
	// Interface selects the pcapng interface whose packets are replayed
	// (0, the first, by default); packets of other interfaces are
	// skipped.
	Interface int
}

// replayFrame is a packet of the capture.
type replayFrame struct {
	data   []byte    // captured bytes
	length int       // length on the wire
	at     time.Time // delivery time: the timestamp, shifted
}

// Replay is a link.Device that plays a capture's inbound frames into a
// stack, for tests and golden replays, and keeps the frames the stack
// writes so they can be compared with the capture's outbound frames.
//
// ReadFrame returns the inbound frames in capture order, as fast as it is
// called or at their recorded times (ReplayConfig.Pacing). After the last
// one the device goes quiet: ReadFrame blocks until Close, and then
// returns net.ErrClosed. WriteFrame keeps a copy of every frame, for
// Written and Compare.
//
// A frame is inbound when the pcapng epb_flags say so, outbound when they
// say so, and otherwise inbound unless its source is the device's own MAC
// address (a frame too short to have a source is inbound: a stack should
// drop it and count it).
//
// A Replay waits with channels and the clock's timers, so in a
// testing/synctest bubble a waiting ReadFrame is durably blocked and
// virtual time moves on; create the Replay inside the bubble.
type Replay struct {
	clock  link.Clock
	pacing Pacing
	mac    ethernet.Addr
	mtu    int
	in     []replayFrame // delivered by ReadFrame
	out    []replayFrame // recorded outbound, for Compare

	// The reader lock is a channel rather than a mutex so that a second
	// ReadFrame waiting for it counts as durably blocked in a synctest
	// bubble. It guards next and timer.
	readLock chan struct{}
	next     int
	timer    link.Timer
	wake     chan struct{} // the timer's signal, buffered
	done     chan struct{} // closed after the last inbound frame
	closed   chan struct{}
	once     sync.Once

	mu      sync.Mutex
	written [][]byte
}

// OpenReplay opens the capture file name and returns a Replay of it; see
// NewReplay.
func OpenReplay(name string, cfg ReplayConfig) (*Replay, error) {
	r, err := Open(name)
	if err != nil {
		return nil, err
	}
	defer r.Close()
	return NewReplay(r, cfg)
}

// NewReplay reads the rest of r's capture, which must be of Ethernet
// frames, and returns a Replay of it. The reader's errors are returned as
// they are; r is not closed.
func NewReplay(r *Reader, cfg ReplayConfig) (*Replay, error) {
	rp := &Replay{
		clock:    cfg.Clock,
		pacing:   cfg.Pacing,
		mac:      cfg.HardwareAddr,
		mtu:      cfg.MTU,
		readLock: make(chan struct{}, 1),
		wake:     make(chan struct{}, 1),
		done:     make(chan struct{}),
		closed:   make(chan struct{}),
	}
	if rp.clock == nil {
		rp.clock = link.SystemClock
	}
	if rp.mtu == 0 {
		rp.mtu = 1500
	}
	switch cfg.Pacing {
	case AsFastAsPossible, Paced:
	default:
		return nil, fmt.Errorf("pcap: replay: unknown pacing %v", cfg.Pacing)
	}

	// Read everything first: a bad file fails here, not in the middle
	// of a test.
	type packet struct {
		replayFrame
		dir Direction
	}
	var pkts []packet
	var first time.Time
	for i := 0; ; i++ {
		p, err := r.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, err
		}
		if p.Interface != cfg.Interface {
			continue
		}
		if p.LinkType != LinkTypeEthernet {
			return nil, fmt.Errorf("pcap: replay: packet %d: link type %v, not Ethernet", i+1, p.LinkType)
		}
		at := p.Time()
		if len(pkts) == 0 {
			first = at
		}
		pkts = append(pkts, packet{replayFrame{clone(p.Data), p.Length, at}, p.Direction()})
	}
	var shift time.Duration
	if !cfg.Start.IsZero() {
		shift = cfg.Start.Sub(first)
	}

	if rp.mac == (ethernet.Addr{}) {
		for _, p := range pkts {
			if p.dir == DirectionOutbound && len(p.data) >= ethernet.HeaderLen {
				rp.mac = ethernet.Frame(p.data).Src()
				break
			}
		}
	}
	for _, p := range pkts {
		p.at = p.at.Add(shift)
		dir := p.dir
		if dir != DirectionInbound && dir != DirectionOutbound {
			if len(p.data) < ethernet.HeaderLen {
				dir = DirectionInbound
			} else if rp.mac == (ethernet.Addr{}) {
				return nil, errors.New("pcap: replay: the capture does not record directions and marks no frame outbound: set ReplayConfig.HardwareAddr")
			} else if ethernet.Frame(p.data).Src() == rp.mac {
				dir = DirectionOutbound
			} else {
				dir = DirectionInbound
			}
		}
		if dir == DirectionInbound {
			rp.in = append(rp.in, p.replayFrame)
		} else {
			rp.out = append(rp.out, p.replayFrame)
		}
	}
	if len(rp.in) == 0 {
		close(rp.done)
	}
	return rp, nil
}

// ReadFrame returns the next inbound frame of the capture, cut to
// len(buf). With Paced, it first waits for the frame's time. After the
// last frame it blocks until Close. After Close it returns net.ErrClosed.
func (r *Replay) ReadFrame(buf []byte) (int, error) {
	select {
	case r.readLock <- struct{}{}:
	case <-r.closed:
		return 0, net.ErrClosed
	}
	defer func() { <-r.readLock }()
	if r.isClosed() {
		return 0, net.ErrClosed
	}
	if r.next == len(r.in) {
		<-r.closed // quiet from now on
		return 0, net.ErrClosed
	}
	f := &r.in[r.next]
	if r.pacing == Paced {
		if err := r.waitUntil(f.at); err != nil {
			return 0, err
		}
	}
	n := copy(buf, f.data)
	r.next++
	if r.next == len(r.in) {
		close(r.done)
	}
	return n, nil
}

// waitUntil waits for the clock to reach at, or for Close. The reader lock
// is held.
func (r *Replay) waitUntil(at time.Time) error {
	for {
		d := at.Sub(r.clock.Now())
		if d <= 0 {
			return nil
		}
		if r.timer == nil {
			r.timer = r.clock.AfterFunc(d, r.fire)
		} else {
			r.timer.Reset(d)
		}
		select {
		case <-r.wake:
			// Loop: a clock may fire early, and the signal may be
			// left over from a wait that Close ended.
		case <-r.closed:
			r.timer.Stop()
			return net.ErrClosed
		}
	}
}

// fire is the timer's function.
func (r *Replay) fire() {
	select {
	case r.wake <- struct{}{}:
	default:
	}
}

func (r *Replay) isClosed() bool {
	select {
	case <-r.closed:
		return true
	default:
		return false
	}
}

// WriteFrame keeps a copy of frame, for Written and Compare. After Close
// it returns net.ErrClosed.
func (r *Replay) WriteFrame(frame []byte) error {
	if r.isClosed() {
		return net.ErrClosed
	}
	c := clone(frame)
	r.mu.Lock()
	r.written = append(r.written, c)
	r.mu.Unlock()
	return nil
}

// clone copies b; the copy is never nil, which Mismatch uses to tell a
// missing frame from an empty one.
func clone(b []byte) []byte { return append([]byte{}, b...) }

// MTU returns ReplayConfig.MTU, 1500 by default.
func (r *Replay) MTU() int { return r.mtu }

// HardwareAddr returns ReplayConfig.HardwareAddr, or the address taken
// from the capture when it was zero (zero when the capture gave none).
func (r *Replay) HardwareAddr() ethernet.Addr { return r.mac }

// Close unblocks ReadFrame, which then returns net.ErrClosed, as do later
// calls of ReadFrame and WriteFrame. What was written stays available.
func (r *Replay) Close() error {
	r.once.Do(func() { close(r.closed) })
	return nil
}

// Done returns a channel that is closed once ReadFrame has returned the
// last inbound frame (at once if there is none).
func (r *Replay) Done() <-chan struct{} { return r.done }

// Inbound returns the capture's inbound frames, the ones ReadFrame
// delivers, as captured. The frames belong to the Replay: do not modify
// them.
func (r *Replay) Inbound() [][]byte { return frameData(r.in) }

// Recorded returns the capture's outbound frames, the ones a stack given
// the inbound frames should write, as captured (a frame the capture cut
// short is short here too). The frames belong to the Replay: do not modify
// them.
func (r *Replay) Recorded() [][]byte { return frameData(r.out) }

func frameData(fs []replayFrame) [][]byte {
	out := make([][]byte, len(fs))
	for i := range fs {
		out[i] = fs[i].data
	}
	return out
}

// Written returns the frames written so far, in order. The frames belong
// to the Replay: do not modify them.
func (r *Replay) Written() [][]byte {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([][]byte(nil), r.written...)
}

// Compare compares the frames written so far with the capture's outbound
// frames, in order, and returns nil when they are the same, or a
// *Mismatch describing the first difference. A frame the capture cut
// short matches a written frame of its length on the wire whose first
// bytes are the captured ones.
func (r *Replay) Compare() error {
	written := r.Written()
	for i := 0; i < len(written) || i < len(r.out); i++ {
		switch {
		case i >= len(written):
			return &Mismatch{Index: i, Offset: -1, Recorded: r.out[i].data, RecordedLength: r.out[i].length}
		case i >= len(r.out):
			return &Mismatch{Index: i, Offset: -1, Written: written[i]}
		}
		rec, w := r.out[i], written[i]
		off := -1
		n := min(len(rec.data), len(w))
		for j := range n {
			if rec.data[j] != w[j] {
				off = j
				break
			}
		}
		if off < 0 && (len(w) != rec.length || n < len(rec.data)) {
			off = n
		}
		if off >= 0 {
			return &Mismatch{Index: i, Offset: off, Recorded: rec.data, RecordedLength: rec.length, Written: w}
		}
	}
	return nil
}

// Mismatch is the first difference Compare found between the frames
// written to a Replay and the outbound frames of its capture.
type Mismatch struct {
	// Index is the position of the frame among the outbound frames.
	Index int
	// Offset is the first byte at which the frames differ (the length of
	// the shorter when one begins the other), or -1 when there is no
	// written frame Index (Written is nil) or no recorded one (Recorded is
	// nil).
	Offset int
	// Recorded is the frame in the capture, as captured, and
	// RecordedLength its length on the wire.
	Recorded       []byte
	RecordedLength int
	// Written is the frame written.
	Written []byte
}

// Error says which frame differs and where:
// "pcap: replay: outbound frame 3 differs at byte 38 (written 0x12, recorded 0x34)".
func (m *Mismatch) Error() string {
	switch {
	case m.Written == nil:
		return fmt.Sprintf("pcap: replay: outbound frame %d (%d bytes) was recorded but not written", m.Index, m.RecordedLength)
	case m.Recorded == nil:
		return fmt.Sprintf("pcap: replay: outbound frame %d (%d bytes) was written but not recorded", m.Index, len(m.Written))
	}
	s := fmt.Sprintf("pcap: replay: outbound frame %d differs at byte %d", m.Index, m.Offset)
	if m.Offset < len(m.Written) && m.Offset < len(m.Recorded) {
		s += fmt.Sprintf(" (written %#02x, recorded %#02x)", m.Written[m.Offset], m.Recorded[m.Offset])
	}
	if len(m.Written) != m.RecordedLength {
		s += fmt.Sprintf(": written %d bytes, recorded %d", len(m.Written), m.RecordedLength)
	}
	return s
}

var _ link.Device = (*Replay)(nil)
