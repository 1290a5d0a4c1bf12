package pktscript

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// RunFunc runs one parsed script for Files, returning its transcript
// (logged when the script fails), what -record writes (the script with the
// packets no line matched written in; nil without -record) and the
// failure.
type RunFunc[P any] func(t *testing.T, file string, lines []*Line[P]) (transcript, recorded []string, err error)

// Files runs every script that pattern matches, each as a parallel
// subtest of t named after its file: it parses the script, skips it if it
// has a skip directive (unless noskip), and runs it. A pattern that
// matches nothing fails t: a harness with no scripts proves nothing.
func Files[P any](t *testing.T, pattern string, lang Language[P], noskip bool, run RunFunc[P]) {
	files, err := filepath.Glob(pattern)
	if err != nil || len(files) == 0 {
		t.Fatalf("no scripts match %s: %v", pattern, err)
	}
	for _, file := range files {
		t.Run(strings.TrimSuffix(filepath.Base(file), filepath.Ext(file)), func(t *testing.T) {
			t.Parallel()
			src, err := os.ReadFile(file)
			if err != nil {
				t.Fatal(err)
			}
			lines, err := Parse(string(src), lang)
			if err != nil {
				t.Fatalf("%s: %v", file, err)
			}
			for _, l := range lines {
				if l.Cmd == "skip" && !noskip {
					t.Skip(strings.Join(l.Args, " "))
				}
			}
			transcript, recorded, err := run(t, file, lines)
			if err != nil {
				t.Logf("transcript of %s:\n%s", file, strings.Join(transcript, "\n"))
			}
			if recorded != nil {
				t.Logf("recorded:\n%s", strings.Join(recorded, "\n"))
			}
			if err != nil {
				t.Fatal(err)
			}
		})
	}
}
