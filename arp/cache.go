package arp

import (
	"net/netip"
	"time"

	"github.com/medina-net/medina/ethernet"
	"github.com/medina-net/medina/neigh"
)

// The neighbour cache: RFC 826's translation table, run by the neighbour
// table IPv6's Neighbor Discovery shares (package neigh), with RFC 4861's
// states and neighbour unreachability detection applied to ARP, as Linux
// does for IPv4. Cache is ARP's binding to it: it keys entries by IPv4
// address, says what each ARP packet is to the table, and keeps the
// choices ARP needs where NDP's differ:
//
//   - ARP has no Solicited flag, so a reply is believed only for an
//     address we are asking about (INCOMPLETE or PROBE): no cache
//     poisoning by unsolicited replies. A request that targets one of our
//     addresses creates or updates the sender's entry, as RFC 826 and RFC
//     4861 (7.2.3) say, because we are about to answer it and will need
//     the address; it leaves the entry STALE, so that its first use is
//     verified by DELAY and PROBE. Everything else (unsolicited replies,
//     gratuitous ARP, requests for other hosts) is counted and changes
//     nothing, unless CacheConfig.AcceptUnsolicited asks for RFC 826's
//     merge.
//   - A request is easy to forge, though, and a forged one that gives a
//     neighbour a new address would send its traffic to the forger until
//     DELAY and PROBE find the truth, 5 to 6 s later (as on Linux). So a
//     packet that claims a new address for a neighbour whose address is
//     known (in any state but INCOMPLETE: an entry only just learnt, or
//     not used for a while, is as much at stake as a REACHABLE one) does
//     not change the entry at once: the entry goes to PROBE, still used
//     at its address, holding the claimed one aside, and requests are
//     unicast to the address in use. If it answers (or an upper layer
//     confirms it), the claim was false: it is dropped and counted
//     (ChangesRefused). If it stays silent for MaxRetries requests, the
//     neighbour has moved: the entry takes the claimed address, STALE
//     (ChangesConfirmed). Only the address in use can settle the
//     question: a reply from any other is ignored. This asks the question
//     of RFC 4861's PROBE state before the change instead of after it;
//     CacheConfig.NoChangeProbe turns it off.
//   - The probes of a used STALE entry are broadcast, so that a neighbour
//     that moved answers from its new address (RFC 1122 2.3.2.1 would
//     allow unicast), and ReachableTime is not randomised.
//
// The cache never reads the clock, starts no goroutine or timer and sends
// nothing: each method takes the time, and says what the caller must send.
// It is safe for concurrent use, and calls the caller's callbacks without
// holding its lock, so a callback may call the cache again.

// State is the state of a neighbour cache entry: the neighbour table's.
type State = neigh.State

// Entry states (RFC 4861 section 7.3.2, and STATIC).
const (
	StateIncomplete = neigh.StateIncomplete
	StateReachable  = neigh.StateReachable
	StateStale      = neigh.StateStale
	StateDelay      = neigh.StateDelay
	StateProbe      = neigh.StateProbe
	StateStatic     = neigh.StateStatic
)

// Defaults of CacheConfig: the neighbour table's, which are RFC 4861's
// REACHABLE_TIME, DELAY_FIRST_PROBE_TIME and RETRANS_TIMER, Linux's 3
// probes, a queue of 128 packets per neighbour within 256 KiB and a
// 1024-entry table.
const (
	DefaultReachableTime  = neigh.DefaultBaseReachableTime
	DefaultStaleTime      = neigh.DefaultStaleTime
	DefaultDelayTime      = neigh.DefaultDelayTime
	DefaultRetransTime    = neigh.DefaultRetransTime
	DefaultMaxRetries     = neigh.DefaultMaxMulticastSolicit
	DefaultMaxQueued      = neigh.DefaultMaxQueued
	DefaultMaxQueuedBytes = neigh.DefaultMaxQueuedBytes
	DefaultMaxEntries     = neigh.DefaultMaxEntries
)

