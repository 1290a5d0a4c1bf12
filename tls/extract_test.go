package tls

import (
	"bytes"
	"cmp"
	"encoding/binary"
	"fmt"
	"net/netip"
	"slices"
	"strings"
	"testing"

	"github.com/medina-net/medina/ethernet"
	"github.com/medina-net/medina/internal/corpus"
)

// A test-only extractor of TLS handshakes from captures, standing in for
// the tcpstream + Session pipeline until it exists: it takes the TCP
// payloads of each direction of each connection, orders them by sequence
// number, drops what was already seen (retransmissions), finds the first
// TLS handshake record by content (so STARTTLS, SOCKS and CONNECT
// preambles are skipped), and collects the plaintext handshake messages,
// which may span records.

// flowEnd is one side of a connection.
type flowEnd struct {
	Addr netip.Addr
	Port uint16
}

func (e flowEnd) String() string { return netip.AddrPortFrom(e.Addr, e.Port).String() }

// tcpSeg is a TCP tcpSeg's payload.
type tcpSeg struct {
	seq  uint32
	data []byte
	num  int
}

// flowHalf is one direction of a connection.
type flowHalf struct {
	from, to flowEnd
	isn      uint32 // SYN's sequence number
	synSeen  bool
	segs     []tcpSeg
}

// tcpConn is a TCP connection of a capture.
type tcpConn struct {
	a, b *flowHalf // a sent the first packet seen
}

// tlsFlow is what the extractor found in a connection.
type tlsFlow struct {
	File           string
	Client, Server flowEnd
	ClientHellos   []*ClientHello
	ServerHellos   []*ServerHello
	CHErrs         []error
	Certs          [][]byte // the server's first Certificate message
	ClientCerts    [][]byte // the client's
	HasCerts       bool     // a Certificate message was seen (either side)
	Curve          uint16   // from an ECDHE ServerKeyExchange
	HasCurve       bool
}

// extractFlows returns the TLS connections (those with a ClientHello or
// ServerHello) of a capture.
func extractFlows(t testing.TB, path string) []*tlsFlow {
	t.Helper()
	var conns []*tcpConn
	index := map[[2]flowEnd]*tcpConn{}
	for _, f := range corpus.Read(t, path) {
		et, nb := f.Network()
		src, dst, tcpb, ok := ipPayload(et, nb)
		if !ok || len(tcpb) < 20 {
			continue
		}
		sp, dp := binary.BigEndian.Uint16(tcpb), binary.BigEndian.Uint16(tcpb[2:])
		seq := binary.BigEndian.Uint32(tcpb[4:])
		off := int(tcpb[12]>>4) * 4
		flags := tcpb[13]
		if off < 20 || off > len(tcpb) {
			continue
		}
		from, to := flowEnd{src, sp}, flowEnd{dst, dp}
		key := [2]flowEnd{from, to}
		rkey := [2]flowEnd{to, from}
		syn := flags&0x02 != 0
		c := index[key]
		if c == nil {
			c = index[rkey]
		}
		// A new SYN on a connection that already carried data is a new
		// connection reusing the ports.
		if c != nil && syn && flags&0x10 == 0 {
			h := c.dir(from)
			if h.synSeen && h.isn != seq && (len(c.a.segs) > 0 || len(c.b.segs) > 0) {
				c = nil
			}
		}
		if c == nil {
			c = &tcpConn{a: &flowHalf{from: from, to: to}, b: &flowHalf{from: to, to: from}}
			conns = append(conns, c)
			index[key] = c
			delete(index, rkey)
		}
		h := c.dir(from)
		if syn {
			h.synSeen, h.isn = true, seq
		}
		if payload := tcpb[off:]; len(payload) > 0 {
			d := seq
			if syn {
				d++
			}
			h.segs = append(h.segs, tcpSeg{d, bytes.Clone(payload), f.Num})
		}
	}
	var flows []*tlsFlow
	for _, c := range conns {
		if fl := c.tls(); fl != nil {
			fl.File = path
			flows = append(flows, fl)
		}
	}
	return flows
}

