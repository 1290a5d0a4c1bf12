package stack

import (
	"context"
	"errors"
	"io"
	"net"
	"net/netip"
	"slices"
	"strings"
	"sync"

	"golang.org/x/net/dns/dnsmessage"
)

// Name resolution through the stack.
//
// The stack has a resolver of its own (dnsclient.go, dnscache.go): it
// asks the servers of Config.DNS, of the DHCP lease and of IPv6 Router
// Advertisements (RDNSS), over the stack's UDP with TCP when an answer is
// truncated, with EDNS0, a timeout per server and rounds of retries, and
// keeps answers in a small cache, bounded in bytes, for as long as their
// TTLs say. It applies the search list of the same sources (DNSSL for
// IPv6) to names with fewer than DNSConfig.NDots dots.
//
// Stack.DialContext and Stack.LookupNetIP use it directly: nothing of
// the host's configuration (/etc/resolv.conf, /etc/hosts) takes part.
//
// Stack.Resolver gives the same resolver to code that wants a
// *net.Resolver. Package net's pure-Go resolver cannot be told which
// servers or search list to use: it reads both from the host's
// /etc/resolv.conf, and only lets Dial be replaced. Its Dial here ignores
// the address it is given and returns one end of an in-process
// connection (net.Pipe) whose other end is served by the stack's
// resolver: package net writes each question into it, and reads back the
// answer from the cache or from the stack's servers. So the stack's
// servers, retries, TCP fallback, EDNS0 and cache all apply, and its
// search list too: a question about a name with fewer than NDots dots
// (package net sends every name rooted, "www.") is asked with each
// search domain in turn, the first name that exists ends the search, and
// the answer comes back as a CNAME record from the name asked to the name
// found followed by that name's records, so that A and AAAA come from the
// same name and LookupCNAME names it. What package net does before it
// dials remains the host's: it consults /etc/hosts (nsswitch.conf's
// order), tries the host's own search domains (resolv.conf's "search",
// ndots) before the bare name, each such question reaching the stack's
// servers, and names the host's server in a *net.DNSError's Server field.
// Answers arrive over the in-process connection whole, whatever their
// size, so package net has no truncation of its own to handle.
//
// A name whose search and answers all fail with timeouts gets no answer
// over the in-process connection: package net's own deadline runs out
// and it reports a timeout, as it would with a silent server. A question
// asked again while it is in flight joins it.

// Resolver returns a *net.Resolver that resolves through the stack, with
// the stack's servers, search list and cache (see the comment at the top
// of resolver.go for what package net still takes from the host). Its
// Dial ignores its address: every connection it makes is answered in
// process by the stack's resolver.
func (s *Stack) Resolver() *net.Resolver {
	r := s.resolver()
	return &net.Resolver{PreferGo: true, Dial: r.dialInProcess}
}

// dialInProcess is the Resolver's Dial: the network ("udp" or "tcp") and
// the address (the host's server) are ignored. The connection is a
// stream either way, which package net speaks with TCP's two-byte
// lengths.
func (r *resolver) dialInProcess(ctx context.Context, network, address string) (net.Conn, error) {
	if r.s.isClosed() {
		return nil, &net.OpError{Op: "dial", Net: network, Err: net.ErrClosed}
	}
	client, server := net.Pipe()
	go r.serve(ctx, server)
	return client, nil
}

// serve answers the questions package net writes into c until it closes
// c or ctx (the lookup's, with its deadline) is done.
func (r *resolver) serve(ctx context.Context, c net.Conn) {
	defer c.Close()
	stop := context.AfterFunc(ctx, func() { c.Close() })
	defer stop()
	var l [2]byte
	for {
		if _, err := io.ReadFull(c, l[:]); err != nil {
			return
		}
		msg := make([]byte, int(l[0])<<8|int(l[1]))
		if _, err := io.ReadFull(c, msg); err != nil {
			return
		}
		resp := r.answer(ctx, msg)
		if resp == nil {
			// No server answered: package net's deadline will say so.
			continue
		}
		out := make([]byte, 2, 2+len(resp))
		out[0], out[1] = byte(len(resp)>>8), byte(len(resp))
		if _, err := c.Write(append(out, resp...)); err != nil {
			return
		}
	}
}

