package ipv6

import (
	"bytes"
	"errors"
	"testing"

	"github.com/medina-net/medina/ipv4"
)

// TestOptionsMLD walks the hop-by-hop options of a real MLDv2 report:
// a router alert for MLD and a PadN.
func TestOptionsMLD(t *testing.T) {
	h, _ := NewHeader(unhex(t, mldReport))
	it := h.ExtIter()
	e, ok := it.Next()
	if !ok || e.Proto != ipv4.ProtoHopOpts || e.Status != ExtOK || e.Len != 8 || e.Offset != 40 || e.Next != ipv4.ProtoICMPv6 {
		t.Fatalf("first header %+v", e)
	}
	opts := e.Options()
	o, ok := opts.Next()
	if v, ok2 := o.RouterAlert(); !ok || !ok2 || v != RouterAlertMLD || o.Offset != 2 || o.Length != 2 || o.Kind.String() != "rtalert" {
		t.Fatalf("first option %+v", o)
	}
	o, ok = opts.Next()
	if !ok || o.Kind != OptPadN || o.Length != 0 || len(o.Raw) != 2 || o.Offset != 6 || o.Status != OptionOK {
		t.Fatalf("second option %+v", o)
	}
	if _, ok := opts.Next(); ok || opts.Err() != nil {
		t.Fatalf("a third option, or %v", opts.Err())
	}
	if p, off, how := it.End(); p != ipv4.ProtoICMPv6 || off != 48 || how != ChainUpper {
		t.Fatalf("End %v %d %v", p, off, how)
	}
}

func TestOptionIter(t *testing.T) {
	type step struct {
		kind   OptionKind
		st     OptionStatus
		off    int
		length int
		raw    int
	}
	for _, c := range []struct {
		name  string
		opts  []byte
		steps []step
	}{
		{"empty", nil, nil},
		{"Pad1s", []byte{0, 0, 0}, []step{{0, OptionOK, 0, 0, 1}, {0, OptionOK, 1, 0, 1}, {0, OptionOK, 2, 0, 1}}},
		{"PadN of 0", []byte{1, 0, 0}, []step{{1, OptionOK, 0, 0, 2}, {0, OptionOK, 2, 0, 1}}},
		{"no length byte", []byte{0, 5}, []step{{0, OptionOK, 0, 0, 1}, {5, OptionBadLength, 1, 0, 1}}},
		{"past the end", []byte{5, 4, 0, 0}, []step{{5, OptionPastEnd, 0, 4, 4}}},
		{"router alert of 1 byte", []byte{5, 1, 0, 1, 0}, []step{{5, OptionWrongLength, 0, 1, 3}, {1, OptionOK, 3, 0, 2}}},
		{"jumbo", []byte{0xc2, 4, 0, 1, 0, 0}, []step{{OptJumbo, OptionOK, 0, 4, 6}}},
		{"jumbo of 3", []byte{0xc2, 3, 0, 1, 0}, []step{{OptJumbo, OptionWrongLength, 0, 3, 5}}},
		{"unknown, skip", []byte{0x1e, 2, 1, 2}, []step{{0x1e, OptionOK, 0, 2, 4}}},
		{"CALIPSO", []byte{7, 12, 0, 0, 0, 1, 1, 9, 0xab, 0xcd, 1, 2, 3, 4}, []step{{OptCALIPSO, OptionOK, 0, 12, 14}}},
		{"CALIPSO short bitmap", []byte{7, 8, 0, 0, 0, 1, 1, 9, 0xab, 0xcd}, []step{{OptCALIPSO, OptionWrongLength, 0, 8, 10}}},
	} {
		it := NewOptionIter(c.opts)
		var bad error
		for i, w := range c.steps {
			o, ok := it.Next()
			if !ok || o.Kind != w.kind || o.Status != w.st || o.Offset != w.off || o.Length != w.length || len(o.Raw) != w.raw {
				t.Fatalf("%s: step %d: %+v (%v), want %+v", c.name, i, o, ok, w)
			}
			if (o.Err() == nil) != (w.st == OptionOK) {
				t.Fatalf("%s: step %d: Err %v", c.name, i, o.Err())
			}
			if bad == nil {
				bad = o.Err()
			}
		}
		for range 2 {
			if o, ok := it.Next(); ok {
				t.Fatalf("%s: after the steps: %+v", c.name, o)
			}
		}
		if (it.Err() == nil) != (bad == nil) || bad != nil && it.Err().Error() != bad.Error() {
			t.Fatalf("%s: Err %v, want %v", c.name, it.Err(), bad)
		}
		if n := testing.AllocsPerRun(10, func() {
			for o := range NewOptionIter(c.opts).All() {
				_ = o
			}
		}); n != 0 {
			t.Fatalf("%s: the walk allocates %v times", c.name, n)
		}
	}
}

