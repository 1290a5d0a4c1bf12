package neigh

import (
	"net/netip"
	"time"

	"github.com/medina-net/medina/ethernet"
)

// Kind says what a received message tells the table about a neighbour;
// see the package documentation.
type Kind uint8

// Kinds of message.
const (
	// Solicitation: the neighbour gave its address unasked, and is about
	// to need ours (ARP request for our address; NS, RS, RA, Redirect).
	// It creates an entry.
	Solicitation Kind = iota + 1
	// Advertisement: a Neighbor Advertisement, with Solicited and
	// Override (RFC 4861 7.2.5). It never creates an entry.
	Advertisement
	// Reply: an ARP reply, believed only while the entry asks.
	Reply
	// Announcement: gratuitous ARP and other news nobody asked for,
	// ignored unless Config.AcceptUnsolicited.
	Announcement
)

// RouterFlag is what a message says of the neighbour's IsRouter flag.
type RouterFlag uint8

// What a message says of IsRouter.
const (
	// RouterUnknown: nothing (ARP; an NS). A new entry is not a router.
	RouterUnknown RouterFlag = iota
	// RouterNo: the neighbour is a host (an NA with R clear; an RS, RFC
	// 4861 6.2.6).
	RouterNo
	// RouterYes: the neighbour is a router (an NA with R set; an RA; a
	// Redirect's target other than the destination, RFC 4861 8.3).
	RouterYes
)

// Message is a received message about one neighbour, as the table needs
// it.
type Message struct {
	Kind Kind
	// LinkAddr is the neighbour's link-layer address the message gives
	// (ARP's sender hardware address, NDP's source or target link-layer
	// address option), or zero when it gives none: an Advertisement
	// without one confirms the address cached (RFC 4861 7.2.5), a
	// Solicitation without one only sets IsRouter, and the other kinds
	// are ignored.
	LinkAddr ethernet.Addr
	// Solicited and Override are an Advertisement's S and O flags.
	Solicited, Override bool
	// Router is what the message says of IsRouter.
	Router RouterFlag
}

// Result is what Input asks of the caller.
type Result struct {
	// Probe asks the caller to send a request for the neighbour to
	// ProbeTo now, and to nobody else: a new address was claimed for a
	// neighbour whose address, ProbeTo, is known (Config.ConfirmChanges),
	// and only that address can say the claim is false. Tick sends the
	// others; the table then has a deadline RetransTime away, which a
	// caller whose timer is armed later re-arms for (Deadline).
	Probe   bool
	ProbeTo ethernet.Addr
	// RouterLost reports that the neighbour's IsRouter flag went from
	// true to false: RFC 4861 7.2.5 has the node remove it from the
	// Default Router List and stop routing through it.
	RouterLost bool
}

// usable reports whether ip can be a neighbour's address: not
// unspecified, multicast or IPv4's limited broadcast (RFC 5227 probes
// come from 0.0.0.0; RFC 4861 7.1 forbids the others).
func usable(ip netip.Addr) bool {
	return ip.IsValid() && !ip.IsUnspecified() && !ip.IsMulticast() &&
		ip != netip.AddrFrom4([4]byte{255, 255, 255, 255})
}

// Input handles a received message about the neighbour ip; the caller
// has checked the message itself (its checksum, its hop limit, that it
// targets one of our addresses where the protocol requires it). See the
// package documentation and Kind for what each message does.
//
// When the entry had datagrams waiting and the message gave their
// address, Input calls deliver for each, in order, after releasing its
// lock: send it to m.LinkAddr. The slice is valid only during the call.
// A nil deliver discards them.
func (t *Table) Input(ip netip.Addr, m Message, now time.Time, deliver func(pkt []byte)) Result {
	ip = unzoned(ip)
	t.mu.Lock()
	q, r := t.input(ip, m, now)
	t.mu.Unlock()
	if q == nil {
		return r
	}
	if deliver != nil {
		for _, b := range q {
			deliver(b)
		}
	}
	t.mu.Lock()
	if deliver == nil {
		t.stats.QueueDrops += uint64(len(q))
	}
	t.putQueue(q)
	t.mu.Unlock()
	return r
}

// input is Input under the lock; it returns the queue to deliver.
func (t *Table) input(ip netip.Addr, m Message, now time.Time) (q [][]byte, r Result) {
	if !usable(ip) || m.LinkAddr.IsMulticast() {
		t.stats.Ignored++
		return nil, r
	}
	e := t.find(ip)
	if e != nil && e.state == StateStatic {
		t.stats.Ignored++
		return nil, r
	}
	if e != nil {
		t.age(e, now)
	}
	if m.LinkAddr == (ethernet.Addr{}) {
		switch {
		case m.Kind == Advertisement && e != nil && e.state != StateIncomplete:
			// RFC 4861 7.2.5: without a target link-layer address,
			// an NA is about the address cached.
			m.LinkAddr = e.mac
		case m.Kind == Solicitation && e != nil && m.Router != RouterUnknown:
			// An RA or RS without a source link-layer address
			// still says whether the neighbour is a router (RFC
			// 4861 6.3.4, 6.2.6).
			r.RouterLost = setRouter(e, m.Router)
			return nil, r
		default:
			t.stats.Ignored++
			return nil, r
		}
	}
	if e != nil && e.claim != (ethernet.Addr{}) {
		return nil, t.inputClaimed(e, m, now)
	}
	switch m.Kind {
	case Solicitation:
		if e == nil {
			if e = t.newEntry(ip, now); e != nil {
				t.stats.Learned++
				t.setStale(e, m.LinkAddr, now)
				setRouter(e, m.Router)
			}
			return nil, r
		}
		return t.update(e, m, now)
	case Advertisement:
		return t.advertisement(e, m, now)
	case Reply:
		if e != nil && (e.state == StateIncomplete || e.state == StateProbe) {
			t.stats.Replies++
			t.setReachable(e, m.LinkAddr, now)
			return takeQueue(e), r
		}
		if t.cfg.AcceptUnsolicited && e != nil {
			return t.update(e, m, now)
		}
	case Announcement:
		if t.cfg.AcceptUnsolicited && e != nil {
			return t.update(e, m, now)
		}
	}
	t.stats.Ignored++
	return nil, r
}

