package tcp

import "time"

// armTimer makes the connection's one clock timer fire at its earliest
// deadline. Deadlines that move later leave the timer early; it then finds
// nothing due and re-arms, which is cheaper than resetting it at every
// ACK. The caller holds c.mu.
func (c *Conn) armTimer(now time.Time) {
	next := time.Time{}
	for _, t := range [...]time.Time{c.rtoAt, c.delackAt, c.keepAt, c.timeWaitAt} {
		if !t.IsZero() && (next.IsZero() || t.Before(next)) {
			next = t
		}
	}
	if next.IsZero() || (!c.timerAt.IsZero() && !c.timerAt.After(next)) {
		return
	}
	c.timerAt = next
	d := max(next.Sub(now), 0)
	if c.timer == nil {
		c.timer = c.e.clock.AfterFunc(d, c.onTimer)
		return
	}
	c.timer.Reset(d)
}

// onTimer runs the deadlines that are due.
func (c *Conn) onTimer() {
	c.mu.Lock()
	defer c.mu.Unlock()
	now := c.e.clock.Now()
	c.timerAt = time.Time{}
	if c.state == stateClosed {
		return
	}
	if !c.timeWaitAt.IsZero() && !now.Before(c.timeWaitAt) {
		c.timeWaitAt = time.Time{}
		c.terminate(nil)
		return
	}
	if !c.delackAt.IsZero() && !now.Before(c.delackAt) {
		c.delackAt = time.Time{}
		if c.ackPending > 0 || c.ackNow {
			c.e.stats.delayedACKs.Add(1)
			c.ackNow = true
		}
	}
	if !c.rtoAt.IsZero() && !now.Before(c.rtoAt) {
		c.rtoAt = time.Time{}
		if c.persist {
			c.persistTimeout(now)
		} else {
			c.retransmitTimeout(now)
		}
		if c.state == stateClosed {
			return
		}
	}
	if !c.keepAt.IsZero() && !now.Before(c.keepAt) {
		c.keepAt = time.Time{}
		c.keepAliveTimeout(now)
		if c.state == stateClosed {
			return
		}
	}
	c.output(now)
	c.armTimer(now)
}

// retransmitTimeout handles the retransmission timer (RFC 6298 5.4-5.7):
// back off, collapse the window to one segment (RFC 5681 3.1), and send
// again from the oldest unacknowledged byte. With SACK, what the peer
// SACKed is not sent again: everything else outstanding is taken as lost
// and retransmitted, the first hole now and the rest as the window opens,
// before any new data (RFC 6675 5.1); without, the sender goes back to
// SND.UNA and sends everything again.
func (c *Conn) retransmitTimeout(now time.Time) {
	if c.sndUna == c.sndMax && c.state != stateSynSent && c.state != stateSynRcvd {
		return
	}
	c.retries++
	limit := maxDataRetries
	if !c.state.synchronized() {
		limit = maxSYNRetries
	}
	if c.retries > limit {
		// Giving up on a connection the peer never answered sends
		// nothing (RFC 9293 3.10.4): there is nobody to reset.
		if c.state != stateSynSent {
			c.sendRST(now)
		}
		c.terminate(c.timeoutError())
		return
	}
	c.e.stats.timeouts.Add(1)
	c.info.timeouts++
	c.rto = min(2*c.rto, c.e.cfg.MaxRTO)
	c.rtTiming = false
	if !c.state.synchronized() {
		c.handshakeRetx = true
		// Resend the SYN or SYN-ACK.
		c.sndNxt = c.iss
		c.e.stats.retransSegs.Add(1)
		return
	}
	// ssthresh falls at the first timeout of a segment, and is held at
	// the next ones (RFC 5681 3.1).
	c.cc.onRTO(c.flightSize(), c.mss, c.retries == 1, now)
	c.inRecovery = false
	c.dupAcks = 0
	// No fast retransmit until everything outstanding now is
	// acknowledged (RFC 6582 4.1, RFC 6675 5.1).
	c.recoverSeq, c.sb.recoverSet = c.sndMax, true
	if c.sackOK {
		c.sb.enterLoss(c.sndUna, c.sndMax)
		_, end, _ := c.sb.hole(c.sndUna, c.sndMax)
		c.sb.highRxt = c.resend(now, c.sndUna, end)
		c.sb.logRxt(c.sndUna, c.sb.highRxt, c.sndMax)
		c.rtoAt, c.persist = now.Add(c.rto), false
		return
	}
	// Go back: everything after the oldest segment is sent again as
	// the window reopens.
	c.retransmitHead(now)
	c.sndNxt = c.sndUna.Add(min(c.mss, c.snd.len(), c.sndMax.Diff(c.sndUna)))
	if c.finQueued && c.sndNxt == c.finSeq && c.sndMax.GreaterThan(c.finSeq) {
		c.sndNxt = c.sndNxt.Add(1)
	}
}

