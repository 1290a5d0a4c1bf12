package filter

import (
	"fmt"
	"strconv"
)

// Arithmetic: "ip[6:2] & 0x1fff = 0", "tcp[tcpflags] & tcp-syn != 0",
// "len - 14 > 100". libpcap computes every value into a scratch register
// and leaves it to its optimizer to tidy; here the value tree is kept and
// compiled straight into A and X, spilling only a right operand that is
// itself computed. The registers libpcap would have used are still counted,
// so that an expression too deep for it is too deep here.

// aexp is a generated arithmetic value.
type aexp struct {
	kind   aexpKind
	v      uint32 // aConst
	op     uint16 // aBinOp
	l, r   *aexp  // aBinOp (l, r), aNegOp and aLoadOp (l: the index)
	size   uint16 // aLoadOp: bpfB, bpfH or bpfW
	load   loadAddr
	lit    bool   // a literal number (possibly in parentheses)
	checks *bexpr // protocol tests that must hold before the value is read
	reg    int    // the register libpcap would hold it in
	src    string // the expression as written, for the optimizer's keys
}

type aexpKind uint8

const (
	aConst aexpKind = iota
	aLenOp
	aLoadOp
	aBinOp
	aNegOp
)

// loadAddr is where a load reads, fixed when it is generated.
type loadAddr struct {
	trans  bool   // after an IPv4 header, whose length is added to the index
	varReg int    // register holding a variable part of the base, or -1
	k      uint32 // constant part of the base
	nl     uint32 // trans: offset of the IPv4 header from the packet start
}

// genArith generates an arithmetic node, children first, as libpcap's
// parser does.
func (c *compiler) genArith(a arith) *aexp {
	switch a := a.(type) {
	case *aNum:
		return &aexp{kind: aConst, v: a.v, lit: true, reg: c.allocReg(), src: strconv.FormatUint(uint64(a.v), 10)}
	case *aLen:
		return &aexp{kind: aLenOp, reg: c.allocReg(), src: "len"}
	case *aLoad:
		idx := c.genArith(a.idx)
		if hasRepair(a.idx) {
			// libpcap's parser had not reduced this load yet.
			return idx
		}
		return c.genLoad(a.proto, idx, a.size)
	case *aBin:
		l := c.genArith(a.l)
		r := c.genArith(a.r)
		if hasRepair(a.r) {
			// Nor this operation, waiting for its right operand.
			return l
		}
		return c.genBin(a.op, l, r)
	case *aNeg:
		x := c.genArith(a.x)
		return &aexp{kind: aNegOp, l: x, reg: x.reg, checks: x.checks, src: "-(" + x.src + ")"}
	}
	panic("filter: unknown arithmetic node")
}

// hasRepair reports whether a holds a number syntaxFailure added: its
// operations were still on libpcap's parser stack at the syntax error.
func hasRepair(a arith) bool {
	switch a := a.(type) {
	case *aNum:
		return a.repair
	case *aLoad:
		return hasRepair(a.idx)
	case *aBin:
		return hasRepair(a.r)
	case *aNeg:
		return hasRepair(a.x)
	}
	return false
}

// firstLeaf is the first statement libpcap emits for a value: its leftmost
// leaf. libpcap refuses a division whose divisor starts with a literal 0
// and a shift whose count starts with a literal over 31.
func firstLeaf(a *aexp) *aexp {
	for a.kind != aConst && a.kind != aLenOp {
		a = a.l
	}
	return a
}

func (c *compiler) genBin(op uint16, l, r *aexp) *aexp {
	if f := firstLeaf(r); f.kind == aConst {
		switch {
		case op == bpfDIV && f.v == 0:
			fail("division by zero")
		case op == bpfMOD && f.v == 0:
			fail("modulus by zero")
		case (op == bpfLSH || op == bpfRSH) && f.v > 31:
			fail("shift by more than 31 bits")
		}
	}
	c.freeReg(l.reg)
	c.freeReg(r.reg)
	e := &aexp{kind: aBinOp, op: op, l: l, r: r, reg: c.allocReg(),
		src: "(" + l.src + aluName[op] + r.src + ")"}
	// libpcap keeps the protocol tests of the left operand only: those
	// of the right one are lost ("70 + ip6[0] = len" does not test for
	// IPv6), and so they are here.
	e.checks = l.checks
	return e
}

