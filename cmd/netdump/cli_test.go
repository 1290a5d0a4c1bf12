package main

import (
	"bytes"
	"os/exec"
	"strings"
	"testing"
)

// TestHelpAndVersion checks -h, --help and --version: to the standard
// output, exit 0, tcpdump's shape (the version first), and that -h wins
// over what follows it, as tcpdump stops at it.
func TestHelpAndVersion(t *testing.T) {
	for _, args := range [][]string{{"-h"}, {"--help"}, {"--he"}, {"-h", "-k"}, {"-nh"}} {
		var stdout, stderr bytes.Buffer
		if code := run(args, nil, &stdout, &stderr); code != 0 || stderr.Len() != 0 ||
			!strings.HasPrefix(stdout.String(), "netdump version ") || !strings.Contains(stdout.String(), "\nUsage: netdump [") {
			t.Errorf("%v: exit %d, stdout %q, stderr %q", args, code, stdout.String(), stderr.String())
		}
	}
	for _, args := range [][]string{{"--version"}, {"--vers"}} {
		var stdout, stderr bytes.Buffer
		code := run(args, nil, &stdout, &stderr)
		lines := strings.Split(strings.TrimSuffix(stdout.String(), "\n"), "\n")
		if code != 0 || stderr.Len() != 0 || len(lines) != 3 || !strings.HasPrefix(lines[0], "netdump version ") ||
			!strings.Contains(lines[1], "tcpdump version 4.99.3") {
			t.Errorf("%v: exit %d, stdout %q, stderr %q", args, code, stdout.String(), stderr.String())
		}
	}
}

// TestBadArgumentsAgainstTcpdump gives netdump and tcpdump the same bad
// command lines and requires tcpdump's first line of complaint (with
// netdump's name) and its exit status; where tcpdump follows it with the
// usage, so must netdump.
func TestBadArgumentsAgainstTcpdump(t *testing.T) {
	tcpdump := liveTestTcpdump(t)
	for _, args := range [][]string{
		{"-k"}, {"--bogus"}, {"--n"}, {"--print=3"}, {"--count=1"}, {"-c"}, {"-r"}, {"-w"}, {"-i"},
		{"--time-stamp-precision"},
		{"-c", "0"}, {"-c", "-5"}, {"-c", "0x10"}, {"-c", "abc"},
		{"-s", "300000"}, {"-s", "-1"}, {"-s", "12ab"}, {"-s", ""},
		{"-B", "0"}, {"-B", "abc"}, {"-B", "4194304"},
		{"-C", "0"}, {"-C", "1x"}, {"-C", "9999999999999999"}, {"-C", "99999999999999999999"},
		{"-W", "0"}, {"-G", "-1"},
		{"-Q", "foo"}, {"--direction=sideways"},
		{"--time-stamp-precision=pico"},
		{"-tttttt", "-r", "x"},
		{"-r", "/nonexistent/file.pcap"},
		{"-i", "nosuch0", "-c", "1"},
		{"-i", "0"}, {"-i", "999"},
	} {
		want := exec.Command(tcpdump, args...)
		var wantErr bytes.Buffer
		want.Stderr = &wantErr
		want.Run()
		var stdout, stderr bytes.Buffer
		code := run(args, nil, &stdout, &stderr)
		// getopt names the program as it was invoked.
		msg := strings.ReplaceAll(wantErr.String(), tcpdump+":", "tcpdump:")
		wantLines := strings.Split(strings.ReplaceAll(msg, "tcpdump", "netdump"), "\n")
		gotLines := strings.Split(stderr.String(), "\n")
		if code != want.ProcessState.ExitCode() || gotLines[0] != wantLines[0] {
			t.Errorf("%q: exit %d, %q\n  tcpdump: exit %d, %q", args, code, gotLines[0], want.ProcessState.ExitCode(), wantLines[0])
		}
		wantUsage := strings.Contains(wantErr.String(), "Usage: tcpdump")
		if gotUsage := strings.Contains(stderr.String(), "Usage: netdump"); gotUsage != wantUsage {
			t.Errorf("%q: usage printed %v, tcpdump %v", args, gotUsage, wantUsage)
		}
	}
}

// TestOptionParsing checks how arguments are read: C's atoi where tcpdump
// uses it, strtol for -s, prefixes of the time stamp precision, -n
// accepted, abbreviated long options.
func TestOptionParsing(t *testing.T) {
	o, err := parseArgs([]string{"-c", "10abc", "-s", "0x100", "-B", "8", "-nn", "--time-stamp-precision=nanoseconds",
		"-Q", "IN", "--imm", "-W", "3", "-G", "60", "-C", "2", "-U", "--print", "-w", "f", "-p", "--count"})
	if err != nil {
		t.Fatal(err)
	}
	if o.count != 10 || o.snaplen != 256 || o.bufferSize != 8192 || o.nameLevel != 2 || !o.nano ||
		o.direction.String() != "in" || !o.immediate || o.fileCount != 3 || o.rotateSecs != 60 ||
		o.rotateSize != 2000000 || !o.packetBuffer || !o.print || o.write != "f" || !o.noPromisc || !o.countOnly {
		t.Errorf("parsed %+v", o)
	}
	for in, want := range map[string]int{"12": 12, "  -7x": -7, "+3": 3, "x": 0, "99999999999": 1215752191, "9999999999999999999": -1, "-99999999999999999999": 0} {
		if got := atoi(in); got != want {
			t.Errorf("atoi(%q) = %d, want %d", in, got, want)
		}
	}
	if _, err := parseArgs([]string{"-Z", "nobody"}); err == nil || !strings.Contains(err.Error(), "not supported") {
		t.Errorf("-Z: %v", err)
	}
}
