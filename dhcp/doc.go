// Package dhcp is a DHCPv4 client (RFC 2131) and the wire format of its
// messages: the BOOTP message with DHCP's magic cookie and options (RFC
// 2132), among them the domain search list (RFC 3397) and classless
// static routes (RFC 3442).
//
// Message is a zero-copy view over a byte slice. NewMessage checks only
// that the fixed part and the cookie's place are there, so that every
// accessor is in bounds; Check (allocation-free) and Validate (with
// detail) make the checks a client makes before it trusts a message.
// Options are walked with an OptionIter that follows Option Overload into
// the file and sname fields, reports each option's status, and never
// reads out of bounds. Fields.Encode and the Append functions build
// messages in a buffer the caller owns.
//
// Client is the client's state machine, in the shape of package ndp's:
// no goroutine and no clock of its own. The embedder (package stack)
// calls Start, Input with each message for port 68, ARPInput with each
// ARP packet while an offered address is being probed, and Tick when
// the deadline they return is due; the Client sends through
// Config.Send and reports changes of its lease through Config.Event.
package dhcp
