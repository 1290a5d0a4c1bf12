package ipv6

import (
	"bytes"
	"errors"
	"testing"

	"github.com/medina-net/medina/ipv4"
)

func mustAddr(t testing.TB, s string) Addr {
	t.Helper()
	a, err := ParseAddr(s)
	if err != nil {
		t.Fatal(err)
	}
	return a
}

func TestRoutingType0(t *testing.T) {
	h, _ := NewHeader(unhex(t, routedEcho))
	it := h.ExtIter()
	e, _ := it.Next()
	r, ok := e.Routing()
	if !ok || r.Type() != RoutingSourceRoute || r.SegmentsLeft() != 1 || r.HdrExtLen() != 2 || r.Len() != 24 ||
		r.Reserved() != 0 || r.NumAddrs() != 1 || r.Check() != nil || r.NextHeader() != ipv4.ProtoICMPv6 {
		t.Fatalf("routing header % x", r)
	}
	if a, ok := r.Addr(0); !ok || a != mustAddr(t, "2200::210:2:0:0:4") {
		t.Fatalf("Addr(0) = %v %v", a, ok)
	}
	if _, ok := r.Addr(1); ok {
		t.Fatal("Addr(1) of a header with one")
	}
	// Once the packet reaches its final destination, no segment is left:
	// a host sums to Dst, tcpdump to the last slot.
	r.SetSegmentsLeft(0)
	if h.FinalDst() != h.Dst() || h.RoutedDst() != mustAddr(t, "2200::210:2:0:0:4") {
		t.Fatalf("segments left 0: FinalDst %v, RoutedDst %v", h.FinalDst(), h.RoutedDst())
	}
	r.SetSegmentsLeft(2)
	if !errors.Is(r.Check(), ErrBadRouting) || h.FinalDst() != h.Dst() {
		t.Fatalf("2 segments left of 1: Check %v, FinalDst %v", r.Check(), h.FinalDst())
	}
	if at, err := h.CheckExtensions(); err != ErrBadRouting || at != 43 {
		t.Fatalf("CheckExtensions %v at %d", err, at)
	}
}

// TestSRH reads the segment routing headers of ipv6-srh-ext-header.pcap and
// ipv6-srh-insert-cksum.pcap: "RT6 (len=4, type=4, segleft=1,
// last-entry=1, flags=0x0, tag=0, [0]a:b:c:3::d6, [1]a:b:c:2::f1:0)" and
// "RT6 (len=6, type=4, segleft=2, last-entry=2, flags=0x0, tag=0,
// [0]b2::2, [1]3::d6, [2]2::f1:0) 57745 > 5001: [udp sum ok]".
func TestSRH(t *testing.T) {
	for _, c := range []struct {
		file string
		segs []string
		left uint8
		next ipv4.Protocol
	}{
		{"ipv6-srh-ext-header.pcap", []string{"a:b:c:3::d6", "a:b:c:2::f1:0"}, 1, ipv4.ProtoIPv6},
		{"ipv6-srh-insert-cksum.pcap", []string{"b2::2", "3::d6", "2::f1:0"}, 2, ipv4.ProtoUDP},
	} {
		h, _ := NewHeader(capture(t, c.file)[0].b)
		it := h.ExtIter()
		e, _ := it.Next()
		r, ok := e.Routing()
		if !ok || r.Type() != RoutingSegment || r.SegmentsLeft() != c.left || int(r.LastEntry()) != len(c.segs)-1 ||
			r.Flags() != 0 || r.Tag() != 0 || r.NumSegments() != len(c.segs) || r.Check() != nil || r.NextHeader() != c.next {
			t.Fatalf("%s: % x", c.file, r)
		}
		for i, s := range c.segs {
			if a, ok := r.Segment(i); !ok || a.String() != s {
				t.Fatalf("%s: segment %d %v, want %s", c.file, i, a, s)
			}
		}
		if tlvs := r.TLVs(); func() bool { _, ok := tlvs.Next(); return ok }() {
			t.Fatalf("%s: a TLV", c.file)
		}
		if final := mustAddr(t, c.segs[0]); h.FinalDst() != final || h.RoutedDst() != final {
			t.Fatalf("%s: FinalDst %v, RoutedDst %v", c.file, h.FinalDst(), h.RoutedDst())
		}
		// Rebuilt from its fields, the header is the same.
		var segs []Addr
		for i := range r.NumSegments() {
			a, _ := r.Segment(i)
			segs = append(segs, a)
		}
		b := make([]byte, 512)
		n, err := EncodeSRH(b, r.NextHeader(), r.SegmentsLeft(), r.Flags(), r.Tag(), segs, nil)
		if err != nil || !bytes.Equal(b[:n], r) {
			t.Fatalf("%s: re-encoded % x (%v), want % x", c.file, b[:n], err, []byte(r))
		}
	}
}

