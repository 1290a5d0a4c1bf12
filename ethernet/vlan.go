package ethernet

import (
	"encoding/binary"
	"fmt"
)

// Tag is a view of one 802.1Q (or 802.1ad) tag as it follows the tag's
// TPID: the 16-bit tag control information and the EtherType of what comes
// next. In a frame it starts at offset 14 of the header, after the TPID that
// Frame.Type reports.
type Tag []byte

// NewTag returns b as a Tag after checking it holds the 4 bytes.
func NewTag(b []byte) (Tag, error) {
	if len(b) < TagLen {
		return nil, errShortTag
	}
	return Tag(b), nil
}

// TCI returns the raw tag control information.
func (t Tag) TCI() uint16 { return binary.BigEndian.Uint16(t[0:]) }

// Priority returns the 3-bit priority code point (802.1p).
func (t Tag) Priority() uint8 { return uint8(t.TCI() >> 13) }

// DEI reports the drop eligible indicator (formerly CFI).
func (t Tag) DEI() bool { return t.TCI()&0x1000 != 0 }

// VID returns the 12-bit VLAN identifier.
func (t Tag) VID() uint16 { return t.TCI() & 0x0fff }

// Type returns the EtherType (or 802.3 length) that follows the tag.
func (t Tag) Type() Type { return Type(binary.BigEndian.Uint16(t[2:])) }

// Payload returns the bytes after the tag.
func (t Tag) Payload() []byte { return t[TagLen:] }

// PutTag writes a tag with the given priority, DEI and VLAN ID, followed by
// next, into b.
func PutTag(b []byte, prio uint8, dei bool, vid uint16, next Type) (Tag, error) {
	t, err := NewTag(b)
	if err != nil {
		return nil, err
	}
	tci := uint16(prio&7)<<13 | vid&0x0fff
	if dei {
		tci |= 0x1000
	}
	binary.BigEndian.PutUint16(t[0:], tci)
	binary.BigEndian.PutUint16(t[2:], uint16(next))
	return t, nil
}

// MaxTags bounds how many stacked tags Unwrap follows; real networks use at
// most two, and the bound keeps a hostile frame from costing more.
const MaxTags = 8

// Unwrap follows the VLAN tags of a frame and returns what the stack needs
// to demultiplex it: the innermost EtherType (or 802.3 length), the offset
// of the payload in f, and the VLAN ID of the outermost tag (0 when the
// frame is untagged). It reports an error wrapping ErrTruncated when a tag
// is cut short, or when more than MaxTags tags are stacked.
func Unwrap(f Frame) (t Type, payloadOff int, vid uint16, err error) {
	t = f.Type()
	off := HeaderLen
	for n := 0; t.IsTag(); n++ {
		if n == MaxTags {
			return 0, 0, 0, fmt.Errorf("ethernet: more than %d stacked VLAN tags", MaxTags)
		}
		tag, err := NewTag(f[off:])
		if err != nil {
			return 0, 0, 0, fmt.Errorf("tag %d at offset %d: %w", n+1, off, err)
		}
		if n == 0 {
			vid = tag.VID()
		}
		t = tag.Type()
		off += TagLen
	}
	return t, off, vid, nil
}
