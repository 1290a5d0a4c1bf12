package stack

import (
	"net/netip"
	"testing"
	"time"

	"github.com/medina-net/medina/arp"
	"github.com/medina-net/medina/ethernet"
	"github.com/medina-net/medina/icmp"
	"github.com/medina-net/medina/ipv4"
)

// ARP under attack, with frames made by hand: a forged request that claims
// a neighbour's address, and requests from senders that cannot be
// neighbours.

// written is what the stack wrote, sorted out: the Ethernet destinations
// of its IPv4 datagrams, and its ARP packets.
type written struct {
	ipTo []ethernet.Addr
	arps []sentARP
}

// sentARP is an ARP packet the stack wrote.
type sentARP struct {
	to  ethernet.Addr // Ethernet destination
	op  arp.Operation
	tha ethernet.Addr
	tpa ipv4.Addr
}

func sortOut(t *testing.T, frames [][]byte) written {
	t.Helper()
	var w written
	for _, b := range frames {
		f := ethernet.Frame(b)
		switch f.Type() {
		case ethernet.TypeIPv4:
			w.ipTo = append(w.ipTo, f.Dst())
		case ethernet.TypeARP:
			p, err := arp.NewPacket(f.Payload())
			if err != nil {
				t.Fatalf("the stack wrote a bad ARP packet: %x", b)
			}
			w.arps = append(w.arps, sentARP{to: f.Dst(), op: p.Op(), tha: p.TargetMAC(), tpa: ipv4.Addr(p.TargetIP())})
		default:
			t.Fatalf("the stack wrote a frame of EtherType %v", f.Type())
		}
	}
	return w
}

// pingFromPeer feeds the stack an echo request from the peer and returns
// the Ethernet address its reply went to (zero if it went nowhere yet),
// with the ARP packets it wrote.
func pingFromPeer(t *testing.T, s *Stack, dev *fuzzDevice, seq uint16) (ethernet.Addr, []sentARP) {
	t.Helper()
	s.input(ethFrame(fuzzMAC, peerMAC, ethernet.TypeIPv4, dgram(peerIP, fuzzIP, ipv4.ProtoICMP, seq, 0, 0, echoMsg(icmp.TypeEcho, 7, seq, []byte("are you there")))))
	w := sortOut(t, dev.written())
	switch len(w.ipTo) {
	case 0:
		return ethernet.Addr{}, w.arps
	case 1:
		return w.ipTo[0], w.arps
	}
	t.Fatalf("one echo request, %d datagrams sent", len(w.ipTo))
	return ethernet.Addr{}, nil
}

// arpFrame is an ARP packet from the Ethernet address sha.
func arpFrame(dst ethernet.Addr, op arp.Operation, sha ethernet.Addr, spa ipv4.Addr, tha ethernet.Addr, tpa ipv4.Addr) []byte {
	return ethFrame(dst, sha, ethernet.TypeARP, arpPacket(op, sha, spa, tha, tpa))
}

// reachablePeer has the stack resolve the peer, which answers: its entry
// is REACHABLE at peerMAC.
func reachablePeer(t *testing.T, s *Stack, dev *fuzzDevice) {
	t.Helper()
	if to, arps := pingFromPeer(t, s, dev, 1); to != (ethernet.Addr{}) || len(arps) != 1 || arps[0].op != arp.OpRequest || arps[0].to != ethernet.Broadcast {
		t.Fatalf("echo request from an unknown peer: reply to %v, ARP %+v; want a broadcast request", to, arps)
	}
	s.input(arpReplyFrame(peerMAC, peerIP))
	if w := sortOut(t, dev.written()); len(w.ipTo) != 1 || w.ipTo[0] != peerMAC {
		t.Fatalf("after the peer's reply the stack sent datagrams to %v, want the echo reply to %v", w.ipTo, peerMAC)
	}
	if mac, st, _ := s.neigh.Lookup(peerIP); mac != peerMAC || st != arp.StateReachable {
		t.Fatalf("the peer's entry is %v %v, want %v REACHABLE", mac, st, peerMAC)
	}
}

