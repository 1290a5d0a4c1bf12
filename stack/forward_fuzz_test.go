package stack

import (
	"encoding/binary"
	"fmt"
	"net/netip"
	"runtime"
	"testing"
	"time"

	"github.com/medina-net/medina/ethernet"
	"github.com/medina-net/medina/icmp"
	"github.com/medina-net/medina/ipv4"
	"github.com/medina-net/medina/ipv6"
	"github.com/medina-net/medina/link"
	"github.com/medina-net/medina/tcp"
	"github.com/medina-net/medina/udp"
)

// FuzzForwardInput feeds a stack in any-address mode, TCP and UDP, the
// records FuzzStackInput reads (frames, clock steps), and checks after
// each that no frame left from an address it may not use: the stack's
// own, or, for TCP and UDP only, a unicast address any-address mode
// takes (never a broadcast, multicast or loopback one, and no ICMP from
// a foreign address); and that the flows and half-open connections stay
// within their bounds. A run that hangs fails.
func FuzzForwardInput(f *testing.F) {
	for _, seed := range forwardFuzzSeeds() {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		done := make(chan struct{})
		go func() {
			defer close(done)
			runForwardFuzz(t, data)
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

// Bounds of the fuzzed stack's any-address mode.
const (
	fuzzMaxFlows    = 4
	fuzzMaxHalfOpen = 4
	fuzzBacklog     = 8
)

func runForwardFuzz(t *testing.T, data []byte) {
	clock := newManualClock()
	dev := newFuzzDevice(fuzzMAC)
	cfg := fuzzConfig(clock)
	cfg.TCP.AcceptBacklog = fuzzBacklog
	s, err := New(dev, cfg)
	if err != nil {
		t.Error(err)
		return
	}
	defer s.Close()
	tl, err := s.ListenAnyTCP(tcp.AnyOptions{MaxHalfOpen: fuzzMaxHalfOpen, Allow: func(local, _ netip.AddrPort) bool {
		return local.Port() != 25 // a refusal to reach
	}})
	if err != nil {
		t.Fatal(err)
	}
	defer tl.Close()
	ul, err := s.ListenAnyUDP(AnyUDPOptions{MaxFlows: fuzzMaxFlows, IdleTimeout: time.Second})
	if err != nil {
		t.Fatal(err)
	}
	defer ul.Close()
	check := func(when string) {
		for _, frame := range dev.written() {
			if msg := forwardOutputProblem(s, frame); msg != "" {
				t.Errorf("%s: %s: %x", when, msg, frame)
			}
		}
		ul.mu.Lock()
		n := len(ul.flows)
		ul.mu.Unlock()
		if n > fuzzMaxFlows {
			t.Errorf("%s: %d UDP flows open, at most %d allowed", when, n, fuzzMaxFlows)
		}
		if n := s.tcp.NumConns(); n > fuzzMaxHalfOpen+fuzzBacklog+1 {
			t.Errorf("%s: %d connections with nobody accepting, at most %d half-open and %d queued allowed", when, n, fuzzMaxHalfOpen, fuzzBacklog)
		}
	}
	for step := 0; len(data) >= 3 && !t.Failed(); step++ {
		op := data[0]
		n := int(binary.BigEndian.Uint16(data[1:]))
		data = data[3:]
		if op&3 == opAdvance {
			clock.Advance(time.Duration(n) * 10 * time.Millisecond)
			check(fmt.Sprintf("step %d, advancing %dms", step, n*10))
			continue
		}
		n = min(n, len(data))
		frame := fuzzFrame(op, data[:n])
		data = data[n:]
		if len(frame) > link.FrameLen(dev) {
			frame = frame[:link.FrameLen(dev)]
		}
		s.inputAt(frame, link.RxOffload{}, s.clock.Now())
		check(fmt.Sprintf("step %d", step))
	}
}

// forwardOutputProblem says what is wrong with a frame the fuzzed stack
// wrote, or "".
func forwardOutputProblem(s *Stack, frame []byte) string {
	f, err := ethernet.NewFrame(frame)
	if err != nil {
		return "not a frame"
	}
	switch f.Type() {
	case ethernet.TypeIPv4:
		h, err := ipv4.NewHeader(f.Payload())
		if err != nil {
			return "a bad IPv4 header"
		}
		src := h.Src()
		if src == fuzzIP {
			return ""
		}
		if !s.forwardable4(src) {
			return fmt.Sprintf("an IPv4 datagram from %v", src)
		}
		if p := h.Protocol(); p != ipv4.ProtoTCP && p != ipv4.ProtoUDP {
			return fmt.Sprintf("protocol %d from the foreign address %v", p, src)
		}
	case ethernet.TypeIPv6:
		h, err := ipv6.NewHeader(f.Payload())
		if err != nil {
			return "a bad IPv6 header"
		}
		src := h.Src()
		if src == us6 || src == usLL6 {
			return ""
		}
		if !forwardable6(src) || s.addrs().ours6(src) {
			return fmt.Sprintf("an IPv6 packet from %v", src)
		}
		if p := h.NextHeader(); p != ipv4.ProtoTCP && p != ipv4.ProtoUDP && p != ipv4.ProtoFragment {
			return fmt.Sprintf("next header %d from the foreign address %v", p, src)
		}
	}
	return ""
}

// forwardFuzzSeeds are conversations with foreign addresses: SYNs and
// the ACKs that would complete them, to allowed and refused ports, UDP
// to several destinations (more than MaxFlows), an echo request and a
// Fragmentation Needed to a foreign address, over both families.
func forwardFuzzSeeds() [][]byte {
	far4 := ipv4.Addr{198, 51, 100, 7}
	far6 := ipv6.Addr(netip.MustParseAddr("2001:db8:99::7").As16())
	tcpSeg := func(dport uint16, flags tcp.Flags, seq, ack uint32) []byte {
		b := make([]byte, tcp.HeaderLen)
		f := tcp.Fields{SrcPort: 40000, DstPort: dport, Seq: seq, Ack: ack, Flags: flags, Window: 65535}
		f.Encode(b)
		return b
	}
	udpDgram := func(dport uint16) []byte {
		b := make([]byte, udp.HeaderLen+5)
		udp.Encode(b, 40001, dport)
		copy(b[udp.HeaderLen:], "hello")
		return b
	}
	echo := make([]byte, 8)
	icmp.EncodeEcho(echo, icmp.TypeEcho, 1, 1, nil)
	var seeds [][]byte
	var all []byte
	add := func(op byte, body []byte) {
		r := record(nil, op, body)
		seeds = append(seeds, r)
		all = append(all, r...)
	}
	v4 := func(dst ipv4.Addr, proto ipv4.Protocol, payload []byte) {
		add(opIPv4, dgram(peerIP, dst, proto, 1, 0, 0, payload))
	}
	v6 := func(dst ipv6.Addr, proto ipv4.Protocol, payload []byte) {
		add(opRaw|opIPv6, pkt6(peer6, dst, 64, proto, payload))
	}
	v4(far4, ipv4.ProtoTCP, tcpSeg(80, tcp.FlagSYN, 1000, 0))
	v4(far4, ipv4.ProtoTCP, tcpSeg(80, tcp.FlagACK, 1001, 1))
	v4(far4, ipv4.ProtoTCP, tcpSeg(25, tcp.FlagSYN, 1000, 0))
	v6(far6, ipv4.ProtoTCP, tcpSeg(443, tcp.FlagSYN, 5000, 0))
	for i := range 6 {
		v4(ipv4.Addr{203, 0, 113, byte(i + 1)}, ipv4.ProtoUDP, udpDgram(53))
	}
	v6(far6, ipv4.ProtoUDP, udpDgram(53))
	v4(far4, ipv4.ProtoICMP, echo)
	sent := dgram(far4, peerIP, ipv4.ProtoTCP, 1, ipv4.FlagDF, 0, tcpSeg(80, tcp.FlagACK, 1, 1001))
	fn := make([]byte, icmp.HeaderLen+len(sent))
	if _, err := icmp.EncodeDestUnreachable(fn, icmp.UnreachNeedFrag, 1000, ipv4.Header(sent), len(sent)); err == nil {
		v4(far4, ipv4.ProtoICMP, fn)
	}
	all = advance(all, 2*time.Second)
	return append(seeds, all)
}
