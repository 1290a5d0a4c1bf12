package ipv6

import (
	"encoding/binary"
	"fmt"

	"github.com/medina-net/medina/ipv4"
)

// Offsets of the authentication header (RFC 4302 2), named once:
//
//	+---------------+---------------+-------------------------------+
//	|  next header  |  payload len  |           reserved            |  0
//	+---------------+---------------+-------------------------------+
//	|                security parameters index (SPI)                |  4
//	+---------------------------------------------------------------+
//	|                    sequence number field                      |  8
//	+---------------------------------------------------------------+
//	|            integrity check value (ICV), variable ...          | 12
//
// The payload length counts 4-byte units, less 2. ESP (RFC 4303) starts
// with the same SPI and sequence number; all the rest of it, its next
// header included, is encrypted or opaque.
const (
	ahReservedOff = 2
	ahSPIOff      = 4
	ahSeqOff      = 8
	ahICVOff      = 12

	espSPIOff = 0
	espSeqOff = 4
)

// Lengths of the IPsec headers.
const (
	// AHMinLen is the shortest authentication header, without an ICV.
	AHMinLen = ahICVOff
	// ESPMinLen is the SPI and sequence number that start ESP.
	ESPMinLen = 8
)

// AH is a view of an IP authentication header, which the extension header
// walk steps over like the others. It belongs to IPv4 too (as protocol
// 51 after the IPv4 header), where the same view reads it.
type AH []byte

// NewAH returns b as an AH after checking it holds the 12-byte fixed part.
func NewAH(b []byte) (AH, error) {
	if len(b) < AHMinLen {
		return nil, fmt.Errorf("%w: %d bytes of authentication header, need %d", ErrTruncated, len(b), AHMinLen)
	}
	return AH(b), nil
}

// NextHeader returns the next header field.
func (a AH) NextHeader() ipv4.Protocol { return ipv4.Protocol(a[extNextOff]) }

// PayloadLen returns the payload length field as sent: the header's
// length in 4-byte units, less 2.
func (a AH) PayloadLen() uint8 { return a[extLenOff] }

// Len returns the header's length in bytes as the field says it.
func (a AH) Len() int { return (int(a.PayloadLen()) + 2) * 4 }

// Reserved returns the reserved field.
func (a AH) Reserved() uint16 { return binary.BigEndian.Uint16(a[ahReservedOff:]) }

// SPI returns the security parameters index.
func (a AH) SPI() uint32 { return binary.BigEndian.Uint32(a[ahSPIOff:]) }

// Seq returns the sequence number.
func (a AH) Seq() uint32 { return binary.BigEndian.Uint32(a[ahSeqOff:]) }

// ICV returns the integrity check value, clipped to the slice; tcpdump
// prints its length as "sumlen".
func (a AH) ICV() []byte { return a[ahICVOff:max(ahICVOff, min(a.Len(), len(a)))] }

// ESP is a view of the start of an encapsulating security payload: its
// SPI and sequence number. The rest is opaque without the keys, the next
// header included, so the extension header walk ends at ESP.
type ESP []byte

// NewESP returns b as an ESP after checking it holds the SPI and sequence
// number.
func NewESP(b []byte) (ESP, error) {
	if len(b) < ESPMinLen {
		return nil, fmt.Errorf("%w: %d bytes of ESP, need %d", ErrTruncated, len(b), ESPMinLen)
	}
	return ESP(b), nil
}

// SPI returns the security parameters index.
func (e ESP) SPI() uint32 { return binary.BigEndian.Uint32(e[espSPIOff:]) }

// Seq returns the sequence number.
func (e ESP) Seq() uint32 { return binary.BigEndian.Uint32(e[espSeqOff:]) }

// Data returns what follows the sequence number: the encrypted payload,
// padding, trailer and ICV.
func (e ESP) Data() []byte { return e[ESPMinLen:] }

// Offsets of the IP payload compression header (RFC 3173 2.2), named
// once:
//
//	+---------------+---------------+-------------------------------+
//	|  next header  |     flags     | compression parameter index   |  0
//	+---------------+---------------+-------------------------------+
//
// The compressed payload follows; like ESP's, it cannot be walked without
// the algorithm, so the extension header walk ends at it.
const (
	ipcompFlagsOff = 1
	ipcompCPIOff   = 2

	// IPCompLen is the length of the IPComp header.
	IPCompLen = 4
)

// IPComp is a view of an IP payload compression header, after an IPv4 or
// an IPv6 header.
type IPComp []byte

// NewIPComp returns b as an IPComp after checking it holds the 4 bytes.
func NewIPComp(b []byte) (IPComp, error) {
	if len(b) < IPCompLen {
		return nil, fmt.Errorf("%w: %d bytes of IPComp header, need %d", ErrTruncated, len(b), IPCompLen)
	}
	return IPComp(b), nil
}

// NextHeader returns the next header field: the protocol of the payload
// once decompressed.
func (c IPComp) NextHeader() ipv4.Protocol { return ipv4.Protocol(c[extNextOff]) }

// Flags returns the flags byte, reserved (0).
func (c IPComp) Flags() uint8 { return c[ipcompFlagsOff] }

// CPI returns the compression parameter index, which with the
// destination names the compression algorithm.
func (c IPComp) CPI() uint16 { return binary.BigEndian.Uint16(c[ipcompCPIOff:]) }

// AHFields returns the fields of an authentication header that b starts
// with as far as b holds them, b being cut short, perhaps, of the 12
// bytes NewAH needs: the payload length, the reserved field, the SPI and
// the sequence number. n says how many of the four b holds, in that
// order; those after the n-th are 0. A printer shows what a capture cut
// inside the header has, as tcpdump does.
func AHFields(b []byte) (payloadLen uint8, reserved uint16, spi, seq uint32, n int) {
	if len(b) > extLenOff {
		payloadLen, n = b[extLenOff], 1
	}
	if len(b) >= ahReservedOff+2 {
		reserved, n = binary.BigEndian.Uint16(b[ahReservedOff:]), 2
	}
	if len(b) >= ahSPIOff+4 {
		spi, n = binary.BigEndian.Uint32(b[ahSPIOff:]), 3
	}
	if len(b) >= ahSeqOff+4 {
		seq, n = binary.BigEndian.Uint32(b[ahSeqOff:]), 4
	}
	return payloadLen, reserved, spi, seq, n
}
