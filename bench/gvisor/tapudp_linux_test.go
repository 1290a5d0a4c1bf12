package gvisorbench

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"net"
	"net/netip"
	"os"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"golang.org/x/net/ipv4"
	"golang.org/x/sys/unix"
)

// UDP datagrams per second, each way: one side sends datagrams of one
// size as fast as it can, for a bounded time and at most a bounded count;
// the other counts what it receives. The figure is the receiver's: the
// datagrams it read over the time from the first to the last, and the
// loss is the share of those sent that it never read.

const (
	// udpStackPort and udpPeerPort are the two ends' UDP ports; each side
	// connects its socket to the other's, so the reader on either side
	// takes datagrams with Read, without a source address to allocate.
	udpStackPort = 5301
	udpPeerPort  = 5302
	// udpBatch is how many datagrams the kernel-side peer passes to the
	// kernel per system call (sendmmsg, recvmmsg): the peer is the load,
	// and should not be what limits the figure.
	udpBatch = 64
	// udpQuiet is how long a receiver's count must stand still, after
	// the sender has finished, for the count to be final.
	udpQuiet = 200 * time.Millisecond
	// udpSettleMax bounds that wait.
	udpSettleMax = 10 * time.Second
)

// udpSpec is one UDP measurement's parameters.
type udpSpec struct {
	// size is each datagram's payload, in bytes.
	size int
	// count bounds the datagrams sent; dur bounds the sending time.
	count int64
	dur   time.Duration
}

// udpSpecsFromEnv reads BENCH_TAP_UDP_SIZES (payload sizes, default 64),
// BENCH_TAP_UDP_TIME (each direction's sending time, default 2s) and
// BENCH_TAP_UDP_COUNT (the most datagrams sent, default 10M).
func udpSpecsFromEnv() []udpSpec {
	dur := envDuration("BENCH_TAP_UDP_TIME", 2*time.Second)
	count := envSize("BENCH_TAP_UDP_COUNT", 10_000_000)
	sizes := os.Getenv("BENCH_TAP_UDP_SIZES")
	if strings.TrimSpace(sizes) == "" {
		sizes = "64"
	}
	var specs []udpSpec
	for _, f := range strings.FieldsFunc(sizes, func(r rune) bool { return r == ',' || r == ' ' }) {
		n, err := strconv.Atoi(f)
		// 1472 fills a 1500-byte IPv4 packet: no fragments.
		if err != nil || n < 1 || n > tapMTU-28 {
			panic(fmt.Sprintf("BENCH_TAP_UDP_SIZES: %q is not a payload size from 1 to %d", f, tapMTU-28))
		}
		specs = append(specs, udpSpec{size: n, count: count, dur: dur})
	}
	return specs
}

// udpResult is one direction's figure.
type udpResult struct {
	sent, received int64
	// window is the receiver's time from its first datagram to its last;
	// sending is the sender's time from its first send to its last.
	window, sending time.Duration
	// cpu is this process's user+system time over the measurement (the
	// stack and its reader or writer), and handled the datagrams the
	// stack took from the link or gave to it: received in
	// linux-to-stack, sent in stack-to-linux.
	cpu     time.Duration
	handled int64
}

func (r udpResult) rate() float64 { return float64(r.received) / r.window.Seconds() }

func (r udpResult) loss() float64 { return 1 - float64(r.received)/float64(r.sent) }

// offered is the sender's rate: when the receiver's rate is as high and
// nothing is lost, the sender is what limits the figure.
func (r udpResult) offered() float64 { return float64(r.sent) / r.sending.Seconds() }

// cpuPerDatagram is the stack process's CPU microseconds per datagram it
// handled.
func (r udpResult) cpuPerDatagram() float64 {
	return float64(r.cpu.Nanoseconds()) / 1e3 / float64(r.handled)
}

func reportUDP(t *testing.T, print bool, row, dir string, spec udpSpec, r udpResult) {
	t.Helper()
	line := fmt.Sprintf("tapbench-udp: %s %s %d B %.0f dgram/s %.4f loss %.0f offered-dgram/s %.3f cpu-us/dgram %d sent %d received %.3f s",
		row, dir, spec.size, r.rate(), r.loss(), r.offered(), r.cpuPerDatagram(), r.sent, r.received, r.window.Seconds())
	if print {
		fmt.Println(line)
	}
	t.Log(line)
}

// udpRequest is the request for a UDP measurement: the letter, the most
// datagrams to send, the payload size and the sending time in
// milliseconds.
func udpRequest(dir byte, spec udpSpec) []byte {
	req := make([]byte, 9, 15)
	req[0] = dir
	binary.BigEndian.PutUint64(req[1:], uint64(spec.count))
	req = binary.BigEndian.AppendUint16(req, uint16(spec.size))
	return binary.BigEndian.AppendUint32(req, uint32(spec.dur/time.Millisecond))
}

