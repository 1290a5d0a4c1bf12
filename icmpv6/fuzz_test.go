package icmpv6

import (
	"bytes"
	"errors"
	"net"
	"testing"
	"time"

	"github.com/gopacket/gopacket"
	"github.com/gopacket/gopacket/layers"
	"github.com/medina-net/medina/ipv6"
)

// fuzzSrc and fuzzDst are the addresses the fuzz target checks sums
// between.
var (
	fuzzSrc = ipv6.Addr{0xfe, 0x80, 15: 1}
	fuzzDst = ipv6.Addr{0xff, 0x02, 15: 1}
)

// FuzzMessage feeds arbitrary bytes to the view. Nothing may panic; Check
// and Validate must agree; and gopacket's layers, which decode the header
// and the bodies of echo, the neighbor discovery messages with their
// options, and MLD, must agree on the fields both decode.
func FuzzMessage(f *testing.F) {
	for _, file := range corpusFiles() {
		for _, c := range readICMPv6(f, file) {
			f.Add(c.m)
		}
	}
	var buf [256]byte
	m, _ := EncodeNeighborSolicit(buf[:], fuzzDst, []byte{2, 0, 0, 0, 0, 1}, []byte{1, 2, 3, 4, 5, 6}, fuzzSrc, fuzzDst)
	f.Add(bytes.Clone(m))
	m, _ = EncodeEcho(buf[:], TypeEchoRequest, 7, 9, []byte("ping"), fuzzSrc, fuzzDst)
	f.Add(bytes.Clone(m))
	f.Add([]byte{byte(TypeNeighborAdvert), 0, 0, 0, 0xe0})
	f.Fuzz(func(t *testing.T, b []byte) {
		if len(b) > 4096 {
			return
		}
		m, err := NewMessage(b)
		if err != nil {
			if len(b) >= MinLen || !errors.Is(err, ErrTruncated) {
				t.Fatalf("NewMessage(%d bytes) = %v", len(b), err)
			}
			return
		}
		readAll(m)
		check, valid := m.Check(fuzzSrc, fuzzDst), m.Validate(fuzzSrc, fuzzDst)
		if (check == nil) != (valid == nil) || !errors.Is(valid, check) {
			t.Fatalf("Check %v, Validate %v", check, valid)
		}
		if check == nil && len(m) < MinLenOf(m.Type()) {
			t.Fatal("valid while shorter than its type")
		}
		oracle(t, m)
	})
}

// readAll calls every accessor, for the fuzzer to find a panic.
func readAll(m Message) {
	_, _, _ = TypeCode(m)
	_ = m.RestOfHeader() + m.MTU() + m.Pointer() + uint32(m.ID()+m.Seq()) + uint32(m.QuotedLen())
	_, _ = m.Body(), m.Quoted()
	m.Extension()
	_, _ = m.Target()
	_, _ = m.RedirectDst()
	_ = m.RAFlags().Pref().String()
	_ = m.MaxRespTime() + m.QQI() + uint32(m.NAFlags()) + uint32(m.MobilePrefixFlags())
	_, _ = m.MulticastAddr()
	for i := range min(m.NumQuerySources(), 100) {
		m.QuerySource(i)
	}
	for o := range m.Options().All() {
		readOption(o)
	}
	it := m.Records()
	for r, ok := it.Next(); ok; r, ok = it.Next() {
		_ = r.Type().String()
		r.MulticastAddr()
		for i := range r.NumSources() {
			r.Source(i)
		}
	}
	readMore(m)
}

