package stack

import (
	"encoding/binary"
	"fmt"
	"math/bits"
	"net/netip"
	"slices"

	"github.com/medina-net/medina/ethernet"
	"github.com/medina-net/medina/ipv4"
	"github.com/medina-net/medina/ipv6"
)

// The stack's addresses, both families. Config gives the first ones;
// the IPv6 ones may change while the stack runs (AddAddress,
// RemoveAddress, SetAddressTentative: the seam through which Neighbor
// Discovery's address configuration, package ndp, adds link-local and
// SLAAC addresses once Duplicate Address Detection has passed). The set
// is an immutable snapshot replaced whole on every change, so that the
// receive path reads it with one atomic load and no lock.

// addr4 is one IPv4 address of the stack's and its link.
type addr4 struct {
	addr    ipv4.Addr
	prefix  netip.Prefix // masked
	bcast   ipv4.Addr    // the link's directed broadcast address
	network ipv4.Addr    // the link's network address, its all-zeros host
}

// addr6 is one IPv6 address of the stack's and its on-link prefix.
type addr6 struct {
	addr   ipv6.Addr
	prefix netip.Prefix // masked; /128 when nothing else is on link
	// tentative: Duplicate Address Detection has not passed (RFC 4862
	// 5.4): the address is not used as a source and packets to it are
	// not accepted, but Neighbor Solicitations for it go to the NDP
	// handler, which must hear of a duplicate.
	tentative bool
	// deprecated: its preferred lifetime is over (RFC 4862 5.5.4). It
	// still receives, and goes on as the source of connections that use
	// it, but a new packet takes another source of the same scope if
	// there is one (RFC 6724 rule 3).
	deprecated bool
}

// ifaddrs is the set of addresses at one moment; never modified once
// published.
type ifaddrs struct {
	v4 []addr4 // the first is the primary address
	v6 []addr6
	// groups6 are the IPv6 multicast groups the stack listens to:
	// all-nodes and the solicited-node group of every address, tentative
	// ones included (RFC 4862 5.4.2); macs6 are their Ethernet addresses.
	groups6 []ipv6.Addr
	macs6   []ethernet.Addr
	// gw6 is the IPv6 default router, when hasGW6; gw4 the IPv4
	// gateway, when hasGW4.
	gw6    ipv6.Addr
	hasGW6 bool
	gw4    ipv4.Addr
	hasGW4 bool
	// routes4 are IPv4 routes other than the default one (a DHCP
	// lease's classless routes, dhcp_addrs.go).
	routes4 []route4
	// layer3: the stack's device is a layer-3 link (link.Layer3), on
	// which every destination is.
	layer3 bool
}

func newAddr4(p netip.Prefix) addr4 {
	pm := p.Masked()
	return addr4{addr: ipv4.Addr(p.Addr().As4()), prefix: pm, bcast: directedBroadcast(pm), network: ipv4.Addr(pm.Addr().As4())}
}

// withGroups returns a with its multicast groups computed.
func (a *ifaddrs) withGroups() *ifaddrs {
	// The slices may be a previous snapshot's: start new ones.
	a.groups6, a.macs6 = nil, nil
	if len(a.v6) == 0 {
		return a
	}
	add := func(g ipv6.Addr) {
		if !slices.Contains(a.groups6, g) {
			a.groups6 = append(a.groups6, g)
			a.macs6 = append(a.macs6, ethernet.Addr(g.EthernetMulticast()))
		}
	}
	add(ipv6.AllNodes)
	for _, x := range a.v6 {
		add(x.addr.SolicitedNode())
	}
	return a
}

// has4 reports whether the stack has an IPv4 address.
func (a *ifaddrs) has4() bool { return len(a.v4) > 0 }

// primary4 returns the primary IPv4 address, ok false without one.
func (a *ifaddrs) primary4() (p addr4, ok bool) {
	if len(a.v4) == 0 {
		return addr4{}, false
	}
	return a.v4[0], true
}

// ours4 reports whether a is one of our IPv4 addresses.
func (a *ifaddrs) ours4(x ipv4.Addr) bool {
	for i := range a.v4 {
		if a.v4[i].addr == x {
			return true
		}
	}
	return false
}

// find6 returns our IPv6 address x, tentative or not. It runs for every
// packet received and sent: the loop indexes rather than copying each
// entry.
func (a *ifaddrs) find6(x ipv6.Addr) (*addr6, bool) {
	for i := range a.v6 {
		if a.v6[i].addr == x {
			return &a.v6[i], true
		}
	}
	return nil, false
}

// ours6 reports whether x is one of our IPv6 addresses that is in use
// (not tentative).
func (a *ifaddrs) ours6(x ipv6.Addr) bool {
	y, ok := a.find6(x)
	return ok && !y.tentative
}

