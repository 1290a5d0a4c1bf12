package monitor

import (
	"bufio"
	"bytes"
	"math"
	"net/http/httptest"
	"os"
	"reflect"
	"regexp"
	"strings"
	"testing"

	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"

	"github.com/medina-net/medina/link/pipe"
	"github.com/medina-net/medina/stack"
	"github.com/medina-net/medina/tcp"
)

// scrape serves /metrics and parses it with Prometheus's own parser.
func scrape(t *testing.T, m *Monitor) (map[string]*dto.MetricFamily, string) {
	t.Helper()
	rec := httptest.NewRecorder()
	m.ServeHTTP(rec, httptest.NewRequest("GET", "/metrics", nil))
	if ct := rec.Header().Get("Content-Type"); ct != ContentType {
		t.Errorf("Content-Type %q", ct)
	}
	body := rec.Body.String()
	p := expfmt.NewTextParser(model.LegacyValidation)
	fams, err := p.TextToMetricFamilies(strings.NewReader(body))
	if err != nil {
		t.Fatalf("the exposition does not parse: %v\n%s", err, body)
	}
	return fams, body
}

// value returns the value of the sample of family name whose labels
// include those given ("k", "v", ...), failing the test if there is none.
func value(t *testing.T, fams map[string]*dto.MetricFamily, name string, labels ...string) float64 {
	t.Helper()
	f := fams[name]
	if f == nil {
		t.Fatalf("no family %s", name)
	}
next:
	for _, m := range f.Metric {
		for i := 0; i+1 < len(labels); i += 2 {
			found := false
			for _, lp := range m.Label {
				if lp.GetName() == labels[i] && lp.GetValue() == labels[i+1] {
					found = true
				}
			}
			if !found {
				continue next
			}
		}
		switch f.GetType() {
		case dto.MetricType_COUNTER:
			return m.Counter.GetValue()
		case dto.MetricType_GAUGE:
			return m.Gauge.GetValue()
		}
	}
	t.Fatalf("no sample of %s with labels %v", name, labels)
	return 0
}

// intFields counts the integer fields of a counters struct, nested ones
// included: one family each.
func intFields(v reflect.Type) int {
	n := 0
	for i := range v.NumField() {
		switch f := v.Field(i); f.Type.Kind() {
		case reflect.Struct:
			n += intFields(f.Type)
		case reflect.Uint64, reflect.Int64, reflect.Int, reflect.Uint:
			n++
		}
	}
	return n
}

