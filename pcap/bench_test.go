package pcap

import (
	"bytes"
	"encoding/binary"
	"io"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/gopacket/gopacket/pcapgo"
)

// benchPackets is the number of packets in the benchmark captures.
const benchPackets = 10000

// tcpFrame returns an Ethernet/IPv4/TCP frame of n bytes (n >= 54).
func tcpFrame(n int, seq uint32) []byte {
	f := make([]byte, n)
	copy(f[0:], []byte{0x02, 0, 0, 0, 0, 1, 0x02, 0, 0, 0, 0, 2, 0x08, 0x00})
	ip := f[14:]
	ip[0] = 0x45
	binary.BigEndian.PutUint16(ip[2:], uint16(n-14))
	ip[8], ip[9] = 64, 6
	copy(ip[12:], []byte{10, 0, 0, 1, 10, 0, 0, 2})
	tcp := ip[20:]
	binary.BigEndian.PutUint16(tcp[0:], 443)
	binary.BigEndian.PutUint16(tcp[2:], 50000)
	binary.BigEndian.PutUint32(tcp[4:], seq)
	tcp[12], tcp[13] = 0x50, 0x18
	return f
}

// benchSizes cycles through a typical mix: ACKs, full segments, small
// requests.
var benchSizes = []int{66, 1514, 54, 590, 1514, 1514, 66, 200}

// benchCapture writes a classic pcap (or pcapng) capture of benchPackets
// TCP frames with the package's own writers.
func benchCapture(tb testing.TB, ng bool) ([]byte, int64) {
	var buf bytes.Buffer
	var total int64
	ts := time.Unix(1700000000, 0)
	if ng {
		w, err := NewNgWriter(&buf, NgInterface{LinkType: LinkTypeEthernet})
		if err != nil {
			tb.Fatal(err)
		}
		for i := range benchPackets {
			f := tcpFrame(benchSizes[i%len(benchSizes)], uint32(i))
			total += int64(len(f))
			if err := w.WritePacket(0, ts.Add(time.Duration(i)*time.Microsecond), f, len(f), Direction(1+i%2)); err != nil {
				tb.Fatal(err)
			}
		}
		if err := w.Flush(); err != nil {
			tb.Fatal(err)
		}
		return buf.Bytes(), total
	}
	w, err := NewWriter(&buf, LinkTypeEthernet, 262144, false)
	if err != nil {
		tb.Fatal(err)
	}
	for i := range benchPackets {
		f := tcpFrame(benchSizes[i%len(benchSizes)], uint32(i))
		total += int64(len(f))
		if err := w.WritePacket(ts.Add(time.Duration(i)*time.Microsecond), f, len(f)); err != nil {
			tb.Fatal(err)
		}
	}
	if err := w.Flush(); err != nil {
		tb.Fatal(err)
	}
	return buf.Bytes(), total
}

// rewind starts r over on data without allocating, so that one benchmark
// op can be one packet however large b.N grows.
func (r *Reader) rewind(br *bytes.Reader, data []byte) {
	br.Reset(data)
	r.src.rd = br
	r.src.r, r.src.w, r.src.off, r.src.err = 0, 0, 0, nil
	r.err = nil
	r.ng.ifaces, r.ng.conv = r.ng.ifaces[:0], r.ng.conv[:0]
	if err := r.detect(int64(len(data))); err != nil {
		panic(err)
	}
}

// benchRead reads one packet per op from an in-memory capture, starting
// over at its end. ns/op is the cost of one packet.
func benchRead(b *testing.B, ng bool) {
	data, total := benchCapture(b, ng)
	br := bytes.NewReader(data)
	r, err := NewReader(br)
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(total / benchPackets)
	b.ReportAllocs()
	b.ResetTimer()
	var sum int
	for range b.N {
		p, err := r.Next()
		if err == io.EOF {
			r.rewind(br, data)
			p, err = r.Next()
		}
		if err != nil {
			b.Fatal(err)
		}
		sum += len(p.Data)
	}
	if sum == 0 {
		b.Fatal("no data")
	}
}

// BenchmarkReadPcap reads a classic pcap capture of 10k Ethernet/IPv4/TCP
// frames from memory: ns/op is ns per packet, and it must not allocate.
func BenchmarkReadPcap(b *testing.B) { benchRead(b, false) }

