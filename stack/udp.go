package stack

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"os"
	"sync"
	"syscall"
	"time"

	"github.com/medina-net/medina/ethernet"
	"github.com/medina-net/medina/icmp"
	"github.com/medina-net/medina/internal/deadline"
	"github.com/medina-net/medina/ipv4"
	"github.com/medina-net/medina/udp"
)

// errTimeout is what a call that ran past its deadline fails with, inside
// a *net.OpError: os.ErrDeadlineExceeded, whose Timeout() is true, as in
// package net.
var errTimeout = os.ErrDeadlineExceeded

// Ephemeral ports are drawn from IANA's dynamic range (RFC 6335), at a
// random place (RFC 6056's algorithm 1).
const (
	ephemeralFirst = 49152
	ephemeralLast  = 65535
)

// udpTable maps local ports to sockets. A port has at most one socket.
// The map is keyed by uint32, not the port's own uint16: maps have fast
// paths for 32- and 64-bit keys only, and a 16-bit key is hashed the
// slow way, a fifth of a datagram's receive cost.
type udpTable struct {
	mu     sync.RWMutex
	ports  map[uint32]*UDPConn
	closed bool
}

func (t *udpTable) init() { t.ports = make(map[uint32]*UDPConn) }

func (t *udpTable) lookup(port uint16) *UDPConn {
	t.mu.RLock()
	c := t.ports[uint32(port)]
	t.mu.RUnlock()
	return c
}

// connectedFor returns the connected socket that sent the datagram whose
// UDP header an ICMP error quotes (transport) to dst, or nil: only
// connected sockets hear of errors, as on Linux.
func (t *udpTable) connectedFor(transport []byte, dst netip.Addr) *UDPConn {
	if len(transport) < udp.HeaderLen {
		return nil
	}
	u := udp.Header(transport)
	c := t.lookup(u.SrcPort())
	if c == nil || !c.remote.IsValid() || c.remote != netip.AddrPortFrom(dst, u.DstPort()) {
		return nil
	}
	return c
}

// bind registers c on its local port, choosing an ephemeral one when the
// port is 0.
func (t *udpTable) bind(s *Stack, c *UDPConn) error {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.closed {
		return net.ErrClosed
	}
	port := c.local.Port()
	if port == 0 {
		n := ephemeralLast - ephemeralFirst + 1
		start := int(s.random() % uint32(n))
		for i := 0; i < n; i++ {
			p := uint16(ephemeralFirst + (start+i)%n)
			if _, used := t.ports[uint32(p)]; !used {
				port = p
				break
			}
		}
		if port == 0 {
			return syscall.EADDRINUSE
		}
		c.local = netip.AddrPortFrom(c.local.Addr(), port)
	} else if _, used := t.ports[uint32(port)]; used {
		return syscall.EADDRINUSE
	}
	t.ports[uint32(port)] = c
	return nil
}

func (t *udpTable) unbind(c *UDPConn) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if p := uint32(c.local.Port()); t.ports[p] == c {
		delete(t.ports, p)
	}
}

func (t *udpTable) closeAll() {
	t.mu.Lock()
	t.closed = true
	conns := make([]*UDPConn, 0, len(t.ports))
	for _, c := range t.ports {
		conns = append(conns, c)
	}
	t.mu.Unlock()
	for _, c := range conns {
		c.Close()
	}
}

// checkUDP4 returns the UDP header of b, the payload of h, if it is
// whole and its checksum right; otherwise it counts the error and
// reports false.
func (s *Stack) checkUDP4(h ipv4.Header, b []byte) (udp.Header, bool) {
	u, err := udp.NewHeader(b)
	if err != nil || u.Check() != nil {
		s.ctr.udp.inErrors.Add(1)
		return nil, false
	}
	if !u.ChecksumValid(h.Src(), h.Dst()) {
		s.ctr.udp.inErrors.Add(1)
		s.ctr.udp.inCsumErrors.Add(1)
		return nil, false
	}
	return u, true
}

