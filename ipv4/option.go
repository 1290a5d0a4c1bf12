package ipv4

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"iter"
	"strconv"
)

// Offsets inside an option, named once.
const (
	optLenOff     = 1 // length byte of every option but EOL and NOP
	optPointerOff = 2 // pointer of RR, LSRR, SSRR and timestamp options
	optTSFlagsOff = 3 // overflow (high nibble) and flag (low nibble) of a timestamp option
	routeDataOff  = 3 // first address of a route option
	tsDataOff     = 4 // first entry of a timestamp option
)

// OptionKind is the type byte of an IPv4 option: a copied flag, a 2-bit
// class and a 5-bit number (RFC 791 section 3.1).
type OptionKind uint8

// Option kinds from the IANA registry.
const (
	OptEOL         OptionKind = 0   // end of option list
	OptNOP         OptionKind = 1   // no operation
	OptRR          OptionKind = 7   // record route
	OptMTUProbe    OptionKind = 11  // RFC 1063, obsolete
	OptMTUReply    OptionKind = 12  // RFC 1063, obsolete
	OptQuickStart  OptionKind = 25  // RFC 4782
	OptTimestamp   OptionKind = 68  // internet timestamp
	OptTraceroute  OptionKind = 82  // RFC 1393
	OptSecurity    OptionKind = 130 // RFC 1108 basic security
	OptLSRR        OptionKind = 131 // loose source and record route
	OptExtSecurity OptionKind = 133 // RFC 1108 extended security
	OptCIPSO       OptionKind = 134 // commercial IP security option
	OptStreamID    OptionKind = 136 // SATNET stream identifier
	OptSSRR        OptionKind = 137 // strict source and record route
	OptRouterAlert OptionKind = 148 // RFC 2113
)

// Copied reports whether a router copies the option into every fragment.
func (k OptionKind) Copied() bool { return k&0x80 != 0 }

// Class returns the option class: 0 control, 2 debugging and measurement.
func (k OptionKind) Class() uint8 { return uint8(k>>5) & 3 }

// Number returns the option number, the low 5 bits of the kind.
func (k OptionKind) Number() uint8 { return uint8(k) & 0x1f }

// IsSourceRoute reports whether k is LSRR or SSRR.
func (k OptionKind) IsSourceRoute() bool { return k == OptLSRR || k == OptSSRR }

// String returns the name tcpdump 4.99.3 prints for k ("EOL", "NOP", "RR",
// "LSRR", "SSRR", "timestamp", "security", "RA", "traceroute"), or
// "unknown N" for the kinds it does not name, so that netdump can print it
// unchanged; see AppendTo.
func (k OptionKind) String() string {
	if s := k.name(); s != "" {
		return s
	}
	return string(k.AppendTo(nil))
}

// AppendTo appends the name String returns, without allocating.
func (k OptionKind) AppendTo(b []byte) []byte {
	if s := k.name(); s != "" {
		return append(b, s...)
	}
	return strconv.AppendUint(append(b, "unknown "...), uint64(k), 10)
}

// name returns the name tcpdump 4.99.3 gives k, or "".
func (k OptionKind) name() string {
	switch k {
	case OptEOL:
		return "EOL"
	case OptNOP:
		return "NOP"
	case OptRR:
		return "RR"
	case OptLSRR:
		return "LSRR"
	case OptSSRR:
		return "SSRR"
	case OptTimestamp:
		return "timestamp"
	case OptSecurity:
		return "security"
	case OptRouterAlert:
		return "RA"
	case OptTraceroute:
		return "traceroute"
	}
	return ""
}

// TSFlag is the flag nibble of a timestamp option: what each entry holds.
type TSFlag uint8

// Timestamp option flags (RFC 791).
const (
	TSOnly    TSFlag = 0 // 32-bit timestamps only
	TSAndAddr TSFlag = 1 // each timestamp preceded by the recording address
	TSPrespec TSFlag = 3 // addresses prespecified by the sender
)

// EntryLen returns the length of one timestamp entry: 4 bytes for TSOnly,
// 8 (address and timestamp) otherwise.
func (f TSFlag) EntryLen() int {
	if f == TSOnly {
		return 4
	}
	return 8
}

// ErrBadOptionLength: an option's length byte is below 2, or says more
// than the options area has left.
var ErrBadOptionLength = errors.New("ipv4: bad option length")

// OptionStatus says whether an option is whole and well formed, as
// Next's error does, for a walk that does not allocate (OptionIter.All).
type OptionStatus uint8

