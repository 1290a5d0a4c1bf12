package icmp

import (
	"encoding/binary"
	"errors"
	"fmt"

	"github.com/medina-net/medina/checksum"
	"github.com/medina-net/medina/ipv4"
)

// Field offsets, named once. Bytes 4 to 7 (the "rest of the header") mean
// something different for each type.
const (
	typeOff = 0
	codeOff = 1
	csumOff = 2

	idOff       = 4 // echo, timestamp, information, address mask, extended echo
	seqOff      = 6 // echo, timestamp, information, address mask
	gatewayOff  = 4 // redirect
	pointerOff  = 4 // parameter problem
	lengthOff   = 5 // RFC 4884 length of destination unreachable, time exceeded, parameter problem
	mtuOff      = 6 // destination unreachable, fragmentation needed (RFC 1191)
	numAddrsOff = 4 // router advertisement
	entrySizOff = 5 // router advertisement, in 32-bit words
	lifetimeOff = 6 // router advertisement, in seconds
	extSeqOff   = 6 // extended echo: 8-bit sequence number
	extFlagsOff = 7 // extended echo: L bit (request); state, A, 4, 6 bits (reply)

	origTSOff = 8  // timestamp: originate
	recvTSOff = 12 // timestamp: receive
	xmitTSOff = 16 // timestamp: transmit
	maskOff   = 8  // address mask
)

// Message sizes.
const (
	// MinLen is what every message has: type, code and checksum.
	MinLen = 4
	// HeaderLen is the length of the full header, with the 4 bytes whose
	// meaning depends on the type.
	HeaderLen = 8
	// TimestampLen is the length of a timestamp request or reply.
	TimestampLen = 20
	// AddressMaskLen is the length of an address mask request or reply.
	AddressMaskLen = 12
	// MinErrorLen is the shortest error message the stack accepts: the
	// header and the fixed IPv4 header of the datagram it quotes.
	MinErrorLen = HeaderLen + ipv4.MinHeaderLen
	// MaxQuoteLen is the most of a datagram an error message quotes under
	// RFC 1812 section 4.3.2.3: as much as fits without the error
	// exceeding 576 bytes, behind a 20-byte IP header and the 8-byte ICMP
	// header. Linux quotes this much.
	MaxQuoteLen = ipv4.MinMTU - ipv4.MinHeaderLen - HeaderLen
	// LegacyExtensionOffset is where senders that predate RFC 4884 put the
	// extension structure, after a quote padded to 128 bytes and without
	// setting the length field. tcpdump 4.99.3 always looks there.
	LegacyExtensionOffset = HeaderLen + 128
)

// Errors of the ICMP wire format. Check returns these as they are; Validate
// and the other functions wrap them with the values that were wrong.
var (
	// ErrTruncated: the buffer is shorter than the message needs.
	ErrTruncated = errors.New("icmp: truncated")
	// ErrBadChecksum: the checksum does not verify.
	ErrBadChecksum = errors.New("icmp: bad checksum")
)

// Message is a view of an ICMP message at the start of a byte slice: the
// ICMP part of an IPv4 datagram's payload, which the checksum covers in
// full.
type Message []byte

