package tls

import (
	"encoding/binary"
	"errors"
	"fmt"
	"strconv"
)

// ContentType is a record's content type (RFC 8446 5.1).
type ContentType uint8

// Content types.
const (
	ContentChangeCipherSpec ContentType = 20
	ContentAlert            ContentType = 21
	ContentHandshake        ContentType = 22
	ContentApplicationData  ContentType = 23
	ContentHeartbeat        ContentType = 24
)

func (t ContentType) String() string {
	switch t {
	case ContentChangeCipherSpec:
		return "change_cipher_spec"
	case ContentAlert:
		return "alert"
	case ContentHandshake:
		return "handshake"
	case ContentApplicationData:
		return "application_data"
	case ContentHeartbeat:
		return "heartbeat"
	}
	return "content_type(" + strconv.Itoa(int(t)) + ")"
}

// Version is a protocol version as it appears on the wire.
type Version uint16

// Versions.
const (
	VersionSSL30 Version = 0x0300
	VersionTLS10 Version = 0x0301
	VersionTLS11 Version = 0x0302
	VersionTLS12 Version = 0x0303
	VersionTLS13 Version = 0x0304
)

// String names v as Wireshark does ("TLS 1.2"), with GREASE values and
// TLS 1.3 drafts recognised.
func (v Version) String() string {
	switch v {
	case VersionSSL30:
		return "SSL 3.0"
	case VersionTLS10:
		return "TLS 1.0"
	case VersionTLS11:
		return "TLS 1.1"
	case VersionTLS12:
		return "TLS 1.2"
	case VersionTLS13:
		return "TLS 1.3"
	}
	if IsGREASE(uint16(v)) {
		return fmt.Sprintf("GREASE (0x%04x)", uint16(v))
	}
	if v>>8 == 0x7f {
		return fmt.Sprintf("TLS 1.3 (draft %d)", uint8(v))
	}
	return fmt.Sprintf("0x%04x", uint16(v))
}

// IsGREASE reports whether v is one of RFC 8701's GREASE values (0x0a0a,
// 0x1a1a, ..., 0xfafa), which clients send to keep servers tolerant and
// fingerprints must ignore.
func IsGREASE(v uint16) bool { return v&0x0f0f == 0x0a0a && v>>8 == v&0xff }

// Record layer sizes.
const (
	// RecordHeaderLen is the length of a record header: type, version,
	// length.
	RecordHeaderLen = 5
	// MaxPlaintext is the largest plaintext fragment (2^14).
	MaxPlaintext = 1 << 14
	// MaxCiphertext is the largest fragment a record may carry: TLS 1.2
	// allows 2^14+2048 (RFC 5246 6.2.3), TLS 1.3 only 2^14+256.
	MaxCiphertext = MaxPlaintext + 2048
)

// Errors of the record layer.
var (
	// ErrShort: the bytes end before the record (or message) does; more
	// of the stream is needed.
	ErrShort = errors.New("tls: incomplete record")
	// ErrNotTLS: the bytes cannot be the start of a TLS record.
	ErrNotTLS = errors.New("tls: not a TLS record")
	// ErrRecordOverflow: a record longer than TLS allows.
	ErrRecordOverflow = errors.New("tls: record too long")
)

// RecordHeader is a view of a record header.
type RecordHeader []byte

// Type returns the content type.
func (h RecordHeader) Type() ContentType { return ContentType(h[0]) }

// Version returns the record's legacy version field.
func (h RecordHeader) Version() Version { return Version(binary.BigEndian.Uint16(h[1:])) }

// Length returns the fragment's length.
func (h RecordHeader) Length() int { return int(binary.BigEndian.Uint16(h[3:])) }

// Record is one record of a stream.
type Record struct {
	Type     ContentType
	Version  Version
	Fragment []byte // aliases the stream's bytes
}

// ParseRecord reads the record at the start of b and returns it with the
// number of bytes it takes. It returns ErrShort when b ends inside the
// record (read more and try again), ErrNotTLS when the header cannot be
// TLS's, and ErrRecordOverflow for an over-long record.
func ParseRecord(b []byte) (Record, int, error) {
	if len(b) < RecordHeaderLen {
		return Record{}, 0, ErrShort
	}
	h := RecordHeader(b)
	if !plausibleRecord(h) {
		return Record{}, 0, fmt.Errorf("%w: header % x", ErrNotTLS, b[:RecordHeaderLen])
	}
	n := h.Length()
	if n > MaxCiphertext {
		return Record{}, 0, fmt.Errorf("%w: %d bytes", ErrRecordOverflow, n)
	}
	if len(b) < RecordHeaderLen+n {
		return Record{}, 0, ErrShort
	}
	return Record{Type: h.Type(), Version: h.Version(), Fragment: b[RecordHeaderLen : RecordHeaderLen+n]}, RecordHeaderLen + n, nil
}

// plausibleRecord reports whether a header can be TLS's: a known content
// type and a version of SSL 3.0 or later (TLS 1.3 records say 0x0301 or
// 0x0303).
func plausibleRecord(h RecordHeader) bool {
	t := h.Type()
	if t < ContentChangeCipherSpec || t > ContentHeartbeat {
		return false
	}
	v := h.Version()
	return v>>8 == 3 && v&0xff <= 4
}
