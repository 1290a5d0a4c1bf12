package tls

import (
	"errors"
	"fmt"
	"strconv"
	"time"
)

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
)

type sessionState uint8

const (
	stateUnknown sessionState = iota // not known yet to be TLS
	stateTLS
	stateNotTLS
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
	// full: since the ServerHello, a message only a full TLS 1.0-1.2
	// handshake has was seen (see fullHandshakeMessage).
	full bool
	sum  Summary

	keyErr error
	// late is set while a TLS 1.2 session waits for its master secret.
	late *late12
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
	// selected (in its ServerHello up to TLS 1.2, in its
	// EncryptedExtensions in TLS 1.3).
	ServerName, ALPN string
	ClientRandom     [32]byte
	// Resumed: an abbreviated TLS 1.2 handshake or a TLS 1.3 PSK one;
	// ResumedBy says how, when that is known.
	Resumed              bool
	ResumedBy            Resumption
	HelloRetryRequest    bool
	ExtendedMasterSecret bool
	EncryptThenMAC       bool
	EarlyDataOffered     bool
	// EarlyDataAccepted: the TLS 1.3 server took the client's 0-RTT data
	// (its EncryptedExtensions said so).
	EarlyDataAccepted bool
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

// Summary returns what the session has learnt so far.
func (s *Session) Summary() Summary { return s.sum }

// Resumption says how a handshake resumed an earlier session.
type Resumption uint8

// Resumptions.
const (
	// NotResumed: a full handshake, or one not (yet) known to resume.
	NotResumed Resumption = iota
	// ResumedBySessionID: TLS 1.0-1.2 (or SSL 3.0), the server echoed the
	// session ID the client offered, and the client offered no session
	// ticket (RFC 5246 7.4.1.3).
	ResumedBySessionID
	// ResumedByTicket: TLS 1.0-1.2, the client offered a session ticket
	// (RFC 5077) and the server resumed: it echoed the session ID sent
	// with the ticket (RFC 5077 3.4), or went straight to its
	// ChangeCipherSpec. A server that cannot use a ticket does a full
	// handshake rather than look the ID up (OpenSSL does), so an echoed
	// ID says the ticket was taken.
	ResumedByTicket
	// ResumedByPSK: TLS 1.3, the server selected a pre-shared key (RFC
	// 8446 4.2.11), a ticket's or one set up out of band: the handshake
	// does not say which.
	ResumedByPSK
	// ResumedUnknown: an abbreviated TLS 1.0-1.2 handshake (the server's
	// ChangeCipherSpec came straight after its ServerHello) that neither
	// offered a ticket nor had its session ID echoed: the capture missed
	// the ClientHello, or a peer broke the rules.
	ResumedUnknown
)

var resumptionNames = [...]string{
	NotResumed: "not resumed", ResumedBySessionID: "session ID", ResumedByTicket: "session ticket",
	ResumedByPSK: "PSK", ResumedUnknown: "unknown",
}

// String names the means of resumption: "session ID", "session ticket",
// "PSK", "unknown" or "not resumed".
func (r Resumption) String() string {
	if int(r) < len(resumptionNames) {
		return resumptionNames[r]
	}
	return "resumption(" + strconv.Itoa(int(r)) + ")"
}

// NewSession returns a Session for one TCP connection.
func NewSession(cfg SessionConfig) *Session {
	s := &Session{cfg: cfg}
	s.h[FromClient].dir = FromClient
	s.h[FromServer].dir = FromServer
	return s
}

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
