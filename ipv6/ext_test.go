package ipv6

import (
	"bytes"
	"errors"
	"testing"

	"github.com/medina-net/medina/ipv4"
)

// packet builds an IPv6 packet: a fixed header naming first, then body,
// the payload length set to len(body) unless plen is not -1.
func packet(first ipv4.Protocol, plen int, body ...[]byte) Header {
	var pl []byte
	for _, b := range body {
		pl = append(pl, b...)
	}
	if plen < 0 {
		plen = len(pl)
	}
	b := make([]byte, HeaderLen, HeaderLen+len(pl))
	h, _ := (&Fields{PayloadLen: plen, NextHeader: first, HopLimit: 64, Src: Loopback, Dst: AllNodes}).Encode(b)
	return append(h, pl...)
}

// ext builds an options-shaped extension header of n bytes naming next.
func ext(next ipv4.Protocol, n int) []byte {
	b := make([]byte, n)
	b[0], b[1] = byte(next), byte(n/8-1)
	if n > 2 {
		putPad(b[2:])
	}
	return b
}

func frag(next ipv4.Protocol, off int, more bool, id uint32) []byte {
	b := make([]byte, 8)
	EncodeFragmentHeader(b, next, off, more, id)
	return b
}

func TestExtChain(t *testing.T) {
	type hdr struct {
		proto ipv4.Protocol
		st    ExtStatus
		off   int
		len   int
	}
	udp8 := make([]byte, 8)
	for _, c := range []struct {
		name  string
		h     Header
		hdrs  []hdr
		end   ipv4.Protocol
		at    int
		how   ChainEnd
		check error
		ptr   int
	}{
		{"none", packet(ipv4.ProtoUDP, -1, udp8), nil, ipv4.ProtoUDP, 40, ChainUpper, nil, 0},
		{"hop-by-hop, dstopts", packet(0, -1, ext(60, 8), ext(17, 16), udp8),
			[]hdr{{0, ExtOK, 40, 8}, {60, ExtOK, 48, 16}}, ipv4.ProtoUDP, 64, ChainUpper, nil, 0},
		{"hop-by-hop second", packet(60, -1, ext(0, 8), ext(17, 8), udp8),
			[]hdr{{60, ExtOK, 40, 8}, {0, ExtMisplaced, 48, 8}}, ipv4.ProtoUDP, 56, ChainUpper, ErrMisplacedHopByHop, 40},
		{"past the payload", packet(60, 12, ext(17, 16), udp8),
			[]hdr{{60, ExtPastEnd, 40, 16}}, 60, 40, ChainBroken, ErrBadExtension, 41},
		{"no room for a header", packet(60, -1, ext(60, 8)),
			[]hdr{{60, ExtOK, 40, 8}, {60, ExtPastEnd, 48, 0}}, 60, 48, ChainBroken, ErrBadExtension, 40},
		{"payload length 0", packet(0, 0, ext(17, 8), udp8),
			[]hdr{{0, ExtPastEnd, 40, 0}}, 0, 40, ChainBroken, ErrBadExtension, 6},
		{"first fragment", packet(44, -1, frag(60, 0, true, 7), ext(17, 8), udp8),
			[]hdr{{44, ExtOK, 40, 8}, {60, ExtOK, 48, 8}}, ipv4.ProtoUDP, 56, ChainUpper, nil, 0},
		{"later fragment", packet(44, -1, frag(60, 8, false, 7), ext(17, 8), udp8),
			[]hdr{{44, ExtOK, 40, 8}}, 60, 48, ChainFragment, nil, 0},
		{"first fragment of 12 bytes", packet(44, -1, frag(17, 0, true, 7), udp8[:4]),
			[]hdr{{44, ExtOK, 40, 8}}, ipv4.ProtoUDP, 48, ChainUpper, ErrBadFragment, 4},
		{"fragment past 65535", packet(44, -1, frag(17, 65528, false, 7), udp8),
			[]hdr{{44, ExtOK, 40, 8}}, ipv4.ProtoUDP, 48, ChainFragment, ErrBadFragment, 42},
		{"first fragment without its chain", packet(44, -1, frag(60, 0, true, 7), ext(17, 16)[:8]),
			[]hdr{{44, ExtOK, 40, 8}, {60, ExtPastEnd, 48, 16}}, 60, 48, ChainBroken, ErrIncompleteChain, 0},
		{"first fragment without its upper header", packet(44, -1, frag(60, 0, true, 7), ext(17, 8)),
			[]hdr{{44, ExtOK, 40, 8}, {60, ExtOK, 48, 8}}, ipv4.ProtoUDP, 56, ChainUpper, ErrIncompleteChain, 0},
		{"AH", packet(51, -1, []byte{17, 4, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9}, udp8),
			[]hdr{{51, ExtOK, 40, 24}}, ipv4.ProtoUDP, 64, ChainUpper, nil, 0},
		{"AH of 8 bytes", packet(51, -1, []byte{17, 0, 0, 0, 0, 0, 1, 0}, udp8),
			[]hdr{{51, ExtBadLength, 40, 8}}, ipv4.ProtoUDP, 48, ChainUpper, ErrBadExtension, 41},
		{"ESP", packet(50, -1, []byte{0, 0, 1, 0, 0, 0, 0, 1, 0xde, 0xad}), nil, ipv4.ProtoESP, 40, ChainUpper, nil, 0},
		{"no next header", packet(59, -1, []byte{1, 2, 3}), nil, ipv4.ProtoNoNext, 40, ChainUpper, nil, 0},
		{"mobility", packet(135, -1, []byte{59, 1, 5, 0, 0, 0, 0, 1, 0x80, 0, 0, 1, 0, 0, 0, 0}),
			[]hdr{{135, ExtOK, 40, 16}}, ipv4.ProtoNoNext, 56, ChainUpper, nil, 0},
		{"bad option", packet(60, -1, []byte{17, 0, 5, 6, 0, 0, 0, 0}, udp8),
			[]hdr{{60, ExtOK, 40, 8}}, ipv4.ProtoUDP, 48, ChainUpper, ErrBadOption, 42},
	} {
		it := c.h.ExtIter()
		for i, w := range c.hdrs {
			e, ok := it.Next()
			if !ok || e.Proto != w.proto || e.Status != w.st || e.Offset != w.off || e.Len != w.len {
				t.Fatalf("%s: header %d: %+v (%v), want %+v", c.name, i, e, ok, w)
			}
		}
		if e, ok := it.Next(); ok {
			t.Fatalf("%s: a header more: %+v", c.name, e)
		}
		if p, at, how := it.End(); p != c.end || at != c.at || how != c.how {
			t.Fatalf("%s: End %v %d %v, want %v %d %v", c.name, p, at, how, c.end, c.at, c.how)
		}
		if ptr, err := c.h.CheckExtensions(); err != c.check || ptr != c.ptr {
			t.Fatalf("%s: CheckExtensions %v at %d, want %v at %d", c.name, err, ptr, c.check, c.ptr)
		}
		if n := testing.AllocsPerRun(10, func() {
			it := c.h.ExtIter()
			for e, ok := it.Next(); ok; e, ok = it.Next() {
				_ = e
			}
			c.h.CheckExtensions()
		}); n != 0 {
			t.Fatalf("%s: the walk allocates %v times", c.name, n)
		}
	}
}

