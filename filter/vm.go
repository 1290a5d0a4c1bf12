package filter

import (
	"encoding/binary"

	"golang.org/x/net/bpf"
)

// The interpreter runs a program as libpcap's bpf_filter does (a load past
// the captured bytes, or a division by zero, rejects the packet; "len" is
// the length on the wire), over a decoded form in which the sequences
// filters are made of (load a field, maybe mask it, branch on it) are one
// operation each, specialised by field size and branch for the common
// ones, so a typical packet takes a handful of dispatches. Operations
// point to the ones they go to. Decoding never fuses across an instruction
// that is a jump target.

type vm struct {
	start *vop
	loops bool // the program jumps backwards: count steps
}

// vop is a decoded operation. A fused one loads size bytes at k (after X
// for an indirect load; for vMsh*, X is first loaded from k and the field
// read at X+k2), ANDs it with mask, and branches on cond against v to jt
// or jf. Other operations go on to jt.
type vop struct {
	code   vcode
	size   uint8
	cond   uint8
	alu    uint8 // the ALU operation, bpfOp >> 4
	k      uint32
	k2     uint32
	mask   uint32
	v      uint32
	jt, jf *vop
}

type vcode uint8

const (
	// Fused loads and branches, specialised.
	vAbsHEq vcode = iota
	vAbsBEq
	vAbsWEq
	vAbsHSet
	vAbsBSet
	vAbsWSet
	vMshHEq
	vIndHEq
	vJEq // branch on A == v
	// Fused, any size, mask and branch.
	vAbsJ
	vIndJ
	vMshJ
	vLenJ
	// Plain instructions.
	vRetK
	vRetA
	vLdAbs
	vLdInd
	vLdLen
	vLdImm
	vLdMem
	vLdxImm
	vLdxMem
	vLdxLen
	vLdxMsh
	vSt
	vStx
	vAluK
	vAluX
	vNeg
	vTax
	vTxa
	vJa
	vJK // branch on A against v
	vJX // branch on A against X
	vBad
)

const (
	condEQ = iota
	condGT
	condGE
	condSET
)

func condOf(op uint16) uint8 {
	switch bpfOp(op) {
	case bpfJEQ:
		return condEQ
	case bpfJGT:
		return condGT
	case bpfJGE:
		return condGE
	}
	return condSET
}

func sizeOf(op uint16) uint8 {
	switch bpfSize(op) {
	case bpfB:
		return 1
	case bpfH:
		return 2
	}
	return 4
}