func (c *tcpConn) dir(from flowEnd) *flowHalf {
	if c.a.from == from {
		return c.a
	}
	return c.b
}

// ipPayload returns the addresses and transport payload of a TCP packet in
// an IPv4 or IPv6 datagram (first fragments only), bounded by the IP
// length so link-layer padding is dropped.
func ipPayload(et ethernet.Type, b []byte) (src, dst netip.Addr, tcp []byte, ok bool) {
	switch et {
	case ethernet.TypeIPv4:
		if len(b) < 20 || b[0]>>4 != 4 {
			return
		}
		ihl := int(b[0]&0xf) * 4
		total := int(binary.BigEndian.Uint16(b[2:]))
		if b[9] != 6 || ihl < 20 || total < ihl || len(b) < ihl || binary.BigEndian.Uint16(b[6:])&0x1fff != 0 {
			return
		}
		src, dst = netip.AddrFrom4([4]byte(b[12:16])), netip.AddrFrom4([4]byte(b[16:20]))
		return src, dst, b[ihl:min(total, len(b))], true
	case ethernet.TypeIPv6:
		if len(b) < 40 || b[0]>>4 != 6 {
			return
		}
		plen := int(binary.BigEndian.Uint16(b[4:]))
		src, dst = netip.AddrFrom16([16]byte(b[8:24])), netip.AddrFrom16([16]byte(b[24:40]))
		next, p := b[6], b[40:min(40+plen, len(b))]
		for {
			switch next {
			case 6:
				return src, dst, p, true
			case 0, 43, 60: // hop-by-hop, routing, destination options
				if len(p) < 8 {
					return
				}
				n := 8 + int(p[1])*8
				if n > len(p) {
					return
				}
				next, p = p[0], p[n:]
			case 44: // fragment: first fragments only
				if len(p) < 8 || binary.BigEndian.Uint16(p[2:])&0xfff8 != 0 {
					return
				}
				next, p = p[0], p[8:]
			default:
				return
			}
		}
	}
	return
}

// stream reassembles a direction: segments in sequence order, data
// already seen dropped, stopping at a hole. It reports whether a hole cut
// it short.
func (h *flowHalf) stream() ([]byte, bool) {
	if len(h.segs) == 0 {
		return nil, false
	}
	base := h.isn + 1
	if !h.synSeen {
		base = h.segs[0].seq
		for _, s := range h.segs {
			if int32(s.seq-base) < 0 {
				base = s.seq
			}
		}
	}
	segs := slices.Clone(h.segs)
	slices.SortStableFunc(segs, func(x, y tcpSeg) int {
		return cmp.Compare(int32(x.seq-base), int32(y.seq-base))
	})
	var out []byte
	for _, s := range segs {
		rel := int(int32(s.seq - base))
		end := rel + len(s.data)
		switch {
		case end <= len(out):
			continue // retransmission
		case rel > len(out):
			return out, true // hole
		}
		out = append(out, s.data[len(out)-rel:]...)
	}
	return out, false
}

