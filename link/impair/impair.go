// Package impair wraps a link.Device and makes its link worse in a
// repeatable way: it loses, duplicates, reorders and corrupts frames,
// delays them with jitter, and limits the rate, each direction on its own.
//
// This machine's kernel has no netem (CONFIG_NET_SCH_NETEM is not set, and
// there are no modules to load), so the usual
// way of impairing a TAP link, "tc qdisc add dev tap0 root netem loss 1%",
// is not there. The impairment is done here instead, on the stack's side of
// the device: wrap a TAP (or a pipe end) with New and give the wrapper to
// the stack. It has a second advantage over netem: a seed.
//
// # Determinism
//
// The same Seed gives the same impairments. Each direction draws from its
// own PCG stream, seeded from Seed and the direction, and takes the same
// number of values for every frame that enters it, in the same order
// (loss, duplicate, corrupt, the corrupted bit, reorder, jitter), whether
// or not the frame is lost and whatever the profile. So the decisions for
// the Nth frame written (or read) do not depend on timing, on frame sizes,
// or on the other direction. What timing does change is the outcome of
// decisions that meet the clock: whether a held frame still waits for a
// successor, whether the queue is full. Run under testing/synctest, where
// link.SystemClock is virtual, and those are repeatable too.
//
// # The model
//
// A frame entering a direction is, in order:
//
//   - lost, with probability Loss: it is gone, and counted as Dropped;
//   - dropped when QueueLimit frames are already held (QueueDropped);
//   - corrupted, with probability Corrupt: one bit of one byte after the
//     14-byte Ethernet header is flipped (in a frame of 14 bytes or fewer,
//     of any byte). The header is spared on purpose: on a real link a
//     corrupted frame fails its FCS and is lost, so corruption that gets
//     through is there to exercise the IP, TCP and UDP checksums, and a
//     flipped address would send the frame elsewhere instead;
//   - duplicated, with probability Duplicate: an uncorrupted copy follows
//     the frame with the same timing;
//   - held back for reordering, with probability Reorder, unless a frame
//     is held already: it is released right after the next frame of the
//     direction (which makes a swap), or, if no frame comes, after
//     Delay+Jitter (ReorderHold when both are 0), late but in order. The
//     copy of a duplicated frame is not held;
//   - sent through a link of Rate bits per second (0 is unlimited), one
//     frame at a time, then delayed by Delay plus a uniform draw from
//     [-Jitter, +Jitter], never below 0. Frames leave in the order they
//     enter: jitter spreads their times but, unlike netem's, does not
//     reorder them; Reorder does.
//
// Frames held by the rate limit, the delay or the reordering sit in a queue
// of QueueLimit frames (DefaultQueueLimit when 0, netem's default), which
// for Rx includes frames waiting for ReadFrame.
//
// # Costs
//
// A zero Profile passes frames straight through: no lock, no copy, no
// allocation, one atomic add for the counter. A profile with only Loss,
// Duplicate and Corrupt works on the caller's goroutine without a queue.
// Delay, Jitter, Rate or Reorder on Tx hold frames in a queue and deliver
// them from the Clock's timers; on Rx they add a goroutine that reads the
// wrapped device. Frame buffers come from a free list, so no profile
// allocates per frame once the queue has been as full as it gets.
package impair

import (
	"fmt"
	"math/bits"
	"math/rand/v2"
	"net"
	"sync"
	"sync/atomic"
	"time"

	"github.com/medina-net/medina/ethernet"
	"github.com/medina-net/medina/link"
)

// DefaultQueueLimit is the QueueLimit of a Profile that leaves it 0; it is
// netem's default limit.
const DefaultQueueLimit = 1000

// ReorderHold is how long a frame held for reordering waits for a
// successor when the profile's Delay and Jitter are both 0.
const ReorderHold = time.Millisecond

// Profile is the impairment of one direction. The zero Profile passes
// frames through untouched.
type Profile struct {
	// Loss, Duplicate, Reorder and Corrupt are the probabilities, from 0
	// to 1, that a frame is lost, duplicated, held back to be reordered,
	// or has a bit flipped.
	Loss, Duplicate, Reorder, Corrupt float64
	// Delay is added to every frame; Jitter spreads it uniformly over
	// [Delay-Jitter, Delay+Jitter], never below 0.
	Delay, Jitter time.Duration
	// Rate is the link's speed in bits per second, counted over whole
	// frames; 0 is unlimited.
	Rate int64
	// QueueLimit is the number of frames the direction holds (delayed,
	// rate-limited, held for reordering, or on Rx waiting to be read)
	// before it drops; 0 means DefaultQueueLimit.
	QueueLimit int
}

