package dhcp

import (
	"bytes"
	"errors"
	"fmt"
	"math/rand/v2"
	"net/netip"
	"sync"
	"time"

	"github.com/medina-net/medina/ethernet"
	"github.com/medina-net/medina/ipv4"
)

// Errors of Input, wrapped with detail.
var (
	// ErrInvalid: the message failed Check, or is not a reply.
	ErrInvalid = errors.New("dhcp: invalid message")
	// ErrIgnored: the message is well formed but not for this client or
	// not expected in its state.
	ErrIgnored = errors.New("dhcp: message ignored")
)

// Client is a DHCPv4 client of one interface (RFC 2131). Create it with
// NewClient; it does nothing before Start.
type Client struct {
	cfg Config

	mu      sync.Mutex
	rnd     *rand.Rand
	state   State
	started bool

	// The exchange in progress.
	xid      uint32
	begun    time.Time     // when it began, for secs
	sendAt   time.Time     // the next transmission; zero when none is due
	timeout  time.Duration // the current retransmission timeout
	sent     int           // transmissions of the current message
	reqStart time.Time     // when the first REQUEST of the exchange went

	offerAddr, offerServer ipv4.Addr

	lease    Lease // bound (BOUND, RENEWING, REBINDING)
	hasLease bool
	pending  Lease // ACKed, being probed
	probes   int   // probes sent of pending
	probeAt  time.Time
	announce int // announcements left to send
	annAt    time.Time
	waitTill time.Time // INIT after a DECLINE: nothing before

	next  time.Time
	stats Stats

	out      []outItem
	flushing bool
	buf      []byte // encoding scratch, owned by the flusher
	opts     []byte
	scratch  []byte // concatenated option values (RFC 3396)
}

// outItem is a packet or an event waiting for delivery, in the order
// they were queued: the event of a new lease goes before the packets
// that use its address.
type outItem struct {
	event bool
	ev    Event
	msg   intent
}

// intent is a packet to encode.
type intent struct {
	kind     PacketKind
	typ      MessageType
	xid      uint32
	secs     uint16
	ciaddr   ipv4.Addr
	req      ipv4.Addr // requested address option, when not zero
	server   ipv4.Addr // server identifier option, when not zero
	src, dst ipv4.Addr
	target   ipv4.Addr
}

// NewClient returns a client for one interface.
func NewClient(cfg Config) *Client {
	cfg.fill()
	src := cfg.Rand
	if src == nil {
		src = rand.NewPCG(rand.Uint64(), rand.Uint64())
	}
	return &Client{cfg: cfg, rnd: rand.New(src), buf: make([]byte, MaxLen), state: StateInit}
}

// Start begins: INIT-REBOOT with Config.RequestedAddr, else INIT, which
// sends a DISCOVER at once. It returns when to call Tick next.
func (c *Client) Start(now time.Time) (next time.Time) {
	c.mu.Lock()
	if !c.started {
		c.started = true
		if a := c.cfg.RequestedAddr; a.Is4() {
			c.state = StateInitReboot
			c.offerAddr = ipv4.Addr(a.As4())
			c.begin(now, now)
		}
	}
	next = c.advance(now)
	c.mu.Unlock()
	c.flush()
	return next
}

// begin starts a new exchange whose first message goes at first.
func (c *Client) begin(now, first time.Time) {
	c.xid = c.rnd.Uint32()
	c.begun = first
	c.sendAt = first
	c.sent = 0
	c.timeout = c.cfg.InitialTimeout
}

// Tick runs what is due by now and returns when to call it next.
func (c *Client) Tick(now time.Time) (next time.Time) {
	c.mu.Lock()
	next = c.advance(now)
	c.mu.Unlock()
	c.flush()
	return next
}

// Deadline returns when Tick has work next, or the zero time.
func (c *Client) Deadline() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.next
}

// State returns the client's state.
func (c *Client) State() State {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.state
}

// Lease returns the lease in use (BOUND, RENEWING, REBINDING), a copy.
func (c *Client) Lease() (Lease, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if !c.hasLease {
		return Lease{}, false
	}
	return c.lease.Clone(), true
}

// Stats returns the counters.
func (c *Client) Stats() Stats {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.stats
}

// Probing returns the address being probed (RFC 5227) in PROBING: an
// embedder passes ARP packets to ARPInput only while this is valid.
func (c *Client) Probing() (netip.Addr, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.state != StateProbing {
		return netip.Addr{}, false
	}
	return c.pending.Addr.Addr(), true
}