// TestARPSpoofedRequestRefused: an attacker broadcasts a request for our
// address claiming to be the peer (10.0.0.2 is at evilMAC), while the peer
// is alive. The stack must keep sending to the peer, probe the peer's
// address, and, when the peer answers, count the attempt and forget the
// forged address. Before, the entry took evilMAC at once: everything for
// the peer went to the attacker until the entry's DELAY and PROBE, 5 to 6
// s later.
func TestARPSpoofedRequestRefused(t *testing.T) {
	s, dev, clock := handStack(t, Config{})
	reachablePeer(t, s, dev)

	s.input(arpFrame(ethernet.Broadcast, arp.OpRequest, evilMAC, peerIP, ethernet.Addr{}, fuzzIP))
	w := sortOut(t, dev.written())
	// A request for our address is answered, whoever asks; the claim is
	// checked by a request to the address in use, and to nobody else.
	wantARPs := []sentARP{
		{to: evilMAC, op: arp.OpReply, tha: evilMAC, tpa: peerIP},
		{to: peerMAC, op: arp.OpRequest, tpa: peerIP},
	}
	if len(w.arps) != 2 || w.arps[0] != wantARPs[0] || w.arps[1] != wantARPs[1] {
		t.Errorf("after the forged request the stack sent ARP %+v, want %+v", w.arps, wantARPs)
	}

	for i := range 20 {
		if to, _ := pingFromPeer(t, s, dev, uint16(10+i)); to != peerMAC {
			t.Fatalf("%v after the forged request, the echo reply went to %v, want the peer %v", time.Duration(i)*500*time.Millisecond, to, peerMAC)
		}
		if i == 1 {
			// The peer answers the probe.
			s.input(arpReplyFrame(peerMAC, peerIP))
		}
		clock.Advance(500 * time.Millisecond)
	}
	if w := sortOut(t, dev.written()); len(w.arps) != 0 {
		t.Errorf("after the peer answered, the stack sent ARP %+v", w.arps)
	}
	st := s.Stats().ARP
	if st.ChangesRefused != 1 || st.ChangesConfirmed != 0 {
		t.Errorf("ChangesRefused %d, ChangesConfirmed %d; want 1, 0", st.ChangesRefused, st.ChangesConfirmed)
	}
}

// TestARPAddressChangeConfirmed: a neighbour that really moved to a new
// hardware address (a new NIC, or a failover announced with gratuitous
// ARP) is found there once its old address has failed to answer the
// probes: three requests one second apart, so 3 s of datagrams to the old
// address. The gratuitous case needs Config.ARP.AcceptUnsolicited, without
// which gratuitous ARP changes nothing.
func TestARPAddressChangeConfirmed(t *testing.T) {
	newMAC := ethernet.Addr{0x02, 0, 0, 0, 0x0b, 0x02}
	for _, tc := range []struct {
		name  string
		cfg   Config
		claim []byte
	}{
		{"request for our address", Config{},
			arpFrame(ethernet.Broadcast, arp.OpRequest, newMAC, peerIP, ethernet.Addr{}, fuzzIP)},
		{"gratuitous request", Config{ARP: arp.CacheConfig{AcceptUnsolicited: true}},
			arpFrame(ethernet.Broadcast, arp.OpRequest, newMAC, peerIP, ethernet.Addr{}, peerIP)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s, dev, clock := handStack(t, tc.cfg)
			reachablePeer(t, s, dev)
			s.input(tc.claim)
			var probes []time.Duration
			movedAt := time.Duration(-1)
			for i := range 10 {
				elapsed := time.Duration(i) * 500 * time.Millisecond
				to, arps := pingFromPeer(t, s, dev, uint16(10+i))
				for _, a := range arps {
					if a.op == arp.OpRequest {
						if a.to != peerMAC || a.tpa != peerIP {
							t.Errorf("%v: request %+v, want one for %v to %v", elapsed, a, peerIP, peerMAC)
						}
						probes = append(probes, elapsed)
					}
				}
				switch {
				case to == newMAC && movedAt < 0:
					movedAt = elapsed
				case to != newMAC && to != peerMAC, to == peerMAC && movedAt >= 0:
					t.Fatalf("%v: echo reply to %v", elapsed, to)
				}
				clock.Advance(500 * time.Millisecond)
			}
			want := []time.Duration{0, time.Second, 2 * time.Second}
			if len(probes) != len(want) || probes[0] != want[0] || probes[1] != want[1] || probes[2] != want[2] {
				t.Errorf("probes of the old address at %v, want %v", probes, want)
			}
			if movedAt != 3*time.Second {
				t.Errorf("datagrams go to the new address from %v on, want 3s", movedAt)
			}
			st := s.Stats().ARP
			if st.ChangesRefused != 0 || st.ChangesConfirmed != 1 {
				t.Errorf("ChangesRefused %d, ChangesConfirmed %d; want 0, 1", st.ChangesRefused, st.ChangesConfirmed)
			}
		})
	}
}

// TestARPNoChangeProbe: with the probe turned off, a claim takes effect
// at once, as RFC 826 and Linux have it.
func TestARPNoChangeProbe(t *testing.T) {
	s, dev, _ := handStack(t, Config{ARP: arp.CacheConfig{NoChangeProbe: true}})
	reachablePeer(t, s, dev)
	s.input(arpFrame(ethernet.Broadcast, arp.OpRequest, evilMAC, peerIP, ethernet.Addr{}, fuzzIP))
	if w := sortOut(t, dev.written()); len(w.arps) != 1 || w.arps[0].op != arp.OpReply {
		t.Errorf("ARP sent: %+v, want only the reply", w.arps)
	}
	if to, _ := pingFromPeer(t, s, dev, 2); to != evilMAC {
		t.Errorf("echo reply to %v, want %v", to, evilMAC)
	}
}