// udpInput handles a UDP datagram for us; linkBroadcast says it came in
// a link-layer broadcast, which gets no port unreachable.
func (s *Stack) udpInput(h ipv4.Header, b []byte, linkBroadcast bool) {
	u, ok := s.checkUDP4(h, b)
	if !ok {
		return
	}
	c := s.udp.lookup(u.DstPort())
	src := netip.AddrPortFrom(h.Src().Netip(), u.SrcPort())
	if c == nil || !c.accepts(h.Dst().Netip(), src) {
		s.ctr.udp.noPorts.Add(1)
		if !linkBroadcast && !s.isBroadcast(h.Dst()) {
			s.sendUnreachable(h, codePortUnreachable)
		}
		return
	}
	if !c.enqueue(src, u.Payload()) {
		s.ctr.udp.inErrors.Add(1)
		s.ctr.udp.rcvbufErrors.Add(1)
		return
	}
	s.ctr.udp.inDatagrams.Add(1)
}

// udpError passes an ICMP error about a datagram one of our sockets sent
// to that socket. Like Linux, only connected sockets hear of them: a
// "port unreachable" becomes ECONNREFUSED on the socket's next call.
func (s *Stack) udpError(sent ipv4.Header, transport []byte, typ icmp.Type, code icmp.Code) {
	c := s.udp.connectedFor(transport, sent.Dst().Netip())
	if c == nil {
		return
	}
	var err error
	switch {
	case typ == icmp.TypeDestUnreachable && (code == icmp.UnreachPort || code == icmp.UnreachProtocol):
		err = syscall.ECONNREFUSED
	case typ == icmp.TypeDestUnreachable && code == icmp.UnreachNeedFrag:
		err = syscall.EMSGSIZE
	case typ == icmp.TypeDestUnreachable:
		err = syscall.EHOSTUNREACH
	default:
		return
	}
	c.setError(err)
}

// sendUDP sends one datagram with the given payload from local to remote;
// an IPv6 remote goes by sendUDP6.
func (s *Stack) sendUDP(local, remote netip.AddrPort, payload []byte) error {
	if remote.Addr().Is6() {
		return s.sendUDP6(local, remote, payload)
	}
	a := s.addrs()
	p, ok := a.primary4()
	if !ok {
		return ErrNoRoute
	}
	dst := ipv4.Addr(remote.Addr().As4())
	src := p.addr
	if la := local.Addr(); la.Is4() && !la.IsUnspecified() {
		src = ipv4.Addr(la.As4())
	} else if hop, err := s.nextHop(dst); err == nil {
		src = a.source4(hop)
	}
	n := ipv4.MinHeaderLen + udp.HeaderLen + len(payload)
	if n > ipv4.MaxTotalLen {
		return fmt.Errorf("%w: %d bytes of UDP payload", ErrMessageTooLong, len(payload))
	}
	bp := s.bufs.get(ethernet.HeaderLen + n)
	defer s.bufs.put(bp)
	dg := (*bp)[ethernet.HeaderLen : ethernet.HeaderLen+n]
	copy(dg[ipv4.MinHeaderLen+udp.HeaderLen:], payload)
	if _, err := udp.EncodeChecksum(dg[ipv4.MinHeaderLen:], local.Port(), remote.Port(), src, dst); err != nil {
		return err
	}
	if err := s.encodeIPv4From(dg, ipv4.ProtoUDP, src, dst, udp.HeaderLen+len(payload), false); err != nil {
		return err
	}
	if err := s.output(bp, n); err != nil {
		return err
	}
	s.ctr.udp.outDatagrams.Add(1)
	return nil
}

