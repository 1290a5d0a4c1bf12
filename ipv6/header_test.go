package ipv6

import (
	"bytes"
	"encoding/hex"
	"errors"
	"strings"
	"testing"

	"github.com/medina-net/medina/ipv4"
)

func unhex(t testing.TB, s string) []byte {
	t.Helper()
	b, err := hex.DecodeString(strings.Join(strings.Fields(s), ""))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// Real packets from tcpdump 4.99.3's test captures.
const (
	// routedEcho is ipv6-routing-header.pcap #1: an echo request with a
	// type 0 routing header, one segment left, "RT6 (len=2, type=0
	// [Deprecated], segleft=1, rsv=0x0, [0]2200::210:2:0:0:4) [icmp6 sum
	// ok]".
	routedEcho = `6000000000202b04220000000000024402123ffffeae22f7220000000000024000020000000000
		043a02000100000000220000000000021000020000000000048000d3ab00000000`
	// mldReport is babel.pcap #25: an MLDv2 report behind a hop-by-hop
	// header with a router alert and PadN.
	mldReport = `6000000000380001fe8000000000000068d31235d0681f9eff0200000000000000000000000000163a0005020000
		01008f003f600000000204000000ff02000000000000000000000001000604000000ff02000000000000cca6c0f9e1825359`
	// ahUDP is ipv6_ah_modes.pcap #1: UDP behind an authentication header.
	ahUDP = `60000000003a334020010db800000000000000000000000120010db80000000000000000000000021103000012345678
		0000000001010101010101013039d43100263e9948656c6c6f2c207468697320697320612074657374207061796c6f616421`
)

func TestNewHeaderShort(t *testing.T) {
	b := unhex(t, routedEcho)
	for n := range HeaderLen {
		if _, err := NewHeader(b[:n]); !errors.Is(err, ErrTruncated) {
			t.Fatalf("%d bytes: %v, want ErrTruncated", n, err)
		}
	}
	if n := testing.AllocsPerRun(10, func() { NewHeader(b[:10]) }); n != 0 {
		t.Fatalf("NewHeader of a runt allocates %v times", n)
	}
}

func TestAccessors(t *testing.T) {
	h, _ := NewHeader(unhex(t, routedEcho))
	src, _ := ParseAddr("2200::244:212:3fff:feae:22f7")
	dst, _ := ParseAddr("2200::240:2:0:0:4")
	final, _ := ParseAddr("2200::210:2:0:0:4")
	for _, c := range []struct {
		name      string
		got, want any
	}{
		{"Version", h.Version(), uint8(6)},
		{"TrafficClass", h.TrafficClass(), uint8(0)},
		{"FlowLabel", h.FlowLabel(), uint32(0)},
		{"PayloadLen", h.PayloadLen(), uint16(32)},
		{"NextHeader", h.NextHeader(), ipv4.ProtoRouting},
		{"HopLimit", h.HopLimit(), uint8(4)},
		{"Src", h.Src(), src},
		{"Dst", h.Dst(), dst},
		{"Len", h.Len(), 72},
		{"len(Payload)", len(h.Payload()), 32},
		{"Check", h.Check(), nil},
		{"FinalDst", h.FinalDst(), final},
		{"RoutedDst", h.RoutedDst(), final},
	} {
		if c.got != c.want {
			t.Errorf("%s = %v, want %v", c.name, c.got, c.want)
		}
	}
	if p, off, how := h.UpperLayer(); p != ipv4.ProtoICMPv6 || off != 64 || how != ChainUpper {
		t.Errorf("UpperLayer = %v, %d, %v", p, off, how)
	}
	// A packet with traffic class and flow label: ipv6-srh-ext-header.pcap
	// #1, "flowlabel 0x889ad".
	h2, _ := NewHeader(unhex(t, "600889ad00902b40000a000b000c00120000000000000001000a000b000c00020000000000f10000"))
	if h2.FlowLabel() != 0x889ad || h2.TrafficClass() != 0 || h2.HopLimit() != 64 {
		t.Errorf("flow label %#x, class %d, hlim %d", h2.FlowLabel(), h2.TrafficClass(), h2.HopLimit())
	}
	h2.SetTrafficClass(0xb9) // DSCP 46, ECN CE
	if h2.TrafficClass() != 0xb9 || h2.DSCP() != 46 || h2.ECN() != ipv4.ECNECT1 || h2.FlowLabel() != 0x889ad || h2.Version() != 6 {
		t.Errorf("after SetTrafficClass: class %#x, DSCP %d, ECN %v, flow %#x", h2.TrafficClass(), h2.DSCP(), h2.ECN(), h2.FlowLabel())
	}
	h2.SetFlowLabel(0xfffff1)
	if h2.FlowLabel() != 0xffff1 || h2.TrafficClass() != 0xb9 {
		t.Errorf("after SetFlowLabel: flow %#x, class %#x", h2.FlowLabel(), h2.TrafficClass())
	}
}

func TestCheck(t *testing.T) {
	base := unhex(t, routedEcho)
	jumbo := func(n uint32, plen uint16) []byte {
		f := Fields{NextHeader: ipv4.ProtoHopOpts, HopLimit: 64}
		b := make([]byte, HeaderLen+8+70000)
		h, _ := f.Encode(b)
		h.SetPayloadLen(plen)
		EncodeOptions(b[HeaderLen:], ipv4.ProtoTCP, AppendJumbo(AppendPad(nil, 2), n))
		return b
	}
	for _, c := range []struct {
		name string
		b    []byte
		want error
		msg  string
	}{
		{"whole", base, nil, ""},
		{"padded", append(bytes.Clone(base), 0, 0, 0, 0), nil, ""},
		{"cut", base[:70], ErrTruncated, "ipv6: truncated: packet of 72 bytes, 70 in the buffer"},
		{"version 4", append([]byte{0x45}, base[1:]...), ErrBadVersion, "ipv6: bad version: version 4, want 6"},
		{"empty payload", func() []byte { b := bytes.Clone(base[:40]); b[4], b[5], b[6] = 0, 0, 59; return b }(), nil, ""},
		{"jumbo", jumbo(70000, 0), nil, ""},
		{"jumbo cut", jumbo(70009, 0), ErrTruncated, "ipv6: truncated: packet of 70049 bytes, 70048 in the buffer"},
		{"jumbo too small", jumbo(65535, 0), ErrBadPayloadLength, "ipv6: bad payload length: jumbo payload length 65535 < 65536"},
		{"no jumbo option", func() []byte { b := jumbo(70000, 0); b[HeaderLen+4] = byte(OptPMTU); return b }(),
			ErrBadPayloadLength, "ipv6: bad payload length: payload length 0 and no jumbo payload option"},
	} {
		h, _ := NewHeader(c.b)
		if err := h.Check(); err != c.want {
			t.Errorf("%s: Check = %v, want %v", c.name, err, c.want)
		}
		err := h.Validate()
		if !errors.Is(err, c.want) || (err == nil) != (c.want == nil) || c.msg != "" && err.Error() != c.msg {
			t.Errorf("%s: Validate = %v, want %q", c.name, err, c.msg)
		}
		if n := testing.AllocsPerRun(10, func() { _ = h.Check() }); n != 0 {
			t.Errorf("%s: Check allocates %v times", c.name, n)
		}
	}
	// The jumbo payload option says 70049 bytes in all, 1 more than the buffer.
	h, _ := NewHeader(jumbo(70009, 0))
	if n, ok := h.JumboLen(); !ok || n != 70009 || h.Len() != 70049 || len(h.Payload()) != len(h)-HeaderLen {
		t.Errorf("JumboLen %d %v, Len %d, %d bytes of payload", n, ok, h.Len(), len(h.Payload()))
	}
}

// TestJumbogram reads a real BIG TCP jumbogram: Linux's GSO super-packet
// of 80040 bytes with its jumbo payload option (bigtcp-ipv6-hbh.pcap, from
// gopacket's captures).
func TestJumbogram(t *testing.T) {
	var b []byte
	for _, p := range corpusIPv6(t) {
		if p.file == "bigtcp-ipv6-hbh.pcap" && p.n == 1 {
			b = p.b
		}
	}
	if b == nil {
		t.Skip("bigtcp-ipv6-hbh.pcap is not in the corpus")
	}
	h, _ := NewHeader(b)
	if n, ok := h.JumboLen(); !ok || n != 80040 || h.Check() != nil || h.Len() != len(b) {
		t.Fatalf("JumboLen %d %v, Check %v, Len %d of %d", n, ok, h.Check(), h.Len(), len(b))
	}
	if p, off, how := h.UpperLayer(); p != ipv4.ProtoTCP || off != 48 || how != ChainUpper {
		t.Fatalf("UpperLayer %v %d %v", p, off, how)
	}
	if at, err := h.CheckExtensions(); err != nil {
		t.Fatalf("CheckExtensions: %v at %d", err, at)
	}
	// A jumbo option beside a payload length that is not 0 is refused,
	// pointing at the option.
	b2 := bytes.Clone(b[:HeaderLen+8+20])
	Header(b2).SetPayloadLen(28)
	if at, err := Header(b2).CheckExtensions(); err != ErrBadOption || at != HeaderLen+2 {
		t.Fatalf("jumbo with a payload length: %v at %d", err, at)
	}
}

func TestFieldsEncode(t *testing.T) {
	b := unhex(t, routedEcho)
	var f Fields
	f.Decode(Header(b))
	out := make([]byte, HeaderLen)
	h, err := f.Encode(out)
	if err != nil || !bytes.Equal(h, b[:HeaderLen]) {
		t.Fatalf("re-encoded % x (%v), want % x", h, err, b[:HeaderLen])
	}
	f = Fields{TrafficClass: 0xe0, FlowLabel: 0xabcde, PayloadLen: 65535, NextHeader: ipv4.ProtoUDP, HopLimit: 1,
		Src: Loopback, Dst: AllNodes}
	h, err = f.Encode(make([]byte, 60))
	if err != nil || len(h) != 60 || h.TrafficClass() != 0xe0 || h.FlowLabel() != 0xabcde || h.PayloadLen() != 65535 ||
		h.Version() != 6 || h.Dst() != AllNodes {
		t.Fatalf("encoded % x (%v)", h, err)
	}
	var g Fields
	g.Decode(h)
	if g != f {
		t.Fatalf("decoded %+v, want %+v", g, f)
	}
	for _, c := range []struct {
		f    Fields
		n    int
		want error
	}{
		{Fields{}, 39, ErrTruncated},
		{Fields{PayloadLen: 65536}, 40, ErrBadPayloadLength},
		{Fields{PayloadLen: -1}, 40, ErrBadPayloadLength},
		{Fields{FlowLabel: 1 << 20}, 40, ErrBadFlowLabel},
	} {
		buf := bytes.Repeat([]byte{0xaa}, c.n)
		if _, err := c.f.Encode(buf); !errors.Is(err, c.want) || !bytes.Equal(buf, bytes.Repeat([]byte{0xaa}, c.n)) {
			t.Errorf("%+v into %d bytes: %v, want %v and nothing written", c.f, c.n, err, c.want)
		}
	}
}

func TestDecHopLimit(t *testing.T) {
	h, _ := (&Fields{HopLimit: 2}).Encode(make([]byte, HeaderLen))
	if h.DecHopLimit() != 1 || h.DecHopLimit() != 0 || h.DecHopLimit() != 0 {
		t.Fatal("DecHopLimit does not stop at 0")
	}
}

func TestNextHeaderField(t *testing.T) {
	b := unhex(t, routedEcho)
	for n := range 10 {
		p, ok := NextHeaderField(b[:n])
		if ok != (n > 6) || ok && p != ipv4.ProtoRouting {
			t.Errorf("%d bytes: %v %v", n, p, ok)
		}
	}
}
