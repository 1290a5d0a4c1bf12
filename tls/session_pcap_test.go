package tls

import (
	"encoding/binary"
	"net/netip"
	"slices"
	"testing"
	"time"

	"github.com/medina-net/medina/ethernet"
	"github.com/medina-net/medina/internal/corpus"
	"github.com/medina-net/medina/pcap"
)

// A test-only TCP reassembler that gives a Session what tcpstream will:
// each direction's payload in sequence order, retransmissions dropped,
// segments that come early held, holes reported as gaps; the chunks of
// both directions interleaved in capture order.

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
	dirs           [2]sxDir
}

type sxDir struct {
	started bool
	next    uint32
	held    map[uint32][]byte
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

// stream returns one direction's bytes (gaps left out).
func (c *sxConn) stream(d Direction) []byte {
	var b []byte
	for _, ch := range c.chunks {
		if ch.dir == d {
			b = append(b, ch.data...)
		}
	}
	return b
}

// sxConns returns the TCP connections of the capture at path, in the
// order their first packets come; the client is the side that sent the
// SYN (or the first packet).
func sxConns(t testing.TB, path string) []*sxConn {
	t.Helper()
	r, err := pcap.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	type key struct{ a, b netip.AddrPort }
	conns := map[key]*sxConn{}
	var order []*sxConn
	for {
		p, err := r.Next()
		if err != nil {
			break
		}
		f := corpus.Frame{LinkType: p.LinkType, Data: p.Data}
		et, nw := f.Network()
		src, dst, seg, ok := sxTCP(et, nw)
		if !ok || len(seg) < 20 {
			continue
		}
		doff := int(seg[12]>>4) * 4
		if doff < 20 || doff > len(seg) {
			continue
		}
		sp, dp := binary.BigEndian.Uint16(seg), binary.BigEndian.Uint16(seg[2:])
		from, to := netip.AddrPortFrom(src, sp), netip.AddrPortFrom(dst, dp)
		flags := seg[13]
		seq := binary.BigEndian.Uint32(seg[4:])
		payload := seg[doff:]
		c := conns[key{from, to}]
		if c == nil {
			c = conns[key{to, from}]
		}
		if c == nil {
			c = &sxConn{client: from, server: to}
			if flags&0x12 == 0x12 { // SYN-ACK first: the sender is the server
				c.client, c.server = to, from
			}
			conns[key{from, to}] = c
			order = append(order, c)
		}
		d := FromClient
		if from == c.server {
			d = FromServer
		}
		h := &c.dirs[d]
		if flags&0x02 != 0 { // SYN
			h.started, h.next = true, seq+1
			continue
		}
		if len(payload) == 0 {
			continue
		}
		if !h.started {
			h.started, h.next = true, seq
		}
		ts := p.Time()
		c.add(d, seq, slices.Clone(payload), ts)
	}
	for _, c := range order {
		for d := range c.dirs {
			c.flush(Direction(d))
		}
	}
	return order
}

// add delivers a segment in order, holding it if it comes early.
func (c *sxConn) add(d Direction, seq uint32, b []byte, ts time.Time) {
	h := &c.dirs[d]
	if int32(seq-h.next) > 0 {
		if h.held == nil {
			h.held = map[uint32][]byte{}
		}
		if len(b) > len(h.held[seq]) {
			h.held[seq] = b
		}
		return
	}
	if skip := h.next - seq; int(skip) < len(b) {
		b = b[skip:]
		c.chunks = append(c.chunks, sxChunk{dir: d, data: b, ts: ts})
		h.next += uint32(len(b))
	}
	// Deliver what was waiting for this.
	for again := true; again; {
		again = false
		for s, hb := range h.held {
			if int32(s-h.next) <= 0 {
				delete(h.held, s)
				if skip := h.next - s; int(skip) < len(hb) {
					c.chunks = append(c.chunks, sxChunk{dir: d, data: hb[skip:], ts: ts})
					h.next += uint32(len(hb) - int(skip))
				}
				again = true
			}
		}
	}
}

// flush delivers what is still held after holes, reporting them.
func (c *sxConn) flush(d Direction) {
	h := &c.dirs[d]
	for len(h.held) > 0 {
		var first uint32
		found := false
		for s := range h.held {
			if !found || int32(s-first) < 0 {
				first, found = s, true
			}
		}
		c.chunks = append(c.chunks, sxChunk{dir: d, gap: int(first - h.next)})
		h.next = first
		c.add(d, first, h.held[first], time.Time{})
	}
}

// sxTCP returns the TCP segment of an IPv4 or IPv6 packet.
func sxTCP(et ethernet.Type, b []byte) (src, dst netip.Addr, seg []byte, ok bool) {
	switch et {
	case ethernet.TypeIPv4:
		if len(b) < 20 || b[9] != 6 {
			return
		}
		ihl := int(b[0]&0x0f) * 4
		total := int(binary.BigEndian.Uint16(b[2:]))
		if ihl < 20 || total < ihl || total > len(b) || binary.BigEndian.Uint16(b[6:])&0x1fff != 0 {
			return
		}
		return netip.AddrFrom4([4]byte(b[12:16])), netip.AddrFrom4([4]byte(b[16:20])), b[ihl:total], true
	case ethernet.TypeIPv6:
		if len(b) < 40 || b[6] != 6 {
			return
		}
		n := 40 + int(binary.BigEndian.Uint16(b[4:]))
		if n > len(b) {
			return
		}
		return netip.AddrFrom16([16]byte(b[8:24])), netip.AddrFrom16([16]byte(b[24:40])), b[40:n], true
	}
	return
}
