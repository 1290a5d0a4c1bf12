package tcp

import (
	"context"
	"errors"
	"net"
	"net/netip"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/medina-net/medina/internal/manualclock"
)

// familyNet is a Network with an IPv4 address and, when v6 is set, an
// IPv6 one; it records the addresses of every segment sent.
type familyNet struct {
	v6 bool

	mu   sync.Mutex
	sent [][2]netip.Addr
}

var (
	famLocal6  = netip.MustParseAddr("2001:db8::1")
	famRemote6 = netip.MustParseAddr("2001:db8::2")
)

func (n *familyNet) SourceAddr(dst netip.Addr) (netip.Addr, bool) {
	if dst.Is4() {
		return recLocal, true
	}
	return famLocal6, n.v6
}
func (n *familyNet) IsLocal(a netip.Addr) bool {
	return a == recLocal || (n.v6 && a == famLocal6)
}
func (n *familyNet) MTU(netip.Addr) int              { return 1500 }
func (n *familyNet) PathMTU(netip.Addr) int          { return 1500 }
func (n *familyNet) Segment(size int) *SegmentBuffer { return &SegmentBuffer{B: make([]byte, size)} }
func (n *familyNet) Send(sb *SegmentBuffer, size int, src, dst netip.Addr) error {
	n.mu.Lock()
	defer n.mu.Unlock()
	n.sent = append(n.sent, [2]netip.Addr{src, dst})
	return nil
}

func (n *familyNet) first() ([2]netip.Addr, bool) {
	n.mu.Lock()
	defer n.mu.Unlock()
	if len(n.sent) == 0 {
		return [2]netip.Addr{}, false
	}
	return n.sent[0], true
}

func newFamilyEngine(t *testing.T, v6 bool) (*Engine, *familyNet) {
	t.Helper()
	n := &familyNet{v6: v6}
	e, err := NewEngine(n, Config{Clock: manualclock.New(time.Unix(1e9, 0))})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(e.Close)
	return e, n
}

// TestDialFamilies: what Dial makes of the addresses it is given, and
// the errors of those it cannot use.
func TestDialFamilies(t *testing.T) {
	ap := netip.MustParseAddrPort
	for _, tc := range []struct {
		name          string
		v6            bool // the network has an IPv6 address
		local, remote netip.AddrPort
		src, dst      netip.Addr // of the SYN
		err           error      // or, of the Dial
	}{
		{"IPv4, source picked", false, netip.AddrPort{}, ap("10.0.0.2:80"), recLocal, recRemote, nil},
		{"IPv6, source picked", true, netip.AddrPort{}, ap("[2001:db8::2]:80"), famLocal6, famRemote6, nil},
		{"IPv6 from ::", true, ap("[::]:0"), ap("[2001:db8::2]:80"), famLocal6, famRemote6, nil},
		{"IPv4 from ::, as a dual-stack socket", true, ap("[::]:0"), ap("10.0.0.2:80"), recLocal, recRemote, nil},
		{"IPv4-mapped remote is IPv4", false, netip.AddrPort{}, ap("[::ffff:10.0.0.2]:80"), recLocal, recRemote, nil},
		{"IPv4-mapped local is IPv4", false, ap("[::ffff:10.0.0.1]:0"), ap("10.0.0.2:80"), recLocal, recRemote, nil},
		{"zone ignored", true, ap("[2001:db8::1%eth0]:0"), ap("[2001:db8::2%eth0]:80"), famLocal6, famRemote6, nil},
		{"no IPv6 address", false, netip.AddrPort{}, ap("[2001:db8::2]:80"), netip.Addr{}, netip.Addr{}, syscall.ENETUNREACH},
		{"not ours", true, ap("[2001:db8::9]:0"), ap("[2001:db8::2]:80"), netip.Addr{}, netip.Addr{}, syscall.EADDRNOTAVAIL},
		{"families differ", true, ap("10.0.0.1:0"), ap("[2001:db8::2]:80"), netip.Addr{}, netip.Addr{}, errFamilies},
		{"remote unspecified", true, netip.AddrPort{}, ap("[::]:80"), netip.Addr{}, netip.Addr{}, errFamilies},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e, n := newFamilyEngine(t, tc.v6)
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			done := make(chan error, 1)
			go func() {
				_, err := e.Dial(ctx, tc.local, tc.remote)
				done <- err
			}()
			if tc.err != nil {
				err := <-done
				var op *net.OpError
				if !errors.As(err, &op) {
					t.Fatalf("Dial: %v, want a *net.OpError", err)
				}
				if tc.err != errFamilies && !errors.Is(err, tc.err) {
					t.Errorf("Dial: %v, want %v", err, tc.err)
				}
				if _, sent := n.first(); sent {
					t.Error("a failed Dial sent a segment")
				}
				return
			}
			deadline := time.Now().Add(5 * time.Second)
			got, ok := n.first()
			for ; !ok && time.Now().Before(deadline); got, ok = n.first() {
				time.Sleep(time.Millisecond)
			}
			if got != [2]netip.Addr{tc.src, tc.dst} {
				t.Errorf("SYN from %s to %s, want from %s to %s", got[0], got[1], tc.src, tc.dst)
			}
			cancel()
			<-done
		})
	}
}

