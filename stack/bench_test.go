package stack

import (
	"context"
	"errors"
	"net/netip"
	"os"
	"runtime"
	"sync/atomic"
	"testing"
	"time"

	"github.com/medina-net/medina/ipv4"
	"github.com/medina-net/medina/link"
	"github.com/medina-net/medina/link/pipe"
	"github.com/medina-net/medina/tcp"
)

// benchPair is two stacks over a pipe, on the system clock, for
// benchmarks: a is 10.0.0.1 and 2001:db8::1, b is 10.0.0.2 and
// 2001:db8::2.
func benchPair(b *testing.B, queue int) (sa, sb *Stack, ea, eb *pipe.End) {
	b.Helper()
	ea, eb = pipe.New(pipe.Config{Queue: queue})
	sa, sb = dualStacks(b, ea, eb, tcp.Config{})
	return sa, sb, ea, eb
}

// dualStacks starts the two dual-stack stacks of the benchmarks over
// devices da and db, with the TCP configuration tcfg: a is 10.0.0.1 and
// 2001:db8::1, b is 10.0.0.2 and 2001:db8::2. They are closed when tb
// ends.
func dualStacks(tb testing.TB, da, db link.Device, tcfg tcp.Config) (sa, sb *Stack) {
	tb.Helper()
	var err error
	sa, err = New(da, Config{Addr: netip.PrefixFrom(addrA, 24), Addrs: []netip.Prefix{netip.PrefixFrom(addrA6, 64)},
		Rand: SeededRand(1), NoGratuitousARP: true, TCP: tcfg})
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { sa.Close() })
	sb, err = New(db, Config{Addr: netip.PrefixFrom(addrB, 24), Addrs: []netip.Prefix{netip.PrefixFrom(addrB6, 64)},
		Rand: SeededRand(2), NoGratuitousARP: true, TCP: tcfg})
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { sb.Close() })
	return sa, sb
}

// udpWindow is how many datagrams the throughput benchmark lets be in
// flight: well below the pipe's queue, so that in steady state nothing is
// dropped and the benchmark measures the stack, not the loss.
const (
	udpWindow    = 256
	udpPipeQueue = 1024
)

// benchFamilies are the families the stack's TCP and UDP benchmarks run
// over, each a sub-benchmark named family=ipv4 or family=ipv6 between the
// same two dual-stack stacks, so that benchstat -col /family sets the two
// side by side.
var benchFamilies = []struct {
	name string
	a, b netip.Addr // stack a's address and stack b's, of the family
}{
	{"family=ipv4", addrA, addrB},
	{"family=ipv6", addrA6, addrB6},
}

// forFamilies runs f once per family, as sub-benchmarks; to is the
// address, of that family, of the stack that receives.
func forFamilies(b *testing.B, f func(b *testing.B, to netip.Addr)) {
	for _, fam := range benchFamilies {
		b.Run(fam.name, func(b *testing.B) { f(b, fam.a) })
	}
}

// 1400 bytes of payload fit the 1500-byte MTU behind IPv4's header and
// IPv6's 40-byte one alike.
func BenchmarkUDPThroughput64(b *testing.B) {
	forFamilies(b, func(b *testing.B, to netip.Addr) { benchUDPThroughput(b, 64, to) })
}

func BenchmarkUDPThroughput1400(b *testing.B) {
	forFamilies(b, func(b *testing.B, to netip.Addr) { benchUDPThroughput(b, 1400, to) })
}

// BenchmarkUDPThroughput4000 sends datagrams of three fragments each,
// through fragmentation and reassembly (IPv6's fragment header is 8 bytes
// more, and still three fragments).
func BenchmarkUDPThroughput4000(b *testing.B) {
	forFamilies(b, func(b *testing.B, to netip.Addr) { benchUDPThroughput(b, 4000, to) })
}

