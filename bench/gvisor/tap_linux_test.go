package gvisorbench

import (
	"bufio"
	"context"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/netip"
	"os"
	"os/exec"
	"strings"
	"syscall"
	"testing"
	"time"

	"golang.org/x/sys/unix"
	"gvisor.dev/gvisor/pkg/tcpip"
	"gvisor.dev/gvisor/pkg/tcpip/adapters/gonet"
	"gvisor.dev/gvisor/pkg/tcpip/link/fdbased"
	"gvisor.dev/gvisor/pkg/tcpip/network/ipv4"
	gstack "gvisor.dev/gvisor/pkg/tcpip/stack"

	"github.com/medina-net/medina/internal/netns"
	"github.com/medina-net/medina/link/tap"
	"github.com/medina-net/medina/stack"
)

// The TAP benchmark (issue 12, item 5): between the Linux kernel, in a
// network namespace, and a userspace stack in this process, over a TAP
// of MTU 1500 (or a TUN): one TCP connection each way, UDP datagrams per
// second each way, and small HTTP requests per second from wrk; and the
// same between Linux and Linux over a veth as the ceiling. ../tap.sh
// runs it and prints the tables; see README.md.

var (
	// tapBytes is what each TCP transfer moves, each way
	// (BENCH_TAP_BYTES).
	tapBytes = envSize("BENCH_TAP_BYTES", 512<<20)
	// tapStacks are the rows measured (BENCH_TAP_STACKS), all by default.
	tapStacks = os.Getenv("BENCH_TAP_STACKS")
	// tapTests are the measurements taken (BENCH_TAP_TESTS: tcp, udp,
	// http), all by default.
	tapTests = os.Getenv("BENCH_TAP_TESTS")
)

const (
	// iperfPort is where iperf3's server listens in the linux row.
	iperfPort = 5201
	// tapPeerPort is where the kernel-side peer takes requests.
	tapPeerPort = 5202
	// tapMTU is the link's MTU, for every row.
	tapMTU = 1500
)

// Requests to the kernel-side peer: a letter, then a count.
const (
	dirToStack   = 'S' // the peer sends TCP, the stack receives: Linux→stack
	dirFromStack = 'R' // the stack sends TCP, the peer receives: stack→Linux
	udpToStack   = 'U' // the peer sends UDP datagrams to the stack
	udpFromStack = 'V' // the stack sends UDP datagrams to the peer
)

// tapEnv is a row's stack, set up and connected to the kernel: how the
// measurements open sockets on it, and where the kernel-side peer lives.
type tapEnv struct {
	// ns is the namespace the kernel's side runs in (the peer, wrk).
	ns *netns.Namespace
	// local is the stack's address, peer the kernel's, on the link
	// between them.
	local, peer netip.Addr
	// dialTCP connects through the stack.
	dialTCP func(ctx context.Context, raddr netip.AddrPort) (net.Conn, error)
	// dialUDP opens a UDP socket on the stack bound to laddr and
	// connected to raddr.
	dialUDP func(laddr, raddr netip.AddrPort) (net.Conn, error)
	// listenTCP listens on the stack.
	listenTCP func(laddr netip.AddrPort) (net.Listener, error)
	// tcp, when set, measures a TCP direction instead of the peer's
	// transfers (the linux row's iperf3).
	tcp func(t *testing.T, dir byte, n int64) (tapResult, error)
}

// tapRow is one row of the tables: a stack on a link to the kernel.
type tapRow struct {
	name string
	// setup builds the stack and its link and registers their teardown
	// with t.
	setup func(t *testing.T) *tapEnv
	// tcpOnly rows (the TUN rows) take part in the TCP measurement only.
	tcpOnly bool
}

