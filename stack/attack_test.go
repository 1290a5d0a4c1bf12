package stack

import (
	"io"
	"math/rand/v2"
	"net"
	"net/netip"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/medina-net/medina/ethernet"
	"github.com/medina-net/medina/icmp"
	"github.com/medina-net/medina/ipv4"
	"github.com/medina-net/medina/tcp"
)

// The attack suite: a hostile peer's attacks on a stack, each in a
// testing/synctest bubble on the arena of attack_helpers_test.go, with
// crafted frames, deterministic, bounded in count. Each checks that the
// stack did not fall over (no panic, no hang: the bubble would report
// it), that a legitimate client is still served, that memory stayed
// within its bounds, and that the counters that should move did. The
// memory budget's own attacks (readers that never read, writers to an
// application that never reads) are in memory_test.go; the Linux-side
// versions, with hping3 over a TAP, in attack_linux_test.go.

// heapBound fails t if the live heap grew by more than bound since
// before, naming what was measured.
func heapBound(t *testing.T, before, bound int64, what string) int64 {
	t.Helper()
	growth := heapInUse() - before
	t.Logf("%s: live heap grew %.2f MiB (bound %.2f MiB)", what, float64(growth)/(1<<20), float64(bound)/(1<<20))
	if growth > bound {
		t.Errorf("%s: live heap grew by %d bytes, over %d", what, growth, bound)
	}
	return growth
}

// TestAttackSYNFlood: 50,000 SYNs from random sources of 198.18.0.0/15 at
// 100,000 a second. The SYN backlog fills, SYN cookies answer the rest,
// the half-open connections stay within the backlog, and the legitimate
// client, whose handshake completes through a cookie, is served during
// the flood.
func TestAttackSYNFlood(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		a := newArena(t, Config{})
		before := heapInUse()
		const syns = 50_000
		var wg sync.WaitGroup
		wg.Go(func() {
			r := rand.New(rand.NewPCG(1, 2))
			for i := 0; i < syns; i += 100 {
				for range 100 {
					src, sport := spoofed(r.IntN(1<<17)), uint16(1024+r.IntN(64512))
					a.atk.sendIP(tcpDgram(src, arenaServer, sport, 7, r.Uint32(), 0, tcp.FlagSYN, 65535, synOptions(r.Uint32()), nil))
				}
				time.Sleep(time.Millisecond)
			}
		})
		time.Sleep(50 * time.Millisecond) // the backlog is full by now
		a.served(t, 64<<10)
		wg.Wait()
		synctest.Wait()
		st := a.server.TCPStats()
		t.Logf("SYN flood: %d SYN-ACKs with cookies, %d half-open connections, %d SYN-ACKs seen", st.SYNCookiesSent, a.server.tcp.NumConns(), a.atk.count("syn-ack"))
		if st.SYNCookiesSent < syns/2 {
			t.Errorf("%d SYN cookies sent for %d SYNs", st.SYNCookiesSent, syns)
		}
		if n := a.server.tcp.NumConns(); n > tcp.DefaultSYNBacklog+2 {
			t.Errorf("%d connections in the table, the SYN backlog is %d", n, tcp.DefaultSYNBacklog)
		}
		heapBound(t, before, 8<<20, "SYN flood")
	})
}