func TestSRHTLVs(t *testing.T) {
	seg := mustAddr(t, "2001:db8::1")
	// An HMAC TLV of 8 bytes of data and a PadN of 4: 16 bytes.
	tlvs := []byte{byte(SRHHMAC), 6, 0, 0, 0, 0, 0, 1, byte(SRHPadN), 6, 0, 0, 0, 0, 0, 0}
	b := make([]byte, 64)
	n, err := EncodeSRH(b, ipv4.ProtoTCP, 0, 0, 7, []Addr{seg}, tlvs)
	if err != nil || n != 40 {
		t.Fatal(n, err)
	}
	r, _ := NewRouting(b[:n])
	it := r.TLVs()
	t1, _ := it.Next()
	t2, _ := it.Next()
	if t1.Type != uint8(SRHHMAC) || t1.Offset != 24 || t1.Length != 6 || t2.Type != uint8(SRHPadN) || t2.Offset != 32 || r.Check() != nil {
		t.Fatalf("TLVs %+v %+v", t1, t2)
	}
	if _, ok := it.Next(); ok {
		t.Fatal("a third TLV")
	}
	b[33] = 9 // the PadN runs past the header
	if err := r.Check(); !errors.Is(err, ErrBadRouting) {
		t.Fatalf("Check %v", err)
	}
	if _, err := EncodeSRH(b, 6, 0, 0, 0, []Addr{seg}, tlvs[:3]); !errors.Is(err, ErrBadRouting) {
		t.Fatalf("a length not a multiple of 8: %v", err)
	}
}

func TestRoutingType2(t *testing.T) {
	home := mustAddr(t, "2001:db8::99")
	b := make([]byte, 24)
	n, err := EncodeRouting(b, ipv4.ProtoTCP, RoutingMobile, 1, home)
	r, _ := NewRouting(b[:n])
	if err != nil || n != 24 || r.Check() != nil || r.HdrExtLen() != 2 {
		t.Fatalf("% x %v %v", b[:n], err, r.Check())
	}
	if a, ok := r.FinalDst(Addr{}); !ok || a != home {
		t.Fatalf("FinalDst %v", a)
	}
	r.SetSegmentsLeft(0)
	if !errors.Is(r.Check(), ErrBadRouting) {
		t.Fatal("type 2 with no segment left")
	}
	if _, err := EncodeRouting(b, 6, RoutingMobile, 1, home, home); !errors.Is(err, ErrTruncated) {
		t.Fatalf("short buffer: %v", err)
	}
}

