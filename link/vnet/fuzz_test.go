package vnet_test

import (
	"bytes"
	"testing"

	"github.com/medina-net/medina/link/vnet"
)

// FuzzHeader: any ten bytes are a header whose fields encode back to the
// same bytes; Check accepts exactly the known GSO types.
func FuzzHeader(f *testing.F) {
	f.Add([]byte{1, 1, 66, 0, 0xa8, 5, 34, 0, 16, 0})
	f.Add([]byte{0, 0x85, 0, 0, 0, 0, 0, 0, 0, 0})
	f.Fuzz(func(t *testing.T, b []byte) {
		h, err := vnet.NewHeader(b)
		if err != nil {
			if len(b) >= vnet.HeaderLen {
				t.Fatalf("%d bytes refused: %v", len(b), err)
			}
			return
		}
		fl := h.Fields()
		out, err := fl.Encode(make([]byte, vnet.HeaderLen))
		if err != nil || !bytes.Equal(out, b[:vnet.HeaderLen]) {
			t.Fatalf("round trip % x -> % x (%v)", b[:vnet.HeaderLen], out, err)
		}
		known := map[vnet.GSOType]bool{vnet.GSONone: true, vnet.GSOTCPv4: true, vnet.GSOTCPv6: true, vnet.GSOUDPL4: true}
		if (h.Check() == nil) != known[h.GSOType()&^vnet.GSOECN] {
			t.Fatalf("Check %v for type %v", h.Check(), h.GSOType())
		}
	})
}

// FuzzSegment: whatever the packet and header, NewSegmenter refuses or
// yields segments that each fit HeadersLen plus the segment size, and
// whose payloads put back together are the packet's.
func FuzzSegment(f *testing.F) {
	f.Add(superPacket(f, false, true, "FP", 3000), uint8(vnet.GSOTCPv4), uint16(1448), 14)
	f.Add(superPacket(f, true, true, "C", 5000), uint8(vnet.GSOTCPv6), uint16(1000), 14)
	f.Add(superPacket(f, true, false, "", 4000), uint8(vnet.GSOUDPL4), uint16(1200), 14)
	f.Add(superPacket(f, false, false, "", 2000)[14:], uint8(vnet.GSOUDPL4), uint16(500), 0)
	f.Fuzz(func(t *testing.T, pkt []byte, typ uint8, mss uint16, netOff int) {
		fl := vnet.Fields{GSOType: vnet.GSOType(typ), GSOSize: mss}
		h, _ := fl.Encode(make([]byte, vnet.HeaderLen))
		s, err := vnet.NewSegmenter(pkt, h, netOff)
		if err != nil {
			return
		}
		if s.N() > len(pkt) {
			t.Fatalf("%d segments from %d bytes", s.N(), len(pkt))
		}
		var got []byte
		buf := make([]byte, s.HeadersLen()+int(mss))
		for i := range s.N() {
			n, err := s.Segment(i, buf)
			if err != nil {
				t.Fatalf("segment %d of %d: %v", i, s.N(), err)
			}
			if n != s.SegmentLen(i) || n <= s.HeadersLen() {
				t.Fatalf("segment %d: %d bytes, SegmentLen %d, headers %d", i, n, s.SegmentLen(i), s.HeadersLen())
			}
			got = append(got, buf[s.HeadersLen():n]...)
		}
		if !bytes.Equal(got, pkt[s.HeadersLen():]) {
			t.Fatal("payloads put back together differ from the packet's")
		}
	})
}
