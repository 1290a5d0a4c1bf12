package ndp

import (
	"crypto/sha256"
	"encoding/binary"
	"net/netip"

	"github.com/medina-net/medina/ethernet"
)

// IDGenRetries is RFC 7217's IDGEN_RETRIES: how many times an address
// whose stable interface identifier turned out to be a duplicate is formed
// again with the next DAD counter before the prefix is given up.
const IDGenRetries = 3

// linkLocalPrefix is fe80::/64, the prefix of the link-local address
// (RFC 4291 2.5.6).
var linkLocalPrefix = netip.PrefixFrom(netip.AddrFrom16([16]byte{0: 0xfe, 1: 0x80}), 64)

// EUI64 returns the modified EUI-64 interface identifier of mac (RFC 4291
// appendix A): ff:fe in the middle, and the universal/local bit inverted.
func EUI64(mac ethernet.Addr) [8]byte {
	return [8]byte{mac[0] ^ 0x02, mac[1], mac[2], 0xff, 0xfe, mac[3], mac[4], mac[5]}
}

// ReservedIID reports whether an interface identifier is one RFC 5453 (and
// IANA's registry of reserved IPv6 interface identifiers) keeps from
// hosts: the subnet-router anycast identifier 0, the range of Mobile
// IPv6's and proxy anycast identifiers 0200:5eff:fe00:0000 to
// 0200:5eff:feff:ffff, and the reserved subnet anycast identifiers
// fdff:ffff:ffff:ff80 to fdff:ffff:ffff:ffff (RFC 2526).
func ReservedIID(iid [8]byte) bool {
	v := binary.BigEndian.Uint64(iid[:])
	switch {
	case v == 0:
		return true
	case v >= 0x02005efffe000000 && v <= 0x02005efffeffffff:
		return true
	case v >= 0xfdffffffffffff80:
		return true
	}
	return false
}

// StableIID computes RFC 7217's interface identifier for prefix: the
// first 64 bits of F(Prefix, Net_Iface, Network_ID, DAD_Counter,
// secret_key), with SHA-256 as F. The variable-length inputs are written
// with their lengths so that no two different inputs hash the same
// bytes. ok is false when the result is a reserved identifier (RFC
// 5453): RFC 7217 section 5 then moves to the next DAD counter.
func StableIID(prefix netip.Prefix, netIface, networkID []byte, dadCounter uint8, secret []byte) (iid [8]byte, ok bool) {
	h := sha256.New()
	p := prefix.Masked().Addr().As16()
	h.Write(p[:8])
	var n [2]byte
	binary.BigEndian.PutUint16(n[:], uint16(len(netIface)))
	h.Write(n[:])
	h.Write(netIface)
	binary.BigEndian.PutUint16(n[:], uint16(len(networkID)))
	h.Write(n[:])
	h.Write(networkID)
	h.Write([]byte{dadCounter})
	h.Write(secret)
	var sum [sha256.Size]byte
	h.Sum(sum[:0])
	copy(iid[:], sum[:8])
	return iid, !ReservedIID(iid)
}

// withIID returns the address of prefix's first 64 bits and iid.
func withIID(prefix netip.Prefix, iid [8]byte) netip.Addr {
	a := prefix.Masked().Addr().As16()
	copy(a[8:], iid[:])
	return netip.AddrFrom16(a)
}

// solicitedNode returns the solicited-node multicast address of a,
// ff02::1:ffXX:XXXX (RFC 4291 2.7.1).
func solicitedNode(a netip.Addr) netip.Addr {
	b := a.As16()
	return netip.AddrFrom16([16]byte{0: 0xff, 1: 0x02, 11: 0x01, 12: 0xff, 13: b[13], 14: b[14], 15: b[15]})
}
