package tcp

import (
	"math"
	"testing"
	"time"
)

const ccMSS = 1000

var ccEpoch = time.Unix(1_000_000, 0)

// ackFlow feeds cc the ACKs of a sender whose window is always full: every
// round trip of rtt, the window's worth of bytes (as it was at the start
// of the round trip) acknowledged two segments an ACK, spread over the
// round trip, from start for d. It calls sample (if not nil) at the start
// of every round trip, and returns the time it stopped.
func ackFlow(cc congestionControl, start time.Time, rtt, d time.Duration, sample func(now time.Time)) time.Time {
	now := start
	for now.Sub(start) < d {
		if sample != nil {
			sample(now)
		}
		wnd := cc.cwnd()
		step := rtt / time.Duration((wnd+2*ccMSS-1)/(2*ccMSS))
		for left := wnd; left > 0; left -= 2 * ccMSS {
			now = now.Add(step)
			cc.onAck(min(left, 2*ccMSS), ccMSS, rtt, now)
		}
	}
	return now
}

func segments(bytes int) float64 { return float64(bytes) / ccMSS }

func TestInitialWindow(t *testing.T) {
	for _, tc := range []struct{ mss, want int }{
		{536, 5360}, {1460, 14600}, {1448, 14480}, {4000, 14600}, {8960, 17920},
	} {
		if got := initialWindow(tc.mss); got != tc.want {
			t.Errorf("initial window for MSS %d: %d, want %d (RFC 6928)", tc.mss, got, tc.want)
		}
	}
}

func TestNewReno(t *testing.T) {
	var r newReno
	r.init(ccMSS)
	if r.cwnd() != 10*ccMSS || r.ssthresh() < 1<<30 {
		t.Fatalf("initial cwnd %d ssthresh %d", r.cwnd(), r.ssthresh())
	}
	// Slow start: bytes acknowledged, at most 2 segments an ACK.
	r.onAck(ccMSS, ccMSS, 0, ccEpoch)
	r.onAck(5*ccMSS, ccMSS, 0, ccEpoch) // a stretch ACK counts for 2 (RFC 3465 L=2)
	if r.cwnd() != 13*ccMSS {
		t.Fatalf("after slow start ACKs of 1 and 5 segments: cwnd %d, want 13 segments", r.cwnd())
	}
	// Fast recovery: ssthresh = cwnd = FlightSize/2, at least 2 segments.
	r.onCongestion(12*ccMSS, ccMSS, ccEpoch)
	if r.ssthresh() != 6*ccMSS || r.cwnd() != 6*ccMSS {
		t.Fatalf("after a loss with 12 segments in flight: cwnd %d ssthresh %d, want 6 segments both", r.cwnd(), r.ssthresh())
	}
	r.onRecoveryEnd(6*ccMSS, ccMSS)
	if r.cwnd() != 6*ccMSS {
		t.Fatalf("after recovery with the window in flight: cwnd %d, want ssthresh", r.cwnd())
	}
	// Congestion avoidance: one segment per window of bytes (RFC 3465).
	for range 5 {
		r.onAck(ccMSS, ccMSS, 0, ccEpoch)
	}
	if r.cwnd() != 6*ccMSS {
		t.Fatalf("cwnd grew before a window was acknowledged: %d", r.cwnd())
	}
	r.onAck(ccMSS, ccMSS, 0, ccEpoch)
	if r.cwnd() != 7*ccMSS {
		t.Fatalf("after a window of bytes in congestion avoidance: cwnd %d, want 7 segments", r.cwnd())
	}
	// A recovery that ends with little in flight does not leave room for
	// a burst (RFC 6582 3.2 step 3).
	r.onCongestion(10*ccMSS, ccMSS, ccEpoch)
	r.onRecoveryEnd(2*ccMSS, ccMSS)
	if r.cwnd() != 3*ccMSS {
		t.Fatalf("after recovery with 2 segments in flight: cwnd %d, want 3 segments", r.cwnd())
	}
	// Timeouts: one segment; ssthresh halves at the first and is held at
	// the next (RFC 5681 3.1), and never below 2 segments.
	r.onRTO(8*ccMSS, ccMSS, true, ccEpoch)
	if r.cwnd() != ccMSS || r.ssthresh() != 4*ccMSS {
		t.Fatalf("after a timeout: cwnd %d ssthresh %d, want 1 and 4 segments", r.cwnd(), r.ssthresh())
	}
	r.onRTO(ccMSS, ccMSS, false, ccEpoch)
	if r.ssthresh() != 4*ccMSS {
		t.Fatalf("a repeated timeout changed ssthresh to %d", r.ssthresh())
	}
	r.onRTO(ccMSS, ccMSS, true, ccEpoch)
	if r.ssthresh() != 2*ccMSS {
		t.Fatalf("ssthresh %d, want the floor of 2 segments", r.ssthresh())
	}
	// Slow start stops at ssthresh, and the rest of the ACK counts for
	// congestion avoidance.
	r.onAck(2*ccMSS, ccMSS, 0, ccEpoch) // 1 -> 2 (ssthresh), 1 segment left over
	if r.cwnd() != 2*ccMSS || r.acc != ccMSS {
		t.Fatalf("crossing ssthresh: cwnd %d, acc %d; want 2 segments and 1 left over", r.cwnd(), r.acc)
	}
}

