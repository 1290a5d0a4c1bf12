package tcp

import "time"

// SACK-based loss recovery (RFC 6675) and the state of loss recovery in
// general.
//
// Recovery starts at the third duplicate ACK (one that SACKs new data) or
// as soon as the scoreboard says the segment at SND.UNA is lost; the
// recovery point is HighData, cwnd falls to ssthresh, and while cwnd - pipe
// leaves room for a segment, NextSeg picks it: a lost hole, new data, a
// hole not yet lost, and once per recovery a rescue retransmission of the
// tail. It ends when the cumulative ACK reaches the recovery point. After a
// retransmission timeout, everything outstanding that is not SACKed is
// taken as lost and sent again as slow start opens the window, before any
// new data; no fast recovery starts until everything outstanding at the
// timeout is acknowledged (section 5.1).
//
// RFC 6675 leaves a lost retransmission to the retransmission timer. Here,
// as Linux did before RACK, a retransmission is also found lost when more
// than DupThresh-1 segments' worth of data sent after it are SACKed while
// it has not arrived: it is sent again at once, and counts as a new
// congestion event if it was sent after the window was last reduced.
//
// The scoreboard records the ranges of sequence space above SND.UNA that
// the peer's SACK blocks (RFC 2018) say it holds. From them follow RFC
// 6675's IsLost (a byte is lost once DupThresh discontiguous SACKed ranges,
// or more than DupThresh-1 segments' worth of SACKed bytes, lie above it),
// the pipe (the bytes still in the network) and NextSeg (what to send next
// during recovery). Since a byte's lost status only depends on what is
// SACKed above it, it is the same for every byte of a hole, and lower holes
// are "more lost" than higher ones: IsLost is kept as one boundary, lostEnd,
// below which every unSACKed byte is lost, and recomputed when the blocks
// change.
//
// Memory is bounded: the ranges live in a fixed array of maxScoreboard
// entries, allocated (with the log of retransmissions) when the first SACK
// block arrives (an idle connection, or one on a clean path, holds none),
// and nothing is allocated per ACK. A
// peer sends at most 3 or 4 blocks an ACK, but a window with many holes
// can leave more ranges than that; when the array is full the highest
// range is forgotten to make room for a lower one (and a new highest one is
// not recorded). Forgetting SACK information is always safe: the bytes are
// then taken to be in flight, so the pipe is overestimated, the sender is
// more conservative, and at worst a byte the peer holds is sent again.
// Inventing SACK information (merging neighbours to save room) would not
// be.

const (
	// dupThresh is RFC 6675's DupThresh (and RFC 5681's three duplicate
	// ACKs).
	dupThresh = 3
	// maxScoreboard is the most SACKed ranges the scoreboard keeps.
	maxScoreboard = 64
	// maxRxtLog is the most retransmissions watched for loss at once,
	// and maxRelost the most retransmissions found lost waiting to be
	// sent again; beyond them the retransmission timer has the last word.
	maxRxtLog = 16
	maxRelost = 8
)

// rxtRecord is a retransmission of [start, end), sent when SND.MAX was
// after: data from after on was first sent later than it.
type rxtRecord struct{ start, end, after Seq }

// sbStorage is the scoreboard's memory, allocated with the first SACK
// block or retransmission that needs it.
type sbStorage struct {
	blocks [maxScoreboard]seqRange
	rxt    [maxRxtLog]rxtRecord // retransmissions in the order sent
	relost [maxRelost]seqRange  // retransmissions lost, to send again
}

