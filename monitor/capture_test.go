package monitor

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"os/exec"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/medina-net/medina/dump"
	"github.com/medina-net/medina/link/pipe"
	"github.com/medina-net/medina/pcap"
	"github.com/medina-net/medina/stack"
)

// printStream reads a pcapng stream as netdump -r - does (package pcap's
// reader, package dump's printer, times in UTC) and returns the lines.
func printStream(r io.Reader) (string, error) {
	pr, err := pcap.NewReader(r)
	if err != nil {
		return "", err
	}
	var out bytes.Buffer
	p := dump.New(&out, dump.Options{Location: time.UTC})
	for {
		pkt, err := pr.Next()
		if err == io.EOF {
			return out.String(), nil
		}
		if err != nil {
			return out.String(), err
		}
		p.Packet(pkt)
	}
}

// TestCaptureTcpdump streams a filtered live capture over HTTP to two
// readers at once, curl piped into the real tcpdump (when both are
// installed) and netdump's reader and printer, while three connections
// open; the filter keeps the SYNs, count ends the streams after the six
// of them. Both readers must print the same six lines.
func TestCaptureTcpdump(t *testing.T) {
	a, b := newPair(t, pipe.Config{})
	m := New(a, Options{})
	srv := httptest.NewServer(m)
	defer srv.Close()
	q := url.Values{"filter": {"tcp[tcpflags] & tcp-syn != 0"}, "count": {"6"}}
	u := srv.URL + "/pcap?" + q.Encode()

	var wg sync.WaitGroup
	var tcpdumpOut, tcpdumpErr bytes.Buffer
	var tcpdumpRun error
	streams := 1
	curl, errCurl := exec.LookPath("curl")
	tcpdump, errTcpdump := exec.LookPath("tcpdump")
	if errCurl == nil && errTcpdump == nil {
		streams++
		cmd := exec.Command("sh", "-c", `"$CURL" -sN "$URL" | "$TCPDUMP" -nr -`)
		cmd.Env = append(os.Environ(), "CURL="+curl, "TCPDUMP="+tcpdump, "URL="+u, "TZ=UTC")
		cmd.Stdout, cmd.Stderr = &tcpdumpOut, &tcpdumpErr
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			tcpdumpRun = cmd.Wait()
		}()
	} else {
		t.Log("curl or tcpdump not installed: netdump's reader only")
	}
	var netdumpOut string
	var netdumpErr error
	resp, err := http.Get(u)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if ct := resp.Header.Get("Content-Type"); resp.StatusCode != 200 || ct != "application/x-pcapng" {
		t.Fatalf("%s, %s", resp.Status, ct)
	}
	wg.Add(1)
	go func() {
		defer wg.Done()
		netdumpOut, netdumpErr = printStream(resp.Body)
	}()
	waitFor(t, "both streams to start", func() bool { return m.sinks.Load() == int64(streams) })

	for range 3 {
		echo(t, b, 100).Close()
	}
	done := make(chan struct{})
	go func() { wg.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(20 * time.Second):
		t.Fatal("the streams did not end")
	}
	if netdumpErr != nil {
		t.Fatal(netdumpErr)
	}
	lines := strings.Split(strings.TrimSuffix(netdumpOut, "\n"), "\n")
	syns, synAcks := 0, 0
	for _, l := range lines {
		switch {
		case strings.Contains(l, "10.0.0.2.") && strings.Contains(l, "> 10.0.0.1.80: Flags [S],"):
			syns++
		case strings.Contains(l, "10.0.0.1.80 > 10.0.0.2.") && strings.Contains(l, "Flags [S.],"):
			synAcks++
		}
	}
	if len(lines) != 6 || syns != 3 || synAcks != 3 {
		t.Errorf("netdump's reader printed:\n%s", netdumpOut)
	}
	if streams == 2 {
		if tcpdumpRun != nil {
			t.Errorf("curl | tcpdump: %v: %s", tcpdumpRun, tcpdumpErr.String())
		}
		if !strings.Contains(tcpdumpErr.String(), "link-type EN10MB") {
			t.Errorf("tcpdump said: %s", tcpdumpErr.String())
		}
		t.Logf("tcpdump printed:\n%s", tcpdumpOut.String())
		if tcpdumpOut.String() != netdumpOut {
			t.Errorf("tcpdump printed:\n%s\nnetdump's reader:\n%s", tcpdumpOut.String(), netdumpOut)
		}
	}
	waitFor(t, "the captures to end", func() bool { return m.captures.Load() == 0 })
}