// jitter returns d randomized by up to a second either way (RFC 2131
// 4.1), never below a tenth of d.
func (c *Client) jitter(d time.Duration) time.Duration {
	j := time.Duration(c.rnd.Int64N(int64(2*time.Second)+1)) - time.Second
	return max(d+j, d/10)
}

// randBetween draws a delay in [lo, hi].
func (c *Client) randBetween(lo, hi time.Duration) time.Duration {
	if hi <= lo {
		return lo
	}
	return lo + time.Duration(c.rnd.Int64N(int64(hi-lo)+1))
}

// advance runs the timers due by now and records the next deadline. The
// caller holds the lock.
func (c *Client) advance(now time.Time) time.Time {
	if !c.started || c.state == StateStopped {
		c.next = time.Time{}
		return c.next
	}
	// Lease times first: they change the state the transmissions below
	// are made in.
	if c.hasLease && !c.lease.Infinite {
		switch {
		case !now.Before(c.lease.Expiry):
			c.expire()
		case (c.state == StateBound || c.state == StateRenewing) && !now.Before(c.lease.Rebind):
			c.state = StateRebinding
			c.begin(now, now)
		case c.state == StateBound && !now.Before(c.lease.Renew):
			c.state = StateRenewing
			c.begin(now, now)
		}
	}
	switch c.state {
	case StateInit:
		if now.Before(c.waitTill) {
			break
		}
		c.state = StateSelecting
		c.begin(now, now)
		c.waitTill = time.Time{}
		fallthrough
	case StateSelecting:
		if !now.Before(c.sendAt) {
			c.transmit(now, intent{typ: Discover, dst: ipv4.Broadcast}, false)
		}
	case StateRequesting, StateInitReboot, StateRebooting:
		if !now.Before(c.sendAt) {
			if c.sent >= c.cfg.MaxRequests {
				// No answer: start over.
				c.state = StateSelecting
				c.begin(now, now)
				c.transmit(now, intent{typ: Discover, dst: ipv4.Broadcast}, false)
				break
			}
			it := intent{typ: Request, dst: ipv4.Broadcast, req: c.offerAddr}
			if c.state == StateRequesting {
				it.server = c.offerServer
			} else {
				c.state = StateRebooting
			}
			if c.sent == 0 {
				c.reqStart = now
			}
			c.transmit(now, it, false)
		}
	case StateRenewing, StateRebinding:
		if !now.Before(c.sendAt) {
			a := ipv4.Addr(c.lease.Addr.Addr().As4())
			it := intent{typ: Request, ciaddr: a, src: a, dst: ipv4.Broadcast}
			end := c.lease.Expiry
			if c.state == StateRenewing {
				it.dst = ipv4.Addr(c.lease.Server.As4())
				end = c.lease.Rebind
			}
			if c.sent == 0 {
				c.reqStart = now
			}
			c.transmit(now, it, true)
			// RFC 2131 4.4.5: half the time left, at least
			// MinRenewWait, and not past the next state's start.
			c.sendAt = now.Add(max(end.Sub(now)/2, c.cfg.MinRenewWait))
			if c.sendAt.After(end) {
				c.sendAt = end
			}
		}
	case StateProbing:
		c.probe(now)
	}
	if c.announce > 0 && !now.Before(c.annAt) && c.hasLease {
		c.announce--
		c.stats.OutAnnounces++
		a := ipv4.Addr(c.lease.Addr.Addr().As4())
		c.send(intent{kind: PacketARPAnnounce, target: a})
		c.annAt = now.Add(AnnounceInterval)
	}

	var next time.Time
	at := func(t time.Time) {
		if !t.IsZero() && (next.IsZero() || t.Before(next)) {
			next = t
		}
	}
	switch c.state {
	case StateInit:
		at(c.waitTill)
	case StateSelecting, StateRequesting, StateInitReboot, StateRebooting, StateRenewing, StateRebinding:
		at(c.sendAt)
	case StateProbing:
		at(c.probeAt)
	}
	if c.hasLease && !c.lease.Infinite {
		switch c.state {
		case StateBound:
			at(c.lease.Renew)
		case StateRenewing:
			at(c.lease.Rebind)
		}
		at(c.lease.Expiry)
	}
	if c.announce > 0 {
		at(c.annAt)
	}
	c.next = next
	return next
}

