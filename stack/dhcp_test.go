package stack

import (
	"fmt"
	"net/netip"
	"slices"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/medina-net/medina/arp"
	"github.com/medina-net/medina/dhcp"
	"github.com/medina-net/medina/ethernet"
	"github.com/medina-net/medina/ipv4"
	"github.com/medina-net/medina/link/pipe"
	"github.com/medina-net/medina/udp"
)

// fakeDHCP is a DHCP server on the far end of a pipe, written for the
// tests from RFC 2131's rules: it offers the first address of its pool
// not declined, ACKs a REQUEST for an address of its pool, and answers
// ARP for itself and its router. With silent set it answers nothing,
// like a server gone; conflict is an address another host on the link
// holds, whose ARP probes it answers in that host's name.
type fakeDHCP struct {
	t     *testing.T
	dev   *pipe.End
	mac   ethernet.Addr
	pool  []ipv4.Addr
	lease uint32

	mu       sync.Mutex
	silent   bool
	conflict ipv4.Addr
	declined []ipv4.Addr
	got      []gotMsg
}

type gotMsg struct {
	typ      dhcp.MessageType
	src, dst ipv4.Addr
	ciaddr   ipv4.Addr
}

var (
	fakeServerIP = ipv4.Addr{192, 0, 2, 1}
	fakeRouterIP = ipv4.Addr{192, 0, 2, 254}
	otherHostMAC = ethernet.Addr{0x02, 0, 0, 0, 0, 0x99}
)

func (f *fakeDHCP) serve() {
	buf := make([]byte, 2048)
	for {
		n, err := f.dev.ReadFrame(buf)
		if err != nil {
			return
		}
		fr, err := ethernet.NewFrame(buf[:n])
		if err != nil {
			continue
		}
		switch fr.Type() {
		case ethernet.TypeARP:
			f.arp(fr.Payload())
		case ethernet.TypeIPv4:
			f.ip(fr.Payload())
		}
	}
}

func (f *fakeDHCP) arp(b []byte) {
	p, err := arp.NewPacket(b)
	if err != nil || p.Op() != arp.OpRequest {
		return
	}
	tpa := ipv4.Addr(p.TargetIP())
	f.mu.Lock()
	conflict := f.conflict
	f.mu.Unlock()
	mac := f.mac
	switch {
	case tpa == conflict && !conflict.IsUnspecified():
		mac = otherHostMAC
	case tpa == fakeServerIP || tpa == fakeRouterIP:
	default:
		return
	}
	fr := make([]byte, ethernet.MinFrameLen)
	ethernet.Encode(fr, p.SenderMAC(), mac, ethernet.TypeARP)
	arp.Encode(fr[ethernet.HeaderLen:], arp.OpReply, mac, tpa, p.SenderMAC(), p.SenderIP())
	f.dev.WriteFrame(fr)
}

