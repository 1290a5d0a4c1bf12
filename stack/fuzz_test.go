package stack

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"net"
	"net/netip"
	"path/filepath"
	"runtime"
	"sync"
	"testing"
	"time"

	"github.com/medina-net/medina/arp"
	"github.com/medina-net/medina/ethernet"
	"github.com/medina-net/medina/icmp"
	"github.com/medina-net/medina/icmpv6"
	"github.com/medina-net/medina/internal/manualclock"
	"github.com/medina-net/medina/ipv4"
	"github.com/medina-net/medina/ipv6"
	"github.com/medina-net/medina/link"
	"github.com/medina-net/medina/link/pipe"
	"github.com/medina-net/medina/neigh"
	"github.com/medina-net/medina/pcap"
	"github.com/medina-net/medina/udp"
)

// newManualClock returns the clock of the hand-driven tests: it moves
// only when a test moves it, and runs the timers in the test's goroutine.
func newManualClock() *manualclock.Clock {
	return manualclock.New(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC))
}

// fuzzDevice is a link.Device that the test drives by hand: ReadFrame
// blocks until Close (frames are given to the stack's input directly),
// and every frame written is kept.
type fuzzDevice struct {
	mac    ethernet.Addr
	mu     sync.Mutex
	out    [][]byte
	closed chan struct{}
	once   sync.Once
}

func newFuzzDevice(mac ethernet.Addr) *fuzzDevice {
	return &fuzzDevice{mac: mac, closed: make(chan struct{})}
}

func (d *fuzzDevice) ReadFrame(buf []byte) (int, error) {
	<-d.closed
	return 0, net.ErrClosed
}

func (d *fuzzDevice) WriteFrame(frame []byte) error {
	select {
	case <-d.closed:
		return net.ErrClosed
	default:
	}
	d.mu.Lock()
	d.out = append(d.out, bytes.Clone(frame))
	d.mu.Unlock()
	return nil
}

func (d *fuzzDevice) MTU() int                    { return 1500 }
func (d *fuzzDevice) HardwareAddr() ethernet.Addr { return d.mac }
func (d *fuzzDevice) Close() error {
	d.once.Do(func() { close(d.closed) })
	return nil
}

// written returns the frames written since the last call.
func (d *fuzzDevice) written() [][]byte {
	d.mu.Lock()
	defer d.mu.Unlock()
	out := d.out
	d.out = nil
	return out
}

// The fuzzed stack is 10.0.0.1/24 at pipe.DefaultAddrA, like stack a of
// the golden session, so that its frames reach deep; its peers are
// 10.0.0.2 at pipe.DefaultAddrB and the gateway 10.0.0.254.
var (
	fuzzMAC  = pipe.DefaultAddrA
	peerMAC  = pipe.DefaultAddrB
	fuzzIP   = ipv4.Addr{10, 0, 0, 1}
	peerIP   = ipv4.Addr{10, 0, 0, 2}
	gwIP     = ipv4.Addr{10, 0, 0, 254}
	evilMAC  = ethernet.Addr{0x02, 0xee, 0xee, 0xee, 0xee, 0xee}
	linkBcIP = ipv4.Addr{10, 0, 0, 255}
)

// fuzzConfig gives the engines small bounds, so that the fuzzer reaches
// them.
func fuzzConfig(clock link.Clock) Config {
	return Config{
		Addr:     netip.MustParsePrefix("10.0.0.1/24"),
		Addrs:    []netip.Prefix{netip.PrefixFrom(addrA6, 64), netip.PrefixFrom(llA6, 64)},
		Gateway:  gwIP.Netip(),
		Gateway6: netip.MustParseAddr("fe80::fe"),
		Clock:    clock,
		Rand:     SeededRand(7),
		ARP: arp.CacheConfig{
			MaxEntries: 8, MaxQueued: 4, MaxQueuedBytes: 16 << 10,
		},
		Reassembly: ipv4.ReassemblyConfig{
			MaxBytes: 32 << 10, MaxDatagrams: 8, MaxFragments: 16,
		},
		Reassembly6: ipv6.ReassemblyConfig{
			MaxBytes: 32 << 10, MaxDatagrams: 8, MaxFragments: 16,
		},
		NDP:              neigh.Config{MaxEntries: 8, MaxQueued: 4, MaxQueuedBytes: 16 << 10},
		UDPReceiveBuffer: 8 << 10,
	}
}

// Operations of FuzzStackInput's input, a sequence of records: an
// operation byte, a big-endian 16-bit length and that many bytes. The low
// two bits of the operation say what the bytes are; the others are
// flags.
const (
	opRaw     = 0 // a whole frame, as it is
	opIPv4    = 1 // an IPv4 datagram, put in a frame to us and fixed up
	opARP     = 2 // an ARP packet, put in a frame to us
	opAdvance = 3 // no bytes: the length is how long to advance the clock, in 10ms

	opDrain = 0x80 // opAdvance: instead, read what the sockets hold, up to length datagrams

	// opOffload: opRaw, opIPv4, opARP: the frame comes from a device
	// with receive offload (link.OffloadReader) that vouches for its TCP
	// checksum and, when its length is odd, says it is a super-frame of
	// 100-byte segments; it may be as long as a super-frame. A device
	// vouches only for TCP, and rightly: the stack must still survive
	// one that does not.
	opOffload = 0x80

	opIPv6 = 0x04 // opRaw: instead, an IPv6 packet, put in a frame to us (or its group) and fixed up

	opBroadcast = 0x08 // opIPv4, opARP, opIPv6: to the Ethernet broadcast address
	opKeepLen   = 0x10 // opIPv4, opIPv6: keep the total (payload) length as given
	opKeepSum   = 0x20 // opIPv4, opIPv6: keep the checksums as given
	opKeepIHL   = 0x40 // opIPv4, opIPv6: keep version and IHL (version) as given
)

// record appends one record to b.
func record(b []byte, op byte, body []byte) []byte {
	b = append(b, op)
	b = binary.BigEndian.AppendUint16(b, uint16(len(body)))
	return append(b, body...)
}

// advance appends a record that advances the clock by d.
func advance(b []byte, d time.Duration) []byte {
	b = append(b, opAdvance)
	return binary.BigEndian.AppendUint16(b, uint16(d/(10*time.Millisecond)))
}

// fuzzFrame turns one record's bytes into the frame the stack reads.
func fuzzFrame(op byte, body []byte) []byte {
	dst := fuzzMAC
	if op&opBroadcast != 0 {
		dst = ethernet.Broadcast
	}
	switch op & 3 {
	case opIPv4:
		f := ethFrame(dst, peerMAC, ethernet.TypeIPv4, body)
		fixIPv4(f[ethernet.HeaderLen:], op)
		return f
	case opARP:
		return ethFrame(dst, peerMAC, ethernet.TypeARP, body)
	case opRaw:
		if op&opIPv6 == 0 {
			break
		}
		if len(body) >= ipv6.HeaderLen && op&opBroadcast == 0 {
			if d := ipv6.Header(body).Dst(); d.IsMulticast() {
				dst = d.EthernetMulticast()
			}
		}
		f := ethFrame(dst, peerMAC, ethernet.TypeIPv6, body)
		fixIPv6(f[ethernet.HeaderLen:], op)
		return f
	}
	return bytes.Clone(body)
}

