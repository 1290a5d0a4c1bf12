package ethernet

import "encoding/binary"

// LLC header lengths. An 802.2 LLC header is three bytes with an unnumbered
// (U-format) control field and four with an I- or S-format one.
const (
	LLCLen  = 3
	SNAPLen = 5

	// SAPSNAP is the DSAP/SSAP value announcing a SNAP header.
	SAPSNAP = 0xaa
)

// LLC is a view of an IEEE 802.2 LLC header.
type LLC []byte

// NewLLC returns b as an LLC after checking it holds the header, including
// the second control byte that I- and S-format frames carry.
func NewLLC(b []byte) (LLC, error) {
	if len(b) < LLCLen {
		return nil, errShortLLC
	}
	l := LLC(b)
	if n := l.Len(); len(b) < n {
		return nil, errShortLLC
	}
	return l, nil
}

// DSAP returns the destination service access point.
func (l LLC) DSAP() uint8 { return l[0] }

// SSAP returns the source service access point.
func (l LLC) SSAP() uint8 { return l[1] }

// Control returns the control field: one byte for U-format frames, two
// (the first byte in the low half) for I- and S-format frames.
func (l LLC) Control() uint16 {
	if l.IsUnnumbered() {
		return uint16(l[2])
	}
	return uint16(l[2]) | uint16(l[3])<<8
}

// IsUnnumbered reports whether the control field is U-format (one byte).
func (l LLC) IsUnnumbered() bool { return l[2]&3 == 3 }

// Len returns the header length: 3 for U-format, 4 otherwise.
func (l LLC) Len() int {
	if l.IsUnnumbered() {
		return LLCLen
	}
	return LLCLen + 1
}

// IsSNAP reports whether a SNAP header follows (both SAPs 0xaa, UI frame).
func (l LLC) IsSNAP() bool { return l[0] == SAPSNAP && l[1] == SAPSNAP && l[2] == 0x03 }

// Payload returns the bytes after the LLC header.
func (l LLC) Payload() []byte { return l[l.Len():] }

// SNAP is a view of a SubNetwork Access Protocol header: a 3-byte OUI and a
// 2-byte protocol ID, which is an EtherType when the OUI is zero.
type SNAP []byte

// NewSNAP returns b as a SNAP after checking it holds the 5 bytes.
func NewSNAP(b []byte) (SNAP, error) {
	if len(b) < SNAPLen {
		return nil, errShortSNAP
	}
	return SNAP(b), nil
}

// OUI returns the organizationally unique identifier.
func (s SNAP) OUI() uint32 { return uint32(s[0])<<16 | uint32(s[1])<<8 | uint32(s[2]) }

// ProtocolID returns the protocol identifier; with OUI 0 it is an EtherType.
func (s SNAP) ProtocolID() uint16 { return binary.BigEndian.Uint16(s[3:]) }

// Payload returns the bytes after the SNAP header.
func (s SNAP) Payload() []byte { return s[SNAPLen:] }
