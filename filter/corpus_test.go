package filter

import (
	"bufio"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"sort"
	"strings"
	"sync"
	"testing"

	"golang.org/x/net/bpf"

	"github.com/medina-net/medina/pcap"
)

var update = flag.Bool("update", false, "regenerate the cached tcpdump results in testdata")

// corpusPath is ../shared/corpus beside the checkout.
func corpusPath() string {
	_, file, _, _ := runtime.Caller(0)
	return filepath.Join(filepath.Dir(file), "..", "..", "shared", "corpus")
}

// corpusAvailable reports whether the corpus is there.
func corpusAvailable() bool {
	_, err := os.Stat(corpusPath())
	return err == nil
}

// corpusDir returns ../shared/corpus beside the checkout, or skips.
func corpusDir(t testing.TB) string {
	t.Helper()
	dir := corpusPath()
	if _, err := os.Stat(dir); err != nil {
		t.Skipf("../shared/corpus is absent (%v)", err)
	}
	return dir
}

// repoDir is the checkout's root.
func repoDir(t testing.TB) string {
	_, file, _, _ := runtime.Caller(0)
	return filepath.Join(filepath.Dir(file), "..")
}

// tcpdumpPath returns the installed tcpdump, or skips.
func tcpdumpPath(t testing.TB) string {
	t.Helper()
	p, err := exec.LookPath("tcpdump")
	if err != nil {
		t.Skip("tcpdump is not installed")
	}
	return p
}

// packet is one record of a capture, as netdump reads it.
type packet struct {
	data    []byte
	wirelen int
}

// capture is a capture file of the corpus and its packets.
type capture struct {
	name     string // relative to the corpus, or testdata/pcaps/...
	path     string
	linkType pcap.LinkType
	snaplen  uint32
	big      bool // byte order of the file, for DLT_NULL
	packets  []packet
}

var (
	capturesOnce sync.Once
	allCaptures  []*capture
)

// corpusCaptures returns every capture of the corpus that opens: tcpdump
// 4.99.3's test suite, the filter test captures and testdata/pcaps. The
// packets are those read before the end or the first error, as netdump and
// tcpdump read them.
func corpusCaptures(t testing.TB) []*capture {
	dir := corpusDir(t)
	capturesOnce.Do(func() {
		var paths []string
		for _, pat := range []string{
			filepath.Join(dir, "tcpdump-4.99.3-all", "*.pcap*"),
			filepath.Join(dir, "filters", "captures", "*"),
			filepath.Join(repoDir(t), "testdata", "pcaps", "*.pcap*"),
		} {
			m, _ := filepath.Glob(pat)
			paths = append(paths, m...)
		}
		for _, p := range paths {
			if strings.HasSuffix(p, ".out") {
				continue
			}
			c := readCapture(p)
			if c == nil {
				continue
			}
			if rel, err := filepath.Rel(dir, p); err == nil && !strings.HasPrefix(rel, "..") {
				c.name = rel
			} else {
				c.name = "testdata/pcaps/" + filepath.Base(p)
			}
			allCaptures = append(allCaptures, c)
		}
		sort.Slice(allCaptures, func(i, j int) bool { return allCaptures[i].name < allCaptures[j].name })
	})
	return allCaptures
}

func readCapture(path string) *capture {
	r, err := pcap.Open(path)
	if err != nil {
		return nil
	}
	defer r.Close()
	c := &capture{path: path, linkType: r.LinkType(), snaplen: r.Snaplen()}
	c.big = r.ByteOrder().String() == "BigEndian"
	for {
		p, err := r.Next()
		if err != nil {
			break
		}
		if p.LinkType != c.linkType {
			// libpcap reads a pcapng file's packets as of the first
			// interface's link type; such files are left out.
			return nil
		}
		c.packets = append(c.packets, packet{append([]byte(nil), p.Data...), p.Length})
	}
	return c
}

// capturesOf returns the captures of one link type.
func capturesOf(t testing.TB, lt pcap.LinkType) []*capture {
	var out []*capture
	for _, c := range corpusCaptures(t) {
		if c.linkType == lt {
			out = append(out, c)
		}
	}
	return out
}

// filterRow is a line of accept.tsv or reject.tsv.
type filterRow struct {
	linkType string
	expr     string
	tcpdump  string // "ok", "error: tcpdump: MESSAGE", or "" where not known
}

func readFilterRows(t testing.TB, name string) []filterRow {
	t.Helper()
	f, err := os.Open(filepath.Join(corpusDir(t), "filters", name))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var rows []filterRow
	sc := bufio.NewScanner(f)
	sc.Scan() // header
	for sc.Scan() {
		fs := strings.Split(sc.Text(), "\t")
		for len(fs) < 3 {
			fs = append(fs, "")
		}
		rows = append(rows, filterRow{fs[0], fs[1], fs[2]})
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return rows
}

// acceptedEN10MB returns the EN10MB expressions tcpdump 4.99.3 accepts.
func acceptedEN10MB(t testing.TB) []string {
	var out []string
	seen := map[string]bool{}
	for _, r := range readFilterRows(t, "accept.tsv") {
		if r.linkType == "EN10MB" && r.tcpdump == "ok" && !seen[r.expr] {
			seen[r.expr] = true
			out = append(out, r.expr)
		}
	}
	return out
}

// parseDD reads tcpdump -dd output.
func parseDD(out string) ([]bpf.RawInstruction, error) {
	var prog []bpf.RawInstruction
	for _, line := range strings.Split(strings.TrimSpace(out), "\n") {
		var in bpf.RawInstruction
		if _, err := fmt.Sscanf(line, "{ 0x%x, %d, %d, 0x%x },", &in.Op, &in.Jt, &in.Jf, &in.K); err != nil {
			return nil, fmt.Errorf("tcpdump -dd line %q: %v", line, err)
		}
		prog = append(prog, in)
	}
	return prog, nil
}

// tcpdumpProgram asks tcpdump for libpcap's program for expr, compiled for
// the capture file (or, with file "", for Ethernet without one).
func tcpdumpProgram(tcpdump, file, expr string, flags ...string) ([]bpf.RawInstruction, string, error) {
	args := append([]string{"-dd"}, flags...)
	if file != "" {
		args = append(args, "-r", file)
	}
	args = append(args, "--", expr)
	cmd := exec.Command(tcpdump, args...)
	var stdout, stderr strings.Builder
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		var ee *exec.ExitError
		if errors.As(err, &ee) {
			return nil, tcpdumpError(stderr.String()), nil
		}
		return nil, "", err
	}
	prog, err := parseDD(stdout.String())
	return prog, "", err
}

// tcpdumpError is the message on tcpdump's stderr, without "tcpdump: " and
// the warnings before it.
func tcpdumpError(stderr string) string {
	for _, line := range strings.Split(stderr, "\n") {
		if strings.HasPrefix(line, "tcpdump: ") {
			return strings.TrimPrefix(line, "tcpdump: ")
		}
	}
	return strings.TrimSpace(stderr)
}
