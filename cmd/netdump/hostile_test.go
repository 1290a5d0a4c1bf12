package main

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"runtime/metrics"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/medina-net/medina/internal/hostilecap"
	"github.com/medina-net/medina/pcap"
	"github.com/medina-net/medina/tcpstream"
)

// Hostile captures (issue 9, item 5): netdump, the command, reads files
// made to exhaust it (a flood of half-open TLS connections, a record that
// claims 4 GiB, a pcapng block that claims as much, frames behind hundreds
// of VLAN tags) under an address-space limit, and must neither crash nor
// grow: it prints what tcpdump prints, ends with tcpdump's exit status
// and, for a bad file, an error that says where, and its live heap stays
// within the TLS view's documented bound.

// startHeapReporter samples the live heap (runtime/metrics'
// /gc/heap/live:bytes, the heap left after the latest collection) every
// millisecond while netdump runs, and returns a function that writes the
// largest value seen, and the last, to file. It does nothing when file is
// "".
func startHeapReporter(file string) (stop func()) {
	if file == "" {
		return func() {}
	}
	sample := []metrics.Sample{{Name: "/gc/heap/live:bytes"}}
	var peak uint64
	read := func() {
		metrics.Read(sample)
		peak = max(peak, sample[0].Value.Uint64())
	}
	done := make(chan struct{})
	stopped := make(chan struct{})
	go func() {
		defer close(stopped)
		t := time.NewTicker(time.Millisecond)
		defer t.Stop()
		for {
			select {
			case <-done:
				return
			case <-t.C:
				read()
			}
		}
	}()
	return func() {
		close(done)
		<-stopped
		// A run too short to have collected has a live heap of 0 so far.
		runtime.GC()
		read()
		os.WriteFile(file, []byte(strconv.FormatUint(peak, 10)+"\n"), 0o644)
	}
}

// addressSpaceLimit is the RLIMIT_AS the hostile captures are read under:
// the 4 GiB under which netdump died with "fatal error: out of memory" on a
// 35 MB flood before its TLS view was bounded.
const addressSpaceLimit = 4 << 30

// tlsViewBound is the bound the TLS view documents for its live memory
// with the default --tls-memory: MaxBufferedTotal, a quarter of it in free
// buffers, under 1 KiB for each of MaxStreams connections.
const tlsViewBound = tcpstream.DefaultMaxBufferedTotal*5/4 + tcpstream.DefaultMaxStreams<<10

// hostileRun is what netdump did with a hostile capture.
type hostileRun struct {
	status int
	stdout []byte // the first 1 MiB
	lines  int
	stderr string
	// decrypted is the plaintext the TLS lines say was decrypted.
	decrypted int64
	heapPeak  uint64 // the largest live heap seen
	maxRSS    int64  // bytes
}

// runHostile runs netdump with args under the address-space limit.
func runHostile(t *testing.T, args ...string) hostileRun {
	t.Helper()
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	report := filepath.Join(t.TempDir(), "heap")
	// The shell sets the limit and becomes netdump (exec), so the limit
	// and the resource usage are netdump's.
	script := fmt.Sprintf("ulimit -v %d && exec \"$0\" \"$@\"", addressSpaceLimit>>10)
	cmd := exec.Command("sh", append([]string{"-c", script, exe}, args...)...)
	cmd.Env = append(os.Environ(), "NETDUMP_AS_MAIN=1", "TZ=UTC", "NETDUMP_HEAP_REPORT="+report, "SSLKEYLOGFILE=")
	out := &headCounter{limit: 1 << 20}
	var stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = out, &stderr
	err = cmd.Run()
	r := hostileRun{stdout: out.head, lines: out.lines, decrypted: out.decrypted, stderr: stderr.String()}
	if err != nil {
		ee, ok := err.(*exec.ExitError)
		if !ok {
			t.Fatal(err)
		}
		r.status = ee.ExitCode()
	}
	if ru, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage); ok {
		r.maxRSS = ru.Maxrss << 10
	}
	if b, err := os.ReadFile(report); err == nil {
		r.heapPeak, _ = strconv.ParseUint(strings.TrimSpace(string(b)), 10, 64)
	}
	t.Logf("netdump %s: exit %d, %d lines, live heap peak %.1f MiB, max RSS %.1f MiB",
		strings.Join(args, " "), r.status, r.lines, float64(r.heapPeak)/(1<<20), float64(r.maxRSS)/(1<<20))
	return r
}

