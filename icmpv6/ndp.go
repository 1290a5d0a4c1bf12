package icmpv6

import (
	"encoding/binary"

	"github.com/medina-net/medina/ipv6"
)

// Offsets of the neighbor discovery messages (RFC 4861 4), named once.
//
// Router solicitation: options at 8, after 4 reserved bytes.
//
// Router advertisement:
//
//	 0                   1                   2                   3
//	 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//	|     Type      |     Code      |          Checksum             |
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//	| Cur Hop Limit |M|O|H|Prf|P|R|R|       Router Lifetime         |
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//	|                         Reachable Time                        |
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//	|                          Retrans Timer                        |
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//	|   Options ...
//
// Neighbor solicitation and advertisement (the flags are the
// advertisement's; a solicitation's 4 bytes are reserved):
//
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//	|     Type      |     Code      |          Checksum             |
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//	|R|S|O|                     Reserved                            |
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//	+                       Target Address (16)                     +
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//	|   Options ...
//
// Redirect: the target address at 8, the destination address at 24, the
// options at 40. Mobile prefix advertisement (RFC 6275 6.8): identifier
// at 4, M and O flags at 6, options at 8.
const (
	raHopLimitOff      = 4
	raFlagsOff         = 5
	raLifetimeOff      = 6
	raReachableOff     = 8
	raRetransOff       = 12
	raOptionsOff       = 16
	rsOptionsOff       = 8
	naFlagsOff         = 4
	targetOff          = 8
	nsOptionsOff       = 24
	redirectDstOff     = 24
	redirectOptionsOff = 40
	mpaFlagsOff        = 6
	mpaOptionsOff      = 8
)

// Lengths of the neighbor discovery messages without options.
const (
	RouterSolicitLen   = rsOptionsOff
	RouterAdvertLen    = raOptionsOff
	NeighborSolicitLen = nsOptionsOff
	NeighborAdvertLen  = nsOptionsOff
	RedirectLen        = redirectOptionsOff
)

// RAFlags are the flags of a router advertisement (RFC 4861 4.2, RFC 6275
// for H, RFC 4191 for the preference, RFC 4389 for P, and the ipv6-only
// bit of draft-ietf-6man-ipv6only-flag that tcpdump names).
type RAFlags uint8

// Router advertisement flags.
const (
	RAManaged   RAFlags = 0x80 // M: addresses are available from DHCPv6
	RAOther     RAFlags = 0x40 // O: other configuration is available from DHCPv6
	RAHomeAgent RAFlags = 0x20 // H: the router is a mobile IPv6 home agent (RFC 6275)
	RAPrefMask  RAFlags = 0x18 // Prf: the default router preference (RFC 4191)
	RAProxy     RAFlags = 0x04 // P: neighbor discovery proxy (RFC 4389)
	RAIPv6Only  RAFlags = 0x02 // the link is IPv6-only (draft-ietf-6man-ipv6only-flag)
)

// Preference is a 2-bit router or route preference (RFC 4191 2.1): 0
// medium, 1 high, 3 low, 2 reserved (taken as medium).
type Preference uint8

// Preferences.
const (
	PrefMedium   Preference = 0
	PrefHigh     Preference = 1
	PrefReserved Preference = 2
	PrefLow      Preference = 3
)

var prefNames = [4]string{"medium", "high", "rsv", "low"}

// String returns tcpdump's name of the preference: "medium", "high",
// "rsv" or "low".
func (p Preference) String() string { return prefNames[p&3] }

// Pref returns the default router preference of the flags.
func (f RAFlags) Pref() Preference { return Preference(f&RAPrefMask) >> 3 }

// NAFlags are the flags of a neighbor advertisement (RFC 4861 4.4): the
// top 3 bits of its first 32-bit word.
type NAFlags uint32

// Neighbor advertisement flags.
const (
	NARouter    NAFlags = 0x80000000 // R: the sender is a router
	NASolicited NAFlags = 0x40000000 // S: sent in answer to a solicitation
	NAOverride  NAFlags = 0x20000000 // O: replace a cached link-layer address
)

