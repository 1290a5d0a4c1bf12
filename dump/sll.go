package dump

import (
	"net"
	"sync"

	"github.com/medina-net/medina/ethernet"
)

// The Linux "cooked" capture headers, v1 (DLT_LINUX_SLL) and v2
// (DLT_LINUX_SLL2), as tcpdump's print-sll.c prints them.

const (
	sllHdrLen  = 16
	sll2HdrLen = 20

	// Offsets in the v1 header.
	sllPktType  = 0
	sllHAType   = 2
	sllHALen    = 4
	sllAddr     = 6
	sllProtocol = 14

	// Offsets in the v2 header.
	sll2Protocol = 0
	sll2IfIndex  = 4
	sll2HAType   = 8
	sll2PktType  = 10
	sll2HALen    = 11
	sll2Addr     = 12

	// Protocol values below the EtherTypes.
	sllP8023 = 0x0001 // Novell 802.3 frames without an 802.2 LLC header
	sllP8022 = 0x0004 // 802.2 frames

	// haTypeIEEE80211Radiotap is ARPHRD_IEEE80211_RADIOTAP: the payload
	// starts with a radiotap header.
	haTypeIEEE80211Radiotap = 803

	// macAddrLen is the length of an Ethernet address.
	macAddrLen = 6
)

// sllPktTypeNames is tcpdump's sll_pkttype_values: which way the packet
// went.
var sllPktTypeNames = []tok{
	{0, "In"}, {1, "B"}, {2, "M"}, {3, "P"}, {4, "Out"},
}

// sllHeader is the part of a cooked header the -e line prints, gathered
// from either version.
type sllHeader struct {
	v2       bool
	pktType  uint16 // v1 only: v2 prints its packet type in any case
	ifIndex  uint32
	haLen    int
	addr     []byte // 8 bytes
	protocol uint16
}

// sll prints a packet with a Linux cooked v1 header (tcpdump's
// sll_if_print).
func (p *Printer) sll(b []byte, length int) {
	p.proto = "sll"
	p.need(b, sllHdrLen)
	h := sllHeader{
		pktType:  be16(b[sllPktType:]),
		haLen:    int(be16(b[sllHALen:])),
		addr:     b[sllAddr : sllAddr+8],
		protocol: be16(b[sllProtocol:]),
	}
	if p.opt.LinkHeader {
		p.sllHeaderLine(h, length)
	}
	p.sllPayload(h, be16(b[sllHAType:]), b[sllHdrLen:], length-sllHdrLen, sllHdrLen)
}

// sll2 prints a packet with a Linux cooked v2 header (tcpdump's
// sll2_if_print). tcpdump names the interface by its index on the host
// that reads the capture, which is why it warns that the names may be
// wrong; this package does the same.
func (p *Printer) sll2(b []byte, length int) {
	p.proto = "sll2"
	p.need(b, sll2HdrLen)
	h := sllHeader{
		v2:       true,
		ifIndex:  p.get32(b, sll2IfIndex),
		haLen:    int(b[sll2HALen]),
		addr:     b[sll2Addr : sll2Addr+8],
		protocol: be16(b[sll2Protocol:]),
	}
	name := ifIndexName(h.ifIndex)
	p.s(name)
	for i := len(name); i < 5; i++ {
		p.c(' ')
	}
	p.c(' ')
	p.sllPktType(uint16(b[sll2PktType]), false)
	if p.opt.LinkHeader {
		p.sllHeaderLine(h, length)
	}
	p.sllPayload(h, be16(b[sll2HAType:]), b[sll2HdrLen:], length-sll2HdrLen, sll2HdrLen)
}

// sllPktType prints the packet type's name padded to three columns, on the
// left (right-aligned, v1) or on the right (v2), and a space.
func (p *Printer) sllPktType(t uint16, rightAlign bool) {
	name, ok := lookup(sllPktTypeNames, uint32(t))
	if !ok {
		name = "?"
	}
	if rightAlign {
		for i := len(name); i < 3; i++ {
			p.c(' ')
		}
		p.s(name)
	} else {
		p.s(name)
		for i := len(name); i < 3; i++ {
			p.c(' ')
		}
	}
	p.c(' ')
}

