package stack

import (
	"context"
	"crypto/sha256"
	"encoding/binary"
	"fmt"
	"io"
	"math/rand/v2"
	"net/netip"
	"strings"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/medina-net/medina/link/impair"
	"github.com/medina-net/medina/link/pipe"
	"github.com/medina-net/medina/tcp"
)

// recoveryLink is the path of the loss recovery tests: 100 Mbit/s with 5
// ms of delay each way (a round trip of 10 ms and more, a bandwidth-delay
// product of about 90 segments), and a queue deep enough (8192 frames,
// more than the largest window) that the only losses are the ones a
// profile asks for.
var recoveryLink = impair.Profile{Rate: 100_000_000, Delay: 5 * time.Millisecond, QueueLimit: 8192}

// recoveryResult is what one transfer took.
type recoveryResult struct {
	elapsed                       time.Duration
	segs, retrans, fast, timeouts uint64
	dataLost, ackLost, queueDrops uint64
}

// runRecoveryTransfer sends size bytes from stack b to stack a over one
// connection, both directions of the link impaired by prof on top of
// recoveryLink, in the calling synctest bubble, and checks that they
// arrive whole within bound (virtual time). tcfg configures both engines.
func runRecoveryTransfer(t *testing.T, seed uint64, prof impair.Profile, tcfg tcp.Config, size int64, bound time.Duration) recoveryResult {
	t.Helper()
	ea, eb := pipe.New(pipe.Config{Queue: 8192})
	imp := impair.New(eb, impair.Config{Seed: seed, Tx: prof, Rx: prof})
	a, err := New(ea, Config{Addr: netip.PrefixFrom(addrA, 24), Rand: SeededRand(seed), TCP: tcfg})
	if err != nil {
		t.Fatal(err)
	}
	b, err := New(imp, Config{Addr: netip.PrefixFrom(addrB, 24), Rand: SeededRand(seed + 1), TCP: tcfg})
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	defer a.Close()
	ln, err := a.ListenTCP(netip.AddrPortFrom(addrA, 5001))
	if err != nil {
		t.Fatal(err)
	}
	type received struct {
		n   int64
		sum [32]byte
		err error
		at  time.Time
	}
	done := make(chan received, 1)
	go func() {
		c, err := ln.Accept()
		if err != nil {
			done <- received{err: err}
			return
		}
		h := sha256.New()
		n, err := io.Copy(h, c)
		done <- received{n: n, sum: [32]byte(h.Sum(nil)), err: err, at: time.Now()}
		c.Close()
	}()
	start := time.Now()
	c, err := b.DialTCP(context.Background(), netip.AddrPort{}, netip.AddrPortFrom(addrA, 5001))
	if err != nil {
		t.Fatalf("seed %d: dial: %v", seed, err)
	}
	want := sha256.New()
	go func() {
		io.Copy(c, io.TeeReader(recoveryData(seed, size), want))
		c.Close()
	}()
	var got received
	select {
	case got = <-done:
	case <-time.After(bound):
		t.Fatalf("seed %d: the transfer of %d bytes did not complete within %v of virtual time; sender %+v", seed, size, bound, b.TCPStats())
	}
	if got.err != nil || got.n != size {
		t.Fatalf("seed %d: received %d of %d bytes: %v", seed, got.n, size, got.err)
	}
	if got.sum != [32]byte(want.Sum(nil)) {
		t.Fatalf("seed %d: the SHA-256 of what arrived differs from what was sent", seed)
	}
	st, is := b.TCPStats(), imp.Stats()
	return recoveryResult{
		elapsed: got.at.Sub(start),
		segs:    st.OutSegs, retrans: st.RetransSegs, fast: st.FastRetrans, timeouts: st.Timeouts,
		dataLost: is.Tx.Dropped, ackLost: is.Rx.Dropped, queueDrops: is.Tx.QueueDropped,
	}
}

