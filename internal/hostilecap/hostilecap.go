// Package hostilecap builds the hostile captures that the memory and
// robustness tests of netdump, tls and pcap read: a flood of connections
// that each start a TLS record and never finish it, frames with hundreds
// of stacked VLAN tags, and files whose length fields claim gigabytes.
// They are generated rather than committed, so that a test states the
// shape it reads and its size is a parameter.
//
// The package writes the file formats by hand (with encoding/binary), not
// through package pcap, whose writer refuses the very lengths these files
// lie about, and so that pcap's own tests can use it without an import
// cycle. Addresses come from the benchmarking range 198.18.0.0/15 (RFC
// 2544), which no real network routes.
package hostilecap

import (
	"encoding/binary"
	"io"
	"strconv"
	"time"
)

// Link types and magic numbers of the files written here.
const (
	linkEthernet = 1
	pcapMagic    = 0xa1b2c3d4 // microsecond timestamps
	ngSHB        = 0x0a0d0d0a
	ngIDB        = 0x00000001
	ngEPB        = 0x00000006
	ngByteOrder  = 0x1a2b3c4d
	etherIPv4    = 0x0800
	etherVLAN    = 0x8100
)

// Start is the capture time of the first frame of every capture here.
var Start = time.Date(2024, 1, 2, 3, 4, 5, 0, time.UTC)

// Server is the address and port every flood connection is made to.
var Server = [4]byte{198, 19, 0, 1}

// ServerPort is the port the flood connections are made to.
const ServerPort = 443

// HalfOpenTLS is a flood of TCP connections that each start a TLS record
// and send no more: the first segment of a ClientHello whose record says
// it is 16 KiB long. A TLS analyser that reserves room for the whole
// record when it starts holds 16 KiB per connection for the price of one
// small frame.
type HalfOpenTLS struct {
	// Conns is the number of connections; client i is 198.18.x.y with
	// x.y = i (mod 65,536), from port 1024 + i/65,536.
	Conns int
	// SYN makes each connection begin with a SYN (never answered)
	// before its data; without it the capture seems to begin in the
	// middle of each connection, and the data alone opens it.
	SYN bool
	// Payload is the bytes of the record each connection sends, its
	// 5-byte header included: at least 9 (the handshake header), 100
	// when 0.
	Payload int
	// Gap is the capture time between connections; 10 µs when 0.
	Gap time.Duration
}

// RecordLen is the length the flood's record headers announce: the
// largest plaintext record (2^14 bytes).
const RecordLen = 1 << 14

// Frames calls emit with each frame of the flood (Ethernet, IPv4, TCP) and
// its capture time. The frame is emit's only during the call.
func (h HalfOpenTLS) Frames(emit func(frame []byte, ts time.Time)) {
	payload := h.Payload
	if payload == 0 {
		payload = 100
	}
	payload = max(payload, 9)
	gap := h.Gap
	if gap == 0 {
		gap = 10 * time.Microsecond
	}
	buf := make([]byte, 0, 14+20+20+payload)
	data := make([]byte, payload)
	// The record: a handshake record of 2^14 bytes holding the start of
	// a ClientHello of 2^14-4 bytes.
	copy(data, []byte{0x16, 0x03, 0x01, RecordLen >> 8, RecordLen & 0xff, 0x01, 0x00, (RecordLen - 4) >> 8, (RecordLen - 4) & 0xff})
	if payload > 9 {
		data[9] = 0x03
	}
	if payload > 10 {
		data[10] = 0x03
	}
	ts := Start
	for i := range h.Conns {
		src := [4]byte{198, 18, byte(i >> 8), byte(i)}
		sport := uint16(1024 + i/65536)
		for j := 11; j < payload; j++ {
			data[j] = byte(i*31 + j) // the random and whatever follows
		}
		isn := uint32(i) * 2654435761
		if h.SYN {
			emit(TCPFrame(buf[:0], src, Server, sport, ServerPort, isn, 0, flagSYN, nil), ts)
			ts = ts.Add(gap)
			isn++
		}
		emit(TCPFrame(buf[:0], src, Server, sport, ServerPort, isn, 1, flagPSH|flagACK, data), ts)
		ts = ts.Add(gap)
	}
}

// TCP flags of the frames built here.
const (
	flagSYN = 0x02
	flagPSH = 0x08
	flagACK = 0x10
)

// TCPFrame appends to b an Ethernet frame holding an IPv4 datagram holding
// a TCP segment with the given ends, sequence and acknowledgment numbers,
// flags and payload, and returns it. Checksums are computed.
func TCPFrame(b []byte, src, dst [4]byte, sport, dport uint16, seq, ack uint32, flags byte, payload []byte) []byte {
	return VLANTCPFrame(b, 0, src, dst, sport, dport, seq, ack, flags, payload)
}

