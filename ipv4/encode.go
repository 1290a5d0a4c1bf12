package ipv4

import "fmt"

// Fields are the values of an IPv4 header to encode. The version, header
// length and checksum follow from the rest.
type Fields struct {
	TOS uint8
	// PayloadLen is the length of what follows the header; the total
	// length field is the header length plus this.
	PayloadLen int
	ID         uint16
	Flags      Flags
	// FragOffset is the fragment offset in bytes, a multiple of 8.
	FragOffset int
	TTL        uint8
	Protocol   Protocol
	Src, Dst   Addr
	// Options are the raw option bytes, at most 40. Encode pads them with
	// zero bytes (end of option list) to a multiple of 4.
	Options []byte
}

// HeaderLen returns the length of the header Encode writes: 20 bytes and
// the options, padded to a multiple of 4.
func (f *Fields) HeaderLen() int { return MinHeaderLen + (len(f.Options)+3)&^3 }

// Encode writes the header into the start of b, with a correct checksum,
// and returns b as a Header; the payload goes in b[f.HeaderLen():]. b needs
// room for the header only, so a caller can send header and payload from
// separate buffers. Encode fails, writing nothing, when b is too short
// (ErrTruncated), the options do not fit in 40 bytes (ErrBadHeaderLength),
// the datagram would exceed 65535 bytes (ErrBadTotalLength), or the
// fragment offset is not a multiple of 8 below 65536 (ErrBadFragOffset).
func (f *Fields) Encode(b []byte) (Header, error) {
	if len(f.Options) > MaxOptionsLen {
		return nil, fmt.Errorf("%w: %d bytes of options, room for %d", ErrBadHeaderLength, len(f.Options), MaxOptionsLen)
	}
	hl := f.HeaderLen()
	if len(b) < hl {
		return nil, fmt.Errorf("%w: buffer of %d bytes, header needs %d", ErrTruncated, len(b), hl)
	}
	if f.PayloadLen < 0 || f.PayloadLen > MaxTotalLen-hl {
		return nil, fmt.Errorf("%w: %d-byte header and %d-byte payload exceed %d", ErrBadTotalLength, hl, f.PayloadLen, MaxTotalLen)
	}
	if f.FragOffset < 0 || f.FragOffset%8 != 0 || f.FragOffset > fragMask*8 {
		return nil, fmt.Errorf("%w: %d is not a multiple of 8 in [0, %d]", ErrBadFragOffset, f.FragOffset, fragMask*8)
	}
	h := Header(b)
	h[verIHLOff] = Version<<4 | uint8(hl/4)
	h.SetTOS(f.TOS)
	h.SetTotalLen(uint16(hl + f.PayloadLen))
	h.SetID(f.ID)
	h[fragOff], h[fragOff+1] = 0, 0
	h.SetFlags(f.Flags)
	h.SetFragOffset(f.FragOffset)
	h.SetTTL(f.TTL)
	h.SetProtocol(f.Protocol)
	h.SetChecksum(0)
	h.SetSrc(f.Src)
	h.SetDst(f.Dst)
	n := copy(h[MinHeaderLen:], f.Options)
	clear(h[MinHeaderLen+n : hl])
	h.FillChecksum()
	return h, nil
}

// Decode fills f from a header, the inverse of Encode: Options is set to
// the option bytes (padding included, sharing h's memory) and PayloadLen to
// the total length less the header length, or 0 when that is negative. It
// does not validate h.
func (f *Fields) Decode(h Header) {
	*f = Fields{
		TOS:        h.TOS(),
		PayloadLen: max(0, int(h.TotalLen())-h.HeaderLen()),
		ID:         h.ID(),
		Flags:      h.Flags(),
		FragOffset: h.FragOffset(),
		TTL:        h.TTL(),
		Protocol:   h.Protocol(),
		Src:        h.Src(),
		Dst:        h.Dst(),
		Options:    h.Options(),
	}
}
