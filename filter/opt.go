package filter

import (
	"fmt"
	"sort"
	"strings"
)

// The optimizer removes tests whose outcome is already known where they
// are reached, and so also decides whether an expression can match at
// all. It runs the way libpcap's optimizer does in two respects that show
// outside: which expressions it refuses as rejecting every packet, and
// which loads a program still makes (a load past the captured bytes
// rejects the packet, so removing one changes what a truncated packet
// gives). It does not reproduce libpcap's code.
//
// A test is known on an edge when a test of the same value, with the same
// branch and operand, was taken on every path to that edge (the outcome is
// the same), or when an equality test of that value with another constant
// came out true (the outcome is false); or when its value is a constant.
// libpcap's optimizer works in two phases: first it moves edges past known
// tests, seeing constants only where a value was loaded as one and
// arithmetic as written; then it folds arithmetic, which can decide single
// tests but moves no more edges, so that only a first test so decided
// empties the program. decide follows the same two phases to refuse the
// same expressions; the program is then optimized fully.

// valueTable numbers the symbolic values of A and X.
type valueTable struct {
	ids    map[vkey]int
	consts map[int]uint32
	next   int
}

type vkey struct {
	op   uint16
	k    uint32
	a, b int
}

const vConst = 0xffff // vkey.op of a constant

func newValueTable() *valueTable {
	return &valueTable{ids: map[vkey]int{}, consts: map[int]uint32{}}
}

func (vt *valueTable) get(k vkey) int {
	if id, ok := vt.ids[k]; ok {
		return id
	}
	vt.next++
	vt.ids[k] = vt.next
	if k.op == vConst {
		vt.consts[vt.next] = k.k
	}
	return vt.next
}

// fresh is a value nothing else equals: a register on entry to a block.
func (vt *valueTable) fresh() int {
	vt.next++
	return vt.next
}

func (vt *valueTable) konst(v uint32) int { return vt.get(vkey{op: vConst, k: v}) }

func (vt *valueTable) isConst(id int) (uint32, bool) {
	v, ok := vt.consts[id]
	return v, ok
}

// exec runs a block's statements symbolically and returns the values of A
// and X before its branch; fold simplifies as libpcap's second phase does.
// ok is false for statements with jumps.
func (vt *valueTable) exec(stmts []ins, fold bool) (a, x int, ok bool) {
	return vt.execFrom(stmts, fold, vt.fresh(), vt.fresh())
}

// execFrom is exec with the values A and X have on entry.
func (vt *valueTable) execFrom(stmts []ins, fold bool, a, x int) (int, int, bool) {
	var mem [bpfMemWords]int
	for i := range mem {
		mem[i] = vt.fresh()
	}
	for _, s := range stmts {
		switch {
		case s.op == bpfLD|bpfIMM:
			a = vt.konst(s.k)
		case s.op == bpfLDX|bpfIMM:
			x = vt.konst(s.k)
		case bpfClass(s.op) == bpfLD && bpfMode(s.op) == bpfABS:
			a = vt.get(vkey{op: s.op, k: s.k})
		case bpfClass(s.op) == bpfLD && bpfMode(s.op) == bpfIND:
			if c, isc := vt.isConst(x); isc && fold {
				a = vt.get(vkey{op: bpfLD | bpfABS | bpfSize(s.op), k: s.k + c})
			} else {
				a = vt.get(vkey{op: s.op, k: s.k, a: x})
			}
		case s.op == bpfLD|bpfW|bpfLEN:
			a = vt.get(vkey{op: s.op})
		case s.op == bpfLDX|bpfMSH|bpfB:
			x = vt.get(vkey{op: s.op, k: s.k})
		case s.op == bpfLD|bpfMEM:
			a = mem[s.k%bpfMemWords]
		case s.op == bpfLDX|bpfMEM:
			x = mem[s.k%bpfMemWords]
		case s.op == bpfST:
			mem[s.k%bpfMemWords] = a
		case s.op == bpfSTX:
			mem[s.k%bpfMemWords] = x
		case s.op == bpfMISC|bpfTAX:
			x = a
		case s.op == bpfMISC|bpfTXA:
			a = x
		case s.op == bpfALU|bpfNEG:
			if c, isc := vt.isConst(a); isc && fold {
				a = vt.konst(-c)
			} else {
				a = vt.get(vkey{op: s.op, a: a})
			}
		case bpfClass(s.op) == bpfALU:
			a = vt.alu(s, a, x, fold)
		default:
			return 0, 0, false
		}
	}
	return a, x, true
}

