package stack

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/netip"
	"runtime"
	"strconv"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/medina-net/medina/link/pipe"
	"github.com/medina-net/medina/tcp"
)

// The TCP memory budget (tcp.Config.MemoryLimit) against peers that make
// the stack hold data: readers that never read what they asked for, and
// writers to an application that never reads.

// budgetPair is two stacks over a pipe, each with the TCP memory budget
// limit, in the calling synctest bubble.
func budgetPair(t *testing.T, limit int64) (server, client *Stack) {
	t.Helper()
	ea, eb := pipe.New(pipe.Config{})
	var err error
	server, err = New(ea, Config{Addr: netip.PrefixFrom(addrA, 24), Rand: SeededRand(1), TCP: tcp.Config{MemoryLimit: limit}})
	if err != nil {
		t.Fatal(err)
	}
	client, err = New(eb, Config{Addr: netip.PrefixFrom(addrB, 24), Rand: SeededRand(2), TCP: tcp.Config{MemoryLimit: limit}})
	if err != nil {
		server.Close()
		t.Fatal(err)
	}
	return server, client
}

// streamHandler serves /stream?n=N: N bytes written 32 KiB at a time from
// one shared buffer, so that the handler itself holds no memory per
// request.
var streamChunk = pattern(32<<10, 7)

func streamHandler(w http.ResponseWriter, r *http.Request) {
	n, err := strconv.Atoi(r.URL.Query().Get("n"))
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	w.Header().Set("Content-Length", strconv.Itoa(n))
	for n > 0 {
		k, err := w.Write(streamChunk[:min(n, len(streamChunk))])
		if err != nil {
			return
		}
		n -= k
	}
}

// heapInUse returns the bytes of live heap after a collection.
func heapInUse() int64 {
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	return int64(ms.HeapAlloc)
}

// zeroWindowResult is what zeroWindowReaders measured.
type zeroWindowResult struct {
	heapGrowth  int64     // live heap with the attack in place, less before it
	server      tcp.Stats // the server's TCP counters then
	legitBytes  int       // what a legitimate client read meanwhile
	legitErr    error
	legitPeriod time.Duration // how long (on the bubble's clock) it took
}

// zeroWindowReaders runs, in a synctest bubble, clients clients that ask
// the server's net/http for 100 MB each with a receive buffer of one
// segment and never read, then a legitimate client that fetches 1 MB.
func zeroWindowReaders(t *testing.T, limit int64, clients int) zeroWindowResult {
	var res zeroWindowResult
	synctest.Test(t, func(t *testing.T) {
		server, client := budgetPair(t, limit)
		defer server.Close()
		defer client.Close()
		ln, err := server.Listen("tcp", ":80")
		if err != nil {
			t.Fatal(err)
		}
		mux := http.NewServeMux()
		mux.HandleFunc("/stream", streamHandler)
		srv := &http.Server{Handler: mux}
		go srv.Serve(ln)
		defer srv.Close()

		before := heapInUse()
		conns := make([]net.Conn, 0, clients)
		for i := range clients {
			c, err := client.DialTCP(context.Background(), netip.AddrPort{}, netip.AddrPortFrom(addrA, 80))
			if err != nil {
				t.Fatalf("client %d: %v", i, err)
			}
			c.SetReadBuffer(1) // one segment
			fmt.Fprintf(c, "GET /stream?n=%d HTTP/1.1\r\nHost: medina\r\n\r\n", 100<<20)
			conns = append(conns, c)
		}
		// Let the servers fill what they may, and the zero-window probes
		// start.
		time.Sleep(5 * time.Second)
		synctest.Wait()
		res.heapGrowth = heapInUse() - before
		res.server = server.TCPStats()

		tr := &http.Transport{DialContext: func(ctx context.Context, network, addr string) (net.Conn, error) {
			return client.DialContext(ctx, network, addr)
		}}
		defer tr.CloseIdleConnections()
		start := time.Now()
		resp, err := (&http.Client{Transport: tr, Timeout: 5 * time.Minute}).Get(fmt.Sprintf("http://%v/stream?n=%d", addrA, 1<<20))
		if err == nil {
			var body []byte
			body, err = io.ReadAll(bufio.NewReader(resp.Body))
			resp.Body.Close()
			res.legitBytes = len(body)
		}
		res.legitErr = err
		res.legitPeriod = time.Since(start)
		for _, c := range conns {
			c.Close()
		}
	})
	return res
}