// headCounter keeps the first limit bytes written to it, counts lines,
// and adds up the plaintext of the decrypted application data lines.
type headCounter struct {
	head      []byte
	limit     int
	lines     int
	partial   []byte // the start of a line not yet ended
	decrypted int64
}

// decryptedLine is a TLS line of decrypted application data.
var decryptedLine = regexp.MustCompile(`^    TLS \S+ > \S+: application data, (\d+) bytes, decrypted$`)

func (w *headCounter) Write(p []byte) (int, error) {
	if n := w.limit - len(w.head); n > 0 {
		w.head = append(w.head, p[:min(n, len(p))]...)
	}
	rest := p
	for {
		i := bytes.IndexByte(rest, '\n')
		if i < 0 {
			w.partial = append(w.partial, rest...)
			break
		}
		line := rest[:i]
		if len(w.partial) > 0 {
			line = append(w.partial, line...)
			w.partial = w.partial[:0]
		}
		w.lines++
		if bytes.HasPrefix(line, []byte("    TLS ")) {
			if m := decryptedLine.FindSubmatch(line); m != nil {
				n, _ := strconv.Atoi(string(m[1]))
				w.decrypted += int64(n)
			}
		}
		rest = rest[i+1:]
	}
	return len(p), nil
}

// httpsdDecrypted is the plaintext of httpsd's recorded session, both
// ways (198 bytes of request, 100,637 of response), as the TLS view
// counts it in its lines.
const httpsdDecrypted = 198 + 100637

// hostileCase is a hostile capture and what netdump must do with it.
type hostileCase struct {
	name string
	// write writes the capture into dir and returns its path.
	write func(t *testing.T, dir string) string
	// status is the exit status tcpdump gives; err, a pattern its error
	// line must match.
	status int
	err    string
	// lines is the fewest lines of output without the TLS view.
	lines int
	// decrypted is the plaintext the TLS view must decrypt.
	decrypted int64
	// compare is how many packets are compared with tcpdump's output (0:
	// all). tcpdump keeps its TCP connections in a hash table of 4,099
	// chains, and takes 25 s to print the flood.
	compare int
}

var hostileCases = []hostileCase{
	{
		// Twice as many connections as tcpstream tracks at once, each
		// a SYN and the first 100 bytes of a record of 16 KiB, then
		// httpsd's TLS 1.3 session, which must be decrypted.
		name: "half-open TLS flood",
		write: func(t *testing.T, dir string) string {
			return writeFlood(t, dir, 131072)
		},
		lines: 2*131072 + 50, compare: 20000, decrypted: httpsdDecrypted,
	},
	{
		name: "giant caplen",
		write: func(t *testing.T, dir string) string {
			return writeFile(t, dir, "giant.pcap", hostilecap.GiantCaplen(0xffffffff))
		},
		status: 1, lines: 1,
		err: `^netdump: pcap_loop: .*giant\.pcap: invalid packet capture length 4294967295, bigger than snaplen of 262144 \(record at byte 194\)$`,
	},
	{
		name: "huge block",
		write: func(t *testing.T, dir string) string {
			return writeFile(t, dir, "huge.pcapng", hostilecap.HugeBlock(0xfffffffc))
		},
		status: 1, lines: 1,
		err: `^netdump: pcap_loop: .*huge\.pcapng: pcapng block size 4294967292 > maximum 16777216 \(record at byte 236\)$`,
	},
	{
		name: "300 VLAN tags",
		write: func(t *testing.T, dir string) string {
			return writeFile(t, dir, "vlan300.pcap", hostilecap.DeepVLAN(300))
		},
		lines: 2,
	},
	{
		// As many tags as a frame of 64 KiB holds.
		name: "16,000 VLAN tags",
		write: func(t *testing.T, dir string) string {
			return writeFile(t, dir, "vlan16000.pcap", hostilecap.DeepVLAN(16000))
		},
		lines: 2,
	},
}

