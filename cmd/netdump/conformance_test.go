package main

import (
	"bufio"
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// tcpdumpTest is one line of the corpus's TESTLIST-4.99.3: a capture, the
// options it is printed with, and what tcpdump 4.99.3 printed.
type tcpdumpTest struct {
	name, input, output string
	args                []string
	// plain says the test is run without -tttt, as the lists that say
	// "# invocation: plain" are.
	plain bool
}

// loadTCPDumpTests reads TESTLIST-4.99.3: every test of the set, the IPv6
// ones included since issue 11.
func loadTCPDumpTests(t *testing.T, dir string) []tcpdumpTest {
	t.Helper()
	list, err := os.ReadFile(filepath.Join(dir, "TESTLIST-4.99.3"))
	if err != nil {
		t.Fatal(err)
	}
	var tests []tcpdumpTest
	sc := bufio.NewScanner(bytes.NewReader(list))
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		if len(f) < 3 || strings.HasPrefix(f[0], "#") {
			continue
		}
		tests = append(tests, tcpdumpTest{name: f[0], input: f[1], output: f[2], args: f[3:]})
	}
	return tests
}

// invocation builds the command line the way tcpdump's TESTrun does:
// "-# -n -r INPUT", then -tttt unless the options say SPECIAL_t or the
// test is plain.
func (tt tcpdumpTest) invocation() []string {
	args := []string{"-#", "-n", "-r", tt.input}
	if tt.plain {
		return append(args, tt.args...)
	}
	if i := slices.Index(tt.args, "SPECIAL_t"); i >= 0 {
		return append(args, slices.Delete(slices.Clone(tt.args), i, i+1)...)
	}
	return append(append(args, "-tttt"), tt.args...)
}

// runTCPDumpTest runs netdump on one test and returns "" when it passes
// (same stdout, same exit status, and for status 0 nothing on stderr but
// the "reading from file" line), or why it failed.
func runTCPDumpTest(t *testing.T, dir string, tt tcpdumpTest) string {
	want, err := os.ReadFile(filepath.Join(dir, tt.output))
	if err != nil {
		return fmt.Sprintf("no expected output: %v", err)
	}
	wantRC := 0
	if rc, err := os.ReadFile(filepath.Join(dir, strings.TrimSuffix(tt.output, ".out")+".rc")); err == nil {
		fmt.Sscan(string(rc), &wantRC)
	}
	cmd := netdumpCommand(t, dir, "GMT0", tt.invocation()...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	cmd.Stdin = nil
	rc := 0
	if err := cmd.Run(); err != nil {
		ee, ok := err.(*exec.ExitError)
		if !ok {
			return err.Error()
		}
		rc = ee.ExitCode()
	}
	if !bytes.Equal(stdout.Bytes(), want) {
		return "stdout differs: " + firstDiff(want, stdout.Bytes())
	}
	if rc != wantRC {
		return fmt.Sprintf("exit status %d, want %d (stderr %q)", rc, wantRC, stderr.String())
	}
	if rc == 0 {
		for _, line := range strings.Split(strings.TrimSpace(stderr.String()), "\n") {
			if line != "" && !strings.HasPrefix(line, "reading from file ") {
				return "stderr: " + line
			}
		}
	}
	return ""
}

// firstDiff describes the first line where got differs from want.
func firstDiff(want, got []byte) string {
	wl := strings.Split(string(want), "\n")
	gl := strings.Split(string(got), "\n")
	for i := 0; i < len(wl) || i < len(gl); i++ {
		var w, g string
		if i < len(wl) {
			w = wl[i]
		}
		if i < len(gl) {
			g = gl[i]
		}
		if w != g {
			return fmt.Sprintf("line %d:\n\twant %q\n\tgot  %q", i+1, w, g)
		}
	}
	return "(same lines, different bytes)"
}

// baselineFile lists the tcpdump tests that pass; a test listed there that
// fails is a regression. -update rewrites it from the current results.
const baselineFile = "testdata/tcpdump-4.99.3-passing.txt"

// TestTCPDumpConformance runs tcpdump 4.99.3's own test suite against
// netdump and fails when a test that passed before, as
// recorded in the baseline, fails now.
func TestTCPDumpConformance(t *testing.T) {
	corpus := sharedCorpus(t)
	dir := filepath.Join(corpus, "tcpdump")
	tests := loadTCPDumpTests(t, dir)

	baseline := map[string]bool{}
	if b, err := os.ReadFile(baselineFile); err == nil {
		for _, name := range strings.Fields(string(b)) {
			baseline[name] = true
		}
	}

	var passed []string
	var failed []string
	for _, tt := range tests {
		why := runTCPDumpTest(t, dir, tt)
		if why == "" {
			passed = append(passed, tt.name)
			continue
		}
		failed = append(failed, tt.name)
		if baseline[tt.name] {
			t.Errorf("%s: regression, it passed before: %s", tt.name, why)
		} else if testing.Verbose() {
			t.Logf("%s: fails (known): %s", tt.name, why)
		}
	}
	t.Logf("tcpdump 4.99.3 suite: %d of %d pass", len(passed), len(tests))
	if len(failed) > 0 {
		t.Logf("failing: %s", strings.Join(failed, " "))
	}
	for _, name := range passed {
		if !baseline[name] && !*update {
			t.Logf("%s now passes; run with -update to add it to %s", name, baselineFile)
		}
	}
	if *update {
		if err := os.WriteFile(baselineFile, []byte(strings.Join(passed, "\n")+"\n"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}
