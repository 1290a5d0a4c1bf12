package tcp

import "sync/atomic"

// Stats are the engine's counters, named after RFC 4022's TCP MIB where it
// has a name (and Linux's TcpExt otherwise).
type Stats struct {
	ActiveOpens  uint64 // connections that went from CLOSED to SYN-SENT
	PassiveOpens uint64 // connections that went from LISTEN to SYN-RECEIVED
	AttemptFails uint64 // SYN-SENT or SYN-RECEIVED to CLOSED, or SYN-RECEIVED back to LISTEN
	EstabResets  uint64 // ESTABLISHED or CLOSE-WAIT to CLOSED by a reset
	CurrEstab    uint64 // connections now in ESTABLISHED or CLOSE-WAIT
	InSegs       uint64 // segments received, errors included
	OutSegs      uint64 // segments sent, retransmissions excluded
	RetransSegs  uint64 // segments retransmitted
	InErrs       uint64 // segments received in error (bad header or checksum)
	InCsumErrors uint64 // segments with a bad checksum
	OutRsts      uint64 // segments sent with RST

	NoConns           uint64 // segments for no connection or listener
	ListenIgnored     uint64 // segments a listener drops unanswered: neither SYN, ACK nor RST, or SYN with FIN
	ChallengeACKs     uint64 // RFC 5961 challenge ACKs sent
	ChallengeLimits   uint64 // challenge ACKs suppressed by the rate limit
	PAWSDrops         uint64 // segments dropped by PAWS (RFC 7323)
	FastRetrans       uint64 // fast retransmissions (entries into loss recovery)
	Timeouts          uint64 // retransmission timeouts
	SYNCookiesSent    uint64 // SYN-ACKs sent with a SYN cookie
	SYNCookiesOK      uint64 // connections established from a valid cookie
	SYNCookiesBad     uint64 // ACKs with a cookie that did not check
	ListenOverflows   uint64 // handshakes dropped because the accept queue was full
	ListenDrops       uint64 // SYNs dropped for any reason
	DelayedACKs       uint64 // ACKs sent by the delayed-ACK timer
	ZeroWindowProbes  uint64 // probes sent into a zero window
	KeepAlives        uint64 // keep-alive probes sent
	TimeWaits         uint64 // connections that went through TIME-WAIT
	TimeWaitReused    uint64 // connections in TIME-WAIT that a new SYN on their four-tuple ended (RFC 6191)
	TimeWaitOverflows uint64 // connections closed at once instead of entering TIME-WAIT: MaxTimeWait were there (Linux's TCPTimeWaitOverflow)
	OFODrops          uint64 // out-of-order segments dropped: one run of out-of-order data too many (Linux's TCPOFODrop)

	// ICMP and ICMPv6 errors about our segments (Engine.InputError).
	ICMPErrors      uint64 // errors about a connection of ours that passed RFC 5927's checks, and were acted on
	ICMPNoConns     uint64 // errors quoting a segment of no connection (or too little of one): dropped
	ICMPOutOfWindow uint64 // errors quoting a sequence number not in flight (RFC 5927 4.1): dropped (Linux's OutOfWindowIcmps)
	ICMPHardErrors  uint64 // hard errors (port unreachable, prohibited, a neighbour that never resolved) that ended a connection in its handshake
	ICMPSoftErrors  uint64 // soft errors remembered, to be reported if the connection times out (RFC 1122 4.2.3.9)
	PMTUDecreases   uint64 // Packet Too Big errors that lowered a connection's path MTU: it re-segmented and sent again at once
	PMTUStale       uint64 // Packet Too Big errors that lowered nothing: an MTU no smaller than the connection's path MTU (RFC 1191 6.4)
	PMTUIncreases   uint64 // path MTUs raised again, once the network's estimate aged out (RFC 1191 6.3)

	// The memory budget of connection buffers (Config.MemoryLimit).
	MemoryBytes     uint64 // bytes of buffer storage connections hold now (a gauge, like Linux's sockstat "mem")
	MemoryPressures uint64 // times the budget came under pressure (Linux's TCPMemoryPressures)
	MemoryLimited   uint64 // buffer growths the budget refused or cut short
	MemoryDrops     uint64 // segments whose data was dropped, in whole or part, for want of receive buffer (Linux's TCPRcvQDrop)
}

