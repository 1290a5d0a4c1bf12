package tcp

import (
	"syscall"
	"time"
)

// segOptions are the options of a received segment that the engine uses.
type segOptions struct {
	mss       int
	ws        int // -1 when absent
	sackOK    bool
	ts        bool
	tsVal     uint32
	tsEcr     uint32
	sack      [4]SACKBlock
	nsack     int
	malformed bool
}

// parseOptions reads the options of h.
func parseOptions(h Header) segOptions {
	o := segOptions{ws: -1}
	it := h.OptionIter()
	for {
		opt, ok := it.Next()
		if !ok {
			break
		}
		switch opt.Kind {
		case OptMSS:
			if v, ok := opt.MSS(); ok {
				o.mss = int(v)
			}
		case OptWindowScale:
			if v, ok := opt.WindowScale(); ok {
				o.ws = int(min(v, 14)) // RFC 7323 2.3: larger shifts are taken as 14
			}
		case OptSACKPermitted:
			o.sackOK = true
		case OptTimestamps:
			if val, ecr, ok := opt.Timestamps(); ok {
				o.ts, o.tsVal, o.tsEcr = true, val, ecr
			}
		case OptSACK:
			if blocks, ok := opt.SACK(); ok {
				for i := 0; i < blocks.Len() && o.nsack < len(o.sack); i++ {
					o.sack[o.nsack] = blocks.At(i)
					o.nsack++
				}
			}
		}
	}
	if it.Err() != nil {
		o.malformed = true
	}
	return o
}

// segment is a received segment taken apart.
type segment struct {
	h       Header
	seq     seq
	ack     seq
	flags   Flags
	wnd     int // the window field, not yet scaled
	payload []byte
	opt     segOptions
}

// len returns the sequence space the segment occupies.
func (s *segment) len() int {
	n := len(s.payload)
	if s.flags&FlagSYN != 0 {
		n++
	}
	if s.flags&FlagFIN != 0 {
		n++
	}
	return n
}

// input handles a segment for this connection (RFC 9293 3.10.7).
func (c *Conn) input(h Header) {
	s := segment{
		h:       h,
		seq:     seq(h.Seq()),
		ack:     seq(h.Ack()),
		flags:   h.Flags() & 0xff,
		wnd:     int(h.Window()),
		payload: h.Payload(),
		opt:     parseOptions(h),
	}
	now := c.e.clock.Now()
	c.mu.Lock()
	defer c.mu.Unlock()
	switch c.state {
	case stateClosed:
		return
	case stateSynSent:
		c.inputSynSent(&s, now)
	default:
		c.inputSynchronized(&s, now)
	}
	c.output(now)
	c.armTimer(now)
}

// inputSynSent handles a segment in SYN-SENT (RFC 9293 3.10.7.3).
func (c *Conn) inputSynSent(s *segment, now time.Time) {
	ackOK := false
	if s.flags&FlagACK != 0 {
		if s.ack.leq(c.iss) || s.ack.gt(c.sndMax) {
			if s.flags&FlagRST == 0 {
				c.e.sendReset(c.id, s.ack, 0, false)
			}
			return
		}
		ackOK = true
	}
	if s.flags&FlagRST != 0 {
		if ackOK {
			c.terminate(syscall.ECONNREFUSED)
		}
		return
	}
	if s.flags&FlagSYN == 0 {
		return
	}
	c.irs = s.seq
	c.rcvNxt = s.seq.add(1)
	c.negotiate(s)
	c.sndWnd = s.wnd // the window of a SYN is never scaled
	c.maxSndWnd = c.sndWnd
	c.sndWl1, c.sndWl2 = s.seq, s.ack
	if ackOK {
		c.sndUna = s.ack
		c.rttSample(s, now)
		c.retries = 0
		c.establish(now)
		c.ackNow = true
		return
	}
	// Simultaneous open (RFC 9293 3.5, figure 8): answer with SYN-ACK.
	c.setState(stateSynRcvd)
	c.sndNxt = c.iss // the SYN goes again, with an ACK this time
	c.ackNow = true
}

