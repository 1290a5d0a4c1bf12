package arp

import (
	"encoding/binary"
	"errors"
	"fmt"
	"strconv"

	"github.com/medina-net/medina/ethernet"
)

// Field offsets of the ARP packet, named once.
const (
	hrdOff   = 0 // hardware type
	proOff   = 2 // protocol type
	hlnOff   = 4 // hardware address length
	plnOff   = 5 // protocol address length
	opOff    = 6
	addrsOff = 8 // sender hardware and protocol, target hardware and protocol

	// HeaderLen is the length of the fixed part, before the addresses.
	HeaderLen = 8
	// EthernetIPv4Len is the length of an ARP packet for IPv4 over
	// Ethernet: 6-byte hardware and 4-byte protocol addresses.
	EthernetIPv4Len = HeaderLen + 2*6 + 2*4
)

// HardwareType is the hardware address space (ar$hrd), from IANA's ARP
// hardware types.
type HardwareType uint16

// Hardware types that tcpdump names.
const (
	HardwareEthernet   HardwareType = 1  // Ethernet (10Mb)
	HardwareIEEE802    HardwareType = 6  // IEEE 802 networks: Token Ring, and some Ethernet hosts
	HardwareARCNET     HardwareType = 7  // ARCNET
	HardwareFrameRelay HardwareType = 15 // Frame Relay
	HardwareATM        HardwareType = 19 // ATM (RFC 2225): see ATMPacket
	HardwareStrip      HardwareType = 23 // Metricom STRIP
	HardwareIEEE1394   HardwareType = 24 // IEEE 1394 (FireWire)
	HardwareInfiniBand HardwareType = 32 // InfiniBand (RFC 4391)
)

var hardwareNames = map[HardwareType]string{
	HardwareEthernet:   "Ethernet",
	HardwareIEEE802:    "TokenRing",
	HardwareARCNET:     "ArcNet",
	HardwareFrameRelay: "FrameRelay",
	HardwareATM:        "ATM",
	HardwareStrip:      "Strip",
	HardwareIEEE1394:   "IEEE 1394",
	HardwareInfiniBand: "InfiniBand",
}

// String returns the name tcpdump prints for the hardware type, or
// "Unknown Hardware (N)".
func (t HardwareType) String() string {
	if s, ok := hardwareNames[t]; ok {
		return s
	}
	return "Unknown Hardware (" + strconv.Itoa(int(t)) + ")"
}

// Operation is the opcode (ar$op).
type Operation uint16

// Operations.
const (
	OpRequest      Operation = 1  // ARP request (RFC 826)
	OpReply        Operation = 2  // ARP reply (RFC 826)
	OpRARPRequest  Operation = 3  // reverse request (RFC 903)
	OpRARPReply    Operation = 4  // reverse reply (RFC 903)
	OpInARPRequest Operation = 8  // inverse request (RFC 2390)
	OpInARPReply   Operation = 9  // inverse reply (RFC 2390)
	OpNAK          Operation = 10 // negative reply, ATM ARP only (RFC 2225)
)

var opNames = map[Operation]string{
	OpRequest:      "Request",
	OpReply:        "Reply",
	OpRARPRequest:  "Reverse Request",
	OpRARPReply:    "Reverse Reply",
	OpInARPRequest: "Inverse Request",
	OpInARPReply:   "Inverse Reply",
	OpNAK:          "NACK Reply",
}

// String returns the name tcpdump prints for the operation, or
// "Unknown (N)".
func (op Operation) String() string {
	if s, ok := opNames[op]; ok {
		return s
	}
	return "Unknown (" + strconv.Itoa(int(op)) + ")"
}

// ErrTruncated is wrapped by every error about a buffer too short for what
// it should hold: the fixed part, or the addresses it announces.
var ErrTruncated = errors.New("arp: truncated")

// The errors of NewPacket and Validate are made once: they are returned for
// every rejected packet, and a rejected packet must not cost an allocation.
var (
	errShortHeader = fmt.Errorf("%w: fewer than %d bytes for the fixed part", ErrTruncated, HeaderLen)
	errShortAddrs  = fmt.Errorf("%w: addresses cut short", ErrTruncated)
)

