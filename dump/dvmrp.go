package dump

import "github.com/medina-net/medina/ipv4"

// DVMRP (RFC 1075 and its draft successors), carried in IGMP messages of
// type 0x13, as tcpdump's print-dvmrp.c prints it.

// DVMRP message types (the IGMP code byte).
const (
	dvmrpProbe      = 1
	dvmrpReport     = 2
	dvmrpNeighbors  = 4
	dvmrpNeighbors2 = 6
	dvmrpPrune      = 7
	dvmrpGraft      = 8
	dvmrpGraftAck   = 9
)

var dvmrpTypes = []tok{
	{dvmrpProbe, "Probe"}, {dvmrpReport, "Report"}, {3, "Ask-neighbors(old)"},
	{dvmrpNeighbors, "Neighbors(old)"}, {5, "Ask-neighbors2"}, {dvmrpNeighbors2, "Neighbors2"},
	{dvmrpPrune, "Prune"}, {dvmrpGraft, "Graft"}, {dvmrpGraftAck, "Graft-ACK"},
}

// Neighbor flags of a Neighbors2 message, in the order tcpdump prints
// them.
var dvmrpNeighborFlags = []tok{
	{0x01, "/tunnel"}, {0x02, "/srcrt"}, {0x40, "/querier"}, {0x20, "/disabled"}, {0x10, "/down"},
}

// dvmrp prints a DVMRP message of the given length, from its IGMP header
// on (tcpdump's dvmrp_print).
func (p *Printer) dvmrp(b []byte, length int) {
	p.proto = "dvmrp"
	if length < igmpMinLen {
		p.s(" [length ")
		p.u(uint64(length))
		p.s(" < 8] (invalid)")
		return
	}
	typ := p.get8(b, 1)
	body, n := b[min(igmpMinLen, len(b)):], length-igmpMinLen
	p.c(' ')
	p.tok2str(dvmrpTypes, "[type %d]", uint32(typ))
	switch typ {
	case dvmrpProbe:
		if p.opt.Verbose > 0 {
			p.dvmrpProbe(body, n)
		}
	case dvmrpReport:
		if p.opt.Verbose > 1 {
			p.dvmrpReport(body, n)
		}
	case dvmrpNeighbors:
		p.dvmrpNeighbors(body, n)
	case dvmrpNeighbors2:
		// The version is in the IGMP header's group address field.
		major, minor := p.get8(b, 7), p.get8(b, 6)
		p.dvmrpNeighbors2(body, n, major, minor)
	case dvmrpPrune, dvmrpGraft, dvmrpGraftAck:
		p.need(body, 8)
		p.v4At(" src ", body, 0)
		p.v4At(" grp ", body, 4)
		if typ == dvmrpPrune {
			p.s(" timer ")
			p.relTime(p.get32(body, 8))
		}
	}
}

// dvmrpLen prints " [WHAT N < MIN] (invalid)".
func (p *Printer) dvmrpLen(what string, n, minimum int) {
	p.s(what)
	p.u(uint64(n))
	p.s(" < ")
	p.u(uint64(minimum))
	p.s("] (invalid)")
}

// dvmrpProbe prints a probe's generation ID and, with -vv, its neighbors.
func (p *Printer) dvmrpProbe(b []byte, n int) {
	if n < 4 {
		p.dvmrpLen(" [full length ", n, 4)
		return
	}
	sep := " "
	if p.opt.Verbose > 1 {
		sep = "\n\t"
	}
	p.s(sep)
	p.su("genid ", uint64(p.get32(b, 0)))
	if p.opt.Verbose < 2 {
		return
	}
	for off := 4; n-off > 0; off += 4 {
		if n-off < 4 {
			p.dvmrpLen("[remaining length ", n-off, 4)
			return
		}
		p.v4At("\n\tneighbor ", b, off)
	}
}

// dvmrpReport prints a route report: masks, each followed by the origins
// it applies to, with their metrics.
func (p *Printer) dvmrpReport(b []byte, n int) {
	off := 0
	for n > 0 {
		if n < 3 {
			p.dvmrpLen(" [length ", n, 3)
			return
		}
		m0, m1, m2 := p.get8(b, off), p.get8(b, off+1), p.get8(b, off+2)
		width := 1
		if m0 != 0 {
			width = 2
		}
		if m1 != 0 {
			width = 3
		}
		if m2 != 0 {
			width = 4
		}
		p.s("\n\tMask ")
		p.out = ipv4.Addr([]byte{0xff, m0, m1, m2}).AppendTo(p.out)
		off += 3
		n -= 3
		for done := false; !done; {
			if n < width+1 {
				p.s("\n\t  [Truncated Report] (invalid)")
				return
			}
			var origin [4]byte
			for i := range width {
				origin[i] = p.get8(b, off)
				off++
			}
			metric := p.get8(b, off)
			off++
			done = metric&0x80 != 0
			p.s("\n\t  ")
			p.out = ipv4.Addr(origin[:]).AppendTo(p.out)
			p.su(" metric ", uint64(metric&0x7f))
			n -= width + 1
		}
	}
}

// dvmrpNeighbors prints an old-style neighbors message.
func (p *Printer) dvmrpNeighbors(b []byte, n int) {
	off := 0
	for n > 0 {
		if n < 7 {
			p.dvmrpLen(" [length ", n, 7)
			return
		}
		laddr := off
		metric, thresh, count := p.get8(b, off+4), p.get8(b, off+5), int(p.get8(b, off+6))
		off += 7
		n -= 7
		for ; count > 0; count-- {
			if n < 4 {
				p.dvmrpLen(" [length ", n, 4)
				return
			}
			p.v4At(" [", b, laddr)
			p.s(" ->")
			p.v4At(" ", b, off)
			p.su(", (", uint64(metric))
			p.su("/", uint64(thresh))
			p.s(")]")
			off += 4
			n -= 4
		}
	}
}

// dvmrpNeighbors2 prints a neighbors message of the newer format.
func (p *Printer) dvmrpNeighbors2(b []byte, n int, major, minor uint8) {
	p.su(" (v ", uint64(major))
	p.su(".", uint64(minor))
	p.s("):")
	off := 0
	for n > 0 {
		if n < 8 {
			p.dvmrpLen(" [length ", n, 8)
			return
		}
		laddr := off
		metric, thresh := p.get8(b, off+4), p.get8(b, off+5)
		flags, count := p.get8(b, off+6), int(p.get8(b, off+7))
		off += 8
		n -= 8
		for count--; count >= 0 && n > 0; count-- {
			if n < 4 {
				p.dvmrpLen(" [length ", n, 4)
				return
			}
			p.v4At(" [", b, laddr)
			p.s(" -> ")
			p.v4At("", b, off)
			p.su(" (", uint64(metric))
			p.su("/", uint64(thresh))
			for _, f := range dvmrpNeighborFlags {
				if uint32(flags)&f.v != 0 {
					p.s(f.s)
				}
			}
			p.s(")]")
			off += 4
			n -= 4
		}
		if count != -1 {
			p.s(" [invalid ncount] (invalid)")
			return
		}
	}
}
