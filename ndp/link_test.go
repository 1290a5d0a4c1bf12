package ndp

import (
	"math/rand/v2"
	"net/netip"
	"testing"
	"time"

	"github.com/medina-net/medina/ethernet"
	"github.com/medina-net/medina/internal/manualclock"
	"github.com/medina-net/medina/link"
)

// lan is a link on which every message one NDP sends reaches the others
// (never itself: no loopback), on one manual clock.
type lan struct {
	clk    *manualclock.Clock
	nodes  []*NDP
	timers []link.Timer
}

func (l *lan) add(cfg Config) *NDP {
	i := len(l.nodes)
	cfg.Send = func(p Packet) {
		msg := append([]byte(nil), p.Msg...)
		for j, n := range l.nodes {
			if j != i {
				next, _ := n.Input(l.clk.Now(), p.Src, p.Dst, msg)
				l.arm(j, next)
			}
		}
	}
	n := New(cfg)
	l.nodes = append(l.nodes, n)
	l.timers = append(l.timers, nil)
	return n
}

func (l *lan) arm(i int, next time.Time) {
	if l.timers[i] != nil {
		l.timers[i].Stop()
		l.timers[i] = nil
	}
	if !next.IsZero() {
		l.timers[i] = l.clk.AfterFunc(next.Sub(l.clk.Now()), func() { l.arm(i, l.nodes[i].Tick(l.clk.Now())) })
	}
}

// Two hosts that would form the same address (the same key, the same
// interface identifier inputs) on one link: the one whose solicitation
// goes first keeps it, the other hears it while tentative and forms
// another with DAD counter 1 (RFC 7217).
func TestTwoHostsSameAddress(t *testing.T) {
	key := []byte("one key for both, by mistake")
	mac := ethernet.Addr{0x02, 0, 0, 0, 0, 9}
	l := &lan{clk: manualclock.New(t0)}
	a := l.add(Config{MAC: mac, SecretKey: key, Rand: rand.NewPCG(1, 1), NoRouterDiscovery: true})
	b := l.add(Config{MAC: mac, SecretKey: key, Rand: rand.NewPCG(2, 2), NoRouterDiscovery: true})
	l.arm(0, a.Start(t0))
	l.arm(1, b.Start(t0))
	l.clk.Advance(10 * time.Second)
	aa, ab := a.Addresses(), b.Addresses()
	if len(aa) != 1 || len(ab) != 1 || aa[0].State != StatePreferred || ab[0].State != StatePreferred {
		t.Fatalf("addresses %v and %v", aa, ab)
	}
	if aa[0].Prefix == ab[0].Prefix {
		t.Fatalf("both have %v", aa[0].Prefix)
	}
	if aa[0].DADCounter+ab[0].DADCounter != 1 {
		t.Errorf("DAD counters %d and %d, want 0 and 1", aa[0].DADCounter, ab[0].DADCounter)
	}
	if sa, sb := a.Stats(), b.Stats(); sa.DADDuplicates+sb.DADDuplicates != 1 {
		t.Errorf("duplicates %d and %d", sa.DADDuplicates, sb.DADDuplicates)
	}
}

// Hosts with their own seeds never collide, and each joins only its own
// groups.
func TestManyHosts(t *testing.T) {
	l := &lan{clk: manualclock.New(t0)}
	for i := range 20 {
		mac := ethernet.Addr{0x02, 0, 0, 0, 1, byte(i)}
		n := l.add(Config{MAC: mac, Rand: rand.NewPCG(uint64(i), 7), NoRouterDiscovery: true})
		l.arm(i, n.Start(t0))
	}
	l.clk.Advance(10 * time.Second)
	seen := map[netip.Addr]bool{}
	for _, n := range l.nodes {
		ll, ok := n.LinkLocal()
		if !ok || seen[ll] {
			t.Fatalf("link-local %v %v", ll, ok)
		}
		seen[ll] = true
		if st := n.Stats(); st.DADDuplicates != 0 {
			t.Errorf("%v: %+v", ll, st)
		}
	}
}
