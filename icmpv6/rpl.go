package icmpv6

import (
	"encoding/binary"
	"strconv"

	"github.com/medina-net/medina/ipv6"
)

// Offsets of RPL's control messages (RFC 6550 6), from byte 4 of the
// ICMPv6 message where their base starts, named once.
//
// DODAG information object (6.3.1):
//
//	 0                   1                   2                   3
//	 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//	| RPLInstanceID |Version Number |             Rank              |
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//	|G|0| MOP | Prf |     DTSN      |     Flags     |   Reserved    |
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//	+                            DODAGID (16)                       +
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//	|   Option(s)...
//
// Destination advertisement object (6.4.1) and its acknowledgment
// (6.5.1), the DODAGID there when the D flag is set:
//
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//	| RPLInstanceID |K|D|   Flags   |   Reserved    | DAOSequence   |  (DAO)
//	| RPLInstanceID |D|  Reserved   |  DAOSequence  |    Status     |  (DAO-ACK)
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//	+                       DODAGID (16, optional)                  +
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//	|   Option(s)...
//
// The options have the shape of IPv6's: a type, a length that counts
// the data only, and Pad1 a lone 0 byte.
const (
	rplBaseOff = 4

	dioInstanceOff = 0
	dioVersionOff  = 1
	dioRankOff     = 2
	dioMOPPrfOff   = 4
	dioDTSNOff     = 5
	dioFlagsOff    = 6
	dioDODAGIDOff  = 8

	daoInstanceOff = 0
	daoFlagsOff    = 1
	daoSeqOff      = 3
	daoAckSeqOff   = 2
	daoAckStatOff  = 3
	daoDODAGIDOff  = 4
)

// RPL sizes, from the base of the message.
const (
	// DIOLen is the length of a DIO's base.
	DIOLen = dioDODAGIDOff + ipv6.AddrLen
	// DAOMinLen is the length of a DAO's or DAO-ACK's base without the
	// DODAGID.
	DAOMinLen = daoDODAGIDOff
)

// RPLOptionType is the type of an RPL control message option (RFC 6550
// 6.7).
type RPLOptionType uint8

// RPL option types.
const (
	RPLOptPad1          RPLOptionType = 0
	RPLOptPadN          RPLOptionType = 1
	RPLOptDAGMetric     RPLOptionType = 2 // DAG metric container
	RPLOptRouteInfo     RPLOptionType = 3 // routing information
	RPLOptDODAGConfig   RPLOptionType = 4 // DODAG configuration
	RPLOptTarget        RPLOptionType = 5 // RPL target
	RPLOptTransitInfo   RPLOptionType = 6 // transit information
	RPLOptSolicitedInfo RPLOptionType = 7 // solicited information
	RPLOptPrefixInfo    RPLOptionType = 8 // prefix information
	RPLOptTargetDesc    RPLOptionType = 9 // RPL target descriptor
)

// rplOptNames are tcpdump 4.99.3's names (its rpl_subopt_values; it has
// none for 7).
var rplOptNames = [...]string{"pad1", "padN", "metrics", "routinginfo", "config", "rpltarget", "transitinfo", "", "destprefix", "rpltargetdesc"}

// String returns tcpdump's name of the type, or "subopt:N" as tcpdump
// prints one it does not know.
func (t RPLOptionType) String() string {
	if int(t) < len(rplOptNames) && rplOptNames[t] != "" {
		return rplOptNames[t]
	}
	return "subopt:" + strconv.Itoa(int(t))
}

// RPLBase returns an RPL control message's base and options: the bytes
// from 4 on (the control messages have no other use for bytes 4 to 7). It
// is empty when the message ends before.
func (m Message) RPLBase() []byte {
	if len(m) < rplBaseOff {
		return nil
	}
	return m[rplBaseOff:]
}

// RPLSecured reports whether an RPL control message is one of the secure
// variants, whose base a security section precedes.
func (m Message) RPLSecured() bool { return m.Code()&RPLSecure != 0 }

// MOP is the mode of operation of an RPL DODAG (RFC 6550 6.3.1).
type MOP uint8

// Modes of operation.
const (
	MOPNoDownward         MOP = 0 // tcpdump: "nonstoring" (its older name)
	MOPNonStoring         MOP = 1 // tcpdump: "storing" (its older name)
	MOPStoringNoMulticast MOP = 2 // tcpdump: "nonstoring-multicast"
	MOPStoringMulticast   MOP = 3 // tcpdump: "storing-multicast"
)

// DIO is the base of a DODAG information object, from its instance ID on,
// with its options.
type DIO []byte

// NewDIO returns the base of an RPL message as a DIO after checking it
// holds the 24 bytes before the options.
func NewDIO(b []byte) (DIO, bool) {
	if len(b) < DIOLen {
		return nil, false
	}
	return DIO(b), true
}

// Instance returns the RPL instance ID.
func (d DIO) Instance() uint8 { return d[dioInstanceOff] }

// Version returns the DODAG version number.
func (d DIO) Version() uint8 { return d[dioVersionOff] }

// Rank returns the sender's rank.
func (d DIO) Rank() uint16 { return binary.BigEndian.Uint16(d[dioRankOff:]) }

// Grounded reports the G flag: the DODAG reaches a goal.
func (d DIO) Grounded() bool { return d[dioMOPPrfOff]&0x80 != 0 }

// MOP returns the mode of operation.
func (d DIO) MOP() MOP { return MOP(d[dioMOPPrfOff]>>3) & 7 }

// Prf returns the DODAG preference, 0 (least) to 7.
func (d DIO) Prf() uint8 { return d[dioMOPPrfOff] & 7 }

