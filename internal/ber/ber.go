// Package ber reads ASN.1 elements in the Basic Encoding Rules (X.690) one
// at a time, for printers that show what a message holds even when it is
// malformed or cut short: SNMP's (package dump) first.
//
// A reader of captured packets has two limits, not one: the length the
// enclosing protocol gives (what is left of a UDP datagram, of an outer
// SEQUENCE), and the bytes that were captured, which may end sooner (a
// snapshot length) or later (bytes after the datagram's end, padding).
// Read takes both, checks every octet against them in the order a
// reader meets them, and says which limit an element broke, so that the
// caller can report it as it likes. It never panics and never
// allocates; an Element refers to the caller's bytes.
//
// Only definite lengths are read (the indefinite form, 0x80, reads as a
// long form with no length octets, which is a length of 0), and numbers
// wider than their Go types wrap: a long tag keeps its low 32 bits, a
// long-form length with more than four octets its last four, as a C
// reader with 32-bit fields does. Such an element is malformed anyway;
// the reader only has to be predictable about it.
package ber

// Class is the class of a tag: bits 8 and 7 of the identifier octet.
type Class uint8

// Tag classes.
const (
	Universal   Class = 0
	Application Class = 1
	Context     Class = 2
	Private     Class = 3
)

// Bits of the identifier and length octets.
const (
	classShift    = 6
	constructed   = 0x20
	tagMask       = 0x1f
	tagLongForm   = 0x1f // a tag number in the octets that follow
	more          = 0x80 // in a long tag's octets: another follows
	lenLongForm   = 0x80 // in the first length octet: a count of octets
	lenOctetsMask = 0x7f
)

// Universal tag numbers used by SNMP (X.680, 8.4).
const (
	TagInteger     = 2
	TagOctetString = 4
	TagNull        = 5
	TagOID         = 6
	TagSequence    = 16
)

// Status says whether Read found an element header, and if not, what
// stopped it. The statuses are listed in the order Read checks them.
type Status uint8

const (
	// OK: the identifier and length octets are there and within both
	// limits, and the content fits in the protocol's length. Whether the
	// content was captured is Element.Captured's question.
	OK Status = iota
	// Empty: the protocol's length leaves no octet for an identifier.
	Empty
	// TruncatedTag: the capture ends inside the identifier octets.
	TruncatedTag
	// TagPastEnd: a long tag's octets run on past the protocol's length
	// (the octet past the end was captured).
	TagPastEnd
	// NoLength: the protocol's length ends after the identifier.
	NoLength
	// TruncatedLength: the capture ends before the first length octet.
	TruncatedLength
	// LengthPastEnd: a long-form length has more octets than the
	// protocol's length leaves.
	LengthPastEnd
	// TruncatedLongLength: the capture ends inside a long-form length's
	// octets.
	TruncatedLongLength
	// ContentPastEnd: the content is longer than the protocol's length
	// leaves after the header.
	ContentPastEnd
)

// Element is the header of one element, as read: its identifier, its
// content length, and where its content starts.
type Element struct {
	// Class, Constructed and Tag are the identifier. A long-form tag's
	// number wraps at 32 bits.
	Class       Class
	Constructed bool
	Tag         uint32
	// HeaderLen is the number of identifier and length octets read: where
	// the content starts. When Read fails, it is the number read before
	// it stopped.
	HeaderLen int
	// Length is the content length. When the length octets were read but
	// the content does not fit (ContentPastEnd), it is still set.
	Length uint32
	// LengthOctets is the number of octets after the first length octet
	// in the long form (0 in the short form).
	LengthOctets int
}

