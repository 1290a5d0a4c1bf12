package ndp

import (
	"errors"
	"math/rand/v2"
	"net/netip"
	"slices"
	"sync"
	"time"

	"github.com/medina-net/medina/ethernet"
	"github.com/medina-net/medina/icmpv6"
)

// Errors of Input and AddAddress, wrapped with detail.
var (
	// ErrInvalid: the message failed Neighbor Discovery's or MLD's
	// validation and was dropped.
	ErrInvalid = errors.New("ndp: invalid message")
	// ErrFull: a list is at its bound.
	ErrFull = errors.New("ndp: list full")
	// ErrNotIPv6: an address given is not an IPv6 one.
	ErrNotIPv6 = errors.New("ndp: not an IPv6 address")
)

// NDP configures the IPv6 addresses of one interface: link-local and
// SLAAC addresses through Duplicate Address Detection, router discovery,
// and the MLD reports of the groups they need. Create it with New.
type NDP struct {
	cfg Config

	mu      sync.Mutex
	rnd     *rand.Rand
	secret  []byte
	started bool

	addrs    []*address
	routers  []Router
	prefixes []Prefix
	routes   []Route
	rdnss    []DNSServer
	dnssl    []SearchDomain
	groups   []*group

	hopLimit  uint8
	raFlags   icmpv6.RAFlags // of the last RA
	mtu       int
	reachable time.Duration // BaseReachableTime from RAs; 0 until one sets it
	retrans   time.Duration // RetransTimer in use

	// Router solicitation.
	rsSent int
	rsNext time.Time
	rsDone bool

	// MLD.
	robustness int
	queryIntvl time.Duration
	v1Until    time.Time // end of MLDv1 compatibility mode
	generalAt  time.Time // pending answer to a general query; zero if none

	next  time.Time
	stats Stats

	// The outbox: messages and events queued while the lock is held,
	// delivered by flush after it is released.
	out      []outItem
	flushing bool
	buf      []byte // encoding scratch, owned by the flusher
	dadNS    []*address
	ra       raInfo    // decoding scratch
	nameBuf  [255]byte // a DNSSL name being read
}

// address is one of our addresses.
type address struct {
	addr    netip.Addr
	plen    int
	origin  Origin
	state   AddrState
	counter int          // RFC 7217's DAD_Counter
	prefix  netip.Prefix // the /64 a stable or SLAAC address is formed in
	stable  bool         // formed by RFC 7217 (retried on a duplicate)

	preferredUntil, validUntil time.Time // zero: infinite

	dadSent int
	dadNext time.Time
	nonce   [6]byte
	joined  bool // its solicited-node group is joined
}

func (a *address) snapshot() Address {
	return Address{Prefix: netip.PrefixFrom(a.addr, a.plen), State: a.state, Origin: a.origin,
		DADCounter: a.counter, PreferredUntil: a.preferredUntil, ValidUntil: a.validUntil}
}

// outItem is a message or an event waiting for delivery.
type outItem struct {
	event bool
	ev    Event
	msg   intent
}

// intent is a message to encode.
type intent struct {
	kind   MsgKind
	src    netip.Addr
	dst    netip.Addr
	target netip.Addr
	nonce  [6]byte
	recs   []icmpv6.RecordSpec // MLDv2 report
}

// New returns an NDP for one interface. Nothing is sent before Start.
func New(cfg Config) *NDP {
	cfg.fill()
	n := &NDP{cfg: cfg, mtu: cfg.LinkMTU, retrans: cfg.RetransTimer,
		robustness: cfg.MLDRobustness, queryIntvl: DefaultQueryInterval}
	src := cfg.Rand
	if src == nil {
		src = rand.NewPCG(rand.Uint64(), rand.Uint64())
	}
	n.rnd = rand.New(src)
	if cfg.SecretKey != nil {
		n.secret = append([]byte(nil), cfg.SecretKey...)
	} else {
		n.secret = make([]byte, 32)
		for i := 0; i < len(n.secret); i += 8 {
			v := n.rnd.Uint64()
			for j := range 8 {
				n.secret[i+j] = byte(v >> (8 * j))
			}
		}
	}
	return n
}

