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
	// (RFC 6928: ten segments, at most 14600 bytes unless two segments
	// are more).
	init(mss int)
	// cwnd and ssthresh return the window and the threshold.
	cwnd() int
	ssthresh() int
	// onAck grows the window for acked bytes newly acknowledged outside
	// loss recovery, when the window was what limited the sender; rtt is
	// the smoothed round-trip time.
	onAck(acked, mss int, rtt time.Duration, now time.Time)
	// appLimited tells of an acknowledgement that arrived while the
	// application or the peer's window, not the congestion window,
	// limited the sender: the window does not grow, and time in that
	// state does not count as time spent growing it.
	appLimited(now time.Time)
	// onCongestion handles entering fast recovery with flight bytes in
	// flight (RFC 5681's FlightSize): it lowers the threshold, and the
	// window to it (RFC 5681 3.2, RFC 6675 5 step 4.2, RFC 9438 4.6).
	onCongestion(flight, mss int, now time.Time)
	// onRecoveryEnd sets the window when fast recovery ends with flight
	// bytes in flight: the threshold, or less if little is in flight, so
	// that no burst follows (RFC 6582 3.2 step 3's first option).
	onRecoveryEnd(flight, mss int)
	// onRTO handles a retransmission timeout: the window falls to one
	// segment (RFC 5681 3.1), and the threshold is lowered at the first
	// timeout of a segment and held at the next ones.
	onRTO(flight, mss int, first bool, now time.Time)
}

// congestionControls are the algorithms Config.CongestionControl names.
var congestionControls = map[string]func() congestionControl{
	"newreno": func() congestionControl { return &newReno{} },
	"cubic":   func() congestionControl { return &cubic{} },
}

// initialWindow is RFC 6928's initial window: min(10*MSS, max(2*MSS,
// 14600)).
func initialWindow(mss int) int {
	return min(10*mss, max(2*mss, 14600))
}

// slowStart grows *wnd for acked bytes (RFC 5681 3.1) with appropriate
// byte counting, at most two segments an ACK (RFC 3465's L), and not past
// thresh. It returns the bytes left for congestion avoidance when the
// window reached thresh.
func slowStart(wnd *int, thresh, acked, mss int) int {
	inc, room := min(acked, 2*mss), thresh-*wnd
	if inc < room {
		*wnd += inc
		return 0
	}
	*wnd = thresh
	return acked - room
}

// newReno is RFC 5681's window growth: slow start to ssthresh, then one
// segment per round trip, with appropriate byte counting (RFC 3465).
type newReno struct {
	wnd, thresh int
	acc         int // bytes acknowledged towards the next segment in congestion avoidance
}

func (r *newReno) init(mss int) {
	r.wnd = initialWindow(mss)
	r.thresh = math.MaxInt32
	r.acc = 0
}

func (r *newReno) cwnd() int     { return r.wnd }
func (r *newReno) ssthresh() int { return r.thresh }

func (r *newReno) onAck(acked, mss int, rtt time.Duration, now time.Time) {
	if r.wnd < r.thresh {
		if acked = slowStart(&r.wnd, r.thresh, acked, mss); acked == 0 {
			return
		}
	}
	// Congestion avoidance: a segment for every window's worth of bytes
	// acknowledged (RFC 3465 2.1).
	r.acc += acked
	if r.acc >= r.wnd {
		r.acc -= r.wnd
		r.wnd += mss
	}
}

func (r *newReno) appLimited(now time.Time) {}

func (r *newReno) onCongestion(flight, mss int, now time.Time) {
	r.thresh = max(flight/2, 2*mss)
	r.wnd = r.thresh
	r.acc = 0
}

func (r *newReno) onRecoveryEnd(flight, mss int) {
	r.wnd = min(r.thresh, max(flight, mss)+mss)
}

func (r *newReno) onRTO(flight, mss int, first bool, now time.Time) {
	if first {
		r.thresh = max(flight/2, 2*mss)
	}
	r.wnd = mss
	r.acc = 0
}

// CUBIC's constants (RFC 9438 section 4.1, and 4.3's alpha).
const (
	cubicC     = 0.4
	cubicBeta  = 0.7
	cubicAlpha = 3 * (1 - cubicBeta) / (1 + cubicBeta)
)

