package tls

import (
	"bytes"
	"errors"
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
	// ServerHello or HelloRetryRequest, and Certificate event.
	ClientHello *ClientHello
	ServerHello *ServerHello
	Certificate *CertificateMsg

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

// SessionConfig configures a Session.
type SessionConfig struct {
	// KeyLog gives the secrets to decrypt with; nil decrypts nothing and
	// reports no missing keys.
	KeyLog *KeyLog
	// OnEvent receives the events, in order for each direction.
	OnEvent func(Event)
}

// Errors a Session reports (wrapped, with the detail).
var (
	// ErrNoKey: the key log has no secret for the session.
	ErrNoKey = errors.New("no key")
	// ErrUnsupported: the session's protocol version or cipher suite is
	// not one this package decrypts.
	ErrUnsupported = errors.New("not supported for decryption")
	// ErrGap: bytes of a stream were lost.
	ErrGap = errors.New("bytes lost")
	// ErrGaveUp: a direction is no longer decoded.
	ErrGaveUp = errors.New("giving up on the stream")
	// ErrTruncated: the stream ended inside a record or message.
	ErrTruncated = errors.New("stream ended inside a record")

	errNoHandshake   = fmt.Errorf("%w: no handshake seen", ErrNoKey)
	errSecretMissing = fmt.Errorf("%w: traffic secret missing from the key log", ErrNoKey)
	// errNoKeyLog: not decrypting, as asked (not reported).
	errNoKeyLog = errors.New("no key log")
)

// Bounds on what a Session keeps per direction.
const (
	// maxBuffered bounds a direction's pending bytes: the incomplete
	// record, or the records held while the other direction's handshake
	// is awaited.
	maxBuffered = 256 << 10
	// maxHandshakeMessage bounds a reassembled handshake message; longer
	// ones are skipped (and said so).
	maxHandshakeMessage = 1 << 20
	// maxResyncScan bounds the bytes scanned for a record header after a
	// gap before giving the direction up.
	maxResyncScan = 1 << 20
	// maxSeqTrials bounds the sequence numbers tried for a record after a
	// gap, and seqTrialRecords the records they are tried for.
	maxSeqTrials    = 64
	seqTrialRecords = 4
	// maxPreamble bounds the bytes of a direction skipped in search of
	// its hello when the connection does not start with TLS. The
	// preambles TLS follows are short: a STARTTLS exchange is a few
	// hundred bytes (SMTP's EHLO reply, IMAP's CAPABILITY, XMPP's stream
	// features reach a few KiB), an HTTP CONNECT or a SOCKS request less.
	// 64 KiB is well over the longest of these, and it bounds the work
	// spent on a connection that is not TLS before it is declared so (a
	// StreamDecoder then ignores it). The search keeps no more than a
	// record header's start, so the bound is one of time, not memory.
	maxPreamble = 64 << 10
	// preambleShown is how many of a preamble's first bytes are kept to
	// show (EventPreamble's Data).
	preambleShown = 64
	// helloProbe is how many bytes of a record the search for a hello
	// reads: the record header, the handshake header and the hello's
	// version.
	helloProbe = RecordHeaderLen + HandshakeHeaderLen + 2
	// minHelloBody is the shortest hello body: a version, the random, an
	// empty session ID, a cipher suite (list length) and a compression
	// method (list length).
	minHelloBody = 2 + 32 + 1 + 2 + 1
)

type sessionState uint8

const (
	stateUnknown sessionState = iota // not known yet to be TLS
	stateTLS
	stateNotTLS
)

// TLS 1.3 key epochs of a direction.
const (
	epochEarly     = 1
	epochHandshake = 2
	epochApp       = 3
)

// halfConn is one direction's decoding state.
type halfConn struct {
	dir Direction
	pos int64  // stream offset of the first byte not consumed (buf[0])
	buf []byte // bytes received but not consumed

	dead   bool // given up
	forced bool // decoded without waiting for the peer
	skip   int  // bytes of a damaged record still to skip
	resync bool // looking for a record header after lost bytes
	// resyncScanned counts bytes discarded while resynchronising.
	resyncScanned int
	records       int
	lastVersion   Version

	// Record protection.
	encrypted bool         // records are protected
	cipher    recordCipher // nil: not decrypting (keyErr says why)
	pending   recordCipher // TLS 1.2: the cipher the next CCS installs
	keyErr    error
	seq       uint64
	seqTrials int // records left to try several sequence numbers for
	// blind counts the protected records since the ChangeCipherSpec
	// that went by without a cipher: the sequence number to start from
	// if the keys turn up later.
	blind uint64
	// blindBytes and blindTail are what a stateful cipher needs of
	// those records to catch up: their fragments' length in all, and
	// the end of the last.
	blindBytes int64
	blindTail  []byte

	// TLS 1.3.
	epoch      int
	secret     []byte       // the current traffic secret
	hsSecret   []byte       // the handshake traffic secret
	appSecret  []byte       // the first application traffic secret
	next       recordCipher // the next epoch's (or key generation's) cipher, tried when a record fails
	nextSecret []byte       // next's traffic secret
	nextReady  bool         // next has been derived (it may be nil)
	// tentative: a failure must not use up a sequence number (a client's
	// first handshake-key record may follow 0-RTT records we cannot
	// decrypt).
	tentative bool

	plain []byte // decryption buffer

	// scanning: looking for the direction's hello after a preamble.
	scanning bool
	preOff   int64  // the stream offset where the preamble starts
	preamble int64  // bytes of it skipped so far (lost ones included)
	preHead  []byte // its first bytes, up to preambleShown

	hs       []byte // incomplete handshake message
	hsSkip   int    // bytes of an over-long handshake message to skip
	hsResync bool   // handshake data after a gap: wait for a message start
}

// Session decodes one TCP connection's TLS: feed it the client's and the
// server's byte streams as they arrive, in order within each direction,
// and it reports records, handshake messages, alerts and application data
// (decrypted with a key log when it has the keys) through OnEvent. It is
// not safe for concurrent use.
type Session struct {
	cfg   SessionConfig
	state sessionState
	h     [2]halfConn
	ts    time.Time

	closed bool
	yield  bool // stop the current direction: the other may go on

	// From the hellos.
	haveRandom   bool
	clientRandom [32]byte
	serverRandom [32]byte
	sessionID    []byte
	ticket       []byte // the TLS 1.2 session ticket the client offered
	master       []byte // the TLS 1.2 master secret, once known
	earlyOffered bool
	chCount      int
	shCount      int
	serverAlert  bool // the server sent an alert before its ServerHello
	version      Version
	suite        uint16
	sawSHD       bool // ServerHelloDone (a full TLS 1.2 handshake)
	sum          Summary

	keyErr error
	// late is set while a TLS 1.2 session waits for its master secret.
	late *late12
}

// late12 is what a TLS 1.0-1.2 session whose master secret was not in the
// key log at its ServerHello needs to try again: a recording's Decryption
// Secrets Block can come after records it opens (a server logs the secret
// once it has read the client's key exchange, and a capture holds the
// client's whole flight before that). Wireshark, too, looks the secret up
// again at the ChangeCipherSpec.
type late12 struct {
	sessionID []byte
	etm       bool
	// logLen is the key log's size when last tried: it is tried again
	// only once the log has grown.
	logLen int
}

// Summary is what a Session learnt of its connection, for a per-session
// report.
type Summary struct {
	// TLS says the client's first bytes were a ClientHello (or the
	// server's a ServerHello, or the session was picked up in the middle:
	// Midstream, or its TLS began after a preamble: see Preamble); SSLv2
	// that the ClientHello was SSL 2.0's.
	TLS, Midstream, SSLv2 bool
	// Preamble is, per direction, how many bytes came before its hello
	// when the connection did not start with TLS (see EventPreamble): 0
	// for a connection that did, or a direction whose hello never came.
	Preamble [2]int64
	// Version and CipherSuite are the server's choice (0 before its
	// ServerHello).
	Version     Version
	CipherSuite uint16
	// ServerName is the ClientHello's SNI; ALPN the protocol the server
	// selected.
	ServerName, ALPN string
	ClientRandom     [32]byte
	// Resumed: an abbreviated TLS 1.2 handshake or a TLS 1.3 PSK one.
	Resumed              bool
	HelloRetryRequest    bool
	ExtendedMasterSecret bool
	EncryptThenMAC       bool
	EarlyDataOffered     bool
	// KeysFound: the key log had the session's secrets.
	KeysFound bool
	// Unsupported: the session's version or cipher suite is one this
	// package cannot decrypt (ErrUnsupported), keys or not.
	Unsupported bool
	// Per direction (index by Direction): records seen, encrypted,
	// decrypted, failed to decrypt; application data bytes (ciphertext
	// fragments) and plaintext bytes decrypted; bytes lost in gaps.
	Records, Encrypted, Decrypted, Failed [2]int
	AppDataBytes, PlaintextBytes, Lost    [2]int64
	// Alerts counts alerts seen (decrypted or plaintext); LastAlert is
	// the last one's level and description.
	Alerts    int
	LastAlert [2]uint8
	// Errors counts EventErrors.
	Errors int
}

// NewSession returns a Session for one TCP connection.
func NewSession(cfg SessionConfig) *Session {
	s := &Session{cfg: cfg}
	s.h[FromClient].dir = FromClient
	s.h[FromServer].dir = FromServer
	return s
}

// Summary returns what the session has learnt so far.
func (s *Session) Summary() Summary { return s.sum }

// What Memory counts for what it cannot see the size of.
const (
	// sessionCost is a Session's own record (TestSessionCost checks it
	// against the struct's size).
	sessionCost = 1408
	// cipherCost is a cipher's state: the key schedule and, for the CBC
	// and stream suites, the HMAC's two hash states. The largest, CBC
	// with HMAC-SHA384, takes about 2 KiB.
	cipherCost = 2048
	// lateCost is a late12.
	lateCost = 64
)

// Memory returns the bytes the session holds now, as a memory budget
// counts them: the capacity of its buffers (each direction's incomplete
// record, or the records it holds while it waits for the other; the
// handshake message being put together; the buffer records are decrypted
// into), what it keeps of the hellos and the key log (session ID, ticket,
// server name, ALPN, secrets), an estimate of each cipher's state, and the
// Session's own record. A StreamDecoder charges it to its Assembler's
// bounds (tcpstream.Stream.Charge). Memory allocates nothing.
//
// What a session holds is bounded per direction in any case: the bytes it
// keeps while it waits (256 KiB and a record), a handshake message (1
// MiB), a decryption buffer (a record), three ciphers and five secrets.
func (s *Session) Memory() int {
	n := sessionCost + cap(s.sessionID) + cap(s.ticket) + cap(s.master) +
		len(s.sum.ServerName) + len(s.sum.ALPN)
	if s.late != nil {
		n += lateCost + cap(s.late.sessionID)
	}
	for d := range s.h {
		h := &s.h[d]
		n += cap(h.buf) + cap(h.plain) + cap(h.hs) + cap(h.blindTail) + cap(h.preHead) +
			cap(h.secret) + cap(h.hsSecret) + cap(h.appSecret) + cap(h.nextSecret)
		for _, c := range [...]recordCipher{h.cipher, h.pending, h.next} {
			if c != nil {
				n += cipherCost
			}
		}
	}
	return n
}

// Feed gives the session the next bytes of one direction's stream,
// received at ts. The session keeps what it needs of data (an incomplete
// record) and does not retain data itself.
func (s *Session) Feed(dir Direction, data []byte, ts time.Time) {
	if dir > FromServer || len(data) == 0 {
		return
	}
	h := &s.h[dir]
	s.ts = ts
	if h.dead || s.closed || s.state == stateNotTLS {
		h.pos += int64(len(data))
		return
	}
	s.input(h, data)
	s.pump()
}

// Gap tells the session that n bytes of a direction's stream were lost
// (not captured) at this point. It skips the damaged record when the loss
// ends inside it, or else looks for the next plausible record header; if
// none comes it gives the direction up, and says so either way.
func (s *Session) Gap(dir Direction, n int) {
	if dir > FromServer || n <= 0 {
		return
	}
	h := &s.h[dir]
	s.sum.Lost[dir] += int64(n)
	if h.dead || s.closed || s.state == stateNotTLS {
		h.pos += int64(n)
		return
	}
	if len(h.buf) > 0 && s.blocked(h) {
		// The loss comes after what is held: decode that now, without
		// waiting for the other direction.
		h.forced = true
		s.consumeBuf(h)
	}
	s.gap(h, n)
	s.pump()
}

// Close ends the session: what is held is decoded, and a stream that
// ends inside a record or handshake message is reported.
func (s *Session) Close() {
	if s.closed {
		return
	}
	s.closed = true
	s.pump()
	if s.state == stateUnknown && (s.h[FromClient].scanning || s.h[FromServer].scanning) {
		// A connection that did not begin with TLS, and ended before a
		// hello came: said of the client's bytes, or of the server's
		// when the client's were lost.
		h := &s.h[FromClient]
		if h.preamble == 0 && s.h[FromServer].preamble > 0 || !h.scanning {
			h = &s.h[FromServer]
		}
		s.notTLS(h, h.preOff, h.preHead)
	}
	for d := range s.h {
		h := &s.h[d]
		if h.dead || s.state != stateTLS || h.scanning {
			continue
		}
		if len(h.buf) > 0 && !h.resync {
			s.note(h, h.pos, fmt.Errorf("%w: %d bytes of a record at the end of the %v stream", ErrTruncated, len(h.buf), h.dir))
		}
		if len(h.hs) > 0 {
			s.note(h, h.pos, fmt.Errorf("%w: %d bytes of a handshake message at the end of the %v stream", ErrTruncated, len(h.hs), h.dir))
		}
		h.dead = true
	}
	s.release()
}

// release lets the buffers, ciphers and secrets of a closed session go,
// so that what a caller keeps of it (for the Summary) is small.
func (s *Session) release() {
	for d := range s.h {
		h := &s.h[d]
		h.buf, h.plain, h.hs, h.blindTail, h.preHead = nil, nil, nil, nil, nil
		h.cipher, h.pending, h.next = nil, nil, nil
		h.secret, h.hsSecret, h.appSecret, h.nextSecret = nil, nil, nil, nil
	}
	s.sessionID, s.ticket, s.master, s.late = nil, nil, nil, nil
}

// emit sends an event to OnEvent.
func (s *Session) emit(e Event) {
	if s.cfg.OnEvent != nil {
		s.cfg.OnEvent(e)
	}
}

// note reports an EventError.
func (s *Session) note(h *halfConn, off int64, err error) {
	s.sum.Errors++
	s.emit(Event{Kind: EventError, Dir: h.dir, Time: s.ts, Offset: off, Err: err})
}

// giveUp stops decoding a direction.
func (s *Session) giveUp(h *halfConn, off int64, why error) {
	s.note(h, off, fmt.Errorf("%w: %v stream at offset %d: %w", ErrGaveUp, h.dir, off, why))
	h.dead = true
	h.buf = nil
	h.hs = nil
}

// blocked reports whether a direction must wait for the other: the
// server's bytes until the client's show the stream is TLS (or begins
// with a preamble), and after a preamble until the client's ClientHello
// has come too; the client's after a ClientHello until the server's
// ServerHello says how to read them.
func (s *Session) blocked(h *halfConn) bool {
	if h.forced || s.closed {
		return false
	}
	if h.dir == FromServer {
		c := &s.h[FromClient]
		return !h.scanning && !c.dead && (s.state == stateUnknown || c.scanning)
	}
	return s.state == stateTLS && s.chCount > s.shCount && !s.serverAlert && !s.h[FromServer].dead
}

// input decodes data, keeping what is left (an incomplete record, or
// everything while the direction waits) in h.buf.
func (s *Session) input(h *halfConn, data []byte) {
	for len(data) > 0 && !h.dead {
		if len(h.buf) == 0 {
			s.yield = false
			n := s.records(h, data)
			data = data[n:]
			if len(data) > 0 && !h.dead {
				s.hold(h, data)
			}
			return
		}
		// Complete the record at the head of buf, then go on from data.
		take := len(data)
		if k := s.want(h); k > 0 && k < take {
			take = k
		}
		scanning := h.scanning
		h.reserve(take)
		h.buf = append(h.buf, data[:take]...)
		from := data
		data = data[take:]
		if len(h.buf) > maxBuffered {
			s.overflow(h)
		}
		s.consumeBuf(h)
		if scanning && h.scanning && !h.dead && len(h.buf) <= take {
			// The search for a hello looked at every position before
			// the bytes it kept, which are the last of those just
			// taken: go on in data itself rather than copy it.
			data = from[take-len(h.buf):]
			h.buf = h.buf[:0]
		}
		if s.yield {
			// The other direction goes first; keep the rest.
			if len(data) > 0 && !h.dead {
				s.hold(h, data)
			}
			return
		}
	}
}

// hold keeps bytes for later.
func (s *Session) hold(h *halfConn, data []byte) {
	h.reserve(len(data))
	h.buf = append(h.buf, data...)
	if len(h.buf) > maxBuffered {
		s.overflow(h)
		s.consumeBuf(h)
	}
}

// smallHold is how much of a record a direction holds before its buffer
// makes room for the whole record.
const smallHold = 2 << 10

// reserve makes room in h.buf for n more bytes. The buffer grows with what
// it holds, not to what a record's header announces: room for the largest
// record made when a record starts is what a flood of connections that
// each start a record and never finish it would have us hold, 18 KiB each
// for a few bytes of capture. Once a direction holds more than smallHold
// bytes, though, it is likely to hold long records, and the buffer makes
// room for the largest at once rather than copy its way up through every
// size. The buffer is kept for the records that follow.
func (h *halfConn) reserve(n int) {
	need := len(h.buf) + n
	if need <= cap(h.buf) {
		return
	}
	size := max(need, 2*cap(h.buf))
	if need > smallHold {
		size = max(size, MaxCiphertext+RecordHeaderLen)
	}
	h.buf = append(make([]byte, 0, size), h.buf...)
}

// overflow handles a direction holding more than maxBuffered bytes: one
// waiting for the other decodes without it; otherwise the stream cannot
// be TLS.
func (s *Session) overflow(h *halfConn) {
	if s.blocked(h) {
		s.note(h, h.pos, fmt.Errorf("%v stream: %d bytes held waiting for the %v's handshake: decoding without it", h.dir, len(h.buf), h.dir^1))
		h.forced = true
		return
	}
	if len(h.buf) > maxBuffered+MaxCiphertext+RecordHeaderLen {
		s.giveUp(h, h.pos, fmt.Errorf("%d bytes without a complete record", len(h.buf)))
	}
}

// consumeBuf decodes what h.buf holds.
func (s *Session) consumeBuf(h *halfConn) int {
	if len(h.buf) == 0 || h.dead {
		return 0
	}
	s.yield = false
	n := s.records(h, h.buf)
	if h.dead {
		return n
	}
	h.buf = h.buf[:copy(h.buf, h.buf[n:])]
	if len(h.buf) < helloProbe && cap(h.buf) > 4*(MaxCiphertext+RecordHeaderLen) {
		// Do not keep a large buffer after a wait.
		h.buf = append([]byte(nil), h.buf...)
	}
	return n
}

// want returns how many more bytes complete the record at the head of
// h.buf, or 0 when that is not known (take everything).
func (s *Session) want(h *halfConn) int {
	if h.scanning {
		// Enough to complete a hello's start that the last bytes may
		// hold.
		return helloProbe - 1
	}
	if s.state != stateTLS || h.resync || h.skip > 0 || s.blocked(h) {
		return 0
	}
	if len(h.buf) < RecordHeaderLen {
		return RecordHeaderLen - len(h.buf)
	}
	if h.buf[0]&0x80 != 0 || !plausibleRecord(RecordHeader(h.buf)) {
		return 0
	}
	return RecordHeaderLen + RecordHeader(h.buf).Length() - len(h.buf)
}

// pump decodes what the directions hold until neither can go on (one
// direction's ServerHello may let the other's held records go).
func (s *Session) pump() {
	for again := true; again; {
		again = false
		for d := range s.h {
			h := &s.h[d]
			if len(h.buf) == 0 || h.dead || s.blocked(h) {
				continue
			}
			if s.consumeBuf(h) > 0 {
				again = true
			}
		}
	}
	s.yield = false
}

// records decodes the records at the start of b and returns the bytes
// consumed; it stops at an incomplete record, when the direction must
// wait, or when the other direction may go on.
func (s *Session) records(h *halfConn, b []byte) int {
	off := 0
	for !h.dead && !s.yield && s.state != stateNotTLS && !s.blocked(h) {
		rest := b[off:]
		if h.skip > 0 {
			n := min(h.skip, len(rest))
			h.skip -= n
			off += n
			h.pos += int64(n)
			if h.skip > 0 {
				break
			}
			continue
		}
		if len(rest) == 0 {
			break
		}
		if h.resync {
			n, ok := s.scan(h, rest)
			off += n
			h.pos += int64(n)
			if !ok {
				break
			}
			continue
		}
		if h.scanning {
			n, ok := s.scanHello(h, rest)
			off += n
			h.pos += int64(n)
			if !ok {
				break
			}
			continue
		}
		if s.state == stateUnknown {
			if !s.recognise(h, rest) {
				break
			}
			continue
		}
		if h.records == 0 && rest[0]&0x80 != 0 {
			n, ok := s.sslv2(h, rest)
			off += n
			h.pos += int64(n)
			if !ok {
				break
			}
			continue
		}
		rec, n, err := ParseRecord(rest)
		if err == ErrShort {
			break
		}
		if err != nil {
			s.note(h, h.pos, fmt.Errorf("%v stream at offset %d: %w", h.dir, h.pos, err))
			s.lostSync(h)
			continue
		}
		s.record(h, rest[:n], rec)
		off += n
		h.pos += int64(n)
	}
	return off
}

// recognise decides from a stream's first bytes whether the connection
// is TLS: a ClientHello (or an SSL 2.0 one) from the client, a ServerHello
// from a server whose client was not seen, or else two plausible records
// in a row from a capture that began in the middle of a connection.
// Anything else starts the search for the hellos after a preamble
// (startScan). It returns false when it needs more bytes.
func (s *Session) recognise(h *halfConn, b []byte) bool {
	if len(b) < RecordHeaderLen+1 {
		return false
	}
	hello := ClientHelloType
	if h.dir == FromServer {
		hello = ServerHelloType
	}
	if RecordHeader(b).Type() == ContentHandshake && plausibleRecord(RecordHeader(b)) && b[5] == byte(hello) ||
		h.dir == FromClient && IsSSLv2ClientHello(b) || h.dir == FromServer && b[0]&0x80 != 0 {
		s.state = stateTLS
		s.sum.TLS = true
		return true
	}
	if plausibleRecord(RecordHeader(b)) {
		n := RecordHeaderLen + RecordHeader(b).Length()
		if len(b) < n+RecordHeaderLen {
			return false
		}
		if plausibleRecord(RecordHeader(b[n:])) && RecordHeader(b[n:]).Version() == RecordHeader(b).Version() {
			s.pickUp()
			return true
		}
	}
	s.startScan()
	return true
}

// startScan starts the search for each direction's hello, the stream
// not being TLS from its first byte: TLS after a plaintext preamble
// (STARTTLS, CONNECT, SOCKS) is found by its content, whatever the port.
// Both directions search: when one has a preamble the other has one too.
func (s *Session) startScan() {
	for d := range s.h {
		h := &s.h[d]
		if h.dead {
			continue
		}
		h.scanning = true
		h.resync = false
		h.preOff = h.pos
	}
}

// hello returns the hello a direction begins with.
func (h *halfConn) hello() HandshakeType {
	if h.dir == FromServer {
		return ServerHelloType
	}
	return ClientHelloType
}

// helloStart reports whether b (helloProbe bytes at least) starts with a
// plausible handshake record whose first message is a hello of type
// hello: a handshake record of SSL 3.0 to TLS 1.3 with a length TLS
// allows, and, as far as the record holds them, a message length a hello
// can have and the hello's version (SSL 3.0 to TLS 1.2, or a TLS 1.3
// draft's in a ServerHello).
func helloStart(b []byte, hello HandshakeType) bool {
	r := RecordHeader(b)
	if r.Type() != ContentHandshake || b[1] != 3 || b[2] > 4 || HandshakeType(b[5]) != hello {
		return false
	}
	n := r.Length()
	if n == 0 || n > MaxCiphertext {
		return false
	}
	if n >= HandshakeHeaderLen {
		l := int(b[6])<<16 | int(b[7])<<8 | int(b[8])
		if l < minHelloBody || l > maxHandshakeMessage {
			return false
		}
	}
	if n >= HandshakeHeaderLen+2 {
		v := b[RecordHeaderLen+HandshakeHeaderLen]
		if v != 3 && !(v == 0x7f && hello == ServerHelloType) {
			return false
		}
	}
	return true
}

// scanHello looks for h's hello in b, past the preamble. It returns the
// bytes to skip, and whether the hello starts after them. The bytes kept
// (not skipped) when the hello is not found are at most the start of a
// record that may be it, so the search holds no more than helloProbe
// bytes.
func (s *Session) scanHello(h *halfConn, b []byte) (int, bool) {
	hello := h.hello()
	// Look no further than a hello can start.
	w := b[:min(len(b), int(maxPreamble-h.preamble)+helloProbe)]
	i := 0
	for i < len(w) {
		j := bytes.IndexByte(w[i:], byte(ContentHandshake))
		if j < 0 {
			i = len(w)
			break
		}
		i += j
		if len(w)-i < helloProbe {
			break // wait for the rest of the header
		}
		if helloStart(w[i:], hello) {
			if s.skipped(h, i, b[:i]) {
				s.began(h)
				return i, true
			}
			return i, false
		}
		i++
	}
	s.skipped(h, i, b[:i])
	return i, false
}

// skipped counts n bytes of h's preamble (b holds them, nil when they
// were lost), and ends the search when the preamble grows past
// maxPreamble: a connection not yet known to be TLS is not, a direction
// of one that is gives up. It reports whether the search goes on.
func (s *Session) skipped(h *halfConn, n int, b []byte) bool {
	if int64(len(h.preHead)) == h.preamble && len(h.preHead) < preambleShown {
		h.preHead = append(h.preHead, b[:min(len(b), preambleShown-len(h.preHead))]...)
	}
	h.preamble += int64(n)
	if h.preamble <= maxPreamble {
		return true
	}
	if s.state == stateUnknown {
		s.notTLS(h, h.preOff, h.preHead)
	} else {
		s.giveUp(h, h.preOff+h.preamble, fmt.Errorf("no %v in the first %d bytes", h.hello(), h.preamble))
	}
	return false
}

// began starts decoding a direction at its hello, after a preamble:
// it reports the preamble, and the connection is TLS.
func (s *Session) began(h *halfConn) {
	h.scanning = false
	if h.preamble > 0 {
		s.sum.Preamble[h.dir] = h.preamble
		s.emit(Event{Kind: EventPreamble, Dir: h.dir, Time: s.ts, Offset: h.preOff, Length: int(h.preamble), Data: h.preHead})
	}
	h.preHead = nil
	if s.state == stateUnknown {
		s.state = stateTLS
		s.sum.TLS = true
	}
}

// pickUp starts decoding a connection whose handshake was not seen: its
// records are taken as encrypted with keys that cannot be known.
func (s *Session) pickUp() {
	s.state = stateTLS
	s.sum.TLS = true
	s.sum.Midstream = true
	for d := range s.h {
		s.h[d].encrypted = true
		if s.cfg.KeyLog != nil {
			s.h[d].keyErr = errNoHandshake
		}
	}
}

// notTLS declares the connection not TLS; first are the first bytes of
// h's stream, at offset off.
func (s *Session) notTLS(h *halfConn, off int64, first []byte) {
	s.state = stateNotTLS
	s.emit(Event{Kind: EventNotTLS, Dir: h.dir, Time: s.ts, Offset: off, Data: first[:min(len(first), 16)]})
	s.h[0].dead, s.h[1].dead = true, true
	s.h[0].buf, s.h[1].buf = nil, nil
}

// sslv2 decodes an SSL 2.0 record at the start of a stream.
func (s *Session) sslv2(h *halfConn, b []byte) (int, bool) {
	if len(b) < 3 {
		return 0, false
	}
	n := SSLv2HeaderLen + (int(b[0]&0x7f)<<8 | int(b[1]))
	if len(b) < n {
		return 0, false
	}
	h.records++
	ev := Event{Kind: EventSSLv2, Dir: h.dir, Time: s.ts, Offset: h.pos, Length: n - SSLv2HeaderLen, Data: b[:n]}
	if h.dir == FromClient {
		ch, _, err := ParseSSLv2ClientHello(b)
		ev.ClientHello, ev.Err = ch, err
		if ch != nil {
			ev.Version = ch.Version
			s.sum.SSLv2 = true
			s.clientHello(ch)
		}
		s.emit(ev)
		if err != nil {
			s.giveUp(h, h.pos, err)
			return n, false
		}
		return n, true
	}
	s.emit(ev)
	// An SSL 2.0 server: the rest is SSL 2.0, not decoded here.
	err := errors.New("SSL 2.0 session: not decoded further")
	s.giveUp(h, h.pos, err)
	if c := &s.h[FromClient]; !c.dead {
		s.giveUp(c, c.pos, err)
	}
	return n, false
}

// record handles one record: raw is its header and fragment.
func (s *Session) record(h *halfConn, raw []byte, rec Record) {
	hdr, frag := raw[:RecordHeaderLen], rec.Fragment
	h.records++
	h.lastVersion = rec.Version
	s.sum.Records[h.dir]++
	ev := Event{Kind: EventRecord, Dir: h.dir, Time: s.ts, Offset: h.pos,
		ContentType: rec.Type, Version: rec.Version, Length: len(frag)}
	protected := h.encrypted && (!isTLS13(s.version) || rec.Type == ContentApplicationData)
	if protected && rec.Type == ContentHandshake && s.shCount == 0 && wholeHello(frag, h.hello()) {
		// Before any ServerHello no keys can be in use: a hello after a
		// ChangeCipherSpec is TLS 1.3's, whose compatibility mode sends
		// one before the second ClientHello (RFC 8446 D.4), the
		// HelloRetryRequest that asked for it missing from the capture.
		protected = false
	}
	if !protected && rec.Type == ContentApplicationData {
		// Application data before any handshake we saw: encrypted with
		// keys we cannot know.
		protected = true
		if h.cipher == nil && h.keyErr == nil && s.cfg.KeyLog != nil {
			h.keyErr = errNoHandshake
		}
	}
	if !protected {
		ev.InnerType = rec.Type
		s.emit(ev)
		s.content(h, ev, rec.Type, frag)
		return
	}
	ev.Encrypted = true
	s.sum.Encrypted[h.dir]++
	if rec.Type == ContentApplicationData {
		s.sum.AppDataBytes[h.dir] += int64(len(frag))
	}
	pt, inner, err := s.decrypt(h, hdr, frag)
	if err != nil {
		if err != errNoKeyLog {
			ev.Err = err
		}
		if errors.Is(err, ErrDecrypt) {
			s.sum.Failed[h.dir]++
		}
		s.emit(ev)
		// Say what can be said of what it carries.
		switch rec.Type {
		case ContentApplicationData:
			ev.Kind = EventApplicationData
			s.emit(ev)
		case ContentAlert:
			ev.Kind = EventAlert
			s.emit(ev)
		case ContentHandshake:
			// An encrypted handshake message: what was being reassembled
			// cannot be completed.
			h.hs = h.hs[:0]
			h.hsSkip = 0
		}
		return
	}
	ev.Decrypted = true
	ev.InnerType = inner
	s.sum.Decrypted[h.dir]++
	if inner == ContentApplicationData {
		s.sum.PlaintextBytes[h.dir] += int64(len(pt))
	}
	s.emit(ev)
	s.content(h, ev, inner, pt)
}

// wholeHello reports whether frag is exactly one hello of type hello,
// well formed.
func wholeHello(frag []byte, hello HandshakeType) bool {
	typ, body, n, err := ParseHandshake(frag)
	if err != nil || n != len(frag) || typ != hello {
		return false
	}
	if hello == ClientHelloType {
		_, err = ParseClientHello(body)
	} else {
		_, err = ParseServerHello(body)
	}
	return err == nil
}

// decrypt removes a record's protection.
func (s *Session) decrypt(h *halfConn, hdr, frag []byte) ([]byte, ContentType, error) {
	var err error
	if ss, ok := h.cipher.(seqSearcher); ok && h.seqTrials > 0 && h.cipher.stateful() {
		// After lost bytes, a stateful cipher opens the record once and
		// checks it against the sequence numbers records lost with them
		// may have taken.
		h.seqTrials--
		pt, inner, seq, err := ss.openSearch(h.scratch(len(frag)), h.seq, maxSeqTrials, hdr, frag)
		if err != nil {
			h.seq++
			return nil, 0, err
		}
		h.seq, h.seqTrials, h.tentative = seq+1, 0, false
		return pt, inner, nil
	}
	if h.cipher != nil {
		var pt []byte
		var inner ContentType
		if pt, inner, err = h.cipher.open(h.scratch(len(frag)), h.seq, hdr, frag); err == nil {
			h.seq++
			h.tentative = false
			h.seqTrials = 0
			return pt, inner, nil
		}
		if h.seqTrials > 0 && !h.cipher.stateful() {
			// After lost bytes: records may have been lost too.
			h.seqTrials--
			for i := uint64(1); i <= maxSeqTrials; i++ {
				if pt, inner, err := h.cipher.open(h.scratch(len(frag)), h.seq+i, hdr, frag); err == nil {
					h.seq += i + 1
					h.seqTrials = 0
					return pt, inner, nil
				}
			}
		}
	}
	// TLS 1.3: the record may be the first under the next keys (a key
	// change we did not see, early data over, a secret missing).
	if next := s.nextCipher(h); next != nil {
		if pt, inner, err := next.open(h.scratch(len(frag)), 0, hdr, frag); err == nil {
			s.advance(h)
			h.seq = 1
			return pt, inner, nil
		}
	}
	if h.cipher == nil && s.retryLate() {
		pt, inner, err := h.cipher.open(h.scratch(len(frag)), h.seq, hdr, frag)
		h.seq++
		return pt, inner, err
	}
	if h.cipher == nil {
		h.blind++
		h.blindBytes += int64(len(frag))
		h.blindTail = append(h.blindTail[:0], frag[max(0, len(frag)-maxTail):]...)
		switch {
		case s.cfg.KeyLog == nil:
			return nil, 0, errNoKeyLog
		case h.keyErr != nil:
			return nil, 0, h.keyErr
		}
		return nil, 0, errSecretMissing
	}
	if h.tentative {
		return nil, 0, fmt.Errorf("%w (0-RTT early data? the key log has no %s)", err, LabelClientEarlyTrafficSecret)
	}
	h.seq++
	return nil, 0, err
}

// content handles a record's plaintext (or decrypted) content.
func (s *Session) content(h *halfConn, ev Event, typ ContentType, data []byte) {
	switch typ {
	case ContentChangeCipherSpec:
		ev.Kind = EventChangeCipherSpec
		ev.Data = data
		s.emit(ev)
		s.changeCipherSpec(h, ev.Offset)
	case ContentAlert:
		ev.Kind = EventAlert
		for len(data) >= 2 {
			ev.Data = data[:2]
			ev.AlertLevel, ev.AlertDescription = data[0], data[1]
			s.sum.Alerts++
			s.sum.LastAlert = [2]uint8{data[0], data[1]}
			s.emit(ev)
			data = data[2:]
		}
		if len(data) != 0 {
			s.note(h, ev.Offset, fmt.Errorf("%v alert record at offset %d: %d stray byte", h.dir, ev.Offset, len(data)))
		}
		if h.dir == FromServer && s.shCount < s.chCount {
			s.serverAlert = true
		}
	case ContentHandshake:
		s.handshakeData(h, ev, data)
	case ContentApplicationData:
		ev.Kind = EventApplicationData
		if ev.Decrypted {
			ev.Data = data
		}
		s.emit(ev)
	case ContentHeartbeat:
		ev.Kind = EventHeartbeat
		ev.Data = data
		s.emit(ev)
	default:
		s.note(h, ev.Offset, fmt.Errorf("%v record at offset %d: unknown content type %v", h.dir, ev.Offset, typ))
	}
}

// handshakeData reassembles handshake messages from record fragments.
func (s *Session) handshakeData(h *halfConn, ev Event, data []byte) {
	if h.hsSkip > 0 {
		n := min(h.hsSkip, len(data))
		h.hsSkip -= n
		data = data[n:]
		if len(data) == 0 {
			return
		}
	}
	if h.hsResync {
		// After lost bytes: take the fragment only if it starts a
		// message.
		h.hsResync = false
		if len(data) < HandshakeHeaderLen || handshakeNames[HandshakeType(data[0])] == "" {
			s.note(h, ev.Offset, fmt.Errorf("%v handshake record at offset %d after lost bytes: not a message start, skipped", h.dir, ev.Offset))
			return
		}
	}
	b := data
	// A message reassembled from earlier records is parsed from acc,
	// detached from h.hs meanwhile: a key change the message makes
	// (ServerHello, Finished, KeyUpdate) checks h.hs for a message it
	// cuts, and the bytes being parsed are not one.
	var acc []byte
	if len(h.hs) > 0 {
		acc = append(h.hs, data...)
		h.hs = nil
		b = acc
	}
	for len(b) > 0 {
		typ, body, n, err := ParseHandshake(b)
		if err != nil {
			if len(b) >= HandshakeHeaderLen {
				if l := int(b[1])<<16 | int(b[2])<<8 | int(b[3]); l > maxHandshakeMessage {
					s.note(h, ev.Offset, fmt.Errorf("%v %v message of %d bytes at offset %d: longer than %d, skipped", h.dir, HandshakeType(b[0]), l, ev.Offset, maxHandshakeMessage))
					h.hsSkip = HandshakeHeaderLen + l - len(b)
					b = nil
				}
			}
			break
		}
		epoch := h.epoch
		s.handshakeMessage(h, ev, typ, body)
		b = b[n:]
		if h.dead {
			return
		}
		if h.epoch != epoch && len(b) > 0 {
			// Keys change at a record's end (RFC 8446 5.1): what
			// follows in this record is under neither key.
			s.note(h, ev.Offset, fmt.Errorf("%v handshake message cut by a key change: %d bytes dropped", h.dir, len(b)))
			b = nil
		}
	}
	if acc != nil {
		h.hs = acc[:copy(acc, b)]
	} else {
		h.hs = append(h.hs[:0], b...)
	}
}

// handshakeMessage handles one handshake message.
func (s *Session) handshakeMessage(h *halfConn, ev Event, typ HandshakeType, body []byte) {
	ev.Kind = EventHandshake
	ev.Handshake = typ
	ev.Data = body
	switch {
	case typ == ClientHelloType && h.dir == FromClient:
		ch, err := ParseClientHello(body)
		ev.ClientHello, ev.Err = ch, err
		if ch == nil && len(body) >= 34 {
			ch = &ClientHello{Version: Version(uint16(body[0])<<8 | uint16(body[1]))}
			copy(ch.Random[:], body[2:34])
		}
		if ch != nil {
			s.clientHello(ch)
		}
		s.emit(ev)
	case typ == ServerHelloType && h.dir == FromServer:
		sh, err := ParseServerHello(body)
		ev.ServerHello, ev.Err = sh, err
		s.emit(ev)
		if sh != nil {
			s.serverHello(h, sh, ev.Offset)
		}
	case typ == Certificate:
		m, err := ParseCertificateMsg(body, isTLS13(s.version))
		ev.Certificate, ev.Err = m, err
		s.emit(ev)
	case typ == NewSessionTicket && h.dir == FromServer:
		s.emit(ev)
		s.newSessionTicket(body)
	case typ == ServerHelloDone && h.dir == FromServer:
		s.sawSHD = true
		s.emit(ev)
	case typ == Finished:
		s.emit(ev)
		if isTLS13(s.version) && h.epoch == epochHandshake {
			s.advance(h)
		}
	case typ == EndOfEarlyData && h.dir == FromClient:
		s.emit(ev)
		if isTLS13(s.version) && h.epoch == epochEarly {
			s.advance(h)
		}
	case typ == KeyUpdate:
		if len(body) != 1 || body[0] > 1 {
			ev.Err = fmt.Errorf("%w: KeyUpdate of %d bytes", ErrMalformed, len(body))
		}
		s.emit(ev)
		if isTLS13(s.version) && h.epoch == epochApp {
			s.advance(h)
		}
	default:
		s.emit(ev)
	}
}

// clientHello records what the keys need of a ClientHello.
func (s *Session) clientHello(ch *ClientHello) {
	s.chCount++
	s.haveRandom = true
	s.clientRandom = ch.Random
	s.sessionID = append(s.sessionID[:0], ch.SessionID...)
	s.ticket = append(s.ticket[:0], ch.SessionTicket...)
	s.sum.ClientRandom = ch.Random
	if ch.ServerName != "" {
		s.sum.ServerName = ch.ServerName
	}
	s.earlyOffered = false
	for _, e := range ch.Extensions {
		if e.Type == ExtEarlyData {
			s.earlyOffered = true
		}
	}
	s.sum.EarlyDataOffered = s.earlyOffered
}

// serverHello sets up decryption from the ServerHello (or notes a
// HelloRetryRequest).
func (s *Session) serverHello(h *halfConn, sh *ServerHello, off int64) {
	s.shCount = s.chCount
	s.yield = true // the client's held records can go now
	s.suite = sh.CipherSuite
	s.sum.CipherSuite = sh.CipherSuite
	if sh.IsHelloRetryRequest {
		// Only TLS 1.3 retries: the version is settled now, so that the
		// compatibility change-cipher-spec records that follow are
		// not taken for TLS 1.2's. The second ServerHello sets the rest.
		s.sum.HelloRetryRequest = true
		s.version = sh.NegotiatedVersion()
		s.sum.Version = s.version
		return
	}
	s.version = sh.NegotiatedVersion()
	s.serverRandom = sh.Random
	s.sum.Version = s.version
	s.sum.ALPN = sh.ALPN
	s.sum.ExtendedMasterSecret = sh.ExtendedMasterSecret
	s.sum.EncryptThenMAC = sh.EncryptThenMAC
	s.sawSHD = false
	if isTLS13(s.version) {
		s.sum.Resumed = sh.PSKSelected
		s.setup13(off)
		return
	}
	if len(sh.SessionID) > 0 && bytes.Equal(sh.SessionID, s.sessionID) {
		s.sum.Resumed = true
	}
	s.setup12(sh, off)
}

// isTLS13 reports whether v is TLS 1.3 or one of its drafts, whose
// records are protected the same way after the ServerHello.
func isTLS13(v Version) bool {
	return v == VersionTLS13 || v>>8 == 0x7f
}

// keyFailure says once why a session's records will not be decrypted and
// keeps the reason for the records' Err. Without a key log nothing is
// said: decryption was not asked for.
func (s *Session) keyFailure(h *halfConn, off int64, err error) {
	if s.cfg.KeyLog == nil {
		return
	}
	s.keyErr = err
	for d := range s.h {
		s.h[d].keyErr = err
	}
	if errors.Is(err, ErrUnsupported) {
		s.sum.Unsupported = true
	}
	s.note(h, off, err)
}

// lookup returns the session's secrets from the key log.
func (s *Session) lookup() (Secrets, error) {
	if !s.haveRandom {
		return Secrets{}, fmt.Errorf("%w: no ClientHello seen, so no client random to look up", ErrNoKey)
	}
	sec, ok := s.cfg.KeyLog.Lookup(s.clientRandom)
	if !ok {
		return Secrets{}, fmt.Errorf("%w for client random %x", ErrNoKey, s.clientRandom)
	}
	return sec, nil
}

// setup12 derives a TLS 1.0-1.2 session's ciphers, which the next
// ChangeCipherSpec of each direction installs.
func (s *Session) setup12(sh *ServerHello, off int64) {
	c, sv := &s.h[FromClient], &s.h[FromServer]
	c.pending, sv.pending = nil, nil
	s.keyErr = nil
	s.late = nil
	if s.cfg.KeyLog == nil {
		return
	}
	p, ok := decryptSuites[s.suite]
	if !ok || p.tls13 {
		s.keyFailure(sv, off, fmt.Errorf("cipher suite %s (0x%04x) %w", CipherSuiteName(s.suite), s.suite, ErrUnsupported))
		return
	}
	if s.version < VersionTLS10 || s.version > VersionTLS12 {
		s.keyFailure(sv, off, fmt.Errorf("%v %w", s.version, ErrUnsupported))
		return
	}
	sec, err := s.lookup()
	if err == nil && sec.MasterSecret == nil {
		err = fmt.Errorf("%w: no %s line for client random %x", ErrNoKey, LabelClientRandom, s.clientRandom)
	}
	if err != nil {
		// A resumption reuses the master secret of the handshake that
		// issued the ticket or session ID, which the log may hold only
		// under that handshake's client random.
		if ms := s.resumedMaster(sh); ms != nil {
			sec.MasterSecret, err = ms, nil
		}
	}
	if err != nil {
		if errors.Is(err, ErrNoKey) {
			s.late = &late12{sessionID: bytes.Clone(sh.SessionID), etm: sh.EncryptThenMAC, logLen: s.cfg.KeyLog.Len()}
		}
		s.keyFailure(sv, off, err)
		return
	}
	cc, sc, err := s.keys12(p, sec.MasterSecret, sh.SessionID, sh.EncryptThenMAC)
	if err != nil {
		s.keyFailure(sv, off, err)
		return
	}
	c.pending, sv.pending = cc, sc
}

// keys12 derives a TLS 1.0-1.2 session's ciphers from its master secret,
// and remembers the secret for the sessions that will resume it.
func (s *Session) keys12(p suiteParams, master, sessionID []byte, etm bool) (cc, sc recordCipher, err error) {
	cc, sc, err = keys12(s.version, p, master, s.clientRandom, s.serverRandom, etm)
	if err != nil {
		return nil, nil, fmt.Errorf("%w: %v", ErrUnsupported, err)
	}
	s.master = master
	s.cfg.KeyLog.remember(false, sessionID, master)
	s.sum.KeysFound = true
	s.late = nil
	return cc, sc, nil
}

// retryLate looks a TLS 1.2 session's master secret up again, when the key
// log has grown since it was missing, and installs the ciphers it gives:
// in a direction past its ChangeCipherSpec at the sequence number the
// records that went by have used. It reports whether it did.
func (s *Session) retryLate() bool {
	l := s.late
	if l == nil || s.cfg.KeyLog.Len() == l.logLen {
		return false
	}
	l.logLen = s.cfg.KeyLog.Len()
	sec, ok := s.cfg.KeyLog.Lookup(s.clientRandom)
	if !ok || sec.MasterSecret == nil {
		return false
	}
	cc, sc, err := s.keys12(decryptSuites[s.suite], sec.MasterSecret, l.sessionID, l.etm)
	if err != nil {
		return false
	}
	s.install12(cc, sc)
	return true
}

// resumedMaster returns the master secret remembered (by this key log,
// from an earlier session) for the ticket the client offered or the
// session ID the server echoed, or nil.
//
// Only a server that echoes the client's session ID says at its
// ServerHello that it resumes (by that ID, or by the ticket: RFC 5077 3.4
// has it echo the ID then). A server that takes a ticket offered with an
// empty session ID says so only by sending its ChangeCipherSpec without
// a full handshake first: resumeByTicket handles that, since a server
// that turns the ticket down does a full handshake with a new master
// secret, and the ticket's would be wrong.
func (s *Session) resumedMaster(sh *ServerHello) []byte {
	if len(sh.SessionID) == 0 || !bytes.Equal(sh.SessionID, s.sessionID) {
		return nil
	}
	if ms := s.cfg.KeyLog.resumed(true, s.ticket); ms != nil {
		return ms
	}
	return s.cfg.KeyLog.resumed(false, sh.SessionID)
}

// resumeByTicket installs the ciphers of the master secret remembered for
// the ticket the client offered, once the server's ChangeCipherSpec has
// shown the handshake to be abbreviated, when the key log has no secret
// for the session itself.
func (s *Session) resumeByTicket() {
	l := s.late
	if l == nil {
		return
	}
	ms := s.cfg.KeyLog.resumed(true, s.ticket)
	if ms == nil {
		return
	}
	cc, sc, err := s.keys12(decryptSuites[s.suite], ms, l.sessionID, l.etm)
	if err != nil {
		return
	}
	s.install12(cc, sc)
}

// install12 installs TLS 1.2 ciphers found after the ServerHello: in a
// direction past its ChangeCipherSpec at the sequence number the records
// that went by have used (a stateful cipher's state went with them), in
// the others for their ChangeCipherSpec.
func (s *Session) install12(cc, sc recordCipher) {
	for d, ciph := range [2]recordCipher{cc, sc} {
		h := &s.h[d]
		h.keyErr = nil
		switch {
		case !h.encrypted:
			h.pending = ciph
		case h.blind > 0 && ciph.stateful():
			ciph.catchUp(h.blindBytes, h.blindTail)
			h.cipher, h.seq = ciph, h.blind
		default:
			h.cipher, h.seq = ciph, h.blind
		}
	}
	s.keyErr = nil
}

// newSessionTicket remembers the master secret under a TLS 1.2 ticket
// (RFC 5077 3.3: a lifetime hint, then the ticket), for the sessions
// that will resume with it.
func (s *Session) newSessionTicket(body []byte) {
	if isTLS13(s.version) || s.master == nil || len(body) < 6 {
		return
	}
	n := int(body[4])<<8 | int(body[5])
	if len(body) != 6+n {
		return
	}
	s.cfg.KeyLog.remember(true, body[6:], s.master)
}

// changeCipherSpec installs a direction's pending TLS 1.2 cipher.
func (s *Session) changeCipherSpec(h *halfConn, off int64) {
	if isTLS13(s.version) {
		return // a compatibility record (RFC 8446 D.4)
	}
	if h.dir == FromServer && s.shCount > 0 && !s.sawSHD {
		s.sum.Resumed = true // an abbreviated handshake: the server's CCS comes first
		if h.pending == nil {
			s.resumeByTicket()
		}
	}
	if len(h.hs) > 0 {
		s.note(h, off, fmt.Errorf("%v ChangeCipherSpec at offset %d inside a handshake message: %d bytes dropped", h.dir, off, len(h.hs)))
		h.hs = h.hs[:0]
	}
	h.encrypted = true
	h.cipher, h.pending = h.pending, nil
	h.seq = 0
	h.seqTrials = 0
	h.blind, h.blindBytes, h.blindTail = 0, 0, h.blindTail[:0]
	if h.cipher == nil && h.keyErr == nil && s.cfg.KeyLog != nil {
		if s.shCount == 0 {
			h.keyErr = errNoHandshake
		} else {
			h.keyErr = s.keyErr
		}
	}
}

// setup13 sets both directions up for a TLS 1.3 handshake after the
// ServerHello: every later record but change-cipher-spec is protected.
func (s *Session) setup13(off int64) {
	c, sv := &s.h[FromClient], &s.h[FromServer]
	for _, h := range []*halfConn{c, sv} {
		h.encrypted = true
		h.cipher, h.next, h.nextReady = nil, nil, false
		h.secret, h.hsSecret, h.appSecret, h.nextSecret = nil, nil, nil, nil
		h.keyErr = nil
		h.tentative = false
		h.seq = 0
		h.epoch = epochHandshake
		if len(h.hs) > 0 && h.dir == FromServer {
			s.note(h, off, fmt.Errorf("%v handshake message cut by the change to handshake keys", h.dir))
		}
		h.hs = h.hs[:0]
	}
	s.keyErr = nil
	if s.cfg.KeyLog == nil {
		return
	}
	if s.version != VersionTLS13 && s.version&0xff < 20 {
		// Drafts before 20 labelled their secrets differently.
		s.keyFailure(sv, off, fmt.Errorf("%v %w", s.version, ErrUnsupported))
		return
	}
	p, ok := decryptSuites[s.suite]
	if !ok || !p.tls13 {
		s.keyFailure(sv, off, fmt.Errorf("cipher suite %s (0x%04x) %w", CipherSuiteName(s.suite), s.suite, ErrUnsupported))
		return
	}
	sec, err := s.lookup()
	if err != nil {
		s.keyFailure(sv, off, err)
		return
	}
	if sec.ClientHandshakeTrafficSecret == nil && sec.ServerHandshakeTrafficSecret == nil &&
		sec.ClientTrafficSecret0 == nil && sec.ServerTrafficSecret0 == nil {
		s.keyFailure(sv, off, fmt.Errorf("%w: no TLS 1.3 traffic secrets for client random %x", ErrNoKey, s.clientRandom))
		return
	}
	s.sum.KeysFound = true
	install := func(h *halfConn, hsSecret, appSecret []byte) {
		h.appSecret, h.hsSecret = appSecret, hsSecret
		if hsSecret != nil {
			ci, err := newCipher13(p, hsSecret)
			if err != nil {
				s.keyFailure(h, off, fmt.Errorf("%v handshake traffic secret: %w", h.dir, err))
				return
			}
			h.cipher, h.secret = ci, hsSecret
		}
	}
	install(sv, sec.ServerHandshakeTrafficSecret, sec.ServerTrafficSecret0)
	install(c, sec.ClientHandshakeTrafficSecret, sec.ClientTrafficSecret0)
	if s.earlyOffered {
		if sec.ClientEarlyTrafficSecret != nil {
			if ci, err := newCipher13(p, sec.ClientEarlyTrafficSecret); err == nil {
				// 0-RTT records first; the handshake cipher is tried when
				// one fails (early data rejected or over).
				c.next, c.nextSecret, c.nextReady = c.cipher, c.hsSecret, true
				c.cipher, c.secret = ci, sec.ClientEarlyTrafficSecret
				c.epoch = epochEarly
			}
		} else {
			c.tentative = true
		}
	}
}

// nextCipher returns (deriving it once) the cipher a TLS 1.3 direction
// moves to next: the handshake one after early data, the application one
// after the handshake, the next generation after a KeyUpdate.
func (s *Session) nextCipher(h *halfConn) recordCipher {
	if !isTLS13(s.version) || h.epoch == 0 {
		return nil
	}
	if h.nextReady {
		return h.next
	}
	h.nextReady = true
	p, ok := decryptSuites[s.suite]
	if !ok || !p.tls13 {
		return nil
	}
	var secret []byte
	switch h.epoch {
	case epochHandshake:
		secret = h.appSecret
	case epochApp:
		if h.secret == nil {
			return nil
		}
		next, err := nextTrafficSecret13(p, h.secret)
		if err != nil {
			return nil
		}
		secret = next
	}
	if secret == nil {
		return nil
	}
	c, err := newCipher13(p, secret)
	if err != nil {
		return nil
	}
	h.next = c
	h.nextSecret = secret
	return c
}

// advance moves a TLS 1.3 direction to its next keys (after EndOfEarlyData,
// Finished or KeyUpdate, or when a record decrypts only with them).
func (s *Session) advance(h *halfConn) {
	next := s.nextCipher(h)
	switch h.epoch {
	case epochEarly:
		h.epoch = epochHandshake
	case epochHandshake:
		h.epoch = epochApp
	}
	h.cipher, h.secret = next, h.nextSecret
	h.next, h.nextReady, h.nextSecret = nil, false, nil
	h.seq = 0
	h.seqTrials = 0
	h.tentative = false
	if next == nil && h.keyErr == nil && s.cfg.KeyLog != nil && s.sum.KeysFound {
		h.keyErr = fmt.Errorf("%w: %v traffic secret missing", ErrNoKey, h.dir)
	}
	if len(h.hs) > 0 {
		s.note(h, h.pos, fmt.Errorf("%v handshake message cut by a key change: %d bytes dropped", h.dir, len(h.hs)))
		h.hs = h.hs[:0]
	}
}

// smallScratch is the decryption buffer of a direction whose records have
// all been short so far: handshake messages, requests, alerts.
const smallScratch = 2 << 10

// scratch returns the buffer records are decrypted into, with room for a
// fragment of n bytes. It is made on first use (a session that never has a
// key never needs it), small while the records are, and of the largest
// record's size from the first long one on: two sizes, so that growing
// costs at most two allocations.
func (h *halfConn) scratch(n int) []byte {
	if len(h.plain) < n {
		size := smallScratch
		if n > smallScratch {
			size = max(n, MaxCiphertext+RecordHeaderLen)
		}
		h.plain = make([]byte, size)
	}
	return h.plain
}

// gap handles n lost bytes after what h.buf holds.
func (s *Session) gap(h *halfConn, n int) {
	at := h.pos + int64(len(h.buf))
	lost := n
	if h.scanning {
		// Lost bytes of a preamble: skipped like the rest of it.
		k := len(h.buf)
		h.pos += int64(k + n)
		h.buf = h.buf[:0]
		s.skipped(h, k+n, nil)
		return
	}
	if h.resync || s.state == stateUnknown {
		h.pos += int64(len(h.buf) + n)
		h.buf = h.buf[:0]
		h.resync = true
		return
	}
	if h.skip > 0 {
		if n < h.skip {
			h.skip -= n
			h.pos += int64(n)
			return
		}
		n -= h.skip
		h.pos += int64(h.skip)
		h.skip = 0
		if n == 0 {
			return
		}
		s.note(h, at, fmt.Errorf("%w: %d bytes of the %v stream at offset %d", ErrGap, lost, h.dir, at))
		s.lostSyncAfter(h, n)
		return
	}
	if len(h.buf) >= RecordHeaderLen && plausibleRecord(RecordHeader(h.buf)) {
		total := RecordHeaderLen + RecordHeader(h.buf).Length()
		missing := total - len(h.buf)
		if n <= missing {
			// The loss ends inside (or at the end of) the current record:
			// skip the rest of it and go on at the next.
			s.damaged(h, RecordHeader(h.buf).Type())
			s.note(h, h.pos, fmt.Errorf("%w: %d bytes of the %v stream at offset %d, inside the %v record at offset %d: record skipped",
				ErrGap, lost, h.dir, at, RecordHeader(h.buf).Type(), h.pos))
			h.pos += int64(len(h.buf) + n)
			h.buf = h.buf[:0]
			h.skip = missing - n
			return
		}
		s.damaged(h, RecordHeader(h.buf).Type())
		h.pos += int64(total)
		n -= missing
		h.buf = h.buf[:0]
	}
	s.note(h, at, fmt.Errorf("%w: %d bytes of the %v stream at offset %d: looking for the next record", ErrGap, lost, h.dir, at))
	s.lostSyncAfter(h, n)
}

// lostSyncAfter drops what h.buf holds and n more bytes, then looks for a
// record header.
func (s *Session) lostSyncAfter(h *halfConn, n int) {
	h.pos += int64(len(h.buf) + n)
	h.buf = h.buf[:0]
	s.lostSync(h)
	// An unknown number of records were lost.
	h.seqTrials = seqTrialRecords
	if h.cipher != nil && h.cipher.stateful() {
		h.cipher.lose()
	}
}

// damaged accounts for a record lost in part.
func (s *Session) damaged(h *halfConn, typ ContentType) {
	h.records++
	if h.encrypted && (!isTLS13(s.version) || typ == ContentApplicationData) {
		h.seq++ // it had a sequence number
		if h.cipher != nil && h.cipher.stateful() {
			h.cipher.lose()
		}
	}
	if typ == ContentHandshake || isTLS13(s.version) {
		h.hs = h.hs[:0]
		h.hsSkip = 0
		h.hsResync = true
	}
}

// lostSync puts a direction in search of a record header.
func (s *Session) lostSync(h *halfConn) {
	h.resync = true
	h.resyncScanned = 0
	h.hs = h.hs[:0]
	h.hsSkip = 0
	h.hsResync = true
}

// scan looks for a plausible record header in b while resynchronising.
// It returns the bytes to discard and whether decoding can go on at the
// next byte.
func (s *Session) scan(h *halfConn, b []byte) (int, bool) {
	for i := 0; i+RecordHeaderLen <= len(b); i++ {
		if !s.candidate(h, b[i:]) {
			continue
		}
		next := i + RecordHeaderLen + RecordHeader(b[i:]).Length()
		if next+RecordHeaderLen > len(b) {
			// Confirm with the header after it when it comes (unless the
			// wait would be too long).
			if i > 0 {
				return s.scanned(h, i)
			}
			if len(b) >= maxBuffered {
				break
			}
			return 0, false
		}
		if !s.candidate(h, b[next:]) {
			continue
		}
		n, _ := s.scanned(h, i)
		h.resync = false
		if s.state == stateUnknown {
			s.pickUp()
		}
		s.note(h, h.pos+int64(i), fmt.Errorf("%v stream resynchronised at offset %d after skipping %d bytes", h.dir, h.pos+int64(i), h.resyncScanned))
		return n, true
	}
	keep := min(len(b), RecordHeaderLen-1)
	return s.scanned(h, len(b)-keep)
}

// scanned counts discarded bytes, giving up when there are too many.
func (s *Session) scanned(h *halfConn, n int) (int, bool) {
	h.resyncScanned += n
	if h.resyncScanned > maxResyncScan {
		s.giveUp(h, h.pos+int64(n), fmt.Errorf("no record header in %d bytes after lost bytes", h.resyncScanned))
		return n, false
	}
	return n, false
}

// candidate reports whether b starts with a header that can be the next
// record of h: a plausible one with the version the stream was using.
func (s *Session) candidate(h *halfConn, b []byte) bool {
	if len(b) < RecordHeaderLen {
		return false
	}
	r := RecordHeader(b)
	if !plausibleRecord(r) || r.Length() > MaxCiphertext || r.Length() == 0 {
		return false
	}
	if h.lastVersion != 0 {
		return r.Version() == h.lastVersion
	}
	return r.Version() >= VersionTLS10 && r.Version() <= VersionTLS12
}