// randDelay draws a delay in [0, d].
func (n *NDP) randDelay(d time.Duration) time.Duration {
	if d <= 0 {
		return 0
	}
	return time.Duration(n.rnd.Int64N(int64(d) + 1))
}

// Start forms the link-local address and starts Duplicate Address
// Detection on it and on the addresses added before, and Router
// Solicitation. It returns when to call Tick next. A second Start does
// nothing.
func (n *NDP) Start(now time.Time) (next time.Time) {
	n.mu.Lock()
	if !n.started {
		n.started = true
		if !n.cfg.NoLinkLocal {
			if a := n.formAddr(now, linkLocalPrefix, OriginLinkLocal, 0); a != nil {
				n.startDAD(a, now, now.Add(n.randDelay(MaxRtrSolicitationDelay)))
				n.addAddr(a)
			}
		}
		for _, a := range n.addrs {
			if a.state == StateTentative && a.origin == OriginManual {
				// Added before Start: its DAD waits for now.
				a.dadNext = now.Add(n.randDelay(MaxRtrSolicitationDelay))
			}
		}
		if !n.cfg.NoRouterDiscovery {
			n.rsNext = now.Add(n.randDelay(MaxRtrSolicitationDelay))
		}
	}
	next = n.advance(now)
	n.mu.Unlock()
	n.flush()
	return next
}

// Tick runs the timers due by now: DAD's solicitations and verdicts,
// Router Solicitations, lifetimes, MLD reports. It returns when to call
// it next (the zero time if nothing is pending).
func (n *NDP) Tick(now time.Time) (next time.Time) {
	n.mu.Lock()
	next = n.advance(now)
	n.mu.Unlock()
	n.flush()
	return next
}

// Deadline returns when Tick has work next, or the zero time.
func (n *NDP) Deadline() time.Time {
	n.mu.Lock()
	defer n.mu.Unlock()
	return n.next
}

// formAddr returns a new address in prefix (a /64), for startDAD, with the
// interface identifier of the configuration: EUI-64, or RFC 7217's for
// DAD counter counter and up, skipping reserved identifiers. It returns
// nil when the counter runs past IDGenRetries.
func (n *NDP) formAddr(now time.Time, prefix netip.Prefix, origin Origin, counter int) *address {
	a := &address{plen: 64, origin: origin, state: StateTentative, prefix: prefix}
	if n.cfg.EUI64 {
		a.addr = withIID(prefix, EUI64(n.cfg.MAC))
	} else {
		a.stable = true
		for ; ; counter++ {
			if counter > IDGenRetries {
				return nil
			}
			iid, ok := StableIID(prefix, n.cfg.NetIface, n.cfg.NetworkID, uint8(counter), n.secret)
			if ok && !n.hasAddr(withIID(prefix, iid)) {
				a.addr = withIID(prefix, iid)
				break
			}
			n.stats.IIDRetries++
		}
		a.counter = counter
	}
	return a
}

// hasAddr reports whether ip is one of our addresses, in any state.
func (n *NDP) hasAddr(ip netip.Addr) bool { return n.findAddr(ip) != nil }

// findAddr returns our address ip, or nil.
func (n *NDP) findAddr(ip netip.Addr) *address {
	ip = ip.WithZone("")
	for _, a := range n.addrs {
		if a.addr == ip {
			return a
		}
	}
	return nil
}

// addAddr puts a in the list and reports it, tentative.
func (n *NDP) addAddr(a *address) {
	n.addrs = append(n.addrs, a)
	n.addrEvent(EventAddrTentative, a)
}

func (n *NDP) addrEvent(k EventKind, a *address) {
	n.event(Event{Kind: k, Prefix: netip.PrefixFrom(a.addr, a.plen), Origin: a.origin})
}

// startDAD makes a tentative and schedules its first solicitation at
// first.
func (n *NDP) startDAD(a *address, now, first time.Time) {
	a.state = StateTentative
	a.dadSent = 0
	a.dadNext = first
	v := n.rnd.Uint64()
	for i := range a.nonce {
		a.nonce[i] = byte(v >> (8 * i))
	}
	n.stats.DADStarted++
}

