package dhcp

import (
	"encoding/binary"
	"errors"
	"fmt"

	"github.com/medina-net/medina/ipv4"
)

// The BOOTP message (RFC 951, RFC 2131 figure 1), which DHCP keeps and
// extends with options after a magic cookie (RFC 2131 3, RFC 2132 2):
//
//	 0                   1                   2                   3
//	 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
//	+---------------+---------------+---------------+---------------+
//	|     op (1)    |   htype (1)   |   hlen (1)    |   hops (1)    |
//	+---------------+---------------+---------------+---------------+
//	|                            xid (4)                            |
//	+-------------------------------+-------------------------------+
//	|           secs (2)            |           flags (2)           |
//	+-------------------------------+-------------------------------+
//	|                          ciaddr  (4)                          |
//	|                          yiaddr  (4)                          |
//	|                          siaddr  (4)                          |
//	|                          giaddr  (4)                          |
//	|                          chaddr  (16)                         |
//	|                          sname   (64)                         |
//	|                          file    (128)                        |
//	|                          magic cookie (4): 99.130.83.99       |
//	|                          options (variable)                   |
//	+---------------------------------------------------------------+
const (
	opOff      = 0
	htypeOff   = 1
	hlenOff    = 2
	hopsOff    = 3
	xidOff     = 4
	secsOff    = 8
	flagsOff   = 10
	ciaddrOff  = 12
	yiaddrOff  = 16
	siaddrOff  = 20
	giaddrOff  = 24
	chaddrOff  = 28
	snameOff   = 44
	fileOff    = 108
	cookieOff  = 236
	optionsOff = 240

	chaddrLen = 16
	snameLen  = 64
	fileLen   = 128
)

// Lengths and ports.
const (
	// BOOTPLen is the fixed BOOTP part, before the magic cookie.
	BOOTPLen = cookieOff
	// HeaderLen is the fixed part with the magic cookie: the shortest
	// DHCP message, without options.
	HeaderLen = optionsOff
	// MinLen is the shortest message a client sends: RFC 1542 2.1 has
	// relay agents and servers accept BOOTP messages of 300 bytes at
	// least, so shorter ones are padded.
	MinLen = 300
	// MaxLen is the longest message this package builds and the client
	// accepts: RFC 2131 2 has every host accept 576-byte datagrams, and
	// the client announces no larger (option 57 is not sent); 1500 leaves
	// room for servers that send longer messages anyway.
	MaxLen = 1500
	// ServerPort and ClientPort are the UDP ports (RFC 2131 4.1).
	ServerPort = 67
	ClientPort = 68
	// Cookie is the magic cookie, 99.130.83.99 (RFC 2132 2).
	Cookie = 0x63825363
	// HTypeEthernet is ARP's hardware type for Ethernet, what htype says.
	HTypeEthernet = 1
)

// Op is the BOOTP op field.
type Op uint8

// Ops.
const (
	OpRequest Op = 1 // BOOTREQUEST, from a client
	OpReply   Op = 2 // BOOTREPLY, from a server
)

// Flags is the flags field; only the broadcast bit is defined (RFC 2131
// 2).
type Flags uint16

// FlagBroadcast asks the server to broadcast its replies: a client that
// cannot receive unicast datagrams before it has an address sets it.
const FlagBroadcast Flags = 0x8000

// Errors wrapped by the errors this package returns.
var (
	// ErrTruncated: the buffer is shorter than the fixed part and the
	// cookie, or an option runs past its field.
	ErrTruncated = errors.New("dhcp: truncated")
	// ErrBadCookie: the four bytes after the BOOTP part are not the
	// magic cookie; the message is plain BOOTP or not BOOTP at all.
	ErrBadCookie = errors.New("dhcp: bad magic cookie")
	// ErrBadOp: op is neither BOOTREQUEST nor BOOTREPLY.
	ErrBadOp = errors.New("dhcp: bad op")
	// ErrBadHardwareLen: hlen is more than chaddr's 16 bytes.
	ErrBadHardwareLen = errors.New("dhcp: bad hardware address length")
	// ErrBadOption: an option's length runs past the end of its field.
	ErrBadOption = errors.New("dhcp: bad option")
	// ErrTooLong: a message to build is longer than the buffer or MaxLen.
	ErrTooLong = errors.New("dhcp: message too long")
)

