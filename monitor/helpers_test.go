package monitor

import (
	"context"
	"io"
	"net/netip"
	"testing"
	"time"

	"github.com/medina-net/medina/link/pipe"
	"github.com/medina-net/medina/stack"
	"github.com/medina-net/medina/tcp"
)

// Two stacks joined by an in-memory pipe: a (10.0.0.1) runs an echo
// server on port 80, b (10.0.0.2) is the client.
var (
	addrA = netip.MustParsePrefix("10.0.0.1/24")
	addrB = netip.MustParsePrefix("10.0.0.2/24")
	echoA = netip.AddrPortFrom(addrA.Addr(), 80)
)

// newPair starts the two stacks over a pipe made with cfg, and the echo
// server on a; everything is closed when the test ends.
func newPair(t testing.TB, cfg pipe.Config) (a, b *stack.Stack) {
	t.Helper()
	da, db := pipe.New(cfg)
	var err error
	if a, err = stack.New(da, stack.Config{Addr: addrA}); err != nil {
		t.Fatal(err)
	}
	if b, err = stack.New(db, stack.Config{Addr: addrB}); err != nil {
		t.Fatal(err)
	}
	l, err := a.ListenTCP(echoA)
	if err != nil {
		t.Fatal(err)
	}
	go func() {
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			go func() {
				io.Copy(c, c)
				c.Close()
			}()
		}
	}()
	t.Cleanup(func() {
		l.Close()
		b.Close()
		a.Close()
	})
	return a, b
}

// echo dials a's echo server from b, sends n bytes and reads them back;
// the connection is left open for the caller.
func echo(t testing.TB, b *stack.Stack, n int) *tcp.Conn {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	c, err := b.DialTCP(ctx, netip.AddrPort{}, echoA)
	if err != nil {
		t.Fatal(err)
	}
	data := make([]byte, n)
	for i := range data {
		data[i] = byte(i * 7)
	}
	errc := make(chan error, 1)
	go func() {
		_, err := c.Write(data)
		errc <- err
	}()
	c.SetReadDeadline(time.Now().Add(10 * time.Second))
	got := make([]byte, n)
	if _, err := io.ReadFull(c, got); err != nil {
		t.Fatal(err)
	}
	if err := <-errc; err != nil {
		t.Fatal(err)
	}
	c.SetReadDeadline(time.Time{})
	return c
}

// waitFor polls cond until it holds, failing the test after 10 s.
func waitFor(t testing.TB, what string, cond func() bool) {
	t.Helper()
	for deadline := time.Now().Add(10 * time.Second); !cond(); time.Sleep(time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
	}
}
