package main

import (
	"flag"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"testing"
)

var update = flag.Bool("update", false, "rewrite golden files and baselines from the current output")

// The test binary doubles as netdump: run with NETDUMP_AS_MAIN=1 it is the
// command itself, so tests exercise the real flag parsing, exit status and
// output streams without building a separate binary. With
// NETDUMP_HEAP_REPORT=FILE it also writes to FILE the largest live heap
// it saw at the end of a collection (see heapReporter).
func TestMain(m *testing.M) {
	if os.Getenv("NETDUMP_AS_MAIN") == "1" {
		stop := startHeapReporter(os.Getenv("NETDUMP_HEAP_REPORT"))
		status := run(os.Args[1:], os.Stdin, os.Stdout, os.Stderr)
		stop()
		os.Exit(status)
	}
	os.Exit(m.Run())
}

// netdumpCommand returns a command that runs netdump with args in dir,
// with TZ set as given.
func netdumpCommand(t testing.TB, dir, tz string, args ...string) *exec.Cmd {
	t.Helper()
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(exe, args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "NETDUMP_AS_MAIN=1", "TZ="+tz)
	return cmd
}

// repoRoot is the directory holding go.mod.
func repoRoot(t testing.TB) string {
	t.Helper()
	_, file, _, ok := runtime.Caller(0)
	if !ok {
		t.Fatal("cannot locate the test source")
	}
	return filepath.Join(filepath.Dir(file), "..", "..")
}

// sharedCorpus returns ../shared/corpus beside the checkout, skipping the
// test when it is absent.
func sharedCorpus(t testing.TB) string {
	t.Helper()
	dir := filepath.Join(repoRoot(t), "..", "shared", "corpus")
	if _, err := os.Stat(dir); err != nil {
		t.Skipf("../shared/corpus is absent (%v); skipping the corpus test", err)
	}
	return dir
}
