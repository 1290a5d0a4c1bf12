package tcp

import (
	"encoding/binary"
	"fmt"
	"iter"
	"strconv"
)

// OptionKind is the kind byte of a TCP option.
type OptionKind uint8

// Option kinds that this package decodes or names.
const (
	OptEOL           OptionKind = 0   // end of option list (RFC 9293)
	OptNOP           OptionKind = 1   // no-operation, used for padding
	OptMSS           OptionKind = 2   // maximum segment size
	OptWindowScale   OptionKind = 3   // window scale (RFC 7323)
	OptSACKPermitted OptionKind = 4   // SACK permitted (RFC 2018)
	OptSACK          OptionKind = 5   // SACK blocks (RFC 2018)
	OptEcho          OptionKind = 6   // echo (RFC 1072, obsolete)
	OptEchoReply     OptionKind = 7   // echo reply (RFC 1072, obsolete)
	OptTimestamps    OptionKind = 8   // timestamps (RFC 7323)
	OptCC            OptionKind = 11  // T/TCP connection count (RFC 1644, historic)
	OptCCNew         OptionKind = 12  // T/TCP CC.NEW (RFC 1644, historic)
	OptCCEcho        OptionKind = 13  // T/TCP CC.ECHO (RFC 1644, historic)
	OptMD5           OptionKind = 19  // MD5 signature (RFC 2385)
	OptSCPS          OptionKind = 20  // SCPS capabilities (CCSDS 714.0-B-2)
	OptUserTimeout   OptionKind = 28  // user timeout (RFC 5482)
	OptTCPAO         OptionKind = 29  // TCP authentication option (RFC 5925)
	OptMPTCP         OptionKind = 30  // Multipath TCP (RFC 8684, RFC 6824)
	OptFastOpen      OptionKind = 34  // TCP Fast Open cookie (RFC 7413)
	OptAccECN0       OptionKind = 172 // AccECN order 0 (RFC 9768)
	OptAccECN1       OptionKind = 174 // AccECN order 1 (RFC 9768)
	OptExperiment1   OptionKind = 253 // RFC 3692-style experiment (RFC 4727, RFC 6994)
	OptExperiment2   OptionKind = 254 // RFC 3692-style experiment (RFC 4727, RFC 6994)
)

// Experiment IDs (RFC 6994) carried in the first two bytes of the data of
// OptExperiment1 and OptExperiment2 options.
const (
	// ExIDFastOpen marks a TCP Fast Open cookie sent before kind 34 was
	// assigned (RFC 7413 section 4.1.1).
	ExIDFastOpen = 0xf989
	// ExIDAccECN0 and ExIDAccECN1 mark the AccECN options of the drafts
	// before RFC 9768, which Linux and FreeBSD sent while the kinds were
	// unassigned.
	ExIDAccECN0 = 0xacc0
	ExIDAccECN1 = 0xacc1
)

// optionNames are the names tcpdump 4.99.3 prints for the kinds it knows.
var optionNames = [256]string{
	OptEOL:           "eol",
	OptNOP:           "nop",
	OptMSS:           "mss",
	OptWindowScale:   "wscale",
	OptSACKPermitted: "sackOK",
	OptSACK:          "sack",
	OptEcho:          "echo",
	OptEchoReply:     "echoreply",
	OptTimestamps:    "TS",
	OptCC:            "cc",
	OptCCNew:         "ccnew",
	OptMD5:           "md5",
	OptSCPS:          "scps",
	OptUserTimeout:   "uto",
	OptTCPAO:         "tcp-ao",
	OptMPTCP:         "mptcp",
	OptFastOpen:      "tfo",
	OptExperiment2:   "exp",
}

// String returns the name tcpdump 4.99.3 prints for the kind; see AppendTo.
func (k OptionKind) String() string {
	if s := optionNames[k]; s != "" || k == OptCCEcho {
		return s
	}
	return string(k.AppendTo(nil))
}

// AppendTo appends the name tcpdump 4.99.3 prints for the kind, without
// allocating: "mss", "wscale", "sackOK", "TS", "exp" and so on, and
// "unknown-N" for kinds it does not know (253, 172 and 174 among them).
// tcpdump's table gives kind 13 (CC.ECHO) an empty name, so nothing is
// appended for it.
func (k OptionKind) AppendTo(b []byte) []byte {
	if s := optionNames[k]; s != "" || k == OptCCEcho {
		return append(b, s...)
	}
	return strconv.AppendUint(append(b, "unknown-"...), uint64(k), 10)
}

