package filter

// Classic BPF opcode fields (as in <linux/filter.h> and libpcap's bpf.h).
const (
	bpfLD   = 0x00
	bpfLDX  = 0x01
	bpfST   = 0x02
	bpfSTX  = 0x03
	bpfALU  = 0x04
	bpfJMP  = 0x05
	bpfRET  = 0x06
	bpfMISC = 0x07

	bpfW = 0x00
	bpfH = 0x08
	bpfB = 0x10

	bpfIMM = 0x00
	bpfABS = 0x20
	bpfIND = 0x40
	bpfMEM = 0x60
	bpfLEN = 0x80
	bpfMSH = 0xa0

	bpfADD = 0x00
	bpfSUB = 0x10
	bpfMUL = 0x20
	bpfDIV = 0x30
	bpfOR  = 0x40
	bpfAND = 0x50
	bpfLSH = 0x60
	bpfRSH = 0x70
	bpfNEG = 0x80
	bpfMOD = 0x90
	bpfXOR = 0xa0

	bpfJA   = 0x00
	bpfJEQ  = 0x10
	bpfJGT  = 0x20
	bpfJGE  = 0x30
	bpfJSET = 0x40

	bpfK = 0x00
	bpfX = 0x08
	bpfA = 0x10

	bpfTAX = 0x00
	bpfTXA = 0x80

	// bpfMemWords is the number of scratch memory words.
	bpfMemWords = 16
	// maxInsns is the longest program the kernel and libpcap accept.
	maxInsns = 4096
)

func bpfClass(op uint16) uint16 { return op & 0x07 }
func bpfSize(op uint16) uint16  { return op & 0x18 }
func bpfMode(op uint16) uint16  { return op & 0xe0 }
func bpfOp(op uint16) uint16    { return op & 0xf0 }
func bpfSrc(op uint16) uint16   { return op & 0x08 }

// ins is one instruction of a block's statement list. Jumps inside a list
// (only the loop of protochain and the two-way offset computation of
// geneve have them) count jt, jf and k relative to the list, which is
// always emitted contiguously.
type ins struct {
	op     uint16
	jt, jf uint8
	k      uint32
}

func stmt(op uint16, k uint32) ins { return ins{op: op, k: k} }

// test is an atomic condition: run stmts, then branch on op (a bpfJMP
// opcode other than JA) against k or X.
type test struct {
	stmts []ins
	op    uint16
	k     uint32
	// rel, for a test made from an arithmetic comparison, identifies the
	// comparison for the optimizer's first phase, which (as libpcap's)
	// does not fold arithmetic: two comparisons are the same test only
	// when written the same way.
	rel *relKey
	// cmp is the comparison a test was made from, until its statements
	// are made; inv reverses the sense of the branch (a "x & m = 0"
	// becomes "jset #m" with inv).
	cmp *cmpSpec
	inv bool
	// foldErr is the error folding the comparison's constants met: the
	// optimizer reports it if the test is still reachable when it folds.
	foldErr *Error
	// unopt, for a masked equality with zero made a jset, is the
	// statements of libpcap's unoptimized "and #mask; jeq #0".
	unopt []ins
	// opaque marks a test whose statements read A or X as the previous
	// block left them, or jump: the optimizer leaves programs holding one
	// as they are.
	opaque bool
}

// relKey describes a comparison as libpcap's optimizer sees it before it
// folds constants: the left side, and the right side unless it is a
// literal (then it is the constant k). lit is set when both sides are
// literals, which that phase already evaluates.
type relKey struct {
	a0, a1 string
	lit    bool
}

// jumpName names a jump for the keys.
var jumpName = map[uint16]string{bpfJEQ: "==", bpfJGT: ">", bpfJGE: ">="}

// bexpr is the boolean expression the code generator builds: tests joined
// by and, or and not, in evaluation order (left first).
type bexpr struct {
	kind bkind
	l, r *bexpr
	t    *test
}

type bkind uint8

const (
	bTest bkind = iota
	bAnd
	bOr
	bNot
)

func newTest(stmts []ins, op uint16, k uint32) *bexpr {
	return &bexpr{kind: bTest, t: &test{stmts: stmts, op: op, k: k}}
}

// and is libpcap's gen_and: a, then b.
func and(a, b *bexpr) *bexpr { return &bexpr{kind: bAnd, l: a, r: b} }

// or is libpcap's gen_or: a, then b if a failed.
func or(a, b *bexpr) *bexpr { return &bexpr{kind: bOr, l: a, r: b} }

// not inverts the sense of a.
func not(a *bexpr) *bexpr { return &bexpr{kind: bNot, l: a} }

// constTest is libpcap's gen_true/gen_false: a test of an immediate, which
// the optimizer decides and which, unoptimized, still sets A.
func constTest(v bool) *bexpr {
	k := uint32(1)
	if v {
		k = 0
	}
	return newTest([]ins{stmt(bpfLD|bpfIMM, k)}, bpfJMP|bpfJEQ|bpfK, 0)
}