// ListenPacket opens a UDP socket bound to address, as package net's
// ListenPacket does: network "udp", "udp4" or "udp6"; address
// "host:port", where the host is empty, a wildcard (0.0.0.0, ::) or one
// of the stack's addresses (an IPv6 one in brackets, with a zone naming
// the stack's link if it likes), and port 0 picks an ephemeral port. A
// wildcard "udp" socket takes both families ([::]:53 hears IPv4 too),
// "udp4" and "udp6" one each. It returns a *UDPConn.
func (s *Stack) ListenPacket(network, address string) (net.PacketConn, error) {
	laddr, fam, err := s.parseAddr("listen", network, address, true, "udp")
	if err != nil {
		return nil, err
	}
	return s.listenUDP(laddr, fam)
}

// ListenUDP opens a UDP socket bound to laddr: the zero AddrPort, or the
// IPv6 wildcard [::], takes both families; 0.0.0.0 takes IPv4 only.
func (s *Stack) ListenUDP(laddr netip.AddrPort) (*UDPConn, error) {
	return s.listenUDP(laddr, s.familyOf(laddr.Addr()))
}

func (s *Stack) listenUDP(laddr netip.AddrPort, fam family) (*UDPConn, error) {
	local, err := s.localAddr(laddr, fam)
	if err != nil {
		return nil, &net.OpError{Op: "listen", Net: fam.net("udp"), Addr: net.UDPAddrFromAddrPort(laddr), Err: err}
	}
	c := s.newUDPConn(local, netip.AddrPort{}, fam)
	if err := s.udp.bind(s, c); err != nil {
		return nil, &net.OpError{Op: "listen", Net: fam.net("udp"), Addr: net.UDPAddrFromAddrPort(laddr), Err: err}
	}
	return c, nil
}

// Dial connects to address on the named network, as package net's Dial
// does: "tcp", "tcp4" or "tcp6" (a *tcp.Conn), "udp", "udp4" or "udp6" (a
// *UDPConn whose Read and Write exchange datagrams with that address
// only). An IPv6 address is written in brackets, [2001:db8::1]:80, and
// may carry a zone naming the stack's link ([fe80::1%eth0]:80, or %1).
// A host name is resolved with the stack's resolver, and its addresses
// tried as package net tries them (dialname.go).
func (s *Stack) Dial(network, address string) (net.Conn, error) {
	return s.DialContext(context.Background(), network, address)
}

// DialContext is Dial with a context: a TCP dial waits for the lookup
// and the handshake until ctx is done; for UDP only the lookup waits.
func (s *Stack) DialContext(ctx context.Context, network, address string) (net.Conn, error) {
	if dialName(address) {
		return s.dialNameContext(ctx, network, address) // dialname.go
	}
	switch network {
	case "udp", "udp4", "udp6":
		if err := ctx.Err(); err != nil {
			return nil, &net.OpError{Op: "dial", Net: network, Err: err}
		}
		raddr, _, err := s.parseAddr("dial", network, address, false, "udp")
		if err != nil {
			return nil, err
		}
		return s.DialUDP(netip.AddrPort{}, raddr)
	case "tcp", "tcp4", "tcp6":
		raddr, _, err := s.parseAddr("dial", network, address, false, "tcp")
		if err != nil {
			return nil, err
		}
		c, err := s.DialTCP(ctx, netip.AddrPort{}, raddr)
		if err != nil {
			return nil, err
		}
		return c, nil
	}
	return nil, &net.OpError{Op: "dial", Net: network, Err: net.UnknownNetworkError(network)}
}

