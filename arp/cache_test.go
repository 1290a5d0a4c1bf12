package arp

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"sync"
	"testing"
	"time"

	"github.com/medina-net/medina/ethernet"
	"github.com/medina-net/medina/ipv4"
)

var t0 = time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)

func addr(n byte) ipv4.Addr        { return ipv4.Addr{10, 0, 0, n} }
func hw(n byte) ethernet.Addr      { return ethernet.Addr{0x02, 0, 0, 0, 0, n} }
func at(d time.Duration) time.Time { return t0.Add(d) }

// collect gathers what the callbacks of Input and Tick report.
type collect struct {
	delivered [][]byte
	requests  []ipv4.Addr
	requestTo []ethernet.Addr // zero for a broadcast
	failed    [][]byte
}

func (c *collect) deliver(b []byte) { c.delivered = append(c.delivered, bytes.Clone(b)) }
func (c *collect) request(ip [4]byte, to ethernet.Addr) {
	c.requests = append(c.requests, ip)
	c.requestTo = append(c.requestTo, to)
}
func (c *collect) fail(b []byte) { c.failed = append(c.failed, bytes.Clone(b)) }

func (c *collect) tick(cache *Cache, now time.Time) time.Time {
	return cache.Tick(now, c.request, c.fail)
}

func state(t *testing.T, c *Cache, ip ipv4.Addr) State {
	t.Helper()
	_, s, _ := c.Lookup(ip)
	return s
}

type resolved struct {
	mac                      ethernet.Addr
	ok, sendRequest, dropped bool
}

func resolve(c *Cache, ip ipv4.Addr, pkt []byte, now time.Time) resolved {
	var r resolved
	r.mac, r.ok, r.sendRequest, r.dropped = c.Resolve(ip, pkt, now)
	return r
}

func TestResolveQueueFlush(t *testing.T) {
	c := NewCache(CacheConfig{})
	var col collect
	if r := resolve(c, addr(1), []byte("one"), t0); r != (resolved{sendRequest: true}) {
		t.Fatalf("first miss: %+v", r)
	}
	if r := resolve(c, addr(1), []byte("two"), at(time.Millisecond)); r != (resolved{}) {
		t.Fatalf("second miss: %+v", r)
	}
	if s := state(t, c, addr(1)); s != StateIncomplete {
		t.Fatalf("state %v", s)
	}
	if d := c.Deadline(); !d.Equal(at(time.Second)) {
		t.Fatalf("Deadline %v", d)
	}
	c.Input(addr(1), hw(1), false, true, at(10*time.Millisecond), col.deliver)
	if len(col.delivered) != 2 || string(col.delivered[0]) != "one" || string(col.delivered[1]) != "two" {
		t.Fatalf("delivered %q", col.delivered)
	}
	if r := resolve(c, addr(1), []byte("three"), at(20*time.Millisecond)); r != (resolved{mac: hw(1), ok: true}) {
		t.Fatalf("hit: %+v", r)
	}
	// A second reply (to a retransmitted request) changes nothing.
	c.Input(addr(1), hw(9), false, true, at(30*time.Millisecond), col.deliver)
	if mac, s, _ := c.Lookup(addr(1)); mac != hw(1) || s != StateReachable {
		t.Fatalf("after late reply: %v %v", mac, s)
	}
	st := c.Stats()
	want := CacheStats{Requests: 1, Replies: 1, Queued: 2, Ignored: 1, Entries: 1}
	if st != want {
		t.Fatalf("stats %+v, want %+v", st, want)
	}
}

