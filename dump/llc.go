package dump

import "github.com/medina-net/medina/ethernet"

// IEEE 802.2 LLC and SNAP, as tcpdump's print-llc.c prints them.

// SAP values (the service access points of the DSAP and SSAP fields).
const (
	sapGlobal = 0xff
	sapIP     = 0x06
	sapSTP    = 0x42 // 802.1D spanning tree
	sapSNAP   = ethernet.SAPSNAP
	sapIPX    = 0xe0
	sapOSI    = 0xfe
)

// Bits of the SAP and control fields.
const (
	llcIG     = 0x01 // DSAP: individual (0) or group (1) address
	llcGSAP   = 0x01 // SSAP: command (0) or response (1)
	llcSFmt   = 0x01 // control: S format when the low bits are 01
	llcUPoll  = 0x10
	llcISPoll = 0x0100
	llcUI     = 0x03 // unnumbered information
	llcXID    = 0xaf
	llcXIDFmt = 0x81 // the XID format identifier of IEEE 802.2
)

// llcSAPNames is tcpdump's llc_values.
var llcSAPNames = []tok{
	{0x00, "Null"}, {sapGlobal, "Global"}, {0x02, "802.1B I"}, {0x03, "802.1B G"},
	{sapIP, "IP"}, {0x04, "SNA"}, {0x0e, "ProWay NM"}, {sapSTP, "STP"},
	{0x4e, "RS511"}, {0x7e, "ISO8208"}, {0x8e, "ProWay"}, {sapSNAP, "SNAP"},
	{sapIPX, "IPX"}, {0xf0, "NetBeui"}, {sapOSI, "OSI"},
}

// llcCommands is tcpdump's llc_cmd_values: the commands of U frames.
var llcCommands = []tok{
	{llcUI, "ui"}, {0xe3, "test"}, {llcXID, "xid"}, {0x63, "ua"}, {0x43, "disc"},
	{0x0f, "dm"}, {0x6f, "sabme"}, {0x87, "frmr"},
}

// llcFlags is tcpdump's llc_flag_values: the command/response bit of the
// SSAP combined with the poll/final bit of the control field.
var llcFlags = []tok{
	{0, "Command"}, {llcGSAP, "Response"}, {llcUPoll, "Poll"},
	{llcGSAP | llcUPoll, "Final"}, {llcISPoll, "Poll"}, {llcGSAP | llcISPoll, "Final"},
}

// llcIGFlags is tcpdump's llc_ig_flag_values.
var llcIGFlags = []tok{{0, "Individual"}, {llcIG, "Group"}}

// llcSupervisory is tcpdump's llc_supervisory_values.
var llcSupervisory = []tok{{0, "Receiver Ready"}, {1, "Receiver not Ready"}, {2, "Reject"}}

