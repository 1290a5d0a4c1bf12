package filter

// The parser is a recursive descent over the token slice that accepts the
// language libpcap 1.10.3's grammar accepts. Three places are ambiguous
// until a few tokens later, and there the parser tries one reading, then
// the other:
//
//   - after "and"/"or", an id reusing the previous qualifiers ("host
//     10.0.0.1 or 10.0.0.2") or a new term ("host 10.0.0.1 or tcp");
//   - after "(", a parenthesised expression, a parenthesised list of ids,
//     or the start of an arithmetic comparison ("(ip[0] & 0xf) > 5");
//   - a number, which is an id ("port 80 or 443") unless an arithmetic or
//     comparison operator follows it.
//
// Results are memoised per position so nested parentheses stay linear. The
// parser only builds the tree; failures record how far it got, which is
// where a table-driven parser would have reported the syntax error.

type parser struct {
	toks []token
	far  int // furthest token index at which a rule failed
	memo map[memoKey]memoVal
}

type memoKey struct {
	rule int
	pos  int
	ctx  uint16
}

type memoVal struct {
	n   interface{}
	end int
	ok  bool
}

const (
	mExpr = iota
	mTerm
	mID
	mPid
	mPnum
	mArith
)

func (ps *parser) tok(i int) tokKind {
	if i >= len(ps.toks) {
		return tEOF
	}
	return ps.toks[i].kind
}

// bad records a failure at token i and returns false.
func (ps *parser) bad(i int) bool {
	if i > ps.far {
		ps.far = i
	}
	return false
}

// parse parses a whole expression; ok is false at a syntax error, with
// ps.far the index of the token at fault.
func (ps *parser) parse() (node, bool) {
	if ps.tok(0) == tEOF {
		return nil, true
	}
	n, j, ok := ps.expr(0)
	if !ok {
		return nil, false
	}
	if ps.tok(j) != tEOF {
		return nil, ps.bad(j)
	}
	return n, true
}

func (ps *parser) memoized(rule, i int, ctx uint16, f func() (interface{}, int, bool)) (interface{}, int, bool) {
	k := memoKey{rule, i, ctx}
	if v, ok := ps.memo[k]; ok {
		return v.n, v.end, v.ok
	}
	n, end, ok := f()
	ps.memo[k] = memoVal{n, end, ok}
	return n, end, ok
}

// expr: term { (and|or) (id | term) }
func (ps *parser) expr(i int) (node, int, bool) {
	return ps.memoized(mExpr, i, 0, func() (interface{}, int, bool) {
		n, j, ok := ps.term(i)
		if !ok {
			return nil, 0, false
		}
		for ps.tok(j) == tAnd || ps.tok(j) == tOr {
			and := ps.tok(j) == tAnd
			// An id is tried first; it must end where an expression can.
			if m, k, ok := ps.id(j + 1); ok {
				if endsExpr(ps.tok(k)) {
					n, j = &andOr{and, n, m}, k
					continue
				}
				ps.bad(k)
			}
			m, k, ok := ps.term(j + 1)
			if !ok {
				return nil, 0, false
			}
			n, j = &andOr{and, n, m}, k
		}
		return n, j, true
	})
}

func endsExpr(k tokKind) bool { return k == tAnd || k == tOr || k == tRParen || k == tEOF }

// term: not term | rterm
func (ps *parser) term(i int) (node, int, bool) {
	return ps.memoized(mTerm, i, 0, func() (interface{}, int, bool) {
		if ps.tok(i) == tNot {
			x, j, ok := ps.term(i + 1)
			if !ok {
				return nil, 0, false
			}
			return &notNode{x}, j, true
		}
		return ps.rterm(i)
	})
}