func TestRetriesThenFailure(t *testing.T) {
	c := NewCache(CacheConfig{})
	var col collect
	resolve(c, addr(1), []byte("a"), t0)
	resolve(c, addr(1), []byte("b"), t0)
	for i, want := range []struct {
		now      time.Duration
		requests int
		next     time.Duration
	}{
		{500 * time.Millisecond, 0, time.Second},
		{time.Second, 1, 2 * time.Second},
		{2 * time.Second, 2, 3 * time.Second},
	} {
		next := col.tick(c, at(want.now))
		if len(col.requests) != want.requests || !next.Equal(at(want.next)) || len(col.failed) != 0 {
			t.Fatalf("tick %d: %d requests, next %v, %d failed", i, len(col.requests), next, len(col.failed))
		}
	}
	if next := col.tick(c, at(3*time.Second)); !next.IsZero() {
		t.Fatalf("next after failure %v", next)
	}
	if len(col.failed) != 2 || string(col.failed[0]) != "a" || string(col.failed[1]) != "b" {
		t.Fatalf("failed %q", col.failed)
	}
	if _, _, ok := c.Lookup(addr(1)); ok {
		t.Fatal("failed entry kept")
	}
	st := c.Stats()
	if st.Requests != 3 || st.Failures != 1 || st.QueuedBytes != 0 || st.Entries != 0 {
		t.Fatalf("stats %+v", st)
	}
	// The next datagram starts again.
	if r := resolve(c, addr(1), []byte("c"), at(4*time.Second)); !r.sendRequest {
		t.Fatalf("after failure: %+v", r)
	}
}

func TestStaleDelayProbe(t *testing.T) {
	c := NewCache(CacheConfig{})
	var col collect
	resolve(c, addr(1), nil, t0)
	c.Input(addr(1), hw(1), false, true, t0, nil)
	if next := col.tick(c, at(time.Second)); !next.Equal(at(30 * time.Second)) {
		t.Fatalf("next %v, want reachable expiry", next)
	}
	col.tick(c, at(30*time.Second))
	if s := state(t, c, addr(1)); s != StateStale {
		t.Fatalf("after ReachableTime: %v", s)
	}
	// Used while STALE: still usable, DELAY.
	if r := resolve(c, addr(1), []byte("x"), at(40*time.Second)); r != (resolved{mac: hw(1), ok: true}) {
		t.Fatalf("stale use: %+v", r)
	}
	if s := state(t, c, addr(1)); s != StateDelay {
		t.Fatalf("after use: %v", s)
	}
	if d := c.Deadline(); !d.Equal(at(45 * time.Second)) {
		t.Fatalf("Deadline %v", d)
	}
	// DelayTime passes: Tick probes.
	next := col.tick(c, at(45*time.Second))
	if len(col.requests) != 1 || state(t, c, addr(1)) != StateProbe || !next.Equal(at(46*time.Second)) {
		t.Fatalf("probe: %v %v %v", col.requests, state(t, c, addr(1)), next)
	}
	if r := resolve(c, addr(1), []byte("y"), at(45500*time.Millisecond)); r != (resolved{mac: hw(1), ok: true}) {
		t.Fatalf("probe use: %+v", r)
	}
	// The neighbour answers, with a new card.
	c.Input(addr(1), hw(2), false, true, at(45600*time.Millisecond), nil)
	if mac, s, _ := c.Lookup(addr(1)); mac != hw(2) || s != StateReachable {
		t.Fatalf("after probe reply: %v %v", mac, s)
	}

	// Now let it go silent: three probes, then removal.
	resolve(c, addr(1), nil, at(80*time.Second)) // STALE → DELAY
	col.requests = nil
	for _, s := range []time.Duration{85, 86, 87} {
		col.tick(c, at(s*time.Second))
	}
	if len(col.requests) != 3 {
		t.Fatalf("%d probes", len(col.requests))
	}
	col.tick(c, at(88*time.Second))
	if _, _, ok := c.Lookup(addr(1)); ok {
		t.Fatal("silent neighbour kept")
	}
	if st := c.Stats(); st.ProbeFailures != 1 || st.Requests != 5 {
		t.Fatalf("stats %+v", st)
	}
}

