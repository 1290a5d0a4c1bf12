package ipv4

import (
	"errors"
	"fmt"
	"io"
	"strings"
	"testing"
)

// tcpdumpOptions renders the options of h the way tcpdump 4.99.3 -v does
// inside "options (...)", using only the package's API. It is the proof
// that the iterator gives a printer all it needs, including the bytes past
// a malformed option that tcpdump reads. ok is false where tcpdump gives up
// on the whole datagram ("[|ip]").
func tcpdumpOptions(h Header) (s string, ok bool) {
	var b strings.Builder
	i := 0
	for o := range h.OptionIter().All() {
		if o.Status == OptionTruncated && len(o.Bytes) < 2 {
			return b.String(), false // the kind or length byte is not captured
		}
		if i > 0 {
			b.WriteByte(',')
		}
		i++
		b.WriteString(o.Kind.String())
		switch o.Status {
		case OptionBadLength:
			fmt.Fprintf(&b, " [bad length %d]", o.Len)
			return b.String(), true
		case OptionTruncated:
			b.WriteString(" [truncated-option]")
			return b.String(), true
		}
		var complete bool
		switch o.Kind {
		case OptRR, OptLSRR, OptSSRR:
			complete = printRoute(&b, o)
		case OptTimestamp:
			complete = printTimestamp(&b, o)
		case OptRouterAlert:
			if o.Len < 4 {
				fmt.Fprintf(&b, " [bad length %d]", o.Len)
			} else if v, _ := o.RouterAlert(); v != 0 {
				fmt.Fprintf(&b, " value %d", v)
			}
			complete = true
		default:
			complete = true
		}
		if !complete {
			b.WriteString(" [truncated-option]")
			return b.String(), true
		}
	}
	return b.String(), true
}

func printRoute(b *strings.Builder, o Option) bool {
	if o.Len < 3 {
		fmt.Fprintf(b, " [bad length %d]", o.Len)
		return true
	}
	if (o.Len+1)&3 != 0 {
		fmt.Fprintf(b, " [bad length %d]", o.Len)
	}
	p, _ := o.Pointer()
	ptr := int(p) - 1
	if ptr < 3 || (ptr+1)&3 != 0 || ptr > o.Len+1 {
		fmt.Fprintf(b, " [bad ptr %d]", p)
	}
	for off := 3; off < o.Len; off += 4 {
		a, ok := o.RouteSlot((off - 3) / 4)
		if !ok {
			return false
		}
		fmt.Fprintf(b, " %v", a)
		if ptr > off {
			b.WriteByte(',')
		}
	}
	return true
}

func printTimestamp(b *strings.Builder, o Option) bool {
	if o.Len < 4 {
		fmt.Fprintf(b, "[bad length %d]", o.Len)
		return true
	}
	b.WriteString(" TS{")
	overflow, flag, _ := o.TSFlags()
	hop := flag.EntryLen()
	if flag > 15 || (o.Len-4)&(hop-1) != 0 {
		fmt.Fprintf(b, "[bad length %d]", o.Len)
	}
	p, _ := o.Pointer()
	ptr := int(p) - 1
	if ptr < 4 || (ptr-4)&(hop-1) != 0 || ptr > o.Len+1 {
		fmt.Fprintf(b, "[bad ptr %d]", p)
	}
	off := 0
	switch flag {
	case TSOnly:
		b.WriteString("TSONLY")
	case TSAndAddr:
		b.WriteString("TS+ADDR")
	case TSPrespec:
		b.WriteString("PRESPEC")
	default:
		fmt.Fprintf(b, "[bad ts type %d]", flag)
		goto done
	}
	for off = 4; off < o.Len; off += hop {
		sep := " "
		if ptr == off {
			sep = " ^ "
		}
		a, ts, ok := o.TSSlot((off - 4) / hop)
		if !ok {
			return false
		}
		addr := ""
		if hop == 8 {
			addr = a.String()
		}
		fmt.Fprintf(b, "%s%d@%s", sep, ts, addr)
	}
done:
	if ptr == off {
		b.WriteString(" ^ ")
	}
	if overflow != 0 {
		fmt.Fprintf(b, " [%d hops not recorded]} ", overflow)
	} else {
		b.WriteByte('}')
	}
	return true
}

