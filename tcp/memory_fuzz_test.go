package tcp

import (
	"net/netip"
	"sync"
	"testing"
	"time"

	"github.com/medina-net/medina/internal/manualclock"
)

// isnNet is a Network that remembers the ISN of each SYN-ACK sent, and
// the address it went to, by the peer's port.
type isnNet struct {
	mu   sync.Mutex
	isns map[uint16]uint32
	dsts map[uint16]netip.Addr
}

func (n *isnNet) SourceAddr(dst netip.Addr) (netip.Addr, bool) {
	if dst.Is4() {
		return fuzzLocal, true
	}
	return fuzzLocal6, true
}
func (n *isnNet) IsLocal(a netip.Addr) bool       { return a == fuzzLocal || a == fuzzLocal6 }
func (n *isnNet) MTU(dst netip.Addr) int          { return 1500 }
func (n *isnNet) PathMTU(dst netip.Addr) int      { return 1500 }
func (n *isnNet) Segment(size int) *SegmentBuffer { return &SegmentBuffer{B: make([]byte, size)} }
func (n *isnNet) Send(sb *SegmentBuffer, size int, src, dst netip.Addr) error {
	if h, err := NewHeader(sb.B[:size]); err == nil && h.Flags()&(FlagSYN|FlagACK) == FlagSYN|FlagACK {
		n.mu.Lock()
		n.isns[h.DstPort()] = h.Seq()
		n.dsts[h.DstPort()] = dst
		n.mu.Unlock()
	}
	return nil
}

func (n *isnNet) isn(port uint16) uint32 {
	n.mu.Lock()
	defer n.mu.Unlock()
	return n.isns[port]
}

// dst returns the address the latest SYN-ACK to port went to.
func (n *isnNet) dst(port uint16) (netip.Addr, bool) {
	n.mu.Lock()
	defer n.mu.Unlock()
	a, ok := n.dsts[port]
	return a, ok
}

var (
	fuzzLocal   = netip.AddrFrom4([4]byte{10, 0, 0, 1})
	fuzzRemote  = netip.AddrFrom4([4]byte{10, 0, 0, 2})
	fuzzLocal6  = netip.MustParseAddr("2001:db8::1")
	fuzzRemote6 = netip.MustParseAddr("2001:db8::2")
)

// fuzzPeer returns the addresses of the fuzz targets' peer k and ours:
// the even peers come over IPv4, the odd over IPv6, so that every run
// has connections of both families in one engine.
func fuzzPeer(k int) (remote, local netip.Addr) {
	if k%2 == 1 {
		return fuzzRemote6, fuzzLocal6
	}
	return fuzzRemote, fuzzLocal
}

