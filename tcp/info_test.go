package tcp

import (
	"bytes"
	"context"
	"io"
	"math"
	"net/netip"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// lossyNet is a pipeNet whose Send drops the data segments drop picks:
// the n-th data segment sent, counting from 1.
type lossyNet struct {
	*pipeNet
	dataSegs atomic.Int64
	drop     func(n int64) bool
}

func (n *lossyNet) Send(sb *SegmentBuffer, size int, src, dst netip.Addr) error {
	if size > 0 && sb.GSOSize == 0 && len(Header(sb.B[:size]).Payload()) > 0 {
		if k := n.dataSegs.Add(1); n.drop != nil && n.drop(k) {
			n.free.Put(sb)
			return nil
		}
	}
	return n.pipeNet.Send(sb, size, src, dst)
}

// newLossyPair is newPipePair with a's segments going through drop.
func newLossyPair(t *testing.T, drop func(n int64) bool) *pipePair {
	t.Helper()
	local, remote := netip.MustParseAddr("10.0.0.1"), netip.MustParseAddr("10.0.0.2")
	free := &sync.Pool{New: func() any { return &SegmentBuffer{B: make([]byte, 1500)} }}
	stop := make(chan struct{})
	a := &pipeNet{addr: local, mtu: 1500, in: make(chan pipeSegment, 8192), free: free, stop: stop, done: make(chan struct{})}
	b := &pipeNet{addr: remote, mtu: 1500, in: make(chan pipeSegment, 8192), free: free, stop: stop, done: make(chan struct{})}
	a.peer, b.peer = b, a
	var err error
	if a.e, err = NewEngine(&lossyNet{pipeNet: a, drop: drop}, Config{}); err != nil {
		t.Fatal(err)
	}
	if b.e, err = NewEngine(b, Config{}); err != nil {
		t.Fatal(err)
	}
	go a.run()
	go b.run()
	p := &pipePair{a: a, b: b}
	p.closeLinks = func() {
		close(stop)
		<-a.done
		<-b.done
		a.e.Close()
		b.e.Close()
	}
	t.Cleanup(p.closeLinks)
	l, err := b.e.Listen(netip.AddrPortFrom(remote, 5001))
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	if p.client, err = a.e.Dial(context.Background(), netip.AddrPortFrom(local, 0), netip.AddrPortFrom(remote, 5001)); err != nil {
		t.Fatal(err)
	}
	if p.server, err = l.AcceptTCP(); err != nil {
		t.Fatal(err)
	}
	return p
}

// transfer writes n bytes from the client and reads them at the server,
// then waits for the client's data to be acknowledged.
func transfer(t *testing.T, p *pipePair, n int) {
	t.Helper()
	data := bytes.Repeat([]byte("0123456789abcdef"), n/16)
	done := make(chan error, 1)
	go func() {
		_, err := p.client.Write(data)
		done <- err
	}()
	got := make([]byte, len(data))
	if _, err := io.ReadFull(p.server, got); err != nil {
		t.Fatal(err)
	}
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, data) {
		t.Fatal("data corrupted")
	}
	for deadline := time.Now().Add(5 * time.Second); p.client.Info().Unacked > 0; {
		if time.Now().After(deadline) {
			t.Fatalf("data still unacknowledged: %+v", p.client.Info())
		}
		time.Sleep(time.Millisecond)
	}
}