// TestExtTruncated cuts a real packet with a routing header at every
// length and walks it: the routing header is truncated until it is whole.
func TestExtTruncated(t *testing.T) {
	b := unhex(t, routedEcho)
	for n := HeaderLen; n <= len(b); n++ {
		h := Header(b[:n])
		it := h.ExtIter()
		e, ok := it.Next()
		want := ExtTruncated
		if n >= 64 {
			want = ExtOK
		}
		if !ok || e.Status != want || len(e.Raw) != min(n-HeaderLen, 24) {
			t.Fatalf("cut at %d: %+v", n, e)
		}
		p, off, how := it.End()
		if want == ExtOK && (p != ipv4.ProtoICMPv6 || off != 64 || how != ChainUpper) ||
			want != ExtOK && (p != ipv4.ProtoRouting || off != 40 || how != ChainBroken) {
			t.Fatalf("cut at %d: End %v %d %v", n, p, off, how)
		}
		if _, err := h.CheckExtensions(); (err == nil) != (want == ExtOK) {
			t.Fatalf("cut at %d: CheckExtensions %v", n, err)
		}
	}
}

// TestLongChain walks the 100 extension headers of ipv6_ext_headers.pcap
// (from gopacket's captures): hop-by-hop, then routing, fragment and
// destination options headers again and again, then UDP.
func TestLongChain(t *testing.T) {
	var h Header
	for _, p := range corpusIPv6(t) {
		if p.file == "ipv6_ext_headers.pcap" {
			h = p.b
			break
		}
	}
	if h == nil {
		t.Skip("ipv6_ext_headers.pcap is not in the corpus")
	}
	it := h.ExtIter()
	n := 0
	for e, ok := it.Next(); ok; e, ok = it.Next() {
		if e.Status != ExtOK {
			t.Fatalf("header %d: %+v", n, e)
		}
		n++
	}
	if p, off, how := it.End(); p != ipv4.ProtoUDP || how != ChainUpper || off != 840 || n != 100 {
		t.Fatalf("%d headers, End %v %d %v", n, p, off, how)
	}
	if unfrag, ok := h.UnfragmentableLen(); ok {
		t.Fatalf("UnfragmentableLen %d of a packet with fragment headers", unfrag)
	}
}

