package pktscript

import (
	"net/netip"
	"strings"
	"testing"
	"time"

	"github.com/medina-net/medina/tcp"
)

// TestSegmentRoundTrip: a segment prints back as it was written.
func TestSegmentRoundTrip(t *testing.T) {
	for _, tc := range []struct {
		text string
		out  bool
	}{
		{"S 1000:1000(0) win 65535 <mss 1460,sackOK,TS val 100 ecr 0,nop,wscale 7>", false},
		{"S. 0:0(0) ack 1001 win * <mss 1460,sackOK,TS val * ecr 100,nop,wscale *>", true},
		{"P. 1:1449(1448) ack 1001 ...", true},
		{"none 1000:1000(0) win 65535", false},
		{". *:*(0) ack * win 0 <nop,nop,sack 1:2 3:4>", true},
		{"R. 0:0(0) ack 1001 win 0", true},
		{"none", true},
	} {
		s, err := ParseSegment(tc.text, tc.out)
		if err != nil {
			t.Errorf("%q: %v", tc.text, err)
			continue
		}
		if got := s.String(); got != tc.text {
			t.Errorf("%q printed back as %q", tc.text, got)
		}
	}
}

// TestParseErrors: a malformed line fails, naming the line and saying why.
func TestParseErrors(t *testing.T) {
	lang := Language[*Segment]{
		Actions: map[string]Arity{"listen": Takes(1, 1), "skip": Directive(1, 9)},
		Packet:  ParseSegment,
	}
	for _, tc := range []struct{ src, want string }{
		{"0.000 < S 1:1(0) ack 1 win 1", "line 1: \"0.000 < S 1:1(0) ack 1 win 1\": ack N goes with the . (ACK) flag"},
		{"\n# a comment\n0.000 < S 1:2(0) win 1", "line 3: "},
		{"0.000 < S 1:2(0) win 1", "END must be SEQ+LEN"},
		{"0.000 > S 0:0(0)", "say win N"},
		{"0.000 < S *:*(0) win 1", "* is not allowed here"},
		{"0.000 < S 1:1(0) win 1 ...", "... only in segments to expect"},
		{"0.000 < X 1:1(0) win 1", "bad flag"},
		{"0.000 > S. 0:0(0) ack 1 win 70000", "does not fit 16 bits"},
		{"0.000 > S. 0:0(0) ack 1 win 1 <mss>", "wrong number of values"},
		{"0.000 > S. 0:0(0) ack 1 win 1 <sack 1-2>", "bad SACK block"},
		{"0.000 frobnicate", "unknown action"},
		{"0.000 listen", "listen takes 1 to 1 arguments"},
		{"0.000 skip why", "skip takes no time"},
		{"< S 1:1(0) win 1", "a packet needs a time"},
		{"0.000", "a time and nothing to do"},
	} {
		_, err := Parse(tc.src, lang)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%q: error %v, want it to say %q", tc.src, err, tc.want)
		}
	}
	lines, err := Parse("0.5 listen :80\n+0.25 listen :81\nlisten :82\nskip why not", lang)
	if err != nil {
		t.Fatal(err)
	}
	var now time.Duration
	for i, want := range []time.Duration{500 * time.Millisecond, 750 * time.Millisecond, 750 * time.Millisecond} {
		if now, err = lines[i].At(now); err != nil || now != want {
			t.Errorf("line %d at %v (%v), want %v", lines[i].Num, now, err, want)
		}
	}
	if _, err := lines[0].At(time.Second); err == nil || !strings.Contains(err.Error(), "time goes back from 1.000 to 0.500") {
		t.Errorf("a time before the previous line's: %v", err)
	}
}

// TestTuple: a segment the peer builds, described as if the side under
// test had sent it, comes out with the numbers relative to what the tuple
// learnt, and a wrong one is reported, over IPv4 and IPv6 (whose
// checksums differ by their pseudo-headers).
func TestTuple(t *testing.T) {
	for _, ab := range [][2]string{{"10.0.0.1", "10.0.0.2"}, {"2001:db8::1", "2001:db8::2"}} {
		t.Run(ab[0], func(t *testing.T) { testTuple(t, netip.MustParseAddr(ab[0]), netip.MustParseAddr(ab[1])) })
	}
}

