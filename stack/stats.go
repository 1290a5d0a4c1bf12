package stack

import "sync/atomic"

// Stats are the stack's counters, per layer, named after the SNMP MIB
// objects they correspond to (RFC 4293 for IP and ICMP, RFC 4113 for UDP)
// so that they read like the kernel's /proc/net/snmp. A snapshot is a plain
// struct: compare two to see what a test or a period of time did.
type Stats struct {
	Link LinkStats
	ARP  ARPStats
	IP   IPStats
	ICMP ICMPStats
	UDP  UDPStats

	// IPv6 beside IPv4: RFC 4293's ipSystemStats for IPv6, its
	// icmpStats and icmpMsgStats for ICMPv6, the IPv6 neighbour table,
	// and RFC 4113's udp group for UDP over IPv6 (as Linux's Udp6).
	IPv6   IPv6Stats
	ICMPv6 ICMPv6Stats
	NDP    NDPStats
	UDP6   UDPStats
}

// LinkStats counts frames at the device.
type LinkStats struct {
	InFrames     uint64 // frames read from the device
	InErrors     uint64 // frames too short or malformed to be Ethernet
	InOtherHost  uint64 // frames for another MAC address
	InUnknown    uint64 // frames of an EtherType the stack does not handle (VLAN-tagged ones too)
	OutFrames    uint64 // frames written to the device
	OutErrors    uint64 // frames the device refused
	ReadFailures uint64 // device read errors other than closing
	// OutSuperFrames counts TCP super-frames written whole to a device
	// that takes them (link.GSOWriter), each also counted once in
	// OutFrames; OutSuperCut counts those the stack cut into segments
	// itself, because the neighbour was not resolved when they were sent.
	OutSuperFrames, OutSuperCut uint64
	// InSuperFrames counts TCP super-frames a device with receive
	// offload handed over whole (link.OffloadReader), each also counted
	// once in InFrames.
	InSuperFrames uint64
}

// ARPStats counts ARP packets and the neighbour cache's work.
type ARPStats struct {
	InRequests  uint64 // requests received (for any address)
	InReplies   uint64 // replies received
	InErrors    uint64 // malformed or not Ethernet/IPv4
	OutRequests uint64 // requests sent, gratuitous ones included
	OutReplies  uint64 // replies sent
	Ignored     uint64 // replies we did not ask for, gratuitous ARP, senders that cannot be neighbours: what could poison the cache
	QueueDrops  uint64 // datagrams dropped waiting for resolution (queue full)
	Failures    uint64 // resolutions that ran out of retries
	Unresolved  uint64 // datagrams dropped with a resolution that failed, their senders told (EHOSTUNREACH)
	// ChangesRefused counts new addresses claimed for a neighbour that
	// had answered recently, refused because the address in use still
	// answered: forged ARP, most likely (arp.CacheConfig.NoChangeProbe).
	ChangesRefused uint64
	// ChangesConfirmed counts such claims that took effect because the
	// address in use stopped answering: a neighbour that moved.
	ChangesConfirmed uint64
}

// IPStats are RFC 4293's ipSystemStats for IPv4.
type IPStats struct {
	InReceives      uint64 // datagrams received, before any check
	InHdrErrors     uint64 // bad version, header length, total length, checksum or options
	InSourceRoutes  uint64 // dropped for a source route option (RFC 7126 4.3, 4.4)
	InAddrErrors    uint64 // not for one of our addresses (the stack does not forward), from an address no host has (RFC 1122 3.2.1.3), or TCP to a broadcast address (RFC 1122 4.2.3.10)
	InUnknownProtos uint64 // for a transport protocol without a handler
	InDiscards      uint64 // dropped for lack of resources
	InDelivers      uint64 // handed to a transport protocol
	OutRequests     uint64 // datagrams the transports asked to send
	OutDiscards     uint64 // dropped for lack of resources or a neighbour that did not resolve
	OutNoRoutes     uint64 // no route: off-link destination and no gateway
	ReasmTimeout    uint64 // datagrams whose fragments timed out
	ReasmReqds      uint64 // fragments received
	ReasmOKs        uint64 // datagrams reassembled
	ReasmFails      uint64 // reassembly failures (timeouts, overlaps, limits)
	ReasmOverlaps   uint64 // datagrams discarded for overlapping fragments (RFC 5722)
	FragOKs         uint64 // datagrams fragmented
	FragFails       uint64 // datagrams that needed fragmenting but had DF set
	FragCreates     uint64 // fragments made

	// Path MTU Discovery (RFC 1191): the table of path MTUs below the
	// link's, per destination (Config.PathMTU).
	PMTUEntries   uint64 // destinations with a lowered path MTU now (a gauge)
	PMTUUpdates   uint64 // path MTUs lowered by a Fragmentation Needed error that TCP took
	PMTUPlateaus  uint64 // Fragmentation Needed errors naming no usable MTU, estimated from RFC 1191's plateau table
	PMTUFloored   uint64 // Fragmentation Needed errors claiming an MTU below PathMTUConfig.Min, taken as Min
	PMTUExpired   uint64 // path MTUs that aged out (RFC 1191 6.3)
	PMTUEvictions uint64 // path MTUs forgotten to make room in the table
}

