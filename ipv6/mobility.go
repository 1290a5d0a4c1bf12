package ipv6

import (
	"encoding/binary"
	"fmt"
	"strconv"

	"github.com/medina-net/medina/checksum"
	"github.com/medina-net/medina/ipv4"
)

// Offsets of the mobility header (RFC 6275 6.1), named once:
//
//	+---------------+---------------+---------------+---------------+
//	| payload proto |  header len   |    MH type    |   reserved    |  0
//	+---------------+---------------+---------------+---------------+
//	|           checksum            |  message data ...             |  4
//
// The header length counts 8-byte units after the first 8. The message
// data of the types tcpdump prints:
//
//	BRR          6: reserved
//	HoTI, CoTI   6: reserved; 8: init cookie (8 bytes)
//	HoT, CoT     6: nonce index; 8: init cookie (8); 16: keygen token (8)
//	BU           6: sequence number; 8: A H L K flags and reserved;
//	             10: lifetime (4-second units)
//	BA           6: status; 7: K flag and reserved; 8: sequence number;
//	             10: lifetime
//	BE           6: status; 7: reserved; 8: home address (16)
//
// and the mobility options follow, TLVs as IPv6 options are.
const (
	mhProtoOff    = 0
	mhLenOff      = 1
	mhTypeOff     = 2
	mhReservedOff = 3
	mhCsumOff     = 4
	mhData16Off   = 6 // BU sequence number, HoT/CoT nonce index
	mhStatusOff   = 6 // BA, BE status
	mhBAFlagsOff  = 7
	mhBodyOff     = 8 // cookies; BU flags; BA sequence number; BE home address
	mhLifetimeOff = 10
	mhTokenOff    = 16
)

// MobilityMinLen is what NewMobility needs: the header up to its checksum.
const MobilityMinLen = mhData16Off

// MobilityType is the MH type of a mobility header.
type MobilityType uint8

// Mobility header types (RFC 6275 6.1.2 and the IANA registry).
const (
	MobilityBRR  MobilityType = 0 // binding refresh request
	MobilityHoTI MobilityType = 1 // home test init
	MobilityCoTI MobilityType = 2 // care-of test init
	MobilityHoT  MobilityType = 3 // home test
	MobilityCoT  MobilityType = 4 // care-of test
	MobilityBU   MobilityType = 5 // binding update
	MobilityBA   MobilityType = 6 // binding acknowledgement
	MobilityBE   MobilityType = 7 // binding error
)

var mobilityTypeNames = [...]string{"BRR", "HoTI", "CoTI", "HoT", "CoT", "BU", "BA", "BE"}

// mobilityMinLens are the lengths below which tcpdump calls a header of
// the type too short: the fixed part of its message.
var mobilityMinLens = [...]int{8, 16, 16, 24, 24, 12, 12, 24}

// String returns tcpdump's name for t ("BU", "BA", ...), or "type-#N".
func (t MobilityType) String() string {
	if int(t) < len(mobilityTypeNames) {
		return mobilityTypeNames[t]
	}
	return "type-#" + strconv.Itoa(int(t))
}

// MinLen returns the length of the fixed part of a message of type t,
// where its options start, and false for a type without a known layout.
func (t MobilityType) MinLen() (int, bool) {
	if int(t) < len(mobilityMinLens) {
		return mobilityMinLens[t], true
	}
	return 0, false
}

// MobilityOptionType is the type of a mobility option (RFC 6275 6.2).
type MobilityOptionType uint8

// Mobility option types that tcpdump prints.
const (
	MobilityOptPad1     MobilityOptionType = 0 // one byte of padding
	MobilityOptPadN     MobilityOptionType = 1 // N bytes of padding
	MobilityOptRefresh  MobilityOptionType = 2 // binding refresh advice
	MobilityOptAltCoA   MobilityOptionType = 3 // alternate care-of address
	MobilityOptNonceIDs MobilityOptionType = 4 // nonce indices
	MobilityOptAuth     MobilityOptionType = 5 // binding authorization data
)

// Mobility is a view of a mobility header. NewMobility needs its first 6
// bytes; the accessors of the message data report ok false for a field
// the slice ends before.
type Mobility []byte

// NewMobility returns b as a Mobility after checking it holds the first 6
// bytes.
func NewMobility(b []byte) (Mobility, error) {
	if len(b) < MobilityMinLen {
		return nil, fmt.Errorf("%w: %d bytes of mobility header, need %d", ErrTruncated, len(b), MobilityMinLen)
	}
	return Mobility(b), nil
}

// PayloadProto returns the payload proto field, the next header, which
// RFC 6275 has be 59 (none).
func (m Mobility) PayloadProto() ipv4.Protocol { return ipv4.Protocol(m[mhProtoOff]) }

// HeaderLen returns the header length field: 8-byte units after the
// first 8.
func (m Mobility) HeaderLen() uint8 { return m[mhLenOff] }

// Len returns the header's length in bytes as the field says it.
func (m Mobility) Len() int { return (int(m.HeaderLen()) + 1) * extUnit }

// Type returns the MH type.
func (m Mobility) Type() MobilityType { return MobilityType(m[mhTypeOff]) }

