// Package ethernet is the wire format of Ethernet frames: Ethernet II and
// IEEE 802.3 length frames, 802.1Q VLAN tags (stacked as QinQ with 802.1ad
// service tags), and the 802.2 LLC and SNAP headers that 802.3 frames carry.
//
// Like every wire-format package in medina, it gives a zero-copy view over a
// byte slice: a constructor checks the length once, and the accessors then
// read fields in place without further checks or allocation. Builders write
// headers into a buffer the caller owns. The stack and netdump share these
// views, so what netdump shows is what the stack parses.
package ethernet
