package icmpv6

import (
	"errors"
	"testing"

	"github.com/medina-net/medina/ipv4"
	"github.com/medina-net/medina/ipv6"
)

// The router renumbering commands of icmpv6-RFC2894-RR.pcap.
func TestRenumberCapture(t *testing.T) {
	cs := capture(t, "icmpv6-RFC2894-RR.pcap")
	m := Message(cs[0].m)
	if err := m.Validate(cs[0].src, cs[0].dst); err != nil {
		t.Fatal(err)
	}
	if m.Code() != RenumberCommand || m.RenumberSeq() != 0 || m.RenumberFlags() != RenumberSpecifiedSite ||
		m.RenumberSegment() != 0 || m.RenumberMaxDelay() != 0 || m.RenumberReserved() != 0 {
		t.Errorf("header %x", []byte(m[:16]))
	}
	mp, ok := m.MatchPrefix()
	if !ok || mp.OpCode() != RenumberOpAdd || mp.Ordinal() != 0 || mp.MinLen() != 0 || mp.MaxLen() != 128 ||
		mp.MatchLen() != 48 || mp.Prefix() != mustAddr(t, "fec0::") {
		t.Fatalf("match prefix %x", []byte(mp))
	}
	n, ok := mp.NumUse()
	up, ok2 := m.UsePrefix(0)
	if !ok || n != 1 || !ok2 || up.ValidLifetime() != 2592000 || up.PreferredLifetime() != 604800 ||
		up.UseLen() != 48 || up.KeepLen() != 16 || up.Prefix() != mustAddr(t, "3ffe:501:fffe::") || up.Flags() != 0 {
		t.Errorf("use prefix %d %x", n, []byte(up))
	}
	if _, ok := m.UsePrefix(1); ok {
		t.Error("a second use-prefix part")
	}
	if m := Message(cs[3].m); m.RenumberSeq() != 16777216 {
		t.Errorf("packet 4: seq %d", m.RenumberSeq())
	}
}

// The node information queries of icmpv6-ni-flags.pcap, one flag each.
func TestNodeInfoCapture(t *testing.T) {
	want := []NIFlags{NIAll, NICompat, NILinkLocal, NISiteLocal, NIGlobal}
	cs := capture(t, "icmpv6-ni-flags.pcap")
	if len(cs) != len(want) {
		t.Fatalf("%d messages", len(cs))
	}
	for i, c := range cs {
		m := Message(c.m)
		nonce, ok := m.Nonce()
		if m.Type() != TypeNodeInfoQuery || m.Code() != NIQuerySubjectIPv6 || m.Qtype() != QtypeNodeAddrs ||
			m.NIFlags() != want[i] || !ok || len(nonce) != 8 || len(m.NIData()) != ipv6.AddrLen {
			t.Errorf("packet %d: %x", c.n, []byte(m))
		}
		if m.Validate(c.src, c.dst) != nil {
			t.Errorf("packet %d: %v", c.n, m.Validate(c.src, c.dst))
		}
	}
}

