package monitor

import (
	"io"
	"net/http"
	"strconv"
	"time"

	"github.com/medina-net/medina/tcp"
)

// ConnsHandler returns the handler of /conns: WriteConns's table, as
// plain text.
func (m *Monitor) ConnsHandler() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		m.WriteConns(w)
	})
}

// WriteConns writes the table of the stack's TCP sockets to w, as
// WriteConnTable formats it: the listeners, then every connection, in
// every state, sorted by address.
func (m *Monitor) WriteConns(w io.Writer) error {
	var err error
	m.withConns(func(infos []tcp.Info, lis []tcp.ListenerInfo) { err = WriteConnTable(w, lis, infos) })
	return err
}

// ssStates are ss's names of the states.
var ssStates = [tcp.NumStates]string{
	tcp.StateClosed:      "UNCONN",
	tcp.StateSynSent:     "SYN-SENT",
	tcp.StateSynReceived: "SYN-RECV",
	tcp.StateEstablished: "ESTAB",
	tcp.StateFinWait1:    "FIN-WAIT-1",
	tcp.StateFinWait2:    "FIN-WAIT-2",
	tcp.StateCloseWait:   "CLOSE-WAIT",
	tcp.StateClosing:     "CLOSING",
	tcp.StateLastAck:     "LAST-ACK",
	tcp.StateTimeWait:    "TIME-WAIT",
}

// WriteConnTable writes listeners and connections as ss -tani prints a
// host's TCP sockets: a header; a line for each listener, LISTEN with its
// accept queue and the queue's bound, and * for a peer; then for each
// connection a line with its state, receive and
// send queues (bytes not read; bytes not acknowledged) and addresses,
// and an indented line of its internals in ss's words: options, the
// congestion control algorithm, wscale, rto, rtt (srtt/rttvar), mss,
// pmtu, advmss, cwnd (in segments), ssthresh (once set), bytes, segments,
// the send rate the window allows, the time since the last data and
// ACK, delivery_rate, unacked, retrans (now/total), sacked, rcv_space,
// notsent, minrtt and snd_wnd. Times are in milliseconds and rates in
// bits a second, as ss shows them. It writes once, and returns the
// Write's error.
func WriteConnTable(w io.Writer, listeners []tcp.ListenerInfo, infos []tcp.Info) error {
	head := [5]string{"State", "Recv-Q", "Send-Q", "Local Address:Port", "Peer Address:Port"}
	lrows := make([][5]string, len(listeners))
	rows := make([][5]string, len(infos))
	widths := [5]int{}
	for i, h := range head {
		widths[i] = len(h)
	}
	for i := range listeners {
		l := &listeners[i]
		peer := "0.0.0.0:*"
		if l.Local.Addr().Is6() {
			peer = "[::]:*"
		}
		lrows[i] = [5]string{"LISTEN", strconv.Itoa(l.AcceptQueue), strconv.Itoa(l.AcceptBacklog), l.Local.String(), peer}
		for j, f := range lrows[i] {
			widths[j] = max(widths[j], len(f))
		}
	}
	for i := range infos {
		in := &infos[i]
		st := "UNKNOWN"
		if int(in.State) < len(ssStates) {
			st = ssStates[in.State]
		}
		rows[i] = [5]string{st, strconv.Itoa(in.ReceiveQueue), strconv.Itoa(in.Unacked + in.NotSent),
			in.Local.String(), in.Remote.String()}
		for j, f := range rows[i] {
			widths[j] = max(widths[j], len(f))
		}
	}
	var b []byte
	row := func(r [5]string) {
		for j, f := range r {
			if j > 0 {
				b = append(b, ' ')
			}
			pad := widths[j] - len(f)
			if j == 1 || j == 2 { // numbers, right-aligned
				b = appendSpaces(b, pad)
				b = append(b, f...)
				continue
			}
			b = append(b, f...)
			if j < len(r)-1 {
				b = appendSpaces(b, pad)
			}
		}
		b = append(b, '\n')
	}
	row(head)
	for _, r := range lrows {
		row(r)
	}
	for i := range infos {
		row(rows[i])
		b = appendInternals(b, &infos[i])
	}
	_, err := w.Write(b)
	return err
}

func appendSpaces(b []byte, n int) []byte {
	for ; n > 0; n-- {
		b = append(b, ' ')
	}
	return b
}

