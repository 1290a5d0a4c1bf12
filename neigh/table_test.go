package neigh

import (
	"bytes"
	"encoding/binary"
	"math/rand/v2"
	"net/netip"
	"sync"
	"testing"
	"time"

	"github.com/medina-net/medina/ethernet"
)

var t0 = time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)

func at(d time.Duration) time.Time { return t0.Add(d) }

// v6 returns fe80::n, a link-local neighbour; v4 10.0.0.n.
func v6(n byte) netip.Addr    { return netip.AddrFrom16([16]byte{0: 0xfe, 1: 0x80, 15: n}) }
func v4(n byte) netip.Addr    { return netip.AddrFrom4([4]byte{10, 0, 0, n}) }
func ll(n byte) ethernet.Addr { return ethernet.Addr{0x02, 0, 0, 0, 0, n} }

// ndp returns the configuration the stack's NDP uses: RFC 4861's
// unicast probes, randomised ReachableTime and drop-oldest queues.
func ndp() Config {
	return Config{Rand: rand.NewPCG(1, 2), UnicastProbes: true, DropOldest: true}
}

// na is a Neighbor Advertisement.
func na(mac ethernet.Addr, solicited, override, router bool) Message {
	m := Message{Kind: Advertisement, LinkAddr: mac, Solicited: solicited, Override: override, Router: RouterNo}
	if router {
		m.Router = RouterYes
	}
	return m
}

// ns is a Neighbor Solicitation with a source link-layer address option.
func ns(mac ethernet.Addr) Message { return Message{Kind: Solicitation, LinkAddr: mac} }

// sent is a request a test saw the table ask for.
type sent struct {
	ip netip.Addr
	to ethernet.Addr
}

type recorder struct {
	requests  []sent
	delivered [][]byte
	failed    [][]byte
}

func (r *recorder) request(ip netip.Addr, to ethernet.Addr) {
	r.requests = append(r.requests, sent{ip, to})
}
func (r *recorder) deliver(b []byte) { r.delivered = append(r.delivered, bytes.Clone(b)) }
func (r *recorder) fail(b []byte)    { r.failed = append(r.failed, bytes.Clone(b)) }

