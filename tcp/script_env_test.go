package tcp_test

// The environment the script tests run an engine in: a network that
// records every segment the engine sends, with the time of a clock that
// moves only when the script says (internal/manualclock).

import (
	"net/netip"
	"slices"
	"sync"
	"time"

	"github.com/medina-net/medina/internal/manualclock"
	"github.com/medina-net/medina/tcp"
)

// sentSegment is a segment the engine sent, as the network got it.
type sentSegment struct {
	at       time.Time
	src, dst netip.Addr
	b        tcp.Header // the whole TCP segment, a copy
	pmtu     int        // the path MTU when it was sent, which it must fit
}

// scriptNet is the Network under the engine in script tests: it records
// every segment sent, with the time, and has an address of each family
// (scriptLocal and scriptLocal6), one route MTU and one path MTU.
type scriptNet struct {
	clock *manualclock.Clock

	mu   sync.Mutex
	mtu  int
	pmtu int // the path MTU, below mtu; 0 when it is mtu
	sent []sentSegment
}

func (n *scriptNet) SourceAddr(dst netip.Addr) (netip.Addr, bool) { return localFor(dst), true }

func (n *scriptNet) IsLocal(a netip.Addr) bool { return a == scriptLocal || a == scriptLocal6 }

func (n *scriptNet) MTU(dst netip.Addr) int {
	n.mu.Lock()
	defer n.mu.Unlock()
	return n.mtu
}

func (n *scriptNet) PathMTU(dst netip.Addr) int {
	n.mu.Lock()
	defer n.mu.Unlock()
	return n.pathMTU()
}

// pathMTU is PathMTU with n.mu held.
func (n *scriptNet) pathMTU() int {
	if n.pmtu > 0 && n.pmtu < n.mtu {
		return n.pmtu
	}
	return n.mtu
}

func (n *scriptNet) setMTU(mtu int) {
	n.mu.Lock()
	defer n.mu.Unlock()
	n.mtu = mtu
}

// setPathMTU sets the path MTU (0 for the route's), as the stack's table
// holds it.
func (n *scriptNet) setPathMTU(pmtu int) {
	n.mu.Lock()
	defer n.mu.Unlock()
	n.pmtu = pmtu
}

// latest returns the latest segment sent from lport to remote:rport.
func (n *scriptNet) latest(remote netip.Addr, lport, rport uint16) (sentSegment, bool) {
	n.mu.Lock()
	defer n.mu.Unlock()
	for i := len(n.sent) - 1; i >= 0; i-- {
		s := n.sent[i]
		if s.dst == remote && s.b.SrcPort() == lport && s.b.DstPort() == rport {
			return s, true
		}
	}
	return sentSegment{}, false
}

func (n *scriptNet) Segment(size int) *tcp.SegmentBuffer {
	return &tcp.SegmentBuffer{B: make([]byte, size)}
}

func (n *scriptNet) Send(seg *tcp.SegmentBuffer, size int, src, dst netip.Addr) error {
	if size == 0 {
		return nil // the engine handing back a buffer it could not fill
	}
	s := sentSegment{at: n.clock.Now(), src: src, dst: dst, b: slices.Clone(seg.B[:size])}
	n.mu.Lock()
	defer n.mu.Unlock()
	s.pmtu = n.pathMTU()
	n.sent = append(n.sent, s)
	return nil
}

// count returns how many segments have been sent.
func (n *scriptNet) count() int {
	n.mu.Lock()
	defer n.mu.Unlock()
	return len(n.sent)
}

// at returns segment i, or false if fewer were sent.
func (n *scriptNet) at(i int) (sentSegment, bool) {
	n.mu.Lock()
	defer n.mu.Unlock()
	if i >= len(n.sent) {
		return sentSegment{}, false
	}
	return n.sent[i], true
}
