package stack

import (
	"context"
	"errors"
	"net"
	"net/netip"
	"os"
	"sync"
	"syscall"
	"testing"
	"testing/synctest"
	"time"

	"github.com/medina-net/medina/arp"
	"github.com/medina-net/medina/ethernet"
	"github.com/medina-net/medina/icmp"
	"github.com/medina-net/medina/internal/manualclock"
	"github.com/medina-net/medina/ipv4"
	"github.com/medina-net/medina/link"
	"github.com/medina-net/medina/link/pipe"
)

// Regression tests for bugs found in review; each failed before its fix.

// handStack is a stack over a fuzzDevice on a manual clock: the test
// feeds it frames by hand and reads what it wrote.
func handStack(t *testing.T, cfg Config) (*Stack, *fuzzDevice, *manualclock.Clock) {
	t.Helper()
	clock := newManualClock()
	dev := newFuzzDevice(fuzzMAC)
	if cfg.Addr == (netip.Prefix{}) {
		cfg.Addr = netip.MustParsePrefix("10.0.0.1/24")
	}
	cfg.Clock = clock
	cfg.Rand = SeededRand(11)
	cfg.NoGratuitousARP = true
	s, err := New(dev, cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s, dev, clock
}

// TestMartianSourceDropped: a datagram whose source no host can have (a
// broadcast or multicast address, our own, 0.0.0.0 to a unicast address,
// loopback) is dropped (RFC 1122 3.2.1.3; Linux's martian sources).
// Before, an echo request from 10.0.0.255 or 255.255.255.255 was answered
// with an echo reply to the whole link (a smurf amplifier), and one from
// our own address made the stack ARP for itself.
func TestMartianSourceDropped(t *testing.T) {
	s, dev, _ := handStack(t, Config{})
	hello := []byte("martian")
	for _, src := range []ipv4.Addr{
		linkBcIP, ipv4.Broadcast, {224, 0, 0, 5}, fuzzIP, {}, {0, 1, 2, 3}, {127, 0, 0, 1},
	} {
		before := s.Stats().IP
		s.input(ethFrame(fuzzMAC, peerMAC, ethernet.TypeIPv4, dgram(src, fuzzIP, ipv4.ProtoICMP, 1, 0, 0, echoMsg(icmp.TypeEcho, 1, 1, hello))))
		s.input(ethFrame(fuzzMAC, peerMAC, ethernet.TypeIPv4, udpDgram(src, fuzzIP, 1, 9, hello)))
		if out := dev.written(); len(out) != 0 {
			t.Errorf("datagrams from %v: the stack wrote %d frames, the first %x", src, len(out), out[0])
		}
		if after := s.Stats().IP; after.InAddrErrors-before.InAddrErrors != 2 || after.InDelivers != before.InDelivers {
			t.Errorf("datagrams from %v: InAddrErrors %d -> %d, InDelivers %d -> %d; want 2 address errors, nothing delivered",
				src, before.InAddrErrors, after.InAddrErrors, before.InDelivers, after.InDelivers)
		}
	}
	if _, _, ok := s.neigh.Lookup(fuzzIP); ok {
		t.Error("the stack has a neighbour entry for its own address")
	}
	// 0.0.0.0 may still talk to a broadcast address (a DHCP client does).
	pc, err := s.ListenUDP(netip.MustParseAddrPort("0.0.0.0:67"))
	if err != nil {
		t.Fatal(err)
	}
	s.input(ethFrame(ethernet.Broadcast, peerMAC, ethernet.TypeIPv4, udpDgram(ipv4.Addr{}, ipv4.Broadcast, 68, 67, hello)))
	if st := s.Stats().UDP; st.InDatagrams != 1 {
		t.Errorf("a DHCP-like datagram from 0.0.0.0 to 255.255.255.255 was not delivered: %+v", st)
	}
	pc.Close()
}

// TestNoICMPErrorForLinkBroadcast: RFC 1122 3.2.2 forbids an ICMP error
// about a datagram that came as a link-layer broadcast, even when its IP
// destination is our unicast address. Before, ipInput was told about the
// broadcast and ignored it.
func TestNoICMPErrorForLinkBroadcast(t *testing.T) {
	s, dev, _ := handStack(t, Config{})
	hello := []byte("anyone?")
	s.input(ethFrame(ethernet.Broadcast, peerMAC, ethernet.TypeIPv4, udpDgram(peerIP, fuzzIP, 1000, 9, hello)))
	s.input(ethFrame(ethernet.Broadcast, peerMAC, ethernet.TypeIPv4, dgram(peerIP, fuzzIP, 99, 1, 0, 0, hello)))
	// And in fragments, the last of which came by broadcast.
	u := udpDgram(peerIP, fuzzIP, 1000, 9, make([]byte, 100))[ipv4.MinHeaderLen:]
	s.input(ethFrame(fuzzMAC, peerMAC, ethernet.TypeIPv4, dgram(peerIP, fuzzIP, ipv4.ProtoUDP, 7, ipv4.FlagMF, 0, u[:64])))
	s.input(ethFrame(ethernet.Broadcast, peerMAC, ethernet.TypeIPv4, dgram(peerIP, fuzzIP, ipv4.ProtoUDP, 7, 0, 64, u[64:])))
	for _, f := range dev.written() {
		t.Errorf("the stack answered a link-layer broadcast: %x", f)
	}
	st := s.Stats()
	if st.UDP.NoPorts != 2 || st.IP.InUnknownProtos != 1 || st.ICMP.OutDestUnreachs != 0 {
		t.Errorf("NoPorts %d, InUnknownProtos %d, OutDestUnreachs %d; want 2, 1, 0", st.UDP.NoPorts, st.IP.InUnknownProtos, st.ICMP.OutDestUnreachs)
	}
	// The same datagram unicast still gets its port unreachable.
	s.input(ethFrame(fuzzMAC, peerMAC, ethernet.TypeIPv4, udpDgram(peerIP, fuzzIP, 1000, 9, hello)))
	s.input(arpReplyFrame(peerMAC, peerIP))
	if st := s.Stats().ICMP; st.OutDestUnreachs != 1 {
		t.Errorf("OutDestUnreachs %d after a unicast datagram to a closed port, want 1", st.OutDestUnreachs)
	}
}

func arpReplyFrame(sha ethernet.Addr, spa ipv4.Addr) []byte {
	return ethFrame(fuzzMAC, sha, ethernet.TypeARP, arpPacket(arp.OpReply, sha, spa, fuzzMAC, fuzzIP))
}

// TestPointToPointPrefix: a /31 has no broadcast address (RFC 3021).
// Before, the stack took the upper address of the pair for the link's
// broadcast address: it sent datagrams for that peer to the Ethernet
// broadcast address, and never sent it an ICMP error.
func TestPointToPointPrefix(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		ea, eb := pipe.New(pipe.Config{})
		a, err := New(ea, Config{Addr: netip.MustParsePrefix("192.168.7.0/31"), Rand: SeededRand(1)})
		if err != nil {
			t.Fatal(err)
		}
		defer a.Close()
		b, err := New(eb, Config{Addr: netip.MustParsePrefix("192.168.7.1/31"), Rand: SeededRand(2)})
		if err != nil {
			t.Fatal(err)
		}
		defer b.Close()
		c, err := b.Dial("udp", "192.168.7.0:9")
		if err != nil {
			t.Fatal(err)
		}
		c.Write([]byte("anyone?"))
		c.SetReadDeadline(time.Now().Add(time.Second))
		if _, err := c.Read(make([]byte, 10)); !errors.Is(err, syscall.ECONNREFUSED) {
			t.Errorf("read after sending to a closed port over a /31: %v, want ECONNREFUSED", err)
		}
		before := eb.Stats().RxFrames
		if _, err := a.Ping(context.Background(), netip.MustParseAddr("192.168.7.1"), 8); err != nil {
			t.Fatal(err)
		}
		if got := eb.Stats().RxFrames - before; got != 1 {
			t.Errorf("a ping from .0 to .1 took %d frames towards .1, want 1", got)
		}
		if a.isBroadcast(ipv4.Addr{192, 168, 7, 1}) || b.isBroadcast(ipv4.Addr{192, 168, 7, 1}) {
			t.Error("192.168.7.1 is taken for a broadcast address on a /31")
		}
	})
}

