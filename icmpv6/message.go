package icmpv6

import (
	"encoding/binary"
	"errors"
	"fmt"

	"github.com/medina-net/medina/checksum"
	"github.com/medina-net/medina/icmp"
	"github.com/medina-net/medina/ipv4"
	"github.com/medina-net/medina/ipv6"
)

// Offsets of the header every message starts with (RFC 4443 2.1), named
// once:
//
//	 0                   1                   2                   3
//	 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//	|     Type      |     Code      |          Checksum             |
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//	|         type-specific: identifier, MTU, pointer, ...          |
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//	|                     Message Body ...
//
// An error message (types below 128) quotes the packet that caused it in
// its body, preceded in destination unreachable and time exceeded by the
// RFC 4884 length of the quote in byte 4 (in 64-bit words):
//
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//	|     Type      |     Code      |          Checksum             |
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//	|    Length     |                  Unused                       |
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//	|      As much of invoking packet as possible without the       |
//	+    ICMPv6 packet exceeding the minimum IPv6 MTU (1280) ...    +
const (
	typeOff = 0
	codeOff = 1
	csumOff = 2

	idOff       = 4 // echo, home agent discovery, mobile prefix: identifier
	seqOff      = 6 // echo: sequence number
	mtuOff      = 4 // packet too big: 32-bit MTU
	pointerOff  = 4 // parameter problem: 32-bit pointer
	lengthOff   = 4 // destination unreachable, time exceeded: RFC 4884 length
	bodyOff     = 8 // the body of every type
	reservedOff = 4
)

// Message sizes.
const (
	// MinLen is what every message has: type, code and checksum.
	MinLen = 4
	// HeaderLen is the length of the header with its 4 type-specific
	// bytes; the body starts after it.
	HeaderLen = 8
	// MinErrorLen is the shortest error message the stack accepts: the
	// header and the fixed IPv6 header of the packet it quotes, which it
	// needs to find the flow the error is about.
	MinErrorLen = HeaderLen + ipv6.HeaderLen
	// MinMTU is IPv6's minimum link MTU (RFC 8200 5); an error message
	// must fit a packet of this size with its IPv6 header (RFC 4443
	// 2.4(c)).
	MinMTU = 1280
	// MaxQuoteLen is the most of the invoking packet an error quotes: what
	// fits in MinMTU behind the IPv6 header and the ICMPv6 header.
	MaxQuoteLen = MinMTU - ipv6.HeaderLen - HeaderLen
	// ExtensionQuoteLen is how long a quote is padded to, at least, when
	// RFC 4884 extensions follow it (RFC 4884 4.1).
	ExtensionQuoteLen = 128
	// ProtocolNumber is ICMPv6's next header value.
	ProtocolNumber = ipv4.ProtoICMPv6
)

// Errors of the ICMPv6 wire format. Check returns these as they are;
// Validate and the other functions wrap them with the values that were
// wrong.
var (
	// ErrTruncated: the buffer is shorter than the message needs.
	ErrTruncated = errors.New("icmpv6: truncated")
	// ErrBadChecksum: the checksum does not verify.
	ErrBadChecksum = errors.New("icmpv6: bad checksum")
	// ErrBadCode: a neighbor discovery message whose code is not 0, which
	// a node must drop (RFC 4861 6.1). MLD's code is ignored on receipt
	// (RFC 3810 5.1.1).
	ErrBadCode = errors.New("icmpv6: bad code")
	// ErrBadOption: a neighbor discovery option of length 0, one that runs
	// past the end of the message, or one whose length its type does not
	// allow.
	ErrBadOption = errors.New("icmpv6: bad option")
)

// Message is a view of an ICMPv6 message at the start of a byte slice: the
// upper-layer payload of an IPv6 packet, all of which the checksum covers.
type Message []byte

// NewMessage returns b as a Message after checking it holds the type, code
// and checksum. The other bytes may be missing: the accessors return 0 or
// ok false for what is not there.
func NewMessage(b []byte) (Message, error) {
	if len(b) < MinLen {
		return nil, fmt.Errorf("%w: %d bytes, message needs %d", ErrTruncated, len(b), MinLen)
	}
	return Message(b), nil
}

