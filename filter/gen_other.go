package filter

import (
	"fmt"
	"strings"
)

// Primitives with keywords of their own: broadcast and multicast, packet
// length, direction, the encapsulations that move the offsets (vlan, mpls,
// pppoes, geneve), LLC, and the primitives of link types this compiler
// does not handle, which fail with libpcap's messages.

// Linux's ancillary data offsets (SKF_AD_OFF + ...), for live captures.
const (
	skfAdOff     = 0xfffff000
	skfAdPkttype = 4
	skfAdIfindex = 8
	// packetOutgoing is PACKET_OUTGOING, also LINUX_SLL_OUTGOING.
	packetOutgoing = 4
)

var broadcastMAC = []byte{0xff, 0xff, 0xff, 0xff, 0xff, 0xff}

func (c *compiler) broadcast(proto uint8) *bexpr {
	switch proto {
	case qDefault, qLink:
		if c.linktype == dltEN10MB {
			return andMaybe(c.prevLinkHdrCheck(), c.ehostop(broadcastMAC, qDst))
		}
		fail("not a broadcast link")
	case qIP:
		if c.opts.Netmask == NetmaskUnknown {
			fail("netmask not known, so 'ip broadcast' not supported")
		}
		b0 := c.linktypeTest(ethertypeIP)
		hostmask := ^c.opts.Netmask
		b1 := c.mcmp(orLinkPL, 16, bpfW, 0, hostmask)
		b2 := c.mcmp(orLinkPL, 16, bpfW, hostmask, hostmask)
		return and(b0, or(b1, b2))
	}
	fail("only link-layer/IP broadcast filters supported")
	return nil
}

func (c *compiler) multicast(proto uint8) *bexpr {
	switch proto {
	case qDefault, qLink:
		if c.linktype == dltEN10MB {
			return andMaybe(c.prevLinkHdrCheck(), c.jsetTest(orLinkHdr, 0, bpfB, 1))
		}
	case qIP:
		return and(c.linktypeTest(ethertypeIP), c.cmpGE(orLinkPL, 16, bpfB, 224))
	case qIPv6:
		return and(c.linktypeTest(ethertypeIPv6), c.cmp(orLinkPL, 24, bpfB, 255))
	}
	fail("link-layer multicast filters supported only on ethernet/FDDI/token ring/ARCNET/802.11/ATM LANE/Fibre Channel")
	return nil
}

// length tests the packet's length on the wire: "greater n" is len >= n,
// "less n" is len <= n.
func length(jump uint16, n uint32, neg bool) *bexpr {
	b := newTest([]ins{stmt(bpfLD|bpfW|bpfLEN, 0)}, bpfJMP|jump|bpfK, n)
	if neg {
		return not(b)
	}
	return b
}

// byteOp is "byte idx op val". For & and | libpcap generates the operation
// on A without loading the byte, so the test works on whatever A holds;
// this does the same.
func (c *compiler) byteOp(op byte, idx, val uint32) *bexpr {
	switch op {
	case '=':
		return c.cmp(orLinkHdr, idx, bpfB, val)
	case '<':
		return c.cmpLT(orLinkHdr, idx, bpfB, val)
	case '>':
		return c.cmpGT(orLinkHdr, idx, bpfB, val)
	}
	alu := uint16(bpfAND)
	if op == '|' {
		alu = bpfOR
	}
	b := newTest([]ins{stmt(bpfALU|alu|bpfK, val)}, bpfJMP|bpfJEQ|bpfK, 0)
	b.t.opaque = true
	return not(b)
}

// inbound is "inbound" (out false) or "outbound".
func (c *compiler) inbound(out bool) *bexpr {
	switch c.linktype {
	case dltSLIP:
		// The first byte of libpcap's SLIP header is 0 for inbound.
		zero := func() *aexp { return &aexp{kind: aConst, lit: true, reg: c.allocReg(), src: "0"} }
		ld := c.genLoad(qLink, zero(), 1)
		return c.genRelationSense(bpfJEQ, out, ld, zero())
	case dltLinuxSLL:
		b := c.cmp(orLinkHdr, 0, bpfH, packetOutgoing)
		if !out {
			b = not(b)
		}
		return b
	case dltLinuxSLL2:
		b := c.cmp(orLinkHdr, 10, bpfB, packetOutgoing)
		if !out {
			b = not(b)
		}
		return b
	}
	if !c.opts.Kernel {
		fail(fmt.Sprintf("inbound/outbound not supported on %s when reading savefiles", dltDescription(c.linktype)))
	}
	b := c.cmp(orLinkHdr, skfAdOff+skfAdPkttype, bpfH, packetOutgoing)
	if !out {
		b = not(b)
	}
	return b
}

