package ndp

import (
	"net/netip"
	"slices"
	"time"

	"github.com/medina-net/medina/ethernet"
	"github.com/medina-net/medina/icmpv6"
)

// MaxOptionsPerRA bounds the options of each kind (prefixes, routes, DNS
// servers, search domains) one Router Advertisement is read for; the
// rest are dropped and counted (Stats.OptionsDropped). An RA within an
// Ethernet MTU carries at most 46 prefix options.
const MaxOptionsPerRA = 32

// MaxReachableTime is RFC 4861's MAX_REACHABLE_TIME (6.2.1): a Reachable
// Time above it is taken as it.
const MaxReachableTime = time.Hour

// raInfo is what a Router Advertisement says, read from the message.
type raInfo struct {
	curHopLimit uint8
	flags       icmpv6.RAFlags
	lifetime    uint16 // Router Lifetime, seconds
	reachable   uint32 // ms
	retrans     uint32 // ms
	slla        ethernet.Addr
	hasSLLA     bool
	mtu         uint32
	hasMTU      bool
	prefixes    []prefixInfo
	routes      []routeInfo
	rdnss       []rdnssInfo
	dnssl       []dnsslInfo
}

// prefixInfo is a Prefix Information option (RFC 4861 4.6.2).
type prefixInfo struct {
	prefix           netip.Prefix
	onLink, auto     bool
	valid, preferred uint32 // seconds, all ones for infinity
}

// routeInfo is a Route Information option (RFC 4191 2.3).
type routeInfo struct {
	prefix   netip.Prefix
	prf      uint8
	lifetime uint32
}

// rdnssInfo is one server of an RDNSS option (RFC 8106 5.1).
type rdnssInfo struct {
	addr     netip.Addr
	lifetime uint32
}

// dnsslInfo is one domain of a DNSSL option (RFC 8106 5.2).
type dnsslInfo struct {
	name     string
	lifetime uint32
}

// reset empties ra, keeping its slices.
func (ra *raInfo) reset() {
	*ra = raInfo{prefixes: ra.prefixes[:0], routes: ra.routes[:0], rdnss: ra.rdnss[:0], dnssl: clearDNSSL(ra.dnssl)}
}

func clearDNSSL(s []dnsslInfo) []dnsslInfo {
	clear(s)
	return s[:0]
}

// handleRA processes a valid Router Advertisement (RFC 4861 6.3.4, RFC
// 4862 5.5.3, RFC 4191, RFC 8106).
func (n *NDP) handleRA(now time.Time, src netip.Addr, ra *raInfo) error {
	if !src.IsLinkLocalUnicast() {
		return errorf("router advertisement from %v, not a link-local address", src)
	}
	if n.cfg.NoRouterDiscovery {
		n.stats.InIgnored++
		return nil
	}
	n.stats.InRouterAdverts++
	src = src.WithZone("")
	n.raFlags = ra.flags
	if ra.lifetime != 0 {
		// RFC 4861 6.3.7: a router answered; stop soliciting.
		n.rsDone = true
	}

	if ra.curHopLimit != 0 && ra.curHopLimit != n.hopLimit {
		n.hopLimit = ra.curHopLimit
		n.event(Event{Kind: EventHopLimit, HopLimit: n.hopLimit})
	}
	timers := false
	if ra.reachable != 0 {
		d := min(time.Duration(ra.reachable)*time.Millisecond, MaxReachableTime)
		if d != n.reachable {
			n.reachable, timers = d, true
		}
	}
	if ra.retrans != 0 {
		d := min(time.Duration(ra.retrans)*time.Millisecond, MaxReachableTime)
		if d != n.retrans {
			n.retrans, timers = d, true
		}
	}
	if timers {
		n.event(Event{Kind: EventNeighTimers, BaseReachableTime: n.reachable, RetransTimer: n.retrans})
	}

	n.updateRouter(now, src, ra)

	if ra.hasMTU {
		switch {
		case ra.mtu < MinMTU || ra.mtu > uint32(n.cfg.LinkMTU):
			n.stats.MTUIgnored++
		case int(ra.mtu) != n.mtu:
			n.mtu = int(ra.mtu)
			n.event(Event{Kind: EventMTU, MTU: n.mtu})
		}
	}

	for i := range ra.prefixes {
		p := &ra.prefixes[i]
		if p.prefix.Addr().IsLinkLocalUnicast() {
			// 6.3.4 and 5.5.3 (b): the link-local prefix is no
			// RA's business.
			n.stats.PrefixesIgnored++
			continue
		}
		if p.onLink {
			n.onLink(now, p)
		}
		if p.auto && !n.cfg.NoSLAAC {
			n.slaac(now, p)
		}
	}

	routesChanged := false
	for _, r := range ra.routes {
		routesChanged = n.updateRoute(now, src, r) || routesChanged
	}
	if routesChanged {
		n.event(Event{Kind: EventRoutesChanged})
	}

	dns := false
	for _, s := range ra.rdnss {
		dns = n.updateRDNSS(now, s) || dns
	}
	for _, s := range ra.dnssl {
		dns = n.updateDNSSL(now, s) || dns
	}
	if dns {
		n.event(Event{Kind: EventDNSChanged})
	}
	return nil
}

