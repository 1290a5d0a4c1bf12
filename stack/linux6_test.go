package stack

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"io"
	"net"
	"net/netip"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/medina-net/medina/internal/netns"
)

// Addresses of the IPv6 test with Linux: the kernel's side of the TAP is
// 2001:db8:6::1, the stack 2001:db8:6::2 and fe80::2.
var (
	kernel6    = netip.MustParseAddr("2001:db8:6::1")
	stack6     = netip.MustParseAddr("2001:db8:6::2")
	stackLL6   = netip.MustParseAddr("fe80::2")
	prefix6Len = 64
)

// TestLinuxPeer6 is TestLinuxPeer over IPv6: Linux, in a namespace of
// its own behind a TAP, resolves the stack with Neighbor Discovery and
// pings its global and link-local addresses, exchanges UDP datagrams
// with it both ways (one of them fragmented), and the stack pings Linux.
// tcpdump records the TAP meanwhile, and netdump must print the capture
// as tcpdump does. It needs root, /dev/net/tun, ping, socat and tcpdump.
func TestLinuxPeer6(t *testing.T) {
	netns.Available(t)
	netns.NeedTools(t, "ping", "socat", "tcpdump")
	// Over a TAP and a TUN, plain and with offloads (linuxLinks).
	for _, l := range linuxLinks {
		t.Run(l.name(), func(t *testing.T) { linuxPeer6(t, l) })
	}
}

func linuxPeer6(t *testing.T, l linuxLink) {
	k := l.open(t)
	ns, ifname := k.ns, k.ifname
	ns.EnableIPv6(t, ifname, netip.PrefixFrom(kernel6, prefix6Len))
	capture := filepath.Join(t.TempDir(), "linux-peer6.pcap")
	stopCapture := startTCPDump(t, ns, ifname, capture)

	s, err := New(k.dev, Config{
		Addr:  netip.PrefixFrom(netns.StackAddr, 24),
		Addrs: []netip.Prefix{netip.PrefixFrom(stack6, prefix6Len), netip.PrefixFrom(stackLL6, 64)},
	})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	srv, err := s.ListenPacket("udp6", ":7777")
	if err != nil {
		t.Fatal(err)
	}
	go echo(srv)

	for _, dst := range []string{stack6.String(), stackLL6.String() + "%" + ifname} {
		out := ns.Run(t, "ping", "-6", "-c", "5", "-i", "0.2", "-W", "2", "-s", "3000", dst)
		if !strings.Contains(out, " 0% packet loss") {
			t.Fatalf("ping -6 %s from Linux lost packets:\n%s", dst, out)
		}
	}
	if !l.tun {
		neigh := ns.IP(t, "-6", "neigh", "show", stack6.String())
		if !strings.Contains(neigh, s.HardwareAddr().String()) {
			t.Errorf("Linux's neighbour table has no entry with the stack's MAC %v:\n%s", s.HardwareAddr(), neigh)
		}
	}

	for _, size := range []int{5, 1452, 3000} {
		msg := make([]byte, size)
		rand.Read(msg)
		cmd := ns.Command("socat", "-T", "3", "-b", "65536", "-", "UDP6:["+stack6.String()+"]:7777")
		cmd.Stdin = bytes.NewReader(msg)
		got, err := cmd.Output()
		if err != nil {
			t.Fatalf("socat, %d bytes to the stack's echo server: %v", size, err)
		}
		if !bytes.Equal(got, msg) {
			t.Fatalf("echo of %d bytes from Linux came back as %d bytes", size, len(got))
		}
	}

	for _, size := range []int{5, 3000} {
		msg := make([]byte, size)
		rand.Read(msg)
		got := receiveInNamespace(t, s, ns, kernel6, msg)
		if !bytes.Equal(got, msg) {
			t.Fatalf("datagram of %d bytes from the stack arrived as %d bytes", size, len(got))
		}
	}

	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if _, err := s.Ping(ctx, kernel6, 3000); err != nil {
		t.Errorf("the stack's ping of Linux: %v", err)
	}

	st := s.Stats()
	if st.ICMPv6.InEchos < 10 || st.ICMPv6.OutEchoReplies < 10 || st.IPv6.ReasmOKs < 5 || st.IPv6.FragOKs < 5 {
		t.Errorf("counters do not show the exchange: %+v %+v", st.IPv6, st.ICMPv6)
	}
	if st.IPv6.InHdrErrors != 0 || st.UDP6.InErrors != 0 || st.ICMPv6.InErrors != 0 || st.ICMPv6.InNDPInvalid != 0 {
		t.Errorf("errors on a clean link: %+v %+v %+v", st.IPv6, st.ICMPv6, st.UDP6)
	}

	stopCapture()
	compareWithTCPDump(t, capture)
}