// BenchmarkReadPcapNG is the same for pcapng with epb_flags.
func BenchmarkReadPcapNG(b *testing.B) { benchRead(b, true) }

// BenchmarkReadPcapFile reads the capture from a file, opening it once per
// op, as netdump does; it reports ns and allocations per packet.
func BenchmarkReadPcapFile(b *testing.B) {
	data, total := benchCapture(b, false)
	path := filepath.Join(b.TempDir(), "bench.pcap")
	if err := os.WriteFile(path, data, 0o644); err != nil {
		b.Fatal(err)
	}
	b.SetBytes(total)
	b.ReportAllocs()
	b.ResetTimer()
	for range b.N {
		r, err := Open(path)
		if err != nil {
			b.Fatal(err)
		}
		n := 0
		for {
			_, err := r.Next()
			if err == io.EOF {
				break
			}
			if err != nil {
				b.Fatal(err)
			}
			n++
		}
		r.Close()
		if n != benchPackets {
			b.Fatalf("%d packets", n)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*benchPackets), "ns/packet")
}

// BenchmarkPcapgoReader reads the same capture with pcapgo's Reader
// (ZeroCopyReadPacketData), for comparison.
func BenchmarkPcapgoReader(b *testing.B) {
	data, total := benchCapture(b, false)
	b.SetBytes(total / benchPackets)
	b.ReportAllocs()
	br := bytes.NewReader(data)
	r, err := pcapgo.NewReader(br)
	if err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	for range b.N {
		_, _, err := r.ZeroCopyReadPacketData()
		if err == io.EOF {
			br.Reset(data)
			r, _ = pcapgo.NewReader(br) // allocates, once per 10k packets
			_, _, err = r.ZeroCopyReadPacketData()
		}
		if err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkWritePcap writes classic pcap packets; it must not allocate.
func BenchmarkWritePcap(b *testing.B) {
	w, err := NewWriter(io.Discard, LinkTypeEthernet, 0, true)
	if err != nil {
		b.Fatal(err)
	}
	f := tcpFrame(590, 1)
	ts := time.Unix(1700000000, 1)
	b.SetBytes(int64(len(f)))
	b.ReportAllocs()
	for range b.N {
		if err := w.WritePacket(ts, f, len(f)); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkWritePcapNG writes pcapng packets with a direction; it must not
// allocate.
func BenchmarkWritePcapNG(b *testing.B) {
	w, err := NewNgWriter(io.Discard, NgInterface{LinkType: LinkTypeEthernet})
	if err != nil {
		b.Fatal(err)
	}
	f := tcpFrame(590, 1)
	ts := time.Unix(1700000000, 1)
	b.SetBytes(int64(len(f)))
	b.ReportAllocs()
	for i := range b.N {
		if err := w.WritePacket(0, ts, f, len(f), Direction(1+i%2)); err != nil {
			b.Fatal(err)
		}
	}
}

// TestNoAllocs makes the zero-allocation claims of the benchmarks part of
// the test suite.
func TestNoAllocs(t *testing.T) {
	for _, ng := range []bool{false, true} {
		data, _ := benchCapture(t, ng)
		br := bytes.NewReader(data)
		r, err := NewReader(br)
		if err != nil {
			t.Fatal(err)
		}
		allocs := testing.AllocsPerRun(3*benchPackets, func() {
			if _, err := r.Next(); err == io.EOF {
				r.rewind(br, data)
			}
		})
		if allocs != 0 {
			t.Errorf("pcapng %v: %v allocations per packet", ng, allocs)
		}
	}
	w, _ := NewWriter(io.Discard, LinkTypeEthernet, 0, false)
	nw, _ := NewNgWriter(io.Discard, NgInterface{LinkType: LinkTypeEthernet})
	f := tcpFrame(100, 1)
	ts := time.Unix(1, 2)
	if a := testing.AllocsPerRun(1000, func() { w.WritePacket(ts, f, len(f)) }); a != 0 {
		t.Errorf("Writer: %v allocations per packet", a)
	}
	if a := testing.AllocsPerRun(1000, func() { nw.WritePacket(0, ts, f, len(f), DirectionOutbound) }); a != 0 {
		t.Errorf("NgWriter: %v allocations per packet", a)
	}
}
