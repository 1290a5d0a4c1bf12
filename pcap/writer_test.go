package pcap

import (
	"bytes"
	"errors"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"runtime"
	"testing"
	"time"

	"github.com/gopacket/gopacket/pcapgo"
)

// TestWriterRoundTrip writes classic pcap files, micro- and nanosecond,
// reads them back, and has tcpdump read them too.
func TestWriterRoundTrip(t *testing.T) {
	ts := time.Unix(1700000000, 123456789)
	for _, nano := range []bool{false, true} {
		var buf bytes.Buffer
		w, err := NewWriter(&buf, LinkTypeEthernet, 100, nano)
		if err != nil {
			t.Fatal(err)
		}
		must(t, w.WritePacket(ts, frame(60, 1), 60))
		must(t, w.WritePacket(ts.Add(time.Second), frame(150, 2), 1514)) // cut to 100
		must(t, w.WritePacket(time.Time{}, frame(10, 3), 10))            // the epoch, not now
		must(t, w.Flush())

		r, recs, err := readAll(Config{}, buf.Bytes())
		if err != nil {
			t.Fatal(err)
		}
		frac, perSec := uint32(123456), uint32(1e6)
		if nano {
			frac, perSec = 123456789, 1e9
		}
		want := []record{
			{Data: frame(60, 1), Length: 60, Sec: 1700000000, Frac: frac, FracPerSec: perSec, LinkType: LinkTypeEthernet},
			{Data: frame(100, 2), Length: 1514, Sec: 1700000001, Frac: frac, FracPerSec: perSec, LinkType: LinkTypeEthernet},
			{Data: frame(10, 3), Length: 10, Sec: 0, Frac: 0, FracPerSec: perSec, LinkType: LinkTypeEthernet},
		}
		if !reflect.DeepEqual(recs, want) {
			t.Errorf("nano %v: read back %+v\nwant %+v", nano, recs, want)
		}
		if r.Snaplen() != 100 || r.LinkType() != LinkTypeEthernet {
			t.Errorf("snaplen %d, link type %v", r.Snaplen(), r.LinkType())
		}
		checkTcpdumpReads(t, buf.Bytes())
	}
}

// TestNgWriterRoundTrip writes a pcapng file with several interfaces,
// directions and secrets, and reads it back with this reader and pcapgo's.
func TestNgWriterRoundTrip(t *testing.T) {
	var buf bytes.Buffer
	w, err := NewNgWriter(&buf, NgInterface{LinkType: LinkTypeEthernet, Name: "eth0", Description: "the wire"})
	if err != nil {
		t.Fatal(err)
	}
	keylog := []byte("CLIENT_RANDOM 00 11\n")
	must(t, w.WriteSecrets(SecretsTLSKeyLog, keylog))
	id, err := w.AddInterface(NgInterface{LinkType: LinkTypeRaw, Snaplen: 64, Name: "tun0"})
	if err != nil || id != 1 {
		t.Fatalf("AddInterface: %d, %v", id, err)
	}
	ts := time.Unix(1700000000, 123456789)
	must(t, w.WritePacket(0, ts, frame(60, 1), 60, DirectionInbound))
	must(t, w.WritePacket(1, ts.Add(time.Millisecond), frame(101, 2), 1400, DirectionOutbound)) // cut to 64
	must(t, w.WritePacket(0, ts.Add(time.Second), frame(3, 3), 3, DirectionUnknown))
	must(t, w.Flush())
	file := buf.Bytes()

	if bytes.Contains(file, []byte(runtime.GOOS)) {
		t.Errorf("the file names the OS, so it depends on where it was written")
	}

	r, recs, err := readAll(Config{}, file)
	if err != nil {
		t.Fatal(err)
	}
	want := []record{
		{Data: frame(60, 1), Length: 60, Sec: 1700000000, Frac: 123456789, FracPerSec: 1e9, LinkType: LinkTypeEthernet, Interface: 0, Flags: 1},
		{Data: frame(64, 2), Length: 1400, Sec: 1700000000, Frac: 124456789, FracPerSec: 1e9, LinkType: LinkTypeRaw, Interface: 1, Flags: 2},
		{Data: frame(3, 3), Length: 3, Sec: 1700000001, Frac: 123456789, FracPerSec: 1e9, LinkType: LinkTypeEthernet, Interface: 0},
	}
	if !reflect.DeepEqual(recs, want) {
		t.Errorf("read back %+v\nwant %+v", recs, want)
	}
	if s := r.Secrets(); len(s) != 1 || s[0].Type != SecretsTLSKeyLog || !bytes.Equal(s[0].Data, keylog) {
		t.Errorf("secrets %+v", s)
	}
	if ifs := r.Interfaces(); len(ifs) != 2 || ifs[0].Name != "eth0" || ifs[1].Name != "tun0" || ifs[1].Snaplen != 64 {
		t.Errorf("interfaces %+v", ifs)
	}

	// pcapgo reads the same.
	ng, err := pcapgo.NewNgReader(bytes.NewReader(file), pcapgo.NgReaderOptions{WantMixedLinkType: true})
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; ; i++ {
		data, ci, opts, err := ng.ReadPacketDataWithOptions()
		if err == io.EOF {
			if i != len(want) {
				t.Errorf("pcapgo read %d packets", i)
			}
			break
		}
		if err != nil {
			t.Fatalf("pcapgo: %v", err)
		}
		var flags uint32
		if opts.Flags != nil {
			flags = opts.Flags.ToUint32()
		}
		wt := time.Unix(want[i].Sec, int64(want[i].Frac))
		if !bytes.Equal(data, want[i].Data) || ci.Length != want[i].Length || !ci.Timestamp.Equal(wt) ||
			ci.InterfaceIndex != want[i].Interface || flags != want[i].Flags {
			t.Errorf("pcapgo packet %d: %v %+v flags %d", i, data, ci, flags)
		}
	}

	// tcpdump reads a file with one link type.
	buf.Reset()
	w, err = NewNgWriter(&buf, NgInterface{LinkType: LinkTypeEthernet})
	must(t, err)
	must(t, w.WritePacket(0, ts, frame(60, 1), 60, DirectionOutbound))
	must(t, w.WritePacket(0, ts, frame(70, 1), 80, DirectionUnknown))
	must(t, w.Flush())
	checkTcpdumpReads(t, buf.Bytes())
}

