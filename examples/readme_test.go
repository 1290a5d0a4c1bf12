package examples

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/medina-net/medina/internal/netns"
)

// readmeBlock returns the first shell block of the README after the line
// that starts with intro.
func readmeBlock(t *testing.T, readme []byte, intro string) string {
	t.Helper()
	i := bytes.Index(readme, []byte("\n"+intro))
	if i < 0 {
		t.Fatalf("README: no paragraph starting %q", intro)
	}
	rest := string(readme[i:])
	start := strings.Index(rest, "```sh\n")
	if start < 0 {
		t.Fatalf("README: no shell block after %q", intro)
	}
	rest = rest[start+len("```sh\n"):]
	end := strings.Index(rest, "```")
	if end < 0 {
		t.Fatalf("README: the shell block after %q does not end", intro)
	}
	return rest[:end]
}

// runPasted runs a README block at the repository's root with bash, as
// a user pasting it runs it line by line (a failing line does not stop
// the rest), and returns what it printed.
func runPasted(t *testing.T, root, block string) string {
	t.Helper()
	cmd := exec.Command("bash", "-c", block)
	cmd.Dir = root
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Logf("the block's last command failed: %v", err)
	}
	return string(out)
}

// demoOutputs are the files the README's demos leave at the root; the
// test removes them after, and does not run when one is there already,
// a user's.
var demoOutputs = []string{"udpecho", "echo.pcapng", "httpsd", "https.pcapng", "httpsd.pem", "appliance", "appliance.pem"}

// TestREADMEDemos runs the README's udpecho, httpsd and appliance demos
// (the last where dnsmasq and tcpdump are installed) as pasted,
// twice in a row each: the server starts on a TAP, examples/netns.sh
// moves the TAP into a namespace once it exists, the namespace's ping,
// socat and curl reach the stack, the server stops and the namespace
// goes; the recording reads back, the TLS decrypted. It needs root,
// /dev/net/tun, ip, ping, socat and curl, and skips without them.
func TestREADMEDemos(t *testing.T) {
	netns.Available(t)
	netns.NeedTools(t, "bash", "ping", "socat", "curl")
	root, err := filepath.Abs("..")
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range demoOutputs {
		if _, err := os.Stat(filepath.Join(root, f)); err == nil {
			t.Skipf("%s exists at the repository's root: not overwriting a user's file", f)
		}
	}
	t.Cleanup(func() {
		for _, f := range demoOutputs {
			os.Remove(filepath.Join(root, f))
		}
		exec.Command("ip", "netns", "delete", "demo").Run()
	})
	readme, err := os.ReadFile(filepath.Join(root, "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	udp := readmeBlock(t, readme, "`examples/udpecho` is a UDP echo server")
	https := readmeBlock(t, readme, "As root (`sudo -s`), with curl installed:")
	read := readmeBlock(t, readme, "`kill` (or Ctrl-C in the foreground) shuts it down gracefully")
	// The appliance's demo needs dnsmasq and tcpdump too.
	appliance := readmeBlock(t, readme, "`examples/appliance` puts it together")
	for _, tool := range []string{"dnsmasq", "tcpdump"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Logf("no %s: the appliance demo is not run", tool)
			appliance = ""
		}
	}
	for run := 1; run <= 2; run++ {
		out := runPasted(t, root, udp)
		for _, want := range []string{"3 packets transmitted, 3 received", "\nhello\n", "UDP, length 6"} {
			if !strings.Contains(out, want) {
				t.Errorf("udpecho demo, run %d: no %q in its output:\n%s", run, want, out)
			}
		}
		out = runPasted(t, root, https)
		for _, want := range []string{"<h1>Hello from medina</h1>", "\nhello"} {
			if !strings.Contains(out, want) {
				t.Errorf("httpsd demo, run %d: no %q in its output:\n%s", run, want, out)
			}
		}
		// The recording, read back (tshark may be missing: its line
		// fails and netdump's runs).
		out = runPasted(t, root, read)
		if !strings.Contains(out, "GET /bytes?n=5000000") {
			t.Errorf("reading the httpsd demo's recording, run %d: the decrypted request is not in the output:\n%s", run, out)
		}
		if appliance != "" {
			out = runPasted(t, root, appliance)
			for _, want := range []string{
				"leased 10.77.0.2/24 from 10.77.0.1",
				"<p>db resolved to [10.77.0.1].</p>",
				"ESTAB", "medina_ip_in_receives_total",
				"IP 10.77.0.2 > 10.77.0.1: ICMP echo reply",
				"lease given back",
			} {
				if !strings.Contains(out, want) {
					t.Errorf("appliance demo, run %d: no %q in its output:\n%s", run, want, out)
				}
			}
		}
		if exec.Command("ip", "netns", "pids", "demo").Run() == nil {
			t.Errorf("run %d: namespace demo still there after the demos", run)
		}
	}
}
