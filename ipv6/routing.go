package ipv6

import (
	"encoding/binary"
	"errors"
	"fmt"
	"strconv"

	"github.com/medina-net/medina/ipv4"
)

// Offsets of the routing header (RFC 8200 4.4), named once. The first 4
// bytes are common to every type:
//
//	+---------------+---------------+---------------+---------------+
//	|  next header  |  hdr ext len  | routing type  | segments left |  0
//	+---------------+---------------+---------------+---------------+
//	|                  type-specific data ...                        |  4
//
// Types 0 (RFC 2460, deprecated by RFC 5095) and 2 (RFC 6275):
//
//	|                       reserved (32 bits)                       |  4
//	|                 addresses, 16 bytes each ...                   |  8
//
// Type 3, RPL source route (RFC 6554):
//
//	| CmprI | CmprE |  Pad  |          reserved (20 bits)            |  4
//	|     addresses, 16-CmprI bytes each, the last 16-CmprE ...      |  8
//	|                  Pad bytes of padding                          |
//
// Type 4, segment routing header (RFC 8754):
//
//	|  last entry   |     flags     |              tag              |  4
//	|    segment list[0 .. last entry], 16 bytes each ...            |  8
//	|    TLVs ...                                                    |
const (
	rtTypeOff    = 2
	rtSegLeftOff = 3
	rtReservOff  = 4 // types 0 and 2
	rtCmprOff    = 4 // type 3: CmprI and CmprE
	rtPadOff     = 5 // type 3: Pad in the high nibble
	srhLastOff   = 4 // type 4
	srhFlagsOff  = 5
	srhTagOff    = 6
	rtAddrsOff   = 8

	// routingFixedLen is what every type has: next header, length, type
	// and segments left.
	routingFixedLen = 4
)

// RoutingMinLen is the shortest routing header: the 8 bytes every
// extension header's length unit implies.
const RoutingMinLen = 8

// ErrBadRouting: a routing header whose type-specific fields disagree with
// its length or with each other (Routing.Check).
var ErrBadRouting = errors.New("ipv6: malformed routing header")

// RoutingType is the routing type of a routing header.
type RoutingType uint8

// Routing types from the IANA registry.
const (
	RoutingSourceRoute RoutingType = 0 // type 0 source route, deprecated by RFC 5095
	RoutingNimrod      RoutingType = 1 // deprecated
	RoutingMobile      RoutingType = 2 // type 2, Mobile IPv6, RFC 6275
	RoutingRPL         RoutingType = 3 // RPL source route, RFC 6554
	RoutingSegment     RoutingType = 4 // segment routing header, RFC 8754
)

var routingTypeNames = [...]string{"source route", "nimrod", "mobile", "RPL source route", "segment routing"}

// String names t, or gives "type N".
func (t RoutingType) String() string {
	if int(t) < len(routingTypeNames) {
		return routingTypeNames[t]
	}
	return "type " + strconv.Itoa(int(t))
}

// Routing is a view of a routing header. NewRouting needs its first 4
// bytes only: the accessors of type-specific fields return 0, or ok false,
// for a field the slice ends before, so that a printer can show a header
// cut short, and Check says whether the fields agree with the length.
type Routing []byte

// NewRouting returns b as a Routing after checking it holds the 4 bytes
// every type has.
func NewRouting(b []byte) (Routing, error) {
	if len(b) < routingFixedLen {
		return nil, fmt.Errorf("%w: %d bytes of routing header, need %d", ErrTruncated, len(b), routingFixedLen)
	}
	return Routing(b), nil
}

// NextHeader returns the next header field.
func (r Routing) NextHeader() ipv4.Protocol { return ipv4.Protocol(r[extNextOff]) }

// HdrExtLen returns the length field: 8-byte units after the first 8.
func (r Routing) HdrExtLen() uint8 { return r[extLenOff] }

// Len returns the header's length in bytes as the length field says it.
func (r Routing) Len() int { return (int(r.HdrExtLen()) + 1) * extUnit }

// Type returns the routing type.
func (r Routing) Type() RoutingType { return RoutingType(r[rtTypeOff]) }

// SegmentsLeft returns how many route segments remain: the hops still to
// visit before the final destination.
func (r Routing) SegmentsLeft() uint8 { return r[rtSegLeftOff] }

