package tcp

import (
	"syscall"
	"time"
)

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
// back off, collapse the window, and send again from the oldest
// unacknowledged byte.
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
		c.sendRST(now)
		c.terminate(syscall.ETIMEDOUT)
		return
	}
	c.e.stats.timeouts.Add(1)
	c.rto = min(2*c.rto, c.e.cfg.MaxRTO)
	c.rtTiming = false
	if !c.state.synchronized() {
		// Resend the SYN or SYN-ACK.
		c.sndNxt = c.iss
		c.e.stats.retransSegs.Add(1)
		return
	}
	c.cc.onRTO(c.flight(), c.mss, now)
	c.inRecovery = false
	c.dupAcks = 0
	c.recoverSeq = c.sndMax // RFC 6582 4.1: no fast retransmit for this data
	if c.sackOK {
		c.sb.onRTO()
	}
	// Go back: everything after the oldest segment is sent again as
	// the window reopens.
	c.retransmitHead(now)
	c.sndNxt = c.sndUna.add(min(c.mss, c.snd.len(), c.sndMax.diff(c.sndUna)))
	if c.finQueued && c.sndNxt == c.finSeq && c.sndMax.gt(c.finSeq) {
		c.sndNxt = c.sndNxt.add(1)
	}
}

// persistTimeout probes a zero window with one byte of new data (RFC 9293
// 3.8.6.1), backing off like the retransmission timer.
func (c *Conn) persistTimeout(now time.Time) {
	c.persist = false
	if c.sndWnd > 0 {
		return
	}
	off := c.sndNxt.diff(c.sndUna)
	if c.snd.len() > off {
		c.e.stats.zeroWindowProbes.Add(1)
		c.sendSegment(now, c.sndNxt, FlagACK, off, 1)
		if end := c.sndNxt.add(1); end.gt(c.sndMax) {
			c.sndMax = end
		}
		c.sndNxt = c.sndNxt.add(1)
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
// kaCount unanswered ones.
func (c *Conn) keepAliveTimeout(now time.Time) {
	if !c.keepAlive {
		return
	}
	if c.kaProbes >= c.kaCount {
		c.sendRST(now)
		c.terminate(syscall.ETIMEDOUT)
		return
	}
	c.kaProbes++
	c.e.stats.keepAlives.Add(1)
	c.sendSegment(now, c.sndUna.add(-1), FlagACK, 0, 0)
	c.keepAt = now.Add(c.kaIntvl)
}

// rttSample takes a round-trip time measurement from an ACK, from its
// timestamp echo (RFC 7323 4) or the timed segment (Karn's algorithm), and
// updates the RTO (RFC 6298 2).
func (c *Conn) rttSample(s *segment, now time.Time) {
	var rtt time.Duration
	switch {
	case c.tsOK && s.opt.ts && s.opt.tsEcr != 0:
		ms := int32(c.tsVal(now) - s.opt.tsEcr)
		if ms < 0 {
			return
		}
		rtt = time.Duration(ms) * time.Millisecond
	case c.rtTiming && s.ack.gt(c.rtSeq):
		rtt = now.Sub(c.rtTime)
		c.rtTiming = false
	default:
		return
	}
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
