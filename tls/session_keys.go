package tls

// The key schedule of a session: TLS 1.0-1.2 master secrets (looked up,
// late, resumed by ticket or session ID) and the ciphers a
// ChangeCipherSpec installs; TLS 1.3 traffic secrets by epoch (early,
// handshake, application) and KeyUpdate generations. The derivations
// themselves are in keys12.go and keys13.go.

import (
	"bytes"
	"errors"
	"fmt"
)

// TLS 1.3 key epochs of a direction.
const (
	epochEarly     = 1
	epochHandshake = 2
	epochApp       = 3
)

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

// abbreviated reports whether a ChangeCipherSpec of h ends an
// abbreviated TLS 1.0-1.2 handshake: it is the server's, after a
// ServerHello and nothing only a full handshake has (RFC 5246 7.3).
func (s *Session) abbreviated(h *halfConn) bool {
	return h.dir == FromServer && s.shCount > 0 && !s.full && preTLS13(s.version)
}

// changeCipherSpec installs a direction's pending TLS 1.2 cipher.
func (s *Session) changeCipherSpec(h *halfConn, off int64) {
	if isTLS13(s.version) {
		return // a compatibility record (RFC 8446 D.4)
	}
	if s.abbreviated(h) && h.pending == nil {
		s.resumeByTicket()
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
