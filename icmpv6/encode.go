package icmpv6

import (
	"encoding/binary"
	"fmt"

	"github.com/medina-net/medina/ipv6"
)

// Encode writes a message of any type between src and dst into b with a
// correct checksum and returns it: the header with rest as bytes 4 to 7,
// then body. b needs room for 8 bytes and the body; body may already sit
// at b[8:].
func Encode(b []byte, t Type, c Code, rest uint32, body []byte, src, dst ipv6.Addr) (Message, error) {
	n := HeaderLen + len(body)
	if len(b) < n {
		return nil, fmt.Errorf("%w: buffer of %d bytes, %v message needs %d", ErrTruncated, len(b), t, n)
	}
	m := Message(b[:n])
	copy(m[HeaderLen:], body) // first, in case body overlaps the header
	m.SetType(t)
	m.SetCode(c)
	m.SetChecksum(0)
	m.SetRestOfHeader(rest)
	m.FillChecksum(src, dst)
	return m, nil
}

// EncodeEcho writes an echo request (TypeEchoRequest) or reply
// (TypeEchoReply) with the given identifier, sequence number and data.
func EncodeEcho(b []byte, t Type, id, seq uint16, data []byte, src, dst ipv6.Addr) (Message, error) {
	return Encode(b, t, 0, uint32(id)<<16|uint32(seq), data, src, dst)
}

// QuoteLen returns how much of packet an error message quotes: all of
// it, up to MaxQuoteLen, so that the error fits the minimum MTU (RFC 4443
// 2.4(c)).
func QuoteLen(packet []byte) int { return min(len(packet), MaxQuoteLen) }

// EncodeError writes an error message of type t (destination unreachable,
// packet too big, time exceeded or parameter problem) quoting packet, from
// its IPv6 header on, cut to QuoteLen. rest is bytes 4 to 7: the MTU of a
// packet too big, the pointer of a parameter problem, 0 for the others.
// The caller keeps to RFC 4443 2.4(e): no error about an error, nor about
// a packet sent to a multicast address (but packet too big, and parameter
// problem code 2).
func EncodeError(b []byte, t Type, c Code, rest uint32, packet []byte, src, dst ipv6.Addr) (Message, error) {
	if !t.IsError() {
		return nil, fmt.Errorf("icmpv6: %v is not an error message", t)
	}
	return Encode(b, t, c, rest, packet[:QuoteLen(packet)], src, dst)
}

// EncodeDestUnreachable writes a destination unreachable message quoting
// packet (see EncodeError).
func EncodeDestUnreachable(b []byte, c Code, packet []byte, src, dst ipv6.Addr) (Message, error) {
	return EncodeError(b, TypeDestUnreachable, c, 0, packet, src, dst)
}

// EncodePacketTooBig writes a packet too big message carrying the MTU of
// the next hop and quoting packet (see EncodeError).
func EncodePacketTooBig(b []byte, mtu uint32, packet []byte, src, dst ipv6.Addr) (Message, error) {
	return EncodeError(b, TypePacketTooBig, 0, mtu, packet, src, dst)
}

// EncodeTimeExceeded writes a time exceeded message quoting packet (see
// EncodeError).
func EncodeTimeExceeded(b []byte, c Code, packet []byte, src, dst ipv6.Addr) (Message, error) {
	return EncodeError(b, TypeTimeExceeded, c, 0, packet, src, dst)
}

// EncodeParamProblem writes a parameter problem message whose pointer is
// the offset in packet of the byte in error, quoting packet (see
// EncodeError).
func EncodeParamProblem(b []byte, c Code, pointer uint32, packet []byte, src, dst ipv6.Addr) (Message, error) {
	return EncodeError(b, TypeParamProblem, c, pointer, packet, src, dst)
}

// encodeND writes a neighbor discovery message: fixed is the body after
// the 8-byte header, then a link-layer address option of type llType when
// lladdr is not empty, then a nonce option when nonce is not empty.
func encodeND(b []byte, t Type, rest uint32, fixed []byte, llType OptionType, lladdr, nonce []byte, src, dst ipv6.Addr) (Message, error) {
	n := HeaderLen + len(fixed)
	if len(lladdr) > 0 {
		n += (optDataOff + len(lladdr) + optUnit - 1) / optUnit * optUnit
	}
	if len(nonce) > 0 {
		n += (optDataOff + len(nonce) + optUnit - 1) / optUnit * optUnit
	}
	if len(b) < n {
		return nil, fmt.Errorf("%w: buffer of %d bytes, %v message needs %d", ErrTruncated, len(b), t, n)
	}
	body := append(b[HeaderLen:HeaderLen], fixed...)
	if len(lladdr) > 0 {
		body = AppendLinkAddr(body, llType, lladdr)
	}
	if len(nonce) > 0 {
		body = AppendNonce(body, nonce)
	}
	return Encode(b, t, 0, rest, body, src, dst)
}

// EncodeRouterSolicit writes a router solicitation from src (the
// unspecified address before the host has one, and then lladdr must be
// empty, RFC 4861 4.1) to dst (all-routers, ff02::2), with a source
// link-layer address option when lladdr is not empty.
func EncodeRouterSolicit(b []byte, lladdr []byte, src, dst ipv6.Addr) (Message, error) {
	return encodeND(b, TypeRouterSolicit, 0, nil, OptSourceLinkAddr, lladdr, nil, src, dst)
}

