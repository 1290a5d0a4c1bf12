// Package udp is the wire format of UDP datagrams (RFC 768): the 8-byte
// header, the checksum over the IPv4 pseudo-header, and a builder that
// writes a header into a buffer the caller owns. The stack's UDP
// demultiplexer will live beside it, in this package, and parse with the
// same view.
//
// Like every wire-format package in medina, it gives a zero-copy view over a
// byte slice: NewHeader checks the length once, and the accessors then read
// fields in place without further checks or allocation. The stack calls
// Validate, which checks the length field and the checksum; netdump reads
// the fields of a datagram whatever they say, the way tcpdump shows them.
package udp
