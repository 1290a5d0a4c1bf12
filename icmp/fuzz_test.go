package icmp

import (
	"bytes"
	"errors"
	"io"
	"testing"

	"github.com/gopacket/gopacket"
	"github.com/gopacket/gopacket/layers"
	"github.com/medina-net/medina/ipv4"
)

// FuzzMessage feeds arbitrary bytes to the view. Nothing may panic; Check
// and Validate must agree; and gopacket's layers.ICMPv4, which decodes any
// 8 bytes or more, must agree on the fields both decode.
func FuzzMessage(f *testing.F) {
	for _, p := range readIPv4(f, linuxLoPcap) {
		if m, _, ok := icmpIn(p.b); ok {
			f.Add(m)
		}
	}
	for _, file := range corpusFiles() {
		for _, p := range readIPv4(f, file) {
			if m, _, ok := icmpIn(p.b); ok {
				f.Add(m)
			}
		}
	}
	f.Add([]byte(mplsTimeExceeded(true)))
	f.Add([]byte(mplsTimeExceeded(false)))
	f.Add([]byte{byte(TypeRouterAdvert), 0, 0, 0, 2, 2, 0, 30, 10, 0, 0, 1, 0, 0, 0, 1})
	f.Add([]byte{49, 0x80, 0xbc})
	f.Fuzz(func(t *testing.T, b []byte) {
		// Every offset the package reads is below 1100 (the RFC 4884
		// length field reaches 1028); longer inputs only make the
		// fuzzer's minimizing slow.
		if len(b) > 2048 {
			return
		}
		var g layers.ICMPv4
		gerr := g.DecodeFromBytes(b, gopacket.NilDecodeFeedback)
		m, err := NewMessage(b)
		if err != nil {
			if len(b) >= MinLen || !errors.Is(err, ErrTruncated) {
				t.Fatalf("NewMessage(%d bytes) = %v", len(b), err)
			}
			if gerr == nil {
				t.Fatalf("gopacket decoded %d bytes", len(b))
			}
			return
		}
		readAll(m)
		check, valid := m.Check(), m.Validate()
		if (check == nil) != (valid == nil) || !errors.Is(valid, check) {
			t.Fatalf("Check %v, Validate %v", check, valid)
		}
		if check == nil && !m.HasRest() {
			t.Fatal("valid without the 8-byte header")
		}
		if check == nil && m.Type() == TypeEcho {
			// A host answers a valid request with a valid reply.
			r := Message(bytes.Clone(m))
			r.ToEchoReply()
			if err := r.Validate(); err != nil || r.Type() != TypeEchoReply {
				t.Fatalf("reply % x: %v", r[:HeaderLen], err)
			}
		}
		if m.ChecksumValid() != (m.ComputeChecksum() == m.Checksum()) && m.Checksum() != 0xffff && m.ComputeChecksum() != 0xffff {
			// 0x0000 and 0xffff are the two zeros of one's complement: a
			// message may carry either where the other is computed.
			t.Fatalf("ChecksumValid %v, checksum %#04x, computed %#04x", m.ChecksumValid(), m.Checksum(), m.ComputeChecksum())
		}

		if (gerr == nil) != m.HasRest() {
			t.Fatalf("gopacket: %v, HasRest %v", gerr, m.HasRest())
		}
		if gerr == nil {
			if g.TypeCode != layers.CreateICMPv4TypeCode(uint8(m.Type()), uint8(m.Code())) ||
				g.Checksum != m.Checksum() || g.Id != m.ID() || g.Seq != m.Seq() ||
				!bytes.Equal(g.Payload, m.Payload()) {
				t.Fatalf("gopacket %v checksum %#x id %d seq %d disagrees with % x", g.TypeCode, g.Checksum, g.Id, g.Seq, m[:8])
			}
		}
	})
}

// readAll calls every accessor and walks every structure, for the fuzzer
// to find a panic in.
func readAll(m Message) {
	_, _, _, _ = m.Type(), m.Code(), m.Checksum(), m.HasRest()
	_, _, _, _, _ = m.RestOfHeader(), m.ID(), m.Seq(), m.Gateway(), m.Pointer()
	_, _, _, _, _ = m.NextHopMTU(), m.QuotedLen(), m.NumAddrs(), m.AddrEntrySize(), m.Lifetime()
	_, _, _, _, _, _ = m.ExtEchoSeq(), m.ExtEchoLocal(), m.ExtEchoState(), m.ExtEchoActive(), m.ExtEchoIPv4(), m.ExtEchoIPv6()
	_, _ = m.Payload(), m.ComputeChecksum()
	_, _, _, _ = m.Timestamps()
	_, _ = m.AddressMask()
	for i := range int(m.NumAddrs()) + 1 {
		if _, _, ok := m.RouterEntry(i); !ok {
			break
		}
	}
	if q := m.Quoted(); q != nil {
		if h, err := ipv4.NewHeader(q); err == nil {
			_, _ = h.Payload(), h.Validate()
		}
	}
	_ = tcpdumpLine(m, len(m))
	walk := func(e Extension) {
		_, _, _, _ = e.Version(), e.Checksum(), e.ComputeChecksum(), e.ChecksumValid()
		it := e.Objects()
		for n := 0; ; n++ {
			if n > len(e) {
				panic("more objects than bytes")
			}
			o, err := it.Next()
			_ = o.Data()
			_, _ = o.MPLSEntry(0)
			if err == io.EOF {
				break
			}
			if err != nil {
				break
			}
		}
	}
	if e, ok := m.Extension(); ok {
		walk(e)
	}
	if len(m) > LegacyExtensionOffset {
		if e, err := NewExtension(m[LegacyExtensionOffset:]); err == nil {
			walk(e)
		}
	}
}