// TypeCode returns the type and code that start b, which may be shorter
// than NewMessage's MinLen: tcpdump names a message cut after its type.
// ok is false when b holds fewer than 2 bytes; t is read when b holds 1.
func TypeCode(b []byte) (t Type, c Code, ok bool) {
	if len(b) > typeOff {
		t = Type(b[typeOff])
	}
	if len(b) <= codeOff {
		return t, 0, false
	}
	return t, Code(b[codeOff]), true
}

// Type returns the message type.
func (m Message) Type() Type { return Type(m[typeOff]) }

// Code returns the message code.
func (m Message) Code() Code { return Code(m[codeOff]) }

// Checksum returns the checksum field.
func (m Message) Checksum() uint16 { return binary.BigEndian.Uint16(m[csumOff:]) }

// HasRest reports whether the message holds the whole 8-byte header. The
// accessors of bytes 4 to 7 return 0 for a field the message ends before.
func (m Message) HasRest() bool { return len(m) >= HeaderLen }

// The accessors read through these, which return 0 for a field the
// message ends before, so that a field is either all there or 0.

func (m Message) u8(off int) uint8 {
	if len(m) <= off {
		return 0
	}
	return m[off]
}

func (m Message) u16(off int) uint16 {
	if len(m) < off+2 {
		return 0
	}
	return binary.BigEndian.Uint16(m[off:])
}

func (m Message) u32(off int) uint32 {
	if len(m) < off+4 {
		return 0
	}
	return binary.BigEndian.Uint32(m[off:])
}

// addr returns the IPv6 address at off and whether the message holds it.
func (m Message) addr(off int) (a ipv6.Addr, ok bool) {
	if len(m) < off+ipv6.AddrLen {
		return a, false
	}
	copy(a[:], m[off:])
	return a, true
}

// RestOfHeader returns bytes 4 to 7 as one word (0 without HasRest).
func (m Message) RestOfHeader() uint32 { return m.u32(reservedOff) }

// ID returns the identifier of an echo request or reply, a home agent
// address discovery request or reply, or a mobile prefix solicitation or
// advertisement (0 when the message ends before it).
func (m Message) ID() uint16 { return m.u16(idOff) }

// Seq returns the sequence number of an echo request or reply (0 when the
// message ends before it).
func (m Message) Seq() uint16 { return m.u16(seqOff) }

// MTU returns the MTU of a packet too big message: that of the next hop
// (0 when the message ends before it).
func (m Message) MTU() uint32 { return m.u32(mtuOff) }

// Pointer returns the pointer of a parameter problem message: the offset
// in the quoted packet of the byte in error (0 when the message ends
// before it).
func (m Message) Pointer() uint32 { return m.u32(pointerOff) }

// QuotedLen returns the RFC 4884 length of the quoted packet in bytes
// (the field counts 64-bit words), which destination unreachable and time
// exceeded set when extensions follow the quote; 0 when it is not set,
// and when the message ends before it.
func (m Message) QuotedLen() int { return 8 * int(m.u8(lengthOff)) }

// HasLengthField reports whether messages of type t carry RFC 4884's
// length field: destination unreachable and time exceeded (RFC 4884 4.5).
func (t Type) HasLengthField() bool { return t == TypeDestUnreachable || t == TypeTimeExceeded }

// Body returns the bytes after the 8-byte header: the data of an echo,
// the quote of an error, the fields and options of the other types. It is
// empty without HasRest.
func (m Message) Body() []byte {
	if !m.HasRest() {
		return nil
	}
	return m[bodyOff:]
}

// Quoted returns the packet an error message quotes, from its IPv6 header
// on, for the caller to parse with ipv6.NewHeader: the body, up to the RFC
// 4884 length when the type has one and it is set (clipped to the
// message). It is nil for a message that is not an error, and empty
// without HasRest.
func (m Message) Quoted() []byte {
	t := m.Type()
	if !t.IsError() || !m.HasRest() {
		return nil
	}
	q := m[bodyOff:]
	if n := m.QuotedLen(); t.HasLengthField() && n > 0 && n < len(q) {
		q = q[:n]
	}
	return q
}

// Extension returns the RFC 4884 extension structure after the quote of a
// destination unreachable or time exceeded message whose length field is
// set (to at least 128 bytes, as RFC 4884 4.5 requires). ok is false for
// other messages and when the structure's 4-byte header is not there; its
// objects are read with icmp.Extension's iterator, as they are the same in
// ICMP and ICMPv6.
func (m Message) Extension() (e icmp.Extension, ok bool) {
	n := m.QuotedLen()
	if !m.Type().HasLengthField() || n < ExtensionQuoteLen || bodyOff+n >= len(m) {
		return nil, false
	}
	e, err := icmp.NewExtension(m[bodyOff+n:])
	return e, err == nil
}

