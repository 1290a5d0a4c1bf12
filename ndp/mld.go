package ndp

import (
	"net/netip"
	"slices"
	"time"

	"github.com/medina-net/medina/icmpv6"
	"github.com/medina-net/medina/ipv6"
)

// Multicast addresses of Neighbor Discovery and MLD.
var (
	allNodes        = netip.AddrFrom16([16]byte{0: 0xff, 1: 0x02, 15: 1})
	allRouters      = netip.AddrFrom16([16]byte{0: 0xff, 1: 0x02, 15: 2})
	allMLDv2Routers = netip.AddrFrom16([16]byte{0: 0xff, 1: 0x02, 15: 0x16})
)

// group is a multicast group we report. A group whose last reference
// went (refs 0) stays until its leave has been reported.
type group struct {
	addr netip.Addr
	refs int
	// changeLeft is how many state-change reports (a join's or a
	// leave's) are still to send, the next at changeAt.
	changeLeft int
	changeAt   time.Time
	// respAt is a pending answer to a query about the group (MLDv2
	// multicast-address-specific, or any MLDv1 query); zero if none.
	respAt time.Time
}

// reportable reports whether MLD reports g: a multicast address of link
// scope or wider, other than all-nodes, which is never reported (RFC 3810
// section 6).
func reportable(g netip.Addr) bool {
	if !g.Is6() || !g.IsMulticast() || g == allNodes {
		return false
	}
	b := g.As16()
	return b[1]&0x0f >= 2
}

func (n *NDP) findGroup(g netip.Addr) *group {
	for _, x := range n.groups {
		if x.addr == g {
			return x
		}
	}
	return nil
}

// join takes a reference on g, reporting the join when it is the first.
func (n *NDP) join(g netip.Addr, now time.Time) {
	if n.cfg.NoMLD || !reportable(g) {
		return
	}
	if x := n.findGroup(g); x != nil {
		x.refs++
		if x.refs == 1 {
			// Was being left: joined again.
			x.changeLeft, x.changeAt = n.robustness, now
		}
		return
	}
	if len(n.groups) >= n.cfg.MaxGroups {
		n.stats.GroupsDropped++
		return
	}
	n.groups = append(n.groups, &group{addr: g, refs: 1, changeLeft: n.robustness, changeAt: now})
}

// leave drops a reference on g, reporting the leave with the last.
func (n *NDP) leave(g netip.Addr, now time.Time) {
	x := n.findGroup(g)
	if x == nil || x.refs == 0 {
		return
	}
	x.refs--
	if x.refs == 0 {
		x.changeLeft, x.changeAt, x.respAt = n.robustness, now, time.Time{}
	}
}

// JoinGroup has MLD report membership of a multicast group the stack
// joined (a socket's); groups are counted, so a group joined twice is
// left after two LeaveGroup calls. The solicited-node groups of our
// addresses are joined and left by the NDP itself.
func (n *NDP) JoinGroup(now time.Time, g netip.Addr) (next time.Time) {
	n.mu.Lock()
	n.join(g.WithZone(""), now)
	next = n.advance(now)
	n.mu.Unlock()
	n.flush()
	return next
}

// LeaveGroup undoes a JoinGroup.
func (n *NDP) LeaveGroup(now time.Time, g netip.Addr) (next time.Time) {
	n.mu.Lock()
	n.leave(g.WithZone(""), now)
	next = n.advance(now)
	n.mu.Unlock()
	n.flush()
	return next
}

// mldV1 reports whether MLDv1 compatibility mode is on (RFC 3810 8.2).
func (n *NDP) mldV1(now time.Time) bool {
	return n.cfg.MLDv1 || now.Before(n.v1Until)
}

// mldSrc is the source of MLD reports: the link-local address, or ::
// while it is tentative (RFC 3810 5.2.13).
func (n *NDP) mldSrc() netip.Addr {
	if a, ok := n.linkLocal(); ok {
		return a
	}
	return netip.IPv6Unspecified()
}