// TestDelayProbedOnUse: a DELAY entry used after its time starts the probe
// itself, for a caller whose timer is late.
func TestDelayProbedOnUse(t *testing.T) {
	c := NewCache(CacheConfig{})
	resolve(c, addr(1), nil, t0)
	c.Input(addr(1), hw(1), false, true, t0, nil)
	resolve(c, addr(1), nil, at(31*time.Second))
	if r := resolve(c, addr(1), nil, at(37*time.Second)); r != (resolved{mac: hw(1), ok: true, sendRequest: true}) {
		t.Fatalf("late use: %+v", r)
	}
	if s := state(t, c, addr(1)); s != StateProbe {
		t.Fatalf("state %v", s)
	}
	// Deadline may be early (it is not raised until the next Tick),
	// never late.
	if d := c.Deadline(); d.IsZero() || d.After(at(38*time.Second)) {
		t.Fatalf("Deadline %v", d)
	}
	if next := c.Tick(at(37*time.Second), nil, nil); !next.Equal(at(38 * time.Second)) {
		t.Fatalf("Tick: next %v", next)
	}
}

func TestConfirm(t *testing.T) {
	c := NewCache(CacheConfig{})
	var col collect
	resolve(c, addr(1), nil, t0)
	c.Input(addr(1), hw(1), false, true, t0, nil)
	resolve(c, addr(1), nil, at(31*time.Second)) // DELAY
	c.Confirm(addr(1), at(32*time.Second))
	col.tick(c, at(40*time.Second))
	if s := state(t, c, addr(1)); s != StateReachable || len(col.requests) != 0 {
		t.Fatalf("after Confirm: %v, %d requests", s, len(col.requests))
	}
	c.Confirm(addr(2), t0) // no entry: nothing
	resolve(c, addr(3), nil, t0)
	c.Confirm(addr(3), t0) // INCOMPLETE has no address to confirm
	if _, _, ok := c.Lookup(addr(2)); ok {
		t.Fatal("Confirm created an entry")
	}
	if s := state(t, c, addr(3)); s != StateIncomplete {
		t.Fatalf("Confirm of INCOMPLETE: %v", s)
	}
	if n := len(c.Entries()); n != 2 {
		t.Fatalf("%d entries", n)
	}
}

func TestUnsolicitedIgnored(t *testing.T) {
	for _, tc := range []struct {
		name              string
		targetedUs, reply bool
	}{
		{"unsolicited reply", true, true},
		{"unsolicited reply, not to us", false, true},
		{"gratuitous request", false, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := NewCache(CacheConfig{})
			// Unknown sender: no entry.
			c.Input(addr(5), hw(5), tc.targetedUs, tc.reply, t0, nil)
			if _, _, ok := c.Lookup(addr(5)); ok {
				t.Fatal("entry created")
			}
			// Known sender: not changed, whatever its state.
			c.Input(addr(1), hw(1), true, false, t0, nil) // STALE
			resolve(c, addr(2), nil, t0)
			c.Input(addr(2), hw(2), false, true, t0, nil) // REACHABLE
			c.SetStatic(addr(3), hw(3))
			for _, ip := range []ipv4.Addr{addr(1), addr(2), addr(3)} {
				c.Input(ip, hw(66), tc.targetedUs, tc.reply, at(time.Second), nil)
				if mac, _, _ := c.Lookup(ip); mac != hw(ip[3]) {
					t.Fatalf("%v poisoned: %v", ip, mac)
				}
			}
			if st := c.Stats(); st.Ignored != 4 {
				t.Fatalf("Ignored %d", st.Ignored)
			}
		})
	}
}

