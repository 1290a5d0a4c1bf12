package tls

// What a Session reports: the directions of a connection and the events
// of its records and messages.

import (
	"fmt"
	"strconv"
	"time"
)

// Direction says which side of a TCP connection sent a byte stream.
type Direction uint8

// Directions.
const (
	FromClient Direction = 0
	FromServer Direction = 1
)

// String returns "client" or "server".
func (d Direction) String() string {
	switch d {
	case FromClient:
		return "client"
	case FromServer:
		return "server"
	}
	return "direction(" + strconv.Itoa(int(d)) + ")"
}

// EventKind says what an Event reports.
type EventKind uint8

// Event kinds. Every record gives an EventRecord first, then an event for
// what it carries when that can be known: one per handshake message,
// alert, change-cipher-spec, application data or heartbeat.
const (
	// EventRecord: a record (type, version, length; encrypted or not,
	// decrypted or not, and why not in Err).
	EventRecord EventKind = iota + 1
	// EventHandshake: a handshake message (plaintext or decrypted). A
	// HelloRetryRequest is a ServerHello whose IsHelloRetryRequest is set.
	EventHandshake
	// EventChangeCipherSpec: a ChangeCipherSpec message (TLS 1.3's
	// compatibility records too).
	EventChangeCipherSpec
	// EventAlert: an alert. AlertLevel and AlertDescription are set when
	// it was plaintext or decrypted.
	EventAlert
	// EventApplicationData: application data; Data is the plaintext when
	// the record was decrypted, nil otherwise. An encrypted TLS 1.3 record
	// that was not decrypted is reported as application data, its outer
	// type, since its real type cannot be known.
	EventApplicationData
	// EventHeartbeat: a heartbeat message (RFC 6520).
	EventHeartbeat
	// EventSSLv2: an SSL 2.0 record: the SSL 2.0-compatible ClientHello of
	// old clients (ClientHello set), or an SSL 2.0 server's reply, after
	// which the session is not decoded further.
	EventSSLv2
	// EventNotTLS: the connection is not TLS: neither direction's first
	// bytes are TLS, and no hello came in the first maxPreamble (64 KiB)
	// bytes of a direction, or before the connection ended. Data is the
	// first bytes (up to 16) of the direction that decided, Offset where
	// they are. Nothing more is reported for the session.
	EventNotTLS
	// EventError: something the analysis could not do or a fault in the
	// stream, said once where it happens: a missing key, an unsupported
	// cipher suite, lost bytes and resynchronisation, a malformed message,
	// giving up on a direction. Err says what. Records that then fail to
	// decrypt say why in their own Err.
	EventError
	// EventPreamble: a direction's TLS began after bytes that are not
	// TLS (a STARTTLS exchange in SMTP, IMAP, POP3, XMPP, FTP, LDAP or
	// PostgreSQL, an HTTP CONNECT, a SOCKS request...). It comes once per
	// direction, just before the events of the record with the
	// direction's hello. Offset is where the preamble starts (0 unless
	// the capture began later), Length how many bytes it has (lost bytes
	// included), and Data its first bytes as captured (up to 64).
	EventPreamble
)

var eventKindNames = [...]string{
	EventRecord: "record", EventHandshake: "handshake", EventChangeCipherSpec: "change_cipher_spec",
	EventAlert: "alert", EventApplicationData: "application_data", EventHeartbeat: "heartbeat",
	EventSSLv2: "sslv2", EventNotTLS: "not_tls", EventError: "error", EventPreamble: "preamble",
}

func (k EventKind) String() string {
	if int(k) < len(eventKindNames) && eventKindNames[k] != "" {
		return eventKindNames[k]
	}
	return "event(" + strconv.Itoa(int(k)) + ")"
}

// Event is what a Session reports. Data and the slices of the parsed
// messages alias the session's buffers and are valid only during the
// OnEvent call: copy what you keep.
type Event struct {
	Kind EventKind
	Dir  Direction
	// Time is the timestamp of the Feed that completed the record.
	Time time.Time
	// Offset is the position in Dir's byte stream of the record the
	// event comes from (of the stream's fault for an EventError).
	Offset int64

	// The record: its header's type, version and fragment length (an
	// EventPreamble's Length is the preamble's), and
	// what it carries (TLS 1.3's inner type once decrypted; 0 when
	// encrypted and not decrypted).
	ContentType ContentType
	InnerType   ContentType
	Version     Version
	Length      int
	// Encrypted says the record was protected; Decrypted that it was
	// decrypted (and authenticated).
	Encrypted bool
	Decrypted bool

	// Handshake is the message type of an EventHandshake.
	Handshake HandshakeType
	// Data is the payload: a handshake message's body, an alert's bytes,
	// application data's plaintext (nil when not decrypted), a
	// heartbeat's message, an SSL 2.0 record, the first bytes of a
	// preamble or of a stream that is not TLS.
	Data []byte
	// The parsed message of a ClientHello (also from an SSL 2.0 record),
	// ServerHello or HelloRetryRequest, EncryptedExtensions, and
	// Certificate event.
	ClientHello         *ClientHello
	ServerHello         *ServerHello
	EncryptedExtensions *EncryptedExtensionsMsg
	Certificate         *CertificateMsg

	// Resumption is set on the event of the message that shows a
	// handshake to resume an earlier session, saying how: a ServerHello
	// that echoes the client's session ID (TLS 1.2 and earlier) or
	// selects a pre-shared key (TLS 1.3), or else the server's
	// ChangeCipherSpec straight after its ServerHello (an abbreviated
	// TLS 1.2 handshake, resumed by ticket).
	Resumption Resumption

	// AlertLevel and AlertDescription of an EventAlert (see AlertName).
	AlertLevel, AlertDescription uint8

	// Err says why a record was not decrypted, or what an EventError
	// reports, or what was wrong with a handshake message.
	Err error
}

// String is a one-line description, for tests and debugging.
func (e Event) String() string {
	s := fmt.Sprintf("%v @%d %v", e.Dir, e.Offset, e.Kind)
	switch e.Kind {
	case EventRecord:
		s += fmt.Sprintf(" %v %v len=%d", e.ContentType, e.Version, e.Length)
		if e.Encrypted {
			s += " encrypted"
		}
		if e.Decrypted {
			s += " decrypted " + e.InnerType.String()
		}
	case EventHandshake:
		s += " " + e.Handshake.String()
	case EventAlert:
		s += fmt.Sprintf(" %d/%d", e.AlertLevel, e.AlertDescription)
	case EventApplicationData:
		s += fmt.Sprintf(" %d bytes", len(e.Data))
	case EventPreamble:
		s += fmt.Sprintf(" %d bytes", e.Length)
	}
	if e.Err != nil {
		s += ": " + e.Err.Error()
	}
	return s
}