// Option statuses. The walk stops after an option whose status is not
// OptionOK, because where the next option starts is unknown.
const (
	// OptionOK: the option is whole, within the options area and the
	// buffer.
	OptionOK OptionStatus = iota
	// OptionBadLength: the length byte is below 2, or says more than the
	// options area has left (Next's error wraps ErrBadOptionLength).
	OptionBadLength
	// OptionTruncated: the options area says there is more, but the buffer
	// ends before the option, before its length byte or inside it (Next's
	// error wraps ErrTruncated).
	OptionTruncated
)

// Option is one option as OptionIter yields it.
type Option struct {
	Kind OptionKind
	// Len is the option's length as its length byte says it, 1 for EOL and
	// NOP, and 0 when the buffer ends before the length byte.
	Len int
	// Offset is where the option starts in the slice the iterator walks:
	// in the header for Header.OptionIter (the first option is at 20), in
	// the option bytes for NewOptionIter.
	Offset int
	// Bytes holds the option from its kind byte: Len bytes when it is well
	// formed, fewer when it runs past the options area or the buffer. Even
	// then it has the length byte if the buffer does, which a printer of a
	// malformed option shows.
	Bytes []byte
	// Status says whether the option is whole and well formed.
	Status OptionStatus

	// rest is the slice walked from the option's start to its end, for
	// the slots tcpdump reads past an option's length; end and bufLen
	// are the end of the options area and of the buffer, for Err.
	rest        []byte
	end, bufLen int
}

// Err returns nil for an option whose Status is OptionOK and otherwise
// the error Next returns with it, which says what is wrong and where,
// wrapping ErrBadOptionLength or ErrTruncated. It is built when Err is
// called, so a walk with All does not allocate for malformed options.
func (o Option) Err() error {
	off := o.Offset
	switch {
	case o.Status == OptionOK:
		return nil
	case o.Status == OptionTruncated && len(o.Bytes) == 0:
		return fmt.Errorf("%w: option at offset %d: buffer ends at %d", ErrTruncated, off, o.bufLen)
	case o.Status == OptionTruncated && len(o.Bytes) == 1:
		return fmt.Errorf("%w: %v option at offset %d: buffer ends before its length byte", ErrTruncated, o.Kind, off)
	case o.Status == OptionTruncated:
		return fmt.Errorf("%w: %v option at offset %d: length %d, buffer ends at %d", ErrTruncated, o.Kind, off, o.Len, o.bufLen)
	case o.Len < 2:
		return fmt.Errorf("%w: %v option at offset %d: length %d < 2", ErrBadOptionLength, o.Kind, off, o.Len)
	}
	return fmt.Errorf("%w: %v option at offset %d: length %d, %d bytes left", ErrBadOptionLength, o.Kind, off, o.Len, o.end-off)
}

// Data returns the option's bytes after the kind and length bytes.
func (o Option) Data() []byte {
	if len(o.Bytes) < 2 {
		return nil
	}
	return o.Bytes[2:]
}

// Truncated reports whether Bytes holds less of the option than Len says.
func (o Option) Truncated() bool { return len(o.Bytes) < o.Len }

// Pointer returns the third byte of the option, which for RR, LSRR, SSRR
// and timestamp options points one past the next slot to fill, counted
// from 1 at the kind byte. ok is false when the option is too short.
func (o Option) Pointer() (ptr uint8, ok bool) {
	if len(o.Bytes) <= optPointerOff {
		return 0, false
	}
	return o.Bytes[optPointerOff], true
}

// RouteAddr returns the i-th address (from 0) of a RR, LSRR or SSRR
// option. ok is false past the end of Bytes.
func (o Option) RouteAddr(i int) (a Addr, ok bool) {
	off := routeDataOff + 4*i
	if i < 0 || off+4 > len(o.Bytes) {
		return a, false
	}
	return Addr(o.Bytes[off : off+4]), true
}

// TSFlags returns the overflow count (hops that could not record, the high
// nibble of the fourth byte) and the flag (the low nibble) of a timestamp
// option. ok is false when the option is too short.
func (o Option) TSFlags() (overflow uint8, flag TSFlag, ok bool) {
	if len(o.Bytes) <= optTSFlagsOff {
		return 0, 0, false
	}
	b := o.Bytes[optTSFlagsOff]
	return b >> 4, TSFlag(b & 0x0f), true
}

// TSEntry returns the i-th entry (from 0) of a timestamp option: the
// address (zero for TSOnly) and the timestamp, laid out as the flag says.
// ok is false when the option is too short for the flag byte or the entry.
func (o Option) TSEntry(i int) (a Addr, ts uint32, ok bool) {
	_, flag, ok := o.TSFlags()
	if !ok || i < 0 {
		return a, 0, false
	}
	n := flag.EntryLen()
	off := tsDataOff + n*i
	if off+n > len(o.Bytes) {
		return a, 0, false
	}
	if n == 8 {
		a = Addr(o.Bytes[off : off+4])
	}
	return a, binary.BigEndian.Uint32(o.Bytes[off+n-4:]), true
}

