package stack

import (
	"bufio"
	"context"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/netip"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/medina-net/medina/ethernet"
	"github.com/medina-net/medina/internal/netns"
	"github.com/medina-net/medina/link/impair"
	"github.com/medina-net/medina/link/tap"
	"github.com/medina-net/medina/pcap"
	"github.com/medina-net/medina/tcp"
)

var tcpLinuxPcap = flag.Bool("tcplinux.pcap", false, "save the capture (headers only) of every TestTCPLinuxPeer subtest, not only of failing ones")

// The Linux interop tests move this much each way.
const linuxBulkSize = 50 << 20

// linuxImpairment is what the impairment wrapper does, both ways, on the
// stack's side of the TAP in the impaired subtests: this kernel has no
// netem to do it on Linux's side.
var linuxImpairment = impair.Profile{Loss: 0.02, Reorder: 0.25}

// TestTCPLinuxPeer runs the stack's TCP against the Linux kernel's, over
// a TAP whose other side is in a network namespace of its own, over
// IPv4 and again over IPv6 (the stack then has IPv6 addresses only, and
// resolves and is resolved by Neighbor Discovery):
//
//   - curl in the namespace fetches a 50 MiB body from a net/http server
//     on the stack;
//   - the stack's http.Client (dialing through the stack) fetches 50 MiB
//     from a net/http server that runs in the namespace on the kernel's
//     TCP (this test binary, started again there as a helper process);
//   - both again with link/impair on the stack's side of the TAP losing
//     2% and reordering 25% of the frames each way, so that Linux's loss
//     recovery and ours both work;
//   - 1000 short connections, 100 at a time, from Go clients in the
//     namespace (the kernel's TCP) to the stack's server, and from the
//     stack's clients to the server in the namespace.
//
// Each runs over the links of linuxLinks: a TAP and a TUN (subtests
// named tun-...), plain and with offloads (...-offload).
//
// Bodies are deterministic pseudo-random bytes, and every transfer's
// SHA-256 is checked. The stack's frames are recorded (headers only) and
// saved under os.TempDir when a subtest fails. It needs root,
// /dev/net/tun and ip(8), and curl for the curl subtests; it skips with
// the reason without them. internal/netns removes every namespace and
// device, also when the test fails.
func TestTCPLinuxPeer(t *testing.T) {
	netns.Available(t)
	_, curlErr := exec.LookPath("curl")
	needCurl := func(t *testing.T) {
		if curlErr != nil {
			t.Skipf("curl is not installed: %v", curlErr)
		}
	}
	for _, v6 := range []bool{false, true} {
		fam := "ipv4/"
		if v6 {
			fam = "ipv6/"
		}
		for _, l := range linuxLinks {
			for _, impaired := range []bool{false, true} {
				name := fam + l.tcpName(impaired)
				t.Run(name+"/curl-fetches-from-stack", func(t *testing.T) {
					needCurl(t)
					env := newLinuxTCPEnv(t, v6, impaired, l)
					check := env.kernelCapture(t, l.offload && !impaired)
					curlFetchesFromStack(t, env)
					env.checkOffloadSend(t, impaired)
					check()
				})
				t.Run(name+"/stack-fetches-from-linux", func(t *testing.T) {
					env := newLinuxTCPEnv(t, v6, impaired, l)
					check := env.kernelCapture(t, l.offload && !impaired)
					stackFetchesFromLinux(t, env)
					env.checkOffload(t, impaired)
					check()
				})
			}
		}
		for _, l := range linuxLinks {
			name := fam + l.tcpName(false)
			t.Run(name+"/linux-clients-to-stack", func(t *testing.T) {
				linuxClientsToStack(t, newLinuxTCPEnv(t, v6, false, l))
			})
			t.Run(name+"/stack-clients-to-linux", func(t *testing.T) {
				stackClientsToLinux(t, newLinuxTCPEnv(t, v6, false, l))
			})
		}
	}
}

