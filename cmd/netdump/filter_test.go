package main

import (
	"bufio"
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/medina-net/medina/filter"
	"github.com/medina-net/medina/pcap"
)

// TestFilterOutput prints every Ethernet capture of the corpus with every
// Ethernet expression tcpdump 4.99.3 accepts (accept.tsv), as
// "netdump -nn -tt -r CAPTURE EXPRESSION", and compares the output with
// tcpdump's. An expression's output depends only on the packets it keeps,
// so each capture is printed once per set of packets some expression
// keeps. tcpdump's outputs are cached (their SHA-256) in testdata, made
// with -update where tcpdump is installed.
//
// Filtering is checked packet by packet for every capture in the filter
// package; here the check is on the printed output, which only means
// something where netdump prints the capture as tcpdump does without a
// filter: the captures where it does not are counted, not failed.
func TestFilterOutput(t *testing.T) {
	corpus := sharedCorpus(t)
	exprs := acceptedEthernetExprs(t, corpus)
	caps := ethernetCaptures(t, corpus)
	const cacheFile = "testdata/filter-outputs.txt"
	if *update {
		writeFilterOutputs(t, cacheFile, caps, exprs)
	}
	want, err := readFilterOutputs(cacheFile)
	if err != nil {
		t.Fatalf("%v (make it with -update where tcpdump is installed)", err)
	}
	var printerDiffers []string
	checked, sets := 0, 0
	for _, c := range caps {
		key := c.rel + "\tall"
		if got := netdumpOutput(c.path, ""); got != want[key] {
			if want[key] == "" {
				t.Errorf("%s: not in %s; run with -update", c.rel, cacheFile)
				continue
			}
			printerDiffers = append(printerDiffers, c.rel)
			continue
		}
		for set, expr := range c.sets(t, exprs) {
			k := c.rel + "\t" + set
			w, ok := want[k]
			if !ok {
				t.Errorf("%s %q: not in %s; run with -update", c.rel, expr, cacheFile)
				continue
			}
			sets++
			if got := netdumpOutput(c.path, expr); got != w {
				t.Errorf("%s %q: netdump prints something other than tcpdump", c.rel, expr)
			}
		}
		checked++
	}
	t.Logf("%d Ethernet captures x %d expressions: output as tcpdump's on the %d captures netdump prints as tcpdump does (%d sets of kept packets); %d captures print differently even unfiltered",
		len(caps), len(exprs), checked, sets, len(printerDiffers))
	if testing.Verbose() {
		t.Logf("printed differently unfiltered: %s", strings.Join(printerDiffers, " "))
	}
}

// filterCapture is a capture of the test and its packets.
type filterCapture struct {
	rel, path string
	packets   []*pcap.Packet
}

func ethernetCaptures(t *testing.T, corpus string) []*filterCapture {
	var paths []string
	for _, pat := range []string{
		filepath.Join(corpus, "tcpdump-4.99.3-all", "*.pcap*"),
		filepath.Join(corpus, "filters", "captures", "*"),
		filepath.Join(repoRoot(t), "testdata", "pcaps", "*.pcap*"),
	} {
		m, _ := filepath.Glob(pat)
		paths = append(paths, m...)
	}
	var caps []*filterCapture
	for _, p := range paths {
		r, err := pcap.Open(p)
		if err != nil {
			continue
		}
		if r.LinkType() != pcap.LinkTypeEthernet {
			r.Close()
			continue
		}
		c := &filterCapture{rel: strings.TrimPrefix(strings.TrimPrefix(p, corpus+"/"), repoRoot(t)+"/"), path: p}
		for {
			pkt, err := r.Next()
			if err != nil {
				break
			}
			cp := *pkt
			cp.Data = append([]byte(nil), pkt.Data...)
			c.packets = append(c.packets, &cp)
		}
		r.Close()
		caps = append(caps, c)
	}
	sort.Slice(caps, func(i, j int) bool { return caps[i].rel < caps[j].rel })
	return caps
}

