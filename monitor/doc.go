// Package monitor watches a running stack.Stack from the outside: its
// counters and its TCP connections, and its traffic as it happens.
//
// A Monitor serves them over HTTP, for a program that runs the stack as
// its network and wants to see into it the way an administrator sees
// into a host's kernel:
//
//   - /metrics: every counter of Stack.Stats and Stack.TCPStats, and
//     per-connection TCP state (RTT, congestion window, bytes and
//     retransmissions, the fields of Linux's TCP_INFO that apply), in
//     the Prometheus text exposition format (version 0.0.4), written
//     here by hand: the package depends on no Prometheus library.
//   - /conns: the listeners and connections as ss -tani prints a host's.
//   - /pcap: the stack's traffic as a pcapng stream, frame by frame as it
//     passes, for netdump -r -, tcpdump -r - or wireshark -k -i -; the
//     query parameters filter (a pcap-filter expression, compiled by
//     package filter), snaplen and count shape it.
//   - /vars: the same counters and connections as JSON, as expvar
//     publishes them (Publish puts them in the process's /debug/vars).
//
// /metrics also has the listeners' accept queues, and the live
// captures' own counters (frames recorded, frames dropped).
//
// The core packages (stack, tcp) know nothing of HTTP: the stack keeps
// the counters, hands out snapshots of its connections
// (Stack.AppendTCPInfo) and, while a capture runs, copies of its frames
// (Stack.AddCapture); this package formats them. A capture that reads
// too slowly loses frames, counted, rather than slowing the stack down,
// and a stack that nobody captures pays one atomic load a frame.
//
// Per-connection series are bounded: Options.MaxConns connections at
// most (the busiest) appear in /metrics and /vars, so that a stack with
// many connections does not make a scrape, or a time series database,
// grow with it.
package monitor