// timeless reports whether the profile needs no queue or timer.
func (p Profile) timeless() bool {
	return p.Delay == 0 && p.Jitter == 0 && p.Rate == 0 && p.Reorder == 0
}

// zero reports whether the profile passes frames through; QueueLimit
// alone changes nothing.
func (p Profile) zero() bool {
	return p.timeless() && p.Loss == 0 && p.Duplicate == 0 && p.Corrupt == 0
}

// Config describes the impairment of a device.
type Config struct {
	// Seed seeds both directions' random streams.
	Seed uint64
	// Clock times delays, jitter, rates and reordering; nil means
	// link.SystemClock.
	Clock link.Clock
	// Tx impairs frames written through the Device before they reach the
	// wrapped device; Rx impairs frames read from the wrapped device
	// before they reach the caller.
	Tx, Rx Profile
}

// Counters count what one direction did to its frames.
type Counters struct {
	// Frames counts frames that entered the direction.
	Frames uint64
	// Delivered counts frames that left it, duplicates included: written
	// to the wrapped device (Tx) or returned by ReadFrame (Rx).
	Delivered uint64
	// Dropped counts frames lost by the Loss probability.
	Dropped uint64
	// Duplicated, Reordered and Corrupted count frames so treated;
	// Reordered counts frames released after a successor.
	Duplicated, Reordered, Corrupted uint64
	// Delayed counts frames that waited in the queue for the rate, the
	// delay or a reordering.
	Delayed uint64
	// QueueDropped counts frames dropped because the queue was full.
	QueueDropped uint64
	// Errors counts delayed Tx frames that the wrapped device refused
	// when the timer delivered them; no caller was there to be told.
	Errors uint64
}

// Stats holds the counters of both directions.
type Stats struct {
	Tx, Rx Counters
}

// Device is a link.Device that impairs the frames of the device it wraps.
// It implements link.BatchReader and link.BatchWriter, whether or not the
// wrapped device does, and is safe for concurrent use.
type Device struct {
	dev   link.Device
	clock link.Clock
	tx    direction
	rx    direction

	closeOnce sync.Once
	closeErr  error
	pump      sync.WaitGroup
}

var (
	_ link.Device      = (*Device)(nil)
	_ link.BatchReader = (*Device)(nil)
	_ link.BatchWriter = (*Device)(nil)
)

// errClosed is returned once the Device is closed.
var errClosed = fmt.Errorf("impair: %w", net.ErrClosed)

// Seeds of the second PCG word, which make the directions' streams
// differ: "medinaTx" and "medinaRx".
const (
	txStream = 0x6d6564696e615478
	rxStream = 0x6d6564696e615278
)

// New wraps dev. The Device owns dev from now on: closing it closes dev.
// When cfg.Rx delays, limits or reorders, New starts a goroutine that
// reads dev until Close.
func New(dev link.Device, cfg Config) *Device {
	d := &Device{dev: dev, clock: cfg.Clock}
	if d.clock == nil {
		d.clock = link.SystemClock
	}
	frameLen := link.FrameLen(dev)
	d.tx.init(d, cfg.Tx, cfg.Seed, txStream, frameLen, false)
	d.rx.init(d, cfg.Rx, cfg.Seed, rxStream, frameLen, true)
	if d.rx.mode == modeQueued {
		d.pump.Add(1)
		go d.readLoop()
	}
	return d
}

// Unwrap returns the wrapped device.
func (d *Device) Unwrap() link.Device { return d.dev }

// Layer3 is the wrapped device's (link.Layer3): impairing a TUN's
// packets leaves it a layer-3 link.
func (d *Device) Layer3() bool { return link.IsLayer3(d.dev) }

// MTU returns the wrapped device's MTU.
func (d *Device) MTU() int { return d.dev.MTU() }

// HardwareAddr returns the wrapped device's address.
func (d *Device) HardwareAddr() ethernet.Addr { return d.dev.HardwareAddr() }

// Stats returns the counters of both directions.
func (d *Device) Stats() Stats { return Stats{Tx: d.tx.counters(), Rx: d.rx.counters()} }