// NewMessage returns b as a Message after checking it holds the type, code
// and checksum. Bytes 4 to 7 may be missing; HasRest tells.
func NewMessage(b []byte) (Message, error) {
	if len(b) < MinLen {
		return nil, fmt.Errorf("%w: %d bytes, message needs %d", ErrTruncated, len(b), MinLen)
	}
	return Message(b), nil
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

// TypeCode returns the type and code that start b, which may be shorter
// than the MinLen bytes NewMessage needs: tcpdump names a message cut
// after its code. ok is false when b holds fewer than 2 bytes.
func TypeCode(b []byte) (t Type, c Code, ok bool) {
	if len(b) <= codeOff {
		return 0, 0, false
	}
	return Type(b[typeOff]), Code(b[codeOff]), true
}

// The accessors of bytes 4 to 7 read through these, which return 0 for a
// field the message ends before, so that a field is either all there or
// 0: the pointer of a parameter problem cut after byte 4 is there, as is
// the ID of an echo cut at 6 bytes, but not its sequence number.

func (m Message) rest8(off int) uint8 {
	if len(m) <= off {
		return 0
	}
	return m[off]
}

func (m Message) rest16(off int) uint16 {
	if len(m) < off+2 {
		return 0
	}
	return binary.BigEndian.Uint16(m[off:])
}

// RestOfHeader returns bytes 4 to 7 as one word (0 without HasRest).
func (m Message) RestOfHeader() uint32 {
	if !m.HasRest() {
		return 0
	}
	return binary.BigEndian.Uint32(m[idOff:])
}

// ID returns the identifier of an echo, timestamp, information, address
// mask or extended echo message (0 when the message ends before it).
func (m Message) ID() uint16 { return m.rest16(idOff) }

// Seq returns the sequence number of an echo, timestamp, information or
// address mask message (0 when the message ends before it). Extended echo
// has an 8-bit one: ExtEchoSeq.
func (m Message) Seq() uint16 { return m.rest16(seqOff) }

// Gateway returns the gateway address of a redirect (zero without
// HasRest).
func (m Message) Gateway() (a ipv4.Addr) {
	if m.HasRest() {
		copy(a[:], m[gatewayOff:])
	}
	return a
}

// Pointer returns the pointer of a parameter problem message: the offset
// of the byte in error in the quoted datagram (0 when the message ends
// before it).
func (m Message) Pointer() uint8 { return m.rest8(pointerOff) }

// NextHopMTU returns the MTU of the next hop that a "fragmentation needed"
// destination unreachable carries (RFC 1191); 0 from routers older than
// it, and when the message ends before it.
func (m Message) NextHopMTU() uint16 { return m.rest16(mtuOff) }

// QuotedLen returns the RFC 4884 length of the quoted datagram in bytes
// (the field counts 32-bit words), which destination unreachable, time
// exceeded and parameter problem messages set when an extension structure
// follows the quote; 0 when it is not set, and when the message ends
// before it.
func (m Message) QuotedLen() int { return 4 * int(m.rest8(lengthOff)) }

// NumAddrs returns the number of addresses of a router advertisement (0
// when the message ends before it).
func (m Message) NumAddrs() uint8 { return m.rest8(numAddrsOff) }

// AddrEntrySize returns the size of a router advertisement's entries in
// 32-bit words; 2 (an address and a preference) is the only size RFC 1256
// defines. 0 when the message ends before it.
func (m Message) AddrEntrySize() uint8 { return m.rest8(entrySizOff) }

// Lifetime returns a router advertisement's lifetime in seconds (0 when
// the message ends before it).
func (m Message) Lifetime() uint16 { return m.rest16(lifetimeOff) }

// RouterEntry returns the i-th (from 0) address and preference of a router
// advertisement, stepping by AddrEntrySize. ok is false when the entry
// size is below 2 or the message is too short for the entry; it does not
// look at NumAddrs, which a printer compares itself.
func (m Message) RouterEntry(i int) (addr ipv4.Addr, pref int32, ok bool) {
	size := 4 * int(m.AddrEntrySize())
	off := HeaderLen + i*size
	if size < 8 || i < 0 || off+8 > len(m) {
		return addr, 0, false
	}
	copy(addr[:], m[off:])
	return addr, int32(binary.BigEndian.Uint32(m[off+4:])), true
}

// ExtEchoSeq returns the 8-bit sequence number of an extended echo request
// or reply (RFC 8335; 0 when the message ends before it).
func (m Message) ExtEchoSeq() uint8 { return m.rest8(extSeqOff) }

// ExtEchoLocal reports the L bit of an extended echo request: the
// interface to probe is on the node that receives the request.
func (m Message) ExtEchoLocal() bool { return m.rest8(extFlagsOff)&1 != 0 }

// ExtEchoState returns the 3-bit state of an extended echo reply: for an
// IPv4 or IPv6 neighbour, the state of its ARP or ND entry.
func (m Message) ExtEchoState() uint8 { return m.rest8(extFlagsOff) >> 5 }

// ExtEchoActive reports the A bit of an extended echo reply: the probed
// interface is active.
func (m Message) ExtEchoActive() bool { return m.rest8(extFlagsOff)&4 != 0 }

// ExtEchoIPv4 reports the 4 bit of an extended echo reply: IPv4 runs on the
// probed interface.
func (m Message) ExtEchoIPv4() bool { return m.rest8(extFlagsOff)&2 != 0 }

// ExtEchoIPv6 reports the 6 bit of an extended echo reply: IPv6 runs on the
// probed interface.
func (m Message) ExtEchoIPv6() bool { return m.rest8(extFlagsOff)&1 != 0 }

// Payload returns the bytes after the 8-byte header: the data of an echo,
// the quote and extensions of an error. It is empty without HasRest.
func (m Message) Payload() []byte {
	if !m.HasRest() {
		return nil
	}
	return m[HeaderLen:]
}

// Timestamps returns the originate, receive and transmit timestamps of a
// timestamp request or reply, in milliseconds since midnight UT. ok is
// false when the message is shorter than 20 bytes.
func (m Message) Timestamps() (orig, recv, xmit uint32, ok bool) {
	if len(m) < TimestampLen {
		return 0, 0, 0, false
	}
	return binary.BigEndian.Uint32(m[origTSOff:]), binary.BigEndian.Uint32(m[recvTSOff:]),
		binary.BigEndian.Uint32(m[xmitTSOff:]), true
}

// AddressMask returns the mask of an address mask request or reply. ok is
// false when the message is shorter than 12 bytes.
func (m Message) AddressMask() (mask ipv4.Addr, ok bool) {
	if len(m) < AddressMaskLen {
		return mask, false
	}
	return ipv4.Addr(m[maskOff : maskOff+4]), true
}

// Quoted returns the datagram an error message quotes, from its IP header
// on, for the caller to parse with ipv4.NewHeader: the bytes after the
// 8-byte header, up to the RFC 4884 length when the type has one and it is
// set (clipped to the message). It is nil for a message that is not an
// error, and empty without HasRest.
func (m Message) Quoted() []byte {
	t := m.Type()
	if !t.IsError() || !m.HasRest() {
		return nil
	}
	q := m[HeaderLen:]
	if n := m.QuotedLen(); t.IsMultipart() && n > 0 && n < len(q) {
		q = q[:n]
	}
	return q
}

// ComputeChecksum returns the checksum the message should carry, computed
// over all of m as if the checksum field were zero.
func (m Message) ComputeChecksum() uint16 {
	sum := checksum.Add(0, m[:csumOff])
	sum = checksum.Add(sum, m[csumOff+2:])
	return ^checksum.Fold(sum)
}

// ChecksumValid reports whether the checksum verifies over all of m. A
// capture cut short by its snap length does not verify; tcpdump does not
// check such a message, and a printer should check that it has all of it
// first.
func (m Message) ChecksumValid() bool { return checksum.Fold(checksum.Add(0, m)) == 0xffff }

// minLen returns the shortest message of type t that Check accepts.
func minLen(t Type) int {
	switch {
	case t == TypeTimestamp || t == TypeTimestampReply:
		return TimestampLen
	case t == TypeAddressMaskRequest || t == TypeAddressMaskReply:
		return AddressMaskLen
	case t.IsError():
		return MinErrorLen
	}
	return HeaderLen
}

// Check is Validate without the detail: it returns one of the package's
// sentinel errors itself, or nil, and never allocates.
func (m Message) Check() error {
	if len(m) < minLen(m.Type()) {
		return ErrTruncated
	}
	if !m.ChecksumValid() {
		return ErrBadChecksum
	}
	return nil
}

// Validate checks what the stack needs before it acts on a message: that
// it is long enough for its type (ErrTruncated) — the 8-byte header, 20
// bytes for timestamps, 12 for address masks, and for an error the header
// and a quoted IPv4 header of at least 20 bytes — and that its checksum
// verifies (ErrBadChecksum). The quoted datagram is not checked: the stack
// parses it with ipv4.NewHeader and looks only at what it needs.
func (m Message) Validate() error {
	switch err := m.Check(); err {
	case nil:
		return nil
	case ErrTruncated:
		return fmt.Errorf("%w: %v message of %d bytes, needs %d", err, m.Type(), len(m), minLen(m.Type()))
	default:
		return fmt.Errorf("%w: checksum %#04x, want %#04x", err, m.Checksum(), m.ComputeChecksum())
	}
}

// SetType sets the type.
func (m Message) SetType(t Type) { m[typeOff] = uint8(t) }

// SetCode sets the code.
func (m Message) SetCode(c Code) { m[codeOff] = uint8(c) }

// SetChecksum sets the checksum field.
func (m Message) SetChecksum(c uint16) { binary.BigEndian.PutUint16(m[csumOff:], c) }

// FillChecksum computes the checksum over the whole message and stores
// it. The Set methods leave the checksum alone, so a caller that changes
// fields with them calls this last.
func (m Message) FillChecksum() { m.SetChecksum(m.ComputeChecksum()) }

// The setters below write bytes 4 to 7 and, like a slice index, panic on a
// message without HasRest; a builder sizes its buffer first.

// SetRestOfHeader sets bytes 4 to 7 as one word.
func (m Message) SetRestOfHeader(v uint32) { binary.BigEndian.PutUint32(m[idOff:], v) }

// SetID sets the identifier.
func (m Message) SetID(id uint16) { binary.BigEndian.PutUint16(m[idOff:], id) }

// SetSeq sets the sequence number.
func (m Message) SetSeq(seq uint16) { binary.BigEndian.PutUint16(m[seqOff:], seq) }

// SetGateway sets the gateway address of a redirect.
func (m Message) SetGateway(a ipv4.Addr) { copy(m[gatewayOff:gatewayOff+4], a[:]) }

// SetPointer sets the pointer of a parameter problem message.
func (m Message) SetPointer(p uint8) { m[pointerOff] = p }

// SetNextHopMTU sets the next-hop MTU of a "fragmentation needed" message.
func (m Message) SetNextHopMTU(mtu uint16) { binary.BigEndian.PutUint16(m[mtuOff:], mtu) }

// SetQuotedLen sets the RFC 4884 length field to n bytes, which should be
// a multiple of 4 (the field counts 32-bit words; the remainder is
// dropped) of at most 1020.
func (m Message) SetQuotedLen(n int) { m[lengthOff] = uint8(n / 4) }

// ToEchoReply turns an echo request into its reply in place, as a host
// answers a ping: the type becomes echo reply and the checksum is updated
// incrementally (RFC 1624), so the data is not summed again. The caller
// swaps the IP addresses.
func (m Message) ToEchoReply() {
	old := binary.BigEndian.Uint16(m[typeOff:]) // type and code share a word
	m[typeOff], m[codeOff] = uint8(TypeEchoReply), 0
	c := checksum.Update(m.Checksum(), old, binary.BigEndian.Uint16(m[typeOff:]))
	if c == 0 && m.ComputeChecksum() == 0xffff {
		// The update cannot tell the two zeros of one's complement
		// apart. A reply whose other words sum to 0xffff carries 0x0000,
		// but one whose words are all zero (the type and code of a reply
		// are, and so may its id, seq and data be) needs 0xffff: 0x0000
		// would not verify. Only a zero update pays for the full sum.
		c = 0xffff
	}
	m.SetChecksum(c)
}
