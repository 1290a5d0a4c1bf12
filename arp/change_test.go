package arp

import (
	"testing"
	"time"

	"github.com/medina-net/medina/ethernet"
	"github.com/medina-net/medina/ipv4"
)

// Tests of a change of address claimed for a REACHABLE neighbour, which
// is confirmed by probing the address in use before it takes effect.

// reachable returns a cache in which 10.0.0.1 is REACHABLE at hw(1),
// confirmed at t0.
func reachableCache(cfg CacheConfig) *Cache {
	c := NewCache(cfg)
	resolve(c, addr(1), nil, t0)
	c.Input(addr(1), hw(1), false, true, t0, nil)
	return c
}

// TestSpoofedRequestDoesNotRedirect: a forged request claiming that a
// REACHABLE neighbour has moved to the attacker's address, while the
// neighbour is alive and answers what reaches it, must not send a single
// datagram to the attacker. Before, the entry took the forged address at
// once (STALE) and kept it until DELAY and PROBE found the truth: the
// neighbour's traffic went to the attacker for 6 s.
func TestSpoofedRequestDoesNotRedirect(t *testing.T) {
	c := reachableCache(CacheConfig{})
	evil := hw(66)
	spoofAt := at(time.Second)
	c.Input(addr(1), evil, true, false, spoofAt, nil)
	var redirected time.Duration
	var probes []ethernet.Addr
	const step = 100 * time.Millisecond
	for now := spoofAt; now.Before(at(20 * time.Second)); now = now.Add(step) {
		// The genuine neighbour answers every request that reaches it:
		// broadcast ones and those sent to its address.
		c.Tick(now, func(ip [4]byte, to ethernet.Addr) {
			probes = append(probes, to)
			if ipv4.Addr(ip) == addr(1) && (to == ethernet.Addr{} || to == hw(1)) {
				c.Input(addr(1), hw(1), false, true, now, nil)
			}
		}, nil)
		if r := resolve(c, addr(1), []byte("x"), now); r.mac == evil {
			redirected += step
		}
	}
	if redirected > 0 {
		t.Errorf("the neighbour's datagrams went to the forged address for %v", redirected)
	}
	if len(probes) != 1 || probes[0] != hw(1) {
		t.Errorf("requests sent to %v, want one to the address in use, %v", probes, hw(1))
	}
	if mac, s, _ := c.Lookup(addr(1)); mac != hw(1) || s != StateReachable {
		t.Errorf("entry %v %v, want %v REACHABLE", mac, s, hw(1))
	}
	if st := c.Stats(); st.ChangesRefused != 1 || st.ChangesConfirmed != 0 {
		t.Errorf("ChangesRefused %d, ChangesConfirmed %d; want 1, 0", st.ChangesRefused, st.ChangesConfirmed)
	}
}

// TestChangeConfirmedWhenOldSilent: a neighbour that moved (a new NIC) is
// found at its new address once the old one has failed to answer
// MaxRetries requests, all unicast to the old address; until then its
// datagrams go to the old address.
func TestChangeConfirmedWhenOldSilent(t *testing.T) {
	c := reachableCache(CacheConfig{})
	var col collect
	if to, probe := c.Input(addr(1), hw(2), true, false, at(time.Second), nil); !probe || to != hw(1) {
		t.Fatalf("claim: probe %v to %v, want a probe to %v", probe, to, hw(1))
	}
	want := []Entry{{IP: addr(1), MAC: hw(1), State: StateProbe, Expires: at(2 * time.Second), Claimed: hw(2)}}
	if got := c.Entries(); len(got) != 1 || got[0] != want[0] {
		t.Fatalf("Entries %+v, want %+v", got, want)
	}
	if d := c.Deadline(); d.IsZero() || d.After(at(2*time.Second)) {
		t.Fatalf("Deadline %v, want the next probe's time (2s) or earlier", d)
	}
	for now := at(time.Second); now.Before(at(4 * time.Second)); now = now.Add(250 * time.Millisecond) {
		col.tick(c, now)
		if r := resolve(c, addr(1), []byte("x"), now); r != (resolved{mac: hw(1), ok: true}) {
			t.Fatalf("%v: %+v, want the old address", now.Sub(t0), r)
		}
	}
	if len(col.requests) != 2 || col.requestTo[0] != hw(1) || col.requestTo[1] != hw(1) {
		t.Fatalf("Tick's requests %v to %v, want two to %v", col.requests, col.requestTo, hw(1))
	}
	next := col.tick(c, at(4*time.Second))
	if mac, s, _ := c.Lookup(addr(1)); mac != hw(2) || s != StateStale {
		t.Fatalf("after the probes: %v %v, want %v STALE", mac, s, hw(2))
	}
	if !next.Equal(at(4*time.Second + DefaultStaleTime)) {
		t.Errorf("next %v, want the STALE entry's removal", next)
	}
	if len(col.requests) != 2 {
		t.Errorf("a request after the last probe")
	}
	st := c.Stats()
	if st.ChangesConfirmed != 1 || st.ChangesRefused != 0 || st.Requests != 1+3 || st.Learned != 0 {
		t.Errorf("stats %+v", st)
	}
	// Now that the entry is not REACHABLE, its first use is checked by
	// DELAY and PROBE, broadcast.
	resolve(c, addr(1), nil, at(5*time.Second))
	col.tick(c, at(10*time.Second))
	if len(col.requests) != 3 || col.requestTo[2] != (ethernet.Addr{}) {
		t.Errorf("NUD probe to %v, want a broadcast", col.requestTo[2:])
	}
}

