package dhcp

import (
	"encoding/binary"
	"fmt"
	"strings"

	"github.com/medina-net/medina/ipv4"
)

// Fields are a message's fields, for Encode.
type Fields struct {
	Op                             Op
	HType                          uint8 // 0 means HTypeEthernet
	Hops                           uint8
	XID                            uint32
	Secs                           uint16
	Flags                          Flags
	CIAddr, YIAddr, SIAddr, GIAddr ipv4.Addr
	// CHAddr is the client hardware address, at most 16 bytes; hlen is
	// its length.
	CHAddr []byte
	// Options are the options, encoded by the Append functions, without
	// the End option, which Encode adds.
	Options []byte
}

// Len returns the length of the message Encode writes: the fixed part,
// the cookie, the options and End, padded to MinLen.
func (f *Fields) Len() int { return max(HeaderLen+len(f.Options)+1, MinLen) }

// Encode writes the message into the start of b and returns it as a
// Message of f.Len() bytes. The error wraps ErrTooLong when b is too
// short or the message longer than MaxLen, ErrBadHardwareLen for a
// CHAddr of more than 16 bytes.
func (f *Fields) Encode(b []byte) (Message, error) {
	n := f.Len()
	if n > MaxLen || n > len(b) {
		return nil, fmt.Errorf("%w: %d bytes, buffer %d, at most %d", ErrTooLong, n, len(b), MaxLen)
	}
	if len(f.CHAddr) > chaddrLen {
		return nil, fmt.Errorf("%w: %d bytes", ErrBadHardwareLen, len(f.CHAddr))
	}
	m := Message(b[:n])
	clear(m)
	m[opOff] = byte(f.Op)
	m[htypeOff] = f.HType
	if f.HType == 0 {
		m[htypeOff] = HTypeEthernet
	}
	m[hlenOff] = byte(len(f.CHAddr))
	m[hopsOff] = f.Hops
	binary.BigEndian.PutUint32(m[xidOff:], f.XID)
	binary.BigEndian.PutUint16(m[secsOff:], f.Secs)
	binary.BigEndian.PutUint16(m[flagsOff:], uint16(f.Flags))
	copy(m[ciaddrOff:], f.CIAddr[:])
	copy(m[yiaddrOff:], f.YIAddr[:])
	copy(m[siaddrOff:], f.SIAddr[:])
	copy(m[giaddrOff:], f.GIAddr[:])
	copy(m[chaddrOff:], f.CHAddr)
	binary.BigEndian.PutUint32(m[cookieOff:], Cookie)
	copy(m[optionsOff:], f.Options)
	m[optionsOff+len(f.Options)] = byte(OptEnd)
	return m, nil
}

// AppendOption appends an option of code c with the value v, split into
// several options of the code when longer than 255 bytes (RFC 3396). An
// empty v appends nothing.
func AppendOption(b []byte, c OptionCode, v []byte) []byte {
	for len(v) > 0 {
		n := min(len(v), 255)
		b = append(b, byte(c), byte(n))
		b = append(b, v[:n]...)
		v = v[n:]
	}
	return b
}

// AppendMessageType appends a DHCP Message Type option.
func AppendMessageType(b []byte, t MessageType) []byte {
	return append(b, byte(OptMessageType), 1, byte(t))
}

// AppendAddr appends an option holding one address (requested address,
// server identifier, subnet mask, ...).
func AppendAddr(b []byte, c OptionCode, a ipv4.Addr) []byte {
	return append(b, byte(c), 4, a[0], a[1], a[2], a[3])
}

// AppendAddrs appends an option holding a list of addresses (routers, DNS
// servers); none appends nothing.
func AppendAddrs(b []byte, c OptionCode, as ...ipv4.Addr) []byte {
	v := make([]byte, 0, 4*len(as))
	for _, a := range as {
		v = append(v, a[:]...)
	}
	return AppendOption(b, c, v)
}

// AppendUint32 appends a 4-byte option (lease time, T1, T2).
func AppendUint32(b []byte, c OptionCode, v uint32) []byte {
	return binary.BigEndian.AppendUint32(append(b, byte(c), 4), v)
}

// AppendUint16 appends a 2-byte option (interface MTU, maximum message
// size).
func AppendUint16(b []byte, c OptionCode, v uint16) []byte {
	return binary.BigEndian.AppendUint16(append(b, byte(c), 2), v)
}

// AppendParamRequest appends a Parameter Request List.
func AppendParamRequest(b []byte, codes ...OptionCode) []byte {
	b = append(b, byte(OptParamRequest), byte(len(codes)))
	for _, c := range codes {
		b = append(b, byte(c))
	}
	return b
}

// AppendClientID appends a Client Identifier option of hardware type
// htype and address hw (RFC 2132 9.14).
func AppendClientID(b []byte, htype uint8, hw []byte) []byte {
	return AppendOption(b, OptClientID, append([]byte{htype}, hw...))
}

// AppendClasslessRoutes appends a Classless Static Route option (RFC
// 3442) of the IPv4 routes rs, split as RFC 3396 says when long.
func AppendClasslessRoutes(b []byte, rs ...Route) ([]byte, error) {
	var v []byte
	for _, r := range rs {
		if !r.Dest.Addr().Is4() || !r.Gateway.Is4() {
			return b, fmt.Errorf("%w: route %v via %v is not IPv4", ErrBadOption, r.Dest, r.Gateway)
		}
		w := r.Dest.Bits()
		a := r.Dest.Masked().Addr().As4()
		g := r.Gateway.As4()
		v = append(v, byte(w))
		v = append(v, a[:(w+7)/8]...)
		v = append(v, g[:]...)
	}
	return AppendOption(b, OptClasslessRoutes, v), nil
}

// AppendDomainSearch appends a Domain Search option (RFC 3397) of the
// names, in DNS wire form without compression, split as RFC 3396 says
// when long. A name with an empty label, a label over 63 bytes or longer
// than 255 bytes in all is an error wrapping ErrBadOption.
func AppendDomainSearch(b []byte, names ...string) ([]byte, error) {
	var v []byte
	for _, n := range names {
		n = strings.TrimSuffix(n, ".")
		start := len(v)
		for l := range strings.SplitSeq(n, ".") {
			if len(l) == 0 || len(l) > 63 {
				return b, fmt.Errorf("%w: domain name %q: label %q", ErrBadOption, n, l)
			}
			v = append(v, byte(len(l)))
			v = append(v, l...)
		}
		v = append(v, 0)
		if len(v)-start > maxNameLen {
			return b, fmt.Errorf("%w: domain name %q longer than %d bytes", ErrBadOption, n, maxNameLen)
		}
	}
	return AppendOption(b, OptDomainSearch, v), nil
}
