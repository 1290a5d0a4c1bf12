package tcp

import (
	"crypto/sha256"
	"encoding/binary"
	"time"

	"github.com/medina-net/medina/checksum"
)

// SYN cookies (RFC 4987 3.6): when its backlog of half-open connections is
// full, a listener keeps no state for a SYN and encodes what it must
// remember in the initial sequence number of its SYN-ACK; the ACK that
// completes the handshake brings it back.
//
// The cookie's top 5 bits count 64-second periods, the next 3 index the
// MSS table, and the low 24 are a keyed hash of the connection, the
// period and the client's initial sequence number. Options that do not
// fit there (window scale, SACK) ride in the low bits of our timestamp
// when the client sends timestamps, which it echoes in the ACK, as Linux
// does; without timestamps the connection goes without them.

// cookieMSS are the MSS values a cookie can say, over IPv4 and over
// IPv6; the SYN's MSS is rounded down to one of them. IPv6's are the
// common MTUs less 60 bytes of headers: IPv6's least (1280), tunnels
// (1420 in IPv4, 1440 in GRE), PPPoE (1492), Ethernet and jumbo frames;
// 536 for a peer that offers less than IPv6's least.
var (
	cookieMSS  = [8]int{216, 536, 1200, 1300, 1400, 1440, 1452, 1460}
	cookieMSS6 = [8]int{536, 1220, 1360, 1380, 1420, 1432, 1440, 8940}
)

// cookieMSSTable returns the MSS values of cookies on id's family.
func cookieMSSTable(id *fourTuple) *[8]int {
	if id.is6() {
		return &cookieMSS6
	}
	return &cookieMSS
}

const (
	cookiePeriod = 64 * time.Second
	// A cookie is good for the period it was made in and the next.
	cookieValidPeriods = 2
	// tsOptBits are the low bits of the timestamp that carry options:
	// window scale (4 bits, 15 for none) and SACK permitted (1 bit).
	tsOptBits = 5
	tsOptMask = 1<<tsOptBits - 1
	wsNone    = 0xf
)

// cookieHash returns the 24-bit keyed hash of a cookie.
func (e *Engine) cookieHash(id fourTuple, period uint32, clientISN Seq) uint32 {
	var buf [32 + 44]byte
	b := id.appendHashInput(append(buf[:0], e.cookieKey[:]...))
	b = binary.BigEndian.AppendUint32(b, period)
	b = binary.BigEndian.AppendUint32(b, uint32(clientISN))
	h := sha256.Sum256(b)
	return binary.BigEndian.Uint32(h[:]) & 0xffffff
}

// cookieTSOffset is the offset of our timestamp clock on a connection a
// cookie makes: random to others (RFC 7323 5.4), yet known again without
// state when the ACK comes back.
func (e *Engine) cookieTSOffset(id fourTuple) uint32 {
	var buf [32 + 37]byte
	b := id.appendHashInput(append(buf[:0], e.cookieKey[:]...))
	b = append(b, 'T') // not a cookieHash input
	h := sha256.Sum256(b)
	return binary.BigEndian.Uint32(h[:])
}

func (e *Engine) cookiePeriodAt(now time.Time) uint32 {
	return uint32(now.Sub(e.epoch) / cookiePeriod)
}

// sendCookie answers a SYN with a SYN-ACK whose sequence number is a
// cookie, keeping no state.
func (l *Listener) sendCookie(id fourTuple, h Header, now time.Time) {
	e := l.e
	opt := parseOptions(h)
	mssIdx := 0
	for i, m := range cookieMSSTable(&id) {
		if opt.mss >= m {
			mssIdx = i
		}
	}
	period := e.cookiePeriodAt(now)
	clientISN := Seq(h.Seq())
	cookie := (period&0x1f)<<27 | uint32(mssIdx)<<24 | e.cookieHash(id, period, clientISN)

	// The MSS we offer is ours, what our route carries (RFC 9293 3.7.1);
	// the cookie keeps the peer's, for what we send.
	var opts [40]byte
	o := AppendMSS(opts[:0], uint16(min(e.net.MTU(id.remoteAddr)-id.headersLen(), 0xffff)))
	rcvShift := uint8(0)
	for rcvShift < 14 && e.cfg.MaxReceiveBuffer>>rcvShift > 0xffff {
		rcvShift++
	}
	if opt.ts {
		ws := uint32(wsNone)
		if opt.ws >= 0 {
			ws = uint32(opt.ws)
		}
		bits := ws
		if opt.sackOK && !e.cfg.DisableSACK {
			bits |= 1 << 4
			o = AppendSACKPermitted(o)
		}
		// Our TS clock for the connection is the one it will keep (RFC
		// 7323 5.4: monotonic), offset by a keyed hash of the four-tuple
		// that the ACK's arrival can compute again. The option bits
		// replace its low bits, and a value they would put ahead of the
		// clock goes back one step, so that the clock never runs
		// backwards after the SYN-ACK.
		clock := e.tsNow(now) + e.cookieTSOffset(id)
		tsval := clock&^tsOptMask | bits
		if int32(tsval-clock) > 0 {
			tsval -= tsOptMask + 1
		}
		o = AppendTimestamps(o, tsval, opt.tsVal)
		if opt.ws >= 0 {
			o = AppendNOP(o)
			o = AppendWindowScale(o, rcvShift)
		}
	}
	wnd := min(e.cfg.ReceiveBuffer, 0xffff)
	f := Fields{SrcPort: id.localPort, DstPort: id.remotePort, Seq: cookie, Ack: uint32(clientISN + 1),
		Flags: FlagSYN | FlagACK, Window: uint16(wnd), Options: o}
	sb := e.segment(id.remoteAddr, f.HeaderLen())
	// sb.B may be longer than asked for: the SYN-ACK is the header alone.
	hdr, err := f.Encode(sb.B[:f.HeaderLen()])
	if err != nil {
		return
	}
	hdr.SetChecksum(checksum.Checksum(hdr, pseudoSum(id.localAddr, id.remoteAddr)+uint32(len(hdr))))
	if e.net.Send(sb, len(hdr), id.localAddr, id.remoteAddr) == nil {
		e.stats.outSegs.Add(1)
		e.stats.synCookiesSent.Add(1)
	}
}

// cookieACK checks whether an ACK for the listening port completes a
// cookie handshake and, if so, creates the connection.
func (l *Listener) cookieACK(id fourTuple, h Header, now time.Time) bool {
	e := l.e
	cookie := h.Ack() - 1
	clientISN := Seq(h.Seq() - 1)
	period := e.cookiePeriodAt(now)
	got := cookie >> 27
	ok := false
	var p uint32
	for age := uint32(0); age < cookieValidPeriods; age++ {
		p = period - age
		if p&0x1f == got && e.cookieHash(id, p, clientISN) == cookie&0xffffff {
			ok = true
			break
		}
	}
	if !ok {
		e.stats.synCookiesBad.Add(1)
		return false
	}
	if !l.hasRoom() {
		e.stats.listenOverflows.Add(1)
		return true // drop it; the client will retry
	}
	mss := cookieMSSTable(&id)[cookie>>24&7]
	opt := parseOptions(h)
	ws, sackOK, tsOK := -1, false, false
	if opt.ts && opt.tsEcr != 0 {
		tsOK = true
		if w := int(opt.tsEcr & 0xf); w != wsNone {
			ws = w
		}
		sackOK = opt.tsEcr&(1<<4) != 0
	}
	l.cookieEstablished(id, h, Seq(cookie), mss, ws, sackOK, tsOK, now)
	return true
}