// TestAttackIdleConnsAndRSTFlood: 20,000 connections opened and left
// idle cost little memory each; a blind flood of resets in their windows
// kills none and draws few challenge ACKs (RFC 5961, rate limited), and
// resets at the right sequence numbers end them all and give the memory
// back.
func TestAttackIdleConnsAndRSTFlood(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		a := newArena(t, Config{})
		ln, err := a.server.Listen("tcp", ":9")
		if err != nil {
			t.Fatal(err)
		}
		var (
			mu   sync.Mutex
			held []net.Conn
		)
		go func() { // an application that accepts and holds
			for {
				c, err := ln.Accept()
				if err != nil {
					return
				}
				mu.Lock()
				held = append(held, c)
				mu.Unlock()
			}
		}()
		before := heapInUse()
		const n = 20_000
		if got := a.atk.handshake(arenaAttacker, 10000, n, 9); got != n {
			t.Fatalf("%d of %d handshakes completed: %+v, hub drops %d %d", got, n, a.server.TCPStats(), a.sport.drops, a.atk.p.drops)
		}
		synctest.Wait()
		if c := a.server.tcp.NumConns(); c != n {
			t.Fatalf("%d connections in the table, want %d", c, n)
		}
		growth := heapBound(t, before, n*6<<10, "20,000 idle connections")
		t.Logf("%.0f bytes per idle connection", float64(growth)/n)
		a.served(t, 16<<10)

		// Blind resets, in the window but not at RCV.NXT, twice over.
		stBefore := a.server.TCPStats()
		for round := range 2 {
			for i := 0; i < n; i += 500 {
				for j := i; j < i+500; j++ {
					a.atk.sendIP(tcpDgram(arenaAttacker, arenaServer, uint16(10000+j), 9, uint32(5000+round), 0, tcp.FlagRST, 0, nil, nil))
				}
				time.Sleep(time.Millisecond)
			}
		}
		synctest.Wait()
		st := a.server.TCPStats()
		if c := a.server.tcp.NumConns(); c != n || st.EstabResets != stBefore.EstabResets {
			t.Errorf("blind resets killed connections: %d left, %d resets", c, st.EstabResets-stBefore.EstabResets)
		}
		sent := st.ChallengeACKs - stBefore.ChallengeACKs
		t.Logf("blind RST flood: %d challenge ACKs, %d suppressed", sent, st.ChallengeLimits-stBefore.ChallengeLimits)
		if sent == 0 || sent > 2*tcp.DefaultChallengeACKLimit {
			t.Errorf("%d challenge ACKs for %d blind resets in 40 ms, want some and no more than the limit", sent, 2*n)
		}

		// Resets at RCV.NXT end them all.
		for i := 0; i < n; i += 500 {
			for j := i; j < i+500; j++ {
				a.atk.sendIP(tcpDgram(arenaAttacker, arenaServer, uint16(10000+j), 9, 1001, 0, tcp.FlagRST, 0, nil, nil))
			}
			time.Sleep(time.Millisecond)
		}
		synctest.Wait()
		if c := a.server.tcp.NumConns(); c != 0 {
			t.Errorf("%d connections left after the resets", c)
		}
		mu.Lock()
		for _, c := range held {
			if _, err := c.Read(make([]byte, 1)); err == nil {
				t.Fatal("a reset connection reads")
			}
			c.Close()
		}
		held = nil
		mu.Unlock()
		ln.Close()
		// What stays: the attacker's record of 20,000 handshakes, and the
		// engine's table of connections, which, as Go maps do, keeps the
		// room it grew to.
		heapBound(t, before, 4<<20, "after the reset flood")
		a.served(t, 16<<10)
	})
}

