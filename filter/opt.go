package filter

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
	a, x = vt.fresh(), vt.fresh()
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

// known is a test outcome holding on an edge.
type known struct {
	key testKey
	out bool
	k   uint32
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
// and returns the new root. It changes the graph in place.
func thread(root *block, an analysis) *block {
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
			} else if b.succ[0] == b.succ[1] {
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
		in := map[*block][]known{}
		seen := map[*block]bool{root: true}
		changed := false
		for _, b := range order {
			if b.leaf {
				continue
			}
			facts := in[b]
			inf := infoOf(b)
			for out := 0; out < 2; out++ {
				edge := facts
				if inf.keyed {
					o := out == 1
					if inf.inv {
						o = !o
					}
					edge = append(append([]known(nil), facts...), known{inf.key, o, b.k})
				}
				succ := b.succ[out]
				if s := settle(succ, edge); s != succ {
					b.succ[out], succ, changed = s, s, true
				}
				if succ.leaf {
					continue
				}
				if !seen[succ] {
					seen[succ] = true
					in[succ] = edge
				} else {
					in[succ] = intersect(in[succ], edge)
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

// intersect keeps the facts of a that are in b.
func intersect(a, b []known) []known {
	var out []known
	for _, f := range a {
		for _, g := range b {
			if f == g {
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
// the expression rejects every packet as libpcap's optimizer sees it.
func optimize(root *block) (*block, bool) {
	for _, b := range reachable(root) {
		if b.t != nil && b.t.opaque {
			// A block reads registers its predecessors set: keep the
			// program as it is.
			return root, false
		}
	}
	root = thread(root, newSymAnalysis(false, true))
	root = decideFolded(root)
	rejectsAll := root.leaf && !root.ok
	return thread(root, newSymAnalysis(true, false)), rejectsAll
}
