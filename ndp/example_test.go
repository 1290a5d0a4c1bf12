package ndp_test

import (
	"fmt"
	"math/rand/v2"
	"time"

	"github.com/medina-net/medina/ethernet"
	"github.com/medina-net/medina/icmpv6"
	"github.com/medina-net/medina/ipv6"
	"github.com/medina-net/medina/ndp"
)

// A host comes up on a link with a router: its link-local address passes
// DAD, a Router Advertisement gives it a prefix, and SLAAC a global
// address in it. The caller sends what Send gets and calls Tick when
// asked; here a loop plays the clock.
func Example() {
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	n := ndp.New(ndp.Config{
		MAC:  ethernet.Addr{0x52, 0x54, 0x00, 0x12, 0x34, 0x56},
		Rand: rand.NewPCG(1, 2), // seeded: the same addresses every run
		Send: func(p ndp.Packet) { fmt.Printf("send %v %v -> %v\n", p.Kind, p.Src, p.Dst) },
		Event: func(e ndp.Event) {
			fmt.Println("event", e)
		},
	})
	// run ticks the NDP until until, as a timer armed at each returned
	// deadline would.
	run := func(next time.Time, until time.Time) {
		for !next.IsZero() && !next.After(until) {
			now = next
			next = n.Tick(now)
		}
		now = until
	}
	run(n.Start(now), now.Add(2*time.Second))

	// The router's advertisement: a 30-minute router lifetime and
	// 2001:db8:1::/64, on-link and autonomous.
	router := ipv6.Addr{0: 0xfe, 1: 0x80, 15: 1}
	opts := icmpv6.AppendPrefixInfo(nil, icmpv6.PrefixInfo{PrefixLen: 64,
		Flags:         icmpv6.PrefixOnLink | icmpv6.PrefixAutonomous,
		ValidLifetime: 86400, PreferredLifetime: 14400,
		Prefix: ipv6.Addr{0x20, 0x01, 0x0d, 0xb8, 0, 1}})
	adv := icmpv6.RouterAdvert{CurHopLimit: 64, RouterLifetime: 1800, Options: opts}
	ra, _ := adv.Encode(make([]byte, icmpv6.RouterAdvertLen+len(opts)), router, ipv6.AllNodes)
	next, err := n.Input(now, router.Netip(), ipv6.AllNodes.Netip(), ra)
	if err != nil {
		fmt.Println(err)
	}
	run(next, now.Add(10*time.Second))

	for _, a := range n.Addresses() {
		fmt.Println(a.Prefix, a.State, a.Origin)
	}
	fmt.Println("routers:", len(n.Routers()), "hop limit:", n.HopLimit())
	// Output:
	// event addr-tentative fe80::4710:ee2b:6363:81d1/64 (link-local)
	// send mldv2-report :: -> ff02::16
	// send dad-solicit :: -> ff02::1:ff63:81d1
	// send router-solicit :: -> ff02::2
	// send mldv2-report :: -> ff02::16
	// event addr-preferred fe80::4710:ee2b:6363:81d1/64 (link-local)
	// event hop-limit 64
	// event router-added fe80::1
	// event prefix-added 2001:db8:1::/64
	// event addr-tentative 2001:db8:1:0:619e:e170:70ff:c3d2/64 (slaac)
	// send mldv2-report fe80::4710:ee2b:6363:81d1 -> ff02::16
	// send dad-solicit :: -> ff02::1:ffff:c3d2
	// send mldv2-report fe80::4710:ee2b:6363:81d1 -> ff02::16
	// event addr-preferred 2001:db8:1:0:619e:e170:70ff:c3d2/64 (slaac)
	// fe80::4710:ee2b:6363:81d1/64 preferred link-local
	// 2001:db8:1:0:619e:e170:70ff:c3d2/64 preferred slaac
	// routers: 1 hop limit: 64
}
