package stack

import (
	"errors"
	"fmt"
	"syscall"
	"time"

	"github.com/medina-net/medina/ethernet"
	"github.com/medina-net/medina/ipv4"
	"github.com/medina-net/medina/link"
)

// minMTU is the smallest MTU IPv4 allows (RFC 791: every module must
// forward a 68-byte datagram without fragmenting it further).
const minMTU = 68

// Errors of the send path. They reach applications wrapped in a
// *net.OpError.
var (
	// ErrNoRoute: the destination is off the link and there is no
	// gateway, or the stack has no address of its family. A dial fails
	// with it at once, as a connect(2) fails with ENETUNREACH, which it
	// matches (errors.Is(err, syscall.ENETUNREACH)), so that code written
	// for package net's errors recognises it.
	ErrNoRoute error = noRouteError{}
	// ErrMessageTooLong: the datagram exceeds IPv4's 65535 bytes.
	ErrMessageTooLong = errors.New("message too long")
)

// ipInput handles an IPv4 datagram from the link; linkBroadcast says the
// frame was sent to the Ethernet broadcast address, and off what a device
// with receive offload vouches for about it (the zero RxOffload for any
// other frame).
func (s *Stack) ipInput(b []byte, linkBroadcast bool, off link.RxOffload, now time.Time) {
	s.ctr.ip.inReceives.Add(1)
	if s.dhcp != nil && s.dhcpInput(b) {
		return
	}
	if !s.addrs().has4() {
		s.ctr.ip.inAddrErrors.Add(1)
		return
	}
	h, err := ipv4.NewHeader(b)
	if err != nil || h.Check() != nil {
		s.ctr.ip.inHdrErrors.Add(1)
		return
	}
	// Ethernet pads short frames: the datagram ends where its header says.
	h = h[:h.TotalLen()]
	dst := h.Dst()
	if !s.isBroadcast(dst) && !s.addrs().ours4(dst) && !(s.forwarding() && s.takes4(h, linkBroadcast)) ||
		!s.validSource(h.Src(), dst) {
		s.ctr.ip.inAddrErrors.Add(1)
		return
	}
	if h.HeaderLen() > ipv4.MinHeaderLen && !s.optionsOK(h, linkBroadcast) {
		return
	}
	if h.IsFragment() {
		// The reassembler counts what it does with the fragment.
		dg, done, _ := s.reasm.Add(h, now)
		s.reasmTimer.arm(s.reasm.Deadline())
		if !done {
			return
		}
		defer s.reasm.Release(dg)
		h = ipv4.Header(dg)
		off = link.RxOffload{} // the device vouched for a fragment, not for the whole
	}
	s.deliver(h, linkBroadcast, off, now)
}

// noRouteError is ErrNoRoute's type: ENETUNREACH's meaning, with a
// message that says why.
type noRouteError struct{}

func (noRouteError) Error() string { return "network is unreachable: no route to the destination" }

// Is makes ErrNoRoute match syscall.ENETUNREACH.
func (noRouteError) Is(target error) bool { return target == syscall.ENETUNREACH }

// validSource reports whether src may be the source of a datagram to dst
// from the link. RFC 1122 3.2.1.3 has a host discard the others (Linux
// calls them martians): broadcast and multicast addresses, which an
// answer would go to the whole link (a smurf amplifier); the link's
// network address (its all-zeros host, RFC 1122's {<Network-number>, 0},
// the broadcast of old BSD stacks); our own address, which is a forgery
// or our own frame come back; loopback; and "this network" (0.0.0.0/8),
// except 0.0.0.0 to a broadcast address, which is how a host without an
// address yet (a DHCP client) talks.
func (s *Stack) validSource(src, dst ipv4.Addr) bool {
	p, _ := s.addrs().primary4()
	switch {
	case src.IsMulticast() || s.isBroadcast(src) || src.IsLoopback() || s.addrs().ours4(src):
		return false
	case src == p.network && p.bcast != ipv4.Broadcast:
		// A /31 or /32 has no network address: both addresses of a /31
		// are hosts' (RFC 3021).
		return false
	case src[0] == 0:
		return src.IsUnspecified() && s.isBroadcast(dst)
	}
	return true
}

// optionsOK checks the options of a datagram for us, reporting whether it
// may go on. One with malformed options is dropped (RFC 1122 3.2.1.8) and
// answered with a parameter problem pointing at the octet at fault (RFC
// 1122 3.2.2.5), unless it came to a broadcast address; one with a source
// route is dropped (RFC 7126 4.3 and 4.4, as Linux's accept_source_route
// does by default): a host that delivered it would also have to send its
// replies back along the route the sender chose.
func (s *Stack) optionsOK(h ipv4.Header, linkBroadcast bool) bool {
	if at, err := h.CheckOptions(); err != nil {
		s.ctr.ip.inHdrErrors.Add(1)
		if !linkBroadcast {
			s.sendParamProblem(h, at)
		}
		return false
	}
	if h.HasSourceRoute() {
		s.ctr.ip.inSourceRoutes.Add(1)
		return false
	}
	return true
}