// benchUDPThroughput sends b.N datagrams of size bytes from stack b to
// stack a's address to over a pipe, one goroutine writing with WriteToUDPAddrPort and
// one reading with ReadFromUDPAddrPort, and measures what is delivered:
// the sender may run at most udpWindow datagrams ahead of the receiver
// (a token per datagram, given back when the receiver reads it), so
// neither the pipe's queue nor the socket's buffer overflows. A datagram
// that is lost anyway would hold its token forever; a watchdog notices
// the stall, writes the missing datagrams off as lost and gives their
// tokens back. ns/op is per datagram sent; cpu-ns/datagram is the CPU
// time the process spent per datagram delivered.
func benchUDPThroughput(b *testing.B, size int, to netip.Addr) {
	sa, sb, _, eb := benchPair(b, udpPipeQueue)
	rx, err := sa.ListenUDP(netip.MustParseAddrPort("[::]:9"))
	if err != nil {
		b.Fatal(err)
	}
	rx.SetReadBuffer(64 << 20)
	tx, err := sb.ListenUDP(netip.AddrPort{})
	if err != nil {
		b.Fatal(err)
	}
	dst := netip.AddrPortFrom(to, 9)
	payload := make([]byte, size)
	buf := make([]byte, 65536)

	// Warm up: resolve ARP, fill the buffer pools, grow the socket's ring
	// and its slot buffers to the window.
	for range 4 {
		for range udpWindow {
			if _, err := tx.WriteToUDPAddrPort(payload, dst); err != nil {
				b.Fatal(err)
			}
		}
		rx.SetReadDeadline(time.Now().Add(time.Second))
		for {
			if _, _, err := rx.ReadFromUDPAddrPort(buf); err != nil {
				break
			}
		}
	}
	rx.SetReadDeadline(time.Time{})

	n := int64(b.N)
	var sent, got, lost atomic.Int64
	tokens := make(chan struct{}, udpWindow)
	for range udpWindow {
		tokens <- struct{}{}
	}
	giveBack := func() {
		select {
		case tokens <- struct{}{}:
		default: // a datagram written off as lost arrived after all
		}
	}
	stop := make(chan struct{})
	senderDone := make(chan error, 1)
	watchDone := make(chan struct{})

	before0, before1 := sa.Stats(), sb.Stats()
	pipeBefore := eb.Stats()
	var ms0, ms1 runtime.MemStats
	runtime.ReadMemStats(&ms0)
	cpu0 := cpuTime()
	b.ReportAllocs()
	b.SetBytes(int64(size))
	b.ResetTimer()

	// Stopping closes tokens, once the receiver and the watchdog, who
	// give them back, are done.
	stopAll := func() {
		close(stop)
		<-watchDone
		close(tokens)
	}
	go func() {
		for i := int64(0); i < n; i++ {
			if _, ok := <-tokens; !ok {
				break
			}
			if _, err := tx.WriteToUDPAddrPort(payload, dst); err != nil {
				senderDone <- err
				return
			}
			sent.Add(1)
		}
		senderDone <- nil
	}()
	go func() {
		defer close(watchDone)
		t := time.NewTicker(50 * time.Millisecond)
		defer t.Stop()
		last, stalled := got.Load(), 0
		for {
			select {
			case <-stop:
				return
			case <-t.C:
			}
			g := got.Load()
			out := sent.Load() - g - lost.Load()
			if g != last || out <= 0 {
				last, stalled = g, 0
				continue
			}
			if stalled++; stalled < 10 { // 500ms without progress
				continue
			}
			lost.Add(out)
			for range out {
				giveBack()
			}
			stalled = 0
			rx.SetReadDeadline(time.Now()) // wake the reader to recount
		}
	}()

	for got.Load()+lost.Load() < n {
		_, _, err := rx.ReadFromUDPAddrPort(buf)
		if err != nil {
			if errors.Is(err, os.ErrDeadlineExceeded) {
				rx.SetReadDeadline(time.Time{})
				continue
			}
			stopAll()
			b.Fatal(err)
		}
		got.Add(1)
		giveBack()
	}
	b.StopTimer()
	cpu := cpuTime() - cpu0
	runtime.ReadMemStats(&ms1)
	stopAll()
	if err := <-senderDone; err != nil {
		b.Fatal(err)
	}

	delivered := got.Load()
	if delivered > 0 {
		b.ReportMetric(float64(delivered)/b.Elapsed().Seconds(), "datagrams/s")
		b.ReportMetric(float64(ms1.Mallocs-ms0.Mallocs)/float64(delivered), "allocs/datagram")
		// The CPU time of the whole process per datagram delivered:
		// steadier than the rate on a machine others share.
		b.ReportMetric(float64(cpu.Nanoseconds())/float64(delivered), "cpu-ns/datagram")
	}
	if l := lost.Load(); l > 0 {
		after0, after1 := sa.Stats(), sb.Stats()
		b.ReportMetric(float64(l)/float64(n), "lost/datagram")
		b.Logf("%d of %d datagrams lost: pipe dropped %d frames, socket buffer dropped %d, sender discarded %d",
			l, n, eb.Stats().TxDropped-pipeBefore.TxDropped,
			after0.UDP.RcvbufErrors-before0.UDP.RcvbufErrors, after1.IP.OutDiscards-before1.IP.OutDiscards)
	}
}

// BenchmarkARPPing measures the round trip of an ICMP echo between two
// stacks over a pipe with Stack.Ping: with the neighbour known, with a
// fresh ARP resolution every 16 pings, and with one before every ping
// (both stacks forget each other, so each ping is a first contact: an
// ARP request and reply, then the echo and its reply). ns/op is per round
// trip; rtt-ns is the round trip the stack itself measured.
func BenchmarkARPPing(b *testing.B) {
	for _, bc := range []struct {
		name  string
		every int // forget the neighbours every this many pings, 0 never
	}{
		{"cached", 0},
		{"arp-every-16", 16},
		{"arp-every-ping", 1},
	} {
		b.Run(bc.name, func(b *testing.B) {
			sa, sb, _, _ := benchPair(b, 0)
			ctx := context.Background()
			if _, err := sb.Ping(ctx, addrA, 56); err != nil {
				b.Fatal(err)
			}
			var rtt time.Duration
			resolutions := 0
			b.ReportAllocs()
			i := 0
			for b.Loop() {
				if bc.every > 0 && i%bc.every == 0 {
					forget(sa, addrB)
					forget(sb, addrA)
					resolutions++
				}
				i++
				d, err := sb.Ping(ctx, addrA, 56)
				if err != nil {
					b.Fatal(err)
				}
				rtt += d
			}
			b.ReportMetric(float64(rtt.Nanoseconds())/float64(i), "rtt-ns")
			if st := sb.Stats().ARP; resolutions > 0 && st.OutRequests < uint64(resolutions) {
				b.Fatalf("%d ARP requests sent for %d resolutions", st.OutRequests, resolutions)
			}
		})
	}
}

// forget removes s's neighbour cache entry for a.
func forget(s *Stack, a netip.Addr) { s.neigh.Remove(ipv4.Addr(a.As4())) }