// OptionStatus says whether an option is well formed and, when it is not,
// what is wrong with it.
type OptionStatus uint8

// Option statuses. After an option with status OptionBadLength,
// OptionPastEnd or OptionTruncated the iterator stops, because the length
// byte can no longer be trusted (or read) to find the next option.
const (
	// OptionOK: the option fits and its length is right for its kind.
	OptionOK OptionStatus = iota
	// OptionWrongLength: the option fits in the area, but its length is not
	// one its kind allows (an MSS option that is not 4 bytes, an odd-sized
	// Fast Open cookie, ...). The iterator goes on after it. tcpdump prints
	// "[len N]" after such an option of fixed size.
	OptionWrongLength
	// OptionBadLength: the length byte is 0 or 1, or the kind byte is the
	// last byte of the area so there is no length byte. tcpdump prints
	// "[bad opt]" in place of the option.
	OptionBadLength
	// OptionPastEnd: the length runs past the end of the option area that
	// the data offset declares. tcpdump prints "[bad opt]".
	OptionPastEnd
	// OptionTruncated: the option lies within the declared area, but the
	// capture ends inside it (or before it). tcpdump prints what was
	// captured, then "[|tcp]".
	OptionTruncated
)

var statusNames = [...]string{"ok", "wrong length", "bad length", "past end of options", "truncated"}

// String names the status.
func (s OptionStatus) String() string {
	if int(s) < len(statusNames) {
		return statusNames[s]
	}
	return "OptionStatus(" + strconv.Itoa(int(s)) + ")"
}

// Option is one option as the iterator found it. Raw, and what Data
// returns, alias the segment's bytes.
type Option struct {
	// Kind is the kind byte. It is 0 when the capture ended before it, in
	// which case Raw is empty and Status is OptionTruncated.
	Kind OptionKind
	// Status says whether the option is well formed.
	Status OptionStatus
	// Offset is where the kind byte is, counted from the start of the
	// option area (add 20 for the offset in the header).
	Offset int
	// Length is the length byte as sent (which counts the kind and length
	// bytes): 1 for EOL and NOP, 0 when there is no length byte.
	Length int
	// Raw is the whole option (kind, length and value), clipped to the
	// option area and to what was captured.
	Raw []byte
}

// Data returns the option's value: the bytes of Raw after the kind and
// length bytes (after the kind byte for EOL and NOP).
//
// It is a method rather than a field so that an Option fits in the
// registers the iterator returns it in: returned through memory, it made
// walking options several times slower.
func (o Option) Data() []byte {
	n := 2
	if o.Kind == OptEOL || o.Kind == OptNOP {
		n = 1
	}
	return o.Raw[min(n, len(o.Raw)):]
}

// Err returns nil for a well-formed option and otherwise an error that
// names the option, its offset and what is wrong, wrapping ErrBadOption or
// (for OptionTruncated) ErrTruncated. The error is built when Err is
// called, so walking malformed options does not allocate.
func (o Option) Err() error {
	var what string
	switch o.Status {
	case OptionOK:
		return nil
	case OptionTruncated:
		if len(o.Raw) == 0 {
			return fmt.Errorf("%w: option at offset %d not captured", ErrTruncated, o.Offset)
		}
		return fmt.Errorf("%w: option %q (kind %d) at offset %d: %d of its bytes captured",
			ErrTruncated, o.Kind.String(), uint8(o.Kind), o.Offset, len(o.Raw))
	case OptionWrongLength:
		what = fmt.Sprintf("length %d is wrong for the kind", o.Length)
	case OptionBadLength:
		if len(o.Raw) < 2 {
			what = "no room for the length byte"
		} else {
			what = fmt.Sprintf("length %d is below 2", o.Length)
		}
	case OptionPastEnd:
		what = fmt.Sprintf("length %d runs past the end of the option area", o.Length)
	default:
		what = o.Status.String()
	}
	return fmt.Errorf("%w: option %q (kind %d) at offset %d: %s", ErrBadOption, o.Kind.String(), uint8(o.Kind), o.Offset, what)
}

