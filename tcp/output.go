package tcp

import (
	"encoding/binary"
	"time"

	"github.com/medina-net/medina/checksum"
)

// output sends what the connection may send now: the SYN or SYN-ACK of a
// handshake, data as the windows allow, the FIN after the data, and an ACK
// if one is owed and nothing else carried it. The caller holds c.mu.
func (c *Conn) output(now time.Time) {
	switch c.state {
	case stateClosed, stateTimeWait:
		if c.ackNow && c.state == stateTimeWait {
			c.sendACK(now)
		}
		return
	case stateSynSent, stateSynRcvd:
		if c.sndNxt == c.iss {
			c.sendSYN(now)
		}
		if c.ackNow && c.state != stateSynSent && c.sndNxt != c.iss {
			c.sendACK(now)
		}
		c.armTimer(now)
		return
	}
	if !c.pmtuCheckAt.IsZero() && !now.Before(c.pmtuCheckAt) {
		c.recheckPathMTU(now)
	}
	sent := false
	if c.sackOK && (c.inRecovery || c.sb.loss) {
		sent = c.sackRecoveryOutput(now)
	}
	for c.sendData(now) {
		sent = true
	}
	if c.ackNow && !sent {
		c.sendACK(now)
	}
	c.armTimer(now)
}

// sendData sends one segment of new data (and the FIN after the last) if
// the windows and Nagle's algorithm allow, reporting whether it did.
func (c *Conn) sendData(now time.Time) bool {
	off := c.sndNxt.Diff(c.sndUna) // where the unsent data starts in snd
	unsent := c.snd.len() - off
	finToSend := c.finQueued && c.sndNxt == c.finSeq
	if unsent <= 0 && !finToSend {
		return false
	}
	// The congestion window bounds what is in flight (RFC 6675's pipe
	// when SACK is in use); the peer's window bounds everything from
	// SND.UNA.
	cwnd := c.cc.cwnd()
	switch {
	case c.sackOK:
		// Limited transmit and recovery follow from the pipe.
	case c.inRecovery:
		// NewReno: the window inflated by the segments the duplicate
		// ACKs say have left the network (RFC 6582 3.2 step 4).
		cwnd = c.sb.inflated
	case c.dupAcks > 0:
		// Limited transmit (RFC 3042): a new segment for each of the
		// first two duplicate ACKs.
		cwnd += min(c.dupAcks, dupThresh-1) * c.mss
	}
	inFlight := c.flight()
	usable := min(cwnd-inFlight, c.sndWnd-off)
	n := min(unsent, c.mss)
	if g := c.gsoRoom(unsent, usable); g > n {
		n = g
	}
	if n > 0 {
		if usable <= 0 {
			c.maybePersist(now, unsent)
			return false
		}
		if n > usable {
			// Silly window avoidance (RFC 9293 3.8.6.2.1): a short
			// segment only if it is at least half the largest window the
			// peer offered, or it empties the buffer.
			if usable < c.mss && usable < c.maxSndWnd/2 && usable < unsent && !c.swsOverride {
				// With nothing in flight no ACK will come to open the
				// window further: the override timeout (the persist
				// timer, at the RTO, as Linux does) sends what fits.
				if c.sndMax == c.sndUna && (c.rtoAt.IsZero() || !c.persist) {
					c.persist = true
					c.rtoAt = now.Add(c.rto)
				}
				return false
			}
			c.swsOverride = false
			n = usable
		}
		// Nagle (RFC 896): with data unacknowledged, hold a short
		// segment until it fills, unless it is the last before a FIN.
		if n < c.mss && !c.nodelay && c.sndMax != c.sndUna && !c.finQueued {
			return false
		}
	} else if c.sndWnd == 0 && inFlight > 0 {
		return false
	}
	flags := FlagACK
	if n > 0 && n == unsent {
		flags |= FlagPSH
	}
	fin := c.finQueued && c.sndNxt.Add(n) == c.finSeq
	if fin {
		flags |= FlagFIN
	}
	if c.sndNxt.LessThan(c.sndMax) {
		// Sent before: going back after a timeout without SACK.
		c.e.stats.retransSegs.Add(1)
	}
	c.sendSegment(now, c.sndNxt, flags, off, n)
	if n > 0 && c.sndUna == c.sndMax {
		c.info.flightStarts(now)
	}
	if n > 0 && !c.rtTiming && c.sndNxt == c.sndMax {
		c.rtTiming, c.rtSeq, c.rtTime = true, c.sndNxt, now
	}
	end := c.sndNxt.Add(n)
	if fin {
		end = end.Add(1)
	}
	if end.GreaterThan(c.sndMax) {
		c.sndMax = end
	}
	c.sndNxt = end
	if c.rtoAt.IsZero() || c.persist {
		c.rtoAt, c.persist = now.Add(c.rto), false
	}
	return true
}