// genRelationSense is genRelation with the reversal given as a flag.
func (c *compiler) genRelationSense(jump uint16, neg bool, a0, a1 *aexp) *bexpr {
	return c.genRelation(jump, neg, a0, a1)
}

func (c *compiler) ifindex(n uint32) *bexpr {
	if c.linktype == dltLinuxSLL2 {
		return c.cmp(orLinkHdr, 4, bpfW, n)
	}
	if !c.opts.Kernel {
		fail(fmt.Sprintf("ifindex not supported on %s when reading savefiles", dltDescription(c.linktype)))
	}
	return c.cmp(orLinkHdr, skfAdOff+skfAdIfindex, bpfW, n)
}

// vlan matches an 802.1Q, 802.1ad or QinQ tag (with the VLAN ID when has)
// and moves the offsets of everything after it past the tag.
func (c *compiler) vlan(id uint32, has bool) *bexpr {
	if c.labelDepth > 0 {
		fail("no VLAN match after MPLS")
	}
	if c.linktype != dltEN10MB {
		fail("no VLAN support for " + dltDescription(c.linktype))
	}
	if c.opts.VLANExtensions && c.vlanDepth == 0 && !c.offLinkHdr.variable && c.offLinkHdr.c == c.offOutermostLinkHdr.c {
		b0 := c.vlanExtensions(id, has)
		c.vlanDepth++
		return b0
	}
	b0 := or(c.linktypeTest(ethertype8021Q), c.linktypeTest(ethertype8021AD))
	b0 = or(b0, c.linktypeTest(ethertypeQinQ))
	if has {
		if id > 0x0fff {
			fail(fmt.Sprintf("VLAN tag %d greater than maximum %d", id, 0x0fff))
		}
		b0 = and(b0, c.mcmp(orLinkPL, 0, bpfH, id, 0x0fff))
	}
	c.offLinkPL.c += 4
	c.offLinkType.c += 4
	c.vlanDepth++
	return b0
}

// Linux's ancillary data for a frame's VLAN tag, which its kernel takes
// off the frame before the filter runs.
const (
	skfAdVLANTag        = 44
	skfAdVLANTagPresent = 48
)

// vlanExtensions is "vlan" for a Linux kernel that takes tags off frames:
// a tag is there if the kernel says so (then the VLAN ID is its), or if
// the frame still has one (a second tag, say; then the offsets of what
// follows move past it, at run time, in scratch registers that start at
// 0). This is libpcap's BPF_SPECIAL_VLAN_HANDLING; the optimizer leaves
// such a program alone.
func (c *compiler) vlanExtensions(id uint32, has bool) *bexpr {
	present := newTest([]ins{stmt(bpfLD|bpfB|bpfABS, skfAdOff+skfAdVLANTagPresent)}, bpfJMP|bpfJEQ|bpfK, 1)
	tpid := or(c.linktypeTest(ethertype8021Q), c.linktypeTest(ethertype8021AD))
	tpid = or(tpid, c.linktypeTest(ethertypeQinQ))
	var vid *bexpr
	if has {
		if id > 0x0fff {
			fail(fmt.Sprintf("VLAN tag %d greater than maximum %d", id, 0x0fff))
		}
		s := append(c.loadA(orLinkPL, 0, bpfH), stmt(bpfALU|bpfAND|bpfK, 0x0fff))
		vid = newTest(s, bpfJMP|bpfJEQ|bpfK, id)
	}
	// The tag in the frame: what follows is 4 bytes further.
	c.vlanOffsets = true
	var bump []ins
	for _, off := range []*absOff{&c.offLinkPL, &c.offLinkType} {
		off.variable = true
		if off.reg < 0 {
			off.reg = c.allocReg()
		}
		bump = append(bump, stmt(bpfLD|bpfMEM, uint32(off.reg)), stmt(bpfALU|bpfADD|bpfK, 4), stmt(bpfST, uint32(off.reg)))
	}
	first := leftmost(tpid)
	first.stmts = append(bump, first.stmts...)
	first.opaque = true
	b0 := or(present, tpid)
	if !has {
		return b0
	}
	// The VLAN ID from the kernel when it took the tag, from the frame
	// otherwise: the load from the frame is jumped over.
	orig := vid.t.stmts
	s := []ins{
		stmt(bpfLD|bpfB|bpfABS, skfAdOff+skfAdVLANTagPresent),
		{op: bpfJMP | bpfJEQ | bpfK, k: 1, jt: 0, jf: 2},
		stmt(bpfLD|bpfB|bpfABS, skfAdOff+skfAdVLANTag),
		stmt(bpfJMP|bpfJA, uint32(len(orig)-1)),
	}
	vid.t.stmts = append(s, orig...)
	vid.t.opaque = true
	return and(b0, vid)
}

