package filter

import (
	"fmt"
	"math/bits"
)

// The code generator follows libpcap 1.10.3's model of a packet: offsets of
// the link-layer header, of its type field and of its payload, each a
// constant plus (after geneve) a value computed at run time into a scratch
// register. Primitives such as vlan, mpls, pppoes and geneve move these
// offsets for every primitive parsed after them, whatever the and/or/not
// around them, as libpcap does.

// DLT_ values of the link types the compiler handles, and of PPP, which a
// PPPoE session payload is.
const (
	dltNull      = 0
	dltEN10MB    = 1
	dltSLIP      = 8
	dltPPP       = 9
	dltPPPSerial = 50
	dltRaw       = 12
	dltCHDLC     = 104
	dltLoop      = 108
	dltLinuxSLL  = 113
	dltIPv4      = 228
	dltIPv6      = 229
	dltLinuxSLL2 = 276
)

// dltDescription is libpcap's pcap_datalink_val_to_description_or_dlt for
// the DLTs the compiler can be asked about.
func dltDescription(dlt int) string {
	switch dlt {
	case dltNull:
		return "BSD loopback"
	case dltEN10MB:
		return "Ethernet"
	case dltSLIP:
		return "SLIP"
	case dltPPP:
		return "PPP"
	case dltPPPSerial:
		return "PPP over serial"
	case dltRaw:
		return "Raw IP"
	case dltCHDLC:
		return "Cisco HDLC"
	case dltLoop:
		return "OpenBSD loopback"
	case dltLinuxSLL:
		return "Linux cooked v1"
	case dltIPv4:
		return "Raw IPv4"
	case dltIPv6:
		return "Raw IPv6"
	case dltLinuxSLL2:
		return "Linux cooked v2"
	}
	return fmt.Sprintf("DLT %d", dlt)
}

// offNotSet marks an offset a link type does not have.
const offNotSet = 0xffffffff

// absOff is an offset from the start of the packet: a constant, plus the
// value of scratch register reg when variable.
type absOff struct {
	variable bool
	c        uint32
	reg      int
}

// Places a load is relative to (libpcap's OR_*).
type offRel uint8

const (
	orPacket       offRel = iota
	orLinkHdr             // the link-layer header
	orPrevLinkHdr         // the previous link-layer header
	orLLC                 // the 802.2 LLC header
	orPrevMPLSHdr         // the previous MPLS label
	orLinkType            // the link-layer type field
	orLinkPL              // the link-layer payload (network header)
	orLinkPLNoSnap        // the payload of an 802.2 frame without SNAP
	orTranIPv4            // the transport header after IPv4
	orTranIPv6            // the transport header after a 40-byte IPv6 header
)

// compiler holds the code generator's state.
type compiler struct {
	opts Options

	linktype, prevlinktype, outermostlinktype       int
	offLinkHdr, offPrevLinkHdr, offOutermostLinkHdr absOff
	offLinkPL, offLinkType                          absOff
	offNL, offNLNoSnap                              uint32

	labelDepth, vlanDepth int
	isGeneve              bool
	noOptimize            bool
	// vlanOffsets: the offsets live in scratch registers that the
	// program's first block must set to 0 (vlanExtensions).
	vlanOffsets bool

	// regUsed and curReg are libpcap's scratch-register allocator, kept so
	// that "too many registers" happens where it happens there and so
	// that registers holding offsets have the same numbers.
	regUsed [bpfMemWords]bool
	curReg  int
}