func (f *fakeDHCP) ip(b []byte) {
	h, err := ipv4.NewHeader(b)
	if err != nil || h.Check() != nil || h.Protocol() != ipv4.ProtoUDP {
		return
	}
	u, err := udp.NewHeader(h.Payload())
	if err != nil || u.DstPort() != dhcp.ServerPort {
		return
	}
	if !u.ChecksumValid(h.Src(), h.Dst()) {
		f.t.Errorf("DHCP datagram with a bad UDP checksum")
		return
	}
	m, err := dhcp.NewMessage(u.Payload())
	if err != nil || m.Validate() != nil {
		f.t.Errorf("the stack sent a bad DHCP message: %v", m.Validate())
		return
	}
	typ := m.MessageType()
	f.mu.Lock()
	f.got = append(f.got, gotMsg{typ, h.Src(), h.Dst(), m.CIAddr()})
	if f.silent {
		// Gone: what reaches it is recorded, nothing is answered.
		f.mu.Unlock()
		return
	}
	var yi ipv4.Addr
	reply := dhcp.MessageType(0)
	switch typ {
	case dhcp.Discover:
		for _, a := range f.pool {
			if !slices.Contains(f.declined, a) {
				yi, reply = a, dhcp.Offer
				break
			}
		}
	case dhcp.Request:
		want := m.CIAddr()
		if o, ok := m.Find(dhcp.OptRequestedAddr); ok {
			want, _ = o.Addr()
		}
		reply = dhcp.Nak
		if slices.Contains(f.pool, want) && !slices.Contains(f.declined, want) {
			yi, reply = want, dhcp.Ack
		}
	case dhcp.Decline:
		if o, ok := m.Find(dhcp.OptRequestedAddr); ok {
			a, _ := o.Addr()
			f.declined = append(f.declined, a)
		}
	}
	f.mu.Unlock()
	if reply == 0 {
		return
	}
	var o []byte
	o = dhcp.AppendMessageType(o, reply)
	o = dhcp.AppendAddr(o, dhcp.OptServerID, fakeServerIP)
	if reply != dhcp.Nak {
		o = dhcp.AppendUint32(o, dhcp.OptLeaseTime, f.lease)
		o = dhcp.AppendAddr(o, dhcp.OptSubnetMask, ipv4.Addr{255, 255, 255, 0})
		o = dhcp.AppendAddrs(o, dhcp.OptRouter, fakeServerIP)
		o = dhcp.AppendAddrs(o, dhcp.OptDNS, ipv4.Addr{192, 0, 2, 53}, ipv4.Addr{192, 0, 2, 54})
		o = dhcp.AppendOption(o, dhcp.OptDomainName, []byte("example.test"))
		o, _ = dhcp.AppendDomainSearch(o, "example.test", "corp.example.test")
		o = dhcp.AppendUint16(o, dhcp.OptInterfaceMTU, 1400)
		o, _ = dhcp.AppendClasslessRoutes(o,
			dhcp.Route{Dest: netip.MustParsePrefix("198.51.100.0/24"), Gateway: fakeRouterIP.Netip()},
			dhcp.Route{Dest: netip.MustParsePrefix("0.0.0.0/0"), Gateway: fakeServerIP.Netip()})
	}
	fl := dhcp.Fields{Op: dhcp.OpReply, XID: m.XID(), YIAddr: yi, CHAddr: m.CHAddr(), Options: o}
	payload, err := fl.Encode(make([]byte, dhcp.MaxLen))
	if err != nil {
		f.t.Error(err)
		return
	}
	// A unicast REQUEST (RENEWING) is answered by unicast, the rest by
	// broadcast.
	dstIP, dstMAC := ipv4.Broadcast, ethernet.Broadcast
	if h.Dst() == fakeServerIP {
		dstIP, dstMAC = h.Src(), ethernet.Addr(m.CHAddr())
	}
	n := ipv4.MinHeaderLen + udp.HeaderLen + len(payload)
	fr := make([]byte, ethernet.HeaderLen+n)
	ethernet.Encode(fr, dstMAC, f.mac, ethernet.TypeIPv4)
	dg := fr[ethernet.HeaderLen:]
	copy(dg[ipv4.MinHeaderLen+udp.HeaderLen:], payload)
	udp.EncodeChecksum(dg[ipv4.MinHeaderLen:], dhcp.ServerPort, dhcp.ClientPort, fakeServerIP, dstIP)
	(&ipv4.Fields{PayloadLen: udp.HeaderLen + len(payload), TTL: 64, Protocol: ipv4.ProtoUDP, Src: fakeServerIP, Dst: dstIP}).Encode(dg)
	f.dev.WriteFrame(fr)
}

func (f *fakeDHCP) received() []gotMsg {
	f.mu.Lock()
	defer f.mu.Unlock()
	return slices.Clone(f.got)
}

// dhcpPair is a stack with Config.DHCP on one end of a pipe and a
// fakeDHCP on the other; events are the client's, as the embedder sees
// them.
func dhcpPair(t *testing.T, lease uint32, cfg dhcp.Config) (*Stack, *fakeDHCP, chan dhcp.Event) {
	a, b := pipe.New(pipe.Config{})
	f := &fakeDHCP{t: t, dev: b, mac: b.HardwareAddr(), lease: lease,
		pool: []ipv4.Addr{{192, 0, 2, 100}, {192, 0, 2, 101}}}
	go f.serve()
	events := make(chan dhcp.Event, 64)
	cfg.Event = func(e dhcp.Event) { events <- e }
	s, err := New(a, Config{Rand: SeededRand(7), DHCP: &cfg})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		s.Close()
		b.Close()
	})
	return s, f, events
}

func nextEvent(t *testing.T, events chan dhcp.Event, want dhcp.EventKind) dhcp.Event {
	t.Helper()
	select {
	case e := <-events:
		if e.Kind != want {
			t.Fatalf("event %v, want %v", e.Kind, want)
		}
		return e
	default:
		t.Fatalf("no event, want %v", want)
	}
	return dhcp.Event{}
}

