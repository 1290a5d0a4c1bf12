package ipv6

import (
	"bytes"
	"errors"
	"math/rand/v2"
	"testing"

	"github.com/medina-net/medina/ipv4"
)

// reassemble puts fragments back together as RFC 8200 4.5 says a receiver
// does, for the test: the unfragmentable part of the first, its last
// next header field restored from the fragment header, and the data in
// offset order.
func reassemble(t *testing.T, frags [][]byte) []byte {
	t.Helper()
	var unfrag, first []byte
	var data []byte
	var id uint32
	for i, b := range frags {
		h := Header(b)
		if err := h.Check(); err != nil {
			t.Fatalf("fragment %d: %v", i, err)
		}
		if at, err := h.CheckExtensions(); err != nil {
			t.Fatalf("fragment %d: %v at %d", i, err, at)
		}
		f, off, ok := h.FragmentHeader()
		if !ok {
			t.Fatalf("fragment %d has no fragment header", i)
		}
		if i == 0 {
			id = f.ID()
			first = b[:off]
			unfrag = bytes.Clone(b[:off])
			nextAt := nextOff
			it := h.ExtIter()
			for e, ok := it.Next(); ok && e.Offset < off; e, ok = it.Next() {
				nextAt = e.Offset
			}
			unfrag[nextAt] = byte(f.NextHeader())
		} else if !bytes.Equal(b[:plenOff], first[:plenOff]) || !bytes.Equal(b[nextOff:off], first[nextOff:]) || f.ID() != id {
			t.Fatalf("fragment %d: another unfragmentable part or ID", i)
		}
		if f.Offset() != len(data) || f.More() != (i < len(frags)-1) || f.IsAtomic() {
			t.Fatalf("fragment %d: offset %d, more %v; %d bytes so far", i, f.Offset(), f.More(), len(data))
		}
		piece := b[off+FragmentHeaderLen:]
		if f.More() && len(piece)%8 != 0 {
			t.Fatalf("fragment %d: %d bytes of data", i, len(piece))
		}
		data = append(data, piece...)
	}
	out := append(unfrag, data...)
	Header(out).SetPayloadLen(uint16(len(out) - HeaderLen))
	return out
}

func TestFragment(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	rt := make([]byte, 24)
	EncodeRouting(rt, ipv4.ProtoDstOpts, RoutingSourceRoute, 1, mustAddr(t, "2001:db8::2"))
	for _, c := range []struct {
		name   string
		first  ipv4.Protocol
		heads  [][]byte
		unfrag int
	}{
		{"bare UDP", ipv4.ProtoUDP, nil, 40},
		{"hop-by-hop", ipv4.ProtoHopOpts, [][]byte{ext(17, 8)}, 48},
		{"hop-by-hop, dstopts, routing, dstopts", ipv4.ProtoHopOpts, [][]byte{ext(60, 8), ext(43, 16), rt, ext(17, 8)}, 88},
		{"dstopts only", ipv4.ProtoDstOpts, [][]byte{ext(17, 16)}, 40},
	} {
		for _, size := range []int{100, 1232, 1233, 1500, 4000, 9000, 65000} {
			body := make([]byte, size)
			for i := range body {
				body[i] = byte(r.Uint32())
			}
			pkt := packet(c.first, -1, append(c.heads, body)...)
			if n, ok := pkt.UnfragmentableLen(); !ok || n != c.unfrag {
				t.Fatalf("%s: UnfragmentableLen %d %v", c.name, n, ok)
			}
			for _, mtu := range []int{1280, 1500, 9000} {
				scratch := make([]byte, mtu)
				var frags [][]byte
				err := Fragment(pkt, mtu, 0xdeadbeef, scratch, func(f []byte) error {
					if len(f) > mtu {
						t.Fatalf("%s, %d bytes, MTU %d: a fragment of %d bytes", c.name, size, mtu, len(f))
					}
					frags = append(frags, bytes.Clone(f))
					return nil
				})
				if err != nil {
					t.Fatalf("%s, %d bytes, MTU %d: %v", c.name, size, mtu, err)
				}
				if len(pkt) <= mtu {
					if len(frags) != 1 || !bytes.Equal(frags[0], pkt) {
						t.Fatalf("%s, %d bytes, MTU %d: %d pieces of a packet that fits", c.name, size, mtu, len(frags))
					}
					continue
				}
				if got := reassemble(t, frags); !bytes.Equal(got, pkt) {
					t.Fatalf("%s, %d bytes, MTU %d: reassembled\n% x\nwant\n% x", c.name, size, mtu, got[:120], pkt[:120])
				}
				// The first fragment holds the whole chain and the UDP
				// header.
				if p, off, how := Header(frags[0]).UpperLayer(); p != ipv4.ProtoUDP || how != ChainUpper || off+8 > len(frags[0]) {
					t.Fatalf("%s, %d bytes, MTU %d: first fragment ends its chain %v %v at %d", c.name, size, mtu, how, p, off)
				}
			}
		}
	}
}

