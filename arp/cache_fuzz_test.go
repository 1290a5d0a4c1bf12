package arp

import (
	"encoding/binary"
	"testing"
	"time"

	"github.com/medina-net/medina/ethernet"
	"github.com/medina-net/medina/ipv4"
)

// FuzzCacheInput drives a small cache with arbitrary events (datagrams to
// send, replies, requests to us and to others, time passing, static
// entries, removals, confirmations), three bytes an event, and checks
// after each one that
//
//   - an entry's address came from a legitimate source: a reply received
//     while we were asking (INCOMPLETE or PROBE), a request that targeted
//     us, or SetStatic; an address nobody asked about never gets an entry;
//     an address claimed while the one in use is probed comes from a
//     request that targeted us too, and is held only in PROBE;
//   - the bounds hold (entries, held bytes);
//   - every datagram held is accounted for: delivered (to the right
//     neighbour), reported failed, dropped, or still held.
func FuzzCacheInput(f *testing.F) {
	f.Add([]byte{0, 0, 1, 2, 0, 0, 2, 0, 1})                      // resolve, reply, reply to other
	f.Add([]byte{0, 1, 1, 5, 20, 0, 5, 20, 0, 5, 20, 0, 2, 1, 0}) // resolve, fail, late reply
	f.Add([]byte{3, 2, 1, 0, 2, 0, 5, 60, 0, 0, 2, 0, 5, 20, 0, 2, 2, 3})
	f.Add([]byte{4, 3, 0, 2, 3, 1, 6, 4, 0, 0, 4, 2, 7, 4, 0, 8, 5, 0})
	f.Add([]byte{0, 0, 2, 0, 1, 2, 0, 2, 2, 0, 3, 2, 0, 4, 2, 0, 5, 2, 3, 6, 0})
	// Resolve, reply, a request claiming a new address, then time for
	// the probes: the claim is confirmed; again, answered: refused.
	f.Add([]byte{0, 0, 0, 2, 0, 4, 3, 10, 0, 5, 8, 0, 5, 8, 0, 5, 8, 0, 5, 8, 0})
	f.Add([]byte{0, 0, 0, 2, 0, 4, 3, 10, 0, 2, 0, 4, 5, 8, 0, 3, 20, 0, 8, 0, 0})
	f.Fuzz(func(t *testing.T, ops []byte) {
		cfg := CacheConfig{
			ReachableTime:  2 * time.Second,
			StaleTime:      10 * time.Second,
			DelayTime:      500 * time.Millisecond,
			RetransTime:    300 * time.Millisecond,
			MaxRetries:     2,
			MaxQueued:      3,
			MaxQueuedBytes: 4096,
			MaxEntries:     4,
		}
		c := NewCache(cfg)
		now := t0
		allowed := map[ipv4.Addr]map[ethernet.Addr]bool{}
		allow := func(ip ipv4.Addr, mac ethernet.Addr) {
			if allowed[ip] == nil {
				allowed[ip] = map[ethernet.Addr]bool{}
			}
			allowed[ip][mac] = true
		}
		asked := map[ipv4.Addr]bool{} // resolved, requested us, or static
		var delivered, failed, droppedAtResolve uint64
		var seq uint32
		pkt := make([]byte, 1200)

		for len(ops) >= 3 {
			op, a, b := ops[0], ops[1], ops[2]
			ops = ops[3:]
			now = now.Add(time.Duration(b&3) * 10 * time.Millisecond)
			var ip ipv4.Addr
			switch k := a % 10; k {
			case 8:
				ip = ipv4.Addr{}
			case 9:
				ip = ipv4.Broadcast
			default:
				ip = addr(k + 1)
			}
			var mac ethernet.Addr
			switch k := (a / 10) % 6; k {
			case 4:
			case 5:
				mac = ethernet.Addr{255, 255, 255, 255, 255, 255}
			default:
				mac = hw(k + 1)
			}
			deliverTo := func(want ipv4.Addr) func([]byte) {
				return func(p []byte) {
					delivered++
					if got := ipv4.Addr(p[:4]); got != want {
						t.Fatalf("datagram for %v delivered to %v", got, want)
					}
				}
			}
			switch op % 9 {
			case 0, 1:
				n := int(b>>2) % 3 * 500
				p := pkt[:n]
				if n > 0 {
					copy(p, ip[:])
					seq++
					binary.BigEndian.PutUint32(p[4:], seq)
				}
				asked[ip] = true
				if _, ok, _, dropped := c.Resolve(ip, p, now); dropped {
					droppedAtResolve++
					if ok || n == 0 {
						t.Fatalf("dropped with ok %v, %d bytes", ok, n)
					}
				}
			case 2:
				if _, st, ok := c.Lookup(ip); ok && (st == StateIncomplete || st == StateProbe) {
					allow(ip, mac)
				}
				c.Input(ip, mac, b&4 != 0, true, now, deliverTo(ip))
			case 3:
				asked[ip] = true
				allow(ip, mac)
				c.Input(ip, mac, true, false, now, deliverTo(ip))
			case 4:
				c.Input(ip, mac, false, false, now, deliverTo(ip))
			case 5:
				now = now.Add(time.Duration(b) * 50 * time.Millisecond)
				c.Tick(now, func([4]byte, ethernet.Addr) {}, func([]byte) { failed++ })
			case 6:
				if b%4 == 0 {
					asked[ip] = true
					allow(ip, mac)
					c.SetStatic(ip, mac)
				}
			case 7:
				c.Remove(ip)
			case 8:
				c.Confirm(ip, now)
			}

			st := c.Stats()
			held, static := 0, 0
			for _, e := range c.Entries() {
				held += e.Queued
				if e.State == StateStatic {
					static++
				}
				if !asked[e.IP] {
					t.Fatalf("entry for %v, which nobody asked about: %+v", e.IP, e)
				}
				if e.State != StateIncomplete && !allowed[e.IP][e.MAC] {
					t.Fatalf("poisoned: %+v", e)
				}
				if e.State != StateIncomplete && e.Queued != 0 {
					t.Fatalf("datagrams held by %+v", e)
				}
				if e.Claimed != (ethernet.Addr{}) && (e.State != StateProbe || e.Claimed == e.MAC || !allowed[e.IP][e.Claimed]) {
					t.Fatalf("claim %+v", e)
				}
			}
			if st.Entries-static > cfg.MaxEntries || st.QueuedBytes > cfg.MaxQueuedBytes {
				t.Fatalf("bounds: %+v", st)
			}
			if st.Queued != delivered+failed+(st.QueueDrops-droppedAtResolve)+uint64(held) {
				t.Fatalf("datagrams lost: queued %d, delivered %d, failed %d, dropped %d (%d at Resolve), held %d",
					st.Queued, delivered, failed, st.QueueDrops, droppedAtResolve, held)
			}
		}
	})
}
