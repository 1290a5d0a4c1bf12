package udp

import (
	"encoding/binary"
	"errors"
	"fmt"

	"github.com/medina-net/medina/checksum"
)

// Field offsets of the UDP header, named once.
const (
	srcPortOff  = 0
	dstPortOff  = 2
	lengthOff   = 4
	checksumOff = 6

	// HeaderLen is the length of the UDP header.
	HeaderLen = 8
	// ProtocolNumber is UDP's IP protocol number.
	ProtocolNumber = 17
	// MaxLen is the longest datagram the 16-bit length field describes.
	MaxLen = 0xffff
)

// Errors wrapped by the errors this package returns.
var (
	// ErrTruncated is wrapped by every error about a buffer too short for
	// what it should hold: the header, or the datagram the length field
	// describes.
	ErrTruncated = errors.New("udp: truncated")
	// ErrBadLength is wrapped by the error about a length field below the
	// 8-byte header.
	ErrBadLength = errors.New("udp: bad length")
	// ErrBadChecksum is for a datagram whose checksum does not match
	// (ChecksumValid false), for a caller that reports it as an error.
	ErrBadChecksum = errors.New("udp: bad checksum")
	// ErrTooLong is returned by the builders for a datagram longer than the
	// length field can describe.
	ErrTooLong = errors.New("udp: datagram longer than 65535 bytes")
)

// The errors of NewHeader and Validate are made once: they are returned for
// every rejected datagram, and a rejected datagram must not cost an
// allocation.
var (
	errShortHeader = fmt.Errorf("%w: fewer than %d bytes for the header", ErrTruncated, HeaderLen)
)

// Header is a view of a UDP datagram at the start of a byte slice: the
// header and the payload after it.
type Header []byte

// NewHeader returns b as a Header after checking it holds the 8-byte
// header. It does not look at the length field; the stack calls Validate
// as well.
func NewHeader(b []byte) (Header, error) {
	if len(b) < HeaderLen {
		return nil, errShortHeader
	}
	return Header(b), nil
}

// PortsLen is the length of the two port fields that start the header.
const PortsLen = dstPortOff + 2

// Ports returns the source and destination ports that start b, which may
// be less than a header: a datagram cut short by a capture's snap length,
// which tcpdump still prints the ports of, or the first bytes of a
// datagram that an ICMP error quotes. ok is false when b is shorter than
// PortsLen.
func Ports(b []byte) (src, dst uint16, ok bool) {
	if len(b) < PortsLen {
		return 0, 0, false
	}
	return binary.BigEndian.Uint16(b[srcPortOff:]), binary.BigEndian.Uint16(b[dstPortOff:]), true
}

// LengthField returns the length field of the header that starts b, which
// may be cut short after it, before the checksum: tcpdump prints the bad
// length of such a datagram. ok is false when b ends before the field.
func LengthField(b []byte) (n uint16, ok bool) {
	if len(b) < lengthOff+2 {
		return 0, false
	}
	return binary.BigEndian.Uint16(b[lengthOff:]), true
}

// SrcPort returns the source port (0 if the sender expects no reply).
func (h Header) SrcPort() uint16 { return binary.BigEndian.Uint16(h[srcPortOff:]) }

// DstPort returns the destination port.
func (h Header) DstPort() uint16 { return binary.BigEndian.Uint16(h[dstPortOff:]) }

// Length returns the length field: the header and payload in bytes.
func (h Header) Length() uint16 { return binary.BigEndian.Uint16(h[lengthOff:]) }

// Checksum returns the checksum field; 0 means the sender computed none.
func (h Header) Checksum() uint16 { return binary.BigEndian.Uint16(h[checksumOff:]) }

// end returns where the datagram ends in h by its length field: the length
// clipped to h, and all of h for a length of 0, which is how an IPv6
// jumbogram says the IP length counts (RFC 2675; gopacket reads it the same
// way). A length of 1 to 7 leaves no payload.
func (h Header) end() int {
	n := int(h.Length())
	switch {
	case n == 0 || n > len(h):
		return len(h)
	case n < HeaderLen:
		return HeaderLen
	}
	return n
}

// Payload returns the bytes after the header, up to the length field or
// the end of h, whichever comes first (bytes past the length field are
// link-layer padding, not data). For a length field of 0 it is the rest of
// h; for one of 1 to 7 it is empty. Validate tells the stack whether the
// length field is believable.
func (h Header) Payload() []byte { return h[HeaderLen:h.end()] }

// Check reports whether the length field is believable, as a receiver
// must know before it reads the payload: at least the 8-byte header and
// no more than len(h). It returns nil, ErrBadLength or ErrTruncated, the
// sentinels themselves, so that a rejected datagram costs no allocation;
// Validate says the same with the values that were wrong. The checksum
// is ChecksumValid's business: it needs the addresses, and over IPv6 a
// zero checksum is an error where over IPv4 it is allowed.
func (h Header) Check() error {
	n := int(h.Length())
	if n < HeaderLen {
		return ErrBadLength
	}
	if n > len(h) {
		return ErrTruncated
	}
	return nil
}

// Validate is Check with detail: its error wraps the sentinel Check
// returns and says what the length field and the buffer were.
func (h Header) Validate() error {
	switch err := h.Check(); err {
	case nil:
		return nil
	case ErrBadLength:
		return fmt.Errorf("%w: length field %d below the %d-byte header", err, h.Length(), HeaderLen)
	default:
		return fmt.Errorf("%w: length field %d past the end of the %d-byte datagram", err, h.Length(), len(h))
	}
}

