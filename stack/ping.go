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
	"github.com/medina-net/medina/ipv4"
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
	peer    ipv4.Addr
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
func (t *pingTable) reply(peer ipv4.Addr, id, seq uint16, at time.Time) {
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

// Ping sends one ICMP echo request carrying size bytes of data to dst and
// waits for the reply, returning the round-trip time on the stack's clock.
// It gives up when ctx is done or the stack closes.
func (s *Stack) Ping(ctx context.Context, dst netip.Addr, size int) (time.Duration, error) {
	if !dst.Is4() {
		return 0, &net.OpError{Op: "ping", Net: "ip4:icmp", Err: fmt.Errorf("%v is not an IPv4 address", dst)}
	}
	if size < 0 || size > ipv4.MaxTotalLen-ipv4.MinHeaderLen-icmp.HeaderLen {
		return 0, &net.OpError{Op: "ping", Net: "ip4:icmp", Err: fmt.Errorf("%w: %d bytes of data", ErrMessageTooLong, size)}
	}
	peer := ipv4.Addr(dst.As4())
	var k pingKey
	var ch chan time.Time
	for {
		r := s.random()
		k = pingKey{peer: peer, id: uint16(r), seq: uint16(r >> 16)}
		var err error
		if ch, err = s.pings.add(k); err == nil {
			break
		}
		if err != errPingBusy {
			return 0, &net.OpError{Op: "ping", Net: "ip4:icmp", Err: err}
		}
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
	_, err := icmp.EncodeEcho(dg[ipv4.MinHeaderLen:], icmp.TypeEcho, k.id, k.seq, data)
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

	select {
	case at, ok := <-ch:
		if !ok {
			return 0, &net.OpError{Op: "ping", Net: "ip4:icmp", Err: net.ErrClosed}
		}
		return at.Sub(start), nil
	case <-ctx.Done():
		err := ctx.Err()
		if errors.Is(err, context.DeadlineExceeded) {
			err = errTimeout
		}
		return 0, &net.OpError{Op: "ping", Net: "ip4:icmp", Addr: &net.IPAddr{IP: dst.AsSlice()}, Err: err}
	}
}
