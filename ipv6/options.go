package ipv6

import (
	"encoding/binary"
	"errors"
	"fmt"
	"iter"
	"strconv"

	"github.com/medina-net/medina/ipv4"
)

// Offsets inside a TLV-encoded option (RFC 8200 section 4.2), named once:
//
//	+-------------+----------------+------------------------------
//	| option type | opt data len   | option data (len bytes) ...
//	+-------------+----------------+------------------------------
//	  0             1                2
//
// The length counts the data only, not the type and length bytes (unlike
// IPv4's and TCP's), and the Pad1 option is the lone type byte 0. The
// TLVs of a segment routing header and the options of a mobility header
// have the same shape.
const (
	tlvTypeOff = 0
	tlvLenOff  = 1
	tlvDataOff = 2
)

// ErrBadOption: an option (or TLV) has no room for its length byte, runs
// past the end of its header, or has a length its type does not allow.
var ErrBadOption = errors.New("ipv6: bad option")

// OptionKind is the option type byte of a hop-by-hop or destination
// option. Its top two bits say what a node that does not know the type
// does (Action), the third whether the data may change en route
// (Mutable).
type OptionKind uint8

// Option types from the IANA registry of destination and hop-by-hop
// options, every one tcpdump 4.99.3 names among them.
const (
	OptPad1             OptionKind = 0x00 // one byte of padding, RFC 8200
	OptPadN             OptionKind = 0x01 // N bytes of padding, RFC 8200
	OptTunnelEncapLimit OptionKind = 0x04 // tunnel encapsulation limit, RFC 2473
	OptRouterAlert      OptionKind = 0x05 // router alert, RFC 2711
	OptCALIPSO          OptionKind = 0x07 // common architecture label IPv6 security option, RFC 5570
	OptSMFDPD           OptionKind = 0x08 // simplified multicast forwarding duplicate packet detection, RFC 6621
	OptIOAM             OptionKind = 0x11 // in situ OAM, RFC 9486
	OptRPL9008          OptionKind = 0x23 // RPL option as RFC 9008 renumbered it
	OptQuickStart       OptionKind = 0x26 // quick-start, RFC 4782
	OptPMTU             OptionKind = 0x30 // path MTU record, RFC 9268
	OptIOAMMutable      OptionKind = 0x31 // in situ OAM, changing en route, RFC 9486
	OptRPL              OptionKind = 0x63 // RPL option, RFC 6553
	OptMPL              OptionKind = 0x6d // multicast protocol for low-power networks, RFC 7731
	OptEID              OptionKind = 0x8a // endpoint identification, deprecated
	OptILNPNonce        OptionKind = 0x8b // ILNP nonce, RFC 6744
	OptLineID           OptionKind = 0x8c // line identification, RFC 6788
	OptJumbo            OptionKind = 0xc2 // jumbo payload, RFC 2675
	OptNSAPAddr         OptionKind = 0xc3 // NSAP address, RFC 1888, deprecated
	OptHomeAddress      OptionKind = 0xc9 // home address, RFC 6275
	OptIPDFF            OptionKind = 0xee // depth-first forwarding, RFC 6971
)

// OptionAction is what a node does with a packet carrying an option whose
// type it does not know: the top two bits of the type (RFC 8200 4.2).
type OptionAction uint8

// Option actions.
const (
	// ActionSkip: skip over the option and go on with the header.
	ActionSkip OptionAction = 0
	// ActionDiscard: discard the packet.
	ActionDiscard OptionAction = 1
	// ActionDiscardICMP: discard the packet and, whatever its
	// destination, send an ICMPv6 parameter problem, code 2, pointing at
	// the option type.
	ActionDiscardICMP OptionAction = 2
	// ActionDiscardICMPUnicast: discard the packet and send the parameter
	// problem only if its destination was not a multicast address.
	ActionDiscardICMPUnicast OptionAction = 3
)

// Action returns what a node that does not know the option type does.
func (k OptionKind) Action() OptionAction { return OptionAction(k >> 6) }

// Mutable reports whether the option's data may change en route, and is
// then taken as zeros by an authentication header's integrity check.
func (k OptionKind) Mutable() bool { return k&0x20 != 0 }

