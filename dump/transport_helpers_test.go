package dump

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/medina-net/medina/checksum"
	"github.com/medina-net/medina/pcap"
)

// Builders of Ethernet/IPv4 frames for the table tests of the transport
// and application printers, and the machinery that runs a table through
// the printer and, where tcpdump 4.99.3 is installed, through tcpdump too,
// so that every expected line is checked to be what tcpdump prints.

var (
	hostA = [4]byte{10, 0, 0, 1}
	hostB = [4]byte{10, 0, 0, 2}
)

// ipFrame wraps a transport payload in an IPv4 header (with a correct
// header checksum) and an Ethernet header. mf sets the more-fragments flag.
func ipFrame(proto byte, src, dst [4]byte, payload []byte, mf bool) []byte {
	f := []byte{2, 0, 0, 0, 0, 2, 2, 0, 0, 0, 0, 1, 8, 0}
	ip := make([]byte, 20)
	ip[0] = 0x45
	binary.BigEndian.PutUint16(ip[2:], uint16(20+len(payload)))
	binary.BigEndian.PutUint16(ip[4:], 0x1234)
	if mf {
		ip[6] = 0x20
	}
	ip[8] = 64
	ip[9] = proto
	copy(ip[12:], src[:])
	copy(ip[16:], dst[:])
	binary.BigEndian.PutUint16(ip[10:], checksum.Checksum(ip, 0))
	f = append(f, ip...)
	return append(f, payload...)
}

// seg describes a TCP segment for tcpFrame.
type seg struct {
	src, dst     [4]byte
	sport, dport uint16
	seq, ack     uint32
	flags        byte
	win, urg     uint16
	opts, data   []byte
	off          int  // data offset in bytes; 0 for 20 + len(opts)
	badSum       bool // leave the checksum field 0
	mf           bool
}

func tcpFrame(s seg) []byte {
	if s.src == [4]byte{} {
		s.src, s.dst = hostA, hostB
	}
	if s.win == 0 {
		s.win = 512
	}
	b := make([]byte, 20)
	binary.BigEndian.PutUint16(b, s.sport)
	binary.BigEndian.PutUint16(b[2:], s.dport)
	binary.BigEndian.PutUint32(b[4:], s.seq)
	binary.BigEndian.PutUint32(b[8:], s.ack)
	off := s.off
	if off == 0 {
		off = 20 + len(s.opts)
	}
	b[12] = byte(off/4) << 4
	b[13] = s.flags
	binary.BigEndian.PutUint16(b[14:], s.win)
	binary.BigEndian.PutUint16(b[18:], s.urg)
	b = append(b, s.opts...)
	b = append(b, s.data...)
	if !s.badSum {
		sum := checksum.Pseudo(s.src, s.dst, 6, uint16(len(b)))
		binary.BigEndian.PutUint16(b[16:], checksum.Checksum(b, sum))
	}
	return ipFrame(6, s.src, s.dst, b, s.mf)
}

// dgram describes a UDP datagram for udpFrame.
type dgram struct {
	src, dst     [4]byte
	sport, dport uint16
	data         []byte
	ulen         int  // length field; 0 for the real length
	noSum        bool // leave the checksum field 0
	badSum       bool // set a wrong checksum
}

func udpFrame(d dgram) []byte {
	if d.src == [4]byte{} {
		d.src, d.dst = hostA, hostB
	}
	b := make([]byte, 8)
	binary.BigEndian.PutUint16(b, d.sport)
	binary.BigEndian.PutUint16(b[2:], d.dport)
	ulen := d.ulen
	if ulen == 0 {
		ulen = 8 + len(d.data)
	}
	binary.BigEndian.PutUint16(b[4:], uint16(ulen))
	b = append(b, d.data...)
	switch {
	case d.badSum:
		binary.BigEndian.PutUint16(b[6:], 0xbeef)
	case !d.noSum:
		sum := checksum.Pseudo(d.src, d.dst, 17, uint16(len(b)))
		binary.BigEndian.PutUint16(b[6:], checksum.Checksum(b, sum))
	}
	return ipFrame(17, d.src, d.dst, b, false)
}

// printCase is one row of a printer table: frames printed in order with
// tcpdump's flags (besides -n and -t, which are always given), each cut to
// snap bytes when snap is set, and the lines tcpdump prints for them.
type printCase struct {
	name   string
	args   []string
	frames [][]byte
	snap   int
	want   string
}

func (c printCase) captured(f []byte) []byte {
	if c.snap > 0 && c.snap < len(f) {
		return f[:c.snap]
	}
	return f
}

// printerOutput prints the case's frames with a fresh Printer.
func (c printCase) printerOutput(t *testing.T) string {
	t.Helper()
	p := New(nil, flagOptions(t, append([]string{"-n", "-t", "-r", "-"}, c.args...)))
	var out strings.Builder
	for _, f := range c.frames {
		pkt := &pcap.Packet{Data: c.captured(f), Length: len(f), LinkType: pcap.LinkTypeEthernet, FracPerSec: 1e6}
		out.Write(p.AppendPacket(nil, pkt))
	}
	return out.String()
}

// runPrintCases checks every case against its expected lines.
func runPrintCases(t *testing.T, cases []printCase) {
	t.Helper()
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := c.printerOutput(t); got != c.want {
				t.Errorf("printed with %v:\ngot  %q\nwant %q", c.args, got, c.want)
			}
		})
	}
}