func writeFile(t *testing.T, dir, name string, b []byte) string {
	t.Helper()
	path := filepath.Join(dir, name)
	if err := os.WriteFile(path, b, 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// writeFlood writes a flood of n half-open TLS connections followed by
// httpsd's recorded session, and the session's keys as a key log beside
// it ("keys").
func writeFlood(t *testing.T, dir string, n int) string {
	t.Helper()
	path := filepath.Join(dir, "flood.pcap")
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	w := bufio.NewWriter(f)
	pw := hostilecap.NewPcapWriter(w, 262144)
	last := hostilecap.Start
	hostilecap.HalfOpenTLS{Conns: n, SYN: true}.Frames(func(frame []byte, ts time.Time) {
		pw.Frame(frame, ts)
		last = ts
	})
	r, err := pcap.Open(filepath.Join(repoRoot(t), "testdata", "pcaps", "httpsd-session.pcapng"))
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	var first time.Time
	for {
		p, err := r.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		if first.IsZero() {
			first = p.Time()
		}
		pw.Record(last.Add(time.Millisecond+p.Time().Sub(first)), uint32(len(p.Data)), uint32(p.Length), p.Data)
	}
	var keys bytes.Buffer
	for _, s := range r.Secrets() {
		keys.Write(s.Data)
	}
	if err := os.WriteFile(filepath.Join(dir, "keys"), keys.Bytes(), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := pw.Err(); err != nil {
		t.Fatal(err)
	}
	if err := w.Flush(); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestHostileCaptures(t *testing.T) {
	if testing.Short() {
		t.Skip("writes and reads a 31 MB capture")
	}
	dir := t.TempDir()
	tcpdump, _ := exec.LookPath("tcpdump")
	if tcpdump != "" {
		if ver, _ := exec.Command(tcpdump, "--version").CombinedOutput(); !bytes.Contains(ver, []byte("tcpdump version 4.99.3")) {
			tcpdump = ""
		}
	}
	for _, c := range hostileCases {
		t.Run(c.name, func(t *testing.T) {
			file := c.write(t, dir)
			// bound is the most live heap the run may have: the TLS
			// view's bound over what the same capture costs without the
			// view (the printers keep, as tcpdump does, the first
			// sequence numbers of every TCP connection they have seen).
			checkEnd := func(r hostileRun, bound uint64) {
				t.Helper()
				if r.status != c.status {
					t.Errorf("exit status %d, want %d; stderr:\n%s", r.status, c.status, r.stderr)
				}
				if strings.Contains(r.stderr, "fatal error") || strings.Contains(r.stderr, "panic") {
					t.Fatalf("netdump crashed:\n%s", r.stderr[:min(len(r.stderr), 2000)])
				}
				lines := strings.Split(strings.TrimSuffix(r.stderr, "\n"), "\n")
				if !strings.HasPrefix(lines[0], "reading from file ") {
					t.Errorf("stderr begins %q", lines[0])
				}
				if c.err != "" && !regexp.MustCompile(c.err).MatchString(lines[len(lines)-1]) {
					t.Errorf("error line %q does not match %q", lines[len(lines)-1], c.err)
				}
				if r.heapPeak == 0 || r.heapPeak > bound {
					t.Errorf("live heap peaked at %d bytes; the bound is %d", r.heapPeak, bound)
				}
				// The resident set holds the garbage a collection has yet
				// to take (up to as much again as is live), the runtime,
				// and the pages of the capture (read through mmap).
				if limit := 2*int64(bound) + 64<<20; r.maxRSS > limit {
					t.Errorf("max RSS %d bytes, more than %d", r.maxRSS, limit)
				}
			}
			// As tcpdump: the same lines, the same exit status.
			r := runHostile(t, "-n", "-r", file)
			checkEnd(r, tlsViewBound)
			plain := r.heapPeak
			if r.lines < c.lines {
				t.Errorf("%d lines, want at least %d", r.lines, c.lines)
			}
			if tcpdump != "" {
				args := []string{"-n", "-r", file}
				got := r
				if c.compare > 0 {
					args = append(args, "-c", strconv.Itoa(c.compare))
					got = runHostile(t, args...)
				}
				cmd := exec.Command(tcpdump, args...)
				cmd.Env = append(os.Environ(), "TZ=UTC")
				want := &headCounter{limit: 1 << 20}
				cmd.Stdout = want
				err := cmd.Run()
				status := 0
				if ee, ok := err.(*exec.ExitError); ok {
					status = ee.ExitCode()
				}
				if status != got.status || want.lines != got.lines || !bytes.Equal(want.head, got.stdout) {
					t.Errorf("tcpdump: exit %d, %d lines; netdump: exit %d, %d lines; %s",
						status, want.lines, got.status, got.lines, firstDiff(want.head, got.stdout))
				}
			}
			// With the TLS view.
			args := []string{"-n", "--tls", "-r", file}
			keys := filepath.Join(dir, "keys")
			if _, err := os.Stat(keys); err == nil && c.name == "half-open TLS flood" {
				args = append(args, "--keylog", keys)
			}
			r = runHostile(t, args...)
			checkEnd(r, plain+tlsViewBound)
			if r.decrypted != c.decrypted {
				t.Errorf("the TLS view decrypted %d bytes, want %d", r.decrypted, c.decrypted)
			}
			if c.name == "half-open TLS flood" {
				if !regexp.MustCompile(`(?m)^netdump: TLS view: \d+ connections dropped to stay within its memory bound \(64 MiB in all, 4 MiB per connection; --tls-memory sets the total\)$`).MatchString(r.stderr) {
					t.Errorf("no warning of the connections dropped:\n%s", r.stderr)
				}
			}
		})
	}
}

// TestTLSMemoryFlag: --tls-memory sets the TLS view's bound. A flood of
// 400 half-open connections (about 1.7 KiB each to the view) under a
// bound of 256 KiB loses its oldest connections, whose summaries say they
// ended for memory, with a warning; httpsd's session after it is decrypted
// whole.
func TestTLSMemoryFlag(t *testing.T) {
	dir := t.TempDir()
	file := writeFlood(t, dir, 400)
	cmd := netdumpCommand(t, dir, "UTC", "-n", "--tls-sessions", "--tls-memory", "0.25", "--keylog", "keys", "-r", file)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("%v\n%s", err, stderr.String())
	}
	m := regexp.MustCompile(`(?m)^netdump: TLS view: (\d+) connections dropped to stay within its memory bound \(0\.25 MiB in all, 0\.25 MiB per connection; --tls-memory sets the total\)$`).FindStringSubmatch(stderr.String())
	if m == nil {
		t.Fatalf("no warning:\n%s", stderr.String())
	}
	dropped, _ := strconv.Atoi(m[1])
	byMemory := strings.Count(stdout.String(), "; ended memory\n")
	if dropped < 200 || byMemory != dropped {
		t.Errorf("%d connections dropped, %d summaries say so; want them equal, and at least 200 of 400", dropped, byMemory)
	}
	if !strings.Contains(stdout.String(), "(100637 plaintext); 2 alerts, last Warning Close Notify; ended fin\n") {
		t.Errorf("httpsd's session not decrypted whole:\n%s", stdout.String()[max(0, stdout.Len()-2000):])
	}
}

func TestTLSMemoryOption(t *testing.T) {
	for _, c := range []struct {
		arg  string
		want int
		err  bool
	}{
		{"64", 64 << 20, false},
		{"0.5", 512 << 10, false},
		{"1024", 1 << 30, false},
		{"0", 0, true},
		{"-3", 0, true},
		{"many", 0, true},
		{"NaN", 0, true},
		{"2000000", 0, true},
	} {
		opt, err := parseArgs([]string{"--tls-memory", c.arg, "-r", "x"})
		switch {
		case c.err && err == nil:
			t.Errorf("--tls-memory %s: no error", c.arg)
		case !c.err && (err != nil || opt.tlsMemory != c.want):
			t.Errorf("--tls-memory %s: %v, %v; want %d bytes", c.arg, opt, err, c.want)
		}
	}
}
