package icmpv6_test

import (
	"fmt"

	"github.com/medina-net/medina/icmpv6"
	"github.com/medina-net/medina/ipv6"
)

// A host resolves a neighbor: it solicits the target's solicited-node
// address with its own link-layer address, and reads the advertisement
// that answers.
func Example() {
	me, _ := ipv6.ParseAddr("fe80::200:5eff:fe00:5301")
	peer, _ := ipv6.ParseAddr("fe80::200:5eff:fe00:5302")
	var buf [64]byte
	ns, _ := icmpv6.EncodeNeighborSolicit(buf[:], peer, []byte{0, 0, 0x5e, 0, 0x53, 1}, nil, me, peer.SolicitedNode())
	fmt.Println(ns.Type(), len(ns), "bytes to", peer.SolicitedNode())

	var reply [64]byte
	na, _ := icmpv6.EncodeNeighborAdvert(reply[:], icmpv6.NASolicited|icmpv6.NAOverride, peer, []byte{0, 0, 0x5e, 0, 0x53, 2}, peer, me)
	// What the stack does with a message it received.
	m, err := icmpv6.NewMessage(na)
	if err == nil {
		err = m.Validate(peer, me)
	}
	if err != nil {
		fmt.Println(err)
		return
	}
	target, _ := m.Target()
	if o, ok := m.Options().Find(icmpv6.OptTargetLinkAddr); ok {
		mac, _ := o.EthernetAddr()
		fmt.Printf("%v is at %x, solicited %v\n", target, mac, m.NAFlags()&icmpv6.NASolicited != 0)
	}
	// Output:
	// neighbor solicitation 32 bytes to ff02::1:ff00:5302
	// fe80::200:5eff:fe00:5302 is at 00005e005302, solicited true
}
