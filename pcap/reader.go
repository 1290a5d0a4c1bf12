package pcap

import (
	"encoding/binary"
	"io"
	"os"
	"time"
)

// Format is the kind of capture file a Reader is reading.
type Format int

// Capture file formats.
const (
	// FormatPcap is the classic libpcap format.
	FormatPcap Format = iota + 1
	// FormatPcapNG is pcapng.
	FormatPcapNG
)

// String returns "pcap" or "pcapng".
func (f Format) String() string {
	switch f {
	case FormatPcap:
		return "pcap"
	case FormatPcapNG:
		return "pcapng"
	}
	return "unknown"
}

// Direction is the direction of a packet as pcapng's epb_flags record it
// (bits 0-1).
type Direction uint8

// Directions in epb_flags.
const (
	DirectionUnknown  Direction = 0
	DirectionInbound  Direction = 1
	DirectionOutbound Direction = 2
)

// Packet is one record of a capture file.
type Packet struct {
	// Data is the captured bytes. It is a slice of the Reader's buffer and
	// is valid until the next call to Next: copy it to keep it.
	Data []byte
	// Length is the packet's length on the wire (at least len(Data) in a
	// sane file, but the reader does not insist: tcpdump does not).
	Length int
	// Sec is the timestamp's seconds. For classic pcap it is the stored
	// unsigned 32-bit field; libpcap reads that field as signed, so a
	// caller mirroring libpcap's arithmetic should use int64(int32(Sec))
	// (tcpdump itself prints a second count with bit 31 set as "[Error
	// converting time]"). For pcapng it is the timestamp divided by the
	// interface's resolution plus its if_tsoffset, as libpcap computes it.
	Sec int64
	// Frac is the fraction of a second in units of 1/FracPerSec, as stored:
	// it is not normalised, so an invalid microsecond field of 1000000 or
	// more stays as it is (tcpdump prints it as ".1000000").
	Frac uint32
	// FracPerSec is 1e6 (classic microsecond files, pcapng interfaces with
	// microsecond resolution) or 1e9 (classic nanosecond files, pcapng
	// interfaces with any other resolution, converted exactly to
	// nanoseconds).
	FracPerSec uint32
	// LinkType is the link type of the packet's interface: pcapng
	// interfaces in one file can differ.
	LinkType LinkType
	// Interface is the pcapng interface ID within the packet's section
	// (0 for classic pcap and for pcapng Simple Packet Blocks).
	Interface int
	// Flags is the pcapng epb_flags word, 0 when absent; bits 0-1 are the
	// direction.
	Flags uint32
}

// Direction returns the direction bits of the packet's epb_flags.
func (p *Packet) Direction() Direction { return Direction(p.Flags & 3) }

// Time returns the timestamp as a time.Time, normalising a fraction of a
// second or more into the seconds.
func (p *Packet) Time() time.Time {
	nsec := int64(p.Frac)
	if p.FracPerSec == 1e6 {
		nsec *= 1000
	}
	return time.Unix(p.Sec, nsec)
}

// Stamp returns the packet's time as libpcap hands it to a program that
// opened the capture for perSec units per second (1e6, microseconds, as
// tcpdump does by default, or 1e9 with --nano): the seconds, and the
// fraction scaled from the stored unit without being normalised, so a
// stored microsecond field of 1000000 stays 1000000 (1000000000 at
// nanoseconds). Like libpcap, it scales the field as a signed 32-bit
// number, so a nanosecond field of 2^31 or more becomes a negative count
// of microseconds, and returns the low 32 bits: tcpdump prints them as an
// unsigned number and writes them (-w) as they are.
func (p *Packet) Stamp(perSec uint32) (sec int64, frac uint32) {
	f := int64(int32(p.Frac))
	switch have := p.FracPerSec; {
	case have == perSec || have == 0 || perSec == 0:
		return p.Sec, p.Frac
	case have < perSec:
		f *= int64(perSec / have)
	default:
		f /= int64(have / perSec)
	}
	return p.Sec, uint32(f)
}

// Interface describes one interface of a pcapng section, or the single
// implicit interface of a classic pcap file.
type Interface struct {
	// LinkType is the interface's link type.
	LinkType LinkType
	// Snaplen is the snapshot length, adjusted as libpcap adjusts it: 0 or
	// a value above 2^31-1 becomes the link type's maximum.
	Snaplen uint32
	// Name is the if_name option, "" when absent.
	Name string
	// TSResolution is the number of timestamp units per second
	// (if_tsresol: 10^n or 2^n; 1e6 when absent).
	TSResolution uint64
	// TSOffset is if_tsoffset, seconds added to every timestamp.
	TSOffset int64
}

