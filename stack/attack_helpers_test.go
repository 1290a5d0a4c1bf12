package stack

import (
	"context"
	"encoding/binary"
	"fmt"
	"io"
	"net"
	"net/netip"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/medina-net/medina/arp"
	"github.com/medina-net/medina/ethernet"
	"github.com/medina-net/medina/icmp"
	"github.com/medina-net/medina/ipv4"
	"github.com/medina-net/medina/link"
	"github.com/medina-net/medina/tcp"
)

// The arena of the attack tests: a stack under attack (the server), a
// legitimate client stack and an attacker that writes whatever frames it
// likes, on one in-memory Ethernet switch, in a testing/synctest bubble.

// hub is an in-memory Ethernet switch. A frame written to a port goes to
// the port whose MAC is its destination, and a broadcast or multicast
// frame to every other port; a promiscuous port (the attacker's) gets a
// copy of every frame. Each port queues at most hubQueue frames and drops
// the rest, as a NIC's ring does.
type hub struct {
	mu    sync.Mutex
	ports []*hubPort
}

const hubQueue = 1024

type hubPort struct {
	h       *hub
	mac     ethernet.Addr
	promisc bool
	cut     atomic.Bool // frames to the port are lost, as on a link that went down

	mu     sync.Mutex
	queue  [][]byte
	ready  chan struct{} // holds a wake-up while the queue has frames
	closed bool
	drops  int
}

func (h *hub) port(mac ethernet.Addr, promisc bool) *hubPort {
	p := &hubPort{h: h, mac: mac, promisc: promisc, ready: make(chan struct{}, 1)}
	h.mu.Lock()
	h.ports = append(h.ports, p)
	h.mu.Unlock()
	return p
}

func (p *hubPort) ReadFrame(buf []byte) (int, error) {
	for {
		p.mu.Lock()
		if len(p.queue) > 0 {
			f := p.queue[0]
			p.queue[0] = nil
			p.queue = p.queue[1:]
			if len(p.queue) > 0 {
				p.wake()
			}
			p.mu.Unlock()
			return copy(buf, f), nil
		}
		if p.closed {
			p.mu.Unlock()
			return 0, net.ErrClosed
		}
		p.mu.Unlock()
		<-p.ready
	}
}

func (p *hubPort) wake() {
	select {
	case p.ready <- struct{}{}:
	default:
	}
}

func (p *hubPort) WriteFrame(frame []byte) error {
	if len(frame) < ethernet.HeaderLen {
		return nil
	}
	p.mu.Lock()
	closed := p.closed
	p.mu.Unlock()
	if closed {
		return net.ErrClosed
	}
	dst := ethernet.Addr(frame[:6])
	p.h.mu.Lock()
	ports := p.h.ports
	p.h.mu.Unlock()
	for _, q := range ports {
		if q != p && (q.promisc || dst == q.mac || dst.IsMulticast()) {
			q.deliver(frame)
		}
	}
	return nil
}

