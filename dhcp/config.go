package dhcp

import (
	"math/rand/v2"
	"net/netip"
	"time"

	"github.com/medina-net/medina/ethernet"
)

// Protocol constants of RFC 2131 and RFC 5227 as a client uses them.
const (
	// InitialTimeout is the first retransmission timeout of RFC 2131
	// 4.1, doubled at each retransmission up to MaxTimeout, each delay
	// randomized by up to a second either way.
	InitialTimeout = 4 * time.Second
	MaxTimeout     = 64 * time.Second
	// MinRenewWait is the shortest wait before a REQUEST is sent again in
	// RENEWING and REBINDING (RFC 2131 4.4.5: half the time left, down to
	// 60 seconds).
	MinRenewWait = 60 * time.Second
	// DeclineWait is how long a client waits after a DECLINE before it
	// starts again (RFC 2131 3.1.5: at least ten seconds).
	DeclineWait = 10 * time.Second
	// RFC 5227 2.1.1's timing of the probes of an offered address.
	ProbeWait    = time.Second     // PROBE_WAIT: random delay before the first probe
	ProbeNum     = 3               // PROBE_NUM
	ProbeMin     = time.Second     // PROBE_MIN: least time between probes
	ProbeMax     = 2 * time.Second // PROBE_MAX: most time between probes
	AnnounceWait = 2 * time.Second // ANNOUNCE_WAIT: after the last probe
	AnnounceNum  = 2               // ANNOUNCE_NUM
	// AnnounceInterval is ANNOUNCE_INTERVAL, between announcements.
	AnnounceInterval = 2 * time.Second
)

// Defaults of Config.
const (
	// DefaultMaxRequests is how many REQUESTs are sent in REQUESTING and
	// INIT-REBOOT before the client goes back to INIT.
	DefaultMaxRequests = 4
	// Bounds of what a lease holds; what does not fit is dropped and
	// counted (Stats.OptionsDropped).
	DefaultMaxRouters = 8
	DefaultMaxDNS     = 8
	DefaultMaxSearch  = 8
	DefaultMaxRoutes  = 32
)

// Config configures a Client. The zero value of each field is RFC 2131's
// and RFC 5227's behaviour.
type Config struct {
	// MAC is the interface's hardware address: chaddr, and the client
	// identifier unless ClientID is set.
	MAC ethernet.Addr
	// Rand is the source of transaction IDs and of every random delay.
	// Nil draws from a source seeded by the runtime.
	Rand rand.Source
	// Hostname, when set, is sent in the Host Name option.
	Hostname string
	// ClientID is the Client Identifier option's value (RFC 2132 9.14);
	// nil sends the hardware type and MAC (01 and the six bytes).
	ClientID []byte
	// RequestedAddr, when valid, is an address the client had before:
	// Start begins in INIT-REBOOT and asks for it again (RFC 2131 3.2).
	RequestedAddr netip.Addr
	// BroadcastFlag asks servers to broadcast their replies (the BROADCAST
	// flag of RFC 2131 4.1); a client that takes unicast datagrams to an
	// address it does not have yet, as the stack does, leaves it clear.
	BroadcastFlag bool

	// InitialTimeout and MaxTimeout bound the retransmission timeouts of
	// SELECTING, REQUESTING and INIT-REBOOT (defaults 4 s and 64 s).
	InitialTimeout, MaxTimeout time.Duration
	// MaxRequests is how many REQUESTs REQUESTING and INIT-REBOOT send
	// before going back to INIT (default 4).
	MaxRequests int
	// MinRenewWait is the least wait between REQUESTs in RENEWING and
	// REBINDING (default 60 s, RFC 2131 4.4.5).
	MinRenewWait time.Duration
	// DeclineWait is the wait after a DECLINE (default 10 s).
	DeclineWait time.Duration
	// Probes is the number of ARP probes of an ACKed address (RFC 5227;
	// default ProbeNum); negative sends none and binds at once.
	Probes int
	// ProbeWait, ProbeMin, ProbeMax and AnnounceWait are RFC 5227's
	// timing (defaults ProbeWait, ProbeMin, ProbeMax, AnnounceWait).
	ProbeWait, ProbeMin, ProbeMax, AnnounceWait time.Duration

	// Bounds of the lists a lease holds.
	MaxRouters, MaxDNS, MaxSearch, MaxRoutes int

	// Send is called for each message to send. The Packet's Msg is valid
	// only during the call.
	Send func(Packet)
	// Event is called for each change of the lease.
	Event func(Event)
}

func (c *Config) fill() {
	dur := func(v *time.Duration, d time.Duration) {
		if *v <= 0 {
			*v = d
		}
	}
	num := func(v *int, d int) {
		if *v <= 0 {
			*v = d
		}
	}
	dur(&c.InitialTimeout, InitialTimeout)
	dur(&c.MaxTimeout, MaxTimeout)
	dur(&c.MinRenewWait, MinRenewWait)
	dur(&c.DeclineWait, DeclineWait)
	dur(&c.ProbeWait, ProbeWait)
	dur(&c.ProbeMin, ProbeMin)
	dur(&c.ProbeMax, ProbeMax)
	dur(&c.AnnounceWait, AnnounceWait)
	if c.ProbeMax < c.ProbeMin {
		c.ProbeMax = c.ProbeMin
	}
	num(&c.MaxRequests, DefaultMaxRequests)
	num(&c.MaxRouters, DefaultMaxRouters)
	num(&c.MaxDNS, DefaultMaxDNS)
	num(&c.MaxSearch, DefaultMaxSearch)
	num(&c.MaxRoutes, DefaultMaxRoutes)
	if c.Probes == 0 {
		c.Probes = ProbeNum
	}
	if c.Probes < 0 {
		c.Probes = 0
	}
	if c.ClientID == nil {
		c.ClientID = append([]byte{HTypeEthernet}, c.MAC[:]...)
	}
	if len(c.ClientID) > 255 {
		c.ClientID = c.ClientID[:255]
	}
	if len(c.Hostname) > 255 {
		c.Hostname = c.Hostname[:255]
	}
}
