package ipv6

import (
	"encoding/binary"
	"errors"
	"fmt"
	"math"

	"github.com/medina-net/medina/ipv4"
)

// Field offsets of the fixed header (RFC 8200 section 3), named once:
//
//	 0      4              12                                    32 bits
//	+------+---------------+--------------------------------------+
//	| ver  | traffic class |              flow label              |  0
//	+------+---------------+--------+------------+----------------+
//	|        payload length         | next hdr   |   hop limit    |  4
//	+-------------------------------+------------+----------------+
//	|                  source address (128 bits)                  |  8
//	+-------------------------------------------------------------+
//	|               destination address (128 bits)                | 24
//	+-------------------------------------------------------------+
const (
	verTCFlowOff = 0 // version (4 bits), traffic class (8), flow label (20)
	plenOff      = 4
	nextOff      = 6
	hlimOff      = 7
	srcOff       = 8
	dstOff       = 24

	flowMask = 0x000fffff
)

// Header sizes and limits.
const (
	// Version is the value of the version field.
	Version = 6
	// HeaderLen is the length of the fixed header; extension headers
	// follow it and count in the payload length.
	HeaderLen = 40
	// MaxPayloadLen is the largest payload the 16-bit field can say;
	// a jumbogram (RFC 2675) says more in a hop-by-hop option.
	MaxPayloadLen = 65535
	// MinJumboLen is the smallest payload a jumbo payload option may
	// carry: anything shorter fits the payload length field.
	MinJumboLen = MaxPayloadLen + 1
	// MinMTU is the MTU every link must have (RFC 8200 section 5), the
	// size below which a node need not fragment and the bound on what an
	// ICMPv6 error may be (RFC 4443 2.4).
	MinMTU = 1280
	// MaxFlowLabel is the largest 20-bit flow label.
	MaxFlowLabel = flowMask
)

// Errors of the IPv6 wire format. Check and the other allocation-free
// checks return these as they are; Validate and the builders wrap them
// with the values that were wrong.
var (
	// ErrTruncated: the buffer is shorter than the fixed header, than
	// the payload length says, or than an extension header or option
	// says.
	ErrTruncated = errors.New("ipv6: truncated")
	// ErrBadVersion: the version field is not 6.
	ErrBadVersion = errors.New("ipv6: bad version")
	// ErrBadPayloadLength: a payload length of 0 without a valid jumbo
	// payload option (RFC 2675), or a payload to encode longer than
	// 65535 bytes.
	ErrBadPayloadLength = errors.New("ipv6: bad payload length")
	// ErrBadFlowLabel: a flow label to encode does not fit 20 bits.
	ErrBadFlowLabel = errors.New("ipv6: bad flow label")
)

// errShortHeader is NewHeader's error, made once so that a runt packet
// costs no allocation.
var errShortHeader = fmt.Errorf("%w: fewer than %d bytes for the header", ErrTruncated, HeaderLen)

// Header is a view of an IPv6 packet at the start of a byte slice: the
// fixed header, then the extension headers and upper-layer data as far as
// the slice goes.
type Header []byte

// NewHeader returns b as a Header after checking it holds the 40-byte
// fixed header. It checks nothing else, so that a printer can show the
// fields of a malformed packet; call Check (or Validate) before trusting
// one, and CheckExtensions before trusting its extension headers.
func NewHeader(b []byte) (Header, error) {
	if len(b) < HeaderLen {
		return nil, errShortHeader
	}
	return Header(b), nil
}

// NextHeaderField returns the next header field of the header that starts
// b, which may be cut short after it: tcpdump looks for the transport of
// the packet an ICMPv6 error quotes, however little of it the error
// holds. ok is false when b ends before the field.
func NextHeaderField(b []byte) (p ipv4.Protocol, ok bool) {
	if len(b) <= nextOff {
		return 0, false
	}
	return ipv4.Protocol(b[nextOff]), true
}

// Version returns the version field, 6 for a real IPv6 header.
func (h Header) Version() uint8 { return h[verTCFlowOff] >> 4 }

// word0 returns the first 32 bits: version, traffic class, flow label.
func (h Header) word0() uint32 { return binary.BigEndian.Uint32(h[verTCFlowOff:]) }

// TrafficClass returns the traffic class byte, which RFC 2474 and RFC 3168
// split into the DSCP and ECN fields as they do the IPv4 TOS byte.
func (h Header) TrafficClass() uint8 { return uint8(h.word0() >> 20) }

