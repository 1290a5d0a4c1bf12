package pcap

import (
	"bytes"
	"encoding/binary"
	"errors"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
)

// Builders of crafted capture files, by hand and in either byte order, so
// the tests do not depend on the writers they test.

// byteOrder is a byte order that can both put and append.
type byteOrder interface {
	binary.ByteOrder
	binary.AppendByteOrder
}

var (
	le byteOrder = binary.LittleEndian
	be byteOrder = binary.BigEndian
)

// pcapHeader returns a classic pcap file header.
func pcapHeader(o byteOrder, magic uint32, major, minor uint16, snaplen, linkType uint32) []byte {
	b := make([]byte, 24)
	o.PutUint32(b[0:], magic)
	o.PutUint16(b[4:], major)
	o.PutUint16(b[6:], minor)
	o.PutUint32(b[16:], snaplen)
	o.PutUint32(b[20:], linkType)
	return b
}

// pcapRecord returns a classic pcap record header followed by data.
func pcapRecord(o byteOrder, sec, frac, caplen, length uint32, data []byte) []byte {
	b := make([]byte, 16, 16+len(data))
	o.PutUint32(b[0:], sec)
	o.PutUint32(b[4:], frac)
	o.PutUint32(b[8:], caplen)
	o.PutUint32(b[12:], length)
	return append(b, data...)
}

// cat concatenates byte slices.
func cat(parts ...[]byte) []byte { return bytes.Join(parts, nil) }

// pad4 pads b with zeros to a multiple of 4 bytes.
func pad4(b []byte) []byte {
	for len(b)%4 != 0 {
		b = append(b, 0)
	}
	return b
}

// ngBlock returns a pcapng block of type typ around body (padded).
func ngBlock(o byteOrder, typ uint32, body []byte) []byte {
	body = pad4(append([]byte(nil), body...))
	total := uint32(12 + len(body))
	b := make([]byte, 8, total)
	o.PutUint32(b[0:], typ)
	o.PutUint32(b[4:], total)
	b = append(b, body...)
	return o.AppendUint32(b, total)
}

// ngOpt returns one option, padded.
func ngOpt(o byteOrder, code uint16, val []byte) []byte {
	b := o.AppendUint16(nil, code)
	b = o.AppendUint16(b, uint16(len(val)))
	return pad4(append(b, val...))
}

// ngEnd is opt_endofopt.
func ngEnd() []byte { return make([]byte, 4) }

func ngSHB(o byteOrder, major, minor uint16, opts ...[]byte) []byte {
	body := o.AppendUint32(nil, byteOrderMagic)
	body = o.AppendUint16(body, major)
	body = o.AppendUint16(body, minor)
	body = o.AppendUint64(body, ^uint64(0))
	return ngBlock(o, blockSHB, cat(append([][]byte{body}, opts...)...))
}

func ngIDB(o byteOrder, linkType uint16, snaplen uint32, opts ...[]byte) []byte {
	body := o.AppendUint16(nil, linkType)
	body = o.AppendUint16(body, 0)
	body = o.AppendUint32(body, snaplen)
	return ngBlock(o, blockIDB, cat(append([][]byte{body}, opts...)...))
}

func ngEPB(o byteOrder, iface uint32, ts uint64, caplen, length uint32, data []byte, opts ...[]byte) []byte {
	body := o.AppendUint32(nil, iface)
	body = o.AppendUint32(body, uint32(ts>>32))
	body = o.AppendUint32(body, uint32(ts))
	body = o.AppendUint32(body, caplen)
	body = o.AppendUint32(body, length)
	body = pad4(append(body, data...))
	return ngBlock(o, blockEPB, cat(append([][]byte{body}, opts...)...))
}

func ngPB(o byteOrder, iface uint16, ts uint64, caplen, length uint32, data []byte) []byte {
	body := o.AppendUint16(nil, iface)
	body = o.AppendUint16(body, 0)
	body = o.AppendUint32(body, uint32(ts>>32))
	body = o.AppendUint32(body, uint32(ts))
	body = o.AppendUint32(body, caplen)
	body = o.AppendUint32(body, length)
	return ngBlock(o, blockPB, append(body, data...))
}

func ngSPB(o byteOrder, length uint32, data []byte) []byte {
	return ngBlock(o, blockSPB, append(o.AppendUint32(nil, length), data...))
}

func ngDSB(o byteOrder, typ uint32, data []byte) []byte {
	body := o.AppendUint32(nil, typ)
	body = o.AppendUint32(body, uint32(len(data)))
	return ngBlock(o, blockDSB, append(body, data...))
}

// u8, u64 make option values.
func u8(v byte) []byte                  { return []byte{v} }
func u64(o byteOrder, v uint64) []byte  { return o.AppendUint64(nil, v) }
func u32v(o byteOrder, v uint32) []byte { return o.AppendUint32(nil, v) }
func frame(n int, seed byte) []byte {
	b := make([]byte, n)
	for i := range b {
		b[i] = seed + byte(i)
	}
	return b
}

// record is a packet read back, with its data copied.
type record struct {
	Data       []byte
	Length     int
	Sec        int64
	Frac       uint32
	FracPerSec uint32
	LinkType   LinkType
	Interface  int
	Flags      uint32
}

func recordOf(p *Packet) record {
	return record{
		Data: append([]byte(nil), p.Data...), Length: p.Length, Sec: p.Sec, Frac: p.Frac,
		FracPerSec: p.FracPerSec, LinkType: p.LinkType, Interface: p.Interface, Flags: p.Flags,
	}
}

// readAll opens b with c and reads it to the end. It returns the packets
// read and the error that stopped reading: nil at a clean end, the open
// error when opening failed.
func readAll(c Config, b []byte) (*Reader, []record, error) {
	r, err := c.NewReader(bytes.NewReader(b))
	if err != nil {
		return nil, nil, err
	}
	var recs []record
	for {
		p, err := r.Next()
		if err == io.EOF {
			return r, recs, nil
		}
		if err != nil {
			return r, recs, err
		}
		recs = append(recs, recordOf(p))
	}
}

// msgOf returns the libpcap message of a reader error.
func msgOf(err error) string {
	var e *Error
	if errors.As(err, &e) {
		return e.Msg
	}
	if err == nil {
		return ""
	}
	return err.Error()
}

// corpusDir returns the shared corpus beside the checkout, or skips.
func corpusDir(t testing.TB) string {
	t.Helper()
	dir := filepath.Join("..", "..", "shared", "corpus")
	if _, err := os.Stat(dir); err != nil {
		t.Skipf("corpus not available: %v", err)
	}
	return dir
}

// corpusFiles lists the capture files of the corpus.
func corpusFiles(t testing.TB) []string {
	dir := corpusDir(t)
	var files []string
	for _, g := range []string{
		"tcpdump/*.pcap*", "tcpdump-4.99.3/*.pcap*", "gopacket/*.pcap*", "gopacket/*/*.pcapng",
		"pcapng-test-generator/output_*/*/*.pcapng", "libpcap/*.pcap*", "tls/*/*.pcap*", "tls/*/*/*.pcap*",
	} {
		m, err := filepath.Glob(filepath.Join(dir, g))
		if err != nil {
			t.Fatal(err)
		}
		for _, f := range m {
			if strings.HasSuffix(f, ".pcap") || strings.HasSuffix(f, ".pcapng") || strings.HasSuffix(f, ".gz") {
				files = append(files, f)
			}
		}
	}
	sort.Strings(files)
	if len(files) == 0 {
		t.Skip("corpus has no captures")
	}
	return files
}