// TestLinuxTCP6 has Linux and the stack exchange 8 MiB over TCP over
// IPv6, each way, through socat, checking the bytes: the segments the
// stack sizes from IPv6's MTU and the ones Linux sends are accepted both
// ways. tcpdump records the TAP (headers only), and netdump must print
// the capture as tcpdump does.
func TestLinuxTCP6(t *testing.T) {
	netns.Available(t)
	netns.NeedTools(t, "socat", "sha256sum", "head", "tcpdump")
	// Over a TAP and a TUN, plain and with offloads (linuxLinks).
	for _, l := range linuxLinks {
		t.Run(l.name(), func(t *testing.T) { linuxTCP6(t, l) })
	}
}

func linuxTCP6(t *testing.T, l linuxLink) {
	k := l.open(t)
	ns, ifname := k.ns, k.ifname
	ns.EnableIPv6(t, ifname, netip.PrefixFrom(kernel6, prefix6Len))
	// Headers and a little payload: 16 MiB in full would make the
	// comparison slow without showing more of the printers.
	capture := filepath.Join(t.TempDir(), "linux-tcp6.pcap")
	stopCapture := startTCPDump(t, ns, ifname, capture, "-s", "128")
	s, err := New(k.dev, Config{Addrs: []netip.Prefix{netip.PrefixFrom(stack6, prefix6Len), netip.PrefixFrom(stackLL6, 64)}})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	const n = 8 << 20

	// Linux to the stack.
	ln, err := s.Listen("tcp", "[::]:8080")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	got := make(chan [32]byte, 1)
	go func() {
		c, err := ln.Accept()
		if err != nil {
			got <- [32]byte{}
			return
		}
		defer c.Close()
		w := newHashingWriter()
		io.Copy(w, c)
		got <- w.sum()
	}()
	cmd := ns.Command("socat", "-u", "-", "TCP6:["+stack6.String()+"]:8080")
	cmd.Stdin = bulkData(6, 1, n)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("socat to the stack: %v\n%s", err, out)
	}
	select {
	case sum := <-got:
		if sum != bulkSum(6, 1, n) {
			t.Fatal("the stack received other bytes than Linux sent")
		}
	case <-time.After(30 * time.Second):
		t.Fatal("the stack's server did not finish")
	}

	// The stack to Linux.
	recv := ns.Command("timeout", "30", "socat", "-u", "TCP6-LISTEN:9090,reuseaddr", "SYSTEM:sha256sum")
	var out lockedBuffer
	recv.Stdout = &out
	if err := recv.Start(); err != nil {
		t.Fatal(err)
	}
	var c net.Conn
	for i := 0; i < 50; i++ {
		ctx, cancel := context.WithTimeout(context.Background(), time.Second)
		c, err = s.DialContext(ctx, "tcp6", "["+kernel6.String()+"]:9090")
		cancel()
		if err == nil {
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	if err != nil {
		t.Fatalf("dial Linux: %v", err)
	}
	if _, err := io.Copy(c, bulkData(6, 2, n)); err != nil {
		t.Fatal(err)
	}
	c.Close()
	if err := recv.Wait(); err != nil {
		t.Fatalf("socat in the namespace: %v", err)
	}
	want := bulkSum(6, 2, n)
	if !strings.HasPrefix(string(out.Bytes()), hex.EncodeToString(want[:])) {
		t.Fatalf("Linux received other bytes: %s", out.Bytes())
	}
	if st := s.Stats(); st.IPv6.InHdrErrors != 0 || st.ICMPv6.InErrors != 0 {
		t.Errorf("errors on a clean link: %+v %+v", st.IPv6, st.ICMPv6)
	}

	stopCapture()
	compareWithTCPDump(t, capture)
}