// ICMPStats are RFC 4293's icmpStats and icmpMsgStats for the types the
// stack handles.
type ICMPStats struct {
	InMsgs          uint64
	InErrors        uint64 // bad checksum or length
	InDestUnreachs  uint64
	InTimeExcds     uint64
	InParmProbs     uint64
	InEchos         uint64
	InEchoReps      uint64
	InSrcQuenchs    uint64 // source quenches, ignored (RFC 6633)
	OutMsgs         uint64
	OutErrors       uint64 // could not be sent
	OutDestUnreachs uint64
	OutTimeExcds    uint64
	OutParmProbs    uint64
	OutEchos        uint64
	OutEchoReps     uint64
	OutRateLimited  uint64 // error messages suppressed by the rate limit
}

// UDPStats are RFC 4113's udp group.
type UDPStats struct {
	InDatagrams  uint64 // delivered to a socket
	NoPorts      uint64 // for a port with no socket
	InErrors     uint64 // bad length or checksum, or no room in the socket
	InCsumErrors uint64 // bad checksum (also counted in InErrors)
	RcvbufErrors uint64 // dropped because the socket's receive buffer was full (also in InErrors)
	OutDatagrams uint64
	// InZeroCsums counts datagrams over IPv6 without a checksum, which
	// IPv6 forbids (RFC 8200 8.1; also in InErrors). Always 0 for IPv4.
	InZeroCsums uint64
}

// IPv6Stats are RFC 4293's ipSystemStats for IPv6, with the reassembler's
// counters and the extension header drops of RFC 8200.
type IPv6Stats struct {
	InReceives      uint64 // packets received, before any check
	InHdrErrors     uint64 // bad version or length, a jumbogram, malformed or misplaced extension headers or options, nested fragments
	InAddrErrors    uint64 // not for one of our addresses or groups (the stack does not forward), from a multicast or loopback source, or TCP to a multicast address
	InUnknownProtos uint64 // an upper-layer protocol, or an extension header (AH, mobility), the stack does not handle
	InOptionDrops   uint64 // dropped for an unknown option whose type says to discard (RFC 8200 4.2)
	InRoutingErrors uint64 // a routing header with segments left, which a host does not carry out (RFC 8200 4.4, RFC 5095)
	InNoNext        uint64 // no next header (59): nothing to deliver
	InMcastPkts     uint64 // packets to a multicast group we joined
	InDelivers      uint64 // handed to an upper-layer protocol
	OutRequests     uint64 // packets the upper layers asked to send
	OutDiscards     uint64 // dropped for lack of resources or a neighbour that did not resolve
	OutNoRoutes     uint64 // no route: off-link destination and no default router
	OutMcastPkts    uint64 // packets sent to a multicast group
	FragOKs         uint64 // packets fragmented at the source
	FragFails       uint64 // packets that could not be fragmented
	FragCreates     uint64 // fragments made

	// Reassembly (RFC 8200 4.5), as ipv6.ReassemblyStats counts it.
	ReasmReqds           uint64 // fragments received (atomic ones aside)
	ReasmOKs             uint64 // packets reassembled
	ReasmFails           uint64 // failures: timeouts, overlaps, limits, malformed fragments
	ReasmTimeout         uint64 // packets whose fragments timed out
	ReasmOverlaps        uint64 // packets discarded for overlapping fragments (RFC 5722)
	ReasmDrops           uint64 // packets dropped, fragments refused, for the memory, packet or fragment bounds
	ReasmMalformed       uint64 // fragments of impossible length
	ReasmIncompleteChain uint64 // first fragments without the whole header chain (RFC 7112)
	ReasmAtomic          uint64 // atomic fragments processed at once (RFC 6946)
	ReasmDuplicates      uint64 // exact duplicates ignored
	ReasmDiscards        uint64 // fragments of a packet already discarded
}

