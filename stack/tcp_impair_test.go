package stack

import (
	"context"
	"encoding/hex"
	"flag"
	"fmt"
	"io"
	"net/netip"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/medina-net/medina/ethernet"
	"github.com/medina-net/medina/link"
	"github.com/medina-net/medina/link/impair"
	"github.com/medina-net/medina/link/pipe"
	"github.com/medina-net/medina/tcp"
)

var (
	tcpImpairSeed = flag.Uint64("tcpimpair.seed", 0, "run TestTCPUnderImpairments with this seed in every profile instead of the profiles' own")
	tcpImpairPcap = flag.Bool("tcpimpair.pcap", false, "save the capture of every TestTCPUnderImpairments run, not only of failing ones")
)

// tcpImpairBase is the link every profile of the sweep starts from: 100
// Mbit/s with 1 ms of delay each way, so that the connection has a round
// trip to measure, a bandwidth to fill and frames that arrive one at a
// time, as on a wire. Its queue holds more than the largest window the
// engine offers (6 MiB), so that the only losses are the ones a profile
// asks for: a clean run must retransmit nothing.
var tcpImpairBase = impair.Profile{Rate: 100_000_000, Delay: time.Millisecond, QueueLimit: 8192}

// tcpImpairCase is one profile of the sweep: the impairment of both
// directions of the link (each direction draws on its own), the bytes
// moved each way, and the virtual time by which both transfers must be
// complete.
type tcpImpairCase struct {
	name  string
	prof  impair.Profile
	size  int64
	bound time.Duration
}

func tcpImpairCases() []tcpImpairCase {
	with := func(f func(p *impair.Profile)) impair.Profile {
		p := tcpImpairBase
		f(&p)
		return p
	}
	const mib = 1 << 20
	return []tcpImpairCase{
		{"clean", tcpImpairBase, 4 * mib, 2 * time.Second},
		{"loss1", with(func(p *impair.Profile) { p.Loss = 0.01 }), 4 * mib, 10 * time.Second},
		{"loss5", with(func(p *impair.Profile) { p.Loss = 0.05 }), 4 * mib, 30 * time.Second},
		{"loss10", with(func(p *impair.Profile) { p.Loss = 0.10 }), 4 * mib, 90 * time.Second},
		{"reorder25", with(func(p *impair.Profile) { p.Reorder = 0.25 }), 4 * mib, 5 * time.Second},
		{"duplicate10", with(func(p *impair.Profile) { p.Duplicate = 0.10 }), 4 * mib, 4 * time.Second},
		{"corrupt5", with(func(p *impair.Profile) { p.Corrupt = 0.05 }), 4 * mib, 30 * time.Second},
		{"delay20jitter15", with(func(p *impair.Profile) { p.Delay, p.Jitter = 20*time.Millisecond, 15*time.Millisecond }), 4 * mib, 5 * time.Second},
		{"everything", with(func(p *impair.Profile) {
			p.Loss, p.Duplicate, p.Reorder, p.Corrupt = 0.03, 0.03, 0.10, 0.02
			p.Delay, p.Jitter = 10*time.Millisecond, 5*time.Millisecond
		}), 4 * mib, 90 * time.Second},
	}
}

// TestTCPUnderImpairments moves data both ways at once over one TCP
// connection between two stacks joined by a link that loses, reorders,
// duplicates, corrupts and delays frames, in virtual time (a synctest
// bubble). Each direction must arrive whole (the SHA-256 of what was read
// is that of what was written), in time (within the profile's bound of
// virtual time), and the connection must then close on both sides. On a
// clean link nothing may be retransmitted, and on every link each frame
// the impairment corrupted must be dropped by a checksum.
//
// Both stacks' frames are recorded into a pcapng in memory; a failing
// run's is saved under os.TempDir and its path printed with the seed.
// -tcpimpair.seed=N reruns every profile with seed N, and
// -tcpimpair.pcap saves every capture. The fate of the Nth frame of each
// direction depends on the seed alone, the stacks draw their sequence
// numbers and ports from seeded sources, and time is virtual; what the
// seed does not fix is the order in which goroutines woken at the same
// virtual instant run (the stack's input and the application's reads),
// so a rerun follows the same course until such a race changes a window
// or an ACK, typically after some hundreds of frames. The failures found
// so far came back with their seed every time.
func TestTCPUnderImpairments(t *testing.T) {
	for i, tc := range tcpImpairCases() {
		seed := uint64(4000 + i)
		if *tcpImpairSeed != 0 {
			seed = *tcpImpairSeed
		}
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			synctest.Test(t, func(t *testing.T) {
				runTCPImpaired(t, seed, tc, *tcpImpairPcap)
			})
		})
	}
}