type counters struct {
	activeOpens, passiveOpens, attemptFails, estabResets, currEstab atomic.Int64
	inSegs, outSegs, retransSegs, inErrs, inCsumErrors, outRsts     atomic.Uint64
	noConns, challengeACKs, challengeLimits, pawsDrops              atomic.Uint64
	fastRetrans, timeouts, synCookiesSent, synCookiesOK             atomic.Uint64
	synCookiesBad, listenOverflows, listenDrops, delayedACKs        atomic.Uint64
	zeroWindowProbes, keepAlives, timeWaits, oooDrops               atomic.Uint64
	timeWaitReused, listenIgnored, timeWaitOverflows                atomic.Uint64
	icmpErrors, icmpNoConns, icmpOutOfWindow                        atomic.Uint64
	icmpHardErrors, icmpSoftErrors                                  atomic.Uint64
	pmtuDecreases, pmtuStale, pmtuIncreases                         atomic.Uint64
}

// Stats returns a snapshot of the engine's counters.
func (e *Engine) Stats() Stats {
	c := &e.stats
	return Stats{
		ActiveOpens: uint64(c.activeOpens.Load()), PassiveOpens: uint64(c.passiveOpens.Load()),
		AttemptFails: uint64(c.attemptFails.Load()), EstabResets: uint64(c.estabResets.Load()),
		CurrEstab: uint64(c.currEstab.Load()), InSegs: c.inSegs.Load(), OutSegs: c.outSegs.Load(),
		RetransSegs: c.retransSegs.Load(), InErrs: c.inErrs.Load(), InCsumErrors: c.inCsumErrors.Load(),
		OutRsts: c.outRsts.Load(), NoConns: c.noConns.Load(), ChallengeACKs: c.challengeACKs.Load(),
		ChallengeLimits: c.challengeLimits.Load(), PAWSDrops: c.pawsDrops.Load(),
		FastRetrans: c.fastRetrans.Load(), Timeouts: c.timeouts.Load(),
		SYNCookiesSent: c.synCookiesSent.Load(), SYNCookiesOK: c.synCookiesOK.Load(),
		SYNCookiesBad: c.synCookiesBad.Load(), ListenOverflows: c.listenOverflows.Load(),
		ListenDrops: c.listenDrops.Load(), DelayedACKs: c.delayedACKs.Load(),
		ZeroWindowProbes: c.zeroWindowProbes.Load(), KeepAlives: c.keepAlives.Load(),
		TimeWaits: c.timeWaits.Load(), OFODrops: c.oooDrops.Load(), TimeWaitReused: c.timeWaitReused.Load(),
		ListenIgnored: c.listenIgnored.Load(), TimeWaitOverflows: c.timeWaitOverflows.Load(),

		ICMPErrors: c.icmpErrors.Load(), ICMPNoConns: c.icmpNoConns.Load(),
		ICMPOutOfWindow: c.icmpOutOfWindow.Load(), ICMPHardErrors: c.icmpHardErrors.Load(),
		ICMPSoftErrors: c.icmpSoftErrors.Load(), PMTUDecreases: c.pmtuDecreases.Load(),
		PMTUStale: c.pmtuStale.Load(), PMTUIncreases: c.pmtuIncreases.Load(),

		MemoryBytes: uint64(max(e.mem.used.Load(), 0)), MemoryPressures: e.mem.pressures.Load(),
		MemoryLimited: e.mem.limited.Load(), MemoryDrops: e.mem.rcvDrops.Load(),
	}
}
