package monitor

import (
	"encoding/json"
	"errors"
	"expvar"
	"fmt"
	"net/http"
	"slices"

	"github.com/medina-net/medina/stack"
	"github.com/medina-net/medina/tcp"
)

// Vars is a snapshot of everything the Monitor shows, as /vars and the
// expvar variable of Publish hold it in JSON: durations in nanoseconds,
// states and addresses as text.
type Vars struct {
	Stats stack.Stats // Stack.Stats
	TCP   tcp.Stats   // Stack.TCPStats
	// Conns are the busiest Options.MaxConns connections, by address;
	// ConnsOmitted counts the others.
	Conns        []tcp.Info
	ConnsOmitted int
	Listeners    []tcp.ListenerInfo
	Capture      CaptureCounters
}

// CaptureCounters count the Monitor's live captures.
type CaptureCounters struct {
	Active  int64  // running now
	Streams uint64 // started
	Frames  uint64 // frames recorded, all captures together
	Dropped uint64 // frames dropped because a reader was too slow
}

// Vars returns a snapshot of the stack's counters and connections.
func (m *Monitor) Vars() Vars {
	v := Vars{Stats: m.s.Stats(), TCP: m.s.TCPStats(), Capture: m.captureCounters()}
	m.withConns(func(infos []tcp.Info, lis []tcp.ListenerInfo) {
		top, omitted := busiest(infos, m.opts.MaxConns)
		v.Conns, v.ConnsOmitted = slices.Clone(top), omitted
		v.Listeners = slices.Clone(lis)
	})
	if v.Conns == nil {
		v.Conns = []tcp.Info{}
	}
	if v.Listeners == nil {
		v.Listeners = []tcp.ListenerInfo{}
	}
	return v
}

// captureCounters reads the live captures' counters.
func (m *Monitor) captureCounters() CaptureCounters {
	return CaptureCounters{Active: m.captures.Load(), Streams: m.capturesServed.Load(),
		Frames: m.captureFrames.Load(), Dropped: m.captureDrops.Load()}
}

// ErrPublished is returned by Publish for a name expvar already has.
var ErrPublished = errors.New("monitor: expvar name already published")

// Publish publishes the Monitor's Vars as the expvar variable name, read
// afresh each time expvar is read: the process's /debug/vars then shows
// the stack. expvar's names are for the life of the process; publishing
// a name twice fails with ErrPublished (expvar itself would panic).
func (m *Monitor) Publish(name string) error {
	if expvar.Get(name) != nil {
		return fmt.Errorf("%w: %q", ErrPublished, name)
	}
	expvar.Publish(name, expvar.Func(func() any { return m.Vars() }))
	return nil
}

// Publish publishes s as the expvar variable name, with a Monitor of the
// default Options (see Monitor.Publish): one call makes the stack show
// in the process's /debug/vars.
func Publish(name string, s *stack.Stack) error { return New(s, Options{}).Publish(name) }

// VarsHandler returns the handler of /vars: Vars in JSON.
func (m *Monitor) VarsHandler() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, err := json.MarshalIndent(m.Vars(), "", "  ")
		if err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		w.Header().Set("Content-Type", "application/json; charset=utf-8")
		w.Write(append(b, '\n'))
	})
}