func (p *hubPort) deliver(frame []byte) {
	if p.cut.Load() && !p.promisc {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.closed || len(p.queue) >= hubQueue {
		p.drops++
		return
	}
	p.queue = append(p.queue, append([]byte(nil), frame...))
	p.wake()
}

func (p *hubPort) MTU() int                    { return 1500 }
func (p *hubPort) HardwareAddr() ethernet.Addr { return p.mac }
func (p *hubPort) Close() error {
	p.mu.Lock()
	p.closed = true
	p.queue = nil
	p.mu.Unlock()
	p.wake()
	return nil
}

var _ link.Device = (*hubPort)(nil)

// Addresses of the arena. The server's gateway is the attacker, which
// answers ARP for it, so that the server's answers to spoofed off-link
// sources (from 198.18.0.0/15, the benchmarking range) reach it.
var (
	arenaServer   = ipv4.Addr{10, 0, 0, 1}
	arenaClient   = ipv4.Addr{10, 0, 0, 2}
	arenaGateway  = ipv4.Addr{10, 0, 0, 254}
	arenaAttacker = ipv4.Addr{10, 0, 0, 66}
	serverMAC     = ethernet.Addr{0x02, 0, 0, 0, 0, 0x01}
	clientMAC     = ethernet.Addr{0x02, 0, 0, 0, 0, 0x02}
	attackerMAC   = ethernet.Addr{0x02, 0, 0, 0, 0, 0x66}
)

// spoofed returns the i-th address of 198.18.0.0/15.
func spoofed(i int) ipv4.Addr {
	v := 198<<24 | 18<<16 | uint32(i)%(1<<17)
	return ipv4.AddrFromUint32(v)
}

// arena is a server, a client and an attacker on a hub.
type arena struct {
	t              *testing.T
	server, client *Stack
	sport, cport   *hubPort
	atk            *attacker
}

// newArena builds the arena in the calling synctest bubble, with cfg for
// the server (its address, gateway, clock and randomness are the
// arena's). The server runs a TCP echo server on port 7 and a UDP echo
// server on port 7.
func newArena(t *testing.T, cfg Config) *arena {
	t.Helper()
	h := &hub{}
	a := &arena{t: t, sport: h.port(serverMAC, false), cport: h.port(clientMAC, false)}
	a.atk = newAttacker(h.port(attackerMAC, true))
	cfg.Addr = netip.PrefixFrom(arenaServer.Netip(), 24)
	cfg.Gateway = arenaGateway.Netip()
	cfg.Rand = SeededRand(1)
	var err error
	if a.server, err = New(a.sport, cfg); err != nil {
		t.Fatal(err)
	}
	if a.client, err = New(a.cport, Config{Addr: netip.PrefixFrom(arenaClient.Netip(), 24), Rand: SeededRand(2)}); err != nil {
		t.Fatal(err)
	}
	ln, err := a.server.Listen("tcp", ":7")
	if err != nil {
		t.Fatal(err)
	}
	// The attacker introduces itself, as a host does before it talks: the
	// server learns its address from the request, and its answers to the
	// attacker's own address need no resolution.
	a.atk.send(ethFrame(ethernet.Broadcast, attackerMAC, ethernet.TypeARP,
		arpPacket(arp.OpRequest, attackerMAC, arenaAttacker, ethernet.Addr{}, arenaServer)))
	go serveTCPEcho(ln)
	pc, err := a.server.ListenPacket("udp", ":7")
	if err != nil {
		t.Fatal(err)
	}
	go echo(pc)
	t.Cleanup(func() {
		a.client.Close()
		a.server.Close()
		a.atk.close()
	})
	return a
}

// served checks that the legitimate client still gets through: a TCP
// echo of n bytes, a UDP echo and a ping, within a minute of the bubble's
// clock each.
func (a *arena) served(t *testing.T, n int) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	c, err := a.client.DialTCP(ctx, netip.AddrPort{}, netip.AddrPortFrom(arenaServer.Netip(), 7))
	if err != nil {
		t.Errorf("legitimate client: dial: %v", err)
		return
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(time.Minute))
	want := pattern(n, uint64(n))
	go c.Write(want)
	got := make([]byte, n)
	if k, err := io.ReadFull(c, got); err != nil || string(got) != string(want) {
		t.Errorf("legitimate client: echo of %d bytes: read %d, %v, intact %v", n, k, err, string(got[:k]) == string(want[:k]))
	}
	u, err := a.client.Dial("udp", fmt.Sprintf("%v:7", arenaServer))
	if err != nil {
		t.Fatal(err)
	}
	defer u.Close()
	u.SetDeadline(time.Now().Add(time.Minute))
	got = make([]byte, 100)
	for try := 0; ; try++ {
		u.Write([]byte("legitimate"))
		u.SetReadDeadline(time.Now().Add(time.Second))
		if k, err := u.Read(got); err == nil && string(got[:k]) == "legitimate" {
			break
		} else if try == 10 {
			t.Errorf("legitimate client: no UDP echo: %v", err)
			break
		}
	}
	if _, err := a.client.Ping(ctx, arenaServer.Netip(), 56); err != nil {
		t.Errorf("legitimate client: ping: %v", err)
	}
}

