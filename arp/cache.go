package arp

import (
	"bytes"
	"math/bits"
	"slices"
	"strconv"
	"sync"
	"time"

	"github.com/medina-net/medina/ethernet"
)

// The neighbour cache: RFC 826's translation table, with the states of
// RFC 4861's neighbour unreachability detection (section 7.3) applied to
// ARP, as Linux does for IPv4.
//
// An entry the stack asks for starts INCOMPLETE: the first Resolve tells
// the caller to broadcast a request, Tick retransmits it every RetransTime,
// and datagrams for the address wait in a bounded queue until a reply comes
// (REACHABLE, the queue is handed back through Input's deliver) or
// MaxRetries requests have gone unanswered (the entry is removed and Tick
// hands the queue to failed, for ICMP host unreachable). A REACHABLE entry
// becomes STALE ReachableTime after its last confirmation. A STALE entry is
// still used, but the first use moves it to DELAY, giving an upper layer
// DelayTime to confirm the neighbour (Confirm: a TCP ACK for data we sent
// proves it is there) before Tick starts PROBE: up to MaxRetries requests,
// after which the entry is removed. A STALE entry unused for StaleTime is
// removed. STATIC entries are the embedder's and never change.
//
// No cache poisoning: a reply is accepted only for an address we are asking
// about (INCOMPLETE or PROBE). A request that targets one of our addresses
// creates or updates the sender's entry, as RFC 826 and RFC 4861 (7.2.3)
// say, because we are about to answer it and will need the address; it
// leaves the entry STALE, so that its first use is verified by DELAY and
// PROBE. Everything else (unsolicited replies, gratuitous ARP, requests for
// other hosts) is counted and changes nothing, unless
// CacheConfig.AcceptUnsolicited asks for RFC 826's merge.
//
// A request is easy to forge, though, and a forged one that gives a
// neighbour a new address would send its traffic to the forger until
// DELAY and PROBE find the truth, 5 to 6 s later (as on Linux). So a
// packet that claims a new address for a neighbour whose address is known
// (in any state but INCOMPLETE: an entry only just learnt, or not used
// for a while, is as much at stake as a REACHABLE one) does not change
// the entry at once: the entry goes to PROBE, still used at its address,
// holding the claimed one aside, and requests are unicast to the address
// in use. If it answers (or an upper layer confirms it), the claim was
// false: it is dropped and counted (ChangesRefused). If it stays silent
// for MaxRetries requests, the neighbour has moved: the entry takes the
// claimed address, STALE (ChangesConfirmed). Only the address in use can
// settle the question: a reply from any other is ignored. This asks the
// question of RFC 4861's PROBE state before the change instead of after
// it; CacheConfig.NoChangeProbe turns it off.
//
// The cache never reads the clock, starts no goroutine or timer and sends
// nothing: each method takes the time, and says what the caller must send.
// It is safe for concurrent use, and calls the caller's callbacks without
// holding its lock, so a callback may call the cache again.

// State is the state of a neighbour cache entry.
type State uint8

// Entry states (RFC 4861 section 7.3.2, and STATIC).
const (
	// StateIncomplete: resolution is in progress; requests are being sent
	// and datagrams wait in the entry's queue.
	StateIncomplete State = iota + 1
	// StateReachable: the neighbour answered recently (within
	// ReachableTime).
	StateReachable
	// StateStale: the address is known but unconfirmed; it is used, and
	// its first use starts DELAY.
	StateStale
	// StateDelay: a STALE entry was used; a probe follows after DelayTime
	// unless the neighbour is confirmed meanwhile.
	StateDelay
	// StateProbe: requests are being sent to confirm the address, which is
	// still used.
	StateProbe
	// StateStatic: set by the embedder (SetStatic); never expires, never
	// changed by received packets.
	StateStatic
)

// String returns the state's name as RFC 4861 writes it ("INCOMPLETE",
// "REACHABLE", ...), or "State(N)".
func (s State) String() string {
	switch s {
	case StateIncomplete:
		return "INCOMPLETE"
	case StateReachable:
		return "REACHABLE"
	case StateStale:
		return "STALE"
	case StateDelay:
		return "DELAY"
	case StateProbe:
		return "PROBE"
	case StateStatic:
		return "STATIC"
	}
	return "State(" + strconv.Itoa(int(s)) + ")"
}

