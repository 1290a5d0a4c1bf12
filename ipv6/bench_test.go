package ipv6

import (
	"testing"

	"github.com/medina-net/medina/ipv4"
)

var sink uint64

// BenchmarkHeader is the stack's receive path for a packet without
// extension headers: parse, check, read the fields and find the upper
// layer.
func BenchmarkHeader(b *testing.B) {
	pkt := packet(ipv4.ProtoTCP, -1, make([]byte, 1440))
	b.SetBytes(int64(len(pkt)))
	b.ReportAllocs()
	for b.Loop() {
		h, err := NewHeader(pkt)
		if err != nil {
			b.Fatal(err)
		}
		if err := h.Check(); err != nil {
			b.Fatal(err)
		}
		s, d := h.Src(), h.Dst()
		p, off, _ := h.UpperLayer()
		sink += uint64(h.TrafficClass()) + uint64(h.FlowLabel()) + uint64(h.PayloadLen()) + uint64(h.HopLimit()) +
			uint64(s[15]) + uint64(d[15]) + uint64(p) + uint64(off)
	}
}

// BenchmarkExtWalk walks a chain of four extension headers (hop-by-hop
// with a router alert, destination options, a type 0 routing header and a
// fragment header) and their options, checks it strictly and finds the
// pseudo-header's destination.
func BenchmarkExtWalk(b *testing.B) {
	rt := make([]byte, 24)
	EncodeRouting(rt, ipv4.ProtoFragment, RoutingSourceRoute, 1, Loopback)
	hbh := make([]byte, 8)
	EncodeOptions(hbh, ipv4.ProtoDstOpts, AppendRouterAlert(nil, 0))
	pkt := packet(ipv4.ProtoHopOpts, -1, hbh, ext(ipv4.ProtoRouting, 16), rt, frag(ipv4.ProtoUDP, 0, true, 1), make([]byte, 1200))
	b.ReportAllocs()
	for b.Loop() {
		h := Header(pkt)
		it := h.ExtIter()
		for e, ok := it.Next(); ok; e, ok = it.Next() {
			sink += uint64(e.Proto) + uint64(e.Len)
			opts := e.Options()
			for o, ok := opts.Next(); ok; o, ok = opts.Next() {
				sink += uint64(o.Kind.Action())
			}
		}
		p, off, _ := it.End()
		if _, err := h.CheckExtensions(); err != nil {
			b.Fatal(err)
		}
		d := h.FinalDst()
		sink += uint64(p) + uint64(off) + uint64(d[15])
	}
}

// BenchmarkOptions walks the eight options of a hop-by-hop header.
func BenchmarkOptions(b *testing.B) {
	opts := AppendRouterAlert(nil, 0)
	opts = AppendTunnelEncapLimit(opts, 4)
	opts = AppendPad(opts, 1)
	opts = AppendJumbo(opts, 70000)
	opts = AppendOption(opts, OptQuickStart, make([]byte, 6))
	opts = AppendOption(opts, 0x1e, []byte{1, 2})
	opts = AppendPad(opts, 4)
	opts = AppendOption(opts, OptPMTU, make([]byte, 4))
	b.ReportAllocs()
	for b.Loop() {
		it := NewOptionIter(opts)
		for o, ok := it.Next(); ok; o, ok = it.Next() {
			sink += uint64(o.Kind) + uint64(o.Length)
		}
	}
}

// BenchmarkCheckBad is the cost of refusing a packet cut short.
func BenchmarkCheckBad(b *testing.B) {
	h := packet(ipv4.ProtoTCP, -1, make([]byte, 100))[:100]
	b.ReportAllocs()
	for b.Loop() {
		if h.Check() != ErrTruncated {
			b.Fatal("whole")
		}
	}
}

// BenchmarkEncode writes a fixed header, the stack's send path.
func BenchmarkEncode(b *testing.B) {
	buf := make([]byte, 1500)
	f := Fields{FlowLabel: 0x12345, PayloadLen: 1440, NextHeader: ipv4.ProtoTCP, HopLimit: 64,
		Src: Loopback, Dst: AllNodes}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := f.Encode(buf); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkAppendTo formats an address the way a printer does.
func BenchmarkAppendTo(b *testing.B) {
	buf := make([]byte, 0, 64)
	a, _ := ParseAddr("fe80::b299:28ff:fec8:d66c")
	b.ReportAllocs()
	for b.Loop() {
		buf = a.AppendTo(buf[:0])
	}
}

// BenchmarkFragment splits a 9000-byte packet for a 1500-byte MTU.
func BenchmarkFragment(b *testing.B) {
	pkt := packet(ipv4.ProtoUDP, -1, make([]byte, 9000))
	scratch := make([]byte, 1500)
	emit := func(f []byte) error { sink += uint64(len(f)); return nil }
	b.SetBytes(int64(len(pkt)))
	b.ReportAllocs()
	for b.Loop() {
		if err := Fragment(pkt, 1500, 7, scratch, emit); err != nil {
			b.Fatal(err)
		}
	}
}