// tapRows are every row, in the tables' order.
var tapRows = []tapRow{
	{name: "medina-offload", setup: func(t *testing.T) *tapEnv { return medinaOnTAP(t, true) }},
	{name: "medina", setup: func(t *testing.T) *tapEnv { return medinaOnTAP(t, false) }},
	{name: "gvisor", setup: gvisorOnTAP},
	{name: "medina-tun-offload", setup: func(t *testing.T) *tapEnv { return medinaOnTUN(t, true) }, tcpOnly: true},
	{name: "medina-tun", setup: func(t *testing.T) *tapEnv { return medinaOnTUN(t, false) }, tcpOnly: true},
	{name: "gvisor-tun", setup: gvisorOnTUN, tcpOnly: true},
	{name: "linux", setup: linuxOnVeth},
}

// wantRow reports whether BENCH_TAP_STACKS selects name (empty: all).
func wantRow(name string) bool { return listed(tapStacks, name) }

// listed reports whether the list (commas or spaces; empty is
// everything) names name.
func listed(list, name string) bool {
	if strings.TrimSpace(list) == "" {
		return true
	}
	for _, s := range strings.FieldsFunc(list, func(r rune) bool { return r == ',' || r == ' ' }) {
		if s == name {
			return true
		}
	}
	return false
}

// tapPlan is what a run measures on every row.
type tapPlan struct {
	tcp, udp, http bool
	// tcpBytes is what each TCP transfer moves.
	tcpBytes int64
	// udpSpecs are the UDP measurements' parameters, one per datagram
	// size.
	udpSpecs []udpSpec
	// httpTime is how long wrk runs.
	httpTime time.Duration
	// print writes the figures to standard output for ../tap.sh.
	print bool
}

// TestTAPBench measures every row, and prints one line per figure
// ("tapbench: ROW DIRECTION ...", "tapbench-udp: ...",
// "tapbench-http: ..."), which ../tap.sh reads. It runs only when
// BENCH_TAP=1 (it takes a while) and skips without root, /dev/net/tun or
// ip(8); the linux row's TCP skips without iperf3, and HTTP without wrk.
func TestTAPBench(t *testing.T) {
	if os.Getenv("BENCH_TAP") != "1" {
		t.Skip("set BENCH_TAP=1 (or run ../tap.sh) to measure")
	}
	netns.Available(t)
	plan := tapPlan{
		tcp: listed(tapTests, "tcp"), udp: listed(tapTests, "udp"), http: listed(tapTests, "http"),
		tcpBytes: tapBytes,
		udpSpecs: udpSpecsFromEnv(),
		httpTime: envDuration("BENCH_TAP_HTTP_TIME", 3*time.Second),
		print:    true,
	}
	for _, r := range tapRows {
		if !wantRow(r.name) {
			continue
		}
		t.Run(r.name, func(t *testing.T) { measureRow(t, r, plan) })
	}
}

// TestTAPSmoke moves a few MiB each way through each userspace stack,
// a few thousand datagrams each way and (with wrk) a second of HTTP
// requests through every row, and checks that the harness measures
// them: a quick run of what tap.sh does, for go test. It skips without
// root, /dev/net/tun or ip(8).
func TestTAPSmoke(t *testing.T) {
	if testing.Short() {
		t.Skip("-short")
	}
	netns.Available(t)
	plan := tapPlan{
		tcp: true, udp: true, http: true,
		tcpBytes: 8 << 20,
		udpSpecs: []udpSpec{{size: 64, count: 20000, dur: 300 * time.Millisecond}},
		httpTime: time.Second,
	}
	for _, r := range tapRows {
		p := plan
		// The linux row's TCP is iperf3's, which the other tests do not
		// need installed.
		p.tcp = r.name != "linux"
		t.Run(r.name, func(t *testing.T) { measureRow(t, r, p) })
	}
}

// envDuration reads a duration such as 3s or 500ms.
func envDuration(name string, def time.Duration) time.Duration {
	v := os.Getenv(name)
	if v == "" {
		return def
	}
	d, err := time.ParseDuration(v)
	if err != nil || d <= 0 {
		panic(fmt.Sprintf("%s=%q: want a duration such as 3s", name, v))
	}
	return d
}

