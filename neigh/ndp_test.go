package neigh

import (
	"fmt"
	"net/netip"
	"testing"
	"time"

	"github.com/medina-net/medina/ethernet"
	"github.com/medina-net/medina/internal/manualclock"
	"github.com/medina-net/medina/link"
)

// Tests of the table's IPv6 rules against RFC 4861's text: section 7.2.5
// (receipt of Neighbor Advertisements), 7.2.3 and Appendix C (NS, RS, RA,
// Redirect), 7.3 (NUD) and the IsRouter flag.

// enter brings the entry for ip, at ll(1), to state st at t0 (PROBE at
// t0 + DelayTime), without a random ReachableTime in the way.
func enter(t *testing.T, tab *Table, ip netip.Addr, st State) {
	t.Helper()
	switch st {
	case StateIncomplete:
		tab.Resolve(ip, nil, t0)
	case StateReachable:
		tab.Resolve(ip, nil, t0)
		tab.Input(ip, na(ll(1), true, false, false), t0, nil)
	case StateStale, StateDelay, StateProbe:
		tab.Input(ip, ns(ll(1)), t0, nil)
		if st != StateStale {
			tab.Resolve(ip, nil, t0)
		}
		if st == StateProbe {
			tab.Tick(t0.Add(tab.Config().DelayTime), nil, nil)
		}
	}
	if e := lookup(t, tab, ip); e.State != st {
		t.Fatalf("entry %+v, want %v", e, st)
	}
}

// TestNANoEntry: "If no entry exists, the advertisement SHOULD be
// silently discarded."
func TestNANoEntry(t *testing.T) {
	tab := New(ndp())
	for _, s := range []bool{false, true} {
		for _, o := range []bool{false, true} {
			tab.Input(v6(1), na(ll(1), s, o, true), t0, nil)
			tab.Input(v6(1), na(ethernet.Addr{}, s, o, true), t0, nil)
		}
	}
	if n := tab.Stats(); n.Entries != 0 || n.Ignored != 8 {
		t.Fatalf("stats %+v", n)
	}
}

// TestNAIncomplete: "If the target's Neighbor Cache entry is in the
// INCOMPLETE state when the advertisement is received, one of two things
// happens. If the link layer has addresses and no Target Link-Layer
// Address option is included, the receiving node SHOULD silently discard
// the received advertisement. Otherwise, the receiving node performs the
// following steps: It records the link-layer address in the Neighbor
// Cache entry. If the advertisement's Solicited flag is set, the state of
// the entry is set to REACHABLE; otherwise, it is set to STALE. It sets
// the IsRouter flag in the cache entry based on the Router flag in the
// received advertisement. It sends any packets queued for the neighbor
// awaiting address resolution." The Override flag plays no part.
func TestNAIncomplete(t *testing.T) {
	for _, s := range []bool{false, true} {
		for _, o := range []bool{false, true} {
			for _, r := range []bool{false, true} {
				for _, tlla := range []bool{false, true} {
					name := fmt.Sprintf("S=%v O=%v R=%v TLLA=%v", s, o, r, tlla)
					tab := New(ndp())
					tab.Resolve(v6(1), []byte("queued"), t0)
					m := na(ll(1), s, o, r)
					if !tlla {
						m.LinkAddr = ethernet.Addr{}
					}
					var rec recorder
					tab.Input(v6(1), m, at(time.Second), rec.deliver)
					e := lookup(t, tab, v6(1))
					want := Entry{Addr: v6(1), State: StateIncomplete, Queued: 1, Expires: at(DefaultRetransTime)}
					if tlla {
						want = Entry{Addr: v6(1), LinkAddr: ll(1), State: StateStale, IsRouter: r,
							Expires: at(time.Second + DefaultStaleTime)}
						if s {
							want.State = StateReachable
							want.Expires = at(time.Second).Add(tab.ReachableTime())
						}
					}
					if e != want {
						t.Errorf("%s: %+v, want %+v", name, e, want)
					}
					if n := len(rec.delivered); tlla != (n == 1) || n > 1 {
						t.Errorf("%s: %d datagrams sent", name, n)
					}
				}
			}
		}
	}
}

