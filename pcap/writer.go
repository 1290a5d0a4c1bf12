package pcap

import (
	"bufio"
	"encoding/binary"
	"fmt"
	"io"
	"time"

	"github.com/gopacket/gopacket/layers"
	"github.com/gopacket/gopacket/pcapgo"
)

// writeBufSize is the buffer between the writers and the caller's
// io.Writer: a record is written as a header and the packet, which on an
// unbuffered file would be two system calls.
const writeBufSize = 64 << 10

// epoch replaces a zero time.Time: a writer never reads the clock behind
// its caller's back (pcapgo would write the current time).
var epoch = time.Unix(0, 0)

// errRecorder remembers the first error of the writer it wraps. pcapgo
// reports some write failures with %v, which drops the cause; the recorded
// error lets ours wrap the cause itself, so errors.Is still finds it.
type errRecorder struct {
	w   io.Writer
	err error
	n   int64 // bytes written, for Size
}

// Write writes p, counts what was written and records a failure.
func (e *errRecorder) Write(p []byte) (int, error) {
	n, err := e.w.Write(p)
	e.n += int64(n)
	if err != nil && e.err == nil {
		e.err = err
	}
	return n, err
}

// writeError wraps a pcapgo error, preferring the underlying write error
// when there is one.
func writeError(what string, rec *errRecorder, err error) error {
	if rec.err != nil {
		return fmt.Errorf("pcap: %s: %w", what, rec.err)
	}
	return fmt.Errorf("pcap: %s: %w", what, err)
}

// checkLength checks a packet's length on the wire against its captured
// length and the 32 bits both formats store it in.
func checkLength(length, captured int) error {
	if length < captured {
		return fmt.Errorf("pcap: packet length %d is less than its %d captured bytes", length, captured)
	}
	if uint64(length) > 1<<32-1 {
		return fmt.Errorf("pcap: packet length %d does not fit in 32 bits", length)
	}
	return nil
}

// Writer writes a classic pcap file (version 2.4, little-endian), encoding
// the header and records itself as libpcap's pcap_dump does, so that a
// file tcpdump would write can be written byte for byte (see FileHeader and
// WriteRecord). Output is buffered: call Flush before closing the
// underlying file. A Writer is not safe for concurrent use.
type Writer struct {
	rec     errRecorder
	bw      *bufio.Writer
	snaplen uint32
	nano    bool
	scratch [recordLen]byte // the record header, so writing does not allocate
}

// FileHeader is what a classic pcap file header says, as a Writer writes
// it: the magic number (microseconds or nanoseconds), version 2.4, a zero
// time zone and accuracy, the snapshot length and the link type.
type FileHeader struct {
	// LinkType is the LINKTYPE_ value of the packets.
	LinkType LinkType
	// LinkTypeExt holds the upper six bits of the link type field as a
	// file stored them (an FCS length); libpcap copies them from the file
	// it reads into the file it writes. The other bits must be zero.
	LinkTypeExt uint32
	// Snaplen is the snapshot length written in the header.
	Snaplen uint32
	// Nano selects nanosecond timestamps (magic 0xa1b23c4d); otherwise
	// they are microseconds (0xa1b2c3d4).
	Nano bool
}

// NewWriter writes a classic pcap file header to w and returns a Writer for
// the packets. nano selects nanosecond timestamps (magic 0xa1b23c4d);
// otherwise they are microseconds. A snaplen of 0 means no limit (readers
// take the link type's maximum); otherwise WritePacket cuts longer packets
// to it. The link type must fit in 16 bits.
func NewWriter(w io.Writer, linkType LinkType, snaplen uint32, nano bool) (*Writer, error) {
	if linkType > 0xffff {
		return nil, fmt.Errorf("pcap: link type %d does not fit in 16 bits: %w", uint32(linkType), ErrLinkType)
	}
	return NewFileWriter(w, FileHeader{LinkType: linkType, Snaplen: snaplen, Nano: nano})
}

// NewFileWriter writes the file header h to w and returns a Writer for the
// packets. Unlike NewWriter it takes any link type the field can hold
// (26 bits, with the FCS bits in LinkTypeExt), as libpcap does.
func NewFileWriter(w io.Writer, h FileHeader) (*Writer, error) {
	if h.LinkType&^linkTypeMask != 0 || h.LinkTypeExt&linkTypeMask != 0 {
		return nil, fmt.Errorf("pcap: link type %d with extension bits %#x does not fit the header field: %w",
			uint32(h.LinkType), h.LinkTypeExt, ErrLinkType)
	}
	pw := &Writer{snaplen: h.Snaplen, nano: h.Nano}
	pw.rec.w = w
	pw.bw = bufio.NewWriterSize(&pw.rec, writeBufSize)
	var hdr [fileHeaderLen]byte
	le := binary.LittleEndian
	magic := uint32(magicMicro)
	if h.Nano {
		magic = magicNano
	}
	le.PutUint32(hdr[0:], magic)
	le.PutUint16(hdr[versionMajOff:], 2)
	le.PutUint16(hdr[versionMinOff:], 4)
	// thiszone and sigfigs (bytes 8-15) stay zero, as libpcap writes them.
	le.PutUint32(hdr[snaplenOff:], h.Snaplen)
	le.PutUint32(hdr[linkTypeOff:], uint32(h.LinkType)|h.LinkTypeExt)
	if _, err := pw.bw.Write(hdr[:]); err != nil {
		return nil, writeError("writing file header", &pw.rec, err)
	}
	return pw, nil
}

