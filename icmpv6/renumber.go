package icmpv6

import (
	"encoding/binary"

	"github.com/medina-net/medina/ipv6"
)

// Offsets of a router renumbering message (RFC 2894 3), named once:
//
//	 0                   1                   2                   3
//	 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//	|     Type      |     Code      |            Checksum           |
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//	|                        SequenceNumber                         |
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//	| SegmentNumber |T|R|A|S|P| Res |         MaxDelay              |
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//	|                           reserved                            |
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//	/                     Message Body ...                          /
//
// The body of a command is prefix control operations, each a match-prefix
// part and (OpLength-3)/4 use-prefix parts (RFC 2894 3.1):
//
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//	|    OpCode     |   OpLength    |    Ordinal    |   MatchLen    |
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//	|    MinLen     |    MaxLen     |           reserved            |
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//	+                       MatchPrefix (16)                        +
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//	|    UseLen     |    KeepLen    |   FlagMask    |    RAFlags    |
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//	|                        Valid Lifetime                         |
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//	|                      Preferred Lifetime                       |
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//	|V|P|                         reserved                          |
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//	+                         UsePrefix (16)                        +
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
const (
	rrSeqOff      = 4
	rrSegmentOff  = 8
	rrFlagsOff    = 9
	rrMaxDelayOff = 10
	rrReservedOff = 12
	rrBodyOff     = 16

	mpOpCodeOff   = 0
	mpOpLenOff    = 1
	mpOrdinalOff  = 2
	mpMatchLenOff = 3
	mpMinLenOff   = 4
	mpMaxLenOff   = 5
	mpPrefixOff   = 8

	upUseLenOff    = 0
	upKeepLenOff   = 1
	upFlagMaskOff  = 2
	upRAFlagsOff   = 3
	upValidOff     = 4
	upPreferredOff = 8
	upFlagsOff     = 12
	upPrefixOff    = 16
)

// Router renumbering sizes.
const (
	// RenumberHeaderLen is the length of a router renumbering message's
	// header.
	RenumberHeaderLen = rrBodyOff
	// MatchPrefixLen is the length of a match-prefix part.
	MatchPrefixLen = mpPrefixOff + ipv6.AddrLen
	// UsePrefixLen is the length of a use-prefix part.
	UsePrefixLen = upPrefixOff + ipv6.AddrLen
)

// RenumberFlags are the flags of a router renumbering message.
type RenumberFlags uint8

// Router renumbering flags.
const (
	RenumberTest          RenumberFlags = 0x80 // T: a test command, change nothing
	RenumberReqResult     RenumberFlags = 0x40 // R: send a result message
	RenumberForceApply    RenumberFlags = 0x20 // A: apply to every interface, even those not up
	RenumberSpecifiedSite RenumberFlags = 0x10 // S: only interfaces in the same site
	RenumberProcessed     RenumberFlags = 0x08 // P: a previous copy was processed
)

// Match-prefix operation codes.
const (
	RenumberOpAdd       = 1
	RenumberOpChange    = 2
	RenumberOpSetGlobal = 3
)

// RenumberSeq returns a router renumbering message's sequence number (0
// when the message ends before it).
func (m Message) RenumberSeq() uint32 { return m.u32(rrSeqOff) }

// RenumberSegment returns a router renumbering message's segment number.
func (m Message) RenumberSegment() uint8 { return m.u8(rrSegmentOff) }

// RenumberFlags returns a router renumbering message's flags.
func (m Message) RenumberFlags() RenumberFlags { return RenumberFlags(m.u8(rrFlagsOff)) }

// RenumberMaxDelay returns a router renumbering message's maximum delay,
// in milliseconds, before a router answers.
func (m Message) RenumberMaxDelay() uint16 { return m.u16(rrMaxDelayOff) }

// RenumberReserved returns a router renumbering message's reserved word,
// which senders set to 0.
func (m Message) RenumberReserved() uint32 { return m.u32(rrReservedOff) }