// gsoRoom returns how much new data one super-segment may carry now: as
// many full segments as the windows (usable) and the network allow, and
// the rest of the buffer behind them when it all fits, so that the
// segments it stands for are those sendData would have sent one by one.
// It returns 0 when the network sends no super-segments, and less than
// two segments' worth when one segment is all there is room for.
func (c *Conn) gsoRoom(unsent, usable int) int {
	if c.e.gso == nil || c.sndNxt != c.sndMax || unsent <= c.mss || usable <= c.mss {
		return 0
	}
	g := min(unsent, usable, c.e.gso.GSOMax(c.id.remoteAddr))
	if g < unsent {
		g -= g % c.mss
	}
	return g
}

// maybePersist starts the persist timer when the peer's window is closed
// and nothing is in flight to open it (RFC 9293 3.8.6.1).
func (c *Conn) maybePersist(now time.Time, unsent int) {
	if c.sndWnd == 0 && c.sndMax == c.sndUna && unsent > 0 && (c.rtoAt.IsZero() || !c.persist) {
		c.persist = true
		c.rtoAt = now.Add(c.rto)
	}
}

// retransmitHead retransmits the first unacknowledged segment, and
// restarts the retransmission timer.
func (c *Conn) retransmitHead(now time.Time) {
	c.resend(now, c.sndUna, c.sndMax)
	c.rtoAt, c.persist = now.Add(c.rto), false
}

// resend retransmits one segment from sq: at most an MSS of data from the
// send buffer and not beyond end, with the FIN if the range reaches it and
// it was sent. It returns the sequence number after what it sent (sq if
// there was nothing), and starts the retransmission timer if it is not
// running (RFC 6298 5.1).
func (c *Conn) resend(now time.Time, sq, end Seq) Seq {
	off := sq.Diff(c.sndUna)
	if off < 0 {
		return sq
	}
	n := max(min(end.Diff(sq), c.mss, c.snd.len()-off), 0)
	next := sq.Add(n)
	flags := FlagACK
	if c.finQueued && next == c.finSeq && c.sndMax.GreaterThan(c.finSeq) && end.GreaterThan(c.finSeq) {
		flags |= FlagFIN
	}
	if n == 0 && flags&FlagFIN == 0 {
		return sq
	}
	if n > 0 && off+n == c.snd.len() {
		flags |= FlagPSH
	}
	c.e.stats.retransSegs.Add(1)
	c.sendSegment(now, sq, flags, off, n)
	c.rtTiming = false // Karn: no sample while anything was sent twice
	if flags&FlagFIN != 0 {
		next = next.Add(1)
	}
	if c.rtoAt.IsZero() || c.persist {
		c.rtoAt, c.persist = now.Add(c.rto), false
	}
	return next
}

// sendSYN sends our SYN, or the SYN-ACK of a passive or simultaneous
// open, with the options we offer (RFC 7323, RFC 2018).
func (c *Conn) sendSYN(now time.Time) {
	flags := FlagSYN
	if c.state == stateSynRcvd {
		flags |= FlagACK
	}
	c.sendSegment(now, c.iss, flags, 0, 0)
	if c.sndMax == c.iss {
		c.sndMax = c.iss.Add(1)
	}
	c.sndNxt = c.iss.Add(1)
	if c.rtoAt.IsZero() {
		c.rtoAt = now.Add(c.rto)
	}
}

// sendACK sends a segment with no data: an acknowledgement, a window
// update or a challenge ACK.
//
// Its sequence number is SND.MAX, the next new octet, not SND.NXT: after
// a timeout has rewound SND.NXT to retransmit, SND.NXT can lie behind the
// peer's RCV.NXT, and the peer would find the ACK unacceptable and drop it
// unread (as 4.4BSD's tcp_output notes, and does).
func (c *Conn) sendACK(now time.Time) {
	c.sendSegment(now, c.sndMax, FlagACK, 0, 0)
}

// sendRST resets the connection from our side.
func (c *Conn) sendRST(now time.Time) {
	c.sendSegment(now, c.sndNxt, FlagRST|FlagACK, 0, 0)
	c.e.stats.outRsts.Add(1)
}