// OptionIter walks an option list one option at a time. The zero value is
// an empty list. Get one from Header.OptionIter or NewOptionIter; it never
// panics and never allocates, whatever the bytes.
type OptionIter struct {
	b    []byte // the captured bytes of the option area
	end  int    // the declared length of the area; len(b) <= end
	off  int
	done bool
	// The first option whose status is not OptionOK, kept field by field
	// for Err: copying a whole Option on every step costs more than the
	// step itself.
	hasBad              bool
	badKind             OptionKind
	badStatus           OptionStatus
	badOff, badLen, raw int
}

// NewOptionIter returns an iterator over the option area b, taken to be
// entirely captured.
func NewOptionIter(b []byte) OptionIter { return OptionIter{b: b, end: len(b)} }

// Offset returns the offset in the option area where the next option
// starts.
func (it *OptionIter) Offset() int { return it.off }

// Seek makes the iterator go on at offset off of the option area, even
// after it stopped. A printer that follows tcpdump needs it: tcpdump steps
// over an option of fixed size by the size the kind should have (4 for
// MSS, 10 for timestamps, ...) rather than by the length byte.
func (it *OptionIter) Seek(off int) {
	it.off = max(off, 0)
	it.done = false
}

// Next returns the next option and true, or false at the end of the list:
// the end of the option area, the option after EOL, or the option after one
// whose status stops the walk.
//
// The option is built in the named results and never copied as a whole:
// an Option returned through a temporary was copied with wide loads over
// narrow stores, which stalled the CPU and made Next several times slower.
func (it *OptionIter) Next() (o Option, ok bool) {
	off := it.off
	capEnd := min(it.end, len(it.b)) // the end of what can be read
	switch {
	case it.done || off >= it.end:
		it.done = true
		return o, false
	case off >= capEnd:
		o.Offset, o.Status = off, OptionTruncated
		it.done = true
		it.noteBad(o.Kind, o.Status, off, 0, 0)
		return o, true
	}
	o.Offset = off
	o.Kind = OptionKind(it.b[off])
	if o.Kind == OptEOL || o.Kind == OptNOP {
		o.Length = 1
		o.Raw = it.b[off : off+1]
		it.off = off + 1
		// Everything after EOL is padding.
		it.done = o.Kind == OptEOL
		return o, true
	}
	switch {
	case off+1 >= it.end:
		o.Raw = it.b[off : off+1]
		o.Status = OptionBadLength
	case off+1 >= capEnd:
		o.Raw = it.b[off : off+1]
		o.Status = OptionTruncated
	default:
		o.Length = int(it.b[off+1])
		switch {
		case o.Length < 2:
			o.Raw = it.b[off : off+2]
			o.Status = OptionBadLength
		case off+o.Length > it.end:
			o.Raw = it.b[off:capEnd]
			o.Status = OptionPastEnd
		case off+o.Length > capEnd:
			o.Raw = it.b[off:capEnd]
			o.Status = OptionTruncated
		default:
			o.Raw = it.b[off : off+o.Length]
			it.off = off + o.Length
			if lengthOK(o.Kind, o.Raw[2:]) {
				return o, true
			}
			o.Status = OptionWrongLength
			it.noteBad(o.Kind, o.Status, off, o.Length, len(o.Raw))
			return o, true
		}
	}
	// The length byte cannot be trusted, or read, to find the next option.
	it.done = true
	it.noteBad(o.Kind, o.Status, off, o.Length, len(o.Raw))
	return o, true
}

// noteBad records the first option whose status is not OptionOK, for Err.
func (it *OptionIter) noteBad(k OptionKind, s OptionStatus, off, length, raw int) {
	if !it.hasBad {
		it.hasBad = true
		it.badKind, it.badStatus, it.badOff, it.badLen, it.raw = k, s, off, length, raw
	}
}