// scoreboard is RFC 6675's scoreboard, with the rest of the connection's
// loss recovery state: RFC 6675's HighRxt and RescueRxt, the state after a
// retransmission timeout, and NewReno's inflated window. Its zero value is
// ready to use.
type scoreboard struct {
	// st.blocks[:n] are the SACKed ranges above SND.UNA: sorted, disjoint
	// and not adjacent. sacked is the sum of their lengths.
	st     *sbStorage
	n      int
	sacked int
	// st.rxt[:nrxt] are the retransmissions being watched, and
	// st.relost[:nrelost] the ones found lost.
	nrxt, nrelost int
	// reduceSeq is SND.MAX when the window was last reduced: a lost
	// retransmission sent after that is a new congestion event.
	reduceSeq Seq
	// lostEnd is where RFC 6675's IsLost stops holding: every unSACKed
	// byte below it is lost. It is never below SND.UNA when it matters
	// (it is recomputed whenever blocks change).
	lostEnd Seq

	// highRxt is RFC 6675's HighRxt, kept as the sequence number after
	// the highest byte retransmitted (so the bytes below it, from SND.UNA,
	// have been sent again).
	highRxt Seq
	// rescueRxt is RFC 6675's RescueRxt, valid when rescue is set.
	rescueRxt Seq
	rescue    bool

	// loss is set after a retransmission timeout on a SACK connection:
	// every byte below lossEnd (SND.MAX at the timeout) that is not
	// SACKed is taken as lost and is sent again before new data, as the
	// window opens from one segment (RFC 6675 5.1, RFC 5681 3.1). It ends
	// when SND.UNA reaches lossEnd.
	loss    bool
	lossEnd Seq

	// recoverSet tells that Conn.recoverSeq has been set: by an entry
	// into recovery or a timeout. Before that it means nothing.
	recoverSet bool

	// inflated is NewReno's congestion window during fast recovery
	// without SACK (RFC 6582 3.2): ssthresh plus the segments that
	// duplicate ACKs say have left the network, deflated by partial
	// acknowledgements.
	inflated int

	// Counters for tests and diagnostics.
	dsacks    int // D-SACK blocks (below SND.UNA) seen and ignored
	invalid   int // blocks outside [SND.UNA, SND.MAX], ignored
	forgotten int // ranges dropped for lack of room
	reneges   int // times the peer was found to have dropped SACKed data
	lostRxts  int // retransmissions found lost
}

// storage returns the scoreboard's memory, allocating it the first time.
func (sb *scoreboard) storage() *sbStorage {
	if sb.st == nil {
		sb.st = new(sbStorage)
	}
	return sb.st
}

// clear forgets every SACKed range (the storage is kept).
func (sb *scoreboard) clear() {
	sb.n, sb.sacked = 0, 0
}

// highSACK returns the end of the highest SACKed range, or una if there
// is none.
func (sb *scoreboard) highSACK(una Seq) Seq {
	if sb.n == 0 {
		return una
	}
	return sb.st.blocks[sb.n-1].end
}

// update records the SACK blocks of an ACK (RFC 6675's Update) and returns
// how many bytes they newly SACK. una is the cumulative acknowledgement of
// this ACK (or SND.UNA, if higher) and max is SND.MAX. A block at or below
// una is a D-SACK (RFC 2883) reporting a duplicate, or a stale block: it
// says nothing about what is missing and is ignored. A block that starts
// below una and ends above it contradicts the cumulative ACK (a receiver
// holding the byte at una would acknowledge it), and one beyond what was
// sent is bogus: both are ignored too, as Linux does. The caller calls
// ackedTo(una) first.
func (sb *scoreboard) update(una, max Seq, blocks []SACKBlock, mss int) int {
	newly := 0
	for _, b := range blocks {
		start, end := Seq(b.Left), Seq(b.Right)
		switch {
		case end.LessEqual(una):
			sb.dsacks++
		case !start.GreaterThan(una) || !start.LessThan(end) || end.GreaterThan(max):
			sb.invalid++
		default:
			newly += sb.insert(start, end)
		}
	}
	sb.setLost(una, mss)
	return newly
}

// insert adds the range [start, end) and returns how many of its bytes
// were not SACKed before.
func (sb *scoreboard) insert(start, end Seq) int {
	bs := &sb.storage().blocks
	// i is the first range that ends at or after start: the first the new
	// one may touch; j is past the last it touches.
	i := 0
	for i < sb.n && bs[i].end.LessThan(start) {
		i++
	}
	j, had := i, 0
	for j < sb.n && bs[j].start.LessEqual(end) {
		start, end = SeqMin(start, bs[j].start), SeqMax(end, bs[j].end)
		had += bs[j].end.Diff(bs[j].start)
		j++
	}
	if i == j {
		// A range of its own, between i-1 and i.
		if sb.n == maxScoreboard {
			if i == sb.n {
				sb.forgotten++
				return 0 // the highest: not recorded
			}
			sb.n-- // forget the highest to make room
			sb.sacked -= bs[sb.n].end.Diff(bs[sb.n].start)
			sb.forgotten++
		}
		copy(bs[i+1:sb.n+1], bs[i:sb.n])
		sb.n++
	} else if j > i+1 {
		// The new range joins ranges i to j-1 into one.
		copy(bs[i+1:], bs[j:sb.n])
		sb.n -= j - i - 1
	}
	bs[i] = seqRange{start, end}
	newly := end.Diff(start) - had
	sb.sacked += newly
	return newly
}

