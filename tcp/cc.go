package tcp

import (
	"math"
	"time"
)

// congestionControl is a congestion control algorithm: it owns the
// congestion window and the slow start threshold, in bytes. Loss recovery
// itself (which segment to retransmit, how much may be in flight during
// recovery) is the connection's; the algorithm decides how the window
// grows with acknowledgements and how far it falls at a congestion event.
type congestionControl interface {
	// init sets the initial window for a connection of the given MSS
	// (RFC 6928: ten segments).
	init(mss int)
	// cwnd and ssthresh return the window and the threshold.
	cwnd() int
	ssthresh() int
	// onAck grows the window for acked bytes newly acknowledged outside
	// loss recovery; rtt is the smoothed round-trip time.
	onAck(acked, mss int, rtt time.Duration, now time.Time)
	// onCongestion handles entering loss recovery with flight bytes in
	// flight: it sets the threshold, which recovery brings the window to.
	onCongestion(flight, mss int, now time.Time)
	// onRecoveryEnd sets the window at the end of loss recovery.
	onRecoveryEnd(mss int)
	// onRTO handles a retransmission timeout: the window falls to one
	// segment (RFC 5681 3.1).
	onRTO(flight, mss int, now time.Time)
}

// congestionControls are the algorithms Config.CongestionControl names.
var congestionControls = map[string]func() congestionControl{
	"newreno": func() congestionControl { return &newReno{} },
	"cubic":   func() congestionControl { return &cubic{} },
}

// initialWindowSegments is RFC 6928's initial window.
const initialWindowSegments = 10

// newReno is RFC 5681's window growth: slow start to ssthresh, then one
// segment per round trip, with appropriate byte counting (RFC 3465).
type newReno struct {
	wnd, thresh int
	acc         int // bytes acknowledged towards the next segment in congestion avoidance
}

func (r *newReno) init(mss int) {
	r.wnd = initialWindowSegments * mss
	r.thresh = math.MaxInt32
}

func (r *newReno) cwnd() int     { return r.wnd }
func (r *newReno) ssthresh() int { return r.thresh }

func (r *newReno) onAck(acked, mss int, rtt time.Duration, now time.Time) {
	if r.wnd < r.thresh {
		// Slow start, counting bytes but at most two segments an ACK
		// (RFC 3465's L = 2).
		r.wnd += min(acked, 2*mss)
		return
	}
	r.acc += acked
	if r.acc >= r.wnd {
		r.acc -= r.wnd
		r.wnd += mss
	}
}

func (r *newReno) onCongestion(flight, mss int, now time.Time) {
	r.thresh = max(flight/2, 2*mss)
	r.acc = 0
}

func (r *newReno) onRecoveryEnd(mss int) { r.wnd = r.thresh }

func (r *newReno) onRTO(flight, mss int, now time.Time) {
	r.thresh = max(flight/2, 2*mss)
	r.wnd = mss
	r.acc = 0
}

// CUBIC's constants (RFC 9438 section 4.1).
const (
	cubicC    = 0.4
	cubicBeta = 0.7
)

// cubic is RFC 9438's CUBIC: after a congestion event the window follows a
// cubic function of the time since, plateauing near the window where the
// loss happened, and never grows slower than Reno would (the Reno-friendly
// region).
type cubic struct {
	wnd, thresh int
	wMax        float64   // window before the last reduction, in segments
	k           float64   // seconds for the function to reach wMax
	epoch       time.Time // start of the current congestion avoidance epoch
	wEst        float64   // the Reno-friendly estimate, in segments
	acc         int       // bytes towards the next segment in slow start byte counting
}

func (c *cubic) init(mss int) {
	c.wnd = initialWindowSegments * mss
	c.thresh = math.MaxInt32
}

func (c *cubic) cwnd() int     { return c.wnd }
func (c *cubic) ssthresh() int { return c.thresh }

func (c *cubic) onAck(acked, mss int, rtt time.Duration, now time.Time) {
	if c.wnd < c.thresh {
		c.wnd += min(acked, 2*mss)
		return
	}
	seg := float64(mss)
	cwnd := float64(c.wnd) / seg
	if c.epoch.IsZero() {
		// A new epoch starts with the first ACK in congestion avoidance.
		c.epoch = now
		if c.wMax < cwnd {
			c.k, c.wMax = 0, cwnd
		} else {
			c.k = math.Cbrt((c.wMax - cwnd) / cubicC)
		}
		c.wEst = cwnd
	}
	t := now.Sub(c.epoch).Seconds()
	target := cubicC*math.Pow(t+rtt.Seconds()-c.k, 3) + c.wMax
	// The Reno-friendly estimate grows by alpha segments a round trip.
	const alpha = 3 * (1 - cubicBeta) / (1 + cubicBeta)
	c.wEst += alpha * float64(acked) / float64(c.wnd)
	switch {
	case c.wEst > target && c.wEst > cwnd:
		c.wnd = int(c.wEst * seg)
	case target > cwnd:
		// Grow towards the target, at most by half the window per round
		// trip (RFC 9438 4.4's limit of 1.5 times).
		inc := (min(target, 1.5*cwnd) - cwnd) / cwnd * float64(acked)
		c.acc += int(inc)
		if c.acc > 0 {
			c.wnd += c.acc
			c.acc = 0
		}
	}
}

func (c *cubic) onCongestion(flight, mss int, now time.Time) {
	cwnd := float64(c.wnd) / float64(mss)
	// Fast convergence (RFC 9438 4.7): a flow whose window fell before
	// reaching its old maximum releases bandwidth to newer flows.
	if cwnd < c.wMax {
		c.wMax = cwnd * (1 + cubicBeta) / 2
	} else {
		c.wMax = cwnd
	}
	c.thresh = max(int(float64(c.wnd)*cubicBeta), 2*mss)
	c.epoch = time.Time{}
	c.acc = 0
}

func (c *cubic) onRecoveryEnd(mss int) { c.wnd = c.thresh }

func (c *cubic) onRTO(flight, mss int, now time.Time) {
	c.onCongestion(flight, mss, now)
	c.wnd = mss
}
