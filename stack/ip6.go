package stack

import (
	"errors"
	"fmt"
	"time"

	"github.com/medina-net/medina/ethernet"
	"github.com/medina-net/medina/icmpv6"
	"github.com/medina-net/medina/ipv4"
	"github.com/medina-net/medina/ipv6"
	"github.com/medina-net/medina/link"
)

// IPv6 input and output (RFC 8200). The stack is a host: it accepts
// packets for its addresses (not tentative ones, RFC 4862 5.4) and for
// the multicast groups it has joined (all-nodes and the solicited-node
// group of each address), processes the extension headers a host must,
// in order, reassembles fragments, and forwards nothing.

// ip6Input handles an IPv6 packet from the link; linkMulticast says it
// came in a frame to a multicast (or broadcast) Ethernet address, and off
// is what a device with receive offload vouches for about it (ipInput).
func (s *Stack) ip6Input(b []byte, linkMulticast bool, off link.RxOffload, now time.Time) {
	c := &s.ctr.ip6
	c.inReceives.Add(1)
	h, err := ipv6.NewHeader(b)
	if err != nil || h.Check() != nil {
		c.inHdrErrors.Add(1)
		return
	}
	if h.PayloadLen() == 0 && h.NextHeader() == ipv4.ProtoHopOpts {
		// A jumbogram (RFC 2675) needs a link whose MTU exceeds 65575
		// bytes: not an Ethernet one.
		c.inHdrErrors.Add(1)
		return
	}
	// Ethernet pads short frames: the packet ends where its header says.
	h = h[:h.Len()]
	a := s.addrs()
	src, dst := h.Src(), h.Dst()
	switch {
	case src.IsMulticast() || src.IsLoopback() || dst.IsLoopback():
		// No packet comes from a group (RFC 4291 2.7), and the loopback
		// address never appears on a link (2.5.3).
		c.inAddrErrors.Add(1)
		return
	case dst.IsMulticast():
		if !a.joined6(dst) {
			c.inAddrErrors.Add(1)
			return
		}
		c.inMcastPkts.Add(1)
	case !a.ours6(dst) && !(s.forwarding() && s.takes6(h, linkMulticast)):
		c.inAddrErrors.Add(1)
		return
	default:
		if _, own := a.find6(src); own {
			// Our own address to our own address: a forgery, or our
			// frame come back; an answer would go to ourselves. (From
			// our address to a group is Duplicate Address Detection's
			// news: another host has it too.)
			c.inAddrErrors.Add(1)
			return
		}
	}
	s.ip6Process(h, a, linkMulticast, off, now, false)
}