func TestAHView(t *testing.T) {
	h, _ := NewHeader(unhex(t, ahUDP))
	it := h.ExtIter()
	e, _ := it.Next()
	a, ok := e.AH()
	if !ok || a.NextHeader() != ipv4.ProtoUDP || a.Len() != 20 || a.PayloadLen() != 3 || a.SPI() != 0x12345678 ||
		a.Seq() != 0 || !bytes.Equal(a.ICV(), bytes.Repeat([]byte{1}, 8)) || a.Reserved() != 0 {
		t.Fatalf("AH % x", a)
	}
	if p, off, how := it.End(); p != ipv4.ProtoUDP || off != 60 || how != ChainUpper {
		t.Fatalf("End %v %d %v", p, off, how)
	}
	if _, err := NewAH(a[:11]); err == nil {
		t.Fatal("NewAH of 11 bytes")
	}
	es, err := NewESP([]byte{0, 0, 1, 0, 0, 0, 0, 7, 0xaa})
	if err != nil || es.SPI() != 256 || es.Seq() != 7 || len(es.Data()) != 1 {
		t.Fatalf("ESP %v %v", es, err)
	}
}

// TestMobility reads the binding update of mobility_opt_asan.pcap, cut
// short by the capture: "mobility: BU seq#=116 A lifetime=15872(pad1)
// [|mobility]".
func TestMobility(t *testing.T) {
	pkts := capture(t, "mobility_opt_asan.pcap")
	h, _ := NewHeader(pkts[0].b)
	it := h.ExtIter()
	e, _ := it.Next()
	m, ok := e.Mobility()
	seq, _ := m.Seq()
	flags, _ := m.BUFlags()
	life, lifeOK := m.Lifetime()
	if !ok || e.Status != ExtTruncated || m.Type() != MobilityBU || m.Type().String() != "BU" || seq != 116 ||
		flags != 8 || uint32(life)<<2 != 15872 || !lifeOK {
		t.Fatalf("%v %+v: type %v seq %d flags %#x lifetime %d", ok, e, m.Type(), seq, flags, life)
	}
	opts := m.Options()
	o, ok := opts.Next()
	if !ok || o.Type != uint8(MobilityOptPad1) || o.Status != OptionOK {
		t.Fatalf("first option %+v", o)
	}
	last := o
	for o, ok := opts.Next(); ok; o, ok = opts.Next() {
		last = o
	}
	if last.Status != OptionTruncated {
		t.Fatalf("last option %+v", last)
	}
	// A whole binding acknowledgement, checksummed.
	src, dst := Loopback, AllNodes
	b := []byte{59, 1, byte(MobilityBA), 0, 0, 0, 3, 0x80, 0, 9, 0, 100, 1, 2, 0, 0}
	mb, _ := NewMobility(b)
	binaryPut16(b[4:], mb.ComputeChecksum(src, dst))
	st, _ := mb.Status()
	k, _ := mb.BAKey()
	seq, _ = mb.Seq()
	life, _ = mb.Lifetime()
	if !mb.ChecksumValid(src, dst) || st != 3 || !k || seq != 9 || life != 100 {
		t.Fatalf("BA % x", b)
	}
	// Cut inside its fixed part, the fields past the cut are not there.
	short := Mobility(b[:9])
	if _, ok := short.Status(); !ok {
		t.Error("status of a BA cut at byte 9 not there")
	}
	if _, ok := short.Seq(); ok {
		t.Error("sequence number of a BA cut at byte 9 there")
	}
	if _, ok := short.Lifetime(); ok {
		t.Error("lifetime of a BA cut at byte 9 there")
	}
	for _, c := range []struct {
		b      []byte
		hdrLen uint8
		typ    MobilityType
		n      int
	}{{nil, 0, 0, 0}, {[]byte{59}, 0, 0, 0}, {[]byte{59, 3}, 3, 0, 1}, {[]byte{59, 3, 6, 0}, 3, MobilityBA, 2}} {
		if l, typ, n := MobilityFields(c.b); l != c.hdrLen || typ != c.typ || n != c.n {
			t.Errorf("MobilityFields(% x) = %d, %v, %d; want %d, %v, %d", c.b, l, typ, n, c.hdrLen, c.typ, c.n)
		}
	}
	if mb.ChecksumValid(dst, Loopback.SolicitedNode()) {
		t.Fatal("checksum verifies with other addresses")
	}
}

