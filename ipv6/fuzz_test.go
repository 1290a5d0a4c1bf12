package ipv6

import (
	"bytes"
	"errors"
	"net/netip"
	"testing"

	"github.com/gopacket/gopacket"
	"github.com/gopacket/gopacket/layers"
	"github.com/medina-net/medina/ipv4"
)

// seedPackets adds the corpus's IPv6 packets, and a few built ones, as
// seeds.
func seedPackets(f *testing.F) {
	for _, file := range corpusFiles() {
		for _, p := range readIPv6(f, file) {
			if len(p.b) <= 4096 {
				f.Add(p.b)
			}
		}
	}
	f.Add(unhex(f, routedEcho))
	f.Add(unhex(f, mldReport))
	f.Add(unhex(f, ahUDP))
	f.Add([]byte(packet(44, -1, frag(60, 0, true, 7), ext(17, 8), make([]byte, 8))))
}

// FuzzHeader feeds arbitrary bytes to the view and the chain walk. Nothing
// may panic; Check and Validate must agree; a header must re-encode to
// itself; the walk must move forward within the packet and end the way
// its last header says; CheckExtensions must point inside the packet;
// and where gopacket's layers decode the packet, the fixed header, the
// extension headers and the end of the chain must agree (compareGopacket).
func FuzzHeader(f *testing.F) {
	seedPackets(f)
	f.Fuzz(func(t *testing.T, b []byte) {
		h, err := NewHeader(b)
		if err != nil {
			if len(b) >= HeaderLen || !errors.Is(err, ErrTruncated) {
				t.Fatalf("NewHeader(%d bytes) = %v", len(b), err)
			}
			return
		}
		readAll(h)
		check, valid := h.Check(), h.Validate()
		if (check == nil) != (valid == nil) || !errors.Is(valid, check) {
			t.Fatalf("Check %v, Validate %v", check, valid)
		}
		var fl Fields
		fl.Decode(h)
		e, err := fl.Encode(make([]byte, HeaderLen))
		if err != nil {
			t.Fatal(err)
		}
		e[0] = e[0]&0x0f | h[0]&0xf0 // Encode writes version 6
		if !bytes.Equal(e, h[:HeaderLen]) {
			t.Fatalf("re-encoded % x (%v), want % x", e, err, h[:HeaderLen])
		}

		it := h.ExtIter()
		prev := HeaderLen
		last := ExtOK
		for x, ok := it.Next(); ok; x, ok = it.Next() {
			if x.Offset != prev || x.Offset > len(h) || len(x.Raw) > x.Len && x.Len > 0 || x.Offset+len(x.Raw) > len(h) {
				t.Fatalf("header %+v after %d", x, prev)
			}
			if x.Status == ExtOK && len(x.Raw) != x.Len {
				t.Fatalf("whole header %+v of %d bytes", x, len(x.Raw))
			}
			prev += x.Len
			last = x.Status
		}
		p, off, how := it.End()
		switch how {
		case ChainBroken:
			if last != ExtPastEnd && last != ExtTruncated {
				t.Fatalf("broken after a header %v", last)
			}
		case ChainUpper:
			if IsExtension(p) || off != prev {
				t.Fatalf("upper layer %v at %d, the walk at %d", p, off, prev)
			}
		}
		if at, err := h.CheckExtensions(); err != nil && (at < 0 || at >= max(h.Len(), HeaderLen)) {
			t.Fatalf("CheckExtensions points at %d of %d: %v", at, h.Len(), err)
		} else if err == nil && check == nil && how == ChainBroken {
			t.Fatalf("CheckExtensions accepts a broken chain")
		}

		if _, err := compareGopacket(b); err != nil {
			t.Fatal(err)
		}
	})
}

// FuzzOptions feeds arbitrary bytes to the option walk as the body of a
// hop-by-hop options header. Nothing may panic or allocate; the options
// must tile the area; and where gopacket decodes the header its options
// must be ours.
func FuzzOptions(f *testing.F) {
	f.Add(unhex(f, mldReport)[42:48])
	f.Add([]byte{0xc2, 4, 0, 1, 0, 0})
	f.Add([]byte{0, 1, 0, 5, 2, 0, 0, 7, 12, 0, 0, 0, 1, 1, 9, 0xab, 0xcd, 1, 2, 3, 4, 0, 0, 0})
	f.Add([]byte{0xc9, 16, 0x20, 1, 0xd, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1})
	f.Fuzz(func(t *testing.T, opts []byte) {
		if len(opts) > 2046 {
			return
		}
		// The options as a header of their length rounded up to 8 bytes,
		// the rounding missing: a capture cut it.
		n := (2 + len(opts) + 7) &^ 7
		hdr := append([]byte{59, byte(n/8 - 1)}, opts...)
		e := Ext{Proto: ipv4.ProtoHopOpts, Len: n, Raw: hdr}
		it := e.Options()
		prev := 2
		for o, ok := it.Next(); ok; o, ok = it.Next() {
			readOption(o)
			if o.Offset != prev {
				t.Fatalf("option at %d after %d", o.Offset, prev)
			}
			prev += len(o.Raw)
			if o.Status == OptionOK && len(o.Raw) != 2+o.Length && o.Kind != OptPad1 {
				t.Fatalf("option %+v", o)
			}
		}
		if a := testing.AllocsPerRun(1, func() {
			it := e.Options()
			for o, ok := it.Next(); ok; o, ok = it.Next() {
				_ = o
			}
		}); a != 0 {
			t.Fatalf("the walk allocates %v times", a)
		}
		if len(hdr) != n {
			return
		}
		var g layers.IPv6HopByHop
		if err := g.DecodeFromBytes(hdr, gopacket.NilDecodeFeedback); err != nil {
			// gopacket refuses an option that runs past the header: the
			// walk must have found one that is not whole.
			if it.Err() == nil {
				t.Fatalf("gopacket: %v; every option of ours is well formed", err)
			}
			return
		}
		if err := compareOptions(e, len(g.Options), func(i int) (uint8, uint8, []byte, int) {
			o := g.Options[i]
			return o.OptionType, o.OptionLength, o.OptionData, o.ActualLength
		}); err != nil {
			t.Fatal(err)
		}
	})
}

