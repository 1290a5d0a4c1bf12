// Package checksum implements the Internet checksum of RFC 1071, the
// one's-complement sum that IPv4, ICMP, ICMPv6, TCP and UDP all carry,
// together with the incremental update of RFC 1624 and the IPv4 and IPv6
// pseudo-header sums that TCP, UDP and ICMPv6 fold into theirs.
//
// The functions work on partial sums (a uint32 that has not been folded or
// complemented yet) so a caller can sum a header and a payload that live in
// different buffers without copying them together:
//
//	sum := checksum.Pseudo(src, dst, proto, uint16(len(seg)))
//	sum = checksum.Add(sum, seg)
//	ok := checksum.Fold(sum) == 0xffff
package checksum

import (
	"encoding/binary"
	"math/bits"
)

// Add returns the one's-complement partial sum of b added to sum. Bytes are
// taken as big-endian 16-bit words; an odd trailing byte is padded with a
// zero byte, as RFC 1071 prescribes. Add may be called on consecutive pieces
// of a message only if every piece but the last has an even length.
func Add(sum uint32, b []byte) uint32 {
	// One's-complement addition does not care how the words are grouped,
	// nor in which byte order they are added as long as the result is
	// swapped back (RFC 1071 section 2). So the data is summed as 64-bit
	// words in the machine's little-endian order, four a round, with the
	// carries added back in, folded to 16 bits once at the end, and
	// byte-swapped into network order. The partial sum coming in is
	// swapped the other way first.
	s := uint64(bits.ReverseBytes16(Fold(sum)))
	var c uint64
	// Two carry chains, added together after the loop, keep the adds of
	// a round from waiting on each other.
	var s2, c2 uint64
	for len(b) >= 32 {
		s, c = bits.Add64(s, binary.LittleEndian.Uint64(b[0:]), c)
		s2, c2 = bits.Add64(s2, binary.LittleEndian.Uint64(b[8:]), c2)
		s, c = bits.Add64(s, binary.LittleEndian.Uint64(b[16:]), c)
		s2, c2 = bits.Add64(s2, binary.LittleEndian.Uint64(b[24:]), c2)
		b = b[32:]
	}
	s, c = bits.Add64(s, s2, c)
	s, c = bits.Add64(s, c2, c)
	for len(b) >= 8 {
		s, c = bits.Add64(s, binary.LittleEndian.Uint64(b), c)
		b = b[8:]
	}
	if len(b) > 0 {
		// The last bytes start on a word boundary; zeros after them pad
		// the word they end in, as RFC 1071 pads an odd byte.
		var t [8]byte
		copy(t[:], b)
		s, c = bits.Add64(s, binary.LittleEndian.Uint64(t[:]), c)
	}
	s, c = bits.Add64(s, c, 0)
	s += c // cannot carry again: a carry out left s at zero
	s = (s >> 32) + (s & 0xffffffff)
	s = (s >> 32) + (s & 0xffffffff)
	s = (s >> 16) + (s & 0xffff)
	s = (s >> 16) + (s & 0xffff)
	return uint32(bits.ReverseBytes16(uint16(s)))
}

// AddUint16 returns sum with the 16-bit word v added.
func AddUint16(sum uint32, v uint16) uint32 {
	return sum + uint32(v)
}

// Fold folds a partial sum to 16 bits, carrying the overflow back in. The
// result is the one's-complement sum; a message whose checksum field is
// correct folds to 0xffff.
func Fold(sum uint32) uint16 {
	for sum > 0xffff {
		sum = (sum >> 16) + (sum & 0xffff)
	}
	return uint16(sum)
}

// Checksum returns the value to store in a checksum field: the complement of
// the folded sum of b (with the field itself zero) added to sum.
func Checksum(b []byte, sum uint32) uint16 {
	return ^Fold(Add(sum, b))
}

// Pseudo returns the partial sum of the IPv4 pseudo-header that TCP and UDP
// include in their checksums (RFC 9293 section 3.1, RFC 768): source and
// destination address, protocol number and the transport length.
func Pseudo(src, dst [4]byte, proto uint8, length uint16) uint32 {
	return uint32(binary.BigEndian.Uint16(src[0:])) +
		uint32(binary.BigEndian.Uint16(src[2:])) +
		uint32(binary.BigEndian.Uint16(dst[0:])) +
		uint32(binary.BigEndian.Uint16(dst[2:])) +
		uint32(proto) + uint32(length)
}

// Pseudo6 returns the partial sum of the IPv6 pseudo-header that TCP, UDP
// and ICMPv6 include in their checksums (RFC 8200 section 8.1): source and
// final destination address, the 32-bit upper-layer packet length and the
// next header value of the upper-layer protocol. dst is the final
// destination, which a routing header may name instead of the IPv6
// header's destination (ipv6.Header.FinalDst).
func Pseudo6(src, dst [16]byte, proto uint8, length uint32) uint32 {
	// One's complement addition is the same whatever the word size, as
	// long as the carries come back around: eight 32-bit words sum in 64
	// bits without overflow, and folding the upper half into the lower
	// twice brings the carries around. Half the loads and adds of 16-bit
	// words, which an address-heavy header notices.
	be := binary.BigEndian
	s := uint64(be.Uint32(src[0:])) + uint64(be.Uint32(src[4:])) +
		uint64(be.Uint32(src[8:])) + uint64(be.Uint32(src[12:])) +
		uint64(be.Uint32(dst[0:])) + uint64(be.Uint32(dst[4:])) +
		uint64(be.Uint32(dst[8:])) + uint64(be.Uint32(dst[12:])) +
		uint64(length) + uint64(proto)
	// Fold down to 16 bits and a carry, as small as the 16-bit sum of
	// old, so that callers may go on adding to it without overflow.
	s = s>>32 + s&0xffffffff
	s = s>>16 + s&0xffff
	s = s>>16 + s&0xffff
	return uint32(s)
}

// Update returns the checksum field value after a 16-bit word of the covered
// data changes from old to new, without summing the data again. It uses
// equation 3 of RFC 1624, HC' = ~(~HC + ~m + m'), which unlike RFC 1141's
// form never produces 0x0000 from a non-zero sum's complement wrongly.
func Update(field, old, new uint16) uint16 {
	sum := uint32(^field) + uint32(^old) + uint32(new)
	return ^Fold(sum)
}

// Update32 is Update for a 32-bit value (an address, a sequence number) that
// starts on a 16-bit boundary of the covered data.
func Update32(field uint16, old, new uint32) uint16 {
	sum := uint32(^field) +
		uint32(^uint16(old>>16)) + uint32(^uint16(old)) +
		uint32(uint16(new>>16)) + uint32(uint16(new))
	return ^Fold(sum)
}