// leftmost is the first test an expression runs.
func leftmost(b *bexpr) *test {
	for b.kind != bTest {
		b = b.l
	}
	return b.t
}

// mpls matches an MPLS label (the given one when has) and moves the network
// header past it.
func (c *compiler) mpls(label uint32, has bool) *bexpr {
	var b0 *bexpr
	if c.labelDepth > 0 {
		// Not the bottom of the stack yet.
		b0 = c.mcmp(orPrevMPLSHdr, 2, bpfB, 0, 0x01)
	} else {
		switch c.linktype {
		case dltCHDLC, dltEN10MB:
			b0 = c.linktypeTest(ethertypeMPLS)
		case dltPPP:
			b0 = c.linktypeTest(0x0281) // PPP_MPLS_UCAST
		default:
			fail("no MPLS support for " + dltDescription(c.linktype))
		}
	}
	if has {
		if label > 0xfffff {
			fail(fmt.Sprintf("MPLS label %d greater than maximum %d", label, 0xfffff))
		}
		b0 = and(b0, c.mcmp(orLinkPL, 0, bpfW, label<<12, 0xfffff000))
	}
	c.offNLNoSnap += 4
	c.offNL += 4
	c.labelDepth++
	return b0
}

// pppoes matches a PPPoE session frame (the given session when has); what
// follows is matched against the PPP frame inside.
func (c *compiler) pppoes(sess uint32, has bool) *bexpr {
	b0 := c.linktypeTest(ethertypePPPoES)
	if has {
		if sess > 0xffff {
			fail(fmt.Sprintf("PPPoE session number %d greater than maximum %d", sess, 0xffff))
		}
		b0 = and(b0, c.mcmp(orLinkPL, 0, bpfW, sess, 0x0000ffff))
	}
	c.pushLinkHdr(dltPPP, absOff{c.offLinkPL.variable, c.offLinkPL.c + c.offNL + 6, c.offLinkPL.reg})
	c.offLinkType = c.offLinkHdr
	c.offLinkPL.c = c.offLinkHdr.c + 2
	c.offNL, c.offNLNoSnap = 0, 0
	return b0
}

// pushLinkHdr makes hdr the link-layer header, of type lt, remembering the
// one it was in.
func (c *compiler) pushLinkHdr(lt int, hdr absOff) {
	c.prevlinktype = c.linktype
	c.offPrevLinkHdr = c.offLinkHdr
	c.linktype = lt
	c.offLinkHdr = hdr
	c.isGeneve = false
}

// genevePort is Geneve's UDP port.
const genevePort = 6081