func lookup(t *testing.T, tab *Table, ip netip.Addr) Entry {
	t.Helper()
	e, ok := tab.Lookup(ip)
	if !ok {
		t.Fatalf("no entry for %v", ip)
	}
	return e
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

// TestResolveAndDeliver: the first datagram asks for a request to the
// multicast destination; the queue goes, in order, to the address a
// solicited NA gives.
func TestResolveAndDeliver(t *testing.T) {
	tab := New(ndp())
	var rec recorder
	if r := tab.Resolve(v6(1), []byte("one"), t0); r != (Resolution{Solicit: true}) {
		t.Fatalf("first miss: %+v", r)
	}
	if r := tab.Resolve(v6(1), []byte("two"), t0); r != (Resolution{}) {
		t.Fatalf("second miss: %+v", r)
	}
	tab.Input(v6(1), na(ll(1), true, false, false), at(time.Millisecond), rec.deliver)
	if len(rec.delivered) != 2 || string(rec.delivered[0]) != "one" || string(rec.delivered[1]) != "two" {
		t.Fatalf("delivered %q", rec.delivered)
	}
	if r := tab.Resolve(v6(1), []byte("three"), at(time.Second)); r != (Resolution{LinkAddr: ll(1), OK: true}) {
		t.Fatalf("hit: %+v", r)
	}
	st := tab.Stats()
	if want := (Stats{Requests: 1, Replies: 1, Queued: 2, Entries: 1}); st != want {
		t.Fatalf("stats %+v, want %+v", st, want)
	}
}

// TestReachableTimeRandomised: RFC 4861 6.3.2's ReachableTime, uniform in
// [0.5, 1.5) × BaseReachableTime from the injected source, the same for
// the same seed, drawn again every ReachableRedraw and when
// BaseReachableTime changes.
func TestReachableTimeRandomised(t *testing.T) {
	if d := New(Config{}).ReachableTime(); d != DefaultBaseReachableTime {
		t.Fatalf("without Rand: %v", d)
	}
	base := DefaultBaseReachableTime
	var low, high int
	for seed := range uint64(200) {
		d := New(Config{Rand: rand.NewPCG(seed, 0)}).ReachableTime()
		if d < base/2 || d >= base*3/2 {
			t.Fatalf("seed %d: ReachableTime %v out of [%v, %v)", seed, d, base/2, base*3/2)
		}
		if d < base {
			low++
		} else {
			high++
		}
		if again := New(Config{Rand: rand.NewPCG(seed, 0)}).ReachableTime(); again != d {
			t.Fatalf("seed %d: %v then %v", seed, d, again)
		}
	}
	if low < 60 || high < 60 {
		t.Fatalf("%d draws below the base, %d above", low, high)
	}

	tab := New(ndp())
	first := tab.ReachableTime()
	// An entry confirmed now is REACHABLE for exactly ReachableTime.
	tab.Resolve(v6(1), nil, t0)
	tab.Input(v6(1), na(ll(1), true, false, false), t0, nil)
	if e := lookup(t, tab, v6(1)); !e.Expires.Equal(t0.Add(first)) {
		t.Fatalf("REACHABLE until %v, want %v", e.Expires, t0.Add(first))
	}
	// Within ReachableRedraw the value holds; after it, a new one.
	tab.Confirm(v6(1), at(ReachableRedraw-time.Second))
	if d := tab.ReachableTime(); d != first {
		t.Fatalf("redrawn early: %v, was %v", d, first)
	}
	tab.Confirm(v6(1), at(ReachableRedraw))
	second := tab.ReachableTime()
	if second == first {
		t.Fatalf("not redrawn after %v", ReachableRedraw)
	}
	if e := lookup(t, tab, v6(1)); !e.Expires.Equal(at(ReachableRedraw).Add(second)) {
		t.Fatalf("REACHABLE until %v, want the new ReachableTime", e.Expires)
	}
	// A Router Advertisement's new base: drawn again, around it.
	tab.SetBaseReachableTime(10*time.Second, at(2*ReachableRedraw))
	if d := tab.ReachableTime(); d < 5*time.Second || d >= 15*time.Second {
		t.Fatalf("after base 10s: %v", d)
	}
	if cfg := tab.Config(); cfg.BaseReachableTime != 10*time.Second {
		t.Fatalf("Config's base %v", cfg.BaseReachableTime)
	}
	// The entry keeps the time it was given.
	if e := lookup(t, tab, v6(1)); !e.Expires.Equal(at(ReachableRedraw).Add(second)) {
		t.Fatalf("REACHABLE until %v after the base changed", e.Expires)
	}
	tab.SetBaseReachableTime(0, t0) // an RA's "unspecified"
	if cfg := tab.Config(); cfg.BaseReachableTime != 10*time.Second {
		t.Fatalf("unspecified changed the base to %v", cfg.BaseReachableTime)
	}
}

// TestSolicitCounts: MAX_MULTICAST_SOLICIT requests to the multicast
// destination while INCOMPLETE, RetransTime apart, then failure with the
// queue handed back; MAX_UNICAST_SOLICIT probes to the cached address in
// PROBE, then removal.
func TestSolicitCounts(t *testing.T) {
	cfg := ndp()
	cfg.Rand = nil
	cfg.MaxMulticastSolicit = 2
	cfg.MaxUnicastSolicit = 4
	cfg.RetransTime = 500 * time.Millisecond
	tab := New(cfg)
	var rec recorder
	tab.Resolve(v6(1), []byte("a"), t0)
	tab.Resolve(v6(1), []byte("b"), t0)
	for _, d := range []time.Duration{250, 500, 750, 1000} {
		tab.Tick(at(d*time.Millisecond), rec.request, rec.fail)
	}
	if len(rec.requests) != 1 || rec.requests[0] != (sent{v6(1), ethernet.Addr{}}) {
		t.Fatalf("retransmissions %v, want one more multicast", rec.requests)
	}
	if len(rec.failed) != 2 || string(rec.failed[0]) != "a" || string(rec.failed[1]) != "b" {
		t.Fatalf("failed %q, want the held datagrams in order", rec.failed)
	}
	if _, ok := tab.Lookup(v6(1)); ok {
		t.Fatal("failed entry kept")
	}

	rec = recorder{}
	tab.Input(v6(2), ns(ll(2)), t0, nil) // STALE
	r := tab.Resolve(v6(2), nil, t0)     // DELAY
	if r != (Resolution{LinkAddr: ll(2), OK: true}) {
		t.Fatalf("STALE use: %+v", r)
	}
	now := at(DefaultDelayTime)
	for range 5 {
		tab.Tick(now, rec.request, nil)
		now = now.Add(cfg.RetransTime)
	}
	if len(rec.requests) != 4 {
		t.Fatalf("%d probes, want 4", len(rec.requests))
	}
	for _, s := range rec.requests {
		if s.to != ll(2) {
			t.Fatalf("probe to %v, want unicast to %v", s.to, ll(2))
		}
	}
	if _, ok := tab.Lookup(v6(2)); ok {
		t.Fatal("silent neighbour kept")
	}
	if st := tab.Stats(); st.Failures != 1 || st.ProbeFailures != 1 || st.Requests != 2+4 || st.Unresolved != 2 || st.QueueDrops != 0 {
		t.Fatalf("stats %+v", st)
	}
}

// TestLateDelayProbe: a DELAY entry used after its time starts PROBE
// itself, and says where the probe goes.
func TestLateDelayProbe(t *testing.T) {
	tab := New(ndp())
	tab.Input(v6(1), ns(ll(1)), t0, nil)
	tab.Resolve(v6(1), nil, t0)
	r := tab.Resolve(v6(1), nil, at(DefaultDelayTime))
	if r != (Resolution{LinkAddr: ll(1), OK: true, Solicit: true, SolicitTo: ll(1)}) {
		t.Fatalf("late use: %+v", r)
	}
	// Without UnicastProbes (ARP), the probe is broadcast.
	tab = New(Config{})
	tab.Input(v4(1), ns(ll(1)), t0, nil)
	tab.Resolve(v4(1), nil, t0)
	r = tab.Resolve(v4(1), nil, at(DefaultDelayTime))
	if r != (Resolution{LinkAddr: ll(1), OK: true, Solicit: true}) {
		t.Fatalf("late use, broadcast probes: %+v", r)
	}
}

// TestDropOldest: RFC 4861 7.2.2's queue, which gives way to the newest
// datagram, within both bounds.
func TestDropOldest(t *testing.T) {
	tab := New(Config{DropOldest: true, MaxQueued: 2, MaxQueuedBytes: 4096})
	var rec recorder
	pkt := func(s string) []byte { return append(bytes.Repeat([]byte{0}, 900), s...) } // 1024-byte buffers
	for i, s := range []string{"a", "b", "c"} {
		if r := tab.Resolve(v6(1), pkt(s), t0); r.Dropped != (i == 2) {
			t.Fatalf("datagram %s: %+v", s, r)
		}
	}
	// The byte bound: v6(2)'s queue holds two, and a third entry's
	// datagram finds no room it could make by dropping its own.
	tab.Resolve(v6(2), pkt("x"), t0)
	tab.Resolve(v6(2), pkt("y"), t0)
	if r := tab.Resolve(v6(3), pkt("z"), t0); !r.Dropped || !r.Solicit {
		t.Fatalf("no room: %+v", r)
	}
	// Too long for any buffer.
	if r := tab.Resolve(v6(3), make([]byte, 70000), t0); !r.Dropped {
		t.Fatalf("70000 bytes: %+v", r)
	}
	tab.Input(v6(1), na(ll(1), true, true, false), t0, rec.deliver)
	if len(rec.delivered) != 2 || rec.delivered[0][900] != 'b' || rec.delivered[1][900] != 'c' {
		t.Fatalf("delivered %d, want b and c", len(rec.delivered))
	}
	st := tab.Stats()
	if st.Queued != 5 || st.QueueDrops != 3 || st.QueuedBytes != 2048 {
		t.Fatalf("stats %+v", st)
	}
	// With room in the byte bound only after dropping its own, an
	// entry drops its oldest.
	tab.Resolve(v6(3), pkt("p"), t0)
	tab.Resolve(v6(3), pkt("q"), t0) // 4096 bytes held: full
	tab.Resolve(v6(2), []byte("small"), t0)
	var got recorder
	tab.Input(v6(2), na(ll(2), true, true, false), t0, got.deliver)
	if len(got.delivered) != 2 || got.delivered[0][900] != 'y' || string(got.delivered[1]) != "small" {
		t.Fatalf("delivered %q", got.delivered)
	}
}

// TestZone: a zone does not make another neighbour.
func TestZone(t *testing.T) {
	tab := New(ndp())
	tab.Input(v6(1).WithZone("eth0"), ns(ll(1)), t0, nil)
	if e := lookup(t, tab, v6(1)); e.LinkAddr != ll(1) || e.Addr.Zone() != "" {
		t.Fatalf("entry %+v", e)
	}
	if r := tab.Resolve(v6(1).WithZone("eth1"), nil, t0); !r.OK {
		t.Fatalf("zoned lookup: %+v", r)
	}
}

// collide returns an address whose key is the same as a's (without Rand,
// the key's factor is known).
func collide(tab *Table, a netip.Addr, hi uint64) netip.Addr {
	b := a.As16()
	lo := binary.BigEndian.Uint64(b[8:]) ^ binary.BigEndian.Uint64(b[:8])*tab.mix ^ hi*tab.mix
	var c [16]byte
	binary.BigEndian.PutUint64(c[:8], hi)
	binary.BigEndian.PutUint64(c[8:], lo)
	return netip.AddrFrom16(c)
}

// TestKeyCollisions: addresses whose keys collide are kept apart, found,
// and removed one by one.
func TestKeyCollisions(t *testing.T) {
	tab := New(Config{})
	addrs := []netip.Addr{v6(1)}
	for i := range uint64(3) {
		addrs = append(addrs, collide(tab, v6(1), 0x20010db800000000+i))
	}
	for i, a := range addrs {
		if tab.key(a) != tab.key(v6(1)) {
			t.Fatalf("%v: key %x, want %x", a, tab.key(a), tab.key(v6(1)))
		}
		tab.Input(a, ns(ll(byte(i+1))), t0, nil)
	}
	check := func(present ...int) {
		t.Helper()
		for i, a := range addrs {
			e, ok := tab.Lookup(a)
			want := false
			for _, p := range present {
				want = want || p == i
			}
			if ok != want || ok && e.LinkAddr != ll(byte(i+1)) {
				t.Fatalf("%v: %+v %v, want present %v", a, e, ok, want)
			}
		}
		if n := tab.Stats().Entries; n != len(present) {
			t.Fatalf("%d entries, want %d", n, len(present))
		}
	}
	check(0, 1, 2, 3)
	tab.Remove(addrs[1]) // in the middle of the chain
	check(0, 2, 3)
	tab.Remove(addrs[3]) // its head, the newest
	check(0, 2)
	tab.Remove(addrs[0]) // its tail
	check(2)
	tab.Remove(addrs[2])
	check()
	if len(tab.index) != 0 || tab.head != nil || tab.tail != nil {
		t.Fatalf("index %d, list %p %p", len(tab.index), tab.head, tab.tail)
	}
}

// TestTickOrder: the requests of one Tick come in the order the entries
// were made, whatever the map's order, so that a replay reproduces them.
func TestTickOrder(t *testing.T) {
	for range 10 {
		tab := New(ndp())
		var want []sent
		for i := byte(20); i > 0; i-- {
			tab.Resolve(v6(i), nil, t0)
			want = append(want, sent{v6(i), ethernet.Addr{}})
		}
		var rec recorder
		tab.Tick(at(time.Second), rec.request, nil)
		if len(rec.requests) != len(want) {
			t.Fatalf("%d requests", len(rec.requests))
		}
		for i := range want {
			if rec.requests[i] != want[i] {
				t.Fatalf("request %d for %v, want %v", i, rec.requests[i].ip, want[i].ip)
			}
		}
	}
}

func TestStaticAndEviction(t *testing.T) {
	tab := New(Config{MaxEntries: 2})
	tab.Input(v6(1), ns(ll(1)), at(1*time.Second), nil) // STALE
	tab.Input(v6(2), ns(ll(2)), at(2*time.Second), nil) // STALE
	tab.SetStatic(v6(9), ll(9))                         // not counted
	tab.Resolve(v6(3), nil, at(3*time.Second))          // evicts v6(1)
	if _, ok := tab.Lookup(v6(1)); ok {
		t.Fatal("least recently used STALE entry kept")
	}
	tab.Input(v6(9), na(ll(8), true, true, true), t0, nil)
	tab.Input(v6(9), ns(ll(8)), t0, nil)
	if e := lookup(t, tab, v6(9)); e != (Entry{Addr: v6(9), LinkAddr: ll(9), State: StateStatic}) {
		t.Fatalf("static entry %+v", e)
	}
	tab.Remove(v6(2))
	tab.Remove(v6(3))
	if next := tab.Tick(at(time.Hour), nil, nil); !next.IsZero() {
		t.Fatalf("next %v with only a static entry", next)
	}
	st := tab.Stats()
	if st.Evictions != 1 || st.Entries != 1 || st.Ignored != 2 || st.TableFull != 0 {
		t.Fatalf("stats %+v", st)
	}
}

// TestConfirm: RFC 4861 7.3.1's upper-layer confirmation makes any entry
// with an address REACHABLE, creates nothing, and leaves INCOMPLETE and
// STATIC entries alone.
func TestConfirm(t *testing.T) {
	cfg := ndp()
	cfg.Rand = nil
	for _, st := range []State{StateReachable, StateStale, StateDelay, StateProbe} {
		tab := New(cfg)
		enter(t, tab, v6(1), st)
		now := tab.Deadline().Add(-time.Millisecond)
		tab.Confirm(v6(1), now)
		e := lookup(t, tab, v6(1))
		if e.State != StateReachable || !e.Expires.Equal(now.Add(DefaultBaseReachableTime)) || e.LinkAddr != ll(1) {
			t.Errorf("%v: %+v after Confirm", st, e)
		}
	}
	tab := New(cfg)
	tab.Confirm(v6(1), t0)
	if _, ok := tab.Lookup(v6(1)); ok {
		t.Fatal("Confirm created an entry")
	}
	tab.Resolve(v6(2), nil, t0)
	tab.SetStatic(v6(3), ll(3))
	tab.Confirm(v6(2), t0)
	tab.Confirm(v6(3), t0)
	if lookup(t, tab, v6(2)).State != StateIncomplete || lookup(t, tab, v6(3)).State != StateStatic {
		t.Fatal("Confirm changed an INCOMPLETE or STATIC entry")
	}
}

// TestCallbacksReenter: the callbacks run without the lock.
func TestCallbacksReenter(t *testing.T) {
	tab := New(ndp())
	tab.Resolve(v6(1), []byte("a"), t0)
	n := 0
	tab.Input(v6(1), na(ll(1), true, false, false), t0, func(b []byte) {
		if r := tab.Resolve(v6(1), b, t0); !r.OK {
			t.Errorf("resolve in deliver: %+v", r)
		}
		n++
	})
	tab.Resolve(v6(2), []byte("b"), t0)
	for i := 1; i <= 3; i++ {
		tab.Tick(at(time.Duration(i)*time.Second), func(ip netip.Addr, _ ethernet.Addr) { tab.Lookup(ip) }, func(b []byte) {
			tab.Resolve(v6(9), b, t0)
			n++
		})
	}
	if n != 2 {
		t.Fatalf("%d callbacks", n)
	}
}

// TestZeroAllocs: the hit path, NA input, confirmation, and the steady
// state of queueing, delivering and failing, for IPv6 addresses.
func TestZeroAllocs(t *testing.T) {
	tab := New(ndp())
	tab.Resolve(v6(1), nil, t0)
	tab.Input(v6(1), na(ll(1), true, false, false), t0, nil)
	pkt := make([]byte, 1400)
	now := t0
	for name, fn := range map[string]func(){
		"resolve hit": func() { tab.Resolve(v6(1), pkt, t0) },
		"confirm":     func() { tab.Confirm(v6(1), t0) },
		"na":          func() { tab.Input(v6(1), na(ll(1), true, false, true), t0, nil) },
		"queue and deliver": func() {
			tab.Resolve(v6(2), pkt, t0)
			tab.Resolve(v6(2), pkt, t0)
			tab.Input(v6(2), na(ll(2), true, true, false), t0, func([]byte) {})
			tab.Remove(v6(2))
		},
		"queue and fail": func() {
			tab.Resolve(v6(3), pkt, now)
			for range 3 {
				now = now.Add(time.Second)
				tab.Tick(now, func(netip.Addr, ethernet.Addr) {}, func([]byte) {})
			}
		},
	} {
		fn()
		if n := testing.AllocsPerRun(200, fn); n != 0 {
			t.Errorf("%s: %v allocs", name, n)
		}
	}
}

func TestConcurrent(t *testing.T) {
	tab := New(Config{MaxEntries: 16, MaxQueued: 4, Rand: rand.NewPCG(1, 1), UnicastProbes: true})
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
				ip := v6(byte(rng.IntN(24)))
				switch rng.IntN(6) {
				case 0, 1:
					tab.Resolve(ip, pkt, tick())
				case 2:
					m := na(ll(byte(rng.IntN(4)+1)), rng.IntN(2) == 0, rng.IntN(2) == 0, rng.IntN(2) == 0)
					if rng.IntN(2) == 0 {
						m = ns(m.LinkAddr)
					}
					tab.Input(ip, m, tick(), func([]byte) {})
				case 3:
					tab.Tick(tick().Add(time.Second), func(netip.Addr, ethernet.Addr) {}, func([]byte) {})
				case 4:
					tab.Confirm(ip, tick())
				case 5:
					tab.Entries()
					tab.Stats()
				}
			}
		})
	}
	wg.Wait()
	if st := tab.Stats(); st.Entries > 16 || st.QueuedBytes > DefaultMaxQueuedBytes {
		t.Fatalf("bounds: %+v", st)
	}
}

