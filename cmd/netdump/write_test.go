package main

import (
	"bytes"
	"encoding/binary"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/medina-net/medina/pcap"
)

// liveTestTcpdump returns the installed tcpdump 4.99.3, or skips t with the
// reason.
func liveTestTcpdump(t testing.TB) string {
	t.Helper()
	bin, err := exec.LookPath("tcpdump")
	if err != nil {
		t.Skipf("tcpdump is not installed (%v): nothing to compare with", err)
	}
	ver, _ := exec.Command(bin, "--version").CombinedOutput()
	if !bytes.Contains(ver, []byte("tcpdump version 4.99.3")) {
		t.Skipf("the installed tcpdump is not 4.99.3 (%q)", strings.SplitN(string(ver), "\n", 2)[0])
	}
	return bin
}

// writeCaptures are the captures -w is tried on: the project's and, where
// the shared corpus is, tcpdump's test captures (nanosecond, malformed,
// cut short, odd link types).
func writeCaptures(t *testing.T) []string {
	files := projectCaptures(t)
	dir := filepath.Join(repoRoot(t), "..", "shared", "corpus", "tcpdump")
	for _, pat := range []string{"*.pcap", "*.pcapng"} {
		m, _ := filepath.Glob(filepath.Join(dir, pat))
		files = append(files, m...)
	}
	return files
}

// TestWriteAgainstTcpdump extracts packets with -w from every capture the
// way tcpdump does, and requires the same bytes in the file: header
// (magic, snapshot length, link type), records, and the same exit status,
// with --nano, with -c, and to the standard output with -w -.
func TestWriteAgainstTcpdump(t *testing.T) {
	tcpdump := liveTestTcpdump(t)
	compared := 0
	for _, capture := range writeCaptures(t) {
		for _, flags := range [][]string{nil, {"--nano"}, {"-c", "3"}} {
			dir := t.TempDir()
			want, got := filepath.Join(dir, "tcpdump.pcap"), filepath.Join(dir, "netdump.pcap")
			args := append(append([]string{}, flags...), "-r", capture, "-w")
			tcmd := exec.Command(tcpdump, append(args, want)...)
			var terr bytes.Buffer
			tcmd.Stderr = &terr
			tcmd.Run()
			wantFile, err := os.ReadFile(want)
			if err != nil {
				continue // tcpdump refused the capture before writing
			}
			ncmd := netdumpCommand(t, dir, "UTC", append(args, got)...)
			var nerr bytes.Buffer
			ncmd.Stderr = &nerr
			ncmd.Run()
			gotFile, err := os.ReadFile(got)
			if err != nil {
				t.Errorf("%s %v: netdump wrote nothing: %s", capture, flags, nerr.Bytes())
				continue
			}
			if !bytes.Equal(gotFile, wantFile) {
				t.Errorf("%s %v: %d bytes written, tcpdump wrote %d; first difference at byte %d",
					capture, flags, len(gotFile), len(wantFile), firstDifferentByte(gotFile, wantFile))
			}
			if tc, nc := tcmd.ProcessState.ExitCode(), ncmd.ProcessState.ExitCode(); tc != nc {
				t.Errorf("%s %v: exit %d, tcpdump %d (%s)", capture, flags, nc, tc, terr.Bytes())
			}
			compared++
		}
	}
	if compared < 100 {
		t.Errorf("only %d files compared", compared)
	}
	t.Logf("%d files written byte for byte as tcpdump writes them", compared)

	// -w - writes to the standard output.
	capture := projectCaptures(t)[0]
	want, err := exec.Command(tcpdump, "-r", capture, "-w", "-").Output()
	if err != nil {
		t.Fatal(err)
	}
	got, err := netdumpCommand(t, ".", "UTC", "-r", capture, "-w", "-").Output()
	if err != nil || !bytes.Equal(got, want) {
		t.Errorf("-w -: %v, %d bytes, tcpdump %d", err, len(got), len(want))
	}
}

// firstDifferentByte is the offset of the first byte where a and b differ.
func firstDifferentByte(a, b []byte) int {
	for i := range min(len(a), len(b)) {
		if a[i] != b[i] {
			return i
		}
	}
	return min(len(a), len(b))
}