// Config holds options for opening a capture file. The zero value reads
// every valid file; see Libpcap for mirroring libpcap's refusals.
type Config struct {
	// Name is the file name put in errors by NewReader (Open uses the
	// name it is given).
	Name string
	// Libpcap makes the reader refuse the pcapng files libpcap 1.10.3
	// refuses although the format allows them: an interface whose link
	// type or snapshot length differs from the first interface's, and a
	// section whose byte order differs from the first section's. libpcap
	// compares a new interface's link type as stored with the first one's
	// DLT_ value, so a file with two LINKTYPE_RAW interfaces is refused
	// too; that is mirrored. netdump sets Libpcap to print what tcpdump
	// prints. Without it, each packet carries its own interface's link
	// type.
	Libpcap bool
}

// Reader reads packets from a capture file. It is not safe for concurrent
// use.
type Reader struct {
	src     source
	closer  io.Closer // the file Open opened; nil for stdin and NewReader
	name    string
	libpcap bool
	format  Format
	big     bool // the file (or current pcapng section) is big-endian
	major   int
	minor   int
	pkt     Packet
	err     error // sticky: once reading fails, Next keeps failing

	// The link type and snapshot length of the file header, or of the
	// first pcapng interface.
	linkType LinkType
	snaplen  uint32
	// linkTypeExt is the upper six bits of a classic file's link type
	// field, which linkType leaves out.
	linkTypeExt uint32

	pcap pcapState
	ng   ngState
	pf   *prefetcher
}

// Open opens the capture file name ("-" for the standard input) and reads
// its header, with the zero Config.
func Open(name string) (*Reader, error) { return Config{}.Open(name) }

// NewReader reads a capture file from r, starting with its header, with
// the zero Config.
func NewReader(r io.Reader) (*Reader, error) { return Config{}.NewReader(r) }

// Open opens the capture file name ("-" for the standard input, which Close
// leaves open) and reads its header. Errors name the file, as libpcap's do.
func (c Config) Open(name string) (*Reader, error) {
	if name == "-" {
		c.Name = name
		return c.open(os.Stdin, nil, -1)
	}
	f, err := os.Open(name)
	if err != nil {
		// libpcap words this one "NAME: strerror", as fopen failed.
		return nil, &Error{File: name, Kind: ErrIO, Msg: name + ": " + strerror(err), Cause: err, named: true}
	}
	size := int64(-1)
	if fi, err := f.Stat(); err == nil && fi.Mode().IsRegular() {
		size = fi.Size()
	}
	c.Name = name
	if data := mapFile(f, size); data != nil {
		m := &mappedFile{f: f, data: data}
		r, err := c.openSource(mappedSource(data), m, size)
		if err != nil {
			m.Close()
			return nil, err
		}
		r.startPrefetch(data)
		return r, nil
	}
	r, err := c.open(f, f, size)
	if err != nil {
		f.Close()
		return nil, err
	}
	return r, nil
}

// mappedFile is a file and its memory mapping, closed together.
type mappedFile struct {
	f    *os.File
	data []byte
}

func (m *mappedFile) Close() error {
	err := unmapFile(m.data)
	if cerr := m.f.Close(); err == nil {
		err = cerr
	}
	return err
}

// NewReader reads a capture file from r, starting with its header. Errors
// carry c.Name.
func (c Config) NewReader(r io.Reader) (*Reader, error) {
	size := int64(-1)
	if l, ok := r.(interface{ Len() int }); ok {
		size = int64(l.Len())
	}
	return c.open(r, nil, size)
}

// open detects the format and reads the file header (and, for pcapng, the
// blocks up to the first interface, as libpcap does at open time).
func (c Config) open(rd io.Reader, closer io.Closer, size int64) (*Reader, error) {
	return c.openSource(newSource(rd, size), closer, size)
}

// openSource is open for a source already set up, such as a mapped file.
func (c Config) openSource(src source, closer io.Closer, size int64) (*Reader, error) {
	r := &Reader{name: c.Name, libpcap: c.Libpcap, closer: closer}
	r.src = src
	if err := r.detect(size); err != nil {
		return nil, err
	}
	return r, nil
}

