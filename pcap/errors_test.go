package pcap

import (
	"bytes"
	"compress/gzip"
	"errors"
	"io"
	"os"
	"path/filepath"
	"testing"
)

// errCase is a crafted file and what reading it must give: libpcap
// 1.10.3's error message, at open or after some packets. Every case is
// also checked against the real tcpdump when it is installed.
type errCase struct {
	name    string
	file    []byte
	libpcap bool   // read with Config.Libpcap
	open    string // the error at open, "" when the file opens
	packets int    // packets read before err
	err     string // the error after the packets, "" for a clean end
	kind    error  // the sentinel of whichever error is expected
}

// Pieces for building cases.
var (
	hdrLE   = pcapHeader(le, magicMicro, 2, 4, 65535, 1)
	pkt60   = pcapRecord(le, 1, 2, 60, 60, frame(60, 1))
	shbLE   = ngSHB(le, 1, 0)
	idbEth  = ngIDB(le, 1, 0)
	epb60   = ngEPB(le, 0, 1_000_000, 60, 60, frame(60, 1))
	bigSnap = uint32(300000) // above MaxSnaplen, kept by libpcap
)

func errCases() []errCase {
	return []errCase{
		// Opening: magic numbers and file headers.
		{name: "empty", file: nil,
			open: "truncated dump file; tried to read 4 file header bytes, only got 0", kind: ErrTruncated},
		{name: "3 bytes", file: []byte{0xd4, 0xc3, 0xb2},
			open: "truncated dump file; tried to read 4 file header bytes, only got 3", kind: ErrTruncated},
		{name: "short file header", file: hdrLE[:7],
			open: "truncated dump file; tried to read 24 file header bytes, only got 3", kind: ErrTruncated},
		{name: "text", file: []byte("GET / HTTP/1.1\r\n\r\n"),
			open: "unknown file format", kind: ErrUnknownFormat},
		{name: "Mesquita magic", file: pcapHeader(le, 0xa1b234cd, 2, 4, 65535, 1),
			open: "unknown file format", kind: ErrUnknownFormat},
		{name: "Navtel magic", file: pcapHeader(le, 0xa12b3c4d, 2, 4, 65535, 1),
			open: "unknown file format", kind: ErrUnknownFormat},
		{name: "version 1.0", file: pcapHeader(le, magicMicro, 1, 0, 65535, 1),
			open: "archaic pcap savefile format", kind: ErrVersion},
		{name: "version 2.5", file: pcapHeader(le, magicMicro, 2, 5, 65535, 1),
			open: "unsupported pcap savefile version 2.5", kind: ErrVersion},
		{name: "version 3.0 big-endian", file: pcapHeader(be, magicMicro, 3, 0, 65535, 1),
			open: "unsupported pcap savefile version 3.0", kind: ErrVersion},
		{name: "version 543.1", file: pcapHeader(le, magicMicro, 543, 1, 65535, 1),
			open: "unsupported pcap savefile version 543.1", kind: ErrVersion},

		// Classic records.
		{name: "header only", file: hdrLE},
		{name: "short record header", file: cat(hdrLE, pkt60, pkt60[:5]), packets: 1,
			err: "truncated dump file; tried to read 16 header bytes, only got 5", kind: ErrTruncated},
		{name: "short record data", file: cat(hdrLE, pkt60, pcapRecord(le, 1, 2, 100, 100, frame(40, 0))), packets: 1,
			err: "truncated dump file; tried to read 100 captured bytes, only got 40", kind: ErrTruncated},
		{name: "caplen above snaplen and maximum", file: cat(hdrLE, pcapRecord(le, 1, 2, MaxSnaplen+1, 70000, nil)),
			err: "invalid packet capture length 262145, bigger than snaplen of 65535", kind: ErrCaptureLength},
		{name: "caplen 4 GiB", file: cat(hdrLE, pcapRecord(le, 1, 2, 0xffffffff, 0xffffffff, frame(100, 0))),
			err: "invalid packet capture length 4294967295, bigger than snaplen of 65535", kind: ErrCaptureLength},
		{name: "caplen above maximum only", file: cat(pcapHeader(le, magicMicro, 2, 4, bigSnap, 1), pcapRecord(le, 1, 2, MaxSnaplen+1, 0, nil)),
			err: "invalid packet capture length 262145, bigger than maximum of 262144", kind: ErrCaptureLength},
		{name: "caplen above snaplen, cut short before snaplen",
			file: cat(pcapHeader(le, magicMicro, 2, 4, 64, 1), pcapRecord(le, 1, 2, 100, 100, frame(30, 0))),
			err:  "truncated dump file; tried to read 64 captured bytes, only got 30", kind: ErrTruncated},
		{name: "caplen above snaplen, cut short after snaplen",
			file: cat(pcapHeader(le, magicMicro, 2, 4, 64, 1), pcapRecord(le, 1, 2, 100, 100, frame(80, 0))),
			err:  "truncated dump file; tried to read 100 captured bytes, only got 80", kind: ErrTruncated},
		{name: "caplen above snaplen is cut", file: cat(pcapHeader(le, magicMicro, 2, 4, 64, 1), pcapRecord(le, 1, 2, 100, 100, frame(100, 0)), pkt60),
			packets: 2},
		{name: "reserved link type bits", file: cat(pcapHeader(le, magicMicro, 2, 4, 65535, 0x00300000), pkt60),
			packets: 1},
		{name: "gzip cut inside a record", file: gzipped(cat(hdrLE, pkt60, pkt60[:30])), packets: 1,
			err: "truncated dump file; tried to read 60 captured bytes, only got 14", kind: ErrTruncated},

		// pcapng: the first Section Header Block.
		{name: "pcapng magic only", file: shbLE[:6],
			open: "unknown file format", kind: ErrUnknownFormat},
		{name: "pcapng bad byte-order magic", file: cat(shbLE[:8], []byte{1, 2, 3, 4}, shbLE[12:]),
			open: "unknown file format", kind: ErrUnknownFormat},
		{name: "SHB length 24", file: cat(shbLE[:4], u32v(le, 24), shbLE[8:]),
			open: "Section Header Block in pcapng dump file has invalid length 28 < _24_ < 1048576 (BT_SHB_INSANE_MAX)", kind: ErrBlockLength},
		{name: "SHB length 2 MiB", file: cat(shbLE[:4], u32v(le, 2<<20), shbLE[8:]),
			open: "Section Header Block in pcapng dump file has invalid length 28 < _2097152_ < 1048576 (BT_SHB_INSANE_MAX)", kind: ErrBlockLength},
		{name: "SHB cut short", file: shbLE[:20],
			open: "truncated pcapng dump file; tried to read 16 bytes, only got 8", kind: ErrTruncated},
		{name: "pcapng version 2.0", file: cat(ngSHB(le, 2, 0), idbEth),
			open: "unsupported pcapng savefile version 2.0", kind: ErrVersion},
		{name: "pcapng version 1.1 big-endian", file: cat(ngSHB(be, 1, 1), ngIDB(be, 1, 0)),
			open: "unsupported pcapng savefile version 1.1", kind: ErrVersion},
		{name: "pcapng version 1.2", file: cat(ngSHB(le, 1, 2), idbEth, epb60), packets: 1},
		{name: "no IDB", file: shbLE,
			open: "the capture file has no Interface Description Blocks", kind: ErrNoInterface},
		{name: "packet before IDB", file: cat(shbLE, epb60, idbEth),
			open: "the capture file has a packet block before any Interface Description Blocks", kind: ErrNoInterface},
		{name: "SPB before IDB", file: cat(shbLE, ngSPB(le, 4, frame(4, 0)), idbEth),
			open: "the capture file has a packet block before any Interface Description Blocks", kind: ErrNoInterface},

		// pcapng: block framing.
		{name: "block length 8", file: cat(shbLE, idbEth, u32v(le, 6), u32v(le, 8), u32v(le, 8)),
			err: "block in pcapng dump file has a length of 8 < 12", kind: ErrBlockLength},
		{name: "block length 14", file: cat(shbLE, idbEth, u32v(le, 6), u32v(le, 14), make([]byte, 6)),
			err: "block in pcapng dump file has a length of 14 that is not a multiple of 4", kind: ErrBlockLength},
		{name: "block length 4 GiB", file: cat(shbLE, idbEth, u32v(le, 6), u32v(le, 0xfffffffc), make([]byte, 64)),
			err: "pcapng block size 4294967292 > maximum 16777216", kind: ErrBlockLength},
		{name: "block trailer differs", file: cat(shbLE, idbEth, epb60[:len(epb60)-4], u32v(le, 12)),
			err: "block total length in header and trailer don't match", kind: ErrBlockLength},
		{name: "block cut short", file: cat(shbLE, idbEth, epb60, epb60[:50]), packets: 1,
			err: "truncated pcapng dump file; tried to read 84 bytes, only got 42", kind: ErrTruncated},
		{name: "block header cut short", file: cat(shbLE, idbEth, epb60, epb60[:5]), packets: 1,
			err: "truncated pcapng dump file; tried to read 8 bytes, only got 5", kind: ErrTruncated},
		{name: "IDB cut short", file: cat(shbLE, idbEth[:10]),
			open: "truncated pcapng dump file; tried to read 12 bytes, only got 2", kind: ErrTruncated},

		// pcapng: packet blocks.
		{name: "EPB too short", file: cat(shbLE, idbEth, ngBlock(le, blockEPB, make([]byte, 16))),
			err: "block of type 6 in pcapng dump file is too short", kind: ErrMalformed},
		{name: "EPB caplen beyond block", file: cat(shbLE, idbEth, ngEPB(le, 0, 0, 100, 100, frame(60, 0))),
			err: "block of type 6 in pcapng dump file is too short", kind: ErrMalformed},
		{name: "EPB unknown interface", file: cat(shbLE, idbEth, epb60, ngEPB(le, 1, 0, 60, 60, frame(60, 0))), packets: 1,
			err: "a packet arrived on interface 1, but there's no Interface Description Block for that interface", kind: ErrNoInterface},
		{name: "EPB caplen above snaplen", file: cat(shbLE, ngIDB(le, 1, 64), ngEPB(le, 0, 0, 100, 100, frame(100, 0))),
			err: "invalid packet capture length 100, bigger than snaplen of 64", kind: ErrCaptureLength},
		{name: "PB", file: cat(shbLE, idbEth, ngPB(le, 0, 5_000_000, 60, 60, frame(60, 0))), packets: 1},
		{name: "PB too short", file: cat(shbLE, idbEth, ngBlock(le, blockPB, make([]byte, 12))),
			err: "block of type 2 in pcapng dump file is too short", kind: ErrMalformed},
		{name: "SPB", file: cat(shbLE, ngIDB(le, 1, 64), ngSPB(le, 100, frame(64, 0))), packets: 1},
		{name: "SPB too short", file: cat(shbLE, idbEth, ngBlock(le, blockSPB, nil)),
			err: "block of type 3 in pcapng dump file is too short", kind: ErrMalformed},
		{name: "SPB data beyond block", file: cat(shbLE, idbEth, ngSPB(le, 100, frame(60, 0))),
			err: "block of type 3 in pcapng dump file is too short", kind: ErrMalformed},
		{name: "unknown and custom blocks", file: cat(shbLE, ngBlock(le, 0x0bad, frame(7, 0)), idbEth,
			ngBlock(le, 0x40000bad, frame(9, 0)), ngBlock(le, 5, make([]byte, 12)), epb60), packets: 1},
		{name: "malformed DSB", file: cat(shbLE, idbEth, ngBlock(le, blockDSB, u32v(le, 1)),
			ngBlock(le, blockDSB, cat(u32v(le, uint32(SecretsTLSKeyLog)), u32v(le, 1000))), epb60), packets: 1},
		{name: "malformed EPB options", file: cat(shbLE, idbEth,
			ngEPB(le, 0, 0, 60, 60, frame(60, 0), ngOpt(le, optEPBFlags, u32v(le, 1))[:6])), packets: 1},

		// pcapng: Interface Description Blocks.
		{name: "IDB too short", file: cat(shbLE, ngBlock(le, blockIDB, make([]byte, 4))),
			open: "block of type 1 in pcapng dump file is too short", kind: ErrMalformed},
		{name: "if_tsresol length 0", file: cat(shbLE, ngIDB(le, 1, 0, []byte{9, 0, 0, 0})),
			open: "Interface Description Block has if_tsresol option with length 0 != 1", kind: ErrMalformed},
		{name: "IDB option beyond block", file: cat(shbLE, ngIDB(le, 1, 0, []byte{2, 0, 40, 0, 'e', 't', 'h', '0'})),
			open: "block of type 1 in pcapng dump file is too short", kind: ErrMalformed},
		{name: "IDB endofopt with length", file: cat(shbLE, ngIDB(le, 1, 0, ngOpt(le, 0, make([]byte, 4)))),
			open: "Interface Description Block has opt_endofopt option with length 4 != 0", kind: ErrMalformed},
		{name: "if_tsresol length 2", file: cat(shbLE, ngIDB(le, 1, 0, ngOpt(le, 9, []byte{6, 0}))),
			open: "Interface Description Block has if_tsresol option with length 2 != 1", kind: ErrMalformed},
		{name: "two if_tsresol", file: cat(shbLE, ngIDB(le, 1, 0, ngOpt(le, 9, u8(6)), ngOpt(le, 9, u8(9)))),
			open: "Interface Description Block has more than one if_tsresol option", kind: ErrMalformed},
		{name: "if_tsresol 2^-64", file: cat(shbLE, ngIDB(le, 1, 0, ngOpt(le, 9, u8(0x80|64)))),
			open: "Interface Description Block if_tsresol option resolution 2^-64 is too high", kind: ErrMalformed},
		{name: "if_tsresol 10^-20", file: cat(shbLE, ngIDB(le, 1, 0, ngOpt(le, 9, u8(20)))),
			open: "Interface Description Block if_tsresol option resolution 10^-20 is too high", kind: ErrMalformed},
		{name: "if_tsoffset length 4", file: cat(shbLE, ngIDB(le, 1, 0, ngOpt(le, 14, make([]byte, 4)))),
			open: "Interface Description Block has if_tsoffset option with length 4 != 8", kind: ErrMalformed},
		{name: "two if_tsoffset", file: cat(shbLE, ngIDB(le, 1, 0, ngOpt(le, 14, u64(le, 1)), ngOpt(le, 14, u64(le, 2)))),
			open: "Interface Description Block has more than one if_tsoffset option", kind: ErrMalformed},
		{name: "later IDB with bad option", file: cat(shbLE, idbEth, epb60, ngIDB(le, 1, 0, ngOpt(le, 9, []byte{6, 0}))), packets: 1,
			err: "Interface Description Block has if_tsresol option with length 2 != 1", kind: ErrMalformed},

		// pcapng: later sections.
		{name: "second section", file: cat(shbLE, idbEth, epb60, ngSHB(le, 1, 0), idbEth, epb60), packets: 2},
		{name: "second section without IDB", file: cat(shbLE, idbEth, epb60, ngSHB(le, 1, 0), epb60), packets: 1,
			err: "a packet arrived on interface 0, but there's no Interface Description Block for that interface", kind: ErrNoInterface},
		{name: "second section version 2.0", file: cat(shbLE, idbEth, epb60, ngSHB(le, 2, 0), idbEth, epb60), packets: 1,
			err: "unknown pcapng savefile major version number 2", kind: ErrVersion},
		{name: "second section version 1.1", file: cat(shbLE, idbEth, epb60, ngSHB(le, 1, 1), idbEth, epb60), packets: 2},
		{name: "second section bad byte-order magic", file: cat(shbLE, idbEth, epb60, ngBlock(le, blockSHB, make([]byte, 16))), packets: 1,
			err: "the file has a section with a bad byte order magic field", kind: ErrMalformed},
		{name: "second section too short", file: cat(shbLE, idbEth, epb60, ngBlock(le, blockSHB, u32v(le, byteOrderMagic))), packets: 1,
			err: "block of type 168627466 in pcapng dump file is too short", kind: ErrMalformed},
		{name: "big-endian section after little-endian, libpcap", libpcap: true,
			file: cat(shbLE, idbEth, epb60, ngSHB(be, 1, 0), ngIDB(be, 1, 0), ngEPB(be, 0, 0, 60, 60, frame(60, 0))), packets: 1,
			err: "pcapng block size 469762048 > maximum 16777216", kind: ErrBlockLength},
		{name: "big-endian section after little-endian",
			file: cat(shbLE, idbEth, epb60, ngSHB(be, 1, 0), ngIDB(be, 1, 0), ngEPB(be, 0, 0, 60, 60, frame(60, 0))), packets: 2},

		// pcapng: interfaces that differ, which libpcap refuses.
		{name: "second link type, libpcap", libpcap: true,
			file: cat(shbLE, idbEth, epb60, ngIDB(le, 0, 0)), packets: 1,
			err: "an interface has a type 0 different from the type of the first interface", kind: ErrMismatch},
		{name: "second link type",
			file: cat(shbLE, idbEth, epb60, ngIDB(le, 0, 0), ngEPB(le, 1, 0, 8, 8, frame(8, 0))), packets: 2},
		{name: "two RAW interfaces, libpcap", libpcap: true,
			file: cat(shbLE, ngIDB(le, 101, 0), ngIDB(le, 101, 0)),
			err:  "an interface has a type 101 different from the type of the first interface", kind: ErrMismatch},
		{name: "two RAW interfaces", file: cat(shbLE, ngIDB(le, 101, 0), ngIDB(le, 101, 0))},
		{name: "second snaplen, libpcap", libpcap: true,
			file: cat(shbLE, idbEth, ngIDB(le, 1, 128)),
			err:  "an interface has a snapshot length 128 different from the snapshot length of the first interface", kind: ErrMismatch},
		{name: "second snaplen 0 and 262144, libpcap", libpcap: true,
			file: cat(shbLE, idbEth, ngIDB(le, 1, MaxSnaplen), epb60), packets: 1},
	}
}

