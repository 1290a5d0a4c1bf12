// Package decap takes captured frames apart down to their TCP segments,
// for the analysers that read captures (netdump's TLS view, the tls
// package's corpus tests): the link-layer header of the link types
// captures commonly use, then IPv4 or IPv6, then TCP.
//
// It is a fast path, not a printer: it allocates nothing, copies nothing
// (the results alias the frame), and answers "not a TCP segment" for
// anything it does not follow: other protocols, IP fragments after the
// first, IPv6 extension headers other than the common ones.
package decap

import (
	"encoding/binary"
	"net/netip"

	"github.com/medina-net/medina/ethernet"
	"github.com/medina-net/medina/pcap"
)

// Network returns a frame's network-layer packet, what follows its
// link-layer header, and the EtherType that says what it is. Ethernet
// frames give the EtherType after any VLAN tags; Linux cooked captures
// (SLL and SLL2) the protocol field; BSD loopback (NULL and LOOP) IPv4 or
// IPv6 by the address family; raw IP (RAW, IPV4, IPV6) IPv4 or IPv6 by the
// version nibble. Other link types, and frames too short for their
// link-layer header, give 0 and nil.
func Network(lt pcap.LinkType, b []byte) (ethernet.Type, []byte) {
	switch lt {
	case pcap.LinkTypeEthernet:
		if len(b) < ethernet.HeaderLen {
			return 0, nil
		}
		t, off, _, err := ethernet.Unwrap(ethernet.Frame(b))
		if err != nil {
			return 0, nil
		}
		return t, b[off:]
	case pcap.LinkTypeLinuxSLL:
		if len(b) < 16 {
			return 0, nil
		}
		return ethernet.Type(binary.BigEndian.Uint16(b[14:])), b[16:]
	case pcap.LinkTypeLinuxSLL2:
		if len(b) < 20 {
			return 0, nil
		}
		return ethernet.Type(binary.BigEndian.Uint16(b)), b[20:]
	case pcap.LinkTypeNull, pcap.LinkTypeLoop:
		if len(b) < 4 {
			return 0, nil
		}
		// LOOP's address family is in network byte order, NULL's in the
		// capturing host's; the families fit in 16 bits.
		af := binary.BigEndian.Uint32(b)
		if lt == pcap.LinkTypeNull && af&0xffff == 0 {
			af = binary.LittleEndian.Uint32(b)
		}
		switch af {
		case 2: // AF_INET
			return ethernet.TypeIPv4, b[4:]
		case 24, 28, 30: // AF_INET6 of NetBSD/OpenBSD, FreeBSD, Darwin
			return ethernet.TypeIPv6, b[4:]
		}
	case pcap.LinkTypeRawDLT12, pcap.LinkTypeRawDLT14, pcap.LinkTypeRaw, pcap.LinkTypeIPv4, pcap.LinkTypeIPv6:
		if len(b) == 0 {
			return 0, nil
		}
		switch b[0] >> 4 {
		case 4:
			return ethernet.TypeIPv4, b
		case 6:
			return ethernet.TypeIPv6, b
		}
	}
	return 0, nil
}

// Segment is a TCP segment taken out of a frame.
type Segment struct {
	// Src and Dst are the IP addresses and TCP ports.
	Src, Dst netip.AddrPort
	// TCP is the captured part of the segment, from its TCP header, cut
	// at the end the IP header gives (so link-layer padding is dropped).
	TCP []byte
	// Length is the segment's length on the wire, as the IP header gives
	// it: more than len(TCP) when the capture's snapshot length cut it.
	Length int
}

// IP protocol and IPv6 extension header numbers.
const (
	protoTCP      = 6
	ipv6HopByHop  = 0
	ipv6Routing   = 43
	ipv6Fragment  = 44
	ipv6DestOpts  = 60
	ipv4HeaderLen = 20
	ipv6HeaderLen = 40
	tcpHeaderLen  = 20
)

// TCP returns the TCP segment a frame carries, and false when it carries
// none that can be read: not IPv4 or IPv6, not TCP, a fragment other than
// the first, or too short for the TCP header's fixed part.
func TCP(lt pcap.LinkType, frame []byte) (Segment, bool) {
	et, b := Network(lt, frame)
	var s Segment
	var proto uint8
	switch et {
	case ethernet.TypeIPv4:
		if len(b) < ipv4HeaderLen || b[0]>>4 != 4 {
			return s, false
		}
		ihl := int(b[0]&0xf) * 4
		total := int(binary.BigEndian.Uint16(b[2:]))
		if total == 0 {
			// Captured on the sending host before TCP segmentation
			// offload filled the length in: the frame is the datagram,
			// as Wireshark assumes too.
			total = len(b)
		}
		if ihl < ipv4HeaderLen || len(b) < ihl || total < ihl {
			return s, false
		}
		if binary.BigEndian.Uint16(b[6:])&0x1fff != 0 {
			return s, false // not the first fragment
		}
		proto = b[9]
		src := netip.AddrFrom4([4]byte(b[12:16]))
		dst := netip.AddrFrom4([4]byte(b[16:20]))
		s.Length = total - ihl
		b = b[ihl:min(total, len(b))]
		s.Src, s.Dst = netip.AddrPortFrom(src, 0), netip.AddrPortFrom(dst, 0)
	case ethernet.TypeIPv6:
		if len(b) < ipv6HeaderLen || b[0]>>4 != 6 {
			return s, false
		}
		plen := int(binary.BigEndian.Uint16(b[4:]))
		src := netip.AddrFrom16([16]byte(b[8:24]))
		dst := netip.AddrFrom16([16]byte(b[24:40]))
		s.Src, s.Dst = netip.AddrPortFrom(src, 0), netip.AddrPortFrom(dst, 0)
		proto = b[6]
		b = b[ipv6HeaderLen:min(ipv6HeaderLen+plen, len(b))]
		s.Length = plen
	walk:
		for {
			switch proto {
			case ipv6HopByHop, ipv6Routing, ipv6DestOpts:
				if len(b) < 8 {
					return s, false
				}
				n := 8 + int(b[1])*8
				if n > len(b) {
					return s, false
				}
				proto, b = b[0], b[n:]
				s.Length -= n
			case ipv6Fragment:
				if len(b) < 8 || binary.BigEndian.Uint16(b[2:])&0xfff8 != 0 {
					return s, false // not the first fragment
				}
				proto, b = b[0], b[8:]
				s.Length -= 8
			default:
				break walk
			}
		}
	default:
		return s, false
	}
	if proto != protoTCP || len(b) < tcpHeaderLen {
		return s, false
	}
	s.Src = netip.AddrPortFrom(s.Src.Addr(), binary.BigEndian.Uint16(b))
	s.Dst = netip.AddrPortFrom(s.Dst.Addr(), binary.BigEndian.Uint16(b[2:]))
	s.TCP = b
	if s.Length < len(b) {
		s.Length = len(b)
	}
	return s, true
}