// measureRow sets the row up, starts the kernel-side peer (this binary
// again, in the row's namespace, with Go's net package: the kernel's TCP
// and UDP) and takes the plan's measurements, one after the other.
func measureRow(t *testing.T, r tapRow, plan tapPlan) {
	env := r.setup(t)
	peer := netip.AddrPortFrom(env.peer, tapPeerPort)
	startTAPPeer(t, env.ns, peer)
	if plan.tcp {
		for _, dir := range []byte{dirToStack, dirFromStack} {
			var res tapResult
			var err error
			if env.tcp != nil {
				res, err = env.tcp(t, dir, plan.tcpBytes)
			} else {
				res, err = stackTransfer(env.dialTCP, peer, dir, plan.tcpBytes)
			}
			if err != nil {
				t.Fatalf("%s %s: %v", r.name, dirName(dir), err)
			}
			report(t, plan.print, r.name, dirName(dir), res)
		}
	}
	if r.tcpOnly {
		return
	}
	if plan.udp {
		for _, spec := range plan.udpSpecs {
			for _, dir := range []byte{udpToStack, udpFromStack} {
				res, err := udpMeasure(env, dir, spec)
				if err != nil {
					t.Fatalf("%s UDP %s, %d-byte datagrams: %v", r.name, dirName(dir), spec.size, err)
				}
				reportUDP(t, plan.print, r.name, dirName(dir), spec, res)
			}
		}
	}
	if plan.http {
		t.Run("http", func(t *testing.T) {
			netns.NeedTools(t, "wrk")
			res, err := httpMeasure(env, plan.httpTime)
			if err != nil {
				t.Fatalf("%s HTTP: %v", r.name, err)
			}
			reportHTTP(t, plan.print, r.name, res)
		})
	}
}

// tapResult is one direction's figure.
type tapResult struct {
	bytes   int64
	elapsed time.Duration
	cpu     time.Duration // user+system of the stack's process, or -1
}

func (r tapResult) gbps() float64 { return float64(r.bytes) * 8 / r.elapsed.Seconds() / 1e9 }

// cpuPerGB is CPU seconds per 10^9 bytes moved.
func (r tapResult) cpuPerGB() float64 { return r.cpu.Seconds() / (float64(r.bytes) / 1e9) }

func report(t *testing.T, print bool, row, dir string, r tapResult) {
	t.Helper()
	if r.bytes <= 0 || r.elapsed <= 0 {
		t.Errorf("%s %s: nothing measured", row, dir)
		return
	}
	line := fmt.Sprintf("tapbench: %s %s %.3f Gbit/s %.3f cpu-s/GB %d bytes %.3f s", row, dir, r.gbps(), r.cpuPerGB(), r.bytes, r.elapsed.Seconds())
	if print {
		fmt.Println(line)
	}
	t.Log(line)
}

func dirName(dir byte) string {
	if dir == dirToStack || dir == udpToStack {
		return "linux-to-stack"
	}
	return "stack-to-linux"
}

// transferTimeout bounds one transfer of n bytes: at 100 Mbit/s, plus
// half a minute, so a wedged stack fails the row instead of hanging it.
func transferTimeout(n int64) time.Duration {
	return 30*time.Second + time.Duration(float64(n)*8/100e6*float64(time.Second))
}

