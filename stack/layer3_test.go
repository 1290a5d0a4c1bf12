package stack

import (
	"bytes"
	"context"
	"crypto/tls"
	"io"
	"net/http"
	"net/netip"
	"strconv"
	"testing"
	"time"

	"github.com/medina-net/medina/ethernet"
	"github.com/medina-net/medina/link"
	"github.com/medina-net/medina/link/pipe"
	"github.com/medina-net/medina/ndp"
	"github.com/medina-net/medina/pcap"
	"github.com/medina-net/medina/tcp"
)

// Addresses of two stacks on a layer-3 link: prefixes of one address
// each, and no gateway, so that over Ethernet neither could reach the
// other. A point-to-point link needs neither.
var (
	l3A4 = netip.MustParsePrefix("10.1.0.1/32")
	l3B4 = netip.MustParsePrefix("10.2.0.2/32")
	l3A6 = netip.MustParsePrefix("2001:db8:a::1/128")
	l3B6 = netip.MustParsePrefix("2001:db8:b::2/128")
)

// layer3Stacks starts a stack on each of da and db with the addresses
// above.
func layer3Stacks(t *testing.T, da, db link.Device) (sa, sb *Stack) {
	t.Helper()
	var err error
	if sa, err = New(da, Config{Addrs: []netip.Prefix{l3A4, l3A6}, Rand: SeededRand(1)}); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { sa.Close() })
	if sb, err = New(db, Config{Addrs: []netip.Prefix{l3B4, l3B6}, Rand: SeededRand(2)}); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { sb.Close() })
	return sa, sb
}

// TestLayer3 runs two stacks over an in-memory layer-3 link
// (pipe.NewLayer3), stack a's side recorded through pcap.Tap: TCP both
// ways and UDP with fragments, over both families, and pings, with no
// neighbour resolved (no ARP, no gratuitous ARP, no Neighbor
// Solicitation) and no route but the link. The capture is Ethernet, the
// synthetic headers of the frames as they passed.
func TestLayer3(t *testing.T) {
	ea, eb := pipe.NewLayer3(pipe.Config{Queue: 4096})
	capt := newMemCapture(t, 0, "l3")
	capt.saveOnFailure(t, "", false)
	sa, sb := layer3Stacks(t, capt.tap(0, ea, nil), eb)
	if !sa.layer3 || !sb.layer3 {
		t.Fatal("a stack over a layer-3 device (through pcap.Tap for a) does not know it")
	}
	ln, err := sa.Listen("tcp", ":7")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	go serveTCPEcho(ln)
	pc, err := sa.ListenPacket("udp", ":7")
	if err != nil {
		t.Fatal(err)
	}
	defer pc.Close()
	go echo(pc)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	for _, to := range []netip.Addr{l3A4.Addr(), l3A6.Addr()} {
		if _, err := sb.Ping(ctx, to, 56); err != nil {
			t.Fatalf("ping %v: %v", to, err)
		}
		c, err := sb.DialContext(ctx, "tcp", netip.AddrPortFrom(to, 7).String())
		if err != nil {
			t.Fatal(err)
		}
		const n = 4 << 20
		done := make(chan [32]byte, 1)
		go func() {
			w := newHashingWriter()
			io.Copy(w, c)
			done <- w.sum()
		}()
		if _, err := io.Copy(c, bulkData(3, 4, n)); err != nil {
			t.Fatal(err)
		}
		c.(interface{ CloseWrite() error }).CloseWrite()
		select {
		case sum := <-done:
			if sum != bulkSum(3, 4, n) {
				t.Fatalf("TCP echo to %v: other bytes came back", to)
			}
		case <-ctx.Done():
			t.Fatalf("TCP echo to %v did not finish", to)
		}
		c.Close()
		u, err := sb.Dial("udp", netip.AddrPortFrom(to, 7).String())
		if err != nil {
			t.Fatal(err)
		}
		expectEchoes(t, u, 1, 1400, 4000)
		u.Close()
	}
	for name, s := range map[string]*Stack{"a": sa, "b": sb} {
		st := s.Stats()
		if st.ARP.OutRequests+st.ARP.OutReplies != 0 || st.ICMPv6.OutNeighborSolicits != 0 {
			t.Errorf("stack %s resolved neighbours: ARP %+v, %d solicitations", name, st.ARP, st.ICMPv6.OutNeighborSolicits)
		}
		if st.IP.OutNoRoutes+st.IPv6.OutNoRoutes+st.IP.OutDiscards+st.IPv6.OutDiscards != 0 {
			t.Errorf("stack %s found no route or discarded: %+v %+v", name, st.IP, st.IPv6)
		}
		if st.IP.FragOKs == 0 || st.IPv6.FragOKs == 0 {
			t.Errorf("stack %s fragmented nothing: %+v %+v", name, st.IP, st.IPv6)
		}
	}

	// The capture: stack a's frames as they passed, outbound behind the
	// header the stack wrote (to nobody), inbound behind the link's.
	r, err := pcap.NewReader(bytes.NewReader(capt.bytes()))
	if err != nil {
		t.Fatal(err)
	}
	if r.LinkType() != pcap.LinkTypeEthernet {
		t.Errorf("capture link type %v", r.LinkType())
	}
	var in, out int
	for {
		p, err := r.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		f := ethernet.Frame(p.Data)
		v := p.Data[ethernet.HeaderLen] >> 4
		if v == 4 && f.Type() != ethernet.TypeIPv4 || v == 6 && f.Type() != ethernet.TypeIPv6 || v != 4 && v != 6 {
			t.Fatalf("frame %v: EtherType %v before IP version %d", p.Direction(), f.Type(), v)
		}
		want := [2]ethernet.Addr{sa.HardwareAddr(), {}}
		if p.Direction() == pcap.DirectionInbound {
			in++
		} else {
			want = [2]ethernet.Addr{{}, sa.HardwareAddr()}
			out++
		}
		if f.Dst() != want[0] || f.Src() != want[1] {
			t.Fatalf("%v frame %v > %v, want %v > %v", p.Direction(), f.Src(), f.Dst(), want[1], want[0])
		}
	}
	if in < 100 || out < 100 {
		t.Errorf("the capture holds %d frames in and %d out", in, out)
	}
	for _, p := range checkSentSegments(capt.bytes(), 1500, tcp.DefaultMaxReceiveBuffer) {
		t.Error(p)
	}
}

