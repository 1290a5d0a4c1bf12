package stack

import (
	"bufio"
	"bytes"
	"context"
	"crypto/rand"
	"fmt"
	"net/netip"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/medina-net/medina/internal/netns"
	"github.com/medina-net/medina/link"
	"github.com/medina-net/medina/link/tap"
	"github.com/medina-net/medina/link/tun"
	"github.com/medina-net/medina/pcap"
)

// linuxLink is a link to the Linux kernel that the Linux-peer tests run
// over: a TAP or a TUN (a layer-3 link: no ARP, no Neighbor Discovery),
// each plain or opened with offloads (virtio-net headers, whose
// super-packets must change nothing a peer sees).
type linuxLink struct{ tun, offload bool }

// linuxLinks are the links every Linux-peer test that is not about ARP
// or Neighbor Discovery runs over.
var linuxLinks = []linuxLink{{false, false}, {false, true}, {true, false}, {true, true}}

// name names a subtest: offload=false and offload=true over a TAP, as
// the tests named them before TUNs came, and tun,offload=... over a TUN.
func (l linuxLink) name() string {
	n := fmt.Sprintf("offload=%v", l.offload)
	if l.tun {
		n = "tun," + n
	}
	return n
}

// kernelSide is a linuxLink opened: the stack's device, and the
// namespace the kernel's side is in, up, with netns.KernelPrefix.
type kernelSide struct {
	dev    link.Device
	ns     *netns.Namespace
	ifname string
	tap    *tap.Device // nil over a TUN
	tun    *tun.Device // nil over a TAP
}

// open opens l in a fresh namespace (netns.NewTAP, netns.NewTUN), which
// t's cleanup removes.
func (l linuxLink) open(t *testing.T) *kernelSide {
	t.Helper()
	if l.tun {
		tn := netns.NewTUN(t, tun.Config{Offload: l.offload})
		return &kernelSide{dev: tn.Dev, ns: tn.NS, ifname: tn.Dev.Name(), tun: tn.Dev}
	}
	tp := netns.NewTAP(t, tap.Config{Offload: l.offload})
	return &kernelSide{dev: tp.Dev, ns: tp.NS, ifname: tp.Dev.Name(), tap: tp.Dev}
}

// offloadStats returns the device's counters, in link/tap's struct
// (link/tun's has the same fields), when it was opened with offloads.
func (k *kernelSide) offloadStats() (tap.Stats, bool) {
	if k.tun != nil {
		on, _ := k.tun.Offload()
		return tap.Stats(k.tun.Stats()), on
	}
	on, _ := k.tap.Offload()
	return k.tap.Stats(), on
}

// TestLinuxPeer puts the stack on a TAP whose other side is the Linux
// kernel, in a network namespace of its own, and has Linux ping it,
// resolve it with ARP, and exchange UDP datagrams with it both ways, one of
// them larger than the MTU. tcpdump records the TAP meanwhile, and netdump
// must print that capture exactly as tcpdump does. It needs root,
// /dev/net/tun, ping, socat and tcpdump, and skips with the reason without
// them: without tcpdump, half of what it checks could not be checked.
//
// It runs over each of linuxLinks: a TAP and a TUN, plain and with
// offloads. Over a TUN there is no ARP, and tcpdump records raw IP.
func TestLinuxPeer(t *testing.T) {
	netns.Available(t)
	netns.NeedTools(t, "ping", "socat", "tcpdump")
	for _, l := range linuxLinks {
		t.Run(l.name(), func(t *testing.T) { linuxPeer(t, l) })
	}
}

