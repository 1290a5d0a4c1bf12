// Package tcp is the wire format of TCP segments (RFC 9293): the fixed
// header, the option list with every option tcpdump names (including the
// Multipath TCP options of RFC 8684 and RFC 6824), the checksum over the
// IPv4 pseudo-header, and builders that write headers and options into a
// buffer the caller owns. The TCP engine will live beside it, in this
// package, and parse with the same view.
//
// Like every wire-format package in medina, it gives a zero-copy view over a
// byte slice: NewHeader checks the length once, and the accessors then read
// fields in place without further checks or allocation.
//
// The view serves two readers with different needs. The stack must drop
// anything malformed, so it calls [Header.Validate] and checks the status of
// each option it uses. netdump must show malformed segments the way tcpdump
// does, so NewHeader asks only for the 20-byte fixed header, the accessors
// keep working when the data offset is wrong, and the option iterator
// reports a bad option (its kind, offset, declared length and whatever bytes
// are there) instead of giving up on the segment.
package tcp
