package pcap

import (
	"bytes"
	"encoding/binary"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"testing"
	"testing/iotest"
	"time"
)

// TestPcapByteOrders reads the same records from little- and big-endian
// files, micro- and nanosecond.
func TestPcapByteOrders(t *testing.T) {
	for _, o := range []byteOrder{le, be} {
		for _, magic := range []uint32{magicMicro, magicNano} {
			file := cat(pcapHeader(o, magic, 2, 4, 65535, 1),
				pcapRecord(o, 1700000000, 123456, 60, 60, frame(60, 1)),
				pcapRecord(o, 1700000001, 999999, 14, 1514, frame(14, 2)))
			r, recs, err := readAll(Config{}, file)
			if err != nil {
				t.Fatalf("%v %x: %v", o, magic, err)
			}
			perSec := uint32(1e6)
			if magic == magicNano {
				perSec = 1e9
			}
			want := []record{
				{Data: frame(60, 1), Length: 60, Sec: 1700000000, Frac: 123456, FracPerSec: perSec, LinkType: LinkTypeEthernet},
				{Data: frame(14, 2), Length: 1514, Sec: 1700000001, Frac: 999999, FracPerSec: perSec, LinkType: LinkTypeEthernet},
			}
			if !reflect.DeepEqual(recs, want) {
				t.Errorf("%v %x: got %+v\nwant %+v", o, magic, recs, want)
			}
			if r.ByteOrder() != o.(binary.ByteOrder) || r.Format() != FormatPcap || r.LinkType() != LinkTypeEthernet || r.Snaplen() != 65535 {
				t.Errorf("%v %x: reader %v %v %v %d", o, magic, r.ByteOrder(), r.Format(), r.LinkType(), r.Snaplen())
			}
			if maj, min := r.Version(); maj != 2 || min != 4 {
				t.Errorf("version %d.%d", maj, min)
			}
		}
	}
}

// TestPcapRawTimestamps checks that timestamps are handed out as stored:
// tcpdump prints an invalid fraction as it is (".1000000") and a second
// count with bit 31 set as an error, so neither may be normalised.
func TestPcapRawTimestamps(t *testing.T) {
	file := cat(hdrLE,
		pcapRecord(le, 100, 1000000, 4, 4, frame(4, 0)),
		pcapRecord(le, 0x80000000, 0x80000000, 4, 4, frame(4, 0)),
		pcapRecord(le, 0xffffffff, 0xffffffff, 4, 4, frame(4, 0)))
	_, recs, err := readAll(Config{}, file)
	if err != nil {
		t.Fatal(err)
	}
	want := [][2]uint64{{100, 1000000}, {0x80000000, 0x80000000}, {0xffffffff, 0xffffffff}}
	for i, r := range recs {
		if uint64(r.Sec) != want[i][0] || uint64(r.Frac) != want[i][1] {
			t.Errorf("record %d: %d.%d, want %d.%d", i, r.Sec, r.Frac, want[i][0], want[i][1])
		}
	}
	p := Packet{Sec: 100, Frac: 1000000, FracPerSec: 1e6}
	if got := p.Time(); !got.Equal(time.Unix(101, 0)) {
		t.Errorf("Time() = %v", got)
	}
}

// TestPcapOldVersions checks the caplen/len order of old files: swapped
// before 2.3, swapped in 2.3 only where caplen > len, and DG/UX's 543.0.
func TestPcapOldVersions(t *testing.T) {
	for _, tc := range []struct {
		major, minor uint16
		a, b         uint32 // the two length fields as stored
		caplen, len  int
	}{
		{2, 2, 100, 10, 10, 100},
		{2, 3, 10, 100, 10, 100},
		{2, 3, 100, 10, 10, 100},
		{2, 4, 10, 100, 10, 100},
		{543, 0, 100, 10, 10, 100},
	} {
		file := cat(pcapHeader(le, magicMicro, tc.major, tc.minor, 65535, 1), pcapRecord(le, 0, 0, tc.a, tc.b, frame(10, 0)))
		_, recs, err := readAll(Config{}, file)
		if err != nil || len(recs) != 1 || len(recs[0].Data) != tc.caplen || recs[0].Length != tc.len {
			t.Errorf("%d.%d %d/%d: %+v %v", tc.major, tc.minor, tc.a, tc.b, recs, err)
		}
	}
}

