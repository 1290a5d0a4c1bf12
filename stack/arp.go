package stack

import (
	"time"

	"github.com/medina-net/medina/arp"
	"github.com/medina-net/medina/ethernet"
	"github.com/medina-net/medina/ipv4"
)

// arpInput handles an ARP packet: it answers requests for our address and
// lets the neighbour cache learn what it may (the cache refuses what it
// did not ask for, so unsolicited replies cannot poison it, and checks a
// new address claimed for a neighbour that answered recently by probing
// the old one first).
func (s *Stack) arpInput(b []byte) {
	if s.layer3 {
		// A layer-3 link has no ARP: whatever says it is, it is not.
		s.ctr.link.inUnknown.Add(1)
		return
	}
	if s.dhcp != nil {
		s.dhcpARP(b)
	}
	p, err := arp.NewPacket(b)
	if err != nil || !p.IsEthernetIPv4() || !p.HasAddrs() || !s.addrs().has4() {
		s.ctr.arp.inErrors.Add(1)
		return
	}
	op := p.Op()
	switch op {
	case arp.OpRequest:
		s.ctr.arp.inRequests.Add(1)
	case arp.OpReply:
		s.ctr.arp.inReplies.Add(1)
	default:
		s.ctr.arp.inErrors.Add(1)
		return
	}
	sip, smac := ipv4.Addr(p.SenderIP()), p.SenderMAC()
	tip := ipv4.Addr(p.TargetIP())
	targetedUs := op == arp.OpRequest && s.isOurs4(tip)
	if sip.IsUnspecified() && targetedUs && smac != s.mac && !smac.IsMulticast() && smac != (ethernet.Addr{}) {
		// A probe (RFC 5227): a host checks that nobody has the address
		// it wants. It is ours, so it must hear so, as it would from
		// any host answering a request for its address (RFC 826);
		// there is no sender to learn. The reply goes to its hardware
		// address, with 0.0.0.0 as the target, as Linux sends it.
		s.sendARPFrom(arp.OpReply, tip, smac, smac, sip)
		return
	}
	if s.isOurs4(sip) || smac == s.mac || sip.IsUnspecified() {
		// Someone else claims our address, our own frame came back, or a
		// probe for another address: nothing to learn.
		return
	}
	if !s.arpNeighbor(sip, smac) {
		// Nothing to learn, and no answer: a reply would go to nobody
		// (00:00:00:00:00:00) or to everybody.
		s.ctr.arp.badSenders.Add(1)
		return
	}
	now := s.clock.Now()
	probeTo, probe := s.neigh.Input(sip, smac, targetedUs, op == arp.OpReply, now, func(dg []byte) {
		s.sendDatagramTo(smac, dg)
	})
	if targetedUs {
		s.sendARPFrom(arp.OpReply, tip, smac, smac, sip)
	}
	if probe {
		// A new address for a neighbour that answered recently: ask the
		// address in use first, and nobody else, since only it can
		// tell that the claim is false.
		s.sendARPRequestTo(sip, probeTo)
	}
	// What the cache learnt may have brought its deadline forward (a
	// probe's retransmission, the ageing of a new entry): the timer
	// follows it, as after every Resolve.
	s.neighTimer.arm(s.neigh.Deadline())
}

// arpNeighbor reports whether an ARP packet's sender can be a neighbour
// (0.0.0.0 aside, which is a probe): a unicast hardware address other
// than 00:00:00:00:00:00, and a protocol address an IPv4 datagram to us
// may come from (validSource: not a broadcast or multicast address, the
// link's network address, loopback or in 0.0.0.0/8).
func (s *Stack) arpNeighbor(sip ipv4.Addr, smac ethernet.Addr) bool {
	if smac.IsMulticast() || smac == (ethernet.Addr{}) {
		return false
	}
	pa, _ := s.addrs().primary4()
	return s.validSource(sip, pa.addr)
}