// update gives e the address of a Solicitation, or of news accepted
// unasked (RFC 4861 7.2.3 and Appendix C's rows for NS, RS, RA and
// Redirect): a new address makes the entry STALE, and datagrams waiting
// for it go; the same address changes nothing but IsRouter. With
// ConfirmChanges, a new address for an entry whose address is known is
// claimed instead, and the address in use probed.
func (t *Table) update(e *entry, m Message, now time.Time) (q [][]byte, r Result) {
	r.RouterLost = setRouter(e, m.Router)
	if e.state != StateIncomplete {
		switch {
		case e.mac == m.LinkAddr:
			return nil, r
		case t.cfg.ConfirmChanges:
			return nil, t.claim(e, m.LinkAddr, now, r)
		}
	}
	t.stats.Learned++
	t.setStale(e, m.LinkAddr, now)
	return takeQueue(e), r
}

// claim holds mac aside as the address claimed for e, whose address in
// use is probed (ConfirmChanges).
func (t *Table) claim(e *entry, mac ethernet.Addr, now time.Time, r Result) Result {
	e.claim = mac
	t.startProbe(e, now)
	r.Probe, r.ProbeTo = true, e.mac
	return r
}

// advertisement applies a Neighbor Advertisement (RFC 4861 7.2.5) to e,
// whose address m.LinkAddr is unless e is INCOMPLETE and the NA gave
// none (input has dealt with that).
func (t *Table) advertisement(e *entry, m Message, now time.Time) (q [][]byte, r Result) {
	if e == nil {
		// "There is no need to create an entry if none exists, since
		// the recipient has apparently not initiated any
		// communication with the target."
		t.stats.Ignored++
		return nil, r
	}
	if e.state == StateIncomplete {
		if m.Solicited {
			t.stats.Replies++
			t.setReachable(e, m.LinkAddr, now)
		} else {
			t.stats.Learned++
			t.setStale(e, m.LinkAddr, now)
		}
		r.RouterLost = setRouter(e, m.Router)
		return takeQueue(e), r
	}
	same := m.LinkAddr == e.mac
	if !m.Override && !same {
		// The cached address stands; a REACHABLE entry is no longer
		// sure of it. The rest of the NA is ignored, IsRouter
		// included.
		if e.state == StateReachable {
			e.state = StateStale
			t.lower(e.touched.Add(t.cfg.StaleTime))
			return nil, r
		}
		t.stats.Ignored++
		return nil, r
	}
	r.RouterLost = setRouter(e, m.Router)
	switch {
	case !same && t.cfg.ConfirmChanges:
		return nil, t.claim(e, m.LinkAddr, now, r)
	case m.Solicited:
		t.stats.Replies++
		t.setReachable(e, m.LinkAddr, now)
	case !same:
		t.stats.Learned++
		t.setStale(e, m.LinkAddr, now)
	}
	// Unsolicited, same address: the state stays as it is (RFC 4861
	// 7.3.1: only a solicited advertisement confirms reachability).
	return nil, r
}

// inputClaimed handles a message about the neighbour of e while a new
// address claimed for it is checked: e is in PROBE at its old address.
func (t *Table) inputClaimed(e *entry, m Message, now time.Time) (r Result) {
	answer := m.Kind == Reply || m.Kind == Advertisement && m.Solicited
	switch {
	case answer && m.LinkAddr == e.mac:
		// The address in use answered: the neighbour has not moved,
		// and whoever claimed it had was wrong, or lying.
		t.stats.Replies++
		t.stats.ChangesRefused++
		t.setReachable(e, e.mac, now)
		r.RouterLost = setRouter(e, m.Router)
	case m.LinkAddr == e.mac:
		// A message from the address in use that answers nothing
		// proves nothing about reachability (RFC 4861 7.3.1 counts
		// only solicited answers); the probe decides.
		r.RouterLost = setRouter(e, m.Router)
	case answer:
		// Only the probed address can settle the claim; an answer
		// from another, the claimant's own most likely, proves
		// nothing.
		t.stats.Ignored++
	case m.Kind == Solicitation,
		m.Kind == Announcement && t.cfg.AcceptUnsolicited,
		m.Kind == Advertisement && m.Override:
		// A newer claim: it is the one that takes effect if the
		// address in use stays silent, as the latest news would
		// without the probe. The probe goes on as it was.
		e.claim = m.LinkAddr
	default:
		t.stats.Ignored++
	}
	return r
}

// setRouter applies f to e's IsRouter flag, reporting whether a router
// became a host.
func setRouter(e *entry, f RouterFlag) (lost bool) {
	switch f {
	case RouterYes:
		e.router = true
	case RouterNo:
		lost = e.router
		e.router = false
	}
	return lost
}
