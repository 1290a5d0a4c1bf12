package icmp

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io"

	"github.com/medina-net/medina/checksum"
)

// Offsets of the RFC 4884 extension structure and its objects.
const (
	extVersionOff = 0 // version in the high nibble, then 12 reserved bits
	extCsumOff    = 2
	extHeaderLen  = 4

	objLenOff    = 0
	objClassOff  = 2
	objCTypeOff  = 3
	objHeaderLen = 4
)

// ExtensionVersion is the version of the extension structure RFC 4884
// defines.
const ExtensionVersion = 2

// ErrBadObjectLength: an extension object's length is below the 4 bytes of
// its own header.
var ErrBadObjectLength = errors.New("icmp: bad extension object length")

// Extension is a view of an RFC 4884 ICMP extension structure: a 4-byte
// header (version, checksum) and the objects that follow it to the end of
// the message.
type Extension []byte

// NewExtension returns b as an Extension after checking it holds the
// 4-byte header. Message.Extension finds the structure where RFC 4884 and
// RFC 8335 put it; a printer that follows tcpdump looks at
// m[LegacyExtensionOffset:] instead.
func NewExtension(b []byte) (Extension, error) {
	if len(b) < extHeaderLen {
		return nil, fmt.Errorf("%w: extension structure of %d bytes, header needs %d", ErrTruncated, len(b), extHeaderLen)
	}
	return Extension(b), nil
}

// Version returns the version, 2 for RFC 4884.
func (e Extension) Version() uint8 { return e[extVersionOff] >> 4 }

// Checksum returns the checksum field.
func (e Extension) Checksum() uint16 { return binary.BigEndian.Uint16(e[extCsumOff:]) }

// ComputeChecksum returns the checksum the structure should carry, over
// all of e as if the field were zero.
func (e Extension) ComputeChecksum() uint16 {
	sum := checksum.Add(0, e[:extCsumOff])
	sum = checksum.Add(sum, e[extCsumOff+2:])
	return ^checksum.Fold(sum)
}

// ChecksumValid reports whether the checksum verifies over all of e.
func (e Extension) ChecksumValid() bool { return checksum.Fold(checksum.Add(0, e)) == 0xffff }

// Objects returns an iterator over the extension objects.
func (e Extension) Objects() ObjectIter { return ObjectIter{b: e, off: extHeaderLen} }

// Extension returns the extension structure of a message, where the RFCs
// put it: for destination unreachable, time exceeded and parameter
// problem, after the quote as the RFC 4884 length says it, or when the
// length is 0, at LegacyExtensionOffset if the message is long enough for
// a structure and an object header there and the structure has version 2
// and a valid checksum (the test RFC 4884 section 5 gives for senders that
// predate it); for an extended echo request
// (RFC 8335), right after the header. ok is false when there is none or
// the message ends before its 4-byte header.
func (m Message) Extension() (e Extension, ok bool) {
	if !m.HasRest() {
		return nil, false
	}
	var off int
	switch t := m.Type(); {
	case t == TypeExtEchoRequest:
		off = HeaderLen
	case t.IsMultipart() && m.QuotedLen() > 0:
		off = HeaderLen + m.QuotedLen()
	case t.IsMultipart():
		if len(m) < LegacyExtensionOffset+extHeaderLen+objHeaderLen {
			return nil, false
		}
		e = Extension(m[LegacyExtensionOffset:])
		return e, e.Version() == ExtensionVersion && e.ChecksumValid()
	default:
		return nil, false
	}
	if len(m) < off+extHeaderLen {
		return nil, false
	}
	return Extension(m[off:]), true
}

// ObjectClass is the class number of an extension object.
type ObjectClass uint8

// Extension object classes from the IANA registry.
const (
	ClassMPLS          ObjectClass = 1 // MPLS label stack, RFC 4950
	ClassInterfaceInfo ObjectClass = 2 // interface information, RFC 5837
	ClassInterfaceID   ObjectClass = 3 // interface identification, RFC 8335
)

// Object is one extension object as ObjectIter yields it.
type Object struct {
	// Len is the object's length as its header says, header included.
	Len   int
	Class ObjectClass
	CType uint8
	// Offset is where the object starts in the extension structure.
	Offset int
	// Bytes holds the object from its header on: Len bytes when it is well
	// formed, fewer when the structure ends first.
	Bytes []byte
}

// Data returns the object's bytes after its 4-byte header.
func (o Object) Data() []byte {
	if len(o.Bytes) < objHeaderLen {
		return nil
	}
	return o.Bytes[objHeaderLen:]
}

// MPLSEntry returns the i-th (from 0) label stack entry of an MPLS object.
// ok is false past the end of the data.
func (o Object) MPLSEntry(i int) (e MPLSEntry, ok bool) {
	d := o.Data()
	if i < 0 || 4*i+4 > len(d) {
		return 0, false
	}
	return MPLSEntry(binary.BigEndian.Uint32(d[4*i:])), true
}

// MPLSEntry is one MPLS label stack entry (RFC 3032) as an MPLS extension
// object carries it.
type MPLSEntry uint32

// Label returns the 20-bit label.
func (e MPLSEntry) Label() uint32 { return uint32(e) >> 12 }

// TC returns the 3-bit traffic class (formerly EXP).
func (e MPLSEntry) TC() uint8 { return uint8(e>>9) & 7 }

// S reports the bottom-of-stack bit.
func (e MPLSEntry) S() bool { return e&0x100 != 0 }

// TTL returns the entry's time to live.
func (e MPLSEntry) TTL() uint8 { return uint8(e) }

// ObjectIter walks the objects of an extension structure, one per call to
// Next. A malformed object stops the walk with an error, never a panic.
type ObjectIter struct {
	b    []byte
	off  int
	done bool
}

// The errors of ObjectIter.Next are made once: a printer walks the objects
// of every message it prints, and a malformed one must not cost an
// allocation. The object returned with the error says where and how long.
var (
	errObjectHeaderCut = fmt.Errorf("%w: extension object header cut short", ErrTruncated)
	errObjectTooShort  = fmt.Errorf("%w: extension object shorter than its %d-byte header", ErrBadObjectLength, objHeaderLen)
	errObjectPastEnd   = fmt.Errorf("%w: extension object runs past the end of the structure", ErrTruncated)
)

// Next returns the next object, or io.EOF at the end of the structure and
// after an error. An object whose length is below 4 is returned with an
// error wrapping ErrBadObjectLength; one that runs past the end of the
// structure (or a header cut short), with an error wrapping ErrTruncated.
// The errors do not allocate: the object returned with one has its offset
// and length.
func (it *ObjectIter) Next() (Object, error) {
	if it.done || it.off >= len(it.b) {
		it.done = true
		return Object{}, io.EOF
	}
	off := it.off
	o := Object{Offset: off}
	if off+objHeaderLen > len(it.b) {
		it.done = true
		o.Bytes = it.b[off:]
		return o, errObjectHeaderCut
	}
	o.Len = int(binary.BigEndian.Uint16(it.b[off+objLenOff:]))
	o.Class = ObjectClass(it.b[off+objClassOff])
	o.CType = it.b[off+objCTypeOff]
	o.Bytes = it.b[off:min(len(it.b), off+max(o.Len, objHeaderLen))]
	switch {
	case o.Len < objHeaderLen:
		it.done = true
		return o, errObjectTooShort
	case off+o.Len > len(it.b):
		it.done = true
		return o, errObjectPastEnd
	}
	it.off += o.Len
	return o, nil
}
