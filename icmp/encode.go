package icmp

import (
	"fmt"

	"github.com/medina-net/medina/ipv4"
)

// Encode writes a message of any type into b with a correct checksum and
// returns it: the header with rest as bytes 4 to 7, then payload. b needs
// room for 8 bytes and the payload; payload may already sit at b[8:].
func Encode(b []byte, t Type, c Code, rest uint32, payload []byte) (Message, error) {
	n := HeaderLen + len(payload)
	if len(b) < n {
		return nil, fmt.Errorf("%w: buffer of %d bytes, %v message needs %d", ErrTruncated, len(b), t, n)
	}
	m := Message(b[:n])
	copy(m[HeaderLen:], payload) // first, in case payload overlaps the header
	m.SetType(t)
	m.SetCode(c)
	m.SetChecksum(0)
	m.SetRestOfHeader(rest)
	m.FillChecksum()
	return m, nil
}

// EncodeEcho writes an echo request (TypeEcho) or reply (TypeEchoReply)
// with the given identifier, sequence number and data.
func EncodeEcho(b []byte, t Type, id, seq uint16, data []byte) (Message, error) {
	return Encode(b, t, 0, uint32(id)<<16|uint32(seq), data)
}

// MinQuoteLen returns how much of datagram RFC 792 asks an error message
// to quote: its IP header and the first 8 bytes of its payload (enough for
// the ports of TCP and UDP), clipped to the datagram. Hosts since RFC 1122
// may quote more, and routers should quote up to MaxQuoteLen (RFC 1812).
func MinQuoteLen(datagram []byte) int {
	hl := ipv4.MinHeaderLen
	if len(datagram) > 0 {
		hl = max(hl, int(datagram[0]&0x0f)*4)
	}
	return min(len(datagram), hl+8)
}

// encodeError writes an error message quoting the first quoteLen bytes of
// datagram (clipped to it).
func encodeError(b []byte, t Type, c Code, rest uint32, datagram []byte, quoteLen int) (Message, error) {
	if quoteLen < 0 {
		return nil, fmt.Errorf("icmp: negative quote length %d", quoteLen)
	}
	return Encode(b, t, c, rest, datagram[:min(quoteLen, len(datagram))])
}

// EncodeDestUnreachable writes a destination unreachable message quoting
// the first quoteLen bytes of datagram, which starts at its IP header:
// MinQuoteLen(datagram) for what RFC 792 requires, MaxQuoteLen for what
// RFC 1812 recommends (both are clipped to the datagram). mtu is the
// next-hop MTU of UnreachNeedFrag (RFC 1191), 0 for the other codes.
func EncodeDestUnreachable(b []byte, c Code, mtu uint16, datagram []byte, quoteLen int) (Message, error) {
	return encodeError(b, TypeDestUnreachable, c, uint32(mtu), datagram, quoteLen)
}

// EncodeTimeExceeded writes a time exceeded message quoting the first
// quoteLen bytes of datagram, as EncodeDestUnreachable does.
func EncodeTimeExceeded(b []byte, c Code, datagram []byte, quoteLen int) (Message, error) {
	return encodeError(b, TypeTimeExceeded, c, 0, datagram, quoteLen)
}

// EncodeParamProblem writes a parameter problem message (code
// ParamProblemPointer) whose pointer names the offending byte of datagram,
// quoting the first quoteLen bytes of it, as EncodeDestUnreachable does.
func EncodeParamProblem(b []byte, pointer uint8, datagram []byte, quoteLen int) (Message, error) {
	return encodeError(b, TypeParamProblem, ParamProblemPointer, uint32(pointer)<<24, datagram, quoteLen)
}
