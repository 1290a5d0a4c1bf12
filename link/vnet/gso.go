package vnet

import (
	"encoding/binary"
	"fmt"

	"github.com/medina-net/medina/checksum"
	"github.com/medina-net/medina/link"
)

// The link layer sits under IP and TCP and imports neither: the few
// header fields segmentation rewrites are named here, by their offsets
// in the IPv4 (RFC 791), IPv6 (RFC 8200), TCP (RFC 9293) and UDP (RFC
// 768) headers.
const (
	ip4TotalLenOff = 2
	ip4IDOff       = 4
	ip4FragOff     = 6 // flags and fragment offset
	ip4ProtoOff    = 9
	ip4CsumOff     = 10
	ip4SrcOff      = 12
	ip4MinLen      = 20

	ip6PayloadLenOff = 4
	ip6NextOff       = 6
	ip6SrcOff        = 8
	ip6Len           = 40

	tcpSeqOff     = 4
	tcpDataOffOff = 12
	tcpFlagsOff   = 13
	tcpCsumOff    = 16
	tcpMinLen     = 20

	udpLenOff  = 4
	udpCsumOff = 6
	udpLen     = 8

	protoTCP = 6
	protoUDP = 17

	tcpFIN = 0x01
	tcpPSH = 0x08
	tcpCWR = 0x80
)

// Complete finishes a packet whose header has NeedsCsum: it sums the
// packet from CsumStart to its end, the partial pseudo-header sum in the
// checksum field included, and stores the complement there. A packet
// without the flag is left alone. A UDP checksum (the field 6 bytes in)
// that comes to zero is sent as 0xffff, zero meaning none (RFC 768).
func Complete(pkt []byte, h Header) error {
	if h.Flags()&NeedsCsum == 0 {
		return nil
	}
	start, off := h.CsumStart(), h.CsumOffset()
	if start+off+2 > len(pkt) {
		return fmt.Errorf("%w: start %d, offset %d in %d bytes", ErrCsumRange, start, off, len(pkt))
	}
	c := ^checksum.Fold(checksum.Add(0, pkt[start:]))
	if c == 0 && off == udpCsumOff {
		c = 0xffff
	}
	binary.BigEndian.PutUint16(pkt[start+off:], c)
	return nil
}

// Segmenter cuts a GSO super-packet into the packets it stands for, each
// written into a buffer the caller gives, as the kernel's software GSO
// does: every segment repeats the headers; TCP segments carry their own
// sequence numbers, FIN and PSH only on the last, CWR only on the first;
// IPv4 identifications count up from the super-packet's; lengths and
// checksums are each segment's own. It is a value: no allocation.
type Segmenter struct {
	pkt     []byte
	netOff  int // where the IP header starts: 14 on a TAP, 0 on a TUN
	tOff    int // where the transport header starts
	hdrEnd  int // where the payload starts
	mss     int
	payload int
	n       int
	v6, tcp bool
	flags   byte // the TCP flags of the super-packet
}

// NewSegmenter checks that pkt, read with the header h, is a super-packet
// that can be cut: TCP over IPv4 or IPv6 (TSO) or UDP (USO), its IP
// header at netOff, no IPv6 extension headers and no IPv4 fragment, a
// segment size, and at least one byte of payload. The checksums of pkt
// need not be right: every segment's are computed afresh.
func NewSegmenter(pkt []byte, h Header, netOff int) (Segmenter, error) {
	s, err := parseSuper(pkt, h, netOff)
	if err != nil {
		return s, err
	}
	if s.mss <= 0 || s.payload <= 0 {
		return s, fmt.Errorf("%w: segment size %d, %d bytes of payload", ErrSegment, s.mss, s.payload)
	}
	s.n = (s.payload + s.mss - 1) / s.mss
	return s, nil
}