// byteAt returns the byte at off, 0 past the end of r.
func (r Routing) byteAt(off int) uint8 {
	if off >= len(r) {
		return 0
	}
	return r[off]
}

// Reserved returns the reserved word of a type 0 or type 2 header (0 when
// the slice ends before it), which tcpdump prints when it is not 0.
func (r Routing) Reserved() uint32 {
	if len(r) < rtAddrsOff {
		return 0
	}
	return binary.BigEndian.Uint32(r[rtReservOff:])
}

// body returns the header clipped to its length.
func (r Routing) body() []byte { return r[:min(len(r), r.Len())] }

// routeSlot returns the 16 bytes at slot i of a type 0, 2 or 4 header,
// within the header's length and the slice.
func (r Routing) routeSlot(i int) (a Addr, ok bool) {
	off := rtAddrsOff + AddrLen*i
	b := r.body()
	if i < 0 || off+AddrLen > len(b) {
		return a, false
	}
	return Addr(b[off : off+AddrLen]), true
}

// NumAddrs returns how many addresses a type 0 or type 2 header has room
// for as its length says: HdrExtLen/2 (an odd length is malformed).
func (r Routing) NumAddrs() int { return int(r.HdrExtLen()) / 2 }

// Addr returns the i-th address (from 0) of a type 0 or type 2 header.
// ok is false past the header's length or the slice.
func (r Routing) Addr(i int) (Addr, bool) { return r.routeSlot(i) }

// LastEntry returns the index of the last segment of a segment routing
// header (0 when the slice ends before it).
func (r Routing) LastEntry() uint8 { return r.byteAt(srhLastOff) }

// Flags returns the flags byte of a segment routing header.
func (r Routing) Flags() uint8 { return r.byteAt(srhFlagsOff) }

// Tag returns the tag of a segment routing header (0 when the slice ends
// before it).
func (r Routing) Tag() uint16 {
	if len(r) < rtAddrsOff {
		return 0
	}
	return binary.BigEndian.Uint16(r[srhTagOff:])
}

// NumSegments returns the number of segments of a segment routing header:
// LastEntry + 1.
func (r Routing) NumSegments() int { return int(r.LastEntry()) + 1 }

// Segment returns segment i (from 0) of a segment routing header. The list
// is in reverse order: segment 0 is the final destination. ok is false
// past the header's length or the slice.
func (r Routing) Segment(i int) (Addr, bool) { return r.routeSlot(i) }

// TLVs returns an iterator over the TLVs of a segment routing header,
// after its segment list and up to its length, with offsets counted from
// the start of the header; the types are SRHTLVType values.
func (r Routing) TLVs() TLVIter {
	start := rtAddrsOff + AddrLen*r.NumSegments()
	if r.Type() != RoutingSegment || start >= r.Len() {
		return TLVIter{done: true}
	}
	return TLVIter{b: r, off: start, end: r.Len()}
}

// SRHTLVType is the type of a TLV in a segment routing header (RFC 8754
// 2.1).
type SRHTLVType uint8

// SRH TLV types.
const (
	SRHPad1 SRHTLVType = 0 // one byte of padding
	SRHPadN SRHTLVType = 4 // N bytes of padding
	SRHHMAC SRHTLVType = 5 // keyed-hash message authentication code
)

// CmprI returns how many leading bytes the addresses of an RPL source
// route header but the last share with the IPv6 destination.
func (r Routing) CmprI() uint8 { return r.byteAt(rtCmprOff) >> 4 }

// CmprE returns how many leading bytes the last address of an RPL source
// route header shares with the IPv6 destination.
func (r Routing) CmprE() uint8 { return r.byteAt(rtCmprOff) & 0x0f }

// Pad returns how many bytes of padding end an RPL source route header.
func (r Routing) Pad() uint8 { return r.byteAt(rtPadOff) >> 4 }

// NumRPLAddrs returns how many addresses an RPL source route header
// holds, as RFC 6554 3 computes it from the length, the padding and the
// compression counts; 0 when they do not make a whole number of them.
func (r Routing) NumRPLAddrs() int {
	body := int(r.HdrExtLen())*extUnit - int(r.Pad()) - (AddrLen - int(r.CmprE()))
	per := AddrLen - int(r.CmprI())
	if body < 0 || body%per != 0 {
		return 0
	}
	return body/per + 1
}