func (vt *valueTable) alu(s ins, a, x int, fold bool) int {
	op := bpfOp(s.op)
	if bpfSrc(s.op) == bpfX {
		if c, isc := vt.isConst(x); isc && fold {
			s = ins{op: bpfALU | op | bpfK, k: c}
		} else {
			if ca, isca := vt.isConst(a); isca && ca == 0 && fold {
				switch op {
				case bpfADD, bpfOR, bpfXOR:
					return x
				case bpfMUL, bpfDIV, bpfMOD, bpfAND, bpfLSH, bpfRSH:
					return vt.konst(0)
				}
			}
			return vt.get(vkey{op: s.op, a: a, b: x})
		}
	}
	if fold {
		if s.k == 0 {
			switch op {
			case bpfADD, bpfLSH, bpfRSH, bpfOR, bpfXOR:
				return a
			case bpfMUL, bpfAND:
				return vt.konst(0)
			case bpfDIV, bpfMOD:
				return vt.fresh()
			}
		}
		if ca, isca := vt.isConst(a); isca && !((op == bpfLSH || op == bpfRSH) && s.k > 31) {
			return vt.konst(aluConst(op, ca, s.k))
		}
	}
	return vt.get(vkey{op: s.op, a: a, b: vt.konst(s.k)})
}

// testKey is what identifies a block's test for the threading: the value
// of A, the branch, and the constant or the value of X it compares with.
type testKey struct {
	a       string
	op      uint16
	operand string
}

// known is a test outcome holding on an edge: the outcome of an edge that
// every path to it goes through (from, taken on side).
type known struct {
	key  testKey
	out  bool
	from *block
	side int
}

// analysis says, for the threading, what each block tests.
type analysis interface {
	// key identifies the block's test; ok false for a test nothing can be
	// known about. inv is true when the fact to record is the opposite of
	// the branch taken.
	key(b *block) (key testKey, inv bool, ok bool)
	// decide returns the branch the block always takes, if it does.
	decide(b *block) (out bool, ok bool)
}

// thread moves every edge past the blocks whose outcome is known on it,
// and, with bypassEqual, past blocks whose two edges go to the same place;
// it returns the new root. It changes the graph in place.
func thread(root *block, an analysis, bypassEqual bool) *block {
	type info struct {
		key   testKey
		inv   bool
		keyed bool
		dec   bool
		decOK bool
	}
	infos := map[*block]*info{}
	infoOf := func(b *block) *info {
		if in, ok := infos[b]; ok {
			return in
		}
		in := &info{}
		in.key, in.inv, in.keyed = an.key(b)
		in.dec, in.decOK = an.decide(b)
		infos[b] = in
		return in
	}
	// settle follows b past blocks that are decided by facts, by
	// themselves, or that go to the same place either way.
	settle := func(b *block, facts []known) *block {
		for !b.leaf {
			in := infoOf(b)
			var out, ok bool
			if in.decOK {
				out, ok = in.dec, true
			} else if bypassEqual && b.succ[0] == b.succ[1] {
				out, ok = true, true
			} else if in.keyed {
				out, ok = lookup(facts, in.key)
				if ok && in.inv {
					out = !out
				}
			}
			if !ok {
				return b
			}
			b = b.succ[b2i(out)]
		}
		return b
	}
	for {
		root = settle(root, nil)
		order := reachable(root)
		// The facts on every edge, from the graph as it is at the start
		// of the pass: libpcap computes its edge dominators once a pass,
		// and moving one edge does not take facts away from another in
		// the same pass.
		in := map[*block][]known{}
		seen := map[*block]bool{root: true}
		edgeFacts := func(b *block, out int) []known {
			inf := infoOf(b)
			if !inf.keyed {
				return in[b]
			}
			o := out == 1
			if inf.inv {
				o = !o
			}
			return append(append([]known(nil), in[b]...), known{inf.key, o, b, out})
		}
		for _, b := range order {
			if b.leaf {
				continue
			}
			for out := 0; out < 2; out++ {
				succ := b.succ[out]
				if succ.leaf {
					continue
				}
				edge := edgeFacts(b, out)
				if !seen[succ] {
					seen[succ] = true
					in[succ] = edge
				} else {
					in[succ] = intersect(in[succ], edge)
				}
			}
		}
		changed := false
		for _, b := range order {
			if b.leaf {
				continue
			}
			for out := 0; out < 2; out++ {
				succ := b.succ[out]
				if s := settle(succ, edgeFacts(b, out)); s != succ {
					b.succ[out], changed = s, true
				}
			}
		}
		if !changed {
			return root
		}
	}
}

func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}