// TestMetrics scrapes a stack that served a connection and checks with
// Prometheus's parser that the exposition is valid, has a family for
// every counter of Stats and TCPStats with the right type, and reports
// what the stack and the connection did.
func TestMetrics(t *testing.T) {
	a, b := newPair(t, pipe.Config{})
	c := echo(t, b, 100000)
	defer c.Close()
	ma, mb := New(a, Options{}), New(b, Options{})
	ci := c.Info()
	waitFor(t, "the echo to be acknowledged", func() bool { ci = c.Info(); return ci.Unacked == 0 })
	fams, body := scrape(t, mb)

	stats := 0
	for name, f := range fams {
		if !strings.HasPrefix(name, "medina_") {
			t.Errorf("family %s outside the namespace", name)
		}
		if f.GetHelp() == "" {
			t.Errorf("%s has no help", name)
		}
		counter := strings.HasSuffix(name, "_total")
		if typ := f.GetType(); counter && typ != dto.MetricType_COUNTER || !counter && typ != dto.MetricType_GAUGE {
			t.Errorf("%s is a %v", name, typ)
		}
		if !strings.HasPrefix(name, "medina_tcp_conn") && !strings.HasPrefix(name, "medina_capture_") &&
			!strings.HasPrefix(name, "medina_tcp_listener_") && name != "medina_tcp_connections" {
			stats++
		}
	}
	if want := intFields(reflect.TypeFor[stack.Stats]()) + intFields(reflect.TypeFor[tcp.Stats]()); stats != want {
		t.Errorf("%d families of counters, want one for each of the %d fields", stats, want)
	}

	// The client's counters as the stack has them. Nothing moves once
	// the echo is acknowledged.
	ts := b.TCPStats()
	st := b.Stats()
	for _, x := range []struct {
		name string
		want uint64
	}{
		{"medina_tcp_active_opens_total", 1},
		{"medina_tcp_passive_opens_total", 0},
		{"medina_tcp_curr_estab", 1},
		{"medina_tcp_in_segs_total", ts.InSegs},
		{"medina_tcp_out_segs_total", ts.OutSegs},
		{"medina_ip_out_requests_total", st.IP.OutRequests},
		{"medina_ip_in_delivers_total", st.IP.InDelivers},
		{"medina_link_out_frames_total", st.Link.OutFrames},
		{"medina_arp_out_requests_total", st.ARP.OutRequests},
		{"medina_ipv6_reasm_oks_total", 0},
		{"medina_tcp_memory_bytes", ts.MemoryBytes},
	} {
		if got := value(t, fams, x.name); got != float64(x.want) {
			t.Errorf("%s = %v, want %d", x.name, got, x.want)
		}
	}
	if ts.InSegs == 0 || st.Link.OutFrames == 0 {
		t.Fatal("no traffic counted")
	}

	// The connection's own series, labelled by its addresses.
	local, remote := ci.Local.String(), ci.Remote.String()
	lbl := []string{"local", local, "remote", remote}
	if got := value(t, fams, "medina_tcp_conn_acked_bytes_total", lbl...); got != 100000 {
		t.Errorf("acked bytes %v, want 100000", got)
	}
	if got := value(t, fams, "medina_tcp_conn_received_bytes_total", lbl...); got != 100000 {
		t.Errorf("received bytes %v, want 100000", got)
	}
	if got := value(t, fams, "medina_tcp_conn_info", append(lbl, "state", "ESTABLISHED", "cc", "cubic")...); got != 1 {
		t.Errorf("info %v", got)
	}
	if got := value(t, fams, "medina_tcp_conn_rtt_seconds", lbl...); got < 0 || got > 1 {
		t.Errorf("rtt %v s", got)
	}
	if got := value(t, fams, "medina_tcp_conn_mss_bytes", lbl...); got != float64(ci.MSS) {
		t.Errorf("mss %v, want %d", got, ci.MSS)
	}
	if got := value(t, fams, "medina_tcp_connections", "state", "ESTABLISHED"); got != 1 {
		t.Errorf("%v connections established", got)
	}
	if n := len(fams["medina_tcp_connections"].Metric); n != tcp.NumStates {
		t.Errorf("%d states counted", n)
	}

	// The server: the passive open, its side of the connection.
	fa, _ := scrape(t, ma)
	if got := value(t, fa, "medina_tcp_listener_accept_backlog", "local", "10.0.0.1:80"); got != float64(tcp.DefaultAcceptBacklog) {
		t.Errorf("server's accept backlog %v", got)
	}
	if got := value(t, fa, "medina_tcp_listener_accept_queue", "local", "10.0.0.1:80"); got != 0 {
		t.Errorf("server's accept queue %v", got)
	}
	if got := value(t, fa, "medina_tcp_passive_opens_total"); got != 1 {
		t.Errorf("server's passive opens %v", got)
	}
	if got := value(t, fa, "medina_tcp_conn_received_bytes_total", "local", remote, "remote", local); got != 100000 {
		t.Errorf("server received %v", got)
	}
	if t.Failed() {
		t.Log(body)
	}
}

// TestMetricsMaxConns checks that the per-connection series stay within
// Options.MaxConns, keeping the busiest connections, and count the
// others.
func TestMetricsMaxConns(t *testing.T) {
	a, b := newPair(t, pipe.Config{})
	var conns []*tcp.Conn
	for i := range 5 {
		c := echo(t, b, 1000*(i+1))
		defer c.Close()
		conns = append(conns, c)
	}
	_, body := scrape(t, New(b, Options{MaxConns: 2}))
	fams, _ := scrape(t, New(b, Options{MaxConns: 2}))
	if n := len(fams["medina_tcp_conn_rtt_seconds"].Metric); n != 2 {
		t.Errorf("%d connections' series, want 2", n)
	}
	if got := value(t, fams, "medina_tcp_conn_omitted"); got != 3 {
		t.Errorf("omitted %v, want 3", got)
	}
	// The busiest: the last two, which echoed the most.
	for _, c := range conns[3:] {
		i := c.Info()
		value(t, fams, "medina_tcp_conn_acked_bytes_total", "local", i.Local.String(), "remote", i.Remote.String())
	}
	if fams, _ = scrape(t, New(a, Options{MaxConns: -1})); fams["medina_tcp_conn_rtt_seconds"] != nil {
		t.Error("MaxConns -1 still shows connections")
	}
	if t.Failed() {
		t.Log(body)
	}
}

