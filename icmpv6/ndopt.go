package icmpv6

import (
	"encoding/binary"
	"fmt"
	"iter"
	"strconv"
	"strings"

	"github.com/medina-net/medina/ipv6"
)

// Offsets inside a neighbor discovery option (RFC 4861 4.6), named once:
//
//	 0                   1                   2                   3
//	 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//	|     Type      |    Length     |              ...              |
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//
// The length counts the whole option, type and length bytes included, in
// units of 8 bytes; 0 is invalid (a node drops the message).
//
// Prefix information (RFC 4861 4.6.2, length 4):
//
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//	|     Type      |    Length     | Prefix Length |L|A|R|Reserved1|
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//	|                         Valid Lifetime                        |
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//	|                       Preferred Lifetime                      |
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//	|                           Reserved2                           |
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//	+                          Prefix (16)                          +
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//
// MTU (length 1), advertisement interval (RFC 6275 7.3, length 1), RDNSS
// and DNSSL (RFC 8106, a lifetime then addresses or names): 2 reserved
// bytes, then a 32-bit value at 4. Home agent information (RFC 6275 7.4):
// preference at 4, lifetime at 6. Route information (RFC 4191 2.3):
//
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//	|     Type      |    Length     | Prefix Length |Resvd|Prf|Resvd|
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//	|                        Route Lifetime                         |
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//	|                   Prefix (0, 8 or 16 bytes) ...
//
// PREF64 (RFC 8781, length 2): a 13-bit scaled lifetime and a 3-bit prefix
// length code at 2, the 96 high bits of the prefix at 4. Redirected
// header: 6 reserved bytes, then the redirected packet at 8.
const (
	optTypeOff  = 0
	optLenOff   = 1
	optDataOff  = 2
	optUnit     = 8
	optValueOff = 4 // the 32-bit value of MTU, advertisement interval, RDNSS, DNSSL

	piPrefixLenOff  = 2
	piFlagsOff      = 3
	piValidOff      = 4
	piPreferredOff  = 8
	piPrefixOff     = 16
	haiPrefOff      = 4
	haiLifetimeOff  = 6
	rtiPrefixLenOff = 2
	rtiFlagsOff     = 3
	rtiLifetimeOff  = 4
	rtiPrefixOff    = 8
	rdnssAddrsOff   = 8
	dnsslNamesOff   = 8
	pref64WordOff   = 2
	pref64PrefixOff = 4
	redirHeaderOff  = 8
)

// OptionType is the type byte of a neighbor discovery option.
type OptionType uint8

// Option types from the IANA registry of IPv6 neighbor discovery options.
const (
	OptSourceLinkAddr   OptionType = 1  // RFC 4861
	OptTargetLinkAddr   OptionType = 2  // RFC 4861
	OptPrefixInfo       OptionType = 3  // RFC 4861
	OptRedirectedHeader OptionType = 4  // RFC 4861
	OptMTU              OptionType = 5  // RFC 4861
	OptNBMAShortcut     OptionType = 6  // NBMA shortcut limit, RFC 2491
	OptAdvInterval      OptionType = 7  // advertisement interval, RFC 6275
	OptHomeAgentInfo    OptionType = 8  // home agent information, RFC 6275
	OptSourceAddrList   OptionType = 9  // RFC 3122
	OptTargetAddrList   OptionType = 10 // RFC 3122
	OptCGA              OptionType = 11 // RFC 3971
	OptRSASignature     OptionType = 12 // RFC 3971
	OptTimestamp        OptionType = 13 // RFC 3971
	OptNonce            OptionType = 14 // RFC 3971, RFC 7527 (enhanced DAD)
	OptTrustAnchor      OptionType = 15 // RFC 3971
	OptCertificate      OptionType = 16 // RFC 3971
	OptIPAddrPrefix     OptionType = 17 // RFC 5568
	OptNewRouterPrefix  OptionType = 18 // RFC 4068
	OptLinkLayerAddr    OptionType = 19 // RFC 5568
	OptNAAck            OptionType = 20 // neighbor advertisement acknowledgment, RFC 5568
	OptMAP              OptionType = 23 // RFC 5380
	OptRouteInfo        OptionType = 24 // RFC 4191
	OptRDNSS            OptionType = 25 // recursive DNS server, RFC 8106
	OptRAFlagsExt       OptionType = 26 // RFC 5175
	OptHandoverKeyReq   OptionType = 27 // RFC 5269
	OptHandoverKeyReply OptionType = 28 // RFC 5269
	OptDNSSL            OptionType = 31 // DNS search list, RFC 8106
	OptProxySignature   OptionType = 32 // RFC 6496
	OptCaptivePortal    OptionType = 37 // RFC 8910
	OptPREF64           OptionType = 38 // NAT64 prefix, RFC 8781
)