// isBroadcast reports whether a is the limited or a link's directed
// broadcast address.
func (s *Stack) isBroadcast(a ipv4.Addr) bool {
	if a == ipv4.Broadcast {
		return true
	}
	v4 := s.addrs().v4
	for i := range v4 {
		if a == v4[i].bcast {
			return true
		}
	}
	return false
}

// deliver hands a complete datagram for us to its transport protocol;
// linkBroadcast says it came in a frame to the Ethernet broadcast address
// (the last of its fragments did, for a reassembled one), which no ICMP
// error may be sent about (RFC 1122 3.2.2); off is what the device
// vouches for about a TCP segment (ipInput).
func (s *Stack) deliver(h ipv4.Header, linkBroadcast bool, off link.RxOffload, now time.Time) {
	if s.forwarding() && s.forwardInput4(h, linkBroadcast, off, now) {
		return // any-address mode's (forward.go)
	}
	payload := h.Payload()
	switch h.Protocol() {
	case ipv4.ProtoICMP:
		s.ctr.ip.inDelivers.Add(1)
		s.icmpInput(h, payload)
	case ipv4.ProtoUDP:
		s.ctr.ip.inDelivers.Add(1)
		s.udpInput(h, payload, linkBroadcast)
	case ipv4.ProtoTCP:
		if linkBroadcast || !s.addrs().ours4(h.Dst()) {
			// TCP is unicast: RFC 1122 4.2.3.10 has a SYN to a broadcast
			// or multicast address silently discarded, and, as on Linux,
			// so is any segment that came so, or in a frame to the
			// link's broadcast address.
			s.ctr.ip.inAddrErrors.Add(1)
			return
		}
		s.ctr.ip.inDelivers.Add(1)
		s.tcpInput(h.Src().Netip(), h.Dst().Netip(), payload, off, now)
	default:
		s.ctr.ip.inUnknownProtos.Add(1)
		if !linkBroadcast {
			s.sendUnreachable(h, codeProtocolUnreachable)
		}
	}
}

// reasmTick expires datagrams whose fragments did not all arrive, and
// reports the ones whose first fragment came with ICMP time exceeded
// (RFC 792: "fragment reassembly time exceeded").
func (s *Stack) reasmTick() {
	now := s.clock.Now()
	next := s.reasm.Expire(now, func(first []byte) {
		s.sendTimeExceeded(ipv4.Header(first))
	})
	s.reasmTimer.arm(next)
}

// nextHop returns the neighbour a datagram for dst goes to: dst itself on
// the link (every destination is, on a layer-3 link), the gateway
// otherwise.
func (s *Stack) nextHop(dst ipv4.Addr) (ipv4.Addr, error) {
	if s.isBroadcast(dst) || s.layer3 {
		return dst, nil
	}
	a := s.addrs()
	for i := range a.v4 {
		if a.v4[i].prefix.Contains(dst.Netip()) {
			return dst, nil
		}
	}
	if hop, ok := a.route4(dst); ok {
		return hop, nil
	}
	if a.hasGW4 {
		return a.gw4, nil
	}
	return ipv4.Addr{}, ErrNoRoute
}

// nextID returns an IP ID. A counter from a random start is RFC 6864's
// simplest conforming choice, and makes a seeded stack reproducible.
func (s *Stack) nextID() uint16 { return uint16(s.ipID.Add(1)) }

// output sends the IPv4 datagram at (*bp)[ethernet.HeaderLen:][:n], whose
// header is filled in, checksum included. It fragments a datagram longer
// than the MTU unless DF is set. The caller keeps bp.
func (s *Stack) output(bp *[]byte, n int) error {
	return s.outputAt(bp, n, time.Time{})
}

