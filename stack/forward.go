package stack

import (
	"io"
	"net/netip"
	"time"

	"github.com/medina-net/medina/icmp"
	"github.com/medina-net/medina/icmpv6"
	"github.com/medina-net/medina/ipv4"
	"github.com/medina-net/medina/ipv6"
	"github.com/medina-net/medina/link"
	"github.com/medina-net/medina/tcp"
)

// Any-address mode: what a transparent proxy (tun2socks, a VPN's
// userspace end) asks of a stack. The kernel routes whole ranges to the
// stack; the stack accepts TCP connections and UDP flows to any address
// and port in them and hands each to the program with the destination
// its peer chose, and answers from that destination, so that the peer
// sees the host it meant to reach.
//
// It is on while an any-address listener is open (ListenAnyTCP,
// ForwardTCP, ListenAnyUDP), for its protocol only: there is no Config
// field, since a program that asks for the mode must also take what it
// brings. The stack's own addresses keep their rules: their ports are
// its sockets' and listeners', and a port nothing listens on is refused
// there as ever. Only unicast destinations are taken: not broadcast,
// multicast, loopback, "this network" (0.0.0.0/8), class E or IPv6
// link-local ones, and nothing that came in a link-layer broadcast or
// multicast frame. Only TCP and UDP are: ICMP to such an address (an
// echo request, or an error about a segment sent from it) is dropped
// and counted as an address error, as before.
//
// Replies go from the original destination: a connection's local address
// is that destination (tcp.Conn.LocalAddr), a UDP flow's socket is bound
// to it (UDPFlow), and the IP layer sends from whatever address those
// give. Nothing else may send from an address not the stack's: sockets
// and listeners still bind only to the stack's own (EADDRNOTAVAIL).

// ListenAnyTCP turns any-address mode on for TCP and returns its
// listener: Accept returns the connections to any address and port that
// is not the stack's own, of either family, each with the destination
// the peer chose as its LocalAddr. opt bounds the half-open connections
// (past the bound, SYN cookies answer) and may refuse destinations (a
// refused SYN is answered with a reset, as a closed port's is). Closing
// the listener turns the mode off; there is one at a time (a second
// fails with EADDRINUSE).
func (s *Stack) ListenAnyTCP(opt tcp.AnyOptions) (*tcp.Listener, error) {
	return s.tcp.ListenAny(opt)
}

// ForwardTCP is ListenAnyTCP with a handler: each accepted connection is
// handed to handle, in a goroutine of its own, with its original
// destination; handle owns the connection and closes it. Closing the
// returned io.Closer (the listener) stops accepting; connections handed
// over carry on.
func (s *Stack) ForwardTCP(opt tcp.AnyOptions, handle func(c *tcp.Conn, dst netip.AddrPort)) (io.Closer, error) {
	l, err := s.ListenAnyTCP(opt)
	if err != nil {
		return nil, err
	}
	go func() {
		for {
			c, err := l.AcceptTCP()
			if err != nil {
				return // closed: the only error Accept returns without a deadline
			}
			go handle(c, c.LocalAddrPort())
		}
	}()
	return l, nil
}

// forwarding reports whether any-address mode is on for some protocol:
// the IP layer's test before it looks closer at a datagram not for us.
func (s *Stack) forwarding() bool { return s.tcp.HasAny() || s.anyUDP.Load() != nil }

// forwardsProto reports whether any-address mode is on for proto.
func (s *Stack) forwardsProto(proto ipv4.Protocol) bool {
	switch proto {
	case ipv4.ProtoTCP:
		return s.tcp.HasAny()
	case ipv4.ProtoUDP:
		return s.anyUDP.Load() != nil
	case ipv4.ProtoICMP, ipv4.ProtoICMPv6:
		// Errors about forwarded TCP connections' segments.
		return s.tcp.HasAny()
	}
	return false
}

// forwardable4 reports whether dst is an address any-address mode may
// take: a unicast one, neither the stack's own nor a broadcast address.
func (s *Stack) forwardable4(dst ipv4.Addr) bool {
	switch {
	case dst[0] == 0 || dst[0] >= 224 || dst.IsLoopback():
		// This network, multicast, class E and the limited broadcast,
		// loopback.
		return false
	case s.isBroadcast(dst) || s.addrs().ours4(dst):
		return false
	}
	return true
}

// takes4 reports whether the IPv4 datagram h, to an address not the
// stack's, is one any-address mode takes (ipInput's test).
func (s *Stack) takes4(h ipv4.Header, linkBroadcast bool) bool {
	return !linkBroadcast && s.forwardsProto(h.Protocol()) && s.forwardable4(h.Dst())
}

// forwardInput4 takes a complete datagram of ipInput's for any-address
// mode when its destination is not the stack's, reporting whether it
// took it (deliver then has nothing to do).
func (s *Stack) forwardInput4(h ipv4.Header, linkBroadcast bool, off link.RxOffload, now time.Time) bool {
	dst := h.Dst()
	if linkBroadcast || !s.forwardable4(dst) {
		return false
	}
	switch {
	case h.Protocol() == ipv4.ProtoTCP && s.tcp.HasAny():
		s.ctr.ip.inDelivers.Add(1)
		s.tcpInput(h.Src().Netip(), dst.Netip(), h.Payload(), off, now)
	case h.Protocol() == ipv4.ProtoUDP && s.anyUDP.Load() != nil:
		s.ctr.ip.inDelivers.Add(1)
		s.anyUDPInput4(h)
	case h.Protocol() == ipv4.ProtoICMP && s.tcp.HasAny():
		s.forwardICMP4(h)
	default:
		// Its protocol's mode went off since ipInput let it in, or
		// another protocol in a datagram not for us.
		s.ctr.ip.inAddrErrors.Add(1)
	}
	return true
}