// TestARPBogusSendersIgnored: an ARP packet whose sender cannot be a
// neighbour is neither learned nor answered, and is counted. The hardware
// address may not be zero (RFC 826 has nothing to answer it at; Linux
// does not), multicast or broadcast; the protocol address may not be a
// broadcast or multicast address, loopback, in 0.0.0.0/8 (0.0.0.0 itself,
// a probe, is answered: TestARPProbeAnswered), or the link's network
// address. Before, the stack replied to 00:00:00:00:00:00, and it learned
// and answered the link's broadcast and network addresses.
func TestARPBogusSendersIgnored(t *testing.T) {
	s, dev, _ := handStack(t, Config{})
	netIP := ipv4.Addr{10, 0, 0, 0}
	for _, c := range []struct {
		sha ethernet.Addr
		spa ipv4.Addr
	}{
		{ethernet.Addr{}, peerIP},
		{ethernet.Broadcast, peerIP},
		{ethernet.Addr{0x01, 0x00, 0x5e, 0, 0, 1}, peerIP},
		{evilMAC, linkBcIP},
		{evilMAC, netIP},
		{evilMAC, ipv4.Broadcast},
		{evilMAC, ipv4.Addr{224, 0, 0, 1}},
		{evilMAC, ipv4.Addr{127, 0, 0, 1}},
		{evilMAC, ipv4.Addr{0, 1, 2, 3}},
	} {
		before := s.Stats().ARP
		s.input(arpFrame(ethernet.Broadcast, arp.OpRequest, c.sha, c.spa, ethernet.Addr{}, fuzzIP))
		s.input(arpFrame(fuzzMAC, arp.OpReply, c.sha, c.spa, fuzzMAC, fuzzIP))
		for _, f := range dev.written() {
			t.Errorf("ARP from %v at %v: the stack wrote %x", c.spa, c.sha, f)
		}
		if mac, _, ok := s.neigh.Lookup(c.spa); ok {
			t.Errorf("ARP from %v at %v: the stack learned %v", c.spa, c.sha, mac)
		}
		if after := s.Stats().ARP; after.Ignored-before.Ignored != 2 {
			t.Errorf("ARP from %v at %v: Ignored %d -> %d, want 2 more", c.spa, c.sha, before.Ignored, after.Ignored)
		}
	}
	// On a /31 (RFC 3021) both addresses are hosts: the lower one is no
	// network address.
	s, dev, _ = handStack(t, Config{Addr: netip.MustParsePrefix("10.0.0.1/31")})
	s.input(arpFrame(ethernet.Broadcast, arp.OpRequest, peerMAC, netIP, ethernet.Addr{}, fuzzIP))
	if w := sortOut(t, dev.written()); len(w.arps) != 1 || w.arps[0].to != peerMAC || w.arps[0].op != arp.OpReply {
		t.Errorf("on a /31, a request from the other end: ARP %+v, want a reply", w.arps)
	}
}

// TestConfirmReachable: an upper layer's proof of progress to a
// destination keeps the neighbour it goes through REACHABLE (RFC 4861
// 7.3.1), on the link or through the gateway, so that no probe follows
// its use; it creates nothing.
func TestConfirmReachable(t *testing.T) {
	s, dev, clock := handStack(t, Config{Gateway: gwIP.Netip()})
	// Both neighbours asked for our address: STALE.
	for _, n := range []struct {
		ip  ipv4.Addr
		mac ethernet.Addr
	}{{peerIP, peerMAC}, {gwIP, ethernet.Addr{0x02, 0, 0, 0, 0, 0xfe}}} {
		s.neigh.Input(n.ip, n.mac, true, false, clock.Now(), nil)
		s.neigh.Resolve(n.ip, nil, clock.Now()) // used: DELAY
	}
	s.neighTimer.arm(s.neigh.Deadline())
	s.confirmReachable(peerIP, clock.Now())
	s.confirmReachable(ipv4.Addr{192, 0, 2, 1}, clock.Now()) // off the link: the gateway
	s.confirmReachable(ipv4.Addr{10, 0, 0, 99}, clock.Now()) // no entry
	s.confirmReachable(linkBcIP, clock.Now())
	for _, ip := range []ipv4.Addr{peerIP, gwIP} {
		if _, st, _ := s.neigh.Lookup(ip); st != arp.StateReachable {
			t.Errorf("%v: %v, want REACHABLE", ip, st)
		}
	}
	if _, _, ok := s.neigh.Lookup(ipv4.Addr{10, 0, 0, 99}); ok {
		t.Error("an entry was created")
	}
	dev.written()
	clock.Advance(arp.DefaultDelayTime + arp.DefaultRetransTime)
	if out := dev.written(); len(out) != 0 {
		t.Errorf("%d frames sent (probes of confirmed neighbours?)", len(out))
	}
	if n := testing.AllocsPerRun(100, func() { s.confirmReachable(peerIP, clock.Now()) }); n != 0 {
		t.Errorf("%v allocs", n)
	}
}