// optionNames are tcpdump 4.99.3's names where it has one (its
// icmp6_opt_values: "source link-address", "destination link-address" for
// the target's, "prefix info", ...), short forms of the IANA names for the
// others.
var optionNames = [256]string{
	OptSourceLinkAddr:   "source link-address",
	OptTargetLinkAddr:   "destination link-address",
	OptPrefixInfo:       "prefix info",
	OptRedirectedHeader: "redirected header",
	OptMTU:              "mtu",
	OptNBMAShortcut:     "nbma shortcut limit",
	OptAdvInterval:      "advertisement interval",
	OptHomeAgentInfo:    "homeagent information",
	OptSourceAddrList:   "source address list",
	OptTargetAddrList:   "target address list",
	OptCGA:              "cga",
	OptRSASignature:     "rsa signature",
	OptTimestamp:        "timestamp",
	OptNonce:            "nonce",
	OptTrustAnchor:      "trust anchor",
	OptCertificate:      "certificate",
	OptIPAddrPrefix:     "ip address/prefix",
	OptNewRouterPrefix:  "new router prefix information",
	OptLinkLayerAddr:    "link-layer address",
	OptNAAck:            "neighbor advertisement acknowledgment",
	OptMAP:              "map",
	OptRouteInfo:        "route info",
	OptRDNSS:            "rdnss",
	OptRAFlagsExt:       "ra flags extension",
	OptHandoverKeyReq:   "handover key request",
	OptHandoverKeyReply: "handover key reply",
	OptDNSSL:            "dnssl",
	OptProxySignature:   "proxy signature",
	OptCaptivePortal:    "captive portal",
	OptPREF64:           "pref64",
}

// TCPDumpKnown reports whether tcpdump 4.99.3 names and decodes options of
// type t; it prints the others as "unknown option".
func (t OptionType) TCPDumpKnown() bool {
	switch t {
	case OptSourceLinkAddr, OptTargetLinkAddr, OptPrefixInfo, OptRedirectedHeader, OptMTU,
		OptRDNSS, OptDNSSL, OptAdvInterval, OptHomeAgentInfo, OptRouteInfo:
		return true
	}
	return false
}

// String returns the option type's name, or "OptionType(N)".
func (t OptionType) String() string {
	if n := optionNames[t]; n != "" {
		return n
	}
	return "OptionType(" + strconv.Itoa(int(t)) + ")"
}

// OptionStatus says whether an option is well formed. After
// OptionZeroLength, OptionBadLength and OptionPastEnd the walk stops:
// where the next option starts is unknown.
type OptionStatus uint8

// Option statuses.
const (
	// OptionOK: the option fits and its length suits its type.
	OptionOK OptionStatus = iota
	// OptionWrongLength: the option fits, but its length is not one its
	// type allows (a prefix information option that is not 32 bytes,
	// ...). The walk goes on after it.
	OptionWrongLength
	// OptionZeroLength: the length byte is 0, which RFC 4861 forbids.
	OptionZeroLength
	// OptionBadLength: the type byte is the last byte of the message, so
	// there is no length byte.
	OptionBadLength
	// OptionPastEnd: the length runs past the end of the message (or of
	// what was captured of it).
	OptionPastEnd
)

var optionStatusNames = [...]string{"ok", "wrong length", "zero length", "no length byte", "past end of message"}

// String names the status.
func (s OptionStatus) String() string {
	if int(s) < len(optionStatusNames) {
		return optionStatusNames[s]
	}
	return "OptionStatus(" + strconv.Itoa(int(s)) + ")"
}

// Option is one neighbor discovery option as OptionIter found it. Raw, and
// what the accessors return, alias the message.
type Option struct {
	// Type is the option type.
	Type OptionType
	// Status says whether the option is well formed.
	Status OptionStatus
	// Offset is where the type byte is, from the start of the message (or
	// of the bytes given to NewOptionIter).
	Offset int
	// Length is the length byte as sent, in units of 8 bytes.
	Length int
	// Raw is the whole option (type, length and data) when its status is
	// OptionOK or OptionWrongLength, and what there is of it otherwise.
	Raw []byte
}