// TestCubicCurve: after a loss at W_max = 100 segments the window follows
// W_cubic(t) = C(t-K)^3 + W_max (RFC 9438 figure 1), K = cbrt(W_max(1 -
// beta)/C), through the concave region, the plateau and the convex region.
func TestCubicCurve(t *testing.T) {
	var c cubic
	c.init(ccMSS)
	c.wnd = 100 * ccMSS
	c.onCongestion(100*ccMSS, ccMSS, ccEpoch)
	if c.cwnd() != 70*ccMSS || c.ssthresh() != 70*ccMSS {
		t.Fatalf("after the loss: cwnd %d ssthresh %d, want 70 segments (beta 0.7)", c.cwnd(), c.ssthresh())
	}
	if c.wMax != 100 {
		t.Fatalf("W_max %v, want 100", c.wMax)
	}
	const rtt = 100 * time.Millisecond
	k := math.Cbrt(100 * (1 - cubicBeta) / cubicC)
	start := ccEpoch.Add(time.Millisecond)
	worst, est, renoFriendly := 0.0, 70.0, 0
	ackFlow(&c, start, rtt, 8*time.Second, func(now time.Time) {
		tt := now.Sub(start).Seconds()
		want := cubicC*math.Pow(tt-k, 3) + 100
		got := segments(c.cwnd())
		// The window aims at W_cubic one round trip ahead and gets there
		// during the round trip: it is between W_cubic(t) and
		// W_cubic(t+RTT), within a segment, unless W_est, which grows
		// by alpha a round trip up to W_max and by 1 after, is above
		// (from about 6.2 s on).
		ahead := cubicC*math.Pow(tt+rtt.Seconds()-k, 3) + 100
		if est > want {
			renoFriendly++
			want, ahead = est, est
		}
		if tt > 0.5 && (got < want-1 || got > ahead+1) {
			t.Errorf("t = %.1fs: cwnd %.1f segments, W_cubic(t) = %.1f, W_cubic(t+RTT) = %.1f, W_est %.1f", tt, got, want, ahead, est)
		}
		worst = max(worst, math.Abs(got-want)/want)
		if est < 100 {
			est += cubicAlpha
		} else {
			est++
		}
	})
	if math.Abs(c.k-k) > 1e-9 {
		t.Errorf("K = %v, want %v", c.k, k)
	}
	if renoFriendly == 0 || renoFriendly > 25 {
		t.Errorf("%d round trips of 80 in the Reno-friendly region, want the last 18 or so", renoFriendly)
	}
	t.Logf("K = %.3fs; the window stayed within %.1f%% of max(W_cubic(t), W_est)", k, 100*worst)
}