// transmit queues the exchange's message and schedules its
// retransmission with RFC 2131 4.1's backoff (renew: the caller
// schedules).
func (c *Client) transmit(now time.Time, it intent, renew bool) {
	it.kind = PacketDHCP
	it.xid = c.xid
	it.secs = uint16(min(now.Sub(c.begun)/time.Second, 0xffff))
	if c.sent > 0 {
		c.stats.Retransmissions++
	}
	c.sent++
	if it.typ == Discover {
		c.stats.OutDiscovers++
	} else {
		c.stats.OutRequests++
	}
	c.send(it)
	if renew {
		return
	}
	c.sendAt = now.Add(c.jitter(c.timeout))
	c.timeout = min(2*c.timeout, c.cfg.MaxTimeout)
}

// probe sends RFC 5227's probes of the ACKed address, then binds it when
// ANNOUNCE_WAIT has passed after the last without a conflict.
func (c *Client) probe(now time.Time) {
	if now.Before(c.probeAt) {
		return
	}
	if c.probes < c.cfg.Probes {
		c.probes++
		c.stats.OutProbes++
		c.send(intent{kind: PacketARPProbe, target: ipv4.Addr(c.pending.Addr.Addr().As4())})
		if c.probes < c.cfg.Probes {
			c.probeAt = now.Add(c.randBetween(c.cfg.ProbeMin, c.cfg.ProbeMax))
		} else {
			c.probeAt = now.Add(c.cfg.AnnounceWait)
		}
		return
	}
	c.bind(now, c.pending)
}

// bind makes l the lease in use.
func (c *Client) bind(now time.Time, l Lease) {
	renewed := c.hasLease && c.lease.Addr.Addr() == l.Addr.Addr()
	if c.hasLease && !renewed {
		// A server gave another address when asked to extend: the old
		// one is gone.
		c.stats.Expired++
		c.event(EventExpired, c.lease)
	}
	c.lease, c.hasLease = l, true
	c.state = StateBound
	c.sendAt = time.Time{}
	c.pending = Lease{}
	if renewed {
		c.stats.Renewed++
		c.event(EventRenewed, l)
		return
	}
	c.stats.Bound++
	c.event(EventBound, l)
	if c.cfg.Probes > 0 {
		// RFC 5227 2.3: the address is announced once it is ours.
		c.announce, c.annAt = AnnounceNum, now
	}
}

// expire ends the lease and starts over.
func (c *Client) expire() {
	c.stats.Expired++
	c.event(EventExpired, c.lease)
	c.lease, c.hasLease = Lease{}, false
	c.announce = 0
	c.state = StateInit
	c.waitTill = time.Time{}
	c.sendAt = time.Time{}
}

// Input handles a DHCP message (the UDP payload of a datagram to port
// 68) and returns when to call Tick next. A message that is not a
// well-formed reply is counted and dropped with an error wrapping
// ErrInvalid; one for another client or exchange, or not expected now,
// with one wrapping ErrIgnored.
func (c *Client) Input(now time.Time, b []byte) (next time.Time, err error) {
	m, err := NewMessage(b)
	if err == nil {
		err = m.Check()
	}
	c.mu.Lock()
	if err == nil && m.Op() != OpReply {
		err = ErrBadOp
	}
	if err != nil {
		c.stats.InInvalid++
		next = c.next
		c.mu.Unlock()
		if len(m) > 0 {
			err = m.Validate()
		}
		return next, fmt.Errorf("%w: %w", ErrInvalid, err)
	}
	if !c.started || c.state == StateStopped {
		err = fmt.Errorf("%w: client not running", ErrIgnored)
	} else {
		err = c.handle(now, m)
	}
	if err != nil {
		c.stats.InIgnored++
	}
	next = c.advance(now)
	c.mu.Unlock()
	c.flush()
	return next, err
}

