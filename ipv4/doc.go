// Package ipv4 is the wire format of IPv4 (RFC 791): addresses, the header
// with its options, protocol numbers, and a builder for outgoing headers.
// Beside it are the engines the stack uses: fragmentation (Fragment) and
// reassembly (Reassembler, which discards a datagram with overlapping
// fragments, RFC 5722's rule applied to IPv4, and bounds its memory).
//
// Header is a zero-copy view over a byte slice. NewHeader checks only that
// the 20-byte fixed header is there, so that a printer can still read the
// fields of a datagram whose header length, total length or checksum is
// wrong and show it the way tcpdump does; every accessor is then in bounds.
// The stack calls Validate (or the allocation-free Check) before it trusts a
// datagram. Options are walked with an OptionIter that reports a malformed
// option as an error and never reads out of bounds.
//
// Fields.Encode writes a header into a buffer the caller owns. The Set
// methods change one field in place and leave the checksum alone; the few
// rewrites a router or NAT does on a forwarding path (DecTTL, RewriteSrc,
// RewriteDst, RewriteTOS) fix the checksum incrementally (RFC 1624).
package ipv4