// ackedTo forgets what the cumulative acknowledgement una covers. A SACKed
// range that una reaches into, or starts at, means the peer has dropped
// data it had SACKed (RFC 2018 allows it to renege; a peer holding the
// bytes at una would have acknowledged them): the scoreboard is cleared,
// so that everything above una is sent again if need be.
func (sb *scoreboard) ackedTo(una Seq, mss int) {
	if sb.n == 0 {
		sb.lostEnd = una
		return
	}
	bs := &sb.st.blocks
	i := 0
	for i < sb.n && bs[i].end.LessEqual(una) {
		sb.sacked -= bs[i].end.Diff(bs[i].start)
		i++
	}
	if i > 0 {
		copy(bs[:], bs[i:sb.n])
		sb.n -= i
	}
	if sb.n > 0 && bs[0].start.LessEqual(una) {
		sb.reneges++
		sb.clear()
	}
	sb.setLost(una, mss)
}

// setLost recomputes lostEnd: going down from the highest SACKed range,
// the first range at which DupThresh ranges, or more than DupThresh-1
// segments' worth of bytes, are SACKed makes every hole below it lost
// (RFC 6675's IsLost).
func (sb *scoreboard) setLost(una Seq, mss int) {
	sb.lostEnd = una
	bytes := 0
	for k := sb.n - 1; k >= 0; k-- {
		bytes += sb.st.blocks[k].end.Diff(sb.st.blocks[k].start)
		if sb.n-k >= dupThresh || bytes > (dupThresh-1)*mss {
			sb.lostEnd = sb.st.blocks[k].start
			return
		}
	}
}

// lostBelow returns the boundary below which unSACKed bytes are lost:
// lostEnd, or after a timeout everything that was outstanding then.
func (sb *scoreboard) lostBelow() Seq {
	if sb.loss && sb.lossEnd.GreaterThan(sb.lostEnd) {
		return sb.lossEnd
	}
	return sb.lostEnd
}

// sackedAt reports whether sq is SACKed.
func (sb *scoreboard) sackedAt(sq Seq) bool {
	for i := 0; i < sb.n; i++ {
		if sq.LessThan(sb.st.blocks[i].start) {
			return false
		}
		if sq.LessThan(sb.st.blocks[i].end) {
			return true
		}
	}
	return false
}

// isLost is RFC 6675's IsLost(sq).
func (sb *scoreboard) isLost(sq Seq) bool {
	return sq.LessThan(sb.lostBelow()) && !sb.sackedAt(sq)
}

// sackedIn returns the SACKed bytes in [from, to).
func (sb *scoreboard) sackedIn(from, to Seq) int {
	n := 0
	for i := 0; i < sb.n; i++ {
		b := sb.st.blocks[i]
		if !b.end.GreaterThan(from) {
			continue
		}
		if !b.start.LessThan(to) {
			break
		}
		n += SeqMin(b.end, to).Diff(SeqMax(b.start, from))
	}
	return n
}

// unsackedIn returns the bytes in [from, to) that are not SACKed.
func (sb *scoreboard) unsackedIn(from, to Seq) int {
	if !from.LessThan(to) {
		return 0
	}
	return to.Diff(from) - sb.sackedIn(from, to)
}

// pipe is RFC 6675's SetPipe: of the bytes from una to max (HighData),
// those neither SACKed nor lost are in flight, and so are those sent again
// (below HighRxt) and not SACKed since.
func (sb *scoreboard) pipe(una, high Seq) int {
	lost := SeqMin(SeqMax(sb.lostBelow(), una), high)
	rxt := SeqMin(SeqMax(sb.highRxt, una), high)
	p := sb.unsackedIn(lost, high) + sb.unsackedIn(una, rxt)
	// Retransmissions found lost have left the network.
	for i := 0; i < sb.nrelost; i++ {
		r := sb.st.relost[i]
		p -= sb.unsackedIn(SeqMax(r.start, una), SeqMin(r.end, rxt))
	}
	return max(p, 0)
}