// newVM decodes a program; the program is one the assembler made, so its
// jumps are in range (a raw instruction that is not is decoded as a
// rejection, never run out of bounds).
func newVM(raw []bpf.RawInstruction) vm {
	n := len(raw)
	target := make([]bool, n+1)
	for i, in := range raw {
		if bpfClass(in.Op) != bpfJMP {
			continue
		}
		if bpfOp(in.Op) == bpfJA {
			if t := i + 1 + int(int32(in.K)); t >= 0 && t < n {
				target[t] = true
			}
			continue
		}
		for _, d := range []uint8{in.Jt, in.Jf} {
			if t := i + 1 + int(d); t < n {
				target[t] = true
			}
		}
	}
	// Each operation records the index of its first and last instruction;
	// opAt maps an instruction index to the operation starting there.
	opAt := make([]int, n+1)
	var ops []vop
	var spans [][2]int
	var m vm
	isCondK := func(i int) bool {
		return i < n && !target[i] && bpfClass(raw[i].Op) == bpfJMP && bpfOp(raw[i].Op) != bpfJA && bpfSrc(raw[i].Op) == bpfK
	}
	for i := 0; i < n; {
		in := raw[i]
		opAt[i] = len(ops)
		o := vop{code: vBad, mask: 0xffffffff}
		last := i
		switch {
		case bpfClass(in.Op) == bpfLD && (bpfMode(in.Op) == bpfABS || bpfMode(in.Op) == bpfIND) || in.Op == bpfLD|bpfW|bpfLEN:
			o.size, o.k = sizeOf(in.Op), in.K
			j := i + 1
			if j < n && !target[j] && raw[j].Op == bpfALU|bpfAND|bpfK && in.Op != bpfLD|bpfW|bpfLEN {
				o.mask = raw[j].K
				j++
			}
			if isCondK(j) {
				o.cond, o.v, last = condOf(raw[j].Op), raw[j].K, j
				switch bpfMode(in.Op) {
				case bpfABS:
					o.code = vAbsJ
					if o.mask == 0xffffffff && (o.cond == condEQ || o.cond == condSET) {
						o.code = map[[2]uint8]vcode{{2, condEQ}: vAbsHEq, {1, condEQ}: vAbsBEq, {4, condEQ}: vAbsWEq,
							{2, condSET}: vAbsHSet, {1, condSET}: vAbsBSet, {4, condSET}: vAbsWSet}[[2]uint8{o.size, o.cond}]
					}
				case bpfIND:
					o.code = vIndJ
					if o.size == 2 && o.cond == condEQ && o.mask == 0xffffffff {
						o.code = vIndHEq
					}
				default:
					o.code = vLenJ
				}
				break
			}
			o.mask = 0xffffffff
			switch bpfMode(in.Op) {
			case bpfABS:
				o.code = vLdAbs
			case bpfIND:
				o.code = vLdInd
			default:
				o.code = vLdLen
			}
		case in.Op == bpfLDX|bpfMSH|bpfB:
			o.code, o.k = vLdxMsh, in.K
			j := i + 1
			if j < n && !target[j] && bpfClass(raw[j].Op) == bpfLD && bpfMode(raw[j].Op) == bpfIND {
				o2 := vop{size: sizeOf(raw[j].Op), k: in.K, k2: raw[j].K, mask: 0xffffffff}
				l := j + 1
				if l < n && !target[l] && raw[l].Op == bpfALU|bpfAND|bpfK {
					o2.mask = raw[l].K
					l++
				}
				if isCondK(l) {
					o2.code, o2.cond, o2.v = vMshJ, condOf(raw[l].Op), raw[l].K
					if o2.size == 2 && o2.cond == condEQ && o2.mask == 0xffffffff {
						o2.code = vMshHEq
					}
					o, last = o2, l
				}
			}
		case in.Op == bpfRET|bpfK:
			o.code, o.k = vRetK, in.K
		case in.Op == bpfRET|bpfA:
			o.code = vRetA
		case in.Op == bpfLD|bpfIMM:
			o.code, o.k = vLdImm, in.K
		case in.Op == bpfLD|bpfMEM && in.K < bpfMemWords:
			o.code, o.k = vLdMem, in.K
		case in.Op == bpfLDX|bpfIMM:
			o.code, o.k = vLdxImm, in.K
		case in.Op == bpfLDX|bpfMEM && in.K < bpfMemWords:
			o.code, o.k = vLdxMem, in.K
		case in.Op == bpfLDX|bpfW|bpfLEN:
			o.code = vLdxLen
		case in.Op == bpfST && in.K < bpfMemWords:
			o.code, o.k = vSt, in.K
		case in.Op == bpfSTX && in.K < bpfMemWords:
			o.code, o.k = vStx, in.K
		case in.Op == bpfALU|bpfNEG:
			o.code = vNeg
		case bpfClass(in.Op) == bpfALU && bpfOp(in.Op) <= bpfXOR:
			o.code, o.k, o.alu = vAluK, in.K, uint8(bpfOp(in.Op)>>4)
			if bpfSrc(in.Op) == bpfX {
				o.code = vAluX
			}
			if o.code == vAluK && (bpfOp(in.Op) == bpfDIV || bpfOp(in.Op) == bpfMOD) && in.K == 0 {
				o.code = vBad
			}
		case in.Op == bpfMISC|bpfTAX:
			o.code = vTax
		case in.Op == bpfMISC|bpfTXA:
			o.code = vTxa
		case in.Op == bpfJMP|bpfJA:
			o.code, o.k = vJa, in.K
		case bpfClass(in.Op) == bpfJMP && bpfOp(in.Op) <= bpfJSET:
			o.code, o.cond, o.v = vJK, condOf(in.Op), in.K
			switch {
			case bpfSrc(in.Op) == bpfX:
				o.code = vJX
			case o.cond == condEQ:
				o.code = vJEq
			}
		}
		ops = append(ops, o)
		spans = append(spans, [2]int{i, last})
		i = last + 1
	}
	opAt[n] = len(ops)
	ops = append(ops, vop{code: vBad}) // running off the end rejects
	at := func(t int) *vop { return &ops[opAt[t]] }
	for x := range spans {
		o := &ops[x]
		last := spans[x][1]
		in := raw[last]
		switch o.code {
		case vJa:
			t := last + 1 + int(int32(in.K))
			if t < 0 || t > n {
				o.code = vBad
				continue
			}
			if t <= last {
				m.loops = true
			}
			o.jt = at(t)
		case vAbsHEq, vAbsBEq, vAbsWEq, vAbsHSet, vAbsBSet, vAbsWSet, vMshHEq, vIndHEq, vJEq, vAbsJ, vIndJ, vMshJ, vLenJ, vJK, vJX:
			o.jt = at(min(last+1+int(in.Jt), n))
			o.jf = at(min(last+1+int(in.Jf), n))
		default:
			o.jt = at(last + 1)
		}
	}
	ops[len(ops)-1].jt = &ops[len(ops)-1]
	m.start = &ops[0]
	return m
}

