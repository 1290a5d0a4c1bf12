package pcap

import (
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"
	"time"
)

// ErrFileLimit is returned by RotatingWriter.WritePacket when a time
// rotation would open more files than RotateConfig.Count allows (tcpdump's
// -G with -W and without -C): the last file is closed, the packet is not
// written, and tcpdump exits with status 0 after saying "Maximum file limit
// reached: N".
var ErrFileLimit = errors.New("pcap: maximum file limit reached")

// RotateConfig says how a RotatingWriter names its files and when it moves
// on to the next one: tcpdump's -w, -C, -G, -W and -U, which its manual
// describes and whose arithmetic this follows (tcpdump.c's
// dump_packet_and_trunc and MakeFilename in 4.99.3).
type RotateConfig struct {
	// Name is the file name (-w). With Seconds set it is a strftime(3)
	// pattern, expanded in the local time zone with the time the file is
	// opened, so "trace-%H%M%S.pcap" names each file after its start; a
	// name without conversions is reused, each file overwriting the last.
	Name string
	// Size is -C in bytes (tcpdump's argument times 1,000,000): before
	// writing a packet, a file already larger than Size is closed and the
	// next one opened, so a file can exceed Size by one packet. Files
	// after the first are numbered: Name, Name1, Name2, ... 0 turns size
	// rotation off.
	Size int64
	// Seconds is -G: before writing a packet, when at least Seconds whole
	// seconds of the clock have passed since the current file was opened,
	// it is closed and a new one opened. The clock is the wall clock, not
	// the packets' timestamps, as in tcpdump. 0 turns time rotation off.
	Seconds int64
	// Count is -W. With Size, it bounds the number of files: numbering
	// wraps to 0 after Count-1, overwriting the oldest, and numbers are
	// padded with zeros to the width of Count-1 (Name0, Name1, ... from
	// the first file on). With Seconds alone, WritePacket returns
	// ErrFileLimit instead of opening file Count+1. 0 means no bound.
	Count int
	// Flush is -U: every packet is flushed to its file as it is written,
	// rather than when the buffer fills.
	Flush bool
	// Header is the header of every file, for classic pcap.
	Header FileHeader
	// Ng, when set, makes every file pcapng with this single interface
	// instead of classic pcap; Header.Nano is then ignored (pcapng
	// timestamps are written in nanoseconds) but still says the unit of
	// the fractions given to WritePacket.
	Ng *NgInterface
	// Now is the clock for Seconds and for the names' times; nil means
	// time.Now.
	Now func() time.Time
	// Create opens a file for writing, truncating it; nil means
	// os.Create. netdump maps "-" to the standard output here.
	Create func(name string) (io.WriteCloser, error)
}

// RotatingWriter writes packets to a file or, with RotateConfig's Size or
// Seconds, a series of files, as tcpdump -w does. It is not safe for
// concurrent use.
type RotatingWriter struct {
	cfg    RotateConfig
	chars  int       // digits of a file number (tcpdump's WflagChars)
	opened time.Time // when the current file was opened, whole seconds (Gflag_time)
	nSize  int       // number of the current file in the size rotation (Cflag_count)
	nTime  int       // time rotations so far (Gflag_count)
	name   string    // the current file's name
	file   io.WriteCloser
	sink   recordSink
}

// recordSink is a classic or pcapng writer as RotatingWriter uses it.
type recordSink interface {
	writeRecord(sec, frac uint32, data []byte, length uint32, flags uint32) error
	Size() int64
	Flush() error
}

// writeRecord writes a classic record; classic pcap has no flags.
func (w *Writer) writeRecord(sec, frac uint32, data []byte, length, _ uint32) error {
	return w.WriteRecord(sec, frac, data, length)
}

// ngSink writes records as Enhanced Packet Blocks on interface 0.
type ngSink struct {
	*NgWriter
	nano bool // the fractions given are nanoseconds, not microseconds
}

func (s ngSink) writeRecord(sec, frac uint32, data []byte, length, flags uint32) error {
	ns := int64(frac)
	if !s.nano {
		ns *= 1000
	}
	// pcapng has no room for a wire length below the captured length,
	// which only a malformed classic file can hold; the captured length
	// stands in for it.
	return s.WritePacket(0, time.Unix(int64(sec), ns), data, max(int(length), len(data)), Direction(flags&3))
}

