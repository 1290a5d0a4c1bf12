package stack

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"sync"
	"time"

	"github.com/medina-net/medina/ethernet"
	"github.com/medina-net/medina/icmp"
	"github.com/medina-net/medina/icmpv6"
	"github.com/medina-net/medina/ipv4"
	"github.com/medina-net/medina/ipv6"
)

// pingTable matches echo replies with the Ping calls waiting for them.
type pingTable struct {
	mu      sync.Mutex
	waiters map[pingKey]chan time.Time
	closed  bool
	// free holds the channels of finished pings, empty, for the next
	// ones: a chan time.Time is two allocations (time.Time holds a
	// pointer), and a ping should cost none.
	free []chan time.Time
}

// maxFreePings bounds the free list: beyond as many concurrent pings,
// channels go to the garbage collector.
const maxFreePings = 16

type pingKey struct {
	peer    netip.Addr
	id, seq uint16
}

func (t *pingTable) init() { t.waiters = make(map[pingKey]chan time.Time) }

// add registers a waiter for k. It fails with net.ErrClosed once the
// stack is closed, and with errPingBusy when k is taken by another ping.
func (t *pingTable) add(k pingKey) (chan time.Time, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.closed {
		return nil, net.ErrClosed
	}
	if _, taken := t.waiters[k]; taken {
		return nil, errPingBusy
	}
	var ch chan time.Time
	if n := len(t.free); n > 0 {
		ch = t.free[n-1]
		t.free[n-1] = nil
		t.free = t.free[:n-1]
	} else {
		ch = make(chan time.Time, 1)
	}
	t.waiters[k] = ch
	return ch, nil
}

// errPingBusy: another ping waits for the same peer, identifier and
// sequence number.
var errPingBusy = errors.New("ping: identifier in use")

// remove unregisters the waiter ch of k. Unless closeAll closed it, no
// reply can reach ch any more, so it is emptied and kept for reuse.
func (t *pingTable) remove(k pingKey, ch chan time.Time) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.waiters[k] != ch {
		return // closeAll took it, and closed it
	}
	delete(t.waiters, k)
	select {
	case <-ch: // a reply that came too late
	default:
	}
	if len(t.free) < maxFreePings {
		t.free = append(t.free, ch)
	}
}

// reply passes the arrival time of an echo reply to its waiter, if any.
func (t *pingTable) reply(peer netip.Addr, id, seq uint16, at time.Time) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if ch, ok := t.waiters[pingKey{peer, id, seq}]; ok {
		select {
		case ch <- at:
		default: // a duplicate reply
		}
	}
}

func (t *pingTable) closeAll() {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.closed = true
	for k, ch := range t.waiters {
		close(ch)
		delete(t.waiters, k)
	}
}

// Ping sends one ICMP (or, to an IPv6 address, ICMPv6) echo request
// carrying size bytes of data to dst and waits for the reply, returning
// the round-trip time on the stack's clock. It gives up when ctx is done
// or the stack closes. An IPv6 dst may carry a zone naming the stack's
// link.
func (s *Stack) Ping(ctx context.Context, dst netip.Addr, size int) (time.Duration, error) {
	dst = dst.Unmap()
	if dst.Is6() {
		return s.ping6(ctx, dst, size)
	}
	if !dst.Is4() {
		return 0, &net.OpError{Op: "ping", Net: "ip4:icmp", Err: fmt.Errorf("%v is not an IP address", dst)}
	}
	if size < 0 || size > ipv4.MaxTotalLen-ipv4.MinHeaderLen-icmp.HeaderLen {
		return 0, &net.OpError{Op: "ping", Net: "ip4:icmp", Err: fmt.Errorf("%w: %d bytes of data", ErrMessageTooLong, size)}
	}
	peer := ipv4.Addr(dst.As4())
	k, ch, err := s.newPing(dst)
	if err != nil {
		return 0, &net.OpError{Op: "ping", Net: "ip4:icmp", Err: err}
	}
	defer s.pings.remove(k, ch)

	n := ipv4.MinHeaderLen + icmp.HeaderLen + size
	bp := s.bufs.get(ethernet.HeaderLen + n)
	dg := (*bp)[ethernet.HeaderLen : ethernet.HeaderLen+n]
	data := dg[ipv4.MinHeaderLen+icmp.HeaderLen:]
	for i := range data {
		data[i] = byte(i) // the pattern ping(8) uses after its timestamp
	}
	start := s.clock.Now()
	_, err = icmp.EncodeEcho(dg[ipv4.MinHeaderLen:], icmp.TypeEcho, k.id, k.seq, data)
	if err == nil {
		err = s.encodeIPv4(dg, ipv4.ProtoICMP, peer, icmp.HeaderLen+size, false)
	}
	if err == nil {
		err = s.output(bp, n)
	}
	s.bufs.put(bp)
	if err != nil {
		s.ctr.icmp.outErrors.Add(1)
		return 0, &net.OpError{Op: "ping", Net: "ip4:icmp", Addr: &net.IPAddr{IP: dst.AsSlice()}, Err: err}
	}
	s.ctr.icmp.outMsgs.Add(1)
	s.ctr.icmp.outEchos.Add(1)
	return s.waitPing(ctx, "ip4:icmp", dst, ch, start)
}

