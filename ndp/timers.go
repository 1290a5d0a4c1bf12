package ndp

import (
	"net/netip"
	"slices"
	"time"
)

// advance runs every timer due by now and returns (and records) the next
// deadline. The caller holds the lock.
func (n *NDP) advance(now time.Time) time.Time {
	var next time.Time
	at := func(t time.Time) {
		if !t.IsZero() && (next.IsZero() || t.Before(next)) {
			next = t
		}
	}

	// Addresses: DAD first, because a DAD that starts joins a group
	// whose report must leave before the solicitation (RFC 4862 5.4.2).
	n.dadNS = n.dadNS[:0]
	for i := 0; i < len(n.addrs); i++ {
		a := n.addrs[i]
		if expired(a.validUntil, now) {
			n.dropAddr(i, now)
			if a.state != StateDuplicate {
				n.addrEvent(EventAddrRemoved, a)
			}
			i--
			continue
		}
		switch a.state {
		case StateTentative:
			if !n.started || now.Before(a.dadNext) {
				break
			}
			if a.dadSent == 0 && !a.joined {
				n.join(solicitedNode(a.addr), now)
				a.joined = true
			}
			if a.dadSent < n.cfg.DADTransmits {
				a.dadSent++
				a.dadNext = now.Add(n.retrans)
				n.dadNS = append(n.dadNS, a)
				break
			}
			// DupAddrDetectTransmits solicitations and RetransTimer
			// after the last, no answer: the address is ours.
			n.stats.DADSucceeded++
			a.state = StatePreferred
			n.addrEvent(EventAddrPreferred, a)
			if expired(a.preferredUntil, now) {
				a.state = StateDeprecated
				n.addrEvent(EventAddrDeprecated, a)
			}
		case StatePreferred:
			if expired(a.preferredUntil, now) {
				a.state = StateDeprecated
				n.addrEvent(EventAddrDeprecated, a)
			}
		case StateDeprecated:
			if !expired(a.preferredUntil, now) {
				// An RA extended its preferred lifetime.
				a.state = StatePreferred
				n.addrEvent(EventAddrPreferred, a)
			}
		}
		switch a.state {
		case StateTentative:
			if n.started {
				at(a.dadNext)
			}
		case StatePreferred:
			at(a.preferredUntil)
		}
		at(a.validUntil)
	}

	// MLD: state-change reports (the joins above among them), answers
	// to queries. Nothing is sent before Start: groups joined before it
	// are reported then.
	if n.started {
		n.mldAdvance(now, at)
	}

	for _, a := range n.dadNS {
		n.stats.OutDADSolicits++
		n.send(intent{kind: MsgDADSolicit, src: netip.IPv6Unspecified(), dst: solicitedNode(a.addr), target: a.addr, nonce: a.nonce})
	}
	clear(n.dadNS)

	// Router Solicitation (RFC 4861 6.3.7).
	if n.started && !n.cfg.NoRouterDiscovery && !n.rsDone && n.rsSent < MaxRtrSolicitations {
		if !now.Before(n.rsNext) {
			src, _ := n.linkLocal()
			if !src.IsValid() {
				src = netip.IPv6Unspecified()
			}
			n.rsSent++
			n.rsNext = now.Add(RtrSolicitationInterval)
			n.stats.OutRouterSolicits++
			n.send(intent{kind: MsgRouterSolicit, src: src, dst: allRouters})
		}
		if n.rsSent < MaxRtrSolicitations {
			at(n.rsNext)
		}
	}

	// Lifetimes of what RAs gave.
	n.routers = slices.DeleteFunc(n.routers, func(r Router) bool {
		if expired(r.Expires, now) {
			n.event(Event{Kind: EventRouterRemoved, Router: r.Addr, LinkAddr: r.LinkAddr})
			return true
		}
		at(r.Expires)
		return false
	})
	n.prefixes = slices.DeleteFunc(n.prefixes, func(p Prefix) bool {
		if expired(p.Expires, now) {
			n.event(Event{Kind: EventPrefixRemoved, Prefix: p.Prefix})
			return true
		}
		at(p.Expires)
		return false
	})
	routes := len(n.routes)
	n.routes = slices.DeleteFunc(n.routes, func(r Route) bool {
		if expired(r.Expires, now) {
			return true
		}
		at(r.Expires)
		return false
	})
	if len(n.routes) != routes {
		n.event(Event{Kind: EventRoutesChanged})
	}
	dns := len(n.rdnss) + len(n.dnssl)
	n.rdnss = slices.DeleteFunc(n.rdnss, func(s DNSServer) bool {
		if expired(s.Expires, now) {
			return true
		}
		at(s.Expires)
		return false
	})
	n.dnssl = slices.DeleteFunc(n.dnssl, func(s SearchDomain) bool {
		if expired(s.Expires, now) {
			return true
		}
		at(s.Expires)
		return false
	})
	if len(n.rdnss)+len(n.dnssl) != dns {
		n.event(Event{Kind: EventDNSChanged})
	}

	n.next = next
	return next
}
