package stack

import (
	"github.com/medina-net/medina/ethernet"
	"github.com/medina-net/medina/icmp"
	"github.com/medina-net/medina/ipv4"
	"github.com/medina-net/medina/tcp"
)

// Codes of the ICMP errors the stack sends.
const (
	codeProtocolUnreachable = icmp.UnreachProtocol
	codePortUnreachable     = icmp.UnreachPort
)

// icmpInput handles an ICMP message for us: echo requests are answered,
// echo replies go to Ping, and errors about datagrams we sent go to the
// socket that sent them. Source quench is counted and ignored (RFC 6633),
// as are redirects.
func (s *Stack) icmpInput(h ipv4.Header, b []byte) {
	s.ctr.icmp.inMsgs.Add(1)
	m, err := icmp.NewMessage(b)
	if err != nil || m.Check() != nil {
		s.ctr.icmp.inErrors.Add(1)
		return
	}
	switch m.Type() {
	case icmp.TypeEcho:
		s.ctr.icmp.inEchos.Add(1)
		// RFC 1122 3.2.2.6: an echo request to a broadcast address may
		// be ignored; answering it is how smurf attacks work.
		if !s.isOurs4(h.Dst()) {
			return
		}
		s.sendEchoReply(h, m)
	case icmp.TypeEchoReply:
		s.ctr.icmp.inEchoReps.Add(1)
		s.pings.reply(h.Src().Netip(), m.ID(), m.Seq(), s.clock.Now())
	case icmp.TypeDestUnreachable:
		s.ctr.icmp.inDestUnreachs.Add(1)
		s.icmpError(h, m)
	case icmp.TypeTimeExceeded:
		s.ctr.icmp.inTimeExcds.Add(1)
		s.icmpError(h, m)
	case icmp.TypeParamProblem:
		s.ctr.icmp.inParmProbs.Add(1)
		s.icmpError(h, m)
	case icmp.TypeSourceQuench:
		s.ctr.icmp.inSrcQuenchs.Add(1)
	}
}

// icmpError reports an ICMP error to the transport whose datagram it
// quotes, when it is one of ours. An error is about a datagram we sent,
// so it comes to our address: one to a broadcast address is no answer to
// anything of ours.
func (s *Stack) icmpError(h ipv4.Header, m icmp.Message) {
	q := m.Quoted()
	qh, err := ipv4.NewHeader(q)
	if err != nil || !s.isOurs4(h.Dst()) || qh.Version() != ipv4.Version || qh.HeaderLen() < ipv4.MinHeaderLen ||
		qh.HeaderLen() > len(q) || qh.Src() != h.Dst() {
		return
	}
	transport := q[qh.HeaderLen():]
	switch qh.Protocol() {
	case ipv4.ProtoUDP:
		s.udpError(qh, transport, m.Type(), m.Code())
	case ipv4.ProtoTCP:
		s.tcpError(qh, transport, m)
	}
}

// tcpError hands the TCP engine an ICMP error about a segment we sent,
// in the engine's terms, which are the same for IPv4 and IPv6. The engine
// checks that it is about a segment in flight of one of its connections
// (RFC 5927); only then does a Fragmentation Needed lower the path MTU
// the table keeps for the destination.
func (s *Stack) tcpError(sent ipv4.Header, transport []byte, m icmp.Message) {
	if sent.FragOffsetUnits() != 0 {
		return // not the start of a segment: we never fragment ours
	}
	kind, ok := tcpErrorKind(m.Type(), m.Code())
	if !ok {
		return
	}
	msg := tcp.ICMPError{Kind: kind}
	dst := sent.Dst().Netip()
	var plateau, floored bool
	if kind == tcp.ICMPPacketTooBig {
		msg.MTU, plateau, floored = s.pmtu.estimate(dst, int(m.NextHopMTU()), int(sent.TotalLen()))
		msg.MTU = min(msg.MTU, s.linkMTU4())
	}
	if !s.tcp.InputError(sent.Src().Netip(), dst, transport, msg) || kind != tcp.ICMPPacketTooBig {
		return
	}
	if plateau {
		s.ctr.ip.pmtuPlateaus.Add(1)
	}
	if floored {
		s.ctr.ip.pmtuFloored.Add(1)
	}
	if msg.MTU < s.linkMTU4() {
		s.pmtu.lower(dst, msg.MTU, s.clock.Now())
	}
}

// tcpErrorKind is what an ICMP error means to TCP (RFC 1122 4.2.3.9, RFC
// 9293 3.9.2.2; RFC 1812 5.2.7.1 for the codes after 12), or false for
// codes no RFC defines.
func tcpErrorKind(t icmp.Type, c icmp.Code) (tcp.ICMPKind, bool) {
	switch t {
	case icmp.TypeTimeExceeded:
		return tcp.ICMPTimeExceeded, true
	case icmp.TypeParamProblem:
		return tcp.ICMPParamProblem, true
	case icmp.TypeDestUnreachable:
	default:
		return 0, false
	}
	switch c {
	case icmp.UnreachNet, icmp.UnreachNetUnknown, icmp.UnreachTOSNet:
		return tcp.ICMPNetUnreachable, true
	case icmp.UnreachHost, icmp.UnreachSrcRouteFailed, icmp.UnreachHostUnknown, icmp.UnreachIsolated, icmp.UnreachTOSHost:
		return tcp.ICMPHostUnreachable, true
	case icmp.UnreachProtocol, icmp.UnreachPort:
		return tcp.ICMPPortUnreachable, true
	case icmp.UnreachNeedFrag:
		return tcp.ICMPPacketTooBig, true
	case icmp.UnreachNetProhibited, icmp.UnreachHostProhibited, icmp.UnreachFilterProhibited,
		icmp.UnreachHostPrecedence, icmp.UnreachPrecedenceCutoff:
		return tcp.ICMPProhibited, true
	}
	return 0, false
}