// llc prints an 802.2 LLC header and what follows it. f is the Ethernet
// frame the header came in, for its addresses, or nil when there is none
// (a Linux cooked header). It returns the length of the LLC (and SNAP)
// header, negated when the payload was not decoded and is left for the
// caller to dump (tcpdump's llc_print).
func (p *Printer) llc(b []byte, length int, f ethernet.Frame) int {
	p.proto = "llc"
	if n := p.llcShort(b, length, ethernet.LLCLen); n >= 0 {
		return n
	}
	// The first control byte says whether the field has a second byte
	// (I and S frames): the view's length, which is checked before any
	// accessor reads past it.
	l := ethernet.LLC(b)
	isU := l.IsUnnumbered()
	hdrLen := l.Len()
	if n := p.llcShort(b, length, hdrLen); n >= 0 {
		return n
	}
	dsapField, ssapField, control := l.DSAP(), l.SSAP(), l.Control()

	if ssapField == sapGlobal && dsapField == sapGlobal {
		// Novell's raw 802.3 IPX: no LLC header, the IPX checksum field
		// of 0xffff where one would be.
		if p.opt.LinkHeader {
			p.s("IPX 802.3: ")
		}
		p.ipx(b, length)
		return 0
	}

	dsap := dsapField &^ llcIG
	ssap := ssapField &^ llcGSAP
	if p.opt.LinkHeader {
		p.s("LLC, dsap ")
		p.tok2str(llcSAPNames, "Unknown", uint32(dsap))
		p.s(" (0x")
		p.xw(uint64(dsap), 2)
		p.s(") ")
		p.tok2str(llcIGFlags, "Unknown", uint32(dsapField&llcIG))
		p.s(", ssap ")
		p.tok2str(llcSAPNames, "Unknown", uint32(ssap))
		p.s(" (0x")
		p.xw(uint64(ssap), 2)
		p.s(") ")
		p.tok2str(llcFlags, "Unknown", uint32(ssapField&llcGSAP))
		p.s(", ctrl 0x")
		if isU {
			p.xw(uint64(control), 2)
		} else {
			p.xw(uint64(control), 4)
		}
		p.s(": ")
	}

	payload, length := b[hdrLen:], length-hdrLen
	if control == llcUI {
		switch {
		case dsap == sapSNAP && ssap == sapSNAP:
			if !p.snap(payload, length, f) {
				return -(hdrLen + ethernet.SNAPLen)
			}
			return hdrLen + ethernet.SNAPLen
		case dsap == sapSTP && ssap == sapSTP:
			p.stp(payload, length)
			return hdrLen
		case dsap == sapIP && ssap == sapIP:
			// RFC 948: IP straight after the LLC header.
			p.ip(payload, length)
			return hdrLen
		case dsap == sapIPX && ssap == sapIPX:
			if p.opt.LinkHeader {
				p.s("IPX 802.2: ")
			}
			p.ipx(payload, length)
			return hdrLen
		}
	}

	if !p.opt.LinkHeader {
		if ssap == dsap {
			if f != nil {
				p.etherSrcDst(f)
			}
			p.tok2str(llcSAPNames, "Unknown DSAP 0x%02x", uint32(dsap))
			p.c(' ')
		} else {
			if f != nil {
				p.out = f.Src().AppendTo(p.out)
				p.c(' ')
			}
			p.tok2str(llcSAPNames, "Unknown SSAP 0x%02x", uint32(ssap))
			p.s(" > ")
			if f != nil {
				p.out = f.Dst().AppendTo(p.out)
				p.c(' ')
			}
			p.tok2str(llcSAPNames, "Unknown DSAP 0x%02x", uint32(dsap))
			p.c(' ')
		}
	}

	if isU {
		p.s("Unnumbered, ")
		p.tok2str(llcCommands, "%02x", uint32(control&0xef))
		p.s(", Flags [")
		p.tok2str(llcFlags, "?", uint32(ssapField&llcGSAP)|uint32(control&llcUPoll))
		p.s("], length ")
		p.u(uint64(length + hdrLen))
		if control&^llcUPoll == llcXID {
			if length == 0 {
				// An XID without payload, like SNA's short form.
				return hdrLen
			}
			if len(payload) < 1 {
				p.s(" [|llc]")
				return hdrLen
			}
			if payload[0] == llcXIDFmt {
				if len(payload) < 3 || length < 3 {
					p.s(" [|llc]")
					p.defaultPrint(payload)
				} else {
					p.s(": ")
					p.xw(uint64(payload[1]), 2)
					p.c(' ')
					p.xw(uint64(payload[2]), 2)
				}
				return hdrLen
			}
		}
	} else if control&llcSFmt == llcSFmt {
		p.s("Supervisory, ")
		p.tok2str(llcSupervisory, "?", uint32(control>>2)&0x03)
		p.s(", rcv seq ")
		p.u(uint64(control>>9) & 0x7f)
		p.s(", Flags [")
		p.tok2str(llcFlags, "?", uint32(ssapField&llcGSAP)|uint32(control&llcISPoll))
		p.s("], length ")
		p.u(uint64(length + hdrLen))
		return hdrLen
	} else {
		p.s("Information, send seq ")
		p.u(uint64(control>>1) & 0x7f)
		p.s(", rcv seq ")
		p.u(uint64(control>>9) & 0x7f)
		p.s(", Flags [")
		p.tok2str(llcFlags, "?", uint32(ssapField&llcGSAP)|uint32(control&llcISPoll))
		p.s("], length ")
		p.u(uint64(length + hdrLen))
	}
	return -hdrLen
}

