package tcp

import (
	"encoding/binary"
	"errors"
	"fmt"

	"github.com/medina-net/medina/checksum"
)

// Field offsets of the TCP header, named once.
const (
	srcPortOff  = 0
	dstPortOff  = 2
	seqOff      = 4
	ackOff      = 8
	offsetOff   = 12 // data offset in the high nibble, AE and reserved bits below
	flagsOff    = 13
	windowOff   = 14
	checksumOff = 16
	urgentOff   = 18

	// HeaderLen is the length of the fixed header, without options: the
	// smallest valid data offset.
	HeaderLen = 20
	// MaxHeaderLen is the largest header a 4-bit data offset can describe.
	MaxHeaderLen = 60
	// MaxOptionsLen is the room for options in the largest header.
	MaxOptionsLen = MaxHeaderLen - HeaderLen

	// ProtocolNumber is TCP's IP protocol number.
	ProtocolNumber = 6
)

// Errors wrapped by the errors this package returns.
var (
	// ErrTruncated is wrapped by every error about a buffer too short for
	// what it should hold: the fixed header, or the header the data offset
	// describes.
	ErrTruncated = errors.New("tcp: truncated")
	// ErrBadDataOffset is wrapped by the error about a data offset below the
	// 20-byte fixed header, or one that a builder cannot encode.
	ErrBadDataOffset = errors.New("tcp: bad data offset")
	// ErrBadOption is wrapped by errors about a malformed option: a length
	// that is too small, runs past the option area, or is wrong for the kind.
	ErrBadOption = errors.New("tcp: bad option")
	// ErrOptionsTooLong is returned by builders given more than
	// MaxOptionsLen bytes of options.
	ErrOptionsTooLong = errors.New("tcp: options longer than 40 bytes")
	// ErrTooLong is returned when a segment is longer than the 16-bit length
	// of the IPv4 pseudo-header can describe.
	ErrTooLong = errors.New("tcp: segment longer than 65535 bytes")
)

// NewHeader's error is made once: it is returned for every rejected
// segment, and a rejected segment must not cost an allocation.
var errShortHeader = fmt.Errorf("%w: fewer than %d bytes for the fixed header", ErrTruncated, HeaderLen)

// Header is a view of a TCP segment at the start of a byte slice: the fixed
// header, the options the data offset covers, and the payload after them.
type Header []byte

// NewHeader returns b as a Header after checking it holds the 20-byte fixed
// header. It does not look at the data offset, so that a printer can still
// show the fixed fields of a segment whose offset is wrong; the stack calls
// Validate as well.
func NewHeader(b []byte) (Header, error) {
	if len(b) < HeaderLen {
		return nil, errShortHeader
	}
	return Header(b), nil
}

// Check reports whether the data offset describes a header that is at
// least 20 bytes long and fits in h, as a receiver must before it reads
// options or payload. It returns nil, ErrBadDataOffset or ErrTruncated,
// the sentinels themselves, so that a rejected segment costs no
// allocation; Validate says the same with the values that were wrong.
// Options are not checked here: the option iterator reports each
// malformed option, and a receiver decides what to do about it (RFC 9293
// section 3.1 asks it to be prepared for any option length).
func (h Header) Check() error {
	n := h.DataOffset()
	if n < HeaderLen {
		return ErrBadDataOffset
	}
	if n > len(h) {
		return ErrTruncated
	}
	return nil
}

// Validate is Check with detail: its error wraps the sentinel Check
// returns and says what the data offset and the buffer were.
func (h Header) Validate() error {
	switch err := h.Check(); err {
	case nil:
		return nil
	case ErrBadDataOffset:
		return fmt.Errorf("%w: data offset %d below the %d-byte fixed header", err, h.DataOffset(), HeaderLen)
	default:
		return fmt.Errorf("%w: data offset %d past the end of the %d-byte segment", err, h.DataOffset(), len(h))
	}
}

