package pcap

import (
	"errors"
	"fmt"
	"strings"
	"syscall"
)

// Sentinel errors. Every error a Reader returns, other than io.EOF at the
// clean end of a file, is an *Error that wraps one of these, so callers can
// test for a kind of failure with errors.Is.
var (
	// ErrUnknownFormat: the file starts with neither a pcap nor a pcapng
	// magic number ("unknown file format").
	ErrUnknownFormat = errors.New("pcap: unknown file format")
	// ErrTruncated: the file ends inside a header, record or block.
	ErrTruncated = errors.New("pcap: truncated file")
	// ErrVersion: a file or section version this reader (like libpcap)
	// does not read.
	ErrVersion = errors.New("pcap: unsupported version")
	// ErrCaptureLength: a record's captured length is larger than the
	// snapshot length or the maximum for its link type.
	ErrCaptureLength = errors.New("pcap: invalid capture length")
	// ErrBlockLength: a pcapng block length that is too small, not a
	// multiple of 4, too large, or different in header and trailer.
	ErrBlockLength = errors.New("pcap: bad pcapng block length")
	// ErrMalformed: a pcapng block whose contents are inconsistent: too
	// short for its fixed fields or options, a bad option, a bad byte-order
	// magic.
	ErrMalformed = errors.New("pcap: malformed pcapng block")
	// ErrNoInterface: a pcapng packet that refers to an interface no
	// Interface Description Block has described, or a file without any.
	ErrNoInterface = errors.New("pcap: no such interface")
	// ErrMismatch: a pcapng interface or section that differs from the
	// first in a way libpcap refuses (with Config.Libpcap; a byte-order
	// change that could not be followed fails without it too).
	ErrMismatch = errors.New("pcap: differs from the first interface or section")
	// ErrLimit: the file needs more memory than the reader allows itself
	// (too many interfaces).
	ErrLimit = errors.New("pcap: limit exceeded")
	// ErrIO: opening or reading the underlying file failed; the *Error
	// also wraps the cause, so errors.Is(err, fs.ErrNotExist) works.
	ErrIO = errors.New("pcap: I/O error")
	// ErrLinkType: a writer was asked for a link type its format cannot
	// store.
	ErrLinkType = errors.New("pcap: link type out of range")
	// ErrInterface: a pcapng writer was given an interface index it has
	// not added.
	ErrInterface = errors.New("pcap: no such interface index")
)

// Error describes why a capture file cannot be read. Msg is what libpcap
// 1.10.3 puts in its error buffer, which tcpdump prints after "tcpdump: "
// when opening fails and after "tcpdump: pcap_loop: " when reading does, so
// netdump prints Msg. Error() puts the file name in front, "FILE: MESSAGE",
// except when the file could not be opened at all: libpcap's message then
// names the file already ("FILE: No such file or directory").
//
// The message is kept apart from the sentinel rather than built with %w
// because it must be libpcap's text word for word: a wrapped sentinel
// would add its own words to it.
type Error struct {
	// File is the name given to Open ("-" for the standard input) or
	// Config.Name; it may be empty for NewReader.
	File string
	// Offset is the byte offset, in the (decompressed) stream, of the
	// header, record or block at fault.
	Offset int64
	// Msg says what is wrong, in libpcap 1.10.3's words where libpcap has
	// them.
	Msg string
	// Kind is one of the Err* sentinels.
	Kind error
	// Cause is the underlying error for ErrIO, nil otherwise.
	Cause error

	named bool // Msg starts with the file name already
}

// Error returns "FILE: MESSAGE", or the message alone when File is empty
// or the message names the file.
func (e *Error) Error() string {
	if e.File == "" || e.named {
		return e.Msg
	}
	return e.File + ": " + e.Msg
}

// Unwrap returns the sentinel and, for I/O errors, the cause.
func (e *Error) Unwrap() []error {
	if e.Cause != nil {
		return []error{e.Kind, e.Cause}
	}
	return []error{e.Kind}
}

// newError builds an *Error. It is only called on failure, so formatting
// here costs nothing on the per-packet path.
func newError(file string, off int64, kind error, format string, args ...any) *Error {
	return &Error{File: file, Offset: off, Kind: kind, Msg: fmt.Sprintf(format, args...)}
}

// ioError wraps a failure of the underlying reader the way libpcap reports
// an ferror(): "error reading dump file: " and the C library's strerror.
func ioError(file string, off int64, cause error) *Error {
	return &Error{
		File:   file,
		Offset: off,
		Kind:   ErrIO,
		Msg:    "error reading dump file: " + strerror(cause),
		Cause:  cause,
	}
}

// strerror renders err the way glibc's strerror renders the same errno, so
// messages match libpcap's. Go's errno strings are glibc's with a lower-case
// first letter ("no such file or directory" for "No such file or
// directory"); other errors are printed as they are.
func strerror(err error) string {
	var errno syscall.Errno
	if errors.As(err, &errno) {
		s := errno.Error()
		if s != "" && s[0] >= 'a' && s[0] <= 'z' {
			s = strings.ToUpper(s[:1]) + s[1:]
		}
		return s
	}
	return err.Error()
}
