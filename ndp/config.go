package ndp

import (
	"math/rand/v2"
	"time"

	"github.com/medina-net/medina/ethernet"
)

// Protocol constants of RFC 4861 section 10, RFC 4862, RFC 3810 section 9
// and RFC 7217, as a host uses them.
const (
	// MaxRtrSolicitationDelay is MAX_RTR_SOLICITATION_DELAY: the random
	// delay before the first Router Solicitation, and before the first
	// Neighbor Solicitation of Duplicate Address Detection.
	MaxRtrSolicitationDelay = time.Second
	// RtrSolicitationInterval is RTR_SOLICITATION_INTERVAL.
	RtrSolicitationInterval = 4 * time.Second
	// MaxRtrSolicitations is MAX_RTR_SOLICITATIONS.
	MaxRtrSolicitations = 3
	// IDGenDelay is RFC 7217's IDGEN_DELAY: the wait before an address
	// whose identifier was a duplicate is tried again with the next.
	IDGenDelay = time.Second
	// TwoHours is the bound of RFC 4862 5.5.3 (e): an unauthenticated
	// Router Advertisement may not shorten an address's valid lifetime
	// below it.
	TwoHours = 2 * time.Hour
	// MinMTU is IPv6's minimum link MTU (RFC 8200 section 5).
	MinMTU = 1280
)

// Defaults of Config.
const (
	// DefaultDADTransmits is RFC 4862's DupAddrDetectTransmits.
	DefaultDADTransmits = 1
	// DefaultRetransTimer is RFC 4861's RETRANS_TIMER.
	DefaultRetransTimer = time.Second
	// DefaultLinkMTU is Ethernet's.
	DefaultLinkMTU = 1500
	// DefaultMLDRobustness is RFC 3810's Robustness Variable.
	DefaultMLDRobustness = 2
	// DefaultUnsolicitedReportInterval is RFC 3810's Unsolicited Report
	// Interval.
	DefaultUnsolicitedReportInterval = time.Second
	// DefaultQueryInterval and DefaultQueryResponseInterval are RFC
	// 3810's Query Interval and Query Response Interval, which make the
	// Older Version Querier Present Timeout (9.12).
	DefaultQueryInterval         = 125 * time.Second
	DefaultQueryResponseInterval = 10 * time.Second

	// Bounds of the lists a Router Advertisement fills: Linux keeps no
	// more default routers than this in practice, RFC 8106 asks for at
	// least 3 servers and 3 domains.
	DefaultMaxRouters  = 8
	DefaultMaxPrefixes = 16
	DefaultMaxRoutes   = 16
	DefaultMaxAddrs    = 16
	DefaultMaxRDNSS    = 8
	DefaultMaxDNSSL    = 8
	DefaultMaxGroups   = 64
)

// Config configures an NDP instance. The zero value of each field is RFC
// 4861's, 4862's and 3810's default behaviour for a host.
type Config struct {
	// MAC is the interface's link-layer address: the source link-layer
	// address option of Router Solicitations, the EUI-64 identifier, and
	// RFC 7217's Net_Iface unless NetIface is set.
	MAC ethernet.Addr
	// Rand is the random source of every delay (RFC 4861's and 3810's
	// random delays), of the DAD nonces and, unless SecretKey is set, of
	// RFC 7217's secret key, drawn once by New: a stack seeded the same
	// way forms the same addresses. Nil draws from a source seeded by the
	// runtime.
	Rand rand.Source
	// SecretKey is RFC 7217's secret_key. An embedder that wants its
	// addresses stable across restarts stores one (at least 128 bits).
	SecretKey []byte
	// NetIface is RFC 7217's Net_Iface; nil uses MAC.
	NetIface []byte
	// NetworkID is RFC 7217's optional Network_ID (a Wi-Fi SSID, say).
	NetworkID []byte
	// EUI64 forms interface identifiers from MAC (RFC 4291 appendix A)
	// instead of RFC 7217's stable, opaque ones.
	EUI64 bool
	// DADTransmits is DupAddrDetectTransmits: the Neighbor Solicitations
	// sent for each tentative address. Negative disables Duplicate
	// Address Detection: addresses are preferred at once.
	DADTransmits int
	// RetransTimer is the interval between Duplicate Address Detection's
	// solicitations until a Router Advertisement sets it.
	RetransTimer time.Duration
	// LinkMTU is the link's MTU; an RA's MTU option may lower the MTU in
	// use, never raise it above this.
	LinkMTU int
	// NoLinkLocal skips forming the link-local address at Start.
	NoLinkLocal bool
	// NoRouterDiscovery sends no Router Solicitation and ignores Router
	// Advertisements (a router, or a host configured by hand).
	NoRouterDiscovery bool
	// NoSLAAC processes Router Advertisements but forms no address from
	// their prefixes.
	NoSLAAC bool
	// NoMLD sends no MLD report and answers no query.
	NoMLD bool
	// MLDv1 sends MLDv1 messages (RFC 2710) from the start, as if an
	// MLDv1 querier were always present.
	MLDv1 bool
	// MLDRobustness is the Robustness Variable until a query sets it:
	// how many times an unsolicited report is sent.
	MLDRobustness int
	// UnsolicitedReportInterval bounds the random delay between the
	// repeats of an unsolicited report.
	UnsolicitedReportInterval time.Duration

	// Bounds of the lists, so that a flood of Router Advertisements
	// holds a fixed amount of memory; what does not fit is dropped and
	// counted in Stats.
	MaxRouters  int // default routers
	MaxPrefixes int // on-link prefixes
	MaxRoutes   int // routes of Route Information options (RFC 4191)
	MaxAddrs    int // addresses, link-local, SLAAC and added ones
	MaxRDNSS    int // recursive DNS servers
	MaxDNSSL    int // search domains
	MaxGroups   int // multicast groups reported by MLD

	// Send is called for each message to send. The Packet's Msg is valid
	// only during the call.
	Send func(Packet)
	// Event is called for each change the embedder acts on.
	Event func(Event)
}

func (c *Config) fill() {
	defInt := func(v *int, d int) {
		if *v <= 0 {
			*v = d
		}
	}
	if c.DADTransmits == 0 {
		c.DADTransmits = DefaultDADTransmits
	}
	if c.DADTransmits < 0 {
		c.DADTransmits = 0
	}
	if c.RetransTimer <= 0 {
		c.RetransTimer = DefaultRetransTimer
	}
	defInt(&c.LinkMTU, DefaultLinkMTU)
	defInt(&c.MLDRobustness, DefaultMLDRobustness)
	if c.UnsolicitedReportInterval <= 0 {
		c.UnsolicitedReportInterval = DefaultUnsolicitedReportInterval
	}
	defInt(&c.MaxRouters, DefaultMaxRouters)
	defInt(&c.MaxPrefixes, DefaultMaxPrefixes)
	defInt(&c.MaxRoutes, DefaultMaxRoutes)
	defInt(&c.MaxAddrs, DefaultMaxAddrs)
	defInt(&c.MaxRDNSS, DefaultMaxRDNSS)
	defInt(&c.MaxDNSSL, DefaultMaxDNSSL)
	defInt(&c.MaxGroups, DefaultMaxGroups)
	if c.NetIface == nil {
		c.NetIface = append([]byte(nil), c.MAC[:]...)
	}
}
