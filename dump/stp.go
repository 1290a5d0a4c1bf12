package dump

import "strconv"

// Spanning tree BPDUs: 802.1D, 802.1w (RSTP), 802.1s (MSTP) and 802.1aq
// (SPB), as tcpdump's print-stp.c prints them.

// Protocol versions.
const (
	stpProtoRegular = 0x00
	stpProtoRapid   = 0x02
	stpProtoMSTP    = 0x03
	stpProtoSPB     = 0x04
)

// BPDU types.
const (
	stpBPDUConfig     = 0x00
	stpBPDURSTP       = 0x02
	stpBPDUTopoChange = 0x80
)

// Offsets and lengths in a BPDU.
const (
	stpProtoID      = 0
	stpVersion      = 2
	stpType         = 3
	stpFlags        = 4
	stpRootID       = 5
	stpRootPathCost = 13
	stpBridgeID     = 17
	stpPortID       = 25
	stpMessageAge   = 27
	stpMaxAge       = 29
	stpHelloTime    = 31
	stpForwardDelay = 33
	stpV1Len        = 35
	stpBPDULen      = 36 // the fixed BPDU, up to the version 1 length

	mstpMinLen          = 102
	mstpV3Len           = 36
	mstpConfigName      = 39
	mstpConfigDigest    = 73
	mstpCISTIntPathCost = 89
	mstpCISTBridgeID    = 93
	mstpCISTRemainHops  = 101
	mstpMSTIs           = 102
	mstpMSTILen         = 16
	mstpConfigInfoLen   = 64

	spbMinLen          = 87
	spbConfigName      = 3
	spbConfigRev       = spbConfigName + 32
	spbConfigDigest    = spbConfigRev + 2
	spbAgreement       = spbConfigDigest + 16
	spbAgreementFormat = spbAgreement + 2
	spbAgreementCon    = spbAgreementFormat + 1
	spbAgreementEdge   = spbAgreementCon + 1
	spbAgreementDigest = spbAgreementEdge + 2 + 4 + 4
)

// stpProtoNames is tcpdump's stp_proto_values.
var stpProtoNames = []tok{
	{stpProtoRegular, "802.1d"}, {stpProtoRapid, "802.1w"},
	{stpProtoMSTP, "802.1s"}, {stpProtoSPB, "802.1aq"},
}

// stpFlagNames is tcpdump's stp_bpdu_flag_values.
var stpFlagNames = []tok{
	{0x01, "Topology change"}, {0x02, "Proposal"}, {0x10, "Learn"},
	{0x20, "Forward"}, {0x40, "Agreement"}, {0x80, "Topology change ACK"},
}

// stpTypeNames is tcpdump's stp_bpdu_type_values.
var stpTypeNames = []tok{
	{stpBPDUConfig, "Config"}, {stpBPDURSTP, "Rapid STP"},
	{stpBPDUTopoChange, "Topology Change"},
}

// stpPortRoles is tcpdump's rstp_obj_port_role_values.
var stpPortRoles = []tok{
	{0x00, "Unknown"}, {0x01, "Alternate"}, {0x02, "Root"}, {0x03, "Designated"},
}

// stp prints a spanning tree BPDU (tcpdump's stp_print).
func (p *Printer) stp(b []byte, length int) {
	p.proto = "stp"
	if length < 4 {
		p.s(" (invalid)")
		return
	}
	if p.get16(b, stpProtoID) != 0 {
		p.s("unknown STP version, length ")
		p.u(uint64(length))
		return
	}
	version := p.get8(b, stpVersion)
	p.s("STP ")
	p.tok2str(stpProtoNames, "Unknown STP protocol (0x%02x)", uint32(version))
	if version > stpProtoSPB || version == 1 {
		return
	}
	bpduType := p.get8(b, stpType)
	p.s(", ")
	p.tok2str(stpTypeNames, "Unknown BPDU Type (0x%02x)", uint32(bpduType))
	switch bpduType {
	case stpBPDUConfig:
		if length < stpBPDULen-1 {
			p.s(" (invalid)")
			return
		}
		p.stpConfig(b, length)
	case stpBPDURSTP:
		switch version {
		case stpProtoRapid:
			if length < stpBPDULen {
				p.s(" (invalid)")
				return
			}
			p.stpConfig(b, length)
		case stpProtoMSTP, stpProtoSPB:
			if length < mstpMinLen || p.get8(b, stpV1Len) != 0 {
				p.s(" (invalid)")
				return
			}
			mstpLen := int(p.get16(b, mstpV3Len)) + 2
			if length < stpBPDULen+mstpLen {
				p.s(" (invalid)")
				return
			}
			p.stpMSTP(b, length)
			if version == stpProtoSPB {
				spbLen := int(p.get16(b, mstpV3Len+mstpLen)) + 2
				if length < stpBPDULen+mstpLen+spbLen || spbLen < spbMinLen {
					p.s(" (invalid)")
					return
				}
				p.stpSPB(b, stpBPDULen+mstpLen)
			}
		}
	}
}

