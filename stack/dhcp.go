package stack

import (
	"net/netip"
	"sync"

	"github.com/medina-net/medina/arp"
	"github.com/medina-net/medina/dhcp"
	"github.com/medina-net/medina/ethernet"
	"github.com/medina-net/medina/ipv4"
	"github.com/medina-net/medina/udp"
)

// IPv4 configuration by DHCP: with Config.DHCP, the stack runs package
// dhcp's client on its link. The client is a state machine without a
// goroutine or a clock; this file binds it to the stack. Its messages
// go out from 0.0.0.0:68 to 255.255.255.255:67 before the stack has an
// address, in frames built here, and by the ordinary UDP path once it
// has (RENEWING's unicast); datagrams from port 67 to port 68 reach it
// whatever their destination address (a server may unicast an OFFER to
// the address it offers, which is not ours yet) before the IPv4 layer's
// checks, and ARP packets reach it while it probes an offered address.
// Its events add the leased address, the gateway (the classless routes'
// default route, else the first router), the other classless routes
// whose router is on the link, the link MTU, and the resolver's DNS
// servers and search list; renew them; and remove them when the lease
// ends. The embedder reads the whole lease from Stack.DHCPLease.

// dhcpClient binds a dhcp.Client to the stack.
type dhcpClient struct {
	s     *Stack
	c     *dhcp.Client
	timer timerSlot
	user  func(dhcp.Event) // the embedder's Config.DHCP.Event

	mu    sync.Mutex
	lease dhcp.Lease // the lease the stack applied
	bound bool
}

// startDHCP makes and starts the client of Config.DHCP.
func (s *Stack) startDHCP() {
	d := &dhcpClient{s: s, user: s.cfg.DHCP.Event}
	cfg := *s.cfg.DHCP
	cfg.MAC = s.mac
	if cfg.Rand == nil {
		cfg.Rand = lockedSource{s}
	}
	cfg.Send, cfg.Event = d.send, d.event
	d.c = dhcp.NewClient(cfg)
	d.timer.init(s.clock, d.tick)
	s.dhcp = d
	d.timer.arm(d.c.Start(s.clock.Now()))
}

func (d *dhcpClient) tick() { d.timer.arm(d.c.Tick(d.s.clock.Now())) }

// stop stops the client's timer; wait waits for a tick in progress.
func (d *dhcpClient) stop() { d.timer.stop() }
func (d *dhcpClient) wait() { d.timer.wait() }

// DHCPState is what the stack's DHCP client knows: the reading methods
// of *dhcp.Client. Those that drive it are the stack's to call.
type DHCPState interface {
	Lease() (dhcp.Lease, bool)
	State() dhcp.State
	Stats() dhcp.Stats
}

// DHCP returns the stack's DHCP client's state, or nil without
// Config.DHCP.
func (s *Stack) DHCP() DHCPState {
	if s.dhcp == nil {
		return nil
	}
	return s.dhcp.c
}

// DHCPLease returns a copy of the lease in use, with the DNS servers,
// domain name and search list it gave; ok is false without Config.DHCP
// or before the first lease.
func (s *Stack) DHCPLease() (l dhcp.Lease, ok bool) {
	if s.dhcp == nil {
		return dhcp.Lease{}, false
	}
	return s.dhcp.c.Lease()
}

// ReleaseDHCP gives the lease back to its server (a RELEASE, RFC 2131
// 4.4.6), removes the address, gateway, routes and MTU it gave, and stops
// the DHCP client: an embedder that shuts down cleanly calls it before
// Close, so that the server may lease the address to another at once. It
// does nothing without Config.DHCP.
func (s *Stack) ReleaseDHCP() {
	if s.dhcp == nil {
		return
	}
	s.dhcp.c.Release(s.clock.Now())
}

// dhcpInput hands the client a datagram from port 67 to port 68,
// reporting whether it was one; ipInput calls it first, before the
// checks of the destination address (the stack may have none yet).
func (s *Stack) dhcpInput(b []byte) bool {
	// The cheap tests first: this runs for every IPv4 datagram.
	if len(b) < ipv4.MinHeaderLen+udp.HeaderLen || b[9] != byte(ipv4.ProtoUDP) {
		return false
	}
	h, err := ipv4.NewHeader(b)
	if err != nil || h.Check() != nil || h.IsFragment() {
		return false
	}
	h = h[:h.TotalLen()]
	u, err := udp.NewHeader(h.Payload())
	if err != nil || u.DstPort() != dhcp.ClientPort || u.SrcPort() != dhcp.ServerPort {
		return false
	}
	s.ctr.ip.inDelivers.Add(1)
	if u.Check() != nil || !u.ChecksumValid(h.Src(), h.Dst()) {
		s.ctr.udp.inErrors.Add(1)
		return true
	}
	s.ctr.udp.inDatagrams.Add(1)
	next, _ := s.dhcp.c.Input(s.clock.Now(), u.Payload())
	s.dhcp.timer.arm(next)
	return true
}

// dhcpARP hands the client an ARP packet while it probes an address
// (RFC 5227); arpInput calls it first, as the stack may have no address
// yet.
func (s *Stack) dhcpARP(b []byte) {
	if _, probing := s.dhcp.c.Probing(); !probing {
		return
	}
	p, err := arp.NewPacket(b)
	if err != nil || !p.IsEthernetIPv4() || !p.HasAddrs() {
		return
	}
	next := s.dhcp.c.ARPInput(s.clock.Now(), uint16(p.Op()), p.SenderMAC(),
		netip.AddrFrom4(p.SenderIP()), netip.AddrFrom4(p.TargetIP()))
	s.dhcp.timer.arm(next)
}