// PortsLen is the length of the two port fields that start the header.
const PortsLen = dstPortOff + 2

// Ports returns the source and destination ports that start b, which may
// be less than a header: a segment cut short by a capture's snap length,
// which tcpdump still prints the ports of, or the first bytes of a segment
// that an ICMP error quotes. ok is false when b is shorter than PortsLen.
func Ports(b []byte) (src, dst uint16, ok bool) {
	if len(b) < PortsLen {
		return 0, 0, false
	}
	return binary.BigEndian.Uint16(b[srcPortOff:]), binary.BigEndian.Uint16(b[dstPortOff:]), true
}

// SrcPort returns the source port.
func (h Header) SrcPort() uint16 { return binary.BigEndian.Uint16(h[srcPortOff:]) }

// DstPort returns the destination port.
func (h Header) DstPort() uint16 { return binary.BigEndian.Uint16(h[dstPortOff:]) }

// Seq returns the sequence number.
func (h Header) Seq() uint32 { return binary.BigEndian.Uint32(h[seqOff:]) }

// Ack returns the acknowledgment number; it means something only when the
// ACK flag is set.
func (h Header) Ack() uint32 { return binary.BigEndian.Uint32(h[ackOff:]) }

// DataOffset returns the header length in bytes as the data offset field
// gives it (the field counts 32-bit words). It may be below 20 or past the
// end of h in a malformed segment; Validate checks both.
func (h Header) DataOffset() int { return int(h[offsetOff]>>4) * 4 }

// Flags returns the control bits: the eight of the flags byte and, above
// them, the AE bit and the three reserved bits that share a byte with the
// data offset.
func (h Header) Flags() Flags {
	return Flags(h[offsetOff]&0x0f)<<8 | Flags(h[flagsOff])
}

// Window returns the window field, unscaled.
func (h Header) Window() uint16 { return binary.BigEndian.Uint16(h[windowOff:]) }

// Checksum returns the checksum field.
func (h Header) Checksum() uint16 { return binary.BigEndian.Uint16(h[checksumOff:]) }

// Urgent returns the urgent pointer; it means something only when the URG
// flag is set.
func (h Header) Urgent() uint16 { return binary.BigEndian.Uint16(h[urgentOff:]) }

// headerEnd returns the data offset clamped to what h can hold: never below
// the fixed header, never past the end of h. Options and Payload split h at
// this point, so the fixed header, the options and the payload always add up
// to h, however wrong the offset is.
func (h Header) headerEnd() int {
	n := h.DataOffset()
	if n < HeaderLen {
		return HeaderLen
	}
	if n > len(h) {
		return len(h)
	}
	return n
}

// OptionsLen returns the length of the option area as the data offset
// declares it (0 when the offset is below 20). It is longer than
// len(h.Options()) when the segment was cut short.
func (h Header) OptionsLen() int {
	n := h.DataOffset() - HeaderLen
	if n < 0 {
		return 0
	}
	return n
}

// Options returns the bytes of the option area, from the end of the fixed
// header to the data offset, clipped to the end of h. Walk them with
// Header.OptionIter.
func (h Header) Options() []byte { return h[HeaderLen:h.headerEnd()] }

// Payload returns the bytes after the header. When the data offset runs
// past the end of h the payload is empty; when it is below 20 the payload is
// taken to start right after the fixed header.
func (h Header) Payload() []byte { return h[h.headerEnd():] }

// TimestampsOnly reports whether the options of h are exactly two NOPs and
// a timestamps option, the layout RFC 7323 appendix A suggests, which
// nearly every segment of a connection with timestamps carries, and
// returns the timestamps: a reader takes them without walking the list.
// ok is false for any other list, and for one the capture cut short.
func (h Header) TimestampsOnly() (val, ecr uint32, ok bool) {
	opts := h.Options()
	if len(opts) != 12 || h.OptionsLen() != 12 || opts[0] != byte(OptNOP) || opts[1] != byte(OptNOP) ||
		opts[2] != byte(OptTimestamps) || opts[3] != 10 {
		return 0, 0, false
	}
	return binary.BigEndian.Uint32(opts[4:]), binary.BigEndian.Uint32(opts[8:]), true
}