// Len returns the option's length in bytes, as its length byte says.
func (o Option) Len() int { return o.Length * optUnit }

// Data returns the option's bytes after the type and length.
func (o Option) Data() []byte { return o.Raw[min(optDataOff, len(o.Raw)):] }

// Err returns nil for a well-formed option and otherwise an error that
// names it, its offset and what is wrong, wrapping ErrBadOption. It is
// built when Err is called, so a walk over bad options does not allocate.
func (o Option) Err() error {
	if o.Status == OptionOK {
		return nil
	}
	return fmt.Errorf("%w: %v option (type %d) at offset %d, length %d: %v",
		ErrBadOption, o.Type, uint8(o.Type), o.Offset, o.Length, o.Status)
}

// OptionIter walks neighbor discovery options one at a time, without
// panicking or allocating whatever the bytes. The zero value is an empty
// list.
type OptionIter struct {
	b    []byte
	off  int
	done bool
	// The first option whose status is not OptionOK, for Err.
	hasBad  bool
	badType OptionType
	badSt   OptionStatus
	badOff  int
	badLen  int
}

// NewOptionIter returns an iterator over bare option bytes: options being
// built, or the options of a message Options does not know.
func NewOptionIter(b []byte) OptionIter { return OptionIter{b: b} }

// Offset returns where the next option starts.
func (it *OptionIter) Offset() int { return it.off }

// Next returns the next option and true, or false at the end of the
// options or after an option whose status stops the walk.
func (it *OptionIter) Next() (o Option, ok bool) {
	if it.done || it.off >= len(it.b) {
		it.done = true
		return o, false
	}
	b, off := it.b, it.off
	o = Option{Type: OptionType(b[off+optTypeOff]), Offset: off}
	n := 0
	if off+optLenOff < len(b) {
		o.Length = int(b[off+optLenOff])
		n = o.Len()
	}
	switch {
	case off+optLenOff >= len(b):
		o.Status, o.Raw, it.done = OptionBadLength, b[off:], true
	case n == 0:
		o.Status, o.Raw, it.done = OptionZeroLength, b[off:off+optDataOff], true
	case off+n > len(b):
		o.Status, o.Raw, it.done = OptionPastEnd, b[off:], true
	default:
		o.Raw = b[off : off+n]
		it.off = off + n
		if !optionLengthOK(o.Type, o.Length) {
			o.Status = OptionWrongLength
		}
	}
	if o.Status != OptionOK && !it.hasBad {
		it.hasBad, it.badType, it.badSt, it.badOff, it.badLen = true, o.Type, o.Status, o.Offset, o.Length
	}
	return o, true
}

// Err returns the error of the first option seen so far whose status is
// not OptionOK (see Option.Err), or nil.
func (it *OptionIter) Err() error {
	if !it.hasBad {
		return nil
	}
	return Option{Type: it.badType, Status: it.badSt, Offset: it.badOff, Length: it.badLen}.Err()
}

// All returns the options as a sequence for a range loop; each carries its
// own Status. It walks a copy of it.
func (it OptionIter) All() iter.Seq[Option] {
	return func(yield func(Option) bool) {
		for o, ok := it.Next(); ok; o, ok = it.Next() {
			if !yield(o) {
				return
			}
		}
	}
}

// Find returns the first well-formed option of type t.
func (it OptionIter) Find(t OptionType) (Option, bool) {
	for o, ok := it.Next(); ok; o, ok = it.Next() {
		if o.Type == t && o.Status == OptionOK {
			return o, true
		}
	}
	return Option{}, false
}

// optionLengthOK reports whether length (in units of 8 bytes, not 0) is
// one the RFCs allow for type t. Types without a rule accept any.
func optionLengthOK(t OptionType, length int) bool {
	switch t {
	case OptPrefixInfo:
		return length == 4
	case OptMTU, OptAdvInterval, OptHomeAgentInfo:
		return length == 1
	case OptRouteInfo:
		return length <= 3
	case OptRDNSS:
		return length >= 3 && length%2 == 1
	case OptDNSSL:
		return length >= 2
	case OptPREF64:
		return length == 2
	}
	return true
}