// DialUDP opens a UDP socket bound to laddr (the zero AddrPort, or port
// 0, for an ephemeral port of the address the stack sends to raddr from)
// and connected to raddr. Without a route to raddr it fails at once
// with ENETUNREACH (ErrNoRoute), as connect(2) does. When raddr's
// neighbour does not answer address resolution, the datagrams waiting
// for it are dropped and the socket's next Read or Write fails with
// EHOSTUNREACH, as on Linux.
func (s *Stack) DialUDP(laddr, raddr netip.AddrPort) (*UDPConn, error) {
	raddr = unmapPort(raddr)
	if !raddr.Addr().IsValid() || raddr.Addr().IsUnspecified() || raddr.Port() == 0 {
		return nil, &net.OpError{Op: "dial", Net: "udp", Addr: net.UDPAddrFromAddrPort(raddr), Err: errors.New("missing or invalid remote address")}
	}
	// A connected socket is of its peer's family.
	fam := famV6
	if raddr.Addr().Is4() {
		fam = famV4
	}
	la := laddr.Addr().Unmap()
	if !la.IsValid() || la.IsUnspecified() {
		// A connected socket sends from one address, as on Linux: the
		// one the stack picks for raddr.
		var ok bool
		if la, ok = s.sourceFor(raddr.Addr()); !ok {
			return nil, &net.OpError{Op: "dial", Net: fam.net("udp"), Addr: net.UDPAddrFromAddrPort(raddr), Err: ErrNoRoute}
		}
	}
	local, err := s.localAddr(netip.AddrPortFrom(la, laddr.Port()), fam)
	if err != nil {
		return nil, &net.OpError{Op: "dial", Net: fam.net("udp"), Addr: net.UDPAddrFromAddrPort(raddr), Err: err}
	}
	if err := s.routeTo(raddr.Addr()); err != nil {
		// connect(2) on a UDP socket fails so too.
		return nil, &net.OpError{Op: "dial", Net: fam.net("udp"), Addr: net.UDPAddrFromAddrPort(raddr), Err: err}
	}
	c := s.newUDPConn(local, raddr, fam)
	if err := s.udp.bind(s, c); err != nil {
		return nil, &net.OpError{Op: "dial", Net: fam.net("udp"), Addr: net.UDPAddrFromAddrPort(raddr), Err: err}
	}
	return c, nil
}

// UDPConn is a UDP socket of a Stack. It is a net.PacketConn; made by Dial
// it is also a connected net.Conn. Its methods may be called from several
// goroutines at once.
type UDPConn struct {
	s      *Stack
	local  netip.AddrPort // its address may be unspecified
	remote netip.AddrPort // valid for a connected socket
	fam    family         // the families it sends and receives

	mu      sync.Mutex
	queue   []queued // ring of received datagrams
	head    int
	count   int
	bytes   int
	kept    int // capacity of the ring's buffers, queued or not
	waiting int // readers waiting for a datagram
	rcvbuf  int
	err     error // an error to report on the next call (connected sockets)
	closed  bool

	wake   chan struct{} // signalled when a datagram or an error arrives
	done   chan struct{} // closed by Close
	rd, wd *deadline.Deadline
}

// queued is one received datagram. Its buffer is reused by the datagrams
// that later take its place in the ring.
type queued struct {
	from netip.AddrPort
	data []byte
}

// Each queued datagram is charged this much beyond its payload, so that a
// flood of empty datagrams cannot fill memory under a bytes limit.
const queuedOverhead = 64

// maxQueued bounds the ring, whatever the buffer size.
const maxQueued = 4096

// maxKept bounds the memory of a socket's ring buffers, queued datagrams
// and idle slots together, for a receive buffer of rcvbuf bytes: twice
// that, and room for one largest datagram.
func maxKept(rcvbuf int) int { return 2*rcvbuf + ipv4.MaxTotalLen }

func (s *Stack) newUDPConn(local, remote netip.AddrPort, fam family) *UDPConn {
	return &UDPConn{
		s:      s,
		local:  local,
		remote: remote,
		fam:    fam,
		rcvbuf: s.cfg.UDPReceiveBuffer,
		wake:   make(chan struct{}, 1),
		done:   make(chan struct{}),
		rd:     deadline.New(s.clock),
		wd:     deadline.New(s.clock),
	}
}

// accepts reports whether the socket takes a datagram sent to dst by src.
func (c *UDPConn) accepts(dst netip.Addr, src netip.AddrPort) bool {
	if !c.fam.has(dst) {
		return false
	}
	if c.remote.IsValid() && c.remote != src {
		return false
	}
	if la := c.local.Addr(); !la.IsUnspecified() && la != dst {
		return false
	}
	return true
}