// TestClaimOnlyOldAddressAnswers: while the claim is checked, a reply
// from any address but the one in use proves nothing (the claimant would
// answer for itself), and a newer claim replaces the first; the old
// address's answer refuses whichever claim is held.
func TestClaimOnlyOldAddressAnswers(t *testing.T) {
	c := reachableCache(CacheConfig{})
	c.Input(addr(1), hw(66), true, false, at(time.Second), nil)
	c.Input(addr(1), hw(66), false, true, at(time.Second), nil)  // the claimant's "reply"
	c.Input(addr(1), hw(67), true, false, at(time.Second), nil)  // a newer claim
	c.Input(addr(1), hw(1), true, false, at(time.Second), nil)   // a request from the old address
	c.Input(addr(1), hw(68), false, false, at(time.Second), nil) // gratuitous: not without AcceptUnsolicited
	if got := c.Entries(); len(got) != 1 || got[0].MAC != hw(1) || got[0].State != StateProbe || got[0].Claimed != hw(67) {
		t.Fatalf("entries %+v, want PROBE at %v, %v claimed", got, hw(1), hw(67))
	}
	if st := c.Stats(); st.Ignored != 2 || st.Replies != 1 {
		t.Fatalf("stats %+v, want the claimant's reply and the gratuitous request ignored", st)
	}
	c.Input(addr(1), hw(1), false, true, at(1500*time.Millisecond), nil)
	if got := c.Entries(); len(got) != 1 || got[0].MAC != hw(1) || got[0].State != StateReachable || got[0].Claimed != (ethernet.Addr{}) {
		t.Fatalf("after the old address answered: %+v", got)
	}
	c.Tick(at(10*time.Second), nil, nil)
	if mac, _, _ := c.Lookup(addr(1)); mac != hw(1) {
		t.Fatalf("the refused claim took effect later: %v", mac)
	}
	if st := c.Stats(); st.ChangesRefused != 1 || st.ChangesConfirmed != 0 {
		t.Fatalf("stats %+v", st)
	}
}

// TestConfirmRefusesClaim: an upper layer's proof of reachability (a TCP
// ACK for data sent to the address in use) answers the question the probe
// asks.
func TestConfirmRefusesClaim(t *testing.T) {
	c := reachableCache(CacheConfig{})
	c.Input(addr(1), hw(66), true, false, at(time.Second), nil)
	c.Confirm(addr(1), at(2*time.Second))
	c.Tick(at(10*time.Second), nil, nil)
	if got := c.Entries(); len(got) != 1 || got[0].MAC != hw(1) || got[0].State != StateReachable || got[0].Claimed != (ethernet.Addr{}) {
		t.Fatalf("entries %+v, want %v REACHABLE, nothing claimed", got, hw(1))
	}
	if st := c.Stats(); st.ChangesRefused != 1 || st.ChangesConfirmed != 0 {
		t.Fatalf("stats %+v", st)
	}
}

// TestChangeWithoutProbe: NoChangeProbe, an entry whose REACHABLE time has
// run out, and a STALE one all take a new address at once.
func TestChangeWithoutProbe(t *testing.T) {
	c := reachableCache(CacheConfig{NoChangeProbe: true})
	if _, probe := c.Input(addr(1), hw(2), true, false, at(time.Second), nil); probe {
		t.Error("NoChangeProbe: a probe")
	}
	if mac, s, _ := c.Lookup(addr(1)); mac != hw(2) || s != StateStale {
		t.Errorf("NoChangeProbe: %v %v", mac, s)
	}
	if st := c.Stats(); st.Learned != 1 || st.ChangesConfirmed != 0 {
		t.Errorf("stats %+v", st)
	}
	// Without the switch, an entry whose REACHABLE time is over is
	// checked too: its address is known all the same.
	c = reachableCache(CacheConfig{})
	if to, probe := c.Input(addr(1), hw(2), true, false, at(DefaultReachableTime), nil); !probe || to != hw(1) {
		t.Errorf("REACHABLE time over: probe %v to %v", probe, to)
	}
	if mac, s, _ := c.Lookup(addr(1)); mac != hw(1) || s != StateProbe {
		t.Errorf("REACHABLE time over: %v %v", mac, s)
	}
}

// TestClaimedEntryRemoved: Remove and SetStatic end a check in progress.
func TestClaimedEntryRemoved(t *testing.T) {
	c := reachableCache(CacheConfig{})
	c.Input(addr(1), hw(2), true, false, at(time.Second), nil)
	c.SetStatic(addr(1), hw(3))
	c.Tick(at(10*time.Second), nil, nil)
	if got := c.Entries(); len(got) != 1 || got[0] != (Entry{IP: addr(1), MAC: hw(3), State: StateStatic}) {
		t.Fatalf("entries %+v", got)
	}
	if st := c.Stats(); st.ChangesConfirmed != 0 || st.ChangesRefused != 0 {
		t.Fatalf("stats %+v", st)
	}
}

// TestClaimZeroAllocs: checking a claim allocates nothing.
func TestClaimZeroAllocs(t *testing.T) {
	c := reachableCache(CacheConfig{})
	now := t0
	req := func([4]byte, ethernet.Addr) {}
	cycle := func() {
		now = now.Add(time.Second)
		c.Input(addr(1), hw(2), true, false, now, nil)
		c.Tick(now.Add(time.Second), req, nil)
		c.Input(addr(1), hw(1), false, true, now.Add(time.Second), nil)
	}
	cycle()
	if n := testing.AllocsPerRun(1000, cycle); n != 0 {
		t.Errorf("%v allocs", n)
	}
	if st := c.Stats(); st.ChangesRefused != 1+1+1000 { // cycle, AllocsPerRun's warm-up, runs
		t.Errorf("ChangesRefused %d", st.ChangesRefused)
	}
}