// TestOptionsLikeTcpdump renders the options of real datagrams and compares
// them with what tcpdump 4.99.3 -v printed for them: Linux's own options
// (record route, timestamps, router alert, LSRR; outer headers and the
// headers quoted in its ICMP errors) and malformed corpus datagrams.
func TestOptionsLikeTcpdump(t *testing.T) {
	lo := readIPv4(t, linuxLoPcap)
	type want struct {
		n      int
		quoted bool // the header quoted in an ICMP error, not the outer one
		opts   string
	}
	check := func(ps []capturedIPv4, wants []want) {
		t.Helper()
		for _, w := range wants {
			b := ps[w.n-1].b
			if w.quoted {
				b = Header(b).Payload()[8:]
			}
			h, err := NewHeader(b)
			if err != nil {
				t.Fatal(err)
			}
			got, _ := tcpdumpOptions(h)
			if got != w.opts {
				t.Errorf("%s #%d (quoted %v):\n got %s\nwant %s", ps[0].file, w.n, w.quoted, got, w.opts)
			}
		}
	}
	check(lo, []want{
		{10, false, "RR 127.0.0.1, 0.0.0.0 0.0.0.0 0.0.0.0 0.0.0.0 0.0.0.0 0.0.0.0 0.0.0.0 0.0.0.0,NOP"},
		{11, false, "RR 127.0.0.1, 127.0.0.1, 127.0.0.1, 0.0.0.0 0.0.0.0 0.0.0.0 0.0.0.0 0.0.0.0 0.0.0.0,EOL"},
		{11, true, "RR 127.0.0.1, 127.0.0.1, 0.0.0.0 0.0.0.0 0.0.0.0 0.0.0.0 0.0.0.0 0.0.0.0 0.0.0.0,NOP"},
		{12, false, "timestamp TS{TSONLY 85097356@ ^ 0@ 0@ 0@ 0@ 0@ 0@ 0@}"},
		{13, false, "timestamp TS{TSONLY 85097356@ 85097356@ 85097356@ ^ 0@ 0@ 0@ 0@ 0@}"},
		{13, true, "timestamp TS{TSONLY 85097356@ 85097356@ ^ 0@ 0@ 0@ 0@ 0@ 0@}"},
		{14, false, "timestamp TS{TS+ADDR 85098456@127.0.0.1 ^ 0@0.0.0.0 0@0.0.0.0 0@0.0.0.0}"},
		{15, false, "timestamp TS{TS+ADDR 85098456@127.0.0.1 85098456@127.0.0.1 85098456@127.0.0.1 ^ 0@0.0.0.0}"},
		{15, true, "timestamp TS{TS+ADDR 85098456@127.0.0.1 85098456@127.0.0.1 ^ 0@0.0.0.0 0@0.0.0.0}"},
		{16, false, "timestamp TS{PRESPEC 85099557@127.0.0.1 ^ }"},
		{17, false, "timestamp TS{PRESPEC 85099557@127.0.0.1 ^ }"},
		{17, true, "timestamp TS{PRESPEC 85099557@127.0.0.1 ^ }"},
		{18, false, "RA"},
		{19, true, "RA"},
		{20, false, "NOP,LSRR 127.0.0.1"},
	})
	for _, c := range []struct{ file, opts string }{
		{"ip_printroute_asan.pcap", "LSRR [bad length 25] [bad ptr 15] 103.103.103.0, 0.172.0.116, 0.16.36.36, 16.0.36.2 14.9.36.4 [truncated-option]"},
		{"ip_ts_opts_asan.pcap", "timestamp TS{[bad length 14]TS+ADDR ^ 1229070338@0.0.52.112 [truncated-option]"},
		{"extract_read2_asan.pcap", "unknown 3,unknown 3,unknown 3 [bad length 3]"},
	} {
		check(capture(t, c.file), []want{{1, false, c.opts}})
	}
}

