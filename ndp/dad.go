package ndp

import (
	"fmt"
	"net/netip"
	"time"
)

// errorf returns ErrInvalid with detail.
func errorf(format string, args ...any) error {
	return fmt.Errorf("%w: "+format, append([]any{ErrInvalid}, args...)...)
}

// nsInfo is what DAD reads of a Neighbor Solicitation.
type nsInfo struct {
	target  netip.Addr
	hasSLLA bool
	nonce   []byte // the nonce option's value, nil if none
}

// handleNS sees whether a Neighbor Solicitation makes a tentative address
// of ours a duplicate (RFC 4862 5.4.3, RFC 7527). Address resolution is
// the stack's: a solicitation for a usable address is answered there.
func (n *NDP) handleNS(now time.Time, src, dst netip.Addr, ns *nsInfo) error {
	if ns.target.IsMulticast() || !ns.target.Is6() {
		return errorf("neighbor solicitation for %v", ns.target)
	}
	if src.IsUnspecified() {
		// RFC 4861 7.1.1: a DAD solicitation goes to the target's
		// solicited-node group and has no source link-layer address.
		if dst != solicitedNode(ns.target) {
			return errorf("neighbor solicitation from :: to %v, not the target's solicited-node group", dst)
		}
		if ns.hasSLLA {
			return errorf("neighbor solicitation from :: with a source link-layer address")
		}
	}
	n.stats.InNeighborSolicits++
	a := n.findAddr(ns.target)
	if a == nil || a.state != StateTentative || !src.IsUnspecified() {
		// Not ours, not tentative (the stack answers), or address
		// resolution by a node that has the address we test: its
		// sender is not doing DAD, so it says nothing of a duplicate.
		return nil
	}
	if a.dadSent > 0 && len(ns.nonce) == len(a.nonce) && string(ns.nonce) == string(a.nonce[:]) {
		// Our own solicitation, looped back (RFC 7527 4.2).
		n.stats.DADLoopedBack++
		return nil
	}
	// Another node runs DAD for the address, even if ours has not sent
	// its first solicitation yet: both would conflict (RFC 4862 5.4.3).
	n.duplicate(a, now)
	return nil
}

// handleNA sees whether a Neighbor Advertisement is for an address of
// ours (RFC 4862 5.4.4): a tentative one is a duplicate; one already in
// use is a conflict, counted.
func (n *NDP) handleNA(now time.Time, target netip.Addr) error {
	if target.IsMulticast() || !target.Is6() {
		return errorf("neighbor advertisement for %v", target)
	}
	n.stats.InNeighborAdverts++
	a := n.findAddr(target)
	switch {
	case a == nil:
	case a.state == StateTentative:
		n.duplicate(a, now)
	case a.state.Usable():
		n.stats.Conflicts++
	}
	return nil
}

// duplicate withdraws a tentative address another node has. An address
// with an RFC 7217 identifier is formed again with the next DAD counter,
// after IDGEN_DELAY, until IDGEN_RETRIES; others (EUI-64, manual) are
// kept as StateDuplicate.
func (n *NDP) duplicate(a *address, now time.Time) {
	n.stats.DADDuplicates++
	if a.joined {
		n.leave(solicitedNode(a.addr), now)
		a.joined = false
	}
	n.addrEvent(EventAddrDuplicate, a)
	if a.stable {
		if b := n.formAddr(now, a.prefix, a.origin, a.counter+1); b != nil {
			n.stats.IIDRetries++
			a.addr, a.counter = b.addr, b.counter
			n.startDAD(a, now, now.Add(IDGenDelay))
			n.addrEvent(EventAddrTentative, a)
			return
		}
	}
	a.state = StateDuplicate
}