// errFamilies stands, in TestDialFamilies, for an error with no errno.
var errFamilies = errors.New("any")

// TestConnAddrs: a connection over IPv6 reports 16-byte addresses, one
// over IPv4 4-byte ones, as package net's sockets of each family.
func TestConnAddrs(t *testing.T) {
	e, _ := newFamilyEngine(t, true)
	for _, tc := range []struct {
		local, remote netip.Addr
		ipLen         int
	}{{recLocal, recRemote, 4}, {famLocal6, famRemote6, 16}} {
		c := e.newConn(fourTuple{localAddr: tc.local, remoteAddr: tc.remote, localPort: 80, remotePort: 40000})
		la, ra := c.LocalAddr().(*net.TCPAddr), c.RemoteAddr().(*net.TCPAddr)
		if len(la.IP) != tc.ipLen || len(ra.IP) != tc.ipLen || la.AddrPort() != netip.AddrPortFrom(tc.local, 80) ||
			ra.AddrPort() != netip.AddrPortFrom(tc.remote, 40000) {
			t.Errorf("LocalAddr %v (%d bytes), RemoteAddr %v (%d bytes); want %v:80, %v:40000 in %d bytes",
				la, len(la.IP), ra, len(ra.IP), tc.local, tc.remote, tc.ipLen)
		}
	}
}

// TestInputFamilies: segments whose addresses the engine cannot take are
// counted errors, and a checksum over the other family's pseudo-header
// is a checksum error.
func TestInputFamilies(t *testing.T) {
	mapped := netip.MustParseAddr("::ffff:10.0.0.2")
	syn6 := segmentBytes(famRemote6, famLocal6, 40000, 1000, 0, FlagSYN, 65535, 0)
	syn4 := segmentBytes(recRemote, recLocal, 40000, 1000, 0, FlagSYN, 65535, 0)
	for _, tc := range []struct {
		name          string
		src, dst      netip.Addr
		seg           []byte
		inErrs, csums uint64
		noConns       uint64
	}{
		{"IPv6", famRemote6, famLocal6, syn6, 0, 0, 1},
		{"IPv4", recRemote, recLocal, syn4, 0, 0, 1},
		{"families differ", recRemote, famLocal6, syn6, 1, 0, 0},
		{"families differ the other way", famRemote6, recLocal, syn6, 1, 0, 0},
		{"IPv4-mapped source over IPv6", mapped, famLocal6, syn6, 1, 0, 0},
		{"IPv6 segment, IPv4 addresses", recRemote, recLocal, syn6, 1, 1, 0},
		{"IPv4 segment, IPv6 addresses", famRemote6, famLocal6, syn4, 1, 1, 0},
	} {
		e, _ := newFamilyEngine(t, true)
		e.Input(tc.src, tc.dst, tc.seg)
		s := e.Stats()
		if s.InErrs != tc.inErrs || s.InCsumErrors != tc.csums || s.NoConns != tc.noConns {
			t.Errorf("%s: InErrs %d, InCsumErrors %d, NoConns %d; want %d, %d, %d",
				tc.name, s.InErrs, s.InCsumErrors, s.NoConns, tc.inErrs, tc.csums, tc.noConns)
		}
	}
}

// TestICMPKindFamilies: which kinds are hard and what they report, in
// each family, as Linux's icmp_err_convert and icmpv6_err_convert have
// them.
func TestICMPKindFamilies(t *testing.T) {
	for _, tc := range []struct {
		kind         ICMPKind
		hard4, hard6 bool
		err4, err6   syscall.Errno
	}{
		{ICMPNetUnreachable, false, false, syscall.ENETUNREACH, syscall.ENETUNREACH},
		{ICMPHostUnreachable, false, false, syscall.EHOSTUNREACH, syscall.EHOSTUNREACH},
		{ICMPAddrUnreachable, false, false, syscall.EHOSTUNREACH, syscall.EHOSTUNREACH},
		{ICMPBeyondScope, false, false, syscall.EHOSTUNREACH, syscall.EHOSTUNREACH},
		{ICMPTimeExceeded, false, false, syscall.EHOSTUNREACH, syscall.EHOSTUNREACH},
		{ICMPParamProblem, false, true, syscall.EPROTO, syscall.EPROTO},
		{ICMPPortUnreachable, true, true, syscall.ECONNREFUSED, syscall.ECONNREFUSED},
		{ICMPProhibited, true, true, syscall.EHOSTUNREACH, syscall.EACCES},
	} {
		if h4, h6 := tc.kind.hard(false), tc.kind.hard(true); h4 != tc.hard4 || h6 != tc.hard6 {
			t.Errorf("%v: hard %v over IPv4, %v over IPv6; want %v, %v", tc.kind, h4, h6, tc.hard4, tc.hard6)
		}
		if e4, e6 := tc.kind.errno(false), tc.kind.errno(true); e4 != tc.err4 || e6 != tc.err6 {
			t.Errorf("%v: %v over IPv4, %v over IPv6; want %v, %v", tc.kind, e4, e6, tc.err4, tc.err6)
		}
	}
	for k, name := range map[ICMPKind]string{ICMPAddrUnreachable: "address unreachable",
		ICMPBeyondScope: "beyond scope", ICMPBeyondScope + 1: "ICMPKind(10)"} {
		if k.String() != name {
			t.Errorf("ICMPKind(%d) is %q, want %q", k, k.String(), name)
		}
	}
	e, _ := newFamilyEngine(t, true)
	if e.InputError(famLocal6, famRemote6, make([]byte, 8), ICMPError{Kind: ICMPBeyondScope + 1}) {
		t.Error("InputError took an unknown kind")
	}
}