// optionNames are the names String gives: tcpdump 4.99.3's where it
// prints one ("pad1", "padn", "rtalert", "jumbo", "homeaddr"), short forms
// of the IANA names for the others.
var optionNames = [256]string{
	OptPad1:             "pad1",
	OptPadN:             "padn",
	OptTunnelEncapLimit: "tunnel-encap-limit",
	OptRouterAlert:      "rtalert",
	OptCALIPSO:          "calipso",
	OptSMFDPD:           "smf-dpd",
	OptIOAM:             "ioam",
	OptRPL9008:          "rpl",
	OptQuickStart:       "quick-start",
	OptPMTU:             "pmtu",
	OptIOAMMutable:      "ioam",
	OptRPL:              "rpl",
	OptMPL:              "mpl",
	OptEID:              "eid",
	OptILNPNonce:        "ilnp-nonce",
	OptLineID:           "line-id",
	OptJumbo:            "jumbo",
	OptNSAPAddr:         "nsap-addr",
	OptHomeAddress:      "homeaddr",
	OptIPDFF:            "ip-dff",
}

// Known reports whether String has a name for k.
func (k OptionKind) Known() bool { return optionNames[k] != "" }

// String returns the name of k; see AppendTo.
func (k OptionKind) String() string {
	if s := optionNames[k]; s != "" {
		return s
	}
	return string(k.AppendTo(nil))
}

// AppendTo appends the name of k without allocating: tcpdump's for the
// five types it prints by name, a short form of the IANA name for the
// other known ones, and "opt_type 0xNN" (tcpdump's words) for the rest.
func (k OptionKind) AppendTo(b []byte) []byte {
	if s := optionNames[k]; s != "" {
		return append(b, s...)
	}
	return append(append(b, "opt_type 0x"...), hexDigits[k>>4], hexDigits[k&0xf])
}

// OptionStatus says whether an option (or TLV) is well formed and, when
// it is not, what is wrong with it; the statuses are tcp's.
type OptionStatus uint8

// Option statuses. After OptionBadLength, OptionPastEnd or
// OptionTruncated the walk stops: where the next option starts is
// unknown.
const (
	// OptionOK: the option fits and its length is right for its type.
	OptionOK OptionStatus = iota
	// OptionWrongLength: the option fits, but its length is not one its
	// type allows (a router alert whose data is not 2 bytes, ...). The
	// walk goes on after it.
	OptionWrongLength
	// OptionBadLength: the type byte is the last byte of the header, so
	// there is no length byte.
	OptionBadLength
	// OptionPastEnd: the length runs past the end of the header.
	OptionPastEnd
	// OptionTruncated: the option lies within the header as its length
	// says it, but the capture ends inside the option (or before it).
	OptionTruncated
)

var optionStatusNames = [...]string{"ok", "wrong length", "bad length", "past end of header", "truncated"}

// String names the status.
func (s OptionStatus) String() string {
	if int(s) < len(optionStatusNames) {
		return optionStatusNames[s]
	}
	return "OptionStatus(" + strconv.Itoa(int(s)) + ")"
}

// tlvStep reads the TLV at off in b, whose area ends at end as its header
// says (b may end sooner, cut by a capture). It returns the TLV's type
// and length byte, its bytes clipped to the area and to b, its status, and
// the offset of the TLV after it (meaningful when the status is
// OptionOK). off must be below end.
func tlvStep(b []byte, off, end int) (typ uint8, length int, raw []byte, st OptionStatus, next int) {
	capEnd := min(end, len(b))
	switch {
	case off >= capEnd:
		return 0, 0, nil, OptionTruncated, off
	case b[off] == 0: // Pad1 has no length byte
		return 0, 0, b[off : off+1], OptionOK, off + 1
	case off+tlvLenOff >= end:
		return b[off], 0, b[off : off+1], OptionBadLength, off
	case off+tlvLenOff >= capEnd:
		return b[off], 0, b[off : off+1], OptionTruncated, off
	}
	typ, length = b[off], int(b[off+tlvLenOff])
	next = off + tlvDataOff + length
	switch {
	case next > end:
		return typ, length, b[off:capEnd], OptionPastEnd, off
	case next > capEnd:
		return typ, length, b[off:capEnd], OptionTruncated, off
	}
	return typ, length, b[off:next], OptionOK, next
}

