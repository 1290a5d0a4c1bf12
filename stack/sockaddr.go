package stack

import (
	"net"
	"net/netip"
	"strconv"
	"syscall"

	"github.com/medina-net/medina/ipv4"
	"github.com/medina-net/medina/ipv6"
)

// Socket addresses of both families, named as package net names them:
// "tcp" and "udp" take either family (and, listening on a wildcard,
// both: [::]:80 hears IPv4 as well), "tcp4"/"udp4" IPv4 only,
// "tcp6"/"udp6" IPv6 only. IPv4 peers are always written as IPv4
// addresses, never IPv4-mapped IPv6 ones.

// family is the set of address families a socket speaks.
type family uint8

const (
	famV4   family = 1 << iota // IPv4
	famV6                      // IPv6
	famDual = famV4 | famV6
)

// has reports whether the family set includes a's family.
func (f family) has(a netip.Addr) bool {
	if a.Is4() {
		return f&famV4 != 0
	}
	return f&famV6 != 0
}

// net returns the network name package net gives sockets of the set.
func (f family) net(proto string) string {
	switch f {
	case famV4:
		return proto + "4"
	case famV6:
		return proto + "6"
	}
	return proto
}

// familyOf is the family set of a socket bound to a by address alone
// (ListenUDP, ListenTCP): the zero Addr and the IPv6 wildcard take both
// families, 0.0.0.0 and the other IPv4 addresses IPv4 only, the other
// IPv6 addresses IPv6 only.
func familyOf(a netip.Addr) family {
	a = a.Unmap()
	switch {
	case !a.IsValid() || a.Is6() && a.IsUnspecified():
		return famDual
	case a.Is4():
		return famV4
	}
	return famV6
}

// familyOf is the package function for a stack: the zero Addr means
// IPv4 alone on a stack that does not speak IPv6.
func (s *Stack) familyOf(a netip.Addr) family {
	if !a.IsValid() && !s.speaks6() {
		return famV4
	}
	return familyOf(a)
}

// unmapPort returns ap with an IPv4-mapped address as plain IPv4 and
// without a zone (the stack has one link).
func unmapPort(ap netip.AddrPort) netip.AddrPort {
	return netip.AddrPortFrom(ap.Addr().Unmap().WithZone(""), ap.Port())
}

// zoneOK reports whether an IPv6 zone names the stack's one link: the
// index 1, or any name (the device's own name, when it has one; a
// device without a name cannot tell names apart, and has only one
// link to mean).
func (s *Stack) zoneOK(zone string) bool {
	if zone == "" {
		return true
	}
	if n, err := strconv.Atoi(zone); err == nil {
		return n == 1
	}
	if d, ok := s.dev.(interface{ Name() string }); ok && d.Name() != "" {
		return d.Name() == zone
	}
	return true
}

// parseAddr parses a "host:port" address for a socket of the protocol
// proto ("udp" or "tcp") on network (proto, proto+"4" or proto+"6"),
// returning it and the families the socket takes. Host names are not
// resolved: the stack has no resolver of its own.
func (s *Stack) parseAddr(op, network, address string, local bool, proto string) (netip.AddrPort, family, error) {
	fail := func(err error) (netip.AddrPort, family, error) {
		return netip.AddrPort{}, 0, &net.OpError{Op: op, Net: network, Err: err}
	}
	var fam family
	switch network {
	case proto:
		fam = famDual
	case proto + "4":
		fam = famV4
	case proto + "6":
		fam = famV6
	default:
		return fail(net.UnknownNetworkError(network))
	}
	host, portStr, err := net.SplitHostPort(address)
	if err != nil {
		return fail(err)
	}
	port, err := strconv.ParseUint(portStr, 10, 16)
	if err != nil {
		return fail(&net.AddrError{Err: "invalid port", Addr: address})
	}
	var addr netip.Addr
	if host == "" {
		// The wildcard: package net listens on both families for "tcp"
		// and "udp", and so does the stack when it speaks IPv6.
		addr = netip.IPv6Unspecified()
		if fam == famV4 || fam == famDual && !s.speaks6() {
			addr, fam = netip.IPv4Unspecified(), famV4
		}
	} else {
		if addr, err = netip.ParseAddr(host); err != nil {
			return fail(&net.AddrError{Err: "not an IP address (names are not resolved)", Addr: address})
		}
		if !s.zoneOK(addr.Zone()) {
			return fail(&net.AddrError{Err: "no such zone: the stack has one link", Addr: address})
		}
		addr = addr.Unmap().WithZone("")
		switch {
		case fam == famV4 && !addr.Is4():
			return fail(&net.AddrError{Err: "not an IPv4 address", Addr: address})
		case fam == famV6 && !addr.Is6():
			return fail(&net.AddrError{Err: "not an IPv6 address", Addr: address})
		case fam == famDual && local && addr.IsUnspecified() && s.speaks6():
			// 0.0.0.0 with "tcp" or "udp" is package net's dual-stack
			// wildcard too.
			addr = netip.IPv6Unspecified()
		case fam == famDual && !(local && addr.IsUnspecified()):
			fam = famV4
			if addr.Is6() {
				fam = famV6
			}
		}
	}
	if local && !addr.IsUnspecified() && !s.isOurs(addr) {
		return fail(syscall.EADDRNOTAVAIL)
	}
	return netip.AddrPortFrom(addr, uint16(port)), fam, nil
}

// speaks6 reports whether the stack speaks IPv6: it has an IPv6 address,
// or Neighbor Discovery will give it some. A stack that does not keeps
// IPv4's wildcard, 0.0.0.0, for "tcp" and "udp" sockets, as it did before
// IPv6.
func (s *Stack) speaks6() bool {
	return s.has6 && (len(s.addrs().v6) > 0 || s.cfg.NDPHandler != nil)
}

// isOurs reports whether a is one of the stack's addresses in use.
func (s *Stack) isOurs(a netip.Addr) bool {
	a = a.Unmap().WithZone("")
	if a.Is4() {
		return s.addrs().ours4(ipv4.Addr(a.As4()))
	}
	return s.addrs().ours6(ipv6.Addr(a.As16()))
}

// localAddr checks the local address of a socket of the families fam:
// the zero Addr means the wildcard (:: for a socket that takes IPv6,
// 0.0.0.0 for an IPv4 one); any other must be one of ours, of a family
// the socket takes.
func (s *Stack) localAddr(laddr netip.AddrPort, fam family) (netip.AddrPort, error) {
	a := laddr.Addr().Unmap().WithZone("")
	switch {
	case !a.IsValid() && fam&famV6 != 0:
		a = netip.IPv6Unspecified()
	case !a.IsValid():
		a = netip.IPv4Unspecified()
	case !fam.has(a), !a.IsUnspecified() && !s.isOurs(a):
		return laddr, syscall.EADDRNOTAVAIL
	}
	return netip.AddrPortFrom(a, laddr.Port()), nil
}

// sourceFor returns the address the stack sends to dst from; ok is false
// when it has none of dst's family.
func (s *Stack) sourceFor(dst netip.Addr) (netip.Addr, bool) {
	dst = dst.Unmap().WithZone("")
	a := s.addrs()
	if dst.Is4() {
		if !a.has4() {
			return netip.Addr{}, false
		}
		d := ipv4.Addr(dst.As4())
		hop, err := s.nextHop(d)
		if err != nil {
			hop = d
		}
		return a.source4(hop).Netip(), true
	}
	src, ok := a.source6(ipv6.Addr(dst.As16()))
	return src.Netip(), ok
}
