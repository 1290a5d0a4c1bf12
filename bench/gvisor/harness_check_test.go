package gvisorbench

import (
	"bytes"
	"crypto/rand"
	"crypto/sha256"
	"io"
	"net"
	"net/netip"
	"strings"
	"testing"
	"time"
)

// TestHarness runs every helper the benchmarks use, small, on every stack,
// and checks that what they move arrives intact and that what they
// measure is plausible.
func TestHarness(t *testing.T) {
	for _, s := range stacks {
		for _, fam := range allFamilies {
			k := kindOf(s, fam)
			t.Run(k.String(), func(t *testing.T) {
				t.Run("integrity", func(t *testing.T) { testIntegrity(t, k) })
				t.Run("transfer", func(t *testing.T) { testTransfer(t, k) })
				t.Run("rr", func(t *testing.T) { testRR(t, k) })
				t.Run("idle", func(t *testing.T) { testIdle(t, k) })
				t.Run("family", func(t *testing.T) { testFamily(t, k) })
			})
		}
	}
}

// testIntegrity sends 4 MiB of random bytes each way over one connection
// and compares SHA-256 sums.
func testIntegrity(t *testing.T, k kind) {
	_, client, server := connect(t, k)
	client.SetDeadline(time.Now().Add(time.Minute))
	server.SetDeadline(time.Now().Add(time.Minute))
	data := make([]byte, 4<<20)
	rand.Read(data)
	want := sha256.Sum256(data)
	for _, dir := range []struct {
		name string
		w, r io.ReadWriter
	}{{"client to server", client, server}, {"server to client", server, client}} {
		errc := make(chan error, 1)
		go func() {
			_, err := dir.w.Write(data)
			errc <- err
		}()
		h := sha256.New()
		if _, err := io.CopyN(h, dir.r, int64(len(data))); err != nil {
			t.Fatalf("%s: read: %v", dir.name, err)
		}
		if err := <-errc; err != nil {
			t.Fatalf("%s: write: %v", dir.name, err)
		}
		if got := h.Sum(nil); !bytes.Equal(got, want[:]) {
			t.Fatalf("%s: SHA-256 %x, want %x", dir.name, got, want)
		}
	}
}

// testTransfer runs the bulk helper and the allocation counter.
func testTransfer(t *testing.T, k kind) {
	_, client, server := connect(t, k)
	st := newStreamer(client, server)
	defer st.close()
	const n = 16<<20 + 12345 // not a multiple of the chunk
	var d time.Duration
	mallocs, _, err := memDelta(func() error {
		var err error
		d, err = st.transfer(n)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	if d <= 0 {
		t.Fatalf("transfer took %v", d)
	}
	// The stream must be exactly n bytes long: a second transfer starts
	// where the first ended, and nothing is left over after it.
	if _, err := st.transfer(1000); err != nil {
		t.Fatal(err)
	}
	server.SetReadDeadline(time.Now().Add(50 * time.Millisecond))
	if k, err := server.Read(make([]byte, 1)); k != 0 || err == nil {
		t.Fatalf("a byte more than was sent: %d, %v", k, err)
	}
	t.Logf("%d bytes in %v: %.2f Gbit/s, %.1f allocs/MB", n, d, n*8/d.Seconds()/1e9, float64(mallocs)/(n/1e6))
}

// testRR checks that the echo round trip returns the request.
func testRR(t *testing.T, k kind) {
	_, client, server := connect(t, k)
	setNoDelay(client)
	go echoServer(server)
	client.SetDeadline(time.Now().Add(time.Minute))
	req := make([]byte, rrSize)
	resp := make([]byte, rrSize)
	start := time.Now()
	const n = 2000
	for i := range n {
		for j := range req {
			req[j] = byte(i + j)
		}
		if err := roundTrip(client, req, resp); err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(req, resp) {
			t.Fatalf("round trip %d: got %x, want %x", i, resp, req)
		}
	}
	t.Logf("%d round trips: %.0f rt/s", n, n/time.Since(start).Seconds())
}

// testIdle opens a few hundred idle connections and checks that the heap
// grew by something plausible for each.
func testIdle(t *testing.T, k kind) {
	ns := newNet(t, k)
	const n = 300
	res, err := openIdle(ns, k, n)
	check(t, err)
	if res.pairs != n {
		t.Fatalf("measured %d pairs, want %d", res.pairs, n)
	}
	// Two net.Conn values a pair, each at least a few words, however lean
	// the stack; and a pair should not cost a megabyte idle.
	if res.heapPerPair < 32 || res.heapPerPair > 1<<20 {
		t.Fatalf("heap per pair %.0f bytes is implausible", res.heapPerPair)
	}
	t.Logf("%d pairs: %.0f B heap and %.0f B stack per pair, set up in %v", n, res.heapPerPair, res.stackPerPair, res.setup)
}

func TestParseSize(t *testing.T) {
	for _, c := range []struct {
		in   string
		want int64
	}{
		{"1024", 1024}, {"64k", 64 << 10}, {"256M", 256 << 20}, {"256MiB", 256 << 20},
		{"1G", 1 << 30}, {"1GiB", 1 << 30}, {"1gb", 1 << 30},
	} {
		got, err := parseSize(c.in)
		if err != nil || got != c.want {
			t.Errorf("parseSize(%q) = %d, %v; want %d", c.in, got, err, c.want)
		}
	}
	if _, err := parseSize("lots"); err == nil {
		t.Error("parseSize(\"lots\") did not fail")
	}
}

// testFamily checks that a connection of k runs over k's family between
// the addresses the harness gave it, not over the other family or
// IPv4-mapped addresses.
func testFamily(t *testing.T, k kind) {
	_, client, server := connect(t, k)
	wantSrv, wantCli := k.fam.srv.Addr(), k.fam.cli.Addr()
	if k.name == loopbackName {
		wantSrv, wantCli = k.fam.loopback, k.fam.loopback
	}
	for _, c := range []struct {
		what string
		addr net.Addr
		want netip.Addr
	}{
		{"client's remote address", client.RemoteAddr(), wantSrv},
		{"client's local address", client.LocalAddr(), wantCli},
		{"server's remote address", server.RemoteAddr(), wantCli},
		{"server's local address", server.LocalAddr(), wantSrv},
	} {
		ap, err := netip.ParseAddrPort(c.addr.String())
		if err != nil {
			t.Fatalf("%s %q: %v", c.what, c.addr, err)
		}
		if ap.Addr() != c.want {
			t.Errorf("%s is %v, want %v", c.what, ap.Addr(), c.want)
		}
	}
}

func TestParseFamilies(t *testing.T) {
	for _, c := range []struct {
		in   string
		want string
	}{
		{"ipv4", "ipv4"}, {"ipv6", "ipv6"}, {"ipv6,ipv4", "ipv4 ipv6"}, {"IPv4 ipv6", "ipv4 ipv6"},
	} {
		fams, err := parseFamilies(c.in)
		var names []string
		for _, f := range fams {
			names = append(names, f.name)
		}
		if got := strings.Join(names, " "); err != nil || got != c.want {
			t.Errorf("parseFamilies(%q) = %q, %v; want %q", c.in, got, err, c.want)
		}
	}
	for _, in := range []string{"ipv5", ",", "ipv4,ip"} {
		if _, err := parseFamilies(in); err == nil {
			t.Errorf("parseFamilies(%q) did not fail", in)
		}
	}
}
