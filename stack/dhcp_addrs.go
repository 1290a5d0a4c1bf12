package stack

import (
	"fmt"
	"net/netip"
	"slices"

	"github.com/medina-net/medina/ipv4"
)

// IPv4 configuration that changes while the stack runs: the addresses,
// gateway, routes and link MTU a DHCP lease gives (dhcp.go). Like the
// IPv6 addresses, they live in the ifaddrs snapshot, replaced whole on
// every change and read with one atomic load.

// route4 is a route to an IPv4 prefix: through gw, or on the link when
// gw is zero (RFC 3442's routes with a router of 0.0.0.0).
type route4 struct {
	prefix netip.Prefix // masked
	gw     ipv4.Addr
}

// route4 returns the neighbour to send a datagram for dst to by the
// longest of the routes that holds it, ok false when none does.
func (a *ifaddrs) route4(dst ipv4.Addr) (hop ipv4.Addr, ok bool) {
	best := -1
	d := dst.Netip()
	for i := range a.routes4 {
		r := &a.routes4[i]
		if r.prefix.Contains(d) && (best < 0 || r.prefix.Bits() > a.routes4[best].prefix.Bits()) {
			best = i
		}
	}
	if best < 0 {
		return ipv4.Addr{}, false
	}
	if g := a.routes4[best].gw; !g.IsUnspecified() {
		return g, true
	}
	return dst, true
}

// addAddr4 adds an IPv4 address and the prefix of its link, or replaces
// the prefix of one already there; the first IPv4 address is the
// primary one.
func (s *Stack) addAddr4(p netip.Prefix) error {
	a := p.Addr()
	if !p.IsValid() || !a.Is4() || a.IsUnspecified() || a.IsMulticast() || a.IsLoopback() || a == netip.AddrFrom4([4]byte{255, 255, 255, 255}) {
		return fmt.Errorf("%w: %v cannot be an IPv4 address of the stack's", ErrConfig, p)
	}
	s.addrMu.Lock()
	defer s.addrMu.Unlock()
	n := s.addrs().clone()
	x := newAddr4(p)
	if i := slices.IndexFunc(n.v4, func(y addr4) bool { return y.addr == x.addr }); i >= 0 {
		n.v4[i] = x
	} else {
		n.v4 = append(n.v4, x)
	}
	s.ifaddrs.Store(n)
	return nil
}

// removeAddr4 removes an IPv4 address, reporting whether it was there.
// The next one, if any, becomes the primary address.
func (s *Stack) removeAddr4(a netip.Addr) bool {
	if !a.Is4() {
		return false
	}
	x := ipv4.Addr(a.As4())
	s.addrMu.Lock()
	defer s.addrMu.Unlock()
	old := s.addrs()
	i := slices.IndexFunc(old.v4, func(y addr4) bool { return y.addr == x })
	if i < 0 {
		return false
	}
	n := old.clone()
	n.v4 = slices.Delete(n.v4, i, i+1)
	s.ifaddrs.Store(n)
	return true
}

// setRoutes4 sets the IPv4 gateway (the invalid Addr removes it) and the
// routes to prefixes other than the default one. A gateway or route
// whose router is not on the link of one of our addresses is left out,
// as Linux refuses such a route: the count of those left out is
// returned.
func (s *Stack) setRoutes4(gw netip.Addr, routes []route4) (skipped int) {
	s.addrMu.Lock()
	defer s.addrMu.Unlock()
	n := s.addrs().clone()
	onLink := func(g ipv4.Addr) bool {
		return slices.ContainsFunc(n.v4, func(y addr4) bool { return y.prefix.Contains(g.Netip()) })
	}
	n.gw4, n.hasGW4 = ipv4.Addr{}, false
	if gw.Is4() {
		if g := ipv4.Addr(gw.As4()); onLink(g) {
			n.gw4, n.hasGW4 = g, true
		} else {
			skipped++
		}
	}
	n.routes4 = nil
	for _, r := range routes {
		if !r.gw.IsUnspecified() && !onLink(r.gw) {
			skipped++
			continue
		}
		n.routes4 = append(n.routes4, r)
	}
	s.ifaddrs.Store(n)
	return skipped
}

// setLinkMTU4 sets the MTU of IPv4 datagrams on the link, as DHCP's
// Interface MTU option does: at least 68 (RFC 791), at most the
// device's; 0 goes back to the device's.
func (s *Stack) setLinkMTU4(mtu int) error {
	if mtu != 0 && (mtu < minMTU || mtu > s.mtu) {
		return fmt.Errorf("%w: IPv4 link MTU %d not in [%d, %d]", ErrConfig, mtu, minMTU, s.mtu)
	}
	s.mtu4Set.Store(int32(mtu))
	return nil
}

// linkMTU4 is the MTU of IPv4 datagrams on the link.
func (s *Stack) linkMTU4() int {
	if m := int(s.mtu4Set.Load()); m != 0 {
		return m
	}
	return s.mtu
}