// AddAddress adds an address of the embedder's (a static one, with
// infinite lifetimes), which goes through Duplicate Address Detection
// like the others: it may be used once EventAddrPreferred reports it.
// Before Start, DAD waits for Start.
func (n *NDP) AddAddress(now time.Time, p netip.Prefix) (next time.Time, err error) {
	if !p.Addr().Is6() || p.Addr().Is4In6() {
		return n.Deadline(), ErrNotIPv6
	}
	n.mu.Lock()
	if a := n.findAddr(p.Addr()); a != nil {
		next = n.next
		n.mu.Unlock()
		return next, nil
	}
	if len(n.addrs) >= n.cfg.MaxAddrs {
		n.stats.AddrsDropped++
		next = n.next
		n.mu.Unlock()
		return next, ErrFull
	}
	a := &address{addr: p.Addr().WithZone(""), plen: p.Bits(), origin: OriginManual, state: StateTentative}
	first := now.Add(n.randDelay(MaxRtrSolicitationDelay))
	n.startDAD(a, now, first)
	n.addAddr(a)
	next = n.advance(now)
	n.mu.Unlock()
	n.flush()
	return next, nil
}

// RemoveAddress removes one of our addresses (and leaves its
// solicited-node group), reporting whether it was there.
func (n *NDP) RemoveAddress(now time.Time, ip netip.Addr) (next time.Time, ok bool) {
	n.mu.Lock()
	for i, a := range n.addrs {
		if a.addr == ip.WithZone("") {
			n.dropAddr(i, now)
			n.addrEvent(EventAddrRemoved, a)
			ok = true
			break
		}
	}
	next = n.advance(now)
	n.mu.Unlock()
	n.flush()
	return next, ok
}

// dropAddr removes addrs[i], leaving its group.
func (n *NDP) dropAddr(i int, now time.Time) {
	a := n.addrs[i]
	if a.joined {
		n.leave(solicitedNode(a.addr), now)
		a.joined = false
	}
	n.addrs = slices.Delete(n.addrs, i, i+1)
}

// event queues an event.
func (n *NDP) event(e Event) {
	if n.cfg.Event == nil {
		return
	}
	n.out = append(n.out, outItem{event: true, ev: e})
}

// send queues a message.
func (n *NDP) send(m intent) {
	if n.cfg.Send == nil {
		return
	}
	n.out = append(n.out, outItem{msg: m})
}

// flush delivers the outbox, in order, without holding the lock, so that
// the callbacks may call the NDP again: what those calls queue is
// delivered by the same loop, after what was already queued.
func (n *NDP) flush() {
	n.mu.Lock()
	if n.flushing {
		n.mu.Unlock()
		return
	}
	n.flushing = true
	for i := 0; i < len(n.out); i++ {
		it := n.out[i]
		n.mu.Unlock()
		if it.event {
			n.cfg.Event(it.ev)
		} else {
			var p Packet
			p, n.buf = encode(n.buf[:0], &it.msg, n.cfg.MAC)
			n.cfg.Send(p)
		}
		n.mu.Lock()
	}
	clear(n.out)
	n.out = n.out[:0]
	n.flushing = false
	n.mu.Unlock()
}

// lifetime returns the end of a lifetime of secs seconds from now, the
// zero time for infinity (all ones, RFC 4861 4.6.2).
func lifetime(now time.Time, secs uint32) time.Time {
	if secs == 0xffffffff {
		return time.Time{}
	}
	return now.Add(time.Duration(secs) * time.Second)
}

// expired reports whether an end of lifetime t (zero: never) is past.
func expired(t, now time.Time) bool { return !t.IsZero() && !now.Before(t) }

// Addresses returns a snapshot of our addresses, in the order they were
// formed.
func (n *NDP) Addresses() []Address {
	n.mu.Lock()
	defer n.mu.Unlock()
	out := make([]Address, 0, len(n.addrs))
	for _, a := range n.addrs {
		out = append(out, a.snapshot())
	}
	return out
}

// Lookup returns our address ip, if it is one: the stack answers a
// Neighbor Solicitation for it only when its state is Usable.
func (n *NDP) Lookup(ip netip.Addr) (Address, bool) {
	n.mu.Lock()
	defer n.mu.Unlock()
	if a := n.findAddr(ip); a != nil {
		return a.snapshot(), true
	}
	return Address{}, false
}

