package tcp

import (
	"bytes"
	"encoding/hex"
	"errors"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

// unhex decodes a hex string with spaces, for byte tables.
func unhex(t testing.TB, s string) []byte {
	t.Helper()
	b, err := hex.DecodeString(strings.ReplaceAll(s, " ", ""))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// An AccECN SYN from accecn_handshake.pcap (packet 1): 31.133.146.248.16433
// > 66.228.43.12.80, Flags [SEW] and the AE bit, which tcpdump 4.99.3 does
// not show, seq 1948076589, win 65535, options [mss 1460,nop,wscale
// 6,sackOK,TS val 112147477 ecr 0]; tcpdump says its checksum 0x209c is
// incorrect and should be 0xe443 (it was captured on the sender, before
// checksum offload filled it in).
const synHex = "4031 0050 741d 4a2d 0000 0000 a1c2 ffff 209c 0000" +
	"0204 05b4 0103 0306 0402 080a 06af 3c15 0000 0000"

var (
	synSrc = [4]byte{31, 133, 146, 248}
	synDst = [4]byte{66, 228, 43, 12}
)

func TestHeaderFields(t *testing.T) {
	h, err := NewHeader(unhex(t, synHex))
	if err != nil {
		t.Fatal(err)
	}
	if err := h.Validate(); err != nil {
		t.Fatal(err)
	}
	type field struct {
		name      string
		got, want any
	}
	for _, f := range []field{
		{"SrcPort", h.SrcPort(), uint16(16433)},
		{"DstPort", h.DstPort(), uint16(80)},
		{"Seq", h.Seq(), uint32(1948076589)},
		{"Ack", h.Ack(), uint32(0)},
		{"DataOffset", h.DataOffset(), 40},
		{"Flags", h.Flags(), FlagSYN | FlagECE | FlagCWR | FlagAE},
		{"Flags.String", h.Flags().String(), "SEW"},
		{"Window", h.Window(), uint16(65535)},
		{"Checksum", h.Checksum(), uint16(0x209c)},
		{"Urgent", h.Urgent(), uint16(0)},
		{"OptionsLen", h.OptionsLen(), 20},
		{"len(Options)", len(h.Options()), 20},
		{"len(Payload)", len(h.Payload()), 0},
		{"ChecksumValid", h.ChecksumValid(synSrc, synDst), false},
		{"ComputeChecksum", h.ComputeChecksum(synSrc, synDst), uint16(0xe443)},
	} {
		if f.got != f.want {
			t.Errorf("%s = %v, want %v", f.name, f.got, f.want)
		}
	}
	var kinds []string
	it := h.OptionIter()
	for o, ok := it.Next(); ok; o, ok = it.Next() {
		if o.Status != OptionOK {
			t.Errorf("option %v at %d: %v", o.Kind, o.Offset, o.Err())
		}
		kinds = append(kinds, o.Kind.String())
	}
	if got := strings.Join(kinds, ","); got != "mss,nop,wscale,sackOK,TS" {
		t.Errorf("options %s", got)
	}
	if it.Err() != nil {
		t.Error(it.Err())
	}
}

// TestPorts reads the ports of a header cut short, as a printer shows
// them.
func TestPorts(t *testing.T) {
	b := []byte{0x9c, 0x40, 0x00, 0x50, 0, 0, 0, 1}
	for n := range len(b) + 1 {
		src, dst, ok := Ports(b[:n])
		if ok != (n >= PortsLen) || ok && (src != 40000 || dst != 80) {
			t.Errorf("Ports of %d bytes: %d, %d, %v", n, src, dst, ok)
		}
	}
}

func TestFlags(t *testing.T) {
	for _, c := range []struct {
		f    Flags
		want string
	}{
		{0, "none"},
		{FlagAE, "none"}, // tcpdump 4.99.3 reads only the flags byte
		{FlagFIN | FlagSYN | FlagRST | FlagPSH | FlagACK | FlagURG | FlagECE | FlagCWR, "FSRP.UEW"},
		{FlagSYN | FlagACK, "S."},
		{FlagPSH | FlagACK | FlagECE | FlagAE | FlagsReserved, "P.E"},
	} {
		if got := c.f.String(); got != c.want {
			t.Errorf("Flags(%#x) = %q, want %q", uint16(c.f), got, c.want)
		}
	}
	h := make(Header, HeaderLen)
	h[offsetOff] = 5 << 4
	h.SetFlags(0xfff)
	if h.Flags() != 0xfff || h.DataOffset() != 20 {
		t.Errorf("SetFlags(0xfff): flags %#x, offset %d", h.Flags(), h.DataOffset())
	}
	h.SetFlags(FlagACK)
	if h.Flags() != FlagACK || h[offsetOff] != 5<<4 {
		t.Errorf("SetFlags(ACK): flags %#x, byte 12 %#x", h.Flags(), h[offsetOff])
	}
	if !(FlagSYN | FlagACK).Has(FlagACK) || FlagSYN.Has(FlagSYN|FlagACK) {
		t.Error("Has")
	}
}

func TestValidate(t *testing.T) {
	base := unhex(t, synHex)
	for _, c := range []struct {
		name    string
		b       []byte
		off     byte // the data offset nibble
		wantErr error
		opts    int // len(Options())
		payload int // len(Payload())
	}{
		{"ok", base, 10, nil, 20, 0},
		{"no options", base, 5, nil, 0, 20},
		{"offset 16", base, 4, ErrBadDataOffset, 0, 20},
		{"offset 0", base, 0, ErrBadDataOffset, 0, 20},
		{"offset past end", base, 11, ErrTruncated, 20, 0},
		{"offset 60 of 40", base, 15, ErrTruncated, 20, 0},
		{"fixed header only", base[:20], 10, ErrTruncated, 0, 0},
	} {
		b := bytes.Clone(c.b)
		b[offsetOff] = c.off<<4 | b[offsetOff]&0x0f
		h, err := NewHeader(b)
		if err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		if err := h.Validate(); !errors.Is(err, c.wantErr) || (err == nil) != (c.wantErr == nil) {
			t.Errorf("%s: Validate() = %v, want %v", c.name, err, c.wantErr)
		}
		// Check gives the sentinel itself, without allocating.
		if err := h.Check(); err != c.wantErr {
			t.Errorf("%s: Check() = %v, want %v", c.name, err, c.wantErr)
		}
		if n := testing.AllocsPerRun(10, func() { _ = h.Check() }); n != 0 {
			t.Errorf("%s: Check allocates %v times", c.name, n)
		}
		if len(h.Options()) != c.opts || len(h.Payload()) != c.payload {
			t.Errorf("%s: %d bytes of options, %d of payload; want %d, %d",
				c.name, len(h.Options()), len(h.Payload()), c.opts, c.payload)
		}
		if HeaderLen+len(h.Options())+len(h.Payload()) != len(h) {
			t.Errorf("%s: header, options and payload do not add up", c.name)
		}
	}
	for n := range HeaderLen {
		if _, err := NewHeader(base[:n]); !errors.Is(err, ErrTruncated) {
			t.Errorf("NewHeader of %d bytes: %v", n, err)
		}
	}
}

func TestSetters(t *testing.T) {
	h := make(Header, 24)
	h.SetSrcPort(1)
	h.SetDstPort(2)
	h.SetSeq(3)
	h.SetAck(4)
	if err := h.SetDataOffset(24); err != nil {
		t.Fatal(err)
	}
	h.SetFlags(FlagRST)
	h.SetWindow(5)
	h.SetChecksum(6)
	h.SetUrgent(7)
	want := unhex(t, "0001 0002 00000003 00000004 6004 0005 0006 0007 00000000")
	if !bytes.Equal(h, want) {
		t.Fatalf("% x\nwant % x", []byte(h), want)
	}
	for _, n := range []int{0, 16, 22, 64} {
		if err := h.SetDataOffset(n); !errors.Is(err, ErrBadDataOffset) {
			t.Errorf("SetDataOffset(%d) = %v", n, err)
		}
	}
}

func TestEncode(t *testing.T) {
	var optBuf [MaxOptionsLen]byte
	opts := AppendMSS(optBuf[:0], 1460)
	opts = AppendNOP(opts)
	opts = AppendWindowScale(opts, 6)
	opts = AppendSACKPermitted(opts)
	opts = AppendTimestamps(opts, 112147477, 0)
	f := Fields{
		SrcPort: 16433, DstPort: 80, Seq: 1948076589,
		Flags: FlagSYN | FlagECE | FlagCWR | FlagAE, Window: 65535, Options: opts,
	}
	if f.HeaderLen() != 40 {
		t.Fatalf("HeaderLen = %d", f.HeaderLen())
	}
	b := make([]byte, 40)
	h, err := f.EncodeChecksum(b, synSrc, synDst)
	if err != nil {
		t.Fatal(err)
	}
	want := unhex(t, synHex)
	want[16], want[17] = 0xe4, 0x43 // the right checksum
	if !bytes.Equal(h, want) {
		t.Fatalf("% x\nwant % x", []byte(h), want)
	}
	if !h.ChecksumValid(synSrc, synDst) {
		t.Error("encoded checksum does not verify")
	}

	// Options are padded with zeros, and a payload after the header is
	// covered by the checksum.
	f = Fields{SrcPort: 1, DstPort: 2, Flags: FlagACK | FlagPSH, Options: AppendWindowScale(nil, 7)}
	b = append(bytes.Repeat([]byte{0xee}, 24), "hello"...)
	h, err = f.EncodeChecksum(b, synSrc, synDst)
	if err != nil {
		t.Fatal(err)
	}
	if h.DataOffset() != 24 || !bytes.Equal(h.Options(), []byte{3, 3, 7, 0}) || string(h.Payload()) != "hello" {
		t.Errorf("offset %d, options % x, payload %q", h.DataOffset(), h.Options(), h.Payload())
	}
	if !h.ChecksumValid(synSrc, synDst) {
		t.Error("checksum with payload does not verify")
	}
	if h.ChecksumValid(synDst, synSrc) != true {
		// Swapping the addresses leaves the one's-complement sum alone.
		t.Error("swapped addresses")
	}
	if h.ChecksumValid([4]byte{1, 2, 3, 4}, synDst) {
		t.Error("checksum verifies with the wrong source address")
	}

	if _, err := f.Encode(make([]byte, 23)); !errors.Is(err, ErrTruncated) {
		t.Errorf("short buffer: %v", err)
	}
	f.Options = make([]byte, 41)
	if _, err := f.Encode(make([]byte, 100)); !errors.Is(err, ErrOptionsTooLong) {
		t.Errorf("long options: %v", err)
	}
	f.Options = nil
	if _, err := f.EncodeChecksum(make([]byte, 70000), synSrc, synDst); !errors.Is(err, ErrTooLong) {
		t.Errorf("long segment: %v", err)
	}
}

func TestOptionBuilders(t *testing.T) {
	var buf [MaxOptionsLen]byte
	b := AppendSACK(buf[:0], SACKBlock{1, 2}, SACKBlock{0xfffffff0, 0x10})
	it := NewOptionIter(b)
	o, ok := it.Next()
	if !ok || o.Status != OptionOK || o.Length != 18 {
		t.Fatalf("%+v", o)
	}
	s, ok := o.SACK()
	if !ok || s.Len() != 2 || s.At(0) != (SACKBlock{1, 2}) || s.At(1) != (SACKBlock{0xfffffff0, 0x10}) {
		t.Errorf("SACK blocks % x", []byte(s))
	}
	if allocs := testing.AllocsPerRun(100, func() {
		b := AppendMSS(buf[:0], 1460)
		b = AppendSACKPermitted(b)
		b = AppendNOP(b)
		b = AppendWindowScale(b, 7)
		b = AppendTimestamps(b, 1, 2)
		_ = AppendSACK(b[:0], SACKBlock{1, 2}, SACKBlock{3, 4}, SACKBlock{5, 6})
	}); allocs != 0 {
		t.Errorf("builders: %v allocs", allocs)
	}
}

// optionCase is an option list and what the iterator should report.
type optionCase struct {
	name string
	area string // hex
	end  int    // the declared length of the area if more than captured
	want string // "kind/status/offset/length/data" per option, then "|" and Err
}

// describe renders what the iterator reports for an option list.
func describe(it OptionIter) string {
	var parts []string
	for o, ok := it.Next(); ok; o, ok = it.Next() {
		parts = append(parts, strconv.Itoa(int(o.Kind))+"/"+o.Status.String()+"/"+
			strconv.Itoa(o.Offset)+"/"+strconv.Itoa(o.Length)+"/"+hex.EncodeToString(o.Data()))
		if len(parts) > 100 {
			panic("iterator does not end")
		}
	}
	s := strings.Join(parts, " ")
	if err := it.Err(); err != nil {
		s += " | " + err.Error()
	}
	return s
}

func TestOptionIter(t *testing.T) {
	for _, c := range []optionCase{
		{"empty", "", 0, ""},
		{"nops", "0101", 0, "1/ok/0/1/ 1/ok/1/1/"},
		{"eol stops", "0100 0204 05b4", 0, "1/ok/0/1/ 0/ok/1/1/"},
		{"mss", "0204 05b4", 0, "2/ok/0/4/05b4"},
		{"mss length 3", "0203 05 01", 0,
			`2/wrong length/0/3/05 1/ok/3/1/ | tcp: bad option: option "mss" (kind 2) at offset 0: length 3 is wrong for the kind`},
		{"length 0", "01 0200 05b4", 0,
			`1/ok/0/1/ 2/bad length/1/0/ | tcp: bad option: option "mss" (kind 2) at offset 1: length 0 is below 2`},
		{"length 1", "0801", 0,
			`8/bad length/0/1/ | tcp: bad option: option "TS" (kind 8) at offset 0: length 1 is below 2`},
		{"no length byte", "0101 01 14", 0,
			`1/ok/0/1/ 1/ok/1/1/ 1/ok/2/1/ 20/bad length/3/0/ | tcp: bad option: option "scps" (kind 20) at offset 3: no room for the length byte`},
		{"scps past end", "0204 05b4 0101 1404", 0,
			`2/ok/0/4/05b4 1/ok/4/1/ 1/ok/5/1/ 20/past end of options/6/4/ | tcp: bad option: option "scps" (kind 20) at offset 6: length 4 runs past the end of the option area`},
		{"truncated data", "1d0a 3030 3030", 12,
			`29/truncated/0/10/30303030 | tcp: truncated: option "tcp-ao" (kind 29) at offset 0: 6 of its bytes captured`},
		{"truncated length", "01 30", 8,
			`1/ok/0/1/ 48/truncated/1/0/ | tcp: truncated: option "unknown-48" (kind 48) at offset 1: 1 of its bytes captured`},
		{"truncated kind", "0101", 4,
			"1/ok/0/1/ 1/ok/1/1/ 0/truncated/2/0/ | tcp: truncated: option at offset 2 not captured"},
		{"unknown", "3004 abcd", 0, "48/ok/0/4/abcd"},
		{"tfo request", "2202", 0, "34/ok/0/2/"},
		{"tfo odd cookie", "2207 0102030405", 0,
			`34/wrong length/0/7/0102030405 | tcp: bad option: option "tfo" (kind 34) at offset 0: length 7 is wrong for the kind`},
		{"exp tfo", "fe0a f989 0909 0909 0000", 0, "254/ok/0/10/f989090909090000"},
		{"exp too short", "fe03 f9", 0,
			`254/wrong length/0/3/f9 | tcp: bad option: option "exp" (kind 254) at offset 0: length 3 is wrong for the kind`},
		{"accecn exp", "fe04 acc0", 0, "254/ok/0/4/acc0"},
		{"accecn exp bad", "fe05 acc1 00", 0,
			`254/wrong length/0/5/acc100 | tcp: bad option: option "exp" (kind 254) at offset 0: length 5 is wrong for the kind`},
		{"sack 0 blocks", "0502", 0,
			`5/wrong length/0/2/ | tcp: bad option: option "sack" (kind 5) at offset 0: length 2 is wrong for the kind`},
		{"mptcp too short", "1e02", 0,
			`30/wrong length/0/2/ | tcp: bad option: option "mptcp" (kind 30) at offset 0: length 2 is wrong for the kind`},
		{"ccecho", "0d06 00000001", 0, "13/ok/0/6/00000001"},
	} {
		area := strings.ReplaceAll(c.area, " ", "")
		b := unhex(t, area)
		it := NewOptionIter(b)
		if c.end > len(b) {
			it.end = c.end // as Header.OptionIter sets it for a cut capture
		}
		if got := describe(it); got != c.want {
			t.Errorf("%s:\n got %s\nwant %s", c.name, got, c.want)
		}
	}
}

func TestOptionIterTruncatedHeader(t *testing.T) {
	// heapoverflow-tcp_print.pcap: the data offset promises 40 bytes of
	// options, the capture ends 10 bytes into them, inside an option of
	// unknown kind 48 whose length (48) is past the area.
	h, _ := NewHeader(unhex(t, "3030 3030 3030 3030 3030 3030 f030 3030 3030 3030 3030 3030 3030 3030 3030"))
	if h.DataOffset() != 60 || h.OptionsLen() != 40 || len(h.Options()) != 10 {
		t.Fatalf("offset %d, options %d of %d", h.DataOffset(), len(h.Options()), h.OptionsLen())
	}
	if !errors.Is(h.Validate(), ErrTruncated) {
		t.Error(h.Validate())
	}
	it := h.OptionIter()
	o, _ := it.Next()
	if o.Kind != 48 || o.Length != 48 || o.Status != OptionPastEnd || len(o.Data()) != 8 {
		t.Errorf("%+v", o)
	}
	if _, ok := it.Next(); ok {
		t.Error("iterator goes on after a bad length")
	}
}

func TestOptionSeekAndAll(t *testing.T) {
	// An MSS option with length 3: tcpdump reads two bytes of value and goes
	// on 4 bytes later, where this list has a NOP.
	b := unhex(t, "0203 05b4 01 00")
	it := NewOptionIter(b)
	o, _ := it.Next()
	if o.Status != OptionWrongLength || it.Offset() != 3 {
		t.Fatalf("%+v, next at %d", o, it.Offset())
	}
	it.Seek(o.Offset + 4)
	if o, _ := it.Next(); o.Kind != OptNOP || o.Offset != 4 {
		t.Errorf("after Seek: %+v", o)
	}
	var kinds []OptionKind
	for o := range NewOptionIter(unhex(t, "0101 0402 0303 07")).All() {
		kinds = append(kinds, o.Kind)
	}
	if len(kinds) != 4 || kinds[3] != OptWindowScale {
		t.Errorf("All: %v", kinds)
	}
	for o := range NewOptionIter(unhex(t, "0101 0402")).All() {
		if o.Kind != OptNOP {
			t.Error("break ignored")
		}
		break
	}
}

// TestTimestampsOnly takes the timestamps of the usual layout and refuses
// any other, and a list the capture cut.
func TestTimestampsOnly(t *testing.T) {
	seg := func(opts []byte, cut int) Header {
		f := Fields{Options: opts}
		h, err := f.Encode(make([]byte, f.HeaderLen()))
		if err != nil {
			t.Fatal(err)
		}
		return h[:len(h)-cut]
	}
	ts := AppendTimestamps(AppendNOP(AppendNOP(nil)), 7, 9)
	if val, ecr, ok := seg(ts, 0).TimestampsOnly(); !ok || val != 7 || ecr != 9 {
		t.Errorf("NOP, NOP, TS: %d %d %v", val, ecr, ok)
	}
	for name, h := range map[string]Header{
		"TS, NOP, NOP":   seg(AppendNOP(AppendNOP(AppendTimestamps(nil, 7, 9))), 0),
		"more after":     seg(AppendMSS(append([]byte(nil), ts...), 1460), 0),
		"cut after":      seg(AppendMSS(append([]byte(nil), ts...), 1460), 4),
		"cut inside":     seg(ts, 2),
		"TS of length 9": seg([]byte{1, 1, 8, 9, 0, 0, 0, 7, 0, 0, 0, 9}, 0),
		"none":           seg(nil, 0),
	} {
		if _, _, ok := h.TimestampsOnly(); ok {
			t.Errorf("%s: taken", name)
		}
	}
}

// TestOptionFixed reads options of fixed-size kinds the way tcpdump does,
// by the size of their kind whatever their length byte says.
func TestOptionFixed(t *testing.T) {
	for _, c := range []struct {
		name, area string
		end        int // the declared area, when the capture is shorter
		want       string
		next       int // where the iterator goes on, -1 when it stops
	}{
		{"right length", "0204 05b4 01", 0, "2/ok/0/4/05b4", 4},
		// tcpdump reads two bytes of value and goes on at 4, whatever
		// the length byte says; Length keeps what it says.
		{"length 3", "0203 05b4 01", 0, "2/ok/0/3/05b4", 4},
		{"length 2", "0202 05b4 01", 0, "2/ok/0/2/05b4", 4},
		{"length 1", "0201 05b4", 0, "2/bad length/0/1/", -1},
		{"length 6", "0206 05b4 0101", 0, "2/ok/0/6/05b4", 4},
		{"past the area", "0203 05", 0, "2/past end of options/0/3/05", -1},
		{"cut short", "0203 05", 8, "2/truncated/0/3/05", -1},
		// The length byte says 5, the capture has the 4 bytes of the
		// kind's size: what tcpdump reads is there.
		{"cut after the value", "0205 05b4", 8, "2/ok/0/5/05b4", 4},
		{"timestamps length 6", "0806 0000 0001 0000 0002 01", 0, "8/ok/0/6/0000000100000002", 10},
		{"sackOK length 3", "0403 01 01", 0, "4/ok/0/3/", 2},
		{"not a fixed kind", "0503 01 01", 0, "5/wrong length/0/3/01", 3},
		{"nop", "01 01", 0, "1/ok/0/1/", 1},
		{"no length byte", "14", 0, "20/bad length/0/0/", -1},
	} {
		b := unhex(t, strings.ReplaceAll(c.area, " ", ""))
		it := NewOptionIter(b)
		if c.end > len(b) {
			it.end = c.end
		}
		o, _ := it.Next()
		o = it.Fixed(o)
		got := fmt.Sprintf("%d/%v/%d/%d/%x", o.Kind, o.Status, o.Offset, o.Length, o.Data())
		if got != c.want {
			t.Errorf("%s: got %s, want %s", c.name, got, c.want)
		}
		next := it.Offset()
		if _, ok := it.Next(); !ok {
			next = -1
		}
		if next != c.next {
			t.Errorf("%s: the iterator goes on at %d, want %d", c.name, next, c.next)
		}
	}
	// The fixed kinds' sizes are the ones a well-formed option has.
	for k := range 256 {
		if n, ok := OptionKind(k).FixedLen(); ok && k > 1 && !lengthOK(OptionKind(k), make([]byte, n)) {
			t.Errorf("kind %d: FixedLen %d is not a length the kind allows", k, n)
		}
	}
}

func TestOptionAccessors(t *testing.T) {
	one := func(s string) Option {
		it := NewOptionIter(unhex(t, s))
		o, _ := it.Next()
		return o
	}
	if v, ok := one("0204 05b4").MSS(); !ok || v != 1460 {
		t.Error("MSS")
	}
	if _, ok := one("0203 05").MSS(); ok {
		t.Error("MSS of a wrong length")
	}
	if _, ok := one("0303 07").MSS(); ok {
		t.Error("MSS of a window scale option")
	}
	if v, ok := one("0606 0000 0102").Echo(); !ok || v != 0x102 {
		t.Error("Echo")
	}
	if v, ok := one("0706 0000 0102").Echo(); !ok || v != 0x102 {
		t.Error("Echo of an echo reply")
	}
	if _, ok := one("0705 0000 01").Echo(); ok {
		t.Error("Echo of a wrong length")
	}
	for _, s := range []string{"0b06 0000 0003", "0c06 0000 0003", "0d06 0000 0003"} {
		if v, ok := one(s).CC(); !ok || v != 3 {
			t.Error("CC of", s)
		}
	}
	if _, ok := one("0606 0000 0102").CC(); ok {
		t.Error("CC of an echo option")
	}
	if v, ok := one("0303 07").WindowScale(); !ok || v != 7 {
		t.Error("WindowScale")
	}
	if v, e, ok := one("080a 0000 0001 0000 0002").Timestamps(); !ok || v != 1 || e != 2 {
		t.Error("Timestamps")
	}
	if d, ok := one("1312 000102030405060708090a0b0c0d0e0f").MD5(); !ok || len(d) != 16 || d[15] != 15 {
		t.Error("MD5")
	}
	if c, id, ok := one("1404 0102").SCPS(); !ok || c != 1 || id != 2 {
		t.Error("SCPS")
	}
	if v, ok := one("1c04 8003").UserTimeout(); !ok || v != 0x8003 {
		t.Error("UserTimeout")
	}
	if k, r, mac, ok := one("1d06 0102 aabb").TCPAO(); !ok || k != 1 || r != 2 || len(mac) != 2 {
		t.Error("TCPAO")
	}
	if _, _, _, ok := one("1d03 01").TCPAO(); ok {
		t.Error("TCPAO of 3 bytes")
	}
	if c, ok := one("2206 01020304").FastOpen(); !ok || len(c) != 4 {
		t.Error("FastOpen")
	}
	if c, ok := one("fe04 f989").FastOpen(); !ok || len(c) != 0 {
		t.Error("experimental FastOpen request")
	}
	if id, ok := one("fe03 f9").ExperimentID(); ok {
		t.Error("ExperimentID of 3 bytes", id)
	}
	if id, ok := one("fe05 f98901").ExperimentID(); !ok || id != ExIDFastOpen {
		t.Error("ExperimentID of a wrong-length option")
	}
	if ord, f, ok := one("fe07 acc1 000102").AccECN(); !ok || ord != 1 || len(f) != 3 {
		t.Error("AccECN experimental")
	}
	if ord, f, ok := one("ac08 000001 000002").AccECN(); !ok || ord != 0 || len(f) != 6 {
		t.Error("AccECN 172")
	}
	if _, ok := one("1e03 20").MPTCP(); !ok {
		t.Error("MPTCP")
	}
}

func TestOptionKindNames(t *testing.T) {
	for k, want := range map[OptionKind]string{
		OptEOL: "eol", OptSACKPermitted: "sackOK", OptTimestamps: "TS", OptCCEcho: "",
		OptMPTCP: "mptcp", OptExperiment2: "exp", OptExperiment1: "unknown-253", 48: "unknown-48",
	} {
		if got := k.String(); got != want {
			t.Errorf("%d: %q, want %q", uint8(k), got, want)
		}
	}
}

// The checksums tcpdump 4.99.3 verified (with -v) must verify here, and the
// ones it found wrong must be wrong here with the same correction.
func TestTcpdumpChecksums(t *testing.T) {
	needCorpus(t)
	outs := tcpdumpOutputs(t)
	re := regexp.MustCompile(`, cksum 0x([0-9a-f]{4}) \((correct|incorrect -> 0x([0-9a-f]{4}))\)`)
	n := 0
	for _, p := range ipv4Packets(t, ProtocolNumber, "tcpdump") {
		h, err := NewHeader(p.data)
		if err != nil || len(p.data) != p.length {
			continue
		}
		for _, text := range outs[p.file][p.num] {
			m := re.FindStringSubmatch(text)
			if m == nil {
				continue
			}
			n++
			if m[1] != strconv.FormatUint(uint64(h.Checksum())|0x10000, 16)[1:] {
				t.Errorf("%s #%d: field %#x, tcpdump %s", p.file, p.num, h.Checksum(), m[1])
			}
			if ok := h.ChecksumValid(p.src, p.dst); ok != (m[2] == "correct") {
				t.Errorf("%s #%d: ChecksumValid = %v, tcpdump %s", p.file, p.num, ok, m[2])
			}
			if m[3] != "" {
				if got := strconv.FormatUint(uint64(h.ComputeChecksum(p.src, p.dst))|0x10000, 16)[1:]; got != m[3] {
					t.Errorf("%s #%d: ComputeChecksum = %s, tcpdump %s", p.file, p.num, got, m[3])
				}
			}
		}
	}
	if n < 30 {
		t.Errorf("only %d checksums compared", n)
	}
	t.Logf("%d checksums compared", n)
}

// Every TCP segment of the corpus parses, and re-encoding its fields gives
// back its header.
func TestCorpusRoundTrip(t *testing.T) {
	n := 0
	for _, p := range ipv4Packets(t, ProtocolNumber, "tcpdump", "gopacket", "tls") {
		h, err := NewHeader(p.data)
		if err != nil || h.Validate() != nil {
			continue
		}
		f := Fields{
			SrcPort: h.SrcPort(), DstPort: h.DstPort(), Seq: h.Seq(), Ack: h.Ack(),
			Flags: h.Flags(), Window: h.Window(), Urgent: h.Urgent(), Options: h.Options(),
		}
		b := bytes.Clone(p.data)
		h2, err := f.Encode(b)
		if err != nil {
			t.Fatalf("%s #%d: %v", p.file, p.num, err)
		}
		h2.SetChecksum(h.Checksum())
		if !bytes.Equal(h2, p.data) {
			t.Errorf("%s #%d: re-encoded\n% x\nwant\n% x", p.file, p.num, []byte(h2[:h.DataOffset()]), p.data[:h.DataOffset()])
		}
		it := h.OptionIter()
		for _, ok := it.Next(); ok; _, ok = it.Next() {
		}
		n++
	}
	t.Logf("%d segments", n)
}