// send sends what the client asks for.
func (d *dhcpClient) send(p dhcp.Packet) {
	s := d.s
	if s.isClosed() {
		return
	}
	switch p.Kind {
	case dhcp.PacketARPProbe:
		// RFC 5227 2.1.1: a request from 0.0.0.0, target hardware
		// address zero.
		s.sendARPFrom(arp.OpRequest, ipv4.Addr{}, ethernet.Broadcast, ethernet.Addr{}, ipv4.Addr(p.Target.As4()))
	case dhcp.PacketARPAnnounce:
		a := ipv4.Addr(p.Target.As4())
		s.sendARPFrom(arp.OpRequest, a, ethernet.Broadcast, ethernet.Addr{}, a)
	case dhcp.PacketDHCP:
		src, dst := ipv4.Addr(p.Src.As4()), ipv4.Addr(p.Dst.As4())
		if dst == ipv4.Broadcast {
			s.sendDHCPFrame(ethernet.Broadcast, src, dst, p.Msg)
			return
		}
		if m, err := dhcp.NewMessage(p.Msg); err == nil && m.MessageType() == dhcp.Release {
			// The address goes right after the RELEASE: there is no
			// time to resolve the server's MAC, and the answer would
			// find no address to accept it. Without a MAC at hand the
			// RELEASE goes in a broadcast frame, which Linux accepts
			// for its own address (drop_unicast_in_l2_multicast is
			// off by default).
			mac, _, ok := s.neigh.Lookup(dst)
			if !ok || mac == (ethernet.Addr{}) {
				mac = ethernet.Broadcast
			}
			s.sendDHCPFrame(mac, src, dst, p.Msg)
			return
		}
		// RENEWING goes to the server from the leased address, routed
		// and resolved as any datagram. A message that cannot go is
		// one the client sends again.
		_ = s.sendUDP(netip.AddrPortFrom(p.Src, dhcp.ClientPort), netip.AddrPortFrom(p.Dst, dhcp.ServerPort), p.Msg)
	}
}

// sendDHCPFrame sends msg from src:68 to dst:67 in a frame to mac,
// without routing or address resolution: to 255.255.255.255 in a frame
// to the Ethernet broadcast address, from 0.0.0.0 before the stack has
// an address (RFC 2131 4.1) or the leased one in REBINDING; a RELEASE to
// the server.
func (s *Stack) sendDHCPFrame(mac ethernet.Addr, src, dst ipv4.Addr, msg []byte) {
	n := ipv4.MinHeaderLen + udp.HeaderLen + len(msg)
	bp := s.bufs.get(ethernet.HeaderLen + n)
	defer s.bufs.put(bp)
	frame := (*bp)[:ethernet.HeaderLen+n]
	dg := frame[ethernet.HeaderLen:]
	copy(dg[ipv4.MinHeaderLen+udp.HeaderLen:], msg)
	if _, err := udp.EncodeChecksum(dg[ipv4.MinHeaderLen:], dhcp.ClientPort, dhcp.ServerPort, src, dst); err != nil {
		return
	}
	if err := s.encodeIPv4From(dg, ipv4.ProtoUDP, src, dst, udp.HeaderLen+len(msg), false); err != nil {
		return
	}
	s.ctr.ip.outRequests.Add(1)
	s.ctr.udp.outDatagrams.Add(1)
	s.writeEthernet(mac, frame, bp)
}

// event applies a change of the lease to the stack, then tells the
// embedder.
func (d *dhcpClient) event(e dhcp.Event) {
	s := d.s
	switch e.Kind {
	case dhcp.EventBound, dhcp.EventRenewed:
		d.mu.Lock()
		if d.bound && d.lease.Addr.Addr() != e.Lease.Addr.Addr() {
			s.removeAddr4(d.lease.Addr.Addr())
		}
		d.lease, d.bound = e.Lease, true
		d.mu.Unlock()
		s.addAddr4(e.Lease.Addr)
		d.apply(&e.Lease)
	case dhcp.EventExpired, dhcp.EventReleased:
		d.mu.Lock()
		was := d.bound && d.lease.Addr.Addr() == e.Lease.Addr.Addr()
		if was {
			d.bound = false
		}
		d.mu.Unlock()
		if was {
			s.removeAddr4(e.Lease.Addr.Addr())
			s.setRoutes4(s.cfg.Gateway, nil)
			s.setLinkMTU4(0)
			s.setDNS(dnsFromDHCP, nil, nil)
		}
	}
	if d.user != nil {
		d.user(e)
	}
}

// apply sets the gateway, routes and MTU of l.
func (d *dhcpClient) apply(l *dhcp.Lease) {
	s := d.s
	gw, ok := l.DefaultRoute()
	if !ok {
		gw = s.cfg.Gateway
	}
	var rs []route4
	for _, r := range l.Routes {
		if r.Dest.Bits() == 0 {
			continue // the gateway
		}
		rs = append(rs, route4{prefix: r.Dest.Masked(), gw: ipv4.Addr(r.Gateway.As4())})
	}
	s.setRoutes4(gw, rs)
	mtu := l.MTU
	if mtu > s.mtu {
		mtu = 0 // never above the device's
	}
	s.setLinkMTU4(mtu)
	// The resolver's servers and search list (dnsconfig.go): the
	// Domain Search option's, else the Domain Name as the one domain to
	// search.
	search := l.SearchList
	if len(search) == 0 && l.DomainName != "" {
		search = []string{l.DomainName}
	}
	s.setDNS(dnsFromDHCP, l.DNS, search)
}