// ip6Process walks the extension header chain of a packet for us as RFC
// 8200 section 4 says a host does, each header in turn, and hands the
// upper-layer payload to its protocol. reassembled says h came out of
// the reassembler: its chain was checked up to the fragment header when
// the first fragment came, and checking it again is harmless, but another
// fragment header in it (nested fragmentation) is refused.
func (s *Stack) ip6Process(h ipv6.Header, a *ifaddrs, linkMulticast bool, rx link.RxOffload, now time.Time, reassembled bool) {
	c := &s.ctr.ip6
	mcast := h.Dst().IsMulticast() || linkMulticast
	namedAt := 6 // the next header field that names the header at hand
	switch p := h.NextHeader(); p {
	case ipv4.ProtoTCP, ipv4.ProtoUDP, ipv4.ProtoICMPv6:
		// No extension header, as almost every packet: nothing to walk
		// (the walk would say the same, at a cost a packet notices).
		s.deliver6(h, a, p, ipv6.HeaderLen, namedAt, mcast, rx, now)
		return
	case ipv4.ProtoFragment:
		// A fragment header and nothing before it, as a fragmenting
		// sender with no other extension header sends every fragment:
		// the walk below would find just this.
		if raw := h[ipv6.HeaderLen:]; len(raw) >= ipv6.FragmentHeaderLen && !reassembled &&
			!ipv6.FragmentHeader(raw).IsAtomic() {
			e := ipv6.Ext{Proto: p, Status: ipv6.ExtOK, Next: ipv4.Protocol(raw[0]), Offset: ipv6.HeaderLen,
				NamedAt: namedAt, Len: ipv6.FragmentHeaderLen, Raw: raw[:ipv6.FragmentHeaderLen]}
			s.ip6Fragment(h, e, mcast, linkMulticast, now)
			return
		}
	}
	frags := 0
	it := h.ExtIter()
	for e, more := it.Next(); more; e, more = it.Next() {
		switch e.Status {
		case ipv6.ExtOK:
		case ipv6.ExtMisplaced:
			// A hop-by-hop header not first is an unrecognized next
			// header (RFC 8200 4.3).
			c.inHdrErrors.Add(1)
			s.sendParamProblem6(h, icmpv6.ParamProblemNextHeader, e.NamedAt, mcast)
			return
		default:
			// The header runs past the payload (or an authentication
			// header is too short): point at its length field, or at
			// the field that named it when even that is missing.
			c.inHdrErrors.Add(1)
			at := e.Offset + 1
			if e.Proto == ipv4.ProtoFragment || len(e.Raw) < 2 {
				at = e.NamedAt
			}
			s.sendParamProblem6(h, icmpv6.ParamProblemHeader, at, mcast)
			return
		}
		switch e.Proto {
		case ipv4.ProtoHopOpts, ipv4.ProtoDstOpts:
			if !s.ip6Options(h, e, mcast) {
				return
			}
		case ipv4.ProtoRouting:
			r, _ := e.Routing()
			if r.SegmentsLeft() == 0 {
				// RFC 8200 4.4: ignored, whatever its type.
				break
			}
			// The stack forwards nothing, so no routing type can be
			// carried out: type 0 is deprecated (RFC 5095), the others
			// are for routers, mobile nodes and SR endpoints. RFC 8200
			// 4.4 answers an unrecognized type with segments left with
			// a parameter problem pointing at the type.
			c.inRoutingErrors.Add(1)
			s.sendParamProblem6(h, icmpv6.ParamProblemHeader, e.Offset+2, mcast)
			return
		case ipv4.ProtoFragment:
			f, _ := e.Fragment()
			if frags++; frags > 1 {
				// Two fragment headers in one chain: no sender makes
				// them, and the reassembler reads only the first.
				c.inHdrErrors.Add(1)
				return
			}
			if f.IsAtomic() {
				// RFC 6946: processed at once, on its own; the
				// reassembler counts it.
				s.reasm6.Add(h, now)
				break
			}
			if reassembled {
				c.inHdrErrors.Add(1)
				return
			}
			s.ip6Fragment(h, e, mcast, linkMulticast, now)
			return
		default:
			// Authentication, mobility: nothing the stack implements.
			c.inUnknownProtos.Add(1)
			s.sendParamProblem6(h, icmpv6.ParamProblemNextHeader, e.NamedAt, mcast)
			return
		}
		namedAt = e.Offset
	}
	proto, off, _ := it.End()
	s.deliver6(h, a, proto, off, namedAt, mcast, rx, now)
}

// ip6Options processes a hop-by-hop or destination options header,
// reporting whether the packet goes on. The stack knows the padding
// options, the router alert (which MLD carries) and the tunnel
// encapsulation limit (meaningful only to a tunnel entry point); any
// other option is dealt with by the action its type's top two bits name
// (RFC 8200 4.2).
func (s *Stack) ip6Options(h ipv6.Header, e ipv6.Ext, mcast bool) bool {
	c := &s.ctr.ip6
	opts := e.Options()
	for o, ok := opts.Next(); ok; o, ok = opts.Next() {
		at := e.Offset + o.Offset
		known := o.Kind == ipv6.OptPad1 || o.Kind == ipv6.OptPadN ||
			o.Kind == ipv6.OptRouterAlert && e.Proto == ipv4.ProtoHopOpts ||
			o.Kind == ipv6.OptTunnelEncapLimit && e.Proto == ipv4.ProtoDstOpts
		switch {
		case o.Status == ipv6.OptionWrongLength && !known:
			// The length only matters to a node that knows the type.
		case o.Status != ipv6.OptionOK:
			c.inHdrErrors.Add(1)
			s.sendParamProblem6(h, icmpv6.ParamProblemHeader, at, mcast)
			return false
		}
		if known {
			continue
		}
		switch o.Kind.Action() {
		case ipv6.ActionSkip:
			continue
		case ipv6.ActionDiscard:
			c.inOptionDrops.Add(1)
		case ipv6.ActionDiscardICMP:
			c.inOptionDrops.Add(1)
			// Even to a multicast destination (RFC 4443 2.4 (e.3)).
			s.sendParamProblem6(h, icmpv6.ParamProblemOption, at, false)
		case ipv6.ActionDiscardICMPUnicast:
			c.inOptionDrops.Add(1)
			if !h.Dst().IsMulticast() {
				s.sendParamProblem6(h, icmpv6.ParamProblemOption, at, mcast)
			}
		}
		return false
	}
	return true
}