// RPLAddr returns address i (from 0) of an RPL source route header,
// completed from dst, the IPv6 destination, whose first CmprI (or, for the
// last address, CmprE) bytes the header leaves out. ok is false past the
// addresses NumRPLAddrs counts or the slice.
func (r Routing) RPLAddr(i int, dst Addr) (a Addr, ok bool) {
	n := r.NumRPLAddrs()
	if i < 0 || i >= n {
		return a, false
	}
	elided := int(r.CmprI())
	if i == n-1 {
		elided = int(r.CmprE())
	}
	off := rtAddrsOff + i*(AddrLen-int(r.CmprI()))
	b := r.body()
	if off+AddrLen-elided > len(b) {
		return a, false
	}
	a = dst
	copy(a[elided:], b[off:off+AddrLen-elided])
	return a, true
}

// FinalDst returns the final destination the header names: the last
// address of a type 0 or type 2 header, the first segment of a segment
// routing header, the last address of an RPL source route (completed from
// dst). ok is false for another type, and when the header has no such
// address or the slice ends before it. Whether the packet is still on its
// way there is what SegmentsLeft says.
func (r Routing) FinalDst(dst Addr) (Addr, bool) {
	switch r.Type() {
	case RoutingSourceRoute, RoutingMobile:
		return r.routeSlot(r.NumAddrs() - 1)
	case RoutingSegment:
		return r.routeSlot(0)
	case RoutingRPL:
		return r.RPLAddr(r.NumRPLAddrs()-1, dst)
	}
	return Addr{}, false
}

// check returns Check's error with the offset in the header of the byte at
// fault.
func (r Routing) check() (at int, err error) {
	if r.Len() > len(r) {
		return extLenOff, ErrTruncated
	}
	segLeft := int(r.SegmentsLeft())
	switch r.Type() {
	case RoutingSourceRoute:
		switch {
		case r.HdrExtLen()%2 == 1:
			return extLenOff, ErrBadRouting
		case segLeft > r.NumAddrs():
			return rtSegLeftOff, ErrBadRouting
		}
	case RoutingMobile:
		switch {
		case r.HdrExtLen() != 2:
			return extLenOff, ErrBadRouting
		case segLeft != 1:
			return rtSegLeftOff, ErrBadRouting
		}
	case RoutingRPL:
		switch n := r.NumRPLAddrs(); {
		case n == 0:
			return extLenOff, ErrBadRouting
		case segLeft > n:
			return rtSegLeftOff, ErrBadRouting
		}
	case RoutingSegment:
		switch {
		case rtAddrsOff+AddrLen*r.NumSegments() > r.Len():
			return srhLastOff, ErrBadRouting
		case segLeft > r.NumSegments():
			return rtSegLeftOff, ErrBadRouting
		}
		it := r.TLVs()
		for t, ok := it.Next(); ok; t, ok = it.Next() {
			if t.Status != OptionOK {
				return t.Offset, ErrBadRouting
			}
		}
	}
	return 0, nil
}

// Check reports whether the header is whole in the slice (ErrTruncated)
// and whether the fields of the types it knows agree (ErrBadRouting): an
// even length for type 0, whose addresses are 16 bytes, and no more
// segments left than addresses; a length of 2 and one segment left for
// type 2 (RFC 6275 6.4); a length, padding and compression that make a
// whole number of addresses for type 3, and no more segments left than
// them; room in the length for every segment of type 4, no more segments
// left than segments (RFC 8754 4.3.1.1), and TLVs that fit. A header of
// another type is whole or not: a node that meets one with segments left
// refuses it itself (RFC 8200 4.4). Check returns the sentinels as they
// are and does not allocate; Validate says more.
func (r Routing) Check() error {
	_, err := r.check()
	return err
}

// Validate is Check with the values that were wrong in the error.
func (r Routing) Validate() error {
	at, err := r.check()
	if err == nil {
		return nil
	}
	return fmt.Errorf("%w: type %d, length %d, %d segments left (byte %d)", err, r.Type(), r.Len(), r.SegmentsLeft(), at)
}

// SetSegmentsLeft sets the segments left field, as a node on the route
// does when it passes the packet on.
func (r Routing) SetSegmentsLeft(n uint8) { r[rtSegLeftOff] = n }

