package stack

import (
	"bytes"
	"context"
	"errors"
	"net"
	"net/netip"
	"syscall"
	"testing"
	"testing/synctest"
	"time"

	"github.com/medina-net/medina/link"
	"github.com/medina-net/medina/link/pipe"
)

// pair is two stacks joined by an in-memory link: a is 10.0.0.1, b is
// 10.0.0.2, on 10.0.0.0/24.
type pair struct {
	a, b   *Stack
	da, db link.Device
}

var (
	addrA = netip.MustParseAddr("10.0.0.1")
	addrB = netip.MustParseAddr("10.0.0.2")
)

// newPair builds two stacks over a pipe, wrapping each end with wrap when
// it is not nil (to impair or record it). Both stacks are closed when the
// test ends.
func newPair(t *testing.T, seed uint64, wrap func(a, b link.Device) (link.Device, link.Device)) *pair {
	t.Helper()
	return newPairWith(t, Config{Addr: netip.PrefixFrom(addrA, 24), Rand: SeededRand(seed)}, seed+1, wrap)
}

// pipeEnds returns the two ends of an in-memory link with fixed MAC
// addresses, so that recorded sessions do not depend on defaults.
func pipeEnds() (link.Device, link.Device) {
	a, b := pipe.New(pipe.Config{})
	return a, b
}

func TestUDPEcho(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		p := newPair(t, 1, nil)
		srv, err := p.a.ListenPacket("udp", ":7")
		if err != nil {
			t.Fatal(err)
		}
		go echo(srv)
		c, err := p.b.Dial("udp", "10.0.0.1:7")
		if err != nil {
			t.Fatal(err)
		}
		// One datagram, the largest that fits the MTU, one just over it,
		// three fragments, and the largest UDP over IPv4 carries.
		expectEchoes(t, c, 0, 1, 100, 1472, 1473, 4000, 65507)
		st := p.a.Stats()
		if st.IP.ReasmOKs == 0 || st.IP.FragOKs == 0 {
			t.Errorf("no fragmentation seen: %+v", st.IP)
		}
		if st.UDP.InDatagrams != 7 || st.UDP.OutDatagrams != 7 {
			t.Errorf("UDP stats %+v, want 7 in and 7 out", st.UDP)
		}
	})
}

// echo sends every datagram back to its sender until the socket closes.
func echo(pc net.PacketConn) {
	buf := make([]byte, 65536)
	for {
		n, from, err := pc.ReadFrom(buf)
		if err != nil {
			return
		}
		pc.WriteTo(buf[:n], from)
	}
}

func TestPing(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		p := newPair(t, 2, nil)
		for _, size := range []int{0, 56, 1472, 3000} {
			rtt, err := p.b.Ping(context.Background(), addrA, size)
			if err != nil {
				t.Fatalf("ping with %d bytes: %v", size, err)
			}
			if rtt < 0 {
				t.Errorf("rtt %v", rtt)
			}
		}
		if st := p.a.Stats().ICMP; st.InEchos != 4 || st.OutEchoReps != 4 {
			t.Errorf("ICMP stats %+v, want 4 echos answered", st)
		}
		// Nobody at .9: resolution fails and the ping times out.
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		_, err := p.b.Ping(ctx, netip.MustParseAddr("10.0.0.9"), 8)
		var ne net.Error
		if !errors.As(err, &ne) || !ne.Timeout() {
			t.Errorf("ping of nobody: %v, want a timeout", err)
		}
	})
}

