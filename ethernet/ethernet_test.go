package ethernet

import (
	"bytes"
	"errors"
	"fmt"
	"testing"

	"github.com/gopacket/gopacket"
	"github.com/gopacket/gopacket/layers"
)

// A QinQ-tagged ARP request from tcpdump's 802.1ad_QinQ test capture:
// service tag VLAN 200, customer tag VLAN 2001.
var qinqARP = []byte{
	0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x00, 0x20, 0xd2, 0x5a, 0xfb, 0x3f,
	0x88, 0xa8, 0x00, 0xc8, 0x81, 0x00, 0x07, 0xd1, 0x08, 0x06,
	0x00, 0x01, 0x08, 0x00, 0x06, 0x04, 0x00, 0x01,
}

func TestFrameAccessors(t *testing.T) {
	f, err := NewFrame(qinqARP)
	if err != nil {
		t.Fatal(err)
	}
	if got := f.Dst(); !got.IsBroadcast() {
		t.Errorf("Dst = %v, want broadcast", got)
	}
	if got, want := f.Src().String(), "00:20:d2:5a:fb:3f"; got != want {
		t.Errorf("Src = %s, want %s", got, want)
	}
	if f.Type() != TypeQinQ || f.IsLength() {
		t.Errorf("Type = %#04x, want QinQ", uint16(f.Type()))
	}
	typ, off, vid, err := Unwrap(f)
	if err != nil {
		t.Fatal(err)
	}
	if typ != TypeARP || off != 22 || vid != 200 {
		t.Errorf("Unwrap = %#04x, %d, vid %d; want ARP, 22, 200", uint16(typ), off, vid)
	}
	inner := Tag(f[18:])
	if inner.VID() != 2001 || inner.Priority() != 0 || inner.DEI() {
		t.Errorf("inner tag = vid %d prio %d dei %v", inner.VID(), inner.Priority(), inner.DEI())
	}
}

func TestTruncated(t *testing.T) {
	if _, err := NewFrame(qinqARP[:13]); !errors.Is(err, ErrTruncated) {
		t.Errorf("NewFrame of 13 bytes: %v, want ErrTruncated", err)
	}
	// The second tag is cut in the middle.
	if _, _, _, err := Unwrap(Frame(qinqARP[:20])); !errors.Is(err, ErrTruncated) {
		t.Errorf("Unwrap of a cut tag: %v, want ErrTruncated", err)
	}
	// A frame of nothing but tags must stop at MaxTags, not loop.
	hostile := append([]byte{}, qinqARP[:12]...)
	for i := 0; i < 20; i++ {
		hostile = append(hostile, 0x81, 0x00, 0x00, 0x01)
	}
	if _, _, _, err := Unwrap(Frame(hostile)); err == nil {
		t.Error("Unwrap of 20 stacked tags succeeded")
	}
}

func TestEncodeRoundTrip(t *testing.T) {
	buf := make([]byte, 64)
	src := Addr{2, 0, 0, 0, 0, 1}
	f, err := Encode(buf, Broadcast, src, TypeVLAN)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := PutTag(buf[HeaderLen:], 5, true, 42, TypeIPv4); err != nil {
		t.Fatal(err)
	}
	typ, off, vid, err := Unwrap(f)
	if err != nil || typ != TypeIPv4 || off != 18 || vid != 42 {
		t.Fatalf("Unwrap = %v %d %d %v", typ, off, vid, err)
	}
	tag := Tag(buf[HeaderLen:])
	if tag.Priority() != 5 || !tag.DEI() {
		t.Errorf("tag prio %d dei %v, want 5 true", tag.Priority(), tag.DEI())
	}
	if _, err := Encode(buf[:10], Broadcast, src, TypeIPv4); !errors.Is(err, ErrTruncated) {
		t.Errorf("Encode into 10 bytes: %v", err)
	}
}

func TestParseAddr(t *testing.T) {
	a, err := ParseAddr("02:00:5E:10:00:ff")
	if err != nil || a != (Addr{2, 0, 0x5e, 0x10, 0, 0xff}) {
		t.Fatalf("ParseAddr = %v, %v", a, err)
	}
	if a.String() != "02:00:5e:10:00:ff" {
		t.Errorf("String = %s", a)
	}
	for _, bad := range []string{"", "02:00:5e:10:00", "02:00:5e:10:00:fg", "02:00:5e:10:00/ff"} {
		if _, err := ParseAddr(bad); !errors.Is(err, ErrBadAddr) {
			t.Errorf("ParseAddr(%q) = %v, want ErrBadAddr", bad, err)
		}
	}
	if !Broadcast.IsMulticast() || (Addr{2}).IsMulticast() {
		t.Error("IsMulticast wrong")
	}
}

