package stack

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/netip"
	"slices"
	"strings"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/medina-net/medina/icmpv6"
	"github.com/medina-net/medina/ipv6"
	"github.com/medina-net/medina/ndp"
	"golang.org/x/net/dns/dnsmessage"
)

// fakeDNS is a DNS server on a stack, answering over UDP and TCP from a
// zone of A and AAAA records: a name error (with an SOA record, so that
// it may be cached) for a name it does not hold, an empty answer for a
// type it does not hold of a name it does. An answer larger than the
// query's EDNS0 size (512 without one) goes over UDP truncated.
type fakeDNS struct {
	mu     sync.Mutex
	zone   map[string][]netip.Addr // rooted, lower case
	ttl    uint32
	negTTL uint32
	silent bool           // read queries and answer none
	delay  time.Duration  // wait before answering over UDP
	noEDNS bool           // answer FORMERR to a query with an OPT record, as a server from before RFC 2671
	asked  map[string]int // "name type proto": queries received
	edns   []int          // the EDNS0 sizes of UDP queries (0 without)
}

func newFakeDNS(zone map[string][]netip.Addr) *fakeDNS {
	return &fakeDNS{zone: zone, ttl: 60, negTTL: 30, asked: make(map[string]int)}
}

// serve answers on port of s, over UDP and TCP, until s closes.
func (f *fakeDNS) serve(t *testing.T, s *Stack, port int) { f.serveOn(t, s, port) }

func (f *fakeDNS) serveOn(t testing.TB, s *Stack, port int) {
	t.Helper()
	pc, err := s.ListenPacket("udp", fmt.Sprintf(":%d", port))
	if err != nil {
		t.Fatal(err)
	}
	ln, err := s.Listen("tcp", fmt.Sprintf(":%d", port))
	if err != nil {
		t.Fatal(err)
	}
	go func() {
		buf := make([]byte, 65535)
		for {
			n, from, err := pc.ReadFrom(buf)
			if err != nil {
				return
			}
			time.Sleep(f.delay)
			if resp := f.respond(buf[:n], "udp"); resp != nil {
				pc.WriteTo(resp, from)
			}
		}
	}()
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go func() {
				defer c.Close()
				for {
					var l [2]byte
					if _, err := io.ReadFull(c, l[:]); err != nil {
						return
					}
					msg := make([]byte, int(l[0])<<8|int(l[1]))
					if _, err := io.ReadFull(c, msg); err != nil {
						return
					}
					resp := f.respond(msg, "tcp")
					if resp == nil {
						return
					}
					c.Write(append([]byte{byte(len(resp) >> 8), byte(len(resp))}, resp...))
				}
			}()
		}
	}()
}

func (f *fakeDNS) count(name string, typ dnsmessage.Type, proto string) int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.asked[name+" "+typ.String()+" "+proto]
}

func (f *fakeDNS) respond(msg []byte, proto string) []byte {
	var p dnsmessage.Parser
	h, err := p.Start(msg)
	if err != nil {
		return nil
	}
	q, err := p.Question()
	if err != nil {
		return nil
	}
	p.SkipAllQuestions()
	p.SkipAllAnswers()
	p.SkipAllAuthorities()
	size := 0
	if ah, err := p.AdditionalHeader(); err == nil && ah.Type == dnsmessage.TypeOPT {
		size = int(ah.Class)
	}
	name := strings.ToLower(q.Name.String())
	f.mu.Lock()
	f.asked[name+" "+q.Type.String()+" "+proto]++
	if proto == "udp" {
		f.edns = append(f.edns, size)
	}
	addrs, exists := f.zone[name]
	silent, ttl, negTTL, noEDNS := f.silent, f.ttl, f.negTTL, f.noEDNS
	f.mu.Unlock()
	if silent {
		return nil
	}
	resp := dnsmessage.Message{
		Header:    dnsmessage.Header{ID: h.ID, Response: true, RecursionDesired: h.RecursionDesired, RecursionAvailable: true},
		Questions: []dnsmessage.Question{q},
	}
	if noEDNS && size != 0 {
		resp.Header.RCode = dnsmessage.RCodeFormatError
		out, _ := resp.Pack()
		return out
	}
	if !exists {
		resp.Header.RCode = dnsmessage.RCodeNameError
	}
	for _, a := range addrs {
		rh := dnsmessage.ResourceHeader{Name: q.Name, Class: dnsmessage.ClassINET, TTL: ttl}
		switch {
		case a.Is4() && q.Type == dnsmessage.TypeA:
			rh.Type = dnsmessage.TypeA
			resp.Answers = append(resp.Answers, dnsmessage.Resource{Header: rh, Body: &dnsmessage.AResource{A: a.As4()}})
		case a.Is6() && q.Type == dnsmessage.TypeAAAA:
			rh.Type = dnsmessage.TypeAAAA
			resp.Answers = append(resp.Answers, dnsmessage.Resource{Header: rh, Body: &dnsmessage.AAAAResource{AAAA: a.As16()}})
		}
	}
	if len(resp.Answers) == 0 {
		zone := dnsmessage.MustNewName("test.")
		resp.Authorities = []dnsmessage.Resource{{
			Header: dnsmessage.ResourceHeader{Name: zone, Type: dnsmessage.TypeSOA, Class: dnsmessage.ClassINET, TTL: 3600},
			Body: &dnsmessage.SOAResource{NS: dnsmessage.MustNewName("ns.test."), MBox: dnsmessage.MustNewName("root.test."),
				Serial: 1, Refresh: 3600, Retry: 600, Expire: 86400, MinTTL: negTTL},
		}}
	}
	out, err := resp.Pack()
	if err != nil {
		panic(err)
	}
	if proto == "udp" && len(out) > max(size, 512) {
		resp.Header.Truncated = true
		resp.Answers, resp.Authorities = nil, nil
		out, _ = resp.Pack()
	}
	return out
}

