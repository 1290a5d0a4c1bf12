package stack

import (
	"context"
	"net"
	"net/netip"
	"testing"
	"time"

	"golang.org/x/net/nettest"

	"github.com/medina-net/medina/link/pipe"
	"github.com/medina-net/medina/tcp"
)

// realPair builds two stacks over a pipe on the real clock (nettest's
// tests measure real time, so they cannot run in a synctest bubble). stop
// closes both.
func realPair(t testing.TB, seed uint64) (a, b *Stack, stop func()) {
	t.Helper()
	return realPairTCP(t, seed, tcp.Config{})
}

// realPairTCP is realPair with a TCP configuration for both stacks.
func realPairTCP(t testing.TB, seed uint64, tcfg tcp.Config) (a, b *Stack, stop func()) {
	t.Helper()
	ea, eb := pipe.New(pipe.Config{})
	var err error
	if a, err = New(ea, Config{Addr: netip.PrefixFrom(addrA, 24), Rand: SeededRand(seed), TCP: tcfg}); err != nil {
		t.Fatal(err)
	}
	if b, err = New(eb, Config{Addr: netip.PrefixFrom(addrB, 24), Rand: SeededRand(seed + 1), TCP: tcfg}); err != nil {
		a.Close()
		t.Fatal(err)
	}
	return a, b, func() {
		a.Close()
		b.Close()
	}
}

// tcpPipe returns a connected pair of *tcp.Conn: c1 dialled from b, c2
// accepted on a.
func tcpPipe(t testing.TB, seed uint64) (c1, c2 *tcp.Conn, stop func(), err error) {
	a, b, stopStacks := realPair(t, seed)
	return tcpPipeOver(a, b, stopStacks, addrA, netip.IPv4Unspecified())
}

// tcpPipe6 is tcpPipe over IPv6, between two dual-stack stacks, the
// listener on [::].
func tcpPipe6(t testing.TB, seed uint64) (c1, c2 *tcp.Conn, stop func(), err error) {
	t.Helper()
	ea, eb := pipe.New(pipe.Config{})
	ca, cb := dualCfgA(seed), dualCfgB(seed+1)
	a, err := New(ea, ca)
	if err != nil {
		t.Fatal(err)
	}
	b, err := New(eb, cb)
	if err != nil {
		a.Close()
		t.Fatal(err)
	}
	return tcpPipeOver(a, b, func() { a.Close(); b.Close() }, addrA6, netip.IPv6Unspecified())
}

// tcpPipeOver connects b to a listener of a's on any, at to.
func tcpPipeOver(a, b *Stack, stopStacks func(), to, any netip.Addr) (c1, c2 *tcp.Conn, stop func(), err error) {
	ln, err := a.ListenTCP(netip.AddrPortFrom(any, 0))
	if err != nil {
		stopStacks()
		return nil, nil, nil, err
	}
	accepted := make(chan *tcp.Conn, 1)
	acceptErr := make(chan error, 1)
	go func() {
		c, err := ln.AcceptTCP()
		if err != nil {
			acceptErr <- err
			return
		}
		accepted <- c
	}()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	port := ln.Addr().(*net.TCPAddr).Port
	c1, err = b.DialTCP(ctx, netip.AddrPort{}, netip.AddrPortFrom(to, uint16(port)))
	if err != nil {
		ln.Close()
		stopStacks()
		return nil, nil, nil, err
	}
	select {
	case c2 = <-accepted:
	case err = <-acceptErr:
		c1.Close()
		ln.Close()
		stopStacks()
		return nil, nil, nil, err
	}
	ln.Close()
	return c1, c2, func() {
		c1.Close()
		c2.Close()
		stopStacks()
	}, nil
}

// TestNetTestConn runs x/net/nettest's conformance suite for net.Conn on a
// pair of TCP connections between two stacks, both ways round.
func TestNetTestConn(t *testing.T) {
	seed := uint64(100)
	mp := func() (c1, c2 net.Conn, stop func(), err error) {
		seed += 2
		return tcpPipe(t, seed)
	}
	t.Run("DialerFirst", func(t *testing.T) { nettest.TestConn(t, mp) })
	t.Run("AcceptorFirst", func(t *testing.T) {
		nettest.TestConn(t, func() (c1, c2 net.Conn, stop func(), err error) {
			c1, c2, stop, err = mp()
			return c2, c1, stop, err
		})
	})
}

// TestNetTestConn6 is TestNetTestConn over IPv6.
func TestNetTestConn6(t *testing.T) {
	seed := uint64(200)
	mp := func() (c1, c2 net.Conn, stop func(), err error) {
		seed += 2
		return tcpPipe6(t, seed)
	}
	t.Run("DialerFirst", func(t *testing.T) { nettest.TestConn(t, mp) })
	t.Run("AcceptorFirst", func(t *testing.T) {
		nettest.TestConn(t, func() (c1, c2 net.Conn, stop func(), err error) {
			c1, c2, stop, err = mp()
			return c2, c1, stop, err
		})
	})
}