func linuxPeer(t *testing.T, l linuxLink) {
	k := l.open(t)
	ns, ifname := k.ns, k.ifname
	capture := filepath.Join(t.TempDir(), "linux-peer.pcap")
	stopCapture := startTCPDump(t, ns, ifname, capture)

	s, err := New(k.dev, Config{Addr: netip.PrefixFrom(netns.StackAddr, 24)})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	srv, err := s.ListenPacket("udp", ":7777")
	if err != nil {
		t.Fatal(err)
	}
	go echo(srv)
	stack := netns.StackAddr.String()

	// Linux pings the stack: ARP first (not over a TUN), then five
	// echoes, none lost.
	out := ns.Run(t, "ping", "-c", "5", "-i", "0.2", "-W", "2", stack)
	if !strings.Contains(out, " 0% packet loss") {
		t.Fatalf("ping from Linux lost packets:\n%s", out)
	}
	if !l.tun {
		neigh := ns.IP(t, "neigh", "show", stack)
		if !strings.Contains(neigh, s.HardwareAddr().String()) {
			t.Errorf("Linux's neighbour table has no entry with the stack's MAC %v:\n%s", s.HardwareAddr(), neigh)
		}
	}

	// Linux sends datagrams to the stack's echo server and reads them back.
	for _, size := range []int{5, 1472, 3000} {
		msg := make([]byte, size)
		rand.Read(msg)
		cmd := ns.Command("socat", "-T", "3", "-b", "65536", "-", "UDP:"+stack+":7777")
		cmd.Stdin = bytes.NewReader(msg)
		got, err := cmd.Output()
		if err != nil {
			t.Fatalf("socat, %d bytes to the stack's echo server: %v", size, err)
		}
		if !bytes.Equal(got, msg) {
			t.Fatalf("echo of %d bytes from Linux came back as %d bytes", size, len(got))
		}
	}

	// The stack sends datagrams to a socat listening in the namespace.
	for _, size := range []int{5, 3000} {
		msg := make([]byte, size)
		rand.Read(msg)
		got := receiveInNamespace(t, s, ns, netns.KernelAddr, msg)
		if !bytes.Equal(got, msg) {
			t.Fatalf("datagram of %d bytes from the stack arrived as %d bytes", size, len(got))
		}
	}

	// And the stack pings Linux.
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if _, err := s.Ping(ctx, netns.KernelAddr, 56); err != nil {
		t.Errorf("the stack's ping of Linux: %v", err)
	}

	st := s.Stats()
	if st.ICMP.InEchos < 5 || st.ICMP.OutEchoReps < 5 || st.IP.ReasmOKs < 1 || st.IP.FragOKs < 2 {
		t.Errorf("counters do not show the exchange: %+v", st)
	}
	if st.IP.InHdrErrors != 0 || st.UDP.InErrors != 0 {
		t.Errorf("errors on a clean link: %+v", st)
	}
	if l.tun && st.ARP.OutRequests+st.ARP.OutReplies+st.ARP.InRequests+st.ARP.InReplies != 0 {
		t.Errorf("ARP over a TUN: %+v", st.ARP)
	}

	stopCapture()
	compareWithTCPDump(t, capture)
}

// receiveInNamespace starts socat in ns waiting for one datagram on port
// 9999 of kernel's family, sends msg to kernel from the stack until it
// arrives, and returns what socat received.
func receiveInNamespace(t *testing.T, s *Stack, ns *netns.Namespace, kernel netip.Addr, msg []byte) []byte {
	t.Helper()
	recv := "UDP-RECV:9999"
	if kernel.Is6() {
		recv = "UDP6-RECV:9999"
	}
	cmd := ns.Command("timeout", "10", "socat", "-u", "-b", "65536", recv, "STDOUT")
	var out lockedBuffer
	cmd.Stdout = &out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	c, err := s.Dial("udp", netip.AddrPortFrom(kernel, 9999).String())
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	// socat needs a moment to bind; send until the first copy arrives,
	// then give it time to write it out before stopping it.
	for i := 0; i < 50 && out.Len() == 0; i++ {
		c.Write(msg)
		time.Sleep(100 * time.Millisecond)
	}
	cmd.Process.Signal(syscall.SIGTERM)
	<-done
	got := out.Bytes()
	if len(got) < len(msg) {
		t.Fatalf("socat in the namespace received %d bytes, want at least %d", len(got), len(msg))
	}
	return got[:len(msg)]
}

// lockedBuffer is a bytes.Buffer that a command's output goroutine writes
// while the test polls its length.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) Len() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Len()
}

func (l *lockedBuffer) Bytes() []byte {
	l.mu.Lock()
	defer l.mu.Unlock()
	return bytes.Clone(l.b.Bytes())
}