// CacheConfig configures a Cache. A zero (or negative) field takes its
// default.
type CacheConfig struct {
	// ReachableTime is how long an entry stays REACHABLE after its last
	// confirmation; then it is STALE.
	ReachableTime time.Duration
	// StaleTime is how long a STALE entry may go unused (and un-updated)
	// before Tick removes it.
	StaleTime time.Duration
	// DelayTime is how long a used STALE entry waits in DELAY for an upper
	// layer's Confirm before it is probed.
	DelayTime time.Duration
	// RetransTime is the interval between requests while resolving
	// (INCOMPLETE) or probing (PROBE).
	RetransTime time.Duration
	// MaxRetries is how many requests are sent before resolution fails,
	// and how many probes before a silent neighbour is removed.
	MaxRetries int
	// MaxQueued is how many datagrams an INCOMPLETE entry holds; Resolve
	// drops (and counts) more.
	MaxQueued int
	// MaxQueuedBytes bounds the memory of all held datagrams together,
	// counted as the capacity of the buffers that hold them (the datagram
	// rounded up to a size class, at most 1.5 times its length).
	MaxQueuedBytes int
	// MaxEntries bounds the entries other than static ones. When the table
	// is full a new entry takes the place of the least recently used STALE
	// one; if there is none it is refused (counted in TableFull).
	MaxEntries int
	// AcceptUnsolicited lets any ARP packet (gratuitous ARP, unsolicited
	// replies, requests for other hosts) update an existing, non-static
	// entry for its sender, RFC 826's merge as Linux does it; the entry
	// becomes STALE with the new address (after the probe NoChangeProbe
	// describes, if it was REACHABLE). It never creates an entry. Off by
	// default: an unsolicited packet is how ARP caches are poisoned, and
	// the price is that a neighbour whose address moves (VRRP failover)
	// is found again only after the old entry fails its probes.
	AcceptUnsolicited bool
	// NoChangeProbe lets a packet that may update an entry (a request
	// that targets us, or with AcceptUnsolicited any packet) change the
	// address of a REACHABLE entry at once, as RFC 826 and Linux do.
	//
	// By default the change waits for a probe: the entry keeps its
	// address and MaxRetries requests are unicast to it, RetransTime
	// apart; an answer refuses the change, silence confirms it. The
	// default is the probe because its cost falls only on a neighbour
	// that really moves while REACHABLE (a replaced NIC, a failover to a
	// new MAC address announced by gratuitous ARP): its datagrams go to
	// the old address for MaxRetries × RetransTime (3 s by default)
	// before they follow it, which a TCP connection rides out with a
	// retransmission or two, while without the probe a forged request
	// takes a live neighbour's traffic for 5 to 6 s each time it is
	// sent, and can be sent again. Entries that are not
	// REACHABLE change at once: no recent proof speaks for their address,
	// and their first use is checked by DELAY and PROBE anyway. A host
	// that answers from two interfaces on the same link (Linux's ARP
	// flux) keeps the address it was first found at, which is still its
	// own; its refused changes are counted like forgeries.
	NoChangeProbe bool
}

func (cfg *CacheConfig) fill() {
	def := func(d *time.Duration, v time.Duration) {
		if *d <= 0 {
			*d = v
		}
	}
	defInt := func(n *int, v int) {
		if *n <= 0 {
			*n = v
		}
	}
	def(&cfg.ReachableTime, DefaultReachableTime)
	def(&cfg.StaleTime, DefaultStaleTime)
	def(&cfg.DelayTime, DefaultDelayTime)
	def(&cfg.RetransTime, DefaultRetransTime)
	defInt(&cfg.MaxRetries, DefaultMaxRetries)
	defInt(&cfg.MaxQueued, DefaultMaxQueued)
	defInt(&cfg.MaxQueuedBytes, DefaultMaxQueuedBytes)
	defInt(&cfg.MaxEntries, DefaultMaxEntries)
}

// table returns the neighbour table's configuration for cfg.
func (cfg CacheConfig) table() neigh.Config {
	return neigh.Config{
		BaseReachableTime:   cfg.ReachableTime,
		StaleTime:           cfg.StaleTime,
		DelayTime:           cfg.DelayTime,
		RetransTime:         cfg.RetransTime,
		MaxMulticastSolicit: cfg.MaxRetries,
		MaxUnicastSolicit:   cfg.MaxRetries,
		MaxQueued:           cfg.MaxQueued,
		MaxQueuedBytes:      cfg.MaxQueuedBytes,
		MaxEntries:          cfg.MaxEntries,
		AcceptUnsolicited:   cfg.AcceptUnsolicited,
		ConfirmChanges:      !cfg.NoChangeProbe,
	}
}