// FixedLen returns the length of the value (the bytes after the kind and
// length bytes) of the kinds whose value has one length only: 2 for MSS,
// SCPS and user timeout, 1 for window scale, 0 for SACK permitted, 4 for
// echo, echo reply and the three CC kinds, 8 for timestamps, 16 for MD5,
// and 0 for EOL and NOP, which have no length byte either. ok is false for
// the kinds whose value is as long as the length byte says.
func (k OptionKind) FixedLen() (n int, ok bool) {
	switch k {
	case OptEOL, OptNOP, OptSACKPermitted:
		return 0, true
	case OptWindowScale:
		return 1, true
	case OptMSS, OptSCPS, OptUserTimeout:
		return 2, true
	case OptEcho, OptEchoReply, OptCC, OptCCNew, OptCCEcho:
		return 4, true
	case OptTimestamps:
		return 8, true
	case OptMD5:
		return 16, true
	}
	return 0, false
}

// Fixed reads o again, an option the iterator has just returned whose
// kind has a value of a fixed length (FixedLen), the way tcpdump 4.99.3
// reads such an option: for the length its kind gives, whatever its
// length byte says, the iterator going on right after those bytes. It is
// for a printer that shows malformed options as tcpdump does; a stack
// trusts the length byte and OptionWrongLength.
//
// The option returned keeps Kind, Offset and Length (the length byte, so
// that the printer can flag the difference), and has Raw cut to the
// kind's length with a Status of OptionOK when those bytes lie within the
// option area and were captured, so that its typed accessor (MSS,
// Timestamps, ...) reads them; otherwise Raw holds what was captured of
// them and Status is OptionPastEnd or OptionTruncated, and the walk stops.
// An option of another kind, without its length byte (EOL, NOP, a kind
// byte at the end of what was captured or of the area), or whose length
// byte is below 2 or runs past the area (tcpdump calls the option bad
// before it reads the value), is returned unchanged.
func (it *OptionIter) Fixed(o Option) Option {
	n, fixed := o.Kind.FixedLen()
	if !fixed || o.Kind == OptEOL || o.Kind == OptNOP || len(o.Raw) < 2 ||
		o.Status == OptionBadLength || o.Status == OptionPastEnd {
		return o
	}
	off, end := o.Offset, o.Offset+2+n
	capEnd := min(it.end, len(it.b))
	switch {
	case end > it.end:
		o.Status, o.Raw = OptionPastEnd, it.b[off:capEnd]
	case end > capEnd:
		o.Status, o.Raw = OptionTruncated, it.b[off:capEnd]
	default:
		o.Status, o.Raw = OptionOK, it.b[off:end]
		it.Seek(end)
		return o
	}
	it.done = true
	it.noteBad(o.Kind, o.Status, off, o.Length, len(o.Raw))
	return o
}

// lengthOK reports whether the data of a whole option has a length its
// kind allows. Kinds without a rule accept any length.
func lengthOK(k OptionKind, data []byte) bool {
	n := len(data)
	if want, fixed := k.FixedLen(); fixed {
		return n == want
	}
	switch k {
	case OptSACK:
		return n > 0 && n%8 == 0
	case OptTCPAO:
		return n >= 2
	case OptMPTCP:
		return n >= 1
	case OptFastOpen:
		return fastOpenCookieOK(n)
	case OptAccECN0, OptAccECN1:
		return n%3 == 0 && n <= 9
	case OptExperiment1, OptExperiment2:
		if n < 2 {
			return false
		}
		switch binary.BigEndian.Uint16(data) {
		case ExIDFastOpen:
			return fastOpenCookieOK(n - 2)
		case ExIDAccECN0, ExIDAccECN1:
			return (n-2)%3 == 0 && n-2 <= 9
		}
	}
	return true
}

// fastOpenCookieOK reports whether n is an allowed cookie length: none (a
// cookie request) or an even length from 4 to 16 bytes (RFC 7413 4.1.1).
func fastOpenCookieOK(n int) bool { return n == 0 || n >= 4 && n <= 16 && n%2 == 0 }

// Err returns the error of the first option seen so far whose status is
// not OptionOK (see Option.Err), or nil.
func (it *OptionIter) Err() error {
	if !it.hasBad {
		return nil
	}
	o := Option{Kind: it.badKind, Status: it.badStatus, Offset: it.badOff, Length: it.badLen}
	if it.raw > 0 {
		// Err needs only the length of Raw; it.b holds the bytes.
		o.Raw = it.b[it.badOff : it.badOff+it.raw]
	}
	return o.Err()
}

