package filter

import (
	"math/rand"
	"testing"

	"golang.org/x/net/bpf"

	"github.com/medina-net/medina/pcap"
)

// oracleExprs are expressions whose programs the interpreter is checked
// against x/net/bpf's VM with: the accepted Ethernet expressions of the
// corpus (those without protochain, whose backward jump x/net/bpf
// refuses), and some arithmetic.
func oracleExprs(t testing.TB) []string {
	exprs := []string{
		"host 10.0.0.1 and tcp port 443",
		"tcp[13] & 0x12 != 0", "ip[6:2] & 0x1fff = 0", "tcp[tcpflags] & (tcp-syn|tcp-ack) = tcp-syn",
		"icmp[icmptype] = icmp-echo", "len > 100 and len < 1000", "ip[0] & 0xf > 5",
		"ether[0] & 1 = 1", "udp[8:4] = 0x12345678", "ip[2:2] - ip[0] & 0xf * 4 > 20",
		"len * 2 / 3 % 7 = 1", "-len < 0", "ip[ip[0] & 0xf] = 0", "tcp[ip[0] & 0xf] > 3",
		"len << 2 >> 1 ^ 5 | 8 = 0", "vlan 10 and ip[0] = 0x45", "geneve and tcp",
		"mpls and ip", "pppoes 3 and ip", "llc u", "ip6 net fe80::/10",
	}
	if corpusAvailable() {
		exprs = append(exprs, acceptedEN10MB(t)...)
	}
	return exprs
}

// randomPacket makes an Ethernet frame that is often IPv4 or IPv6 with TCP
// or UDP, with random bytes and a random length.
func randomPacket(r *rand.Rand) []byte {
	n := r.Intn(120)
	p := make([]byte, n)
	r.Read(p)
	if n > 14 && r.Intn(3) > 0 {
		if r.Intn(2) == 0 {
			p[12], p[13] = 0x08, 0x00
			p[14] = 0x45
			if n > 23 {
				p[23] = []byte{6, 17, 1, 132}[r.Intn(4)]
			}
		} else {
			p[12], p[13] = 0x86, 0xdd
			if n > 20 {
				p[20] = []byte{6, 17, 58, 44, 0}[r.Intn(5)]
			}
		}
	}
	return p
}

// TestOracle runs compiled programs in our interpreter and in x/net/bpf's
// VM on random packets: they must return the same.
func TestOracle(t *testing.T) {
	r := rand.New(rand.NewSource(1))
	pkts := make([][]byte, 2000)
	for i := range pkts {
		pkts[i] = randomPacket(r)
	}
	checked := 0
	for _, e := range oracleExprs(t) {
		f, err := Compile(e, pcap.LinkTypeEthernet, 0)
		if err != nil {
			t.Fatalf("%q: %v", e, err)
		}
		if f.Loops() || hasNeg(f.raw) {
			// x/net/bpf refuses backward jumps and does not know neg.
			continue
		}
		vm, err := bpf.NewVM(f.Program())
		if err != nil {
			t.Fatalf("%q: x/net/bpf refuses the program: %v", e, err)
		}
		for _, p := range pkts {
			want, err := vm.Run(p)
			if err != nil {
				t.Fatalf("%q: x/net/bpf: %v", e, err)
			}
			if got := f.Run(p, len(p)); got != uint32(want) {
				t.Fatalf("%q on % x: %d, x/net/bpf %d", e, p, got, want)
			}
		}
		checked++
	}
	t.Logf("%d programs agree with x/net/bpf on %d random packets", checked, len(pkts))
}

// TestVMInstructions runs every instruction the interpreter knows, fused or
// not, against x/net/bpf's VM.
func TestVMInstructions(t *testing.T) {
	r := rand.New(rand.NewSource(2))
	valid := 0
	for i := 0; i < 3000; i++ {
		prog := randomProgram(r)
		vm, err := bpf.NewVM(prog)
		if err != nil {
			continue
		}
		valid++
		raw, err := bpf.Assemble(prog)
		if err != nil {
			t.Fatal(err)
		}
		ours := newVM(raw)
		for j := 0; j < 20; j++ {
			p := randomPacket(r)
			want, _ := vm.Run(p)
			if got := ours.run(p, len(p)); got != uint32(want) {
				t.Fatalf("%v on % x: %d, x/net/bpf %d", prog, p, got, want)
			}
		}
	}
	if valid < 1000 {
		t.Fatalf("only %d of the random programs are valid", valid)
	}
	t.Logf("%d random programs agree with x/net/bpf", valid)
}

