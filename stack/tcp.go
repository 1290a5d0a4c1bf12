package stack

import (
	"context"
	"net"
	"net/netip"

	"github.com/medina-net/medina/ethernet"
	"github.com/medina-net/medina/ipv4"
	"github.com/medina-net/medina/tcp"
)

// tcpNetwork is the stack as the TCP engine sees it: the IP layer it
// builds segments for.
type tcpNetwork struct{ s *Stack }

func (n tcpNetwork) Addr() [4]byte { return n.s.addr }

// MTU is the device's: the stack has one route MTU.
func (n tcpNetwork) MTU(dst [4]byte) int { return n.s.mtu }

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
func (n tcpNetwork) Send(sb *tcp.SegmentBuffer, size int, src, dst [4]byte) error {
	s := n.s
	bp := sb.Owner.(*[]byte)
	defer func() {
		s.bufs.put(bp)
		sb.B, sb.Owner = nil, nil
		s.segBufs.Put(sb)
	}()
	if size == 0 {
		return nil
	}
	dg := (*bp)[ethernet.HeaderLen : ethernet.HeaderLen+ipv4.MinHeaderLen+size]
	// TCP segments are sent with DF set: the engine sizes them to the
	// MTU (RFC 1191's path MTU discovery, with one route).
	if err := s.encodeIPv4(dg, ipv4.ProtoTCP, ipv4.Addr(dst), size, true); err != nil {
		return err
	}
	return s.output(bp, ipv4.MinHeaderLen+size)
}

// Listen listens for TCP connections on address ("tcp" or "tcp4"
// network; "host:port", host empty, 0.0.0.0 or the stack's address). It
// returns a *tcp.Listener.
func (s *Stack) Listen(network, address string) (net.Listener, error) {
	laddr, err := s.parseAddr("listen", network, address, true, "tcp")
	if err != nil {
		return nil, err
	}
	return s.ListenTCP(laddr)
}

// ListenTCP listens for TCP connections on laddr.
func (s *Stack) ListenTCP(laddr netip.AddrPort) (*tcp.Listener, error) {
	return s.tcp.Listen(laddr)
}

// DialTCP connects to raddr from laddr (port 0 for an ephemeral one).
func (s *Stack) DialTCP(ctx context.Context, laddr, raddr netip.AddrPort) (*tcp.Conn, error) {
	if !laddr.Addr().IsValid() || laddr.Addr().IsUnspecified() {
		laddr = netip.AddrPortFrom(s.addr.Netip(), laddr.Port())
	}
	return s.tcp.Dial(ctx, laddr, raddr)
}

// TCPStats returns the TCP engine's counters.
func (s *Stack) TCPStats() tcp.Stats { return s.tcp.Stats() }
