package vnet_test

import (
	"bytes"
	"encoding/binary"
	"errors"
	"net"
	"testing"

	"github.com/gopacket/gopacket"
	"github.com/gopacket/gopacket/layers"

	"github.com/medina-net/medina/ipv4"
	"github.com/medina-net/medina/ipv6"
	"github.com/medina-net/medina/link"
	"github.com/medina-net/medina/link/vnet"
	"github.com/medina-net/medina/tcp"
	"github.com/medina-net/medina/udp"
)

// superPacket builds an Ethernet frame carrying one TCP or UDP packet
// with payload bytes of data, serialized by gopacket, as the kernel hands
// a TAP reader a super-packet: lengths for the whole, and the checksum
// field holding only the pseudo-header's sum.
func superPacket(t testing.TB, v6, isTCP bool, flags string, payload int) []byte {
	t.Helper()
	eth := &layers.Ethernet{SrcMAC: net.HardwareAddr{2, 0, 0, 0, 0, 1}, DstMAC: net.HardwareAddr{2, 0, 0, 0, 0, 2}}
	var ip gopacket.NetworkLayer
	proto := layers.IPProtocolUDP
	if isTCP {
		proto = layers.IPProtocolTCP
	}
	if v6 {
		eth.EthernetType = layers.EthernetTypeIPv6
		ip = &layers.IPv6{Version: 6, HopLimit: 64, NextHeader: proto,
			SrcIP: net.ParseIP("2001:db8::1"), DstIP: net.ParseIP("2001:db8::2")}
	} else {
		eth.EthernetType = layers.EthernetTypeIPv4
		ip = &layers.IPv4{Version: 4, IHL: 5, TTL: 64, Id: 0xfffe, Flags: layers.IPv4DontFragment, Protocol: proto,
			SrcIP: net.IP{192, 0, 2, 1}, DstIP: net.IP{192, 0, 2, 2}}
	}
	data := make([]byte, payload)
	for i := range data {
		data[i] = byte(i * 7)
	}
	var l4 gopacket.SerializableLayer
	if isTCP {
		tc := &layers.TCP{SrcPort: 40000, DstPort: 80, Seq: 0xfffff000, Ack: 7, Window: 500, ACK: true,
			Options: []layers.TCPOption{{OptionType: layers.TCPOptionKindNop}, {OptionType: layers.TCPOptionKindNop},
				{OptionType: layers.TCPOptionKindTimestamps, OptionLength: 10, OptionData: make([]byte, 8)}}}
		for _, f := range flags {
			switch f {
			case 'F':
				tc.FIN = true
			case 'P':
				tc.PSH = true
			case 'C':
				tc.CWR = true
			}
		}
		tc.SetNetworkLayerForChecksum(ip)
		l4 = tc
	} else {
		u := &layers.UDP{SrcPort: 40000, DstPort: 53}
		u.SetNetworkLayerForChecksum(ip)
		l4 = u
	}
	buf := gopacket.NewSerializeBuffer()
	err := gopacket.SerializeLayers(buf, gopacket.SerializeOptions{FixLengths: true, ComputeChecksums: true},
		eth, ip.(gopacket.SerializableLayer), l4, gopacket.Payload(data))
	if err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func header(typ vnet.GSOType, mss, csumStart, csumOff int) vnet.Header {
	f := vnet.Fields{Flags: vnet.NeedsCsum, GSOType: typ, GSOSize: uint16(mss), CsumStart: uint16(csumStart), CsumOffset: uint16(csumOff)}
	h, _ := f.Encode(make([]byte, vnet.HeaderLen))
	return h
}

// TestSegmentTCP cuts TSO super-packets of both families, with sizes that
// end on and off a segment boundary, and checks every segment as a
// receiver would: valid IP and TCP checksums, lengths, consecutive
// sequence numbers (across the 2^32 wrap), IPv4 IDs counting up, FIN and
// PSH on the last segment only, CWR on the first only, and the payload
// put back together equal to the original.
func TestSegmentTCP(t *testing.T) {
	for _, v6 := range []bool{false, true} {
		for _, size := range []int{1, 1448, 1449, 2896, 10000, 65000 - 80} {
			pkt := superPacket(t, v6, true, "FPC", size)
			// The MSS of a 1500-byte MTU behind each family's headers
			// and TCP timestamps.
			typ, tOff, mss := vnet.GSOTCPv4, 14+20, 1448
			if v6 {
				typ, tOff, mss = vnet.GSOTCPv6|vnet.GSOECN, 14+40, 1428
			}
			s, err := vnet.NewSegmenter(pkt, header(typ, mss, tOff, 16), 14)
			if err != nil {
				t.Fatalf("v6 %v size %d: %v", v6, size, err)
			}
			if want := (size + mss - 1) / mss; s.N() != want {
				t.Fatalf("v6 %v size %d: %d segments, want %d", v6, size, s.N(), want)
			}
			var got []byte
			buf := make([]byte, 1514)
			for i := range s.N() {
				n, err := s.Segment(i, buf)
				if err != nil {
					t.Fatal(err)
				}
				seg := buf[:n]
				var th tcp.Header
				if v6 {
					h := ipv6.Header(seg[14:])
					if err := h.Check(); err != nil || int(h.PayloadLen()) != n-14-40 {
						t.Fatalf("segment %d: IPv6 header %v, payload length %d of %d", i, err, h.PayloadLen(), n)
					}
					th = tcp.Header(seg[tOff:])
					if !th.ChecksumValid6(h.Src(), h.Dst()) {
						t.Fatalf("segment %d: bad TCP checksum", i)
					}
				} else {
					h := ipv4.Header(seg[14:])
					if err := h.Check(); err != nil || int(h.TotalLen()) != n-14 {
						t.Fatalf("segment %d: IPv4 header %v, total length %d of %d", i, err, h.TotalLen(), n)
					}
					if h.ID() != uint16(0xfffe+i) {
						t.Fatalf("segment %d: IPv4 ID %#x", i, h.ID())
					}
					th = tcp.Header(seg[tOff:])
					if !th.ChecksumValid(h.Src(), h.Dst()) {
						t.Fatalf("segment %d: bad TCP checksum", i)
					}
				}
				if th.Seq() != 0xfffff000+uint32(i*mss) {
					t.Fatalf("segment %d: seq %#x", i, th.Seq())
				}
				last, first := i == s.N()-1, i == 0
				f := th.Flags()
				if f.Has(tcp.FlagFIN) != last || f.Has(tcp.FlagPSH) != last || f.Has(tcp.FlagCWR) != first || !f.Has(tcp.FlagACK) {
					t.Fatalf("segment %d of %d: flags %v", i, s.N(), f)
				}
				got = append(got, th.Payload()...)
			}
			if want := pkt[tOff+32:]; !bytes.Equal(got, want) {
				t.Fatalf("v6 %v size %d: payload put back together differs", v6, size)
			}
		}
	}
}

// TestSegmentUDP cuts USO super-packets into datagrams of GSOSize bytes,
// each with its own length and a valid checksum.
func TestSegmentUDP(t *testing.T) {
	for _, v6 := range []bool{false, true} {
		pkt := superPacket(t, v6, false, "", 3000)
		tOff := 14 + 20
		if v6 {
			tOff = 14 + 40
		}
		s, err := vnet.NewSegmenter(pkt, header(vnet.GSOUDPL4, 1200, tOff, 6), 14)
		if err != nil {
			t.Fatal(err)
		}
		if s.N() != 3 {
			t.Fatalf("%d datagrams, want 3", s.N())
		}
		buf := make([]byte, 1514)
		for i := range s.N() {
			n, err := s.Segment(i, buf)
			if err != nil {
				t.Fatal(err)
			}
			u := udp.Header(buf[tOff:n])
			want := []int{1200, 1200, 600}[i]
			ok := false
			if v6 {
				h := ipv6.Header(buf[14:n])
				ok = u.ChecksumValid6(h.Src(), h.Dst())
			} else {
				h := ipv4.Header(buf[14:n])
				ok = u.ChecksumValid(h.Src(), h.Dst()) && h.ChecksumValid()
			}
			if !ok || int(u.Length()) != 8+want || len(u.Payload()) != want {
				t.Fatalf("v6 %v datagram %d: checksum ok %v, length %d", v6, i, ok, u.Length())
			}
		}
	}
}

// TestComplete: a packet whose checksum field holds only the
// pseudo-header's sum, as the kernel leaves it with NEEDS_CSUM, comes out
// with the checksum a receiver accepts.
func TestComplete(t *testing.T) {
	for _, v6 := range []bool{false, true} {
		pkt := superPacket(t, v6, true, "P", 500)
		tOff := 14 + 20
		if v6 {
			tOff = 14 + 40
		}
		// Replace the full checksum by the pseudo-header's partial sum.
		th := tcp.Header(pkt[tOff:])
		var partial uint16
		if v6 {
			h := ipv6.Header(pkt[14:])
			partial = pseudo6(h.Src(), h.Dst(), len(th))
		} else {
			h := ipv4.Header(pkt[14:])
			partial = pseudo4(h.Src(), h.Dst(), len(th))
		}
		binary.BigEndian.PutUint16(pkt[tOff+16:], partial)
		if err := vnet.Complete(pkt, header(vnet.GSONone, 0, tOff, 16)); err != nil {
			t.Fatal(err)
		}
		valid := false
		if v6 {
			h := ipv6.Header(pkt[14:])
			valid = th.ChecksumValid6(h.Src(), h.Dst())
		} else {
			h := ipv4.Header(pkt[14:])
			valid = th.ChecksumValid(h.Src(), h.Dst())
		}
		if !valid {
			t.Fatalf("v6 %v: checksum not valid after Complete", v6)
		}
		if err := vnet.Complete(pkt[:tOff+10], header(vnet.GSONone, 0, tOff, 16)); !errors.Is(err, vnet.ErrCsumRange) {
			t.Fatalf("checksum field past the end: %v", err)
		}
	}
}

func pseudo4(src, dst [4]byte, n int) uint16 {
	b := append(append(src[:], dst[:]...), 0, 6, byte(n>>8), byte(n))
	return fold(b)
}

func pseudo6(src, dst [16]byte, n int) uint16 {
	b := append(append(src[:], dst[:]...), 0, 0, byte(n>>8), byte(n), 0, 0, 0, 6)
	return fold(b)
}

// fold is the one's complement sum of b's 16-bit words, folded, not
// complemented: what the kernel leaves in a partial checksum field.
func fold(b []byte) uint16 {
	var s uint32
	for i := 0; i+1 < len(b); i += 2 {
		s += uint32(b[i])<<8 | uint32(b[i+1])
	}
	for s > 0xffff {
		s = s>>16 + s&0xffff
	}
	return uint16(s)
}

// TestSegmenterRefuses: what cannot be cut is an error, never a panic.
func TestSegmenterRefuses(t *testing.T) {
	v4 := superPacket(t, false, true, "", 3000)
	for _, c := range []struct {
		name string
		pkt  []byte
		h    vnet.Header
		off  int
	}{
		{"no segment size", v4, header(vnet.GSOTCPv4, 0, 34, 16), 14},
		{"TCPv6 type on IPv4", v4, header(vnet.GSOTCPv6, 1448, 34, 16), 14},
		{"UDP_L4 type on TCP", v4, header(vnet.GSOUDPL4, 1448, 34, 16), 14},
		{"cut in the TCP header", v4[:40], header(vnet.GSOTCPv4, 1448, 34, 16), 14},
		{"headers only", v4[:66], header(vnet.GSOTCPv4, 1448, 34, 16), 14},
		{"IP header past the end", v4[:20], header(vnet.GSOTCPv4, 1448, 34, 16), 14},
	} {
		if _, err := vnet.NewSegmenter(c.pkt, c.h, c.off); err == nil {
			t.Errorf("%s: no error", c.name)
		}
	}
	s, err := vnet.NewSegmenter(v4, header(vnet.GSOTCPv4, 1448, 34, 16), 14)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.Segment(0, make([]byte, 100)); !errors.Is(err, vnet.ErrShortBuffer) {
		t.Fatalf("short buffer: %v", err)
	}
	if _, err := s.Segment(s.N(), make([]byte, 1514)); err == nil {
		t.Fatal("segment past the last: no error")
	}
}

// TestSetTCPChecksum: whatever a segment's checksum field holds (the
// pseudo-header's partial sum, a whole checksum, garbage), SetTCPChecksum
// makes it the segment's own, with payload and without, over both
// families; it refuses what is not TCP.
func TestSetTCPChecksum(t *testing.T) {
	for _, v6 := range []bool{false, true} {
		for _, payload := range []int{0, 1, 1000} {
			for _, field := range []string{"partial", "whole", "garbage"} {
				pkt := superPacket(t, v6, true, "P", payload)
				netOff := 14
				tOff := netOff + 20
				if v6 {
					tOff = netOff + 40
				}
				switch field {
				case "whole":
					if err := vnet.Complete(pkt, header(vnet.GSONone, 0, tOff, 16)); err != nil {
						t.Fatal(err)
					}
				case "garbage":
					binary.BigEndian.PutUint16(pkt[tOff+16:], 0x1234)
				}
				if err := vnet.SetTCPChecksum(pkt, netOff); err != nil {
					t.Fatalf("v6 %v, %d bytes, %s: %v", v6, payload, field, err)
				}
				h := tcp.Header(pkt[tOff:])
				var ok bool
				if v6 {
					ip := ipv6.Header(pkt[netOff:])
					ok = h.ChecksumValid6(ip.Src(), ip.Dst())
				} else {
					ip := ipv4.Header(pkt[netOff:])
					ok = h.ChecksumValid(ip.Src(), ip.Dst())
				}
				if !ok {
					t.Errorf("v6 %v, %d bytes, checksum field %s: not the segment's checksum after SetTCPChecksum", v6, payload, field)
				}
			}
		}
	}
	if err := vnet.SetTCPChecksum(superPacket(t, false, false, "", 10), 14); err == nil {
		t.Error("SetTCPChecksum took a UDP datagram")
	}
}

// TestWireFrames: a frame nothing is vouched for passes as it is; a
// super-frame comes out as its segments, each with a whole checksum; a
// segment whose checksum was left partial comes out with it whole; a
// frame that is no TCP comes out as it came, with an error.
func TestWireFrames(t *testing.T) {
	collect := func(frame []byte, off link.RxOffload) ([][]byte, error) {
		var got [][]byte
		_, err := vnet.WireFrames(frame, off, nil, func(f []byte) { got = append(got, bytes.Clone(f)) })
		return got, err
	}
	super := superPacket(t, false, true, "P", 3000)
	if got, err := collect(super, link.RxOffload{}); err != nil || len(got) != 1 || !bytes.Equal(got[0], super) {
		t.Errorf("nothing vouched for: %d frames, %v; want the frame as it is", len(got), err)
	}
	got, err := collect(super, link.RxOffload{ChecksumValid: true, SegmentSize: 1448})
	if err != nil || len(got) != 3 {
		t.Fatalf("a super-frame of 3000 bytes at 1448: %d frames, %v; want 3", len(got), err)
	}
	for i, f := range got {
		ip := ipv4.Header(f[14:])
		if h := tcp.Header(ip.Payload()); !h.ChecksumValid(ip.Src(), ip.Dst()) {
			t.Errorf("segment %d: checksum not whole", i)
		}
	}
	one := superPacket(t, true, true, "P", 100)
	got, err = collect(one, link.RxOffload{ChecksumValid: true})
	ip := ipv6.Header(got[0][14:])
	if err != nil || len(got) != 1 || !tcp.Header(got[0][54:]).ChecksumValid6(ip.Src(), ip.Dst()) {
		t.Errorf("a segment with a partial checksum: %d frames, %v, checksum not made whole", len(got), err)
	}
	udp := superPacket(t, false, false, "", 10)
	if got, err := collect(udp, link.RxOffload{ChecksumValid: true}); err == nil || len(got) != 1 || !bytes.Equal(got[0], udp) {
		t.Errorf("a UDP datagram vouched for: %d frames, %v; want it as it came and an error", len(got), err)
	}
}
