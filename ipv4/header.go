package ipv4

import (
	"encoding/binary"
	"errors"
	"fmt"

	"github.com/medina-net/medina/checksum"
)

// Field offsets of the IPv4 header, named once.
const (
	verIHLOff = 0
	tosOff    = 1
	lenOff    = 2
	idOff     = 4
	fragOff   = 6 // flags (3 bits) and fragment offset (13 bits)
	ttlOff    = 8
	protoOff  = 9
	csumOff   = 10
	srcOff    = 12
	dstOff    = 16

	fragMask = 0x1fff // fragment offset bits of the flags/fragment word
)

// Header sizes and limits.
const (
	// Version is the value of the version field.
	Version = 4
	// MinHeaderLen is the length of a header without options (IHL 5).
	MinHeaderLen = 20
	// MaxHeaderLen is the length of a header with IHL 15, the largest the
	// 4-bit field can say.
	MaxHeaderLen = 60
	// MaxOptionsLen is the room for options in the largest header.
	MaxOptionsLen = MaxHeaderLen - MinHeaderLen
	// MaxTotalLen is the largest datagram the total length field can say.
	MaxTotalLen = 65535
	// MinMTU is the datagram size every host must accept (RFC 791: 576),
	// the bound RFC 1812 puts on the datagram an ICMP error may quote into.
	MinMTU = 576
)

// Errors of the IPv4 wire format. Check returns these as they are; Validate
// and the other functions wrap them with the values that were wrong.
var (
	// ErrTruncated: the buffer is shorter than the header, the header
	// length or the total length says, or than an option's length says.
	ErrTruncated = errors.New("ipv4: truncated")
	// ErrBadVersion: the version field is not 4.
	ErrBadVersion = errors.New("ipv4: bad version")
	// ErrBadHeaderLength: IHL is below 5, or a header to encode would need
	// more than 60 bytes.
	ErrBadHeaderLength = errors.New("ipv4: bad header length")
	// ErrBadTotalLength: the total length is smaller than the header
	// length, or a datagram to encode would exceed 65535 bytes.
	ErrBadTotalLength = errors.New("ipv4: bad total length")
	// ErrBadChecksum: the header checksum does not verify.
	ErrBadChecksum = errors.New("ipv4: bad header checksum")
	// ErrBadFragOffset: a fragment offset to encode is not a multiple of 8
	// or does not fit the 13-bit field.
	ErrBadFragOffset = errors.New("ipv4: bad fragment offset")
)

// errShortHeader is NewHeader's error, made once: the stack meets it for
// every runt datagram and a printer for every header cut short, and
// neither must cost an allocation.
var errShortHeader = fmt.Errorf("%w: fewer than %d bytes for the header", ErrTruncated, MinHeaderLen)

// Header is a view of an IPv4 header at the start of a byte slice, followed
// by the rest of the datagram as far as the slice goes.
type Header []byte

// NewHeader returns b as a Header after checking it holds the 20-byte fixed
// header. It checks nothing else, so that a printer can show the fields of a
// malformed datagram; call Validate (or Check) before trusting one.
func NewHeader(b []byte) (Header, error) {
	if len(b) < MinHeaderLen {
		return nil, errShortHeader
	}
	return Header(b), nil
}

// TotalLenField returns the total length field of the header that starts
// b, which may be cut short after it: tcpdump reads it from the datagram
// an ICMP error quotes, however little of it the error holds. ok is false
// when b ends before the field.
func TotalLenField(b []byte) (n uint16, ok bool) {
	if len(b) < lenOff+2 {
		return 0, false
	}
	return binary.BigEndian.Uint16(b[lenOff:]), true
}

// Version returns the version field, 4 for a real IPv4 header.
func (h Header) Version() uint8 { return h[verIHLOff] >> 4 }

// IHL returns the Internet header length field, in 32-bit words.
func (h Header) IHL() uint8 { return h[verIHLOff] & 0x0f }

// HeaderLen returns the header length in bytes (IHL × 4), as the header
// says it: it may be below 20 or beyond the end of the buffer.
func (h Header) HeaderLen() int { return int(h.IHL()) * 4 }

// TOS returns the type-of-service byte, which RFC 2474 and RFC 3168 split
// into the DSCP and ECN fields.
func (h Header) TOS() uint8 { return h[tosOff] }

// DSCP returns the differentiated services code point, the high 6 bits of
// the TOS byte.
func (h Header) DSCP() uint8 { return h[tosOff] >> 2 }

// ECN returns the explicit congestion notification field, the low 2 bits
// of the TOS byte.
func (h Header) ECN() ECN { return ECN(h[tosOff] & 3) }