// The errors of NewMessage and Check are made once, so that a rejected
// message costs no allocation.
var errShort = fmt.Errorf("%w: fewer than %d bytes for the fixed part and the magic cookie", ErrTruncated, HeaderLen)

// Message is a view of a DHCP message, the payload of a UDP datagram
// between ports 67 and 68, from its op field to the end of its options.
type Message []byte

// NewMessage returns b as a Message after checking it holds the fixed
// BOOTP part and the magic cookie's place, so that every accessor is in
// bounds. It does not check the cookie or the options: Check does.
func NewMessage(b []byte) (Message, error) {
	if len(b) < HeaderLen {
		return nil, errShort
	}
	return Message(b), nil
}

// Op returns the op field.
func (m Message) Op() Op { return Op(m[opOff]) }

// HType returns the hardware address type (1 for Ethernet).
func (m Message) HType() uint8 { return m[htypeOff] }

// HLen returns the hardware address length field.
func (m Message) HLen() uint8 { return m[hlenOff] }

// Hops returns the hops field, which relay agents increment.
func (m Message) Hops() uint8 { return m[hopsOff] }

// XID returns the transaction ID.
func (m Message) XID() uint32 { return binary.BigEndian.Uint32(m[xidOff:]) }

// Secs returns the seconds since the client began acquiring or renewing.
func (m Message) Secs() uint16 { return binary.BigEndian.Uint16(m[secsOff:]) }

// Flags returns the flags field.
func (m Message) Flags() Flags { return Flags(binary.BigEndian.Uint16(m[flagsOff:])) }

// CIAddr returns the client's address, filled in by a client that has one
// (BOUND, RENEWING, REBINDING).
func (m Message) CIAddr() ipv4.Addr { return ipv4.Addr(m[ciaddrOff : ciaddrOff+4]) }

// YIAddr returns "your" address: the one a server offers or assigns.
func (m Message) YIAddr() ipv4.Addr { return ipv4.Addr(m[yiaddrOff : yiaddrOff+4]) }

// SIAddr returns the next server's address (for booting).
func (m Message) SIAddr() ipv4.Addr { return ipv4.Addr(m[siaddrOff : siaddrOff+4]) }

// GIAddr returns the relay agent's address.
func (m Message) GIAddr() ipv4.Addr { return ipv4.Addr(m[giaddrOff : giaddrOff+4]) }

// CHAddr returns the client hardware address: the first HLen bytes of the
// 16-byte field, all 16 when HLen says more.
func (m Message) CHAddr() []byte {
	n := min(int(m.HLen()), chaddrLen)
	return m[chaddrOff : chaddrOff+n : chaddrOff+n]
}

// SName returns the 64-byte server name field as sent (NUL-padded, or
// options under Option Overload).
func (m Message) SName() []byte { return m[snameOff : snameOff+snameLen : snameOff+snameLen] }

// File returns the 128-byte boot file name field as sent.
func (m Message) File() []byte { return m[fileOff : fileOff+fileLen : fileOff+fileLen] }

// Cookie returns the four bytes after the BOOTP part: Cookie in a DHCP
// message.
func (m Message) Cookie() uint32 { return binary.BigEndian.Uint32(m[cookieOff:]) }

// OptionBytes returns the options field: everything after the cookie.
func (m Message) OptionBytes() []byte { return m[optionsOff:] }