func (ps *parser) rterm(i int) (node, int, bool) {
	k := ps.tok(i)
	switch {
	case k == tLParen:
		if x, j, ok := ps.expr(i + 1); ok {
			if ps.tok(j) == tRParen {
				return &paren{x}, j + 1, true
			}
			ps.bad(j)
		}
		return ps.relation(i)
	case isPname(k):
		next := ps.tok(i + 1)
		switch {
		case next == tLBrack:
			return ps.relation(i)
		case startsHead(next):
			return ps.headID(i)
		case next == tBroadcast || next == tMulticast:
			return ps.castOther(i+1, pnameQual(k))
		case next == tType || next == tSubtype || next == tDir:
			return ps.p80211(i+1, pnameQual(k))
		}
		return &pname{pnameQual(k)}, i + 1, true
	case startsHead(k):
		return ps.headID(i)
	case k == tBroadcast || k == tMulticast:
		return ps.castOther(i, qDefault)
	case k == tType || k == tSubtype || k == tDir:
		return ps.p80211(i, qDefault)
	case k == tNUM || k == tMinus || k == tLen:
		return ps.relation(i)
	}
	return ps.other(i)
}

// startsHead reports whether k begins the qualifiers after a protocol:
// a direction, an address type, proto, protochain or gateway.
func startsHead(k tokKind) bool {
	switch k {
	case tSrc, tDst, tAddr1, tAddr2, tAddr3, tAddr4, tRA, tTA,
		tHost, tNet, tPort, tPortrange, tProto, tProtochain, tGateway:
		return true
	}
	return false
}

// headID: [pname] (dqual [aqual] | aqual | proto | protochain | gateway) id
func (ps *parser) headID(i int) (node, int, bool) {
	q := qual{qDefault, qDefault, qDefault}
	if isPname(ps.tok(i)) {
		q.proto = pnameQual(ps.tok(i))
		i++
	}
	switch ps.tok(i) {
	case tSrc, tDst:
		first := ps.tok(i)
		q.dir = qSrc
		if first == tDst {
			q.dir = qDst
		}
		i++
		if c := ps.tok(i); c == tOr || c == tAnd {
			want := tDst
			if first == tDst {
				want = tSrc
			}
			if ps.tok(i+1) != want {
				return nil, 0, ps.bad(i + 1)
			}
			q.dir = qOr
			if c == tAnd {
				q.dir = qAnd
			}
			i += 2
		}
		if a, ok := addrQual(ps.tok(i)); ok {
			q.addr = a
			i++
		}
	case tAddr1, tAddr2, tAddr3, tAddr4, tRA, tTA:
		q.dir = map[tokKind]uint8{tAddr1: qAddr1, tAddr2: qAddr2, tAddr3: qAddr3,
			tAddr4: qAddr4, tRA: qRA, tTA: qTA}[ps.tok(i)]
		i++
		if a, ok := addrQual(ps.tok(i)); ok {
			q.addr = a
			i++
		}
	case tHost, tNet, tPort, tPortrange:
		q.addr, _ = addrQual(ps.tok(i))
		i++
	case tProto:
		q.addr = qProto
		i++
	case tProtochain:
		q.addr = qProtochain
		i++
	case tGateway:
		q.addr = qGateway
		i++
	default:
		return nil, 0, ps.bad(i)
	}
	id, j, ok := ps.id(i)
	if !ok {
		return nil, 0, false
	}
	return &headID{q, id}, j, true
}

func addrQual(k tokKind) (uint8, bool) {
	switch k {
	case tHost:
		return qHost, true
	case tNet:
		return qNet, true
	case tPort:
		return qPort, true
	case tPortrange:
		return qPortrange, true
	}
	return 0, false
}