// tcpTransfer is one direction of a transfer as its reader saw it.
type tcpTransfer struct {
	n      int64
	sum    [32]byte
	err    error
	took   time.Duration
	damage string
}

func runTCPImpaired(t *testing.T, seed uint64, tc tcpImpairCase, savePcap bool) {
	t.Helper()
	capt := newMemCapture(t, 0, "a", "b")
	capt.saveOnFailure(t, fmt.Sprintf("seed%d", seed), savePcap)

	ea, eb := pipe.New(pipe.Config{Queue: 16384})
	da, db := newARPAside(ea, seed, tc.prof), newARPAside(eb, seed^0x9e3779b97f4a7c15, tc.prof)
	ia, ib := da.ip, db.ip
	a, err := New(capt.tap(0, da, nil), Config{Addr: netip.PrefixFrom(addrA, 24), Rand: SeededRand(seed)})
	if err != nil {
		t.Fatal(err)
	}
	b, err := New(capt.tap(1, db, nil), Config{Addr: netip.PrefixFrom(addrB, 24), Rand: SeededRand(seed + 1)})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		a.Close()
		b.Close()
	})
	fail := func(format string, args ...any) {
		t.Helper()
		t.Errorf("seed %d, profile %s %+v: %s", seed, tc.name, tc.prof, fmt.Sprintf(format, args...))
	}

	ln, err := a.ListenTCP(netip.MustParseAddrPort("0.0.0.0:5001"))
	if err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	deadline := start.Add(tc.bound)
	ctx, cancel := context.WithDeadline(context.Background(), deadline)
	defer cancel()
	accepted := make(chan *tcp.Conn, 1)
	go func() {
		c, err := ln.AcceptTCP()
		if err != nil {
			fail("accept: %v", err)
		}
		accepted <- c
	}()
	client, err := b.DialTCP(ctx, netip.AddrPort{}, netip.AddrPortFrom(addrA, 5001))
	if err != nil {
		fail("dial: %v", err)
		ln.Close()
		return
	}
	server := <-accepted
	ln.Close()
	if server == nil {
		return
	}

	// Stream 1 goes from b (the client) to a, stream 2 from a to b; each
	// side writes its stream, then CloseWrite, and reads the other's to
	// EOF, all at once.
	var wg sync.WaitGroup
	results := make([]tcpTransfer, 3)
	for _, end := range []struct {
		c          *tcp.Conn
		send, recv uint64
		who        string
	}{{client, 1, 2, "b"}, {server, 2, 1, "a"}} {
		end.c.SetDeadline(deadline)
		wg.Add(2)
		go func() {
			defer wg.Done()
			n, err := io.Copy(end.c, bulkData(seed, end.send, tc.size))
			if err == nil {
				err = end.c.CloseWrite()
			}
			if err != nil {
				fail("%s wrote %d of %d bytes: %v", end.who, n, tc.size, err)
			}
		}()
		go func() {
			defer wg.Done()
			w := newVerifyingWriter(bulkData(seed, end.recv, tc.size))
			_, err := io.Copy(w, end.c)
			results[end.recv] = tcpTransfer{n: w.n, sum: w.sum(), err: err, took: time.Since(start), damage: w.damage()}
		}()
	}
	wg.Wait()
	elapsed := time.Since(start)
	for stream, who := range map[uint64]string{1: "a", 2: "b"} {
		r := results[stream]
		want := bulkSum(seed, stream, tc.size)
		switch {
		case r.err != nil:
			fail("%s read %d of %d bytes, then: %v (bound %v of virtual time)", who, r.n, tc.size, r.err, tc.bound)
		case r.n != tc.size:
			fail("%s read %d bytes, want %d", who, r.n, tc.size)
		case r.sum != want:
			fail("%s read the right number of bytes, but their SHA-256 is %s, want %s: %s",
				who, hex.EncodeToString(r.sum[:]), hex.EncodeToString(want[:]), r.damage)
		}
	}

	// Both sides have sent and received a FIN: after Close, the
	// connections must reach CLOSED (through TIME-WAIT on one side, the
	// FINs and their ACKs retransmitted as the link requires).
	client.Close()
	server.Close()
	closeBy := time.Now().Add(tcp.DefaultTimeWait + time.Minute)
	for (client.State() != "CLOSED" || server.State() != "CLOSED") && time.Now().Before(closeBy) {
		time.Sleep(100 * time.Millisecond)
	}
	if cs, ss := client.State(), server.State(); cs != "CLOSED" || ss != "CLOSED" {
		fail("after Close and %v, the client is in %s and the server in %s", tcp.DefaultTimeWait+time.Minute, cs, ss)
	}

	sa, sb := a.Stats(), b.Stats()
	ta, tb := a.TCPStats(), b.TCPStats()
	xa, xb := ia.Stats().Tx, ib.Stats().Tx
	if ta.CurrEstab != 0 || tb.CurrEstab != 0 {
		fail("connections still established: a %d, b %d", ta.CurrEstab, tb.CurrEstab)
	}
	// The link loses only what the profile asks for.
	if pa, pb := ea.Stats(), eb.Stats(); pa.TxDropped+pb.TxDropped != 0 {
		fail("the pipe dropped frames for want of room: a %d, b %d", pa.TxDropped, pb.TxDropped)
	}
	if xa.QueueDropped+xb.QueueDropped+xa.Errors+xb.Errors != 0 {
		fail("the impairment's queue dropped frames: a %+v, b %+v", xa, xb)
	}
	if tc.prof == tcpImpairBase && ta.RetransSegs+tb.RetransSegs != 0 {
		fail("on a clean link a retransmitted %d segments and b %d (a %+v, b %+v)", ta.RetransSegs, tb.RetransSegs, ta, tb)
	}
	// Every corrupted frame is caught by a checksum (one flipped bit
	// always is), or by a length or address check, and counted; nothing
	// else is rejected.
	rejected := func(s Stats, ts tcp.Stats) uint64 {
		return s.Link.InErrors + s.ARP.InErrors + s.IP.InHdrErrors + s.IP.InAddrErrors + s.IP.InUnknownProtos + ts.InErrs
	}
	if ra, rb := rejected(sa, ta), rejected(sb, tb); ra != xb.Corrupted || rb != xa.Corrupted {
		fail("a rejected %d frames and b %d, but %d were corrupted on their way to a and %d to b\n a: %+v %+v\n b: %+v %+v",
			ra, rb, xb.Corrupted, xa.Corrupted, sa, ta, sb, tb)
	}
	// Segments are sized to the MTU and sent with DF: none may need
	// fragmenting.
	if sa.IP.FragFails+sb.IP.FragFails != 0 {
		fail("segments larger than the MTU were dropped (IP FragFails): a %d, b %d", sa.IP.FragFails, sb.IP.FragFails)
	}
	for _, p := range checkSentSegments(capt.bytes(), ea.MTU(), tcp.DefaultMaxReceiveBuffer) {
		fail("%s", p)
	}

	goodput := func(d time.Duration) float64 { return float64(tc.size) * 8 / d.Seconds() / 1e6 }
	t.Logf("%s, seed %d: %d KiB each way in %v (a→b %v, %.1f Mbit/s; b→a %v, %.1f Mbit/s) of virtual time, bound %v",
		tc.name, seed, tc.size>>10, elapsed.Round(time.Millisecond),
		results[2].took.Round(time.Millisecond), goodput(results[2].took),
		results[1].took.Round(time.Millisecond), goodput(results[1].took), tc.bound)
	for _, s := range []struct {
		who string
		ts  tcp.Stats
		x   impair.Counters
	}{{"a", ta, xa}, {"b", tb, xb}} {
		t.Logf("  %s: segments out %d, retransmitted %d (fast retransmits %d, timeouts %d), in %d, checksum errors %d, delayed ACKs %d; its link: %d frames, %d lost, %d duplicated, %d reordered, %d corrupted",
			s.who, s.ts.OutSegs, s.ts.RetransSegs, s.ts.FastRetrans, s.ts.Timeouts, s.ts.InSegs, s.ts.InCsumErrors, s.ts.DelayedACKs,
			s.x.Frames, s.x.Dropped, s.x.Duplicated, s.x.Reordered, s.x.Corrupted)
	}
}

