package stack

import (
	"fmt"
	"net/netip"
	"slices"
	"strings"
	"sync"
	"time"

	"golang.org/x/net/dns/dnsmessage"
)

// DNSConfig configures the stack's resolver (resolver.go): the servers it
// asks and the search list it applies, besides those DHCP and IPv6 Router
// Advertisements (RDNSS and DNSSL options, RFC 8106) give it, and how it
// asks. Every field has a default.
type DNSConfig struct {
	// Servers are recursive DNS servers, asked before any learnt at run
	// time; a port of 0 means 53.
	Servers []netip.AddrPort
	// Search is the search list: domains appended to a name with fewer
	// than NDots dots ("www" becomes "www.example.com." with
	// "example.com"), tried before those learnt at run time.
	Search []string
	// NDots is how many dots a name needs to be tried as it is before
	// the search list (default 1, as in resolv.conf).
	NDots int
	// Timeout is how long the resolver waits for one server's answer
	// before it asks the next (default 2 s).
	Timeout time.Duration
	// Attempts is how many rounds over all servers a query makes before
	// it fails (default 2).
	Attempts int
	// UDPSize is the EDNS0 payload size the resolver advertises (default
	// 1232, what DNS Flag Day 2020 settled on: it fits an IPv6 minimum
	// MTU without fragments); larger answers come truncated and are
	// asked again over TCP.
	UDPSize int
	// CacheBytes bounds the answer cache: each cached answer is charged
	// its size in bytes plus a fixed overhead, and the least recently
	// used go first (default 128 KiB; negative for no cache).
	CacheBytes int
	// MaxTTL caps how long an answer stays cached, whatever its TTL
	// says (default 1 hour).
	MaxTTL time.Duration
}

// Defaults of DNSConfig's zero fields.
const (
	DefaultDNSNDots      = 1
	DefaultDNSTimeout    = 2 * time.Second
	DefaultDNSAttempts   = 2
	DefaultDNSUDPSize    = 1232
	DefaultDNSCacheBytes = 128 << 10
	DefaultDNSMaxTTL     = time.Hour
)

// maxDNSServers and maxSearch bound the lists the resolver uses, whatever
// its sources say: every server costs a query its timeout when dead, and
// every search domain a query.
const (
	maxDNSServers = 8
	maxSearch     = 8
)

// withDefaults checks c and fills in its defaults.
func (c DNSConfig) withDefaults() (DNSConfig, error) {
	for _, s := range c.Servers {
		if a := s.Addr(); !a.IsValid() || a.IsUnspecified() || a.IsMulticast() {
			return c, fmt.Errorf("%w: DNS server %v", ErrConfig, s)
		}
	}
	search := make([]string, 0, len(c.Search))
	for _, d := range c.Search {
		n, ok := canonicalDomain(d)
		if !ok {
			return c, fmt.Errorf("%w: DNS search domain %q", ErrConfig, d)
		}
		search = append(search, n)
	}
	c.Search = search
	if c.NDots <= 0 {
		c.NDots = DefaultDNSNDots
	}
	if c.Timeout <= 0 {
		c.Timeout = DefaultDNSTimeout
	}
	if c.Attempts <= 0 {
		c.Attempts = DefaultDNSAttempts
	}
	if c.UDPSize == 0 {
		c.UDPSize = DefaultDNSUDPSize
	}
	if c.UDPSize < 512 || c.UDPSize > 65535 {
		return c, fmt.Errorf("%w: DNS UDPSize %d is not in 512..65535", ErrConfig, c.UDPSize)
	}
	if c.CacheBytes == 0 {
		c.CacheBytes = DefaultDNSCacheBytes
	}
	if c.MaxTTL <= 0 {
		c.MaxTTL = DefaultDNSMaxTTL
	}
	return c, nil
}

