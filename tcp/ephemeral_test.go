package tcp

import (
	"context"
	"net/netip"
	"sync"
	"testing"
)

// sameSource is a rand.Source that always says the same: every search
// for an ephemeral port starts at the same port.
type sameSource struct{}

func (sameSource) Uint64() uint64 { return 7 }

// TestConcurrentDialsGetDistinctPorts: dials that run at once never pick
// the same ephemeral port, even when every search for one starts at the
// same place: a port is taken under the same lock that found it free. (A
// dial that found a port, let the lock go and registered its connection
// afterwards lost the port now and then to a dial in between, and failed
// with EADDRINUSE: one in a thousand in TestTCPLinuxPeer's 100 parallel
// clients.)
func TestConcurrentDialsGetDistinctPorts(t *testing.T) {
	local, remote := netip.MustParseAddr("192.0.2.1"), netip.MustParseAddr("192.0.2.2")
	free := &sync.Pool{New: func() any { return &SegmentBuffer{B: make([]byte, 1500)} }}
	stop := make(chan struct{})
	a := &pipeNet{addr: local, mtu: 1500, in: make(chan pipeSegment, 8192), free: free, stop: stop, done: make(chan struct{})}
	b := &pipeNet{addr: remote, mtu: 1500, in: make(chan pipeSegment, 8192), free: free, stop: stop, done: make(chan struct{})}
	a.peer, b.peer = b, a
	var err error
	if a.e, err = NewEngine(a, Config{Rand: sameSource{}}); err != nil {
		t.Fatal(err)
	}
	if b.e, err = NewEngine(b, Config{}); err != nil {
		t.Fatal(err)
	}
	go a.run()
	go b.run()
	defer func() {
		close(stop)
		<-a.done
		<-b.done
		a.e.Close()
		b.e.Close()
	}()
	l, err := b.e.Listen(netip.AddrPortFrom(remote, 80))
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	go func() {
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			defer c.Close()
		}
	}()
	const dials = 64
	var wg sync.WaitGroup
	var mu sync.Mutex
	ports := map[uint16]bool{}
	for range dials {
		wg.Go(func() {
			c, err := a.e.Dial(context.Background(), netip.AddrPortFrom(local, 0), netip.AddrPortFrom(remote, 80))
			if err != nil {
				t.Errorf("dial: %v", err)
				return
			}
			defer c.Close()
			mu.Lock()
			defer mu.Unlock()
			p := c.id.localPort
			if ports[p] {
				t.Errorf("port %d given to two connections", p)
			}
			ports[p] = true
		})
	}
	wg.Wait()
	if len(ports) != dials {
		t.Errorf("%d distinct ports for %d dials", len(ports), dials)
	}
}