// stpBridgeIDAt prints the 8-byte bridge ID at b[off:] as
// "pppp.aa:bb:cc:dd:ee:ff".
func (p *Printer) stpBridgeIDAt(b []byte, off int) {
	p.need(b, off+8)
	id := b[off : off+8]
	p.hexBytes(id[:2])
	p.c('.')
	p.hexColons(id[2:])
}

// stpTime prints a BPDU timer, in 1/256 s, as seconds with two decimals.
func (p *Printer) stpTime(v uint16) {
	p.out = strconv.AppendFloat(p.out, float64(v)/256, 'f', 2, 64)
	p.c('s')
}

// stpTimers prints the four timers of a BPDU.
func (p *Printer) stpTimers(b []byte) {
	p.need(b, stpForwardDelay+2)
	p.s("\n\tmessage-age ")
	p.stpTime(be16(b[stpMessageAge:]))
	p.s(", max-age ")
	p.stpTime(be16(b[stpMaxAge:]))
	p.s(", hello-time ")
	p.stpTime(be16(b[stpHelloTime:]))
	p.s(", forwarding-delay ")
	p.stpTime(be16(b[stpForwardDelay:]))
}

// stpConfig prints a configuration or RSTP BPDU.
func (p *Printer) stpConfig(b []byte, length int) {
	flags := p.get8(b, stpFlags)
	p.s(", Flags [")
	p.bittok2str(stpFlagNames, "none", uint32(flags), ", ")
	p.c(']')
	p.need(b, stpPortID+2)
	p.s(", bridge-id ")
	p.stpBridgeIDAt(b, stpBridgeID)
	p.c('.')
	p.xw(uint64(be16(b[stpPortID:])), 4)
	p.s(", length ")
	p.u(uint64(length))
	if p.opt.Verbose == 0 {
		return
	}
	p.stpTimers(b)
	p.need(b, stpRootPathCost+4)
	p.s("\n\troot-id ")
	p.stpBridgeIDAt(b, stpRootID)
	p.s(", root-pathcost ")
	p.u(uint64(p.get32(b, stpRootPathCost)))
	if p.get8(b, stpVersion) == stpProtoRapid {
		p.s(", port-role ")
		p.tok2str(stpPortRoles, "Unknown", uint32(flags>>2)&0x03)
	}
}