// gzipped compresses b.
func gzipped(b []byte) []byte {
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	zw.Write(b)
	zw.Close()
	return buf.Bytes()
}

// TestErrors reads each crafted file and checks the messages, the
// sentinels, and (when tcpdump 4.99.3 is installed) that libpcap says the
// same.
func TestErrors(t *testing.T) {
	bin := maybeTcpdump()
	for _, tc := range errCases() {
		t.Run(tc.name, func(t *testing.T) {
			r, recs, err := readAll(Config{Libpcap: tc.libpcap, Name: "crafted.pcap"}, tc.file)
			if tc.open != "" {
				if r != nil {
					t.Fatalf("opened; want %q", tc.open)
				}
				checkErr(t, err, tc.open, tc.kind)
			} else {
				if r == nil {
					t.Fatalf("open: %v", err)
				}
				if len(recs) != tc.packets {
					t.Errorf("%d packets, want %d", len(recs), tc.packets)
				}
				if tc.err == "" {
					if err != nil {
						t.Fatalf("error %v, want a clean end", err)
					}
				} else {
					checkErr(t, err, tc.err, tc.kind)
					// The error is sticky.
					if _, again := r.Next(); again != err {
						t.Errorf("Next after an error returned %v", again)
					}
				}
			}
			if bin != "" {
				path := filepath.Join(t.TempDir(), "crafted.pcap")
				if err := os.WriteFile(path, tc.file, 0o644); err != nil {
					t.Fatal(err)
				}
				compareWithTcpdump(t, bin, path)
			}
		})
	}
}

