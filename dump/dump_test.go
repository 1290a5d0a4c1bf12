package dump

import (
	"bytes"
	"errors"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/medina-net/medina/pcap"
)

// sessionPackets returns copies of the packets of the project's TCP
// capture.
func sessionPackets(t testing.TB) []*pcap.Packet {
	t.Helper()
	r, err := pcap.Open("../testdata/pcaps/tcp-session.pcap")
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	var pkts []*pcap.Packet
	for {
		pkt, err := r.Next()
		if err == io.EOF {
			return pkts
		}
		if err != nil {
			t.Fatal(err)
		}
		c := *pkt
		c.Data = bytes.Clone(pkt.Data)
		pkts = append(pkts, &c)
	}
}

// TestPacketWritesOneLine checks that Packet writes each packet's text in
// one call and returns the writer's error.
func TestPacketWritesOneLine(t *testing.T) {
	pkts := sessionPackets(t)
	var w writes
	p := New(&w, Options{TimestampFormat: NoTimestamp})
	for _, pkt := range pkts[:3] {
		if err := p.Packet(pkt); err != nil {
			t.Fatal(err)
		}
	}
	if len(w) != 3 {
		t.Fatalf("%d writes for 3 packets", len(w))
	}
	for _, s := range w {
		if strings.Count(s, "\n") != 1 || !strings.HasSuffix(s, "\n") || !strings.HasPrefix(s, "IP 10.9.0.") {
			t.Errorf("write %q is not one packet line", s)
		}
	}
	bad := errors.New("disk full")
	if err := New(failWriter{bad}, Options{}).Packet(pkts[0]); err != bad {
		t.Errorf("Packet returned %v, want the writer's error", err)
	}
}

type writes []string

func (w *writes) Write(b []byte) (int, error) {
	*w = append(*w, string(b))
	return len(b), nil
}

type failWriter struct{ err error }

func (w failWriter) Write([]byte) (int, error) { return 0, w.err }

// TestAppendTimestampSharesState checks that AppendTimestamp prints what
// starts a packet's line and moves the reference of SincePrevious, as a
// packet does.
func TestAppendTimestampSharesState(t *testing.T) {
	pkts := sessionPackets(t)
	p := New(nil, Options{TimestampFormat: SincePrevious})
	line := string(p.AppendPacket(nil, pkts[0]))
	if !strings.HasPrefix(line, " 00:00:00.000000 IP ") {
		t.Errorf("first line %q", line)
	}
	// pkts[1] comes 34 us after pkts[0], pkts[2] 12 us after pkts[1].
	if got := string(p.AppendTimestamp([]byte("x"), pkts[1])); got != "x 00:00:00.000034 " {
		t.Errorf("AppendTimestamp gave %q", got)
	}
	if line := string(p.AppendPacket(nil, pkts[2])); !strings.HasPrefix(line, " 00:00:00.000012 IP ") {
		t.Errorf("the packet after AppendTimestamp starts %q", line)
	}
}

// TestPacketNumbers checks that the Printer counts the packets it prints.
func TestPacketNumbers(t *testing.T) {
	pkts := sessionPackets(t)
	p := New(nil, Options{PacketNumbers: true, TimestampFormat: NoTimestamp})
	var out []byte
	for _, pkt := range pkts[:11] {
		out = p.AppendPacket(out, pkt)
	}
	lines := strings.Split(string(out), "\n")
	if !strings.HasPrefix(lines[0], "    1  IP ") || !strings.HasPrefix(lines[10], "   11  IP ") {
		t.Errorf("numbers: %q ... %q", lines[0], lines[10])
	}
}

// TestLocation checks that wall-clock timestamps follow Options.Location.
func TestLocation(t *testing.T) {
	pkts := sessionPackets(t)
	east := time.FixedZone("east", 2*3600)
	for _, c := range []struct {
		opt  Options
		want string
	}{
		{Options{Location: time.UTC}, "23:39:07.890922 "},
		{Options{Location: east}, "01:39:07.890922 "},
		{Options{Location: east, TimestampFormat: DateTime, Nano: true}, "2026-11-27 01:39:07.890922000 "},
	} {
		p := New(nil, c.opt)
		for range 2 { // the second time from the cache
			if got := string(p.AppendTimestamp(nil, pkts[0])); got != c.want {
				t.Errorf("%+v: %q, want %q", c.opt, got, c.want)
			}
		}
	}
}

// TestDumpLevels checks that a level above DumpFrame dumps the frame, as
// tcpdump takes -xxx for -xx, and that DumpPayload leaves the Ethernet
// header out.
func TestDumpLevels(t *testing.T) {
	pkt := sessionPackets(t)[0]
	frame := string(New(nil, Options{Hex: DumpFrame}).AppendPacket(nil, pkt))
	if more := string(New(nil, Options{Hex: DumpFrame + 1}).AppendPacket(nil, pkt)); more != frame {
		t.Errorf("Hex 3:\n%s\nHex 2:\n%s", more, frame)
	}
	payload := string(New(nil, Options{Hex: DumpPayload}).AppendPacket(nil, pkt))
	if !strings.Contains(payload, "0x0000:  4500 ") || !strings.Contains(frame, "0x0000:  ") || strings.Contains(frame, "0x0000:  4500 ") {
		t.Errorf("-x:\n%s\n-xx:\n%s", payload, frame)
	}
}

// TestPacketDoesNotAllocate checks that printing a capture's packets
// through the public API allocates nothing once the buffers have grown.
func TestPacketDoesNotAllocate(t *testing.T) {
	pkts := sessionPackets(t)
	for _, opt := range []Options{{}, {Verbose: 2, LinkHeader: true, HexASCII: DumpFrame}, {TimestampFormat: DateTime}} {
		p := New(io.Discard, opt)
		for _, pkt := range pkts {
			p.Packet(pkt)
		}
		allocs := testing.AllocsPerRun(20, func() {
			for _, pkt := range pkts {
				p.Packet(pkt)
			}
		})
		if allocs != 0 {
			t.Errorf("%+v: %v allocations for %d packets", opt, allocs, len(pkts))
		}
	}
}
