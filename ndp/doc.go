// Package ndp is the host side of IPv6 address autoconfiguration on one
// link: what a stack runs so that its interface gets, and keeps, its IPv6
// addresses and learns its routers.
//
//   - At Start, the link-local address is formed (fe80::/64 and an
//     interface identifier: RFC 7217's stable, opaque one by default,
//     the MAC's modified EUI-64 with Config.EUI64) and goes through
//     Duplicate Address Detection (RFC 4862 5.4), as does every address
//     formed later or added with AddAddress.
//   - Router Solicitations (RFC 4861 6.3.7) ask for Router
//     Advertisements, which Input processes (6.3.4): the default router
//     list, CurHopLimit, the neighbour timers, the link MTU, the on-link
//     prefixes, RFC 4191's routes, RFC 8106's DNS servers and search
//     domains, and SLAAC (RFC 4862 5.5.3): an address in each
//     autonomous /64, with its preferred and valid lifetimes.
//   - MLD (RFC 3810, and RFC 2710 when an MLDv1 querier is heard)
//     reports the solicited-node groups of our addresses and the groups
//     the stack joins.
//
// # Interface identifiers
//
// RFC 7217's identifier is the first 64 bits of SHA-256 over the prefix,
// Net_Iface (the MAC unless Config.NetIface), Config.NetworkID, the DAD
// counter and a secret key: the same in a given network across restarts
// if the key is kept (Config.SecretKey), and different in every prefix so
// that the address does not follow the host from network to network.
// Without a key, the key is drawn from Config.Rand: a stack seeded the
// same way forms the same addresses, which makes its tests and recorded
// captures reproducible. Identifiers RFC 5453 reserves are skipped by
// moving to the next DAD counter.
//
// # Duplicate Address Detection
//
// A new address is tentative. After a random delay of up to
// MAX_RTR_SOLICITATION_DELAY (for every address, as Linux does, not only
// the first message after the interface comes up: it also spreads hosts
// that start together), its solicited-node group is joined (the MLD
// report leaves first) and DupAddrDetectTransmits Neighbor Solicitations
// are sent from :: to that group, RetransTimer apart, each with a nonce
// option (RFC 7527). If nothing contradicts it for RetransTimer after the
// last, the address is preferred (or deprecated, if its preferred
// lifetime ran out meanwhile) and EventAddrPreferred says the stack may
// use it. A Neighbor Advertisement for it, or a solicitation from :: for
// it whose nonce is not ours, makes it a duplicate: it is withdrawn
// (EventAddrDuplicate) and, if its identifier is RFC 7217's, formed again
// with the next DAD counter after IDGEN_DELAY, up to IDGEN_RETRIES; our
// own solicitation looped back (our nonce) is not a duplicate. An
// address given up stays listed as StateDuplicate until its valid
// lifetime ends, so that every advertisement of its prefix does not
// start over. Optimistic DAD (RFC 4429) is not done.
//
// # Router Advertisements
//
// Input checks a message as RFC 4861 6.1 asks (code, length, options,
// checksum, a link-local source), the IPv6 header's hop limit being the
// caller's to check. Lifetimes run from the advertisement's arrival, an
// all-ones lifetime being infinite. A valid lifetime is not shortened
// below two hours by an (unauthenticated) advertisement (RFC 4862 5.5.3
// (e)). The MTU option is taken only between 1280 and Config.LinkMTU.
// Every list is bounded (Config.Max...), and an advertisement is read for
// at most MaxOptionsPerRA options of a kind: a flood of advertisements
// with new prefixes, routers or servers holds a fixed amount of memory,
// what does not fit being dropped and counted in Stats.
//
// # MLD
//
// A join or a leave is reported at once and repeated Robustness times at
// random within the Unsolicited Report Interval (RFC 3810 6.1). A query
// is answered after a random delay within its Maximum Response Delay: a
// general query by one report of every group, a multicast-address
// specific one by that group (6.2); as we exclude no source, a source
// specific query is answered with our whole state for the group. When an
// MLDv1 query is heard, MLDv1 messages are sent instead until the Older
// Version Querier Present Timeout (8.2), and another node's MLDv1 report
// cancels our pending one for the group (RFC 2710's suppression). The
// all-nodes group and groups of interface-local scope are never reported.
//
// # Driving it
//
// An NDP never reads the clock, starts no goroutine or timer and sends
// nothing itself, like package neigh: each method takes the time, hands
// the messages to send to Config.Send (ICMPv6 messages with their
// addresses and hop limit, the MLD ones asking for a router alert
// option) and the changes to Config.Event, and returns when to call Tick
// next. The neighbour table's timers an RA sets come as EventNeighTimers,
// for the caller to pass to its neigh.Table. The callbacks run without
// the NDP's lock held, in the order the messages and events were
// produced, so that they may call the NDP again. An NDP is safe for
// concurrent use.
package ndp
