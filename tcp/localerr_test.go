package tcp

import (
	"context"
	"errors"
	"net/netip"
	"sync"
	"syscall"
	"testing"
	"time"
)

// segNet is a familyNet that keeps the bytes of every segment sent.
type segNet struct {
	familyNet
	segMu sync.Mutex
	segs  [][]byte
}

func (n *segNet) Send(sb *SegmentBuffer, size int, src, dst netip.Addr) error {
	n.segMu.Lock()
	n.segs = append(n.segs, append([]byte(nil), sb.B[:size]...))
	n.segMu.Unlock()
	return n.familyNet.Send(sb, size, src, dst)
}

func (n *segNet) firstSeg() []byte {
	n.segMu.Lock()
	defer n.segMu.Unlock()
	if len(n.segs) == 0 {
		return nil
	}
	return n.segs[0]
}

// TestLocalErrorEndsHandshake: an error the network raises itself
// (ICMPError.Local: the neighbour never resolved) ends a Dial at once
// with EHOSTUNREACH, where the same kind from the network is soft and
// leaves the SYN to its retries (RFC 1122 4.2.3.9).
func TestLocalErrorEndsHandshake(t *testing.T) {
	n := &segNet{}
	e, err := NewEngine(n, Config{})
	if err != nil {
		t.Fatal(err)
	}
	defer e.Close()
	done := make(chan error, 1)
	go func() {
		_, err := e.Dial(context.Background(), netip.AddrPort{}, netip.AddrPortFrom(recRemote, 80))
		done <- err
	}()
	var syn []byte
	for deadline := time.Now().Add(5 * time.Second); syn == nil && time.Now().Before(deadline); syn = n.firstSeg() {
		time.Sleep(time.Millisecond)
	}
	if syn == nil {
		t.Fatal("no SYN sent")
	}
	if !e.InputError(recLocal, recRemote, syn[:8], ICMPError{Kind: ICMPHostUnreachable}) {
		t.Fatal("the network's host unreachable was not taken")
	}
	if e.NumConns() != 1 {
		t.Fatal("a host unreachable from the network ended the handshake")
	}
	if !e.InputError(recLocal, recRemote, syn[:8], ICMPError{Kind: ICMPHostUnreachable, Local: true}) {
		t.Fatal("the local error was not taken")
	}
	select {
	case err := <-done:
		if !errors.Is(err, syscall.EHOSTUNREACH) {
			t.Errorf("Dial: %v, want EHOSTUNREACH", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("Dial still waiting after the local error")
	}
	if s := e.Stats(); s.ICMPHardErrors != 1 || s.ICMPSoftErrors != 1 {
		t.Errorf("hard %d, soft %d errors; want 1 and 1", s.ICMPHardErrors, s.ICMPSoftErrors)
	}
}
