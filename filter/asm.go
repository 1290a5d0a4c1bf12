package filter

import (
	"fmt"

	"golang.org/x/net/bpf"
)

// assemble lays the graph out as a BPF program in libpcap's order: each
// block followed by what its true branch leads to, then by what its false
// branch leads to, where not laid out before, so every jump goes forward; a
// block is its statements then its branch. A branch target more than 255
// instructions away is reached through an unconditional jump placed right
// after the branch.
func assemble(root *block, snaplen uint32) ([]bpf.RawInstruction, error) {
	var order []*block
	seen := map[*block]bool{}
	var visit func(b *block)
	visit = func(b *block) {
		if seen[b] {
			return
		}
		seen[b] = true
		if !b.leaf {
			visit(b.succ[0])
			visit(b.succ[1])
		}
		order = append(order, b)
	}
	visit(root)
	for i, j := 0, len(order)-1; i < j; i, j = i+1, j-1 {
		order[i], order[j] = order[j], order[i]
	}
	var body []*block
	for _, b := range order {
		if !b.leaf {
			body = append(body, b)
		}
	}

	size := func(b *block) int {
		if b.leaf {
			return 1
		}
		n := len(b.stmts) + 1
		for _, f := range b.far {
			if f {
				n++
			}
		}
		return n
	}
	for {
		pos := 0
		for _, b := range order {
			b.pos = pos
			pos += size(b)
		}
		for _, b := range body {
			for _, s := range b.succ {
				if s.pos <= b.pos {
					// The optimizer only moves edges forward; a loop
					// would be its bug, and is refused, not assembled.
					return nil, errorf("internal error: the program graph has a loop")
				}
			}
		}
		if pos > maxInsns {
			return nil, errorf(fmt.Sprintf("filter program too long: %d instructions, more than %d", pos, maxInsns))
		}
		grew := false
		for _, b := range body {
			j := b.pos + len(b.stmts) // the branch
			for i, s := range b.succ {
				if !b.far[i] && s.pos-(j+1) > 255 {
					b.far[i], grew = true, true
				}
			}
		}
		if !grew {
			break
		}
	}

	prog := make([]bpf.RawInstruction, 0, order[len(order)-1].pos+1)
	for _, b := range order {
		if b.leaf {
			k := uint32(0)
			if b.ok {
				k = snaplen
			}
			prog = append(prog, bpf.RawInstruction{Op: bpfRET | bpfK, K: k})
			continue
		}
		for _, s := range b.stmts {
			prog = append(prog, bpf.RawInstruction{Op: s.op, Jt: s.jt, Jf: s.jf, K: s.k})
		}
		j := len(prog)
		br := bpf.RawInstruction{Op: b.op, K: b.k}
		next := j + 1
		var tramp []bpf.RawInstruction
		for i := 1; i >= 0; i-- { // true target, then false target
			target := b.succ[i].pos
			if b.far[i] {
				off := uint8(next + len(tramp) - (j + 1))
				tramp = append(tramp, bpf.RawInstruction{Op: bpfJMP | bpfJA})
				// The ja's offset is fixed below, once its place is known.
				if i == 1 {
					br.Jt = off
				} else {
					br.Jf = off
				}
				continue
			}
			if i == 1 {
				br.Jt = uint8(target - (j + 1))
			} else {
				br.Jf = uint8(target - (j + 1))
			}
		}
		prog = append(prog, br)
		n := 0
		for i := 1; i >= 0; i-- {
			if b.far[i] {
				at := len(prog)
				tramp[n].K = uint32(b.succ[i].pos - (at + 1))
				prog = append(prog, tramp[n])
				n++
			}
		}
	}
	return prog, nil
}