// udpMeasure takes one UDP direction on env's stack against the
// kernel-side peer, over a control connection through the stack's TCP.
func udpMeasure(env *tapEnv, dir byte, spec udpSpec) (udpResult, error) {
	ctx, cancel := context.WithTimeout(context.Background(), spec.dur+udpSettleMax+30*time.Second)
	defer cancel()
	peer := netip.AddrPortFrom(env.peer, tapPeerPort)
	ctl, err := env.dialTCP(ctx, peer)
	if err != nil {
		return udpResult{}, fmt.Errorf("dial %v: %w", peer, err)
	}
	defer ctl.Close()
	deadline, _ := ctx.Deadline()
	ctl.SetDeadline(deadline)
	local := netip.AddrPortFrom(env.local, udpStackPort)
	remote := netip.AddrPortFrom(env.peer, udpPeerPort)
	var res udpResult
	cpu0 := processCPU()
	if dir == udpToStack {
		// The socket first, so that no datagram finds the port closed.
		c, err := env.dialUDP(local, remote)
		if err != nil {
			return res, fmt.Errorf("UDP socket: %w", err)
		}
		defer c.Close()
		cnt := countDatagrams(func(b []byte) (int, error) { _, err := c.Read(b); return 1, err }, spec.size)
		if _, err := ctl.Write(udpRequest(dir, spec)); err != nil {
			return res, fmt.Errorf("request: %w", err)
		}
		var ans [16]byte
		if _, err := io.ReadFull(ctl, ans[:]); err != nil {
			cnt.stop(c)
			return res, fmt.Errorf("waiting for the peer's count: %w", err)
		}
		res.sent = int64(binary.BigEndian.Uint64(ans[:]))
		res.sending = time.Duration(binary.BigEndian.Uint64(ans[8:]))
		res.received, res.window, err = cnt.settle(c)
		if err != nil {
			return res, err
		}
		res.handled = res.received
	} else {
		if _, err := ctl.Write(udpRequest(dir, spec)); err != nil {
			return res, fmt.Errorf("request: %w", err)
		}
		var ready [1]byte
		if _, err := io.ReadFull(ctl, ready[:]); err != nil {
			return res, fmt.Errorf("waiting for the peer to listen: %w", err)
		}
		c, err := env.dialUDP(local, remote)
		if err != nil {
			return res, fmt.Errorf("UDP socket: %w", err)
		}
		defer c.Close()
		res.sent, res.sending, err = sendDatagrams(func(b []byte) (int, error) { _, err := c.Write(b); return 1, err }, spec)
		if err != nil {
			return res, err
		}
		var ans [16]byte
		binary.BigEndian.PutUint64(ans[:], uint64(res.sent))
		if _, err := ctl.Write(ans[:8]); err != nil {
			return res, fmt.Errorf("telling the peer the count: %w", err)
		}
		if _, err := io.ReadFull(ctl, ans[:]); err != nil {
			return res, fmt.Errorf("waiting for the peer's count: %w", err)
		}
		res.received = int64(binary.BigEndian.Uint64(ans[:8]))
		res.window = time.Duration(binary.BigEndian.Uint64(ans[8:]))
		res.handled = res.sent
	}
	res.cpu = processCPU() - cpu0
	switch {
	case res.sent <= 0 || res.sending <= 0:
		return res, errors.New("nothing sent")
	case res.received < 2 || res.window <= 0:
		return res, fmt.Errorf("%d of %d datagrams received", res.received, res.sent)
	case res.received > res.sent:
		return res, fmt.Errorf("%d datagrams received, only %d sent", res.received, res.sent)
	}
	return res, nil
}

// sendDatagrams sends spec.size-byte datagrams with send, which sends a
// batch of them and says how many, until spec.count are sent or spec.dur
// has passed. It returns the count and the time it took.
func sendDatagrams(send func([]byte) (int, error), spec udpSpec) (int64, time.Duration, error) {
	buf := make([]byte, spec.size)
	start := time.Now()
	end := start.Add(spec.dur)
	var sent int64
	for i := 0; sent < spec.count; i++ {
		// The clock every 64 sends, not every one: its cost would be
		// part of the sender's per-datagram cost.
		if i%64 == 0 && time.Now().After(end) {
			break
		}
		k, err := send(buf)
		sent += int64(k)
		if err != nil {
			return sent, time.Since(start), fmt.Errorf("send after %d datagrams: %w", sent, err)
		}
	}
	return sent, time.Since(start), nil
}

// udpCount counts what a reader goroutine takes off a socket.
type udpCount struct {
	n, first, last atomic.Int64 // datagrams; Unix nanoseconds of the first and the latest
	done           chan struct{}
	err            error // the reader's last error, once done is closed
}