// TestUDPReadersAllWake: two readers find a socket empty and go to wait
// while two datagrams arrive; both readers must get one. Before, the
// wake-up channel held one signal: the first reader took it and a
// datagram, and the second slept with a datagram queued until a third
// came. The readers are held between their look at the queue and their
// wait by a read deadline being set on a clock that takes its time.
func TestUDPReadersAllWake(t *testing.T) {
	clock := &slowClock{Clock: newManualClock(), gate: make(chan struct{})}
	dev := newFuzzDevice(fuzzMAC)
	s, err := New(dev, Config{Addr: netip.MustParsePrefix("10.0.0.1/24"), Clock: clock, Rand: SeededRand(3), NoGratuitousARP: true})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	c, err := s.ListenUDP(netip.MustParseAddrPort("0.0.0.0:9"))
	if err != nil {
		t.Fatal(err)
	}
	go c.SetReadDeadline(clock.Now().Add(time.Hour)) // holds the deadline's lock, waiting for the clock
	for !clock.waiting() {
		time.Sleep(time.Millisecond)
	}
	results := make(chan error, 2)
	for range 2 {
		go func() {
			_, _, err := c.ReadFromUDPAddrPort(make([]byte, 100))
			results <- err
		}()
	}
	time.Sleep(50 * time.Millisecond) // for both to find the queue empty
	from := netip.AddrPortFrom(addrB, 1000)
	c.enqueue(from, []byte("one"))
	c.enqueue(from, []byte("two"))
	close(clock.gate)
	for i := range 2 {
		select {
		case err := <-results:
			if err != nil {
				t.Errorf("reader: %v", err)
			}
		case <-time.After(2 * time.Second):
			t.Fatalf("%d readers still wait with a datagram queued for them", 2-i)
		}
	}
}

