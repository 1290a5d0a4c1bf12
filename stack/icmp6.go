package stack

import (
	"net/netip"
	"time"

	"github.com/medina-net/medina/ethernet"
	"github.com/medina-net/medina/icmpv6"
	"github.com/medina-net/medina/ipv4"
	"github.com/medina-net/medina/ipv6"
	"github.com/medina-net/medina/tcp"
)

// ICMPv6 (RFC 4443): echo requests are answered, echo replies go to
// Ping, errors about packets we sent go to the sockets they concern, and
// Packet Too Big lowers the path MTU (RFC 8201). Neighbor Discovery's
// messages go to ndp.go. The errors the stack sends are rate-limited by a
// token bucket beside IPv4's (RFC 4443 2.4 (f)), and never sent about an
// error, a redirect, a packet to a multicast address (but Packet Too Big
// and a parameter problem code 2 for an option whose type says so), or a
// packet whose source is not one host's (2.4 (e)).

// icmp6Input handles an ICMPv6 message for us; mcast says the packet
// came to a multicast address or in a link-layer multicast frame.
func (s *Stack) icmp6Input(h ipv6.Header, b []byte, mcast bool, now time.Time) {
	c := &s.ctr.icmp6
	c.inMsgs.Add(1)
	m, err := icmpv6.NewMessage(b)
	if err == nil {
		err = m.Check(h.Src(), h.Dst())
	}
	if err != nil {
		c.inErrors.Add(1)
		if err == icmpv6.ErrBadChecksum {
			c.inCsumErrors.Add(1)
		}
		return
	}
	switch t := m.Type(); t {
	case icmpv6.TypeEchoRequest:
		c.inEchos.Add(1)
		// RFC 4443 4.1 asks for a reply to a multicast request too, from
		// a unicast address; a request from :: has nobody to answer.
		if !h.Src().IsUnspecified() {
			s.sendEchoReply6(h, m)
		}
	case icmpv6.TypeEchoReply:
		c.inEchoReplies.Add(1)
		s.pings.reply(h.Src().Netip(), m.ID(), m.Seq(), now)
	case icmpv6.TypeDestUnreachable:
		c.inDestUnreachs.Add(1)
		s.icmp6Error(h, m, mcast)
	case icmpv6.TypePacketTooBig:
		c.inPktTooBigs.Add(1)
		s.icmp6Error(h, m, mcast)
	case icmpv6.TypeTimeExceeded:
		c.inTimeExcds.Add(1)
		s.icmp6Error(h, m, mcast)
	case icmpv6.TypeParamProblem:
		c.inParmProblems.Add(1)
		s.icmp6Error(h, m, mcast)
	default:
		if t.IsNDP() || t.IsMLD() {
			s.ndpInput(h, m, now)
			return
		}
		// Unknown informational messages are dropped (RFC 4443 2.4
		// (b)); unknown errors go to the upper layer, which for the
		// stack's sockets means nothing more than the count.
		c.inOther.Add(1)
	}
}

// icmp6Error reports an ICMPv6 error to the transport whose packet it
// quotes, when that is ours: an error about a packet we sent comes to our
// unicast address from an address of a host, and quotes a packet from us.
func (s *Stack) icmp6Error(h ipv6.Header, m icmpv6.Message, mcast bool) {
	a := s.addrs()
	q := m.Quoted()
	qh, err := ipv6.NewHeader(q)
	if err != nil || mcast || qh.Version() != ipv6.Version || !a.ours6(qh.Src()) {
		return
	}
	proto, off, how := qh.UpperLayer()
	if how != ipv6.ChainUpper || off > len(q) {
		// A fragment other than the first, or a chain the quote cut:
		// nothing says which flow it was.
		return
	}
	transport := q[off:]
	t, code := m.Type(), m.Code()
	dst := qh.Dst()
	switch proto {
	case ipv4.ProtoTCP:
		s.tcp6Error(qh, transport, t, code, m.MTU())
		return
	case ipv4.ProtoUDP:
		s.udp6Error(qh, transport, t, code)
	}
	if t == icmpv6.TypePacketTooBig && !dst.IsMulticast() {
		// What is not TCP's: UDP and ICMPv6 are fragmented at the source
		// for the path MTU, and the table's floor is IPv6's 1280, so a
		// forged message costs at most smaller fragments for a while.
		s.lowerPMTU6(dst, int(m.MTU()), len(qh))
	}
}

// lowerPMTU6 takes a Packet Too Big's MTU for dst (RFC 8201 4: never
// below 1280, never above the link's, and only ever lower).
func (s *Stack) lowerPMTU6(dst ipv6.Addr, mtu, size int) {
	d := dst.Netip()
	est, _, floored := s.pmtu.estimate(d, mtu, max(size, mtu+1))
	if floored {
		s.ctr.ip.pmtuFloored.Add(1)
	}
	if est < s.linkMTU6() {
		s.pmtu.lower(d, est, s.clock.Now())
	}
}