// CurHopLimit returns a router advertisement's hop limit for the hosts of
// the link (0: unspecified).
func (m Message) CurHopLimit() uint8 { return m.u8(raHopLimitOff) }

// RAFlags returns a router advertisement's flags byte.
func (m Message) RAFlags() RAFlags { return RAFlags(m.u8(raFlagsOff)) }

// RouterLifetime returns a router advertisement's lifetime as a default
// router, in seconds (0: not a default router).
func (m Message) RouterLifetime() uint16 { return m.u16(raLifetimeOff) }

// ReachableTime returns a router advertisement's reachable time in
// milliseconds (0: unspecified).
func (m Message) ReachableTime() uint32 { return m.u32(raReachableOff) }

// RetransTimer returns a router advertisement's retransmission timer in
// milliseconds (0: unspecified).
func (m Message) RetransTimer() uint32 { return m.u32(raRetransOff) }

// NAFlags returns a neighbor advertisement's first word, whose top bits
// are its flags.
func (m Message) NAFlags() NAFlags { return NAFlags(m.u32(naFlagsOff)) }

// Target returns the target address of a neighbor solicitation or
// advertisement or of a redirect (the better first hop). ok is false when
// the message ends before it.
func (m Message) Target() (ipv6.Addr, bool) { return m.addr(targetOff) }

// RedirectDst returns the destination address of a redirect: the
// destination whose traffic should go to the target. ok is false when the
// message ends before it.
func (m Message) RedirectDst() (ipv6.Addr, bool) { return m.addr(redirectDstOff) }

// MobilePrefixFlags returns the M (managed) and O (other) flags of a
// mobile prefix advertisement (RFC 6275 6.8) as the high bits of its
// second 16-bit word.
func (m Message) MobilePrefixFlags() uint16 { return m.u16(mpaFlagsOff) }

// OptionsOffset returns where the ND options of a message of type t
// start, and false for a type that carries none.
func OptionsOffset(t Type) (int, bool) {
	switch t {
	case TypeRouterSolicit:
		return rsOptionsOff, true
	case TypeRouterAdvert:
		return raOptionsOff, true
	case TypeNeighborSolicit, TypeNeighborAdvert:
		return nsOptionsOff, true
	case TypeRedirect:
		return redirectOptionsOff, true
	case TypeMobilePrefixAdvert:
		return mpaOptionsOff, true
	}
	return 0, false
}

// Options returns an iterator over the ND options of a neighbor discovery
// message or a mobile prefix advertisement, with offsets from the start of
// the message. It is empty for other types and when the message ends
// before its options.
func (m Message) Options() OptionIter {
	off, ok := OptionsOffset(m.Type())
	if !ok || off >= len(m) {
		return OptionIter{}
	}
	return OptionIter{b: m, off: off}
}

// SetCurHopLimit sets a router advertisement's hop limit.
func (m Message) SetCurHopLimit(n uint8) { m[raHopLimitOff] = n }

// SetRAFlags sets a router advertisement's flags byte.
func (m Message) SetRAFlags(f RAFlags) { m[raFlagsOff] = uint8(f) }

// SetRouterLifetime sets a router advertisement's lifetime in seconds.
func (m Message) SetRouterLifetime(s uint16) { binary.BigEndian.PutUint16(m[raLifetimeOff:], s) }

// SetNAFlags sets a neighbor advertisement's flags, clearing the reserved
// bits.
func (m Message) SetNAFlags(f NAFlags) {
	binary.BigEndian.PutUint32(m[naFlagsOff:], uint32(f&(NARouter|NASolicited|NAOverride)))
}

// SetTarget sets the target address of a neighbor solicitation or
// advertisement or of a redirect.
func (m Message) SetTarget(a ipv6.Addr) { copy(m[targetOff:targetOff+ipv6.AddrLen], a[:]) }
