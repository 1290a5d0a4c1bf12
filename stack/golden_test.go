package stack

import (
	"bytes"
	"context"
	"flag"
	"net"
	"net/netip"
	"os"
	"path/filepath"
	"testing"
	"testing/synctest"
	"time"

	"github.com/medina-net/medina/link"
	"github.com/medina-net/medina/link/impair"
	"github.com/medina-net/medina/pcap"
)

var update = flag.Bool("update", false, "record the golden session capture again")

// goldenCapture is the session TestGoldenReplay records and replays. The
// netdump golden test prints it (testdata/pcaps is where it looks), so its
// -v output is a golden file too.
var goldenCapture = filepath.Join("..", "testdata", "pcaps", "stack-session.pcapng")

// goldenSeed seeds the stack under test (a); its peer b gets seed+1.
const goldenSeed = 42

// goldenConfig is the stack under test's configuration, the same when
// recording and replaying.
func goldenConfig() Config {
	return Config{Addr: netip.PrefixFrom(addrA, 24), Rand: SeededRand(goldenSeed)}
}

// goldenServe is what the stack under test runs in the session: a UDP
// echo server on port 7. Everything else it sends, it sends by itself
// (ARP, echo replies, its gratuitous ARP).
func goldenServe(t *testing.T, s *Stack) {
	pc, err := s.ListenPacket("udp", ":7")
	if err != nil {
		t.Fatal(err)
	}
	go echo(pc)
}

// goldenScript is the peer's side of the session: ARP and ping, then UDP
// datagrams one at a time (so that the order of frames never depends on
// goroutine scheduling), one of them fragmented, then a datagram to a
// closed port.
func goldenScript(t *testing.T, b *Stack) {
	ctx := context.Background()
	for range 3 {
		if _, err := b.Ping(ctx, addrA, 56); err != nil {
			t.Fatalf("ping: %v", err)
		}
		goldenPause(time.Second)
	}
	c, err := b.Dial("udp", "10.0.0.1:7")
	if err != nil {
		t.Fatal(err)
	}
	buf := make([]byte, 4000)
	for _, msg := range [][]byte{[]byte("hello, medina"), bytes.Repeat([]byte("fragment me "), 250)} {
		if _, err := c.Write(msg); err != nil {
			t.Fatal(err)
		}
		n, err := c.Read(buf)
		if err != nil || !bytes.Equal(buf[:n], msg) {
			t.Fatalf("echo of %d bytes: %d bytes, %v", len(msg), n, err)
		}
		goldenPause(time.Second)
	}
	closed, err := b.Dial("udp", "10.0.0.1:9")
	if err != nil {
		t.Fatal(err)
	}
	closed.Write([]byte("discard?"))
	goldenPause(time.Second)
}

// goldenSession is a session recorded into a golden capture and replayed
// from it: the IPv4 one here, the IPv6 one in golden6_test.go.
type goldenSession struct {
	capture string                          // where it is kept
	config  func() Config                   // the stack under test's configuration
	peer    Config                          // its peer's
	serve   func(t *testing.T, s *Stack)    // what the stack under test runs
	script  func(t *testing.T, peer *Stack) // the peer's side of the session
	// latency delays the peer's frames on their way to the stack under
	// test, so that an answer never comes at the instant of what it
	// answers: replayed, an answer to a frame a timer sent would
	// otherwise race that timer.
	latency time.Duration
}

// session4 is the IPv4 session.
var session4 = goldenSession{
	capture: goldenCapture,
	config:  goldenConfig,
	peer:    Config{Addr: netip.PrefixFrom(addrB, 24), Rand: SeededRand(goldenSeed + 1)},
	serve:   goldenServe,
	script:  goldenScript,
}

// recordGolden runs the session between two stacks over a pipe, recording
// the stack under test's frames with pcap.Tap, and returns the capture.
func recordGolden(t *testing.T, sess goldenSession) []byte {
	var capture bytes.Buffer
	synctest.Test(t, func(t *testing.T) {
		w, err := pcap.NewNgWriter(&capture, pcap.NgInterface{LinkType: pcap.LinkTypeEthernet, Name: "medina0"})
		if err != nil {
			t.Fatal(err)
		}
		var tap *pcap.Tap
		p := newDualPairWith(t, sess.config(), sess.peer, func(a, b link.Device) (link.Device, link.Device) {
			tap = pcap.NewTap(a, w, link.SystemClock)
			if sess.latency > 0 {
				b = impair.New(b, impair.Config{Clock: link.SystemClock, Tx: impair.Profile{Delay: sess.latency}})
			}
			return tap, b
		})
		sess.serve(t, p.a)
		sess.script(t, p.b)
		p.a.Close()
		p.b.Close()
		if err := tap.Flush(); err != nil {
			t.Fatal(err)
		}
	})
	return capture.Bytes()
}

// TestGoldenReplay replays the inbound frames of the recorded session into
// a fresh stack with the same seed, on the same virtual clock, and requires
// its outbound frames to be byte-identical to the recorded ones. With
// -update it records the session first.
func TestGoldenReplay(t *testing.T) {
	if *update {
		if err := os.WriteFile(goldenCapture, recordGolden(t, session4), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if err := replayGolden(t, session4, goldenConfig()); err != nil {
		t.Fatalf("the stack's output differs from the recorded session: %v\n(if the change is intended, run go test ./stack -run TestGoldenReplay -update, then go test ./cmd/netdump -update)", err)
	}
}

// TestGoldenReplayDetectsChange checks that the replay catches a stack
// whose output differs, here by one byte (the TTL).
func TestGoldenReplayDetectsChange(t *testing.T) {
	cfg := goldenConfig()
	cfg.TTL = 63
	err := replayGolden(t, session4, cfg)
	if err == nil {
		t.Fatal("a stack sending TTL 63 instead of 64 replayed without a difference")
	}
	t.Logf("as expected: %v", err)
}

// replayGolden replays the session's capture into a fresh stack configured
// by cfg and compares what it sends with what was recorded.
func replayGolden(t *testing.T, sess goldenSession, cfg Config) error {
	var result error
	synctest.Test(t, func(t *testing.T) {
		r, err := pcap.Open(sess.capture)
		if err != nil {
			t.Fatal(err)
		}
		defer r.Close()
		replay, err := pcap.NewReplay(r, pcap.ReplayConfig{Pacing: pcap.Paced})
		if err != nil {
			t.Fatal(err)
		}
		s, err := New(settledDevice{replay}, cfg)
		if err != nil {
			t.Fatal(err)
		}
		sess.serve(t, s)
		<-replay.Done()
		time.Sleep(10 * time.Second) // let the last answers and timers play out
		s.Close()
		result = replay.Compare()
	})
	return result
}

// newPairWith is newPair with the first stack's configuration given.
func newPairWith(t *testing.T, cfgA Config, seedB uint64, wrap func(a, b link.Device) (link.Device, link.Device)) *pair {
	t.Helper()
	return newDualPairWith(t, cfgA, Config{Addr: netip.PrefixFrom(addrB, 24), Rand: SeededRand(seedB)}, wrap)
}

var _ net.Conn = (*UDPConn)(nil)