// fixIPv6 makes the packet b believable, unless op says to keep what the
// fuzzer wrote: version 6, the payload length of b, and right checksums
// for UDP and ICMPv6 in a packet that is not a fragment.
func fixIPv6(b []byte, op byte) {
	if len(b) < ipv6.HeaderLen {
		return
	}
	h := ipv6.Header(b)
	if op&opKeepIHL == 0 {
		h.SetVersion(6)
	}
	if op&opKeepLen == 0 {
		h.SetPayloadLen(uint16(min(len(b)-ipv6.HeaderLen, ipv6.MaxPayloadLen)))
	}
	if op&opKeepSum != 0 || h.Check() != nil {
		return
	}
	if f, _, ok := h.FragmentHeader(); ok && !f.IsAtomic() {
		return
	}
	proto, off, how := h.UpperLayer()
	end := h.Len()
	if how != ipv6.ChainUpper || off >= end {
		return
	}
	p := b[off:end]
	switch proto {
	case ipv4.ProtoUDP:
		if len(p) >= udp.HeaderLen {
			u := udp.Header(p)
			if int(u.Length()) >= udp.HeaderLen && int(u.Length()) <= len(p) {
				u = u[:u.Length()]
			}
			u.SetChecksum(u.ComputeChecksum6(h.Src(), h.Dst()))
		}
	case ipv4.ProtoICMPv6:
		if len(p) >= icmpv6.MinLen {
			m := icmpv6.Message(p)
			m.SetChecksum(0)
			m.FillChecksum(h.Src(), h.Dst())
		}
	}
}

func ethFrame(dst, src ethernet.Addr, t ethernet.Type, payload []byte) []byte {
	f := make([]byte, ethernet.HeaderLen+len(payload))
	ethernet.Encode(f, dst, src, t)
	copy(f[ethernet.HeaderLen:], payload)
	return f
}

// fixIPv4 makes the datagram b believable, unless op says to keep what
// the fuzzer wrote: version 4 and a header length that fits, the total
// length of b, and right checksums for the header and, in a datagram that
// is not a fragment, for UDP and ICMP.
func fixIPv4(b []byte, op byte) {
	if len(b) < ipv4.MinHeaderLen {
		return
	}
	h := ipv4.Header(b)
	if op&opKeepIHL == 0 {
		ihl := h.IHL()
		if ihl < 5 || int(ihl)*4 > len(b) {
			ihl = 5
		}
		h.SetVersion(4)
		h.SetIHL(ihl)
	}
	if op&opKeepLen == 0 {
		h.SetTotalLen(uint16(min(len(b), ipv4.MaxTotalLen)))
	}
	if op&opKeepSum != 0 {
		return
	}
	if p := h.Payload(); !h.IsFragment() && p != nil {
		switch h.Protocol() {
		case ipv4.ProtoUDP:
			if len(p) >= udp.HeaderLen {
				u := udp.Header(p)
				u.SetChecksum(0)
				u.SetChecksum(u.ComputeChecksum(h.Src(), h.Dst()))
			}
		case ipv4.ProtoICMP:
			if len(p) >= icmp.MinLen {
				m := icmp.Message(p)
				m.SetChecksum(0)
				m.FillChecksum()
			}
		}
	}
	h.FillChecksum()
}

// FuzzStackInput feeds sequences of frames, and the passing of time, to a
// stack's receive path, and checks after every step that it did not
// panic or hang, that its engines stay within their bounds, that its
// counters account for every frame, and that what it sent obeys the
// rules: from its own addresses, well formed, no answer to a broadcast,
// and no ICMP error that RFC 1122 3.2.2 forbids.
func FuzzStackInput(f *testing.F) {
	for _, seed := range fuzzSeeds(f) {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		done := make(chan struct{})
		go func() {
			defer close(done)
			runFuzzInput(t, data)
		}()
		select {
		case <-done:
		case <-time.After(20 * time.Second):
			buf := make([]byte, 1<<20)
			buf = buf[:runtime.Stack(buf, true)]
			t.Fatalf("the stack hung on this input:\n%s", buf)
		}
	})
}

// fuzzRun is the state of one run of FuzzStackInput.
type fuzzRun struct {
	t      *testing.T
	s      *Stack
	dev    *fuzzDevice
	clock  *manualclock.Clock
	cfg    Config
	socks  []*UDPConn
	frames uint64 // frames fed
	// linkBcast says the frame being fed is an IPv4 datagram sent to the
	// Ethernet broadcast address, which no ICMP error may answer.
	linkBcast bool
	// what was written, by kind
	writes, arpWrites, icmpFirstFrags uint64
}

func runFuzzInput(t *testing.T, data []byte) {
	clock := newManualClock()
	dev := newFuzzDevice(fuzzMAC)
	cfg := fuzzConfig(clock)
	s, err := New(dev, cfg)
	if err != nil {
		t.Error(err)
		return
	}
	r := &fuzzRun{t: t, s: s, dev: dev, clock: clock, cfg: cfg}
	defer func() {
		s.Close()
		r.check("after Close")
	}()
	// An unconnected socket nobody reads, to fill; a connected one, to
	// hear ICMP errors; a ping waiting for its reply.
	for _, open := range []func() (*UDPConn, error){
		func() (*UDPConn, error) { return s.ListenUDP(netip.MustParseAddrPort("0.0.0.0:7")) },
		func() (*UDPConn, error) {
			return s.DialUDP(netip.MustParseAddrPort("10.0.0.1:5000"), netip.MustParseAddrPort("10.0.0.2:9"))
		},
		func() (*UDPConn, error) { return s.ListenUDP(netip.MustParseAddrPort("[::]:8")) },
		func() (*UDPConn, error) {
			return s.DialUDP(netip.MustParseAddrPort("[2001:db8::1]:5001"), netip.MustParseAddrPort("[2001:db8::2]:9"))
		},
	} {
		c, err := open()
		if err != nil {
			t.Error(err)
			return
		}
		r.socks = append(r.socks, c)
	}
	if _, err := s.pings.add(pingKey{peer: addrB6, id: 1, seq: 2}); err != nil {
		t.Error("cannot register a ping")
		return
	}
	if _, err := s.pings.add(pingKey{peer: peerIP.Netip(), id: 1, seq: 1}); err != nil {
		t.Error("cannot register a ping")
		return
	}
	r.check("at the start")

	for step := 0; len(data) >= 3; step++ {
		op := data[0]
		n := int(binary.BigEndian.Uint16(data[1:]))
		data = data[3:]
		if op&3 == opAdvance && op&opDrain != 0 {
			r.drain(n)
			r.check(fmt.Sprintf("step %d, reading %d datagrams", step, n))
			continue
		}
		if op&3 == opAdvance {
			clock.Advance(time.Duration(n) * 10 * time.Millisecond)
			r.check(fmt.Sprintf("step %d, advancing %dms", step, n*10))
			continue
		}
		n = min(n, len(data))
		frame := fuzzFrame(op, data[:n])
		data = data[n:]
		var off link.RxOffload
		if op&opOffload != 0 {
			off.ChecksumValid = true
			if len(frame)%2 == 1 {
				off.SegmentSize = 100
			}
		} else if len(frame) > link.FrameLen(dev) {
			frame = frame[:link.FrameLen(dev)] // a device never reads more
		}
		if f, err := ethernet.NewFrame(frame); err == nil {
			r.linkBcast = f.Dst().IsBroadcast() && f.Type() == ethernet.TypeIPv4
		}
		s.inputAt(frame, off, s.clock.Now())
		r.linkBcast = false
		r.frames++
		r.check(fmt.Sprintf("step %d, frame %x", step, frame))
		if t.Failed() {
			return
		}
	}
}