// SetTCPChecksum writes the checksum of pkt, a TCP segment over IPv4 or
// IPv6 (no extension headers) whose IP header is at netOff, afresh,
// whatever its checksum field held: a partial sum the sender left for a
// NIC (NEEDS_CSUM), or a checksum already whole. The IP lengths must be
// pkt's. A recorder uses it to show a segment as the wire carries it.
func SetTCPChecksum(pkt []byte, netOff int) error {
	f := Fields{GSOType: GSOTCPv4, GSOSize: 0xffff}
	if len(pkt) > netOff && pkt[netOff]>>4 == 6 {
		f.GSOType = GSOTCPv6
	}
	var hb [HeaderLen]byte
	h, _ := f.Encode(hb[:])
	s, err := parseSuper(pkt, h, netOff)
	if err != nil {
		return err
	}
	// One segment, all of pkt, even with no payload.
	s.n, s.mss = 1, max(s.payload, 1)
	_, err = s.Segment(0, pkt)
	return err
}

// parseSuper reads the headers of a super-packet for NewSegmenter: all
// but the segment count, and the check that there is something to cut.
func parseSuper(pkt []byte, h Header, netOff int) (Segmenter, error) {
	s := Segmenter{pkt: pkt, netOff: netOff, mss: h.GSOSize()}
	typ := h.GSOType() &^ GSOECN
	if netOff < 0 || len(pkt) < netOff+ip4MinLen {
		return s, fmt.Errorf("%w: %d bytes, IP header at %d", ErrTruncated, len(pkt), netOff)
	}
	ip := pkt[netOff:]
	var proto byte
	switch version := ip[0] >> 4; {
	case version == 4 && (typ == GSOTCPv4 || typ == GSOUDPL4):
		ihl := int(ip[0]&0x0f) * 4
		if ihl < ip4MinLen || len(ip) < ihl {
			return s, fmt.Errorf("%w: IPv4 header length %d in %d bytes", ErrSegment, ihl, len(ip))
		}
		if binary.BigEndian.Uint16(ip[ip4FragOff:])&0x3fff != 0 {
			return s, fmt.Errorf("%w: an IPv4 fragment", ErrSegment)
		}
		proto, s.tOff = ip[ip4ProtoOff], netOff+ihl
	case version == 6 && (typ == GSOTCPv6 || typ == GSOUDPL4):
		if len(ip) < ip6Len {
			return s, fmt.Errorf("%w: %d bytes for an IPv6 header", ErrTruncated, len(ip))
		}
		proto, s.tOff, s.v6 = ip[ip6NextOff], netOff+ip6Len, true
	default:
		return s, fmt.Errorf("%w: IP version %d with GSO type %v", ErrSegment, ip[0]>>4, h.GSOType())
	}
	switch {
	case proto == protoTCP && typ != GSOUDPL4:
		if len(pkt) < s.tOff+tcpMinLen {
			return s, fmt.Errorf("%w: %d bytes, TCP header at %d", ErrTruncated, len(pkt), s.tOff)
		}
		doff := int(pkt[s.tOff+tcpDataOffOff]>>4) * 4
		if doff < tcpMinLen || len(pkt) < s.tOff+doff {
			return s, fmt.Errorf("%w: TCP data offset %d", ErrSegment, doff)
		}
		s.hdrEnd, s.tcp, s.flags = s.tOff+doff, true, pkt[s.tOff+tcpFlagsOff]
	case proto == protoUDP && typ == GSOUDPL4:
		if len(pkt) < s.tOff+udpLen {
			return s, fmt.Errorf("%w: %d bytes, UDP header at %d", ErrTruncated, len(pkt), s.tOff)
		}
		s.hdrEnd = s.tOff + udpLen
	default:
		return s, fmt.Errorf("%w: protocol %d with GSO type %v", ErrSegment, proto, h.GSOType())
	}
	s.payload = len(pkt) - s.hdrEnd
	return s, nil
}

