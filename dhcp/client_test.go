package dhcp

import (
	"net/netip"
	"slices"
	"testing"
	"time"

	"github.com/medina-net/medina/ethernet"
	"github.com/medina-net/medina/ipv4"
)

// harness runs a Client on a virtual clock and records what it sends and
// reports.
type harness struct {
	t      *testing.T
	c      *Client
	now    time.Time
	sent   []sentPacket
	events []Event
}

type sentPacket struct {
	Packet
	msg Message // a copy of Msg
	at  time.Time
}

var (
	clientMAC = ethernet.Addr{0x02, 0, 0x5e, 0, 0, 1}
	serverID  = ipv4.Addr{192, 0, 2, 1}
	offered   = ipv4.Addr{192, 0, 2, 10}
	epoch     = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
)

func newHarness(t *testing.T, cfg Config) *harness {
	h := &harness{t: t, now: epoch}
	cfg.MAC = clientMAC
	if cfg.Rand == nil {
		cfg.Rand = seeded(1)
	}
	cfg.Send = func(p Packet) {
		h.sent = append(h.sent, sentPacket{Packet: p, msg: Message(slices.Clone(p.Msg)), at: h.now})
	}
	cfg.Event = func(e Event) { h.events = append(h.events, e) }
	h.c = NewClient(cfg)
	return h
}

type pcg struct{ a, b uint64 }

func (p *pcg) Uint64() uint64 { p.a = p.a*6364136223846793005 + p.b; return p.a }

func seeded(n uint64) *pcg { return &pcg{n, 1442695040888963407} }

// run ticks the client at each deadline up to until.
func (h *harness) run(until time.Time) {
	for {
		d := h.c.Deadline()
		if d.IsZero() || d.After(until) {
			h.now = until
			return
		}
		h.now = d
		h.c.Tick(h.now)
	}
}

// last returns the last DHCP message sent, failing unless there is one of
// type typ.
func (h *harness) last(typ MessageType) sentPacket {
	h.t.Helper()
	for i := len(h.sent) - 1; i >= 0; i-- {
		if h.sent[i].Kind == PacketDHCP {
			if got := h.sent[i].msg.MessageType(); got != typ {
				h.t.Fatalf("last DHCP message %v, want %v", got, typ)
			}
			return h.sent[i]
		}
	}
	h.t.Fatalf("no DHCP message sent, want %v", typ)
	return sentPacket{}
}

func (h *harness) count(kind PacketKind, typ MessageType) int {
	n := 0
	for _, p := range h.sent {
		if p.Kind == kind && (kind != PacketDHCP || p.msg.MessageType() == typ) {
			n++
		}
	}
	return n
}