// stackTransfer opens one connection to the peer through the stack, asks
// it to send n bytes (dirToStack) or to take them (dirFromStack), and
// times it: from the request to the last byte read, or from the request
// to the peer's acknowledgement that it read all n. The CPU figure is this
// process's user and system time over the same interval.
func stackTransfer(dial func(context.Context, netip.AddrPort) (net.Conn, error), peer netip.AddrPort, dir byte, n int64) (tapResult, error) {
	ctx, cancel := context.WithTimeout(context.Background(), transferTimeout(n))
	defer cancel()
	c, err := dial(ctx, peer)
	if err != nil {
		return tapResult{}, fmt.Errorf("dial %v: %w", peer, err)
	}
	defer c.Close()
	deadline, _ := ctx.Deadline()
	c.SetDeadline(deadline)
	var req [9]byte
	req[0] = dir
	binary.BigEndian.PutUint64(req[1:], uint64(n))
	buf := make([]byte, ioChunk)
	cpu0 := processCPU()
	start := time.Now()
	if _, err := c.Write(req[:]); err != nil {
		return tapResult{}, fmt.Errorf("request: %w", err)
	}
	var got int64
	if dir == dirToStack {
		for got < n {
			k, err := c.Read(buf)
			got += int64(k)
			if err != nil {
				if got == n && errors.Is(err, io.EOF) {
					break
				}
				return tapResult{}, fmt.Errorf("read after %d of %d bytes: %w", got, n, err)
			}
		}
	} else {
		for got < n {
			k, err := c.Write(buf[:min(int64(len(buf)), n-got)])
			got += int64(k)
			if err != nil {
				return tapResult{}, fmt.Errorf("write after %d of %d bytes: %w", got, n, err)
			}
		}
		var ack [8]byte
		if _, err := io.ReadFull(c, ack[:]); err != nil {
			return tapResult{}, fmt.Errorf("waiting for the peer's count: %w", err)
		}
		if peerGot := int64(binary.BigEndian.Uint64(ack[:])); peerGot != n {
			return tapResult{}, fmt.Errorf("the peer read %d bytes, want %d", peerGot, n)
		}
	}
	elapsed := time.Since(start)
	cpu := processCPU() - cpu0
	if got != n {
		return tapResult{}, fmt.Errorf("moved %d bytes, want %d", got, n)
	}
	return tapResult{bytes: n, elapsed: elapsed, cpu: cpu}, nil
}

// processCPU is this process's user and system time so far, every thread
// included: the stack's goroutines and the kernel's work done in its
// system calls (a write to the TAP runs the kernel's receive path).
func processCPU() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// medinaOnTAP is a medina stack at netns.StackAddr on a TAP (with
// offloads or without) whose kernel side is in a fresh namespace at
// netns.KernelAddr; stack defaults otherwise.
func medinaOnTAP(t *testing.T, offload bool) *tapEnv {
	tp := netns.NewTAP(t, tap.Config{Offload: offload, MTU: tapMTU})
	s, err := stack.New(tp.Dev, stack.Config{Addr: netip.PrefixFrom(netns.StackAddr, netns.KernelPrefix.Bits())})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	if offload {
		t.Cleanup(func() {
			st := tp.Dev.Stats()
			t.Logf("medina offload: %d super-packets from the kernel (%d handed to the stack whole), %d segments in them; %d super-frames written of %d frames",
				st.RxSuperPackets, st.RxSuperWhole, st.RxSegments, st.TxSuperPackets, st.TxFrames)
		})
	}
	return medinaEnv(s, tp.NS)
}

// medinaEnv is the tapEnv of medina's stack s, whose kernel side is in ns.
func medinaEnv(s *stack.Stack, ns *netns.Namespace) *tapEnv {
	return &tapEnv{
		ns:    ns,
		local: netns.StackAddr,
		peer:  netns.KernelAddr,
		dialTCP: func(ctx context.Context, a netip.AddrPort) (net.Conn, error) {
			return s.DialContext(ctx, "tcp", a.String())
		},
		dialUDP: func(laddr, raddr netip.AddrPort) (net.Conn, error) {
			c, err := s.DialUDP(laddr, raddr)
			if err != nil {
				return nil, err // not a nil *stack.UDPConn in an interface
			}
			return c, nil
		},
		listenTCP: func(laddr netip.AddrPort) (net.Listener, error) {
			return s.Listen("tcp", laddr.String())
		},
	}
}