// CacheStats are the cache's counters and gauges: the neighbour
// table's, where Requests are ARP requests and Replies ARP replies.
type CacheStats = neigh.Stats

// Entry is a snapshot of one cache entry.
type Entry struct {
	IP    [4]byte
	MAC   ethernet.Addr // zero while INCOMPLETE
	State State
	// Expires is when the entry next changes by itself: the next request
	// (INCOMPLETE, PROBE), the first probe (DELAY), the move to STALE
	// (REACHABLE), removal if still unused (STALE); zero for STATIC.
	Expires time.Time
	// Queued is the number of datagrams waiting (INCOMPLETE).
	Queued int
	// Claimed is the new address claimed for the neighbour while the
	// address in use, MAC, is probed (PROBE); zero otherwise.
	Claimed ethernet.Addr
}

// Cache is a neighbour cache for IPv4 over Ethernet. Create it with
// NewCache.
type Cache struct {
	cfg CacheConfig
	t   *neigh.Table
}

// NewCache returns an empty cache.
func NewCache(cfg CacheConfig) *Cache {
	cfg.fill()
	return &Cache{cfg: cfg, t: neigh.New(cfg.table())}
}

// Config returns the configuration in effect, defaults filled in.
func (c *Cache) Config() CacheConfig { return c.cfg }

// Table returns the neighbour table the cache runs on, for what is the
// same for every protocol (Stats, Deadline, Entries by netip.Addr).
func (c *Cache) Table() *neigh.Table { return c.t }

// Resolve is called for every datagram to send to next hop ip. If the
// address is known (REACHABLE, STALE, DELAY, PROBE or STATIC) it returns
// the MAC with ok true. The first use of a STALE entry starts DELAY; when
// a DELAY entry is used after its DelayTime, Resolve starts PROBE itself
// and returns sendRequest true with ok: send the datagram to mac, and a
// request for ip, broadcast.
//
// Otherwise ok is false: pkt is copied into the entry's queue (the caller
// keeps pkt) and the entry is created INCOMPLETE if it is new, in which
// case sendRequest is true: broadcast a request for ip now. Retries come
// from Tick. dropped reports that pkt could not be held (queue full, byte
// bound reached, table full of entries in use, or pkt longer than 65536
// bytes); the caller counts it as a discard. A nil or empty pkt starts
// resolution without queueing anything.
//
// Whenever sendRequest is true the cache has a deadline RetransTime away:
// a caller whose timer is armed later re-arms it (Deadline tells when).
func (c *Cache) Resolve(ip [4]byte, pkt []byte, now time.Time) (mac ethernet.Addr, ok, sendRequest, dropped bool) {
	r := c.t.Resolve(netip.AddrFrom4(ip), pkt, now)
	return r.LinkAddr, r.OK, r.Solicit, r.Dropped
}

// Input handles the sender fields of a received ARP packet for IPv4 over
// Ethernet: isReply for a reply; targetedUs for a request whose target
// address is one of ours (which the caller answers, as RFC 826 says).
//
// A reply updates the sender's entry only if we asked (INCOMPLETE or
// PROBE): it becomes REACHABLE with senderMAC. A request targeting us
// creates the sender's entry, or changes its address, leaving it STALE
// (an INCOMPLETE entry gets the address too). Anything else changes
// nothing (see CacheConfig.AcceptUnsolicited) and is counted in Ignored,
// as are senders that cannot be neighbours (0.0.0.0, broadcast or
// multicast addresses, a multicast or zero MAC) and packets about static
// entries.
//
// A new address for an entry whose address is known is held aside while
// the address in use is probed (see CacheConfig.NoChangeProbe): Input
// returns probe true and probeTo, the address in use. The caller sends a
// request for senderIP to probeTo now; Tick sends the others. The cache
// then has a deadline RetransTime away: a caller whose timer is armed
// later re-arms it (Deadline tells when). While the probe lasts, only a
// reply from probeTo counts: it keeps the entry as it was.
//
// When the entry had datagrams waiting, Input calls deliver for each, in
// order, after releasing its lock: send it to senderMAC. The slice is
// valid only during the call. A nil deliver discards them.
func (c *Cache) Input(senderIP [4]byte, senderMAC ethernet.Addr, targetedUs, isReply bool, now time.Time, deliver func(pkt []byte)) (probeTo ethernet.Addr, probe bool) {
	m := neigh.Message{Kind: neigh.Announcement, LinkAddr: senderMAC}
	switch {
	case isReply:
		m.Kind = neigh.Reply
	case targetedUs:
		m.Kind = neigh.Solicitation
	}
	r := c.t.Input(netip.AddrFrom4(senderIP), m, now, deliver)
	return r.ProbeTo, r.Probe
}