// handle acts on a well-formed reply. The caller holds the lock.
func (c *Client) handle(now time.Time, m Message) error {
	if m.XID() != c.xid || !bytes.Equal(m.CHAddr(), c.cfg.MAC[:]) {
		return fmt.Errorf("%w: xid %#x chaddr %x", ErrIgnored, m.XID(), m.CHAddr())
	}
	var server ipv4.Addr
	if o, ok := m.Find(OptServerID); ok {
		server, _ = o.Addr()
	}
	typ := m.MessageType()
	switch typ {
	case Offer:
		c.stats.InOffers++
	case Ack:
		c.stats.InAcks++
	case Nak:
		c.stats.InNaks++
	}
	switch {
	case typ == Offer && c.state == StateSelecting:
		y := m.YIAddr()
		if y.IsUnspecified() || y.IsBroadcast() || y.IsMulticast() || y.IsLoopback() || server.IsUnspecified() {
			return fmt.Errorf("%w: offer of %v from server %v", ErrIgnored, y, server)
		}
		// The first acceptable offer is taken (RFC 2131 4.4.1 lets the
		// client choose).
		c.offerAddr, c.offerServer = y, server
		c.state = StateRequesting
		c.sendAt, c.sent, c.timeout = now, 0, c.cfg.InitialTimeout
		return nil
	case typ == Ack && (c.state == StateRequesting || c.state == StateRebooting):
		if c.state == StateRequesting && server != c.offerServer {
			return fmt.Errorf("%w: ACK from %v, not the server chosen %v", ErrIgnored, server, c.offerServer)
		}
		l, err := c.readLease(m, server)
		if err != nil {
			return err
		}
		c.sendAt = time.Time{}
		if c.cfg.Probes == 0 {
			c.bind(now, l)
			return nil
		}
		c.pending = l
		c.state = StateProbing
		c.probes = 0
		c.probeAt = now.Add(c.randBetween(0, c.cfg.ProbeWait))
		return nil
	case typ == Ack && (c.state == StateRenewing || c.state == StateRebinding):
		l, err := c.readLease(m, server)
		if err != nil {
			return err
		}
		c.bind(now, l)
		return nil
	case typ == Nak && (c.state == StateRequesting || c.state == StateRebooting):
		if c.state == StateRequesting && !server.IsUnspecified() && server != c.offerServer {
			return fmt.Errorf("%w: NAK from %v, not the server chosen %v", ErrIgnored, server, c.offerServer)
		}
		c.state = StateInit
		c.sendAt = time.Time{}
		return nil
	case typ == Nak && (c.state == StateRenewing || c.state == StateRebinding):
		c.expire()
		return nil
	}
	return fmt.Errorf("%w: %v in %v", ErrIgnored, typ, c.state)
}