func checkErr(t *testing.T, err error, msg string, kind error) {
	t.Helper()
	var e *Error
	if !errors.As(err, &e) {
		t.Fatalf("error %v (%T) is not an *Error", err, err)
	}
	if e.Msg != msg {
		t.Errorf("message %q\n           want %q", e.Msg, msg)
	}
	if want := "crafted.pcap: " + msg; err.Error() != want {
		t.Errorf("Error() = %q, want %q", err.Error(), want)
	}
	if kind != nil && !errors.Is(err, kind) {
		t.Errorf("error %v is not %v", err, kind)
	}
	if errors.Is(err, io.EOF) {
		t.Errorf("error %v is io.EOF", err)
	}
}

// TestOpenErrors checks the errors of opening a file by name, with
// libpcap's wording ("NAME: strerror").
func TestOpenErrors(t *testing.T) {
	dir := t.TempDir()
	missing := filepath.Join(dir, "missing.pcap")
	_, err := Open(missing)
	if err == nil || err.Error() != missing+": No such file or directory" || msgOf(err) != err.Error() {
		t.Errorf("Open(missing) = %v (%q)", err, msgOf(err))
	}
	if !errors.Is(err, os.ErrNotExist) || !errors.Is(err, ErrIO) {
		t.Errorf("Open(missing) = %v, want ErrIO and os.ErrNotExist", err)
	}

	// A directory opens but cannot be read; libpcap then reports the
	// read error.
	_, err = Open(dir)
	if err == nil || err.Error() != dir+": error reading dump file: Is a directory" || msgOf(err) != "error reading dump file: Is a directory" {
		t.Errorf("Open(dir) = %v", err)
	}

	if bin := maybeTcpdump(); bin != "" {
		for _, path := range []string{missing, dir} {
			_, err := Open(path)
			if got := runTcpdump(t, bin, path); got.openErr != msgOf(err) {
				t.Errorf("%s: %q, tcpdump says %q", path, msgOf(err), got.openErr)
			}
		}
	}
}

