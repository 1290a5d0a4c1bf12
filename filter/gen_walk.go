package filter

import "fmt"

// genNode generates the code of a node, children first. q is the qualifier
// an id there inherits: libpcap's parser hands each id the qualifiers of
// what precedes it ("host a or b" is "host a or host b"), which are those
// of the last id to the left, the ones in force before a parenthesised
// expression once past it, and none after other primitives. It returns the
// qualifiers the next id inherits.
func (c *compiler) genNode(n node, q qual) (*bexpr, qual) {
	switch n := n.(type) {
	case *andOr:
		l, q1 := c.genNode(n.l, q)
		r, q2 := c.genNode(n.r, q1)
		if n.and {
			return and(l, r), q2
		}
		return or(l, r), q2
	case *notNode:
		x, q1 := c.genNode(n.x, q)
		return not(x), q1
	case *headID:
		return c.genID(n.id, n.q)
	case *paren:
		x, _ := c.genNode(n.x, q)
		return x, q
	case *pname:
		return c.protoAbbrev(n.proto), qerr
	case *relation:
		a0 := c.genArith(n.a0)
		a1 := c.genArith(n.a1)
		return c.genRelation(n.jump, n.neg, a0, a1), qerr
	case *other:
		return c.genOther(n), qerr
	}
	return c.genID(n, q)
}

// genID generates an id with its qualifiers.
func (c *compiler) genID(n node, q qual) (*bexpr, qual) {
	switch n := n.(type) {
	case *idName:
		return c.scode(n.s, q), q
	case *idHost:
		switch n.form {
		case '/':
			return c.mcode(n.s, "", n.masklen, q), q
		case 'm':
			return c.mcode(n.s, n.mask, 0, q), q
		}
		switch q.addr {
		case qPort, qPortrange, qProto, qProtochain:
			name := map[uint8]string{qPort: "port", qPortrange: "portrange", qProto: "proto", qProtochain: "protochain"}[q.addr]
			fail(fmt.Sprintf("'%s' modifier applied to ip host", name))
		}
		return c.ncode(n.s, 0, q), q
	case *idHost6:
		if n.err != "" {
			fail(n.err)
		}
		if n.slash {
			return c.mcode6(n.s, n.masklen, q), q
		}
		return c.mcode6(n.s, 128, q), q
	case *idEther:
		if n.err != "" {
			fail(n.err)
		}
		return c.ecode(n.s, q), q
	case *idArc:
		fail("aid supported only on ARCnet")
	case *idNum:
		return c.ncode("", n.v, q), q
	case *idNot:
		x, q1 := c.genID(n.x, q)
		return not(x), q1
	case *idAndOr:
		l, q1 := c.genID(n.l, q)
		r, q2 := c.genID(n.r, q1)
		if n.and {
			return and(l, r), q2
		}
		return or(l, r), q2
	case *idParen:
		return c.genID(n.x, q)
	}
	panic(fmt.Sprintf("filter: unknown node %T", n))
}

func (c *compiler) genOther(o *other) *bexpr {
	switch o.kind {
	case oBroadcast:
		return c.broadcast(o.proto)
	case oMulticast:
		return c.multicast(o.proto)
	case oLess:
		return length(bpfJGT, o.n, true)
	case oGreater:
		return length(bpfJGE, o.n, false)
	case oByte:
		return c.byteOp(o.op, o.n, o.v)
	case oInbound:
		return c.inbound(false)
	case oOutbound:
		return c.inbound(true)
	case oIfindex:
		return c.ifindex(o.n)
	case oVLAN:
		return c.vlan(o.n, o.has)
	case oMPLS:
		return c.mpls(o.n, o.has)
	case oPPPoED:
		return c.linktypeTest(ethertypePPPoED)
	case oPPPoES:
		return c.pppoes(o.n, o.has)
	case oGeneve:
		return c.geneve(o.n, o.has)
	case oPFIfname, oPFRset, oPFRnr, oPFSrnr, oPFReason, oPFAction:
		return c.pf(o)
	case oWlanType, oWlanSubtype, oWlanTypeSubtype, oWlanDir:
		return c.wlan(o)
	case oLLC:
		return c.llc(o.s, o.has)
	}
	return c.atmMTP(o)
}