// cubic is RFC 9438's CUBIC: after a congestion event the window follows a
// cubic function of the time since, plateauing near the window where the
// loss happened, and never grows slower than Reno would (the Reno-friendly
// region). Windows in the formulas are in segments, as in the RFC; cwnd
// itself is kept in bytes.
type cubic struct {
	wnd, thresh int
	wMax        float64   // W_max: the window before the last reduction
	cwndPrior   float64   // cwnd_prior: the window when ssthresh was last set
	k           float64   // K: seconds for W_cubic to reach W_max
	epoch       time.Time // t_epoch: start of the congestion avoidance stage, zero before it
	wEst        float64   // W_est, the Reno-friendly estimate
	frac        float64   // bytes of growth not yet added to wnd
	// resetMax makes the next stage start with K = 0 and W_max the
	// window at its start: after a timeout (RFC 9438 4.8), and when slow
	// start ends without a loss, W_max being undefined (4.10).
	resetMax bool
	idleFrom time.Time // when the sender became application-limited, or zero
}

func (c *cubic) init(mss int) {
	*c = cubic{wnd: initialWindow(mss), thresh: math.MaxInt32, resetMax: true}
}

func (c *cubic) cwnd() int     { return c.wnd }
func (c *cubic) ssthresh() int { return c.thresh }

// wCubic is W_cubic(t) (RFC 9438 figure 1), t in seconds since the epoch.
func (c *cubic) wCubic(t float64) float64 {
	d := t - c.k
	return cubicC*d*d*d + c.wMax
}

func (c *cubic) onAck(acked, mss int, rtt time.Duration, now time.Time) {
	if !c.idleFrom.IsZero() {
		// Time spent application-limited is not time the window grew
		// (RFC 9438 4.2): the curve resumes where it was.
		if !c.epoch.IsZero() {
			c.epoch = c.epoch.Add(now.Sub(c.idleFrom))
		}
		c.idleFrom = time.Time{}
	}
	if c.wnd < c.thresh {
		if acked = slowStart(&c.wnd, c.thresh, acked, mss); acked == 0 {
			return
		}
	}
	seg := float64(mss)
	cwnd := float64(c.wnd) / seg
	if c.epoch.IsZero() {
		// A congestion avoidance stage starts (RFC 9438 4.2): K from the
		// window now (cwnd_epoch) to W_max, and W_est from cwnd_epoch.
		c.epoch = now
		if c.resetMax {
			c.wMax, c.k, c.resetMax = cwnd, 0, false
			if c.cwndPrior == 0 {
				c.cwndPrior = cwnd
			}
		} else {
			c.k = math.Cbrt((c.wMax - cwnd) / cubicC)
		}
		c.wEst = cwnd
		c.frac = 0
	}
	t := now.Sub(c.epoch).Seconds()

	// The Reno-friendly estimate grows by alpha segments a round trip,
	// and like Reno's once past the window of the last congestion event
	// (RFC 9438 4.3).
	alpha := cubicAlpha
	if c.wEst >= c.cwndPrior {
		alpha = 1
	}
	c.wEst += alpha * float64(acked) / float64(c.wnd)
	if c.wCubic(t) < c.wEst {
		if w := int(c.wEst * seg); w > c.wnd {
			c.wnd = w
		}
		return
	}
	// The concave and convex regions (4.4, 4.5): towards W_cubic one
	// round trip ahead, but at most half the window more.
	target := min(max(c.wCubic(t+rtt.Seconds()), cwnd), 1.5*cwnd)
	c.frac += (target - cwnd) / cwnd * float64(acked)
	if c.frac >= 1 {
		inc := int(c.frac)
		c.wnd += inc
		c.frac -= float64(inc)
	}
}

func (c *cubic) appLimited(now time.Time) {
	if c.idleFrom.IsZero() {
		c.idleFrom = now
	}
}

func (c *cubic) onCongestion(flight, mss int, now time.Time) {
	cwnd := float64(c.wnd) / float64(mss)
	c.cwndPrior = cwnd
	// Fast convergence (RFC 9438 4.7): a flow whose window fell before
	// reaching its old maximum releases bandwidth to newer flows.
	if cwnd < c.wMax {
		c.wMax = cwnd * (1 + cubicBeta) / 2
	} else {
		c.wMax = cwnd
	}
	// Multiplicative decrease (4.6), from the bytes in flight.
	c.thresh = max(int(float64(flight)*cubicBeta), 2*mss)
	c.wnd = c.thresh
	c.epoch, c.frac, c.resetMax = time.Time{}, 0, false
}

func (c *cubic) onRecoveryEnd(flight, mss int) {
	c.wnd = min(c.thresh, max(flight, mss)+mss)
}

func (c *cubic) onRTO(flight, mss int, first bool, now time.Time) {
	// Reno's window of one segment, CUBIC's threshold (4.8); the next
	// congestion avoidance stage starts its curve at its own window.
	if first {
		c.cwndPrior = float64(c.wnd) / float64(mss)
		c.thresh = max(int(float64(flight)*cubicBeta), 2*mss)
	}
	c.wnd = mss
	c.epoch, c.frac, c.resetMax = time.Time{}, 0, true
}
