package neigh

import (
	"encoding/binary"
	"math/rand/v2"
	"net/netip"
	"testing"
	"time"

	"github.com/medina-net/medina/ethernet"
)

// FuzzTableNDP drives a small table configured for NDP with arbitrary
// events, three bytes an event after a first byte of switches: datagrams
// to send, Neighbor Advertisements with any flags and with or without a
// target link-layer address, NS, RA and RS, time passing, static entries,
// removals, upper-layer confirmations, and Router Advertisements'
// timers. After each event it checks that
//
//   - an NA for an entry that is not INCOMPLETE did what RFC 4861 7.2.5
//     says (naRule), an NA for an INCOMPLETE entry made it REACHABLE or
//     STALE by its Solicited flag, and an NA never created an entry;
//   - an entry exists only for an address something asked about, and its
//     link-layer address came from a message about it or SetStatic; a
//     claimed address is held only in PROBE;
//   - the bounds hold (entries, held bytes), ReachableTime stays in
//     [0.5, 1.5) × BaseReachableTime, and Deadline is never later than an
//     entry's next change;
//   - every datagram held is accounted for: delivered (to the neighbour
//     it was for), reported failed, dropped, or still held.
func FuzzTableNDP(f *testing.F) {
	f.Add([]byte{6, 0, 0, 1, 2, 0, 3, 2, 0, 0})                      // resolve, NA S=1 O=1, NA
	f.Add([]byte{6, 0, 1, 1, 5, 20, 0, 5, 20, 0, 5, 20, 0, 2, 1, 3}) // resolve, fail, late NA
	f.Add([]byte{7, 3, 2, 1, 0, 2, 0, 5, 60, 0, 0, 2, 0, 5, 20, 0, 2, 10, 3})
	f.Add([]byte{1, 4, 3, 1, 0, 2, 2, 2, 11, 2, 8, 2, 0, 5, 8, 0, 5, 8, 0, 5, 8, 0})
	f.Add([]byte{2, 0, 0, 4, 0, 1, 4, 0, 2, 4, 0, 3, 4, 0, 4, 4, 0, 5, 4, 3, 6, 0})
	f.Add([]byte{4, 3, 0, 0, 0, 0, 0, 9, 0, 7, 5, 200, 0, 8, 0, 0, 2, 8, 5, 5, 100, 0})
	f.Fuzz(func(t *testing.T, in []byte) {
		if len(in) == 0 {
			return
		}
		sw := in[0]
		ops := in[1:]
		cfg := Config{
			BaseReachableTime:   2 * time.Second,
			Rand:                rand.NewPCG(uint64(sw), 7),
			StaleTime:           10 * time.Second,
			DelayTime:           500 * time.Millisecond,
			RetransTime:         300 * time.Millisecond,
			MaxMulticastSolicit: 2,
			MaxUnicastSolicit:   3,
			UnicastProbes:       sw&4 != 0,
			MaxQueued:           3,
			MaxQueuedBytes:      4096,
			DropOldest:          sw&2 != 0,
			MaxEntries:          4,
			ConfirmChanges:      sw&1 != 0,
		}
		tab := New(cfg)
		now := t0
		allowed := map[netip.Addr]map[ethernet.Addr]bool{}
		allow := func(ip netip.Addr, mac ethernet.Addr) {
			if allowed[ip] == nil {
				allowed[ip] = map[ethernet.Addr]bool{}
			}
			allowed[ip][mac] = true
		}
		asked := map[netip.Addr]bool{} // resolved, solicited us, or static
		var delivered, failed, newDropped uint64
		var seq uint32
		pkt := make([]byte, 1200)

		for len(ops) >= 3 {
			op, a, b := ops[0], ops[1], ops[2]
			ops = ops[3:]
			now = now.Add(time.Duration(b&3) * 10 * time.Millisecond)
			var ip netip.Addr
			switch k := a % 8; k {
			case 6:
				ip = netip.IPv6Unspecified()
			case 7:
				ip = netip.IPv6LinkLocalAllNodes()
			default:
				ip = v6(k + 1)
			}
			var mac ethernet.Addr
			switch k := (a / 8) % 5; k {
			case 3:
			case 4:
				mac = ethernet.Addr{0x33, 0x33, 0, 0, 0, 1}
			default:
				mac = ll(k + 1)
			}
			valid := usable(ip) && !mac.IsMulticast()
			deliverTo := func(want netip.Addr) func([]byte) {
				return func(p []byte) {
					delivered++
					if got := netip.AddrFrom16([16]byte(p[:16])); got != want {
						t.Fatalf("datagram for %v delivered to %v", got, want)
					}
				}
			}
			before, had := tab.Lookup(ip)
			if had && before.State == StateReachable && !now.Before(before.Expires) {
				before.State = StateStale // as the table sees it
			}
			switch op % 10 {
			case 0, 1:
				n := int(b>>2) % 3 * 500
				p := pkt[:n]
				if n > 0 {
					a16 := ip.As16()
					copy(p, a16[:])
					seq++
					binary.BigEndian.PutUint32(p[16:], seq)
				}
				asked[ip] = true
				queued := tab.Stats().Queued
				r := tab.Resolve(ip, p, now)
				if r.Dropped && tab.Stats().Queued == queued {
					newDropped++
				}
				static := had && before.State == StateStatic // SetStatic takes any address
				if r.Dropped && n == 0 || r.OK && r.LinkAddr == (ethernet.Addr{}) && !static || r.OK && r.Dropped {
					t.Fatalf("Resolve: %+v for %d bytes", r, n)
				}
			case 2:
				m := na(mac, b&4 != 0, b&8 != 0, b&16 != 0)
				if had && mac != (ethernet.Addr{}) {
					// Now, or once a claim is confirmed.
					allow(ip, mac)
				}
				res := tab.Input(ip, m, now, deliverTo(ip))
				after, has := tab.Lookup(ip)
				switch {
				case !had && has:
					t.Fatalf("NA created %+v", after)
				case !had, !valid, before.State == StateStatic, before.Claimed != (ethernet.Addr{}):
				case before.State == StateIncomplete:
					want := StateIncomplete
					if mac != (ethernet.Addr{}) {
						want = StateStale
						if m.Solicited {
							want = StateReachable
						}
					}
					if after.State != want {
						t.Fatalf("NA %+v for INCOMPLETE: %+v, want %v", m, after, want)
					}
				case cfg.ConfirmChanges && mac != (ethernet.Addr{}) && mac != before.LinkAddr && m.Override:
					if !res.Probe || after.Claimed != mac || after.LinkAddr != before.LinkAddr {
						t.Fatalf("NA %+v with ConfirmChanges: %+v, %+v", m, after, res)
					}
				default:
					st, ll, router := naRule(before.State, m.Solicited, m.Override, mac, before.LinkAddr, before.IsRouter, m.Router == RouterYes)
					if after.State != st || after.LinkAddr != ll || after.IsRouter != router {
						t.Fatalf("NA %+v for %+v: %+v, want %v at %v router %v", m, before, after, st, ll, router)
					}
					if res.RouterLost != (before.IsRouter && !after.IsRouter) {
						t.Fatalf("NA %+v: RouterLost %v, router %v then %v", m, res.RouterLost, before.IsRouter, after.IsRouter)
					}
				}
			case 3, 4:
				m := ns(mac)
				if op%10 == 4 {
					m.Router = RouterYes
					if b&4 != 0 {
						m.Router = RouterNo
					}
				}
				if valid && mac != (ethernet.Addr{}) {
					asked[ip] = true
					allow(ip, mac)
				}
				tab.Input(ip, m, now, deliverTo(ip))
			case 5:
				now = now.Add(time.Duration(b) * 50 * time.Millisecond)
				tab.Tick(now, func(netip.Addr, ethernet.Addr) {}, func([]byte) { failed++ })
			case 6:
				if b%4 == 0 {
					asked[ip] = true
					allow(ip, mac)
					tab.SetStatic(ip, mac)
				}
			case 7:
				tab.Remove(ip)
			case 8:
				tab.Confirm(ip, now)
			case 9:
				if b&1 == 0 {
					tab.SetBaseReachableTime(time.Duration(b%40+1)*time.Second/4, now)
				} else {
					tab.SetRetransTime(time.Duration(b%40+1) * 50 * time.Millisecond)
				}
			}

			st := tab.Stats()
			held, static := 0, 0
			deadline := tab.Deadline()
			for _, e := range tab.Entries() {
				held += e.Queued
				if e.State == StateStatic {
					static++
				}
				if !asked[e.Addr] {
					t.Fatalf("entry for %v, which nobody asked about: %+v", e.Addr, e)
				}
				if e.State != StateIncomplete && !allowed[e.Addr][e.LinkAddr] {
					t.Fatalf("address from nowhere: %+v", e)
				}
				if e.State != StateIncomplete && e.Queued != 0 {
					t.Fatalf("datagrams held by %+v", e)
				}
				if e.Claimed != (ethernet.Addr{}) && (e.State != StateProbe || e.Claimed == e.LinkAddr || !allowed[e.Addr][e.Claimed]) {
					t.Fatalf("claim %+v", e)
				}
				if !e.Expires.IsZero() && (deadline.IsZero() || e.Expires.Before(deadline)) {
					t.Fatalf("Deadline %v later than %+v", deadline, e)
				}
			}
			base := tab.Config().BaseReachableTime
			if d := tab.ReachableTime(); d < base/2 || d >= base*3/2 {
				t.Fatalf("ReachableTime %v for a base of %v", d, base)
			}
			if st.Entries-static > cfg.MaxEntries || st.QueuedBytes > cfg.MaxQueuedBytes {
				t.Fatalf("bounds: %+v", st)
			}
			if st.Queued != delivered+failed+(st.QueueDrops-newDropped)+uint64(held) {
				t.Fatalf("datagrams lost: queued %d, delivered %d, failed %d, dropped %d (%d new), held %d",
					st.Queued, delivered, failed, st.QueueDrops, newDropped, held)
			}
		}
	})
}
