package monitor

import (
	"cmp"
	"io"
	"net/http"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/medina-net/medina/stack"
	"github.com/medina-net/medina/tcp"
)

// Defaults of Options' zero fields.
const (
	// DefaultNamespace starts every metric's name.
	DefaultNamespace = "medina"
	// DefaultMaxConns bounds the connections /metrics and /vars show.
	DefaultMaxConns = 100
	// DefaultMaxCaptures bounds the live captures at once.
	DefaultMaxCaptures = 4
	// DefaultCaptureBuffer is the room each live capture has for frames
	// its reader has not taken yet.
	DefaultCaptureBuffer = 1 << 20
	// DefaultCaptureStall is how long a capture over HTTP waits for a
	// client that stopped reading.
	DefaultCaptureStall = time.Minute
)

// Options configure a Monitor. The zero Options are the defaults.
type Options struct {
	// Namespace starts every metric's name: medina_tcp_in_segs_total.
	Namespace string
	// MaxConns is the most connections whose series /metrics exposes and
	// /vars lists: the busiest ones, by bytes acknowledged and received.
	// The connection table (/conns) lists every connection. Negative
	// means none.
	MaxConns int
	// MaxCaptures is the most live captures that may run at once; past
	// it, a capture is refused (ErrTooManyCaptures, HTTP 503).
	MaxCaptures int
	// CaptureBuffer is the room, in bytes of frames, each live capture
	// has for frames its reader has not taken yet; a frame that finds it
	// full is dropped and counted. It is held twice: one buffer fills
	// while the reader writes out the other.
	CaptureBuffer int
	// CaptureStall is how long a write of a capture served over HTTP
	// may wait for the client to read: past it the capture ends, so that
	// a client that stops reading without going away does not hold one
	// of the MaxCaptures for ever.
	CaptureStall time.Duration
}

// Monitor serves a stack's counters, connections and traffic. Its
// methods may be called from several goroutines at once.
type Monitor struct {
	s    *stack.Stack
	opts Options
	mux  *http.ServeMux

	// infoMu guards infos and lis, the buffers connection and listener
	// snapshots are taken into, kept from one to the next.
	infoMu sync.Mutex
	infos  []tcp.Info
	lis    []tcp.ListenerInfo

	// Live captures (capture.go).
	captures       atomic.Int64 // running now
	sinks          atomic.Int64 // of those, recording: their sinks added to the stack
	captureFrames  atomic.Uint64
	captureDrops   atomic.Uint64
	capturesServed atomic.Uint64
}

// New returns a Monitor of s.
func New(s *stack.Stack, opts Options) *Monitor {
	if opts.Namespace == "" {
		opts.Namespace = DefaultNamespace
	}
	if opts.MaxConns == 0 {
		opts.MaxConns = DefaultMaxConns
	}
	if opts.MaxCaptures <= 0 {
		opts.MaxCaptures = DefaultMaxCaptures
	}
	if opts.CaptureBuffer <= 0 {
		opts.CaptureBuffer = DefaultCaptureBuffer
	}
	if opts.CaptureStall <= 0 {
		opts.CaptureStall = DefaultCaptureStall
	}
	m := &Monitor{s: s, opts: opts, mux: http.NewServeMux()}
	m.mux.Handle("/metrics", m.MetricsHandler())
	m.mux.Handle("/conns", m.ConnsHandler())
	m.mux.Handle("/pcap", m.CaptureHandler())
	m.mux.Handle("/vars", m.VarsHandler())
	m.mux.HandleFunc("/{$}", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		io.WriteString(w, index)
	})
	return m
}

// index is what / answers: the endpoints.
const index = `metrics  the counters and TCP connections, Prometheus text format
conns    the TCP connections, as ss -tni shows them
pcap     the traffic as it happens, pcapng (?filter=EXPR&snaplen=N&count=N)
vars     the counters and TCP connections, JSON
`

// ServeHTTP serves /metrics, /conns, /pcap and /vars (see the package
// documentation), and at / a list of them. Mount it under a prefix with http.StripPrefix:
//
//	mux.Handle("/debug/", http.StripPrefix("/debug", m))
func (m *Monitor) ServeHTTP(w http.ResponseWriter, r *http.Request) { m.mux.ServeHTTP(w, r) }

// withConns calls f with a snapshot of the stack's connections and
// listeners, sorted by address, in buffers kept for the next snapshot. f
// must not keep the slices.
func (m *Monitor) withConns(f func([]tcp.Info, []tcp.ListenerInfo)) {
	m.infoMu.Lock()
	defer m.infoMu.Unlock()
	m.infos = m.s.AppendTCPInfo(m.infos[:0], 0)
	slices.SortFunc(m.infos, byAddress)
	m.lis = m.s.AppendTCPListenerInfo(m.lis[:0])
	slices.SortFunc(m.lis, func(a, b tcp.ListenerInfo) int { return a.Local.Compare(b.Local) })
	f(m.infos, m.lis)
	clear(m.infos) // keep no addresses or names alive between snapshots
}

// byAddress orders connections by local, then remote address.
func byAddress(a, b tcp.Info) int {
	if c := a.Local.Compare(b.Local); c != 0 {
		return c
	}
	return a.Remote.Compare(b.Remote)
}

// busiest returns the at most max connections of infos that moved the
// most data, by address, and how many were left out. It reorders infos.
func busiest(infos []tcp.Info, max int) ([]tcp.Info, int) {
	if max < 0 {
		return nil, len(infos)
	}
	if len(infos) <= max {
		return infos, 0
	}
	slices.SortFunc(infos, func(a, b tcp.Info) int {
		if c := cmp.Compare(b.BytesAcked+b.BytesReceived, a.BytesAcked+a.BytesReceived); c != 0 {
			return c
		}
		return byAddress(a, b)
	})
	top := infos[:max]
	slices.SortFunc(top, byAddress)
	return top, len(infos) - max
}
