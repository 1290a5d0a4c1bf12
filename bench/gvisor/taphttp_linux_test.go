package gvisorbench

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/netip"
	"os/exec"
	"regexp"
	"strconv"
	"testing"
	"time"
)

// Small-request HTTP: wrk (-t2 -c50, keep-alive) in the kernel's
// namespace against net/http served on the row's stack, every request
// answered by helloHandler.

// tapHTTPPort is where the row's HTTP server listens.
const tapHTTPPort = 8080

// hello is every response's body: 13 bytes.
var hello = []byte("hello, world\n")

// helloHandler is the handler every row serves, the same code on every
// stack.
func helloHandler(w http.ResponseWriter, _ *http.Request) {
	// A fixed content type spares net/http sniffing the body.
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.Write(hello)
}

// httpResult is one HTTP run's figure, as wrk counts it.
type httpResult struct {
	requests int64
	elapsed  time.Duration
	// errors is wrk's socket errors (connect, read, write, timeout) and
	// responses other than 2xx or 3xx.
	errors int64
	// cpu is the user+system time of this process, the server's, over
	// wrk's run.
	cpu time.Duration
}

func (r httpResult) rate() float64 { return float64(r.requests) / r.elapsed.Seconds() }

// cpuPerRequest is the server's CPU microseconds per request.
func (r httpResult) cpuPerRequest() float64 {
	return float64(r.cpu.Microseconds()) / float64(r.requests)
}

func reportHTTP(t *testing.T, print bool, row string, r httpResult) {
	t.Helper()
	line := fmt.Sprintf("tapbench-http: %s %.0f req/s %.2f cpu-us/req %d requests %.3f s %d errors",
		row, r.rate(), r.cpuPerRequest(), r.requests, r.elapsed.Seconds(), r.errors)
	if print {
		fmt.Println(line)
	}
	t.Log(line)
}

var (
	wrkRequests = regexp.MustCompile(`(?m)^\s*(\d+) requests in ([0-9.]+)(us|ms|s|m),`)
	wrkSocket   = regexp.MustCompile(`Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)`)
	wrkNon2xx   = regexp.MustCompile(`Non-2xx or 3xx responses: (\d+)`)
)

// httpMeasure serves helloHandler on env's stack and runs wrk against it
// from the kernel's namespace for d. Errors wrk counts fail the
// measurement.
func httpMeasure(env *tapEnv, d time.Duration) (httpResult, error) {
	addr := netip.AddrPortFrom(env.local, tapHTTPPort)
	ln, err := env.listenTCP(addr)
	if err != nil {
		return httpResult{}, fmt.Errorf("listen %v: %w", addr, err)
	}
	srv := &http.Server{Handler: http.HandlerFunc(helloHandler), ReadHeaderTimeout: 10 * time.Second}
	served := make(chan error, 1)
	go func() { served <- srv.Serve(ln) }()
	defer func() {
		srv.Close()
		<-served
	}()
	ctx, cancel := context.WithTimeout(context.Background(), d+30*time.Second)
	defer cancel()
	cpu0 := processCPU()
	secs := max(1, int(d.Round(time.Second)/time.Second))
	out, err := exec.CommandContext(ctx, "ip", "netns", "exec", env.ns.Name,
		"wrk", "-t2", "-c50", "-d"+strconv.Itoa(secs)+"s", "http://"+addr.String()+"/").CombinedOutput()
	cpu := processCPU() - cpu0
	if err != nil {
		return httpResult{}, fmt.Errorf("wrk: %w: %s", err, out)
	}
	return parseWrk(out, cpu)
}

// parseWrk reads wrk's summary: the requests done and the time they
// took, and its error counts.
func parseWrk(out []byte, cpu time.Duration) (httpResult, error) {
	m := wrkRequests.FindSubmatch(out)
	if m == nil {
		return httpResult{}, fmt.Errorf("no request count in wrk's output: %s", out)
	}
	r := httpResult{cpu: cpu}
	r.requests, _ = strconv.ParseInt(string(m[1]), 10, 64)
	d, err := time.ParseDuration(string(m[2]) + string(m[3]))
	if err != nil {
		return r, fmt.Errorf("wrk's time: %w", err)
	}
	r.elapsed = d
	if m := wrkSocket.FindSubmatch(out); m != nil {
		for _, f := range m[1:] {
			n, _ := strconv.ParseInt(string(f), 10, 64)
			r.errors += n
		}
	}
	if m := wrkNon2xx.FindSubmatch(out); m != nil {
		n, _ := strconv.ParseInt(string(m[1]), 10, 64)
		r.errors += n
	}
	switch {
	case r.requests <= 0 || r.elapsed <= 0:
		return r, fmt.Errorf("wrk did no requests: %s", out)
	case r.errors > 0:
		return r, errors.New("wrk counted errors: " + string(out))
	}
	return r, nil
}