// updateRouter keeps the Default Router List (6.3.4).
func (n *NDP) updateRouter(now time.Time, src netip.Addr, ra *raInfo) {
	i := slices.IndexFunc(n.routers, func(r Router) bool { return r.Addr == src })
	if ra.lifetime == 0 {
		if i >= 0 {
			r := n.routers[i]
			n.routers = slices.Delete(n.routers, i, i+1)
			n.event(Event{Kind: EventRouterRemoved, Router: r.Addr, LinkAddr: r.LinkAddr})
		}
		return
	}
	r := Router{Addr: src, Preference: prefFromBits(uint8(ra.flags.Pref())),
		Expires: now.Add(time.Duration(ra.lifetime) * time.Second)}
	if ra.hasSLLA {
		r.LinkAddr = ra.slla
	}
	if i >= 0 {
		if !ra.hasSLLA {
			r.LinkAddr = n.routers[i].LinkAddr
		}
		n.routers[i] = r
		return
	}
	if len(n.routers) >= n.cfg.MaxRouters {
		n.stats.RoutersDropped++
		return
	}
	n.routers = append(n.routers, r)
	n.event(Event{Kind: EventRouterAdded, Router: r.Addr, LinkAddr: r.LinkAddr})
}

// RemoveRouter takes a router off the Default Router List at once: the
// neighbour table found it is no longer a router (an advertisement
// without the Router flag, RFC 4861 7.2.5, neigh's RouterLost). It
// reports whether it was there.
func (n *NDP) RemoveRouter(now time.Time, addr netip.Addr) (next time.Time, ok bool) {
	n.mu.Lock()
	addr = addr.WithZone("")
	if i := slices.IndexFunc(n.routers, func(r Router) bool { return r.Addr == addr }); i >= 0 {
		r := n.routers[i]
		n.routers = slices.Delete(n.routers, i, i+1)
		n.event(Event{Kind: EventRouterRemoved, Router: r.Addr, LinkAddr: r.LinkAddr})
		ok = true
	}
	next = n.advance(now)
	n.mu.Unlock()
	n.flush()
	return next, ok
}

// onLink keeps the Prefix List (6.3.4).
func (n *NDP) onLink(now time.Time, p *prefixInfo) {
	i := slices.IndexFunc(n.prefixes, func(x Prefix) bool { return x.Prefix == p.prefix })
	switch {
	case p.valid == 0:
		if i >= 0 {
			n.prefixes = slices.Delete(n.prefixes, i, i+1)
			n.event(Event{Kind: EventPrefixRemoved, Prefix: p.prefix})
		}
	case i >= 0:
		n.prefixes[i].Expires = lifetime(now, p.valid)
	case len(n.prefixes) >= n.cfg.MaxPrefixes:
		n.stats.PrefixesDropped++
	default:
		n.prefixes = append(n.prefixes, Prefix{Prefix: p.prefix, Expires: lifetime(now, p.valid)})
		n.event(Event{Kind: EventPrefixAdded, Prefix: p.prefix})
	}
}