// WriteFrame impairs frame by the Tx profile and writes what is left to
// the wrapped device, now or when its delay is over. Loss and queue drops
// are not errors. A frame delivered at once returns the wrapped device's
// error; one delivered later cannot, and an error then is counted.
func (d *Device) WriteFrame(frame []byte) error {
	t := &d.tx
	if t.mode == modePass {
		if err := d.dev.WriteFrame(frame); err != nil {
			return err
		}
		t.c.frames.Add(1)
		return nil
	}
	return t.write(frame)
}

// WriteFrames writes frames in order, as WriteFrame would. Without a Tx
// impairment it hands them to the wrapped device's WriteFrames when it has
// one.
func (d *Device) WriteFrames(frames [][]byte) (int, error) {
	if d.tx.mode == modePass {
		if bw, ok := d.dev.(link.BatchWriter); ok {
			n, err := bw.WriteFrames(frames)
			d.tx.c.frames.Add(uint64(n))
			return n, err
		}
	}
	for i, f := range frames {
		if err := d.WriteFrame(f); err != nil {
			return i, err
		}
	}
	return len(frames), nil
}

// ReadFrame returns the next frame the Rx profile lets through, copied
// into buf and cut to len(buf).
func (d *Device) ReadFrame(buf []byte) (int, error) {
	r := &d.rx
	switch r.mode {
	case modePass:
		n, err := d.dev.ReadFrame(buf)
		if err == nil {
			r.c.frames.Add(1)
		}
		return n, err
	case modeSync:
		return r.readSync(buf)
	}
	var lens [1]int
	bufs := [1][]byte{buf}
	_, err := r.readQueued(bufs[:], lens[:])
	return lens[0], err
}

// ReadFrames reads at least one frame and up to len(bufs), as ReadFrame
// would. Without an Rx impairment it uses the wrapped device's ReadFrames
// when it has one.
func (d *Device) ReadFrames(bufs [][]byte, lens []int) (int, error) {
	if len(bufs) == 0 {
		return 0, nil
	}
	r := &d.rx
	switch r.mode {
	case modePass:
		if br, ok := d.dev.(link.BatchReader); ok {
			n, err := br.ReadFrames(bufs, lens)
			r.c.frames.Add(uint64(n))
			return n, err
		}
		fallthrough
	case modeSync:
		n, err := d.ReadFrame(bufs[0])
		if err != nil {
			return 0, err
		}
		lens[0] = n
		return 1, nil
	}
	return r.readQueued(bufs, lens)
}

// Close discards the frames the Device holds, stops its timers, closes the
// wrapped device and waits for the reading goroutine, if any, to stop.
// It returns the wrapped device's error; closing again returns the same.
func (d *Device) Close() error {
	d.closeOnce.Do(func() {
		d.tx.close()
		d.rx.close()
		d.closeErr = d.dev.Close()
		d.pump.Wait()
	})
	return d.closeErr
}

// readLoop reads the wrapped device into the Rx queue until it fails.
func (d *Device) readLoop() {
	defer d.pump.Done()
	r := &d.rx
	for {
		r.mu.Lock()
		buf := r.getBuf(0)
		r.mu.Unlock()
		n, err := d.dev.ReadFrame(buf)
		r.mu.Lock()
		if err != nil || r.closed {
			r.putBuf(buf)
			r.pumpDone, r.pumpErr = true, err
			r.mu.Unlock()
			r.ready.Broadcast()
			return
		}
		r.enqueue(buf[:n])
		r.mu.Unlock()
	}
}

const (
	modePass   = iota // zero profile: straight through
	modeSync          // loss, duplicate, corrupt: on the caller's goroutine
	modeQueued        // delay, jitter, rate, reorder: a queue and a timer
)

// direction is the state of Tx or Rx.
type direction struct {
	d    *Device
	rx   bool
	prof Profile
	mode int
	c    atomicCounters

	mu       sync.Mutex
	ready    sync.Cond // Rx: a frame reached out, or the pump stopped
	rng      rand.PCG
	frameLen int
	limit    int
	closed   bool
	free     [][]byte // frame buffers to reuse

	q        fifo      // frames waiting for their time, in order
	out      fifo      // Rx: frames waiting for ReadFrame
	held     entry     // a frame held for reordering, if held.buf != nil
	heldTill time.Time // when the held frame goes on alone
	linkFree time.Time // when the rate-limited link finishes its frame
	lastAt   time.Time // when the last scheduled frame leaves

	timer   link.Timer
	timerAt time.Time // when timer fires, if armed
	armed   bool
	fireFn  func()

	pumpDone bool  // Rx: readLoop has stopped
	pumpErr  error // and why
}

// entry is a frame in a queue: a buffer from the free list and the time
// it leaves.
type entry struct {
	buf []byte
	at  time.Time
}