// id: ID | HID [/NUM | mask HID] | HID6 [/NUM] | EID | AID | not id |
// pnum | "(" pid ")"
func (ps *parser) id(i int) (node, int, bool) {
	return ps.memoized(mID, i, 0, func() (interface{}, int, bool) {
		t := ps.toks[min(i, len(ps.toks)-1)]
		switch ps.tok(i) {
		case tID:
			return &idName{t.text}, i + 1, true
		case tHID:
			if ps.tok(i+1) == tSlash {
				if ps.tok(i+2) != tNUM {
					return nil, 0, ps.bad(i + 2)
				}
				return &idHost{s: t.text, form: '/', masklen: ps.toks[i+2].num}, i + 3, true
			}
			if ps.tok(i+1) == tNetmask {
				if ps.tok(i+2) != tHID {
					return nil, 0, ps.bad(i + 2)
				}
				return &idHost{s: t.text, form: 'm', mask: ps.toks[i+2].text}, i + 3, true
			}
			return &idHost{s: t.text}, i + 1, true
		case tHID6:
			if ps.tok(i+1) == tSlash {
				if ps.tok(i+2) != tNUM {
					return nil, 0, ps.bad(i + 2)
				}
				return &idHost6{s: t.text, err: t.err, slash: true, masklen: ps.toks[i+2].num}, i + 3, true
			}
			return &idHost6{s: t.text, err: t.err}, i + 1, true
		case tEID:
			return &idEther{t.text, t.err}, i + 1, true
		case tAID:
			return &idArc{t.text}, i + 1, true
		case tNot:
			x, j, ok := ps.id(i + 1)
			if !ok {
				return nil, 0, false
			}
			return &idNot{x}, j, true
		case tNUM:
			return &idNum{t.num}, i + 1, true
		case tLParen:
			if x, j, ok := ps.pid(i + 1); ok {
				if ps.tok(j) == tRParen {
					return &idParen{x}, j + 1, true
				}
				ps.bad(j)
			}
			v, j, ok := ps.pnum(i)
			if !ok {
				return nil, 0, false
			}
			return &idNum{v}, j, true
		}
		return nil, 0, ps.bad(i)
	})
}

// pid: (nid | pnum) { (and|or) id }, with at least one and/or after a pnum.
func (ps *parser) pid(i int) (node, int, bool) {
	return ps.memoized(mPid, i, 0, func() (interface{}, int, bool) {
		var n node
		var j int
		switch ps.tok(i) {
		case tNUM, tLParen:
			v, k, ok := ps.pnum(i)
			if !ok {
				return nil, 0, false
			}
			if ps.tok(k) != tAnd && ps.tok(k) != tOr {
				return nil, 0, ps.bad(k)
			}
			n, j = &idNum{v}, k
		default:
			m, k, ok := ps.id(i)
			if !ok {
				return nil, 0, false
			}
			n, j = m, k
		}
		for ps.tok(j) == tAnd || ps.tok(j) == tOr {
			and := ps.tok(j) == tAnd
			m, k, ok := ps.id(j + 1)
			if !ok {
				return nil, 0, false
			}
			n, j = &idAndOr{and, n, m}, k
		}
		return n, j, true
	})
}

// pnum: NUM | "(" pnum ")"
func (ps *parser) pnum(i int) (uint32, int, bool) {
	n, j, ok := ps.memoized(mPnum, i, 0, func() (interface{}, int, bool) {
		switch ps.tok(i) {
		case tNUM:
			return ps.toks[i].num, i + 1, true
		case tLParen:
			v, j, ok := ps.pnum(i + 1)
			if !ok {
				return nil, 0, false
			}
			if ps.tok(j) != tRParen {
				return nil, 0, ps.bad(j)
			}
			return v, j + 1, true
		}
		return nil, 0, ps.bad(i)
	})
	if !ok {
		return 0, 0, false
	}
	return n.(uint32), j, true
}

// relation: arith relop arith
func (ps *parser) relation(i int) (node, int, bool) {
	a0, j, ok := ps.arith(i, 0)
	if !ok {
		return nil, 0, false
	}
	r := &relation{}
	switch ps.tok(j) {
	case tGT:
		r.jump = bpfJGT
	case tGEQ:
		r.jump = bpfJGE
	case tEQ:
		r.jump = bpfJEQ
	case tLEQ:
		r.jump, r.neg = bpfJGT, true
	case tLT:
		r.jump, r.neg = bpfJGE, true
	case tNEQ:
		r.jump, r.neg = bpfJEQ, true
	default:
		return nil, 0, ps.bad(j)
	}
	a1, k, ok := ps.arith(j+1, 0)
	if !ok {
		return nil, 0, false
	}
	r.a0, r.a1 = a0, a1
	return r, k, true
}

// Precedence of the binary arithmetic operators, as libpcap declares it;
// '%' and '^' have none, so libpcap's parser always shifts over them: the
// operand to their right runs to the end of the arithmetic expression, and
// they take as their right operand whatever follows a higher-precedence
// operator ("a + b % c + d" is "a + (b % (c + d))").
func arithPrec(k tokKind) int {
	switch k {
	case tPipe:
		return 1
	case tAmp:
		return 2
	case tLSH, tRSH:
		return 3
	case tPlus, tMinus:
		return 4
	case tStar, tSlash:
		return 5
	}
	return 0 // tPercent, tCaret
}