// joined6 reports whether the stack listens to multicast group g.
func (a *ifaddrs) joined6(g ipv6.Addr) bool { return slices.Contains(a.groups6, g) }

// joinedMAC reports whether m is the Ethernet address of a group joined.
func (a *ifaddrs) joinedMAC(m ethernet.Addr) bool { return slices.Contains(a.macs6, m) }

// onLink6 reports whether dst is on the link: link-local, or in the
// prefix of one of our addresses.
func (a *ifaddrs) onLink6(dst ipv6.Addr) bool {
	if dst.IsLinkLocalUnicast() {
		return true
	}
	for i := range a.v6 {
		// The address is in its prefix, so sharing the prefix's bits
		// with it is being in the prefix: cheaper than Prefix.Contains,
		// for every packet sent.
		if bits := a.v6[i].prefix.Bits(); bits < 128 && commonPrefixLen(a.v6[i].addr, dst) >= bits {
			return true
		}
	}
	return false
}

// source6 picks the source address of a packet to dst, by the first of
// RFC 6724's rules that tell the candidates apart: the right scope (a
// link-local address for a link-local destination or a link-scoped
// multicast group, else a global one; rule 2), not deprecated (rule 3),
// the longest prefix shared with dst (rule 8, which also gives rule 1:
// dst itself). Tentative addresses are never chosen. ok is false when
// the stack has no usable IPv6 address.
func (a *ifaddrs) source6(dst ipv6.Addr) (src ipv6.Addr, ok bool) {
	linkScope := dst.IsLinkLocalUnicast() || dst.IsMulticast() && dst.MulticastScope() <= 2
	best, bestScore := -1, -1
	for i := range a.v6 {
		y := &a.v6[i]
		if y.tentative {
			continue
		}
		score := commonPrefixLen(y.addr, dst) // at most 128
		if y.addr.IsLinkLocalUnicast() == linkScope {
			score += 512
		}
		if !y.deprecated {
			score += 256
		}
		if score > bestScore {
			best, bestScore = i, score
		}
	}
	if best < 0 {
		return ipv6.Addr{}, false
	}
	return a.v6[best].addr, true
}

// commonPrefixLen returns how many leading bits a and b share: source
// selection runs it for every address on every packet sent, so it
// compares 64 bits at a time.
func commonPrefixLen(a, b ipv6.Addr) int {
	if x := binary.BigEndian.Uint64(a[:8]) ^ binary.BigEndian.Uint64(b[:8]); x != 0 {
		return bits.LeadingZeros64(x)
	}
	return 64 + bits.LeadingZeros64(binary.BigEndian.Uint64(a[8:])^binary.BigEndian.Uint64(b[8:]))
}

// source4 returns the IPv4 address to send from to the neighbour hop:
// the one on hop's link, else the primary one, else (a stack whose
// lease just ended) 0.0.0.0.
func (a *ifaddrs) source4(hop ipv4.Addr) ipv4.Addr {
	n := hop.Netip()
	for i := range a.v4 {
		if a.v4[i].prefix.Contains(n) {
			return a.v4[i].addr
		}
	}
	if len(a.v4) == 0 {
		return ipv4.Addr{}
	}
	return a.v4[0].addr
}

// clone returns a copy of a to modify and publish.
func (a *ifaddrs) clone() *ifaddrs {
	n := *a
	n.v4 = slices.Clone(a.v4)
	n.v6 = slices.Clone(a.v6)
	return &n
}

// SetRouter6 makes router (a link-local address, as Router
// Advertisements come from, or any on-link one) the default router for
// IPv6 destinations off the link; the invalid Addr removes it. It is how
// Neighbor Discovery's router discovery (package ndp) routes.
func (s *Stack) SetRouter6(router netip.Addr) error {
	var r ipv6.Addr
	if router.IsValid() {
		var ok bool
		if r, ok = ipv6.AddrFromNetip(router.WithZone("")); !ok || r.IsMulticast() || r.IsUnspecified() {
			return fmt.Errorf("%w: router %v", ErrConfig, router)
		}
	}
	s.addrMu.Lock()
	defer s.addrMu.Unlock()
	n := s.addrs().clone()
	n.gw6, n.hasGW6 = r, router.IsValid()
	s.ifaddrs.Store(n)
	return nil
}

// addrs returns the current address set.
func (s *Stack) addrs() *ifaddrs { return s.ifaddrs.Load() }

// AddrFlags qualify an address given to AddAddress.
type AddrFlags uint8

