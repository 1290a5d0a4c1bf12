package ndp

import (
	"fmt"
	"net/netip"
	"slices"
	"time"

	"github.com/medina-net/medina/ethernet"
	"github.com/medina-net/medina/icmpv6"
	"github.com/medina-net/medina/ipv6"
)

// Input processes a received ICMPv6 message msg (from the ICMPv6 header
// on) between src and dst: Router Advertisements; Neighbor Solicitations
// and Advertisements, for Duplicate Address Detection; MLD queries, and
// MLDv1 reports (report suppression). The caller has checked the IPv6
// part (a hop limit of 255 for Neighbor Discovery, RFC 4861 6.1, and 1
// for MLD) and still does its own with NS and NA (address resolution,
// the neighbour table). Input checks the message: checksum, code,
// length, options, and the rules of RFC 4861 6.1 and 7.1 and RFC 3810
// 5.1.14 on its addresses; a message that fails is counted and dropped,
// with an error wrapping ErrInvalid. It returns when to call Tick next.
func (n *NDP) Input(now time.Time, src, dst netip.Addr, msg []byte) (next time.Time, err error) {
	s, ok1 := ipv6.AddrFromNetip(src)
	d, ok2 := ipv6.AddrFromNetip(dst)
	if !ok1 || !ok2 {
		return n.Deadline(), ErrNotIPv6
	}
	src, dst = src.WithZone(""), dst.WithZone("")
	m, err := icmpv6.NewMessage(msg)
	if err == nil {
		err = m.Check(s, d)
	}
	n.mu.Lock()
	if err != nil {
		n.stats.InInvalid++
		next = n.next
		n.mu.Unlock()
		if len(m) > 0 {
			err = m.Validate(s, d)
		}
		return next, fmt.Errorf("%w: %w", ErrInvalid, err)
	}
	switch m.Type() {
	case icmpv6.TypeRouterAdvert:
		n.readRA(m)
		err = n.handleRA(now, src, &n.ra)
	case icmpv6.TypeNeighborSolicit:
		ns := nsInfo{}
		t, _ := m.Target()
		ns.target = t.Netip()
		it := m.Options()
		for o, ok := it.Next(); ok; o, ok = it.Next() {
			switch o.Type {
			case icmpv6.OptSourceLinkAddr:
				ns.hasSLLA = true
			case icmpv6.OptNonce:
				ns.nonce, _ = o.Nonce()
			}
		}
		err = n.handleNS(now, src, dst, &ns)
	case icmpv6.TypeNeighborAdvert:
		t, _ := m.Target()
		if dst.IsMulticast() && m.NAFlags()&icmpv6.NASolicited != 0 {
			// RFC 4861 7.1.2.
			err = errorf("solicited neighbor advertisement to %v", dst)
			break
		}
		err = n.handleNA(now, t.Netip())
	case icmpv6.TypeMLDQuery:
		err = n.readQuery(now, src, m)
	case icmpv6.TypeMLDReport:
		g, _ := m.MulticastAddr()
		n.handleV1Report(now, g.Netip())
	case icmpv6.TypeMLDv2Report, icmpv6.TypeMLDDone:
		n.stats.InMLDReports++
	default:
		n.stats.InIgnored++
	}
	if err != nil {
		n.stats.InInvalid++
	}
	next = n.advance(now)
	n.mu.Unlock()
	n.flush()
	return next, err
}

// readQuery reads an MLD query: MLDv1's is 24 bytes, MLDv2's at least 28
// with its sources (RFC 3810 8.1).
func (n *NDP) readQuery(now time.Time, src netip.Addr, m icmpv6.Message) error {
	g, _ := m.MulticastAddr()
	q := mldQuery{group: g.Netip()}
	switch {
	case len(m) == icmpv6.MLDLen:
		q.maxResp = time.Duration(m.MaxRespDelay()) * time.Millisecond
	case m.IsMLDv2Query():
		if len(m) < icmpv6.MLDv2QueryLen+m.NumQuerySources()*ipv6.AddrLen {
			return errorf("MLDv2 query of %d bytes for %d sources", len(m), m.NumQuerySources())
		}
		q.v2 = true
		q.maxResp = time.Duration(m.MaxRespTime()) * time.Millisecond
		q.qrv = m.QRV()
		q.qqi = time.Duration(m.QQI()) * time.Second
	default:
		return errorf("MLD query of %d bytes", len(m))
	}
	return n.handleQuery(now, src, &q)
}