// naRule is what RFC 4861 7.2.5 makes of an NA with flags s and o, the
// target link-layer address lla (zero for none) and the Router flag r for
// an entry that is not INCOMPLETE: in state st, at address cached, with
// IsRouter routerWas.
//
// "If the Override flag is clear and the supplied link-layer address
// differs from that in the cache, then one of two actions takes place:
// a. If the state of the entry is REACHABLE, set it to STALE, but do not
// update the entry in any other way. b. Otherwise, the received
// advertisement should be ignored and MUST NOT update the cache."
//
// "If the Override flag is set, or the supplied link-layer address is the
// same as that in the cache, or no Target Link-Layer Address option was
// supplied, the received advertisement MUST update the Neighbor Cache
// entry as follows: The link-layer address in the Target Link-Layer
// Address option MUST be inserted in the cache (if one is supplied and
// differs from the already recorded address). If the Solicited flag is
// set, the state of the entry MUST be set to REACHABLE. If the Solicited
// flag is zero and the link-layer address was updated with a different
// address, the state MUST be set to STALE. Otherwise, the entry's state
// remains unchanged. [...] The IsRouter flag in the cache entry MUST be
// set based on the Router flag in the received advertisement."
func naRule(st State, s, o bool, lla, cached ethernet.Addr, routerWas, r bool) (State, ethernet.Addr, bool) {
	differs := lla != (ethernet.Addr{}) && lla != cached
	if !o && differs {
		if st == StateReachable {
			return StateStale, cached, routerWas
		}
		return st, cached, routerWas
	}
	mac := cached
	if differs {
		mac = lla
	}
	switch {
	case s:
		return StateReachable, mac, r
	case differs:
		return StateStale, mac, r
	}
	return st, mac, r
}

// TestNAKnownEntry: every combination of S, O, R and the target
// link-layer address (the cached one, another, none) in every state but
// INCOMPLETE, against naRule, and against Appendix C's rows.
func TestNAKnownEntry(t *testing.T) {
	cfg := ndp()
	cfg.Rand = nil
	for _, st := range []State{StateReachable, StateStale, StateDelay, StateProbe} {
		for _, s := range []bool{false, true} {
			for _, o := range []bool{false, true} {
				for _, r := range []bool{false, true} {
					for _, lla := range []ethernet.Addr{ll(1), ll(2), {}} {
						name := fmt.Sprintf("%v S=%v O=%v R=%v TLLA=%v", st, s, o, r, lla)
						tab := New(cfg)
						enter(t, tab, v6(1), st)
						// The entry was a router: a change of
						// the flag either way shows.
						tab.Input(v6(1), Message{Kind: Solicitation, Router: RouterYes}, t0, nil)
						now := lookup(t, tab, v6(1)).Expires.Add(-time.Millisecond)
						res := tab.Input(v6(1), na(lla, s, o, r), now, nil)
						e := lookup(t, tab, v6(1))
						wantState, wantMAC, wantRouter := naRule(st, s, o, lla, ll(1), true, r)
						if e.State != wantState || e.LinkAddr != wantMAC || e.IsRouter != wantRouter {
							t.Errorf("%s: %v at %v router %v, want %v at %v router %v",
								name, e.State, e.LinkAddr, e.IsRouter, wantState, wantMAC, wantRouter)
						}
						if res.RouterLost != !wantRouter || res.Probe {
							t.Errorf("%s: %+v", name, res)
						}
						if s && wantState == StateReachable && !e.Expires.Equal(now.Add(DefaultBaseReachableTime)) {
							t.Errorf("%s: REACHABLE until %v", name, e.Expires)
						}
					}
				}
			}
		}
	}
}