// TestAttackFragments: fragments that never complete, tiny fragments,
// overlapping fragments (RFC 5722), teardrop and ping of death. The
// reassembly memory stays within its bound, each is counted and none is
// answered, and the legitimate client's fragmented datagrams still get
// through.
func TestAttackFragments(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		a := newArena(t, Config{})
		before := heapInUse()
		echo := func(src ipv4.Addr, id uint16, n int) []byte { return echoMsg(icmp.TypeEcho, id, 1, make([]byte, n)) }
		frag := func(src ipv4.Addr, id uint16, off int, more bool, b []byte) {
			var fl ipv4.Flags
			if more {
				fl = ipv4.FlagMF
			}
			a.atk.sendIP(dgram(src, arenaServer, ipv4.ProtoICMP, id, fl, off, b))
		}
		// 20,000 first fragments from as many sources, never completed.
		for i := range 20_000 {
			frag(spoofed(i), uint16(i), 0, true, echo(spoofed(i), 1, 1200)[:1200])
			if i%200 == 199 {
				time.Sleep(time.Millisecond)
			}
		}
		synctest.Wait()
		rs := a.server.reasm.Stats()
		if rs.Bytes > ipv4.DefaultReassemblyMaxBytes || rs.Datagrams > ipv4.DefaultReassemblyMaxDatagrams {
			t.Errorf("reassembly holds %d bytes in %d datagrams, bounds %d and %d", rs.Bytes, rs.Datagrams,
				ipv4.DefaultReassemblyMaxBytes, ipv4.DefaultReassemblyMaxDatagrams)
		}
		// The legitimate client's fragmented UDP still gets through.
		u, err := a.client.Dial("udp", "10.0.0.1:7")
		if err != nil {
			t.Fatal(err)
		}
		big := pattern(6000, 6)
		u.Write(big)
		u.SetReadDeadline(time.Now().Add(10 * time.Second))
		got := make([]byte, 8000)
		if n, err := u.Read(got); err != nil || string(got[:n]) != string(big) {
			t.Errorf("a fragmented UDP echo during the fragment flood: %d bytes, %v", n, err)
		}
		u.Close()

		time.Sleep(ipv4.DefaultReassemblyTimeout + time.Second) // the never-completed ones time out
		synctest.Wait()
		if st := a.server.Stats().IP; st.ReasmFails < 20_000 || st.ReasmTimeout == 0 {
			t.Errorf("never-completed fragments: ReasmFails %d, ReasmTimeout %d", st.ReasmFails, st.ReasmTimeout)
		}

		src := arenaAttacker
		m := echo(src, 7, 3000)
		for _, bad := range []struct {
			name  string
			frags func(id uint16)
		}{
			{"tiny fragments, 8 bytes each, more than a datagram may have", func(id uint16) {
				for off := 0; off < 2000; off += 8 {
					frag(src, id, off, true, m[off:off+8])
				}
			}},
			{"overlapping fragments (RFC 5722)", func(id uint16) {
				frag(src, id, 0, true, m[:1480])
				frag(src, id, 1000, false, m[1000:1600])
			}},
			{"teardrop: the last fragment inside the first", func(id uint16) {
				frag(src, id, 0, true, m[:1480])
				frag(src, id, 24, false, m[24:40])
			}},
			{"ping of death: past 65,535 bytes", func(id uint16) {
				frag(src, id, 0, true, m[:1480])
				frag(src, id, 65528, false, m[:100])
			}},
		} {
			before := a.server.Stats().IP
			bad.frags(uint16(100 + len(bad.name)))
			synctest.Wait()
			after := a.server.Stats().IP
			if after.ReasmFails == before.ReasmFails || after.ReasmOKs != before.ReasmOKs {
				t.Errorf("%s: ReasmFails %d -> %d, ReasmOKs %d -> %d", bad.name, before.ReasmFails, after.ReasmFails, before.ReasmOKs, after.ReasmOKs)
			}
		}
		if st := a.server.Stats().IP; st.ReasmOverlaps == 0 {
			t.Errorf("ReasmOverlaps %d, want the overlapping fragments counted", st.ReasmOverlaps)
		}
		time.Sleep(ipv4.DefaultReassemblyTimeout + time.Second)
		synctest.Wait()
		st := a.server.Stats()
		if st.ICMP.OutEchoReps != 0 {
			t.Errorf("%d echo replies to fragments that never made a datagram", st.ICMP.OutEchoReps)
		}
		if rs := a.server.reasm.Stats(); rs.Bytes != 0 || rs.Datagrams != 0 {
			t.Errorf("after the timeout, reassembly still holds %d bytes in %d datagrams", rs.Bytes, rs.Datagrams)
		}
		heapBound(t, before, 12<<20, "fragment flood")
		a.served(t, 16<<10)
	})
}