// isOurs4 reports whether a is one of our IPv4 addresses.
func (s *Stack) isOurs4(a ipv4.Addr) bool { return s.addrs().ours4(a) }

// sendEchoReply answers an echo request with the same identifier,
// sequence number and data.
func (s *Stack) sendEchoReply(req ipv4.Header, m icmp.Message) {
	n := ipv4.MinHeaderLen + len(m)
	bp := s.bufs.get(ethernet.HeaderLen + n)
	defer s.bufs.put(bp)
	dg := (*bp)[ethernet.HeaderLen : ethernet.HeaderLen+n]
	if _, err := icmp.EncodeEcho(dg[ipv4.MinHeaderLen:], icmp.TypeEchoReply, m.ID(), m.Seq(), m.Payload()); err != nil {
		s.ctr.icmp.outErrors.Add(1)
		return
	}
	if s.encodeIPv4From(dg, ipv4.ProtoICMP, req.Dst(), req.Src(), len(m), false) != nil || s.output(bp, n) != nil {
		s.ctr.icmp.outErrors.Add(1)
		return
	}
	s.ctr.icmp.outMsgs.Add(1)
	s.ctr.icmp.outEchoReps.Add(1)
}

// mayReportError applies RFC 1122 section 3.2.2's rules on which
// datagrams an ICMP error may be sent about: not about an ICMP error, not
// about a datagram sent to a broadcast address, not about a fragment other
// than the first, and not to a source that is not a unicast host. Then the
// rate limit.
func (s *Stack) mayReportError(h ipv4.Header) bool {
	if !s.isOurs4(h.Dst()) || h.FragOffsetUnits() != 0 {
		return false
	}
	src := h.Src()
	if src.IsUnspecified() || src.IsBroadcast() || src.IsMulticast() || s.isBroadcast(src) || src.IsLoopback() ||
		src[0] >= 240 { // Class E, which 3.2.2 names too
		return false
	}
	if h.Protocol() == ipv4.ProtoICMP {
		p := h.Payload()
		if len(p) < 1 || icmp.Type(p[0]).IsError() {
			return false
		}
	}
	if !s.icmpLimit.Allow(s.clock.Now()) {
		s.ctr.icmp.outRateLimited.Add(1)
		return false
	}
	return true
}

// sendUnreachable sends a destination unreachable error about datagram h.
func (s *Stack) sendUnreachable(h ipv4.Header, code icmp.Code) {
	if !s.mayReportError(h) {
		return
	}
	if s.sendError(h, func(b []byte, quote int) (icmp.Message, error) {
		return icmp.EncodeDestUnreachable(b, code, 0, h, quote)
	}) {
		s.ctr.icmp.outDestUnreachs.Add(1)
	}
}

// sendTimeExceeded sends "fragment reassembly time exceeded" about the
// datagram whose first fragment's start is h.
func (s *Stack) sendTimeExceeded(h ipv4.Header) {
	if !s.mayReportError(h) {
		return
	}
	if s.sendError(h, func(b []byte, quote int) (icmp.Message, error) {
		return icmp.EncodeTimeExceeded(b, icmp.TimeExceededReassembly, h, quote)
	}) {
		s.ctr.icmp.outTimeExcds.Add(1)
	}
}

// sendParamProblem sends a parameter problem about datagram h, pointing
// at its octet at offset at.
func (s *Stack) sendParamProblem(h ipv4.Header, at int) {
	if !s.mayReportError(h) {
		return
	}
	if s.sendError(h, func(b []byte, quote int) (icmp.Message, error) {
		return icmp.EncodeParamProblem(b, uint8(at), h, quote)
	}) {
		s.ctr.icmp.outParmProbs.Add(1)
	}
}

// sendError builds an ICMP error quoting as much of h as RFC 1812 allows
// and sends it to h's source, reporting whether it went out.
func (s *Stack) sendError(h ipv4.Header, encode func(b []byte, quote int) (icmp.Message, error)) bool {
	quote := min(len(h), icmp.MaxQuoteLen)
	n := ipv4.MinHeaderLen + icmp.HeaderLen + quote
	bp := s.bufs.get(ethernet.HeaderLen + n)
	defer s.bufs.put(bp)
	dg := (*bp)[ethernet.HeaderLen : ethernet.HeaderLen+n]
	m, err := encode(dg[ipv4.MinHeaderLen:], quote)
	if err != nil {
		s.ctr.icmp.outErrors.Add(1)
		return false
	}
	if s.encodeIPv4From(dg, ipv4.ProtoICMP, h.Dst(), h.Src(), len(m), false) != nil || s.output(bp, ipv4.MinHeaderLen+len(m)) != nil {
		s.ctr.icmp.outErrors.Add(1)
		return false
	}
	s.ctr.icmp.outMsgs.Add(1)
	return true
}
