package monitor

import (
	"io"
	"math"
	"net/http"
	"reflect"
	"strconv"
	"time"

	"github.com/medina-net/medina/tcp"
)

// The Prometheus text exposition format, version 0.0.4, by hand: a
// family is a "# HELP" line, a "# TYPE" line and its samples, one a line,
// "name{label="value",...} value". Counters' names end in _total.

// ContentType is what /metrics is served as: the text format's media
// type.
const ContentType = "text/plain; version=0.0.4; charset=utf-8"

// gauges are the fields of Stack.Stats and Stack.TCPStats that hold a
// level rather than a count, by their path in those structs (their doc
// comments say "a gauge", or "now"). Every other field is a counter.
var gauges = map[string]bool{
	"IP.PMTUEntries":  true,
	"NDP.Entries":     true,
	"TCP.CurrEstab":   true,
	"TCP.MemoryBytes": true,
}

// MetricsHandler returns the handler of /metrics: WriteMetrics's output,
// as ContentType.
func (m *Monitor) MetricsHandler() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", ContentType)
		m.WriteMetrics(w)
	})
}

// WriteMetrics writes the stack's metrics to w in the Prometheus text
// format: every counter of Stack.Stats as <namespace>_<section>_<field>,
// the counters of Stack.TCPStats as <namespace>_tcp_<field> (names in
// snake case, counters ending in _total), the connections by state
// (<namespace>_tcp_connections{state="ESTABLISHED"}), the series of each
// of the busiest Options.MaxConns connections (<namespace>_tcp_conn_*,
// labelled local and remote), and the live captures' counters. It
// writes once, and returns the Write's error.
func (m *Monitor) WriteMetrics(w io.Writer) error {
	p := promWriter{ns: m.opts.Namespace, b: make([]byte, 0, 32<<10)}
	p.structFields("", "", "Stack.Stats().", reflect.ValueOf(m.s.Stats()))
	p.structFields("tcp", "TCP.", "Stack.TCPStats().", reflect.ValueOf(m.s.TCPStats()))
	m.withConns(func(infos []tcp.Info, lis []tcp.ListenerInfo) {
		var states [tcp.NumStates]int
		for i := range infos {
			states[infos[i].State]++
		}
		p.family("tcp_connections", "gauge", "TCP connections in the stack's table, by state.")
		for st, n := range states {
			p.sample("tcp_connections", `{state="`+tcp.State(st).String()+`"}`, float64(n))
		}
		top, omitted := busiest(infos, m.opts.MaxConns)
		p.family("tcp_conn_omitted", "gauge", "TCP connections left out of the tcp_conn_ series (Options.MaxConns).")
		p.sample("tcp_conn_omitted", "", float64(omitted))
		p.conns(top)
		p.listeners(lis)
	})
	p.family("capture_active", "gauge", "Live captures running.")
	p.sample("capture_active", "", float64(m.captures.Load()))
	p.family("capture_streams_total", "counter", "Live captures started.")
	p.sample("capture_streams_total", "", float64(m.capturesServed.Load()))
	p.family("capture_frames_total", "counter", "Frames the live captures recorded.")
	p.sample("capture_frames_total", "", float64(m.captureFrames.Load()))
	p.family("capture_dropped_frames_total", "counter", "Frames the live captures dropped: their readers were too slow.")
	p.sample("capture_dropped_frames_total", "", float64(m.captureDrops.Load()))
	_, err := w.Write(p.b)
	return err
}

// promWriter builds the exposition.
type promWriter struct {
	ns string
	b  []byte
}

// family starts a family: its HELP and TYPE lines.
func (p *promWriter) family(name, typ, help string) {
	p.b = append(p.b, "# HELP "...)
	p.name(name)
	p.b = append(p.b, ' ')
	p.b = appendHelp(p.b, help)
	p.b = append(p.b, "\n# TYPE "...)
	p.name(name)
	p.b = append(p.b, ' ')
	p.b = append(p.b, typ...)
	p.b = append(p.b, '\n')
}

