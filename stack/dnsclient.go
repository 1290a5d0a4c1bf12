package stack

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/netip"
	"slices"
	"sync"
	"sync/atomic"

	"golang.org/x/net/dns/dnsmessage"
)

// The resolver's client half: one question asked of the servers, in
// order, starting with the one that answered last; each server given
// DNSConfig.Timeout, and the whole list DNSConfig.Attempts rounds. A
// question goes over UDP from a fresh random port with a random ID (RFC
// 5452), with an EDNS0 OPT record (RFC 6891); a truncated answer is
// asked again of the same server over TCP (RFC 7766 5); a server that
// answers FORMERR or NOTIMP to a query with OPT and does not speak EDNS0
// itself is asked again without it (RFC 6891 7). A name error or an
// answer is final; a server's failure (SERVFAIL, REFUSED and the like),
// a timeout, a port unreachable, hand the question to the next server.
// Questions asked again while one is in flight wait for its answer
// instead of asking twice.

// errNoServers is what a query fails with when no source gave the
// resolver a server.
var errNoServers = errors.New("no DNS servers configured")

// errServerFailure is wrapped when every server that answered said it
// could not.
var errServerFailure = errors.New("server misbehaving")

// resolver is the stack's DNS resolver, made on first use.
type resolver struct {
	s      *Stack
	cfg    DNSConfig
	learnt dnsLearnt
	cache  dnsCache

	mu        sync.Mutex
	inflight  map[dnsKey]*dnsCall
	preferred netip.AddrPort   // the server that answered last
	servers   []netip.AddrPort // the servers of the last query: a change flushes the cache

	ctr dnsCounters
}

// dnsCall is a question in flight; done closes when ans and err are set.
type dnsCall struct {
	done chan struct{}
	ans  dnsAnswer
	err  error
}

// resolverSlot holds a stack's resolver, made on first use.
type resolverSlot struct {
	once sync.Once
	r    *resolver
}

// resolver returns the stack's resolver, making it the first time.
func (s *Stack) resolver() *resolver {
	s.dns.once.Do(func() {
		r := &resolver{s: s, cfg: s.cfg.DNS, inflight: make(map[dnsKey]*dnsCall)}
		r.cache.init(r.cfg.CacheBytes, r.cfg.MaxTTL)
		s.dns.r = r
	})
	return s.dns.r
}

// query answers q from the cache, or asks the servers of v, waiting
// until ctx is done. The answer is a response code with records: a name
// error is an answer, not an error.
func (r *resolver) query(ctx context.Context, q dnsmessage.Question, v dnsView) (dnsAnswer, error) {
	r.ctr.queries.Add(1)
	k := keyOf(q)
	r.mu.Lock()
	if !slices.Equal(r.servers, v.servers) {
		// New servers: what the old ones said may not hold.
		r.servers = v.servers
		r.cache.flush()
	}
	r.mu.Unlock()
	if ans, ok := r.cache.get(k, r.s.clock.Now()); ok {
		r.ctr.cacheHits.Add(1)
		return ans, nil
	}
	r.mu.Lock()
	c := r.inflight[k]
	if c == nil {
		c = &dnsCall{done: make(chan struct{})}
		r.inflight[k] = c
		// The question is asked on its own: a caller that gives up (a
		// deadline of package net's, shorter than the servers' timeouts)
		// leaves the answer to the next, which is often the same
		// question asked again.
		go r.ask(c, k, q, v)
	}
	r.mu.Unlock()
	select {
	case <-c.done:
		return c.ans, c.err
	case <-ctx.Done():
		return dnsAnswer{}, ctx.Err()
	}
}

// ask asks the servers q, caching and handing out the answer.
func (r *resolver) ask(c *dnsCall, k dnsKey, q dnsmessage.Question, v dnsView) {
	var size int
	c.ans, size, c.err = r.askServers(q, v.servers)
	if c.err == nil {
		if n := r.cache.put(k, c.ans, size, r.s.clock.Now()); n > 0 {
			r.ctr.cacheEvictions.Add(uint64(n))
		}
	} else {
		r.ctr.failures.Add(1)
	}
	r.mu.Lock()
	delete(r.inflight, k)
	r.mu.Unlock()
	close(c.done)
}

// askServers asks the servers in turn, returning the first final answer
// and the size of the message it came in.
func (r *resolver) askServers(q dnsmessage.Question, servers []netip.AddrPort) (dnsAnswer, int, error) {
	if len(servers) == 0 {
		return dnsAnswer{}, 0, errNoServers
	}
	r.mu.Lock()
	start := max(slices.Index(servers, r.preferred), 0)
	r.mu.Unlock()
	var lastErr error
	for range r.cfg.Attempts {
		for j := range servers {
			if r.s.isClosed() {
				return dnsAnswer{}, 0, net.ErrClosed
			}
			srv := servers[(start+j)%len(servers)]
			ans, size, err := r.exchange(srv, q)
			if err != nil {
				lastErr = fmt.Errorf("%v: %w", srv, err)
				continue
			}
			switch ans.rcode {
			case dnsmessage.RCodeSuccess, dnsmessage.RCodeNameError:
				r.mu.Lock()
				r.preferred = srv
				r.mu.Unlock()
				return ans, size, nil
			}
			r.ctr.serverFailures.Add(1)
			lastErr = fmt.Errorf("%v: %w (%v)", srv, errServerFailure, ans.rcode)
		}
	}
	return dnsAnswer{}, 0, lastErr
}