// kernelCapture, when on, records the transfer with tcpdump on the
// kernel's side of the link (headers only: 128 bytes a packet), where
// with offloads the kernel's TCP sends and receives super-packets of up
// to 64 KiB, and returns a function that stops it and requires netdump
// to print the capture as tcpdump does. Off (or without tcpdump), it
// records nothing and the function does nothing.
func (env *linuxTCPEnv) kernelCapture(t *testing.T, on bool) func() {
	if _, err := exec.LookPath("tcpdump"); err != nil || !on {
		return func() {}
	}
	capture := filepath.Join(t.TempDir(), "kernel.pcap")
	stop := startTCPDump(t, env.ns, env.ifname, capture, "-s", "128")
	return func() {
		stop()
		if t.Failed() {
			return
		}
		compareWithTCPDump(t, capture)
		if n := superPackets(t, capture, env.s.MTU()); n == 0 {
			t.Error("tcpdump saw no packet longer than the MTU on the kernel's side: no super-packets to decode")
		}
	}
}

// superPackets counts the packets of a capture longer than an IP packet
// of mtu bytes: the kernel's TCP super-packets, as tcpdump sees them.
func superPackets(t *testing.T, capture string, mtu int) int {
	t.Helper()
	r, err := pcap.Open(capture)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	n := 0
	for {
		p, err := r.Next()
		if err != nil {
			break
		}
		if p.Length > mtu+ethernet.HeaderLen {
			n++
		}
	}
	return n
}

// tcpName names TestTCPLinuxPeer's subtests over l: clean or impaired,
// "tun-" first over a TUN, "-offload" last with virtio-net headers (the
// kernel sends TCP super-packets that the device cuts up).
func (l linuxLink) tcpName(impaired bool) string {
	name := "clean"
	if impaired {
		name = "impaired"
	}
	if l.tun {
		name = "tun-" + name
	}
	if l.offload {
		name += "-offload"
	}
	return name
}

// linuxTCPEnv is a stack on a TAP or a TUN whose kernel side is in a
// namespace, talking IPv4 or IPv6.
type linuxTCPEnv struct {
	s      *Stack
	k      *kernelSide
	ns     *netns.Namespace
	ifname string         // the TAP or TUN, in ns
	imp    *impair.Device // nil when not impaired
	capt   *memCapture
	seed   uint64
	stack  netip.Addr // the stack's address of the family under test
	kernel netip.Addr // the kernel's, on the TAP
}

// newLinuxTCPEnv opens l and makes the stack; over IPv6 (v6), the stack
// has only IPv6 addresses, so that nothing can fall back to IPv4.
func newLinuxTCPEnv(t *testing.T, v6, impaired bool, l linuxLink) *linuxTCPEnv {
	t.Helper()
	k := l.open(t)
	env := &linuxTCPEnv{k: k, ns: k.ns, ifname: k.ifname, seed: uint64(time.Now().UnixNano()),
		stack: netns.StackAddr, kernel: netns.KernelAddr}
	cfg := Config{Addr: netip.PrefixFrom(netns.StackAddr, 24)}
	if v6 {
		k.ns.EnableIPv6(t, env.ifname, netns.KernelPrefix6)
		env.stack, env.kernel = netns.StackAddr6, netns.KernelAddr6
		cfg = Config{Addrs: []netip.Prefix{
			netip.PrefixFrom(netns.StackAddr6, netns.KernelPrefix6.Bits()),
			netip.MustParsePrefix("fe80::2/64"),
		}}
	}
	cfg.Rand = SeededRand(env.seed)
	dev := k.dev
	if impaired {
		env.imp = impair.New(k.dev, impair.Config{Seed: env.seed, Tx: linuxImpairment, Rx: linuxImpairment})
		dev = env.imp
	}
	// Headers and a little payload are enough to follow the connection.
	// Over a TUN the frames carry their synthetic headers.
	capt := newMemCapture(t, 128, k.ifname)
	env.capt = capt
	capt.saveOnFailure(t, fmt.Sprintf("seed%d", env.seed), *tcpLinuxPcap)
	s, err := New(capt.tap(0, dev, nil), cfg)
	if err != nil {
		t.Fatal(err)
	}
	env.s = s
	t.Cleanup(func() { s.Close() })
	if impaired {
		t.Logf("impairment seed %d: %+v both ways", env.seed, linuxImpairment)
	}
	return env
}

