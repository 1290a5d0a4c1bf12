package arp

import (
	"bufio"
	"bytes"
	"encoding/hex"
	"errors"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/medina-net/medina/ethernet"
)

func unhex(t testing.TB, s string) []byte {
	t.Helper()
	b, err := hex.DecodeString(strings.ReplaceAll(s, " ", ""))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// The request of 802.1ad_QinQ.pcap (packet 1): "Request who-has
// 172.21.79.100 tell 172.21.79.97", padded to the minimum frame.
const requestHex = "0001 0800 0604 0001 0020 d25a fb3f ac15 4f61 0000 0000 0000 ac15 4f64" +
	"0000 0000 0000 0000 0000 0000 0000 0000 0000"

func TestPacketFields(t *testing.T) {
	p, err := NewPacket(unhex(t, requestHex))
	if err != nil {
		t.Fatal(err)
	}
	if err := p.Validate(); err != nil {
		t.Fatal(err)
	}
	for _, f := range []struct {
		name      string
		got, want any
	}{
		{"HardwareType", p.HardwareType(), HardwareEthernet},
		{"Protocol", p.Protocol(), ethernet.TypeIPv4},
		{"HardwareLen", p.HardwareLen(), 6},
		{"ProtocolLen", p.ProtocolLen(), 4},
		{"Op", p.Op(), OpRequest},
		{"AddrsLen", p.AddrsLen(), 20},
		{"Len", p.Len(), EthernetIPv4Len},
		{"HasAddrs", p.HasAddrs(), true},
		{"IsEthernetIPv4", p.IsEthernetIPv4(), true},
		{"SenderMAC", p.SenderMAC().String(), "00:20:d2:5a:fb:3f"},
		{"SenderIP", p.SenderIP(), [4]byte{172, 21, 79, 97}},
		{"TargetMAC", p.TargetMAC(), ethernet.Addr{}},
		{"TargetIP", p.TargetIP(), [4]byte{172, 21, 79, 100}},
		{"SenderHardware", hex.EncodeToString(p.SenderHardware()), "0020d25afb3f"},
		{"SenderProtocol", hex.EncodeToString(p.SenderProtocol()), "ac154f61"},
		{"TargetHardware", hex.EncodeToString(p.TargetHardware()), "000000000000"},
		{"TargetProtocol", hex.EncodeToString(p.TargetProtocol()), "ac154f64"},
		{"Op.String", p.Op().String(), "Request"},
		{"HardwareType.String", p.HardwareType().String(), "Ethernet"},
	} {
		if f.got != f.want {
			t.Errorf("%s = %v, want %v", f.name, f.got, f.want)
		}
	}
}

func TestPartialPackets(t *testing.T) {
	full := unhex(t, requestHex)
	for n := range HeaderLen {
		if _, err := NewPacket(full[:n]); !errors.Is(err, ErrTruncated) {
			t.Errorf("NewPacket of %d bytes: %v", n, err)
		}
	}
	// Cut at every length, the addresses come out clipped and never past
	// the end, and the Ethernet/IPv4 accessors give zero values.
	for n := HeaderLen; n < EthernetIPv4Len; n++ {
		p, _ := NewPacket(full[:n])
		if p.HasAddrs() || !errors.Is(p.Validate(), ErrTruncated) || p.IsEthernetIPv4() {
			t.Errorf("%d bytes: HasAddrs %v, Validate %v", n, p.HasAddrs(), p.Validate())
		}
		got := len(p.SenderHardware()) + len(p.SenderProtocol()) + len(p.TargetHardware()) + len(p.TargetProtocol())
		if got != n-HeaderLen {
			t.Errorf("%d bytes: addresses add up to %d", n, got)
		}
		if p.SenderIP() != [4]byte{} || p.TargetMAC() != (ethernet.Addr{}) {
			t.Errorf("%d bytes: Ethernet/IPv4 accessors read a partial packet", n)
		}
	}
	// Other lengths: 14-byte hardware addresses (arp-too-long-tha.pcap).
	p, _ := NewPacket(unhex(t, "3030 0800 0e04 0001"+strings.Repeat("30", 36)))
	if !p.HasAddrs() || p.IsEthernetIPv4() || len(p.TargetHardware()) != 14 || p.SenderMAC() != (ethernet.Addr{}) {
		t.Errorf("14-byte hardware addresses: %v %v %d", p.HasAddrs(), p.IsEthernetIPv4(), len(p.TargetHardware()))
	}
	// IEEE 802 hardware type is accepted beside Ethernet.
	q := bytes.Clone(full)
	q[1] = 6
	if p, _ := NewPacket(q); !p.IsEthernetIPv4() {
		t.Error("IEEE 802 hardware type")
	}
	q[3] = 0xdd
	if p, _ := NewPacket(q); p.IsEthernetIPv4() {
		t.Error("protocol 0x08dd taken for IPv4")
	}
}

func TestEncode(t *testing.T) {
	b := make([]byte, 60)
	sha, _ := ethernet.ParseAddr("00:20:d2:5a:fb:3f")
	p, err := Encode(b, OpRequest, sha, [4]byte{172, 21, 79, 97}, ethernet.Addr{}, [4]byte{172, 21, 79, 100})
	if err != nil {
		t.Fatal(err)
	}
	if want := unhex(t, requestHex)[:EthernetIPv4Len]; !bytes.Equal(p, want) {
		t.Errorf("% x\nwant % x", []byte(p), want)
	}
	// Answer it in place.
	mine, _ := ethernet.ParseAddr("00:80:ea:81:88:63")
	p.SetOp(OpReply)
	p.SetTargetMAC(p.SenderMAC())
	p.SetTargetIP(p.SenderIP())
	p.SetSenderMAC(mine)
	p.SetSenderIP([4]byte{172, 21, 79, 100})
	want := unhex(t, "0001 0800 0604 0002 0080 ea81 8863 ac15 4f64 0020 d25a fb3f ac15 4f61")
	if !bytes.Equal(p, want) {
		t.Errorf("reply % x\nwant % x", []byte(p), want)
	}
	p.SetHardwareType(HardwareIEEE802)
	p.SetProtocol(0x1000)
	if p.HardwareType() != HardwareIEEE802 || p.Protocol() != 0x1000 {
		t.Error("SetHardwareType, SetProtocol")
	}
	if _, err := Encode(b[:27], OpReply, sha, [4]byte{}, sha, [4]byte{}); !errors.Is(err, ErrTruncated) {
		t.Errorf("short buffer: %v", err)
	}
}

func TestNames(t *testing.T) {
	for _, c := range []struct{ got, want string }{
		{OpRARPReply.String(), "Reverse Reply"},
		{OpNAK.String(), "NACK Reply"},
		{Operation(29953).String(), "Unknown (29953)"},
		{HardwareIEEE1394.String(), "IEEE 1394"},
		{HardwareType(12336).String(), "Unknown Hardware (12336)"},
	} {
		if c.got != c.want {
			t.Errorf("%q, want %q", c.got, c.want)
		}
	}
}

func TestATMPacket(t *testing.T) {
	// An ATM ARP request: 20-byte NSAP numbers, no subaddresses, IPv4.
	nsapS := strings.Repeat("47", 20)
	b := unhex(t, "0013 0800 14 00 0001 04 14 00 04"+nsapS+"0a000001"+strings.Repeat("00", 20)+"0a000002")
	p, err := NewATMPacket(b)
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range []struct {
		name      string
		got, want any
	}{
		{"HardwareType", p.HardwareType(), HardwareATM},
		{"Protocol", p.Protocol(), ethernet.TypeIPv4},
		{"Op", p.Op(), OpRequest},
		{"SenderNumberTL.Len", p.SenderNumberTL().Len(), 20},
		{"SenderNumberTL.E164", p.SenderNumberTL().E164(), false},
		{"SenderSubaddrTL", p.SenderSubaddrTL().Len(), 0},
		{"SenderProtocolLen", p.SenderProtocolLen(), 4},
		{"TargetNumberTL", p.TargetNumberTL().Len(), 20},
		{"TargetSubaddrTL", p.TargetSubaddrTL().Len(), 0},
		{"TargetProtocolLen", p.TargetProtocolLen(), 4},
		{"AddrsLen", p.AddrsLen(), 48},
		{"HasAddrs", p.HasAddrs(), true},
		{"SenderNumber", hex.EncodeToString(p.SenderNumber()), nsapS},
		{"SenderSubaddr", len(p.SenderSubaddr()), 0},
		{"SenderProtocol", hex.EncodeToString(p.SenderProtocol()), "0a000001"},
		{"TargetNumber", len(p.TargetNumber()), 20},
		{"TargetSubaddr", len(p.TargetSubaddr()), 0},
		{"TargetProtocol", hex.EncodeToString(p.TargetProtocol()), "0a000002"},
		{"E164", TypeLen(0x48).E164(), true},
	} {
		if f.got != f.want {
			t.Errorf("%s = %v, want %v", f.name, f.got, f.want)
		}
	}
	short, _ := NewATMPacket(b[:40])
	if short.HasAddrs() || len(short.SenderNumber()) != 20 || len(short.SenderProtocol()) != 4 ||
		len(short.TargetNumber()) != 4 || len(short.TargetProtocol()) != 0 {
		t.Error("clipped ATM addresses")
	}
	if _, err := NewATMPacket(b[:11]); !errors.Is(err, ErrTruncated) {
		t.Error(err)
	}
}

// ethertypeNames are the names tcpdump gives the protocol types seen in the
// ARP packets of the corpus.
var ethertypeNames = map[ethernet.Type]string{0x0800: "IPv4", 0x9200: "802.1Q-9200"}

func protoName(t ethernet.Type) string {
	if s, ok := ethertypeNames[t]; ok {
		return s
	}
	return "Unknown Protocol (0x" + strconv.FormatUint(uint64(t)|0x10000, 16)[1:] + ")"
}

// linkAddr formats a hardware address as tcpdump's linkaddr_string does.
func linkAddr(b []byte) string {
	if len(b) == 0 {
		return "<empty>"
	}
	var s []string
	for _, c := range b {
		s = append(s, hex.EncodeToString([]byte{c}))
	}
	return strings.Join(s, ":")
}

// tcpdumpARP renders an ARP packet the way tcpdump 4.99.3's arp_print
// does, up to ", length" (or all of it for " [|arp]"), from the exported
// API alone. It reports false for a packet it does not render (Frame
// Relay's addresses, which tcpdump prints in Q.922 form).
func tcpdumpARP(p Packet, verbose bool) (string, bool) {
	if !p.HasAddrs() {
		return " [|arp]", true
	}
	if p.HardwareType() == HardwareFrameRelay || p.HardwareType() == HardwareATM {
		return "", false
	}
	isIP := p.Protocol() == ethernet.TypeIPv4 || p.Protocol() == 0x1000
	ip := func(a []byte) string {
		switch {
		case !isIP:
			return "<wrong proto type>"
		case p.ProtocolLen() != 4:
			return "<wrong len>"
		}
		return strconv.Itoa(int(a[0])) + "." + strconv.Itoa(int(a[1])) + "." + strconv.Itoa(int(a[2])) + "." + strconv.Itoa(int(a[3]))
	}
	var s string
	if !isIP || p.ProtocolLen() != 4 || p.HardwareLen() == 0 || verbose {
		s = p.HardwareType().String() + " (len " + strconv.Itoa(p.HardwareLen()) + "), " +
			protoName(p.Protocol()) + " (len " + strconv.Itoa(p.ProtocolLen()) + ")"
		if !verbose {
			return s + ", length", true
		}
		s += ", "
	}
	s += p.Op().String() + " "
	switch p.Op() {
	case OpRequest:
		s += "who-has " + ip(p.TargetProtocol())
		if bytes.ContainsFunc(p.TargetHardware(), func(r rune) bool { return r != 0 }) {
			s += " (" + linkAddr(p.TargetHardware()) + ")"
		}
		s += " tell " + ip(p.SenderProtocol())
	case OpReply:
		s += ip(p.SenderProtocol()) + " is-at " + linkAddr(p.SenderHardware())
	case OpRARPRequest, OpInARPRequest:
		s += "who-is " + linkAddr(p.TargetHardware()) + " tell " + linkAddr(p.SenderHardware())
	case OpRARPReply:
		s += linkAddr(p.TargetHardware()) + " at " + ip(p.TargetProtocol())
	case OpInARPReply:
		s += linkAddr(p.SenderHardware()) + " at " + ip(p.SenderProtocol())
	default:
		return s, true // a hex dump follows
	}
	return s + ", length", true
}

func TestTcpdumpOutput(t *testing.T) {
	needCorpus(t)
	dir := filepath.Join(corpusDir, "tcpdump")
	list, err := os.ReadFile(filepath.Join(dir, "TESTLIST-4.99.3"))
	if err != nil {
		t.Skip(err)
	}
	byFile := map[string][]arpFrame{}
	for _, p := range arpPackets(t, "tcpdump") {
		byFile[p.file] = append(byFile[p.file], p)
	}
	num := regexp.MustCompile(`^ *(\d+)  `)
	checked := 0
	for _, line := range strings.Split(string(list), "\n") {
		f := strings.Fields(line)
		if len(f) < 3 || strings.HasPrefix(f[0], "#") || len(byFile[f[1]]) == 0 {
			continue
		}
		verbose := strings.Contains(line, " -v")
		out, err := os.Open(filepath.Join(dir, f[2]))
		if err != nil {
			t.Fatal(err)
		}
		texts := map[int]string{}
		sc := bufio.NewScanner(out)
		sc.Buffer(nil, 1<<20)
		cur := 0
		for sc.Scan() {
			if g := num.FindStringSubmatch(sc.Text()); g != nil {
				cur, _ = strconv.Atoi(g[1])
			}
			texts[cur] += sc.Text() + "\n"
		}
		out.Close()
		for _, a := range byFile[f[1]] {
			text := texts[a.num]
			p, err := NewPacket(a.data)
			var want string
			if err != nil {
				want = " [|arp]"
			} else {
				var ok bool
				if want, ok = tcpdumpARP(p, verbose); !ok {
					continue
				}
			}
			if !strings.Contains(text, want) {
				t.Errorf("%s #%d: %q not in\n%s", f[2], a.num, want, text)
			}
			checked++
		}
	}
	t.Logf("%d packets checked against tcpdump 4.99.3", checked)
	if checked < 2000 {
		t.Errorf("only %d packets checked", checked)
	}
}

// TestShortATMDoesNotAllocate checks that an ATM ARP packet cut before its
// fixed part is refused without an allocation, as a short ARP packet is.
func TestShortATMDoesNotAllocate(t *testing.T) {
	b := make([]byte, ATMHeaderLen-1)
	if n := testing.AllocsPerRun(10, func() {
		if _, err := NewATMPacket(b); !errors.Is(err, ErrTruncated) {
			t.Fatal(err)
		}
	}); n != 0 {
		t.Errorf("%v allocations", n)
	}
}