// Defaults of CacheConfig: RFC 4861's REACHABLE_TIME,
// DELAY_FIRST_PROBE_TIME and RETRANS_TIMER, Linux's 3 probes, a queue of
// 128 packets per neighbour within 256 KiB (Linux's unres_qlen_bytes is
// about 208 KiB: a burst of a hundred connections opened to a neighbour
// not yet resolved must not lose its SYNs) and a 1024-entry table (Linux's
// gc_thresh3).
const (
	DefaultReachableTime  = 30 * time.Second
	DefaultStaleTime      = 5 * time.Minute
	DefaultDelayTime      = 5 * time.Second
	DefaultRetransTime    = time.Second
	DefaultMaxRetries     = 3
	DefaultMaxQueued      = 128
	DefaultMaxQueuedBytes = 256 << 10
	DefaultMaxEntries     = 1024
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

// CacheStats are the cache's counters and gauges.
type CacheStats struct {
	// Requests is how many ARP requests the cache asked the caller to
	// send: first misses (Resolve), retransmissions and probes (Tick).
	Requests uint64
	// Replies is how many replies were accepted: they answered a question
	// we were asking.
	Replies uint64
	// Learned is how many entries were created or changed at once by
	// packets that were not solicited replies: requests that targeted
	// us, and, with AcceptUnsolicited, anything else. Changes that waited
	// for a probe are in ChangesConfirmed.
	Learned uint64
	// ChangesRefused is how many new addresses claimed for a REACHABLE
	// neighbour were refused because the address in use answered a
	// probe (or an upper layer confirmed it): forged ARP, most likely.
	ChangesRefused uint64
	// ChangesConfirmed is how many new addresses claimed for a REACHABLE
	// neighbour took effect because the address in use stopped
	// answering.
	ChangesConfirmed uint64
	// Ignored is how many ARP packets changed nothing: unsolicited
	// replies, gratuitous ARP, requests for other hosts, packets for a
	// static entry, and senders that cannot be neighbours (0.0.0.0,
	// broadcast or multicast addresses).
	Ignored uint64
	// Queued is how many datagrams were held waiting for resolution.
	Queued uint64
	// QueueDrops is how many datagrams could not be held (queue or byte
	// bound, table full, too long) or were discarded with their entry
	// (SetStatic, Remove).
	QueueDrops uint64
	// Failures is how many resolutions ran out of retries.
	Failures uint64
	// ProbeFailures is how many known neighbours stopped answering and
	// were removed after PROBE.
	ProbeFailures uint64
	// Evictions is how many STALE entries were removed to make room.
	Evictions uint64
	// TableFull is how many new entries were refused for want of room.
	TableFull uint64

	// Entries is the number of entries now, static ones included.
	Entries int
	// QueuedBytes is the memory held by queued datagrams now.
	QueuedBytes int
}

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

// entry is one neighbour.
type entry struct {
	ip    [4]byte
	mac   ethernet.Addr
	state State
	tries int // requests sent in INCOMPLETE or PROBE
	// confirmed is the last confirmation of reachability: the entry is
	// REACHABLE until confirmed + ReachableTime.
	confirmed time.Time
	// touched is the last use or update: a STALE entry is removed at
	// touched + StaleTime.
	touched time.Time
	// deadline is the next request (INCOMPLETE, PROBE) or the end of
	// DELAY.
	deadline time.Time
	queue    [][]byte // held datagrams (INCOMPLETE)
	// claim is the new address claimed for a REACHABLE neighbour, which
	// takes effect if mac does not answer the probes (PROBE); zero when
	// there is none, which no neighbour's address can be.
	claim ethernet.Addr
}

// Cache is a neighbour cache for IPv4 over Ethernet. Create it with
// NewCache.
type Cache struct {
	cfg CacheConfig

	mu      sync.Mutex
	entries map[[4]byte]*entry
	nstatic int
	qbytes  int       // capacity of held buffers, ≤ MaxQueuedBytes
	next    time.Time // earliest deadline known (may be early, never late)
	stats   CacheStats

	pool       bufPool
	freeEnts   []*entry   // removed entries, for reuse
	freeQueues [][][]byte // emptied queue slices, for reuse

	// tickMu serializes Tick, which owns the scratch slices.
	tickMu    sync.Mutex
	tickReqs  []tickRequest
	tickFails [][]byte
}

// tickRequest is a request Tick has the caller send: for ip, to the
// address to, or broadcast if to is zero.
type tickRequest struct {
	ip [4]byte
	to ethernet.Addr
}

// NewCache returns an empty cache.
func NewCache(cfg CacheConfig) *Cache {
	cfg.fill()
	return &Cache{
		cfg:     cfg,
		entries: make(map[[4]byte]*entry),
		// Free buffers are kept up to the queue bound, so the memory of
		// the cache's buffers never exceeds twice MaxQueuedBytes.
		pool: bufPool{maxFree: cfg.MaxQueuedBytes},
	}
}

// Config returns the configuration in effect, defaults filled in.
func (c *Cache) Config() CacheConfig { return c.cfg }

// lower records a new deadline d.
func (c *Cache) lower(d time.Time) {
	if c.next.IsZero() || d.Before(c.next) {
		c.next = d
	}
}

// reachable reports whether a REACHABLE entry still is at now.
func (c *Cache) reachable(e *entry, now time.Time) bool {
	return now.Before(e.confirmed.Add(c.cfg.ReachableTime))
}

// Resolve is called for every datagram to send to next hop ip. If the
// address is known (REACHABLE, STALE, DELAY, PROBE or STATIC) it returns
// the MAC with ok true. The first use of a STALE entry starts DELAY; when
// a DELAY entry is used after its DelayTime, Resolve starts PROBE itself
// and returns sendRequest true with ok: send the datagram to mac, and a
// request for ip (which may be unicast to mac, as RFC 1122 2.3.2.1
// suggests).
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
	c.mu.Lock()
	defer c.mu.Unlock()
	e := c.entries[ip]
	if e != nil {
		switch e.state {
		case StateStatic, StateProbe:
			return e.mac, true, false, false
		case StateReachable:
			if c.reachable(e, now) {
				e.touched = now
				return e.mac, true, false, false
			}
			e.state = StateStale
			fallthrough
		case StateStale:
			e.state = StateDelay
			e.touched = now
			e.deadline = now.Add(c.cfg.DelayTime)
			c.lower(e.deadline)
			return e.mac, true, false, false
		case StateDelay:
			e.touched = now
			if now.Before(e.deadline) {
				return e.mac, true, false, false
			}
			c.startProbe(e, now)
			return e.mac, true, true, false
		}
		// INCOMPLETE: queue below.
	} else {
		if e = c.newEntry(ip, now); e == nil {
			if len(pkt) > 0 {
				c.stats.QueueDrops++
			}
			return mac, false, false, len(pkt) > 0
		}
		e.state = StateIncomplete
		e.tries = 1
		e.touched = now
		e.deadline = now.Add(c.cfg.RetransTime)
		c.lower(e.deadline)
		c.stats.Requests++
		sendRequest = true
	}
	if len(pkt) == 0 {
		return mac, false, sendRequest, false
	}
	size := bufSize(len(pkt))
	if len(e.queue) >= c.cfg.MaxQueued || size < 0 || c.qbytes+size > c.cfg.MaxQueuedBytes {
		c.stats.QueueDrops++
		return mac, false, sendRequest, true
	}
	if e.queue == nil {
		e.queue = c.getQueue()
	}
	b := c.pool.get(len(pkt))
	copy(b, pkt)
	e.queue = append(e.queue, b)
	c.qbytes += cap(b)
	c.stats.Queued++
	return mac, false, sendRequest, false
}

