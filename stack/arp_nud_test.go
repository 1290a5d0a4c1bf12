package stack

import (
	"context"
	"net/netip"
	"sync"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"

	"github.com/medina-net/medina/arp"
	"github.com/medina-net/medina/ethernet"
	"github.com/medina-net/medina/link"
)

// Neighbour unreachability detection over ARP, between two stacks in a
// synctest bubble: an entry used once while STALE, then left alone, must
// be probed when its DELAY ends, on a link where nothing else happens.

// cuttableDevice records the ARP requests its stack writes, with the
// time, and loses everything the stack writes once cut, as a link whose
// other end went away.
type cuttableDevice struct {
	link.Device
	cut atomic.Bool

	mu       sync.Mutex
	requests []sentRequest
}

// sentRequest is an ARP request the stack wrote, and when.
type sentRequest struct {
	at  time.Time
	arp sentARP
}

func (d *cuttableDevice) WriteFrame(frame []byte) error {
	if f := ethernet.Frame(frame); f.Type() == ethernet.TypeARP {
		if p, err := arp.NewPacket(f.Payload()); err == nil && p.Op() == arp.OpRequest {
			d.mu.Lock()
			d.requests = append(d.requests, sentRequest{time.Now(), sentARP{to: f.Dst(), op: p.Op(), tha: p.TargetMAC(), tpa: [4]byte(p.TargetIP())}})
			d.mu.Unlock()
		}
	}
	if d.cut.Load() {
		return nil
	}
	return d.Device.WriteFrame(frame)
}

// requestsFor returns when the stack sent its requests for ip since
// start, checking that each went to the Ethernet destination to.
func (d *cuttableDevice) requestsFor(t *testing.T, ip [4]byte, to ethernet.Addr, start time.Time) []time.Duration {
	t.Helper()
	d.mu.Lock()
	defer d.mu.Unlock()
	var at []time.Duration
	for _, r := range d.requests {
		if r.arp.tpa != ip {
			continue
		}
		if r.arp.to != to {
			t.Errorf("request for %v at %v sent to %v, want %v", ip, r.at.Sub(start), r.arp.to, to)
		}
		at = append(at, r.at.Sub(start))
	}
	return at
}

// TestARPProbeAfterDelay: a neighbour known only from its ARP request
// (STALE) is used once, to answer its ping, and the link falls silent.
// DelayTime after that use the stack must probe it, by requests
// RetransTime apart (broadcast: arp.Cache's choice, so that a neighbour
// that moved answers from its new address); one that answers is REACHABLE again after a single
// probe, one that has gone away is removed after MaxRetries unanswered
// probes. Before, the timer was armed only for unresolved neighbours:
// the entry stayed in DELAY until its next use, and a neighbour that had
// gone away was never found dead on a quiet link.
func TestARPProbeAfterDelay(t *testing.T) {
	const (
		delay   = arp.DefaultDelayTime
		retrans = arp.DefaultRetransTime
		probes  = arp.DefaultMaxRetries
	)
	for _, gone := range []bool{false, true} {
		name := "answers"
		if gone {
			name = "gone"
		}
		t.Run(name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				var dev *cuttableDevice
				p := newPairWith(t, Config{Addr: netip.PrefixFrom(addrA, 24), Rand: SeededRand(5), NoGratuitousARP: true}, 6,
					func(a, b link.Device) (link.Device, link.Device) {
						dev = &cuttableDevice{Device: a}
						return dev, b
					})
				peer := [4]byte(addrB.As4())
				if _, err := p.b.Ping(context.Background(), addrA, 56); err != nil {
					t.Fatal(err)
				}
				synctest.Wait()
				used := time.Now()
				if _, st, _ := p.a.neigh.Lookup(peer); st != arp.StateDelay {
					t.Fatalf("after answering the ping the peer's entry is %v, want DELAY", st)
				}
				dev.cut.Store(gone)

				time.Sleep(delay - time.Millisecond)
				if at := dev.requestsFor(t, peer, ethernet.Broadcast, used); len(at) != 0 {
					t.Errorf("requests for the peer at %v, before DelayTime (%v)", at, delay)
				}
				time.Sleep(time.Millisecond)
				synctest.Wait()
				if !gone {
					if _, st, _ := p.a.neigh.Lookup(peer); st != arp.StateReachable {
						t.Errorf("the peer answered the probe and its entry is %v, want REACHABLE", st)
					}
					time.Sleep(probes * retrans)
					if at := dev.requestsFor(t, peer, ethernet.Broadcast, used); len(at) != 1 || at[0] != delay {
						t.Errorf("probes of a peer that answers at %v, want one at %v", at, delay)
					}
					return
				}
				if _, st, _ := p.a.neigh.Lookup(peer); st != arp.StateProbe {
					t.Errorf("at the end of DELAY the peer's entry is %v, want PROBE", st)
				}
				time.Sleep(probes*retrans - time.Millisecond)
				if _, _, ok := p.a.neigh.Lookup(peer); !ok {
					t.Errorf("the entry was removed before the last probe had had RetransTime to be answered")
				}
				time.Sleep(time.Millisecond)
				synctest.Wait()
				if mac, st, ok := p.a.neigh.Lookup(peer); ok {
					t.Errorf("after %d unanswered probes the peer's entry is still there: %v %v", probes, mac, st)
				}
				var want []time.Duration
				for i := range probes {
					want = append(want, delay+time.Duration(i)*retrans)
				}
				at := dev.requestsFor(t, peer, ethernet.Broadcast, used)
				if len(at) != len(want) {
					t.Fatalf("probes of a peer that has gone at %v, want %v", at, want)
				}
				for i := range at {
					if at[i] != want[i] {
						t.Fatalf("probes of a peer that has gone at %v, want %v", at, want)
					}
				}
				if n := p.a.neigh.Stats().ProbeFailures; n != 1 {
					t.Errorf("ProbeFailures %d, want 1", n)
				}
			})
		})
	}
}