// llcShort handles an LLC header shorter than need bytes, captured or by
// its length: it prints " [|llc]" and a dump, and returns what tcpdump
// counts as the header's length. It returns -1 when the header is long
// enough.
func (p *Printer) llcShort(b []byte, length, need int) int {
	switch {
	case len(b) < need:
		p.s(" [|llc]")
		p.defaultPrint(b)
		return len(b)
	case length < need:
		p.s(" [|llc]")
		p.defaultPrint(b)
		return length
	}
	return -1
}

// etherSrcDst prints "SRC > DST " for an LLC frame whose type this package
// names but does not decode.
func (p *Printer) etherSrcDst(f ethernet.Frame) {
	p.out = f.Src().AppendTo(p.out)
	p.s(" > ")
	p.out = f.Dst().AppendTo(p.out)
	p.c(' ')
}

// Organisation codes of SNAP headers.
const (
	ouiEncapEther = 0x000000 // the protocol ID is an EtherType
	ouiCisco      = 0x00000c
	ouiCisco90    = 0x0000f8 // Cisco bridging: an EtherType too
	ouiRFC2684    = 0x0080c2 // bridged frames (RFC 2427, RFC 2684)
	ouiAppleTalk  = 0x080007
)

// ouiNames is tcpdump's oui_values.
var ouiNames = []tok{
	{ouiEncapEther, "Ethernet"}, {ouiCisco, "Cisco"}, {0x00005e, "IANA"},
	{0x000081, "Nortel Networks SONMP"}, {ouiCisco90, "Cisco bridged"},
	{ouiRFC2684, "Ethernet bridged"}, {0x00a03e, "ATM Forum"},
	{0x00e02f, "DOCSIS Spanning Tree"}, {ouiAppleTalk, "Appletalk"},
	{0x009069, "Juniper"}, {0x080009, "Hewlett-Packard"},
	{0x00120f, "IEEE 802.3 Private"}, {0x0012bb, "ANSI/TIA"}, {0x001b21, "DCBX"},
	{0x002320, "Nicira Networks"}, {0x5c16c7, "Big Switch Networks"},
	{0xb0d2f5, "Vello Systems"}, {0x002481, "HP"}, {0x0004ea, "HP-Labs"},
	{0x748771, "Infoblox Inc"}, {0xa42305, "Open Networking Lab"},
	{0x00049f, "Freescale"}, {0x0015ad, "Netronome"}, {0x001018, "Broadcom"},
	{0x00e004, "PMC-Sierra"}, {0xd0f0db, "Ericsson"},
}

// Cisco protocol IDs under the Cisco OUI.
const (
	pidCiscoPVST       = 0x010b
	pidCiscoVLANBridge = 0x010c
)

// ciscoPIDNames is tcpdump's cisco_values.
var ciscoPIDNames = []tok{
	{0x2000, "CDP"}, {0x2003, "VTP"}, {0x2004, "DTP"}, {0x0111, "UDLD"},
	{pidCiscoPVST, "PVST"}, {pidCiscoVLANBridge, "VLAN Bridge"},
}

// Protocol IDs of bridged frames under the RFC 2684 OUI. Token Ring and
// FDDI frames are not decoded.
const (
	pidRFC2684EthFCS   = 0x0001
	pidRFC2684EthNoFCS = 0x0007
	pidRFC2684BPDU     = 0x000e

	// rfc2684BridgePad is the padding before a bridged frame.
	rfc2684BridgePad = 2
)