// All returns the options as a sequence for a range loop; each option
// carries its own Status. It walks a copy of it, so it starts where it
// stands and does not move it.
func (it OptionIter) All() iter.Seq[Option] {
	return func(yield func(Option) bool) {
		for o, ok := it.Next(); ok; o, ok = it.Next() {
			if !yield(o) {
				return
			}
		}
	}
}

// The typed accessors below read the value of an option of their kind.
// They report false for another kind and for an option whose Status is not
// OptionOK, so a caller that takes their values never sees a malformed
// option. A printer that shows malformed options reads Data instead.

// ok reports whether o is a well-formed option of kind k.
func (o Option) ok(k OptionKind) bool { return o.Kind == k && o.Status == OptionOK }

// MSS returns the maximum segment size of an MSS option.
func (o Option) MSS() (uint16, bool) {
	if !o.ok(OptMSS) {
		return 0, false
	}
	return binary.BigEndian.Uint16(o.Raw[2:]), true
}

// WindowScale returns the shift count of a window scale option.
func (o Option) WindowScale() (uint8, bool) {
	if !o.ok(OptWindowScale) {
		return 0, false
	}
	return o.Raw[2], true
}

// SACKBlock is one block of a SACK option: the sequence number of the
// first byte received and the one after the last.
type SACKBlock struct {
	Left, Right uint32
}

// SACKBlocks is a view of the blocks of a SACK option, 8 bytes each.
type SACKBlocks []byte

// Len returns the number of blocks.
func (s SACKBlocks) Len() int { return len(s) / 8 }

// At returns block i, which must be below Len.
func (s SACKBlocks) At(i int) SACKBlock {
	b := s[i*8 : i*8+8]
	return SACKBlock{binary.BigEndian.Uint32(b), binary.BigEndian.Uint32(b[4:])}
}

// SACK returns the blocks of a SACK option.
func (o Option) SACK() (SACKBlocks, bool) {
	if !o.ok(OptSACK) {
		return nil, false
	}
	return SACKBlocks(o.Raw[2:]), true
}

// Timestamps returns the TSval and TSecr of a timestamps option.
func (o Option) Timestamps() (val, ecr uint32, ok bool) {
	if !o.ok(OptTimestamps) {
		return 0, 0, false
	}
	return binary.BigEndian.Uint32(o.Raw[2:]), binary.BigEndian.Uint32(o.Raw[6:]), true
}

// Echo returns the value of an echo or echo reply option (RFC 1072).
func (o Option) Echo() (uint32, bool) {
	if o.Kind != OptEcho && o.Kind != OptEchoReply || o.Status != OptionOK {
		return 0, false
	}
	return binary.BigEndian.Uint32(o.Raw[2:]), true
}

// CC returns the connection count of a CC, CC.NEW or CC.ECHO option (RFC
// 1644).
func (o Option) CC() (uint32, bool) {
	if o.Kind != OptCC && o.Kind != OptCCNew && o.Kind != OptCCEcho || o.Status != OptionOK {
		return 0, false
	}
	return binary.BigEndian.Uint32(o.Raw[2:]), true
}

// MD5 returns the 16-byte digest of an MD5 signature option.
func (o Option) MD5() ([]byte, bool) {
	if !o.ok(OptMD5) {
		return nil, false
	}
	return o.Raw[2:], true
}

// SCPS returns the capability bits and connection ID of an SCPS
// capabilities option.
func (o Option) SCPS() (capabilities, connID uint8, ok bool) {
	if !o.ok(OptSCPS) {
		return 0, 0, false
	}
	return o.Raw[2], o.Raw[3], true
}

// UserTimeout returns the 16-bit field of a user timeout option as sent.
// By RFC 5482 its top bit is the granularity (set: minutes, clear:
// seconds) and the other 15 bits the timeout. (tcpdump 4.99.3 prints the
// raw field, then reads the granularity from the low bit.)
func (o Option) UserTimeout() (uint16, bool) {
	if !o.ok(OptUserTimeout) {
		return 0, false
	}
	return binary.BigEndian.Uint16(o.Raw[2:]), true
}

// TCPAO returns the key IDs and the MAC of a TCP-AO option.
func (o Option) TCPAO() (keyID, rNextKeyID uint8, mac []byte, ok bool) {
	if !o.ok(OptTCPAO) {
		return 0, 0, nil, false
	}
	return o.Raw[2], o.Raw[3], o.Raw[4:], true
}