// readRA fills n.ra from a checked Router Advertisement, keeping at most
// MaxOptionsPerRA options of each kind.
func (n *NDP) readRA(m icmpv6.Message) {
	ra := &n.ra
	ra.reset()
	ra.curHopLimit = m.CurHopLimit()
	ra.flags = m.RAFlags()
	ra.lifetime = m.RouterLifetime()
	ra.reachable = m.ReachableTime()
	ra.retrans = m.RetransTimer()
	full := func(l int) bool {
		if l >= MaxOptionsPerRA {
			n.stats.OptionsDropped++
			return true
		}
		return false
	}
	it := m.Options()
	for o, ok := it.Next(); ok; o, ok = it.Next() {
		switch o.Type {
		case icmpv6.OptSourceLinkAddr:
			if a, ok := o.EthernetAddr(); ok {
				ra.slla, ra.hasSLLA = ethernet.Addr(a), true
			}
		case icmpv6.OptMTU:
			ra.mtu, ra.hasMTU = o.MTU()
		case icmpv6.OptPrefixInfo:
			pi, ok := o.PrefixInfo()
			if !ok || pi.PrefixLen > 128 {
				n.stats.PrefixesIgnored++
				continue
			}
			if full(len(ra.prefixes)) {
				continue
			}
			ra.prefixes = append(ra.prefixes, prefixInfo{
				prefix:    netip.PrefixFrom(pi.Prefix.Netip(), int(pi.PrefixLen)).Masked(),
				onLink:    pi.Flags&icmpv6.PrefixOnLink != 0,
				auto:      pi.Flags&icmpv6.PrefixAutonomous != 0,
				valid:     pi.ValidLifetime,
				preferred: pi.PreferredLifetime,
			})
		case icmpv6.OptRouteInfo:
			ri, ok := o.RouteInfo()
			// RFC 4191 2.3: the option's length bounds the prefix's.
			if !ok || ri.PrefixLen > 128 || o.Length == 1 && ri.PrefixLen > 0 || o.Length == 2 && ri.PrefixLen > 64 {
				continue
			}
			if full(len(ra.routes)) {
				continue
			}
			ra.routes = append(ra.routes, routeInfo{
				prefix:   netip.PrefixFrom(ri.Prefix.Netip(), int(ri.PrefixLen)).Masked(),
				prf:      uint8(ri.Pref),
				lifetime: ri.Lifetime,
			})
		case icmpv6.OptRDNSS:
			life, k, ok := o.RDNSS()
			for i := 0; ok && i < k; i++ {
				a, _ := o.RDNSSAddr(i)
				if full(len(ra.rdnss)) {
					break
				}
				ra.rdnss = append(ra.rdnss, rdnssInfo{addr: a.Netip(), lifetime: life})
			}
		case icmpv6.OptDNSSL:
			life, names, ok := o.DNSSL()
			for ok && len(names) > 0 {
				var k int
				k, names, ok = readDomain(&n.nameBuf, names)
				if !ok || k == 0 || full(len(ra.dnssl)) {
					break
				}
				name := n.internName(n.nameBuf[:k])
				if !slices.ContainsFunc(ra.dnssl, func(d dnsslInfo) bool { return d.name == name }) {
					ra.dnssl = append(ra.dnssl, dnsslInfo{name: name, lifetime: life})
				}
			}
		}
	}
}

// internName returns b as a string, the one already in the search list
// if it is there: a router's periodic advertisement allocates nothing.
func (n *NDP) internName(b []byte) string {
	for _, d := range n.dnssl {
		if d.Name == string(b) {
			return d.Name
		}
	}
	return string(b)
}

// readDomain reads an uncompressed domain name in DNS wire format from b
// (RFC 8106 5.2) into buf, in dotted form without the root's dot,
// returning its length and the bytes after it. An empty name is the
// padding that ends the option. ok is false for a malformed name, or one
// with bytes other than letters, digits, '-' and '_' in a label: a search
// domain ends up in resolver configuration, where such bytes have no
// business.
func readDomain(buf *[255]byte, b []byte) (k int, rest []byte, ok bool) {
	for {
		if len(b) == 0 {
			return 0, nil, false
		}
		l := int(b[0])
		b = b[1:]
		if l == 0 {
			return k, b, true
		}
		if l > 63 || l > len(b) || k+l+1 > len(buf) {
			return 0, nil, false
		}
		if k > 0 {
			buf[k] = '.'
			k++
		}
		for _, c := range b[:l] {
			if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_') {
				return 0, nil, false
			}
			buf[k] = c
			k++
		}
		b = b[l:]
	}
}

// encode writes the message m describes into b (grown as needed) and
// returns it as a Packet, with b for reuse.
func encode(b []byte, m *intent, mac ethernet.Addr) (Packet, []byte) {
	src, dst := ipv6.Addr(m.src.As16()), ipv6.Addr(m.dst.As16())
	p := Packet{Kind: m.kind, Src: m.src, Dst: m.dst, HopLimit: 255, Target: m.target}
	grow := func(need int) []byte {
		if cap(b) < need {
			b = make([]byte, need, max(need, 256))
		}
		return b[:need]
	}
	var msg icmpv6.Message
	switch m.kind {
	case MsgRouterSolicit:
		var ll []byte
		if !m.src.IsUnspecified() {
			// RFC 4861 4.1: no source link-layer address from ::.
			ll = mac[:]
		}
		msg, _ = icmpv6.EncodeRouterSolicit(grow(icmpv6.RouterSolicitLen+8), ll, src, dst)
	case MsgDADSolicit:
		msg, _ = icmpv6.EncodeNeighborSolicit(grow(icmpv6.NeighborSolicitLen+8), ipv6.Addr(m.target.As16()), nil, m.nonce[:], src, dst)
	case MsgMLDv2Report:
		p.HopLimit, p.RouterAlert = 1, true
		msg, _ = icmpv6.EncodeMLDv2Report(grow(icmpv6.MLDv2ReportLen(m.recs)), m.recs, src, dst)
	case MsgMLDv1Report, MsgMLDv1Done:
		p.HopLimit, p.RouterAlert = 1, true
		t := icmpv6.TypeMLDReport
		if m.kind == MsgMLDv1Done {
			t = icmpv6.TypeMLDDone
		}
		msg, _ = icmpv6.EncodeMLDv1(grow(icmpv6.MLDLen), t, ipv6.Addr(m.target.As16()), src, dst)
	}
	p.Msg = msg
	return p, b
}