var dnsPort = netip.AddrPortFrom(addrB, 53)

// newDNSPair is a pair whose a asks b's fake DNS server on port 53, with
// cfg's DNS settings (Servers defaulting to b:53).
func newDNSPair(t *testing.T, dns DNSConfig, zone map[string][]netip.Addr) (*pair, *fakeDNS) {
	t.Helper()
	if dns.Servers == nil {
		dns.Servers = []netip.AddrPort{dnsPort}
	}
	ca := dualCfgA(71)
	ca.DNS = dns
	p := newDualPairWith(t, ca, dualCfgB(72), nil)
	f := newFakeDNS(zone)
	f.serve(t, p.b, 53)
	return p, f
}

func TestLookupNetIP(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		zone := map[string][]netip.Addr{
			"host.test.":     {netip.MustParseAddr("192.0.2.7"), netip.MustParseAddr("2001:db8::7")},
			"www.corp.test.": {netip.MustParseAddr("192.0.2.8")},
			"v6only.test.":   {netip.MustParseAddr("2001:db8::9")},
		}
		p, f := newDNSPair(t, DNSConfig{Search: []string{"lab.test", "corp.test."}}, zone)
		ctx := context.Background()
		cases := []struct {
			network, host string
			want          []string
		}{
			{"ip", "host.test", []string{"2001:db8::7", "192.0.2.7"}},
			{"ip4", "host.test", []string{"192.0.2.7"}},
			{"ip6", "host.test.", []string{"2001:db8::7"}},
			{"ip", "www", []string{"192.0.2.8"}}, // the second search domain
			{"ip", "v6only.test", []string{"2001:db8::9"}},
			{"ip", "192.0.2.1", []string{"192.0.2.1"}},
		}
		for _, c := range cases {
			got, err := p.a.LookupNetIP(ctx, c.network, c.host)
			if err != nil {
				t.Errorf("LookupNetIP(%s, %s): %v", c.network, c.host, err)
				continue
			}
			var gs []string
			for _, a := range got {
				gs = append(gs, a.String())
			}
			if !slices.Equal(gs, c.want) {
				t.Errorf("LookupNetIP(%s, %s) = %v, want %v", c.network, c.host, gs, c.want)
			}
		}
		// "www" has no dot: the search list first, in order, then the
		// name alone would have come last.
		if f.count("www.lab.test.", dnsmessage.TypeA, "udp") != 1 || f.count("www.corp.test.", dnsmessage.TypeA, "udp") != 1 || f.count("www.", dnsmessage.TypeA, "udp") != 0 {
			t.Errorf("search: queries %v", f.asked)
		}
		// "host.test" has a dot: asked as it is, no search.
		if f.count("host.test.lab.test.", dnsmessage.TypeA, "udp") != 0 {
			t.Errorf("a name with dots enough was searched: %v", f.asked)
		}
		_, err := p.a.LookupNetIP(ctx, "ip", "nowhere.test")
		var de *net.DNSError
		if !errors.As(err, &de) || !de.IsNotFound {
			t.Errorf("a name error: %v, want a *net.DNSError that IsNotFound", err)
		}
		for _, size := range f.edns {
			if size != DefaultDNSUDPSize {
				t.Errorf("a UDP query advertised an EDNS0 size of %d, want %d", size, DefaultDNSUDPSize)
			}
		}
	})
}