func TestAcceptUnsolicited(t *testing.T) {
	c := NewCache(CacheConfig{AcceptUnsolicited: true})
	c.Input(addr(5), hw(5), false, false, t0, nil) // gratuitous: creates nothing
	if _, _, ok := c.Lookup(addr(5)); ok {
		t.Fatal("entry created")
	}
	resolve(c, addr(1), nil, t0)
	c.Input(addr(1), hw(1), false, true, t0, nil)
	// VRRP failover to a new MAC address: the entry is REACHABLE, so the
	// old address is probed first (change_test.go); it is silent.
	if to, probe := c.Input(addr(1), hw(2), false, false, at(time.Second), nil); !probe || to != hw(1) {
		t.Fatalf("gratuitous ARP for a REACHABLE entry: probe %v to %v", probe, to)
	}
	for i := 2; i <= 4; i++ {
		c.Tick(at(time.Duration(i)*time.Second), nil, nil)
	}
	if mac, s, _ := c.Lookup(addr(1)); mac != hw(2) || s != StateStale {
		t.Fatalf("after gratuitous ARP: %v %v", mac, s)
	}
	// A STALE entry is checked the same way: its address is known.
	if to, probe := c.Input(addr(1), hw(3), false, false, at(5*time.Second), nil); !probe || to != hw(2) {
		t.Fatalf("gratuitous ARP for a STALE entry: probe %v to %v", probe, to)
	}
	for i := 6; i <= 8; i++ {
		c.Tick(at(time.Duration(i)*time.Second), nil, nil)
	}
	if mac, s, _ := c.Lookup(addr(1)); mac != hw(3) || s != StateStale {
		t.Fatalf("after gratuitous ARP for a STALE entry: %v %v", mac, s)
	}
	c.SetStatic(addr(3), hw(3))
	c.Input(addr(3), hw(4), false, false, t0, nil)
	if mac, _, _ := c.Lookup(addr(3)); mac != hw(3) {
		t.Fatal("static entry changed")
	}
}

func TestRequestToUsLearning(t *testing.T) {
	c := NewCache(CacheConfig{})
	var col collect
	c.Input(addr(1), hw(1), true, false, t0, nil)
	if mac, s, _ := c.Lookup(addr(1)); mac != hw(1) || s != StateStale {
		t.Fatalf("learned: %v %v", mac, s)
	}
	// Same address again: nothing changes (RFC 4861 7.2.3).
	resolve(c, addr(1), nil, at(time.Second)) // DELAY
	c.Input(addr(1), hw(1), true, false, at(2*time.Second), nil)
	if s := state(t, c, addr(1)); s != StateDelay {
		t.Fatalf("same address: %v", s)
	}
	// A new address: the old one is probed first (change_test.go); it
	// is silent, so the entry takes the new one, STALE.
	if to, probe := c.Input(addr(1), hw(2), true, false, at(3*time.Second), nil); !probe || to != hw(1) {
		t.Fatalf("a new address: probe %v to %v", probe, to)
	}
	for i := 4; i <= 6; i++ {
		c.Tick(at(time.Duration(i)*time.Second), nil, nil)
	}
	if mac, s, _ := c.Lookup(addr(1)); mac != hw(2) || s != StateStale {
		t.Fatalf("moved: %v %v", mac, s)
	}
	// A request from a host we are resolving answers our question.
	resolve(c, addr(2), []byte("p"), t0)
	c.Input(addr(2), hw(3), true, false, t0, col.deliver)
	if mac, s, _ := c.Lookup(addr(2)); mac != hw(3) || s != StateStale || len(col.delivered) != 1 {
		t.Fatalf("incomplete learned: %v %v %q", mac, s, col.delivered)
	}
	if st := c.Stats(); st.Learned != 2 || st.ChangesConfirmed != 1 || st.Ignored != 0 {
		t.Fatalf("stats %+v", st)
	}
}

