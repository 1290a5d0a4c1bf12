package arp

import (
	"encoding/binary"
	"fmt"

	"github.com/medina-net/medina/ethernet"
)

// Field offsets of the ATM ARP packet (RFC 2225 section 8.7), named once.
// Its fixed part is longer than ARP's, and each address has a length of
// its own: the ATM number and subaddress of each side carry a type and
// length byte, and the protocol addresses a length byte.
const (
	atmHrdOff  = 0
	atmProOff  = 2
	atmSHTLOff = 4 // sender ATM number type and length
	atmSSTLOff = 5 // sender ATM subaddress type and length
	atmOpOff   = 6
	atmSPLNOff = 8  // sender protocol address length
	atmTHTLOff = 9  // target ATM number type and length
	atmTSTLOff = 10 // target ATM subaddress type and length
	atmTPLNOff = 11 // target protocol address length
	atmAddrOff = 12

	// ATMHeaderLen is the length of the fixed part of an ATM ARP packet.
	ATMHeaderLen = 12
)

// TypeLen is the type and length byte of an ATM number or subaddress.
type TypeLen uint8

// Len returns the length of the number or subaddress in bytes.
func (tl TypeLen) Len() int { return int(tl & 0x3f) }

// E164 reports whether the number is in E.164 format rather than ATM Forum
// NSAP format.
func (tl TypeLen) E164() bool { return tl&0x40 != 0 }

// errShortATMHeader is made once, as Packet's errors are: a printer meets
// it for every ATM ARP packet cut short, which must not allocate.
var errShortATMHeader = fmt.Errorf("%w: ATM ARP packet shorter than its %d-byte fixed part", ErrTruncated, ATMHeaderLen)

// ATMPacket is a view of an ATM ARP packet (hardware type 19, RFC 2225).
// It shares ARP's hardware type, protocol type and operation fields, but
// lays out its addresses differently, so a Packet cannot read it. The
// address accessors are clipped like Packet's.
type ATMPacket []byte

// NewATMPacket returns b as an ATMPacket after checking it holds the
// 12-byte fixed part.
func NewATMPacket(b []byte) (ATMPacket, error) {
	if len(b) < ATMHeaderLen {
		return nil, errShortATMHeader
	}
	return ATMPacket(b), nil
}

// HardwareType returns the hardware type (HardwareATM).
func (p ATMPacket) HardwareType() HardwareType {
	return HardwareType(binary.BigEndian.Uint16(p[atmHrdOff:]))
}

// Protocol returns the protocol type.
func (p ATMPacket) Protocol() ethernet.Type {
	return ethernet.Type(binary.BigEndian.Uint16(p[atmProOff:]))
}

// Op returns the operation.
func (p ATMPacket) Op() Operation { return Operation(binary.BigEndian.Uint16(p[atmOpOff:])) }

// SenderNumberTL returns the type and length of the sender's ATM number.
func (p ATMPacket) SenderNumberTL() TypeLen { return TypeLen(p[atmSHTLOff]) }

// SenderSubaddrTL returns the type and length of the sender's subaddress.
func (p ATMPacket) SenderSubaddrTL() TypeLen { return TypeLen(p[atmSSTLOff]) }

// SenderProtocolLen returns the length of the sender's protocol address.
func (p ATMPacket) SenderProtocolLen() int { return int(p[atmSPLNOff]) }

// TargetNumberTL returns the type and length of the target's ATM number.
func (p ATMPacket) TargetNumberTL() TypeLen { return TypeLen(p[atmTHTLOff]) }

// TargetSubaddrTL returns the type and length of the target's subaddress.
func (p ATMPacket) TargetSubaddrTL() TypeLen { return TypeLen(p[atmTSTLOff]) }

// TargetProtocolLen returns the length of the target's protocol address.
func (p ATMPacket) TargetProtocolLen() int { return int(p[atmTPLNOff]) }

// offsets returns where each of the six addresses starts, in order: sender
// number, subaddress and protocol address, then the target's.
func (p ATMPacket) offsets() (off [7]int) {
	lens := [6]int{
		p.SenderNumberTL().Len(), p.SenderSubaddrTL().Len(), p.SenderProtocolLen(),
		p.TargetNumberTL().Len(), p.TargetSubaddrTL().Len(), p.TargetProtocolLen(),
	}
	off[0] = atmAddrOff
	for i, n := range lens {
		off[i+1] = off[i] + n
	}
	return off
}

// addr returns address i of the six, clipped to what p holds.
func (p ATMPacket) addr(i int) []byte {
	off := p.offsets()
	start, end := min(off[i], len(p)), min(off[i+1], len(p))
	return p[start:end]
}

// AddrsLen returns the length of the six addresses together.
func (p ATMPacket) AddrsLen() int { return p.offsets()[6] - atmAddrOff }

// Len returns the length of the packet as its lengths announce it.
func (p ATMPacket) Len() int { return ATMHeaderLen + p.AddrsLen() }

// HasAddrs reports whether p holds all six addresses.
func (p ATMPacket) HasAddrs() bool { return len(p) >= p.Len() }

// SenderNumber returns the sender's ATM number.
func (p ATMPacket) SenderNumber() []byte { return p.addr(0) }

// SenderSubaddr returns the sender's ATM subaddress.
func (p ATMPacket) SenderSubaddr() []byte { return p.addr(1) }

// SenderProtocol returns the sender's protocol address.
func (p ATMPacket) SenderProtocol() []byte { return p.addr(2) }

// TargetNumber returns the target's ATM number.
func (p ATMPacket) TargetNumber() []byte { return p.addr(3) }

// TargetSubaddr returns the target's ATM subaddress.
func (p ATMPacket) TargetSubaddr() []byte { return p.addr(4) }

// TargetProtocol returns the target's protocol address.
func (p ATMPacket) TargetProtocol() []byte { return p.addr(5) }