// mldAdvance sends the state-change reports and the answers due by now.
func (n *NDP) mldAdvance(now time.Time, at func(time.Time)) {
	v1 := n.mldV1(now)
	var changes, answers []icmpv6.RecordSpec
	general := !n.generalAt.IsZero() && !now.Before(n.generalAt)
	if general {
		n.generalAt = time.Time{}
	}
	for i := 0; i < len(n.groups); i++ {
		g := n.groups[i]
		if g.changeLeft > 0 && !now.Before(g.changeAt) {
			g.changeLeft--
			switch {
			case v1 && g.refs > 0:
				n.sendV1(MsgMLDv1Report, g.addr, g.addr)
			case v1:
				// A Done is sent once (RFC 2710 4).
				n.sendV1(MsgMLDv1Done, allRouters, g.addr)
				g.changeLeft = 0
			case g.refs > 0:
				changes = append(changes, icmpv6.RecordSpec{Type: icmpv6.ChangeToExclude, Addr: ipv6.Addr(g.addr.As16())})
			default:
				changes = append(changes, icmpv6.RecordSpec{Type: icmpv6.ChangeToInclude, Addr: ipv6.Addr(g.addr.As16())})
			}
			if g.changeLeft > 0 {
				// RFC 3810 6.1: the repeats at random in (0,
				// Unsolicited Report Interval].
				g.changeAt = now.Add(1 + n.randDelay(n.cfg.UnsolicitedReportInterval-1))
			}
		}
		if g.refs == 0 && g.changeLeft == 0 {
			n.groups = slices.Delete(n.groups, i, i+1)
			i--
			continue
		}
		if g.refs > 0 && (general || !g.respAt.IsZero() && !now.Before(g.respAt)) {
			g.respAt = time.Time{}
			if v1 {
				n.sendV1(MsgMLDv1Report, g.addr, g.addr)
			} else {
				answers = append(answers, icmpv6.RecordSpec{Type: icmpv6.ModeIsExclude, Addr: ipv6.Addr(g.addr.As16())})
			}
		}
		if g.changeLeft > 0 {
			at(g.changeAt)
		}
		at(g.respAt)
	}
	at(n.generalAt)
	if !n.v1Until.IsZero() {
		if now.Before(n.v1Until) {
			at(n.v1Until)
		} else {
			n.v1Until = time.Time{}
		}
	}
	n.sendV2(changes)
	n.sendV2(answers)
}

// sendV1 queues an MLDv1 message about group to dst.
func (n *NDP) sendV1(kind MsgKind, dst, group netip.Addr) {
	n.stats.OutMLDReports++
	n.send(intent{kind: kind, src: n.mldSrc(), dst: dst, target: group})
}

// sendV2 queues the MLDv2 reports carrying recs, as many records in a
// report as the MTU allows.
func (n *NDP) sendV2(recs []icmpv6.RecordSpec) {
	// IPv6 header, hop-by-hop header with router alert, report header.
	per := max(1, (n.mtu-40-8-8)/20)
	for len(recs) > 0 {
		k := min(per, len(recs))
		n.stats.OutMLDReports++
		n.send(intent{kind: MsgMLDv2Report, src: n.mldSrc(), dst: allMLDv2Routers, recs: recs[:k:k]})
		recs = recs[k:]
	}
}

// mldQuery is a received MLD query, v1 or v2.
type mldQuery struct {
	v2      bool
	maxResp time.Duration
	group   netip.Addr // :: for a general query
	qrv     uint8      // v2: querier's robustness variable, 0 if unset
	qqi     time.Duration
}

// handleQuery answers a query (RFC 3810 6.2 and 8.2; RFC 2710 4).
func (n *NDP) handleQuery(now time.Time, src netip.Addr, q *mldQuery) error {
	if !src.IsLinkLocalUnicast() {
		return errorf("MLD query from %v, not a link-local address", src)
	}
	if !q.group.IsUnspecified() && !q.group.IsMulticast() {
		return errorf("MLD query for %v, not a multicast address", q.group)
	}
	n.stats.InMLDQueries++
	if n.cfg.NoMLD {
		return nil
	}
	if q.v2 {
		if q.qrv != 0 {
			n.robustness = int(q.qrv)
		}
		if q.qqi > 0 {
			n.queryIntvl = q.qqi
		}
	} else {
		// Older Version Querier Present Timeout (RFC 3810 9.12).
		n.v1Until = now.Add(time.Duration(n.robustness)*n.queryIntvl + DefaultQueryResponseInterval)
	}
	general := q.group.IsUnspecified()
	if n.mldV1(now) {
		for _, g := range n.groups {
			if g.refs > 0 && (general || g.addr == q.group) {
				t := now.Add(n.randDelay(q.maxResp))
				if g.respAt.IsZero() || t.Before(g.respAt) {
					g.respAt = t
				}
			}
		}
		return nil
	}
	t := now.Add(n.randDelay(q.maxResp))
	if !n.generalAt.IsZero() && !n.generalAt.After(t) {
		// An answer to a general query, which says everything, leaves
		// sooner (rule 1 of RFC 3810 6.2).
		return nil
	}
	if general {
		n.generalAt = t
		return nil
	}
	// Multicast-address-specific (and -and-source-specific: we exclude
	// no source, so our whole state answers it).
	if g := n.findGroup(q.group); g != nil && g.refs > 0 {
		if g.respAt.IsZero() || t.Before(g.respAt) {
			g.respAt = t
		}
	}
	return nil
}

// handleV1Report suppresses our own pending answer about a group another
// node just reported, in MLDv1 mode (RFC 2710 4).
func (n *NDP) handleV1Report(now time.Time, group netip.Addr) {
	n.stats.InMLDReports++
	if !n.mldV1(now) {
		return
	}
	if g := n.findGroup(group); g != nil {
		g.respAt = time.Time{}
	}
}
