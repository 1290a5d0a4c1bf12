package dump

import "time"

// NTP as tcpdump's print-ntp.c prints it: the version, the mode and the
// length, and with -v the leap indicator and, by mode, the time message
// of RFC 5905 (stratum, poll, precision, root delay and dispersion, the
// reference ID and the four timestamps with their differences, the key
// ID and digest of the optional authenticator) or the header of a mode 6
// control message (draft-ietf-ntp-mode-6-cmds), whose data tcpdump does
// not interpret. Mode 7 prints nothing past the leap indicator.

// portNTP is NTP's UDP port.
const portNTP = 123

// Lengths of the fixed parts of the messages.
const (
	ntpTimeMinLen = 48 // a time message without extensions or MAC
	ntpCtrlMinLen = 12 // a control message's header
)

// Offsets in a time message.
const (
	ntpOffStratum   = 1
	ntpOffPoll      = 2
	ntpOffPrecision = 3
	ntpOffRootDelay = 4
	ntpOffRootDisp  = 8
	ntpOffRefID     = 12
	ntpOffRefTime   = 16
	ntpOffOrgTime   = 24
	ntpOffRecTime   = 32
	ntpOffXmtTime   = 40
	ntpOffKeyID     = 48
	ntpOffDigest    = 52
)

// Offsets in a control message.
const (
	ntpOffControl  = 1
	ntpOffSequence = 2
	ntpOffStatus   = 4
	ntpOffAssoc    = 6
	ntpOffOffset   = 8
	ntpOffCount    = 10
)

// Fields of the first byte, and the stratum values of special meaning.
const (
	ntpVersionMask  = 0x38
	ntpVersionShift = 3
	ntpLeapMask     = 0xc0
	ntpModeMask     = 0x07

	ntpModeBroadcast = 5
	ntpModeControl   = 6

	ntpStratumUnspec    = 0
	ntpStratumPrimary   = 1
	ntpStratumInfoQuery = 62
	ntpStratumInfoReply = 63
)

// ntpEpochOffset is the number of seconds from NTP's epoch (1900) to
// Unix's (1970).
const ntpEpochOffset = 2208988800

var ntpModeNames = []tok{
	{0, "unspecified"}, {1, "symmetric active"}, {2, "symmetric passive"},
	{3, "Client"}, {4, "Server"}, {5, "Broadcast"}, {6, "Control Message"},
	{7, "Reserved"},
}

var ntpLeapNames = []tok{
	{0x00, ""}, {0x40, "+1s"}, {0x80, "-1s"}, {0xc0, "clock unsynchronized"},
}

var ntpStratumNames = []tok{
	{ntpStratumUnspec, "unspecified"}, {ntpStratumPrimary, "primary reference"},
}

// ntp prints an NTP message (tcpdump's ntp_print). b holds what was
// captured of it; length is its length by UDP.
func (p *Printer) ntp(b []byte, length int) {
	p.proto = "ntp"
	defer p.catchLocalTrunc()
	status := p.get8(b, 0)
	p.s("NTPv")
	p.u(uint64(status&ntpVersionMask) >> ntpVersionShift)
	mode := uint32(status & ntpModeMask)
	p.s(", ")
	p.tok2str(ntpModeNames, "Unknown mode", mode)
	p.s(", length ")
	p.u(uint64(length))
	if p.opt.Verbose == 0 {
		return
	}
	leap := uint32(status & ntpLeapMask)
	p.s("\n\tLeap indicator: ")
	p.tok2str(ntpLeapNames, "Unknown", leap)
	p.s(" (")
	p.u(uint64(leap))
	p.c(')')
	switch {
	case mode <= ntpModeBroadcast:
		p.ntpTime(b, length)
	case mode == ntpModeControl:
		p.ntpControl(b, length)
	}
}

// ntpInvalid prints tcpdump's mark of a message too short for its own
// fields, and stops the packet if the message was not captured whole.
func (p *Printer) ntpInvalid(b []byte, length int) {
	p.s(" (invalid)")
	p.needHere(b, length)
}