// recoveryData returns size pseudo-random bytes determined by seed.
func recoveryData(seed uint64, size int64) io.Reader {
	var key [32]byte
	binary.LittleEndian.PutUint64(key[:], seed)
	copy(key[8:], "loss recovery test data")
	return io.LimitReader(rand.NewChaCha8(key), size)
}

// TestTCPLossRecovery moves 4 MiB over links that lose 1%, 5% and 10% of
// the frames of each direction, reorder 25% of them, or both, and over a
// bottleneck whose queue of 50 frames (less than the bandwidth-delay
// product) overflows when slow start overshoots and at every peak of the
// window; once with SACK (RFC 6675 recovery) and once without (NewReno,
// RFC 6582), under each congestion control. Every transfer must arrive
// whole within its bound of virtual time; the table of completion times
// and retransmission counts is logged, and SACK must not do worse than
// NewReno where there is loss to recover from.
func TestTCPLossRecovery(t *testing.T) {
	const size = 4 << 20
	profiles := []struct {
		name  string
		prof  func(p *impair.Profile)
		bound time.Duration
	}{
		{"loss1", func(p *impair.Profile) { p.Loss = 0.01 }, 30 * time.Second},
		{"loss5", func(p *impair.Profile) { p.Loss = 0.05 }, 60 * time.Second},
		{"loss10", func(p *impair.Profile) { p.Loss = 0.10 }, 120 * time.Second},
		{"reorder25", func(p *impair.Profile) { p.Reorder = 0.25 }, 30 * time.Second},
		{"loss5reorder25", func(p *impair.Profile) { p.Loss, p.Reorder = 0.05, 0.25 }, 60 * time.Second},
		{"bottleneck", func(p *impair.Profile) { p.QueueLimit = 50 }, 10 * time.Second},
	}
	type key struct{ prof, mode string }
	var mu sync.Mutex
	results := map[key]recoveryResult{}
	modes := []struct {
		name string
		cfg  tcp.Config
	}{
		{"cubic-sack", tcp.Config{CongestionControl: "cubic"}},
		{"cubic-nosack", tcp.Config{CongestionControl: "cubic", DisableSACK: true}},
		{"newreno-sack", tcp.Config{CongestionControl: "newreno"}},
		{"newreno-nosack", tcp.Config{CongestionControl: "newreno", DisableSACK: true}},
	}
	for i, p := range profiles {
		prof := recoveryLink
		p.prof(&prof)
		for _, m := range modes {
			t.Run(p.name+"/"+m.name, func(t *testing.T) {
				synctest.Test(t, func(t *testing.T) {
					r := runRecoveryTransfer(t, uint64(4000+i), prof, m.cfg, size, p.bound)
					mu.Lock()
					results[key{p.name, m.name}] = r
					mu.Unlock()
				})
			})
		}
	}
	var tab strings.Builder
	fmt.Fprintf(&tab, "\n%-16s %-15s %9s %8s %8s %6s %6s %11s\n", "profile", "recovery", "time", "segs", "retrans", "fast", "RTOs", "lost d/a")
	for _, p := range profiles {
		for _, m := range modes {
			r, ok := results[key{p.name, m.name}]
			if !ok {
				continue
			}
			fmt.Fprintf(&tab, "%-16s %-15s %9v %8d %8d %6d %6d %5d/%-5d\n", p.name, m.name,
				r.elapsed.Round(time.Millisecond), r.segs, r.retrans, r.fast, r.timeouts, r.dataLost+r.queueDrops, r.ackLost)
		}
	}
	t.Log(tab.String())
	// Where frames are lost, SACK recovers at least as fast as NewReno,
	// with fewer timeouts.
	for _, p := range append(profiles[:3:3], profiles[5]) {
		for _, cc := range []string{"cubic", "newreno"} {
			s, okS := results[key{p.name, cc + "-sack"}]
			n, okN := results[key{p.name, cc + "-nosack"}]
			if !okS || !okN {
				continue
			}
			if s.elapsed > n.elapsed*11/10 {
				t.Errorf("%s, %s: SACK took %v, NewReno %v", p.name, cc, s.elapsed, n.elapsed)
			}
		}
	}
}