// SegmenterFor returns the Segmenter of a TCP super-frame laid out as gso
// says (link.GSOWriter's): how a device, a recorder or a stack with no
// such device cuts what a stack handed it whole.
func SegmenterFor(frame []byte, gso link.GSO) (Segmenter, error) {
	f := Fields{GSOType: GSOTCPv4, GSOSize: uint16(gso.SegmentSize)}
	if gso.IPv6 {
		f.GSOType = GSOTCPv6
	}
	var hb [HeaderLen]byte
	h, _ := f.Encode(hb[:])
	return NewSegmenter(frame, h, gso.NetworkOff)
}

// N returns the number of segments.
func (s *Segmenter) N() int { return s.n }

// HeadersLen returns the length of the headers every segment repeats.
func (s *Segmenter) HeadersLen() int { return s.hdrEnd }

// SegmentLen returns the length of segment i.
func (s *Segmenter) SegmentLen(i int) int {
	return s.hdrEnd + min(s.mss, s.payload-i*s.mss)
}

// Segment writes segment i (0 ≤ i < N) at the start of buf and returns
// its length.
func (s *Segmenter) Segment(i int, buf []byte) (int, error) {
	if i < 0 || i >= s.n {
		return 0, fmt.Errorf("%w: segment %d of %d", ErrSegment, i, s.n)
	}
	n := s.SegmentLen(i)
	if len(buf) < n {
		return 0, fmt.Errorf("%w: %d bytes for a %d-byte segment", ErrShortBuffer, len(buf), n)
	}
	copy(buf, s.pkt[:s.hdrEnd])
	from := s.hdrEnd + i*s.mss
	copy(buf[s.hdrEnd:n], s.pkt[from:from+n-s.hdrEnd])
	seg := buf[:n]
	ip := seg[s.netOff:]
	tlen := n - s.tOff // the transport header and its payload
	var sum uint32
	if s.v6 {
		binary.BigEndian.PutUint16(ip[ip6PayloadLenOff:], uint16(n-s.netOff-ip6Len))
		sum = checksum.Pseudo6([16]byte(ip[ip6SrcOff:]), [16]byte(ip[ip6SrcOff+16:]), ip[ip6NextOff], uint32(tlen))
	} else {
		binary.BigEndian.PutUint16(ip[ip4TotalLenOff:], uint16(n-s.netOff))
		id := binary.BigEndian.Uint16(s.pkt[s.netOff+ip4IDOff:])
		binary.BigEndian.PutUint16(ip[ip4IDOff:], id+uint16(i))
		ihl := s.tOff - s.netOff
		binary.BigEndian.PutUint16(ip[ip4CsumOff:], 0)
		binary.BigEndian.PutUint16(ip[ip4CsumOff:], checksum.Checksum(ip[:ihl], 0))
		sum = checksum.Pseudo([4]byte(ip[ip4SrcOff:]), [4]byte(ip[ip4SrcOff+4:]), ip[ip4ProtoOff], uint16(tlen))
	}
	t := seg[s.tOff:]
	if s.tcp {
		seq := binary.BigEndian.Uint32(s.pkt[s.tOff+tcpSeqOff:])
		binary.BigEndian.PutUint32(t[tcpSeqOff:], seq+uint32(i*s.mss))
		f := s.flags
		if i != s.n-1 {
			f &^= tcpFIN | tcpPSH
		}
		if i != 0 {
			f &^= tcpCWR
		}
		t[tcpFlagsOff] = f
		binary.BigEndian.PutUint16(t[tcpCsumOff:], 0)
		binary.BigEndian.PutUint16(t[tcpCsumOff:], checksum.Checksum(t, sum))
		return n, nil
	}
	binary.BigEndian.PutUint16(t[udpLenOff:], uint16(tlen))
	binary.BigEndian.PutUint16(t[udpCsumOff:], 0)
	c := checksum.Checksum(t, sum)
	if c == 0 {
		c = 0xffff
	}
	binary.BigEndian.PutUint16(t[udpCsumOff:], c)
	return n, nil
}