// TestPcapKuznetzov reads Alexey Kuznetzov's modified format: 24-byte
// record headers, and 14 bytes more of snapshot for Ethernet.
func TestPcapKuznetzov(t *testing.T) {
	for _, o := range []byteOrder{le, be} {
		rec := func(n int, seed byte) []byte {
			r := pcapRecord(o, 7, 8, uint32(n), uint32(n), nil)
			r = append(r, make([]byte, 8)...) // ifindex, protocol, pkt_type, pad
			return append(r, frame(n, seed)...)
		}
		file := cat(pcapHeader(o, magicKuznetzov, 2, 4, 100, 1), rec(114, 1), rec(20, 2))
		r, recs, err := readAll(Config{}, file)
		if err != nil || len(recs) != 2 || !bytes.Equal(recs[0].Data, frame(114, 1)) || !bytes.Equal(recs[1].Data, frame(20, 2)) {
			t.Fatalf("%v: %+v %v", o, recs, err)
		}
		if r.Snaplen() != 114 || recs[0].FracPerSec != 1e6 {
			t.Errorf("snaplen %d, FracPerSec %d", r.Snaplen(), recs[0].FracPerSec)
		}
	}
}

// TestPcapSnaplen checks libpcap's snapshot length adjustments.
func TestPcapSnaplen(t *testing.T) {
	for _, tc := range []struct {
		snaplen  uint32
		linkType uint32
		want     uint32
	}{
		{0, 1, MaxSnaplen},
		{0x80000000, 1, MaxSnaplen},
		{0, uint32(LinkTypeDBUS), 128 << 20},
		{0, uint32(LinkTypeUSBPcap), 1 << 20},
		{0, uint32(LinkTypeEBHSCR), 8 << 20},
		{1500, 1, 1500},
		{bigSnap, 1, bigSnap},
	} {
		r, err := NewReader(bytes.NewReader(pcapHeader(le, magicMicro, 2, 4, tc.snaplen, tc.linkType)))
		if err != nil {
			t.Fatal(err)
		}
		if r.Snaplen() != tc.want {
			t.Errorf("snaplen %d link type %d: %d, want %d", tc.snaplen, tc.linkType, r.Snaplen(), tc.want)
		}
	}
}

// TestPcapLinkTypeReserved mirrors libpcap 1.10.3 on a link type field
// with reserved bits set: the FCS bits (26-31) are dropped, the reserved
// bits (16-25) are kept, and the result is a link type nobody knows.
func TestPcapLinkTypeReserved(t *testing.T) {
	r, err := NewReader(bytes.NewReader(pcapHeader(le, magicMicro, 2, 4, 65535, 0xfc300001)))
	if err != nil {
		t.Fatal(err)
	}
	if r.LinkType() != 0x00300001 || r.LinkType().Known() || r.LinkType().String() != "3145729" {
		t.Errorf("link type %d %q", uint32(r.LinkType()), r.LinkType())
	}
}

// TestPcapLargeRecords reads records larger than the read buffer (D-Bus
// allows 128 MiB), which take the buffer-growing path, between small ones.
func TestPcapLargeRecords(t *testing.T) {
	big := frame(3*defaultBufSize+5, 3)
	file := cat(pcapHeader(le, magicMicro, 2, 4, 0, uint32(LinkTypeDBUS)),
		pcapRecord(le, 1, 0, 10, 10, frame(10, 1)),
		pcapRecord(le, 2, 0, uint32(len(big)), uint32(len(big)), big),
		pcapRecord(le, 3, 0, 10, 10, frame(10, 2)))
	for name, rd := range map[string]io.Reader{
		"whole":   bytes.NewReader(file),
		"chunked": iotest.HalfReader(bytes.NewReader(file)),
		"unknown": io.MultiReader(bytes.NewReader(file)), // no size hint
	} {
		_, recs, err := readAllFrom(rd)
		if err != nil || len(recs) != 3 || !bytes.Equal(recs[1].Data, big) || !bytes.Equal(recs[2].Data, frame(10, 2)) {
			t.Errorf("%s: %d records, %v", name, len(recs), err)
		}
	}
}

