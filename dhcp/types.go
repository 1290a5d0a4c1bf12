package dhcp

import (
	"net/netip"
	"slices"
	"strconv"
	"time"
)

// State is the client's state (RFC 2131 figure 5), with PROBING, RFC
// 5227's check of an ACKed address, between REQUESTING (or REBOOTING) and
// BOUND.
type State uint8

// Client states.
const (
	StateInit State = iota + 1
	StateSelecting
	StateRequesting
	StateProbing
	StateBound
	StateRenewing
	StateRebinding
	StateInitReboot
	StateRebooting
	StateStopped // after Release
)

var stateNames = [...]string{"", "INIT", "SELECTING", "REQUESTING", "PROBING", "BOUND", "RENEWING", "REBINDING", "INIT-REBOOT", "REBOOTING", "STOPPED"}

// String names the state as RFC 2131 does.
func (s State) String() string {
	if int(s) < len(stateNames) && s != 0 {
		return stateNames[s]
	}
	return "State(" + strconv.Itoa(int(s)) + ")"
}

// Lease is what a server's ACK gave. Its slices are the client's and
// must not be modified; Clone copies them.
type Lease struct {
	// Addr is the address with the prefix of its link (the subnet mask
	// option; without one, the address's class).
	Addr netip.Prefix
	// Server is the server identifier, where RENEWING sends.
	Server netip.Addr
	// Routers are the Router option's, in order of preference. RFC 3442
	// has a client that receives classless routes ignore them: the stack
	// routes by Routes then.
	Routers []netip.Addr
	// DNS are the Domain Name Server option's servers.
	DNS []netip.Addr
	// DomainName is the Domain Name option's name; SearchList the Domain
	// Search option's (RFC 3397).
	DomainName string
	SearchList []string
	// Routes are the Classless Static Route option's (RFC 3442).
	Routes []Route
	// MTU is the Interface MTU option's value, 0 without one.
	MTU int
	// Hostname is the Host Name option's value, when the server sent one.
	Hostname string
	// Duration, T1 and T2 are the lease time and the renewal and
	// rebinding times; Infinite says the lease never ends.
	Duration, T1, T2 time.Duration
	Infinite         bool
	// Start is when the REQUEST that got the lease was sent, from which
	// its times count (RFC 2131 4.4.1); Renew, Rebind and Expiry are the
	// times T1, T2 and the end (zero for an infinite lease).
	Start, Renew, Rebind, Expiry time.Time
}

// Clone returns a copy of l that shares nothing with it.
func (l Lease) Clone() Lease {
	l.Routers = slices.Clone(l.Routers)
	l.DNS = slices.Clone(l.DNS)
	l.SearchList = slices.Clone(l.SearchList)
	l.Routes = slices.Clone(l.Routes)
	return l
}

// DefaultRoute returns the router to send off-link traffic to: the
// default route of the classless routes when there are any (RFC 3442),
// else the first router.
func (l *Lease) DefaultRoute() (netip.Addr, bool) {
	if len(l.Routes) > 0 {
		for _, r := range l.Routes {
			if r.Dest.Bits() == 0 {
				return r.Gateway, true
			}
		}
		return netip.Addr{}, false
	}
	if len(l.Routers) > 0 {
		return l.Routers[0], true
	}
	return netip.Addr{}, false
}

// EventKind says what changed.
type EventKind uint8

// Events.
const (
	// EventBound: a new lease (Event.Lease), from INIT or INIT-REBOOT.
	EventBound EventKind = iota + 1
	// EventRenewed: the lease was extended (RENEWING or REBINDING); its
	// options may have changed, its address has not.
	EventRenewed
	// EventExpired: the lease ended (its time ran out, or a NAK in
	// RENEWING or REBINDING): the address must go (Event.Lease is the
	// lease lost).
	EventExpired
	// EventDeclined: an ACKed address was found in use by ARP (RFC 5227)
	// and declined (Event.Lease is the lease declined).
	EventDeclined
	// EventReleased: Release gave the lease back.
	EventReleased
)

var eventNames = [...]string{"", "bound", "renewed", "expired", "declined", "released"}

// String names the event.
func (k EventKind) String() string {
	if int(k) < len(eventNames) && k != 0 {
		return eventNames[k]
	}
	return "EventKind(" + strconv.Itoa(int(k)) + ")"
}

// Event is a change of the lease.
type Event struct {
	Kind  EventKind
	Lease Lease
}

// PacketKind says what a Packet is.
type PacketKind uint8

// Packet kinds.
const (
	// PacketDHCP: a DHCP message in a UDP datagram from port 68 to 67.
	PacketDHCP PacketKind = iota + 1
	// PacketARPProbe: an ARP probe (RFC 5227 2.1.1: a request from
	// 0.0.0.0 for Target), broadcast.
	PacketARPProbe
	// PacketARPAnnounce: an ARP announcement (RFC 5227 2.3: a request
	// from Target for Target), broadcast.
	PacketARPAnnounce
)

var packetNames = [...]string{"", "dhcp", "arp-probe", "arp-announce"}

// String names the kind.
func (k PacketKind) String() string {
	if int(k) < len(packetNames) && k != 0 {
		return packetNames[k]
	}
	return "PacketKind(" + strconv.Itoa(int(k)) + ")"
}

// Packet is something to send.
type Packet struct {
	Kind PacketKind
	// Msg is the DHCP message, the UDP payload, for PacketDHCP; valid
	// only during Config.Send.
	Msg []byte
	// Src and Dst are the IPv4 addresses of the datagram: 0.0.0.0 and
	// 255.255.255.255 before the client has an address, its address and
	// the server's (RENEWING, RELEASE) or the broadcast address
	// (REBINDING) after.
	Src, Dst netip.Addr
	// Target is the address an ARP probe or announcement is for.
	Target netip.Addr
}

// Stats are the client's counters.
type Stats struct {
	OutDiscovers, OutRequests, OutDeclines, OutReleases uint64
	// Retransmissions counts the DISCOVERs and REQUESTs sent again.
	Retransmissions          uint64
	OutProbes, OutAnnounces  uint64
	InOffers, InAcks, InNaks uint64
	// InInvalid counts messages that failed Check or were not replies;
	// InIgnored well-formed ones not for us or not expected now (another
	// transaction, another client, a second OFFER).
	InInvalid, InIgnored uint64
	// Bound, Renewed, Expired and Conflicts count leases got, extended,
	// lost, and addresses found in use by ARP and declined.
	Bound, Renewed, Expired, Conflicts uint64
	// OptionsDropped counts list entries past a bound of Config and
	// options a lease could not use (a bad search list or route).
	OptionsDropped uint64
}
