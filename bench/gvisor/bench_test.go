package gvisorbench

import (
	"net"
	"testing"
	"time"
)

// The four benchmarks. Each runs once per stack (sub-benchmarks medina,
// gvisor and loopback) and, inside it, once per family (ipv4, ipv6; see
// BENCH_FAMILIES) in the same go test run: BenchmarkBulk/gvisor/ipv6. A
// stack that fails over a family fails alone, and the other
// sub-benchmarks still run. Custom units, read by ../tcp-vs-gvisor.sh:
//
//	BenchmarkBulk      Gbit/s        one connection, client to server
//	BenchmarkAllocs    allocs/MB     heap allocations per 10^6 bytes moved
//	                   B/MB          heap bytes allocated per 10^6 bytes
//	BenchmarkIdleConns B/conn-pair   heap per idle established pair
//	BenchmarkRR        rt/s          64-byte request/response round trips
func BenchmarkBulk(b *testing.B)      { forEachKind(b, benchBulk, offloadStack) }
func BenchmarkAllocs(b *testing.B)    { forEachKind(b, benchAllocs, offloadStack) }
func BenchmarkIdleConns(b *testing.B) { forEachKind(b, benchIdleConns) }
func BenchmarkRR(b *testing.B)        { forEachKind(b, benchRR) }

// forEachKind runs f on every stack, and on the stacks in more, over
// every family, the families of a stack one after the other, so that the
// IPv6/IPv4 ratio of a stack is of two runs close in time.
func forEachKind(b *testing.B, f func(*testing.B, kind), more ...stackKind) {
	for _, s := range append(stacks[:len(stacks):len(stacks)], more...) {
		b.Run(s.name, func(b *testing.B) {
			for _, fam := range families {
				k := kindOf(s, fam)
				b.Run(fam.name, func(b *testing.B) { f(b, k) })
			}
		})
	}
}

// newNet builds a pair of k, closed when b ends.
func newNet(b testing.TB, k kind) netstack {
	b.Helper()
	ns, err := k.new()
	if err != nil {
		b.Fatalf("%v: %v", k, err)
	}
	b.Cleanup(ns.Close)
	return ns
}

// check fails b on err.
func check(b testing.TB, err error) {
	b.Helper()
	if err != nil {
		b.Fatal(err)
	}
}

// connect opens one connection on a new pair of k; everything is closed
// when b ends.
func connect(b testing.TB, k kind) (ns netstack, client, server net.Conn) {
	b.Helper()
	ns = newNet(b, k)
	ln, client, server, err := listenAndDial(ns, k)
	check(b, err)
	b.Cleanup(func() {
		client.Close()
		server.Close()
		ln.Close()
	})
	return ns, client, server
}

// retransmitter is a pair that counts the segments its stacks resent.
type retransmitter interface{ Retransmits() uint64 }

// benchBulk moves benchBytes (BENCH_BYTES, 1 GiB by default) per op from
// the client to the server over one connection, after a warm-up transfer,
// and reports the rate in Gbit/s (10^9 bits per second of payload).
func benchBulk(b *testing.B, k kind) {
	ns, client, server := connect(b, k)
	st := newStreamer(client, server)
	defer st.close()
	if _, err := st.transfer(warmupBytes); err != nil {
		b.Fatalf("warm-up: %v", err)
	}
	var retrans0 uint64
	rt, hasRetrans := ns.(retransmitter)
	if hasRetrans {
		retrans0 = rt.Retransmits()
	}
	b.SetBytes(benchBytes)
	var total time.Duration
	ops := 0
	for b.Loop() {
		d, err := st.transfer(benchBytes)
		if err != nil {
			b.Fatal(err)
		}
		total += d
		ops++
	}
	b.ReportMetric(float64(benchBytes)*8*float64(ops)/total.Seconds()/1e9, "Gbit/s")
	if hasRetrans {
		b.ReportMetric(float64(rt.Retransmits()-retrans0)/float64(ops), "retrans/op")
	}
}

// benchAllocs moves allocBytes (BENCH_ALLOC_BYTES, 256 MiB by default)
// per op over one connection in steady state (after the warm-up, on a
// connection already open) and reports the heap allocations that cost,
// both stacks and the link together, per MB (10^6 bytes) moved.
func benchAllocs(b *testing.B, k kind) {
	_, client, server := connect(b, k)
	st := newStreamer(client, server)
	defer st.close()
	if _, err := st.transfer(warmupBytes); err != nil {
		b.Fatalf("warm-up: %v", err)
	}
	b.SetBytes(allocBytes)
	var mallocs, bytes uint64
	ops := 0
	for b.Loop() {
		m, by, err := memDelta(func() error {
			_, err := st.transfer(allocBytes)
			return err
		})
		if err != nil {
			b.Fatal(err)
		}
		mallocs += m
		bytes += by
		ops++
	}
	mb := float64(allocBytes) * float64(ops) / 1e6
	b.ReportMetric(float64(mallocs)/mb, "allocs/MB")
	b.ReportMetric(float64(bytes)/mb, "B/MB")
}

// benchIdleConns opens benchConns (BENCH_CONNS, 10,000 by default)
// connections on a fresh pair per op, both ends in this process, and
// reports the heap growth per established idle connection PAIR (the
// client's end and the server's end together). Goroutine stacks are not
// heap; their growth is reported separately as stack-B/conn-pair.
func benchIdleConns(b *testing.B, k kind) {
	n := benchConns
	if k.name == loopbackName {
		// Two file descriptors per pair; the kernel's socket memory is
		// not in the Go heap, so loopback's figure is the Go side only.
		n = min(n, maxLoopbackConns())
	}
	var heap, stacks float64
	var setup time.Duration
	for range b.N {
		b.StopTimer()
		ns, err := k.new()
		if err != nil {
			b.Fatalf("%v: %v", k, err)
		}
		b.StartTimer()
		res, err := openIdle(ns, k, n)
		b.StopTimer()
		ns.Close()
		check(b, err)
		heap += res.heapPerPair
		stacks += res.stackPerPair
		setup += res.setup
		b.StartTimer()
	}
	b.ReportMetric(heap/float64(b.N), "B/conn-pair")
	b.ReportMetric(stacks/float64(b.N), "stack-B/conn-pair")
	b.ReportMetric(float64(n), "conns")
	b.ReportMetric(float64(setup.Microseconds())/float64(b.N)/float64(n), "µs/dial+accept")
}

// benchRR measures request/response round trips on one connection: the
// client writes 64 bytes, the server reads them and writes them back, the
// client reads the 64 bytes. One op is one round trip; rt/s is ops per
// second and allocs/op the allocations of both stacks per round trip.
func benchRR(b *testing.B, k kind) {
	_, client, server := connect(b, k)
	setNoDelay(client)
	setNoDelay(server)
	go echoServer(server)
	client.SetDeadline(time.Now().Add(opTimeout))
	req := make([]byte, rrSize)
	resp := make([]byte, rrSize)
	for i := range req {
		req[i] = byte(i)
	}
	for range 1000 { // warm up
		if err := roundTrip(client, req, resp); err != nil {
			b.Fatalf("warm-up: %v", err)
		}
	}
	b.ReportAllocs()
	for b.Loop() {
		if err := roundTrip(client, req, resp); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "rt/s")
}
