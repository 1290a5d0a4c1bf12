package dump

import "github.com/medina-net/medina/ethernet"

// IEEE 802.1AE MACsec, as tcpdump's print-macsec.c prints it: the SecTAG
// after the EtherType 0x88e5, then, when the data is not encrypted, the
// frame goes on with another EtherType and the 16-byte ICV at its end.

const (
	etherTypeMACsec = 0x88e5

	macsecTagLenNoSCI = 6  // SecTAG without the secure channel ID
	macsecTagLenSCI   = 14 // SecTAG with it
	macsecICVLen      = 16 // the default integrity check value

	macsecTCIVersion = 0x80
	macsecTCIES      = 0x40 // end station
	macsecTCISC      = 0x20 // the secure channel ID is present
	macsecTCISCB     = 0x10 // EPON single copy broadcast
	macsecTCIE       = 0x08 // encrypted
	macsecTCIC       = 0x04 // changed text
	macsecANMask     = 0x03 // association number
	macsecSLMask     = 0x3f // short length
	macsecTCIFlags   = macsecTCIES | macsecTCISC | macsecTCISCB | macsecTCIE | macsecTCIC
	macsecTCIConfid  = macsecTCIE | macsecTCIC
)

// macsecFlagNames is tcpdump's macsec_flag_values.
var macsecFlagNames = []tok{
	{macsecTCIE, "E"}, {macsecTCIC, "C"}, {macsecTCIES, "S"},
	{macsecTCISCB, "B"}, {macsecTCISC, "I"},
}

// macsecResult says how an Ethernet frame goes on after its SecTAG.
type macsecResult int

const (
	// macsecStop: the SecTAG was cut short or invalid, and that has been
	// printed; the frame ends here.
	macsecStop macsecResult = iota
	// macsecEncrypted: the data is encrypted; the caller dumps it.
	macsecEncrypted
	// macsecClear: the data is in the clear and starts with an EtherType.
	macsecClear
)

// macsec prints the MACsec SecTAG at the start of b, the frame's data after
// the EtherType 0x88e5, whose length by the frame is length; f is the
// frame, for its addresses (tcpdump's macsec_print). It returns the data
// after the SecTAG (without the ICV when it is in the clear), its length
// (the short length when there is one), and the SecTAG's length.
func (p *Printer) macsec(b []byte, length int, f ethernet.Frame) (rest []byte, restLen, tagLen int, res macsecResult) {
	saved := p.proto
	p.proto = "macsec"
	defer func() { p.proto = saved }()

	if len(b) < macsecTagLenNoSCI || length < macsecTagLenNoSCI {
		p.s(" [|macsec]")
		return nil, 0, 0, macsecStop
	}
	tci := b[0]
	tagLen = macsecTagLenNoSCI
	if tci&macsecTCISC != 0 {
		tagLen = macsecTagLenSCI
		if len(b) < tagLen || length < tagLen {
			p.s(" [|macsec]")
			return nil, 0, 0, macsecStop
		}
	}
	if b[1]&^macsecSLMask != 0 || tci&macsecTCIVersion != 0 {
		p.s(" (invalid)")
		return nil, 0, 0, macsecStop
	}
	shortLen := int(b[1] & macsecSLMask)
	if p.opt.LinkHeader {
		p.macsecHeader(b, shortLen)
	}
	rest, restLen = b[tagLen:], length-tagLen

	if tci&macsecTCIConfid != 0 {
		// Encrypted: print the link layer if -e has not.
		if !p.opt.LinkHeader {
			if f != nil {
				p.etherSrcDst(f)
			}
			p.s("802.1AE MACsec, ")
			p.macsecHeader(b, shortLen)
		}
		return rest, restLen, tagLen, macsecEncrypted
	}
	// In the clear: the ICV ends the frame and is not data.
	if restLen < macsecICVLen || len(rest) < macsecICVLen {
		p.s(" [|macsec]")
		return nil, 0, 0, macsecStop
	}
	restLen -= macsecICVLen
	rest = rest[:len(rest)-macsecICVLen]
	if shortLen != 0 {
		if shortLen > restLen || shortLen > len(rest) {
			p.s(" [|macsec]")
			return nil, 0, 0, macsecStop
		}
		// tcpdump cuts its count of captured bytes to the short length
		// but not the end of the buffer the printers read up to, so
		// the data is not cut here: its length says where it ends.
		restLen = shortLen
	}
	return rest, restLen, tagLen, macsecClear
}

// macsecHeader prints "an N, pn N, flags F[, sl N][, sci X], " for the
// SecTAG at the start of b.
func (p *Printer) macsecHeader(b []byte, shortLen int) {
	tci := b[0]
	p.s("an ")
	p.u(uint64(tci & macsecANMask))
	p.s(", pn ")
	p.u(uint64(be32(b[2:])))
	p.s(", flags ")
	p.bittok2str(macsecFlagNames, "none", uint32(tci&macsecTCIFlags), "")
	if shortLen != 0 {
		p.s(", sl ")
		p.u(uint64(shortLen))
	}
	if tci&macsecTCISC != 0 {
		p.s(", sci ")
		p.hexBytes(b[6:14])
	}
	p.s(", ")
}
