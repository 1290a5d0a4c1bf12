// Package icmpv6 is the wire format of ICMP for IPv6 (RFC 4443) and of the
// protocols carried in it: neighbor discovery (RFC 4861 and the options of
// RFCs 4191, 6275, 7217, 8106, 8781, 3971), multicast listener discovery
// (RFCs 2710 and 3810), node information queries (RFC 4620), router
// renumbering (RFC 2894), RPL's control messages (RFC 6550), mobile IPv6's
// home agent and prefix discovery (RFC 6275), and the RFC 4884 extensions
// of error messages.
//
// Message is a zero-copy view over a byte slice. NewMessage checks only the
// 4 bytes of type, code and checksum that every message has, because a
// printer must still show a message cut short the way tcpdump does; the
// accessors of the rest of the header read 0 from a message that ends
// before them, and those of a type's body return ok false when it is too
// short, so no accessor can panic. The stack calls Validate (or the
// allocation-free Check) before it trusts a message: the checksum covers the
// IPv6 pseudo-header, so both take the source and destination addresses.
//
// Neighbor discovery options are walked with an OptionIter, which yields
// each option with its status and never allocates; the typed accessors of
// Option (LinkAddr, Prefix, MTU, RDNSS, ...) read one kind each. The
// Encode and Append functions write what a host sends into a buffer the
// caller owns, with a correct checksum.
package icmpv6
