package ipv6

// The independent oracle: gopacket's layers decode the same bytes, and
// where both decode a field the two must agree.

import (
	"bytes"
	"fmt"
	"net"

	"github.com/gopacket/gopacket"
	"github.com/gopacket/gopacket/layers"
	"github.com/medina-net/medina/ipv4"
)

// oracle is what comparing one packet with gopacket found.
type oracle struct {
	fixed bool // gopacket decoded the fixed header (and agreed)
	exts  int  // extension headers both decoded (and agreed on)
	upper bool // both reached the same upper-layer protocol at the same offset
}

// compareGopacket decodes b with gopacket and compares every field both
// decode: the fixed header, then the extension headers in order, as far
// as gopacket got without an error, then where the chain ends. The error
// says what disagreed.
func compareGopacket(b []byte) (r oracle, err error) {
	h, herr := NewHeader(b)
	var g layers.IPv6
	gerr := g.DecodeFromBytes(b, gopacket.NilDecodeFeedback)
	if herr != nil {
		if gerr == nil {
			return r, fmt.Errorf("gopacket decodes %d bytes, NewHeader: %v", len(b), herr)
		}
		return r, nil
	}
	if gerr != nil {
		// gopacket refuses a payload length of 0 without a jumbo
		// option, and hop-by-hop headers it cannot decode; the fixed
		// fields are still compared below from what it set.
		if len(b) < HeaderLen {
			return r, nil
		}
	}
	if g.Version != h.Version() || g.TrafficClass != h.TrafficClass() || g.FlowLabel != h.FlowLabel() ||
		uint8(g.NextHeader) != uint8(h.NextHeader()) || g.HopLimit != h.HopLimit() ||
		!g.SrcIP.Equal(net.IP(h[srcOff:srcOff+AddrLen])) || !g.DstIP.Equal(net.IP(h[dstOff:dstOff+AddrLen])) {
		return r, fmt.Errorf("gopacket fixed header %+v disagrees with % x", g, b[:HeaderLen])
	}
	if g.Length != h.PayloadLen() && h.PayloadLen() != 0 {
		return r, fmt.Errorf("gopacket payload length %d, ours %d", g.Length, h.PayloadLen())
	}
	if gerr != nil {
		return r, nil
	}
	r.fixed = true

	p := gopacket.NewPacket(b, layers.LayerTypeIPv6, gopacket.DecodeOptions{NoCopy: true})
	it := h.ExtIter()
	offsetOf := func(l gopacket.Layer) int { return cap(b) - cap(l.LayerContents()) }
	// A layer past the extension headers starts where the payload of the
	// one before it does: some (OSPF) keep less than all their bytes as
	// their contents.
	ls := p.Layers()
	var lastExt Ext
	for i, l := range ls[1:] {
		after := cap(b) - cap(ls[i].LayerPayload())
		switch gl := l.(type) {
		case *layers.IPv6HopByHop, *layers.IPv6Destination, *layers.IPv6Routing, *layers.IPv6Fragment, *layers.IPSecAH:
			e, ok := it.Next()
			if !ok {
				return r, fmt.Errorf("gopacket has %v at %d, the walk ended", l.LayerType(), offsetOf(l))
			}
			if len(l.LayerContents()) == 0 {
				// gopacket adds the layer it failed to decode, empty:
				// the header must be broken for us too.
				if e.Offset != after || e.Status != ExtPastEnd && e.Status != ExtTruncated {
					return r, fmt.Errorf("gopacket fails on %v at %d; ours %v at %d is %v", l.LayerType(), after, e.Proto, e.Offset, e.Status)
				}
				return r, nil
			}
			if optionsFail(l) {
				// gopacket decoded the header but failed on an option
				// past its end, and stopped there.
				if e.Offset != offsetOf(l) {
					return r, fmt.Errorf("gopacket fails on %v at %d; ours %v is at %d", l.LayerType(), offsetOf(l), e.Proto, e.Offset)
				}
				return r, nil
			}
			if off := offsetOf(l); off != e.Offset || len(l.LayerContents()) != e.Len {
				return r, fmt.Errorf("gopacket %v at %d, %d bytes; ours %v at %d, %d bytes",
					l.LayerType(), off, len(l.LayerContents()), e.Proto, e.Offset, e.Len)
			}
			if e.Status == ExtPastEnd || e.Status == ExtTruncated {
				return r, fmt.Errorf("gopacket decodes %v at %d that we call %v", l.LayerType(), e.Offset, e.Status)
			}
			if err := compareExt(e, gl); err != nil {
				return r, fmt.Errorf("%v at %d: %w", e.Proto, e.Offset, err)
			}
			r.exts++
			lastExt = e
		case *layers.IPSecESP:
			pr, off, how := it.End()
			if how != ChainUpper || pr != ipv4.ProtoESP || off != offsetOf(l) {
				return r, fmt.Errorf("gopacket ESP at %d, our chain ends %v %v at %d", offsetOf(l), how, pr, off)
			}
			es, _ := NewESP(b[off:])
			if es.SPI() != gl.SPI || es.Seq() != gl.Seq {
				return r, fmt.Errorf("ESP SPI/seq %#x/%d, gopacket %#x/%d", es.SPI(), es.Seq(), gl.SPI, gl.Seq)
			}
			r.upper = true
			return r, nil
		default:
			// Where gopacket's next layer starts, our walk must have the
			// end of the chain: an upper layer of the same protocol, a
			// fragment's data, or (where gopacket failed to decode) a
			// header, or the end, at the same offset.
			off := after
			switch l.LayerType() {
			case gopacket.LayerTypeDecodeFailure:
				if e, ok := it.Next(); ok {
					if e.Offset != off {
						return r, fmt.Errorf("gopacket fails at %d, our next header %v is at %d", off, e.Proto, e.Offset)
					}
					r.upper = true
					return r, nil
				}
				if _, eoff, _ := it.End(); eoff != off {
					return r, fmt.Errorf("gopacket fails at %d, our chain ends at %d", off, eoff)
				}
			case gopacket.LayerTypeFragment:
				// gopacket takes what follows any fragment header as
				// data, a first or atomic fragment's too, where our
				// walk goes on into its headers.
				if lastExt.Proto != ipv4.ProtoFragment || lastExt.Offset+lastExt.Len != off {
					return r, fmt.Errorf("gopacket fragment data at %d, our last header %v at %d", off, lastExt.Proto, lastExt.Offset)
				}
			case gopacket.LayerTypePayload:
				if pr, eoff, how := it.End(); how != ChainUpper || eoff != off {
					return r, fmt.Errorf("gopacket payload at %d, our chain ends %v %v at %d", off, how, pr, eoff)
				}
			default:
				pr, eoff, how := it.End()
				if how != ChainUpper || layers.IPProtocol(pr).LayerType() != l.LayerType() || eoff != off {
					return r, fmt.Errorf("gopacket %v at %d, our chain ends %v %v at %d", l.LayerType(), off, how, pr, eoff)
				}
			}
			r.upper = true
			return r, nil
		}
	}
	return r, nil
}