// checkTcpdumpReads compares the reader with tcpdump on file, if tcpdump
// is installed.
func checkTcpdumpReads(t *testing.T, file []byte) {
	t.Helper()
	bin := maybeTcpdump()
	if bin == "" {
		return
	}
	path := filepath.Join(t.TempDir(), "written")
	if err := os.WriteFile(path, file, 0o644); err != nil {
		t.Fatal(err)
	}
	compareWithTcpdump(t, bin, path)
}

// TestWriterErrors checks the writers' argument checks and that a failing
// io.Writer's error can be found with errors.Is.
func TestWriterErrors(t *testing.T) {
	if _, err := NewWriter(io.Discard, 1<<16, 0, false); !errors.Is(err, ErrLinkType) {
		t.Errorf("link type 65536: %v", err)
	}
	if _, err := NewNgWriter(io.Discard, NgInterface{LinkType: 1 << 16}); !errors.Is(err, ErrLinkType) {
		t.Errorf("pcapng link type 65536: %v", err)
	}
	w, _ := NewWriter(io.Discard, LinkTypeEthernet, 0, false)
	if err := w.WritePacket(time.Unix(1, 0), frame(10, 0), 5); err == nil {
		t.Errorf("length 5 < 10 bytes accepted")
	}
	nw, _ := NewNgWriter(io.Discard, NgInterface{LinkType: LinkTypeEthernet})
	if err := nw.WritePacket(1, time.Unix(1, 0), frame(10, 0), 10, 0); !errors.Is(err, ErrInterface) {
		t.Errorf("interface 1: %v", err)
	}
	if _, err := nw.AddInterface(NgInterface{LinkType: 1 << 16}); !errors.Is(err, ErrLinkType) {
		t.Errorf("AddInterface link type 65536: %v", err)
	}
	if err := nw.WriteSecrets(0x1234, []byte("x")); err == nil {
		t.Errorf("unregistered secrets type accepted")
	}

	full := errors.New("disk full")
	w, err := NewWriter(&failingWriter{err: full}, LinkTypeEthernet, 0, false)
	must(t, err)
	big := frame(writeBufSize, 0)
	if err := w.WritePacket(time.Unix(1, 0), big, len(big)); !errors.Is(err, full) {
		t.Errorf("classic write to a full disk: %v", err)
	}
	if _, err := NewNgWriter(&failingWriter{err: full}, NgInterface{LinkType: LinkTypeEthernet}); !errors.Is(err, full) {
		t.Errorf("pcapng header to a full disk: %v", err)
	}
	nw, err = NewNgWriter(&failingWriter{room: 200, err: full}, NgInterface{LinkType: LinkTypeEthernet})
	must(t, err)
	if err := nw.WritePacket(0, time.Unix(1, 0), big, len(big), DirectionInbound); !errors.Is(err, full) {
		t.Errorf("pcapng write to a full disk: %v", err)
	}
	if err := nw.Flush(); !errors.Is(err, full) {
		t.Errorf("pcapng flush to a full disk: %v", err)
	}
}

