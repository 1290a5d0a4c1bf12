package icmp

import (
	"testing"

	"github.com/medina-net/medina/ipv4"
)

var sink uint64

// BenchmarkMessage is the stack's receive path for an error: parse and
// validate a port unreachable, read its fields, and parse the quoted
// header to find the connection it is about.
func BenchmarkMessage(b *testing.B) {
	msgs, _ := lo(b)
	pkt := msgs[7]
	b.SetBytes(int64(len(pkt)))
	b.ReportAllocs()
	for b.Loop() {
		m, err := NewMessage(pkt)
		if err != nil {
			b.Fatal(err)
		}
		if err := m.Validate(); err != nil {
			b.Fatal(err)
		}
		sink += uint64(m.Type()) + uint64(m.Code()) + uint64(m.Checksum()) + uint64(m.RestOfHeader())
		q, err := ipv4.NewHeader(m.Quoted())
		if err != nil {
			b.Fatal(err)
		}
		sink += uint64(q.Protocol()) + uint64(q.Dst()[3]) + uint64(len(q.Payload()))
		if _, ok := m.Extension(); ok {
			b.Fatal("extension")
		}
	}
}

// BenchmarkEcho is answering a ping of 56 data bytes in place.
func BenchmarkEcho(b *testing.B) {
	msgs, _ := lo(b)
	m := Message(append([]byte(nil), msgs[1]...))
	b.SetBytes(int64(len(m)))
	b.ReportAllocs()
	for b.Loop() {
		if err := m.Check(); err != nil {
			b.Fatal(err)
		}
		sink += uint64(m.ID()) + uint64(m.Seq())
		m.ToEchoReply()
		m.SetType(TypeEcho)
		m.FillChecksum()
	}
}

// BenchmarkEncodeEcho builds an echo request with 56 bytes of data.
func BenchmarkEncodeEcho(b *testing.B) {
	buf := make([]byte, 64)
	data := make([]byte, 56)
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		if _, err := EncodeEcho(buf, TypeEcho, 1, uint16(i), data); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkEncodeDestUnreachable builds a port unreachable quoting 548
// bytes of a full-size datagram, as the stack does for a closed UDP port.
func BenchmarkEncodeDestUnreachable(b *testing.B) {
	_, dgrams := lo(b)
	dgram := dgrams[8]
	buf := make([]byte, 1500)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := EncodeDestUnreachable(buf, UnreachPort, 0, dgram, MaxQuoteLen); err != nil {
			b.Fatal(err)
		}
	}
}