// ntpTime prints the fields of a time message (tcpdump's
// ntp_time_print).
func (p *Printer) ntpTime(b []byte, length int) {
	if length < ntpTimeMinLen {
		p.ntpInvalid(b, length)
		return
	}
	stratum := p.get8(b, ntpOffStratum)
	p.s(", Stratum ")
	p.u(uint64(stratum))
	p.s(" (")
	dflt := "reserved"
	if stratum >= 2 && stratum <= 15 {
		dflt = "secondary reference"
	}
	p.tok2str(ntpStratumNames, dflt, uint32(stratum))
	p.c(')')

	poll := int8(p.get8(b, ntpOffPoll))
	p.s(", poll ")
	p.d(int64(poll))
	p.ntpPoll(int(poll))
	prec := int8(p.get8(b, ntpOffPrecision))
	p.s(", precision ")
	p.d(int64(prec))

	p.ntpField(b, "\n\tRoot Delay: ", ntpOffRootDelay, 4)
	p.ntpField(b, ", Root dispersion: ", ntpOffRootDisp, 4)

	p.needHere(b, ntpOffRefID+4)
	p.s(", Reference-ID: ")
	switch stratum {
	case ntpStratumUnspec:
		p.s("(unspec)")
	case ntpStratumPrimary:
		// A primary server's reference ID is four characters naming
		// its clock.
		if p.printN(b[ntpOffRefID:], 4) {
			p.truncHere()
		}
	case ntpStratumInfoQuery, ntpStratumInfoReply:
		p.out = appendIPv4(p.out, b[ntpOffRefID:ntpOffRefID+4])
		p.s(pick(stratum == ntpStratumInfoQuery, " INFO_QUERY", " INFO_REPLY"))
		return
	default:
		p.s("0x")
		p.xw(uint64(be32(b[ntpOffRefID:])), 8)
	}

	p.ntpField(b, "\n\t  Reference Timestamp:  ", ntpOffRefTime, 8)
	p.ntpField(b, "\n\t  Originator Timestamp: ", ntpOffOrgTime, 8)
	p.ntpField(b, "\n\t  Receive Timestamp:    ", ntpOffRecTime, 8)
	p.ntpField(b, "\n\t  Transmit Timestamp:   ", ntpOffXmtTime, 8)
	p.s("\n\t    Originator - Receive Timestamp:  ")
	p.ntpDelta(b, ntpOffOrgTime, ntpOffRecTime)
	p.s("\n\t    Originator - Transmit Timestamp: ")
	p.ntpDelta(b, ntpOffOrgTime, ntpOffXmtTime)

	// tcpdump knows no extension fields: an authenticator is recognised
	// by the length alone.
	switch length {
	case ntpTimeMinLen + 4:
		p.ntpKeyID(b)
	case ntpTimeMinLen + 4 + 16, ntpTimeMinLen + 4 + 20:
		p.ntpKeyID(b)
		n := length - ntpOffDigest
		p.needHere(b, ntpOffDigest+n)
		p.s("\n\tAuthentication: ")
		for i := 0; i < n; i += 4 {
			p.xw(uint64(be32(b[ntpOffDigest+i:])), 8)
		}
	default:
		if length > ntpTimeMinLen {
			p.s("\n\t(")
			p.u(uint64(length - ntpTimeMinLen))
			p.s(" more bytes after the header)")
		}
	}
}

// ntpKeyID prints the key ID of a time message's authenticator.
func (p *Printer) ntpKeyID(b []byte) {
	id := p.get32(b, ntpOffKeyID)
	p.s("\n\tKey id: ")
	p.u(uint64(id))
}

