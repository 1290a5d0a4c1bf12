package tcp

import (
	"errors"
	"net/netip"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/medina-net/medina/internal/manualclock"
)

// anyNet is a Network whose own addresses are recLocal and famLocal6; it
// keeps every segment sent, with its addresses.
type anyNet struct {
	mu   sync.Mutex
	sent []sentSeg
}

type sentSeg struct {
	src, dst         netip.Addr
	srcPort, dstPort uint16
	flags            Flags
	seq, ack         uint32
}

func (n *anyNet) SourceAddr(dst netip.Addr) (netip.Addr, bool) {
	if dst.Is4() {
		return recLocal, true
	}
	return famLocal6, true
}
func (n *anyNet) IsLocal(a netip.Addr) bool       { return a == recLocal || a == famLocal6 }
func (n *anyNet) MTU(netip.Addr) int              { return 1500 }
func (n *anyNet) PathMTU(netip.Addr) int          { return 1500 }
func (n *anyNet) Segment(size int) *SegmentBuffer { return &SegmentBuffer{B: make([]byte, size)} }
func (n *anyNet) Send(sb *SegmentBuffer, size int, src, dst netip.Addr) error {
	h := Header(sb.B[:size])
	n.mu.Lock()
	defer n.mu.Unlock()
	n.sent = append(n.sent, sentSeg{src, dst, h.SrcPort(), h.DstPort(), h.Flags(), h.Seq(), h.Ack()})
	return nil
}

// take returns the segments sent since the last call.
func (n *anyNet) take() []sentSeg {
	n.mu.Lock()
	defer n.mu.Unlock()
	s := n.sent
	n.sent = nil
	return s
}

// synTo builds a SYN from src to dst with a timestamp option, as a
// cookie that carries options needs.
func synTo(src, dst netip.AddrPort, isn uint32) []byte {
	f := Fields{SrcPort: src.Port(), DstPort: dst.Port(), Seq: isn, Flags: FlagSYN, Window: 65535}
	b := make([]byte, HeaderLen)
	var h Header
	var err error
	if src.Addr().Is4() {
		h, err = f.EncodeChecksum(b, src.Addr().As4(), dst.Addr().As4())
	} else {
		h, err = f.EncodeChecksum6(b, src.Addr().As16(), dst.Addr().As16())
	}
	if err != nil {
		panic(err)
	}
	return h
}

// ackTo builds the ACK that completes a handshake whose SYN-ACK
// acknowledged isn+1 with a sequence number of serverISN.
func ackTo(src, dst netip.AddrPort, isn, serverISN uint32) []byte {
	f := Fields{SrcPort: src.Port(), DstPort: dst.Port(), Seq: isn + 1, Ack: serverISN + 1, Flags: FlagACK, Window: 65535}
	b := make([]byte, HeaderLen)
	var h Header
	var err error
	if src.Addr().Is4() {
		h, err = f.EncodeChecksum(b, src.Addr().As4(), dst.Addr().As4())
	} else {
		h, err = f.EncodeChecksum6(b, src.Addr().As16(), dst.Addr().As16())
	}
	if err != nil {
		panic(err)
	}
	return h
}

