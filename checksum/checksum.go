// Package checksum implements the Internet checksum of RFC 1071, the
// one's-complement sum that IPv4, ICMP, TCP and UDP all carry, together with
// the incremental update of RFC 1624 and the IPv4 pseudo-header sum that TCP
// and UDP fold into theirs.
//
// The functions work on partial sums (a uint32 that has not been folded or
// complemented yet) so a caller can sum a header and a payload that live in
// different buffers without copying them together:
//
//	sum := checksum.Pseudo(src, dst, proto, uint16(len(seg)))
//	sum = checksum.Add(sum, seg)
//	ok := checksum.Fold(sum) == 0xffff
package checksum

import "encoding/binary"

// Add returns the one's-complement partial sum of b added to sum. Bytes are
// taken as big-endian 16-bit words; an odd trailing byte is padded with a
// zero byte, as RFC 1071 prescribes. Add may be called on consecutive pieces
// of a message only if every piece but the last has an even length.
func Add(sum uint32, b []byte) uint32 {
	s := uint64(sum)
	// Summing 32-bit words into a 64-bit accumulator and folding once at the
	// end is equivalent to summing 16-bit words (RFC 1071, section 2(B)) and
	// about four times faster.
	for len(b) >= 32 {
		s += uint64(binary.BigEndian.Uint32(b[0:]))
		s += uint64(binary.BigEndian.Uint32(b[4:]))
		s += uint64(binary.BigEndian.Uint32(b[8:]))
		s += uint64(binary.BigEndian.Uint32(b[12:]))
		s += uint64(binary.BigEndian.Uint32(b[16:]))
		s += uint64(binary.BigEndian.Uint32(b[20:]))
		s += uint64(binary.BigEndian.Uint32(b[24:]))
		s += uint64(binary.BigEndian.Uint32(b[28:]))
		b = b[32:]
	}
	for len(b) >= 4 {
		s += uint64(binary.BigEndian.Uint32(b))
		b = b[4:]
	}
	if len(b) >= 2 {
		s += uint64(binary.BigEndian.Uint16(b))
		b = b[2:]
	}
	if len(b) == 1 {
		s += uint64(b[0]) << 8
	}
	s = (s >> 32) + (s & 0xffffffff)
	s = (s >> 32) + (s & 0xffffffff)
	s = (s >> 16) + (s & 0xffff)
	s = (s >> 16) + (s & 0xffff)
	return uint32(s)
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