// optionsFail reports whether gopacket fails to decode the options of a
// hop-by-hop or destination options layer, which it adds to the packet
// with what it decoded of them before it failed.
func optionsFail(l gopacket.Layer) bool {
	var err error
	switch l.(type) {
	case *layers.IPv6HopByHop:
		var g layers.IPv6HopByHop
		err = g.DecodeFromBytes(l.LayerContents(), gopacket.NilDecodeFeedback)
	case *layers.IPv6Destination:
		var g layers.IPv6Destination
		err = g.DecodeFromBytes(l.LayerContents(), gopacket.NilDecodeFeedback)
	}
	return err != nil
}

// compareExt compares one extension header with gopacket's layer for it.
func compareExt(e Ext, l gopacket.Layer) error {
	switch g := l.(type) {
	case *layers.IPv6HopByHop:
		if e.Proto != ipv4.ProtoHopOpts || uint8(g.NextHeader) != uint8(e.Next) {
			return fmt.Errorf("gopacket hop-by-hop, next %d", g.NextHeader)
		}
		return compareOptions(e, len(g.Options), func(i int) (uint8, uint8, []byte, int) {
			o := g.Options[i]
			return o.OptionType, o.OptionLength, o.OptionData, o.ActualLength
		})
	case *layers.IPv6Destination:
		if e.Proto != ipv4.ProtoDstOpts || uint8(g.NextHeader) != uint8(e.Next) {
			return fmt.Errorf("gopacket destination options, next %d", g.NextHeader)
		}
		return compareOptions(e, len(g.Options), func(i int) (uint8, uint8, []byte, int) {
			o := g.Options[i]
			return o.OptionType, o.OptionLength, o.OptionData, o.ActualLength
		})
	case *layers.IPv6Routing:
		rt, ok := e.Routing()
		if !ok || uint8(g.NextHeader) != uint8(e.Next) || g.RoutingType != uint8(rt.Type()) ||
			g.SegmentsLeft != rt.SegmentsLeft() || !bytes.Equal(g.Reserved, rt[4:8]) {
			return fmt.Errorf("gopacket routing %+v", g)
		}
		for i, a := range g.SourceRoutingIPs {
			if ours, ok := rt.Addr(i); !ok || !a.Equal(net.IP(ours[:])) {
				return fmt.Errorf("address %d: gopacket %v, ours %v", i, a, ours)
			}
		}
		if len(g.SourceRoutingIPs) > 0 && len(g.SourceRoutingIPs) != rt.NumAddrs() {
			return fmt.Errorf("gopacket %d addresses, ours %d", len(g.SourceRoutingIPs), rt.NumAddrs())
		}
	case *layers.IPv6Fragment:
		f, ok := e.Fragment()
		if !ok || uint8(g.NextHeader) != uint8(e.Next) || g.FragmentOffset != f.OffsetUnits() || g.MoreFragments != f.More() ||
			g.Identification != f.ID() || g.Reserved1 != f.Reserved() || g.Reserved2 != f.Res() {
			return fmt.Errorf("gopacket fragment %+v", g)
		}
	case *layers.IPSecAH:
		a, ok := e.AH()
		if !ok || uint8(g.NextHeader) != uint8(e.Next) || g.SPI != a.SPI() || g.Seq != a.Seq() ||
			g.Reserved != a.Reserved() || !bytes.Equal(g.AuthenticationData, a.ICV()) {
			return fmt.Errorf("gopacket AH %+v", g)
		}
	}
	return nil
}

// compareOptions compares the options of a hop-by-hop or destination
// options header with gopacket's n options, which it decoded whole.
func compareOptions(e Ext, n int, gopt func(int) (typ, length uint8, data []byte, actual int)) error {
	it := e.Options()
	for i := range n {
		o, ok := it.Next()
		typ, length, data, actual := gopt(i)
		if !ok {
			return fmt.Errorf("option %d: gopacket type %d, our walk ended", i, typ)
		}
		if o.Status != OptionOK && o.Status != OptionWrongLength {
			return fmt.Errorf("option %d: gopacket decodes what we call %v", i, o.Status)
		}
		if uint8(o.Kind) != typ || len(o.Raw) != actual {
			return fmt.Errorf("option %d: type %d, %d bytes; gopacket %d, %d bytes", i, o.Kind, len(o.Raw), typ, actual)
		}
		if typ != 0 && (o.Length != int(length) || !bytes.Equal(o.Data(), data)) {
			return fmt.Errorf("option %d: length %d, data % x; gopacket %d, % x", i, o.Length, o.Data(), length, data)
		}
	}
	if o, ok := it.Next(); ok {
		return fmt.Errorf("an option past gopacket's %d: %+v", n, o)
	}
	return nil
}