func BenchmarkResolveHit(b *testing.B) {
	for _, bc := range []struct {
		name string
		addr func(byte) netip.Addr
	}{{"ipv4", v4}, {"ipv6", v6}} {
		b.Run(bc.name, func(b *testing.B) {
			tab := New(ndp())
			for i := range 256 {
				tab.Input(bc.addr(byte(i)), ns(ll(byte(i))), t0, nil)
				tab.Confirm(bc.addr(byte(i)), t0)
			}
			pkt := make([]byte, 1500)
			ip := bc.addr(7)
			b.ReportAllocs()
			for b.Loop() {
				if r := tab.Resolve(ip, pkt, t0); !r.OK {
					b.Fatal("miss")
				}
			}
		})
	}
}

// TestQueueSlotsBounded: the slots of the queues, which MaxQueuedBytes
// does not count, stay in proportion to the datagrams held, in use and
// free. Before, every INCOMPLETE entry took MaxQueued slots (3 KiB) for
// its first datagram: a thousand of them, 3 MiB.
func TestQueueSlotsBounded(t *testing.T) {
	tab := New(Config{})
	pkt := make([]byte, 40)
	for i := range 1000 {
		tab.Resolve(netip.AddrFrom4([4]byte{10, 1, byte(i >> 8), byte(i)}), pkt, t0)
	}
	slots := 0
	for e := tab.head; e != nil; e = e.next {
		slots += cap(e.queue)
	}
	if slots > 4*1000 {
		t.Fatalf("%d queue slots for 1000 datagrams", slots)
	}
	// A queue that grew to MaxQueued, then all of them freed.
	for range DefaultMaxQueued {
		tab.Resolve(v4(1), pkt, t0)
	}
	for i := range 4 {
		tab.Tick(at(time.Duration(i+1)*time.Second), nil, nil)
	}
	if n := tab.Stats().Entries; n != 0 {
		t.Fatalf("%d entries left", n)
	}
	if max := DefaultMaxQueuedBytes / 64; tab.freeSlots > max {
		t.Fatalf("%d free slots kept, bound %d", tab.freeSlots, max)
	}
}