// newCompiler sets up the offsets of a link type (libpcap's
// init_linktype), or says the link type is not supported.
func newCompiler(o Options, dlt int) (*compiler, error) {
	c := &compiler{opts: o, linktype: dlt}
	c.offLinkHdr = absOff{reg: -1}
	c.offLinkPL = absOff{reg: -1}
	c.offLinkType = absOff{reg: -1}
	switch dlt {
	case dltEN10MB:
		c.offLinkType.c, c.offLinkPL.c = 12, 14
		c.offNL, c.offNLNoSnap = 0, 3
	case dltSLIP:
		c.offLinkType.c, c.offLinkPL.c = offNotSet, 16
	case dltNull, dltLoop:
		c.offLinkType.c, c.offLinkPL.c = 0, 4
	case dltPPP, dltPPPSerial, dltCHDLC:
		c.offLinkType.c, c.offLinkPL.c = 2, 4
	case dltRaw, dltIPv4, dltIPv6:
		c.offLinkType.c, c.offLinkPL.c = offNotSet, 0
	case dltLinuxSLL:
		c.offLinkType.c, c.offLinkPL.c = 14, 16
	case dltLinuxSLL2:
		c.offLinkType.c, c.offLinkPL.c = 0, 20
	default:
		return nil, errorf(fmt.Sprintf("link type %s is not supported by the filter compiler", dltDescription(dlt)))
	}
	c.prevlinktype, c.outermostlinktype = dlt, dlt
	c.offOutermostLinkHdr, c.offPrevLinkHdr = c.offLinkHdr, c.offLinkHdr
	return c, nil
}

// allocReg is libpcap's alloc_reg.
func (c *compiler) allocReg() int {
	for n := 0; n < bpfMemWords; n++ {
		if !c.regUsed[c.curReg] {
			c.regUsed[c.curReg] = true
			return c.curReg
		}
		c.curReg = (c.curReg + 1) % bpfMemWords
	}
	fail("too many registers needed to evaluate expression")
	return 0
}

// freeReg is libpcap's free_reg.
func (c *compiler) freeReg(n int) {
	if n >= 0 {
		c.regUsed[n] = false
	}
}

// varPart returns the statements that put the variable part of an offset
// in X (nil when it has none), giving it a register on first use.
func (c *compiler) varPart(off *absOff) []ins {
	if !off.variable {
		return nil
	}
	if off.reg < 0 {
		off.reg = c.allocReg()
	}
	return []ins{stmt(bpfLDX|bpfMEM, uint32(off.reg))}
}

// loadRel loads size bytes at off from an absolute offset.
func (c *compiler) loadRel(abs *absOff, off uint32, size uint16) []ins {
	if s := c.varPart(abs); s != nil {
		return append(s, stmt(bpfLD|bpfIND|size, abs.c+off))
	}
	return []ins{stmt(bpfLD|bpfABS|size, abs.c+off)}
}

// loadA loads size bytes at off from the start of rel into A.
func (c *compiler) loadA(rel offRel, off uint32, size uint16) []ins {
	switch rel {
	case orPacket:
		return []ins{stmt(bpfLD|bpfABS|size, off)}
	case orLinkHdr:
		return c.loadRel(&c.offLinkHdr, off, size)
	case orPrevLinkHdr:
		return c.loadRel(&c.offPrevLinkHdr, off, size)
	case orLLC:
		return c.loadRel(&c.offLinkPL, off, size)
	case orPrevMPLSHdr:
		return c.loadRel(&c.offLinkPL, c.offNL-4+off, size)
	case orLinkPL:
		return c.loadRel(&c.offLinkPL, c.offNL+off, size)
	case orLinkPLNoSnap:
		return c.loadRel(&c.offLinkPL, c.offNLNoSnap+off, size)
	case orLinkType:
		return c.loadRel(&c.offLinkType, off, size)
	case orTranIPv4:
		s := c.loadIPHdrLen()
		return append(s, stmt(bpfLD|bpfIND|size, c.offLinkPL.c+c.offNL+off))
	default: // orTranIPv6
		return c.loadRel(&c.offLinkPL, c.offNL+40+off, size)
	}
}