var aluName = map[uint16]string{bpfADD: "+", bpfSUB: "-", bpfMUL: "*", bpfDIV: "/",
	bpfMOD: "%", bpfAND: "&", bpfOR: "|", bpfXOR: "^", bpfLSH: "<<", bpfRSH: ">>"}

func andChecks(a, b *bexpr) *bexpr {
	switch {
	case a == nil:
		return b
	case b == nil:
		return a
	}
	return and(a, b)
}

// genLoad is proto[idx:size] (libpcap's gen_load).
func (c *compiler) genLoad(proto uint8, idx *aexp, size uint32) *aexp {
	reg := c.allocReg()
	c.freeReg(idx.reg)
	e := &aexp{kind: aLoadOp, l: idx, reg: reg, checks: idx.checks}
	switch size {
	case 1:
		e.size = bpfB
	case 2:
		e.size = bpfH
	case 4:
		e.size = bpfW
	default:
		fail("data size must be 1, 2, or 4")
	}
	defer func() {
		e.src = fmt.Sprintf("%d.%d.%d.%t[%s:%d]", proto, e.load.k, e.load.varReg, e.load.trans, idx.src, size)
	}()
	switch proto {
	case qRadio:
		fail("radio information not present in capture")
	case qLink:
		e.load = c.addrOf(&c.offLinkHdr, c.offLinkHdr.c)
	case qIP, qARP, qRARP, qAtalk, qDECnet, qSCA, qLAT, qMOPRC, qMOPDL, qIPv6:
		e.load = c.addrOf(&c.offLinkPL, c.offLinkPL.c+c.offNL)
		e.checks = andChecks(e.checks, c.protoAbbrev(proto))
	case qSCTP, qTCP, qUDP, qICMP, qIGMP, qIGRP, qPIM, qVRRP, qCARP:
		e.load = c.addrOf(&c.offLinkPL, c.offLinkPL.c+c.offNL)
		e.load.trans = true
		e.load.nl = c.offLinkPL.c + c.offNL
		b := and(c.protoAbbrev(proto), c.ipFrag())
		b = andChecks(e.checks, b)
		e.checks = and(c.protoAbbrev(qIP), b)
	case qICMPv6:
		b := andChecks(e.checks, c.protoAbbrev(qIPv6))
		e.checks = and(b, c.cmp(orLinkPL, 6, bpfB, ipprotoICMPv6))
		e.load = c.addrOf(&c.offLinkPL, c.offLinkPL.c+c.offNL+40)
	default:
		fail("unsupported index operation")
	}
	return e
}

func (c *compiler) addrOf(base *absOff, k uint32) loadAddr {
	a := loadAddr{varReg: -1, k: k}
	if base.variable {
		c.varPart(base)
		a.varReg = base.reg
	}
	return a
}

// genRelation is "a0 op a1" (neg: the sense reversed). The comparison
// runs after the protocol tests of both sides. Its statements are made by
// finishCompare once the whole expression is generated, when it is known
// whether the optimizer runs (protochain and geneve turn it off), since
// constants are folded only if it does.
func (c *compiler) genRelation(jump uint16, neg bool, a0, a1 *aexp) *bexpr {
	c.freeReg(a0.reg)
	c.freeReg(a1.reg)
	key := &relKey{a0: a0.src + jumpName[jump], a1: a1.src, lit: a0.lit && a1.lit}
	if a1.lit {
		key.a1 = "#" + strconv.FormatUint(uint64(a1.v), 10)
	}
	b := &bexpr{kind: bTest, t: &test{rel: key, cmp: &cmpSpec{jump, a0, a1}}}
	if neg {
		b = not(b)
	}
	return andChecks(andChecks(a0.checks, a1.checks), b)
}

// cmpSpec is a comparison waiting for finishCompare.
type cmpSpec struct {
	jump   uint16
	a0, a1 *aexp
}

