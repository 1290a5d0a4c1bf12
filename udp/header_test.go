package udp

import (
	"bytes"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

func unhex(t testing.TB, s string) []byte {
	t.Helper()
	b, err := hex.DecodeString(strings.ReplaceAll(s, " ", ""))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// A DNS query from gopacket's test_dns.pcap (packet 1), 109.194.160.4.57766
// > 95.211.92.14.53 (A? picslife.ru with EDNS), with a correct checksum.
var (
	dnsSrc = [4]byte{109, 194, 160, 4}
	dnsDst = [4]byte{95, 211, 92, 14}
)

const dnsHex = "e1a6 0035 0030 a597" +
	"f618 0010 0001 0000 0000 0001 0870 6963 736c 6966 6502 7275 0000 0100 0100 0029 1000 0000 8000 0000"

// naiveChecksum is the checksum field RFC 768 asks for, summed word by word
// over a pseudo-header and the datagram laid out in one buffer: the
// reference the package must agree with.
func naiveChecksum(src, dst [4]byte, d []byte) uint16 {
	b := append(append(append([]byte{}, src[:]...), dst[:]...), 0, ProtocolNumber, byte(len(d)>>8), byte(len(d)))
	b = append(b, d...)
	b[12+6], b[12+7] = 0, 0
	if len(b)%2 == 1 {
		b = append(b, 0)
	}
	var s uint32
	for i := 0; i < len(b); i += 2 {
		s += uint32(binary.BigEndian.Uint16(b[i:]))
	}
	for s > 0xffff {
		s = s>>16 + s&0xffff
	}
	if c := ^uint16(s); c != 0 {
		return c
	}
	return 0xffff
}

func TestHeaderFields(t *testing.T) {
	b := unhex(t, dnsHex)
	h, err := NewHeader(b)
	if err != nil {
		t.Fatal(err)
	}
	if err := h.Validate(); err != nil {
		t.Fatal(err)
	}
	for _, f := range []struct {
		name      string
		got, want any
	}{
		{"SrcPort", h.SrcPort(), uint16(57766)},
		{"DstPort", h.DstPort(), uint16(53)},
		{"Length", h.Length(), uint16(48)},
		{"Checksum", h.Checksum(), uint16(0xa597)},
		{"len(Payload)", len(h.Payload()), 40},
		{"ChecksumValid", h.ChecksumValid(dnsSrc, dnsDst), true},
		{"ComputeChecksum", h.ComputeChecksum(dnsSrc, dnsDst), uint16(0xa597)},
	} {
		if f.got != f.want {
			t.Errorf("%s = %v, want %v", f.name, f.got, f.want)
		}
	}
}

func TestValidate(t *testing.T) {
	for _, c := range []struct {
		name    string
		length  uint16 // the length field
		n       int    // bytes of the datagram present
		sum     int    // -1: keep the right checksum
		wantErr error
		sumOK   bool // ChecksumValid
		payload int
	}{
		{"ok", 48, 48, -1, nil, true, 40},
		{"padded", 48, 55, -1, nil, true, 40}, // Ethernet padding after it
		{"no checksum", 48, 48, 0, nil, true, 40},
		{"bad checksum", 48, 48, 0x1234, nil, false, 40},
		{"length past end", 48, 30, -1, ErrTruncated, true, 22},
		{"length 7", 7, 48, -1, ErrBadLength, true, 0},
		{"length 0", 0, 48, -1, ErrBadLength, true, 40},
		{"header only", 8, 8, 0, nil, true, 0},
	} {
		b := append(unhex(t, dnsHex), make([]byte, 7)...)[:c.n]
		h, _ := NewHeader(b)
		h.SetLength(c.length)
		if c.sum >= 0 {
			h.SetChecksum(uint16(c.sum))
		} else if c.length != 48 || c.n < 48 {
			h.SetChecksum(h.ComputeChecksum(dnsSrc, dnsDst))
		}
		err := h.Validate()
		if !errors.Is(err, c.wantErr) || (err == nil) != (c.wantErr == nil) {
			t.Errorf("%s: Validate() = %v, want %v", c.name, err, c.wantErr)
		}
		// Check gives the sentinel itself, without allocating.
		if err := h.Check(); err != c.wantErr {
			t.Errorf("%s: Check() = %v, want %v", c.name, err, c.wantErr)
		}
		if n := testing.AllocsPerRun(10, func() { _ = h.Check() }); n != 0 {
			t.Errorf("%s: Check allocates %v times", c.name, n)
		}
		if ok := h.ChecksumValid(dnsSrc, dnsDst); ok != c.sumOK {
			t.Errorf("%s: ChecksumValid() = %v, want %v", c.name, ok, c.sumOK)
		}
		if len(h.Payload()) != c.payload {
			t.Errorf("%s: %d bytes of payload, want %d", c.name, len(h.Payload()), c.payload)
		}
	}
	for n := range HeaderLen {
		if _, err := NewHeader(make([]byte, n)); !errors.Is(err, ErrTruncated) {
			t.Errorf("NewHeader of %d bytes: %v", n, err)
		}
	}
}

// TestChecksum6 checks the IPv6 checksum against a sum written out from
// RFC 8200 8.1's pseudo-header, and that a zero field, valid over IPv4,
// is not over IPv6.
func TestChecksum6(t *testing.T) {
	src := [16]byte{0x20, 0x01, 0x0d, 0xb8, 15: 1}
	dst := [16]byte{0x20, 0x01, 0x0d, 0xb8, 15: 2}
	payload := []byte("an odd-length payload")
	b := make([]byte, HeaderLen+len(payload))
	copy(b[HeaderLen:], payload)
	h, err := EncodeChecksum6(b, 5353, 53, src, dst)
	if err != nil {
		t.Fatal(err)
	}
	// The pseudo-header by hand: addresses, 32-bit length, 3 zero bytes
	// and the next header.
	var ph []byte
	ph = append(ph, src[:]...)
	ph = append(ph, dst[:]...)
	ph = append(ph, 0, 0, byte(len(b)>>8), byte(len(b)), 0, 0, 0, ProtocolNumber)
	all := append(ph, b...)
	if len(all)%2 == 1 {
		all = append(all, 0)
	}
	var sum uint32
	for i := 0; i < len(all); i += 2 {
		sum += uint32(all[i])<<8 | uint32(all[i+1])
	}
	for sum > 0xffff {
		sum = sum&0xffff + sum>>16
	}
	if sum != 0xffff {
		t.Fatalf("datagram with checksum %#04x sums to %#04x by hand, want 0xffff", h.Checksum(), sum)
	}
	if !h.ChecksumValid6(src, dst) {
		t.Error("ChecksumValid6 = false for the datagram EncodeChecksum6 wrote")
	}
	if other := [16]byte{0x20, 0x01, 0x0d, 0xb8, 15: 3}; h.ChecksumValid6(src, other) {
		t.Error("ChecksumValid6 accepts another destination")
	}
	b[HeaderLen] ^= 0x40
	if h.ChecksumValid6(src, dst) {
		t.Error("ChecksumValid6 = true after a payload byte changed")
	}
	b[HeaderLen] ^= 0x40
	h.SetChecksum(0)
	if h.ChecksumValid6(src, dst) {
		t.Error("ChecksumValid6 = true for a zero checksum field")
	}
}

func TestChecksumZeroIsSentAsOnes(t *testing.T) {
	// Find a payload whose checksum comes to 0, by setting the last word so
	// the sum folds to 0xffff.
	b := make([]byte, HeaderLen+2)
	h, _ := Encode(b, 1, 2)
	for v := range 0x10000 {
		binary.BigEndian.PutUint16(b[8:], uint16(v))
		if h.ComputeChecksum(dnsSrc, dnsDst) == 0xffff {
			h.SetChecksum(0xffff)
			if !h.ChecksumValid(dnsSrc, dnsDst) || h.Validate() != nil {
				t.Fatal("checksum 0xffff does not verify")
			}
			if naiveChecksum(dnsSrc, dnsDst, b) != 0xffff {
				t.Fatal("naive checksum disagrees")
			}
			return
		}
	}
	t.Fatal("no payload sums to 0")
}

func TestEncode(t *testing.T) {
	b := append(make([]byte, HeaderLen), unhex(t, dnsHex)[HeaderLen:]...)
	h, err := EncodeChecksum(b, 57766, 53, dnsSrc, dnsDst)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(h, unhex(t, dnsHex)) {
		t.Errorf("% x\nwant % x", []byte(h), unhex(t, dnsHex))
	}
	h, err = Encode(b, 1, 2)
	if err != nil || h.Checksum() != 0 || h.Length() != 48 {
		t.Errorf("Encode: %v, checksum %#x, length %d", err, h.Checksum(), h.Length())
	}
	h.SetSrcPort(3)
	h.SetDstPort(4)
	if h.SrcPort() != 3 || h.DstPort() != 4 {
		t.Error("setters")
	}
	if _, err := Encode(make([]byte, 7), 1, 2); !errors.Is(err, ErrTruncated) {
		t.Errorf("short: %v", err)
	}
	if _, err := EncodeChecksum(make([]byte, MaxLen+1), 1, 2, dnsSrc, dnsDst); !errors.Is(err, ErrTooLong) {
		t.Errorf("long: %v", err)
	}
}

// The checksums of the corpus verify as tcpdump and an independent sum say.
func TestCorpusChecksums(t *testing.T) {
	n, bad := 0, 0
	for _, p := range ipv4Packets(t, ProtocolNumber, "tcpdump", "gopacket", "tls") {
		h, err := NewHeader(p.data)
		if err != nil || int(h.Length()) < HeaderLen || int(h.Length()) > len(p.data) || h.Checksum() == 0 {
			continue
		}
		n++
		want := naiveChecksum(p.src, p.dst, p.data[:h.Length()])
		if got := h.ComputeChecksum(p.src, p.dst); got != want {
			t.Errorf("%s #%d: ComputeChecksum = %#04x, naive %#04x", p.file, p.num, got, want)
		}
		if h.ChecksumValid(p.src, p.dst) != (want == h.Checksum()) {
			t.Errorf("%s #%d: ChecksumValid disagrees", p.file, p.num)
		}
		if want != h.Checksum() {
			bad++
		}
	}
	t.Logf("%d checksums, %d wrong", n, bad)
	if n < 10 {
		t.Errorf("only %d datagrams", n)
	}
}

// tcpdump -vv prints "[udp sum ok]" or "[bad udp cksum 0xFIELD -> 0xRIGHT!]".
func TestTcpdumpChecksums(t *testing.T) {
	needCorpus(t)
	dir := filepath.Join(corpusDir, "tcpdump")
	list, err := os.ReadFile(filepath.Join(dir, "TESTLIST-4.99.3"))
	if err != nil {
		t.Skip(err)
	}
	num := regexp.MustCompile(`^ *(\d+)  `)
	sum := regexp.MustCompile(`\[udp sum ok\]|\[bad udp cksum 0x([0-9a-f]{4}) -> 0x([0-9a-f]{4})!\]`)
	pkts := withQuoted(ipv4Packets(t, ProtocolNumber, "tcpdump"), ipv4Packets(t, 1, "tcpdump"))
	seen := 0
	for _, line := range strings.Split(string(list), "\n") {
		f := strings.Fields(line)
		if len(f) < 3 || strings.HasPrefix(f[0], "#") {
			continue
		}
		out, err := os.ReadFile(filepath.Join(dir, f[2]))
		if err != nil {
			continue
		}
		texts := map[int]string{}
		cur := 0
		for _, l := range strings.Split(string(out), "\n") {
			if g := num.FindStringSubmatch(l); g != nil {
				cur, _ = strconv.Atoi(g[1])
			}
			texts[cur] += l + "\n"
		}
		for _, p := range pkts {
			if p.file != f[1] {
				continue
			}
			m := sum.FindStringSubmatch(texts[p.num])
			if m == nil {
				continue
			}
			seen++
			h, _ := NewHeader(p.data)
			if ok := h.ChecksumValid(p.src, p.dst); ok != (m[1] == "") {
				t.Errorf("%s #%d: ChecksumValid = %v; tcpdump %s", p.file, p.num, ok, m[0])
			}
			if m[1] != "" {
				got := strconv.FormatUint(uint64(h.ComputeChecksum(p.src, p.dst))|0x10000, 16)[1:]
				if got != m[2] {
					t.Errorf("%s #%d: ComputeChecksum = %s; tcpdump %s", p.file, p.num, got, m[2])
				}
			}
		}
	}
	if seen == 0 {
		t.Error("no UDP checksum in tcpdump's outputs")
	}
	t.Logf("%d checksums", seen)
}

func TestCorpusHeapOverflow(t *testing.T) {
	// udp-length-heapoverflow.pcap: tcpdump prints "[|udp]": the capture
	// ends inside the header.
	for _, p := range ipv4Packets(t, ProtocolNumber, "tcpdump") {
		if p.file != "udp-length-heapoverflow.pcap" {
			continue
		}
		h, err := NewHeader(p.data)
		if err == nil {
			t.Errorf("%d bytes parsed: ports %d > %d", len(h), h.SrcPort(), h.DstPort())
		} else if !errors.Is(err, ErrTruncated) {
			t.Error(err)
		}
		return
	}
	t.Error("udp-length-heapoverflow.pcap not found")
}

// withQuoted returns udp and the UDP datagrams quoted in the ICMP errors of
// icmp, which is where the corpus has UDP checksums that tcpdump checked.
func withQuoted(udp, icmp []ipPacket) []ipPacket {
	for _, p := range icmp {
		if len(p.data) < 8+20 {
			continue
		}
		ip := p.data[8:]
		ihl := int(ip[0]&0x0f) * 4
		if ip[0]>>4 != 4 || ip[9] != ProtocolNumber || ihl < 20 || len(ip) < ihl {
			continue
		}
		q := ipPacket{file: p.file, num: p.num, proto: ProtocolNumber, data: ip[ihl:]}
		copy(q.src[:], ip[12:])
		copy(q.dst[:], ip[16:])
		q.length = int(binary.BigEndian.Uint16(ip[2:])) - ihl
		udp = append(udp, q)
	}
	return udp
}

// TestPartialHeader reads the fields of a header cut short that a printer
// shows: the ports from 4 bytes, the length from 6.
func TestPartialHeader(t *testing.T) {
	b := []byte{0xe1, 0xa6, 0x00, 0x35, 0x00, 0x30, 0xa5, 0x97}
	for n := range len(b) + 1 {
		src, dst, ok := Ports(b[:n])
		if ok != (n >= PortsLen) || ok && (src != 57766 || dst != 53) {
			t.Errorf("Ports of %d bytes: %d, %d, %v", n, src, dst, ok)
		}
		l, ok := LengthField(b[:n])
		if ok != (n >= 6) || ok && l != 48 {
			t.Errorf("LengthField of %d bytes: %d, %v", n, l, ok)
		}
	}
}