// negotiate takes the options of the peer's SYN: MSS, window scaling
// (RFC 7323: both sides or neither), SACK (RFC 2018) and timestamps.
func (c *Conn) negotiate(s *segment) {
	o := &s.opt
	c.wsOK = o.ws >= 0
	if c.wsOK {
		c.sndShift = uint8(o.ws)
	} else {
		c.rcvShift = 0
	}
	c.sackOK = o.sackOK
	c.tsOK = o.ts
	if o.ts {
		c.tsRecent, c.tsRecentAt = o.tsVal, c.e.clock.Now()
	}
	mss := o.mss
	if mss == 0 {
		mss = 536
	}
	c.setMSS(mss)
}

// establish enters ESTABLISHED.
func (c *Conn) establish(now time.Time) {
	c.setState(stateEstablished)
	c.cc.init(c.mss)
	c.rtoAt = time.Time{}
	c.armKeepAlive(now)
	c.handshakeDone()
	if c.l != nil {
		c.l.established(c)
	}
	c.wakeAll()
}

// inputSynchronized handles a segment in SYN-RECEIVED and the states after
// it (RFC 9293 3.10.7.4, with RFC 7323's PAWS and RFC 5961's defences).
func (c *Conn) inputSynchronized(s *segment, now time.Time) {
	// PAWS (RFC 7323 5.3): a segment whose timestamp is older than the
	// last one in order is a duplicate from an earlier wrap of the
	// sequence space.
	if c.tsOK && s.opt.ts && s.flags&FlagRST == 0 && int32(s.opt.tsVal-c.tsRecent) < 0 &&
		now.Sub(c.tsRecentAt) < 24*24*time.Hour {
		c.e.stats.pawsDrops.Add(1)
		c.ackNow = true
		return
	}
	if !c.acceptable(s) {
		if s.flags&FlagRST == 0 {
			c.ackNow = true
		}
		return
	}
	// RFC 5961 3.2: a reset is taken only at exactly RCV.NXT; one
	// elsewhere in the window gets a challenge ACK.
	if s.flags&FlagRST != 0 {
		if s.seq != c.rcvNxt {
			c.challengeACK(now)
			return
		}
		switch c.state {
		case stateSynRcvd:
			if c.l != nil {
				// A passive open goes back to listening: the connection
				// simply disappears.
				c.terminate(syscall.ECONNREFUSED)
				return
			}
			c.terminate(syscall.ECONNREFUSED)
		case stateClosing, stateLastAck, stateTimeWait:
			c.terminate(nil)
		default:
			c.terminate(syscall.ECONNRESET)
		}
		return
	}
	// RFC 5961 4.2: a SYN in a synchronized state gets a challenge ACK.
	if s.flags&FlagSYN != 0 {
		if c.state == stateSynRcvd && s.seq == c.irs {
			// A retransmitted SYN: our SYN-ACK was lost.
			c.sndNxt = c.iss
			return
		}
		c.challengeACK(now)
		return
	}
	if s.flags&FlagACK == 0 {
		return
	}
	// RFC 5961 5.2: an ACK for data we never sent, or too far back, is
	// answered with a challenge ACK and dropped.
	if s.ack.gt(c.sndMax) || s.ack.lt(c.sndUna.add(-c.maxSndWnd)) {
		c.challengeACK(now)
		return
	}
	if c.state == stateSynRcvd {
		if s.ack.leq(c.sndUna) || s.ack.gt(c.sndMax) {
			c.e.sendReset(c.id, s.ack, 0, false)
			return
		}
		if c.l != nil && !c.l.hasRoom() {
			// The accept queue is full: stay half-open, as if the ACK
			// had been lost; the peer's next segment tries again.
			c.e.stats.listenOverflows.Add(1)
			return
		}
		c.sndWnd = s.wnd << c.sndShift
		c.maxSndWnd = c.sndWnd
		c.sndWl1, c.sndWl2 = s.seq, s.ack
		c.establish(now)
	}
	// RFC 7323 4.3: remember the timestamp of a segment that covers the
	// left edge of the window.
	if c.tsOK && s.opt.ts && s.seq.leq(c.rcvNxt) {
		c.tsRecent, c.tsRecentAt = s.opt.tsVal, now
	}
	c.inputAck(s, now)
	if c.state == stateClosed {
		return
	}

	switch c.state {
	case stateEstablished, stateFinWait1, stateFinWait2:
		if len(s.payload) > 0 {
			c.inputData(s, now)
		}
	}
	if s.flags&FlagFIN != 0 {
		c.inputFIN(s, now)
	}
}