// canonicalDomain returns d as a rooted name ("example.com."), reporting
// whether it is a valid domain name: dnsmessage's rules (at most 255
// bytes, labels of 1 to 63 bytes), and not the root itself.
func canonicalDomain(d string) (string, bool) {
	d = strings.TrimSuffix(strings.TrimSpace(d), ".")
	if d == "" || strings.Contains(d, "..") || strings.HasPrefix(d, ".") {
		return "", false
	}
	d += "."
	if _, err := dnsmessage.NewName(d); err != nil {
		return "", false
	}
	for _, l := range strings.Split(strings.TrimSuffix(d, "."), ".") {
		if len(l) > 63 {
			return "", false
		}
	}
	return d, true
}

// dnsSource names a source of DNS servers and search domains that the
// stack learns at run time. Config's are always first, and Router
// Advertisements' (RDNSS, DNSSL) are read from Stack.Autoconf when a
// query is made.
type dnsSource uint8

const (
	// dnsFromDHCP is the DHCPv4 lease's (options 6, 15 and 119).
	dnsFromDHCP dnsSource = iota
	numDNSSources
)

// dnsLearnt holds what each run-time source said.
type dnsLearnt struct {
	mu      sync.Mutex
	servers [numDNSSources][]netip.AddrPort
	search  [numDNSSources][]string
}

// setDNS sets the servers and search list a source gives the stack,
// replacing what it gave before; nil clears them (a lease that expired).
// It is the hook the DHCP client calls when a lease is bound, renewed
// with other options, or lost. Invalid entries are left out.
func (s *Stack) setDNS(src dnsSource, servers []netip.Addr, search []string) {
	var sv []netip.AddrPort
	for _, a := range servers {
		if a.IsValid() && !a.IsUnspecified() && !a.IsMulticast() {
			sv = append(sv, netip.AddrPortFrom(a.Unmap().WithZone(""), 53))
		}
	}
	var sl []string
	for _, d := range search {
		if n, ok := canonicalDomain(d); ok {
			sl = append(sl, n)
		}
	}
	r := s.resolver()
	r.learnt.mu.Lock()
	r.learnt.servers[src], r.learnt.search[src] = sv, sl
	r.learnt.mu.Unlock()
}

// dnsView is the resolver's configuration as one query sees it.
type dnsView struct {
	servers []netip.AddrPort
	search  []string
}

// view merges the sources: Config's servers and search domains, then
// DHCP's, then the RDNSS and DNSSL options of Router Advertisements whose
// lifetime has not run out; duplicates are dropped, and each list is cut
// at its bound.
func (r *resolver) view() dnsView {
	var v dnsView
	addServer := func(ap netip.AddrPort) {
		if ap.Port() == 0 {
			ap = netip.AddrPortFrom(ap.Addr(), 53)
		}
		ap = netip.AddrPortFrom(ap.Addr().Unmap().WithZone(""), ap.Port())
		if len(v.servers) < maxDNSServers && !slices.Contains(v.servers, ap) {
			v.servers = append(v.servers, ap)
		}
	}
	addSearch := func(d string) {
		if len(v.search) < maxSearch && !slices.ContainsFunc(v.search, func(e string) bool { return strings.EqualFold(e, d) }) {
			v.search = append(v.search, d)
		}
	}
	for _, ap := range r.cfg.Servers {
		addServer(ap)
	}
	for _, d := range r.cfg.Search {
		addSearch(d)
	}
	r.learnt.mu.Lock()
	for i := range numDNSSources {
		for _, ap := range r.learnt.servers[i] {
			addServer(ap)
		}
		for _, d := range r.learnt.search[i] {
			addSearch(d)
		}
	}
	r.learnt.mu.Unlock()
	if ac := r.s.Autoconf(); ac != nil {
		now := r.s.clock.Now()
		for _, d := range ac.DNSServers() {
			if d.Expires.IsZero() || now.Before(d.Expires) {
				addServer(netip.AddrPortFrom(d.Addr, 53))
			}
		}
		for _, d := range ac.SearchList() {
			if n, ok := canonicalDomain(d.Name); ok && (d.Expires.IsZero() || now.Before(d.Expires)) {
				addSearch(n)
			}
		}
	}
	return v
}