// RouterAlert returns the 16-bit value of a router alert option (0: every
// router examines the packet). ok is false when the option is too short.
func (o Option) RouterAlert() (v uint16, ok bool) {
	if len(o.Bytes) < 4 {
		return 0, false
	}
	return binary.BigEndian.Uint16(o.Bytes[2:]), true
}

// OptionIter walks the options of a header, one option per call to Next.
// It never reads past the options area or the buffer: a malformed option
// stops the walk with an error rather than a panic.
type OptionIter struct {
	b    []byte // the slice walked: the header, or bare option bytes
	off  int    // offset of the next option in b
	end  int    // end of the options area in b, as the header length says
	done bool   // EOL seen, or an error returned
}

// OptionIter returns an iterator over the options of h, from byte 20 to
// the header length. The options area may run past the buffer, when a
// capture cut the header short; the iterator then reports ErrTruncated at
// the option the cut falls in.
func (h Header) OptionIter() OptionIter {
	return OptionIter{b: h, off: MinHeaderLen, end: max(MinHeaderLen, h.HeaderLen())}
}

// NewOptionIter returns an iterator over bare option bytes, such as
// Fields.Options.
func NewOptionIter(opts []byte) OptionIter {
	return OptionIter{b: opts, end: len(opts)}
}

// Next returns the next option. At the end of the options area, and after
// an EOL option or an error, it returns io.EOF. An option whose length byte
// is below 2 or says more than the options area has left is returned with
// an error wrapping ErrBadOptionLength; one that fits the area but runs
// past the end of the buffer, with an error wrapping ErrTruncated. The
// option is returned with the error so that a printer can show it (when
// the buffer ends before its kind byte, only Offset is set and Bytes is
// empty); the walk stops there, because where the next option starts is
// unknown. The error is Option.Err, which allocates; All walks the same
// options without.
func (it *OptionIter) Next() (Option, error) {
	o, ok := it.step()
	if !ok {
		return Option{}, io.EOF
	}
	return o, o.Err()
}

// All returns the options as a sequence for a range loop, each with its
// Status, the walk stopping after one that is not OptionOK as Next's does.
// It walks a copy of it, so it starts where it stands and does not move
// it, and it does not allocate.
func (it OptionIter) All() iter.Seq[Option] {
	return func(yield func(Option) bool) {
		for o, ok := it.step(); ok; o, ok = it.step() {
			if !yield(o) {
				return
			}
		}
	}
}

// step returns the next option with its Status, and false at the end.
func (it *OptionIter) step() (Option, bool) {
	if it.done || it.off >= it.end {
		it.done = true
		return Option{}, false
	}
	off := it.off
	o := Option{Offset: off, end: it.end, bufLen: len(it.b)}
	if off >= len(it.b) {
		it.done = true
		o.Status = OptionTruncated
		return o, true
	}
	o.Kind = OptionKind(it.b[off])
	o.rest = it.b[off:]
	if o.Kind == OptEOL || o.Kind == OptNOP {
		o.Len = 1
		o.Bytes = it.b[off : off+1]
		it.off++
		it.done = o.Kind == OptEOL // what follows EOL is padding
		return o, true
	}
	if off+optLenOff >= len(it.b) {
		it.done = true
		o.Bytes = it.b[off : off+1]
		o.Status = OptionTruncated
		return o, true
	}
	o.Len = int(it.b[off+optLenOff])
	// Bytes keeps the length byte even when it lies past the options area,
	// and otherwise stops at the area's end and the buffer's.
	o.Bytes = it.b[off:max(off+2, min(off+o.Len, it.end, len(it.b)))]
	switch {
	case o.Len < 2 || off+o.Len > it.end:
		it.done = true
		o.Status = OptionBadLength
	case off+o.Len > len(it.b):
		it.done = true
		o.Status = OptionTruncated
	default:
		it.off += o.Len
	}
	return o, true
}

// RouteSlot returns the address in the i-th slot (from 0) of an RR, LSRR
// or SSRR option the way tcpdump 4.99.3 reads it: the 4 bytes at 3 + 4i
// from the option's start, which for the last slot of an option whose
// length is not 3 + 4n lie partly past the option, in what follows it in
// the buffer. A printer asks for the slots that start within Len; ok is
// false when the 4 bytes run past the end of the buffer. RouteAddr reads
// within the option only.
func (o Option) RouteSlot(i int) (a Addr, ok bool) {
	off := routeDataOff + 4*i
	if i < 0 || off+4 > len(o.rest) {
		return a, false
	}
	return Addr(o.rest[off : off+4]), true
}

