package icmp

import (
	"sync"
	"time"
)

// Defaults for a RateLimiter of all ICMP error messages a host sends,
// Linux's net.ipv4.icmp_msgs_per_sec (1000) and icmp_msgs_burst (50): a
// port scan or a flood of datagrams to closed ports gets at most a
// thousand port unreachables a second, which keeps the stack from
// amplifying the flood (and from feeding scanners, RFC 1812 4.3.2.8),
// while ordinary errors are never held back. Linux also limits each
// destination to one message a second (icmp_ratelimit); a stack that
// wants that keeps a RateLimiter per destination as well.
const (
	DefaultRate  = 1000
	DefaultBurst = 50
)

// RateLimiter is a token bucket for ICMP error messages (RFC 1812
// 4.3.2.8, RFC 4443 2.4(f)): it holds up to burst tokens, gains rate
// tokens a second, and each message sent takes one. It reads no clock:
// Allow takes the time. It is safe for concurrent use, and a nil
// *RateLimiter allows everything.
type RateLimiter struct {
	mu     sync.Mutex
	rate   float64 // tokens a second
	burst  float64
	tokens float64
	last   time.Time // of the last refill; zero before the first Allow
	denied uint64
}

// NewRateLimiter returns a limiter that allows rate messages a second on
// average and bursts of up to burst messages; it starts full. A rate of 0
// or less never refills (burst messages, then none); a burst below 1 is
// taken as 1.
func NewRateLimiter(rate float64, burst int) *RateLimiter {
	b := float64(max(burst, 1))
	return &RateLimiter{rate: max(rate, 0), burst: b, tokens: b}
}

// Allow reports whether a message may be sent at now, and if so takes a
// token. A time earlier than the last one seen adds no tokens.
func (l *RateLimiter) Allow(now time.Time) bool {
	if l == nil {
		return true
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.last.IsZero() {
		l.last = now
	} else if d := now.Sub(l.last); d > 0 {
		l.last = now
		l.tokens = min(l.burst, l.tokens+d.Seconds()*l.rate)
	}
	if l.tokens < 1 {
		l.denied++
		return false
	}
	l.tokens--
	return true
}

// Denied returns how many messages Allow has refused, for the stack's
// counters (Linux counts them in IcmpOutRateLimitGlobal).
func (l *RateLimiter) Denied() uint64 {
	if l == nil {
		return 0
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.denied
}
