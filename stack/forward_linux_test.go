package stack

import (
	"fmt"
	"io"
	"net"
	"net/http"
	"net/netip"
	"os/exec"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/medina-net/medina/internal/netns"
	"github.com/medina-net/medina/tcp"
)

// The ranges the namespace routes to the stack in TestForwardLinux: the
// documentation ones (RFC 5737, RFC 3849) and the benchmarking one (RFC
// 2544), which no real network routes. The link itself is the first
// four addresses of 192.0.2.0/24 (a /30), and 2001:db8:1::/64; the rest
// of each range goes through the stack.
var forwardRanges = []string{"192.0.2.0/24", "198.51.100.0/24", "203.0.113.0/24", "198.18.0.0/15"}

const forwardRange6 = "2001:db8::/32"

// forwardLink is the /30 the kernel and the stack share in
// TestForwardLinux, in place of the /24 netns gives the kernel.
var (
	forwardKernel = netip.MustParsePrefix("192.0.2.1/30")
	forwardStack  = netip.MustParsePrefix("192.0.2.2/30")
)

// TestForwardLinux puts the stack in any-address mode behind a TAP or a
// TUN (each of linuxLinks) whose namespace routes the documentation and
// benchmarking ranges to it, and has Linux's curl fetch from many
// addresses of them (the handler says the address it was reached at),
// Linux's UDP reach several of them (each echoed from the address it was
// sent to), and 1000 connections to addresses of their own open at once.
// It needs root, /dev/net/tun and ip(8), and curl for the curl part; it
// skips with the reason without them.
func TestForwardLinux(t *testing.T) {
	netns.Available(t)
	for _, l := range linuxLinks {
		t.Run(l.name(), func(t *testing.T) { forwardLinux(t, l) })
	}
}

// forwardAddrs returns n addresses spread over the ranges, IPv6 ones
// among them when v6, each with a port of its own.
func forwardAddrs(n int, v6 bool) []netip.AddrPort {
	var out []netip.AddrPort
	for i := range n {
		port := uint16(80 + i*7%3000)
		switch k := i % 5; {
		case k == 4 && v6:
			out = append(out, netip.AddrPortFrom(netip.AddrFrom16([16]byte{0x20, 0x01, 0x0d, 0xb8, 0, byte(2 + i%250), 15: byte(1 + i/250)}), port))
		case k == 0:
			out = append(out, netip.AddrPortFrom(netip.AddrFrom4([4]byte{192, 0, 2, byte(10 + i%240)}), port))
		case k == 1:
			out = append(out, netip.AddrPortFrom(netip.AddrFrom4([4]byte{198, 51, 100, byte(1 + i%254)}), port))
		case k == 2:
			out = append(out, netip.AddrPortFrom(netip.AddrFrom4([4]byte{203, 0, 113, byte(1 + i%254)}), port))
		default:
			out = append(out, netip.AddrPortFrom(netip.AddrFrom4([4]byte{198, 18 + byte(i&1), byte(i >> 8), byte(1 + i%254)}), port))
		}
	}
	return out
}