// loadIPHdrLen puts in X the IPv4 header length plus the variable part of
// the payload offset.
func (c *compiler) loadIPHdrLen() []ins {
	if s := c.varPart(&c.offLinkPL); s != nil {
		return append(s,
			stmt(bpfLD|bpfIND|bpfB, c.offLinkPL.c+c.offNL),
			stmt(bpfALU|bpfAND|bpfK, 0xf),
			stmt(bpfALU|bpfLSH|bpfK, 2),
			stmt(bpfALU|bpfADD|bpfX, 0),
			stmt(bpfMISC|bpfTAX, 0))
	}
	return []ins{stmt(bpfLDX|bpfMSH|bpfB, c.offLinkPL.c+c.offNL)}
}

// ncmp tests (field & mask) against v with the jump jtype (reversed for
// jgt and jge when reverse; libpcap ignores reverse for jeq). A masked
// equality with 0 becomes the jset its optimizer would make of it, unless
// the optimizer is off (finish decides).
func (c *compiler) ncmp(rel offRel, off uint32, size uint16, mask uint32, jtype uint16, reverse bool, v uint32) *bexpr {
	s := c.loadA(rel, off, size)
	if mask != 0xffffffff {
		if jtype == bpfJEQ && v == 0 {
			b := newTest(s, bpfJMP|bpfJSET|bpfK, mask)
			b.t.inv = true
			b.t.unopt = append(append([]ins(nil), s...), stmt(bpfALU|bpfAND|bpfK, mask))
			return b
		}
		s = append(s, stmt(bpfALU|bpfAND|bpfK, mask))
	}
	b := newTest(s, bpfJMP|jtype|bpfK, v)
	if reverse && (jtype == bpfJGT || jtype == bpfJGE) {
		b = not(b)
	}
	return b
}

func (c *compiler) cmp(rel offRel, off uint32, size uint16, v uint32) *bexpr {
	return c.ncmp(rel, off, size, 0xffffffff, bpfJEQ, false, v)
}

func (c *compiler) cmpGT(rel offRel, off uint32, size uint16, v uint32) *bexpr {
	return c.ncmp(rel, off, size, 0xffffffff, bpfJGT, false, v)
}

func (c *compiler) cmpGE(rel offRel, off uint32, size uint16, v uint32) *bexpr {
	return c.ncmp(rel, off, size, 0xffffffff, bpfJGE, false, v)
}

func (c *compiler) cmpLT(rel offRel, off uint32, size uint16, v uint32) *bexpr {
	return c.ncmp(rel, off, size, 0xffffffff, bpfJGE, true, v)
}

func (c *compiler) cmpLE(rel offRel, off uint32, size uint16, v uint32) *bexpr {
	return c.ncmp(rel, off, size, 0xffffffff, bpfJGT, true, v)
}

func (c *compiler) mcmp(rel offRel, off uint32, size uint16, v, mask uint32) *bexpr {
	return c.ncmp(rel, off, size, mask, bpfJEQ, false, v)
}

// bcmp compares len(v) bytes at off, four (then two, then one) at a time
// from the end, as libpcap does.
func (c *compiler) bcmp(rel offRel, off uint32, v []byte) *bexpr {
	var b *bexpr
	add := func(t *bexpr) {
		if b != nil {
			b = and(b, t)
		} else {
			b = t
		}
	}
	n := uint32(len(v))
	for n >= 4 {
		p := v[n-4:]
		add(c.cmp(rel, off+n-4, bpfW, uint32(p[0])<<24|uint32(p[1])<<16|uint32(p[2])<<8|uint32(p[3])))
		n -= 4
	}
	for n >= 2 {
		p := v[n-2:]
		add(c.cmp(rel, off+n-2, bpfH, uint32(p[0])<<8|uint32(p[1])))
		n -= 2
	}
	if n > 0 {
		add(c.cmp(rel, off, bpfB, uint32(v[0])))
	}
	return b
}

// jsetTest is "field & k != 0".
func (c *compiler) jsetTest(rel offRel, off uint32, size uint16, k uint32) *bexpr {
	return newTest(c.loadA(rel, off, size), bpfJMP|bpfJSET|bpfK, k)
}