// EncodeNeighborSolicit writes a neighbor solicitation for target, with a
// source link-layer address option when lladdr is not empty (it must be
// empty from the unspecified address, in duplicate address detection) and
// a nonce option when nonce is not empty (RFC 7527's enhanced duplicate
// address detection sends 6 random bytes). dst is target's solicited-node
// address to resolve it or probe it for duplicates, target itself to
// check it is still reachable.
func EncodeNeighborSolicit(b []byte, target ipv6.Addr, lladdr, nonce []byte, src, dst ipv6.Addr) (Message, error) {
	return encodeND(b, TypeNeighborSolicit, 0, target[:], OptSourceLinkAddr, lladdr, nonce, src, dst)
}

// EncodeNeighborAdvert writes a neighbor advertisement for target with the
// given flags and, when lladdr is not empty, a target link-layer address
// option.
func EncodeNeighborAdvert(b []byte, flags NAFlags, target ipv6.Addr, lladdr []byte, src, dst ipv6.Addr) (Message, error) {
	rest := uint32(flags & (NARouter | NASolicited | NAOverride))
	return encodeND(b, TypeNeighborAdvert, rest, target[:], OptTargetLinkAddr, lladdr, nil, src, dst)
}

// RecordSpec is a multicast address record to encode.
type RecordSpec struct {
	Type    RecordType
	Addr    ipv6.Addr
	Sources []ipv6.Addr
}

// MLDv2ReportLen returns the length of an MLDv2 report of records.
func MLDv2ReportLen(records []RecordSpec) int {
	n := mldRecordsOff
	for _, r := range records {
		n += MLDv2RecordLen + len(r.Sources)*ipv6.AddrLen
	}
	return n
}

// EncodeMLDv2Report writes an MLDv2 report of records, without auxiliary
// data, from src (link-local, or unspecified during duplicate address
// detection) to dst (ff02::16, RFC 3810 5.2.14).
func EncodeMLDv2Report(b []byte, records []RecordSpec, src, dst ipv6.Addr) (Message, error) {
	n := MLDv2ReportLen(records)
	if len(records) > 0xffff {
		return nil, fmt.Errorf("icmpv6: %d records, a report holds at most 65535", len(records))
	}
	if len(b) < n {
		return nil, fmt.Errorf("%w: buffer of %d bytes, MLDv2 report needs %d", ErrTruncated, len(b), n)
	}
	body := b[HeaderLen:HeaderLen]
	for _, r := range records {
		if len(r.Sources) > 0xffff {
			return nil, fmt.Errorf("icmpv6: record of %d sources, at most 65535", len(r.Sources))
		}
		body = append(body, uint8(r.Type), 0)
		body = binary.BigEndian.AppendUint16(body, uint16(len(r.Sources)))
		body = append(body, r.Addr[:]...)
		for _, s := range r.Sources {
			body = append(body, s[:]...)
		}
	}
	return Encode(b, TypeMLDv2Report, 0, uint32(len(records)), body, src, dst)
}

// RouterAdvert holds the fields of a router advertisement to encode;
// hosts do not send them, but a test of a host's stack plays the router.
type RouterAdvert struct {
	CurHopLimit    uint8
	Flags          RAFlags
	RouterLifetime uint16 // seconds
	ReachableTime  uint32 // milliseconds
	RetransTimer   uint32 // milliseconds
	// Options are whole ND options, built with the Append functions.
	Options []byte
}

// Encode writes the router advertisement from src (a link-local address,
// RFC 4861 6.1.2) to dst into b.
func (ra *RouterAdvert) Encode(b []byte, src, dst ipv6.Addr) (Message, error) {
	if len(b) < RouterAdvertLen+len(ra.Options) {
		return nil, fmt.Errorf("%w: buffer of %d bytes, router advertisement needs %d", ErrTruncated, len(b), RouterAdvertLen+len(ra.Options))
	}
	body := binary.BigEndian.AppendUint32(b[HeaderLen:HeaderLen], ra.ReachableTime)
	body = binary.BigEndian.AppendUint32(body, ra.RetransTimer)
	body = append(body, ra.Options...)
	rest := uint32(ra.CurHopLimit)<<24 | uint32(ra.Flags)<<16 | uint32(ra.RouterLifetime)
	return Encode(b, TypeRouterAdvert, 0, rest, body, src, dst)
}

// EncodeMLDv1 writes an MLDv1 report (TypeMLDReport) or done
// (TypeMLDDone) for the multicast address group, as a host sends them
// while an MLDv1 querier is on the link (RFC 3810 8.2): a report to group,
// a done to all-routers (ff02::2).
func EncodeMLDv1(b []byte, t Type, group, src, dst ipv6.Addr) (Message, error) {
	if t != TypeMLDReport && t != TypeMLDDone {
		return nil, fmt.Errorf("icmpv6: %v is not an MLDv1 report or done", t)
	}
	return Encode(b, t, 0, 0, group[:], src, dst)
}