// report logs what the stack's TCP and, when there is one, the
// impairment did, and Linux's view from the namespace's /proc/net/snmp;
// and it checks the segments the stack sent (checkSentSegments).
func (env *linuxTCPEnv) report(t *testing.T) {
	t.Helper()
	for _, p := range checkSentSegments(env.capt.bytes(), tap.DefaultMTU, tcp.DefaultMaxReceiveBuffer) {
		t.Errorf("seed %d: %s", env.seed, p)
	}
	ts := env.s.TCPStats()
	st := env.s.Stats()
	if env.stack.Is6() {
		t.Logf("stack: segments out %d, retransmitted %d (fast retransmits %d, timeouts %d), in %d, errors %d; IPv6: %d packets discarded on the way out, NDP: %d dropped waiting for resolution, %d solicitations sent",
			ts.OutSegs, ts.RetransSegs, ts.FastRetrans, ts.Timeouts, ts.InSegs, ts.InErrs, st.IPv6.OutDiscards, st.NDP.QueueDrops, st.ICMPv6.OutNeighborSolicits)
	} else {
		t.Logf("stack: segments out %d, retransmitted %d (fast retransmits %d, timeouts %d), in %d, errors %d; IP: %d datagrams discarded on the way out, ARP: %d dropped waiting for resolution, %d requests sent",
			ts.OutSegs, ts.RetransSegs, ts.FastRetrans, ts.Timeouts, ts.InSegs, ts.InErrs, st.IP.OutDiscards, st.ARP.QueueDrops, st.ARP.OutRequests)
	}
	if env.imp != nil {
		st := env.imp.Stats()
		t.Logf("impairment: to Linux %d frames, %d lost, %d reordered; from Linux %d frames, %d lost, %d reordered",
			st.Tx.Frames, st.Tx.Dropped, st.Tx.Reordered, st.Rx.Frames, st.Rx.Dropped, st.Rx.Reordered)
	}
	if c := linuxTCPCounters(env.ns); c != nil {
		t.Logf("linux: segments out %d, retransmitted %d, in %d, errors %d; frames the TAP dropped on their way to the stack: %s",
			c["OutSegs"], c["RetransSegs"], c["InSegs"], c["InErrs"], tapStat(env.ns, env.ifname, "tx_dropped"))
	}
	if ts.Timeouts > 0 {
		// Something waited for nothing: say what Linux saw, to tell a
		// frame lost in the kernel from one Linux chose to ignore.
		t.Logf("linux: frames the TAP dropped on their way from the stack: %s", tapStat(env.ns, env.ifname, "rx_dropped"))
		ext := linuxCounters(env.ns, "/proc/net/netstat", "TcpExt")
		names := make([]string, 0, len(ext))
		for n, v := range ext {
			if v != 0 {
				names = append(names, n)
			}
		}
		sort.Strings(names)
		var b strings.Builder
		for _, n := range names {
			fmt.Fprintf(&b, " %s=%d", n, ext[n])
		}
		t.Logf("linux TcpExt counters that are not zero:%s", b.String())
	}
}

// tapStat returns one of the kernel's counters for its side of the TAP
// (tx_dropped: frames towards the stack dropped because the queue was
// full, the stack not reading fast enough; rx_dropped: frames from the
// stack the kernel dropped), or "?".
func tapStat(ns *netns.Namespace, ifname, stat string) string {
	out, err := netns.RunIn(ns, "cat", "/sys/class/net/"+ifname+"/statistics/"+stat)
	if err != nil {
		return "?"
	}
	return strings.TrimSpace(string(out))
}

// linuxTCPCounters reads the Tcp line of /proc/net/snmp in ns.
func linuxTCPCounters(ns *netns.Namespace) map[string]int64 {
	return linuxCounters(ns, "/proc/net/snmp", "Tcp")
}

// linuxCounters reads the counters of one protocol ("Tcp", "TcpExt") from
// a file in /proc/net laid out as /proc/net/snmp is: a line of names, then
// a line of values, each starting with the protocol. It returns nil if the
// file cannot be read.
func linuxCounters(ns *netns.Namespace, file, proto string) map[string]int64 {
	out, err := netns.RunIn(ns, "cat", file)
	if err != nil {
		return nil
	}
	var names []string
	for _, line := range strings.Split(string(out), "\n") {
		rest, ok := strings.CutPrefix(line, proto+": ")
		if !ok {
			continue
		}
		if names == nil {
			names = strings.Fields(rest)
			continue
		}
		m := make(map[string]int64)
		for i, v := range strings.Fields(rest) {
			if i < len(names) {
				m[names[i]], _ = strconv.ParseInt(v, 10, 64)
			}
		}
		return m
	}
	return nil
}