// TestMemoryBudgetZeroWindowReaders: readers that ask for a large
// response through a tiny window and never read made the server's send
// buffers grow to 4 MiB each (4.2 GB of heap for 1,000 of them); with a
// budget, what the server holds stays within it (plus 4 KiB a direction
// per connection), and a legitimate client is still served.
func TestMemoryBudgetZeroWindowReaders(t *testing.T) {
	const (
		limit   = 16 << 20
		clients = 300
	)
	res := zeroWindowReaders(t, limit, clients)
	t.Logf("%d zero-window readers, budget %d MiB: live heap grew %.1f MiB; server holds %.1f MiB of buffers, %d pressure events, %d growths limited; legitimate 1 MB fetch: %d bytes in %v (%v)",
		clients, limit>>20, float64(res.heapGrowth)/(1<<20), float64(res.server.MemoryBytes)/(1<<20),
		res.server.MemoryPressures, res.server.MemoryLimited, res.legitBytes, res.legitPeriod, res.legitErr)
	if bound := uint64(limit + clients*2*4<<10); res.server.MemoryBytes > bound {
		t.Errorf("the server holds %d bytes of TCP buffers, over the budget's bound of %d", res.server.MemoryBytes, bound)
	}
	// The heap holds both stacks (the client's buffers are within its
	// own budget) and, per connection, the HTTP server's and the
	// client's state: goroutines, bufio buffers, connection structures.
	if bound := int64(2*limit + clients*96<<10); res.heapGrowth > bound {
		t.Errorf("live heap grew by %d bytes, over %d", res.heapGrowth, bound)
	}
	if res.server.MemoryPressures == 0 || res.server.MemoryLimited == 0 {
		t.Errorf("the budget never bit: %d pressure events, %d growths limited", res.server.MemoryPressures, res.server.MemoryLimited)
	}
	if res.legitErr != nil || res.legitBytes != 1<<20 {
		t.Errorf("legitimate client: %d bytes, %v; want %d", res.legitBytes, res.legitErr, 1<<20)
	}
}

// TestMemoryBudgetUnreadData: clients that each push 128 KB to an
// application that accepts and never reads pinned a receive buffer each
// (674 MB for 5,000); with a budget, the server holds no more than it,
// drops (and counts) what it has no room for, and still serves a
// legitimate client.
func TestMemoryBudgetUnreadData(t *testing.T) {
	const (
		limit   = 16 << 20
		clients = 1000
		push    = 128 << 10
	)
	synctest.Test(t, func(t *testing.T) {
		server, client := budgetPair(t, limit)
		defer server.Close()
		defer client.Close()
		ln, err := server.Listen("tcp", ":9")
		if err != nil {
			t.Fatal(err)
		}
		defer ln.Close()
		// The application accepts, and reads only from the connection
		// the legitimate client makes last.
		var (
			mu       sync.Mutex
			accepted []net.Conn
		)
		legit := make(chan net.Conn, 1)
		go func() {
			for {
				c, err := ln.Accept()
				if err != nil {
					return
				}
				mu.Lock()
				accepted = append(accepted, c)
				n := len(accepted)
				mu.Unlock()
				if n == clients+1 {
					legit <- c
				}
			}
		}()
		before := heapInUse()
		payload := make([]byte, push)
		var wg sync.WaitGroup
		for i := range clients {
			c, err := client.DialTCP(context.Background(), netip.AddrPort{}, netip.AddrPortFrom(addrA, 9))
			if err != nil {
				t.Fatalf("client %d: %v", i, err)
			}
			defer c.Close()
			wg.Go(func() { c.Write(payload) }) // blocks for good once both budgets are spent
		}
		time.Sleep(5 * time.Second)
		synctest.Wait()
		growth := heapInUse() - before
		st := server.TCPStats()
		t.Logf("%d clients pushing %d KiB, budget %d MiB: live heap grew %.1f MiB; server holds %.1f MiB of buffers, %d growths limited, %d segments dropped for memory, %d pressure events",
			clients, push>>10, limit>>20, float64(growth)/(1<<20), float64(st.MemoryBytes)/(1<<20), st.MemoryLimited, st.MemoryDrops, st.MemoryPressures)
		if bound := uint64(limit + clients*2*4<<10); st.MemoryBytes > bound {
			t.Errorf("the server holds %d bytes of TCP buffers, over the budget's bound of %d", st.MemoryBytes, bound)
		}
		if bound := int64(2*limit + clients*48<<10); growth > bound {
			t.Errorf("live heap grew by %d bytes, over %d", growth, bound)
		}
		if st.MemoryLimited == 0 || st.MemoryPressures == 0 {
			t.Errorf("the budget never bit: %d growths limited, %d pressure events", st.MemoryLimited, st.MemoryPressures)
		}

		// A legitimate client still gets its 256 KiB through.
		c, err := client.DialTCP(context.Background(), netip.AddrPort{}, netip.AddrPortFrom(addrA, 9))
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		want := pattern(256<<10, 3)
		go c.Write(want)
		sc := <-legit
		got := make([]byte, len(want))
		sc.SetReadDeadline(time.Now().Add(5 * time.Minute))
		if n, err := io.ReadFull(sc, got); err != nil || string(got) != string(want) {
			t.Errorf("legitimate client: read %d bytes (%v), intact %v", n, err, string(got[:n]) == string(want[:n]))
		}
		client.Close() // unblocks the writers
		wg.Wait()
	})
}
