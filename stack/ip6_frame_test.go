package stack

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"net/netip"
	"testing"
	"time"

	"github.com/medina-net/medina/ethernet"
	"github.com/medina-net/medina/icmpv6"
	"github.com/medina-net/medina/internal/manualclock"
	"github.com/medina-net/medina/ipv4"
	"github.com/medina-net/medina/ipv6"
	"github.com/medina-net/medina/neigh"
	"github.com/medina-net/medina/udp"
)

// A stack on a device the test drives by hand, for crafted IPv6 frames:
// 2001:db8::1/64 and fe80::1/64 at fuzzMAC; the peer is 2001:db8::2 and
// fe80::2 at peerMAC.
var (
	us6     = ipv6.Addr(addrA6.As16())
	usLL6   = ipv6.Addr(llA6.As16())
	peer6   = ipv6.Addr(addrB6.As16())
	peerLL6 = ipv6.Addr(llB6.As16())
	other6  = ipv6.Addr(netip.MustParseAddr("2001:db8::99").As16())
)

type harness6 struct {
	t     *testing.T
	s     *Stack
	dev   *fuzzDevice
	clock *manualclock.Clock
}

func newHarness6(t *testing.T, mod func(*Config)) *harness6 {
	t.Helper()
	clock := newManualClock()
	dev := newFuzzDevice(fuzzMAC)
	cfg := Config{
		Addr:  netip.MustParsePrefix("10.0.0.1/24"),
		Addrs: []netip.Prefix{netip.PrefixFrom(addrA6, 64), netip.PrefixFrom(llA6, 64)},
		Clock: clock,
		Rand:  SeededRand(3),
	}
	if mod != nil {
		mod(&cfg)
	}
	s, err := New(dev, cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	dev.written() // the gratuitous ARP
	return &harness6{t: t, s: s, dev: dev, clock: clock}
}

// send gives the stack a frame holding pkt, to its MAC address, or to the
// group's when the destination is multicast.
func (h *harness6) send(pkt []byte) {
	dst := fuzzMAC
	if d := ipv6.Header(pkt).Dst(); d.IsMulticast() {
		dst = d.EthernetMulticast()
	}
	h.s.input(ethFrame(dst, peerMAC, ethernet.TypeIPv6, pkt))
}

// out returns the IPv6 packets the stack sent since the last call.
func (h *harness6) out() []ipv6.Header {
	var pkts []ipv6.Header
	for _, f := range h.dev.written() {
		fr, err := ethernet.NewFrame(f)
		if err == nil && fr.Type() == ethernet.TypeIPv6 {
			pkts = append(pkts, ipv6.Header(fr.Payload()))
		}
	}
	return pkts
}

// icmp returns the ICMPv6 messages among pkts.
func icmpOf(pkts []ipv6.Header) []icmpv6.Message {
	var ms []icmpv6.Message
	for _, p := range pkts {
		if proto, off, how := p.UpperLayer(); how == ipv6.ChainUpper && proto == ipv4.ProtoICMPv6 {
			ms = append(ms, icmpv6.Message(p[off:p.Len()]))
		}
	}
	return ms
}

// learnPeer lets the stack learn the peer's link-layer address (a
// neighbour solicitation from it), so that answers go out at once.
func (h *harness6) learnPeer() {
	for _, src := range []ipv6.Addr{peer6, peerLL6} {
		target := us6
		if src == peerLL6 {
			target = usLL6
		}
		m := make([]byte, 32)
		msg, _ := icmpv6.EncodeNeighborSolicit(m, target, peerMAC[:], nil, src, target.SolicitedNode())
		h.send(pkt6(src, target.SolicitedNode(), 255, ipv4.ProtoICMPv6, msg))
	}
	h.out()
}

// pkt6 builds a packet: the fixed header naming first, then the given
// headers and upper-layer payload, the checksum of an ICMPv6 or UDP
// payload filled in when the chain leads to it.
func pkt6(src, dst ipv6.Addr, hop uint8, first ipv4.Protocol, parts ...[]byte) []byte {
	var body []byte
	for _, p := range parts {
		body = append(body, p...)
	}
	b := make([]byte, ipv6.HeaderLen+len(body))
	f := ipv6.Fields{PayloadLen: len(body), NextHeader: first, HopLimit: hop, Src: src, Dst: dst}
	f.Encode(b)
	copy(b[ipv6.HeaderLen:], body)
	h := ipv6.Header(b)
	if f, _, ok := h.FragmentHeader(); ok && !f.IsAtomic() {
		return b // a piece of a packet whose checksum is the whole's
	}
	if proto, off, how := h.UpperLayer(); how == ipv6.ChainUpper && off < len(b) {
		switch proto {
		case ipv4.ProtoICMPv6:
			if len(b)-off >= icmpv6.MinLen {
				m := icmpv6.Message(b[off:])
				m.SetChecksum(0)
				m.FillChecksum(src, dst)
			}
		case ipv4.ProtoUDP:
			if len(b)-off >= udp.HeaderLen {
				u := udp.Header(b[off:])
				u.SetChecksum(u.ComputeChecksum6(src, dst))
			}
		}
	}
	return b
}

// echo6 is an echo request with the given data.
func echo6(data string) []byte {
	b := make([]byte, icmpv6.HeaderLen+len(data))
	m, _ := icmpv6.EncodeEcho(b, icmpv6.TypeEchoRequest, 7, 1, []byte(data), ipv6.Addr{}, ipv6.Addr{})
	return m
}

// opts builds an options header naming next holding the given options,
// padded to 8 bytes.
func opts(next ipv4.Protocol, options ...[]byte) []byte {
	b := []byte{byte(next), 0}
	for _, o := range options {
		b = append(b, o...)
	}
	if pad := (8 - len(b)%8) % 8; pad == 1 {
		b = append(b, 0)
	} else if pad > 1 {
		b = append(b, 1, byte(pad-2))
		b = append(b, make([]byte, pad-2)...)
	}
	b[1] = byte(len(b)/8 - 1)
	return b
}

// routing builds a routing header of type typ with segments left and one
// address.
func routing(next ipv4.Protocol, typ ipv6.RoutingType, left uint8) []byte {
	b := make([]byte, 24)
	ipv6.EncodeRouting(b, next, typ, left, other6)
	return b
}

type icmpSeen struct {
	t    icmpv6.Type
	code icmpv6.Code
	ptr  uint32
}

func (c icmpSeen) String() string { return fmt.Sprintf("%v code %d pointer %d", c.t, c.code, c.ptr) }

func seen(ms []icmpv6.Message) []icmpSeen {
	var out []icmpSeen
	for _, m := range ms {
		if m.Type() == icmpv6.TypeNeighborSolicit || m.Type() == icmpv6.TypeNeighborAdvert {
			continue
		}
		out = append(out, icmpSeen{m.Type(), m.Code(), m.RestOfHeader()})
	}
	return out
}

// TestIPv6ExtensionHeaders sends crafted packets with extension headers
// and checks what comes back: an echo reply when the packet goes
// through, a parameter problem with RFC 8200's code and pointer when it
// must, nothing when it must be dropped silently.
func TestIPv6ExtensionHeaders(t *testing.T) {
	reply := []icmpSeen{{icmpv6.TypeEchoReply, 0, 7<<16 | 1}}
	pp := func(code icmpv6.Code, ptr uint32) []icmpSeen {
		return []icmpSeen{{icmpv6.TypeParamProblem, code, ptr}}
	}
	opt := func(typ byte) []byte { return []byte{typ, 2, 0, 0} }
	all := ipv6.AllNodes
	for _, c := range []struct {
		name  string
		dst   ipv6.Addr
		first ipv4.Protocol
		parts [][]byte
		want  []icmpSeen
	}{
		{"plain", us6, ipv4.ProtoICMPv6, nil, reply},
		{"hop-by-hop, padding", us6, ipv4.ProtoHopOpts, [][]byte{opts(ipv4.ProtoICMPv6)}, reply},
		{"router alert", us6, ipv4.ProtoHopOpts, [][]byte{opts(ipv4.ProtoICMPv6, []byte{5, 2, 0, 0})}, reply},
		{"unknown option, skip", us6, ipv4.ProtoHopOpts, [][]byte{opts(ipv4.ProtoICMPv6, opt(0x3e))}, reply},
		{"unknown option, discard", us6, ipv4.ProtoDstOpts, [][]byte{opts(ipv4.ProtoICMPv6, opt(0x7e))}, nil},
		{"unknown option, discard and tell", us6, ipv4.ProtoHopOpts, [][]byte{opts(ipv4.ProtoICMPv6, opt(0xbe))}, pp(2, 42)},
		{"unknown option, discard and tell, multicast", all, ipv4.ProtoHopOpts, [][]byte{opts(ipv4.ProtoICMPv6, opt(0xbe))}, pp(2, 42)},
		{"unknown option, tell if unicast", us6, ipv4.ProtoDstOpts, [][]byte{opts(ipv4.ProtoICMPv6, []byte{1, 0}, opt(0xfe))}, pp(2, 44)},
		{"unknown option, tell if unicast, multicast", all, ipv4.ProtoDstOpts, [][]byte{opts(ipv4.ProtoICMPv6, opt(0xfe))}, nil},
		{"option past its header", us6, ipv4.ProtoHopOpts, [][]byte{{byte(ipv4.ProtoICMPv6), 0, 1, 9, 0, 0, 0, 0}}, pp(0, 42)},
		{"wrong length of a known option", us6, ipv4.ProtoHopOpts, [][]byte{opts(ipv4.ProtoICMPv6, []byte{5, 3, 0, 0, 0})}, pp(0, 42)},
		{"wrong length of an unknown skip option", us6, ipv4.ProtoHopOpts, [][]byte{opts(ipv4.ProtoICMPv6, []byte{0x3e, 1, 0})}, reply},
		{"hop-by-hop not first", us6, ipv4.ProtoDstOpts, [][]byte{opts(ipv4.ProtoHopOpts), opts(ipv4.ProtoICMPv6)}, pp(1, 40)},
		{"routing type 0, segments left", us6, ipv4.ProtoRouting, [][]byte{routing(ipv4.ProtoICMPv6, ipv6.RoutingSourceRoute, 1)}, pp(0, 42)},
		{"routing type 0, no segments left", us6, ipv4.ProtoRouting, [][]byte{routing(ipv4.ProtoICMPv6, ipv6.RoutingSourceRoute, 0)}, reply},
		{"routing of unknown type, segments left", us6, ipv4.ProtoDstOpts, [][]byte{opts(ipv4.ProtoRouting), routing(ipv4.ProtoICMPv6, 253, 2)}, pp(0, 50)},
		{"routing of unknown type, no segments left", us6, ipv4.ProtoRouting, [][]byte{routing(ipv4.ProtoICMPv6, 253, 0)}, reply},
		{"unknown next header", us6, 253, [][]byte{make([]byte, 8)}, pp(1, 6)},
		{"unknown next header after options", us6, ipv4.ProtoDstOpts, [][]byte{opts(253), make([]byte, 8)}, pp(1, 40)},
		{"authentication header", us6, ipv4.ProtoAH, [][]byte{{58, 4, 0, 0, 0, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0}}, pp(1, 6)},
		{"unknown next header, multicast", all, 253, [][]byte{make([]byte, 8)}, nil},
		{"no next header", us6, ipv4.ProtoNoNext, [][]byte{make([]byte, 8)}, nil},
		{"header past the payload", us6, ipv4.ProtoDstOpts, [][]byte{{byte(ipv4.ProtoICMPv6), 4, 1, 4, 0, 0, 0, 0}}, pp(0, 41)},
		{"atomic fragment", us6, ipv4.ProtoFragment, [][]byte{fragHdr(ipv4.ProtoICMPv6, 0, false, 9)}, reply},
		{"two fragment headers", us6, ipv4.ProtoFragment, [][]byte{fragHdr(ipv4.ProtoFragment, 0, false, 9), fragHdr(ipv4.ProtoICMPv6, 8, true, 9)}, nil},
		{"to a group not joined", netip6("ff02::1:ff00:99"), ipv4.ProtoICMPv6, nil, nil},
		{"to our solicited-node group", us6.SolicitedNode(), ipv4.ProtoICMPv6, nil, reply},
		{"to another host", other6, ipv4.ProtoICMPv6, nil, nil},
		// An error never answers an error (RFC 4443 2.4 (e.1)).
		{"error about an error", us6, ipv4.ProtoHopOpts, [][]byte{opts(ipv4.ProtoICMPv6, opt(0xbe)), errMsg6()}, nil},
	} {
		t.Run(c.name, func(t *testing.T) {
			h := newHarness6(t, nil)
			h.learnPeer()
			parts := c.parts
			if c.name != "error about an error" {
				parts = append(append([][]byte{}, parts...), echo6("hello"))
			}
			before := h.s.Stats()
			h.send(pkt6(peer6, c.dst, 64, c.first, parts...))
			got := seen(icmpOf(h.out()))
			if fmt.Sprint(got) != fmt.Sprint(c.want) {
				t.Errorf("got %v, want %v", got, c.want)
			}
			// Every packet is accounted for (a frame to a group not
			// joined by the link layer).
			all := h.s.Stats()
			st := all.IPv6
			in := st.InReceives - before.IPv6.InReceives + all.Link.InOtherHost
			acc := st.InHdrErrors + st.InAddrErrors + st.InUnknownProtos + st.InOptionDrops + st.InRoutingErrors +
				st.InNoNext + st.InDelivers - (before.IPv6.InDelivers + before.IPv6.InHdrErrors) + all.Link.InOtherHost
			if in != 1 || acc != 1 {
				t.Errorf("%d received, %d accounted for: %+v", in, acc, st)
			}
		})
	}
}

func netip6(s string) ipv6.Addr { return ipv6.Addr(netip.MustParseAddr(s).As16()) }

func fragHdr(next ipv4.Protocol, off int, more bool, id uint32) []byte {
	b := make([]byte, 8)
	ipv6.EncodeFragmentHeader(b, next, off, more, id)
	return b
}

// errMsg6 is a destination unreachable quoting a packet from us.
func errMsg6() []byte {
	quoted := pkt6(us6, peer6, 64, ipv4.ProtoUDP, make([]byte, 8))
	b := make([]byte, 8+len(quoted))
	m, _ := icmpv6.EncodeDestUnreachable(b, icmpv6.UnreachAddress, quoted, ipv6.Addr{}, ipv6.Addr{})
	return m
}

// TestIPv6Multicast: an echo request to all-nodes is answered from a
// unicast address (RFC 4443 4.1); a frame to another host's MAC address
// is not read.
func TestIPv6Multicast(t *testing.T) {
	h := newHarness6(t, nil)
	h.learnPeer()
	h.send(pkt6(peerLL6, ipv6.AllNodes, 1, ipv4.ProtoICMPv6, echo6("all")))
	out := h.out()
	if len(out) != 1 || out[0].Src() != usLL6 || out[0].Dst() != peerLL6 {
		t.Fatalf("answer to a multicast echo: %v", out)
	}
	// From our own address: a forgery, never answered.
	h.send(pkt6(us6, us6, 64, ipv4.ProtoICMPv6, echo6("me")))
	if out := h.out(); len(out) != 0 {
		t.Errorf("answered a packet from our own address: %v", out)
	}
	h.s.input(ethFrame(ethernet.Addr{0x33, 0x33, 0, 0, 0, 9}, peerMAC, ethernet.TypeIPv6, pkt6(peer6, netip6("ff02::9"), 1, ipv4.ProtoICMPv6, echo6("x"))))
	if st := h.s.Stats(); st.Link.InOtherHost != 1 {
		t.Errorf("a frame to a group not joined: %+v", st.Link)
	}
}

// TestIPv6ErrorRateLimit: a burst of packets that each deserve an error
// gets ICMPErrorBurst of them, then the bucket refills.
func TestIPv6ErrorRateLimit(t *testing.T) {
	h := newHarness6(t, func(c *Config) { c.ICMPErrorRate, c.ICMPErrorBurst = 10, 5 })
	h.learnPeer()
	for range 20 {
		h.send(pkt6(peer6, us6, 64, 253, make([]byte, 8)))
	}
	if n := len(icmpOf(h.out())); n != 5 {
		t.Errorf("%d errors for 20 packets, burst 5", n)
	}
	h.clock.Advance(time.Second)
	for range 20 {
		h.send(pkt6(peer6, us6, 64, 253, make([]byte, 8)))
	}
	if n := len(icmpOf(h.out())); n != 5 {
		t.Errorf("%d errors a second later, rate 10/s", n)
	}
	if st := h.s.Stats().ICMPv6; st.OutRateLimited != 30 || st.OutParmProblems != 10 {
		t.Errorf("%+v", st)
	}
}

// TestUDP6Checksums: IPv6 forbids a zero UDP checksum; a wrong one is
// counted too.
func TestUDP6Checksums(t *testing.T) {
	h := newHarness6(t, nil)
	h.learnPeer()
	c, err := h.s.ListenPacket("udp", ":9")
	if err != nil {
		t.Fatal(err)
	}
	dg := func() []byte {
		u := make([]byte, 12)
		udp.Encode(u, 1000, 9)
		copy(u[8:], "ping")
		return u
	}
	good := pkt6(peer6, us6, 64, ipv4.ProtoUDP, dg())
	zero := pkt6(peer6, us6, 64, ipv4.ProtoUDP, dg())
	binary.BigEndian.PutUint16(zero[ipv6.HeaderLen+6:], 0)
	bad := pkt6(peer6, us6, 64, ipv4.ProtoUDP, dg())
	bad[len(bad)-1] ^= 1
	h.send(zero)
	h.send(bad)
	h.send(good)
	st := h.s.Stats().UDP6
	if st.InZeroCsums != 1 || st.InCsumErrors != 1 || st.InErrors != 2 || st.InDatagrams != 1 {
		t.Errorf("%+v", st)
	}
	c.SetReadDeadline(h.clock.Now().Add(time.Hour))
	buf := make([]byte, 10)
	n, from, err := c.ReadFrom(buf)
	if err != nil || string(buf[:n]) != "ping" || from.String() != "[2001:db8::2]:1000" {
		t.Errorf("%q from %v, %v", buf[:n], from, err)
	}
	if len(h.out()) != 0 {
		t.Error("an answer to a bad checksum")
	}
}

// TestNDPValidation: Neighbor Discovery messages that fail RFC 4861
// 7.1's checks change nothing and get no answer; a valid solicitation
// gets a solicited advertisement with our link-layer address, from the
// target, and a solicitation from :: (another host's duplicate address
// detection) an unsolicited one to all-nodes.
func TestNDPValidation(t *testing.T) {
	ns := func(src, dst, target ipv6.Addr, hop uint8, sll bool) []byte {
		var ll []byte
		if sll {
			ll = peerMAC[:]
		}
		b := make([]byte, 32)
		m, _ := icmpv6.EncodeNeighborSolicit(b, target, ll, nil, src, dst)
		return pkt6(src, dst, hop, ipv4.ProtoICMPv6, m)
	}
	type want struct {
		dst   ipv6.Addr
		flags icmpv6.NAFlags
	}
	for _, c := range []struct {
		name string
		pkt  []byte
		want []want
	}{
		{"valid", ns(peer6, us6.SolicitedNode(), us6, 255, true), []want{{peer6, icmpv6.NASolicited | icmpv6.NAOverride}}},
		{"unicast probe", ns(peer6, us6, us6, 255, true), []want{{peer6, icmpv6.NASolicited | icmpv6.NAOverride}}},
		{"hop limit 254", ns(peer6, us6.SolicitedNode(), us6, 254, true), nil},
		{"target not ours", ns(peer6, other6.SolicitedNode(), other6, 255, true), nil},
		{"target not ours, to us", ns(peer6, us6, other6, 255, true), nil},
		{"DAD of our address", ns(ipv6.Unspecified, us6.SolicitedNode(), us6, 255, false), []want{{ipv6.AllNodes, icmpv6.NAOverride}}},
		{"DAD with a link-layer address", ns(ipv6.Unspecified, us6.SolicitedNode(), us6, 255, true), nil},
		{"DAD to the address itself", ns(ipv6.Unspecified, us6, us6, 255, false), nil},
		{"multicast target", ns(peer6, us6.SolicitedNode(), ipv6.AllNodes, 255, true), nil},
	} {
		t.Run(c.name, func(t *testing.T) {
			h := newHarness6(t, nil)
			h.send(c.pkt)
			var got []want
			for _, p := range h.out() {
				for _, m := range icmpOf([]ipv6.Header{p}) {
					if m.Type() != icmpv6.TypeNeighborAdvert {
						continue
					}
					target, _ := m.Target()
					o, ok := m.Options().Find(icmpv6.OptTargetLinkAddr)
					mac, _ := o.EthernetAddr()
					if !ok || target != us6 || p.Src() != us6 || p.HopLimit() != 255 || ethernet.Addr(mac) != fuzzMAC {
						t.Errorf("advertisement %x from %v", []byte(m), p.Src())
					}
					got = append(got, want{p.Dst(), m.NAFlags()})
				}
			}
			if fmt.Sprint(got) != fmt.Sprint(c.want) {
				t.Errorf("advertisements %v, want %v", got, c.want)
			}
			if st := h.s.Stats(); c.want == nil && st.ICMPv6.InNDPInvalid+st.ICMPv6.InNDPOther+st.Link.InOtherHost != 1 {
				t.Errorf("not counted: %+v", h.s.Stats().ICMPv6)
			}
		})
	}
}

// TestNDPResolution: a packet to an unresolved neighbour waits while a
// solicitation goes to its solicited-node group; an unsolicited
// advertisement does not answer it, a solicited one does and the packet
// goes; unanswered solicitations are repeated, then the packets are
// dropped and counted.
func TestNDPResolution(t *testing.T) {
	h := newHarness6(t, nil)
	c, err := h.s.Dial("udp6", "[2001:db8::2]:53")
	if err != nil {
		t.Fatal(err)
	}
	c.Write([]byte("query"))
	out := h.out()
	if len(out) != 1 {
		t.Fatalf("%d packets, want a solicitation", len(out))
	}
	m := icmpOf(out)[0]
	if target, _ := m.Target(); m.Type() != icmpv6.TypeNeighborSolicit || target != peer6 || out[0].Dst() != peer6.SolicitedNode() ||
		out[0].HopLimit() != 255 || out[0].Src() != us6 {
		t.Fatalf("solicitation %v -> %v: %x", out[0].Src(), out[0].Dst(), []byte(m))
	}
	na := func(flags icmpv6.NAFlags, mac ethernet.Addr, dst ipv6.Addr) []byte {
		b := make([]byte, 32)
		msg, _ := icmpv6.EncodeNeighborAdvert(b, flags, peer6, mac[:], peer6, dst)
		return pkt6(peer6, dst, 255, ipv4.ProtoICMPv6, msg)
	}
	// A solicited advertisement to a multicast address is invalid.
	h.send(na(icmpv6.NASolicited|icmpv6.NAOverride, evilMAC, ipv6.AllNodes))
	if len(h.out()) != 0 {
		t.Fatal("an invalid advertisement released the packet")
	}
	h.send(na(icmpv6.NASolicited|icmpv6.NAOverride, peerMAC, us6))
	frames := h.dev.written()
	if len(frames) != 1 || !bytes.Equal(frames[0][:6], peerMAC[:]) || !bytes.Contains(frames[0], []byte("query")) {
		t.Fatalf("after the advertisement: %d frames", len(frames))
	}

	// Nobody answers for 2001:db8::3: three solicitations a second
	// apart, then the packet is dropped.
	c3, _ := h.s.Dial("udp6", "[2001:db8::3]:53")
	c3.Write([]byte("lost"))
	for range 5 {
		h.clock.Advance(time.Second)
	}
	n := 0
	for _, m := range icmpOf(h.out()) {
		if m.Type() == icmpv6.TypeNeighborSolicit {
			n++
		}
	}
	if st := h.s.Stats(); n != 3 || st.NDP.Failures != 1 || st.IPv6.OutDiscards != 1 {
		t.Errorf("%d solicitations; %+v %+v", n, st.NDP, st.IPv6)
	}
}

// fragments6 splits an echo request from the peer into fragments of the
// given data sizes (multiples of 8 but the last), all with ID id.
func fragments6(id uint32, data []byte, sizes ...int) [][]byte {
	var out [][]byte
	off := 0
	for i, n := range sizes {
		more := i < len(sizes)-1
		out = append(out, pkt6(peer6, us6, 64, ipv4.ProtoFragment, fragHdr(ipv4.ProtoICMPv6, off, more, id), data[off:off+n]))
		off += n
	}
	return out
}

// echoPayload is a whole echo request from the peer to us, checksummed,
// as the data a fragmented packet carries.
func echoPayload(n int) []byte {
	p := pkt6(peer6, us6, 64, ipv4.ProtoICMPv6, echo6(string(bytes.Repeat([]byte{'x'}, n))))
	return p[ipv6.HeaderLen:]
}

// TestIPv6Reassembly: fragments in any order make a packet; overlapping
// ones (RFC 5722), a first fragment without the header chain (RFC 7112),
// fragments of impossible length, too many fragments and timeouts are
// dropped and counted, with the ICMPv6 errors RFC 8200 4.5 asks for.
func TestIPv6Reassembly(t *testing.T) {
	data := echoPayload(2000)
	t.Run("in order and reversed", func(t *testing.T) {
		h := newHarness6(t, nil)
		h.learnPeer()
		frags := fragments6(1, data, 1000, 1000, len(data)-2000)
		for _, f := range frags {
			h.send(f)
		}
		for i := len(frags) - 1; i >= 0; i-- {
			f := fragments6(2, data, 1000, 1000, len(data)-2000)[i]
			h.send(f)
		}
		if got := seen(icmpOf(h.out())); len(got) != 2 || got[0].t != icmpv6.TypeEchoReply {
			t.Errorf("got %v", got)
		}
		if st := h.s.Stats().IPv6; st.ReasmOKs != 2 || st.ReasmReqds != 6 {
			t.Errorf("%+v", st)
		}
	})
	t.Run("overlap", func(t *testing.T) {
		h := newHarness6(t, nil)
		h.learnPeer()
		frags := fragments6(3, data, 1000, 1000, len(data)-2000)
		evil := pkt6(peer6, us6, 64, ipv4.ProtoFragment, fragHdr(ipv4.ProtoICMPv6, 992, true, 3), bytes.Repeat([]byte{'!'}, 16))
		for _, f := range [][]byte{frags[0], evil, frags[1], frags[2]} {
			h.send(f)
		}
		if got := seen(icmpOf(h.out())); len(got) != 0 {
			t.Errorf("got %v", got)
		}
		if st := h.s.Stats().IPv6; st.ReasmOverlaps != 1 || st.ReasmDiscards != 2 || st.ReasmOKs != 0 {
			t.Errorf("%+v", st)
		}
	})
	t.Run("incomplete chain", func(t *testing.T) {
		h := newHarness6(t, nil)
		h.learnPeer()
		// The destination options header is cut by the end of the
		// first fragment.
		dopts := opts(ipv4.ProtoICMPv6, []byte{1, 30}, make([]byte, 30))
		body := append(dopts, echo6("late")...)
		first := pkt6(peer6, us6, 64, ipv4.ProtoFragment, fragHdr(ipv4.ProtoDstOpts, 0, true, 4), body[:16])
		h.send(first)
		if got := seen(icmpOf(h.out())); fmt.Sprint(got) != "[ParamProblem code 3 pointer 0]" && fmt.Sprint(got) != "[parameter problem code 3 pointer 0]" {
			t.Errorf("got %v", got)
		}
		if st := h.s.Stats().IPv6; st.ReasmIncompleteChain != 1 {
			t.Errorf("%+v", st)
		}
	})
	t.Run("bad length", func(t *testing.T) {
		h := newHarness6(t, nil)
		h.learnPeer()
		h.send(pkt6(peer6, us6, 64, ipv4.ProtoFragment, fragHdr(ipv4.ProtoICMPv6, 0, true, 5), data[:12]))
		h.send(pkt6(peer6, us6, 64, ipv4.ProtoFragment, fragHdr(ipv4.ProtoICMPv6, 65528, false, 6), data[:16]))
		got := seen(icmpOf(h.out()))
		want := []icmpSeen{{icmpv6.TypeParamProblem, 0, 4}, {icmpv6.TypeParamProblem, 0, 42}}
		if fmt.Sprint(got) != fmt.Sprint(want) {
			t.Errorf("got %v, want %v", got, want)
		}
	})
	t.Run("tiny fragments", func(t *testing.T) {
		h := newHarness6(t, func(c *Config) { c.Reassembly6.MaxFragments = 16 })
		h.learnPeer()
		for i := range 100 {
			h.send(pkt6(peer6, us6, 64, ipv4.ProtoFragment, fragHdr(ipv4.ProtoICMPv6, 8*(i+1), true, 7), data[:8]))
		}
		st := h.s.Stats().IPv6
		if st.ReasmDrops != 1 || st.ReasmDiscards != 100-17 || st.ReasmOKs != 0 {
			t.Errorf("%+v", st)
		}
	})
	t.Run("too many packets", func(t *testing.T) {
		h := newHarness6(t, func(c *Config) { c.Reassembly6 = ipv6.ReassemblyConfig{MaxBytes: 64 << 10, MaxDatagrams: 8} })
		h.learnPeer()
		for id := range uint32(200) {
			h.send(fragments6(100+id, data, 1000, 1000, len(data)-2000)[0])
		}
		st := h.s.Stats().IPv6
		if st.ReasmDrops < 192 || h.s.reasm6.Stats().Datagrams > 8 || h.s.reasm6.Stats().Bytes > 64<<10 {
			t.Errorf("%+v %+v", st, h.s.reasm6.Stats())
		}
	})
	t.Run("timeout", func(t *testing.T) {
		h := newHarness6(t, nil)
		h.learnPeer()
		frags := fragments6(8, data, 1000, 1000, len(data)-2000)
		h.send(frags[0])
		h.send(fragments6(9, data, 1000, 1000, len(data)-2000)[1]) // no first fragment
		h.clock.Advance(59 * time.Second)
		if early := seen(icmpOf(h.out())); len(early) != 0 {
			t.Fatalf("sent %v before the timeout", early)
		}
		// The peer, silent all this while, was forgotten: it speaks up.
		h.learnPeer()
		h.clock.Advance(time.Second)
		out := h.out()
		got := seen(icmpOf(out))
		if fmt.Sprint(got) != fmt.Sprint([]icmpSeen{{icmpv6.TypeTimeExceeded, 1, 0}}) {
			t.Fatalf("got %v", got)
		}
		if q := icmpOf(out)[0].Quoted(); !bytes.Equal(q, frags[0][:len(q)]) || len(q) < 1000 {
			t.Errorf("quote of %d bytes is not the first fragment", len(q))
		}
		if st := h.s.Stats().IPv6; st.ReasmTimeout != 2 {
			t.Errorf("%+v", st)
		}
	})
}

// TestPacketTooBig6: a Packet Too Big about a datagram we sent lowers the
// path MTU to the destination, never below 1280 (RFC 8201), and later
// datagrams are fragmented for it; one about a packet not ours changes
// nothing.
func TestPacketTooBig6(t *testing.T) {
	h := newHarness6(t, nil)
	h.learnPeer()
	c, err := h.s.Dial("udp6", "[2001:db8::2]:9")
	if err != nil {
		t.Fatal(err)
	}
	c.Write(make([]byte, 1400))
	sent := h.out()
	if len(sent) != 1 || len(sent[0]) != 1448 {
		t.Fatalf("sent %d packets", len(sent))
	}
	ptb := func(mtu uint32, quoted []byte) []byte {
		b := make([]byte, 8+len(quoted))
		m, _ := icmpv6.EncodePacketTooBig(b, mtu, quoted, ipv6.Addr{}, ipv6.Addr{})
		return pkt6(other6, us6, 64, ipv4.ProtoICMPv6, m)
	}
	// Not ours: a packet from another source.
	forged := bytes.Clone(sent[0])
	ipv6.Header(forged).SetSrc(other6)
	h.send(ptb(1300, forged))
	if mtu := h.s.pmtu.lookup(addrB6, h.s.mtu, h.clock.Now()); mtu != 1500 {
		t.Fatalf("path MTU %d after a packet too big about a packet not ours", mtu)
	}
	h.send(ptb(1000, sent[0]))
	if mtu := h.s.pmtu.lookup(addrB6, h.s.mtu, h.clock.Now()); mtu != 1280 {
		t.Fatalf("path MTU %d, want IPv6's floor", mtu)
	}
	c.Write(make([]byte, 1400))
	frags := h.out()
	if len(frags) != 2 || len(frags[0]) > 1280 {
		t.Fatalf("%d fragments, the first of %d bytes", len(frags), len(frags[0]))
	}
	if st := h.s.Stats(); st.ICMPv6.InPktTooBigs != 2 || st.IPv6.FragOKs != 1 {
		t.Errorf("%+v %+v", st.ICMPv6, st.IPv6)
	}
}

// TestConfirmReachable6: confirmReachable for IPv6 keeps the neighbour a
// destination goes through REACHABLE, on the link or through the default
// router, so that no probe follows its use; it creates nothing and
// allocates nothing.
func TestConfirmReachable6(t *testing.T) {
	h := newHarness6(t, func(c *Config) { c.Gateway6 = llB6 })
	h.learnPeer() // peer6 and peerLL6 (the router) STALE
	nt := h.s.nd6()
	for _, a := range []netip.Addr{addrB6, llB6} {
		nt.Resolve(a, nil, h.clock.Now()) // used: DELAY
	}
	h.s.neigh6Timer.arm(nt.Deadline())
	now := h.clock.Now()
	h.s.confirmReachable6(peer6, now)
	h.s.confirmReachable6(netip6("2001:db9::1"), now)  // off the link: the router
	h.s.confirmReachable6(netip6("2001:db8::99"), now) // no entry
	h.s.confirmReachable6(ipv6.AllNodes, now)
	for _, a := range []netip.Addr{addrB6, llB6} {
		if e, _ := nt.Lookup(a); e.State != neigh.StateReachable {
			t.Errorf("%v: %v, want REACHABLE", a, e.State)
		}
	}
	if _, ok := nt.Lookup(netip.MustParseAddr("2001:db8::99")); ok {
		t.Error("an entry was created")
	}
	h.clock.Advance(neigh.DefaultDelayTime + neigh.DefaultRetransTime)
	if out := h.out(); len(out) != 0 {
		t.Errorf("%d packets sent (probes of confirmed neighbours?)", len(out))
	}
	if n := testing.AllocsPerRun(100, func() { h.s.confirmReachable6(peer6, h.clock.Now()) }); n != 0 {
		t.Errorf("%v allocs", n)
	}
}
