package ipv6

import (
	"testing"

	"github.com/medina-net/medina/ipv4"
)

// readAll calls every accessor and walks every structure of a packet, for
// the corpus walk and the fuzzer to find a panic in. It returns the
// number of extension headers walked.
func readAll(h Header) int {
	_, _, _, _, _ = h.Version(), h.TrafficClass(), h.DSCP(), h.ECN(), h.FlowLabel()
	_, _, _, _, _ = h.PayloadLen(), h.NextHeader(), h.HopLimit(), h.Src(), h.Dst()
	_, _ = h.JumboLen()
	_, _, _ = h.Len(), h.Payload(), h.Validate()
	_, _ = h.CheckExtensions()
	_, _ = h.FinalDst(), h.RoutedDst()
	_, _, _ = h.FragmentHeader()
	_, _ = h.UnfragmentableLen()
	_, _, _ = h.UpperLayer()
	_ = h.Src().String() + h.Dst().String()
	n := 0
	it := h.ExtIter()
	for e, ok := it.Next(); ok; e, ok = it.Next() {
		n++
		opts := e.Options()
		for o, ok := opts.Next(); ok; o, ok = opts.Next() {
			readOption(o)
		}
		_ = opts.Err()
		if r, ok := e.Routing(); ok {
			readRouting(r, h.Dst())
		}
		if f, ok := e.Fragment(); ok {
			_, _, _, _, _ = f.NextHeader(), f.Reserved(), f.Offset(), f.OffsetUnits(), f.Res()
			_, _, _ = f.More(), f.ID(), f.IsAtomic()
		}
		if a, ok := e.AH(); ok {
			_, _, _, _, _, _, _ = a.NextHeader(), a.PayloadLen(), a.Len(), a.Reserved(), a.SPI(), a.Seq(), a.ICV()
		}
		if m, ok := e.Mobility(); ok {
			readMobility(m, h.Src(), h.Dst())
		}
	}
	p, off, _ := it.End()
	if p == ipv4.ProtoESP && off <= len(h) {
		if es, err := NewESP(h[off:]); err == nil {
			_, _, _ = es.SPI(), es.Seq(), es.Data()
		}
	}
	if p == ipv4.ProtoIPComp && off <= len(h) {
		if c, err := NewIPComp(h[off:]); err == nil {
			_, _, _ = c.NextHeader(), c.Flags(), c.CPI()
		}
	}
	// The walk a printer makes, to the end of the capture, and the
	// fields it reads of headers cut short.
	it = h.ExtIterTo(len(h))
	for e, ok := it.Next(); ok; e, ok = it.Next() {
		_, _, _, _ = RoutingFields(e.Raw)
		_, _, _ = MobilityFields(e.Raw)
		_, _ = FragmentOffsetField(e.Raw)
		_, _, _, _, _ = AHFields(e.Raw)
		if len(e.Raw) >= routingFixedLen {
			_, _, _, _ = Routing(e.Raw).SRHFields()
		}
		if m, ok := e.Mobility(); ok {
			opts := m.Options()
			for t, ok := opts.Next(); ok; t, ok = opts.Next() {
				for _, n := range []int{2, 4, 10, 16} {
					if b, _ := opts.Span(t, n); len(b) > n {
						panic("Span returned more than asked")
					}
				}
			}
		}
	}
	_, _, _ = it.End()
	return n
}

func readOption(o Option) {
	_, _, _, _ = o.Data(), o.Err(), o.Kind.String(), o.Kind.Action()
	_, _ = o.Kind.Mutable(), o.Kind.Known()
	_, _ = o.Jumbo()
	_, _ = o.RouterAlert()
	_, _ = o.TunnelEncapLimit()
	_, _, _ = o.HomeAddress()
	_, _ = o.CALIPSO()
	_, _ = o.QuickStart()
	_, _, _, _ = o.RPLInfo()
}

func readRouting(r Routing, dst Addr) {
	_, _, _, _, _ = r.NextHeader(), r.HdrExtLen(), r.Len(), r.Type(), r.SegmentsLeft()
	_, _, _, _, _ = r.Reserved(), r.NumAddrs(), r.LastEntry(), r.Flags(), r.Tag()
	_, _, _, _, _ = r.NumSegments(), r.CmprI(), r.CmprE(), r.Pad(), r.NumRPLAddrs()
	_, _ = r.Check(), r.Validate()
	_, _ = r.FinalDst(dst)
	_ = r.Type().String()
	for i := -1; i <= max(r.NumAddrs(), r.NumSegments(), r.NumRPLAddrs()); i++ {
		_, _ = r.Addr(i)
		_, _ = r.Segment(i)
		_, _ = r.RPLAddr(i, dst)
	}
	tlvs := r.TLVs()
	for t, ok := tlvs.Next(); ok; t, ok = tlvs.Next() {
		_, _ = t.Data(), t.Err()
	}
}

func readMobility(m Mobility, src, dst Addr) {
	_, _, _, _, _, _ = m.PayloadProto(), m.HeaderLen(), m.Len(), m.Type(), m.Reserved(), m.Checksum()
	_, _ = m.Seq()
	_, _ = m.NonceIndex()
	_, _ = m.Status()
	_, _ = m.BUFlags()
	_, _ = m.BAKey()
	_, _ = m.Lifetime()
	_, _ = m.Cookie()
	_, _ = m.KeygenToken()
	_, _ = m.HomeAddr()
	_, _ = m.ComputeChecksum(src, dst), m.ChecksumValid(src, dst)
	_ = m.Type().String()
	opts := m.Options()
	for t, ok := opts.Next(); ok; t, ok = opts.Next() {
		_, _ = t.Data(), t.Err()
	}
}

// TestCorpusWalk walks every IPv6 packet of the corpus (and those tunneled
// inside its packets) through the views: nothing may panic, nothing may
// allocate, and where gopacket decodes the packet too, the fixed header,
// every extension header it decodes and where the chain ends must agree.
func TestCorpusWalk(t *testing.T) {
	pkts := corpusIPv6(t)
	var walked, short, exts, gFixed, gExts, gUpper, statuses int
	var byStatus [5]int
	var disagree []string
	for _, p := range pkts {
		h, err := NewHeader(p.b)
		if err != nil {
			short++
			continue
		}
		walked++
		exts += readAll(h)
		it := h.ExtIter()
		for e, ok := it.Next(); ok; e, ok = it.Next() {
			byStatus[e.Status]++
			statuses++
		}
		r, err := compareGopacket(p.b)
		if err != nil {
			disagree = append(disagree, p.file+" #"+itoa(p.n)+": "+err.Error())
		}
		if r.fixed {
			gFixed++
		}
		gExts += r.exts
		if r.upper {
			gUpper++
		}
	}
	t.Logf("%d IPv6 packets (%d shorter than 40 bytes); %d walked with %d extension headers (statuses %v)",
		len(pkts), short, walked, exts, byStatus)
	t.Logf("gopacket agrees: fixed header %d, extension headers %d, end of chain %d; disagreements %d",
		gFixed, gExts, gUpper, len(disagree))
	for i, d := range disagree {
		if i == 30 {
			t.Errorf("... and %d more", len(disagree)-30)
			break
		}
		t.Error(d)
	}
	if walked < 700 {
		t.Errorf("only %d IPv6 packets in the corpus", walked)
	}
}

func itoa(n int) string {
	var b [20]byte
	i := len(b)
	for {
		i--
		b[i] = byte('0' + n%10)
		n /= 10
		if n == 0 {
			return string(b[i:])
		}
	}
}