// acceptable is RFC 9293's segment acceptability test (3.10.7.4, first
// check), against the window we advertised.
func (c *Conn) acceptable(s *segment) bool {
	wnd := max(c.rcvAdv.diff(c.rcvNxt), 0)
	n := s.len()
	switch {
	case n == 0 && wnd == 0:
		return s.seq == c.rcvNxt
	case n == 0:
		return s.seq.inWindow(c.rcvNxt, wnd)
	case wnd == 0:
		return false
	default:
		return s.seq.inWindow(c.rcvNxt, wnd) || s.seq.add(n-1).inWindow(c.rcvNxt, wnd)
	}
}

// challengeACK sends RFC 5961's challenge ACK, within the engine-wide rate
// limit that keeps it from being used to probe.
func (c *Conn) challengeACK(now time.Time) {
	if !c.e.challenge.allow(now) {
		c.e.stats.challengeLimits.Add(1)
		return
	}
	c.e.stats.challengeACKs.Add(1)
	c.sendACK(now)
}

// inputAck processes the acknowledgement and window of a segment.
func (c *Conn) inputAck(s *segment, now time.Time) {
	acked := s.ack.diff(c.sndUna)
	if c.sackOK && s.opt.nsack > 0 {
		c.sb.update(c.sndUna, c.sndMax, s.opt.sack[:s.opt.nsack])
	}
	// The window (RFC 9293 3.10.7.4, SND.WL1/WL2 rule).
	if c.sndWl1.lt(s.seq) || (c.sndWl1 == s.seq && c.sndWl2.leq(s.ack)) {
		wnd := s.wnd << c.sndShift
		if wnd != c.sndWnd {
			c.sndWnd = wnd
			c.maxSndWnd = max(c.maxSndWnd, wnd)
			signal(c.writable)
		}
		c.sndWl1, c.sndWl2 = s.seq, s.ack
	}
	if acked <= 0 {
		// A duplicate ACK (RFC 5681 2): no data, the same window, and
		// data outstanding.
		if acked == 0 && len(s.payload) == 0 && s.flags&(FlagSYN|FlagFIN) == 0 && c.sndMax != c.sndUna {
			c.dupAck(s, now)
		}
		return
	}
	c.newAck(s, acked, now)
}

// newAck handles an ACK that acknowledges acked new bytes.
func (c *Conn) newAck(s *segment, acked int, now time.Time) {
	dataAcked := acked
	if c.finQueued && s.ack.gt(c.finSeq) {
		dataAcked-- // our FIN's sequence number
	}
	if c.sndUna == c.iss {
		dataAcked-- // our SYN's
	}
	c.snd.discard(min(max(dataAcked, 0), c.snd.len()))
	c.sndUna = s.ack
	if c.sndNxt.lt(c.sndUna) {
		c.sndNxt = c.sndUna
	}
	c.rttSample(s, now)
	c.retries = 0
	c.kaProbes = 0
	if c.sackOK {
		c.sb.ackedTo(c.sndUna)
	}

	if c.inRecovery {
		if s.ack.geq(c.recoverSeq) {
			// Full acknowledgement: recovery ends (RFC 6582 3.2 step 3).
			c.inRecovery = false
			c.dupAcks = 0
			c.cc.onRecoveryEnd(c.mss)
		} else if !c.sb.active() {
			// NewReno partial acknowledgement: the next hole is lost too;
			// retransmit it at once (RFC 6582 3.2 step 5).
			c.retransmitHead(now)
		}
	} else {
		c.dupAcks = 0
		c.cc.onAck(dataAcked, c.mss, c.srtt, now)
	}

	// Restart the retransmission timer for what is still outstanding
	// (RFC 6298 5.3), or stop it.
	if c.sndUna == c.sndMax {
		c.rtoAt = time.Time{}
		c.persist = false
	} else {
		c.rtoAt = now.Add(c.rto)
	}

	switch c.state {
	case stateFinWait1:
		if c.finQueued && c.sndUna == c.finSeq.add(1) {
			c.setState(stateFinWait2)
		}
	case stateClosing:
		if c.sndUna == c.finSeq.add(1) {
			c.enterTimeWait(now)
		}
	case stateLastAck:
		if c.sndUna == c.finSeq.add(1) {
			c.terminate(nil)
			return
		}
	}
	signal(c.writable)
}