// Option is one option of a hop-by-hop or destination options header as
// OptionIter found it. Raw, and what Data returns, alias the packet.
type Option struct {
	// Kind is the option type. It is 0 when the capture ended before it;
	// Raw is then empty and Status OptionTruncated.
	Kind OptionKind
	// Status says whether the option is well formed.
	Status OptionStatus
	// Offset is where the type byte is: from the start of the extension
	// header for an iterator from Ext.Options (the first option is at 2),
	// from the start of the bytes given to NewOptionIter otherwise. Add
	// the header's Ext.Offset for the offset in the packet that an ICMPv6
	// parameter problem points at.
	Offset int
	// Length is the opt data len byte as sent: the length of the data,
	// without the type and length bytes (unlike TCP's and IPv4's); 0 for
	// Pad1 and when there is no length byte.
	Length int
	// Raw is the whole option (type, length and data), clipped to the
	// header and to what was captured.
	Raw []byte
}

// Data returns the option's data: Raw after the type and length bytes.
func (o Option) Data() []byte { return o.Raw[min(tlvDataOff, len(o.Raw)):] }

// Err returns nil for a well-formed option and otherwise an error that
// names the option, its offset and what is wrong, wrapping ErrBadOption or
// (for OptionTruncated) ErrTruncated. The error is built when Err is
// called, so a walk over malformed options does not allocate.
func (o Option) Err() error {
	return tlvErr(o.Status, o.Kind.String(), uint8(o.Kind), o.Offset, o.Length, len(o.Raw), "option")
}

// tlvErr builds Option.Err's and TLV.Err's error.
func tlvErr(st OptionStatus, name string, typ uint8, off, length, raw int, what string) error {
	var why string
	switch st {
	case OptionOK:
		return nil
	case OptionTruncated:
		if raw == 0 {
			return fmt.Errorf("%w: %s at offset %d not captured", ErrTruncated, what, off)
		}
		return fmt.Errorf("%w: %s %q (type %d) at offset %d: %d of its bytes captured", ErrTruncated, what, name, typ, off, raw)
	case OptionWrongLength:
		why = fmt.Sprintf("data length %d is wrong for the type", length)
	case OptionBadLength:
		why = "no room for the length byte"
	case OptionPastEnd:
		why = fmt.Sprintf("data length %d runs past the end of the header", length)
	default:
		why = st.String()
	}
	return fmt.Errorf("%w: %s %q (type %d) at offset %d: %s", ErrBadOption, what, name, typ, off, why)
}

// OptionIter walks the options of a hop-by-hop or destination options
// header, one option at a time, the way tcp.OptionIter walks TCP's. The
// zero value is an empty list. It never panics and never allocates,
// whatever the bytes.
type OptionIter struct {
	b    []byte // the captured bytes: the header from its start, or bare options
	off  int    // offset of the next option in b
	end  int    // end of the option area in b as the header says it
	done bool
	// The first option whose status is not OptionOK, kept field by field
	// for Err: a whole Option copied into the iterator makes every
	// iterator a third bigger to make and pass.
	hasBad            bool
	badKind           OptionKind
	badStatus         OptionStatus
	badOff, badLength int
	badRaw            int
}

// NewOptionIter returns an iterator over bare option bytes, taken to be
// entirely captured: the option area of a header (its bytes after the
// first two), or options being built.
func NewOptionIter(b []byte) OptionIter { return OptionIter{b: b, end: len(b)} }

// Offset returns the offset where the next option starts.
func (it *OptionIter) Offset() int { return it.off }

// Seek makes the iterator go on at offset off, even after it stopped.
func (it *OptionIter) Seek(off int) {
	it.off = max(off, 0)
	it.done = false
}

// Next returns the next option and true, or false at the end of the
// option area or after an option whose status stops the walk.
func (it *OptionIter) Next() (o Option, ok bool) {
	if it.done || it.off >= it.end {
		it.done = true
		return o, false
	}
	typ, length, raw, st, next := tlvStep(it.b, it.off, it.end)
	o = Option{Kind: OptionKind(typ), Status: st, Offset: it.off, Length: length, Raw: raw}
	if st != OptionOK {
		it.done = true
		it.noteBad(o)
		return o, true
	}
	it.off = next
	if !optionLengthOK(o.Kind, o.Raw[min(tlvDataOff, len(o.Raw)):]) {
		o.Status = OptionWrongLength
		it.noteBad(o)
	}
	return o, true
}

