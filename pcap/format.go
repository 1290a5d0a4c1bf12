package pcap

import (
	"compress/gzip"
	"encoding/binary"
	"io"
)

// Magic numbers, as read little-endian from the first four bytes.
const (
	magicMicro     = 0xa1b2c3d4 // classic pcap, microsecond timestamps
	magicNano      = 0xa1b23c4d // classic pcap, nanosecond timestamps
	magicKuznetzov = 0xa1b2cd34 // Alexey Kuznetzov's modified pcap
	magicPcapNG    = 0x0a0d0d0a // pcapng Section Header Block type
	gzipID1        = 0x1f       // first two bytes of a gzip stream
	gzipID2        = 0x8b
)

// Two more modified-pcap magic numbers are registered in libpcap's source
// (0xa1b234cd reserved for Francisco Mesquita, 0xa12b3c4d for Navtel's
// nanosecond format), but libpcap 1.10.3 does not read either, and neither
// does this reader: tcpdump calls them "unknown file format".

// detect reads the magic number and dispatches to the format's header
// reader. A gzip stream is unwrapped first, once: libpcap 1.10.3 does not
// read compressed files, but reading one here saves analysts a pipe through
// zcat, and the result is what tcpdump prints for the decompressed file.
func (r *Reader) detect(size int64) error {
	b := r.src.ensure(4)
	if len(b) >= 2 && b[0] == gzipID1 && b[1] == gzipID2 {
		compressed := r.src // moved: r.src becomes the decompressed stream
		zr, err := gzip.NewReader(&sourceReader{s: &compressed})
		if err != nil {
			return ioError(r.name, 0, err)
		}
		// The decompressed size is unknown; the compressed size is a
		// poor guess of it, so only use it to keep small files small.
		hint := int64(-1)
		if size >= 0 {
			hint = 8 * size
		}
		r.src = newSource(zr, hint)
		b = r.src.ensure(4)
	}
	if len(b) < 4 {
		if err := r.src.failed(); err != nil {
			return ioError(r.name, 0, err)
		}
		return newError(r.name, 0, ErrTruncated,
			"truncated dump file; tried to read 4 file header bytes, only got %d", len(b))
	}
	switch binary.LittleEndian.Uint32(b) {
	case magicMicro, magicNano, magicKuznetzov:
		return r.openPcap(false)
	case swap32(magicMicro), swap32(magicNano), swap32(magicKuznetzov):
		return r.openPcap(true)
	case magicPcapNG:
		return r.openNg()
	}
	return newError(r.name, 0, ErrUnknownFormat, "unknown file format")
}

// sourceReader feeds the buffered bytes of a source to a decompressor. It
// is an io.ByteReader too, so compress/gzip reads it directly instead of
// wrapping it in another bufio.Reader.
type sourceReader struct{ s *source }

// Read copies buffered bytes, filling the buffer when it is empty.
func (sr *sourceReader) Read(p []byte) (int, error) {
	b := sr.s.ensure(1)
	if len(b) == 0 {
		return 0, sr.err()
	}
	n := copy(p, b)
	sr.s.consume(n)
	return n, nil
}

// ReadByte returns the next byte.
func (sr *sourceReader) ReadByte() (byte, error) {
	b := sr.s.ensure(1)
	if len(b) == 0 {
		return 0, sr.err()
	}
	c := b[0]
	sr.s.consume(1)
	return c, nil
}

// err is the error that ended the stream.
func (sr *sourceReader) err() error {
	if sr.s.err == nil {
		return io.ErrNoProgress
	}
	return sr.s.err
}

// swap32 reverses the bytes of v.
func swap32(v uint32) uint32 {
	return v>>24 | v>>8&0xff00 | v<<8&0xff0000 | v<<24
}
