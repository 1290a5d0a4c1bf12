package main

import (
	"fmt"

	"github.com/medina-net/medina/dump"
	"github.com/medina-net/medina/pcap"
)

// printer is netdump's output for one packet at a time: the packet's line
// from the dump package's Printer and, after it, the TLS view's lines
// (tlsview.go), in one buffer that the read loop writes out once per
// packet.
type printer struct {
	opt  *options
	dump *dump.Printer
	out  []byte
}

func newPrinter(opt *options) *printer {
	return &printer{opt: opt, dump: dump.New(nil, opt.dumpOptions()), out: make([]byte, 0, 4096)}
}

// dumpOptions maps tcpdump's flags to the Printer's options.
func (o *options) dumpOptions() dump.Options {
	return dump.Options{
		Verbose:         o.v,
		LinkHeader:      o.e,
		Quiet:           o.q,
		AbsoluteSeq:     o.S,
		NoChecksum:      o.K,
		Hex:             dumpLevel(o.x),
		HexASCII:        dumpLevel(o.X),
		ASCII:           dumpLevel(o.A),
		TimestampFormat: dump.TimestampFormat(o.t),
		Nano:            o.nano,
		PacketNumbers:   o.numbers,
	}
}

// dumpLevel is the dump level of a flag given n times (-x, -xx).
func dumpLevel(n int) dump.DumpLevel {
	return dump.DumpLevel(min(n, int(dump.DumpFrame)))
}

// printPacket appends the packet's line to p.out.
func (p *printer) printPacket(pkt *pcap.Packet) { p.out = p.dump.AppendPacket(p.out, pkt) }

// printTimestamp appends the packet's timestamp as its line starts with it.
func (p *printer) printTimestamp(pkt *pcap.Packet) { p.out = p.dump.AppendTimestamp(p.out, pkt) }

// s appends a string.
func (p *printer) s(str string) { p.out = append(p.out, str...) }

// c appends one byte.
func (p *printer) c(ch byte) { p.out = append(p.out, ch) }

// f appends a formatted string.
func (p *printer) f(format string, args ...any) { p.out = fmt.Appendf(p.out, format, args...) }

// hexDump appends b as -x dumps a packet.
func (p *printer) hexDump(b []byte) { p.out = dump.AppendHex(p.out, "\n\t", b) }

// hexASCIIDump appends b as -X dumps a packet, each line introduced by
// indent.
func (p *printer) hexASCIIDump(indent string, b []byte) {
	p.out = dump.AppendHexASCII(p.out, indent, b)
}

// printChar appends a byte of untrusted text as tcpdump shows one.
func (p *printer) printChar(c byte) { p.out = dump.AppendChar(p.out, c) }

// asciiDump appends b as -A dumps a packet.
func (p *printer) asciiDump(b []byte) { p.out = dump.AppendASCII(p.out, b) }
