package dump

import "github.com/medina-net/medina/pcap"

// maxSnaplen is libpcap's MAXIMUM_SNAPLEN; tcpdump refuses to dissect a
// record whose lengths exceed it.
const maxSnaplen = 262144

// printPacket appends one packet to p.out: the packet number with
// PacketNumbers, the timestamp, the link-layer printer's line, the raw
// dumps, and the newline (tcpdump's pretty_print_packet).
func (p *Printer) printPacket(pkt *pcap.Packet) {
	p.n++
	if p.opt.PacketNumbers {
		p.numberPrefix(p.n)
	}
	if p.invalidHeader(pkt) {
		return
	}
	p.printTimestamp(pkt)

	p.proto = ""
	p.llHdrLen = 0
	p.dissect(pkt)

	data := pkt.Data
	hdr := p.llHdrLen
	switch {
	case p.opt.HexASCII > DumpNone:
		if p.opt.HexASCII >= DumpFrame {
			p.hexASCIIDump("\n\t", data)
		} else if len(data) > hdr {
			p.hexASCIIDump("\n\t", data[hdr:])
		}
	case p.opt.Hex > DumpNone:
		if p.opt.Hex >= DumpFrame {
			p.hexDump(data)
		} else if len(data) > hdr {
			p.hexDump(data[hdr:])
		}
	case p.opt.ASCII > DumpNone:
		if p.opt.ASCII >= DumpFrame {
			p.asciiDump(data)
		} else if len(data) > hdr {
			p.asciiDump(data[hdr:])
		}
	}
	p.c('\n')
}

// dissect runs the link-layer printer, catching the unwinding of a printer
// that ran off the captured data and printing " [|proto]" for it.
func (p *Printer) dissect(pkt *pcap.Packet) {
	defer func() {
		if r := recover(); r != nil {
			if _, ok := r.(truncated); !ok {
				panic(r)
			}
			p.s(" [|")
			p.s(p.proto)
			p.c(']')
			// tcpdump dumps the whole packet after a truncation.
			p.llHdrLen = 0
		}
	}()
	p.link(pkt.LinkType, pkt.Data, pkt.Length)
}

// numberPrefix prints the -# packet number, right-aligned in five columns
// followed by two spaces ("%5u  ").
func (p *Printer) numberPrefix(n int) {
	var buf [20]byte
	s := appendPadded(buf[:0], n, 0)
	for i := len(s); i < 5; i++ {
		p.c(' ')
	}
	p.out = append(p.out, s...)
	p.s("  ")
}

// invalidHeader prints tcpdump's "[Invalid header: ...]" line for a record
// whose lengths make no sense, and reports whether it did.
func (p *Printer) invalidHeader(pkt *pcap.Packet) bool {
	caplen, length := uint64(len(pkt.Data)), uint64(pkt.Length)
	bad := false
	sep := func() {
		if !bad {
			p.s("[Invalid header:")
			bad = true
		} else {
			p.c(',')
		}
	}
	if caplen == 0 {
		p.s("[Invalid header: caplen==0")
		bad = true
	}
	if length == 0 {
		sep()
		p.s(" len==0")
	} else if length < caplen {
		sep()
		p.f(" len(%d) < caplen(%d)", length, caplen)
	}
	if caplen > maxSnaplen {
		sep()
		p.f(" caplen(%d) > %d", caplen, maxSnaplen)
	}
	if length > maxSnaplen {
		sep()
		p.f(" len(%d) > %d", length, maxSnaplen)
	}
	if bad {
		p.s("]\n")
	}
	return bad
}
