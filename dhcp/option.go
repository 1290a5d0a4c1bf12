package dhcp

import (
	"encoding/binary"
	"fmt"
	"iter"
	"net/netip"
	"strconv"
	"time"

	"github.com/medina-net/medina/ipv4"
)

// OptionCode is the code byte of a DHCP option (RFC 2132).
type OptionCode uint8

// Option codes this package reads or writes.
const (
	OptPad             OptionCode = 0   // padding, one byte (RFC 2132 3.1)
	OptSubnetMask      OptionCode = 1   // RFC 2132 3.3
	OptRouter          OptionCode = 3   // RFC 2132 3.5
	OptDNS             OptionCode = 6   // RFC 2132 3.8
	OptHostname        OptionCode = 12  // RFC 2132 3.14
	OptDomainName      OptionCode = 15  // RFC 2132 3.17
	OptInterfaceMTU    OptionCode = 26  // RFC 2132 5.1
	OptBroadcast       OptionCode = 28  // RFC 2132 5.3
	OptRequestedAddr   OptionCode = 50  // RFC 2132 9.1
	OptLeaseTime       OptionCode = 51  // RFC 2132 9.2
	OptOverload        OptionCode = 52  // RFC 2132 9.3
	OptMessageType     OptionCode = 53  // RFC 2132 9.6
	OptServerID        OptionCode = 54  // RFC 2132 9.7
	OptParamRequest    OptionCode = 55  // RFC 2132 9.8
	OptMessage         OptionCode = 56  // RFC 2132 9.9
	OptMaxMessageSize  OptionCode = 57  // RFC 2132 9.10
	OptRenewalTime     OptionCode = 58  // T1, RFC 2132 9.11
	OptRebindingTime   OptionCode = 59  // T2, RFC 2132 9.12
	OptClientID        OptionCode = 61  // RFC 2132 9.14
	OptDomainSearch    OptionCode = 119 // RFC 3397
	OptClasslessRoutes OptionCode = 121 // RFC 3442
	OptEnd             OptionCode = 255 // end of the options, one byte
)

// String returns the code's number.
func (c OptionCode) String() string { return strconv.Itoa(int(c)) }

// MessageType is the value of the DHCP Message Type option (RFC 2132 9.6).
type MessageType uint8

// Message types.
const (
	Discover MessageType = 1
	Offer    MessageType = 2
	Request  MessageType = 3
	Decline  MessageType = 4
	Ack      MessageType = 5
	Nak      MessageType = 6
	Release  MessageType = 7
	Inform   MessageType = 8
)

var typeNames = [...]string{"", "DISCOVER", "OFFER", "REQUEST", "DECLINE", "ACK", "NAK", "RELEASE", "INFORM"}

// String names the type as RFC 2131 does.
func (t MessageType) String() string {
	if int(t) < len(typeNames) && t != 0 {
		return typeNames[t]
	}
	return "MessageType(" + strconv.Itoa(int(t)) + ")"
}

// OptionStatus says whether an option is well formed.
type OptionStatus uint8

// Option statuses.
const (
	// OptionOK: the option is within its field and its length is one
	// its code allows.
	OptionOK OptionStatus = iota
	// OptionWrongLength: within its field, but of a length its code does
	// not allow (a subnet mask of 3 bytes); the walk goes on after it and
	// the typed accessors refuse it.
	OptionWrongLength
	// OptionPastEnd: the option has no length byte, or its length runs
	// past the end of its field. Nothing after it in that field can be
	// found: the walk goes on in the next field (under Option Overload)
	// or ends.
	OptionPastEnd
)

// String names the status.
func (s OptionStatus) String() string {
	switch s {
	case OptionOK:
		return "ok"
	case OptionWrongLength:
		return "wrong length"
	case OptionPastEnd:
		return "past end of field"
	}
	return "OptionStatus(" + strconv.Itoa(int(s)) + ")"
}

// Option is one option as the iterator found it; Raw aliases the
// message's bytes.
type Option struct {
	// Code is the code byte.
	Code OptionCode
	// Status says whether the option is well formed.
	Status OptionStatus
	// Offset is where the code byte is: from the start of the message
	// for Message.Options, of the area for NewOptionIter.
	Offset int
	// Raw is the whole option, code and length bytes included, clipped
	// to its field.
	Raw []byte
}

// Data returns the option's value: Raw after the code and length bytes.
func (o Option) Data() []byte { return o.Raw[min(2, len(o.Raw)):] }

// Err returns nil for a well-formed option, else an error wrapping
// ErrBadOption (or ErrTruncated, for an option past its field) that says
// which option and what is wrong. It is built only when asked.
func (o Option) Err() error {
	switch o.Status {
	case OptionOK:
		return nil
	case OptionWrongLength:
		return fmt.Errorf("%w: option %d at offset %d: length %d is wrong for the code", ErrBadOption, o.Code, o.Offset, len(o.Raw)-2)
	}
	if len(o.Raw) < 2 {
		return fmt.Errorf("%w: %w: option %d at offset %d has no length byte", ErrBadOption, ErrTruncated, o.Code, o.Offset)
	}
	return fmt.Errorf("%w: %w: option %d at offset %d: length %d runs past the end of its field", ErrBadOption, ErrTruncated, o.Code, o.Offset, o.Raw[1])
}