// readAllFrom is readAll for any io.Reader.
func readAllFrom(rd io.Reader) (*Reader, []record, error) {
	r, err := NewReader(rd)
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

// TestReadersAgree reads crafted and corpus files whole, one byte at a
// time, in halves, and through gzip, and expects the same packets and
// errors every time: the buffer's compaction and growth must not show.
func TestReadersAgree(t *testing.T) {
	files := map[string][]byte{}
	for _, tc := range errCases() {
		if tc.open == "" && !tc.libpcap {
			files[tc.name] = tc.file
		}
	}
	if dir := filepath.Join("..", "..", "shared", "corpus"); dirExists(dir) {
		for _, f := range []string{"tcpdump/ipv4_tcp_http_xml.pcap", "pcapng-test-generator/output_be/difficult/test202.pcapng", "tls/ja4/latest.pcapng"} {
			b, err := os.ReadFile(filepath.Join(dir, f))
			if err == nil {
				files[f] = b
			}
		}
	}
	for name, file := range files {
		_, want, wantErr := readAll(Config{}, file)
		readers := map[string]io.Reader{
			"one byte": iotest.OneByteReader(bytes.NewReader(file)),
			"halves":   iotest.HalfReader(bytes.NewReader(file)),
		}
		if len(file) < 2 || file[0] != gzipID1 || file[1] != gzipID2 {
			// Compressed once only: gzip in gzip is an unknown format.
			readers["gzip"] = bytes.NewReader(gzipped(file))
		}
		for how, rd := range readers {
			_, got, err := readAllFrom(rd)
			if !reflect.DeepEqual(got, want) || msgOf(err) != msgOf(wantErr) {
				t.Errorf("%s, %s: %d packets, %v; want %d, %v", name, how, len(got), err, len(want), wantErr)
			}
		}
	}
}

func dirExists(dir string) bool {
	fi, err := os.Stat(dir)
	return err == nil && fi.IsDir()
}

// TestOpenStdin reads a file from the standard input, named "-".
func TestOpenStdin(t *testing.T) {
	path := filepath.Join(t.TempDir(), "in.pcap")
	if err := os.WriteFile(path, cat(hdrLE, pkt60, pkt60), 0o644); err != nil {
		t.Fatal(err)
	}
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	saved := os.Stdin
	os.Stdin = f
	defer func() { os.Stdin = saved }()

	r, err := Open("-")
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for ; ; n++ {
		if _, err := r.Next(); err != nil {
			break
		}
	}
	if n != 2 {
		t.Errorf("%d packets", n)
	}
	r.Close()
	if _, err := f.Stat(); err != nil {
		t.Errorf("Close closed the standard input: %v", err)
	}

	// Errors name the standard input as libpcap does, "-".
	os.Stdin, _ = os.Open(os.DevNull)
	if _, err := Open("-"); err == nil || err.Error() != "-: truncated dump file; tried to read 4 file header bytes, only got 0" {
		t.Errorf("empty stdin: %v", err)
	}
}

// TestClose checks that Next fails after Close.
func TestClose(t *testing.T) {
	path := filepath.Join(t.TempDir(), "in.pcap")
	if err := os.WriteFile(path, cat(hdrLE, pkt60), 0o644); err != nil {
		t.Fatal(err)
	}
	r, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := r.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := r.Next(); err == nil || err == io.EOF {
		t.Errorf("Next after Close: %v", err)
	}
}

// TestLinkTypeNames checks the names tcpdump prints.
func TestLinkTypeNames(t *testing.T) {
	for _, tc := range []struct {
		t          LinkType
		name, desc string
		dlt        int
	}{
		{LinkTypeNull, "NULL", "BSD loopback", 0},
		{LinkTypeEthernet, "EN10MB", "Ethernet", 1},
		{LinkTypeRaw, "RAW", "Raw IP", 12},
		{LinkTypeRawDLT12, "RAW", "Raw IP", 12},
		{LinkTypeRawDLT14, "14", "", 14},
		{LinkTypeLoop, "LOOP", "OpenBSD loopback", 108},
		{LinkTypeLinuxSLL, "LINUX_SLL", "Linux cooked v1", 113},
		{LinkTypeLinuxSLL2, "LINUX_SLL2", "Linux cooked v2", 276},
		{LinkTypeIPv4, "IPV4", "Raw IPv4", 228},
		{LinkTypeIPv6, "IPV6", "Raw IPv6", 229},
		{LinkTypePKTAP, "PKTAP", "Apple DLT_PKTAP", 258},
		{LinkTypeUser2, "149", "", 149},
		{106, "ATM_CLIP", "Linux Classical IP over ATM", 19},
		{1 << 20, "1048576", "", 1 << 20},
	} {
		if tc.t.String() != tc.name || tc.t.Description() != tc.desc || tc.t.DLT() != tc.dlt {
			t.Errorf("%d: %q %q %d, want %q %q %d", uint32(tc.t), tc.t, tc.t.Description(), tc.t.DLT(), tc.name, tc.desc, tc.dlt)
		}
	}
}