// ip6Fragment handles a fragment (not an atomic one) for us: it goes to
// the reassembler, and the packet it completes goes through the chain
// again. Fragments whose length is impossible are answered as RFC 8200
// 4.5 says: a parameter problem pointing at the payload length when a
// fragment other than the last is not a multiple of 8 bytes long, or at
// the fragment offset when the fragment would end beyond 65535 bytes; a
// first fragment without the whole header chain gets code 3 (RFC 7112).
func (s *Stack) ip6Fragment(h ipv6.Header, e ipv6.Ext, mcast, linkMulticast bool, now time.Time) {
	pkt, done, err := s.reasm6.Add(h, now)
	s.reasm6Timer.arm(s.reasm6.Deadline())
	switch err {
	case nil:
	case ipv6.ErrFragmentLength:
		if len(h) > e.Offset+ipv6.FragmentHeaderLen {
			s.sendParamProblem6(h, icmpv6.ParamProblemHeader, 4, mcast)
		}
	case ipv6.ErrReassemblyTooBig:
		s.sendParamProblem6(h, icmpv6.ParamProblemHeader, e.Offset+2, mcast)
	case ipv6.ErrIncompleteChain:
		s.sendParamProblem6(h, icmpv6.ParamProblemIncompleteChain, 0, mcast)
	}
	if !done {
		return
	}
	defer s.reasm6.Release(pkt)
	// The reassembled packet's addresses are the fragments': the checks
	// of ip6Input hold for it.
	s.ip6Process(ipv6.Header(pkt), s.addrs(), linkMulticast, link.RxOffload{}, now, true)
}

// deliver6 hands the upper-layer payload at off in h to its protocol;
// namedAt is the offset of the next header field that named it, which a
// parameter problem about an unknown protocol points at; rx is what the
// device vouches for about a TCP segment (ip6Input).
func (s *Stack) deliver6(h ipv6.Header, a *ifaddrs, proto ipv4.Protocol, off, namedAt int, mcast bool, rx link.RxOffload, now time.Time) {
	c := &s.ctr.ip6
	payload := h[off:]
	if h.Src().IsUnspecified() && proto != ipv4.ProtoICMPv6 {
		// Only Neighbor Discovery and MLD speak from :: (RFC 4291
		// 2.5.2); an answer to anything else would go nowhere.
		c.inAddrErrors.Add(1)
		return
	}
	if s.forwarding() && s.forwardInput6(h, a, proto, off, mcast, rx, now) {
		return // any-address mode's (forward.go)
	}
	switch proto {
	case ipv4.ProtoICMPv6:
		c.inDelivers.Add(1)
		s.icmp6Input(h, payload, mcast, now)
	case ipv4.ProtoUDP:
		c.inDelivers.Add(1)
		s.udp6Input(h, payload, mcast)
	case ipv4.ProtoTCP:
		if mcast {
			// TCP is unicast (RFC 1122 4.2.3.10, as for IPv4).
			c.inAddrErrors.Add(1)
			return
		}
		c.inDelivers.Add(1)
		s.ctr.ip6.inTCPSegs.Add(1)
		s.tcpInput(h.Src().Netip(), h.Dst().Netip(), payload, rx, now)
	case ipv4.ProtoNoNext:
		// Nothing follows (RFC 8200 4.7): nothing to deliver.
		c.inNoNext.Add(1)
	default:
		c.inUnknownProtos.Add(1)
		s.sendParamProblem6(h, icmpv6.ParamProblemNextHeader, namedAt, mcast)
	}
}

// reasm6Tick expires packets whose fragments did not all arrive, and
// reports the ones whose first fragment came with ICMPv6 time exceeded,
// code 1 (RFC 8200 4.5).
func (s *Stack) reasm6Tick() {
	now := s.clock.Now()
	next := s.reasm6.Expire(now, func(first []byte) {
		s.sendReasmTimeExceeded6(ipv6.Header(first))
	})
	s.reasm6Timer.arm(next)
}

// nextHop6 returns the neighbour a packet for dst goes to: dst itself on
// the link (and for a multicast group, and for every destination on a
// layer-3 link, which has no neighbours to tell apart), the default
// router otherwise.
func (a *ifaddrs) nextHop6(dst ipv6.Addr) (ipv6.Addr, error) {
	if dst.IsMulticast() || a.onLink6(dst) || a.layer3 {
		return dst, nil
	}
	if a.hasGW6 {
		return a.gw6, nil
	}
	return ipv6.Addr{}, ErrNoRoute
}

// encodeIPv6 writes an IPv6 header for a packet of payloadLen bytes of
// proto from src to dst at the start of b.
func (s *Stack) encodeIPv6(b []byte, proto ipv4.Protocol, src, dst ipv6.Addr, payloadLen int, hopLimit uint8) error {
	if payloadLen > ipv6.MaxPayloadLen {
		return fmt.Errorf("%w: %d bytes of payload", ErrMessageTooLong, payloadLen)
	}
	if hopLimit == 0 {
		hopLimit = s.hopLimit6()
	}
	f := ipv6.Fields{PayloadLen: payloadLen, NextHeader: proto, HopLimit: hopLimit, Src: src, Dst: dst}
	_, err := f.Encode(b)
	return err
}