// VLANTCPFrame is TCPFrame with tags stacked 802.1Q tags (VLAN IDs 1, 2,
// ...) between the Ethernet header and the IPv4 header.
func VLANTCPFrame(b []byte, tags int, src, dst [4]byte, sport, dport uint16, seq, ack uint32, flags byte, payload []byte) []byte {
	b = append(b, 0x02, 0, 0, 0, 0, 0x02, 0x02, 0, 0, 0, 0, 0x01)
	for i := range tags {
		b = binary.BigEndian.AppendUint16(b, etherVLAN)
		b = binary.BigEndian.AppendUint16(b, uint16(i+1)&0xfff)
	}
	b = binary.BigEndian.AppendUint16(b, etherIPv4)
	ip := len(b)
	b = append(b, 0x45, 0)
	b = binary.BigEndian.AppendUint16(b, uint16(20+20+len(payload)))
	b = append(b, 0, 0, 0x40, 0, 64, 6, 0, 0)
	b = append(b, src[:]...)
	b = append(b, dst[:]...)
	binary.BigEndian.PutUint16(b[ip+10:], sum(b[ip:ip+20], 0))
	tcp := len(b)
	b = binary.BigEndian.AppendUint16(b, sport)
	b = binary.BigEndian.AppendUint16(b, dport)
	b = binary.BigEndian.AppendUint32(b, seq)
	b = binary.BigEndian.AppendUint32(b, ack)
	b = append(b, 5<<4, flags, 0xff, 0xff, 0, 0, 0, 0)
	b = append(b, payload...)
	// The pseudo-header: addresses, protocol, TCP length.
	var ph [12]byte
	copy(ph[:], src[:])
	copy(ph[4:], dst[:])
	ph[9] = 6
	binary.BigEndian.PutUint16(ph[10:], uint16(len(b)-tcp))
	binary.BigEndian.PutUint16(b[tcp+16:], sum(b[tcp:], partial(ph[:], 0)))
	return b
}

// partial adds b to an RFC 1071 sum.
func partial(b []byte, s uint32) uint32 {
	for len(b) >= 2 {
		s += uint32(binary.BigEndian.Uint16(b))
		b = b[2:]
	}
	if len(b) == 1 {
		s += uint32(b[0]) << 8
	}
	return s
}

// sum is the RFC 1071 checksum of b after the partial sum s.
func sum(b []byte, s uint32) uint16 {
	s = partial(b, s)
	for s>>16 != 0 {
		s = s&0xffff + s>>16
	}
	return ^uint16(s)
}

// PcapWriter writes a classic pcap file (little-endian, microseconds,
// Ethernet) without checking what it is given.
type PcapWriter struct {
	w   io.Writer
	hdr [16]byte
	err error
}

// NewPcapWriter writes a pcap file header with the given snapshot length
// to w.
func NewPcapWriter(w io.Writer, snaplen uint32) *PcapWriter {
	var h [24]byte
	binary.LittleEndian.PutUint32(h[0:], pcapMagic)
	binary.LittleEndian.PutUint16(h[4:], 2)
	binary.LittleEndian.PutUint16(h[6:], 4)
	binary.LittleEndian.PutUint32(h[16:], snaplen)
	binary.LittleEndian.PutUint32(h[20:], linkEthernet)
	p := &PcapWriter{w: w}
	_, p.err = w.Write(h[:])
	return p
}

// Record writes a record header saying caplen bytes were captured of a
// frame of length bytes, followed by data (which need not be caplen bytes
// long: that is how a file lies).
func (p *PcapWriter) Record(ts time.Time, caplen, length uint32, data []byte) {
	if p.err != nil {
		return
	}
	binary.LittleEndian.PutUint32(p.hdr[0:], uint32(ts.Unix()))
	binary.LittleEndian.PutUint32(p.hdr[4:], uint32(ts.Nanosecond()/1000))
	binary.LittleEndian.PutUint32(p.hdr[8:], caplen)
	binary.LittleEndian.PutUint32(p.hdr[12:], length)
	if _, p.err = p.w.Write(p.hdr[:]); p.err == nil {
		_, p.err = p.w.Write(data)
	}
}

// Frame writes a frame captured whole.
func (p *PcapWriter) Frame(frame []byte, ts time.Time) {
	p.Record(ts, uint32(len(frame)), uint32(len(frame)), frame)
}

// Err returns the first write error.
func (p *PcapWriter) Err() error { return p.err }