const precUnaryMinus = 6

func arithOp(k tokKind) (uint16, bool) {
	switch k {
	case tPlus:
		return bpfADD, true
	case tMinus:
		return bpfSUB, true
	case tStar:
		return bpfMUL, true
	case tSlash:
		return bpfDIV, true
	case tPercent:
		return bpfMOD, true
	case tAmp:
		return bpfAND, true
	case tPipe:
		return bpfOR, true
	case tCaret:
		return bpfXOR, true
	case tLSH:
		return bpfLSH, true
	case tRSH:
		return bpfRSH, true
	}
	return 0, false
}

// shifts reports whether, with "x op y" parsed, libpcap's parser reads the
// next operator next into y rather than reducing.
func shifts(op, next tokKind, unary bool) bool {
	p := precUnaryMinus
	if !unary {
		p = arithPrec(op)
	}
	q := arithPrec(next)
	if p == 0 || q == 0 {
		return true
	}
	return q > p
}

// arith parses an arithmetic expression; ctx is the operator whose right
// operand this is (ctxNone at the top, ctxUnary after a unary minus).
const (
	ctxNone  = 0xffff
	ctxUnary = 0xfffe
)

func (ps *parser) arith(i int, ctx uint16) (arith, int, bool) {
	if ctx == 0 {
		ctx = ctxNone
	}
	return ps.memoized(mArith, i, ctx, func() (interface{}, int, bool) {
		lhs, j, ok := ps.primary(i)
		if !ok {
			return nil, 0, false
		}
		for {
			next := ps.tok(j)
			op, isOp := arithOp(next)
			if !isOp {
				break
			}
			if ctx != ctxNone && !shifts(tokKind(ctx), next, ctx == ctxUnary) {
				break
			}
			rhs, k, ok := ps.arith(j+1, uint16(next))
			if !ok {
				return nil, 0, false
			}
			lhs, j = &aBin{op, lhs, rhs}, k
		}
		return lhs, j, true
	})
}

func (ps *parser) primary(i int) (arith, int, bool) {
	switch k := ps.tok(i); {
	case k == tNUM:
		return &aNum{ps.toks[i].num, ps.toks[i].repair}, i + 1, true
	case k == tLen:
		return &aLen{}, i + 1, true
	case k == tMinus:
		x, j, ok := ps.arith(i+1, ctxUnary)
		if !ok {
			return nil, 0, false
		}
		return &aNeg{x}, j, true
	case k == tLParen:
		x, j, ok := ps.arith(i+1, 0)
		if !ok {
			return nil, 0, false
		}
		if ps.tok(j) != tRParen {
			return nil, 0, ps.bad(j)
		}
		return x, j + 1, true
	case isPname(k):
		if ps.tok(i+1) != tLBrack {
			return nil, 0, ps.bad(i + 1)
		}
		idx, j, ok := ps.arith(i+2, 0)
		if !ok {
			return nil, 0, false
		}
		size := uint32(1)
		if ps.tok(j) == tColon {
			if ps.tok(j+1) != tNUM {
				return nil, 0, ps.bad(j + 1)
			}
			size = ps.toks[j+1].num
			j += 2
		}
		if ps.tok(j) != tRBrack {
			return nil, 0, ps.bad(j)
		}
		return &aLoad{pnameQual(k), idx, size}, j + 1, true
	}
	return nil, 0, ps.bad(i)
}

// castOther: [pname] broadcast | [pname] multicast
func (ps *parser) castOther(i int, proto uint8) (node, int, bool) {
	kind := oBroadcast
	if ps.tok(i) == tMulticast {
		kind = oMulticast
	}
	return &other{kind: kind, proto: proto}, i + 1, true
}