// bulkHandler serves /bulk/{seed}/{size}: size bytes of bulkData(seed, 0),
// and /small/{i}: 1000 bytes of bulkData(i, 1).
func bulkHandler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("/bulk/{seed}/{size}", func(w http.ResponseWriter, r *http.Request) {
		seed, err1 := strconv.ParseUint(r.PathValue("seed"), 10, 64)
		size, err2 := strconv.ParseInt(r.PathValue("size"), 10, 64)
		if err1 != nil || err2 != nil || size < 0 {
			http.Error(w, "bad seed or size", http.StatusBadRequest)
			return
		}
		w.Header().Set("Content-Type", "application/octet-stream")
		w.Header().Set("Content-Length", strconv.FormatInt(size, 10))
		io.Copy(w, bulkData(seed, 0, size))
	})
	mux.HandleFunc("/small/{i}", func(w http.ResponseWriter, r *http.Request) {
		i, err := strconv.ParseUint(r.PathValue("i"), 10, 64)
		if err != nil {
			http.Error(w, "bad index", http.StatusBadRequest)
			return
		}
		w.Header().Set("Content-Length", "1000")
		io.Copy(w, bulkData(i, 1, 1000))
	})
	return mux
}

// serveOnStack starts bulkHandler on the stack's port 80, calling
// connState (if not nil) as the server's ConnState hook.
func serveOnStack(t *testing.T, s *Stack, connState func(net.Conn, http.ConnState)) {
	t.Helper()
	ln, err := s.Listen("tcp", ":80")
	if err != nil {
		t.Fatal(err)
	}
	srv := &http.Server{Handler: bulkHandler(), ReadHeaderTimeout: 30 * time.Second, ConnState: connState}
	go srv.Serve(ln)
	t.Cleanup(func() { srv.Close() })
}

func curlFetchesFromStack(t *testing.T, env *linuxTCPEnv) {
	serveOnStack(t, env.s, nil)
	file := filepath.Join(t.TempDir(), "body")
	// --globoff: an IPv6 address's brackets are not one of curl's globs.
	url := fmt.Sprintf("http://%v/bulk/%d/%d", netip.AddrPortFrom(env.stack, 80), env.seed, linuxBulkSize)
	cmd := env.ns.Command("curl", "--globoff", "--silent", "--show-error", "--fail", "--max-time", "120",
		"--output", file, "--write-out", "%{size_download} %{speed_download} %{time_total}", url)
	var stderr strings.Builder
	cmd.Stderr = &stderr
	start := time.Now()
	out, err := cmd.Output()
	took := time.Since(start)
	defer env.report(t)
	if err != nil {
		t.Fatalf("seed %d: curl %s: %v\n%s%s", env.seed, url, err, out, stderr.String())
	}
	f, err := os.Open(file)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	checkBulk(t, env.seed, "curl's file", f)
	t.Logf("curl fetched %d MiB from the stack in %v: %.0f Mbit/s (curl says: %s bytes, %s bytes/s, %s s)",
		linuxBulkSize>>20, took.Round(time.Millisecond), linuxBulkSize*8/took.Seconds()/1e6, fieldsOf(out, 0), fieldsOf(out, 1), fieldsOf(out, 2))
}

func fieldsOf(b []byte, i int) string {
	f := strings.Fields(string(b))
	if i < len(f) {
		return f[i]
	}
	return "?"
}

// checkBulk reads r to its end and requires it to be bulkData(seed, 0,
// linuxBulkSize).
func checkBulk(t *testing.T, seed uint64, what string, r io.Reader) {
	t.Helper()
	w := newVerifyingWriter(bulkData(seed, 0, linuxBulkSize))
	_, err := io.Copy(w, r)
	switch {
	case err != nil:
		t.Errorf("seed %d: reading %s after %d bytes: %v", seed, what, w.n, err)
	case w.n != linuxBulkSize:
		t.Errorf("seed %d: %s has %d bytes, want %d", seed, what, w.n, linuxBulkSize)
	case w.sum() != bulkSum(seed, 0, linuxBulkSize):
		t.Errorf("seed %d: %s has the wrong SHA-256: %s", seed, what, w.damage())
	}
}

