package tls

import (
	"bufio"
	"bytes"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// sxHTTP parses a direction's decrypted HTTP/1.1: the requests of the
// client's plaintext, the responses (with their bodies read) of the
// server's.
func sxHTTP(t *testing.T, client, server []byte) ([]*http.Request, []*http.Response, []int) {
	t.Helper()
	var reqs []*http.Request
	cr := bufio.NewReader(bytes.NewReader(client))
	for {
		req, err := http.ReadRequest(cr)
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatalf("request %d: %v", len(reqs)+1, err)
		}
		io.Copy(io.Discard, req.Body)
		reqs = append(reqs, req)
	}
	var resps []*http.Response
	var bodies []int
	sr := bufio.NewReader(bytes.NewReader(server))
	for i := 0; ; i++ {
		if _, err := sr.Peek(1); err == io.EOF {
			break
		}
		var req *http.Request
		if i < len(reqs) {
			req = reqs[i]
		}
		resp, err := http.ReadResponse(sr, req)
		if err != nil {
			t.Fatalf("response %d: %v", i+1, err)
		}
		n, err := io.Copy(io.Discard, resp.Body)
		if err != nil {
			t.Fatalf("response %d body: %v", i+1, err)
		}
		resps = append(resps, resp)
		bodies = append(bodies, int(n))
	}
	return reqs, resps, bodies
}

// zeekHTTPLog reads the records of a Zeek http.log as field maps.
func zeekHTTPLog(t *testing.T, path string) []map[string]string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var fields []string
	var out []map[string]string
	for _, line := range strings.Split(string(b), "\n") {
		if f, ok := strings.CutPrefix(line, "#fields\t"); ok {
			fields = strings.Split(f, "\t")
			continue
		}
		if line == "" || line[0] == '#' {
			continue
		}
		m := map[string]string{}
		for i, v := range strings.Split(line, "\t") {
			if i < len(fields) {
				m[fields[i]] = v
			}
		}
		out = append(out, m)
	}
	return out
}

// TestZeekDecryption decrypts Zeek's two TLS 1.2 traces with key logs
// (TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384) and checks the HTTP inside:
// against Zeek's http.log for the first, and as well-formed HTTP/1.1
// whose byte counts match tshark's (Wireshark 4.0.17 "follow,tls") for
// the second.
func TestZeekDecryption(t *testing.T) {
	traces := filepath.Join(illustratedDir(t, "tls13"), "..", "zeek", "traces")
	t.Run("tls12-decryption", func(t *testing.T) {
		kl := readKeyLogFile(t, filepath.Join(traces, "tls12-decryption.keylog"))
		conns := sxConns(t, filepath.Join(traces, "tls12-decryption.pcap"))
		if len(conns) != 1 {
			t.Fatalf("%d connections", len(conns))
		}
		s, r := newRecordedSession(kl)
		conns[0].feed(s)
		for _, e := range r.errs() {
			t.Errorf("error event: %v", e)
		}
		if n := len(r.plain[FromClient]); n != 323 {
			t.Errorf("client plaintext %d bytes, want 323", n)
		}
		if n := len(r.plain[FromServer]); n != 602 {
			t.Errorf("server plaintext %d bytes, want 602", n)
		}
		reqs, resps, bodies := sxHTTP(t, r.plain[FromClient], r.plain[FromServer])
		logs := zeekHTTPLog(t, filepath.Join(traces, "..", "baselines", "scripts.policy.protocols.ssl.decryption", "http.log"))
		if len(reqs) != len(logs) || len(resps) != len(logs) {
			t.Fatalf("%d requests, %d responses; http.log has %d", len(reqs), len(resps), len(logs))
		}
		for i, l := range logs {
			req, resp := reqs[i], resps[i]
			for _, c := range [][2]string{
				{req.Method, l["method"]}, {req.Host, l["host"]}, {req.RequestURI, l["uri"]},
				{strconv.Itoa(req.ProtoMajor) + "." + strconv.Itoa(req.ProtoMinor), l["version"]},
				{req.UserAgent(), l["user_agent"]},
				{strconv.Itoa(resp.StatusCode), l["status_code"]},
				{strings.TrimPrefix(resp.Status, strconv.Itoa(resp.StatusCode)+" "), l["status_msg"]},
				{strconv.Itoa(bodies[i]), l["response_body_len"]},
			} {
				if c[0] != c[1] {
					t.Errorf("transaction %d: %q, http.log says %q", i+1, c[0], c[1])
				}
			}
		}
	})
	t.Run("tls-1.2-stream-keylog", func(t *testing.T) {
		kl := readKeyLogFile(t, filepath.Join(traces, "tls-1.2-stream-keylog.keylog"))
		conns := sxConns(t, filepath.Join(traces, "tls-1.2-stream-keylog.pcap"))
		if len(conns) != 1 {
			t.Fatalf("%d connections", len(conns))
		}
		s, r := newRecordedSession(kl)
		conns[0].feed(s)
		for _, e := range r.errs() {
			t.Errorf("error event: %v", e)
		}
		if c, sv := len(r.plain[FromClient]), len(r.plain[FromServer]); c != 9715 || sv != 147270 {
			t.Errorf("plaintext %d / %d bytes, tshark decrypts 9715 / 147270", c, sv)
		}
		reqs, resps, _ := sxHTTP(t, r.plain[FromClient], r.plain[FromServer])
		codes := map[int]int{}
		for _, resp := range resps {
			codes[resp.StatusCode]++
		}
		if len(reqs) != 16 || len(resps) != 16 || codes[200] != 14 || codes[304] != 2 {
			t.Errorf("%d requests, %d responses %v; tshark sees 16, 16 (14 200, 2 304)", len(reqs), len(resps), codes)
		}
		if sum := s.Summary(); sum.Failed != [2]int{} || sum.Decrypted[FromServer] != sum.Encrypted[FromServer] {
			t.Errorf("summary %+v", sum)
		}
	})
}
