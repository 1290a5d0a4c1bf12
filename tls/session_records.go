package tls

// Records: one whole record at a time, its protection removed when the
// keys are known, and what it carries dispatched.

import (
	"errors"
	"fmt"
)

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

// content handles a record's plaintext (or decrypted) content.
func (s *Session) content(h *halfConn, ev Event, typ ContentType, data []byte) {
	switch typ {
	case ContentChangeCipherSpec:
		ev.Kind = EventChangeCipherSpec
		ev.Data = data
		if s.abbreviated(h) && !s.sum.Resumed {
			// The ServerHello did not say the handshake resumes; this
			// does. Only a ticket resumes without the ID echoed.
			s.sum.Resumed, s.sum.ResumedBy = true, ResumedUnknown
			if len(s.ticket) > 0 {
				s.sum.ResumedBy = ResumedByTicket
			}
			ev.Resumption = s.sum.ResumedBy
		}
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