// geneve matches a Geneve packet over UDP over IPv4 or IPv6 (with the VNI
// when has); what follows is matched against the frame inside it, whose
// offsets are computed at run time. It turns the optimizer off.
func (c *compiler) geneve(vni uint32, has bool) *bexpr {
	check := func(v6 bool) *bexpr {
		rel := orTranIPv4
		if v6 {
			rel = orTranIPv6
		}
		b0 := c.port(genevePort, ipprotoUDP, qDst, v6)
		b0 = and(b0, c.mcmp(rel, 8, bpfB, 0, 0xc0))
		if has {
			if vni > 0xffffff {
				fail(fmt.Sprintf("Geneve VNI %d greater than maximum %d", vni, 0xffffff))
			}
			b0 = and(b0, c.mcmp(rel, 12, bpfW, vni<<8, 0xffffff00))
		}
		return b0
	}
	// Each branch leaves the length of the IP header in A for the
	// offset computation that follows.
	b0 := check(false)
	s := append(c.loadIPHdrLen(), stmt(bpfMISC|bpfTXA, 0))
	b0 = and(b0, newTest(s, bpfJMP|bpfJEQ|bpfX, 0))
	b1 := check(true)
	if s = c.varPart(&c.offLinkPL); s != nil {
		s = append(s, stmt(bpfLD|bpfIMM, 40), stmt(bpfALU|bpfADD|bpfX, 0))
	} else {
		s = []ins{stmt(bpfLD|bpfIMM, 40)}
	}
	s = append(s, stmt(bpfMISC|bpfTAX, 0))
	b1 = and(b1, newTest(s, bpfJMP|bpfJEQ|bpfX, 0))
	b0 = or(b0, b1)

	off := c.geneveOffsets()
	t := constTest(true)
	t.t.stmts = append(off, t.t.stmts...)
	t.t.opaque = true
	c.isGeneve = true
	return and(b0, t)
}

// geneveOffsets computes, from the UDP header offset in A, the offsets of
// the frame inside a Geneve header: its link-layer header, its type field
// (the Geneve protocol type unless the payload is Ethernet) and its
// payload.
func (c *compiler) geneveOffsets() []ins {
	s := []ins{
		stmt(bpfALU|bpfADD|bpfK, c.offLinkPL.c+c.offNL+8),
		stmt(bpfMISC|bpfTAX, 0),
		stmt(bpfALU|bpfADD|bpfK, 2),
	}
	c.offLinkType = absOff{variable: true, c: 0, reg: c.allocReg()}
	s = append(s,
		stmt(bpfST, uint32(c.offLinkType.reg)),
		stmt(bpfLD|bpfIND|bpfB, 0),
		stmt(bpfALU|bpfAND|bpfK, 0x3f),
		stmt(bpfALU|bpfMUL|bpfK, 4),
		stmt(bpfALU|bpfADD|bpfK, 8),
		stmt(bpfALU|bpfADD|bpfX, 0))
	c.pushLinkHdr(dltEN10MB, absOff{variable: true, c: 0, reg: c.allocReg()})
	s = append(s, stmt(bpfST, uint32(c.offLinkHdr.reg)))
	c.noOptimize = true
	s = append(s,
		stmt(bpfLD|bpfIND|bpfH, 2),
		stmt(bpfLDX|bpfMEM, uint32(c.offLinkHdr.reg)),
		ins{op: bpfJMP | bpfJEQ | bpfK, k: ethertypeTEB, jt: 0, jf: 5},
		stmt(bpfMISC|bpfTXA, 0),
		stmt(bpfALU|bpfADD|bpfK, 12),
		stmt(bpfST, uint32(c.offLinkType.reg)),
		stmt(bpfALU|bpfADD|bpfK, 2),
		stmt(bpfMISC|bpfTAX, 0))
	c.offLinkPL = absOff{variable: true, c: 0, reg: c.allocReg()}
	s = append(s, stmt(bpfSTX, uint32(c.offLinkPL.reg)))
	c.offNL = 0
	return s
}

// geneveLLCheck is "the Geneve payload is an Ethernet frame": its
// link-layer header and payload offsets differ.
func (c *compiler) geneveLLCheck() *bexpr {
	s := []ins{stmt(bpfLD|bpfMEM, uint32(c.offLinkHdr.reg)), stmt(bpfLDX|bpfMEM, uint32(c.offLinkPL.reg))}
	return not(newTest(s, bpfJMP|bpfJEQ|bpfX, 0))
}

