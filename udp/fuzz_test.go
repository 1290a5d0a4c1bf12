package udp

// Differential tests against gopacket's layers.UDP, the independent oracle.
// They agree on every field; the verdicts differ where gopacket is lenient
// and Validate is not:
//
//   - gopacket accepts a length field past the end of the buffer (it marks
//     the packet truncated and clips the payload, as Payload does);
//     Validate rejects it.
//   - gopacket accepts a length field of 0 as an IPv6 jumbogram and takes
//     the rest of the buffer as payload, as Payload does; Validate, which
//     is for IPv4, rejects it.
//   - gopacket rejects a length field of 1 to 7; so does Validate, and
//     Payload is empty.
//
// The checksum is compared with a plain RFC 1071 sum instead: gopacket
// verifies it only through a network layer.

import (
	"bytes"
	"os"
	"testing"

	"github.com/gopacket/gopacket"
	"github.com/gopacket/gopacket/layers"
)

func compareGopacket(t *testing.T, b []byte) {
	t.Helper()
	h, err := NewHeader(b)
	var g layers.UDP
	gerr := g.DecodeFromBytes(b, gopacket.NilDecodeFeedback)
	if err != nil {
		if gerr == nil {
			t.Fatalf("NewHeader: %v; gopacket accepts", err)
		}
		return
	}
	for _, c := range []struct {
		name      string
		got, want any
	}{
		{"SrcPort", h.SrcPort(), uint16(g.SrcPort)},
		{"DstPort", h.DstPort(), uint16(g.DstPort)},
		{"Length", h.Length(), g.Length},
		{"Checksum", h.Checksum(), g.Checksum},
	} {
		if c.got != c.want {
			t.Fatalf("%s = %v, gopacket %v", c.name, c.got, c.want)
		}
	}
	n := int(h.Length())
	if (gerr != nil) != (n > 0 && n < HeaderLen) {
		t.Fatalf("length %d: gopacket says %v", n, gerr)
	}
	if gerr == nil && !bytes.Equal(h.Payload(), g.Payload) {
		t.Fatalf("payload of %d bytes, gopacket %d", len(h.Payload()), len(g.Payload))
	}
}

var fuzzSrc, fuzzDst = [4]byte{10, 1, 2, 3}, [4]byte{192, 0, 2, 77}

func FuzzHeader(f *testing.F) {
	if _, err := os.Stat(corpusDir); err == nil {
		for _, p := range ipv4Packets(f, ProtocolNumber, "tcpdump", "gopacket") {
			f.Add(p.data)
		}
	}
	f.Add(unhex(f, dnsHex))
	f.Add(unhex(f, "3030 3030 0007 0000 3030"))
	f.Add(unhex(f, "3030 3030 0000 0000 3030"))
	f.Add(unhex(f, "0035 0035 0100 ffff 00"))
	f.Fuzz(func(t *testing.T, b []byte) {
		compareGopacket(t, b)
		h, err := NewHeader(b)
		if err != nil {
			return
		}
		if len(h.Payload()) > len(h)-HeaderLen || int(h.Length()) >= HeaderLen && len(h.Payload()) > int(h.Length())-HeaderLen {
			t.Fatal("payload past the length field or the buffer")
		}
		want := naiveChecksum(fuzzSrc, fuzzDst, b[:HeaderLen+len(h.Payload())])
		if got := h.ComputeChecksum(fuzzSrc, fuzzDst); got != want {
			t.Fatalf("ComputeChecksum = %#04x, naive %#04x", got, want)
		}
		if h.ChecksumValid(fuzzSrc, fuzzDst) != (h.Checksum() == 0 || h.Checksum() == want ||
			want == 0xffff && h.Checksum() == 0) {
			t.Fatal("ChecksumValid disagrees with the naive sum")
		}
		if err := h.Validate(); (err == nil) != (h.Check() == nil) {
			t.Fatalf("Validate() = %v, Check() = %v", err, h.Check())
		}
		if h.Check() == nil && h.ChecksumValid(fuzzSrc, fuzzDst) {
			// The fields re-encode to the same datagram.
			e, err := EncodeChecksum(bytes.Clone(b[:h.Length()]), h.SrcPort(), h.DstPort(), fuzzSrc, fuzzDst)
			if err != nil {
				t.Fatal(err)
			}
			if h.Checksum() != 0 && !bytes.Equal(e, b[:h.Length()]) {
				t.Fatalf("re-encoded\n% x\nwant\n% x", []byte(e), b[:h.Length()])
			}
		}
	})
}

func TestGopacketCorpus(t *testing.T) {
	for _, p := range ipv4Packets(t, ProtocolNumber, "tcpdump", "gopacket", "tls") {
		compareGopacket(t, p.data)
	}
}
