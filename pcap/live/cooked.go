package live

import (
	"encoding/binary"

	"github.com/medina-net/medina/pcap"
)

// The Linux cooked capture headers a cooked capture puts in front of each
// packet, built from the socket address the kernel gives with it. Layouts
// from https://www.tcpdump.org/linktypes/LINKTYPE_LINUX_SLL.html and
// LINKTYPE_LINUX_SLL2.html, offsets named once.
const (
	sllHdrLen      = 16
	sllPktTypeOff  = 0 // 2 bytes
	sllHaTypeOff   = 2 // 2 bytes
	sllHaLenOff    = 4 // 2 bytes
	sllAddrOff     = 6 // 8 bytes
	sllProtocolOff = 14

	sll2HdrLen      = 20
	sll2ProtocolOff = 0 // 2 bytes
	sll2ReservedOff = 2 // 2 bytes, zero
	sll2IfIndexOff  = 4 // 4 bytes
	sll2HaTypeOff   = 8 // 2 bytes
	sll2PktTypeOff  = 10
	sll2HaLenOff    = 11
	sll2AddrOff     = 12 // 8 bytes

	sllAddrLen = 8
)

// linkAddr is the part of a struct sockaddr_ll a cooked header repeats.
type linkAddr struct {
	protocol [2]byte // network byte order, as the kernel stores it
	ifindex  int32
	hatype   uint16
	pktType  uint8
	halen    uint8
	addr     [sllAddrLen]byte
}

// cookedHeaderLen is the length of the cooked header of link type lt, 0
// for a link type without one.
func cookedHeaderLen(lt pcap.LinkType) int {
	switch lt {
	case pcap.LinkTypeLinuxSLL2:
		return sll2HdrLen
	case pcap.LinkTypeLinuxSLL:
		return sllHdrLen
	}
	return 0
}

// putSLL writes a LINUX_SLL header for a into b, which holds sllHdrLen
// bytes.
func putSLL(b []byte, a *linkAddr) {
	be := binary.BigEndian
	be.PutUint16(b[sllPktTypeOff:], uint16(a.pktType))
	be.PutUint16(b[sllHaTypeOff:], a.hatype)
	be.PutUint16(b[sllHaLenOff:], uint16(a.halen))
	copy(b[sllAddrOff:sllAddrOff+sllAddrLen], a.addr[:])
	copy(b[sllProtocolOff:sllProtocolOff+2], a.protocol[:])
}

// putSLL2 writes a LINUX_SLL2 header for a into b, which holds sll2HdrLen
// bytes.
func putSLL2(b []byte, a *linkAddr) {
	be := binary.BigEndian
	copy(b[sll2ProtocolOff:sll2ProtocolOff+2], a.protocol[:])
	be.PutUint16(b[sll2ReservedOff:], 0)
	be.PutUint32(b[sll2IfIndexOff:], uint32(a.ifindex))
	be.PutUint16(b[sll2HaTypeOff:], a.hatype)
	b[sll2PktTypeOff] = a.pktType
	b[sll2HaLenOff] = a.halen
	copy(b[sll2AddrOff:sll2AddrOff+sllAddrLen], a.addr[:])
}

// Packet types of struct sockaddr_ll (linux/if_packet.h).
const (
	packetHost      = 0
	packetBroadcast = 1
	packetMulticast = 2
	packetOtherHost = 3
	packetOutgoing  = 4
)

// epbFlags turns a packet type into pcapng's epb_flags: the direction in
// bits 0-1 and, for a received packet, how it was addressed in bits 2-4
// (unicast 1, multicast 2, broadcast 3, promiscuous 4).
func epbFlags(pktType uint8) uint32 {
	switch pktType {
	case packetOutgoing:
		return uint32(pcap.DirectionOutbound)
	case packetHost:
		return uint32(pcap.DirectionInbound) | 1<<2
	case packetMulticast:
		return uint32(pcap.DirectionInbound) | 2<<2
	case packetBroadcast:
		return uint32(pcap.DirectionInbound) | 3<<2
	case packetOtherHost:
		return uint32(pcap.DirectionInbound) | 4<<2
	}
	return uint32(pcap.DirectionInbound)
}

// vlanOffset is where a VLAN tag the kernel took off goes back into a
// frame of link type lt (before the type field), or -1 when it cannot be
// put back: libpcap's set_vlan_offset, which leaves LINUX_SLL2 out.
func vlanOffset(lt pcap.LinkType) int {
	switch lt {
	case pcap.LinkTypeEthernet:
		return 12
	case pcap.LinkTypeLinuxSLL:
		return sllHdrLen - 2
	}
	return -1
}

// vlanTagLen is the length of an 802.1Q tag.
const vlanTagLen = 4