// WritePacket writes one packet: data is what was captured (cut to the
// snapshot length if longer), length the packet's length on the wire,
// which must be at least len(data). A zero ts is written as the epoch.
func (w *Writer) WritePacket(ts time.Time, data []byte, length int) error {
	if w.snaplen != 0 && uint64(len(data)) > uint64(w.snaplen) {
		data = data[:w.snaplen]
	}
	if err := checkLength(length, len(data)); err != nil {
		return err
	}
	if ts.IsZero() {
		ts = epoch
	}
	frac := uint32(ts.Nanosecond())
	if !w.nano {
		frac /= 1000
	}
	return w.WriteRecord(uint32(ts.Unix()), frac, data, uint32(length))
}

// WriteRecord writes one record exactly as given, the way libpcap's
// pcap_dump does: the seconds and the fraction of a second (in the file's
// unit, not normalised), len(data) as the captured length, length as the
// length on the wire, then data. Nothing is cut or checked, so a record
// read from a file, even a malformed one (a length below its captured
// length, a fraction of a second or more), is copied as it was. It does not
// allocate.
func (w *Writer) WriteRecord(sec, frac uint32, data []byte, length uint32) error {
	if uint64(len(data)) > 1<<32-1 {
		return fmt.Errorf("pcap: packet of %d bytes does not fit in a record", len(data))
	}
	h := w.scratch[:]
	le := binary.LittleEndian
	le.PutUint32(h[recSecOff:], sec)
	le.PutUint32(h[recFracOff:], frac)
	le.PutUint32(h[recCaplenOff:], uint32(len(data)))
	le.PutUint32(h[recLenOff:], length)
	w.bw.Write(h)
	if _, err := w.bw.Write(data); err != nil {
		// bufio.Writer's error is sticky: a failed header write shows
		// here too.
		return writeError("writing packet", &w.rec, err)
	}
	return nil
}

// Size returns the number of bytes written so far, header included,
// whether they have reached the underlying writer or are still buffered:
// what ftell reports on libpcap's dump file, which tcpdump's -C compares
// with its limit.
func (w *Writer) Size() int64 { return w.rec.n + int64(w.bw.Buffered()) }

// Flush writes any buffered data to the underlying writer.
func (w *Writer) Flush() error {
	if err := w.bw.Flush(); err != nil {
		return writeError("flushing", &w.rec, err)
	}
	return nil
}

// NgInterface describes an interface to add to a pcapng file.
type NgInterface struct {
	// LinkType is the link type of the interface's packets (16 bits in
	// pcapng).
	LinkType LinkType
	// Snaplen is the snapshot length; 0 means no limit. Longer packets are
	// cut to it.
	Snaplen uint32
	// Name and Description go into the if_name and if_description
	// options when not empty.
	Name        string
	Description string
}

// ngApplication is the shb_userappl option of the files medina writes.
// Nothing else describes the host (pcapgo's defaults would add the OS and
// architecture), so the same packets always make the same file.
const ngApplication = "medina"

// NgWriter writes a pcapng file, little-endian, one section. pcapgo's
// NgWriter writes the Section Header, Interface Description and Decryption
// Secrets Blocks; the Enhanced Packet Blocks are encoded here, because
// pcapgo allocates twice per packet as soon as epb_flags are set (a
// recording tap always knows the direction), and the packet path must not
// allocate. Timestamps are nanoseconds (if_tsresol 9). Output is buffered:
// call Flush before closing the underlying file. An NgWriter is not safe for
// concurrent use.
type NgWriter struct {
	rec      errRecorder
	bw       *bufio.Writer    // ours; pcapgo writes into it and is flushed after each block, so blocks keep their order
	nw       *pcapgo.NgWriter // for the blocks other than packets
	snaplens []uint32         // per interface, for cutting packets
	scratch  [epbHeadLen]byte
}

// Enhanced Packet Block layout as written here, named once.
const (
	epbHeadLen     = blockHeaderLen + epbFixedLen // type, length, interface, ts high, ts low, caplen, len
	epbFlagsOptLen = 8                            // option header and the 4-byte flags word
	endOfOptLen    = 4
)