func TestBogusSenders(t *testing.T) {
	c := NewCache(CacheConfig{})
	resolve(c, ipv4.Addr{}, nil, t0)
	resolve(c, addr(1), nil, t0)
	for _, s := range []struct {
		ip  ipv4.Addr
		mac ethernet.Addr
	}{
		{ipv4.Addr{}, hw(1)},                 // RFC 5227 probe
		{ipv4.Broadcast, hw(1)},              //
		{ipv4.Addr{224, 0, 0, 1}, hw(1)},     //
		{addr(1), ethernet.Addr{}},           //
		{addr(1), ethernet.Addr{1, 0, 0x5e}}, // multicast MAC
		{addr(1), ethernet.Addr{255, 255, 255, 255, 255, 255}},
	} {
		c.Input(s.ip, s.mac, true, false, t0, nil)
		c.Input(s.ip, s.mac, false, true, t0, nil)
	}
	for _, e := range c.Entries() {
		if e.State != StateIncomplete {
			t.Fatalf("entry %+v", e)
		}
	}
	if st := c.Stats(); st.Ignored != 12 {
		t.Fatalf("Ignored %d", st.Ignored)
	}
}

func TestBoundedQueues(t *testing.T) {
	c := NewCache(CacheConfig{MaxQueued: 3, MaxQueuedBytes: 4096})
	pkt := make([]byte, 1000) // a 1024-byte buffer
	for i, want := range []bool{false, false, false, true} {
		if r := resolve(c, addr(1), pkt, t0); r.dropped != want {
			t.Fatalf("packet %d: %+v", i, r)
		}
	}
	if st := c.Stats(); st.QueuedBytes != 3*1024 || st.QueueDrops != 1 {
		t.Fatalf("stats %+v", st)
	}
	// The byte bound, across entries.
	if r := resolve(c, addr(2), pkt, t0); r.dropped {
		t.Fatalf("fourth buffer: %+v", r)
	}
	if r := resolve(c, addr(3), pkt, t0); !r.dropped || !r.sendRequest {
		t.Fatalf("fifth buffer: %+v", r)
	}
	if r := resolve(c, addr(4), make([]byte, 70000), t0); !r.dropped {
		t.Fatalf("70000 bytes: %+v", r)
	}
	if st := c.Stats(); st.QueuedBytes != 4096 || st.QueueDrops != 3 || st.Queued != 4 {
		t.Fatalf("stats %+v", st)
	}
	// Delivery gives the bytes back.
	c.Input(addr(1), hw(1), false, true, t0, func([]byte) {})
	if st := c.Stats(); st.QueuedBytes != 1024 {
		t.Fatalf("after delivery %+v", st)
	}
}

func TestEviction(t *testing.T) {
	c := NewCache(CacheConfig{MaxEntries: 3})
	c.Input(addr(1), hw(1), true, false, at(1*time.Second), nil) // STALE
	c.Input(addr(2), hw(2), true, false, at(2*time.Second), nil) // STALE
	resolve(c, addr(3), nil, at(3*time.Second))                  // INCOMPLETE
	resolve(c, addr(1), nil, at(4*time.Second))                  // used: DELAY
	// Full: the least recently used STALE entry goes.
	if r := resolve(c, addr(4), []byte("x"), at(5*time.Second)); !r.sendRequest || r.dropped {
		t.Fatalf("new entry: %+v", r)
	}
	if _, _, ok := c.Lookup(addr(2)); ok {
		t.Fatal("10.0.0.2 not evicted")
	}
	// Nothing evictable (DELAY, INCOMPLETE ×2): refused.
	if r := resolve(c, addr(5), []byte("y"), at(6*time.Second)); r != (resolved{dropped: true}) {
		t.Fatalf("full: %+v", r)
	}
	c.Input(addr(6), hw(6), true, false, at(6*time.Second), nil)
	if _, _, ok := c.Lookup(addr(6)); ok {
		t.Fatal("learned into a full table")
	}
	// Static entries do not count.
	c.SetStatic(addr(7), hw(7))
	st := c.Stats()
	if st.Evictions != 1 || st.TableFull != 2 || st.Entries != 4 || st.QueueDrops != 1 {
		t.Fatalf("stats %+v", st)
	}
	// A REACHABLE entry whose time ran out counts as STALE.
	c.Input(addr(4), hw(4), false, true, at(7*time.Second), nil)
	if r := resolve(c, addr(8), nil, at(40*time.Second)); !r.sendRequest {
		t.Fatalf("after expiry: %+v", r)
	}
	if _, _, ok := c.Lookup(addr(4)); ok {
		t.Fatal("expired REACHABLE entry not evicted")
	}
}

