package filter

import (
	"fmt"
	"io"
	"strings"

	"golang.org/x/net/bpf"
)

// DumpFormat is one of tcpdump's three ways of printing a program.
type DumpFormat int

const (
	// DumpText is tcpdump -d: one instruction a line, "(000) ldh [12]".
	DumpText DumpFormat = iota + 1
	// DumpC is tcpdump -dd: a C array initialiser, "{ 0x28, 0, 0, 0x0000000c },".
	DumpC
	// DumpDecimal is tcpdump -ddd: the count, then "code jt jf k" in decimal.
	DumpDecimal
)

// Dump writes the program in tcpdump's format.
func (f *Filter) Dump(w io.Writer, format DumpFormat) error {
	return Dump(w, f.raw, format)
}

// Dump writes a program in one of tcpdump's formats, byte for byte as
// tcpdump prints it (the instructions are whatever the program holds).
func Dump(w io.Writer, prog []bpf.RawInstruction, format DumpFormat) error {
	var b strings.Builder
	switch format {
	case DumpText:
		for i, in := range prog {
			b.WriteString(Image(in, i))
			b.WriteByte('\n')
		}
	case DumpC:
		for _, in := range prog {
			fmt.Fprintf(&b, "{ 0x%x, %d, %d, 0x%08x },\n", in.Op, in.Jt, in.Jf, in.K)
		}
	case DumpDecimal:
		fmt.Fprintf(&b, "%d\n", len(prog))
		for _, in := range prog {
			fmt.Fprintf(&b, "%d %d %d %d\n", in.Op, in.Jt, in.Jf, in.K)
		}
	default:
		return fmt.Errorf("filter: unknown dump format %d", format)
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// ancillary names Linux's ancillary data offsets, as libpcap prints them.
var ancillary = map[uint32]string{
	0: "proto", 4: "type", 8: "ifidx", 12: "nla", 16: "nlan", 20: "mark",
	24: "queue", 28: "hatype", 32: "rxhash", 36: "cpu", 40: "xor_x",
	44: "vlan_tci", 48: "vlanp", 52: "poff", 56: "random", 60: "vlan_tpid",
}

// Image is one instruction as tcpdump -d prints it, n being its index.
func Image(in bpf.RawInstruction, n int) string {
	k := in.K
	sk := int32(k) // libpcap prints with %d
	var op, operand string
	abs := func() string {
		if k >= skfAdOff {
			if name, ok := ancillary[k-skfAdOff]; ok {
				return "[" + name + "]"
			}
		}
		return fmt.Sprintf("[%d]", sk)
	}
	switch in.Op {
	case bpfRET | bpfK:
		op, operand = "ret", fmt.Sprintf("#%d", sk)
	case bpfRET | bpfA:
		op = "ret"
	case bpfLD | bpfW | bpfABS:
		op, operand = "ld", abs()
	case bpfLD | bpfH | bpfABS:
		op, operand = "ldh", abs()
	case bpfLD | bpfB | bpfABS:
		op, operand = "ldb", abs()
	case bpfLD | bpfW | bpfLEN:
		op, operand = "ld", "#pktlen"
	case bpfLD | bpfW | bpfIND:
		op, operand = "ld", fmt.Sprintf("[x + %d]", sk)
	case bpfLD | bpfH | bpfIND:
		op, operand = "ldh", fmt.Sprintf("[x + %d]", sk)
	case bpfLD | bpfB | bpfIND:
		op, operand = "ldb", fmt.Sprintf("[x + %d]", sk)
	case bpfLD | bpfIMM:
		op, operand = "ld", fmt.Sprintf("#0x%x", k)
	case bpfLDX | bpfIMM:
		op, operand = "ldx", fmt.Sprintf("#0x%x", k)
	case bpfLDX | bpfMSH | bpfB:
		op, operand = "ldxb", fmt.Sprintf("4*([%d]&0xf)", sk)
	case bpfLD | bpfMEM:
		op, operand = "ld", fmt.Sprintf("M[%d]", sk)
	case bpfLDX | bpfMEM:
		op, operand = "ldx", fmt.Sprintf("M[%d]", sk)
	case bpfST:
		op, operand = "st", fmt.Sprintf("M[%d]", sk)
	case bpfSTX:
		op, operand = "stx", fmt.Sprintf("M[%d]", sk)
	case bpfJMP | bpfJA:
		op, operand = "ja", fmt.Sprintf("%d", int32(uint32(n)+1+k))
	case bpfJMP | bpfJGT | bpfK:
		op, operand = "jgt", fmt.Sprintf("#0x%x", k)
	case bpfJMP | bpfJGE | bpfK:
		op, operand = "jge", fmt.Sprintf("#0x%x", k)
	case bpfJMP | bpfJEQ | bpfK:
		op, operand = "jeq", fmt.Sprintf("#0x%x", k)
	case bpfJMP | bpfJSET | bpfK:
		op, operand = "jset", fmt.Sprintf("#0x%x", k)
	case bpfJMP | bpfJGT | bpfX:
		op, operand = "jgt", "x"
	case bpfJMP | bpfJGE | bpfX:
		op, operand = "jge", "x"
	case bpfJMP | bpfJEQ | bpfX:
		op, operand = "jeq", "x"
	case bpfJMP | bpfJSET | bpfX:
		op, operand = "jset", "x"
	case bpfMISC | bpfTAX:
		op = "tax"
	case bpfMISC | bpfTXA:
		op = "txa"
	case bpfALU | bpfNEG:
		op = "neg"
	default:
		if bpfClass(in.Op) == bpfALU && bpfOp(in.Op) <= bpfXOR && bpfOp(in.Op) != bpfNEG {
			op = aluMnemonic[bpfOp(in.Op)]
			switch {
			case bpfSrc(in.Op) == bpfX:
				operand = "x"
			case bpfOp(in.Op) == bpfAND || bpfOp(in.Op) == bpfOR || bpfOp(in.Op) == bpfXOR:
				operand = fmt.Sprintf("#0x%x", k)
			default:
				operand = fmt.Sprintf("#%d", sk)
			}
		} else {
			op, operand = "unimp", fmt.Sprintf("0x%x", in.Op)
		}
	}
	if bpfClass(in.Op) == bpfJMP && bpfOp(in.Op) != bpfJA {
		return fmt.Sprintf("(%03d) %-8s %-16s jt %d\tjf %d", n, op, operand, n+1+int(in.Jt), n+1+int(in.Jf))
	}
	return fmt.Sprintf("(%03d) %-8s %s", n, op, operand)
}

var aluMnemonic = map[uint16]string{bpfADD: "add", bpfSUB: "sub", bpfMUL: "mul",
	bpfDIV: "div", bpfMOD: "mod", bpfAND: "and", bpfOR: "or", bpfLSH: "lsh", bpfRSH: "rsh", bpfXOR: "xor"}