// Next returns the next packet, or io.EOF at the clean end of the file.
// The Packet and its Data are valid until the next call to Next. After an
// error, Next returns the same error again.
func (r *Reader) Next() (*Packet, error) {
	if r.err != nil {
		return nil, r.err
	}
	switch r.format {
	case FormatPcap:
		return r.nextPcap()
	case FormatPcapNG:
		return r.nextNg()
	}
	return nil, errNotOpen
}

// Format returns the file's format.
func (r *Reader) Format() Format { return r.format }

// Version returns the file's version: 2.4 for most classic pcap files, the
// section header's version (1.0) for pcapng.
func (r *Reader) Version() (major, minor int) { return r.major, r.minor }

// ByteOrder returns the byte order of the file, or of the current pcapng
// section. libpcap converts the host-byte-order fields of a few
// pseudo-headers (PFLOG, Linux SLL CAN IDs, Linux USB, NFLOG TLVs) to the
// reading host's order; this reader leaves packet bytes untouched, so the
// decoders of those headers should read such fields in this order.
func (r *Reader) ByteOrder() binary.ByteOrder {
	if r.big {
		return binary.BigEndian
	}
	return binary.LittleEndian
}

// LinkType returns the link type of the file header, or of the first
// pcapng interface: the link type tcpdump prints in "reading from file".
func (r *Reader) LinkType() LinkType { return r.linkType }

// LinkTypeExt returns the upper six bits of a classic pcap file's link type
// field (an FCS length), which LinkType leaves out and libpcap copies into
// the header of a file it writes from this one (tcpdump -r IN -w OUT); 0
// for pcapng, whose link type field has no room for them.
func (r *Reader) LinkTypeExt() uint32 { return r.linkTypeExt }

// DumpHeader returns the header of the classic pcap file libpcap writes
// when a program dumps this file's packets (tcpdump -r IN -w OUT): the
// link type as pcap_dump_open maps it (LinkType.Savefile) with the FCS
// bits of the input, the input's snapshot length as adjusted on reading,
// and the precision the program asked for (nano), not the input's:
// tcpdump writes microseconds unless given --nano. Records go with
// Writer.WriteRecord, each packet's time from Packet.Stamp in that
// precision.
func (r *Reader) DumpHeader(nano bool) FileHeader {
	return FileHeader{LinkType: r.linkType.Savefile(), LinkTypeExt: r.linkTypeExt, Snaplen: r.snaplen, Nano: nano}
}

// Snaplen returns the snapshot length of the file header or of the first
// pcapng interface, adjusted as libpcap adjusts it: what tcpdump prints as
// "snapshot length".
func (r *Reader) Snaplen() uint32 { return r.snaplen }

// Interfaces returns the interfaces of the current pcapng section (the
// single interface of a classic pcap file). The slice is shared with the
// reader and changes as Next reads further.
func (r *Reader) Interfaces() []Interface {
	if r.format == FormatPcap {
		return r.pcap.iface[:]
	}
	return r.ng.ifaces
}

// Secrets returns the pcapng Decryption Secrets Blocks read so far, in file
// order. The slice is shared with the reader and grows as Next reads
// further; the Data of each Secret is the reader's own copy.
func (r *Reader) Secrets() []Secret { return r.ng.secrets }

// Close closes the file opened by Open. It does not close the standard
// input or a reader given to NewReader.
func (r *Reader) Close() error {
	r.err = errClosed
	r.pf.halt() // before the mapping it reads goes away
	r.pf = nil
	if r.closer == nil {
		return nil
	}
	c := r.closer
	r.closer = nil
	return c.Close()
}

// Errors for a Reader used wrongly: after Close, or never opened (the zero
// Reader).
var (
	errClosed  = &Error{Kind: ErrIO, Msg: "read from a closed reader", Cause: os.ErrClosed}
	errNotOpen = &Error{Kind: ErrIO, Msg: "read from a reader that was not opened", Cause: os.ErrInvalid}
)

// fail records err as the reader's sticky error and returns it.
func (r *Reader) fail(err *Error) error {
	r.err = err
	return err
}

// errorf records and returns an error about the record or block at off.
func (r *Reader) errorf(off int64, kind error, format string, args ...any) error {
	return r.fail(newError(r.name, off, kind, format, args...))
}

// end reports the end of the stream at a record boundary: io.EOF when it
// simply ended, an I/O error when reading failed (including a compressed
// stream cut short, which would otherwise pass for a clean end).
func (r *Reader) end() error {
	if r.src.err == io.EOF || r.src.err == nil {
		r.err = io.EOF
		return io.EOF
	}
	return r.fail(ioError(r.name, r.src.off, r.src.err))
}