// sum returns the partial sum of the datagram as far as Payload reaches,
// with the checksum field left out, added to pseudo, the sum of the
// pseudo-header.
func (h Header) sum(pseudo uint32) uint32 {
	// One pass over the datagram, field and all, then the field taken
	// out again by adding its complement: cheaper than two passes around
	// it, on a datagram of a few dozen bytes.
	return checksum.Add(pseudo, h[:h.end()]) + uint32(^h.Checksum())
}

// sumAll is the sum of the datagram as far as Payload reaches, checksum
// field included, added to pseudo: 0xffff when the checksum is right.
func (h Header) sumAll(pseudo uint32) uint16 {
	return checksum.Fold(checksum.Add(pseudo, h[:h.end()]))
}

// pseudo4 and pseudo6 are the sums of the IPv4 and IPv6 pseudo-headers
// for h. Both take the length the datagram is summed over, Payload's end;
// IPv6's field is 32 bits wide (RFC 8200 8.1).
func (h Header) pseudo4(src, dst [4]byte) uint32 {
	return checksum.Pseudo(src, dst, ProtocolNumber, uint16(h.end()))
}

func (h Header) pseudo6(src, dst [16]byte) uint32 {
	return checksum.Pseudo6(src, dst, ProtocolNumber, uint32(h.end()))
}

// fieldFor returns the checksum field's value for the sum s: its one's
// complement, and 0xffff, the other form of zero, for a sum that comes to
// 0, because 0 in the field means no checksum (RFC 768; over IPv6 RFC
// 8200 8.1 asks the same).
func fieldFor(s uint32) uint16 {
	if c := ^checksum.Fold(s); c != 0 {
		return c
	}
	return 0xffff
}

// ComputeChecksum returns the value the checksum field should hold for the
// datagram h from src to dst over IPv4. It covers the header and Payload,
// which is what tcpdump checks too.
func (h Header) ComputeChecksum(src, dst [4]byte) uint16 { return fieldFor(h.sum(h.pseudo4(src, dst))) }

// ComputeChecksum6 is ComputeChecksum between the IPv6 addresses src and
// dst; dst is the final destination (ipv6.Header.FinalDst).
func (h Header) ComputeChecksum6(src, dst [16]byte) uint16 {
	return fieldFor(h.sum(h.pseudo6(src, dst)))
}

// ChecksumValid reports whether the checksum field is right for the
// datagram h from src to dst over IPv4, or 0: over IPv4 a datagram
// without a checksum has none to be wrong. A printer that shows "[no
// cksum]" looks at Checksum first.
func (h Header) ChecksumValid(src, dst [4]byte) bool {
	c := h.Checksum()
	return c == 0 || h.sumAll(h.pseudo4(src, dst)) == 0xffff
}

// ChecksumValid6 reports whether the checksum field is right for the
// datagram h from src to dst over IPv6, where the checksum is mandatory:
// a zero field is not valid (RFC 8200 8.1).
func (h Header) ChecksumValid6(src, dst [16]byte) bool {
	c := h.Checksum()
	return c != 0 && h.sumAll(h.pseudo6(src, dst)) == 0xffff
}

// SetSrcPort sets the source port.
func (h Header) SetSrcPort(p uint16) { binary.BigEndian.PutUint16(h[srcPortOff:], p) }

// SetDstPort sets the destination port.
func (h Header) SetDstPort(p uint16) { binary.BigEndian.PutUint16(h[dstPortOff:], p) }

// SetLength sets the length field.
func (h Header) SetLength(n uint16) { binary.BigEndian.PutUint16(h[lengthOff:], n) }

// SetChecksum sets the checksum field.
func (h Header) SetChecksum(c uint16) { binary.BigEndian.PutUint16(h[checksumOff:], c) }

// Encode writes a header into the start of b and returns all of b as a
// Header: b is the whole datagram, its payload in (or going in)
// b[HeaderLen:], and the length field says len(b). The checksum field is
// left 0, which RFC 768 allows over IPv4; EncodeChecksum fills it. The
// error wraps ErrTruncated or ErrTooLong.
func Encode(b []byte, srcPort, dstPort uint16) (Header, error) {
	if len(b) < HeaderLen {
		return nil, fmt.Errorf("%w: buffer of %d bytes, header needs %d", ErrTruncated, len(b), HeaderLen)
	}
	if len(b) > MaxLen {
		return nil, fmt.Errorf("%w: %d bytes", ErrTooLong, len(b))
	}
	h := Header(b)
	h.SetSrcPort(srcPort)
	h.SetDstPort(dstPort)
	h.SetLength(uint16(len(b)))
	h.SetChecksum(0)
	return h, nil
}

// EncodeChecksum is Encode followed by filling in the checksum for the
// IPv4 addresses src and dst, which needs the payload to be in place in b
// already.
func EncodeChecksum(b []byte, srcPort, dstPort uint16, src, dst [4]byte) (Header, error) {
	h, err := Encode(b, srcPort, dstPort)
	if err != nil {
		return nil, err
	}
	h.SetChecksum(h.ComputeChecksum(src, dst))
	return h, nil
}

// EncodeChecksum6 is EncodeChecksum between IPv6 addresses.
func EncodeChecksum6(b []byte, srcPort, dstPort uint16, src, dst [16]byte) (Header, error) {
	h, err := Encode(b, srcPort, dstPort)
	if err != nil {
		return nil, err
	}
	h.SetChecksum(h.ComputeChecksum6(src, dst))
	return h, nil
}
