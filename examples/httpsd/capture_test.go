package main

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"testing"

	"github.com/medina-net/medina/ethernet"
	"github.com/medina-net/medina/ipv4"
	"github.com/medina-net/medina/pcap"
	"github.com/medina-net/medina/tcp"
)

// captureSummary is what readCapture finds in a recording of httpsd.
type captureSummary struct {
	frames, inbound, outbound int
	// secrets are the TLS key log DSBs, in file order.
	secrets [][]byte
	// client and server are the TCP streams to and from port 443, in
	// order, every connection's one after the other.
	client, server []byte
	// records counts the TLS records of each stream by content type.
	clientRecords, serverRecords map[byte]int
	// early describes every segment that carries encrypted TLS but
	// comes before the DSBs of its connection.
	early []string
}

// tlsStream follows one direction of one TCP connection, in order. The
// link has no loss here, so a segment is either the next one or a
// retransmission of what came before.
type tlsStream struct {
	isn     uint32
	started bool
	data    []byte
}

// readCapture reads a pcapng of httpsd's stack and reassembles its TLS
// connections on port 443 (the server's side of each: one DSB for each
// of its four TLS 1.3 secrets). It checks that the secrets of a
// connection are all in the file before any encrypted record of it: every
// byte the server sends (its ServerHello is already after the DSBs), and
// every byte the client sends after its ClientHello.
func readCapture(t *testing.T, file []byte) *captureSummary {
	t.Helper()
	r, err := pcap.NewReader(bytes.NewReader(file))
	if err != nil {
		t.Fatal(err)
	}
	c := &captureSummary{clientRecords: map[byte]int{}, serverRecords: map[byte]int{}}
	type connKey struct{ port uint16 } // the client's port: one client address
	type conn struct {
		toServer, toClient tlsStream
		secretsAtStart     int // DSBs in the file when the SYN came
	}
	conns := map[connKey]*conn{}
	var order []connKey
	for {
		p, err := r.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		c.frames++
		switch p.Direction() {
		case pcap.DirectionInbound:
			c.inbound++
		case pcap.DirectionOutbound:
			c.outbound++
		}
		nSecrets := len(r.Secrets())
		eth, err := ethernet.NewFrame(p.Data)
		if err != nil || eth.Type() != ethernet.TypeIPv4 {
			continue
		}
		ip, err := ipv4.NewHeader(eth.Payload())
		if err != nil || ip.Protocol() != ipv4.ProtoTCP {
			continue
		}
		seg, err := tcp.NewHeader(ip.Payload())
		if err != nil {
			t.Fatalf("frame %d: %v", c.frames, err)
		}
		toServer := seg.DstPort() == 443
		key := connKey{seg.SrcPort()}
		if !toServer {
			key = connKey{seg.DstPort()}
		}
		cn := conns[key]
		if cn == nil {
			cn = &conn{secretsAtStart: nSecrets}
			conns[key] = cn
			order = append(order, key)
		}
		st := &cn.toClient
		if toServer {
			st = &cn.toServer
		}
		if seg.Flags()&tcp.FlagSYN != 0 {
			st.isn, st.started = seg.Seq(), true
			continue
		}
		payload := seg.Payload()
		if len(payload) == 0 || !st.started {
			continue
		}
		off := int(seg.Seq() - st.isn - 1)
		switch {
		case off > len(st.data):
			t.Fatalf("frame %d: a gap of %d bytes in a stream on a link that loses nothing", c.frames, off-len(st.data))
		case off+len(payload) <= len(st.data):
			continue // all of it retransmitted
		}
		payload = payload[len(st.data)-off:]
		start := len(st.data)
		st.data = append(st.data, payload...)
		// Four DSBs per connection, from the server's handshake.
		haveKeys := nSecrets >= cn.secretsAtStart+4
		if haveKeys {
			continue
		}
		if !toServer {
			c.early = append(c.early, fmt.Sprintf("frame %d: server bytes %d to %d, %d DSBs", c.frames, start, len(st.data), nSecrets))
		} else if hello := clientHelloLen(st.data); hello < 0 || len(st.data) > hello {
			c.early = append(c.early, fmt.Sprintf("frame %d: client bytes %d to %d (ClientHello %d bytes), %d DSBs", c.frames, start, len(st.data), hello, nSecrets))
		}
	}
	for _, sec := range r.Secrets() {
		if sec.Type != pcap.SecretsTLSKeyLog {
			t.Errorf("a DSB of type %#x", uint32(sec.Type))
		}
		c.secrets = append(c.secrets, sec.Data)
	}
	for _, k := range order {
		cn := conns[k]
		c.client = append(c.client, cn.toServer.data...)
		c.server = append(c.server, cn.toClient.data...)
		countRecords(t, "client", cn.toServer.data, c.clientRecords)
		countRecords(t, "server", cn.toClient.data, c.serverRecords)
	}
	return c
}

// clientHelloLen returns the length of the first TLS record of a
// client's stream, header included, or -1 if it is not a handshake
// record (or not there yet).
func clientHelloLen(stream []byte) int {
	if len(stream) < 5 || stream[0] != 22 {
		return -1
	}
	return 5 + int(binary.BigEndian.Uint16(stream[3:]))
}

// countRecords walks a TLS stream record by record and counts them by
// content type; the stream must end at a record's end.
func countRecords(t *testing.T, who string, stream []byte, counts map[byte]int) {
	t.Helper()
	for len(stream) > 0 {
		if len(stream) < 5 {
			t.Errorf("%s's stream ends inside a record header", who)
			return
		}
		n := 5 + int(binary.BigEndian.Uint16(stream[3:]))
		if n > len(stream) {
			t.Errorf("%s's stream ends inside a record of type %d (%d of %d bytes)", who, stream[0], len(stream), n)
			return
		}
		counts[stream[0]]++
		stream = stream[n:]
	}
}
