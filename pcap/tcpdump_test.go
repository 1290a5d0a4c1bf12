package pcap

import (
	"bytes"
	"compress/gzip"
	"encoding/binary"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
)

// These tests check the reader against the real thing: Debian's tcpdump
// 4.99.3 with libpcap 1.10.3. tcpdump reads a file and writes every packet
// libpcap gave it to a nanosecond pcap file (-w), which a dozen lines below
// parse independently of the reader; its stderr holds libpcap's messages.
// They skip when that tcpdump is not installed.

// findTcpdump returns the path of a tcpdump 4.99.3 built on libpcap
// 1.10.3, or "" and the reason there is none. It looks once.
var findTcpdump = sync.OnceValues(func() (string, string) {
	bin, err := exec.LookPath("tcpdump")
	if err != nil {
		return "", "tcpdump not installed"
	}
	out, _ := exec.Command(bin, "--version").CombinedOutput()
	if !bytes.Contains(out, []byte("tcpdump version 4.99.3")) || !bytes.Contains(out, []byte("libpcap version 1.10.3")) {
		return "", fmt.Sprintf("tcpdump is not 4.99.3 with libpcap 1.10.3: %q", out)
	}
	return bin, ""
})

// tcpdumpBin returns the path of tcpdump 4.99.3, or skips the test.
func tcpdumpBin(t testing.TB) string {
	t.Helper()
	bin, why := findTcpdump()
	if bin == "" {
		t.Skip(why)
	}
	return bin
}

// maybeTcpdump returns the path of tcpdump 4.99.3, or "" for tests that
// check against it when they can.
func maybeTcpdump() string {
	bin, _ := findTcpdump()
	return bin
}

// libpcapRecord is a packet as libpcap handed it to tcpdump, nanosecond
// precision, seconds cut to 32 bits as a pcap file stores them.
type libpcapRecord struct {
	sec, nsec, length uint32
	data              []byte
}

// tcpdumpResult is what tcpdump made of a file.
type tcpdumpResult struct {
	reading string // the "reading from file" line, without the file name
	openErr string // the message when opening failed ("tcpdump: MSG")
	loopErr string // the message when reading failed ("tcpdump: pcap_loop: MSG")
	exit    int
	recs    []libpcapRecord
}

// runTcpdump runs tcpdump -r path -w out, with nanosecond timestamps.
func runTcpdump(t *testing.T, bin, path string) tcpdumpResult {
	t.Helper()
	out := filepath.Join(t.TempDir(), "out.pcap")
	cmd := exec.Command(bin, "--time-stamp-precision=nano", "-r", path, "-w", out)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	err := cmd.Run()
	var res tcpdumpResult
	if ee, ok := err.(*exec.ExitError); ok {
		res.exit = ee.ExitCode()
	} else if err != nil {
		t.Fatalf("tcpdump: %v", err)
	}
	for _, line := range strings.Split(strings.TrimRight(stderr.String(), "\n"), "\n") {
		switch {
		case strings.HasPrefix(line, "reading from file "+path+", "):
			res.reading = strings.TrimPrefix(line, "reading from file "+path+", ")
		case strings.HasPrefix(line, "tcpdump: pcap_loop: "):
			res.loopErr = strings.TrimPrefix(line, "tcpdump: pcap_loop: ")
		case strings.HasPrefix(line, "tcpdump: "):
			res.openErr = strings.TrimPrefix(line, "tcpdump: ")
		case line == "", strings.HasPrefix(line, "Warning: "):
		default:
			t.Fatalf("unexpected tcpdump output %q", line)
		}
	}
	if b, err := os.ReadFile(out); err == nil {
		res.recs = parseNanoPcap(t, b)
	}
	return res
}

// parseNanoPcap parses the little-endian nanosecond pcap file libpcap
// writes on this host.
func parseNanoPcap(t *testing.T, b []byte) []libpcapRecord {
	if len(b) < 24 || binary.LittleEndian.Uint32(b) != magicNano {
		t.Fatalf("tcpdump wrote a file that is not a little-endian nanosecond pcap")
	}
	var recs []libpcapRecord
	for b = b[24:]; len(b) >= 16; {
		caplen := binary.LittleEndian.Uint32(b[8:])
		recs = append(recs, libpcapRecord{
			sec:    binary.LittleEndian.Uint32(b[0:]),
			nsec:   binary.LittleEndian.Uint32(b[4:]),
			length: binary.LittleEndian.Uint32(b[12:]),
			data:   b[16 : 16+caplen],
		})
		b = b[16+caplen:]
	}
	return recs
}

// readingLine is tcpdump's "reading from file" line for r, without the
// file name.
func readingLine(r *Reader) string {
	lt := r.LinkType()
	if lt.Known() {
		return fmt.Sprintf("link-type %s (%s), snapshot length %d", lt, lt.Description(), r.Snaplen())
	}
	return fmt.Sprintf("link-type %d, snapshot length %d", uint32(lt), r.Snaplen())
}