// DTSN returns the destination advertisement trigger sequence number.
func (d DIO) DTSN() uint8 { return d[dioDTSNOff] }

// Flags returns the flags byte, none of which RFC 6550 defines.
func (d DIO) Flags() uint8 { return d[dioFlagsOff] }

// DODAGID returns the DODAG's ID.
func (d DIO) DODAGID() ipv6.Addr { return ipv6.Addr(d[dioDODAGIDOff : dioDODAGIDOff+ipv6.AddrLen]) }

// Options returns the DIO's options.
func (d DIO) Options() []byte { return d[DIOLen:] }

// DAO is the base of a destination advertisement object or of its
// acknowledgment, from the instance ID on, with its options.
type DAO []byte

// NewDAO returns the base of an RPL message as a DAO or DAO-ACK after
// checking it holds the 4 bytes before the optional DODAGID.
func NewDAO(b []byte) (DAO, bool) {
	if len(b) < DAOMinLen {
		return nil, false
	}
	return DAO(b), true
}

// Instance returns the RPL instance ID.
func (d DAO) Instance() uint8 { return d[daoInstanceOff] }

// Flags returns the flags byte: K (0x80) and D (0x40) of a DAO, D (0x80)
// of a DAO-ACK.
func (d DAO) Flags() uint8 { return d[daoFlagsOff] }

// AckRequested reports the K flag of a DAO: acknowledge it.
func (d DAO) AckRequested() bool { return d.Flags()&0x80 != 0 }

// HasDODAGID reports the D flag of a DAO (ack is false) or a DAO-ACK (ack
// is true): the DODAGID follows, as the flag sits in another bit of each.
func (d DAO) HasDODAGID(ack bool) bool {
	if ack {
		return d.Flags()&0x80 != 0
	}
	return d.Flags()&0x40 != 0
}

// Seq returns a DAO's sequence number (ack false) or a DAO-ACK's (ack
// true).
func (d DAO) Seq(ack bool) uint8 {
	if ack {
		return d[daoAckSeqOff]
	}
	return d[daoSeqOff]
}

// Status returns a DAO-ACK's status: 0 unqualified acceptance, up to 127
// accepted, 128 and above rejected.
func (d DAO) Status() uint8 { return d[daoAckStatOff] }

// DODAGID returns the DODAGID of a DAO or DAO-ACK with the D flag; ok is
// false when the base ends before it.
func (d DAO) DODAGID() (ipv6.Addr, bool) {
	if len(d) < daoDODAGIDOff+ipv6.AddrLen {
		return ipv6.Addr{}, false
	}
	return ipv6.Addr(d[daoDODAGIDOff : daoDODAGIDOff+ipv6.AddrLen]), true
}

// Options returns the options of a DAO (ack false) or DAO-ACK (ack true):
// after the DODAGID when the D flag says it is there. It is empty when
// the base ends before.
func (d DAO) Options(ack bool) []byte {
	off := DAOMinLen
	if d.HasDODAGID(ack) {
		off += ipv6.AddrLen
	}
	return d[min(off, len(d)):]
}

// RPLOption is one option of an RPL control message, as RPLOptionIter
// found it.
type RPLOption struct {
	Type RPLOptionType
	// Status is ipv6.OptionOK, or ipv6.OptionBadLength (no length byte
	// within the options), ipv6.OptionPastEnd (the length runs past the
	// message) or ipv6.OptionTruncated (the capture ends inside it).
	Status ipv6.OptionStatus
	// Offset is where the type byte is, from the start of the options.
	Offset int
	// Length is the length byte: of the data, without the type and
	// length bytes; 0 for Pad1.
	Length int
	// Raw is the option, clipped to the options and to the capture.
	Raw []byte
}

// Data returns the option's data: Raw after the type and length bytes.
func (o RPLOption) Data() []byte { return o.Raw[min(2, len(o.Raw)):] }

// RPLOptionIter walks the options of an RPL control message. It never
// panics and never allocates.
type RPLOptionIter struct {
	b        []byte
	off, end int
	done     bool
}

// NewRPLOptionIter returns an iterator over the options in b, which are
// end bytes long by the message's length (a capture may hold fewer).
func NewRPLOptionIter(b []byte, end int) RPLOptionIter { return RPLOptionIter{b: b, end: end} }

// Next returns the next option and true, or false at the end of the
// options or after one whose status stops the walk.
func (it *RPLOptionIter) Next() (o RPLOption, ok bool) {
	if it.done || it.off >= it.end {
		it.done = true
		return o, false
	}
	b, off := it.b, it.off
	capEnd := min(it.end, len(b))
	o.Offset = off
	switch {
	case off >= capEnd:
		o.Status, it.done = ipv6.OptionTruncated, true
		return o, true
	case b[off] == 0:
		o.Raw = b[off : off+1]
		it.off++
		return o, true
	}
	o.Type = RPLOptionType(b[off])
	switch {
	case off+1 >= it.end:
		o.Status, o.Raw, it.done = ipv6.OptionBadLength, b[off:off+1], true
		return o, true
	case off+1 >= capEnd:
		o.Status, o.Raw, it.done = ipv6.OptionTruncated, b[off:off+1], true
		return o, true
	}
	o.Length = int(b[off+1])
	next := off + 2 + o.Length
	switch {
	case next > capEnd:
		// tcpdump checks the capture before the length.
		o.Status, o.Raw, it.done = ipv6.OptionTruncated, b[off:capEnd], true
	case next > it.end:
		o.Status, o.Raw, it.done = ipv6.OptionPastEnd, b[off:capEnd], true
	default:
		o.Raw = b[off:next]
		it.off = next
	}
	return o, true
}