// startProbe moves e to PROBE and counts its first request, which the
// caller sends.
func (c *Cache) startProbe(e *entry, now time.Time) {
	e.state = StateProbe
	e.tries = 1
	e.deadline = now.Add(c.cfg.RetransTime)
	c.lower(e.deadline)
	c.stats.Requests++
}

// newEntry returns a new entry for ip, in the map, or nil when the table
// is full of entries that may not be evicted.
func (c *Cache) newEntry(ip [4]byte, now time.Time) *entry {
	if len(c.entries)-c.nstatic >= c.cfg.MaxEntries && !c.evict(now) {
		c.stats.TableFull++
		return nil
	}
	var e *entry
	if n := len(c.freeEnts); n > 0 {
		e = c.freeEnts[n-1]
		c.freeEnts[n-1] = nil
		c.freeEnts = c.freeEnts[:n-1]
	} else {
		e = new(entry)
	}
	*e = entry{ip: ip}
	c.entries[ip] = e
	return e
}

// evict removes the least recently used STALE entry (a REACHABLE one
// whose time has run out counts as STALE), reporting whether there was
// one. It scans the table, which happens only when the table is full.
func (c *Cache) evict(now time.Time) bool {
	var victim *entry
	for _, e := range c.entries {
		if e.state != StateStale && (e.state != StateReachable || c.reachable(e, now)) {
			continue
		}
		if victim == nil || e.touched.Before(victim.touched) {
			victim = e
		}
	}
	if victim == nil {
		return false
	}
	c.removeEntry(victim)
	c.stats.Evictions++
	return true
}