// compareWithTcpdump reads path with Config.Libpcap and checks that the
// reader accepts, refuses and reads exactly what libpcap does. A gzip file
// is given to tcpdump decompressed, since libpcap cannot read it.
func compareWithTcpdump(t *testing.T, bin, path string) {
	t.Helper()
	tdPath := path
	if raw, err := os.ReadFile(path); err == nil && len(raw) > 2 && raw[0] == gzipID1 && raw[1] == gzipID2 {
		zr, err := gzip.NewReader(bytes.NewReader(raw))
		if err != nil {
			t.Fatal(err)
		}
		plain, err := io.ReadAll(zr)
		if err != nil {
			t.Logf("gzip: %v (comparing what decompresses)", err)
		}
		tdPath = filepath.Join(t.TempDir(), "plain")
		if err := os.WriteFile(tdPath, plain, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want := runTcpdump(t, bin, tdPath)

	r, err := Config{Libpcap: true}.Open(path)
	if want.reading == "" {
		if err == nil {
			r.Close()
			t.Fatalf("opened, tcpdump says %q", want.openErr)
		}
		if got := msgOf(err); got != want.openErr {
			t.Fatalf("open error %q, tcpdump says %q", got, want.openErr)
		}
		return
	}
	if err != nil {
		t.Fatalf("open: %v; tcpdump read it (%s)", err, want.reading)
	}
	defer r.Close()
	if got := readingLine(r); got != want.reading {
		t.Errorf("reading line %q, tcpdump %q", got, want.reading)
	}
	if strings.HasPrefix(want.openErr, "unknown data link type") {
		// tcpdump opened the file but has no use for its link type
		// (libpcap cannot even name it in a file it writes).
		if r.LinkType().Known() {
			t.Errorf("libpcap names link type %s, but tcpdump says %q", r.LinkType(), want.openErr)
		}
		return
	}

	n := 0
	for ; ; n++ {
		p, err := r.Next()
		if err == io.EOF {
			if want.loopErr != "" {
				t.Errorf("clean end after %d packets, tcpdump: %q", n, want.loopErr)
			}
			break
		}
		if err != nil {
			if got := msgOf(err); got != want.loopErr {
				t.Errorf("after %d packets: error %q, tcpdump: %q", n, got, want.loopErr)
			}
			break
		}
		if n >= len(want.recs) {
			t.Errorf("packet %d: tcpdump has only %d", n+1, len(want.recs))
			continue
		}
		w := want.recs[n]
		nsec := uint64(p.Frac)
		if p.FracPerSec == 1e6 {
			nsec *= 1000
		}
		if uint32(p.Sec) != w.sec || uint32(nsec) != w.nsec || uint32(p.Length) != w.length || !bytes.Equal(p.Data, w.data) {
			t.Errorf("packet %d: %d.%09d len %d caplen %d, tcpdump %d.%09d len %d caplen %d",
				n+1, uint32(p.Sec), uint32(nsec), p.Length, len(p.Data), w.sec, w.nsec, w.length, len(w.data))
		}
	}
	if n < len(want.recs) {
		t.Errorf("read %d packets, tcpdump %d", n, len(want.recs))
	}
}

// TestCorpusAgainstTcpdump reads every capture of the shared corpus and
// checks it against tcpdump.
func TestCorpusAgainstTcpdump(t *testing.T) {
	files := corpusFiles(t)
	bin := tcpdumpBin(t)
	for _, f := range files {
		t.Run(strings.TrimPrefix(f, corpusDir(t)+"/"), func(t *testing.T) {
			compareWithTcpdump(t, bin, f)
		})
	}
}

// TestTruncatedMidRecord documents what tcpdump does with a file cut short
// inside a record, for netdump to mirror: it prints the packets before
// the cut, then "tcpdump: pcap_loop: truncated dump file; ..." on stderr,
// and exits with status 1. The reader hands out the same packets and then
// the same message.
func TestTruncatedMidRecord(t *testing.T) {
	good := pcapRecord(le, 1, 2, 60, 60, frame(60, 1))
	cut := pcapRecord(le, 3, 4, 100, 100, frame(100, 2))[:16+40]
	file := cat(pcapHeader(le, magicMicro, 2, 4, 65535, 1), good, cut)
	const msg = "truncated dump file; tried to read 100 captured bytes, only got 40"

	_, recs, err := readAll(Config{}, file)
	if len(recs) != 1 || msgOf(err) != msg {
		t.Fatalf("got %d packets and %v; want 1 packet and %q", len(recs), err, msg)
	}

	bin := tcpdumpBin(t)
	path := filepath.Join(t.TempDir(), "cut.pcap")
	if err := os.WriteFile(path, file, 0o644); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(bin, "-n", "-r", path)
	cmd.Env = append(os.Environ(), "TZ=GMT0")
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err = cmd.Run()
	ee, ok := err.(*exec.ExitError)
	if !ok || ee.ExitCode() != 1 {
		t.Fatalf("tcpdump: %v, want exit status 1", err)
	}
	// One line per packet, and hex lines (starting with a tab) for the
	// payload tcpdump cannot decode.
	lines := 0
	for _, l := range strings.Split(stdout.String(), "\n") {
		if l != "" && l[0] != '\t' {
			lines++
		}
	}
	if lines != 1 {
		t.Errorf("tcpdump printed %d packets, want 1:\n%s", lines, stdout.String())
	}
	wantErr := "reading from file " + path + ", link-type EN10MB (Ethernet), snapshot length 65535\n" +
		"tcpdump: pcap_loop: " + msg + "\n"
	if stderr.String() != wantErr {
		t.Errorf("tcpdump stderr:\n%s\nwant:\n%s", stderr.String(), wantErr)
	}
}
