package dhcp

// Differential tests against gopacket's layers.DHCPv4, the independent
// oracle. Both read the fixed fields and the options (with Option Overload
// into file and sname) the same way; the verdicts differ where Check is
// stricter than gopacket: an op other than 1 or 2 is rejected by Check
// (ErrBadOp, its last check), accepted by gopacket.

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"github.com/gopacket/gopacket"
	"github.com/gopacket/gopacket/layers"
	"github.com/medina-net/medina/internal/corpus"
)

func compareGopacket(t *testing.T, b []byte) {
	t.Helper()
	m, err := NewMessage(b)
	var g layers.DHCPv4
	gerr := g.DecodeFromBytes(b, gopacket.NilDecodeFeedback)
	if err != nil {
		if gerr == nil {
			t.Fatalf("NewMessage: %v; gopacket accepts", err)
		}
		return
	}
	cerr := m.Check()
	if cerr == ErrBadOp {
		cerr = nil
	}
	if (cerr == nil) != (gerr == nil) {
		t.Fatalf("Check: %v; gopacket: %v", m.Validate(), gerr)
	}
	if cerr != nil {
		return
	}
	for _, c := range []struct {
		name      string
		got, want any
	}{
		{"Op", uint8(m.Op()), uint8(g.Operation)},
		{"HType", m.HType(), uint8(g.HardwareType)},
		{"HLen", m.HLen(), g.HardwareLen},
		{"Hops", m.Hops(), g.RelayHops},
		{"XID", m.XID(), g.Xid},
		{"Secs", m.Secs(), g.Secs},
		{"Flags", uint16(m.Flags()), g.Flags},
		{"CIAddr", m.CIAddr().Netip().String(), g.ClientIP.String()},
		{"YIAddr", m.YIAddr().Netip().String(), g.YourClientIP.String()},
		{"SIAddr", m.SIAddr().Netip().String(), g.NextServerIP.String()},
		{"GIAddr", m.GIAddr().Netip().String(), g.RelayAgentIP.String()},
	} {
		if c.got != c.want {
			t.Fatalf("%s = %v, gopacket %v", c.name, c.got, c.want)
		}
	}
	if !bytes.Equal(m.CHAddr(), g.ClientHWAddr) {
		t.Fatalf("CHAddr %x, gopacket %x", m.CHAddr(), g.ClientHWAddr)
	}
	var gopts []layers.DHCPOption
	for _, o := range g.Options {
		if o.Type != layers.DHCPOptPad {
			gopts = append(gopts, o)
		}
	}
	i := 0
	it := m.Options()
	for o, ok := it.Next(); ok; o, ok = it.Next() {
		if o.Status == OptionPastEnd {
			// gopacket ends a field at a malformed option without
			// listing it.
			continue
		}
		if i >= len(gopts) {
			t.Fatalf("option %d (code %d at %d) past gopacket's %d", i, o.Code, o.Offset, len(gopts))
		}
		if uint8(o.Code) != uint8(gopts[i].Type) || !bytes.Equal(o.Data(), gopts[i].Data) {
			t.Fatalf("option %d: code %d %x, gopacket %d %x", i, o.Code, o.Data(), gopts[i].Type, gopts[i].Data)
		}
		i++
	}
	if i != len(gopts) {
		t.Fatalf("%d options, gopacket %d", i, len(gopts))
	}
	// The typed readers must not panic whatever the options.
	for o := range m.Options().All() {
		o.Addr()
		o.Addrs()
		o.Uint16()
		o.Duration()
		o.MessageType()
		_ = o.Err()
		switch o.Code {
		case OptDomainSearch:
			DecodeDomainSearch(nil, o.Data())
		case OptClasslessRoutes:
			DecodeClasslessRoutes(nil, o.Data())
		}
	}
}

// dhcpPayloads returns the UDP payloads between ports 67 and 68 of the
// shared corpus's captures.
func dhcpPayloads(t testing.TB, files []string) [][]byte {
	var out [][]byte
	for _, p := range corpus.IPv4(t, 17, files...) {
		d := p.Data
		if len(d) < 8 {
			continue
		}
		sp, dp := int(d[0])<<8|int(d[1]), int(d[2])<<8|int(d[3])
		if (sp == ServerPort || sp == ClientPort) && (dp == ServerPort || dp == ClientPort) {
			out = append(out, d[8:])
		}
	}
	return out
}