// readMore calls the accessors of node information, router renumbering,
// RPL and mobile IPv6's messages.
func readMore(m Message) {
	_ = uint32(m.Qtype()) + uint32(m.NIFlags()) + m.RenumberSeq() + uint32(m.RenumberSegment()) +
		uint32(m.RenumberFlags()) + uint32(m.RenumberMaxDelay()) + m.RenumberReserved()
	m.Nonce()
	m.NIData()
	m.NISubjectIPv4()
	if mp, ok := m.MatchPrefix(); ok {
		_ = mp.OpCode() + mp.OpLength() + mp.Ordinal() + mp.MatchLen() + mp.MinLen() + mp.MaxLen()
		mp.Prefix()
		n, _ := mp.NumUse()
		for i := range min(n, 64) {
			if up, ok := m.UsePrefix(i); ok {
				_ = up.UseLen() + up.KeepLen() + up.FlagMask() + up.RAFlags() + up.Flags()
				_ = up.ValidLifetime() + up.PreferredLifetime()
				up.Prefix()
			}
		}
	}
	base := m.RPLBase()
	if d, ok := NewDIO(base); ok {
		_ = d.Instance() + d.Version() + uint8(d.Rank()) + uint8(d.MOP()) + d.Prf() + d.DTSN() + d.Flags()
		_ = d.Grounded()
		d.DODAGID()
		walkRPL(d.Options())
	}
	if d, ok := NewDAO(base); ok {
		for _, ack := range []bool{false, true} {
			_ = d.Instance() + d.Flags() + d.Seq(ack) + d.Status()
			_ = d.AckRequested() || d.HasDODAGID(ack)
			d.DODAGID()
			walkRPL(d.Options(ack))
		}
	}
	for i := range min(m.NumHomeAgents(), 64) + 1 {
		m.HomeAgent(i)
	}
}

// walkRPL walks RPL options as if the message were a few bytes longer
// than captured.
func walkRPL(b []byte) {
	it := NewRPLOptionIter(b, len(b)+3)
	for o, ok := it.Next(); ok; o, ok = it.Next() {
		_ = o.Type.String()
		o.Data()
	}
}

// readOption calls every accessor of an option.
func readOption(o Option) {
	_ = o.Err()
	_ = o.Type.String()
	o.LinkAddr()
	o.EthernetAddr()
	o.PrefixInfo()
	o.MTU()
	o.AdvInterval()
	o.HomeAgentInfo()
	o.RouteInfo()
	o.RDNSS()
	for i := range 4 {
		o.RDNSSAddr(i)
	}
	o.DNSSL()
	o.Nonce()
	o.RedirectedHeader()
	o.PREF64()
}