// slowClock is a manual clock whose AfterFunc waits for gate.
type slowClock struct {
	*manualclock.Clock
	gate    chan struct{}
	mu      sync.Mutex
	blocked bool
}

func (c *slowClock) AfterFunc(d time.Duration, f func()) link.Timer {
	c.mu.Lock()
	c.blocked = true
	c.mu.Unlock()
	<-c.gate
	return c.Clock.AfterFunc(d, f)
}

func (c *slowClock) waiting() bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.blocked
}

// TestUDPBufferMemoryBounded: the buffers a socket keeps for its ring of
// datagrams stay within a small multiple of its receive buffer. Before,
// each slot of the ring kept the largest buffer it had ever held: after a
// burst of small datagrams had grown the ring to a thousand slots, large
// datagrams read one at a time left a 64 KiB buffer in every slot, 1000
// times the receive buffer's worth.
func TestUDPBufferMemoryBounded(t *testing.T) {
	s, _, _ := handStack(t, Config{})
	c, err := s.ListenUDP(netip.MustParseAddrPort("0.0.0.0:9"))
	if err != nil {
		t.Fatal(err)
	}
	const rcvbuf = 64 << 10
	c.SetReadBuffer(rcvbuf)
	from := netip.AddrPortFrom(addrB, 1000)
	buf := make([]byte, 65536)
	n := 0
	for c.enqueue(from, nil) {
		n++
	}
	for range n {
		c.ReadFromUDPAddrPort(buf)
	}
	big := make([]byte, 60000)
	for range 2 * n {
		if !c.enqueue(from, big) {
			t.Fatal("a large datagram did not fit an empty socket")
		}
		c.ReadFromUDPAddrPort(buf)
	}
	c.mu.Lock()
	kept := 0
	for _, q := range c.queue {
		kept += cap(q.data)
	}
	slots := len(c.queue)
	c.mu.Unlock()
	if limit := 2*rcvbuf + ipv4.MaxTotalLen; kept > limit {
		t.Errorf("a socket with a %d-byte receive buffer keeps %d bytes in %d slots, more than %d", rcvbuf, kept, slots, limit)
	}
}