func TestOptionAccessors(t *testing.T) {
	ps := readIPv4(t, linuxLoPcap)
	it := Header(ps[14-1].b).OptionIter() // TS+ADDR, one hop recorded
	o, err := it.Next()
	if err != nil {
		t.Fatal(err)
	}
	if o.Kind != OptTimestamp || o.Len != 36 || o.Offset != 20 || len(o.Bytes) != 36 || len(o.Data()) != 34 || o.Truncated() {
		t.Fatalf("option %+v", o)
	}
	if p, ok := o.Pointer(); !ok || p != 13 {
		t.Fatalf("pointer %d %v", p, ok)
	}
	if ov, flag, ok := o.TSFlags(); !ok || ov != 0 || flag != TSAndAddr {
		t.Fatalf("overflow %d flag %d %v", ov, flag, ok)
	}
	if a, ts, ok := o.TSEntry(0); !ok || a != (Addr{127, 0, 0, 1}) || ts != 85098456 {
		t.Fatalf("entry 0: %v %d %v", a, ts, ok)
	}
	if _, _, ok := o.TSEntry(4); ok {
		t.Fatal("entry 4 of a 4-entry option")
	}
	if _, err := it.Next(); err != io.EOF {
		t.Fatalf("after the last option: %v", err)
	}

	it = Header(ps[10-1].b).OptionIter() // RR
	o, _ = it.Next()
	if a, ok := o.RouteAddr(0); !ok || a != (Addr{127, 0, 0, 1}) || o.Kind != OptRR {
		t.Fatalf("route address 0: %v %v", a, ok)
	}
	if _, ok := o.RouteAddr(9); ok {
		t.Fatal("address 9 of a 9-address option")
	}
	if o, _ = it.Next(); o.Kind != OptNOP || o.Offset != 59 || o.Len != 1 {
		t.Fatalf("second option %+v", o)
	}

	it = Header(ps[18-1].b).OptionIter() // router alert
	o, _ = it.Next()
	if v, ok := o.RouterAlert(); !ok || v != 0 || o.Kind != OptRouterAlert {
		t.Fatalf("router alert %d %v", v, ok)
	}
	if !OptLSRR.Copied() || OptRR.Copied() || OptTimestamp.Class() != 2 || OptTimestamp.Number() != 4 {
		t.Fatal("kind bits are wrong")
	}
}

// TestOptionIterMalformed walks hand-made malformed option lists.
func TestOptionIterMalformed(t *testing.T) {
	type step struct {
		kind  OptionKind
		len   int
		off   int
		bytes int
		err   error
	}
	for _, c := range []struct {
		name  string
		opts  []byte
		steps []step
	}{
		{"empty", nil, nil},
		{"NOP padding", []byte{1, 1, 1, 1}, []step{{1, 1, 0, 1, nil}, {1, 1, 1, 1, nil}, {1, 1, 2, 1, nil}, {1, 1, 3, 1, nil}}},
		{"EOL ends the list", []byte{1, 0, 7, 0}, []step{{1, 1, 0, 1, nil}, {0, 1, 1, 1, nil}}},
		{"length 0", []byte{1, 131, 0, 0}, []step{{1, 1, 0, 1, nil}, {131, 0, 1, 2, ErrBadOptionLength}}},
		{"length 1", []byte{68, 1, 0, 0}, []step{{68, 1, 0, 2, ErrBadOptionLength}}},
		{"length past the area", []byte{7, 7, 4, 0}, []step{{7, 7, 0, 4, ErrBadOptionLength}}},
		{"no room for the length byte", []byte{1, 1, 1, 7}, []step{{1, 1, 0, 1, nil}, {1, 1, 1, 1, nil}, {1, 1, 2, 1, nil}, {7, 0, 3, 1, ErrTruncated}}},
		{"unknown kind", []byte{0xfe, 4, 1, 2}, []step{{0xfe, 4, 0, 4, nil}}},
		{"length 2, no data", []byte{0xfe, 2, 1, 1}, []step{{0xfe, 2, 0, 2, nil}, {1, 1, 2, 1, nil}, {1, 1, 3, 1, nil}}},
	} {
		it := NewOptionIter(c.opts)
		for i, w := range c.steps {
			o, err := it.Next()
			if !errors.Is(err, w.err) || (w.err == nil) != (err == nil) {
				t.Fatalf("%s: step %d: err %v, want %v", c.name, i, err, w.err)
			}
			if o.Kind != w.kind || o.Len != w.len || o.Offset != w.off || len(o.Bytes) != w.bytes {
				t.Fatalf("%s: step %d: kind %d len %d offset %d %d bytes, want %+v", c.name, i, o.Kind, o.Len, o.Offset, len(o.Bytes), w)
			}
		}
		for range 2 {
			if _, err := it.Next(); err != io.EOF {
				t.Fatalf("%s: after the steps: %v, want io.EOF", c.name, err)
			}
		}
	}
}