// tcpdump4993 returns the path of the installed tcpdump, skipping t with
// the reason unless there is one and it is version 4.99.3, whose output
// netdump follows.
func tcpdump4993(t testing.TB) string {
	t.Helper()
	tcpdump, err := exec.LookPath("tcpdump")
	if err != nil {
		t.Skipf("tcpdump is not installed (%v): netdump cannot be compared with it", err)
	}
	ver, _ := exec.Command(tcpdump, "--version").CombinedOutput()
	if !bytes.Contains(ver, []byte("tcpdump version 4.99.3")) {
		t.Skipf("the installed tcpdump is not 4.99.3 (%q): netdump follows 4.99.3's output", strings.SplitN(string(ver), "\n", 2)[0])
	}
	return tcpdump
}

// checkCasesWithTCPDump runs the cases' frames through the installed
// tcpdump, when it is 4.99.3, to check that the expected lines are really
// what it prints.
func checkCasesWithTCPDump(t *testing.T, cases []printCase) {
	t.Helper()
	tcpdump := tcpdump4993(t)
	dir := t.TempDir()
	for i, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			file := filepath.Join(dir, strings.ReplaceAll(c.name, "/", "_")+".pcap")
			var buf bytes.Buffer
			w, err := pcap.NewWriter(&buf, pcap.LinkTypeEthernet, 0, false)
			if err != nil {
				t.Fatal(err)
			}
			for j, f := range c.frames {
				ts := time.Unix(int64(1e9+i*100+j), 0)
				if err := w.WritePacket(ts, c.captured(f), len(f)); err != nil {
					t.Fatal(err)
				}
			}
			if err := w.Flush(); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(file, buf.Bytes(), 0o644); err != nil {
				t.Fatal(err)
			}
			cmd := exec.Command(tcpdump, append([]string{"-n", "-t", "-r", file}, c.args...)...)
			got, err := cmd.Output()
			if err != nil {
				t.Fatalf("tcpdump: %v", err)
			}
			if string(got) != c.want {
				t.Errorf("tcpdump %v prints:\n%q\nthe table says:\n%q", c.args, got, c.want)
			}
		})
	}
}

// printFile prints a capture as netdump does, with tcpdump's flags (-r
// FILE among them, and -n), in UTC.
func printFile(t *testing.T, file string, args []string) []byte {
	t.Helper()
	r, err := pcap.Open(file)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	opt := flagOptions(t, args)
	opt.Location = time.UTC
	var out bytes.Buffer
	p := New(&out, opt)
	for {
		pkt, err := r.Next()
		if err == io.EOF {
			return out.Bytes()
		}
		if err != nil {
			t.Fatal(err)
		}
		if err := p.Packet(pkt); err != nil {
			t.Fatal(err)
		}
	}
}

// firstDiff describes the first line where got differs from want.
func firstDiff(want, got []byte) string {
	wl := strings.Split(string(want), "\n")
	gl := strings.Split(string(got), "\n")
	for i := 0; i < len(wl) || i < len(gl); i++ {
		var w, g string
		if i < len(wl) {
			w = wl[i]
		}
		if i < len(gl) {
			g = gl[i]
		}
		if w != g {
			return fmt.Sprintf("line %d:\n\twant %q\n\tgot  %q", i+1, w, g)
		}
	}
	return "(same lines, different bytes)"
}

// checkCasesDoNotAllocate prints every frame of the tables again into a
// buffer that has the room, and requires no allocation: not for the
// frames cut short either, whose printing unwinds.
func checkCasesDoNotAllocate(t *testing.T, tables ...[]printCase) {
	t.Helper()
	for _, cases := range tables {
		for _, c := range cases {
			p := New(nil, flagOptions(t, c.args))
			for _, f := range c.frames {
				pkt := &pcap.Packet{Data: c.captured(f), Length: len(f), LinkType: pcap.LinkTypeEthernet, FracPerSec: 1e6}
				buf := p.AppendPacket(nil, pkt)
				allocs := testing.AllocsPerRun(20, func() {
					buf = p.AppendPacket(buf[:0], pkt)
				})
				if allocs != 0 {
					t.Errorf("%s: %v allocations printing %q", c.name, allocs, buf)
				}
			}
		}
	}
}

// benchFrame measures printing the Ethernet frame f at verbosity verbose
// into a buffer that has the room.
func benchFrame(b *testing.B, f []byte, verbose int) {
	pkt := &pcap.Packet{Data: f, Length: len(f), LinkType: pcap.LinkTypeEthernet, FracPerSec: 1e6}
	p := New(nil, Options{Verbose: verbose})
	buf := p.AppendPacket(nil, pkt)
	b.ReportAllocs()
	b.SetBytes(int64(len(f)))
	for b.Loop() {
		buf = p.AppendPacket(buf[:0], pkt)
	}
}

// randGen makes the random parts of generated messages, for the
// differential tests of every printer.
type randGen struct{ rng *rand.Rand }

func (g randGen) pick(n int) int { return g.rng.IntN(n) }

func (g randGen) bytes(n int) []byte {
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(g.rng.Uint32())
	}
	return b
}

// randomFrames makes n frames with gen (a tenth as many with -short),
// one in six of them captured short at a random point past their first
// hdrs bytes: the headers tcpdump prints on a line of their own, by which
// the packets could not be told apart.
func (g randGen) randomFrames(n, hdrs int, gen func() []byte) []diffFrame {
	if testing.Short() {
		n /= 10
	}
	frames := make([]diffFrame, 0, n)
	for range n {
		f := diffFrame{data: gen()}
		if g.pick(6) == 0 {
			f.snap = hdrs + g.pick(len(f.data)-hdrs+1)
		}
		frames = append(frames, f)
	}
	return frames
}
