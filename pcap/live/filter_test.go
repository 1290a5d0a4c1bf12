package live

import (
	"testing"

	"golang.org/x/net/bpf"

	"github.com/medina-net/medina/pcap"
)

// TestCookedProgram checks the rewriting of a cooked capture's program for
// the kernel, as libpcap's fix_program does it.
func TestCookedProgram(t *testing.T) {
	ld := func(off uint32) bpf.RawInstruction { return bpf.RawInstruction{Op: 0x28, K: off} } // ldh [k]
	ldb := func(off uint32) bpf.RawInstruction { return bpf.RawInstruction{Op: 0x30, K: off} }
	ind := bpf.RawInstruction{Op: 0x50, K: 24}  // ldb [x + 24]
	msh := bpf.RawInstruction{Op: 0xb1, K: 20}  // ldxb 4*([20]&0xf)
	ret := bpf.RawInstruction{Op: 0x06, K: 100} // ret #100
	ext := bpf.RawInstruction{Op: 0x20, K: skfAdOff + 4}

	for _, tc := range []struct {
		lt   pcap.LinkType
		in   []bpf.RawInstruction
		want []bpf.RawInstruction // nil: cannot run in the kernel
	}{
		{pcap.LinkTypeLinuxSLL2,
			[]bpf.RawInstruction{ld(0), ld(4), ldb(10), ld(22), ind, msh, ret, ext},
			[]bpf.RawInstruction{ld(skfAdOff), ld(skfAdOff + 8), ldb(skfAdOff + 4), ld(2), {Op: 0x50, K: 4}, {Op: 0xb1, K: 0}, ret, ext}},
		{pcap.LinkTypeLinuxSLL2, []bpf.RawInstruction{ldb(11), ret}, nil},
		{pcap.LinkTypeLinuxSLL,
			[]bpf.RawInstruction{ld(0), ld(14), ld(16), ind, ret},
			[]bpf.RawInstruction{ld(skfAdOff + 4), ld(skfAdOff), ld(0), {Op: 0x50, K: 8}, ret}},
		{pcap.LinkTypeLinuxSLL, []bpf.RawInstruction{ld(6), ret}, nil},
	} {
		got, ok := cookedProgram(tc.in, tc.lt)
		if ok != (tc.want != nil) {
			t.Errorf("%v %v: ok %v", tc.lt, tc.in, ok)
			continue
		}
		if !ok {
			continue
		}
		for i := range got {
			if got[i] != tc.want[i] {
				t.Errorf("%v instruction %d: %+v, want %+v", tc.lt, i, got[i], tc.want[i])
			}
		}
		if tc.in[0].K != 0 && tc.lt == pcap.LinkTypeLinuxSLL2 {
			t.Errorf("the caller's program was changed")
		}
	}
}

// TestUserFilter runs a program in user space.
func TestUserFilter(t *testing.T) {
	prog, _ := bpf.Assemble([]bpf.Instruction{
		bpf.LoadAbsolute{Off: 11, Size: 1},
		bpf.JumpIf{Cond: bpf.JumpEqual, Val: 6, SkipFalse: 1},
		bpf.RetConstant{Val: 64},
		bpf.RetConstant{Val: 0},
	})
	f, err := newUserFilter(prog)
	if err != nil {
		t.Fatal(err)
	}
	pkt := make([]byte, 20)
	if f.accept(pkt) {
		t.Errorf("accepted halen 0")
	}
	pkt[11] = 6
	if !f.accept(pkt) || f.accept(pkt[:5]) {
		t.Errorf("halen 6 refused, or a short packet accepted")
	}
	if _, err := newUserFilter([]bpf.RawInstruction{{Op: 0x15, Jt: 9}}); err == nil {
		t.Errorf("a jump out of the program was accepted")
	}
}
