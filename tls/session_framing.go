package tls

// Record framing: a direction's bytes are put together into whole
// records (held while the other direction must go first) and handed on
// one record at a time.

import "fmt"

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