// readLease reads the lease of an ACK, whose times count from the first
// REQUEST of the exchange.
func (c *Client) readLease(m Message, server ipv4.Addr) (Lease, error) {
	y := m.YIAddr()
	if c.state == StateRenewing || c.state == StateRebinding {
		if y.IsUnspecified() {
			y = m.CIAddr()
		}
	}
	if y.IsUnspecified() || y.IsBroadcast() || y.IsMulticast() || y.IsLoopback() {
		return Lease{}, fmt.Errorf("%w: ACK of address %v", ErrIgnored, y)
	}
	l := Lease{Start: c.reqStart}
	if l.Start.IsZero() {
		l.Start = c.begun
	}
	if server.IsUnspecified() && c.hasLease {
		server = ipv4.Addr(c.lease.Server.As4())
	}
	l.Server = server.Netip()
	bitsLen := classBits(y)
	var haveLease bool
	c.scratch = c.scratch[:0]
	routesAt, searchAt := -1, -1
	it := m.Options()
	for o, ok := it.Next(); ok; o, ok = it.Next() {
		switch o.Code {
		case OptSubnetMask:
			if a, ok := o.Addr(); ok {
				if n, ok := maskBits(a); ok {
					bitsLen = n
				}
			}
		case OptRouter, OptDNS:
			as, ok := o.Addrs()
			if !ok {
				continue
			}
			dst, bound := &l.Routers, c.cfg.MaxRouters
			if o.Code == OptDNS {
				dst, bound = &l.DNS, c.cfg.MaxDNS
			}
			for i := range as.Len() {
				if len(*dst) >= bound {
					c.stats.OptionsDropped++
					break
				}
				*dst = append(*dst, as.At(i).Netip())
			}
		case OptDomainName:
			if o.Status == OptionOK {
				l.DomainName = string(bytes.TrimRight(o.Data(), "\x00."))
			}
		case OptHostname:
			if o.Status == OptionOK {
				l.Hostname = string(bytes.TrimRight(o.Data(), "\x00"))
			}
		case OptInterfaceMTU:
			if v, ok := o.Uint16(); ok && v >= 68 {
				l.MTU = int(v)
			}
		case OptLeaseTime:
			if d, inf, ok := o.Duration(); ok {
				l.Duration, l.Infinite, haveLease = d, inf, true
			}
		case OptRenewalTime:
			if d, inf, ok := o.Duration(); ok && !inf {
				l.T1 = d
			}
		case OptRebindingTime:
			if d, inf, ok := o.Duration(); ok && !inf {
				l.T2 = d
			}
		case OptDomainSearch, OptClasslessRoutes:
			// RFC 3396: the values of several options of the code
			// are one value; they are gathered in scratch, one code
			// after the other.
			if o.Status != OptionOK {
				continue
			}
			if o.Code == OptClasslessRoutes && routesAt < 0 {
				routesAt = len(c.scratch)
			}
			if o.Code == OptDomainSearch && searchAt < 0 {
				searchAt = len(c.scratch)
			}
		}
	}
	// Gather the split values: the routes, then the search list.
	gather := func(code OptionCode) []byte {
		start := len(c.scratch)
		it := m.Options()
		for o, ok := it.Next(); ok; o, ok = it.Next() {
			if o.Code == code && o.Status == OptionOK {
				c.scratch = append(c.scratch, o.Data()...)
			}
		}
		return c.scratch[start:]
	}
	if routesAt >= 0 {
		rs, err := DecodeClasslessRoutes(nil, gather(OptClasslessRoutes))
		if err != nil {
			c.stats.OptionsDropped++
		}
		for _, r := range rs {
			if len(l.Routes) >= c.cfg.MaxRoutes {
				c.stats.OptionsDropped++
				break
			}
			l.Routes = append(l.Routes, r)
		}
	}
	if searchAt >= 0 {
		names, err := DecodeDomainSearch(nil, gather(OptDomainSearch))
		if err != nil {
			c.stats.OptionsDropped++
		}
		for _, n := range names {
			if len(l.SearchList) >= c.cfg.MaxSearch {
				c.stats.OptionsDropped++
				break
			}
			l.SearchList = append(l.SearchList, n)
		}
	}
	if !haveLease {
		// RFC 2131 table 3: an ACK to a REQUEST carries the lease time.
		return Lease{}, fmt.Errorf("%w: ACK without a lease time", ErrIgnored)
	}
	l.Addr = netip.PrefixFrom(y.Netip(), bitsLen)
	if !l.Infinite {
		// RFC 2131 4.4.5's defaults, 0.5 and 0.875 of the lease, for
		// times absent or out of order.
		if l.T1 <= 0 || l.T1 > l.Duration {
			l.T1 = l.Duration / 2
		}
		if l.T2 <= 0 || l.T2 > l.Duration || l.T2 < l.T1 {
			l.T2 = l.Duration * 7 / 8
			l.T1 = min(l.T1, l.T2)
		}
		l.Renew, l.Rebind, l.Expiry = l.Start.Add(l.T1), l.Start.Add(l.T2), l.Start.Add(l.Duration)
	} else {
		l.T1, l.T2 = 0, 0
	}
	return l, nil
}

// classBits is the prefix length of a's class, for a lease without a
// subnet mask (RFC 2132 3.3 makes the option optional; hosts then fall
// back on the classful mask).
func classBits(a ipv4.Addr) int {
	switch {
	case a[0] < 128:
		return 8
	case a[0] < 192:
		return 16
	}
	return 24
}

// maskBits returns the length of a contiguous subnet mask.
func maskBits(m ipv4.Addr) (int, bool) {
	v := m.Uint32()
	n := 0
	for n < 32 && v&(1<<(31-n)) != 0 {
		n++
	}
	if n < 32 && v<<n != 0 {
		return 0, false
	}
	return n, true
}

// ARPInput hears an ARP packet (op 1 request, 2 reply) while the client
// probes an address (Probing): RFC 5227 2.1.1's conflict is a packet
// whose sender is the address, or a probe for it from another host. The
// client then declines the address (a DECLINE to the server), waits
// DeclineWait and starts over. It returns when to call Tick next.
func (c *Client) ARPInput(now time.Time, op uint16, senderMAC ethernet.Addr, senderIP, targetIP netip.Addr) (next time.Time) {
	c.mu.Lock()
	if c.state == StateProbing && senderMAC != c.cfg.MAC {
		a := c.pending.Addr.Addr()
		if senderIP == a || op == 1 && senderIP == netip.IPv4Unspecified() && targetIP == a {
			c.decline(now)
		}
	}
	next = c.advance(now)
	c.mu.Unlock()
	c.flush()
	return next
}

