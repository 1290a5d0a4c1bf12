package tcp

import (
	"encoding/binary"
	"net/netip"
	"strconv"
	"syscall"
	"time"
)

// ICMP errors about the segments we send.
//
// The network beneath the engine parses ICMP and ICMPv6, finds the segment
// an error quotes, and hands the engine the quoted start of that segment
// with what the error means, in terms that do not depend on the family
// (ICMPKind, and for Packet Too Big the path MTU). The engine checks that
// the error concerns one of its connections and quotes a sequence number
// in flight (RFC 5927 4.1), so that an attacker who cannot see the
// connection's segments has to guess one in a window of SND.MAX - SND.UNA
// out of 2^32; then:
//
//   - Packet Too Big (ICMP's Fragmentation Needed, RFC 1191; ICMPv6's
//     Packet Too Big, RFC 8201) lowers the connection's path MTU and so
//     its segment size, and sends again at once what the larger segments
//     carried, without taking the loss for congestion (the window is left
//     as it is, as Linux's tcp_simple_retransmit leaves it). Only a
//     message that lowers the path MTU below what the connection uses
//     acts (RFC 1191 6.4): a burst of oversized segments brings a burst of
//     messages, and the first one is enough.
//   - A hard error ends a connection still in its handshake at once: a
//     Dial fails with its errno (ECONNREFUSED for port unreachable). In
//     the synchronized states it is soft (RFC 5461). Which errors are
//     hard follows Linux's tables for each family (icmp_err_convert and
//     icmpv6_err_convert): over IPv4 port or protocol unreachable and
//     communication administratively prohibited (RFC 1122 4.2.3.9, RFC
//     9293 3.9.2.2); over IPv6 port unreachable, administratively
//     prohibited and its subsets (RFC 4443 3.1: codes 1, 5 and 6), and
//     parameter problem.
//     An error the network raises itself (ICMPError.Local: a neighbour
//     that never answered address resolution) is hard in the handshake
//     too, as on Linux: a Dial to a host that is not there fails in the
//     seconds resolution takes, with EHOSTUNREACH.
//   - A soft error (network, host or address unreachable, beyond the
//     source's scope, time exceeded, and over IPv4 parameter problem) is
//     remembered, and if the connection then times out (its
//     retransmissions or keep-alive probes unanswered) it is the error the
//     application gets instead of ETIMEDOUT (RFC 1122 4.2.3.9, RFC 5461),
//     as Linux's sk_err_soft is. Any acceptable acknowledgement forgets it:
//     the path works again.
//
// The kinds, with the ICMP and ICMPv6 destination unreachable codes
// (DU) that the network maps to them, and what the engine makes of them:
//
//	kind             ICMP (IPv4)             ICMPv6                  hard       errno
//	NetUnreachable   DU 0, 6, 11             DU 0 (no route)         no         ENETUNREACH
//	HostUnreachable  DU 1, 5, 7, 8, 12       -                       no         EHOSTUNREACH
//	AddrUnreachable  -                       DU 3                    no         EHOSTUNREACH
//	BeyondScope      -                       DU 2                    no         EHOSTUNREACH
//	TimeExceeded     time exceeded           time exceeded           no         EHOSTUNREACH
//	ParamProblem     parameter problem       parameter problem       IPv6 only  EPROTO
//	PortUnreachable  DU 3, 2 (protocol)      DU 4                    yes        ECONNREFUSED
//	Prohibited       DU 9, 10, 13, 14, 15    DU 1, 5, 6              yes        EHOSTUNREACH; EACCES over IPv6
//	PacketTooBig     DU 4 (DF set)           packet too big          -          -
//
// Source Quench (RFC 6633) and Redirect never reach the engine.

// ICMPKind is what an ICMP or ICMPv6 error says became of a segment we
// sent, the same for both families: the network maps each type and code
// to a kind, and the engine acts on the kind.
type ICMPKind uint8