func TestPortUnreachable(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		p := newPair(t, 3, nil)
		c, err := p.b.Dial("udp", "10.0.0.1:9")
		if err != nil {
			t.Fatal(err)
		}
		if _, err := c.Write([]byte("anyone?")); err != nil {
			t.Fatal(err)
		}
		c.SetReadDeadline(time.Now().Add(time.Second))
		_, err = c.Read(make([]byte, 10))
		if !errors.Is(err, syscall.ECONNREFUSED) {
			t.Errorf("read after sending to a closed port: %v, want ECONNREFUSED", err)
		}
		// a counts the error it sent after writing it: b may have read
		// it first. Once every goroutine of the bubble waits, a is done.
		synctest.Wait()
		if st := p.a.Stats(); st.UDP.NoPorts != 1 || st.ICMP.OutDestUnreachs != 1 {
			t.Errorf("NoPorts %d, OutDestUnreachs %d; want 1, 1", st.UDP.NoPorts, st.ICMP.OutDestUnreachs)
		}
		if st := p.b.Stats(); st.ICMP.InDestUnreachs != 1 {
			t.Errorf("InDestUnreachs %d, want 1", st.ICMP.InDestUnreachs)
		}
	})
}

func TestDeadlineAndClose(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		p := newPair(t, 4, nil)
		pc, err := p.a.ListenPacket("udp", ":5353")
		if err != nil {
			t.Fatal(err)
		}
		start := time.Now()
		pc.SetReadDeadline(start.Add(3 * time.Second))
		_, _, err = pc.ReadFrom(make([]byte, 10))
		var ne net.Error
		if !errors.As(err, &ne) || !ne.Timeout() {
			t.Fatalf("read past the deadline: %v, want a timeout", err)
		}
		if d := time.Since(start); d != 3*time.Second {
			t.Errorf("timed out after %v, want 3s", d)
		}
		// A deadline moved while a read waits applies to it.
		pc.SetReadDeadline(time.Time{})
		done := make(chan error)
		go func() {
			_, _, err := pc.ReadFrom(make([]byte, 10))
			done <- err
		}()
		synctest.Wait()
		pc.SetReadDeadline(time.Now().Add(time.Second))
		if err := <-done; !errors.As(err, &ne) || !ne.Timeout() {
			t.Fatalf("read with a deadline set while waiting: %v", err)
		}
		// Close unblocks a reader.
		pc.SetReadDeadline(time.Time{})
		go func() {
			_, _, err := pc.ReadFrom(make([]byte, 10))
			done <- err
		}()
		synctest.Wait()
		pc.Close()
		if err := <-done; !errors.Is(err, net.ErrClosed) {
			t.Fatalf("read on a closed socket: %v, want net.ErrClosed", err)
		}
		// The port is free again.
		if _, err := p.a.ListenPacket("udp", ":5353"); err != nil {
			t.Fatalf("rebinding: %v", err)
		}
		if _, err := p.a.ListenPacket("udp", ":5353"); !errors.Is(err, syscall.EADDRINUSE) {
			t.Fatalf("binding twice: %v, want EADDRINUSE", err)
		}
	})
}

func TestStackCloseUnblocksEverything(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		p := newPair(t, 5, nil)
		pc, _ := p.a.ListenPacket("udp", ":1")
		done := make(chan error)
		go func() {
			_, _, err := pc.ReadFrom(make([]byte, 10))
			done <- err
		}()
		go func() {
			_, err := p.a.Ping(context.Background(), netip.MustParseAddr("10.0.0.77"), 0)
			done <- err
		}()
		synctest.Wait()
		p.a.Close()
		for range 2 {
			if err := <-done; !errors.Is(err, net.ErrClosed) {
				t.Errorf("blocked call after Close: %v, want net.ErrClosed", err)
			}
		}
	})
}

// expectEchoes writes a datagram of each size on c, filled with its
// size's low byte, and expects each back whole from an echo server.
func expectEchoes(t *testing.T, c net.Conn, sizes ...int) {
	t.Helper()
	got := make([]byte, 70000)
	for _, size := range sizes {
		msg := bytes.Repeat([]byte{byte(size)}, size)
		if _, err := c.Write(msg); err != nil {
			t.Fatalf("write %d bytes: %v", size, err)
		}
		c.SetReadDeadline(time.Now().Add(5 * time.Second))
		n, err := c.Read(got)
		if err != nil {
			t.Fatalf("read echo of %d bytes: %v", size, err)
		}
		if !bytes.Equal(got[:n], msg) {
			t.Fatalf("echo of %d bytes came back as %d bytes", size, n)
		}
	}
}