// TestRecycledEntryNotFound: the entry the table found last is tried
// first on the next lookup; once it is removed and recycled for another
// neighbour, a lookup of its old address must not find it.
func TestRecycledEntryNotFound(t *testing.T) {
	tab := New(Config{})
	tab.Input(v6(1), ns(ll(1)), at(time.Second), nil) // STALE
	if r := tab.Resolve(v6(1), nil, at(2*time.Second)); !r.OK || r.LinkAddr != ll(1) {
		t.Fatalf("v6(1) resolved %+v", r)
	}
	tab.Remove(v6(1))
	// v6(2) takes the entry v6(1) left.
	tab.Input(v6(2), ns(ll(2)), at(3*time.Second), nil)
	if r := tab.Resolve(v6(1), nil, at(4*time.Second)); r.OK || !r.Solicit {
		t.Fatalf("removed v6(1) resolved %+v, want a new resolution", r)
	}
	if r := tab.Resolve(v6(2), nil, at(5*time.Second)); !r.OK || r.LinkAddr != ll(2) {
		t.Fatalf("v6(2) resolved %+v", r)
	}
	if e, ok := tab.Lookup(v6(1)); !ok || e.State != StateIncomplete {
		t.Fatalf("v6(1) is %+v, %v; want INCOMPLETE", e, ok)
	}
}
