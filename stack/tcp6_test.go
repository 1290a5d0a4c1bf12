package stack

import (
	"context"
	"errors"
	"io"
	"net"
	"net/netip"
	"syscall"
	"testing"
	"testing/synctest"
	"time"

	"github.com/medina-net/medina/icmpv6"
	"github.com/medina-net/medina/ipv4"
	"github.com/medina-net/medina/ipv6"
	"github.com/medina-net/medina/tcp"
)

// TestTCP6Transfer sends 4 MiB each way over IPv6 and checks the bytes,
// and that the segments were sized for IPv6's headers: no fragments, and
// the largest segment 1500 - 60 bytes of data (less the timestamps).
func TestTCP6Transfer(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		p := newDualPair(t, 21, nil)
		ln, err := p.a.Listen("tcp6", ":5001")
		if err != nil {
			t.Fatal(err)
		}
		if got := ln.Addr().String(); got != "[::]:5001" {
			t.Errorf("listener %s", got)
		}
		const n = 4 << 20
		done := make(chan error, 1)
		go func() {
			c, err := ln.Accept()
			if err != nil {
				done <- err
				return
			}
			defer c.Close()
			w := newHashingWriter()
			if _, err := io.CopyN(w, c, n); err != nil {
				done <- err
				return
			}
			if w.sum() != bulkSum(21, 1, n) {
				done <- errors.New("server got other bytes")
				return
			}
			_, err = io.Copy(c, bulkData(21, 2, n))
			done <- err
		}()
		c, err := p.b.Dial("tcp6", "[2001:db8::1]:5001")
		if err != nil {
			t.Fatal(err)
		}
		if got := c.LocalAddr().(*net.TCPAddr).AddrPort().Addr(); got != addrB6 {
			t.Errorf("client address %v", got)
		}
		if _, err := io.Copy(c, bulkData(21, 1, n)); err != nil {
			t.Fatal(err)
		}
		w := newHashingWriter()
		if _, err := io.CopyN(w, c, n); err != nil {
			t.Fatal(err)
		}
		if err := <-done; err != nil {
			t.Fatal(err)
		}
		if w.sum() != bulkSum(21, 2, n) {
			t.Fatal("client got other bytes")
		}
		c.Close()
		sa, sb := p.a.Stats(), p.b.Stats()
		if sa.IPv6.FragOKs+sb.IPv6.FragOKs != 0 || sa.IPv6.ReasmReqds+sb.IPv6.ReasmReqds != 0 {
			t.Errorf("fragments: a %+v\nb %+v", sa.IPv6, sb.IPv6)
		}
		if sa.IP.InReceives != 0 && sa.IP.InDelivers != 0 {
			t.Errorf("IPv4 carried some of it: %+v", sa.IP)
		}
		if ts := p.a.TCPStats(); ts.InSegs < n/1440 {
			t.Errorf("%d segments in", ts.InSegs)
		}
	})
}

// TestTCPDualStackListener: a "tcp" listener on [::] takes IPv4 and IPv6
// connections, each reporting its own family's addresses; a "tcp6" one
// refuses IPv4 (a reset), a "tcp4" one IPv6.
func TestTCPDualStackListener(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		p := newDualPair(t, 22, nil)
		ln := listenTCP(t, p.a, "[::]:80")
		for _, c := range []struct{ to, local, remote string }{
			{"10.0.0.1", "10.0.0.1:80", "10.0.0.2"},
			{"2001:db8::1", "[2001:db8::1]:80", "2001:db8::2"},
			{"fe80::1", "[fe80::1]:80", "fe80::2"},
		} {
			cl, srv := dialAcceptFrom(t, p.b, ln, netip.MustParseAddr(c.to))
			if got := srv.LocalAddr().String(); got != c.local {
				t.Errorf("to %s: server's local address %s, want %s", c.to, got, c.local)
			}
			if got := srv.RemoteAddr().(*net.TCPAddr).AddrPort().Addr().String(); got != c.remote {
				t.Errorf("to %s: server's peer %s, want %s", c.to, got, c.remote)
			}
			cl.Close()
			srv.Close()
		}
		ln.Close()

		ln6 := listenTCP6(t, p.a, "tcp6", ":81")
		defer ln6.Close()
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		if _, err := p.b.DialContext(ctx, "tcp4", "10.0.0.1:81"); !errors.Is(err, syscall.ECONNREFUSED) {
			t.Errorf("IPv4 to a tcp6 listener: %v", err)
		}
		ln4 := listenTCP6(t, p.a, "tcp4", ":82")
		defer ln4.Close()
		if _, err := p.b.DialContext(ctx, "tcp6", "[2001:db8::1]:82"); !errors.Is(err, syscall.ECONNREFUSED) {
			t.Errorf("IPv6 to a tcp4 listener: %v", err)
		}
		// A zone naming the link, and a dial to ourselves.
		go func() {
			if c, err := ln6.Accept(); err == nil {
				c.Close()
			}
		}()
		c, err := p.b.DialContext(ctx, "tcp", "[fe80::1%1]:81")
		if err != nil {
			t.Fatalf("dial with a zone: %v", err)
		}
		c.Close()
		if _, err := p.b.DialContext(ctx, "tcp6", "[2001:db8::2]:81"); !errors.Is(err, errNoLoopback) {
			t.Errorf("dial to our own address: %v", err)
		}
	})
}

