package tls

// Recognition: deciding from a connection's first bytes whether it is
// TLS, and finding the hellos after a plaintext preamble (STARTTLS,
// CONNECT, SOCKS) or picking a connection up in the middle.

import (
	"bytes"
	"fmt"
)

// Bounds and sizes of the search for a hello after a preamble.
const (
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