// persistTimeout probes a zero window (RFC 9293 3.8.6.1), backing off
// like the retransmission timer.
func (c *Conn) persistTimeout(now time.Time) {
	c.persist = false
	if c.sndWnd > 0 {
		// Silly window avoidance held data back with nothing in flight:
		// its override timeout has come (RFC 9293 3.8.6.2.1).
		c.swsOverride = true
		return
	}
	if c.snd.len() > 0 {
		// The probe is Linux's: no data, at SND.UNA-1, which the peer
		// finds unacceptable and must answer with an ACK carrying its
		// window (RFC 9293 3.10.7.4). An octet of data (RFC 9293
		// 3.8.6.1's suggestion) would take sequence space: the peer's
		// answers to it would be duplicate ACKs of outstanding data
		// (RFC 5681 2) and set off a fast retransmit, and when the
		// window reopened the data would go on after an octet the peer
		// had dropped.
		c.e.stats.zeroWindowProbes.Add(1)
		c.sendSegment(now, c.sndUna.Add(-1), FlagACK, 0, 0)
	}
	c.rto = min(2*c.rto, c.e.cfg.MaxRTO)
	c.rtoAt = now.Add(c.rto)
	c.persist = true
}

// armKeepAlive sets the keep-alive deadline from now.
func (c *Conn) armKeepAlive(now time.Time) {
	if !c.keepAlive || !c.state.synchronized() {
		c.keepAt = time.Time{}
		return
	}
	c.keepAt = now.Add(c.kaIdle)
	c.armTimer(now)
}

// keepAliveTimeout sends a keep-alive probe, an ACK one byte behind what
// the peer has acknowledged (which it must answer), or gives up after
// kaCount unanswered ones. Any acceptable segment from the peer restarts
// the idle time and clears the count (inputSynchronized).
func (c *Conn) keepAliveTimeout(now time.Time) {
	if !c.keepAlive {
		return
	}
	if c.kaProbes >= c.kaCount {
		c.sendRST(now)
		c.terminate(c.timeoutError())
		return
	}
	c.kaProbes++
	c.e.stats.keepAlives.Add(1)
	c.sendSegment(now, c.sndUna.Add(-1), FlagACK, 0, 0)
	c.keepAt = now.Add(c.kaIntvl)
}

// rttSample takes a round-trip time measurement from an ACK, from its
// timestamp echo (RFC 7323 4) or the timed segment (Karn's algorithm), and
// updates the RTO (RFC 6298 2).
func (c *Conn) rttSample(s *segment, now time.Time) {
	// A timed segment (one a round trip, never a retransmitted one:
	// Karn's algorithm) gives the round trip to the clock's resolution;
	// a timestamp echo only to the millisecond of the timestamp clock,
	// which on a fast link is no measurement at all. So the echo is used
	// only when no segment is being timed, as after a retransmission.
	var rtt time.Duration
	switch {
	case c.rtTiming && s.ack.GreaterThan(c.rtSeq):
		rtt = now.Sub(c.rtTime)
		c.rtTiming = false
		if rtt < 0 {
			// The ACK's time was read before the segment's (see
			// tsVal): no sample.
			return
		}
	case c.rtTiming:
		return
	case c.handshakeRetx && !c.rttMeasured:
		// Karn's rule for the handshake (RFC 6298 3): the echo may be
		// of a SYN or SYN-ACK sent long before the one that arrived.
		return
	case c.tsOK && s.opt.ts && s.opt.tsEcr != 0:
		ms := int32(c.tsVal(now) - s.opt.tsEcr)
		if ms < 0 {
			return
		}
		rtt = time.Duration(ms) * time.Millisecond
	default:
		return
	}
	c.info.rtt(rtt)
	if !c.rttMeasured {
		c.srtt, c.rttvar = rtt, rtt/2
		c.rttMeasured = true
	} else {
		d := c.srtt - rtt
		if d < 0 {
			d = -d
		}
		c.rttvar = (3*c.rttvar + d) / 4
		c.srtt = (7*c.srtt + rtt) / 8
	}
	c.rto = min(max(c.srtt+max(4*c.rttvar, time.Millisecond), c.e.cfg.MinRTO), c.e.cfg.MaxRTO)
}
