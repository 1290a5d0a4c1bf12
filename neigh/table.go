package neigh

import (
	"encoding/binary"
	"math/rand/v2"
	"net/netip"
	"slices"
	"strconv"
	"sync"
	"time"

	"github.com/medina-net/medina/ethernet"
	"github.com/medina-net/medina/internal/bufpool"
)

// State is the state of a neighbour table entry.
type State uint8

// Entry states (RFC 4861 section 7.3.2, and STATIC).
const (
	// StateIncomplete: resolution is in progress; requests are being sent
	// and datagrams wait in the entry's queue.
	StateIncomplete State = iota + 1
	// StateReachable: the neighbour was confirmed recently (within
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
	// changed by received messages.
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

// Defaults of Config: RFC 4861's REACHABLE_TIME, DELAY_FIRST_PROBE_TIME,
// RETRANS_TIMER, MAX_MULTICAST_SOLICIT and MAX_UNICAST_SOLICIT (section
// 10; Linux's ARP uses the same), a queue of 128 datagrams per neighbour
// within 256 KiB (Linux's unres_qlen_bytes is about 208 KiB: a burst of a
// hundred connections opened to a neighbour not yet resolved must not
// lose its SYNs), STALE entries kept 5 minutes unused, and a 1024-entry
// table (Linux's gc_thresh3).
const (
	DefaultBaseReachableTime   = 30 * time.Second
	DefaultStaleTime           = 5 * time.Minute
	DefaultDelayTime           = 5 * time.Second
	DefaultRetransTime         = time.Second
	DefaultMaxMulticastSolicit = 3
	DefaultMaxUnicastSolicit   = 3
	DefaultMaxQueued           = 128
	DefaultMaxQueuedBytes      = 256 << 10
	DefaultMaxEntries          = 1024
)

// ReachableRedraw is how often a randomised ReachableTime is drawn again:
// RFC 4861 6.3.2 asks for at least once every few hours, so that hosts
// that drew close values do not stay in step.
const ReachableRedraw = time.Hour

// Config configures a Table. A zero (or negative) number takes its
// default; the switches are off by default, which is RFC 4861's
// behaviour.
type Config struct {
	// BaseReachableTime is RFC 4861's BaseReachableTime: how long an
	// entry stays REACHABLE after its last confirmation, before the
	// randomisation Rand brings. A Router Advertisement may change it
	// (SetBaseReachableTime).
	BaseReachableTime time.Duration
	// Rand, when set, randomises ReachableTime as RFC 4861 6.3.2 says:
	// uniformly in [0.5, 1.5) × BaseReachableTime, drawn again every
	// ReachableRedraw. Nil keeps ReachableTime at BaseReachableTime. It
	// is called with the table's lock held, and must not call the table.
	Rand rand.Source
	// StaleTime is how long a STALE entry may go unused (and un-updated)
	// before Tick removes it. RFC 4861 leaves this to the implementation.
	StaleTime time.Duration
	// DelayTime is RFC 4861's DELAY_FIRST_PROBE_TIME: how long a used
	// STALE entry waits in DELAY for an upper layer's Confirm before it
	// is probed.
	DelayTime time.Duration
	// RetransTime is RFC 4861's RetransTimer: the interval between
	// requests while resolving (INCOMPLETE) or probing (PROBE). A Router
	// Advertisement may change it (SetRetransTime).
	RetransTime time.Duration
	// MaxMulticastSolicit is how many requests are sent while INCOMPLETE
	// before resolution fails.
	MaxMulticastSolicit int
	// MaxUnicastSolicit is how many probes are sent in PROBE before a
	// silent neighbour is removed (or a claimed change takes effect).
	MaxUnicastSolicit int
	// UnicastProbes sends the probes of PROBE to the entry's address, as
	// RFC 4861 7.3.3 does. Without it they go where resolution's requests
	// go (broadcast, for ARP), so that a neighbour that moved answers
	// from its new address; the probes that check a claimed change are
	// unicast either way.
	UnicastProbes bool
	// MaxQueued is how many datagrams an INCOMPLETE entry holds.
	MaxQueued int
	// MaxQueuedBytes bounds the memory of all held datagrams together,
	// counted as the capacity of the buffers that hold them (the datagram
	// rounded up to a size class, at most 1.5 times its length).
	MaxQueuedBytes int
	// DropOldest makes room in a full queue by discarding its oldest
	// datagram, as RFC 4861 7.2.2 says a queue SHOULD; without it the
	// new datagram is the one discarded.
	DropOldest bool
	// MaxEntries bounds the entries other than static ones. When the
	// table is full a new entry takes the place of the least recently
	// used STALE one; if there is none it is refused (counted in
	// TableFull).
	MaxEntries int
	// AcceptUnsolicited lets an Announcement, and a Reply that answers no
	// question of ours, update an existing, non-static entry as a
	// Solicitation would (RFC 826's merge, as Linux does it). It never
	// creates an entry.
	AcceptUnsolicited bool
	// ConfirmChanges checks a new address claimed for a neighbour whose
	// address is known before believing it (see the package
	// documentation): the entry is probed at its address in use, and
	// takes the claimed one only if that stays silent.
	ConfirmChanges bool
}

func (cfg *Config) fill() {
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
	def(&cfg.BaseReachableTime, DefaultBaseReachableTime)
	def(&cfg.StaleTime, DefaultStaleTime)
	def(&cfg.DelayTime, DefaultDelayTime)
	def(&cfg.RetransTime, DefaultRetransTime)
	defInt(&cfg.MaxMulticastSolicit, DefaultMaxMulticastSolicit)
	defInt(&cfg.MaxUnicastSolicit, DefaultMaxUnicastSolicit)
	defInt(&cfg.MaxQueued, DefaultMaxQueued)
	defInt(&cfg.MaxQueuedBytes, DefaultMaxQueuedBytes)
	defInt(&cfg.MaxEntries, DefaultMaxEntries)
}

// Stats are the table's counters and gauges.
type Stats struct {
	// Requests is how many requests (ARP requests, Neighbor
	// Solicitations) the table asked the caller to send: first misses
	// (Resolve), retransmissions and probes (Tick, and Resolve for a
	// late DELAY entry), and the first probe of a claimed change
	// (Input).
	Requests uint64
	// Replies is how many answers were accepted: Replies while asking,
	// solicited Advertisements.
	Replies uint64
	// Learned is how many entries were created or changed at once by
	// messages that were not accepted answers: Solicitations,
	// unsolicited Advertisements, and with AcceptUnsolicited the rest.
	// Changes that waited for a probe are in ChangesConfirmed.
	Learned uint64
	// ChangesRefused is how many claimed new addresses were refused
	// because the address in use answered a probe (or an upper layer
	// confirmed it): forged, most likely.
	ChangesRefused uint64
	// ChangesConfirmed is how many claimed new addresses took effect
	// because the address in use stopped answering.
	ChangesConfirmed uint64
	// Ignored is how many messages changed nothing: answers to no
	// question, announcements, Advertisements for no entry, messages
	// about static entries, and senders that cannot be neighbours (the
	// unspecified, broadcast or a multicast address, a multicast
	// link-layer address).
	Ignored uint64
	// Queued is how many datagrams were held waiting for resolution.
	Queued uint64
	// QueueDrops is how many datagrams could not be held (queue or byte
	// bound, table full, too long), were pushed out of a queue
	// (DropOldest), or were discarded with their entry (SetStatic,
	// Remove).
	QueueDrops uint64
	// Failures is how many resolutions ran out of requests.
	Failures uint64
	// Unresolved is how many held datagrams were given up with a
	// resolution that failed: handed to Tick's failed callback, which
	// tells their senders (a Dial fails with EHOSTUNREACH), and dropped.
	Unresolved uint64
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

// Entry is a snapshot of one table entry.
type Entry struct {
	Addr     netip.Addr
	LinkAddr ethernet.Addr // zero while INCOMPLETE
	State    State
	// IsRouter is RFC 4861's IsRouter flag.
	IsRouter bool
	// Expires is when the entry next changes by itself: the next request
	// (INCOMPLETE, PROBE), the first probe (DELAY), the move to STALE
	// (REACHABLE), removal if still unused (STALE); zero for STATIC.
	Expires time.Time
	// Queued is the number of datagrams waiting (INCOMPLETE).
	Queued int
	// Claimed is the new address claimed for the neighbour while the
	// address in use, LinkAddr, is probed (PROBE, with ConfirmChanges);
	// zero otherwise.
	Claimed ethernet.Addr
}

// entry is one neighbour.
type entry struct {
	ip     netip.Addr
	mac    ethernet.Addr
	state  State
	router bool
	tries  int // requests sent in INCOMPLETE or PROBE
	// reachUntil is the end of REACHABLE: the last confirmation plus
	// the ReachableTime of that moment, so that a new ReachableTime
	// never makes a deadline already reported late.
	reachUntil time.Time
	// touched is the last use or update: a STALE entry is removed at
	// touched + StaleTime.
	touched time.Time
	// deadline is the next request (INCOMPLETE, PROBE) or the end of
	// DELAY.
	deadline time.Time
	queue    [][]byte // held datagrams (INCOMPLETE), oldest first
	qbytes   int      // their buffers' capacity
	// claim is the new address claimed for the neighbour, which takes
	// effect if mac does not answer the probes (PROBE); zero when there
	// is none, which no neighbour's address can be.
	claim ethernet.Addr

	chain      *entry // the next entry whose key is the same
	prev, next *entry // all entries, in order of creation
}

// Table is a neighbour table for one address family on one link. Create
// it with New.
type Table struct {
	cfg Config

	mu sync.Mutex
	// index finds an entry by its address's key (see key); the few
	// addresses that share a key are chained.
	index map[uint64]*entry
	// last is the entry find returned last, tried before the index: a
	// host sends mostly to one neighbour (its router, or a peer), and
	// comparing the address costs less than keying it, which for IPv6
	// stalls on a 16-byte copy.
	last       *entry
	head, tail *entry // every entry, oldest first: Tick's order
	n, nstatic int
	qbytes     int       // capacity of held buffers, ≤ MaxQueuedBytes
	next       time.Time // earliest deadline known (may be early, never late)
	stats      Stats

	mix       uint64     // odd multiplier of key, secret when Rand is given
	rnd       *rand.Rand // nil without Config.Rand
	reachable time.Duration
	drawn     time.Time // when reachable was drawn; zero until first used

	pool       bufpool.Pool
	freeEnts   []*entry   // removed entries, for reuse
	freeQueues [][][]byte // emptied queue slices, for reuse
	freeSlots  int        // their capacity

	// tickMu serializes Tick, which owns the scratch slices.
	tickMu    sync.Mutex
	tickReqs  []tickRequest
	tickFails [][]byte
}

// tickRequest is a request Tick has the caller send: for ip, to the
// link-layer address to, or to the protocol's broadcast or multicast
// destination if to is zero.
type tickRequest struct {
	ip netip.Addr
	to ethernet.Addr
}

// New returns an empty table.
func New(cfg Config) *Table {
	cfg.fill()
	t := &Table{
		cfg:   cfg,
		index: make(map[uint64]*entry),
		mix:   0x9e3779b97f4a7c15,
	}
	if cfg.Rand != nil {
		t.rnd = rand.New(cfg.Rand)
		t.mix = t.rnd.Uint64() | 1
	}
	t.draw()
	// Free buffers are kept up to the queue bound, so the memory of
	// the table's buffers never exceeds twice MaxQueuedBytes.
	t.pool.SetMaxFree(cfg.MaxQueuedBytes)
	return t
}

// Config returns the configuration in effect, defaults filled in, with
// BaseReachableTime and RetransTime as last set.
func (t *Table) Config() Config {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.cfg
}

// key folds an address into the index's key. An IPv4 address is its own
// key, so IPv4 keys never collide; IPv6 neighbours on a link share a few prefixes, so the
// low half (the interface identifier) tells them apart and the prefix is
// mixed in by a multiplication whose factor an attacker choosing
// addresses cannot know, when the table has a random source. A uint64 key
// takes the map's fast path: a third of the cost of hashing 16 bytes, on
// every datagram sent.
func (t *Table) key(ip netip.Addr) uint64 {
	if ip.Is4() {
		// As16 costs more than the map lookup it serves.
		b := ip.As4()
		return uint64(binary.BigEndian.Uint32(b[:]))
	}
	b := ip.As16()
	return binary.BigEndian.Uint64(b[8:]) ^ binary.BigEndian.Uint64(b[:8])*t.mix
}

// unzoned drops ip's zone: a table serves one link, and an address is the
// same neighbour written with or without it.
func unzoned(ip netip.Addr) netip.Addr {
	if ip.Is6() {
		return ip.WithZone("")
	}
	return ip
}

// find returns the entry for ip, or nil.
func (t *Table) find(ip netip.Addr) *entry {
	if e := t.last; e != nil && e.ip == ip {
		return e
	}
	for e := t.index[t.key(ip)]; e != nil; e = e.chain {
		if e.ip == ip {
			t.last = e
			return e
		}
	}
	return nil
}

// draw sets ReachableTime from BaseReachableTime.
func (t *Table) draw() {
	base := t.cfg.BaseReachableTime
	if t.rnd == nil {
		t.reachable = base
		return
	}
	t.reachable = base/2 + time.Duration(t.rnd.Int64N(int64(base)))
}

// reachableTime returns ReachableTime at now, drawing it again when it is
// ReachableRedraw old.
func (t *Table) reachableTime(now time.Time) time.Duration {
	if t.rnd != nil {
		switch {
		case t.drawn.IsZero():
			t.drawn = now
		case now.Sub(t.drawn) >= ReachableRedraw:
			t.draw()
			t.drawn = now
		}
	}
	return t.reachable
}

// ReachableTime returns RFC 4861's ReachableTime as last drawn.
func (t *Table) ReachableTime() time.Duration {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.reachable
}

// SetBaseReachableTime sets BaseReachableTime, from a Router
// Advertisement's Reachable Time (RFC 4861 6.3.4), drawing ReachableTime
// again if it changed. Entries already REACHABLE keep the time they were
// given. A zero or negative d changes nothing (an RA's 0 means
// unspecified).
func (t *Table) SetBaseReachableTime(d time.Duration, now time.Time) {
	if d <= 0 {
		return
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	if d == t.cfg.BaseReachableTime {
		return
	}
	t.cfg.BaseReachableTime = d
	t.draw()
	t.drawn = now
}

// SetRetransTime sets RetransTime, from a Router Advertisement's Retrans
// Timer (RFC 4861 6.3.4); requests already scheduled keep their time. A
// zero or negative d changes nothing.
func (t *Table) SetRetransTime(d time.Duration) {
	if d <= 0 {
		return
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	t.cfg.RetransTime = d
}

// lower records a new deadline d.
func (t *Table) lower(d time.Time) {
	if t.next.IsZero() || d.Before(t.next) {
		t.next = d
	}
}

// age moves a REACHABLE entry whose time has run out to STALE, as the
// next Tick would.
func (t *Table) age(e *entry, now time.Time) {
	if e.state == StateReachable && !now.Before(e.reachUntil) {
		e.state = StateStale
		t.lower(e.touched.Add(t.cfg.StaleTime))
	}
}

// Resolution is what Resolve found, and what the caller must do.
type Resolution struct {
	// LinkAddr is the neighbour's link-layer address when OK.
	LinkAddr ethernet.Addr
	// OK reports that the address is known: send the datagram to
	// LinkAddr now.
	OK bool
	// Solicit asks the caller to send a request for the address now: to
	// SolicitTo, or to the protocol's broadcast or multicast destination
	// when SolicitTo is zero. The table then has a deadline RetransTime
	// away: a caller whose timer is armed later re-arms it (Deadline
	// tells when).
	Solicit   bool
	SolicitTo ethernet.Addr
	// Dropped reports that a datagram was discarded: the one given,
	// which could not be held, or with DropOldest the oldest one held.
	// The caller counts it as a discard.
	Dropped bool
}

// Resolve is called for every datagram to send to the neighbour ip. If
// the address is known (REACHABLE, STALE, DELAY, PROBE or STATIC) it
// returns it with OK. The first use of a STALE entry starts DELAY; when a
// DELAY entry is used after its DelayTime, Resolve starts PROBE itself
// and asks for the first probe along with OK.
//
// Otherwise pkt is copied into the entry's queue (the caller keeps pkt),
// and the entry is created INCOMPLETE if it is new, with a request to
// send now. Retries come from Tick. A nil or empty pkt starts resolution
// without queueing anything.
func (t *Table) Resolve(ip netip.Addr, pkt []byte, now time.Time) (r Resolution) {
	ip = unzoned(ip)
	t.mu.Lock()
	defer t.mu.Unlock()
	e := t.find(ip)
	if e != nil {
		switch e.state {
		case StateStatic, StateProbe:
			return Resolution{LinkAddr: e.mac, OK: true}
		case StateReachable:
			if now.Before(e.reachUntil) {
				e.touched = now
				return Resolution{LinkAddr: e.mac, OK: true}
			}
			e.state = StateStale
			fallthrough
		case StateStale:
			e.state = StateDelay
			e.touched = now
			e.deadline = now.Add(t.cfg.DelayTime)
			t.lower(e.deadline)
			return Resolution{LinkAddr: e.mac, OK: true}
		case StateDelay:
			e.touched = now
			if now.Before(e.deadline) {
				return Resolution{LinkAddr: e.mac, OK: true}
			}
			t.startProbe(e, now)
			return Resolution{LinkAddr: e.mac, OK: true, Solicit: true, SolicitTo: t.probeTo(e)}
		}
		// INCOMPLETE: queue below.
	} else {
		if e = t.newEntry(ip, now); e == nil {
			if len(pkt) > 0 {
				t.stats.QueueDrops++
				r.Dropped = true
			}
			return r
		}
		e.state = StateIncomplete
		e.tries = 1
		e.touched = now
		e.deadline = now.Add(t.cfg.RetransTime)
		t.lower(e.deadline)
		t.stats.Requests++
		r.Solicit = true
	}
	if len(pkt) == 0 {
		return r
	}
	size := bufpool.Size(len(pkt))
	if size < 0 || !t.fits(e, size) && (!t.cfg.DropOldest || t.qbytes-e.qbytes+size > t.cfg.MaxQueuedBytes) {
		// Not even emptying e's queue would make room.
		t.stats.QueueDrops++
		r.Dropped = true
		return r
	}
	for !t.fits(e, size) {
		t.dropFirst(e)
		r.Dropped = true
	}
	if e.queue == nil {
		e.queue = t.getQueue()
	}
	b := t.pool.Get(len(pkt))
	copy(b, pkt)
	e.queue = append(e.queue, b)
	e.qbytes += cap(b)
	t.qbytes += cap(b)
	t.stats.Queued++
	return r
}

// fits reports whether e's queue can take a buffer of size bytes.
func (t *Table) fits(e *entry, size int) bool {
	return len(e.queue) < t.cfg.MaxQueued && t.qbytes+size <= t.cfg.MaxQueuedBytes
}

// dropFirst discards the oldest datagram e holds (DropOldest).
func (t *Table) dropFirst(e *entry) {
	b := e.queue[0]
	n := copy(e.queue, e.queue[1:])
	e.queue[n] = nil
	e.queue = e.queue[:n]
	e.qbytes -= cap(b)
	t.qbytes -= cap(b)
	t.pool.Put(b)
	t.stats.QueueDrops++
}

// probeTo returns where the probes of e, in PROBE, go: the address in
// use when a claim is checked or UnicastProbes asks, else zero for the
// protocol's broadcast or multicast destination.
func (t *Table) probeTo(e *entry) ethernet.Addr {
	if e.claim != (ethernet.Addr{}) || t.cfg.UnicastProbes {
		return e.mac
	}
	return ethernet.Addr{}
}

// startProbe moves e to PROBE and counts its first request, which the
// caller sends.
func (t *Table) startProbe(e *entry, now time.Time) {
	e.state = StateProbe
	e.tries = 1
	e.deadline = now.Add(t.cfg.RetransTime)
	t.lower(e.deadline)
	t.stats.Requests++
}

// newEntry returns a new entry for ip, or nil when the table is full of
// entries that may not be evicted.
func (t *Table) newEntry(ip netip.Addr, now time.Time) *entry {
	if t.n-t.nstatic >= t.cfg.MaxEntries && !t.evict(now) {
		t.stats.TableFull++
		return nil
	}
	return t.insert(ip)
}

// insert adds an empty entry for ip, indexed and last in the list.
func (t *Table) insert(ip netip.Addr) *entry {
	var e *entry
	if n := len(t.freeEnts); n > 0 {
		e = t.freeEnts[n-1]
		t.freeEnts[n-1] = nil
		t.freeEnts = t.freeEnts[:n-1]
	} else {
		e = new(entry)
	}
	k := t.key(ip)
	*e = entry{ip: ip, chain: t.index[k], prev: t.tail}
	t.index[k] = e
	if t.tail != nil {
		t.tail.next = e
	} else {
		t.head = e
	}
	t.tail = e
	t.n++
	return e
}

// evict removes the least recently used STALE entry (a REACHABLE one
// whose time has run out counts as STALE), reporting whether there was
// one. It scans the table, which happens only when the table is full.
func (t *Table) evict(now time.Time) bool {
	var victim *entry
	for e := t.head; e != nil; e = e.next {
		if e.state != StateStale && (e.state != StateReachable || now.Before(e.reachUntil)) {
			continue
		}
		if victim == nil || e.touched.Before(victim.touched) {
			victim = e
		}
	}
	if victim == nil {
		return false
	}
	t.removeEntry(victim)
	t.stats.Evictions++
	return true
}

// removeEntry unlinks e and recycles it; datagrams it still holds are
// discarded and counted.
func (t *Table) removeEntry(e *entry) {
	if t.last == e {
		t.last = nil
	}
	k := t.key(e.ip)
	if p := t.index[k]; p == e {
		if e.chain != nil {
			t.index[k] = e.chain
		} else {
			delete(t.index, k)
		}
	} else {
		for p.chain != e {
			p = p.chain
		}
		p.chain = e.chain
	}
	if e.prev != nil {
		e.prev.next = e.next
	} else {
		t.head = e.next
	}
	if e.next != nil {
		e.next.prev = e.prev
	} else {
		t.tail = e.prev
	}
	t.n--
	if e.state == StateStatic {
		t.nstatic--
	}
	if e.queue != nil {
		t.dropQueue(e)
	}
	*e = entry{}
	if len(t.freeEnts) < t.cfg.MaxEntries {
		t.freeEnts = append(t.freeEnts, e)
	}
}

// dropQueue discards e's held datagrams, counting them.
func (t *Table) dropQueue(e *entry) {
	t.stats.QueueDrops += uint64(len(e.queue))
	t.putQueue(takeQueue(e))
}

// getQueue returns an empty queue slice. A new one starts small and
// grows as datagrams come: at MaxQueued slots from the start, a thousand
// INCOMPLETE entries holding a datagram each would take 3 MiB of slots
// that MaxQueuedBytes does not count. Free slices are kept up to as many
// slots as MaxQueuedBytes can fill with the smallest buffers, so the
// slots, in use or free, stay within twice that.
func (t *Table) getQueue() [][]byte {
	if n := len(t.freeQueues); n > 0 {
		q := t.freeQueues[n-1]
		t.freeQueues[n-1] = nil
		t.freeQueues = t.freeQueues[:n-1]
		t.freeSlots -= cap(q)
		return q
	}
	return make([][]byte, 0, min(4, t.cfg.MaxQueued))
}

// putQueue returns the buffers of q to the pool and q to the free list.
func (t *Table) putQueue(q [][]byte) {
	for _, b := range q {
		t.qbytes -= cap(b)
		t.pool.Put(b)
	}
	t.putQueueSliceOnly(q)
}

// putQueueSliceOnly recycles a queue slice whose buffers were handed on.
func (t *Table) putQueueSliceOnly(q [][]byte) {
	clear(q)
	if c := cap(q); c > 0 && t.freeSlots+c <= t.cfg.MaxQueuedBytes/bufpool.Size(0) {
		t.freeQueues = append(t.freeQueues, q[:0])
		t.freeSlots += c
	}
}

// takeQueue detaches e's queue for delivery outside the lock; the
// buffers stay counted in the table's bytes until putQueue.
func takeQueue(e *entry) [][]byte {
	q := e.queue
	e.queue = nil
	e.qbytes = 0
	return q
}

// setReachable gives e the address mac, just confirmed, and drops any
// claim.
func (t *Table) setReachable(e *entry, mac ethernet.Addr, now time.Time) {
	e.mac = mac
	e.claim = ethernet.Addr{}
	e.state = StateReachable
	e.tries = 0
	e.touched = now
	e.reachUntil = now.Add(t.reachableTime(now))
	t.lower(e.reachUntil)
}

// setStale gives e the address mac, unconfirmed.
func (t *Table) setStale(e *entry, mac ethernet.Addr, now time.Time) {
	e.mac = mac
	e.claim = ethernet.Addr{}
	e.state = StateStale
	e.tries = 0
	e.touched = now
	t.lower(now.Add(t.cfg.StaleTime))
}

// Confirm records that an upper layer has proof the neighbour at ip is
// reachable (RFC 4861 7.3.1: a TCP acknowledgment of new data sent
// through it, for instance): an entry that has an address becomes
// REACHABLE, without the probe a STALE entry would get. It creates
// nothing and changes no address, so it cannot poison the table. While a
// new address claimed for the neighbour is checked, the proof came
// through the address in use: the claim is refused, as if that address
// had answered the probe. It allocates nothing, and costs a map lookup
// under the table's lock: a transport may call it for every
// acknowledgment that advances.
func (t *Table) Confirm(ip netip.Addr, now time.Time) {
	ip = unzoned(ip)
	t.mu.Lock()
	defer t.mu.Unlock()
	e := t.find(ip)
	if e == nil {
		return
	}
	switch e.state {
	case StateReachable, StateStale, StateDelay, StateProbe:
		if e.claim != (ethernet.Addr{}) {
			t.stats.ChangesRefused++
			e.claim = ethernet.Addr{}
		}
		e.state = StateReachable
		e.tries = 0
		e.reachUntil = now.Add(t.reachableTime(now))
		t.lower(e.reachUntil)
	}
}

// Tick advances the timers to now. It calls request for every entry
// whose next request is due (retransmissions while INCOMPLETE, probes of
// used STALE entries and of addresses a change was claimed for) and, for
// each entry that ran out of requests while INCOMPLETE, failed for each
// of its held datagrams, in order (the stack answers them with ICMP
// destination unreachable, rate-limited); that entry is removed, as is a
// PROBE entry that ran out of probes, unless a new address was claimed
// for it: then it takes that address, STALE. REACHABLE entries age to
// STALE, and STALE entries unused for StaleTime are removed. Entries are
// visited in the order they were created, so that the requests of one
// Tick go out in an order a replayed test reproduces. The callbacks run
// after the lock is released; failed's slice is valid only during the
// call. Either callback may be nil.
//
// request's to is zero for a request to the protocol's broadcast or
// multicast destination (resolution; PROBE without UnicastProbes), and a
// neighbour's address for one to unicast to it (PROBE with
// UnicastProbes, and always when a claimed change is checked: only the
// address in use can refuse it).
//
// Tick returns the time of the next deadline, or the zero time if there
// is none, for the caller to arm one timer.
func (t *Table) Tick(now time.Time, request func(ip netip.Addr, to ethernet.Addr), failed func(pkt []byte)) (next time.Time) {
	t.tickMu.Lock()
	defer t.tickMu.Unlock()
	reqs, fails := t.tickReqs[:0], t.tickFails[:0]

	t.mu.Lock()
	earliest := func(d time.Time) {
		if next.IsZero() || d.Before(next) {
			next = d
		}
	}
	for e, after := t.head, (*entry)(nil); e != nil; e = after {
		after = e.next // e may be removed
		switch e.state {
		case StateIncomplete, StateProbe:
			if now.Before(e.deadline) {
				break
			}
			limit := t.cfg.MaxUnicastSolicit
			if e.state == StateIncomplete {
				limit = t.cfg.MaxMulticastSolicit
			}
			if e.tries >= limit {
				if e.claim != (ethernet.Addr{}) {
					// The address in use is silent: the
					// neighbour has moved.
					t.stats.ChangesConfirmed++
					t.setStale(e, e.claim, now)
					earliest(e.touched.Add(t.cfg.StaleTime))
					continue
				}
				if e.state == StateIncomplete {
					t.stats.Failures++
					t.stats.Unresolved += uint64(len(e.queue))
					fails = append(fails, e.queue...)
					t.putQueueSliceOnly(takeQueue(e))
				} else {
					t.stats.ProbeFailures++
				}
				t.removeEntry(e)
				continue
			}
			e.tries++
			e.deadline = now.Add(t.cfg.RetransTime)
			t.stats.Requests++
			r := tickRequest{ip: e.ip}
			if e.state == StateProbe {
				r.to = t.probeTo(e)
			}
			reqs = append(reqs, r)
		case StateDelay:
			if !now.Before(e.deadline) {
				t.startProbe(e, now)
				reqs = append(reqs, tickRequest{ip: e.ip, to: t.probeTo(e)})
			}
		case StateReachable:
			if now.Before(e.reachUntil) {
				earliest(e.reachUntil)
				continue
			}
			e.state = StateStale
			fallthrough
		case StateStale:
			if gc := e.touched.Add(t.cfg.StaleTime); now.Before(gc) {
				earliest(gc)
			} else {
				t.removeEntry(e)
			}
			continue
		default:
			continue
		}
		earliest(e.deadline)
	}
	t.next = next
	t.mu.Unlock()

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
		t.mu.Lock()
		for _, b := range fails {
			t.qbytes -= cap(b)
			t.pool.Put(b)
		}
		t.mu.Unlock()
	}
	clear(reqs)
	clear(fails)
	t.tickReqs, t.tickFails = reqs[:0], fails[:0]
	return next
}

// Deadline returns the earliest time at which Tick has work, or the zero
// time if there is none. It may be earlier than needed (an entry whose
// deadline it was has since been resolved or removed), never later.
func (t *Table) Deadline() time.Time {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.next
}

// Lookup returns a snapshot of the entry for ip without changing
// anything (it does not count as a use), and whether there is one.
func (t *Table) Lookup(ip netip.Addr) (Entry, bool) {
	ip = unzoned(ip)
	t.mu.Lock()
	defer t.mu.Unlock()
	e := t.find(ip)
	if e == nil {
		return Entry{}, false
	}
	return t.snapshot(e), true
}

// snapshot describes e.
func (t *Table) snapshot(e *entry) Entry {
	x := Entry{Addr: e.ip, LinkAddr: e.mac, State: e.state, IsRouter: e.router, Queued: len(e.queue), Claimed: e.claim}
	switch e.state {
	case StateIncomplete, StateProbe, StateDelay:
		x.Expires = e.deadline
	case StateReachable:
		x.Expires = e.reachUntil
	case StateStale:
		x.Expires = e.touched.Add(t.cfg.StaleTime)
	}
	return x
}

// SetStatic sets a static entry for ip, replacing any entry there.
// Static entries do not count against MaxEntries, never expire and are
// never changed by received messages; only SetStatic and Remove change
// them. Datagrams waiting on an INCOMPLETE entry it replaces are
// discarded (counted in QueueDrops).
func (t *Table) SetStatic(ip netip.Addr, mac ethernet.Addr) {
	ip = unzoned(ip)
	t.mu.Lock()
	defer t.mu.Unlock()
	e := t.find(ip)
	if e == nil {
		// Static entries need no room: they are not counted.
		e = t.insert(ip)
		t.nstatic++
	} else {
		if e.queue != nil {
			t.dropQueue(e)
		}
		if e.state != StateStatic {
			t.nstatic++
		}
	}
	e.mac, e.state = mac, StateStatic
	e.router, e.tries, e.claim = false, 0, ethernet.Addr{}
	e.reachUntil, e.touched, e.deadline = time.Time{}, time.Time{}, time.Time{}
}

// Remove deletes the entry for ip, static or not, reporting whether there
// was one. Datagrams waiting on it are discarded (counted in QueueDrops).
func (t *Table) Remove(ip netip.Addr) bool {
	ip = unzoned(ip)
	t.mu.Lock()
	defer t.mu.Unlock()
	e := t.find(ip)
	if e == nil {
		return false
	}
	t.removeEntry(e)
	return true
}

// Entries returns a snapshot of the entries, sorted by address, for
// diagnostics and tests. It allocates.
func (t *Table) Entries() []Entry {
	t.mu.Lock()
	out := make([]Entry, 0, t.n)
	for e := t.head; e != nil; e = e.next {
		out = append(out, t.snapshot(e))
	}
	t.mu.Unlock()
	slices.SortFunc(out, func(a, b Entry) int { return a.Addr.Compare(b.Addr) })
	return out
}

// Stats returns the counters.
func (t *Table) Stats() Stats {
	t.mu.Lock()
	defer t.mu.Unlock()
	s := t.stats
	s.Entries = t.n
	s.QueuedBytes = t.qbytes
	return s
}