// ntpControl prints the header of a control message (tcpdump's
// ntp_control_print).
func (p *Printer) ntpControl(b []byte, length int) {
	if length < ntpCtrlMinLen {
		p.ntpInvalid(b, length)
		return
	}
	control := p.get8(b, ntpOffControl)
	p.s(", ")
	p.s(pick(control&0x80 != 0, "Response", "Request"))
	p.s(", ")
	p.s(pick(control&0x40 != 0, "Error", "OK"))
	p.s(", ")
	p.s(pick(control&0x20 != 0, "More", "Last"))
	p.s(", OpCode=")
	p.u(uint64(control & 0x1f))
	p.c('\n')
	// Each field is printed once it is read, as far as the capture
	// goes.
	seq := p.get16(b, ntpOffSequence)
	p.s("\tSequence=")
	p.u(uint64(seq))
	st := p.get16(b, ntpOffStatus)
	p.s(", Status=")
	if st != 0 {
		p.s("0x")
		p.x(uint64(st))
	} else {
		p.c('0')
	}
	assoc := p.get16(b, ntpOffAssoc)
	p.s(", Assoc.=")
	p.u(uint64(assoc))
	offset := p.get16(b, ntpOffOffset)
	p.s(", Offset=")
	p.u(uint64(offset))
	count := int(p.get16(b, ntpOffCount))
	p.s(", Count=")
	p.u(uint64(count))
	if ntpCtrlMinLen+count > length {
		p.ntpInvalid(b, length)
		return
	}
	if count != 0 {
		p.needHere(b, ntpCtrlMinLen+count)
		p.s("\n\tTO-BE-DONE: data not interpreted")
	}
}

// pick returns a if cond holds, else b.
func pick(cond bool, a, b string) string {
	if cond {
		return a
	}
	return b
}

// ntpPoll prints a poll interval, a power of two, in seconds or as a
// fraction of a second.
func (p *Printer) ntpPoll(poll int) {
	if poll <= -32 || poll >= 32 {
		return
	}
	if poll >= 0 {
		p.s(" (")
		p.u(uint64(1) << poll)
		p.s("s)")
	} else {
		p.s(" (1/")
		p.u(uint64(1) << -poll)
		p.s("s)")
	}
}

// ntpField prints label and the number at b[off:], a 16.16 fixed-point
// one of size 4 or a 32.32 timestamp of size 8, ending the packet with a
// local truncation before label when it was not captured.
func (p *Printer) ntpField(b []byte, label string, off, size int) {
	p.needHere(b, off+size)
	p.s(label)
	if size == 4 {
		p.ntpShortFixed(b, off)
	} else {
		p.ntpTimestamp(b, off)
	}
}

// ntpShortFixed prints the 16.16 fixed-point number at b[off:] with six
// decimals.
func (p *Printer) ntpShortFixed(b []byte, off int) {
	i := p.get16(b, off)
	f := p.get16(b, off+2)
	p.u(uint64(i))
	p.c('.')
	p.uw(uint64(int(float64(f)/65536.0*1000000.0)), 6)
}

// ntpFraction converts a 32-bit binary fraction to nanoseconds, rounding
// down through a double as tcpdump does.
func ntpFraction(f uint32) uint64 {
	return uint64(uint32(float64(f) / 4294967296.0 * 1000000000.0))
}

// ntpTimestamp prints the 32.32 timestamp at b[off:] (tcpdump's
// p_ntp_time), with its date in UTC when its seconds are not 0.
func (p *Printer) ntpTimestamp(b []byte, off int) {
	i := p.get32(b, off)
	f := p.get32(b, off+4)
	p.u(uint64(i))
	p.c('.')
	p.uw(ntpFraction(f), 9)
	if i != 0 {
		t := time.Unix(int64(i)-ntpEpochOffset, 0).UTC()
		p.s(" (")
		p.out = t.AppendFormat(p.out, "2006-01-02T15:04:05Z")
		p.c(')')
	}
}

// ntpDelta prints the difference between the timestamps at b[to:] and
// b[from:] with its sign, or the later one itself when the earlier is 0
// (tcpdump's p_ntp_delta).
func (p *Printer) ntpDelta(b []byte, from, to int) {
	u, uf := p.get32(b, to), p.get32(b, to+4)
	ou, ouf := p.get32(b, from), p.get32(b, from+4)
	if ou == 0 && ouf == 0 {
		p.ntpTimestamp(b, to)
		return
	}
	var i, f uint32
	neg := false
	switch {
	case u > ou:
		i, f = u-ou, uf-ouf
		if ouf > uf {
			i--
		}
	case u < ou:
		neg = true
		i, f = ou-u, ouf-uf
		if uf > ouf {
			i--
		}
	default:
		if uf > ouf {
			f = uf - ouf
		} else {
			neg = true
			f = ouf - uf
		}
	}
	p.c(pick(neg, "-", "+")[0])
	p.u(uint64(i))
	p.c('.')
	p.uw(ntpFraction(f), 9)
}