// gvisorOnTAP is a gVisor stack at netns.StackAddr on a TAP whose kernel
// side is in a fresh namespace at netns.KernelAddr, through gVisor's own
// link endpoint for file descriptors (link/fdbased), configured as close
// to tailscale as that endpoint allows:
//
//   - the TCP options of newTailscaleStack (SACK, reno, receive-buffer
//     moderation, 1 MiB default buffers up to 8 MiB and 6 MiB);
//   - GSOMaxSize 65535, tailscale's GSOMaxSize. fdbased turns GSO on
//     (host GSO with virtio-net headers, or its own software GSO with
//     GVisorGSOEnabled) only when the descriptor is a socket (an
//     AF_PACKET socket, runsc's case); on a TAP's descriptor the option is
//     inert at this gVisor version, and so the TAP is opened without
//     IFF_VNET_HDR, as fdbased then reads and writes bare frames;
//   - GRO on (fdbased's Options.GRO: gVisor's software receive coalescing,
//     what tailscale's endpoint does with gVisor's GRO);
//   - checksums verified by gVisor (no RXChecksumOffload: tailscale
//     claims it only because its own code validates every checksum first,
//     and the kernel's frames on this TAP carry full checksums), and
//     computed by gVisor on send.
//
// The dispatch mode is fdbased's default for a non-socket, readv, with
// one processor goroutine per CPU.
func gvisorOnTAP(t *testing.T) *tapEnv {
	fd, name, err := openPlainTAP()
	if err != nil {
		t.Fatal(err)
	}
	return gvisorOnFD(t, "TAP", fd, name, fdbased.Options{
		EthernetHeader: true,
		Address:        tcpip.LinkAddress(randomMAC()),
		GRO:            true,
	})
}

// gvisorOnFD is gVisor's stack, set up as tailscale sets it up, at
// netns.StackAddr on the TAP or TUN (kind) whose descriptor is fd and
// interface name, moved into a fresh namespace at netns.KernelAddr;
// opts are fdbased's options but for the descriptor, the MTU and
// GSOMaxSize 65535, which it fills in.
func gvisorOnFD(t *testing.T, kind string, fd int, name string, opts fdbased.Options) *tapEnv {
	ns := netns.NewNamespace(t)
	// Registered before the stack's teardown, so it runs after it: the
	// interface goes when its file does.
	t.Cleanup(func() { unix.Close(fd) })
	ns.MoveLink(t, name)
	ns.IP(t, "link", "set", name, "mtu", fmt.Sprint(tapMTU))
	ns.IP(t, "addr", "add", netns.KernelPrefix.String(), "dev", name)
	ns.IP(t, "link", "set", name, "up")

	s, err := newTailscaleStack()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close(); s.Wait() })
	opts.FDs, opts.MTU, opts.GSOMaxSize = []int{fd}, tapMTU, 1<<16-1
	ep, err := fdbased.New(&opts)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.CreateNIC(nicID, ep); err != nil {
		t.Fatalf("gvisor: create NIC: %v", err)
	}
	pa := tcpip.ProtocolAddress{
		Protocol: ipv4.ProtocolNumber,
		AddressWithPrefix: tcpip.AddressWithPrefix{
			Address:   tcpipAddr(netns.StackAddr),
			PrefixLen: netns.KernelPrefix.Bits(),
		},
	}
	if err := s.AddProtocolAddress(nicID, pa, gstack.AddressProperties{}); err != nil {
		t.Fatalf("gvisor: add address: %v", err)
	}
	s.SetRouteTable([]tcpip.Route{{Destination: pa.AddressWithPrefix.Subnet(), NIC: nicID}})
	if gso, ok := ep.(gstack.GSOEndpoint); ok {
		t.Logf("gvisor fdbased on a %s: SupportedGSO %d (0 none, 1 host, 2 gVisor), GSOMaxSize %d", kind, gso.SupportedGSO(), gso.GSOMaxSize())
	}
	return gvisorEnv(s, ns)
}