// linktype tests that the packet's link-layer type (or, for types of 1500
// and less, its LLC SAP) is llProto (libpcap's gen_linktype).
func (c *compiler) linktypeTest(llProto uint32) *bexpr {
	if c.labelDepth > 0 {
		return c.mplsLinktype(llProto)
	}
	switch c.linktype {
	case dltEN10MB:
		return c.etherLinktype(llProto)
	case dltCHDLC:
		if llProto == llcsapISONS {
			llProto = llProto<<8 | llcsapISONS
		}
		return c.cmp(orLinkType, 0, bpfH, llProto)
	case dltLinuxSLL:
		return c.sllLinktype(llProto)
	case dltSLIP, dltRaw:
		switch llProto {
		case ethertypeIP:
			return c.mcmp(orLinkHdr, 0, bpfB, 0x40, 0xf0)
		case ethertypeIPv6:
			return c.mcmp(orLinkHdr, 0, bpfB, 0x60, 0xf0)
		}
		return constTest(false)
	case dltIPv4:
		return constTest(llProto == ethertypeIP)
	case dltIPv6:
		return constTest(llProto == ethertypeIPv6)
	case dltPPP, dltPPPSerial:
		return c.cmp(orLinkType, 0, bpfH, ethertypeToPPP(llProto))
	case dltNull, dltLoop:
		switch llProto {
		case ethertypeIP:
			return c.loopbackLinktype(2) // AF_INET
		case ethertypeIPv6:
			if !c.opts.Kernel {
				// The values of AF_INET6 of the BSDs, FreeBSD and
				// Darwin: a file can come from any of them.
				b1 := or(c.loopbackLinktype(24), c.loopbackLinktype(28))
				return or(c.loopbackLinktype(30), b1)
			}
			return c.loopbackLinktype(10) // Linux's AF_INET6
		}
		return constTest(false)
	}
	// DLT_LINUX_SLL2, and any other type with a type field: compare it.
	return c.cmp(orLinkType, 0, bpfH, llProto)
}

// loopbackLinktype tests the 4-byte address family of DLT_NULL (in the
// byte order of the machine that wrote the file) or DLT_LOOP (network
// order).
func (c *compiler) loopbackLinktype(af uint32) *bexpr {
	if c.linktype == dltNull && !c.opts.NullBigEndian {
		af = bits.ReverseBytes32(af)
	}
	return c.cmp(orLinkHdr, 0, bpfW, af)
}

func ethertypeToPPP(p uint32) uint32 {
	switch p {
	case ethertypeIP:
		return 0x0021
	case ethertypeIPv6:
		return 0x0057
	case ethertypeDN:
		return 0x0027
	case ethertypeAtalk:
		return 0x0029
	case ethertypeNS:
		return 0x0025
	case llcsapISONS:
		return 0x0023
	case llcsap8021D:
		return 0x0031
	case llcsapIPX:
		return 0x002b
	}
	return p
}

// etherLinktype is libpcap's gen_ether_linktype: Ethernet II types, 802.3
// frames with an 802.2 header for SAPs, and the encapsulations IPX and
// AppleTalk use.
func (c *compiler) etherLinktype(p uint32) *bexpr {
	is8023 := func() *bexpr { return not(c.cmpGT(orLinkType, 0, bpfH, etherMTU)) }
	switch p {
	case llcsapISONS, llcsapIP, llcsapNetBEUI:
		return and(is8023(), c.cmp(orLLC, 0, bpfH, p<<8|p))
	case llcsapIPX:
		b1 := or(c.cmp(orLLC, 0, bpfB, llcsapIPX), c.cmp(orLLC, 0, bpfH, 0xffff))
		b1 = or(c.snap(0x000000, ethertypeIPX), b1)
		b1 = and(is8023(), b1)
		return or(c.cmp(orLinkType, 0, bpfH, ethertypeIPX), b1)
	case ethertypeAtalk, ethertypeAARP:
		b0 := is8023()
		var b1 *bexpr
		if p == ethertypeAtalk {
			b1 = c.snap(0x080007, ethertypeAtalk)
		} else {
			b1 = c.snap(0x000000, ethertypeAARP)
		}
		b1 = and(b0, b1)
		return or(c.cmp(orLinkType, 0, bpfH, p), b1)
	}
	if p <= etherMTU {
		return and(is8023(), c.cmp(orLinkType, 2, bpfB, p))
	}
	return c.cmp(orLinkType, 0, bpfH, p)
}