// forwardable6 reports whether dst, not one of the stack's addresses, is
// one any-address mode may take: a unicast address beyond the link.
func forwardable6(dst ipv6.Addr) bool {
	return !dst.IsMulticast() && !dst.IsLoopback() && !dst.IsUnspecified() && !dst.IsLinkLocalUnicast()
}

// takes6 reports whether the IPv6 packet h, to an address not the
// stack's, is one any-address mode takes (ip6Input's test): TCP or UDP
// with no extension header, or a fragment, whose upper layer
// forwardInput6 checks when the packet is whole.
func (s *Stack) takes6(h ipv6.Header, linkMulticast bool) bool {
	if linkMulticast || !forwardable6(h.Dst()) {
		return false
	}
	p := h.NextHeader()
	return s.forwardsProto(p) || p == ipv4.ProtoFragment && s.forwarding()
}

// forwardInput6 takes the upper-layer payload of a packet for
// any-address mode when its destination is not the stack's, reporting
// whether it took it (deliver6 then has nothing to do).
func (s *Stack) forwardInput6(h ipv6.Header, a *ifaddrs, proto ipv4.Protocol, off int, mcast bool, rx link.RxOffload, now time.Time) bool {
	dst := h.Dst()
	if mcast || a.ours6(dst) {
		return false
	}
	c := &s.ctr.ip6
	switch {
	case !forwardable6(dst):
		c.inAddrErrors.Add(1)
	case proto == ipv4.ProtoTCP && s.tcp.HasAny():
		c.inDelivers.Add(1)
		c.inTCPSegs.Add(1)
		s.tcpInput(h.Src().Netip(), dst.Netip(), h[off:], rx, now)
	case proto == ipv4.ProtoUDP && s.anyUDP.Load() != nil:
		c.inDelivers.Add(1)
		s.anyUDPInput6(h, h[off:])
	case proto == ipv4.ProtoICMPv6 && s.tcp.HasAny():
		s.forwardICMP6(h, h[off:])
	default:
		c.inAddrErrors.Add(1)
	}
	return true
}

// forwardICMP4 takes an ICMP message to a foreign address in TCP's
// any-address mode: an error about a TCP segment sent from that address
// goes to the engine, as icmpError hands it one about a segment from
// ours; anything else is not for the stack.
func (s *Stack) forwardICMP4(h ipv4.Header) {
	m, err := icmp.NewMessage(h.Payload())
	if err != nil || m.Check() != nil {
		s.ctr.icmp.inMsgs.Add(1)
		s.ctr.icmp.inErrors.Add(1)
		return
	}
	switch m.Type() {
	case icmp.TypeDestUnreachable:
		s.ctr.icmp.inDestUnreachs.Add(1)
	case icmp.TypeTimeExceeded:
		s.ctr.icmp.inTimeExcds.Add(1)
	case icmp.TypeParamProblem:
		s.ctr.icmp.inParmProbs.Add(1)
	default:
		s.ctr.ip.inAddrErrors.Add(1)
		return
	}
	s.ctr.ip.inDelivers.Add(1)
	s.ctr.icmp.inMsgs.Add(1)
	q := m.Quoted()
	qh, err := ipv4.NewHeader(q)
	if err != nil || qh.Version() != ipv4.Version || qh.HeaderLen() < ipv4.MinHeaderLen ||
		qh.HeaderLen() > len(q) || qh.Src() != h.Dst() || qh.Protocol() != ipv4.ProtoTCP {
		return
	}
	s.tcpError(qh, q[qh.HeaderLen():], m)
}

// forwardICMP6 is forwardICMP4 for ICMPv6: a Packet Too Big,
// Destination Unreachable, Time Exceeded or Parameter Problem about a TCP segment sent
// from the foreign address it came to goes to the engine.
func (s *Stack) forwardICMP6(h ipv6.Header, b []byte) {
	c := &s.ctr.icmp6
	m, err := icmpv6.NewMessage(b)
	if err == nil {
		err = m.Check(h.Src(), h.Dst())
	}
	if err != nil {
		c.inMsgs.Add(1)
		c.inErrors.Add(1)
		if err == icmpv6.ErrBadChecksum {
			c.inCsumErrors.Add(1)
		}
		return
	}
	switch m.Type() {
	case icmpv6.TypeDestUnreachable:
		c.inDestUnreachs.Add(1)
	case icmpv6.TypePacketTooBig:
		c.inPktTooBigs.Add(1)
	case icmpv6.TypeTimeExceeded:
		c.inTimeExcds.Add(1)
	case icmpv6.TypeParamProblem:
		c.inParmProblems.Add(1)
	default:
		s.ctr.ip6.inAddrErrors.Add(1)
		return
	}
	s.ctr.ip6.inDelivers.Add(1)
	c.inMsgs.Add(1)
	q := m.Quoted()
	qh, err := ipv6.NewHeader(q)
	if err != nil || qh.Version() != ipv6.Version || qh.Src() != h.Dst() {
		return
	}
	proto, off, how := qh.UpperLayer()
	if how != ipv6.ChainUpper || off > len(q) || proto != ipv4.ProtoTCP {
		return
	}
	s.tcp6Error(qh, q[off:], m.Type(), m.Code(), m.MTU())
}