// TotalLen returns the total length field: header and payload in bytes.
func (h Header) TotalLen() uint16 { return binary.BigEndian.Uint16(h[lenOff:]) }

// ID returns the identification field.
func (h Header) ID() uint16 { return binary.BigEndian.Uint16(h[idOff:]) }

// fragWord returns the 16-bit word holding the flags and fragment offset.
func (h Header) fragWord() uint16 { return binary.BigEndian.Uint16(h[fragOff:]) }

// Flags returns the three flag bits.
func (h Header) Flags() Flags { return Flags(h.fragWord() >> 13) }

// DF reports whether the don't-fragment flag is set.
func (h Header) DF() bool { return h.Flags()&FlagDF != 0 }

// MF reports whether the more-fragments flag is set.
func (h Header) MF() bool { return h.Flags()&FlagMF != 0 }

// FragOffset returns the fragment offset in bytes: the position of this
// fragment's payload in the original datagram. The field itself counts
// 8-byte units; FragOffsetUnits returns it raw.
func (h Header) FragOffset() int { return int(h.fragWord()&fragMask) * 8 }

// FragOffsetUnits returns the raw 13-bit fragment offset field, in units of
// 8 bytes.
func (h Header) FragOffsetUnits() uint16 { return h.fragWord() & fragMask }

// IsFragment reports whether the datagram is a fragment: more fragments
// follow, or it is not the first.
func (h Header) IsFragment() bool { return h.fragWord()&(fragMask|uint16(FlagMF)<<13) != 0 }

// TTL returns the time-to-live field.
func (h Header) TTL() uint8 { return h[ttlOff] }

// Protocol returns the protocol of the payload.
func (h Header) Protocol() Protocol { return Protocol(h[protoOff]) }

// Checksum returns the header checksum field.
func (h Header) Checksum() uint16 { return binary.BigEndian.Uint16(h[csumOff:]) }

// Src returns the source address.
func (h Header) Src() (a Addr) {
	if len(h) >= srcOff+len(a) {
		// A conversion the compiler makes one move of; copy calls
		// memmove, which costs more than the rest of the read.
		return Addr(h[srcOff : srcOff+len(a)])
	}
	copy(a[:], h[srcOff:])
	return a
}

// Dst returns the destination address.
func (h Header) Dst() (a Addr) {
	if len(h) >= dstOff+len(a) {
		// A conversion the compiler makes one move of; copy calls
		// memmove, which costs more than the rest of the read.
		return Addr(h[dstOff : dstOff+len(a)])
	}
	copy(a[:], h[dstOff:])
	return a
}

// clip returns n clipped to the length of the buffer.
func (h Header) clip(n int) int { return min(n, len(h)) }

// Options returns the option bytes: from byte 20 up to the header length,
// clipped to the buffer. It is empty when IHL is 5 or less. Walk it with
// OptionIter, which also tells a truncated option from a malformed one.
func (h Header) Options() []byte {
	hl := h.HeaderLen()
	if hl <= MinHeaderLen {
		return nil
	}
	return h[MinHeaderLen:h.clip(hl)]
}

// Payload returns the bytes from the header length up to the total length,
// clipped to the buffer: link-layer padding after the datagram is left out,
// and a datagram cut short by a capture's snap length gives what there is.
// It is empty when the header length or total length is malformed (IHL
// below 5, total length below the header length, header length beyond the
// buffer), including a total length of 0 from TCP segmentation offload.
func (h Header) Payload() []byte {
	hl := h.HeaderLen()
	end := h.clip(int(h.TotalLen()))
	if hl < MinHeaderLen || end < hl {
		return nil
	}
	return h[hl:end]
}

// checksumLen is how many bytes the header checksum covers: the header
// length clipped to the buffer, and never less than the fixed header, so
// that the checksum field itself is always covered.
func (h Header) checksumLen() int { return max(MinHeaderLen, h.clip(h.HeaderLen())) }

// ComputeChecksum returns the checksum the header should carry, computed
// over the header length (clipped to the buffer; at least 20 bytes) as if
// the checksum field were zero. tcpdump prints it as "(->xxxx)" after a bad
// checksum.
func (h Header) ComputeChecksum() uint16 {
	n := h.checksumLen()
	sum := checksum.Add(0, h[:csumOff])
	sum = checksum.Add(sum, h[csumOff+2:n])
	return ^checksum.Fold(sum)
}

// ChecksumValid reports whether the header checksum verifies over the
// bytes ComputeChecksum covers.
func (h Header) ChecksumValid() bool {
	return checksum.Fold(checksum.Add(0, h[:h.checksumLen()])) == 0xffff
}