// finishCompare makes the statements of a comparison test.
func (c *compiler) finishCompare(t *test) {
	a0, a1, jump := t.cmp.a0, t.cmp.a1, t.cmp.jump
	if c.noOptimize || c.opts.NoOptimize {
		// Unoptimized, libpcap's code is what its code generator
		// wrote, every value in a scratch register; programs that read
		// registers another block set (geneve's offsets) see the same
		// values only if this code writes the same ones.
		s := append(c.emitScratch(a0), c.emitScratch(a1)...)
		s = append(s, stmt(bpfLDX|bpfMEM, uint32(a1.reg)), stmt(bpfLD|bpfMEM, uint32(a0.reg)))
		if jump == bpfJEQ {
			t.stmts, t.op, t.k = append(s, stmt(bpfALU|bpfSUB|bpfX, 0)), bpfJMP|bpfJEQ|bpfK, 0
		} else {
			t.stmts, t.op = s, bpfJMP|jump|bpfX
		}
		return
	}
	// Folding can fail (a constant division by zero); libpcap's optimizer
	// fails only on blocks it still has after moving edges, so the error
	// waits in the test until the optimizer finds the block reachable.
	if f0, f1, err := c.foldBoth(a0, a1); err != nil {
		t.foldErr = err
	} else {
		a0, a1 = f0, f1
	}
	var sc scratch
	if a1.kind == aConst {
		s := c.emit(a0, &sc)
		k := a1.v
		t.op = bpfJMP | jump | bpfK
		if jump == bpfJEQ && len(s) > 0 {
			last := s[len(s)-1]
			switch {
			case last.op == bpfALU|bpfAND|bpfK && k == 0:
				// "x & m = 0" is "not x & m", as libpcap's optimizer
				// rewrites it.
				s, t.op, k, t.inv = s[:len(s)-1], bpfJMP|bpfJSET|bpfK, last.k, true
			case last.op == bpfALU|bpfSUB|bpfK:
				// "x - a = b" is "x = a + b".
				s, k = s[:len(s)-1], k+last.k
			}
		}
		t.stmts, t.k = s, k
		return
	}
	// The right side goes to X. It is computed first and kept in X if
	// computing the left side leaves X alone, else in a scratch word.
	s := c.emit(a1, &sc)
	if usesX(a0) {
		m := sc.get(c)
		s = append(s, stmt(bpfST, uint32(m)))
		s = append(s, c.emit(a0, &sc)...)
		s = append(s, stmt(bpfLDX|bpfMEM, uint32(m)))
	} else {
		s = append(s, stmt(bpfMISC|bpfTAX, 0))
		s = append(s, c.emit(a0, &sc)...)
	}
	t.stmts, t.op = s, bpfJMP|jump|bpfX
}

// foldBoth folds both sides of a comparison, returning the error folding
// met instead of failing.
func (c *compiler) foldBoth(a0, a1 *aexp) (f0, f1 *aexp, err *Error) {
	defer func() {
		if r := recover(); r != nil {
			ge, ok := r.(genError)
			if !ok {
				panic(r)
			}
			err = ge.err
		}
	}()
	return c.fold(a0), c.fold(a1), nil
}