// llc matches an 802.2 LLC frame: "llc", "llc i", "llc s", "llc u", or an
// S or U frame subtype ("llc rr", "llc ui").
func (c *compiler) llc(name string, has bool) *bexpr {
	if !has {
		return c.llcFrame()
	}
	switch strings.ToLower(name) {
	case "i":
		b0 := c.llcFrame()
		return and(b0, not(c.jsetTest(orLLC, 2, bpfB, 0x01)))
	case "s":
		b0 := c.llcFrame()
		return and(b0, c.mcmp(orLLC, 2, bpfB, 0x01, 0x03))
	case "u":
		b0 := c.llcFrame()
		return and(b0, c.mcmp(orLLC, 2, bpfB, 0x03, 0x03))
	}
	if v, ok := llcSTypes[strings.ToLower(name)]; ok {
		b0 := c.llcFrame()
		return and(b0, c.mcmp(orLLC, 2, bpfB, v, 0x0f))
	}
	if v, ok := llcUTypes[strings.ToLower(name)]; ok {
		b0 := c.llcFrame()
		return and(b0, c.mcmp(orLLC, 2, bpfB, v, 0xef))
	}
	fail(fmt.Sprintf("unknown LLC type name \"%s\"", name))
	return nil
}

var (
	llcSTypes = map[string]uint32{"rr": 0x01, "rnr": 0x05, "rej": 0x09}
	llcUTypes = map[string]uint32{"ui": 0x03, "ua": 0x63, "disc": 0x43, "dm": 0x0f,
		"sabme": 0x6f, "test": 0xe3, "xid": 0xaf, "frmr": 0x87}
)

// llcFrame is an 802.3 frame whose first two payload bytes are not 0xffff
// (which would be NetWare over raw 802.3).
func (c *compiler) llcFrame() *bexpr {
	if c.linktype != dltEN10MB {
		fail("'llc' not supported for " + dltDescription(c.linktype))
	}
	b0 := not(c.cmpGT(orLinkType, 0, bpfH, etherMTU))
	return and(b0, not(c.cmp(orLLC, 0, bpfH, 0xffff)))
}

// pflog reasons and actions, as libpcap on Linux names them.
var (
	pfReasons = []string{"match", "bad-offset", "fragment", "short", "normalize",
		"memory", "bad-timestamp", "congestion", "ip-option", "proto-cksum",
		"state-mismatch", "state-insert", "state-limit", "src-limit", "synproxy"}
	pfActions = []string{"pass", "accept", "drop", "block", "scrub", "noscrub",
		"nat", "nonat", "binat", "nobinat", "rdr", "nordr", "synproxy-drop"}
)

func containsFold(list []string, s string) bool {
	for _, x := range list {
		if strings.EqualFold(x, s) {
			return true
		}
	}
	return false
}

// pf is a pflog primitive; no link type here is pflog.
func (c *compiler) pf(o *other) *bexpr {
	switch o.kind {
	case oPFIfname:
		fail("ifname supported only on PF linktype")
	case oPFRset:
		fail("ruleset supported only on PF linktype")
	case oPFRnr:
		fail("rnr supported only on PF linktype")
	case oPFSrnr:
		fail("srnr supported only on PF linktype")
	case oPFReason:
		if !o.has && !containsFold(pfReasons, o.s) {
			fail(fmt.Sprintf("unknown PF reason \"%s\"", o.s))
		}
		fail("reason supported only on PF linktype")
	default: // oPFAction
		if !containsFold(pfActions, o.s) {
			fail(fmt.Sprintf("unknown PF action \"%s\"", o.s))
		}
		fail("action supported only on PF linktype")
	}
	return nil
}

