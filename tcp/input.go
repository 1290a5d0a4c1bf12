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
	// Nearly every segment of a connection with timestamps carries just
	// them: read those without walking the list.
	if val, ecr, ok := h.TimestampsOnly(); ok {
		o.ts, o.tsVal, o.tsEcr = true, val, ecr
		return o
	}
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
	seq     Seq
	ack     Seq
	flags   Flags
	wnd     int // the window field, not yet scaled
	payload []byte
	opt     segOptions
	// segs is how many segments the peer sent this one as: more than 1
	// for one a device coalesced (Offload.SegmentSize).
	segs int
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

// input handles a segment for this connection (RFC 9293 3.10.7). It
// reports reopen when the segment is a SYN that ended the connection in
// TIME-WAIT to open a new one on its four-tuple, which the caller hands
// to the listener with the initial sequence number isn. segs is how many
// segments h stands for (1, or more for a coalesced one).
func (c *Conn) input(h Header, segs int, now time.Time) (isn Seq, reopen bool) {
	s := segment{
		segs:    segs,
		h:       h,
		seq:     Seq(h.Seq()),
		ack:     Seq(h.Ack()),
		flags:   h.Flags() & 0xff,
		wnd:     int(h.Window()),
		payload: h.Payload(),
		opt:     parseOptions(h),
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.info.received(&s, now)
	// now may be a little older than the time of a segment another
	// goroutine sent meanwhile: tsVal never lets our timestamps go back,
	// which the peer's PAWS would drop.
	switch c.state {
	case stateClosed:
		return 0, false
	case stateSynSent:
		c.inputSynSent(&s, now)
	case stateTimeWait:
		if c.reusable(&s) {
			return c.reuse(), true
		}
		c.inputSynchronized(&s, now)
	default:
		c.inputSynchronized(&s, now)
	}
	c.output(now)
	c.armTimer(now)
	return 0, false
}

// reusable reports whether s is a SYN that may end TIME-WAIT to open a
// new incarnation of the connection (RFC 9293 3.10.7.4 and RFC 6191, as
// Linux does it): a SYN whose timestamp is newer than the last one the
// peer sent, or one beyond the sequence space the old connection used.
// Either way no segment of the old connection can be taken for one of
// the new: PAWS drops old ones by their timestamps, and without them
// they lie below the new sequence numbers. A SYN whose timestamp is
// older is no such SYN; PAWS drops it, with an ACK.
func (c *Conn) reusable(s *segment) bool {
	if s.flags&(FlagSYN|FlagACK|FlagRST) != FlagSYN {
		return false
	}
	if c.tsOK && s.opt.ts {
		if d := int32(s.opt.tsVal - c.tsRecent); d < 0 {
			return false // PAWS
		} else if d > 0 {
			return true
		}
	}
	return s.seq.GreaterThan(c.rcvNxt)
}

// reuse ends the connection in TIME-WAIT for a new incarnation and
// returns the initial sequence number the new one starts with: beyond
// the old one's sequence space by more than any window it offered, as
// Linux picks it, so that the peer can take no segment of the old
// connection for one of the new. The caller holds c.mu.
func (c *Conn) reuse() Seq {
	c.e.stats.timeWaitReused.Add(1)
	isn := c.sndNxt.Add(0xffff + 2)
	c.terminate(nil)
	return isn
}

// inputSynSent handles a segment in SYN-SENT (RFC 9293 3.10.7.3).
func (c *Conn) inputSynSent(s *segment, now time.Time) {
	ackOK := false
	if s.flags&FlagACK != 0 {
		if s.ack.LessEqual(c.iss) || s.ack.GreaterThan(c.sndMax) {
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
	c.rcvNxt = s.seq.Add(1)
	// Our SYN set RCV.ADV before RCV.NXT was known, against a zero
	// RCV.NXT: from a random IRS it can lie anywhere, and the rule that
	// never shrinks the window would then advertise up to 2^31 bytes.
	// The window the SYN offered starts here.
	c.rcvAdv = c.rcvNxt
	c.negotiate(s)
	c.sndWnd = s.wnd // the window of a SYN is never scaled
	c.maxSndWnd = c.sndWnd
	c.sndWl1, c.sndWl2 = s.seq, s.ack
	if ackOK {
		c.sndUna = s.ack
		c.rttSample(s, now)
		c.handshakeRTO()
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
	c.sackOK = o.sackOK && !c.e.cfg.DisableSACK
	c.tsOK = o.ts
	if o.ts {
		c.tsRecent, c.tsRecentAt = o.tsVal, c.e.clock.Now()
	}
	mss := o.mss
	if mss == 0 {
		mss = c.defaultMSS()
	}
	c.setMSS(mss)
}

// establish enters ESTABLISHED.
func (c *Conn) establish(now time.Time) {
	c.setState(stateEstablished)
	c.softErr = nil
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
	// The peer's SYN again in SYN-RECEIVED, before the acceptability
	// test, which would find its sequence number old.
	if c.state == stateSynRcvd && s.flags&(FlagSYN|FlagRST) == FlagSYN && s.seq == c.irs {
		if s.flags&FlagACK == 0 {
			// A retransmitted SYN: our SYN-ACK was lost. It goes again at
			// once, as Linux does; the ACK the first check would send is
			// of no use to a peer in SYN-SENT, which drops an ACK without
			// SYN (RFC 9293 3.10.7.3).
			c.sndNxt = c.iss
			c.e.stats.retransSegs.Add(1)
			// Its timestamp is the one to echo (RFC 7323 4.3: its SEQ is
			// not beyond Last.ACK.sent), so that the peer measures the
			// round trip from this SYN, not the first.
			if c.tsOK && s.opt.ts {
				c.tsRecent, c.tsRecentAt = s.opt.tsVal, now
			}
			return
		}
		// Simultaneous open (RFC 9293 3.5, figure 8): the peer's SYN-ACK
		// acknowledges ours, and its SYN is the one we have.
		c.synAckInSynRcvd(s, now)
		return
	}
	if !c.acceptable(s) {
		if s.flags&FlagRST == 0 {
			c.ackNow = true
			// In TIME-WAIT the peer's FIN again means that our ACK of it
			// was lost: acknowledge it, and restart the 2 MSL timeout
			// (RFC 9293 3.10.7.4, fifth and eighth checks).
			if c.state == stateTimeWait && s.flags&FlagFIN != 0 && s.seq.Add(s.len()) == c.rcvNxt {
				c.timeWaitAt = now.Add(c.e.cfg.TimeWait)
			}
		}
		return
	}
	// An acceptable segment shows the peer alive: keep-alive's idle time
	// starts again and the probes it left unanswered are forgiven (RFC
	// 1122 4.2.3.6: probes go when nothing has been received for the
	// interval).
	if c.keepAlive && c.state.synchronized() {
		c.kaProbes = 0
		c.keepAt = now.Add(c.kaIdle)
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
		c.challengeACK(now)
		return
	}
	if s.flags&FlagACK == 0 {
		return
	}
	if c.state == stateSynRcvd {
		// RFC 9293 3.10.7.4, fifth check: an ACK that does not
		// acknowledge our SYN gets a reset <SEQ=SEG.ACK><CTL=RST>. RFC
		// 5961's challenge ACK below is for the states after it.
		if s.ack.LessEqual(c.sndUna) || s.ack.GreaterThan(c.sndMax) {
			c.e.sendReset(c.id, s.ack, 0, false)
			return
		}
		if c.l != nil && c.l.isClosed() {
			// The listener closed: as if the connection had gone with
			// it, the ACK finds nobody (RFC 9293 3.10.7.1's reset).
			c.e.sendReset(c.id, s.ack, 0, false)
			c.terminate(syscall.ECONNREFUSED)
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
		c.handshakeRTO()
		c.establish(now)
		if c.state == stateClosed {
			return // the listener closed, or its queue filled, meanwhile
		}
	} else if s.ack.GreaterThan(c.sndMax) || s.ack.LessThan(c.sndUna.Add(-c.maxSndWnd)) {
		// RFC 5961 5.2: an ACK for data we never sent, or too far back,
		// is answered with a challenge ACK and dropped.
		c.challengeACK(now)
		return
	}
	// RFC 7323 4.3: TS.Recent takes the TS val of a segment that starts
	// at or before Last.ACK.sent (older ones PAWS dropped). While an ACK
	// is delayed, that is the earliest segment it will acknowledge, so
	// the peer's round trip sample includes the delay and its RTO covers
	// it.
	if c.tsOK && s.opt.ts && s.seq.LessEqual(c.lastAckSent) {
		c.tsRecent, c.tsRecentAt = s.opt.tsVal, now
	}
	// An acceptable ACK shows the path working: a soft error an ICMP
	// message reported before is no reason to fail (as Linux clears
	// sk_err_soft in tcp_ack).
	c.softErr = nil
	c.inputAck(s, now)
	if c.state == stateClosed {
		return
	}

	switch c.state {
	case stateEstablished, stateFinWait1, stateFinWait2:
		if len(s.payload) > 0 {
			if c.closed && s.seq.Add(len(s.payload)).GreaterThan(c.rcvNxt) {
				// New data for an application that closed: nobody
				// will read it, and the peer must learn so (RFC 1122
				// 4.2.2.13; Linux's TCPAbortOnData).
				c.sendRST(now)
				c.terminate(syscall.ECONNRESET)
				return
			}
			c.inputData(s, now)
		}
	}
	if s.flags&FlagFIN != 0 {
		c.inputFIN(s, now)
	}
}

// synAckInSynRcvd completes a simultaneous open with the peer's SYN-ACK,
// whose SYN is the one SYN-RECEIVED already holds: only its ACK is new.
func (c *Conn) synAckInSynRcvd(s *segment, now time.Time) {
	if s.ack != c.iss.Add(1) || c.sndMax != c.iss.Add(1) {
		// Not an acknowledgement of our SYN: as for any ACK in
		// SYN-RECEIVED that is not (RFC 9293 3.10.7.4, fifth check).
		c.e.sendReset(c.id, s.ack, 0, false)
		return
	}
	if c.l != nil && !c.l.hasRoom() {
		c.e.stats.listenOverflows.Add(1)
		return
	}
	c.sndUna = s.ack
	if c.sndNxt.LessThan(c.sndUna) {
		c.sndNxt = c.sndUna
	}
	c.sndWnd = s.wnd // the window of a SYN is never scaled (RFC 7323 2.2)
	c.maxSndWnd = max(c.maxSndWnd, c.sndWnd)
	c.sndWl1, c.sndWl2 = s.seq, s.ack
	if c.tsOK && s.opt.ts {
		c.tsRecent, c.tsRecentAt = s.opt.tsVal, now
	}
	c.rttSample(s, now)
	c.handshakeRTO()
	c.retries = 0
	c.establish(now)
}

// handshakeRTO applies RFC 6298 5.7 as the handshake completes: if the
// SYN or SYN-ACK had to be retransmitted and no round trip was measured,
// the RTO, backed off below 3 s, is re-initialized to 3 s for the data.
func (c *Conn) handshakeRTO() {
	if c.retries > 0 && !c.rttMeasured && c.rto < 3*time.Second {
		c.rto = 3 * time.Second
	}
}

// acceptable is RFC 9293's segment acceptability test (3.10.7.4, first
// check), against the window we advertised.
func (c *Conn) acceptable(s *segment) bool {
	wnd := max(c.rcvAdv.Diff(c.rcvNxt), 0)
	n := s.len()
	switch {
	case n == 0 && wnd == 0:
		return s.seq == c.rcvNxt
	case n == 0:
		return s.seq.InWindow(c.rcvNxt, wnd)
	case wnd == 0:
		return false
	default:
		return s.seq.InWindow(c.rcvNxt, wnd) || s.seq.Add(n-1).InWindow(c.rcvNxt, wnd)
	}
}

// challengeACK sends RFC 5961's challenge ACK, within two rate limits: one
// per connection, at most one every Config.ChallengeACKInterval (RFC 5961
// 10; Linux's tcp_invalid_ratelimit), so that a peer flooding its own
// connection with bad segments gets few answers and cannot spend the
// other, engine-wide one, which bounds what many connections can draw
// out together.
func (c *Conn) challengeACK(now time.Time) {
	if !c.lastChallenge.IsZero() && now.Sub(c.lastChallenge) < c.e.cfg.ChallengeACKInterval ||
		!c.e.challenge.allow(now) {
		c.e.stats.challengeLimits.Add(1)
		return
	}
	c.lastChallenge = now
	c.e.stats.challengeACKs.Add(1)
	c.sendACK(now)
}

// inputAck processes the acknowledgement, the SACK blocks and the window
// of a segment whose ACK is acceptable (not beyond SND.MAX).
func (c *Conn) inputAck(s *segment, now time.Time) {
	acked := s.ack.Diff(c.sndUna)
	flightBefore := c.flight()
	sameWnd := s.wnd<<c.sndShift == c.sndWnd
	// RFC 6675's Update: the scoreboard forgets what the cumulative ACK
	// covers and records the SACK blocks above it.
	newlySACKed := 0
	if c.sackOK {
		una := c.sndUna
		if acked > 0 {
			una = s.ack
		}
		c.sb.ackedTo(una, c.mss)
		if s.opt.nsack > 0 {
			c.info.sackBlocksIn += uint64(s.opt.nsack)
			newlySACKed = c.sb.update(una, c.sndMax, s.opt.sack[:s.opt.nsack], c.mss)
		}
		if !c.inRecovery && !c.sb.loss {
			c.sb.highRxt = una // RFC 6675 5 step 3.1: HighRxt = HighACK
		}
	}
	// The window (RFC 9293 3.10.7.4, SND.WL1/WL2 rule).
	if c.sndWl1.LessThan(s.seq) || (c.sndWl1 == s.seq && c.sndWl2.LessEqual(s.ack)) {
		wnd := s.wnd << c.sndShift
		if wnd != c.sndWnd {
			c.sndWnd = wnd
			c.maxSndWnd = max(c.maxSndWnd, wnd)
		}
		c.sndWl1, c.sndWl2 = s.seq, s.ack
	}
	if acked > 0 {
		c.newAck(s, acked, flightBefore, now)
		if c.state == stateClosed {
			return
		}
	}
	// A duplicate ACK: on a SACK connection, one that SACKs data not
	// SACKed before, whatever else it does (RFC 6675 section 2); for an
	// ACK without SACK blocks, RFC 5681's: it acknowledges nothing new,
	// carries no data, SYN or FIN, and leaves the window as it was (a
	// window update is not a sign of loss) while data is outstanding.
	dup := newlySACKed > 0
	if !dup && acked == 0 && s.opt.nsack == 0 {
		dup = len(s.payload) == 0 && s.flags&(FlagSYN|FlagFIN) == 0 && sameWnd
	}
	switch {
	case c.sndMax == c.sndUna:
	case dup:
		c.dupAck(now)
	case c.sackOK && c.sb.n > 0 && !c.inRecovery:
		// A cumulative ACK can show the next hole lost by what was
		// SACKed before.
		c.detectLoss(now)
	}
	if newlySACKed > 0 && (c.inRecovery || c.sb.loss) {
		c.checkLostRetransmissions(now)
	}
}

// newAck handles an ACK that acknowledges acked new bytes; flightBefore is
// what was in flight when it arrived.
func (c *Conn) newAck(s *segment, acked, flightBefore int, now time.Time) {
	dataAcked := acked
	if c.finQueued && s.ack.GreaterThan(c.finSeq) {
		dataAcked-- // our FIN's sequence number
	}
	if c.sndUna == c.iss {
		dataAcked-- // our SYN's
	}
	c.snd.discard(min(max(dataAcked, 0), c.snd.len()))
	if c.snd.len() == 0 {
		c.snd.releaseIdle(c.e.mem.pressure())
	}
	c.sndUna = s.ack
	if c.sndNxt.LessThan(c.sndUna) {
		c.sndNxt = c.sndUna
	}
	if c.e.confirm != nil && dataAcked > 0 {
		// Proof from the far end that what we sent arrived.
		c.e.confirm.ConfirmReachable(c.id.remoteAddr, now)
	}
	c.rttSample(s, now)
	c.info.acked(dataAcked, c.srtt, now)
	c.retries = 0
	c.kaProbes = 0
	if c.sb.highRxt.LessThan(c.sndUna) {
		c.sb.highRxt = c.sndUna
	}
	if c.sb.loss && c.sndUna.GreaterEqual(c.sb.lossEnd) {
		// Everything outstanding at the timeout has arrived.
		c.sb.loss = false
	}

	switch {
	case c.inRecovery && s.ack.GreaterEqual(c.recoverSeq):
		// Full acknowledgement: recovery ends (RFC 6582 3.2 step 3, RFC
		// 6675 5 (A)).
		c.inRecovery = false
		c.dupAcks = 0
		c.cc.onRecoveryEnd(c.flight(), c.mss)
	case c.inRecovery && !c.sackOK:
		// NewReno partial acknowledgement (RFC 6582 3.2 step 5): the next
		// hole is lost too, and goes at once; the window deflates by what
		// was acknowledged, whose departure the duplicate ACKs already
		// counted, and gains back a segment for the one that left.
		c.retransmitHead(now)
		c.sb.inflated = max(c.sb.inflated-dataAcked, 0)
		if dataAcked >= c.mss {
			c.sb.inflated += c.mss
		}
	case c.inRecovery:
		// A SACK partial acknowledgement: NextSeg carries on from output.
	default:
		c.dupAcks = 0
		if c.cwndLimited(flightBefore) {
			c.cc.onAck(dataAcked, c.mss, c.srtt, now)
		} else {
			c.cc.appLimited(now)
		}
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
		if c.finQueued && c.sndUna == c.finSeq.Add(1) {
			c.setState(stateFinWait2)
			c.orphaned(now)
		}
	case stateClosing:
		if c.sndUna == c.finSeq.Add(1) {
			c.enterTimeWait(now)
		}
	case stateLastAck:
		if c.sndUna == c.finSeq.Add(1) {
			c.terminate(nil)
			return
		}
	}
	// Wake a writer waiting for room only once a good part of the buffer
	// is free (a third, as Linux's sk_stream_write_space does): woken at
	// every ACK it would take the lock back for a segment's worth of
	// room each time, fighting this goroutine for it.
	if free := c.sndBufMax - c.snd.len(); free >= c.snd.len()/2 {
		signal(c.writable)
	}
}

// cwndLimited reports whether the congestion window was what limited the
// sender when an ACK arrived with flight bytes in flight, so that growing
// it means something. A window grown while the application or the peer's
// window held the sender back would be a window never tried on the path
// (RFC 7661; RFC 9438 4.6 requires such a measure of an implementation
// that bases ssthresh on cwnd). In slow start half the window in flight
// is enough, as Linux judges it, since the window doubles each round trip.
func (c *Conn) cwndLimited(flight int) bool {
	cwnd := c.cc.cwnd()
	switch {
	case c.sb.loss:
		return true
	case cwnd < c.cc.ssthresh():
		return 2*flight >= cwnd
	default:
		return flight+c.mss >= cwnd
	}
}

// dupAck counts a duplicate acknowledgement: during NewReno's recovery it
// inflates the window, otherwise it may show a loss.
func (c *Conn) dupAck(now time.Time) {
	c.dupAcks++
	if c.inRecovery {
		if !c.sackOK {
			c.sb.inflated += c.mss // RFC 6582 3.2 step 4
		}
		return
	}
	c.detectLoss(now)
}

// detectLoss starts loss recovery at the third duplicate ACK, or as soon
// as the scoreboard says the segment at SND.UNA is lost (RFC 5681 3.2, RFC
// 6582 3.2, RFC 6675 section 5 steps 1 and 2).
func (c *Conn) detectLoss(now time.Time) {
	if c.dupAcks < dupThresh && !(c.sackOK && c.sb.isLost(c.sndUna)) {
		return // limited transmit (RFC 3042), from output
	}
	// Not twice for the same data (RFC 6582 4.1), nor after a timeout
	// before everything outstanding then is acknowledged (RFC 6675 5.1).
	if c.sb.recoverSet && c.recoverSeq.GreaterThan(c.sndUna) {
		return
	}
	c.e.stats.fastRetrans.Add(1)
	c.info.recoveries++
	if c.sackOK {
		c.enterSACKRecovery(now)
		return
	}
	// NewReno (RFC 6582 3.2 steps 2 and 3).
	c.inRecovery = true
	c.recoverSeq, c.sb.recoverSet = c.sndMax, true
	c.cc.onCongestion(c.flightSize(), c.mss, now)
	c.sb.inflated = c.cc.ssthresh() + dupThresh*c.mss
	c.retransmitHead(now)
}

// flight returns the bytes in flight: RFC 6675's pipe when the scoreboard
// holds something or SACK recovery is on, SND.NXT - SND.UNA otherwise.
func (c *Conn) flight() int {
	if c.sackActive() {
		return c.sb.pipe(c.sndUna, c.sndMax)
	}
	return c.sndNxt.Diff(c.sndUna)
}

// flightSize is RFC 5681's FlightSize at a congestion event: the bytes
// sent and not acknowledged, but no more than the window, since what
// limited transmit sent beyond it does not count (RFC 5681 3.2, RFC 6675
// 5 step 4.2).
func (c *Conn) flightSize() int {
	return min(c.sndMax.Diff(c.sndUna), c.cc.cwnd())
}

// inputData takes in the payload of an acceptable segment, in order or
// not, and schedules the acknowledgement.
func (c *Conn) inputData(s *segment, now time.Time) {
	data, sq := s.payload, s.seq
	// Trim what we already have and what falls outside the window.
	if d := c.rcvNxt.Diff(sq); d > 0 {
		if d >= len(data) {
			c.ackNow = true // a duplicate: the peer did not hear our ACK
			return
		}
		data, sq = data[d:], sq.Add(d)
	}
	wnd := c.rcvWindow()
	off := sq.Diff(c.rcvNxt)
	if off+len(data) > wnd {
		// Within the window offered (acceptable saw to that), but
		// beyond what the buffer now holds: it shrank since (the memory
		// budget, or SetReadBuffer), and the edge offered is never
		// withdrawn. The peer sends the rest again.
		c.e.mem.rcvDrops.Add(1)
		data = data[:max(wnd-off, 0)]
		c.ackNow = true
	}
	if len(data) == 0 {
		return
	}
	if need := c.rcv.len() + off + len(data); need > c.rcv.cap() {
		c.growReceiveBuffer(need)
		// The memory budget may hold the storage back: what does not
		// fit is dropped, and the peer sends it again.
		if room := c.rcv.cap() - c.rcv.len() - off; len(data) > room {
			c.e.mem.rcvDrops.Add(1)
			c.ackNow = true // the peer learns at once where its data stops
			if room <= 0 {
				return
			}
			data = data[:room]
		}
	}
	if off > 0 {
		// Out of order: keep it, and send a duplicate ACK with SACK at
		// once so the peer's loss recovery starts (RFC 5681 4.2).
		c.ackNow = true
		c.info.outOfOrderIn += uint64(s.segs)
		if !c.ooo.add(sq, sq.Add(len(data))) {
			c.e.stats.oooDrops.Add(1)
			return
		}
		c.rcv.writeAt(c.rcv.len()+off, data)
		return
	}
	c.rcv.writeAt(c.rcv.len()+off, data)
	end := c.ooo.takeFrom(sq.Add(len(data)))
	filled := len(c.ooo.ranges) > 0 || end != sq.Add(len(data))
	c.rcv.n += end.Diff(c.rcvNxt)
	c.info.bytesReceived += uint64(end.Diff(c.rcvNxt))
	c.rcvNxt = end
	if c.finPending && c.rcvNxt == c.finAt {
		defer c.acceptFIN(now) // after the ACK bookkeeping below
	}
	signal(c.readable)
	// Acknowledge at least every second full-sized segment (RFC 9293
	// 3.8.6.3), at once when a hole was filled, and otherwise within
	// the delayed-ACK time.
	c.ackPending += s.segs
	switch {
	case filled:
		c.ackNow = true
	case c.ackPending >= 2 || len(data) < c.mss/2 && c.ackPending > 1:
		if c.e.batching.Load() {
			// In a receive batch: one ACK at its end for all of it.
			c.e.deferAck(c)
		} else {
			c.ackNow = true
		}
	case c.delackAt.IsZero():
		c.delackAt = now.Add(c.e.cfg.DelayedACK)
	}
}

// growReceiveBuffer grows the receive ring's storage to hold need bytes
// (in order and out of order, from its head), or to what the memory
// budget grants of it. A buffer the budget holds smaller than its size
// shrinks to what it got, so that the windows offered from now on are
// windows the storage can hold (an offered window is never withdrawn:
// data beyond the storage up to the edge already offered is dropped, and
// sent again).
func (c *Conn) growReceiveBuffer(need int) {
	want := c.rcv.growTarget(need, c.rcvBufSize)
	got := c.e.mem.grant(c.rcv.cap(), want, c.e.cfg.ReceiveBuffer)
	c.rcv.reserve(got)
	if got < want {
		c.rcvBufSize = min(c.rcvBufSize, max(c.rcv.cap(), c.rcv.len()))
	}
}

// rcvWindow returns the window we can offer beyond RCV.NXT: the room in
// the receive buffer, but no more than the 16-bit window field carries at
// our scale. Without window scaling a buffer over 64 KiB is offered as
// 65535 bytes, and a read that frees room the field cannot show is no
// window update worth sending.
func (c *Conn) rcvWindow() int {
	return min(max(c.rcvBufSize-c.rcv.len(), 0), 0xffff<<c.rcvShift)
}

// inputFIN handles the peer's FIN once the data before it has arrived.
func (c *Conn) inputFIN(s *segment, now time.Time) {
	if c.finRcvd {
		return
	}
	at := s.seq.Add(len(s.payload))
	if at != c.rcvNxt {
		// A FIN beyond a hole: keep it, as the out-of-order data before
		// it is kept, so that the peer need not send it again once the
		// hole is filled (finAt is taken when RCV.NXT reaches it).
		if at.GreaterThan(c.rcvNxt) && at.Diff(c.rcvNxt) <= c.rcvWindow() {
			c.finAt, c.finPending = at, true
		}
		return
	}
	c.acceptFIN(now)
}

// acceptFIN takes the peer's FIN, now that everything before it has
// arrived.
func (c *Conn) acceptFIN(now time.Time) {
	c.finPending = false
	c.finRcvd = true
	c.rcvNxt = c.rcvNxt.Add(1)
	c.ackNow = true
	signal(c.readable)
	switch c.state {
	case stateSynRcvd, stateEstablished:
		c.setState(stateCloseWait)
	case stateFinWait1:
		if c.sndUna == c.finSeq.Add(1) {
			c.enterTimeWait(now)
		} else {
			c.setState(stateClosing)
		}
	case stateFinWait2:
		c.enterTimeWait(now)
	}
}

// enterTimeWait moves to TIME-WAIT for 2 MSL, or, when Config.MaxTimeWait
// connections are there already, closes at once, as Linux does past
// tcp_max_tw_buckets: a peer that makes us close connection after
// connection would otherwise hold a connection's memory for a minute
// each.
func (c *Conn) enterTimeWait(now time.Time) {
	if int(c.e.timeWaits.Load()) >= c.e.cfg.MaxTimeWait {
		c.e.stats.timeWaitOverflows.Add(1)
		if c.ackNow {
			c.sendACK(now) // the peer's FIN is acknowledged all the same
		}
		c.terminate(nil)
		return
	}
	c.setState(stateTimeWait)
	c.e.stats.timeWaits.Add(1)
	c.timeWaitAt = now.Add(c.e.cfg.TimeWait)
	c.rtoAt, c.delackAt, c.keepAt = time.Time{}, time.Time{}, time.Time{}
	c.snd.drop()
	c.wakeAll()
}