func listenTCP6(t *testing.T, s *Stack, network, address string) *tcp.Listener {
	t.Helper()
	ln, err := s.Listen(network, address)
	if err != nil {
		t.Fatal(err)
	}
	return ln.(*tcp.Listener)
}

// TestTCP6PacketTooBig: a Packet Too Big quoting a segment in flight
// lowers the connection's path MTU (RFC 8201): the stack sends again at
// once in segments that fit 1280 bytes, and remembers the path MTU for
// the destination; one quoting a sequence number not in flight changes
// nothing (RFC 5927).
func TestTCP6PacketTooBig(t *testing.T) {
	h := newHarness6(t, nil)
	h.learnPeer()
	ln, err := h.s.Listen("tcp6", ":80")
	if err != nil {
		t.Fatal(err)
	}
	accepted := make(chan net.Conn, 1)
	go func() {
		c, _ := ln.Accept()
		accepted <- c
	}()
	// The peer's SYN, MSS 1440.
	syn := tcpSeg6(peer6, us6, 40000, 80, 1000, 0, tcp.FlagSYN, 65535, []byte{2, 4, 0x05, 0xa0}, nil)
	h.send(syn)
	synack := h.tcpOut()
	if len(synack) != 1 {
		t.Fatalf("%d segments for the SYN", len(synack))
	}
	iss := synack[0].Seq()
	h.send(tcpSeg6(peer6, us6, 40000, 80, 1001, iss+1, tcp.FlagACK, 65535, nil, nil))
	c := <-accepted
	c.Write(make([]byte, 3000))
	segs := h.tcpOutPkts()
	if len(segs) < 2 || len(segs[0]) != 1500 {
		t.Fatalf("%d segments, first %d bytes", len(segs), len(segs[0]))
	}
	ptb := func(mtu uint32, quoted []byte) []byte {
		b := make([]byte, 8+len(quoted))
		m, _ := icmpv6.EncodePacketTooBig(b, mtu, quoted, ipv6.Addr{}, ipv6.Addr{})
		return pkt6(other6, us6, 64, ipv4.ProtoICMPv6, m)
	}
	// A forgery: a sequence number far from what is in flight.
	forged := append([]byte(nil), segs[0]...)
	tcp.Header(forged[ipv6.HeaderLen:]).SetSeq(iss + 1_000_000)
	h.send(ptb(1280, forged))
	if got := h.tcpOutPkts(); len(got) != 0 {
		t.Fatalf("a forged packet too big made the stack send %d segments", len(got))
	}
	h.send(ptb(1280, segs[0]))
	resent := h.tcpOutPkts()
	if len(resent) < 3 {
		t.Fatalf("%d segments sent again", len(resent))
	}
	for _, s := range resent {
		if len(s) > 1280 {
			t.Errorf("a segment of %d bytes after the packet too big", len(s))
		}
	}
	if mtu := h.s.pmtu.lookup(addrB6, h.s.mtu, h.clock.Now()); mtu != 1280 {
		t.Errorf("path MTU %d", mtu)
	}
	c.Close()
}

// tcpSeg6 builds a TCP segment over IPv6 with a right checksum.
func tcpSeg6(src, dst ipv6.Addr, sport, dport uint16, seq, ack uint32, flags tcp.Flags, win uint16, opts, payload []byte) []byte {
	f := tcp.Fields{SrcPort: sport, DstPort: dport, Seq: seq, Ack: ack, Flags: flags, Window: win, Options: opts}
	b := make([]byte, f.HeaderLen()+len(payload))
	copy(b[f.HeaderLen():], payload)
	f.EncodeChecksum6(b, src, dst)
	return pkt6(src, dst, 64, ipv4.ProtoTCP, b)
}

