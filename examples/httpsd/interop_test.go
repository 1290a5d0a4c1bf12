package main

import (
	"bytes"
	"context"
	"crypto/sha256"
	"fmt"
	"io"
	"log"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/medina-net/medina/internal/netns"
	"github.com/medina-net/medina/pcap"
	"github.com/medina-net/medina/tcpstream"
	"github.com/medina-net/medina/tls"
)

// interopBytes is the size of the body curl fetches from /bytes.
const interopBytes = 5000000

// TestCurlInterop runs httpsd as main does (run, with -pcap,
// -insecure-keylog and -write-cert, the certificate made at start) on a
// TAP whose kernel side is moved into a network namespace, the way the
// README shows, and has Linux's curl fetch from it over the kernel's TCP:
// "/" by address, "/bytes?n=5000000" and a POST to "/echo" by name, each
// checked against its SHA-256, with curl verifying the certificate
// (--cacert). Then the recording must hold a DSB for each secret, before
// the records it decrypts, the same lines as the key log file; and, when
// tshark is installed, tshark must decrypt the HTTP exchange from that
// one file (no key log given), and so must medina's own decoder, the
// pipeline of netdump's TLS view, to the very bytes served.
//
// It needs root, /dev/net/tun, ip(8) and curl, and skips with the reason
// without them.
func TestCurlInterop(t *testing.T) {
	netns.Available(t)
	if _, err := exec.LookPath("curl"); err != nil {
		t.Skipf("curl is not installed: %v", err)
	}
	dir := t.TempDir()
	o := options{
		tap:       "mdhttps%d",
		addr:      netns.StackAddr.String() + "/24",
		port:      443,
		name:      sessionName,
		writeCert: filepath.Join(dir, "cert.pem"),
		pcap:      filepath.Join(dir, "https.pcapng"),
		keyLog:    filepath.Join(dir, "keys.log"),
		grace:     10 * time.Second,
	}
	logw := newLogWatch("stack up on ")
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- run(ctx, o, log.New(logw, "httpsd: ", 0)) }()
	stopped := false
	stop := func() {
		if !stopped {
			stopped = true
			cancel()
			if err := <-done; err != nil {
				t.Errorf("run: %v", err)
			}
		}
	}
	t.Cleanup(stop)

	// The TAP run made goes into a namespace of its own, where the
	// kernel's side gets the address of a host on the stack's link.
	var line string
	select {
	case line = <-logw.matched:
	case err := <-done:
		t.Fatalf("run: %v", err)
	case <-time.After(10 * time.Second):
		t.Fatal("httpsd did not come up in 10 s")
	}
	ifname, _, _ := strings.Cut(strings.TrimPrefix(line[strings.Index(line, "stack up on "):], "stack up on "), ":")
	ns := netns.NewNamespace(t)
	ns.MoveLink(t, ifname)
	ns.IP(t, "addr", "add", netns.KernelPrefix.String(), "dev", ifname)
	ns.IP(t, "link", "set", ifname, "up")

	curl := func(t *testing.T, out string, args ...string) string {
		t.Helper()
		cmd := ns.Command(append([]string{"curl", "--silent", "--show-error", "--fail", "--max-time", "60",
			"--cacert", o.writeCert, "--resolve", fmt.Sprintf("%s:443:%v", sessionName, netns.StackAddr),
			"--output", out, "--write-out", "%{http_version} %{size_download} bytes in %{time_total} s"}, args...)...)
		var stderr bytes.Buffer
		cmd.Stderr = &stderr
		res, err := cmd.Output()
		if err != nil {
			t.Fatalf("curl %s: %v\n%s%s", strings.Join(args, " "), err, res, stderr.Bytes())
		}
		t.Logf("curl %s: HTTP/%s", strings.Join(args, " "), res)
		return out
	}
	page := curl(t, filepath.Join(dir, "page"), fmt.Sprintf("https://%v/", netns.StackAddr))
	if b, _ := os.ReadFile(page); !bytes.Contains(b, []byte("Hello from medina")) || !bytes.Contains(b, []byte("TLS 1.3")) {
		t.Errorf("GET / gave %q", b)
	}
	body := curl(t, filepath.Join(dir, "bytes"), fmt.Sprintf("https://%s/bytes?n=%d", sessionName, interopBytes))
	checkFileSum(t, body, siteBytes(interopBytes))
	post := filepath.Join(dir, "post")
	if err := os.WriteFile(post, readAll(t, io.MultiReader(strings.NewReader("echo "), siteBytes(1<<20))), 0o644); err != nil {
		t.Fatal(err)
	}
	echo := curl(t, filepath.Join(dir, "echo"), "--data-binary", "@"+post, "--header", "Content-Type: application/octet-stream",
		fmt.Sprintf("https://%s/echo", sessionName))
	checkFileSum(t, echo, bytes.NewReader(readAll(t, openFile(t, post))))

	stop()
	if t.Failed() {
		return
	}
	logw.mu.Lock()
	t.Logf("httpsd's log:\n%s", logw.buf.String())
	logw.mu.Unlock()

	// Three connections, four secrets each, every one in the capture
	// before the records it decrypts; the key log file has the same
	// lines.
	capture := readAll(t, openFile(t, o.pcap))
	c := readCapture(t, capture)
	for _, v := range c.early {
		t.Errorf("encrypted TLS before the DSBs: %s", v)
	}
	keys := readAll(t, openFile(t, o.keyLog))
	if got := bytes.Join(c.secrets, nil); len(c.secrets) != 12 || !bytes.Equal(got, keys) {
		t.Errorf("%d DSBs holding %q; the key log file has %q", len(c.secrets), got, keys)
	}
	if len(c.server) < interopBytes {
		t.Errorf("the capture has %d bytes from the server for a body of %d", len(c.server), interopBytes)
	}
	t.Logf("capture: %d bytes, %d frames (%d in, %d out), %d DSBs; TLS: %d bytes in %v records from the clients, %d bytes in %v from the server",
		len(capture), c.frames, c.inbound, c.outbound, len(c.secrets), len(c.client), c.clientRecords, len(c.server), c.serverRecords)

	t.Run("medina", func(t *testing.T) {
		// netdump's decoder (decap, tcpstream, tls), keys from the DSBs.
		sessions := decryptRecording(t, o.pcap)
		if len(sessions) != 3 {
			t.Fatalf("%d TLS sessions in the recording, want 3", len(sessions))
		}
		var bodyFound bool
		want := readAll(t, siteBytes(interopBytes))
		for _, ds := range sessions {
			sum := ds.summary
			if !sum.KeysFound || sum.Failed != [2]int{} || sum.Decrypted != sum.Encrypted {
				t.Errorf("%v: keys found %v, encrypted %v, decrypted %v, failed %v", ds.name, sum.KeysFound, sum.Encrypted, sum.Decrypted, sum.Failed)
			}
			if bytes.HasPrefix(ds.plain[0], []byte(fmt.Sprintf("GET /bytes?n=%d HTTP/1.1\r\n", interopBytes))) {
				bodyFound = bytes.HasSuffix(ds.plain[1], want)
			}
		}
		if !bodyFound {
			t.Errorf("no decrypted response ends with the %d bytes served", interopBytes)
		}
	})

	t.Run("tshark", func(t *testing.T) {
		tshark, err := exec.LookPath("tshark")
		if err != nil {
			t.Skipf("tshark is not installed: %v", err)
		}
		// No key log given: the keys come from the file's DSBs.
		cmd := exec.Command(tshark, "-n", "-r", o.pcap, "-Y", "http")
		var stderr bytes.Buffer
		cmd.Stderr = &stderr
		out, err := cmd.Output()
		if err != nil {
			t.Fatalf("tshark: %v\n%s", err, stderr.Bytes())
		}
		t.Logf("tshark -r FILE -Y http:\n%s", out)
		for _, want := range []string{
			"GET / HTTP/1.1",
			fmt.Sprintf("GET /bytes?n=%d HTTP/1.1", interopBytes),
			"POST /echo HTTP/1.1",
			"HTTP/1.1 200 OK",
		} {
			if !bytes.Contains(out, []byte(want)) {
				t.Errorf("tshark shows no %q", want)
			}
		}
	})
}