// ping6 is Ping to an IPv6 address.
func (s *Stack) ping6(ctx context.Context, dst netip.Addr, size int) (time.Duration, error) {
	const netName = "ip6:ipv6-icmp"
	if !s.zoneOK(dst.Zone()) {
		return 0, &net.OpError{Op: "ping", Net: netName, Err: fmt.Errorf("no such zone %q: the stack has one link", dst.Zone())}
	}
	dst = dst.WithZone("")
	if size < 0 || size > ipv6.MaxPayloadLen-icmpv6.HeaderLen {
		return 0, &net.OpError{Op: "ping", Net: netName, Err: fmt.Errorf("%w: %d bytes of data", ErrMessageTooLong, size)}
	}
	peer := ipv6.Addr(dst.As16())
	src, ok := s.addrs().source6(peer)
	if !ok {
		return 0, &net.OpError{Op: "ping", Net: netName, Err: errNoSource6}
	}
	k, ch, err := s.newPing(dst)
	if err != nil {
		return 0, &net.OpError{Op: "ping", Net: netName, Err: err}
	}
	defer s.pings.remove(k, ch)

	n := ipv6.HeaderLen + icmpv6.HeaderLen + size
	bp := s.bufs.get(ethernet.HeaderLen + n)
	pkt := (*bp)[ethernet.HeaderLen : ethernet.HeaderLen+n]
	data := pkt[ipv6.HeaderLen+icmpv6.HeaderLen:]
	for i := range data {
		data[i] = byte(i)
	}
	start := s.clock.Now()
	_, err = icmpv6.EncodeEcho(pkt[ipv6.HeaderLen:], icmpv6.TypeEchoRequest, k.id, k.seq, data, src, peer)
	if err == nil {
		err = s.encodeIPv6(pkt, ipv4.ProtoICMPv6, src, peer, icmpv6.HeaderLen+size, 0)
	}
	if err == nil {
		err = s.output6(bp, n, start)
	}
	s.bufs.put(bp)
	if err != nil {
		s.ctr.icmp6.outErrors.Add(1)
		return 0, &net.OpError{Op: "ping", Net: netName, Addr: &net.IPAddr{IP: dst.AsSlice()}, Err: err}
	}
	s.ctr.icmp6.outMsgs.Add(1)
	s.ctr.icmp6.outEchos.Add(1)
	return s.waitPing(ctx, netName, dst, ch, start)
}

// newPing registers a ping to peer under a random identifier and
// sequence number.
func (s *Stack) newPing(peer netip.Addr) (pingKey, chan time.Time, error) {
	for {
		r := s.random()
		k := pingKey{peer: peer, id: uint16(r), seq: uint16(r >> 16)}
		ch, err := s.pings.add(k)
		if err != errPingBusy {
			return k, ch, err
		}
	}
}

// waitPing waits for the reply of a ping sent at start.
func (s *Stack) waitPing(ctx context.Context, netName string, dst netip.Addr, ch chan time.Time, start time.Time) (time.Duration, error) {
	select {
	case at, ok := <-ch:
		if !ok {
			return 0, &net.OpError{Op: "ping", Net: netName, Err: net.ErrClosed}
		}
		return at.Sub(start), nil
	case <-ctx.Done():
		err := ctx.Err()
		if errors.Is(err, context.DeadlineExceeded) {
			err = errTimeout
		}
		return 0, &net.OpError{Op: "ping", Net: netName, Addr: &net.IPAddr{IP: dst.AsSlice()}, Err: err}
	}
}