// removeEntry deletes e from the map and recycles it. Its queue must
// have been taken or released.
func (c *Cache) removeEntry(e *entry) {
	delete(c.entries, e.ip)
	if e.state == StateStatic {
		c.nstatic--
	}
	if e.queue != nil {
		c.dropQueue(e)
	}
	*e = entry{}
	if len(c.freeEnts) < c.cfg.MaxEntries {
		c.freeEnts = append(c.freeEnts, e)
	}
}

// dropQueue discards e's held datagrams, counting them.
func (c *Cache) dropQueue(e *entry) {
	c.stats.QueueDrops += uint64(len(e.queue))
	c.putQueue(e.queue)
	e.queue = nil
}

// getQueue returns an empty queue slice.
func (c *Cache) getQueue() [][]byte {
	if n := len(c.freeQueues); n > 0 {
		q := c.freeQueues[n-1]
		c.freeQueues[n-1] = nil
		c.freeQueues = c.freeQueues[:n-1]
		return q
	}
	return make([][]byte, 0, c.cfg.MaxQueued)
}

// putQueue returns the buffers of q to the pool and q to the free list.
func (c *Cache) putQueue(q [][]byte) {
	for _, b := range q {
		c.qbytes -= cap(b)
		c.pool.put(b)
	}
	clear(q)
	if cap(q) > 0 && len(c.freeQueues) < c.cfg.MaxEntries {
		c.freeQueues = append(c.freeQueues, q[:0])
	}
}

// takeQueue detaches e's queue for delivery outside the lock; the
// buffers stay counted until putQueue.
func takeQueue(e *entry) [][]byte {
	q := e.queue
	e.queue = nil
	return q
}