// TestGaugesDocumented reads the counters' declarations and checks that
// every field documented as a gauge is exposed as one, and that the
// gauges table names only fields that exist.
func TestGaugesDocumented(t *testing.T) {
	field := regexp.MustCompile(`^\s+([A-Z]\w*)\s+u?int\d*\b.*gauge`)
	section := regexp.MustCompile(`^type (\w*)Stats struct`)
	sections := map[string]string{"Link": "Link", "ARP": "ARP", "IP": "IP", "ICMP": "ICMP", "UDP": "UDP",
		"IPv6": "IPv6", "ICMPv6": "ICMPv6", "NDP": "NDP"}
	documented := map[string]bool{}
	for _, file := range []string{"../stack/stats.go", "../tcp/stats.go"} {
		f, err := os.Open(file)
		if err != nil {
			t.Fatal(err)
		}
		cur := ""
		sc := bufio.NewScanner(f)
		for sc.Scan() {
			line := sc.Text()
			if m := section.FindStringSubmatch(line); m != nil {
				cur = sections[m[1]]
				if strings.HasPrefix(file, "../tcp") {
					cur = "TCP"
				}
			}
			if m := field.FindStringSubmatch(line); m != nil && cur != "" {
				documented[cur+"."+m[1]] = true
			}
		}
		f.Close()
	}
	for g := range documented {
		if !gauges[g] {
			t.Errorf("%s is documented as a gauge but exposed as a counter", g)
		}
	}
	st := reflect.TypeFor[stack.Stats]()
	for g := range gauges {
		sec, name, _ := strings.Cut(g, ".")
		typ := reflect.TypeFor[tcp.Stats]()
		if sec != "TCP" {
			f, ok := st.FieldByName(sec)
			if !ok {
				t.Errorf("gauge %s: no section %s", g, sec)
				continue
			}
			typ = f.Type
		}
		if _, ok := typ.FieldByName(name); !ok {
			t.Errorf("gauge %s names no field", g)
		}
	}
	if len(documented) < 3 {
		t.Errorf("found only %v documented as gauges: the scan is broken", documented)
	}
}

// TestSnake checks the names made of Go fields, on the hard cases and
// on every field: lower-case words joined by single underscores, all
// distinct.
func TestSnake(t *testing.T) {
	for in, want := range map[string]string{
		"InReceives": "in_receives", "InCsumErrors": "in_csum_errors", "PMTUEntries": "pmtu_entries",
		"ReasmOKs": "reasm_oks", "ICMPv6": "icmpv6", "IPv6": "ipv6", "UDP6": "udp6", "SYNCookiesOK": "syn_cookies_ok",
		"DelayedACKs": "delayed_acks", "OFODrops": "ofo_drops", "InMLD": "in_mld", "InNDPInvalid": "in_ndp_invalid",
		"ICMPOutOfWindow": "icmp_out_of_window", "TCP": "tcp", "ARP": "arp", "OutSuperFrames": "out_super_frames",
	} {
		if got := snake(in); got != want {
			t.Errorf("snake(%s) = %s, want %s", in, got, want)
		}
	}
	good := regexp.MustCompile(`^[a-z][a-z0-9]*(_[a-z0-9]+)*$`)
	seen := map[string]string{}
	var walk func(prefix string, typ reflect.Type)
	walk = func(prefix string, typ reflect.Type) {
		for i := range typ.NumField() {
			f := typ.Field(i)
			name := prefix + snake(f.Name)
			if f.Type.Kind() == reflect.Struct {
				walk(name+"_", f.Type)
				continue
			}
			if !good.MatchString(name) {
				t.Errorf("%s: bad name %s", f.Name, name)
			}
			if other, dup := seen[name]; dup {
				t.Errorf("%s and %s are both %s", other, f.Name, name)
			}
			seen[name] = f.Name
		}
	}
	walk("", reflect.TypeFor[stack.Stats]())
	walk("tcp_", reflect.TypeFor[tcp.Stats]())
}

// TestEscaping checks label values and help texts with the characters
// the format escapes, through the real parser.
func TestEscaping(t *testing.T) {
	p := promWriter{ns: "x"}
	p.family("a", "gauge", `help with \ and`+"\nnewline")
	p.sample("a", `{v="`+escapeLabel(`q"b\n`+"\n")+`"}`, 1.5)
	p.sample("a", `{v="inf"}`, math.Inf(1))
	parser := expfmt.NewTextParser(model.LegacyValidation)
	fams, err := parser.TextToMetricFamilies(bytes.NewReader(p.b))
	if err != nil {
		t.Fatalf("%v\n%s", err, p.b)
	}
	f := fams["x_a"]
	if f.GetHelp() != `help with \ and`+"\nnewline" {
		t.Errorf("help %q", f.GetHelp())
	}
	if v := f.Metric[0].Label[0].GetValue(); v != `q"b\n`+"\n" {
		t.Errorf("label %q", v)
	}
	if f.Metric[0].Gauge.GetValue() != 1.5 || f.Metric[1].Gauge.GetValue() <= 1e308 {
		t.Errorf("values %v %v", f.Metric[0].Gauge.GetValue(), f.Metric[1].Gauge.GetValue())
	}
}