// drain reads up to n datagrams (or errors) from each socket, without
// waiting.
func (r *fuzzRun) drain(n int) {
	buf := make([]byte, 2048) // shorter than some datagrams: they are cut
	for _, c := range r.socks {
		for range n {
			c.mu.Lock()
			ready := c.count > 0 || c.err != nil
			c.mu.Unlock()
			if !ready {
				break
			}
			if _, _, err := c.ReadFromUDPAddrPort(buf); err != nil && !c.remote.IsValid() {
				r.t.Errorf("reading from %v: %v", c.local, err)
			}
		}
	}
}

// check checks the invariants after a step.
func (r *fuzzRun) check(where string) {
	t, s := r.t, r.s
	t.Helper()
	fail := func(format string, args ...any) {
		t.Helper()
		t.Errorf("%s: "+format, append([]any{where}, args...)...)
	}
	for _, f := range r.dev.written() {
		r.checkOutput(f, fail)
	}

	// Bounded memory.
	nc, rs := s.neigh.Stats(), s.reasm.Stats()
	if nc.Entries > r.cfg.ARP.MaxEntries {
		fail("%d neighbour entries, bound %d", nc.Entries, r.cfg.ARP.MaxEntries)
	}
	if nc.QueuedBytes > r.cfg.ARP.MaxQueuedBytes {
		fail("%d bytes queued for ARP, bound %d", nc.QueuedBytes, r.cfg.ARP.MaxQueuedBytes)
	}
	for _, e := range s.neigh.Entries() {
		if len(e.IP) == 4 && ipv4.Addr(e.IP) == fuzzIP {
			fail("a neighbour entry for our own address: %+v", e)
		}
		if e.MAC.IsMulticast() {
			fail("a neighbour entry with a group MAC: %+v", e)
		}
		if ip := ipv4.Addr(e.IP); e.State != arp.StateIncomplete && (!unicastHost(ip) || ip == (ipv4.Addr{10, 0, 0, 0})) {
			fail("a neighbour entry for %v, which no neighbour can have: %+v", ip, e)
		}
		if e.Queued > r.cfg.ARP.MaxQueued {
			fail("%d datagrams queued on %v, bound %d", e.Queued, e.IP, r.cfg.ARP.MaxQueued)
		}
	}
	if rs.Bytes > r.cfg.Reassembly.MaxBytes || rs.Bytes < 0 {
		fail("reassembly holds %d bytes, bound %d", rs.Bytes, r.cfg.Reassembly.MaxBytes)
	}
	if rs.Datagrams > r.cfg.Reassembly.MaxDatagrams {
		fail("%d datagrams in reassembly, bound %d", rs.Datagrams, r.cfg.Reassembly.MaxDatagrams)
	}
	for _, c := range r.socks {
		c.mu.Lock()
		count, qbytes, retained := c.count, c.bytes, 0
		for _, q := range c.queue {
			retained += cap(q.data)
		}
		c.mu.Unlock()
		if qbytes > c.rcvbuf || count > maxQueued || qbytes < 0 || count < 0 {
			fail("socket %v holds %d datagrams, %d bytes; bounds %d, %d", c.local, count, qbytes, maxQueued, c.rcvbuf)
		}
		// The ring's buffers may exceed maxKept by what is queued.
		if limit := maxKept(c.rcvbuf) + 2*c.rcvbuf + ipv4.MaxTotalLen; retained > limit {
			fail("socket %v keeps %d bytes of buffers for a %d-byte receive buffer", c.local, retained, c.rcvbuf)
		}
	}
	rs6 := s.reasm6.Stats()
	if rs6.Bytes > r.cfg.Reassembly6.MaxBytes || rs6.Bytes < 0 || rs6.Datagrams > r.cfg.Reassembly6.MaxDatagrams {
		fail("IPv6 reassembly holds %d bytes in %d packets, bounds %d, %d", rs6.Bytes, rs6.Datagrams,
			r.cfg.Reassembly6.MaxBytes, r.cfg.Reassembly6.MaxDatagrams)
	}
	if nt := s.nd6(); nt != nil {
		ns := nt.Stats()
		if ns.Entries > r.cfg.NDP.MaxEntries || ns.QueuedBytes > r.cfg.NDP.MaxQueuedBytes {
			fail("IPv6 neighbour table: %d entries, %d bytes queued", ns.Entries, ns.QueuedBytes)
		}
		for _, e := range nt.Entries() {
			if a, _ := ipv6.AddrFromNetip(e.Addr); a == us6 || a == usLL6 || a.IsMulticast() || a.IsUnspecified() ||
				e.LinkAddr.IsMulticast() || e.Queued > r.cfg.NDP.MaxQueued {
				fail("IPv6 neighbour entry %+v", e)
			}
		}
	}
	s.pings.mu.Lock()
	if len(s.pings.waiters) > 2 {
		fail("%d ping waiters, want at most 2", len(s.pings.waiters))
	}
	s.pings.mu.Unlock()

	// Counters that add up.
	st := s.Stats()
	if st.Link.InFrames != r.frames {
		fail("Link.InFrames %d, %d frames fed", st.Link.InFrames, r.frames)
	}
	arpIn := st.ARP.InRequests + st.ARP.InReplies + st.ARP.InErrors
	if sum := st.Link.InErrors + st.Link.InOtherHost + st.Link.InUnknown + arpIn + st.IP.InReceives + st.IPv6.InReceives; sum != st.Link.InFrames {
		fail("link: %d frames read, %d accounted for: %+v %+v %+v", st.Link.InFrames, sum, st.Link, st.ARP, st.IP)
	}
	ip := st.IP
	if ip.InReceives+ip.ReasmOKs != ip.InHdrErrors+ip.InAddrErrors+ip.InSourceRoutes+ip.ReasmReqds+ip.InDelivers+ip.InUnknownProtos {
		fail("IP: %d received + %d reassembled != %d header errors + %d address errors + %d source routes + %d fragments + %d delivered + %d unknown protocols",
			ip.InReceives, ip.ReasmOKs, ip.InHdrErrors, ip.InAddrErrors, ip.InSourceRoutes, ip.ReasmReqds, ip.InDelivers, ip.InUnknownProtos)
	}
	tcpIn := s.TCPStats().InSegs - s.tcp6Segs()
	if sum := st.UDP.InDatagrams + st.UDP.NoPorts + st.UDP.InErrors + st.ICMP.InMsgs + tcpIn; sum != ip.InDelivers {
		fail("transports: %d delivered by IP, %d accounted for: %+v %+v, %d TCP segments", ip.InDelivers, sum, st.UDP, st.ICMP, tcpIn)
	}
	ip6 := st.IPv6
	if in, out := ip6.InReceives+ip6.ReasmOKs, ip6.InHdrErrors+ip6.InAddrErrors+ip6.InUnknownProtos+ip6.InOptionDrops+
		ip6.InRoutingErrors+ip6.InNoNext+ip6.ReasmReqds+ip6.InDelivers; in != out {
		fail("IPv6: %d received + reassembled, %d accounted for: %+v", in, out, ip6)
	}
	if sum := st.UDP6.InDatagrams + st.UDP6.NoPorts + st.UDP6.InErrors + st.ICMPv6.InMsgs + s.tcp6Segs(); sum != ip6.InDelivers {
		fail("IPv6 transports: %d delivered, %d accounted for: %+v %+v", ip6.InDelivers, sum, st.UDP6, st.ICMPv6)
	}
	ic := st.ICMP
	if sum := ic.InErrors + ic.InEchos + ic.InEchoReps + ic.InDestUnreachs + ic.InTimeExcds + ic.InParmProbs; sum > ic.InMsgs {
		fail("ICMP: %d messages, %d counted by type", ic.InMsgs, sum)
	}
	if st.UDP.InCsumErrors > st.UDP.InErrors || st.UDP.RcvbufErrors > st.UDP.InErrors {
		fail("UDP: %+v", st.UDP)
	}
	if st.Link.OutFrames != r.writes || st.Link.OutErrors != 0 && !s.isClosed() {
		fail("Link.OutFrames %d, OutErrors %d; the device took %d", st.Link.OutFrames, st.Link.OutErrors, r.writes)
	}
	if got := st.ARP.OutRequests + st.ARP.OutReplies; got != r.arpWrites {
		fail("ARP: %d requests and replies counted, %d written", got, r.arpWrites)
	}
	if r.icmpFirstFrags > ic.OutMsgs {
		fail("ICMP: %d messages written, %d counted", r.icmpFirstFrags, ic.OutMsgs)
	}
}

