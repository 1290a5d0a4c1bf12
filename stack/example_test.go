package stack_test

import (
	"context"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"net/netip"

	"github.com/medina-net/medina/link/pipe"
	"github.com/medina-net/medina/stack"
)

// Two stacks joined by an in-memory link: one serves HTTP with net/http,
// unchanged, on a listener of the stack's; the other fetches a page with
// an http.Client whose transport dials through its stack. Neither touches
// the host's network.
func Example() {
	a, b := pipe.New(pipe.Config{})
	server, err := stack.New(a, stack.Config{Addr: netip.MustParsePrefix("10.0.0.1/24")})
	if err != nil {
		log.Fatal(err)
	}
	defer server.Close()
	client, err := stack.New(b, stack.Config{Addr: netip.MustParsePrefix("10.0.0.2/24")})
	if err != nil {
		log.Fatal(err)
	}
	defer client.Close()

	ln, err := server.Listen("tcp", ":80")
	if err != nil {
		log.Fatal(err)
	}
	srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		host, _, _ := net.SplitHostPort(r.RemoteAddr)
		fmt.Fprintf(w, "hello %s, from %s\n", host, r.Host)
	})}
	go srv.Serve(ln)
	defer srv.Shutdown(context.Background())

	hc := &http.Client{Transport: &http.Transport{DialContext: client.DialContext}}
	defer hc.CloseIdleConnections()
	resp, err := hc.Get("http://10.0.0.1/")
	if err != nil {
		log.Fatal(err)
	}
	body, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err != nil {
		log.Fatal(err)
	}
	fmt.Print(resp.Status, "\n", string(body))
	// Output:
	// 200 OK
	// hello 10.0.0.2, from 10.0.0.1
}