// TestOptionTruncated walks options of a header a capture cut short, where
// the header says more than the buffer holds.
func TestOptionTruncated(t *testing.T) {
	b := unhex(t, mldReport)
	for cut, want := range map[int]OptionStatus{41: OptionTruncated, 42: OptionTruncated, 43: OptionTruncated, 45: OptionTruncated, 46: OptionOK} {
		h := Header(b[:cut])
		it := h.ExtIter()
		e, _ := it.Next()
		if e.Status != ExtTruncated || e.Len != 8 && cut > 41 {
			t.Fatalf("cut %d: %+v", cut, e)
		}
		opts := e.Options()
		o, _ := opts.Next()
		if o.Status != want {
			t.Fatalf("cut %d: first option %+v, want %v", cut, o, want)
		}
		if cut == 46 {
			if o, _ = opts.Next(); o.Status != OptionTruncated || len(o.Raw) != 0 || o.Offset != 6 {
				t.Fatalf("cut 46: second option %+v", o)
			}
		}
		if !errors.Is(opts.Err(), ErrTruncated) {
			t.Fatalf("cut %d: Err %v", cut, opts.Err())
		}
	}
}

func TestOptionErr(t *testing.T) {
	it := NewOptionIter([]byte{0, 5, 4, 0})
	it.Next()
	o, _ := it.Next()
	const want = `ipv6: bad option: option "rtalert" (type 5) at offset 1: data length 4 runs past the end of the header`
	if err := o.Err(); err == nil || err.Error() != want || !errors.Is(err, ErrBadOption) {
		t.Fatalf("Err %q, want %q", err, want)
	}
}

func TestOptionKinds(t *testing.T) {
	for _, c := range []struct {
		k       OptionKind
		action  OptionAction
		mutable bool
		name    string
	}{
		{OptPad1, ActionSkip, false, "pad1"},
		{OptRouterAlert, ActionSkip, false, "rtalert"},
		{OptJumbo, ActionDiscardICMPUnicast, false, "jumbo"},
		{OptHomeAddress, ActionDiscardICMPUnicast, false, "homeaddr"},
		{OptRPL, ActionDiscard, true, "rpl"},
		{OptQuickStart, ActionSkip, true, "quick-start"},
		{OptEID, ActionDiscardICMP, false, "eid"},
		{0x1e, ActionSkip, false, "opt_type 0x1e"},
		{0xfe, ActionDiscardICMPUnicast, true, "opt_type 0xfe"},
	} {
		if c.k.Action() != c.action || c.k.Mutable() != c.mutable || c.k.String() != c.name || c.k.Known() != (c.name[0] != 'o') {
			t.Errorf("%#x: action %d, mutable %v, %q", uint8(c.k), c.k.Action(), c.k.Mutable(), c.k.String())
		}
	}
	buf := make([]byte, 0, 32)
	if n := testing.AllocsPerRun(10, func() { buf = OptionKind(0x1e).AppendTo(buf[:0]) }); n != 0 {
		t.Errorf("AppendTo allocates %v times", n)
	}
}