// TestResolverGo is package net's resolver over the stack's: the
// answers must be the fake server's, through the stack's search list.
// It runs outside a synctest bubble: package net keeps its resolver
// configuration, with a channel, for the whole process.
func TestResolverGo(t *testing.T) {
	zone := map[string][]netip.Addr{
		"host.test.":     {netip.MustParseAddr("192.0.2.7"), netip.MustParseAddr("2001:db8::7")},
		"www.corp.test.": {netip.MustParseAddr("192.0.2.8")},
	}
	for i := range 100 {
		zone["big.test."] = append(zone["big.test."], netip.AddrFrom4([4]byte{198, 51, 100, byte(i)}))
	}
	p, f := newDNSPair(t, DNSConfig{Search: []string{"corp.test"}}, zone)
	r := p.a.Resolver()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	addrs, err := r.LookupNetIP(ctx, "ip", "host.test")
	if err != nil {
		t.Fatal(err)
	}
	slices.SortFunc(addrs, netip.Addr.Compare)
	if len(addrs) != 2 || addrs[0] != netip.MustParseAddr("192.0.2.7") || addrs[1] != netip.MustParseAddr("2001:db8::7") {
		t.Errorf("LookupNetIP(host.test) = %v", addrs)
	}
	hosts, err := r.LookupHost(ctx, "www")
	if err != nil || !slices.Equal(hosts, []string{"192.0.2.8"}) {
		t.Errorf("LookupHost(www) = %v, %v; want 192.0.2.8 through the search list", hosts, err)
	}
	cname, err := r.LookupCNAME(ctx, "www")
	if err != nil || cname != "www.corp.test." {
		t.Errorf("LookupCNAME(www) = %q, %v; want www.corp.test.", cname, err)
	}
	// An answer larger than package net's 1232 bytes over UDP reaches
	// it whole: the in-process connection is a stream.
	if big, err := r.LookupNetIP(ctx, "ip4", "big.test"); err != nil || len(big) != 100 {
		t.Errorf("LookupNetIP(big.test): %d addresses, %v; want 100", len(big), err)
	}
	_, err = r.LookupHost(ctx, "nowhere.test")
	var de *net.DNSError
	if !errors.As(err, &de) || !de.IsNotFound {
		t.Errorf("a name error: %v, want a *net.DNSError that IsNotFound", err)
	}
	// Asked again, host.test comes from the cache.
	before := f.count("host.test.", dnsmessage.TypeA, "udp")
	if _, err := r.LookupHost(ctx, "host.test"); err != nil {
		t.Fatal(err)
	}
	if after := f.count("host.test.", dnsmessage.TypeA, "udp"); after != before || p.a.DNSStats().CacheHits == 0 {
		t.Errorf("a second lookup reached the server (%d queries, then %d): %+v", before, after, p.a.DNSStats())
	}
}

func TestResolverTCPFallback(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		var many []netip.Addr
		for i := range 100 {
			many = append(many, netip.AddrFrom4([4]byte{192, 0, 2, byte(i + 1)}))
		}
		p, f := newDNSPair(t, DNSConfig{}, map[string][]netip.Addr{"big.test.": many})
		got, err := p.a.LookupNetIP(context.Background(), "ip4", "big.test")
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != 100 {
			t.Errorf("%d addresses, want 100", len(got))
		}
		// 100 A records are 1.6 KB: truncated in 1232 bytes over UDP,
		// asked again over TCP.
		if f.count("big.test.", dnsmessage.TypeA, "udp") != 1 || f.count("big.test.", dnsmessage.TypeA, "tcp") != 1 {
			t.Errorf("queries: %v", f.asked)
		}
		if st := p.a.DNSStats(); st.TCPFallbacks != 1 || st.Sent != 2 {
			t.Errorf("stats %+v, want 1 TCP fallback of 2 queries sent", st)
		}
	})
}

