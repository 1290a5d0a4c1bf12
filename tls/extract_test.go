package tls

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"net/netip"
	"strings"
	"testing"
	"time"

	"github.com/medina-net/medina/internal/corpus"
	"github.com/medina-net/medina/tcpstream"
)

// The corpus tests read their TLS handshakes through the pipeline netdump
// uses: each frame taken apart by decap, its TCP segment reassembled by a
// tcpstream.Assembler, and each connection's two byte streams decoded by
// the Session a StreamDecoder gives it. The events are collected into a
// tlsFlow per connection.

// flowEnd is one side of a connection.
type flowEnd struct {
	Addr netip.Addr
	Port uint16
}

func (e flowEnd) String() string { return netip.AddrPortFrom(e.Addr, e.Port).String() }

func endOf(ap netip.AddrPort) flowEnd { return flowEnd{ap.Addr().Unmap(), ap.Port()} }

// tlsFlow is what the pipeline found in a connection. It holds copies:
// nothing in it aliases the Session's buffers.
type tlsFlow struct {
	File string
	// Client and Server are the roles tcpstream gave the ends (the SYN's
	// sender is the client, and so on); the Session decodes the
	// connection in those roles.
	Client, Server flowEnd
	ClientHellos   []*ClientHello
	ServerHellos   []*ServerHello
	CHErrs         []error
	Certs          [][]byte // the server's first Certificate message
	ClientCerts    [][]byte // the client's
	HasCerts       bool     // a Certificate message was seen (either side)
	Curve          uint16   // from an ECDHE ServerKeyExchange
	HasCurve       bool
	// Preamble is the plaintext each direction carried before its hello
	// (STARTTLS, CONNECT, SOCKS, ...), from the Session's Summary.
	Preamble [2]int64
}

// extractFlows returns the TLS connections (those with a ClientHello or
// ServerHello) of a capture, in the order they began.
func extractFlows(t testing.TB, path string) []*tlsFlow {
	t.Helper()
	var streams []*tcpstream.Stream
	flows := map[*tcpstream.Stream]*tlsFlow{}
	var d *StreamDecoder
	d = &StreamDecoder{
		OnEvent: func(s *tcpstream.Stream, e Event) {
			fl := flows[s]
			if fl == nil {
				client, server := d.Endpoints(s)
				fl = &tlsFlow{File: path, Client: endOf(client), Server: endOf(server)}
				flows[s] = fl
				streams = append(streams, s)
			}
			fl.collect(s, e)
		},
		OnClose: func(s *tcpstream.Stream, sess *Session, _ tcpstream.CloseReason) {
			if fl := flows[s]; fl != nil {
				fl.Preamble = sess.Summary().Preamble
			}
		},
	}
	a := tcpstream.NewAssembler(tcpstream.Config{}, d)
	// corpus.Read gives no capture times: every segment is taken at the
	// same instant, so nothing is given up for being idle and holes are
	// given up on the evidence of ACKs or at the end.
	var ts time.Time
	for _, f := range corpus.Read(t, path) {
		_, _ = a.AddFrame(f.LinkType, f.Data, ts) // a bad segment is the Session's gap
	}
	a.Close()
	var out []*tlsFlow
	for _, s := range streams {
		if fl := flows[s]; len(fl.ClientHellos) > 0 || len(fl.ServerHellos) > 0 {
			out = append(out, fl)
		}
	}
	return out
}

// collect keeps what the corpus tests compare of an event. Event data
// alias the Session's buffers: messages are parsed again from copies.
func (fl *tlsFlow) collect(s *tcpstream.Stream, e Event) {
	if e.Kind != EventHandshake {
		return
	}
	body := bytes.Clone(e.Data)
	switch {
	case e.Handshake == ClientHelloType && e.Dir == FromClient:
		if ch, err := ParseClientHello(body); ch != nil {
			fl.ClientHellos = append(fl.ClientHellos, ch)
			fl.CHErrs = append(fl.CHErrs, err)
		}
	case e.Handshake == ServerHelloType && e.Dir == FromServer:
		if sh, _ := ParseServerHello(body); sh != nil {
			fl.ServerHellos = append(fl.ServerHellos, sh)
		}
	case e.Handshake == Certificate:
		tls13 := false
		if sess, ok := s.User.(*Session); ok {
			tls13 = isTLS13(sess.Summary().Version)
		}
		ders := certDERs(body, tls13)
		switch {
		case e.Dir == FromServer && fl.Certs == nil:
			fl.Certs = ders
		case e.Dir == FromClient && fl.ClientCerts == nil:
			fl.ClientCerts = ders
		}
		fl.HasCerts = true
	case e.Handshake == ServerKeyExchange && e.Dir == FromServer:
		// An ECDHE key exchange starts with named_curve (3) and the group.
		if len(fl.ServerHellos) > 0 && len(body) >= 3 && body[0] == 3 {
			name := CipherSuiteName(fl.ServerHellos[len(fl.ServerHellos)-1].CipherSuite)
			if strings.Contains(name, "_ECDHE_") || strings.Contains(name, "_ECDH_anon_") {
				fl.Curve, fl.HasCurve = binary.BigEndian.Uint16(body[1:]), true
			}
		}
	}
}

// describe is a short name for a flow in messages.
func (fl *tlsFlow) describe() string {
	name := fl.File
	if i := strings.LastIndexByte(name, '/'); i >= 0 {
		name = name[i+1:]
	}
	return fmt.Sprintf("%s %s > %s", name, fl.Client, fl.Server)
}

// certDERs returns the certificates of a Certificate message.
func certDERs(body []byte, tls13 bool) [][]byte {
	m, _ := ParseCertificateMsg(body, tls13)
	if m == nil {
		return nil
	}
	var ders [][]byte
	for _, e := range m.Entries {
		ders = append(ders, e.Data)
	}
	return ders
}
