package main

import (
	"bytes"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// goldenFlagSets are the ways each capture in testdata/pcaps is printed
// for its golden files: NAME.out holds the plain output and NAME.SUFFIX.out
// the others.
var goldenFlagSets = []struct {
	suffix string
	args   []string
}{
	{"", nil},
	{"v", []string{"-v"}},
	{"eX", []string{"-e", "-X"}},
}

// projectCaptures lists the captures the project records itself.
func projectCaptures(t *testing.T) []string {
	t.Helper()
	dir := filepath.Join(repoRoot(t), "testdata", "pcaps")
	var files []string
	for _, pat := range []string{"*.pcap", "*.pcapng"} {
		m, err := filepath.Glob(filepath.Join(dir, pat))
		if err != nil {
			t.Fatal(err)
		}
		files = append(files, m...)
	}
	if len(files) == 0 {
		t.Fatalf("no captures in %s", dir)
	}
	return files
}

func goldenName(capture, suffix string) string {
	base := strings.TrimSuffix(strings.TrimSuffix(capture, ".pcapng"), ".pcap")
	if suffix == "" {
		return base + ".out"
	}
	return base + "." + suffix + ".out"
}

// TestGolden prints every project capture with each flag set and compares
// with the golden files; -update rewrites them.
func TestGolden(t *testing.T) {
	for _, capture := range projectCaptures(t) {
		for _, fs := range goldenFlagSets {
			name := filepath.Base(goldenName(capture, fs.suffix))
			t.Run(name, func(t *testing.T) {
				args := append([]string{"-n", "-r", capture}, fs.args...)
				cmd := netdumpCommand(t, ".", "UTC", args...)
				var stderr bytes.Buffer
				cmd.Stderr = &stderr
				got, err := cmd.Output()
				if err != nil {
					t.Fatalf("netdump %v: %v\n%s", args, err, stderr.String())
				}
				golden := goldenName(capture, fs.suffix)
				if *update {
					if err := os.WriteFile(golden, got, 0o644); err != nil {
						t.Fatal(err)
					}
					return
				}
				want, err := os.ReadFile(golden)
				if err != nil {
					t.Fatalf("%v (run go test -update to create it)", err)
				}
				if !bytes.Equal(got, want) {
					t.Errorf("output differs from %s: %s", golden, firstDiff(want, got))
				}
			})
		}
	}
}

// differentialFlagSets are compared with the installed tcpdump.
var differentialFlagSets = [][]string{
	{"-n"}, {"-nv"}, {"-nvv"}, {"-ne"}, {"-nq"}, {"-nS"}, {"-nx"}, {"-nXX"},
	{"-nA"}, {"-ntt"}, {"-nttt"}, {"-ntttt", "--nano"}, {"-n#", "-c", "5"},
}

// TestDifferentialTCPDump runs the installed tcpdump and netdump on every
// project capture with several flag sets and requires identical output.
// It skips when tcpdump is not installed or is not version 4.99.3, whose
// output netdump follows.
func TestDifferentialTCPDump(t *testing.T) {
	tcpdump := tcpdump4993(t)
	for _, capture := range projectCaptures(t) {
		differential(t, tcpdump, capture)
	}
}

// corpusIPv6Captures are captures of the shared corpus that carry IPv6
// (extension headers of every kind, jumbograms, fragments, mobility,
// DCCP, DHCPv6, ICMPv6, the link types of IPv6, and malformed and
// truncated headers) and that netdump prints as tcpdump 4.99.3 does with
// every flag set: a choice among the 102 of the corpus's 103 IPv6
// captures that it does, so that the test stays short (kday3.pcap, the
// one left, wants an RPKI-RTR printer).
var corpusIPv6Captures = []string{
	"filters/captures/AH-IPcomp-IPv6.pcap",
	"tcpdump-4.99.3-all/cve2015-0261-crash.pcap",
	"tcpdump-4.99.3-all/cve2015-0261-ipv6.pcap",
	"tcpdump-4.99.3-all/dccp_partial_csum_v6_longer.pcap",
	"tcpdump-4.99.3-all/dccp_partial_csum_v6_simple.pcap",
	"tcpdump-4.99.3-all/dhcpv6-ia-na.pcap",
	"tcpdump-4.99.3-all/hoobr_rt6_print.pcap",
	"tcpdump-4.99.3-all/ip6_frag_asan.pcap",
	"tcpdump-4.99.3-all/icmpv6.pcap",
	"tcpdump-4.99.3-all/ipv6-bad-version.pcap",
	"tcpdump-4.99.3-all/ipv6-mobility-header-oobr.pcap",
	"tcpdump-4.99.3-all/ipv6-next-header-oobr-1.pcap",
	"tcpdump-4.99.3-all/ipv6-routing-header.pcap",
	"tcpdump-4.99.3-all/ipv6-rthdr-oobr.pcap",
	"tcpdump-4.99.3-all/ipv6-srh-ext-header.pcap",
	"tcpdump-4.99.3-all/ipv6-srh-insert-cksum.pcap",
	"tcpdump-4.99.3-all/ipv6-srh-ipproto-ether.pcap",
	"tcpdump-4.99.3-all/ipv6-too-long-jumbo.pcap",
	"tcpdump-4.99.3-all/ipv6hdr-heapoverflow.pcap",
	"tcpdump-4.99.3-all/mobility_opt_asan.pcap",
	"tcpdump-4.99.3-all/mobility_opt_asan_4.pcap",
	"tcpdump/LINKTYPE_IPV6.pcap",
	"tcpdump/LINKTYPE_RAW_ipv6.pcap",
	"tcpdump/bigtcp-ipv6-hbh.pcap",
	"tcpdump/gso-ipv6.pcap",
	"tcpdump/ipv6_frag6_negative_len.pcap",
	"tcpdump/ipv6_invalid_length_2.pcap",
	"tcpdump/ipv6_jumbogram_1.pcap",
	"tcpdump/ipv6_jumbogram_invalid_length.pcap",
	"tcpdump/ipv6_missing_jumbo_payload_option.pcap",
	"tcpdump/ipv6_no_next_header.pcap",
}

// TestDifferentialTCPDumpIPv6 is TestDifferentialTCPDump over the
// corpus's IPv6 captures of corpusIPv6Captures.
func TestDifferentialTCPDumpIPv6(t *testing.T) {
	tcpdump := tcpdump4993(t)
	dir := sharedCorpus(t)
	for _, capture := range corpusIPv6Captures {
		differential(t, tcpdump, filepath.Join(dir, capture))
	}
}

// differential compares netdump with tcpdump on capture with each of
// differentialFlagSets.
func differential(t *testing.T, tcpdump, capture string) {
	t.Helper()
	for _, flags := range differentialFlagSets {
		args := append(append([]string{}, flags...), "-r", capture)
		t.Run(filepath.Base(capture)+strings.Join(flags, ""), func(t *testing.T) {
			want := exec.Command(tcpdump, args...)
			want.Env = append(os.Environ(), "TZ=UTC")
			wantOut, wantErr := want.Output()
			got, err := netdumpCommand(t, ".", "UTC", args...).Output()
			if !bytes.Equal(got, wantOut) {
				t.Errorf("netdump and tcpdump differ on %v: %s", args, firstDiff(wantOut, got))
			}
			// Both fail alike on a capture cut short inside a packet.
			if exitCode(err) != exitCode(wantErr) {
				t.Errorf("netdump %v: %v; tcpdump: %v", args, err, wantErr)
			}
		})
	}
}

// exitCode returns the exit status of a finished command from its error.
func exitCode(err error) int {
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		return ee.ExitCode()
	}
	if err != nil {
		return -1
	}
	return 0
}

// tcpdump4993 returns the path of the installed tcpdump, skipping t with
// the reason unless there is one and it is version 4.99.3, whose output
// netdump follows.
func tcpdump4993(t testing.TB) string {
	t.Helper()
	tcpdump, err := exec.LookPath("tcpdump")
	if err != nil {
		t.Skipf("tcpdump is not installed (%v): netdump cannot be compared with it", err)
	}
	ver, _ := exec.Command(tcpdump, "--version").CombinedOutput()
	if !bytes.Contains(ver, []byte("tcpdump version 4.99.3")) {
		t.Skipf("the installed tcpdump is not 4.99.3 (%q): netdump follows 4.99.3's output", strings.SplitN(string(ver), "\n", 2)[0])
	}
	return tcpdump
}