// EncodeRouting writes a type 0 or type 2 routing header (type 2 carries
// the one home address of RFC 6275 6.4) with the given addresses into b,
// and returns its length, 8 + 16 per address. The error wraps ErrTruncated
// when b is too short and ErrBadRouting for more than 127 addresses.
func EncodeRouting(b []byte, next ipv4.Protocol, t RoutingType, segLeft uint8, addrs ...Addr) (int, error) {
	n := rtAddrsOff + AddrLen*len(addrs)
	switch {
	case len(addrs) > 127:
		return 0, fmt.Errorf("%w: %d addresses, room for 127", ErrBadRouting, len(addrs))
	case len(b) < n:
		return 0, fmt.Errorf("%w: buffer of %d bytes, header needs %d", ErrTruncated, len(b), n)
	}
	b[extNextOff], b[extLenOff], b[rtTypeOff], b[rtSegLeftOff] = byte(next), byte(2*len(addrs)), byte(t), segLeft
	clear(b[rtReservOff:rtAddrsOff])
	for i, a := range addrs {
		copy(b[rtAddrsOff+AddrLen*i:], a[:])
	}
	return n, nil
}

// EncodeSRH writes a segment routing header into b with the segments in
// list order (segment 0, the final destination, first) and tlvs (which
// must leave the header a multiple of 8 bytes: pad them with PadN TLVs)
// after them, and returns its length. The error wraps ErrTruncated when b
// is too short and ErrBadRouting for an empty list, one of more than 128
// segments or a length that is not a multiple of 8 or exceeds 2048.
func EncodeSRH(b []byte, next ipv4.Protocol, segLeft, flags uint8, tag uint16, segments []Addr, tlvs []byte) (int, error) {
	n := rtAddrsOff + AddrLen*len(segments) + len(tlvs)
	switch {
	case len(segments) == 0 || len(segments) > 128 || n%extUnit != 0 || n > maxExtLen:
		return 0, fmt.Errorf("%w: %d segments and %d bytes of TLVs", ErrBadRouting, len(segments), len(tlvs))
	case len(b) < n:
		return 0, fmt.Errorf("%w: buffer of %d bytes, header needs %d", ErrTruncated, len(b), n)
	}
	b[extNextOff], b[extLenOff], b[rtTypeOff], b[rtSegLeftOff] = byte(next), byte(n/extUnit-1), byte(RoutingSegment), segLeft
	b[srhLastOff], b[srhFlagsOff] = byte(len(segments)-1), flags
	binary.BigEndian.PutUint16(b[srhTagOff:], tag)
	for i, a := range segments {
		copy(b[rtAddrsOff+AddrLen*i:], a[:])
	}
	copy(b[rtAddrsOff+AddrLen*len(segments):], tlvs)
	return n, nil
}

// RoutingFields returns the fields of the first 4 bytes of a routing
// header that b holds, which may be cut short of them: the length field,
// the routing type and segments left. n says how many of the three b
// holds, in that order (0 when b ends before the length field); those
// after the n-th are 0. A printer shows what a capture cut inside the
// header has of it, as tcpdump does.
func RoutingFields(b []byte) (hdrExtLen uint8, t RoutingType, segLeft uint8, n int) {
	if len(b) > extLenOff {
		hdrExtLen, n = b[extLenOff], 1
	}
	if len(b) > rtTypeOff {
		t, n = RoutingType(b[rtTypeOff]), 2
	}
	if len(b) > rtSegLeftOff {
		segLeft, n = b[rtSegLeftOff], 3
	}
	return hdrExtLen, t, segLeft, n
}

// SRHFields returns the fields of a segment routing header after the 4
// bytes every type has, as far as the slice holds them: the last entry,
// the flags and the tag. n says how many of the three it holds, in that
// order; those after the n-th are 0. A printer shows what a capture cut
// inside them has, as tcpdump does.
func (r Routing) SRHFields() (lastEntry, flags uint8, tag uint16, n int) {
	if len(r) > srhLastOff {
		lastEntry, n = r[srhLastOff], 1
	}
	if len(r) > srhFlagsOff {
		flags, n = r[srhFlagsOff], 2
	}
	if len(r) >= srhTagOff+2 {
		tag, n = binary.BigEndian.Uint16(r[srhTagOff:]), 3
	}
	return lastEntry, flags, tag, n
}
