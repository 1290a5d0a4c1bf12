package stack

import (
	"fmt"
	"io"
	"net/http"
	"net/netip"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/medina-net/medina/internal/netns"
	"github.com/medina-net/medina/ipv4"
	"github.com/medina-net/medina/link/tap"
)

// The attack suite's Linux side: floods from hping3, and Linux clients
// reusing ports, in a network namespace over a TAP. Attack traffic stays
// in the namespace the test makes; spoofed sources come from the
// benchmarking range 198.18.0.0/15 (never hping3's --rand-source, which
// draws public addresses), and every flood is bounded in count.

// linuxAttackEnv is a stack on a TAP whose kernel side, in a namespace
// of its own, is the attacker and the legitimate client at once: the
// stack's gateway is the kernel's address, so that its answers to the
// spoofed sources go there, and die (the namespace does not forward).
type linuxAttackEnv struct {
	s  *Stack
	ns *netns.Namespace
}

func newLinuxAttackEnv(t *testing.T, cfg Config) *linuxAttackEnv {
	t.Helper()
	netns.NeedTools(t, "hping3", "ping", "socat")
	tp := netns.NewTAP(t, tap.Config{})
	cfg.Addr = netip.PrefixFrom(netns.StackAddr, 24)
	cfg.Gateway = netns.KernelAddr
	s, err := New(tp.Dev, cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	ln, err := s.Listen("tcp", ":7")
	if err != nil {
		t.Fatal(err)
	}
	go serveTCPEcho(ln)
	return &linuxAttackEnv{s: s, ns: tp.NS}
}

// hping runs hping3 in the namespace with args, bounded by -c in each
// call, and fails t if it cannot run.
func (env *linuxAttackEnv) hping(t *testing.T, args ...string) {
	t.Helper()
	// hping3 exits 1 when no reply came, which is what a flood from
	// spoofed sources expects.
	out, err := env.ns.Command(append([]string{"hping3", "-q"}, args...)...).CombinedOutput()
	if err != nil && !strings.Contains(string(out), "packets transmitted") {
		t.Fatalf("hping3 %s: %v: %s", strings.Join(args, " "), err, out)
	}
}

// served checks that a Linux client in the namespace is still served: a
// TCP echo through socat, and a ping of size bytes (fragmented when it
// is more than the MTU allows).
func (env *linuxAttackEnv) served(t *testing.T, size int) {
	t.Helper()
	// Three tries, as for the ping below: the flood fills the TAP's
	// queue, and a client whose SYN or data the queue drops waits for its
	// own retransmission, which under the race detector's slowness can
	// outlast socat's patience.
	var out []byte
	var err error
	for range 3 {
		cmd := env.ns.Command("socat", "-t", "5", "-T", "10", "-", "TCP:"+netns.StackAddr.String()+":7,connect-timeout=10")
		cmd.Stdin = strings.NewReader("legitimate\n")
		if out, err = cmd.CombinedOutput(); err == nil && string(out) == "legitimate\n" {
			break
		}
	}
	if err != nil || string(out) != "legitimate\n" {
		t.Errorf("a Linux client's TCP echo, three tries: %q, %v", out, err)
	}
	// Three echoes, of which one must come back: during a flood the
	// TAP's queue toward the stack overflows and drops frames before the
	// stack sees them, as a congested link would, and a client would try
	// again too. ping exits 0 when any reply comes.
	if out, err := netns.RunIn(env.ns, "ping", "-c", "3", "-i", "0.2", "-W", "5", "-s", fmt.Sprint(size), netns.StackAddr.String()); err != nil {
		t.Errorf("a Linux client's ping of %d bytes: %v: %s", size, err, out)
	}
}

// TestLinuxSYNFlood: hping3 floods the stack with 40,000 SYNs from eight
// spoofed sources of 198.18.0.0/15, while a Linux client talks to it.
// SYN cookies answer past the backlog, the half-open connections stay
// within it, and the client is served during and after the flood.
func TestLinuxSYNFlood(t *testing.T) {
	env := newLinuxAttackEnv(t, Config{})
	var wg sync.WaitGroup
	for i := range 8 {
		src := spoofed(1000 + i)
		wg.Go(func() {
			env.hping(t, "-S", "-p", "7", "-c", "5000", "-i", "u10", "-a", src.String(), netns.StackAddr.String())
		})
	}
	time.Sleep(100 * time.Millisecond)
	env.served(t, 56) // during
	wg.Wait()
	st := env.s.TCPStats()
	t.Logf("SYN flood from hping3: %d passive opens (until the SYN backlog filled), %d SYN cookies sent, %d half-open connections left", st.PassiveOpens, st.SYNCookiesSent, env.s.tcp.NumConns())
	if st.SYNCookiesSent == 0 {
		t.Error("no SYN cookie was sent")
	}
	if n := env.s.tcp.NumConns(); n > 256+8 {
		t.Errorf("%d connections in the table after the flood", n)
	}
	env.served(t, 56) // after
}

// TestLinuxFragmentFlood: hping3 sends 20,000 first fragments that never
// complete, and then fragments of 16 bytes, while a Linux client pings
// the stack with datagrams that must be reassembled. The reassembly
// memory stays within its bound and the client's pings get through.
func TestLinuxFragmentFlood(t *testing.T) {
	env := newLinuxAttackEnv(t, Config{})
	var wg sync.WaitGroup
	wg.Go(func() {
		env.hping(t, "-2", "-p", "7", "-x", "-d", "1200", "-c", "20000", "-i", "u10", netns.StackAddr.String())
	})
	wg.Go(func() {
		env.hping(t, "-1", "-f", "-d", "1000", "-c", "200", "-i", "u1000", netns.StackAddr.String())
	})
	time.Sleep(200 * time.Millisecond)
	env.served(t, 4000) // during
	wg.Wait()
	st := env.s.Stats().IP
	rs := env.s.reasm.Stats()
	t.Logf("fragment flood from hping3: %d fragments, %d reassembled, %d failures; reassembly holds %d bytes in %d datagrams", st.ReasmReqds, st.ReasmOKs, st.ReasmFails, rs.Bytes, rs.Datagrams)
	if rs.Bytes > ipv4.DefaultReassemblyMaxBytes || rs.Datagrams > ipv4.DefaultReassemblyMaxDatagrams {
		t.Errorf("reassembly over its bounds: %d bytes in %d datagrams", rs.Bytes, rs.Datagrams)
	}
	if st.ReasmFails < 1000 {
		t.Errorf("ReasmFails %d after 20,000 fragments that cannot complete", st.ReasmFails)
	}
	env.served(t, 4000) // after
}

// TestLinuxTimeWaitReuse: a Linux client that may use only five local
// ports makes 60 HTTP/1.0 requests, one after the other, to the stack's
// net/http server, which closes first and so keeps each connection in
// TIME-WAIT. Each new SYN on a four-tuple in TIME-WAIT opens a new
// connection (RFC 6191). Before, it drew an ACK (or a challenge ACK,
// when its sequence number fell in the window) that Linux, in SYN-SENT,
// answered with a reset, sending its SYN again 10 ms later (a second
// later, when that reset is lost).
func TestLinuxTimeWaitReuse(t *testing.T) {
	netns.Available(t)
	netns.NeedTools(t, "curl")
	tp := netns.NewTAP(t, tap.Config{})
	s, err := New(tp.Dev, Config{Addr: netip.PrefixFrom(netns.StackAddr, 24)})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	ln, err := s.Listen("tcp", ":80")
	if err != nil {
		t.Fatal(err)
	}
	// The body goes without a length (a flush before the handler ends),
	// so that an HTTP/1.0 client reads it to the server's FIN: the
	// server closes first, and its side waits in TIME-WAIT.
	srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, "ok\n")
		w.(http.Flusher).Flush()
	})}
	go srv.Serve(ln)
	defer srv.Close()
	tp.NS.Run(t, "sysctl", "-q", "-w", "net.ipv4.ip_local_port_range=40000 40004")

	const requests = 60
	url := fmt.Sprintf("http://%v/", netns.StackAddr)
	script := fmt.Sprintf(`for i in $(seq %d); do curl -s --http1.0 --max-time 10 -o /dev/null -w '%%{http_code}\n' %s || echo fail; done`, requests, url)
	start := time.Now()
	out, err := tp.NS.Command("sh", "-c", script).CombinedOutput()
	took := time.Since(start)
	if err != nil {
		t.Fatalf("curl loop: %v: %s", err, out)
	}
	if got := strings.Count(string(out), "200\n"); got != requests {
		t.Errorf("%d of %d requests answered 200: %s", got, requests, out)
	}
	st := s.TCPStats()
	t.Logf("%d HTTP/1.0 requests from 5 local ports in %v (%.0f/s); TIME-WAIT reused %d times, %d challenge ACKs",
		requests, took.Round(time.Millisecond), requests/took.Seconds(), st.TimeWaitReused, st.ChallengeACKs)
	if st.TimeWaitReused < requests-5 {
		t.Errorf("TIME-WAIT reused %d times for %d requests from 5 ports", st.TimeWaitReused, requests)
	}
	if st.ChallengeACKs != 0 {
		t.Errorf("%d challenge ACKs: SYNs on four-tuples in TIME-WAIT were refused", st.ChallengeACKs)
	}
}

