package dump

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/medina-net/medina/pcap"
)

// pppoeFrame is an Ethernet frame of the given EtherType carrying a PPPoE
// header (version and type in one byte, code, session) whose length field
// says n, or the real payload length when n is negative.
func pppoeFrame(etype uint16, verType, code byte, session uint16, n int, payload []byte) []byte {
	if n < 0 {
		n = len(payload)
	}
	return cat([]byte{
		0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 2, 0, 0, 0, 0, 1, byte(etype >> 8), byte(etype),
		verType, code, byte(session >> 8), byte(session), byte(n >> 8), byte(n),
	}, payload)
}

// pppoeTag is a discovery tag: type, length and value.
func pppoeTag(typ uint16, v []byte) []byte {
	return cat([]byte{byte(typ >> 8), byte(typ), byte(len(v) >> 8), byte(len(v))}, v)
}

var (
	// pppoePADIFrame asks for any service, as the corpus's PADI does, with a
	// binary Host-Uniq shown in hex.
	pppoePADIFrame = pppoeFrame(etherTypePPPoED, 0x11, 0x09, 0, -1, cat(
		pppoeTag(0x0101, nil), pppoeTag(0x0120, []byte{0x05, 0xdc}),
		pppoeTag(0x0103, []byte{0x16, 0x37, 0x2c, 0x16})))
	// pppoePADOFrame names its concentrator in text, with an unprintable byte,
	// a tag tcpdump has no name for and a tag after the end of the list
	// that must not be printed.
	pppoePADOFrame = pppoeFrame(etherTypePPPoED, 0x11, 0x07, 0, -1, cat(
		pppoeTag(0x0102, []byte("bras\x01-1")), pppoeTag(0x0777, []byte("xy")),
		pppoeTag(0x0104, []byte{1, 2, 3}), pppoeTag(0, nil),
		pppoeTag(0x0101, []byte("hidden"))))
	// pppoePADSFrame carries a session id, an unknown version and type, a
	// length past the frame and a service name longer than tcpdump shows.
	pppoePADSFrame = pppoeFrame(etherTypePPPoED, 0x23, 0x65, 0x1234, 200, cat(
		pppoeTag(0x0101, []byte(strings.Repeat("0123456789", 9)))))
	// pppoeBigPADI is a PADI whose length field is more than RFC 2516
	// allows, with a frame to match, whose tags end early.
	pppoeBigPADI = pppoeFrame(etherTypePPPoED, 0x11, 0x09, 0, -1, cat(
		pppoeTag(0x0203, []byte("oops")), pppoeTag(0, nil), make([]byte, 1480)))
	// pppoeUnknownCode is a PADT-like packet with a code nobody assigned,
	// on the 3Com EtherType.
	pppoeUnknownCode = pppoeFrame(etherTypePPPoED2, 0x11, 0x42, 7, -1, pppoeTag(0x0110, []byte{0xab}))
	// pppoeEcho is a session-stage LCP echo request, as in the corpus.
	pppoeEcho = pppoeFrame(etherTypePPPoES, 0x11, 0, 0x3b, -1, cat(
		[]byte{0xc0, 0x21}, []byte{9, 103, 0, 14, 0x12, 0x34, 0x56, 0x78}, []byte("abcdef")))
	// pppoeShort has fewer bytes after the EtherType than a header.
	pppoeShort = []byte{
		0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 2, 0, 0, 0, 0, 1, 0x88, 0x64, 0x11, 0, 0,
	}
)

// pppoeCases are the PPPoE printer's table tests.
var pppoeCases = []printCase{
	{name: "pppoe-discovery", frames: [][]byte{pppoePADIFrame, pppoePADOFrame, pppoePADSFrame, pppoeBigPADI, pppoeUnknownCode}, want: "" +
		"PPPoE PADI [Service-Name] [PPP-Max-Payload 0x05DC] [Host-Uniq 0x16372C16]\n" +
		"PPPoE PADO [AC-Name \"bras.-1\"] [TAG-0x777 \"xy\"] [AC-Cookie 0x010203] [EOL]\n" +
		" [ver 2] [type 3]PPPoE PADS [len 200 > 94!] [ses 0x1234] [Service-Name \"" + strings.Repeat("0123456789", 8)[:79] + "\"]\n" +
		"PPPoE PADI [len 1492!] [Generic-Error \"oops\"] [EOL]\n" +
		"PPPoE PAD-42 [ses 0x7] [Relay-Session-ID 0xAB]\n"},
	{name: "pppoe-session", frames: [][]byte{pppoeEcho}, want: "PPPoE  [ses 0x3b] LCP, Echo-Request (0x09), id 103, length 16\n"},
	{name: "pppoe-session-e", args: []string{"-e"}, frames: [][]byte{pppoeEcho, pppoePADIFrame}, want: "" +
		"02:00:00:00:00:01 > ff:ff:ff:ff:ff:ff, ethertype PPPoE S (0x8864), length 36: PPPoE  [ses 0x3b] LCP (0xc021), length 16: LCP, Echo-Request (0x09), id 103, length 16\n" +
		"02:00:00:00:00:01 > ff:ff:ff:ff:ff:ff, ethertype PPPoE D (0x8863), length 38: PPPoE PADI [Service-Name] [PPP-Max-Payload 0x05DC] [Host-Uniq 0x16372C16]\n"},
	{name: "pppoe-short", frames: [][]byte{pppoeShort}, want: " (length 3 < 6) (invalid)\n"},
	{name: "pppoe-trunc-header", frames: [][]byte{pppoePADIFrame}, snap: 17, want: " [|pppoe]\n"},
	{name: "pppoe-trunc-tag", frames: [][]byte{pppoePADIFrame}, snap: 30, want: "PPPoE PADI [Service-Name] [PPP-Max-Payload 0x05DC] [|pppoe]\n"},
	{name: "pppoe-trunc-value", frames: [][]byte{pppoePADOFrame}, snap: 26, want: "PPPoE PADO [|pppoe]\n"},
}

