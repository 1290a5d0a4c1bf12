package icmpv6

import (
	"bytes"
	"errors"
	"testing"

	"github.com/medina-net/medina/ipv6"
)

func mustAddr(t testing.TB, s string) ipv6.Addr {
	t.Helper()
	a, err := ipv6.ParseAddr(s)
	if err != nil {
		t.Fatal(err)
	}
	return a
}

// The router advertisement of icmpv6.pcap, with every option tcpdump
// decodes but route information (see icmpv6_opt24.pcap).
func TestRouterAdvertCapture(t *testing.T) {
	c := capture(t, "icmpv6.pcap")[0]
	m, err := NewMessage(c.m)
	if err != nil {
		t.Fatal(err)
	}
	if err := m.Validate(c.src, c.dst); err != nil {
		t.Fatalf("Validate: %v", err)
	}
	if m.Type() != TypeRouterAdvert || m.Code() != 0 {
		t.Fatalf("type %v code %d", m.Type(), m.Code())
	}
	if m.CurHopLimit() != 64 || m.RAFlags() != RAHomeAgent || m.RAFlags().Pref() != PrefMedium ||
		m.RouterLifetime() != 15 || m.ReachableTime() != 0 || m.RetransTimer() != 0 {
		t.Errorf("hop limit %d flags %#x lifetime %d reachable %d retrans %d",
			m.CurHopLimit(), m.RAFlags(), m.RouterLifetime(), m.ReachableTime(), m.RetransTimer())
	}
	var types []OptionType
	for o := range m.Options().All() {
		if o.Status != OptionOK {
			t.Fatalf("option %v: %v", o.Type, o.Err())
		}
		types = append(types, o.Type)
		switch o.Type {
		case OptPrefixInfo:
			p, ok := o.PrefixInfo()
			want := PrefixInfo{72, PrefixOnLink | PrefixAutonomous, 2592000, 604800, mustAddr(t, "2222:3333:4444:5555:6600::")}
			if !ok || p != want {
				t.Errorf("prefix info %+v, want %+v", p, want)
			}
		case OptRDNSS:
			life, n, ok := o.RDNSS()
			a0, _ := o.RDNSSAddr(0)
			a1, _ := o.RDNSSAddr(1)
			_, ok2 := o.RDNSSAddr(2)
			if !ok || life != 5 || n != 2 || a0 != mustAddr(t, "abcd::efef") || a1 != mustAddr(t, "1234:5678::1") || ok2 {
				t.Errorf("rdnss %d %d %v %v", life, n, a0, a1)
			}
		case OptDNSSL:
			life, names, ok := o.DNSSL()
			if !ok || life != 5 || !bytes.HasPrefix(names, []byte("\x07example\x03com\x00\x07example\x03org\x00")) {
				t.Errorf("dnssl %d %q", life, names)
			}
		case OptMTU:
			if mtu, ok := o.MTU(); !ok || mtu != 100 {
				t.Errorf("mtu %d", mtu)
			}
		case OptSourceLinkAddr:
			if a, ok := o.EthernetAddr(); !ok || a != [6]byte{0xb0, 0x99, 0x28, 0xc8, 0xd6, 0x6c} {
				t.Errorf("source link-layer address %x", a)
			}
		case OptAdvInterval:
			if v, ok := o.AdvInterval(); !ok || v != 5000 {
				t.Errorf("advertisement interval %d", v)
			}
		case OptHomeAgentInfo:
			if pref, life, ok := o.HomeAgentInfo(); !ok || pref != 50001 || life != 15 {
				t.Errorf("home agent %d %d", pref, life)
			}
		}
	}
	want := []OptionType{OptPrefixInfo, OptRDNSS, OptDNSSL, OptMTU, OptSourceLinkAddr, OptAdvInterval, OptHomeAgentInfo}
	if !equalTypes(types, want) {
		t.Errorf("options %v, want %v", types, want)
	}
	// A changed byte breaks the checksum.
	b := bytes.Clone(m)
	b[20] ^= 1
	if err := Message(b).Check(c.src, c.dst); err != ErrBadChecksum {
		t.Errorf("Check after a change = %v", err)
	}
}

