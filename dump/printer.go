package dump

import (
	"encoding/binary"
	"fmt"
	"strconv"
	"strings"
)

// truncated is the panic value that unwinds a printer at the end of the
// captured data.
type truncated struct{}

// trunc abandons the packet: dissect prints " [|proto]".
func (p *Printer) trunc() { panic(truncated{}) }

// need stops the packet unless b holds at least n bytes.
func (p *Printer) need(b []byte, n int) {
	if n < 0 || len(b) < n {
		p.trunc()
	}
}

// get8 returns b[off], or stops the packet if it was not captured.
func (p *Printer) get8(b []byte, off int) uint8 {
	if off < 0 || off >= len(b) {
		p.trunc()
	}
	return b[off]
}

// get16 returns the big-endian 16-bit value at b[off:].
func (p *Printer) get16(b []byte, off int) uint16 {
	if off < 0 || off+2 > len(b) {
		p.trunc()
	}
	return binary.BigEndian.Uint16(b[off:])
}

// get24 returns the big-endian 24-bit value at b[off:].
func (p *Printer) get24(b []byte, off int) uint32 {
	if off < 0 || off+3 > len(b) {
		p.trunc()
	}
	return uint32(b[off])<<16 | uint32(b[off+1])<<8 | uint32(b[off+2])
}

// get32 returns the big-endian 32-bit value at b[off:].
func (p *Printer) get32(b []byte, off int) uint32 {
	if off < 0 || off+4 > len(b) {
		p.trunc()
	}
	return binary.BigEndian.Uint32(b[off:])
}

// bytes returns n bytes of b at off, or stops the packet if they were not
// captured.
func (p *Printer) bytes(b []byte, off, n int) []byte {
	p.need(b, off+n)
	return b[off : off+n]
}

// be16 reads a big-endian 16-bit value from a slice known to be long
// enough, in the printers of protocols that have no wire view.
func be16(b []byte) uint16 { return binary.BigEndian.Uint16(b) }

// be32 reads a big-endian 32-bit value from a slice known to be long
// enough.
func be32(b []byte) uint32 { return binary.BigEndian.Uint32(b) }

// clip returns b cut to n bytes if it is longer: what a protocol's own
// length field says is the end of its data (tcpdump's nd_push_snaplen).
func clip(b []byte, n int) []byte {
	if n >= 0 && n < len(b) {
		return b[:n]
	}
	return b
}

// The output helpers append to p.out without allocating.

// s appends a string.
func (p *Printer) s(str string) { p.out = append(p.out, str...) }

// c appends one byte.
func (p *Printer) c(ch byte) { p.out = append(p.out, ch) }

// u appends an unsigned decimal number (%u).
func (p *Printer) u(v uint64) { p.out = strconv.AppendUint(p.out, v, 10) }

// d appends a signed decimal number (%d).
func (p *Printer) d(v int64) { p.out = strconv.AppendInt(p.out, v, 10) }

const hexDigits = "0123456789abcdef"

// x appends v in lower-case hex with no padding (%x).
func (p *Printer) x(v uint64) { p.out = strconv.AppendUint(p.out, v, 16) }

// xw appends v in lower-case hex, zero-padded to width digits (%0*x).
func (p *Printer) xw(v uint64, width int) { p.out = appendHexPadded(p.out, v, width) }

// hexUpper prints a byte as two upper-case hex digits (%02X).
func (p *Printer) hexUpper(c byte) {
	const digits = "0123456789ABCDEF"
	p.c(digits[c>>4])
	p.c(digits[c&0xf])
}

// appendHexPadded appends v in lower-case hex, zero-padded to width
// digits (%0*x).
func appendHexPadded(b []byte, v uint64, width int) []byte {
	var buf [16]byte
	i := len(buf)
	for v != 0 || width > 0 {
		i--
		buf[i] = hexDigits[v&0xf]
		v >>= 4
		width--
		if i == 0 {
			break
		}
	}
	if i == len(buf) {
		i--
		buf[i] = '0'
	}
	return append(b, buf[i:]...)
}

// uw appends v in decimal, zero-padded to width digits (%0*u).
func (p *Printer) uw(v uint64, width int) {
	var buf [20]byte
	s := strconv.AppendUint(buf[:0], v, 10)
	for n := len(s); n < width; n++ {
		p.out = append(p.out, '0')
	}
	p.out = append(p.out, s...)
}

// hexBytes appends b as continuous hex pairs (tcpdump's "%02x" loop).
func (p *Printer) hexBytes(b []byte) {
	for _, v := range b {
		p.out = append(p.out, hexDigits[v>>4], hexDigits[v&0xf])
	}
}

// f appends a formatted string. It allocates, so hot paths use the helpers
// above; f is for rarely printed messages.
func (p *Printer) f(format string, args ...any) { p.out = fmt.Appendf(p.out, format, args...) }

// tok names a value in a table the way tcpdump's struct tok does.
type tok struct {
	v uint32
	s string
}

// lookup returns the name of v in t.
func lookup(t []tok, v uint32) (string, bool) {
	for _, e := range t {
		if e.v == v {
			return e.s, true
		}
	}
	return "", false
}

// tok2str appends the name of v in t, or, when v is not there, dflt with v
// formatted into it by fmt (tcpdump's tok2str). A nil dflt gives "#%d".
func (p *Printer) tok2str(t []tok, dflt string, v uint32) {
	if s, ok := lookup(t, v); ok {
		p.s(s)
		return
	}
	if dflt == "" {
		dflt = "#%d"
	}
	p.fmtDefault(dflt, v)
}

// fmtDefault appends a tok2str default: a format with one verb for v, or a
// plain string (tcpdump passes "none", for example).
func (p *Printer) fmtDefault(dflt string, v uint32) {
	if strings.IndexByte(dflt, '%') < 0 {
		p.s(dflt)
		return
	}
	p.f(dflt, v)
}

// bittok2str appends the names of the bits of v found in t separated by
// sep, or dflt formatted with v when none is set (tcpdump's bittok2str and
// bittok2str_nosep). A table entry matches when all of its bits are set.
func (p *Printer) bittok2str(t []tok, dflt string, v uint32, sep string) {
	n := 0
	for _, e := range t {
		if e.v != 0 && v&e.v == e.v {
			if n > 0 {
				p.s(sep)
			}
			p.s(e.s)
			n++
		}
	}
	if n == 0 {
		if dflt == "" {
			dflt = "#%08x"
		}
		p.fmtDefault(dflt, v)
	}
}