// sendSegment builds and sends one segment: sequence number sq, the given
// flags, and n bytes of payload from offset off of the send buffer. Every
// segment but a reset carries our ACK and window, so it clears the ACK we
// owed.
func (c *Conn) sendSegment(now time.Time, sq Seq, flags Flags, off, n int) {
	var opts [40]byte
	o := opts[:0]
	if flags&FlagSYN != 0 {
		o = AppendMSS(o, uint16(min(c.advertisedMSS(), 0xffff)))
		if (c.state == stateSynSent && !c.e.cfg.DisableSACK) || c.sackOK {
			o = AppendSACKPermitted(o)
		}
		if c.state == stateSynSent || c.tsOK {
			o = AppendTimestamps(o, c.tsVal(now), c.tsRecent)
		}
		if c.state == stateSynSent || c.wsOK {
			o = AppendNOP(o)
			o = AppendWindowScale(o, c.rcvShift)
		}
	} else {
		if c.tsOK {
			o = AppendNOP(o)
			o = AppendNOP(o)
			o = AppendTimestamps(o, c.tsVal(now), c.tsRecent)
		}
		// SACK blocks, as many as fit beside the payload in the path
		// MTU (segments go with DF set): a full-sized data segment
		// carries none rather than one that is dropped.
		room := c.pmtu - 40 - n - len(o) - 4
		if k := min((40-len(o)-2)/8, room/8); c.sackOK && len(c.ooo.ranges) > 0 && flags&FlagRST == 0 && k > 0 {
			var blocks [maxSACKBlocks]SACKBlock
			b := c.ooo.sackBlocks(blocks[:0], k)
			o = AppendNOP(o)
			o = AppendNOP(o)
			o = AppendSACK(o, b...)
		}
	}
	hlen := HeaderLen + (len(o)+3)&^3
	sb := c.e.segment(c.id.remoteAddr, hlen+n)
	sb.Time = now
	b := sb.B[:hlen+n]

	// The window we advertise: the free receive buffer, scaled, and never
	// shrinking the right edge we offered before (RFC 9293 3.8.6.2.2).
	wnd := c.rcvWindow()
	if edge := c.rcvNxt.Add(wnd); edge.LessThan(c.rcvAdv) {
		wnd = c.rcvAdv.Diff(c.rcvNxt)
	}
	field := wnd >> c.rcvShift
	if flags&FlagSYN != 0 {
		field = wnd // RFC 7323 2.2: the window of a SYN is not scaled
	}
	field = min(field, 0xffff)
	if flags&FlagRST == 0 {
		c.rcvAdv = c.rcvNxt.Add(field << c.rcvShift)
		if flags&FlagSYN != 0 {
			c.rcvAdv = c.rcvNxt.Add(field)
		}
	}
	f := Fields{
		SrcPort: c.id.localPort,
		DstPort: c.id.remotePort,
		Seq:     uint32(sq),
		Flags:   flags,
		Window:  uint16(field),
		Options: o,
	}
	if flags&FlagACK != 0 {
		f.Ack = uint32(c.rcvNxt)
	}
	if _, err := f.Encode(b); err != nil {
		c.e.net.Send(sb, 0, c.id.localAddr, c.id.remoteAddr)
		return
	}
	if n > 0 {
		c.snd.copyOut(b[hlen:], off, n)
	}
	segs := 1
	sb.GSOSize = 0 // whatever a network left in a recycled buffer
	if n > c.mss {
		// A super-segment (gsoRoom): the network finishes each
		// segment's checksum from the pseudo-header's sum.
		sb.GSOSize = c.mss
		segs = (n + c.mss - 1) / c.mss
		binary.BigEndian.PutUint16(b[16:], checksum.Fold(c.pseudo+uint32(len(b))))
	} else {
		binary.BigEndian.PutUint16(b[16:], checksum.Checksum(b, c.pseudo+uint32(len(b))))
	}
	// RFC 4022's tcpOutSegs leaves out retransmissions (counted in
	// tcpRetransSegs by the code that decides to retransmit): segments
	// with data, SYN or FIN below SND.MAX.
	retx := (n > 0 || flags&(FlagSYN|FlagFIN) != 0) && sq.LessThan(c.sndMax)
	if c.e.net.Send(sb, len(b), c.id.localAddr, c.id.remoteAddr) == nil {
		if !retx {
			c.e.stats.outSegs.Add(uint64(segs))
		}
		c.info.sent(segs, n, retx, now)
	}
	if flags&FlagACK != 0 {
		c.ackNow = false
		c.ackDeferred = false
		c.ackPending = 0
		c.delackAt = time.Time{}
		c.lastAckSent = c.rcvNxt
	}
	if c.keepAlive && c.state.synchronized() {
		c.keepAt = now.Add(c.kaIdle)
	}
}

// tsVal is our timestamp clock for this connection, offset at random per
// connection (RFC 7323 5.4).
//
// It never goes back: the time a segment is built with may be a little
// older than that of one another goroutine sent just before (the stack
// reads the clock once for a batch of frames), and a peer's PAWS check
// drops a segment whose timestamp is older than the last.
func (c *Conn) tsVal(now time.Time) uint32 {
	v := c.e.tsNow(now) + c.tsOffset
	if c.tsSent && int32(v-c.lastTSval) < 0 {
		return c.lastTSval
	}
	c.lastTSval, c.tsSent = v, true
	return v
}