// BenchmarkLinuxHTTP10 measures an HTTP/1.0 load on the stack's net/http
// server over a TAP: ab (ApacheBench) in the namespace, 8 requests at a
// time, each on a connection of its own that the server closes first,
// from 1,000 local ports, so that new connections soon come on
// four-tuples the stack still holds in TIME-WAIT (as they do after 28,000
// connections with Linux's default range). It reports requests a second
// and how many connections reopened a four-tuple in TIME-WAIT.
//
//	go test ./stack -run '^$' -bench LinuxHTTP10 -benchtime 20000x
func BenchmarkLinuxHTTP10(b *testing.B) {
	netns.Available(b)
	netns.NeedTools(b, "ab")
	tp := netns.NewTAP(b, tap.Config{})
	s, err := New(tp.Dev, Config{Addr: netip.PrefixFrom(netns.StackAddr, 24)})
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	ln, err := s.Listen("tcp", ":80")
	if err != nil {
		b.Fatal(err)
	}
	srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, "ok\n")
	})}
	go srv.Serve(ln)
	defer srv.Close()
	tp.NS.Run(b, "sysctl", "-q", "-w", "net.ipv4.ip_local_port_range=40000 40999")
	url := fmt.Sprintf("http://%v/", netns.StackAddr)
	b.ResetTimer()
	out, err := tp.NS.Command("ab", "-q", "-n", fmt.Sprint(max(b.N, 8)), "-c", "8", url).CombinedOutput()
	b.StopTimer()
	if err != nil {
		b.Fatalf("ab: %v: %s", err, out)
	}
	for _, line := range strings.Split(string(out), "\n") {
		if rest, ok := strings.CutPrefix(line, "Failed requests:"); ok && strings.TrimSpace(rest) != "0" {
			b.Errorf("ab: %s", line)
		}
	}
	st := s.TCPStats()
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "req/s")
	b.ReportMetric(float64(st.TimeWaitReused), "tw-reused")
	b.ReportMetric(float64(st.ChallengeACKs), "challenge-acks")
}