// TestInfoBulk checks what a connection reports after a clean transfer:
// the bytes and segments both ends counted agree with what was sent, and
// the round trip, window and MSS are those of a working connection.
func TestInfoBulk(t *testing.T) {
	p := newLossyPair(t, nil)
	const n = 1 << 20
	transfer(t, p, n)
	ci, si := p.client.Info(), p.server.Info()

	if ci.State != StateEstablished || si.State != StateEstablished || ci.State.String() != "ESTABLISHED" {
		t.Errorf("states %v, %v", ci.State, si.State)
	}
	if ci.Local != si.Remote || ci.Remote != si.Local || ci.Remote.Port() != 5001 {
		t.Errorf("addresses: client %v > %v, server %v > %v", ci.Local, ci.Remote, si.Local, si.Remote)
	}
	if !ci.Timestamps || !ci.SACK || !ci.WindowScale || ci.CongestionControl != "cubic" {
		t.Errorf("options: %+v", ci)
	}
	// 1500 - 40 bytes of headers - 12 of timestamps.
	if ci.MSS != 1448 || ci.AdvertisedMSS != 1460 || ci.PathMTU != 1500 {
		t.Errorf("MSS %d, advertised %d, path MTU %d", ci.MSS, ci.AdvertisedMSS, ci.PathMTU)
	}
	if ci.BytesAcked != n || ci.BytesSent != n || ci.BytesRetrans != 0 || ci.TotalRetrans != 0 {
		t.Errorf("client bytes: acked %d, sent %d, retransmitted %d (%d segments), want %d", ci.BytesAcked, ci.BytesSent, ci.BytesRetrans, ci.TotalRetrans, n)
	}
	if si.BytesReceived != n || si.BytesSent != 0 || ci.BytesReceived != 0 {
		t.Errorf("server received %d, sent %d; client received %d", si.BytesReceived, si.BytesSent, ci.BytesReceived)
	}
	minSegs := uint64((n + ci.MSS - 1) / ci.MSS)
	if ci.DataSegsOut < minSegs || si.DataSegsIn != ci.DataSegsOut {
		t.Errorf("data segments: client sent %d, server took %d, want at least %d", ci.DataSegsOut, si.DataSegsIn, minSegs)
	}
	// The client's segments: the handshake's SYN and ACK, the data. What
	// one end sent, the other took, once the last ACKs and window
	// updates have crossed.
	for deadline := time.Now().Add(5 * time.Second); ; time.Sleep(time.Millisecond) {
		ci, si = p.client.Info(), p.server.Info()
		if si.SegsIn == ci.SegsOut && ci.SegsIn == si.SegsOut || time.Now().After(deadline) {
			break
		}
	}
	if ci.SegsOut < ci.DataSegsOut+2 || si.SegsIn != ci.SegsOut || ci.SegsIn != si.SegsOut {
		t.Errorf("segments: client out %d in %d, server out %d in %d", ci.SegsOut, ci.SegsIn, si.SegsOut, si.SegsIn)
	}
	// Over memory a round trip takes well under a microsecond: the sample
	// may be 0.
	if ci.RTT < 0 || ci.RTT > time.Second || ci.MinRTT < 0 || ci.MinRTT > ci.RTT+ci.RTTVar*4 || ci.RTO < DefaultMinRTO {
		t.Errorf("RTT %v var %v min %v RTO %v", ci.RTT, ci.RTTVar, ci.MinRTT, ci.RTO)
	}
	if ci.CongestionWindow < initialWindow(ci.MSS) || ci.SlowStartThreshold != math.MaxInt32 {
		t.Errorf("cwnd %d ssthresh %d", ci.CongestionWindow, ci.SlowStartThreshold)
	}
	if ci.SendWindow <= 0 || si.ReceiveWindow <= 0 || ci.MaxSendWindow < ci.SendWindow || si.ReceiveBuffer <= 0 {
		t.Errorf("windows: send %d (max %d), server's receive %d of %d", ci.SendWindow, ci.MaxSendWindow, si.ReceiveWindow, si.ReceiveBuffer)
	}
	if ci.Unacked != 0 || ci.NotSent != 0 || si.ReceiveQueue != 0 || ci.SACKed != 0 {
		t.Errorf("queues: %+v", ci)
	}
	if ci.DeliveryRate == 0 {
		t.Error("no delivery rate after a megabyte")
	}
	if ci.LastDataSent < 0 || si.LastDataRecv < 0 || ci.LastAckRecv < 0 || ci.LastDataRecv != -1 {
		t.Errorf("last data sent %v, received %v (server %v), ack %v", ci.LastDataSent, ci.LastDataRecv, si.LastDataRecv, ci.LastAckRecv)
	}
	if ci.Recoveries != 0 || ci.Timeouts != 0 || ci.SACKBlocksIn != 0 || si.OutOfOrderIn != 0 || ci.InRecovery {
		t.Errorf("loss on a clean link: %+v", ci)
	}
}

