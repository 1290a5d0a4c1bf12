package dump_test

import (
	"bufio"
	"bytes"
	"context"
	"io"
	"net/netip"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"testing/synctest"
	"time"

	"github.com/medina-net/medina/dump"
	"github.com/medina-net/medina/link/pipe"
	"github.com/medina-net/medina/pcap"
	"github.com/medina-net/medina/stack"
)

// traceFlags are the options the test's Device prints with, as netdump's
// flags.
var traceFlags = []string{"-n", "-e", "-v"}

// TestDeviceTrace runs a conversation between two stacks over a pipe in a
// testing/synctest bubble, the first stack's device wrapped in a Device
// that prints its frames and, under it, a pcap.Tap that records them.
// The Device's lines must be what netdump prints for the recording: ARP,
// pings, UDP echoes (one of them fragmented), a datagram to a closed port
// and its ICMP error, and a TCP connection with data both ways.
func TestDeviceTrace(t *testing.T) {
	var trace, capture bytes.Buffer
	var dev *dump.Device
	synctest.Test(t, func(t *testing.T) {
		w, err := pcap.NewNgWriter(&capture, pcap.NgInterface{LinkType: pcap.LinkTypeEthernet, Name: "medina0"})
		if err != nil {
			t.Fatal(err)
		}
		ea, eb := pipe.New(pipe.Config{})
		tap := pcap.NewTap(ea, w, nil)
		out := bufio.NewWriter(&trace)
		dev = dump.NewDevice(tap, out, dump.Options{LinkHeader: true, Verbose: 1, Location: time.UTC}, nil)
		a, err := stack.New(dev, stack.Config{Addr: netip.MustParsePrefix("10.0.0.1/24"), Rand: stack.SeededRand(1)})
		if err != nil {
			t.Fatal(err)
		}
		b, err := stack.New(eb, stack.Config{Addr: netip.MustParsePrefix("10.0.0.2/24"), Rand: stack.SeededRand(2)})
		if err != nil {
			t.Fatal(err)
		}
		converse(t, a, b)
		a.Close()
		b.Close()
		if err := dev.Flush(); err != nil {
			t.Fatal(err)
		}
		if err := tap.Flush(); err != nil {
			t.Fatal(err)
		}
	})
	st := dev.Stats()
	if st.Inbound < 10 || st.Outbound < 10 || st.Errors != 0 || dev.Err() != nil {
		t.Fatalf("the Device printed %+v (%v)", st, dev.Err())
	}
	got := trace.String()
	for _, want := range []string{"Request who-has", "ICMP echo request", "UDP, length 13", "flags [+]", "udp port 9 unreachable",
		"Flags [S.]", "Flags [P.]", "Flags [F.]"} {
		if !strings.Contains(got, want) {
			t.Errorf("the trace has no %q:\n%s", want, got)
		}
	}

	file := filepath.Join(t.TempDir(), "trace.pcapng")
	if err := os.WriteFile(file, capture.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(buildNetdump(t), append(traceFlags, "-r", file)...)
	cmd.Env = append(os.Environ(), "TZ=UTC")
	want, err := cmd.Output()
	if err != nil {
		t.Fatalf("netdump: %v", err)
	}
	if got != string(want) {
		t.Errorf("the Device printed:\n%s\nnetdump prints for the recording:\n%s", got, want)
	}
	t.Logf("%d lines, %d frames in and %d out", strings.Count(got, "\n"), st.Inbound, st.Outbound)
}

// converse is the conversation of TestDeviceTrace, from b to a, one
// exchange at a time so that the order of the frames never depends on
// the scheduling of goroutines.
func converse(t *testing.T, a, b *stack.Stack) {
	ctx := context.Background()
	for range 2 {
		if _, err := b.Ping(ctx, netip.MustParseAddr("10.0.0.1"), 56); err != nil {
			t.Fatalf("ping: %v", err)
		}
		time.Sleep(time.Second)
	}

	pc, err := a.ListenPacket("udp", ":7")
	if err != nil {
		t.Fatal(err)
	}
	go func() {
		buf := make([]byte, 65536)
		for {
			n, from, err := pc.ReadFrom(buf)
			if err != nil {
				return
			}
			pc.WriteTo(buf[:n], from)
		}
	}()
	c, err := b.Dial("udp", "10.0.0.1:7")
	if err != nil {
		t.Fatal(err)
	}
	buf := make([]byte, 4000)
	for _, msg := range []string{"hello, medina", strings.Repeat("fragment me ", 250)} {
		if _, err := c.Write([]byte(msg)); err != nil {
			t.Fatal(err)
		}
		if n, err := c.Read(buf); err != nil || string(buf[:n]) != msg {
			t.Fatalf("echo of %d bytes: %d bytes, %v", len(msg), n, err)
		}
		time.Sleep(time.Second)
	}
	closed, err := b.Dial("udp", "10.0.0.1:9")
	if err != nil {
		t.Fatal(err)
	}
	closed.Write([]byte("anyone?"))
	time.Sleep(time.Second)

	ln, err := a.Listen("tcp", ":80")
	if err != nil {
		t.Fatal(err)
	}
	go func() {
		conn, err := ln.Accept()
		if err != nil {
			return
		}
		io.Copy(conn, conn)
		conn.Close()
	}()
	conn, err := b.Dial("tcp", "10.0.0.1:80")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := conn.Write([]byte("GET / HTTP/1.0\r\n\r\n")); err != nil {
		t.Fatal(err)
	}
	time.Sleep(time.Second)
	conn.(interface{ CloseWrite() error }).CloseWrite()
	if got, err := io.ReadAll(conn); err != nil || string(got) != "GET / HTTP/1.0\r\n\r\n" {
		t.Fatalf("TCP echo: %q, %v", got, err)
	}
	conn.Close()
	ln.Close()
	pc.Close()
	time.Sleep(time.Minute) // TIME-WAIT and the last ACKs
}

// buildNetdump builds cmd/netdump into a temporary directory with the go
// command go test puts first in PATH.
func buildNetdump(t *testing.T) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "netdump")
	out, err := exec.Command("go", "build", "-o", bin, "github.com/medina-net/medina/cmd/netdump").CombinedOutput()
	if err != nil {
		t.Fatalf("building netdump: %v\n%s", err, out)
	}
	return bin
}