// Over a layer-3 link that exchanges super-frames (Config.Offload), the
// stack sends its first super-segment whole, with no neighbour to wait
// for, and the peer takes them whole.
func TestLayer3SuperSegments(t *testing.T) {
	ea, eb := pipe.NewLayer3(pipe.Config{Queue: 4096, Offload: true})
	sa, sb := layer3Stacks(t, ea, eb)
	for _, to := range []netip.Addr{l3A4.Addr(), l3A6.Addr()} {
		ln, err := sa.Listen("tcp", netip.AddrPortFrom(to, 80).String())
		if err != nil {
			t.Fatal(err)
		}
		got := make(chan [32]byte, 1)
		go func() {
			c, err := ln.Accept()
			if err != nil {
				got <- [32]byte{}
				return
			}
			w := newHashingWriter()
			io.Copy(w, c)
			c.Close()
			got <- w.sum()
		}()
		c, err := sb.Dial("tcp", netip.AddrPortFrom(to, 80).String())
		if err != nil {
			t.Fatal(err)
		}
		const n = 8 << 20
		if _, err := io.Copy(c, bulkData(5, 6, n)); err != nil {
			t.Fatal(err)
		}
		c.Close()
		select {
		case sum := <-got:
			if sum != bulkSum(5, 6, n) {
				t.Fatalf("to %v: other bytes arrived", to)
			}
		case <-time.After(time.Minute):
			t.Fatalf("to %v: the transfer did not finish", to)
		}
		ln.Close()
	}
	st, in := sb.Stats().Link, sa.Stats().Link
	if st.OutSuperFrames == 0 || st.OutSuperCut != 0 || in.InSuperFrames == 0 {
		t.Errorf("%d super-frames written, %d cut by the stack, %d taken whole by the peer: want all whole", st.OutSuperFrames, st.OutSuperCut, in.InSuperFrames)
	}
}