// outputAt is output for a sender that already read the clock: now is
// when the datagram was built (the zero time to read the clock here), so
// that a TCP segment costs one clock read, not two.
func (s *Stack) outputAt(bp *[]byte, n int, now time.Time) error {
	s.ctr.ip.outRequests.Add(1)
	buf := *bp
	dg := ipv4.Header(buf[ethernet.HeaderLen : ethernet.HeaderLen+n])
	hop, err := s.nextHop(dg.Dst())
	if err != nil {
		s.ctr.ip.outNoRoutes.Add(1)
		return err
	}
	if now.IsZero() {
		now = s.clock.Now()
	}
	mtu := s.linkMTU4()
	if n <= mtu {
		s.toNeighbor(hop, buf[:ethernet.HeaderLen+n], now, bp)
		return nil
	}
	if dg.DF() {
		s.ctr.ip.fragFails.Add(1)
		return fmt.Errorf("%w: %d bytes with DF set, MTU %d", ErrMessageTooLong, n, mtu)
	}
	fp := s.bufs.get(ethernet.HeaderLen + mtu)
	defer s.bufs.put(fp)
	frame := *fp
	scratch := frame[ethernet.HeaderLen:]
	err = ipv4.Fragment(dg, mtu, scratch, func(frag []byte) error {
		s.ctr.ip.fragCreates.Add(1)
		// Fragment builds each fragment at the start of scratch, right
		// behind the room left for the Ethernet header.
		if &frag[0] != &scratch[0] {
			copy(scratch, frag)
		}
		// Every fragment is built in the same buffer: none is handed
		// over to the device.
		s.toNeighbor(hop, frame[:ethernet.HeaderLen+len(frag)], now, nil)
		return nil
	})
	if err != nil {
		s.ctr.ip.outDiscards.Add(1)
		return err
	}
	s.ctr.ip.fragOKs.Add(1)
	return nil
}

// toNeighbor sends the frame whose IPv4 datagram follows its first 14
// bytes to the neighbour hop, resolving its MAC address first. A datagram
// for an unresolved neighbour waits in the neighbour cache. On a layer-3
// link there is nothing to resolve: the frame goes at once, its header
// ignored by the device. bp, when not nil, is the pooled buffer the frame
// starts, which the device may keep in exchange for another (see
// writeFrameFrom).
func (s *Stack) toNeighbor(hop ipv4.Addr, frame []byte, now time.Time, bp *[]byte) {
	if s.layer3 {
		s.writeEthernet(ethernet.Addr{}, frame, bp)
		return
	}
	if s.isBroadcast(hop) {
		s.writeEthernet(ethernet.Broadcast, frame, bp)
		return
	}
	dg := frame[ethernet.HeaderLen:]
	mac, ok, request, dropped := s.neigh.Resolve(hop, dg, now)
	switch {
	case ok:
		s.writeEthernet(mac, frame, bp)
	case dropped:
		s.ctr.ip.outDiscards.Add(1)
	}
	if request {
		s.sendARPRequest(hop)
	}
	// Not only resolution has a deadline: the first use of a STALE
	// entry starts DELAY, which must end in PROBE even if nothing is
	// sent to the neighbour again, so the timer follows the table's
	// deadline whatever the answer (as toNeighbor6 does; arming costs
	// next to nothing when the timer is due earlier already).
	s.neighTimer.arm(s.neigh.Deadline())
}

// writeEthernet fills in the Ethernet header of frame, an IPv4 one, and
// sends it; bp is as for toNeighbor.
func (s *Stack) writeEthernet(dst ethernet.Addr, frame []byte, bp *[]byte) {
	s.writeEthernetType(dst, ethernet.TypeIPv4, frame, bp)
}

// writeEthernetType is writeEthernet for a frame of any EtherType.
func (s *Stack) writeEthernetType(dst ethernet.Addr, t ethernet.Type, frame []byte, bp *[]byte) {
	f := ethernet.Frame(frame)
	f.SetDst(dst)
	f.SetSrc(s.mac)
	f.SetType(t)
	s.writeFrameFrom(frame, bp)
}

// sendDatagramTo sends a datagram that waited for its neighbour's address
// to resolve (to mac), copying it behind an Ethernet header.
func (s *Stack) sendDatagramTo(mac ethernet.Addr, dg []byte) {
	bp := s.bufs.get(ethernet.HeaderLen + len(dg))
	defer s.bufs.put(bp)
	frame := (*bp)[:ethernet.HeaderLen+len(dg)]
	copy(frame[ethernet.HeaderLen:], dg)
	s.writeEthernet(mac, frame, bp)
}

// encodeIPv4 writes an IPv4 header for a datagram of payloadLen bytes of
// proto from our primary address to dst at the start of b.
func (s *Stack) encodeIPv4(b []byte, proto ipv4.Protocol, dst ipv4.Addr, payloadLen int, df bool) error {
	p, _ := s.addrs().primary4()
	return s.encodeIPv4From(b, proto, p.addr, dst, payloadLen, df)
}

// encodeIPv4From is encodeIPv4 from the address src.
func (s *Stack) encodeIPv4From(b []byte, proto ipv4.Protocol, src, dst ipv4.Addr, payloadLen int, df bool) error {
	if ipv4.MinHeaderLen+payloadLen > ipv4.MaxTotalLen {
		return fmt.Errorf("%w: %d bytes of payload", ErrMessageTooLong, payloadLen)
	}
	f := ipv4.Fields{
		PayloadLen: payloadLen,
		ID:         s.nextID(),
		TTL:        s.cfg.TTL,
		Protocol:   proto,
		Src:        src,
		Dst:        dst,
	}
	if df {
		f.Flags = ipv4.FlagDF
	}
	_, err := f.Encode(b)
	return err
}
