package monitor_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"strings"

	"github.com/medina-net/medina/dump"
	"github.com/medina-net/medina/link/pipe"
	"github.com/medina-net/medina/monitor"
	"github.com/medina-net/medina/pcap"
	"github.com/medina-net/medina/stack"
)

// A web server on a stack, and its monitor on another mux: in a program
// that mux would listen on a port of the host's (http.ListenAndServe on
// localhost:9090, say), or on a second port of the stack's. Here a
// client on a second stack fetches a page, and the server's metrics and
// connection table show the connection.
func Example() {
	da, db := pipe.New(pipe.Config{})
	server, err := stack.New(da, stack.Config{Addr: netip.MustParsePrefix("10.0.0.1/24")})
	if err != nil {
		panic(err)
	}
	defer server.Close()
	client, err := stack.New(db, stack.Config{Addr: netip.MustParsePrefix("10.0.0.2/24")})
	if err != nil {
		panic(err)
	}
	defer client.Close()

	l, err := server.Listen("tcp", "10.0.0.1:80")
	if err != nil {
		panic(err)
	}
	go http.Serve(l, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, "hello\n")
	}))

	debug := http.NewServeMux()
	debug.Handle("/debug/", http.StripPrefix("/debug", monitor.New(server, monitor.Options{})))

	web := &http.Client{Transport: &http.Transport{DialContext: client.DialContext}}
	resp, err := web.Get("http://10.0.0.1/")
	if err != nil {
		panic(err)
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()

	get := func(path string) string {
		rec := httptest.NewRecorder()
		debug.ServeHTTP(rec, httptest.NewRequest("GET", path, nil))
		return rec.Body.String()
	}
	for _, line := range strings.Split(get("/debug/metrics"), "\n") {
		if strings.HasPrefix(line, "medina_tcp_passive_opens_total ") ||
			strings.HasPrefix(line, `medina_tcp_connections{state="ESTABLISHED"}`) {
			fmt.Println(line)
		}
	}
	// The connection table's first lines: the listener, and the
	// connection's state and addresses (the client's port, the queues
	// and the internals vary from run to run).
	table := strings.Split(get("/debug/conns"), "\n")
	fmt.Println(strings.Join(strings.Fields(table[0]), " "))
	fmt.Println(strings.Join(strings.Fields(table[1]), " "))
	f := strings.Fields(table[2])
	peer, _, _ := strings.Cut(f[4], ":")
	fmt.Println(f[0], f[3], peer)
	// Output:
	// medina_tcp_passive_opens_total 1
	// medina_tcp_connections{state="ESTABLISHED"} 1
	// State Recv-Q Send-Q Local Address:Port Peer Address:Port
	// LISTEN 0 4096 10.0.0.1:80 0.0.0.0:*
	// ESTAB 10.0.0.1:80 10.0.0.2
}

// A live capture as a Go program reads it: Capture writes pcapng to any
// io.Writer, here until the count of frames is reached; CaptureHandler
// serves the same over HTTP, as curl -N http://host/debug/pcap | tcpdump
// -nr - reads it.
func ExampleMonitor_Capture() {
	da, db := pipe.New(pipe.Config{})
	a, _ := stack.New(da, stack.Config{Addr: netip.MustParsePrefix("10.0.0.1/24"), NoGratuitousARP: true})
	defer a.Close()
	b, _ := stack.New(db, stack.Config{Addr: netip.MustParsePrefix("10.0.0.2/24"), NoGratuitousARP: true})
	defer b.Close()

	m := monitor.New(a, monitor.Options{})
	pr, pw := io.Pipe()
	go func() {
		_, err := m.Capture(context.Background(), pw, monitor.CaptureOptions{Filter: "icmp", Count: 2})
		pw.CloseWithError(err)
	}()
	r, err := pcap.NewReader(pr) // returns once the header is written: the capture runs
	if err != nil {
		panic(err)
	}
	if _, err := b.Ping(context.Background(), netip.MustParseAddr("10.0.0.1"), 56); err != nil {
		panic(err)
	}
	p := dump.New(nil, dump.Options{TimestampFormat: dump.NoTimestamp})
	for {
		pkt, err := r.Next()
		if err != nil {
			break
		}
		line := p.AppendPacket(nil, pkt)
		before, _, _ := strings.Cut(string(line), ", id") // the id and sequence number vary
		fmt.Println(before)
	}
	// Output:
	// IP 10.0.0.2 > 10.0.0.1: ICMP echo request
	// IP 10.0.0.1 > 10.0.0.2: ICMP echo reply
}