// OptionIter returns an iterator over the options of h. It knows the length
// of the option area the data offset declares, so it tells an option that
// runs past that area (malformed) from one that was not captured
// (truncated).
func (h Header) OptionIter() OptionIter {
	return OptionIter{b: h.Options(), end: h.OptionsLen()}
}

// SetSrcPort sets the source port.
func (h Header) SetSrcPort(p uint16) { binary.BigEndian.PutUint16(h[srcPortOff:], p) }

// SetDstPort sets the destination port.
func (h Header) SetDstPort(p uint16) { binary.BigEndian.PutUint16(h[dstPortOff:], p) }

// SetSeq sets the sequence number.
func (h Header) SetSeq(n uint32) { binary.BigEndian.PutUint32(h[seqOff:], n) }

// SetAck sets the acknowledgment number.
func (h Header) SetAck(n uint32) { binary.BigEndian.PutUint32(h[ackOff:], n) }

// SetDataOffset sets the data offset to n bytes. n must be a multiple of 4
// from 20 to 60; the error wraps ErrBadDataOffset otherwise.
func (h Header) SetDataOffset(n int) error {
	if n < HeaderLen || n > MaxHeaderLen || n%4 != 0 {
		return fmt.Errorf("%w: %d is not a multiple of 4 from %d to %d", ErrBadDataOffset, n, HeaderLen, MaxHeaderLen)
	}
	h[offsetOff] = byte(n/4)<<4 | h[offsetOff]&0x0f
	return nil
}

// SetFlags sets the control bits, the AE and reserved bits included; bits
// above those twelve are ignored.
func (h Header) SetFlags(f Flags) {
	h[offsetOff] = h[offsetOff]&0xf0 | byte(f>>8)&0x0f
	h[flagsOff] = byte(f)
}

// SetWindow sets the window field.
func (h Header) SetWindow(w uint16) { binary.BigEndian.PutUint16(h[windowOff:], w) }

// SetChecksum sets the checksum field.
func (h Header) SetChecksum(c uint16) { binary.BigEndian.PutUint16(h[checksumOff:], c) }

// SetUrgent sets the urgent pointer.
func (h Header) SetUrgent(p uint16) { binary.BigEndian.PutUint16(h[urgentOff:], p) }

// ComputeChecksum returns the value the checksum field should hold for the
// segment h (header and payload, all of h) between the IPv4 addresses src
// and dst. The field's current value is left out of the sum, so h need not
// be zeroed first. len(h) must fit the 16-bit length of the pseudo-header;
// a longer h (a GSO or BIG TCP super-segment) is summed with the length cut
// to 16 bits, as tcpdump does.
//
// A segment whose payload lives in another buffer is summed with the
// checksum package directly:
//
//	sum := checksum.Pseudo(src, dst, tcp.ProtocolNumber, uint16(len(hdr)+len(payload)))
//	sum = checksum.Add(checksum.Add(sum, hdr), payload) // hdr has an even length
//	hdr.SetChecksum(^checksum.Fold(sum))                 // with the field zero
func (h Header) ComputeChecksum(src, dst [4]byte) uint16 {
	sum := checksum.Pseudo(src, dst, ProtocolNumber, uint16(len(h)))
	sum = checksum.Add(sum, h[:checksumOff])
	sum = checksum.Add(sum, h[checksumOff+2:])
	return ^checksum.Fold(sum)
}

// ChecksumValid reports whether the checksum field is right for the
// segment h between src and dst.
func (h Header) ChecksumValid(src, dst [4]byte) bool {
	sum := checksum.Pseudo(src, dst, ProtocolNumber, uint16(len(h)))
	return checksum.Fold(checksum.Add(sum, h)) == 0xffff
}