// tcpOutPkts returns the IPv6 packets holding TCP segments the stack sent.
func (h *harness6) tcpOutPkts() []ipv6.Header {
	var out []ipv6.Header
	for _, p := range h.out() {
		if proto, _, _ := p.UpperLayer(); proto == ipv4.ProtoTCP {
			out = append(out, p)
		}
	}
	return out
}

// tcpOut returns the TCP segments the stack sent.
func (h *harness6) tcpOut() []tcp.Header {
	var out []tcp.Header
	for _, p := range h.tcpOutPkts() {
		_, off, _ := p.UpperLayer()
		out = append(out, tcp.Header(p[off:]))
	}
	return out
}

// TestTCP6HardError: a port unreachable about our SYN fails the dial at
// once with ECONNREFUSED; one quoting a sequence number not ours does
// nothing (RFC 5927).
func TestTCP6HardError(t *testing.T) {
	h := newHarness6(t, nil)
	h.learnPeer()
	type result struct {
		err error
	}
	res := make(chan result, 1)
	go func() {
		ctx, cancel := context.WithTimeout(context.Background(), time.Hour)
		defer cancel()
		c, err := h.s.DialContext(ctx, "tcp6", "[2001:db8::2]:80")
		if c != nil {
			c.Close()
		}
		res <- result{err}
	}()
	var syn []ipv6.Header
	for range 1000 {
		if syn = h.tcpOutPkts(); len(syn) > 0 {
			break
		}
		time.Sleep(time.Millisecond)
	}
	if len(syn) != 1 {
		t.Fatalf("%d SYNs", len(syn))
	}
	unreach := func(quoted []byte) []byte {
		b := make([]byte, 8+len(quoted))
		m, _ := icmpv6.EncodeDestUnreachable(b, icmpv6.UnreachPort, quoted, ipv6.Addr{}, ipv6.Addr{})
		return pkt6(peer6, us6, 64, ipv4.ProtoICMPv6, m)
	}
	forged := append([]byte(nil), syn[0]...)
	seg := tcp.Header(forged[ipv6.HeaderLen:])
	seg.SetSeq(seg.Seq() + 1_000_000)
	h.send(unreach(forged))
	select {
	case r := <-res:
		t.Fatalf("a forged error ended the dial: %v", r.err)
	case <-time.After(50 * time.Millisecond):
	}
	h.send(unreach(syn[0]))
	select {
	case r := <-res:
		if !errors.Is(r.err, syscall.ECONNREFUSED) {
			t.Errorf("dial: %v, want ECONNREFUSED", r.err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("the dial did not end")
	}
}

// TestTCPConfirmsNeighbors: TCP's acknowledgments of new data confirm the
// neighbour (RFC 4861 7.3.1), so a connection that keeps sending for
// minutes never has its neighbour probed, over IPv6 and over IPv4.
func TestTCPConfirmsNeighbors(t *testing.T) {
	for _, to := range []netip.Addr{addrA6, addrA} {
		t.Run(to.String(), func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				p := newDualPair(t, 23, nil)
				ln := listenTCP(t, p.a, "[::]:80")
				go func() {
					c, err := ln.Accept()
					if err == nil {
						io.Copy(io.Discard, c)
						c.Close()
					}
				}()
				c, err := p.b.DialContext(context.Background(), "tcp", netip.AddrPortFrom(to, 80).String())
				if err != nil {
					t.Fatal(err)
				}
				before := p.b.Stats()
				for range 120 {
					if _, err := c.Write(make([]byte, 1000)); err != nil {
						t.Fatal(err)
					}
					time.Sleep(time.Second)
				}
				c.Close()
				after := p.b.Stats()
				if n := after.ICMPv6.OutNeighborSolicits - before.ICMPv6.OutNeighborSolicits; n != 0 {
					t.Errorf("%d neighbour solicitations during two minutes of traffic", n)
				}
				if n := after.ARP.OutRequests - before.ARP.OutRequests; n != 0 {
					t.Errorf("%d ARP requests during two minutes of traffic", n)
				}
			})
		})
	}
}
