// Package neigh is the neighbour table that ARP (IPv4) and Neighbor
// Discovery (IPv6) share: one state machine, RFC 4861's neighbour
// unreachability detection (section 7.3), with the protocol's specifics
// supplied by its caller. A stack runs one Table per address family on a
// link; package arp binds one to ARP (arp.Cache), and the stack's NDP
// binds another to Neighbor Solicitations and Advertisements.
//
// # States
//
// An entry the stack asks for (Resolve) starts INCOMPLETE: the caller is
// told to send a request (an ARP request broadcast, a Neighbor
// Solicitation to the solicited-node multicast address), Tick
// retransmits it every RetransTime, and datagrams for the address wait in
// a bounded queue until an answer comes or MaxMulticastSolicit requests
// have gone unanswered (the entry is removed and Tick hands the queue to
// the caller, for ICMP destination unreachable). A REACHABLE entry
// becomes STALE ReachableTime after its last confirmation. A STALE entry
// is still used, but its first use moves it to DELAY, giving an upper
// layer DelayTime to confirm the neighbour (Confirm, RFC 4861 7.3.1: a
// TCP acknowledgment of new data proves it is there) before Tick starts
// PROBE: up to MaxUnicastSolicit requests, after which the entry is
// removed. A STALE entry unused for StaleTime is removed. STATIC entries
// are the embedder's and never change.
//
// # Messages
//
// What a received message does depends on its Kind, which the caller
// derives from the protocol:
//
//   - Solicitation: the neighbour gave its address without answering a
//     question of ours, and is about to need ours: an ARP request for one
//     of our addresses; an NS, RS or RA with a source link-layer address
//     option; a Redirect with a target link-layer address option (RFC
//     4861 7.2.3, 6.2.6, 6.3.4, 8.3). It creates the entry (STALE), or
//     gives it a new address (STALE); the same address changes nothing.
//   - Advertisement: a Neighbor Advertisement, with its Solicited and
//     Override flags, following RFC 4861 7.2.5 to the letter: it never
//     creates an entry; an INCOMPLETE entry takes the address, REACHABLE if
//     solicited, STALE if not; a known one is confirmed (Solicited), or
//     changes address only with Override, a REACHABLE entry merely going
//     STALE for a different address without it.
//   - Reply: an ARP reply, which has no Solicited flag: it is believed
//     only while the entry asks (INCOMPLETE or PROBE), so that an
//     unsolicited reply cannot poison the table.
//   - Announcement: a message about a neighbour that asked nothing of us
//     (gratuitous ARP, an ARP request for another host): ignored unless
//     Config.AcceptUnsolicited, RFC 826's merge.
//
// Each may carry what it says of the neighbour's IsRouter flag (RFC 4861:
// an NA's Router flag, an RA's implied one); a change from router to host
// is reported, since the stack must then drop it as a default router
// (7.2.5).
//
// # Claimed changes
//
// With Config.ConfirmChanges, a message that would give a neighbour whose
// address is known a new one does not change the entry at once: the
// entry goes to PROBE, still used at its address, holding the claimed
// one aside, and requests are unicast to the address in use. If it
// answers (or an upper layer confirms it), the claim was false: it is
// dropped and counted (ChangesRefused). If it stays silent for
// MaxUnicastSolicit requests, the neighbour has moved: the entry takes
// the claimed address, STALE (ChangesConfirmed). This is ARP's defence
// against forged requests (see arp.CacheConfig.NoChangeProbe); it is off
// by default because RFC 4861 applies an Override at once.
//
// # Time, randomness and memory
//
// The table never reads the clock, starts no goroutine or timer and sends
// nothing: each method takes the time, and says what the caller must send;
// Deadline and Tick's result say when to call Tick next. ReachableTime is
// BaseReachableTime, or, given a random source (Config.Rand), drawn from
// [0.5, 1.5) × BaseReachableTime as RFC 4861 6.3.2 asks, and drawn again
// every ReachableRedraw and whenever BaseReachableTime changes.
//
// Held datagrams are copied into pooled buffers and charged to
// MaxQueuedBytes by their capacity; the entries are bounded by MaxEntries.
// Resolve, Input and Tick allocate nothing once the table has warmed up.
//
// A Table is safe for concurrent use, and calls the caller's callbacks
// without holding its lock, so a callback may call the table again.
package neigh