// sample writes one sample; labels is "" or "{...}", escaped.
func (p *promWriter) sample(name, labels string, v float64) {
	p.name(name)
	p.b = append(p.b, labels...)
	p.b = append(p.b, ' ')
	p.b = appendValue(p.b, v)
	p.b = append(p.b, '\n')
}

// name writes the namespace and a metric's name.
func (p *promWriter) name(name string) {
	p.b = append(p.b, p.ns...)
	p.b = append(p.b, '_')
	p.b = append(p.b, name...)
}

// structFields writes a family for each integer field of v, a struct of
// counters, recursing into structs: section_field, in snake case, with
// _total on counters. path is the field's path for the gauges table,
// doc the Go expression that reads it, for the help text.
func (p *promWriter) structFields(section, path, doc string, v reflect.Value) {
	t := v.Type()
	for i := range t.NumField() {
		f := t.Field(i)
		if !f.IsExported() {
			continue
		}
		name := snake(f.Name)
		if section != "" {
			name = section + "_" + name
		}
		fv := v.Field(i)
		var x float64
		switch fv.Kind() {
		case reflect.Struct:
			p.structFields(name, path+f.Name+".", doc+f.Name+".", fv)
			continue
		case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
			x = float64(fv.Uint())
		case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
			x = float64(fv.Int())
		default:
			continue
		}
		typ := "counter"
		if gauges[path+f.Name] {
			typ = "gauge"
		} else {
			name += "_total"
		}
		p.family(name, typ, doc+f.Name+".")
		p.sample(name, "", x)
	}
}

// connMetric is a per-connection family: its name (after tcp_conn_),
// type, help, and how to read it from an Info.
type connMetric struct {
	name, typ, help string
	value           func(*tcp.Info) float64
}

func seconds(d time.Duration) float64 { return d.Seconds() }