// gvisorEnv is the tapEnv of gVisor's stack s (its NIC nicID at
// netns.StackAddr), whose kernel side is in ns; sockets come from gonet,
// as tailscale's tsnet takes them.
func gvisorEnv(s *gstack.Stack, ns *netns.Namespace) *tapEnv {
	full := func(a netip.AddrPort) *tcpip.FullAddress {
		return &tcpip.FullAddress{NIC: nicID, Addr: tcpipAddr(a.Addr()), Port: a.Port()}
	}
	return &tapEnv{
		ns:    ns,
		local: netns.StackAddr,
		peer:  netns.KernelAddr,
		dialTCP: func(ctx context.Context, a netip.AddrPort) (net.Conn, error) {
			c, err := gonet.DialContextTCP(ctx, s, *full(a), ipv4.ProtocolNumber)
			if err != nil {
				return nil, err // not a nil *gonet.TCPConn in an interface
			}
			return c, nil
		},
		dialUDP: func(laddr, raddr netip.AddrPort) (net.Conn, error) {
			c, err := gonet.DialUDP(s, full(laddr), full(raddr), ipv4.ProtocolNumber)
			if err != nil {
				return nil, err
			}
			return c, nil
		},
		listenTCP: func(laddr netip.AddrPort) (net.Listener, error) {
			l, err := gonet.ListenTCP(s, *full(laddr), ipv4.ProtocolNumber)
			if err != nil {
				return nil, err
			}
			return l, nil
		},
	}
}

// randomMAC is a random unicast, locally administered MAC address, as
// gVisor's link address.
func randomMAC() []byte {
	a := tap.RandomAddr()
	return a[:]
}

// openPlainTAP creates a TAP interface (IFF_TAP|IFF_NO_PI, no virtio-net
// headers) and returns its descriptor, blocking, and its name.
func openPlainTAP() (int, string, error) {
	fd, err := unix.Open("/dev/net/tun", unix.O_RDWR|unix.O_CLOEXEC, 0)
	if err != nil {
		return -1, "", fmt.Errorf("open /dev/net/tun: %w", err)
	}
	ifr, err := unix.NewIfreq("")
	if err != nil {
		unix.Close(fd)
		return -1, "", err
	}
	ifr.SetUint16(unix.IFF_TAP | unix.IFF_NO_PI)
	if err := unix.IoctlIfreq(fd, unix.TUNSETIFF, ifr); err != nil {
		unix.Close(fd)
		return -1, "", os.NewSyscallError("ioctl TUNSETIFF", err)
	}
	return fd, ifr.Name(), nil
}

// startTAPPeer runs this binary again inside ns as the kernel-side peer
// (TestTAPPeer), listening on addr, and returns once it listens. It is
// stopped when t ends.
func startTAPPeer(t *testing.T, ns *netns.Namespace, addr netip.AddrPort) {
	t.Helper()
	_, stdout := ns.StartTest(t, "TestTAPPeer", "MEDINA_TAP_PEER="+addr.String())
	sc := bufio.NewScanner(stdout)
	for sc.Scan() {
		if strings.HasPrefix(sc.Text(), "peer: listening") {
			go io.Copy(io.Discard, stdout)
			return
		}
	}
	t.Fatalf("the peer in %s did not start", ns.Name)
}

