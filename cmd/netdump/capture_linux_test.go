package main

import (
	"bufio"
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"net"
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
	"github.com/medina-net/medina/pcap"
)

// sniffer is netdump or tcpdump capturing in a namespace.
type sniffer struct {
	name   string
	cmd    *exec.Cmd
	stdout bytes.Buffer
	stderr lockedBuffer
	ready  chan struct{}
	done   chan error
}

// lockedBuffer is a buffer written by one goroutine and read by another.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// startSniffer starts argv in ns, and returns once it says it is
// listening.
func startSniffer(t *testing.T, ns *netns.Namespace, name string, env []string, argv ...string) *sniffer {
	t.Helper()
	s := &sniffer{name: name, ready: make(chan struct{}), done: make(chan error, 1)}
	s.cmd = ns.Command(argv...)
	s.cmd.Env = append(os.Environ(), env...)
	s.cmd.Stdout = &s.stdout
	pipe, err := s.cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := s.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		// Whatever happened, nothing is left running.
		if s.cmd.ProcessState == nil {
			s.cmd.Process.Kill()
			<-s.done
		}
	})
	go func() {
		sc := bufio.NewScanner(pipe)
		signalled := false
		for sc.Scan() {
			fmt.Fprintln(&s.stderr, sc.Text())
			if !signalled && strings.Contains(sc.Text(), "listening on ") {
				close(s.ready)
				signalled = true
			}
		}
		io.Copy(&s.stderr, pipe)
		s.done <- s.cmd.Wait()
	}()
	select {
	case <-s.ready:
	case err := <-s.done:
		t.Fatalf("%s ended before listening: %v\n%s", name, err, s.stderr.String())
	case <-time.After(10 * time.Second):
		t.Fatalf("%s is not listening after 10 s:\n%s", name, s.stderr.String())
	}
	return s
}

// stop interrupts the sniffer as Ctrl-C would and waits for it.
func (s *sniffer) stop(t *testing.T) {
	t.Helper()
	s.cmd.Process.Signal(syscall.SIGINT)
	select {
	case err := <-s.done:
		if err != nil {
			t.Errorf("%s: %v\n%s", s.name, err, s.stderr.String())
		}
	case <-time.After(10 * time.Second):
		s.cmd.Process.Kill()
		t.Fatalf("%s did not stop on SIGINT", s.name)
	}
}

// Documentation addresses (RFC 3849) that enableIPv6 gives the two ends
// of the veth.
var (
	liveAddr6A = netip.MustParsePrefix("2001:db8:9::1/64")
	liveAddr6B = netip.MustParsePrefix("2001:db8:9::2/64")
)

// knownTraffic sends, from v's namespace B to A: three pings, three UDP
// datagrams to a closed port (answered with ICMP port unreachable), a TCP
// transfer of 64 KiB, and two 802.1Q-tagged frames (whose tag the
// receiving kernel takes off and the capture must put back); and over
// IPv6 (which enableIPv6 turned on) three pings, with the neighbour
// discovery before them, and a UDP datagram to a closed port.
func knownTraffic(t *testing.T, v *netns.Veth) {
	t.Helper()
	dst6 := liveAddr6A.Addr().String()
	if out, err := netns.RunIn(v.B, "ping", "-6", "-c", "3", "-i", "0.2", "-W", "2", dst6); err != nil {
		t.Fatalf("ping -6: %v %s", err, out)
	}
	udp6 := v.B.Command("socat", "-u", "-", "UDP6-SENDTO:["+dst6+"]:9999")
	udp6.Stdin = strings.NewReader("datagram over IPv6\n")
	if out, err := udp6.CombinedOutput(); err != nil {
		t.Fatalf("socat UDP6: %v %s", err, out)
	}
	dst := v.AddrA.String()
	if out, err := netns.RunIn(v.B, "ping", "-c", "3", "-i", "0.2", "-W", "2", dst); err != nil {
		t.Fatalf("ping: %v %s", err, out)
	}
	for i := range 3 {
		udp := v.B.Command("socat", "-u", "-", "UDP-SENDTO:"+dst+":9999")
		udp.Stdin = strings.NewReader(fmt.Sprintf("datagram %d\n", i))
		if out, err := udp.CombinedOutput(); err != nil {
			t.Fatalf("socat UDP: %v %s", err, out)
		}
	}
	data := filepath.Join(t.TempDir(), "data")
	if err := os.WriteFile(data, bytes.Repeat([]byte("medina netdump "), 64<<10/15), 0o644); err != nil {
		t.Fatal(err)
	}
	server := v.A.Command("socat", "-u", "TCP-LISTEN:5001,reuseaddr", "OPEN:/dev/null")
	if err := server.Start(); err != nil {
		t.Fatal(err)
	}
	defer server.Wait()
	var err error
	for range 50 {
		var out []byte
		if out, err = netns.RunIn(v.B, "socat", "-u", "OPEN:"+data, "TCP:"+dst+":5001"); err == nil {
			break
		} else if !bytes.Contains(out, []byte("refused")) {
			break
		}
		time.Sleep(100 * time.Millisecond) // the server is not listening yet
	}
	if err != nil {
		server.Process.Kill()
		t.Fatalf("socat TCP: %v", err)
	}
	var mac net.HardwareAddr
	v.B.Do(func() error {
		ifc, err := net.InterfaceByName(v.NameB)
		if err == nil {
			mac = ifc.HardwareAddr
		}
		return err
	})
	if err := v.B.SendFrames(v.NameB, taggedFrame(mac, 0x2005), taggedFrame(mac, 0x0007)); err != nil {
		t.Fatal(err)
	}
}