// sets returns, for each set of packets some expression keeps, a name for
// the set and the first expression that keeps it.
func (c *filterCapture) sets(t *testing.T, exprs []string) map[string]string {
	out := map[string]string{}
	for _, e := range exprs {
		f, err := filter.Compile(e, pcap.LinkTypeEthernet, 0)
		if err != nil {
			t.Fatalf("%q: %v", e, err)
		}
		var b strings.Builder
		for i, p := range c.packets {
			if f.Match(p.Data, p.Length) {
				fmt.Fprintf(&b, "%d,", i+1)
			}
		}
		set := b.String()
		if set == "" {
			set = "none"
		}
		if _, ok := out[set]; !ok {
			out[set] = e
		}
	}
	return out
}

// netdumpOutput runs netdump in this process and returns the SHA-256 of
// what it writes and its status.
func netdumpOutput(path, expr string) string {
	var stdout, stderr bytes.Buffer
	args := []string{"-nn", "-tt", "-r", path}
	if expr != "" {
		args = append(args, expr)
	}
	status := run(args, nil, &stdout, &stderr)
	return outputDigest(stdout.Bytes(), status)
}

func outputDigest(out []byte, status int) string {
	h := sha256.Sum256(out)
	return fmt.Sprintf("%d %s", status, hex.EncodeToString(h[:12]))
}