// checkOutput checks one frame the stack wrote.
func (r *fuzzRun) checkOutput(frame []byte, fail func(string, ...any)) {
	r.writes++
	f, err := ethernet.NewFrame(frame)
	if err != nil || len(frame) > ethernet.HeaderLen+r.s.mtu {
		fail("wrote a frame of %d bytes: %x", len(frame), frame)
		return
	}
	if f.Src() != fuzzMAC {
		fail("wrote a frame from %v: %x", f.Src(), frame)
	}
	switch f.Type() {
	case ethernet.TypeARP:
		r.arpWrites++
		p, err := arp.NewPacket(f.Payload())
		if err != nil || p.SenderMAC() != fuzzMAC || ipv4.Addr(p.SenderIP()) != fuzzIP {
			fail("wrote a bad ARP packet: %x", frame)
			return
		}
		if p.Op() == arp.OpReply && (f.Dst().IsMulticast() || p.TargetMAC().IsMulticast()) {
			fail("wrote an ARP reply to a group address: %x", frame)
		}
		if f.Dst() == (ethernet.Addr{}) || p.Op() == arp.OpReply && p.TargetMAC() == (ethernet.Addr{}) {
			fail("wrote an ARP packet to 00:00:00:00:00:00: %x", frame)
		}
	case ethernet.TypeIPv4:
		h, err := ipv4.NewHeader(f.Payload())
		if err != nil || h.Check() != nil {
			fail("wrote a bad IPv4 datagram: %x", frame)
			return
		}
		h = h[:h.TotalLen()]
		dst := h.Dst()
		if h.Src() != fuzzIP || h.TTL() != DefaultTTL {
			fail("wrote a datagram from %v with TTL %d", h.Src(), h.TTL())
		}
		// The stack answers; nothing in this test asks it to send to a
		// group, so an answer to one went to a forged source.
		if !unicastHost(dst) || f.Dst().IsMulticast() {
			fail("wrote a datagram to %v (Ethernet %v): %x", dst, f.Dst(), frame)
		}
		if h.Protocol() != ipv4.ProtoICMP || h.FragOffsetUnits() != 0 {
			return
		}
		m, err := icmp.NewMessage(h.Payload())
		if err != nil {
			fail("wrote a bad ICMP message: %x", frame)
			return
		}
		r.icmpFirstFrags++
		if !m.Type().IsError() {
			return
		}
		// RFC 1122 3.2.2: no error about an error, a broadcast (IP or
		// link-layer), a fragment other than the first, or a source
		// that is not a unicast host.
		if r.linkBcast {
			fail("wrote an ICMP error about a link-layer broadcast: %x", frame)
		}
		q, err := ipv4.NewHeader(m.Quoted())
		if err != nil {
			fail("wrote an ICMP error quoting %d bytes: %x", len(m.Quoted()), frame)
			return
		}
		switch {
		case q.Dst() != fuzzIP:
			fail("wrote an ICMP error about a datagram to %v: %x", q.Dst(), frame)
		case q.FragOffsetUnits() != 0:
			fail("wrote an ICMP error about a later fragment: %x", frame)
		case q.Src() != dst:
			fail("wrote an ICMP error about a datagram from %v to %v: %x", q.Src(), dst, frame)
		case dst[0] >= 240:
			fail("wrote an ICMP error to a Class E address: %x", frame)
		case q.Protocol() == ipv4.ProtoICMP && len(q.Payload()) > 0 && icmp.Type(q.Payload()[0]).IsError():
			fail("wrote an ICMP error about an ICMP error: %x", frame)
		}
	case ethernet.TypeIPv6:
		r.checkOutput6(f, fail)
	default:
		fail("wrote a frame of EtherType %v: %x", f.Type(), frame)
	}
}

// checkOutput6 checks an IPv6 packet the stack wrote: from one of its
// addresses, with its hop limit (255 for Neighbor Discovery), to a host
// or, for Neighbor Discovery, a solicited-node group or all-nodes; an
// ICMPv6 error about a packet to us, not about an error, not to a group,
// and about a packet to a group only when RFC 4443 2.4 (e.3) allows it.
func (r *fuzzRun) checkOutput6(f ethernet.Frame, fail func(string, ...any)) {
	frame := []byte(f)
	h, err := ipv6.NewHeader(f.Payload())
	if err != nil || h.Check() != nil {
		fail("wrote a bad IPv6 packet: %x", frame)
		return
	}
	h = h[:h.Len()]
	src, dst := h.Src(), h.Dst()
	if src != us6 && src != usLL6 {
		fail("wrote a packet from %v: %x", src, frame)
	}
	proto, off, how := h.UpperLayer()
	var m icmpv6.Message
	if how == ipv6.ChainUpper && proto == ipv4.ProtoICMPv6 && off < len(h) {
		m, _ = icmpv6.NewMessage(h[off:])
	}
	nd := m != nil && m.Type().IsNDP()
	switch {
	case nd && h.HopLimit() != ndpHopLimit, !nd && h.HopLimit() != DefaultHopLimit:
		fail("wrote a packet with hop limit %d: %x", h.HopLimit(), frame)
	case dst.IsMulticast() && !(nd && (dst.IsSolicitedNode() || dst == ipv6.AllNodes)):
		fail("wrote a packet to %v: %x", dst, frame)
	case dst.IsUnspecified() || dst.IsLoopback() || dst == us6 || dst == usLL6:
		fail("wrote a packet to %v: %x", dst, frame)
	}
	if dst.IsMulticast() != f.Dst().IsMulticast() {
		fail("wrote a packet to %v in a frame to %v: %x", dst, f.Dst(), frame)
	}
	if m == nil || !m.Type().IsError() {
		return
	}
	if m.ComputeChecksum(src, dst) != m.Checksum() {
		fail("wrote an ICMPv6 error with a bad checksum: %x", frame)
	}
	q, err := ipv6.NewHeader(m.Quoted())
	if err != nil {
		fail("wrote an ICMPv6 error quoting %d bytes: %x", len(m.Quoted()), frame)
		return
	}
	qd := q.Dst()
	allowed := m.Type() == icmpv6.TypePacketTooBig || m.Type() == icmpv6.TypeParamProblem && m.Code() == icmpv6.ParamProblemOption
	switch {
	case q.Src() != dst:
		fail("wrote an ICMPv6 error about a packet from %v to %v: %x", q.Src(), dst, frame)
	case qd != us6 && qd != usLL6 && !qd.IsMulticast():
		fail("wrote an ICMPv6 error about a packet to %v: %x", qd, frame)
	case qd.IsMulticast() && !allowed:
		fail("wrote an ICMPv6 error about a packet to a group: %x", frame)
	case len(m) > icmpv6.HeaderLen+icmpv6.MaxQuoteLen:
		fail("wrote an ICMPv6 error of %d bytes: %x", len(m), frame)
	}
	if p, qoff, how := q.UpperLayer(); how == ipv6.ChainUpper && p == ipv4.ProtoICMPv6 && qoff < len(q) {
		if t := icmpv6.Type(q[qoff]); t.IsError() || t == icmpv6.TypeRedirect {
			fail("wrote an ICMPv6 error about an ICMPv6 error or redirect: %x", frame)
		}
	}
}

