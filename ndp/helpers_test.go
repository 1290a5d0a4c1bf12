package ndp

import (
	"encoding/binary"
	"math/rand/v2"
	"net/netip"
	"testing"
	"time"

	"github.com/medina-net/medina/ethernet"
	"github.com/medina-net/medina/icmpv6"
	"github.com/medina-net/medina/internal/manualclock"
	"github.com/medina-net/medina/ipv6"
	"github.com/medina-net/medina/link"
)

var (
	t0        = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	testMAC   = ethernet.Addr{0x52, 0x54, 0x00, 0x12, 0x34, 0x56}
	routerLL  = netip.MustParseAddr("fe80::1")
	routerMAC = ethernet.Addr{0x02, 0, 0, 0, 0, 1}
	prefix1   = netip.MustParsePrefix("2001:db8:1::/64")
)

// sent is a message an NDP sent, and when.
type sent struct {
	at time.Time
	Packet
}

// evAt is an event, and when.
type evAt struct {
	at time.Time
	Event
}

// host drives an NDP the way a stack does: one timer on a manual clock,
// armed at the deadline every call returns.
type host struct {
	t     *testing.T
	clk   *manualclock.Clock
	n     *NDP
	timer link.Timer
	pkts  []sent
	evs   []evAt
}

// newHost returns a host on cfg, seeded with seed unless cfg has a Rand,
// not started.
func newHost(t *testing.T, cfg Config, seed uint64) *host {
	h := &host{t: t, clk: manualclock.New(t0)}
	if cfg.MAC == (ethernet.Addr{}) {
		cfg.MAC = testMAC
	}
	if cfg.Rand == nil {
		cfg.Rand = rand.NewPCG(seed, 1)
	}
	cfg.Send = func(p Packet) {
		p.Msg = append([]byte(nil), p.Msg...)
		m := icmpv6.Message(p.Msg)
		if err := m.Validate(ipv6.Addr(p.Src.As16()), ipv6.Addr(p.Dst.As16())); err != nil {
			t.Errorf("sent an invalid %v: %v", p.Kind, err)
		}
		h.pkts = append(h.pkts, sent{h.clk.Now(), p})
	}
	cfg.Event = func(e Event) { h.evs = append(h.evs, evAt{h.clk.Now(), e}) }
	h.n = New(cfg)
	return h
}

// arm sets the timer for next.
func (h *host) arm(next time.Time) {
	if h.timer != nil {
		h.timer.Stop()
		h.timer = nil
	}
	if !next.IsZero() {
		h.timer = h.clk.AfterFunc(next.Sub(h.clk.Now()), func() { h.arm(h.n.Tick(h.clk.Now())) })
	}
}

func (h *host) start() { h.arm(h.n.Start(h.clk.Now())) }

func (h *host) advance(d time.Duration) { h.clk.Advance(d) }

// input feeds msg from src to dst now, failing the test on an error.
func (h *host) input(src, dst netip.Addr, msg []byte) {
	h.t.Helper()
	next, err := h.n.Input(h.clk.Now(), src, dst, msg)
	if err != nil {
		h.t.Fatalf("Input: %v", err)
	}
	h.arm(next)
}

// inputErr feeds msg and returns Input's error.
func (h *host) inputErr(src, dst netip.Addr, msg []byte) error {
	next, err := h.n.Input(h.clk.Now(), src, dst, msg)
	h.arm(next)
	return err
}

// kinds returns the messages of kind k sent so far.
func (h *host) kinds(k MsgKind) []sent {
	var out []sent
	for _, p := range h.pkts {
		if p.Kind == k {
			out = append(out, p)
		}
	}
	return out
}

// events returns the events of kind k so far.
func (h *host) events(k EventKind) []evAt {
	var out []evAt
	for _, e := range h.evs {
		if e.Kind == k {
			out = append(out, e)
		}
	}
	return out
}

// addr returns the only address of origin o, failing if there is not
// exactly one.
func (h *host) addr(o Origin) Address {
	h.t.Helper()
	var out []Address
	for _, a := range h.n.Addresses() {
		if a.Origin == o {
			out = append(out, a)
		}
	}
	if len(out) != 1 {
		h.t.Fatalf("%d addresses of origin %v: %v", len(out), o, h.n.Addresses())
	}
	return out[0]
}

// nonce returns the nonce option of a solicitation.
func nonceOf(t *testing.T, msg []byte) []byte {
	t.Helper()
	o, ok := icmpv6.Message(msg).Options().Find(icmpv6.OptNonce)
	if !ok {
		t.Fatalf("no nonce option in %x", msg)
	}
	nonce, _ := o.Nonce()
	return nonce
}

// a16 converts for the encoders.
func a16(a netip.Addr) ipv6.Addr { return ipv6.Addr(a.As16()) }

// buildNS returns a Neighbor Solicitation for target from src, to the
// target's solicited-node group, with nonce if not nil.
func buildNS(target, src netip.Addr, nonce []byte) []byte {
	b := make([]byte, 64)
	var ll []byte
	if !src.IsUnspecified() {
		ll = routerMAC[:]
	}
	m, err := icmpv6.EncodeNeighborSolicit(b, a16(target), ll, nonce, a16(src), a16(solicitedNode(target)))
	if err != nil {
		panic(err)
	}
	return m
}