// TestDHCPLease: with Config.DHCP and no address, the stack leases one
// from the server on its link, probes it, and then uses it: address and
// prefix, the classless routes' gateway and route, the MTU; the DNS
// servers and search list are the embedder's to read.
func TestDHCPLease(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		s, f, events := dhcpPair(t, 3600, dhcp.Config{Hostname: "medina"})
		if len(s.Addrs()) != 0 {
			t.Fatalf("addresses before DHCP: %v", s.Addrs())
		}
		time.Sleep(10 * time.Second)
		synctest.Wait()
		e := nextEvent(t, events, dhcp.EventBound)
		want := netip.MustParsePrefix("192.0.2.100/24")
		if e.Lease.Addr != want || !slices.Equal(s.Addrs(), []netip.Prefix{want}) {
			t.Fatalf("lease %v, stack's addresses %v", e.Lease.Addr, s.Addrs())
		}
		l, ok := s.DHCPLease()
		if !ok || !slices.Equal(l.DNS, []netip.Addr{netip.MustParseAddr("192.0.2.53"), netip.MustParseAddr("192.0.2.54")}) ||
			!slices.Equal(l.SearchList, []string{"example.test", "corp.example.test"}) || l.DomainName != "example.test" {
			t.Errorf("DHCPLease %+v %v", l, ok)
		}
		if s.DHCP().State() != dhcp.StateBound {
			t.Errorf("state %v", s.DHCP().State())
		}
		if m := s.linkMTU4(); m != 1400 {
			t.Errorf("IPv4 link MTU %d, want the lease's 1400", m)
		}
		if v := s.resolver().view(); fmt.Sprint(v.servers) != "[192.0.2.53:53 192.0.2.54:53]" || fmt.Sprint(v.search) != "[example.test. corp.example.test.]" {
			t.Errorf("the resolver's servers %v and search list %v", v.servers, v.search)
		}
		for dst, hop := range map[string]string{"203.0.113.7": "192.0.2.1", "198.51.100.9": "192.0.2.254", "192.0.2.77": "192.0.2.77"} {
			got, err := s.nextHop(ipv4.Addr(netip.MustParseAddr(dst).As4()))
			if err != nil || got.Netip().String() != hop {
				t.Errorf("next hop to %s: %v %v, want %s", dst, got, err, hop)
			}
		}
		// The exchange went from 0.0.0.0 to the broadcast address.
		got := f.received()
		if len(got) < 2 || got[0].typ != dhcp.Discover || got[1].typ != dhcp.Request ||
			!got[0].src.IsUnspecified() || got[0].dst != ipv4.Broadcast {
			t.Errorf("the server got %+v", got)
		}
		// The stack answers on its new address: a UDP socket there
		// talks to the server's side.
		c, err := s.ListenUDP(netip.AddrPortFrom(want.Addr(), 0))
		if err != nil {
			t.Fatal(err)
		}
		c.Close()
	})
}

// TestDHCPRenewRebindExpire: the stack renews by unicast at T1; with the
// server gone it rebinds by broadcast at T2, and at the lease's end
// removes the address and starts over.
func TestDHCPRenewRebindExpire(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		s, f, events := dhcpPair(t, 120, dhcp.Config{})
		time.Sleep(10 * time.Second)
		synctest.Wait()
		e := nextEvent(t, events, dhcp.EventBound)
		time.Sleep(time.Until(e.Lease.Renew) + time.Second)
		synctest.Wait()
		e2 := nextEvent(t, events, dhcp.EventRenewed)
		if !e2.Lease.Expiry.After(e.Lease.Expiry) {
			t.Errorf("renewed to %v from %v", e2.Lease.Expiry, e.Lease.Expiry)
		}
		var renew gotMsg
		for _, m := range f.received() {
			if m.typ == dhcp.Request && m.dst == fakeServerIP {
				renew = m
			}
		}
		if renew.src != ipv4.Addr(e.Lease.Addr.Addr().As4()) || renew.ciaddr != renew.src {
			t.Errorf("renewing REQUEST %+v", renew)
		}
		f.mu.Lock()
		f.silent = true
		f.mu.Unlock()
		time.Sleep(time.Until(e2.Lease.Rebind) + time.Second)
		synctest.Wait()
		if st := s.DHCP().State(); st != dhcp.StateRebinding {
			t.Fatalf("after T2 with the server gone: %v", st)
		}
		if len(s.Addrs()) != 1 {
			t.Fatalf("address gone before the lease's end: %v", s.Addrs())
		}
		time.Sleep(time.Until(e2.Lease.Expiry) + time.Second)
		synctest.Wait()
		nextEvent(t, events, dhcp.EventExpired)
		if len(s.Addrs()) != 0 {
			t.Errorf("addresses after the lease's end: %v", s.Addrs())
		}
		if _, err := s.nextHop(ipv4.Addr{203, 0, 113, 7}); err == nil {
			t.Error("a route after the lease's end")
		}
		if s.linkMTU4() != s.MTU() {
			t.Errorf("link MTU %d after the lease's end", s.linkMTU4())
		}
		if v := s.resolver().view(); len(v.servers) != 0 || len(v.search) != 0 {
			t.Errorf("the resolver keeps the lost lease's servers %v and search list %v", v.servers, v.search)
		}
		var rebinds int
		for _, m := range f.received() {
			if m.typ == dhcp.Request && m.dst == ipv4.Broadcast && !m.src.IsUnspecified() {
				rebinds++
			}
		}
		if rebinds == 0 {
			t.Error("no rebinding REQUEST (broadcast, from the leased address)")
		}
	})
}

