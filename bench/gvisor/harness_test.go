package gvisorbench

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"runtime"
	"strconv"
	"strings"
	"time"
)

// Sizes, overridable from the environment so that a quick run can use
// less (see README.md).
var (
	// benchBytes is what the bulk benchmark moves per op (BENCH_BYTES).
	benchBytes = envSize("BENCH_BYTES", 1<<30)
	// allocBytes is what the allocation benchmark moves in steady state
	// (BENCH_ALLOC_BYTES).
	allocBytes = envSize("BENCH_ALLOC_BYTES", 256<<20)
	// warmupBytes is moved before either measurement starts, so that the
	// windows have opened, buffers have grown and pools are full
	// (BENCH_WARMUP_BYTES).
	warmupBytes = envSize("BENCH_WARMUP_BYTES", 64<<20)
	// benchConns is how many idle connections the idle-heap benchmark
	// opens (BENCH_CONNS).
	benchConns = int(envSize("BENCH_CONNS", 10000))
	// linkQueue is the depth, in frames, of each direction of the
	// simulated link, for both stacks (BENCH_QUEUE): by default medina's
	// pipe.DefaultQueue, which is also the size tailscale gives its
	// linkEndpoint in wgengine/netstack.Create. A frame sent while the
	// queue is full is dropped, as by a NIC whose ring is full.
	linkQueue = int(envSize("BENCH_QUEUE", 512))
)

const (
	// ioChunk is the size of each Write and Read of the bulk transfers.
	ioChunk = 64 << 10
	// rrSize is the request and the response of the round-trip benchmark.
	rrSize = 64
	// opTimeout bounds any one step, so that a wedged stack fails the
	// benchmark instead of hanging it.
	opTimeout = 2 * time.Minute
)

// envSize reads a byte count such as 1073741824, 1G, 1GiB, 256M or 64k.
func envSize(name string, def int64) int64 {
	s := strings.TrimSpace(os.Getenv(name))
	if s == "" {
		return def
	}
	n, err := parseSize(s)
	if err != nil || n <= 0 {
		fmt.Fprintf(os.Stderr, "%s=%q: %v; using %d\n", name, s, err, def)
		return def
	}
	return n
}

func parseSize(s string) (int64, error) {
	u := strings.ToUpper(s)
	u = strings.TrimSuffix(strings.TrimSuffix(u, "B"), "I")
	mult := int64(1)
	switch {
	case strings.HasSuffix(u, "K"):
		mult, u = 1<<10, u[:len(u)-1]
	case strings.HasSuffix(u, "M"):
		mult, u = 1<<20, u[:len(u)-1]
	case strings.HasSuffix(u, "G"):
		mult, u = 1<<30, u[:len(u)-1]
	}
	n, err := strconv.ParseInt(u, 10, 64)
	if err != nil {
		return 0, fmt.Errorf("not a size: %q", s)
	}
	return n * mult, nil
}

// listenAndDial listens on k.listen and dials the listener once: it
// returns the listener, the client's conn and the server's.
func listenAndDial(ns netstack, k kind) (ln net.Listener, client, server net.Conn, err error) {
	ln, err = ns.Listen(k.listen)
	if err != nil {
		return nil, nil, nil, err
	}
	type accepted struct {
		c   net.Conn
		err error
	}
	ch := make(chan accepted, 1)
	go func() {
		c, err := ln.Accept()
		ch <- accepted{c, err}
	}()
	ctx, cancel := context.WithTimeout(context.Background(), opTimeout)
	defer cancel()
	client, err = ns.Dial(ctx, dialAddr(ln, k))
	if err != nil {
		ln.Close()
		return nil, nil, nil, err
	}
	select {
	case a := <-ch:
		if a.err != nil {
			client.Close()
			ln.Close()
			return nil, nil, nil, a.err
		}
		return ln, client, a.c, nil
	case <-ctx.Done():
		client.Close()
		ln.Close()
		return nil, nil, nil, errors.New("accept: timed out")
	}
}

// dialAddr is the address that reaches ln: its own, when it names a host
// and a port (port 0 asks for an ephemeral one), else the one listened on.
func dialAddr(ln net.Listener, k kind) string {
	if a, ok := ln.Addr().(*net.TCPAddr); ok && a.Port != 0 && a.IP != nil && !a.IP.IsUnspecified() {
		return a.String()
	}
	return k.listen
}

// streamer writes on one conn from a goroutine of its own while the
// caller reads the other, so that a bulk transfer keeps both ends busy.
// The goroutine lives as long as the streamer, so a measured transfer
// starts none.
//
// The stream is a pattern with a prime period (the byte at offset i is
// i mod 251), and the reader checks every byte it reads against it: a
// stack that loses, repeats or misplaces a segment fails the benchmark
// instead of posting a figure. The check is a memcmp at tens of GB/s, a
// few per cent of a loopback transfer and less of the others.
type streamer struct {
	w, r       net.Conn
	pat        []byte // the pattern, patPeriod bytes longer than a chunk
	wOff, rOff int64  // stream offsets written and read so far
	rbuf       []byte
	req        chan int64
	done       chan error
}

const patPeriod = 251

func newStreamer(w, r net.Conn) *streamer {
	s := &streamer{
		w:    w,
		r:    r,
		pat:  make([]byte, ioChunk+patPeriod),
		rbuf: make([]byte, ioChunk),
		req:  make(chan int64),
		done: make(chan error, 1),
	}
	for i := range s.pat {
		s.pat[i] = byte(i % patPeriod)
	}
	go s.writeLoop()
	return s
}

func (s *streamer) writeLoop() {
	for n := range s.req {
		var err error
		for n > 0 && err == nil {
			p := s.wOff % patPeriod
			var k int
			k, err = s.w.Write(s.pat[p : p+min(n, ioChunk)])
			n -= int64(k)
			s.wOff += int64(k)
		}
		s.done <- err
	}
}

