package dump

import (
	"github.com/medina-net/medina/checksum"
	"github.com/medina-net/medina/ipv4"
	"github.com/medina-net/medina/ipv6"
)

// netHeader is the network-layer header a transport printer was reached
// through, IPv4 or IPv6: transport printers take their addresses and
// pseudo-header checksums from it.
type netHeader struct {
	v4 ipv4.Header // the IPv4 header, or nil
	v6 ipv6.Header // the IPv6 datagram from its fixed header on (extension headers included), or nil
}

func v4Header(h ipv4.Header) netHeader { return netHeader{v4: h} }

// isV6 reports whether the datagram is IPv6.
func (n netHeader) isV6() bool { return n.v4 == nil }

// appendSrc appends the source address as tcpdump prints it.
func (n netHeader) appendSrc(b []byte) []byte {
	if n.v4 != nil {
		return n.v4.Src().AppendTo(b)
	}
	return n.v6.Src().AppendTo(b)
}

// appendDst appends the destination address as tcpdump prints it.
func (n netHeader) appendDst(b []byte) []byte {
	if n.v4 != nil {
		return n.v4.Dst().AppendTo(b)
	}
	return n.v6.Dst().AppendTo(b)
}

// addrsInto stores the source and destination addresses in src and dst,
// an IPv4 address in the first 4 bytes (the rest is left as it is).
func (n netHeader) addrsInto(src, dst *[16]byte) {
	if n.v4 != nil {
		s, d := n.v4.Src(), n.v4.Dst()
		copy(src[:], s[:])
		copy(dst[:], d[:])
		return
	}
	*src, *dst = n.v6.Src(), n.v6.Dst()
}

// nextHeader returns the protocol field of the IPv4 header or the first
// next-header field of the IPv6 one: tcpdump prints addresses beside the
// ports only when it names the transport protocol directly.
func (n netHeader) nextHeader() uint8 {
	if n.v4 != nil {
		return uint8(n.v4.Protocol())
	}
	return uint8(n.v6.NextHeader())
}

// v4PseudoAddrs returns the addresses of the IPv4 pseudo-header of a
// transport checksum: the destination is the final one of a source route,
// as tcpdump's nextproto4_cksum takes it.
func (n netHeader) v4PseudoAddrs() (src, dst ipv4.Addr) {
	return n.v4.Src(), n.v4.FinalDst()
}

// pseudoSum returns the partial checksum of the pseudo-header for a
// transport segment of the given protocol and length. The destination is
// the final one of a source route (IPv4) or the one tcpdump's
// nextproto6_cksum finds in a routing header (IPv6, RoutedDst).
func (n netHeader) pseudoSum(proto uint8, length int) uint32 {
	if n.v4 != nil {
		src, dst := n.v4PseudoAddrs()
		return checksum.Pseudo(src, dst, proto, uint16(length))
	}
	return checksum.Pseudo6(n.v6.Src(), n.v6.RoutedDst(), proto, uint32(length))
}

// inCksum returns tcpdump's in_cksum of the pseudo-header and seg, a whole
// segment of the given protocol: 0 when its checksum verifies. Printers
// use it where no view checks the checksum (TCP and UDP over IPv6, VRRP,
// DCCP).
func (n netHeader) inCksum(proto uint8, seg []byte) uint16 {
	return ^checksum.Fold(checksum.Add(n.pseudoSum(proto, len(seg)), seg))
}

// cksumShouldBe returns the checksum field value that would have made the
// data verify, given the field as received and tcpdump's in_cksum over the
// data with the field in it (tcpdump's in_cksum_shouldbe, after RFC 1624).
func cksumShouldBe(field, sum uint16) uint16 {
	s := uint32(field) + uint32(sum)
	s = s&0xffff + s>>16
	s = s&0xffff + s>>16
	return uint16(s)
}

// viewShouldBe is cksumShouldBe for a checksum computed by a view:
// ComputeChecksum leaves the field out of the sum (want is the complement
// of the sum of everything else), which with the field gives back the
// in_cksum that tcpdump's formula takes. Computing it from want rather
// than as ComputeChecksum's value itself keeps tcpdump's choice between
// the two forms of zero.
func viewShouldBe(field, want uint16) uint16 {
	return cksumShouldBe(field, ^checksum.Fold(uint32(^want)+uint32(field)))
}