// writeFilterOutputs runs tcpdump on every capture, unfiltered and with an
// expression for each set of kept packets.
func writeFilterOutputs(t *testing.T, file string, caps []*filterCapture, exprs []string) {
	tcpdump, err := exec.LookPath("tcpdump")
	if err != nil {
		t.Skip("tcpdump is not installed")
	}
	run := func(path, expr string) string {
		args := []string{"-nn", "-tt", "-r", path}
		if expr != "" {
			args = append(args, "--", expr)
		}
		cmd := exec.Command(tcpdump, args...)
		var stdout bytes.Buffer
		cmd.Stdout = &stdout
		status := 0
		if err := cmd.Run(); err != nil {
			ee, ok := err.(*exec.ExitError)
			if !ok {
				t.Fatal(err)
			}
			status = ee.ExitCode()
		}
		return outputDigest(stdout.Bytes(), status)
	}
	var b strings.Builder
	b.WriteString("# What tcpdump 4.99.3 prints (exit status, SHA-256 of stdout) for\n")
	b.WriteString("# tcpdump -nn -tt -r CAPTURE [EXPRESSION], for each set of packets an\n")
	b.WriteString("# accepted Ethernet expression keeps; made by TestFilterOutput -update.\n")
	for _, c := range caps {
		fmt.Fprintf(&b, "%s\tall\t%s\n", c.rel, run(c.path, ""))
		sets := c.sets(t, exprs)
		keys := make([]string, 0, len(sets))
		for k := range sets {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, set := range keys {
			fmt.Fprintf(&b, "%s\t%s\t%s\n", c.rel, set, run(c.path, sets[set]))
		}
	}
	if err := os.WriteFile(file, []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
}

func readFilterOutputs(file string) (map[string]string, error) {
	f, err := os.Open(file)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	out := map[string]string{}
	sc := bufio.NewScanner(f)
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		line := sc.Text()
		if line == "" || line[0] == '#' {
			continue
		}
		fs := strings.Split(line, "\t")
		if len(fs) != 3 {
			return nil, fmt.Errorf("%s: bad line %q", file, line)
		}
		out[fs[0]+"\t"+fs[1]] = fs[2]
	}
	return out, sc.Err()
}

// acceptedEthernetExprs are the EN10MB expressions of accept.tsv that
// tcpdump 4.99.3 accepts.
func acceptedEthernetExprs(t *testing.T, corpus string) []string {
	b, err := os.ReadFile(filepath.Join(corpus, "filters", "accept.tsv"))
	if err != nil {
		t.Fatal(err)
	}
	var exprs []string
	seen := map[string]bool{}
	for _, line := range strings.Split(string(b), "\n")[1:] {
		fs := strings.Split(line, "\t")
		if len(fs) == 3 && fs[0] == "EN10MB" && fs[2] == "ok" && !seen[fs[1]] {
			seen[fs[1]] = true
			exprs = append(exprs, fs[1])
		}
	}
	return exprs
}

// TestFilterFlags checks the command line: the expression from several
// arguments or one, -F with comments, -d/-dd/-ddd with and without -r, -c
// and -# counting kept packets, and errors.
func TestFilterFlags(t *testing.T) {
	capture := filepath.Join(repoRoot(t), "testdata", "pcaps", "tcp-session.pcap")
	dir := t.TempDir()
	ff := filepath.Join(dir, "filter")
	os.WriteFile(ff, []byte("tcp # comment: and udp\nand tcp[tcpflags] & tcp-push != 0\n"), 0o644)
	for _, tc := range []struct {
		args   []string
		status int
		out    string // a line stdout must have ("" none)
		err    string // a line stderr must have
	}{
		{[]string{"-d", "ip"}, 0, "(001) jeq      #0x800           jt 2\tjf 3", "Warning: assuming Ethernet"},
		{[]string{"-dd", "ip"}, 0, "{ 0x15, 0, 1, 0x00000800 },", ""},
		{[]string{"-ddd", "ip"}, 0, "21 0 1 2048", ""},
		{[]string{"-d", "-r", capture, "tcp"}, 0, "", "reading from file " + capture},
		{[]string{"-d"}, 0, "(000) ret      #262144", ""},
		{[]string{"-d", "-O", "1 = 2"}, 0, "(000) ld       #0x1", ""},
		{[]string{"-d", "1 = 2"}, 1, "", "netdump: expression rejects all packets"},
		{[]string{"-r", capture, "tcp", "port", "70000"}, 1, "", "netdump: illegal port number 70000 > 65535"},
		{[]string{"-r", capture, "host example.org"}, 1, "", "netdump: unknown host 'example.org' (names are not resolved: give an address)"},
		{[]string{"-F", filepath.Join(dir, "none"), "-r", capture}, 1, "", "netdump: can't open " + filepath.Join(dir, "none") + ": No such file or directory"},
		{[]string{"-nn", "-#", "-c", "1", "-F", ff, "-r", capture}, 0, "    1  ", ""},
	} {
		var stdout, stderr bytes.Buffer
		status := run(tc.args, nil, &stdout, &stderr)
		if status != tc.status {
			t.Errorf("%q: status %d, want %d (stderr %q)", tc.args, status, tc.status, stderr.String())
		}
		if tc.out != "" && !containsLine(stdout.String(), tc.out) {
			t.Errorf("%q: stdout %q lacks %q", tc.args, stdout.String(), tc.out)
		}
		if tc.err != "" && !containsLine(stderr.String(), tc.err) {
			t.Errorf("%q: stderr %q lacks %q", tc.args, stderr.String(), tc.err)
		}
	}
	// One packet kept, numbered 1 and counted by -c: the same lines as
	// -c 1 of the packets with PSH, numbered as tcpdump numbers them.
	var all, one bytes.Buffer
	run([]string{"-nn", "-#", "-r", capture, "tcp[tcpflags] & tcp-push != 0"}, nil, &all, &bytes.Buffer{})
	run([]string{"-nn", "-#", "-c", "1", "-r", capture, "tcp[tcpflags]", "&", "tcp-push", "!=", "0"}, nil, &one, &bytes.Buffer{})
	if first, _, _ := strings.Cut(all.String(), "\n"); one.String() != first+"\n" {
		t.Errorf("-c 1 -#: %q, want the first line of %q", one.String(), all.String())
	}
}

func containsLine(s, prefix string) bool {
	for _, line := range strings.Split(s, "\n") {
		if strings.HasPrefix(line, prefix) {
			return true
		}
	}
	return false
}