// FuzzEngineMemory drives one engine, with a memory budget small enough
// to be under pressure and at its limit, through whatever a peer and an
// application do: handshakes, data in and out of order, FINs and resets,
// reads, writes, closes and time passing, on four connections. After
// every step the budget's count must be the storage the connections
// hold, and within its bound; once everything is closed, zero. Two of
// the connections come over IPv4 and two over IPv6, to a listener on ::.
func FuzzEngineMemory(f *testing.F) {
	f.Add([]byte{0, 0, 1, 0, 0x10, 0, 0, 4, 1, 2, 0, 0x30, 0x20, 2, 0, 3, 0, 8, 5, 0})
	f.Add([]byte{0, 1, 1, 1, 0x10, 0x80, 0, 1, 1, 0x7f, 0x40, 0, 4, 20, 1, 1, 1, 0x05, 0x10, 3, 1, 9, 2, 1})
	f.Add([]byte{0, 2, 0, 3, 1, 2, 0x11, 0x3f, 1, 2, 0x33, 0x3f, 1, 3, 0x01, 0x22, 6, 2, 4, 250, 4, 250, 5, 2})
	// Four connections that each take 16 KiB of data nobody reads, past
	// the budget, then out-of-order data, reads, writes and closes.
	var full []byte
	for k := range byte(4) {
		full = append(full, 0, k, 0, 1, k, 0)
	}
	for range 4 {
		for k := range byte(4) {
			full = append(full, 1, k, 0x3f)
		}
	}
	for k := range byte(4) {
		full = append(full, 2, k, 0x3f, 2, k, 0xbf, 4, k, 0xff, 5, k, 0xff, 6, k, 50)
	}
	for k := range byte(4) {
		full = append(full, 6, k, 250, 6, k, 100)
	}
	f.Add(full)
	f.Fuzz(func(t *testing.T, ops []byte) {
		if len(ops) > 512 {
			return
		}
		clock := manualclock.New(time.Unix(1e9, 0))
		net := &isnNet{isns: make(map[uint16]uint32), dsts: make(map[uint16]netip.Addr)}
		e, err := NewEngine(net, Config{Clock: clock, MemoryLimit: 40 << 10, ReceiveBuffer: 16 << 10,
			MaxReceiveBuffer: 64 << 10, SendBuffer: 32 << 10, MaxTimeWait: 2})
		if err != nil {
			t.Fatal(err)
		}
		l, err := e.Listen(netip.AddrPortFrom(netip.IPv6Unspecified(), 80))
		if err != nil {
			t.Fatal(err)
		}
		type peer struct {
			next uint32 // the peer's next sequence number
			conn *Conn
		}
		var peers [4]peer
		for i := range peers {
			peers[i].next = 1000 + uint32(i)*1_000_000
		}
		var accepted []*Conn
		acceptAll := func() {
			for {
				select {
				case c := <-l.queue:
					accepted = append(accepted, c)
					peers[c.id.remotePort-40000].conn = c
				default:
					return
				}
			}
		}
		check := func(step int) {
			t.Helper()
			held := 0
			conns := map[*Conn]bool{}
			for _, c := range accepted {
				conns[c] = true
			}
			e.mu.RLock()
			for _, c := range e.conns {
				conns[c] = true
			}
			e.mu.RUnlock()
			for c := range conns {
				c.mu.Lock()
				held += c.rcv.cap() + c.snd.cap() + len(c.rcv.retired)
				if len(c.ooo.ranges) > maxOOORanges || c.rcv.len() > c.rcv.cap() || c.snd.len() > c.snd.cap() {
					t.Fatalf("step %d: %d out-of-order ranges, rcv %d/%d, snd %d/%d", step,
						len(c.ooo.ranges), c.rcv.len(), c.rcv.cap(), c.snd.len(), c.snd.cap())
				}
				c.mu.Unlock()
			}
			used := e.mem.used.Load()
			if used != int64(held) {
				t.Fatalf("step %d: the budget counts %d bytes, the connections hold %d", step, used, held)
			}
			if bound := e.mem.limit + int64(len(conns))*2*memMinBuffer + 2*(256<<10); used > bound {
				t.Fatalf("step %d: %d bytes held, over %d", step, used, bound)
			}
		}
		payload := make([]byte, 4096)
		for i := 0; i+2 < len(ops); i += 3 {
			op, k, arg := ops[i]%7, int(ops[i+1])%len(peers), ops[i+2]
			p := &peers[k]
			port := uint16(40000 + k)
			src, dst := fuzzPeer(k)
			switch op {
			case 0: // SYN
				h := segmentBytes(src, dst, port, p.next-1, 0, FlagSYN, 65535, 0)
				e.Input(src, dst, h)
				if to, ok := net.dst(port); ok && to != src {
					t.Fatalf("step %d: the SYN-ACK to the peer at %v went to %v", i/3, src, to)
				}
			case 1, 2: // data, in order or ahead of it, maybe with FIN
				n := int(arg&0x3f) * 64
				sq := p.next
				if op == 2 {
					sq += uint32(arg>>6+1) * 1500
				}
				flags := FlagACK | FlagPSH
				if arg&0x40 != 0 && op == 1 {
					flags |= FlagFIN
				}
				e.Input(src, dst, segmentBytes(src, dst, port, sq, net.isn(port)+1, flags, uint16(arg)<<8|0xff, n))
				if op == 1 {
					p.next += uint32(n)
					if flags&FlagFIN != 0 {
						p.next++
					}
				}
			case 3: // a reset, at the right place or not
				sq := p.next
				if arg&1 != 0 {
					sq += uint32(arg) * 100
				}
				e.Input(src, dst, segmentBytes(src, dst, port, sq, 0, FlagRST, 0, 0))
			case 4: // the application reads what is there
				if c := p.conn; c != nil {
					c.mu.Lock()
					n := min(c.rcv.len(), int(arg)*64+1)
					c.mu.Unlock()
					if n > 0 {
						c.Read(make([]byte, n))
					}
				}
			case 5: // the application writes into an empty buffer
				if c := p.conn; c != nil {
					c.mu.Lock()
					ok := c.snd.len() == 0 && c.state.synchronized() && !c.finQueued && c.err == nil && !c.closed
					c.mu.Unlock()
					if ok {
						c.Write(payload[:int(arg)*16+1])
					}
				}
			case 6: // time passes, or the application closes
				if arg < 200 {
					clock.Advance(time.Duration(arg) * 10 * time.Millisecond)
				} else if c := p.conn; c != nil {
					c.Close()
				}
			}
			acceptAll()
			check(i / 3)
		}
		for _, c := range accepted {
			c.Close()
		}
		l.Close()
		e.Close()
		clock.Advance(10 * time.Minute)
		if used := e.mem.used.Load(); used != 0 {
			t.Fatalf("%d bytes still counted once everything is closed", used)
		}
	})
}

// segmentBytes builds a segment from src:port to dst:80 with n bytes of
// payload, checksum right.
func segmentBytes(src, dst netip.Addr, port uint16, sq, ack uint32, flags Flags, win uint16, n int) []byte {
	f := Fields{SrcPort: port, DstPort: 80, Seq: sq, Ack: ack, Flags: flags, Window: win}
	b := make([]byte, HeaderLen+n)
	for i := range n {
		b[HeaderLen+i] = byte(i)
	}
	var h Header
	var err error
	if src.Is4() {
		h, err = f.EncodeChecksum(b, src.As4(), dst.As4())
	} else {
		h, err = f.EncodeChecksum6(b, src.As16(), dst.As16())
	}
	if err != nil {
		panic(err)
	}
	return h
}