func equalTypes(a, b []OptionType) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// Route information options of each length (icmpv6_opt24.pcap).
func TestRouteInfoCapture(t *testing.T) {
	var got []RouteInfo
	for _, c := range capture(t, "icmpv6_opt24.pcap") {
		m := Message(c.m)
		if err := m.Validate(c.src, c.dst); err != nil {
			t.Fatalf("packet %d: %v", c.n, err)
		}
		for o := range m.Options().All() {
			if r, ok := o.RouteInfo(); ok {
				got = append(got, r)
			}
		}
	}
	if len(got) == 0 {
		t.Fatal("no route information option")
	}
	for _, r := range got {
		if r.PrefixLen > 128 || r.Pref == PrefReserved {
			t.Errorf("route info %+v", r)
		}
	}
}

// The MLDv2 messages of icmpv6.pcap.
func TestMLDv2Capture(t *testing.T) {
	cs := capture(t, "icmpv6.pcap")
	// Packet 2: a report of one record, to_ex ff02::db8:1122:3344.
	m := Message(cs[1].m)
	if err := m.Validate(cs[1].src, cs[1].dst); err != nil {
		t.Fatal(err)
	}
	it := m.Records()
	r, ok := it.Next()
	if !ok || m.NumRecords() != 1 || r.Type() != ChangeToExclude || r.Type().String() != "to_ex" ||
		r.MulticastAddr() != mustAddr(t, "ff02::db8:1122:3344") || r.NumSources() != 0 {
		t.Fatalf("record %x", r)
	}
	if _, ok := it.Next(); ok || it.Truncated() {
		t.Error("a second record")
	}
	// Packet 3: a general query, robustness 2, interval 60 s, 10 s delay.
	q := Message(cs[2].m)
	if err := q.Validate(cs[2].src, cs[2].dst); err != nil {
		t.Fatal(err)
	}
	a, _ := q.MulticastAddr()
	if !q.IsMLDv2Query() || q.MaxRespTime() != 10000 || q.QRV() != 2 || q.QQI() != 60 ||
		q.SuppressRouterSide() || q.NumQuerySources() != 0 || a != ipv6.Unspecified {
		t.Errorf("query %x", []byte(q))
	}
	// Packet 4: four records.
	n := 0
	for it := Message(cs[3].m).Records(); ; n++ {
		if _, ok := it.Next(); !ok {
			break
		}
	}
	if n != 4 {
		t.Errorf("%d records, want 4", n)
	}
}

// The neighbor solicitations of dcb_ets.pcap, and parameter problem of
// icmpv6-rfc7112.pcap with its quoted packet.
func TestCaptureNSAndError(t *testing.T) {
	seen := 0
	for _, c := range capture(t, "dcb_ets.pcap") {
		m := Message(c.m)
		if m.Type() != TypeNeighborSolicit {
			continue
		}
		seen++
		if err := m.Validate(c.src, c.dst); err != nil {
			t.Errorf("packet %d: %v", c.n, err)
		}
		tgt, ok := m.Target()
		if !ok || c.dst != tgt.SolicitedNode() {
			t.Errorf("packet %d: target %v to %v", c.n, tgt, c.dst)
		}
	}
	if seen == 0 {
		t.Error("no neighbor solicitation")
	}
	c := capture(t, "icmpv6-rfc7112.pcap")[0]
	m := Message(c.m)
	if m.Type() != TypeParamProblem || m.Code() != ParamProblemIncompleteChain {
		t.Fatalf("type %v code %d", m.Type(), m.Code())
	}
	q, err := ipv6.NewHeader(m.Quoted())
	if err != nil || q.Version() != 6 {
		t.Fatalf("quoted: %v", err)
	}
	if m.Pointer() != 48 { // tcpdump: "incomplete header chain - octet 48"
		t.Errorf("pointer %d", m.Pointer())
	}
}

// Every ICMPv6 message of the corpus that was captured whole either
// validates or fails with one of the sentinels, and Check agrees.
func TestCorpusValidate(t *testing.T) {
	valid := 0
	for _, f := range corpusFiles() {
		for _, c := range readICMPv6(t, f) {
			m, err := NewMessage(c.m)
			if err != nil {
				continue
			}
			check, v := m.Check(c.src, c.dst), m.Validate(c.src, c.dst)
			if !errors.Is(v, check) || (check == nil) != (v == nil) {
				t.Errorf("%s %d: Check %v, Validate %v", c.file, c.n, check, v)
			}
			if check == nil {
				valid++
			}
		}
	}
	if valid < 30 {
		t.Errorf("only %d valid messages in the corpus", valid)
	}
}