// startTCPDump records iface in ns into file, with tcpdump's further
// flags extra (a snapshot length), and returns a function that stops the
// recording.
func startTCPDump(t *testing.T, ns *netns.Namespace, iface, file string, extra ...string) func() {
	t.Helper()
	// --immediate-mode: libpcap hands tcpdump each packet as it comes,
	// not in blocks released every second or when full; a recording
	// stopped (SIGINT) before its first block was released came out
	// empty on a loaded machine.
	cmd := ns.Command(append([]string{"tcpdump", "-i", iface, "-U", "--immediate-mode", "-n", "-w", file}, extra...)...)
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	// tcpdump says when it is listening; nothing is lost after that.
	listening := make(chan bool, 1)
	go func() {
		sc := bufio.NewScanner(stderr)
		said := false
		for sc.Scan() {
			if !said && strings.Contains(sc.Text(), "listening on") {
				listening <- true
				said = true
			}
		}
		if !said {
			listening <- false
		}
	}()
	select {
	case ok := <-listening:
		if !ok {
			t.Fatal("tcpdump exited before listening")
		}
	case <-time.After(10 * time.Second):
		t.Fatal("tcpdump did not start listening")
	}
	stopped := false
	stop := func() {
		if stopped {
			return
		}
		stopped = true
		cmd.Process.Signal(syscall.SIGINT)
		cmd.Wait()
	}
	t.Cleanup(stop)
	return stop
}

// compareWithTCPDump prints a capture with tcpdump and with netdump, with
// a few flag sets, and requires the same output.
func compareWithTCPDump(t *testing.T, capture string) {
	t.Helper()
	netdump := buildNetdump(t)
	for _, flags := range [][]string{{"-n"}, {"-nv"}, {"-ne"}, {"-nvvX"}} {
		args := append(flags, "-r", capture)
		want, err := tz(exec.Command("tcpdump", args...)).Output()
		if err != nil {
			t.Fatalf("tcpdump %v: %v", args, err)
		}
		got, err := tz(exec.Command(netdump, args...)).Output()
		if err != nil {
			t.Fatalf("netdump %v: %v", args, err)
		}
		if !bytes.Equal(got, want) {
			t.Errorf("netdump %v differs from tcpdump on the capture:\n--- tcpdump\n%s\n--- netdump\n%s", args, want, got)
		}
		if len(want) == 0 {
			t.Errorf("the capture is empty")
		}
	}
	// TestLinuxPeer's exchange over a TUN, without ARP, is 20 packets.
	n := countLines(t, capture)
	if n < 16 {
		t.Errorf("the capture holds only %d packets", n)
	}
	t.Logf("netdump prints the %d packets of the capture as tcpdump does (%s)", n, captureLinkType(capture))
}

// captureLinkType returns the link type of a pcap file, as tcpdump
// names it, or "?" (Ethernet on a TAP, raw IP on a TUN).
func captureLinkType(capture string) string {
	f, err := os.Open(capture)
	if err != nil {
		return "?"
	}
	defer f.Close()
	r, err := pcap.NewReader(f)
	if err != nil {
		return "?"
	}
	return r.LinkType().String()
}

func tz(cmd *exec.Cmd) *exec.Cmd {
	cmd.Env = append(os.Environ(), "TZ=UTC")
	return cmd
}

func countLines(t *testing.T, capture string) int {
	out, _ := tz(exec.Command("tcpdump", "-n", "-r", capture)).Output()
	return bytes.Count(out, []byte("\n"))
}

// buildNetdump builds cmd/netdump into a temporary directory, with the go
// command found in PATH: go test puts its own GOROOT/bin first there
// (runtime.GOROOT is deprecated, and need not be where the toolchain
// that runs the test lives).
func buildNetdump(t *testing.T) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "netdump")
	out, err := exec.Command("go", "build", "-o", bin, "github.com/medina-net/medina/cmd/netdump").CombinedOutput()
	if err != nil {
		t.Fatalf("building netdump: %v\n%s", err, out)
	}
	return bin
}