// noteBad records the first option whose status is not OptionOK.
func (it *OptionIter) noteBad(o Option) {
	if !it.hasBad {
		it.hasBad, it.badKind, it.badStatus, it.badOff, it.badLength, it.badRaw = true, o.Kind, o.Status, o.Offset, o.Length, len(o.Raw)
	}
}

// Err returns the error of the first option seen so far whose status is
// not OptionOK (see Option.Err), or nil.
func (it *OptionIter) Err() error {
	if !it.hasBad {
		return nil
	}
	return tlvErr(it.badStatus, it.badKind.String(), uint8(it.badKind), it.badOff, it.badLength, it.badRaw, "option")
}

// All returns the options as a sequence for a range loop; each carries its
// own Status. It walks a copy of it, so it starts where it stands and
// does not move it.
func (it OptionIter) All() iter.Seq[Option] {
	return func(yield func(Option) bool) {
		for o, ok := it.Next(); ok; o, ok = it.Next() {
			if !yield(o) {
				return
			}
		}
	}
}

// Lengths of option data that the RFCs fix.
const (
	jumboDataLen       = 4
	routerAlertDataLen = 2
	tunnelLimitDataLen = 1
	quickStartDataLen  = 6
	pmtuDataLen        = 4
	calipsoFixedLen    = 8 // DOI, compartment length, sensitivity level, checksum
	rplMinDataLen      = 4
)

// optionLengthOK reports whether the data of a whole option has a length
// its type allows. Types without a rule accept any length.
func optionLengthOK(k OptionKind, data []byte) bool {
	n := len(data)
	switch k {
	case OptJumbo:
		return n == jumboDataLen
	case OptRouterAlert:
		return n == routerAlertDataLen
	case OptTunnelEncapLimit:
		return n == tunnelLimitDataLen
	case OptQuickStart:
		return n == quickStartDataLen
	case OptPMTU:
		return n == pmtuDataLen
	case OptHomeAddress:
		return n >= AddrLen
	case OptRPL, OptRPL9008:
		return n >= rplMinDataLen
	case OptCALIPSO:
		// The compartment length counts 32-bit words of bitmap.
		return n >= calipsoFixedLen && n == calipsoFixedLen+4*int(data[4])
	}
	return true
}

// The typed accessors below read the data of an option of their type.
// They report false for another type and for an option whose Status is
// not OptionOK, so a caller that takes their values never sees a
// malformed option. A printer that shows malformed options reads Data.

// ok reports whether o is a well-formed option of type k.
func (o Option) ok(k OptionKind) bool { return o.Kind == k && o.Status == OptionOK }

// Jumbo returns the payload length of a jumbo payload option (RFC 2675).
func (o Option) Jumbo() (uint32, bool) {
	if !o.ok(OptJumbo) {
		return 0, false
	}
	return binary.BigEndian.Uint32(o.Raw[tlvDataOff:]), true
}

// Router alert values (RFC 2711, RFC 5350).
const (
	RouterAlertMLD  = 0 // the packet holds a Multicast Listener Discovery message
	RouterAlertRSVP = 1 // the packet holds an RSVP message
	RouterAlertAN   = 2 // the packet holds an active networks message
)

// RouterAlert returns the value of a router alert option.
func (o Option) RouterAlert() (uint16, bool) {
	if !o.ok(OptRouterAlert) {
		return 0, false
	}
	return binary.BigEndian.Uint16(o.Raw[tlvDataOff:]), true
}

// TunnelEncapLimit returns how many further levels of encapsulation a
// tunnel encapsulation limit option allows (RFC 2473 5.1).
func (o Option) TunnelEncapLimit() (uint8, bool) {
	if !o.ok(OptTunnelEncapLimit) {
		return 0, false
	}
	return o.Raw[tlvDataOff], true
}

// HomeAddress returns the mobile node's home address of a home address
// option (RFC 6275 6.3), and the sub-options after it.
func (o Option) HomeAddress() (a Addr, subOptions []byte, ok bool) {
	if !o.ok(OptHomeAddress) {
		return a, nil, false
	}
	d := o.Raw[tlvDataOff:]
	return Addr(d[:AddrLen]), d[AddrLen:], true
}