// TestUDPUnspecifiedLocalAddr: a socket opened with the zero AddrPort as
// its local address (as DialTCP allows) listens on every address. Before,
// the zero netip.Addr matched no destination: the socket sent, but
// everything sent back to it was refused with a port unreachable.
func TestUDPUnspecifiedLocalAddr(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		p := newPair(t, 21, nil)
		srv, err := p.a.ListenPacket("udp", ":7")
		if err != nil {
			t.Fatal(err)
		}
		go echo(srv)
		c, err := p.b.DialUDP(netip.AddrPort{}, netip.AddrPortFrom(addrA, 7))
		if err != nil {
			t.Fatal(err)
		}
		l, err := p.b.ListenUDP(netip.AddrPort{})
		if err != nil {
			t.Fatal(err)
		}
		for _, send := range []func() error{
			func() error { _, err := c.Write([]byte("echo")); return err },
			func() error { _, err := l.WriteToUDPAddrPort([]byte("echo"), netip.AddrPortFrom(addrA, 7)); return err },
		} {
			if err := send(); err != nil {
				t.Fatal(err)
			}
		}
		for _, r := range []*UDPConn{c, l} {
			r.SetReadDeadline(time.Now().Add(time.Second))
			if _, _, err := r.ReadFromUDPAddrPort(make([]byte, 10)); err != nil {
				t.Errorf("socket bound to %v: %v", r.LocalAddr(), err)
			}
		}
		if _, err := p.b.ListenUDP(netip.MustParseAddrPort("10.9.9.9:1")); !errors.Is(err, syscall.EADDRNOTAVAIL) {
			t.Errorf("binding to an address that is not ours: %v, want EADDRNOTAVAIL", err)
		}
		if st := p.b.Stats().UDP; st.NoPorts != 0 {
			t.Errorf("b refused %d datagrams", st.NoPorts)
		}
	})
}

// TestARPProbeAnswered: a host probing for our address before using it
// (RFC 5227, sender address 0.0.0.0) must hear that it is taken, as with
// any request for our address (RFC 826); Linux answers too. Before, the
// stack ignored probes, so a newcomer took our address.
func TestARPProbeAnswered(t *testing.T) {
	s, dev, _ := handStack(t, Config{})
	s.input(ethFrame(ethernet.Broadcast, evilMAC, ethernet.TypeARP, arpPacket(arp.OpRequest, evilMAC, ipv4.Addr{}, ethernet.Addr{}, fuzzIP)))
	out := dev.written()
	if len(out) != 1 {
		t.Fatalf("answered a probe for our address with %d frames, want 1", len(out))
	}
	f := ethernet.Frame(out[0])
	p, err := arp.NewPacket(f.Payload())
	if err != nil || f.Type() != ethernet.TypeARP || f.Dst() != evilMAC || p.Op() != arp.OpReply ||
		ipv4.Addr(p.SenderIP()) != fuzzIP || p.SenderMAC() != fuzzMAC || p.TargetMAC() != evilMAC {
		t.Errorf("answer to a probe: %x", out[0])
	}
	if _, _, ok := s.neigh.Lookup(ipv4.Addr{}); ok {
		t.Error("the probe created a neighbour entry for 0.0.0.0")
	}
	// A probe for another address is none of our business.
	s.input(ethFrame(ethernet.Broadcast, evilMAC, ethernet.TypeARP, arpPacket(arp.OpRequest, evilMAC, ipv4.Addr{}, ethernet.Addr{}, peerIP)))
	if out := dev.written(); len(out) != 0 {
		t.Errorf("answered a probe for another address: %x", out[0])
	}
}

// gatedDevice is a fuzzDevice whose writes wait while the gate is shut.
type gatedDevice struct {
	*fuzzDevice
	mu   sync.Mutex
	gate chan struct{} // nil when open
}

func (d *gatedDevice) shut() {
	d.mu.Lock()
	d.gate = make(chan struct{})
	d.mu.Unlock()
}

func (d *gatedDevice) open() {
	d.mu.Lock()
	close(d.gate)
	d.gate = nil
	d.mu.Unlock()
}

func (d *gatedDevice) WriteFrame(frame []byte) error {
	d.mu.Lock()
	g := d.gate
	d.mu.Unlock()
	if g != nil {
		<-g
	}
	return d.fuzzDevice.WriteFrame(frame)
}

