package ethernet

import (
	"encoding/binary"
	"errors"
	"fmt"
)

// Field offsets of the Ethernet header, named once.
const (
	dstOff  = 0
	srcOff  = 6
	typeOff = 12

	// HeaderLen is the length of the untagged Ethernet header.
	HeaderLen = 14
	// TagLen is the length of one 802.1Q or 802.1ad tag.
	TagLen = 4
	// MinFrameLen is the minimum frame length without the FCS; shorter
	// frames are padded on the wire.
	MinFrameLen = 60
	// MaxLengthField is the largest value of the type/length field that is a
	// length (an 802.3 frame); values of 0x0600 and above are EtherTypes.
	MaxLengthField = 1500
)

// Type is an EtherType.
type Type uint16

// EtherTypes that medina handles or names.
const (
	TypeIPv4     Type = 0x0800
	TypeARP      Type = 0x0806
	TypeRARP     Type = 0x8035
	TypeVLAN     Type = 0x8100 // 802.1Q customer tag
	TypeIPv6     Type = 0x86dd
	TypeQinQ     Type = 0x88a8 // 802.1ad service tag
	TypeLoopback Type = 0x9000 // Ethernet configuration testing protocol
	// Older stacks used these for stacked VLAN tags before 802.1ad.
	TypeQinQ9100 Type = 0x9100
	TypeQinQ9200 Type = 0x9200
)

// IsTag reports whether t introduces a VLAN tag.
func (t Type) IsTag() bool {
	return t == TypeVLAN || t == TypeQinQ || t == TypeQinQ9100 || t == TypeQinQ9200
}

// ErrTruncated is wrapped by every error about a buffer too short for the
// header it should hold.
var ErrTruncated = errors.New("ethernet: truncated")

// The errors of the New functions are made once: the stack meets them for
// every runt frame and a printer for every header cut short, neither of
// which must cost an allocation.
var (
	errShortFrame = fmt.Errorf("%w: frame shorter than the %d-byte header", ErrTruncated, HeaderLen)
	errShortTag   = fmt.Errorf("%w: VLAN tag shorter than %d bytes", ErrTruncated, TagLen)
	errShortLLC   = fmt.Errorf("%w: LLC header cut short", ErrTruncated)
	errShortSNAP  = fmt.Errorf("%w: SNAP header shorter than %d bytes", ErrTruncated, SNAPLen)
)

// Frame is a view of an Ethernet header at the start of a byte slice.
type Frame []byte

// NewFrame returns b as a Frame after checking it holds the 14-byte header.
func NewFrame(b []byte) (Frame, error) {
	if len(b) < HeaderLen {
		return nil, errShortFrame
	}
	return Frame(b), nil
}

// Dst returns the destination address.
func (f Frame) Dst() (a Addr) {
	if len(f) >= dstOff+len(a) {
		return Addr(f[dstOff : dstOff+len(a)]) // one move, where copy calls memmove
	}
	copy(a[:], f[dstOff:])
	return a
}

// Src returns the source address.
func (f Frame) Src() (a Addr) {
	if len(f) >= srcOff+len(a) {
		return Addr(f[srcOff : srcOff+len(a)]) // one move, where copy calls memmove
	}
	copy(a[:], f[srcOff:])
	return a
}

// TypeOrLen returns the raw type/length field: an EtherType when it is at
// least 0x0600, the 802.3 payload length when at most 1500.
func (f Frame) TypeOrLen() uint16 { return binary.BigEndian.Uint16(f[typeOff:]) }

// Type returns the type/length field as an EtherType.
func (f Frame) Type() Type { return Type(f.TypeOrLen()) }

// IsLength reports whether the type/length field is an 802.3 length.
func (f Frame) IsLength() bool { return f.TypeOrLen() <= MaxLengthField }

// Payload returns the bytes after the 14-byte header.
func (f Frame) Payload() []byte { return f[HeaderLen:] }

// SetDst sets the destination address.
func (f Frame) SetDst(a Addr) {
	if len(f) >= dstOff+len(a) {
		*(*Addr)(f[dstOff : dstOff+len(a)]) = a
		return
	}
	copy(f[dstOff:], a[:])
}

// SetSrc sets the source address.
func (f Frame) SetSrc(a Addr) {
	if len(f) >= srcOff+len(a) {
		*(*Addr)(f[srcOff : srcOff+len(a)]) = a
		return
	}
	copy(f[srcOff:], a[:])
}

// SetType sets the type/length field.
func (f Frame) SetType(t Type) { binary.BigEndian.PutUint16(f[typeOff:], uint16(t)) }

// Encode writes an untagged Ethernet II header into b and returns it as a
// Frame; the payload goes in b[HeaderLen:].
func Encode(b []byte, dst, src Addr, t Type) (Frame, error) {
	f, err := NewFrame(b)
	if err != nil {
		return nil, err
	}
	f.SetDst(dst)
	f.SetSrc(src)
	f.SetType(t)
	return f, nil
}
