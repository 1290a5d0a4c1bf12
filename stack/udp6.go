package stack

import (
	"fmt"
	"net/netip"
	"syscall"
	"time"

	"github.com/medina-net/medina/ethernet"
	"github.com/medina-net/medina/icmpv6"
	"github.com/medina-net/medina/ipv4"
	"github.com/medina-net/medina/ipv6"
	"github.com/medina-net/medina/udp"
)

// UDP over IPv6 (RFC 8200 8.1): the checksum covers the IPv6
// pseudo-header and is mandatory, so a datagram with a zero checksum is
// dropped and counted (RFC 6935 and 6936's zero-checksum tunnels are not
// for a host's sockets). The sockets are those of IPv4 (udp.go); their
// family set says which packets they take.

// checkUDP6 is checkUDP4 over IPv6, where a zero checksum is refused
// (RFC 8200 8.1); the header it returns is cut to the UDP length.
func (s *Stack) checkUDP6(h ipv6.Header, b []byte) (udp.Header, bool) {
	c := &s.ctr.udp6
	u, err := udp.NewHeader(b)
	if err != nil || u.Check() != nil {
		c.inErrors.Add(1)
		return nil, false
	}
	u = u[:u.Length()]
	if u.Checksum() == 0 {
		c.inErrors.Add(1)
		c.inZeroCsum.Add(1)
		return nil, false
	}
	if !u.ChecksumValid6(h.Src(), h.Dst()) {
		c.inErrors.Add(1)
		c.inCsumErrors.Add(1)
		return nil, false
	}
	return u, true
}

// udp6Input handles a UDP datagram for us over IPv6; mcast says it came
// to a multicast address or in a link-layer multicast frame, which gets
// no port unreachable.
func (s *Stack) udp6Input(h ipv6.Header, b []byte, mcast bool) {
	c := &s.ctr.udp6
	u, ok := s.checkUDP6(h, b)
	if !ok {
		return
	}
	src, dst := h.Src(), h.Dst()
	conn := s.udp.lookup(u.DstPort())
	from := netip.AddrPortFrom(src.Netip(), u.SrcPort())
	if conn == nil || !conn.accepts(dst.Netip(), from) {
		c.noPorts.Add(1)
		s.sendUnreachable6(h, icmpv6.UnreachPort, mcast)
		return
	}
	if !conn.enqueue(from, u.Payload()) {
		c.inErrors.Add(1)
		c.rcvbufErrors.Add(1)
		return
	}
	c.inDatagrams.Add(1)
}

// udp6Error passes an ICMPv6 error about a datagram one of our sockets
// sent to that socket; as over IPv4, only connected sockets hear of them.
func (s *Stack) udp6Error(sent ipv6.Header, transport []byte, t icmpv6.Type, code icmpv6.Code) {
	c := s.udp.connectedFor(transport, sent.Dst().Netip())
	if c == nil {
		return
	}
	var err error
	switch {
	case t == icmpv6.TypeDestUnreachable && code == icmpv6.UnreachPort:
		err = syscall.ECONNREFUSED
	case t == icmpv6.TypeParamProblem && code == icmpv6.ParamProblemNextHeader:
		err = syscall.ECONNREFUSED // the IPv6 form of protocol unreachable
	case t == icmpv6.TypeDestUnreachable:
		err = syscall.EHOSTUNREACH
	default:
		return
	}
	c.setError(err)
}

// sendUDP6 sends one datagram with the given payload from local to the
// IPv6 remote, fragmented at the source when it exceeds the path MTU.
func (s *Stack) sendUDP6(local, remote netip.AddrPort, payload []byte) error {
	dst, _ := ipv6.AddrFromNetip(remote.Addr())
	var src ipv6.Addr
	if la := local.Addr(); la.Is6() && !la.IsUnspecified() {
		src = ipv6.Addr(la.As16())
	} else {
		var ok bool
		if src, ok = s.addrs().source6(dst); !ok {
			return errNoSource6
		}
	}
	ulen := udp.HeaderLen + len(payload)
	if ulen > ipv6.MaxPayloadLen {
		return fmt.Errorf("%w: %d bytes of UDP payload", ErrMessageTooLong, len(payload))
	}
	n := ipv6.HeaderLen + ulen
	bp := s.bufs.get(ethernet.HeaderLen + n)
	defer s.bufs.put(bp)
	pkt := (*bp)[ethernet.HeaderLen : ethernet.HeaderLen+n]
	copy(pkt[ipv6.HeaderLen+udp.HeaderLen:], payload)
	u, err := udp.Encode(pkt[ipv6.HeaderLen:], local.Port(), remote.Port())
	if err != nil {
		return err
	}
	u.SetChecksum(u.ComputeChecksum6(src, dst))
	if err := s.encodeIPv6(pkt, ipv4.ProtoUDP, src, dst, ulen, 0); err != nil {
		return err
	}
	if err := s.output6(bp, n, time.Time{}); err != nil {
		return err
	}
	s.ctr.udp6.outDatagrams.Add(1)
	return nil
}