// sllLinktype is gen_linktype for Linux cooked captures, whose protocol
// field is 1 for 802.3 frames and 4 for 802.2 frames.
func (c *compiler) sllLinktype(p uint32) *bexpr {
	const p8023, p8022 = 0x0001, 0x0004
	switch p {
	case llcsapISONS, llcsapIP, llcsapNetBEUI:
		return and(c.cmp(orLinkType, 0, bpfH, p8022), c.cmp(orLLC, 0, bpfH, p<<8|p))
	case llcsapIPX:
		b1 := or(c.cmp(orLLC, 0, bpfB, llcsapIPX), c.snap(0x000000, ethertypeIPX))
		b1 = and(c.cmp(orLinkType, 0, bpfH, p8022), b1)
		b1 = or(c.cmp(orLinkType, 0, bpfH, p8023), b1)
		return or(c.cmp(orLinkType, 0, bpfH, ethertypeIPX), b1)
	case ethertypeAtalk, ethertypeAARP:
		b0 := c.cmp(orLinkType, 0, bpfH, p8022)
		var b1 *bexpr
		if p == ethertypeAtalk {
			b1 = c.snap(0x080007, ethertypeAtalk)
		} else {
			b1 = c.snap(0x000000, ethertypeAARP)
		}
		b1 = and(b0, b1)
		return or(c.cmp(orLinkType, 0, bpfH, p), b1)
	}
	if p <= etherMTU {
		return and(c.cmp(orLinkType, 0, bpfH, p8022), c.cmp(orLinkHdr, c.offLinkPL.c, bpfB, p))
	}
	return c.cmp(orLinkType, 0, bpfH, p)
}

// snap tests for an 802.2 SNAP header with the organisation code and type.
func (c *compiler) snap(org, ptype uint32) *bexpr {
	return c.bcmp(orLLC, 0, []byte{llcsapSNAP, llcsapSNAP, 0x03,
		byte(org >> 16), byte(org >> 8), byte(org), byte(ptype >> 8), byte(ptype)})
}

// mplsLinktype checks for IPv4 or IPv6 under an MPLS label: the bottom of
// stack bit of the label before, and the IP version.
func (c *compiler) mplsLinktype(p uint32) *bexpr {
	switch p {
	case ethertypeIP:
		return and(c.mcmp(orLinkPL, ^uint32(1), bpfB, 0x01, 0x01), c.mcmp(orLinkPL, 0, bpfB, 0x40, 0xf0))
	case ethertypeIPv6:
		return and(c.mcmp(orLinkPL, ^uint32(1), bpfB, 0x01, 0x01), c.mcmp(orLinkPL, 0, bpfB, 0x60, 0xf0))
	}
	fail("unsupported protocol over mpls")
	return nil
}

// prevLinkHdrCheck is what must hold of an encapsulating header before the
// link-layer header inside it can be looked at: after geneve, that the
// payload is Ethernet.
func (c *compiler) prevLinkHdrCheck() *bexpr {
	if c.isGeneve {
		return c.geneveLLCheck()
	}
	return nil
}

func andMaybe(pre, b *bexpr) *bexpr {
	if pre == nil {
		return b
	}
	return and(pre, b)
}
