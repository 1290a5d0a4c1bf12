// Package ipv6 is the wire format of IPv6 (RFC 8200): addresses, the
// fixed header, the extension header chain with its options, routing,
// fragment, authentication, ESP and mobility headers, and the source's
// fragmentation (Fragment).
//
// Header is a zero-copy view over a byte slice. NewHeader checks only that
// the 40-byte fixed header is there, so that a printer can still read the
// fields of a malformed packet and show it the way tcpdump does; every
// accessor is then in bounds. The stack calls Check (or Validate, which
// says more) before it trusts a packet, and CheckExtensions before it
// processes its extension headers.
//
// The extension header chain is walked with an ExtIter, which yields each
// header with its kind, offset, length and status and stops cleanly at a
// header that runs past the payload or the capture, whatever the chain
// holds; End then says what follows it (the upper layer, a non-first
// fragment's data, or the broken header). Hop-by-hop and destination
// options are walked with an OptionIter shaped like tcp's, which reports
// each option's status and knows the action bits of types it does not
// name; the TLVs of a segment routing header and the options of a
// mobility header with a TLVIter. None of them allocates.
//
// Fields.Encode writes a fixed header into a buffer the caller owns;
// EncodeOptions, EncodeRouting, EncodeSRH and EncodeFragmentHeader write
// extension headers. The checksum of the upper layers over the IPv6
// pseudo-header is checksum.Pseudo6 with FinalDst as the destination.
//
// Addresses print as tcpdump 4.99.3 prints them (Addr.AppendTo), which is
// RFC 5952's compression with tcpdump's dotted forms of IPv4-compatible
// and IPv4-mapped addresses.
//
// Next header values share the IANA registry of IPv4's protocol numbers
// and are ipv4.Protocol values.
package ipv6