// failingWriter accepts room bytes, then fails.
type failingWriter struct {
	room int
	err  error
}

func (f *failingWriter) Write(p []byte) (int, error) {
	if len(p) <= f.room {
		f.room -= len(p)
		return len(p), nil
	}
	return 0, f.err
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// dumpLikeTcpdump writes the packets of in as tcpdump -r in -w out does,
// with --nano when nano is set, and returns the file and the reading error
// that stopped it, if any.
func dumpLikeTcpdump(t *testing.T, in string, nano bool) ([]byte, error) {
	t.Helper()
	r, err := Config{Libpcap: true}.Open(in)
	if err != nil {
		return nil, err
	}
	defer r.Close()
	var buf bytes.Buffer
	w, err := NewFileWriter(&buf, r.DumpHeader(nano))
	if err != nil {
		t.Fatal(err)
	}
	unit := uint32(1e6)
	if nano {
		unit = 1e9
	}
	var readErr error
	for {
		p, err := r.Next()
		if err != nil {
			if err != io.EOF {
				readErr = err
			}
			break
		}
		sec, frac := p.Stamp(unit)
		must(t, w.WriteRecord(uint32(sec), frac, p.Data, uint32(p.Length)))
	}
	must(t, w.Flush())
	return buf.Bytes(), readErr
}

// TestDumpCorpusAgainstTcpdump copies every capture of the corpus as
// tcpdump -r IN -w OUT does, micro- and nanosecond, and requires the bytes
// tcpdump writes: header fields (magic, snapshot length, link type and its
// FCS bits) and every record as libpcap handed it out, up to a reading
// error where there is one. Files tcpdump refuses to open or cannot
// filter (an unknown link type) are skipped: it writes nothing for them.
func TestDumpCorpusAgainstTcpdump(t *testing.T) {
	files := corpusFiles(t)
	bin := tcpdumpBin(t)
	compared := 0
	for _, f := range files {
		for _, nano := range []bool{false, true} {
			out := filepath.Join(t.TempDir(), "out.pcap")
			args := []string{"-r", f, "-w", out}
			if nano {
				args = append([]string{"--nano"}, args...)
			}
			msg, _ := exec.Command(bin, args...).CombinedOutput()
			want, err := os.ReadFile(out)
			if err != nil {
				continue // refused before writing: nothing to compare
			}
			got, readErr := dumpLikeTcpdump(t, f, nano)
			if readErr != nil && !bytes.Contains(msg, []byte("pcap_loop:")) {
				t.Errorf("%s: we stopped at %v; tcpdump said %q", f, readErr, msg)
			}
			if !bytes.Equal(got, want) {
				t.Errorf("%s (nano %v): %d bytes written, tcpdump wrote %d; first difference at %d",
					f, nano, len(got), len(want), firstDifference(got, want))
			}
			compared++
		}
	}
	t.Logf("%d copies compared with tcpdump's", compared)
}

// TestSavefileLinkTypes has tcpdump rewrite a one-packet file of every link
// type 0..299, with and without FCS bits, and requires the header it
// writes, where it writes one.
func TestSavefileLinkTypes(t *testing.T) {
	bin := tcpdumpBin(t)
	dir := t.TempDir()
	for lt := uint32(0); lt < 300; lt++ {
		for _, ext := range []uint32{0, 0x14000000} {
			in := filepath.Join(dir, "in.pcap")
			file := cat(pcapHeader(le, magicMicro, 2, 4, 100, lt|ext), pcapRecord(le, 7, 8, 4, 4, []byte{1, 2, 3, 4}))
			must(t, os.WriteFile(in, file, 0o644))
			out := filepath.Join(dir, "out.pcap")
			os.Remove(out)
			exec.Command(bin, "-r", in, "-w", out).Run()
			want, err := os.ReadFile(out)
			if err != nil {
				continue
			}
			got, err := dumpLikeTcpdump(t, in, false)
			must(t, err)
			if !bytes.Equal(got, want) {
				t.Errorf("link type %d|%#x: wrote header %x, tcpdump %x", lt, ext, got[:fileHeaderLen], want[:min(len(want), fileHeaderLen)])
			}
		}
	}
}

// firstDifference is the offset of the first byte where a and b differ.
func firstDifference(a, b []byte) int {
	for i := range min(len(a), len(b)) {
		if a[i] != b[i] {
			return i
		}
	}
	return min(len(a), len(b))
}