// connMetrics are the per-connection families, Info's fields.
var connMetrics = []connMetric{
	{"rtt_seconds", "gauge", "Smoothed round-trip time (RFC 6298 SRTT).", func(i *tcp.Info) float64 { return seconds(i.RTT) }},
	{"rtt_variance_seconds", "gauge", "Round-trip time variation (RFC 6298 RTTVAR).", func(i *tcp.Info) float64 { return seconds(i.RTTVar) }},
	{"min_rtt_seconds", "gauge", "Smallest round-trip time sample.", func(i *tcp.Info) float64 { return seconds(i.MinRTT) }},
	{"rto_seconds", "gauge", "Retransmission timeout.", func(i *tcp.Info) float64 { return seconds(i.RTO) }},
	{"backoff", "gauge", "Retransmission timeouts in a row of the oldest unacknowledged data.", func(i *tcp.Info) float64 { return float64(i.Backoff) }},
	{"mss_bytes", "gauge", "Payload of a full segment sent.", func(i *tcp.Info) float64 { return float64(i.MSS) }},
	{"path_mtu_bytes", "gauge", "Path MTU segments are sized for.", func(i *tcp.Info) float64 { return float64(i.PathMTU) }},
	{"cwnd_bytes", "gauge", "Congestion window.", func(i *tcp.Info) float64 { return float64(i.CongestionWindow) }},
	{"ssthresh_bytes", "gauge", "Slow start threshold (2147483647 before the first congestion event).", func(i *tcp.Info) float64 { return float64(i.SlowStartThreshold) }},
	{"send_window_bytes", "gauge", "The peer's receive window.", func(i *tcp.Info) float64 { return float64(i.SendWindow) }},
	{"receive_window_bytes", "gauge", "The receive window advertised.", func(i *tcp.Info) float64 { return float64(i.ReceiveWindow) }},
	{"unacked_bytes", "gauge", "Data in flight: sent, not acknowledged.", func(i *tcp.Info) float64 { return float64(i.Unacked) }},
	{"notsent_bytes", "gauge", "Data buffered and not yet sent.", func(i *tcp.Info) float64 { return float64(i.NotSent) }},
	{"sacked_bytes", "gauge", "Data the peer holds above a hole (SACKed).", func(i *tcp.Info) float64 { return float64(i.SACKed) }},
	{"receive_queue_bytes", "gauge", "Data received and not yet read.", func(i *tcp.Info) float64 { return float64(i.ReceiveQueue) }},
	{"delivery_rate_bytes_per_second", "gauge", "Rate the peer acknowledged data over the last round trip with data in flight.", func(i *tcp.Info) float64 { return float64(i.DeliveryRate) }},
	{"sent_bytes_total", "counter", "Payload bytes sent, retransmissions included.", func(i *tcp.Info) float64 { return float64(i.BytesSent) }},
	{"retransmitted_bytes_total", "counter", "Payload bytes retransmitted.", func(i *tcp.Info) float64 { return float64(i.BytesRetrans) }},
	{"acked_bytes_total", "counter", "Payload bytes the peer acknowledged.", func(i *tcp.Info) float64 { return float64(i.BytesAcked) }},
	{"received_bytes_total", "counter", "Payload bytes received in order.", func(i *tcp.Info) float64 { return float64(i.BytesReceived) }},
	{"segments_sent_total", "counter", "Segments sent.", func(i *tcp.Info) float64 { return float64(i.SegsOut) }},
	{"segments_received_total", "counter", "Segments received.", func(i *tcp.Info) float64 { return float64(i.SegsIn) }},
	{"data_segments_sent_total", "counter", "Segments sent with data.", func(i *tcp.Info) float64 { return float64(i.DataSegsOut) }},
	{"data_segments_received_total", "counter", "Segments received with data.", func(i *tcp.Info) float64 { return float64(i.DataSegsIn) }},
	{"retransmitted_segments_total", "counter", "Segments retransmitted.", func(i *tcp.Info) float64 { return float64(i.TotalRetrans) }},
	{"recoveries_total", "counter", "Fast recoveries entered.", func(i *tcp.Info) float64 { return float64(i.Recoveries) }},
	{"timeouts_total", "counter", "Retransmission timeouts.", func(i *tcp.Info) float64 { return float64(i.Timeouts) }},
	{"sack_blocks_received_total", "counter", "SACK blocks received from the peer.", func(i *tcp.Info) float64 { return float64(i.SACKBlocksIn) }},
	{"out_of_order_segments_total", "counter", "Segments received out of order, above a hole.", func(i *tcp.Info) float64 { return float64(i.OutOfOrderIn) }},
}

// conns writes the per-connection families: tcp_conn_info, whose labels
// carry the state and the algorithm, then one family for each of
// connMetrics, each connection labelled by its addresses.
func (p *promWriter) conns(infos []tcp.Info) {
	labels := make([]string, len(infos))
	for i := range infos {
		l := append([]byte(`{local="`), infos[i].Local.String()...)
		l = append(l, `",remote="`...)
		l = append(l, infos[i].Remote.String()...)
		labels[i] = string(append(l, `"}`...))
	}
	p.family("tcp_conn_info", "gauge", "A TCP connection's state and congestion control, as labels; the value is 1.")
	for i := range infos {
		l := labels[i][:len(labels[i])-1] + `,state="` + infos[i].State.String() + `",cc="` + escapeLabel(infos[i].CongestionControl) + `"}`
		p.sample("tcp_conn_info", l, 1)
	}
	for _, cm := range connMetrics {
		name := "tcp_conn_" + cm.name
		p.family(name, cm.typ, cm.help)
		for i := range infos {
			p.sample(name, labels[i], cm.value(&infos[i]))
		}
	}
}