// DSCP returns the differentiated services code point, the high 6 bits of
// the traffic class.
func (h Header) DSCP() uint8 { return h.TrafficClass() >> 2 }

// ECN returns the explicit congestion notification field, the low 2 bits
// of the traffic class.
func (h Header) ECN() ipv4.ECN { return ipv4.ECN(h.TrafficClass() & 3) }

// FlowLabel returns the 20-bit flow label (RFC 6437).
func (h Header) FlowLabel() uint32 { return h.word0() & flowMask }

// PayloadLen returns the payload length field: the bytes after the fixed
// header, extension headers included. 0 means a jumbogram whose length is
// in a hop-by-hop option (JumboLen), or an empty payload.
func (h Header) PayloadLen() uint16 { return binary.BigEndian.Uint16(h[plenOff:]) }

// NextHeader returns the next header field: the first extension header, or
// the upper-layer protocol when there is none. The values share the IANA
// registry of IPv4's protocol numbers.
func (h Header) NextHeader() ipv4.Protocol { return ipv4.Protocol(h[nextOff]) }

// HopLimit returns the hop limit field.
func (h Header) HopLimit() uint8 { return h[hlimOff] }

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

// JumboLen returns the value of the jumbo payload option (RFC 2675) that a
// packet whose payload length field is 0 carries in a hop-by-hop options
// header right after the fixed header: the first such option whose length
// is right. ok is false for any other packet, and when the option is not
// in the buffer.
func (h Header) JumboLen() (n uint32, ok bool) {
	if h.PayloadLen() != 0 || h.NextHeader() != ipv4.ProtoHopOpts || len(h) < HeaderLen+2 {
		return 0, false
	}
	hbhLen := (int(h[HeaderLen+1]) + 1) * 8
	it := OptionIter{b: h[HeaderLen:min(len(h), HeaderLen+hbhLen)], off: 2, end: hbhLen}
	for o, more := it.Next(); more; o, more = it.Next() {
		if v, ok := o.Jumbo(); ok {
			return v, true
		}
	}
	return 0, false
}

// Len returns the packet's length as its header says it: 40 bytes and the
// payload length, or the jumbo payload length, or 40 for a payload length
// of 0 without a jumbo option. It may be beyond the buffer.
func (h Header) Len() int {
	if n := h.PayloadLen(); n != 0 {
		return HeaderLen + int(n)
	}
	if n, ok := h.JumboLen(); ok {
		// Clamped so that a 32-bit int cannot go negative.
		return int(min(uint64(n)+HeaderLen, math.MaxInt))
	}
	return HeaderLen
}

// Payload returns the bytes after the fixed header up to Len, clipped to
// the buffer: the extension headers and the upper-layer data. Link-layer
// padding after the packet is left out, and a packet cut short by a
// capture's snap length gives what there is.
func (h Header) Payload() []byte {
	return h[HeaderLen:max(HeaderLen, min(h.Len(), len(h)))]
}

// Check is Validate without the detail: it returns one of the package's
// sentinel errors itself, or nil, and never allocates, so that the stack
// can count and drop a flood of bad packets cheaply. The checks and their
// order are Validate's. Extension headers are checked by CheckExtensions.
func (h Header) Check() error {
	if h.Version() != Version {
		return ErrBadVersion
	}
	if n := h.PayloadLen(); n != 0 {
		if HeaderLen+int(n) > len(h) {
			return ErrTruncated
		}
		return nil
	}
	if h.NextHeader() != ipv4.ProtoHopOpts {
		return nil // an empty payload
	}
	n, ok := h.JumboLen()
	switch {
	case !ok || n < MinJumboLen:
		return ErrBadPayloadLength
	case uint64(n)+HeaderLen > uint64(len(h)):
		return ErrTruncated
	}
	return nil
}

// Validate checks what the stack needs before it trusts a packet, in this
// order: the version is 6 (ErrBadVersion); the buffer holds the payload
// length (ErrTruncated); a payload length of 0 followed by a hop-by-hop
// options header comes with a jumbo payload option of at least 65536
// (ErrBadPayloadLength), and the buffer holds that much (ErrTruncated). A
// payload length of 0 with another next header is an empty payload. The
// error wraps the sentinel with the values that were wrong; building it
// allocates, which Check avoids.
func (h Header) Validate() error {
	err := h.Check()
	switch err {
	case nil:
		return nil
	case ErrBadVersion:
		return fmt.Errorf("%w: version %d, want %d", err, h.Version(), Version)
	case ErrBadPayloadLength:
		if n, ok := h.JumboLen(); ok {
			return fmt.Errorf("%w: jumbo payload length %d < %d", err, n, MinJumboLen)
		}
		return fmt.Errorf("%w: payload length 0 and no jumbo payload option", err)
	}
	return fmt.Errorf("%w: packet of %d bytes, %d in the buffer", err, h.Len(), len(h))
}

