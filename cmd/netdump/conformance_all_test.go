package main

import (
	"bufio"
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// allBaselineFile lists the tests of tcpdump 4.99.3's whole suite (the
// corpus's tcpdump-4.99.3-all) that pass; -update rewrites it.
const allBaselineFile = "testdata/tcpdump-4.99.3-all-passing.txt"

// loadAllTCPDumpTests reads the TESTLIST of tcpdump-4.99.3-all: every test
// of tcpdump 4.99.3's own suite, with what Debian's tcpdump 4.99.3
// printed, run as the list's "# invocation" line says.
func loadAllTCPDumpTests(t *testing.T, dir string) []tcpdumpTest {
	t.Helper()
	list, err := os.ReadFile(filepath.Join(dir, "TESTLIST"))
	if err != nil {
		t.Fatal(err)
	}
	plain := bytes.Contains(list, []byte("\n# invocation: plain\n"))
	var tests []tcpdumpTest
	sc := bufio.NewScanner(bytes.NewReader(list))
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		if len(f) < 3 || strings.HasPrefix(f[0], "#") {
			continue
		}
		tests = append(tests, tcpdumpTest{name: f[0], input: f[1], output: f[2], args: f[3:], plain: plain})
	}
	return tests
}

// TestTCPDumpConformanceAll runs every test of tcpdump 4.99.3's suite
// against netdump (what check_tcpdump.sh -s tcpdump-4.99.3-all runs) and
// fails when a test that passed before, as recorded in its baseline,
// fails now. Most of the suite's protocols have no printer yet; the
// baseline only grows.
func TestTCPDumpConformanceAll(t *testing.T) {
	dir := filepath.Join(sharedCorpus(t), "tcpdump-4.99.3-all")
	if _, err := os.Stat(dir); err != nil {
		t.Skipf("%s is absent: %v", dir, err)
	}
	tests := loadAllTCPDumpTests(t, dir)
	baseline := map[string]bool{}
	if b, err := os.ReadFile(allBaselineFile); err == nil {
		for _, name := range strings.Fields(string(b)) {
			baseline[name] = true
		}
	}
	var passed []string
	for _, tt := range tests {
		why := runTCPDumpTest(t, dir, tt)
		switch {
		case why == "":
			passed = append(passed, tt.name)
			if !baseline[tt.name] && !*update {
				t.Logf("%s now passes; run with -update to add it to %s", tt.name, allBaselineFile)
			}
		case baseline[tt.name]:
			t.Errorf("%s: regression, it passed before: %s", tt.name, why)
		}
	}
	t.Logf("tcpdump 4.99.3's whole suite: %d of %d pass", len(passed), len(tests))
	if *update {
		if err := os.WriteFile(allBaselineFile, []byte(strings.Join(passed, "\n")+"\n"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}