// hole returns the first unSACKed run of bytes at or after from and below
// limit, cut at limit: [start, end). ok is false if there is none.
func (sb *scoreboard) hole(from, limit Seq) (start, end Seq, ok bool) {
	start = from
	for i := 0; i < sb.n; i++ {
		b := sb.st.blocks[i]
		if !b.end.GreaterThan(start) {
			continue
		}
		if b.start.GreaterThan(start) {
			end = SeqMin(b.start, limit)
			return start, end, start.LessThan(end)
		}
		start = b.end // inside a SACKed range: skip it
	}
	return start, limit, start.LessThan(limit)
}

// lastHole returns the highest unSACKed byte below max, plus one: the end
// of the highest hole (RFC 6675 NextSeg rule 4), and where that hole
// starts.
func (sb *scoreboard) lastHole(una, max Seq) (start, end Seq, ok bool) {
	end = max
	for i := sb.n - 1; i >= 0; i-- {
		b := sb.st.blocks[i]
		if b.end.LessThan(end) {
			return b.end, end, true
		}
		if !b.start.LessThan(end) {
			continue
		}
		end = b.start // the range reaches max: the hole is below it
	}
	return una, end, una.LessThan(end)
}

// enterLoss sets the scoreboard up after a retransmission timeout: what
// was outstanding and not SACKed is lost and nothing has been sent again.
func (sb *scoreboard) enterLoss(una, max Seq) {
	sb.loss, sb.lossEnd = true, max
	sb.highRxt = una
	sb.rescue = false
	sb.nrxt, sb.nrelost = 0, 0
	sb.reduceSeq = max
}

// logRxt records a retransmission of [start, end) sent when SND.MAX was
// after, to watch it for loss. When the log is full the oldest record is
// forgotten: the retransmission timer still covers it.
func (sb *scoreboard) logRxt(start, end, after Seq) {
	if !start.LessThan(end) {
		return
	}
	st := sb.storage()
	if sb.nrxt == maxRxtLog {
		copy(st.rxt[:], st.rxt[1:])
		sb.nrxt--
	}
	st.rxt[sb.nrxt] = rxtRecord{start, end, after}
	sb.nrxt++
}

// lostRetransmissions finds the retransmissions that were lost: one is,
// once more than DupThresh-1 segments' worth of data first sent after it
// have been SACKed while it has not arrived (what Linux's
// tcp_mark_lost_retrans checked before RACK; RFC 8985 does it with time).
// RFC 6675 alone leaves a lost retransmission to the retransmission timer.
// Their unSACKed bytes are queued to be sent again. It returns whether any
// was found, and the SND.MAX at which the first of them was sent.
func (sb *scoreboard) lostRetransmissions(una, max Seq, mss int) (after Seq, found bool) {
	if sb.nrxt == 0 {
		return 0, false
	}
	st := sb.st
	i := 0
	for ; i < sb.nrxt; i++ {
		r := st.rxt[i]
		if r.end.LessEqual(una) || sb.unsackedIn(SeqMax(r.start, una), r.end) == 0 {
			continue // it arrived (or the original did)
		}
		// Records are in the order sent, so after never decreases: if
		// this one is not lost yet, neither are the later ones.
		if sb.sackedIn(r.after, max) <= (dupThresh-1)*mss {
			break
		}
		if !found {
			after, found = r.after, true
		}
		sb.lostRxts++
		if sb.nrelost < maxRelost {
			st.relost[sb.nrelost] = seqRange{SeqMax(r.start, una), r.end}
			sb.nrelost++
		}
	}
	sb.nrxt = copy(st.rxt[:], st.rxt[i:sb.nrxt])
	return after, found
}

// nextRelost returns the first unSACKed run of a retransmission found
// lost, forgetting those that have arrived since.
func (sb *scoreboard) nextRelost(una Seq) (start, end Seq, ok bool) {
	for sb.nrelost > 0 {
		r := sb.st.relost[0]
		if start, end, ok := sb.hole(SeqMax(r.start, una), r.end); ok {
			return start, end, true
		}
		sb.popRelost()
	}
	return 0, 0, false
}

// relostSent records that the first lost retransmission has been sent
// again up to next.
func (sb *scoreboard) relostSent(next Seq) {
	r := &sb.st.relost[0]
	r.start = next
	if !r.start.LessThan(r.end) {
		sb.popRelost()
	}
}

func (sb *scoreboard) popRelost() {
	sb.nrelost = copy(sb.st.relost[:], sb.st.relost[1:sb.nrelost])
}