// TestListenFamilies: which listeners may share a port, as Linux's bind
// with SO_REUSEADDR (and IPV6_V6ONLY where V6Only), and which one a
// connection to each local address finds.
func TestListenFamilies(t *testing.T) {
	type lsn struct {
		addr   string
		v6only bool
	}
	for _, tc := range []struct {
		first, second lsn
		share         bool
		to4, to6      int // the listener a connection to 10.0.0.1, 2001:db8::1 finds: 1, 2, or 0 for none
	}{
		{lsn{"0.0.0.0", false}, lsn{"::", false}, false, 1, 0},
		{lsn{"::", false}, lsn{"0.0.0.0", false}, false, 1, 1},
		{lsn{"0.0.0.0", false}, lsn{"::", true}, true, 1, 2},
		{lsn{"::", true}, lsn{"0.0.0.0", false}, true, 2, 1},
		{lsn{"::", false}, lsn{"10.0.0.1", false}, false, 1, 1},
		{lsn{"::", true}, lsn{"10.0.0.1", false}, true, 2, 1},
		{lsn{"::", false}, lsn{"2001:db8::1", false}, false, 1, 1},
		{lsn{"2001:db8::1", false}, lsn{"::", false}, false, 0, 1},
		{lsn{"0.0.0.0", false}, lsn{"2001:db8::1", false}, true, 1, 2},
		{lsn{"10.0.0.1", false}, lsn{"2001:db8::1", false}, true, 1, 2},
		{lsn{"10.0.0.1", false}, lsn{"::ffff:10.0.0.1", false}, false, 1, 0},
		{lsn{"2001:db8::1", false}, lsn{"2001:db8::1", false}, false, 0, 1},
		{lsn{"::", true}, lsn{"::", false}, false, 0, 1},
		{lsn{"::", true}, lsn{"2001:db8::1", false}, false, 0, 1},
		{lsn{"10.0.0.1", true}, lsn{"::", true}, true, 1, 2}, // V6Only means nothing on 10.0.0.1
	} {
		e, _ := newFamilyEngine(t, true)
		l1, err := e.ListenWith(netip.AddrPortFrom(netip.MustParseAddr(tc.first.addr), 80), ListenOptions{V6Only: tc.first.v6only})
		if err != nil {
			t.Fatal(err)
		}
		l2, err := e.ListenWith(netip.AddrPortFrom(netip.MustParseAddr(tc.second.addr), 80), ListenOptions{V6Only: tc.second.v6only})
		if tc.share != (err == nil) || (err != nil && !errors.Is(err, syscall.EADDRINUSE)) {
			t.Errorf("%v then %v: %v, want sharing %v", tc.first, tc.second, err, tc.share)
			continue
		}
		ls := []*Listener{nil, l1, l2}
		for _, to := range []struct {
			a    netip.Addr
			want int
		}{{recLocal, tc.to4}, {famLocal6, tc.to6}} {
			e.mu.RLock()
			got := e.listenerFor(to.a, 80)
			e.mu.RUnlock()
			if got != ls[to.want] {
				t.Errorf("%v and %v: a connection to %v finds %v, want %v", tc.first, tc.second, to.a, addrOf(got), addrOf(ls[to.want]))
			}
		}
		// Closing one leaves the other, and frees the port for it.
		l1.Close()
		if l2 != nil {
			e.mu.RLock()
			n := len(e.listeners[80])
			e.mu.RUnlock()
			if n != 1 {
				t.Errorf("%v and %v: %d listeners after closing the first", tc.first, tc.second, n)
			}
			l2.Close()
		}
		e.mu.RLock()
		_, left := e.listeners[80]
		e.mu.RUnlock()
		if left {
			t.Errorf("%v and %v: the port is still listened on after both closed", tc.first, tc.second)
		}
	}
}

func addrOf(l *Listener) any {
	if l == nil {
		return nil
	}
	return l.Addr()
}

// TestListenNotLocal: a listener on an address not the network's fails
// with EADDRNOTAVAIL, as bind does.
func TestListenNotLocal(t *testing.T) {
	e, _ := newFamilyEngine(t, false)
	for _, a := range []string{"2001:db8::1", "10.0.0.9"} {
		_, err := e.Listen(netip.AddrPortFrom(netip.MustParseAddr(a), 80))
		if !errors.Is(err, syscall.EADDRNOTAVAIL) {
			t.Errorf("Listen on %s: %v, want EADDRNOTAVAIL", a, err)
		}
	}
}