// FuzzRouting feeds arbitrary bytes to the routing header view. Nothing
// may panic; what Check accepts must give every address it counts; and
// gopacket, decoding the header in a packet, must agree on its fields.
func FuzzRouting(f *testing.F) {
	f.Add(unhex(f, routedEcho)[40:64])
	f.Add([]byte{41, 3, 3, 3, 8<<4 | 15, 7 << 4, 0, 0, 1, 2, 3, 4, 5, 6, 7, 8, 1, 2, 3, 4, 5, 6, 7, 8, 9, 0, 0, 0, 0, 0, 0, 0})
	b := make([]byte, 40)
	n, _ := EncodeSRH(b, 6, 0, 0, 7, []Addr{Loopback}, []byte{5, 6, 0, 0, 0, 0, 0, 1, 4, 6, 0, 0, 0, 0, 0, 0})
	f.Add(b[:n])
	f.Fuzz(func(t *testing.T, b []byte) {
		r, err := NewRouting(b)
		if err != nil {
			return
		}
		dst := AllNodes
		readRouting(r, dst)
		if r.Check() == nil {
			switch r.Type() {
			case RoutingSourceRoute, RoutingMobile:
				for i := range r.NumAddrs() {
					if _, ok := r.Addr(i); !ok {
						t.Fatalf("Check accepts a header without address %d", i)
					}
				}
			case RoutingSegment:
				for i := range r.NumSegments() {
					if _, ok := r.Segment(i); !ok {
						t.Fatalf("Check accepts a header without segment %d", i)
					}
				}
			case RoutingRPL:
				for i := range r.NumRPLAddrs() {
					if _, ok := r.RPLAddr(i, dst); !ok {
						t.Fatalf("Check accepts a header without address %d", i)
					}
				}
			}
		}
		if len(b) < RoutingMinLen || r.Len() > len(b) {
			return
		}
		pkt := packet(ipv4.ProtoRouting, -1, b[:r.Len()])
		if _, err := compareGopacket(pkt); err != nil {
			t.Fatal(err)
		}
	})
}

// FuzzFragment fragments a packet of arbitrary extension headers and
// payload at an arbitrary MTU. Nothing may panic; no fragment may exceed
// the MTU; and when Fragment succeeds, the fragments must reassemble into
// the packet.
func FuzzFragment(f *testing.F) {
	f.Add([]byte{17}, uint16(3000), uint16(1280))
	f.Add(append([]byte{0}, append(ext(43, 8), 0)...), uint16(5000), uint16(1500))
	f.Fuzz(func(t *testing.T, heads []byte, size, mtu uint16) {
		if len(heads) == 0 || len(heads) > 600 {
			return
		}
		pkt := packet(ipv4.Protocol(heads[0]), -1, heads[1:], make([]byte, int(size)))
		if len(pkt)-HeaderLen > MaxPayloadLen {
			return
		}
		for i := range pkt[HeaderLen+len(heads)-1:] {
			pkt[HeaderLen+len(heads)-1+i] = byte(i)
		}
		var frags [][]byte
		err := Fragment(pkt, int(mtu), 42, make([]byte, max(int(mtu), 0)), func(b []byte) error {
			if len(b) > int(mtu) {
				t.Fatalf("fragment of %d bytes, MTU %d", len(b), mtu)
			}
			frags = append(frags, bytes.Clone(b))
			return nil
		})
		if _, cerr := pkt.CheckExtensions(); err != nil || len(frags) == 1 || cerr != nil {
			// A packet whose chain is malformed makes fragments as
			// malformed, which reassemble would refuse.
			return
		}
		if got := reassemble(t, frags); !bytes.Equal(got, pkt) {
			t.Fatalf("reassembled % x\nwant % x", got, pkt)
		}
	})
}

// FuzzAddr formats arbitrary addresses: the text must parse back to the
// address, without allocating to format it.
func FuzzAddr(f *testing.F) {
	for _, s := range []string{"fe80::1", "::ffff:1.2.3.4", "::1.2.3.4", "1:0:0:1::"} {
		a := mustAddr(f, s)
		f.Add(a[:])
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		if len(b) != AddrLen {
			return
		}
		a := Addr(b)
		s := a.String()
		back, err := netip.ParseAddr(s)
		if err != nil || back.As16() != a {
			t.Fatalf("% x: %q parses to %v (%v)", b, s, back, err)
		}
		buf := make([]byte, 0, 64)
		if n := testing.AllocsPerRun(1, func() { buf = a.AppendTo(buf[:0]) }); n != 0 {
			t.Fatalf("AppendTo allocates %v times", n)
		}
	})
}