// Confirm records that an upper layer has proof the neighbour at ip is
// reachable (RFC 4861 7.3.1: a TCP acknowledgment of new data, for
// instance): an entry that has an address becomes REACHABLE, without the
// probe a STALE entry would get. It creates nothing and changes no
// address, so it cannot poison the cache. While a new address claimed
// for the neighbour is checked, the proof came through the address in
// use: the claim is refused, as if that address had answered the probe.
func (c *Cache) Confirm(ip [4]byte, now time.Time) { c.t.Confirm(netip.AddrFrom4(ip), now) }

// Tick advances the timers to now. It calls request for every entry whose
// next request is due (retransmissions while INCOMPLETE, probes of used
// STALE entries and of addresses a change was claimed for) and, for each
// entry that ran out of retries while INCOMPLETE, failed for each of its
// held datagrams, in order (the stack answers them with ICMP host
// unreachable, rate-limited, as Linux does); that entry is removed, as is
// a PROBE entry that ran out of retries, unless a new address was claimed
// for it: then it takes that address, STALE. REACHABLE entries age to
// STALE, and STALE entries unused for StaleTime are removed. The
// callbacks run after the lock is released; failed's slice is valid only
// during the call. Either callback may be nil.
//
// request's to is the zero address for a request to broadcast, and the
// address in use when a claimed change is checked: that request must be
// unicast to it, because only that address can refuse the change.
//
// Tick returns the time of the next deadline, or the zero time if there
// is none, for the caller to arm one timer.
func (c *Cache) Tick(now time.Time, request func(ip [4]byte, to ethernet.Addr), failed func(pkt []byte)) (next time.Time) {
	if request == nil {
		return c.t.Tick(now, nil, failed)
	}
	return c.t.Tick(now, func(ip netip.Addr, to ethernet.Addr) { request(ip.As4(), to) }, failed)
}

// Deadline returns the earliest time at which Tick has work, or the zero
// time if there is none. It may be earlier than needed (an entry whose
// deadline it was has since been resolved or removed), never later.
func (c *Cache) Deadline() time.Time { return c.t.Deadline() }

// Lookup returns the address and state of the entry for ip without
// changing anything (it does not count as a use). ok is false when there
// is no entry; mac is zero while INCOMPLETE.
func (c *Cache) Lookup(ip [4]byte) (mac ethernet.Addr, state State, ok bool) {
	e, ok := c.t.Lookup(netip.AddrFrom4(ip))
	return e.LinkAddr, e.State, ok
}

// SetStatic sets a static entry for ip, replacing any entry there.
// Static entries do not count against MaxEntries, never expire and are
// never changed by received packets; only SetStatic and Remove change
// them. Datagrams waiting on an INCOMPLETE entry it replaces are
// discarded (counted in QueueDrops).
func (c *Cache) SetStatic(ip [4]byte, mac ethernet.Addr) { c.t.SetStatic(netip.AddrFrom4(ip), mac) }

// Remove deletes the entry for ip, static or not, reporting whether there
// was one. Datagrams waiting on it are discarded (counted in QueueDrops).
func (c *Cache) Remove(ip [4]byte) bool { return c.t.Remove(netip.AddrFrom4(ip)) }

// Entries returns a snapshot of the entries, sorted by address, for
// diagnostics and tests. It allocates.
func (c *Cache) Entries() []Entry {
	es := c.t.Entries()
	out := make([]Entry, len(es))
	for i, e := range es {
		out[i] = Entry{IP: e.Addr.As4(), MAC: e.LinkAddr, State: e.State, Expires: e.Expires, Queued: e.Queued, Claimed: e.Claimed}
	}
	return out
}

// Stats returns the counters.
func (c *Cache) Stats() CacheStats { return c.t.Stats() }
