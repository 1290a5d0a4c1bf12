package stack

import (
	"bytes"
	"context"
	"crypto/sha256"
	"io"
	"net/netip"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"

	"github.com/medina-net/medina/ethernet"
	"github.com/medina-net/medina/icmp"
	"github.com/medina-net/medina/ipv4"
	"github.com/medina-net/medina/link"
	"github.com/medina-net/medina/link/pipe"
	"github.com/medina-net/medina/tcp"
)

// narrowRouter joins two links as a bridge whose path carries datagrams
// of up to mtu bytes: a larger one with DF set it drops and answers with
// Fragmentation Needed from its own address, naming mtu (RFC 1191 4), as
// a router before a narrower link does; a larger one without DF it
// drops (nothing here sends one). Everything else goes across.
type narrowRouter struct {
	mtu      int
	addr     ipv4.Addr
	mac      ethernet.Addr
	tooBig   atomic.Int64 // Fragmentation Needed errors sent
	oversize atomic.Int64 // datagrams over mtu, DF or not
}

// run forwards frames from in to out until in is closed, answering
// oversized datagrams back through in.
func (r *narrowRouter) run(in, out link.Device) {
	buf := make([]byte, link.FrameLen(in))
	for {
		n, err := in.ReadFrame(buf)
		if err != nil {
			return
		}
		f := ethernet.Frame(buf[:n])
		if f.Type() == ethernet.TypeIPv4 && len(f.Payload()) > r.mtu {
			r.oversize.Add(1)
			if h, err := ipv4.NewHeader(f.Payload()); err == nil && h.DF() {
				r.tooBig.Add(1)
				in.WriteFrame(r.fragNeeded(f.Src(), h))
			}
			continue
		}
		out.WriteFrame(f)
	}
}

// fragNeeded builds the error about datagram h, to the MAC it came from.
func (r *narrowRouter) fragNeeded(to ethernet.Addr, h ipv4.Header) []byte {
	quote := h.HeaderLen() + 8
	m := make([]byte, icmp.HeaderLen+quote)
	if _, err := icmp.EncodeDestUnreachable(m, icmp.UnreachNeedFrag, uint16(r.mtu), h, quote); err != nil {
		panic(err)
	}
	return ethFrame(to, r.mac, ethernet.TypeIPv4, dgram(r.addr, h.Src(), ipv4.ProtoICMP, 1, 0, 0, m))
}

// TestPathMTUDiscovery runs TCP between two stacks on links of 1500 bytes
// joined by a router whose path carries 1280 (narrowRouter), in both
// directions, with SACK and without: each sender's first full-sized
// segments are dropped, the router's Fragmentation Needed lowers the
// sender's path MTU, and what was lost goes again at once in segments
// that fit, without a retransmission timeout and without the window
// halving. The data arrives whole; a second connection between the two
// sizes its segments for the path from its first one, and draws no error.
func TestPathMTUDiscovery(t *testing.T) {
	for _, tc := range []struct {
		name string
		tcfg tcp.Config
	}{
		{"sack", tcp.Config{}},
		{"newreno", tcp.Config{CongestionControl: "newreno", DisableSACK: true}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) { testPathMTUDiscovery(t, tc.tcfg) })
		})
	}
}