// LinkLocal returns the link-local address once it has passed DAD.
func (n *NDP) LinkLocal() (netip.Addr, bool) {
	n.mu.Lock()
	defer n.mu.Unlock()
	return n.linkLocal()
}

func (n *NDP) linkLocal() (netip.Addr, bool) {
	for _, a := range n.addrs {
		if a.addr.IsLinkLocalUnicast() && a.state.Usable() {
			return a.addr, true
		}
	}
	return netip.Addr{}, false
}

// Routers returns the Default Router List.
func (n *NDP) Routers() []Router {
	n.mu.Lock()
	defer n.mu.Unlock()
	return append([]Router(nil), n.routers...)
}

// DefaultRouter returns the router to send off-link traffic to: of the
// Default Router List, the first learnt of those with the highest
// preference (RFC 4191 3.2). Whether it is reachable (RFC 4861 6.3.6)
// is the neighbour table's knowledge: a stack that has it may pick
// from Routers itself.
func (n *NDP) DefaultRouter() (Router, bool) {
	n.mu.Lock()
	defer n.mu.Unlock()
	best := -1
	for i, r := range n.routers {
		if best < 0 || r.Preference > n.routers[best].Preference {
			best = i
		}
	}
	if best < 0 {
		return Router{}, false
	}
	return n.routers[best], true
}

// Prefixes returns the on-link prefixes.
func (n *NDP) Prefixes() []Prefix {
	n.mu.Lock()
	defer n.mu.Unlock()
	return append([]Prefix(nil), n.prefixes...)
}

// Routes returns the routes of Route Information options.
func (n *NDP) Routes() []Route {
	n.mu.Lock()
	defer n.mu.Unlock()
	return append([]Route(nil), n.routes...)
}

// DNSServers returns the recursive DNS servers of RDNSS options, in the
// order they were learnt.
func (n *NDP) DNSServers() []DNSServer {
	n.mu.Lock()
	defer n.mu.Unlock()
	return append([]DNSServer(nil), n.rdnss...)
}

// SearchList returns the search domains of DNSSL options.
func (n *NDP) SearchList() []SearchDomain {
	n.mu.Lock()
	defer n.mu.Unlock()
	return append([]SearchDomain(nil), n.dnssl...)
}

// MTU returns the link MTU in effect: Config.LinkMTU, or an RA's lower
// one.
func (n *NDP) MTU() int {
	n.mu.Lock()
	defer n.mu.Unlock()
	return n.mtu
}

// HopLimit returns CurHopLimit as the last RA set it, or 0 if none did
// (the stack uses its default).
func (n *NDP) HopLimit() uint8 {
	n.mu.Lock()
	defer n.mu.Unlock()
	return n.hopLimit
}

// DHCPv6 returns the Managed and Other flags of the last Router
// Advertisement (RFC 4861 4.2): whether addresses, or other
// configuration, are available from DHCPv6, which is the embedder's to
// run.
func (n *NDP) DHCPv6() (managed, other bool) {
	n.mu.Lock()
	defer n.mu.Unlock()
	return n.raFlags&icmpv6.RAManaged != 0, n.raFlags&icmpv6.RAOther != 0
}

// NeighTimers returns BaseReachableTime (0 until an RA sets it) and
// RetransTimer as in effect.
func (n *NDP) NeighTimers() (baseReachable, retrans time.Duration) {
	n.mu.Lock()
	defer n.mu.Unlock()
	return n.reachable, n.retrans
}

// Groups returns the multicast groups reported by MLD.
func (n *NDP) Groups() []netip.Addr {
	n.mu.Lock()
	defer n.mu.Unlock()
	var out []netip.Addr
	for _, g := range n.groups {
		if g.refs > 0 {
			out = append(out, g.addr)
		}
	}
	return out
}

// Stats returns the counters.
func (n *NDP) Stats() Stats {
	n.mu.Lock()
	defer n.mu.Unlock()
	return n.stats
}

// MAC returns the interface's link-layer address.
func (n *NDP) MAC() ethernet.Addr { return n.cfg.MAC }