// TestDeviceDoesNotAllocate checks that a frame passing through a Device
// costs no allocation once the Printer's buffers have grown.
func TestDeviceDoesNotAllocate(t *testing.T) {
	r, err := pcap.Open("../testdata/pcaps/tcp-session.pcap")
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	var frames [][]byte
	for {
		pkt, err := r.Next()
		if err != nil {
			break
		}
		frames = append(frames, bytes.Clone(pkt.Data))
	}
	// A small queue, whose slots the first pass fills: the pipe
	// allocates a slot's buffer on its first use.
	ea, eb := pipe.New(pipe.Config{Queue: 4})
	dev := dump.NewDevice(ea, io.Discard, dump.Options{Verbose: 1}, nil)
	buf := make([]byte, 2048)
	pass := func() {
		for _, f := range frames {
			if err := dev.WriteFrame(f); err != nil {
				t.Fatal(err)
			}
			if _, err := eb.ReadFrame(buf); err != nil {
				t.Fatal(err)
			}
			if err := eb.WriteFrame(f); err != nil {
				t.Fatal(err)
			}
			if _, err := dev.ReadFrame(buf); err != nil {
				t.Fatal(err)
			}
		}
	}
	pass()
	if n := testing.AllocsPerRun(10, pass); n != 0 {
		t.Errorf("%v allocations for %d frames each way", n, len(frames))
	}
	// pass ran 12 times: AllocsPerRun runs it once more than asked.
	if st := dev.Stats(); st.Inbound != st.Outbound || st.Outbound != uint64(12*len(frames)) || st.Errors != 0 {
		t.Errorf("stats %+v", st)
	}
}