// Kinds of ICMP errors. The package comment has the table of the ICMP
// and ICMPv6 codes of each.
const (
	// ICMPNetUnreachable: no route to the destination's network (ICMP
	// destination unreachable codes 0, 6 and 11; ICMPv6's code 0, no
	// route to destination). Soft; reported as ENETUNREACH.
	ICMPNetUnreachable ICMPKind = iota + 1
	// ICMPHostUnreachable: the destination host cannot be reached (ICMP
	// codes 1, 5, 7, 8 and 12). Soft; EHOSTUNREACH.
	ICMPHostUnreachable
	// ICMPTimeExceeded: the datagram's TTL or hop limit ran out, or its
	// reassembly timed out. Soft; EHOSTUNREACH, as Linux reports it.
	ICMPTimeExceeded
	// ICMPParamProblem: a router or the destination could not parse the
	// datagram (ICMP's parameter problem; ICMPv6's, whatever its code).
	// EPROTO; soft over IPv4 (RFC 1122 4.2.3.9), hard over IPv6, as
	// Linux's icmpv6_err_convert has it: the destination will not take
	// the datagram as it is sent.
	ICMPParamProblem
	// ICMPPortUnreachable: nothing listens on the port, or the host does
	// not speak TCP (ICMP codes 3 and 2; ICMPv6's destination unreachable
	// code 4). Hard; ECONNREFUSED.
	ICMPPortUnreachable
	// ICMPProhibited: a filter refused the datagram (ICMP codes 9, 10,
	// 13, 14 and 15; ICMPv6's codes 1, 5 and 6: administratively
	// prohibited, and the two subsets of it that RFC 4443 3.1 names,
	// source address failed ingress/egress policy and reject route to
	// destination), what a firewall's REJECT sends. Hard, as Linux takes
	// it; EHOSTUNREACH over IPv4 and EACCES over IPv6, as Linux reports
	// them.
	ICMPProhibited
	// ICMPPacketTooBig: the datagram was larger than a link on the path
	// carries, and was dropped (ICMP's Fragmentation Needed and DF Set,
	// ICMPv6's Packet Too Big); ICMPError.MTU is the path MTU now.
	ICMPPacketTooBig
	// ICMPAddrUnreachable: the destination address cannot be reached
	// (ICMPv6's destination unreachable code 3, address unreachable:
	// typically neighbour discovery got no answer). Soft; EHOSTUNREACH.
	ICMPAddrUnreachable
	// ICMPBeyondScope: the destination is beyond the scope of the source
	// address (ICMPv6's destination unreachable code 2, as from a
	// link-local source to a global destination, RFC 4443 3.1). Soft;
	// EHOSTUNREACH.
	ICMPBeyondScope
)

var icmpKindNames = [...]string{"", "net unreachable", "host unreachable", "time exceeded",
	"parameter problem", "port unreachable", "prohibited", "packet too big", "address unreachable",
	"beyond scope"}

func (k ICMPKind) String() string {
	if int(k) < len(icmpKindNames) && k != 0 {
		return icmpKindNames[k]
	}
	return "ICMPKind(" + strconv.Itoa(int(k)) + ")"
}

// valid reports whether k is one of the kinds above.
func (k ICMPKind) valid() bool { return k != 0 && int(k) < len(icmpKindNames) }

// hard reports whether an error of kind k ends a connection in its
// handshake, over IPv6 when v6.
func (k ICMPKind) hard(v6 bool) bool {
	return k == ICMPPortUnreachable || k == ICMPProhibited || (v6 && k == ICMPParamProblem)
}

// errno is the error a connection reports for an error of kind k, over
// IPv6 when v6.
func (k ICMPKind) errno(v6 bool) syscall.Errno {
	switch k {
	case ICMPNetUnreachable:
		return syscall.ENETUNREACH
	case ICMPPortUnreachable:
		return syscall.ECONNREFUSED
	case ICMPParamProblem:
		return syscall.EPROTO
	case ICMPProhibited:
		if v6 {
			return syscall.EACCES
		}
	}
	return syscall.EHOSTUNREACH
}