// tcp6ErrorKind is what an ICMPv6 error means to TCP (RFC 4443; the
// engine's table, after Linux's icmpv6_err_convert), or false for codes
// that mean nothing to it.
func tcp6ErrorKind(t icmpv6.Type, c icmpv6.Code) (tcp.ICMPKind, bool) {
	switch t {
	case icmpv6.TypePacketTooBig:
		return tcp.ICMPPacketTooBig, true
	case icmpv6.TypeTimeExceeded:
		return tcp.ICMPTimeExceeded, true
	case icmpv6.TypeParamProblem:
		return tcp.ICMPParamProblem, true
	case icmpv6.TypeDestUnreachable:
	default:
		return 0, false
	}
	switch c {
	case icmpv6.UnreachNoRoute:
		return tcp.ICMPNetUnreachable, true
	case icmpv6.UnreachBeyondScope:
		return tcp.ICMPBeyondScope, true
	case icmpv6.UnreachAddress:
		return tcp.ICMPAddrUnreachable, true
	case icmpv6.UnreachPort:
		return tcp.ICMPPortUnreachable, true
	case icmpv6.UnreachProhibited, icmpv6.UnreachPolicyFailed, icmpv6.UnreachRejectRoute:
		return tcp.ICMPProhibited, true
	}
	return 0, false
}

// sendEchoReply6 answers an echo request with the same identifier,
// sequence number and data, from the address it came to (or, for a
// multicast request, from the address the stack picks for the sender).
func (s *Stack) sendEchoReply6(req ipv6.Header, m icmpv6.Message) {
	c := &s.ctr.icmp6
	src, ok := s.replySource6(req)
	if !ok {
		c.outErrors.Add(1)
		return
	}
	n := ipv6.HeaderLen + len(m)
	bp := s.bufs.get(ethernet.HeaderLen + n)
	defer s.bufs.put(bp)
	pkt := (*bp)[ethernet.HeaderLen : ethernet.HeaderLen+n]
	body := m.Body()
	if _, err := icmpv6.EncodeEcho(pkt[ipv6.HeaderLen:], icmpv6.TypeEchoReply, m.ID(), m.Seq(), body, src, req.Src()); err != nil {
		c.outErrors.Add(1)
		return
	}
	if s.encodeIPv6(pkt, ipv4.ProtoICMPv6, src, req.Src(), len(m), 0) != nil || s.output6(bp, n, time.Time{}) != nil {
		c.outErrors.Add(1)
		return
	}
	c.outMsgs.Add(1)
	c.outEchoReplies.Add(1)
}

// replySource6 is the source of an answer to h: the address h came to
// when it is one of ours, else the one the stack would send from to h's
// source.
func (s *Stack) replySource6(h ipv6.Header) (ipv6.Addr, bool) {
	a := s.addrs()
	if d := h.Dst(); a.ours6(d) {
		return d, true
	}
	return a.source6(h.Src())
}

// mayReportError6 applies RFC 4443 2.4 (e): no error about an ICMPv6
// error or a redirect; none about a packet to a multicast address, or
// that came in a link-layer multicast frame (mcast), but Packet Too Big
// and a parameter problem code 2 (the caller passes mcast false for
// those); none to a source that is not one host's (unspecified,
// multicast). Then the rate limit (2.4 (f)).
func (s *Stack) mayReportError6(h ipv6.Header, mcast bool) bool {
	src := h.Src()
	if mcast || src.IsUnspecified() || src.IsMulticast() || src.IsLoopback() {
		return false
	}
	if p, off, how := h.UpperLayer(); how == ipv6.ChainUpper && p == ipv4.ProtoICMPv6 {
		if t, _, ok := icmpv6.TypeCode(h[off:]); !ok || t.IsError() || t == icmpv6.TypeRedirect {
			return false
		}
	}
	if !s.icmp6Limit.Allow(s.clock.Now()) {
		s.ctr.icmp6.outRateLimited.Add(1)
		return false
	}
	return true
}

// sendParamProblem6 sends a parameter problem about packet h, pointing
// at its byte at offset at.
func (s *Stack) sendParamProblem6(h ipv6.Header, code icmpv6.Code, at int, mcast bool) {
	if s.sendError6(h, icmpv6.TypeParamProblem, code, uint32(at), mcast) {
		s.ctr.icmp6.outParmProblems.Add(1)
	}
}

