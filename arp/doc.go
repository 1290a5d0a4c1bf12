// Package arp is the wire format of the Address Resolution Protocol (RFC
// 826) and its relatives that share the packet: Reverse ARP (RFC 903),
// Inverse ARP (RFC 2390) and, with a layout of its own, ATM ARP (RFC 2225).
// Beside it lives the stack's neighbour cache (Cache): ARP's binding to the
// neighbour table IPv6's Neighbor Discovery shares (package neigh), RFC
// 4861's neighbour unreachability detection, which takes the time as an
// argument, never starts a timer, and refuses what it did not ask for, so
// unsolicited replies cannot poison it; a new address claimed for a
// neighbour whose address is known takes effect only if the old address
// fails a probe, so a forged request cannot redirect its traffic either.
//
// A Packet reads ARP over any hardware and protocol type: the 8-byte fixed
// part says how long the hardware and protocol addresses are, and the four
// addresses follow. NewPacket checks the fixed part only, so that a printer
// can show a packet whose addresses were cut short (tcpdump prints "[|arp]"
// for it); HasAddrs, or Validate for the stack, says whether they are all
// there. The common case, Ethernet and IPv4, has accessors that return
// fixed-size arrays and a builder.
package arp
