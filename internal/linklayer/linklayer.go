// Package linklayer takes the link-layer header off captured frames of
// the link types captures commonly use, for internal/decap and the corpus
// tests of the wire packages. It imports no wire package above ethernet,
// so that those packages' tests can use it.
//
// It allocates nothing and copies nothing: the results alias the frame.
package linklayer

import (
	"encoding/binary"

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
