package stack

import (
	"container/list"
	"strings"
	"sync"
	"time"

	"golang.org/x/net/dns/dnsmessage"
)

// The resolver's answer cache: answers keyed by question, each kept until
// the smallest TTL of its records runs out (RFC 1035 3.2.1; for a name
// error or an empty answer, the negative TTL RFC 2308 5 gives, from the
// SOA record of its authority section), and never longer than
// DNSConfig.MaxTTL. The cache holds at most DNSConfig.CacheBytes, each
// answer charged its packed size plus cacheEntryOverhead; the least
// recently used go first. An answer served from the cache has its TTLs
// lowered by the time it spent there.

// cacheEntryOverhead is what an entry costs besides its message: the
// map's and the list's bookkeeping and the key, roughly.
const cacheEntryOverhead = 128

// dnsKey is a question: its name in lower case (names compare without
// regard to case, RFC 4343), type and class.
type dnsKey struct {
	name  string
	typ   dnsmessage.Type
	class dnsmessage.Class
}

func keyOf(q dnsmessage.Question) dnsKey {
	return dnsKey{strings.ToLower(q.Name.String()), q.Type, q.Class}
}

// dnsAnswer is what a server answered a question: its response code and
// the records of its answer and authority sections (the additional
// section, OPT records aside, is not kept: the resolver uses no glue).
type dnsAnswer struct {
	rcode       dnsmessage.RCode
	answers     []dnsmessage.Resource
	authorities []dnsmessage.Resource
}

type cacheEntry struct {
	key     dnsKey
	ans     dnsAnswer
	stored  time.Time
	expires time.Time
	size    int
	elem    *list.Element
}

type dnsCache struct {
	mu      sync.Mutex
	max     int // bytes; 0 or less: nothing is cached
	maxTTL  time.Duration
	used    int
	entries map[dnsKey]*cacheEntry
	lru     list.List // of *cacheEntry, most recently used first
}

func (c *dnsCache) init(maxBytes int, maxTTL time.Duration) {
	c.max, c.maxTTL = maxBytes, maxTTL
	c.entries = make(map[dnsKey]*cacheEntry)
}

// get returns the answer to k cached at now, its TTLs lowered by its age.
func (c *dnsCache) get(k dnsKey, now time.Time) (dnsAnswer, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	e := c.entries[k]
	if e == nil {
		return dnsAnswer{}, false
	}
	if !now.Before(e.expires) {
		c.remove(e)
		return dnsAnswer{}, false
	}
	c.lru.MoveToFront(e.elem)
	age := uint32(now.Sub(e.stored) / time.Second)
	return e.ans.aged(age), true
}

// put caches ans as the answer to k, received at now, for as long as its
// TTLs allow; size is its packed size. It returns how many entries it
// evicted to make room.
func (c *dnsCache) put(k dnsKey, ans dnsAnswer, size int, now time.Time) (evicted int) {
	ttl, ok := ans.ttl()
	if !ok || ttl == 0 {
		return 0
	}
	d := min(time.Duration(ttl)*time.Second, c.maxTTL)
	cost := size + len(k.name) + cacheEntryOverhead
	c.mu.Lock()
	defer c.mu.Unlock()
	if cost > c.max {
		return 0
	}
	if old := c.entries[k]; old != nil {
		c.remove(old)
	}
	for c.used+cost > c.max {
		c.remove(c.lru.Back().Value.(*cacheEntry))
		evicted++
	}
	e := &cacheEntry{key: k, ans: ans, stored: now, expires: now.Add(d), size: cost}
	e.elem = c.lru.PushFront(e)
	c.entries[k] = e
	c.used += cost
	return evicted
}

func (c *dnsCache) remove(e *cacheEntry) {
	c.lru.Remove(e.elem)
	delete(c.entries, e.key)
	c.used -= e.size
}

// flush empties the cache: the servers changed, and what the old ones
// said may not hold on the new network.
func (c *dnsCache) flush() {
	c.mu.Lock()
	defer c.mu.Unlock()
	clear(c.entries)
	c.lru.Init()
	c.used = 0
}

// len returns how many answers are cached.
func (c *dnsCache) len() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.entries)
}

// ttl returns how long a may be cached, in seconds: the smallest TTL of
// its answers; for a name error or an answer without records, the
// negative TTL of RFC 2308 5, the smaller of the SOA record's TTL and its
// MINIMUM field. ok is false when a says nothing cacheable: a server's
// failure, or a negative answer without an SOA record (RFC 2308 5: not
// cached).
func (a dnsAnswer) ttl() (ttl uint32, ok bool) {
	switch a.rcode {
	case dnsmessage.RCodeSuccess, dnsmessage.RCodeNameError:
	default:
		return 0, false
	}
	if a.rcode == dnsmessage.RCodeSuccess && len(a.answers) > 0 {
		ttl = ^uint32(0)
		for _, r := range a.answers {
			ttl = min(ttl, r.Header.TTL)
		}
		return ttl, true
	}
	for _, r := range a.authorities {
		if soa, isSOA := r.Body.(*dnsmessage.SOAResource); isSOA {
			return min(r.Header.TTL, soa.MinTTL), true
		}
	}
	return 0, false
}

// aged returns a copy of a with every TTL lowered by age seconds (down to
// 0).
func (a dnsAnswer) aged(age uint32) dnsAnswer {
	lower := func(rs []dnsmessage.Resource) []dnsmessage.Resource {
		out := make([]dnsmessage.Resource, len(rs))
		for i, r := range rs {
			r.Header.TTL -= min(r.Header.TTL, age)
			out[i] = r
		}
		return out
	}
	return dnsAnswer{rcode: a.rcode, answers: lower(a.answers), authorities: lower(a.authorities)}
}
