package tcp

import "time"

// scoreboard keeps what the peer's SACK blocks say it holds beyond
// SND.UNA (RFC 6675's scoreboard). Until it is active the connection
// recovers from loss as NewReno does.
type scoreboard struct{}

// active reports whether SACK-based recovery is in use.
func (sb *scoreboard) active() bool { return false }

// update records the SACK blocks of an ACK.
func (sb *scoreboard) update(una, max seq, blocks []SACKBlock) {}

// ackedTo forgets what the cumulative ACK has covered.
func (sb *scoreboard) ackedTo(una seq) {}

// isLost is RFC 6675's IsLost for the segment at una.
func (sb *scoreboard) isLost(una seq, mss int) bool { return false }

// pipe is RFC 6675's estimate of the bytes in flight.
func (sb *scoreboard) pipe(una, nxt, max seq, mss int) int { return nxt.diff(una) }

// onRTO clears what a retransmission timeout invalidates.
func (sb *scoreboard) onRTO() {}

// sackRecoveryOutput sends during SACK-based loss recovery (RFC 6675 5).
func (c *Conn) sackRecoveryOutput(now time.Time) bool { return false }