// ComputeChecksum returns the checksum the message should carry between
// src and dst, computed over the IPv6 pseudo-header (RFC 8200 8.1) and all
// of m as if the checksum field were zero. dst is the final destination:
// with a routing header, its last address.
func (m Message) ComputeChecksum(src, dst ipv6.Addr) uint16 {
	sum := checksum.Pseudo6(src, dst, uint8(ProtocolNumber), uint32(len(m)))
	sum = checksum.Add(sum, m[:csumOff])
	sum = checksum.Add(sum, m[csumOff+2:])
	return ^checksum.Fold(sum)
}

// ChecksumValid reports whether the checksum verifies over the
// pseudo-header and all of m. A capture cut short by its snap length does
// not verify; a printer checks that it holds the whole message first.
func (m Message) ChecksumValid(src, dst ipv6.Addr) bool {
	sum := checksum.Pseudo6(src, dst, uint8(ProtocolNumber), uint32(len(m)))
	return checksum.Fold(checksum.Add(sum, m)) == 0xffff
}

// MinLenOf returns the shortest message of type t that Check accepts: the
// header and the fixed part of the type's body (the IPv6 header of the
// quoted packet, for an error).
func MinLenOf(t Type) int {
	switch {
	case t.IsError():
		return MinErrorLen
	case t == TypeRouterAdvert:
		return raOptionsOff
	case t == TypeNeighborSolicit, t == TypeNeighborAdvert:
		return nsOptionsOff
	case t == TypeRedirect:
		return redirectOptionsOff
	case t == TypeMLDQuery, t == TypeMLDReport, t == TypeMLDDone:
		return MLDLen
	case t == TypeNodeInfoQuery, t == TypeNodeInfoReply:
		return NodeInfoLen
	case t == TypeRouterRenumbering:
		return RenumberHeaderLen
	}
	return HeaderLen
}

// Check is Validate without the detail: it returns one of the package's
// sentinel errors itself, or nil, and never allocates.
func (m Message) Check(src, dst ipv6.Addr) error {
	t := m.Type()
	if len(m) < MinLenOf(t) {
		return ErrTruncated
	}
	if t.IsNDP() && m.Code() != 0 {
		return ErrBadCode
	}
	if t.IsNDP() && !m.optionsOK() {
		return ErrBadOption
	}
	if !m.ChecksumValid(src, dst) {
		return ErrBadChecksum
	}
	return nil
}

// optionsOK reports whether every ND option of m is well formed.
func (m Message) optionsOK() bool {
	it := m.Options()
	for o, ok := it.Next(); ok; o, ok = it.Next() {
		if o.Status != OptionOK {
			return false
		}
	}
	return true
}

// Validate checks what the stack needs before it acts on a message
// between src and dst: that it is long enough for its type (ErrTruncated),
// that a neighbor discovery message has code 0 (ErrBadCode), that
// the options of a neighbor discovery message are well formed
// (ErrBadOption, RFC 4861 6.1), and that the checksum verifies
// (ErrBadChecksum). The hop limit of 255 that neighbor discovery also
// requires is the IPv6 header's, for the caller to check.
func (m Message) Validate(src, dst ipv6.Addr) error {
	switch err := m.Check(src, dst); err {
	case nil:
		return nil
	case ErrTruncated:
		return fmt.Errorf("%w: %v message of %d bytes, needs %d", err, m.Type(), len(m), MinLenOf(m.Type()))
	case ErrBadCode:
		return fmt.Errorf("%w: %v message with code %d, want 0", err, m.Type(), m.Code())
	case ErrBadOption:
		it := m.Options()
		for _, ok := it.Next(); ok; _, ok = it.Next() {
		}
		return it.Err()
	default:
		return fmt.Errorf("%w: checksum %#04x, want %#04x", err, m.Checksum(), m.ComputeChecksum(src, dst))
	}
}

// SetType sets the type.
func (m Message) SetType(t Type) { m[typeOff] = uint8(t) }