// Check makes the checks a client must make before it trusts a message:
// the magic cookie, op, hlen, and options that stay within the options
// field. It returns nil or one of the sentinels itself (ErrBadCookie,
// ErrBadOp, ErrBadHardwareLen, ErrBadOption), so that a rejected message
// costs no allocation; Validate says the same with detail. An option
// whose length is wrong for its code is not an error here: the typed
// accessors refuse it and the client does without.
func (m Message) Check() error {
	if m.HLen() > chaddrLen {
		return ErrBadHardwareLen
	}
	if m.Cookie() != Cookie {
		return ErrBadCookie
	}
	it := NewOptionIter(m.OptionBytes())
	for o, ok := it.Next(); ok; o, ok = it.Next() {
		if o.Status == OptionPastEnd {
			return ErrBadOption
		}
	}
	// The op last: a message that fails on it alone is one gopacket, and
	// a printer, read whole.
	if op := m.Op(); op != OpRequest && op != OpReply {
		return ErrBadOp
	}
	return nil
}

// Validate is Check with detail: its error wraps the sentinel Check
// returns and says what was wrong and where.
func (m Message) Validate() error {
	switch err := m.Check(); err {
	case nil:
		return nil
	case ErrBadCookie:
		return fmt.Errorf("%w: %#08x, want %#08x", err, m.Cookie(), uint32(Cookie))
	case ErrBadOp:
		return fmt.Errorf("%w: %d", err, m.Op())
	case ErrBadHardwareLen:
		return fmt.Errorf("%w: %d > %d", err, m.HLen(), chaddrLen)
	default:
		it := NewOptionIter(m.OptionBytes())
		for o, ok := it.Next(); ok; o, ok = it.Next() {
			if o.Status == OptionPastEnd {
				return o.Err()
			}
		}
		return err
	}
}

// Overload returns the value of the Option Overload option (RFC 2132
// 9.3) in the options field, 0 if there is none: bit 1 says the file
// field holds options, bit 2 the sname field. As gopacket and tcpdump
// read it, the last such option counts, by its first byte whatever its
// length.
func (m Message) Overload() uint8 {
	var v uint8
	it := NewOptionIter(m.OptionBytes())
	for o, ok := it.Next(); ok; o, ok = it.Next() {
		if o.Code == OptOverload && o.Status != OptionPastEnd && len(o.Data()) > 0 {
			v = o.Data()[0]
		}
	}
	return v
}

// Options returns an iterator over all of the message's options: the
// options field, then, under Option Overload, the file field and the
// sname field (RFC 2131 4.1's order). Each Option's Offset counts from
// the start of the message.
func (m Message) Options() OptionIter {
	it := OptionIter{b: m, off: optionsOff, end: len(m)}
	it.overload = m.Overload() & (overloadFile | overloadSName)
	return it
}

// MessageType returns the DHCP Message Type option's value, 0 when there
// is none (a BOOTP message) or it is malformed.
func (m Message) MessageType() MessageType {
	it := m.Options()
	for o, ok := it.Next(); ok; o, ok = it.Next() {
		if t, ok := o.MessageType(); ok {
			return t
		}
	}
	return 0
}

// Find returns the first well-formed option of code c.
func (m Message) Find(c OptionCode) (Option, bool) {
	it := m.Options()
	for o, ok := it.Next(); ok; o, ok = it.Next() {
		if o.Code == c && o.Status == OptionOK {
			return o, true
		}
	}
	return Option{}, false
}

// SetXID sets the transaction ID.
func (m Message) SetXID(x uint32) { binary.BigEndian.PutUint32(m[xidOff:], x) }

// SetSecs sets the secs field.
func (m Message) SetSecs(s uint16) { binary.BigEndian.PutUint16(m[secsOff:], s) }

// SetFlags sets the flags field.
func (m Message) SetFlags(f Flags) { binary.BigEndian.PutUint16(m[flagsOff:], uint16(f)) }

// SetYIAddr sets yiaddr.
func (m Message) SetYIAddr(a ipv4.Addr) { copy(m[yiaddrOff:], a[:]) }

// SetCIAddr sets ciaddr.
func (m Message) SetCIAddr(a ipv4.Addr) { copy(m[ciaddrOff:], a[:]) }