// Option Overload's bits (RFC 2132 9.3).
const (
	overloadFile  = 1
	overloadSName = 2
)

// OptionIter walks an option list one option at a time, never panicking
// and never allocating. Message.Options walks a whole message (options,
// then the fields Option Overload names); NewOptionIter one area.
type OptionIter struct {
	b        []byte
	off, end int
	overload uint8 // the fields still to walk after this one
	done     bool
}

// NewOptionIter returns an iterator over the option area b.
func NewOptionIter(b []byte) OptionIter { return OptionIter{b: b, end: len(b)} }

// nextField moves to the next field Option Overload names, reporting
// whether there is one.
func (it *OptionIter) nextField() bool {
	switch {
	case it.overload&overloadFile != 0:
		it.overload &^= overloadFile
		it.off, it.end = fileOff, fileOff+fileLen
	case it.overload&overloadSName != 0:
		it.overload &^= overloadSName
		it.off, it.end = snameOff, snameOff+snameLen
	default:
		it.done = true
		return false
	}
	return true
}

// Next returns the next option and true, or false at the end. Pad is
// stepped over; End ends its field.
func (it *OptionIter) Next() (o Option, ok bool) {
	for !it.done {
		if it.off >= it.end {
			it.nextField()
			continue
		}
		off := it.off
		c := OptionCode(it.b[off])
		if c == OptPad {
			it.off++
			continue
		}
		if c == OptEnd {
			it.off = it.end
			continue
		}
		o.Code, o.Offset = c, off
		if off+1 >= it.end || off+2+int(it.b[off+1]) > it.end {
			o.Raw = it.b[off:it.end]
			o.Status = OptionPastEnd
			it.off = it.end
			return o, true
		}
		n := int(it.b[off+1])
		o.Raw = it.b[off : off+2+n]
		it.off = off + 2 + n
		if !lengthOK(c, n) {
			o.Status = OptionWrongLength
		}
		return o, true
	}
	return o, false
}

// All returns the options as a sequence for a range loop. It walks a copy
// of it.
func (it OptionIter) All() iter.Seq[Option] {
	return func(yield func(Option) bool) {
		for o, ok := it.Next(); ok; o, ok = it.Next() {
			if !yield(o) {
				return
			}
		}
	}
}

// lengthOK reports whether n bytes of value are right for code c.
func lengthOK(c OptionCode, n int) bool {
	switch c {
	case OptSubnetMask, OptBroadcast, OptRequestedAddr, OptServerID,
		OptLeaseTime, OptRenewalTime, OptRebindingTime:
		return n == 4
	case OptRouter, OptDNS:
		return n >= 4 && n%4 == 0
	case OptInterfaceMTU, OptMaxMessageSize:
		return n == 2
	case OptMessageType, OptOverload:
		return n == 1
	case OptHostname, OptDomainName, OptParamRequest, OptMessage,
		OptDomainSearch, OptClasslessRoutes:
		return n >= 1
	case OptClientID:
		return n >= 2
	}
	return true
}

// ok reports whether o is a well-formed option of code c.
func (o Option) ok(c OptionCode) bool { return o.Code == c && o.Status == OptionOK }

// MessageType returns a DHCP Message Type option's value.
func (o Option) MessageType() (MessageType, bool) {
	if !o.ok(OptMessageType) {
		return 0, false
	}
	return MessageType(o.Raw[2]), true
}

// Addr returns the address of a well-formed option that holds one (subnet
// mask, broadcast address, requested address, server identifier), or the
// first of a list (router, DNS servers).
func (o Option) Addr() (ipv4.Addr, bool) {
	if o.Status != OptionOK || len(o.Raw) < 6 {
		return ipv4.Addr{}, false
	}
	switch o.Code {
	case OptSubnetMask, OptBroadcast, OptRequestedAddr, OptServerID, OptRouter, OptDNS:
		return ipv4.Addr(o.Raw[2:6]), true
	}
	return ipv4.Addr{}, false
}

// AddrList is a list of IPv4 addresses in an option, read in place.
type AddrList []byte

// Len returns the number of addresses.
func (l AddrList) Len() int { return len(l) / 4 }

// At returns the i-th address.
func (l AddrList) At(i int) ipv4.Addr { return ipv4.Addr(l[4*i : 4*i+4]) }

// Addrs returns the addresses of a router or DNS servers option.
func (o Option) Addrs() (AddrList, bool) {
	if o.Status != OptionOK || (o.Code != OptRouter && o.Code != OptDNS) {
		return nil, false
	}
	return AddrList(o.Data()), true
}

// Uint32 returns the value of a lease time, T1 or T2 option.
func (o Option) Uint32() (uint32, bool) {
	if o.Status != OptionOK || len(o.Raw) != 6 {
		return 0, false
	}
	switch o.Code {
	case OptLeaseTime, OptRenewalTime, OptRebindingTime:
		return binary.BigEndian.Uint32(o.Raw[2:]), true
	}
	return 0, false
}