func openFile(t *testing.T, name string) io.Reader {
	t.Helper()
	b, err := os.ReadFile(name)
	if err != nil {
		t.Fatal(err)
	}
	return bytes.NewReader(b)
}

func readAll(t *testing.T, r io.Reader) []byte {
	t.Helper()
	b, err := io.ReadAll(r)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// checkFileSum requires the file called name to hold what want holds,
// compared by SHA-256.
func checkFileSum(t *testing.T, name string, want io.Reader) {
	t.Helper()
	got := readAll(t, openFile(t, name))
	h := sha256.New()
	n, _ := io.Copy(h, want)
	if sum := sha256.Sum256(got); !bytes.Equal(sum[:], h.Sum(nil)) {
		t.Errorf("%s: %d bytes with SHA-256 %x, want %d bytes with SHA-256 %x", name, len(got), sum, n, h.Sum(nil))
	}
}

// logWatch is httpsd's log for a test: it keeps every line and hands the
// first one containing a pattern to matched.
type logWatch struct {
	mu      sync.Mutex
	buf     bytes.Buffer
	pattern string
	matched chan string
	sent    bool
}

func newLogWatch(pattern string) *logWatch {
	return &logWatch{pattern: pattern, matched: make(chan string, 1)}
}

func (w *logWatch) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.buf.Write(p)
	if !w.sent && bytes.Contains(p, []byte(w.pattern)) {
		w.sent = true
		w.matched <- string(p)
	}
	return len(p), nil
}

