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
	"github.com/medina-net/medina/link"
	"github.com/medina-net/medina/tcp"
)

// tcpNetwork is the stack as the TCP engine sees it: the IP layer, of
// both families, it builds segments for.
type tcpNetwork struct{ s *Stack }

// SourceAddr is the address the stack sends to dst from.
func (n tcpNetwork) SourceAddr(dst netip.Addr) (netip.Addr, bool) { return n.s.sourceFor(dst) }

// IsLocal reports whether a is one of the stack's addresses in use.
func (n tcpNetwork) IsLocal(a netip.Addr) bool { return n.s.isOurs(a) }

// ConfirmReachable takes the engine's proof that the path to dst works
// (an acknowledgment of new data) to neighbour unreachability detection.
func (n tcpNetwork) ConfirmReachable(dst netip.Addr, now time.Time) {
	if dst.Is4() {
		n.s.confirmReachable(ipv4.Addr(dst.As4()), now)
		return
	}
	n.s.confirmReachable6(ipv6.Addr(dst.As16()), now)
}

// MTU is the link's: the device's for IPv4, and for IPv6 the device's or
// less, as a Router Advertisement may say.
func (n tcpNetwork) MTU(dst netip.Addr) int {
	if dst.Is6() {
		return n.s.linkMTU6()
	}
	return n.s.linkMTU4()
}

// PathMTU is the link's MTU, or less where the path MTU table has a
// lower one for dst.
func (n tcpNetwork) PathMTU(dst netip.Addr) int {
	return n.s.pmtu.lookup(dst, n.MTU(dst), n.s.clock.Now())
}

// SegmentFor hands out a frame buffer with room for the Ethernet header
// and dst's IP header in front of the segment, so that the frame starts
// the buffer, where a link.Swapper can take it as it is.
func (n tcpNetwork) SegmentFor(dst netip.Addr, size int) *tcp.SegmentBuffer {
	if !dst.Is6() {
		return n.Segment(size)
	}
	s := n.s
	sb := s.segBufs.Get().(*tcp.SegmentBuffer)
	bp := s.bufs.get(ethernet.HeaderLen + ipv6.HeaderLen + size)
	sb.Owner = bp
	sb.B = (*bp)[ethernet.HeaderLen+ipv6.HeaderLen:]
	return sb
}

// Segment hands out a frame buffer with room for the Ethernet and IPv4
// headers in front of the segment, for an engine that does not say the
// family (the engine calls SegmentFor); Send moves an IPv6 segment 20
// bytes up, for its longer header.
func (n tcpNetwork) Segment(size int) *tcp.SegmentBuffer {
	s := n.s
	sb := s.segBufs.Get().(*tcp.SegmentBuffer)
	bp := s.bufs.get(ethernet.HeaderLen + ipv4.MinHeaderLen + size)
	sb.Owner = bp
	sb.B = (*bp)[ethernet.HeaderLen+ipv4.MinHeaderLen:]
	return sb
}