func testTuple(t *testing.T, a, b netip.Addr) {
	at := time.Unix(100, 0)
	var us, peer Tuple
	syn, _ := ParseSegment("S 5000:5000(0) win 1000 <mss 1460,TS val 700 ecr 0>", false)
	h, err := peer.Build(syn, 80, 40000, a, b)
	if err != nil {
		t.Fatal(err)
	}
	got, err := us.Describe(h, a, b, at)
	if err != nil {
		t.Fatal(err)
	}
	want, _ := ParseSegment("S 0:0(0) win 1000 <mss 1460,TS val 0 ecr 0>", true)
	if d := Match(want, got); d != nil {
		t.Errorf("SYN described as %s: %v", got, d)
	}
	us.Learn(h, at)
	// Data from offset 0 of the stream, and a TS val 10 ms on.
	data, _ := ParseSegment("P. 5001:5011(10) ack 1 win 1000 <nop,nop,TS val 710 ecr 0>", false)
	h, _ = peer.Build(data, 80, 40000, a, b)
	got, err = us.Describe(h, a, b, at.Add(10*time.Millisecond))
	if err != nil {
		t.Fatal(err)
	}
	if want, _ := ParseSegment("P. 1:11(10) ack 1 win 1000 <nop,nop,TS val 10 ecr 0>", true); Match(want, got) != nil {
		t.Errorf("data described as %s", got)
	}
	// The same segment checked over the other family's pseudo-header.
	other := netip.MustParseAddr("10.0.0.1")
	if a.Is4() {
		other = netip.MustParseAddr("2001:db8::1")
	}
	if _, err := (&Tuple{}).Describe(h, other, other, at); err == nil || !strings.Contains(err.Error(), "bad TCP checksum") {
		t.Errorf("Describe over the other family: %v, want a bad checksum", err)
	}
	// A TS val 1010 ahead of the last matched, 20 ms later; a damaged
	// payload; so a bad checksum.
	bad, _ := ParseSegment("P. 5001:5011(10) ack 1 win 1000 <nop,nop,TS val 1710 ecr 0>", false)
	h, _ = peer.Build(bad, 80, 40000, a, b)
	h.Payload()[3]++
	_, err = us.Describe(h, a, b, at.Add(20*time.Millisecond))
	for _, w := range []string{"TS val moved by 1010 in 20 ms", "payload byte 3", "bad TCP checksum"} {
		if err == nil || !strings.Contains(err.Error(), w) {
			t.Errorf("Describe of a bad segment: %v, want it to say %q", err, w)
		}
	}
	if _, err := (&Tuple{}).Build(&Segment{Opts: []Option{{Kind: tcp.OptTimestamps, V2: Num{Any: true}}}}, 1, 2, a, b); err == nil {
		t.Error("ecr * with no TS val to echo built a segment")
	}
}

// TestFields: config and stat name fields in any case, nested with dots.
func TestFields(t *testing.T) {
	var v struct {
		Name  string
		Wait  time.Duration
		Inner struct {
			N  uint8
			On bool
		}
	}
	if err := SetFields(&v, []string{"name=x", "WAIT=1.5s", "inner.n=7", "Inner.On=true"}); err != nil {
		t.Fatal(err)
	}
	if v.Name != "x" || v.Wait != 1500*time.Millisecond || v.Inner.N != 7 || !v.Inner.On {
		t.Errorf("set %+v", v)
	}
	for _, tc := range []struct{ arg, want string }{
		{"nope=1", `no field "nope"`}, {"Inner.N=300", "out of range"}, {"Name", "want Key=Value"},
	} {
		if err := SetFields(&v, []string{tc.arg}); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: %v, want it to say %q", tc.arg, err, tc.want)
		}
	}
	if err := CheckStat(v, "inner.n", "7"); err != nil {
		t.Error(err)
	}
	if err := CheckStat(v, "Inner.N", "8"); err == nil || err.Error() != "Inner.N is 7, want 8" {
		t.Errorf("a wrong counter: %v", err)
	}
}