// taggedFrame is a broadcast UDP datagram in an 802.1Q tag (priority and
// VLAN ID in tci), from src.
func taggedFrame(src net.HardwareAddr, tci uint16) []byte {
	f := append([]byte{0xff, 0xff, 0xff, 0xff, 0xff, 0xff}, src...)
	f = binary.BigEndian.AppendUint16(f, 0x8100)
	f = binary.BigEndian.AppendUint16(f, tci)
	f = binary.BigEndian.AppendUint16(f, 0x0800)
	ip := []byte{0x45, 0, 0, 32, 0, 1, 0, 0, 64, 17, 0, 0, 198, 51, 100, 2, 198, 51, 100, 255}
	var sum uint32
	for i := 0; i < len(ip); i += 2 {
		sum += uint32(binary.BigEndian.Uint16(ip[i:]))
	}
	sum = sum>>16 + sum&0xffff
	binary.BigEndian.PutUint16(ip[10:], ^uint16(sum+sum>>16))
	f = append(f, ip...)
	return append(f, 0x30, 0x39, 0, 9, 0, 12, 0, 0, 't', 'a', 'g', '!')
}

// enableIPv6 turns IPv6 on at both ends of v, without router
// solicitations, and lets pass most of the MLD reports the kernel sends
// when it joins its groups (the sniffers leave out those that come
// late): what Linux sends on its own at a time of its own choosing would
// reach one sniffer and not the other as they start and stop.
func enableIPv6(t *testing.T, v *netns.Veth) {
	t.Helper()
	for _, end := range []struct {
		ns   *netns.Namespace
		dev  string
		addr netip.Prefix
	}{{v.A, v.NameA, liveAddr6A}, {v.B, v.NameB, liveAddr6B}} {
		// No router solicitations, and the MLD reports of a join sent
		// at once rather than spread over a second.
		conf := "/proc/sys/net/ipv6/conf/" + end.dev + "/"
		end.ns.Run(t, "sh", "-c", "echo 0 > "+conf+"router_solicitations && echo 0 > "+conf+"mldv1_unsolicited_report_interval && echo 0 > "+conf+"mldv2_unsolicited_report_interval")
		end.ns.EnableIPv6(t, end.dev, end.addr)
	}
	time.Sleep(1500 * time.Millisecond)
}

// untimed drops the timestamp that starts each printed line.
func untimed(out string) []string {
	var lines []string
	for _, l := range strings.Split(strings.TrimRight(out, "\n"), "\n") {
		if l == "" || l[0] == '\t' || l[0] == ' ' {
			lines = append(lines, l) // -v continuations and -x dumps
			continue
		}
		_, rest, _ := strings.Cut(l, " ")
		lines = append(lines, rest)
	}
	return lines
}

// countLines returns tcpdump's three counts from what it printed at exit.
func countLines(stderr string) (captured, received, dropped int, ok bool) {
	n := 0
	for _, l := range strings.Split(stderr, "\n") {
		var v int
		switch {
		case strings.HasSuffix(l, " captured"):
			fmt.Sscan(l, &v)
			captured, n = v, n+1
		case strings.HasSuffix(l, " received by filter"):
			fmt.Sscan(l, &v)
			received, n = v, n+1
		case strings.HasSuffix(l, " dropped by kernel"):
			fmt.Sscan(l, &v)
			dropped, n = v, n+1
		}
	}
	return captured, received, dropped, n == 3
}

// readRecords reads a capture's header and records.
func readRecords(t *testing.T, path string) ([]byte, []pcap.Packet) {
	t.Helper()
	file, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	r, err := pcap.NewReader(bytes.NewReader(file))
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	var recs []pcap.Packet
	for {
		p, err := r.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatalf("%s: %v", path, err)
		}
		c := *p
		c.Data = append([]byte(nil), p.Data...)
		recs = append(recs, c)
	}
	return file[:24], recs
}