// Send puts the IP header of src's family in front of a segment and sends
// it.
func (n tcpNetwork) Send(sb *tcp.SegmentBuffer, size int, src, dst netip.Addr) error {
	s := n.s
	bp := sb.Owner.(*[]byte)
	mss := sb.GSOSize // not zero for a super-segment (GSOMax)
	defer func() {
		s.bufs.put(bp)
		sb.B, sb.Owner, sb.Time, sb.GSOSize = nil, nil, time.Time{}, 0
		s.segBufs.Put(sb)
	}()
	if size == 0 {
		return nil
	}
	buf := *bp
	if dst.Is6() {
		if cap(sb.B) != cap(buf)-ethernet.HeaderLen-ipv6.HeaderLen {
			// Laid out for IPv4 (Segment, not SegmentFor): the segment
			// moves 20 bytes up for IPv6's longer header.
			const at = ethernet.HeaderLen + ipv4.MinHeaderLen
			if need := ethernet.HeaderLen + ipv6.HeaderLen + size; need > cap(buf) {
				// A segment larger than the path MTU allows (it will
				// be fragmented): a buffer of the size it needs.
				nbp := s.bufs.get(need)
				copy((*nbp)[at:], buf[at:at+size])
				s.bufs.put(bp)
				bp, buf = nbp, *nbp
				sb.Owner = nbp
			}
			copy(buf[ethernet.HeaderLen+ipv6.HeaderLen:], buf[at:at+size])
		}
		pkt := buf[ethernet.HeaderLen : ethernet.HeaderLen+ipv6.HeaderLen+size]
		if err := s.encodeIPv6(pkt, ipv4.ProtoTCP, ipv6.Addr(src.As16()), ipv6.Addr(dst.As16()), size, 0); err != nil {
			return err
		}
		if mss > 0 {
			return s.outputTCPSuper(bp, ipv6.HeaderLen+size, true, mss, sb.Time)
		}
		return s.output6(bp, ipv6.HeaderLen+size, sb.Time)
	}
	dg := buf[ethernet.HeaderLen : ethernet.HeaderLen+ipv4.MinHeaderLen+size]
	// TCP segments are sent with DF set: the engine sizes them to the
	// path MTU (RFC 1191's path MTU discovery).
	if err := s.encodeIPv4From(dg, ipv4.ProtoTCP, ipv4.Addr(src.As4()), ipv4.Addr(dst.As4()), size, true); err != nil {
		return err
	}
	if mss > 0 {
		return s.outputTCPSuper(bp, ipv4.MinHeaderLen+size, false, mss, sb.Time)
	}
	return s.outputAt(bp, ipv4.MinHeaderLen+size, sb.Time)
}

// Listen listens for TCP connections on address, as package net's Listen
// does: network "tcp", "tcp4" or "tcp6"; address "host:port", the host
// empty, a wildcard or one of the stack's addresses (IPv6 in brackets,
// with a zone naming the stack's link if it likes). A wildcard "tcp"
// listener ([::]:80, or :80) takes connections of both families, a
// "tcp6" one IPv6 only (IPV6_V6ONLY, as package net sets it), a "tcp4"
// one IPv4 only. It returns a *tcp.Listener, which behaves as package
// net's: port 0 picks a free ephemeral port that Addr reports; a port
// another listener has fails with EADDRINUSE, and an address not the
// stack's with EADDRNOTAVAIL; after Close, Accept fails with an error
// that wraps net.ErrClosed. Names are not resolved.
func (s *Stack) Listen(network, address string) (net.Listener, error) {
	laddr, fam, err := s.parseAddr("listen", network, address, true, "tcp")
	if err != nil {
		return nil, err
	}
	if !laddr.Addr().IsUnspecified() {
		fam = familyOf(laddr.Addr())
	}
	return s.listenTCP(laddr, fam)
}

// ListenTCP listens for TCP connections on laddr, as Listen does: the
// zero AddrPort, or [::], on both families; 0.0.0.0 on IPv4 only; port 0
// on an ephemeral port.
func (s *Stack) ListenTCP(laddr netip.AddrPort) (*tcp.Listener, error) {
	return s.listenTCP(laddr, s.familyOf(laddr.Addr()))
}

func (s *Stack) listenTCP(laddr netip.AddrPort, fam family) (*tcp.Listener, error) {
	local, err := s.localAddr(laddr, fam)
	if err != nil {
		return nil, &net.OpError{Op: "listen", Net: fam.net("tcp"), Addr: net.TCPAddrFromAddrPort(laddr), Err: err}
	}
	return s.tcp.ListenWith(local, tcp.ListenOptions{V6Only: fam == famV6})
}

// tcpInput hands a TCP segment to the engine, with what the device
// vouches for about it when it has receive offload.
func (s *Stack) tcpInput(src, dst netip.Addr, seg []byte, off link.RxOffload, now time.Time) {
	if off == (link.RxOffload{}) {
		s.tcp.InputAt(src, dst, seg, now)
		return
	}
	s.tcp.InputOffloadAt(src, dst, seg, now, tcp.Offload{ChecksumValid: off.ChecksumValid, SegmentSize: off.SegmentSize})
}

// tcp6Segs is how many segments over IPv6 the engine was handed.
func (s *Stack) tcp6Segs() uint64 { return s.ctr.ip6.inTCPSegs.Load() }