// ICMPv6Stats are RFC 4293's icmpStats and icmpMsgStats for ICMPv6.
type ICMPv6Stats struct {
	InMsgs              uint64
	InErrors            uint64 // bad checksum, length, code or options
	InCsumErrors        uint64 // bad checksum (also in InErrors)
	InDestUnreachs      uint64
	InPktTooBigs        uint64
	InTimeExcds         uint64
	InParmProblems      uint64
	InEchos             uint64
	InEchoReplies       uint64
	InRouterSolicits    uint64
	InRouterAdverts     uint64
	InNeighborSolicits  uint64
	InNeighborAdverts   uint64
	InRedirects         uint64 // counted, passed to the NDP handler, otherwise ignored
	InMLD               uint64 // MLD queries, reports and dones, passed to the NDP handler
	InNDPInvalid        uint64 // Neighbor Discovery messages that failed RFC 4861 6.1 or 7.1 (hop limit, addresses)
	InNDPOther          uint64 // valid solicitations for an address not ours
	InNDPDuplicates     uint64 // advertisements claiming an address of ours
	InOther             uint64 // informational messages of types the stack does not handle
	OutMsgs             uint64
	OutErrors           uint64 // could not be sent
	OutDestUnreachs     uint64
	OutTimeExcds        uint64
	OutParmProblems     uint64
	OutEchos            uint64
	OutEchoReplies      uint64
	OutNeighborSolicits uint64
	OutNeighborAdverts  uint64
	OutRateLimited      uint64 // error messages suppressed by the rate limit (RFC 4443 2.4 (f))
}

// NDPStats count the IPv6 neighbour table's work (neigh.Stats).
type NDPStats struct {
	Requests         uint64 // solicitations the table asked for: misses, retransmissions, probes
	Replies          uint64 // solicited advertisements accepted
	Learned          uint64 // entries created or changed by solicitations and unsolicited advertisements
	Ignored          uint64 // messages that changed nothing
	QueueDrops       uint64 // packets dropped waiting for resolution
	Failures         uint64 // resolutions and probes that ran out of tries
	Unresolved       uint64 // packets dropped with a resolution that failed, their senders told (EHOSTUNREACH)
	Entries          uint64 // entries now (a gauge)
	ChangesRefused   uint64
	ChangesConfirmed uint64
}

// counters is the live form of Stats: every field is incremented
// atomically from whichever goroutine does the work.
type counters struct {
	link struct {
		inFrames, inErrors, inOtherHost, inUnknown, outFrames, outErrors, readFailures atomic.Uint64
		outSuperFrames, outSuperCut, inSuperFrames                                     atomic.Uint64
	}
	arp struct {
		inRequests, inReplies, inErrors, outRequests, outReplies atomic.Uint64
		badSenders                                               atomic.Uint64 // ARP from senders that cannot be neighbours, counted in Ignored
	}
	ip struct {
		inReceives, inHdrErrors, inAddrErrors, inUnknownProtos, inDiscards, inDelivers atomic.Uint64
		inSourceRoutes                                                                 atomic.Uint64
		outRequests, outDiscards, outNoRoutes                                          atomic.Uint64
		fragOKs, fragFails, fragCreates                                                atomic.Uint64
		pmtuPlateaus, pmtuFloored                                                      atomic.Uint64
	}
	icmp struct {
		inMsgs, inErrors, inDestUnreachs, inTimeExcds, inParmProbs, inEchos, inEchoReps atomic.Uint64
		outMsgs, outErrors, outDestUnreachs, outTimeExcds, outEchos, outEchoReps        atomic.Uint64
		outParmProbs                                                                    atomic.Uint64
		outRateLimited                                                                  atomic.Uint64
		inSrcQuenchs                                                                    atomic.Uint64
	}
	udp, udp6 udpCounters
	ip6       struct {
		inReceives, inHdrErrors, inAddrErrors, inUnknownProtos, inOptionDrops, inRoutingErrors atomic.Uint64
		inNoNext, inMcastPkts, inDelivers, inTCPSegs                                           atomic.Uint64
		outRequests, outDiscards, outNoRoutes, outMcastPkts                                    atomic.Uint64
		fragOKs, fragFails, fragCreates                                                        atomic.Uint64
	}
	icmp6 struct {
		inMsgs, inErrors, inCsumErrors, inDestUnreachs, inPktTooBigs, inTimeExcds, inParmProblems atomic.Uint64
		inEchos, inEchoReplies, inRouterSolicits, inRouterAdverts, inNeighborSolicits             atomic.Uint64
		inNeighborAdverts, inRedirects, inMLD, inNDPInvalid, inNDPOther, inNDPDuplicates          atomic.Uint64
		inOther                                                                                   atomic.Uint64
		outMsgs, outErrors, outDestUnreachs, outTimeExcds, outParmProblems, outEchos              atomic.Uint64
		outEchoReplies, outNeighborSolicits, outNeighborAdverts, outRateLimited                   atomic.Uint64
	}
}