// slaac forms or refreshes the address of an autonomous prefix (RFC 4862
// 5.5.3).
func (n *NDP) slaac(now time.Time, p *prefixInfo) {
	if p.preferred > p.valid || p.prefix.Bits() != 64 {
		// (c), and (d)'s prefix length plus interface identifier
		// length must be 128.
		n.stats.PrefixesIgnored++
		return
	}
	var a *address
	for _, x := range n.addrs {
		if x.origin == OriginSLAAC && x.prefix == p.prefix {
			a = x
			break
		}
	}
	if a == nil {
		// (d): a new prefix.
		if p.valid == 0 {
			return
		}
		if len(n.addrs) >= n.cfg.MaxAddrs {
			n.stats.AddrsDropped++
			return
		}
		a = n.formAddr(now, p.prefix, OriginSLAAC, 0)
		if a == nil {
			n.stats.PrefixesIgnored++
			return
		}
		a.preferredUntil, a.validUntil = lifetime(now, p.preferred), lifetime(now, p.valid)
		n.startDAD(a, now, now.Add(n.randDelay(MaxRtrSolicitationDelay)))
		n.addAddr(a)
		return
	}
	// (e): an address from this prefix exists.
	a.preferredUntil = lifetime(now, p.preferred)
	received := lifetime(now, p.valid)
	switch {
	case p.valid == 0xffffffff || time.Duration(p.valid)*time.Second > TwoHours || later(received, a.validUntil):
		a.validUntil = received
	case !a.validUntil.IsZero() && a.validUntil.Sub(now) <= TwoHours:
		// (e) 2: an unauthenticated RA cannot shorten a lifetime
		// of two hours or less.
		n.stats.TwoHourRule++
	default:
		// (e) 3: nor a longer one below two hours.
		n.stats.TwoHourRule++
		a.validUntil = now.Add(TwoHours)
	}
}

// later reports whether end of lifetime a is later than b, the zero time
// being infinity.
func later(a, b time.Time) bool {
	switch {
	case b.IsZero():
		return false
	case a.IsZero():
		return true
	}
	return a.After(b)
}

// updateRoute keeps the routes of Route Information options (RFC 4191
// 3.1), reporting whether they changed.
func (n *NDP) updateRoute(now time.Time, src netip.Addr, ri routeInfo) bool {
	if ri.prf&3 == 2 {
		// The reserved preference: the option is ignored.
		return false
	}
	i := slices.IndexFunc(n.routes, func(r Route) bool { return r.Prefix == ri.prefix && r.Router == src })
	switch {
	case ri.lifetime == 0:
		if i >= 0 {
			n.routes = slices.Delete(n.routes, i, i+1)
			return true
		}
	case i >= 0:
		n.routes[i].Expires = lifetime(now, ri.lifetime)
		changed := n.routes[i].Preference != prefFromBits(ri.prf)
		n.routes[i].Preference = prefFromBits(ri.prf)
		return changed
	case len(n.routes) >= n.cfg.MaxRoutes:
		n.stats.RoutesDropped++
	default:
		n.routes = append(n.routes, Route{Prefix: ri.prefix, Router: src, Preference: prefFromBits(ri.prf), Expires: lifetime(now, ri.lifetime)})
		return true
	}
	return false
}

// updateRDNSS keeps the DNS servers (RFC 8106 5.3.1), reporting whether
// the list changed.
func (n *NDP) updateRDNSS(now time.Time, s rdnssInfo) bool {
	if !s.addr.Is6() || s.addr.IsUnspecified() || s.addr.IsMulticast() {
		return false
	}
	i := slices.IndexFunc(n.rdnss, func(x DNSServer) bool { return x.Addr == s.addr })
	switch {
	case s.lifetime == 0:
		if i >= 0 {
			n.rdnss = slices.Delete(n.rdnss, i, i+1)
			return true
		}
	case i >= 0:
		n.rdnss[i].Expires = lifetime(now, s.lifetime)
	case len(n.rdnss) >= n.cfg.MaxRDNSS:
		n.stats.RDNSSDropped++
	default:
		n.rdnss = append(n.rdnss, DNSServer{Addr: s.addr, Expires: lifetime(now, s.lifetime)})
		return true
	}
	return false
}

// updateDNSSL keeps the search list (RFC 8106 5.3.1), reporting whether
// it changed.
func (n *NDP) updateDNSSL(now time.Time, s dnsslInfo) bool {
	i := slices.IndexFunc(n.dnssl, func(x SearchDomain) bool { return x.Name == s.name })
	switch {
	case s.lifetime == 0:
		if i >= 0 {
			n.dnssl = slices.Delete(n.dnssl, i, i+1)
			return true
		}
	case i >= 0:
		n.dnssl[i].Expires = lifetime(now, s.lifetime)
	case len(n.dnssl) >= n.cfg.MaxDNSSL:
		n.stats.DNSSLDropped++
	default:
		n.dnssl = append(n.dnssl, SearchDomain{Name: s.name, Expires: lifetime(now, s.lifetime)})
		return true
	}
	return false
}