// arpAside is a pipe end whose outgoing IPv4 frames go through the
// profile and whose ARP frames go through the same profile without
// corruption. ARP has no checksum: a real link's FCS drops a damaged ARP
// frame, but one damaged here would be believed, and a flipped bit in
// a sender's MAC address poisons the peer's neighbour cache (seen with
// seed 58 of the corrupt5 profile), which is not what the sweep tests.
// Incoming frames are read from the pipe end as they come: each end
// impairs what it sends.
type arpAside struct {
	end     link.Device
	ip, arp *impair.Device
}

func newARPAside(end link.Device, seed uint64, prof impair.Profile) *arpAside {
	arpProf := prof
	arpProf.Corrupt = 0
	return &arpAside{
		end: end,
		ip:  impair.New(end, impair.Config{Seed: seed, Tx: prof}),
		arp: impair.New(end, impair.Config{Seed: seed + 1, Tx: arpProf}),
	}
}

func (d *arpAside) ReadFrame(buf []byte) (int, error) { return d.end.ReadFrame(buf) }

func (d *arpAside) WriteFrame(frame []byte) error {
	if len(frame) >= ethernet.HeaderLen && ethernet.Frame(frame).Type() == ethernet.TypeARP {
		return d.arp.WriteFrame(frame)
	}
	return d.ip.WriteFrame(frame)
}