// tls parses both directions; nil if neither holds a hello.
func (c *tcpConn) tls() *tlsFlow {
	sa, _ := c.a.stream()
	sb, _ := c.b.stream()
	ma := handshakeMessages(sa)
	mb := handshakeMessages(sb)
	client, server, cm, sm := c.a, c.b, ma, mb
	if !hasType(ma, ClientHelloType) && hasType(mb, ClientHelloType) {
		client, server, cm, sm = c.b, c.a, mb, ma
	}
	if !hasType(cm, ClientHelloType) && !hasType(sm, ServerHelloType) {
		return nil
	}
	fl := &tlsFlow{Client: client.from, Server: server.from}
	for _, m := range cm {
		switch m.typ {
		case ClientHelloType:
			ch, err := ParseClientHello(m.body)
			if ch != nil {
				fl.ClientHellos = append(fl.ClientHellos, ch)
				fl.CHErrs = append(fl.CHErrs, err)
			}
		case Certificate:
			if fl.ClientCerts == nil {
				fl.ClientCerts = certDERs(m.body)
				fl.HasCerts = true
			}
		}
	}
	for _, m := range sm {
		switch m.typ {
		case ServerHelloType:
			if sh, _ := ParseServerHello(m.body); sh != nil {
				fl.ServerHellos = append(fl.ServerHellos, sh)
			}
		case Certificate:
			if fl.Certs == nil {
				fl.Certs = certDERs(m.body)
				fl.HasCerts = true
			}
		case ServerKeyExchange:
			if len(fl.ServerHellos) > 0 && len(m.body) >= 3 && m.body[0] == 3 {
				name := CipherSuiteName(fl.ServerHellos[len(fl.ServerHellos)-1].CipherSuite)
				if strings.Contains(name, "_ECDHE_") || strings.Contains(name, "_ECDH_anon_") {
					fl.Curve, fl.HasCurve = binary.BigEndian.Uint16(m.body[1:]), true
				}
			}
		}
	}
	return fl
}

type hsMsg struct {
	typ  HandshakeType
	body []byte
}

func hasType(ms []hsMsg, t HandshakeType) bool {
	return slices.ContainsFunc(ms, func(m hsMsg) bool { return m.typ == t })
}

// tlsStart finds the first handshake record carrying a ClientHello or
// ServerHello.
func tlsStart(s []byte) int {
	for i := 0; i+6 <= len(s); i++ {
		if s[i] == 22 && s[i+1] == 3 && s[i+2] <= 4 && (s[i+5] == 1 || s[i+5] == 2) {
			return i
		}
	}
	return -1
}

// handshakeMessages returns the plaintext handshake messages of a
// direction. After a ChangeCipherSpec, handshake records are encrypted
// (TLS 1.2 and earlier) unless the record holds exactly one well-formed
// hello (the second ClientHello or the ServerHello after a
// HelloRetryRequest, which TLS 1.3's middlebox compatibility mode precedes
// with a dummy ChangeCipherSpec).
func handshakeMessages(s []byte) []hsMsg {
	i := tlsStart(s)
	if i < 0 {
		return nil
	}
	s = s[i:]
	var msgs []hsMsg
	var buf []byte
	encrypted := false
	for len(s) > 0 {
		rec, n, err := ParseRecord(s)
		if err != nil {
			break
		}
		s = s[n:]
		switch rec.Type {
		case ContentChangeCipherSpec:
			encrypted, buf = true, nil
		case ContentHandshake:
			if encrypted {
				f := rec.Fragment
				typ, body, m, err := ParseHandshake(f)
				if err != nil || m != len(f) {
					continue
				}
				ok := false
				switch typ {
				case ClientHelloType:
					_, err := ParseClientHello(body)
					ok = err == nil
				case ServerHelloType:
					sh, _ := ParseServerHello(body)
					ok = sh != nil
				}
				if ok {
					msgs = append(msgs, hsMsg{typ, body})
				}
				continue
			}
			buf = append(buf, rec.Fragment...)
			for {
				typ, body, m, err := ParseHandshake(buf)
				if err != nil {
					break
				}
				msgs = append(msgs, hsMsg{typ, body})
				buf = buf[m:]
			}
		}
	}
	return msgs
}

// describe is a short name for a flow in messages.
func (fl *tlsFlow) describe() string {
	name := fl.File
	if i := strings.LastIndexByte(name, '/'); i >= 0 {
		name = name[i+1:]
	}
	return fmt.Sprintf("%s %s > %s", name, fl.Client, fl.Server)
}

// certDERs returns the certificates of a TLS 1.2 Certificate message.
func certDERs(body []byte) [][]byte {
	m, _ := ParseCertificateMsg(body, false)
	if m == nil {
		return nil
	}
	var ders [][]byte
	for _, e := range m.Entries {
		ders = append(ders, e.Data)
	}
	return ders
}