// TestCloseWaitsForTimers: once Close returns, the stack does nothing
// more. Before, Close stopped the timers but did not wait for a callback
// already running, which went on sending (here an ICMP time exceeded
// behind an ARP request stuck in a slow device) after Close returned.
func TestCloseWaitsForTimers(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		clock := newManualClock()
		dev := &gatedDevice{fuzzDevice: newFuzzDevice(fuzzMAC)}
		s, err := New(dev, Config{Addr: netip.MustParsePrefix("10.0.0.1/24"), Clock: clock, Rand: SeededRand(3), NoGratuitousARP: true})
		if err != nil {
			t.Fatal(err)
		}
		// A first fragment that never completes.
		u := udpDgram(peerIP, fuzzIP, 1000, 7, make([]byte, 100))[ipv4.MinHeaderLen:]
		s.input(ethFrame(fuzzMAC, peerMAC, ethernet.TypeIPv4, dgram(peerIP, fuzzIP, ipv4.ProtoUDP, 7, ipv4.FlagMF, 0, u[:64])))
		dev.shut()
		go clock.Advance(time.Minute) // the reassembly timeout's ICMP error waits in the device
		synctest.Wait()
		closed := make(chan struct{})
		go func() {
			s.Close()
			close(closed)
		}()
		synctest.Wait()
		select {
		case <-closed:
			t.Error("Close returned while a timer's callback was still sending")
		default:
		}
		dev.open()
		<-closed
	})
}

// TestReadDeadlineMovedAsItFires: a read deadline moved while its timer
// is firing must still end a waiting read at the new deadline. Before,
// the callback of the old timer found the deadline's channel replaced and
// closed nothing, and the reader, waiting on the old channel, slept past
// the new deadline until a datagram came.
func TestReadDeadlineMovedAsItFires(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		s, _, clock := handStack(t, Config{})
		c, err := s.ListenUDP(netip.MustParseAddrPort("0.0.0.0:9"))
		if err != nil {
			t.Fatal(err)
		}
		result := make(chan error, 1)
		go func() {
			_, _, err := c.ReadFromUDPAddrPort(make([]byte, 10))
			result <- err
		}()
		synctest.Wait()
		c.SetReadDeadline(clock.Now().Add(time.Second))
		// The timer fires: it is no longer pending, but its callback has
		// not run yet when the deadline moves.
		fire, _ := clock.Next(clock.Now().Add(time.Second))
		c.SetReadDeadline(clock.Now().Add(10 * time.Second))
		fire()
		clock.Advance(10 * time.Second)
		synctest.Wait()
		select {
		case err := <-result:
			if !errors.Is(err, os.ErrDeadlineExceeded) {
				t.Errorf("read: %v, want a timeout", err)
			}
		default:
			t.Error("the read still waits after its deadline passed")
			c.Close()
			<-result
		}
	})
}

var _ net.PacketConn = (*UDPConn)(nil)

// TestPingTableKeys: a ping whose random identifier and sequence number
// are taken by another ping in progress draws again. Before, the second
// took over the first's entry (the first never heard its reply), and the
// first, finishing, deleted the second's.
func TestPingTableKeys(t *testing.T) {
	var pt pingTable
	pt.init()
	k := pingKey{peer: peerIP.Netip(), id: 1, seq: 2}
	ch1, err := pt.add(k)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := pt.add(k); err != errPingBusy {
		t.Fatalf("second ping with the same key: %v, want errPingBusy", err)
	}
	pt.reply(peerIP.Netip(), 1, 2, time.Unix(1, 0))
	if at := <-ch1; !at.Equal(time.Unix(1, 0)) {
		t.Errorf("reply at %v", at)
	}
	pt.reply(peerIP.Netip(), 1, 2, time.Unix(2, 0)) // a duplicate, left in the channel
	pt.remove(k, ch1)
	ch2, err := pt.add(k)
	if err != nil {
		t.Fatal(err)
	}
	select {
	case at := <-ch2:
		t.Errorf("a recycled channel delivered an old reply from %v", at)
	default:
	}
	pt.closeAll()
	if _, ok := <-ch2; ok {
		t.Error("closeAll left a waiter open")
	}
	pt.remove(k, ch2) // after closeAll: must not recycle a closed channel
	if len(pt.free) != 0 {
		t.Errorf("%d closed channels kept for reuse", len(pt.free))
	}
}

