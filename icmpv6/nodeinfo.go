package icmpv6

// NodeInfoLen is the length of a node information query or reply without
// its data: the header, the Qtype and flags in bytes 4 to 7, and the
// 8-byte nonce (RFC 4620 4).
const NodeInfoLen = 16