// bridgedPIDNames is tcpdump's bridged_values.
var bridgedPIDNames = []tok{
	{pidRFC2684EthFCS, "Ethernet + FCS"}, {pidRFC2684EthNoFCS, "Ethernet w/o FCS"},
	{0x0002, "802.4 + FCS"}, {0x0008, "802.4 w/o FCS"},
	{0x0003, "Token Ring + FCS"}, {0x0009, "Token Ring w/o FCS"},
	{0x0004, "FDDI + FCS"}, {0x000a, "FDDI w/o FCS"},
	{0x0005, "802.6 + FCS"}, {0x000b, "802.6 w/o FCS"},
	{pidRFC2684BPDU, "BPDU"},
}

// snapPIDNames returns the table that names the protocol IDs of an OUI.
func snapPIDNames(oui uint32) []tok {
	switch oui {
	case ouiEncapEther, ouiCisco90, ouiAppleTalk:
		return etherTypeNames
	case ouiCisco:
		return ciscoPIDNames
	case ouiRFC2684:
		return bridgedPIDNames
	}
	return nil
}

// snap prints a SNAP header and what follows it, and reports whether the
// payload was decoded (tcpdump's snap_print). When it was not, the header
// has been printed and the caller dumps the payload.
func (p *Printer) snap(b []byte, length int, f ethernet.Frame) bool {
	p.proto = "snap"
	sn, err := ethernet.NewSNAP(b)
	if err != nil || length < ethernet.SNAPLen {
		p.s(" [|snap]")
		return true
	}
	oui, pid := sn.OUI(), sn.ProtocolID()
	if p.opt.LinkHeader {
		p.s("oui ")
		p.tok2str(ouiNames, "Unknown", oui)
		p.s(" (0x")
		p.xw(uint64(oui), 6)
		p.s("), ")
		if oui == ouiEncapEther {
			p.s("ethertype ")
		} else {
			p.s("pid ")
		}
		p.tok2str(snapPIDNames(oui), "Unknown", uint32(pid))
		p.s(" (0x")
		p.xw(uint64(pid), 4)
		p.s("), length ")
		p.u(uint64(length - ethernet.SNAPLen))
		p.s(": ")
	}
	b, length = sn.Payload(), length-ethernet.SNAPLen
	switch oui {
	case ouiEncapEther, ouiCisco90:
		if p.etherType(pid, b, length) {
			return true
		}
	case ouiAppleTalk:
		// AppleTalk is not decoded.
	case ouiCisco:
		if pid == pidCiscoPVST || pid == pidCiscoVLANBridge {
			p.stp(b, length)
			return true
		}
		if pid == pidCiscoCDP {
			p.cdp(b, length)
			return true
		}
	case ouiRFC2684:
		switch pid {
		case pidRFC2684EthFCS, pidRFC2684EthNoFCS:
			// A bridged Ethernet frame, after 2 bytes of padding.
			if len(b) < rfc2684BridgePad {
				p.s(" [|snap]")
				return true
			}
			p.ether(b[rfc2684BridgePad:], length-rfc2684BridgePad)
			return true
		case pidRFC2684BPDU:
			p.stp(b, length)
			return true
		}
	}
	if !p.opt.LinkHeader {
		if f != nil {
			p.etherSrcDst(f)
		}
		if oui == ouiEncapEther {
			p.s("SNAP, ethertype ")
			p.tok2str(etherTypeNames, "Unknown", uint32(pid))
			p.s(" (0x")
			p.xw(uint64(pid), 4)
		} else {
			p.s("SNAP, oui ")
			p.tok2str(ouiNames, "Unknown", oui)
			p.s(" (0x")
			p.xw(uint64(oui), 6)
			p.s("), pid ")
			p.tok2str(snapPIDNames(oui), "Unknown", uint32(pid))
			p.s(" (0x")
			p.xw(uint64(pid), 4)
		}
		p.s("), length ")
		p.u(uint64(length))
		p.s(": ")
	}
	return false
}