func TestPPPoEPrinter(t *testing.T) { runPrintCases(t, pppoeCases) }

func TestPPPoECasesAgainstTCPDump(t *testing.T) { checkCasesWithTCPDump(t, pppoeCases) }

// pppEtherCases are PPPoE packets of link type DLT_PPP_ETHER, with no
// Ethernet header: -x leaves their PPPoE and PPP headers out of the dump.
var pppEtherCases = []printCase{
	{name: "ppp-ether", frames: [][]byte{pppoeEcho[14:], pppoePADIFrame[14:], pppoeShort[14:]}, want: "" +
		"PPPoE  [ses 0x3b] LCP, Echo-Request (0x09), id 103, length 16\n" +
		"PPPoE PADI [Service-Name] [PPP-Max-Payload 0x05DC] [Host-Uniq 0x16372C16]\n" +
		" (length 3 < 6) (invalid)\n"},
	{name: "ppp-ether-x", args: []string{"-x"}, frames: [][]byte{pppoeEcho[14:], pppoePADIFrame[14:], pppoeShort[14:]}, want: "" +
		"PPPoE  [ses 0x3b] LCP, Echo-Request (0x09), id 103, length 16\n" +
		"\t0x0000:  0967 000e 1234 5678 6162 6364 6566\n" +
		"PPPoE PADI [Service-Name] [PPP-Max-Payload 0x05DC] [Host-Uniq 0x16372C16]\n" +
		"\t0x0000:  0101 0000 0120 0002 05dc 0103 0004 1637\n" +
		"\t0x0010:  2c16\n" +
		" (length 3 < 6) (invalid)\n" +
		"\t0x0000:  1100 00\n"},
	{name: "ppp-ether-trunc", args: []string{"-x"}, frames: [][]byte{pppoeEcho[14:]}, snap: 4, want: " [|pppoe]\n\t0x0000:  1100 003b\n"},
	{name: "ppp-ether-trunc-ppp", args: []string{"-x"}, frames: [][]byte{pppoeEcho[14:]}, snap: 7, want: "PPPoE  [ses 0x3b]  [|ppp]\n\t0x0000:  1100 003b 0010 c0\n"},
}

// pppEtherOutput prints the case's frames as DLT_PPP_ETHER packets.
func pppEtherOutput(t *testing.T, c printCase) string {
	t.Helper()
	p := New(nil, flagOptions(t, append([]string{"-n", "-t", "-r", "-"}, c.args...)))
	var out strings.Builder
	for _, f := range c.frames {
		pkt := &pcap.Packet{Data: c.captured(f), Length: len(f), LinkType: dltPPPEther, FracPerSec: 1e6}
		out.Write(p.AppendPacket(nil, pkt))
	}
	return out.String()
}

func TestPPPEtherLinkType(t *testing.T) {
	for _, c := range pppEtherCases {
		t.Run(c.name, func(t *testing.T) {
			if got := pppEtherOutput(t, c); got != c.want {
				t.Errorf("printed with %v:\ngot  %q\nwant %q", c.args, got, c.want)
			}
		})
	}
}

// TestPPPEtherAgainstTCPDump checks the DLT_PPP_ETHER table against the
// installed tcpdump 4.99.3.
func TestPPPEtherAgainstTCPDump(t *testing.T) {
	tcpdump := tcpdump4993(t)
	dir := t.TempDir()
	for _, c := range pppEtherCases {
		t.Run(c.name, func(t *testing.T) {
			var buf bytes.Buffer
			w, err := pcap.NewWriter(&buf, dltPPPEther, 0, false)
			if err != nil {
				t.Fatal(err)
			}
			for j, f := range c.frames {
				if err := w.WritePacket(time.Unix(int64(1e9+j), 0), c.captured(f), len(f)); err != nil {
					t.Fatal(err)
				}
			}
			if err := w.Flush(); err != nil {
				t.Fatal(err)
			}
			file := filepath.Join(dir, c.name+".pcap")
			if err := os.WriteFile(file, buf.Bytes(), 0o644); err != nil {
				t.Fatal(err)
			}
			got, err := exec.Command(tcpdump, append([]string{"-n", "-t", "-r", file}, c.args...)...).Output()
			if err != nil {
				t.Fatalf("tcpdump: %v", err)
			}
			if string(got) != c.want {
				t.Errorf("tcpdump %v prints:\n%q\nthe table says:\n%q", c.args, got, c.want)
			}
		})
	}
}

// TestPPPoEDoesNotAllocate checks that printing discovery and session
// packets allocates nothing once the printer's buffer has grown.
func TestPPPoEDoesNotAllocate(t *testing.T) {
	p := New(nil, flagOptions(t, []string{"-n", "-r", "-"}))
	for _, f := range [][]byte{pppoePADIFrame, pppoePADOFrame, pppoeEcho} {
		pkt := &pcap.Packet{Data: f, Length: len(f), LinkType: pcap.LinkTypeEthernet}
		allocs := testing.AllocsPerRun(100, func() {
			p.out = p.out[:0]
			p.llHdrLen = 0
			p.dissect(pkt)
		})
		if allocs != 0 {
			t.Errorf("%x: %v allocations per packet", f, allocs)
		}
	}
}
