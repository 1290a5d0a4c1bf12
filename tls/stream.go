package tls

import (
	"net/netip"
	"time"

	"github.com/medina-net/medina/tcpstream"
)

// StreamDecoder decodes the TLS of every connection a tcpstream.Assembler
// reassembles: it is the Assembler's Handler, and gives each connection a
// Session on its first bytes. Connections found not to be TLS (neither
// TLS from their first bytes nor after a preamble of at most 64 KiB: see
// EventNotTLS and EventPreamble) are ignored from then on
// (tcpstream.Stream.Ignore), so they cost the Assembler almost nothing.
//
// What each connection's Session holds (Session.Memory), with the
// decoder's own record of it, is charged to the connection
// (tcpstream.Stream.Charge) after each call, so that the Assembler's
// bounds (tcpstream.Config's MaxBufferedPerStream and MaxBufferedTotal)
// cover the TLS as well as the reassembly: past them, the Assembler ends
// the connections that hold the most or have been idle the longest
// (tcpstream.CloseMemory), and their Sessions end as at any other close.
// Once OnClose has returned, the decoder lets the Session go.
type StreamDecoder struct {
	// KeyLog gives the secrets to decrypt with (see SessionConfig); it
	// may grow while the capture is read, as Decryption Secrets Blocks
	// arrive.
	KeyLog *KeyLog
	// OnEvent, if set, receives every connection's events in order.
	OnEvent func(s *tcpstream.Stream, e Event)
	// OnClose, if set, is called when a connection that had a Session
	// ends, after its last event.
	OnClose func(s *tcpstream.Stream, sess *Session, reason tcpstream.CloseReason)
}

// The directions of the two packages are the same numbers.
var (
	_ = [1]struct{}{}[tcpstream.ClientToServer-tcpstream.Direction(FromClient)]
	_ = [1]struct{}{}[tcpstream.ServerToClient-tcpstream.Direction(FromServer)]
)

// decoding is what a StreamDecoder keeps of a connection in Stream.User.
type decoding struct {
	sess *Session
	// charged is what was last charged to the stream for the session.
	charged int
	// swapped says the TLS client is the side tcpstream calls the server:
	// tcpstream guessed the roles by port (the capture missed the SYN)
	// and its client's first bytes are a ServerHello, or its server's a
	// ClientHello. Events then name the TLS roles, not tcpstream's.
	swapped bool
	decided bool
}

// decodingCost is what a connection costs a StreamDecoder beside its
// Session: the decoding and the OnEvent closure.
const decodingCost = 64

// decoding returns what d keeps of s, making it on first use.
func (d *StreamDecoder) decoding(s *tcpstream.Stream) *decoding {
	if dc, ok := s.User.(*decoding); ok {
		return dc
	}
	dc := &decoding{}
	dc.sess = NewSession(SessionConfig{KeyLog: d.KeyLog, OnEvent: func(e Event) {
		if e.Kind == EventNotTLS {
			s.Ignore()
		}
		if d.OnEvent != nil {
			d.OnEvent(s, e)
		}
	}})
	s.User = dc
	return dc
}

// dir maps a tcpstream direction to the TLS one, deciding on the first
// bytes whether the roles are the other way round.
func (dc *decoding) dir(s *tcpstream.Stream, dir tcpstream.Direction, data []byte) Direction {
	if !dc.decided {
		dc.decided = true
		if s.Rule == tcpstream.RulePort || s.Rule == tcpstream.RuleFirstSender {
			// A client does not send a ServerHello, nor a server a
			// ClientHello.
			wrong := ServerHelloType
			if dir == tcpstream.ServerToClient {
				wrong = ClientHelloType
			}
			dc.swapped = helloType(data) == wrong
		}
	}
	if dc.swapped {
		return Direction(dir.Reverse())
	}
	return Direction(dir)
}

// helloType is the handshake type of the message b starts with when b
// starts with a handshake record holding a hello, or 0.
func helloType(b []byte) HandshakeType {
	if len(b) < RecordHeaderLen+1 || !plausibleRecord(RecordHeader(b)) || RecordHeader(b).Type() != ContentHandshake {
		return 0
	}
	switch t := HandshakeType(b[RecordHeaderLen]); t {
	case ClientHelloType, ServerHelloType:
		return t
	}
	return 0
}

// Endpoints returns the TLS client and server of a connection: the
// tcpstream roles, unless the TLS said they are the other way round.
func (d *StreamDecoder) Endpoints(s *tcpstream.Stream) (client, server netip.AddrPort) {
	if dc, ok := s.User.(*decoding); ok && dc.swapped {
		return s.Server, s.Client
	}
	return s.Client, s.Server
}

// Data feeds the bytes to the connection's Session.
func (d *StreamDecoder) Data(s *tcpstream.Stream, dir tcpstream.Direction, data []byte, ts time.Time) {
	dc := d.decoding(s)
	dc.sess.Feed(dc.dir(s, dir, data), data, ts)
	dc.charge(s)
}

// Gap tells the connection's Session of the bytes lost.
func (d *StreamDecoder) Gap(s *tcpstream.Stream, dir tcpstream.Direction, n int) {
	dc := d.decoding(s)
	dc.sess.Gap(dc.dir(s, dir, nil), n)
	dc.charge(s)
}

// charge brings what is charged to s up to date with what the session
// holds.
func (dc *decoding) charge(s *tcpstream.Stream) {
	m := dc.sess.Memory() + decodingCost
	s.Charge(m - dc.charged)
	dc.charged = m
}

// Close ends the connection's Session, if it had one, and lets it go.
func (d *StreamDecoder) Close(s *tcpstream.Stream, reason tcpstream.CloseReason) {
	dc, ok := s.User.(*decoding)
	if !ok || dc.sess == nil {
		return
	}
	dc.sess.Close()
	if d.OnClose != nil {
		d.OnClose(s, dc.sess, reason)
	}
	// The Stream may be kept after its end (tcpstream remembers one
	// ended by FIN, RST or the memory bounds for a while, and a caller
	// may keep it for a summary): what it refers to must be small.
	dc.sess = nil
	dc.charged = 0
}