// reply builds the server's answer of type typ to the request req.
func reply(t *testing.T, req Message, typ MessageType, lease uint32, extra ...func([]byte) []byte) []byte {
	t.Helper()
	var o []byte
	o = AppendMessageType(o, typ)
	o = AppendAddr(o, OptServerID, serverID)
	if typ != Nak {
		o = AppendUint32(o, OptLeaseTime, lease)
		o = AppendAddr(o, OptSubnetMask, ipv4.Addr{255, 255, 255, 0})
		o = AppendAddrs(o, OptRouter, serverID)
		o = AppendAddrs(o, OptDNS, ipv4.Addr{192, 0, 2, 53})
		o = AppendOption(o, OptDomainName, []byte("example.test"))
		o = AppendUint16(o, OptInterfaceMTU, 1400)
	}
	for _, f := range extra {
		o = f(o)
	}
	f := Fields{Op: OpReply, XID: req.XID(), CHAddr: req.CHAddr(), Options: o}
	if typ != Nak {
		f.YIAddr = offered
	}
	m, err := f.Encode(make([]byte, MaxLen))
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func (h *harness) input(b []byte) {
	h.t.Helper()
	if _, err := h.c.Input(h.now, b); err != nil {
		h.t.Fatal(err)
	}
}

// bind takes the client from Start to BOUND with a lease of lease
// seconds.
func (h *harness) bind(lease uint32) {
	h.t.Helper()
	h.c.Start(h.now)
	d := h.last(Discover)
	if d.Src != netip.IPv4Unspecified() || d.Dst != netip.AddrFrom4([4]byte{255, 255, 255, 255}) {
		h.t.Fatalf("DISCOVER from %v to %v", d.Src, d.Dst)
	}
	h.input(reply(h.t, d.msg, Offer, lease))
	r := h.last(Request)
	if o, ok := r.msg.Find(OptRequestedAddr); !ok || o.Data()[3] != offered[3] {
		h.t.Fatalf("REQUEST without the requested address: %x", r.msg.OptionBytes())
	}
	if o, ok := r.msg.Find(OptServerID); !ok || ipv4.Addr(o.Data()) != serverID {
		h.t.Fatal("REQUEST without the server identifier")
	}
	if r.msg.XID() != d.msg.XID() {
		h.t.Fatalf("REQUEST's xid %#x, DISCOVER's %#x", r.msg.XID(), d.msg.XID())
	}
	h.input(reply(h.t, r.msg, Ack, lease))
	if s := h.c.State(); s != StateProbing && s != StateBound {
		h.t.Fatalf("after the ACK: %v", s)
	}
	h.run(h.now.Add(10 * time.Second))
	if s := h.c.State(); s != StateBound {
		h.t.Fatalf("10 s after the ACK: %v", s)
	}
}

func TestClientLease(t *testing.T) {
	h := newHarness(t, Config{Hostname: "medina"})
	h.bind(3600)
	// RFC 5227: three probes 1 to 2 s apart after a random wait of up
	// to 1 s, bound 2 s after the last, then two announcements.
	var probes []time.Time
	for _, p := range h.sent {
		if p.Kind == PacketARPProbe {
			if p.Target != offered.Netip() {
				t.Errorf("probe for %v", p.Target)
			}
			probes = append(probes, p.at)
		}
	}
	if len(probes) != ProbeNum {
		t.Fatalf("%d probes, want %d", len(probes), ProbeNum)
	}
	for i := 1; i < len(probes); i++ {
		if d := probes[i].Sub(probes[i-1]); d < ProbeMin || d > ProbeMax {
			t.Errorf("probe %d %v after the one before", i, d)
		}
	}
	if n := h.count(PacketARPAnnounce, 0); n != AnnounceNum {
		t.Errorf("%d announcements, want %d", n, AnnounceNum)
	}
	if len(h.events) != 1 || h.events[0].Kind != EventBound {
		t.Fatalf("events %+v", h.events)
	}
	l := h.events[0].Lease
	if l.Addr != netip.MustParsePrefix("192.0.2.10/24") || l.Server != serverID.Netip() || l.MTU != 1400 ||
		l.DomainName != "example.test" || !slices.Equal(l.DNS, []netip.Addr{netip.MustParseAddr("192.0.2.53")}) ||
		l.Duration != time.Hour || l.T1 != 30*time.Minute || l.T2 != 52*time.Minute+30*time.Second {
		t.Errorf("lease %+v", l)
	}
	if r, ok := l.DefaultRoute(); !ok || r != serverID.Netip() {
		t.Errorf("default route %v %v", r, ok)
	}
	if !l.Expiry.Equal(l.Start.Add(time.Hour)) || l.Start.After(epoch) {
		t.Errorf("lease from %v to %v", l.Start, l.Expiry)
	}
	// What the client sent names it.
	d := h.sent[0].msg
	if o, ok := d.Find(OptHostname); !ok || string(o.Data()) != "medina" {
		t.Error("no hostname")
	}
	if o, ok := d.Find(OptClientID); !ok || !slices.Equal(o.Data(), append([]byte{1}, clientMAC[:]...)) {
		t.Error("no client identifier")
	}
	if _, ok := d.Find(OptParamRequest); !ok {
		t.Error("no parameter request list")
	}
}

// TestClientBackoff: DISCOVERs unanswered go again after 4, 8, 16, 32,
// 64, 64 s, each give or take a second (RFC 2131 4.1).
func TestClientBackoff(t *testing.T) {
	h := newHarness(t, Config{})
	h.c.Start(h.now)
	h.run(epoch.Add(4 * time.Minute))
	var at []time.Time
	xid := h.sent[0].msg.XID()
	for _, p := range h.sent {
		at = append(at, p.at)
		if p.msg.XID() != xid {
			t.Errorf("a retransmission changed the xid")
		}
	}
	want := []time.Duration{4, 8, 16, 32, 64, 64}
	if len(at) < len(want)+1 {
		t.Fatalf("%d DISCOVERs in 4 minutes", len(at))
	}
	for i, w := range want {
		d := at[i+1].Sub(at[i])
		if d < (w-1)*time.Second || d > (w+1)*time.Second {
			t.Errorf("retransmission %d after %v, want %v s ± 1 s", i+1, d, w)
		}
	}
	if st := h.c.Stats(); st.Retransmissions != uint64(len(at)-1) {
		t.Errorf("stats %+v", st)
	}
}

// TestClientRenewRebindExpire: RENEWING unicasts to the server at T1,
// REBINDING broadcasts at T2, an ACK then extends the lease, and a lease
// nobody extends ends at its time.
func TestClientRenewRebindExpire(t *testing.T) {
	h := newHarness(t, Config{Probes: -1, MinRenewWait: 5 * time.Second})
	h.bind(100)
	l, _ := h.c.Lease()
	h.sent = nil
	h.run(l.Renew)
	if s := h.c.State(); s != StateRenewing {
		t.Fatalf("at T1: %v", s)
	}
	r := h.last(Request)
	if r.Src != offered.Netip() || r.Dst != serverID.Netip() || r.msg.CIAddr() != offered {
		t.Errorf("renewing REQUEST from %v to %v ciaddr %v", r.Src, r.Dst, r.msg.CIAddr())
	}
	if _, ok := r.msg.Find(OptRequestedAddr); ok {
		t.Error("a renewing REQUEST must not carry a requested address (RFC 2131 4.3.2)")
	}
	h.run(l.Rebind)
	if s := h.c.State(); s != StateRebinding {
		t.Fatalf("at T2: %v", s)
	}
	renews := 0
	for _, p := range h.sent {
		if p.Dst == serverID.Netip() {
			renews++
		}
	}
	// T1 at 50 s, T2 at 87.5 s: 18.75 s, then 9.4, then the 5 s floor.
	if renews < 3 {
		t.Errorf("%d unicast REQUESTs between T1 and T2", renews)
	}
	rb := h.last(Request)
	if rb.Src != offered.Netip() || !rb.Dst.Is4() || rb.Dst != netip.AddrFrom4([4]byte{255, 255, 255, 255}) {
		t.Errorf("rebinding REQUEST from %v to %v", rb.Src, rb.Dst)
	}
	// The server answers this time.
	h.input(reply(t, rb.msg, Ack, 100))
	if s := h.c.State(); s != StateBound {
		t.Fatalf("after the ACK in REBINDING: %v", s)
	}
	l2, _ := h.c.Lease()
	if !l2.Expiry.After(l.Expiry) || h.events[len(h.events)-1].Kind != EventRenewed {
		t.Fatalf("lease not extended: %v then %v, events %v", l.Expiry, l2.Expiry, h.events)
	}
	// Then the server is gone: the lease runs out.
	h.run(l2.Expiry.Add(time.Second))
	if e := h.events[len(h.events)-1]; e.Kind != EventExpired || e.Lease.Addr.Addr() != offered.Netip() {
		t.Fatalf("at expiry: events %+v", h.events)
	}
	if _, ok := h.c.Lease(); ok {
		t.Error("a lease after expiry")
	}
	if s := h.c.State(); s != StateSelecting {
		t.Errorf("after expiry: %v", s)
	}
	if h.last(Discover).at.Before(l2.Expiry) {
		t.Error("no DISCOVER after expiry")
	}
}

// TestClientConflict: an ARP packet from the ACKed address while it is
// probed makes the client decline it and wait before it starts over.
func TestClientConflict(t *testing.T) {
	h := newHarness(t, Config{})
	h.c.Start(h.now)
	h.input(reply(t, h.last(Discover).msg, Offer, 600))
	h.input(reply(t, h.last(Request).msg, Ack, 600))
	a, ok := h.c.Probing()
	if !ok || a != offered.Netip() {
		t.Fatalf("probing %v %v", a, ok)
	}
	h.run(h.now.Add(1500 * time.Millisecond))
	other := ethernet.Addr{0x02, 0, 0, 0, 0, 9}
	// Our own probe heard back is no conflict; another's reply is.
	h.c.ARPInput(h.now, 1, clientMAC, netip.IPv4Unspecified(), offered.Netip())
	if h.c.State() != StateProbing {
		t.Fatal("our own probe counted as a conflict")
	}
	h.c.ARPInput(h.now, 2, other, offered.Netip(), netip.IPv4Unspecified())
	d := h.last(Decline)
	if o, ok := d.msg.Find(OptRequestedAddr); !ok || ipv4.Addr(o.Data()) != offered {
		t.Error("DECLINE without the address")
	}
	if o, ok := d.msg.Find(OptServerID); !ok || ipv4.Addr(o.Data()) != serverID {
		t.Error("DECLINE without the server identifier")
	}
	if d.msg.CIAddr() != (ipv4.Addr{}) {
		t.Error("DECLINE with ciaddr")
	}
	if len(h.events) != 1 || h.events[0].Kind != EventDeclined {
		t.Fatalf("events %+v", h.events)
	}
	declined := h.now
	h.run(h.now.Add(30 * time.Second))
	var next time.Time
	for _, p := range h.sent {
		if p.at.After(declined) && p.msg.MessageType() == Discover {
			next = p.at
			break
		}
	}
	if next.IsZero() || next.Sub(declined) < DeclineWait {
		t.Errorf("DISCOVER %v after the DECLINE, want at least %v", next.Sub(declined), DeclineWait)
	}
	if st := h.c.Stats(); st.Conflicts != 1 || st.OutDeclines != 1 {
		t.Errorf("stats %+v", st)
	}
}

func TestClientNakAndIgnored(t *testing.T) {
	h := newHarness(t, Config{Probes: -1})
	h.c.Start(h.now)
	d := h.last(Discover)
	// Another transaction, another client: ignored.
	other := reply(t, d.msg, Offer, 60)
	Message(other).SetXID(d.msg.XID() + 1)
	if _, err := h.c.Input(h.now, other); err == nil {
		t.Error("an OFFER of another transaction accepted")
	}
	if _, err := h.c.Input(h.now, []byte("short")); err == nil {
		t.Error("garbage accepted")
	}
	h.input(reply(t, d.msg, Offer, 60))
	h.input(reply(t, h.last(Request).msg, Nak, 0))
	if s := h.c.State(); s != StateSelecting {
		t.Fatalf("after a NAK: %v", s)
	}
	h.last(Discover)
	if st := h.c.Stats(); st.InNaks != 1 || st.InIgnored != 1 || st.InInvalid != 1 {
		t.Errorf("stats %+v", st)
	}
}

// TestClientInitReboot: a client that had an address asks for it again
// first, without a server identifier, and binds on the ACK.
func TestClientInitReboot(t *testing.T) {
	h := newHarness(t, Config{Probes: -1, RequestedAddr: offered.Netip()})
	h.c.Start(h.now)
	r := h.last(Request)
	if o, ok := r.msg.Find(OptRequestedAddr); !ok || ipv4.Addr(o.Data()) != offered {
		t.Error("INIT-REBOOT REQUEST without the requested address")
	}
	if _, ok := r.msg.Find(OptServerID); ok {
		t.Error("INIT-REBOOT REQUEST with a server identifier (RFC 2131 4.3.2)")
	}
	h.input(reply(t, r.msg, Ack, 60))
	if h.c.State() != StateBound {
		t.Fatalf("state %v", h.c.State())
	}
	// And one that gets no answer falls back to DISCOVER.
	h2 := newHarness(t, Config{RequestedAddr: offered.Netip()})
	h2.c.Start(h2.now)
	h2.run(epoch.Add(2 * time.Minute))
	if h2.count(PacketDHCP, Request) != DefaultMaxRequests || h2.count(PacketDHCP, Discover) == 0 {
		t.Errorf("%d REQUESTs then %d DISCOVERs", h2.count(PacketDHCP, Request), h2.count(PacketDHCP, Discover))
	}
}

// TestClientBounds: lists longer than the configured bounds are cut and
// counted; split options (RFC 3396) are joined.
func TestClientBounds(t *testing.T) {
	h := newHarness(t, Config{Probes: -1})
	h.c.Start(h.now)
	h.input(reply(t, h.last(Discover).msg, Offer, 60))
	many := func(o []byte) []byte {
		var as []ipv4.Addr
		for i := range 20 {
			as = append(as, ipv4.Addr{192, 0, 2, byte(100 + i)})
		}
		o = AppendAddrs(o, OptDNS, as...)
		// A search list split in two options.
		v, _ := AppendDomainSearch(nil, "one.example.test", "two.example.test")
		o = AppendOption(o, OptDomainSearch, v[2:10])
		return AppendOption(o, OptDomainSearch, v[10:])
	}
	h.input(reply(t, h.last(Request).msg, Ack, 60, many))
	l, ok := h.c.Lease()
	if !ok {
		t.Fatal("no lease")
	}
	if len(l.DNS) != DefaultMaxDNS {
		t.Errorf("%d DNS servers kept, want %d", len(l.DNS), DefaultMaxDNS)
	}
	if !slices.Equal(l.SearchList, []string{"one.example.test", "two.example.test"}) {
		t.Errorf("search list %q", l.SearchList)
	}
	if st := h.c.Stats(); st.OptionsDropped == 0 {
		t.Error("nothing counted as dropped")
	}
}