// Check is Validate without the detail: it returns one of the package's
// sentinel errors itself, or nil, and never allocates, so that the stack
// can count and drop a flood of bad datagrams cheaply. The checks and their
// order are Validate's.
func (h Header) Check() error {
	switch hl := h.HeaderLen(); {
	case h.Version() != Version:
		return ErrBadVersion
	case hl < MinHeaderLen:
		return ErrBadHeaderLength
	case hl > len(h):
		return ErrTruncated
	case int(h.TotalLen()) < hl:
		return ErrBadTotalLength
	case int(h.TotalLen()) > len(h):
		return ErrTruncated
	case !h.ChecksumValid():
		return ErrBadChecksum
	}
	return nil
}

// Validate checks what the stack needs before it trusts a datagram, in this
// order: the version is 4 (ErrBadVersion), IHL is at least 5
// (ErrBadHeaderLength), the buffer holds the header (ErrTruncated), the
// total length covers the header (ErrBadTotalLength), the buffer holds the
// total length (ErrTruncated), and the checksum verifies (ErrBadChecksum).
// The error wraps the sentinel with the values that were wrong; building it
// allocates, which Check avoids. Options are not checked here: OptionIter
// reports a malformed one.
func (h Header) Validate() error {
	err := h.Check()
	switch err {
	case nil:
		return nil
	case ErrBadVersion:
		return fmt.Errorf("%w: version %d, want %d", err, h.Version(), Version)
	case ErrBadHeaderLength:
		return fmt.Errorf("%w: IHL %d (%d bytes) < 5", err, h.IHL(), h.HeaderLen())
	case ErrBadTotalLength:
		return fmt.Errorf("%w: total length %d < header length %d", err, h.TotalLen(), h.HeaderLen())
	case ErrBadChecksum:
		return fmt.Errorf("%w: checksum %#04x, want %#04x", err, h.Checksum(), h.ComputeChecksum())
	}
	if hl := h.HeaderLen(); hl > len(h) {
		return fmt.Errorf("%w: header length %d > %d bytes of buffer", err, hl, len(h))
	}
	return fmt.Errorf("%w: total length %d > %d bytes of buffer", err, h.TotalLen(), len(h))
}

// SetVersion sets the version field.
func (h Header) SetVersion(v uint8) { h[verIHLOff] = v<<4 | h[verIHLOff]&0x0f }

// SetIHL sets the Internet header length field, in 32-bit words.
func (h Header) SetIHL(ihl uint8) { h[verIHLOff] = h[verIHLOff]&0xf0 | ihl&0x0f }

// SetTOS sets the type-of-service byte.
func (h Header) SetTOS(tos uint8) { h[tosOff] = tos }

// SetDSCP sets the high 6 bits of the TOS byte, keeping the ECN bits.
func (h Header) SetDSCP(dscp uint8) { h[tosOff] = dscp<<2 | h[tosOff]&3 }

// SetECN sets the low 2 bits of the TOS byte, keeping the DSCP.
func (h Header) SetECN(e ECN) { h[tosOff] = h[tosOff]&^3 | uint8(e)&3 }

// SetTotalLen sets the total length field.
func (h Header) SetTotalLen(n uint16) { binary.BigEndian.PutUint16(h[lenOff:], n) }

// SetID sets the identification field.
func (h Header) SetID(id uint16) { binary.BigEndian.PutUint16(h[idOff:], id) }

// SetFlags sets the three flag bits, keeping the fragment offset.
func (h Header) SetFlags(f Flags) {
	binary.BigEndian.PutUint16(h[fragOff:], uint16(f&7)<<13|h.fragWord()&fragMask)
}

// SetFragOffset sets the fragment offset, given in bytes, keeping the
// flags. The field counts 8-byte units, so the low 3 bits of off are
// dropped; Fields.Encode checks the value, this setter trusts it.
func (h Header) SetFragOffset(off int) {
	binary.BigEndian.PutUint16(h[fragOff:], h.fragWord()&^fragMask|uint16(off>>3)&fragMask)
}

// SetTTL sets the time-to-live field.
func (h Header) SetTTL(ttl uint8) { h[ttlOff] = ttl }

// SetProtocol sets the protocol field.
func (h Header) SetProtocol(p Protocol) { h[protoOff] = uint8(p) }

// SetChecksum sets the checksum field.
func (h Header) SetChecksum(c uint16) { binary.BigEndian.PutUint16(h[csumOff:], c) }

