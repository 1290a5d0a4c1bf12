package filter

// The boolean expression becomes a graph of blocks: each test a block that
// runs its statements and branches, the leaves the two returns. And, or
// and not are only wiring: "a and b" is a whose true edge goes to b.

type block struct {
	t     *test
	op    uint16 // the branch
	k     uint32
	stmts []ins
	succ  [2]*block // [false, true]
	leaf  bool      // a return: accept or reject
	ok    bool      // leaf: accept

	// Filled in by the assembler: the block's place in the program, and
	// whether each branch needs a jump of its own to reach its target.
	pos int
	far [2]bool
}

// lower builds the graph of e with its true and false exits.
func lower(e *bexpr, t, f *block) *block {
	switch e.kind {
	case bAnd:
		return lower(e.l, lower(e.r, t, f), f)
	case bOr:
		return lower(e.l, t, lower(e.r, t, f))
	case bNot:
		return lower(e.l, f, t)
	}
	b := &block{t: e.t, op: e.t.op, k: e.t.k, stmts: e.t.stmts}
	if e.t.inv {
		t, f = f, t
	}
	b.succ[0], b.succ[1] = f, t
	return b
}

// reachable returns the blocks reachable from root, each after every
// block that jumps to it (a topological order), leaves included.
func reachable(root *block) []*block {
	var post []*block
	seen := map[*block]bool{}
	var visit func(b *block)
	visit = func(b *block) {
		if seen[b] {
			return
		}
		seen[b] = true
		if !b.leaf {
			visit(b.succ[1])
			visit(b.succ[0])
		}
		post = append(post, b)
	}
	visit(root)
	for i, j := 0, len(post)-1; i < j; i, j = i+1, j-1 {
		post[i], post[j] = post[j], post[i]
	}
	return post
}