func (t *direction) init(d *Device, p Profile, seed, stream uint64, frameLen int, rx bool) {
	t.d, t.rx, t.prof, t.frameLen = d, rx, p, frameLen
	t.rng.Seed(seed, stream)
	t.ready.L = &t.mu
	t.limit = p.QueueLimit
	if t.limit <= 0 {
		t.limit = DefaultQueueLimit
	}
	switch {
	case p.zero():
		t.mode = modePass
	case p.timeless():
		t.mode = modeSync
		if rx {
			t.out.init(t.limit) // duplicates wait here for the next read
		}
	default:
		t.mode = modeQueued
		t.q.init(t.limit)
		if rx {
			t.out.init(t.limit)
		}
		t.fireFn = t.fire
	}
}

// draws are the random decisions for one frame.
type draws struct {
	lose, dup, corrupt, reorder bool
	bit                         uint64        // picks the corrupted bit
	jitter                      time.Duration // in [-Jitter, +Jitter]
}

// draw takes the decisions for the next frame: always six values, in the
// same order, so that the Nth frame's decisions are the Nth six values of
// the stream. t.mu is held.
func (t *direction) draw() draws {
	p := &t.prof
	var r draws
	r.lose = unit(t.rng.Uint64()) < p.Loss
	r.dup = unit(t.rng.Uint64()) < p.Duplicate
	r.corrupt = unit(t.rng.Uint64()) < p.Corrupt
	r.bit = t.rng.Uint64()
	r.reorder = unit(t.rng.Uint64()) < p.Reorder
	j := t.rng.Uint64()
	if p.Jitter > 0 {
		span := uint64(2*p.Jitter + 1)
		hi, _ := bits.Mul64(j, span)
		r.jitter = time.Duration(hi) - p.Jitter
	}
	return r
}

// unit maps x to [0, 1) with 53 bits of precision.
func unit(x uint64) float64 { return float64(x>>11) * 0x1p-53 }

// corrupt flips the bit of f that x picks, sparing the Ethernet header
// when there is anything after it.
func corrupt(f []byte, x uint64) {
	if len(f) > ethernet.HeaderLen {
		f = f[ethernet.HeaderLen:]
	}
	if len(f) == 0 {
		return
	}
	pos, _ := bits.Mul64(x, uint64(len(f))*8)
	f[pos/8] ^= 1 << (pos % 8)
}

// write is WriteFrame for a Tx profile that is not zero.
func (t *direction) write(frame []byte) error {
	t.mu.Lock()
	if t.closed {
		t.mu.Unlock()
		return errClosed
	}
	if t.mode == modeQueued {
		buf := t.getBuf(len(frame))
		t.enqueue(buf[:copy(buf, frame)])
		t.mu.Unlock()
		return nil
	}
	defer t.mu.Unlock()
	t.c.frames.Add(1)
	r := t.draw()
	if r.lose {
		t.c.dropped.Add(1)
		return nil
	}
	out := frame
	if r.corrupt {
		buf := t.getBuf(len(frame))
		out = buf[:copy(buf, frame)]
		corrupt(out, r.bit)
		t.c.corrupted.Add(1)
		defer t.putBuf(buf)
	}
	if err := t.d.dev.WriteFrame(out); err != nil {
		return err
	}
	t.c.delivered.Add(1)
	if r.dup {
		t.c.duplicated.Add(1)
		if err := t.d.dev.WriteFrame(frame); err != nil {
			return err
		}
		t.c.delivered.Add(1)
	}
	return nil
}

// readSync is ReadFrame for an Rx profile of loss, duplication and
// corruption only. A duplicate waits in out for the next call.
func (t *direction) readSync(buf []byte) (int, error) {
	for {
		t.mu.Lock()
		if t.closed {
			t.mu.Unlock()
			return 0, errClosed
		}
		if t.out.n > 0 {
			e := t.out.pop()
			n := copy(buf, e.buf)
			t.putBuf(e.buf)
			t.c.delivered.Add(1)
			t.mu.Unlock()
			return n, nil
		}
		t.mu.Unlock()

		n, err := t.d.dev.ReadFrame(buf)
		if err != nil {
			return 0, err
		}
		t.mu.Lock()
		t.c.frames.Add(1)
		r := t.draw()
		if r.lose {
			t.c.dropped.Add(1)
			t.mu.Unlock()
			continue
		}
		if r.dup {
			if t.out.n < t.limit {
				b := t.getBuf(n)
				t.out.push(entry{buf: b[:copy(b, buf[:n])]})
				t.c.duplicated.Add(1)
			} else {
				t.c.queueDropped.Add(1)
			}
		}
		if r.corrupt {
			corrupt(buf[:n], r.bit)
			t.c.corrupted.Add(1)
		}
		t.c.delivered.Add(1)
		t.mu.Unlock()
		return n, nil
	}
}