func FuzzMessage(f *testing.F) {
	f.Add(ack(f))
	for _, b := range dhcpPayloads(f, corpus.Files("tcpdump-4.99.3-all", "gopacket")) {
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		compareGopacket(t, b)
	})
}

func FuzzDomainSearch(f *testing.F) {
	f.Add([]byte("\x03eng\x05apple\x03com\x00\x09marketing\xc0\x04"))
	f.Fuzz(func(t *testing.T, b []byte) {
		names, err := DecodeDomainSearch(nil, b)
		if err != nil {
			return
		}
		for _, n := range names {
			if strings.HasPrefix(n, ".") || strings.HasSuffix(n, ".") || strings.Contains(n, "..") {
				return // a label with a dot at its edge, which wire form allows
			}
		}
		// What decoded encodes again and decodes to the same names.
		o, err := AppendDomainSearch(nil, names...)
		if err != nil {
			return // a label with a dot in it, which wire form allows
		}
		it := NewOptionIter(o)
		var v []byte
		for o, ok := it.Next(); ok; o, ok = it.Next() {
			v = append(v, o.Data()...)
		}
		again, err := DecodeDomainSearch(nil, v)
		if err != nil || len(again) != len(names) {
			t.Fatalf("%q re-encoded: %q %v", names, again, err)
		}
		for i := range names {
			if again[i] != names[i] {
				t.Fatalf("%q re-encoded: %q", names, again)
			}
		}
	})
}

func FuzzClasslessRoutes(f *testing.F) {
	f.Add([]byte{0, 10, 0, 0, 1, 24, 10, 17, 0, 10, 0, 0, 3})
	f.Fuzz(func(t *testing.T, b []byte) {
		rs, err := DecodeClasslessRoutes(nil, b)
		if err != nil {
			return
		}
		o, err := AppendClasslessRoutes(nil, rs...)
		if err != nil {
			t.Fatal(err)
		}
		it := NewOptionIter(o)
		var v []byte
		for o, ok := it.Next(); ok; o, ok = it.Next() {
			v = append(v, o.Data()...)
		}
		again, err := DecodeClasslessRoutes(nil, v)
		if err != nil || len(again) != len(rs) {
			t.Fatalf("%v re-encoded: %v %v", rs, again, err)
		}
		for i := range rs {
			if again[i] != rs[i] {
				t.Fatalf("%v re-encoded: %v", rs, again)
			}
		}
	})
}

// FuzzClient hands a client arbitrary replies in each state up to BOUND,
// with the transaction ID and hardware address patched in so that they
// reach its state machine: no panic, and a lease whose lists keep their
// bounds.
func FuzzClient(f *testing.F) {
	f.Add(ack(f), uint8(0))
	f.Add(ack(f), uint8(1))
	f.Fuzz(func(t *testing.T, b []byte, stage uint8) {
		var req Message
		c := NewClient(Config{MAC: clientMAC, Rand: seeded(2), Probes: -1, Send: func(p Packet) {
			req = Message(append([]byte(nil), p.Msg...))
		}})
		now := epoch
		c.Start(now)
		if stage%3 >= 1 {
			c.Input(now, reply(t, req, Offer, 60))
		}
		if stage%3 == 2 {
			c.Input(now, reply(t, req, Ack, 60))
			now = now.Add(31 * time.Second)
			c.Tick(now)
		}
		if len(b) >= HeaderLen && len(req) >= HeaderLen {
			b = append([]byte(nil), b...)
			copy(b[xidOff:xidOff+4], req[xidOff:xidOff+4])
			copy(b[chaddrOff:chaddrOff+16], req[chaddrOff:chaddrOff+16])
			b[hlenOff] = 6
		}
		c.Input(now, b)
		c.Tick(now.Add(time.Hour))
		if l, ok := c.Lease(); ok {
			if len(l.DNS) > DefaultMaxDNS || len(l.Routers) > DefaultMaxRouters || len(l.SearchList) > DefaultMaxSearch || len(l.Routes) > DefaultMaxRoutes {
				t.Fatalf("lease past its bounds: %+v", l)
			}
		}
	})
}
