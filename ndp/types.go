package ndp

import (
	"net/netip"
	"strconv"
	"time"

	"github.com/medina-net/medina/ethernet"
)

// AddrState is the state of one of our addresses (RFC 4862 section 2).
type AddrState uint8

// Address states.
const (
	// StateTentative: Duplicate Address Detection is running; the
	// address must not be used yet, nor answer Neighbor Solicitations.
	StateTentative AddrState = iota + 1
	// StatePreferred: the address is ours and may be used freely.
	StatePreferred
	// StateDeprecated: its preferred lifetime ran out: existing
	// connections may go on using it, new ones should not.
	StateDeprecated
	// StateDuplicate: Duplicate Address Detection found it in use and no
	// other identifier is left to try; it is kept, unused, until its
	// valid lifetime ends, so that the prefix is not tried again at
	// every advertisement.
	StateDuplicate
)

// String returns the state's name in RFC 4862's words.
func (s AddrState) String() string {
	switch s {
	case StateTentative:
		return "tentative"
	case StatePreferred:
		return "preferred"
	case StateDeprecated:
		return "deprecated"
	case StateDuplicate:
		return "duplicate"
	}
	return "AddrState(" + strconv.Itoa(int(s)) + ")"
}

// Usable reports whether an address in this state may be a source.
func (s AddrState) Usable() bool { return s == StatePreferred || s == StateDeprecated }

// Origin says where an address came from.
type Origin uint8

// Address origins.
const (
	// OriginLinkLocal: the link-local address formed at Start.
	OriginLinkLocal Origin = iota + 1
	// OriginSLAAC: formed from a Router Advertisement's prefix (RFC
	// 4862 5.5.3).
	OriginSLAAC
	// OriginManual: given by AddAddress.
	OriginManual
)

// String returns the origin's name.
func (o Origin) String() string {
	switch o {
	case OriginLinkLocal:
		return "link-local"
	case OriginSLAAC:
		return "slaac"
	case OriginManual:
		return "manual"
	}
	return "Origin(" + strconv.Itoa(int(o)) + ")"
}

// Address is a snapshot of one of our addresses.
type Address struct {
	// Prefix is the address with the length of its prefix (64 for the
	// link-local and SLAAC addresses).
	Prefix netip.Prefix
	State  AddrState
	Origin Origin
	// DADCounter is RFC 7217's DAD_Counter the address was formed with.
	DADCounter int
	// PreferredUntil and ValidUntil are when the address becomes
	// deprecated and is removed; zero for an infinite lifetime.
	PreferredUntil, ValidUntil time.Time
}

// Preference is a router's or route's preference (RFC 4191 2.1).
type Preference int8

// Preferences. The reserved value 10 is read as medium, as RFC 4191 2.2
// says.
const (
	PrefLow    Preference = -1
	PrefMedium Preference = 0
	PrefHigh   Preference = 1
)

// String returns "low", "medium" or "high".
func (p Preference) String() string {
	switch p {
	case PrefLow:
		return "low"
	case PrefHigh:
		return "high"
	}
	return "medium"
}

// prefFromBits reads RFC 4191's 2-bit preference.
func prefFromBits(b uint8) Preference {
	switch b & 3 {
	case 1:
		return PrefHigh
	case 3:
		return PrefLow
	}
	return PrefMedium
}

// Router is a snapshot of an entry of the Default Router List.
type Router struct {
	// Addr is the router's link-local address.
	Addr netip.Addr
	// LinkAddr is its link-layer address from the RA's source
	// link-layer address option; zero if it gave none.
	LinkAddr   ethernet.Addr
	Preference Preference
	// Expires is when its router lifetime runs out.
	Expires time.Time
}

// Prefix is a snapshot of an entry of the Prefix List: a prefix on the
// link (RFC 4861 6.3.4, the on-link flag).
type Prefix struct {
	Prefix netip.Prefix
	// Expires is when its valid lifetime runs out; zero for infinite.
	Expires time.Time
}

// Route is a snapshot of a route learnt from a Route Information option
// (RFC 4191).
type Route struct {
	Prefix     netip.Prefix
	Router     netip.Addr
	Preference Preference
	// Expires is when its lifetime runs out; zero for infinite.
	Expires time.Time
}