// appendInternals appends a connection's second line, as ss -i prints
// it: a tab, a space, and name:value fields.
func appendInternals(b []byte, in *tcp.Info) []byte {
	b = append(b, "\t"...)
	field := func(name string) { b = append(b, ' '); b = append(b, name...) }
	num := func(name string, v uint64) { field(name); b = append(b, ':'); b = strconv.AppendUint(b, v, 10) }
	ms := func(d time.Duration) { b = strconv.AppendFloat(b, float64(d)/float64(time.Millisecond), 'g', 6, 64) }
	if in.Timestamps {
		field("ts")
	}
	if in.SACK {
		field("sack")
	}
	field(in.CongestionControl)
	if in.WindowScale {
		field("wscale:")
		b = strconv.AppendUint(b, uint64(in.SendScale), 10)
		b = append(b, ',')
		b = strconv.AppendUint(b, uint64(in.ReceiveScale), 10)
	}
	field("rto:")
	ms(in.RTO)
	if in.Backoff > 0 {
		num("backoff", uint64(in.Backoff))
	}
	field("rtt:")
	ms(in.RTT)
	b = append(b, '/')
	ms(in.RTTVar)
	num("mss", uint64(in.MSS))
	num("pmtu", uint64(in.PathMTU))
	if in.AdvertisedMSS > 0 {
		num("advmss", uint64(in.AdvertisedMSS))
	}
	mss := max(in.MSS, 1)
	if in.CongestionWindow > 0 {
		num("cwnd", uint64((in.CongestionWindow+mss-1)/mss))
	}
	if in.SlowStartThreshold > 0 && in.SlowStartThreshold < 1<<31-1 {
		num("ssthresh", uint64((in.SlowStartThreshold+mss-1)/mss))
	}
	num("bytes_sent", in.BytesSent)
	if in.BytesRetrans > 0 {
		num("bytes_retrans", in.BytesRetrans)
	}
	num("bytes_acked", in.BytesAcked)
	num("bytes_received", in.BytesReceived)
	num("segs_out", in.SegsOut)
	num("segs_in", in.SegsIn)
	num("data_segs_out", in.DataSegsOut)
	num("data_segs_in", in.DataSegsIn)
	if in.RTT > 0 && in.CongestionWindow > 0 {
		// What the window lets through a round trip, as ss's "send".
		field("send ")
		b = appendRate(b, float64(in.CongestionWindow)*8/in.RTT.Seconds())
	}
	last := func(name string, d time.Duration) {
		if d >= 0 {
			num(name, uint64(d/time.Millisecond))
		}
	}
	last("lastsnd", in.LastDataSent)
	last("lastrcv", in.LastDataRecv)
	last("lastack", in.LastAckRecv)
	if in.DeliveryRate > 0 {
		field("delivery_rate ")
		b = appendRate(b, float64(in.DeliveryRate)*8)
	}
	if in.Unacked > 0 {
		num("unacked", uint64((in.Unacked+mss-1)/mss))
	}
	if in.Backoff > 0 || in.TotalRetrans > 0 {
		field("retrans:")
		b = strconv.AppendUint(b, uint64(in.Backoff), 10)
		b = append(b, '/')
		b = strconv.AppendUint(b, in.TotalRetrans, 10)
	}
	if in.SACKed > 0 {
		num("sacked", uint64((in.SACKed+mss-1)/mss))
	}
	if in.OutOfOrderIn > 0 {
		num("ofo_in", in.OutOfOrderIn)
	}
	if in.ReceiveBuffer > 0 {
		num("rcv_space", uint64(in.ReceiveBuffer))
	}
	if in.NotSent > 0 {
		num("notsent", uint64(in.NotSent))
	}
	field("minrtt:")
	ms(in.MinRTT)
	num("snd_wnd", uint64(in.SendWindow))
	num("rcv_wnd", uint64(in.ReceiveWindow))
	return append(b, '\n')
}

// appendRate appends a rate in bits a second as ss does: with a unit
// prefix past a thousand, one decimal.
func appendRate(b []byte, bps float64) []byte {
	switch {
	case bps >= 1e9:
		b = strconv.AppendFloat(b, bps/1e9, 'f', 1, 64)
		b = append(b, 'G')
	case bps >= 1e6:
		b = strconv.AppendFloat(b, bps/1e6, 'f', 1, 64)
		b = append(b, 'M')
	case bps >= 1e3:
		b = strconv.AppendFloat(b, bps/1e3, 'f', 1, 64)
		b = append(b, 'k')
	default:
		b = strconv.AppendFloat(b, bps, 'f', 0, 64)
	}
	return append(b, "bps"...)
}