// lookup decides a test from the facts on an edge: the same test taken
// before, or an equality with a different constant found true.
func lookup(facts []known, key testKey) (bool, bool) {
	for _, f := range facts {
		if f.key == key {
			return f.out, true
		}
	}
	if key.op == bpfJMP|bpfJEQ|bpfK {
		for _, f := range facts {
			if f.out && f.key.a == key.a && f.key.op == key.op {
				return false, true
			}
		}
	}
	return false, false
}

// intersect keeps the facts of a that are in b: the edges both lists have,
// as libpcap's edge dominators (two edges with the same outcome are not
// the same fact).
func intersect(a, b []known) []known {
	var out []known
	for _, f := range a {
		for _, g := range b {
			if f.from == g.from && f.side == g.side {
				out = append(out, f)
				break
			}
		}
	}
	return out
}

// symAnalysis keys tests by the symbolic values of their registers.
type symAnalysis struct {
	vt   *valueTable
	fold bool
	// phase1 keys comparisons as written (relKey) rather than by value.
	phase1 bool
	memo   map[*block]symResult
}

type symResult struct {
	key   testKey
	inv   bool
	keyed bool
	dec   bool
	decOK bool
}

func newSymAnalysis(fold, phase1 bool) *symAnalysis {
	return &symAnalysis{vt: newValueTable(), fold: fold, phase1: phase1, memo: map[*block]symResult{}}
}

func (sa *symAnalysis) key(b *block) (testKey, bool, bool) {
	r := sa.analyse(b)
	return r.key, r.inv, r.keyed
}

func (sa *symAnalysis) decide(b *block) (bool, bool) {
	r := sa.analyse(b)
	return r.dec, r.decOK
}

func (sa *symAnalysis) analyse(b *block) symResult {
	if r, ok := sa.memo[b]; ok {
		return r
	}
	r := sa.compute(b)
	sa.memo[b] = r
	return r
}

func (sa *symAnalysis) compute(b *block) symResult {
	var r symResult
	if b.t != nil && b.t.opaque {
		return r
	}
	if sa.phase1 && b.t != nil && b.t.rel != nil {
		// As written: the comparison's truth, whatever branch it became.
		rel, cmp := b.t.rel, b.t.cmp
		r.inv = b.t.inv
		if rel.lit {
			r.dec, r.decOK = compareConst(cmp.jump, cmp.a0.v, cmp.a1.v) != b.t.inv, true
			return r
		}
		src := bpfK
		if rel.a1[0] != '#' {
			src = bpfX
		}
		r.key = testKey{a: "R" + rel.a0, op: bpfJMP | cmp.jump | uint16(src), operand: rel.a1}
		r.keyed = true
		return r
	}
	a, x, ok := sa.vt.exec(b.stmts, sa.fold)
	if !ok {
		return r
	}
	op, k := b.op, b.k
	if bpfSrc(op) == bpfX {
		if c, isc := sa.vt.isConst(x); isc {
			op, k = op&^bpfX, c
		}
	}
	if bpfSrc(op) == bpfK {
		if op == bpfJMP|bpfJSET|bpfK && (k == 0 || (k == 0xffffffff && sa.fold)) {
			// libpcap decides these as never and (wrongly, for A = 0)
			// always.
			r.dec, r.decOK = k != 0, true
			return r
		}
		if c, isc := sa.vt.isConst(a); isc {
			r.dec, r.decOK = compareConst(bpfOp(op), c, k), true
			return r
		}
		r.key = testKey{a: itoa(a), op: op, operand: "#" + itoa(int(k))}
	} else {
		r.key = testKey{a: itoa(a), op: op, operand: itoa(x)}
	}
	r.keyed = true
	return r
}

func itoa(v int) string {
	var b [20]byte
	i := len(b)
	u := uint64(v)
	if v < 0 {
		u = uint64(-v)
	}
	for {
		i--
		b[i] = byte('0' + u%10)
		u /= 10
		if u == 0 {
			break
		}
	}
	if v < 0 {
		i--
		b[i] = '-'
	}
	return string(b[i:])
}

// compareConst is a branch on constants.
func compareConst(jump uint16, a, k uint32) bool {
	switch jump {
	case bpfJEQ:
		return a == k
	case bpfJGT:
		return a > k
	case bpfJGE:
		return a >= k
	default: // bpfJSET
		return a&k != 0
	}
}

// decideFolded is libpcap's second phase: each block whose branch its
// folding decides now goes to that branch on both edges, and the root
// moves past such blocks. It returns the new root.
func decideFolded(root *block) *block {
	sa := newSymAnalysis(true, false)
	for _, b := range reachable(root) {
		if b.leaf {
			continue
		}
		if out, ok := sa.decide(b); ok {
			b.succ[0], b.succ[1] = b.succ[b2i(out)], b.succ[b2i(out)]
		}
	}
	for !root.leaf && root.succ[0] == root.succ[1] {
		root = root.succ[0]
	}
	return root
}

