package tls

// Resynchronisation: what a direction does when bytes of its stream were
// lost, skipping the damaged record or looking for the next plausible
// record header.

import "fmt"

// Bounds on the search for a record after lost bytes.
const (
	// maxResyncScan bounds the bytes scanned for a record header after a
	// gap before giving the direction up.
	maxResyncScan = 1 << 20
	// maxSeqTrials bounds the sequence numbers tried for a record after a
	// gap, and seqTrialRecords the records they are tried for.
	maxSeqTrials    = 64
	seqTrialRecords = 4
)

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
		if next+RecordHeaderLen > len(b) && !(s.closed && next == len(b)) {
			// Confirm with the header after it when it comes (unless the
			// wait would be too long). A stream that has ended with
			// the record confirms it instead: the last bytes delivered
			// after a hole given up at the close are often just the
			// sender's close_notify alert.
			if i > 0 {
				return s.scanned(h, i)
			}
			if len(b) >= maxBuffered {
				break
			}
			return 0, false
		}
		if next < len(b) && !s.candidate(h, b[next:]) {
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