// unicastHost reports whether a can be the address of one host on our
// link or beyond the gateway. (Class E is reserved, but not a group: an
// answer to one goes to one host, if any.)
func unicastHost(a ipv4.Addr) bool {
	return !a.IsUnspecified() && !a.IsBroadcast() && !a.IsMulticast() && !a.IsLoopback() &&
		a[0] != 0 && a != linkBcIP && a != fuzzIP
}

// Builders of the hand-made seeds.

// dgram builds an IPv4 datagram from src to dst with payload.
func dgram(src, dst ipv4.Addr, proto ipv4.Protocol, id uint16, flags ipv4.Flags, fragOff int, payload []byte) []byte {
	f := ipv4.Fields{PayloadLen: len(payload), ID: id, Flags: flags, FragOffset: fragOff, TTL: 64, Protocol: proto, Src: src, Dst: dst}
	b := make([]byte, f.HeaderLen()+len(payload))
	if _, err := f.Encode(b); err != nil {
		panic(err)
	}
	copy(b[f.HeaderLen():], payload)
	return b
}

// udpDgram builds a UDP datagram with a right checksum.
func udpDgram(src, dst ipv4.Addr, sport, dport uint16, payload []byte) []byte {
	u := make([]byte, udp.HeaderLen+len(payload))
	copy(u[udp.HeaderLen:], payload)
	udp.EncodeChecksum(u, sport, dport, src, dst)
	return dgram(src, dst, ipv4.ProtoUDP, 0x1234, 0, 0, u)
}

func echoMsg(t icmp.Type, id, seq uint16, data []byte) []byte {
	b := make([]byte, icmp.HeaderLen+len(data))
	icmp.EncodeEcho(b, t, id, seq, data)
	return b
}

func unreachMsg(code icmp.Code, quote []byte) []byte {
	b := make([]byte, icmp.HeaderLen+len(quote))
	icmp.EncodeDestUnreachable(b, code, 0, quote, len(quote))
	return b
}

func arpPacket(op arp.Operation, sha ethernet.Addr, spa ipv4.Addr, tha ethernet.Addr, tpa ipv4.Addr) []byte {
	b := make([]byte, arp.EthernetIPv4Len)
	arp.Encode(b, op, sha, spa, tha, tpa)
	return b
}