// TestTAPPeer is not a test: startTAPPeer runs this binary again inside a
// namespace with MEDINA_TAP_PEER=ADDR, to be the kernel's side of the
// transfers through Go's net package (the kernel's TCP). It serves one
// request per connection until its standard input closes: 'S' and a
// count, and it sends that many bytes and closes; 'R' and a count, and it
// reads that many and answers with the count it read; 'U' or 'V', a
// count and a UDP measurement's size and time, and it sends datagrams to
// the stack or counts the stack's (peerUDP).
func TestTAPPeer(t *testing.T) {
	addr := os.Getenv("MEDINA_TAP_PEER")
	if addr == "" {
		t.Skip("the kernel-side peer of TestTAPBench, run by it")
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		fmt.Printf("peer: listen: %v\n", err)
		os.Exit(1)
	}
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go servePeer(c)
		}
	}()
	fmt.Printf("peer: listening on %v\n", ln.Addr())
	io.Copy(io.Discard, os.Stdin)
	ln.Close()
}

func servePeer(c net.Conn) {
	defer c.Close()
	var req [9]byte
	if _, err := io.ReadFull(c, req[:]); err != nil {
		return
	}
	n := int64(binary.BigEndian.Uint64(req[1:]))
	if req[0] == udpToStack || req[0] == udpFromStack {
		if err := peerUDP(c, req[0], n); err != nil {
			// The stack's side sees the control connection close early
			// and fails the row; this says why.
			fmt.Fprintf(os.Stderr, "peer: UDP %s: %v\n", dirName(req[0]), err)
		}
		return
	}
	c.SetDeadline(time.Now().Add(transferTimeout(n)))
	buf := make([]byte, ioChunk)
	switch req[0] {
	case dirToStack:
		for sent := int64(0); sent < n; {
			k, err := c.Write(buf[:min(int64(len(buf)), n-sent)])
			sent += int64(k)
			if err != nil {
				return
			}
		}
		c.(*net.TCPConn).CloseWrite()
		io.Copy(io.Discard, c) // until the stack closes
	case dirFromStack:
		got, _ := io.CopyBuffer(io.Discard, io.LimitReader(c, n), buf)
		var ack [8]byte
		binary.BigEndian.PutUint64(ack[:], uint64(got))
		c.Write(ack[:])
	}
}

// linuxOnVeth is the ceiling: Linux to Linux over a veth (MTU 1500, the
// kernel's offloads on) between two namespaces. The stack's place is A's:
// its TCP is iperf3's client there (the receiver in linux-to-stack, the
// sender in stack-to-linux), and its UDP and HTTP sockets are Go's net
// package's, opened in A (inNamespace) by the same code as the other
// rows'. The kernel-side peer and wrk run in B.
func linuxOnVeth(t *testing.T) *tapEnv {
	v := netns.NewVeth(t)
	v.A.IP(t, "link", "set", v.NameA, "mtu", fmt.Sprint(tapMTU))
	v.B.IP(t, "link", "set", v.NameB, "mtu", fmt.Sprint(tapMTU))
	return &tapEnv{
		ns:    v.B,
		local: v.AddrA,
		peer:  v.AddrB,
		dialTCP: func(ctx context.Context, a netip.AddrPort) (c net.Conn, err error) {
			err = inNamespace(v.A, func() error {
				var d net.Dialer
				c, err = d.DialContext(ctx, "tcp", a.String())
				return err
			})
			return c, err
		},
		dialUDP: func(laddr, raddr netip.AddrPort) (c net.Conn, err error) {
			err = inNamespace(v.A, func() error {
				c, err = net.DialUDP("udp", net.UDPAddrFromAddrPort(laddr), net.UDPAddrFromAddrPort(raddr))
				return err
			})
			return c, err
		},
		listenTCP: func(laddr netip.AddrPort) (l net.Listener, err error) {
			err = inNamespace(v.A, func() error {
				l, err = net.Listen("tcp", laddr.String())
				return err
			})
			return l, err
		},
		tcp: func(t *testing.T, dir byte, n int64) (tapResult, error) {
			netns.NeedTools(t, "iperf3")
			return iperf3(t, v, dir, n)
		},
	}
}

