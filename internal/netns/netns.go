// Package netns sets up network namespaces for tests that talk to the
// Linux kernel's own network stack: a fresh namespace per test, a TAP or
// TUN interface moved into it, and commands (ping, ip, nc) run inside it.
//
// A namespace made here is isolated from the machine's network: addresses
// in it reach nothing outside, so a test may send what it likes. The
// kernel's side of a TAP is given an address from TEST-NET-1
// (192.0.2.0/24), which no real network uses.
//
// Everything needs root, /dev/net/tun and ip(8); Available skips the test
// with the reason when one is missing, and NeedTools does the same for the
// commands a test runs (ping, socat, tcpdump). Everything made is removed
// by t.Cleanup, even when the test fails.
package netns

import (
	"bytes"
	"fmt"
	"io"
	"net/netip"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/medina-net/medina/ethernet"
	"github.com/medina-net/medina/link/tap"
	"github.com/medina-net/medina/link/tun"
)

// Addresses on the link between a TAP's kernel side and the stack.
var (
	// KernelPrefix is the address and prefix NewTAP gives the kernel's
	// side of the TAP, inside the namespace.
	KernelPrefix = netip.MustParsePrefix("192.0.2.1/24")
	// KernelAddr is KernelPrefix's address.
	KernelAddr = KernelPrefix.Addr()
	// StackAddr is the address a test gives the stack on the TAP.
	StackAddr = netip.MustParseAddr("192.0.2.2")
)

// Available skips t unless the tests of this package can run: as root,
// with /dev/net/tun and ip(8).
func Available(t testing.TB) {
	t.Helper()
	if reason := unavailable(); reason != "" {
		t.Skip("netns: " + reason)
	}
}

// NeedTools skips t with the reason unless every command named is in
// PATH. A machine without ping or tcpdump cannot run a test that needs
// them, which is no failure of the code under test; "ip netns exec" finds
// commands through the same PATH.
func NeedTools(t testing.TB, tools ...string) {
	t.Helper()
	for _, tool := range tools {
		if _, err := exec.LookPath(tool); err != nil {
			t.Skipf("netns: %s is not installed: %v", tool, err)
		}
	}
}

func unavailable() string {
	if os.Geteuid() != 0 {
		return "needs root to create network namespaces and TAP devices"
	}
	if _, err := os.Stat("/dev/net/tun"); err != nil {
		return "no /dev/net/tun: " + err.Error()
	}
	if _, err := exec.LookPath("ip"); err != nil {
		return "no ip(8) (iproute2) in PATH"
	}
	return ""
}

// Namespace is a named network namespace, as "ip netns add" makes.
type Namespace struct {
	// Name is the namespace's name, for "ip netns exec NAME" and
	// "ip -n NAME".
	Name string
}

// namePrefix starts the names of the namespaces this package makes;
// the process ID that follows lets a later run remove what a killed run
// left behind.
const namePrefix = "medina-"

var (
	serial    atomic.Uint64
	sweepOnce sync.Once
)

// NewNamespace makes a fresh network namespace, with its loopback up and
// IPv6 off, so that the kernel sends nothing on its own (no router
// solicitations, no MLD reports) over the links a test moves in. It is
// deleted by t.Cleanup. NewNamespace skips t as Available does.
func NewNamespace(t testing.TB) *Namespace {
	t.Helper()
	Available(t)
	sweepOnce.Do(sweep)
	ns := &Namespace{Name: fmt.Sprintf("%s%d-%d", namePrefix, os.Getpid(), serial.Add(1))}
	if out, err := exec.Command("ip", "netns", "add", ns.Name).CombinedOutput(); err != nil {
		t.Fatalf("ip netns add %s: %v: %s", ns.Name, err, out)
	}
	t.Cleanup(func() {
		if out, err := exec.Command("ip", "netns", "del", ns.Name).CombinedOutput(); err != nil {
			t.Errorf("ip netns del %s: %v: %s", ns.Name, err, out)
		}
	})
	ns.Run(t, "sh", "-c", `[ -d /proc/sys/net/ipv6 ] || exit 0
		echo 1 > /proc/sys/net/ipv6/conf/all/disable_ipv6 &&
		echo 1 > /proc/sys/net/ipv6/conf/default/disable_ipv6`)
	ns.IP(t, "link", "set", "lo", "up")
	return ns
}

// sweep deletes the namespaces of runs that are no longer running.
func sweep() {
	out, err := exec.Command("ip", "netns", "list").Output()
	if err != nil {
		return
	}
	for _, line := range strings.Split(string(out), "\n") {
		name, _, _ := strings.Cut(line, " ")
		rest, ok := strings.CutPrefix(name, namePrefix)
		if !ok {
			continue
		}
		pid, _, _ := strings.Cut(rest, "-")
		p, err := strconv.Atoi(pid)
		if err != nil || p == os.Getpid() {
			continue
		}
		if _, err := os.Stat("/proc/" + pid); err == nil {
			continue // still running
		}
		exec.Command("ip", "netns", "del", name).Run()
	}
}

// RunIn runs a command inside ns and returns its combined output.
func RunIn(ns *Namespace, cmd ...string) ([]byte, error) {
	args := append([]string{"netns", "exec", ns.Name}, cmd...)
	out, err := exec.Command("ip", args...).CombinedOutput()
	if err != nil {
		err = fmt.Errorf("in %s: %s: %w: %s", ns.Name, strings.Join(cmd, " "), err, bytes.TrimSpace(out))
	}
	return out, err
}