// buildNA returns an unsolicited Neighbor Advertisement for target from
// src to all-nodes.
func buildNA(target, src netip.Addr) []byte {
	b := make([]byte, 64)
	m, err := icmpv6.EncodeNeighborAdvert(b, icmpv6.NAOverride, a16(target), routerMAC[:], a16(src), a16(allNodes))
	if err != nil {
		panic(err)
	}
	return m
}

// ra describes a Router Advertisement to build.
type ra struct {
	hopLimit           uint8
	flags              uint8 // M, O, ...
	prf                uint8
	lifetime           uint16
	reachable, retrans uint32
	noSLLA             bool
	mtu                uint32
	prefixes           []icmpv6.PrefixInfo
	routes             []routeOpt
	rdnss              *rdnssOpt
	dnssl              *dnsslOpt
}

type routeOpt struct {
	prefix   netip.Prefix
	prf      uint8
	lifetime uint32
}

type rdnssOpt struct {
	lifetime uint32
	addrs    []netip.Addr
}

type dnsslOpt struct {
	lifetime uint32
	names    []string
}

// pio is a prefix information option with both flags.
func pio(p netip.Prefix, valid, preferred uint32) icmpv6.PrefixInfo {
	return icmpv6.PrefixInfo{PrefixLen: uint8(p.Bits()), Flags: icmpv6.PrefixOnLink | icmpv6.PrefixAutonomous,
		ValidLifetime: valid, PreferredLifetime: preferred, Prefix: a16(p.Addr())}
}

// build encodes the advertisement from src to all-nodes.
func (r ra) build(src netip.Addr) []byte {
	var opts []byte
	if !r.noSLLA {
		opts = icmpv6.AppendLinkAddr(opts, icmpv6.OptSourceLinkAddr, routerMAC[:])
	}
	if r.mtu != 0 {
		opts = icmpv6.AppendMTU(opts, r.mtu)
	}
	for _, p := range r.prefixes {
		opts = icmpv6.AppendPrefixInfo(opts, p)
	}
	for _, rt := range r.routes {
		opts = icmpv6.AppendRouteInfo(opts, icmpv6.RouteInfo{PrefixLen: uint8(rt.prefix.Bits()), Pref: icmpv6.Preference(rt.prf),
			Lifetime: rt.lifetime, Prefix: a16(rt.prefix.Addr())})
	}
	if r.rdnss != nil {
		var addrs []ipv6.Addr
		for _, a := range r.rdnss.addrs {
			addrs = append(addrs, a16(a))
		}
		opts = icmpv6.AppendRDNSS(opts, r.rdnss.lifetime, addrs)
	}
	if r.dnssl != nil {
		var err error
		if opts, err = icmpv6.AppendDNSSL(opts, r.dnssl.lifetime, r.dnssl.names); err != nil {
			// Names a correct encoder refuses, for the tests of
			// what a router may send anyway.
			d := binary.BigEndian.AppendUint32([]byte{0, 0}, r.dnssl.lifetime)
			for _, name := range r.dnssl.names {
				d = appendName(d, name)
			}
			opts = icmpv6.AppendOption(opts, icmpv6.OptDNSSL, d)
		}
	}
	adv := icmpv6.RouterAdvert{CurHopLimit: r.hopLimit, Flags: icmpv6.RAFlags(r.flags) | icmpv6.RAFlags(r.prf&3)<<3,
		RouterLifetime: r.lifetime, ReachableTime: r.reachable, RetransTimer: r.retrans, Options: opts}
	m, err := adv.Encode(make([]byte, icmpv6.RouterAdvertLen+len(opts)), a16(src), a16(allNodes))
	if err != nil {
		panic(err)
	}
	return m
}

// appendName appends a domain name in DNS wire format, whatever its
// bytes.
func appendName(b []byte, name string) []byte {
	start := 0
	for i := 0; i <= len(name); i++ {
		if i == len(name) || name[i] == '.' {
			b = append(b, byte(i-start))
			b = append(b, name[start:i]...)
			start = i + 1
		}
	}
	return append(b, 0)
}

// buildQuery returns an MLD query from src: MLDv1's when v1, MLDv2's
// otherwise, for group (:: for a general query).
func buildQuery(src, group netip.Addr, maxResp uint16, v1 bool) []byte {
	dst := allNodes
	if !group.IsUnspecified() {
		dst = group
	}
	// There is no query encoder: a host sends none.
	g := group.As16()
	body := g[:]
	if !v1 {
		body = append(body, 2, 125, 0, 0) // QRV 2, QQIC 125, no source
	}
	m, err := icmpv6.Encode(make([]byte, 8+len(body)), icmpv6.TypeMLDQuery, 0, uint32(maxResp)<<16, body, a16(src), a16(dst))
	if err != nil {
		panic(err)
	}
	return m
}

// records returns the (type, group) of each record of an MLDv2 report.
func records(t *testing.T, msg []byte) (out []string) {
	t.Helper()
	it := icmpv6.Message(msg).Records()
	for r, ok := it.Next(); ok; r, ok = it.Next() {
		out = append(out, r.Type().String()+" "+r.MulticastAddr().String())
	}
	return out
}