func (d *arpAside) MTU() int                    { return d.end.MTU() }
func (d *arpAside) HardwareAddr() ethernet.Addr { return d.end.HardwareAddr() }

func (d *arpAside) Close() error {
	d.ip.Close()
	d.arp.Close()
	return d.end.Close()
}

// TestTCPSentSegments checks the segments that a connection, a refused
// connection and a reset send, as the sweep checks those of its
// transfers (checkSentSegments): resets carry no data (the stack's
// segment buffers are longer than asked for, and hold an earlier
// frame), and no window offered exceeds the receive buffer (the window
// of the SYN was once counted from a zero RCV.NXT).
func TestTCPSentSegments(t *testing.T) {
	for seed := uint64(1); seed <= 8; seed++ {
		t.Run(fmt.Sprint("seed", seed), func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				capt := newMemCapture(t, 0, "a", "b")
				capt.saveOnFailure(t, "", false)
				p := newPair(t, seed, func(a, b link.Device) (link.Device, link.Device) {
					return capt.tap(0, a, nil), capt.tap(1, b, nil)
				})
				ln, err := p.a.ListenTCP(netip.MustParseAddrPort("0.0.0.0:80"))
				if err != nil {
					t.Fatal(err)
				}
				go serveTCPEcho(ln)
				// An echo, then a reset from the client's side: Close with
				// data unread.
				c, err := p.b.Dial("tcp", "10.0.0.1:80")
				if err != nil {
					t.Fatal(err)
				}
				if _, err := io.Copy(c, bulkData(seed, 0, 200<<10)); err != nil {
					t.Fatal(err)
				}
				time.Sleep(time.Second)
				c.Close()
				time.Sleep(time.Second)
				// A refused connection, now that the frame buffers have held
				// full-sized frames: a answers the SYN with a reset.
				if _, err := p.b.Dial("tcp", "10.0.0.1:81"); err == nil {
					t.Fatal("a dial to a closed port succeeded")
				}
				if ra, rb := p.a.TCPStats().OutRsts, p.b.TCPStats().OutRsts; ra == 0 || rb == 0 {
					t.Errorf("seed %d: resets sent: a %d, b %d; want some from both", seed, ra, rb)
				}
				for _, problem := range checkSentSegments(capt.bytes(), 1500, tcp.DefaultMaxReceiveBuffer) {
					t.Errorf("seed %d: %s", seed, problem)
				}
			})
		})
	}
}