// sackActive reports whether the sender counts what is in flight with the
// scoreboard (RFC 6675's pipe) rather than as SND.NXT - SND.UNA: on a SACK
// connection, once the peer has SACKed something or loss recovery is on.
func (c *Conn) sackActive() bool {
	return c.sackOK && (c.sb.n > 0 || c.inRecovery || c.sb.loss)
}

// enterSACKRecovery starts RFC 6675's loss recovery (section 5, step 4):
// the recovery point is HighData, the window falls to ssthresh, and the
// first segment, at SND.UNA, goes again at once; output continues with
// NextSeg as the window allows. The caller has counted the event.
func (c *Conn) enterSACKRecovery(now time.Time) {
	c.inRecovery = true
	c.recoverSeq, c.sb.recoverSet = c.sndMax, true
	c.sb.rescue = false
	c.cc.onCongestion(c.flightSize(), c.mss, now)
	c.sb.reduceSeq = c.sndMax
	c.sb.highRxt = c.sndUna
	_, end, _ := c.sb.hole(c.sndUna, c.sndMax)
	c.sb.highRxt = c.resend(now, c.sndUna, end)
	c.sb.logRxt(c.sndUna, c.sb.highRxt, c.sndMax)
}

// checkLostRetransmissions looks, after new SACK information, for
// retransmissions that were lost. They go again before anything else; and
// a retransmission lost that was sent after the window was last reduced
// means congestion again: the window falls once more (RFC 8985 3.4 asks
// this of whatever detects the loss of a retransmission).
func (c *Conn) checkLostRetransmissions(now time.Time) {
	after, found := c.sb.lostRetransmissions(c.sndUna, c.sndMax, c.mss)
	if found && c.inRecovery && !after.LessThan(c.sb.reduceSeq) {
		c.cc.onCongestion(c.flightSize(), c.mss, now)
		c.sb.reduceSeq = c.sndMax
	}
}

// sackRecoveryOutput sends during SACK-based loss recovery, and after a
// timeout on a SACK connection: while the window has room for a segment
// beyond the pipe, it sends what NextSeg (RFC 6675 section 4) picks,
// reporting whether it sent anything.
func (c *Conn) sackRecoveryOutput(now time.Time) bool {
	sent := false
	for c.cc.cwnd()-c.sb.pipe(c.sndUna, c.sndMax) >= c.mss {
		una, max := c.sndUna, c.sndMax
		from := SeqMax(c.sb.highRxt, una)
		// First, retransmissions found lost.
		if start, end, ok := c.sb.nextRelost(una); ok {
			next := c.resend(now, start, end)
			if next == start {
				break
			}
			c.sb.relostSent(next)
			c.sb.logRxt(start, next, max)
			sent = true
			continue
		}
		// Rule 1: the first lost byte not yet sent again (IsLost
		// implies that it is below the highest SACKed byte).
		if start, end, ok := c.sb.hole(from, SeqMin(c.sb.lostBelow(), max)); ok {
			if c.sb.highRxt = c.resend(now, start, end); c.sb.highRxt == start {
				break
			}
			c.sb.logRxt(start, c.sb.highRxt, max)
			sent = true
			continue
		}
		// Rule 2: new data, as the peer's window allows.
		if c.sendData(now) {
			sent = true
			continue
		}
		// Rule 3: a hole below the highest SACKed byte that is not lost
		// yet, rather than nothing.
		if start, end, ok := c.sb.hole(from, c.sb.highSACK(una)); ok {
			if c.sb.highRxt = c.resend(now, start, end); c.sb.highRxt == start {
				break
			}
			c.sb.logRxt(start, c.sb.highRxt, max)
			sent = true
			continue
		}
		// Rule 4: once per recovery, the highest unSACKed segment, so
		// that a loss at the tail is repaired without a timeout. (Not if
		// rule 1 or 3 already sent it again.)
		if c.inRecovery && (!c.sb.rescue || una.GreaterThan(c.sb.rescueRxt)) {
			if start, end, ok := c.sb.lastHole(una, max); ok && end.GreaterThan(c.sb.highRxt) {
				from := SeqMax(start, end.Add(-c.mss))
				if end == max && c.finQueued && max == c.finSeq.Add(1) {
					from = SeqMax(start, end.Add(-c.mss-1)) // the FIN rides along
				}
				c.resend(now, from, end)
				c.sb.rescue, c.sb.rescueRxt = true, c.recoverSeq
				sent = true
				continue
			}
		}
		break
	}
	return sent
}