// decryptedSession is one TLS connection of a recording as medina's
// decoder reads it.
type decryptedSession struct {
	name    string
	summary tls.Summary
	plain   [2][]byte // each direction's decrypted application data
}

// decryptRecording reads a capture through the pipeline netdump's TLS
// view uses (internal/decap, tcpstream, tls.StreamDecoder), with the keys
// of its Decryption Secrets Blocks, and returns its TLS connections.
func decryptRecording(t *testing.T, name string) []*decryptedSession {
	t.Helper()
	r, err := pcap.Open(name)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	keys := tls.NewKeyLog()
	plain := map[*tcpstream.Stream]*decryptedSession{}
	var sessions []*decryptedSession
	session := func(s *tcpstream.Stream) *decryptedSession {
		ds := plain[s]
		if ds == nil {
			ds = &decryptedSession{name: s.String()}
			plain[s] = ds
			sessions = append(sessions, ds)
		}
		return ds
	}
	dec := &tls.StreamDecoder{
		KeyLog: keys,
		OnEvent: func(s *tcpstream.Stream, e tls.Event) {
			if e.Kind == tls.EventApplicationData && e.Decrypted {
				ds := session(s)
				ds.plain[e.Dir] = append(ds.plain[e.Dir], e.Data...)
			}
		},
		OnClose: func(s *tcpstream.Stream, sess *tls.Session, _ tcpstream.CloseReason) {
			if sess.Summary().TLS {
				session(s).summary = sess.Summary()
			}
		},
	}
	asm := tcpstream.NewAssembler(tcpstream.Config{}, dec)
	seen := 0
	for {
		pkt, err := r.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		for _, sec := range r.Secrets()[seen:] {
			if err := keys.AddSecretsBlock(uint32(sec.Type), sec.Data); err != nil {
				t.Fatal(err)
			}
		}
		seen = len(r.Secrets())
		if _, err := asm.AddFrame(pkt.LinkType, pkt.Data, pkt.Time()); err != nil {
			t.Fatal(err)
		}
	}
	asm.Close()
	return sessions
}
