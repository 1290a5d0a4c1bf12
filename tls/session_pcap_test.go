package tls

import (
	"bytes"
	"net/netip"
	"testing"
	"time"

	"github.com/medina-net/medina/pcap"
	"github.com/medina-net/medina/tcpstream"
)

// The TCP connections of a capture as tcpstream reassembles them (the
// pipeline of netdump's TLS view, up to the Session), kept as chunks so
// that a test can feed them to Sessions of its own making: each
// direction's bytes in order, holes as gaps, both directions interleaved
// as the Assembler delivered them.

// sxChunk is a piece of one direction's stream (or, with gap > 0, bytes
// lost).
type sxChunk struct {
	dir  Direction
	data []byte
	gap  int
	ts   time.Time
}

// sxConn is one TCP connection of a capture.
type sxConn struct {
	client, server netip.AddrPort
	chunks         []sxChunk
}

// feed runs the connection's chunks through s.
func (c *sxConn) feed(s *Session) {
	for _, ch := range c.chunks {
		if ch.gap > 0 {
			s.Gap(ch.dir, ch.gap)
		} else {
			s.Feed(ch.dir, ch.data, ch.ts)
		}
	}
	s.Close()
}

// sxConns returns the TCP connections of the capture at path, in the
// order they began.
func sxConns(t testing.TB, path string) []*sxConn {
	t.Helper()
	r, err := pcap.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	rec := &sxConnRecorder{conns: map[*tcpstream.Stream]*sxConn{}}
	asm := tcpstream.NewAssembler(tcpstream.Config{}, rec)
	for {
		p, err := r.Next()
		if err != nil {
			break
		}
		_, _ = asm.AddFrame(p.LinkType, p.Data, p.Time()) // a bad segment is the Session's gap
	}
	asm.Close()
	return rec.order
}

// sxConnRecorder is a tcpstream.Handler that keeps what it is given.
type sxConnRecorder struct {
	conns map[*tcpstream.Stream]*sxConn
	order []*sxConn
}

func (r *sxConnRecorder) conn(s *tcpstream.Stream) *sxConn {
	c := r.conns[s]
	if c == nil {
		c = &sxConn{client: s.Client, server: s.Server}
		r.conns[s] = c
		r.order = append(r.order, c)
	}
	return c
}

func (r *sxConnRecorder) Data(s *tcpstream.Stream, d tcpstream.Direction, b []byte, ts time.Time) {
	c := r.conn(s)
	c.chunks = append(c.chunks, sxChunk{dir: Direction(d), data: bytes.Clone(b), ts: ts})
}

func (r *sxConnRecorder) Gap(s *tcpstream.Stream, d tcpstream.Direction, n int) {
	c := r.conn(s)
	c.chunks = append(c.chunks, sxChunk{dir: Direction(d), gap: n})
}

func (r *sxConnRecorder) Close(*tcpstream.Stream, tcpstream.CloseReason) {}