// fuzzSeeds returns the seed corpus: the frames of the captures in
// testdata/pcaps, as they are and moved onto our addresses, and
// hand-made sequences of well and badly formed frames.
func fuzzSeeds(tb testing.TB) [][]byte {
	var seeds [][]byte
	add := func(recs ...[]byte) { seeds = append(seeds, bytes.Join(recs, nil)) }
	rec := func(op byte, body []byte) []byte { return record(nil, op, body) }
	adv := func(d time.Duration) []byte { return advance(nil, d) }

	// The captures.
	files, _ := filepath.Glob(filepath.Join("..", "testdata", "pcaps", "*.pcap*"))
	for _, name := range files {
		frames := captureFrames(tb, name)
		var raw, moved []byte
		for _, f := range frames {
			raw = record(raw, opRaw, f)
			m := retarget(f)
			if fr, err := ethernet.NewFrame(m); err == nil && fr.Type() == ethernet.TypeIPv4 {
				dg := fr.Payload()
				if h, err := ipv4.NewHeader(dg); err == nil && int(h.TotalLen()) <= len(dg) {
					dg = dg[:h.TotalLen()]
				}
				op := byte(opIPv4)
				if fr.Dst().IsBroadcast() {
					op |= opBroadcast
				}
				moved = record(moved, op, dg)
				add(rec(op, dg))
			} else {
				moved = record(moved, opRaw, m)
			}
			moved = advance(moved, 100*time.Millisecond)
		}
		add(raw)
		add(moved)
	}

	hello := []byte("hello, fuzzer")
	// Link layer: runts, someone else's frames, VLAN tags, other types.
	add(rec(opRaw, []byte{1, 2, 3}))
	add(rec(opRaw, ethFrame(evilMAC, peerMAC, ethernet.TypeIPv4, udpDgram(peerIP, fuzzIP, 1, 7, hello))))
	add(rec(opRaw, ethFrame(fuzzMAC, peerMAC, 0x8100, append([]byte{0, 1, 8, 0}, udpDgram(peerIP, fuzzIP, 1, 7, hello)...))))
	add(rec(opRaw, ethFrame(fuzzMAC, peerMAC, 0x86dd, make([]byte, 40))))

	// ARP: a request for us, and attempts at poisoning: an unsolicited
	// reply for the gateway, gratuitous ARP, a claim on our address, a
	// probe, group addresses, malformed packets.
	add(rec(opARP|opBroadcast, arpPacket(arp.OpRequest, peerMAC, peerIP, ethernet.Addr{}, fuzzIP)),
		rec(opIPv4, dgram(peerIP, fuzzIP, ipv4.ProtoICMP, 1, 0, 0, echoMsg(icmp.TypeEcho, 7, 1, hello))))
	add(rec(opARP, arpPacket(arp.OpReply, evilMAC, gwIP, fuzzMAC, fuzzIP)),
		rec(opIPv4, dgram(ipv4.Addr{8, 8, 8, 8}, fuzzIP, ipv4.ProtoICMP, 1, 0, 0, echoMsg(icmp.TypeEcho, 7, 1, hello))),
		rec(opARP, arpPacket(arp.OpReply, evilMAC, gwIP, fuzzMAC, fuzzIP)),
		rec(opARP, arpPacket(arp.OpReply, peerMAC, gwIP, fuzzMAC, fuzzIP)))
	add(rec(opARP|opBroadcast, arpPacket(arp.OpRequest, evilMAC, peerIP, ethernet.Addr{}, peerIP)))
	add(rec(opARP|opBroadcast, arpPacket(arp.OpRequest, evilMAC, fuzzIP, ethernet.Addr{}, fuzzIP)))
	add(rec(opARP|opBroadcast, arpPacket(arp.OpRequest, evilMAC, ipv4.Addr{}, ethernet.Addr{}, fuzzIP)))
	add(rec(opARP, arpPacket(arp.OpRequest, ethernet.Broadcast, peerIP, ethernet.Addr{}, fuzzIP)))
	add(rec(opARP, arpPacket(arp.OpRequest, peerMAC, linkBcIP, ethernet.Addr{}, fuzzIP)))
	add(rec(opARP, arpPacket(arp.OpRequest, peerMAC, ipv4.Addr{10, 0, 0, 0}, ethernet.Addr{}, fuzzIP)))
	add(rec(opARP|opBroadcast, arpPacket(arp.OpRequest, ethernet.Addr{}, peerIP, ethernet.Addr{}, fuzzIP)))
	add(rec(opARP, arpPacket(arp.Operation(3), peerMAC, peerIP, ethernet.Addr{}, fuzzIP)))
	add(rec(opARP, arpPacket(arp.OpRequest, peerMAC, peerIP, ethernet.Addr{}, fuzzIP)[:20]))
	badLen := arpPacket(arp.OpRequest, peerMAC, peerIP, ethernet.Addr{}, fuzzIP)
	badLen[4] = 16
	add(rec(opARP, badLen))

	// IPv4 headers that do not hold together.
	good := udpDgram(peerIP, fuzzIP, 1000, 7, hello)
	for _, mutate := range []func(b []byte){
		func(b []byte) { b[0] = 0x65 },               // version 6
		func(b []byte) { b[0] = 0x44 },               // IHL 4
		func(b []byte) { b[0] = 0x4f },               // IHL 15, past the datagram
		func(b []byte) { b[2], b[3] = 0xff, 0xff },   // total length past the end
		func(b []byte) { b[2], b[3] = 0, 10 },        // total length below the header
		func(b []byte) { b[10] ^= 0xff },             // checksum
		func(b []byte) { b[26] ^= 0xff },             // UDP checksum
		func(b []byte) { b[24], b[25] = 0xff, 0xff }, // UDP length past the end
		func(b []byte) { b[24], b[25] = 0, 4 },       // UDP length below the header
		func(b []byte) { b[26], b[27] = 0, 0 },       // no UDP checksum
	} {
		b := bytes.Clone(good)
		mutate(b)
		add(rec(opIPv4|opKeepLen|opKeepSum|opKeepIHL, b))
	}
	add(rec(opIPv4, append(bytes.Clone(good), 0, 0, 0, 0))) // padding after the datagram
	// Options: record route, a loose source route.
	withOpts := ipv4.Fields{PayloadLen: 8 + len(hello), TTL: 64, Protocol: ipv4.ProtoUDP, Src: peerIP, Dst: fuzzIP,
		Options: []byte{7, 11, 4, 0, 0, 0, 0, 0, 0, 0, 0, 131, 7, 4, 10, 0, 0, 9}}
	ob := make([]byte, withOpts.HeaderLen()+8+len(hello))
	withOpts.Encode(ob)
	udp.Encode(ob[withOpts.HeaderLen():], 1, 7)
	copy(ob[withOpts.HeaderLen()+8:], hello)
	add(rec(opIPv4, ob))

	// Destinations and sources that are not a host's.
	for _, pair := range [][2]ipv4.Addr{
		{peerIP, ipv4.Addr{10, 0, 0, 3}}, {peerIP, linkBcIP}, {peerIP, ipv4.Broadcast}, {peerIP, ipv4.Addr{224, 0, 0, 1}},
		{ipv4.Broadcast, fuzzIP}, {linkBcIP, fuzzIP}, {ipv4.Addr{224, 0, 0, 9}, fuzzIP}, {ipv4.Addr{}, fuzzIP},
		{fuzzIP, fuzzIP}, {ipv4.Addr{127, 0, 0, 1}, fuzzIP},
	} {
		src, dst := pair[0], pair[1]
		add(rec(opIPv4, dgram(src, dst, ipv4.ProtoICMP, 2, 0, 0, echoMsg(icmp.TypeEcho, 1, 2, hello))),
			rec(opIPv4, udpDgram(src, dst, 1000, 9, hello)),
			rec(opIPv4, dgram(src, dst, 99, 3, 0, 0, hello)))
	}
	// UDP to a closed port in a link-layer broadcast, and unicast.
	add(rec(opIPv4|opBroadcast, udpDgram(peerIP, fuzzIP, 1000, 9, hello)),
		rec(opIPv4, udpDgram(peerIP, fuzzIP, 1000, 9, hello)))
	// A flood that fills the socket.
	var flood []byte
	for i := range 60 {
		flood = record(flood, opIPv4, udpDgram(peerIP, fuzzIP, 1000, 7, make([]byte, 400)))
		if i%7 == 6 {
			flood = binary.BigEndian.AppendUint16(append(flood, opAdvance|opDrain), 5) // read 5
		}
	}
	add(flood)

	// ICMP: echo, bad checksum, truncated, the reply the ping waits for
	// (twice), timestamps, errors quoting our datagram, garbage, short
	// quotes, an ICMP error, and an error about an error.
	add(rec(opIPv4, dgram(peerIP, fuzzIP, ipv4.ProtoICMP, 4, 0, 0, echoMsg(icmp.TypeEcho, 9, 9, nil))))
	badEcho := dgram(peerIP, fuzzIP, ipv4.ProtoICMP, 4, 0, 0, echoMsg(icmp.TypeEcho, 9, 9, hello))
	badEcho[len(badEcho)-1] ^= 1
	add(rec(opIPv4|opKeepSum, badEcho))
	add(rec(opIPv4, dgram(peerIP, fuzzIP, ipv4.ProtoICMP, 4, 0, 0, []byte{8, 0, 0, 0})))
	reply := rec(opIPv4, dgram(peerIP, fuzzIP, ipv4.ProtoICMP, 5, 0, 0, echoMsg(icmp.TypeEchoReply, 1, 1, nil)))
	add(reply, reply)
	ts := make([]byte, 20)
	icmp.Encode(ts, icmp.TypeTimestamp, 0, 0, make([]byte, 12))
	add(rec(opIPv4, dgram(peerIP, fuzzIP, ipv4.ProtoICMP, 6, 0, 0, ts)))
	ours := udpDgram(fuzzIP, peerIP, 5000, 9, hello)
	add(rec(opIPv4, dgram(peerIP, fuzzIP, ipv4.ProtoICMP, 7, 0, 0, unreachMsg(icmp.UnreachPort, ours))))
	add(rec(opIPv4, dgram(peerIP, fuzzIP, ipv4.ProtoICMP, 7, 0, 0, unreachMsg(icmp.UnreachNeedFrag, ours[:28]))))
	add(rec(opIPv4, dgram(gwIP, fuzzIP, ipv4.ProtoICMP, 7, 0, 0, unreachMsg(icmp.UnreachHost, ours[:22]))))
	add(rec(opIPv4, dgram(peerIP, fuzzIP, ipv4.ProtoICMP, 7, 0, 0, unreachMsg(icmp.UnreachPort, []byte("garbage that is not an IPv4 header")))))
	deepQuote := bytes.Clone(ours)
	deepQuote[0] = 0x4f
	add(rec(opIPv4, dgram(peerIP, fuzzIP, ipv4.ProtoICMP, 7, 0, 0, unreachMsg(icmp.UnreachPort, deepQuote))))
	te := make([]byte, icmp.HeaderLen+len(ours))
	icmp.EncodeTimeExceeded(te, icmp.TimeExceededTTL, ours, len(ours))
	add(rec(opIPv4, dgram(peerIP, fuzzIP, ipv4.ProtoICMP, 8, 0, 0, te)))
	pp := make([]byte, icmp.HeaderLen+len(ours))
	icmp.EncodeParamProblem(pp, 2, ours, len(ours))
	add(rec(opIPv4, dgram(peerIP, fuzzIP, ipv4.ProtoICMP, 8, 0, 0, pp)))
	errAboutErr := dgram(peerIP, fuzzIP, ipv4.ProtoICMP, 9, 0, 0, unreachMsg(icmp.UnreachPort, ours))
	add(rec(opIPv4, dgram(peerIP, fuzzIP, 77, 10, 0, 0, errAboutErr)))
	add(rec(opIPv4, dgram(peerIP, fuzzIP, ipv4.ProtoICMP, 9, 0, 0, unreachMsg(icmp.UnreachPort, errAboutErr))))

	// Fragments: a UDP datagram in two (and a duplicate), an echo in
	// three, overlaps, a ping of death, a first fragment alone that
	// times out, a later fragment alone, a flood of tiny ones.
	u := make([]byte, 8+1000)
	udp.EncodeChecksum(u, 1000, 7, peerIP, fuzzIP)
	add(rec(opIPv4, dgram(peerIP, fuzzIP, ipv4.ProtoUDP, 20, ipv4.FlagMF, 0, u[:512])),
		rec(opIPv4, dgram(peerIP, fuzzIP, ipv4.ProtoUDP, 20, ipv4.FlagMF, 0, u[:512])),
		rec(opIPv4, dgram(peerIP, fuzzIP, ipv4.ProtoUDP, 20, 0, 512, u[512:])))
	e := echoMsg(icmp.TypeEcho, 3, 3, make([]byte, 2992))
	add(rec(opIPv4, dgram(peerIP, fuzzIP, ipv4.ProtoICMP, 21, ipv4.FlagMF, 1480, e[1480:2960])),
		rec(opIPv4, dgram(peerIP, fuzzIP, ipv4.ProtoICMP, 21, 0, 2960, e[2960:])),
		rec(opIPv4, dgram(peerIP, fuzzIP, ipv4.ProtoICMP, 21, ipv4.FlagMF, 0, e[:1480])))
	add(rec(opIPv4, dgram(peerIP, fuzzIP, ipv4.ProtoUDP, 22, ipv4.FlagMF, 0, u[:512])),
		rec(opIPv4, dgram(peerIP, fuzzIP, ipv4.ProtoUDP, 22, 0, 256, u[256:])))
	add(rec(opIPv4, dgram(peerIP, fuzzIP, ipv4.ProtoICMP, 23, 0, 65528, make([]byte, 100))))
	add(rec(opIPv4, dgram(peerIP, fuzzIP, ipv4.ProtoUDP, 24, ipv4.FlagMF, 0, u[:512])),
		adv(31*time.Second),
		rec(opIPv4, dgram(peerIP, fuzzIP, ipv4.ProtoUDP, 24, 0, 512, u[512:])))
	add(rec(opIPv4, dgram(peerIP, fuzzIP, ipv4.ProtoICMP, 25, ipv4.FlagMF, 0, e[:1480])), adv(31*time.Second))
	add(rec(opIPv4|opBroadcast, dgram(peerIP, fuzzIP, ipv4.ProtoUDP, 25, ipv4.FlagMF, 0, u[:512])), adv(31*time.Second))
	add(rec(opIPv4, dgram(peerIP, fuzzIP, ipv4.ProtoUDP, 26, 0, 512, u[512:])), adv(31*time.Second))
	var tiny []byte
	for i := range 40 {
		tiny = record(tiny, opIPv4, dgram(peerIP, fuzzIP, ipv4.ProtoUDP, uint16(100+i), ipv4.FlagMF, 8*i, make([]byte, 8)))
	}
	add(tiny)
	// To a closed port, in fragments: the port unreachable quotes the
	// reassembled datagram.
	add(rec(opIPv4, dgram(peerIP, fuzzIP, ipv4.ProtoUDP, 27, ipv4.FlagMF, 0, append(udpHeaderFor(u, 9), u[8:512]...))),
		rec(opIPv4, dgram(peerIP, fuzzIP, ipv4.ProtoUDP, 27, 0, 512, u[512:])))

	// Resolution that fails: an echo from a neighbour who never answers,
	// and time for every retry.
	add(rec(opIPv4, dgram(ipv4.Addr{10, 0, 0, 3}, fuzzIP, ipv4.ProtoICMP, 30, 0, 0, echoMsg(icmp.TypeEcho, 4, 4, hello))),
		adv(time.Second), adv(time.Second), adv(time.Second), adv(time.Second))
	// A neighbour that answers, goes stale and is probed.
	add(rec(opIPv4, dgram(peerIP, fuzzIP, ipv4.ProtoICMP, 31, 0, 0, echoMsg(icmp.TypeEcho, 4, 4, hello))),
		rec(opARP, arpPacket(arp.OpReply, peerMAC, peerIP, fuzzMAC, fuzzIP)),
		adv(40*time.Second),
		rec(opIPv4, dgram(peerIP, fuzzIP, ipv4.ProtoICMP, 32, 0, 0, echoMsg(icmp.TypeEcho, 4, 5, hello))),
		adv(6*time.Second), adv(6*time.Second))
	// A forged request claims a REACHABLE neighbour's address: the old
	// address is probed; once it answers, once it does not.
	for _, answer := range []bool{true, false} {
		recs := [][]byte{
			rec(opIPv4, dgram(peerIP, fuzzIP, ipv4.ProtoICMP, 33, 0, 0, echoMsg(icmp.TypeEcho, 4, 6, hello))),
			rec(opARP, arpPacket(arp.OpReply, peerMAC, peerIP, fuzzMAC, fuzzIP)),
			rec(opARP|opBroadcast, arpPacket(arp.OpRequest, evilMAC, peerIP, ethernet.Addr{}, fuzzIP)),
			rec(opIPv4, dgram(peerIP, fuzzIP, ipv4.ProtoICMP, 34, 0, 0, echoMsg(icmp.TypeEcho, 4, 7, hello))),
		}
		if answer {
			recs = append(recs, rec(opARP, arpPacket(arp.OpReply, peerMAC, peerIP, fuzzMAC, fuzzIP)))
		}
		recs = append(recs, adv(time.Second), adv(time.Second), adv(time.Second),
			rec(opIPv4, dgram(peerIP, fuzzIP, ipv4.ProtoICMP, 35, 0, 0, echoMsg(icmp.TypeEcho, 4, 8, hello))))
		add(recs...)
	}

	// IPv6.
	v6 := func(b []byte) []byte { return rec(opRaw|opIPv6, b) }
	nsFrom := func(src, target ipv6.Addr, sll bool) []byte {
		var ll []byte
		if sll {
			ll = peerMAC[:]
		}
		b := make([]byte, 32)
		m, _ := icmpv6.EncodeNeighborSolicit(b, target, ll, nil, src, target.SolicitedNode())
		if src.IsUnspecified() {
			return pkt6(src, target.SolicitedNode(), 255, ipv4.ProtoICMPv6, m)
		}
		return pkt6(src, target.SolicitedNode(), 255, ipv4.ProtoICMPv6, m)
	}
	naFor := func(flags icmpv6.NAFlags, mac ethernet.Addr) []byte {
		b := make([]byte, 32)
		m, _ := icmpv6.EncodeNeighborAdvert(b, flags, peer6, mac[:], peer6, us6)
		return pkt6(peer6, us6, 255, ipv4.ProtoICMPv6, m)
	}
	udp6 := func(dport uint16, data []byte) []byte {
		u := make([]byte, 8+len(data))
		udp.Encode(u, 9, dport)
		copy(u[8:], data)
		return u
	}
	// Echo, resolution by a solicitation, a solicited advertisement.
	add(v6(pkt6(peer6, us6, 64, ipv4.ProtoICMPv6, echo6("hello, fuzzer"))),
		v6(naFor(icmpv6.NASolicited|icmpv6.NAOverride, peerMAC)))
	add(v6(nsFrom(peer6, us6, true)), v6(pkt6(peer6, us6, 64, ipv4.ProtoICMPv6, echo6("hello"))))
	add(v6(nsFrom(ipv6.Unspecified, us6, false)), v6(nsFrom(peerLL6, usLL6, true)))
	add(v6(pkt6(peerLL6, ipv6.AllNodes, 1, ipv4.ProtoICMPv6, echo6("all"))))
	// UDP: to the dual-stack socket, to the IPv4-only one, a zero
	// checksum, a datagram larger than the MTU in fragments.
	add(v6(nsFrom(peer6, us6, true)), v6(pkt6(peer6, us6, 64, ipv4.ProtoUDP, udp6(8, hello))),
		v6(pkt6(peer6, us6, 64, ipv4.ProtoUDP, udp6(7, hello))), rec(opAdvance|opDrain, []byte{}))
	zero := pkt6(peer6, us6, 64, ipv4.ProtoUDP, udp6(8, hello))
	zero[ipv6.HeaderLen+6], zero[ipv6.HeaderLen+7] = 0, 0
	add(rec(opRaw|opIPv6|opKeepSum, zero))
	big := pkt6(peer6, us6, 64, ipv4.ProtoUDP, udp6(8, bytes.Repeat(hello, 200)))
	var bigFrags []byte
	ipv6.Fragment(big, 1280, 77, make([]byte, 1280), func(f []byte) error {
		bigFrags = record(bigFrags, opRaw|opIPv6|opKeepSum, f)
		return nil
	})
	add(rec(opRaw|opIPv6, nsFrom(peer6, us6, true)), bigFrags)
	// Extension headers: an option to discard with an error, a routing
	// header with segments left, an unknown next header, an atomic
	// fragment, overlapping fragments, a first fragment that times out.
	add(v6(pkt6(peer6, us6, 64, ipv4.ProtoHopOpts, opts(ipv4.ProtoICMPv6, []byte{0xbe, 2, 0, 0}), echo6("x"))))
	add(v6(pkt6(peer6, ipv6.AllNodes, 64, ipv4.ProtoHopOpts, opts(ipv4.ProtoICMPv6, []byte{0xfe, 2, 0, 0}), echo6("x"))))
	add(v6(pkt6(peer6, us6, 64, ipv4.ProtoRouting, routing(ipv4.ProtoICMPv6, ipv6.RoutingSourceRoute, 1), echo6("x"))))
	add(v6(pkt6(peer6, us6, 64, 253, make([]byte, 8))))
	add(v6(pkt6(peer6, us6, 64, ipv4.ProtoFragment, fragHdr(ipv4.ProtoICMPv6, 0, false, 5), echo6("atomic"))))
	ep := echoPayload(100)
	add(v6(pkt6(peer6, us6, 64, ipv4.ProtoFragment, fragHdr(ipv4.ProtoICMPv6, 0, true, 6), ep[:64])),
		v6(pkt6(peer6, us6, 64, ipv4.ProtoFragment, fragHdr(ipv4.ProtoICMPv6, 56, false, 6), ep[56:])))
	add(v6(pkt6(peer6, us6, 64, ipv4.ProtoFragment, fragHdr(ipv4.ProtoICMPv6, 0, true, 7), ep[:64])),
		v6(nsFrom(peer6, us6, true)), adv(30*time.Second), adv(31*time.Second))
	// Errors: a packet too big and a port unreachable about the
	// connected socket's datagrams, and one about somebody else's.
	ourPkt := pkt6(us6, peer6, 64, ipv4.ProtoUDP, udp6(9, hello))
	binary.BigEndian.PutUint16(ourPkt[ipv6.HeaderLen:], 5001)
	ptb := make([]byte, 8+len(ourPkt))
	emsg, _ := icmpv6.EncodePacketTooBig(ptb, 1300, ourPkt, ipv6.Addr{}, ipv6.Addr{})
	add(v6(pkt6(other6, us6, 64, ipv4.ProtoICMPv6, emsg)))
	un := make([]byte, 8+len(ourPkt))
	emsg, _ = icmpv6.EncodeDestUnreachable(un, icmpv6.UnreachPort, ourPkt, ipv6.Addr{}, ipv6.Addr{})
	add(v6(pkt6(peer6, us6, 64, ipv4.ProtoICMPv6, emsg)), rec(opAdvance|opDrain, []byte{}))
	// A router advertisement, and a redirect.
	ra := icmpv6.AppendLinkAddr(make([]byte, icmpv6.RouterAdvertLen), icmpv6.OptSourceLinkAddr, peerMAC[:])
	ra[0] = byte(icmpv6.TypeRouterAdvert)
	add(v6(pkt6(netip6("fe80::fe"), ipv6.AllNodes, 255, ipv4.ProtoICMPv6, ra)),
		v6(pkt6(us6, netip6("2001:db9::1"), 64, ipv4.ProtoICMPv6, echo6("off-link"))))
	return seeds
}

