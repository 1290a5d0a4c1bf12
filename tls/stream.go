package tls

import (
	"time"

	"github.com/medina-net/medina/tcpstream"
)

// StreamDecoder decodes the TLS of every connection a tcpstream.Assembler
// reassembles: it is the Assembler's Handler, and gives each connection a
// Session on its first bytes. Connections found not to be TLS (neither
// TLS from their first bytes nor after a preamble of at most 64 KiB: see
// EventNotTLS and EventPreamble) are ignored from then on
// (tcpstream.Stream.Ignore), so they cost the Assembler almost nothing.
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

// session returns the Session of s, making it on first use.
func (d *StreamDecoder) session(s *tcpstream.Stream) *Session {
	if sess, ok := s.User.(*Session); ok {
		return sess
	}
	var sess *Session
	sess = NewSession(SessionConfig{KeyLog: d.KeyLog, OnEvent: func(e Event) {
		if e.Kind == EventNotTLS {
			s.Ignore()
		}
		if d.OnEvent != nil {
			d.OnEvent(s, e)
		}
	}})
	s.User = sess
	return sess
}

// Data feeds the bytes to the connection's Session.
func (d *StreamDecoder) Data(s *tcpstream.Stream, dir tcpstream.Direction, data []byte, ts time.Time) {
	d.session(s).Feed(Direction(dir), data, ts)
}

// Gap tells the connection's Session of the bytes lost.
func (d *StreamDecoder) Gap(s *tcpstream.Stream, dir tcpstream.Direction, n int) {
	d.session(s).Gap(Direction(dir), n)
}

// Close ends the connection's Session, if it had one.
func (d *StreamDecoder) Close(s *tcpstream.Stream, reason tcpstream.CloseReason) {
	sess, ok := s.User.(*Session)
	if !ok {
		return
	}
	sess.Close()
	if d.OnClose != nil {
		d.OnClose(s, sess, reason)
	}
}