// SetVersion sets the version field.
func (h Header) SetVersion(v uint8) { h[verTCFlowOff] = v<<4 | h[verTCFlowOff]&0x0f }

// SetTrafficClass sets the traffic class byte.
func (h Header) SetTrafficClass(tc uint8) {
	binary.BigEndian.PutUint32(h[verTCFlowOff:], h.word0()&^0x0ff00000|uint32(tc)<<20)
}

// SetFlowLabel sets the flow label; bits above the low 20 are dropped.
func (h Header) SetFlowLabel(l uint32) {
	binary.BigEndian.PutUint32(h[verTCFlowOff:], h.word0()&^flowMask|l&flowMask)
}

// SetPayloadLen sets the payload length field.
func (h Header) SetPayloadLen(n uint16) { binary.BigEndian.PutUint16(h[plenOff:], n) }

// SetNextHeader sets the next header field.
func (h Header) SetNextHeader(p ipv4.Protocol) { h[nextOff] = uint8(p) }

// SetHopLimit sets the hop limit field.
func (h Header) SetHopLimit(n uint8) { h[hlimOff] = n }

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

// DecHopLimit decrements the hop limit, as a router does when it forwards,
// and returns the new value; 0 is left alone rather than wrapping. IPv6
// has no header checksum to fix.
func (h Header) DecHopLimit() uint8 {
	if h[hlimOff] > 0 {
		h[hlimOff]--
	}
	return h[hlimOff]
}

// Fields are the values of a fixed IPv6 header to encode; the version
// follows.
type Fields struct {
	TrafficClass uint8
	// FlowLabel is the 20-bit flow label.
	FlowLabel uint32
	// PayloadLen is the length of what follows the fixed header,
	// extension headers included, at most 65535.
	PayloadLen int
	// NextHeader is the first extension header or the upper-layer
	// protocol.
	NextHeader ipv4.Protocol
	HopLimit   uint8
	Src, Dst   Addr
}

// Encode writes the fixed header into the start of b and returns b as a
// Header; the payload goes in b[HeaderLen:]. b needs room for the header
// only. Encode fails, writing nothing, when b is too short (ErrTruncated),
// the payload is longer than 65535 bytes or negative (ErrBadPayloadLength:
// a jumbogram's header is written with SetPayloadLen(0) and a hop-by-hop
// option), or the flow label does not fit 20 bits (ErrBadFlowLabel).
func (f *Fields) Encode(b []byte) (Header, error) {
	switch {
	case len(b) < HeaderLen:
		return nil, fmt.Errorf("%w: buffer of %d bytes, header needs %d", ErrTruncated, len(b), HeaderLen)
	case f.PayloadLen < 0 || f.PayloadLen > MaxPayloadLen:
		return nil, fmt.Errorf("%w: %d bytes, not in [0, %d]", ErrBadPayloadLength, f.PayloadLen, MaxPayloadLen)
	case f.FlowLabel > MaxFlowLabel:
		return nil, fmt.Errorf("%w: %#x does not fit 20 bits", ErrBadFlowLabel, f.FlowLabel)
	}
	h := Header(b[:HeaderLen:HeaderLen])
	binary.BigEndian.PutUint32(h[verTCFlowOff:], Version<<28|uint32(f.TrafficClass)<<20|f.FlowLabel)
	h.SetPayloadLen(uint16(f.PayloadLen))
	h.SetNextHeader(f.NextHeader)
	h.SetHopLimit(f.HopLimit)
	h.SetSrc(f.Src)
	h.SetDst(f.Dst)
	return Header(b), nil
}

// Decode fills f from a header, the inverse of Encode. PayloadLen is the
// field as it is (0 for a jumbogram). It does not validate h.
func (f *Fields) Decode(h Header) {
	*f = Fields{
		TrafficClass: h.TrafficClass(),
		FlowLabel:    h.FlowLabel(),
		PayloadLen:   int(h.PayloadLen()),
		NextHeader:   h.NextHeader(),
		HopLimit:     h.HopLimit(),
		Src:          h.Src(),
		Dst:          h.Dst(),
	}
}