// TestAttackMalformed: datagrams and segments broken in every field that
// is checked are dropped and counted in the right counter, and answered
// by nothing but what the RFCs ask for.
func TestAttackMalformed(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		a := newArena(t, Config{})
		src := arenaAttacker
		seg := func() []byte {
			return tcpDgram(src, arenaServer, 40000, 7, 1000, 0, tcp.FlagSYN, 65535, tcp.AppendMSS(nil, 1460), nil)
		}
		udpd := func() []byte { return udpDgram(src, arenaServer, 40000, 7, []byte("malformed?")) }
		icmpd := func() []byte {
			return dgram(src, arenaServer, ipv4.ProtoICMP, 1, 0, 0, echoMsg(icmp.TypeEcho, 1, 1, []byte("ping")))
		}
		fixIP := func(b []byte) []byte { // the IPv4 checksum, after a change to the header
			h := ipv4.Header(b)
			h.SetChecksum(0)
			h.SetChecksum(h.ComputeChecksum())
			return b
		}
		const each = 500
		type mutation struct {
			name string
			make func() []byte
		}
		mutations := []mutation{
			{"IP version 6", func() []byte { b := seg(); b[0] = 0x65; return fixIP(b) }},
			{"IHL 4", func() []byte { b := seg(); b[0] = 0x44; return b }},
			{"IHL past the datagram", func() []byte { b := seg(); b[0] = 0x4f; return fixIP(b) }},
			{"total length short of the header", func() []byte { b := seg(); putUint16(b[2:], 12); return fixIP(b) }},
			{"total length past the frame", func() []byte { b := seg(); putUint16(b[2:], 1400); return fixIP(b) }},
			{"IP checksum", func() []byte { b := seg(); b[10] ^= 0xff; return b }},
			{"TCP data offset 4", func() []byte { b := seg(); b[20+12] = 4 << 4; return b }},
			{"TCP data offset past the segment", func() []byte { b := seg(); b[20+12] = 15 << 4; return b }},
			{"TCP checksum", func() []byte { b := seg(); b[20+16] ^= 0xff; return b }},
			{"UDP length 7", func() []byte { b := udpd(); putUint16(b[20+4:], 7); return b }},
			{"UDP length past the datagram", func() []byte { b := udpd(); putUint16(b[20+4:], 200); return b }},
			{"UDP checksum", func() []byte { b := udpd(); b[20+6] ^= 0xff; return b }},
			{"ICMP checksum", func() []byte { b := icmpd(); b[20+2] ^= 0xff; return b }},
			{"ICMP of 3 bytes", func() []byte { return fixIP(dgram(src, arenaServer, ipv4.ProtoICMP, 1, 0, 0, []byte{8, 0, 0})) }},
			{"IP option length 0", func() []byte {
				f := ipv4.Fields{PayloadLen: 8, TTL: 64, Protocol: ipv4.ProtoUDP, Src: src, Dst: arenaServer, Options: []byte{1, 7, 0, 0}}
				b := make([]byte, f.HeaderLen()+8)
				f.Encode(b)
				return b
			}},
		}
		before := a.server.Stats()
		tcpBefore := a.server.TCPStats()
		for _, m := range mutations {
			for range each {
				a.atk.sendIP(m.make())
			}
			time.Sleep(time.Millisecond)
		}
		synctest.Wait()
		st, ts := a.server.Stats(), a.server.TCPStats()
		diff := func(after, before uint64) uint64 { return after - before }
		for _, c := range []struct {
			name      string
			got, want uint64
		}{
			{"IP InHdrErrors", diff(st.IP.InHdrErrors, before.IP.InHdrErrors), 7 * each},
			{"TCP InErrs", diff(ts.InErrs, tcpBefore.InErrs), 3 * each},
			{"TCP InCsumErrors", diff(ts.InCsumErrors, tcpBefore.InCsumErrors), each},
			{"UDP InErrors", diff(st.UDP.InErrors, before.UDP.InErrors), 3 * each},
			{"UDP InCsumErrors", diff(st.UDP.InCsumErrors, before.UDP.InCsumErrors), each},
			{"ICMP InErrors", diff(st.ICMP.InErrors, before.ICMP.InErrors), 2 * each},
			{"TCP PassiveOpens", diff(ts.PassiveOpens, tcpBefore.PassiveOpens), 0},
			{"UDP InDatagrams", diff(st.UDP.InDatagrams, before.UDP.InDatagrams), 0},
			{"ICMP OutEchoReps", diff(st.ICMP.OutEchoReps, before.ICMP.OutEchoReps), 0},
		} {
			if c.got != c.want {
				t.Errorf("%s moved by %d, want %d", c.name, c.got, c.want)
			}
		}
		// The one malformed datagram a host answers: its option, with a
		// parameter problem (rate limited).
		if p := diff(st.ICMP.OutParmProbs, before.ICMP.OutParmProbs); p == 0 || p > each {
			t.Errorf("%d parameter problems for %d datagrams with a bad option", p, each)
		}
		a.served(t, 16<<10)
	})
}