// DNSServer is a recursive DNS server from an RDNSS option (RFC 8106).
type DNSServer struct {
	Addr netip.Addr
	// Expires is when its lifetime runs out; zero for infinite.
	Expires time.Time
}

// SearchDomain is a domain of the DNS search list from a DNSSL option
// (RFC 8106).
type SearchDomain struct {
	// Name is the domain without its trailing dot ("example.com").
	Name string
	// Expires is when its lifetime runs out; zero for infinite.
	Expires time.Time
}

// MsgKind says what a Packet is.
type MsgKind uint8

// Kinds of the messages an NDP sends.
const (
	// MsgRouterSolicit is a Router Solicitation to all-routers.
	MsgRouterSolicit MsgKind = iota + 1
	// MsgDADSolicit is Duplicate Address Detection's Neighbor
	// Solicitation, from :: to the target's solicited-node group.
	MsgDADSolicit
	// MsgMLDv2Report is an MLDv2 report to ff02::16.
	MsgMLDv2Report
	// MsgMLDv1Report is an MLDv1 report, to the group it reports.
	MsgMLDv1Report
	// MsgMLDv1Done is an MLDv1 Done, to all-routers.
	MsgMLDv1Done
)

// String returns the kind's name.
func (k MsgKind) String() string {
	switch k {
	case MsgRouterSolicit:
		return "router-solicit"
	case MsgDADSolicit:
		return "dad-solicit"
	case MsgMLDv2Report:
		return "mldv2-report"
	case MsgMLDv1Report:
		return "mldv1-report"
	case MsgMLDv1Done:
		return "mldv1-done"
	}
	return "MsgKind(" + strconv.Itoa(int(k)) + ")"
}

// Packet is a message for the caller to send.
type Packet struct {
	Kind MsgKind
	// Src and Dst are the IPv6 source and destination. Dst is always a
	// multicast address: the link-layer destination is its mapping.
	Src, Dst netip.Addr
	// HopLimit is 255 for Neighbor Discovery and 1 for MLD.
	HopLimit uint8
	// RouterAlert asks for a hop-by-hop options header with the router
	// alert option (RFC 2711, value 0 for MLD), as MLD requires.
	RouterAlert bool
	// Target is the Neighbor Solicitation's target, or the group an
	// MLDv1 message is about.
	Target netip.Addr
	// Msg is the ICMPv6 message, its checksum computed over Src and
	// Dst. It is valid only during the Send call.
	Msg []byte
}

// EventKind says what an Event reports.
type EventKind uint8

// Kinds of events.
const (
	// EventAddrTentative: an address was formed and Duplicate Address
	// Detection started (Address).
	EventAddrTentative EventKind = iota + 1
	// EventAddrPreferred: an address passed DAD, or its preferred
	// lifetime was extended while deprecated: use it.
	EventAddrPreferred
	// EventAddrDeprecated: an address's preferred lifetime ran out.
	EventAddrDeprecated
	// EventAddrRemoved: an address's valid lifetime ran out, or
	// RemoveAddress removed it.
	EventAddrRemoved
	// EventAddrDuplicate: DAD found an address in use by another node:
	// it was withdrawn (and, for a stable identifier, another formed).
	EventAddrDuplicate
	// EventRouterAdded and EventRouterRemoved: the Default Router List
	// changed (Router, LinkAddr).
	EventRouterAdded
	EventRouterRemoved
	// EventPrefixAdded and EventPrefixRemoved: an on-link prefix came or
	// went (Prefix).
	EventPrefixAdded
	EventPrefixRemoved
	// EventRoutesChanged: the routes of Route Information options
	// changed (Routes).
	EventRoutesChanged
	// EventHopLimit: an RA set CurHopLimit (HopLimit).
	EventHopLimit
	// EventNeighTimers: an RA set BaseReachableTime or RetransTimer,
	// which the caller passes to its neighbour table
	// (SetBaseReachableTime, SetRetransTime).
	EventNeighTimers
	// EventMTU: an RA's MTU option set the link MTU (MTU).
	EventMTU
	// EventDNSChanged: the DNS servers or the search list changed
	// (DNSServers, SearchList).
	EventDNSChanged
)