func newAnyEngine(t *testing.T, cfg Config) (*Engine, *anyNet) {
	t.Helper()
	n := &anyNet{}
	cfg.Clock = manualclock.New(time.Unix(1e9, 0))
	e, err := NewEngine(n, cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(e.Close)
	return e, n
}

// TestListenAnyAnswersFromDestination: a SYN to an address not the
// network's is answered from that address, and the connection it opens
// has it as LocalAddr; a SYN to the network's own address on a port
// nothing listens on is refused as before.
func TestListenAnyAnswersFromDestination(t *testing.T) {
	e, n := newAnyEngine(t, Config{})
	l, err := e.ListenAny(AnyOptions{})
	if err != nil {
		t.Fatal(err)
	}
	peer4 := netip.AddrPortFrom(recRemote, 40000)
	peer6 := netip.AddrPortFrom(famRemote6, 40001)
	for _, tc := range []struct {
		peer, dst netip.AddrPort
	}{
		{peer4, netip.MustParseAddrPort("192.0.2.7:443")},
		{peer4, netip.MustParseAddrPort("198.51.100.200:8080")},
		{peer6, netip.MustParseAddrPort("[2001:db8:5::9]:22")},
	} {
		e.Input(tc.peer.Addr(), tc.dst.Addr(), synTo(tc.peer, tc.dst, 1000))
		sent := n.take()
		if len(sent) != 1 || sent[0].flags != FlagSYN|FlagACK || sent[0].src != tc.dst.Addr() || sent[0].srcPort != tc.dst.Port() || sent[0].dst != tc.peer.Addr() {
			t.Fatalf("SYN to %v: sent %+v, want one SYN-ACK from it", tc.dst, sent)
		}
		c := e.ConnFor(tc.dst.Addr(), tc.peer.Addr(), tc.dst.Port(), tc.peer.Port())
		if c == nil {
			t.Fatalf("SYN to %v: no connection", tc.dst)
		}
		e.Input(tc.peer.Addr(), tc.dst.Addr(), ackTo(tc.peer, tc.dst, 1000, uint32(c.iss)))
		if l.Waiting() != 1 {
			t.Fatalf("connection to %v: %d waiting for Accept, want 1", tc.dst, l.Waiting())
		}
		got, err := l.AcceptTCP()
		if err != nil {
			t.Fatal(err)
		}
		if got.LocalAddr().String() != tc.dst.String() || got.RemoteAddr().String() != tc.peer.String() {
			t.Errorf("accepted %v -> %v, want %v -> %v", got.RemoteAddr(), got.LocalAddr(), tc.peer, tc.dst)
		}
	}
	// The network's own address keeps its own rules: no listener, a reset.
	own := netip.AddrPortFrom(recLocal, 80)
	e.Input(peer4.Addr(), own.Addr(), synTo(peer4, own, 5000))
	if sent := n.take(); len(sent) != 1 || sent[0].flags&FlagRST == 0 {
		t.Errorf("SYN to our own closed port: sent %+v, want a reset", sent)
	}
	if _, err := e.ListenAny(AnyOptions{}); !errors.Is(err, syscall.EADDRINUSE) {
		t.Errorf("second ListenAny: %v, want EADDRINUSE", err)
	}
	l.Close()
	if e.HasAny() {
		t.Error("HasAny after Close")
	}
	dst := netip.MustParseAddrPort("192.0.2.8:443")
	e.Input(peer4.Addr(), dst.Addr(), synTo(peer4, dst, 7000))
	if sent := n.take(); len(sent) != 1 || sent[0].flags&FlagRST == 0 || sent[0].src != dst.Addr() {
		t.Errorf("SYN after Close: sent %+v, want a reset", sent)
	}
}

// TestListenAnyKeepsListeners: a wildcard listener on a port keeps the
// connections to the network's address; the any-address listener takes
// the others.
func TestListenAnyKeepsListeners(t *testing.T) {
	e, n := newAnyEngine(t, Config{})
	own, err := e.Listen(netip.AddrPortFrom(netip.IPv4Unspecified(), 80))
	if err != nil {
		t.Fatal(err)
	}
	anyL, err := e.ListenAny(AnyOptions{})
	if err != nil {
		t.Fatal(err)
	}
	peer := netip.AddrPortFrom(recRemote, 40000)
	for _, dst := range []netip.AddrPort{netip.AddrPortFrom(recLocal, 80), netip.MustParseAddrPort("203.0.113.5:80")} {
		e.Input(peer.Addr(), dst.Addr(), synTo(peer, dst, 1000))
		n.take()
		c := e.ConnFor(dst.Addr(), peer.Addr(), dst.Port(), peer.Port())
		if c == nil {
			t.Fatalf("no connection to %v", dst)
		}
		e.Input(peer.Addr(), dst.Addr(), ackTo(peer, dst, 1000, uint32(c.iss)))
	}
	if own.Waiting() != 1 || anyL.Waiting() != 1 {
		t.Fatalf("waiting: %d on 0.0.0.0:80, %d on the any-address listener; want 1 and 1", own.Waiting(), anyL.Waiting())
	}
	got, _ := own.AcceptTCP()
	if got.LocalAddr().String() != "10.0.0.1:80" {
		t.Errorf("the port's listener took %v", got.LocalAddr())
	}
	got, _ = anyL.AcceptTCP()
	if got.LocalAddr().String() != "203.0.113.5:80" {
		t.Errorf("the any-address listener took %v", got.LocalAddr())
	}
}

// TestListenAnyPolicy: a destination Allow refuses is answered with a
// reset from it, counted, and opens nothing; the others open.
func TestListenAnyPolicy(t *testing.T) {
	e, n := newAnyEngine(t, Config{})
	blocked := netip.MustParseAddr("198.51.100.66")
	var asked []netip.AddrPort
	l, err := e.ListenAny(AnyOptions{Allow: func(local, remote netip.AddrPort) bool {
		asked = append(asked, local)
		return local.Addr() != blocked
	}})
	if err != nil {
		t.Fatal(err)
	}
	peer := netip.AddrPortFrom(recRemote, 40000)
	dst := netip.AddrPortFrom(blocked, 443)
	e.Input(peer.Addr(), dst.Addr(), synTo(peer, dst, 1000))
	sent := n.take()
	if len(sent) != 1 || sent[0].flags != FlagRST|FlagACK || sent[0].src != blocked || sent[0].ack != 1001 {
		t.Errorf("refused SYN: sent %+v, want a RST|ACK of 1001 from %v", sent, blocked)
	}
	if e.NumConns() != 0 || l.AnyStats().Refused != 1 {
		t.Errorf("after a refused SYN: %d connections, Refused %d; want 0 and 1", e.NumConns(), l.AnyStats().Refused)
	}
	ok := netip.MustParseAddrPort("198.51.100.67:443")
	e.Input(peer.Addr(), ok.Addr(), synTo(peer, ok, 1000))
	if sent := n.take(); len(sent) != 1 || sent[0].flags != FlagSYN|FlagACK {
		t.Errorf("allowed SYN: sent %+v, want a SYN-ACK", sent)
	}
	if len(asked) != 2 || asked[1] != ok {
		t.Errorf("Allow was asked about %v", asked)
	}
}

// TestListenAnyHalfOpen: past MaxHalfOpen connections in SYN-RECEIVED,
// SYNs are answered with cookies, which hold no state, and a returning
// cookie still opens its connection to the original destination.
func TestListenAnyHalfOpen(t *testing.T) {
	e, n := newAnyEngine(t, Config{})
	l, err := e.ListenAny(AnyOptions{MaxHalfOpen: 3})
	if err != nil {
		t.Fatal(err)
	}
	for i := range 10 {
		peer := netip.AddrPortFrom(recRemote, uint16(40000+i))
		dst := netip.AddrPortFrom(netip.AddrFrom4([4]byte{198, 18, 0, byte(i + 1)}), 80)
		e.Input(peer.Addr(), dst.Addr(), synTo(peer, dst, 1000))
	}
	sent := n.take()
	if len(sent) != 10 || e.NumConns() != 3 || e.Stats().SYNCookiesSent != 7 {
		t.Fatalf("10 SYNs, at most 3 half-open: %d SYN-ACKs, %d connections, %d cookies; want 10, 3, 7",
			len(sent), e.NumConns(), e.Stats().SYNCookiesSent)
	}
	// The last SYN-ACK was a cookie: its ACK opens the connection.
	last := sent[9]
	if last.src != netip.AddrFrom4([4]byte{198, 18, 0, 10}) {
		t.Fatalf("the cookie came from %v", last.src)
	}
	peer := netip.AddrPortFrom(last.dst, last.dstPort)
	dst := netip.AddrPortFrom(last.src, last.srcPort)
	e.Input(peer.Addr(), dst.Addr(), ackTo(peer, dst, 1000, last.seq))
	if l.Waiting() != 1 || e.Stats().SYNCookiesOK != 1 {
		t.Fatalf("cookie ACK: %d waiting, SYNCookiesOK %d; want 1 and 1", l.Waiting(), e.Stats().SYNCookiesOK)
	}
	c, _ := l.AcceptTCP()
	if c.LocalAddr().String() != dst.String() {
		t.Errorf("cookie connection to %v, want %v", c.LocalAddr(), dst)
	}
}