// ok reports whether o is a well-formed option of type t.
func (o Option) ok(t OptionType) bool { return o.Type == t && o.Status == OptionOK }

func (o Option) u32(off int) uint32 { return binary.BigEndian.Uint32(o.Raw[off:]) }

// LinkAddr returns the link-layer address of a source or target
// link-layer address option: the option's data, whose length the link
// decides (6 bytes and no padding on Ethernet). ok is false for another
// option.
func (o Option) LinkAddr() ([]byte, bool) {
	if !(o.ok(OptSourceLinkAddr) || o.ok(OptTargetLinkAddr)) {
		return nil, false
	}
	return o.Data(), true
}

// EthernetAddr returns the link-layer address of a source or target
// link-layer address option as a 6-byte Ethernet address; ok is false for
// another option and for an option of other than 8 bytes.
func (o Option) EthernetAddr() (a [6]byte, ok bool) {
	d, ok := o.LinkAddr()
	if !ok || len(d) != 6 {
		return a, false
	}
	return [6]byte(d), true
}

// PrefixFlags are the flags of a prefix information option.
type PrefixFlags uint8

// Prefix information flags.
const (
	PrefixOnLink     PrefixFlags = 0x80 // L: the prefix is on the link
	PrefixAutonomous PrefixFlags = 0x40 // A: use the prefix for address autoconfiguration
	PrefixRouterAddr PrefixFlags = 0x20 // R: the prefix field is the router's address (RFC 6275)
)

// PrefixInfo is the content of a prefix information option.
type PrefixInfo struct {
	PrefixLen uint8
	Flags     PrefixFlags
	// ValidLifetime and PreferredLifetime are in seconds; 0xffffffff is
	// infinity.
	ValidLifetime, PreferredLifetime uint32
	Prefix                           ipv6.Addr
}

// PrefixInfo returns the content of a prefix information option; ok is
// false for another option or one whose length is not 4.
func (o Option) PrefixInfo() (p PrefixInfo, ok bool) {
	if !o.ok(OptPrefixInfo) {
		return p, false
	}
	return PrefixInfoAt(o.Raw)
}

// PrefixInfoAt reads the fields of a prefix information option from the
// 32 bytes at the start of b, whatever its length byte says: tcpdump reads
// an option of the wrong length so, into what follows it. ok is false
// when b is shorter.
func PrefixInfoAt(b []byte) (p PrefixInfo, ok bool) {
	if len(b) < PrefixInfoLen {
		return p, false
	}
	return PrefixInfo{
		PrefixLen:         b[piPrefixLenOff],
		Flags:             PrefixFlags(b[piFlagsOff]),
		ValidLifetime:     binary.BigEndian.Uint32(b[piValidOff:]),
		PreferredLifetime: binary.BigEndian.Uint32(b[piPreferredOff:]),
		Prefix:            ipv6.Addr(b[piPrefixOff : piPrefixOff+ipv6.AddrLen]),
	}, true
}

// PrefixInfoLen is the length of a prefix information option.
const PrefixInfoLen = piPrefixOff + ipv6.AddrLen

// Word returns the 32-bit value at byte 4 of a whole option, whatever its
// type and length (every whole option has 8 bytes): the MTU of an MTU
// option, the interval of an advertisement interval option, the lifetime
// of an RDNSS or DNSSL option. tcpdump reads it so for an option whose
// length is wrong for its type. It is 0 for an option cut short.
func (o Option) Word() uint32 {
	if len(o.Raw) < optUnit {
		return 0
	}
	return o.u32(optValueOff)
}

// Halves returns the two 16-bit values at bytes 4 and 6 of a whole option
// whatever its type and length, as Word does: the preference and lifetime
// of a home agent information option.
func (o Option) Halves() (uint16, uint16) {
	if len(o.Raw) < optUnit {
		return 0, 0
	}
	return binary.BigEndian.Uint16(o.Raw[4:]), binary.BigEndian.Uint16(o.Raw[6:])
}

// MTU returns the MTU of an MTU option; ok is false for another option or
// one whose length is not 1.
func (o Option) MTU() (uint32, bool) {
	if !o.ok(OptMTU) {
		return 0, false
	}
	return o.u32(optValueOff), true
}

// AdvInterval returns the interval of an advertisement interval option,
// in milliseconds; ok is false for another option or one whose length is
// not 1.
func (o Option) AdvInterval() (uint32, bool) {
	if !o.ok(OptAdvInterval) {
		return 0, false
	}
	return o.u32(optValueOff), true
}