// optimize returns the root of the optimized graph of root, and whether
// the expression rejects every packet as libpcap's optimizer sees it, or
// the error folding constants met.
func optimize(root *block) (*block, bool, error) {
	for _, b := range reachable(root) {
		if b.t != nil && b.t.opaque {
			// A block reads registers its predecessors set: keep the
			// program as it is.
			return root, false, nil
		}
	}
	first := root
	p1 := newSymAnalysis(false, true)
	for pass := 0; pass < maxPasses; pass++ {
		root = thread(root, p1, true)
		if !pullUp(root, p1) {
			break
		}
	}
	for _, b := range reachable(root) {
		if b.t != nil && b.t.foldErr != nil {
			return nil, false, b.t.foldErr
		}
	}
	root = decideFolded(root)
	// libpcap never removes its first block: when it always goes to the
	// same place it jumps past it, but keeps its statements (its loads: a
	// packet too short for them is still rejected).
	keep := root != first && !first.leaf
	rejectsAll := root.leaf && !root.ok
	// The last pass moves no edge past a block for having its two edges
	// go to the same place, which libpcap does only before it folds
	// constants: such a block, still in libpcap's program, makes its
	// loads.
	root = thread(root, newSymAnalysis(true, false), false)
	if keep && !root.leaf {
		nb := *root
		nb.stmts = append(append([]ins(nil), first.stmts...), root.stmts...)
		nb.t = &test{stmts: nb.stmts, op: root.op, k: root.k}
		root = &nb
	}
	dropReloads(root)
	return intern(root), rejectsAll, nil
}

// intern merges blocks with the same statements, branch and successors,
// as libpcap does last: the same code on every path, so nothing changes
// but the program's length.
func intern(root *block) *block {
	order := reachable(root)
	canon := map[*block]*block{}
	byKey := map[string]*block{}
	var key strings.Builder
	for i := len(order) - 1; i >= 0; i-- {
		b := order[i]
		if b.leaf {
			canon[b] = b
			continue
		}
		b.succ[0], b.succ[1] = canon[b.succ[0]], canon[b.succ[1]]
		key.Reset()
		fmt.Fprintf(&key, "%p %p %d %d", b.succ[0], b.succ[1], b.op, b.k)
		for _, s := range b.stmts {
			fmt.Fprintf(&key, " %d.%d.%d.%d", s.op, s.jt, s.jf, s.k)
		}
		if c, ok := byKey[key.String()]; ok {
			canon[b] = c
		} else {
			byKey[key.String()] = b
			canon[b] = b
		}
	}
	return canon[root]
}

// dropReloads removes from the start of each block the loads of a value A
// or X already holds on every path into it, as libpcap's optimizer does:
// "ldh [12]" once for a chain of tests of the type field. The bytes were
// read on every path already, so a short packet is rejected as before.
func dropReloads(root *block) {
	vt := newValueTable()
	type regs struct{ a, x int }
	entry := map[*block]*regs{}
	merge := func(b *block, r regs) {
		if e, ok := entry[b]; !ok {
			entry[b] = &r
		} else {
			if e.a != r.a {
				e.a = vt.fresh()
			}
			if e.x != r.x {
				e.x = vt.fresh()
			}
		}
	}
	for _, b := range reachable(root) {
		if b.leaf {
			continue
		}
		in, ok := entry[b]
		if !ok {
			in = &regs{vt.fresh(), vt.fresh()}
		}
		a, x := in.a, in.x
		for len(b.stmts) > 0 {
			s := b.stmts[0]
			isLoadA := bpfClass(s.op) == bpfLD && (bpfMode(s.op) == bpfABS || bpfMode(s.op) == bpfIND || bpfMode(s.op) == bpfLEN)
			isLoadX := s.op == bpfLDX|bpfMSH|bpfB
			if !isLoadA && !isLoadX {
				break
			}
			na, nx, _ := vt.execFrom(b.stmts[:1], true, a, x)
			if (isLoadA && na != a) || (isLoadX && nx != x) {
				break
			}
			b.stmts = b.stmts[1:]
		}
		na, nx, ok := vt.execFrom(b.stmts, true, a, x)
		if !ok {
			na, nx = vt.fresh(), vt.fresh()
		}
		for _, s := range b.succ {
			if !s.leaf {
				merge(s, regs{na, nx})
			}
		}
	}
}

// maxPasses bounds the optimizer's passes, as libpcap's loop detection
// does.
const maxPasses = 100