// p80211: type T [subtype S] | subtype S | dir D, after an optional pname.
// The values (numbers or names) are checked when the code is generated, in
// the order libpcap checks them.
func (ps *parser) p80211(i int, proto uint8) (node, int, bool) {
	o := &other{proto: proto}
	word := func(j int, names bool) bool {
		if k := ps.tok(j); k == tNUM || (names && k == tID) {
			o.words = append(o.words, ps.toks[j])
			return true
		}
		return ps.bad(j)
	}
	switch ps.tok(i) {
	case tType:
		o.kind = oWlanType
		if !word(i+1, true) {
			return nil, 0, false
		}
		if ps.tok(i+2) == tSubtype {
			o.kind = oWlanTypeSubtype
			if !word(i+3, true) {
				return nil, 0, false
			}
			return o, i + 4, true
		}
		return o, i + 2, true
	case tSubtype:
		o.kind = oWlanSubtype
		if ps.tok(i+1) != tID {
			return nil, 0, ps.bad(i + 1)
		}
		o.words = append(o.words, ps.toks[i+1])
		return o, i + 2, true
	default: // tDir
		o.kind = oWlanDir
		if !word(i+1, true) {
			return nil, 0, false
		}
		return o, i + 2, true
	}
}

// other parses the primitives that start with their own keyword.
func (ps *parser) other(i int) (node, int, bool) {
	optPnum := func(kind otherKind) (node, int, bool) {
		if k := ps.tok(i + 1); k == tNUM || k == tLParen {
			v, j, ok := ps.pnum(i + 1)
			if !ok {
				return nil, 0, false
			}
			return &other{kind: kind, n: v, has: true}, j, true
		}
		return &other{kind: kind}, i + 1, true
	}
	num := func(kind otherKind) (node, int, bool) {
		if ps.tok(i+1) != tNUM {
			return nil, 0, ps.bad(i + 1)
		}
		return &other{kind: kind, n: ps.toks[i+1].num, has: true}, i + 2, true
	}
	name := func(kind otherKind) (node, int, bool) {
		if ps.tok(i+1) != tID {
			return nil, 0, ps.bad(i + 1)
		}
		return &other{kind: kind, s: ps.toks[i+1].text}, i + 2, true
	}
	switch k := ps.tok(i); k {
	case tLess:
		return num(oLess)
	case tGreater:
		return num(oGreater)
	case tByte:
		if ps.tok(i+1) != tNUM {
			return nil, 0, ps.bad(i + 1)
		}
		var op byte
		switch ps.tok(i + 2) {
		case tAmp:
			op = '&'
		case tPipe:
			op = '|'
		case tLT:
			op = '<'
		case tGT:
			op = '>'
		case tEQ:
			op = '='
		default:
			return nil, 0, ps.bad(i + 2)
		}
		if ps.tok(i+3) != tNUM {
			return nil, 0, ps.bad(i + 3)
		}
		return &other{kind: oByte, n: ps.toks[i+1].num, op: op, v: ps.toks[i+3].num}, i + 4, true
	case tInbound:
		return &other{kind: oInbound}, i + 1, true
	case tOutbound:
		return &other{kind: oOutbound}, i + 1, true
	case tIfindex:
		return num(oIfindex)
	case tVLAN:
		return optPnum(oVLAN)
	case tMPLS:
		return optPnum(oMPLS)
	case tPPPoED:
		return &other{kind: oPPPoED}, i + 1, true
	case tPPPoES:
		return optPnum(oPPPoES)
	case tGeneve:
		return optPnum(oGeneve)
	case tPFIfname:
		return name(oPFIfname)
	case tPFRset:
		return name(oPFRset)
	case tPFRnr:
		return num(oPFRnr)
	case tPFSrnr:
		return num(oPFSrnr)
	case tPFReason:
		if ps.tok(i+1) == tNUM {
			return num(oPFReason)
		}
		return name(oPFReason)
	case tPFAction:
		return name(oPFAction)
	case tLLC:
		switch ps.tok(i + 1) {
		case tID:
			return &other{kind: oLLC, s: ps.toks[i+1].text, has: true}, i + 2, true
		case tPFRnr:
			return &other{kind: oLLC, s: "rnr", has: true}, i + 2, true
		}
		return &other{kind: oLLC}, i + 1, true
	case tLANE, tMetac, tBCC, tOAMF4EC, tOAMF4SC, tSC, tILMIC:
		return &other{kind: oATMType, s: ps.toks[i].text}, i + 1, true
	case tOAM, tOAMF4, tConnectMsg, tMetaConnect:
		return &other{kind: oATMMulti, s: ps.toks[i].text}, i + 1, true
	case tFISU, tLSSU, tMSU, tHFISU, tHLSSU, tHMSU:
		return &other{kind: oMTP2, s: ps.toks[i].text}, i + 1, true
	case tVPI, tVCI, tSIO, tOPC, tDPC, tSLS, tHSIO, tHOPC, tHDPC, tHSLS:
		kind := oMTP3
		if k == tVPI || k == tVCI {
			kind = oATMField
		}
		o := &other{kind: kind, s: ps.toks[i].text}
		j, ok := ps.fieldValues(i+1, o)
		if !ok {
			return nil, 0, false
		}
		return o, j, true
	}
	return nil, 0, ps.bad(i)
}