func TestStatic(t *testing.T) {
	c := NewCache(CacheConfig{})
	var col collect
	resolve(c, addr(1), []byte("held"), t0)
	c.SetStatic(addr(1), hw(1))
	if st := c.Stats(); st.QueueDrops != 1 || st.QueuedBytes != 0 {
		t.Fatalf("stats %+v", st)
	}
	c.Input(addr(1), hw(2), true, false, t0, nil)
	c.Input(addr(1), hw(2), false, true, t0, nil)
	if next := col.tick(c, at(time.Hour)); !next.IsZero() {
		t.Fatalf("next %v", next)
	}
	if r := resolve(c, addr(1), nil, at(time.Hour)); r != (resolved{mac: hw(1), ok: true}) {
		t.Fatalf("static: %+v", r)
	}
	c.SetStatic(addr(1), hw(3)) // replace
	es := c.Entries()
	if len(es) != 1 || es[0] != (Entry{IP: addr(1), MAC: hw(3), State: StateStatic}) {
		t.Fatalf("entries %+v", es)
	}
	if !c.Remove(addr(1)) || c.Remove(addr(1)) {
		t.Fatal("Remove")
	}
	if st := c.Stats(); st.Entries != 0 {
		t.Fatalf("stats %+v", st)
	}
}

func TestStaleRemoved(t *testing.T) {
	c := NewCache(CacheConfig{StaleTime: time.Minute})
	var col collect
	c.Input(addr(1), hw(1), true, false, t0, nil)
	if next := col.tick(c, at(time.Second)); !next.Equal(at(time.Minute)) {
		t.Fatalf("next %v", next)
	}
	col.tick(c, at(time.Minute))
	if _, _, ok := c.Lookup(addr(1)); ok {
		t.Fatal("unused STALE entry kept")
	}
}

func TestEntriesSnapshot(t *testing.T) {
	c := NewCache(CacheConfig{})
	resolve(c, addr(3), []byte("z"), t0)
	c.Input(addr(1), hw(1), true, false, t0, nil)
	resolve(c, addr(2), nil, t0)
	c.Input(addr(2), hw(2), false, true, t0, nil)
	want := []Entry{
		{IP: addr(1), MAC: hw(1), State: StateStale, Expires: at(DefaultStaleTime)},
		{IP: addr(2), MAC: hw(2), State: StateReachable, Expires: at(DefaultReachableTime)},
		{IP: addr(3), State: StateIncomplete, Expires: at(DefaultRetransTime), Queued: 1},
	}
	got := c.Entries()
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("Entries\n got %v\nwant %v", got, want)
	}
}

func TestStateString(t *testing.T) {
	for s, want := range map[State]string{
		StateIncomplete: "INCOMPLETE", StateReachable: "REACHABLE", StateStale: "STALE",
		StateDelay: "DELAY", StateProbe: "PROBE", StateStatic: "STATIC", 0: "State(0)", 42: "State(42)",
	} {
		if s.String() != want {
			t.Errorf("%d: %q, want %q", s, s.String(), want)
		}
	}
}