// oracle compares m with what gopacket decodes of it.
func oracle(t *testing.T, m Message) {
	var g layers.ICMPv6
	if err := g.DecodeFromBytes(m, gopacket.NilDecodeFeedback); err != nil {
		t.Fatalf("gopacket refuses %d bytes: %v", len(m), err)
	}
	if g.TypeCode.Type() != uint8(m.Type()) || g.TypeCode.Code() != uint8(m.Code()) || g.Checksum != m.Checksum() {
		t.Fatalf("gopacket type/code/sum %v %#x", g.TypeCode, g.Checksum)
	}
	body := m[MinLen:] // gopacket's payload: from byte 4
	ip := func(a ipv6.Addr, b net.IP) bool { return bytes.Equal(a[:], b) }
	switch m.Type() {
	case TypeEchoRequest, TypeEchoReply:
		var e layers.ICMPv6Echo
		if e.DecodeFromBytes(body, gopacket.NilDecodeFeedback) == nil && (e.Identifier != m.ID() || e.SeqNumber != m.Seq()) {
			t.Fatalf("echo: gopacket %d/%d, view %d/%d", e.Identifier, e.SeqNumber, m.ID(), m.Seq())
		}
	case TypeRouterAdvert:
		var ra layers.ICMPv6RouterAdvertisement
		if ra.DecodeFromBytes(body, gopacket.NilDecodeFeedback) == nil {
			if ra.HopLimit != m.CurHopLimit() || ra.Flags != uint8(m.RAFlags()) || ra.RouterLifetime != m.RouterLifetime() ||
				ra.ReachableTime != m.ReachableTime() || ra.RetransTimer != m.RetransTimer() {
				t.Fatalf("router advertisement: gopacket %+v", ra)
			}
			sameOptions(t, m, ra.Options)
		}
	case TypeNeighborSolicit:
		var ns layers.ICMPv6NeighborSolicitation
		if ns.DecodeFromBytes(body, gopacket.NilDecodeFeedback) == nil {
			if a, _ := m.Target(); !ip(a, ns.TargetAddress) {
				t.Fatalf("target: gopacket %v, view %v", ns.TargetAddress, a)
			}
			sameOptions(t, m, ns.Options)
		}
	case TypeNeighborAdvert:
		var na layers.ICMPv6NeighborAdvertisement
		if na.DecodeFromBytes(body, gopacket.NilDecodeFeedback) == nil {
			a, _ := m.Target()
			if !ip(a, na.TargetAddress) || na.Flags != uint8(m.NAFlags()>>24) {
				t.Fatalf("neighbor advertisement: gopacket %v %#x, view %v %#x", na.TargetAddress, na.Flags, a, m.NAFlags())
			}
			sameOptions(t, m, na.Options)
		}
	case TypeRedirect:
		var rd layers.ICMPv6Redirect
		if rd.DecodeFromBytes(body, gopacket.NilDecodeFeedback) == nil {
			a, _ := m.Target()
			d, _ := m.RedirectDst()
			if !ip(a, rd.TargetAddress) || !ip(d, rd.DestinationAddress) {
				t.Fatalf("redirect: gopacket %v %v", rd.TargetAddress, rd.DestinationAddress)
			}
			sameOptions(t, m, rd.Options)
		}
	case TypeMLDv2Report:
		var rep layers.MLDv2MulticastListenerReportMessage
		gerr := rep.DecodeFromBytes(body, gopacket.NilDecodeFeedback)
		if int(rep.NumberOfMulticastAddressRecords) != m.NumRecords() && len(m) >= HeaderLen {
			t.Fatalf("records: gopacket %d, view %d", rep.NumberOfMulticastAddressRecords, m.NumRecords())
		}
		it := m.Records()
		for i := range rep.MulticastAddressRecords {
			r, ok := it.Next()
			if !ok {
				if gerr == nil {
					t.Fatalf("record %d: gopacket decodes it, the view does not", i)
				}
				break
			}
			g := rep.MulticastAddressRecords[i]
			if uint8(g.RecordType) != uint8(r.Type()) || int(g.N) != r.NumSources() || !ip(r.MulticastAddr(), g.MulticastAddress) {
				t.Fatalf("record %d: gopacket %v", i, g.String())
			}
		}
		if gerr == nil {
			if _, ok := it.Next(); ok || it.Truncated() {
				t.Fatal("the view finds other records than gopacket")
			}
		}
	case TypeMLDReport, TypeMLDDone:
		mldv1(t, m, body)
	case TypeMLDQuery:
		if !m.IsMLDv2Query() {
			mldv1(t, m, body)
			break
		}
		var q layers.MLDv2MulticastListenerQueryMessage
		if q.DecodeFromBytes(body, gopacket.NilDecodeFeedback) == nil {
			a, _ := m.MulticastAddr()
			if q.MaximumResponseCode != m.MaxRespDelay() || !ip(a, q.MulticastAddress) || q.SuppressRoutersideProcessing != m.SuppressRouterSide() ||
				q.QueriersRobustnessVariable != m.QRV() || q.QueriersQueryIntervalCode != m.QQIC() || int(q.NumberOfSources) != m.NumQuerySources() {
				t.Fatalf("MLDv2 query: gopacket %+v", q)
			}
		}
	}
}

// mldv1 compares an MLDv1 message with gopacket's decoding of its body.
func mldv1(t *testing.T, m Message, body []byte) {
	var g layers.MLDv1Message
	if g.DecodeFromBytes(body, gopacket.NilDecodeFeedback) != nil {
		return
	}
	a, ok := m.MulticastAddr()
	if !ok || !bytes.Equal(a[:], g.MulticastAddress) || g.MaximumResponseDelay != time.Duration(m.MaxRespDelay())*time.Millisecond {
		t.Fatalf("MLDv1: gopacket %v %v", g.MulticastAddress, g.MaximumResponseDelay)
	}
}

// sameOptions checks the view walks the options gopacket decoded.
func sameOptions(t *testing.T, m Message, g layers.ICMPv6Options) {
	it := m.Options()
	for i, go_ := range g {
		o, ok := it.Next()
		if !ok || o.Status > OptionWrongLength || uint8(o.Type) != uint8(go_.Type) || !bytes.Equal(o.Data(), go_.Data) {
			t.Fatalf("option %d: gopacket %v %x, view %v %x (%v)", i, go_.Type, go_.Data, o.Type, o.Data(), o.Status)
		}
	}
	if o, ok := it.Next(); ok {
		t.Fatalf("option %v past gopacket's", o.Type)
	}
}