// TestDHCPRelease: ReleaseDHCP tells the server from the leased
// address, then the address goes and the client stops.
func TestDHCPRelease(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		s, f, events := dhcpPair(t, 3600, dhcp.Config{Probes: -1})
		time.Sleep(time.Second)
		synctest.Wait()
		e := nextEvent(t, events, dhcp.EventBound)
		s.ReleaseDHCP()
		synctest.Wait()
		nextEvent(t, events, dhcp.EventReleased)
		got := f.received()
		last := got[len(got)-1]
		if a := ipv4.Addr(e.Lease.Addr.Addr().As4()); last.typ != dhcp.Release || last.src != a || last.ciaddr != a || last.dst != fakeServerIP {
			t.Errorf("the server got %+v last, want a RELEASE from %v", last, a)
		}
		if len(s.Addrs()) != 0 || s.DHCP().State() != dhcp.StateStopped {
			t.Errorf("after the release: addresses %v, state %v", s.Addrs(), s.DHCP().State())
		}
		time.Sleep(time.Hour)
		synctest.Wait()
		if n := len(f.received()); n != len(got) {
			t.Errorf("the stopped client sent %d messages more", n-len(got))
		}
	})
}

// TestDHCPConflict: another host answers the probe of the offered
// address: the stack declines it, waits, and leases the next one.
func TestDHCPConflict(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		a, b := pipe.New(pipe.Config{})
		f := &fakeDHCP{t: t, dev: b, mac: b.HardwareAddr(), lease: 600,
			pool: []ipv4.Addr{{192, 0, 2, 100}, {192, 0, 2, 101}}, conflict: ipv4.Addr{192, 0, 2, 100}}
		go f.serve()
		events := make(chan dhcp.Event, 64)
		s, err := New(a, Config{Rand: SeededRand(9), DHCP: &dhcp.Config{Event: func(e dhcp.Event) { events <- e }}})
		if err != nil {
			t.Fatal(err)
		}
		defer b.Close()
		defer s.Close()
		time.Sleep(30 * time.Second)
		synctest.Wait()
		nextEvent(t, events, dhcp.EventDeclined)
		e := nextEvent(t, events, dhcp.EventBound)
		if e.Lease.Addr.Addr() != netip.MustParseAddr("192.0.2.101") {
			t.Errorf("leased %v after declining 192.0.2.100", e.Lease.Addr)
		}
		f.mu.Lock()
		declined := slices.Clone(f.declined)
		f.mu.Unlock()
		if !slices.Equal(declined, []ipv4.Addr{{192, 0, 2, 100}}) {
			t.Errorf("the server saw DECLINEs of %v", declined)
		}
		if st := s.DHCP().Stats(); st.Conflicts != 1 {
			t.Errorf("stats %+v", st)
		}
	})
}

// dhcpFrame wraps a DHCP payload from the fake server's address to the
// broadcast address in a frame to the Ethernet broadcast address.
func dhcpFrame(payload []byte) []byte {
	n := ipv4.MinHeaderLen + udp.HeaderLen + len(payload)
	fr := make([]byte, ethernet.HeaderLen+n)
	ethernet.Encode(fr, ethernet.Broadcast, otherHostMAC, ethernet.TypeIPv4)
	dg := fr[ethernet.HeaderLen:]
	copy(dg[ipv4.MinHeaderLen+udp.HeaderLen:], payload)
	udp.EncodeChecksum(dg[ipv4.MinHeaderLen:], dhcp.ServerPort, dhcp.ClientPort, fakeServerIP, ipv4.Broadcast)
	(&ipv4.Fields{PayloadLen: udp.HeaderLen + len(payload), TTL: 64, Protocol: ipv4.ProtoUDP, Src: fakeServerIP, Dst: ipv4.Broadcast}).Encode(dg)
	return fr
}

