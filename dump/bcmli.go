package dump

// Broadcom's lawful-interception shim, as tcpdump's print-bcm-li.c prints
// it: a 4-byte header in front of a copied packet, sent over UDP to or
// from port 49152. 49152 is also the first port of the ephemeral range
// most systems but Linux use (and in Linux's), so ordinary datagrams from
// it print so too, as in tcpdump.

// portBCMLI is the UDP port of the shim.
const portBCMLI = 49152

const bcmLIShimLen = 4

var (
	bcmLIDirections = []tok{{1, "unused"}, {2, "egress"}, {3, "ingress"}}
	bcmLIPktTypes   = []tok{{4, "undecided"}, {5, "ipv4"}, {6, "ipv6"}, {7, "ethernet"}}
	bcmLISubtypes   = []tok{{1, "single VLAN tag"}, {2, "double VLAN tag"}, {3, "untagged"}}
)

// Packet types of the shim.
const (
	bcmLIUndecided = 4
	bcmLIIPv4      = 5
	bcmLIIPv6      = 6
	bcmLIEthernet  = 7
)

// bcmLI prints the shim and, with -v, the packet it carries (tcpdump's
// bcm_li_print).
func (p *Printer) bcmLI(b []byte, length int) {
	p.proto = "bcm_li"
	if length < bcmLIShimLen {
		p.s(" (length ")
		p.u(uint64(length))
		p.s(" < 4) (invalid)")
		return
	}
	shim := p.get32(b, 0)
	direction := shim >> 29 & 0x7
	pktType := shim >> 25 & 0xf
	subtype := shim >> 22 & 0x7
	liID := shim & 0x3fffff
	b, length = b[bcmLIShimLen:], length-bcmLIShimLen
	if p.opt.Verbose > 0 {
		p.s("\n    ")
	}
	p.s("BCM-LI-SHIM: direction ")
	p.tok2str(bcmLIDirections, "unknown", direction)
	p.s(", pkt-type ")
	p.tok2str(bcmLIPktTypes, "unknown", pktType)
	p.s(", pkt-subtype ")
	p.tok2str(bcmLISubtypes, "unknown", subtype)
	p.s(", li-id ")
	p.u(uint64(liID))
	if p.opt.Verbose == 0 {
		p.need(b, length)
		return
	}
	p.s("\n    ")
	switch pktType {
	case bcmLIEthernet:
		p.ether(b, length)
	case bcmLIIPv4:
		p.ip(b, length)
	case bcmLIIPv6:
		p.ip6(b, length)
	case bcmLIUndecided:
		switch p.get8(b, 0) >> 4 {
		case 4:
			p.ip(b, length)
		case 6:
			p.ip6(b, length)
		default:
			p.s("unknown payload")
		}
	default:
		p.s(" (invalid)")
	}
}
