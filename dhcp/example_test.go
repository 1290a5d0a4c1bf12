package dhcp_test

import (
	"fmt"
	"math/rand/v2"
	"time"

	"github.com/medina-net/medina/dhcp"
	"github.com/medina-net/medina/ethernet"
	"github.com/medina-net/medina/ipv4"
)

// A client leases an address: DISCOVER, OFFER, REQUEST, ACK, the probes
// of RFC 5227, and the lease. The caller sends what Send gets and calls
// Tick when asked; here the server's answers are built by hand and a
// loop plays the clock.
func Example() {
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	var last dhcp.Message
	c := dhcp.NewClient(dhcp.Config{
		MAC:  ethernet.Addr{0x52, 0x54, 0x00, 0x12, 0x34, 0x56},
		Rand: rand.NewPCG(1, 2), // seeded: the same transaction IDs every run
		Send: func(p dhcp.Packet) {
			if p.Kind != dhcp.PacketDHCP {
				fmt.Println("send", p.Kind, p.Target)
				return
			}
			last = append(dhcp.Message(nil), p.Msg...)
			fmt.Println("send", last.MessageType(), p.Src, "->", p.Dst)
		},
		Event: func(e dhcp.Event) {
			fmt.Println("event", e.Kind, e.Lease.Addr, "DNS", e.Lease.DNS, "lease", e.Lease.Duration)
		},
	})
	// answer builds the server's reply to the last message.
	answer := func(t dhcp.MessageType) []byte {
		o := dhcp.AppendMessageType(nil, t)
		o = dhcp.AppendAddr(o, dhcp.OptServerID, ipv4.Addr{192, 0, 2, 1})
		o = dhcp.AppendUint32(o, dhcp.OptLeaseTime, 3600)
		o = dhcp.AppendAddr(o, dhcp.OptSubnetMask, ipv4.Addr{255, 255, 255, 0})
		o = dhcp.AppendAddrs(o, dhcp.OptDNS, ipv4.Addr{192, 0, 2, 53})
		f := dhcp.Fields{Op: dhcp.OpReply, XID: last.XID(), YIAddr: ipv4.Addr{192, 0, 2, 10}, CHAddr: last.CHAddr(), Options: o}
		m, _ := f.Encode(make([]byte, dhcp.MaxLen))
		return m
	}
	next := c.Start(now)
	next, _ = c.Input(now, answer(dhcp.Offer))
	next, _ = c.Input(now, answer(dhcp.Ack))
	for !next.IsZero() && next.Before(now.Add(10*time.Second)) {
		next = c.Tick(next)
	}
	fmt.Println(c.State())
	// Output:
	// send DISCOVER 0.0.0.0 -> 255.255.255.255
	// send REQUEST 0.0.0.0 -> 255.255.255.255
	// send arp-probe 192.0.2.10
	// send arp-probe 192.0.2.10
	// send arp-probe 192.0.2.10
	// event bound 192.0.2.10/24 DNS [192.0.2.53] lease 1h0m0s
	// send arp-announce 192.0.2.10
	// send arp-announce 192.0.2.10
	// BOUND
}