// CALIPSO is the data of a CALIPSO option (RFC 5570 5.1).
type CALIPSO struct {
	// DOI is the domain of interpretation.
	DOI uint32
	// SensitivityLevel is the sensitivity level.
	SensitivityLevel uint8
	// Checksum is the CRC-16 over the option.
	Checksum uint16
	// Compartments is the compartment bitmap, a multiple of 4 bytes.
	Compartments []byte
}

// CALIPSO returns the data of a CALIPSO option.
func (o Option) CALIPSO() (c CALIPSO, ok bool) {
	if !o.ok(OptCALIPSO) {
		return c, false
	}
	d := o.Raw[tlvDataOff:]
	return CALIPSO{
		DOI:              binary.BigEndian.Uint32(d),
		SensitivityLevel: d[5],
		Checksum:         binary.BigEndian.Uint16(d[6:]),
		Compartments:     d[calipsoFixedLen:],
	}, true
}

// QuickStart is the data of a quick-start option (RFC 4782 3.1).
type QuickStart struct {
	// Func is the function: 0 a rate request, 8 a rate report.
	Func uint8
	// Rate is the 4-bit rate request (or report) code.
	Rate uint8
	// TTL is the QS TTL.
	TTL uint8
	// Nonce is the 30-bit QS nonce.
	Nonce uint32
}

// QuickStart returns the data of a quick-start option.
func (o Option) QuickStart() (q QuickStart, ok bool) {
	if !o.ok(OptQuickStart) {
		return q, false
	}
	d := o.Raw[tlvDataOff:]
	return QuickStart{Func: d[0] >> 4, Rate: d[0] & 0x0f, TTL: d[1], Nonce: binary.BigEndian.Uint32(d[2:]) >> 2}, true
}

// RPLInfo returns the fields of an RPL option (RFC 6553 3, either type
// number): the O, R and F flags in the top 3 bits of flags, the RPL
// instance and the sender's rank.
func (o Option) RPLInfo() (flags, instance uint8, senderRank uint16, ok bool) {
	if o.Kind != OptRPL && o.Kind != OptRPL9008 || o.Status != OptionOK {
		return 0, 0, 0, false
	}
	d := o.Raw[tlvDataOff:]
	return d[0], d[1], binary.BigEndian.Uint16(d[2:]), true
}

// The Append functions encode an option onto b and return the extended
// slice, the way the append built-in does; they allocate only when b lacks
// the capacity. Options have alignment requirements (RFC 8200 4.2: the
// jumbo option at 4n+2, the router alert at 2n): put AppendPad before an
// option that needs it. EncodeOptions then pads the header to a multiple
// of 8.

// AppendPad appends n bytes of padding: nothing for 0, a Pad1 option for
// 1, a PadN option of n bytes (zero data) otherwise. n must be below 258.
func AppendPad(b []byte, n int) []byte {
	switch {
	case n <= 0:
		return b
	case n == 1:
		return append(b, byte(OptPad1))
	}
	b = append(b, byte(OptPadN), byte(n-tlvDataOff))
	for range n - tlvDataOff {
		b = append(b, 0)
	}
	return b
}

// putPad fills b with padding, as AppendPad appends it.
func putPad(b []byte) {
	switch len(b) {
	case 0:
	case 1:
		b[0] = byte(OptPad1)
	default:
		b[0], b[1] = byte(OptPadN), byte(len(b)-tlvDataOff)
		clear(b[tlvDataOff:])
	}
}

// AppendOption appends an option of type k with the given data, which
// must be at most 255 bytes.
func AppendOption(b []byte, k OptionKind, data []byte) []byte {
	return append(append(b, byte(k), byte(len(data))), data...)
}

// AppendRouterAlert appends a router alert option (RouterAlertMLD for an
// MLD message).
func AppendRouterAlert(b []byte, v uint16) []byte {
	return append(b, byte(OptRouterAlert), routerAlertDataLen, byte(v>>8), byte(v))
}

// AppendJumbo appends a jumbo payload option.
func AppendJumbo(b []byte, n uint32) []byte {
	return binary.BigEndian.AppendUint32(append(b, byte(OptJumbo), jumboDataLen), n)
}

// AppendTunnelEncapLimit appends a tunnel encapsulation limit option.
func AppendTunnelEncapLimit(b []byte, limit uint8) []byte {
	return append(b, byte(OptTunnelEncapLimit), tunnelLimitDataLen, limit)
}