// NewNgWriter writes a Section Header Block and the Interface Description
// Block of first (interface 0) to w, and returns an NgWriter for the rest.
func NewNgWriter(w io.Writer, first NgInterface) (*NgWriter, error) {
	if first.LinkType > 0xffff {
		return nil, fmt.Errorf("pcap: link type %d does not fit in 16 bits: %w", uint32(first.LinkType), ErrLinkType)
	}
	nw := &NgWriter{}
	nw.rec.w = w
	nw.bw = bufio.NewWriterSize(&nw.rec, writeBufSize)
	opts := pcapgo.NgWriterOptions{SectionInfo: pcapgo.NgSectionInfo{Application: ngApplication}}
	var err error
	nw.nw, err = pcapgo.NewNgWriterInterface(nw.bw, ngInterface(first), opts)
	if err == nil {
		err = nw.nw.Flush()
	}
	if err != nil {
		return nil, writeError("writing section header", &nw.rec, err)
	}
	nw.snaplens = append(nw.snaplens, first.Snaplen)
	return nw, nil
}

func ngInterface(i NgInterface) pcapgo.NgInterface {
	return pcapgo.NgInterface{
		Name:                i.Name,
		Description:         i.Description,
		LinkType:            layers.LinkType(i.LinkType),
		SnapLength:          i.Snaplen,
		TimestampResolution: 9,
	}
}

// AddInterface writes an Interface Description Block and returns the new
// interface's index, for WritePacket.
func (w *NgWriter) AddInterface(iface NgInterface) (int, error) {
	if iface.LinkType > 0xffff {
		return 0, fmt.Errorf("pcap: link type %d does not fit in 16 bits: %w", uint32(iface.LinkType), ErrLinkType)
	}
	id, err := w.nw.AddInterface(ngInterface(iface))
	if err == nil {
		err = w.nw.Flush()
	}
	if err != nil {
		return 0, writeError("writing interface", &w.rec, err)
	}
	w.snaplens = append(w.snaplens, iface.Snaplen)
	return id, nil
}

// WritePacket writes an Enhanced Packet Block for interface iface: data is
// what was captured (cut to the interface's snapshot length if longer),
// length the packet's length on the wire, at least len(data). A direction
// other than DirectionUnknown is recorded in epb_flags. A zero ts is
// written as the epoch.
func (w *NgWriter) WritePacket(iface int, ts time.Time, data []byte, length int, dir Direction) error {
	if iface < 0 || iface >= len(w.snaplens) {
		return fmt.Errorf("pcap: interface %d of %d: %w", iface, len(w.snaplens), ErrInterface)
	}
	if snap := w.snaplens[iface]; snap != 0 && uint64(len(data)) > uint64(snap) {
		data = data[:snap]
	}
	if err := checkLength(length, len(data)); err != nil {
		return err
	}
	if ts.IsZero() {
		ts = epoch
	}
	pad := (4 - len(data)&3) & 3
	total := epbHeadLen + len(data) + pad + 4
	if dir != DirectionUnknown {
		total += epbFlagsOptLen + endOfOptLen
	}
	if uint64(total) > 1<<32-1 {
		return fmt.Errorf("pcap: packet of %d bytes is too large for a pcapng block", len(data))
	}
	t := uint64(ts.UnixNano())
	h := w.scratch[:]
	le := binary.LittleEndian
	le.PutUint32(h[0:], blockEPB)
	le.PutUint32(h[4:], uint32(total))
	le.PutUint32(h[8:], uint32(iface))
	le.PutUint32(h[12:], uint32(t>>32))
	le.PutUint32(h[16:], uint32(t))
	le.PutUint32(h[20:], uint32(len(data)))
	le.PutUint32(h[24:], uint32(length))
	w.bw.Write(h)
	w.bw.Write(data)
	// The tail reuses the scratch array: padding, options, trailer.
	tail := w.scratch[:0]
	tail = append(tail, 0, 0, 0)[:pad]
	if dir != DirectionUnknown {
		tail = le.AppendUint16(tail, optEPBFlags)
		tail = le.AppendUint16(tail, 4)
		tail = le.AppendUint32(tail, uint32(dir&3))
		tail = le.AppendUint32(tail, optEndOfOpt) // code and length 0
	}
	tail = le.AppendUint32(tail, uint32(total))
	if _, err := w.bw.Write(tail); err != nil {
		// bufio.Writer's error is sticky: any failed write above
		// shows here too.
		return writeError("writing packet", &w.rec, err)
	}
	return nil
}

// WriteSecrets writes a Decryption Secrets Block, for example a TLS key log
// (SecretsTLSKeyLog) so that a reader can decrypt the packets after it.
// pcapgo refuses types outside the registered ones.
func (w *NgWriter) WriteSecrets(typ SecretsType, data []byte) error {
	err := w.nw.WriteDecryptionSecretsBlock(uint32(typ), data)
	if err == nil {
		err = w.nw.Flush()
	}
	if err != nil {
		return writeError("writing decryption secrets", &w.rec, err)
	}
	return nil
}

// Size returns the number of bytes written so far, buffered or not, as
// Writer.Size does.
func (w *NgWriter) Size() int64 { return w.rec.n + int64(w.bw.Buffered()) }

// Flush writes any buffered data to the underlying writer.
func (w *NgWriter) Flush() error {
	if err := w.bw.Flush(); err != nil {
		return writeError("flushing", &w.rec, err)
	}
	return nil
}