// readQueued is ReadFrames for an Rx profile with a queue.
func (t *direction) readQueued(bufs [][]byte, lens []int) (int, error) {
	t.mu.Lock()
	for t.out.n == 0 && !t.closed && !(t.pumpDone && t.q.n == 0 && t.held.buf == nil) {
		t.ready.Wait()
	}
	if t.closed {
		t.mu.Unlock()
		return 0, errClosed
	}
	if t.out.n == 0 {
		err := t.pumpErr
		t.mu.Unlock()
		return 0, err
	}
	k := 0
	for k < len(bufs) && t.out.n > 0 {
		e := t.out.pop()
		lens[k] = copy(bufs[k], e.buf)
		t.putBuf(e.buf)
		k++
	}
	t.c.delivered.Add(uint64(k))
	t.mu.Unlock()
	return k, nil
}

// occupancy is the number of frames the direction holds. t.mu is held.
func (t *direction) occupancy() int {
	n := t.q.n + t.out.n
	if t.held.buf != nil {
		n++
	}
	return n
}

// enqueue takes a frame, in buf from the free list, into a queued
// direction: it draws, drops, corrupts, duplicates, holds and schedules,
// delivers what is due, and arms the timer. t.mu is held; buf is the
// direction's from now on.
func (t *direction) enqueue(buf []byte) {
	t.c.frames.Add(1)
	r := t.draw()
	now := t.d.clock.Now()
	// Frames whose time has come go first, whether or not the timer has
	// run yet: the outcome (the order, the room left in the queue) must
	// not depend on which of two goroutines woken at the same instant
	// takes the lock first.
	t.flush(now)
	if r.lose {
		t.c.dropped.Add(1)
		t.putBuf(buf)
		return
	}
	if t.occupancy() >= t.limit {
		t.c.queueDropped.Add(1)
		t.putBuf(buf)
		return
	}
	var dup []byte
	if r.dup {
		if t.occupancy()+1 < t.limit {
			dup = t.getBuf(len(buf))
			dup = dup[:copy(dup, buf)]
			t.c.duplicated.Add(1)
		} else {
			t.c.queueDropped.Add(1)
		}
	}
	if r.corrupt {
		corrupt(buf, r.bit)
		t.c.corrupted.Add(1)
	}
	delay := t.prof.Delay + r.jitter
	if r.reorder && t.held.buf == nil {
		// Hold this one; the duplicate, if any, goes on.
		t.held = entry{buf: buf}
		hold := t.prof.Delay + t.prof.Jitter
		if hold <= 0 {
			hold = ReorderHold
		}
		t.heldTill = now.Add(hold)
		t.schedule(dup, now, delay, false)
	} else {
		t.schedule(buf, now, delay, false)
		t.schedule(dup, now, delay, false)
		if t.held.buf != nil {
			// The frame held for reordering follows this one.
			h := t.held.buf
			t.held = entry{}
			t.c.reordered.Add(1)
			t.schedule(h, now, delay, true)
		}
	}
	t.run(now)
}

// schedule puts buf, if not nil, at the end of the queue: it waits for the
// rate-limited link, then for delay, and never leaves before the frame
// ahead of it. held says the frame has waited already. t.mu is held.
func (t *direction) schedule(buf []byte, now time.Time, delay time.Duration, held bool) {
	if buf == nil {
		return
	}
	at := now
	if rate := t.prof.Rate; rate > 0 {
		if t.linkFree.After(at) {
			at = t.linkFree
		}
		at = at.Add(time.Duration(int64(len(buf)) * 8 * int64(time.Second) / rate))
		t.linkFree = at
	}
	if delay > 0 {
		at = at.Add(delay)
	}
	if at.Before(t.lastAt) {
		at = t.lastAt
	}
	t.lastAt = at
	if held || at.After(now) {
		t.c.delayed.Add(1)
	}
	t.q.push(entry{buf: buf, at: at})
}

// release schedules the frame held for reordering if its wait is over: no
// successor came, and it goes on alone, late. t.mu is held.
func (t *direction) release(now time.Time) {
	if t.held.buf != nil && !t.heldTill.After(now) {
		h := t.held.buf
		t.held = entry{}
		t.schedule(h, t.heldTill, 0, true)
	}
}

