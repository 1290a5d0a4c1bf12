package dhcp

import "testing"

// BenchmarkReadAck checks and reads an ACK the way the client does: 0
// allocs/op.
func BenchmarkReadAck(b *testing.B) {
	buf := ack(b)
	b.ReportAllocs()
	b.SetBytes(int64(len(buf)))
	for b.Loop() {
		m, err := NewMessage(buf)
		if err != nil || m.Check() != nil {
			b.Fatal(err)
		}
		it := m.Options()
		for o, ok := it.Next(); ok; o, ok = it.Next() {
			o.Addr()
			o.Duration()
		}
	}
}

// BenchmarkEncodeDiscover builds a DISCOVER in a reused buffer.
func BenchmarkEncodeDiscover(b *testing.B) {
	buf := make([]byte, MaxLen)
	opts := make([]byte, 0, 64)
	b.ReportAllocs()
	for b.Loop() {
		opts = AppendMessageType(opts[:0], Discover)
		opts = AppendParamRequest(opts, OptSubnetMask, OptRouter, OptDNS, OptDomainName, OptInterfaceMTU, OptDomainSearch, OptClasslessRoutes)
		f := Fields{Op: OpRequest, XID: 1, CHAddr: testMAC, Options: opts}
		if _, err := f.Encode(buf); err != nil {
			b.Fatal(err)
		}
	}
}