func hasNeg(raw []bpf.RawInstruction) bool {
	for _, in := range raw {
		if in.Op == bpfALU|bpfNEG {
			return true
		}
	}
	return false
}

// TestVMNeg checks neg, which x/net/bpf's VM does not have.
func TestVMNeg(t *testing.T) {
	raw, _ := bpf.Assemble([]bpf.Instruction{bpf.LoadConstant{Val: 5}, bpf.RawInstruction{Op: bpfALU | bpfNEG}, bpf.RetA{}})
	m := newVM(raw)
	if got := m.run(nil, 0); got != 0xfffffffb {
		t.Errorf("-5 = %#x", got)
	}
}

// randomProgram makes a small valid program that only jumps forward.
func randomProgram(r *rand.Rand) []bpf.Instruction {
	n := 2 + r.Intn(12)
	prog := make([]bpf.Instruction, 0, n+2)
	sizes := []int{1, 2, 4}
	ops := []bpf.ALUOp{bpf.ALUOpAdd, bpf.ALUOpSub, bpf.ALUOpMul, bpf.ALUOpDiv, bpf.ALUOpOr,
		bpf.ALUOpAnd, bpf.ALUOpShiftLeft, bpf.ALUOpShiftRight, bpf.ALUOpMod, bpf.ALUOpXor}
	conds := []bpf.JumpTest{bpf.JumpEqual, bpf.JumpGreaterThan, bpf.JumpGreaterOrEqual, bpf.JumpBitsSet}
	for i := 0; i < n; i++ {
		left := n - i // instructions after this one, the two returns included
		switch r.Intn(12) {
		case 0:
			prog = append(prog, bpf.LoadAbsolute{Off: uint32(r.Intn(60)), Size: sizes[r.Intn(3)]})
		case 1:
			prog = append(prog, bpf.LoadIndirect{Off: uint32(r.Intn(60)), Size: sizes[r.Intn(3)]})
		case 2:
			prog = append(prog, bpf.LoadMemShift{Off: uint32(r.Intn(40))})
		case 3:
			prog = append(prog, bpf.LoadConstant{Dst: bpf.Register(r.Intn(2)), Val: uint32(r.Intn(70))})
		case 4:
			k := uint32(r.Intn(40))
			op := ops[r.Intn(len(ops))]
			if k == 0 && (op == bpf.ALUOpDiv || op == bpf.ALUOpMod) {
				k = 3
			}
			prog = append(prog, bpf.ALUOpConstant{Op: op, Val: k})
		case 5:
			prog = append(prog, bpf.ALUOpX{Op: ops[r.Intn(len(ops))]})
		case 6:
			prog = append(prog, bpf.TAX{}, bpf.TXA{})[:len(prog)+1+r.Intn(2)]
		case 7:
			prog = append(prog, bpf.StoreScratch{Src: bpf.Register(r.Intn(2)), N: r.Intn(16)},
				bpf.LoadScratch{Dst: bpf.Register(r.Intn(2)), N: r.Intn(16)})
		case 8:
			prog = append(prog, bpf.LoadExtension{Num: bpf.ExtLen})
		case 9:
			prog = append(prog, bpf.JumpIfX{Cond: conds[r.Intn(4)], SkipTrue: uint8(r.Intn(left)), SkipFalse: uint8(r.Intn(left))})
		case 10:
			prog = append(prog, bpf.Jump{Skip: uint32(r.Intn(left))})
		default:
			prog = append(prog, bpf.LoadAbsolute{Off: uint32(r.Intn(40)), Size: sizes[r.Intn(3)]},
				bpf.ALUOpConstant{Op: bpf.ALUOpAnd, Val: uint32(r.Intn(256))},
				bpf.JumpIf{Cond: conds[r.Intn(4)], Val: uint32(r.Intn(256)), SkipTrue: uint8(r.Intn(left)), SkipFalse: uint8(r.Intn(left))})
		}
	}
	return append(prog, bpf.RetA{}, bpf.RetConstant{Val: 7})
}