// EncodeOptions writes a hop-by-hop or destination options header into b:
// next as its next header, the options, then padding up to a multiple of
// 8 bytes. It returns the header's length. The error wraps ErrTruncated
// when b is too short and ErrBadOption when the options do not fit the
// 2048 bytes the length field can say.
func EncodeOptions(b []byte, next ipv4.Protocol, opts []byte) (int, error) {
	n := (2 + len(opts) + 7) &^ 7
	switch {
	case n > maxExtLen:
		return 0, fmt.Errorf("%w: %d bytes of options, room for %d", ErrBadOption, len(opts), maxExtLen-2)
	case len(b) < n:
		return 0, fmt.Errorf("%w: buffer of %d bytes, header needs %d", ErrTruncated, len(b), n)
	}
	copy(b[2:], opts) // first, in case opts already sits at b[2:]
	b[0], b[1] = byte(next), byte(n/8-1)
	putPad(b[2+len(opts) : n])
	return n, nil
}

// TLV is one TLV of a segment routing header or one option of a mobility
// header as TLVIter found it: the same shape as an Option, with a type
// whose meaning depends on the header (SRHTLVType, MobilityOptionType).
type TLV struct {
	// Type is the type byte (0, Pad1 in both registries, when the capture
	// ended before it).
	Type uint8
	// Status says whether the TLV is whole and within its header; a TLV
	// walk knows no lengths by type, so it is never OptionWrongLength.
	Status OptionStatus
	// Offset is where the TLV starts, from the start of its header.
	Offset int
	// Length is the length byte: the length of the data.
	Length int
	// Raw is the whole TLV, clipped to the header and to what was
	// captured.
	Raw []byte
}

// Data returns the TLV's data: Raw after the type and length bytes.
func (t TLV) Data() []byte { return t.Raw[min(tlvDataOff, len(t.Raw)):] }

// Err returns nil for a well-formed TLV and otherwise the error that says
// what is wrong, as Option.Err does.
func (t TLV) Err() error {
	return tlvErr(t.Status, "tlv-"+strconv.Itoa(int(t.Type)), t.Type, t.Offset, t.Length, len(t.Raw), "TLV")
}

// TLVIter walks the TLVs of a segment routing header or the options of a
// mobility header, as OptionIter walks options. It never panics and never
// allocates.
type TLVIter struct {
	b        []byte
	off, end int
	done     bool
}

// NewTLVIter returns an iterator over bare TLV bytes, taken to be entirely
// captured.
func NewTLVIter(b []byte) TLVIter { return TLVIter{b: b, end: len(b)} }

// Offset returns the offset where the next TLV starts.
func (it *TLVIter) Offset() int { return it.off }

// Next returns the next TLV and true, or false at the end of the area or
// after a TLV whose status stops the walk.
func (it *TLVIter) Next() (t TLV, ok bool) {
	if it.done || it.off >= it.end {
		it.done = true
		return t, false
	}
	typ, length, raw, st, next := tlvStep(it.b, it.off, it.end)
	t = TLV{Type: typ, Status: st, Offset: it.off, Length: length, Raw: raw}
	if st != OptionOK {
		it.done = true
	}
	it.off = next
	return t, true
}

// All returns the TLVs as a sequence for a range loop, walking a copy of
// it.
func (it TLVIter) All() iter.Seq[TLV] {
	return func(yield func(TLV) bool) {
		for t, ok := it.Next(); ok; t, ok = it.Next() {
			if !yield(t) {
				return
			}
		}
	}
}

// Span returns the first n bytes of t's data, read the way tcpdump reads
// an option of a type whose size it knows: past t's length byte if need
// be, within the iterator's area. st is OptionOK when the n bytes lie
// within the area and were captured, OptionPastEnd when they run past the
// area, OptionTruncated when the capture ends first; b is then what there
// is of them. It is for a printer that shows malformed options as tcpdump
// does (a mobility option whose length byte is too small for its type);
// the walk is not moved.
func (it *TLVIter) Span(t TLV, n int) (b []byte, st OptionStatus) {
	off := t.Offset + tlvDataOff
	end := off + max(n, 0)
	capEnd := min(it.end, len(it.b))
	b = it.b[min(off, capEnd):min(end, capEnd)]
	switch {
	case end > it.end:
		return b, OptionPastEnd
	case end > capEnd:
		return b, OptionTruncated
	}
	return b, OptionOK
}
