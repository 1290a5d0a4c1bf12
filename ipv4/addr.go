package ipv4

import (
	"encoding/binary"
	"errors"
	"fmt"
	"net/netip"
)

// Addr is an IPv4 address in network byte order.
type Addr [4]byte

// Well-known addresses.
var (
	// Unspecified is 0.0.0.0, the "this host" source of RFC 1122.
	Unspecified = Addr{}
	// Broadcast is 255.255.255.255, the limited broadcast address.
	Broadcast = Addr{255, 255, 255, 255}
)

// AddrFromUint32 returns the address whose big-endian value is v, the
// form routing tables and masks compute with.
func AddrFromUint32(v uint32) (a Addr) {
	binary.BigEndian.PutUint32(a[:], v)
	return a
}

// Uint32 returns a as a big-endian integer.
func (a Addr) Uint32() uint32 { return binary.BigEndian.Uint32(a[:]) }

// AddrFromNetip converts a netip.Addr to an Addr. It accepts an IPv4 address
// and an IPv4-mapped IPv6 address (::ffff:a.b.c.d), which the Go standard
// library hands out for IPv4 peers of dual-stack sockets; ok is false for
// anything else.
func AddrFromNetip(ip netip.Addr) (a Addr, ok bool) {
	ip = ip.Unmap()
	if !ip.Is4() {
		return a, false
	}
	return Addr(ip.As4()), true
}

// Netip returns a as a netip.Addr.
func (a Addr) Netip() netip.Addr { return netip.AddrFrom4(a) }

// IsUnspecified reports whether a is 0.0.0.0.
func (a Addr) IsUnspecified() bool { return a == Unspecified }

// IsBroadcast reports whether a is the limited broadcast 255.255.255.255.
// A subnet's directed broadcast depends on its mask, which an address alone
// does not know.
func (a Addr) IsBroadcast() bool { return a == Broadcast }

// IsMulticast reports whether a is in 224.0.0.0/4 (class D, RFC 5771).
func (a Addr) IsMulticast() bool { return a[0]&0xf0 == 0xe0 }

// IsLoopback reports whether a is in 127.0.0.0/8.
func (a Addr) IsLoopback() bool { return a[0] == 127 }

// IsLinkLocal reports whether a is in 169.254.0.0/16 (RFC 3927).
func (a Addr) IsLinkLocal() bool { return a[0] == 169 && a[1] == 254 }

// String formats a in dotted decimal.
func (a Addr) String() string {
	var buf [15]byte
	return string(a.AppendTo(buf[:0]))
}

// AppendTo appends the dotted-decimal form of a to b without allocating
// (beyond growing b).
func (a Addr) AppendTo(b []byte) []byte {
	for i, x := range a {
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

// ErrBadAddr is returned by ParseAddr for text that is not an IPv4 address.
var ErrBadAddr = errors.New("ipv4: bad address")

// ParseAddr parses an address in dotted decimal. Like netip.ParseAddr it
// takes exactly four decimal parts without leading zeros, refusing the
// octal and short forms that inet_aton allows ("010.1", "10.1"), which have
// surprised people in access lists.
func ParseAddr(s string) (Addr, error) {
	ip, err := netip.ParseAddr(s)
	if err != nil || !ip.Is4() {
		return Addr{}, fmt.Errorf("%w %q", ErrBadAddr, s)
	}
	return Addr(ip.As4()), nil
}