// sendARP sends an ARP packet from us: op, to the Ethernet destination
// ethDst, with the target hardware and protocol addresses tha and tpa,
// and as sender our address on tpa's link.
func (s *Stack) sendARP(op arp.Operation, ethDst, tha ethernet.Addr, tpa ipv4.Addr) {
	a := s.addrs()
	if !a.has4() {
		// The address went (a DHCP lease ended) while the neighbour
		// cache still had a question to ask: a request from 0.0.0.0
		// would be a probe, which is not what it means.
		return
	}
	s.sendARPFrom(op, a.source4(tpa), ethDst, tha, tpa)
}

// sendARPFrom is sendARP with spa, one of our addresses, as the sender's.
func (s *Stack) sendARPFrom(op arp.Operation, spa ipv4.Addr, ethDst, tha ethernet.Addr, tpa ipv4.Addr) {
	bp := s.bufs.get(ethernet.MinFrameLen)
	defer s.bufs.put(bp)
	frame := (*bp)[:ethernet.MinFrameLen]
	clear(frame)
	if _, err := ethernet.Encode(frame, ethDst, s.mac, ethernet.TypeARP); err != nil {
		return
	}
	if _, err := arp.Encode(frame[ethernet.HeaderLen:], op, s.mac, spa, tha, tpa); err != nil {
		return
	}
	if s.writeFrame(frame) == nil {
		if op == arp.OpRequest {
			s.ctr.arp.outRequests.Add(1)
		} else {
			s.ctr.arp.outReplies.Add(1)
		}
	}
}

// sendARPRequest asks who has ip, by broadcast.
func (s *Stack) sendARPRequest(ip ipv4.Addr) {
	s.sendARP(arp.OpRequest, ethernet.Broadcast, ethernet.Addr{}, ip)
}

// sendARPRequestTo asks who has ip, by broadcast if to is zero, else only
// the hardware address to: the neighbour cache's probe of an address in
// use, the only one whose answer counts.
func (s *Stack) sendARPRequestTo(ip ipv4.Addr, to ethernet.Addr) {
	if to == (ethernet.Addr{}) {
		s.sendARPRequest(ip)
		return
	}
	s.sendARP(arp.OpRequest, to, ethernet.Addr{}, ip)
}

// sendGratuitousARP announces our address (RFC 5227's announcement: a
// request with our address as both sender and target).
func (s *Stack) sendGratuitousARP() {
	for _, a := range s.addrs().v4 {
		s.sendARPFrom(arp.OpRequest, a.addr, ethernet.Broadcast, ethernet.Addr{}, a.addr)
	}
}

// neighTick runs the neighbour cache's timers: retransmitted requests,
// probes, failures. Datagrams whose next hop did not resolve are dropped
// and counted, and their senders told (unresolved4).
func (s *Stack) neighTick() {
	now := s.clock.Now()
	next := s.neigh.Tick(now, func(ip [4]byte, to ethernet.Addr) { s.sendARPRequestTo(ip, to) }, s.unresolved4)
	s.neighTimer.arm(next)
}

// confirmReachable is the upper layers' hook into neighbour
// unreachability detection (RFC 4861 7.3.1): a transport with proof that
// what it sent to dst arrived (TCP: an acknowledgment of new data)
// confirms the neighbour the datagrams went through, dst itself or the
// gateway, which keeps its entry REACHABLE without the DELAY and PROBE a
// used STALE entry costs. Proof of progress must come from the far end:
// a segment received proves only that the neighbour can reach us. It
// creates no entry and allocates nothing, so it may be called for every
// acknowledgment that advances. It arms no timer: the only deadline
// Confirm brings forward is a REACHABLE entry's turn to STALE, which
// changes nothing on the wire, and which Resolve and the next Tick apply
// when they find it past.
func (s *Stack) confirmReachable(dst ipv4.Addr, now time.Time) {
	if s.layer3 {
		return // no neighbours
	}
	hop, err := s.nextHop(dst)
	if err != nil || s.isBroadcast(hop) {
		return
	}
	s.neigh.Confirm(hop, now)
}