// ComputeChecksum6 is ComputeChecksum between the IPv6 addresses src and
// dst, over IPv6's pseudo-header (RFC 8200 8.1), whose 32-bit length
// takes any len(h); dst is the final destination (ipv6.Header.FinalDst).
func (h Header) ComputeChecksum6(src, dst [16]byte) uint16 {
	sum := checksum.Pseudo6(src, dst, ProtocolNumber, uint32(len(h)))
	sum = checksum.Add(sum, h[:checksumOff])
	sum = checksum.Add(sum, h[checksumOff+2:])
	return ^checksum.Fold(sum)
}

// ChecksumValid6 is ChecksumValid between IPv6 addresses.
func (h Header) ChecksumValid6(src, dst [16]byte) bool {
	sum := checksum.Pseudo6(src, dst, ProtocolNumber, uint32(len(h)))
	return checksum.Fold(checksum.Add(sum, h)) == 0xffff
}

// Fields are the values of a TCP header, for writing one with Encode.
type Fields struct {
	SrcPort, DstPort uint16
	Seq, Ack         uint32
	Flags            Flags
	Window           uint16
	Urgent           uint16
	// Options are the encoded options (see AppendMSS and the other Append
	// functions). Encode pads them with zero (end of option list) bytes to a
	// multiple of 4.
	Options []byte
}

// HeaderLen returns the length of the header Encode writes: 20 bytes and
// the options padded to a multiple of 4.
func (f *Fields) HeaderLen() int { return HeaderLen + (len(f.Options)+3)&^3 }

// Encode writes the header into the start of b and returns all of b as a
// Header: b is the whole segment, and its payload goes (or already is) in
// b[f.HeaderLen():]. The checksum field is left zero; EncodeChecksum fills
// it. The error wraps ErrOptionsTooLong or ErrTruncated.
func (f *Fields) Encode(b []byte) (Header, error) {
	if len(f.Options) > MaxOptionsLen {
		return nil, fmt.Errorf("%w: %d bytes", ErrOptionsTooLong, len(f.Options))
	}
	n := f.HeaderLen()
	if len(b) < n {
		return nil, fmt.Errorf("%w: buffer of %d bytes, header needs %d", ErrTruncated, len(b), n)
	}
	h := Header(b)
	h.SetSrcPort(f.SrcPort)
	h.SetDstPort(f.DstPort)
	h.SetSeq(f.Seq)
	h.SetAck(f.Ack)
	h[offsetOff] = byte(n/4) << 4
	h.SetFlags(f.Flags)
	h.SetWindow(f.Window)
	h.SetChecksum(0)
	h.SetUrgent(f.Urgent)
	clear(b[HeaderLen+copy(b[HeaderLen:n], f.Options) : n])
	return h, nil
}

// EncodeChecksum is Encode followed by filling in the checksum for the
// IPv4 addresses src and dst, which needs the payload to be in place in b
// already. The error also wraps ErrTooLong when b is longer than 65535
// bytes.
func (f *Fields) EncodeChecksum(b []byte, src, dst [4]byte) (Header, error) {
	if len(b) > 0xffff {
		return nil, fmt.Errorf("%w: %d bytes", ErrTooLong, len(b))
	}
	h, err := f.Encode(b)
	if err != nil {
		return nil, err
	}
	h.SetChecksum(h.ComputeChecksum(src, dst))
	return h, nil
}

// EncodeChecksum6 is EncodeChecksum between the IPv6 addresses src and
// dst. A segment longer than 65535 bytes is a jumbogram's (RFC 2675),
// which IPv6's pseudo-header describes, and is summed.
func (f *Fields) EncodeChecksum6(b []byte, src, dst [16]byte) (Header, error) {
	h, err := f.Encode(b)
	if err != nil {
		return nil, err
	}
	h.SetChecksum(h.ComputeChecksum6(src, dst))
	return h, nil
}
