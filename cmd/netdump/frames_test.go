package main

import (
	"github.com/medina-net/medina/ethernet"
	"github.com/medina-net/medina/ipv4"
	"github.com/medina-net/medina/tcp"
)

// The TLS view's tests build TCP segments in Ethernet frames with the wire
// packages' builders. (The printers' own tables, with their malformed
// headers, are in package dump.)

var (
	hostA = ipv4.Addr{10, 0, 0, 1}
	hostB = ipv4.Addr{10, 0, 0, 2}
)

// seg describes a TCP segment for tcpFrame.
type seg struct {
	src, dst     ipv4.Addr
	sport, dport uint16
	seq, ack     uint32
	flags        uint8 // the flags byte
	win          uint16
	data         []byte
	off          int // data offset in bytes when not 20: a malformed header
}

// tcpFrame builds an Ethernet frame holding s, from hostA to hostB unless
// s says otherwise, with correct checksums.
func tcpFrame(s seg) []byte {
	if s.src == (ipv4.Addr{}) {
		s.src, s.dst = hostA, hostB
	}
	const ipStart = ethernet.HeaderLen
	tcpStart := ipStart + ipv4.MinHeaderLen
	b := make([]byte, tcpStart+tcp.HeaderLen+len(s.data))
	if _, err := ethernet.Encode(b, ethernet.Addr{2, 0, 0, 0, 0, 2}, ethernet.Addr{2, 0, 0, 0, 0, 1}, ethernet.TypeIPv4); err != nil {
		panic(err)
	}
	ip := ipv4.Fields{PayloadLen: len(b) - tcpStart, ID: 0x1234, TTL: 64, Protocol: ipv4.ProtoTCP, Src: s.src, Dst: s.dst}
	if _, err := ip.Encode(b[ipStart:]); err != nil {
		panic(err)
	}
	copy(b[tcpStart+tcp.HeaderLen:], s.data)
	if s.win == 0 {
		s.win = 512
	}
	f := tcp.Fields{SrcPort: s.sport, DstPort: s.dport, Seq: s.seq, Ack: s.ack, Flags: tcp.Flags(s.flags), Window: s.win}
	h, err := f.EncodeChecksum(b[tcpStart:], s.src, s.dst)
	if err != nil {
		panic(err)
	}
	if s.off != 0 {
		// SetDataOffset refuses a malformed one; the field is the high
		// nibble of byte 12.
		h[12] = byte(s.off/4)<<4 | h[12]&0x0f
		h.SetChecksum(h.ComputeChecksum(s.src, s.dst))
	}
	return b
}