// TestCallbacksReenter: the callbacks run without the lock, so they may
// use the cache (send the delivered datagram, which resolves again).
func TestCallbacksReenter(t *testing.T) {
	c := NewCache(CacheConfig{})
	resolve(c, addr(1), []byte("a"), t0)
	resolve(c, addr(2), []byte("b"), t0)
	n := 0
	c.Input(addr(1), hw(1), false, true, t0, func(b []byte) {
		if r := resolve(c, addr(1), b, t0); !r.ok {
			t.Errorf("resolve in deliver: %+v", r)
		}
		n++
	})
	for i := 1; i <= 3; i++ {
		c.Tick(at(time.Duration(i)*time.Second), func(ip [4]byte, _ ethernet.Addr) { c.Lookup(ip) }, func(b []byte) {
			c.Resolve(addr(9), b, t0)
			n++
		})
	}
	if n != 2 {
		t.Fatalf("%d callbacks", n)
	}
}

// TestCacheZeroAllocs checks the hit path, and the steady state of queueing and
// delivering, which recycles entries and buffers.
func TestCacheZeroAllocs(t *testing.T) {
	c := NewCache(CacheConfig{})
	resolve(c, addr(1), nil, t0)
	c.Input(addr(1), hw(1), false, true, t0, nil)
	pkt := make([]byte, 1400)
	if n := testing.AllocsPerRun(1000, func() { c.Resolve(addr(1), pkt, t0) }); n != 0 {
		t.Errorf("Resolve hit: %v allocs", n)
	}
	deliver := func([]byte) {}
	cycle := func() {
		c.Resolve(addr(2), pkt, t0)
		c.Resolve(addr(2), pkt, t0)
		c.Input(addr(2), hw(2), false, true, t0, deliver)
		c.Remove(addr(2))
	}
	cycle()
	if n := testing.AllocsPerRun(1000, cycle); n != 0 {
		t.Errorf("queue and deliver: %v allocs", n)
	}
	fail := func([]byte) {}
	req := func([4]byte, ethernet.Addr) {}
	now := t0
	cycle = func() {
		c.Resolve(addr(3), pkt, now)
		for range 3 {
			now = now.Add(time.Second)
			c.Tick(now, req, fail)
		}
	}
	cycle()
	if n := testing.AllocsPerRun(100, cycle); n != 0 {
		t.Errorf("queue and fail: %v allocs", n)
	}
}

func TestConcurrent(t *testing.T) {
	c := NewCache(CacheConfig{MaxEntries: 16, MaxQueued: 4})
	var wg sync.WaitGroup
	var clock sync.Mutex
	now := t0
	tick := func() time.Time {
		clock.Lock()
		defer clock.Unlock()
		now = now.Add(time.Millisecond)
		return now
	}
	for g := range 4 {
		wg.Go(func() {
			rng := rand.New(rand.NewPCG(uint64(g), 1))
			pkt := make([]byte, 100)
			for range 5000 {
				ip := addr(byte(rng.IntN(24)))
				switch rng.IntN(6) {
				case 0, 1:
					c.Resolve(ip, pkt, tick())
				case 2:
					c.Input(ip, hw(byte(rng.IntN(4)+1)), rng.IntN(2) == 0, rng.IntN(2) == 0, tick(), func([]byte) {})
				case 3:
					c.Tick(tick().Add(time.Second), func([4]byte, ethernet.Addr) {}, func([]byte) {})
				case 4:
					c.Confirm(ip, tick())
				case 5:
					c.Entries()
					c.Stats()
				}
			}
		})
	}
	wg.Wait()
	st := c.Stats()
	if st.Entries > 16 || st.QueuedBytes > DefaultMaxQueuedBytes {
		t.Fatalf("bounds: %+v", st)
	}
}

func BenchmarkResolveHit(b *testing.B) {
	c := NewCache(CacheConfig{})
	for i := range 256 {
		c.Input(addr(byte(i)), hw(byte(i)), true, false, t0, nil)
		c.Confirm(addr(byte(i)), t0)
	}
	pkt := make([]byte, 1500)
	b.ReportAllocs()
	for b.Loop() {
		if _, ok, _, _ := c.Resolve(addr(7), pkt, t0); !ok {
			b.Fatal("miss")
		}
	}
}