// TestCubicRenoFriendly: on a short round trip CUBIC's curve is slower
// than Reno's line, and the window follows W_est instead (RFC 9438 4.3):
// alpha = 3(1-beta)/(1+beta) segments a round trip until W_est reaches the
// window before the loss, then 1 segment a round trip.
func TestCubicRenoFriendly(t *testing.T) {
	var c cubic
	c.init(ccMSS)
	c.wnd = 20 * ccMSS
	c.onCongestion(20*ccMSS, ccMSS, ccEpoch)
	const rtt = time.Millisecond
	var got []float64
	ackFlow(&c, ccEpoch, rtt, 60*rtt, func(now time.Time) { got = append(got, segments(c.cwnd())) })
	// Analytically: from 14 segments, +alpha (0.529) a round trip up to
	// 20, that is for 11.3 round trips, then +1.
	est := 14.0
	for i, g := range got {
		if math.Abs(g-est) > 1.1 {
			t.Fatalf("round trip %d: cwnd %.2f segments, W_est %.2f", i, g, est)
		}
		if est < 20 {
			est += cubicAlpha
		} else {
			est++
		}
	}
	if c.wCubic(ccEpoch.Add(60*rtt).Sub(c.epoch).Seconds()) >= c.wEst {
		t.Fatal("not in the Reno-friendly region")
	}
	n := len(got)
	if d := got[n-1] - got[n-11]; d < 9 || d > 11 {
		t.Errorf("past the old window, W_est grew %.1f segments in 10 round trips, want 10 (alpha 1)", d)
	}
	if d := got[10] - got[0]; d < 4.3 || d > 6.3 {
		t.Errorf("below the old window, W_est grew %.1f segments in 10 round trips, want 5.3 (alpha 0.529)", d)
	}
}

// TestCubicFastConvergence: a loss before the window regained its old
// maximum lowers W_max to cwnd(1+beta)/2 (RFC 9438 4.7).
func TestCubicFastConvergence(t *testing.T) {
	var c cubic
	c.init(ccMSS)
	c.wnd = 100 * ccMSS
	c.onCongestion(100*ccMSS, ccMSS, ccEpoch)
	ackFlow(&c, ccEpoch, 100*time.Millisecond, time.Second, nil)
	w := segments(c.cwnd())
	if w >= 100 {
		t.Fatalf("cwnd %.1f, wanted below the old maximum", w)
	}
	c.onCongestion(c.cwnd(), ccMSS, ccEpoch.Add(time.Second))
	if want := w * (1 + cubicBeta) / 2; math.Abs(c.wMax-want) > 1e-9 {
		t.Errorf("W_max %.2f after a loss at %.1f < 100, want %.2f", c.wMax, w, want)
	}
	if want := int(w * ccMSS * cubicBeta); math.Abs(float64(c.cwnd()-want)) > 1 || c.cwndPrior != w {
		t.Errorf("cwnd %d, cwnd_prior %.1f; want %d, %.1f", c.cwnd(), c.cwndPrior, want, w)
	}
	// A loss above the old maximum sets W_max to the window.
	c.wnd = 200 * ccMSS
	c.onCongestion(200*ccMSS, ccMSS, ccEpoch.Add(2*time.Second))
	if c.wMax != 200 {
		t.Errorf("W_max %.1f after a loss at 200 > old maximum, want 200", c.wMax)
	}
	// ssthresh comes from the bytes in flight, not the window.
	c.wnd = 100 * ccMSS
	c.onCongestion(50*ccMSS, ccMSS, ccEpoch.Add(3*time.Second))
	if c.ssthresh() != 35*ccMSS {
		t.Errorf("ssthresh %d with 50 segments in flight, want 35 segments", c.ssthresh())
	}
}