// linuxHelper is this test binary running TestTCPLinuxHelper inside a
// namespace: the kernel's TCP on the far side of the TAP.
type linuxHelper struct {
	stdin io.WriteCloser
	out   *bufio.Scanner
}

// startLinuxHelper runs the helper in ns with the given mode and
// arguments, and returns once it has printed its first line (which it
// returns).
func startLinuxHelper(t *testing.T, ns *netns.Namespace, mode string, args ...string) (*linuxHelper, string) {
	t.Helper()
	stdin, stdout := ns.StartTest(t, "TestTCPLinuxHelper",
		"MEDINA_TCP_HELPER="+mode, "MEDINA_TCP_HELPER_ARGS="+strings.Join(args, " "))
	h := &linuxHelper{stdin: stdin, out: bufio.NewScanner(stdout)}
	line, ok := h.line()
	if !ok {
		t.Fatalf("the helper in %s said nothing", ns.Name)
	}
	return h, line
}

// line returns the helper's next line of output that is its own (the
// testing package prints its verdict on the same stdout).
func (h *linuxHelper) line() (string, bool) {
	for h.out.Scan() {
		if s, ok := strings.CutPrefix(h.out.Text(), "helper: "); ok {
			return s, true
		}
	}
	return "", false
}

// helperAddr is where the helper's server listens, in the namespace.
func (env *linuxTCPEnv) helperAddr() netip.AddrPort { return netip.AddrPortFrom(env.kernel, 8080) }

func stackClient(s *Stack, keepAlive bool) *http.Client {
	return &http.Client{Transport: &http.Transport{
		DialContext:         s.DialContext,
		DisableCompression:  true,
		DisableKeepAlives:   !keepAlive,
		MaxIdleConnsPerHost: 100,
	}}
}