// Packet is a view of an ARP packet at the start of a byte slice.
type Packet []byte

// NewPacket returns b as a Packet after checking it holds the 8-byte fixed
// part. The addresses may be missing or cut short; HasAddrs says whether
// they are all there, and the stack calls Validate.
func NewPacket(b []byte) (Packet, error) {
	if len(b) < HeaderLen {
		return nil, errShortHeader
	}
	return Packet(b), nil
}

// HardwareType returns the hardware type.
func (p Packet) HardwareType() HardwareType { return HardwareType(binary.BigEndian.Uint16(p[hrdOff:])) }

// Protocol returns the protocol type, an EtherType (0x0800 for IPv4).
func (p Packet) Protocol() ethernet.Type { return ethernet.Type(binary.BigEndian.Uint16(p[proOff:])) }

// HardwareLen returns the length of each hardware address.
func (p Packet) HardwareLen() int { return int(p[hlnOff]) }

// ProtocolLen returns the length of each protocol address.
func (p Packet) ProtocolLen() int { return int(p[plnOff]) }

// Op returns the operation.
func (p Packet) Op() Operation { return Operation(binary.BigEndian.Uint16(p[opOff:])) }

// AddrsLen returns the length of the four addresses together, as the
// address lengths announce it.
func (p Packet) AddrsLen() int { return 2 * (p.HardwareLen() + p.ProtocolLen()) }

// Len returns the length of the packet as the address lengths announce it:
// the fixed part and the four addresses. Bytes after it in p are
// link-layer padding.
func (p Packet) Len() int { return HeaderLen + p.AddrsLen() }

// HasAddrs reports whether p holds all four addresses.
func (p Packet) HasAddrs() bool { return len(p) >= p.Len() }

// Validate reports whether p holds all four addresses; the error wraps
// ErrTruncated. What the stack accepts beyond that (Ethernet and IPv4, say)
// is the resolver's business.
func (p Packet) Validate() error {
	if !p.HasAddrs() {
		return errShortAddrs
	}
	return nil
}

// field returns the n bytes at off, clipped to what p holds.
func (p Packet) field(off, n int) []byte {
	if off >= len(p) {
		return p[len(p):]
	}
	return p[off:min(off+n, len(p))]
}

// The address accessors return slices of p (so writing to them changes
// the packet), clipped to what p holds: one shorter than HardwareLen or
// ProtocolLen, or empty, means the packet was cut short there.

// SenderHardware returns the sender's hardware address.
func (p Packet) SenderHardware() []byte { return p.field(addrsOff, p.HardwareLen()) }

// SenderProtocol returns the sender's protocol address.
func (p Packet) SenderProtocol() []byte {
	return p.field(addrsOff+p.HardwareLen(), p.ProtocolLen())
}

// TargetHardware returns the target's hardware address.
func (p Packet) TargetHardware() []byte {
	return p.field(addrsOff+p.HardwareLen()+p.ProtocolLen(), p.HardwareLen())
}

// TargetProtocol returns the target's protocol address.
func (p Packet) TargetProtocol() []byte {
	return p.field(addrsOff+2*p.HardwareLen()+p.ProtocolLen(), p.ProtocolLen())
}

// Offsets of the addresses in the Ethernet/IPv4 layout.
const (
	shaOff = addrsOff
	spaOff = shaOff + 6
	thaOff = spaOff + 4
	tpaOff = thaOff + 6
)

// hasEthernetIPv4Layout reports whether the addresses are laid out as for
// Ethernet and IPv4, 6 and 4 bytes, and are all there.
func (p Packet) hasEthernetIPv4Layout() bool {
	return p[hlnOff] == 6 && p[plnOff] == 4 && len(p) >= EthernetIPv4Len
}