func TestFragmentErrors(t *testing.T) {
	big := packet(ipv4.ProtoUDP, -1, make([]byte, 3000))
	emit := func([]byte) error { return nil }
	if err := Fragment(big, 1279, 1, make([]byte, 1500), emit); !errors.Is(err, ErrMTUTooSmall) {
		t.Errorf("MTU 1279: %v", err)
	}
	if err := Fragment(big, 1280, 1, make([]byte, 1000), emit); !errors.Is(err, ErrTruncated) {
		t.Errorf("short scratch: %v", err)
	}
	if err := Fragment(big[:2000], 1280, 1, make([]byte, 1500), emit); !errors.Is(err, ErrTruncated) {
		t.Errorf("cut packet: %v", err)
	}
	fragged := packet(ipv4.ProtoFragment, -1, frag(17, 0, true, 1), make([]byte, 3000))
	if err := Fragment(fragged, 1280, 1, make([]byte, 1500), emit); !errors.Is(err, ErrBadFragment) {
		t.Errorf("a fragment: %v", err)
	}
	// A chain that does not fit the first fragment.
	long := packet(ipv4.ProtoDstOpts, -1, ext(60, 2048), ext(17, 8), make([]byte, 3000))
	if err := Fragment(long, 1280, 1, make([]byte, 1500), emit); !errors.Is(err, ErrMTUTooSmall) {
		t.Errorf("a long chain: %v", err)
	}
	stop := errors.New("stop")
	n := 0
	if err := Fragment(big, 1280, 1, make([]byte, 1500), func([]byte) error { n++; return stop }); err != stop || n != 1 {
		t.Errorf("emit's error: %v after %d", err, n)
	}
	// The emit of a packet that fits sees the packet, without the link
	// layer's padding.
	small := append(packet(ipv4.ProtoUDP, -1, make([]byte, 20)), 0, 0)
	if err := Fragment(small, 1280, 1, nil, func(b []byte) error {
		if len(b) != 60 {
			t.Errorf("%d bytes", len(b))
		}
		return nil
	}); err != nil {
		t.Error(err)
	}
}

func TestFragmentAllocs(t *testing.T) {
	pkt := packet(ipv4.ProtoUDP, -1, make([]byte, 9000))
	scratch := make([]byte, 1500)
	n := 0
	emit := func(f []byte) error { n += len(f); return nil }
	if a := testing.AllocsPerRun(10, func() { Fragment(pkt, 1500, 1, scratch, emit) }); a != 0 {
		t.Fatalf("Fragment allocates %v times", a)
	}
}

func TestFragmentHeader(t *testing.T) {
	b := make([]byte, 8)
	f, err := EncodeFragmentHeader(b, ipv4.ProtoTCP, 1448, true, 0x01020304)
	if err != nil || !bytes.Equal(b, []byte{6, 0, 0x05, 0xa9, 1, 2, 3, 4}) {
		t.Fatalf("% x %v", b, err)
	}
	if f.Offset() != 1448 || f.OffsetUnits() != 181 || !f.More() || f.ID() != 0x01020304 || f.IsAtomic() || f.Res() != 0 {
		t.Fatalf("%+v", f)
	}
	f.SetMore(false)
	f.SetOffset(0)
	if !f.IsAtomic() || f.More() || f.NextHeader() != ipv4.ProtoTCP {
		t.Fatal("not atomic")
	}
	b[3] |= 6 // the reserved bits do not make it less atomic
	if !f.IsAtomic() || f.Res() != 3 {
		t.Fatal("reserved bits")
	}
	for _, off := range []int{-8, 4, 65536} {
		if _, err := EncodeFragmentHeader(b, 6, off, false, 0); !errors.Is(err, ErrBadFragment) {
			t.Errorf("offset %d: %v", off, err)
		}
	}
	if _, err := EncodeFragmentHeader(b[:7], 6, 0, false, 0); !errors.Is(err, ErrTruncated) {
		t.Error(err)
	}
	if _, err := NewFragmentHeader(b[:7]); !errors.Is(err, ErrTruncated) {
		t.Error(err)
	}
}

// TestFragmentOffsetField reads the offset of fragment headers cut short.
func TestFragmentOffsetField(t *testing.T) {
	for _, c := range []struct {
		b   []byte
		off int
		ok  bool
	}{
		{[]byte{17, 0, 0x05}, 0, false},
		{[]byte{17, 0, 0x05, 0x01}, 0x500, true},
		{[]byte{17, 0, 0x05, 0x07, 0, 0, 0, 1}, 0x500, true},
	} {
		if off, ok := FragmentOffsetField(c.b); off != c.off || ok != c.ok {
			t.Errorf("FragmentOffsetField(% x) = %d, %v; want %d, %v", c.b, off, ok, c.off, c.ok)
		}
	}
}