// TestAttackForgedICMP: ICMP errors forged about a live connection, with
// its four-tuple and guessed sequence numbers (unreachables of every
// kind, "fragmentation needed" with a tiny MTU, source quench), neither
// reset it nor shrink its segments: none quotes a sequence number in
// flight (RFC 5927 4.1), and source quench is ignored (RFC 6633); it goes
// on carrying data. An attacker on the path, who sees the server's
// segments and quotes one in flight, passes the check, and gets no more
// than the RFCs let a genuine error do: hard errors are soft in
// ESTABLISHED (RFC 5461), so the connection goes on; fragmentation needed
// with an MTU of 68 brings the segments down to the floor
// (PathMTUConfig.Min, 552 bytes with the headers, RFC 5927 7), no
// further; and the data arrives whole.
func TestAttackForgedICMP(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		a := newArena(t, Config{})
		c, err := a.client.DialTCP(t.Context(), netip.AddrPort{}, netip.AddrPortFrom(arenaServer.Netip(), 7))
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		lport := uint16(c.LocalAddr().(*net.TCPAddr).Port)
		r := rand.New(rand.NewPCG(3, 4))
		type kind struct {
			typ  icmp.Type
			code icmp.Code
			mtu  uint16
		}
		kinds := []kind{
			{icmp.TypeDestUnreachable, icmp.UnreachNet, 0}, {icmp.TypeDestUnreachable, icmp.UnreachHost, 0},
			{icmp.TypeDestUnreachable, icmp.UnreachProtocol, 0}, {icmp.TypeDestUnreachable, icmp.UnreachPort, 0},
			{icmp.TypeDestUnreachable, icmp.UnreachNeedFrag, 68}, {icmp.TypeSourceQuench, 0, 0},
			{icmp.TypeTimeExceeded, 0, 0}, {icmp.TypeParamProblem, 0, 0},
		}
		for _, k := range kinds {
			for range 200 {
				// The quoted segment is the server's, to the client.
				quoted := tcpDgram(arenaServer, arenaClient, 7, lport, r.Uint32(), r.Uint32(), tcp.FlagACK, 65535, nil, nil)[:28]
				a.atk.sendIP(icmpError(k.typ, k.code, k.mtu, quoted))
			}
			time.Sleep(time.Millisecond)
		}
		synctest.Wait()
		// The connection carries full-sized segments as before.
		want := pattern(256<<10, 9)
		go c.Write(want)
		got := make([]byte, len(want))
		c.SetReadDeadline(time.Now().Add(time.Minute))
		if n, err := io.ReadFull(c, got); err != nil || string(got) != string(want) {
			t.Errorf("after forged ICMP errors the connection read %d bytes, %v", n, err)
		}
		if st := a.server.TCPStats(); st.EstabResets != 0 || st.AttemptFails != 0 {
			t.Errorf("connections ended: %+v", st)
		}
		if st := a.server.Stats().ICMP; st.InDestUnreachs != 5*200 || st.InTimeExcds != 200 || st.InParmProbs != 200 || st.InSrcQuenchs != 200 {
			t.Errorf("ICMP errors counted: %+v", st)
		}
		if st := a.server.TCPStats(); st.ICMPOutOfWindow != 7*200 || st.ICMPErrors != 0 || st.PMTUDecreases != 0 {
			t.Errorf("TCP took forged errors: %d dropped out of window, %d taken, %d path MTU decreases",
				st.ICMPOutOfWindow, st.ICMPErrors, st.PMTUDecreases)
		}
		if st := a.server.Stats().IP; st.PMTUUpdates != 0 || st.PMTUEntries != 0 {
			t.Errorf("the path MTU table took forged errors: %+v", st)
		}

		// On the path: the client's link goes down, so that what the
		// server echoes stays in flight, unacknowledged, and the
		// attacker quotes the latest segment it saw.
		a.cport.cut.Store(true)
		seen := len(a.atk.dataToClient(0))
		want = pattern(64<<10, 10)
		go c.Write(want)
		time.Sleep(50 * time.Millisecond)
		sent := a.atk.dataToClient(seen)
		if len(sent) == 0 {
			t.Fatal("the server echoed nothing")
		}
		q := sent[len(sent)-1]
		// Every kind but fragmentation needed (below), source quench
		// (ignored) included, and communication administratively
		// prohibited: soft, all of them.
		for _, k := range kinds {
			if k.typ != icmp.TypeDestUnreachable || k.code != icmp.UnreachNeedFrag {
				a.atk.sendIP(icmpError(k.typ, k.code, k.mtu, q))
			}
		}
		a.atk.sendIP(icmpError(icmp.TypeDestUnreachable, icmp.UnreachFilterProhibited, 0, q))
		synctest.Wait()
		st := a.server.TCPStats()
		if st.ICMPSoftErrors != 7 || st.ICMPHardErrors != 0 || st.CurrEstab != 1 || st.EstabResets != 0 {
			t.Errorf("errors on the path: %d soft, %d hard, %d connections established, %d reset; want 7 soft and the connection on",
				st.ICMPSoftErrors, st.ICMPHardErrors, st.CurrEstab, st.EstabResets)
		}
		// Fragmentation needed, claiming 68 bytes.
		seen = len(a.atk.dataToClient(0))
		a.atk.sendIP(icmpError(icmp.TypeDestUnreachable, icmp.UnreachNeedFrag, 68, q))
		synctest.Wait()
		if st := a.server.TCPStats(); st.PMTUDecreases != 1 {
			t.Errorf("fragmentation needed on the path: %d path MTU decreases, want 1", st.PMTUDecreases)
		}
		if st := a.server.Stats().IP; st.PMTUFloored != 1 || st.PMTUEntries != 1 {
			t.Errorf("fragmentation needed on the path: %d floored, %d entries; want 1 and 1", st.PMTUFloored, st.PMTUEntries)
		}
		a.cport.cut.Store(false)
		got = make([]byte, len(want))
		c.SetReadDeadline(time.Now().Add(5 * time.Minute))
		if n, err := io.ReadFull(c, got); err != nil || string(got) != string(want) {
			t.Errorf("after errors on the path the connection read %d bytes, %v", n, err)
		}
		full := 0
		for _, d := range a.atk.dataToClient(seen) {
			switch n := int(ipv4.Header(d).TotalLen()); {
			case n > DefaultMinPathMTU:
				t.Fatalf("a datagram of %d bytes after the path MTU fell to %d", n, DefaultMinPathMTU)
			case n == DefaultMinPathMTU:
				full++
			}
		}
		if full == 0 {
			t.Errorf("no segment of the floor's size after the path MTU fell: it went below %d", DefaultMinPathMTU)
		}
	})
}