// Reserved returns the reserved byte after the type.
func (m Mobility) Reserved() uint8 { return m[mhReservedOff] }

// Checksum returns the checksum field.
func (m Mobility) Checksum() uint16 { return binary.BigEndian.Uint16(m[mhCsumOff:]) }

// The accessors of the message data below report ok false when the
// slice ends before their field, so that a printer can show a header cut
// short as far as it goes, as tcpdump does; the value is then 0.

func (m Mobility) u8(off int) (uint8, bool) {
	if off >= len(m) {
		return 0, false
	}
	return m[off], true
}

func (m Mobility) u16(off int) (uint16, bool) {
	if off+2 > len(m) {
		return 0, false
	}
	return binary.BigEndian.Uint16(m[off:]), true
}

func (m Mobility) u64(off int) (uint64, bool) {
	if off+8 > len(m) {
		return 0, false
	}
	return binary.BigEndian.Uint64(m[off:]), true
}

// Seq returns the sequence number of a binding update (at byte 6) or a
// binding acknowledgement (at byte 8).
func (m Mobility) Seq() (uint16, bool) {
	if m.Type() == MobilityBA {
		return m.u16(mhBodyOff)
	}
	return m.u16(mhData16Off)
}

// NonceIndex returns the home or care-of nonce index of a home test or
// care-of test.
func (m Mobility) NonceIndex() (uint16, bool) { return m.u16(mhData16Off) }

// Status returns the status of a binding acknowledgement or binding error.
func (m Mobility) Status() (uint8, bool) { return m.u8(mhStatusOff) }

// BUFlags returns the A, H, L and K flags of a binding update, in the low
// 4 bits (A is 8). ok needs the 16-bit word the flags share with reserved
// bits, which tcpdump checks whole before it reads them.
func (m Mobility) BUFlags() (uint8, bool) {
	w, ok := m.u16(mhBodyOff)
	return uint8(w>>12) & 0x0f, ok
}

// BAKey reports the K flag of a binding acknowledgement.
func (m Mobility) BAKey() (k, ok bool) {
	b, ok := m.u8(mhBAFlagsOff)
	return b&0x80 != 0, ok
}

// Lifetime returns the lifetime field of a binding update or
// acknowledgement, in units of 4 seconds.
func (m Mobility) Lifetime() (uint16, bool) { return m.u16(mhLifetimeOff) }

// Cookie returns the init cookie of a HoTI, CoTI, HoT or CoT message.
func (m Mobility) Cookie() (uint64, bool) { return m.u64(mhBodyOff) }

// KeygenToken returns the keygen token of a HoT or CoT message.
func (m Mobility) KeygenToken() (uint64, bool) { return m.u64(mhTokenOff) }

// HomeAddr returns the home address of a binding error. ok is false when
// the slice ends before it.
func (m Mobility) HomeAddr() (a Addr, ok bool) {
	if mhBodyOff+AddrLen > len(m) {
		return a, false
	}
	return Addr(m[mhBodyOff : mhBodyOff+AddrLen]), true
}

// Options returns an iterator over the mobility options, from the end of
// the type's fixed part to the header's length, with offsets counted from
// the start of the header; the types are MobilityOptionType values. It is
// empty for a type without a known layout.
func (m Mobility) Options() TLVIter {
	start, ok := m.Type().MinLen()
	if !ok || start >= m.Len() {
		return TLVIter{done: true}
	}
	return TLVIter{b: m, off: start, end: m.Len()}
}

// ComputeChecksum returns the checksum the header should carry between
// src and dst (the home address and correspondent, RFC 6275 6.1.1): over
// the IPv6 pseudo-header with next header 135 and the header's Len bytes
// (clipped to the slice), as if the field were zero.
func (m Mobility) ComputeChecksum(src, dst Addr) uint16 {
	b := m[:min(len(m), m.Len())]
	sum := checksum.Pseudo6(src, dst, uint8(ipv4.ProtoMobility), uint32(len(b)))
	sum = checksum.Add(sum, b[:mhCsumOff])
	sum = checksum.Add(sum, b[mhCsumOff+2:])
	return ^checksum.Fold(sum)
}

// ChecksumValid reports whether the checksum verifies between src and dst
// over the header's Len bytes; a header cut short does not.
func (m Mobility) ChecksumValid(src, dst Addr) bool {
	if m.Len() > len(m) {
		return false
	}
	sum := checksum.Pseudo6(src, dst, uint8(ipv4.ProtoMobility), uint32(m.Len()))
	return checksum.Fold(checksum.Add(sum, m[:m.Len()])) == 0xffff
}

// MobilityFields returns the fields of the first 3 bytes of a mobility
// header that b holds, which may be cut short of the 6 bytes NewMobility
// needs: the header length field and the MH type. n says how many of the
// two b holds, in that order; those after the n-th are 0.
func MobilityFields(b []byte) (hdrLen uint8, t MobilityType, n int) {
	if len(b) > mhLenOff {
		hdrLen, n = b[mhLenOff], 1
	}
	if len(b) > mhTypeOff {
		t, n = MobilityType(b[mhTypeOff]), 2
	}
	return hdrLen, t, n
}