const (
	// AddrTentative adds the address as tentative: Duplicate Address
	// Detection is to run (the caller's business, RFC 4862 5.4); the
	// stack joins its solicited-node group and passes Neighbor
	// Solicitations and Advertisements for it to the NDP handler, but
	// neither uses it nor accepts packets for it until
	// SetAddressTentative clears the flag.
	AddrTentative AddrFlags = 1 << iota
	// AddrDeprecated adds the address as deprecated: in use, but not
	// chosen as the source of new traffic while another address of the
	// same scope is there (SetAddressDeprecated).
	AddrDeprecated
)

// AddAddress adds an IPv6 address and the prefix on the link, such as
// 2001:db8::2/64 (a /128 puts nothing else on the link), while the stack
// runs. An address already there has its prefix and flags replaced. It
// is how Neighbor Discovery's address configuration (link-local
// addresses, SLAAC) gives the stack addresses.
func (s *Stack) AddAddress(p netip.Prefix, flags AddrFlags) error {
	if !p.IsValid() || !p.Addr().Is6() || p.Addr().Is4In6() {
		return fmt.Errorf("%w: %v is not an IPv6 prefix", ErrConfig, p)
	}
	a, _ := ipv6.AddrFromNetip(p.Addr().WithZone(""))
	if a.IsMulticast() || a.IsUnspecified() || a.IsLoopback() {
		return fmt.Errorf("%w: %v cannot be an address of the stack's", ErrConfig, p)
	}
	if s.mtu < ipv6.MinMTU {
		return fmt.Errorf("%w: device MTU %d is below IPv6's minimum of %d", ErrConfig, s.mtu, ipv6.MinMTU)
	}
	s.addrMu.Lock()
	defer s.addrMu.Unlock()
	s.ensureNeigh6()
	old := s.addrs()
	n := old.clone()
	x := addr6{addr: a, prefix: p.Masked(), tentative: flags&AddrTentative != 0, deprecated: flags&AddrDeprecated != 0}
	if i := slices.IndexFunc(n.v6, func(y addr6) bool { return y.addr == a }); i >= 0 {
		n.v6[i] = x
	} else {
		n.v6 = append(n.v6, x)
	}
	s.ifaddrs.Store(n.withGroups())
	return nil
}

// RemoveAddress removes an IPv6 address (a failed Duplicate Address
// Detection, an expired prefix), reporting whether it was there.
func (s *Stack) RemoveAddress(a netip.Addr) bool {
	return s.modify6(a, func(n *ifaddrs, i int) { n.v6 = slices.Delete(n.v6, i, i+1) })
}

// SetAddressTentative marks an IPv6 address tentative or, once Duplicate
// Address Detection has passed, preferred, reporting whether the address
// is there.
func (s *Stack) SetAddressTentative(a netip.Addr, tentative bool) bool {
	return s.modify6(a, func(n *ifaddrs, i int) { n.v6[i].tentative = tentative })
}

// SetAddressDeprecated marks an IPv6 address deprecated (its preferred
// lifetime over, RFC 4862 5.5.4) or preferred again, reporting whether
// the address is there. A deprecated address still receives and still
// serves the connections that use it, but new traffic takes another
// source of the same scope where there is one (RFC 6724 rule 3).
func (s *Stack) SetAddressDeprecated(a netip.Addr, deprecated bool) bool {
	return s.modify6(a, func(n *ifaddrs, i int) { n.v6[i].deprecated = deprecated })
}

// modify6 publishes a new address set, a copy of the current one in
// which f has changed (or removed) our IPv6 address a, at n.v6[i];
// it reports whether a is there.
func (s *Stack) modify6(a netip.Addr, f func(n *ifaddrs, i int)) bool {
	x, ok := ipv6.AddrFromNetip(a.WithZone(""))
	if !ok {
		return false
	}
	s.addrMu.Lock()
	defer s.addrMu.Unlock()
	old := s.addrs()
	i := slices.IndexFunc(old.v6, func(y addr6) bool { return y.addr == x })
	if i < 0 {
		return false
	}
	n := old.clone()
	f(n, i)
	s.ifaddrs.Store(n.withGroups())
	return true
}

// Addrs returns the stack's addresses with their prefixes: the IPv4 ones,
// the primary first, then the IPv6 ones in use (not tentative).
func (s *Stack) Addrs() []netip.Prefix {
	a := s.addrs()
	out := make([]netip.Prefix, 0, len(a.v4)+len(a.v6))
	for _, x := range a.v4 {
		out = append(out, netip.PrefixFrom(x.addr.Netip(), x.prefix.Bits()))
	}
	for _, x := range a.v6 {
		if !x.tentative {
			out = append(out, netip.PrefixFrom(x.addr.Netip(), x.prefix.Bits()))
		}
	}
	return out
}