// TestInfoLoss drops data segments and checks that the connection that
// lost them shows the retransmissions, the recovery and the SACK blocks
// that led to it, and the receiver the segments that came out of order.
func TestInfoLoss(t *testing.T) {
	p := newLossyPair(t, func(n int64) bool { return n == 20 || n == 200 })
	const n = 1 << 20
	transfer(t, p, n)
	ci, si := p.client.Info(), p.server.Info()
	if ci.BytesAcked != n || si.BytesReceived != n {
		t.Fatalf("acked %d, received %d, want %d", ci.BytesAcked, si.BytesReceived, n)
	}
	if ci.TotalRetrans < 2 || ci.BytesRetrans < 2*uint64(ci.MSS) || ci.BytesSent != n+ci.BytesRetrans {
		t.Errorf("retransmitted %d segments, %d bytes; sent %d", ci.TotalRetrans, ci.BytesRetrans, ci.BytesSent)
	}
	if ci.Recoveries < 2 || ci.SACKBlocksIn == 0 || si.OutOfOrderIn == 0 {
		t.Errorf("recoveries %d, SACK blocks %d, out of order at the server %d", ci.Recoveries, ci.SACKBlocksIn, si.OutOfOrderIn)
	}
	if ci.SlowStartThreshold == math.MaxInt32 {
		t.Error("ssthresh untouched by two losses")
	}
	st := p.a.e.Stats()
	if st.RetransSegs != ci.TotalRetrans || st.FastRetrans != ci.Recoveries {
		t.Errorf("engine counted %d retransmissions, %d fast retransmits; the connection %d, %d", st.RetransSegs, st.FastRetrans, ci.TotalRetrans, ci.Recoveries)
	}
}

// TestAppendInfo lists the engine's connections, in every state, and
// takes no allocation but the result's.
func TestAppendInfo(t *testing.T) {
	p := newLossyPair(t, nil)
	transfer(t, p, 64<<10)
	infos := p.a.e.AppendInfo(nil, 0)
	if len(infos) != 1 || infos[0].Local != p.client.LocalAddr().(interface{ AddrPort() netip.AddrPort }).AddrPort() {
		t.Fatalf("client engine lists %+v", infos)
	}
	if got, want := infos[0].BytesAcked, p.client.Info().BytesAcked; got != want {
		t.Errorf("listed %d bytes acked, the connection says %d", got, want)
	}
	// A second connection, and the first one closing: both listed, the
	// limit honoured.
	l, err := p.b.e.Listen(netip.AddrPortFrom(p.b.addr, 5002))
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	c2, err := p.a.e.Dial(context.Background(), netip.AddrPort{}, netip.AddrPortFrom(p.b.addr, 5002))
	if err != nil {
		t.Fatal(err)
	}
	defer c2.Close()
	p.client.Close()
	for deadline := time.Now().Add(5 * time.Second); ; time.Sleep(time.Millisecond) {
		infos = p.a.e.AppendInfo(infos[:0], 0)
		states := map[State]int{}
		for _, i := range infos {
			states[i.State]++
		}
		if len(infos) == 2 && states[StateEstablished] == 1 && states[StateFinWait2] == 1 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("listed %v", states)
		}
	}
	if got := p.a.e.AppendInfo(nil, 1); len(got) != 1 {
		t.Errorf("limit 1 listed %d", len(got))
	}
	if got := p.a.e.AppendInfo(infos[:1], 0); len(got) != 3 || got[0] != infos[0] {
		t.Errorf("AppendInfo did not append: %d", len(got))
	}
	buf := make([]Info, 0, 8)
	if a := testing.AllocsPerRun(100, func() { buf = p.a.e.AppendInfo(buf[:0], 0) }); a != 0 {
		t.Errorf("AppendInfo: %v allocations", a)
	}
}