// dupAck counts a duplicate acknowledgement and starts loss recovery at
// the third (RFC 5681 3.2, RFC 6582, RFC 6675 with SACK).
func (c *Conn) dupAck(s *segment, now time.Time) {
	c.dupAcks++
	if c.inRecovery {
		return
	}
	lost := c.dupAcks >= 3
	if c.sackOK && c.sb.isLost(c.sndUna, c.mss) {
		lost = true
	}
	if !lost {
		return
	}
	// Not twice for the same window of data (RFC 6582 4.1).
	if c.recoverSeq.gt(c.sndUna) && c.recoverSeq != c.iss {
		return
	}
	c.e.stats.fastRetrans.Add(1)
	c.inRecovery = true
	c.recoverSeq = c.sndMax
	c.cc.onCongestion(c.flight(), c.mss, now)
	c.retransmitHead(now)
}

// flight returns the bytes in flight (RFC 6675's pipe when SACK is on).
func (c *Conn) flight() int {
	if c.sb.active() {
		return c.sb.pipe(c.sndUna, c.sndNxt, c.sndMax, c.mss)
	}
	return c.sndNxt.diff(c.sndUna)
}

// inputData takes in the payload of an acceptable segment, in order or
// not, and schedules the acknowledgement.
func (c *Conn) inputData(s *segment, now time.Time) {
	data, sq := s.payload, s.seq
	// Trim what we already have and what falls outside the window.
	if d := c.rcvNxt.diff(sq); d > 0 {
		if d >= len(data) {
			c.ackNow = true // a duplicate: the peer did not hear our ACK
			return
		}
		data, sq = data[d:], sq.add(d)
	}
	wnd := c.rcvWindow()
	off := sq.diff(c.rcvNxt)
	if off+len(data) > wnd {
		data = data[:max(wnd-off, 0)]
		c.ackNow = true
	}
	if len(data) == 0 {
		return
	}
	if c.rcv.cap() < c.rcvBufSize {
		c.rcv.reserve(c.rcvBufSize)
	}
	c.rcv.writeAt(c.rcv.len()+off, data)
	if off > 0 {
		// Out of order: keep it, and send a duplicate ACK with SACK at
		// once so the peer's loss recovery starts (RFC 5681 4.2).
		c.ooo.add(sq, sq.add(len(data)))
		c.ackNow = true
		return
	}
	end := c.ooo.takeFrom(sq.add(len(data)))
	filled := len(c.ooo.ranges) > 0 || end != sq.add(len(data))
	c.rcv.n += end.diff(c.rcvNxt)
	c.rcvNxt = end
	signal(c.readable)
	// Acknowledge at least every second full-sized segment (RFC 9293
	// 3.8.6.3), at once when a hole was filled, and otherwise within
	// the delayed-ACK time.
	c.ackPending++
	if filled || c.ackPending >= 2 || len(data) < c.mss/2 && c.ackPending > 1 {
		c.ackNow = true
	} else if c.delackAt.IsZero() {
		c.delackAt = now.Add(c.e.cfg.DelayedACK)
	}
}

// rcvWindow returns the room for data beyond RCV.NXT.
func (c *Conn) rcvWindow() int {
	return max(c.rcvBufSize-c.rcv.len(), 0)
}

// inputFIN handles the peer's FIN once the data before it has arrived.
func (c *Conn) inputFIN(s *segment, now time.Time) {
	if c.finRcvd || s.seq.add(len(s.payload)) != c.rcvNxt {
		return
	}
	c.finRcvd = true
	c.rcvNxt = c.rcvNxt.add(1)
	c.ackNow = true
	signal(c.readable)
	switch c.state {
	case stateSynRcvd, stateEstablished:
		c.setState(stateCloseWait)
	case stateFinWait1:
		if c.sndUna == c.finSeq.add(1) {
			c.enterTimeWait(now)
		} else {
			c.setState(stateClosing)
		}
	case stateFinWait2:
		c.enterTimeWait(now)
	}
}

// enterTimeWait moves to TIME-WAIT for 2 MSL.
func (c *Conn) enterTimeWait(now time.Time) {
	c.setState(stateTimeWait)
	c.e.stats.timeWaits.Add(1)
	c.timeWaitAt = now.Add(c.e.cfg.TimeWait)
	c.rtoAt, c.delackAt, c.keepAt = time.Time{}, time.Time{}, time.Time{}
	c.snd = ring{}
	c.wakeAll()
}