// fieldValues parses an ATM or MTP3 field's value: NUM, relop NUM, or a
// parenthesised list of NUMs joined by "or".
func (ps *parser) fieldValues(i int, o *other) (int, bool) {
	rel := map[tokKind]otherVal{
		tGT: {jump: bpfJGT}, tGEQ: {jump: bpfJGE}, tEQ: {jump: bpfJEQ},
		tLEQ: {jump: bpfJGT, neg: true}, tLT: {jump: bpfJGE, neg: true},
		tNEQ: {jump: bpfJEQ, neg: true},
	}
	switch k := ps.tok(i); {
	case k == tNUM:
		o.vals = append(o.vals, otherVal{jump: bpfJEQ, v: ps.toks[i].num})
		return i + 1, true
	case k == tLParen:
		j := i + 1
		for {
			if ps.tok(j) != tNUM {
				return 0, ps.bad(j)
			}
			o.vals = append(o.vals, otherVal{jump: bpfJEQ, v: ps.toks[j].num})
			j++
			if ps.tok(j) == tRParen {
				return j + 1, true
			}
			if ps.tok(j) != tOr {
				return 0, ps.bad(j)
			}
			j++
		}
	default:
		v, ok := rel[k]
		if !ok {
			return 0, ps.bad(i)
		}
		if ps.tok(i+1) != tNUM {
			return 0, ps.bad(i + 1)
		}
		v.v = ps.toks[i+1].num
		o.vals = append(o.vals, v)
		return i + 2, true
	}
}

// isPname reports whether k is a protocol qualifier.
func isPname(k tokKind) bool { return pnameQual(k) != qDefault }

// pnameQual maps a protocol token to its qualifier (qDefault for others).
func pnameQual(k tokKind) uint8 {
	switch k {
	case tLink:
		return qLink
	case tIP:
		return qIP
	case tARP:
		return qARP
	case tRARP:
		return qRARP
	case tSCTP:
		return qSCTP
	case tTCP:
		return qTCP
	case tUDP:
		return qUDP
	case tICMP:
		return qICMP
	case tIGMP:
		return qIGMP
	case tIGRP:
		return qIGRP
	case tPIM:
		return qPIM
	case tVRRP:
		return qVRRP
	case tCARP:
		return qCARP
	case tAtalk:
		return qAtalk
	case tAARP:
		return qAARP
	case tDECnet:
		return qDECnet
	case tLAT:
		return qLAT
	case tSCA:
		return qSCA
	case tMOPDL:
		return qMOPDL
	case tMOPRC:
		return qMOPRC
	case tIP6:
		return qIPv6
	case tICMP6:
		return qICMPv6
	case tAH:
		return qAH
	case tESP:
		return qESP
	case tISO:
		return qISO
	case tESIS:
		return qESIS
	case tISIS:
		return qISIS
	case tL1:
		return qISISL1
	case tL2:
		return qISISL2
	case tIIH:
		return qISISIIH
	case tLSP:
		return qISISLSP
	case tSNP:
		return qISISSNP
	case tPSNP:
		return qISISPSNP
	case tCSNP:
		return qISISCSNP
	case tCLNP:
		return qCLNP
	case tSTP:
		return qSTP
	case tIPX:
		return qIPX
	case tNetBEUI:
		return qNetBEUI
	case tRadio:
		return qRadio
	}
	return qDefault
}