// fold simplifies a value as libpcap's optimizer does: operations on
// constants are computed, x&0 and x*0 become 0, x op 0 becomes x for
// + - | ^ << >>, and 0 op x becomes x for + | ^ and 0 for * / % & << >>.
// Dividing by a constant 0 is an error.
func (c *compiler) fold(a *aexp) *aexp {
	switch a.kind {
	case aLoadOp:
		l := c.fold(a.l)
		if l == a.l {
			return a
		}
		n := *a
		n.l = l
		return &n
	case aNegOp:
		x := c.fold(a.l)
		if x.kind == aConst {
			return &aexp{kind: aConst, v: -x.v}
		}
		n := *a
		n.l = x
		return &n
	case aBinOp:
		l, r := c.fold(a.l), c.fold(a.r)
		if r.kind == aConst {
			if l.kind == aConst {
				return &aexp{kind: aConst, v: aluConst(a.op, l.v, r.v)}
			}
			if r.v == 0 {
				switch a.op {
				case bpfADD, bpfSUB, bpfLSH, bpfRSH, bpfOR, bpfXOR:
					return l
				case bpfMUL, bpfAND:
					return &aexp{kind: aConst}
				case bpfDIV:
					fail("division by zero")
				case bpfMOD:
					fail("modulus by zero")
				}
			}
			if (a.op == bpfLSH || a.op == bpfRSH) && r.v > 31 {
				fail("shift by more than 31 bits")
			}
		} else if l.kind == aConst && l.v == 0 {
			switch a.op {
			case bpfADD, bpfOR, bpfXOR:
				return r
			case bpfMUL, bpfDIV, bpfMOD, bpfAND, bpfLSH, bpfRSH:
				return &aexp{kind: aConst}
			}
		}
		if l == a.l && r == a.r {
			return a
		}
		n := *a
		n.l, n.r = l, r
		return &n
	}
	return a
}

// aluConst computes a constant operation as libpcap's optimizer does.
func aluConst(op uint16, a, b uint32) uint32 {
	switch op {
	case bpfADD:
		return a + b
	case bpfSUB:
		return a - b
	case bpfMUL:
		return a * b
	case bpfDIV:
		if b == 0 {
			fail("division by zero")
		}
		return a / b
	case bpfMOD:
		if b == 0 {
			fail("modulus by zero")
		}
		return a % b
	case bpfAND:
		return a & b
	case bpfOR:
		return a | b
	case bpfXOR:
		return a ^ b
	case bpfLSH:
		if b < 32 {
			return a << b
		}
		return 0
	default: // bpfRSH
		if b < 32 {
			return a >> b
		}
		return 0
	}
}

// usesX reports whether computing a changes X.
func usesX(a *aexp) bool {
	switch a.kind {
	case aLoadOp:
		return a.load.trans || a.load.varReg >= 0 || a.l.kind != aConst || usesX(a.l)
	case aBinOp:
		return a.r.kind != aConst || usesX(a.l)
	case aNegOp:
		return usesX(a.l)
	}
	return false
}

// scratch hands out scratch words for one comparison's spills, avoiding
// the registers that hold offsets.
type scratch struct{ used [bpfMemWords]bool }

func (sc *scratch) get(c *compiler) int {
	for i := range sc.used {
		if sc.used[i] || c.regHoldsOffset(i) {
			continue
		}
		sc.used[i] = true
		return i
	}
	fail("too many registers needed to evaluate expression")
	return 0
}

func (c *compiler) regHoldsOffset(r int) bool {
	for _, o := range []absOff{c.offLinkHdr, c.offPrevLinkHdr, c.offOutermostLinkHdr, c.offLinkPL, c.offLinkType} {
		if o.variable && o.reg == r {
			return true
		}
	}
	return false
}