// TestOptionIterTruncatedHeader walks options of headers cut by a snap
// length, where the header length says more than the buffer holds.
func TestOptionIterTruncatedHeader(t *testing.T) {
	f := Fields{Options: []byte{1, byte(OptRR), 11, 4, 0, 0, 0, 0, 0, 0, 0, 0}}
	full, _ := f.Encode(make([]byte, 32))
	for _, c := range []struct {
		cut   int
		steps int // options returned before the error
		bytes int // bytes of the failing option
	}{
		{20, 0, 0}, // not even the first kind byte
		{21, 1, 0}, // NOP, then no RR kind byte
		{22, 1, 1}, // RR kind, no length byte
		{23, 1, 2}, // RR kind and length only
		{31, 1, 10},
	} {
		it := full[:c.cut].OptionIter()
		for i := range c.steps {
			if _, err := it.Next(); err != nil {
				t.Fatalf("cut %d: option %d: %v", c.cut, i, err)
			}
		}
		o, err := it.Next()
		if !errors.Is(err, ErrTruncated) || len(o.Bytes) != c.bytes {
			t.Fatalf("cut %d: %v with %d bytes, want ErrTruncated with %d", c.cut, err, len(o.Bytes), c.bytes)
		}
		if _, err := it.Next(); err != io.EOF {
			t.Fatalf("cut %d: after the error: %v", c.cut, err)
		}
	}
	it := full.OptionIter()
	n := 0
	for _, err := it.Next(); err == nil; _, err = it.Next() {
		n++
	}
	if n != 2 {
		t.Fatalf("whole header: %d options, want 2", n)
	}
}

func TestOptionError(t *testing.T) {
	it := NewOptionIter([]byte{1, byte(OptLSRR), 25, 4})
	it.Next()
	_, err := it.Next()
	const want = "ipv4: bad option length: LSRR option at offset 1: length 25, 3 bytes left"
	if err == nil || err.Error() != want {
		t.Fatalf("error %q, want %q", err, want)
	}
}

// TestCheckOptions: the checks a receiving host makes, with the octet an
// ICMP parameter problem would point at.
func TestCheckOptions(t *testing.T) {
	for _, c := range []struct {
		name   string
		opts   []byte
		at     int
		err    error
		srcRte bool
	}{
		{"none", nil, 0, nil, false},
		{"NOPs and EOL", []byte{1, 1, 1, 0}, 0, nil, false},
		{"record route", []byte{7, 7, 4, 0, 0, 0, 0, 0}, 0, nil, false},
		{"loose source route", []byte{131, 7, 4, 192, 0, 2, 9, 0}, 0, nil, true},
		{"strict source route after NOP", []byte{1, 137, 7, 8, 192, 0, 2, 9}, 0, nil, true},
		{"timestamp", []byte{68, 8, 5, 0, 0, 0, 0, 0}, 0, nil, false},
		{"router alert", []byte{148, 4, 0, 0}, 0, nil, false},
		{"unknown kind", []byte{0xfe, 4, 1, 2}, 0, nil, false},
		{"whatever follows EOL", []byte{0, 131, 0, 0}, 0, nil, false},
		{"length 0", []byte{1, 131, 0, 0}, 21, ErrBadOptionLength, true},
		{"length 1", []byte{68, 1, 0, 0}, 20, ErrBadOptionLength, false},
		{"length past the header", []byte{1, 7, 7, 4}, 21, ErrBadOptionLength, false},
		{"no room for the length byte", []byte{1, 1, 1, 7}, 23, ErrBadOptionLength, false},
		{"route too short for its pointer", []byte{131, 2, 1, 0}, 21, ErrBadOption, true},
		{"route pointer before its first slot", []byte{7, 7, 3, 0, 0, 0, 0, 0}, 22, ErrBadOption, false},
		{"timestamp too short", []byte{68, 3, 5, 0}, 21, ErrBadOption, false},
		{"timestamp pointer before its first entry", []byte{68, 8, 4, 0, 0, 0, 0, 0}, 22, ErrBadOption, false},
		{"two source routes", []byte{131, 3, 4, 137, 3, 4, 0, 0}, 23, ErrBadOption, true},
	} {
		b := make([]byte, 64)
		f := Fields{PayloadLen: 4, TTL: 64, Protocol: ProtoUDP, Src: Addr{192, 0, 2, 1}, Dst: Addr{192, 0, 2, 2}, Options: c.opts}
		h, err := f.Encode(b)
		if err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		at, err := h.CheckOptions()
		if err != c.err || at != c.at {
			t.Errorf("%s: CheckOptions() = %d, %v; want %d, %v", c.name, at, err, c.at, c.err)
		}
		if got := h.HasSourceRoute(); got != c.srcRte {
			t.Errorf("%s: HasSourceRoute() = %v", c.name, got)
		}
		if n := testing.AllocsPerRun(10, func() { h.CheckOptions() }); n != 0 {
			t.Errorf("%s: CheckOptions allocates %v times", c.name, n)
		}
	}
}