// TestResolverDeadServer: the first server never answers; the query
// waits its timeout and goes to the second, and the next query starts
// with the second, the one that answered.
func TestResolverDeadServer(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		zone := map[string][]netip.Addr{"a.test.": {netip.MustParseAddr("192.0.2.1")}, "b.test.": {netip.MustParseAddr("192.0.2.2")}}
		silent := netip.AddrPortFrom(addrB, 5353)
		p, f := newDNSPair(t, DNSConfig{Servers: []netip.AddrPort{silent, dnsPort}, Timeout: time.Second}, zone)
		dead := newFakeDNS(zone)
		dead.silent = true
		dead.serve(t, p.b, 5353)

		start := time.Now()
		got, err := p.a.LookupNetIP(context.Background(), "ip4", "a.test")
		if err != nil || len(got) != 1 {
			t.Fatalf("LookupNetIP: %v, %v", got, err)
		}
		if took := time.Since(start); took < time.Second || took > 1100*time.Millisecond {
			t.Errorf("the lookup took %v, want the first server's timeout of 1 s and a round trip", took)
		}
		start = time.Now()
		if _, err := p.a.LookupNetIP(context.Background(), "ip4", "b.test"); err != nil {
			t.Fatal(err)
		}
		if took := time.Since(start); took > 100*time.Millisecond {
			t.Errorf("the next lookup took %v: it should have gone to the server that answered", took)
		}
		if dead.count("b.test.", dnsmessage.TypeA, "udp") != 0 || f.count("b.test.", dnsmessage.TypeA, "udp") != 1 {
			t.Errorf("b.test asked of the dead server %d times, of the live one %d", dead.count("b.test.", dnsmessage.TypeA, "udp"), f.count("b.test.", dnsmessage.TypeA, "udp"))
		}
		if st := p.a.DNSStats(); st.Timeouts != 1 {
			t.Errorf("stats %+v, want 1 timeout", st)
		}

		// Both silent: the lookup fails with a timeout after Attempts
		// rounds of both servers' timeouts.
		f.mu.Lock()
		f.silent = true
		f.mu.Unlock()
		start = time.Now()
		_, err = p.a.LookupNetIP(context.Background(), "ip4", "c.test")
		var de *net.DNSError
		if !errors.As(err, &de) || !de.IsTimeout {
			t.Errorf("with no server answering: %v, want a *net.DNSError that IsTimeout", err)
		}
		if took := time.Since(start); took != 4*time.Second {
			t.Errorf("the failing lookup took %v, want 2 attempts of 2 servers of 1 s", took)
		}
	})
}

// TestResolverCache: an answer is cached for its TTL, served with its
// TTLs lowered by its age, and asked again once it has expired; name
// errors are cached for the SOA's negative TTL.
func TestResolverCache(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		zone := map[string][]netip.Addr{"host.test.": {netip.MustParseAddr("192.0.2.7")}}
		p, f := newDNSPair(t, DNSConfig{}, zone)
		ctx := context.Background()
		lookup := func(name string) {
			t.Helper()
			p.a.LookupNetIP(ctx, "ip4", name)
		}
		lookup("host.test")
		lookup("nowhere.test")
		time.Sleep(20 * time.Second)
		lookup("host.test")
		lookup("nowhere.test")
		if n := f.count("host.test.", dnsmessage.TypeA, "udp"); n != 1 {
			t.Errorf("host.test asked %d times within its TTL, want 1", n)
		}
		if n := f.count("nowhere.test.", dnsmessage.TypeA, "udp"); n != 1 {
			t.Errorf("nowhere.test asked %d times within its negative TTL, want 1", n)
		}
		r := p.a.resolver()
		ans, err := r.query(ctx, dnsmessage.Question{Name: dnsmessage.MustNewName("HOST.test."), Type: dnsmessage.TypeA, Class: dnsmessage.ClassINET}, r.view())
		if err != nil || len(ans.answers) != 1 || ans.answers[0].Header.TTL != 40 {
			t.Errorf("cached answer after 20 s: %+v, %v; want a TTL of 60-20", ans, err)
		}
		// Past the negative TTL (30 s) but not the positive one (60 s).
		time.Sleep(15 * time.Second)
		lookup("host.test")
		lookup("nowhere.test")
		if f.count("host.test.", dnsmessage.TypeA, "udp") != 1 || f.count("nowhere.test.", dnsmessage.TypeA, "udp") != 2 {
			t.Errorf("after 35 s: %v", f.asked)
		}
		time.Sleep(30 * time.Second)
		lookup("host.test")
		if n := f.count("host.test.", dnsmessage.TypeA, "udp"); n != 2 {
			t.Errorf("host.test asked %d times after its TTL ran out, want 2", n)
		}
		if st := p.a.DNSStats(); st.CacheHits != 4 {
			t.Errorf("stats %+v, want 4 cache hits", st)
		}
	})
}

