package stack

import (
	"fmt"
	"time"

	"github.com/medina-net/medina/ipv6"
)

// What a Router Advertisement tells a host about its link (RFC 4861
// 6.3.4), which package ndp reads and the stack applies: the link MTU,
// the hop limit, and the neighbour table's timers. The rest of what ndp
// learns goes through AddAddress, RemoveAddress, SetAddressTentative and
// SetRouter6 (addrs.go); its messages go out by SendICMPv6 and come in by
// Config.NDPHandler.

// SetLinkMTU6 sets the MTU of IPv6 packets on the link, as a Router
// Advertisement's MTU option does: at least 1280 (RFC 8200 5), at most
// the device's; 0 goes back to the device's.
func (s *Stack) SetLinkMTU6(mtu int) error {
	if mtu != 0 && (mtu < ipv6.MinMTU || mtu > s.mtu) {
		return fmt.Errorf("%w: IPv6 link MTU %d not in [%d, %d]", ErrConfig, mtu, ipv6.MinMTU, s.mtu)
	}
	s.mtu6Set.Store(int32(mtu))
	return nil
}

// linkMTU6 is the MTU of IPv6 packets on the link.
func (s *Stack) linkMTU6() int {
	if m := int(s.mtu6Set.Load()); m != 0 {
		return m
	}
	return s.mtu
}

// SetHopLimit6 sets the hop limit of the IPv6 packets the stack sends, as
// a Router Advertisement's Cur Hop Limit does; 0 goes back to
// Config.HopLimit. Neighbor Discovery's messages keep 255.
func (s *Stack) SetHopLimit6(n uint8) { s.hopLimit6Set.Store(uint32(n)) }

// hopLimit6 is the hop limit of the IPv6 packets the stack sends.
func (s *Stack) hopLimit6() uint8 {
	if n := uint8(s.hopLimit6Set.Load()); n != 0 {
		return n
	}
	return s.cfg.HopLimit
}

// SetNDPTimers sets the IPv6 neighbour table's BaseReachableTime and
// RetransTimer, as a Router Advertisement's Reachable Time and Retrans
// Timer do; a zero duration leaves that one as it is.
func (s *Stack) SetNDPTimers(baseReachable, retrans time.Duration) {
	s.addrMu.Lock()
	s.ensureNeigh6()
	s.addrMu.Unlock()
	nt := s.nd6()
	if baseReachable > 0 {
		nt.SetBaseReachableTime(baseReachable, s.clock.Now())
	}
	if retrans > 0 {
		nt.SetRetransTime(retrans)
	}
	// New times may bring the table's next deadline forward.
	s.neigh6Timer.arm(nt.Deadline())
}
