package stack

import (
	"github.com/medina-net/medina/ethernet"
	"github.com/medina-net/medina/icmp"
	"github.com/medina-net/medina/ipv4"
)

// Codes of the ICMP errors the stack sends.
const (
	codeProtocolUnreachable = icmp.UnreachProtocol
	codePortUnreachable     = icmp.UnreachPort
)

// icmpInput handles an ICMP message for us: echo requests are answered,
// echo replies go to Ping, and errors about datagrams we sent go to the
// socket that sent them.
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
		if h.Dst() != s.addr {
			return
		}
		s.sendEchoReply(h, m)
	case icmp.TypeEchoReply:
		s.ctr.icmp.inEchoReps.Add(1)
		s.pings.reply(h.Src(), m.ID(), m.Seq(), s.clock.Now())
	case icmp.TypeDestUnreachable:
		s.ctr.icmp.inDestUnreachs.Add(1)
		s.icmpError(m)
	case icmp.TypeTimeExceeded:
		s.ctr.icmp.inTimeExcds.Add(1)
		s.icmpError(m)
	case icmp.TypeParamProblem:
		s.ctr.icmp.inParmProbs.Add(1)
		s.icmpError(m)
	}
}

// icmpError reports an ICMP error to the transport whose datagram it
// quotes, when it is one of ours.
func (s *Stack) icmpError(m icmp.Message) {
	q := m.Quoted()
	qh, err := ipv4.NewHeader(q)
	if err != nil || qh.Version() != ipv4.Version || qh.HeaderLen() < ipv4.MinHeaderLen ||
		qh.HeaderLen() > len(q) || qh.Src() != s.addr {
		return
	}
	transport := q[qh.HeaderLen():]
	switch qh.Protocol() {
	case ipv4.ProtoUDP:
		s.udpError(qh, transport, m.Type(), m.Code())
	}
}

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
	if s.encodeIPv4(dg, ipv4.ProtoICMP, req.Src(), len(m), false) != nil || s.output(bp, n) != nil {
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
	if h.Dst() != s.addr || h.FragOffsetUnits() != 0 {
		return false
	}
	src := h.Src()
	if src.IsUnspecified() || src.IsBroadcast() || src.IsMulticast() || src == s.bcast || src.IsLoopback() ||
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
	if s.encodeIPv4(dg, ipv4.ProtoICMP, h.Src(), len(m), false) != nil || s.output(bp, ipv4.MinHeaderLen+len(m)) != nil {
		s.ctr.icmp.outErrors.Add(1)
		return false
	}
	s.ctr.icmp.outMsgs.Add(1)
	return true
}
