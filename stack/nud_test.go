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
	"github.com/medina-net/medina/icmpv6"
	"github.com/medina-net/medina/ipv4"
	"github.com/medina-net/medina/ipv6"
	"github.com/medina-net/medina/link"
	"github.com/medina-net/medina/neigh"
)

// Neighbour unreachability detection between two stacks in a synctest
// bubble, over ARP and over NDP: an entry used once while STALE, then left
// alone, must be probed when its DELAY ends, on a link where nothing else
// happens.

// cuttableDevice records the address requests its stack writes (ARP
// requests, Neighbor Solicitations), with the time, and loses everything
// the stack writes once cut, as a link whose other end went away.
type cuttableDevice struct {
	link.Device
	cut atomic.Bool

	mu       sync.Mutex
	requests []sentRequest
}

// sentRequest is an address request the stack wrote: when, to which
// Ethernet destination, for which address.
type sentRequest struct {
	at     time.Time
	to     ethernet.Addr
	target netip.Addr
}

func (d *cuttableDevice) WriteFrame(frame []byte) error {
	if target, ok := requestTarget(frame); ok {
		d.mu.Lock()
		d.requests = append(d.requests, sentRequest{time.Now(), ethernet.Frame(frame).Dst(), target})
		d.mu.Unlock()
	}
	if d.cut.Load() {
		return nil
	}
	return d.Device.WriteFrame(frame)
}

// requestTarget returns the address an ARP request or a Neighbor
// Solicitation asks for.
func requestTarget(frame []byte) (netip.Addr, bool) {
	f, err := ethernet.NewFrame(frame)
	if err != nil {
		return netip.Addr{}, false
	}
	switch f.Type() {
	case ethernet.TypeARP:
		if p, err := arp.NewPacket(f.Payload()); err == nil && p.Op() == arp.OpRequest {
			return netip.AddrFrom4(p.TargetIP()), true
		}
	case ethernet.TypeIPv6:
		h, err := ipv6.NewHeader(f.Payload())
		if err != nil || h.NextHeader() != ipv4.ProtoICMPv6 {
			break
		}
		if m, err := icmpv6.NewMessage(h.Payload()); err == nil && m.Type() == icmpv6.TypeNeighborSolicit {
			if t, ok := m.Target(); ok {
				return t.Netip(), true
			}
		}
	}
	return netip.Addr{}, false
}

// requestsFor returns when the stack sent its requests for ip since
// start, checking that each went to the Ethernet destination to.
func (d *cuttableDevice) requestsFor(t *testing.T, ip netip.Addr, to ethernet.Addr, start time.Time) []time.Duration {
	t.Helper()
	d.mu.Lock()
	defer d.mu.Unlock()
	var at []time.Duration
	for _, r := range d.requests {
		if r.target != ip {
			continue
		}
		if r.to != to {
			t.Errorf("request for %v at %v sent to %v, want %v", ip, r.at.Sub(start), r.to, to)
		}
		at = append(at, r.at.Sub(start))
	}
	return at
}

// TestProbeAfterDelay: a neighbour known only from its request for our
// address (STALE) is used once, to answer its ping, and the link falls
// silent. DelayTime after that use the stack must probe it, RetransTime
// apart; one that answers is REACHABLE again after a single probe, one
// that has gone away is removed after MaxUnicastSolicit unanswered
// probes. ARP's probes are broadcast (arp.Cache's choice, so that a
// neighbour that moved answers from its new address), NDP's unicast (RFC
// 4861 7.3.3). Before, the ARP timer was armed only for unresolved
// neighbours: the entry stayed in DELAY until its next use, and a
// neighbour that had gone away was never found dead on a quiet link.
func TestProbeAfterDelay(t *testing.T) {
	type family struct {
		name    string
		ours    netip.Addr
		peer    netip.Addr
		probeTo ethernet.Addr
		// lookup returns the state of the stack's entry for peer.
		lookup func(s *Stack, peer netip.Addr) (neigh.State, bool)
		// failures returns the stack's count of neighbours that did
		// not answer their probes.
		failures func(s *Stack) uint64
	}
	families := []family{
		{"ARP", addrA, addrB, ethernet.Broadcast,
			func(s *Stack, peer netip.Addr) (neigh.State, bool) {
				_, st, ok := s.neigh.Lookup(peer.As4())
				return st, ok
			},
			func(s *Stack) uint64 { return s.neigh.Stats().ProbeFailures }},
		{"NDP", addrA6, addrB6, peerMAC,
			func(s *Stack, peer netip.Addr) (neigh.State, bool) {
				e, ok := s.nd6().Lookup(peer)
				return e.State, ok
			},
			func(s *Stack) uint64 { return s.nd6().Stats().ProbeFailures }},
	}
	for _, fam := range families {
		for _, gone := range []bool{false, true} {
			name := fam.name + "/answers"
			if gone {
				name = fam.name + "/gone"
			}
			t.Run(name, func(t *testing.T) {
				synctest.Test(t, func(t *testing.T) {
					testProbeAfterDelay(t, fam.ours, fam.peer, fam.probeTo, gone,
						func(s *Stack) (neigh.State, bool) { return fam.lookup(s, fam.peer) }, fam.failures)
				})
			})
		}
	}
}