// attacker writes crafted frames and reads everything on the link. It
// answers ARP for the gateway and for the on-link addresses it claims,
// and remembers the server's SYN-ACKs so that it can complete
// handshakes.
type attacker struct {
	p *hubPort

	mu     sync.Mutex
	owned  map[ipv4.Addr]bool
	synAck map[tcpKey]uint32 // the server's ISN, by the attacker's end of the four-tuple
	seen   map[string]int    // frames the server sent, by kind
	// toClient are the datagrams the server sent the client that carry
	// data, each cut to its IP header and 8 bytes, what an ICMP error
	// quotes: an attacker on the path sees them.
	toClient [][]byte
	done     chan struct{}
}

// tcpKey is a four-tuple from the attacker's side.
type tcpKey struct {
	addr ipv4.Addr
	port uint16
}

func newAttacker(p *hubPort) *attacker {
	a := &attacker{p: p, owned: map[ipv4.Addr]bool{arenaGateway: true, arenaAttacker: true},
		synAck: make(map[tcpKey]uint32), seen: make(map[string]int), done: make(chan struct{})}
	go a.listen()
	return a
}

func (a *attacker) close() {
	a.p.Close()
	<-a.done
}

// send writes a frame from the attacker's port to the server.
func (a *attacker) send(frame []byte) { a.p.WriteFrame(frame) }

// sendIP sends an IPv4 datagram to the server's MAC.
func (a *attacker) sendIP(dg []byte) {
	a.send(ethFrame(serverMAC, attackerMAC, ethernet.TypeIPv4, dg))
}

// count returns how many frames of a kind the server sent: "syn-ack",
// "rst", "ack", "tcp", "icmp", "arp-request", "arp-reply".
func (a *attacker) count(kind string) int {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.seen[kind]
}

// isn returns the ISN of the server's SYN-ACK to addr:port.
func (a *attacker) isn(addr ipv4.Addr, port uint16) (uint32, bool) {
	a.mu.Lock()
	defer a.mu.Unlock()
	v, ok := a.synAck[tcpKey{addr, port}]
	return v, ok
}

func (a *attacker) listen() {
	defer close(a.done)
	buf := make([]byte, 2048)
	for {
		n, err := a.p.ReadFrame(buf)
		if err != nil {
			return
		}
		f := ethernet.Frame(buf[:n])
		if f.Src() != serverMAC {
			continue // the client's frames
		}
		if f.Type() == ethernet.TypeIPv4 && f.Dst() == clientMAC {
			a.watch(f.Payload())
		}
		switch f.Type() {
		case ethernet.TypeARP:
			a.arp(f.Payload())
		case ethernet.TypeIPv4:
			if f.Dst() == attackerMAC || f.Dst().IsBroadcast() {
				a.ip(f.Payload())
			}
		}
	}
}