// pullUp is libpcap's or_pullup and and_pullup, which matter beyond speed:
// in a chain of alternatives that all go to the same place on success (an
// "or" chain; "and" chains likewise on failure), a test of the value the
// chain's predecessors left in A is moved up, before the tests of other
// values. Such a test needs no load of its own, and moving it changes what
// a packet too short for the other tests gives. A test moves only within
// the part of the graph its chain's head dominates. It reports whether the
// graph changed.
func pullUp(root *block, sa *symAnalysis) bool {
	order := reachable(root)
	idx := map[*block]int{}
	for i, b := range order {
		idx[b] = i
	}
	// Dominators, as bit sets over the topological order. A block made
	// reachable by a pull-up in this pass has none: it is not moved again
	// before the next pass.
	words := (len(order) + 63) / 64
	dom := make([][]uint64, len(order))
	preds := make([][]edgeRef, len(order))
	for _, b := range order {
		if b.leaf {
			continue
		}
		for side := 0; side < 2; side++ {
			s := b.succ[side]
			preds[idx[s]] = append(preds[idx[s]], edgeRef{b, side})
		}
	}
	for i := range order {
		d := make([]uint64, words)
		if len(preds[i]) == 0 {
			d[i/64] |= 1 << (i % 64)
			dom[i] = d
			continue
		}
		for w := range d {
			d[w] = ^uint64(0)
		}
		for _, p := range preds[i] {
			pd := dom[idx[p.b]]
			for w := range d {
				d[w] &= pd[w]
			}
		}
		d[i/64] |= 1 << (i % 64)
		dom[i] = d
	}
	dominates := func(a, b *block) bool {
		i, ok1 := idx[a]
		j, ok2 := idx[b]
		return ok1 && ok2 && dom[j][i/64]&(1<<(i%64)) != 0
	}
	aval := func(b *block) (string, bool) {
		if b.leaf {
			return "", false
		}
		r := sa.analyse(b)
		if !r.keyed {
			return "", false
		}
		return r.key.a, true
	}
	// Lowest blocks first, as libpcap goes through its levels.
	height := map[*block]int{}
	for i := len(order) - 1; i >= 0; i-- {
		b := order[i]
		if b.leaf {
			continue
		}
		height[b] = 1 + max(height[b.succ[0]], height[b.succ[1]])
	}
	byLevel := append([]*block(nil), order...)
	sort.SliceStable(byLevel, func(i, j int) bool { return height[byLevel[i]] < height[byLevel[j]] })
	// One pass over every block with the dominators and predecessors of
	// the pass's start, as libpcap makes it.
	changed := false
	for _, b := range byLevel {
		if b.leaf || len(preds[idx[b]]) == 0 {
			continue
		}
		for _, side := range []int{0, 1} { // or, then and
			if pullChain(b, side, preds[idx[b]], aval, dominates) {
				changed = true
			}
		}
	}
	return changed
}

// edgeRef is the edge leaving b on side (0 false, 1 true).
type edgeRef struct {
	b    *block
	side int
}

func (e edgeRef) get() *block  { return e.b.succ[e.side] }
func (e edgeRef) set(t *block) { e.b.succ[e.side] = t }

// pullChain pulls up along the chain of b that continues on side chain (0:
// the false edges of an "or" chain, whose true edges all go where b's
// does; 1: an "and" chain).
func pullChain(b *block, chain int, preds []edgeRef, aval func(*block) (string, bool), dominates func(a, b *block) bool) bool {
	common := 1 - chain
	val, ok := aval(preds[0].b)
	if !ok {
		return false
	}
	for _, p := range preds[1:] {
		if v, ok := aval(p.b); !ok || v != val {
			return false
		}
	}
	diffp := preds[0]
	atTop := true
	for {
		d := diffp.get()
		if d.leaf || d.succ[common] != b.succ[common] || !dominates(b, d) {
			return false
		}
		if v, ok := aval(d); !ok || v != val {
			break
		}
		diffp, atTop = edgeRef{d, chain}, false
	}
	samep := edgeRef{diffp.get(), chain}
	for {
		s := samep.get()
		if s.leaf || s.succ[common] != b.succ[common] || !dominates(b, s) {
			return false
		}
		if v, ok := aval(s); ok && v == val {
			break
		}
		samep = edgeRef{s, chain}
	}
	pull := samep.get()
	samep.set(pull.succ[chain])
	pull.succ[chain] = diffp.get()
	if atTop {
		for _, p := range preds {
			if p.get() == b {
				p.set(pull)
			}
		}
	} else {
		diffp.set(pull)
	}
	return true
}
