package icmpv6

import (
	"bytes"
	"errors"
	"net"
	"strings"
	"testing"

	"github.com/gopacket/gopacket"
	"github.com/gopacket/gopacket/layers"
	"github.com/medina-net/medina/ipv6"
)

var (
	hostA  = ipv6.Addr{0xfe, 0x80, 8: 0x02, 0x00, 0x5e, 0xff, 0xfe, 0x00, 0x53, 0x01}
	hostB  = ipv6.Addr{0xfe, 0x80, 8: 0x02, 0x00, 0x5e, 0xff, 0xfe, 0x00, 0x53, 0x02}
	macA   = []byte{0x00, 0x00, 0x5e, 0x00, 0x53, 0x01}
	macB   = []byte{0x00, 0x00, 0x5e, 0x00, 0x53, 0x02}
	allRtr = ipv6.Addr{0xff, 0x02, 15: 2}
	mldv2  = ipv6.Addr{0xff, 0x02, 15: 0x16}
)

// gopacketICMPv6 serializes an ICMPv6 message with gopacket between src
// and dst, for the encoders to be compared with.
func gopacketICMPv6(t *testing.T, src, dst ipv6.Addr, tc layers.ICMPv6TypeCode, body gopacket.SerializableLayer) []byte {
	t.Helper()
	ip := &layers.IPv6{Version: 6, NextHeader: layers.IPProtocolICMPv6, HopLimit: 255, SrcIP: net.IP(src[:]), DstIP: net.IP(dst[:])}
	icmp := &layers.ICMPv6{TypeCode: tc}
	if err := icmp.SetNetworkLayerForChecksum(ip); err != nil {
		t.Fatal(err)
	}
	buf := gopacket.NewSerializeBuffer()
	if err := gopacket.SerializeLayers(buf, gopacket.SerializeOptions{ComputeChecksums: true, FixLengths: true}, icmp, body); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func TestEncodeAgainstGopacket(t *testing.T) {
	var buf [1500]byte
	nsTC := layers.CreateICMPv6TypeCode(layers.ICMPv6TypeNeighborSolicitation, 0)
	tests := []struct {
		name string
		enc  func() (Message, error)
		want []byte
	}{
		{"echo request",
			func() (Message, error) {
				return EncodeEcho(buf[:], TypeEchoRequest, 0x1234, 7, []byte("abcdefgh"), hostA, hostB)
			},
			gopacketICMPv6(t, hostA, hostB, layers.CreateICMPv6TypeCode(layers.ICMPv6TypeEchoRequest, 0),
				gopacket.Payload(append([]byte{0x12, 0x34, 0, 7}, "abcdefgh"...)))},
		{"neighbor solicitation with source link-layer address",
			func() (Message, error) {
				return EncodeNeighborSolicit(buf[:], hostB, macA, nil, hostA, hostB.SolicitedNode())
			},
			gopacketICMPv6(t, hostA, hostB.SolicitedNode(), nsTC, &layers.ICMPv6NeighborSolicitation{
				TargetAddress: net.IP(hostB[:]),
				Options:       layers.ICMPv6Options{{Type: layers.ICMPv6OptSourceAddress, Data: macA}}})},
		{"duplicate address detection with a nonce",
			func() (Message, error) {
				return EncodeNeighborSolicit(buf[:], hostA, nil, []byte{1, 2, 3, 4, 5, 6}, ipv6.Unspecified, hostA.SolicitedNode())
			},
			gopacketICMPv6(t, ipv6.Unspecified, hostA.SolicitedNode(), nsTC, &layers.ICMPv6NeighborSolicitation{
				TargetAddress: net.IP(hostA[:]),
				Options:       layers.ICMPv6Options{{Type: layers.ICMPv6Opt(OptNonce), Data: []byte{1, 2, 3, 4, 5, 6}}}})},
		{"neighbor advertisement",
			func() (Message, error) {
				return EncodeNeighborAdvert(buf[:], NASolicited|NAOverride, hostB, macB, hostB, hostA)
			},
			gopacketICMPv6(t, hostB, hostA, layers.CreateICMPv6TypeCode(layers.ICMPv6TypeNeighborAdvertisement, 0),
				&layers.ICMPv6NeighborAdvertisement{Flags: 0x60, TargetAddress: net.IP(hostB[:]),
					Options: layers.ICMPv6Options{{Type: layers.ICMPv6OptTargetAddress, Data: macB}}})},
		{"router solicitation",
			func() (Message, error) { return EncodeRouterSolicit(buf[:], macA, hostA, allRtr) },
			gopacketICMPv6(t, hostA, allRtr, layers.CreateICMPv6TypeCode(layers.ICMPv6TypeRouterSolicitation, 0),
				&layers.ICMPv6RouterSolicitation{Options: layers.ICMPv6Options{{Type: layers.ICMPv6OptSourceAddress, Data: macA}}})},
		{"MLDv2 report",
			func() (Message, error) {
				return EncodeMLDv2Report(buf[:], []RecordSpec{
					{Type: ChangeToExclude, Addr: hostA.SolicitedNode()},
					{Type: AllowNewSources, Addr: ipv6.Addr{0xff, 0x0e, 15: 9}, Sources: []ipv6.Addr{hostB}},
				}, hostA, mldv2)
			},
			gopacketICMPv6(t, hostA, mldv2, layers.CreateICMPv6TypeCode(layers.ICMPv6TypeMLDv2MulticastListenerReportMessageV2, 0),
				&layers.MLDv2MulticastListenerReportMessage{MulticastAddressRecords: []layers.MLDv2MulticastAddressRecord{
					{RecordType: layers.MLDv2MulticastAddressRecordTypeChangeToExcludeMode, MulticastAddress: net.IP(hostA.SolicitedNode().Netip().AsSlice())},
					{RecordType: layers.MLDv2MulticastAddressRecordTypeAllowNewSources, MulticastAddress: net.IP([]byte{0xff, 0x0e, 14: 0, 15: 9}),
						N: 1, SourceAddresses: []net.IP{net.IP(hostB[:])}},
				}})},
	}
	for _, tt := range tests {
		m, err := tt.enc()
		if err != nil {
			t.Fatalf("%s: %v", tt.name, err)
		}
		if !bytes.Equal(m, tt.want) {
			t.Errorf("%s:\n got %x\nwant %x", tt.name, []byte(m), tt.want)
		}
	}
}

// The messages a host sends validate where they go, and read back.
func TestEncodeRoundTrip(t *testing.T) {
	var buf [1500]byte
	m, err := EncodeNeighborSolicit(buf[:], hostB, macA, []byte{9, 8, 7, 6, 5, 4}, hostA, hostB.SolicitedNode())
	if err != nil {
		t.Fatal(err)
	}
	if err := m.Validate(hostA, hostB.SolicitedNode()); err != nil {
		t.Fatal(err)
	}
	if err := m.Check(hostA, hostB); err != ErrBadChecksum {
		t.Errorf("checked to another destination: %v", err)
	}
	it := m.Options()
	o1, _ := it.Next()
	o2, _ := it.Next()
	ll, _ := o1.EthernetAddr()
	nonce, _ := o2.Nonce()
	if !bytes.Equal(ll[:], macA) || !bytes.Equal(nonce, []byte{9, 8, 7, 6, 5, 4}) {
		t.Errorf("options %x %x", ll, nonce)
	}

	m, err = EncodeNeighborAdvert(buf[:], NARouter|NASolicited, hostB, macB, hostB, hostA)
	if err != nil {
		t.Fatal(err)
	}
	if f := m.NAFlags(); f != NARouter|NASolicited || m.Validate(hostB, hostA) != nil {
		t.Errorf("flags %#x", f)
	}
}

// An error quotes at most what keeps it within 1280 bytes.
func TestEncodeErrorQuote(t *testing.T) {
	var buf [2000]byte
	packet := make([]byte, 1500)
	packet[0] = 0x60
	m, err := EncodePacketTooBig(buf[:], 1400, packet, hostA, hostB)
	if err != nil {
		t.Fatal(err)
	}
	if len(m)+ipv6.HeaderLen != MinMTU || m.MTU() != 1400 || len(m.Quoted()) != MaxQuoteLen {
		t.Errorf("packet too big of %d bytes, mtu %d", len(m), m.MTU())
	}
	if err := m.Validate(hostA, hostB); err != nil {
		t.Error(err)
	}
	m, err = EncodeParamProblem(buf[:], ParamProblemNextHeader, 6, packet[:48], hostA, hostB)
	if err != nil || m.Pointer() != 6 || len(m.Quoted()) != 48 || m.Code() != ParamProblemNextHeader {
		t.Errorf("parameter problem %v %x", err, []byte(m))
	}
	if _, err := EncodeError(buf[:], TypeEchoRequest, 0, 0, packet, hostA, hostB); err == nil {
		t.Error("an echo request encoded as an error")
	}
	if _, err := EncodeDestUnreachable(buf[:100], UnreachPort, packet, hostA, hostB); !errors.Is(err, ErrTruncated) {
		t.Errorf("short buffer: %v", err)
	}
	// Short messages are refused with the sentinel.
	m, _ = EncodeTimeExceeded(buf[:], TimeExceededHopLimit, packet[:20], hostA, hostB)
	if err := m.Validate(hostA, hostB); !errors.Is(err, ErrTruncated) {
		t.Errorf("quote of 20 bytes: %v", err)
	}
}

func TestToEchoReply(t *testing.T) {
	var buf [64]byte
	for seq := range uint16(300) {
		m, _ := EncodeEcho(buf[:], TypeEchoRequest, 1, seq, []byte{byte(seq)}, hostA, hostB)
		m.ToEchoReply()
		if m.Type() != TypeEchoReply || m.Validate(hostB, hostA) != nil {
			t.Fatalf("seq %d: %x", seq, []byte(m))
		}
	}
}

// Options that break the rules stop the walk with their status, and
// Validate names them.
func TestBadOptions(t *testing.T) {
	var buf [64]byte
	base, _ := EncodeRouterSolicit(buf[:], macA, hostA, allRtr)
	tests := []struct {
		name string
		opts []byte
		want OptionStatus
	}{
		{"zero length", []byte{1, 0, 0, 0, 0, 0, 0, 0}, OptionZeroLength},
		{"past end", []byte{1, 2, 0, 0, 0, 0, 0, 0}, OptionPastEnd},
		{"no length byte", []byte{1}, OptionBadLength},
		{"prefix info of 8 bytes", []byte{3, 1, 0, 0, 0, 0, 0, 0}, OptionWrongLength},
	}
	for _, tt := range tests {
		m := Message(append(bytes.Clone(base[:RouterSolicitLen]), tt.opts...))
		m.FillChecksum(hostA, allRtr)
		var last Option
		for o := range m.Options().All() {
			last = o
		}
		if last.Status != tt.want {
			t.Errorf("%s: status %v, want %v", tt.name, last.Status, tt.want)
		}
		if err := m.Validate(hostA, allRtr); !errors.Is(err, ErrBadOption) || !strings.Contains(err.Error(), "offset 8") {
			t.Errorf("%s: Validate %v", tt.name, err)
		}
		// Walking them costs nothing; the error is built when asked for.
		if n := testing.AllocsPerRun(20, func() {
			it := m.Options()
			for _, ok := it.Next(); ok; _, ok = it.Next() {
			}
			if m.Check(hostA, allRtr) != ErrBadOption {
				t.Fatal("Check")
			}
		}); n != 0 {
			t.Errorf("%s: %v allocations", tt.name, n)
		}
	}
}

func TestEncodeRouterAdvertAndMLDv1(t *testing.T) {
	var buf [256]byte
	ra := RouterAdvert{CurHopLimit: 64, Flags: RAOther | RAFlags(PrefHigh)<<3, RouterLifetime: 1800, ReachableTime: 30000, RetransTimer: 1000,
		Options: AppendPrefixInfo(AppendMTU(AppendLinkAddr(nil, OptSourceLinkAddr, macA), 1500),
			PrefixInfo{PrefixLen: 64, Flags: PrefixOnLink | PrefixAutonomous, ValidLifetime: 86400, PreferredLifetime: 14400, Prefix: ipv6.Addr{0x20, 0x01, 0x0d, 0xb8}})}
	m, err := ra.Encode(buf[:], hostA, ipv6.Addr{0xff, 0x02, 15: 1})
	if err != nil {
		t.Fatal(err)
	}
	want := gopacketICMPv6(t, hostA, ipv6.Addr{0xff, 0x02, 15: 1}, layers.CreateICMPv6TypeCode(layers.ICMPv6TypeRouterAdvertisement, 0),
		&layers.ICMPv6RouterAdvertisement{HopLimit: 64, Flags: 0x48, RouterLifetime: 1800, ReachableTime: 30000, RetransTimer: 1000,
			Options: layers.ICMPv6Options{
				// gopacket writes its options last to first.
				{Type: layers.ICMPv6OptPrefixInfo, Data: append([]byte{64, 0xc0, 0, 1, 0x51, 0x80, 0, 0, 0x38, 0x40, 0, 0, 0, 0, 0x20, 0x01, 0x0d, 0xb8}, make([]byte, 12)...)},
				{Type: layers.ICMPv6OptMTU, Data: []byte{0, 0, 0, 0, 0x05, 0xdc}},
				{Type: layers.ICMPv6OptSourceAddress, Data: macA},
			}})
	if !bytes.Equal(m, want) {
		t.Errorf("router advertisement:\n got %x\nwant %x", []byte(m), want)
	}
	if m.RAFlags().Pref() != PrefHigh || m.Validate(hostA, ipv6.Addr{0xff, 0x02, 15: 1}) != nil {
		t.Errorf("pref %v, %v", m.RAFlags().Pref(), m.Validate(hostA, ipv6.Addr{0xff, 0x02, 15: 1}))
	}
	grp := ipv6.Addr{0xff, 0x05, 15: 3}
	m, err = EncodeMLDv1(buf[:], TypeMLDReport, grp, hostA, grp)
	if a, _ := m.MulticastAddr(); err != nil || len(m) != MLDLen || a != grp || m.Validate(hostA, grp) != nil {
		t.Errorf("MLDv1 report %x: %v", []byte(m), err)
	}
	if _, err := EncodeMLDv1(buf[:], TypeMLDQuery, grp, hostA, grp); err == nil {
		t.Error("a query encoded as a report")
	}
}
