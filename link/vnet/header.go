// Package vnet is the virtio-net header that a Linux TAP or TUN device
// opened with IFF_VNET_HDR puts before every packet it passes, in both
// directions, and the work a device that takes offloads must then do in
// software: completing a checksum the kernel left partial (NEEDS_CSUM),
// and cutting a segmentation-offload super-packet (GSO: TSO for TCP, USO
// for UDP) into the wire-size packets it stands for.
//
// The header tells the receiver of a packet what the sender left undone.
// With TUNSETOFFLOAD the kernel hands a TAP reader TCP packets of up to
// 64 KiB whose header says "cut me into segments of GSOSize bytes" and
// whose checksum is only the pseudo-header's sum; a reader that asked for
// offloads must cope with both. Header is a zero-copy view in the style
// of medina's wire packages; Segmenter cuts a super-packet into buffers
// the caller owns, without allocating.
//
// The header's fields are little-endian: virtio 1.0's byte order, and the
// kernel's for a TUN device on a little-endian host (on a big-endian one
// only after TUNSETVNETLE). link/tap asks for offloads only where the two
// agree.
package vnet

import (
	"encoding/binary"
	"errors"
	"fmt"
)

// struct virtio_net_hdr (virtio 1.0, 5.1.6; include/uapi/linux/virtio_net.h):
//
//	 0        1         2           4           6            8            10
//	+--------+---------+-----------+-----------+------------+------------+
//	| flags  |gso_type |  hdr_len  | gso_size  | csum_start |csum_offset |
//	+--------+---------+-----------+-----------+------------+------------+
const (
	flagsOff      = 0
	gsoTypeOff    = 1
	hdrLenOff     = 2
	gsoSizeOff    = 4
	csumStartOff  = 6
	csumOffsetOff = 8
)

// HeaderLen is the length of the header without the mergeable-buffers
// count: what a TUN device uses unless told otherwise (TUNSETVNETHDRSZ).
const HeaderLen = 10

// Flags are the header's flags.
type Flags uint8

const (
	// NeedsCsum: the checksum from CsumStart to the end of the packet is
	// left to the receiver, who stores it at CsumStart+CsumOffset; the
	// field holds the pseudo-header's sum, folded, not complemented.
	NeedsCsum Flags = 1
	// DataValid: the sender verified the packet's checksums (or made
	// them); the receiver need not.
	DataValid Flags = 2
)

// GSOType says how a super-packet is to be cut; GSONone says it is an
// ordinary packet.
type GSOType uint8

const (
	GSONone  GSOType = 0 // an ordinary packet
	GSOTCPv4 GSOType = 1 // TCP over IPv4 (TSO)
	GSOUDP   GSOType = 3 // IP fragmentation of UDP (UFO, which Linux retired)
	GSOTCPv6 GSOType = 4 // TCP over IPv6 (TSO)
	GSOUDPL4 GSOType = 5 // UDP datagrams of GSOSize each (USO), either family
	// GSOECN is a bit beside the TCP types: the super-packet carries
	// CWR, which only its first segment may.
	GSOECN GSOType = 0x80
)

// String names the type as the kernel's constants do.
func (t GSOType) String() string {
	ecn := ""
	if t&GSOECN != 0 {
		ecn = "|ECN"
	}
	switch t &^ GSOECN {
	case GSONone:
		return "NONE" + ecn
	case GSOTCPv4:
		return "TCPV4" + ecn
	case GSOUDP:
		return "UDP" + ecn
	case GSOTCPv6:
		return "TCPV6" + ecn
	case GSOUDPL4:
		return "UDP_L4" + ecn
	}
	return fmt.Sprintf("GSO(%d)", uint8(t))
}

// Errors a header or a packet with it can have.
var (
	ErrTruncated   = errors.New("vnet: truncated")
	ErrGSOType     = errors.New("vnet: unknown GSO type")
	ErrCsumRange   = errors.New("vnet: checksum start or offset outside the packet")
	ErrSegment     = errors.New("vnet: packet cannot be segmented as its header says")
	ErrShortBuffer = errors.New("vnet: buffer too short for the segment")
)

// Header is a view of a virtio-net header.
type Header []byte

// NewHeader returns the header at the start of b.
func NewHeader(b []byte) (Header, error) {
	if len(b) < HeaderLen {
		return nil, fmt.Errorf("%w: %d bytes, a header takes %d", ErrTruncated, len(b), HeaderLen)
	}
	return Header(b[:HeaderLen]), nil
}

// Check makes the checks that need nothing but the header: a GSO type
// this package knows. It allocates nothing.
func (h Header) Check() error {
	switch h.GSOType() &^ GSOECN {
	case GSONone, GSOTCPv4, GSOTCPv6, GSOUDPL4:
		return nil
	}
	return ErrGSOType
}

// Validate is Check with the value that was wrong.
func (h Header) Validate() error {
	if err := h.Check(); err != nil {
		return fmt.Errorf("%w: %v", err, h.GSOType())
	}
	return nil
}

// Flags returns the flags.
func (h Header) Flags() Flags { return Flags(h[flagsOff]) }

// GSOType returns the segmentation type, the ECN bit included.
func (h Header) GSOType() GSOType { return GSOType(h[gsoTypeOff]) }

// HdrLen returns the length of the headers (link, network and transport)
// that every segment repeats, as the sender says it. The kernel's value is
// a hint: Segmenter works the length out from the packet itself.
func (h Header) HdrLen() int { return int(binary.LittleEndian.Uint16(h[hdrLenOff:])) }

// GSOSize returns the payload of each segment but the last, for a
// super-packet.
func (h Header) GSOSize() int { return int(binary.LittleEndian.Uint16(h[gsoSizeOff:])) }

// CsumStart returns where the checksummed part starts, from the start of
// the packet (the Ethernet header on a TAP): the transport header.
func (h Header) CsumStart() int { return int(binary.LittleEndian.Uint16(h[csumStartOff:])) }

// CsumOffset returns where the checksum field is, from CsumStart.
func (h Header) CsumOffset() int { return int(binary.LittleEndian.Uint16(h[csumOffsetOff:])) }

// Fields are the values of a header, for writing one with Encode.
type Fields struct {
	Flags      Flags
	GSOType    GSOType
	HdrLen     uint16
	GSOSize    uint16
	CsumStart  uint16
	CsumOffset uint16
}

// Encode writes the header at the start of b.
func (f *Fields) Encode(b []byte) (Header, error) {
	if len(b) < HeaderLen {
		return nil, fmt.Errorf("%w: %d bytes for a %d-byte header", ErrTruncated, len(b), HeaderLen)
	}
	b[flagsOff] = byte(f.Flags)
	b[gsoTypeOff] = byte(f.GSOType)
	binary.LittleEndian.PutUint16(b[hdrLenOff:], f.HdrLen)
	binary.LittleEndian.PutUint16(b[gsoSizeOff:], f.GSOSize)
	binary.LittleEndian.PutUint16(b[csumStartOff:], f.CsumStart)
	binary.LittleEndian.PutUint16(b[csumOffsetOff:], f.CsumOffset)
	return Header(b[:HeaderLen]), nil
}

// Fields returns the header's values.
func (h Header) Fields() Fields {
	return Fields{
		Flags: h.Flags(), GSOType: h.GSOType(),
		HdrLen: uint16(h.HdrLen()), GSOSize: uint16(h.GSOSize()),
		CsumStart: uint16(h.CsumStart()), CsumOffset: uint16(h.CsumOffset()),
	}
}