func testPathMTUDiscovery(t *testing.T, tcfg tcp.Config) {
	const narrow = 1280
	ea, ra := pipe.New(pipe.Config{Queue: 4096, AddrB: ethernet.Addr{2, 0, 0, 0, 0, 0xfc}})
	rb, eb := pipe.New(pipe.Config{Queue: 4096, AddrA: ethernet.Addr{2, 0, 0, 0, 0, 0xfd}, AddrB: pipe.DefaultAddrB})
	r := &narrowRouter{mtu: narrow, addr: ipv4.Addr{10, 0, 0, 254}, mac: ethernet.Addr{2, 0, 0, 0, 0, 0xfe}}
	go r.run(ra, rb)
	go r.run(rb, ra)
	a, err := New(ea, Config{Addr: netip.PrefixFrom(addrA, 24), Rand: SeededRand(1), TCP: tcfg})
	if err != nil {
		t.Fatal(err)
	}
	b, err := New(eb, Config{Addr: netip.PrefixFrom(addrB, 24), Rand: SeededRand(2), TCP: tcfg})
	if err != nil {
		t.Fatal(err)
	}
	defer func() {
		a.Close()
		b.Close()
		ra.Close()
		rb.Close()
	}()
	ln, err := b.ListenTCP(netip.AddrPortFrom(addrB, 80))
	if err != nil {
		t.Fatal(err)
	}
	const size = 1 << 20
	toB, toA := pattern(size, 1), pattern(size, 2)
	type result struct {
		sum [32]byte
		err error
	}
	done := make(chan result, 1)
	go func() {
		c, err := ln.Accept()
		if err != nil {
			done <- result{err: err}
			return
		}
		defer c.Close()
		got := make([]byte, size)
		if _, err := io.ReadFull(c, got); err != nil {
			done <- result{err: err}
			return
		}
		_, err = c.Write(toA)
		done <- result{sum: sha256.Sum256(got), err: err}
	}()
	start := time.Now()
	c, err := a.DialTCP(context.Background(), netip.AddrPort{}, netip.AddrPortFrom(addrB, 80))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if _, err := c.Write(toB); err != nil {
		t.Fatal(err)
	}
	got := make([]byte, size)
	c.SetReadDeadline(time.Now().Add(time.Minute))
	if _, err := io.ReadFull(c, got); err != nil {
		t.Fatalf("A read %v", err)
	}
	res := <-done
	if res.err != nil {
		t.Fatalf("B: %v", res.err)
	}
	if res.sum != sha256.Sum256(toB) || !bytes.Equal(got, toA) {
		t.Fatal("the data arrived damaged")
	}
	elapsed := time.Since(start)
	for _, s := range []struct {
		name string
		s    *Stack
	}{{"A", a}, {"B", b}} {
		ts, ip := s.s.TCPStats(), s.s.Stats().IP
		if ts.PMTUDecreases != 1 || ts.Timeouts != 0 || ts.FastRetrans != 0 || ip.PMTUEntries != 1 || ip.PMTUUpdates != 1 {
			t.Errorf("%s: %d path MTU decreases, %d timeouts, %d fast retransmits, %d path MTU entries, %d updates; want 1, 0, 0, 1, 1",
				s.name, ts.PMTUDecreases, ts.Timeouts, ts.FastRetrans, ip.PMTUEntries, ip.PMTUUpdates)
		}
	}
	if r.tooBig.Load() == 0 || r.tooBig.Load() != r.oversize.Load() {
		t.Errorf("the router saw %d datagrams over %d bytes and sent %d errors", r.oversize.Load(), narrow, r.tooBig.Load())
	}
	// Two megabytes in 1240-byte segments over a link with no delay: a
	// timeout, or a window halved, would show.
	if elapsed > time.Second {
		t.Errorf("the exchange took %v of virtual time", elapsed)
	}

	// A second connection: its segments fit from the first.
	errorsBefore := r.tooBig.Load()
	go func() {
		c, err := ln.Accept()
		if err == nil {
			io.Copy(c, c)
			c.Close()
		}
	}()
	c2, err := a.DialTCP(context.Background(), netip.AddrPort{}, netip.AddrPortFrom(addrB, 80))
	if err != nil {
		t.Fatal(err)
	}
	defer c2.Close()
	msg := pattern(64<<10, 3)
	go c2.Write(msg)
	got = make([]byte, len(msg))
	c2.SetReadDeadline(time.Now().Add(time.Minute))
	if _, err := io.ReadFull(c2, got); err != nil || !bytes.Equal(got, msg) {
		t.Fatalf("second connection: %v", err)
	}
	if n := r.tooBig.Load() - errorsBefore; n != 0 {
		t.Errorf("the second connection drew %d Fragmentation Needed errors, want none", n)
	}
}

// TestPathMTUTable checks the table on its own: estimates from the
// plateau table and the floors of both families, lookups that age out,
// a host never raising its estimate on an error's word, and the bound.
func TestPathMTUTable(t *testing.T) {
	var tb pmtuTable
	tb.init(PathMTUConfig{MaxEntries: 3})
	v4, v6 := netip.MustParseAddr("192.0.2.1"), netip.MustParseAddr("2001:db8::1")
	for _, tc := range []struct {
		dst              netip.Addr
		mtu, size, want  int
		plateau, floored bool
	}{
		{v4, 1280, 1500, 1280, false, false},
		{v4, 0, 1500, 1492, true, false},    // RFC 1191 5: no MTU named
		{v4, 1500, 1500, 1492, true, false}, // no smaller than the datagram: no answer either
		{v4, 0, 1006, 508, true, true},      // the plateau below is under the floor
		{v4, 68, 1500, DefaultMinPathMTU, false, true},
		{v4, 0, 0, DefaultMinPathMTU, true, true},
		{v6, 1000, 1500, minIPv6MTU, false, true},
	} {
		got, plateau, floored := tb.estimate(tc.dst, tc.mtu, tc.size)
		want := tc.want
		if tc.floored {
			want = tb.floor(tc.dst)
		}
		if got != want || plateau != tc.plateau || floored != tc.floored {
			t.Errorf("estimate(%v, mtu %d, size %d) = %d, %v, %v; want %d, %v, %v",
				tc.dst, tc.mtu, tc.size, got, plateau, floored, want, tc.plateau, tc.floored)
		}
	}
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	if got := tb.lookup(v4, 1500, now); got != 1500 {
		t.Errorf("empty table: %d", got)
	}
	tb.lower(v4, 1280, now)
	tb.lower(v4, 1400, now.Add(time.Minute)) // not a decrease: kept as it was
	if got := tb.lookup(v4, 1500, now.Add(DefaultPathMTUTimeout-time.Second)); got != 1280 {
		t.Errorf("lookup before the timeout = %d, want 1280", got)
	}
	if got := tb.lookup(v4, 1000, now); got != 1000 {
		t.Errorf("lookup on a narrower link = %d, want the link's 1000", got)
	}
	if got := tb.lookup(v4, 1500, now.Add(DefaultPathMTUTimeout)); got != 1500 || tb.expired.Load() != 1 {
		t.Errorf("lookup at the timeout = %d (%d expired), want 1500", got, tb.expired.Load())
	}
	// The bound: the entry closest to ageing out makes room.
	for i := range 4 {
		tb.lower(netip.AddrFrom4([4]byte{198, 51, 100, byte(i)}), 1200, now.Add(time.Duration(i)*time.Second))
	}
	if n := tb.live(now.Add(5 * time.Second)); n != 3 || tb.evictions.Load() != 1 {
		t.Errorf("%d entries, %d evicted; want 3 and 1", n, tb.evictions.Load())
	}
	if got := tb.lookup(netip.AddrFrom4([4]byte{198, 51, 100, 0}), 1500, now.Add(5*time.Second)); got != 1500 {
		t.Errorf("the oldest entry is still there: %d", got)
	}
}