// udpHeaderFor returns a copy of u's header with the destination port
// set to port (the checksum is fixed up by the reassembled datagram's
// absence of one: it is zeroed).
func udpHeaderFor(u []byte, port uint16) []byte {
	h := udp.Header(bytes.Clone(u[:udp.HeaderLen]))
	h.SetDstPort(port)
	h.SetChecksum(0)
	return h
}

// captureFrames reads the frames of a capture.
func captureFrames(tb testing.TB, name string) [][]byte {
	r, err := pcap.Open(name)
	if err != nil {
		tb.Logf("seed capture %s: %v", name, err)
		return nil
	}
	defer r.Close()
	var frames [][]byte
	for {
		p, err := r.Next()
		if err != nil {
			break
		}
		frames = append(frames, bytes.Clone(p.Data))
	}
	return frames
}

// retarget moves a frame of the Linux captures (10.9.0.1 at :0a talking
// to 10.9.0.2 at :0b) onto the fuzzed stack (10.9.0.2 becomes us) and its
// peer, wherever the addresses appear: Ethernet, ARP, IPv4 and quoted
// headers.
func retarget(f []byte) []byte {
	f = bytes.Clone(f)
	for _, r := range []struct{ from, to []byte }{
		{[]byte{0x02, 0, 0, 0, 0, 0x0b}, fuzzMAC[:]},
		{[]byte{0x02, 0, 0, 0, 0, 0x0a}, peerMAC[:]},
		{[]byte{10, 9, 0, 2}, fuzzIP[:]},
		{[]byte{10, 9, 0, 1}, peerIP[:]},
	} {
		for i := 0; i+len(r.from) <= len(f); i++ {
			if bytes.Equal(f[i:i+len(r.from)], r.from) {
				copy(f[i:], r.to)
			}
		}
	}
	return f
}

// TestFuzzSeeds runs the seed corpus one seed at a time, with a name
// that says which one failed.
func TestFuzzSeeds(t *testing.T) {
	seeds := fuzzSeeds(t)
	if len(seeds) < 50 {
		t.Fatalf("only %d seeds", len(seeds))
	}
	for i, s := range seeds {
		t.Run(fmt.Sprint(i), func(t *testing.T) { runFuzzInput(t, s) })
	}
}
