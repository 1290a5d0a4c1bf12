package icmpv6

import "github.com/medina-net/medina/ipv4"

// Offsets of a node information query or reply (RFC 4620 4), named once:
//
//	 0                   1                   2                   3
//	 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//	|     Type      |     Code      |           Checksum            |
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//	|            Qtype              |             Flags             |
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//	+                             Nonce (8)                         +
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//	/                Data: the subject of a query, the answer       /
//
// A node name reply's data is a 32-bit TTL then DNS names; a node
// addresses reply's is a 32-bit TTL and an IPv6 address per address.
const (
	niQtypeOff = 4
	niFlagsOff = 6
	niNonceOff = 8
	niDataOff  = 16
)

// NodeInfoLen is the length of a node information query or reply without
// its data: the header, the Qtype and flags, and the 8-byte nonce.
const NodeInfoLen = niDataOff

// KAMEWhoAreYouLen is the length of a KAME "who-are-you" request, the
// draft that preceded RFC 4620: type 139 with 4 bytes after the header.
const KAMEWhoAreYouLen = HeaderLen + 4

// Qtype is the query type of a node information message.
type Qtype uint16

// Query types (RFC 4620 4, and the drafts before it).
const (
	QtypeNOOP      Qtype = 0 // is the node there
	QtypeSupported Qtype = 1 // supported query types (drafts up to 09)
	QtypeNodeName  Qtype = 2 // the node's DNS name
	QtypeNodeAddrs Qtype = 3 // the node's IPv6 addresses
	QtypeIPv4Addrs Qtype = 4 // the node's IPv4 addresses
)

// NIFlags are the flags of a node addresses or IPv4 addresses query or
// reply (RFC 4620 6.3), and of a supported types reply.
type NIFlags uint16

// Node information flags.
const (
	NITruncated  NIFlags = 0x0001 // T: the reply does not hold every address (also C of supported types)
	NIAll        NIFlags = 0x0002 // A: every unicast address of every interface
	NICompat     NIFlags = 0x0004 // C: IPv4-compatible and IPv4-mapped addresses
	NILinkLocal  NIFlags = 0x0008 // L: link-local addresses
	NISiteLocal  NIFlags = 0x0010 // S: site-local addresses
	NIGlobal     NIFlags = 0x0020 // G: global addresses
	NIAnycast    NIFlags = 0x0040 // anycast addresses, KAME's, not in the RFC
	NITTLPresent NIFlags = 0x0001 // a node name reply's TTL is set (the drafts')
)

// Qtype returns the query type of a node information message (0 when the
// message ends before it).
func (m Message) Qtype() Qtype { return Qtype(m.u16(niQtypeOff)) }

// NIFlags returns the flags of a node information message (0 when the
// message ends before them).
func (m Message) NIFlags() NIFlags { return NIFlags(m.u16(niFlagsOff)) }

// Nonce returns the 8-byte nonce of a node information message; ok is
// false when the message ends before its end.
func (m Message) Nonce() ([]byte, bool) {
	if len(m) < niDataOff {
		return nil, false
	}
	return m[niNonceOff:niDataOff], true
}

// NIData returns what follows the nonce of a node information message:
// the subject of a query, the answer of a reply. It is empty when the
// message ends before.
func (m Message) NIData() []byte {
	if len(m) < niDataOff {
		return nil
	}
	return m[niDataOff:]
}

// NISubjectIPv4 returns the IPv4 address a query's subject is (code
// NIQuerySubjectIPv4); ok is false when the data is not 4 bytes.
func (m Message) NISubjectIPv4() (a ipv4.Addr, ok bool) {
	if d := m.NIData(); len(d) == 4 {
		return ipv4.Addr(d), true
	}
	return a, false
}