// TestStateNames checks the exported states against the RFC's names.
func TestStateNames(t *testing.T) {
	want := []string{"CLOSED", "SYN-SENT", "SYN-RECEIVED", "ESTABLISHED", "FIN-WAIT-1", "FIN-WAIT-2",
		"CLOSE-WAIT", "CLOSING", "LAST-ACK", "TIME-WAIT"}
	if NumStates != len(want) {
		t.Fatalf("NumStates %d", NumStates)
	}
	for i, w := range want {
		if got := State(i).String(); got != w {
			t.Errorf("State(%d) = %s, want %s", i, got, w)
		}
	}
	if State(NumStates).String() != "UNKNOWN" {
		t.Error("out of range")
	}
}

// TestAppendListenerInfo checks a listener's accept queue as connections
// wait in it and are taken.
func TestAppendListenerInfo(t *testing.T) {
	p := newLossyPair(t, nil) // its listener on 5001 is closed
	if got := p.b.e.AppendListenerInfo(nil); len(got) != 0 {
		t.Fatalf("listeners after Close: %+v", got)
	}
	addr := netip.AddrPortFrom(p.b.addr, 5002)
	l, err := p.b.e.Listen(addr)
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	for range 2 {
		c, err := p.a.e.Dial(context.Background(), netip.AddrPort{}, addr)
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
	}
	var got []ListenerInfo
	for deadline := time.Now().Add(5 * time.Second); ; time.Sleep(time.Millisecond) {
		got = p.b.e.AppendListenerInfo(got[:0])
		if len(got) == 1 && got[0].AcceptQueue == 2 || time.Now().After(deadline) {
			break
		}
	}
	want := ListenerInfo{Local: addr, AcceptQueue: 2, AcceptBacklog: DefaultAcceptBacklog, SYNBacklog: DefaultSYNBacklog}
	if len(got) != 1 || got[0] != want {
		t.Fatalf("got %+v, want %+v", got, want)
	}
	c, err := l.Accept()
	if err != nil {
		t.Fatal(err)
	}
	c.Close()
	if got = p.b.e.AppendListenerInfo(got[:0]); got[0].AcceptQueue != 1 {
		t.Errorf("after an Accept: %+v", got[0])
	}
}

// BenchmarkAppendInfo times a snapshot of an engine's table of 100
// connections: the cost a monitor's scrape puts on the engine, per
// connection (ns/conn), and its allocations once dst has grown (none).
func BenchmarkAppendInfo(b *testing.B) {
	p, err := newPipePair(netip.MustParseAddr("10.0.0.1"), netip.MustParseAddr("10.0.0.2"), 1500)
	if err != nil {
		b.Fatal(err)
	}
	defer p.close()
	l, err := p.b.e.Listen(netip.AddrPortFrom(p.b.addr, 5002))
	if err != nil {
		b.Fatal(err)
	}
	defer l.Close()
	for range 99 {
		c, err := p.a.e.Dial(context.Background(), netip.AddrPort{}, netip.AddrPortFrom(p.b.addr, 5002))
		if err != nil {
			b.Fatal(err)
		}
		defer c.Close()
	}
	dst := p.a.e.AppendInfo(nil, 0)
	if len(dst) != 100 {
		b.Fatalf("%d connections", len(dst))
	}
	b.ReportAllocs()
	for b.Loop() {
		dst = p.a.e.AppendInfo(dst[:0], 0)
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/100, "ns/conn")
}