// FuzzDHCPStack feeds a stack with Config.DHCP and no address a
// sequence of DHCP replies (each a length byte, a byte of seconds to let
// pass, and the message, whose transaction ID and client hardware
// address are patched to the stack's last request's so that they reach
// the state machine): no panic, at most the one leased IPv4 address, and
// what the stack holds is what the client says it leased.
func FuzzDHCPStack(f *testing.F) {
	f.Add(dhcpFuzzSeed())
	f.Fuzz(func(t *testing.T, data []byte) { runDHCPFuzz(t, data) })
}

// dhcpFuzzSeed is an OFFER and an ACK of 192.0.2.100.
func dhcpFuzzSeed() []byte {
	var seed []byte
	for _, typ := range []dhcp.MessageType{dhcp.Offer, dhcp.Ack} {
		o := dhcp.AppendMessageType(nil, typ)
		o = dhcp.AppendAddr(o, dhcp.OptServerID, fakeServerIP)
		o = dhcp.AppendUint32(o, dhcp.OptLeaseTime, 60)
		o = dhcp.AppendAddr(o, dhcp.OptSubnetMask, ipv4.Addr{255, 255, 255, 0})
		o, _ = dhcp.AppendClasslessRoutes(o, dhcp.Route{Dest: netip.MustParsePrefix("0.0.0.0/0"), Gateway: fakeServerIP.Netip()})
		o = dhcp.AppendUint16(o, dhcp.OptInterfaceMTU, 576)
		fl := dhcp.Fields{Op: dhcp.OpReply, YIAddr: ipv4.Addr{192, 0, 2, 100}, CHAddr: fuzzMAC[:], Options: o}
		m, _ := fl.Encode(make([]byte, dhcp.MaxLen))
		seed = append(seed, byte(len(m)-dhcp.HeaderLen), 0)
		seed = append(seed, m...)
	}
	return seed
}

// TestDHCPFuzzSeed: FuzzDHCPStack's seed gets the stack a lease, so
// that the fuzzer starts from deep in the state machine.
func TestDHCPFuzzSeed(t *testing.T) {
	if l, ok := runDHCPFuzz(t, dhcpFuzzSeed()); !ok || l.Addr.Addr() != netip.MustParseAddr("192.0.2.100") || l.MTU != 576 {
		t.Fatalf("the seed leased %+v (%v)", l, ok)
	}
}

// runDHCPFuzz is FuzzDHCPStack's body; it returns the lease at the end.
func runDHCPFuzz(t *testing.T, data []byte) (dhcp.Lease, bool) {
	clock := newManualClock()
	dev := newFuzzDevice(fuzzMAC)
	s, err := New(dev, Config{Clock: clock, Rand: SeededRand(3), DHCP: &dhcp.Config{Probes: -1}})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	var last dhcp.Message
	for len(data) >= 2 {
		n := dhcp.HeaderLen + int(data[0])
		wait := time.Duration(data[1]) * time.Second
		data = data[2:]
		n = min(n, len(data))
		msg := append([]byte(nil), data[:n]...)
		data = data[n:]
		for _, fr := range dev.written() {
			if m, ok := sentDHCP(fr); ok {
				last = m
			}
		}
		if len(msg) >= dhcp.HeaderLen && last != nil {
			copy(msg[4:8], last[4:8])     // xid
			copy(msg[28:44], last[28:44]) // chaddr
			msg[2] = 6
		}
		s.input(dhcpFrame(msg))
		clock.Advance(wait)
		if v4 := s.addrs().v4; len(v4) > 1 {
			t.Fatalf("%d IPv4 addresses", len(v4))
		}
		l, ok := s.DHCPLease()
		got := s.Addrs()
		if ok != (len(got) == 1) || ok && got[0] != l.Addr {
			t.Fatalf("the stack holds %v, the client's lease is %v (%v)", got, l.Addr, ok)
		}
		if m := s.linkMTU4(); m < minMTU || m > s.MTU() {
			t.Fatalf("link MTU %d", m)
		}
	}
	return s.DHCPLease()
}

// sentDHCP returns the DHCP message of a frame the stack sent, if it is
// one.
func sentDHCP(fr []byte) (dhcp.Message, bool) {
	f, err := ethernet.NewFrame(fr)
	if err != nil || f.Type() != ethernet.TypeIPv4 {
		return nil, false
	}
	h, err := ipv4.NewHeader(f.Payload())
	if err != nil || h.Protocol() != ipv4.ProtoUDP {
		return nil, false
	}
	u, err := udp.NewHeader(h.Payload())
	if err != nil || u.DstPort() != dhcp.ServerPort {
		return nil, false
	}
	m, err := dhcp.NewMessage(u.Payload())
	return m, err == nil
}