// TestCubicTimeout: a timeout takes the window to one segment and
// ssthresh to beta times the flight; the next congestion avoidance stage
// starts its curve with K = 0 and W_max its own starting window (RFC 9438
// 4.8), so it grows at once rather than plateauing at the old maximum.
func TestCubicTimeout(t *testing.T) {
	var c cubic
	c.init(ccMSS)
	c.wnd = 100 * ccMSS
	c.onCongestion(100*ccMSS, ccMSS, ccEpoch)
	c.onRTO(40*ccMSS, ccMSS, true, ccEpoch)
	if c.cwnd() != ccMSS || c.ssthresh() != 28*ccMSS {
		t.Fatalf("after the timeout: cwnd %d ssthresh %d, want 1 and 28 segments", c.cwnd(), c.ssthresh())
	}
	c.onRTO(ccMSS, ccMSS, false, ccEpoch)
	if c.ssthresh() != 28*ccMSS {
		t.Fatalf("a repeated timeout changed ssthresh to %d", c.ssthresh())
	}
	// Slow start to ssthresh, then the curve from there.
	now := ccEpoch
	for c.cwnd() < c.ssthresh() {
		now = now.Add(time.Millisecond)
		c.onAck(2*ccMSS, ccMSS, 100*time.Millisecond, now)
	}
	if c.k != 0 || c.wMax != 28 || c.epoch.IsZero() {
		t.Fatalf("stage after a timeout: K %v, W_max %v, epoch %v; want 0, 28, started", c.k, c.wMax, c.epoch)
	}
	ackFlow(&c, now, 100*time.Millisecond, 3*time.Second, nil)
	if got, want := segments(c.cwnd()), cubicC*27+28; got < want-2 {
		t.Errorf("3 s after the stage began: cwnd %.1f segments, want about W_cubic = %.1f", got, want)
	}
}

// TestCubicSlowStartExit: a slow start that ends without a loss leaves
// W_max undefined; the curve starts at the window with K = 0 (RFC 9438
// 4.10).
func TestCubicSlowStartExit(t *testing.T) {
	var c cubic
	c.init(ccMSS)
	c.thresh = 30 * ccMSS // as HyStart++ might set it
	now := ccEpoch
	for c.cwnd() < c.ssthresh() {
		now = now.Add(time.Millisecond)
		c.onAck(2*ccMSS, ccMSS, 10*time.Millisecond, now)
	}
	now = now.Add(time.Millisecond)
	c.onAck(2*ccMSS, ccMSS, 10*time.Millisecond, now)
	if c.k != 0 || c.wMax != 30 || c.cwndPrior != 30 {
		t.Fatalf("K %v, W_max %v, cwnd_prior %v; want 0, 30, 30", c.k, c.wMax, c.cwndPrior)
	}
}

// TestCubicAppLimited: time during which the sender was not using its
// window does not advance the curve (RFC 9438 4.2).
func TestCubicAppLimited(t *testing.T) {
	run := func(idle bool) int {
		var c cubic
		c.init(ccMSS)
		c.wnd = 100 * ccMSS
		c.onCongestion(100*ccMSS, ccMSS, ccEpoch)
		now := ackFlow(&c, ccEpoch, 100*time.Millisecond, time.Second, nil)
		if idle {
			c.appLimited(now)
			now = now.Add(10 * time.Second)
		}
		ackFlow(&c, now, 100*time.Millisecond, time.Second, nil)
		return c.cwnd()
	}
	busy, idle := run(false), run(true)
	if math.Abs(float64(busy-idle)) > 2*ccMSS {
		t.Errorf("after 10 s application-limited the window is %d, without the pause %d", idle, busy)
	}
}

// TestCubicSmallIncrements: growth of less than a byte an ACK, as on the
// plateau near W_max, accumulates instead of being lost: half a segment
// short of W_max, the window grows half a byte an ACK and must get there.
func TestCubicSmallIncrements(t *testing.T) {
	var c cubic
	c.init(ccMSS)
	c.wnd = 1000 * ccMSS
	c.onCongestion(1000*ccMSS, ccMSS, ccEpoch)
	// Start near the plateau: the curve's slope there is tiny.
	now := ccEpoch.Add(time.Millisecond)
	c.onAck(ccMSS, ccMSS, time.Millisecond, now) // the epoch starts
	k := time.Duration(c.k * float64(time.Second))
	c.wnd = 999*ccMSS + ccMSS/2
	now = now.Add(k - 50*time.Millisecond)
	for range 20000 {
		now = now.Add(10 * time.Microsecond)
		c.onAck(ccMSS, ccMSS, time.Millisecond, now)
	}
	if c.cwnd() < 1000*ccMSS-10 {
		t.Errorf("the window did not grow to W_max on the plateau: %d", c.cwnd())
	}
}