// Infinite is the lease time that never ends (RFC 2131 3.3).
const Infinite = 0xffffffff

// Duration returns a lease time, T1 or T2 option's value as a duration;
// infinite is true for 0xffffffff.
func (o Option) Duration() (d time.Duration, infinite, ok bool) {
	v, ok := o.Uint32()
	if !ok {
		return 0, false, false
	}
	if v == Infinite {
		return 0, true, true
	}
	return time.Duration(v) * time.Second, false, true
}

// Uint16 returns the value of an interface MTU or maximum message size
// option.
func (o Option) Uint16() (uint16, bool) {
	if o.Status != OptionOK || (o.Code != OptInterfaceMTU && o.Code != OptMaxMessageSize) {
		return 0, false
	}
	return binary.BigEndian.Uint16(o.Raw[2:]), true
}

// Route is a classless static route (RFC 3442): a destination prefix and
// the router to it. A gateway of 0.0.0.0 puts the destination on the
// link.
type Route struct {
	Dest    netip.Prefix
	Gateway netip.Addr
}

// DecodeClasslessRoutes appends to dst the routes of a Classless Static
// Route option's value (RFC 3442: a width, the significant octets of the
// destination, the router), the values of several options of the code
// concatenated first (RFC 3396). A width above 32 or a route cut short
// is an error wrapping ErrBadOption, and the routes before it are kept.
func DecodeClasslessRoutes(dst []Route, data []byte) ([]Route, error) {
	for off := 0; off < len(data); {
		w := int(data[off])
		if w > 32 {
			return dst, fmt.Errorf("%w: classless route at %d: width %d > 32", ErrBadOption, off, w)
		}
		sig := (w + 7) / 8
		if off+1+sig+4 > len(data) {
			return dst, fmt.Errorf("%w: classless route at %d: %d bytes, want %d", ErrBadOption, off, len(data)-off, 1+sig+4)
		}
		var a [4]byte
		copy(a[:], data[off+1:off+1+sig])
		g := [4]byte(data[off+1+sig : off+1+sig+4])
		dst = append(dst, Route{Dest: netip.PrefixFrom(netip.AddrFrom4(a), w).Masked(), Gateway: netip.AddrFrom4(g)})
		off += 1 + sig + 4
	}
	return dst, nil
}

// maxNameLen is the longest domain name in wire form (RFC 1035 2.3.4).
const maxNameLen = 255

// DecodeDomainSearch appends to dst the domain names of a Domain Search
// option's value (RFC 3397: names in DNS wire form, compressed with
// pointers into the same value; several options of the code concatenated
// first, RFC 3396), without the trailing dot. A pointer must point before
// every byte of its name read so far, which bounds the walk; a bad label,
// pointer or name longer than 255 bytes is an error wrapping
// ErrBadOption, and the names before it are kept.
func DecodeDomainSearch(dst []string, data []byte) ([]string, error) {
	var name [maxNameLen]byte
	for off := 0; off < len(data); {
		n, next, err := readName(name[:0], data, off)
		if err != nil {
			return dst, err
		}
		dst = append(dst, string(n))
		off = next
	}
	return dst, nil
}

// readName reads the name at off into buf, returning it and where the
// next name starts.
func readName(buf, data []byte, off int) (name []byte, next int, err error) {
	next = -1
	wire := 0
	low := off // the earliest byte of the name read so far
	for p := off; ; {
		if p >= len(data) {
			return nil, 0, fmt.Errorf("%w: domain name at %d runs past the option", ErrBadOption, off)
		}
		l := int(data[p])
		switch {
		case l == 0:
			if next < 0 {
				next = p + 1
			}
			return buf, next, nil
		case l&0xc0 == 0xc0:
			if p+1 >= len(data) {
				return nil, 0, fmt.Errorf("%w: domain name at %d: pointer cut short", ErrBadOption, off)
			}
			to := int(binary.BigEndian.Uint16(data[p:]) & 0x3fff)
			if to >= low {
				return nil, 0, fmt.Errorf("%w: domain name at %d: pointer to %d does not point before the name", ErrBadOption, off, to)
			}
			if next < 0 {
				next = p + 2
			}
			p, low = to, to
		case l&0xc0 != 0:
			return nil, 0, fmt.Errorf("%w: domain name at %d: label type %#x", ErrBadOption, off, l&0xc0)
		default:
			if p+1+l > len(data) {
				return nil, 0, fmt.Errorf("%w: domain name at %d: label runs past the option", ErrBadOption, off)
			}
			wire += 1 + l
			if wire+1 > maxNameLen {
				return nil, 0, fmt.Errorf("%w: domain name at %d longer than %d bytes", ErrBadOption, off, maxNameLen)
			}
			if len(buf) > 0 {
				buf = append(buf, '.')
			}
			buf = append(buf, data[p+1:p+1+l]...)
			p += 1 + l
		}
	}
}