// TestAttackRandomFrames: 200,000 frames at 100,000 a second, random
// bytes and valid frames of every kind with random bytes changed, all to
// the server. Nothing panics, every frame is accounted for in the
// counters, the tables stay within their bounds, and the legitimate
// client is served.
func TestAttackRandomFrames(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		a := newArena(t, Config{})
		before := heapInUse()
		templates := [][]byte{
			ethFrame(serverMAC, attackerMAC, ethernet.TypeIPv4, tcpDgram(arenaAttacker, arenaServer, 40000, 7, 1, 0, tcp.FlagSYN, 65535, synOptions(1), nil)),
			ethFrame(serverMAC, attackerMAC, ethernet.TypeIPv4, tcpDgram(arenaAttacker, arenaServer, 40000, 7, 1, 1, tcp.FlagACK|tcp.FlagPSH, 65535, nil, []byte("data"))),
			ethFrame(serverMAC, attackerMAC, ethernet.TypeIPv4, udpDgram(arenaAttacker, arenaServer, 40000, 7, []byte("udp"))),
			ethFrame(serverMAC, attackerMAC, ethernet.TypeIPv4, dgram(arenaAttacker, arenaServer, ipv4.ProtoICMP, 1, 0, 0, echoMsg(icmp.TypeEcho, 1, 1, []byte("ping")))),
			ethFrame(serverMAC, attackerMAC, ethernet.TypeIPv4, dgram(arenaAttacker, arenaServer, ipv4.ProtoUDP, 9, ipv4.FlagMF, 0, make([]byte, 64))),
			ethFrame(ethernet.Broadcast, attackerMAC, ethernet.TypeARP, arpPacket(1, attackerMAC, arenaAttacker, ethernet.Addr{}, arenaServer)),
		}
		r := rand.New(rand.NewPCG(5, 6))
		const frames = 200_000
		var wg sync.WaitGroup
		wg.Go(func() {
			for i := range frames {
				var f []byte
				if r.IntN(4) == 0 {
					f = make([]byte, 14+r.IntN(1500))
					for j := range f {
						f[j] = byte(r.Uint32())
					}
					copy(f, serverMAC[:])
				} else {
					f = append([]byte(nil), templates[r.IntN(len(templates))]...)
					for range 1 + r.IntN(4) {
						f[6+r.IntN(len(f)-6)] = byte(r.Uint32()) // not the destination MAC
					}
				}
				a.atk.send(f)
				if i%100 == 99 {
					time.Sleep(time.Millisecond)
				}
			}
		})
		time.Sleep(500 * time.Millisecond)
		a.served(t, 64<<10)
		wg.Wait()
		synctest.Wait()
		st := a.server.Stats()
		arpIn := st.ARP.InRequests + st.ARP.InReplies + st.ARP.InErrors
		if sum := st.Link.InErrors + st.Link.InOtherHost + st.Link.InUnknown + arpIn + st.IP.InReceives + st.IPv6.InReceives; sum != st.Link.InFrames {
			t.Errorf("%d frames read, %d accounted for: %+v", st.Link.InFrames, sum, st)
		}
		if st.Link.InFrames < frames {
			t.Errorf("the server read %d frames of %d", st.Link.InFrames, frames)
		}
		nc, rs := a.server.neigh.Stats(), a.server.reasm.Stats()
		if nc.Entries > 1024 || nc.QueuedBytes > 256<<10 || rs.Bytes > ipv4.DefaultReassemblyMaxBytes {
			t.Errorf("tables over their bounds: %d neighbours, %d bytes queued, %d bytes in reassembly", nc.Entries, nc.QueuedBytes, rs.Bytes)
		}
		if n := a.server.tcp.NumConns(); n > tcp.DefaultSYNBacklog+2 {
			t.Errorf("%d connections after random frames", n)
		}
		t.Logf("random frames: link %+v, IP %+v", st.Link, st.IP)
		heapBound(t, before, 12<<20, "random frames")
	})
}