// 802.11 frame types and subtypes, as libpcap names them.
var (
	wlanTypes = []struct {
		name string
		v    uint32
	}{{"data", 0x08}, {"mgt", 0x00}, {"management", 0x00}, {"ctl", 0x04}, {"control", 0x04}}
	wlanSubtypes = []struct {
		typ   uint32
		names map[string]uint32
	}{
		{0x00, map[string]uint32{"assocreq": 0x00, "assoc-req": 0x00, "assocresp": 0x10,
			"assoc-resp": 0x10, "reassocreq": 0x20, "reassoc-req": 0x20, "reassocresp": 0x30,
			"reassoc-resp": 0x30, "probereq": 0x40, "probe-req": 0x40, "proberesp": 0x50,
			"probe-resp": 0x50, "beacon": 0x80, "atim": 0x90, "disassoc": 0xa0,
			"disassociation": 0xa0, "auth": 0xb0, "authentication": 0xb0, "deauth": 0xc0,
			"deauthentication": 0xc0}},
		{0x04, map[string]uint32{"ps-poll": 0xa0, "rts": 0xb0, "cts": 0xc0, "ack": 0xd0,
			"cf-end": 0xe0, "cf-end-ack": 0xf0}},
		{0x08, map[string]uint32{"data": 0x00, "data-cf-ack": 0x10, "data-cf-poll": 0x20,
			"data-cf-ack-poll": 0x30, "null": 0x40, "cf-ack": 0x50, "cf-poll": 0x60,
			"cf-ack-poll": 0x70, "qos-data": 0x80, "qos-data-cf-ack": 0x90,
			"qos-data-cf-poll": 0xa0, "qos-data-cf-ack-poll": 0xb0, "qos": 0xc0,
			"qos-cf-poll": 0xe0, "qos-cf-ack-poll": 0xf0}},
	}
)

// wlan is an 802.11 primitive: its values are checked as libpcap checks
// them, then it fails, no link type here being 802.11.
func (c *compiler) wlan(o *other) *bexpr {
	typeVal := func(t token) uint32 {
		if t.kind == tNUM {
			if t.num&^0x0c != 0 {
				fail(fmt.Sprintf("invalid 802.11 type value 0x%02x", t.num))
			}
			return t.num
		}
		for _, w := range wlanTypes {
			if strings.EqualFold(w.name, t.text) {
				return w.v
			}
		}
		fail(fmt.Sprintf("unknown 802.11 type name \"%s\"", t.text))
		return 0
	}
	switch o.kind {
	case oWlanType:
		typeVal(o.words[0])
	case oWlanTypeSubtype:
		typ := typeVal(o.words[0])
		if t := o.words[1]; t.kind == tNUM {
			if t.num&^0xf0 != 0 {
				fail(fmt.Sprintf("invalid 802.11 subtype value 0x%02x", t.num))
			}
		} else {
			found := false
			for _, st := range wlanSubtypes {
				if st.typ == typ {
					found = true
					if _, ok := lookupFold(st.names, t.text); !ok {
						fail(fmt.Sprintf("unknown 802.11 subtype name \"%s\"", t.text))
					}
				}
			}
			if !found {
				fail("unknown 802.11 type")
			}
		}
	case oWlanSubtype:
		found := false
		for _, st := range wlanSubtypes {
			if _, ok := lookupFold(st.names, o.words[0].text); ok {
				found = true
				break
			}
		}
		if !found {
			fail("unknown 802.11 type name")
		}
	case oWlanDir:
		if t := o.words[0]; t.kind == tID {
			switch strings.ToLower(t.text) {
			case "nods", "tods", "fromds", "dstods":
			default:
				fail("unknown 802.11 direction")
			}
		}
		fail("frame direction supported only with 802.11 headers")
	}
	fail("802.11 link-layer types supported only on 802.11")
	return nil
}

func lookupFold(m map[string]uint32, s string) (uint32, bool) {
	v, ok := m[strings.ToLower(s)]
	return v, ok
}

// atmMTP fails for the ATM and SS7 primitives, as libpcap does on the link
// types here.
func (c *compiler) atmMTP(o *other) *bexpr {
	switch o.kind {
	case oATMType:
		name := map[string]string{"oamf4sc": "oam4sc", "oamf4ec": "oam4ec"}[o.s]
		if name == "" {
			name = o.s
		}
		fail(fmt.Sprintf("'%s' supported only on raw ATM", name))
	case oATMMulti, oATMField:
		fail(fmt.Sprintf("'%s' supported only on raw ATM", o.s))
	case oMTP2:
		name := o.s
		if name == "lsu" {
			name = "lssu"
		}
		where := "MTP2"
		if name[0] == 'h' {
			where = "MTP2_HSL"
		}
		fail(fmt.Sprintf("'%s' supported only on %s", name, where))
	}
	// oMTP3
	fail(fmt.Sprintf("'%s' supported only on SS7", strings.TrimPrefix(o.s, "h")))
	return nil
}