// exchange asks one server q: over UDP with EDNS0, then as the answer
// requires, without EDNS0 or over TCP.
func (r *resolver) exchange(srv netip.AddrPort, q dnsmessage.Question) (dnsAnswer, int, error) {
	resp, size, err := r.exchangeUDP(srv, q, r.cfg.UDPSize)
	if err != nil {
		return dnsAnswer{}, 0, err
	}
	if !resp.edns && (resp.ans.rcode == dnsmessage.RCodeFormatError || resp.ans.rcode == dnsmessage.RCodeNotImplemented) {
		r.ctr.noEDNS.Add(1)
		if resp, size, err = r.exchangeUDP(srv, q, 0); err != nil {
			return dnsAnswer{}, 0, err
		}
	}
	if resp.truncated {
		r.ctr.tcpFallbacks.Add(1)
		if resp, size, err = r.exchangeTCP(srv, q); err != nil {
			return dnsAnswer{}, 0, err
		}
	}
	return resp.ans, size, nil
}

// exchangeUDP sends q to srv from a fresh port and waits for its answer,
// ignoring datagrams that do not answer it.
func (r *resolver) exchangeUDP(srv netip.AddrPort, q dnsmessage.Question, udpSize int) (dnsResponse, int, error) {
	id := uint16(r.s.random())
	msg, err := buildQuery(id, q, udpSize)
	if err != nil {
		return dnsResponse{}, 0, err
	}
	c, err := r.s.DialUDP(netip.AddrPort{}, srv)
	if err != nil {
		return dnsResponse{}, 0, err
	}
	defer c.Close()
	c.SetReadDeadline(r.s.clock.Now().Add(r.cfg.Timeout))
	r.ctr.sent.Add(1)
	if _, err := c.Write(msg[2:]); err != nil {
		return dnsResponse{}, 0, err
	}
	buf := make([]byte, max(udpSize, 512))
	for {
		n, err := c.Read(buf)
		if err != nil {
			if errors.Is(err, errTimeout) {
				r.ctr.timeouts.Add(1)
			}
			return dnsResponse{}, 0, err
		}
		resp, err := parseResponse(buf[:n], id, q)
		if err != nil {
			r.ctr.badResponses.Add(1)
			continue
		}
		return resp, n, nil
	}
}

// exchangeTCP asks srv q over a TCP connection of its own (RFC 7766),
// within the timeout.
func (r *resolver) exchangeTCP(srv netip.AddrPort, q dnsmessage.Question) (dnsResponse, int, error) {
	ctx, cancel := context.WithTimeout(context.Background(), r.cfg.Timeout)
	defer cancel()
	id := uint16(r.s.random())
	msg, err := buildQuery(id, q, r.cfg.UDPSize)
	if err != nil {
		return dnsResponse{}, 0, err
	}
	c, err := r.s.DialTCP(ctx, netip.AddrPort{}, srv)
	if err != nil {
		return dnsResponse{}, 0, err
	}
	defer c.Close()
	c.SetDeadline(r.s.clock.Now().Add(r.cfg.Timeout))
	r.ctr.sent.Add(1)
	if _, err := c.Write(msg); err != nil {
		return dnsResponse{}, 0, err
	}
	var l [2]byte
	if _, err := io.ReadFull(c, l[:]); err != nil {
		return dnsResponse{}, 0, err
	}
	buf := make([]byte, int(l[0])<<8|int(l[1]))
	if _, err := io.ReadFull(c, buf); err != nil {
		return dnsResponse{}, 0, err
	}
	resp, err := parseResponse(buf, id, q)
	if err != nil {
		r.ctr.badResponses.Add(1)
		return dnsResponse{}, 0, err
	}
	// A truncated answer over TCP is taken as it is, as glibc and package
	// net take it: there is nothing further to fall back to.
	resp.truncated = false
	return resp, len(buf), nil
}

// dnsCounters are the resolver's counters, read by DNSStats.
type dnsCounters struct {
	queries, cacheHits, cacheEvictions, sent, tcpFallbacks, noEDNS atomic.Uint64
	timeouts, badResponses, serverFailures, failures               atomic.Uint64
}

// DNSStats are the counters of the stack's resolver.
type DNSStats struct {
	Queries        uint64 // questions asked of the resolver, by lookups and by Resolver's queries
	CacheHits      uint64 // questions answered from the cache
	CacheEntries   int    // answers in the cache now
	CacheEvictions uint64 // answers dropped from the full cache before their TTL ran out
	Sent           uint64 // queries sent to servers, over UDP and TCP
	TCPFallbacks   uint64 // truncated answers asked again over TCP
	NoEDNS         uint64 // queries asked again without EDNS0 of a server that did not take it
	Timeouts       uint64 // queries a server did not answer in time
	BadResponses   uint64 // responses ignored: another ID or question, malformed
	ServerFailures uint64 // answers of a server that could not (SERVFAIL, REFUSED, ...)
	Failures       uint64 // questions no server answered
}

// DNSStats returns the resolver's counters.
func (s *Stack) DNSStats() DNSStats {
	r := s.resolver()
	c := &r.ctr
	return DNSStats{
		Queries: c.queries.Load(), CacheHits: c.cacheHits.Load(), CacheEntries: r.cache.len(),
		CacheEvictions: c.cacheEvictions.Load(), Sent: c.sent.Load(), TCPFallbacks: c.tcpFallbacks.Load(),
		NoEDNS: c.noEDNS.Load(), Timeouts: c.timeouts.Load(), BadResponses: c.badResponses.Load(),
		ServerFailures: c.serverFailures.Load(), Failures: c.failures.Load(),
	}
}

// dnsTimeout reports whether err is a server's silence rather than its
// refusal.
func dnsTimeout(err error) bool {
	var ne net.Error
	return errors.As(err, &ne) && ne.Timeout() || errors.Is(err, context.DeadlineExceeded)
}