// ICMPError is an ICMP or ICMPv6 error about a segment we sent, as the
// network hands it to Engine.InputError.
type ICMPError struct {
	Kind ICMPKind
	// MTU is, for ICMPPacketTooBig, the path MTU to the destination that
	// the network now estimates: the message's MTU, checked and bounded
	// by the network (RFC 1191's plateau table for a router that gives
	// none, a floor against forged tiny values: RFC 5927 7). The engine
	// takes nothing below the least MTU of the family: 68 for IPv4 (RFC
	// 791), 1280 for IPv6 (RFC 8200 5, RFC 8201 4: a Packet Too Big below
	// it lowers the path MTU to 1280 only).
	MTU int
	// Local says the error is this host's own, not a message from the
	// network: the neighbour the segment was to go to never answered
	// address resolution (ARP, Neighbor Discovery), so the segment never
	// left. Such an error cannot be forged, and like Linux (which sends
	// itself an ICMP host or address unreachable then) the engine takes
	// it as hard while the connection is in its handshake: a Dial fails
	// at once with EHOSTUNREACH instead of retrying its SYN into a void
	// for two minutes. In the synchronized states it is soft, as any
	// unreachable is.
	Local bool
}

// minPathMTU is the least path MTU the engine takes from the network
// for a connection over IPv4, and minPathMTU6 over IPv6.
const (
	minPathMTU  = 68
	minPathMTU6 = 1280
)

// minPathMTU returns the least path MTU of the connection's family.
func (id *fourTuple) minPathMTU() int {
	if id.is6() {
		return minPathMTU6
	}
	return minPathMTU
}

// pathMTURecheck is how often a connection whose path MTU was lowered
// asks the network again, so that it grows back once the network's
// estimate ages out (RFC 1191 6.3: after 10 minutes or so).
const pathMTURecheck = time.Minute

// InputError handles an ICMP or ICMPv6 error that quotes a segment we
// sent from local to remote (two addresses of one family, in the forms
// Network describes): seg is the quoted start of the segment, of which
// the first 8 bytes (ports and sequence number, all that RFC 792
// promises) are needed. It reports whether the error was for one of our
// connections and passed RFC 5927's checks, so that the network may keep
// what it learnt (a path MTU) for other connections to the destination.
// Errors that fail the checks change nothing and are counted
// (Stats.ICMPNoConns, Stats.ICMPOutOfWindow).
func (e *Engine) InputError(local, remote netip.Addr, seg []byte, msg ICMPError) bool {
	if local.Is6() {
		local, remote = local.WithZone(""), remote.WithZone("")
	}
	if len(seg) < 8 || !msg.Kind.valid() {
		e.stats.icmpNoConns.Add(1)
		return false
	}
	id := fourTuple{localAddr: local, remoteAddr: remote,
		localPort: binary.BigEndian.Uint16(seg[0:]), remotePort: binary.BigEndian.Uint16(seg[2:])}
	e.mu.RLock()
	c := e.conns[id]
	e.mu.RUnlock()
	if c == nil {
		e.stats.icmpNoConns.Add(1)
		return false
	}
	return c.inputError(Seq(binary.BigEndian.Uint32(seg[4:])), msg, e.clock.Now())
}