// enqueue copies a received datagram into the ring, reporting false when
// the receive buffer is full.
func (c *UDPConn) enqueue(from netip.AddrPort, payload []byte) bool {
	c.mu.Lock()
	if c.closed || c.count == maxQueued || c.bytes+len(payload)+queuedOverhead > c.rcvbuf {
		c.mu.Unlock()
		return false
	}
	if c.count == len(c.queue) {
		c.grow()
	}
	q := &c.queue[(c.head+c.count)%len(c.queue)]
	q.from = from
	had := cap(q.data)
	q.data = append(q.data[:0], payload...)
	c.kept += cap(q.data) - had
	c.count++
	c.bytes += len(payload) + queuedOverhead
	c.mu.Unlock()
	c.signal()
	return true
}

// grow doubles the ring, keeping the order.
func (c *UDPConn) grow() {
	n := max(2*len(c.queue), 16)
	q := make([]queued, n)
	for i := 0; i < c.count; i++ {
		q[i] = c.queue[(c.head+i)%len(c.queue)]
	}
	c.queue, c.head = q, 0
}

func (c *UDPConn) signal() {
	select {
	case c.wake <- struct{}{}:
	default:
	}
}

func (c *UDPConn) setError(err error) {
	c.mu.Lock()
	c.err = err
	c.mu.Unlock()
	c.signal()
}

// ReadFromUDPAddrPort reads one datagram into b, returning its length and
// sender. A datagram longer than b is cut to len(b), the rest discarded.
// It waits for a datagram until the read deadline or Close.
func (c *UDPConn) ReadFromUDPAddrPort(b []byte) (int, netip.AddrPort, error) {
	waited := false
	for {
		c.mu.Lock()
		if waited {
			c.waiting--
			waited = false
		}
		if c.closed {
			c.mu.Unlock()
			return 0, netip.AddrPort{}, c.opError("read", net.ErrClosed)
		}
		if c.count > 0 {
			q := &c.queue[c.head]
			n := copy(b, q.data)
			from := q.from
			c.bytes -= len(q.data) + queuedOverhead
			if c.kept > maxKept(c.rcvbuf) {
				// Each slot keeps the largest buffer it has held, so
				// that steady traffic reuses them; a ring grown by a
				// burst of small datagrams would otherwise keep a
				// large buffer in every slot, far beyond rcvbuf.
				c.kept -= cap(q.data)
				q.data = nil
			}
			c.head = (c.head + 1) % len(c.queue)
			c.count--
			// The wake-up channel holds one signal: when other readers
			// wait and datagrams remain, pass it on.
			more := c.count > 0 && c.waiting > 0
			c.mu.Unlock()
			if more {
				c.signal()
			}
			return n, from, nil
		}
		if err := c.err; err != nil {
			c.err = nil
			c.mu.Unlock()
			return 0, netip.AddrPort{}, c.opError("read", err)
		}
		c.waiting++
		waited = true
		c.mu.Unlock()

		expired := c.rd.Wait()
		select {
		case <-expired:
			c.mu.Lock()
			c.waiting--
			c.mu.Unlock()
			return 0, netip.AddrPort{}, c.opError("read", errTimeout)
		default:
		}
		select {
		case <-c.wake:
		case <-expired:
		case <-c.done:
		}
	}
}

// ReadFrom implements net.PacketConn.
func (c *UDPConn) ReadFrom(b []byte) (int, net.Addr, error) {
	n, from, err := c.ReadFromUDPAddrPort(b)
	if err != nil {
		return 0, nil, err
	}
	return n, net.UDPAddrFromAddrPort(from), nil
}

// Read implements net.Conn for a connected socket.
func (c *UDPConn) Read(b []byte) (int, error) {
	n, _, err := c.ReadFromUDPAddrPort(b)
	return n, err
}