// TestResolverCacheBounded: the cache holds no more than CacheBytes, the
// least recently used answers going first.
func TestResolverCacheBounded(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		zone := map[string][]netip.Addr{}
		for i := range 100 {
			zone[fmt.Sprintf("h%d.test.", i)] = []netip.Addr{netip.AddrFrom4([4]byte{192, 0, 2, byte(i)})}
		}
		const limit = 2048
		p, f := newDNSPair(t, DNSConfig{CacheBytes: limit}, zone)
		ctx := context.Background()
		for i := range 100 {
			if _, err := p.a.LookupNetIP(ctx, "ip4", fmt.Sprintf("h%d.test", i)); err != nil {
				t.Fatal(err)
			}
		}
		r := p.a.resolver()
		st := p.a.DNSStats()
		if r.cache.used > limit || st.CacheEntries == 0 || st.CacheEntries >= 20 || st.CacheEvictions != uint64(100-st.CacheEntries) {
			t.Errorf("cache of %d bytes holds %d bytes: %+v", limit, r.cache.used, st)
		}
		p.a.LookupNetIP(ctx, "ip4", "h99.test")
		p.a.LookupNetIP(ctx, "ip4", "h0.test")
		if f.count("h99.test.", dnsmessage.TypeA, "udp") != 1 || f.count("h0.test.", dnsmessage.TypeA, "udp") != 2 {
			t.Errorf("the newest answer should be cached and the oldest evicted: h99 asked %d times, h0 %d",
				f.count("h99.test.", dnsmessage.TypeA, "udp"), f.count("h0.test.", dnsmessage.TypeA, "udp"))
		}
	})
}

// TestResolverLearntServers: servers and search domains that reach the
// stack at run time, from the DHCP client's hook (setDNS) and from
// Router Advertisements (RDNSS and DNSSL options), are used, after
// Config's, and forgotten when their source drops them.
func TestResolverLearntServers(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		zone := map[string][]netip.Addr{"www.corp.test.": {netip.MustParseAddr("192.0.2.8")}}
		p, f := newDNSPair(t, DNSConfig{Servers: []netip.AddrPort{}}, zone)
		ctx := context.Background()
		_, err := p.a.LookupNetIP(ctx, "ip", "www.corp.test")
		var de *net.DNSError
		if !errors.As(err, &de) || de.Err != errNoServers.Error() {
			t.Errorf("with no servers: %v", err)
		}
		p.a.setDNS(dnsFromDHCP, []netip.Addr{addrB}, []string{"corp.test"})
		if got, err := p.a.LookupNetIP(ctx, "ip4", "www"); err != nil || len(got) != 1 {
			t.Errorf("with DHCP's server and search list: %v, %v", got, err)
		}
		p.a.setDNS(dnsFromDHCP, nil, nil)
		if _, err := p.a.LookupNetIP(ctx, "ip4", "www.corp.test"); err == nil {
			t.Error("the lease's server is still asked after the lease ended")
		}
		if f.count("www.corp.test.", dnsmessage.TypeA, "udp") != 1 {
			t.Errorf("queries %v", f.asked)
		}
	})
}

func TestResolverRDNSS(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		prefix := netip.MustParsePrefix("2001:db8:1::/64")
		routerLL, routerGlobal := netip.MustParseAddr("fe80::1"), netip.MustParseAddr("2001:db8:1::1")
		ca := Config{Rand: SeededRand(31), Addrs: []netip.Prefix{netip.PrefixFrom(routerLL, 64), netip.PrefixFrom(routerGlobal, 64)}}
		cb := Config{Rand: SeededRand(32), Autoconf: &ndp.Config{}}
		p := newDualPairWith(t, ca, cb, nil)
		f := newFakeDNS(map[string][]netip.Addr{"www.corp.test.": {netip.MustParseAddr("2001:db8:1::80")}})
		f.serve(t, p.a, 53)
		time.Sleep(3 * time.Second)
		synctest.Wait()

		opts := icmpv6.AppendPrefixInfo(nil, icmpv6.PrefixInfo{PrefixLen: 64,
			Flags: icmpv6.PrefixOnLink | icmpv6.PrefixAutonomous, ValidLifetime: 86400, PreferredLifetime: 14400,
			Prefix: ipv6.Addr(prefix.Addr().As16())})
		opts = icmpv6.AppendRDNSS(opts, 600, []ipv6.Addr{ipv6.Addr(routerGlobal.As16())})
		opts, err := icmpv6.AppendDNSSL(opts, 600, []string{"corp.test"})
		if err != nil {
			t.Fatal(err)
		}
		ra := icmpv6.RouterAdvert{CurHopLimit: 64, RouterLifetime: 1800, Options: opts}
		m, err := ra.Encode(make([]byte, 256), ipv6.Addr(routerLL.As16()), ipv6.AllNodes)
		if err != nil {
			t.Fatal(err)
		}
		if err := p.a.SendICMPv6(routerLL, ipv6.AllNodes.Netip(), 255, false, m); err != nil {
			t.Fatal(err)
		}
		time.Sleep(5 * time.Second)
		synctest.Wait()

		got, err := p.b.LookupNetIP(context.Background(), "ip", "www")
		if err != nil || len(got) != 1 || got[0] != netip.MustParseAddr("2001:db8:1::80") {
			t.Errorf("through the RA's server and search list: %v, %v", got, err)
		}
		// The RDNSS lifetime (600 s) runs out: no server is left.
		time.Sleep(601 * time.Second)
		if _, err := p.b.LookupNetIP(context.Background(), "ip", "other.corp.test"); err == nil {
			t.Error("the RA's server is asked after its lifetime ran out")
		}
	})
}