// TestLiveAgainstTcpdump runs netdump and tcpdump side by side on one end
// of a veth pair while known traffic crosses it (pings over IPv4 and
// IPv6, UDP to a closed port and the ICMP and ICMPv6 errors it draws, a
// TCP transfer, 802.1Q-tagged frames, and IPv6's own chatter), then stops both with SIGINT. They must print the same lines
// (timestamps aside), the same messages on stderr and the same number of
// packets captured, and write files with the same header and the same
// records (timestamps aside). Needs root, ip, ping, socat and tcpdump
// 4.99.3; skips without them.
func TestLiveAgainstTcpdump(t *testing.T) {
	tcpdump := liveTestTcpdump(t)
	netns.NeedTools(t, "ping", "socat", "ip")
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name  string
		flags []string
	}{
		{"ethernet", []string{"-i", "veth-a", "-e"}},
		{"any", []string{"-i", "any", "-v"}},
		{"in-snaplen-hex", []string{"-i", "veth-a", "-Q", "in", "-s", "96", "-x", "--nano"}},
		{"any-sll", []string{"-i", "any", "-y", "LINUX_SLL", "-p", "-B", "4096", "-e"}},
		// Not on "any": libpcap's immediate mode uses TPACKET_V2 frames
		// of 256 KiB there, and tcpdump drops a burst.
		{"immediate", []string{"-i", "veth-a", "--immediate-mode", "-q"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			v := netns.NewVeth(t)
			enableIPv6(t, v)
			dir := t.TempDir()
			args := func(file string) []string {
				args := append([]string{"-n", "-l", "-U", "--print", "-w", filepath.Join(dir, file)}, tc.flags...)
				// MLD reports, which Linux sends when it likes, would
				// reach one sniffer and not the other as they start.
				return append(args, "not", "ip6", "dst", "ff02::16")
			}
			nd := startSniffer(t, v.A, "netdump", []string{"NETDUMP_AS_MAIN=1", "TZ=UTC"}, append([]string{exe}, args("netdump.pcap")...)...)
			td := startSniffer(t, v.A, "tcpdump", []string{"TZ=UTC"}, append([]string{tcpdump}, args("tcpdump.pcap")...)...)
			knownTraffic(t, v)
			time.Sleep(500 * time.Millisecond)
			nd.stop(t)
			td.stop(t)

			// The same lines, timestamps aside.
			got, want := untimed(nd.stdout.String()), untimed(td.stdout.String())
			if strings.Join(got, "\n") != strings.Join(want, "\n") {
				t.Errorf("netdump and tcpdump print differently (timestamps aside): %s", firstDiff([]byte(strings.Join(want, "\n")), []byte(strings.Join(got, "\n"))))
			}
			all := strings.Join(want, "\n")
			for _, seen := range []string{"ICMP echo request", "ICMP echo reply", "udp port 9999 unreachable", "Flags [S]", "Flags [F.]", "UDP, length 4", "ICMP6, echo request", "ICMP6, echo reply", "ICMP6, destination unreachable"} {
				if !strings.Contains(all, seen) && !(tc.name == "in-snaplen-hex" && (strings.Contains(seen, "reply") || strings.Contains(seen, "unreach"))) && !(tc.name == "immediate" && strings.Contains(seen, "Flags")) {
					t.Errorf("no %q in the capture", seen)
				}
			}

			// The same messages, the same count captured.
			nerr, terr := nd.stderr.String(), td.stderr.String()
			nlines, tlines := strings.Split(nerr, "\n"), strings.Split(strings.ReplaceAll(terr, "tcpdump:", "netdump:"), "\n")
			for i := 0; i < len(tlines) && i < len(nlines); i++ {
				if strings.Contains(tlines[i], " packet") {
					break
				}
				if nlines[i] != tlines[i] {
					t.Errorf("stderr line %d: %q, tcpdump %q", i+1, nlines[i], tlines[i])
				}
			}
			nc, nr, nk, ok1 := countLines(nerr)
			tc_, tr, tk, ok2 := countLines(terr)
			if !ok1 || !ok2 || nc != tc_ || nk != 0 || tk != 0 || nr < nc || tr < tc_ {
				t.Errorf("netdump counts %d/%d/%d, tcpdump %d/%d/%d\n%s\n%s", nc, nr, nk, tc_, tr, tk, nerr, terr)
			}
			t.Logf("%d packets captured by each; received by filter: netdump %d, tcpdump %d", nc, nr, tr)

			// Files with the same header and the same records.
			nh, nrecs := readRecords(t, filepath.Join(dir, "netdump.pcap"))
			th, trecs := readRecords(t, filepath.Join(dir, "tcpdump.pcap"))
			if !bytes.Equal(nh, th) {
				t.Errorf("file header % x, tcpdump's % x", nh, th)
			}
			if len(nrecs) != len(trecs) || len(nrecs) != nc {
				t.Fatalf("%d records written, tcpdump %d, captured %d", len(nrecs), len(trecs), nc)
			}
			for i := range nrecs {
				n, w := nrecs[i], trecs[i]
				if !bytes.Equal(n.Data, w.Data) || n.Length != w.Length {
					t.Errorf("record %d: % x (%d)\ntcpdump's: % x (%d)", i, n.Data, n.Length, w.Data, w.Length)
				}
				if d := n.Time().Sub(w.Time()); d > time.Second || d < -time.Second {
					t.Errorf("record %d: time %v, tcpdump's %v", i, n.Time(), w.Time())
				}
			}
		})
	}
}
