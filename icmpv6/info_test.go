package icmpv6

import (
	"testing"

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