// failingReader returns its data, then an error.
type failingReader struct {
	data []byte
	err  error
}

func (f *failingReader) Read(p []byte) (int, error) {
	if len(f.data) == 0 {
		return 0, f.err
	}
	n := copy(p, f.data)
	f.data = f.data[n:]
	return n, nil
}

// TestReadErrors checks that a failing reader is reported as libpcap
// reports ferror(): "error reading dump file: ...", wrapping the cause.
func TestReadErrors(t *testing.T) {
	cause := errors.New("device on fire")
	for _, tc := range []struct {
		name    string
		data    []byte
		packets int
	}{
		{"in file header", hdrLE[:10], 0},
		{"in record header", cat(hdrLE, pkt60, pkt60[:3]), 1},
		{"at record boundary", cat(hdrLE, pkt60), 1},
		{"in pcapng block", cat(shbLE, idbEth, epb60, epb60[:20]), 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r, err := NewReader(&failingReader{data: tc.data, err: cause})
			n := 0
			for err == nil {
				_, err = r.Next()
				if err == nil {
					n++
				}
			}
			if n != tc.packets {
				t.Errorf("%d packets, want %d", n, tc.packets)
			}
			if msgOf(err) != "error reading dump file: device on fire" || !errors.Is(err, cause) || !errors.Is(err, ErrIO) {
				t.Errorf("error %v", err)
			}
		})
	}

	// A gzip stream that ends at a record boundary but before its end
	// is an error, not a clean end.
	z := gzipped(cat(hdrLE, pkt60, pkt60))
	_, recs, err := readAll(Config{}, z[:len(z)-8])
	if err == nil || !errors.Is(err, ErrIO) {
		t.Errorf("gzip without its trailer: %d packets, error %v", len(recs), err)
	}
}
