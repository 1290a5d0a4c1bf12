package stack

import (
	"net/netip"
	"testing"
	"time"

	"golang.org/x/net/dns/dnsmessage"
)

// FuzzDNSMessage feeds arbitrary bytes to what reads DNS messages from
// outside: parseQuery (what package net writes into the in-process
// connection) and parseResponse (what a server answers), then caches
// what parses and packs it back as the in-process server would. Nothing
// may panic, and a response the resolver packs must parse as an answer
// to the question asked, with the same response code and records.
func FuzzDNSMessage(f *testing.F) {
	q := dnsmessage.Question{Name: dnsmessage.MustNewName("host.test."), Type: dnsmessage.TypeA, Class: dnsmessage.ClassINET}
	query, err := buildQuery(0x1234, q, DefaultDNSUDPSize)
	if err != nil {
		f.Fatal(err)
	}
	f.Add(query[2:])
	fake := newFakeDNS(map[string][]netip.Addr{"host.test.": {netip.MustParseAddr("192.0.2.1"), netip.MustParseAddr("192.0.2.2")}})
	f.Add(fake.respond(query[2:], "udp"))
	nx, _ := buildQuery(7, dnsmessage.Question{Name: dnsmessage.MustNewName("no.test."), Type: dnsmessage.TypeAAAA, Class: dnsmessage.ClassINET}, 0)
	f.Add(fake.respond(nx[2:], "tcp"))
	f.Add([]byte{0, 1, 0x81, 0x80, 0, 1, 0, 1, 0, 0, 0, 0})
	f.Fuzz(func(t *testing.T, b []byte) {
		if h, q, _, err := parseQuery(b); err == nil {
			if out, err := packError(h, &q, dnsmessage.RCodeServerFailure); err == nil {
				if _, err := parseResponse(out, h.ID, q); err != nil {
					t.Fatalf("our SERVFAIL does not parse: %v", err)
				}
			}
		}
		var p dnsmessage.Parser
		h, err := p.Start(b)
		if err != nil {
			return
		}
		q, err := p.Question()
		if err != nil {
			return
		}
		resp, err := parseResponse(b, h.ID, q)
		if err != nil || resp.truncated {
			return
		}
		var c dnsCache
		c.init(4096, time.Hour)
		now := time.Unix(1e9, 0)
		c.put(keyOf(q), resp.ans, len(b), now)
		ans := resp.ans
		if cached, ok := c.get(keyOf(q), now.Add(3*time.Second)); ok {
			ans = cached
		}
		out, err := packAnswer(dnsmessage.Header{ID: h.ID, RecursionDesired: true}, q, ans, q.Name, true)
		if err != nil {
			return // a record dnsmessage reads but cannot write: the server says SERVFAIL
		}
		back, err := parseResponse(out, h.ID, q)
		if err != nil {
			t.Fatalf("the packed answer does not parse: %v", err)
		}
		if back.ans.rcode != ans.rcode&0xf && back.ans.rcode != ans.rcode || len(back.ans.answers) != len(ans.answers) || len(back.ans.authorities) != len(ans.authorities) {
			t.Fatalf("packed %+v, read back %+v", ans, back.ans)
		}
	})
}