// decline sends a DECLINE for the pending address and goes to INIT.
func (c *Client) decline(now time.Time) {
	c.stats.Conflicts++
	c.stats.OutDeclines++
	c.send(intent{kind: PacketDHCP, typ: Decline, xid: c.xid, dst: ipv4.Broadcast,
		req: ipv4.Addr(c.pending.Addr.Addr().As4()), server: ipv4.Addr(c.pending.Server.As4())})
	c.event(EventDeclined, c.pending)
	c.pending = Lease{}
	c.state = StateInit
	c.sendAt = time.Time{}
	c.waitTill = now.Add(c.cfg.DeclineWait)
}

// Release gives the lease back to its server (a RELEASE, RFC 2131 4.4.6)
// and stops the client: the embedder removes the address on
// EventReleased.
func (c *Client) Release(now time.Time) {
	c.mu.Lock()
	if c.hasLease {
		a := ipv4.Addr(c.lease.Addr.Addr().As4())
		c.stats.OutReleases++
		c.send(intent{kind: PacketDHCP, typ: Release, xid: c.rnd.Uint32(), ciaddr: a, src: a,
			dst: ipv4.Addr(c.lease.Server.As4()), server: ipv4.Addr(c.lease.Server.As4())})
		c.event(EventReleased, c.lease)
	}
	c.lease, c.hasLease = Lease{}, false
	c.state = StateStopped
	c.sendAt, c.announce, c.next = time.Time{}, 0, time.Time{}
	c.mu.Unlock()
	c.flush()
}

// paramRequest is what the client asks for.
var paramRequest = []OptionCode{OptSubnetMask, OptRouter, OptDNS, OptHostname, OptDomainName, OptInterfaceMTU,
	OptBroadcast, OptLeaseTime, OptRenewalTime, OptRebindingTime, OptDomainSearch, OptClasslessRoutes}

// encode builds the packet of it in c.buf.
func (c *Client) encode(it *intent) Packet {
	p := Packet{Kind: it.kind, Src: it.src.Netip(), Dst: it.dst.Netip(), Target: it.target.Netip()}
	if it.kind != PacketDHCP {
		return p
	}
	o := AppendMessageType(c.opts[:0], it.typ)
	o = AppendOption(o, OptClientID, c.cfg.ClientID)
	if !it.req.IsUnspecified() {
		o = AppendAddr(o, OptRequestedAddr, it.req)
	}
	if !it.server.IsUnspecified() {
		o = AppendAddr(o, OptServerID, it.server)
	}
	if it.typ == Discover || it.typ == Request {
		o = AppendOption(o, OptHostname, []byte(c.cfg.Hostname))
		o = AppendParamRequest(o, paramRequest...)
	}
	c.opts = o
	f := Fields{Op: OpRequest, XID: it.xid, Secs: it.secs, CIAddr: it.ciaddr, CHAddr: c.cfg.MAC[:], Options: o}
	if c.cfg.BroadcastFlag && it.ciaddr.IsUnspecified() {
		f.Flags = FlagBroadcast
	}
	m, err := f.Encode(c.buf)
	if err != nil {
		// Only a hostname and client ID of hundreds of bytes make it
		// too long: send without them rather than nothing.
		f.Options = AppendMessageType(nil, it.typ)
		m, _ = f.Encode(c.buf)
	}
	p.Msg = m
	return p
}

// send queues a packet; event an event.
func (c *Client) send(it intent) { c.out = append(c.out, outItem{msg: it}) }

func (c *Client) event(k EventKind, l Lease) {
	c.out = append(c.out, outItem{event: true, ev: Event{Kind: k, Lease: l}})
}

// flush delivers the queue, in order, without holding the lock, so that
// the callbacks may call the client again: what they queue is delivered
// by the same loop.
func (c *Client) flush() {
	c.mu.Lock()
	if c.flushing {
		c.mu.Unlock()
		return
	}
	c.flushing = true
	for i := 0; i < len(c.out); i++ {
		it := c.out[i]
		c.mu.Unlock()
		switch {
		case it.event && c.cfg.Event != nil:
			c.cfg.Event(it.ev)
		case !it.event && c.cfg.Send != nil:
			c.cfg.Send(c.encode(&it.msg))
		}
		c.mu.Lock()
	}
	clear(c.out)
	c.out = c.out[:0]
	c.flushing = false
	c.mu.Unlock()
}