// answer returns the response to the query msg, or nil when there is
// none to give.
func (r *resolver) answer(ctx context.Context, msg []byte) []byte {
	h, q, size, err := parseQuery(msg)
	if err != nil {
		if len(msg) < 12 {
			return nil // not even a header to answer
		}
		resp, _ := packError(h, nil, dnsmessage.RCodeFormatError)
		return resp
	}
	name := q.Name.String()
	v := r.view()
	ans, found, err := r.search(ctx, strings.TrimSuffix(name, "."), true, q.Type, q.Class, v)
	if err != nil {
		if errors.Is(err, errServerFailure) || errors.Is(err, errNoServers) {
			resp, _ := packError(h, &q, dnsmessage.RCodeServerFailure)
			return resp
		}
		return nil
	}
	resp, err := packAnswer(h, q, ans, found, size != 0)
	if err != nil {
		resp, _ = packError(h, &q, dnsmessage.RCodeServerFailure)
	}
	return resp
}

// candidates returns the names to ask for name, rooted, in order: a
// rooted name alone; a name with NDots dots or more as it is, then with
// each search domain; one with fewer, with each search domain, then as
// it is (resolv.conf's rules). searchRooted is for the names package
// net sends, all rooted: one with fewer than NDots dots is searched, one
// with more is asked as it is.
func (r *resolver) candidates(name string, searchRooted bool, v dnsView) []string {
	rooted := strings.HasSuffix(name, ".")
	name = strings.TrimSuffix(name, ".")
	if name == "" {
		return []string{"."}
	}
	if rooted && !searchRooted {
		return []string{name + "."}
	}
	var out []string
	many := strings.Count(name, ".") >= r.cfg.NDots
	if many && searchRooted {
		// Package net has applied the host's search list already; a
		// name with dots enough is asked as it is.
		return []string{name + "."}
	}
	if many {
		out = append(out, name+".")
	}
	for _, d := range v.search {
		if n := name + "." + d; len(n) <= 254 {
			out = append(out, n)
		}
	}
	if !many {
		out = append(out, name+".")
	}
	return out
}

// search asks the question (name, typ, class) under each of name's
// candidates, and returns the answer of the first name that exists (any
// answer but a name error), with that name; when none exists, the name
// error of the last. An error is returned only when some candidate got
// no answer at all and none exists.
func (r *resolver) search(ctx context.Context, name string, searchRooted bool, typ dnsmessage.Type, class dnsmessage.Class, v dnsView) (dnsAnswer, dnsmessage.Name, error) {
	var (
		lastErr  error
		notFound *dnsAnswer
		nfName   dnsmessage.Name
	)
	for _, cand := range r.candidates(name, searchRooted, v) {
		n, err := dnsmessage.NewName(cand)
		if err != nil {
			continue
		}
		ans, err := r.query(ctx, dnsmessage.Question{Name: n, Type: typ, Class: class}, v)
		if err != nil {
			lastErr = err
			if ctx.Err() != nil {
				break
			}
			continue
		}
		if ans.rcode == dnsmessage.RCodeNameError {
			notFound, nfName = &ans, n
			continue
		}
		return ans, n, nil
	}
	if lastErr != nil {
		return dnsAnswer{}, dnsmessage.Name{}, lastErr
	}
	if notFound == nil {
		// No candidate was a name dnsmessage takes.
		return dnsAnswer{rcode: dnsmessage.RCodeNameError}, dnsmessage.Name{}, nil
	}
	return *notFound, nfName, nil
}

// LookupNetIP looks host up with the stack's resolver, as
// net.Resolver.LookupNetIP does: network "ip" for both families, "ip4"
// for A records, "ip6" for AAAA. Unlike Resolver's, the lookup takes
// nothing from the host's configuration: the stack's search list alone,
// and no hosts file. An IP address is returned as it is. The addresses
// come in the order a dial tries them: IPv6 first where the stack can
// reach it (see DialContext). A failure is a *net.DNSError.
func (s *Stack) LookupNetIP(ctx context.Context, network, host string) ([]netip.Addr, error) {
	var want4, want6 bool
	switch network {
	case "ip":
		want4, want6 = true, true
	case "ip4":
		want4 = true
	case "ip6":
		want6 = true
	default:
		return nil, &net.DNSError{Err: "unknown network " + network, Name: host}
	}
	if a, err := netip.ParseAddr(host); err == nil {
		a = a.Unmap()
		if a.Is4() && !want4 || a.Is6() && !want6 {
			return nil, &net.DNSError{Err: "no suitable address", Name: host, IsNotFound: true}
		}
		return []netip.Addr{a}, nil
	}
	return s.resolver().lookupIP(ctx, host, want4, want6)
}