func TestOptionAccessors(t *testing.T) {
	home, _ := ParseAddr("2001:db8::1")
	opts := AppendTunnelEncapLimit(nil, 4)
	opts = AppendOption(opts, OptHomeAddress, home[:])
	opts = AppendOption(opts, OptQuickStart, []byte{0x03, 9, 0, 0, 0, 0x14})
	opts = AppendOption(opts, OptRPL, []byte{0x80, 7, 0x01, 0x00})
	opts = AppendOption(opts, OptCALIPSO, []byte{0, 0, 0, 9, 1, 3, 0x12, 0x34, 0xf0, 0, 0, 0})
	it := NewOptionIter(opts)
	o, _ := it.Next()
	if v, ok := o.TunnelEncapLimit(); !ok || v != 4 {
		t.Errorf("TunnelEncapLimit %d %v", v, ok)
	}
	o, _ = it.Next()
	if a, sub, ok := o.HomeAddress(); !ok || a != home || len(sub) != 0 {
		t.Errorf("HomeAddress %v %x %v", a, sub, ok)
	}
	o, _ = it.Next()
	if q, ok := o.QuickStart(); !ok || q != (QuickStart{Func: 0, Rate: 3, TTL: 9, Nonce: 5}) {
		t.Errorf("QuickStart %+v %v", q, ok)
	}
	o, _ = it.Next()
	if f, inst, rank, ok := o.RPLInfo(); !ok || f != 0x80 || inst != 7 || rank != 256 {
		t.Errorf("RPLInfo %#x %d %d %v", f, inst, rank, ok)
	}
	o, _ = it.Next()
	if c, ok := o.CALIPSO(); !ok || c.DOI != 9 || c.SensitivityLevel != 3 || c.Checksum != 0x1234 || len(c.Compartments) != 4 {
		t.Errorf("CALIPSO %+v %v", c, ok)
	}
	if _, ok := o.Jumbo(); ok {
		t.Error("Jumbo of a CALIPSO option")
	}
}

func TestEncodeOptions(t *testing.T) {
	// The hop-by-hop header of an MLD report, as Linux builds it: router
	// alert, then PadN to 8 bytes.
	want := unhex(t, mldReport)[40:48]
	b := make([]byte, 16)
	n, err := EncodeOptions(b, ipv4.ProtoICMPv6, AppendRouterAlert(nil, RouterAlertMLD))
	if err != nil || n != 8 || !bytes.Equal(b[:n], want) {
		t.Fatalf("% x (%v), want % x", b[:n], err, want)
	}
	// A jumbo option aligned at 4n+2 needs 2 bytes of padding first.
	n, err = EncodeOptions(b, ipv4.ProtoTCP, AppendJumbo(AppendPad(nil, 2), 70000))
	if err != nil || n != 16 || !bytes.Equal(b[:n], []byte{6, 1, 1, 0, 0xc2, 4, 0, 1, 0x11, 0x70, 1, 4, 0, 0, 0, 0}) {
		t.Fatalf("% x (%v)", b[:n], err)
	}
	// Padding of one byte is a Pad1.
	n, _ = EncodeOptions(b, 59, []byte{0x1e, 3, 1, 2, 3})
	if n != 8 || b[7] != 0 {
		t.Fatalf("% x", b[:n])
	}
	if _, err := EncodeOptions(b[:7], 59, nil); !errors.Is(err, ErrTruncated) {
		t.Fatalf("short buffer: %v", err)
	}
	if _, err := EncodeOptions(make([]byte, 4096), 59, make([]byte, 2047)); !errors.Is(err, ErrBadOption) {
		t.Fatalf("too long: %v", err)
	}
}

// TestTLVSpan reads mobility options by the size their type has, past a
// length byte that says less, within the header and the capture.
func TestTLVSpan(t *testing.T) {
	// A binding update (12 bytes), then a refresh advice option whose
	// length byte says 0 and a PadN: 24 bytes in all.
	m := Mobility([]byte{59, 2, byte(MobilityBU), 0, 0, 0, 0, 1, 0x80, 0, 0, 10,
		byte(MobilityOptRefresh), 0, 0, 5, byte(MobilityOptPadN), 6, 0, 0, 0, 0, 0, 0})
	it := m.Options()
	o, _ := it.Next()
	if b, st := it.Span(o, 2); st != OptionOK || len(b) != 2 || b[1] != 5 {
		t.Errorf("refresh advice read with 2 bytes of data: % x %v", b, st)
	}
	if b, st := it.Span(o, 16); st != OptionPastEnd || len(b) != 10 {
		t.Errorf("16 bytes of data from offset 14 of a 24-byte header: % x %v, want 10 bytes past end", b, st)
	}
	short := m[:15]
	it = short.Options()
	o, _ = it.Next()
	if b, st := it.Span(o, 2); st != OptionTruncated || len(b) != 1 {
		t.Errorf("2 bytes of data of an option captured to its third byte: % x %v", b, st)
	}
}