// inputError handles an error quoting our segment at sq.
func (c *Conn) inputError(sq Seq, msg ICMPError, now time.Time) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.state == stateClosed {
		c.e.stats.icmpNoConns.Add(1)
		return false
	}
	// RFC 5927 4.1: the quoted segment must be one still in flight. A
	// pure ACK (at SND.MAX) and a segment already acknowledged are not.
	if !sq.InRange(c.sndUna, c.sndMax) {
		c.e.stats.icmpOutOfWindow.Add(1)
		return false
	}
	c.e.stats.icmpErrors.Add(1)
	switch {
	case msg.Kind == ICMPPacketTooBig:
		c.lowerPathMTU(max(msg.MTU, c.id.minPathMTU()), now)
	case (msg.Local || msg.Kind.hard(c.id.is6())) && !c.state.synchronized():
		// In SYN-SENT the Dial fails at once; a passive open in
		// SYN-RECEIVED is dropped, as a reset drops it (the listener
		// never sees it).
		c.e.stats.icmpHardErrors.Add(1)
		c.terminate(msg.Kind.errno(c.id.is6()))
	default:
		c.e.stats.icmpSoftErrors.Add(1)
		c.softErr = msg.Kind.errno(c.id.is6())
	}
	return true
}

// timeoutError is the error a connection that timed out ends with: the
// soft error an ICMP message reported since the path last worked, or
// ETIMEDOUT.
func (c *Conn) timeoutError() error {
	if c.softErr != nil {
		return c.softErr
	}
	return syscall.ETIMEDOUT
}

// initPathMTU takes the network's path MTU for the connection's
// destination, when the connection starts.
func (c *Conn) initPathMTU(now time.Time) {
	c.pmtu = c.e.net.PathMTU(c.id.remoteAddr)
	if c.pmtu < c.e.net.MTU(c.id.remoteAddr) {
		c.pmtuCheckAt = now.Add(pathMTURecheck)
	}
}

// lowerPathMTU handles a Packet Too Big message that passed the checks:
// if mtu is below the path MTU the connection sizes its segments for, the
// segments shrink to it and what is outstanding goes again at once.
func (c *Conn) lowerPathMTU(mtu int, now time.Time) {
	if mtu >= c.pmtu {
		// Not news: one of a burst of messages about segments sent
		// before the first one arrived (RFC 1191 6.4), or a larger MTU,
		// which a host never takes from such a message (RFC 1191 3).
		c.e.stats.pmtuStale.Add(1)
		return
	}
	c.e.stats.pmtuDecreases.Add(1)
	c.pmtu = mtu
	c.pmtuCheckAt = now.Add(pathMTURecheck)
	c.updateMSS()
	if !c.state.synchronized() || c.sndUna == c.sndMax {
		// A SYN or SYN-ACK is never too big for a path that carries
		// the family at all; nothing else is outstanding. The MSS is
		// what changes.
		return
	}
	// The segments in flight were dropped for their size, not for
	// congestion: the window stays as it is (as Linux's
	// tcp_simple_retransmit leaves it), and everything outstanding that
	// the peer has not SACKed goes again now, in segments of the new
	// size, as after a timeout but without its backoff. Karn's rule
	// holds for what goes twice. Until everything outstanding now is
	// acknowledged, the holes the drops leave are not taken for
	// congestion either (no fast retransmit, RFC 6582 4.1).
	c.rtTiming = false
	c.inRecovery = false
	c.dupAcks = 0
	c.recoverSeq, c.sb.recoverSet = c.sndMax, true
	if c.sackOK {
		c.sb.enterLoss(c.sndUna, c.sndMax)
	} else {
		c.sndNxt = c.sndUna
	}
	c.output(now)
}

// recheckPathMTU asks the network for the path MTU again, for a
// connection whose path MTU is below its route's: it grows back once the
// network's estimate ages out (RFC 1191 6.3), and if another connection
// to the destination lowered it meanwhile, it shrinks before this one's
// segments are dropped too.
func (c *Conn) recheckPathMTU(now time.Time) {
	c.pmtuCheckAt = time.Time{}
	p := max(c.e.net.PathMTU(c.id.remoteAddr), c.id.minPathMTU())
	if p > c.pmtu {
		c.e.stats.pmtuIncreases.Add(1)
	}
	if p != c.pmtu {
		c.pmtu = p
		c.updateMSS()
	}
	if c.pmtu < c.e.net.MTU(c.id.remoteAddr) {
		c.pmtuCheckAt = now.Add(pathMTURecheck)
	}
}