// countDatagrams starts a goroutine that calls read (which reads one
// datagram, or a batch, and says how many) until it fails.
func countDatagrams(read func([]byte) (int, error), size int) *udpCount {
	u := &udpCount{done: make(chan struct{})}
	go func() {
		defer close(u.done)
		buf := make([]byte, size+1)
		for {
			k, err := read(buf)
			if err != nil {
				u.err = err
				return
			}
			now := time.Now().UnixNano()
			if u.n.Load() == 0 {
				u.first.Store(now)
			}
			u.last.Store(now)
			u.n.Add(int64(k))
		}
	}()
	return u
}

// settle waits, once the sender has finished, until the count has stood
// still for udpQuiet (at most udpSettleMax), stops the reader by c's
// read deadline, and returns the count and the time from the first
// datagram to the last.
func (u *udpCount) settle(c net.Conn) (int64, time.Duration, error) {
	limit := time.Now().Add(udpSettleMax)
	for prev := int64(-1); ; {
		n := u.n.Load()
		if n == prev || time.Now().After(limit) {
			break
		}
		prev = n
		time.Sleep(udpQuiet)
	}
	if err := u.stop(c); err != nil {
		return 0, 0, err
	}
	return u.n.Load(), time.Duration(u.last.Load() - u.first.Load()), nil
}

// stop ends the reader and returns its error unless it is the deadline's.
func (u *udpCount) stop(c net.Conn) error {
	c.SetReadDeadline(time.Now())
	select {
	case <-u.done:
	case <-time.After(5 * time.Second):
		return errors.New("the UDP reader did not stop at its deadline")
	}
	var ne net.Error
	if errors.As(u.err, &ne) && ne.Timeout() {
		return nil
	}
	return fmt.Errorf("UDP read: %w", u.err)
}

// peerUDP is the kernel-side peer's half of a UDP measurement (requests
// 'U' and 'V'), over the control connection c whose request header
// (letter and count) has been read.
func peerUDP(c net.Conn, dir byte, count int64) error {
	var p [6]byte
	if _, err := io.ReadFull(c, p[:]); err != nil {
		return err
	}
	spec := udpSpec{
		count: count,
		size:  int(binary.BigEndian.Uint16(p[:])),
		dur:   time.Duration(binary.BigEndian.Uint32(p[2:])) * time.Millisecond,
	}
	c.SetDeadline(time.Now().Add(spec.dur + udpSettleMax + 30*time.Second))
	local := c.LocalAddr().(*net.TCPAddr).AddrPort().Addr()
	remote := c.RemoteAddr().(*net.TCPAddr).AddrPort().Addr()
	u, err := net.DialUDP("udp", net.UDPAddrFromAddrPort(netip.AddrPortFrom(local, udpPeerPort)),
		net.UDPAddrFromAddrPort(netip.AddrPortFrom(remote, udpStackPort)))
	if err != nil {
		return err
	}
	defer u.Close()
	pc := ipv4.NewPacketConn(u)
	msgs := make([]ipv4.Message, udpBatch)
	var ans [16]byte
	if dir == udpToStack {
		for i := range msgs {
			msgs[i].Buffers = [][]byte{make([]byte, spec.size)}
		}
		sent, elapsed, err := sendDatagrams(func([]byte) (int, error) { return pc.WriteBatch(msgs, 0) }, spec)
		if err != nil {
			return err
		}
		binary.BigEndian.PutUint64(ans[:], uint64(sent))
		binary.BigEndian.PutUint64(ans[8:], uint64(elapsed))
		_, err = c.Write(ans[:])
		return err
	}
	// A deep receive queue, so that the kernel's receiver, the load's
	// end, is not what drops: SO_RCVBUFFORCE passes rmem_max (root).
	if rc, err := u.SyscallConn(); err == nil {
		rc.Control(func(fd uintptr) { unix.SetsockoptInt(int(fd), unix.SOL_SOCKET, unix.SO_RCVBUFFORCE, 32<<20) })
	}
	for i := range msgs {
		msgs[i].Buffers = [][]byte{make([]byte, spec.size+1)}
	}
	cnt := countDatagrams(func([]byte) (int, error) { return pc.ReadBatch(msgs, 0) }, 0)
	if _, err := c.Write([]byte{'k'}); err != nil {
		cnt.stop(u)
		return err
	}
	if _, err := io.ReadFull(c, ans[:8]); err != nil {
		cnt.stop(u)
		return err
	}
	n, window, err := cnt.settle(u)
	if err != nil {
		return err
	}
	binary.BigEndian.PutUint64(ans[:], uint64(n))
	binary.BigEndian.PutUint64(ans[8:], uint64(window))
	_, err = c.Write(ans[:])
	return err
}
