package dump

import (
	"github.com/medina-net/medina/checksum"
)

// IGMP, versions 1 to 3 (RFC 1112, RFC 2236, RFC 3376), with the PIMv1
// and multicast traceroute messages it carries, as tcpdump's print-igmp.c
// prints them. DVMRP, also carried in IGMP, is in dvmrp.go.

// IGMP message types.
const (
	igmpQuery     = 0x11
	igmpV1Report  = 0x12
	igmpDVMRP     = 0x13
	igmpPIMv1     = 0x14
	igmpV2Report  = 0x16
	igmpLeave     = 0x17
	igmpMtraceRsp = 0x1e
	igmpMtrace    = 0x1f
	igmpV3Report  = 0x22

	igmpMinLen   = 8
	igmpV3MinLen = 12
	mtraceLen    = 8 + 16 // the IGMP header and the traceroute query
)

var igmpV3RecordTypes = []tok{
	{1, "is_in"}, {2, "is_ex"}, {3, "to_in"}, {4, "to_ex"}, {5, "allow"}, {6, "block"},
}

// igmp prints an IGMP message of the given length (tcpdump's igmp_print);
// with -v it checks the checksum.
func (p *Printer) igmp(b []byte, length int) {
	p.proto = "igmp"
	if p.opt.Quiet {
		p.s("igmp")
		return
	}
	switch typ := p.get8(b, 0); typ {
	case igmpQuery:
		p.s("igmp query")
		if length >= igmpV3MinLen {
			p.igmpV3Query(b, length)
			break
		}
		if mrt := p.get8(b, 1); mrt != 0 {
			p.s(" v2")
			if mrt != 100 {
				p.s(" [max resp time ")
				p.u(uint64(mrt))
				p.c(']')
			}
		} else {
			p.s(" v1")
		}
		if p.get32(b, 4) != 0 {
			p.v4At(" [gaddr ", b, 4)
			p.c(']')
		}
		if length != igmpMinLen {
			p.s(" [len ")
			p.u(uint64(length))
			p.c(']')
		}
	case igmpV1Report:
		p.v4At("igmp v1 report ", b, 4)
		if length != igmpMinLen {
			p.s(" [len ")
			p.u(uint64(length))
			p.c(']')
		}
	case igmpV2Report:
		p.v4At("igmp v2 report ", b, 4)
	case igmpV3Report:
		p.s("igmp v3 report")
		p.igmpV3Report(b, length)
	case igmpLeave:
		p.v4At("igmp leave ", b, 4)
	case igmpDVMRP:
		p.s("igmp dvmrp")
		if length < igmpMinLen {
			p.s(" [len ")
			p.u(uint64(length))
			p.c(']')
		} else {
			p.dvmrp(b, length)
		}
	case igmpPIMv1:
		p.s("igmp pimv1")
		p.pim1(b, length)
	case igmpMtraceRsp:
		p.mtrace("mresp", b, length)
	case igmpMtrace:
		p.mtrace("mtrace", b, length)
	default:
		p.s("igmp-")
		p.u(uint64(typ))
	}
	if p.opt.Verbose > 0 && length >= 4 && length <= len(b) {
		if ^checksum.Fold(checksum.Add(0, b[:length])) != 0 {
			p.s(" bad igmp cksum ")
			p.x(uint64(p.get16(b, 2)))
			p.c('!')
		}
	}
}

// mtrace prints a multicast traceroute query or response (tcpdump's
// print_mtrace).
func (p *Printer) mtrace(name string, b []byte, length int) {
	if length < mtraceLen {
		p.s(" [invalid len ")
		p.u(uint64(length))
		p.c(']')
		return
	}
	p.need(b, mtraceLen)
	p.s(name)
	p.c(' ')
	p.u(uint64(p.get24(b, 8+13)))
	p.v4At(": ", b, 8)
	p.v4At(" to ", b, 8+4)
	p.v4At(" reply-to ", b, 8+8)
	if p.get32(b, 8+8)&0xf0000000 == 0xe0000000 {
		p.su(" with-ttl ", uint64(p.get8(b, 8+12)))
	}
}

// igmpV3Report prints the group records of a version 3 report
// (tcpdump's print_igmpv3_report).
func (p *Printer) igmpV3Report(b []byte, length int) {
	if length < 16 || length&3 != 0 {
		p.s(" [invalid len ")
		p.u(uint64(length))
		p.c(']')
		return
	}
	ngroups := int(p.get16(b, 6))
	p.s(", ")
	p.u(uint64(ngroups))
	p.s(" group record(s)")
	if p.opt.Verbose == 0 {
		return
	}
	group := 8
	for range ngroups {
		if length < group+8 {
			p.s(" [invalid number of groups]")
			return
		}
		p.v4At(" [gaddr ", b, group+4)
		rt := p.get8(b, group)
		p.c(' ')
		p.tok2str(igmpV3RecordTypes, " [v3-report-#%d]", uint32(rt))
		nsrcs := int(p.get16(b, group+2))
		if length < group+8+nsrcs<<2 {
			p.s(" [invalid number of sources ")
			p.u(uint64(nsrcs))
			p.c(']')
			return
		}
		if p.opt.Verbose == 1 {
			p.s(", ")
			p.u(uint64(nsrcs))
			p.s(" source(s)")
		} else {
			p.s(" {")
			for j := range nsrcs {
				p.v4At(" ", b, group+8+j<<2)
			}
			p.s(" }")
		}
		group += 8 + nsrcs<<2
		p.c(']')
	}
}

// igmpV3Query prints the rest of a version 3 query (tcpdump's
// print_igmpv3_query).
func (p *Printer) igmpV3Query(b []byte, length int) {
	p.s(" v3")
	if length < igmpV3MinLen || length&3 != 0 {
		p.s(" [invalid len ")
		p.u(uint64(length))
		p.c(']')
		return
	}
	mrc := uint32(p.get8(b, 1))
	mrt := mrc
	if mrc >= 128 {
		// A floating-point code: mantissa and exponent (RFC 3376, 4.1.1).
		mrt = (mrc&0x0f | 0x10) << ((mrc&0x70)>>4 + 3)
	}
	if mrc != 100 {
		p.s(" [max resp time ")
		if mrt < 600 {
			p.f("%.1fs", float64(mrt)*0.1)
		} else {
			p.relTime(mrt / 10)
		}
		p.c(']')
	}
	if p.get32(b, 4) == 0 {
		return
	}
	p.v4At(" [gaddr ", b, 4)
	if nsrcs := int(p.get16(b, 10)); nsrcs > 0 {
		switch {
		case length < igmpV3MinLen+nsrcs<<2:
			p.s(" [invalid number of sources]")
		case p.opt.Verbose > 1:
			p.s(" {")
			for i := range nsrcs {
				p.v4At(" ", b, igmpV3MinLen+i<<2)
			}
			p.s(" }")
		default:
			p.s(", ")
			p.u(uint64(nsrcs))
			p.s(" source(s)")
		}
	}
	p.c(']')
}