// sllHeaderLine prints the -e part of a cooked header: the packet type
// for v1 or the interface index for v2, the address when it is an
// Ethernet one, and the protocol and length (tcpdump's sll_print and
// sll2_print).
func (p *Printer) sllHeaderLine(h sllHeader, length int) {
	if h.v2 {
		p.proto = "sll2"
		p.s("ifindex ")
		p.u(uint64(h.ifIndex))
		p.c(' ')
	} else {
		p.proto = "sll"
		p.sllPktType(h.pktType, true)
	}
	if h.haLen == macAddrLen {
		p.out = ethernet.Addr(h.addr[:macAddrLen]).AppendTo(p.out)
		p.c(' ')
	}
	if p.opt.Quiet {
		return
	}
	switch t := h.protocol; {
	case t == sllP8023:
		p.s("802.3")
	case t == sllP8022:
		p.s("802.2")
	case t <= ethernet.MaxLengthField:
		p.s("ethertype Unknown (0x")
		p.xw(uint64(t), 4)
		p.c(')')
	default:
		p.s("ethertype ")
		p.tok2str(etherTypeNames, "Unknown", uint32(t))
		p.s(" (0x")
		p.xw(uint64(t), 4)
		p.c(')')
	}
	p.s(", length ")
	p.u(uint64(length))
	p.s(": ")
}

// sllPayload prints what follows a cooked header of hdrLen bytes: the
// protocol field is an EtherType, or below 1536 one of Linux's pseudo
// types, and 802.1Q tags are followed.
func (p *Printer) sllPayload(h sllHeader, haType uint16, b []byte, length, hdrLen int) {
	baseLen := hdrLen
	if haType == haTypeIEEE80211Radiotap {
		// 802.11 with radiotap is not decoded.
		p.llHdrLen += hdrLen
		p.unsupported(b)
		return
	}
	t := h.protocol
	for {
		switch {
		case t <= ethernet.MaxLengthField:
			switch t {
			case sllP8022:
				n := p.llc(b, length, nil)
				if n < 0 {
					p.unknownPayload(b)
					break
				}
				hdrLen += n
			case sllP8023:
				p.ipx(b, length)
			default:
				p.unknownPayload(b)
			}
		case t == uint16(ethernet.TypeVLAN):
			if len(b) < ethernet.TagLen {
				p.proto = "vlan"
				p.s(" [|vlan]")
				p.llHdrLen += hdrLen + len(b)
				return
			}
			tag, _ := ethernet.NewTag(b)
			if p.opt.LinkHeader {
				p.s("vlan ")
				p.u(uint64(tag.VID()))
				p.s(", p ")
				p.u(uint64(tag.Priority()))
				if tag.DEI() {
					p.s(", DEI")
				}
				p.s(", ")
			}
			t = uint16(tag.Type())
			if t <= ethernet.MaxLengthField {
				t = sllP8022
			}
			if !p.opt.Quiet {
				p.s("ethertype ")
				p.tok2str(etherTypeNames, "Unknown", uint32(t))
				p.s(", ")
			}
			b, length, hdrLen = b[ethernet.TagLen:], length-ethernet.TagLen, hdrLen+ethernet.TagLen
			continue
		default:
			if !p.etherType(t, b, length) {
				if !p.opt.LinkHeader {
					p.sllHeaderLine(h, length+baseLen)
				}
				p.unknownPayload(b)
			}
		}
		break
	}
	p.llHdrLen += hdrLen
}

// ifIndexName returns the name of the network interface with the given
// index on this host, or "?" (tcpdump's if_indextoname). Names are looked
// up once per index.
var ifIndexName = func() func(uint32) string {
	var mu sync.Mutex
	names := map[uint32]string{}
	return func(i uint32) string {
		mu.Lock()
		defer mu.Unlock()
		if name, ok := names[i]; ok {
			return name
		}
		name := "?"
		if i != 0 && i <= 1<<31-1 {
			if ifc, err := net.InterfaceByIndex(int(i)); err == nil {
				name = ifc.Name
			}
		}
		names[i] = name
		return name
	}
}()