// MPTCP returns a Multipath TCP option as a view of the whole option.
func (o Option) MPTCP() (MPTCP, bool) {
	if !o.ok(OptMPTCP) {
		return nil, false
	}
	return MPTCP(o.Raw), true
}

// ExperimentID returns the 16-bit experiment ID (RFC 6994) of an
// OptExperiment1 or OptExperiment2 option. Unlike the other accessors it
// also answers for an option whose length is wrong, because the ID is what
// says which length is right.
func (o Option) ExperimentID() (uint16, bool) {
	if o.Kind != OptExperiment1 && o.Kind != OptExperiment2 ||
		(o.Status != OptionOK && o.Status != OptionWrongLength) || len(o.Raw) < 4 {
		return 0, false
	}
	return binary.BigEndian.Uint16(o.Raw[2:]), true
}

// FastOpen returns the cookie of a TCP Fast Open option, kind 34 or the
// experimental form with ExID 0xf989. An empty cookie is a cookie request.
func (o Option) FastOpen() (cookie []byte, ok bool) {
	if o.Status != OptionOK {
		return nil, false
	}
	if o.Kind == OptFastOpen {
		return o.Raw[2:], true
	}
	if id, ok := o.ExperimentID(); ok && id == ExIDFastOpen {
		return o.Raw[4:], true
	}
	return nil, false
}

// AccECN returns the order (0 or 1) and the counter fields of an AccECN
// option: kind 172 or 174 (RFC 9768), or the experimental form with ExID
// 0xacc0 or 0xacc1. fields holds up to three 24-bit counters; in order 0
// they are EE0B, ECEB, EE1B, in order 1 the reverse.
func (o Option) AccECN() (order int, fields []byte, ok bool) {
	if o.Status != OptionOK {
		return 0, nil, false
	}
	switch o.Kind {
	case OptAccECN0:
		return 0, o.Raw[2:], true
	case OptAccECN1:
		return 1, o.Raw[2:], true
	}
	switch id, _ := o.ExperimentID(); id {
	case ExIDAccECN0:
		return 0, o.Raw[4:], true
	case ExIDAccECN1:
		return 1, o.Raw[4:], true
	}
	return 0, nil, false
}

// The Append functions encode an option onto b and return the extended
// slice, the way the append built-in does; they allocate only when b lacks
// the capacity. A caller with a fixed array pays nothing:
//
//	var buf [tcp.MaxOptionsLen]byte
//	opts := tcp.AppendMSS(buf[:0], 1460)
//	opts = tcp.AppendSACKPermitted(opts)

// AppendNOP appends a no-operation option, the padding that aligns the
// next option.
func AppendNOP(b []byte) []byte { return append(b, byte(OptNOP)) }

// AppendMSS appends a maximum segment size option.
func AppendMSS(b []byte, mss uint16) []byte {
	return append(b, byte(OptMSS), 4, byte(mss>>8), byte(mss))
}

// AppendWindowScale appends a window scale option with the given shift
// count (at most 14 by RFC 7323).
func AppendWindowScale(b []byte, shift uint8) []byte {
	return append(b, byte(OptWindowScale), 3, shift)
}

// AppendSACKPermitted appends a SACK-permitted option.
func AppendSACKPermitted(b []byte) []byte { return append(b, byte(OptSACKPermitted), 2) }

// AppendSACK appends a SACK option carrying blocks. At most four blocks fit
// in the option area, three beside a timestamps option; Fields.Encode
// rejects options that do not fit.
func AppendSACK(b []byte, blocks ...SACKBlock) []byte {
	b = append(b, byte(OptSACK), byte(2+8*len(blocks)))
	for _, s := range blocks {
		b = binary.BigEndian.AppendUint32(b, s.Left)
		b = binary.BigEndian.AppendUint32(b, s.Right)
	}
	return b
}

// AppendTimestamps appends a timestamps option. RFC 7323 appendix A
// suggests two NOPs before it, so that the values are 4-byte aligned.
func AppendTimestamps(b []byte, val, ecr uint32) []byte {
	b = append(b, byte(OptTimestamps), 10)
	b = binary.BigEndian.AppendUint32(b, val)
	return binary.BigEndian.AppendUint32(b, ecr)
}