// TestAppendixC: the rows of RFC 4861 Appendix C for NAs, as written.
func TestAppendixC(t *testing.T) {
	cfg := ndp()
	cfg.Rand = nil
	for _, row := range []struct {
		from   []State
		s, o   bool
		lla    ethernet.Addr
		to     State // 0: unchanged
		newLLA bool
	}{
		// "!INCOMPLETE  NA, Solicited=1, Override=0, Same link-layer
		// address as cached.  -  REACHABLE"
		{[]State{StateReachable, StateStale, StateDelay, StateProbe}, true, false, ll(1), StateReachable, false},
		// "!INCOMPLETE  NA, Solicited=any, Override=1, No link-layer
		// address  Update content of IsRouter flag  unchanged"
		{[]State{StateReachable, StateStale, StateDelay, StateProbe}, false, true, ethernet.Addr{}, 0, false},
		// "REACHABLE  NA, Solicited=1, Override=0, Different link-layer
		// address than cached.  -  STALE"
		{[]State{StateReachable}, true, false, ll(2), StateStale, false},
		// "STALE, PROBE Or DELAY  NA, Solicited=1, Override=0, Different
		// link-layer address than cached.  -  unchanged"
		{[]State{StateStale, StateDelay, StateProbe}, true, false, ll(2), 0, false},
		// "!INCOMPLETE  NA, Solicited=1, Override=1  Record link-layer
		// address (if different).  REACHABLE"
		{[]State{StateReachable, StateStale, StateDelay, StateProbe}, true, true, ll(2), StateReachable, true},
		// "!INCOMPLETE  NA, Solicited=0, Override=0  -  unchanged"
		// (with the cached address: with another, a REACHABLE entry
		// goes STALE by 7.2.5's text, which TestNAKnownEntry checks)
		{[]State{StateReachable, StateStale, StateDelay, StateProbe}, false, false, ll(1), 0, false},
		{[]State{StateStale, StateDelay, StateProbe}, false, false, ll(2), 0, false},
		// "!INCOMPLETE  NA, Solicited=0, Override=1, Different link-layer
		// address than cached.  Record link-layer address.  STALE"
		{[]State{StateReachable, StateStale, StateDelay, StateProbe}, false, true, ll(2), StateStale, true},
	} {
		for _, st := range row.from {
			tab := New(cfg)
			enter(t, tab, v6(1), st)
			tab.Input(v6(1), na(row.lla, row.s, row.o, false), t0.Add(time.Millisecond), nil)
			e := lookup(t, tab, v6(1))
			want, mac := row.to, ll(1)
			if want == 0 {
				want = st
			}
			if row.newLLA {
				mac = row.lla
			}
			if e.State != want || e.LinkAddr != mac {
				t.Errorf("%v, NA S=%v O=%v %v: %v at %v, want %v at %v", st, row.s, row.o, row.lla, e.State, e.LinkAddr, want, mac)
			}
		}
	}
}

// TestSolicitationRows: Appendix C's rows for NS, RS, RA and Redirect
// (RFC 4861 7.2.3, 6.2.6, 6.3.4, 8.3): "Create entry. STALE";
// "INCOMPLETE: Record link-layer address. Send queued packets. STALE";
// "!INCOMPLETE, different link-layer address: Update link-layer address.
// STALE"; "!INCOMPLETE, same link-layer address: unchanged".
func TestSolicitationRows(t *testing.T) {
	cfg := ndp()
	cfg.Rand = nil
	tab := New(cfg)
	tab.Input(v6(1), ns(ll(1)), t0, nil)
	if e := lookup(t, tab, v6(1)); e.State != StateStale || e.LinkAddr != ll(1) || e.IsRouter {
		t.Fatalf("created: %+v", e)
	}
	tab.Resolve(v6(2), []byte("q"), t0)
	var rec recorder
	tab.Input(v6(2), ns(ll(2)), t0, rec.deliver)
	if e := lookup(t, tab, v6(2)); e.State != StateStale || e.LinkAddr != ll(2) || len(rec.delivered) != 1 {
		t.Fatalf("INCOMPLETE: %+v, %d sent", e, len(rec.delivered))
	}
	for _, st := range []State{StateReachable, StateStale, StateDelay, StateProbe} {
		tab := New(cfg)
		enter(t, tab, v6(1), st)
		tab.Input(v6(1), ns(ll(1)), t0.Add(time.Millisecond), nil)
		if e := lookup(t, tab, v6(1)); e.State != st || e.LinkAddr != ll(1) {
			t.Errorf("%v, same address: %+v", st, e)
		}
		tab.Input(v6(1), ns(ll(2)), t0.Add(time.Millisecond), nil)
		if e := lookup(t, tab, v6(1)); e.State != StateStale || e.LinkAddr != ll(2) {
			t.Errorf("%v, new address: %+v", st, e)
		}
	}
	// An NS without a source link-layer address option (DAD's, from
	// the unspecified address, or a unicast NUD probe) changes nothing.
	tab.Input(v6(3), Message{Kind: Solicitation}, t0, nil)
	tab.Input(netip.IPv6Unspecified(), ns(ll(4)), t0, nil)
	if st := tab.Stats(); st.Entries != 2 || st.Ignored != 2 {
		t.Fatalf("stats %+v", st)
	}
}