// testProbeAfterDelay is TestProbeAfterDelay for one family: the stack
// under test is at ours, the peer at peer; probes go to probeTo.
func testProbeAfterDelay(t *testing.T, ours, peer netip.Addr, probeTo ethernet.Addr, gone bool,
	state func(*Stack) (neigh.State, bool), failures func(*Stack) uint64) {
	const (
		delay   = neigh.DefaultDelayTime
		retrans = neigh.DefaultRetransTime
		probes  = neigh.DefaultMaxUnicastSolicit
	)
	var dev *cuttableDevice
	ca, cb := dualCfgA(5), dualCfgB(6)
	ca.NoGratuitousARP, cb.NoGratuitousARP = true, true
	p := newDualPairWith(t, ca, cb, func(a, b link.Device) (link.Device, link.Device) {
		dev = &cuttableDevice{Device: a}
		return dev, b
	})
	if _, err := p.b.Ping(context.Background(), ours, 56); err != nil {
		t.Fatal(err)
	}
	synctest.Wait()
	used := time.Now()
	if st, _ := state(p.a); st != neigh.StateDelay {
		t.Fatalf("after answering the ping the peer's entry is %v, want DELAY", st)
	}
	dev.cut.Store(gone)

	time.Sleep(delay - time.Millisecond)
	if at := dev.requestsFor(t, peer, probeTo, used); len(at) != 0 {
		t.Errorf("requests for the peer at %v, before DelayTime (%v)", at, delay)
	}
	time.Sleep(time.Millisecond)
	synctest.Wait()
	if !gone {
		if st, _ := state(p.a); st != neigh.StateReachable {
			t.Errorf("the peer answered the probe and its entry is %v, want REACHABLE", st)
		}
		time.Sleep(probes * retrans)
		if at := dev.requestsFor(t, peer, probeTo, used); len(at) != 1 || at[0] != delay {
			t.Errorf("probes of a peer that answers at %v, want one at %v", at, delay)
		}
		return
	}
	if st, _ := state(p.a); st != neigh.StateProbe {
		t.Errorf("at the end of DELAY the peer's entry is %v, want PROBE", st)
	}
	time.Sleep(probes*retrans - time.Millisecond)
	if _, ok := state(p.a); !ok {
		t.Errorf("the entry was removed before the last probe had had RetransTime to be answered")
	}
	time.Sleep(time.Millisecond)
	synctest.Wait()
	if st, ok := state(p.a); ok {
		t.Errorf("after %d unanswered probes the peer's entry is still there, %v", probes, st)
	}
	var want []time.Duration
	for i := range probes {
		want = append(want, delay+time.Duration(i)*retrans)
	}
	at := dev.requestsFor(t, peer, probeTo, used)
	if len(at) != len(want) {
		t.Fatalf("probes of a peer that has gone at %v, want %v", at, want)
	}
	for i := range at {
		if at[i] != want[i] {
			t.Fatalf("probes of a peer that has gone at %v, want %v", at, want)
		}
	}
	if n := failures(p.a); n != 1 {
		t.Errorf("ProbeFailures %d, want 1", n)
	}
}
