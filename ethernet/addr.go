package ethernet

import (
	"errors"
	"fmt"
)

// Addr is a 48-bit IEEE 802 MAC address.
type Addr [6]byte

// Broadcast is the all-ones broadcast address.
var Broadcast = Addr{0xff, 0xff, 0xff, 0xff, 0xff, 0xff}

// IsBroadcast reports whether a is ff:ff:ff:ff:ff:ff.
func (a Addr) IsBroadcast() bool { return a == Broadcast }

// IsMulticast reports whether a is a group address (the I/G bit is set);
// broadcast is a multicast address too.
func (a Addr) IsMulticast() bool { return a[0]&1 == 1 }

// String formats a as six colon-separated lower-case hex pairs, the way
// tcpdump and ip(8) print it.
func (a Addr) String() string { return string(a.AppendTo(nil)) }

const hexDigits = "0123456789abcdef"

// AppendTo appends the String form of a to b without allocating.
func (a Addr) AppendTo(b []byte) []byte {
	for i, x := range a {
		if i > 0 {
			b = append(b, ':')
		}
		b = append(b, hexDigits[x>>4], hexDigits[x&0xf])
	}
	return b
}

// ErrBadAddr is returned by ParseAddr for text that is not a MAC address.
var ErrBadAddr = errors.New("ethernet: bad MAC address")

// ParseAddr parses six hex pairs separated by ':' or '-'.
func ParseAddr(s string) (Addr, error) {
	var a Addr
	if len(s) != 17 {
		return a, fmt.Errorf("%w %q: want 17 characters, got %d", ErrBadAddr, s, len(s))
	}
	for i := range a {
		hi, ok1 := unhex(s[3*i])
		lo, ok2 := unhex(s[3*i+1])
		if !ok1 || !ok2 {
			return a, fmt.Errorf("%w %q: bad hex digit in byte %d", ErrBadAddr, s, i)
		}
		if i < 5 && s[3*i+2] != ':' && s[3*i+2] != '-' {
			return a, fmt.Errorf("%w %q: bad separator at %d", ErrBadAddr, s, 3*i+2)
		}
		a[i] = hi<<4 | lo
	}
	return a, nil
}

func unhex(c byte) (byte, bool) {
	switch {
	case '0' <= c && c <= '9':
		return c - '0', true
	case 'a' <= c && c <= 'f':
		return c - 'a' + 10, true
	case 'A' <= c && c <= 'F':
		return c - 'A' + 10, true
	}
	return 0, false
}