// tcp6Error hands the TCP engine an ICMPv6 error about a segment we sent,
// as tcpError does for ICMP: the engine checks it (RFC 5927), and only
// then does a Packet Too Big lower the path MTU the table keeps for the
// destination (RFC 8201, never below 1280).
func (s *Stack) tcp6Error(sent ipv6.Header, transport []byte, t icmpv6.Type, c icmpv6.Code, mtu uint32) {
	kind, ok := tcp6ErrorKind(t, c)
	if !ok {
		return
	}
	msg := tcp.ICMPError{Kind: kind}
	dst := sent.Dst().Netip()
	var floored bool
	if kind == tcp.ICMPPacketTooBig {
		msg.MTU, _, floored = s.pmtu.estimate(dst, int(mtu), max(int(mtu)+1, len(sent)))
		msg.MTU = min(msg.MTU, s.linkMTU6())
	}
	if !s.tcp.InputError(sent.Src().Netip(), dst, transport, msg) || kind != tcp.ICMPPacketTooBig {
		return
	}
	if floored {
		s.ctr.ip.pmtuFloored.Add(1)
	}
	if msg.MTU < s.linkMTU6() {
		s.pmtu.lower(dst, msg.MTU, s.clock.Now())
	}
}

// errNoLoopback is what a dial to the stack's own address fails with.
var errNoLoopback = errors.New("the stack's own address: the stack has no loopback")

// DialTCP connects to raddr from laddr (the zero AddrPort, or port 0, for
// an ephemeral port of the address the stack sends to raddr from) and
// waits for the handshake until ctx is done. raddr may be of either
// family (an IPv4-mapped address is IPv4; a zone is taken to name the
// stack's link). It returns a *tcp.Conn, which behaves as package net's
// *net.TCPConn: see its methods. The stack has no loopback: raddr is
// another host.
//
// It fails as package net's dial does: at once with ENETUNREACH
// (ErrNoRoute) when there is no route to raddr; with EHOSTUNREACH when
// the neighbour the SYN goes to (raddr, or the gateway) does not answer
// address resolution, after its retries (3 s by default: see
// arp.CacheConfig and Config.NDP); with ECONNREFUSED for a reset,
// ETIMEDOUT when the SYN retries run out, and at the end of ctx, at any
// point, with its error.
func (s *Stack) DialTCP(ctx context.Context, laddr, raddr netip.AddrPort) (*tcp.Conn, error) {
	ra := unmapPort(raddr)
	fam := familyOf(ra.Addr())
	if fam == famDual {
		fam = famV6
	}
	if err := ctx.Err(); err != nil {
		// A context already done wins over any other error, as in
		// package net's dial, and nothing is sent.
		return nil, &net.OpError{Op: "dial", Net: fam.net("tcp"), Addr: net.TCPAddrFromAddrPort(ra), Err: err}
	}
	la := laddr.Addr().Unmap().WithZone("")
	switch {
	case !la.IsValid() || la.IsUnspecified():
		var ok bool
		if la, ok = s.sourceFor(ra.Addr()); !ok {
			return nil, &net.OpError{Op: "dial", Net: fam.net("tcp"), Addr: net.TCPAddrFromAddrPort(ra), Err: ErrNoRoute}
		}
	case !s.isOurs(la) || la.Is4() != ra.Addr().Is4():
		return nil, &net.OpError{Op: "dial", Net: fam.net("tcp"), Source: net.TCPAddrFromAddrPort(laddr), Addr: net.TCPAddrFromAddrPort(raddr), Err: syscall.EADDRNOTAVAIL}
	}
	if s.isOurs(ra.Addr()) {
		// Without a loopback path the SYN would go nowhere for two
		// minutes of retries; say so at once.
		return nil, &net.OpError{Op: "dial", Net: fam.net("tcp"), Addr: net.TCPAddrFromAddrPort(ra), Err: errNoLoopback}
	}
	if err := s.routeTo(ra.Addr()); err != nil {
		// The engine's SYN would fail to leave, silently, until its
		// retries ran out: fail now, as connect(2) does.
		return nil, &net.OpError{Op: "dial", Net: fam.net("tcp"), Addr: net.TCPAddrFromAddrPort(ra), Err: err}
	}
	return s.tcp.Dial(ctx, netip.AddrPortFrom(la, laddr.Port()), ra)
}

// TCPStats returns the TCP engine's counters, both families together.
func (s *Stack) TCPStats() tcp.Stats { return s.tcp.Stats() }