// sendUnreachable6 sends a destination unreachable about packet h.
func (s *Stack) sendUnreachable6(h ipv6.Header, code icmpv6.Code, mcast bool) {
	if s.sendError6(h, icmpv6.TypeDestUnreachable, code, 0, mcast) {
		s.ctr.icmp6.outDestUnreachs.Add(1)
	}
}

// sendReasmTimeExceeded6 sends "fragment reassembly time exceeded" about
// the packet whose first fragment (as far as an error quotes it) is h.
func (s *Stack) sendReasmTimeExceeded6(h ipv6.Header) {
	if len(h) < ipv6.HeaderLen || h.Dst().IsMulticast() {
		return
	}
	if s.sendError6(h, icmpv6.TypeTimeExceeded, icmpv6.TimeExceededReassembly, 0, false) {
		s.ctr.icmp6.outTimeExcds.Add(1)
	}
}

// sendError6 builds an ICMPv6 error quoting as much of h as fits IPv6's
// least MTU and sends it to h's source, reporting whether it went out.
func (s *Stack) sendError6(h ipv6.Header, t icmpv6.Type, code icmpv6.Code, rest uint32, mcast bool) bool {
	c := &s.ctr.icmp6
	if !s.mayReportError6(h, mcast) {
		return false
	}
	src, ok := s.replySource6(h)
	if !ok {
		c.outErrors.Add(1)
		return false
	}
	dst := h.Src()
	n := ipv6.HeaderLen + icmpv6.HeaderLen + icmpv6.QuoteLen(h)
	bp := s.bufs.get(ethernet.HeaderLen + n)
	defer s.bufs.put(bp)
	pkt := (*bp)[ethernet.HeaderLen : ethernet.HeaderLen+n]
	m, err := icmpv6.EncodeError(pkt[ipv6.HeaderLen:], t, code, rest, h, src, dst)
	if err != nil || s.encodeIPv6(pkt, ipv4.ProtoICMPv6, src, dst, len(m), 0) != nil ||
		s.output6(bp, ipv6.HeaderLen+len(m), time.Time{}) != nil {
		c.outErrors.Add(1)
		return false
	}
	c.outMsgs.Add(1)
	return true
}

// SendICMPv6 sends an ICMPv6 message, from its type byte on, from src
// (one of the stack's addresses, tentative ones included, or the
// unspecified address, as Duplicate Address Detection and MLD before an
// address is configured send) to dst with the given hop limit (255 for
// Neighbor Discovery, 1 for MLD); routerAlert puts a hop-by-hop header
// with a router alert option for MLD (RFC 2711, RFC 3810 5) in front.
// The checksum is filled in. It is how the NDP handler (package ndp)
// sends solicitations, advertisements and MLD reports.
func (s *Stack) SendICMPv6(src, dst netip.Addr, hopLimit uint8, routerAlert bool, msg []byte) error {
	sa, ok1 := ipv6.AddrFromNetip(src)
	da, ok2 := ipv6.AddrFromNetip(dst)
	if !ok1 || !ok2 || len(msg) < icmpv6.MinLen {
		return &netipError{"SendICMPv6", src, dst}
	}
	if _, ours := s.addrs().find6(sa); !ours && !sa.IsUnspecified() {
		return &netipError{"SendICMPv6: not an address of the stack's", src, dst}
	}
	hbh := 0
	if routerAlert {
		hbh = 8
	}
	n := ipv6.HeaderLen + hbh + len(msg)
	if n > ipv6.HeaderLen+ipv6.MaxPayloadLen {
		return ErrMessageTooLong
	}
	bp := s.bufs.get(ethernet.HeaderLen + n)
	defer s.bufs.put(bp)
	pkt := (*bp)[ethernet.HeaderLen : ethernet.HeaderLen+n]
	m := icmpv6.Message(pkt[ipv6.HeaderLen+hbh:])
	copy(m, msg)
	m.SetChecksum(0)
	m.FillChecksum(sa, da)
	next := ipv4.ProtoICMPv6
	if routerAlert {
		// Router alert (value 0, MLD) and two bytes of padding.
		copy(pkt[ipv6.HeaderLen:], []byte{byte(ipv4.ProtoICMPv6), 0, byte(ipv6.OptRouterAlert), 2, 0, 0, byte(ipv6.OptPadN), 0})
		next = ipv4.ProtoHopOpts
	}
	if err := s.encodeIPv6(pkt, next, sa, da, n-ipv6.HeaderLen, hopLimit); err != nil {
		return err
	}
	s.ctr.icmp6.outMsgs.Add(1)
	return s.output6(bp, n, time.Time{})
}

// netipError is SendICMPv6's complaint about its addresses.
type netipError struct {
	what     string
	src, dst netip.Addr
}

func (e *netipError) Error() string {
	return "stack: " + e.what + ": bad addresses " + e.src.String() + " -> " + e.dst.String()
}
