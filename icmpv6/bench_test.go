package icmpv6

import "testing"

// The stack's hot paths: checking a neighbor solicitation, walking its
// options, answering it, and answering a ping.

func BenchmarkCheckNeighborSolicit(b *testing.B) {
	var buf [64]byte
	m, _ := EncodeNeighborSolicit(buf[:], hostB, macA, nil, hostA, hostB.SolicitedNode())
	b.ReportAllocs()
	for b.Loop() {
		if m.Check(hostA, hostB.SolicitedNode()) != nil {
			b.Fatal("invalid")
		}
	}
}

func BenchmarkOptions(b *testing.B) {
	var buf [64]byte
	m, _ := EncodeNeighborSolicit(buf[:], hostB, macA, []byte{1, 2, 3, 4, 5, 6}, hostA, hostB.SolicitedNode())
	b.ReportAllocs()
	for b.Loop() {
		if _, ok := m.Options().Find(OptSourceLinkAddr); !ok {
			b.Fatal("no option")
		}
	}
}

func BenchmarkEncodeNeighborAdvert(b *testing.B) {
	var buf [64]byte
	b.ReportAllocs()
	for b.Loop() {
		if _, err := EncodeNeighborAdvert(buf[:], NASolicited|NAOverride, hostB, macB, hostB, hostA); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkToEchoReply(b *testing.B) {
	var buf [128]byte
	m, _ := EncodeEcho(buf[:], TypeEchoRequest, 1, 1, make([]byte, 56), hostA, hostB)
	b.ReportAllocs()
	for b.Loop() {
		m.ToEchoReply()
		m.SetType(TypeEchoRequest)
	}
}

func BenchmarkCheckInvalid(b *testing.B) {
	var buf [64]byte
	m, _ := EncodeNeighborSolicit(buf[:], hostB, macA, nil, hostA, hostB.SolicitedNode())
	m = m[:20]
	b.ReportAllocs()
	for b.Loop() {
		if m.Check(hostA, hostB) != ErrTruncated {
			b.Fatal("valid")
		}
	}
}
