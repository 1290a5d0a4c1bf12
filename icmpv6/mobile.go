package icmpv6

import "github.com/medina-net/medina/ipv6"

// Mobile IPv6's ICMPv6 messages (RFC 6275 6.5 to 6.8) have a 16-bit
// identifier at 4 (ID) and 2 bytes after it: reserved in the home agent
// address discovery messages and the mobile prefix solicitation, the M and
// O flags in a mobile prefix advertisement (MobilePrefixFlags). A home
// agent address discovery reply lists the home agents' addresses from 8:
//
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//	|     Type      |     Code      |            Checksum           |
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//	|          Identifier           |            Reserved           |
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//	+                  Home Agent Addresses (16 each)               +
//
// A mobile prefix advertisement carries prefix information options from
// 8, which Options walks.
const homeAgentsOff = 8

// Mobile prefix advertisement flags, in MobilePrefixFlags.
const (
	MobilePrefixManaged = 0x8000 // M: addresses are available from DHCPv6
	MobilePrefixOther   = 0x4000 // O: other configuration is available from DHCPv6
)

// NumHomeAgents returns how many whole addresses a home agent address
// discovery reply holds.
func (m Message) NumHomeAgents() int { return max(len(m)-homeAgentsOff, 0) / ipv6.AddrLen }

// HomeAgent returns the i-th (from 0) address of a home agent address
// discovery reply; ok is false when the message ends before its end.
func (m Message) HomeAgent(i int) (ipv6.Addr, bool) {
	if i < 0 || i >= 1<<20 {
		return ipv6.Addr{}, false
	}
	return m.addr(homeAgentsOff + i*ipv6.AddrLen)
}
