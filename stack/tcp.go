package stack

import (
	"context"
	"errors"
	"net"
	"net/netip"
	"syscall"
	"time"

	"github.com/medina-net/medina/ethernet"
	"github.com/medina-net/medina/icmpv6"
	"github.com/medina-net/medina/ipv4"
	"github.com/medina-net/medina/ipv6"
	"github.com/medina-net/medina/tcp"
)

// tcpNetwork is the stack as the TCP engine sees it: the IP layer it
// builds segments for.
type tcpNetwork struct{ s *Stack }

// SourceAddr is the stack's address, for IPv4: the stack has one, and
// no IPv6 yet.
func (n tcpNetwork) SourceAddr(dst netip.Addr) (netip.Addr, bool) {
	return n.s.addr.Netip(), dst.Is4()
}

// IsLocal reports whether a is the stack's address.
func (n tcpNetwork) IsLocal(a netip.Addr) bool { return a == n.s.addr.Netip() }

// MTU is the device's: the stack has one route MTU.
func (n tcpNetwork) MTU(dst netip.Addr) int { return n.s.mtu }

// PathMTU is the device's MTU, or less where the path MTU table has a
// lower one for dst.
func (n tcpNetwork) PathMTU(dst netip.Addr) int {
	return n.s.pmtu.lookup(dst, n.s.mtu, n.s.clock.Now())
}

// Segment hands out a frame buffer with room for the Ethernet and IPv4
// headers in front of the segment.
func (n tcpNetwork) Segment(size int) *tcp.SegmentBuffer {
	s := n.s
	sb := s.segBufs.Get().(*tcp.SegmentBuffer)
	bp := s.bufs.get(ethernet.HeaderLen + ipv4.MinHeaderLen + size)
	sb.Owner = bp
	sb.B = (*bp)[ethernet.HeaderLen+ipv4.MinHeaderLen:]
	return sb
}

// Send puts the IPv4 header in front of a segment and sends it.
func (n tcpNetwork) Send(sb *tcp.SegmentBuffer, size int, src, dst netip.Addr) error {
	s := n.s
	bp := sb.Owner.(*[]byte)
	defer func() {
		s.bufs.put(bp)
		sb.B, sb.Owner, sb.Time = nil, nil, time.Time{}
		s.segBufs.Put(sb)
	}()
	if size == 0 {
		return nil
	}
	dg := (*bp)[ethernet.HeaderLen : ethernet.HeaderLen+ipv4.MinHeaderLen+size]
	// TCP segments are sent with DF set: the engine sizes them to the
	// path MTU (RFC 1191's path MTU discovery).
	if err := s.encodeIPv4(dg, ipv4.ProtoTCP, ipv4.Addr(dst.As4()), size, true); err != nil {
		return err
	}
	return s.outputAt(bp, ipv4.MinHeaderLen+size, sb.Time)
}

// Listen listens for TCP connections on address ("tcp" or "tcp4"
// network; "host:port", host empty, 0.0.0.0 or the stack's address). It
// returns a *tcp.Listener, which behaves as package net's: port 0 picks a
// free ephemeral port that Addr reports; a port another listener has
// fails with EADDRINUSE, and an address not the stack's with
// EADDRNOTAVAIL; after Close, Accept fails with an error that wraps
// net.ErrClosed. Names are not resolved.
func (s *Stack) Listen(network, address string) (net.Listener, error) {
	laddr, fam, err := s.parseAddr("listen", network, address, true, "tcp")
	if err != nil {
		return nil, err
	}
	if fam != famV4 {
		// Until the engine speaks IPv6, a wildcard listens on IPv4.
		laddr = netip.AddrPortFrom(netip.IPv4Unspecified(), laddr.Port())
		if a := laddr.Addr(); a.Is6() && !a.IsUnspecified() {
			return nil, &net.OpError{Op: "listen", Net: network, Err: errNoTCP6}
		}
	}
	return s.ListenTCP(laddr)
}

// ListenTCP listens for TCP connections on laddr, as Listen does; the
// zero AddrPort, like 0.0.0.0:0, listens on an ephemeral port.
func (s *Stack) ListenTCP(laddr netip.AddrPort) (*tcp.Listener, error) {
	if !laddr.Addr().IsValid() {
		laddr = netip.AddrPortFrom(netip.IPv4Unspecified(), laddr.Port())
	}
	if a := laddr.Addr().Unmap(); !a.IsUnspecified() && a != s.addr.Netip() {
		return nil, &net.OpError{Op: "listen", Net: "tcp", Addr: net.TCPAddrFromAddrPort(laddr), Err: syscall.EADDRNOTAVAIL}
	}
	return s.tcp.Listen(netip.AddrPortFrom(laddr.Addr().Unmap(), laddr.Port()))
}

// errNoTCP6: the TCP engine does not speak IPv6 yet.
var errNoTCP6 = errors.New("TCP over IPv6 is not wired yet")

// tcp6Input takes a TCP segment over IPv6; until the engine speaks IPv6
// it is counted and dropped.
func (s *Stack) tcp6Input(h ipv6.Header, seg []byte, now time.Time) {}

// tcp6Segs is how many segments over IPv6 the engine took.
func (s *Stack) tcp6Segs() uint64 { return 0 }

// tcp6Error would hand the engine an ICMPv6 error about a segment we sent.
func (s *Stack) tcp6Error(sent ipv6.Header, transport []byte, t icmpv6.Type, c icmpv6.Code, mtu uint32) {
}

// errNoLoopback is what a dial to the stack's own address fails with.
var errNoLoopback = errors.New("the stack's own address: the stack has no loopback")

// DialTCP connects to raddr from laddr (the zero AddrPort, or port 0, for
// an ephemeral port of the stack's address) and waits for the handshake
// until ctx is done. It returns a *tcp.Conn, which behaves as package
// net's *net.TCPConn: see its methods. The stack has no loopback: raddr
// is another host.
func (s *Stack) DialTCP(ctx context.Context, laddr, raddr netip.AddrPort) (*tcp.Conn, error) {
	la := laddr.Addr().Unmap()
	if !la.IsValid() || la.IsUnspecified() {
		la = s.addr.Netip()
	} else if la != s.addr.Netip() {
		return nil, &net.OpError{Op: "dial", Net: "tcp", Source: net.TCPAddrFromAddrPort(laddr), Addr: net.TCPAddrFromAddrPort(raddr), Err: syscall.EADDRNOTAVAIL}
	}
	ra := netip.AddrPortFrom(raddr.Addr().Unmap(), raddr.Port())
	if ra.Addr() == s.addr.Netip() {
		// Without a loopback path the SYN would go nowhere for two
		// minutes of retries; say so at once.
		return nil, &net.OpError{Op: "dial", Net: "tcp", Addr: net.TCPAddrFromAddrPort(ra), Err: errNoLoopback}
	}
	return s.tcp.Dial(ctx, netip.AddrPortFrom(la, laddr.Port()), ra)
}

// TCPStats returns the TCP engine's counters.
func (s *Stack) TCPStats() tcp.Stats { return s.tcp.Stats() }
