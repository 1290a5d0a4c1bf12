package tcp

import (
	"net"
	"testing"

	"golang.org/x/net/nettest"
)

// TestConnNettest runs golang.org/x/net/nettest's conformance tests of
// net.Conn on a connection between two engines, over IPv4 and over IPv6:
// a Conn behaves as package net's in both families.
func TestConnNettest(t *testing.T) {
	for _, f := range benchFamilies {
		t.Run(f.name, func(t *testing.T) {
			nettest.TestConn(t, func() (c1, c2 net.Conn, stop func(), err error) {
				p, err := newPipePair(f.local, f.remote, 1500)
				if err != nil {
					return nil, nil, nil, err
				}
				if c1, c2 = p.client, p.server; c1.LocalAddr().(*net.TCPAddr).AddrPort().Addr() != f.local {
					t.Errorf("the client's address is %v, want %v", c1.LocalAddr(), f.local)
				}
				return c1, c2, p.close, nil
			})
		})
	}
}