// SetCode sets the code.
func (m Message) SetCode(c Code) { m[codeOff] = uint8(c) }

// SetChecksum sets the checksum field.
func (m Message) SetChecksum(c uint16) { binary.BigEndian.PutUint16(m[csumOff:], c) }

// FillChecksum computes the checksum between src and dst and stores it.
// The Set methods leave the checksum alone, so a caller that changes
// fields with them calls this last.
func (m Message) FillChecksum(src, dst ipv6.Addr) { m.SetChecksum(m.ComputeChecksum(src, dst)) }

// The setters below write bytes 4 to 7 and, like a slice index, panic on a
// message without HasRest; a builder sizes its buffer first.

// SetRestOfHeader sets bytes 4 to 7 as one word.
func (m Message) SetRestOfHeader(v uint32) { binary.BigEndian.PutUint32(m[reservedOff:], v) }

// SetID sets the identifier.
func (m Message) SetID(id uint16) { binary.BigEndian.PutUint16(m[idOff:], id) }

// SetSeq sets the sequence number of an echo.
func (m Message) SetSeq(seq uint16) { binary.BigEndian.PutUint16(m[seqOff:], seq) }

// SetMTU sets the MTU of a packet too big message.
func (m Message) SetMTU(mtu uint32) { binary.BigEndian.PutUint32(m[mtuOff:], mtu) }

// SetPointer sets the pointer of a parameter problem message.
func (m Message) SetPointer(p uint32) { binary.BigEndian.PutUint32(m[pointerOff:], p) }

// SetQuotedLen sets the RFC 4884 length field to n bytes, which should be
// a multiple of 8 (the field counts 64-bit words; the remainder is
// dropped) of at most 2040.
func (m Message) SetQuotedLen(n int) { m[lengthOff] = uint8(n / 8) }

// ToEchoReply turns an echo request into its reply in place, as a host
// answers a ping: the type becomes echo reply and the checksum is updated
// incrementally (RFC 1624), so the data is not summed again. The
// pseudo-header does not change when the caller swaps the addresses, as
// the sum does not depend on their order; a reply to a multicast request
// comes from a unicast address, and then the caller fills the checksum
// again.
func (m Message) ToEchoReply() {
	old := binary.BigEndian.Uint16(m[typeOff:]) // type and code share a word
	m[typeOff], m[codeOff] = uint8(TypeEchoReply), 0
	m.SetChecksum(checksum.Update(m.Checksum(), old, binary.BigEndian.Uint16(m[typeOff:])))
}

// QuotedTransport follows the extension headers of the packet an error
// quotes the way tcpdump 4.99.3 does to find the ports of a port
// unreachable: from the quote's fixed header, over hop-by-hop, destination
// options and routing headers by their length fields, a first fragment's
// header and authentication headers, reading only their next header and
// length bytes, to a TCP or UDP header whose first 4 bytes were captured.
// It returns that protocol and the bytes from the transport header on; ok
// is false when the chain ends elsewhere (another protocol, a later
// fragment, a header not captured).
func (m Message) QuotedTransport() (proto ipv4.Protocol, transport []byte, ok bool) {
	q := m.Body()
	nh, ok := ipv6.NextHeaderField(q)
	if !ok {
		return 0, nil, false
	}
	for off, n := 0, ipv6.HeaderLen; off < len(q); {
		off += n
		switch nh {
		case ipv4.ProtoTCP, ipv4.ProtoUDP:
			if off+4 > len(q) {
				return 0, nil, false
			}
			return nh, q[off:], true
		case ipv4.ProtoHopOpts, ipv4.ProtoDstOpts, ipv4.ProtoRouting:
			if off+2 > len(q) {
				return 0, nil, false
			}
			nh, n = ipv4.Protocol(q[off]), (int(q[off+1])+1)*8
		case ipv4.ProtoFragment:
			if off+4 > len(q) {
				return 0, nil, false
			}
			f := ipv6.FragmentHeader(q[off:])
			if f.OffsetUnits() != 0 {
				return 0, nil, false
			}
			nh, n = f.NextHeader(), ipv6.FragmentHeaderLen
		case ipv4.ProtoAH:
			if off+2 > len(q) {
				return 0, nil, false
			}
			nh, n = ipv4.Protocol(q[off]), (int(q[off+1])+2)*4
		default:
			return nh, nil, false
		}
	}
	return 0, nil, false
}