// String returns the kind's name.
func (k EventKind) String() string {
	names := [...]string{"", "addr-tentative", "addr-preferred", "addr-deprecated", "addr-removed", "addr-duplicate",
		"router-added", "router-removed", "prefix-added", "prefix-removed", "routes-changed",
		"hop-limit", "neigh-timers", "mtu", "dns-changed"}
	if int(k) < len(names) && k != 0 {
		return names[k]
	}
	return "EventKind(" + strconv.Itoa(int(k)) + ")"
}

// Event is a change an embedder acts on. Which fields are set depends on
// Kind.
type Event struct {
	Kind EventKind
	// Prefix is the address (with its prefix length) of the address
	// events, the prefix of the prefix events.
	Prefix netip.Prefix
	// Origin is the address's origin, for the address events.
	Origin Origin
	// Router and LinkAddr are the router of the router events.
	Router   netip.Addr
	LinkAddr ethernet.Addr
	// HopLimit is CurHopLimit (EventHopLimit).
	HopLimit uint8
	// BaseReachableTime and RetransTimer are the values now in effect
	// (EventNeighTimers).
	BaseReachableTime, RetransTimer time.Duration
	// MTU is the link MTU now in effect (EventMTU).
	MTU int
}

// String describes the event in a line, for logs and examples.
func (e Event) String() string {
	s := e.Kind.String()
	switch e.Kind {
	case EventAddrTentative, EventAddrPreferred, EventAddrDeprecated, EventAddrRemoved, EventAddrDuplicate:
		return s + " " + e.Prefix.String() + " (" + e.Origin.String() + ")"
	case EventRouterAdded, EventRouterRemoved:
		return s + " " + e.Router.String()
	case EventPrefixAdded, EventPrefixRemoved:
		return s + " " + e.Prefix.String()
	case EventHopLimit:
		return s + " " + strconv.Itoa(int(e.HopLimit))
	case EventNeighTimers:
		return s + " reachable " + e.BaseReachableTime.String() + " retrans " + e.RetransTimer.String()
	case EventMTU:
		return s + " " + strconv.Itoa(e.MTU)
	}
	return s
}

// Stats are the counters of an NDP.
type Stats struct {
	// Received messages, by what they were.
	InRouterAdverts    uint64
	InNeighborSolicits uint64
	InNeighborAdverts  uint64
	InMLDQueries       uint64
	InMLDReports       uint64
	// InInvalid counts messages that failed validation (RFC 4861 6.1.2
	// and 7.1, RFC 3810 5.1.14): bad checksum, code, length, options, or
	// a source a message of its kind cannot have; each is dropped.
	InInvalid uint64
	// InIgnored counts valid messages a host has no use for (Router
	// Solicitations, Redirects, MLDv2 reports, unknown types, RAs with
	// NoRouterDiscovery).
	InIgnored uint64

	OutRouterSolicits uint64
	OutDADSolicits    uint64
	OutMLDReports     uint64 // v2 and v1 reports and v1 Dones

	DADStarted    uint64
	DADSucceeded  uint64
	DADDuplicates uint64
	// DADLoopedBack counts our own DAD solicitations heard back (their
	// nonce is ours, RFC 7527): not duplicates.
	DADLoopedBack uint64
	// Conflicts counts advertisements for an address of ours that had
	// passed DAD: another node claims it (RFC 4862 5.4.4 logs them).
	Conflicts uint64
	// IIDRetries counts addresses formed again with the next DAD
	// counter (RFC 7217): after a duplicate, or a reserved identifier.
	IIDRetries uint64

	// PrefixesIgnored counts prefix options that configured nothing:
	// link-local prefix, preferred lifetime above the valid one, or a
	// length other than 64 for SLAAC.
	PrefixesIgnored uint64
	// TwoHourRule counts valid lifetimes an RA was refused to shorten
	// below two hours (RFC 4862 5.5.3 (e)).
	TwoHourRule uint64
	// MTUIgnored counts MTU options below 1280 or above the link MTU.
	MTUIgnored uint64

	// Drops for want of room: what a full list could not take.
	RoutersDropped  uint64
	PrefixesDropped uint64
	RoutesDropped   uint64
	AddrsDropped    uint64
	RDNSSDropped    uint64
	DNSSLDropped    uint64
	GroupsDropped   uint64
	// OptionsDropped counts options of one RA beyond what one message
	// is allowed to bring (MaxOptionsPerRA of a kind).
	OptionsDropped uint64
}