// errNoSource6: the stack has no IPv6 address to send from.
var errNoSource6 = errors.New("no IPv6 address to send from")

// output6 sends the IPv6 packet at (*bp)[ethernet.HeaderLen:][:n], whose
// header is filled in. A packet longer than the path MTU is fragmented
// (RFC 8200 4.5: the source does it, routers do not), with an
// identification from the stack's random source (RFC 7739). now is when
// it was built, or the zero time; the caller keeps bp.
func (s *Stack) output6(bp *[]byte, n int, now time.Time) error {
	c := &s.ctr.ip6
	c.outRequests.Add(1)
	buf := *bp
	pkt := ipv6.Header(buf[ethernet.HeaderLen : ethernet.HeaderLen+n])
	dst := pkt.Dst()
	hop, err := s.addrs().nextHop6(dst)
	if err != nil {
		c.outNoRoutes.Add(1)
		return err
	}
	if now.IsZero() {
		now = s.clock.Now()
	}
	if dst.IsMulticast() {
		c.outMcastPkts.Add(1)
	}
	mtu := s.linkMTU6()
	if !dst.IsMulticast() {
		mtu = s.pmtu.lookup(dst.Netip(), mtu, now)
	}
	if n <= mtu {
		s.toNeighbor6(hop, buf[:ethernet.HeaderLen+n], now, bp)
		return nil
	}
	fp := s.bufs.get(ethernet.HeaderLen + mtu)
	defer s.bufs.put(fp)
	frame := *fp
	scratch := frame[ethernet.HeaderLen : ethernet.HeaderLen+mtu]
	err = ipv6.Fragment(pkt, mtu, s.random(), scratch, func(frag []byte) error {
		c.fragCreates.Add(1)
		// Every fragment is built in scratch, behind the room for the
		// Ethernet header, and none is handed over to the device.
		s.toNeighbor6(hop, frame[:ethernet.HeaderLen+len(frag)], now, nil)
		return nil
	})
	if err != nil {
		c.fragFails.Add(1)
		return err
	}
	c.fragOKs.Add(1)
	return nil
}

// toNeighbor6 sends the frame whose IPv6 packet follows its first 14
// bytes to the neighbour hop, resolving its address with Neighbor
// Discovery first; a packet for an unresolved neighbour waits in the
// neighbour table. On a layer-3 link it goes at once. bp is as for
// toNeighbor.
func (s *Stack) toNeighbor6(hop ipv6.Addr, frame []byte, now time.Time, bp *[]byte) {
	if hop.IsMulticast() {
		s.writeEthernetType(hop.EthernetMulticast(), ethernet.TypeIPv6, frame, bp)
		return
	}
	pkt := frame[ethernet.HeaderLen:]
	nt := s.nd6()
	if _, own := s.addrs().find6(hop); own {
		// The stack has no loopback, and must not ask the link who has
		// its own address.
		s.ctr.ip6.outDiscards.Add(1)
		return
	}
	if s.layer3 {
		// No neighbours to resolve: the link carries the packet, and
		// the device ignores the header.
		s.writeEthernetType(ethernet.Addr{}, ethernet.TypeIPv6, frame, bp)
		return
	}
	if nt == nil {
		// No IPv6 address yet, so no neighbour table: only multicast
		// goes out (a router solicitation from ::).
		s.ctr.ip6.outDiscards.Add(1)
		return
	}
	r := nt.Resolve(hop.Netip(), pkt, now)
	if r.OK {
		s.writeEthernetType(r.LinkAddr, ethernet.TypeIPv6, frame, bp)
	}
	if r.Dropped {
		s.ctr.ip6.outDiscards.Add(1)
	}
	if r.Solicit {
		s.sendNS(hop, r.SolicitTo, ipv6.Header(pkt).Src())
	}
	// The use of a STALE entry starts DELAY, whose deadline the timer
	// must see too, so it is armed whatever the answer (cheaply, when it
	// is armed already for an earlier time).
	s.neigh6Timer.arm(nt.Deadline())
}

// sendPacket6To sends a packet that waited for its neighbour's address
// to resolve (to mac), copying it behind an Ethernet header.
func (s *Stack) sendPacket6To(mac ethernet.Addr, pkt []byte) {
	bp := s.bufs.get(ethernet.HeaderLen + len(pkt))
	defer s.bufs.put(bp)
	frame := (*bp)[:ethernet.HeaderLen+len(pkt)]
	copy(frame[ethernet.HeaderLen:], pkt)
	s.writeEthernetType(mac, ethernet.TypeIPv6, frame, bp)
}