// listeners writes the listeners' families, each listener labelled by
// its address: there are as many as the program opened.
func (p *promWriter) listeners(lis []tcp.ListenerInfo) {
	for _, f := range []struct {
		name, help string
		value      func(*tcp.ListenerInfo) int
	}{
		{"tcp_listener_accept_queue", "Connections established and waiting for Accept.", func(l *tcp.ListenerInfo) int { return l.AcceptQueue }},
		{"tcp_listener_accept_backlog", "The most connections that may wait for Accept.", func(l *tcp.ListenerInfo) int { return l.AcceptBacklog }},
		{"tcp_listener_half_open", "Connections in SYN-RECEIVED.", func(l *tcp.ListenerInfo) int { return l.HalfOpen }},
	} {
		p.family(f.name, "gauge", f.help)
		for i := range lis {
			p.sample(f.name, `{local="`+lis[i].Local.String()+`"}`, float64(f.value(&lis[i])))
		}
	}
}

// appendValue appends a sample's value: integers as integers, the rest
// as Go's shortest representation, which the format accepts.
func appendValue(b []byte, v float64) []byte {
	switch {
	case math.IsInf(v, 1):
		return append(b, "+Inf"...)
	case math.IsInf(v, -1):
		return append(b, "-Inf"...)
	case math.IsNaN(v):
		return append(b, "NaN"...)
	case v == math.Trunc(v) && math.Abs(v) < 1<<53:
		return strconv.AppendInt(b, int64(v), 10)
	}
	return strconv.AppendFloat(b, v, 'g', -1, 64)
}

// appendHelp appends a help text, escaped as the format asks: a
// backslash and a line feed.
func appendHelp(b []byte, s string) []byte {
	for i := 0; i < len(s); i++ {
		switch c := s[i]; c {
		case '\\':
			b = append(b, `\\`...)
		case '\n':
			b = append(b, `\n`...)
		default:
			b = append(b, c)
		}
	}
	return b
}

// escapeLabel escapes a label value: a backslash, a double quote and a
// line feed.
func escapeLabel(s string) string {
	var b []byte
	for i := 0; i < len(s); i++ {
		switch c := s[i]; c {
		case '\\':
			b = append(b, `\\`...)
		case '"':
			b = append(b, `\"`...)
		case '\n':
			b = append(b, `\n`...)
		default:
			b = append(b, c)
		}
	}
	return string(b)
}

// snake turns a Go field name into a metric name's words:
// InCsumErrors is in_csum_errors, PMTUEntries pmtu_entries, ReasmOKs
// reasm_oks, ICMPv6 icmpv6. A word starts at an upper-case letter after a
// lower-case one or a digit, and at the last capital of a run followed
// by lower case (PMTU|Entries), unless what follows is a plural's s
// (OKs, ACKs) or a version's v (ICMPv6).
func snake(s string) string {
	isUpper := func(c byte) bool { return 'A' <= c && c <= 'Z' }
	isLower := func(c byte) bool { return 'a' <= c && c <= 'z' }
	isDigit := func(c byte) bool { return '0' <= c && c <= '9' }
	var b []byte
	for i := 0; i < len(s); i++ {
		c := s[i]
		if isUpper(c) && i > 0 {
			prev := s[i-1]
			switch {
			case isLower(prev) || isDigit(prev):
				b = append(b, '_')
			case isUpper(prev) && i+1 < len(s) && isLower(s[i+1]):
				j := i + 1
				for j < len(s) && isLower(s[j]) {
					j++
				}
				run, atEnd := s[i+1:j], j == len(s) || !isLower(s[j])
				plural := run == "s" && atEnd && (j == len(s) || isUpper(s[j]))
				version := run == "v" && j < len(s) && isDigit(s[j])
				if !plural && !version {
					b = append(b, '_')
				}
			}
		}
		if isUpper(c) {
			c += 'a' - 'A'
		}
		b = append(b, c)
	}
	return string(b)
}
