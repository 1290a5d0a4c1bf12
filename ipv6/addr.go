package ipv6

import (
	"encoding/binary"
	"errors"
	"fmt"
	"net/netip"
)

// Addr is an IPv6 address in network byte order.
type Addr [16]byte

// AddrLen is the length of an address in bytes.
const AddrLen = 16

// Well-known addresses.
var (
	// Unspecified is ::, the source of a packet sent before the sender
	// has an address (Duplicate Address Detection, RFC 4862).
	Unspecified = Addr{}
	// Loopback is ::1.
	Loopback = Addr{15: 1}
	// AllNodes is ff02::1, every node on the link (RFC 4291).
	AllNodes = Addr{0: 0xff, 1: 0x02, 15: 1}
	// AllRouters is ff02::2, every router on the link.
	AllRouters = Addr{0: 0xff, 1: 0x02, 15: 2}
	// AllMLDv2Routers is ff02::16, where MLDv2 reports go (RFC 3810).
	AllMLDv2Routers = Addr{0: 0xff, 1: 0x02, 15: 0x16}
)

// AddrFromNetip converts a netip.Addr to an Addr. It accepts any IPv6
// address, an IPv4-mapped one included, and drops the zone; ok is false
// for an IPv4 address and the zero netip.Addr.
func AddrFromNetip(ip netip.Addr) (a Addr, ok bool) {
	if !ip.Is6() {
		return a, false
	}
	return Addr(ip.As16()), true
}

// Netip returns a as a netip.Addr, without a zone.
func (a Addr) Netip() netip.Addr { return netip.AddrFrom16(a) }

// IsUnspecified reports whether a is ::.
func (a Addr) IsUnspecified() bool { return a == Unspecified }

// IsLoopback reports whether a is ::1.
func (a Addr) IsLoopback() bool { return a == Loopback }

// IsMulticast reports whether a is in ff00::/8.
func (a Addr) IsMulticast() bool { return a[0] == 0xff }

// MulticastScope returns the 4-bit scope of a multicast address (RFC 4291
// 2.7: 1 interface-local, 2 link-local, 5 site-local, 8
// organization-local, 14 global), and 0 for an address that is not
// multicast.
func (a Addr) MulticastScope() uint8 {
	if !a.IsMulticast() {
		return 0
	}
	return a[1] & 0x0f
}

// IsLinkLocalUnicast reports whether a is in fe80::/10.
func (a Addr) IsLinkLocalUnicast() bool { return a[0] == 0xfe && a[1]&0xc0 == 0x80 }

// IsLinkLocalMulticast reports whether a is a multicast address of
// link-local scope (ff02::/16 and its flag variants).
func (a Addr) IsLinkLocalMulticast() bool { return a.MulticastScope() == 2 }

// IsUniqueLocal reports whether a is in fc00::/7 (RFC 4193).
func (a Addr) IsUniqueLocal() bool { return a[0]&0xfe == 0xfc }

// Is4In6 reports whether a is an IPv4-mapped address, ::ffff:0:0/96.
func (a Addr) Is4In6() bool {
	return binary.BigEndian.Uint64(a[:8]) == 0 && binary.BigEndian.Uint32(a[8:]) == 0xffff
}

// IsGlobalUnicast reports whether a is a unicast address that is not
// unspecified, loopback, link-local or IPv4-mapped: one a stack may use
// beyond the link. Unique local addresses count, as they do for
// netip.Addr.IsGlobalUnicast.
func (a Addr) IsGlobalUnicast() bool {
	return !a.IsUnspecified() && !a.IsLoopback() && !a.IsMulticast() && !a.IsLinkLocalUnicast() && !a.Is4In6()
}

// SolicitedNode returns the solicited-node multicast address of a,
// ff02::1:ffXX:XXXX with the low 24 bits of a (RFC 4291 2.7.1), where a
// Neighbor Solicitation for a is sent.
func (a Addr) SolicitedNode() Addr {
	return Addr{0: 0xff, 1: 0x02, 11: 0x01, 12: 0xff, 13: a[13], 14: a[14], 15: a[15]}
}

// IsSolicitedNode reports whether a is a solicited-node multicast address,
// in ff02::1:ff00:0/104.
func (a Addr) IsSolicitedNode() bool {
	return a[0] == 0xff && a[1] == 0x02 && binary.BigEndian.Uint64(a[2:10]) == 0 && a[10] == 0 && a[11] == 1 && a[12] == 0xff
}