// Read reads the header of the element that starts b. b holds the bytes
// captured from the element on; n is the number of bytes the enclosing
// protocol says are left for it and what follows (n may be more or less
// than len(b)). The octets read must lie within both limits, with one
// exception that Read shares with tcpdump's reader: after a long tag's
// octet, the next one is looked at before n is checked, so that a tag
// running past n in a capture that ends there is TruncatedTag rather
// than TagPastEnd.
func Read(b []byte, n int) (Element, Status) {
	var e Element
	if n < 1 {
		return e, Empty
	}
	if len(b) < 1 {
		return e, TruncatedTag
	}
	id := b[0]
	e.Class = Class(id >> classShift)
	e.Constructed = id&constructed != 0
	e.Tag = uint32(id & tagMask)
	i := 1
	left := n - 1 // what n leaves after the octets read
	if e.Tag == tagLongForm {
		e.Tag = 0
		for {
			if i >= len(b) {
				e.HeaderLen = i
				return e, TruncatedTag
			}
			c := b[i]
			if left < 1 {
				e.HeaderLen = i
				return e, TagPastEnd
			}
			e.Tag = e.Tag<<7 | uint32(c&^more)
			i++
			left--
			if c&more == 0 {
				break
			}
		}
	}
	e.HeaderLen = i
	if left < 1 {
		return e, NoLength
	}
	if i >= len(b) {
		return e, TruncatedLength
	}
	l := b[i]
	i++
	left--
	e.HeaderLen = i
	if l&lenLongForm == 0 {
		e.Length = uint32(l)
	} else {
		octets := int(l & lenOctetsMask)
		e.LengthOctets = octets
		if left < octets {
			return e, LengthPastEnd
		}
		if len(b)-i < octets {
			return e, TruncatedLongLength
		}
		for _, c := range b[i : i+octets] {
			e.Length = e.Length<<8 | uint32(c)
		}
		i += octets
		left -= octets
		e.HeaderLen = i
	}
	if uint64(left) < uint64(e.Length) {
		return e, ContentPastEnd
	}
	return e, OK
}

// Remaining is what the protocol's length n leaves after e's header: the
// n of Read less HeaderLen.
func (e Element) Remaining(n int) int { return n - e.HeaderLen }

// Captured returns e's content out of b, the bytes Read read e from, and
// whether all of it was captured. Call it only after Read returned OK.
func (e Element) Captured(b []byte) ([]byte, bool) {
	if e.HeaderLen > len(b) || uint64(len(b)-e.HeaderLen) < uint64(e.Length) {
		return nil, false
	}
	return b[e.HeaderLen : e.HeaderLen+int(e.Length)], true
}

// Int32 reads an INTEGER's content as a two's complement number,
// keeping the low 32 bits of a longer one. An empty content reads as 0.
func Int32(c []byte) int32 {
	var v int32
	if len(c) > 0 && c[0]&0x80 != 0 {
		v = -1
	}
	for _, b := range c {
		v = v<<8 | int32(b)
	}
	return v
}

// Uint32 reads an unsigned number (a Counter, Gauge or TimeTicks),
// keeping the low 32 bits.
func Uint32(c []byte) uint32 {
	var v uint32
	for _, b := range c {
		v = v<<8 | uint32(b)
	}
	return v
}

// Uint64 reads an unsigned number (a Counter64), keeping the low 64 bits.
func Uint64(c []byte) uint64 {
	var v uint64
	for _, b := range c {
		v = v<<8 | uint64(b)
	}
	return v
}

// OIDIter walks the subidentifiers of an OBJECT IDENTIFIER's content
// (X.690, 8.19): base-128 numbers whose last octet has bit 8 clear. The
// first subidentifier encodes the first two arcs (40 times the first
// plus the second); the iterator returns it as it is. A subidentifier
// wider than 32 bits keeps its low 32, and octets left at the end
// without a last octet are no subidentifier.
type OIDIter struct {
	c []byte
}

// NewOIDIter returns an iterator over the subidentifiers of content c.
func NewOIDIter(c []byte) OIDIter { return OIDIter{c: c} }

// Next returns the next subidentifier, or false when there is none.
func (it *OIDIter) Next() (uint32, bool) {
	var v uint32
	for i, b := range it.c {
		v = v<<7 | uint32(b&^more)
		if b&more == 0 {
			it.c = it.c[i+1:]
			return v, true
		}
	}
	it.c = nil
	return 0, false
}