// MatchPrefix is the match-prefix part of a router renumbering command's
// first prefix control operation.
type MatchPrefix []byte

// MatchPrefix returns the first match-prefix part of a router renumbering
// command; ok is false when the message ends before its end.
func (m Message) MatchPrefix() (MatchPrefix, bool) {
	if len(m) < rrBodyOff+MatchPrefixLen {
		return nil, false
	}
	return MatchPrefix(m[rrBodyOff : rrBodyOff+MatchPrefixLen]), true
}

// OpCode returns the operation: RenumberOpAdd, Change or SetGlobal.
func (p MatchPrefix) OpCode() uint8 { return p[mpOpCodeOff] }

// OpLength returns the length of the operation, this part and its
// use-prefix parts, in units of 8 bytes.
func (p MatchPrefix) OpLength() uint8 { return p[mpOpLenOff] }

// Ordinal returns the operation's ordinal.
func (p MatchPrefix) Ordinal() uint8 { return p[mpOrdinalOff] }

// MatchLen returns the length of the prefix to match, in bits.
func (p MatchPrefix) MatchLen() uint8 { return p[mpMatchLenOff] }

// MinLen returns the shortest prefix the operation applies to.
func (p MatchPrefix) MinLen() uint8 { return p[mpMinLenOff] }

// MaxLen returns the longest prefix the operation applies to.
func (p MatchPrefix) MaxLen() uint8 { return p[mpMaxLenOff] }

// Prefix returns the prefix to match.
func (p MatchPrefix) Prefix() ipv6.Addr { return ipv6.Addr(p[mpPrefixOff : mpPrefixOff+ipv6.AddrLen]) }

// NumUse returns the number of use-prefix parts that follow by OpLength,
// and false when OpLength is not 3 plus a multiple of 4 (tcpdump stops
// there).
func (p MatchPrefix) NumUse() (int, bool) {
	n := int(p.OpLength()) - 3
	if n%4 != 0 {
		return 0, false
	}
	return max(n/4, 0), true
}

// UsePrefix is a use-prefix part of a router renumbering command.
type UsePrefix []byte

// UsePrefix returns the i-th (from 0) use-prefix part after the first
// match-prefix part of a router renumbering command; ok is false when the
// message ends before its end.
func (m Message) UsePrefix(i int) (UsePrefix, bool) {
	off := rrBodyOff + MatchPrefixLen + i*UsePrefixLen
	if i < 0 || off+UsePrefixLen > len(m) {
		return nil, false
	}
	return UsePrefix(m[off : off+UsePrefixLen]), true
}

// UseLen returns the number of the prefix's bits taken from UsePrefix.
func (p UsePrefix) UseLen() uint8 { return p[upUseLenOff] }

// KeepLen returns the number of bits kept from the matched prefix.
func (p UsePrefix) KeepLen() uint8 { return p[upKeepLenOff] }

// FlagMask returns the mask of the router advertisement flags RAFlags
// sets.
func (p UsePrefix) FlagMask() uint8 { return p[upFlagMaskOff] }

// RAFlags returns the router advertisement flags (L 0x80, A 0x40) to set.
func (p UsePrefix) RAFlags() uint8 { return p[upRAFlagsOff] }

// ValidLifetime returns the valid lifetime in seconds (0xffffffff:
// infinity).
func (p UsePrefix) ValidLifetime() uint32 { return binary.BigEndian.Uint32(p[upValidOff:]) }

// PreferredLifetime returns the preferred lifetime in seconds.
func (p UsePrefix) PreferredLifetime() uint32 { return binary.BigEndian.Uint32(p[upPreferredOff:]) }

// Flags returns the byte of the V (0x80: decrement the valid lifetime) and
// P (0x40: the preferred) flags.
func (p UsePrefix) Flags() uint8 { return p[upFlagsOff] }

// Prefix returns the prefix to use.
func (p UsePrefix) Prefix() ipv6.Addr { return ipv6.Addr(p[upPrefixOff : upPrefixOff+ipv6.AddrLen]) }
