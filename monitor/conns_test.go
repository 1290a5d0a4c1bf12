package monitor

import (
	"encoding/json"
	"errors"
	"expvar"
	"fmt"
	"net/http/httptest"
	"net/netip"
	"regexp"
	"strings"
	"testing"

	"github.com/medina-net/medina/link/pipe"
	"github.com/medina-net/medina/tcp"
)

// TestConnTable checks /conns on both ends of a connection: ss -tni's
// header, a line per connection with its state, queues and addresses,
// and ss's fields for what the connection did.
func TestConnTable(t *testing.T) {
	a, b := newPair(t, pipe.Config{})
	c := echo(t, b, 50000)
	defer c.Close()
	waitFor(t, "the echo to be acknowledged", func() bool { return c.Info().Unacked == 0 })
	ci := c.Info()
	rec := httptest.NewRecorder()
	New(b, Options{}).ServeHTTP(rec, httptest.NewRequest("GET", "/conns", nil))
	out := rec.Body.String()
	lines := strings.Split(strings.TrimSuffix(out, "\n"), "\n")
	if len(lines) != 3 {
		t.Fatalf("%d lines:\n%s", len(lines), out)
	}
	if f := strings.Fields(lines[0]); strings.Join(f, " ") != "State Recv-Q Send-Q Local Address:Port Peer Address:Port" {
		t.Errorf("header %q", lines[0])
	}
	want := []string{"ESTAB", "0", "0", ci.Local.String(), "10.0.0.1:80"}
	if f := strings.Fields(lines[1]); strings.Join(f, " ") != strings.Join(want, " ") {
		t.Errorf("connection line %q, want the fields %v", lines[1], want)
	}
	if !strings.HasPrefix(lines[2], "\t ts sack cubic wscale:7,7 rto:") {
		t.Errorf("internals line %q", lines[2])
	}
	for _, re := range []string{` rtt:[0-9.e-]+/[0-9.e-]+ `, ` mss:1448 `, ` pmtu:1500 `, ` advmss:1460 `, ` cwnd:\d+ `,
		` bytes_sent:50000 `, ` bytes_acked:50000 `, ` bytes_received:50000 `, ` segs_out:\d+ `, ` segs_in:\d+ `,
		` data_segs_out:\d+ `, ` send [0-9.]+[kMG]?bps `, ` lastsnd:\d+ `, ` lastack:\d+ `, ` rcv_space:\d+ `,
		` minrtt:[0-9.e-]+ `, ` snd_wnd:\d+ `, ` rcv_wnd:\d+$`} {
		if !regexp.MustCompile(re).MatchString(lines[2]) {
			t.Errorf("no %q in %q", re, lines[2])
		}
	}

	// The server's listener.
	rec = httptest.NewRecorder()
	New(a, Options{}).ServeHTTP(rec, httptest.NewRequest("GET", "/conns", nil))
	if f := strings.Fields(strings.Split(rec.Body.String(), "\n")[1]); strings.Join(f, " ") != "LISTEN 0 4096 10.0.0.1:80 0.0.0.0:*" {
		t.Errorf("server's table:\n%s", rec.Body.String())
	}

	// A connection closing: its state as ss names it.
	c.Close()
	waitFor(t, "the close", func() bool { return a.NumTCPConns() == 0 })
	var sb strings.Builder
	if err := New(b, Options{}).WriteConns(&sb); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(sb.String(), "\nTIME-WAIT ") {
		t.Errorf("after the close:\n%s", sb.String())
	}
}

// TestConnTableStates formats a connection in every state, with the
// fields that appear only when set.
func TestConnTableStates(t *testing.T) {
	var infos []tcp.Info
	for s := range tcp.NumStates {
		infos = append(infos, tcp.Info{State: tcp.State(s), CongestionControl: "newreno", MSS: 1000,
			CongestionWindow: 10000, SlowStartThreshold: 5000, Backoff: 2, TotalRetrans: 7, Unacked: 3000,
			SACKed: 1500, NotSent: 10, OutOfOrderIn: 4, BytesRetrans: 99, DeliveryRate: 125000,
			LastDataSent: -1, LastDataRecv: -1, LastAckRecv: -1})
	}
	var sb strings.Builder
	WriteConnTable(&sb, []tcp.ListenerInfo{{Local: netip.MustParseAddrPort("[::]:443"), AcceptQueue: 1, AcceptBacklog: 4096}}, infos)
	out := sb.String()
	if f := strings.Fields(strings.Split(out, "\n")[1]); strings.Join(f, " ") != "LISTEN 1 4096 [::]:443 [::]:*" {
		t.Errorf("listener line %q", f)
	}
	for _, st := range []string{"UNCONN", "SYN-SENT", "SYN-RECV", "ESTAB", "FIN-WAIT-1", "FIN-WAIT-2", "CLOSE-WAIT", "CLOSING", "LAST-ACK", "TIME-WAIT"} {
		if !strings.Contains(out, "\n"+st+" ") {
			t.Errorf("no %s", st)
		}
	}
	for _, f := range []string{" newreno rto:0 backoff:2 rtt:0/0 mss:1000 pmtu:0 cwnd:10 ssthresh:5 ", " bytes_retrans:99 ",
		" delivery_rate 1.0Mbps unacked:3 retrans:2/7 sacked:2 ofo_in:4 notsent:10 minrtt:0 snd_wnd:0 rcv_wnd:0\n"} {
		if !strings.Contains(out, f) {
			t.Errorf("no %q in\n%s", f, out)
		}
	}
	if strings.Contains(out, "lastsnd") || !strings.Contains(out, "bytes_received:0 segs") {
		t.Errorf("fields for what never happened:\n%s", out)
	}
}

// TestVars checks /vars and the expvar variable: JSON that decodes back
// into Vars, with the stack's counters and its connection.
func TestVars(t *testing.T) {
	_, b := newPair(t, pipe.Config{})
	c := echo(t, b, 1000)
	defer c.Close()
	m := New(b, Options{})
	name := fmt.Sprintf("medina_test_%p", m)
	if err := m.Publish(name); err != nil {
		t.Fatal(err)
	}
	if err := m.Publish(name); !errors.Is(err, ErrPublished) {
		t.Errorf("publishing twice: %v", err)
	}
	if err := Publish(name, b); !errors.Is(err, ErrPublished) {
		t.Errorf("publishing the stack under a taken name: %v", err)
	}
	if err := Publish(name+"_2", b); err != nil || expvar.Get(name+"_2") == nil {
		t.Errorf("Publish: %v", err)
	}
	for _, src := range []string{"expvar", "/vars"} {
		var raw string
		if src == "expvar" {
			raw = expvar.Get(name).String()
		} else {
			rec := httptest.NewRecorder()
			m.ServeHTTP(rec, httptest.NewRequest("GET", "/vars", nil))
			raw = rec.Body.String()
		}
		var v Vars
		if err := json.Unmarshal([]byte(raw), &v); err != nil {
			t.Fatalf("%s: %v\n%s", src, err, raw)
		}
		if v.TCP.ActiveOpens != 1 || v.Stats.Link.OutFrames == 0 || len(v.Conns) != 1 {
			t.Errorf("%s: %+v", src, v)
			continue
		}
		if i := v.Conns[0]; i.State != tcp.StateEstablished || i.Remote.String() != "10.0.0.1:80" || i.BytesAcked != 1000 {
			t.Errorf("%s: connection %+v", src, i)
		}
		if !strings.Contains(raw, `"State":"ESTABLISHED"`) && !strings.Contains(raw, `"State": "ESTABLISHED"`) {
			t.Errorf("%s: the state is not written by name", src)
		}
	}
}