// TestUDPRingOrder checks the socket's ring of datagrams across
// wraparound and growth from a head in the middle: datagrams come out in
// the order they went in, whole, with their senders.
func TestUDPRingOrder(t *testing.T) {
	s, _, _ := handStack(t, Config{})
	c, err := s.ListenUDP(netip.MustParseAddrPort("0.0.0.0:9"))
	if err != nil {
		t.Fatal(err)
	}
	c.SetReadBuffer(1 << 20)
	next, want := 0, 0
	put := func(k int) {
		for range k {
			p := make([]byte, next%300)
			for i := range p {
				p[i] = byte(next + i)
			}
			if !c.enqueue(netip.AddrPortFrom(addrB, uint16(next)), p) {
				t.Fatalf("datagram %d refused", next)
			}
			next++
		}
	}
	buf := make([]byte, 1000)
	get := func(k int) {
		for range k {
			n, from, err := c.ReadFromUDPAddrPort(buf)
			if err != nil {
				t.Fatal(err)
			}
			if from.Port() != uint16(want) || n != want%300 {
				t.Fatalf("read datagram of %d bytes from port %d, want %d bytes from %d", n, from.Port(), want%300, want)
			}
			for i := range n {
				if buf[i] != byte(want+i) {
					t.Fatalf("datagram %d damaged at byte %d", want, i)
				}
			}
			want++
		}
	}
	put(10)
	get(7)  // head at 7 of 16
	put(12) // wraps around
	get(3)
	put(30) // grows from a head in the middle, twice
	get(32)
	put(100)
	get(110)
	if c.count != 0 || c.bytes != 0 {
		t.Errorf("empty ring holds %d datagrams, %d bytes", c.count, c.bytes)
	}
}

// TestConnectedUDPWritesOnlyToPeer: a connected socket sends only to its
// peer, as package net's does (ErrWriteToConnected). Before,
// WriteToUDPAddrPort sent anywhere from the connected socket's port,
// which then refused the answers with a port unreachable.
func TestConnectedUDPWritesOnlyToPeer(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		p := newPair(t, 22, nil)
		c, err := p.b.DialUDP(netip.AddrPort{}, netip.AddrPortFrom(addrA, 7))
		if err != nil {
			t.Fatal(err)
		}
		if _, err := c.WriteToUDPAddrPort([]byte("x"), netip.AddrPortFrom(addrA, 8)); !errors.Is(err, net.ErrWriteToConnected) {
			t.Errorf("WriteToUDPAddrPort to another address on a connected socket: %v, want ErrWriteToConnected", err)
		}
		if _, err := c.WriteToUDPAddrPort([]byte("x"), netip.AddrPortFrom(addrA, 7)); err != nil {
			t.Errorf("WriteToUDPAddrPort to the peer: %v", err)
		}
		if st := p.b.Stats().UDP; st.OutDatagrams != 1 {
			t.Errorf("%d datagrams sent, want 1", st.OutDatagrams)
		}
	})
}

// TestNoICMPErrorToClassE: RFC 1122 3.2.2 names Class E (240.0.0.0/4)
// among the sources that do not define a single host, which get no ICMP
// error. Before, a datagram from one to a closed port was answered.
func TestNoICMPErrorToClassE(t *testing.T) {
	s, dev, _ := handStack(t, Config{Gateway: gwIP.Netip()})
	s.neigh.SetStatic(gwIP, peerMAC)
	s.input(ethFrame(fuzzMAC, peerMAC, ethernet.TypeIPv4, udpDgram(ipv4.Addr{250, 1, 2, 3}, fuzzIP, 1000, 9, []byte("x"))))
	for _, f := range dev.written() {
		t.Errorf("answered a datagram from 250.1.2.3: %x", f)
	}
	// From an ordinary host beyond the gateway, the error is sent.
	s.input(ethFrame(fuzzMAC, peerMAC, ethernet.TypeIPv4, udpDgram(ipv4.Addr{8, 8, 8, 8}, fuzzIP, 1000, 9, []byte("x"))))
	if out := dev.written(); len(out) != 1 {
		t.Errorf("answered a datagram from 8.8.8.8 to a closed port with %d frames, want 1", len(out))
	}
}