// WriteToUDPAddrPort sends b as one datagram to addr.
func (c *UDPConn) WriteToUDPAddrPort(b []byte, addr netip.AddrPort) (int, error) {
	c.mu.Lock()
	closed, err := c.closed, c.err
	if err != nil && c.remote.IsValid() {
		c.err = nil
	}
	c.mu.Unlock()
	switch {
	case closed:
		return 0, c.opError("write", net.ErrClosed)
	case err != nil && c.remote.IsValid():
		return 0, c.opError("write", err)
	case c.wd.Expired():
		return 0, c.opError("write", errTimeout)
	}
	addr = unmapPort(addr)
	if c.remote.IsValid() && addr != c.remote {
		return 0, c.opError("write", net.ErrWriteToConnected)
	}
	if !c.fam.has(addr.Addr()) || addr.Addr().IsUnspecified() || addr.Port() == 0 {
		return 0, c.opError("write", &net.AddrError{Err: "invalid destination for a " + c.fam.net("udp") + " socket", Addr: addr.String()})
	}
	if err := c.s.sendUDP(c.local, addr, b); err != nil {
		return 0, c.opError("write", err)
	}
	return len(b), nil
}

// WriteTo implements net.PacketConn; addr must be a *net.UDPAddr.
func (c *UDPConn) WriteTo(b []byte, addr net.Addr) (int, error) {
	if c.remote.IsValid() {
		return 0, c.opError("write", net.ErrWriteToConnected)
	}
	ua, ok := addr.(*net.UDPAddr)
	if !ok {
		return 0, c.opError("write", &net.AddrError{Err: "not a UDP address", Addr: fmt.Sprint(addr)})
	}
	return c.WriteToUDPAddrPort(b, ua.AddrPort())
}

// Write implements net.Conn for a connected socket.
func (c *UDPConn) Write(b []byte) (int, error) {
	if !c.remote.IsValid() {
		return 0, c.opError("write", syscall.EDESTADDRREQ)
	}
	return c.WriteToUDPAddrPort(b, c.remote)
}

// Close closes the socket; blocked reads return net.ErrClosed.
func (c *UDPConn) Close() error {
	c.mu.Lock()
	if c.closed {
		c.mu.Unlock()
		return c.opError("close", net.ErrClosed)
	}
	c.closed = true
	c.mu.Unlock()
	close(c.done)
	c.rd.Stop()
	c.wd.Stop()
	c.s.udp.unbind(c)
	return nil
}

// LocalAddr returns the address the socket is bound to.
func (c *UDPConn) LocalAddr() net.Addr { return net.UDPAddrFromAddrPort(c.local) }

// RemoteAddr returns the peer of a connected socket, nil otherwise.
func (c *UDPConn) RemoteAddr() net.Addr {
	if !c.remote.IsValid() {
		return nil
	}
	return net.UDPAddrFromAddrPort(c.remote)
}

// SetDeadline sets the read and write deadlines.
func (c *UDPConn) SetDeadline(t time.Time) error {
	c.rd.Set(t)
	c.wd.Set(t)
	return nil
}

// SetReadDeadline sets the deadline for reads, pending ones included.
func (c *UDPConn) SetReadDeadline(t time.Time) error { c.rd.Set(t); return nil }

// SetWriteDeadline sets the deadline for writes. Writes do not block, so
// it only makes writes fail once it has passed.
func (c *UDPConn) SetWriteDeadline(t time.Time) error { c.wd.Set(t); return nil }

// SetReadBuffer sets the receive buffer size in bytes.
func (c *UDPConn) SetReadBuffer(bytes int) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.rcvbuf = max(bytes, 0)
	return nil
}

func (c *UDPConn) opError(op string, err error) error {
	e := &net.OpError{Op: op, Net: c.fam.net("udp"), Source: net.UDPAddrFromAddrPort(c.local), Err: err}
	if c.remote.IsValid() {
		e.Addr = net.UDPAddrFromAddrPort(c.remote)
	}
	return e
}