// The RPL messages of the rpl-*.pcap captures.
func TestRPLCapture(t *testing.T) {
	c := capture(t, "rpl-19-pickdag.pcap")[0]
	m := Message(c.m)
	if m.Type() != TypeRPL || m.Code() != RPLDAO || m.RPLSecured() || m.Validate(c.src, c.dst) != nil {
		t.Fatalf("%x", []byte(m))
	}
	d, ok := NewDAO(m.RPLBase())
	id, ok2 := d.DODAGID()
	if !ok || !ok2 || d.Instance() != 42 || d.Seq(false) != 10 || !d.HasDODAGID(false) || d.AckRequested() ||
		id != mustAddr(t, "5431::") {
		t.Fatalf("DAO %x", []byte(d))
	}
	opts := d.Options(false)
	it := NewRPLOptionIter(opts, len(opts))
	var got []RPLOption
	for o, ok := it.Next(); ok; o, ok = it.Next() {
		got = append(got, o)
	}
	if len(got) != 8 || got[0].Type != RPLOptTarget || got[0].Length != 23 || got[0].Status != ipv6.OptionOK || got[7].Type != RPLOptPad1 {
		t.Errorf("options %+v", got)
	}

	c = capture(t, "rpl-26-senddaoack.pcap")[0]
	a, ok := NewDAO(Message(c.m).RPLBase())
	if !ok || Message(c.m).Code() != RPLDAOAck || a.Seq(true) != 11 || a.Instance() != 43 || a.Status() != 0 || !a.HasDODAGID(true) {
		t.Errorf("DAO-ACK %x", []byte(a))
	}

	// The options of rpl-dao-oobr.pcap run past the message.
	c = capture(t, "rpl-dao-oobr.pcap")[0]
	d, _ = NewDAO(Message(c.m).RPLBase())
	opts = d.Options(false)
	it = NewRPLOptionIter(opts, c.length-HeaderLen)
	var last RPLOption
	for o, ok := it.Next(); ok; o, ok = it.Next() {
		last = o
	}
	if last.Status == ipv6.OptionOK {
		t.Errorf("last option %+v", last)
	}
}

func TestDIO(t *testing.T) {
	b := []byte{7, 2, 0x01, 0x00, 0x80 | 1<<3 | 5, 9, 0, 0,
		0x20, 0x01, 0x0d, 0xb8, 12: 0, 15: 1, 16: 0, 23: 0,
		byte(RPLOptDODAGConfig), 2, 0xaa, 0xbb, 0}
	d, ok := NewDIO(b)
	if !ok || d.Instance() != 7 || d.Version() != 2 || d.Rank() != 256 || !d.Grounded() || d.MOP() != MOPNonStoring ||
		d.Prf() != 5 || d.DTSN() != 9 || len(d.Options()) != 5 {
		t.Fatalf("%x", []byte(d))
	}
	if _, ok := NewDIO(b[:23]); ok {
		t.Error("DIO of 23 bytes")
	}
	if RPLOptDODAGConfig.String() != "config" || RPLOptionType(13).String() != "subopt:13" {
		t.Error("names")
	}
}

// An RFC 4884 extension after a quote padded to 128 bytes, found by the
// length field.
func TestExtension(t *testing.T) {
	quote := make([]byte, ExtensionQuoteLen)
	quote[0] = 0x60
	ext := []byte{0x20, 0, 0, 0, 0, 8, 1, 1, 0x00, 0x01, 0x41, 0xff}
	var buf [512]byte
	m, err := Encode(buf[:], TypeTimeExceeded, TimeExceededHopLimit, 0, append(quote, ext...), hostA, hostB)
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := m.Extension(); ok {
		t.Error("an extension without the length field")
	}
	m.SetQuotedLen(ExtensionQuoteLen)
	e, ok := m.Extension()
	if !ok || e.Version() != 2 || len(m.Quoted()) != ExtensionQuoteLen {
		t.Fatalf("extension %x, quote of %d", []byte(e), len(m.Quoted()))
	}
	it := e.Objects()
	o, err := it.Next()
	if err != nil {
		t.Fatal(err)
	}
	if entry, ok := o.MPLSEntry(0); !ok || entry.Label() != 20 || entry.TTL() != 0xff {
		t.Errorf("MPLS entry %v", entry)
	}
	// Packet too big has no length field: its quote is all of the body.
	m.SetType(TypePacketTooBig)
	if _, ok := m.Extension(); ok || len(m.Quoted()) != len(m.Body()) {
		t.Error("packet too big with an extension")
	}
}