func forwardLinux(t *testing.T, l linuxLink) {
	k := l.open(t)
	ns, ifname := k.ns, k.ifname
	ns.IP(t, "addr", "del", netns.KernelPrefix.String(), "dev", ifname)
	ns.IP(t, "addr", "add", forwardKernel.String(), "dev", ifname)
	ns.EnableIPv6(t, ifname, netns.KernelPrefix6)
	s, err := New(k.dev, Config{
		Addr:  forwardStack,
		Addrs: []netip.Prefix{netip.PrefixFrom(netns.StackAddr6, netns.KernelPrefix6.Bits()), netip.MustParsePrefix("fe80::2/64")},
	})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	for _, r := range forwardRanges {
		ns.IP(t, "route", "add", r, "via", forwardStack.Addr().String(), "dev", ifname)
	}
	ns.IP(t, "-6", "route", "add", forwardRange6, "via", netns.StackAddr6.String(), "dev", ifname)

	anyL, err := s.ListenAnyTCP(tcp.AnyOptions{})
	if err != nil {
		t.Fatal(err)
	}
	srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintf(w, "reached at %v", r.Context().Value(http.LocalAddrContextKey))
	})}
	go srv.Serve(anyL)
	defer srv.Close()
	udpL, err := s.ListenAnyUDP(AnyUDPOptions{})
	if err != nil {
		t.Fatal(err)
	}
	defer udpL.Close()
	go func() {
		for {
			f, err := udpL.Accept()
			if err != nil {
				return
			}
			go echoFlow(f)
		}
	}()

	t.Run("curl", func(t *testing.T) {
		if _, err := exec.LookPath("curl"); err != nil {
			t.Skipf("curl is not installed: %v", err)
		}
		dsts := forwardAddrs(60, true)
		// Each fetch is bounded, and all of them together.
		args := []string{"timeout", "120", "curl", "-sS", "-g", "--fail-early", "--connect-timeout", "5", "--max-time", "10", "-w", "\\n"}
		var want []string
		for _, d := range dsts {
			args = append(args, "http://"+d.String()+"/")
			want = append(want, "reached at "+d.String())
		}
		b, err := netns.RunIn(ns, args...)
		out := string(b)
		if err != nil {
			t.Fatalf("curl: %v\n%s", err, out)
		}
		got := strings.Split(strings.TrimSuffix(out, "\n"), "\n")
		if !slices.Equal(got, want) {
			t.Errorf("curl to %d addresses:\n%s\nwant:\n%s", len(dsts), out, strings.Join(want, "\n"))
		}
	})

	t.Run("udp", func(t *testing.T) {
		dsts := forwardAddrs(15, true)
		err := ns.Do(func() error {
			for _, network := range []string{"udp4", "udp6"} {
				c, err := net.ListenUDP(network, nil)
				if err != nil {
					return err
				}
				defer c.Close()
				for _, d := range dsts {
					if d.Addr().Is4() != (network == "udp4") {
						continue
					}
					msg := "to " + d.String()
					if _, err := c.WriteToUDPAddrPort([]byte(msg), d); err != nil {
						return err
					}
					c.SetReadDeadline(time.Now().Add(10 * time.Second))
					buf := make([]byte, 100)
					n, from, err := c.ReadFromUDPAddrPort(buf)
					if err != nil {
						return fmt.Errorf("%v: %w", d, err)
					}
					// An unconnected socket takes datagrams from anyone:
					// the source is what the stack put there.
					if from := netip.AddrPortFrom(from.Addr().Unmap(), from.Port()); from != d || string(buf[:n]) != msg {
						return fmt.Errorf("%v: got %q from %v, want the echo from %v", d, buf[:n], from, d)
					}
				}
			}
			return nil
		})
		if err != nil {
			t.Error(err)
		}
		if st := udpL.Stats(); st.Flows != uint64(len(dsts)) {
			t.Errorf("%d UDP flows opened, want %d", st.Flows, len(dsts))
		}
	})

	t.Run("1000-flows", func(t *testing.T) {
		const n = 1000
		dsts := forwardAddrs(n, true)
		conns := make([]net.Conn, n)
		defer func() {
			for _, c := range conns {
				if c != nil {
					c.Close()
				}
			}
		}()
		// Sockets opened in the namespace stay there, whichever
		// goroutine uses them later: open all, then talk on all at once.
		err := ns.Do(func() error {
			for i, d := range dsts {
				c, err := net.DialTimeout("tcp", d.String(), 10*time.Second)
				if err != nil {
					return fmt.Errorf("connection %d, to %v: %w", i, d, err)
				}
				conns[i] = c
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		if got := s.tcp.NumConns(); got < n {
			t.Errorf("%d connections open in the stack, want at least %d", got, n)
		}
		var wg sync.WaitGroup
		errs := make(chan error, n)
		for i, c := range conns {
			wg.Go(func() {
				c.SetDeadline(time.Now().Add(60 * time.Second))
				if _, err := io.WriteString(c, "GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"); err != nil {
					errs <- err
					return
				}
				b, err := io.ReadAll(c)
				if want := "reached at " + dsts[i].String(); err != nil || !strings.HasSuffix(string(b), want) {
					errs <- fmt.Errorf("%v: %q, %v; want a body of %q", dsts[i], b, err, want)
				}
			})
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			t.Error(err)
		}
	})
}