func stackFetchesFromLinux(t *testing.T, env *linuxTCPEnv) {
	helperAddr := env.helperAddr()
	startLinuxHelper(t, env.ns, "serve", helperAddr.String())
	defer env.report(t)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	url := fmt.Sprintf("http://%v/bulk/%d/%d", helperAddr, env.seed, linuxBulkSize)
	req, _ := http.NewRequestWithContext(ctx, "GET", url, nil)
	start := time.Now()
	resp, err := stackClient(env.s, false).Do(req)
	if err != nil {
		t.Fatalf("seed %d: GET %s through the stack: %v", env.seed, url, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("seed %d: GET %s: %s", env.seed, url, resp.Status)
	}
	checkBulk(t, env.seed, "the body from Linux", resp.Body)
	took := time.Since(start)
	t.Logf("the stack fetched %d MiB from Linux in %v: %.0f Mbit/s", linuxBulkSize>>20, took.Round(time.Millisecond), linuxBulkSize*8/took.Seconds()/1e6)
}

// Short connections: this many in all, this many at a time.
const (
	shortConns    = 1000
	shortParallel = 100
)

func linuxClientsToStack(t *testing.T, env *linuxTCPEnv) {
	var open, peak atomic.Int64
	serveOnStack(t, env.s, func(c net.Conn, st http.ConnState) {
		switch st {
		case http.StateNew:
			n := open.Add(1)
			for p := peak.Load(); n > p && !peak.CompareAndSwap(p, n); p = peak.Load() {
			}
		case http.StateClosed, http.StateHijacked:
			open.Add(-1)
		}
	})
	defer env.report(t)
	start := time.Now()
	_, summary := startLinuxHelper(t, env.ns, "clients", fmt.Sprintf("http://%v", netip.AddrPortFrom(env.stack, 80)), strconv.Itoa(shortConns), strconv.Itoa(shortParallel))
	took := time.Since(start)
	ok, failed, firstErr := parseClientSummary(summary)
	if ok != shortConns || failed != 0 {
		t.Errorf("seed %d: of %d connections from Linux, %d succeeded and %d failed; the first error: %s", env.seed, shortConns, ok, failed, firstErr)
	}
	t.Logf("%d connections from Linux (%d at a time, at most %d open at the stack at once) in %v: %.0f a second",
		ok, shortParallel, peak.Load(), took.Round(time.Millisecond), float64(ok)/took.Seconds())
	ts := env.s.TCPStats()
	if ts.PassiveOpens != shortConns {
		t.Errorf("the stack counted %d passive opens, want %d", ts.PassiveOpens, shortConns)
	}
	if ts.Timeouts != 0 {
		cleanLinkTimeouts(t, env.seed, ts.Timeouts)
	}
}

func stackClientsToLinux(t *testing.T, env *linuxTCPEnv) {
	helperAddr := env.helperAddr()
	startLinuxHelper(t, env.ns, "serve", helperAddr.String())
	defer env.report(t)
	client := stackClient(env.s, false)
	// One request first, so that the stack knows Linux's MAC address: a
	// hundred SYNs at once to an unresolved neighbour overflow the ARP
	// queue (arp.DefaultMaxQueued is 8), and most of them wait a second
	// for their retransmission. That is ARP's business, not TCP's.
	if err := fetchSmall(client, "http://"+helperAddr.String(), 0); err != nil {
		t.Fatalf("seed %d: the first request: %v", env.seed, err)
	}
	start := time.Now()
	ok, failed, firstErr := runShortClients(client, "http://"+helperAddr.String(), shortConns, shortParallel)
	took := time.Since(start)
	if ok != shortConns || failed != 0 {
		t.Errorf("seed %d: of %d connections from the stack, %d succeeded and %d failed; the first error: %v", env.seed, shortConns, ok, failed, firstErr)
	}
	t.Logf("%d connections from the stack to Linux (%d at a time) in %v: %.0f a second", ok, shortParallel, took.Round(time.Millisecond), float64(ok)/took.Seconds())
	ts := env.s.TCPStats()
	if ts.ActiveOpens != shortConns+1 {
		t.Errorf("the stack counted %d active opens, want %d", ts.ActiveOpens, shortConns+1)
	}
	// Nothing is lost on this link: a timeout is a connection that
	// waited a second or more for nothing. (One known way: an ephemeral
	// port used again while Linux holds the last connection on it in
	// TIME-WAIT, with a timestamp that went backwards across the two
	// connections, so that Linux's PAWS turns the new SYN away.)
	if ts.Timeouts != 0 {
		cleanLinkTimeouts(t, env.seed, ts.Timeouts)
	}
}

// runShortClients fetches /small/0 to /small/total-1 from base, parallel
// at a time, each on a connection of its own, and checks every body.
func runShortClients(client *http.Client, base string, total, parallel int) (ok, failed int, firstErr error) {
	var mu sync.Mutex
	next := 0
	var wg sync.WaitGroup
	for range parallel {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				mu.Lock()
				i := next
				next++
				mu.Unlock()
				if i >= total {
					return
				}
				err := fetchSmall(client, base, i)
				mu.Lock()
				if err != nil {
					failed++
					if firstErr == nil {
						firstErr = err
					}
				} else {
					ok++
				}
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	return ok, failed, firstErr
}

func fetchSmall(client *http.Client, base string, i int) error {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, "GET", fmt.Sprintf("%s/small/%d", base, i), nil)
	resp, err := client.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("GET /small/%d: %s", i, resp.Status)
	}
	w := newVerifyingWriter(bulkData(uint64(i), 1, 1000))
	if _, err := io.Copy(w, resp.Body); err != nil {
		return fmt.Errorf("GET /small/%d: reading the body: %w", i, err)
	}
	if w.n != 1000 || w.badAt >= 0 {
		return fmt.Errorf("GET /small/%d: %d bytes; %s", i, w.n, w.damage())
	}
	return nil
}

func parseClientSummary(s string) (ok, failed int, firstErr string) {
	f := strings.SplitN(s, " ", 3)
	if len(f) < 2 {
		return 0, 0, "the helper's summary is " + strconv.Quote(s)
	}
	ok, _ = strconv.Atoi(f[0])
	failed, _ = strconv.Atoi(f[1])
	if len(f) == 3 {
		firstErr = f[2]
	}
	return ok, failed, firstErr
}

