package pcap

import "io"

// Buffer sizes for reading. One large buffer serves the whole file: records
// are handed out as slices of it, so a packet is copied once, from the
// kernel (or the decompressor) into the buffer, and never again.
const (
	// defaultBufSize is large enough that a read syscall is rare next to
	// the work of printing the packets it brings.
	defaultBufSize = 1 << 20
	// maxZeroReads bounds the number of consecutive (0, nil) reads
	// tolerated from a misbehaving io.Reader before giving up.
	maxZeroReads = 100
)

// minBufSize keeps tiny inputs (fuzzing, tests) from allocating the full
// buffer while still holding any common record whole. It is a variable so
// that the fuzz test can shrink it and make every record straddle the
// buffer's end or outgrow it.
var minBufSize = 4 << 10

// source is a buffered reader that hands out views of its buffer instead of
// copying into the caller's. ensure(n) makes n bytes contiguous at the read
// position; the views it returns stay valid until the next ensure, which may
// move or replace the buffer.
type source struct {
	rd  io.Reader
	buf []byte
	r   int   // read position: unread bytes are buf[r:w]
	w   int   // write position
	off int64 // stream offset of buf[r]
	err error // first error from rd (io.EOF at the end); sticky
}

// newSource returns a source over rd with a buffer of about sizeHint bytes
// (the input size when known, else -1 for the default).
func newSource(rd io.Reader, sizeHint int64) source {
	size := defaultBufSize
	if sizeHint >= 0 && sizeHint < int64(size) {
		size = int(sizeHint)
		if size < minBufSize {
			size = minBufSize
		}
	}
	return source{rd: rd, buf: make([]byte, size)}
}

// mappedSource returns a source over bytes that are all there already, a
// memory-mapped file: its buffer is the mapping, it never reads or moves
// bytes, and it ends where the data does.
func mappedSource(data []byte) source {
	return source{buf: data, w: len(data), err: io.EOF}
}

// ensure returns the unread bytes, at least n of them unless the stream
// ends or fails first (then s.err says which). The fast path is a compare,
// small enough to be inlined into the record readers.
func (s *source) ensure(n int) []byte {
	if s.w-s.r >= n {
		return s.buf[s.r:s.w]
	}
	return s.fill(n)
}

// fill reads until n bytes are unread or the stream stops. It compacts the
// buffer when a record straddles its end, and grows it only for a record
// larger than the buffer, doubling at most each time the buffer is full of
// bytes actually read: a length field claiming gigabytes in a short file
// costs at most twice the file's size. Callers bound n (by the largest
// snapshot or block length libpcap accepts) before calling.
func (s *source) fill(n int) []byte {
	zeroReads := 0
	for s.w-s.r < n && s.err == nil {
		if s.w == len(s.buf) {
			if s.r > 0 {
				s.w = copy(s.buf, s.buf[s.r:s.w])
				s.r = 0
			} else {
				size := 2 * len(s.buf)
				if size > n {
					size = n
				}
				bigger := make([]byte, size)
				s.w = copy(bigger, s.buf[s.r:s.w])
				s.r = 0
				s.buf = bigger
			}
		}
		m, err := s.rd.Read(s.buf[s.w:])
		s.w += m
		if err != nil {
			s.err = err
			break
		}
		if m == 0 {
			zeroReads++
			if zeroReads >= maxZeroReads {
				s.err = io.ErrNoProgress
			}
		} else {
			zeroReads = 0
		}
	}
	return s.buf[s.r:s.w]
}

// consume marks n unread bytes as read.
func (s *source) consume(n int) {
	s.r += n
	s.off += int64(n)
}

// failed returns the error that stopped the stream, or nil if it simply
// ended. A compressed stream that ends early (io.ErrUnexpectedEOF from the
// decompressor) counts as a plain end here, so a gzip file cut short inside
// a record reads like a plain file cut short; the record readers report
// that as libpcap's "truncated dump file".
func (s *source) failed() error {
	if s.err == io.EOF || s.err == io.ErrUnexpectedEOF {
		return nil
	}
	return s.err
}