// TestRoutingRPL builds an RPL source route (RFC 6554) whose addresses
// share 8 bytes with the destination, the last one 15.
func TestRoutingRPL(t *testing.T) {
	dst := mustAddr(t, "fd00::1:2:3:4")
	hops := []Addr{mustAddr(t, "fd00::aaaa:bbbb:cccc:dddd"), mustAddr(t, "fd00::1111:2222:3333:4444"), mustAddr(t, "fd00::1:2:3:5")}
	// CmprI 8, CmprE 15: two addresses of 8 bytes, the last of 1 byte:
	// 17 bytes, padded with 7 to 24, HdrExtLen 3.
	b := []byte{41, 3, byte(RoutingRPL), 3, 8<<4 | 15, 7 << 4, 0, 0}
	b = append(b, hops[0][8:]...)
	b = append(b, hops[1][8:]...)
	b = append(b, hops[2][15:]...)
	b = append(b, make([]byte, 7)...)
	r, _ := NewRouting(b)
	if r.CmprI() != 8 || r.CmprE() != 15 || r.Pad() != 7 || r.Len() != 32 || r.NumRPLAddrs() != 3 || r.Check() != nil {
		t.Fatalf("CmprI %d CmprE %d Pad %d Len %d, %d addresses, Check %v", r.CmprI(), r.CmprE(), r.Pad(), r.Len(), r.NumRPLAddrs(), r.Check())
	}
	for i, want := range hops {
		if a, ok := r.RPLAddr(i, dst); !ok || a != want {
			t.Fatalf("address %d: %v, want %v", i, a, want)
		}
	}
	if a, ok := r.FinalDst(dst); !ok || a != hops[2] {
		t.Fatalf("FinalDst %v", a)
	}
	r.SetSegmentsLeft(4)
	if !errors.Is(r.Check(), ErrBadRouting) {
		t.Fatal("4 segments left of 3")
	}
	b[5] = 6 << 4 // padding that leaves a partial address
	if r.NumRPLAddrs() != 0 || !errors.Is(r.Check(), ErrBadRouting) {
		t.Fatalf("%d addresses with a bad pad", r.NumRPLAddrs())
	}
}

func TestRoutingShort(t *testing.T) {
	r, err := NewRouting([]byte{6, 4, 4, 1})
	if err != nil || r.Reserved() != 0 || r.Tag() != 0 || r.LastEntry() != 0 || r.Pad() != 0 {
		t.Fatal(err)
	}
	if _, ok := r.Segment(0); ok || !errors.Is(r.Check(), ErrTruncated) {
		t.Fatalf("a segment of a 4-byte header, Check %v", r.Check())
	}
	if _, err := NewRouting([]byte{6, 4, 4}); !errors.Is(err, ErrTruncated) {
		t.Fatal(err)
	}
	if RoutingSegment.String() != "segment routing" || RoutingType(9).String() != "type 9" {
		t.Fatal(RoutingType(9))
	}
}

// TestRoutingFields reads the first fields of routing headers cut short.
func TestRoutingFields(t *testing.T) {
	for _, c := range []struct {
		b         []byte
		len, left uint8
		typ       RoutingType
		n         int
	}{
		{nil, 0, 0, 0, 0},
		{[]byte{17}, 0, 0, 0, 0},
		{[]byte{17, 4}, 4, 0, 0, 1},
		{[]byte{17, 4, 4}, 4, 0, RoutingSegment, 2},
		{[]byte{17, 4, 4, 1, 0}, 4, 1, RoutingSegment, 3},
	} {
		l, typ, left, n := RoutingFields(c.b)
		if l != c.len || typ != c.typ || left != c.left || n != c.n {
			t.Errorf("RoutingFields(% x) = %d, %v, %d, %d; want %d, %v, %d, %d", c.b, l, typ, left, n, c.len, c.typ, c.left, c.n)
		}
	}
}

// TestSRHFields reads the fields of a segment routing header cut inside
// them.
func TestSRHFields(t *testing.T) {
	full := Routing{17, 2, 4, 0, 1, 0x80, 0x12, 0x34}
	for cut, want := range []struct {
		last, flags uint8
		tag         uint16
		n           int
	}{4: {0, 0, 0, 0}, 5: {1, 0, 0, 1}, 6: {1, 0x80, 0, 2}, 7: {1, 0x80, 0, 2}, 8: {1, 0x80, 0x1234, 3}} {
		if cut < 4 {
			continue
		}
		last, flags, tag, n := full[:cut].SRHFields()
		if last != want.last || flags != want.flags || tag != want.tag || n != want.n {
			t.Errorf("cut at %d: %d, %#x, %#x, %d; want %+v", cut, last, flags, tag, n, want)
		}
	}
}