// readCapture runs Capture into a pipe and reads the stream with package
// pcap, until stop is called; it returns the packets read and the
// capture's result.
func readCapture(t *testing.T, m *Monitor, opts CaptureOptions) (stop func() ([]pcap.Packet, CaptureStats, error)) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	pr, pw := io.Pipe()
	type result struct {
		st  CaptureStats
		err error
	}
	res := make(chan result, 1)
	go func() {
		st, err := m.Capture(ctx, pw, opts)
		pw.Close()
		res <- result{st, err}
	}()
	var pkts []pcap.Packet
	read := make(chan error, 1)
	go func() {
		r, err := pcap.NewReader(pr)
		if err != nil {
			read <- err
			return
		}
		for {
			p, err := r.Next()
			if err != nil {
				if err == io.EOF {
					err = nil
				}
				read <- err
				return
			}
			c := *p
			c.Data = bytes.Clone(p.Data)
			pkts = append(pkts, c)
		}
	}()
	waitFor(t, "the capture to start", func() bool { return m.sinks.Load() > 0 })
	return func() ([]pcap.Packet, CaptureStats, error) {
		cancel()
		r := <-res
		if err := <-read; err != nil {
			t.Fatalf("reading the stream: %v", err)
		}
		return pkts, r.st, r.err
	}
}

// linkFrames is the frames the stack received and sent so far.
func linkFrames(s *stack.Stack) uint64 {
	l := s.Stats().Link
	return l.InFrames + l.OutFrames
}

// TestCaptureStream captures both directions of an exchange with a snap
// length and checks the stream against the stack's own count of frames:
// every frame there, cut to the snap length with its length on the wire
// kept, its direction recorded.
func TestCaptureStream(t *testing.T) {
	a, b := newPair(t, pipe.Config{})
	echo(t, b, 10).Close() // ARP done before the capture
	waitFor(t, "the connection to close", func() bool { return a.NumTCPConns() == 0 })
	m := New(a, Options{})
	before := linkFrames(a)
	stop := readCapture(t, m, CaptureOptions{Snaplen: 96})
	echo(t, b, 200000).Close()
	waitFor(t, "the connection to close", func() bool { return a.NumTCPConns() == 0 })
	frames := linkFrames(a) - before
	pkts, st, err := stop()
	if !errors.Is(err, context.Canceled) {
		t.Errorf("Capture returned %v", err)
	}
	if uint64(len(pkts)) != frames || st.Frames != frames || st.Dropped != 0 {
		t.Fatalf("stream has %d frames, Capture says %d written, %d dropped; the stack moved %d", len(pkts), st.Frames, st.Dropped, frames)
	}
	dirs := map[pcap.Direction]int{}
	long := 0
	for _, p := range pkts {
		if len(p.Data) > 96 || p.Length < len(p.Data) {
			t.Fatalf("a packet of %d bytes captured, %d on the wire", len(p.Data), p.Length)
		}
		if p.Length > 96 {
			long++
		}
		dirs[pcap.Direction(p.Flags&3)]++
	}
	if long < 100 || dirs[pcap.DirectionInbound] < 100 || dirs[pcap.DirectionOutbound] < 100 || len(dirs) != 2 {
		t.Errorf("%d long packets; by direction %v", long, dirs)
	}
	if got := m.Vars().Capture; got.Frames != frames || got.Streams != 1 || got.Active != 0 {
		t.Errorf("counters %+v", got)
	}
}

// blockingWriter lets the first n bytes through, then blocks every
// write until released: a reader that stopped reading.
type blockingWriter struct {
	mu      sync.Mutex
	n       int
	release chan struct{}
}

func (w *blockingWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	pass := w.n > 0
	w.n -= len(p)
	w.mu.Unlock()
	if !pass {
		<-w.release
	}
	return len(p), nil
}

// TestCaptureSlowReader checks that a capture whose reader stops does
// not slow the stack down: the transfer completes, the frames that did
// not fit are dropped and counted, and every frame is either written or
// counted as dropped.
func TestCaptureSlowReader(t *testing.T) {
	a, b := newPair(t, pipe.Config{})
	echo(t, b, 10).Close()
	waitFor(t, "the connection to close", func() bool { return a.NumTCPConns() == 0 })
	m := New(a, Options{CaptureBuffer: 16 << 10})
	w := &blockingWriter{n: 1, release: make(chan struct{})}
	ctx, cancel := context.WithCancel(context.Background())
	res := make(chan CaptureStats, 1)
	before := linkFrames(a)
	go func() {
		st, _ := m.Capture(ctx, w, CaptureOptions{})
		res <- st
	}()
	waitFor(t, "the capture to start", func() bool { return m.sinks.Load() == 1 })
	echo(t, b, 1<<20).Close()
	waitFor(t, "the connection to close", func() bool { return a.NumTCPConns() == 0 })
	frames := linkFrames(a) - before
	close(w.release)
	cancel()
	st := <-res
	if st.Dropped == 0 || st.Frames+st.Dropped != frames {
		t.Errorf("written %d + dropped %d, the stack moved %d frames", st.Frames, st.Dropped, frames)
	}
	fams, _ := scrape(t, m)
	if got := value(t, fams, "medina_capture_dropped_frames_total"); got != float64(st.Dropped) {
		t.Errorf("metric says %v dropped, Capture %d", got, st.Dropped)
	}
}