// WriteHalfOpenTLS writes h as a pcap file.
func WriteHalfOpenTLS(w io.Writer, h HalfOpenTLS) error {
	p := NewPcapWriter(w, 262144)
	h.Frames(p.Frame)
	return p.Err()
}

// GiantCaplen is a pcap file whose snapshot length is 2^32-1 and whose
// second record says it captured caplen bytes (a frame of as many) but
// holds only a short frame: a reader that believes the length allocates
// it, or reads past the end. A whole TLS ClientHello start comes first,
// so that the TLS view has a connection open when the bad record comes.
func GiantCaplen(caplen uint32) []byte {
	var b sliceWriter
	p := NewPcapWriter(&b, 0xffffffff)
	h := HalfOpenTLS{Conns: 1}
	h.Frames(p.Frame)
	f := TCPFrame(nil, [4]byte{198, 18, 255, 255}, Server, 2000, ServerPort, 1, 1, flagACK, []byte("hello"))
	p.Record(Start.Add(time.Second), caplen, caplen, f)
	return b
}

// DeepVLAN is a pcap file of one TCP connection's frames (a SYN, then data
// starting a TLS record) each behind tags stacked 802.1Q tags.
func DeepVLAN(tags int) []byte {
	var b sliceWriter
	p := NewPcapWriter(&b, 262144)
	src := [4]byte{198, 18, 0, 1}
	p.Frame(VLANTCPFrame(nil, tags, src, Server, 40000, ServerPort, 100, 0, flagSYN, nil), Start)
	rec := []byte{0x16, 0x03, 0x01, 0x00, 0x30, 0x01, 0x00, 0x00, 0x2c, 0x03, 0x03}
	p.Frame(VLANTCPFrame(nil, tags, src, Server, 40000, ServerPort, 101, 1, flagPSH|flagACK, rec), Start.Add(time.Millisecond))
	return b
}

// HugeBlock is a pcapng file with a Section Header Block, an Ethernet
// Interface Description Block, one good Enhanced Packet Block, then a
// block whose total length is length (say 0xfffffffc), followed by a few
// bytes: a reader that believes the length allocates gigabytes.
func HugeBlock(length uint32) []byte {
	le := binary.LittleEndian
	var b []byte
	// SHB: type, length 28, byte-order magic, version 1.0, section
	// length -1, length.
	b = le.AppendUint32(b, ngSHB)
	b = le.AppendUint32(b, 28)
	b = le.AppendUint32(b, ngByteOrder)
	b = le.AppendUint16(b, 1)
	b = le.AppendUint16(b, 0)
	b = le.AppendUint64(b, ^uint64(0))
	b = le.AppendUint32(b, 28)
	// IDB: Ethernet, snaplen 262144, no options.
	b = le.AppendUint32(b, ngIDB)
	b = le.AppendUint32(b, 20)
	b = le.AppendUint16(b, linkEthernet)
	b = le.AppendUint16(b, 0)
	b = le.AppendUint32(b, 262144)
	b = le.AppendUint32(b, 20)
	// EPB: one frame starting a TLS record.
	var f []byte
	HalfOpenTLS{Conns: 1}.Frames(func(fr []byte, _ time.Time) { f = append(f, fr...) })
	padded := (len(f) + 3) &^ 3
	total := uint32(28 + padded + 4)
	b = le.AppendUint32(b, ngEPB)
	b = le.AppendUint32(b, total)
	b = le.AppendUint32(b, 0)
	us := uint64(Start.UnixMicro())
	b = le.AppendUint32(b, uint32(us>>32))
	b = le.AppendUint32(b, uint32(us))
	b = le.AppendUint32(b, uint32(len(f)))
	b = le.AppendUint32(b, uint32(len(f)))
	b = append(b, f...)
	b = append(b, make([]byte, padded-len(f))...)
	b = le.AppendUint32(b, total)
	// The huge block: an EPB that claims length bytes.
	b = le.AppendUint32(b, ngEPB)
	b = le.AppendUint32(b, length)
	b = append(b, make([]byte, 32)...)
	return b
}

// Pcap returns a pcap file of h's frames.
func (h HalfOpenTLS) Pcap() []byte {
	var b sliceWriter
	WriteHalfOpenTLS(&b, h)
	return b
}

// FuzzSeed returns a file of a Go fuzz target's seed corpus
// (testdata/fuzz/FuzzName/...) whose one argument, a []byte, is b.
func FuzzSeed(b []byte) []byte {
	return []byte("go test fuzz v1\n[]byte(" + strconv.Quote(string(b)) + ")\n")
}

// sliceWriter is an io.Writer appending to a byte slice.
type sliceWriter []byte

func (w *sliceWriter) Write(p []byte) (int, error) {
	*w = append(*w, p...)
	return len(p), nil
}