// transfer moves n bytes from w to r and returns how long it took, from
// the first write to the last byte read.
func (s *streamer) transfer(n int64) (time.Duration, error) {
	deadline := time.Now().Add(opTimeout)
	s.r.SetReadDeadline(deadline)
	s.w.SetWriteDeadline(deadline)
	start := time.Now()
	s.req <- n
	end := s.rOff + n
	for s.rOff < end {
		k, err := s.r.Read(s.rbuf[:min(end-s.rOff, ioChunk)])
		p := s.rOff % patPeriod
		if !bytes.Equal(s.rbuf[:k], s.pat[p:p+int64(k)]) {
			s.abort()
			return 0, fmt.Errorf("stream corrupted in the %d bytes read at offset %d", k, s.rOff)
		}
		s.rOff += int64(k)
		if err != nil {
			s.abort()
			return 0, fmt.Errorf("read at offset %d, %d bytes into a transfer of %d: %w", s.rOff, n-(end-s.rOff), n, err)
		}
	}
	elapsed := time.Since(start)
	if err := <-s.done; err != nil {
		return 0, fmt.Errorf("write: %w", err)
	}
	return elapsed, nil
}

// abort unblocks the writer of a failed transfer and waits for it. The
// stream is out of step after that; the caller gives up on it.
func (s *streamer) abort() {
	s.w.SetWriteDeadline(time.Now())
	<-s.done
}

func (s *streamer) close() { close(s.req) }

// memDelta reads the allocation counters around f.
func memDelta(f func() error) (mallocs, bytes uint64, err error) {
	var m0, m1 runtime.MemStats
	runtime.ReadMemStats(&m0)
	err = f()
	runtime.ReadMemStats(&m1)
	return m1.Mallocs - m0.Mallocs, m1.TotalAlloc - m0.TotalAlloc, err
}

// echoServer answers every rrSize-byte request on c with the same bytes,
// until c fails.
func echoServer(c net.Conn) {
	buf := make([]byte, rrSize)
	for {
		if _, err := io.ReadFull(c, buf); err != nil {
			return
		}
		if _, err := c.Write(buf); err != nil {
			return
		}
	}
}

// roundTrip writes req on c and reads len(resp) bytes back.
func roundTrip(c net.Conn, req, resp []byte) error {
	if _, err := c.Write(req); err != nil {
		return err
	}
	_, err := io.ReadFull(c, resp)
	return err
}

// setNoDelay turns Nagle's algorithm off where the conn has the switch,
// as package net does by default: the round-trip benchmark measures the
// stack, not a coalescing delay. (gVisor has Nagle off by default, and
// gonet has no switch.)
func setNoDelay(c net.Conn) {
	if nd, ok := c.(interface{ SetNoDelay(bool) error }); ok {
		nd.SetNoDelay(true)
	}
}

// idleResult is what openIdle measured.
type idleResult struct {
	pairs        int
	heapPerPair  float64 // HeapInuse growth per connection pair, bytes
	stackPerPair float64 // StackInuse growth per pair (goroutine stacks), bytes
	setup        time.Duration
}

// openIdle opens n connections on ns (both ends in this process), accepts
// them all, and measures how much the heap grew per established, idle
// pair. The application side is as small as it can be: one goroutine
// accepting in a loop, the dialler in this one, and the conns kept in two
// slices allocated before the baseline is taken.
func openIdle(ns netstack, k kind, n int) (res idleResult, err error) {
	ln, err := ns.Listen(k.listen)
	if err != nil {
		return res, err
	}
	defer ln.Close()
	target := dialAddr(ln, k)
	clients := make([]net.Conn, 0, n)
	servers := make([]net.Conn, 0, n)
	acceptDone := make(chan error, 1)
	start := make(chan struct{})
	go func() {
		<-start
		for len(servers) < n {
			c, err := ln.Accept()
			if err != nil {
				acceptDone <- err
				return
			}
			servers = append(servers, c)
		}
		acceptDone <- nil
	}()
	defer func() {
		for _, c := range clients {
			c.Close()
		}
		for _, c := range servers {
			c.Close()
		}
	}()

	before := settledMemStats()
	t0 := time.Now()
	close(start)
	ctx, cancel := context.WithTimeout(context.Background(), opTimeout)
	defer cancel()
	for range n {
		c, err := ns.Dial(ctx, target)
		if err != nil {
			ln.Close()
			<-acceptDone
			return res, fmt.Errorf("dial %d of %d: %w", len(clients)+1, n, err)
		}
		clients = append(clients, c)
	}
	select {
	case err := <-acceptDone:
		if err != nil {
			return res, fmt.Errorf("accept %d of %d: %w", len(servers)+1, n, err)
		}
	case <-ctx.Done():
		ln.Close()
		<-acceptDone
		return res, fmt.Errorf("accepted only %d of %d: %w", len(servers), n, ctx.Err())
	}
	res.setup = time.Since(t0)
	// Let the last handshakes' ACKs land and any timers they armed run
	// before measuring.
	time.Sleep(100 * time.Millisecond)
	after := settledMemStats()
	res.pairs = n
	res.heapPerPair = (float64(after.HeapInuse) - float64(before.HeapInuse)) / float64(n)
	res.stackPerPair = (float64(after.StackInuse) - float64(before.StackInuse)) / float64(n)
	runtime.KeepAlive(clients)
	runtime.KeepAlive(servers)
	return res, nil
}

// settledMemStats collects garbage (twice, so that objects freed by
// finalizers or released by the first cycle's sweep are gone too) and
// reads the memory statistics.
func settledMemStats() runtime.MemStats {
	runtime.GC()
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return m
}