// TestWritePrint checks --print with -w (the lines are printed as
// without -w, and the file written), -w alone (nothing printed), and a
// pcapng file, whose packets print as the original's.
func TestWritePrint(t *testing.T) {
	capture := projectCaptures(t)[0]
	plain, err := netdumpCommand(t, ".", "UTC", "-n", "-e", "-r", capture).Output()
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	for _, name := range []string{"out.pcap", "out.pcapng"} {
		file := filepath.Join(dir, name)
		printed, err := netdumpCommand(t, ".", "UTC", "-n", "-e", "-r", capture, "-w", file, "--print").Output()
		if err != nil || !bytes.Equal(printed, plain) {
			t.Errorf("--print -w %s: %v\n%s", name, err, firstDiff(plain, printed))
		}
		silent, err := netdumpCommand(t, ".", "UTC", "-n", "-r", capture, "-w", file).Output()
		if err != nil || len(silent) != 0 {
			t.Errorf("-w %s printed %q (%v)", name, silent, err)
		}
		again, err := netdumpCommand(t, ".", "UTC", "-n", "-e", "-r", file).Output()
		if err != nil || !bytes.Equal(again, plain) {
			t.Errorf("%s read back: %v\n%s", name, err, firstDiff(plain, again))
		}
		head, _ := os.ReadFile(file)
		isNg := len(head) >= 4 && binary.LittleEndian.Uint32(head) == 0x0a0d0d0a
		if isNg != strings.HasSuffix(name, ".pcapng") {
			t.Errorf("%s: pcapng %v", name, isNg)
		}
	}
}

// bigCapture writes a classic pcap of n Ethernet frames of size bytes.
func bigCapture(t *testing.T, path string, n, size int) {
	t.Helper()
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	w, err := pcap.NewWriter(f, pcap.LinkTypeEthernet, 262144, false)
	if err != nil {
		t.Fatal(err)
	}
	frame := make([]byte, size)
	copy(frame, []byte{2, 0, 0, 0, 0, 1, 2, 0, 0, 0, 0, 2, 0x88, 0xb5})
	for i := range n {
		binary.BigEndian.PutUint32(frame[14:], uint32(i))
		if err := w.WriteRecord(1700000000+uint32(i/1000), uint32(i%1000)*1000, frame, uint32(size)); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Flush(); err != nil {
		t.Fatal(err)
	}
	f.Close()
}

// TestRotateAgainstTcpdump splits a 3.5 MB capture with -C 1, with and
// without -W, and with -G and a strftime name, and requires the files
// tcpdump makes, named as it names them, byte for byte.
func TestRotateAgainstTcpdump(t *testing.T) {
	tcpdump := liveTestTcpdump(t)
	in := filepath.Join(t.TempDir(), "in.pcap")
	bigCapture(t, in, 3500, 984) // 1000 bytes a record
	for _, flags := range [][]string{
		{"-C", "1"},
		{"-C", "1", "-W", "2"},
		{"-C", "1", "-W", "12"},
		{"-G", "3600", "-w", "x-%Y.pcap"},
		{"-G", "3600", "-C", "2", "-W", "3", "-w", "y-%Y.pcap"},
	} {
		t.Run(strings.Join(flags, ""), func(t *testing.T) {
			name := "out.pcap"
			args := append([]string{"-r", in}, flags...)
			if args[len(args)-2] != "-w" {
				args = append(args, "-w", name)
			}
			tdir, ndir := t.TempDir(), t.TempDir()
			// tcpdump run as root gives up root for its own user
			// before it opens the files -C and -G make.
			if err := os.Chmod(tdir, 0o777); err != nil {
				t.Fatal(err)
			}
			tcmd := exec.Command(tcpdump, args...)
			tcmd.Dir = tdir
			if out, err := tcmd.CombinedOutput(); err != nil {
				t.Fatalf("tcpdump %v: %v %s", args, err, out)
			}
			if out, err := netdumpCommand(t, ndir, "UTC", args...).CombinedOutput(); err != nil {
				t.Fatalf("netdump %v: %v %s", args, err, out)
			}
			want, got := dirFiles(t, tdir), dirFiles(t, ndir)
			if strings.Join(keys(got), " ") != strings.Join(keys(want), " ") {
				t.Fatalf("files %q, tcpdump made %q", keys(got), keys(want))
			}
			for name, w := range want {
				if !bytes.Equal(got[name], w) {
					t.Errorf("%s differs from tcpdump's (%d and %d bytes)", name, len(got[name]), len(w))
				}
			}
		})
	}
}

// dirFiles reads the files of dir.
func dirFiles(t *testing.T, dir string) map[string][]byte {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	files := map[string][]byte{}
	for _, e := range entries {
		b, err := os.ReadFile(filepath.Join(dir, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		files[e.Name()] = b
	}
	return files
}

func keys(m map[string][]byte) []string {
	var k []string
	for n := range m {
		k = append(k, n)
	}
	sort.Strings(k)
	return k
}