// Command returns an *exec.Cmd that runs inside ns, for a command a test
// starts and waits for itself (a ping running while the test answers it).
func (ns *Namespace) Command(cmd ...string) *exec.Cmd {
	return exec.Command("ip", append([]string{"netns", "exec", ns.Name}, cmd...)...)
}

// Run runs a command inside ns and returns its output, failing t if the
// command fails.
func (ns *Namespace) Run(t testing.TB, cmd ...string) string {
	t.Helper()
	out, err := RunIn(ns, cmd...)
	if err != nil {
		t.Fatal(err)
	}
	return string(out)
}

// IP runs "ip -n NAME args..." and returns its output, failing t if it
// fails.
func (ns *Namespace) IP(t testing.TB, args ...string) string {
	t.Helper()
	out, err := exec.Command("ip", append([]string{"-n", ns.Name}, args...)...).CombinedOutput()
	if err != nil {
		t.Fatalf("ip -n %s %s: %v: %s", ns.Name, strings.Join(args, " "), err, bytes.TrimSpace(out))
	}
	return string(out)
}

// MoveLink moves the interface called name from the test's namespace
// into ns. A TAP's file descriptor keeps working.
func (ns *Namespace) MoveLink(t testing.TB, name string) {
	t.Helper()
	if out, err := exec.Command("ip", "link", "set", name, "netns", ns.Name).CombinedOutput(); err != nil {
		t.Fatalf("ip link set %s netns %s: %v: %s", name, ns.Name, err, bytes.TrimSpace(out))
	}
}

// TAP is a TAP interface whose kernel side is in a namespace of its own,
// up, with KernelPrefix as its address: a host at KernelAddr, one link
// away from the stack that uses Dev.
type TAP struct {
	// Dev is the stack's side; closed by t.Cleanup (a test may close it
	// earlier).
	Dev *tap.Device
	// NS is the namespace the kernel's side lives in.
	NS *Namespace
	// KernelMAC is the MAC address of the kernel's side, the stack's
	// peer.
	KernelMAC ethernet.Addr
}

// NewTAP opens a TAP with cfg, moves it into a fresh namespace and
// configures the kernel's side there. Everything is removed by
// t.Cleanup. NewTAP skips t as Available does.
func NewTAP(t testing.TB, cfg tap.Config) *TAP {
	t.Helper()
	ns := NewNamespace(t)
	dev, err := tap.Open(cfg)
	if err != nil {
		t.Fatal(err)
	}
	ns.adopt(t, dev.Name(), dev.Close)
	return &TAP{Dev: dev, NS: ns, KernelMAC: dev.KernelAddr()}
}

// adopt moves the interface name into ns, gives it KernelPrefix and
// brings it up; closeDev, which removes it, runs when t ends.
func (ns *Namespace) adopt(t testing.TB, name string, closeDev func() error) {
	t.Helper()
	// Registered after the namespace's cleanup, so it runs first: the
	// interface goes with its file.
	t.Cleanup(func() { closeDev() })
	ns.MoveLink(t, name)
	ns.IP(t, "addr", "add", KernelPrefix.String(), "dev", name)
	ns.IP(t, "link", "set", name, "up")
}

// TUN is a TUN interface whose kernel side is in a namespace of its own,
// up, with KernelPrefix as its address: the kernel routes KernelPrefix's
// other addresses (StackAddr among them) into the tunnel, to the stack
// that uses Dev. There are no MAC addresses and no ARP on it.
type TUN struct {
	// Dev is the stack's side; closed by t.Cleanup (a test may close it
	// earlier).
	Dev *tun.Device
	// NS is the namespace the kernel's side lives in.
	NS *Namespace
}

// NewTUN opens a TUN with cfg, moves it into a fresh namespace and
// configures the kernel's side there, as NewTAP does a TAP. Everything
// is removed by t.Cleanup. NewTUN skips t as Available does.
func NewTUN(t testing.TB, cfg tun.Config) *TUN {
	t.Helper()
	ns := NewNamespace(t)
	dev, err := tun.Open(cfg)
	if err != nil {
		t.Fatal(err)
	}
	ns.adopt(t, dev.Name(), dev.Close)
	return &TUN{Dev: dev, NS: ns}
}

// StartTest runs the test binary again inside ns, running only its test
// named test, with env added to its environment: the pattern by which a
// test puts a peer on the kernel's side of a namespace (Go's net package
// there uses the kernel's TCP). The peer runs until its standard input
// closes; StartTest returns that input and the peer's standard output
// (its standard error is the test's). When t ends the input is closed
// and the peer given 5 seconds to exit before it is killed.
func (ns *Namespace) StartTest(t testing.TB, test string, env ...string) (stdin io.WriteCloser, stdout io.Reader) {
	t.Helper()
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	cmd := ns.Command(exe, "-test.run=^"+test+"$", "-test.timeout=30m")
	cmd.Env = append(os.Environ(), env...)
	cmd.Stderr = os.Stderr
	if stdin, err = cmd.StdinPipe(); err != nil {
		t.Fatal(err)
	}
	if stdout, err = cmd.StdoutPipe(); err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		stdin.Close()
		done := make(chan struct{})
		go func() { cmd.Wait(); close(done) }()
		select {
		case <-done:
		case <-time.After(5 * time.Second):
			cmd.Process.Kill()
			<-done
		}
	})
	return stdin, stdout
}