// usableSender reports whether an ARP sender may have an entry: not
// 0.0.0.0 (RFC 5227 probes), broadcast or multicast, and a unicast MAC.
func usableSender(ip [4]byte, mac ethernet.Addr) bool {
	unspecified := ip == [4]byte{}
	broadcast := ip == [4]byte{255, 255, 255, 255}
	multicast := ip[0]&0xf0 == 0xe0
	return !unspecified && !broadcast && !multicast &&
		!mac.IsMulticast() && mac != (ethernet.Addr{})
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
// multicast) and packets about static entries.
//
// A new address for a REACHABLE entry is held aside while the address in
// use is probed (see CacheConfig.NoChangeProbe): Input returns probe
// true and probeTo, the address in use. The caller sends a request for
// senderIP to probeTo now; Tick sends the others. The cache then has a
// deadline RetransTime away: a caller whose timer is armed later re-arms
// it (Deadline tells when). While the probe lasts, only a reply from
// probeTo counts: it keeps the entry as it was.
//
// When the entry had datagrams waiting, Input calls deliver for each, in
// order, after releasing its lock: send it to senderMAC. The slice is
// valid only during the call. A nil deliver discards them.
func (c *Cache) Input(senderIP [4]byte, senderMAC ethernet.Addr, targetedUs, isReply bool, now time.Time, deliver func(pkt []byte)) (probeTo ethernet.Addr, probe bool) {
	c.mu.Lock()
	q, probeTo, probe := c.input(senderIP, senderMAC, targetedUs, isReply, now)
	c.mu.Unlock()
	if q == nil {
		return probeTo, probe
	}
	if deliver != nil {
		for _, b := range q {
			deliver(b)
		}
	}
	c.mu.Lock()
	if deliver == nil {
		c.stats.QueueDrops += uint64(len(q))
	}
	c.putQueue(q)
	c.mu.Unlock()
	return probeTo, probe
}

// input is Input under the lock; it returns the queue to deliver, and
// the address to probe when a change has to be confirmed.
func (c *Cache) input(ip [4]byte, mac ethernet.Addr, targetedUs, isReply bool, now time.Time) (q [][]byte, probeTo ethernet.Addr, probe bool) {
	if !usableSender(ip, mac) {
		c.stats.Ignored++
		return nil, probeTo, false
	}
	e := c.entries[ip]
	switch {
	case e != nil && e.state == StateStatic:
	case e != nil && e.claim != (ethernet.Addr{}):
		c.inputClaimed(e, mac, targetedUs, isReply, now)
		return nil, probeTo, false
	case isReply && e != nil && (e.state == StateIncomplete || e.state == StateProbe):
		c.stats.Replies++
		c.setReachable(e, mac, now)
		return takeQueue(e), probeTo, false
	case !isReply && targetedUs && e == nil:
		if e = c.newEntry(ip, now); e != nil {
			c.stats.Learned++
			c.setStale(e, mac, now)
		}
		return nil, probeTo, false
	case targetedUs && !isReply, c.cfg.AcceptUnsolicited && e != nil:
		switch {
		case e.state != StateIncomplete && e.mac == mac:
			// The same address changes nothing.
			return nil, probeTo, false
		case e.state != StateIncomplete && !c.cfg.NoChangeProbe:
			// The address is known: ask it whether it is still
			// there before believing the claim.
			e.claim = mac
			c.startProbe(e, now)
			return nil, e.mac, true
		}
		// RFC 4861 7.2.3 (and 7.2.5 for an override): a new address
		// makes the entry STALE.
		c.stats.Learned++
		c.setStale(e, mac, now)
		return takeQueue(e), probeTo, false
	}
	c.stats.Ignored++
	return nil, probeTo, false
}

// inputClaimed handles a packet from the neighbour of e while a new
// address claimed for it is checked: e is in PROBE at its old address.
func (c *Cache) inputClaimed(e *entry, mac ethernet.Addr, targetedUs, isReply bool, now time.Time) {
	switch {
	case isReply && mac == e.mac:
		// The address in use answered: the neighbour has not moved,
		// and whoever claimed it had was wrong, or lying.
		c.stats.Replies++
		c.stats.ChangesRefused++
		c.setReachable(e, mac, now)
	case mac == e.mac:
		// A request from the address in use proves nothing about
		// reachability (RFC 4861 7.3.1 counts only solicited replies);
		// the probe decides.
	case isReply:
		// Only the probed address can settle the claim; a reply from
		// another, the claimant's own most likely, proves nothing.
		c.stats.Ignored++
	case targetedUs || c.cfg.AcceptUnsolicited:
		// A newer claim: it is the one that takes effect if the
		// address in use stays silent, as the latest news would
		// without the probe. The probe goes on as it was.
		e.claim = mac
	default:
		c.stats.Ignored++
	}
}

// setReachable gives e the address mac, just confirmed, and drops any
// claim.
func (c *Cache) setReachable(e *entry, mac ethernet.Addr, now time.Time) {
	e.mac = mac
	e.claim = ethernet.Addr{}
	e.state = StateReachable
	e.tries = 0
	e.confirmed, e.touched = now, now
	c.lower(now.Add(c.cfg.ReachableTime))
}

// setStale gives e the address mac, unconfirmed.
func (c *Cache) setStale(e *entry, mac ethernet.Addr, now time.Time) {
	e.mac = mac
	e.claim = ethernet.Addr{}
	e.state = StateStale
	e.tries = 0
	e.touched = now
	c.lower(now.Add(c.cfg.StaleTime))
}

// Confirm records that an upper layer has proof the neighbour at ip is
// reachable (RFC 4861 7.3.1: a TCP acknowledgment of new data, for
// instance): an entry that has an address becomes REACHABLE, without the
// probe a STALE entry would get. It creates nothing and changes no
// address, so it cannot poison the cache. While a new address claimed
// for the neighbour is checked, the proof came through the address in
// use: the claim is refused, as if that address had answered the probe.
func (c *Cache) Confirm(ip [4]byte, now time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	e := c.entries[ip]
	if e == nil {
		return
	}
	switch e.state {
	case StateReachable, StateStale, StateDelay, StateProbe:
		if e.claim != (ethernet.Addr{}) {
			c.stats.ChangesRefused++
			e.claim = ethernet.Addr{}
		}
		e.state = StateReachable
		e.tries = 0
		e.confirmed = now
		c.lower(now.Add(c.cfg.ReachableTime))
	}
}

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
// unicast to it, because only that address can refuse the change. The
// probes of a used STALE entry are broadcast, so that a neighbour that
// moved answers from its new address (RFC 1122 2.3.2.1 would allow
// unicast).
//
// Tick returns the time of the next deadline, or the zero time if there
// is none, for the caller to arm one timer.
func (c *Cache) Tick(now time.Time, request func(ip [4]byte, to ethernet.Addr), failed func(pkt []byte)) (next time.Time) {
	c.tickMu.Lock()
	defer c.tickMu.Unlock()
	reqs, fails := c.tickReqs[:0], c.tickFails[:0]

	c.mu.Lock()
	earliest := func(d time.Time) {
		if next.IsZero() || d.Before(next) {
			next = d
		}
	}
	for ip, e := range c.entries {
		switch e.state {
		case StateIncomplete, StateProbe:
			if now.Before(e.deadline) {
				break
			}
			if e.tries >= c.cfg.MaxRetries {
				if e.claim != (ethernet.Addr{}) {
					// The address in use is silent: the
					// neighbour has moved.
					c.stats.ChangesConfirmed++
					c.setStale(e, e.claim, now)
					earliest(e.touched.Add(c.cfg.StaleTime))
					continue
				}
				if e.state == StateIncomplete {
					c.stats.Failures++
					fails = append(fails, e.queue...)
					c.putQueueSliceOnly(takeQueue(e))
				} else {
					c.stats.ProbeFailures++
				}
				c.removeEntry(e)
				continue
			}
			e.tries++
			e.deadline = now.Add(c.cfg.RetransTime)
			c.stats.Requests++
			r := tickRequest{ip: ip}
			if e.claim != (ethernet.Addr{}) {
				r.to = e.mac
			}
			reqs = append(reqs, r)
		case StateDelay:
			if !now.Before(e.deadline) {
				c.startProbe(e, now)
				reqs = append(reqs, tickRequest{ip: ip})
			}
		case StateReachable:
			if c.reachable(e, now) {
				earliest(e.confirmed.Add(c.cfg.ReachableTime))
				continue
			}
			e.state = StateStale
			fallthrough
		case StateStale:
			if gc := e.touched.Add(c.cfg.StaleTime); now.Before(gc) {
				earliest(gc)
			} else {
				c.removeEntry(e)
			}
			continue
		default:
			continue
		}
		earliest(e.deadline)
	}
	c.next = next
	c.mu.Unlock()

	if request != nil {
		for _, r := range reqs {
			request(r.ip, r.to)
		}
	}
	if len(fails) > 0 {
		if failed != nil {
			for _, b := range fails {
				failed(b)
			}
		}
		c.mu.Lock()
		for _, b := range fails {
			c.qbytes -= cap(b)
			c.pool.put(b)
		}
		c.mu.Unlock()
	}
	clear(fails)
	c.tickReqs, c.tickFails = reqs[:0], fails[:0]
	return next
}

// putQueueSliceOnly recycles a queue slice whose buffers were handed on.
func (c *Cache) putQueueSliceOnly(q [][]byte) {
	clear(q)
	if cap(q) > 0 && len(c.freeQueues) < c.cfg.MaxEntries {
		c.freeQueues = append(c.freeQueues, q[:0])
	}
}

// Deadline returns the earliest time at which Tick has work, or the zero
// time if there is none. It may be earlier than needed (an entry whose
// deadline it was has since been resolved or removed), never later.
func (c *Cache) Deadline() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.next
}

