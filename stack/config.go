package stack

import (
	crand "crypto/rand"
	"encoding/binary"
	"errors"
	"fmt"
	"math/rand/v2"
	"net/netip"
	"slices"

	"github.com/medina-net/medina/arp"
	"github.com/medina-net/medina/dhcp"
	"github.com/medina-net/medina/ipv4"
	"github.com/medina-net/medina/ipv6"
	"github.com/medina-net/medina/link"
	"github.com/medina-net/medina/ndp"
	"github.com/medina-net/medina/neigh"
	"github.com/medina-net/medina/tcp"
)

// Config is a stack's configuration. An address is required (Addr or
// Addrs); every other field has a default.
type Config struct {
	// Addr is the stack's IPv4 address and the prefix of its link, such
	// as 10.0.0.2/24: its primary IPv4 address. It may be left out when
	// Addrs holds the addresses.
	Addr netip.Prefix
	// Addrs are more addresses of the stack's, IPv4 and IPv6, each with
	// the prefix of its link: 10.0.1.2/24, 2001:db8::2/64, fe80::2/64 (a
	// /128 puts nothing else on the link). Without Addr, the first IPv4
	// one is the primary IPv4 address. The IPv6 ones are static: in use
	// at once, without Duplicate Address Detection; addresses that
	// Neighbor Discovery configures are added at run time
	// (Stack.AddAddress).
	Addrs []netip.Prefix
	// Gateway is the next hop for IPv4 destinations off the link. Without
	// one, only the link is reachable. Over a layer-3 device
	// (link.Layer3) every destination is on the link, and neither
	// gateway is used.
	Gateway netip.Addr
	// Gateway6 is the next hop for IPv6 destinations off the link: a
	// link-local address, or one on the link of an IPv6 address of the
	// stack's. Stack.SetRouter6 changes it at run time.
	Gateway6 netip.Addr

	// Clock is the stack's time source, for timers, deadlines and
	// timestamps (default link.SystemClock, which is virtual inside a
	// testing/synctest bubble).
	Clock link.Clock
	// Rand is the one source of randomness: IP IDs, ephemeral ports, ICMP
	// echo identifiers and, with TCP, initial sequence numbers. Seed it to
	// make a stack's output reproducible. The default is seeded from
	// crypto/rand.
	Rand rand.Source

	// TTL is the time to live of datagrams the stack sends (default 64).
	TTL uint8
	// HopLimit is the hop limit of IPv6 packets the stack sends (default
	// 64); Neighbor Discovery's messages go with 255 whatever it is.
	HopLimit uint8
	// ARP configures the neighbour cache. Its RetransTime and MaxRetries
	// bound how long a dial waits for a neighbour that never answers
	// before it fails with EHOSTUNREACH: 3 requests 1 s apart, 3 s, by
	// default, as on Linux.
	ARP arp.CacheConfig
	// Reassembly configures IPv4 reassembly.
	Reassembly ipv4.ReassemblyConfig
	// Reassembly6 configures IPv6 reassembly (a 60 s timeout by default,
	// RFC 8200 4.5).
	Reassembly6 ipv6.ReassemblyConfig
	// NDP configures the IPv6 neighbour table that Neighbor Discovery's
	// address resolution runs (RFC 4861). Its Rand is the stack's; its
	// probes are unicast and a full queue drops its oldest packet, as RFC
	// 4861 7.2.2 and 7.3.3 say. Its RetransTime and MaxMulticastSolicit
	// bound how long a dial waits for a neighbour that never answers, as
	// ARP's do (3 s by default).
	NDP neigh.Config
	// NDPHandler, when set, hears the Neighbor Discovery messages the
	// stack does not handle itself: Router Solicitations and
	// Advertisements, Redirects, and Neighbor Solicitations and
	// Advertisements about tentative addresses (Duplicate Address
	// Detection). It is the seam package ndp plugs into.
	NDPHandler NDPHandler
	// Autoconf, when set, configures IPv6 addresses by themselves
	// (package ndp, autoconf.go): a link-local address at start, SLAAC
	// addresses from Router Advertisements, each through Duplicate
	// Address Detection, the default router and what an RA says of the
	// link. The stack fills in its MAC, Send, the link's MTU and, if nil,
	// Rand (the stack's); Event, if set, hears every change after the
	// stack has acted on it. It takes the place of NDPHandler, which
	// must then be nil. With it, Addr and Addrs may be left empty.
	Autoconf *ndp.Config
	// DHCP, when set, configures IPv4 by DHCP (package dhcp, dhcp.go):
	// the stack leases an address, and adds it with the gateway, routes
	// and MTU of the lease, renews it and removes them when it ends. The
	// stack fills in its MAC, Send and, if nil, Rand (the stack's);
	// Event, if set, hears every change after the stack has acted on it;
	// Stack.DHCPLease gives the DNS servers and search list. A pointer
	// rather than a bool, as Autoconf is: &dhcp.Config{} is all it
	// takes, and the hostname, client identifier and timings are there
	// for an embedder who wants them. With it, Addr and Addrs may be left
	// empty. It needs an Ethernet device, not a layer-3 one.
	DHCP *dhcp.Config
	// PathMTU configures Path MTU Discovery's table (RFC 1191).
	PathMTU PathMTUConfig
	// ICMPErrorRate and ICMPErrorBurst limit the ICMP error messages the
	// stack sends (port and protocol unreachables, reassembly time
	// exceeded, parameter problems): a token bucket of ICMPErrorBurst
	// tokens refilled at ICMPErrorRate per second (defaults 1000 and 50,
	// Linux's icmp_msgs_per_sec and icmp_msgs_burst). ICMPv6's errors
	// have a bucket of their own with the same settings (RFC 4443 2.4 f).
	ICMPErrorRate  float64
	ICMPErrorBurst int
	// UDPReceiveBuffer is the default receive buffer of a UDP socket in
	// bytes of payload (default 256 KiB).
	UDPReceiveBuffer int
	// TCP configures the TCP engine; its Clock and Rand are the stack's.
	TCP tcp.Config
	// DNS configures name resolution (Stack.Resolver, Stack.LookupNetIP,
	// and Stack.DialContext with a name): servers and a search list
	// besides those DHCP and Router Advertisements give, timeouts,
	// retries and the cache.
	DNS DNSConfig
	// NoGratuitousARP turns off the ARP announcement the stack sends when
	// it starts (RFC 5227).
	NoGratuitousARP bool
}