// TestRouterFlag: IsRouter follows what RAs, RSs, Redirects and NAs say,
// and a router turning host is reported (RFC 4861 7.2.5: "In those cases
// where the IsRouter flag changes from TRUE to FALSE as a result of this
// update, the node MUST remove that router from the Default Router
// List").
func TestRouterFlag(t *testing.T) {
	tab := New(ndp())
	ra := Message{Kind: Solicitation, LinkAddr: ll(1), Router: RouterYes}
	if r := tab.Input(v6(1), ra, t0, nil); r.RouterLost {
		t.Fatal("RA: router lost")
	}
	if e := lookup(t, tab, v6(1)); !e.IsRouter || e.State != StateStale {
		t.Fatalf("after RA: %+v", e)
	}
	// An NS says nothing of the flag.
	tab.Input(v6(1), ns(ll(1)), t0, nil)
	if !lookup(t, tab, v6(1)).IsRouter {
		t.Fatal("NS cleared IsRouter")
	}
	// An NA with R clear: the router is gone.
	if r := tab.Input(v6(1), na(ll(1), true, false, false), t0, nil); !r.RouterLost {
		t.Fatal("NA R=0: no RouterLost")
	}
	if e := lookup(t, tab, v6(1)); e.IsRouter {
		t.Fatalf("after NA R=0: %+v", e)
	}
	// Said twice, it is not lost twice.
	if r := tab.Input(v6(1), na(ll(1), true, false, false), t0, nil); r.RouterLost {
		t.Fatal("RouterLost for a host")
	}
	// An RA without a source link-layer address option still sets it
	// (RFC 4861 6.3.4), an RS clears it (6.2.6).
	tab.Input(v6(1), Message{Kind: Solicitation, Router: RouterYes}, t0, nil)
	if !lookup(t, tab, v6(1)).IsRouter {
		t.Fatal("RA without SLLA: not a router")
	}
	if r := tab.Input(v6(1), Message{Kind: Solicitation, Router: RouterNo}, t0, nil); !r.RouterLost {
		t.Fatal("RS from a router: no RouterLost")
	}
	// An RA without an option for a neighbour we do not know creates
	// nothing.
	tab.Input(v6(2), Message{Kind: Solicitation, Router: RouterYes}, t0, nil)
	if _, ok := tab.Lookup(v6(2)); ok {
		t.Fatal("RA without SLLA created an entry")
	}
	// An NA that is ignored (O clear, another address, not REACHABLE)
	// leaves the flag alone.
	tab.Input(v6(1), ra, t0, nil)
	tab.Resolve(v6(1), nil, t0) // DELAY
	if r := tab.Input(v6(1), na(ll(7), false, false, false), t0, nil); r.RouterLost || !lookup(t, tab, v6(1)).IsRouter {
		t.Fatal("an ignored NA changed IsRouter")
	}
}

// TestConfirmChangesNDP: with ConfirmChanges, an NA with Override that
// names a new address is held aside while the address in use is probed,
// unicast; a solicited answer from the address in use refuses it.
func TestConfirmChangesNDP(t *testing.T) {
	cfg := ndp()
	cfg.ConfirmChanges = true
	tab := New(cfg)
	enter(t, tab, v6(1), StateReachable)
	r := tab.Input(v6(1), na(ll(66), false, true, false), at(time.Second), nil)
	if !r.Probe || r.ProbeTo != ll(1) {
		t.Fatalf("claim: %+v", r)
	}
	if e := lookup(t, tab, v6(1)); e.State != StateProbe || e.LinkAddr != ll(1) || e.Claimed != ll(66) {
		t.Fatalf("claimed: %+v", e)
	}
	// The claimant's solicited "answer" proves nothing.
	tab.Input(v6(1), na(ll(66), true, true, false), at(time.Second), nil)
	tab.Input(v6(1), na(ll(1), true, false, false), at(1500*time.Millisecond), nil)
	if e := lookup(t, tab, v6(1)); e.State != StateReachable || e.LinkAddr != ll(1) || e.Claimed != (ethernet.Addr{}) {
		t.Fatalf("refused: %+v", e)
	}
	if st := tab.Stats(); st.ChangesRefused != 1 || st.Ignored != 1 {
		t.Fatalf("stats %+v", st)
	}
}

// timerDriver runs a table on a manual clock the way the stack does: one
// timer, armed at the table's earliest deadline, whose Tick sends the
// requests; every request is recorded with the time it left.
type timerDriver struct {
	clk   *manualclock.Clock
	tab   *Table
	timer link.Timer
	at    time.Time
	log   []timedRequest
}