// lookupIP resolves host's A and AAAA records, as wanted, asking for
// both at once under each candidate name until one exists.
func (r *resolver) lookupIP(ctx context.Context, host string, want4, want6 bool) ([]netip.Addr, error) {
	if _, ok := canonicalDomain(host); !ok {
		return nil, &net.DNSError{Err: "no such host", Name: host, IsNotFound: true}
	}
	v := r.view()
	var lastErr error
	for _, cand := range r.candidates(host, false, v) {
		n, err := dnsmessage.NewName(cand)
		if err != nil {
			continue
		}
		var types []dnsmessage.Type
		if want6 {
			types = append(types, dnsmessage.TypeAAAA)
		}
		if want4 {
			types = append(types, dnsmessage.TypeA)
		}
		answers := make([]dnsAnswer, len(types))
		errs := make([]error, len(types))
		var wg sync.WaitGroup
		for i, t := range types {
			wg.Go(func() {
				answers[i], errs[i] = r.query(ctx, dnsmessage.Question{Name: n, Type: t, Class: dnsmessage.ClassINET}, v)
			})
		}
		wg.Wait()
		exists := false
		var addrs []netip.Addr
		for i := range types {
			if errs[i] != nil {
				lastErr = errs[i]
				continue
			}
			if answers[i].rcode == dnsmessage.RCodeNameError {
				continue
			}
			exists = true
			addrs = append(addrs, addrsOf(answers[i])...)
		}
		if exists {
			if len(addrs) == 0 {
				return nil, &net.DNSError{Err: "no such host", Name: host, IsNotFound: true}
			}
			return r.s.sortAddrs(addrs), nil
		}
		if ctx.Err() != nil {
			break
		}
	}
	if lastErr != nil {
		return nil, dnsError(host, lastErr)
	}
	return nil, &net.DNSError{Err: "no such host", Name: host, IsNotFound: true}
}

// addrsOf returns the addresses of ans's A and AAAA records (whatever
// their owner: the servers follow CNAME chains, and what they add is the
// canonical name's).
func addrsOf(ans dnsAnswer) []netip.Addr {
	var out []netip.Addr
	for _, rr := range ans.answers {
		switch b := rr.Body.(type) {
		case *dnsmessage.AResource:
			out = append(out, netip.AddrFrom4(b.A))
		case *dnsmessage.AAAAResource:
			out = append(out, netip.AddrFrom16(b.AAAA).Unmap())
		}
	}
	return out
}

// sortAddrs orders addresses as a dial tries them (a simplified RFC 6724
// destination selection): those the stack can send to first, IPv6 before
// IPv4 among them, otherwise in the servers' order, duplicates dropped.
func (s *Stack) sortAddrs(addrs []netip.Addr) []netip.Addr {
	rank := func(a netip.Addr) int {
		switch {
		case s.canReach(a) && a.Is6():
			return 0
		case s.canReach(a):
			return 1
		}
		return 2
	}
	out := slices.Compact(slices.Clone(addrs))
	slices.SortStableFunc(out, func(a, b netip.Addr) int { return rank(a) - rank(b) })
	var dedup []netip.Addr
	for _, a := range out {
		if !slices.Contains(dedup, a) {
			dedup = append(dedup, a)
		}
	}
	return dedup
}

// canReach reports whether the stack has a source address for dst: of
// its family, and for a destination beyond the link, not a link-local
// one (RFC 6724 rule 2).
func (s *Stack) canReach(dst netip.Addr) bool {
	src, ok := s.sourceFor(dst)
	if !ok {
		return false
	}
	return dst.Is4() || dst.IsLinkLocalUnicast() || !src.IsLinkLocalUnicast()
}

// dnsError makes a *net.DNSError of a lookup's failure, as package net
// reports one.
func dnsError(host string, err error) *net.DNSError {
	e := &net.DNSError{Err: err.Error(), Name: host, UnwrapErr: err}
	switch {
	case errors.Is(err, context.Canceled):
		e.Err = "operation was canceled"
	case dnsTimeout(err):
		e.Err, e.IsTimeout, e.IsTemporary = "i/o timeout", true, true
	case errors.Is(err, errServerFailure):
		e.Err, e.IsTemporary = "server misbehaving", true
	case errors.Is(err, errNoServers):
		e.Err = errNoServers.Error()
	default:
		e.IsTemporary = true
	}
	return e
}
