package tls

// Handshake messages: put together from record fragments, parsed, and
// what the session learns from the hellos.

import (
	"bytes"
	"fmt"
)

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
	if fullHandshakeMessage(h.dir, typ) {
		s.full = true
	}
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
		if sh != nil {
			ev.Resumption = s.resumes(sh)
		}
		s.emit(ev)
		if sh != nil {
			s.serverHello(h, sh, ev.Offset)
		}
	case typ == EncryptedExtensions && h.dir == FromServer:
		m, err := ParseEncryptedExtensions(body)
		ev.EncryptedExtensions, ev.Err = m, err
		if m != nil {
			s.encryptedExtensions(m)
		}
		s.emit(ev)
	case typ == Certificate:
		m, err := ParseCertificateMsg(body, isTLS13(s.version))
		ev.Certificate, ev.Err = m, err
		s.emit(ev)
	case typ == NewSessionTicket && h.dir == FromServer:
		s.emit(ev)
		s.newSessionTicket(body)
	case typ == ServerHelloDone && h.dir == FromServer:
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
	s.full = false
	r := s.resumes(sh)
	if isTLS13(s.version) {
		s.sum.Resumed, s.sum.ResumedBy = r != NotResumed, r
		s.setup13(off)
		return
	}
	if r != NotResumed {
		s.sum.Resumed, s.sum.ResumedBy = true, r
	}
	s.setup12(sh, off)
}

// resumes says whether a ServerHello resumes a session, and how: a TLS
// 1.3 one that selects a pre-shared key; a TLS 1.0-1.2 one that echoes
// the session ID of the ClientHello, by the ticket the ClientHello
// offered if it offered one (see ResumedByTicket). A TLS 1.2 server that
// takes a ticket offered without a session ID says so only by its
// ChangeCipherSpec (see abbreviated).
func (s *Session) resumes(sh *ServerHello) Resumption {
	switch {
	case sh.IsHelloRetryRequest:
		return NotResumed
	case isTLS13(sh.NegotiatedVersion()):
		if sh.PSKSelected {
			return ResumedByPSK
		}
		return NotResumed
	case !preTLS13(sh.NegotiatedVersion()) || len(sh.SessionID) == 0 || !bytes.Equal(sh.SessionID, s.sessionID):
		// A version this package does not know (Chrome's TLS 1.3
		// experiments, 0x7e01-0x7e04, echo the session ID as TLS 1.3's
		// compatibility mode does) says nothing of resumption here.
		return NotResumed
	case len(s.ticket) > 0:
		return ResumedByTicket
	}
	return ResumedBySessionID
}

// preTLS13 reports whether v is SSL 3.0 or TLS 1.0-1.2, whose sessions
// resume by session ID or ticket.
func preTLS13(v Version) bool { return v >= VersionSSL30 && v <= VersionTLS12 }

// fullHandshakeMessage reports whether a message sent in dir is one that
// only a full TLS 1.0-1.2 handshake has: the server's certificate, key
// exchange, certificate request or ServerHelloDone, the client's
// certificate or key exchange. Seen after the ServerHello, it says the
// server's ChangeCipherSpec does not end an abbreviated handshake, even
// when the capture (or a broken peer) lost the ServerHelloDone.
func fullHandshakeMessage(dir Direction, typ HandshakeType) bool {
	if dir == FromServer {
		switch typ {
		case Certificate, ServerKeyExchange, CertificateRequest, ServerHelloDone:
			return true
		}
		return false
	}
	switch typ {
	case Certificate, ClientKeyExchange, CertificateVerify:
		return true
	}
	return false
}

// encryptedExtensions records what a TLS 1.3 server said in its
// EncryptedExtensions: the protocol it selected and whether it took the
// client's early data.
func (s *Session) encryptedExtensions(m *EncryptedExtensionsMsg) {
	if m.ALPN != "" {
		s.sum.ALPN = m.ALPN
	}
	s.sum.EarlyDataAccepted = m.EarlyData
}