// TestAttackOutOfOrderFlood: a peer sends one byte in every other place
// of its window, 20,000 segments. The out-of-order list stays bounded
// (OFODrops counts what it refuses) and the legitimate client is served.
func TestAttackOutOfOrderFlood(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		a := newArena(t, Config{})
		ln, err := a.server.Listen("tcp", ":9")
		if err != nil {
			t.Fatal(err)
		}
		defer ln.Close()
		stop := make(chan struct{})
		defer close(stop)
		go func() {
			if c, err := ln.Accept(); err == nil {
				<-stop // never reads
				c.Close()
			}
		}()
		if a.atk.handshake(arenaAttacker, 30000, 1, 9) != 1 {
			t.Fatal("no handshake")
		}
		isn, _ := a.atk.isn(arenaAttacker, 30000)
		synctest.Wait()
		before := heapInUse()
		for i := range 20_000 {
			off := uint32(2*i + 2) // byte 1001 stays a hole
			a.atk.sendIP(tcpDgram(arenaAttacker, arenaServer, 30000, 9, 1001+off, isn+1, tcp.FlagACK, 65535, nil, []byte{'x'}))
			if i%200 == 199 {
				time.Sleep(time.Millisecond)
			}
		}
		synctest.Wait()
		st := a.server.TCPStats()
		t.Logf("out-of-order flood: %d dropped, %d bytes of buffers", st.OFODrops, st.MemoryBytes)
		if st.OFODrops == 0 {
			t.Error("no out-of-order segment was refused")
		}
		heapBound(t, before, 2<<20, "out-of-order flood")
		a.served(t, 16<<10)
	})
}

// TestAttackTimeWait: a peer opens connections to a server that closes
// first (daytime-like), and completes each close, so that the server
// would hold each in TIME-WAIT for a minute. At most MaxTimeWait wait
// there; the rest close at once, and are counted.
func TestAttackTimeWait(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		const maxTW = 1000
		a := newArena(t, Config{TCP: tcp.Config{MaxTimeWait: maxTW}})
		ln, err := a.server.Listen("tcp", ":13")
		if err != nil {
			t.Fatal(err)
		}
		defer ln.Close()
		go func() {
			for {
				c, err := ln.Accept()
				if err != nil {
					return
				}
				c.Write([]byte("now\r\n"))
				c.Close()
			}
		}()
		const n = 5000
		if got := a.atk.handshake(arenaAttacker, 20000, n, 13); got != n {
			t.Fatalf("%d of %d handshakes", got, n)
		}
		synctest.Wait()
		// Each connection holds its 5 bytes, unacknowledged: in 4 KiB of
		// storage, not the 64 KiB a bulk sender's buffer grows to (320
		// MB for 5,000 before buffers grew with their data).
		if held := a.server.TCPStats().MemoryBytes; held > n*4<<10 {
			t.Errorf("%d connections with 5 bytes each unacknowledged hold %d bytes of buffers", n, held)
		}
		// Each connection now has the server's data and FIN: acknowledge
		// them and close our side.
		for i := range n {
			isn, _ := a.atk.isn(arenaAttacker, uint16(20000+i))
			a.atk.sendIP(tcpDgram(arenaAttacker, arenaServer, uint16(20000+i), 13, 1001, isn+1+5+1, tcp.FlagACK|tcp.FlagFIN, 65535, nil, nil))
			if i%250 == 249 {
				time.Sleep(time.Millisecond)
			}
		}
		synctest.Wait()
		st := a.server.TCPStats()
		t.Logf("TIME-WAIT flood: %d in TIME-WAIT, %d overflows, %d connections", st.TimeWaits, st.TimeWaitOverflows, a.server.tcp.NumConns())
		if c := a.server.tcp.NumConns(); c > maxTW {
			t.Errorf("%d connections held, MaxTimeWait %d", c, maxTW)
		}
		if st.TimeWaitOverflows != n-maxTW {
			t.Errorf("TimeWaitOverflows %d, want %d", st.TimeWaitOverflows, n-maxTW)
		}
		a.served(t, 16<<10)
	})
}

