package dump

import (
	"encoding/binary"

	"github.com/medina-net/medina/checksum"
	"github.com/medina-net/medina/ipv4"
)

// netHeader is the network-layer header a transport printer was reached
// through, IPv4 or IPv6: transport printers take their addresses and
// pseudo-header checksums from it.
type netHeader struct {
	v4 ipv4.Header // the IPv4 header, or nil
	v6 []byte      // the IPv6 datagram from its fixed header on (extension headers included), or nil
}

func v4Header(h ipv4.Header) netHeader { return netHeader{v4: h} }

// isV6 reports whether the datagram is IPv6.
func (n netHeader) isV6() bool { return n.v4 == nil }

// appendSrc appends the source address as tcpdump prints it.
func (n netHeader) appendSrc(b []byte) []byte {
	if n.v4 != nil {
		return n.v4.Src().AppendTo(b)
	}
	return appendIPv6(b, n.v6[8:24])
}

// appendDst appends the destination address as tcpdump prints it.
func (n netHeader) appendDst(b []byte) []byte {
	if n.v4 != nil {
		return n.v4.Dst().AppendTo(b)
	}
	return appendIPv6(b, n.v6[24:40])
}

// pseudoSum returns the partial checksum of the pseudo-header for a
// transport segment of the given protocol and length. The destination is
// the final one of a source route (IPv4) or routing header (IPv6), as
// tcpdump's nextproto4_cksum and nextproto6_cksum take it.
func (n netHeader) pseudoSum(proto uint8, length int) uint32 {
	if n.v4 != nil {
		return checksum.Pseudo(n.v4.Src(), n.v4.FinalDst(), proto, uint16(length))
	}
	sum := checksum.Add(0, n.v6[8:24])
	sum = checksum.Add(sum, ip6FinalDst(n.v6))
	sum += uint32(length>>16) + uint32(length&0xffff)
	return sum + uint32(proto)
}

// be16 reads a big-endian 16-bit value from a slice known to be long enough.
func be16(b []byte) uint16 { return binary.BigEndian.Uint16(b) }