// SetSrc sets the source address.
func (h Header) SetSrc(a Addr) {
	if len(h) >= srcOff+len(a) {
		*(*Addr)(h[srcOff : srcOff+len(a)]) = a
		return
	}
	copy(h[srcOff:], a[:])
}

// SetDst sets the destination address.
func (h Header) SetDst(a Addr) {
	if len(h) >= dstOff+len(a) {
		*(*Addr)(h[dstOff : dstOff+len(a)]) = a
		return
	}
	copy(h[dstOff:], a[:])
}

// FillChecksum computes the header checksum and stores it. The Set methods
// leave the checksum alone, so a caller that changes fields with them calls
// this last.
func (h Header) FillChecksum() { h.SetChecksum(h.ComputeChecksum()) }

// DecTTL decrements the TTL, as a router does when it forwards, and
// updates the checksum incrementally (RFC 1624) instead of summing the
// header again. It returns the new TTL. A TTL of 0 is left alone rather
// than wrapping to 255; a router checks for a TTL of 1 or less first and
// sends ICMP time exceeded instead of forwarding.
func (h Header) DecTTL() uint8 {
	if h[ttlOff] == 0 {
		return 0
	}
	old := binary.BigEndian.Uint16(h[ttlOff:]) // TTL and protocol share a word
	h[ttlOff]--
	h.SetChecksum(checksum.Update(h.Checksum(), old, binary.BigEndian.Uint16(h[ttlOff:])))
	return h[ttlOff]
}

// RewriteTOS sets the TOS byte (a DSCP remark, an ECN CE mark) and updates
// the checksum incrementally.
func (h Header) RewriteTOS(tos uint8) {
	old := binary.BigEndian.Uint16(h[verIHLOff:]) // version/IHL and TOS share a word
	h[tosOff] = tos
	h.SetChecksum(checksum.Update(h.Checksum(), old, binary.BigEndian.Uint16(h[verIHLOff:])))
}

// RewriteSrc sets the source address and updates the checksum
// incrementally, as a NAT does. The transport checksum covers the address
// through the pseudo-header too; fixing it is the transport's business.
func (h Header) RewriteSrc(a Addr) {
	old := binary.BigEndian.Uint32(h[srcOff:])
	h.SetSrc(a)
	h.SetChecksum(checksum.Update32(h.Checksum(), old, a.Uint32()))
}

// RewriteDst sets the destination address and updates the checksum
// incrementally; see RewriteSrc.
func (h Header) RewriteDst(a Addr) {
	old := binary.BigEndian.Uint32(h[dstOff:])
	h.SetDst(a)
	h.SetChecksum(checksum.Update32(h.Checksum(), old, a.Uint32()))
}

// Flags are the three flag bits of the IPv4 header, in the order of the
// wire (the value is the top 3 bits of the flags/fragment word).
type Flags uint8

// Flag bits.
const (
	// FlagMF is "more fragments": fragments of this datagram follow.
	FlagMF Flags = 1 << iota
	// FlagDF is "don't fragment".
	FlagDF
	// FlagReserved is the reserved bit, which must be zero (RFC 3514's
	// "evil bit").
	FlagReserved
)

// String formats f the way tcpdump does inside "flags [...]": "+" for MF,
// "DF", "rsvd", separated by ", ", or "none"; see AppendTo.
func (f Flags) String() string {
	var buf [12]byte
	return string(f.AppendTo(buf[:0]))
}

// AppendTo appends what String returns, without allocating.
func (f Flags) AppendTo(b []byte) []byte {
	if f&7 == 0 {
		return append(b, "none"...)
	}
	first := true
	for _, x := range [...]struct {
		f Flags
		s string
	}{{FlagMF, "+"}, {FlagDF, "DF"}, {FlagReserved, "rsvd"}} {
		if f&x.f != 0 {
			if !first {
				b = append(b, ", "...)
			}
			b = append(b, x.s...)
			first = false
		}
	}
	return b
}

// ECN is the explicit congestion notification codepoint (RFC 3168).
type ECN uint8

// ECN codepoints.
const (
	ECNNotECT ECN = 0 // not ECN-capable transport
	ECNECT1   ECN = 1 // ECN-capable transport, ECT(1)
	ECNECT0   ECN = 2 // ECN-capable transport, ECT(0)
	ECNCE     ECN = 3 // congestion experienced
)

// String returns the RFC 3168 name of e: "Not-ECT", "ECT(1)", "ECT(0)" or
// "CE".
func (e ECN) String() string {
	switch e & 3 {
	case ECNECT1:
		return "ECT(1)"
	case ECNECT0:
		return "ECT(0)"
	case ECNCE:
		return "CE"
	}
	return "Not-ECT"
}