// IsEthernetIPv4 reports whether p resolves IPv4 addresses to Ethernet
// addresses and holds them all: the packet the stack handles. It accepts
// the IEEE 802 hardware type beside Ethernet's, as Linux does, because some
// hosts on Ethernet send it (RFC 1042 uses it for 802 networks).
func (p Packet) IsEthernetIPv4() bool {
	hrd := p.HardwareType()
	return (hrd == HardwareEthernet || hrd == HardwareIEEE802) &&
		p.Protocol() == ethernet.TypeIPv4 && p.hasEthernetIPv4Layout()
}

// The Ethernet/IPv4 accessors read the 6-byte hardware and 4-byte protocol
// address layout. They return zero values unless HardwareLen is 6,
// ProtocolLen is 4 and the addresses are all there; IsEthernetIPv4 also
// checks the types.

// SenderMAC returns the sender's Ethernet address.
func (p Packet) SenderMAC() (a ethernet.Addr) {
	if p.hasEthernetIPv4Layout() {
		copy(a[:], p[shaOff:])
	}
	return a
}

// SenderIP returns the sender's IPv4 address.
func (p Packet) SenderIP() (a [4]byte) {
	if p.hasEthernetIPv4Layout() {
		copy(a[:], p[spaOff:])
	}
	return a
}

// TargetMAC returns the target's Ethernet address.
func (p Packet) TargetMAC() (a ethernet.Addr) {
	if p.hasEthernetIPv4Layout() {
		copy(a[:], p[thaOff:])
	}
	return a
}

// TargetIP returns the target's IPv4 address.
func (p Packet) TargetIP() (a [4]byte) {
	if p.hasEthernetIPv4Layout() {
		copy(a[:], p[tpaOff:])
	}
	return a
}

// SetHardwareType sets the hardware type.
func (p Packet) SetHardwareType(t HardwareType) { binary.BigEndian.PutUint16(p[hrdOff:], uint16(t)) }

// SetProtocol sets the protocol type.
func (p Packet) SetProtocol(t ethernet.Type) { binary.BigEndian.PutUint16(p[proOff:], uint16(t)) }

// SetOp sets the operation, as when turning a request into its reply.
func (p Packet) SetOp(op Operation) { binary.BigEndian.PutUint16(p[opOff:], uint16(op)) }

// The address setters copy into the address fields as the lengths lay them
// out, as much as fits, like copy.

// SetSenderMAC sets the sender's hardware address.
func (p Packet) SetSenderMAC(a ethernet.Addr) { copy(p.SenderHardware(), a[:]) }

// SetSenderIP sets the sender's protocol address.
func (p Packet) SetSenderIP(a [4]byte) { copy(p.SenderProtocol(), a[:]) }

// SetTargetMAC sets the target's hardware address.
func (p Packet) SetTargetMAC(a ethernet.Addr) { copy(p.TargetHardware(), a[:]) }

// SetTargetIP sets the target's protocol address.
func (p Packet) SetTargetIP(a [4]byte) { copy(p.TargetProtocol(), a[:]) }

// Encode writes an ARP packet for IPv4 over Ethernet into b and returns it:
// the first EthernetIPv4Len bytes of b. A request asks who has tpa, with
// tha zero (or, for a gratuitous request, tpa the sender's own address); a
// reply tells that spa is at sha. The error wraps ErrTruncated.
func Encode(b []byte, op Operation, sha ethernet.Addr, spa [4]byte, tha ethernet.Addr, tpa [4]byte) (Packet, error) {
	if len(b) < EthernetIPv4Len {
		return nil, fmt.Errorf("%w: buffer of %d bytes, packet needs %d", ErrTruncated, len(b), EthernetIPv4Len)
	}
	p := Packet(b[:EthernetIPv4Len])
	p.SetHardwareType(HardwareEthernet)
	p.SetProtocol(ethernet.TypeIPv4)
	p[hlnOff], p[plnOff] = 6, 4
	p.SetOp(op)
	copy(p[shaOff:], sha[:])
	copy(p[spaOff:], spa[:])
	copy(p[thaOff:], tha[:])
	copy(p[tpaOff:], tpa[:])
	return p, nil
}