// TSSlot returns the i-th entry (from 0) of a timestamp option the way
// tcpdump 4.99.3 reads it, as RouteSlot does a route's: the entry of the
// size the flag gives at 4 + size × i, the address first when the entry
// has one (zero for TSOnly), even where the entry runs past the option.
// ok is false when the flag byte or the entry runs past the end of the
// buffer. TSEntry reads within the option only.
func (o Option) TSSlot(i int) (a Addr, ts uint32, ok bool) {
	if len(o.rest) <= optTSFlagsOff || i < 0 {
		return a, 0, false
	}
	n := TSFlag(o.rest[optTSFlagsOff] & 0x0f).EntryLen()
	off := tsDataOff + n*i
	if off+n > len(o.rest) {
		return a, 0, false
	}
	if n == 8 {
		a = Addr(o.rest[off : off+4])
	}
	return a, binary.BigEndian.Uint32(o.rest[off+n-4:]), true
}

// FinalDst returns the destination that TCP and UDP put in their
// checksum's pseudo-header: the last address of a source route option when
// the header has one (RFC 9293 section 3.1, RFC 1122 section 4.1.3.6),
// otherwise Dst. A malformed option list gives Dst, as tcpdump does.
func (h Header) FinalDst() Addr {
	if h.HeaderLen() > MinHeaderLen {
		for o := range h.OptionIter().All() {
			if o.Status == OptionOK && o.Kind.IsSourceRoute() && o.Len >= 7 {
				return Addr(o.Bytes[o.Len-4 : o.Len])
			}
		}
	}
	return h.Dst()
}

// ErrBadOption: an option's fixed part is malformed (a route or timestamp
// option too short for its pointer, or whose pointer lies before its first
// slot), or a second source route follows the first.
var ErrBadOption = errors.New("ipv4: malformed option")

// CheckOptions checks the option list as a host that receives the
// datagram must before it trusts it (RFC 1122 3.2.1.8; the checks of
// Linux's ip_options_compile): every length byte at least 2 and within the
// options area; record route and source routes long enough for their
// pointer, and the pointer at least 4 (their first slot); timestamps at
// least 4 bytes with a pointer of at least 5; at most one source route.
// It returns nil, or ErrBadOptionLength or ErrBadOption (the sentinels
// themselves, without allocating, as Check does) with the offset in the
// header of the octet at fault, which an ICMP parameter problem's pointer
// names (RFC 792): the option's kind byte when its length is bad, else its
// length or pointer byte. The header must be in the buffer (Check).
func (h Header) CheckOptions() (at int, err error) {
	end := min(h.HeaderLen(), len(h))
	sourceRoute := false
	for off := MinHeaderLen; off < end; {
		kind := OptionKind(h[off])
		switch kind {
		case OptEOL:
			return 0, nil
		case OptNOP:
			off++
			continue
		}
		if off+optLenOff >= end {
			return off, ErrBadOptionLength
		}
		n := int(h[off+optLenOff])
		if n < 2 || off+n > end {
			return off, ErrBadOptionLength
		}
		minLen, minPtr := 0, 0
		switch kind {
		case OptRR, OptLSRR, OptSSRR:
			minLen, minPtr = routeDataOff, routeDataOff+1
		case OptTimestamp:
			minLen, minPtr = tsDataOff, tsDataOff+1
		}
		switch {
		case minLen == 0:
		case n < minLen:
			return off + optLenOff, ErrBadOption
		case int(h[off+optPointerOff]) < minPtr:
			return off + optPointerOff, ErrBadOption
		}
		if kind.IsSourceRoute() {
			if sourceRoute {
				return off, ErrBadOption
			}
			sourceRoute = true
		}
		off += n
	}
	return 0, nil
}

// HasSourceRoute reports whether the options hold a loose or strict source
// route (LSRR or SSRR), which a host drops unless configured otherwise
// (RFC 7126 4.3, 4.4: source routing lets a sender steer replies and slip
// past filters).
func (h Header) HasSourceRoute() bool {
	end := min(h.HeaderLen(), len(h))
	for off := MinHeaderLen; off < end; {
		switch kind := OptionKind(h[off]); {
		case kind == OptEOL:
			return false
		case kind == OptNOP:
			off++
		case kind.IsSourceRoute():
			return true
		case off+optLenOff >= end || h[off+optLenOff] < 2:
			return false
		default:
			off += int(h[off+optLenOff])
		}
	}
	return false
}