// EthernetMulticast returns the Ethernet address a multicast IPv6 address
// maps to, 33:33 and its low 32 bits (RFC 2464 section 7).
func (a Addr) EthernetMulticast() [6]byte {
	return [6]byte{0x33, 0x33, a[12], a[13], a[14], a[15]}
}

// String formats a as tcpdump 4.99.3 prints an IPv6 address; see AppendTo.
func (a Addr) String() string {
	var buf [46]byte
	return string(a.AppendTo(buf[:0]))
}

// AppendTo appends a to b as tcpdump 4.99.3 prints an IPv6 address, without
// allocating (beyond growing b): lowercase hexadecimal groups without
// leading zeros, the first of the longest runs of two or more zero groups
// written "::" (RFC 5952 section 4.2), and the last 32 bits in dotted
// decimal when the first 96 bits are those of an IPv4-compatible
// (::a.b.c.d, not :: or ::1 and not a run longer than 6) or IPv4-mapped
// (::ffff:a.b.c.d) address. The IPv4-compatible form is where it differs
// from netip.Addr.String, which writes ::102:304 for ::1.2.3.4.
func (a Addr) AppendTo(b []byte) []byte {
	// The longest run of zero groups, the first of equals winning.
	best, bestLen := -1, 0
	for i := 0; i < 8; {
		if a[2*i] != 0 || a[2*i+1] != 0 {
			i++
			continue
		}
		j := i
		for j < 8 && a[2*j] == 0 && a[2*j+1] == 0 {
			j++
		}
		if j-i > bestLen {
			best, bestLen = i, j-i
		}
		i = j
	}
	if bestLen < 2 {
		best = -1
	}
	for i := 0; i < 8; i++ {
		if best >= 0 && i >= best && i < best+bestLen {
			if i == best {
				b = append(b, ':')
			}
			continue
		}
		if i != 0 {
			b = append(b, ':')
		}
		if i == 6 && best == 0 && (bestLen == 6 || bestLen == 5 && a[10] == 0xff && a[11] == 0xff) {
			return appendDotted(b, a[12:16])
		}
		b = appendHex16(b, uint16(a[2*i])<<8|uint16(a[2*i+1]))
	}
	if best >= 0 && best+bestLen == 8 {
		b = append(b, ':')
	}
	return b
}

const hexDigits = "0123456789abcdef"

// appendHex16 appends v in lowercase hexadecimal without leading zeros.
func appendHex16(b []byte, v uint16) []byte {
	switch {
	case v >= 0x1000:
		return append(b, hexDigits[v>>12], hexDigits[v>>8&0xf], hexDigits[v>>4&0xf], hexDigits[v&0xf])
	case v >= 0x100:
		return append(b, hexDigits[v>>8], hexDigits[v>>4&0xf], hexDigits[v&0xf])
	case v >= 0x10:
		return append(b, hexDigits[v>>4], hexDigits[v&0xf])
	}
	return append(b, hexDigits[v])
}

// appendDotted appends the 4 bytes of an embedded IPv4 address in dotted
// decimal, as ipv4.Addr.AppendTo does.
func appendDotted(b []byte, a []byte) []byte {
	for i, x := range a[:4] {
		if i > 0 {
			b = append(b, '.')
		}
		switch {
		case x >= 100:
			b = append(b, '0'+x/100, '0'+x/10%10, '0'+x%10)
		case x >= 10:
			b = append(b, '0'+x/10, '0'+x%10)
		default:
			b = append(b, '0'+x)
		}
	}
	return b
}

// ErrBadAddr is returned by ParseAddr for text that is not an IPv6
// address.
var ErrBadAddr = errors.New("ipv6: bad address")

// ParseAddr parses an IPv6 address in any of the forms of RFC 4291 section
// 2.2, the embedded IPv4 form included. A zone ("fe80::1%eth0") is
// refused: an Addr has none, and dropping it silently would change which
// link the address is on.
func ParseAddr(s string) (Addr, error) {
	ip, err := netip.ParseAddr(s)
	if err != nil || !ip.Is6() || ip.Zone() != "" {
		return Addr{}, fmt.Errorf("%w %q", ErrBadAddr, s)
	}
	return Addr(ip.As16()), nil
}