func binaryPut16(b []byte, v uint16) { b[0], b[1] = byte(v>>8), byte(v) }

// TestExtIterTo walks a packet whose payload length is 0 and whose
// hop-by-hop header has no jumbo payload option: by its header it has no
// room for the hop-by-hop header, but walked to the end of the capture,
// as tcpdump walks it, the header is whole and UDP follows it.
func TestExtIterTo(t *testing.T) {
	h := packet(ipv4.ProtoHopOpts, 0, ext(ipv4.ProtoUDP, 8), make([]byte, 8))
	it := h.ExtIter()
	if e, ok := it.Next(); !ok || e.Status != ExtPastEnd {
		t.Fatalf("by the header: %+v %v", e, ok)
	}
	it = h.ExtIterTo(len(h))
	if e, ok := it.Next(); !ok || e.Status != ExtOK || e.Len != 8 {
		t.Fatalf("to the capture's end: %+v %v", e, ok)
	}
	if p, off, how := it.End(); p != ipv4.ProtoUDP || off != HeaderLen+8 || how != ChainUpper {
		t.Fatalf("end %v %d %v", p, off, how)
	}
	it = h.ExtIterTo(HeaderLen + 4)
	if e, ok := it.Next(); !ok || e.Status != ExtPastEnd {
		t.Fatalf("to byte 44: %+v %v", e, ok)
	}
}

// TestIPComp reads an IPComp header with the CPI of the third packet of
// the corpus's AH-IPcomp-IPv6.pcap (tcpdump: "IPComp(cpi=0x635c)"), and
// refuses one cut short.
func TestIPComp(t *testing.T) {
	c, err := NewIPComp([]byte{byte(ipv4.ProtoTCP), 0, 0x63, 0x5c, 0x78})
	if err != nil || c.NextHeader() != ipv4.ProtoTCP || c.Flags() != 0 || c.CPI() != 0x635c {
		t.Fatalf("%v: next %v flags %d cpi %#x", err, c.NextHeader(), c.Flags(), c.CPI())
	}
	if _, err := NewIPComp([]byte{6, 0, 0x63}); !errors.Is(err, ErrTruncated) {
		t.Errorf("3 bytes: %v", err)
	}
}

// TestAHFields reads the fields of authentication headers cut short.
func TestAHFields(t *testing.T) {
	b := []byte{17, 4, 0, 1, 0, 0, 0x10, 0x01, 0, 0, 0, 9}
	for _, c := range []struct {
		cut      int
		plen     uint8
		reserved uint16
		spi, seq uint32
		n        int
	}{
		{1, 0, 0, 0, 0, 0}, {2, 4, 0, 0, 0, 1}, {4, 4, 1, 0, 0, 2}, {7, 4, 1, 0, 0, 2},
		{8, 4, 1, 0x1001, 0, 3}, {12, 4, 1, 0x1001, 9, 4},
	} {
		plen, res, spi, seq, n := AHFields(b[:c.cut])
		if plen != c.plen || res != c.reserved || spi != c.spi || seq != c.seq || n != c.n {
			t.Errorf("cut at %d: %d %d %#x %d %d; want %+v", c.cut, plen, res, spi, seq, n, c)
		}
	}
}