// HomeAgentInfo returns the preference and lifetime (in seconds) of a home
// agent information option; ok is false for another option or one whose
// length is not 1.
func (o Option) HomeAgentInfo() (pref, lifetime uint16, ok bool) {
	if !o.ok(OptHomeAgentInfo) {
		return 0, 0, false
	}
	return binary.BigEndian.Uint16(o.Raw[haiPrefOff:]), binary.BigEndian.Uint16(o.Raw[haiLifetimeOff:]), true
}

// RouteInfo is the content of a route information option.
type RouteInfo struct {
	PrefixLen uint8
	Pref      Preference
	// Lifetime is in seconds; 0xffffffff is infinity.
	Lifetime uint32
	// Prefix holds the 0, 8 or 16 bytes the option carries, zeros after.
	Prefix ipv6.Addr
}

// RouteInfo returns the content of a route information option; ok is
// false for another option or one longer than 3 units.
func (o Option) RouteInfo() (r RouteInfo, ok bool) {
	if !o.ok(OptRouteInfo) {
		return r, false
	}
	r.PrefixLen = o.Raw[rtiPrefixLenOff]
	r.Pref = Preference(o.Raw[rtiFlagsOff]>>3) & 3
	r.Lifetime = o.u32(rtiLifetimeOff)
	copy(r.Prefix[:], o.Raw[rtiPrefixOff:])
	return r, true
}

// RDNSS returns the lifetime (in seconds) and the number of addresses of
// a recursive DNS server option; ok is false for another option or one
// whose length is not odd and at least 3.
func (o Option) RDNSS() (lifetime uint32, n int, ok bool) {
	if !o.ok(OptRDNSS) {
		return 0, 0, false
	}
	return o.u32(optValueOff), (len(o.Raw) - rdnssAddrsOff) / ipv6.AddrLen, true
}

// RDNSSAddr returns the i-th (from 0) address of a recursive DNS server
// option, also of one whose length is even (tcpdump reads those); ok is
// false when there is none.
func (o Option) RDNSSAddr(i int) (a ipv6.Addr, ok bool) {
	off := rdnssAddrsOff + i*ipv6.AddrLen
	if o.Type != OptRDNSS || o.Status > OptionWrongLength || i < 0 || off+ipv6.AddrLen > len(o.Raw) {
		return a, false
	}
	return ipv6.Addr(o.Raw[off : off+ipv6.AddrLen]), true
}

// DNSSL returns the lifetime (in seconds) of a DNS search list option and
// its domain names, uncompressed RFC 1035 names one after another and
// zero padding; ok is false for another option or one shorter than 2
// units.
func (o Option) DNSSL() (lifetime uint32, names []byte, ok bool) {
	if !o.ok(OptDNSSL) {
		return 0, nil, false
	}
	return o.u32(optValueOff), o.Raw[dnsslNamesOff:], true
}

// Nonce returns the nonce of a nonce option (RFC 3971 5.3.2: at least 6
// bytes; RFC 7527's duplicate address detection sends 6); ok is false for
// another option.
func (o Option) Nonce() ([]byte, bool) {
	if !o.ok(OptNonce) {
		return nil, false
	}
	return o.Data(), true
}

// RedirectedHeader returns the packet a redirected header option carries,
// as much of the redirected packet as fits; ok is false for another
// option.
func (o Option) RedirectedHeader() ([]byte, bool) {
	if !o.ok(OptRedirectedHeader) {
		return nil, false
	}
	return o.Raw[min(redirHeaderOff, len(o.Raw)):], true
}

// pref64Lens maps RFC 8781's prefix length codes to prefix lengths.
var pref64Lens = [8]int{96, 64, 56, 48, 40, 32, -1, -1}

// PREF64 returns the NAT64 prefix of a PREF64 option: its lifetime in
// seconds (the scaled lifetime times 8), the prefix (its 96 high bits; the
// rest are zero) and its length in bits. ok is false for another option,
// one whose length is not 2, and one whose prefix length code is not
// assigned.
func (o Option) PREF64() (lifetime uint16, prefix ipv6.Addr, prefixLen int, ok bool) {
	if !o.ok(OptPREF64) {
		return 0, prefix, 0, false
	}
	w := binary.BigEndian.Uint16(o.Raw[pref64WordOff:])
	if prefixLen = pref64Lens[w&7]; prefixLen < 0 {
		return 0, prefix, 0, false
	}
	copy(prefix[:12], o.Raw[pref64PrefixOff:])
	return w &^ 7, prefix, prefixLen, true
}