// iperfReport is what iperf3 -J says that we read.
type iperfReport struct {
	End struct {
		SumSent struct {
			Bytes int64 `json:"bytes"`
		} `json:"sum_sent"`
		SumReceived struct {
			Bytes   int64   `json:"bytes"`
			Seconds float64 `json:"seconds"`
		} `json:"sum_received"`
		CPU struct {
			HostTotal float64 `json:"host_total"`
		} `json:"cpu_utilization_percent"`
	} `json:"end"`
	Error string `json:"error"`
}

func iperf3(t *testing.T, v *netns.Veth, dir byte, n int64) (tapResult, error) {
	t.Helper()
	// --forceflush: iperf3 buffers its output into a pipe otherwise,
	// and "Server listening" would come only at the end.
	srv := v.B.Command("iperf3", "-s", "-1", "--forceflush", "-B", v.AddrB.String(), "-p", fmt.Sprint(iperfPort))
	var srvErr strings.Builder
	srv.Stderr = &srvErr
	srvOut, err := srv.StdoutPipe()
	if err != nil {
		return tapResult{}, err
	}
	if err := srv.Start(); err != nil {
		return tapResult{}, err
	}
	srvDone := make(chan error, 1)
	go func() { srvDone <- srv.Wait() }()
	defer func() {
		select {
		case <-srvDone:
		case <-time.After(5 * time.Second):
			srv.Process.Kill()
			<-srvDone
		}
	}()
	// The client is refused until the server listens, which it says;
	// a server that says nothing for 10 s is killed.
	stuck := time.AfterFunc(10*time.Second, func() { srv.Process.Kill() })
	defer stuck.Stop()
	sc := bufio.NewScanner(srvOut)
	listening := false
	for !listening && sc.Scan() {
		listening = strings.Contains(sc.Text(), "listening")
	}
	if !listening {
		return tapResult{}, fmt.Errorf("the iperf3 server in %s did not start: %s", v.B.Name, srvErr.String())
	}
	go io.Copy(io.Discard, srvOut)
	args := []string{"iperf3", "-J", "-c", v.AddrB.String(), "-p", fmt.Sprint(iperfPort), "-n", fmt.Sprint(n)}
	if dir == dirToStack {
		args = append(args, "-R")
	}
	var out []byte
	// A client refused all the same (the server said it listens a moment
	// before it does) tries again.
	for try := 0; try < 50; try++ {
		ctx, cancel := context.WithTimeout(context.Background(), transferTimeout(n))
		cmd := exec.CommandContext(ctx, "ip", append([]string{"netns", "exec", v.A.Name}, args...)...)
		out, err = cmd.Output()
		cancel()
		if err == nil || !strings.Contains(string(out), "refused") {
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	var rep iperfReport
	if jerr := json.Unmarshal(out, &rep); jerr != nil {
		return tapResult{}, fmt.Errorf("iperf3: %v; output: %.300s", errors.Join(err, jerr), out)
	}
	if rep.Error != "" || err != nil {
		return tapResult{}, fmt.Errorf("iperf3: %v %s", err, rep.Error)
	}
	// The sender must have sent at least n (it rounds up to its 128 KiB
	// writes); the receiver's summary is taken a moment early and may
	// lack the last few KB (iperf3 3.12), so the figure is the bytes it
	// counted over the time it counted them.
	s := rep.End.SumReceived
	if sent := rep.End.SumSent.Bytes; sent < n || s.Bytes < n-n/100 || s.Seconds <= 0 {
		return tapResult{}, fmt.Errorf("iperf3 sent %d bytes and received %d in %g s, want %d both", sent, s.Bytes, s.Seconds, n)
	}
	n = s.Bytes
	elapsed := time.Duration(s.Seconds * float64(time.Second))
	return tapResult{bytes: n, elapsed: elapsed, cpu: time.Duration(rep.End.CPU.HostTotal / 100 * float64(elapsed))}, nil
}