// Defaults that Config's zero fields take.
const (
	DefaultTTL              = 64
	DefaultHopLimit         = 64
	DefaultICMPErrorRate    = 1000
	DefaultICMPErrorBurst   = 50
	DefaultUDPReceiveBuffer = 256 << 10
)

// ErrConfig is wrapped by every error about a bad Config.
var ErrConfig = errors.New("stack: bad configuration")

// withDefaults checks cfg and fills in its defaults.
func (cfg Config) withDefaults() (Config, error) {
	if cfg.Addr.IsValid() && !cfg.Addr.Addr().Is4() {
		return cfg, fmt.Errorf("%w: Addr %v is not an IPv4 prefix", ErrConfig, cfg.Addr)
	}
	var v4, v6 []netip.Prefix
	for _, p := range cfg.allAddrs() {
		switch a := p.Addr(); {
		case !p.IsValid():
			return cfg, fmt.Errorf("%w: address %v", ErrConfig, p)
		case a.Is4():
			if slices.ContainsFunc(v4, func(q netip.Prefix) bool { return q.Addr() == a }) {
				return cfg, fmt.Errorf("%w: address %v given twice", ErrConfig, a)
			}
			if a.IsUnspecified() || a.IsMulticast() || a.IsLoopback() || a == netip.AddrFrom4([4]byte{255, 255, 255, 255}) {
				return cfg, fmt.Errorf("%w: %v cannot be an address of the stack's", ErrConfig, a)
			}
			v4 = append(v4, p)
		case a.Is4In6() || a.Zone() != "":
			return cfg, fmt.Errorf("%w: address %v: no IPv4-mapped addresses or zones", ErrConfig, p)
		default:
			if a.IsUnspecified() || a.IsMulticast() || a.IsLoopback() {
				return cfg, fmt.Errorf("%w: %v cannot be an address of the stack's", ErrConfig, a)
			}
			v6 = append(v6, p)
		}
	}
	if cfg.Autoconf != nil && cfg.NDPHandler != nil {
		return cfg, fmt.Errorf("%w: both Autoconf and NDPHandler", ErrConfig)
	}
	if len(v4)+len(v6) == 0 && cfg.Autoconf == nil && cfg.DHCP == nil {
		return cfg, fmt.Errorf("%w: no address (Addr %v)", ErrConfig, cfg.Addr)
	}
	if cfg.Gateway.IsValid() {
		if !cfg.Gateway.Is4() {
			return cfg, fmt.Errorf("%w: Gateway %v is not IPv4", ErrConfig, cfg.Gateway)
		}
		if !slices.ContainsFunc(v4, func(p netip.Prefix) bool { return p.Masked().Contains(cfg.Gateway) }) {
			return cfg, fmt.Errorf("%w: Gateway %v is not on the link of an IPv4 address", ErrConfig, cfg.Gateway)
		}
	}
	if g := cfg.Gateway6; g.IsValid() {
		if !g.Is6() || g.Is4In6() || g.IsMulticast() || g.IsUnspecified() {
			return cfg, fmt.Errorf("%w: Gateway6 %v is not an IPv6 unicast address", ErrConfig, g)
		}
		g = g.WithZone("")
		if !g.IsLinkLocalUnicast() && !slices.ContainsFunc(v6, func(p netip.Prefix) bool { return p.Masked().Contains(g) }) {
			return cfg, fmt.Errorf("%w: Gateway6 %v is not on the link of an IPv6 address", ErrConfig, cfg.Gateway6)
		}
		cfg.Gateway6 = g
	}
	dns, err := cfg.DNS.withDefaults()
	if err != nil {
		return cfg, err
	}
	cfg.DNS = dns
	if cfg.Clock == nil {
		cfg.Clock = link.SystemClock
	}
	if cfg.Rand == nil {
		var seed [32]byte
		crand.Read(seed[:])
		cfg.Rand = rand.NewChaCha8(seed)
	}
	if cfg.TTL == 0 {
		cfg.TTL = DefaultTTL
	}
	if cfg.HopLimit == 0 {
		cfg.HopLimit = DefaultHopLimit
	}
	if cfg.ICMPErrorRate == 0 {
		cfg.ICMPErrorRate = DefaultICMPErrorRate
	}
	if cfg.ICMPErrorBurst == 0 {
		cfg.ICMPErrorBurst = DefaultICMPErrorBurst
	}
	if cfg.UDPReceiveBuffer == 0 {
		cfg.UDPReceiveBuffer = DefaultUDPReceiveBuffer
	}
	return cfg, nil
}

// allAddrs returns Addr, when set, and Addrs.
func (cfg *Config) allAddrs() []netip.Prefix {
	if !cfg.Addr.IsValid() {
		return cfg.Addrs
	}
	return append([]netip.Prefix{cfg.Addr}, cfg.Addrs...)
}

// SeededRand returns a deterministic source for Config.Rand: two stacks
// given the same seed (and the same inputs, on the same clock) send the
// same bytes.
func SeededRand(seed uint64) rand.Source {
	var s [32]byte
	binary.LittleEndian.PutUint64(s[:], seed)
	return rand.NewChaCha8(s)
}