// TestTCPLinuxHelper is not a test: TestTCPLinuxPeer runs this binary
// again inside a namespace with MEDINA_TCP_HELPER set, to be the kernel's
// side of a conversation with Go's net package, which uses the kernel's
// TCP. Mode "serve ADDR" serves bulkHandler on ADDR until its standard
// input closes; mode "clients BASE TOTAL PARALLEL" runs runShortClients
// and prints "ok failed first-error". Its own lines start "helper: ".
func TestTCPLinuxHelper(t *testing.T) {
	mode := os.Getenv("MEDINA_TCP_HELPER")
	if mode == "" {
		return
	}
	args := strings.Fields(os.Getenv("MEDINA_TCP_HELPER_ARGS"))
	switch mode {
	case "serve":
		ln, err := net.Listen("tcp", args[0])
		if err != nil {
			fmt.Printf("helper: listen: %v\n", err)
			os.Exit(1)
		}
		srv := &http.Server{Handler: bulkHandler()}
		go srv.Serve(ln)
		fmt.Printf("helper: listening on %v\n", ln.Addr())
		io.Copy(io.Discard, os.Stdin)
		srv.Close()
	case "clients":
		total, _ := strconv.Atoi(args[1])
		parallel, _ := strconv.Atoi(args[2])
		client := &http.Client{Transport: &http.Transport{DisableKeepAlives: true, DisableCompression: true}}
		ok, failed, firstErr := runShortClients(client, args[0], total, parallel)
		msg := ""
		if firstErr != nil {
			msg = firstErr.Error()
		}
		fmt.Printf("helper: %d %d %s\n", ok, failed, msg)
	default:
		fmt.Printf("helper: unknown mode %q\n", mode)
		os.Exit(1)
	}
}

// checkOffload asserts, on an offloading TAP, that the kernel did send
// super-packets (what the offload path is for: a transfer from Linux of
// megabytes goes in packets of up to 64 KiB), that the device could take
// every one of them, and that the stack took them whole
// (link.OffloadReader), but through the impairment wrapper, which must
// see wire-size frames and so reads them cut.
func (env *linuxTCPEnv) checkOffload(t *testing.T, impaired bool) {
	t.Helper()
	st, on := env.k.offloadStats()
	if !on {
		return
	}
	t.Logf("offload: %d super-packets (%d taken whole), %d segments, %d checksums completed, %d dropped",
		st.RxSuperPackets, st.RxSuperWhole, st.RxSegments, st.RxCsumCompleted, st.RxDropped)
	if st.RxSuperPackets == 0 || st.RxSegments < 2*st.RxSuperPackets {
		t.Errorf("the kernel sent %d super-packets (%d frames): offloads not in use", st.RxSuperPackets, st.RxSegments)
	}
	if st.RxDropped != 0 {
		t.Errorf("%d packets from the kernel could not be cut or completed", st.RxDropped)
	}
	switch {
	case impaired && st.RxSuperWhole != 0:
		t.Errorf("%d super-packets handed whole through the impairment wrapper", st.RxSuperWhole)
	case !impaired && st.RxSuperWhole != st.RxSuperPackets:
		t.Errorf("of %d super-packets, the stack took %d whole: want all", st.RxSuperPackets, st.RxSuperWhole)
	}
	if in := env.s.Stats().Link.InSuperFrames; in != st.RxSuperWhole {
		t.Errorf("the device handed %d super-packets whole, the stack counted %d", st.RxSuperWhole, in)
	}
}

// checkOffloadSend asserts, on an offloading TAP, that the stack sent
// its 50 MB as TCP super-frames. Through the impairment wrapper, which
// must see wire-size frames, it must have sent none.
func (env *linuxTCPEnv) checkOffloadSend(t *testing.T, impaired bool) {
	t.Helper()
	st, on := env.k.offloadStats()
	if !on {
		return
	}
	t.Logf("offload: %d super-frames written, %d frames in all", st.TxSuperPackets, st.TxFrames)
	switch {
	case impaired && st.TxSuperPackets != 0:
		t.Errorf("%d super-frames written through the impairment wrapper", st.TxSuperPackets)
	case !impaired && st.TxSuperPackets == 0:
		t.Error("no super-frames written: the stack did not use segmentation offload")
	}
}

// cleanLinkTimeouts fails t for retransmission timeouts on a clean link:
// a timeout there is a segment or an ACK that went missing, or one that
// waited 200 ms or more somewhere. Under the race detector the stack is
// slow enough for the latter to happen without a fault, and the count is
// only logged.
func cleanLinkTimeouts(t *testing.T, seed uint64, timeouts uint64) {
	t.Helper()
	if raceEnabled {
		t.Logf("seed %d: the retransmission timer expired %d times (not checked under the race detector)", seed, timeouts)
		return
	}
	t.Errorf("seed %d: on a clean link the stack's retransmission timer expired %d times", seed, timeouts)
}