func (a *attacker) arp(b []byte) {
	p, err := arp.NewPacket(b)
	if err != nil || !p.IsEthernetIPv4() {
		return
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	if p.Op() != arp.OpRequest {
		a.seen["arp-reply"]++
		return
	}
	a.seen["arp-request"]++
	tip := ipv4.Addr(p.TargetIP())
	if !a.owned[tip] {
		return
	}
	reply := ethFrame(serverMAC, attackerMAC, ethernet.TypeARP,
		arpPacket(arp.OpReply, attackerMAC, tip, serverMAC, arenaServer))
	go a.send(reply) // not under a.mu: the server may answer at once
}

func (a *attacker) ip(b []byte) {
	h, err := ipv4.NewHeader(b)
	if err != nil || h.Check() != nil {
		return
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	if h.Dst() == arenaClient {
		a.seen["to-client"]++ // a datagram for the client that came to the attacker's MAC
	}
	switch h.Protocol() {
	case ipv4.ProtoICMP:
		a.seen["icmp"]++
	case ipv4.ProtoTCP:
		a.seen["tcp"]++
		seg, err := tcp.NewHeader(h.Payload())
		if err != nil {
			return
		}
		switch fl := seg.Flags(); {
		case fl&tcp.FlagRST != 0:
			a.seen["rst"]++
		case fl&(tcp.FlagSYN|tcp.FlagACK) == tcp.FlagSYN|tcp.FlagACK:
			a.seen["syn-ack"]++
			a.synAck[tcpKey{h.Dst(), seg.DstPort()}] = seg.Seq()
		case fl&tcp.FlagACK != 0:
			a.seen["ack"]++
		}
	}
}

// watch keeps the start of a datagram carrying data that the server
// sent the client.
func (a *attacker) watch(b []byte) {
	h, err := ipv4.NewHeader(b)
	if err != nil || h.Check() != nil || h.Protocol() != ipv4.ProtoTCP || h.Dst() != arenaClient {
		return
	}
	seg, err := tcp.NewHeader(h.Payload())
	if err != nil || len(seg.Payload()) == 0 {
		return
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	a.toClient = append(a.toClient, append([]byte(nil), b[:h.HeaderLen()+8]...))
}

// dataToClient returns the starts of the datagrams carrying data that the
// server sent the client, from the i-th on.
func (a *attacker) dataToClient(i int) [][]byte {
	a.mu.Lock()
	defer a.mu.Unlock()
	return append([][]byte(nil), a.toClient[min(i, len(a.toClient)):]...)
}

// icmpError builds an ICMP error of type t and code c from a router,
// with next-hop MTU mtu, quoting q.
func icmpError(t icmp.Type, c icmp.Code, mtu uint16, q []byte) []byte {
	m := make([]byte, icmp.HeaderLen+len(q))
	m[0], m[1] = byte(t), byte(c)
	putUint16(m[6:], mtu)
	copy(m[icmp.HeaderLen:], q)
	icmp.Message(m).SetChecksum(icmp.Message(m).ComputeChecksum())
	return dgram(ipv4.Addr{203, 0, 113, 1}, arenaServer, ipv4.ProtoICMP, 1, 0, 0, m)
}

// tcpDgram builds an IPv4 datagram holding a TCP segment, checksum
// right.
func tcpDgram(src, dst ipv4.Addr, sport, dport uint16, sq, ack uint32, flags tcp.Flags, win uint16, opts, payload []byte) []byte {
	f := tcp.Fields{SrcPort: sport, DstPort: dport, Seq: sq, Ack: ack, Flags: flags, Window: win, Options: opts}
	b := make([]byte, f.HeaderLen()+len(payload))
	copy(b[f.HeaderLen():], payload)
	if _, err := f.EncodeChecksum(b, src, dst); err != nil {
		panic(err)
	}
	return dgram(src, dst, ipv4.ProtoTCP, uint16(sq), 0, 0, b)
}

// synOptions are the options of a Linux SYN: MSS, SACK permitted,
// timestamps and window scaling.
func synOptions(tsVal uint32) []byte {
	o := tcp.AppendMSS(nil, 1460)
	o = tcp.AppendSACKPermitted(o)
	o = tcp.AppendTimestamps(o, tsVal, 0)
	o = tcp.AppendNOP(o)
	return tcp.AppendWindowScale(o, 7)
}

// handshake opens n connections to the server's port from src, ports
// from first, in bursts; it returns how many completed (the server's
// SYN-ACK came and the ACK went).
func (a *attacker) handshake(src ipv4.Addr, first uint16, n int, port uint16) int {
	const burst = 256
	for i := 0; i < n; i += burst {
		for j := i; j < min(i+burst, n); j++ {
			a.sendIP(tcpDgram(src, arenaServer, first+uint16(j), port, 1000, 0, tcp.FlagSYN, 65535, tcp.AppendMSS(nil, 1460), nil))
		}
		time.Sleep(time.Millisecond)
	}
	done := 0
	for i := 0; i < n; i += burst {
		for j := i; j < min(i+burst, n); j++ {
			isn, ok := a.isn(src, first+uint16(j))
			if !ok {
				continue
			}
			a.sendIP(tcpDgram(src, arenaServer, first+uint16(j), port, 1001, isn+1, tcp.FlagACK, 65535, nil, nil))
			done++
		}
		time.Sleep(time.Millisecond)
	}
	return done
}

// putUint16 is binary.BigEndian.PutUint16, short.
func putUint16(b []byte, v uint16) { binary.BigEndian.PutUint16(b, v) }