// Lookup returns the address and state of the entry for ip without
// changing anything (it does not count as a use). ok is false when there
// is no entry; mac is zero while INCOMPLETE.
func (c *Cache) Lookup(ip [4]byte) (mac ethernet.Addr, state State, ok bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	e := c.entries[ip]
	if e == nil {
		return mac, 0, false
	}
	return e.mac, e.state, true
}

// SetStatic sets a static entry for ip, replacing any entry there.
// Static entries do not count against MaxEntries, never expire and are
// never changed by received packets; only SetStatic and Remove change
// them. Datagrams waiting on an INCOMPLETE entry it replaces are
// discarded (counted in QueueDrops).
func (c *Cache) SetStatic(ip [4]byte, mac ethernet.Addr) {
	c.mu.Lock()
	defer c.mu.Unlock()
	e := c.entries[ip]
	if e == nil {
		if n := len(c.freeEnts); n > 0 {
			e = c.freeEnts[n-1]
			c.freeEnts = c.freeEnts[:n-1]
		} else {
			e = new(entry)
		}
		*e = entry{ip: ip}
		c.entries[ip] = e
	} else if e.queue != nil {
		c.dropQueue(e)
	}
	if e.state != StateStatic {
		c.nstatic++
	}
	*e = entry{ip: ip, mac: mac, state: StateStatic}
}