func TestLLCSNAP(t *testing.T) {
	// 802.3 frame payload: LLC AA AA 03, SNAP OUI 0 type IPv4.
	b := []byte{0xaa, 0xaa, 0x03, 0x00, 0x00, 0x00, 0x08, 0x00, 0x45}
	l, err := NewLLC(b)
	if err != nil {
		t.Fatal(err)
	}
	if !l.IsSNAP() || l.Len() != 3 || l.Control() != 3 {
		t.Fatalf("LLC: snap %v len %d ctrl %#x", l.IsSNAP(), l.Len(), l.Control())
	}
	s, err := NewSNAP(l.Payload())
	if err != nil {
		t.Fatal(err)
	}
	if s.OUI() != 0 || Type(s.ProtocolID()) != TypeIPv4 || !bytes.Equal(s.Payload(), []byte{0x45}) {
		t.Errorf("SNAP oui %#x pid %#x", s.OUI(), s.ProtocolID())
	}
	// An I-format control field is two bytes; three bytes are not enough.
	if _, err := NewLLC([]byte{0x42, 0x42, 0x00}); !errors.Is(err, ErrTruncated) {
		t.Errorf("I-format LLC of 3 bytes: %v", err)
	}
}

// FuzzFrame checks that no input makes the views panic, and that where
// gopacket decodes an Ethernet header (and its VLAN tags) too, both agree.
func FuzzFrame(f *testing.F) {
	f.Add(qinqARP)
	f.Add([]byte{0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 0x08, 0x00, 0x45})
	f.Add([]byte{0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 0x00, 0x20, 0xaa, 0xaa, 0x03, 0, 0, 0, 0x08, 0x00})
	f.Fuzz(func(t *testing.T, b []byte) {
		fr, err := NewFrame(b)
		if err != nil {
			if len(b) >= HeaderLen {
				t.Fatalf("NewFrame rejected %d bytes: %v", len(b), err)
			}
			return
		}
		typ, off, vid, uerr := Unwrap(fr)
		if fr.IsLength() {
			if l, err := NewLLC(fr.Payload()); err == nil {
				_ = l.Control()
				if l.IsSNAP() {
					if s, err := NewSNAP(l.Payload()); err == nil {
						_ = s.ProtocolID()
					}
				}
			}
		}

		pkt := gopacket.NewPacket(b, layers.LayerTypeEthernet, gopacket.DecodeOptions{Lazy: true, NoCopy: true})
		eth, ok := pkt.Layer(layers.LayerTypeEthernet).(*layers.Ethernet)
		if !ok {
			return
		}
		if [6]byte(eth.DstMAC) != fr.Dst() || [6]byte(eth.SrcMAC) != fr.Src() {
			t.Fatalf("addresses: gopacket %v %v, ours %v %v", eth.DstMAC, eth.SrcMAC, fr.Dst(), fr.Src())
		}
		// Values from 1501 to 1535 are neither a length nor an EtherType;
		// gopacket leaves both fields zero for them.
		if fr.TypeOrLen() >= 0x0600 && uint16(eth.EthernetType) != fr.TypeOrLen() {
			t.Fatalf("type: gopacket %#x, ours %#x", uint16(eth.EthernetType), fr.TypeOrLen())
		}
		if fr.IsLength() && eth.Length != fr.TypeOrLen() {
			t.Fatalf("length: gopacket %d, ours %d", eth.Length, fr.TypeOrLen())
		}
		if uerr != nil || fr.Type() != TypeVLAN {
			return
		}
		// gopacket decodes 802.1Q tags (not 802.1ad ones) as Dot1Q layers.
		if d, ok := pkt.Layer(layers.LayerTypeDot1Q).(*layers.Dot1Q); ok {
			if d.VLANIdentifier != vid {
				t.Fatalf("VLAN ID: gopacket %d, ours %d", d.VLANIdentifier, vid)
			}
			if off == HeaderLen+TagLen && uint16(d.Type) != uint16(typ) {
				t.Fatalf("inner type: gopacket %#x, ours %#x", uint16(d.Type), uint16(typ))
			}
		}
	})
}

func BenchmarkUnwrap(b *testing.B) {
	b.ReportAllocs()
	var sum int
	for b.Loop() {
		f, err := NewFrame(qinqARP)
		if err != nil {
			b.Fatal(err)
		}
		typ, off, vid, _ := Unwrap(f)
		sum += int(typ) + off + int(vid) + int(f.Src()[5]) + int(f.Dst()[0])
	}
	_ = sum
}

func ExampleUnwrap() {
	f, err := NewFrame(qinqARP)
	if err != nil {
		fmt.Println(err)
		return
	}
	typ, off, vid, err := Unwrap(f)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Printf("from %v, VLAN %d, EtherType %#04x at offset %d\n", f.Src(), vid, uint16(typ), off)
	// Output: from 00:20:d2:5a:fb:3f, VLAN 200, EtherType 0x0806 at offset 22
}

// TestShortErrorsDoNotAllocate checks that a header cut short is refused
// without an allocation: the stack meets runt frames in floods.
func TestShortErrorsDoNotAllocate(t *testing.T) {
	b := make([]byte, 3)
	if n := testing.AllocsPerRun(10, func() {
		_, err1 := NewFrame(b)
		_, err2 := NewTag(b)
		_, err3 := NewLLC(b[:2])
		_, err4 := NewSNAP(b)
		if err1 == nil || err2 == nil || err3 == nil || err4 == nil {
			t.Fatal("no error")
		}
	}); n != 0 {
		t.Errorf("%v allocations", n)
	}
}