// NewRotatingWriter opens the first file and writes its header.
func NewRotatingWriter(cfg RotateConfig) (*RotatingWriter, error) {
	if cfg.Name == "" {
		// tcpdump's MakeFilename says the same.
		return nil, errors.New("an empty string is not a valid file name")
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Create == nil {
		cfg.Create = func(name string) (io.WriteCloser, error) { return os.Create(name) }
	}
	w := &RotatingWriter{cfg: cfg}
	for c := cfg.Count - 1; c > 0; c /= 10 {
		w.chars++
	}
	w.opened = w.now()
	if err := w.open(0); err != nil {
		return nil, err
	}
	return w, nil
}

// now is the clock in whole seconds, as time(NULL) gives it.
func (w *RotatingWriter) now() time.Time { return w.cfg.Now().Truncate(time.Second) }

// Name returns the name of the file being written.
func (w *RotatingWriter) Name() string { return w.name }

// filename is tcpdump's MakeFilename: the name expanded by strftime when
// rotating by time, then the number n padded to the -W width, where there
// is a number to add.
func (w *RotatingWriter) filename(n int, numbered bool) string {
	name := w.cfg.Name
	if w.cfg.Seconds != 0 {
		name = strftime(name, w.opened.In(time.Local))
	}
	chars := 0
	if numbered {
		chars = w.chars
	}
	if n == 0 && chars == 0 {
		return name
	}
	s := strconv.Itoa(n)
	for len(s) < chars {
		s = "0" + s
	}
	return name + s
}

// open opens file number n and writes its header.
func (w *RotatingWriter) open(n int) error {
	name := w.filename(n, w.cfg.Size != 0)
	f, err := w.cfg.Create(name)
	if err != nil {
		// libpcap's pcap_dump_open words it "NAME: strerror".
		return &Error{File: name, Kind: ErrIO, Msg: name + ": " + strerror(err), Cause: err, named: true}
	}
	var sink recordSink
	if w.cfg.Ng != nil {
		var nw *NgWriter
		if nw, err = NewNgWriter(f, *w.cfg.Ng); err == nil {
			sink = ngSink{nw, w.cfg.Header.Nano}
		}
	} else {
		var cw *Writer
		if cw, err = NewFileWriter(f, w.cfg.Header); err == nil {
			sink = cw
		}
	}
	if err == nil && w.cfg.Flush {
		err = sink.Flush()
	}
	if err != nil {
		f.Close()
		return fmt.Errorf("%s: %w", name, err)
	}
	w.name, w.file, w.sink = name, f, sink
	return nil
}

// closeFile flushes and closes the current file.
func (w *RotatingWriter) closeFile() error {
	if w.file == nil {
		return nil
	}
	err := w.sink.Flush()
	if cerr := w.file.Close(); err == nil && cerr != nil {
		err = fmt.Errorf("pcap: closing %s: %w", w.name, cerr)
	}
	w.file, w.sink = nil, nil
	return err
}

// WritePacket writes one record (see Writer.WriteRecord; flags are pcapng's
// epb_flags, of which pcapng files keep the direction), first moving to the
// next file if the current one is too old or too large. frac is in the
// unit RotateConfig.Header.Nano says. It returns ErrFileLimit when -W
// stops a time rotation.
func (w *RotatingWriter) WritePacket(sec, frac uint32, data []byte, length uint32, flags uint32) error {
	if w.file == nil {
		return errors.New("pcap: write to a closed RotatingWriter")
	}
	if w.cfg.Seconds != 0 {
		// A time rotation starts the size numbering over, so when both
		// fall due the time rotation wins and the size check below
		// finds an empty file.
		if t := w.now(); t.Unix()-w.opened.Unix() >= w.cfg.Seconds {
			w.opened = t
			w.nTime++
			if err := w.closeFile(); err != nil {
				return err
			}
			if w.cfg.Size == 0 && w.cfg.Count > 0 && w.nTime >= w.cfg.Count {
				return ErrFileLimit
			}
			w.nSize = 0
			if err := w.open(0); err != nil {
				return err
			}
		}
	}
	if w.cfg.Size != 0 && w.sink.Size() > w.cfg.Size {
		if err := w.closeFile(); err != nil {
			return err
		}
		w.nSize++
		if w.cfg.Count > 0 && w.nSize >= w.cfg.Count {
			w.nSize = 0
		}
		if err := w.open(w.nSize); err != nil {
			return err
		}
	}
	if err := w.sink.writeRecord(sec, frac, data, length, flags); err != nil {
		return err
	}
	if w.cfg.Flush {
		return w.sink.Flush()
	}
	return nil
}

// Flush writes what is buffered to the current file.
func (w *RotatingWriter) Flush() error {
	if w.sink == nil {
		return nil
	}
	return w.sink.Flush()
}

// Close flushes and closes the current file. A file that Create returned
// for the standard output is closed too: Create should wrap it to keep it
// open if it must stay open.
func (w *RotatingWriter) Close() error { return w.closeFile() }