// stpMSTP prints an MSTP BPDU: the CIST and each MSTI.
func (p *Printer) stpMSTP(b []byte, length int) {
	flags := p.get8(b, stpFlags)
	p.s(", CIST Flags [")
	p.bittok2str(stpFlagNames, "none", uint32(flags), ", ")
	p.s("], length ")
	p.u(uint64(length))
	if p.opt.Verbose == 0 {
		return
	}
	p.s("\n\tport-role ")
	p.tok2str(stpPortRoles, "Unknown", uint32(flags>>2)&0x03)
	p.s(", ")
	p.need(b, stpRootPathCost+4)
	p.s("CIST root-id ")
	p.stpBridgeIDAt(b, stpRootID)
	p.s(", CIST ext-pathcost ")
	p.u(uint64(be32(b[stpRootPathCost:])))
	p.need(b, stpBridgeID+8)
	p.s("\n\tCIST regional-root-id ")
	p.stpBridgeIDAt(b, stpBridgeID)
	p.s(", ")
	p.need(b, stpPortID+2)
	p.s("CIST port-id ")
	p.xw(uint64(be16(b[stpPortID:])), 4)
	p.c(',')
	p.stpTimers(b)
	v3 := p.get16(b, mstpV3Len)
	p.s("\n\tv3len ")
	p.u(uint64(v3))
	p.s(", MCID Name ")
	p.stpName(b, mstpConfigName)
	p.need(b, mstpConfigDigest+16)
	p.s(", rev ")
	p.u(uint64(be16(b[mstpConfigName+32:])))
	p.s(",\n\t\tdigest ")
	p.stpDigest(b, mstpConfigDigest, 4)
	p.s(", ")
	p.need(b, mstpCISTIntPathCost+4)
	p.s("CIST int-root-pathcost ")
	p.u(uint64(be32(b[mstpCISTIntPathCost:])))
	p.c(',')
	p.need(b, mstpCISTBridgeID+8)
	p.s("\n\tCIST bridge-id ")
	p.stpBridgeIDAt(b, mstpCISTBridgeID)
	p.s(", ")
	p.need(b, mstpCISTRemainHops+1)
	p.s("CIST remaining-hops ")
	p.u(uint64(b[mstpCISTRemainHops]))

	v3len := int(p.get16(b, mstpV3Len))
	if v3len <= mstpConfigInfoLen {
		return
	}
	for n, off := v3len-mstpConfigInfoLen, mstpMSTIs; n >= mstpMSTILen; n, off = n-mstpMSTILen, off+mstpMSTILen {
		p.need(b, off+3)
		mflags := b[off]
		p.s("\n\tMSTI ")
		p.u(uint64(be16(b[off+1:]) & 0x0fff))
		p.s(", Flags [")
		p.bittok2str(stpFlagNames, "none", uint32(mflags), ", ")
		p.s("], port-role ")
		p.tok2str(stpPortRoles, "Unknown", uint32(mflags>>2)&0x03)
		p.need(b, off+13)
		p.s("\n\t\tMSTI regional-root-id ")
		p.stpBridgeIDAt(b, off+1)
		p.s(", pathcost ")
		p.u(uint64(be32(b[off+9:])))
		p.need(b, off+16)
		p.s("\n\t\tMSTI bridge-prio ")
		p.u(uint64(b[off+13] >> 4))
		p.s(", port-prio ")
		p.u(uint64(b[off+14] >> 4))
		p.s(", hops ")
		p.u(uint64(b[off+15]))
	}
}

// stpSPB prints the SPB part of an 802.1aq BPDU, which starts at off.
func (p *Printer) stpSPB(b []byte, off int) {
	if p.opt.Verbose == 0 {
		return
	}
	v4 := p.get16(b, off)
	p.s("\n\tv4len ")
	p.u(uint64(v4))
	p.s(", AUXMCID Name ")
	p.stpName(b, off+spbConfigName)
	p.need(b, off+spbConfigDigest+16)
	p.s(", Rev ")
	p.u(uint64(p.get16(b, off+spbConfigRev)))
	p.s(",\n\t\tdigest ")
	p.stpDigest(b, off+spbConfigDigest, 4)
	agreement := p.get8(b, off+spbAgreement)
	format := p.get8(b, off+spbAgreementFormat)
	con := p.get8(b, off+spbAgreementCon)
	edge := p.get16(b, off+spbAgreementEdge)
	p.need(b, off+spbAgreementDigest+20)
	p.s("\n\tAgreement num ")
	p.u(uint64(agreement >> 6))
	p.s(", Discarded Agreement num ")
	p.u(uint64(agreement>>4) & 0x3)
	p.s(", Agreement valid-flag ")
	p.u(uint64(agreement>>3) & 0x1)
	p.s(",\n\tRestricted role-flag: ")
	p.u(uint64(agreement>>2) & 0x1)
	p.s(", Format id ")
	p.u(uint64(format >> 4))
	p.s(" cap ")
	p.u(uint64(format))
	p.s(", Convention id ")
	p.u(uint64(con >> 4))
	p.s(" cap ")
	p.u(uint64(con))
	p.s(",\n\tEdge count ")
	p.u(uint64(edge))
	p.s(", Agreement digest ")
	p.stpDigest(b, off+spbAgreementDigest, 5)
}

// stpName prints a 32-byte configuration name up to its first NUL, with
// unprintable bytes escaped (tcpdump's nd_printjnp).
func (p *Printer) stpName(b []byte, off int) {
	for i := off; i < off+32; i++ {
		c := p.get8(b, i)
		if c == 0 {
			break
		}
		p.printChar(c)
	}
}

// stpDigest prints n 32-bit words from b[off:] as continuous hex.
func (p *Printer) stpDigest(b []byte, off, n int) {
	p.need(b, off+4*n)
	p.hexBytes(b[off : off+4*n])
}