// TestAttackNeighbourFlood: ARP requests from 10,000 on-link senders, and
// datagrams that make the server resolve 10,000 on-link addresses nobody
// answers for. The neighbour table and its queues stay within their
// bounds.
func TestAttackNeighbourFlood(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		a := newArena(t, Config{})
		before := heapInUse()
		for i := range 10_000 {
			ip := ipv4.AddrFromUint32(10<<24 | uint32(100+i%150))
			mac := ethernet.Addr{0x02, 0x11, byte(i >> 16), byte(i >> 8), byte(i), 0x01}
			a.atk.send(ethFrame(ethernet.Broadcast, mac, ethernet.TypeARP, arpPacket(1, mac, ip, ethernet.Addr{}, arenaServer)))
			// An echo request from an address nobody will resolve.
			silent := ipv4.AddrFromUint32(10<<24 | uint32(2+i%250))
			if silent != arenaClient && silent != arenaAttacker && silent != arenaServer {
				a.atk.sendIP(udpDgram(silent, arenaServer, 40000, 7, make([]byte, 1000)))
			}
			if i%200 == 199 {
				time.Sleep(time.Millisecond)
			}
		}
		synctest.Wait()
		nc := a.server.neigh.Stats()
		t.Logf("neighbour flood: %d entries, %d bytes queued, %d queue drops", nc.Entries, nc.QueuedBytes, nc.QueueDrops)
		if nc.Entries > 1024 || nc.QueuedBytes > 256<<10 {
			t.Errorf("neighbour table over its bounds: %d entries, %d bytes queued", nc.Entries, nc.QueuedBytes)
		}
		if nc.QueueDrops == 0 {
			t.Error("nothing dropped while waiting for resolution")
		}
		heapBound(t, before, 4<<20, "neighbour flood")
		a.served(t, 16<<10)
	})
}

// TestAttackARPSpoof: the attacker claims the client's address with
// unsolicited replies, gratuitous requests and a request to the server
// itself, again and again while the client talks to the server. The
// server's datagrams for the client never go to the attacker's MAC: it
// ignores what it did not ask for, and checks a claim made in a request
// with a probe of the old address, which the client answers.
func TestAttackARPSpoof(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		a := newArena(t, Config{})
		a.served(t, 16<<10) // the server knows the client
		var wg sync.WaitGroup
		stop := make(chan struct{})
		wg.Go(func() {
			for i := 0; ; i++ {
				select {
				case <-stop:
					return
				default:
				}
				claim := arpPacket(2, attackerMAC, arenaClient, serverMAC, arenaServer) // unsolicited reply
				switch i % 3 {
				case 1: // gratuitous request
					claim = arpPacket(1, attackerMAC, arenaClient, ethernet.Addr{}, arenaClient)
				case 2: // a request to the server, which it answers and learns from
					claim = arpPacket(1, attackerMAC, arenaClient, ethernet.Addr{}, arenaServer)
				}
				a.atk.send(ethFrame(ethernet.Broadcast, attackerMAC, ethernet.TypeARP, claim))
				time.Sleep(100 * time.Millisecond)
			}
		})
		for range 5 {
			a.served(t, 16<<10)
			time.Sleep(time.Second)
		}
		close(stop)
		wg.Wait()
		st := a.server.Stats().ARP
		t.Logf("ARP spoofing: %d ignored, %d changes refused, %d confirmed", st.Ignored, st.ChangesRefused, st.ChangesConfirmed)
		if n := a.atk.count("to-client"); n != 0 {
			t.Errorf("%d datagrams for the client went to the attacker", n)
		}
		if st.ChangesRefused == 0 || st.ChangesConfirmed != 0 || st.Ignored == 0 {
			t.Errorf("ARP counters: %+v", st)
		}
	})
}