// udpCounters are the live form of UDPStats, one set per family.
type udpCounters struct {
	inDatagrams, noPorts, inErrors, inCsumErrors, rcvbufErrors, outDatagrams, inZeroCsum atomic.Uint64
}

func (c *udpCounters) load() UDPStats {
	return UDPStats{
		InDatagrams: c.inDatagrams.Load(), NoPorts: c.noPorts.Load(),
		InErrors: c.inErrors.Load(), InCsumErrors: c.inCsumErrors.Load(),
		RcvbufErrors: c.rcvbufErrors.Load(), OutDatagrams: c.outDatagrams.Load(),
		InZeroCsums: c.inZeroCsum.Load(),
	}
}

// Stats returns a snapshot of the stack's counters.
func (s *Stack) Stats() Stats {
	c := &s.ctr
	// The engines count their own work; their counters are merged in.
	nc := s.neigh.Stats()
	rs := s.reasm.Stats()
	return Stats{
		Link: LinkStats{
			InFrames: c.link.inFrames.Load(), InErrors: c.link.inErrors.Load(),
			InOtherHost: c.link.inOtherHost.Load(), InUnknown: c.link.inUnknown.Load(),
			OutFrames: c.link.outFrames.Load(), OutErrors: c.link.outErrors.Load(),
			ReadFailures:   c.link.readFailures.Load(),
			OutSuperFrames: c.link.outSuperFrames.Load(), OutSuperCut: c.link.outSuperCut.Load(),
			InSuperFrames: c.link.inSuperFrames.Load(),
		},
		ARP: ARPStats{
			InRequests: c.arp.inRequests.Load(), InReplies: c.arp.inReplies.Load(),
			InErrors: c.arp.inErrors.Load(), OutRequests: c.arp.outRequests.Load(),
			OutReplies: c.arp.outReplies.Load(), Ignored: nc.Ignored + c.arp.badSenders.Load(),
			QueueDrops: nc.QueueDrops, Failures: nc.Failures + nc.ProbeFailures,
			ChangesRefused: nc.ChangesRefused, ChangesConfirmed: nc.ChangesConfirmed,
			Unresolved: nc.Unresolved,
		},
		IP: IPStats{
			InReceives: c.ip.inReceives.Load(), InHdrErrors: c.ip.inHdrErrors.Load(),
			InSourceRoutes: c.ip.inSourceRoutes.Load(),
			InAddrErrors:   c.ip.inAddrErrors.Load(), InUnknownProtos: c.ip.inUnknownProtos.Load(),
			InDiscards: c.ip.inDiscards.Load(), InDelivers: c.ip.inDelivers.Load(),
			OutRequests: c.ip.outRequests.Load(), OutDiscards: c.ip.outDiscards.Load(),
			OutNoRoutes: c.ip.outNoRoutes.Load(), ReasmTimeout: rs.ReasmTimeout,
			ReasmReqds: rs.ReasmReqds, ReasmOKs: rs.ReasmOKs,
			ReasmFails: rs.ReasmFails, ReasmOverlaps: rs.ReasmOverlaps,
			FragOKs: c.ip.fragOKs.Load(), FragFails: c.ip.fragFails.Load(),
			FragCreates: c.ip.fragCreates.Load(),
			PMTUEntries: uint64(s.pmtu.live(s.clock.Now())), PMTUUpdates: s.pmtu.updates.Load(),
			PMTUPlateaus: c.ip.pmtuPlateaus.Load(), PMTUFloored: c.ip.pmtuFloored.Load(),
			PMTUExpired: s.pmtu.expired.Load(), PMTUEvictions: s.pmtu.evictions.Load(),
		},
		ICMP: ICMPStats{
			InMsgs: c.icmp.inMsgs.Load(), InErrors: c.icmp.inErrors.Load(),
			InDestUnreachs: c.icmp.inDestUnreachs.Load(), InTimeExcds: c.icmp.inTimeExcds.Load(),
			InParmProbs: c.icmp.inParmProbs.Load(), InEchos: c.icmp.inEchos.Load(),
			InEchoReps: c.icmp.inEchoReps.Load(), InSrcQuenchs: c.icmp.inSrcQuenchs.Load(),
			OutMsgs:   c.icmp.outMsgs.Load(),
			OutErrors: c.icmp.outErrors.Load(), OutDestUnreachs: c.icmp.outDestUnreachs.Load(),
			OutTimeExcds: c.icmp.outTimeExcds.Load(), OutParmProbs: c.icmp.outParmProbs.Load(),
			OutEchos:    c.icmp.outEchos.Load(),
			OutEchoReps: c.icmp.outEchoReps.Load(), OutRateLimited: c.icmp.outRateLimited.Load(),
		},
		UDP:    c.udp.load(),
		UDP6:   c.udp6.load(),
		IPv6:   s.ipv6Stats(),
		ICMPv6: s.icmpv6Stats(),
		NDP:    s.ndpStats(),
	}
}

