// Package icmp is the wire format of ICMP for IPv4 (RFC 792 and the RFCs
// that extend it: 950, 1191, 1256, 1812, 4884, 4950, 8335).
//
// Message is a zero-copy view over a byte slice. NewMessage checks only the
// 4 bytes of type, code and checksum that every message has, because a
// printer must still show a message cut shorter than the 8-byte header the
// way tcpdump does ("ICMP type-#49, length 3 [|icmp]"). The accessors of the
// rest of the header read 0 from a message shorter than 8 bytes (HasRest
// tells), and those of the body return ok false when it is too short, so no
// accessor can panic. The stack calls Validate (or the allocation-free
// Check) before it trusts a message.
//
// Error messages (destination unreachable, source quench, redirect, time
// exceeded, parameter problem) quote the datagram that caused them; Quoted
// returns those bytes and the caller parses them with ipv4.NewHeader. The
// RFC 4884 extension structure that follows the quote (MPLS label stacks,
// interface information) and the one RFC 8335 extended echo requests carry
// are read with Extension and an ObjectIter.
//
// The Encode functions write messages into a buffer the caller owns, with
// a correct checksum.
package icmp
