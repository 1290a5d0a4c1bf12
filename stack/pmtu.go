package stack

import (
	"net/netip"
	"sync"
	"sync/atomic"
	"time"
)

// Path MTU Discovery (RFC 1191; RFC 8201 for IPv6): the stack remembers,
// per destination, a path MTU below the link's that an ICMP error showed,
// for every connection to the destination, and forgets it after a while so
// that a path that grew is found again (RFC 1191 6.3). A Fragmentation
// Needed error reaches the table only through the TCP engine, once the
// engine has checked that it quotes a segment in flight of one of its
// connections (RFC 5927): a forged one changes nothing. TCP sends with DF
// set and sizes its segments for the path MTU; UDP does not use it (its
// datagrams go without DF, and routers fragment them).
//
// The table is keyed by netip.Addr, so that IPv6's Packet Too Big uses it
// as it is, with IPv6's floor of 1280 (RFC 8200).

// PathMTUConfig configures the path MTU table.
type PathMTUConfig struct {
	// Min is the least path MTU an IPv4 Fragmentation Needed error may
	// bring a destination down to: an error claiming less, genuine or
	// forged, lowers it to Min only (RFC 5927 7; Linux's min_pmtu).
	// Segments keep DF set even then. The default is DefaultMinPathMTU;
	// below 68, IPv4's least MTU (RFC 791, RFC 1191 3), it is 68.
	Min int
	// Timeout is how long a lowered path MTU is kept before the link's
	// MTU is tried again (default DefaultPathMTUTimeout, RFC 1191 6.3's
	// 10 minutes).
	Timeout time.Duration
	// MaxEntries bounds the destinations remembered (default
	// DefaultPathMTUEntries): past it the entry closest to ageing out
	// goes to make room, and is counted in IPStats.PMTUEvictions.
	MaxEntries int
}

// Defaults of PathMTUConfig's zero fields.
const (
	// DefaultMinPathMTU is Linux's min_pmtu: 512 bytes of data behind
	// the IPv4 and TCP headers.
	DefaultMinPathMTU     = 552
	DefaultPathMTUTimeout = 10 * time.Minute
	DefaultPathMTUEntries = 4096
)

// minIPv6MTU is IPv6's least link MTU (RFC 8200 5), the floor of an
// IPv6 path MTU.
const minIPv6MTU = 1280

func (c *PathMTUConfig) fill() {
	if c.Min == 0 {
		c.Min = DefaultMinPathMTU
	}
	c.Min = max(c.Min, minMTU)
	if c.Timeout <= 0 {
		c.Timeout = DefaultPathMTUTimeout
	}
	if c.MaxEntries <= 0 {
		c.MaxEntries = DefaultPathMTUEntries
	}
}

// plateaus is RFC 1191's table of likely MTUs (section 7), largest first:
// the estimate after a Fragmentation Needed error from a router that
// names no MTU (RFC 1191 5) is the largest plateau below the size of the
// datagram it quotes.
var plateaus = [...]int{65535, 32000, 17914, 8166, 4352, 2002, 1492, 1006, 508, 296, 68}

// plateauBelow returns the largest plateau below size, or 68.
func plateauBelow(size int) int {
	for _, p := range plateaus {
		if p < size {
			return p
		}
	}
	return minMTU
}

// pmtuEntry is a destination's path MTU, until expires.
type pmtuEntry struct {
	mtu     int
	expires time.Time
}

// pmtuTable is the path MTU table: bounded, each entry ageing out, and
// nothing to look up while it is empty (nearly always).
type pmtuTable struct {
	cfg PathMTUConfig
	n   atomic.Int32 // len(m), for a lookup without the lock

	mu sync.Mutex
	m  map[netip.Addr]pmtuEntry

	updates, expired, evictions atomic.Uint64
}

func (t *pmtuTable) init(cfg PathMTUConfig) {
	cfg.fill()
	t.cfg = cfg
	t.m = make(map[netip.Addr]pmtuEntry)
}

// floor is the least path MTU of dst's family.
func (t *pmtuTable) floor(dst netip.Addr) int {
	if dst.Is6() && !dst.Is4In6() {
		return minIPv6MTU
	}
	return t.cfg.Min
}

// estimate turns the next-hop MTU of a Fragmentation Needed error about a
// datagram of size bytes to dst into the path MTU to take, and reports
// whether it came from the plateau table and whether the floor raised
// it. A router that names no MTU (0, RFC 1191 5's old-style message), or
// one no smaller than the datagram it could not forward, which is no
// answer either, gets the plateau below the datagram's size.
func (t *pmtuTable) estimate(dst netip.Addr, mtu, size int) (est int, plateau, floored bool) {
	est = mtu
	if mtu == 0 || mtu >= size {
		est, plateau = plateauBelow(size), true
	}
	if f := t.floor(dst); est < f {
		est, floored = f, true
	}
	return est, plateau, floored
}

// lookup returns dst's path MTU, or linkMTU if the table holds none below
// it.
func (t *pmtuTable) lookup(dst netip.Addr, linkMTU int, now time.Time) int {
	if t.n.Load() == 0 {
		return linkMTU
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	e, ok := t.m[dst]
	if !ok {
		return linkMTU
	}
	if !now.Before(e.expires) {
		t.remove(dst)
		t.expired.Add(1)
		return linkMTU
	}
	return min(e.mtu, linkMTU)
}

// lower records that dst's path MTU is at most mtu, for Timeout from now.
// An entry already lower stays as it is: a host never raises its
// estimate on an ICMP error's word (RFC 1191 3).
func (t *pmtuTable) lower(dst netip.Addr, mtu int, now time.Time) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if e, ok := t.m[dst]; ok && now.Before(e.expires) && e.mtu <= mtu {
		return
	}
	if _, ok := t.m[dst]; !ok && len(t.m) >= t.cfg.MaxEntries {
		t.makeRoom(now)
	}
	t.m[dst] = pmtuEntry{mtu: mtu, expires: now.Add(t.cfg.Timeout)}
	t.n.Store(int32(len(t.m)))
	t.updates.Add(1)
}

// makeRoom drops the expired entries, or else the one closest to
// expiring. The caller holds t.mu.
func (t *pmtuTable) makeRoom(now time.Time) {
	var oldest netip.Addr
	var oldestAt time.Time
	for a, e := range t.m {
		if !now.Before(e.expires) {
			delete(t.m, a)
			t.expired.Add(1)
			continue
		}
		if oldestAt.IsZero() || e.expires.Before(oldestAt) {
			oldest, oldestAt = a, e.expires
		}
	}
	if len(t.m) >= t.cfg.MaxEntries {
		delete(t.m, oldest)
		t.evictions.Add(1)
	}
}

// remove drops dst's entry. The caller holds t.mu.
func (t *pmtuTable) remove(dst netip.Addr) {
	delete(t.m, dst)
	t.n.Store(int32(len(t.m)))
}

// live returns how many destinations have a path MTU that has not aged
// out.
func (t *pmtuTable) live(now time.Time) int {
	if t.n.Load() == 0 {
		return 0
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	n := 0
	for _, e := range t.m {
		if now.Before(e.expires) {
			n++
		}
	}
	return n
}