func (s *Stack) ipv6Stats() IPv6Stats {
	c := &s.ctr.ip6
	r := s.reasm6.Stats()
	return IPv6Stats{
		InReceives: c.inReceives.Load(), InHdrErrors: c.inHdrErrors.Load(), InAddrErrors: c.inAddrErrors.Load(),
		InUnknownProtos: c.inUnknownProtos.Load(), InOptionDrops: c.inOptionDrops.Load(),
		InRoutingErrors: c.inRoutingErrors.Load(), InNoNext: c.inNoNext.Load(), InMcastPkts: c.inMcastPkts.Load(),
		InDelivers: c.inDelivers.Load(), OutRequests: c.outRequests.Load(), OutDiscards: c.outDiscards.Load(),
		OutNoRoutes: c.outNoRoutes.Load(), OutMcastPkts: c.outMcastPkts.Load(),
		FragOKs: c.fragOKs.Load(), FragFails: c.fragFails.Load(), FragCreates: c.fragCreates.Load(),
		ReasmReqds: r.ReasmReqds, ReasmOKs: r.ReasmOKs, ReasmFails: r.ReasmFails, ReasmTimeout: r.ReasmTimeout,
		ReasmOverlaps: r.ReasmOverlaps, ReasmDrops: r.ReasmDrops, ReasmMalformed: r.ReasmMalformed,
		ReasmIncompleteChain: r.ReasmIncompleteChain, ReasmAtomic: r.ReasmAtomic,
		ReasmDuplicates: r.ReasmDuplicates, ReasmDiscards: r.ReasmDiscards,
	}
}

func (s *Stack) icmpv6Stats() ICMPv6Stats {
	c := &s.ctr.icmp6
	return ICMPv6Stats{
		InMsgs: c.inMsgs.Load(), InErrors: c.inErrors.Load(), InCsumErrors: c.inCsumErrors.Load(),
		InDestUnreachs: c.inDestUnreachs.Load(), InPktTooBigs: c.inPktTooBigs.Load(),
		InTimeExcds: c.inTimeExcds.Load(), InParmProblems: c.inParmProblems.Load(),
		InEchos: c.inEchos.Load(), InEchoReplies: c.inEchoReplies.Load(),
		InRouterSolicits: c.inRouterSolicits.Load(), InRouterAdverts: c.inRouterAdverts.Load(),
		InNeighborSolicits: c.inNeighborSolicits.Load(), InNeighborAdverts: c.inNeighborAdverts.Load(),
		InRedirects: c.inRedirects.Load(), InMLD: c.inMLD.Load(), InNDPInvalid: c.inNDPInvalid.Load(),
		InNDPOther: c.inNDPOther.Load(), InNDPDuplicates: c.inNDPDuplicates.Load(), InOther: c.inOther.Load(),
		OutMsgs: c.outMsgs.Load(), OutErrors: c.outErrors.Load(), OutDestUnreachs: c.outDestUnreachs.Load(),
		OutTimeExcds: c.outTimeExcds.Load(), OutParmProblems: c.outParmProblems.Load(),
		OutEchos: c.outEchos.Load(), OutEchoReplies: c.outEchoReplies.Load(),
		OutNeighborSolicits: c.outNeighborSolicits.Load(), OutNeighborAdverts: c.outNeighborAdverts.Load(),
		OutRateLimited: c.outRateLimited.Load(),
	}
}

func (s *Stack) ndpStats() NDPStats {
	nt := s.nd6()
	if nt == nil {
		return NDPStats{}
	}
	n := nt.Stats()
	return NDPStats{
		Requests: n.Requests, Replies: n.Replies, Learned: n.Learned, Ignored: n.Ignored,
		QueueDrops: n.QueueDrops, Failures: n.Failures + n.ProbeFailures, Entries: uint64(n.Entries),
		ChangesRefused: n.ChangesRefused, ChangesConfirmed: n.ChangesConfirmed,
		Unresolved: n.Unresolved,
	}
}