// Remove deletes the entry for ip, static or not, reporting whether there
// was one. Datagrams waiting on it are discarded (counted in QueueDrops).
func (c *Cache) Remove(ip [4]byte) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	e := c.entries[ip]
	if e == nil {
		return false
	}
	c.removeEntry(e)
	return true
}

// Entries returns a snapshot of the entries, sorted by address, for
// diagnostics and tests. It allocates.
func (c *Cache) Entries() []Entry {
	c.mu.Lock()
	out := make([]Entry, 0, len(c.entries))
	for _, e := range c.entries {
		x := Entry{IP: e.ip, MAC: e.mac, State: e.state, Queued: len(e.queue), Claimed: e.claim}
		switch e.state {
		case StateIncomplete, StateProbe, StateDelay:
			x.Expires = e.deadline
		case StateReachable:
			x.Expires = e.confirmed.Add(c.cfg.ReachableTime)
		case StateStale:
			x.Expires = e.touched.Add(c.cfg.StaleTime)
		}
		out = append(out, x)
	}
	c.mu.Unlock()
	slices.SortFunc(out, func(a, b Entry) int { return bytes.Compare(a.IP[:], b.IP[:]) })
	return out
}

// Stats returns the counters.
func (c *Cache) Stats() CacheStats {
	c.mu.Lock()
	defer c.mu.Unlock()
	s := c.stats
	s.Entries = len(c.entries)
	s.QueuedBytes = c.qbytes
	return s
}

// bufPool keeps free buffers in size classes, so that held datagrams are
// copied into recycled memory: steps of 2^k and 1.5×2^k from 64 bytes to
// 64 KiB, which wastes at most a third of a buffer. It holds at most
// maxFree bytes; beyond that, buffers go to the garbage collector.
type bufPool struct {
	free     [nClasses][][]byte
	freeSize int
	maxFree  int
}

const (
	minClassShift = 6  // 64 bytes
	maxClassShift = 16 // 64 KiB
	nClasses      = 2*(maxClassShift-minClassShift) + 1
)

// sizeClass returns the class of a buffer for n bytes, or -1 when n is
// beyond the largest class.
func sizeClass(n int) int {
	if n <= 1<<minClassShift {
		return 0
	}
	k := bits.Len(uint(n - 1)) // 2^(k-1) < n ≤ 2^k
	if k > maxClassShift {
		return -1
	}
	if n <= 3<<(k-2) {
		return 2*(k-minClassShift) - 1
	}
	return 2 * (k - minClassShift)
}

// classSize returns the capacity of buffers of class i.
func classSize(i int) int {
	if i&1 == 0 {
		return 1 << (minClassShift + i/2)
	}
	return 3 << (minClassShift + i/2 - 1)
}

// bufSize returns the capacity of the buffer that holds n bytes, or -1.
func bufSize(n int) int {
	i := sizeClass(n)
	if i < 0 {
		return -1
	}
	return classSize(i)
}

// get returns a buffer of length n (at most 64 KiB).
func (p *bufPool) get(n int) []byte {
	i := sizeClass(n)
	if l := len(p.free[i]); l > 0 {
		b := p.free[i][l-1]
		p.free[i][l-1] = nil
		p.free[i] = p.free[i][:l-1]
		p.freeSize -= cap(b)
		return b[:n]
	}
	return make([]byte, n, classSize(i))
}

// put returns a buffer obtained from get.
func (p *bufPool) put(b []byte) {
	i := sizeClass(cap(b))
	if i < 0 || classSize(i) != cap(b) || p.freeSize+cap(b) > p.maxFree {
		return
	}
	p.free[i] = append(p.free[i], b[:0])
	p.freeSize += cap(b)
}
