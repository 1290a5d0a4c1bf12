package stack

import (
	"context"
	"net"
	"net/netip"
	"strconv"
	"time"
)

// Dialing a name: Stack.DialContext resolves it with the stack's resolver
// (resolver.go) and, for TCP, races connections to its addresses as
// Happy Eyeballs v2 says (RFC 8305): the AAAA and A questions go out
// together; connections start as soon as the AAAA answer is in, or
// resolutionDelay after the A answer if the AAAA one is late; addresses
// are tried alternating between the families, IPv6 first, a new attempt
// starting every connectionAttemptDelay or as soon as the one before
// fails; the first connection made wins and the others are abandoned.
// Only families the stack can send to take part (canReach): a stack
// with no IPv6 address, or only a link-local one, asks for A alone. A UDP
// "connection" has nothing to race: it goes to the first address.

// RFC 8305's delays: 50 ms for the AAAA answer after the A answer (3),
// 250 ms between connection attempts (5).
const (
	resolutionDelay        = 50 * time.Millisecond
	connectionAttemptDelay = 250 * time.Millisecond
)

// dialName reports whether address names its host rather than giving
// its address; a malformed address is left to parseAddr to report.
func dialName(address string) bool {
	host, _, err := net.SplitHostPort(address)
	if err != nil || host == "" {
		return false
	}
	_, err = netip.ParseAddr(host)
	return err != nil
}

// dialNameContext is DialContext for an address whose host is a name.
func (s *Stack) dialNameContext(ctx context.Context, network, address string) (net.Conn, error) {
	fail := func(err error) (net.Conn, error) {
		return nil, &net.OpError{Op: "dial", Net: network, Err: err}
	}
	var want4, want6 bool
	proto := network
	switch network {
	case "tcp", "udp":
		want4, want6 = true, true
	case "tcp4", "udp4":
		want4, proto = true, network[:3]
	case "tcp6", "udp6":
		want6, proto = true, network[:3]
	default:
		return fail(net.UnknownNetworkError(network))
	}
	host, portStr, _ := net.SplitHostPort(address)
	port, err := strconv.ParseUint(portStr, 10, 16)
	if err != nil {
		return fail(&net.AddrError{Err: "invalid port", Addr: address})
	}
	if err := ctx.Err(); err != nil {
		return fail(err)
	}
	want4 = want4 && s.addrs().has4()
	want6 = want6 && s.canReach6()
	if !want4 && !want6 {
		return fail(ErrNoRoute)
	}
	if proto == "udp" {
		addrs, err := s.resolver().lookupIP(ctx, host, want4, want6)
		if err != nil {
			return fail(err)
		}
		c, err := s.DialUDP(netip.AddrPort{}, netip.AddrPortFrom(addrs[0], uint16(port)))
		if err != nil {
			return nil, err // not a nil *UDPConn in a non-nil net.Conn
		}
		return c, nil
	}
	c, err := s.dialTCPHappily(ctx, host, uint16(port), want4, want6)
	if err != nil {
		if _, ok := err.(*net.OpError); ok {
			return nil, err
		}
		return fail(err)
	}
	return c, nil
}

// canReach6 reports whether the stack has an IPv6 address to reach
// beyond its link from: a global one, in use.
func (s *Stack) canReach6() bool {
	return s.speaks6() && s.canReach(globalProbe6)
}

// globalProbe6 stands for any global IPv6 destination (it is one of the
// documentation prefix's, RFC 3849), to ask which source the stack
// would pick for one.
var globalProbe6 = netip.MustParseAddr("2001:db8::1")

// dialTCPHappily resolves host and races TCP connections to its
// addresses: one event loop over the two answers, RFC 8305's two
// timers, and the attempts' outcomes.
func (s *Stack) dialTCPHappily(ctx context.Context, host string, port uint16, want4, want6 bool) (net.Conn, error) {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	r := s.resolver()
	type answer struct {
		v6    bool
		addrs []netip.Addr
		err   error
	}
	answers := make(chan answer, 2)
	resolving := 0
	for _, v6 := range []bool{true, false} {
		if v6 && !want6 || !v6 && !want4 {
			continue
		}
		resolving++
		go func() {
			addrs, err := r.lookupIP(ctx, host, !v6, v6)
			answers <- answer{v6, addrs, err}
		}()
	}
	type attempt struct {
		c   net.Conn
		err error
	}
	attempts := make(chan attempt, 4)
	var (
		queue       [2][]netip.Addr // not yet tried: [0] IPv6, [1] IPv4
		lastV6      = false         // the family of the last attempt
		started     int
		running     int
		aaaaPending = want6
		firstErr    error
		resDelay    <-chan time.Time
		nextAttempt <-chan time.Time
	)
	startNext := func() {
		fam := 0 // IPv6 first, then the families alternate
		if started > 0 && lastV6 || len(queue[0]) == 0 {
			fam = 1
		}
		if len(queue[fam]) == 0 {
			fam = 1 - fam
		}
		if len(queue[fam]) == 0 {
			return
		}
		a := queue[fam][0]
		queue[fam] = queue[fam][1:]
		lastV6 = fam == 0
		started++
		running++
		go func() {
			c, err := s.DialTCP(ctx, netip.AddrPort{}, netip.AddrPortFrom(a, port))
			if err != nil {
				attempts <- attempt{nil, err}
				return
			}
			attempts <- attempt{c, nil}
		}()
		nextAttempt = time.After(connectionAttemptDelay)
	}
	for resolving > 0 || running > 0 || len(queue[0])+len(queue[1]) > 0 {
		if running == 0 && len(queue[0])+len(queue[1]) > 0 && (started > 0 || !aaaaPending) {
			startNext()
		}
		if resolving == 0 && running == 0 && len(queue[0])+len(queue[1]) == 0 {
			break
		}
		select {
		case a := <-answers:
			resolving--
			if a.v6 {
				aaaaPending = false
			}
			if a.err != nil {
				if firstErr == nil {
					firstErr = a.err
				}
				continue
			}
			for _, addr := range a.addrs {
				if addr.Is6() && s.canReach(addr) {
					queue[0] = append(queue[0], addr)
				} else if addr.Is4() {
					queue[1] = append(queue[1], addr)
				}
			}
			if !a.v6 && aaaaPending && started == 0 {
				resDelay = time.After(resolutionDelay)
			}
		case <-resDelay:
			resDelay = nil
			if started == 0 {
				aaaaPending = false // go without it
			}
		case <-nextAttempt:
			nextAttempt = nil
			startNext()
		case a := <-attempts:
			running--
			if a.err == nil {
				cancel()
				// Attempts still running give up on the cancel; one
				// that connected meanwhile is closed.
				go func(n int) {
					for ; n > 0; n-- {
						if b := <-attempts; b.c != nil {
							b.c.Close()
						}
					}
				}(running)
				return a.c, nil
			}
			if firstErr == nil || isDNSError(firstErr) {
				firstErr = a.err
			}
			startNext()
		case <-ctx.Done():
			go func(n int) {
				for ; n > 0; n-- {
					if b := <-attempts; b.c != nil {
						b.c.Close()
					}
				}
			}(running)
			return nil, ctx.Err()
		}
	}
	if firstErr == nil {
		firstErr = &net.DNSError{Err: "no suitable address found", Name: host, IsNotFound: true}
	}
	return nil, firstErr
}

// isDNSError reports whether err is a lookup's failure.
func isDNSError(err error) bool {
	_, ok := err.(*net.DNSError)
	return ok
}