// emit returns the statements that leave a in A.
func (c *compiler) emit(a *aexp, sc *scratch) []ins {
	switch a.kind {
	case aConst:
		return []ins{stmt(bpfLD|bpfIMM, a.v)}
	case aLenOp:
		return []ins{stmt(bpfLD|bpfW|bpfLEN, 0)}
	case aNegOp:
		return append(c.emit(a.l, sc), stmt(bpfALU|bpfNEG, 0))
	case aBinOp:
		if a.r.kind == aConst {
			return append(c.emit(a.l, sc), stmt(bpfALU|a.op|bpfK, a.r.v))
		}
		s := c.emit(a.r, sc)
		if !usesX(a.l) {
			s = append(s, stmt(bpfMISC|bpfTAX, 0))
			s = append(s, c.emit(a.l, sc)...)
			return append(s, stmt(bpfALU|a.op|bpfX, 0))
		}
		m := sc.get(c)
		s = append(s, stmt(bpfST, uint32(m)))
		s = append(s, c.emit(a.l, sc)...)
		s = append(s, stmt(bpfLDX|bpfMEM, uint32(m)))
		return append(s, stmt(bpfALU|a.op|bpfX, 0))
	}
	// A load.
	ld := a.load
	if a.l.kind == aConst {
		off := ld.k + a.l.v
		switch {
		case ld.trans && ld.varReg < 0:
			return []ins{stmt(bpfLDX|bpfMSH|bpfB, ld.nl), stmt(bpfLD|bpfIND|a.size, off)}
		case ld.trans:
			return append(c.ipHdrLenVar(ld), stmt(bpfLD|bpfIND|a.size, off))
		case ld.varReg >= 0:
			return []ins{stmt(bpfLDX|bpfMEM, uint32(ld.varReg)), stmt(bpfLD|bpfIND|a.size, off)}
		}
		return []ins{stmt(bpfLD|bpfABS|a.size, off)}
	}
	s := c.emit(a.l, sc)
	switch {
	case ld.trans && ld.varReg < 0:
		s = append(s, stmt(bpfLDX|bpfMSH|bpfB, ld.nl), stmt(bpfALU|bpfADD|bpfX, 0))
	case ld.trans:
		m := sc.get(c)
		s = append(s, stmt(bpfST, uint32(m)))
		s = append(s, c.ipHdrLenVar(ld)...)
		s = append(s, stmt(bpfLD|bpfMEM, uint32(m)), stmt(bpfALU|bpfADD|bpfX, 0))
	case ld.varReg >= 0:
		s = append(s, stmt(bpfLDX|bpfMEM, uint32(ld.varReg)), stmt(bpfALU|bpfADD|bpfX, 0))
	}
	return append(s, stmt(bpfMISC|bpfTAX, 0), stmt(bpfLD|bpfIND|a.size, ld.k))
}

// emitScratch is libpcap's code for a value: it leaves it in scratch
// register a.reg, where libpcap's code generator put it.
func (c *compiler) emitScratch(a *aexp) []ins {
	st := stmt(bpfST, uint32(a.reg))
	switch a.kind {
	case aConst:
		return []ins{stmt(bpfLD|bpfIMM, a.v), st}
	case aLenOp:
		return []ins{stmt(bpfLD|bpfW|bpfLEN, 0), st}
	case aNegOp:
		s := c.emitScratch(a.l)
		return append(s, stmt(bpfLD|bpfMEM, uint32(a.l.reg)), stmt(bpfALU|bpfNEG, 0), st)
	case aBinOp:
		s := append(c.emitScratch(a.l), c.emitScratch(a.r)...)
		return append(s, stmt(bpfLDX|bpfMEM, uint32(a.r.reg)), stmt(bpfLD|bpfMEM, uint32(a.l.reg)),
			stmt(bpfALU|a.op|bpfX, 0), st)
	}
	s := c.emitScratch(a.l)
	ld := a.load
	switch {
	case ld.trans && ld.varReg < 0:
		s = append(s, stmt(bpfLDX|bpfMSH|bpfB, ld.nl))
	case ld.trans:
		s = append(s, c.ipHdrLenVar(ld)...)
	case ld.varReg >= 0:
		s = append(s, stmt(bpfLDX|bpfMEM, uint32(ld.varReg)))
	}
	if ld.trans || ld.varReg >= 0 {
		s = append(s, stmt(bpfLD|bpfMEM, uint32(a.l.reg)), stmt(bpfALU|bpfADD|bpfX, 0), stmt(bpfMISC|bpfTAX, 0))
	} else {
		s = append(s, stmt(bpfLDX|bpfMEM, uint32(a.l.reg)))
	}
	return append(s, stmt(bpfLD|bpfIND|a.size, ld.k), st)
}

// ipHdrLenVar puts in X the IPv4 header length plus a variable base.
func (c *compiler) ipHdrLenVar(ld loadAddr) []ins {
	return []ins{
		stmt(bpfLDX|bpfMEM, uint32(ld.varReg)),
		stmt(bpfLD|bpfIND|bpfB, ld.nl),
		stmt(bpfALU|bpfAND|bpfK, 0xf),
		stmt(bpfALU|bpfLSH|bpfK, 2),
		stmt(bpfALU|bpfADD|bpfX, 0),
		stmt(bpfMISC|bpfTAX, 0),
	}
}
