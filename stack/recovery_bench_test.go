package stack

import (
	"context"
	"io"
	"net/netip"
	"syscall"
	"testing"
	"time"

	"github.com/medina-net/medina/link/pipe"
	"github.com/medina-net/medina/tcp"
)

// BenchmarkTCPBulkPipe moves b.N bytes over one connection between two
// stacks joined by a pipe with a queue of 4096 frames, in real time, and
// reports the throughput, the CPU time the process spent per MB moved
// (steadier than the throughput on a shared machine), and the share of
// segments retransmitted. The pipe drops what does not fit its queue, so
// the figure includes the cost of the sender's loss recovery when the
// window outgrows it. It runs over each family (family=ipv4, family=ipv6)
// between the same dual-stack stacks.
//
// The link=offload variants run over a pipe with Offload: super-segments
// of up to 64 KiB cross it whole, their checksums left partial (software
// GSO and GRO); link=plain ones over an ordinary pipe, every segment a
// frame of its own.
func BenchmarkTCPBulkPipe(b *testing.B) {
	for _, cc := range []string{"cubic", "newreno"} {
		for _, offload := range []bool{false, true} {
			name := cc + "/link=plain"
			if offload {
				name = cc + "/link=offload"
			}
			b.Run(name, func(b *testing.B) {
				forFamilies(b, func(b *testing.B, to netip.Addr) {
					benchTCPBulkPipe(b, pipe.Config{Queue: 4096, Offload: offload}, tcp.Config{CongestionControl: cc}, to)
				})
			})
		}
	}
}

// benchTCPBulkPipe sends from stack b to stack a's address to, over a
// pipe configured as pcfg.
func benchTCPBulkPipe(b *testing.B, pcfg pipe.Config, tcfg tcp.Config, to netip.Addr) {
	ea, eb := pipe.New(pcfg)
	sa, sb := dualStacks(b, ea, eb, tcfg)
	ln, err := sa.ListenTCP(netip.AddrPortFrom(to, 5001))
	if err != nil {
		b.Fatal(err)
	}
	total := int64(b.N)
	done := make(chan int64)
	go func() {
		c, err := ln.Accept()
		if err != nil {
			done <- -1
			return
		}
		n, _ := io.Copy(io.Discard, c)
		c.Close()
		done <- n
	}()
	c, err := sb.DialTCP(context.Background(), netip.AddrPort{}, netip.AddrPortFrom(to, 5001))
	if err != nil {
		b.Fatal(err)
	}
	buf := make([]byte, 256<<10)
	b.SetBytes(1)
	before := sb.TCPStats()
	b.ResetTimer()
	cpu0 := cpuTime()
	start := time.Now()
	for sent := int64(0); sent < total; {
		n := min(int64(len(buf)), total-sent)
		w, err := c.Write(buf[:n])
		if err != nil {
			b.Fatal(err)
		}
		sent += int64(w)
	}
	c.Close()
	if got := <-done; got != total {
		b.Fatalf("received %d of %d bytes", got, total)
	}
	el := time.Since(start)
	cpu := cpuTime() - cpu0
	b.StopTimer()
	st := sb.TCPStats()
	out := st.OutSegs - before.OutSegs
	re := st.RetransSegs - before.RetransSegs
	b.ReportMetric(float64(total)/el.Seconds()/1e6, "MB/s")
	b.ReportMetric(float64(cpu.Microseconds())/1e3/(float64(total)/1e6), "cpu-ms/MB")
	if out > 0 {
		b.ReportMetric(100*float64(re)/float64(out), "%retrans")
	}
	if !testing.Verbose() {
		return
	}
	b.Logf("%d bytes in %v: %d segments, %d retransmitted, %d fast retransmits, %d timeouts, pipe dropped %d data frames, %d ACK frames; receiver: %+v %+v",
		total, el, out, re, st.FastRetrans-before.FastRetrans, st.Timeouts-before.Timeouts, eb.Stats().TxDropped, ea.Stats().TxDropped, sa.TCPStats(), sa.Stats().IP)
}

// cpuTime returns the user and system CPU time of the process.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &ru) != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