func TestPREF64AndNonce(t *testing.T) {
	prefix := mustAddr(t, "64:ff9b::")
	opt := append([]byte{byte(OptPREF64), 2, 0x07, 0x08 | 2}, prefix[:12]...)
	it := NewOptionIter(append(opt, AppendNonce(nil, []byte{1, 2, 3, 4, 5, 6})...))
	o, _ := it.Next()
	life, p, n, ok := o.PREF64()
	if !ok || life != 0x0708 || p != prefix || n != 56 {
		t.Errorf("PREF64 %d %v/%d %v", life, p, n, ok)
	}
	o, _ = it.Next()
	if nonce, ok := o.Nonce(); !ok || len(nonce) != 6 || nonce[5] != 6 {
		t.Errorf("nonce %x", nonce)
	}
	// Code 7 of the prefix length is not assigned.
	opt[3] = 0x07
	it = NewOptionIter(opt)
	o, _ = it.Next()
	if _, _, _, ok := o.PREF64(); ok {
		t.Error("PREF64 with an unassigned length code")
	}
}

// QuotedTransport follows the quote's chain as tcpdump does: over a
// hop-by-hop header and a first fragment, not past a later fragment.
func TestQuotedTransport(t *testing.T) {
	udpHdr := []byte{0x9c, 0x40, 0, 53, 0, 8, 0, 0}
	ip := func(nh byte, rest ...byte) []byte {
		h := make([]byte, ipv6.HeaderLen)
		h[0], h[6] = 0x60, nh
		return append(h, rest...)
	}
	tests := []struct {
		name  string
		quote []byte
		proto ipv4.Protocol
		ok    bool
	}{
		{"udp", ip(17, udpHdr...), ipv4.ProtoUDP, true},
		{"hop-by-hop then udp", ip(0, append([]byte{17, 0, 1, 4, 0, 0, 0, 0}, udpHdr...)...), ipv4.ProtoUDP, true},
		{"first fragment", ip(44, append([]byte{6, 0, 0, 1, 0, 0, 0, 9}, udpHdr...)...), ipv4.ProtoTCP, true},
		{"later fragment", ip(44, append([]byte{17, 0, 0, 8, 0, 0, 0, 9}, udpHdr...)...), 0, false},
		{"ports cut", ip(17, udpHdr[:3]...), 0, false},
		{"icmpv6", ip(58, 128, 0, 0, 0), ipv4.ProtoICMPv6, false},
	}
	var buf [256]byte
	for _, tt := range tests {
		m, _ := Encode(buf[:], TypeDestUnreachable, UnreachPort, 0, tt.quote, hostA, hostB)
		p, th, ok := m.QuotedTransport()
		if ok != tt.ok || p != tt.proto || ok && th[3] != 53 {
			t.Errorf("%s: %v %x %v", tt.name, p, th, ok)
		}
	}
}

func TestHomeAgentsAndMLDCode(t *testing.T) {
	var buf [64]byte
	m, _ := Encode(buf[:], TypeHomeAgentReply, 0, 0x12340000, append(hostA[:], hostB[:8]...), hostA, hostB)
	a, ok := m.HomeAgent(0)
	_, ok2 := m.HomeAgent(1)
	if m.ID() != 0x1234 || m.NumHomeAgents() != 1 || !ok || a != hostA || ok2 {
		t.Errorf("home agents %d %v", m.NumHomeAgents(), a)
	}
	// MLD's code is ignored on receipt, neighbor discovery's is not.
	r, _ := EncodeMLDv2Report(buf[:], nil, hostA, mldv2)
	r.SetCode(3)
	r.FillChecksum(hostA, mldv2)
	ns, _ := EncodeNeighborSolicit(buf[32:], hostB, nil, nil, hostA, hostB)
	ns.SetCode(3)
	ns.FillChecksum(hostA, hostB)
	if r.Validate(hostA, mldv2) != nil || !errors.Is(ns.Validate(hostA, hostB), ErrBadCode) {
		t.Errorf("MLD %v, NS %v", r.Validate(hostA, mldv2), ns.Validate(hostA, hostB))
	}
}
