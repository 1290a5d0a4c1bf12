package neigh_test

import (
	"fmt"
	"math/rand/v2"
	"net/netip"
	"time"

	"github.com/medina-net/medina/ethernet"
	"github.com/medina-net/medina/neigh"
)

// A table bound to IPv6's Neighbor Discovery: RFC 4861's unicast probes,
// ReachableTime drawn from the stack's random source, and queues that
// give way to the newest datagram. What the stack sends for a request
// depends on its destination: a zero one is a Neighbor Solicitation to
// the target's solicited-node multicast address, any other a unicast NS.
func Example_ndp() {
	tab := neigh.New(neigh.Config{Rand: rand.NewPCG(1, 2), UnicastProbes: true, DropOldest: true})
	now := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	router := netip.MustParseAddr("fe80::1")
	mac := ethernet.Addr{0x02, 0, 0, 0, 0, 1}

	// A datagram for the router: multicast NS.
	r := tab.Resolve(router, []byte("datagram"), now)
	fmt.Println("send NS:", r.Solicit, "unicast:", r.SolicitTo != ethernet.Addr{})

	// Its solicited NA, with the Router flag: the queue goes.
	na := neigh.Message{Kind: neigh.Advertisement, LinkAddr: mac, Solicited: true, Override: true, Router: neigh.RouterYes}
	tab.Input(router, na, now, func(pkt []byte) { fmt.Printf("deliver %q to %v\n", pkt, mac) })
	e, _ := tab.Lookup(router)
	fmt.Println(e.State, "router:", e.IsRouter)

	// An unsolicited NA without the Router flag: it is a host now,
	// and the stack drops it from its default routers.
	na.Solicited, na.Router = false, neigh.RouterNo
	res := tab.Input(router, na, now, nil)
	fmt.Println("router lost:", res.RouterLost)

	// An RA's timers.
	tab.SetBaseReachableTime(20*time.Second, now)
	tab.SetRetransTime(2 * time.Second)
	d := tab.ReachableTime()
	fmt.Println("ReachableTime in [10s, 30s):", d >= 10*time.Second && d < 30*time.Second)
	// Output:
	// send NS: true unicast: false
	// deliver "datagram" to 02:00:00:00:00:01
	// REACHABLE router: true
	// router lost: true
	// ReachableTime in [10s, 30s): true
}