// A stack over a layer-3 device ignores ARP, even should the device hand
// it some, and answers nothing.
func TestLayer3IgnoresARP(t *testing.T) {
	ea, eb := pipe.New(pipe.Config{})
	s, err := New(layer3Of{ea}, Config{Addr: netip.PrefixFrom(addrA, 24)})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	req := make([]byte, 60)
	mac := eb.HardwareAddr()
	ethernet.Encode(req, ethernet.Broadcast, mac, ethernet.TypeARP)
	copy(req[14:], []byte{0, 1, 8, 0, 6, 4, 0, 1})
	copy(req[22:], mac[:])
	copy(req[28:], addrB.AsSlice())
	copy(req[38:], addrA.AsSlice())
	eb.WriteFrame(req)
	deadline := time.Now().Add(2 * time.Second)
	for s.Stats().Link.InUnknown == 0 && time.Now().Before(deadline) {
		time.Sleep(time.Millisecond)
	}
	st := s.Stats()
	if st.Link.InUnknown != 1 || st.ARP.InRequests != 0 {
		t.Errorf("link %+v, ARP %+v: want the request counted as unknown", st.Link, st.ARP)
	}
	time.Sleep(50 * time.Millisecond)
	if q := eb.Stats().RxQueued; q != 0 {
		t.Errorf("the stack sent %d frames (a gratuitous ARP, a reply)", q)
	}
}

// layer3Of makes an Ethernet pipe end say it is a layer-3 device, so
// that a test can hand the stack what a layer-3 link never carries.
type layer3Of struct{ *pipe.End }

func (layer3Of) Layer3() bool { return true }

// Autoconfiguration over a layer-3 link runs no Duplicate Address
// Detection: the link-local address is in use at once, and no Neighbor
// Solicitation goes out.
func TestLayer3NoDAD(t *testing.T) {
	ea, eb := pipe.NewLayer3(pipe.Config{})
	s, err := New(ea, Config{Autoconf: &ndp.Config{}, Rand: SeededRand(3)})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	ll := netip.Addr{}
	deadline := time.Now().Add(5 * time.Second)
	for !ll.IsValid() && time.Now().Before(deadline) {
		for _, p := range s.Addrs() {
			if p.Addr().IsLinkLocalUnicast() {
				ll = p.Addr()
			}
		}
		time.Sleep(time.Millisecond)
	}
	if !ll.IsValid() {
		t.Fatalf("no link-local address in use after 5s: %v", s.Addrs())
	}
	if st := s.Stats().ICMPv6; st.OutNeighborSolicits != 0 {
		t.Errorf("%d Neighbor Solicitations sent", st.OutNeighborSolicits)
	}
	// Whatever went out (router solicitations, MLD reports) is IPv6.
	buf := make([]byte, link.FrameLen(eb))
	for eb.Stats().RxQueued > 0 {
		n, _ := eb.ReadFrame(buf)
		if f := ethernet.Frame(buf[:n]); f.Type() != ethernet.TypeIPv6 || n > 14+40 && buf[14+40] == 135 {
			t.Errorf("the stack sent % x", buf[:min(n, 64)])
		}
	}
}

// HTTPS (crypto/tls, HTTP/2) between two stacks over a layer-3 link, to
// each family's address.
func TestLayer3HTTPS(t *testing.T) {
	ea, eb := pipe.NewLayer3(pipe.Config{Queue: 4096})
	sa, sb := layer3Stacks(t, ea, eb)
	cert, pool := selfSigned(t, "medina.test")
	ln, err := sa.Listen("tcp", ":443")
	if err != nil {
		t.Fatal(err)
	}
	srv := &http.Server{Handler: testHandler(), TLSConfig: &tls.Config{Certificates: []tls.Certificate{cert}}}
	go srv.ServeTLS(ln, "", "")
	defer srv.Close()
	tr := &http.Transport{
		DialContext:       sb.DialContext,
		TLSClientConfig:   &tls.Config{RootCAs: pool, ServerName: "medina.test"},
		ForceAttemptHTTP2: true,
	}
	defer tr.CloseIdleConnections()
	client := &http.Client{Transport: tr, Timeout: time.Minute}
	const n = 1 << 20
	for _, to := range []netip.Addr{l3A4.Addr(), l3A6.Addr()} {
		resp, err := client.Get("https://" + netip.AddrPortFrom(to, 443).String() + "/large?n=" + strconv.Itoa(n))
		if err != nil {
			t.Fatal(err)
		}
		body, err := io.ReadAll(resp.Body)
		resp.Body.Close()
		if err != nil || !bytes.Equal(body, pattern(n, n)) || resp.ProtoMajor != 2 || resp.TLS == nil {
			t.Fatalf("GET from %v: %d bytes (%v), %s, TLS %v", to, len(body), err, resp.Proto, resp.TLS != nil)
		}
	}
}