// TestOptionAll walks option lists with All and with Next: the same
// options, each status matching Next's error (Err gives the same error),
// and All does not allocate, malformed options included.
func TestOptionAll(t *testing.T) {
	for _, opts := range [][]byte{
		{1, 1, 1, 1},
		{1, byte(OptRR), 7, 4, 1, 2, 3, 4, 0, 0},
		{1, 131, 0, 0},                      // length 0
		{7, 7, 4, 0},                        // past the area
		{1, 1, 1, 7},                        // no length byte
		{68, 12, 5, 1, 0, 0, 0, 1, 0, 0, 0}, // cut inside: the area is longer below
	} {
		area := len(opts)
		if opts[0] == 68 {
			area = 12
		}
		h := Header(append(make([]byte, MinHeaderLen, MinHeaderLen+len(opts)), opts...))
		h[0] = 0x40 | byte((MinHeaderLen+area+3)/4)
		it := h.OptionIter()
		for o := range h.OptionIter().All() {
			want, err := it.Next()
			if err == io.EOF {
				t.Fatalf("% x: All gives %+v past Next's end", opts, o)
			}
			if o.Kind != want.Kind || o.Len != want.Len || o.Offset != want.Offset || len(o.Bytes) != len(want.Bytes) {
				t.Fatalf("% x: All %+v, Next %+v", opts, o, want)
			}
			if (o.Status == OptionOK) != (err == nil) ||
				o.Status == OptionBadLength && !errors.Is(err, ErrBadOptionLength) ||
				o.Status == OptionTruncated && !errors.Is(err, ErrTruncated) {
				t.Fatalf("% x: status %d, error %v", opts, o.Status, err)
			}
			if e := o.Err(); fmt.Sprint(e) != fmt.Sprint(err) {
				t.Fatalf("% x: Err %v, Next's error %v", opts, e, err)
			}
		}
		if _, err := it.Next(); err != io.EOF {
			t.Fatalf("% x: Next goes on after All: %v", opts, err)
		}
		if n := testing.AllocsPerRun(10, func() {
			for o := range h.OptionIter().All() {
				_ = o
			}
		}); n != 0 {
			t.Errorf("% x: All allocates %v times", opts, n)
		}
	}
}

// TestOptionSlots reads route and timestamp slots as tcpdump does, past an
// option whose length is not a whole number of slots.
func TestOptionSlots(t *testing.T) {
	// An RR option of length 9: its second slot starts at 7 and runs 2
	// bytes into the NOPs after it; the third would start past the
	// length and run past the buffer.
	opts := []byte{byte(OptRR), 9, 4, 10, 0, 0, 1, 10, 0, 1, 1}
	it := NewOptionIter(opts)
	o, err := it.Next()
	if err != nil {
		t.Fatal(err)
	}
	if a, ok := o.RouteSlot(1); !ok || a != (Addr{10, 0, 1, 1}) {
		t.Errorf("slot 1: %v %v", a, ok)
	}
	if _, ok := o.RouteAddr(1); ok {
		t.Error("RouteAddr reads past the option")
	}
	if _, ok := o.RouteSlot(2); ok {
		t.Error("slot 2 past the buffer")
	}
	// A TS+ADDR timestamp option of length 8: its entry runs to 12.
	opts = []byte{byte(OptTimestamp), 8, 5, 1, 10, 0, 0, 1, 0, 0, 0, 9}
	it = NewOptionIter(opts)
	o, _ = it.Next()
	if a, ts, ok := o.TSSlot(0); !ok || a != (Addr{10, 0, 0, 1}) || ts != 9 {
		t.Errorf("entry 0: %v %d %v", a, ts, ok)
	}
	if _, _, ok := o.TSEntry(0); ok {
		t.Error("TSEntry reads past the option")
	}
	if _, _, ok := o.TSSlot(1); ok {
		t.Error("entry 1 past the buffer")
	}
}

// TestOptionKindAppendTo checks that AppendTo gives String's names.
func TestOptionKindAppendTo(t *testing.T) {
	for k := range 256 {
		kind := OptionKind(k)
		if got := string(kind.AppendTo([]byte("x"))); got != "x"+kind.String() {
			t.Errorf("kind %d: AppendTo %q, String %q", k, got, kind.String())
		}
	}
	if OptionKind(99).String() != "unknown 99" || OptRouterAlert.String() != "RA" {
		t.Error(OptionKind(99), OptRouterAlert)
	}
}