type timedRequest struct {
	after time.Duration // since t0
	ip    netip.Addr
	to    ethernet.Addr
}

func (d *timerDriver) arm(at time.Time) {
	if at.IsZero() || !d.at.IsZero() && !at.Before(d.at) {
		return
	}
	d.at = at
	if d.timer == nil {
		d.timer = d.clk.AfterFunc(at.Sub(d.clk.Now()), d.fire)
		return
	}
	d.timer.Reset(at.Sub(d.clk.Now()))
}

func (d *timerDriver) fire() {
	d.at = time.Time{}
	d.arm(d.tab.Tick(d.clk.Now(), d.request, nil))
}

func (d *timerDriver) request(ip netip.Addr, to ethernet.Addr) {
	d.log = append(d.log, timedRequest{d.clk.Now().Sub(t0), ip, to})
}

func (d *timerDriver) resolve(ip netip.Addr) Resolution {
	r := d.tab.Resolve(ip, []byte("x"), d.clk.Now())
	if r.Solicit {
		d.request(ip, r.SolicitTo)
	}
	d.arm(d.tab.Deadline())
	return r
}

func (d *timerDriver) input(ip netip.Addr, m Message) {
	d.tab.Input(ip, m, d.clk.Now(), nil)
	d.arm(d.tab.Deadline())
}

// TestNUDTiming follows one neighbour through RFC 4861 7.3.3 on a manual
// clock: resolution's multicast NSs RetransTimer apart, REACHABLE for the
// drawn ReachableTime, STALE, DELAY for DELAY_FIRST_PROBE_TIME on first
// use, MAX_UNICAST_SOLICIT unicast probes RetransTimer apart, removal.
func TestNUDTiming(t *testing.T) {
	clk := manualclock.New(t0)
	d := &timerDriver{clk: clk, tab: New(ndp())}
	reach := d.tab.ReachableTime()
	mcast := ethernet.Addr{}

	d.resolve(v6(1))
	clk.Advance(2500 * time.Millisecond)
	d.input(v6(1), na(ll(1), true, false, false)) // answers the third NS
	answered := clk.Now()
	if e := lookup(t, d.tab, v6(1)); e.State != StateReachable {
		t.Fatalf("after the NA: %+v", e)
	}
	clk.AdvanceTo(answered.Add(reach - time.Millisecond))
	if e := lookup(t, d.tab, v6(1)); e.State != StateReachable {
		t.Fatalf("before ReachableTime: %v", e.State)
	}
	clk.AdvanceTo(answered.Add(reach))
	if e := lookup(t, d.tab, v6(1)); e.State != StateStale {
		t.Fatalf("at ReachableTime (%v): %v", reach, e.State)
	}
	clk.Advance(time.Minute)
	used := clk.Now()
	if r := d.resolve(v6(1)); !r.OK || r.LinkAddr != ll(1) || r.Solicit {
		t.Fatalf("STALE use: %+v", r)
	}
	if e := lookup(t, d.tab, v6(1)); e.State != StateDelay {
		t.Fatalf("after use: %v", e.State)
	}
	clk.AdvanceTo(used.Add(DefaultDelayTime + 10*time.Second))
	if _, ok := d.tab.Lookup(v6(1)); ok {
		t.Fatal("the silent neighbour was kept")
	}

	u := used.Sub(t0)
	want := []timedRequest{
		{0, v6(1), mcast},
		{time.Second, v6(1), mcast},
		{2 * time.Second, v6(1), mcast},
		{u + DefaultDelayTime, v6(1), ll(1)},
		{u + DefaultDelayTime + time.Second, v6(1), ll(1)},
		{u + DefaultDelayTime + 2*time.Second, v6(1), ll(1)},
	}
	if fmt.Sprint(d.log) != fmt.Sprint(want) {
		t.Fatalf("requests\n got %v\nwant %v", d.log, want)
	}

	// An upper layer's confirmation during DELAY spares the probes.
	d.log = nil
	d.input(v6(2), ns(ll(2)))
	d.resolve(v6(2))
	clk.Advance(DefaultDelayTime / 2)
	d.tab.Confirm(v6(2), clk.Now())
	clk.Advance(DefaultDelayTime)
	if e := lookup(t, d.tab, v6(2)); e.State != StateReachable || len(d.log) != 0 {
		t.Fatalf("confirmed in DELAY: %v, requests %v", e.State, d.log)
	}
}