// TestCaptureHandlerErrors checks the answers to bad query parameters
// and to a capture past the limit.
func TestCaptureHandlerErrors(t *testing.T) {
	a, _ := newPair(t, pipe.Config{})
	m := New(a, Options{MaxCaptures: 1})
	for _, x := range []struct{ query, want string }{
		{"filter=tcp+port", "syntax error"},
		{"filter=ether+proto+nonsense", "nonsense"},
		{"snaplen=-1", "bad snaplen"},
		{"snaplen=300000", "snapshot length"},
		{"count=x", "bad count"},
	} {
		rec := httptest.NewRecorder()
		m.ServeHTTP(rec, httptest.NewRequest("GET", "/pcap?"+x.query, nil))
		if rec.Code != http.StatusBadRequest || !strings.Contains(rec.Body.String(), x.want) {
			t.Errorf("%s: %d %q", x.query, rec.Code, rec.Body.String())
		}
	}
	stop := readCapture(t, m, CaptureOptions{})
	rec := httptest.NewRecorder()
	m.ServeHTTP(rec, httptest.NewRequest("GET", "/pcap", nil))
	if rec.Code != http.StatusServiceUnavailable {
		t.Errorf("a second capture: %d %q", rec.Code, rec.Body.String())
	}
	stop()
	if n := m.captures.Load(); n != 0 {
		t.Errorf("%d captures left running", n)
	}
}

// TestCaptureConcurrent runs several captures at once, filtered
// differently, while traffic flows both ways, and stops them in turn:
// for the race detector, and each capture must see its share.
func TestCaptureConcurrent(t *testing.T) {
	a, b := newPair(t, pipe.Config{})
	m := New(a, Options{})
	var stops []func() ([]pcap.Packet, CaptureStats, error)
	for _, f := range []string{"", "tcp", "arp or icmp", "tcp and src host 10.0.0.1"} {
		stops = append(stops, readCapture(t, m, CaptureOptions{Filter: f, Snaplen: 128}))
	}
	waitFor(t, "the captures to start", func() bool { return m.sinks.Load() == int64(len(stops)) })
	var wg sync.WaitGroup
	for range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			echo(t, b, 50000).Close()
		}()
	}
	wg.Wait()
	waitFor(t, "the connections to close", func() bool { return a.NumTCPConns() == 0 })
	counts := make([]int, len(stops))
	for i, stop := range stops {
		pkts, _, _ := stop()
		counts[i] = len(pkts)
	}
	if counts[0] == 0 || counts[1] == 0 || counts[1] >= counts[0] || counts[3] == 0 || counts[3] >= counts[1] {
		t.Errorf("frames per capture (all, tcp, arp or icmp, tcp from a): %v", counts)
	}
}

// TestCaptureStalledClient checks that a client that asks for a capture
// and stops reading without going away loses it once a write has waited
// Options.CaptureStall, and frees its place.
func TestCaptureStalledClient(t *testing.T) {
	a, b := newPair(t, pipe.Config{})
	m := New(a, Options{CaptureStall: 200 * time.Millisecond, MaxCaptures: 1})
	srv := httptest.NewServer(m)
	defer srv.Close()
	c, err := net.Dial("tcp", srv.Listener.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	c.(*net.TCPConn).SetReadBuffer(4096)
	if _, err := io.WriteString(c, "GET /pcap HTTP/1.1\r\nHost: medina\r\n\r\n"); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "the capture to start", func() bool { return m.sinks.Load() == 1 })
	// Enough traffic to fill the sockets' buffers between the capture
	// and the client that does not read.
	for range 4 {
		echo(t, b, 8<<20).Close()
		if m.captures.Load() == 0 {
			break
		}
	}
	waitFor(t, "the stalled capture to end", func() bool { return m.captures.Load() == 0 })
	if got := m.Vars().Capture; got.Frames == 0 || got.Streams != 1 {
		t.Errorf("counters %+v", got)
	}
}