// AppendOption appends an option of type t with data, padded with zeros to
// a multiple of 8 bytes, to b. data is at most 2038 bytes.
func AppendOption(b []byte, t OptionType, data []byte) []byte {
	n := (optDataOff + len(data) + optUnit - 1) / optUnit * optUnit
	b = append(b, uint8(t), uint8(n/optUnit))
	b = append(b, data...)
	for range n - optDataOff - len(data) {
		b = append(b, 0)
	}
	return b
}

// AppendLinkAddr appends a source or target link-layer address option for
// a link-layer address (6 bytes for Ethernet).
func AppendLinkAddr(b []byte, t OptionType, lladdr []byte) []byte {
	return AppendOption(b, t, lladdr)
}

// AppendNonce appends a nonce option (RFC 7527 uses 6 bytes, which fill
// the option's 8).
func AppendNonce(b []byte, nonce []byte) []byte { return AppendOption(b, OptNonce, nonce) }

// AppendMTU appends an MTU option.
func AppendMTU(b []byte, mtu uint32) []byte {
	return binary.BigEndian.AppendUint32(append(b, uint8(OptMTU), 1, 0, 0), mtu)
}

// AppendPrefixInfo appends a prefix information option.
func AppendPrefixInfo(b []byte, p PrefixInfo) []byte {
	b = append(b, uint8(OptPrefixInfo), 4, p.PrefixLen, uint8(p.Flags))
	b = binary.BigEndian.AppendUint32(b, p.ValidLifetime)
	b = binary.BigEndian.AppendUint32(b, p.PreferredLifetime)
	b = append(b, 0, 0, 0, 0)
	return append(b, p.Prefix[:]...)
}

// AppendRouteInfo appends a route information option (RFC 4191 2.3), as
// short as the prefix length allows: 8, 16 or 24 bytes.
func AppendRouteInfo(b []byte, r RouteInfo) []byte {
	n := 0
	switch {
	case r.PrefixLen > 64:
		n = 16
	case r.PrefixLen > 0:
		n = 8
	}
	b = append(b, uint8(OptRouteInfo), uint8(1+n/optUnit), r.PrefixLen, uint8(r.Pref&3)<<3)
	b = binary.BigEndian.AppendUint32(b, r.Lifetime)
	return append(b, r.Prefix[:n]...)
}

// AppendRDNSS appends a recursive DNS server option (RFC 8106 5.1) for
// addrs, with a lifetime in seconds. addrs holds at most 127 addresses.
func AppendRDNSS(b []byte, lifetime uint32, addrs []ipv6.Addr) []byte {
	b = append(b, uint8(OptRDNSS), uint8(1+2*len(addrs)), 0, 0)
	b = binary.BigEndian.AppendUint32(b, lifetime)
	for _, a := range addrs {
		b = append(b, a[:]...)
	}
	return b
}

// AppendDNSSL appends a DNS search list option (RFC 8106 5.2) for the
// domain names, given dotted ("example.com", a trailing dot allowed),
// with a lifetime in seconds. It fails for an empty label, a label of
// more than 63 bytes, a name of more than 255, or an option longer than
// 2040 bytes.
func AppendDNSSL(b []byte, lifetime uint32, names []string) ([]byte, error) {
	data := binary.BigEndian.AppendUint32([]byte{0, 0}, lifetime)
	for _, name := range names {
		name = strings.TrimSuffix(name, ".")
		start := len(data)
		for label := range strings.SplitSeq(name, ".") {
			if len(label) == 0 || len(label) > 63 {
				return b, fmt.Errorf("icmpv6: domain name %q: label %q", name, label)
			}
			data = append(append(data, uint8(len(label))), label...)
		}
		data = append(data, 0)
		if len(data)-start > 255 {
			return b, fmt.Errorf("icmpv6: domain name %q longer than 255 bytes", name)
		}
	}
	if len(data)+optDataOff > 255*optUnit {
		return b, fmt.Errorf("icmpv6: DNSSL option of %d bytes", len(data)+optDataOff)
	}
	return AppendOption(b, OptDNSSL, data), nil
}