// maxSteps bounds a run of a program that loops: libpcap's protochain
// loop can cycle on a crafted packet, and tcpdump then hangs; here the
// packet is rejected.
const maxSteps = 1 << 20

// run returns the program's result for a packet.
func (m *vm) run(p []byte, wirelen int) uint32 {
	var a, x uint32
	var mem [bpfMemWords]uint32
	steps := 0
	o := m.start
	for {
		switch o.code {
		case vAbsHEq:
			k := int(o.k)
			if k+2 > len(p) {
				return 0
			}
			a = uint32(p[k])<<8 | uint32(p[k+1])
			if a == o.v {
				o = o.jt
			} else {
				o = o.jf
			}
		case vAbsBEq:
			k := int(o.k)
			if k >= len(p) {
				return 0
			}
			a = uint32(p[k])
			if a == o.v {
				o = o.jt
			} else {
				o = o.jf
			}
		case vAbsWEq:
			k := int(o.k)
			if k+4 > len(p) {
				return 0
			}
			a = binary.BigEndian.Uint32(p[k:])
			if a == o.v {
				o = o.jt
			} else {
				o = o.jf
			}
		case vAbsHSet:
			k := int(o.k)
			if k+2 > len(p) {
				return 0
			}
			a = uint32(p[k])<<8 | uint32(p[k+1])
			if a&o.v != 0 {
				o = o.jt
			} else {
				o = o.jf
			}
		case vAbsBSet:
			k := int(o.k)
			if k >= len(p) {
				return 0
			}
			a = uint32(p[k])
			if a&o.v != 0 {
				o = o.jt
			} else {
				o = o.jf
			}
		case vAbsWSet:
			k := int(o.k)
			if k+4 > len(p) {
				return 0
			}
			a = binary.BigEndian.Uint32(p[k:])
			if a&o.v != 0 {
				o = o.jt
			} else {
				o = o.jf
			}
		case vMshHEq:
			k := int(o.k)
			if k >= len(p) {
				return 0
			}
			x = uint32(p[k]&0xf) << 2
			k = int(x) + int(o.k2)
			if k+2 > len(p) {
				return 0
			}
			a = uint32(p[k])<<8 | uint32(p[k+1])
			if a == o.v {
				o = o.jt
			} else {
				o = o.jf
			}
		case vIndHEq:
			k := int(x) + int(o.k)
			if k+2 > len(p) {
				return 0
			}
			a = uint32(p[k])<<8 | uint32(p[k+1])
			if a == o.v {
				o = o.jt
			} else {
				o = o.jf
			}
		case vJEq:
			if a == o.v {
				o = o.jt
			} else {
				o = o.jf
			}
		case vAbsJ:
			v, ok := load(p, uint64(o.k), o.size)
			if !ok {
				return 0
			}
			a = v & o.mask
			o = branch(o, a, o.v)
		case vIndJ:
			v, ok := load(p, uint64(x)+uint64(o.k), o.size)
			if !ok {
				return 0
			}
			a = v & o.mask
			o = branch(o, a, o.v)
		case vMshJ:
			if uint64(o.k) >= uint64(len(p)) {
				return 0
			}
			x = uint32(p[o.k]&0xf) << 2
			v, ok := load(p, uint64(x)+uint64(o.k2), o.size)
			if !ok {
				return 0
			}
			a = v & o.mask
			o = branch(o, a, o.v)
		case vLenJ:
			a = uint32(wirelen)
			o = branch(o, a, o.v)
		case vJK:
			o = branch(o, a, o.v)
		case vJX:
			o = branch(o, a, x)
		case vRetK:
			return o.k
		case vRetA:
			return a
		case vLdAbs:
			v, ok := load(p, uint64(o.k), o.size)
			if !ok {
				return 0
			}
			a = v
			o = o.jt
		case vLdInd:
			v, ok := load(p, uint64(x)+uint64(o.k), o.size)
			if !ok {
				return 0
			}
			a = v
			o = o.jt
		case vLdLen:
			a = uint32(wirelen)
			o = o.jt
		case vLdImm:
			a = o.k
			o = o.jt
		case vLdMem:
			a = mem[o.k&(bpfMemWords-1)]
			o = o.jt
		case vLdxImm:
			x = o.k
			o = o.jt
		case vLdxMem:
			x = mem[o.k&(bpfMemWords-1)]
			o = o.jt
		case vLdxLen:
			x = uint32(wirelen)
			o = o.jt
		case vLdxMsh:
			if uint64(o.k) >= uint64(len(p)) {
				return 0
			}
			x = uint32(p[o.k]&0xf) << 2
			o = o.jt
		case vSt:
			mem[o.k&(bpfMemWords-1)] = a
			o = o.jt
		case vStx:
			mem[o.k&(bpfMemWords-1)] = x
			o = o.jt
		case vAluK:
			a = alu(o.alu, a, o.k)
			o = o.jt
		case vAluX:
			if (o.alu == bpfDIV>>4 || o.alu == bpfMOD>>4) && x == 0 {
				return 0
			}
			a = alu(o.alu, a, x)
			o = o.jt
		case vNeg:
			a = -a
			o = o.jt
		case vTax:
			x = a
			o = o.jt
		case vTxa:
			a = x
			o = o.jt
		case vJa:
			if m.loops {
				if steps++; steps > maxSteps {
					return 0
				}
			}
			o = o.jt
		default: // vBad
			return 0
		}
	}
}

