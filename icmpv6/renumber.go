package icmpv6

// RenumberHeaderLen is the length of a router renumbering message's header
// (RFC 2894 3.1).
const RenumberHeaderLen = 16
