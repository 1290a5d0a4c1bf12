// Package dump prints packets the way tcpdump 4.99.3 does, byte for byte:
// one line per packet (more with Options.Verbose), the same words, the
// same numbers, the same complaints about malformed and truncated data.
// It is netdump's printer, usable by any Go program: a capture read with
// package pcap, the frames of a stack seen through a Device, frames built
// by hand in a test.
//
//	p := dump.New(os.Stdout, dump.Options{Verbose: 1})
//	for {
//		pkt, err := r.Next() // r is a *pcap.Reader
//		if err != nil {
//			break
//		}
//		p.Packet(pkt)
//	}
//
// There is a printer per protocol, in a file of its own as in tcpdump
// (print-ether.c is ether.go, print-tcp.c tcp.go, and so on), and each
// reads its protocol through the wire views of medina's protocol packages
// (ethernet, arp, ipv4, ipv6, icmp, icmpv6, tcp, udp), the same views
// the stack parses with: what a Printer shows is what the stack sees.
// Names are never resolved: the output is tcpdump's with -n.
//
// A Printer keeps state from packet to packet, as tcpdump does: the first
// sequence numbers of each TCP connection, for relative numbers; the
// previous and first timestamps; the packet count. It allocates nothing
// per packet once its buffers have grown, and it never panics on bad
// input: a printer that runs off the end of the captured bytes stops the
// packet with " [|proto]", as tcpdump does. A Printer is not safe for
// concurrent use; Device serialises the frames it prints.
package dump

import (
	"io"
	"time"

	"github.com/medina-net/medina/pcap"
)

// Printer formats packets as tcpdump does. Make one with New.
//
// Each protocol's printer is a method that appends to p.out. A printer
// gets the bytes that were captured (b) and, where the protocol above
// says how long the data should be, that length. It must not read past
// len(b). Instead of checking every read, printers use the get helpers,
// which stop the packet the way tcpdump's GET_ macros do: the rest of the
// packet is abandoned and " [|proto]" is printed, proto being the
// protocol whose printer ran out of data. The unwinding is a panic with a
// private type, recovered in dissect before it can leave the Printer; any
// other panic is a bug and is not recovered.
type Printer struct {
	opt Options
	loc *time.Location // opt.Location, or time.Local
	w   io.Writer      // where Packet writes, or nil
	buf []byte         // Packet's buffer, kept from packet to packet

	// out is the text being formatted: the caller's buffer, lent to the
	// printers for the length of AppendPacket.
	out []byte
	// n is the number of packets printed so far.
	n int

	// proto is the name tcpdump prints in " [|proto]" when a printer runs
	// off the end of the captured data; printers set it on entry.
	proto string
	// llHdrLen is the link-layer header length, which the raw dumps leave
	// out at DumpPayload.
	llHdrLen int

	ts     tsState
	tcpSeq tcpSeqTable
	// slipState is what SLIP's compressed headers print relative to.
	slipState slipState
}

// New returns a Printer that writes packets to w with the given options.
// w may be nil when only the Append methods are used.
func New(w io.Writer, opt Options) *Printer {
	loc := opt.Location
	if loc == nil {
		loc = time.Local
	}
	return &Printer{opt: opt, loc: loc, w: w, buf: make([]byte, 0, 4096)}
}

// Packet prints one packet and writes its text, which ends with a
// newline, to the Printer's writer in one Write call; it returns the
// Write's error. pkt.Data is the packet as captured, pkt.Length its
// length on the wire, pkt.LinkType says what its first header is (an
// Ethernet frame for pcap.LinkTypeEthernet), and the timestamp is pkt.Sec
// and pkt.Frac in units of 1/pkt.FracPerSec (1e6 or 1e9), kept as stored
// so that what tcpdump prints of odd timestamps is printed the same. A
// pcap.Reader's packets are all this; for a frame of one's own, see
// Frame.
func (p *Printer) Packet(pkt *pcap.Packet) error {
	p.buf = p.AppendPacket(p.buf[:0], pkt)
	_, err := p.w.Write(p.buf)
	return err
}

// AppendPacket is Packet appending the text to b instead of writing it,
// for a caller that owns the output buffer; it returns the extended
// buffer, as append does.
func (p *Printer) AppendPacket(b []byte, pkt *pcap.Packet) []byte {
	p.out = b
	p.printPacket(pkt)
	b = p.out
	p.out = nil
	return b
}

// Frame returns a pcap.Packet for Packet and AppendPacket: a whole frame
// of the given link type (pcap.LinkTypeEthernet for a link.Device's
// frames), captured at t, with nanosecond timestamps.
func Frame(t time.Time, lt pcap.LinkType, frame []byte) pcap.Packet {
	return pcap.Packet{
		Data:       frame,
		Length:     len(frame),
		Sec:        t.Unix(),
		Frac:       uint32(t.Nanosecond()),
		FracPerSec: 1e9,
		LinkType:   lt,
	}
}

// AppendTimestamp appends pkt's timestamp as the start of a packet's line
// shows it, followed by a space (nothing with NoTimestamp), and returns
// the extended buffer. It shares the Printer's state: with SincePrevious
// the timestamp becomes the previous one. netdump starts its TLS lines
// with it.
func (p *Printer) AppendTimestamp(b []byte, pkt *pcap.Packet) []byte {
	p.out = b
	p.printTimestamp(pkt)
	b = p.out
	p.out = nil
	return b
}