func branch(o *vop, a, v uint32) *vop {
	var ok bool
	switch o.cond {
	case condEQ:
		ok = a == v
	case condGT:
		ok = a > v
	case condGE:
		ok = a >= v
	default:
		ok = a&v != 0
	}
	if ok {
		return o.jt
	}
	return o.jf
}

func load(p []byte, k uint64, size uint8) (uint32, bool) {
	switch size {
	case 1:
		if k >= uint64(len(p)) {
			return 0, false
		}
		return uint32(p[k]), true
	case 2:
		if k+2 > uint64(len(p)) {
			return 0, false
		}
		return uint32(binary.BigEndian.Uint16(p[k:])), true
	}
	if k+4 > uint64(len(p)) {
		return 0, false
	}
	return binary.BigEndian.Uint32(p[k:]), true
}

// alu is A op k, with op the BPF operation shifted down 4 bits; shifts of
// 32 or more give 0, as in libpcap's interpreter.
func alu(op uint8, a, k uint32) uint32 {
	switch uint16(op) << 4 {
	case bpfADD:
		return a + k
	case bpfSUB:
		return a - k
	case bpfMUL:
		return a * k
	case bpfDIV:
		return a / k
	case bpfMOD:
		return a % k
	case bpfAND:
		return a & k
	case bpfOR:
		return a | k
	case bpfXOR:
		return a ^ k
	case bpfLSH:
		if k < 32 {
			return a << k
		}
		return 0
	default: // bpfRSH
		if k < 32 {
			return a >> k
		}
		return 0
	}
}
