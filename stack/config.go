package stack

import (
	crand "crypto/rand"
	"encoding/binary"
	"errors"
	"fmt"
	"math/rand/v2"
	"net/netip"

	"github.com/medina-net/medina/arp"
	"github.com/medina-net/medina/ipv4"
	"github.com/medina-net/medina/link"
	"github.com/medina-net/medina/tcp"
)

// Config is a stack's configuration. Addr is required; every other field
// has a default.
type Config struct {
	// Addr is the stack's IPv4 address and the prefix of its link, such
	// as 10.0.0.2/24.
	Addr netip.Prefix
	// Gateway is the next hop for destinations off the link. Without
	// one, only the link is reachable.
	Gateway netip.Addr

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
	// ARP configures the neighbour cache.
	ARP arp.CacheConfig
	// Reassembly configures IPv4 reassembly.
	Reassembly ipv4.ReassemblyConfig
	// PathMTU configures Path MTU Discovery's table (RFC 1191).
	PathMTU PathMTUConfig
	// ICMPErrorRate and ICMPErrorBurst limit the ICMP error messages the
	// stack sends (port and protocol unreachables, reassembly time
	// exceeded): a token bucket of ICMPErrorBurst tokens refilled at
	// ICMPErrorRate per second (defaults 1000 and 50, Linux's
	// icmp_msgs_per_sec and icmp_msgs_burst).
	ICMPErrorRate  float64
	ICMPErrorBurst int
	// UDPReceiveBuffer is the default receive buffer of a UDP socket in
	// bytes of payload (default 256 KiB).
	UDPReceiveBuffer int
	// TCP configures the TCP engine; its Clock and Rand are the stack's.
	TCP tcp.Config
	// NoGratuitousARP turns off the ARP announcement the stack sends when
	// it starts (RFC 5227).
	NoGratuitousARP bool
}

// Defaults that Config's zero fields take.
const (
	DefaultTTL              = 64
	DefaultICMPErrorRate    = 1000
	DefaultICMPErrorBurst   = 50
	DefaultUDPReceiveBuffer = 256 << 10
)

// ErrConfig is wrapped by every error about a bad Config.
var ErrConfig = errors.New("stack: bad configuration")

// withDefaults checks cfg and fills in its defaults.
func (cfg Config) withDefaults() (Config, error) {
	if !cfg.Addr.IsValid() || !cfg.Addr.Addr().Is4() {
		return cfg, fmt.Errorf("%w: Addr %v is not an IPv4 prefix", ErrConfig, cfg.Addr)
	}
	if cfg.Gateway.IsValid() {
		if !cfg.Gateway.Is4() {
			return cfg, fmt.Errorf("%w: Gateway %v is not IPv4", ErrConfig, cfg.Gateway)
		}
		if !cfg.Addr.Masked().Contains(cfg.Gateway) {
			return cfg, fmt.Errorf("%w: Gateway %v is not on the link %v", ErrConfig, cfg.Gateway, cfg.Addr.Masked())
		}
	}
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

// SeededRand returns a deterministic source for Config.Rand: two stacks
// given the same seed (and the same inputs, on the same clock) send the
// same bytes.
func SeededRand(seed uint64) rand.Source {
	var s [32]byte
	binary.LittleEndian.PutUint64(s[:], seed)
	return rand.NewChaCha8(s)
}