// flush releases a held frame whose wait is over and delivers the frames
// that are due at now. t.mu is held.
func (t *direction) flush(now time.Time) {
	for {
		t.release(now)
		if t.q.n == 0 || t.q.peek().at.After(now) {
			return
		}
		t.deliver(t.q.pop().buf)
	}
}

// run flushes, then arms the timer for the next frame due. t.mu is held.
func (t *direction) run(now time.Time) {
	t.flush(now)
	next, ok := time.Time{}, false
	if t.q.n > 0 {
		next, ok = t.q.peek().at, true
	}
	if t.held.buf != nil && (!ok || t.heldTill.Before(next)) {
		next, ok = t.heldTill, true
	}
	if !ok || (t.armed && !next.Before(t.timerAt)) {
		return
	}
	d := next.Sub(now)
	if t.timer == nil {
		t.timer = t.d.clock.AfterFunc(d, t.fireFn)
	} else {
		t.timer.Reset(d)
	}
	t.timerAt, t.armed = next, true
}

// deliver hands a due frame on: to the wrapped device (Tx) or to the
// readers (Rx). t.mu is held; delivering under it keeps frames in order.
func (t *direction) deliver(buf []byte) {
	if t.rx {
		t.out.push(entry{buf: buf})
		t.ready.Signal()
		return
	}
	if err := t.d.dev.WriteFrame(buf); err != nil {
		t.c.errors.Add(1)
	} else {
		t.c.delivered.Add(1)
	}
	t.putBuf(buf)
}

// fire is the timer's function.
func (t *direction) fire() {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.closed {
		return
	}
	// The timer may have been reset since it fired; run rearms it for
	// whatever is pending either way.
	t.armed = false
	t.run(t.d.clock.Now())
}

// close discards everything the direction holds and stops its timer.
func (t *direction) close() {
	t.mu.Lock()
	t.closed = true
	if t.timer != nil {
		t.timer.Stop()
	}
	for t.q.n > 0 {
		t.putBuf(t.q.pop().buf)
	}
	for t.out.n > 0 {
		t.putBuf(t.out.pop().buf)
	}
	t.held = entry{}
	t.mu.Unlock()
	t.ready.Broadcast()
}

// getBuf returns a frame buffer of at least frameLen and n bytes. A frame
// longer than the wrapped device's FrameLen is its business, not ours:
// it gets a buffer of its own, which then joins the free list. t.mu is
// held.
func (t *direction) getBuf(n int) []byte {
	if k := len(t.free); k > 0 {
		b := t.free[k-1]
		if cap(b) >= n {
			t.free = t.free[:k-1]
			return b[:cap(b)]
		}
	}
	return make([]byte, max(n, t.frameLen))
}

// putBuf returns a buffer from getBuf to the free list. t.mu is held.
func (t *direction) putBuf(b []byte) { t.free = append(t.free, b) }

// fifo is a ring of entries.
type fifo struct {
	e       []entry
	head, n int
}

func (f *fifo) init(capacity int) { f.e = make([]entry, capacity) }

func (f *fifo) push(e entry) {
	i := f.head + f.n
	if i >= len(f.e) {
		i -= len(f.e)
	}
	f.e[i] = e
	f.n++
}

func (f *fifo) peek() *entry { return &f.e[f.head] }

func (f *fifo) pop() entry {
	e := f.e[f.head]
	f.e[f.head] = entry{}
	f.head++
	if f.head == len(f.e) {
		f.head = 0
	}
	f.n--
	return e
}

// atomicCounters are Counters that the pass-through path updates without
// a lock.
type atomicCounters struct {
	frames, delivered, dropped, duplicated, reordered atomic.Uint64
	corrupted, delayed, queueDropped, errors          atomic.Uint64
}

func (t *direction) counters() Counters {
	c := &t.c
	s := Counters{
		Frames:       c.frames.Load(),
		Delivered:    c.delivered.Load(),
		Dropped:      c.dropped.Load(),
		Duplicated:   c.duplicated.Load(),
		Reordered:    c.reordered.Load(),
		Corrupted:    c.corrupted.Load(),
		Delayed:      c.delayed.Load(),
		QueueDropped: c.queueDropped.Load(),
		Errors:       c.errors.Load(),
	}
	if t.mode == modePass {
		s.Delivered = s.Frames
	}
	return s
}
