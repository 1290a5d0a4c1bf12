package live

import (
	"fmt"

	"golang.org/x/net/bpf"

	"github.com/medina-net/medina/pcap"
)

// Classic BPF opcode fields (linux/filter.h), to find the loads of packet
// data in a program.
const (
	bpfClassMask = 0x07
	bpfLD        = 0x00
	bpfLDX       = 0x01
	bpfModeMask  = 0xe0
	bpfABS       = 0x20
	bpfIND       = 0x40
	bpfMSH       = 0xa0
)

// skfAdOff is SKF_AD_OFF, the offset at which the Linux kernel's BPF
// interpreter keeps its extensions (the packet's protocol, type,
// interface...), as a load's unsigned k.
const skfAdOff = 0xfffff000

// skfAdVLANTagPresent is SKF_AD_VLAN_TAG_PRESENT: a kernel whose
// SO_BPF_EXTENSIONS reaches it offers the VLAN tag to filters.
const skfAdVLANTagPresent = 48

// cookedProgram adapts a program compiled for a cooked link type (lt,
// LINUX_SLL or LINUX_SLL2) to the kernel, which runs socket filters on the
// packet without the cooked header: as libpcap's fix_program does, loads
// past the header move back by its length, and loads of the header's
// protocol, packet type and (SLL2) interface index fields become loads of
// the kernel's extensions for them. ok is false when the program reads
// another field of the header, which the kernel cannot give: the program
// must then run in user space, on the packet with its header.
func cookedProgram(prog []bpf.RawInstruction, lt pcap.LinkType) (fixed []bpf.RawInstruction, ok bool) {
	hdr := uint32(cookedHeaderLen(lt))
	fixed = make([]bpf.RawInstruction, len(prog))
	copy(fixed, prog)
	for i := range fixed {
		ins := &fixed[i]
		class := ins.Op & bpfClassMask
		if class != bpfLD && class != bpfLDX {
			continue
		}
		switch ins.Op & bpfModeMask {
		case bpfABS, bpfIND, bpfMSH:
		default:
			continue
		}
		k := ins.K
		switch {
		case k >= skfAdOff:
			// Already an extension.
		case k >= hdr:
			ins.K = k - hdr
		case lt == pcap.LinkTypeLinuxSLL2 && k == sll2ProtocolOff,
			lt == pcap.LinkTypeLinuxSLL && k == sllProtocolOff:
			ins.K = skfAdOff + uint32(bpf.ExtProto)
		case lt == pcap.LinkTypeLinuxSLL2 && k == sll2PktTypeOff,
			lt == pcap.LinkTypeLinuxSLL && k == sllPktTypeOff:
			ins.K = skfAdOff + uint32(bpf.ExtType)
		case lt == pcap.LinkTypeLinuxSLL2 && k == sll2IfIndexOff:
			ins.K = skfAdOff + uint32(bpf.ExtInterfaceIndex)
		case int32(k) > 0:
			return nil, false
		}
	}
	return fixed, true
}

// snaplenProgram is the program tcpdump attaches when given no filter
// expression: accept every packet, cut to snaplen bytes in the kernel.
func snaplenProgram(snaplen int) []bpf.RawInstruction {
	return []bpf.RawInstruction{{Op: 0x06, K: uint32(snaplen)}} // ret #snaplen
}

// userFilter runs a program in user space, for a program the kernel cannot
// run. It wraps x/net/bpf's VM, the reference interpreter.
type userFilter struct {
	vm *bpf.VM
}

// newUserFilter checks and loads prog.
func newUserFilter(prog []bpf.RawInstruction) (*userFilter, error) {
	insns, ok := bpf.Disassemble(prog)
	if !ok {
		return nil, fmt.Errorf("live: the filter program has instructions the user-space interpreter does not know")
	}
	vm, err := bpf.NewVM(insns)
	if err != nil {
		return nil, fmt.Errorf("live: filter program: %w", err)
	}
	return &userFilter{vm: vm}, nil
}

// accept runs the program on a packet and reports whether it keeps it.
func (f *userFilter) accept(data []byte) bool {
	n, err := f.vm.Run(data)
	return err == nil && n > 0
}