// BenchmarkLookupNetIPCached is a lookup the cache answers: the cost of
// a name in a program that dials the same hosts over and over.
func BenchmarkLookupNetIPCached(b *testing.B) {
	ca := dualCfgA(71)
	ca.DNS = DNSConfig{Servers: []netip.AddrPort{dnsPort}}
	ea, eb := pipeEnds()
	sa, err := New(ea, ca)
	if err != nil {
		b.Fatal(err)
	}
	defer sa.Close()
	sb, err := New(eb, dualCfgB(72))
	if err != nil {
		b.Fatal(err)
	}
	defer sb.Close()
	newFakeDNS(map[string][]netip.Addr{"host.test.": {addrB, addrB6}}).serveOn(b, sb, 53)
	ctx := context.Background()
	if _, err := sa.LookupNetIP(ctx, "ip", "host.test"); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := sa.LookupNetIP(ctx, "ip", "host.test"); err != nil {
			b.Fatal(err)
		}
	}
}

// TestResolverFallbacks: a server that does not take EDNS0 is asked
// again without it, and a server whose port is closed (an ICMP port
// unreachable) hands the question to the next at once, with no timeout.
func TestResolverFallbacks(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		zone := map[string][]netip.Addr{"host.test.": {netip.MustParseAddr("192.0.2.7")}}
		closed := netip.AddrPortFrom(addrB, 5300)
		p, f := newDNSPair(t, DNSConfig{Servers: []netip.AddrPort{closed, dnsPort}}, zone)
		f.noEDNS = true
		start := time.Now()
		got, err := p.a.LookupNetIP(context.Background(), "ip4", "host.test")
		if err != nil || len(got) != 1 {
			t.Fatalf("LookupNetIP: %v, %v", got, err)
		}
		if took := time.Since(start); took > 10*time.Millisecond {
			t.Errorf("the lookup took %v: the closed port should have been passed over at once", took)
		}
		if !slices.Equal(f.edns, []int{DefaultDNSUDPSize, 0}) {
			t.Errorf("the EDNS0 sizes of the queries: %v, want one with OPT and one without", f.edns)
		}
		if st := p.a.DNSStats(); st.NoEDNS != 1 || st.Timeouts != 0 {
			t.Errorf("stats %+v", st)
		}
	})
}

// TestResolverInFlight: lookups of one name at once share one query,
// which the server takes 100 ms to answer.
func TestResolverInFlight(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		// No cache: only the sharing can keep the count at one.
		p, f := newDNSPair(t, DNSConfig{CacheBytes: -1}, map[string][]netip.Addr{"host.test.": {netip.MustParseAddr("192.0.2.7")}})
		f.delay = 100 * time.Millisecond
		var wg sync.WaitGroup
		for range 20 {
			wg.Go(func() {
				if got, err := p.a.LookupNetIP(context.Background(), "ip4", "host.test"); err != nil || len(got) != 1 {
					t.Errorf("LookupNetIP: %v, %v", got, err)
				}
			})
		}
		wg.Wait()
		if n := f.count("host.test.", dnsmessage.TypeA, "udp"); n != 1 {
			t.Errorf("20 lookups at once sent %d queries, want 1", n)
		}
	})
}
