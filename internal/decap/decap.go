// Package decap takes captured frames apart down to their TCP segments,
// for the analysers that read captures (netdump's TLS view, the tls
// package's corpus tests): the link-layer header of the link types
// captures commonly use (package linklayer), then IPv4 or IPv6, then TCP.
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
	"github.com/medina-net/medina/internal/linklayer"
	"github.com/medina-net/medina/ipv4"
	"github.com/medina-net/medina/pcap"
	"github.com/medina-net/medina/tcp"
)

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

// IPv6, which has no wire package yet: the extension header numbers and
// the fixed header's length.
const (
	ipv6HopByHop  = 0
	ipv6Routing   = 43
	ipv6Fragment  = 44
	ipv6DestOpts  = 60
	ipv6HeaderLen = 40
)

// TCP returns the TCP segment a frame carries, and false when it carries
// none that can be read: not IPv4 or IPv6, not TCP, a fragment other than
// the first, or too short for the TCP header's fixed part.
func TCP(lt pcap.LinkType, frame []byte) (Segment, bool) {
	et, b := linklayer.Network(lt, frame)
	var s Segment
	var proto uint8
	switch et {
	case ethernet.TypeIPv4:
		h, err := ipv4.NewHeader(b)
		if err != nil || h.Version() != ipv4.Version {
			return s, false
		}
		ihl := h.HeaderLen()
		total := int(h.TotalLen())
		if total == 0 {
			// Captured on the sending host before TCP segmentation
			// offload filled the length in: the frame is the datagram,
			// as Wireshark assumes too.
			total = len(b)
		}
		if ihl < ipv4.MinHeaderLen || len(b) < ihl || total < ihl {
			return s, false
		}
		if h.FragOffsetUnits() != 0 {
			return s, false // not the first fragment
		}
		proto = uint8(h.Protocol())
		s.Length = total - ihl
		b = b[ihl:min(total, len(b))]
		s.Src = netip.AddrPortFrom(netip.AddrFrom4(h.Src()), 0)
		s.Dst = netip.AddrPortFrom(netip.AddrFrom4(h.Dst()), 0)
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
	if proto != tcp.ProtocolNumber {
		return s, false
	}
	th, err := tcp.NewHeader(b)
	if err != nil {
		return s, false
	}
	s.Src = netip.AddrPortFrom(s.Src.Addr(), th.SrcPort())
	s.Dst = netip.AddrPortFrom(s.Dst.Addr(), th.DstPort())
	s.TCP = b
	if s.Length < len(b) {
		s.Length = len(b)
	}
	return s, true
}
